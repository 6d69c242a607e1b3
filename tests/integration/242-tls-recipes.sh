#!/bin/sh
# nutsec tests - 242-tls-recipes: the certutil/crlutil recipes of
# docs/tls.md and docs/tls-clients.md, taken from the markdown (the ```sh
# block after each "<!-- recipe: NAME -->" line) and run as written, with
# only /etc/nut and /root moved under the test directory, so that the
# documentation cannot rot: the server database, the CA, the server and
# client certificates, then against a running upsd (CERTREQUEST REQUIRE,
# CERTPASSWORDFILE) a client is served, revoked (its open session closed)
# and the server certificate rotated, each with `upsd -c reload` alone.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
tls_require
command -v crlutil >/dev/null 2>&1 || { echo "1..0 # SKIP crlutil not installed"; exit 0; }
require_root "(the recipes chgrp nut, upsd drops to nut)"
nut_setup
DOCS=$top_srcdir/docs
R=$T/fs				# stands for / (no "/root" in it: see recipe)
# the recipes' current directory (run_recipe)
RECIPE_CWD=$T/work
mkdir -p "$R/etc/nut" "$R/root" "$RECIPE_CWD"
chmod 0755 "$R" "$R/etc" "$R/etc/nut"
chmod 0700 "$R/root"

# the recipes' /etc/nut and /root, moved under $R; our upsd first on PATH
# shellcheck disable=SC2034 # RECIPE_*: read by recipe/run_recipe (tlslib.sh)
RECIPE_SED="s#/etc/nut#$R/etc/nut#g;s#/root#$R/root#g"
# where the recipes' home directory lands in the test
rhome=$R/root
# shellcheck disable=SC2034
RECIPE_PATH=$(dirname "$UPSD")

check_recipe "docs/tls.md: the server database, the CA and the server certificate" \
	"$DOCS/tls.md" server-db ca server-cert
tap_like "certutil -V says the server certificate is valid" "$(cat "$T/recipe-server-db.log")" \
	'certificate is valid'
cp "$rhome/ca.crt" "$RECIPE_CWD/rootca.crt"
check_recipe "docs/tls-clients.md: the client database trusting the CA" \
	"$DOCS/tls-clients.md" client-db
tap_like "the CA is trusted in the client database" "$(cat "$T/recipe-client-db.log")" \
	'Trusted CA'
check_recipe "docs/tls.md: a client certificate" "$DOCS/tls.md" client-cert
tap_like "certutil -V says the client certificate is valid" \
	"$(cat "$T/recipe-client-cert.log")" 'certificate is valid'

# A PEM copy of the client identity for tlsprobe (Python's ssl).
pk12util -o "$T/client.p12" -n upsmon-host1 -d "sql:$R/etc/nut/client_db" \
	-k "$R/etc/nut/client_db.pw" -W p12pass > "$T/pk12.log" 2>&1 &&
	openssl pkcs12 -in "$T/client.p12" -passin pass:p12pass -nodes -clcerts -out "$T/client.pem" \
	>> "$T/pk12.log" 2>&1 || tap_bail "cannot export the client identity: $(cat "$T/pk12.log")"

start_driver dummy || tap_bail "driver did not start"
write_upsd_conf "CERTPATH $R/etc/nut/cert_db" 'CERTIDENT "my nut server"' \
	"CERTPASSWORDFILE $R/etc/nut/cert_db.pw" "CERTREQUEST REQUIRE"
"$UPSD" -t > "$T/t.out" 2>&1
tap_is "upsd -t accepts the database the recipes made" "$?" 0
start_upsd -FF || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"

client() {	# LINE...: a TLS session with the recipe's client certificate
	tls_probe --ca "$R/root/ca.crt" --name ups.example.org --cert "$T/client.pem" "$@"
}
r=$(client PROTVER)
tap_like "the client is served, the server certificate verified" "$r" 'REPLY 1\.[0-9]'
tap_like "the server certificate is the first one (serial 100)" "$r" 'SERVER-SERIAL 64$'

client PROTVER '@WAIT-EOF 30' > "$T/session.out" 2>&1 &
PIDS="$PIDS $!"
wait_for 100 grep -q '^REPLY' "$T/session.out" || tap_bail "the session did not open"
check_recipe "docs/tls.md: revoking the client certificate" "$DOCS/tls.md" revoke
if wait_for 100 grep -q '^EOF' "$T/session.out"; then
	tap_ok "revoke: the open session is closed at the reload"
else
	tap_fail "revoke: the open session is closed at the reload"
	tap_diag "$(cat "$T/session.out")"
fi
tap_like "revoke: logged as the docs say" "$(cat "$T/upsd.log")" \
	"closing the TLS session of 'CN=upsmon-host1,O=Example': its client certificate has been revoked"
tap_unlike "revoke: a new session is refused" "$(client PROTVER)" 'REPLY 1\.'

# The rotation. The last check needs no client certificate: with TLS 1.3
# the client has the server's certificate before the server refuses it.
check_recipe "docs/tls.md: rotating the server certificate" "$DOCS/tls.md" rotate
tap_like "rotate: upsd serves the new certificate (serial 101)" "$(cat "$T/upsd.log")" \
	"now serving the renewed certificate 'my nut server' \\(2 under that name.*serial 0x0?65"
"$UPSD" -t > "$T/t2.out" 2>&1
tap_like "rotate: upsd -t names the new certificate" "$(cat "$T/t2.out")" \
	"certificate 'my nut server' .*serial 0x0?65"
r=$(tls_probe --ca "$R/root/ca.crt" --name ups.example.org PROTVER)
tap_like "rotate: a new connection gets the new certificate" "$r" 'SERVER-SERIAL 65$'

tap_check "upsd survived" kill -0 "$UPSD_PID"
tap_unlike "no filter violation in the log" "$(cat "$T/upsd.log")" 'is not allowed|Bad system call'
tap_done
