#!/bin/sh
# nutsec tests - 420-upslog: upslog against our upsd and dummy-ups, started
# as root the way init scripts do: NUT's default format, every escape,
# several -m tuples, "-l -" to standard output, confinement (the nut user,
# no capabilities, no_new_privs, the upslog filter), log rotation by SIGHUP
# from inside the sandbox (mv + HUP, the new file created through the kept
# directory descriptor), SIGUSR1 writing a line at once, a upsd that goes
# away and comes back without losing the process, and NUT's command-line
# errors. (The same lines as NUT's own upslog: tests/interop/170-upslog.sh.)
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

: "${UPSLOG:=$top_builddir/clients/upslog}"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upslog "$UPSLOG"
nut_setup
start_all

L=$T/logs
mkdir -p "$L"
chown nut:nut "$L"
U=dummy@127.0.0.1:$PORT
SB=${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION}

# start_upslog NAME ARGS...: upslog -F in the background, pid in UL_PID
start_upslog() {
	_n=$1; shift
	# shellcheck disable=SC2086
	"$UPSLOG" -F $SB "$@" > "$T/upslog-$_n.log" 2>&1 &
	UL_PID=$!
	PIDS="$PIDS $UL_PID"
}

lines() { if [ -f "$1" ]; then wc -l < "$1"; else echo 0; fi; }

# ---- NUT's default format, and confinement
start_upslog default -i 1 -s "$U" -l "$L/default.log" -p "$T/upslog-default"
P1=$UL_PID
wait_for 50 test "$(lines "$L/default.log")" -ge 1
tap_like "NUT's default format" "$(head -n 1 "$L/default.log")" \
	'^[0-9]{8} [0-9]{6} 100 230\.0 25 \[OL\] NA NA$'
tap_is "the PID file names the process" "$(cat "$T/upslog-default" 2>/dev/null)" "$P1"
st=/proc/$P1/status
tap_like "it runs as nut" "$(grep '^Uid:' "$st")" "^Uid:[[:space:]]+$(id -u nut)[[:space:]]"
tap_like "with no capabilities" "$(grep CapEff "$st")" "CapEff:[[:space:]]*0+$"
tap_like "with no_new_privs" "$(grep NoNewPrivs "$st")" "NoNewPrivs:[[:space:]]*1"
tap_like "under its seccomp filter" "$(grep '^Seccomp:' "$st")" "Seccomp:[[:space:]]*2"
tap_like "the sandbox line names the upslog role" "$(cat "$T/upslog-default.log")" \
	"seccomp filter upslog\+tls"

# ---- every escape
F='%UPSHOST% s=%VAR ups.status% c=%VAR battery.charge% n=%VAR no.such% d=%VAR nodot% e=%VAR% %% p=%PID% h=%HOST% y=%TIME @Y% et=%ETIME% b=%BOGUS% %hostname% %var ups.mfr% x %unterminated'
start_upslog esc -i 1 -s "$U" -l "$L/esc.log" -f "$F"
P2=$UL_PID
wait_for 50 test "$(lines "$L/esc.log")" -ge 1
got=$(head -n 1 "$L/esc.log" | sed 's/et=[0-9]\{10\} /et=E /')
tap_is "every escape as NUT renders it" "$got" \
	"$U s=OL c=100 n=NA d=INVALID e=INVALID % p=$P2 h=$(hostname) y=$(date +%Y) et=E b=INVALID $(hostname) Nutsec Test x INVALIDunterminated"

# ---- several -m tuples, one with standard output
start_upslog multi -i 1 -m "$U,$L/m1.log" -m "dummy@localhost:$PORT,-" -f '%UPSHOST% %VAR ups.status%'
P3=$UL_PID
wait_for 50 test "$(lines "$L/m1.log")" -ge 1
wait_for 50 grep -q "^dummy@localhost:$PORT OL" "$T/upslog-multi.log"
tap_is "-m: the first tuple's file" "$(head -n 1 "$L/m1.log")" "$U OL"
tap_like "-m: the second tuple on standard output" "$(cat "$T/upslog-multi.log")" \
	"^dummy@localhost:$PORT OL$"
stop_pid "$P3"

# ---- NUT's old positional form (ups file interval format words...), and
# going to the background, as upslog does when it logs to a file
# shellcheck disable=SC2086
"$UPSLOG" $SB -p "$T/old.pid" "$U" "$L/old.log" 1 '%VAR' 'ups.status%' '[%UPSHOST%]' \
	> "$T/upslog-old.log" 2>&1
tap_is "in the background: the starting process exits 0" "$?" 0
P5=$(cat "$T/old.pid" 2>/dev/null)
PIDS="$PIDS $P5"
tap_check "the daemon runs under the PID in its PID file" kill -0 "$P5"
wait_for 50 test "$(lines "$L/old.log")" -ge 1
tap_is "the old form: words joined as NUT joins them" "$(head -n 1 "$L/old.log")" "OL [$U] "
stop_pid "$P5"
# (reparented to init, it may stay a zombie in a container whose init does not reap)
tap_like "SIGTERM stops the daemon" "$(ps -o stat= -p "$P5")" '^(Z.*)?$'

