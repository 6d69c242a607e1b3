#!/bin/sh
# nutsec tests - 250-nutcert: nutcert's golden flows with the real certutil
# and crlutil in a temp dir, then our upsd and our upsc completing TLS with
# what it issued at every CERTREQUEST level, using the configuration lines
# nutcert printed; openssl verify -x509_strict with the right -purpose on
# every certificate; revocation (a freshly started upsd refuses the revoked
# client after `crl --install`, another client still gets in; the same on
# a running upsd with `upsd -c reload` is 251-nutcert-live); and the
# refusals, each with its message and exit code (docs/nutcert.md).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"

: "${NUTCERT:=$top_builddir/certtool/nutcert}"
: "${CRLUTIL:=crlutil}"

need_exe nutcert "$NUTCERT"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upsc "$UPSC"
tls_require
command -v "$CRLUTIL" >/dev/null 2>&1 || { echo "1..0 # SKIP crlutil not installed"; exit 0; }
nut_setup

P=$T/pki			# the CA's directory
W=$T/work			# password files, requests, exports
mkdir -p "$W"
chmod 0700 "$W"
printf 'ca-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" > "$W/ca.pw"
DBPW=db-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
printf '%s\n' "$DBPW" > "$W/db.pw"
printf 'not-it\n' > "$W/wrong.pw"
chmod 0600 "$W/ca.pw" "$W/db.pw" "$W/wrong.pw"
CAPW="--ca-password-file $W/ca.pw"
DBPWF="--db-password-file $W/db.pw"

# nc ARGS...: nutcert --pki $P ARGS; stdout in $W/out, stderr in $W/err,
# exit code in $NC_RC
nc() {
	"$NUTCERT" --pki "$P" "$@" > "$W/out" 2> "$W/err"
	NC_RC=$?
}
# nc_ok DESC ARGS...: exit 0
nc_ok() {
	_d=$1; shift
	nc "$@"
	if [ "$NC_RC" -eq 0 ]; then tap_ok "$_d"; else
		tap_fail "$_d"; tap_diag "exit $NC_RC: $(cat "$W/err")"; fi
}
# nc_refused DESC CODE ERE ARGS...: exit CODE and stderr matching ERE
nc_refused() {
	_d=$1; _c=$2; _re=$3; shift 3
	nc "$@"
	tap_is "$_d: exit code $_c" "$NC_RC" "$_c"
	tap_like "$_d: says why" "$(cat "$W/err")" "$_re"
}
# pem DB NICK FILE: the certificate as certutil exports it
pem() {
	"$CERTUTIL" -L -d "sql:$1" -n "$2" -a > "$3" 2>/dev/null
}
# strict PURPOSE FILE: openssl verify -x509_strict against our CA
strict() {
	"$OPENSSL" verify -x509_strict -purpose "$1" -CAfile "$P/ca.crt" "$2" 2>&1
}

# ---------------------------------------------------------------- help
"$NUTCERT" help > "$W/help" 2>&1
tap_is "help: exit 0" "$?" "0"
tap_like "help: every command" "$(tr '\n' ' ' < "$W/help")" "init .*server NAME .*client NAME .*revoke NAME .*crl .*sign-csr .*renew .*export .*import .*site .*list .*show .*verify .*expiring"
tap_like "help: the exit codes" "$(cat "$W/help")" "Exit codes: 0 ok, 1 usage"
"$NUTCERT" --pki "$P" frobnicate > /dev/null 2> "$W/err"
tap_is "an unknown command: exit 1" "$?" "1"
"$NUTCERT" --pki "$P" server > /dev/null 2> "$W/err"
tap_is "server without NAME: exit 1" "$?" "1"
tap_like "... shows the usage" "$(cat "$W/err")" "usage: nutcert --pki DIR server NAME --host"

