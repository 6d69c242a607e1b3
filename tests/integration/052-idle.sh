#!/bin/sh
# nutsec tests - 052-idle: the 60 s idle rule (nut-compat §1.1). Clients that
# complete no request line for 60 s are closed: a silent one, one sitting on
# half a line, and one that pipelined many LIST VAR and never reads (so it
# is dropped eventually, not kept forever: after 30 s without taking a
# reply), and one that sends only blank
# lines (they are answered, but do not count as activity). A client that
# sends a request every few seconds stays. Runs about 65 s, all cases in parallel; the
# margins are wide (still open at 45 s, closed by 90 s).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
start_all

tap_py idle <<'EOF'
import os, socket, subprocess, time
from nutclient import Conn, Tap
t = Tap()
P = int(os.environ["NUT_PORT"])

def sock(rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", P))
    s.setblocking(False)
    return s

def is_closed(s):
    """EOF or reset seen (pending reply data is read and skipped)."""
    try:
        while True:
            d = s.recv(1 << 20)
            if not d:
                return True
    except BlockingIOError:
        return False
    except OSError:
        return True

def server_side_closed(s):
    """upsd's socket for s is no longer ESTABLISHED (per ss)."""
    lp = s.getsockname()[1]
    out = subprocess.run(["ss", "-Htn", "state", "all", "( sport = :%d and dport = :%d )" % (P, lp)],
                         capture_output=True, text=True).stdout.split()
    return not out or out[0] != "ESTAB"

start = time.monotonic()
silent = sock()
half = sock(); half.sendall(b"GET VAR dum")
slow = sock(4096); slow.setblocking(True); slow.settimeout(10)
try:
    slow.sendall(b"LIST VAR dummy\n" * 5000)
except OSError:
    pass
slow.setblocking(False)
blank = sock()
active = Conn(P)

def poke_blank():
    try:
        blank.send(b"\n")
    except OSError:
        pass

def idle_socks_open():
    # 'slow' is not looked at: it is dropped after 30 s without taking a
    # reply (055-connlimits), before the idle limit
    return {"silent": not is_closed(silent), "half": not is_closed(half), "blank": not is_closed(blank)}

while time.monotonic() - start < 45:
    r = active.cmd1("NETVER")
    if r != "1.3":
        break
    poke_blank()
    time.sleep(3)
op = idle_socks_open()
t.ok(all(op.values()), "idle clients not dropped early (45 s)", op)
t.eq(active.cmd1("NETVER"), "1.3", "an active client is served at 45 s")

closed = {}
while time.monotonic() - start < 90:
    for name, s in (("silent", silent), ("half", half), ("blank", blank)):
        if name not in closed and is_closed(s):
            closed[name] = round(time.monotonic() - start)
    if "blank" not in closed:
        poke_blank()
    if "slow" not in closed:
        # not read (that would let it progress), and its FIN waits behind
        # megabytes of queued replies: look at upsd's end of the connection
        if server_side_closed(slow):
            closed["slow"] = round(time.monotonic() - start)
    if len(closed) == 4:
        break
    if time.monotonic() - start < 88:
        active.cmd1("NETVER")
    time.sleep(1)
t.ok("silent" in closed, "a silent client is closed after 60 s idle", closed)
t.ok("half" in closed, "a client on half a line is closed after 60 s idle", closed)
t.ok("slow" in closed, "a client that never reads its replies is dropped eventually", closed)
t.ok("blank" in closed, "a client sending only blank lines is closed after 60 s idle", closed)
t.eq(active.cmd1("NETVER"), "1.3", "the active client is still connected and served")
EOF
tap_done
