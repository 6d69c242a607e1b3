#!/bin/sh
# nutsec tests - 070-driver-socket: the driver side of the Unix socket
# protocol (nut-compat §2), spoken directly to dummy-ups: DUMPALL ... DUMPDONE
# in the documented order, PING/PONG, GETPID, DUMPVALUE/DUMPSTATUS, SET and
# INSTCMD with TRACKING replies, broadcasts, NOBROADCAST, LOGOUT, and '"'/'\'
# escaped the same way in dumps and in live broadcasts.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe dummy-ups "$DUMMY"
nut_setup
start_driver dummy || tap_bail "driver did not start: $(tail -n 5 "$T/driver-dummy.log")"
export DRV_PID SOCK="$STATE/dummy-ups-dummy"

tap_py driver-socket <<'EOF'
import os, re, stat, time
from drvclient import DrvConn
from nutclient import Tap
t = Tap()
SOCK = os.environ["SOCK"]
st = os.stat(SOCK)
t.ok(stat.S_ISSOCK(st.st_mode), "socket at <statepath>/dummy-ups-<ups>")
t.eq(oct(st.st_mode & 0o777), oct(0o660), "socket mode 0660")

a = DrvConn(SOCK)
d = a.request("DUMPALL")
t.eq(d[-1], "DUMPDONE", "DUMPALL ends with DUMPDONE")
t.eq(d[-2] if len(d) > 1 else None, "DATAOK", "DATAOK right before DUMPDONE")
t.ok('SETINFO ups.status "OL"' in d, "DUMPALL has SETINFO ups.status", d[:5])
t.ok(r'SETINFO ups.id "say \"hi\" \\ ok"' in d, "DUMPALL value escaped", [l for l in d if "ups.id" in l])
t.ok('SETINFO device.location "Rack 1"' in d, "DUMPALL value with a space quoted")
t.ok("ADDCMD load.off" in d, "DUMPALL has ADDCMD load.off")
kinds = [l.split()[0] for l in d]
first_cmd = kinds.index("ADDCMD") if "ADDCMD" in kinds else -1
t.ok(first_cmd > 0 and all(k == "ADDCMD" for k in kinds[first_cmd:-2]) and "SETINFO" not in kinds[first_cmd:],
     "order: variables, then ADDCMDs, then DATAOK, DUMPDONE", kinds)
fl = [l for l in d if l.startswith("SETFLAGS test.lower ")]
t.ok(len(fl) == 1 and set(fl[0].split()[2:]) == {"RW", "STRING"}, "SETFLAGS test.lower RW STRING", fl)
t.ok("SETAUX test.lower 32" in d, "SETAUX test.lower 32")
# each variable's metadata follows its SETINFO
i = d.index('SETINFO test.lower "y"') if 'SETINFO test.lower "y"' in d else -1
t.ok(i >= 0 and all(l.split()[1] == "test.lower" for l in d[i:i + 3]), "SETAUX/SETFLAGS follow their SETINFO", d[i:i + 3])

t.eq(a.request("PING"), ["PONG"], "PING -> PONG")
t.eq(a.request("GETPID"), ["PID %s" % os.environ["DRV_PID"]], "GETPID -> PID <pid>")
dv = a.request("DUMPVALUE ups.status")
t.ok(dv[0] == 'SETINFO ups.status "OL"' and dv[-2:] == ["DATAOK", "DUMPDONE"], "DUMPVALUE ups.status", dv)
t.eq(a.request("DUMPSTATUS"), dv, "DUMPSTATUS = DUMPVALUE ups.status")
t.eq(a.request("DUMPVALUE no.such.var"), ["DATAOK", "DUMPDONE"], "DUMPVALUE of an unknown variable")
t.eq(a.request("dumpvalue UPS.STATUS")[-1:], ["DUMPDONE"], "verbs case-insensitive")

# an unknown command gets no reply; the connection goes on
a.send("NOSUCHCOMMAND x y")
t.eq(a.request("PING"), ["PONG"], "unknown command ignored, no reply")

