# nutsec tests - tlslib.sh: certificates and TLS helpers for the TLS tests.
#
# Sourced after lib.sh. POSIX sh. Needs certutil/pk12util (libnss3-tools)
# and openssl (PEM copies of the client identities for tlsprobe.py).
#
#   tls_require              skip-all (TAP) when certutil/pk12util/openssl are missing
#   tls_pki                  the certificate set in $PKI, made once and shared by
#                            every test of the build tree (see below); bails out
#                            on failure
#   tls_upsd_conf [REQ] [NICK] [EXTRA...]
#                            upsd.conf with CERTPATH $PKI/srv, CERTIDENT NICK
#                            (default "server") and CERTREQUEST REQ (if given)
#   tls_probe ARGS...        tlsprobe.py (STARTTLS + handshake with Python's ssl,
#                            i.e. OpenSSL: an independent peer for our upsd)
#   tls_upsc_conf DB [CERTVERIFY] [FORCESSL] [EXTRA...]
#                            the -A client file of our upsc/upscmd/upsrw ($TLS_AUTHFILE)
#                            for the client DB $PKI/cl-DB; tls_upsc ARGS runs upsc -A
#   tls_upsmon_lines DB [NICK] ...  the TLS lines of a NUT upsmon.conf
#   tls_pem NAME [DB]        PEM key+cert of an identity; tls_subject NAME
#   recipe FILE NAME, run_recipe FILE NAME..., check_recipe DESC FILE NAME...
#                            the documentation's marked blocks, run as written
#                            (see "Recipes" below)
#
# The set ($PKI, all DB passwords = $PKI_PW, the same text in $PKI/pw):
#   ca/, ca.crt      "nutsec test CA": BC critical CA:TRUE, KU critical
#                    certSign+crlSign, SKID, AKID (self)
#   ca2/, ca2.crt    "nutsec other CA": a CA nobody trusts
#   srv/             upsd's DB: CA trusted "CT,,"; certificates + keys:
#      server           CN=localhost, SAN DNS:localhost IP:127.0.0.1 IP:::1, serverAuth
#      server-expired   same names, expired a month ago
#      server-future    same names, valid from next month on
#      server-wrongname CN=otherhost.invalid, SAN DNS:otherhost.invalid only
#      server-clientonly same names as "server" but clientAuth EKU only
#   srv2/            a DB for a server whose certificate ("server") comes from ca2
#                    (ca2 trusted there, so upsd itself accepts it)
#   ca3/, ca3.crt    "nutsec third CA", with no path length limit
#   fakeca/          a CA signed by ca3 under ca's very name ("nutsec test CA")
#   srv-both/        upsd's DB trusting ca, ca2 and ca3 ("CT,,"), its "server" from ca
#   cl-NAME/         one client DB per identity, CA trusted "CT,,", the client
#                    certificate (if any) under the nickname NAME:
#      nocert    (only the CA)
#      mon       CN=mon, clientAuth            admin   CN=admin, clientAuth
#      expired   CN=mon-expired, expired       future  CN=mon-future, not yet valid
#      otherca   CN=mon-otherca, issued by ca2 srvonly CN=mon-srvonly, serverAuth only
#      twin      CN=mon (mon's very subject), issued by ca2
#      forged    CN=mon, issued by fakeca (present it with pem/fakeca.crt)
#      untrusting: only ca2 trusted (a client that cannot verify our server)
#   pem/ca.crt, pem/ca2.crt; pem/NAME.pem (key + certificate, see tls_pem)
#
# Serial numbers are unique per issuer. Keys are EC P-256, SHA-256 signatures.
#
# Where: $TLS_PKI_DIR, by default $top_builddir/tests/pki (a directory in
# /tmp named after it when user nut cannot reach the build tree: upsd, ours
# or NUT's, may read its database as nut). The unit tests (test_tls,
# test_tlsclient), the integration and the interop TLS scripts all use that
# one set; a lock ($PKI.lock, flock) lets the first of parallel tests make it
# while the others wait. It is made again when it is older than a day (the
# not-yet-valid certificates become valid a month after they were made) or
# older than this file; .ci/test removes it so that every run makes a fresh
# one, and `make clean` removes it. Tests only read it (tls_pem adds PEM
# copies, under the lock).

