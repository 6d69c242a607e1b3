#!/bin/sh
# nutsec tests - 404-upsmon-cfsd: `upsmon -c fsd` on the primary (found
# through its PID file in its own NUT_PIDPATH) while the power is fine:
# FSD is set on the UPS, the secondary shuts down first, then the primary.
# `-c reload` and `-c stop` reach the right instance, and a prefix works;
# a TLS setting changed at reload is logged as needing a restart.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/monlib.sh"

need_exe upsmon "$UPSMON"
nut_setup
start_all
mon_setup pri primary "$PRI_USER" "$PRI_PASS"
mon_setup sec secondary "$SEC_USER" "$SEC_PASS"
mon_setup other secondary "$SEC_USER" "$SEC_PASS"
start_mon pri
start_mon sec
start_mon other
numlogins() { [ "$(nut_req 'GET NUMLOGINS dummy')" = "NUMLOGINS dummy $1" ]; }
if wait_for 150 numlogins 3; then tap_ok "three logged in"; else tap_fail "three logged in"; mon_diag pri; fi
tap_is "PID file of pri" "$(cat "$T/pri/run/upsmon.pid")" "$MON_PID_pri"

# a TLS setting added at reload is said to need a restart, not taken silently
echo "FORCESSL 1" >> "$T/other/etc/upsmon.conf"
if mon_env other "$UPSMON" -c reload; then tap_ok "-c reload"; else tap_fail "-c reload"; fi
# the parent logs its reload before it signals the children: wait for the
# network child's own line
if wait_for 50 grep -q "^upsmon-net: reloaded" "$T/upsmon-other.log"; then tap_ok "reloaded (parent and children)"; else tap_fail "reloaded"; mon_diag other; fi
tap_like "reload: a new FORCESSL is logged as needing a restart" "$(cat "$T/upsmon-other.log")" \
	"reload: FORCESSL changed: TLS settings are read at start only.*restart upsmon"
tap_unlike "reload: ... and the other TLS settings are not named" "$(cat "$T/upsmon-other.log")" \
	"reload: .*(CERTPATH|CERTIDENT|CERTVERIFY|CERTHOST).* changed"
if mon_env other "$UPSMON" -c st; then tap_ok "-c st (a prefix of stop)"; else tap_fail "-c st"; fi
if wait_for 100 sh -c "! kill -0 $MON_PID_other 2>/dev/null"; then tap_ok "other stopped"; else tap_fail "other stopped"; fi
if [ -e "$REC/other.shutdown" ]; then tap_fail "stop is not a shutdown"; else tap_ok "stop is not a shutdown"; fi
if wait_for 100 numlogins 2; then tap_ok "other logged out"; else tap_fail "other logged out"; fi

if mon_env pri "$UPSMON" -c fsd; then tap_ok "-c fsd"; else tap_fail "-c fsd"; fi
for m in sec pri; do
	if wait_for 200 test -s "$REC/$m.shutdown"; then tap_ok "$m: SHUTDOWNCMD ran"; else tap_fail "$m: SHUTDOWNCMD ran"; mon_diag $m; fi
done
tp=$(shutdown_time pri); ts=$(shutdown_time sec)
if [ -n "$tp" ] && [ -n "$ts" ] && lt "$ts" "$tp"; then tap_ok "secondary first"; else tap_fail "secondary first"; tap_diag "pri $tp sec $ts"; fi
tap_like "FSD is set on the UPS" "$(nut_get dummy ups.status)" "FSD"
if grep -q "forced shutdown requested" "$T/upsmon-pri.log"; then tap_ok "pri logged the request"; else tap_fail "pri logged the request"; fi
if mon_env pri "$UPSMON" -c fsd 2>/dev/null; then tap_fail "-c with no upsmon running fails"; else tap_ok "-c with no upsmon running fails"; fi
if mon_env pri "$UPSMON" -c bogus 2>/dev/null; then tap_fail "-c bogus fails"; else tap_ok "-c bogus fails"; fi
tap_done
