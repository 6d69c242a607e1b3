#!/usr/bin/env python3
"""nutsec tests - tlsstaged.py: a TLS 1.3 handshake with upsd held open
just before its end, for the reload tests.

    tlsstaged.py PORT CERT.pem GOFILE

Sends STARTTLS, makes the client side of a TLS 1.3 handshake with the
identity in CERT.pem (key and certificate in one file; the server is not
verified) through memory buffers, and sends all of its last flight but the
final record (the client Finished): the server has seen and judged the
client certificate, but the handshake is not over. Prints "STAGED", waits
for GOFILE to exist, sends the last record and "PROTVER", and prints the
server's answer as "REPLY <line>", or "EOF" / "TIMEOUT" / "SSLERR <why>".
"""

import os
import socket
import ssl
import sys
import time


def main():
    port, cert, gofile = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    s.sendall(b"STARTTLS\n")
    line = b""
    while not line.endswith(b"\n"):
        d = s.recv(1)
        if not d:
            print("EOF")
            return 1
        line += d
    if line.strip() != b"OK STARTTLS":
        print("STARTTLS " + line.strip().decode("latin-1"))
        return 1
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    ctx.minimum_version = ctx.maximum_version = ssl.TLSVersion.TLSv1_3
    ctx.load_cert_chain(cert)
    inc, out = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = ctx.wrap_bio(inc, out, server_hostname="localhost")
    while True:
        try:
            tls.do_handshake()
            break
        except ssl.SSLWantReadError:
            d = out.read()
            if d:
                s.sendall(d)
            d = s.recv(65536)
            if not d:
                print("EOF")
                return 1
            inc.write(d)
    # The client's last flight (Certificate, CertificateVerify, Finished),
    # one record each: all but the last go now.
    flight = out.read()
    recs, i = [], 0
    while i < len(flight):
        n = int.from_bytes(flight[i + 3:i + 5], "big")
        recs.append(flight[i:i + 5 + n])
        i += 5 + n
    s.sendall(b"".join(recs[:-1]))
    print("STAGED", flush=True)
    while not os.path.exists(gofile):
        time.sleep(0.05)
    s.sendall(recs[-1])
    tls.write(b"PROTVER\n")
    s.sendall(out.read())
    got = b""
    try:
        while b"\n" not in got:
            d = s.recv(65536)
            if not d:
                print("EOF")
                break
            inc.write(d)
            try:
                got += tls.read(65536)
            except ssl.SSLWantReadError:
                pass
    except socket.timeout:
        print("TIMEOUT")
    except ssl.SSLError as e:
        print("SSLERR %s" % (e.reason or e))
    except OSError:
        print("EOF")
    for l in got.decode("latin-1").splitlines():
        print("REPLY " + l)
    return 0


if __name__ == "__main__":
    sys.exit(main())
