#!/bin/sh
# nutsec tests - 421-upslog-tls: upslog takes the other clients' TLS
# settings (NUT_AUTHCONF_FILE: CERTPATH, CERTIDENT, CERTVERIFY, FORCESSL)
# and keeps them inside its sandbox: it logs from a upsd it verified, with
# a client certificate; after that upsd restarts it reconnects, a new
# handshake under the filter; a server it cannot verify gets no session
# (NA lines, the reason on stderr), never plaintext.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"

: "${UPSLOG:=$top_builddir/clients/upslog}"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upslog "$UPSLOG"
tls_require
nut_setup
tls_pki

srv_extra() {	# DB NICK
	printf 'CERTPATH %s\nCERTIDENT "%s" "%s"\nCERTREQUEST REQUEST\n' "$PKI/$1" "$2" "$PKI_PW"
}
STACK_UPSD_EXTRA=$(srv_extra srv server) stack_start tls "$UPSD" "$DUMMY" ||
	tap_bail "our upsd with TLS did not start: $(tail -n 5 "$T/tls-upsd.log")"
STACK_UPSD_EXTRA=$(srv_extra srv2 server) stack_start untrusted "$UPSD" "$DUMMY" ||
	tap_bail "our upsd with the other CA's certificate did not start"
L=$T/logs
mkdir -p "$L"
chown nut:nut "$L"
SB=${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION}
tls_upsc_conf mon 1 1
chown nut "$TLS_AUTHFILE"

# ---- a verified server, a client certificate, in the sandbox
# shellcheck disable=SC2086
NUT_AUTHCONF_FILE=$TLS_AUTHFILE "$UPSLOG" -F $SB -i 1 -s "dummy@localhost:$tls_PORT" \
	-l "$L/tls.log" -f '%VAR ups.status% %VAR battery.charge%' > "$T/upslog-tls.log" 2>&1 &
P=$!
PIDS="$PIDS $P"
wait_for 50 test -s "$L/tls.log"
tap_is "over verified TLS: the UPS's values" "$(head -n 1 "$L/tls.log")" "OL 100"
tap_like "the upslog filter with TLS" "$(cat "$T/upslog-tls.log")" "seccomp filter upslog\+tls"
tap_unlike "no warning about credentials or TLS" "$(cat "$T/upslog-tls.log")" "in clear|Warning"

# ---- upsd restarts: a new handshake inside the sandbox
stop_pid "$tls_UPSD_PID"
sleep 2
tap_like "upsd gone: NA" "$(tail -n 1 "$L/tls.log")" "^NA NA$"
NUT_CONFPATH=$tls_CONF NUT_STATEPATH=$tls_STATE NUT_ALTPIDPATH=$tls_STATE \
	"$UPSD" -F > "$T/tls-upsd2.log" 2>&1 &
PIDS="$PIDS $!"
n=$(wc -l < "$L/tls.log")
wait_for 100 test "$(wc -l < "$L/tls.log")" -ge $((n + 3))
tap_is "upsd back: upslog reconnected over TLS" "$(tail -n 1 "$L/tls.log")" "OL 100"
tap_check "and is still running" kill -0 "$P"
tap_unlike "no filter violation" "$(cat "$T/upslog-tls.log")" "not allowed|SIGSYS"
stop_pid "$P"

# ---- a server it cannot verify: no session at all
# shellcheck disable=SC2086
NUT_AUTHCONF_FILE=$TLS_AUTHFILE "$UPSLOG" -F $SB -i 1 -s "dummy@localhost:$untrusted_PORT" \
	-l "$L/untrusted.log" -f '%VAR ups.status%' > "$T/upslog-untrusted.log" 2>&1 &
P=$!
PIDS="$PIDS $P"
wait_for 50 test -s "$L/untrusted.log"
sleep 1.2
stop_pid "$P"
tap_is "an unverifiable server: only NA" "$(sort -u "$L/untrusted.log")" "NA"
tap_like "and the reason on stderr" "$(cat "$T/upslog-untrusted.log")" "initial connect failed: .*(TLS|certificate|SSL)"

tap_done