# ---- log rotation by SIGHUP, under the sandbox
mv "$L/default.log" "$L/default.log.1"
n1=$(lines "$L/default.log.1")
kill -HUP "$P1"
wait_for 50 test "$(lines "$L/default.log")" -ge 2
sleep 1.5
tap_check "SIGHUP: the process is still there" kill -0 "$P1"
tap_check "SIGHUP: a new log file is written" test "$(lines "$L/default.log")" -ge 2
tap_is "SIGHUP: the new file belongs to the run-as user" "$(stat -c %U "$L/default.log")" nut
n2=$(lines "$L/default.log.1")
tap_check "SIGHUP: the rotated file gets at most one more line" test "$n2" -le $((n1 + 1))
tap_unlike "SIGHUP: no filter violation" "$(cat "$T/upslog-default.log")" "not allowed|SIGSYS"
# a directory the run-as user cannot write: the old file is kept
chown root:root "$L"
mv "$L/default.log" "$L/default.log.2"
kill -HUP "$P1"
sleep 1.5
tap_check "a reopen that fails keeps the process" kill -0 "$P1"
tap_like "and says why" "$(cat "$T/upslog-default.log")" "could not reopen logfile .*still writing"
chown nut:nut "$L"

# ---- -m and the foreground: the first tuple decides, as NUT's code does
# (a "-" there keeps upslog in the foreground; a "-" further on does not)
# shellcheck disable=SC2086
timeout 3 "$UPSLOG" $SB -i 1 -p "$T/fg.pid" -m "$U,-" -m "$U,$L/fg.log" -f '%VAR ups.status%' \
	> "$T/upslog-fg.log" 2>&1
tap_is "-m with '-' first: stays in the foreground (killed by timeout)" "$?" 124
tap_like "... and writes its lines to standard output" "$(cat "$T/upslog-fg.log")" "^OL$"
# shellcheck disable=SC2086
timeout 10 "$UPSLOG" $SB -i 1 -p "$T/bg.pid" -m "$U,$L/bg.log" -m "$U,-" \
	> "$T/upslog-bg.log" 2>&1
tap_is "-m with '-' later: goes to the background" "$?" 0
P6=$(cat "$T/bg.pid" 2>/dev/null)
PIDS="$PIDS $P6"
wait_for 50 test "$(lines "$L/bg.log")" -ge 1
stop_pid "$P6"

# ---- something planted at the log file's name in the run-as user's directory
mkfifo "$L/planted.log"
chown nut:nut "$L/planted.log"
# shellcheck disable=SC2086
timeout 10 "$UPSLOG" -F $SB -i 1 -s "$U" -l "$L/planted.log" > "$T/upslog-planted.log" 2>&1
tap_is "a FIFO as the log file: refused at once, not waited on" "$?" 1
tap_like "... naming it" "$(cat "$T/upslog-planted.log")" "could not open logfile $L/planted.log: .*FIFO"
rm -f "$L/planted.log"
echo "root's file" > "$T/rootfile"
ln "$T/rootfile" "$L/planted.log"
# shellcheck disable=SC2086
timeout 10 "$UPSLOG" -F $SB -i 1 -s "$U" -l "$L/planted.log" > "$T/upslog-planted.log" 2>&1
tap_is "a hard link as the log file: refused" "$?" 1
tap_is "... and the linked file is untouched" "$(cat "$T/rootfile")" "root's file"
rm -f "$L/planted.log"

# ---- SIGUSR1: a line at once
start_upslog usr1 -i 3600 -s "$U" -l "$L/usr1.log" -f '%ETIME%'
P4=$UL_PID
wait_for 50 test "$(lines "$L/usr1.log")" -ge 1
kill -USR1 "$P4"
wait_for 30 test "$(lines "$L/usr1.log")" -ge 2
tap_is "SIGUSR1 writes a line at once" "$(lines "$L/usr1.log")" 2
stop_pid "$P4"

# ---- a upsd that goes away and comes back
stop_pid "$UPSD_PID"
sleep 2.5
tap_check "upsd gone: upslog keeps running" kill -0 "$P2"
tap_like "upsd gone: the values read NA" "$(tail -n 1 "$L/esc.log")" " s=NA c=NA "
start_upsd || tap_bail "upsd did not restart"
wait_ups dummy
n=$(lines "$L/esc.log")
wait_for 50 test "$(lines "$L/esc.log")" -ge $((n + 2))
tap_like "upsd back: upslog reconnected by itself" "$(tail -n 1 "$L/esc.log")" " s=OL c=100 "

# ---- SIGTERM, and NUT's command-line errors
stop_pid "$P2"
tap_is "SIGTERM: exit 0" "$STOP_RC" 0
out=$("$UPSLOG" -m "nocomma" 2>&1); rc=$?
tap_is "-m without a log file: exit 1" "$rc" 1
tap_like "with NUT's message" "$out" "requires exactly 2 components"
out=$("$UPSLOG" -l "$L/x.log" 2>&1); rc=$?
tap_like "no UPS: NUT's message" "$out" "No UPS defined for monitoring"
out=$("$UPSLOG" -s "$U" -l "$L/x.log" -i 0 2>&1); rc=$?
tap_like "a zero interval is refused" "$out" "invalid interval"

tap_done
