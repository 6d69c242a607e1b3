#!/bin/sh
# nutsec tests - 402-upsmon-deadtime: communication lost while on battery.
# On line, a lost upsd only gives COMMBAD (no shutdown); on battery, the
# UPS is taken as low battery once DEADTIME passes without news, and the
# machine shuts down - not before DEADTIME. COMMOK when upsd is back.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/monlib.sh"

need_exe upsmon "$UPSMON"
nut_setup
start_all
DEADTIME=5
mon_setup mon primary "$PRI_USER" "$PRI_PASS"
start_mon mon
if wait_for 100 mon_logged_in mon; then tap_ok "logged in"; else tap_fail "logged in"; mon_diag mon; fi

# on line: upsd goes away and comes back
stop_pid "$UPSD_PID"
if wait_for 100 has_notify mon COMMBAD; then tap_ok "COMMBAD"; else tap_fail "COMMBAD"; mon_diag mon; fi
sleep $((DEADTIME + 2))
if [ -e "$REC/mon.shutdown" ]; then tap_fail "on line: no shutdown without news"; else tap_ok "on line: no shutdown without news"; fi
start_upsd || tap_bail "upsd restart"
wait_ups dummy || tap_bail "ups dummy"
if wait_for 100 has_notify mon COMMOK; then tap_ok "COMMOK when upsd is back"; else tap_fail "COMMOK"; mon_diag mon; fi

# on battery: upsd goes away for good
tap_is "OB" "$(set_status dummy OB)" "OK"
if wait_for 100 has_notify mon ONBATT; then tap_ok "ONBATT"; else tap_fail "ONBATT"; fi
lost=$(date +%s.%N)
stop_pid "$UPSD_PID"
if wait_for 200 test -s "$REC/mon.shutdown"; then tap_ok "on battery: shut down after DEADTIME"; else tap_fail "on battery: shut down"; mon_diag mon; fi
t=$(shutdown_time mon)
# DEADTIME counts from the last good poll, up to POLLFREQ (1 s) before upsd went
if [ -n "$t" ] && ! lt "$(secs "$lost" "$t")" "$((DEADTIME - 1))"; then
	tap_ok "not before DEADTIME ($(secs "$lost" "$t") s)"
else
	tap_fail "not before DEADTIME"; tap_diag "lost $lost shutdown $t"
fi
if grep -q "taken as low battery" "$T/upsmon-mon.log"; then tap_ok "DEADTIME promotion logged"; else tap_fail "DEADTIME promotion logged"; fi
tap_done
