#!/bin/sh
# nutsec tests - interop 210-tls-nut: TLS both ways with Debian's NUT 2.8.0
# (built with NSS).
#  - NUT's upsmon, with CERTPATH, CERTIDENT (client certificate CN=mon),
#    CERTHOST/CERTVERIFY/FORCESSL, logs in to our upsd running CERTREQUEST
#    REQUIRE over TLS (our log: "(SSL)" and the subject; upsmon: "[SSL]");
#    with an expired client certificate, without one, or without trusting
#    our CA it does not get in;
#  - NUT's upsc (no client certificate possible) against our upsd: TLS with
#    CERTREQUEST NO, refused (no plaintext fallback) with REQUIRE;
#  - our upsc/upscmd/upsrw against NUT's upsd using its NSS database: TLS
#    verified, an untrusting client refused.
# Skips (never fails) when a Debian binary is missing.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop/lib.sh"
. "$LIBDIR/tlslib.sh"

require_exe "NUT upsd" "$NUT_UPSD"
require_exe "NUT dummy-ups" "$NUT_DUMMY"
require_exe "NUT upsc" "$NUT_UPSC"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upsc "$UPSC"
tls_require
nut_setup
tls_pki
start_driver dummy || tap_bail "driver did not start"
numlogins() { [ "$(nut_req 'GET NUMLOGINS dummy')" = "NUMLOGINS dummy $1" ]; }
has_line() { grep -Eq "$2" "$1" 2>/dev/null; }

# ---------------------------------------------------------------- NUT's upsc -> our upsd
tls_upsd_conf NO
tls_restart_upsd || tap_bail "our upsd with TLS did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy
r=$("$NUT_UPSC" "dummy@localhost:$PORT" ups.status 2>&1); rc=$?
tap_like "NUT upsc -> our upsd (CERTREQUEST NO): value read" "$r" "^OL$"
tap_like "NUT upsc -> our upsd: over TLS" "$r" "Connected to NUT server .* in SSL"
tls_upsd_conf REQUIRE
tls_restart_upsd || tap_bail "our upsd with CERTREQUEST REQUIRE did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy
r=$("$NUT_UPSC" "dummy@localhost:$PORT" ups.status 2>&1); rc=$?
if [ $rc -ne 0 ] && ! printf '%s\n' "$r" | grep -q '^OL$'; then
	tap_ok "NUT upsc without a client certificate -> REQUIRE: refused, no plaintext fallback"
else
	tap_fail "NUT upsc without a client certificate -> REQUIRE: refused"
	tap_diag "exit $rc: $r"
fi

# ---------------------------------------------------------------- NUT's upsmon -> our upsd
if [ ! -x "$NUT_UPSMON" ]; then
	tap_skip "NUT upsmon over TLS" "NUT upsmon not installed ($NUT_UPSMON)"
elif ! unshare -m sh -c "mount --bind $T /run/nut" 2>/dev/null; then
	tap_skip "NUT upsmon over TLS" "cannot give upsmon a private /run/nut (unshare -m / mount --bind)"
