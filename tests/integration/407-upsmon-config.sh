#!/bin/sh
# nutsec tests - 407-upsmon-config: upsmon -t names every bad line of
# upsmon.conf as file:line and fails; a good file and the sample pass; a command that
# would need a shell is refused; upsmon refuses to start on a bad file
# and when its PID file names a running upsmon (not a zombie); -K answers from
# POWERDOWNFLAG and leaves a foreign file alone.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"
. "$top_srcdir/tests/integration/monlib.sh"

need_exe upsmon "$UPSMON"
nut_setup
mon_setup mon primary "$PRI_USER" "$PRI_PASS"
F=$T/mon/etc/upsmon.conf
out=$(mon_env mon "$UPSMON" -t 2>&1); rc=$?
tap_is "-t: a good file" "$rc $out" "0 configuration OK"
out=$("$UPSMON" -t -f "$top_builddir/conf/upsmon.conf.sample" 2>&1); rc=$?
tap_is "-t: conf/upsmon.conf.sample" "$rc $out" "0 configuration OK"

cp "$F" "$F.good"
cat >> "$F" <<EOS
POLLFREQ zero
NOTIFYFLAG ONBATT SYSLOG+PAGER
MONITOR x@h 1 onlypass primary
SHUTDOWNCMD2 x
EOS
out=$(mon_env mon "$UPSMON" -t 2>&1); rc=$?
tap_is "-t: a bad file fails" "$rc" "1"
n=$(wc -l < "$F.good")
for i in 1 2 3 4; do
	tap_like "-t names line $((n + i))" "$out" "$F:$((n + i)):"
done
tap_like "-t says the file has errors" "$out" "configuration has errors"
out=$(mon_env mon "$UPSMON" -F 2>&1); rc=$?
tap_is "a bad file stops upsmon" "$rc" "1"

cp "$F.good" "$F"
echo 'NOTIFYCMD "/bin/sh -c \"echo hi > /tmp/x\""' > "$T/extra"
sed -i '/^NOTIFYCMD/d' "$F"; cat "$T/extra" >> "$F"
out=$(mon_env mon "$UPSMON" -t 2>&1)
tap_like "a redirection in NOTIFYCMD is refused" "$out" "means something only to a shell"
cp "$F.good" "$F"; sed -i '/^SHUTDOWNCMD/d' "$F"; echo 'SHUTDOWNCMD "shutdown -h now"' >> "$F"
tap_like "a relative SHUTDOWNCMD is refused" "$(mon_env mon "$UPSMON" -t 2>&1)" "must be an absolute path"
cp "$F.good" "$F"
out=$(mon_env mon "$UPSMON" -F -u no-such-user-here 2>&1); rc=$?
tap_is "an unknown run-as user stops upsmon at once" "$rc" "1"
tap_like "and says so" "$out" "no-such-user-here"

if mon_env mon "$UPSMON" -K; then tap_fail "-K: no flag, no"; else tap_ok "-K: no flag, no"; fi
echo "something else" > "$REC/mon.killpower"
if mon_env mon "$UPSMON" -K; then tap_fail "-K: a foreign file, no"; else tap_ok "-K: a foreign file, no"; fi
echo "upsmon-shutdown-file" > "$REC/mon.killpower"
if mon_env mon "$UPSMON" -K; then tap_ok "-K: our flag, yes"; else tap_fail "-K: our flag, yes"; fi

nut_cfg_start() { start_all; }
nut_cfg_start
echo "something else" > "$REC/mon.killpower"
# a zombie named upsmon in the PID file (an init that does not reap) must not stop us
cp /bin/true "$T/upsmon"
"$PY" -c 'import os, sys, time
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], [sys.argv[1]])
print(pid, flush=True)
time.sleep(60)' "$T/upsmon" > "$T/zombie.pid" &
PIDS="$PIDS $!"
wait_for 50 test -s "$T/zombie.pid"
zpid=$(cat "$T/zombie.pid")
zstate() { [ "$(awk '{print $3}' "/proc/$zpid/stat" 2>/dev/null)" = Z ]; }
if wait_for 50 zstate; then tap_ok "a zombie upsmon ($zpid)"; else tap_fail "a zombie upsmon"; fi
echo "$zpid" > "$T/mon/run/upsmon.pid"
start_mon mon
if wait_for 100 mon_logged_in mon; then tap_ok "started"; else tap_fail "started"; mon_diag mon; fi
tap_is "the PID file names us now, not the zombie" "$(cat "$T/mon/run/upsmon.pid")" "$MON_PID"
tap_is "a foreign POWERDOWNFLAG is left alone" "$(cat "$REC/mon.killpower")" "something else"
out=$(mon_env mon "$UPSMON" -F 2>&1); rc=$?
tap_is "a second upsmon on the same PID file refuses" "$rc" "1"
tap_like "and says why" "$out" "already running"
tap_done