: "${CERTUTIL:=certutil}"
: "${PK12UTIL:=pk12util}"
: "${OPENSSL:=openssl}"
NSS_DEFAULT_DB_TYPE=sql
NSS_SDB_USE_CACHE=no
export NSS_DEFAULT_DB_TYPE NSS_SDB_USE_CACHE

tls_require() {
	for _x in "$CERTUTIL" "$PK12UTIL" "$OPENSSL"; do
		if ! command -v "$_x" >/dev/null 2>&1; then
			echo "1..0 # SKIP $_x not installed (libnss3-tools / openssl)"
			exit 0
		fi
	done
}

# _pki_run CMD...: run quietly, log to $PKI/gen.log, fail loudly
_pki_run() {
	echo "+ $*" >> "$PKI/gen.log"
	"$@" >> "$PKI/gen.log" 2>&1
}

# _pki_keyid CSR: SHA-1 over the subjectPublicKey of a P-256 CSR (RFC 5280
# 4.2.1.2 method 1), as 0x-hex for certutil's prompts
_pki_keyid() {
	"$OPENSSL" req -in "$1" -noout -pubkey 2>/dev/null |
		"$OPENSSL" pkey -pubin -outform DER 2>/dev/null | tail -c 65 |
		"$OPENSSL" dgst -sha1 -binary | od -An -tx1 | tr -d ' \n' | sed 's/^/0x/'
}

# _pki_newdb DIR: an empty sql: DB with password $PKI/pw
_pki_newdb() {
	mkdir -p "$1"
	_pki_run "$CERTUTIL" -N -d "sql:$1" -f "$PKI/pw"
}

# _pki_ca NAME SUBJECT [PATHLEN [ISSUER]]: a CA in $PKI/NAME/ (nickname
# NAME), NAME.crt; self-signed, or signed by the CA ISSUER; PATHLEN 0 by
# default (-1: unlimited)
_pki_ca() {
	_pki_newdb "$PKI/$1" || return 1
	_pki_run "$CERTUTIL" -R -d "sql:$PKI/$1" -f "$PKI/pw" -z "$PKI/noise" \
		-k ec -q nistp256 -Z SHA256 -s "$2" -a -o "$PKI/$1.csr" || return 1
	_kid=$(_pki_keyid "$PKI/$1.csr")
	[ -n "$_kid" ] || return 1
	eval "PKI_KID_$1=\$_kid"
	_akid=$_kid
	if [ -n "${4:-}" ]; then
		eval "_akid=\$PKI_KID_$4"
		set -- "$1" "$2" "${3:-0}" "$4" -c "$4"
		_signer=$PKI/$4
		_ser=2		# the issuer's own certificate has serial 1
	else
		set -- "$1" "$2" "${3:-0}" "" -x
		_signer=$PKI/$1
		_ser=1
	fi
	# prompts: BC (CA? pathlen, critical), AKID (y, keyid, names: 0,
	# serial, critical), SKID (keyid, critical)
	printf 'y\n%s\ny\ny\n%s\n0\n\nn\n%s\nn\n' "$3" "$_akid" "$_kid" |
		_pki_run "$CERTUTIL" -C "$5" ${6:+"$6"} -d "sql:$_signer" -f "$PKI/pw" -a \
		-i "$PKI/$1.csr" -o "$PKI/$1.crt" -m "$_ser" -v 60 -w -14 -Z SHA256 \
		--keyUsage certSigning,crlSigning,critical -2 -3 --extSKID || return 1
	_pki_run "$CERTUTIL" -A -d "sql:$PKI/$1" -f "$PKI/pw" -n "$1" -t "CT,," -a -i "$PKI/$1.crt"
}