# SET with tracking, broadcast seen by a second connection
b = DrvConn(SOCK)
b.request("DUMPALL")
val = r'a \"b\" \\c'
r = a.request('SET test.lower "%s" TRACKING 0F6D5E2A-1B3C-4D5E-8F90-A1B2C3D4E5F6' % val)
t.ok(r and r[-1] == "TRACKING 0F6D5E2A-1B3C-4D5E-8F90-A1B2C3D4E5F6 0", "SET ... TRACKING -> TRACKING <id> 0", r)
bc = b.read_until(lambda l: l.startswith("SETINFO test.lower "), 10)
t.eq(bc[-1], 'SETINFO test.lower "%s"' % val, "live broadcast escapes '\"' and '\\' like DUMPALL (NUT bug 5)")
dv = a.request("DUMPVALUE test.lower")
t.eq(dv[0], 'SETINFO test.lower "%s"' % val, "DUMPVALUE after SET: same escaping")
# untracked SET: no reply, value applied
a.send('SET test.lower "plain"')
t.eq(a.request("DUMPVALUE test.lower")[0], 'SETINFO test.lower "plain"', "untracked SET applied without a reply")
# INSTCMD with tracking
r = a.request("INSTCMD load.off TRACKING 11111111-2222-4333-8444-555555555555")
t.ok(r and re.match(r"^TRACKING 11111111-2222-4333-8444-555555555555 -?\d+$", r[-1]) is not None,
     "INSTCMD ... TRACKING -> TRACKING <id> <n>", r)
r = a.request("INSTCMD no.such.cmd TRACKING 11111111-2222-4333-8444-555555555556")
t.eq(r[-1:], ["TRACKING 11111111-2222-4333-8444-555555555556 1"], "unknown INSTCMD: TRACKING <id> 1 (unknown)")
r = a.request("INSTCMD load.off param TRACKING 11111111-2222-4333-8444-555555555557")
t.ok(r and r[-1].startswith("TRACKING 11111111-2222-4333-8444-555555555557 "), "INSTCMD with a parameter and TRACKING", r)
r = a.request("SET driver.debug 0 TRACKING 11111111-2222-4333-8444-555555555558")
t.eq(r[-1:], ["TRACKING 11111111-2222-4333-8444-555555555558 0"], "SET driver.debug (driver core) -> 0")

# NOBROADCAST on b: a change made by a is not sent to b
b.drain(0.3)
b.send("NOBROADCAST")
a.send('SET test.lower "quiet"')
a.request("PING")   # the SET has been handled by now
t.eq(b.request("PING"), ["PONG"], "NOBROADCAST: no SETINFO before PONG")
b.send("BROADCAST 1")
a.send('SET test.lower "loud"')
a.request("PING")
got = b.read_until(lambda l: l.startswith("SETINFO test.lower"), 10)
t.eq(got[-1], 'SETINFO test.lower "loud"', "BROADCAST 1: updates again")

# many clients at once
cs = [DrvConn(SOCK) for i in range(20)]
t.ok(all(c.request("PING") == ["PONG"] for c in cs), "20 simultaneous socket clients")
for c in cs:
    c.close()

# LOGOUT
t.eq(b.request("LOGOUT"), ["OK Goodbye"], "LOGOUT -> OK Goodbye")
t.ok(b.closed(5), "LOGOUT: the driver closes the connection")
t.eq(a.request("PING"), ["PONG"], "other connection unaffected")

# driver-core commands over the socket
r = a.request("INSTCMD driver.reload TRACKING 22222222-3333-4444-8555-666666666666")
t.eq(r[-1:], ["TRACKING 22222222-3333-4444-8555-666666666666 0"], "INSTCMD driver.reload -> 0")
t.eq(a.request("PING"), ["PONG"], "driver alive after driver.reload")
r = a.request("INSTCMD driver.killpower TRACKING 22222222-3333-4444-8555-666666666667")
t.ok(r[-1:] != ["TRACKING 22222222-3333-4444-8555-666666666667 0"] and r[-1].startswith("TRACKING "),
     "driver.killpower refused while allow_killpower is 0", r)
a.send("INSTCMD driver.exit")
pid = int(os.environ["DRV_PID"])
gone = False
for i in range(100):
    try:
        os.kill(pid, 0)
        with open("/proc/%d/stat" % pid) as f:
            if f.read().split()[2] == "Z":
                gone = True
                break
    except OSError:
        gone = True
        break
    time.sleep(0.05)
t.ok(gone, "INSTCMD driver.exit over the socket ends the driver")
EOF
tap_done