# ---------------------------------------------------------------- init
nc_ok "init: a CA (EC P-256 by default)" init $CAPW
tap_is "init: the CA directory is private" "$(stat -c %a "$P")" "700"
ca_txt=$("$OPENSSL" x509 -in "$P/ca.crt" -noout -text 2>&1)
tap_like "CA: EC P-256" "$ca_txt" "NIST CURVE: P-256|prime256v1"
tap_like "CA: SHA-256 signature" "$ca_txt" "Signature Algorithm: ecdsa-with-SHA256"
tap_like "CA: basicConstraints critical CA:TRUE" "$(printf '%s\n' "$ca_txt" | grep -A1 'Basic Constraints')" "critical"
tap_like "CA: ... CA:TRUE" "$ca_txt" "CA:TRUE"
tap_like "CA: keyUsage critical certSign, cRLSign" "$(printf '%s\n' "$ca_txt" | grep -A1 'Key Usage: critical')" "Certificate Sign, CRL Sign"
tap_like "CA: subject key identifier" "$ca_txt" "Subject Key Identifier"
tap_like "CA: authority key identifier" "$ca_txt" "Authority Key Identifier"
tap_like "CA: openssl verify -x509_strict accepts it" "$(strict any "$P/ca.crt")" ": OK$"
nc_ok "init again: harmless" init $CAPW
tap_like "init again: says unchanged" "$(cat "$W/err")" "unchanged"
nc_refused "init with another subject" 5 "exists already.*--force" init --subject "CN=Other CA" $CAPW
nc_refused "init: RSA 1024" 3 "RSA key of 1024 bits is weak" --pki "$T/pki-rsa" init --key rsa --bits 1024 $CAPW
"$NUTCERT" --pki "$T/pki-rsa" init --key rsa --bits 2048 --subject "CN=RSA test CA" $CAPW > /dev/null 2>&1
tap_is "init: RSA 2048 on request" "$?" "0"
tap_like "init: ... is RSA 2048" "$("$OPENSSL" x509 -in "$T/pki-rsa/ca.crt" -noout -text)" "Public-Key: \(2048 bit\)"
nc_ok "init --force: a new CA, the old one moved aside" --pki "$T/pki-rsa" init --force --subject "CN=RSA test CA 2" $CAPW
tap_like "init --force: the new CA" "$("$OPENSSL" x509 -in "$T/pki-rsa/ca.crt" -noout -subject)" "RSA test CA 2"
tap_check "init --force: the old CA kept aside" sh -c "ls -d '$T/pki-rsa'/ca.replaced-* >/dev/null"

# ---------------------------------------------------------------- server, clients
SRV=$T/srvdb
nc_ok "server: upsd's certificate and database" server upsd --host localhost --ip 127.0.0.1 ::1 --out "$SRV" $CAPW $DBPWF
cp "$W/out" "$W/server.lines"
tap_like "server: prints CERTPATH" "$(cat "$W/server.lines")" "^CERTPATH $SRV$"
tap_like "server: prints CERTIDENT with the nickname and the password" "$(cat "$W/server.lines")" "^CERTIDENT \"upsd\" \"$DBPW\"$"
tap_is "server DB: directory root:nut 0750" "$(stat -c '%U:%G %a' "$SRV")" "root:nut 750"
tap_is "server DB: files root:nut 0640, none readable by others" \
	"$(stat -c '%U:%G %a' "$SRV"/cert9.db "$SRV"/key4.db | sort -u)" "root:nut 640"
tap_like "server DB: the CA trusted CT,, (verifies client certificates)" \
	"$("$CERTUTIL" -L -d "sql:$SRV")" "nutcert-ca +CT,, *$"
tap_like "server DB: the server certificate is a user certificate" \
	"$("$CERTUTIL" -L -d "sql:$SRV")" "upsd +u,u,u"
pem "$SRV" upsd "$W/upsd.pem"
tap_like "server: openssl -x509_strict -purpose sslserver accepts it" "$(strict sslserver "$W/upsd.pem")" ": OK$"
s_txt=$("$OPENSSL" x509 -in "$W/upsd.pem" -noout -text)
tap_like "server: SANs" "$s_txt" "DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1"
tap_like "server: serverAuth" "$s_txt" "TLS Web Server Authentication"
tap_like "server: 16-byte random serial" "$("$OPENSSL" x509 -in "$W/upsd.pem" -noout -serial)" "^serial=[4-7][0-9A-F]{31}$"
tap_like "server: authority key identifier" "$s_txt" "Authority Key Identifier"
tap_unlike "server: not a CA" "$s_txt" "CA:TRUE"
tap_unlike "server: openssl refuses it for a client" "$(strict sslclient "$W/upsd.pem")" ": OK$"

for c in mon admin rev; do
	nc_ok "client $c: certificate and database" client "$c" --out "$T/cl-$c" $CAPW $DBPWF
	cp "$W/out" "$W/$c.lines"
	pem "$T/cl-$c" "$c" "$W/$c.pem"
	tap_like "client $c: openssl -x509_strict -purpose sslclient accepts it" "$(strict sslclient "$W/$c.pem")" ": OK$"
