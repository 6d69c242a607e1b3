#!/bin/sh
# nutsec tests - 301-sandbox-reload: reload keeps working inside the
# sandbox (jail = the state path, user nut, filter killing), because the
# configuration directories are kept open from before the chroot: upsd
# (SIGHUP and -c reload) picks up a new user in upsd.users, a new UPS and a
# changed description in ups.conf; dummy-ups re-reads its .dev file when it
# changes and its ups.conf section on SIGHUP. Nothing dies of the filter.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
require_root "(the daemons drop from root to nut)"

nut_setup
start_driver dummy || tap_bail "driver did not start: $(tail -n 5 "$T/driver-dummy.log")"
DRV1=$DRV_PID
start_upsd -FF || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy || tap_bail "ups dummy not ready"
tap_is "upsd is chrooted to the state path" "$(readlink "/proc/$UPSD_PID/root")" "$STATE"
tap_like "upsd is filtered" "$(grep '^Seccomp:' "/proc/$UPSD_PID/status")" '2$'

login_ok() {	# USER PASS: LOGIN dummy answers OK
	[ "$(nut_req "USERNAME $1" "PASSWORD $2" 'LOGIN dummy' | tail -n 1)" = OK ]
}

# 1. upsd.users: a new user, through SIGHUP.
printf '\n[newuser]\n\tpassword = newpass\n\tupsmon secondary\n' >> "$CONF/upsd.users"
kill -HUP "$UPSD_PID"
if wait_for 100 login_ok newuser newpass; then tap_ok "SIGHUP: the new user logs in"
else tap_fail "SIGHUP: the new user logs in"; fi

# 2. ups.conf: a new UPS and a changed description, through upsd -c reload.
dev_file second.dev "$DATADIR/second.dev"
add_ups second "$CONF/second.dev" 'desc = "Second UPS"'
sed 's/desc = "Test UPS"/desc = "Renamed UPS"/' "$CONF/ups.conf" > "$CONF/ups.conf.new"
mv "$CONF/ups.conf.new" "$CONF/ups.conf"; conf_file ups.conf
start_driver second || tap_fail "the second driver starts"
"$UPSD" -c reload > "$T/c-reload.out" 2>&1
tap_is "upsd -c reload exits 0" "$?" 0
if wait_for 100 sh -c "$PY $LIBDIR/nutclient.py -p $PORT 'LIST UPS' | grep -q '^UPS second '"; then
	tap_ok "-c reload: the new UPS is listed"
else
	tap_fail "-c reload: the new UPS is listed"
fi
if wait_ups second; then tap_ok "the new UPS's driver is reached from inside the jail"
else tap_fail "the new UPS's driver is reached from inside the jail"; fi
tap_is "-c reload: the changed description" "$(nut_req 'GET UPSDESC dummy')" \
	'UPSDESC dummy "Renamed UPS"'

# 3. A broken upsd.users is refused on reload; the users in force stay.
echo "[broken" >> "$CONF/upsd.users"
kill -HUP "$UPSD_PID"
if wait_for 100 grep -q 'upsd.users not reloaded' "$T/upsd.log"; then
	tap_ok "a broken upsd.users is not taken"
else
	tap_fail "a broken upsd.users is not taken"
fi
tap_check "the users in force still log in" login_ok newuser newpass

# 4. dummy-ups re-reads its data file (kept directory) when it changes.
sed 's/^battery.charge: .*/battery.charge: 42/' "$CONF/dummy.dev" > "$CONF/dummy.dev.new"
touch -d '+2 seconds' "$CONF/dummy.dev.new" 2>/dev/null
mv "$CONF/dummy.dev.new" "$CONF/dummy.dev"; conf_file dummy.dev
kill -HUP "$DRV1"	# an update cycle now, not at the next poll
if wait_for 150 sh -c "[ \"\$($PY $LIBDIR/nutclient.py -p $PORT 'GET VAR dummy battery.charge')\" = 'VAR dummy battery.charge \"42\"' ]"; then
	tap_ok "dummy-ups re-reads its .dev file inside the jail"
else
	tap_fail "dummy-ups re-reads its .dev file inside the jail"
	tap_diag "$(nut_req 'GET VAR dummy battery.charge')"
fi

# 5. dummy-ups reloads its ups.conf section on SIGHUP.
sed 's/desc = "Renamed UPS"/desc = "Renamed UPS"\n\tpollinterval = 7/' "$CONF/ups.conf" > "$CONF/ups.conf.new"
mv "$CONF/ups.conf.new" "$CONF/ups.conf"; conf_file ups.conf
kill -HUP "$DRV1"
if wait_for 100 sh -c "[ \"\$($PY $LIBDIR/nutclient.py -p $PORT 'GET VAR dummy driver.parameter.pollinterval')\" = 'VAR dummy driver.parameter.pollinterval \"7\"' ]"; then
	tap_ok "dummy-ups: SIGHUP re-reads ups.conf inside the jail"
else
	tap_fail "dummy-ups: SIGHUP re-reads ups.conf inside the jail"
	tap_diag "$(nut_req 'GET VAR dummy driver.parameter.pollinterval')"
	tap_diag "$(tail -n 5 "$T/driver-dummy.log")"
fi

tap_check "upsd survived every reload" kill -0 "$UPSD_PID"
tap_check "dummy-ups survived every reload" kill -0 "$DRV1"
tap_unlike "no filter violation in the logs" "$(cat "$T"/*.log)" 'is not allowed|Bad system call'
tap_done
