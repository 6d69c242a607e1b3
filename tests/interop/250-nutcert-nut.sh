#!/bin/sh
# nutsec tests - interop 250-nutcert-nut: the databases nutcert writes, used
# by Debian's NUT 2.8.0 (built with NSS):
#  - NUT's upsmon with a nutcert client database and the upsmon.conf lines
#    nutcert printed logs in to our upsd at CERTREQUEST REQUIRE over TLS;
#    with a client certificate revoked by nutcert (CRL installed, upsd
#    started afresh) it does not get in;
#  - NUT's upsd serves TLS from a nutcert server database, and our upsc with
#    a nutcert client database reads from it.
# Skips (never fails) when a Debian binary is missing.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop/lib.sh"
. "$LIBDIR/tlslib.sh"

: "${NUTCERT:=$top_builddir/certtool/nutcert}"

require_exe "NUT upsd" "$NUT_UPSD"
require_exe "NUT dummy-ups" "$NUT_DUMMY"
require_exe "NUT upsmon" "$NUT_UPSMON"
need_exe nutcert "$NUTCERT"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upsc "$UPSC"
tls_require
nut_setup
if ! unshare -m sh -c "mount --bind $T /run/nut" 2>/dev/null; then
	echo "1..0 # SKIP cannot give upsmon a private /run/nut (unshare -m / mount --bind)"
	exit 0
fi

W=$T/work
mkdir -p "$W"; chmod 0700 "$W"
printf 'ca-%s\n' "$$" > "$W/ca.pw"
DBPW=db-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$DBPW" > "$W/db.pw"
chmod 0600 "$W/ca.pw" "$W/db.pw"
nc() {	# ARGS...: nutcert on $T/pki, lines in $W/out
	"$NUTCERT" --pki "$T/pki" "$@" --ca-password-file "$W/ca.pw" > "$W/out" 2> "$W/err" ||
		tap_bail "nutcert $1 failed: $(cat "$W/err")"
}
nc site --host localhost --ip 127.0.0.1 --client mon rev --out "$T/site" --db-password-file "$W/db.pw"
tap_ok "nutcert site: upsd's database and two client databases"
start_driver dummy || tap_bail "driver did not start"
numlogins() { [ "$(nut_req 'GET NUMLOGINS dummy')" = "NUMLOGINS dummy $1" ]; }
has_line() { grep -Eq "$2" "$1" 2>/dev/null; }

# ---------------------------------------------------------------- NUT's upsmon -> our upsd
write_upsd_conf "CERTPATH $T/site/upsd" "CERTIDENT \"upsd\" \"$DBPW\"" "CERTREQUEST REQUIRE"
tls_restart_upsd || tap_bail "our upsd on nutcert's database did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy
# upsmon_run NAME: NUT's upsmon with the upsmon.conf lines nutcert printed
# for client NAME, in its own /run/nut; pid in MON_PID
upsmon_run() {
	_d=$T/mon-$1
	mkdir -p "$_d" "$T/run-$1"; chmod 0755 "$_d"
	chown root:nut "$T/run-$1"; chmod 0770 "$T/run-$1"
	{
		echo "MONITOR dummy@localhost:$PORT 1 $PRI_USER $PRI_PASS primary"
		printf 'MINSUPPLIES 1\nSHUTDOWNCMD "/bin/true"\nPOLLFREQ 1\nPOLLFREQALERT 1\nDEADTIME 15\nRUN_AS_USER nut\n'
		sed -n "/^## client $1:/,/^## /p" "$W/site.lines" | sed -n '/^# upsmon.conf/,/^# nutauth.conf/p' | grep -v '^#'
		echo "CERTHOST \"localhost\" \"localhost\" 1 1"
	} > "$_d/upsmon.conf"
	echo "MODE=standalone" > "$_d/nut.conf"
	chown root:nut "$_d/upsmon.conf"; chmod 0640 "$_d/upsmon.conf"
	nut_upsmon_start "$1"
}
cp "$W/out" "$W/site.lines"
tap_like "upsmon.conf lines for mon printed" "$(cat "$W/site.lines")" "^CERTIDENT \"mon\" \"$DBPW\"$"
upsmon_run mon
if wait_for 150 numlogins 1; then
	tap_ok "NUT upsmon with nutcert's client database -> our upsd REQUIRE: logged in"
else
	tap_fail "NUT upsmon with nutcert's client database -> our upsd REQUIRE: logged in"
	tap_diag "$(tail -n 15 "$T/upsmon-mon.log")"
fi
wait_for 50 has_line "$T/upsd.log" "logged in to UPS \[dummy\]"
tap_like "our upsd: (SSL) and the certificate CN=mon" "$(grep 'logged in to UPS \[dummy\]' "$T/upsd.log" | tail -n 1)" "\(SSL\).*CN=mon"
nut_upsmon_stop
wait_for 100 numlogins 0

# revoked by nutcert: the CRL installed, upsd started afresh
nc revoke rev --reason keyCompromise
nc crl --install "$T/site/upsd" --db-password-file "$W/db.pw"
tls_restart_upsd || tap_bail "our upsd with the CRL did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy
upsmon_run rev
wait_for 200 has_line "$T/upsmon-rev.log" "connect failed|Logged into UPS|[Ll]ogin.*failed|Set username.*failed"
tap_unlike "NUT upsmon with a revoked nutcert certificate: never logged in" "$(cat "$T/upsmon-rev.log")" "Logged into UPS"
tap_check "... NUMLOGINS 0" numlogins 0
wait_for 50 has_line "$T/upsd.log" "TLS handshake with 127\.0\.0\.1 failed: .*revoked"
tap_like "our upsd logs the revocation" "$(grep 'TLS handshake with' "$T/upsd.log")" "failed: .*revoked"
nut_upsmon_stop

# ---------------------------------------------------------------- our upsc -> NUT's upsd
STACK_UPSD_EXTRA=$(printf 'CERTPATH %s\nCERTIDENT "upsd" "%s"\nDISABLE_WEAK_SSL true\n' "$T/site/upsd" "$DBPW") \
	stack_start nut "$NUT_UPSD" "$NUT_DUMMY" || tap_bail "NUT's upsd on nutcert's database did not start: $(tail -n 5 "$T/nut-upsd.log")"
sed -n '/^## client mon:/,/^## /p' "$W/site.lines" | sed -n '/^# nutauth.conf/,/^# upsd.users/p' | grep -v '^#' > "$W/mon.auth"
chmod 0600 "$W/mon.auth"
r=$("$UPSC" -A "$W/mon.auth" "dummy@localhost:$nut_PORT" ups.status 2>&1)
tap_is "our upsc with nutcert's client database -> NUT upsd on nutcert's server database" "$r" "OL"
tap_like "NUT upsd logged the TLS handshake" "$(cat "$T/nut-upsd.log")" "SSL handshake done successfully"
tap_done
