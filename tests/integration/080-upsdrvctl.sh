#!/bin/sh
# nutsec tests - 080-upsdrvctl: list, start, status, stop (all and one),
# shutdown order by sdorder (-t test mode and for real), with driverpath
# pointing at the build tree.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsdrvctl "$UPSDRVCTL"
need_exe dummy-ups "$DUMMY"
nut_setup
drvdir=$(cd "$(dirname "$DUMMY")" && pwd)
cat > "$CONF/ups.conf" <<EOF
driverpath = $drvdir
maxretry = 1

[ups1]
	driver = dummy-ups
	port = $CONF/dummy.dev
	sdorder = 1

[ups0]
	driver = dummy-ups
	port = $CONF/dummy.dev
	sdorder = 0

[upsx]
	driver = dummy-ups
	port = $CONF/dummy.dev
	sdorder = -1
EOF
conf_file ups.conf

run() {	# output in OUT, status in RC
	OUT=$("$UPSDRVCTL" "$@" 2>&1)
	RC=$?
}
alive() {	# UPS: its PID file names a live process
	_p=$(cat "$STATE/dummy-ups-$1.pid" 2>/dev/null)
	[ -n "$_p" ] && kill -0 "$_p" 2>/dev/null
}
dead() { ! alive "$1"; }

run list
tap_is "list: exit 0" "$RC" 0
tap_like "list names every UPS" "$(printf '%s\n' "$OUT" | tr '\n' ' ')" 'ups1.*ups0.*upsx'

run -t shutdown
tap_is "-t shutdown: exit 0" "$RC" 0
order=$(printf '%s\n' "$OUT" | grep -- '-k' | sed -n 's/.*-a \([a-z0-9]*\).*/\1/p' | tr '\n' ' ')
tap_is "-t shutdown: sdorder 0 then 1, -1 skipped" "$order" "ups0 ups1 "
tap_like "-t shutdown runs <driverpath>/dummy-ups" "$OUT" "$drvdir/dummy-ups"
run -t start
tap_unlike "-t start runs nothing" "$(ls "$STATE")" 'dummy-ups-'

run start
tap_is "start: exit 0" "$RC" 0
[ $RC -eq 0 ] || tap_diag "$OUT"
for u in ups1 ups0 upsx; do
	if wait_socket "$STATE/dummy-ups-$u" && alive $u; then tap_ok "start: $u running with its socket"; else tap_fail "start: $u running with its socket"; fi
done
run status
tap_is "status: exit 0" "$RC" 0
for u in ups1 ups0 upsx; do
	p=$(cat "$STATE/dummy-ups-$u.pid" 2>/dev/null)
	tap_like "status: $u line with its PID" "$OUT" "$u.*${p:-nopid}"
done

run stop ups0
tap_is "stop ups0: exit 0" "$RC" 0
if wait_for 50 dead ups0; then tap_ok "stop ups0: ups0 gone"; else tap_fail "stop ups0: ups0 gone"; fi
tap_check "stop ups0: ups1 still running" alive ups1
run status
tap_unlike "status after stop: ups0 not shown running" "$(printf '%s\n' "$OUT" | grep ups0)" "$(cat "$STATE/dummy-ups-ups1.pid" 2>/dev/null)XX"
run start ups0
if [ $RC -eq 0 ] && wait_for 50 alive ups0; then tap_ok "start ups0 again"; else tap_fail "start ups0 again"; fi

run -c reload ups1
tap_is "-c reload ups1: exit 0" "$RC" 0
tap_check "-c reload: ups1 still running" alive ups1
run -c exit upsx
tap_is "-c exit upsx: exit 0" "$RC" 0
if wait_for 50 dead upsx; then tap_ok "-c exit: upsx gone"; else tap_fail "-c exit: upsx gone"; fi
run start upsx
if [ $RC -eq 0 ] && wait_for 50 alive upsx; then tap_ok "start upsx again"; else tap_fail "start upsx again"; fi

run stop
tap_is "stop: exit 0" "$RC" 0
for u in ups1 ups0 upsx; do
	if wait_for 50 dead $u; then tap_ok "stop: $u gone"; else tap_fail "stop: $u gone"; fi
done

run -D shutdown
tap_is "shutdown: exit 0" "$RC" 0
[ $RC -eq 0 ] || tap_diag "$OUT"
tap_unlike "shutdown skips sdorder -1" "$OUT" 'upsx.*-k|-a upsx -k'
tap_done
