#!/bin/sh
# nutsec tests - 180-upssched-upsmon: end to end, the way sites run it:
# upsmon with NOTIFYCMD our upssched, on our upsd with dummy-ups, twice:
# with our upsmon (the build tree's, three processes, sandboxed: upssched
# runs under the notifier's inherited filter) and with Debian's NUT 2.8
# upsmon (UPSMON_BIN=... to run another; that half skips when it is not
# installed). Each time: the UPS goes on battery and back before the delay,
# nothing runs; it goes on battery for longer, CMDSCRIPT runs once, with the
# timer's name, after the configured delay.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop/lib.sh"

: "${UPSSCHED:=$top_builddir/clients/upssched}"
: "${UPSMON:=$top_builddir/upsmon/upsmon}"
: "${UPSMON_BIN:=$NUT_UPSMON}"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upssched "$UPSSCHED"
need_exe upsmon "$UPSMON"
nut_setup
start_all
# our_pids PROGRAM [RUN/]: the processes running PROGRAM with this test's
# configuration (of that run): the timer process outlives upssched by
# design, NUT's upsmon leaves its unprivileged child behind when its parent
# is killed; stop them with the test
our_pids() {
	for _p in $(pgrep -f "^$1( |\$)"); do
		grep -q "NUT_CONFPATH=$T/$2" /proc/"$_p"/environ 2>/dev/null && echo "$_p"
	done
}
timer_pids() { our_pids "$UPSSCHED" "$1"; }
trap 'kill -KILL $(timer_pids) $(our_pids "$UPSMON_BIN") 2>/dev/null; nut_on_exit' EXIT
numlogins() { [ "$(nut_req 'GET NUMLOGINS dummy')" = "NUMLOGINS dummy $1" ]; }
adm() { nut_req "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" "$@" | tail -n 1; }

# setup_run NAME [EXTRA-LINE...]: $T/NAME/{mon,sched,run}, the scripts and
# both configurations; sets D (NUT_CONFPATH), S (PIPEFN's directory), R
# (state and PID directory) and OUT (what CMDSCRIPT records).
setup_run() {
	run_n=$1; shift
	D=$T/$run_n/mon
	S=$T/$run_n/sched
	R=$T/$run_n/run
	OUT=$T/$run_n/out
	mkdir -p "$D" "$S" "$R"
	chmod 0755 "$T/$run_n" "$D"
	chown nut:nut "$S"
	chmod 0700 "$S"
	chown root:nut "$R"
	chmod 0770 "$R"
	: > "$OUT"
	chown nut "$OUT"
	cat > "$D/cmd.sh" <<EOF
#!/bin/sh
echo "\$(date +%s) \$*" >> "$OUT"
EOF
	cat > "$D/shutdown.sh" <<EOF
#!/bin/sh
echo shutdown >> "$T/$run_n/shutdown"
EOF
	chmod 0755 "$D/cmd.sh" "$D/shutdown.sh"
	cat > "$D/upssched.conf" <<EOF
CMDSCRIPT $D/cmd.sh
PIPEFN $S/upssched.pipe
LOCKFN $S/upssched.lock
${SANDBOX_ACTION:+SANDBOX $SANDBOX_ACTION}
AT ONBATT * START-TIMER onbatt 4
AT ONLINE * CANCEL-TIMER onbatt
EOF
	{
		cat <<EOF
MONITOR dummy@127.0.0.1:$PORT 1 $PRI_USER $PRI_PASS primary
MINSUPPLIES 1
SHUTDOWNCMD "$D/shutdown.sh"
NOTIFYCMD "$UPSSCHED"
NOTIFYFLAG ONLINE SYSLOG+EXEC
NOTIFYFLAG ONBATT SYSLOG+EXEC
POLLFREQ 1
POLLFREQALERT 1
DEADTIME 15
POWERDOWNFLAG $T/$run_n/killpower
RUN_AS_USER nut
EOF
		for _l in "$@"; do echo "$_l"; done
	} > "$D/upsmon.conf"
	echo "MODE=standalone" > "$D/nut.conf"
	chown root:nut "$D"/*.conf
	chmod 0640 "$D"/*.conf
}

# scenario NAME WHO MON_PID: the two power events against the upsmon that
# was started with $T/NAME's configuration (log $T/NAME/upsmon.log)
scenario() {
	sc_n=$1; sc_w=$2; sc_mp=$3
	sc_log=$T/$sc_n/upsmon.log
	if ! wait_for 100 numlogins 1; then
		tap_fail "$sc_w: upsmon logged in"
		tap_diag "$(tail -n 10 "$sc_log")"
		return 1
	fi
	tap_ok "$sc_w: upsmon logged in"

	# ---- on battery and back before the delay: nothing runs
	tap_is "$sc_w: ups.status OB" "$(adm 'SET VAR dummy ups.status OB')" "OK"
	wait_for 50 test -S "$S/upssched.pipe"
	tap_check "$sc_w: ONBATT started the timer process" test -S "$S/upssched.pipe"
	tap_is "$sc_w: ups.status OL" "$(adm 'SET VAR dummy ups.status OL')" "OK"
	sleep 6
	tap_is "$sc_w: back on line before the delay: CMDSCRIPT did not run" "$(cat "$OUT")" ""

	# ---- on battery for longer than the delay: CMDSCRIPT runs once
	_t0=$(date +%s)
	tap_is "$sc_w: ups.status OB again" "$(adm 'SET VAR dummy ups.status OB')" "OK"
	# while the timer runs: how many filters its process holds (the
	# upssched that started it may still be there: the most of any)
	wait_for 50 test -S "$S/upssched.pipe"
	TIMER_FILTERS=0
	for _tp in $(timer_pids "$sc_n/"); do
		_f=$(sed -n 's/^Seccomp_filters:[[:space:]]*//p' /proc/"$_tp"/status 2>/dev/null)
		[ "${_f:-0}" -gt "$TIMER_FILTERS" ] && TIMER_FILTERS=$_f
	done
	wait_for 150 test -s "$OUT"
	sleep 2
	tap_is "$sc_w: after the delay CMDSCRIPT ran once, with the timer's name" \
		"$(cut -d' ' -f2- "$OUT")" "onbatt"
	_t1=$(cut -d' ' -f1 "$OUT")
	tap_check "$sc_w: not before the 4 s delay (ran $((_t1 - _t0)) s after OB was set)" \
		test $((_t1 - _t0)) -ge 4
	tap_check "$sc_w: and not much later (poll interval + delay + slack)" test $((_t1 - _t0)) -le 9
	tap_unlike "$sc_w: upssched logged no failure" "$(cat "$sc_log")" \
		"upssched: .*(refused|cannot|fatal|error)"
	tap_unlike "$sc_w: no process stopped by its filter (trap mode says so)" "$(cat "$sc_log")" \
		"is not allowed"
	if kill -0 "$sc_mp" 2>/dev/null; then tap_ok "$sc_w: upsmon still runs"; else
		tap_fail "$sc_w: upsmon still runs"; tap_diag "$(tail -n 10 "$sc_log")"; fi
	[ -e "$T/$sc_n/shutdown" ] && tap_fail "$sc_w: no shutdown" || tap_ok "$sc_w: no shutdown"
	adm 'SET VAR dummy ups.status OL' > /dev/null
}

