#!/bin/sh
# nutsec tests - 300-sandbox-status: upsd and dummy-ups, started the default
# way by root, hold what docs/architecture.md §1 says once serving, as the kernel sees
# it in /proc/PID: user and group nut, CapEff and CapBnd empty, NoNewPrivs 1,
# Seccomp 2 (filter), root directory the state path; each logs one line that
# says so, Landlock included (the ABI the kernel offers, what it covers). Also the filter action settings (upsd.conf SANDBOX, ups.conf
# sandbox, --sandbox), their errors, and --dump-filter.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
require_root "(the daemons drop from root to nut)"

# This test sets the filter actions itself (the trap-mode re-run included).
unset SANDBOX_ACTION
nut_setup
NUT_UID=$(id -u nut)
NUT_GID=$(id -g nut)
start_all

# check_proc NAME PID JAIL ACTION: the /proc view and the log line of one daemon
check_proc() {
	_st=/proc/$2/status
	tap_like "$1: Uid is nut" "$(grep '^Uid:' "$_st")" "^Uid:[[:space:]]+$NUT_UID[[:space:]]+$NUT_UID[[:space:]]+$NUT_UID[[:space:]]+$NUT_UID\$"
	tap_like "$1: Gid is nut" "$(grep '^Gid:' "$_st")" "^Gid:[[:space:]]+$NUT_GID[[:space:]]+$NUT_GID[[:space:]]+$NUT_GID[[:space:]]+$NUT_GID\$"
	tap_like "$1: no supplementary groups" "$(grep '^Groups:' "$_st")" "^Groups:[[:space:]]*\$"
	tap_like "$1: CapEff empty" "$(grep '^CapEff:' "$_st")" '^CapEff:[[:space:]]+0+$'
	tap_like "$1: CapPrm empty" "$(grep '^CapPrm:' "$_st")" '^CapPrm:[[:space:]]+0+$'
	tap_like "$1: CapBnd empty" "$(grep '^CapBnd:' "$_st")" '^CapBnd:[[:space:]]+0+$'
	tap_like "$1: NoNewPrivs 1" "$(grep '^NoNewPrivs:' "$_st")" '^NoNewPrivs:[[:space:]]+1$'
	tap_like "$1: Seccomp 2 (filter)" "$(grep '^Seccomp:' "$_st")" '^Seccomp:[[:space:]]+2$'
	tap_is "$1: root is $3" "$(readlink "/proc/$2/root")" "$3"
}

check_proc upsd "$UPSD_PID" "$STATE"
check_proc dummy-ups "$DRV_PID" "$STATE"
tap_like "upsd logs what it holds" "$(cat "$T/upsd.log")" \
	"sandbox: user nut \\(uid $NUT_UID, gid $NUT_GID\\), root $STATE.*CapEff 0, CapBnd 0, NoNewPrivs 1, seccomp filter upsd.* \\(kill\\)"
tap_like "dummy-ups logs what it holds" "$(cat "$T/driver-dummy.log")" \
	"UPS \\[dummy\\]: sandbox: user nut.*root $STATE.*seccomp filter driver.* \\(kill\\)"
# Landlock as far as this kernel offers it, named in both lines.
LL=$("$top_builddir/tools/nutsec-sandbox-dump" --landlock)
case $LL in
"landlock ABI "*)
	LL_ABI=${LL#landlock ABI }
	LL_WANT="landlock ABI $LL_ABI: fs read-only beneath [0-9]+ paths"
	[ "$LL_ABI" -ge 6 ] && LL_WANT="$LL_WANT, abstract unix sockets and signals scoped"
	;;
*)	LL_WANT="landlock unavailable" ;;
esac
echo "# kernel: $LL"
tap_like "upsd's line says what Landlock covers" "$(cat "$T/upsd.log")" "sandbox: .*, $LL_WANT"
tap_like "dummy-ups's line says what Landlock covers" "$(cat "$T/driver-dummy.log")" \
	"UPS \\[dummy\\]: sandbox: .*, $LL_WANT"
tap_is "the sandboxed pair serves" "$(nut_get dummy ups.status)" "OL"
stop_pid "$UPSD_PID"
stop_pid "$DRV_PID"
tap_is "upsd exits 0 under the filter (no violation at exit)" "$STOP_RC" 0

# The action from the configuration files, and --sandbox over them.
write_upsd_conf "SANDBOX trap"
echo "sandbox = log" > "$CONF/ups.conf.new"
cat "$CONF/ups.conf" >> "$CONF/ups.conf.new"
mv "$CONF/ups.conf.new" "$CONF/ups.conf"; conf_file ups.conf
start_all
tap_like "upsd.conf SANDBOX trap" "$(cat "$T/upsd.log")" 'seccomp filter upsd.* \(trap\)'
tap_like "ups.conf sandbox = log" "$(cat "$T/driver-dummy.log")" 'seccomp filter driver.* \(log\)'
stop_pid "$UPSD_PID"
start_upsd --sandbox=kill || tap_fail "upsd --sandbox=kill starts"
tap_like "--sandbox overrides upsd.conf" "$(cat "$T/upsd.log")" 'seccomp filter upsd.* \(kill\)'
stop_pid "$UPSD_PID"
stop_pid "$DRV_PID"

out=$("$UPSD" -F --sandbox=maybe 2>&1)
tap_like "upsd --sandbox=maybe is refused" "$out" "--sandbox: 'maybe' is not kill, trap, log or off"
out=$("$DUMMY" -a dummy -F --sandbox=maybe 2>&1)
tap_like "dummy-ups --sandbox=maybe is refused" "$out" "--sandbox: 'maybe' is not kill, trap, log or off"
write_upsd_conf "SANDBOX sometimes"
out=$("$UPSD" -t 2>&1)
tap_like "upsd.conf SANDBOX sometimes: file:line error" "$out" "upsd.conf:2: .*sometimes"
write_upsd_conf
printf 'sandbox = maybe\n' > "$CONF/ups.conf.new"
cat "$CONF/ups.conf" >> "$CONF/ups.conf.new"
mv "$CONF/ups.conf.new" "$CONF/ups.conf"; conf_file ups.conf
out=$("$DUMMY" -a dummy -F 2>&1)
tap_like "ups.conf sandbox = maybe: file:line error" "$out" "ups.conf:1: .*maybe"
write_ups_conf

# The compiled policies, for review.
out=$("$UPSD" --dump-filter 2>&1)
tap_like "upsd --dump-filter prints the compiled policy" "$out" "pseudo filter code"
tap_like "upsd's policy allows accept4" "$out" "accept4"
out=$("$DUMMY" --dump-filter=driver-net 2>&1)
tap_like "dummy-ups --dump-filter=driver-net prints the policy" "$out" "pseudo filter code"
out=$("$DUMMY" --dump-filter=upsd-ish 2>&1)
tap_like "dummy-ups --dump-filter with an unknown role" "$out" "unknown role 'upsd-ish'"

tap_done
