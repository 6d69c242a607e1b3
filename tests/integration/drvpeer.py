"""nutsec tests - drvpeer.py: a scripted driver-socket peer for upsd tests.

dummy-ups publishes no ENUM/RANGE lists and its results are fixed, so upsd's
enum/range checks, tracking-code mapping, live ADD/DEL messages and hostile
driver input are exercised with this peer: it listens on
<statepath>/dummy-ups-<ups> like a driver, answers DUMPALL with a given dump,
PING with PONG, SET/INSTCMD ... TRACKING <id> with a code chosen by the test,
and records every line it receives.
"""

import os
import grp
import socket
import threading
import time


def nut_split(line):
    """Tokenize one line like parseconf (quotes, backslash escapes)."""
    out, cur, inq, have, esc = [], [], False, False, False
    for ch in line:
        if esc:
            cur.append(ch); have = True; esc = False
        elif ch == "\\":
            esc = True
        elif inq:
            if ch == '"':
                inq = False
            else:
                cur.append(ch)
        elif ch == '"':
            inq = True; have = True
        elif ch.isspace():
            if have or cur:
                out.append("".join(cur)); cur = []; have = False
        else:
            cur.append(ch); have = True
    if have or cur:
        out.append("".join(cur))
    return out


class DrvPeer:
    def __init__(self, path, dump):
        self.path = path
        self.dump = list(dump)
        self.codes = {}           # SET var / INSTCMD cmd -> tracking code
        self.received = []
        self.conns = []
        self.lock = threading.Lock()
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        self.srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.srv.bind(path)
        os.chmod(path, 0o660)
        try:
            os.chown(path, 0, grp.getgrnam("nut").gr_gid)
        except (KeyError, PermissionError):
            pass
        self.srv.listen(16)
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                c, _ = self.srv.accept()
            except OSError:
                return
            with self.lock:
                self.conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _send(self, c, lines):
        try:
            c.sendall("".join(l + "\n" for l in lines).encode("latin-1"))
        except OSError:
            pass

    def _serve(self, c):
        buf = b""
        while True:
            try:
                d = c.recv(65536)
            except OSError:
                d = b""
            if not d:
                with self.lock:
                    if c in self.conns:
                        self.conns.remove(c)
                return
            buf += d
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("latin-1")
                with self.lock:
                    self.received.append(line)
                w = nut_split(line)
                if not w:
                    continue
                v = w[0].upper()
                if v == "DUMPALL":
                    self._send(c, self.dump + ["DATAOK", "DUMPDONE"])
                elif v == "PING":
                    self._send(c, ["PONG"])
                elif v in ("SET", "INSTCMD") and len(w) >= 3 and w[-2].upper() == "TRACKING":
                    code = self.codes.get(w[1], 0)
                    if code is not None:
                        self._send(c, ["TRACKING %s %d" % (w[-1], code)])

    def broadcast(self, *lines):
        with self.lock:
            cs = list(self.conns)
        for c in cs:
            self._send(c, lines)

    def send_raw(self, data):
        with self.lock:
            cs = list(self.conns)
        for c in cs:
            try:
                c.sendall(data)
            except OSError:
                pass

    def drop_clients(self):
        with self.lock:
            cs, self.conns = list(self.conns), []
        for c in cs:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            c.close()

    def nclients(self):
        with self.lock:
            return len(self.conns)

    def wait_received(self, pred, timeout=10.0):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                for l in self.received:
                    if pred(l):
                        return l
            time.sleep(0.05)
        return None

    def close(self):
        self.drop_clients()
        self.srv.close()
        try:
            os.unlink(self.path)
        except OSError:
            pass
