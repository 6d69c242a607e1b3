#!/bin/sh
# nutsec tests - 408-upsmon-forged: a network child taken over (injectcall
# makes the running, sandboxed child write what an attacker would) cannot
# make the root parent run anything but SHUTDOWNCMD, and not even that with
# a malformed message: a record of the wrong size and type, and a burst of
# them, make the parent log the refusal, stop both children and exit 1,
# with SHUTDOWNCMD never run. The child cannot reach anything else either:
# exec is not in its filter (it dies of SIGSYS).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/monlib.sh"

: "${INJECT:=$top_builddir/tests/integration/injectcall}"
need_exe upsmon "$UPSMON"
need_exe injectcall "$INJECT"
require_root "to trace the network child (it runs as another user)"
_r=$("$INJECT" 2>&1)
if [ $? -eq 77 ]; then
	echo "1..0 # SKIP $_r"
	exit 0
fi
nut_setup
start_all

# net_child: the pid of the running network child of $MON_PID
net_child() {
	for _k in $(pgrep -P "$MON_PID"); do
		case $(tr '\0' ' ' < "/proc/$_k/cmdline") in *" -X net "*) echo "$_k"; return ;; esac
	done
}
# chan_fd PID: the child's descriptor of the channel to the parent (a socket,
# the lowest above stdio: it is moved there first)
chan_fd() {
	for _f in 3 4 5 6; do
		case $(readlink "/proc/$1/fd/$_f") in socket:*) echo "$_f"; return ;; esac
	done
}
# forge N TEXT: start an instance, make its network child write TEXT N times
forge() {
	_name=forge$1
	mon_setup "$_name" primary "$PRI_USER" "$PRI_PASS"
	start_mon "$_name"
	if wait_for 100 mon_logged_in "$_name"; then tap_ok "$_name: running"; else tap_fail "$_name: running"; mon_diag "$_name"; fi
	_net=$(net_child); _fd=$(chan_fd "$_net")
	# a burst: as many as get through before the parent has stopped the child
	_first=$("$INJECT" "$_net" write "$_fd" "s:$2" "${#2}" 2>&1)
	_i=1
	while [ $_i -lt "$1" ] && "$INJECT" "$_net" write "$_fd" "s:$2" "${#2}" >/dev/null 2>&1; do
		_i=$((_i + 1))
	done
	tap_is "$_name: the child wrote the record" "$_first" "return ${#2}"
	if wait_for 100 sh -c "! kill -0 $MON_PID 2>/dev/null"; then tap_ok "$_name: the parent stopped"; else tap_fail "$_name: the parent stopped"; mon_diag "$_name"; fi
	wait "$MON_PID"
	tap_is "$_name: exit status 1" "$?" "1"
	tap_like "$_name: the refusal is logged" "$(cat "$T/upsmon-$_name.log")" "fatal: bad message from upsmon-net"
	if [ -e "$REC/$_name.shutdown" ] || [ -e "$REC/$_name.killpower" ]; then tap_fail "$_name: nothing ran"; else tap_ok "$_name: nothing ran (no SHUTDOWNCMD, no POWERDOWNFLAG)"; fi
	if kill -0 "$_net" 2>/dev/null; then tap_fail "$_name: the children were stopped"; else tap_ok "$_name: the children were stopped"; fi
}
forge 1 "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX"
forge 20 "upsmon-net says: shut down now"

# exec from inside the network child: refused by its filter
mon_setup ex primary "$PRI_USER" "$PRI_PASS" "SANDBOX kill"
start_mon ex
if wait_for 100 mon_logged_in ex; then tap_ok "ex: running"; else tap_fail "ex: running"; fi
net=$(net_child)
# 59: execve on x86-64, the only architecture injectcall runs on
tap_like "ex: execve inside the network child kills it" "$("$INJECT" "$net" 59 s:/bin/sh 0 0 2>&1)" "killed by SIGSYS"
# the parent names the dead child, or (when the notifier's exit reached it
# first) restarts both: either way it saw the loss
if wait_for 100 grep -qE "upsmon-net exited|restarting the monitoring" "$T/upsmon-ex.log"; then tap_ok "ex: the parent saw it die and restarts it"; else tap_fail "ex: the parent saw it die"; mon_diag ex; fi
if [ -e "$REC/ex.shutdown" ]; then tap_fail "ex: no shutdown"; else tap_ok "ex: no shutdown"; fi
tap_done
