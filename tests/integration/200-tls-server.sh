#!/bin/sh
# nutsec tests - 200-tls-server: upsd's TLS set-up and the STARTTLS exchange,
# with an independent peer (tlsprobe.py on Python's ssl, openssl s_client and
# NSS's tstclnt through a STARTTLS relay).
#  - a broken TLS configuration (missing or empty database, wrong nickname,
#    wrong password, expired / not yet valid / clientAuth-only server
#    certificate, CERTPATH without CERTIDENT) stops upsd at start and fails
#    upsd -t, with a message naming the problem, and leaves no PID file; a
#    good one passes both;
#  - TLS 1.3 by default, TLS 1.2 allowed, TLS 1.0 / 1.1 refused (a control
#    against openssl s_server shows the probe can speak them); TLS 1.2 with
#    AEAD suites only (CBC with SHA-1 refused); no session is ever resumed;
#  - second STARTTLS, plaintext pipelined behind STARTTLS never executed;
#  - STARTTLS then silence / garbage / half a ClientHello: other clients are
#    served meanwhile and the bad one is closed at the handshake deadline;
#  - 100 anonymous handshakes do not write 100 "TLS established" lines.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"

# The handshake deadline of upsd (docs/tls.md); checks allow a wide margin.
: "${TLS_HS_DEADLINE:=10}"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
tls_require
nut_setup
tls_pki
start_driver dummy || tap_bail "driver did not start"

# ---------------------------------------------------------------- broken set-ups
# bad_conf DESC REGEX CONF-LINES...: upsd -t and upsd -F both fail, naming it
bad_conf() {
	_d=$1; _re=$2; shift 2
	write_upsd_conf "$@"
	if "$UPSD" -t > "$T/upsd-t.log" 2>&1; then
		tap_fail "$_d: upsd -t refuses it"
		tap_diag "$(cat "$T/upsd-t.log")"
	else
		tap_like "$_d: upsd -t refuses it, naming the problem" "$(cat "$T/upsd-t.log")" "$_re"
	fi
	if tls_upsd_fails; then
		tap_like "$_d: upsd stops at start, naming the problem" "$(cat "$T/upsd-fail.log")" "$_re"
	else
		tap_fail "$_d: upsd stops at start"
		tap_diag "$(tail -n 5 "$T/upsd-fail.log")"
	fi
}
PW="\"$PKI_PW\""
mkdir -p "$T/emptydb"; chown root:nut "$T/emptydb"; chmod 0750 "$T/emptydb"
bad_conf "CERTPATH names no directory" "nodb" \
	"CERTPATH $T/nodb" "CERTIDENT \"server\" $PW"
bad_conf "CERTPATH is an empty directory (no NSS database)" "[Dd]atabase|cert9|emptydb" \
	"CERTPATH $T/emptydb" "CERTIDENT \"server\" $PW"
bad_conf "CERTIDENT names no certificate" "nosuchcert" \
	"CERTPATH $PKI/srv" "CERTIDENT \"nosuchcert\" $PW"
bad_conf "CERTIDENT with the wrong key password" "[Pp]assword" \
	"CERTPATH $PKI/srv" "CERTIDENT \"server\" \"wrong-password\""
# The PID file is written before TLS: a failed start must take it back, so
# no upsd.pid is left naming a dead process (-FF, then in the background).
rm -f "$STATE/upsd.pid"
if tls_upsd_fails -F; then
	tap_check "wrong key password with -FF: no PID file left" test ! -e "$STATE/upsd.pid"
else
	tap_fail "wrong key password with -FF: upsd stops at start"
fi
"$UPSD" ${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION} > "$T/upsd-bg.log" 2>&1
tap_is "wrong key password in the background: exit status 1" "$?" 1
tap_check "wrong key password in the background: no PID file left" test ! -e "$STATE/upsd.pid"
bad_conf "expired server certificate" "[Ee]xpired" \
	"CERTPATH $PKI/srv" "CERTIDENT \"server-expired\" $PW"