done
tap_unlike "client: openssl refuses it for a server" "$(strict sslserver "$W/mon.pem")" ": OK$"
tap_like "client: clientAuth" "$("$OPENSSL" x509 -in "$W/mon.pem" -noout -text)" "TLS Web Client Authentication"
tap_like "client DB: the CA trusted for servers (C,,)" "$("$CERTUTIL" -L -d "sql:$T/cl-mon")" "nutcert-ca +C,, *$"
tap_like "client: prints the upsmon.conf CERTIDENT" "$(cat "$W/mon.lines")" "^CERTIDENT \"mon\" \"$DBPW\"$"
tap_like "client: prints the nutauth.conf lines" "$(cat "$W/mon.lines")" "^CERTIDENT_NAME \"mon\"$"
tap_like "client: prints the upsd.users certsubject line" "$(cat "$W/mon.lines")" "certsubject = \"CN=mon\"$"
tap_like "client: ... and the certissuer line, the CA's name" "$(cat "$W/mon.lines")" \
	"^	certissuer = \"CN=NUT CA [^\"]*,O=nutcert\"$"
s1=$("$OPENSSL" x509 -in "$W/mon.pem" -noout -serial)
s2=$("$OPENSSL" x509 -in "$W/admin.pem" -noout -serial)
tap_unlike "serials differ" "$s1" "^${s2}$"

nc_ok "client again, same request: harmless" client mon --out "$T/cl-mon" $CAPW $DBPWF
tap_like "client again: unchanged" "$(cat "$W/err")" "unchanged"
tap_is "client again: the same certificate" "$(pem "$T/cl-mon" mon /dev/stdout)" "$(cat "$W/mon.pem")"

# ---------------------------------------------------------------- TLS with what was issued
start_driver dummy || tap_bail "driver did not start"
# the client file of our upsc: nutcert's nutauth.conf lines
authfile() {
	sed -n '/^# nutauth.conf/,/^# upsd.users/p' "$W/$1.lines" | grep -v '^#' > "$W/$1.auth"
	chmod 0600 "$W/$1.auth"
}
for c in mon admin rev; do authfile $c; done
printf 'CERTPATH %s\nCERTVERIFY 1\nFORCESSL 1\n' "$T/cl-mon" > "$W/nocert.auth"
chmod 0600 "$W/nocert.auth"
upsc_as() {	# CLIENT: ups.status through TLS with that client's file
	"$UPSC" -A "$W/$1.auth" dummy@localhost:"$PORT" ups.status 2>&1
}
# the server's lines as nutcert printed them
SRV_LINES=$(grep -E '^(CERTPATH|CERTIDENT) ' "$W/server.lines")
for lv in NO REQUEST REQUIRE; do
	# shellcheck disable=SC2046
	write_upsd_conf "$(printf '%s\n' "$SRV_LINES" | sed -n 1p)" "$(printf '%s\n' "$SRV_LINES" | sed -n 2p)" "CERTREQUEST $lv"
	if ! tls_restart_upsd; then
		tap_fail "upsd starts with nutcert's database at CERTREQUEST $lv"
		tap_diag "$(tail -n 5 "$T/upsd.log")"
		continue
	fi
	wait_ups dummy
	tap_is "CERTREQUEST $lv: upsc with nutcert's client database" "$(upsc_as mon)" "OL"
	r=$(upsc_as nocert)
	if [ "$lv" = NO ]; then
		tap_is "CERTREQUEST $lv: upsc without a certificate (server verified)" "$r" "OL"
	else
		tap_unlike "CERTREQUEST $lv: upsc without a certificate refused" "$r" "^OL$"
	fi
done

