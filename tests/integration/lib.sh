# nutsec tests - lib.sh: shared helpers for tests/integration and tests/interop.
#
# Sourced by every NNN-name.sh. POSIX sh. It gives:
#   TAP:      tap_ok tap_fail tap_skip tap_is tap_like tap_unlike tap_import tap_done
#   setup:    nut_setup (temp dir, free port, nut.conf, upsd.conf, upsd.users,
#             ups.conf with one dummy-ups UPS "dummy"), write_upsd_conf,
#             write_ups_conf, add_ups
#   daemons:  start_upsd, reload_upsd, start_driver, wait_ups, stop_pid, nut_cleanup (trap)
#   requests: nut_req (nutclient.py on $PORT), nut_get (the bare value),
#             drv_req (lines to a driver socket)
#
# Binaries: ours from the build tree by default, overridable to develop against
# Debian's NUT:  UPSD=/lib/nut/upsd DUMMY=/lib/nut/dummy-ups sh 010-....sh
# Environment: top_builddir, top_srcdir (absolute; set by the Makefile),
# KEEP=1 keeps the temp dir, VERBOSE=1 echoes daemon logs even on success,
# UPSD_ARGS / DRIVER_ARGS add words to every upsd / dummy-ups started by
# start_upsd / start_driver.
# The daemons run sandboxed as they do by default (user nut, chrooted to the
# state path, filters killing); nothing here turns that off.
# SANDBOX_ACTION=trap|log|kill sets the filter action of every daemon started
# here (upsd.conf SANDBOX, ups.conf sandbox, --sandbox), and SANDBOX_LOGDIR=DIR
# keeps every daemon log there (NAME.TEST.log) so a run can be searched for
# violations (make check-sandbox-trap).

: "${top_srcdir:=$(cd "$(dirname "$0")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
LIBDIR=$top_srcdir/tests/integration
DATADIR=$top_srcdir/tests/data

# Debian's python3 has PyNUT; a pyenv shim first in PATH may not.
if [ -z "$PY" ]; then
	if [ -x /usr/bin/python3 ]; then PY=/usr/bin/python3; else PY=python3; fi
fi
export PY

# Ours (build tree) unless overridden.
: "${UPSD:=$top_builddir/upsd/upsd}"
: "${DUMMY:=$top_builddir/drivers/dummy-ups}"
: "${UPSDRVCTL:=$top_builddir/tools/upsdrvctl}"
: "${UPSC:=$top_builddir/clients/upsc}"
: "${UPSCMD:=$top_builddir/clients/upscmd}"
: "${UPSRW:=$top_builddir/clients/upsrw}"
# Debian's NUT 2.8.0 (/sbin/upsd and /sbin/upsmon are wrappers that read
# /etc/nut/nut.conf, so the real binaries are used).
: "${NUT_UPSD:=/lib/nut/upsd}"
: "${NUT_DUMMY:=/lib/nut/dummy-ups}"
: "${NUT_UPSDRVCTL:=/sbin/upsdrvctl}"
: "${NUT_UPSMON:=/lib/nut/upsmon}"
: "${NUT_UPSC:=/bin/upsc}"
: "${NUT_UPSCMD:=/bin/upscmd}"
: "${NUT_UPSRW:=/bin/upsrw}"

# Accounts written into upsd.users by nut_setup.
ADMIN_USER=admin;   ADMIN_PASS=adminpass	# actions = SET FSD, instcmds = ALL
PRI_USER=monpri;    PRI_PASS=pripass		# upsmon primary
SEC_USER=monsec;    SEC_PASS=secpass		# upsmon secondary
VIEW_USER=viewer;   VIEW_PASS=viewpass		# no rights at all

# ---------------------------------------------------------------- TAP

TAP_N=0
TAP_FAILED=0

tap_ok() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $*"
}

tap_fail() {
	TAP_N=$((TAP_N + 1))
	TAP_FAILED=$((TAP_FAILED + 1))
	echo "not ok $TAP_N - $*"
}

# tap_skip DESC REASON
tap_skip() {
	TAP_N=$((TAP_N + 1))
	echo "ok $TAP_N - $1 # SKIP $2"
}

# tap_diag TEXT...: lines as TAP comments
tap_diag() {
	printf '%s\n' "$*" | sed 's/^/#   /'
}

# tap_check DESC CMD...: ok if the command succeeds
tap_check() {
	_d=$1; shift
	if "$@"; then tap_ok "$_d"; else tap_fail "$_d"; fi
}

