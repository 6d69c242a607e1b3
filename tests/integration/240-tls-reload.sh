#!/bin/sh
# nutsec tests - 240-tls-reload: a TLS upsd (CERTREQUEST REQUIRE, chrooted,
# filtered) reloads with SIGHUP / upsd -c reload alone, with the real
# certutil and crlutil of docs/tls.md working on its database meanwhile:
#  - unchanged CERT* settings are taken as in force (the paths are outside
#    the jail): a new user logs in, `upsd -c reload` exits 0;
#  - a client certificate revoked with a CRL imported by crlutil -I: its
#    open session is closed and logged at the reload, a handshake it held
#    open across the reload (tlsstaged.py: judged before, ended after) is
#    refused when it ends, new handshakes with it are refused (with the
#    certificate_revoked alert); another client is
#    still served; a newer CRL without the entry takes it back;
#  - a renewed server certificate under the same nickname is served to new
#    connections after the reload, chosen by the documented rule (valid
#    now, latest expiry) and logged with its serial, and `upsd -t` names it;
#  - a change that needs a restart (CERTREQUEST) exits 2 and says so, and
#    the setting in force stays; a broken upsd.conf exits 1.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
tls_require
command -v crlutil >/dev/null 2>&1 || { echo "1..0 # SKIP crlutil not installed"; exit 0; }
require_root "(upsd drops from root to nut)"
nut_setup
tls_pki

# Our own copy of upsd's database and of the CA: this test changes both.
DB=$T/srvdb
CADB=$T/cadb
cp -a "$PKI/srv" "$DB"
cp -a "$PKI/ca" "$CADB"
chown -R root:nut "$DB"; chmod 0750 "$DB"; chmod 0640 "$DB"/*
TLS_SRVDB=$DB
PW=$PKI/pw

start_driver dummy || tap_bail "driver did not start"
tls_upsd_conf REQUIRE server
start_upsd -FF || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy || tap_bail "ups dummy not ready"
tap_is "upsd is chrooted to the state path" "$(readlink "/proc/$UPSD_PID/root")" "$STATE"
tap_like "the certificate in use is logged with serial, expiry and key" \
	"$(cat "$T/upsd.log")" "TLS: using certificate 'server' .*serial 0x0?64, valid until .*, EC 256 bits"

probe() {	# CERT-NAME LINE...: a TLS session with that client identity
	_c=$1; shift
	tls_pem "$_c"
	tls_probe --ca "$PKI/pem/ca.crt" --name localhost --cert "$PKI/pem/$_c.pem" "$@"
}

# 1. Unchanged TLS settings: the reload is taken, a new user logs in.
printf '\n[newuser]\n\tpassword = newpass\n\tupsmon secondary\n' >> "$CONF/upsd.users"
"$UPSD" -c reload > "$T/reload1.out" 2>&1
tap_is "upsd -c reload with TLS on exits 0" "$?" 0
tap_unlike "no 'reload aborted' for CERTPATH outside the jail" "$(cat "$T/upsd.log")" \
	'reload aborted|is not an existing directory'
tap_like "the new user logs in over TLS" \
	"$(probe mon 'USERNAME newuser' 'PASSWORD newpass' 'LOGIN dummy')" 'REPLY OK$'

# 2. Revoking a client: an open session, then the CRL, then the reload.
probe mon PROTVER '@WAIT-EOF 30' > "$T/open-session.out" 2>&1 &
SESS=$!
PIDS="$PIDS $SESS"
wait_for 100 grep -q '^REPLY' "$T/open-session.out" || tap_bail "the session did not open"
# and a handshake that upsd judged (its client certificate came) but that
# ends only after the reload
rm -f "$T/go"
"$PY" "$LIBDIR/tlsstaged.py" "$PORT" "$PKI/pem/mon.pem" "$T/go" > "$T/staged.out" 2>&1 &
PIDS="$PIDS $!"
wait_for 100 grep -q '^STAGED' "$T/staged.out" || tap_fail "a handshake is held before its end"
MON_SERIAL=$(certutil -L -d "sql:$PKI/cl-mon" -n mon | sed -n 's/^ *Serial Number: \([0-9]*\) .*/\1/p' | head -n 1)
printf 'update=%s\naddcert %s %s\n' "$(date -u +%Y%m%d%H%M%SZ)" "$MON_SERIAL" \
	"$(date -u +%Y%m%d%H%M%SZ)" > "$T/crl.script"
crlutil -G -d "sql:$CADB" -n ca -f "$PW" -c "$T/crl.script" -o "$T/ca.crl" > "$T/crlutil.log" 2>&1 &&
	crlutil -I -d "sql:$DB" -f "$PW" -i "$T/ca.crl" -t 1 >> "$T/crlutil.log" 2>&1
tap_is "crlutil makes and imports the CRL" "$?" 0
"$UPSD" -c reload > "$T/reload2.out" 2>&1
tap_is "upsd -c reload after the CRL exits 0" "$?" 0
if wait_for 100 grep -q '^EOF' "$T/open-session.out"; then
	tap_ok "the open session of the revoked certificate is closed"
else
	tap_fail "the open session of the revoked certificate is closed"
	tap_diag "$(cat "$T/open-session.out")"
fi
tap_like "the closure is logged with the subject and the reason" "$(cat "$T/upsd.log")" \
	"closing the TLS session of 'CN=mon,O=nutsec tests': its client certificate has been revoked"
touch "$T/go"
wait_for 100 grep -q '^EOF\|^REPLY\|^TIMEOUT\|^SSLERR' "$T/staged.out"
tap_unlike "a handshake judged before the reload and ended after it is refused" \
	"$(cat "$T/staged.out")" '^REPLY'
