# nutsec tests - interop/lib.sh: the interop tests share the integration
# helpers (tests/integration/lib.sh).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

# nut_upsmon_start NAME: Debian's NUT upsmon ($NUT_UPSMON) on the
# configuration in $T/mon-NAME, with a private /run/nut ($T/run-NAME, bound
# over the built-in path in a mount namespace of its own); its log is
# $T/upsmon-NAME.log, its pid MON_PID (added to PIDS).
nut_upsmon_start() {
	NUT_CONFPATH=$T/mon-$1 NUT_PIDPATH=$T/run-$1 NUT_ALTPIDPATH=$T/run-$1 NUT_STATEPATH=$T/run-$1 \
		unshare -m sh -c 'mkdir -p /run/nut && mount --bind "$1" /run/nut && exec "$2" -F -DD' \
		sh "$T/run-$1" "$NUT_UPSMON" > "$T/upsmon-$1.log" 2>&1 &
	MON_PID=$!
	PIDS="$PIDS $MON_PID"
}
# nut_upsmon_stop: NUT's upsmon forks an unprivileged child that would keep
# its login until it notices the parent is gone: stop both.
nut_upsmon_stop() {
	_kids=$(ps -o pid= --ppid "$MON_PID" 2>/dev/null)
	for _k in $_kids; do kill -TERM "$_k" 2>/dev/null; done
	stop_pid "$MON_PID"
	for _k in $_kids; do
		wait_for 50 sh -c "! kill -0 $_k 2>/dev/null" || kill -KILL "$_k" 2>/dev/null
	done
}
