#!/bin/sh
# nutsec tests - 241-tls-require: REQUIRE_TLS and the key database password
# from a file.
#  - REQUIRE_TLS yes: outside TLS only STARTTLS, VER, NETVER, PROTVER, HELP
#    and LOGOUT are served; GET, LIST, USERNAME, ... get ERR ACCESS-DENIED
#    (logged); inside TLS everything works;
#  - CERTPASSWORDFILE with a one-word CERTIDENT unlocks the key; a file
#    others may read, the password given twice, REQUIRE_TLS without TLS and
#    a password database without a password are refused, saying what to do.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
tls_require
nut_setup
tls_pki
start_driver dummy || tap_bail "driver did not start"

PWFILE=$T/certdb.pw
cp "$PKI/pw" "$PWFILE"
chmod 0600 "$PWFILE"
chown root "$PWFILE"
srv_conf() {	# EXTRA-LINE...: TLS with the password from $PWFILE
	write_upsd_conf "CERTPATH $PKI/srv" 'CERTIDENT "server"' "CERTPASSWORDFILE $PWFILE" "$@"
}

# 1. REQUIRE_TLS with the password from a file.
srv_conf "REQUIRE_TLS yes"
"$UPSD" -t > "$T/t.out" 2>&1
tap_is "upsd -t: CERTPASSWORDFILE and a one-word CERTIDENT pass" "$?" 0
# start_upsd waits with LIST UPS, refused here: wait for VER instead
"$UPSD" -F ${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION} > "$T/upsd.log" 2>&1 &
UPSD_PID=$!
PIDS="$PIDS $UPSD_PID"
ver_ok() { nut_req -t 2 VER 2>/dev/null | grep -q upsd; }
wait_for 100 ver_ok || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
for l in VER NETVER PROTVER HELP; do
	tap_unlike "REQUIRE_TLS: $l is served in plaintext" "$(nut_req "$l")" '^ERR'
done
for l in 'GET VAR dummy ups.status' 'LIST UPS' 'USERNAME x' 'GET UPSDESC dummy' 'LIST VAR dummy'; do
	tap_is "REQUIRE_TLS: '$l' is refused in plaintext" "$(nut_req "$l")" 'ERR ACCESS-DENIED'
done
tap_like "REQUIRE_TLS: LOGOUT is served in plaintext" "$(nut_req LOGOUT)" '^OK'
tap_like "the refusal is logged" "$(cat "$T/upsd.log")" \
	'command refused outside TLS \(REQUIRE_TLS\): the client must send STARTTLS first'
tap_like "REQUIRE_TLS: inside TLS, GET VAR is served" \
	"$(tls_probe --ca "$PKI/pem/ca.crt" --name localhost 'GET VAR dummy ups.status')" \
	'REPLY VAR dummy ups.status "OL"'
tap_like "REQUIRE_TLS: inside TLS, a login works" \
	"$(tls_probe "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" 'LOGIN dummy')" 'REPLY OK$'
stop_pid "$UPSD_PID"; UPSD_PID=""

# 2. Refused set-ups, each naming the fix.
refused() {	# DESC REGEX: upsd -t fails on the current upsd.conf, saying REGEX
	if "$UPSD" -t > "$T/t.out" 2>&1; then
		tap_fail "$1: upsd -t refuses it"
	else
		tap_like "$1: upsd -t refuses it, naming the fix" "$(cat "$T/t.out")" "$2"
	fi
}
chmod 0640 "$PWFILE"
srv_conf
refused "a password file the group may read" "CERTPASSWORDFILE .* may be read by others than root .*chmod 600"
chmod 0600 "$PWFILE"
write_upsd_conf "CERTPATH $PKI/srv" "CERTIDENT \"server\" \"$PKI_PW\"" "CERTPASSWORDFILE $PWFILE"
refused "the password given twice" "given twice .*keep only CERTPASSWORDFILE"
write_upsd_conf "REQUIRE_TLS yes"
refused "REQUIRE_TLS without TLS" "REQUIRE_TLS needs TLS"
write_upsd_conf "CERTPATH $PKI/srv" 'CERTIDENT "server"'
refused "a password database and no password" "has a password: .*CERTPASSWORDFILE"
write_upsd_conf "CERTPATH $PKI/srv" "CERTIDENT"
refused "CERTIDENT without a name" "CERTIDENT: empty certificate name .*CERTPASSWORDFILE"
write_upsd_conf "CERTPATH $PKI/srv" "CERTIDENT \"server\" \"$PKI_PW\" extra"
refused "CERTIDENT with three words" "CERTIDENT takes the certificate nickname and the key database password"

