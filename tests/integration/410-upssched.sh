#!/bin/sh
# nutsec tests - 410-upssched: upssched as upsmon runs it (UPSNAME and
# NOTIFYTYPE in the environment, as the nut user): configuration errors
# named by file:line; START-TIMER then CANCEL-TIMER runs nothing; a timer
# that fires runs CMDSCRIPT once with its name; EXECUTE passes its word as
# one argument, never through a shell; five upssched started at once share
# one timer process; hostile lines on the socket are refused and logged,
# never run; other users cannot connect; a socket left by a killed timer
# process is recovered; a world-writable PIPEFN directory is refused; the
# timer process is confined and exits once no timer is left; under the
# filter a confined upsmon's notifier passes on, it still works.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

: "${UPSSCHED:=$top_builddir/clients/upssched}"
need_exe upssched "$UPSSCHED"
command -v setpriv >/dev/null 2>&1 || { echo "1..0 # SKIP setpriv not installed"; exit 0; }
nut_setup

S=$T/sched		# PIPEFN and LOCKFN live here, the nut user's own
mkdir -p "$S"
chown nut:nut "$S"
chmod 0700 "$S"
OUT=$T/out		# what CMDSCRIPT was run with, one line per run
: > "$OUT"
chown nut "$OUT"
cat > "$T/cmd.sh" <<EOF
#!/bin/sh
printf '%s|%s\n' "\$#" "\$*" >> "$OUT"
EOF
chmod 0755 "$T/cmd.sh"
LOG=$T/upssched.log

write_conf() {
	cat > "$CONF/upssched.conf"
	chown root:nut "$CONF/upssched.conf"
	chmod 0640 "$CONF/upssched.conf"
}

# sched UPS EVENT: run upssched as upsmon would (as nut), log to $LOG
sched() {
	env UPSNAME="$1" NOTIFYTYPE="$2" NUT_DEBUG_SYSLOG=stderr \
		setpriv --reuid=nut --regid=nut --clear-groups "$UPSSCHED" >> "$LOG" 2>&1
}

# timer_pids: the timer processes running for this test's PIPEFN
timer_pids() {
	for _p in $(pgrep -f "^$UPSSCHED( |\$)"); do
		case $(ps -o stat= -p "$_p" 2>/dev/null) in Z*|"") continue ;; esac
		grep -q "NUT_CONFPATH=$CONF" /proc/"$_p"/environ 2>/dev/null || continue
		echo "$_p"
	done
}
# the timer processes are not ours to wait for: stop them with the test
trap 'kill -KILL $(timer_pids) 2>/dev/null; nut_on_exit' EXIT

runs() { grep -c "$1" "$OUT"; }

write_conf <<EOF
CMDSCRIPT $T/cmd.sh
PIPEFN $S/upssched.pipe
LOCKFN $S/upssched.lock
${SANDBOX_ACTION:+SANDBOX $SANDBOX_ACTION}
AT ONBATT * START-TIMER onbatt 2
AT ONLINE * CANCEL-TIMER onbatt online-again
AT LOWBATT ups1 START-TIMER lowbatt 1
AT COMMBAD * START-TIMER long 300
AT COMMOK * CANCEL-TIMER long
AT FSD * EXECUTE "a;touch $T/pwned"
AT SHUTDOWN ups1 START-TIMER p1 2
AT SHUTDOWN ups2 START-TIMER p2 2
AT SHUTDOWN ups3 START-TIMER p3 2
AT SHUTDOWN ups4 START-TIMER p4 2
AT SHUTDOWN ups5 START-TIMER p5 2
EOF

# ---- configuration errors: nothing done, file:line named
cp "$CONF/upssched.conf" "$T/good.conf"
write_conf <<EOF
AT ONBATT * START-TIMER early 1
CMDSCRIPT $T/cmd.sh
PIPEFN $S/upssched.pipe
LOCKFN $S/upssched.lock
AT ONBATT * START-TIMER nosecs
AT ONBATT * FLY-TO-MOON now
EOF
: > "$LOG"
if sched ups1 ONBATT; then tap_fail "a bad upssched.conf is refused"; else tap_ok "a bad upssched.conf is refused"; fi
tap_like "the AT before CMDSCRIPT is named by line" "$(cat "$LOG")" "upssched.conf:1: .*before any AT"
tap_like "START-TIMER without an interval is named by line" "$(cat "$LOG")" "upssched.conf:5: START-TIMER takes"
tap_like "an unknown AT command is named by line" "$(cat "$LOG")" "upssched.conf:6: unknown AT command 'FLY-TO-MOON'"
tap_is "nothing was run" "$(wc -l < "$OUT")" 0
write_conf < "$T/good.conf"

