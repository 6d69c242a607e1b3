#!/bin/sh
# nutsec tests - 257-nutcert-subject: a client certificate's subject is the
# identity upsd binds a user to (certsubject in upsd.users), so nutcert
# refuses to issue a client certificate whose subject another valid client
# certificate already has: not through sign-csr (the request chooses its
# subject: a request saying CN=mon1 would have logged in as mon1's user),
# not through client --subject. Its own name again (renew, --force) and
# servers sharing a host name stay allowed. Control characters a request
# carries (subject, DNS name) never reach the terminal raw.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

: "${NUTCERT:=$top_builddir/certtool/nutcert}"
: "${CERTUTIL:=certutil}"

need_exe nutcert "$NUTCERT"
command -v "$CERTUTIL" >/dev/null 2>&1 || { echo "1..0 # SKIP certutil not installed"; exit 0; }
nut_setup

P=$T/pki
W=$T/work
mkdir -p "$W"
chmod 0700 "$W"
printf 'ca-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" > "$W/ca.pw"
printf 'db-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" > "$W/db.pw"
chmod 0600 "$W/ca.pw" "$W/db.pw"

nc() {
	"$NUTCERT" --quiet --pki "$P" "$@" --ca-password-file "$W/ca.pw" > "$W/out" 2> "$W/err"
	NC_RC=$?
}
# req SUBJECT FILE: a request for a key made elsewhere
req() {
	rm -rf "$W/other"
	mkdir "$W/other"
	"$CERTUTIL" -N -d "sql:$W/other" --empty-password
	head -c 2048 /dev/urandom > "$W/noise"
	"$CERTUTIL" -R -d "sql:$W/other" -s "$1" -k ec -q nistp256 -z "$W/noise" \
		-o "$2" > /dev/null 2>&1
}

nc init
tap_is "init" "$NC_RC" 0
nc client mon1 --out "$T/mon1" --db-password-file "$W/db.pw"
tap_is "client mon1 (CN=mon1)" "$NC_RC" 0

req "CN=mon1" "$W/mon1.req"
nc sign-csr intruder --csr "$W/mon1.req" --profile client --cert-out "$W/intruder.crt"
tap_is "sign-csr of a request saying CN=mon1 under another name: exit 3" "$NC_RC" 3
tap_like "... naming the certificate that has that subject" "$(cat "$W/err")" \
	"subject 'CN=mon1' is the subject of 'mon1'"
tap_check "... and nothing was written" test ! -s "$W/intruder.crt"
req "cn=MON1" "$W/mon1b.req"
nc sign-csr intruder --csr "$W/mon1b.req" --profile client
tap_is "the same subject in other letter case: exit 3" "$NC_RC" 3

nc client mon2 --subject "CN=mon1" --out "$T/mon2" --db-password-file "$W/db.pw"
tap_is "client mon2 --subject CN=mon1: exit 3" "$NC_RC" 3
tap_check "... and no database was made" test ! -e "$T/mon2/cert9.db"

req "CN=laptop" "$W/laptop.req"
nc sign-csr laptop --csr "$W/laptop.req" --profile client --cert-out "$W/laptop.crt"
tap_is "sign-csr of a request with a subject of its own" "$NC_RC" 0
# what a request says reaches the terminal escaped: a subject through
# NSS's RFC 4514 text, a refused DNS name through nutcert's own escaping
ESC=$(printf '\033')
req "CN=evil${ESC}[31mred" "$W/evil.req"
nc sign-csr evil --csr "$W/evil.req" --profile client --cert-out "$W/evil.crt"
tap_is "sign-csr of a subject with an escape character" "$NC_RC" 0
"$NUTCERT" --pki "$P" list > "$W/list" 2>&1
"$NUTCERT" --pki "$P" show evil > "$W/show" 2>&1
tap_check "... list and show print no raw control character" \
	sh -c "! grep -q '$ESC' '$W/list' '$W/show'"
tap_like "... but the escaped subject" "$(cat "$W/show")" 'CN=evil\\1b\[31mred'
rm -rf "$W/other"
mkdir "$W/other"
"$CERTUTIL" -N -d "sql:$W/other" --empty-password
"$CERTUTIL" -R -d "sql:$W/other" -s "CN=q1" --extSAN "dns:x${ESC}y" -k ec -q nistp256 \
	-z "$W/noise" -o "$W/q.req" > /dev/null 2>&1
nc sign-csr q1 --csr "$W/q.req" --profile client --copy-extensions
tap_is "a request's DNS name with an escape character: refused (exit 3)" "$NC_RC" 3
tap_like "... the name shown escaped" "$(cat "$W/err")" "DNS name 'x\\\\x1by'"
tap_check "... with no raw control character" sh -c "! grep -q '$ESC' '$W/err'"
nc client mon1 --out "$T/mon1" --db-password-file "$W/db.pw" --force
tap_is "mon1 again with --force (its own subject)" "$NC_RC" 0
nc server upsd1 --host ups.example --out "$T/upsd1" --db-password-file "$W/db.pw"
tap_is "a server for ups.example" "$NC_RC" 0
nc server upsd2 --host ups.example --out "$T/upsd2" --db-password-file "$W/db.pw"
tap_is "another server for the same host name" "$NC_RC" 0
tap_done