# end_run NAME MON_PID PROGRAM: stop that upsmon, what is left of it and
# its timer process
end_run() {
	stop_pid "$2"
	kill -KILL $(timer_pids "$1/") $(our_pids "$3" "$1/") 2>/dev/null
	wait_for 100 numlogins 0 || tap_diag "upsmon $1 did not log out"
}

# ---------------------------------------------------------------- ours
setup_run ours ${SANDBOX_ACTION:+"SANDBOX $SANDBOX_ACTION"}
NUT_CONFPATH=$D NUT_STATEPATH=$R NUT_ALTPIDPATH=$R NUT_PIDPATH=$R NUT_DEBUG_SYSLOG=stderr \
	"$UPSMON" -F -D > "$T/ours/upsmon.log" 2>&1 &
MP=$!
PIDS="$PIDS $MP"
if scenario ours "our upsmon" "$MP"; then
	# the notifier's filter plus upssched's own: at least two
	tap_check "our upsmon: the timer process ran under the notifier's filter and its own (Seccomp_filters $TIMER_FILTERS)" \
		test "$TIMER_FILTERS" -ge 2
fi
no_upsmon_left() { [ -z "$(our_pids "$UPSMON" ours/)" ]; }
stop_pid "$MP"
if wait_for 30 no_upsmon_left; then tap_ok "our upsmon: SIGTERM stops all three processes"; else
	tap_fail "our upsmon: SIGTERM stops all three processes"; tap_diag "left: $(our_pids "$UPSMON" ours/)"; fi
end_run ours "$MP" "$UPSMON"

# ---------------------------------------------------------------- NUT's
if [ ! -x "$UPSMON_BIN" ]; then
	tap_skip "NUT's upsmon" "not installed ($UPSMON_BIN)"
	tap_done
fi
# Debian's upsmon keeps its PID file in the built-in /run/nut: give it a
# private one (as 160-upsmon does).
if ! unshare -m sh -c "mount --bind $T /run/nut" 2>/dev/null; then
	tap_skip "NUT's upsmon" "cannot give it a private /run/nut (unshare -m / mount --bind)"
	tap_done
fi
setup_run nut
NUT_CONFPATH=$D NUT_PIDPATH=$R NUT_ALTPIDPATH=$R NUT_STATEPATH=$R NUT_DEBUG_SYSLOG=stderr \
	unshare -m sh -c 'mkdir -p /run/nut && mount --bind "$1" /run/nut && exec "$2" -F' \
	sh "$R" "$UPSMON_BIN" > "$T/nut/upsmon.log" 2>&1 &
MP=$!
PIDS="$PIDS $MP"
scenario nut "NUT's upsmon" "$MP"
end_run nut "$MP" "$UPSMON_BIN"
tap_done
