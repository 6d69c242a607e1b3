#!/usr/bin/env python3
"""nutsec tests - drvclient.py: talk to a driver's Unix socket the way upsd does.

    drvclient.py SOCKET [-t SECS] LINE...

sends each LINE and prints everything the driver sends back until the line
that ends that request: DUMPDONE (DUMPALL/DUMPVALUE/DUMPSTATUS), PONG (PING),
PID (GETPID), OK Goodbye (LOGOUT), TRACKING <id> (INSTCMD/SET ... TRACKING id).
Other requests (untracked SET/INSTCMD, BROADCAST, ...) wait for nothing.
A missing reply prints "<timeout>" and exits 2.

As a module: DrvConn(path).request(line) -> list of lines.
"""

import socket
import sys
import time


class DrvConn:
    def __init__(self, path, timeout=5.0):
        self.timeout = timeout
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(path)      # blocking: a full backlog waits, not EAGAIN
        self.sock.settimeout(timeout)
        self.buf = b""

    def send(self, line):
        self.sock.sendall((line + "\n").encode("latin-1"))

    def readline(self, timeout=None):
        self.sock.settimeout(self.timeout if timeout is None else timeout)
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError()
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return line.decode("latin-1")

    def read_until(self, pred, timeout=None):
        """Lines up to and including the first one for which pred is true;
        a missing end is reported as a last line "<timeout>" or "<eof>"."""
        end = time.monotonic() + (self.timeout if timeout is None else timeout)
        out = []
        try:
            while True:
                left = end - time.monotonic()
                if left <= 0:
                    raise socket.timeout()
                line = self.readline(left)
                out.append(line)
                if pred(line):
                    return out
        except socket.timeout:
            return out + ["<timeout>"]
        except (EOFError, OSError):
            return out + ["<eof>"]

    def closed(self, timeout=5.0):
        """True if the peer closes within timeout (other data is skipped)."""
        return self.read_until(lambda l: False, timeout)[-1] == "<eof>"

    def drain(self, timeout=0.3):
        """Whatever arrives within timeout (broadcasts)."""
        out = []
        try:
            while True:
                out.append(self.readline(timeout))
        except (socket.timeout, EOFError):
            pass
        return out

    @staticmethod
    def terminator(line):
        w = line.split()
        if not w:
            return None
        verb = w[0].upper()
        if verb in ("DUMPALL", "DUMPVALUE", "DUMPSTATUS"):
            return lambda l: l == "DUMPDONE"
        if verb == "PING":
            return lambda l: l == "PONG"
        if verb == "GETPID":
            return lambda l: l.startswith("PID ")
        if verb == "LOGOUT":
            return lambda l: l.startswith("OK Goodbye")
        if verb in ("INSTCMD", "SET") and len(w) >= 2 and w[-2].upper() == "TRACKING":
            tid = w[-1]
            return lambda l: l.startswith("TRACKING " + tid + " ") or \
                l.upper().startswith("TRACKING " + tid.upper() + " ")
        return None

    def request(self, line, timeout=None):
        self.send(line)
        pred = self.terminator(line)
        if pred is None:
            return []
        return self.read_until(pred, timeout)

    def close(self):
        self.sock.close()


def main(argv):
    if len(argv) < 2:
        print("usage: drvclient.py SOCKET [-t SECS] LINE...", file=sys.stderr)
        return 2
    path = argv[1]
    args = argv[2:]
    timeout = 5.0
    if len(args) >= 2 and args[0] == "-t":
        timeout = float(args[1])
        args = args[2:]
    try:
        c = DrvConn(path, timeout)
    except OSError as e:
        print("<connect failed: %s>" % e)
        return 2
    rc = 0
    try:
        for l in args:
            for r in c.request(l):
                print(r)
                if r in ("<timeout>", "<eof>"):
                    rc = 2
            if rc:
                break
    except OSError as e:
        print("<error: %s>" % e)
        rc = 2
    return rc


if __name__ == "__main__":
    sys.exit(main(sys.argv))
