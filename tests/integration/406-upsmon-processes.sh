#!/bin/sh
# nutsec tests - 406-upsmon-processes: upsmon started as root with a plain
# upsmon.conf runs as three processes. Checked through /proc: the parent
# is root under its filter (Seccomp 2); each child runs as another uid
# with CapEff and CapBnd 0, NoNewPrivs 1, Seccomp 2; the network child's
# root is its jail, not /. Killing the network child makes the parent
# restart both children (logged), with no zombie left; SIGTERM stops all
# three and removes the jail and the PID file. A stale jail is removed at
# start; a killed parent makes the network child send NOPARENT.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/monlib.sh"

need_exe upsmon "$UPSMON"
nut_setup
start_all
mon_setup mon primary "$PRI_USER" "$PRI_PASS"
start_mon mon
if wait_for 100 mon_logged_in mon; then tap_ok "logged in"; else tap_fail "logged in"; mon_diag mon; fi
children() { pgrep -P "$MON_PID" | sort; }
status_of() { grep "^$2:" "/proc/$1/status" | awk '{print $2}'; }
kids=$(children)
tap_is "three processes" "$(echo "$MON_PID $kids" | wc -w)" "3"
tap_is "parent: uid 0" "$(status_of "$MON_PID" Uid)" "0"
tap_is "parent: Seccomp 2" "$(status_of "$MON_PID" Seccomp)" "2"
net=""
for k in $kids; do
	role=$(tr '\0' ' ' < "/proc/$k/cmdline" | awk '{print $3}')
	[ "$role" = net ] && net=$k
	u=$(status_of "$k" Uid)
	if [ -n "$u" ] && [ "$u" != 0 ]; then tap_ok "$role: uid $u"; else tap_fail "$role: uid not 0 ($u)"; fi
	tap_is "$role: CapEff 0" "$(status_of "$k" CapEff)" "0000000000000000"
	tap_is "$role: CapBnd 0" "$(status_of "$k" CapBnd)" "0000000000000000"
	tap_is "$role: NoNewPrivs 1" "$(status_of "$k" NoNewPrivs)" "1"
	tap_is "$role: Seccomp 2" "$(status_of "$k" Seccomp)" "2"
done
root=$(readlink "/proc/$net/root")
if [ -n "$root" ] && [ "$root" != / ]; then tap_ok "net: root is $root"; else tap_fail "net: root not / ($root)"; fi
tap_is "net: the jail is empty" "$(ls -A "$root" 2>&1)" ""

[ -n "$net" ] || tap_bail "no network child found among: $kids"
kill -KILL "$net"
reaped() { [ ! -e "/proc/$net" ]; }
if wait_for 300 reaped; then tap_ok "the network child is gone and reaped"; else tap_fail "the network child is gone and reaped"; ps -o pid,ppid,stat,args -p "$net" --ppid "$MON_PID" | sed 's/^/# /'; fi
if wait_for 300 grep -q "upsmon-net exited" "$T/upsmon-mon.log"; then tap_ok "parent saw the network child die"; else tap_fail "parent saw it die"; mon_diag mon; ps -o pid,ppid,stat,args --ppid "$MON_PID" | sed 's/^/# /'; fi
if wait_for 100 grep -q "restarting the monitoring processes" "$T/upsmon-mon.log"; then tap_ok "restart logged"; else tap_fail "restart logged"; fi
newkids() { k=$(children); [ "$(echo $k | wc -w)" = 2 ] && [ "$k" != "$kids" ] && [ -z "$(ps -o stat= --ppid "$MON_PID" | grep Z)" ]; }
if wait_for 100 newkids; then tap_ok "two new children, no zombie"; else tap_fail "two new children"; ps -o pid,stat,args --ppid "$MON_PID" | sed 's/^/# /'; fi
if wait_for 100 sh -c "[ \$(grep -c 'logged in as' '$T/upsmon-mon.log') -ge 2 ]"; then tap_ok "monitoring again"; else tap_fail "monitoring again"; mon_diag mon; fi
if [ -e "$REC/mon.shutdown" ]; then tap_fail "a child's death is no shutdown"; else tap_ok "a child's death is no shutdown"; fi

kill -TERM "$MON_PID"
if wait_for 100 sh -c "! kill -0 $MON_PID 2>/dev/null"; then tap_ok "SIGTERM stops upsmon"; else tap_fail "SIGTERM stops upsmon"; fi
wait "$MON_PID"
tap_is "exit status 0" "$?" "0"
tap_is "no child left" "$(pgrep -f "$T/mon/etc" | wc -l)" "0"
tap_is "jail and PID file removed" "$(ls -A "$T/mon/run")" ""

# a jail left by a killed upsmon is removed; a killed parent means NOPARENT
mkdir "$T/mon/run/upsmon-jail.stale"
start_mon mon
twokids() { [ "$(children | wc -w)" = 2 ]; }
wait_for 100 twokids
kids=$(children)
if wait_for 100 sh -c "[ \$(grep -c 'logged in as' '$T/upsmon-mon.log') -ge 1 ]"; then tap_ok "started again"; else tap_fail "started again"; mon_diag mon; fi
if [ -e "$T/mon/run/upsmon-jail.stale" ]; then tap_fail "stale jail removed"; else tap_ok "stale jail removed"; fi
kill -KILL "$MON_PID"
if wait_for 100 has_notify mon NOPARENT; then tap_ok "parent killed: NOPARENT"; else tap_fail "parent killed: NOPARENT"; mon_diag mon; fi
if grep -q "shutdown impossible" "$T/upsmon-mon.log"; then tap_ok "and logged"; else tap_fail "and logged"; fi
for k in $kids; do kill -TERM "$k" 2>/dev/null; done
gone() { for k in $kids; do kill -0 "$k" 2>/dev/null && return 1; done; return 0; }
if wait_for 100 gone; then tap_ok "orphaned children stop on SIGTERM"; else tap_fail "orphaned children stop"; for k in $kids; do kill -KILL "$k" 2>/dev/null; done; fi
tap_done
