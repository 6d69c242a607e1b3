#!/bin/sh
# nutsec tests - 064-upsconf-agree: upsd, upsdrvctl and dummy-ups read
# ups.conf with one reader (common/upsconf.c), so each mutant of a file gets
# the same verdict from the three real programs: upsd -t, upsdrvctl start
# (for real: it runs the driver) and dummy-ups -a UPS -d 1 (reads the file,
# opens its data file, prints one dump and exits). Mutants: names differing
# only in case, 63/64/65-character names, bad characters, multi-word driver
# and port, a driver path, missing driver or port, unknown directives,
# repeats, syntax errors. One divergence is by design: only the driver knows
# its own variables, so an unknown one in a section passes upsd -t and stops
# the driver (and so upsdrvctl start), as in NUT. Last, a running upsd
# reloads a file where [ups] became [Ups]: same UPS, new spelling.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe upsdrvctl "$UPSDRVCTL"
need_exe dummy-ups "$DUMMY"
nut_setup
if ! "$UPSD" -h 2>&1 | grep -q -- '-t '; then
	echo "1..0 # SKIP $UPSD has no -t (not nutsec's upsd)"
	exit 0
fi
drvdir=$(cd "$(dirname "$DUMMY")" && pwd)
DEV=$CONF/dummy.dev
N63=n12345678901234567890123456789012345678901234567890123456789012
N64=${N63}x
N65=${N64}y
# lines before the mutant's own: driverpath, maxstartdelay [, sandbox]
B=2
[ -n "$SANDBOX_ACTION" ] && B=3

# conf LINES...: writes ups.conf (driverpath first, the test's sandbox action)
conf() {
	{
		echo "driverpath = $drvdir"
		echo "maxstartdelay = 15"
		[ -n "$SANDBOX_ACTION" ] && echo "sandbox = $SANDBOX_ACTION"
		printf '%s\n' "$@"
	} > "$CONF/ups.conf"
	conf_file ups.conf
}
# ups NAME [EXTRA...]: the lines of a good dummy-ups section
ups() {
	_n=$1; shift
	printf '[%s]\n\tdriver = dummy-ups\n\tport = %s\n' "$_n" "$DEV"
	for _l in "$@"; do printf '\t%s\n' "$_l"; done
}

drv_alive() {	# NAME: the PID file of dummy-ups-NAME names a live process
	_p=$(cat "$STATE/dummy-ups-$1.pid" 2>/dev/null)
	[ -n "$_p" ] && kill -0 "$_p" 2>/dev/null
}
drv_dead() { ! drv_alive "$1"; }

# verdicts UPS: "upsd=V upsdrvctl=V dummy-ups=V" with V ok or refused;
# outputs in $T/out.upsd, out.ctl, out.drv. A driver upsdrvctl started is
# stopped again, by its section's own spelling (SOCKNAME, default UPS).
verdicts() {
	if "$UPSD" -t > "$T/out.upsd" 2>&1; then vu=ok; else vu=refused; fi
	# shellcheck disable=SC2086
	if "$UPSDRVCTL" start "$1" > "$T/out.ctl" 2>&1; then
		vc=ok
		"$UPSDRVCTL" stop "$1" >> "$T/out.ctl" 2>&1
		wait_for 50 drv_dead "${SOCKNAME:-$1}" || tap_diag "driver for $1 did not stop"
	else
		vc=refused
	fi
	# shellcheck disable=SC2086
	if "$DUMMY" -a "$1" -F -d 1 ${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION} \
	    > "$T/out.drv" 2>&1; then vd=ok; else vd=refused; fi
	echo "upsd=$vu upsdrvctl=$vc dummy-ups=$vd"
}

# agree DESC UPS WANT: all three give WANT (ok or refused)
agree() {
	_got=$(verdicts "$2")
	tap_is "$1" "$_got" "upsd=$3 upsdrvctl=$3 dummy-ups=$3"
	if [ "$_got" != "upsd=$3 upsdrvctl=$3 dummy-ups=$3" ]; then
		for _f in upsd ctl drv; do
			tap_diag "--- $_f:"; tap_diag "$(tail -n 6 "$T/out.$_f")"
		done
	fi
}

# said DESC ERE: each refusing program's output names the problem
said() {
	for _f in upsd ctl drv; do
		if ! grep -Eq -- "$2" "$T/out.$_f"; then
			tap_fail "$1 ($_f)"
			tap_diag "$(tail -n 6 "$T/out.$_f")"
			return
		fi
	done
	tap_ok "$1"
}

conf "$(ups ups 'desc = "Main UPS"')"
agree "a good file: all accept" ups ok

