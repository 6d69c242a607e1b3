#!/bin/sh
# nutsec tests - 306-sandbox-privileges: what a compromised daemon could do,
# tried from inside the running, sandboxed processes. gdb attaches (as root)
# to upsd and to dummy-ups and makes them call: open("/etc/shadow") (fails:
# not in the jail, and not readable by nut anyway); socket(AF_INET) for a new
# listener, and open(O_WRONLY|O_CREAT) of a file outside the jail (each kills
# the process with SIGSYS: the filter allows neither). Each kill is followed
# by a fresh daemon for the next attempt.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
if [ "$(id -u)" != 0 ] || ! command -v gdb >/dev/null 2>&1; then
	echo "1..0 # SKIP needs root and gdb to make the daemons try forbidden calls"
	exit 0
fi
# The kills are only expected with the default filter action.
unset SANDBOX_ACTION
nut_setup
start_all
outside=$T/written-from-inside

# in_proc PID GDB-EXPR...: evaluates expressions inside the process; prints
# gdb's "$N = value" lines and "SIGSYS" if the process died of it.
in_proc() {
	ip_pid=$1; shift
	ip_args=""
	for ip_e in "$@"; do ip_args="$ip_args -ex 'print $ip_e'"; done
	eval "timeout 60 gdb -nx -p $ip_pid -batch $ip_args" 2>&1 |
		sed -n 's/^\$[0-9]* = \(.*\)/\1/p; s/.*signal SIGSYS.*/SIGSYS/p'
}

# gone PID: the process has exited (reaped or zombie)
gone() {
	! kill -0 "$1" 2>/dev/null || grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}

# (sh has no locals: cd_* names stay clear of lib.sh's _n, _p, _i)
check_daemon() {	# NAME PID RESTART-FUNCTION
	cd_name=$1 cd_pid=$2 cd_restart=$3

	_r=$(in_proc "$cd_pid" '(int)open("/etc/shadow", 0)' '*(int*)__errno_location()')
	tap_is "$cd_name: open(/etc/shadow) fails (ENOENT in the jail)" "$_r" "-1
2"
	tap_check "$cd_name: still serving after that" kill -0 "$cd_pid"

	_r=$(in_proc "$cd_pid" '(int)socket(2, 1, 0)')
	tap_like "$cd_name: socket(AF_INET) for a new listener is killed by the filter" "$_r" "SIGSYS"
	wait_for 50 gone "$cd_pid"
	tap_check "$cd_name: the process is gone" gone "$cd_pid"
	$cd_restart
	cd_pid=$NEWPID

	_r=$(in_proc "$cd_pid" "(int)open(\"$outside\", 0101, 0644)")
	tap_like "$cd_name: opening a file for writing outside the jail is killed" "$_r" "SIGSYS"
	tap_check "$cd_name: nothing was written outside the jail" test ! -e "$outside"
	wait_for 50 gone "$cd_pid"
	$cd_restart
}

restart_upsd() { start_upsd && wait_ups dummy; NEWPID=$UPSD_PID; }
restart_driver() { start_driver dummy; NEWPID=$DRV_PID; }

check_daemon upsd "$UPSD_PID" restart_upsd
tap_is "upsd: a fresh upsd serves again" "$(nut_req 'GET VAR dummy ups.status')" \
	'VAR dummy ups.status "OL"'
check_daemon dummy-ups "$DRV_PID" restart_driver
tap_check "dummy-ups: a fresh driver serves again" wait_for 100 sh -c \
	"'$PY' '$LIBDIR/nutclient.py' -p $PORT 'GET VAR dummy ups.status' | grep -q OL"
tap_done
