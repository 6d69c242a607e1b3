#!/bin/sh
# nutsec - run-bench.sh: measures three NUT-protocol servers with nutbench,
# one after the other, each alone on loopback in a throwaway directory:
# (a) our upsd from the build tree with a dummy-ups driver (ours if built,
# else Debian's), (b) Debian's NUT 2.8 upsd with its dummy-ups, and (c) the
# do-nothing nullserver. All serve bench.dev (45 variables with the
# driver's own). The figures are printed side by side; a side that cannot
# run is skipped with a message. Timings are only printed, never judged.
# Then the TLS phase: tlsbench against ours and NUT's with an RSA-2048 and
# an EC P-256 server key (BENCH_TLS=0 skips it, BENCH_TLS_IDLE sessions),
# and, in the null column, full handshakes with NSS's own server selfserv.
#
# usage: run-bench.sh [top_builddir [bench_srcdir]] [nutbench options...]
# Ports (loopback): BENCH_PORT (default 18493), +1 and +2.
# BENCH_SIDES picks sides (default "nutsec nut null"); BENCH_ROUNDS=n
# runs every side n times, interleaved, and prints each figure's median.
# BENCH_BASE_UPSD=path adds a side "base": another build of our upsd (the
# one before a change), run like ours on port +3, in the last column.
# BENCH_TLS_PROCS sets tlsbench's client processes (default 3).

set -u

top_builddir=${1:-$(pwd)/..}
srcdir=${2:-$(cd "$(dirname "$0")" && pwd)}
[ $# -ge 1 ] && shift
[ $# -ge 1 ] && shift

NUTBENCH=$top_builddir/bench/nutbench
TLSBENCH=$top_builddir/bench/tlsbench
NULLSERVER=$top_builddir/bench/nullserver
OUR_UPSD=$top_builddir/upsd/upsd
OUR_DRIVER=$top_builddir/drivers/dummy-ups
NUT_UPSD=/lib/nut/upsd
NUT_DRIVER=/lib/nut/dummy-ups
UPS=bench
PORT=${BENCH_PORT:-18493}
START_WAIT=15		# seconds a server gets to serve its first VAR
SIDES=${BENCH_SIDES:-nutsec nut null}
BASE_UPSD=${BENCH_BASE_UPSD:-}
[ -n "$BASE_UPSD" ] && SIDES="$SIDES base"
ROUNDS=${BENCH_ROUNDS:-1}
case $ROUNDS in ''|*[!0-9]*|0) ROUNDS=1 ;; esac

want() {
	case " $SIDES " in *" $1 "*) return 0 ;; esac
	return 1
}

if [ ! -x "$NUTBENCH" ] || [ ! -x "$NULLSERVER" ]; then
	echo "run-bench: build nutbench and nullserver first" \
	    "(make -C bench)" >&2
	exit 1
fi

work=$(mktemp -d /tmp/nutbench.XXXXXX) || exit 1
# Debian's upsd and drivers drop to user nut and must reach the files.
chmod 0755 "$work"
started=""