# ---------------------------------------------------------------- revocation
nc_ok "revoke rev" revoke rev --reason keyCompromise $CAPW
rev_serial=$("$OPENSSL" x509 -in "$W/rev.pem" -noout -serial | sed 's/^serial=//')
tap_like "revoke: the CRL lists its serial" "$("$OPENSSL" crl -in "$P/crl.pem" -noout -text)" "Serial Number: $rev_serial"
tap_like "revoke: the CRL is signed by the CA" "$("$OPENSSL" crl -in "$P/crl.pem" -CAfile "$P/ca.crt" -noout 2>&1)" "verify OK"
nc_ok "revoke again: harmless" revoke rev $CAPW
nc_ok "crl --install into upsd's database" crl --install "$SRV" $CAPW $DBPWF
tap_like "crl: crlutil lists it in upsd's database" "$("$CRLUTIL" -L -d "sql:$SRV")" "nutcert-ca"
tap_is "crl: upsd's database keeps its modes" "$(stat -c '%U:%G %a' "$SRV"/cert9.db)" "root:nut 640"
# a freshly started upsd reads the CRL (a running one at upsd -c reload: 251)
tls_restart_upsd || tap_bail "upsd with the CRL did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy
r=$(upsc_as rev)
tap_unlike "REQUIRE + CRL: the revoked client is refused" "$r" "^OL$"
tap_like "REQUIRE + CRL: ... upsc says why" "$r" "revoked"
# (the log line may follow the client's exit by a moment)
upsd_said() { grep -q "TLS handshake with .*revoked" "$T/upsd.log"; }
wait_for 50 upsd_said
tap_like "REQUIRE + CRL: ... upsd logs it" "$(grep 'TLS handshake with' "$T/upsd.log")" "revoked"
tap_is "REQUIRE + CRL: another client still gets in" "$(upsc_as admin)" "OL"
nc verify rev
tap_is "verify rev: exit 2 (revoked)" "$NC_RC" "2"
tap_like "verify rev: says revoked" "$(cat "$W/out")" "revoked"

# ---------------------------------------------------------------- list, show, verify, expiring
nc_ok "list" list
tap_like "list: the revoked client" "$(cat "$W/out")" "^revoked +client +rev "
nc_ok "list --json" list --json
tap_check "list --json: valid JSON" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert any(e["name"]=="upsd" for e in d)' "$W/out"
nc_ok "show upsd" show upsd
tap_like "show: subject, names, usages, serial, fingerprint" "$(tr '\n' '|' < "$W/out")" \
	"subject: +CN=localhost.*names: +dns:localhost,ip:127.0.0.1,ip:::1.*usages: +digitalSignature,serverAuth.*serial: +[0-9A-F]{32}.*SHA-256: +([0-9A-F]{2}:){31}[0-9A-F]{2}"
nc_ok "verify upsd --host localhost" verify upsd --host localhost
nc verify upsd --host other.invalid
tap_is "verify upsd --host other.invalid: exit 2" "$NC_RC" "2"
tap_like "verify: names the host" "$(cat "$W/out")" "do not include 'other.invalid'"
nc verify mon --usage server
tap_is "verify mon --usage server: exit 2" "$NC_RC" "2"
nc_ok "expiring --days 29: nothing" expiring --days 29
nc expiring --days 31
tap_is "expiring --days 31: the CRL's next update is due: exit 10" "$NC_RC" "10"
tap_like "expiring: says the CRL" "$(cat "$W/out")" "^expiring crl: "
nc expiring --days 2000
tap_is "expiring --days 2000: exit 10 (soon)" "$NC_RC" "10"
nc_ok "client old: issued already expired (--backdate-days)" client old --days 1 --backdate-days 3 --out "$T/cl-old" $CAPW $DBPWF
nc expiring --days 29
tap_is "expiring: an expired certificate: exit 11" "$NC_RC" "11"
tap_like "expiring: names it" "$(cat "$W/out")" "^expired client 'old'"
nc expiring --days 29 --json
tap_check "expiring --json: valid JSON naming it" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d[0]["name"]=="old" and d[0]["state"]=="expired"' "$W/out"

