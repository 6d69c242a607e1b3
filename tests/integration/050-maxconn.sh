#!/bin/sh
# nutsec tests - 050-maxconn: MAXCONN 20. The connection over the limit gets
# ERR MAX-CONNECTIONS and is closed; earlier clients are still served; a slot
# freed is usable again. (nutsec behaviour: NUT starves instead of refusing.)
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
write_upsd_conf "MAXCONN 20"
start_all

tap_py maxconn <<'EOF'
import os, socket, time
from nutclient import Conn, Tap, fill
t = Tap()
P = os.environ["NUT_PORT"]
served, refused, other = fill(P, 30)
t.ok(len(refused) >= 1, "connections over MAXCONN are refused with ERR MAX-CONNECTIONS",
     "served %d refused %d other %s" % (len(served), len(refused), other))
t.ok(10 <= len(served) <= 20, "MAXCONN 20: at most 20 (and not far fewer) clients served", len(served))
t.ok(not other, "every connection either served or refused", other)
t.ok(all(c.closed(3) for c in refused), "refused connections are closed by the server")
t.ok(all(c.cmd1("GET VAR dummy ups.status") == 'VAR dummy ups.status "OL"' for c in served),
     "earlier clients still served")
# refusal happens at once: the first connection over the limit, not after a timeout
if served:
    served.pop().close()
    ok = False
    for i in range(50):
        c = Conn(P, timeout=3)
        r = c.cmd1("NETVER")
        if r == "1.3":
            ok = True
            served.append(c)
            break
        c.close()
        time.sleep(0.1)
    t.ok(ok, "a freed slot is usable by a new client")
for c in served:
    c.close()
ok = False
for i in range(50):
    c = Conn(P, timeout=3)
    r = c.cmd1("NETVER")
    c.close()
    if r == "1.3":
        ok = True
        break
    time.sleep(0.1)
t.ok(ok, "all clients gone: new clients served")
EOF
if grep -qi 'max' "$T/upsd.log"; then
	tap_ok "the refusal is logged"
else
	tap_fail "the refusal is logged (no line mentioning max in upsd's log)"
fi
tap_done