tap_like "and logged as such" "$(cat "$T/upsd.log")" \
	"TLS handshake of 'CN=mon,O=nutsec tests' refused after it ended: its client certificate has been revoked"
r=$(probe mon PROTVER)
tap_unlike "a new session with the revoked certificate is refused" "$r" 'REPLY 1\.'
tap_like "the client is told why (certificate_revoked alert)" "$r" 'ALERT .*REVOKED'
tap_like "the refusal says the certificate is revoked" "$(cat "$T/upsd.log")" \
	'TLS handshake with .* failed: .*revoked'
tap_like "another client is still served" "$(probe admin PROTVER)" 'REPLY 1\.[0-9]'

# 2b. Taking it back: a newer CRL without the entry, and a reload.
sleep 1	# crlutil refuses a CRL that is not later than the one it has
printf 'update=%s\n' "$(date -u +%Y%m%d%H%M%SZ)" > "$T/crl2.script"
crlutil -G -d "sql:$CADB" -n ca -f "$PW" -c "$T/crl2.script" -o "$T/ca2.crl" >> "$T/crlutil.log" 2>&1 &&
	crlutil -I -d "sql:$DB" -f "$PW" -i "$T/ca2.crl" -t 1 >> "$T/crlutil.log" 2>&1
tap_is "crlutil imports a newer CRL without the entry" "$?" 0
"$UPSD" -c reload > "$T/reload2b.out" 2>&1
tap_is "upsd -c reload after it exits 0" "$?" 0
tap_like "the certificate is served again" "$(probe mon PROTVER)" 'REPLY 1\.[0-9]'

# 3. Rotating the server certificate under the same nickname.
tap_like "before: the old server certificate (serial 100)" "$(probe admin PROTVER)" \
	'SERVER-SERIAL 64$'
head -c 2048 /dev/urandom > "$T/noise"
certutil -R -d "sql:$DB" -f "$PW" -z "$T/noise" -k ec -q nistp256 -Z SHA256 \
	-s "CN=localhost,O=nutsec tests" -a -o "$T/renew.csr" > "$T/renew.log" 2>&1 &&
certutil -C -d "sql:$CADB" -f "$PW" -c ca -i "$T/renew.csr" -a -o "$T/renew.crt" -m 300 \
	-v 14 -Z SHA256 --keyUsage digitalSignature --extKeyUsage serverAuth \
	--extSAN dns:localhost,ip:127.0.0.1 >> "$T/renew.log" 2>&1 &&
certutil -A -d "sql:$DB" -f "$PW" -n server -t ",," -a -i "$T/renew.crt" >> "$T/renew.log" 2>&1
tap_is "certutil issues and imports the renewal" "$?" 0
# and an expired one of the same subject (same nickname): never chosen
certutil -R -d "sql:$DB" -f "$PW" -z "$T/noise" -k ec -q nistp256 -Z SHA256 \
	-s "CN=localhost,O=nutsec tests" -a -o "$T/old.csr" > "$T/old.log" 2>&1 &&
certutil -C -d "sql:$CADB" -f "$PW" -c ca -i "$T/old.csr" -a -o "$T/old.crt" -m 301 \
	-w -14 -v 12 -Z SHA256 --keyUsage digitalSignature --extKeyUsage serverAuth \
	--extSAN dns:localhost,ip:127.0.0.1 >> "$T/old.log" 2>&1 &&
certutil -A -d "sql:$DB" -f "$PW" -n server -t ",," -a -i "$T/old.crt" >> "$T/old.log" 2>&1
tap_is "certutil imports an expired certificate under the same nickname" "$?" 0
tap_is "the nickname now names three certificates" \
	"$(certutil -L -d "sql:$DB" | grep -c '^server ')" 3
"$UPSD" -c reload > "$T/reload3.out" 2>&1
tap_is "upsd -c reload after the renewal exits 0" "$?" 0
tap_like "after: the renewed certificate (serial 300) is served" "$(probe admin PROTVER)" \
	'SERVER-SERIAL 12C$'
tap_like "the switch is logged with the new serial" "$(cat "$T/upsd.log")" \
	"now serving the renewed certificate 'server' \\(3 under that name.*serial 0x0?12C"
"$UPSD" -t > "$T/t.out" 2>&1
tap_like "upsd -t names the certificate that would be used" "$(cat "$T/t.out")" \
	"certificate 'server' .*serial 0x0?12C"

# 4. A change that needs a restart: exit 2, said, and not in force.
tls_upsd_conf REQUEST server
"$UPSD" -c reload > "$T/reload4.out" 2>&1
tap_is "a CERTREQUEST change: upsd -c reload exits 2" "$?" 2
tap_like "and says it needs a restart" "$(cat "$T/reload4.out")" \
	'CERTREQUEST changed: takes effect only at restart'
tap_like "REQUIRE stays in force (an untrusted client is refused)" \
	"$(tls_pem otherca; tls_probe --cert "$PKI/pem/otherca.pem" PROTVER)" 'ALERT|EOF|HANDSHAKE FAILED'

# 5. A broken upsd.conf: exit 1, the configuration in force is kept.
echo "NOSUCHDIRECTIVE 1" >> "$CONF/upsd.conf"
"$UPSD" -c reload > "$T/reload5.out" 2>&1
tap_is "a broken upsd.conf: upsd -c reload exits 1" "$?" 1
tap_like "and says the reload was aborted" "$(cat "$T/reload5.out")" 'reload aborted'
tap_like "TLS still works" "$(probe admin PROTVER)" 'REPLY 1\.[0-9]'

tap_check "upsd survived every reload" kill -0 "$UPSD_PID"
tap_unlike "no filter violation in the log" "$(cat "$T/upsd.log")" 'is not allowed|Bad system call'
tap_done