# ---------------------------------------------------------------- renew, export, import
nc_ok "renew admin: a new key and certificate, same names" renew admin $CAPW $DBPWF
tap_like "renew: into the database it was installed into" "$(cat "$W/err")" "renewing 'admin' in $T/cl-admin"
nc list
tap_like "renew: the old one is revoked (superseded)" "$(cat "$W/out")" "^revoked +client +admin "
tap_like "renew: the new one is valid" "$(cat "$W/out")" "^valid +client +admin "
pem "$T/cl-admin" admin "$W/admin2.pem"
tap_unlike "renew: another certificate in the database" "$(cat "$W/admin2.pem")" "^$(sed -n 2p "$W/admin.pem")$"
tap_is "renew: our upsc with the renewed client database" "$(upsc_as admin)" "OL"
printf 'p12-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" > "$W/p12.pw"
chmod 0600 "$W/p12.pw"
P12PW="--p12-password-file $W/p12.pw"
nc_ok "export mon to PKCS#12" export mon --db "$T/cl-mon" --p12 "$W/mon.p12" $DBPWF $P12PW
tap_is "export: the file is 0600" "$(stat -c %a "$W/mon.p12")" "600"
tap_check "export: pk12util reads it" "$PK12UTIL" -l "$W/mon.p12" -w "$W/p12.pw"
nc_refused "export over an existing file" 5 "exists already; --force" export mon --db "$T/cl-mon" --p12 "$W/mon.p12" $DBPWF $P12PW
nc_ok "import into a new database" import --p12 "$W/mon.p12" --out "$T/cl-copy" $DBPWF $P12PW
tap_like "import: the CA trusted for servers" "$("$CERTUTIL" -L -d "sql:$T/cl-copy")" "nutcert-ca +C,, *$"
sed "s|^CERTPATH .*|CERTPATH $T/cl-copy|" "$W/mon.auth" > "$W/copy.auth"; chmod 0600 "$W/copy.auth"
tap_is "import: our upsc with the imported identity" "$(upsc_as copy)" "OL"
nc_refused "import: wrong PKCS#12 password" 4 "wrong PKCS#12 password" import --p12 "$W/mon.p12" --out "$T/cl-copy2" $DBPWF --p12-password-file "$W/wrong.pw"
tap_check "import: ... the database it made is removed again" test ! -e "$T/cl-copy2"

# ---------------------------------------------------------------- certsubject binding
# upsd.users binds monpri to the subject nutcert printed; the key for the
# independent OpenSSL peer comes out of nutcert's PKCS#12 export
"$OPENSSL" pkcs12 -in "$W/mon.p12" -passin "file:$W/p12.pw" -nodes -clcerts -out "$W/mon-key.pem" 2>/dev/null
"$NUTCERT" --pki "$P" export admin --db "$T/cl-admin" --p12 "$W/admin.p12" $DBPWF $P12PW 2>/dev/null
"$OPENSSL" pkcs12 -in "$W/admin.p12" -passin "file:$W/p12.pw" -nodes -clcerts -out "$W/admin-key.pem" 2>/dev/null
write_upsd_users
sed -n 's/^[[:space:]]*\(cert\(subject\|issuer\) = .*\)$/\1/p' "$W/mon.lines" > "$W/mon.bind"
awk -v f="$W/mon.bind" '{ print } /^\[monpri\]$/ { while ((getline l < f) > 0) print "\t" l }' \
	"$CONF/upsd.users" > "$W/users"
cat "$W/users" > "$CONF/upsd.users"
tap_like "certsubject line pasted into upsd.users" "$(cat "$CONF/upsd.users")" 'certsubject = "CN=mon"'
tap_like "certissuer line pasted beside it" "$(cat "$CONF/upsd.users")" 'certissuer = "CN=NUT CA '
tls_restart_upsd || tap_bail "upsd with certsubject and certissuer did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy
r=$(tls_probe --ca "$P/ca.crt" --name localhost --cert "$W/mon-key.pem" "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy" LOGOUT)
tap_like "certsubject: $PRI_USER with its nutcert certificate logs in" "$r" "^REPLY OK$"
tap_unlike "certsubject: ... no error" "$r" "^REPLY ERR"
r=$(tls_probe --ca "$P/ca.crt" --name localhost --cert "$W/admin-key.pem" "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy")
tap_like "certsubject: $PRI_USER with another nutcert certificate refused" "$r" "^REPLY ERR ACCESS-DENIED"
write_upsd_users

