#!/bin/sh
# nutsec tests - 220-tls-client: our clients' TLS policy, CERTVERIFY x
# FORCESSL x the server: with TLS / without TLS / wrong name / untrusted CA /
# expired certificate (and not yet valid), each cell asserted with our upsc
# (-A client file): connected, refused with a message that says why, or
# plaintext only where the policy allows it (CERTVERIFY 0, FORCESSL 0, server
# without TLS). Then CERTHOST (per-server policy and certificate name),
# environment overrides, and upscmd/upsrw following the same policy (and
# warning when their credentials go out without TLS).
#
#                 tls   notls      wrongname  untrusted  expired/future
# cv0 fs0         ok    plaintext  ok (TLS)   ok (TLS)   ok (TLS)
# cv0 fs1         ok    refused    ok (TLS)   ok (TLS)   ok (TLS)
# cv1 fs0         ok    refused    refused    refused    refused
# cv1 fs1         ok    refused    refused    refused    refused
#
# Our upsd refuses to start with an expired or not yet valid certificate
# (200-tls-server), so those servers are Debian's NUT upsd (skipped if absent).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upsc "$UPSC"
tls_require
nut_setup
tls_pki

srv_extra() {	# DB NICK
	printf 'CERTPATH %s\nCERTIDENT "%s" "%s"\n' "$PKI/$1" "$2" "$PKI_PW"
}
STACK_UPSD_EXTRA=$(srv_extra srv server) stack_start tls "$UPSD" "$DUMMY" ||
	tap_bail "our upsd with TLS did not start: $(tail -n 5 "$T/tls-upsd.log")"
STACK_UPSD_EXTRA="" stack_start notls "$UPSD" "$DUMMY" ||
	tap_bail "our upsd without TLS did not start: $(tail -n 5 "$T/notls-upsd.log")"
STACK_UPSD_EXTRA=$(srv_extra srv server-wrongname) stack_start wrongname "$UPSD" "$DUMMY" ||
	tap_bail "our upsd with the wrong-name certificate did not start: $(tail -n 5 "$T/wrongname-upsd.log")"
STACK_UPSD_EXTRA=$(srv_extra srv2 server) stack_start untrusted "$UPSD" "$DUMMY" ||
	tap_bail "our upsd with the other CA's certificate did not start: $(tail -n 5 "$T/untrusted-upsd.log")"
SERVERS="tls notls wrongname untrusted"
if [ -x "$NUT_UPSD" ] && [ -x "$NUT_DUMMY" ]; then
	for k in expired future; do
		if STACK_UPSD_EXTRA=$(srv_extra srv server-$k) stack_start $k "$NUT_UPSD" "$NUT_DUMMY"; then
			SERVERS="$SERVERS $k"
		else
			tap_fail "NUT's upsd serving the $k certificate started"
			tap_diag "$(tail -n 5 "$T/$k-upsd.log")"
		fi
	done
fi

# what each failure must say (docs/tls.md; NSS error texts)
why_re() {
	case $1 in
	notls) echo "TLS required|SSL.*(not available|required)|FEATURE-NOT-CONFIGURED|does not (support|offer) TLS|STARTTLS" ;;
	wrongname) echo "name|match|domain" ;;
	untrusted) echo "trust|issuer|unknown CA|not trusted|UNKNOWN_ISSUER" ;;
	expired) echo "expired" ;;
	future) echo "not (yet valid|valid yet)|future" ;;
	esac
}