# ---- START-TIMER then CANCEL-TIMER: nothing runs
: > "$LOG"
sched ups1 ONBATT
tap_is "START-TIMER exits 0" "$?" 0
[ -S "$S/upssched.pipe" ] && tap_ok "the timer process listens on PIPEFN" ||
	tap_fail "the timer process listens on PIPEFN"
tap_is "PIPEFN is the owner's alone" "$(stat -c '%U %a' "$S/upssched.pipe")" "nut 600"
P=$(timer_pids)
tap_is "one timer process" "$(echo "$P" | grep -c .)" 1
st=/proc/$P/status
tap_like "the timer process has no capabilities" "$(grep CapEff "$st")" "CapEff:[[:space:]]*0+$"
tap_like "the timer process has no_new_privs" "$(grep NoNewPrivs "$st")" "NoNewPrivs:[[:space:]]*1"
tap_like "the timer process runs under its seccomp filter" "$(grep '^Seccomp:' "$st")" "Seccomp:[[:space:]]*2"
tap_like "the sandbox line names the upssched role" "$(cat "$LOG")" "seccomp filter upssched"
sched ups1 ONLINE
sleep 3
tap_is "START-TIMER then CANCEL-TIMER runs nothing" "$(wc -l < "$OUT")" 0

# ---- CANCEL-TIMER of a timer that is not running: its command runs
sched ups1 ONLINE
tap_is "CANCEL-TIMER with no such timer runs its command" "$(cat "$OUT")" "1|online-again"
: > "$OUT"

# ---- a timer that fires runs CMDSCRIPT once with its name
sched ups1 LOWBATT
sched ups9 LOWBATT		# not for ups9: nothing
wait_for 40 grep -q lowbatt "$OUT"
sleep 2
tap_is "a fired timer ran CMDSCRIPT once, with its name as the one argument" "$(cat "$OUT")" "1|lowbatt"
: > "$OUT"

# ---- EXECUTE: one argument, no shell
sched ups1 FSD
tap_is "EXECUTE ran at once with its word as one argument" "$(cat "$OUT")" "1|a;touch $T/pwned"
[ -e "$T/pwned" ] && tap_fail "no shell saw the command" || tap_ok "no shell saw the command"
: > "$OUT"

# ---- five upssched at once: one timer process
sched ups1 COMMBAD	# a long timer keeps a process alive for the checks below
P=$(timer_pids)
kill -KILL "$P" 2>/dev/null	# start the race from nothing (leaves a stale socket)
sleep 0.2
for u in ups1 ups2 ups3 ups4 ups5; do sched $u SHUTDOWN & done
wait
tap_is "five starters at once: one timer process" "$(timer_pids | grep -c .)" 1
wait_for 60 test "$(wc -l < "$OUT")" -ge 5
sleep 1
tap_is "all five timers fired, once each" "$(sort "$OUT" | tr '\n' ' ')" "1|p1 1|p2 1|p3 1|p4 1|p5 "
: > "$OUT"
tap_unlike "no starter failed" "$(cat "$LOG")" "Unable|refused|cannot|did not start"

# ---- hostile input on the socket
sched ups1 COMMBAD
P=$(timer_pids)
tap_py hostile <<EOF
import socket, time
from nutclient import Tap
t = Tap()
path = "$S/upssched.pipe"
def talk(data, wait=1.0):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(path)
    s.settimeout(wait)
    s.sendall(data)
    out = b""
    try:
        while True:
            try:
                b = s.recv(4096)
            except ConnectionResetError:
                break
            if not b:
                break
            out += b
            if out.count(b"\n") >= data.count(b"\n") and data.endswith(b"\n"):
                break
    except socket.timeout:
        pass
    s.close()
    return out.decode(errors="replace")
t.ok(talk(b'EXEC "/bin/sh"\n').startswith("ERR UNKNOWN-COMMAND"), "an unknown verb is refused")
t.ok(talk(b'START "' + b"x" * 200 + b'" "1"\n').startswith("ERR TOO-LONG"), "an overlong name is refused")
t.ok(talk(b'START "x" "-5"\n').startswith("ERR INVALID-ARGUMENT"), "a negative interval is refused")
t.ok(talk(b'START "x" "1" "extra"\n').startswith("ERR INVALID-ARGUMENT"), "extra words are refused")
t.ok(talk(b'START "x" "99999999999"\n').startswith("ERR INVALID-ARGUMENT"), "a huge interval is refused")
r = talk(b"A" * 1000, wait=2)
t.ok(r.startswith("ERR TOO-LONG"), "an endless line is refused", r)
r = talk(b'CANCEL "nothing"\n' * 10, wait=2)
t.ok("ERR FLOOD" in r and r.count("OK") <= 4, "a flood of lines is cut off", r)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(path)
s.settimeout(10)
t0 = time.time()
t.ok(s.recv(100).startswith(b"ERR TIMEOUT") and time.time() - t0 < 8, "a silent client is dropped")
s.close()