else
	# mon_conf NAME DB [CERTIDENT-NICK]: $T/mon-NAME/upsmon.conf
	mon_conf() {
		_d=$T/mon-$1
		mkdir -p "$_d" "$T/run-$1"
		chmod 0755 "$_d"
		chown root:nut "$T/run-$1"; chmod 0770 "$T/run-$1"
		{
			echo "MONITOR dummy@localhost:$PORT 1 $PRI_USER $PRI_PASS primary"
			echo "MINSUPPLIES 1"
			echo "SHUTDOWNCMD \"/bin/true\""
			echo "POLLFREQ 1"
			echo "POLLFREQALERT 1"
			echo "DEADTIME 15"
			echo "RUN_AS_USER nut"
			tls_upsmon_lines "$2" "$3"
		} > "$_d/upsmon.conf"
		echo "MODE=standalone" > "$_d/nut.conf"
		chown root:nut "$_d/upsmon.conf"; chmod 0640 "$_d/upsmon.conf"
	}
	# the good one
	mon_conf good cl-mon mon
	nut_upsmon_start good
	if wait_for 150 numlogins 1; then
		tap_ok "NUT upsmon with CN=mon -> our upsd REQUIRE: logged in"
	else
		tap_fail "NUT upsmon with CN=mon -> our upsd REQUIRE: logged in"
		tap_diag "$(tail -n 15 "$T/upsmon-good.log")"
	fi
	wait_for 50 has_line "$T/upsd.log" "logged in to UPS \[dummy\]"
	l=$(grep "logged in to UPS \[dummy\]" "$T/upsd.log" | tail -n 1)
	tap_like "our upsd logs the seed's line with (SSL)" "$l" "Client $PRI_USER@127\.0\.0\.1 logged in to UPS \[dummy\] \(SSL\)"
	tap_like "... and the client certificate subject" "$l" "CN=mon"
	if wait_for 100 has_line "$T/upsmon-good.log" "pollups: dummy@localhost:$PORT \[SSL\]"; then
		tap_ok "NUT upsmon -DD: pollups: dummy@localhost:PORT [SSL]"
	else
		tap_fail "NUT upsmon -DD: pollups: dummy@localhost:PORT [SSL]"
		tap_diag "$(grep -i 'ssl\|poll' "$T/upsmon-good.log" | tail -n 8)"
	fi
	nut_upsmon_stop
	if wait_for 100 numlogins 0; then tap_ok "upsmon stopped: NUMLOGINS 0"; else tap_fail "upsmon stopped: NUMLOGINS 0"; fi

	# the bad ones: each must fail its TLS session, visibly, and not log in
	# (NUT 2.8.0 over TLS 1.3 learns of a refused client certificate only at
	# its first command: "Set username ... failed"; our upsd logs why)
	for bad in "expired cl-expired expired" "nocert cl-nocert" "untrusting cl-untrusting" "otherca cl-otherca otherca"; do
		# shellcheck disable=SC2086
		set -- $bad
		case $1 in
		expired) why="certificate .*CN=mon-expired.* expired" ;;
		nocert) why="presented no certificate" ;;
		untrusting) why="does not trust our certificate" ;;
		otherca) why="not trusted.*CN=mon-otherca" ;;
		esac
		mon_conf "$1" "$2" "$3"
		nut_upsmon_start "$1"
		# its first attempt ends in a failure or a login
		wait_for 200 has_line "$T/upsmon-$1.log" "connect failed|Logged into UPS|[Ll]ogin.*failed|Set username.*failed"
		tap_like "NUT upsmon ($1): its session fails" "$(cat "$T/upsmon-$1.log")" "connect failed|[Ll]ogin.*failed|Set username.*failed"
		tap_unlike "NUT upsmon ($1): never logged in" "$(cat "$T/upsmon-$1.log")" "Logged into UPS"
		if numlogins 0; then
			tap_ok "NUT upsmon ($1) -> our upsd REQUIRE: not logged in"
		else
			tap_fail "NUT upsmon ($1) -> our upsd REQUIRE: not logged in"
			tap_diag "$(nut_req 'GET NUMLOGINS dummy')"
		fi
		wait_for 50 has_line "$T/upsd.log" "TLS handshake with 127\.0\.0\.1 failed: .*$why"
		tap_like "our upsd logs why the handshake failed ($1)" "$(grep 'TLS handshake with' "$T/upsd.log")" "TLS handshake with 127\.0\.0\.1 failed: .*$why"
		nut_upsmon_stop
	done
fi

# ---------------------------------------------------------------- our clients -> NUT's upsd
STACK_UPSD_EXTRA=$(printf 'CERTPATH %s\nCERTIDENT "server" "%s"\nDISABLE_WEAK_SSL true\n' "$PKI/srv" "$PKI_PW") \
	stack_start nut "$NUT_UPSD" "$NUT_DUMMY" || tap_bail "NUT's upsd with TLS did not start: $(tail -n 5 "$T/nut-upsd.log")"
hs() { grep -c "SSL handshake done successfully" "$T/nut-upsd.log"; }
n0=$(hs)
tls_upsc_conf nocert 1 1
r=$(tls_upsc "dummy@localhost:$nut_PORT" ups.status); rc=$?
tap_like "our upsc (CERTVERIFY 1 FORCESSL 1) -> NUT upsd: value read" "$r" "^OL$"
n1=$(hs)
if [ "$n1" -gt "$n0" ]; then tap_ok "NUT upsd logged the TLS handshake"; else tap_fail "NUT upsd logged the TLS handshake"; tap_diag "$(tail -n 5 "$T/nut-upsd.log")"; fi
tls_upsc_conf mon 1 1
r=$(tls_upsc "dummy@127.0.0.1:$nut_PORT" ups.status)
tap_like "our upsc with a client certificate -> NUT upsd (by IP): value read" "$r" "^OL$"
tls_upsc_conf untrusting 1 1
r=$(tls_upsc "dummy@localhost:$nut_PORT" ups.status); rc=$?
if [ $rc -ne 0 ]; then
	tap_like "our upsc not trusting NUT's CA: refused, saying why" "$r" "trust|issuer|unknown CA|UNKNOWN_ISSUER"
else
	tap_fail "our upsc not trusting NUT's CA: refused"; tap_diag "$r"
fi
tls_upsc_conf nocert 1 1
if [ -x "$UPSRW" ]; then
	r=$("$UPSRW" -A "$TLS_AUTHFILE" -s ups.status=OB -u "$ADMIN_USER" -p "$ADMIN_PASS" -w "dummy@localhost:$nut_PORT" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then tap_ok "our upsrw -> NUT upsd over TLS: SET done"; else tap_fail "our upsrw -> NUT upsd over TLS: SET done"; tap_diag "$r"; fi
	tap_is "NUT upsd shows the SET" "$(NUT_PORT=$nut_PORT PORT=$nut_PORT nut_get dummy ups.status)" "OB"
fi
if [ -x "$UPSCMD" ]; then
	r=$("$UPSCMD" -A "$TLS_AUTHFILE" -l "dummy@localhost:$nut_PORT" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then tap_ok "our upscmd -l -> NUT upsd over TLS"; else tap_fail "our upscmd -l -> NUT upsd over TLS"; tap_diag "$r"; fi
fi
tap_done
