#!/bin/sh
# nutsec tests - 251-nutcert-live: the quick path of docs/tls.md, its marked
# blocks run as written (with only /etc/nut and /root moved under the test
# directory and the example names ups.example.org / 192.0.2.10 replaced by
# localhost / 127.0.0.1), against a running upsd:
#  - `nutcert site` makes a mutual-TLS site from nothing (CA, upsd's
#    database, two clients); the lines it printed are pasted into upsd.conf
#    (CERTREQUEST REQUIRE), nutauth.conf and upsd.users (certsubject), and
#    upsd and our upsc work with them, the bound user logging in with its
#    certificate only; NUT's upsmon (if installed) logs in with each
#    client's pasted upsmon.conf lines;
#  - `nutcert revoke` + `crl --install` + `upsd -c reload` (exit 0): the
#    revoked client's open session is closed (and logged), its new
#    connections refused (its upsmon is logged out), while the other
#    client's session stays open and it still gets in;
#  - `nutcert renew upsd` + `upsd -c reload`: new connections are served the
#    renewed certificate (the serial nutcert shows), with no restart.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"

: "${NUTCERT:=$top_builddir/certtool/nutcert}"

need_exe nutcert "$NUTCERT"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upsc "$UPSC"
tls_require
command -v crlutil >/dev/null 2>&1 || { echo "1..0 # SKIP crlutil not installed"; exit 0; }
require_root "(nutcert writes root:nut databases, upsd drops to nut)"
nut_setup
DOCS=$top_srcdir/docs
R=$T/fs				# stands for / (no "/root" in it)
W=$T/w				# the test's own files
mkdir -p "$R/etc/nut" "$R/root" "$W"
chmod 0755 "$R" "$R/etc" "$R/etc/nut"
chmod 0700 "$R/root" "$W"
# shellcheck disable=SC2034 # RECIPE_*: read by recipe/run_recipe (tlslib.sh)
RECIPE_SED="s#/etc/nut#$R/etc/nut#g;s#/root#$R/root#g;s#ups\\.example\\.org#localhost#g;s#192\\.0\\.2\\.10#127.0.0.1#g"
# shellcheck disable=SC2034
RECIPE_PATH=$(dirname "$NUTCERT"):$(dirname "$UPSD")
PKIDIR=$R/root/nut-pki
SITE=$R/etc/nut/tls
LINES=$R/root/nut-site.txt

# ---------------------------------------------------------------- the site
check_recipe "docs/tls.md quick path: the whole site in one command" "$DOCS/tls.md" nutcert-site
tap_is "site: one database per certificate" "$(ls "$SITE" 2>&1 | tr '\n' ' ')" \
	"upsd upsmon-host1 upsmon-host2 "
tap_is "site: the databases are root:nut, nothing for others" \
	"$(stat -c '%U:%G %a' "$SITE"/upsd "$SITE"/upsmon-host2 | sort -u)" "root:nut 750"
tap_is "site: the lines file is private" "$(stat -c %a "$LINES")" "600"

# pasted WHO FILE: the lines nutcert printed for WHO (upsd or a client
# name) under the comment "# FILE", as an administrator pastes them
pasted() {
	awk -v who="$1" -v what="$2" '
		/^## upsd:/ { cur = "upsd"; next }
		/^## client / { cur = $3; sub(/:$/, "", cur); next }
		/^# (upsd\.conf|upsmon\.conf|nutauth\.conf|upsd\.users)/ { sec = $2; sub(/,$/, "", sec); next }
		/^#/ { next }
		cur == who && sec == what { print }
	' "$LINES"
}
SRV_LINES=$(pasted upsd upsd.conf)
tap_like "site: upsd.conf lines with CERTREQUEST REQUIRE" "$SRV_LINES" "^CERTREQUEST REQUIRE$"
tap_like "site: ... and the CERTPATH of upsd's database" "$SRV_LINES" "^CERTPATH $SITE/upsd$"
for c in upsmon-host1 upsmon-host2; do
	pasted "$c" nutauth.conf > "$W/$c.auth"
	chmod 0600 "$W/$c.auth"
done
tap_like "site: nutauth.conf lines per client" "$(cat "$W/upsmon-host2.auth")" \
	"^CERTIDENT_NAME \"upsmon-host2\"$"
tap_like "site: upsmon.conf lines per client" "$(pasted upsmon-host1 upsmon.conf)" \
	"^CERTIDENT \"upsmon-host1\" \"the database password\"$"
printf 'CERTPATH %s\nCERTVERIFY 1\nFORCESSL 1\n' "$SITE/upsmon-host1" > "$W/nocert.auth"
chmod 0600 "$W/nocert.auth"