EOF
sleep 2
tap_is "no hostile line ran CMDSCRIPT" "$(wc -l < "$OUT")" 0
tap_is "the timer process survived them" "$(timer_pids)" "$P"
tap_like "the refusals were logged" "$(cat "$LOG")" "refused a request: UNKNOWN-COMMAND"
if setpriv --reuid=nobody --regid=nogroup --clear-groups "$PY" -c "
import socket,sys
s=socket.socket(socket.AF_UNIX)
s.connect('$S/upssched.pipe')" 2>/dev/null; then
	tap_fail "another user cannot connect to PIPEFN"
else
	tap_ok "another user cannot connect to PIPEFN"
fi

# ---- a stale socket left by a killed timer process
kill -KILL "$P"
sleep 0.2
[ -S "$S/upssched.pipe" ] && tap_ok "the killed process left its socket" || tap_fail "the killed process left its socket"
sched ups1 LOWBATT
tap_is "upssched recovers the stale socket" "$?" 0
wait_for 40 grep -q lowbatt "$OUT"
tap_is "and the new timer process fires" "$(cat "$OUT")" "1|lowbatt"

# ---- exit when no timer is left (NUT's 15 s grace)
wait_for 250 test -z "$(timer_pids)"
tap_is "the timer process exits once no timer is left" "$(timer_pids)" ""
[ -e "$S/upssched.pipe" ] && tap_fail "it removed its socket" || tap_ok "it removed its socket"

# ---- a CANCEL-TIMER with no timer process starts nothing
sched ups1 COMMOK
tap_is "CANCEL-TIMER without a timer process starts none" "$(timer_pids)" ""

# ---- run as a confined upsmon's notifier runs NOTIFYCMD: under its filter
SBEXEC=$top_builddir/tests/integration/sbexec
: > "$OUT"
: > "$LOG"
env UPSNAME=ups1 NOTIFYTYPE=LOWBATT NUT_DEBUG_SYSLOG=stderr setpriv --reuid=nut --regid=nut \
	--clear-groups "$SBEXEC" upsmon-notify "${SANDBOX_ACTION:-kill}" "$UPSSCHED" >> "$LOG" 2>&1
tap_is "under upsmon-notify's inherited filter: exit 0" "$?" 0
tap_like "it stacks its own filter on the inherited one" "$(cat "$LOG")" \
	"sandbox \(inherited, filter added\).*seccomp filter upssched"
wait_for 40 grep -q lowbatt "$OUT"
tap_is "and its timer fires" "$(cat "$OUT")" "1|lowbatt"
P=$(timer_pids)
tap_like "the timer process holds both filters" "$(grep '^Seccomp_filters:' /proc/"$P"/status)" \
	"Seccomp_filters:[[:space:]]*2"
kill -KILL "$P" 2>/dev/null

# ---- a world-writable PIPEFN directory is refused
W=$T/world
mkdir -p "$W"
chmod 0777 "$W"
sed "s|$S/|$W/|" "$T/good.conf" | write_conf
: > "$LOG"
if sched ups1 ONBATT; then tap_fail "a world-writable PIPEFN directory is refused"; else
	tap_ok "a world-writable PIPEFN directory is refused"; fi
tap_like "and the reason named" "$(cat "$LOG")" "writable by everyone and not sticky"
[ -e "$W/upssched.pipe" ] && tap_fail "nothing created there" || tap_ok "nothing created there"
chmod 1777 "$W"
sched ups1 ONLINE
tap_is "a sticky one (like /tmp) is accepted" "$?" 0

# ---- a refusal from the timer process names PIPEFN (a stand-in that
# answers every line with ERR FULL, as a full timer process does)
kill -KILL $(timer_pids) 2>/dev/null
cp "$T/good.conf" "$CONF/upssched.conf"
rm -f "$S/upssched.pipe"
setpriv --reuid=nut --regid=nut --clear-groups "$PY" -c "
import os, socket
os.umask(0o077)
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind('$S/upssched.pipe')
s.listen(4)
s.settimeout(30)
for _ in range(3):
    try:
        c, _a = s.accept()
    except socket.timeout:
        break
    c.recv(512)
    c.sendall(b'ERR FULL\n')
    c.close()
" &
FAKE=$!
PIDS="$PIDS $FAKE"
wait_for 50 test -S "$S/upssched.pipe"
: > "$LOG"
if sched ups1 ONBATT; then tap_fail "a refused START fails"; else tap_ok "a refused START fails"; fi
tap_like "the refusal names PIPEFN, the request and the answer" "$(cat "$LOG")" \
	"PIPEFN $S/upssched.pipe: the timer process refused START \"onbatt\" \"2\": ERR FULL"
kill "$FAKE" 2>/dev/null
rm -f "$S/upssched.pipe"

tap_done
