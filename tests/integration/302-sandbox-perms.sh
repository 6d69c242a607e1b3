#!/bin/sh
# nutsec tests - 302-sandbox-perms: the seed's file permission policy. A
# world-readable upsd.users (or upsd.conf) gets a warning naming the file
# and the fix; with STRICT_MODES yes in upsd.conf upsd refuses to start on
# it, and a reload refuses the file and keeps the users in force; so is a
# CERTPATH others may read. A state path others may read is warned about.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"

nut_setup
chmod 0644 "$CONF/upsd.users"
start_driver dummy || tap_bail "driver did not start"
start_upsd || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
tap_like "default: a world-readable upsd.users is a warning with the fix" "$(cat "$T/upsd.log")" \
	"$CONF/upsd.users is readable by others; run: chmod 640 $CONF/upsd.users && chown root:nut $CONF/upsd.users\$"
tap_is "default: upsd serves anyway" "$(nut_get dummy ups.status)" "OL"
stop_pid "$UPSD_PID"

write_upsd_conf "STRICT_MODES yes"
"$UPSD" -F > "$T/strict.log" 2>&1 &
_p=$!
PIDS="$PIDS $_p"
if wait_for 100 sh -c "! kill -0 $_p 2>/dev/null"; then
	tap_ok "STRICT_MODES: upsd refuses a world-readable upsd.users"
else
	tap_fail "STRICT_MODES: upsd refuses a world-readable upsd.users"
	stop_pid "$_p"
fi
tap_like "STRICT_MODES: the refusal names the file and the fix" "$(cat "$T/strict.log")" \
	"$CONF/upsd.users is readable by others; run: chmod 640 .*\\(strict modes: refusing to use it\\)"
out=$("$UPSD" -t 2>&1)
tap_like "STRICT_MODES: -t reports the refusal" "$out" "refusing to use it"

chmod 0644 "$CONF/upsd.conf"
chmod 0640 "$CONF/upsd.users"
out=$("$UPSD" -t 2>&1)
tap_like "STRICT_MODES: a world-readable upsd.conf is refused too" "$out" \
	"$CONF/upsd.conf is readable by others.*refusing to use it"
conf_file upsd.conf
mkdir -p "$T/certdb"; chmod 0755 "$T/certdb"
write_upsd_conf "STRICT_MODES yes" "CERTPATH $T/certdb" 'CERTIDENT "srv" "pw"'
out=$("$UPSD" -t 2>&1)
tap_like "STRICT_MODES: a certificate database others may read is refused" "$out" \
	"CERTPATH $T/certdb is readable by others \\(strict modes: refusing to use it\\)"
write_upsd_conf "STRICT_MODES yes"

start_upsd || tap_bail "upsd did not start with strict modes and tight files"
tap_unlike "tight files: no permission warning" "$(cat "$T/upsd.log")" "readable by others"
printf '\n[newuser]\n\tpassword = newpass\n\tupsmon secondary\n' >> "$CONF/upsd.users"
chmod 0644 "$CONF/upsd.users"
kill -HUP "$UPSD_PID"
if wait_for 100 grep -q "upsd.users not reloaded" "$T/upsd.log"; then
	tap_ok "STRICT_MODES: reload refuses a world-readable upsd.users"
else
	tap_fail "STRICT_MODES: reload refuses a world-readable upsd.users"
fi
tap_is "the users in force are kept" \
	"$(nut_req "USERNAME newuser" "PASSWORD newpass" 'LOGIN dummy' | tail -n 1)" "ERR ACCESS-DENIED"
tap_is "... and still log in" \
	"$(nut_req "USERNAME $SEC_USER" "PASSWORD $SEC_PASS" 'LOGIN dummy' | tail -n 1)" "OK"
stop_pid "$UPSD_PID"

conf_file upsd.users
chmod 0775 "$STATE"
start_upsd || tap_bail "upsd did not start"
tap_like "a state path others may read is warned about" "$(cat "$T/upsd.log")" \
	"state path $STATE is readable by others; run: chmod 0770 $STATE"
tap_done
