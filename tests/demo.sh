#!/bin/sh
# The demo stack of the README's quick start, on loopback, in a temporary
# directory, as root (the daemons drop to the user `nut`, made by .ci/deps):
#   1. a dummy UPS (dummy-ups on the shipped data/dummy-ups.dev) and upsd,
#      queried with upsc, upscmd and upsrw;
#   2. TLS: nutcert makes a CA, upsd's database and a client's; upsd starts
#      again with the lines nutcert printed (CERTREQUEST REQUIRE); upsc reads
#      the UPS over verified TLS with the client's certificate, and a client
#      without one is refused;
#   3. upsmon as primary, over that TLS, with SHUTDOWNCMD and NOTIFYCMD
#      replaced by scripts that only record (this machine is never shut
#      down): its three processes and their privileges, and the
#      notifications of a power cut (the dummy UPS set OB, then OL);
#   4. upslog writing a few lines;
#   5. usbhid-ups reading a recorded USB UPS (--replay --dump).
# Each step prints the command as a user would type it ("$ ..."); the
# programs come from the build directory, put first in PATH.
#
# Usage: sh tests/demo.sh [--keep]
#   --keep   leave the daemons running and print how to query and stop them
# Environment:
#   NUTSEC_BUILD  a built tree to take the programs from (default ./build,
#                 configured and built here when it has no upsd yet)
#   NUTSEC_PORT   upsd's port (default 3493, or the first free one from
#                 13493 when 3493 is taken)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
keep=no
case ${1:-} in
--keep) keep=yes ;;
"") ;;
*) echo "usage: sh tests/demo.sh [--keep]" >&2; exit 2 ;;
esac

# ---------------------------------------------------------------- helpers

section() { printf '\n======== %s\n' "$*"; }
say() { printf -- '-- %s\n' "$*"; }
# quote ARG...: the words as a shell would need them typed
quote() {
	_q=""
	for _a in "$@"; do
		case $_a in
		*[!A-Za-z0-9@%+=:,./_-]*|"") _a="'$(printf '%s' "$_a" | sed "s/'/'\\\\''/g")'" ;;
		esac
		_q="$_q${_q:+ }$_a"
	done
	printf '%s' "$_q"
}
# show CMD...: print the command line as it is typed
show() { printf '$ %s\n' "$(quote "$@")"; }
# indent: the output of a step, set off from the commands
indent() { sed 's/^/   /'; }
die() { echo "demo FAILED: $*" >&2; exit 1; }
# run CMD...: print the command, run it, print its output indented; a
# failure stops the demo. The output stays in $dir/out.
run() {
	show "$@"
	if "$@" > "$dir/out" 2>&1; then
		indent < "$dir/out"
	else
		indent < "$dir/out"
		die "$1 failed"
	fi
}
# run_to FILE CMD...: the same with the standard output going to FILE
run_to() {
	_f=$1; shift
	printf '$ %s > %s\n' "$(quote "$@")" "$_f"
	if "$@" > "$_f" 2> "$dir/out"; then
		indent < "$dir/out"
	else
		indent < "$dir/out"
		die "$1 failed"
	fi
}
# wait_until TRIES CMD...: poll CMD every 0.2 s until it succeeds
wait_until() {
	_n=$1; shift
	while ! "$@" >/dev/null 2>&1; do
		_n=$((_n - 1))
		[ "$_n" -gt 0 ] || return 1
		sleep 0.2
	done
}
# status_line PID: the privileges of a process as /proc shows them
status_line() {
	awk '/^(Uid|CapEff|NoNewPrivs|Seccomp):/ { printf "%s %s  ", $1, $2 }' "/proc/$1/status"
	printf 'root=%s\n' "$(readlink "/proc/$1/root")"
}

# ---------------------------------------------------------------- set-up

[ "$(id -u)" = 0 ] || die "run it as root (the daemons start as root and drop to 'nut')"
id nut >/dev/null 2>&1 || die "no user 'nut': run sh .ci/deps first"

if [ -n "${NUTSEC_BUILD:-}" ]; then
	build=$(cd "$NUTSEC_BUILD" && pwd)
	[ -x "$build/upsd/upsd" ] || die "no built nutsec in $build (NUTSEC_BUILD)"
