#!/bin/sh
# nutsec tests - 210-tls-certrequest: upsd's CERTREQUEST NO / REQUEST / REQUIRE
# against clients presenting no certificate / a valid one / an expired one /
# one from an untrusted CA / a serverAuth-only one (and a not yet valid one),
# each cell asserted twice: with an independent OpenSSL peer (tlsprobe.py)
# and with our upsc using the client's own NSS database. Then the login log
# line ("(SSL)" and the certificate subject), the binding of a certificate
# to a upsd.users user, and the option refusing USERNAME/PASSWORD outside TLS.
#
#          none    valid   expired untrusted srvonly future
# NO       ok      ok      ok      ok        ok      ok
# REQUEST  refused ok      ok      ok        ok      ok
# REQUIRE  refused ok      refused refused   refused refused
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upsc "$UPSC"
tls_require
nut_setup
tls_pki
start_driver dummy || tap_bail "driver did not start"
for c in mon admin expired otherca srvonly future; do
	tls_pem "$c" || tap_bail "PEM export of $c failed"
done

# cell LEVEL CLIENT WANT(ok|refused)
cell() {
	_lv=$1; _cl=$2; _want=$3
	if [ "$_cl" = none ]; then _cert=""; else _cert="--cert $PKI/pem/$_cl.pem"; fi
	# shellcheck disable=SC2086
	_r=$(tls_probe --ca "$PKI/pem/ca.crt" --name localhost $_cert PROTVER "GET VAR dummy ups.status")
	if [ "$_want" = ok ]; then
		tap_like "CERTREQUEST $_lv, OpenSSL client, certificate $_cl: session works" "$_r" '^REPLY VAR dummy ups.status "OL"$'
	else
		if printf '%s\n' "$_r" | grep -q '^REPLY'; then
			tap_fail "CERTREQUEST $_lv, OpenSSL client, certificate $_cl: refused"
			tap_diag "$_r"
		else
			tap_like "CERTREQUEST $_lv, OpenSSL client, certificate $_cl: refused" "$_r" "HANDSHAKE FAILED|ALERT|EOF"
		fi
	fi
	# our upsc with the client's NSS database (cl-none: only the CA)
	_db=$_cl; [ "$_cl" = none ] && _db=nocert
	tls_upsc_conf "$_db" 1 1
	_r=$(tls_upsc dummy@localhost:"$PORT" ups.status)
	_rc=$?
	if [ "$_want" = ok ]; then
		if [ $_rc -eq 0 ] && printf '%s\n' "$_r" | grep -q '^OL$'; then
			tap_ok "CERTREQUEST $_lv, our upsc, certificate $_cl: works"
		else
			tap_fail "CERTREQUEST $_lv, our upsc, certificate $_cl: works"
			tap_diag "exit $_rc: $_r"
		fi
	else
		if [ $_rc -ne 0 ] && ! printf '%s\n' "$_r" | grep -q '^OL$'; then
			tap_ok "CERTREQUEST $_lv, our upsc, certificate $_cl: refused"
			# the client says at once what failed, and so does upsd's log
			case $_cl in
			none) _cre="requires a client certificate"; _sre="presented no certificate" ;;
			expired) _cre="expired"; _sre="CN=mon-expired.* expired" ;;
			future) _cre="not yet valid|not valid yet"; _sre="CN=mon-future.* not valid before|not yet valid" ;;
			otherca) _cre="not trust|unknown CA"; _sre="not trusted.*CN=mon-otherca" ;;
			srvonly) _cre="refused our certificate|usage|clientAuth"; _sre="not for TLS clients|clientAuth" ;;
			esac
			tap_like "CERTREQUEST $_lv, our upsc, certificate $_cl: upsc says why" "$_r" "$_cre"
			tap_like "CERTREQUEST $_lv, certificate $_cl: upsd logs why" "$(grep 'TLS handshake with' "$T/upsd.log")" "TLS handshake with 127\.0\.0\.1 failed: .*($_sre)"
		else
			tap_fail "CERTREQUEST $_lv, our upsc, certificate $_cl: refused"
			tap_diag "exit $_rc: $_r"
		fi
	fi
}

