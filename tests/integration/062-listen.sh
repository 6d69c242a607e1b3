#!/bin/sh
# nutsec tests - 062-listen: LISTEN on 127.0.0.1 and ::1 (same port), IPv6
# clients served and shown as ::1 in LIST CLIENT; a LISTEN that cannot bind
# (port taken) makes start-up fail with a non-zero status.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
require_ipv6_loopback
write_upsd_conf "LISTEN ::1 $PORT"
start_all

tap_is "IPv4 listener" "$(nut_req NETVER)" "1.3"
tap_is "IPv6 listener" "$(nut_req -H ::1 NETVER)" "1.3"
r=$("$PY" - <<EOF
import sys, time
sys.path.insert(0, "$LIBDIR")
from nutclient import Conn
c = Conn($PORT, host="::1")
c.login("$SEC_USER", "$SEC_PASS")
print(c.cmd1("LOGIN dummy"))
print("\n".join(Conn($PORT).cmd("LIST CLIENT dummy")))
EOF
)
tap_is "LIST CLIENT shows the IPv6 peer" "$r" "OK
BEGIN LIST CLIENT dummy
CLIENT dummy ::1
END LIST CLIENT dummy"

# a second upsd on the same port cannot bind: it must fail, not run deaf
"$UPSD" -F > "$T/upsd2.log" 2>&1 &
p2=$!
PIDS="$PIDS $p2"
i=0
while kill -0 $p2 2>/dev/null && ps -o stat= -p $p2 | grep -qv Z && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
if ps -o stat= -p $p2 2>/dev/null | grep -qv Z; then
	tap_fail "upsd with a LISTEN that cannot bind exits"
else
	tap_ok "upsd with a LISTEN that cannot bind exits"
	wait $p2
	rc=$?
	tap_unlike "... with a non-zero status" "$rc" '^0$'
	tap_like "... and says why" "$(cat "$T/upsd2.log")" '(bind|in use|listen)'
fi
tap_is "the first upsd still serves" "$(nut_req 'GET VAR dummy ups.status')" 'VAR dummy ups.status "OL"'
tap_done