# ---------------------------------------------------------------- site, passwords from a pipe
SP=$T/pki-site
"$NUTCERT" --pki "$SP" site --host localhost --ip 127.0.0.1 --client s1 s2 --out "$T/site" $CAPW $DBPWF > "$W/site.lines" 2> "$W/site.err"
tap_is "site: CA, upsd and two clients in one command" "$?" "0"
tap_is "site: three databases" "$(ls "$T/site" | tr '\n' ' ')" "s1 s2 upsd "
tap_like "site: upsd's lines" "$(cat "$W/site.lines")" "^CERTPATH $T/site/upsd$"
tap_like "site: each client's certsubject line" "$(cat "$W/site.lines")" 'certsubject = "CN=s2"'
"$NUTCERT" --pki "$SP" site --host localhost --ip 127.0.0.1 --client s1 s2 --out "$T/site" $CAPW $DBPWF > /dev/null 2> "$W/site.err"
tap_is "site again: harmless" "$?" "0"
tap_is "site again: everything unchanged" "$(grep -c unchanged "$W/site.err")" "4"
write_upsd_conf "CERTPATH $T/site/upsd" "CERTIDENT \"upsd\" \"$DBPW\"" "CERTREQUEST REQUIRE"
tls_restart_upsd || tap_bail "upsd on the site database did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy
printf 'CERTPATH %s\nCERTIDENT_NAME "s1"\nCERTIDENT_PASS "%s"\nCERTVERIFY 1\nFORCESSL 1\n' "$T/site/s1" "$DBPW" > "$W/s1.auth"
chmod 0600 "$W/s1.auth"
tap_is "site: upsd at REQUIRE and our upsc with the s1 database" "$(upsc_as s1)" "OL"
tr -d '\n' < "$W/ca.pw" | "$NUTCERT" --pki "$P" crl --ca-password-file /dev/stdin > /dev/null 2> "$W/err"
tap_is "the CA password from a pipe (/dev/stdin)" "$?" "0"
# site reads the CA password for init, upsd and each client: from a pipe
# it comes once (--ca-password-fd 0), the database's from a descriptor 3
tr -d '\n' < "$W/ca.pw" | "$NUTCERT" --pki "$T/pki-pipe" site --host localhost --client p1 \
	--out "$T/site-pipe" --ca-password-fd 0 --db-password-fd 3 3< "$W/db.pw" \
	> /dev/null 2> "$W/err"
tap_is "site with the CA password from a pipe (--ca-password-fd 0)" "$?" "0"
tap_is "... and the database password from descriptor 3: both databases" \
	"$(ls "$T/site-pipe" | tr '\n' ' ')" "p1 upsd "
tap_check "... with that password" "$CERTUTIL" -K -d "sql:$T/site-pipe/p1" -f "$W/db.pw"