else
	build=$top/build
	if [ ! -x "$build/upsd/upsd" ]; then
		section "building nutsec in $build (log: $build/build.log)"
		[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null 2>&1)
		mkdir -p "$build"
		if ! (cd "$build" && { [ -f Makefile ] || ../configure -q; } && make -s -j"$(nproc)") \
		    >"$build/build.log" 2>&1; then
			tail -30 "$build/build.log"
			die "the build failed"
		fi
	fi
fi
for p in upsd/upsd drivers/dummy-ups drivers/usbhid/usbhid-ups clients/upsc clients/upscmd \
    clients/upsrw clients/upslog upsmon/upsmon certtool/nutcert; do
	[ -x "$build/$p" ] || die "$build/$p is not built"
done
PATH=$build/upsd:$build/drivers:$build/drivers/usbhid:$build/clients:$build/upsmon:$build/certtool:$PATH
export PATH

in_use() { ss -ltn 2>/dev/null | grep -q "[:.]$1 "; }
if [ -n "${NUTSEC_PORT:-}" ]; then
	port=$NUTSEC_PORT
else
	port=3493
	if in_use $port; then
		port=13493
		while in_use $port; do
			port=$((port + 1))
			[ $port -lt 13593 ] || die "no free port in 13493-13592"
		done
	fi
fi
ups=dummy@localhost:$port

# $dir: etc/ (configuration, root:nut 0750), state/ (upsd and the driver's
# socket, PID files, upsmon's jail), log/ (the daemons' output), pki/ (the
# CA), tls/ (the NSS databases), bin/ (the recording scripts), rec/ (what
# they recorded). nut must pass through $dir to reach bin/ and rec/.
dir=$(mktemp -d /tmp/nutsec-demo.XXXXXX)
chmod 0755 "$dir"
mkdir -p "$dir/etc" "$dir/state" "$dir/log" "$dir/bin" "$dir/rec"
chown root:nut "$dir/etc" "$dir/state"
chmod 0750 "$dir/etc"
chmod 0770 "$dir/state"
chown nut:nut "$dir/rec"
# NUT_DATAPATH: upsd reads the descriptions (cmdvartab) from the source tree.
NUT_CONFPATH=$dir/etc NUT_STATEPATH=$dir/state NUT_ALTPIDPATH=$dir/state NUT_PIDPATH=$dir/state
NUT_DATAPATH=$top/data
export NUT_CONFPATH NUT_STATEPATH NUT_ALTPIDPATH NUT_PIDPATH NUT_DATAPATH