# _pki_leaf DB NICK ISSUER SERIAL SUBJECT EKU WARP VALID [SAN]: key + CSR in
# DB (a directory under $PKI), signed by CA ISSUER, imported into DB as NICK.
_pki_leaf() {
	_db=$PKI/$1; _nick=$2; _iss=$3; _ser=$4; _subj=$5; _eku=$6; _warp=$7; _val=$8; _san=$9
	_csr=$PKI/$1-$_nick.csr; _crt=$PKI/$1-$_nick.crt
	_pki_run "$CERTUTIL" -R -d "sql:$_db" -f "$PKI/pw" -z "$PKI/noise" \
		-k ec -q nistp256 -Z SHA256 -s "$_subj" -a -o "$_csr" || return 1
	_kid=$(_pki_keyid "$_csr")
	eval "_akid=\$PKI_KID_$_iss"
	[ -n "$_kid" ] && [ -n "$_akid" ] || return 1
	if [ -n "$_san" ]; then set -- --extSAN "$_san"; else set --; fi
	# prompts: BC (not a CA, critical), AKID, SKID
	printf 'n\n\ny\ny\n%s\n0\n\nn\n%s\nn\n' "$_akid" "$_kid" |
		_pki_run "$CERTUTIL" -C -d "sql:$PKI/$_iss" -f "$PKI/pw" -c "$_iss" -a \
		-i "$_csr" -o "$_crt" -m "$_ser" -w "$_warp" -v "$_val" -Z SHA256 \
		--keyUsage digitalSignature,critical --extKeyUsage "$_eku" \
		-2 -3 --extSKID "$@" || return 1
	_pki_run "$CERTUTIL" -A -d "sql:$_db" -f "$PKI/pw" -n "$_nick" -t ",," -a -i "$_crt"
}

# _pki_trust DB CA [TRUST]: import CA's certificate into DB
_pki_trust() {
	_pki_run "$CERTUTIL" -A -d "sql:$PKI/$1" -f "$PKI/pw" -n "$2" -t "${3:-CT,,}" -a -i "$PKI/$2.crt"
}

# _pki_lock / _pki_unlock: hold $PKI.lock (fd 9) while making or adding
_pki_lock() {
	exec 9>"$PKI.lock" && flock 9
}
_pki_unlock() {
	exec 9>&-
}

# tls_pem NAME [DB]: $PKI/pem/NAME.pem, the PEM key + certificate NAME of
# the DB $PKI/DB (default cl-NAME), made on first use (a PKCS#12 export
# costs ~1 s of PBKDF2) and kept in the shared set
tls_pem() {
	[ -s "$PKI/pem/$1.pem" ] && return 0
	_pki_lock || return 1
	_pem=$PKI/pem/$1
	[ -s "$_pem.pem" ] ||
	{ _pki_run "$PK12UTIL" -o "$_pem.p12" -n "$1" -d "sql:$PKI/${2:-cl-$1}" \
		-k "$PKI/pw" -W "$PKI_PW" &&
	_pki_run "$OPENSSL" pkcs12 -in "$_pem.p12" -passin "pass:$PKI_PW" \
		-nodes -clcerts -out "$_pem.tmp" &&
	chmod 0640 "$_pem.tmp" && mv "$_pem.tmp" "$_pem.pem"; }
	_rc=$?
	_pki_unlock
	return $_rc
}

