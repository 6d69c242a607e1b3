#!/bin/sh
# nutsec tests - 409-upsmon-family: upsmon -4 / -6 (NUT's options) restrict
# the addresses upsd is reached at, in the network child of the three
# processes (the parent passes the option on) and in one process (-p):
# with upsd on 127.0.0.1 and ::1, a MONITOR line on [::1] logs in under -6
# (LIST CLIENT shows ::1) and never under -4, one on 127.0.0.1 logs in under
# -4 and never under -6.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/monlib.sh"

need_exe upsmon "$UPSMON"
need_exe upsd "$UPSD"
nut_setup
if ! "$PY" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
	echo "1..0 # SKIP no IPv6 loopback"
	exit 0
fi
write_upsd_conf "LISTEN ::1 $PORT"
start_all

# watch NAME ADDR FAMILY [ARGS...]: an upsmon whose MONITOR line is on ADDR
watch() {
	_n=$1; _addr=$2; _fam=$3; shift 3
	# shellcheck disable=SC2034 # read by mon_setup (monlib.sh)
	MON_LINES="MONITOR dummy@$_addr:$PORT 1 $SEC_USER $SEC_PASS secondary"
	mon_setup "$_n" secondary "$SEC_USER" "$SEC_PASS"
	start_mon "$_n" "$_fam" "$@"
}
watch v6 "[::1]" -6
watch v4 127.0.0.1 -4
watch v4on6 "[::1]" -4
watch v6on4 127.0.0.1 -6
watch single6 "[::1]" -6 -p

for n in v6 v4 single6; do
	if wait_for 150 mon_logged_in "$n"; then
		tap_ok "$n: logs in"
	else
		tap_fail "$n: logs in"
		mon_diag "$n"
	fi
done
tap_like "the -6 upsmons are ::1 to upsd" "$(nut_req 'LIST CLIENT dummy')" "CLIENT dummy ::1"
tap_like "the -4 one is 127.0.0.1" "$(nut_req 'LIST CLIENT dummy')" "CLIENT dummy 127\\.0\\.0\\.1"
# the two others have had as long, and say why they cannot
for n in v4on6 v6on4; do
	if mon_logged_in "$n"; then tap_fail "$n: never logs in"; else tap_ok "$n: never logs in"; fi
	tap_like "$n: says why it cannot reach the address" "$(cat "$T/upsmon-$n.log")" \
		"cannot resolve .* now as an IPv[46] address \\(-[46]\\)"
done
tap_like "the parent passed -6 on to its network child" \
	"$(tr '\0' ' ' < "/proc/$(pgrep -P "$MON_PID_v6" -f -- '-X net' | head -n 1)/cmdline" 2>/dev/null)" \
	"-X net .*-6"
"$UPSMON" -4 -6 -h > /dev/null 2>&1
tap_is "-4 and -6 are accepted together (the last wins, as in NUT)" "$?" 0
tap_done
