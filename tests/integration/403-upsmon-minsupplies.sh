#!/bin/sh
# nutsec tests - 403-upsmon-minsupplies: two UPSes feeding one machine.
# Instance "one" needs one supply (MINSUPPLIES 1), instance "two" both
# (MINSUPPLIES 2). When UPS "second" fails (OB LB), "two" shuts down and
# "one" keeps running on "dummy".
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/monlib.sh"

need_exe upsmon "$UPSMON"
nut_setup
add_ups second "$CONF/second.dev"
dev_file second.dev "$DATADIR/second.dev"
start_driver second || tap_bail "driver second"
start_all
wait_ups second || tap_bail "ups second"
MON_LINES="MONITOR dummy@127.0.0.1:$PORT 1 $PRI_USER $PRI_PASS primary
MONITOR second@127.0.0.1:$PORT 1 $PRI_USER $PRI_PASS primary"
mon_setup one primary x x "MINSUPPLIES 1"
MON_LINES="MONITOR dummy@127.0.0.1:$PORT 1 $SEC_USER $SEC_PASS secondary
MONITOR second@127.0.0.1:$PORT 1 $SEC_USER $SEC_PASS secondary"
mon_setup two secondary x x "MINSUPPLIES 2" "HOSTSYNC 3"
MON_LINES=
start_mon one
start_mon two
loggedin2() { [ "$(grep -c 'logged in as' "$T/upsmon-$1.log")" = 2 ]; }
for m in one two; do
	if wait_for 100 loggedin2 $m; then tap_ok "$m: logged in to both UPSes"; else tap_fail "$m: logged in to both"; mon_diag $m; fi
done
tap_is "second: OB LB" "$(set_status second OB LB)" "OK"
if wait_for 150 test -s "$REC/two.shutdown"; then tap_ok "MINSUPPLIES 2: shut down when one of two fails"; else tap_fail "MINSUPPLIES 2: shut down"; mon_diag two; fi
for m in one two; do
	if has_notify $m LOWBATT; then tap_ok "$m: LOWBATT for second"; else tap_fail "$m: LOWBATT"; fi
done
tap_like "LOWBATT names the UPS" "$(grep LOWBATT "$REC/one.notify")" "\|second@127.0.0.1:$PORT\|"
sleep 3
if [ -e "$REC/one.shutdown" ]; then tap_fail "MINSUPPLIES 1: still running on the other UPS"; mon_diag one; else tap_ok "MINSUPPLIES 1: still running on the other UPS"; fi
if kill -0 "$MON_PID_one" 2>/dev/null; then tap_ok "instance one still monitors"; else tap_fail "instance one still monitors"; fi
tap_unlike "no FSD from a secondary" "$(nut_get second ups.status)" "FSD"
tap_done