stop_started() {
	for p in $started; do
		kill "$p" 2>/dev/null
	done
	for p in $started; do
		i=0
		while kill -0 "$p" 2>/dev/null && [ "$i" -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -9 "$p" 2>/dev/null
	done
	started=""
}
# shellcheck disable=SC2317 # called from the trap
cleanup() {
	stop_started
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Both servers and nutbench want many fds (10,000 idle connections).
# shellcheck disable=SC3045 # dash and bash both have -H and -n
ulimit -n "$(ulimit -Hn)" 2>/dev/null

note() { echo "# $*"; }

# Is anything listening on this loopback port already?
port_busy() {
	if command -v ss >/dev/null 2>&1; then
		[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
		return
	fi
	"$NUTBENCH" -Q -p "$1" -u "$UPS" >/dev/null 2>&1
}

wait_var() {	# port pid
	i=0
	while [ "$i" -lt $((START_WAIT * 5)) ]; do
		"$NUTBENCH" -Q -p "$1" -u "$UPS" >/dev/null 2>&1 && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.2
		i=$((i + 1))
	done
	return 1
}

# The user NUT drops to; Debian's packages normally create it.
ensure_nut_user() {
	getent passwd nut >/dev/null 2>&1 && return 0
	[ "$(id -u)" -eq 0 ] || return 1
	command -v adduser >/dev/null 2>&1 || return 1
	adduser --system --group --quiet nut >/dev/null 2>&1
}

# Writes a NUT configuration for one side into $work/$1, port $2.
make_conf() {
	d=$work/$1
	mkdir -p "$d/etc" "$d/state"
	printf 'MODE=standalone\n' > "$d/etc/nut.conf"
	cat > "$d/etc/ups.conf" <<EOF
[$UPS]
	driver = dummy-ups
	port = $work/bench.dev
	desc = "nutbench device"
EOF
	printf 'LISTEN 127.0.0.1 %s\n' "$2" > "$d/etc/upsd.conf"
	# 10,000 idle connections, all from 127.0.0.1: nutsec's defaults are
	# MAXCONN 1024 and 32 per address (NUT's MAXCONN is the fd limit)
	# (below the open-file limit, which upsd checks MAXCONN against)
	# shellcheck disable=SC3045 # dash and bash both have -n
	maxconn=$(ulimit -n)
	case $maxconn in
	''|*[!0-9]*) maxconn=20000 ;;		# "unlimited"
	*) maxconn=$((maxconn - 100)) ;;
	esac
	[ "$maxconn" -gt 20000 ] && maxconn=20000
	[ "$1" = nutsec ] || [ "$1" = base ] &&
	    printf 'MAXCONN %s\nMAXCONN_PER_LOOPBACK 0\n' "$maxconn" >> "$d/etc/upsd.conf"
	# the TLS phase: CERTPATH and CERTIDENT lines (see tls_db)
	[ -n "${TLS_CONF:-}" ] && printf '%s\n' "$TLS_CONF" >> "$d/etc/upsd.conf"
	printf '[bench]\n\tpassword = bench\n\tupsmon primary\n' \
	    > "$d/etc/upsd.users"
	chmod 0640 "$d/etc/"*
	chmod 0750 "$d/etc"
	chmod 0770 "$d/state"
	if [ "$(id -u)" -eq 0 ] && getent group nut >/dev/null 2>&1; then
		chown -R root:nut "$d/etc" "$d/state"
	fi
}

# Starts driver then upsd for side $1 on port $2; sets server_pid.
start_nut_side() {	# side port upsd driver
	side=$1; port=$2; upsd=$3; driver=$4
	d=$work/$side
	make_conf "$side" "$port"
	export NUT_CONFPATH="$d/etc" NUT_STATEPATH="$d/state" \
	    NUT_ALTPIDPATH="$d/state"
	"$driver" -a "$UPS" -F >"$d/driver.log" 2>&1 &
	started="$started $!"
	drv_pid=$!
	i=0
	while [ ! -S "$d/state/dummy-ups-$UPS" ] && [ "$i" -lt 50 ]; do
		kill -0 "$drv_pid" 2>/dev/null || break
		sleep 0.2
		i=$((i + 1))
	done
	"$upsd" -F >"$d/upsd.log" 2>&1 &
	server_pid=$!
	started="$started $server_pid"
	unset NUT_CONFPATH NUT_STATEPATH NUT_ALTPIDPATH
	if ! wait_var "$port" "$server_pid"; then
		note "$side: no VAR reply within ${START_WAIT}s; the logs end:"
		tail -n 5 "$d/driver.log" "$d/upsd.log" 2>/dev/null |
		    sed 's/^/#   /'
		return 1
	fi
	return 0
}

bench_side() {	# side port pid [nutbench args]
	side=$1; port=$2; pid=$3
	shift 3
	note "$side: round $round: nutbench on port $port (server pid $pid;" \
	    "load average $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null))"
	"$NUTBENCH" -p "$port" -u "$UPS" -P "$pid" "$@" \
	    >"$work/$side.$round.out" 2>"$work/$side.err" ||
	    note "$side: nutbench failed: $(head -n 1 "$work/$side.err")"
	[ "$round" -eq 1 ] &&
	    sed -n "s/^# server /# $side: server /p" "$work/$side.1.out"
	return 0
}

# Skips are told once, not every round.
skip() {
	[ "$round" -eq 1 ] && note "$*"
	return 0
}

# (a) ours
side_nutsec() {
	p=$PORT
	if [ ! -x "$OUR_UPSD" ]; then
		skip "nutsec: skipped: $OUR_UPSD is not built"
	elif port_busy "$p"; then
		note "nutsec: skipped: port $p is in use"
	else
		drv=$OUR_DRIVER
		[ -x "$drv" ] || drv=$NUT_DRIVER
		if [ -x "$drv" ]; then
			skip "nutsec: $OUR_UPSD with $drv"
			start_nut_side nutsec "$p" "$OUR_UPSD" "$drv" &&
			    bench_side nutsec "$p" "$server_pid" "$@"
			stop_started
		else
			skip "nutsec: skipped: no dummy-ups driver"
		fi
	fi
}

# (d) another build of ours (BENCH_BASE_UPSD)
side_base() {
	p=$((PORT + 3))
	if [ ! -x "$BASE_UPSD" ]; then
		skip "base: skipped: $BASE_UPSD is not an executable"
	elif port_busy "$p"; then
		note "base: skipped: port $p is in use"
	else
		drv=$OUR_DRIVER
		[ -x "$drv" ] || drv=$NUT_DRIVER
		skip "base: $BASE_UPSD with $drv"
		start_nut_side base "$p" "$BASE_UPSD" "$drv" &&
		    bench_side base "$p" "$server_pid" "$@"
		stop_started
	fi
}

# (b) NUT 2.8
side_nut() {
	p=$((PORT + 1))
	if [ ! -x "$NUT_UPSD" ] || [ ! -x "$NUT_DRIVER" ]; then
		skip "NUT: skipped: $NUT_UPSD or $NUT_DRIVER not installed"
	elif ! getent passwd nut >/dev/null 2>&1; then
		skip "NUT: skipped: no user 'nut'"
	elif port_busy "$p"; then
		note "NUT: skipped: port $p is in use"
	else
		skip "NUT: $NUT_UPSD ($($NUT_UPSD -V 2>&1 | head -n 1))"
		start_nut_side nut "$p" "$NUT_UPSD" "$NUT_DRIVER" &&
		    bench_side nut "$p" "$server_pid" "$@"
		stop_started
	fi
}

# (c) the floor
side_null() {
	p=$((PORT + 2))
	if port_busy "$p"; then
		note "null: skipped: port $p is in use"
		return
	fi
	"$NULLSERVER" -l 127.0.0.1 -p "$p" >"$work/null.log" 2>&1 &
	null_pid=$!
	started="$started $null_pid"
	if wait_var "$p" "$null_pid"; then
		bench_side null "$p" "$null_pid" "$@"
	else
		note "null: nullserver did not start:" \
		    "$(head -n 1 "$work/null.log")"
	fi
	stop_started
}

# ---- the TLS phase: tlsbench against ours and NUT's, per server key type.
# The seed's set-up: a key database with a password, CERTIDENT naming the
# certificate and the password. BENCH_TLS=0 skips it; BENCH_TLS_IDLE sets
# the idle sessions held (default 1000).
TLS_PW=nutbench-db-password

tls_db() {	# keytype: $work/tls-<keytype>, self-signed "server"; 0 or 1
	db=$work/tls-$1
	mkdir -p "$db"
	printf '%s\n' "$TLS_PW" > "$work/tls.pw"
	head -c 2048 /dev/urandom > "$work/tls.noise"
	case $1 in
	rsa) kargs="-k rsa -g 2048" ;;
	*) kargs="-k ec -q nistp256" ;;
	esac
	# shellcheck disable=SC2086 # kargs: several words
	certutil -N -d "sql:$db" -f "$work/tls.pw" >"$work/tls-$1.log" 2>&1 &&
	certutil -S -x -d "sql:$db" -f "$work/tls.pw" -z "$work/tls.noise" -n server \
	    -s "CN=localhost" -t ",," $kargs -Z SHA256 -m "$(date +%s)" -v 12 \
	    --extKeyUsage serverAuth --extSAN dns:localhost,ip:127.0.0.1 \
	    >>"$work/tls-$1.log" 2>&1 || return 1
	# NUT's upsd opens it after dropping to nut
	if getent group nut >/dev/null 2>&1; then
		chown -R root:nut "$db"
		chmod 0750 "$db"
		chmod 0640 "$db"/*
	fi
	return 0
}

tls_side() {	# side port upsd driver keytype
	TLS_CONF="CERTPATH $work/tls-$5
CERTIDENT \"server\" \"$TLS_PW\""
	if start_nut_side "$1" "$2" "$3" "$4"; then
		note "$1: round $round: tlsbench ($5 key) on port $2 (server pid $server_pid)"
		"$TLSBENCH" -p "$2" -u "$UPS" -P "$server_pid" -k "$5" \
		    -c "${BENCH_TLS_PROCS:-3}" -i "${BENCH_TLS_IDLE:-1000}" \
		    >"$work/$1.$round.tls-$5.out" \
		    2>"$work/$1.tls.err" ||
		    note "$1: tlsbench failed: $(head -n 1 "$work/$1.tls.err")"
		grep '^# tls' "$work/$1.$round.tls-$5.out" | sed "s/^# /# $1: /"
	fi
	stop_started
	TLS_CONF=""
}

# The null side of the TLS phase: NSS's own test server, selfserv
# (libnss3-tools), with the same database, key and password, and its
# session cache off (-N): what a full handshake costs in NSS with no server
# code of ours or NUT's around it. (It serves from a few threads however
# -t is set; its CPU per handshake came out the same with one client
# process as with three, so that does not tilt the figure.) selfserv
# cannot be told an address and listens on all of them, so it runs in a
# network namespace of its own with only loopback, tlsbench beside it.
tls_nss_side() {	# port keytype
	if ! command -v selfserv >/dev/null 2>&1; then
		skip "null: TLS skipped: selfserv (libnss3-tools) not installed"
		return
	elif ! command -v unshare >/dev/null 2>&1 || ! command -v ip >/dev/null 2>&1 ||
	    ! command -v ss >/dev/null 2>&1 || ! unshare -n true 2>/dev/null; then
		skip "null: TLS skipped: cannot make a network namespace for selfserv" \
		    "(unshare -n needs root; ip and ss from iproute2)"
		return
	fi
	note "null: round $round: tlsbench -D ($2 key) against selfserv"
	# shellcheck disable=SC2016 # expanded by the inner shell, from its arguments
	if unshare -n sh -c '
		ip link set lo up || exit 1
		selfserv -d "sql:$1" -n server -f "$2" -p "$3" -N -U 0 -t 1 \
		    -V tls1.2:tls1.3 >"$4.log" 2>&1 &
		spid=$!
		# a background job of a script ignores SIGINT: selfserv goes
		# with this shell however it ends
		trap "kill \$spid 2>/dev/null" EXIT
		trap "exit 130" INT TERM HUP
		i=0
		until [ -n "$(ss -Hltn "sport = :$3" 2>/dev/null)" ]; do
			i=$((i + 1))
			if [ "$i" -gt 50 ] || ! kill -0 "$spid" 2>/dev/null; then
				echo "selfserv did not start: $(head -n 1 "$4.log")" >&2
				exit 1
			fi
			sleep 0.2
		done
		"$5" -D -p "$3" -P "$spid" -k "$6" -c "$7" -x full >"$4.out"
		rc=$?
		kill "$spid"
		wait "$spid" 2>/dev/null
		trap - EXIT
		exit $rc' selfserv "$work/tls-$2" "$work/tls.pw" "$1" \
	    "$work/selfserv" "$TLSBENCH" "$2" "${BENCH_TLS_PROCS:-3}" \
	    2>"$work/null.tls.err"; then
		mv "$work/selfserv.out" "$work/null.$round.tls-$2.out"
	else
		note "null: selfserv run failed: $(head -n 1 "$work/null.tls.err")"
	fi
	grep '^# tls' "$work/null.$round.tls-$2.out" 2>/dev/null | sed "s/^# /# null: /"
}

tls_phase() {
	if [ "${BENCH_TLS:-1}" = 0 ]; then
		return
	elif [ ! -x "$TLSBENCH" ] || ! command -v certutil >/dev/null 2>&1; then
		skip "TLS: skipped: tlsbench not built or certutil (libnss3-tools) missing"
		return
	fi
	# NSS alone on this machine: the floor of a full handshake's server CPU
	# (one signature plus one key exchange), in both columns alike
	if "$TLSBENCH" -R >"$work/tls-ref.out" 2>&1; then
		want nutsec && cp "$work/tls-ref.out" "$work/nutsec.$round.tls-ref.out"
		want nut && cp "$work/tls-ref.out" "$work/nut.$round.tls-ref.out"
		want base && cp "$work/tls-ref.out" "$work/base.$round.tls-ref.out"
		want null && cp "$work/tls-ref.out" "$work/null.$round.tls-ref.out"
	fi
	for kt in rsa ec; do
		if [ ! -d "$work/tls-$kt" ] && ! tls_db "$kt"; then
			skip "TLS: cannot make the $kt database: $(tail -n 1 "$work/tls-$kt.log")"
			continue
		fi
		if want nutsec && [ -x "$OUR_UPSD" ] && ! port_busy "$PORT"; then
			drv=$OUR_DRIVER
			[ -x "$drv" ] || drv=$NUT_DRIVER
			tls_side nutsec "$PORT" "$OUR_UPSD" "$drv" "$kt"
		fi
		if want nut && [ -x "$NUT_UPSD" ] && ! port_busy $((PORT + 1)); then
			tls_side nut $((PORT + 1)) "$NUT_UPSD" "$NUT_DRIVER" "$kt"
		fi
		if want base && [ -x "$BASE_UPSD" ] && ! port_busy $((PORT + 3)); then
			drv=$OUR_DRIVER
			[ -x "$drv" ] || drv=$NUT_DRIVER
			tls_side base $((PORT + 3)) "$BASE_UPSD" "$drv" "$kt"
		fi
		want null && tls_nss_side $((PORT + 2)) "$kt"
	done
}

grep -v '^#' "$srcdir/bench.dev" > "$work/bench.dev"
chmod 0644 "$work/bench.dev"
ensure_nut_user || note "no user 'nut' and cannot create it"

note "nutbench on $(uname -sr), $(nproc) CPUs;" \
    "$(date -u '+%Y-%m-%d %H:%M UTC'); $ROUNDS round(s)"
note "server and generator share the CPUs: nothing is pinned"

# Rounds interleave the sides, so a burst of outside load hits all alike.
round=1
while [ "$round" -le "$ROUNDS" ]; do
	want nutsec && side_nutsec "$@"
	want nut && side_nut "$@"
	want null && side_null "$@"
	want base && side_base "$@"
	tls_phase
	round=$((round + 1))
done

# Side by side: one row per figure, in the order nutbench printed them;
# over several rounds, the median of each figure.
echo
files=""
for s in nutsec nut null base; do
	case $s in nutsec) n=1 ;; nut) n=2 ;; null) n=3 ;; base) n=4 ;; esac
	files="$files side=$n"
	for f in "$work/$s".*.out; do
		[ -f "$f" ] && files="$files $f"
	done
done
# shellcheck disable=SC2086 # $files is a list of words without spaces
awk '
	function key(v) { sub(/^[<~]/, "", v); return v + 0 }
	side == 4 { base = 1 }
	/^#/ || NF < 3 { next }
	{
		if (!($1 in unit)) { order[++n] = $1; unit[$1] = $3 }
		c = ++cnt[side, $1]
		val[side, $1, c] = $2
	}
	END {
		printf "%-20s %-8s %12s %12s %12s", "figure", "unit", \
		    "nutsec", "NUT 2.8", "null"
		if (base)
			printf " %12s", "base"
		printf "\n"
		for (i = 1; i <= n; i++) {
			k = order[i]
			printf "%-20s %-8s", k, unit[k]
			for (s = 1; s <= 3 + base; s++)
				printf " %12s", median(s, k)
			printf "\n"
		}
	}
	function median(s, k,    m, a, b, t, v) {
		m = cnt[s, k]
		if (m == 0)
			return "-"
		for (a = 1; a <= m; a++)
			v[a] = val[s, k, a]
		for (a = 2; a <= m; a++)
			for (b = a; b > 1 && key(v[b - 1]) > key(v[b]); b--) {
				t = v[b]; v[b] = v[b - 1]; v[b - 1] = t
			}
		return v[int((m + 1) / 2)]
	}' $files </dev/null |
    tee "$top_builddir/bench/bench-results.txt"
exit 0