for srv in tls notls wrongname untrusted expired future; do
	case " $SERVERS " in
	*" $srv "*) ;;
	*) for cv in 0 1; do for fs in 0 1; do
		tap_skip "server $srv, CERTVERIFY $cv FORCESSL $fs" "NUT's upsd not installed ($NUT_UPSD)"
	   done; done; continue ;;
	esac
	eval "p=\$${srv}_PORT"
	for cv in 0 1; do
		for fs in 0 1; do
			tls_upsc_conf nocert "$cv" "$fs"
			r=$(tls_upsc "dummy@localhost:$p" ups.status); rc=$?
			d="server $srv, CERTVERIFY $cv FORCESSL $fs"
			case $srv/$cv$fs in
			tls/*|wrongname/0?|untrusted/0?|expired/0?|future/0?|notls/00) want=ok ;;
			*) want=refused ;;
			esac
			if [ $want = ok ]; then
				if [ $rc -eq 0 ] && printf '%s\n' "$r" | grep -q '^OL$'; then
					tap_ok "$d: connected"
				else
					tap_fail "$d: connected"
					tap_diag "exit $rc: $r"
				fi
			else
				if [ $rc -ne 0 ] && ! printf '%s\n' "$r" | grep -q '^OL$'; then
					tap_ok "$d: refused"
					tap_like "$d: the message says why" "$r" "$(why_re $srv)"
				else
					tap_fail "$d: refused"
					tap_diag "exit $rc: $r"
				fi
			fi
		done
	done
done

# a TLS session without verification is announced
tls_upsc_conf nocert 0 0
r=$(tls_upsc "dummy@localhost:$untrusted_PORT" ups.status)
tap_like "an unverified TLS session is not silent" "$r" "[Vv]erif"

# defaults: with no CERTVERIFY/FORCESSL lines at all (NUT: both 0)
tls_upsc_conf nocert "" ""
r=$(tls_upsc "dummy@localhost:$tls_PORT" ups.status)
tap_like "no CERTVERIFY/FORCESSL lines: TLS server works" "$r" "^OL$"

# host as dialled: 127.0.0.1 (IP SAN) works; the name must be the host's
tls_upsc_conf nocert 1 1
r=$(tls_upsc "dummy@127.0.0.1:$tls_PORT" ups.status)
tap_like "CERTVERIFY 1: dialling 127.0.0.1 matches the IP SAN" "$r" "^OL$"

# CERTHOST: per-server policy overrides the defaults, and its certificate name
tls_upsc_conf nocert 0 0 "CERTHOST \"localhost:$untrusted_PORT\" \"localhost\" 1 1"
r=$(tls_upsc "dummy@localhost:$untrusted_PORT" ups.status); rc=$?
if [ $rc -ne 0 ]; then tap_like "CERTHOST certverify 1 overrides CERTVERIFY 0 (untrusted refused)" "$r" "$(why_re untrusted)"; else tap_fail "CERTHOST certverify 1 overrides CERTVERIFY 0 (untrusted refused)"; tap_diag "$r"; fi
r=$(tls_upsc "dummy@localhost:$wrongname_PORT" ups.status)
tap_like "... another server keeps the defaults (CERTVERIFY 0)" "$r" "^OL$"
tls_upsc_conf nocert 1 1 "CERTHOST \"localhost:$notls_PORT\" \"\" 0 0"
r=$(tls_upsc "dummy@localhost:$notls_PORT" ups.status)
tap_like "CERTHOST 0 0 allows the plaintext server despite CERTVERIFY/FORCESSL 1" "$r" "^OL$"
tls_upsc_conf nocert 1 1 "CERTHOST \"localhost:$wrongname_PORT\" \"otherhost.invalid\" 1 1"
r=$(tls_upsc "dummy@localhost:$wrongname_PORT" ups.status)
tap_like "CERTHOST certificate name matches the server's certificate: accepted" "$r" "^OL$"
tls_upsc_conf nocert 1 1 "CERTHOST \"localhost:$tls_PORT\" \"someone.else.invalid\" 1 1"
r=$(tls_upsc "dummy@localhost:$tls_PORT" ups.status); rc=$?
if [ $rc -ne 0 ]; then tap_like "CERTHOST certificate name not the server's: refused, naming it" "$r" "someone\.else\.invalid|name|match"; else tap_fail "CERTHOST certificate name not the server's: refused"; tap_diag "$r"; fi

# a client that does not trust our CA at all
tls_upsc_conf untrusting 1 1
r=$(tls_upsc "dummy@localhost:$tls_PORT" ups.status); rc=$?
if [ $rc -ne 0 ]; then tap_like "client DB without our CA: refused as untrusted" "$r" "$(why_re untrusted)"; else tap_fail "client DB without our CA: refused"; tap_diag "$r"; fi

# environment overrides (NUT_CERTVERIFY / NUT_FORCESSL)
tls_upsc_conf nocert 0 0
r=$(NUT_FORCESSL=1 tls_upsc "dummy@localhost:$notls_PORT" ups.status); rc=$?
if [ $rc -ne 0 ]; then tap_ok "NUT_FORCESSL=1 overrides the file: plaintext server refused"; else tap_fail "NUT_FORCESSL=1 overrides the file"; tap_diag "$r"; fi
r=$(NUT_CERTVERIFY=1 tls_upsc "dummy@localhost:$untrusted_PORT" ups.status); rc=$?
if [ $rc -ne 0 ]; then tap_ok "NUT_CERTVERIFY=1 overrides the file: untrusted server refused"; else tap_fail "NUT_CERTVERIFY=1 overrides the file"; tap_diag "$r"; fi

# upscmd and upsrw follow the same policy
tls_upsc_conf nocert 1 1
if [ -x "$UPSCMD" ]; then
	r=$("$UPSCMD" -A "$TLS_AUTHFILE" -l "dummy@localhost:$tls_PORT" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then tap_ok "upscmd -A: TLS server listed"; else tap_fail "upscmd -A: TLS server listed"; tap_diag "$r"; fi
	r=$("$UPSCMD" -A "$TLS_AUTHFILE" -l "dummy@localhost:$untrusted_PORT" 2>&1); rc=$?
	if [ $rc -ne 0 ]; then tap_like "upscmd -A: untrusted server refused" "$r" "$(why_re untrusted)"; else tap_fail "upscmd -A: untrusted server refused"; tap_diag "$r"; fi
fi
if [ -x "$UPSRW" ]; then
	r=$("$UPSRW" -A "$TLS_AUTHFILE" -s ups.status=OB -u "$ADMIN_USER" -p "$ADMIN_PASS" -w "dummy@localhost:$tls_PORT" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then tap_ok "upsrw -A: SET over TLS"; else tap_fail "upsrw -A: SET over TLS"; tap_diag "$r"; fi
	r=$("$UPSRW" -A "$TLS_AUTHFILE" -s ups.status=OB -u "$ADMIN_USER" -p "$ADMIN_PASS" "dummy@localhost:$notls_PORT" 2>&1); rc=$?
	if [ $rc -ne 0 ]; then tap_ok "upsrw -A FORCESSL 1: no credentials sent to a plaintext server"; else tap_fail "upsrw -A FORCESSL 1: plaintext server refused"; tap_diag "$r"; fi
	tap_is "upsrw: the plaintext server's UPS untouched" "$(NUT_PORT=$notls_PORT PORT=$notls_PORT nut_get dummy ups.status)" "OL"

	# Default policy (FORCESSL 0): credentials to a server without TLS go
	# out (as NUT), but not silently; over TLS there is no such warning.
	tls_upsc_conf nocert 0 0
	r=$("$UPSRW" -A "$TLS_AUTHFILE" -s ups.status=OL -u "$ADMIN_USER" -p "$ADMIN_PASS" "dummy@localhost:$notls_PORT" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then tap_like "upsrw FORCESSL 0, server without TLS: the password in clear is warned about, naming FORCESSL" "$r" "in clear.*FORCESSL"; else tap_fail "upsrw FORCESSL 0, server without TLS: SET done"; tap_diag "$r"; fi
	r=$("$UPSRW" -A "$TLS_AUTHFILE" -s ups.status=OL -u "$ADMIN_USER" -p "$ADMIN_PASS" "dummy@localhost:$tls_PORT" 2>&1); rc=$?
	if [ $rc -eq 0 ]; then tap_unlike "upsrw over TLS: no in-clear warning" "$r" "in clear"; else tap_fail "upsrw over TLS: SET done"; tap_diag "$r"; fi
fi
tap_done
