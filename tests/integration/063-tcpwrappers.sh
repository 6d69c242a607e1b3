#!/bin/sh
# nutsec tests - 063-tcpwrappers: the seed's network access control. With
# hosts.allow "upsd : admin@127.0.0.1/32" and hosts.deny "upsd : ALL", the
# commands that need a logged-in user are allowed for admin from 127.0.0.1
# and refused (ERR ACCESS-DENIED) for any other user; anonymous commands are
# not subject to the rules. Rules the jail has no copy of would vanish after
# the chroot: upsd refuses to start (no PID file left), naming both fixes;
# with the chroot turned off (-r /) or the rules copied into the jail it
# serves and applies them. The test runs in a private mount namespace with
# its own files bind-mounted over /etc/hosts.allow and /etc/hosts.deny, so
# the system's files are never changed.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"

if [ -z "$NUTSEC_IN_NS" ]; then
	why=""
	[ "$(id -u)" = 0 ] || why="needs root for a mount namespace"
	[ -z "$why" ] && ! command -v unshare >/dev/null 2>&1 && why="no unshare"
	[ -z "$why" ] && ! ldd "$UPSD" 2>/dev/null | grep -q libwrap && why="upsd built without libwrap"
	[ -z "$why" ] && { [ -f /etc/hosts.allow ] && [ -f /etc/hosts.deny ]; } ||
		why=${why:-"no /etc/hosts.allow or /etc/hosts.deny to mount over"}
	if [ -n "$why" ]; then
		tap_skip "tcp-wrappers rules" "$why"
		tap_done
		exit 0
	fi
	NUTSEC_IN_NS=1 exec unshare -m --propagation private sh "$0" "$@"
fi

nut_setup
rules=$T/wrap
mkdir -p "$rules"
echo "upsd : $ADMIN_USER@127.0.0.1/32" > "$rules/hosts.allow"
echo "upsd : ALL" > "$rules/hosts.deny"
mount --bind "$rules/hosts.allow" /etc/hosts.allow || tap_bail "bind mount failed"
mount --bind "$rules/hosts.deny" /etc/hosts.deny || tap_bail "bind mount failed"

# The default jail (the state path) has no copy of the rules: no start.
"$UPSD" -FF ${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION} > "$T/upsd-refused.log" 2>&1 &
refused_pid=$!
PIDS="$PIDS $refused_pid"
if wait_for 100 sh -c "! kill -0 $refused_pid 2>/dev/null"; then
	wait "$refused_pid"
	tap_is "rules outside the jail: upsd refuses to start" "$?" 1
else
	tap_fail "rules outside the jail: upsd refuses to start"
fi
tap_like "the refusal names the rules, the jail and both fixes" \
	"$(tr '\n' ' ' < "$T/upsd-refused.log")" \
	"/etc/hosts.allow.*not inside the jail $STATE.*cp /etc/hosts.allow /etc/hosts.deny $STATE/etc/.*chroot off explicitly \(-r /\)"
tap_check "the refused start leaves no PID file" test ! -e "$STATE/upsd.pid"
tap_unlike "nothing answers on the port" "$(nut_req -t 1 NETVER 2>&1)" '^1\.3$'

# Turned off explicitly, the rules stay readable from /etc.
start_driver dummy || tap_bail "driver did not start: $(tail -n 5 "$T/driver-dummy.log")"
start_upsd -r / || tap_bail "upsd -r / did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy || tap_bail "ups dummy not ready: $(nut_req 'GET VAR dummy ups.status')"

tap_is "allowed user from an allowed address: INSTCMD accepted" \
	"$(nut_req "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" 'INSTCMD dummy load.off')" "OK
OK
OK"
tap_is "user not in hosts.allow: LOGIN refused by the rules" \
	"$(nut_req "USERNAME $SEC_USER" "PASSWORD $SEC_PASS" 'LOGIN dummy')" "OK
OK
ERR ACCESS-DENIED"
tap_is "user not in hosts.allow: FSD refused" \
	"$(nut_req "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" 'FSD dummy')" "OK
OK
ERR ACCESS-DENIED"
tap_is "anonymous commands are not subject to the rules" \
	"$(nut_req 'GET VAR dummy ups.status')" 'VAR dummy ups.status "OL"'
if grep -q "tcp-wrappers denied user $SEC_USER" "$T"/*.log 2>/dev/null; then
	tap_ok "the refusal is logged with the user and the peer"
else
	tap_fail "the refusal is logged with the user and the peer"
	tap_diag "$(cat "$T"/*.log 2>/dev/null | tail -20)"
fi

# Without a deny-all, the same user is accepted: the rules, not the user
# file, made the difference above.
echo "upsd : $ADMIN_USER@127.0.0.1/32 $SEC_USER@127.0.0.1/32" > "$rules/hosts.allow"
tap_is "the same user once hosts.allow lists it: LOGIN accepted" \
	"$(nut_req "USERNAME $SEC_USER" "PASSWORD $SEC_PASS" 'LOGIN dummy')" "OK
OK
OK"
tap_is "allowed user from an allowed address: FSD accepted" \
	"$(nut_req "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" 'FSD dummy')" "OK
OK
OK FSD-SET"

# The other fix: copies inside the jail. The copies deny $SEC_USER while
# /etc still allows it, so the answer shows which files the jailed upsd reads.
stop_pid "$UPSD_PID"
mkdir -p "$STATE/etc"
echo "upsd : $ADMIN_USER@127.0.0.1/32" > "$STATE/etc/hosts.allow"
echo "upsd : ALL" > "$STATE/etc/hosts.deny"
chmod 0644 "$STATE/etc/hosts.allow" "$STATE/etc/hosts.deny"
start_upsd || tap_bail "upsd with the rules in its jail did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy || tap_bail "ups dummy not ready"
tap_like "rules copied into the jail: upsd starts chrooted" "$(cat "$T/upsd.log")" "root $STATE"
tap_is "rules copied into the jail: the jail's copies are applied" \
	"$(nut_req "USERNAME $SEC_USER" "PASSWORD $SEC_PASS" 'LOGIN dummy')" "OK
OK
ERR ACCESS-DENIED"
tap_done
