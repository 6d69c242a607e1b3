#!/bin/sh
# nutsec tests - interop 165-our-upsmon: our upsmon (three processes)
# against Debian's NUT 2.8 upsd with NUT's dummy-ups, as a primary and a
# secondary: ONBATT and ONLINE, then OB+LB: the primary sets FSD on NUT's
# upsd, the secondary shuts down first, then the primary. Then over TLS
# (NUT's upsd with its NSS database, our upsmon with CERTVERIFY and
# FORCESSL): it polls over TLS, and with a database that cannot verify
# NUT's certificate it never logs in (no plaintext fallback).
# Skips (never fails) when a Debian binary is missing.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop/lib.sh"
. "$LIBDIR/monlib.sh"
. "$LIBDIR/tlslib.sh"

require_exe "NUT upsd" "$NUT_UPSD"
require_exe "NUT dummy-ups" "$NUT_DUMMY"
need_exe upsmon "$UPSMON"
nut_setup
stack_start nut "$NUT_UPSD" "$NUT_DUMMY" || tap_bail "NUT's upsd did not start: $(tail -n 5 "$T/nut-upsd.log")"
P=$nut_PORT
req() { "$PY" "$LIBDIR/nutclient.py" -p "$P" "$@"; }
nadm() { req "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" "$@" | tail -n 1; }
numlogins() { [ "$(req 'GET NUMLOGINS dummy')" = "NUMLOGINS dummy $1" ]; }

MON_LINES="MONITOR dummy@127.0.0.1:$P 1 $PRI_USER $PRI_PASS primary"
mon_setup pri primary x x
MON_LINES="MONITOR dummy@127.0.0.1:$P 1 $SEC_USER $SEC_PASS secondary"
mon_setup sec secondary x x
MON_LINES=
start_mon pri
start_mon sec
if wait_for 150 numlogins 2; then tap_ok "both logged in to NUT's upsd (NUMLOGINS 2)"; else tap_fail "both logged in"; tap_diag "$(req 'GET NUMLOGINS dummy')"; mon_diag pri; fi
if grep -q "logged in as primary" "$T/upsmon-pri.log"; then tap_ok "NUT's upsd granted PRIMARY"; else tap_fail "PRIMARY granted"; fi
tap_is "OB on NUT's dummy-ups" "$(nadm 'SET VAR dummy ups.status OB')" "OK"
for m in pri sec; do
	if wait_for 150 has_notify $m ONBATT; then tap_ok "$m: ONBATT"; else tap_fail "$m: ONBATT"; mon_diag $m; fi
done
tap_is "OL" "$(nadm 'SET VAR dummy ups.status OL')" "OK"
for m in pri sec; do
	if wait_for 150 has_notify $m ONLINE; then tap_ok "$m: ONLINE"; else tap_fail "$m: ONLINE"; mon_diag $m; fi
done
tap_is "OB LB" "$(nadm 'SET VAR dummy ups.status "OB LB"')" "OK"
for m in sec pri; do
	if wait_for 200 test -s "$REC/$m.shutdown"; then tap_ok "$m: SHUTDOWNCMD ran"; else tap_fail "$m: SHUTDOWNCMD ran"; mon_diag $m; fi
done
tp=$(shutdown_time pri); ts=$(shutdown_time sec)
if [ -n "$tp" ] && [ -n "$ts" ] && lt "$ts" "$tp"; then tap_ok "secondary first"; else tap_fail "secondary first"; tap_diag "pri $tp sec $ts"; fi
tap_like "FSD set on NUT's upsd" "$(req 'GET VAR dummy ups.status')" "FSD"
if has_notify sec FSD; then tap_ok "sec: FSD notified"; else tap_fail "sec: FSD notified"; fi
if wait_for 100 numlogins 0; then tap_ok "both logged out"; else tap_fail "both logged out"; fi

# ---------------------------------------------------------------- TLS
if ! command -v "$CERTUTIL" >/dev/null 2>&1; then
	tap_skip "TLS against NUT's upsd" "certutil not installed"
	tap_done
fi
tls_pki
STACK_UPSD_EXTRA=$(printf 'CERTPATH %s\nCERTIDENT "server" "%s"\nDISABLE_WEAK_SSL true\n' "$PKI/srv" "$PKI_PW") \
	stack_start nuttls "$NUT_UPSD" "$NUT_DUMMY" || tap_bail "NUT's upsd with TLS did not start: $(tail -n 5 "$T/nuttls-upsd.log")"
P=$nuttls_PORT
MON_LINES="MONITOR dummy@localhost:$P 1 $PRI_USER $PRI_PASS primary
$(tls_upsmon_lines cl-mon mon localhost 1 1)"
mon_setup tls primary x x
MON_LINES="MONITOR dummy@localhost:$P 1 $PRI_USER $PRI_PASS primary
$(tls_upsmon_lines cl-untrusting '' localhost 1 1)"
mon_setup untr primary x x
MON_LINES=
start_mon tls
start_mon untr
if wait_for 150 mon_logged_in tls; then tap_ok "TLS: logged in to NUT's upsd"; else tap_fail "TLS: logged in"; mon_diag tls; fi
if grep -q "no TLS on this connection" "$T/upsmon-tls.log"; then tap_fail "TLS: the session is encrypted"; else tap_ok "TLS: the session is encrypted"; fi
tap_is "TLS: OB" "$(nadm 'SET VAR dummy ups.status OB')" "OK"
if wait_for 150 has_notify tls ONBATT; then tap_ok "TLS: ONBATT"; else tap_fail "TLS: ONBATT"; mon_diag tls; fi
tap_is "TLS: OL" "$(nadm 'SET VAR dummy ups.status OL')" "OK"
if wait_for 150 has_notify tls ONLINE; then tap_ok "TLS: ONLINE"; else tap_fail "TLS: ONLINE"; fi
if wait_for 100 has_notify untr COMMBAD; then tap_ok "unverifiable server: COMMBAD"; else tap_fail "unverifiable server: COMMBAD"; mon_diag untr; fi
if mon_logged_in untr; then tap_fail "unverifiable server: never logged in"; else tap_ok "unverifiable server: never logged in"; fi
if [ -e "$REC/tls.shutdown" ] || [ -e "$REC/untr.shutdown" ]; then tap_fail "no shutdown"; else tap_ok "no shutdown"; fi
tap_done