# upsd.users: the test's users and the docs' section, whose certsubject is
# the line site printed
USERS_BLOCK=$(recipe "$DOCS/tls.md" nutcert-users)
tap_is "docs/tls.md's upsd.users section carries the certsubject line site printed" \
	"$(printf '%s\n' "$USERS_BLOCK" | grep certsubject)" "$(pasted upsmon-host1 upsd.users | grep certsubject)"
ISSUER_LINE=$(pasted upsmon-host1 upsd.users | grep certissuer)
tap_like "site: a certissuer line, the CA's name, below certsubject" "$ISSUER_LINE" \
	"^	certissuer = \"CN=NUT CA [^\"]*,O=nutcert\"$"
# the docs' section, and the certissuer line below it as the text says
write_upsd_users
printf '\n%s\n%s\n' "$USERS_BLOCK" "$ISSUER_LINE" >> "$CONF/upsd.users"
HOST1_PASS=$(printf '%s\n' "$USERS_BLOCK" | sed -n 's/^[[:space:]]*password = "\(.*\)"$/\1/p')

# upsd.conf: the pasted lines, one argument each
IFS='
'
# shellcheck disable=SC2086 # split at newlines only
set -- $SRV_LINES
unset IFS
write_upsd_conf "$@"
"$UPSD" -t > "$W/t.out" 2>&1
tap_is "upsd -t accepts the site's database and the pasted lines" "$?" 0

start_driver dummy || tap_bail "driver did not start"
start_upsd -FF || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy || tap_bail "ups dummy not ready"
UPSD_START_PID=$UPSD_PID

upsc_as() {	# CLIENT: ups.status through TLS with that client's nutauth.conf
	"$UPSC" -A "$W/$1.auth" dummy@localhost:"$PORT" ups.status 2>&1
}
tap_is "REQUIRE: upsc with upsmon-host1's database" "$(upsc_as upsmon-host1)" "OL"
tap_is "REQUIRE: upsc with upsmon-host2's database" "$(upsc_as upsmon-host2)" "OL"
tap_unlike "REQUIRE: upsc without a client certificate is refused" "$(upsc_as nocert)" "^OL$"

# PEM copies of the client identities for tlsprobe (Python's ssl), made
# with nutcert's own PKCS#12 export
printf 'p12-%s\n' "$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" > "$W/p12.pw"
chmod 0600 "$W/p12.pw"
for c in upsmon-host1 upsmon-host2; do
	"$NUTCERT" --pki "$PKIDIR" export "$c" --db "$SITE/$c" --p12 "$W/$c.p12" \
		--db-password-file "$R/root/db.pw" --p12-password-file "$W/p12.pw" > "$W/export.log" 2>&1 &&
	"$OPENSSL" pkcs12 -in "$W/$c.p12" -passin "file:$W/p12.pw" -nodes -clcerts \
		-out "$W/$c.pem" >> "$W/export.log" 2>&1 ||
		tap_bail "cannot export $c: $(cat "$W/export.log")"
done
probe() {	# CLIENT LINE...: a TLS session with that client's certificate
	_c=$1; shift
	tls_probe --ca "$PKIDIR/ca.crt" --name localhost --cert "$W/$_c.pem" "$@"
}
r=$(probe upsmon-host1 "USERNAME upsmon-host1" "PASSWORD \"$HOST1_PASS\"" "LOGIN dummy" LOGOUT)
tap_like "certsubject: upsmon-host1 logs in with its certificate" "$r" "^REPLY OK$"
tap_unlike "certsubject: ... no error" "$r" "^REPLY ERR"
r=$(probe upsmon-host2 "USERNAME upsmon-host1" "PASSWORD \"$HOST1_PASS\"" "LOGIN dummy")
tap_like "certsubject: upsmon-host1 with upsmon-host2's certificate is refused" "$r" \
	"^REPLY ERR ACCESS-DENIED"

# ---------------------------------------------------------------- upsmon
# NUT's upsmon (when installed) with the upsmon.conf lines site printed
# beside its MONITOR line: upsmon-host1 as the user the docs' section binds
# to its certificate, upsmon-host2 as a user without certsubject. NUT 2.8's
# upsmon keeps files in /run/nut whatever it is told: each gets a private
# one (a mount namespace).
NUMON=""
if [ -x "$NUT_UPSMON" ] && unshare -m sh -c "mount --bind '$T' /run/nut" 2>/dev/null; then
	NUMON=1