# ---------------------------------------------------------------- refusals
openssl_req() {	# FILE ARGS...: a P-256 request made by OpenSSL
	_f=$1; shift
	"$OPENSSL" req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$W/k.pem" -out "$_f" "$@" 2>/dev/null
}
openssl_req "$W/ca.csr" -subj /CN=sneaky -addext basicConstraints=critical,CA:TRUE
nc_refused "sign-csr: a request asking for CA:TRUE" 3 "asks to be a CA" sign-csr sneaky --csr "$W/ca.csr" --profile client $CAPW
nc_refused "sign-csr: CA:TRUE even with --copy-extensions" 3 "asks to be a CA" sign-csr sneaky --csr "$W/ca.csr" --profile client --copy-extensions $CAPW
openssl_req "$W/san.csr" -subj /CN=h1 -addext subjectAltName=DNS:h1.example
nc_refused "sign-csr: request extensions without --copy-extensions" 3 "carries the extension" sign-csr h1 --csr "$W/san.csr" --profile server $CAPW
nc_ok "sign-csr --copy-extensions: the request's names" sign-csr h1 --csr "$W/san.csr" --profile server --copy-extensions --cert-out "$W/h1.pem" $CAPW
tap_like "sign-csr: openssl -x509_strict -purpose sslserver accepts it" "$(strict sslserver "$W/h1.pem")" ": OK$"
nc_ok "sign-csr --json" sign-csr h2 --csr "$W/san.csr" --profile server --copy-extensions --json $CAPW
tap_check "sign-csr --json: one object carrying the certificate" "$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["kind"]=="server" and d["name"]=="h2" and d["pem"].startswith("-----BEGIN CERTIFICATE-----")' "$W/out"
"$OPENSSL" req -new -newkey rsa:1024 -nodes -keyout "$W/k.pem" -subj /CN=weak -out "$W/weak.csr" 2>/dev/null
nc_refused "sign-csr: a 1024-bit RSA request" 3 "1024 bits" sign-csr weak --csr "$W/weak.csr" --profile client $CAPW
openssl_req "$W/sha1.csr" -subj /CN=sha1 -sha1
nc_refused "sign-csr: a request signed with SHA-1" 3 "signed with .*SHA-1.*SHA-256 or better" sign-csr sha1 --csr "$W/sha1.csr" --profile client $CAPW
nc_refused "client: a 1024-bit RSA key" 3 "RSA key of 1024 bits is weak" client weak --key rsa --bits 1024 --out "$T/cl-weak" $CAPW $DBPWF
tap_check "client: ... no database made" test ! -e "$T/cl-weak"
nc_refused "wrong CA password" 4 "wrong password for the CA database" client x --out "$T/cl-x" --ca-password-file "$W/wrong.pw" $DBPWF
nc_refused "wrong database password" 4 "wrong password for the database" client x --out "$T/cl-mon" $CAPW --db-password-file "$W/wrong.pw"
cp "$W/db.pw" "$W/open.pw"; chmod 0644 "$W/open.pw"
nc_refused "a password file others can read" 3 "group or others may access it; run: chmod 600" client x --out "$T/cl-x" $CAPW --db-password-file "$W/open.pw"
chmod 0640 "$W/open.pw"
nc_refused "a password file its group can read" 3 "mode 0640" client x --out "$T/cl-x" $CAPW --db-password-file "$W/open.pw"
nc_refused "a password descriptor on a file its group can read" 3 "mode 0640" crl --ca-password-fd 3 3< "$W/open.pw"
nc_refused "a password descriptor that is not open" 1 "ca-password-fd 9: Bad file descriptor" crl --ca-password-fd 9
nc_refused "a password descriptor and a file for one password" 1 "exclude each other" crl --ca-password-fd 0 $CAPW
nc_refused "crl --install into a missing database" 4 "$T/missing: No such file" crl --install "$T/missing" $CAPW $DBPWF
mkdir -p "$T/garbage"; echo "not a database" > "$T/garbage/cert9.db"
nc_refused "crl --install into an unreadable database" 4 "cannot be opened|wrong password|damaged" crl --install "$T/garbage" $CAPW $DBPWF
nc_refused "a missing CA directory" 4 "no CA in" --pki "$T/nopki" list
nc_refused "duplicate name, other request" 5 "already issued.*--force" client mon --subject "CN=someone else" --out "$T/cl-mon" $CAPW $DBPWF
"$CERTUTIL" -L -d "sql:$SRV" -n upsd -a > "$W/upsd-again.pem"
"$CERTUTIL" -A -d "sql:$T/cl-admin" -f "$W/db.pw" -n admin2 -t ,, -a -i "$W/upsd-again.pem"
nc_refused "a database holding the name already" 5 "already has a certificate named 'admin2'" client admin2 --out "$T/cl-admin" $CAPW $DBPWF
nc_refused "unknown name" 7 "no certificate named 'nobody'" revoke nobody $CAPW
nc_refused "a leaf longer than 825 days" 3 "longer than 825" client long --days 900 --out "$T/cl-long" $CAPW $DBPWF
nc_refused "a subject that is not a DN" 1 "not a distinguished name" client x --subject "no equals sign" --out "$T/cl-x" $CAPW $DBPWF
nc_refused "a group that does not exist" 1 "group 'no-such-group-x' does not exist" client x --group no-such-group-x --out "$T/cl-x" $CAPW $DBPWF
tap_check "... no database made" test ! -e "$T/cl-x"
nc_ok "--empty-db-password: a database without a password" client nopw --out "$T/cl-nopw" --empty-db-password $CAPW
tap_like "... CERTIDENT with an empty password" "$(cat "$W/out")" '^CERTIDENT "nopw" ""$'
tap_check "... certutil opens it without a password file" "$CERTUTIL" -K -d "sql:$T/cl-nopw" </dev/null
nc_refused "a database password for a database without one" 4 "has no password.*--empty-db-password" client x --out "$T/cl-nopw" $CAPW $DBPWF
nc_refused "--empty-db-password for a database with a password" 4 "has a password: give it with --db-password-file" client x --out "$T/cl-mon" --empty-db-password $CAPW
nc_refused "usage: an option the command does not take" 1 "does not take --host" client x --host a --out "$T/cl-x" $CAPW $DBPWF
nc_ok "--force replaces (and revokes the old one)" client mon --subject "CN=mon,O=renewed" --force --out "$T/cl-mon" $CAPW $DBPWF
nc_ok "the same subject written otherwise: unchanged" client mon --subject "CN = mon, O = renewed" --out "$T/cl-mon" $CAPW $DBPWF
tap_like "... says unchanged" "$(cat "$W/err")" "unchanged"
nc list
tap_like "--force: the old certificate is listed revoked" "$(cat "$W/out")" "^revoked +client +mon "
tap_like "--force: the new one is valid" "$(cat "$W/out")" "^valid +client +mon .*CN=mon,O=renewed"
tap_done