conf "$(ups ups)" "$(ups UPS)"
agree "[ups] and [UPS]: all refuse (one UPS for upsd and clients)" ups refused
said "... naming the first definition" "ups\\.conf:$((B + 4)): .*already defined on line $((B + 1))"
conf "$(ups ups)" "$(ups ups)"
agree "the same name twice: all refuse" ups refused

conf "$(ups Ups)"
agree "a name in another case finds the section ([Ups], asked for UPS)" UPS ok
SOCKNAME=Ups
"$UPSDRVCTL" start UPS > "$T/out.ctl" 2>&1
if wait_for 50 drv_alive Ups; then
	tap_ok "the driver uses the section's spelling: dummy-ups-Ups, which upsd builds too"
else
	tap_fail "the driver uses the section's spelling: dummy-ups-Ups, which upsd builds too"
	tap_diag "$(ls "$STATE")"; tap_diag "$(cat "$T/out.ctl")"
fi
"$UPSDRVCTL" stop UPS > /dev/null 2>&1
wait_for 50 drv_dead Ups || tap_diag "dummy-ups-Ups did not stop"
SOCKNAME=

conf "$(ups "$N63")"
agree "a 63-character name: all accept" "$N63" ok
conf "$(ups "$N64")"
agree "a 64-character name: all accept" "$N64" ok
conf "$(ups "$N65")"
agree "a 65-character name: all refuse" "$N65" refused

conf "$(ups ups)" '[bad\#name]' '	driver = dummy-ups' "	port = $DEV"
agree "a name with '#' in another section: all refuse the file" ups refused
said "... naming the header line" 'ups\.conf:[0-9]+: UPS name'
conf "$(ups ups)" '[bad\ name]' '	driver = dummy-ups' "	port = $DEV"
agree "a name with a space: all refuse" ups refused
conf "[ups]" '	driver = dummy-ups extra' "	port = $DEV"
agree "a driver of two words: all refuse (NUT kept the first)" ups refused
said "... naming the line" "ups\\.conf:$((B + 2)):"
conf "[ups]" '	driver = dummy-ups' "	port = $DEV extra"
agree "a port of two words: all refuse" ups refused
conf "[ups]" '	driver = ../nutsec/dummy-ups' "	port = $DEV"
agree "a driver given as a path: all refuse" ups refused
conf "$(ups ups)" '[other]' "	port = $DEV"
agree "a section without driver: all refuse" ups refused
said "... naming the section" 'ups\.conf:[0-9]+: \[other\] has no driver'
conf "$(ups ups)" '[other]' '	driver = dummy-ups'
agree "a section without port: all refuse" ups refused
conf "$(ups ups 'pollinterval = 0')"
agree "pollinterval 0: all refuse" ups refused
conf "$(ups ups 'desc = "unterminated')"
agree "an unterminated quote: all refuse" ups refused
conf "$(ups ups)" '[]'
agree "an empty section name: all refuse" ups refused

conf "reconnect_max_tries = 3" "$(ups ups)"
agree "an unknown global directive: all accept" ups ok
said "... with a warning naming the line" "ups\\.conf:$((B + 1)): warning: unknown global"
conf "$(ups ups 'desc = Main UPS')"
agree "a desc of two words: all accept (kept whole, with a warning)" ups ok

conf "$(ups ups 'bogus = 1')"
got=$(verdicts ups)
tap_is "an unknown driver variable: only the driver knows; it and upsdrvctl start refuse" \
	"$got" "upsd=ok upsdrvctl=refused dummy-ups=refused"
tap_like "... the driver names ups.conf:LINE" "$(cat "$T/out.drv")" "ups\\.conf:$((B + 4)): \"bogus\" is not a valid"

# upsd on reload: [ups] respelt [Ups] is the same UPS, served under the new
# spelling through the driver's new socket.
conf "$(ups ups)"
start_driver ups || tap_bail "driver ups did not start: $(tail -n 5 "$T/driver-ups.log")"
start_upsd || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups ups || tap_bail "ups not ready"
conf "$(ups Ups)"
stop_pid "$DRV_PID"
"$DUMMY" -a ups -F ${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION} > "$T/driver-Ups.log" 2>&1 &
DRV_PID=$!
PIDS="$PIDS $DRV_PID"
wait_socket "$STATE/dummy-ups-Ups" "$DRV_PID" || tap_fail "-a ups for [Ups] serves on dummy-ups-Ups"
kill -HUP "$UPSD_PID"
listed_as_Ups() { nut_req "LIST UPS" | grep -q '^UPS Ups '; }
if wait_for 100 listed_as_Ups; then tap_ok "reload: LIST UPS shows the new spelling"; else tap_fail "reload: LIST UPS shows the new spelling"; tap_diag "$(nut_req "LIST UPS")"; fi
if wait_ups UPS; then tap_ok "reload: the UPS is served from the driver's new socket"; else tap_fail "reload: the UPS is served from the driver's new socket"; fi
tap_done