# conf NAME: the file just written gets the owner and mode of a NUT config
conf() { chown root:nut "$dir/etc/$1"; chmod 0640 "$dir/etc/$1"; }
# start NAME CMD...: a daemon in the foreground mode, in the background
# here, its output in log/NAME.log; its PID is added to $pids
pids=""
start() {
	_n=$1; shift
	printf '$ %s > %s 2>&1 &\n' "$(quote "$@")" "$dir/log/$_n.log"
	"$@" > "$dir/log/$_n.log" 2>&1 < /dev/null &
	pids="$pids $!"
	last_pid=$!
}
# gone PID: the process has exited (a zombie child of ours counts)
gone() { ! kill -0 "$1" 2>/dev/null || [ "$(ps -o stat= -p "$1")" = Z ]; }
# stop_pids PID...: SIGTERM, wait (5 s at most), then SIGKILL; reaped
stop_pids() {
	kill "$@" 2>/dev/null || true
	_i=0
	while [ $_i -lt 25 ]; do
		_alive=""
		for _p in "$@"; do gone "$_p" || _alive="$_alive $_p"; done
		[ -n "$_alive" ] || break
		sleep 0.2; _i=$((_i + 1))
	done
	# shellcheck disable=SC2086 # a list of PIDs
	[ -z "$_alive" ] || kill -KILL $_alive 2>/dev/null || true
	for _p in "$@"; do wait "$_p" 2>/dev/null || true; done
	for _p in "$@"; do remove_pid "$_p"; done
}
remove_pid() {
	_np=""
	for _p in $pids; do [ "$_p" = "$1" ] || _np="$_np $_p"; done
	pids=$_np
}
finished=no
cleanup() {
	if [ "$finished" = yes ] && [ "$keep" = yes ]; then return 0; fi
	# shellcheck disable=SC2086
	[ -z "$pids" ] || stop_pids $pids
	if [ "$finished" = yes ]; then
		rm -rf "$dir"
	else
		echo "demo: the daemons are stopped; their logs stay in $dir/log" >&2
	fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

echo "nutsec demo: programs from $build, files in $dir, upsd on port $port"
echo "(every command below runs with NUT_CONFPATH=$dir/etc NUT_STATEPATH=$dir/state"
echo " NUT_ALTPIDPATH=$dir/state NUT_PIDPATH=$dir/state in the environment)"

# ---------------------------------------------------------------- 1

section "1. a dummy UPS and upsd"
cp "$top/data/dummy-ups.dev" "$dir/etc/"
conf dummy-ups.dev
cat > "$dir/etc/ups.conf" <<CONF
[dummy]
	driver = dummy-ups
	port = $dir/etc/dummy-ups.dev
	desc = "nutsec demo UPS"
CONF
cat > "$dir/etc/upsd.conf" <<CONF
LISTEN 127.0.0.1 $port
LISTEN ::1 $port
CONF
write_users() {	# write_users [LINE for monuser]
	cat > "$dir/etc/upsd.users" <<CONF
[admin]
	password = demo-secret
	actions = SET FSD
	instcmds = ALL
[monuser]
	password = demo-mon
	upsmon primary
CONF
	[ -z "${1:-}" ] || printf '%s\n' "$1" >> "$dir/etc/upsd.users"
	conf upsd.users
}
write_users
conf ups.conf
conf upsd.conf
for f in ups.conf upsd.conf upsd.users; do
	say "$dir/etc/$f:"
	indent < "$dir/etc/$f"
done

say "start the driver and upsd (-FF: foreground, with a PID file)"
start dummy-ups dummy-ups -a dummy -FF
start upsd upsd -FF
upsd_pid=$last_pid
wait_until 100 upsc "$ups" ups.status || die "upsd did not come up: $(tail -n 5 "$dir/log/upsd.log")"
say "both run sandboxed, as their logs say:"
grep -h 'sandbox:' "$dir/log/dummy-ups.log" "$dir/log/upsd.log" | indent

run upsc -l "localhost:$port"
run upsc "$ups"
run upscmd -l "$ups"
say "set a variable as admin, waiting for the driver's answer"
run upsrw -s ups.id=demo -u admin -p demo-secret -w "$ups"
run upsc "$ups" ups.id

# ---------------------------------------------------------------- 2

section "2. TLS: a site made with nutcert, client certificates required"
say "the passwords, in files only root may read"
(umask 077
 printf '%s\n' 'demo CA password' > "$dir/ca.pw"
 printf '%s\n' 'demo database password' > "$dir/db.pw")
show umask 077
printf '$ printf %s %s > %s\n' "'%s\\n'" "'demo CA password'" "$dir/ca.pw" \
	"'%s\\n'" "'demo database password'" "$dir/db.pw"
say "the CA, upsd's database and the client's (demo-client); the lines to paste go to tls-lines.txt"
run_to "$dir/tls-lines.txt" nutcert --pki "$dir/pki" site --host localhost --ip 127.0.0.1 --ip ::1 \
	--client demo-client --out "$dir/tls" \
	--ca-password-file "$dir/ca.pw" --db-password-file "$dir/db.pw"
say "the lines nutcert printed ($dir/tls-lines.txt):"
indent < "$dir/tls-lines.txt"

# lines WHO FILE: the lines nutcert printed for WHO (upsd or a client)
# under its comment "# FILE", as they are pasted
lines() {
	awk -v who="$1" -v what="$2" '
		/^## upsd:/ { cur = "upsd"; next }
		/^## client / { cur = $3; sub(/:$/, "", cur); next }
		/^# (upsd\.conf|upsmon\.conf|nutauth\.conf|upsd\.users)/ { sec = $2; sub(/,$/, "", sec); next }
		/^#/ { next }
		cur == who && sec == what { print }
	' "$dir/tls-lines.txt"
}
say "paste: upsd.conf gets upsd's lines; upsd.users binds monuser to the client's certificate"
lines upsd upsd.conf >> "$dir/etc/upsd.conf"
write_users "$(lines demo-client upsd.users)"
lines demo-client nutauth.conf > "$dir/etc/demo-client.nutauth"
chmod 0600 "$dir/etc/demo-client.nutauth"
# a client that trusts the CA but has no certificate of its own
printf 'CERTPATH %s\nCERTVERIFY 1\nFORCESSL 1\n' "$dir/tls/demo-client" > "$dir/etc/nocert.nutauth"
chmod 0600 "$dir/etc/nocert.nutauth"
say "$dir/etc/upsd.conf:"
indent < "$dir/etc/upsd.conf"
say "$dir/etc/upsd.users, the section of monuser (upsmon's user):"
grep -A4 '^\[monuser\]' "$dir/etc/upsd.users" | indent
say "the client's settings for upsc, upscmd, upsrw and upslog ($dir/etc/demo-client.nutauth):"
indent < "$dir/etc/demo-client.nutauth"

say "check the new configuration, then start upsd again (a new CERTPATH needs a start)"
run upsd -t
run upsd -c stop
wait_until 50 gone "$upsd_pid" || die "upsd did not stop"
stop_pids "$upsd_pid"
start upsd upsd -FF
upsd_pid=$last_pid
wait_until 100 upsc -A "$dir/etc/demo-client.nutauth" "$ups" ups.status ||
	die "upsd did not come up with TLS: $(tail -n 5 "$dir/log/upsd.log")"

say "upsc over TLS: upsd's certificate verified, demo-client's certificate presented"
run_to "$dir/upsc-tls.out" upsc -A "$dir/etc/demo-client.nutauth" "$ups"
head -n 12 "$dir/upsc-tls.out" | indent
echo "   ... ($(wc -l < "$dir/upsc-tls.out") variables in all)"
grep -q '^ups.status: ' "$dir/upsc-tls.out" || die "no ups.status over TLS"
say "a client without a certificate (it trusts the CA, it has no CERTIDENT):"
show upsc -A "$dir/etc/nocert.nutauth" "$ups" ups.status
if upsc -A "$dir/etc/nocert.nutauth" "$ups" ups.status > "$dir/upsc-nocert.out" 2>&1; then
	indent < "$dir/upsc-nocert.out"
	die "a client without a certificate was let in"
fi
indent < "$dir/upsc-nocert.out"
echo "   => refused, as CERTREQUEST REQUIRE asks"
say "upsd's log of the two sessions:"
grep -E 'TLS established|TLS handshake' "$dir/log/upsd.log" | tail -n 2 | indent

# ---------------------------------------------------------------- 3

section "3. upsmon as primary, over TLS, with recording scripts"
cat > "$dir/bin/notify-recorder" <<EOS
#!/bin/sh
# upsmon's NOTIFYCMD for the demo: record the notification, nothing else
echo "\$(date +%T) uid=\$(id -u) \$NOTIFYTYPE \$UPSNAME: \$*" >> "$dir/rec/notify.log"
EOS
cat > "$dir/bin/shutdown-recorder" <<EOS
#!/bin/sh
# upsmon's SHUTDOWNCMD for the demo: record that it was called, and do NOT
# shut anything down
echo "\$(date +%T) uid=\$(id -u) SHUTDOWNCMD called" >> "$dir/rec/shutdown.log"
EOS
chmod 0755 "$dir/bin/notify-recorder" "$dir/bin/shutdown-recorder"
{
	echo "MONITOR $ups 1 monuser demo-mon primary"
	echo "# the lines nutcert printed for demo-client's upsmon.conf"
	lines demo-client upsmon.conf
	echo "SHUTDOWNCMD \"$dir/bin/shutdown-recorder\""
	echo "NOTIFYCMD \"$dir/bin/notify-recorder\""
	for t in ONLINE ONBATT LOWBATT FSD COMMOK COMMBAD SHUTDOWN NOCOMM; do
		echo "NOTIFYFLAG $t SYSLOG+EXEC"
	done
	echo "POWERDOWNFLAG $dir/killpower"
	echo "POLLFREQ 1"
	echo "POLLFREQALERT 1"
	echo "RUN_AS_USER nut"
} > "$dir/etc/upsmon.conf"
conf upsmon.conf
say "upsmon.conf (SHUTDOWNCMD only records: this machine is never shut down):"
indent < "$dir/etc/upsmon.conf"
say "the recording scripts:"
indent < "$dir/bin/notify-recorder"
indent < "$dir/bin/shutdown-recorder"

start upsmon upsmon -F
mon_pid=$last_pid
wait_until 100 grep -q 'logged in as' "$dir/log/upsmon.log" ||
	die "upsmon did not log in: $(tail -n 5 "$dir/log/upsmon.log")"
grep 'logged in as' "$dir/log/upsmon.log" | head -n 1 | indent
wait_until 25 grep -q 'monuser@.*logged in' "$dir/log/upsd.log" || true
grep 'monuser@.*logged in' "$dir/log/upsd.log" | indent

say "its three processes, and what /proc says of each"
kids=$(pgrep -P "$mon_pid" | sort -n | tr '\n' ' ')
# shellcheck disable=SC2086 # a list of PIDs
run ps -o pid,ppid,user,args -p "$mon_pid" $kids
for p in $mon_pid $kids; do
	case $(tr '\0' ' ' < "/proc/$p/cmdline") in
	*"-X net"*) role="network child" ;;
	*"-X notify"*) role=notifier ;;
	*) role=parent ;;
	esac
	printf '%-14s %s\n' "$role" "$(status_line "$p")" | indent