# 3. CERTREQUEST REQUIRE: a refused client learns why, through the alert
#    (read by Python's ssl and by our upsc), not just a reset.
tls_upsd_conf REQUIRE server
start_upsd || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
for c in "otherca TLSV1_ALERT_UNKNOWN_CA does not trust our certificate \\(unknown CA\\)" \
	"expired SSLV3_ALERT_CERTIFICATE_EXPIRED refused our certificate as expired" \
	"srvonly UNSUPPORTED_CERTIFICATE not meant for TLS clients"; do
	set -- $c
	_n=$1; _alert=$2; shift 2
	tls_pem "$_n"
	tap_like "REQUIRE, $_n: the probe gets the $_alert alert" \
		"$(tls_probe --cert "$PKI/pem/$_n.pem" PROTVER)" "ALERT .*$_alert"
	tls_upsc_conf "$_n" 1 1
	tap_like "REQUIRE, $_n: upsc says why" "$(tls_upsc "dummy@localhost:$PORT" ups.status)" "$*"
done

# 3b. A client database the user may not read is not called missing.
mkdir -p "$T/rootonly"
cp -a "$PKI/cl-nocert" "$T/rootonly/db"
chown -R root:root "$T/rootonly"; chmod 0700 "$T/rootonly/db"
printf 'CERTPATH %s\nCERTVERIFY 1\nFORCESSL 1\n' "$T/rootonly/db" > "$T/rootonly.conf"
chown nut "$T/rootonly.conf"; chmod 0600 "$T/rootonly.conf"
r=$(su -s /bin/sh nut -c "'$UPSC' -A '$T/rootonly.conf' dummy@localhost:$PORT ups.status" 2>&1)
tap_like "an unreadable client database: says who may not read it" "$r" \
	"exists but user id [0-9]* may not read it"
tap_unlike "an unreadable client database: not told to create one" "$r" 'certutil -N'
stop_pid "$UPSD_PID"; UPSD_PID=""

# 4. A certificate that expires within 30 days: warned at start and by -t.
#    (certutil counts validity in months: openssl makes this one.)
S=$T/soon
mkdir -p "$S"
(
	cd "$S" &&
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key \
		-out ca.crt -days 30 -subj "/CN=soon CA" -addext basicConstraints=critical,CA:TRUE \
		-addext keyUsage=critical,keyCertSign,cRLSign &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout srv.key \
		-out srv.csr -subj "/CN=localhost" &&
	printf 'extendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\nkeyUsage=critical,digitalSignature\n' > ext &&
	openssl x509 -req -in srv.csr -CA ca.crt -CAkey ca.key -set_serial 4242 -days 10 \
		-extfile ext -out srv.crt &&
	openssl pkcs12 -export -inkey srv.key -in srv.crt -name soon -passout pass:p12 -out srv.p12 &&
	mkdir db && certutil -N -d sql:db --empty-password &&
	certutil -A -d sql:db -n "soon CA" -t "CT,," -a -i ca.crt &&
	pk12util -i srv.p12 -d sql:db -W p12
) > "$T/soon.log" 2>&1 || tap_bail "cannot make the short-lived certificate: $(tail -n 5 "$T/soon.log")"
chown -R root:nut "$S"; chmod -R g+rX,o-rwx "$S"
write_upsd_conf "CERTPATH $S/db" 'CERTIDENT "soon"'
"$UPSD" -t > "$T/t.out" 2>&1
tap_is "a certificate valid 10 more days passes upsd -t" "$?" 0
tap_like "upsd -t warns that it expires within 30 days" "$(cat "$T/t.out")" \
	"TLS: certificate 'soon' \\(serial 0x0?1092\\) expires on .*, in (9|10) day\\(s\\): renew it"
tap_like "upsd -t logs key type and size of the certificate it would use" "$(cat "$T/t.out")" \
	"using certificate 'soon' .*serial 0x0?1092, valid until .*, EC 256 bits"
tap_done
