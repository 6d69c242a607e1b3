#!/bin/sh
# nutsec tests - 401-upsmon-hostsync: one primary and two secondaries on
# the same UPS, each with its own configuration and state directories.
# OB then LB: the primary sets FSD and waits (NUMLOGINS) for the
# secondaries; both secondaries see FSD and shut down first, logging out;
# then the primary shuts down, within HOSTSYNC of setting FSD.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/monlib.sh"

need_exe upsmon "$UPSMON"
nut_setup
start_all
HOSTSYNC=10
mon_setup pri primary "$PRI_USER" "$PRI_PASS"
mon_setup sec1 secondary "$SEC_USER" "$SEC_PASS"
mon_setup sec2 slave "$SEC_USER" "$SEC_PASS"
start_mon pri
start_mon sec1
start_mon sec2
numlogins() { [ "$(nut_req 'GET NUMLOGINS dummy')" = "NUMLOGINS dummy $1" ]; }
if wait_for 150 numlogins 3; then tap_ok "three upsmon logged in (NUMLOGINS 3)"; else tap_fail "three logged in"; tap_diag "$(nut_req 'GET NUMLOGINS dummy')"; mon_diag pri; fi
if grep -q "logged in as primary" "$T/upsmon-pri.log"; then tap_ok "pri is primary"; else tap_fail "pri is primary"; fi

tap_is "OB" "$(set_status dummy OB)" "OK"
for m in pri sec1 sec2; do
	if wait_for 100 has_notify $m ONBATT; then tap_ok "$m: ONBATT"; else tap_fail "$m: ONBATT"; mon_diag $m; fi
done
tap_is "OB LB" "$(set_status dummy OB LB)" "OK"
for m in sec1 sec2 pri; do
	if wait_for 200 test -s "$REC/$m.shutdown"; then tap_ok "$m: SHUTDOWNCMD ran"; else tap_fail "$m: SHUTDOWNCMD ran"; mon_diag $m; fi
done
tp=$(shutdown_time pri); t1=$(shutdown_time sec1); t2=$(shutdown_time sec2)
if [ -n "$tp" ] && [ -n "$t1" ] && [ -n "$t2" ] && lt "$t1" "$tp" && lt "$t2" "$tp"; then
	tap_ok "both secondaries shut down before the primary"
else
	tap_fail "both secondaries shut down before the primary"; tap_diag "pri $tp sec1 $t1 sec2 $t2"
fi
tf=$(notify_time pri FSD)
if [ -n "$tf" ] && [ -n "$tp" ] && lt "$(secs "$tf" "$tp")" "$HOSTSYNC"; then
	tap_ok "the primary shut down within HOSTSYNC of FSD ($(secs "$tf" "$tp") s)"
else
	tap_fail "the primary shut down within HOSTSYNC of FSD"; tap_diag "FSD $tf shutdown $tp"
fi
if has_notify pri SHUTDOWN_HOSTSYNC; then tap_ok "pri: SHUTDOWN_HOSTSYNC while waiting"; else tap_fail "pri: SHUTDOWN_HOSTSYNC"; fi
for m in sec1 sec2; do
	if has_notify $m FSD; then tap_ok "$m: FSD notified"; else tap_fail "$m: FSD notified"; fi
	if [ -e "$REC/$m.killpower" ]; then tap_ok "$m: POWERDOWNFLAG (created whenever configured)"; else tap_fail "$m: POWERDOWNFLAG"; fi
done
if grep -q "secondaries have logged out" "$T/upsmon-pri.log"; then tap_ok "pri: waited until the secondaries logged out"; else tap_fail "pri: waited for the secondaries"; mon_diag pri; fi
if wait_for 100 numlogins 0; then tap_ok "all logged out (NUMLOGINS 0)"; else tap_fail "all logged out"; fi
for m in pri sec1 sec2; do
	tap_is "$m: SHUTDOWNCMD once" "$(wc -l < "$REC/$m.shutdown")" "1"
done
tap_done