done
echo "   (the parent keeps root to run SHUTDOWNCMD; the children run as nut, without"
echo "    capabilities, NoNewPrivs set, under seccomp filters; the network child in an empty jail)"

say "a power cut: the dummy UPS goes on battery (OB), then back on line (OL)"
run upsrw -A "$dir/etc/demo-client.nutauth" -s 'ups.status=OB DISCHRG' -u admin -p demo-secret -w "$ups"
wait_until 100 grep -q ' ONBATT ' "$dir/rec/notify.log" || die "no ONBATT notification: $(tail -n 5 "$dir/log/upsmon.log")"
run upsrw -A "$dir/etc/demo-client.nutauth" -s 'ups.status=OL CHRG' -u admin -p demo-secret -w "$ups"
wait_until 100 grep -q ' ONLINE ' "$dir/rec/notify.log" || die "no ONLINE notification: $(tail -n 5 "$dir/log/upsmon.log")"
say "the notifications recorded by NOTIFYCMD ($dir/rec/notify.log):"
indent < "$dir/rec/notify.log"
if [ -e "$dir/rec/shutdown.log" ]; then
	die "SHUTDOWNCMD was called: $(cat "$dir/rec/shutdown.log")"
fi
echo "   SHUTDOWNCMD was not called (the battery never ran low)"

