#!/bin/sh
# nutsec tests - 061-daemon: SIGHUP reload picks up a new user and a new UPS,
# upsd -c reload (via the PID file, -FF) and -c stop, removed UPS disappears,
# exit status 0 on SIGTERM.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
start_driver dummy || tap_bail "driver did not start"
start_upsd -F || tap_bail "upsd did not start"
wait_ups dummy || tap_bail "ups not ready"

login_ok() {	# USER PASS UPS
	[ "$(nut_req "USERNAME $1" "PASSWORD $2" "LOGIN $3" | tail -n 1)" = "OK" ]
}
listed() {	# UPS
	nut_req "LIST UPS" | grep -q "^UPS $1 "
}
status_ok() {	# UPS
	[ "$(nut_req "GET VAR $1 ups.status")" = "VAR $1 ups.status \"OL\"" ]
}

if login_ok newuser newpass dummy; then tap_fail "new user refused before reload"; else tap_ok "new user refused before reload"; fi
printf '\n[newuser]\n\tpassword = newpass\n\tupsmon secondary\n' >> "$CONF/upsd.users"
dev_file second.dev "$DATADIR/second.dev"
add_ups second "$CONF/second.dev" 'desc = "Added"'
start_driver second || tap_fail "second driver starts"
kill -HUP "$UPSD_PID"
if wait_for 100 login_ok newuser newpass dummy; then tap_ok "SIGHUP: new user can log in"; else tap_fail "SIGHUP: new user can log in"; fi
if wait_for 100 listed second; then tap_ok "SIGHUP: new UPS listed"; else tap_fail "SIGHUP: new UPS listed"; fi
if wait_for 100 status_ok second; then tap_ok "SIGHUP: new UPS served"; else tap_fail "SIGHUP: new UPS served"; fi
tap_is "SIGHUP: old UPS still served" "$(nut_req 'GET VAR dummy ups.status')" 'VAR dummy ups.status "OL"'
tap_check "upsd survived the reload" kill -0 "$UPSD_PID"
uid=$(awk '/^Uid:/ {print $3}' /proc/"$UPSD_PID"/status 2>/dev/null)
tap_is "upsd runs as user nut (effective uid)" "$uid" "$(id -u nut)"

# a reload with a broken upsd.users keeps the old users and the daemon
cp "$CONF/upsd.users" "$T/users.good"
printf '[broken\n\tpassword = "unterminated\n' >> "$CONF/upsd.users"
kill -HUP "$UPSD_PID"
# the reload has happened once a request after it is answered; poll a few times
i=0; while [ $i -lt 10 ]; do nut_req NETVER >/dev/null; sleep 0.1; i=$((i + 1)); done
tap_check "broken upsd.users on reload: upsd still running" kill -0 "$UPSD_PID"
if login_ok newuser newpass dummy; then tap_ok "broken upsd.users on reload: old users kept"; else tap_fail "broken upsd.users on reload: old users kept"; fi
cp "$T/users.good" "$CONF/upsd.users"

stop_pid "$UPSD_PID"
tap_is "SIGTERM: exit status 0" "$STOP_RC" 0

# -FF writes the PID file; -c reload / -c stop use it
start_upsd -FF || tap_fail "upsd -FF starts"
wait_ups dummy
if wait_for 50 test -s "$STATE/upsd.pid"; then tap_ok "-FF writes upsd.pid"; else tap_fail "-FF writes upsd.pid"; fi
tap_is "upsd.pid holds the daemon's PID" "$(cat "$STATE/upsd.pid" 2>/dev/null | tr -d ' \n')" "$UPSD_PID"
printf '\n[newuser2]\n\tpassword = newpass2\n\tupsmon secondary\n' >> "$CONF/upsd.users"
# remove UPS "second"
write_ups_conf
"$UPSD" -c reload > "$T/c-reload.out" 2>&1
tap_is "upsd -c reload exits 0" "$?" 0
if wait_for 100 login_ok newuser2 newpass2 dummy; then tap_ok "-c reload: new user can log in"; else tap_fail "-c reload: new user can log in"; fi
if wait_for 100 sh -c "! $PY $LIBDIR/nutclient.py -p $PORT 'LIST UPS' | grep -q '^UPS second '"; then
	tap_ok "-c reload: removed UPS no longer listed"
else
	tap_fail "-c reload: removed UPS no longer listed"
fi
tap_is "removed UPS: UNKNOWN-UPS" "$(nut_req 'GET VAR second ups.status')" "ERR UNKNOWN-UPS"
"$UPSD" -c stop > "$T/c-stop.out" 2>&1
tap_is "upsd -c stop exits 0" "$?" 0
_i=0
while kill -0 "$UPSD_PID" 2>/dev/null && ps -o stat= -p "$UPSD_PID" | grep -qv Z && [ $_i -lt 100 ]; do
	sleep 0.1; _i=$((_i + 1))
done
if ps -o stat= -p "$UPSD_PID" 2>/dev/null | grep -qv Z; then
	tap_fail "-c stop: upsd exits"
else
	tap_ok "-c stop: upsd exits"
fi
wait "$UPSD_PID"
tap_is "-c stop: exit status 0" "$?" 0
tap_unlike "-c stop: port closed" "$(nut_req -t 1 NETVER 2>&1)" '^1\.3$'
# The sandboxed upsd may not delete files (docs/sandbox.md): its PID file is
# left behind, stale, and must not stop the next start.
tap_check "a stale upsd.pid is left at exit" test -e "$STATE/upsd.pid"
if start_upsd -FF; then
	tap_ok "a stale upsd.pid does not stop the next start"
else
	tap_fail "a stale upsd.pid does not stop the next start"
fi
tap_done