bad_conf "server certificate not yet valid" "[Nn]ot yet valid|not valid before|[Ff]uture|validity" \
	"CERTPATH $PKI/srv" "CERTIDENT \"server-future\" $PW"
bad_conf "server certificate without serverAuth" "serverAuth|[Uu]sage" \
	"CERTPATH $PKI/srv" "CERTIDENT \"server-clientonly\" $PW"
bad_conf "CERTPATH without CERTIDENT" "CERTIDENT" \
	"CERTPATH $PKI/srv"
bad_conf "CERTREQUEST with an unknown level" "CERTREQUEST" \
	"CERTPATH $PKI/srv" "CERTIDENT \"server\" $PW" "CERTREQUEST SOMETIMES"

# ---------------------------------------------------------------- good set-up
tls_upsd_conf NO server "DISABLE_WEAK_SSL true"
if "$UPSD" -t > "$T/upsd-t.log" 2>&1; then
	tap_ok "good TLS configuration: upsd -t accepts it"
else
	tap_fail "good TLS configuration: upsd -t accepts it"
	tap_diag "$(cat "$T/upsd-t.log")"
fi
tls_restart_upsd || tap_bail "upsd with a good TLS configuration did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy || tap_bail "ups dummy not ready"
tap_ok "upsd starts with CERTPATH/CERTIDENT/CERTREQUEST NO"

r=$(tls_probe --ca "$PKI/pem/ca.crt" --name localhost PROTVER "GET VAR dummy ups.status")
tap_like "STARTTLS: OK STARTTLS in plaintext" "$r" "^STARTTLS OK STARTTLS$"
tap_like "TLS 1.3 negotiated by default (verified chain, name localhost)" "$r" "^HANDSHAKE OK TLSv1\.3 "
tap_like "the protocol continues inside TLS (PROTVER)" "$r" "^REPLY 1\.3$"
tap_like "GET VAR inside TLS" "$r" '^REPLY VAR dummy ups.status "OL"$'
r=$(tls_probe --ca "$PKI/pem/ca.crt" --name 127.0.0.1 PROTVER)
tap_like "the server certificate verifies for IP 127.0.0.1 too" "$r" "^HANDSHAKE OK "
r=$(tls_probe --max tls1_2 PROTVER)
tap_like "TLS 1.2 is accepted" "$r" "^HANDSHAKE OK TLSv1\.2 "
tap_like "TLS 1.2 session works" "$r" "^REPLY 1\.3$"
# control: the probe really can speak TLS 1.0/1.1 (against openssl s_server
# with the server certificate), so its refusal below means upsd's
if tls_pem server srv; then
	for v in tls1 tls1_1; do
		sp=$(pick_port)
		"$OPENSSL" s_server -accept "127.0.0.1:$sp" -cert "$PKI/pem/server.pem" -$v \
			-cipher 'ALL:@SECLEVEL=0' -quiet < /dev/null > "$T/s_server.log" 2>&1 &
		spid=$!
		PIDS="$PIDS $spid"
		r=""
		for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			r=$(tls_probe_port "$sp" --plain --min tls1 --max $v --seclevel0 -t 2 PROTVER)
			case $r in "CONNECT FAILED"*) sleep 0.2 ;; *) break ;; esac
		done
		tap_like "control: the probe speaks $v to openssl s_server -$v" "$r" "^HANDSHAKE OK TLSv1(\.1)? "
		stop_pid "$spid"
	done
else
	tap_fail "control: export of the server identity for openssl s_server"
fi
for v in tls1 tls1_1; do
	r=$(tls_probe --min tls1 --max $v --seclevel0 PROTVER)
	tap_like "$v client refused" "$r" "^HANDSHAKE FAILED"
	tap_unlike "$v client: no session" "$r" "^REPLY"