# tap_is DESC GOT WANT
tap_is() {
	if [ "x$2" = "x$3" ]; then
		tap_ok "$1"
	else
		tap_fail "$1"
		tap_diag "got:"; tap_diag "$2"
		tap_diag "want:"; tap_diag "$3"
	fi
}

# tap_like DESC GOT ERE: GOT (any line of it) matches the extended regex
tap_like() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		tap_ok "$1"
	else
		tap_fail "$1"
		tap_diag "got:"; tap_diag "$2"
		tap_diag "want match: $3"
	fi
}

tap_unlike() {
	if printf '%s\n' "$2" | grep -Eq -- "$3"; then
		tap_fail "$1"
		tap_diag "got:"; tap_diag "$2"
		tap_diag "must not match: $3"
	else
		tap_ok "$1"
	fi
}

# tap_import FILE: renumber "ok - x" / "not ok - x" lines written by a helper
# (python Tap class) into this script's TAP stream; pass comments through.
tap_import() {
	while IFS= read -r _l; do
		case $_l in
		"not ok - "*)
			TAP_N=$((TAP_N + 1)); TAP_FAILED=$((TAP_FAILED + 1))
			echo "not ok $TAP_N - ${_l#not ok - }" ;;
		"ok - "*)
			TAP_N=$((TAP_N + 1))
			echo "ok $TAP_N - ${_l#ok - }" ;;
		"#"*) echo "$_l" ;;
		*) echo "# $_l" ;;
		esac
	done < "$1"
}

# tap_py DESC-PREFIX: run python code from stdin with nutclient importable and
# import its results; a crash of the script is a failure.
tap_py() {
	_out=$T/py.$$.$TAP_N.out
	PYTHONPATH=$LIBDIR${PYTHONPATH:+:$PYTHONPATH} NUT_PORT=$PORT \
		"$PY" - > "$_out" 2>"$_out.err"
	_rc=$?
	tap_import "$_out"
	if [ $_rc -ne 0 ]; then
		tap_fail "$1: python helper exited $_rc"
		tap_diag "$(tail -n 15 "$_out.err")"
	fi
}

tap_done() {
	echo "1..$TAP_N"
	exit 0
}

# tap_bail REASON: abort the whole script (counts as an error in TAP).
tap_bail() {
	echo "Bail out! $*"
	nut_dump_logs
	exit 1
}

# ---------------------------------------------------------------- setup

PIDS=""
T=""

