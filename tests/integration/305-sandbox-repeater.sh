#!/bin/sh
# nutsec tests - 305-sandbox-repeater: the dummy-ups repeater (role
# driver-net) jailed in the state path reconnects to its upstream upsd,
# named "localhost", after that upsd restarts: the name is resolved before
# the sandbox (upscli_preresolve) because nothing can resolve it inside
# the jail, and the filter stays quiet (trap mode would name any call).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
require_root "(the jail)"

nut_setup
start_all
add_ups rep "dummy@localhost:$PORT"
start_driver rep --sandbox=trap || tap_bail "the repeater did not start: $(tail -n 5 "$T/driver-rep.log")"
REP=$DRV_PID
tap_is "the repeater is jailed" "$(readlink "/proc/$REP/root")" "$STATE"
tap_like "with the driver-net filter" "$(cat "$T/driver-rep.log")" 'seccomp filter driver-net'
kill -HUP "$UPSD_PID"	# upsd learns the new UPS
if wait_for 100 sh -c "[ \"\$($PY $LIBDIR/nutclient.py -p $PORT 'GET VAR rep ups.status')\" = 'VAR rep ups.status \"OL\"' ]"; then
	tap_ok "the repeater relays its upstream"
else
	tap_fail "the repeater relays its upstream"
fi
stop_pid "$UPSD_PID"
sleep 3	# the repeater notices, marks its data stale, retries
start_upsd || tap_bail "upsd did not restart"
if wait_for 150 sh -c "[ \"\$($PY $LIBDIR/nutclient.py -p $PORT 'GET VAR rep ups.status')\" = 'VAR rep ups.status \"OL\"' ]"; then
	tap_ok "after the upstream restarted, the repeater reconnected from inside the jail"
else
	tap_fail "after the upstream restarted, the repeater reconnected from inside the jail"
fi
tap_check "the repeater is alive" kill -0 "$REP"
tap_unlike "no filter violation" "$(cat "$T/driver-rep.log")" 'is not allowed'
tap_done
