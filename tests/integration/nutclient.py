#!/usr/bin/env python3
"""nutsec tests - nutclient.py: a tiny NUT network-protocol client.

Command line (used by lib.sh's nut_req):

    nutclient.py -p PORT [-H HOST] [-t SECS] [--pipe] [--close] [LINE...]

sends each LINE (argv, or stdin lines when none are given) followed by LF
and prints the reply to each one: a single line, or a whole
BEGIN LIST ... END LIST block. With --pipe all lines go out in one write
before any reply is read (pipelining). With --close it then waits for the
server to close the connection and prints "<closed>" or "<open>". A reply
that does not come within the timeout prints "<timeout>", a connection
closed early prints "<eof>"; both stop the run (exit status 2).

As a module (tests that need several connections at once):

    from nutclient import Conn, Tap
    c = Conn(port); c.cmd("GET VAR ups ups.status") -> ["VAR ups ..."]

Tap prints "ok - ..." / "not ok - ..." lines that lib.sh's tap_import
renumbers into the calling script's TAP stream.
"""

import argparse
import os
import signal
import socket
import sys
import time


class Eof(Exception):
    """The server closed the connection."""


class Conn:
    def __init__(self, port, host="127.0.0.1", timeout=5.0, source=None):
        """source: the local address to connect from (e.g. "127.0.0.5", to
        look like another host to per-address limits)."""
        self.timeout = timeout
        self.sock = socket.create_connection((host, int(port)), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.buf = b""

    def send(self, data):
        if isinstance(data, str):
            data = data.encode("latin-1")
        self.sock.sendall(data)

    def readline(self, timeout=None):
        """One reply line without its LF. Raises Eof, socket.timeout."""
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise Eof()
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("latin-1")

    def reply(self, timeout=None):
        """One reply unit: a line, or a BEGIN LIST ... END LIST block."""
        first = self.readline(timeout)
        lines = [first]
        if first.startswith("BEGIN LIST"):
            while True:
                line = self.readline(timeout)
                lines.append(line)
                if line.startswith("END LIST"):
                    break
        return lines

    def cmd(self, line, timeout=None):
        """Sends a line, returns its reply unit; ["<timeout>"] or ["<eof>"]
        when none comes (never raises for that)."""
        try:
            self.send(line + "\n")
            return self.reply(timeout)
        except socket.timeout:
            return ["<timeout>"]
        except (Eof, OSError):
            return ["<eof>"]

    def cmd1(self, line, timeout=None):
        """The first reply line only (for single-line replies); "<timeout>"
        or "<eof>" instead of raising, so a test records a failure and goes
        on."""
        return self.cmd(line, timeout)[0]

    def login(self, user, password):
        self.cmd1("USERNAME " + user)
        return self.cmd1("PASSWORD " + password)

    def closed(self, timeout=None):
        """True if the server closes the connection within the timeout
        (data still arriving is read and thrown away)."""
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        end = time.monotonic() + (self.timeout if timeout is None else timeout)
        try:
            while time.monotonic() < end:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return True
        except socket.timeout:
            return False
        except OSError:
            return True
        return False

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


def fill(port, n, **kw):
    """Opens n connections, each asking NETVER. Returns (served, refused,
    other): the connections answered, those told ERR MAX-CONNECTIONS (both
    left open), and a description of anything else (closed)."""
    served, refused, other = [], [], []
    for i in range(n):
        try:
            c = Conn(port, timeout=3, **kw)
        except OSError as e:
            other.append("connect %d: %s" % (i, e))
            continue
        r = c.cmd1("NETVER")
        if r == "1.3":
            served.append(c)
        elif r.split(" ")[:2] == ["ERR", "MAX-CONNECTIONS"]:
            refused.append(c)
        else:
            other.append("conn %d: %r" % (i, r))
            c.close()
    return served, refused, other


def served(port, tries=50, **kw):
    """True once a new connection gets NETVER answered (polled every 0.1 s)."""
    for i in range(tries):
        try:
            c = Conn(port, timeout=3, **kw)
            r = c.cmd1("NETVER")
            c.close()
            if r == "1.3":
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


class Tap:
    """Collects results; lib.sh's tap_import numbers them."""

    def __init__(self):
        self.failed = 0

    def ok(self, cond, desc, detail=None):
        if cond:
            print("ok - " + desc)
        else:
            self.failed += 1
            print("not ok - " + desc)
            if detail is not None:
                for l in str(detail).splitlines() or [""]:
                    print("#   " + l)
        sys.stdout.flush()
        return cond

    def eq(self, got, want, desc):
        return self.ok(got == want, desc,
                       "got:  %r\nwant: %r" % (got, want))

    def skip(self, desc, why):
        print("ok - %s # SKIP %s" % (desc, why))

    def note(self, msg):
        for l in str(msg).splitlines():
            print("# " + l)


def main():
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)   # quiet when piped into grep -q
    ap = argparse.ArgumentParser()
    ap.add_argument("-H", "--host", default="127.0.0.1")
    ap.add_argument("-p", "--port", default=os.environ.get("NUT_PORT"))
    ap.add_argument("-t", "--timeout", type=float, default=5.0)
    ap.add_argument("--pipe", action="store_true")
    ap.add_argument("--close", action="store_true")
    ap.add_argument("lines", nargs="*")
    a = ap.parse_args()
    lines = a.lines if a.lines else [l.rstrip("\n") for l in sys.stdin]
    try:
        c = Conn(a.port, a.host, a.timeout)
    except OSError as e:
        print("<connect failed: %s>" % e)
        return 2
    out = sys.stdout
    rc = 0
    try:
        if a.pipe:
            c.send("".join(l + "\n" for l in lines))
        for l in lines:
            if not a.pipe:
                c.send(l + "\n")
            for r in c.reply():
                out.write(r + "\n")
        if a.close:
            out.write("<closed>\n" if c.closed() else "<open>\n")
    except socket.timeout:
        out.write("<timeout>\n")
        rc = 2
    except Eof:
        out.write("<eof>\n")
        rc = 2
    except OSError as e:
        out.write("<error: %s>\n" % e)
        rc = 2
    c.close()
    return rc


if __name__ == "__main__":
    sys.exit(main())