_pki_make() {
	_SAN="dns:localhost,ip:127.0.0.1,ip:::1"
	_pki_ca ca "CN=nutsec test CA,O=nutsec tests" || return 1
	_pki_ca ca2 "CN=nutsec other CA,O=nutsec tests" || return 1
	# a third CA that may sign CAs, and one it signed under the first CA's
	# very name (what certissuer must not take for the first CA)
	_pki_ca ca3 "CN=nutsec third CA,O=nutsec tests" -1 || return 1
	_pki_ca fakeca "CN=nutsec test CA,O=nutsec tests" 0 ca3 || return 1
	# upsd's database
	_pki_newdb "$PKI/srv" && _pki_trust srv ca || return 1
	_pki_leaf srv server ca 100 "CN=localhost,O=nutsec tests" serverAuth 0 12 "$_SAN" || return 1
	_pki_leaf srv server-expired ca 101 "CN=localhost,OU=expired,O=nutsec tests" serverAuth -13 12 "$_SAN" || return 1
	_pki_leaf srv server-future ca 102 "CN=localhost,OU=future,O=nutsec tests" serverAuth 1 12 "$_SAN" || return 1
	_pki_leaf srv server-wrongname ca 103 "CN=otherhost.invalid,O=nutsec tests" serverAuth 0 12 "dns:otherhost.invalid" || return 1
	_pki_leaf srv server-clientonly ca 104 "CN=localhost,OU=clientonly,O=nutsec tests" clientAuth 0 12 "$_SAN" || return 1
	# a server whose certificate comes from the CA nobody else trusts
	_pki_newdb "$PKI/srv2" && _pki_trust srv2 ca2 || return 1
	_pki_leaf srv2 server ca2 200 "CN=localhost,O=nutsec other" serverAuth 0 12 "$_SAN" || return 1
	# a server trusting both CAs (certissuer tells their clients apart)
	_pki_newdb "$PKI/srv-both" && _pki_trust srv-both ca && _pki_trust srv-both ca2 &&
		_pki_trust srv-both ca3 || return 1
	_pki_leaf srv-both server ca 105 "CN=localhost,O=nutsec tests" serverAuth 0 12 "$_SAN" || return 1
	# clients
	_pki_newdb "$PKI/cl-nocert" && _pki_trust cl-nocert ca || return 1
	_pki_newdb "$PKI/cl-untrusting" && _pki_trust cl-untrusting ca2 || return 1
	_s=110
	for _c in "mon CN=mon ca clientAuth 0 12" \
		"admin CN=admin ca clientAuth 0 12" \
		"expired CN=mon-expired ca clientAuth -13 12" \
		"future CN=mon-future ca clientAuth 1 12" \
		"otherca CN=mon-otherca ca2 clientAuth 0 12" \
		"srvonly CN=mon-srvonly ca serverAuth 0 12" \
		"twin CN=mon ca2 clientAuth 0 12" \
		"forged CN=mon fakeca clientAuth 0 12"; do
		# shellcheck disable=SC2086
		set -- $_c
		_pki_newdb "$PKI/cl-$1" && _pki_trust "cl-$1" ca || return 1
		_pki_leaf "cl-$1" "$1" "$3" "$_s" "$2,O=nutsec tests" "$4" "$5" "$6" || return 1
		_s=$((_s + 1))
	done
	cp "$PKI/ca.crt" "$PKI/pem/ca.crt"
	cp "$PKI/ca2.crt" "$PKI/pem/ca2.crt"
	cp "$PKI/fakeca.crt" "$PKI/pem/fakeca.crt"
	# sanity: certutil itself agrees with the intent
	_pki_run "$CERTUTIL" -V -d "sql:$PKI/srv" -n server -u V || return 1
	_pki_run "$CERTUTIL" -V -d "sql:$PKI/cl-mon" -n mon -u C || return 1
	! _pki_run "$CERTUTIL" -V -d "sql:$PKI/srv" -n server-expired -u V || return 1
	! _pki_run "$CERTUTIL" -V -d "sql:$PKI/cl-srvonly" -n srvonly -u C || return 1
	return 0
}

# _pki_where: sets PKI (see "Where" above)
_pki_where() {
	PKI=${TLS_PKI_DIR:-${top_builddir:-$top_srcdir}/tests/pki}
	mkdir -p "$(dirname "$PKI")" || return 1
	if [ -z "$TLS_PKI_DIR" ] && id nut >/dev/null 2>&1 && command -v setpriv >/dev/null &&
	    ! setpriv --reuid=nut --regid=nut --clear-groups test -x "$(dirname "$PKI")" \
	    2>/dev/null; then
		PKI=${TMPDIR:-/tmp}/nutsec-pki.$(printf '%s' "$PKI" | cksum | cut -d' ' -f1)
	fi
}

# _pki_fresh: the set in $PKI is complete, less than a day old and newer
# than this file
_pki_fresh() {
	[ -f "$PKI/done" ] &&
	[ ! "${top_srcdir:-.}/tests/integration/tlslib.sh" -nt "$PKI/done" ] &&
	[ -z "$(find "$PKI/done" -mmin +1440 2>/dev/null)" ]
}