fi
# upsmon_start CLIENT USER PASS ROLE: NUT's upsmon for that client; pid in
# MON_<n> (n: 1 or 2, the client's number)
upsmon_start() {
	_d=$T/mon-$1
	mkdir -p "$_d/run"
	chown root:nut "$_d/run"; chmod 0770 "$_d/run"
	{
		echo "MONITOR dummy@localhost:$PORT 1 $2 \"$3\" $4"
		printf 'MINSUPPLIES 1\nSHUTDOWNCMD "/bin/true"\nPOLLFREQ 1\nPOLLFREQALERT 1\nDEADTIME 15\nRUN_AS_USER nut\n'
		pasted "$1" upsmon.conf
	} > "$_d/upsmon.conf"
	echo "MODE=standalone" > "$_d/nut.conf"
	chown root:nut "$_d/upsmon.conf" "$_d/nut.conf"; chmod 0640 "$_d/upsmon.conf" "$_d/nut.conf"
	NUT_CONFPATH=$_d NUT_PIDPATH=$_d/run NUT_ALTPIDPATH=$_d/run NUT_STATEPATH=$_d/run \
		unshare -m sh -c 'mount --bind "$1" /run/nut && exec "$2" -F -DD' sh "$_d/run" "$NUT_UPSMON" \
		> "$T/upsmon-$1.log" 2>&1 &
	eval "MON_${1##*host}=\$!"
	PIDS="$PIDS $!"
}
# upsmon_stop PID: upsmon and its unprivileged child
upsmon_stop() {
	_kids=$(ps -o pid= --ppid "$1" 2>/dev/null)
	for _k in $_kids; do kill -TERM "$_k" 2>/dev/null; done
	stop_pid "$1"
	for _k in $_kids; do
		wait_for 50 sh -c "! kill -0 $_k 2>/dev/null" || kill -KILL "$_k" 2>/dev/null
	done
}
logged_in() {	# USER SUBJECT: upsd logged that login (after line $LOG_FROM), over
	# TLS, with that certificate
	tail -n "+$LOG_FROM" "$T/upsd.log" |
		grep -q "Client $1@127.0.0.1 logged in to UPS \[dummy\] (SSL) with certificate $2"
}
numlogins() { [ "$(nut_req 'GET NUMLOGINS dummy')" = "NUMLOGINS dummy $1" ]; }
if [ -n "$NUMON" ]; then
	LOG_FROM=$(($(wc -l < "$T/upsd.log") + 1))
	upsmon_start upsmon-host1 upsmon-host1 "$HOST1_PASS" primary
	upsmon_start upsmon-host2 "$SEC_USER" "$SEC_PASS" secondary
	if wait_for 200 logged_in upsmon-host1 CN=upsmon-host1; then
		tap_ok "NUT upsmon with upsmon-host1's pasted lines logs in as the bound user"
	else
		tap_fail "NUT upsmon with upsmon-host1's pasted lines logs in as the bound user"
		tap_diag "$(tail -n 15 "$T/upsmon-upsmon-host1.log")"
	fi
	if wait_for 200 logged_in "$SEC_USER" CN=upsmon-host2; then
		tap_ok "NUT upsmon with upsmon-host2's pasted lines logs in"
	else
		tap_fail "NUT upsmon with upsmon-host2's pasted lines logs in"
		tap_diag "$(tail -n 15 "$T/upsmon-upsmon-host2.log")"
	fi
	tap_check "two upsmon logins" wait_for 50 numlogins 2
else
	tap_skip "NUT upsmon with the pasted lines" "NUT's upsmon ($NUT_UPSMON) or a private /run/nut is not available"
fi

# ---------------------------------------------------------------- revocation
# both clients hold a session open meanwhile
probe upsmon-host2 PROTVER '@WAIT-EOF 60' > "$W/sess2.out" 2>&1 &
SESS2=$!
probe upsmon-host1 PROTVER '@WAIT-EOF 60' > "$W/sess1.out" 2>&1 &
SESS1=$!
PIDS="$PIDS $SESS1 $SESS2"
wait_for 100 grep -q '^REPLY' "$W/sess2.out" || tap_bail "upsmon-host2's session did not open"
wait_for 100 grep -q '^REPLY' "$W/sess1.out" || tap_bail "upsmon-host1's session did not open"
check_recipe "docs/tls.md quick path: revoke, crl --install, upsd -c reload (each exits 0)" \
	"$DOCS/tls.md" nutcert-revoke
tap_like "upsd -c reload says the reload is in force" "$(cat "$T/recipe-nutcert-revoke.log")" \
	"reloaded: configuration reloaded"
if wait_for 100 grep -q '^EOF' "$W/sess2.out"; then
	tap_ok "the revoked client's open session is closed"
else
	tap_fail "the revoked client's open session is closed"
	tap_diag "$(cat "$W/sess2.out")"
fi
tap_like "upsd logs the closure with the subject and the reason" "$(cat "$T/upsd.log")" \
	"closing the TLS session of 'CN=upsmon-host2': its client certificate has been revoked"
