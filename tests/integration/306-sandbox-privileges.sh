#!/bin/sh
# nutsec tests - 306-sandbox-privileges: what a compromised daemon could do,
# tried from inside the running, sandboxed processes. injectcall (built next
# to this script; ptrace, as root) makes upsd and dummy-ups execute:
# openat("/etc/shadow", O_RDONLY) (fails: not in the jail, and not readable
# by nut anyway); socket(AF_INET) for a new listener, and openat(O_WRONLY|
# O_CREAT) of a file outside the jail (each kills the process with SIGSYS:
# the filter allows neither). Each kill is followed by a fresh daemon for
# the next attempt. A control run first shows the same calls succeed in an
# unconfined process that then carries on unharmed, and a last upsd in trap
# mode shows the refused call named in its log.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

: "${INJECT:=$top_builddir/tests/integration/injectcall}"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe injectcall "$INJECT"
require_root "to trace the daemons (they run as another user)"
_r=$("$INJECT" 2>&1)
if [ $? -eq 77 ]; then
	echo "1..0 # SKIP $_r"
	exit 0
fi
# The kills are only expected with the default filter action.
unset SANDBOX_ACTION
nut_setup
outside=$T/written-from-inside

# in_proc PID CALL ARG...: the call made inside the process; injectcall's
# report ("return N", "error N", "killed by SIGSYS", ...), stderr included
in_proc() {
	"$INJECT" "$@" 2>&1
}

# gone PID: the process has exited (reaped or zombie)
gone() {
	! kill -0 "$1" 2>/dev/null || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# confined PID: the process runs under a seccomp filter (so it is past its
# start-up and inside the sandbox)
confined() {
	grep -q '^Seccomp:[[:space:]]*2' "/proc/$1/status" 2>/dev/null
}

# --- control: an unconfined process does what the daemons may not, and
# runs on as if nothing happened (its interrupted sleep ends normally)
sleep 2 &
ctl=$!
_r=$(in_proc $ctl getpid)
case $_r in *"Yama ptrace_scope"*)
	kill $ctl
	echo "1..0 # SKIP $_r"
	exit 0 ;;
esac
tap_is "control: getpid() made inside a sleep returns its pid" "$_r" "return $ctl"
_r=$(in_proc $ctl openat -100 "s:$T/control" 0101 0644)
tap_like "control: openat(O_WRONLY|O_CREAT) succeeds there" "$_r" '^return [0-9]+$'
tap_check "control: the file was created" test -e "$T/control"
tap_check "control: the sleep holds it open" test -e "/proc/$ctl/fd/${_r#return }"
tap_like "control: socket(AF_INET) succeeds there" "$(in_proc $ctl socket 2 1 0)" '^return [0-9]+$'
wait $ctl
tap_is "control: the sleep ends normally (its state was restored)" "$?" 0

start_all

# check_daemon NAME PID RESTART-FUNCTION STILL-SERVING-CMD...
# (sh has no locals: cd_* names stay clear of lib.sh's _n, _p, _i)
check_daemon() {
	cd_name=$1 cd_pid=$2 cd_restart=$3
	shift 3

	tap_check "$cd_name: runs under its seccomp filter" confined "$cd_pid"
	_r=$(in_proc "$cd_pid" openat -100 s:/etc/shadow 0)
	tap_is "$cd_name: open(/etc/shadow) fails (ENOENT in the jail)" "$_r" "error 2"
	tap_check "$cd_name: still serving after that" "$@"

	_r=$(in_proc "$cd_pid" socket 2 1 0)
	tap_is "$cd_name: socket(AF_INET) for a new listener is killed by the filter" "$_r" \
		"killed by SIGSYS"
	wait_for 50 gone "$cd_pid"
	tap_check "$cd_name: the process is gone" gone "$cd_pid"
	$cd_restart
	cd_pid=$NEWPID

	tap_check "$cd_name: a fresh one runs under its filter" confined "$cd_pid"
	_r=$(in_proc "$cd_pid" openat -100 "s:$outside" 0101 0644)
	tap_is "$cd_name: opening a file for writing outside the jail is killed" "$_r" \
		"killed by SIGSYS"
	tap_check "$cd_name: nothing was written outside the jail" test ! -e "$outside"
	wait_for 50 gone "$cd_pid"
	$cd_restart
}

restart_upsd() { start_upsd && wait_ups dummy; NEWPID=$UPSD_PID; }
upsd_serves() { nut_req 'GET VAR dummy ups.status' | grep -q '"OL"'; }
driver_serves() { [ "$(drv_req "$STATE/dummy-ups-dummy" PING 2>/dev/null)" = PONG ]; }
# (the dead driver's socket file is still there: start_driver would not wait
# for the new one, which must be serving, i.e. sandboxed, before the next try)
restart_driver() {
	rm -f "$STATE/dummy-ups-dummy"
	start_driver dummy
	NEWPID=$DRV_PID
	wait_for 100 driver_serves
}

check_daemon upsd "$UPSD_PID" restart_upsd upsd_serves
tap_check "upsd: a fresh upsd serves again" upsd_serves
check_daemon dummy-ups "$DRV_PID" restart_driver driver_serves
tap_check "dummy-ups: a fresh driver serves again" wait_for 100 sh -c \
	"'$PY' '$LIBDIR/nutclient.py' -p $PORT 'GET VAR dummy ups.status' | grep -q OL"

# --- trap mode: the refused call is named in the log, exit status 159
stop_pid "$UPSD_PID"
start_upsd --sandbox=trap || tap_fail "upsd --sandbox=trap starts"
tap_check "trap mode: upsd runs under its filter" confined "$UPSD_PID"
_r=$(in_proc "$UPSD_PID" socket 2 1 0)
tap_is "trap mode: socket(AF_INET) raises SIGSYS, and upsd's handler exits 159" "$_r" \
	"signal SIGSYS
exited 159"
wait_for 50 gone "$UPSD_PID"
wait "$UPSD_PID"
tap_is "trap mode: its parent sees exit status 159 too" "$?" 159
tap_like "trap mode: the log names the call" "$(cat "$T/upsd.log")" \
	'syscall socket \(nr [0-9]+, arch 0x[0-9a-f]+\) is not allowed, exiting \(trap mode\)'
# (this report is expected: keep it out of check-sandbox-trap's search)
rm -f "$T/upsd.log"
tap_done
