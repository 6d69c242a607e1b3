#!/bin/sh
# nutsec tests - 063-tcpwrappers: the seed's network access control. With
# hosts.allow "upsd : admin@127.0.0.1/32" and hosts.deny "upsd : ALL", the
# commands that need a logged-in user are allowed for admin from 127.0.0.1
# and refused (ERR ACCESS-DENIED) for any other user; anonymous commands are
# not subject to the rules. The test runs in a private mount namespace with
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
start_all

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
tap_done
