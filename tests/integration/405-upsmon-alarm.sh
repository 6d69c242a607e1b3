#!/bin/sh
# nutsec tests - 405-upsmon-alarm: a ups.alarm text full of shell syntax
# (an ALARM line added to dummy-ups' data file) reaches NOTIFYCMD as one literal
# argument and runs nothing: no file the text tries to create appears.
# The same for unknown status tokens (OTHER), and with WALL set.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/monlib.sh"

need_exe upsmon "$UPSMON"
nut_setup
start_all
E=$T/evil
mkdir -p "$E"; chmod 0777 "$E"
EVIL="\$(touch $E/a); touch $E/b | touch $E/c && \`touch $E/d\` > $E/e; '\$(id)'"
mon_setup mon primary "$PRI_USER" "$PRI_PASS" "NOTIFYFLAG ALARM SYSLOG+WALL+EXEC" \
	"NOTIFYMSG ALARM \"alarm on %s: %s\""
start_mon mon
if wait_for 100 mon_logged_in mon; then tap_ok "logged in"; else tap_fail "logged in"; mon_diag mon; fi
printf 'ALARM "%s"\n' "$EVIL" >> "$CONF/dummy.dev"	# dummy-ups re-reads a changed file
alarm_set() { [ "$(nut_get dummy ups.alarm)" = "$EVIL" ]; }
if wait_for 100 alarm_set; then tap_ok "ups.alarm holds the text"; else tap_fail "ups.alarm holds the text"; tap_diag "$(nut_get dummy ups.alarm)"; fi
if wait_for 100 has_notify mon ALARM; then tap_ok "ALARM notified"; else tap_fail "ALARM notified"; mon_diag mon; fi
tap_is "the text came as one literal argument" "$(grep ' ALARM|' "$REC/mon.notify" | cut -d'|' -f3-)" \
	"1|alarm on dummy@127.0.0.1:$PORT: $EVIL"
TOK='$(id)`id`;a|b&c>d'
tap_is "status token with shell syntax" "$(set_status dummy "OL $TOK")" "OK"
if wait_for 100 has_notify mon OTHER; then tap_ok "OTHER notified"; else tap_fail "OTHER notified"; mon_diag mon; fi
tap_like "OTHER got the token literally" "$(grep ' OTHER|' "$REC/mon.notify")" "\\|1\\|.*\\[\\\$\\(id\\)\`id\`;a\\|b&c>d\\]$"
sleep 1
tap_is "nothing ran: no file created" "$(ls "$E")" ""
if [ -e "$REC/mon.shutdown" ]; then tap_fail "no shutdown"; else tap_ok "no shutdown"; fi
tap_done