for lv in NO REQUEST REQUIRE; do
	tls_upsd_conf "$lv"
	if ! tls_restart_upsd; then
		tap_fail "upsd starts with CERTREQUEST $lv"
		tap_diag "$(tail -n 5 "$T/upsd.log")"
		continue
	fi
	wait_ups dummy
	for cl in none mon expired otherca srvonly future; do
		case $lv/$cl in
		NO/*|REQUEST/mon|REQUEST/expired|REQUEST/otherca|REQUEST/srvonly|REQUEST/future|REQUIRE/mon) w=ok ;;
		*) w=refused ;;
		esac
		cell "$lv" "$cl" "$w"
	done
	tap_like "CERTREQUEST $lv: upsd still serves plaintext clients" "$(nut_req 'GET VAR dummy ups.status')" '^VAR dummy ups.status "OL"$'
done
# the numeric forms
for n in 0 1 2; do
	tls_upsd_conf "$n"
	if "$UPSD" -t > "$T/upsd-t.log" 2>&1; then tap_ok "CERTREQUEST $n accepted"; else tap_fail "CERTREQUEST $n accepted"; tap_diag "$(cat "$T/upsd-t.log")"; fi
done

# ---------------------------------------------------------------- login log line
tls_upsd_conf REQUIRE
tls_restart_upsd || tap_bail "upsd with CERTREQUEST REQUIRE did not start"
wait_ups dummy
r=$(tls_probe --ca "$PKI/pem/ca.crt" --name localhost --cert "$PKI/pem/mon.pem" \
	"USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy" "LOGOUT")
tap_like "REQUIRE: LOGIN over TLS with a client certificate" "$r" "^REPLY OK$"
logged() { grep -q "$1" "$T/upsd.log"; }
if wait_for 30 logged "logged in to UPS \[dummy\]"; then :; fi
l=$(grep "logged in to UPS \[dummy\]" "$T/upsd.log" | tail -n 1)
tap_like "login log line says (SSL)" "$l" "Client $PRI_USER@127\.0\.0\.1 logged in to UPS \[dummy\] \(SSL\)"
tap_like "login log line names the client certificate subject" "$l" "CN=mon"
tls_upsd_conf NO
tls_restart_upsd || tap_bail "upsd with CERTREQUEST NO did not start"
wait_ups dummy
r=$(nut_req "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy" LOGOUT)
wait_for 30 logged "logged in to UPS \[dummy\]"
l=$(grep "logged in to UPS \[dummy\]" "$T/upsd.log" | tail -n 1)
tap_like "plaintext login logged" "$l" "Client $PRI_USER@127\.0\.0\.1 logged in to UPS \[dummy\]"
tap_unlike "plaintext login: no (SSL)" "$l" "SSL"
r=$(tls_probe "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy" "LOGOUT")
sleep 0.5
l=$(grep "logged in to UPS \[dummy\]" "$T/upsd.log" | tail -n 1)
tap_like "TLS login without a client certificate: (SSL)" "$l" "logged in to UPS \[dummy\] \(SSL\)"
tap_unlike "... and no certificate subject" "$l" "CN="

# ---------------------------------------------------------------- cert-to-user binding
# upsd.users: monpri may only act with the certificate CN=mon, admin only
# with CN=admin (field name: docs/tls.md)
: "${TLS_USER_CERT_FIELD:=certsubject}"
SUBJ_MON=$(tls_subject mon); SUBJ_ADMIN=$(tls_subject admin)
[ -n "$SUBJ_MON" ] && [ -n "$SUBJ_ADMIN" ] || tap_bail "cannot read the client certificate subjects"
cat > "$CONF/upsd.users" <<EOF
[$ADMIN_USER]
	password = $ADMIN_PASS
	actions = SET FSD
	instcmds = ALL
	$TLS_USER_CERT_FIELD = "$SUBJ_ADMIN"

[$PRI_USER]
	password = $PRI_PASS
	upsmon primary
	$TLS_USER_CERT_FIELD = "$SUBJ_MON"

[$VIEW_USER]
	password = $VIEW_PASS

[spare]
	password = spare-pass
	upsmon secondary
EOF
conf_file upsd.users
tls_upsd_conf REQUIRE
if ! tls_restart_upsd; then
	tap_fail "upsd starts with $TLS_USER_CERT_FIELD in upsd.users"
	tap_diag "$(tail -n 5 "$T/upsd.log")"
else
	wait_ups dummy
	r=$(tls_probe --cert "$PKI/pem/mon.pem" "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy" LOGOUT)
	tap_like "binding: $PRI_USER with its own certificate (CN=mon) logs in" "$r" "^REPLY OK$"
	tap_unlike "binding: ... no error" "$r" "^REPLY ERR"
	r=$(tls_probe --cert "$PKI/pem/admin.pem" "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy")
	tap_like "binding: $PRI_USER with another user's certificate (CN=admin) refused" "$r" "^REPLY ERR ACCESS-DENIED"
	r=$(tls_probe --cert "$PKI/pem/mon.pem" "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" "SET VAR dummy ups.status OB")
	tap_like "binding: $ADMIN_USER with CN=mon cannot SET" "$r" "^REPLY ERR ACCESS-DENIED"
	tap_is "binding: ups.status unchanged" "$(nut_get dummy ups.status)" "OL"
	r=$(tls_probe --cert "$PKI/pem/admin.pem" "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" "SET VAR dummy ups.status OB")
	tap_like "binding: $ADMIN_USER with CN=admin can SET" "$r" "^REPLY OK"
	st_is() { [ "$(nut_get dummy ups.status)" = "$1" ]; }
	wait_for 50 st_is OB
	tap_is "binding: the SET reached the UPS" "$(nut_get dummy ups.status)" "OB"
	r=$(nut_req "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy")
	tap_like "binding: a bound user in plaintext (no certificate) refused" "$r" "ERR ACCESS-DENIED"
	r=$(tls_probe --cert "$PKI/pem/mon.pem" "USERNAME $VIEW_USER" "PASSWORD $VIEW_PASS" "GET VAR dummy ups.status")
	tap_like "binding: an unbound user still works with any trusted certificate" "$r" '^REPLY VAR dummy ups.status'
	# A neighbour on the same address guessing passwords locks the address
	# out (backoff.c), but not a session whose certificate is bound to the
	# user it logs in as: that upsmon still gets in.
	_guessers=""
	for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
		nut_req "USERNAME $PRI_USER" "PASSWORD wrong-$i" "LOGIN dummy" > /dev/null &
		_guessers="$_guessers $!"
	done
	# shellcheck disable=SC2086 # the pids, one word each
	wait $_guessers
	r=$(nut_req "USERNAME spare" "PASSWORD spare-pass" "LOGIN dummy")
	tap_like "lockout: the address is locked out after 12 wrong passwords" "$r" "ERR ACCESS-DENIED"
	r=$(tls_probe --cert "$PKI/pem/mon.pem" "USERNAME spare" "PASSWORD spare-pass" "LOGIN dummy")
	tap_like "lockout: ... also for an unbound user inside TLS" "$r" "^REPLY ERR ACCESS-DENIED"
	r=$(tls_probe --cert "$PKI/pem/mon.pem" "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy" LOGOUT)
	tap_is "lockout: $PRI_USER with its bound certificate still logs in (LOGIN: OK)" \
		"$(printf '%s\n' "$r" | grep '^REPLY' | sed -n 3p)" "REPLY OK"
	tap_unlike "lockout: ... no error" "$r" "^REPLY ERR"
	r=$(tls_probe --cert "$PKI/pem/mon.pem" "USERNAME $PRI_USER" "PASSWORD wrong" "LOGIN dummy")
	tap_like "lockout: ... but not with a wrong password" "$r" "^REPLY ERR ACCESS-DENIED"
fi

# ---------------------------------------------------------------- certissuer
# Two CAs trusted for clients (srv-both): each can issue a certificate with
# mon's subject (the "twin" comes from ca2). certsubject alone accepts
# either; with certissuer only ca's.
SUBJ_CA=$("$CERTUTIL" -L -d "sql:$PKI/srv-both" -n ca 2>/dev/null |
	sed -n 's/^ *Subject: "\(.*\)"$/\1/p' | head -n 1)
[ -n "$SUBJ_CA" ] || tap_bail "cannot read the CA's subject"
tls_pem twin && tls_pem forged || tap_bail "cannot make the PEM copies of twin and forged"
# bound_users ISSUER-LINE: monpri bound to CN=mon (and what ISSUER-LINE adds)
bound_users() {
	cat > "$CONF/upsd.users" <<EOF
[$PRI_USER]
	password = $PRI_PASS
	upsmon primary
	certsubject = "$SUBJ_MON"
	$1
EOF
	conf_file upsd.users
}
bound_users ""
TLS_SRVDB=$PKI/srv-both
tls_upsd_conf REQUIRE
unset TLS_SRVDB
if ! tls_restart_upsd || ! wait_ups dummy; then
	tap_fail "upsd starts with two CAs trusted for clients"
	tap_diag "$(tail -n 5 "$T/upsd.log")"
else
	r=$(tls_probe --cert "$PKI/pem/twin.pem" "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy" LOGOUT)
	tap_is "certsubject alone: a certificate from the other trusted CA with the same subject logs in" \
		"$(printf '%s\n' "$r" | grep '^REPLY' | sed -n 3p)" "REPLY OK"
	bound_users "certissuer = \"$SUBJ_CA\""
	_n=$(grep -c 'configuration reloaded' "$T/upsd.log")
	kill -HUP "$UPSD_PID"
	wait_for 50 sh -c "[ \$(grep -c 'configuration reloaded' '$T/upsd.log') -gt $_n ]"
	r=$(tls_probe --cert "$PKI/pem/twin.pem" "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy")
	tap_like "certissuer: the same subject from the other CA is refused" "$r" "^REPLY ERR ACCESS-DENIED"
	tap_like "certissuer: ... and the log says why" "$(grep 'refused for user' "$T/upsd.log" | tail -n 1)" \
		"must use the certificate 'CN=mon,O=nutsec tests' issued by 'CN=nutsec test CA,O=nutsec tests' \\(this connection: certificate 'CN=mon,O=nutsec tests' issued by 'CN=nutsec other CA,O=nutsec tests'\\)"
	# a third trusted CA signs a CA under the first CA's very name, which
	# issues CN=mon: the chain verifies, both names match, but the
	# certificate is not signed by the named CA of upsd's database
	cat "$PKI/pem/forged.pem" "$PKI/pem/fakeca.crt" > "$T/forged-chain.pem"
	r=$(tls_probe --cert "$T/forged-chain.pem" "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" \
	    "GET VAR dummy ups.status" "LOGIN dummy")
	tap_like "certissuer: a look-alike CA's certificate verifies (control)" "$r" "^REPLY VAR dummy ups.status"
	tap_like "certissuer: ... but a CA that only bears the name is refused" "$r" "^REPLY ERR ACCESS-DENIED"
	r=$(tls_probe --cert "$PKI/pem/mon.pem" "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy" LOGOUT)
	tap_is "certissuer: the certificate from the named CA logs in" \
		"$(printf '%s\n' "$r" | grep '^REPLY' | sed -n 3p)" "REPLY OK"
	# certissuer without certsubject: the reload is refused, the old users kept
	cat > "$CONF/upsd.users" <<EOF
[$PRI_USER]
	password = $PRI_PASS
	upsmon primary
	certissuer = "$SUBJ_CA"
EOF
	conf_file upsd.users
	_n=$(grep -c 'configuration reloaded' "$T/upsd.log")
	kill -HUP "$UPSD_PID"
	wait_for 50 sh -c "[ \$(grep -c 'configuration reloaded' '$T/upsd.log') -gt $_n ]"
	tap_like "certissuer without certsubject: refused, naming the user" \
		"$(grep 'certissuer needs certsubject' "$T/upsd.log")" "upsd.users:4: user \\[$PRI_USER\\]: certissuer needs certsubject"
	r=$(tls_probe --cert "$PKI/pem/twin.pem" "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy")
	tap_like "certissuer without certsubject: the users in force stay (the twin is still refused)" \
		"$r" "^REPLY ERR ACCESS-DENIED"
fi
# Names NSS cannot read are refused with file:line; OpenSSL's order (widest
# part first, never matching what NSS compares) draws a warning.
bound_users "certissuer = \"/O=nutsec tests/CN=nutsec test CA\""
"$UPSD" -t > "$T/dn-t.log" 2>&1
tap_is "certissuer '/O=.../CN=...': upsd -t fails" "$?" "1"
tap_like "... naming the file, the line and the user" "$(cat "$T/dn-t.log")" \
	"upsd.users:5: \\[$PRI_USER\\]: certissuer '/O=nutsec tests/CN=nutsec test CA' is not a distinguished name"
bound_users "certissuer = \"O = nutsec tests, CN = nutsec test CA\""
"$UPSD" -t > "$T/dn-t.log" 2>&1
tap_is "certissuer in OpenSSL's order: upsd -t passes" "$?" "0"
tap_like "... with a warning about the order" "$(cat "$T/dn-t.log")" \
	"upsd.users:5: .*certissuer 'O = nutsec tests, CN = nutsec test CA' starts with its widest part"
write_upsd_users

# ---------------------------------------------------------------- refuse plaintext credentials
# (option name: docs/tls.md)
: "${TLS_REFUSE_PLAIN_OPT:=REQUIRE_TLS_FOR_LOGIN yes}"
tls_upsd_conf NO "" "$TLS_REFUSE_PLAIN_OPT"
if ! tls_restart_upsd; then
	tap_fail "upsd starts with '$TLS_REFUSE_PLAIN_OPT'"
	tap_diag "$(tail -n 5 "$T/upsd.log")"
else
	wait_ups dummy
	r=$(nut_req "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" "SET VAR dummy ups.status OL")
	tap_unlike "refuse-plaintext: USERNAME in plaintext not accepted" "$(printf '%s\n' "$r" | head -n 1)" "^OK$"
	tap_unlike "refuse-plaintext: no SET done in plaintext" "$(printf '%s\n' "$r" | tail -n 1)" "^OK"
	tap_like "refuse-plaintext: plaintext reads still work" "$(nut_req 'GET VAR dummy ups.status')" '^VAR dummy ups.status'
	r=$(tls_probe "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" "SET VAR dummy ups.status OL")
	tap_is "refuse-plaintext: the same inside TLS works" "$(printf '%s\n' "$r" | grep '^REPLY' | tr '\n' '|')" "REPLY OK|REPLY OK|REPLY OK|"
fi

# Turned on by a reload: sessions whose credentials came outside TLS (one
# with USERNAME and PASSWORD, one logged in as an upsmon secondary, one that
# sent them before its STARTTLS and logged in inside TLS) are closed, since
# those credentials could have been read or injected on the way (what the
# setting is for), and a login keeps counting for upsmon's shutdown
# sequence. A plaintext session without credentials stays, and so does a
# TLS session that logged in with credentials sent inside TLS.
tls_upsd_conf NO ""
if ! tls_restart_upsd || ! wait_ups dummy; then
	tap_fail "upsd restarts without '$TLS_REFUSE_PLAIN_OPT'"
else
	rm -f "$T/go" "$T/go.end"
	PYTHONPATH=$LIBDIR "$PY" - "$PORT" "$T/go" "$ADMIN_USER" "$ADMIN_PASS" "$SEC_USER" \
	    "$SEC_PASS" > "$T/held.out" 2>&1 <<'EOF' &
import os, sys, time
from nutclient import Conn
port, go, user, pw, sec, secpw = sys.argv[1:7]
c = Conn(port)
m = Conn(port)
k = Conn(port)
print(c.cmd("USERNAME " + user)[0])
print(c.cmd("PASSWORD " + pw)[0])
print(m.cmd("USERNAME " + sec)[0])
print(m.cmd("PASSWORD " + secpw)[0])
print(m.cmd("LOGIN dummy")[0])
print(k.cmd("GET VAR dummy ups.status")[0], flush=True)
for _ in range(300):
    if os.path.exists(go):
        break
    time.sleep(0.05)
print(c.cmd("SET VAR dummy ups.status OL")[0])
print(m.cmd("GET NUMLOGINS dummy")[0])
print(k.cmd("GET VAR dummy ups.status")[0], flush=True)
for _ in range(300):	# the connections stay open until the checks are done
    if os.path.exists(go + ".end"):
        break
    time.sleep(0.05)
EOF
	HELD=$!
	PIDS="$PIDS $HELD"
	tls_probe "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy" "@WAIT-EOF 10" \
	    > "$T/tls-inside.out" &
	PIDS="$PIDS $!"
	tls_probe --before "USERNAME $SEC_USER" --before "PASSWORD $SEC_PASS" "LOGIN dummy" \
	    "@WAIT-EOF 10" > "$T/tls-before.out" &
	PIDS="$PIDS $!"
	wait_for 50 sh -c "[ \$(wc -l < '$T/held.out') -ge 6 ] &&
	    [ \$(grep -c '^REPLY OK' '$T/tls-inside.out') -ge 3 ] &&
	    [ \$(grep -c '^REPLY OK' '$T/tls-before.out') -ge 1 ]"
	tls_upsd_conf NO "" "$TLS_REFUSE_PLAIN_OPT"
	_n=$(grep -c 'configuration reloaded' "$T/upsd.log")
	kill -HUP "$UPSD_PID"
	wait_for 50 sh -c "[ \$(grep -c 'configuration reloaded' '$T/upsd.log') -gt $_n ]"
	touch "$T/go"
	wait_for 100 sh -c "[ \$(wc -l < '$T/held.out') -ge 9 ]"
	tap_is "refuse-plaintext turned on by a reload: sessions with credentials given in clear are closed, the others stay" \
	    "$(tr '\n' '|' < "$T/held.out")" \
	    'OK|OK|OK|OK|OK|VAR dummy ups.status "OL"|<eof>|<eof>|VAR dummy ups.status "OL"|'
	tap_like "refuse-plaintext turned on by a reload: the closing is logged, with the login" \
	    "$(grep 'closing a session whose credentials came outside TLS' "$T/upsd.log" | tr '\n' '|')" \
	    "of user $ADMIN_USER: REQUIRE_TLS_FOR_LOGIN is now in force.*of user $SEC_USER, logged in to UPS \\[dummy\\]: REQUIRE_TLS_FOR_LOGIN"
	r=$(nut_req "GET NUMLOGINS dummy")
	tap_is "refuse-plaintext turned on by a reload: only the login made inside TLS still counts" "$r" "NUMLOGINS dummy 1"
	touch "$T/go.end"
	wait_for 150 grep -q '^ALIVE\|^EOF' "$T/tls-inside.out"
	tap_is "refuse-plaintext turned on by a reload: a TLS session that logged in inside TLS stays" \
	    "$(grep '^ALIVE\|^EOF' "$T/tls-inside.out")" "ALIVE"
	wait_for 150 grep -q '^ALIVE\|^EOF' "$T/tls-before.out"
	tap_is "refuse-plaintext turned on by a reload: one that sent them before its STARTTLS is closed" \
	    "$(grep '^ALIVE\|^EOF' "$T/tls-before.out")" "EOF"
fi

# A reload that adds TLS and REQUIRE_TLS_FOR_LOGIN to a server started
# without TLS: TLS waits for a restart, and so must the setting (else no one
# could log in: STARTTLS is not served yet); nobody is disconnected.
write_upsd_conf
if ! tls_restart_upsd || ! wait_ups dummy; then
	tap_fail "upsd starts without TLS"
else
	rm -f "$T/go"
	PYTHONPATH=$LIBDIR "$PY" - "$PORT" "$T/go" "$SEC_USER" "$SEC_PASS" \
	    > "$T/held2.out" 2>&1 <<'EOF' &
import os, sys, time
from nutclient import Conn
port, go, sec, secpw = sys.argv[1:5]
m = Conn(port)
print(m.cmd("USERNAME " + sec)[0])
print(m.cmd("PASSWORD " + secpw)[0])
print(m.cmd("LOGIN dummy")[0], flush=True)
for _ in range(300):
    if os.path.exists(go):
        break
    time.sleep(0.05)
print(m.cmd("GET NUMLOGINS dummy")[0], flush=True)
EOF
	PIDS="$PIDS $!"
	wait_for 50 sh -c "[ \$(wc -l < '$T/held2.out') -ge 3 ]"
	tls_upsd_conf NO "" "$TLS_REFUSE_PLAIN_OPT"
	_n=$(grep -c 'configuration reloaded' "$T/upsd.log")
	kill -HUP "$UPSD_PID"
	wait_for 50 sh -c "[ \$(grep -c 'configuration reloaded' '$T/upsd.log') -gt $_n ]"
	touch "$T/go"
	wait_for 100 sh -c "[ \$(wc -l < '$T/held2.out') -ge 4 ]"
	tap_is "TLS added by a reload: the plaintext login stays" "$(tr '\n' '|' < "$T/held2.out")" \
	    "OK|OK|OK|NUMLOGINS dummy 1|"
	tap_like "TLS added by a reload: REQUIRE_TLS_FOR_LOGIN waits for the restart, and says so" \
	    "$(grep 'REQUIRE_TLS_FOR_LOGIN needs TLS' "$T/upsd.log")" "not on until a restart: not in force"
	r=$(nut_req "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy")
	tap_is "TLS added by a reload: a plaintext login still works until the restart" \
	    "$(printf '%s\n' "$r" | tr '\n' '|')" "OK|OK|OK|"
fi
tap_done