tap_unlike "the other client's open session stays open" "$(cat "$W/sess1.out")" "^EOF"
tap_check "... its probe is still waiting" kill -0 "$SESS1"
stop_pid "$SESS1"
r=$(upsc_as upsmon-host2)
tap_unlike "a new connection of the revoked client is refused" "$r" "^OL$"
tap_like "... upsc says why" "$r" "revoked"
tap_like "... the client is told certificate_revoked" "$(probe upsmon-host2 PROTVER)" "ALERT .*REVOKED"
upsd_said() { grep -q "TLS handshake with .* failed: .*revoked: 'CN=upsmon-host2'" "$T/upsd.log"; }
wait_for 50 upsd_said
tap_like "... and upsd logs the refusal" "$(cat "$T/upsd.log")" \
	"TLS handshake with .* failed: .*revoked: 'CN=upsmon-host2'"
tap_is "the other client still gets in" "$(upsc_as upsmon-host1)" "OL"
if [ -n "$NUMON" ]; then
	tap_check "upsmon: the revoked client's upsmon is out, the other stays (NUMLOGINS 1)" \
		wait_for 100 numlogins 1
	tap_like "upsmon: upsd closed upsmon-host2's session, naming its user" "$(cat "$T/upsd.log")" \
		"closing the TLS session of 'CN=upsmon-host2', user $SEC_USER: its client certificate has been revoked"
	tap_unlike "upsmon: upsmon-host1's session was never closed" "$(cat "$T/upsd.log")" \
		"closing the TLS session of 'CN=upsmon-host1'"
fi

# ---------------------------------------------------------------- renewal
# serial: the serial of upsd's current certificate, as nutcert shows it and
# tlsprobe prints it (hex, no leading zeros)
serial() {
	"$NUTCERT" --pki "$PKIDIR" show upsd 2>/dev/null |
		sed -n 's/^serial: *0*\([0-9A-F]*\)$/\1/p'
}
served() {
	probe upsmon-host1 PROTVER | sed -n 's/^SERVER-SERIAL //p'
}
OLD=$(serial)
tap_like "nutcert show upsd: a serial" "$OLD" "^[0-9A-F]+$"
tap_is "before the renewal: upsd serves that certificate" "$(served)" "$OLD"
check_recipe "docs/tls.md quick path: renew upsd, upsd -c reload (each exits 0)" \
	"$DOCS/tls.md" nutcert-renew
NEW=$(serial)
tap_unlike "renew: a new serial" "$NEW" "^${OLD}$"
tap_is "after the reload: new connections get the renewed certificate" "$(served)" "$NEW"
tap_like "upsd logs the switch with the new serial" "$(cat "$T/upsd.log")" \
	"now serving the renewed certificate 'upsd' .*serial 0x0*$NEW"
tap_is "upsc still verifies the server (it trusts the CA)" "$(upsc_as upsmon-host1)" "OL"
if [ -n "$NUMON" ]; then
	tap_check "upsmon-host1's upsmon is still logged in" numlogins 1
	upsmon_stop "$MON_1"
	upsmon_stop "$MON_2"
fi

# ---------------------------------------------------------------- an out-of-date CRL
# The CRL passed its next update (nobody ran `crl --install` in time):
# upsd (NSS) still honours it, the revoked client stays out and the others
# get in (docs/nutcert.md §5); `expiring` says so. crlutil takes no CRL
# older than the one installed, so that one goes first.
crlutil -D -d "sql:$SITE/upsd" -f "$R/root/db.pw" -n nutcert-ca > "$W/crl-del.log" 2>&1
tap_is "crlutil deletes the installed CRL" "$?" 0
"$NUTCERT" --pki "$PKIDIR" crl --days 1 --backdate-days 3 --install "$SITE/upsd" \
	--ca-password-file "$R/root/ca.pw" --db-password-file "$R/root/db.pw" > /dev/null 2> "$W/err"
tap_is "nutcert crl: a CRL whose next update was two days ago, installed" "$?" 0
"$UPSD" -c reload > "$W/reload-old.out" 2>&1
tap_is "upsd -c reload with it exits 0" "$?" 0
tap_like "an out-of-date CRL still keeps the revoked client out" "$(probe upsmon-host2 PROTVER)" \
	"ALERT .*REVOKED"
tap_like "... and lets the other in" "$(probe upsmon-host1 PROTVER)" "^REPLY 1\.[0-9]"
"$NUTCERT" --pki "$PKIDIR" expiring > "$W/expiring.out" 2>&1
tap_is "nutcert expiring: exit 11 (expired)" "$?" 11
tap_like "... names the CRL" "$(cat "$W/expiring.out")" "^expired crl: "

tap_is "no restart: the same upsd process" "$UPSD_PID" "$UPSD_START_PID"
tap_check "... still running" kill -0 "$UPSD_PID"
tap_unlike "no filter violation in the log" "$(cat "$T/upsd.log")" 'is not allowed|Bad system call'
tap_done
