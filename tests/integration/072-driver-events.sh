#!/bin/sh
# nutsec tests - 072-driver-events: a driver that is not polled for its data.
# fifo-ups (tests/integration/fifo_ups.c) watches a FIFO through the driver
# core's drv_watch_add and runs a periodic and a one-shot drv_timer_add; with
# pollinterval 600 its update runs once, at start. Lines written to the FIFO
# must reach upsd (GET VAR) while test.updates stays 1, timers must run, and
# a callback's stale/OK verdict must show as ERR DATA-STALE and back. The
# driver runs sandboxed as usual (user nut, jail, the driver filter).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

: "${FIFO_UPS:=$top_builddir/tests/integration/fifo-ups}"
need_exe upsd "$UPSD"
need_exe fifo-ups "$FIFO_UPS"
nut_setup
FIFO=$T/ev.fifo
mkfifo -m 0600 "$FIFO" || tap_bail "mkfifo $FIFO"
cat >> "$CONF/ups.conf" <<CONF

[ev]
	driver = fifo-ups
	port = $FIFO
	pollinterval = 600
CONF

# shellcheck disable=SC2086 # DRIVER_ARGS: extra words
"$FIFO_UPS" -a ev -F $DRIVER_ARGS ${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION} \
	> "$T/driver-ev.log" 2>&1 &
DRV_PID=$!
PIDS="$PIDS $DRV_PID"
wait_socket "$STATE/fifo-ups-ev" "$DRV_PID" ||
	tap_bail "fifo-ups did not start: $(tail -n 5 "$T/driver-ev.log")"
start_upsd || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups ev || tap_bail "ups ev not ready: $(nut_req 'GET VAR ev ups.status')"

# var_is UPS VAR WANT: GET VAR gives exactly WANT
var_is() {
	[ "$(nut_get "$1" "$2")" = "$3" ]
}
# check DESC UPS VAR WANT: bounded wait (2 s) for VAR to become WANT
check() {
	if wait_for 20 var_is "$2" "$3" "$4"; then
		tap_ok "$1"
	else
		tap_fail "$1"
		tap_diag "GET VAR $2 $3: $(nut_get "$2" "$3") (want $4)"
	fi
}

tap_is "the first (and only) update ran at start" "$(nut_get ev test.updates)" "1"

echo "ups.load 42" > "$FIFO"
check "a line on the FIFO reaches upsd without an update cycle" ev ups.load 42
echo "status OB LB" > "$FIFO"
check "ups.status from the watch callback reaches upsd" ev ups.status "OB LB"
echo "ups.load 43" > "$FIFO"; echo "battery.charge 17" > "$FIFO"
check "several lines: the last one arrives" ev battery.charge 17
check "several lines: the first one too" ev ups.load 43
check "the one-shot timer ran" ev test.oneshot fired

t1=$(nut_get ev test.ticks)
# ticks_past N: test.ticks is a number above N
ticks_past() {
	_t=$(nut_get ev test.ticks)
	case $_t in ''|*[!0-9]*) return 1 ;; esac
	[ "$_t" -gt "$1" ]
}
case $t1 in
''|*[!0-9]*) tap_fail "the periodic timer publishes test.ticks"; tap_diag "got: $t1" ;;
*)
	if wait_for 30 ticks_past "$t1"; then
		tap_ok "the periodic timer keeps running (test.ticks past $t1)"
	else
		tap_fail "the periodic timer keeps running"
		tap_diag "test.ticks: $(nut_get ev test.ticks)"
	fi
	;;
esac

# status_is WANT-ERE: GET VAR ev ups.status matches
status_is() {
	nut_req -t 3 "GET VAR ev ups.status" | grep -Eq -- "$1"
}
echo "stale" > "$FIFO"
if wait_for 20 status_is '^ERR DATA-STALE$'; then
	tap_ok "a callback reporting a failed device: ERR DATA-STALE at once"
else
	tap_fail "a callback reporting a failed device: ERR DATA-STALE at once"
	tap_diag "$(nut_req 'GET VAR ev ups.status')"
fi
echo "ups.load 44" > "$FIFO"
check "the next good line: data served again" ev ups.load 44
tap_is "still no update cycle after all that" "$(nut_get ev test.updates)" "1"

tap_is "upsc sees the same" "$("$UPSC" ev@127.0.0.1:"$PORT" ups.load 2>&1)" "44"

stop_pid "$DRV_PID"
tap_is "the driver exits 0 on SIGTERM" "$STOP_RC" "0"
if grep -E "not allowed|cannot|error" "$T/driver-ev.log" >/dev/null; then
	tap_fail "the driver logged no error"
	tap_diag "$(grep -E "not allowed|cannot|error" "$T/driver-ev.log" | head -5)"
else
	tap_ok "the driver logged no error"
fi
tap_done
