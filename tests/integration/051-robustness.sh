#!/bin/sh
# nutsec tests - 051-robustness: hostile clients never stop upsd from serving
# the others: a 64 MiB line without LF (ERR LINE-TOO-LONG, closed), a client
# that pipelines thousands of LIST VAR and never reads (dropped), a half line
# then silence, 1000 idle connections, random binary garbage, and '#' inside
# quotes (answered, connection continues).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
# 1000 idle connections from 127.0.0.1: the per-address limit (055) is lifted
write_upsd_conf "MAXCONN 2000" "MAXCONN_PER_LOOPBACK 0"
start_all
export UPSD_PID

tap_py robustness <<'EOF'
import os, random, re, socket, threading, time
from nutclient import Conn, Tap
t = Tap()
P = os.environ["NUT_PORT"]
UPSD_PID = int(os.environ["UPSD_PID"])
STATUS = 'VAR dummy ups.status "OL"'

def served(desc):
    """A fresh client gets an answer (5 s read timeout)."""
    try:
        c = Conn(P, timeout=5)
        r = c.cmd1("GET VAR dummy ups.status")
        c.close()
    except OSError as e:
        r = "<connect: %s>" % e
    return r == STATUS, r

def alive():
    try:
        os.kill(UPSD_PID, 0)
        return True
    except OSError:
        return False

class Prober(threading.Thread):
    """Queries from other clients while something hostile runs."""
    def __init__(self):
        super().__init__(daemon=True)
        self.stop = threading.Event()
        self.ok = 0
        self.bad = []
    def run(self):
        while not self.stop.is_set():
            good, r = served("probe")
            if good:
                self.ok += 1
            else:
                self.bad.append(r)
            time.sleep(0.05)
    def finish(self):
        self.stop.set()
        self.join(15)

# ---- 1. 64 MiB line without newline
big = Conn(P, timeout=10)
got = bytearray()
def reader():
    try:
        while True:
            d = big.sock.recv(65536)
            if not d:
                got.extend(b"<EOF>")
                return
            got.extend(d)
    except OSError as e:
        got.extend(("<%s>" % e.__class__.__name__).encode())
rt = threading.Thread(target=reader, daemon=True)
rt.start()
pr = Prober(); pr.start()
chunk = b"A" * (1 << 20)
sent = 0
send_err = None
try:
    for i in range(64):
        big.sock.sendall(chunk)
        sent += 1
except OSError as e:
    send_err = e
rt.join(15)
pr.finish()
text = bytes(got).decode("latin-1")
t.ok(text.startswith("ERR LINE-TOO-LONG"), "64 MiB line: ERR LINE-TOO-LONG [nutsec]",
     "received %r after %d MiB sent (%s)" % (text[:80], sent, send_err))
t.ok(not rt.is_alive() and ("<EOF>" in text or "Reset" in text), "64 MiB line: connection closed", text[:80])
t.ok(pr.ok > 0 and not pr.bad, "others served during the long line", (pr.ok, pr.bad[:3]))
big.close()

# ---- 2. pipelines thousands of LIST VAR, never reads
slow = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
slow.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)   # small, so replies pile up in upsd
slow.settimeout(30)
slow.connect(("127.0.0.1", int(P)))
N = 100000
req = b"LIST VAR dummy\n" * 1000
send_err = None
try:
    for i in range(N // 1000):
        slow.sendall(req)
except OSError as e:
    send_err = e
# others must be served while its replies pile up (stop at the first miss)
probes, miss = 0, None
for i in range(20):
    g, r = served("during")
    if not g:
        miss = r
        break
    probes += 1
t.ok(miss is None, "others served while a client never reads", "%d probes ok, then %r" % (probes, miss))
# now read what is there: a dropped client sees EOF (or a reset) before all N replies
ends = 0
closed = False
buf = b""
try:
    slow.settimeout(10)
    while True:
        d = slow.recv(1 << 20)
        if not d:
            closed = True
            break
        buf += d
        ends += buf.count(b"END LIST VAR dummy\n")
        buf = buf[buf.rfind(b"\n") + 1:]
except socket.timeout:
    pass
except OSError:
    closed = True
# either dropped (EOF before all replies) or held back and then fully served
# once it reads (backpressure); a stall with neither is a failure
t.ok(((closed or send_err is not None) and ends < N) or (ends == N and send_err is None),
     "the never-reading client is dropped, or served in full once it reads (no stall)",
     "closed=%s send_err=%s lists received=%d of %d" % (closed, send_err, ends, N))
slow.close()
g, r = served("after")
t.ok(g, "served after the slow reader", r)

# ---- 3. half a line, then silence
half = Conn(P, timeout=5)
half.send("GET VAR dum")
g, r = served("half")
t.ok(g, "others served while a client sits on half a line", r)
half.send("my ups.status\n")
t.eq(half.reply(), [STATUS], "the half line completes later and is answered")
half.close()

# ---- 4. 1000 idle connections
idle, err = [], None
try:
    for i in range(1000):
        idle.append(socket.create_connection(("127.0.0.1", int(P)), timeout=10))
except OSError as e:
    err = e
t.ok(len(idle) == 1000, "1000 idle connections accepted", "%d (%s)" % (len(idle), err))
g, r = served("idle")
t.ok(g, "a client is served while 1000 idle connections are open", r)
c = Conn(P)
lv = c.cmd("LIST VAR dummy")
t.ok(lv[0] == "BEGIN LIST VAR dummy" and lv[-1] == "END LIST VAR dummy", "LIST VAR with 1000 idle connections")
c.close()
for s in idle:
    s.close()
g, r = served("after idle")
t.ok(g, "served after the idle connections close", r)

# ---- 5. random binary garbage
rnd = random.Random(3493)
for i in range(20):
    try:
        s = socket.create_connection(("127.0.0.1", int(P)), timeout=5)
        s.sendall(bytes(rnd.getrandbits(8) for _ in range(rnd.randint(1, 20000))))
        s.close()
    except OSError:
        pass
t.ok(alive(), "upsd alive after random garbage")
g, r = served("garbage")
t.ok(g, "served after random garbage", r)
c = Conn(P)
t.eq(c.cmd1("NET\x01VER"), "1.3", "control bytes inside a word are dropped")
t.eq(c.cmd1("NET\xffVER"), "1.3", "bytes >= 0x80 inside a word are dropped")
t.eq(c.cmd1("NETVER\x00"), "1.3", "a NUL byte is dropped")

# ---- 6. '#' inside quotes
t.eq(c.cmd1('GET VAR dummy "a#b"'), "ERR INVALID-ARGUMENT", "# inside quotes: ERR INVALID-ARGUMENT [nutsec]")
t.eq(c.cmd1("GET VAR dummy ups.status"), STATUS, "the connection continues after it")
t.eq(c.cmd1(r'GET VAR dummy "a\#b"'), "ERR VAR-NOT-SUPPORTED", "escaped # inside quotes is fine")
c.close()
t.ok(alive(), "upsd still alive at the end")
EOF
tap_done