nut_cleanup() {
	for _p in $PIDS; do
		kill -TERM "$_p" 2>/dev/null
	done
	for _p in $PIDS; do
		_i=0
		while kill -0 "$_p" 2>/dev/null && [ $_i -lt 50 ]; do
			sleep 0.1; _i=$((_i + 1))
		done
		kill -KILL "$_p" 2>/dev/null
	done
	# anything else that lives in our state dir (drivers started by upsdrvctl)
	if [ -n "$T" ] && [ -d "$T/state" ]; then
		for _f in "$T"/state/*.pid; do
			[ -f "$_f" ] || continue
			_p=$(cat "$_f" 2>/dev/null)
			case $_p in ''|*[!0-9]*) continue ;; esac
			# only if it really is one of our processes in this dir
			if tr '\0' ' ' 2>/dev/null < /proc/"$_p"/environ | grep -q "NUT_STATEPATH=$T/state"; then
				kill -KILL "$_p" 2>/dev/null
			fi
		done
	fi
	if [ -n "$SANDBOX_LOGDIR" ] && [ -n "$T" ] && [ -d "$T" ]; then
		mkdir -p "$SANDBOX_LOGDIR"
		for _f in $(find "$T" -name '*.log' 2>/dev/null); do
			cp "$_f" "$SANDBOX_LOGDIR/$(basename "$0" .sh).$(echo "${_f#"$T"/}" | tr / _)" \
				2>/dev/null
		done
	fi
	if [ -n "$T" ] && [ -d "$T" ] && [ -z "$KEEP" ]; then
		rm -rf "$T"
	elif [ -n "$T" ]; then
		echo "# kept $T"
	fi
}

nut_dump_logs() {
	[ -n "$T" ] || return 0
	[ -n "$VERBOSE" ] || [ "$TAP_FAILED" -gt 0 ] || return 0
	for _f in "$T"/*.log; do
		[ -f "$_f" ] || continue
		echo "# ---- $(basename "$_f") (tail)"
		tail -n 20 "$_f" | sed 's/^/#   /'
	done
}

nut_on_exit() {
	trap '' PIPE	# stdout may be a closed pipe (| head): still clean up
	nut_dump_logs
	nut_cleanup
}
trap nut_on_exit EXIT
trap 'exit 1' INT TERM HUP PIPE

# pick_port: a free TCP port on 127.0.0.1 in 20000-29999
pick_port() {
	"$PY" - <<'EOF'
import random, socket
ports = list(range(20000, 30000))
random.shuffle(ports)
for p in ports:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
EOF
}

ensure_nut_user() {
	id nut >/dev/null 2>&1 && return 0
	adduser --system --group --no-create-home nut >/dev/null 2>&1 ||
		useradd --system --user-group nut >/dev/null 2>&1
}

# require_exe NAME PATH: skip-all when PATH is not executable (Debian binaries)
require_exe() {
	if [ ! -x "$2" ]; then
		echo "1..0 # SKIP $1 not installed ($2)"
		exit 0
	fi
}

# require_root WHY: skip-all unless root ("needs root WHY")
require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP needs root $1"
		exit 0
	fi
}

# require_ipv6_loopback: skip-all unless ::1 can be bound
require_ipv6_loopback() {
	if ! "$PY" -c 'import socket; socket.socket(socket.AF_INET6).bind(("::1", 0))' 2>/dev/null; then
		echo "1..0 # SKIP no IPv6 loopback"
		exit 0
	fi
}

# need_exe NAME PATH: our own binaries must exist (a missing one is a failure)
need_exe() {
	if [ ! -x "$2" ]; then
		tap_fail "$1 is built ($2)"
		tap_done
	fi
}

# nut_setup: temp dir with a working configuration.
#   $T            temp dir (mode 0755, nut can traverse)
#   $CONF         NUT_CONFPATH ($T/etc, root:nut 0750)
#   $STATE        NUT_STATEPATH and NUT_ALTPIDPATH ($T/state, root:nut 0770)
#   $PORT         a free port; upsd.conf LISTENs on 127.0.0.1 $PORT
#   ups "dummy"   dummy-ups on $CONF/dummy.dev (copy of tests/data/basic.dev)
nut_setup() {
	ensure_nut_user
	T=$(mktemp -d /tmp/nutsec-test.XXXXXX) || tap_bail "mktemp failed"
	chmod 0755 "$T"
	CONF=$T/etc
	STATE=$T/state
	mkdir -p "$CONF" "$STATE"
	chown root:nut "$CONF" "$STATE"
	chmod 0750 "$CONF"
	chmod 0770 "$STATE"
	NUT_CONFPATH=$CONF
	NUT_STATEPATH=$STATE
	NUT_ALTPIDPATH=$STATE
	NUT_PIDPATH=$STATE
	export NUT_CONFPATH NUT_STATEPATH NUT_ALTPIDPATH NUT_PIDPATH
	unset NUT_DEBUG_LEVEL
	PORT=$(pick_port)
	[ -n "$PORT" ] || tap_bail "no free port"
	export NUT_PORT=$PORT
	echo "MODE=standalone" > "$CONF/nut.conf"
	conf_file nut.conf
	write_upsd_conf
	write_upsd_users
	write_ups_conf
	dev_file dummy.dev "$DATADIR/basic.dev"
}

# conf_file NAME: fix owner/mode of $CONF/NAME (root:nut 0640)
conf_file() {
	chown root:nut "$CONF/$1"
	chmod 0640 "$CONF/$1"
}

# dev_file NAME SOURCE: copy a fixture into $CONF
dev_file() {
	cp "$2" "$CONF/$1"
	conf_file "$1"
}

# write_upsd_conf [EXTRA-LINE...]
write_upsd_conf() {
	{
		echo "LISTEN 127.0.0.1 $PORT"
		[ -n "$SANDBOX_ACTION" ] && echo "SANDBOX $SANDBOX_ACTION"
		for _l in "$@"; do echo "$_l"; done
	} > "$CONF/upsd.conf"
	conf_file upsd.conf
}

write_upsd_users() {
	cat > "$CONF/upsd.users" <<EOF
[$ADMIN_USER]
	password = $ADMIN_PASS
	actions = SET FSD
	instcmds = ALL

[$PRI_USER]
	password = $PRI_PASS
	upsmon primary

[$SEC_USER]
	password = $SEC_PASS
	upsmon secondary

[$VIEW_USER]
	password = $VIEW_PASS
EOF
	conf_file upsd.users
}

# write_ups_conf: the default ups.conf with the one UPS "dummy"
write_ups_conf() {
	{ [ -n "$SANDBOX_ACTION" ] && echo "sandbox = $SANDBOX_ACTION"; } > "$CONF/ups.conf"
	cat >> "$CONF/ups.conf" <<EOF
[dummy]
	driver = dummy-ups
	port = $CONF/dummy.dev
	desc = "Test UPS"
EOF
	conf_file ups.conf
}

# add_ups NAME DEVFILE [EXTRA-LINE...]: another dummy-ups section
add_ups() {
	_n=$1; _dev=$2; shift 2
	{
		echo ""
		echo "[$_n]"
		echo "	driver = dummy-ups"
		echo "	port = $_dev"
		for _l in "$@"; do echo "	$_l"; done
	} >> "$CONF/ups.conf"
}

# ---------------------------------------------------------------- daemons

# start_upsd [ARGS...]: start $UPSD -F in the background (pid in UPSD_PID,
# log in $T/upsd.log) and wait until it answers on $PORT.
start_upsd() {
	# shellcheck disable=SC2086 # UPSD_ARGS: extra words, e.g. a sandbox mode
	"$UPSD" -F $UPSD_ARGS ${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION} "$@" \
		> "$T/upsd.log" 2>&1 &
	UPSD_PID=$!
	PIDS="$PIDS $UPSD_PID"
	wait_listen || return 1
}

# wait_listen: until LIST UPS gets a reply (bounded)
wait_listen() {
	_i=0
	while [ $_i -lt 100 ]; do
		if [ -n "$UPSD_PID" ] && ! kill -0 "$UPSD_PID" 2>/dev/null; then
			return 1
		fi
		_r=$("$PY" "$LIBDIR/nutclient.py" -p "$PORT" -t 2 "LIST UPS" 2>/dev/null)
		case $_r in "BEGIN LIST UPS"*) return 0 ;; esac
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# reload_upsd [CONF-LINE...]: write upsd.conf (write_upsd_conf) and SIGHUP
# $UPSD_PID; wait (bounded) for the "configuration reloaded" line
reload_upsd() {
	write_upsd_conf "$@"
	_n=$(grep -c 'configuration reloaded' "$T/upsd.log")
	kill -HUP "$UPSD_PID"
	wait_for 50 sh -c "[ \$(grep -c 'configuration reloaded' '$T/upsd.log') -gt $_n ]" ||
		tap_fail "reload with: $*"
}

# start_driver UPS [ARGS...]: $DUMMY -a UPS -F (pid in DRV_PID, log
# $T/driver-UPS.log), wait for its socket $STATE/dummy-ups-UPS.
start_driver() {
	_u=$1; shift
	# shellcheck disable=SC2086
	"$DUMMY" -a "$_u" -F $DRIVER_ARGS ${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION} "$@" \
		> "$T/driver-$_u.log" 2>&1 &
	DRV_PID=$!
	PIDS="$PIDS $DRV_PID"
	wait_socket "$STATE/dummy-ups-$_u" "$DRV_PID"
}

# wait_socket PATH [PID]: until PATH is a socket (bounded)
wait_socket() {
	_i=0
	while [ $_i -lt 100 ]; do
		[ -S "$1" ] && return 0
		if [ -n "$2" ] && ! kill -0 "$2" 2>/dev/null; then return 1; fi
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# wait_ups UPS: until GET VAR UPS ups.status is a real status (not WAIT, no ERR)
wait_ups() {
	_i=0
	while [ $_i -lt 150 ]; do
		_r=$(nut_req "GET VAR $1 ups.status")
		case $_r in
		"VAR $1 ups.status \"WAIT\""*|ERR*|"<"*|"") ;;
		VAR*) return 0 ;;
		esac
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# wait_for DESC-IGNORED TRIES CMD...: poll CMD every 0.1 s until it succeeds
wait_for() {
	_n=$1; shift
	_i=0
	while [ $_i -lt "$_n" ]; do
		"$@" && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# start_all: upsd + driver for "dummy", bail out when that fails
start_all() {
	start_driver dummy || tap_bail "driver did not start: $(tail -n 5 "$T/driver-dummy.log")"
	start_upsd || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
	wait_ups dummy || tap_bail "ups dummy not ready: $(nut_req 'GET VAR dummy ups.status')"
}

# stop_pid PID: SIGTERM, wait (bounded), SIGKILL; sets STOP_RC to the exit status
stop_pid() {
	kill -TERM "$1" 2>/dev/null
	_i=0
	while kill -0 "$1" 2>/dev/null && [ $_i -lt 100 ]; do
		# a zombie child still answers kill -0; reap through wait below
		if ! ps -o stat= -p "$1" 2>/dev/null | grep -qv Z; then break; fi
		sleep 0.1; _i=$((_i + 1))
	done
	kill -KILL "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	STOP_RC=$?
	_np=""
	for _p in $PIDS; do [ "$_p" = "$1" ] || _np="$_np $_p"; done
	PIDS=$_np
}

# ---------------------------------------------------------------- requests

# nut_req [--pipe] [--close] [-t S] LINE...: replies on stdout
nut_req() {
	"$PY" "$LIBDIR/nutclient.py" -p "$PORT" "$@"
}

# nut_get UPS VAR: the bare value of GET VAR (or the whole reply if not VAR)
nut_get() {
	_r=$(nut_req "GET VAR $1 $2")
	case $_r in
	"VAR "*) printf '%s\n' "$_r" | sed 's/^VAR [^ ]* [^ ]* "\(.*\)"$/\1/' ;;
	*) printf '%s\n' "$_r" ;;
	esac
}

# drv_req SOCKET [-t S] LINE...: send lines to a driver socket and print what
# comes back until DUMPDONE/PONG/PID/TRACKING/OK (see drvclient in python)
drv_req() {
	_s=$1; shift
	"$PY" "$LIBDIR/drvclient.py" "$_s" "$@"
}

# ---------------------------------------------------------------- stacks
# For interop tests: several independent upsd+driver stacks in one temp dir,
# e.g. ours and NUT's on the same data, compared output by output.

# stack_start NAME UPSD-BIN DUMMY-BIN [DEVFILE]: $T/NAME/{etc,state}, its own
# port, the users of nut_setup, ups "dummy" on a copy of DEVFILE (default
# $CONF/dummy.dev). Sets NAME_PORT, NAME_CONF, NAME_STATE, NAME_UPSD_PID,
# NAME_DRV_PID. Returns 1 when it does not come up.
stack_start() {
	_sn=$1; _su=$2; _sd=$3; _sdev=${4:-$CONF/dummy.dev}
	_sdir=$T/$_sn
	mkdir -p "$_sdir/etc" "$_sdir/state"
	chown root:nut "$_sdir/etc" "$_sdir/state"
	chmod 0750 "$_sdir/etc"; chmod 0770 "$_sdir/state"
	_sp=$(pick_port)
	cp "$CONF/upsd.users" "$CONF/nut.conf" "$_sdir/etc/"
	cp "$_sdev" "$_sdir/etc/dummy.dev"
	echo "LISTEN 127.0.0.1 $_sp" > "$_sdir/etc/upsd.conf"
	[ -n "$STACK_UPSD_EXTRA" ] && printf '%s\n' "$STACK_UPSD_EXTRA" >> "$_sdir/etc/upsd.conf"
	printf '[dummy]\n\tdriver = dummy-ups\n\tport = %s\n\tdesc = "Test UPS"\n' \
		"$_sdir/etc/dummy.dev" > "$_sdir/etc/ups.conf"
	chown root:nut "$_sdir"/etc/*; chmod 0640 "$_sdir"/etc/*
	eval "${_sn}_PORT=$_sp ${_sn}_CONF=$_sdir/etc ${_sn}_STATE=$_sdir/state"
	NUT_CONFPATH=$_sdir/etc NUT_STATEPATH=$_sdir/state NUT_ALTPIDPATH=$_sdir/state \
		"$_sd" -a dummy -F > "$T/$_sn-driver.log" 2>&1 &
	eval "${_sn}_DRV_PID=$!"
	PIDS="$PIDS $!"
	wait_socket "$_sdir/state/dummy-ups-dummy" $! || return 1
	NUT_CONFPATH=$_sdir/etc NUT_STATEPATH=$_sdir/state NUT_ALTPIDPATH=$_sdir/state \
		"$_su" -F > "$T/$_sn-upsd.log" 2>&1 &
	eval "${_sn}_UPSD_PID=$!"
	PIDS="$PIDS $!"
	_i=0
	while [ $_i -lt 150 ]; do
		_r=$("$PY" "$LIBDIR/nutclient.py" -p "$_sp" -t 2 "GET VAR dummy ups.status" 2>/dev/null)
		case $_r in
		"VAR dummy ups.status \"WAIT\""*|ERR*|"<"*|"") ;;
		VAR*) return 0 ;;
		esac
		sleep 0.1; _i=$((_i + 1))
	done
	return 1
}

# tap_same DESC FILE-A FILE-B: the two outputs are identical (diff on failure)
tap_same() {
	if cmp -s "$2" "$3"; then
		tap_ok "$1"
	else
		tap_fail "$1"
		diff -u "$2" "$3" | head -n 30 | sed 's/^/#   /'
	fi
}