# tls_pki: the shared certificate set in $PKI, made if it is not there yet
tls_pki() {
	_pki_where || tap_bail "cannot make the directory for $PKI"
	_pki_lock || tap_bail "cannot lock $PKI.lock"
	if ! _pki_fresh; then
		rm -rf "$PKI"
		mkdir -p "$PKI/pem"
		PKI_PW=nutsec-db-$$-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
		printf '%s\n' "$PKI_PW" > "$PKI/pw"
		head -c 2048 /dev/urandom > "$PKI/noise"
		if ! _pki_make; then
			_pki_unlock
			echo "# certificate generation failed; last lines of $PKI/gen.log:"
			tail -n 15 "$PKI/gen.log" | sed 's/^/#   /'
			tap_bail "cannot make the test certificates"
		fi
		# upsd runs as nut: it must read its DB; clients run as root
		chown -R root:nut "$PKI" 2>/dev/null
		chmod -R g+rX,o-rwx "$PKI"
		chmod 0750 "$PKI"
		: > "$PKI/done"
	fi
	_pki_unlock
	PKI_PW=$(cat "$PKI/pw")
	export PKI PKI_PW
}

# tls_subject NAME: the subject of a client identity as NSS prints it
tls_subject() {
	"$CERTUTIL" -L -d "sql:$PKI/cl-$1" -n "$1" 2>/dev/null |
		sed -n 's/^ *Subject: "\(.*\)"$/\1/p' | head -n 1
}

# tls_probe ARGS...: tlsprobe.py against our upsd on $PORT (see its --help)
tls_probe() {
	"$PY" -W ignore "$LIBDIR/tlsprobe.py" -p "$PORT" "$@" 2>&1
}

