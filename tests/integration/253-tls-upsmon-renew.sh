#!/bin/sh
# nutsec tests - 253-tls-upsmon-renew: a client certificate renewed under
# our running upsmon (three processes; the network child chrooted, its NSS
# database opened before the jail, read-only), upsd at CERTREQUEST REQUIRE,
# by docs/tls.md's recipe run as written (paths moved under the test
# directory as in 251):
#  - `nutcert renew` writes the new key and certificate into the database
#    upsmon has open, deletes the old ones and revokes the old certificate;
#  - after `nutcert crl --install` and `upsd -c reload`, upsd closes
#    upsmon's session (the old certificate is revoked), and upsmon's next
#    connection presents the renewed one and logs in again: no restart and
#    no reload of upsmon, and no handshake refused for the old certificate.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"
. "$LIBDIR/monlib.sh"

: "${NUTCERT:=$top_builddir/certtool/nutcert}"

need_exe nutcert "$NUTCERT"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upsmon "$UPSMON"
tls_require
command -v crlutil >/dev/null 2>&1 || { echo "1..0 # SKIP crlutil not installed"; exit 0; }
require_root "(nutcert writes root:nut databases, the daemons drop to nut)"
nut_setup
DOCS=$top_srcdir/docs
R=$T/fs				# stands for / (no "/root" in it), as in 251
mkdir -p "$R/etc/nut" "$R/root"
chmod 0755 "$R" "$R/etc" "$R/etc/nut"
chmod 0700 "$R/root"
# shellcheck disable=SC2034 # RECIPE_*: read by check_recipe (tlslib.sh)
RECIPE_SED="s#/etc/nut#$R/etc/nut#g;s#/root#$R/root#g"
# shellcheck disable=SC2034
RECIPE_PATH=$(dirname "$NUTCERT"):$(dirname "$UPSD")
PKIDIR=$R/root/nut-pki		# the CA and the password files: root only
SITE=$R/etc/nut/tls		# the databases, root:nut as nutcert makes them
W=$R/root
printf '%s\n' 'a long CA password' > "$W/ca.pw"
printf '%s\n' 'the database password' > "$W/db.pw"
chmod 0600 "$W/ca.pw" "$W/db.pw"
PWS="--ca-password-file $W/ca.pw --db-password-file $W/db.pw"

# the site of docs/tls.md's quick path, with one client
# shellcheck disable=SC2086 # PWS: two options and their files
"$NUTCERT" --pki "$PKIDIR" site --host localhost --ip 127.0.0.1 --client upsmon-host1 \
	--out "$SITE" $PWS > "$W/site.txt" 2> "$W/site.err" ||
	tap_bail "nutcert site failed: $(tail -n 3 "$W/site.err")"
write_upsd_conf "CERTPATH $SITE/upsd" "CERTIDENT \"upsd\" \"the database password\"" \
	"CERTREQUEST REQUIRE"
start_driver dummy || tap_bail "driver did not start"
start_upsd -FF || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy || tap_bail "ups dummy not ready"

# shellcheck disable=SC2034 # read by mon_setup (monlib.sh)
MON_LINES="MONITOR dummy@localhost:$PORT 1 $PRI_USER $PRI_PASS primary"
mon_setup m primary "$PRI_USER" "$PRI_PASS" "CERTPATH $SITE/upsmon-host1" \
	"CERTIDENT \"upsmon-host1\" \"the database password\"" "CERTVERIFY 1" "FORCESSL 1"
start_mon m
numlogins() { [ "$(nut_req 'GET NUMLOGINS dummy')" = "NUMLOGINS dummy $1" ]; }
established() {	# how many TLS sessions of CN=upsmon-host1 upsd has logged
	grep -c "TLS established .*client certificate CN=upsmon-host1" "$T/upsd.log"
}
if wait_for 150 numlogins 1; then
	tap_ok "upsmon logs in over TLS with its certificate"
else
	tap_fail "upsmon logs in over TLS with its certificate"
	mon_diag m
fi
tap_is "upsd saw one session with upsmon-host1's certificate" "$(established)" 1
tap_like "upsmon's network child is jailed, with the TLS filter" "$(cat "$T/upsmon-m.log")" \
	"upsmon-net: sandbox: user nut .*root [^ ]*/upsmon-jail\.[^ ]* .*seccomp filter upsmon-net\+tls"

serial() {	# NAME: its certificate's serial, as nutcert shows it
	"$NUTCERT" --pki "$PKIDIR" show "$1" 2>/dev/null | sed -n 's/^serial: *\(.*\)$/\1/p'
}
OLD=$(serial upsmon-host1)
check_recipe "docs/tls.md: renewing a client's certificate, as written (each line exits 0)" \
	"$DOCS/tls.md" nutcert-renew-client
NEW=$(serial upsmon-host1)
tap_unlike "the renewal has a new serial" "$NEW" "^(${OLD})?$"
tap_is "upsmon's database holds one certificate under the nickname" \
	"$(certutil -L -d "sql:$SITE/upsmon-host1" | grep -c '^upsmon-host1 ')" 1
tap_like "upsd -c reload said the reload is in force" \
	"$(cat "$T/recipe-nutcert-renew-client.log")" "reloaded: configuration reloaded"
closed() {
	grep -q "closing the TLS session of 'CN=upsmon-host1', user $PRI_USER: its client certificate has been revoked" \
		"$T/upsd.log"
}
if wait_for 100 closed; then
	tap_ok "upsd closes upsmon's session of the revoked certificate"
else
	tap_fail "upsd closes upsmon's session of the revoked certificate"
	tap_diag "$(tail -n 10 "$T/upsd.log")"
fi
again() { [ "$(established)" -ge 2 ] && numlogins 1; }
if wait_for 150 again; then
	tap_ok "upsmon comes back with the renewed certificate and logs in"
else
	tap_fail "upsmon comes back with the renewed certificate and logs in"
	tap_diag "$(tail -n 10 "$T/upsd.log")"
	mon_diag m
fi
tap_unlike "no handshake was refused for the old certificate" "$(cat "$T/upsd.log")" \
	"TLS handshake with .* failed: .*revoked"
# shellcheck disable=SC2154 # MON_PID_m: set by start_mon (monlib.sh), through eval
tap_is "the same upsmon, neither restarted nor reloaded" "$(cat "$T/m/run/upsmon.pid")" "$MON_PID_m"
tap_unlike "upsmon was not reloaded" "$(cat "$T/upsmon-m.log")" "reloaded"
tap_unlike "no filter violation in the logs" "$(cat "$T/upsd.log" "$T/upsmon-m.log")" \
	'is not allowed|Bad system call'
tap_done
