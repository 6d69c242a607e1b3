#!/bin/sh
# nutsec tests - 258-nutcert-names: the upsd.users lines nutcert prints for
# a client (certsubject, certissuer) stay true for names that are not plain
# ASCII. upsd's configuration keeps only printable ASCII, and '#' starts a
# comment, so nutcert writes such names the way both NSS and the reader
# take them back: bytes outside ASCII as RFC 4514 hex escapes, '#' escaped.
# A CA named 'UPS CA #2 Zürich', a client 'CN=Müller': the pasted lines load
# without a warning, and that client logs in as the bound user over TLS,
# while another certificate with its name from a second CA is refused.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"

: "${NUTCERT:=$top_builddir/certtool/nutcert}"

need_exe nutcert "$NUTCERT"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
tls_require
require_root "(nutcert writes root:nut databases, upsd drops to nut)"
nut_setup
W=$T/work
mkdir -p "$W"
chmod 0700 "$W"
printf 'ca-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" > "$W/ca.pw"
DBPW=db-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$DBPW" > "$W/db.pw"
printf 'p12-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" > "$W/p12.pw"
chmod 0600 "$W/ca.pw" "$W/db.pw" "$W/p12.pw"
PWS="--ca-password-file $W/ca.pw --db-password-file $W/db.pw"
P=$T/pki

# shellcheck disable=SC2086 # PWS: two options and their files
nc() {	# ARGS...: nutcert on PKI $P; stdout in $W/out, exit code in NC_RC
	"$NUTCERT" --pki "$P" "$@" > "$W/out" 2> "$W/err"
	NC_RC=$?
}
# shellcheck disable=SC2086
nc init --subject 'CN="UPS CA #2 Zürich",O=Example' --ca-password-file "$W/ca.pw"
tap_is "init: a CA whose name has '#' and a non-ASCII letter" "$NC_RC" 0
# shellcheck disable=SC2086
nc server upsd --host localhost --ip 127.0.0.1 --out "$T/srv" $PWS
tap_is "server: upsd's database" "$NC_RC" 0
# shellcheck disable=SC2086
nc client mon --subject "CN=Müller,O=Example" --out "$T/cl-mon" $PWS
tap_is "client: a subject with a non-ASCII letter" "$NC_RC" 0
cp "$W/out" "$W/mon.lines"
LINES=$(grep -E '^	cert(subject|issuer) = ' "$W/mon.lines")
tap_is "the two lines, in ASCII, as NSS reads names back" "$LINES" \
	"$(printf '\tcertsubject = "CN=M\\\\C3\\\\BCller,O=Example"\n\tcertissuer = "CN=\\"UPS CA \\#2 Z\\\\C3\\\\BCrich\\",O=Example"')"
tap_unlike "nothing outside printable ASCII in them" "$LINES" "$(printf '[\200-\377]')"

# a second CA, trusted by upsd for clients too, with a client of the same name
# shellcheck disable=SC2086
"$NUTCERT" --pki "$T/pki2" init --subject "CN=Other CA,O=Example" \
	--ca-password-file "$W/ca.pw" > /dev/null 2>&1 &&
"$NUTCERT" --pki "$T/pki2" client twin --subject "CN=Müller,O=Example" \
	--out "$T/cl-twin" $PWS > /dev/null 2>&1
tap_is "a second CA issues a certificate with the same subject" "$?" 0
certutil -A -d "sql:$T/srv" -f "$W/db.pw" -n other-ca -t "T,," -a -i "$T/pki2/ca.crt"
tap_is "upsd's database trusts the second CA for clients too" "$?" 0

write_upsd_conf "CERTPATH $T/srv" "CERTIDENT \"upsd\" \"$DBPW\"" "CERTREQUEST REQUIRE"
write_upsd_users
awk -v f="$W/mon.lines" '{ print }
	/^\[monpri\]$/ { while ((getline l < f) > 0) if (l ~ /^\tcert(subject|issuer) = /) print l }' \
	"$CONF/upsd.users" > "$W/users"
cat "$W/users" > "$CONF/upsd.users"
"$UPSD" -t > "$W/t.out" 2>&1
tap_is "upsd -t accepts the pasted lines" "$?" 0
tap_unlike "... without a warning about dropped bytes" "$(cat "$W/t.out")" "outside ASCII"
start_driver dummy || tap_bail "driver did not start"
start_upsd -FF || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy || tap_bail "ups dummy not ready"

key_pem() {	# NAME DB: the identity as PEM (key and certificate), via nutcert export
	"$NUTCERT" --pki "$3" export "$1" --db "$2" --p12 "$W/$1.p12" \
		--db-password-file "$W/db.pw" --p12-password-file "$W/p12.pw" > /dev/null 2>&1 &&
	"$OPENSSL" pkcs12 -in "$W/$1.p12" -passin "file:$W/p12.pw" -nodes -clcerts \
		-out "$W/$1.pem" > /dev/null 2>&1
}
key_pem mon "$T/cl-mon" "$P" || tap_bail "cannot export mon"
key_pem twin "$T/cl-twin" "$T/pki2" || tap_bail "cannot export twin"
login() {	# PEM: the reply to LOGIN as the bound user with that certificate
	tls_probe --ca "$P/ca.crt" --name localhost --cert "$1" \
		"USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy" | grep '^REPLY' | tail -n 1
}
tap_like "the bound client logs in with its certificate" "$(login "$W/mon.pem")" "^REPLY OK$"
tap_like "the same subject from the other CA is refused" "$(login "$W/twin.pem")" \
	"^REPLY ERR ACCESS-DENIED"
tap_like "... and upsd says which issuer it wanted" "$(cat "$T/upsd.log")" \
	"must use the certificate .*issued by"
tap_done
