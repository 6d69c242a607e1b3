#!/bin/sh
# nutsec tests - 065-rootsafe: root never acts through a name user nut can
# replace in the state path (issue 13; docs/sandbox.md).
#  - the driver socket is born root:nut 0660 (the attack on it, a symlink
#    swapped in right after bind, is made deterministic in
#    tests/unit/test_rootsafe: a race from a second process is too rarely
#    won to make a test that fails before the fix);
#  - a driver PID file that is a symlink or a hard link to another file is
#    refused (the driver does not start) and the other file is untouched;
#  - a PID file naming a process that is not the program (a sleep) is not
#    signalled by upsdrvctl stop, the driver's -c exit, upsd -c stop or
#    upsd -c stop -P, each with a message; the sleep lives on.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe dummy-ups "$DUMMY"
need_exe upsd "$UPSD"
need_exe upsdrvctl "$UPSDRVCTL"
[ "$(id -u)" = 0 ] || { tap_skip "root-only attacks" "needs root"; tap_done; }
nut_setup
SOCK=$STATE/dummy-ups-dummy
PIDF=$STATE/dummy-ups-dummy.pid

# A root-only file the attacks aim at.
target=$T/shadow
echo "secret" > "$target"
chmod 0600 "$target"
modes() { stat -c '%a %U:%G' "$1"; }
want=$(modes "$target")

# ---------------------------------------------------------------- socket
start_driver dummy || tap_bail "driver did not start: $(tail -n 5 "$T/driver-dummy.log")"
tap_is "the driver socket is root:nut 0660" "$(modes "$SOCK")" "660 root:nut"
stop_pid "$DRV_PID"

# ---------------------------------------------------------------- PID files
# drv_ff: the driver in the foreground, writing its PID file (-FF); status in RC
drv_ff() {
	"$DUMMY" -a dummy -FF > "$T/ff.log" 2>&1 &
	_p=$!
	PIDS="$PIDS $_p"
	_i=0
	while kill -0 "$_p" 2>/dev/null && ! grep -q "serving on" "$T/ff.log" && [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	if kill -0 "$_p" 2>/dev/null; then
		stop_pid "$_p"
		RC=0
	else
		wait "$_p"
		RC=$?
	fi
}

ln -s "$target" "$PIDF"
drv_ff
tap_like "a symlinked PID file: the driver refuses to start" "$RC $(cat "$T/ff.log")" \
	'^[1-9].*symbolic link'
tap_is "a symlinked PID file: the target is untouched" "$(modes "$target") $(cat "$target")" \
	"$want secret"
rm -f "$PIDF"

cp -p "$target" "$STATE/other"
ln "$STATE/other" "$PIDF"
drv_ff
tap_like "a hard-linked PID file: the driver refuses to start" "$RC $(cat "$T/ff.log")" \
	'^[1-9].*2 links'
tap_is "a hard-linked PID file: the other name's file is untouched" \
	"$(modes "$STATE/other") $(cat "$STATE/other")" "$want secret"
rm -f "$PIDF" "$STATE/other"

drv_ff
tap_is "a clean start with -FF still writes the PID file" "$RC" 0

# ---------------------------------------------------------------- signals
sleep 300 &
SLEEP_PID=$!
PIDS="$PIDS $SLEEP_PID"
wait_for 50 sh -c "readlink /proc/$SLEEP_PID/exe | grep -q sleep"
echo "$SLEEP_PID" > "$PIDF"
echo "$SLEEP_PID" > "$STATE/upsd.pid"

out=$("$UPSDRVCTL" stop dummy 2>&1)
tap_like "upsdrvctl stop: a PID file naming a sleep is refused" "$? $out" \
	"^1 .*$SLEEP_PID.* is not dummy-ups .*sleep"
out=$("$DUMMY" -a dummy -c exit 2>&1)
tap_like "dummy-ups -c exit: a PID file naming a sleep is refused" "$? $out" \
	"^1 .*$SLEEP_PID.* is not dummy-ups"
out=$("$UPSD" -c stop 2>&1)
tap_like "upsd -c stop: a PID file naming a sleep is refused" "$? $out" \
	"^1 .*$SLEEP_PID.* is not upsd .*sleep"
out=$("$UPSD" -c reload -P "$SLEEP_PID" 2>&1)
tap_like "upsd -c reload -P: a PID that is not upsd is refused" "$? $out" \
	"^1 .*$SLEEP_PID.* is not upsd"
tap_check "the sleep was not signalled" kill -0 "$SLEEP_PID"

ln -sf "$target" "$STATE/upsd.pid"
out=$("$UPSD" -c stop 2>&1)
tap_is "upsd -c stop: a symlinked upsd.pid is not read" "$?" 1
tap_check "the sleep still lives" kill -0 "$SLEEP_PID"
tap_done
