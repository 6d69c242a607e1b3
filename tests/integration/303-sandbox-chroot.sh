#!/bin/sh
# nutsec tests - 303-sandbox-chroot: the seed's chroot recipe. The jail
# holds copies of the configuration directory and of the state path at the
# same paths, /etc/localtime and /dev/null; "upsdrvctl -r JAIL -u nut start"
# and "upsd -r JAIL -u nut" then run in it and find each other through the
# state path inside the jail; upsdrvctl status/stop with -r see the drivers.
# ups.conf "chroot =" and "user =" do the same for a driver started directly,
# and a jail around the state path (-r its parent) uses it as it is.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upsdrvctl "$UPSDRVCTL"
require_root "(chroot)"

nut_setup
# DRVPATH: upsdrvctl finds our dummy-ups in the build tree.
printf 'driverpath = %s\n' "$(dirname "$DUMMY")" > "$CONF/ups.conf.new"
cat "$CONF/ups.conf" >> "$CONF/ups.conf.new"
mv "$CONF/ups.conf.new" "$CONF/ups.conf"; conf_file ups.conf

# The recipe (seed: "chrooting and other forms of paranoia").
J=$T/jail
mkdir -p "$J$CONF" "$J$(dirname "$STATE")" "$J/etc" "$J/dev"
cp -a "$CONF/upsd.users" "$CONF/upsd.conf" "$CONF/ups.conf" "$J$CONF/"
cp -a "$STATE" "$J$(dirname "$STATE")/"
cp /etc/localtime "$J/etc/" 2>/dev/null
cp -a /dev/null "$J/dev/"
chmod 0755 "$J" "$J/etc" "$J/dev"
tap_check "the jail's state path keeps its owner and mode" \
	test "$(stat -c '%U:%G %a' "$J$STATE")" = "root:nut 770"

out=$("$UPSDRVCTL" -r "$J" -u nut start 2>&1)
tap_is "upsdrvctl -r JAIL -u nut start: exit 0" "$?" 0
tap_check "the driver's socket is in the jail's state path" test -S "$J$STATE/dummy-ups-dummy"
DPID=$(cat "$STATE/dummy-ups-dummy.pid" 2>/dev/null)
PIDS="$PIDS $DPID"
tap_is "the driver's root is the jail" "$(readlink "/proc/$DPID/root" 2>/dev/null)" "$J"
tap_like "the driver runs as nut, filtered" "$(grep -E '^(Uid|Seccomp):' "/proc/$DPID/status" 2>/dev/null | tr '\n' ' ')" \
	"^Uid:[[:space:]]+$(id -u nut)[[:space:]].*Seccomp:[[:space:]]+2"

start_upsd -r "$J" -u nut || tap_fail "upsd -r JAIL -u nut starts: $(tail -n 3 "$T/upsd.log")"
tap_is "upsd's root is the jail" "$(readlink "/proc/$UPSD_PID/root" 2>/dev/null)" "$J"
if wait_ups dummy; then tap_ok "upsd reaches the driver through the state path inside the jail"
else tap_fail "upsd reaches the driver through the state path inside the jail"; fi
tap_is "data flows" "$(nut_get dummy ups.status)" "OL"

out=$("$UPSDRVCTL" -r "$J" status 2>&1)
tap_like "upsdrvctl -r JAIL status sees the driver" "$out" "dummy.*$DPID"
out=$("$UPSDRVCTL" -r "$J" stop 2>&1)
tap_is "upsdrvctl -r JAIL stop: exit 0" "$?" 0
if wait_for 100 sh -c "! kill -0 $DPID 2>/dev/null"; then tap_ok "the driver is gone"
else tap_fail "the driver is gone"; fi
stop_pid "$UPSD_PID"

# ups.conf chroot= and user= (global), for a driver started directly.
{ printf 'chroot = %s\nuser = nut\n' "$J"; cat "$CONF/ups.conf"; } > "$CONF/ups.conf.new"
mv "$CONF/ups.conf.new" "$CONF/ups.conf"; conf_file ups.conf
"$DUMMY" -a dummy -F > "$T/driver-conf.log" 2>&1 &
DRV_PID=$!
PIDS="$PIDS $DRV_PID"
if wait_socket "$J$STATE/dummy-ups-dummy" "$DRV_PID"; then tap_ok "ups.conf chroot=: the socket is in the jail"
else tap_fail "ups.conf chroot=: the socket is in the jail"; fi
wait_for 100 grep -q "serving on" "$T/driver-conf.log"	# after the sandbox point
tap_is "ups.conf chroot=: the driver's root" "$(readlink "/proc/$DRV_PID/root" 2>/dev/null)" "$J"
stop_pid "$DRV_PID"

# A jail that holds the state path as it is (here its parent directory).
start_driver dummy -r "$T" || tap_fail "dummy-ups -r PARENT starts"
start_upsd -r "$T" || tap_fail "upsd -r PARENT starts: $(tail -n 3 "$T/upsd.log")"
if wait_ups dummy; then tap_ok "-r around the state path: upsd reaches the driver"
else tap_fail "-r around the state path: upsd reaches the driver"; fi
tap_is "-r around the state path: upsd's root" "$(readlink "/proc/$UPSD_PID/root")" "$T"
tap_is "-r around the state path: the driver's root" "$(readlink "/proc/$DRV_PID/root")" "$T"
tap_done