done
tap_like "upsd still serves after the refused handshakes" "$(nut_req 'GET VAR dummy ups.status')" '^VAR dummy ups.status "OL"$'

# openssl s_client and NSS tstclnt through the STARTTLS relay
"$PY" -W ignore "$LIBDIR/tlsprobe.py" -p "$PORT" --relay > "$T/relay.out" 2>&1 &
PIDS="$PIDS $!"
RELAY=""
wait_for 50 grep -q '^RELAY ' "$T/relay.out" && RELAY=$(sed -n 's/^RELAY //p' "$T/relay.out")
if [ -z "$RELAY" ]; then
	tap_fail "STARTTLS relay for openssl/tstclnt started"
else
	# LOGOUT: upsd says goodbye and closes, so the tools end at once
	r=$(printf 'PROTVER\nLOGOUT\n' | timeout 20 "$OPENSSL" s_client -connect "127.0.0.1:$RELAY" \
		-CAfile "$PKI/pem/ca.crt" -verify_hostname localhost -verify_return_error -ign_eof 2>&1)
	tap_like "openssl s_client: TLS 1.3 by default" "$r" "^(New, TLSv1\.3|    Protocol  : TLSv1\.3)"
	tap_like "openssl s_client: chain verified" "$r" "Verify return code: 0 \(ok\)"
	tap_like "openssl s_client: session works (PROTVER)" "$r" "^1\.3$"
	for v in tls1 tls1_1; do
		r=$(timeout 20 "$OPENSSL" s_client -connect "127.0.0.1:$RELAY" -$v \
			-cipher 'ALL:@SECLEVEL=0' < /dev/null 2>&1)
		if printf '%s\n' "$r" | grep -Eq '^New, TLSv1(\.1)?, Cipher is [^(]'; then
			tap_fail "openssl s_client -$v refused"
			tap_diag "$r"
		else
			tap_like "openssl s_client -$v refused (no session, an alert)" "$r" "Cipher is \(NONE\)"
		fi
	done
	# TLS 1.2: AEAD suites only (Mozilla "intermediate"); CBC with SHA-1 refused
	r=$(timeout 20 "$OPENSSL" s_client -connect "127.0.0.1:$RELAY" -tls1_2 \
		-cipher 'ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA' < /dev/null 2>&1)
	if printf '%s\n' "$r" | grep -Eq '^New, TLSv1\.2, Cipher is [^(]'; then
		tap_fail "openssl s_client -tls1_2 -cipher ECDHE-*-AES128-SHA (CBC, SHA-1) refused"
		tap_diag "$(printf '%s\n' "$r" | grep -E '^New|Cipher')"
	else
		tap_like "openssl s_client -tls1_2 -cipher ECDHE-*-AES128-SHA (CBC, SHA-1) refused" "$r" "Cipher is \(NONE\)"
	fi
	r=$(printf 'PROTVER\nLOGOUT\n' | timeout 20 "$OPENSSL" s_client -connect "127.0.0.1:$RELAY" -tls1_2 \
		-cipher 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256' -ign_eof 2>&1)
	tap_like "openssl s_client -tls1_2 with an AEAD suite (AES128-GCM) accepted" "$r" "^New, TLSv1\.2, Cipher is ECDHE-(ECDSA|RSA)-AES128-GCM-SHA256"
	# No session is resumed (a resumed one would skip the certificate checks)
	for v in tls1_2 tls1_3; do
		rm -f "$T/sess.$v"
		printf 'PROTVER\n' | timeout 20 "$OPENSSL" s_client -connect "127.0.0.1:$RELAY" -$v \
			-sess_out "$T/sess.$v" -ign_eof > "$T/sess1.$v.log" 2>&1 &
		sp=$!
		sleep 1.5
		kill "$sp" 2>/dev/null; wait "$sp" 2>/dev/null
		if [ -s "$T/sess.$v" ]; then
			r=$(printf 'PROTVER\nLOGOUT\n' | timeout 20 "$OPENSSL" s_client -connect "127.0.0.1:$RELAY" \
				-$v -sess_in "$T/sess.$v" -ign_eof 2>&1)
			tap_like "openssl s_client -$v -sess_in: a second connection works" "$r" "^1\.3$"
			tap_unlike "openssl s_client -$v -sess_in: the session is not resumed" "$r" "^Reused, "
		else
			tap_ok "openssl s_client -$v: the server offers no session to resume (nothing saved)"
		fi
	done
	if command -v tstclnt >/dev/null 2>&1; then
		# (only the refusal: tstclnt spins when its stdin ends before the
		# handshake is done, which makes it unfit for the positive case;
		# openssl s_client and tlsprobe.py cover TLS 1.3 above)
		r=$(timeout 20 tstclnt -h 127.0.0.1 -p "$RELAY" -d "sql:$PKI/cl-nocert" -V tls1.0:tls1.1 -v < /dev/null 2>&1)
		tap_unlike "tstclnt -V tls1.0:tls1.1 refused" "$r" "SSL version 3\.[12] "
		tap_like "tstclnt -V tls1.0:tls1.1: protocol version error" "$r" "PROTOCOL_VERSION|NO_CYPHER_OVERLAP|HANDSHAKE_FAILURE"
	else
		tap_skip "tstclnt: TLS 1.0/1.1 refused" "tstclnt not installed"
	fi
fi

# ---------------------------------------------------------------- protocol rules
r=$(tls_probe STARTTLS PROTVER)
tap_like "a second STARTTLS inside TLS: ERR ALREADY-SSL-MODE" "$r" "^REPLY ERR ALREADY-SSL-MODE$"
tap_like "and the session goes on" "$r" "^REPLY 1\.3$"

# plaintext pipelined in the same write as STARTTLS
r=$(tls_probe --inject 'USERNAME admin\nPASSWORD adminpass\nSET VAR dummy ups.status OB\n' \
	"USERNAME viewer" "GET VAR dummy ups.status")
tap_unlike "pipelined plaintext: no plaintext reply after OK STARTTLS" "$r" "^EXTRA-PLAINTEXT"
tap_unlike "pipelined USERNAME not executed inside TLS" "$r" "ALREADY-SET-USERNAME"
tap_unlike "pipelined SET not executed" "$r" 'ups.status "OB"'
tap_is "ups.status unchanged after the injection" "$(nut_get dummy ups.status)" "OL"
case $r in
*"HANDSHAKE OK"*) tap_like "session after the discarded bytes: USERNAME accepted fresh" "$r" "^REPLY OK$" ;;
*) tap_like "connection with pipelined plaintext refused" "$r" "HANDSHAKE FAILED|EOF" ;;
esac
# pipelined before STARTTLS (sent before the OK is read): executed in plaintext,
# as NUT does, and the handshake still works
r=$(tls_probe --before "VER" PROTVER)
tap_like "a command before STARTTLS is answered in plaintext" "$r" "^PLAIN Network UPS Tools upsd"
tap_like "then STARTTLS works" "$r" "^HANDSHAKE OK "