# tls_upsd_conf [CERTREQUEST] [NICK] [EXTRA-LINE...]: upsd.conf for TLS with
# the DB $PKI/srv (TLS_SRVDB overrides), CERTIDENT NICK (default "server")
# and its password, CERTREQUEST if not empty
tls_upsd_conf() {
	_req=$1; _nick=${2:-server}
	if [ $# -ge 2 ]; then shift 2; else shift $#; fi
	write_upsd_conf "CERTPATH ${TLS_SRVDB:-$PKI/srv}" \
		"CERTIDENT \"$_nick\" \"$PKI_PW\"" \
		${_req:+"CERTREQUEST $_req"} "$@"
}

# tls_restart_upsd: stop our upsd if running, start it on the current
# upsd.conf (returns 1 when it does not come up; log in $T/upsd.log)
tls_restart_upsd() {
	[ -n "$UPSD_PID" ] && stop_pid "$UPSD_PID"
	UPSD_PID=""
	start_upsd
}

# tls_upsd_fails ARGS...: run upsd in the foreground on the current config;
# succeeds when it exits non-zero by itself within 20 s (output in
# $T/upsd-fail.log; a upsd still running after that is killed: a failure)
tls_upsd_fails() {
	# shellcheck disable=SC2086 # UPSD_ARGS: extra words (as start_upsd)
	"$UPSD" -F $UPSD_ARGS ${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION} "$@" > "$T/upsd-fail.log" 2>&1 &
	_fp=$!
	PIDS="$PIDS $_fp"
	_i=0
	while kill -0 "$_fp" 2>/dev/null && [ $_i -lt 200 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	if kill -0 "$_fp" 2>/dev/null; then
		stop_pid "$_fp"
		echo "(still running after 20 s: killed)" >> "$T/upsd-fail.log"
		return 1
	fi
	wait "$_fp"
	_rc=$?
	stop_pid "$_fp"
	[ "$_rc" -ne 0 ]
}

# tls_probe_port PORT ARGS...: tlsprobe.py against PORT, output only
tls_probe_port() {
	_pp=$1; shift
	"$PY" -W ignore "$LIBDIR/tlsprobe.py" -p "$_pp" "$@" 2>&1
}

# tls_upsc_conf DB [CERTVERIFY] [FORCESSL] [EXTRA-LINE...]: the client TLS
# file (nutauth.conf shape, given to our clients with -A) $TLS_AUTHFILE for
# the client DB $PKI/cl-DB: CERTPATH, CERTIDENT "DB" "password" when that DB
# holds a certificate, CERTVERIFY and FORCESSL when given (not empty)
tls_upsc_conf() {
	_db=$1; _cv=$2; _fs=$3
	if [ $# -ge 3 ]; then shift 3; else shift $#; fi
	TLS_AUTHFILE=$T/nutauth-$_db.conf
	{
		echo "CERTPATH $PKI/cl-$_db"
		case $_db in nocert|untrusting) ;; *) echo "CERTIDENT \"$_db\" \"$PKI_PW\"" ;; esac
		[ -n "$_cv" ] && echo "CERTVERIFY $_cv"
		[ -n "$_fs" ] && echo "FORCESSL $_fs"
		for _l in "$@"; do echo "$_l"; done
	} > "$TLS_AUTHFILE"
	chmod 0600 "$TLS_AUTHFILE"
}

# tls_upsc ARGS...: our upsc with -A $TLS_AUTHFILE, stdout and stderr
tls_upsc() {
	"$UPSC" -A "$TLS_AUTHFILE" "$@" 2>&1
}

# tls_upsmon_lines DB [NICK] [CERTHOST-HOST] [VERIFY] [FORCE]: the TLS lines
# of a NUT upsmon.conf for the client DB $PKI/DB: CERTPATH, CERTIDENT NICK
# (if given), CERTHOST HOST "HOST" VERIFY FORCE (default localhost, 1 1),
# and the defaults CERTVERIFY/FORCESSL set to the same values
tls_upsmon_lines() {
	_h=${3:-localhost}; _v=${4:-1}; _f=${5:-1}
	echo "CERTPATH $PKI/$1"
	[ -n "$2" ] && echo "CERTIDENT \"$2\" \"$PKI_PW\""
	echo "CERTHOST \"$_h\" \"$_h\" $_v $_f"
	echo "CERTVERIFY $_v"
	echo "FORCESSL $_f"
}

# ---------------------------------------------------------------- Recipes
# A block of the documentation marked by a line "<!-- recipe: NAME -->"
# before it (the fenced block that follows) is run as written, so that the
# documentation cannot rot. Only the edits of $RECIPE_SED (a sed script,
# e.g. /etc/nut moved under the test directory) are made; $RECIPE_PATH is
# put first on PATH (our upsd, nutcert).

# recipe FILE NAME: the block, edited by $RECIPE_SED
recipe() {
	awk -v name="$2" '
		$0 ~ "<!-- recipe: " name " -->" { want = 1; next }
		want && /^ *```/ && !inblock { inblock = 1; next }
		inblock && /^ *```/ { exit }
		inblock { sub(/^   /, ""); print }
	' "$1" | sed -e "${RECIPE_SED:-p;d}"
}

# run_recipe FILE NAME...: the blocks in one sh -e, in $RECIPE_CWD (default
# $T/work; files a recipe reads from its current directory go there);
# output in $T/recipe-<first name>.log
run_recipe() {
	_f=$1; shift
	_log=$T/recipe-$1.log
	: > "$T/recipe.sh"
	for _n in "$@"; do
		_b=$(recipe "$_f" "$_n")
		if [ -z "$_b" ]; then
			echo "recipe '$_n' not found in $_f" > "$_log"
			return 1
		fi
		printf '%s\n' "$_b" >> "$T/recipe.sh"
	done
	_cwd=${RECIPE_CWD:-$T/work}
	mkdir -p "$_cwd"
	(cd "$_cwd" && PATH=${RECIPE_PATH:+$RECIPE_PATH:}$PATH sh -e "$T/recipe.sh") > "$_log" 2>&1
}

# check_recipe DESC FILE NAME...: run_recipe as a TAP line (the end of its
# output on failure)
check_recipe() {
	_d=$1; shift
	if run_recipe "$@"; then
		tap_ok "$_d"
	else
		tap_fail "$_d"
		tap_diag "$(tail -n 15 "$_log")"
	fi
}
