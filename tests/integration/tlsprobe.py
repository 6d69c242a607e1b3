#!/usr/bin/env python3
"""nutsec tests - tlsprobe.py: a NUT STARTTLS peer built on Python's ssl
(OpenSSL), independent of our TLS code, for the TLS tests.

    tlsprobe.py -p PORT [-H HOST] [-t SECS] [--cert PEM] [--ca PEM]
                [--name NAME] [--min V] [--max V] [--seclevel0]
                [--before LINE]... [--inject DATA] [LINE...]

Connects, sends the --before lines (plaintext, replies printed as
"PLAIN <reply>"), then "STARTTLS" (plus --inject bytes in the same write),
prints "STARTTLS <reply>", and on "OK STARTTLS" does the client handshake:
"HANDSHAKE OK <version> <cipher>" or "HANDSHAKE FAILED <reason>". Then each
LINE (default: PROTVER) goes out inside TLS (with --ca, "SERVER-SERIAL
<hex>" first names the server certificate), its reply printed as
"REPLY <line>" (lists: one REPLY per line), or "ALERT <reason>" / "EOF" /
"TIMEOUT" (and the run stops). With TLS 1.3 a server's refusal of the client
certificate arrives only here, as an ALERT or EOF. The LINE "@WAIT-EOF
SECS" sends nothing and waits: "EOF" if the server closes the session
within SECS seconds, else "ALIVE". The LINE "@RAW HEX" writes those bytes
on the socket beneath TLS (a forged record), prints "RAW <n>" and
expects no reply.

--ca PEM verifies the server's chain (and --name its name; without --ca
nothing is verified). --cert PEM presents a client identity (key +
certificate in one file). --min/--max: tls1, tls1_1, tls1_2, tls1_3.
--seclevel0 lets OpenSSL offer the old protocols and suites at all.
--plain skips STARTTLS (to check the probe itself against openssl s_server).

--relay: listens on 127.0.0.1, prints "RELAY <port>", and for each client
connects to PORT, does the STARTTLS exchange and then copies bytes both
ways, so that openssl s_client / tstclnt can talk TLS to upsd.

Exit status: 0 handshake done, 1 handshake failed or STARTTLS refused,
2 connection problem.
"""

import argparse
import os
import select
import socket
import ssl
import sys
import threading

VERS = {
    "tls1": ssl.TLSVersion.TLSv1,
    "tls1_1": ssl.TLSVersion.TLSv1_1,
    "tls1_2": ssl.TLSVersion.TLSv1_2,
    "tls1_3": ssl.TLSVersion.TLSv1_3,
}


def out(s):
    sys.stdout.write(s + "\n")
    sys.stdout.flush()


class Lines:
    def __init__(self, sock, timeout):
        self.sock = sock
        self.timeout = timeout
        self.buf = b""

    def line(self):
        self.sock.settimeout(self.timeout)
        while b"\n" not in self.buf:
            d = self.sock.recv(4096)
            if not d:
                raise EOFError()
            self.buf += d
        l, self.buf = self.buf.split(b"\n", 1)
        return l.decode("latin-1")

    def reply(self):
        first = self.line()
        r = [first]
        if first.startswith("BEGIN LIST"):
            while True:
                l = self.line()
                r.append(l)
                if l.startswith("END LIST"):
                    break
        return r


def wait_eof(t, q, secs):
    """@WAIT-EOF SECS: send nothing; "EOF" when the server closes the
    session within SECS, else "ALIVE"."""
    t.settimeout(secs)
    try:
        d = t.recv(4096)
    except socket.timeout:
        out("ALIVE")
        t.settimeout(q.timeout)
        return
    if d:
        out("DATA %r" % d)
    raise EOFError()


