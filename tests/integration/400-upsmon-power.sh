#!/bin/sh
# nutsec tests - 400-upsmon-power: our upsmon (three processes) against our
# upsd with dummy-ups: on battery then back on line gives ONBATT and ONLINE
# through NOTIFYCMD (one argument, NOTIFYTYPE and UPSNAME set, run as the
# run-as user) and no shutdown; OB then LB on a primary sets FSD on the
# UPS, runs SHUTDOWNCMD once as root FINALDELAY after SHUTDOWN, writes
# POWERDOWNFLAG (upsmon -K then says yes), and every upsmon process exits.
# The same once more with -p.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/monlib.sh"

need_exe upsmon "$UPSMON"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
start_all

run() {	# NAME FINALDELAY [ARGS]
	_m=$1; _fd=$2; shift 2
	mon_setup "$_m" primary "$PRI_USER" "$PRI_PASS" "FINALDELAY $_fd"
	start_mon "$_m" "$@"
	if wait_for 100 mon_logged_in "$_m"; then tap_ok "$_m: logged in as primary"; else tap_fail "$_m: logged in"; mon_diag "$_m"; fi
	tap_is "$_m: OB" "$(set_status dummy OB DISCHRG)" "OK"
	if wait_for 100 has_notify "$_m" ONBATT; then tap_ok "$_m: ONBATT"; else tap_fail "$_m: ONBATT"; mon_diag "$_m"; fi
	tap_is "$_m: OL" "$(set_status dummy OL)" "OK"
	if wait_for 100 has_notify "$_m" ONLINE; then tap_ok "$_m: ONLINE"; else tap_fail "$_m: ONLINE"; mon_diag "$_m"; fi
	_l=$(grep ONBATT "$REC/$_m.notify" | head -n 1)
	tap_like "$_m: NOTIFYCMD got NOTIFYTYPE, UPSNAME and the text as one argument" "$_l" \
		"ONBATT\|dummy@127.0.0.1:$PORT\|1\|UPS dummy@127.0.0.1:$PORT on battery$"
	sleep 2
	if [ -e "$REC/$_m.shutdown" ]; then tap_fail "$_m: no shutdown after OB, OL"; else tap_ok "$_m: no shutdown after OB, OL"; fi
	if mon_env "$_m" "$UPSMON" -K; then tap_fail "$_m: -K says no"; else tap_ok "$_m: -K says no"; fi

	tap_is "$_m: OB LB" "$(set_status dummy OB LB)" "OK"
	if wait_for 100 test -s "$REC/$_m.shutdown"; then tap_ok "$_m: SHUTDOWNCMD ran"; else tap_fail "$_m: SHUTDOWNCMD ran"; mon_diag "$_m"; fi
	tap_is "$_m: SHUTDOWNCMD ran once, as root, with no arguments" "$(cut -d' ' -f2- "$REC/$_m.shutdown")" "0 0"
	tap_like "$_m: FSD set on the UPS" "$(nut_get dummy ups.status)" "FSD"
	if wait_for 50 has_notify "$_m" SHUTDOWN; then tap_ok "$_m: SHUTDOWN notified"; else tap_fail "$_m: SHUTDOWN notified"; fi
	_ts=$(notify_time "$_m" SHUTDOWN); _tc=$(shutdown_time "$_m")
	if [ -n "$_ts" ] && [ -n "$_tc" ] && ! lt "$(secs "$_ts" "$_tc")" "$((_fd - 1)).8"; then
		tap_ok "$_m: FINALDELAY $_fd between SHUTDOWN and SHUTDOWNCMD ($(secs "$_ts" "$_tc") s)"
	else
		tap_fail "$_m: FINALDELAY $_fd"; tap_diag "SHUTDOWN $_ts SHUTDOWNCMD $_tc"
	fi
	for _t in LOWBATT FSD; do
		if has_notify "$_m" $_t; then tap_ok "$_m: $_t notified"; else tap_fail "$_m: $_t notified"; fi
	done
	tap_is "$_m: POWERDOWNFLAG" "$(cat "$REC/$_m.killpower" 2>/dev/null)" "upsmon-shutdown-file"
	if mon_env "$_m" "$UPSMON" -K; then tap_ok "$_m: -K says yes"; else tap_fail "$_m: -K says yes"; fi
	if wait_for 100 sh -c "! kill -0 $MON_PID 2>/dev/null"; then tap_ok "$_m: upsmon exited (SHUTDOWNEXIT yes)"; else tap_fail "$_m: upsmon exited"; fi
	wait "$MON_PID"
	tap_is "$_m: exit status 0" "$?" "0"
	if pgrep -f "upsmon -X .*$T/$_m/" >/dev/null; then tap_fail "$_m: no child left"; else tap_ok "$_m: no child left"; fi
	tap_is "$_m: PID file removed" "$(ls "$T/$_m/run" | grep -c pid)" "0"
	# clear FSD for the next round: restart upsd (FSD is latched there)
	stop_pid "$UPSD_PID"
	set_status_ok=1
	start_upsd || tap_bail "upsd restart"
	wait_ups dummy || tap_bail "ups dummy"
	tap_is "$_m: back to OL" "$(set_status dummy OL)" "OK"
}
run split 2
run single 0 -p
tap_done
