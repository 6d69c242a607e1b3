#!/bin/sh
# nutsec tests - 071-dummy-seq: dummy-ups in dummy-loop mode on a .seq file
# with TIMER lines changes ups.status over time (OL -> OB -> OB LB -> OL ...),
# seen through upsd.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
dev_file cycle.seq "$DATADIR/cycle.seq"
cat > "$CONF/ups.conf" <<EOF
[loop]
	driver = dummy-ups
	port = $CONF/cycle.seq
	desc = "Looping"
EOF
conf_file ups.conf
start_driver loop || tap_bail "driver did not start: $(tail -n 5 "$T/driver-loop.log")"
start_upsd || tap_bail "upsd did not start"
wait_ups loop || tap_bail "ups loop not ready"

tap_is "mode is dummy-loop" "$(nut_get loop driver.parameter.mode)" "dummy-loop"
# record the status sequence (changes only) for up to 15 s
seq=""
last=""
i=0
while [ $i -lt 150 ]; do
	s=$(nut_get loop ups.status)
	if [ "x$s" != "x$last" ]; then
		seq="$seq|$s"
		last=$s
	fi
	case $seq in *"|OL|OB|OB LB|OL"*) break ;; esac
	sleep 0.1; i=$((i + 1))
done
tap_like "ups.status cycles OL -> OB -> OB LB -> OL" "$seq" '\|OL\|OB\|OB LB\|OL'
tap_unlike "only the fixture's statuses appear" "$seq" '\|(WAIT|ERR[^|]*)\|.*\|'
c=$(nut_get loop battery.charge)
tap_like "battery.charge is one of the fixture's values" "$c" '^(100|90|10)$'
tap_done
