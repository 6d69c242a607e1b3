#!/bin/sh
# nutsec tests - 409-upsmon-family: upsmon -4 / -6 (NUT's options) restrict
# the addresses upsd is reached at, in the network child of the three
# processes (the parent passes the option on) and in one process (-p):
#  - a host name with both an IPv4 and an IPv6 address (a private
#    /etc/hosts, bind-mounted in a mount namespace of upsmon's own) is
#    reached at 127.0.0.1 under -4, at ::1 under -6 and under "-4 -6" (the
#    last given wins, as in NUT), as LIST CLIENT shows;
#  - an address of the other family is never reached, and the log says
#    why, with the option named, at start and on every later try (-p).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/monlib.sh"

need_exe upsmon "$UPSMON"
need_exe upsd "$UPSD"
nut_setup
require_ipv6_loopback
write_upsd_conf "LISTEN ::1 $PORT"
start_all

# watch NAME HOST FAMILY-ARGS...: an upsmon whose MONITOR line is on HOST
watch() {
	_n=$1; _host=$2; shift 2
	# shellcheck disable=SC2034 # read by mon_setup (monlib.sh)
	MON_LINES="MONITOR dummy@$_host:$PORT 1 $SEC_USER $SEC_PASS secondary"
	mon_setup "$_n" secondary "$SEC_USER" "$SEC_PASS"
	start_mon "$_n" "$@"
}
clients() { nut_req 'LIST CLIENT dummy' | sed -n 's/^CLIENT dummy //p' | sort | tr '\n' ' '; }
gone() { [ -z "$(clients)" ]; }

# ---------------------------------------------------------------- a name with both
printf '127.0.0.1 dualstack\n::1 dualstack\n' > "$T/hosts"
chmod 0644 "$T/hosts"
REAL_UPSMON=$UPSMON
cat > "$T/upsmon-hosts" <<EOS
#!/bin/sh
exec unshare -m --propagation private sh -c 'mount --bind "\$1" /etc/hosts && shift && exec "\$@"' \\
	sh "$T/hosts" "$REAL_UPSMON" "\$@"
EOS
chmod 0755 "$T/upsmon-hosts"
if ! unshare -m --propagation private sh -c "mount --bind '$T/hosts' /etc/hosts" 2>/dev/null; then
	tap_skip "a name with both families" "no private mount namespace (unshare -m, as root)"
else
	UPSMON=$T/upsmon-hosts
	for c in "d4 -4 127.0.0.1" "d6 -6 ::1" "d46 -4 -6 ::1"; do
		# shellcheck disable=SC2086 # c: a name, options, the address wanted
		set -- $c
		_name=$1; shift
		eval "_want=\${$#}"
		_args=""
		while [ $# -gt 1 ]; do _args="$_args $1"; shift; done
		# shellcheck disable=SC2086 # _args: the options
		watch "$_name" dualstack $_args
		if wait_for 150 mon_logged_in "$_name"; then
			tap_is "dualstack with$_args: reached at $_want" "$(clients)" "$_want "
		else
			tap_fail "dualstack with$_args: reached at $_want"
			mon_diag "$_name"
		fi
		eval "stop_pid \"\$MON_PID_$_name\""
		wait_for 100 gone || tap_diag "still logged in: $(clients)"
	done
	UPSMON=$REAL_UPSMON
fi

# ---------------------------------------------------------------- literals
watch v6 "[::1]" -6
watch v4 127.0.0.1 -4
watch v4on6 "[::1]" -4
watch v6on4 127.0.0.1 -6
watch single4on6 "[::1]" -4 -p
for n in v6 v4; do
	if wait_for 150 mon_logged_in "$n"; then
		tap_ok "$n: logs in"
	else
		tap_fail "$n: logs in"
		mon_diag "$n"
	fi
done
tap_is "LIST CLIENT: one of each family" "$(clients)" "127.0.0.1 ::1 "
# the others have had as long, and say why they cannot
for n in v4on6 v6on4; do
	if mon_logged_in "$n"; then tap_fail "$n: never logs in"; else tap_ok "$n: never logs in"; fi
	tap_like "$n: the start-up resolution names the option" "$(cat "$T/upsmon-$n.log")" \
		"cannot resolve .* now: No such host \\(-[46]: IPv[46] only\\)"
done
if mon_logged_in single4on6; then tap_fail "-p: never logs in"; else tap_ok "-p: never logs in"; fi
tap_like "-p: each try names the option" "$(cat "$T/upsmon-single4on6.log")" \
	"connect: No such host \\(-4: IPv4 only\\)"
tap_like "the parent passed -6 on to its network child" \
	"$(tr '\0' ' ' < "/proc/$(pgrep -P "$MON_PID_v6" -f -- '-X net' | head -n 1)/cmdline" 2>/dev/null)" \
	"-X net .*-6"
tap_done