# ---------------------------------------------------------------- 4

section "4. upslog: a line per second, over the same TLS"
say "NUT_AUTHCONF_FILE gives upslog the client's TLS settings (it has no -A)"
start upslog env NUT_AUTHCONF_FILE="$dir/etc/demo-client.nutauth" \
	upslog -F -i 1 -s "$ups" -l "$dir/log/ups-status.log" \
	-f '%TIME @H:@M:@S% %VAR ups.status% charge=%VAR battery.charge% load=%VAR ups.load% input=%VAR input.voltage%'
upslog_pid=$last_pid
has_lines() { [ "$(wc -l < "$dir/log/ups-status.log")" -ge 3 ]; }
wait_until 75 has_lines || die "upslog wrote no lines: $(tail -n 5 "$dir/log/upslog.log")"
run head -n 3 "$dir/log/ups-status.log"
[ "$keep" = yes ] || stop_pids "$upslog_pid"

# ---------------------------------------------------------------- 5

section "5. usbhid-ups on a recorded USB UPS (no hardware needed)"
rec=$top/tests/data/hid/cyberpower-cp1500pfclcd
say "the recording: $rec"
run_to "$dir/hid-dump.out" usbhid-ups --replay "$rec" --dump
say "the first HID fields (path, report type, id, offset, size, value):"
head -n 4 "$dir/hid-dump.out" | indent
say "some of the variables the driver would publish:"
grep -E '^(device\.model|ups\.status|battery\.charge|battery\.runtime|input\.voltage|ups\.load):' \
	"$dir/hid-dump.out" | indent

# ---------------------------------------------------------------- end

finished=yes
if [ "$keep" = yes ]; then
	cat <<TXT

======== the demo keeps running (--keep). Try:
   export PATH=$build/clients:\$PATH
   upsc -A $dir/etc/demo-client.nutauth $ups
   upsrw -A $dir/etc/demo-client.nutauth -s 'ups.status=OB DISCHRG' -u admin -p demo-secret -w $ups
   cat $dir/rec/notify.log
   tail -f $dir/log/ups-status.log
The daemons' logs are in $dir/log. Stop everything with:
   kill$pids; rm -rf $dir
TXT
else
	section "demo done: stopping the daemons and removing $dir (--keep leaves them up)"
fi