# ---------------------------------------------------------------- stalled handshakes
TLS_HS_DEADLINE=$TLS_HS_DEADLINE tap_py stalled <<'EOF'
import os, socket, ssl, time
from nutclient import Conn, Tap
t = Tap()
P = int(os.environ["NUT_PORT"])
D = float(os.environ["TLS_HS_DEADLINE"])

def starttls():
    s = socket.create_connection(("127.0.0.1", P), timeout=5)
    buf = b""
    try:
        s.sendall(b"STARTTLS\n")
        while not buf.endswith(b"\n"):
            d = s.recv(1)
            if not d:
                break
            buf += d
    except OSError as e:
        buf += ("<%s>" % e.__class__.__name__).encode()
    return s, buf

def client_hello():
    # the first bytes of a real ClientHello (from a memory BIO handshake)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
    i, o = ssl.MemoryBIO(), ssl.MemoryBIO()
    obj = ctx.wrap_bio(i, o)
    try:
        obj.do_handshake()
    except ssl.SSLWantReadError:
        pass
    return o.read()

bad = {}
start = time.monotonic()
s, r = starttls(); t.eq(r, b"OK STARTTLS\n", "silent client: OK STARTTLS"); bad["silent"] = s
for name, data in (("plaintext instead of ClientHello", b"GET VAR dummy ups.status\n"),
                   ("random bytes instead of ClientHello", os.urandom(64)),
                   ("half a ClientHello", client_hello()[:20])):
    s, r = starttls()
    t.eq(r, b"OK STARTTLS\n", "%s: OK STARTTLS first" % name)
    try:
        s.sendall(data)
    except OSError:
        pass
    bad[name] = s

