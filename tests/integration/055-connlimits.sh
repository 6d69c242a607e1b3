#!/bin/sh
# nutsec tests - 055-connlimits: what one address can take (issue 13).
#  - MAXCONN is 1024 by default (not the descriptor limit);
#  - MAXCONN_PER_ADDRESS (default 32, loopback not exempt): the 33rd
#    connection from an address gets ERR MAX-CONNECTIONS while another
#    address is served; after a reload, a lower limit applies, and
#    MAXCONN_PER_LOOPBACK 0 lifts it for loopback addresses;
#  - clients that pipeline LIST VAR and never read hold a bounded amount of
#    kernel memory (upsd's side of each socket: Send-Q under 128 KiB), and
#    are dropped after 30 s without taking a reply (not only at the 60 s
#    idle limit).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
start_all

tap_like "MAXCONN is 1024 by default" "$(grep 'ready:' "$T/upsd.log")" 'MAXCONN 1024$'

tap_py peraddress <<'EOF'
import os
from nutclient import Conn, Tap, fill
t = Tap()
P = os.environ["NUT_PORT"]
s, r, o = fill(P, 40, source="127.0.0.2")
for c in r:
    c.close()
t.ok(len(s) == 32 and len(r) == 8 and not o, "MAXCONN_PER_ADDRESS 32 by default: 32 served, "
     "8 told ERR MAX-CONNECTIONS", (len(s), len(r), o))
c = Conn(P, timeout=3, source="127.0.0.3")
t.eq(c.cmd1("NETVER"), "1.3", "another address is served meanwhile")
c.close()
s[0].close()
ok = False
for i in range(30):
    c = Conn(P, timeout=3, source="127.0.0.2")
    if c.cmd1("NETVER") == "1.3":
        ok = True
        s[0] = c
        break
    c.close()
t.ok(ok, "a slot freed is usable by the same address again")
for c in s:
    c.close()
EOF
if grep -q '127.0.0.2 already holds 32 connections (MAXCONN_PER_LOOPBACK)' "$T/upsd.log"; then
	tap_ok "the refusal is logged, naming the setting"
else
	tap_fail "the refusal is logged, naming the setting"
fi

reload_upsd "MAXCONN_PER_ADDRESS 100" "MAXCONN_PER_LOOPBACK 4"
tap_py loopback4 <<'EOF'
import os
from nutclient import Conn, Tap
t = Tap()
P = os.environ["NUT_PORT"]
cs = [Conn(P, timeout=3, source="127.0.0.4") for i in range(6)]
got = [c.cmd1("NETVER") for c in cs]
t.eq(got, ["1.3"] * 4 + ["ERR MAX-CONNECTIONS"] * 2, "MAXCONN_PER_LOOPBACK 4 after a reload")
for c in cs:
    c.close()
EOF
reload_upsd "MAXCONN_PER_LOOPBACK 0"
tap_py loopback0 <<'EOF'
import os
from nutclient import Conn, Tap
t = Tap()
P = os.environ["NUT_PORT"]
cs = [Conn(P, timeout=3, source="127.0.0.5") for i in range(40)]
got = [c.cmd1("NETVER") for c in cs]
t.ok(all(g == "1.3" for g in got), "MAXCONN_PER_LOOPBACK 0: loopback not limited", got[30:])
for c in cs:
    c.close()
EOF

# ---------------------------------------------------------------- non-readers
tap_py nonreaders <<'EOF'
import os, socket, subprocess, time
from nutclient import Conn, Tap
t = Tap()
P = int(os.environ["NUT_PORT"])

def upsd_side(lports):
    """Send-Q of upsd's end of each connection still established (by our port)."""
    out = subprocess.run(["ss", "-Htn", "state", "established", "( sport = :%d )" % P],
                         capture_output=True, text=True).stdout.splitlines()
    q = {}
    for l in out:
        f = l.split()
        # Recv-Q Send-Q Local:Port Peer:Port
        peer_port = int(f[3].rsplit(":", 1)[1])
        if peer_port in lports:
            q[peer_port] = int(f[1])
    return q

socks = []
start = time.monotonic()
for i in range(30):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    s.bind(("127.0.0.6", 0))
    s.connect(("127.0.0.1", P))
    s.setblocking(False)
    try:
        s.send(b"LIST VAR dummy\n" * 165)
    except OSError:
        pass
    socks.append(s)
lports = {s.getsockname()[1] for s in socks}
time.sleep(3)
q = upsd_side(lports)
t.ok(len(q) == 30, "30 non-reading clients connected", len(q))
t.note("upsd's send queue per non-reader: at most %d bytes" % (max(q.values()) if q else -1))
t.ok(q and max(q.values()) < 128 * 1024, "kernel send queue per non-reader bounded (< 128 KiB)",
     "max %d bytes" % (max(q.values()) if q else -1))
c = Conn(P, source="127.0.0.7")
t.eq(c.cmd1("GET VAR dummy ups.status"), 'VAR dummy ups.status "OL"', "others are served meanwhile")
gone = None
while time.monotonic() - start < 50:
    c.cmd1("NETVER")
    if not upsd_side(lports):
        gone = time.monotonic() - start
        break
    time.sleep(1)
t.ok(gone is not None and gone < 45, "non-readers dropped after 30 s without taking a reply "
     "(before the 60 s idle limit)", gone)
c.close()
for s in socks:
    s.close()
EOF
if grep -q 'took none of its replies' "$T/upsd.log"; then
	tap_ok "dropping a non-reader is logged"
else
	tap_fail "dropping a non-reader is logged"
fi
tap_done
