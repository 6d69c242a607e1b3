#!/bin/sh
# nutsec tests - 053-fdlimit: running out of file descriptors.
#  - upsd's open-file limit is lowered under it (prlimit) and a client floods
#    it with connections: once accept() fails with EMFILE, the pending
#    connections are taken off the queue and closed (or accepting pauses),
#    never a busy loop: upsd's CPU time (/proc/PID/stat) stays low while the
#    flood holds its sockets; when they go, clients are served again;
#  - 40 LISTEN addresses under a hard limit of 128: the descriptors the
#    listeners hold are kept out of MAXCONN, so the connections over it get
#    ERR MAX-CONNECTIONS rather than running into EMFILE.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
if ! command -v prlimit >/dev/null 2>&1; then
	echo "1..0 # SKIP prlimit (util-linux) not installed"
	exit 0
fi
nut_setup
# every connection here comes from 127.0.0.1: no per-address limit (055)
write_upsd_conf "MAXCONN_PER_LOOPBACK 0"
start_all

# ---------------------------------------------------------------- EMFILE flood
# as user nut: upsd runs as nut, and root here may lack CAP_SYS_RESOURCE
setpriv --reuid=nut --regid=nut --clear-groups prlimit --pid "$UPSD_PID" --nofile=64:64 ||
	tap_bail "prlimit --pid failed"
UPSD_PID=$UPSD_PID tap_py emfile <<'EOF'
import os, socket, time
from nutclient import Tap, served
t = Tap()
P = int(os.environ["NUT_PORT"])
PID = os.environ["UPSD_PID"]
HZ = os.sysconf("SC_CLK_TCK")

def cpu():
    with open("/proc/%s/stat" % PID) as f:
        rest = f.read().rsplit(")", 1)[1].split()
    return (int(rest[11]) + int(rest[12])) / HZ

socks = []
for i in range(120):
    try:
        s = socket.create_connection(("127.0.0.1", P), timeout=3)
        socks.append(s)
    except OSError:
        pass
time.sleep(0.5)
c0, w0 = cpu(), time.monotonic()
# keep connections coming while upsd is out of descriptors
for i in range(30):
    try:
        socks.append(socket.create_connection(("127.0.0.1", P), timeout=1))
    except OSError:
        pass
    time.sleep(0.1)
time.sleep(1)
used, wall = cpu() - c0, time.monotonic() - w0
t.ok(used < 0.5 * wall, "out of descriptors under a flood: upsd is not spinning",
     "%.2f s CPU in %.2f s" % (used, wall))
for s in socks:
    s.close()
t.ok(served(P), "the flood gone: a new client is served")
EOF
if grep -q 'out of file descriptors' "$T/upsd.log"; then
	tap_ok "running out of descriptors is logged"
else
	tap_fail "running out of descriptors is logged"
fi
if kill -0 "$UPSD_PID" 2>/dev/null; then tap_ok "upsd still running"; else tap_fail "upsd still running"; fi
stop_pid "$UPSD_PID"

# ---------------------------------------------------------------- listeners in the reserve
set -- "MAXCONN_PER_LOOPBACK 0"
i=2
while [ $i -le 41 ]; do
	set -- "$@" "LISTEN 127.0.0.$i $PORT"
	i=$((i + 1))
done
write_upsd_conf "$@"
cat > "$T/upsd-nofile" <<WEOF
#!/bin/sh
exec prlimit --nofile=128:128 -- "$UPSD" "\$@"
WEOF
chmod 0755 "$T/upsd-nofile"
: > "$T/upsd.log"
UPSD=$T/upsd-nofile start_upsd || tap_bail "upsd with 40 listeners did not start: $(tail -n 5 "$T/upsd.log")"
tap_py listeners <<'EOF'
import os
from nutclient import Tap, fill
t = Tap()
P = os.environ["NUT_PORT"]
served, refused, other = fill(P, 110)
t.ok(len(served) > 0 and len(refused) > 0, "40 listeners, hard limit 128: some served, the rest refused",
     "served %d refused %d" % (len(served), len(refused)))
t.ok(not other, "every connection served or told ERR MAX-CONNECTIONS (none dropped silently)",
     "%d others: %s" % (len(other), other[:3]))
for c in served + refused:
    c.close()
EOF
if grep -q 'out of file descriptors' "$T/upsd.log"; then
	tap_fail "MAXCONN leaves room for the listeners (upsd ran out of descriptors)"
else
	tap_ok "MAXCONN leaves room for the listeners (upsd never ran out of descriptors)"
fi
tap_done