def relay(a):
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind(("127.0.0.1", 0))
    ls.listen(8)
    out("RELAY %d" % ls.getsockname()[1])

    def serve(c):
        try:
            u = socket.create_connection((a.host, int(a.port)), timeout=a.timeout)
            u.sendall(b"STARTTLS\n")
            buf = b""
            while b"\n" not in buf:
                d = u.recv(1)
                if not d:
                    raise EOFError()
                buf += d
            if not buf.startswith(b"OK STARTTLS"):
                raise EOFError()
            u.settimeout(None)
            socks = [c, u]
            while True:
                r, _, _ = select.select(socks, [], [])
                for s in r:
                    d = s.recv(65536)
                    if not d:
                        return
                    (u if s is c else c).sendall(d)
        except (OSError, EOFError):
            pass
        finally:
            c.close()

    while True:
        c, _ = ls.accept()
        threading.Thread(target=serve, args=(c,), daemon=True).start()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-H", "--host", default="127.0.0.1")
    ap.add_argument("-p", "--port", required=True)
    ap.add_argument("-t", "--timeout", type=float, default=5.0)
    ap.add_argument("--cert")
    ap.add_argument("--ca")
    ap.add_argument("--name")
    ap.add_argument("--min", choices=VERS)
    ap.add_argument("--max", choices=VERS)
    ap.add_argument("--seclevel0", action="store_true")
    ap.add_argument("--before", action="append", default=[])
    ap.add_argument("--inject", default="")
    ap.add_argument("--plain", action="store_true")
    ap.add_argument("--relay", action="store_true")
    ap.add_argument("lines", nargs="*")
    a = ap.parse_args()
    if a.relay:
        relay(a)
        return 0

    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if a.seclevel0:
        ctx.set_ciphers("ALL:@SECLEVEL=0")
    if a.min:
        ctx.minimum_version = VERS[a.min]
    if a.max:
        ctx.maximum_version = VERS[a.max]
    if a.ca:
        ctx.load_verify_locations(a.ca)
        ctx.check_hostname = a.name is not None
        ctx.verify_mode = ssl.CERT_REQUIRED
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    if a.cert:
        ctx.load_cert_chain(a.cert)

    try:
        s = socket.create_connection((a.host, int(a.port)), timeout=a.timeout)
    except OSError as e:
        out("CONNECT FAILED %s" % e)
        return 2
    p = Lines(s, a.timeout)
    try:
        for l in a.before:
            s.sendall((l + "\n").encode("latin-1"))
            for r in p.reply():
                out("PLAIN " + r)
        if not a.plain:
            s.sendall(b"STARTTLS\n" + a.inject.encode("latin-1").decode("unicode_escape").encode("latin-1"))
            r = p.line()
            out("STARTTLS " + r)
            if r != "OK STARTTLS":
                return 1
            if p.buf:
                out("EXTRA-PLAINTEXT %r" % p.buf)
    except socket.timeout:
        out("TIMEOUT")
        return 2
    except (EOFError, OSError) as e:
        out("EOF %s" % e)
        return 2

    try:
        s.settimeout(a.timeout)
        t = ctx.wrap_socket(s, server_hostname=a.name if a.name else None)
    except ssl.SSLError as e:
        out("HANDSHAKE FAILED %s" % (e.reason or e))
        return 1
    except socket.timeout:
        out("HANDSHAKE FAILED timeout")
        return 1
    except OSError as e:
        out("HANDSHAKE FAILED %s" % e)
        return 1
    out("HANDSHAKE OK %s %s" % (t.version(), t.cipher()[0]))
    pc = t.getpeercert() if a.ca else None
    if pc and "serialNumber" in pc:
        out("SERVER-SERIAL %s" % pc["serialNumber"].lstrip("0").upper())
    q = Lines(t, a.timeout)
    for l in a.lines or ["PROTVER"]:
        try:
            if l.startswith("@WAIT-EOF "):
                wait_eof(t, q, float(l.split()[1]))
                continue
            if l.startswith("@RAW "):
                raw = bytes.fromhex(l.split()[1])
                with socket.socket(fileno=os.dup(t.fileno())) as u:
                    u.sendall(raw)
                out("RAW %d" % len(raw))
                continue
            t.sendall((l + "\n").encode("latin-1"))
            for r in q.reply():
                out("REPLY " + r)
        except ssl.SSLError as e:
            out("ALERT %s" % (e.reason or e))
            break
        except socket.timeout:
            out("TIMEOUT")
            break
        except (EOFError, OSError):
            out("EOF")
            break
    try:
        t.close()
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
