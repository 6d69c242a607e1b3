#!/bin/sh
# nutsec tests - 180-upssched-upsmon: end to end, the way sites run it:
# upsmon (Debian's NUT 2.8 by default; UPSMON_BIN=... to run another) with
# NOTIFYCMD our upssched, on our upsd with dummy-ups. The UPS goes on
# battery: CMDSCRIPT runs once, with the timer's name, after the configured
# delay. It goes on battery and back before the delay: nothing runs.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop/lib.sh"

: "${UPSSCHED:=$top_builddir/clients/upssched}"
: "${UPSMON_BIN:=$NUT_UPSMON}"
require_exe "upsmon" "$UPSMON_BIN"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upssched "$UPSSCHED"
nut_setup
start_all
# the timer process outlives upssched by design: stop it with the test
timer_pids() {
	for _p in $(pgrep -f "^$UPSSCHED( |\$)"); do
		grep -q "NUT_CONFPATH=$T/mon" /proc/"$_p"/environ 2>/dev/null && echo "$_p"
	done
}
trap 'kill -KILL $(timer_pids) 2>/dev/null; nut_on_exit' EXIT

D=$T/mon
S=$T/sched
mkdir -p "$D" "$S"
chmod 0755 "$D"
chown nut:nut "$S"
chmod 0700 "$S"
OUT=$T/out
: > "$OUT"
chown nut "$OUT"
cat > "$D/cmd.sh" <<EOF
#!/bin/sh
echo "\$(date +%s) \$*" >> "$OUT"
EOF
cat > "$D/shutdown.sh" <<EOF
#!/bin/sh
echo shutdown >> "$T/shutdown"
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
cat > "$D/upsmon.conf" <<EOF
MONITOR dummy@127.0.0.1:$PORT 1 $PRI_USER $PRI_PASS primary
MINSUPPLIES 1
SHUTDOWNCMD "$D/shutdown.sh"
NOTIFYCMD "$UPSSCHED"
NOTIFYFLAG ONLINE SYSLOG+EXEC
NOTIFYFLAG ONBATT SYSLOG+EXEC
POLLFREQ 1
POLLFREQALERT 1
DEADTIME 15
POWERDOWNFLAG $T/killpower
RUN_AS_USER nut
EOF
echo "MODE=standalone" > "$D/nut.conf"
chown root:nut "$D"/*.conf
chmod 0640 "$D"/*.conf

# Debian's upsmon keeps its PID file in the built-in /run/nut: give it a
# private one (as 160-upsmon does).
if ! unshare -m sh -c "mount --bind $S /run/nut" 2>/dev/null; then
	echo "1..0 # SKIP cannot give upsmon a private /run/nut (unshare -m / mount --bind)"
	exit 0
fi
R=$T/run
mkdir -p "$R"
chown root:nut "$R"
chmod 0770 "$R"
NUT_CONFPATH=$D NUT_PIDPATH=$R NUT_ALTPIDPATH=$R NUT_STATEPATH=$R NUT_DEBUG_SYSLOG=stderr \
	unshare -m sh -c 'mkdir -p /run/nut && mount --bind "$1" /run/nut && exec "$2" -F' \
	sh "$R" "$UPSMON_BIN" > "$T/upsmon.log" 2>&1 &
PIDS="$PIDS $!"
numlogins() { [ "$(nut_req 'GET NUMLOGINS dummy')" = "NUMLOGINS dummy $1" ]; }
wait_for 100 numlogins 1 || tap_bail "upsmon did not log in: $(tail -n 5 "$T/upsmon.log")"
tap_ok "upsmon logged in"
adm() { nut_req "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" "$@" | tail -n 1; }

# ---- on battery and back before the delay: nothing runs
tap_is "ups.status OB" "$(adm 'SET VAR dummy ups.status OB')" "OK"
wait_for 50 test -S "$S/upssched.pipe"
tap_check "ONBATT started the timer process" test -S "$S/upssched.pipe"
tap_is "ups.status OL" "$(adm 'SET VAR dummy ups.status OL')" "OK"
sleep 6
tap_is "back on line before the delay: CMDSCRIPT did not run" "$(cat "$OUT")" ""

# ---- on battery for longer than the delay: CMDSCRIPT runs once
t0=$(date +%s)
tap_is "ups.status OB again" "$(adm 'SET VAR dummy ups.status OB')" "OK"
wait_for 150 test -s "$OUT"
sleep 2
tap_is "after the delay CMDSCRIPT ran once, with the timer's name" "$(cut -d' ' -f2- "$OUT")" "onbatt"
t1=$(cut -d' ' -f1 "$OUT")
tap_check "not before the 4 s delay (ran $((t1 - t0)) s after OB was set)" test $((t1 - t0)) -ge 4
tap_check "and not much later (poll interval + delay + slack)" test $((t1 - t0)) -le 9
tap_unlike "upssched logged no failure" "$(cat "$T/upsmon.log")" "upssched: .*(refused|cannot|fatal|error)"
[ -e "$T/shutdown" ] && tap_fail "no shutdown" || tap_ok "no shutdown"
adm 'SET VAR dummy ups.status OL' > /dev/null
tap_done