# meanwhile other clients are served at once, plaintext and TLS
for i in range(3):
    c = Conn(P, timeout=3)
    t0 = time.monotonic()
    rep = c.cmd1("GET VAR dummy ups.status")
    t.eq(rep, 'VAR dummy ups.status "OL"', "another client served while handshakes stall (%d)" % i)
    c.close()
    time.sleep(0.5)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
try:
    s2, r = starttls()
    tl = ctx.wrap_socket(s2)
    tl.sendall(b"PROTVER\n")
    t.eq(tl.recv(100), b"1.3\n", "a TLS client completes its handshake meanwhile")
    tl.close()
except Exception as e:
    t.ok(False, "a TLS client completes its handshake meanwhile", repr(e))

# each bad one is closed, at the latest at the deadline (+ a wide margin), and
# never answered in plaintext
limit = start + D + 15
for name, s in bad.items():
    got = b""; closed = False
    s.settimeout(1)
    while time.monotonic() < limit:
        try:
            d = s.recv(4096)
        except socket.timeout:
            continue
        except OSError:
            closed = True; break
        if not d:
            closed = True; break
        got += d
    t.ok(closed, "%s: closed by upsd within the deadline (%gs + margin)" % (name, D),
         "still open after %.1fs" % (time.monotonic() - start))
    t.ok(b"VAR dummy" not in got, "%s: never answered in plaintext" % name, got[:200])
    s.close()
EOF
# ---------------------------------------------------------------- log flood
# 100 anonymous handshakes must not write 100 "TLS established" lines (at
# most 20 a minute; a window may turn over during the run: 40)
before=$(grep -c 'TLS established' "$T/upsd.log")
tap_py established <<'EOF'
import os, socket, ssl
from nutclient import Tap
t = Tap()
P = int(os.environ["NUT_PORT"])
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
done = 0
for i in range(100):
    s = socket.create_connection(("127.0.0.1", P), timeout=5)
    s.sendall(b"STARTTLS\n")
    buf = b""
    while not buf.endswith(b"\n"):
        d = s.recv(1)
        if not d:
            break
        buf += d
    if buf == b"OK STARTTLS\n":
        try:
            ts = ctx.wrap_socket(s)
            ts.sendall(b"PROTVER\n")
            if ts.recv(100) == b"1.3\n":
                done += 1
            ts.close()
            continue
        except OSError:
            pass
    s.close()
t.eq(done, 100, "100 anonymous TLS handshakes completed")
EOF
after=$(grep -c 'TLS established' "$T/upsd.log")
n=$((after - before))
if [ "$n" -le 40 ]; then
	tap_ok "100 handshakes: $n \"TLS established\" lines (rate-limited)"
else
	tap_fail "100 handshakes: $n \"TLS established\" lines (rate-limited: at most 40)"
fi
tap_like "upsd still serves after the stalled handshakes" "$(nut_req 'GET VAR dummy ups.status')" '^VAR dummy ups.status "OL"$'
if kill -0 "$UPSD_PID" 2>/dev/null; then tap_ok "upsd still running"; else tap_fail "upsd still running"; fi
tap_done
