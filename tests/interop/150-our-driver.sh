#!/bin/sh
# nutsec tests - 150-our-driver: our dummy-ups under NUT's upsd, compared with
# NUT's dummy-ups under NUT's upsd on the same .dev data: variables, values,
# flags (GET TYPE), RW list, commands, SET through upsd, tracking results, and
# a value with '"' and '\' (NUT's own driver corrupts it: bug 5).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop/lib.sh"

require_exe "NUT upsd" "$NUT_UPSD"
require_exe "NUT dummy-ups" "$NUT_DUMMY"
need_exe dummy-ups "$DUMMY"
nut_setup
stack_start ours "$NUT_UPSD" "$DUMMY" || tap_bail "NUT upsd + our dummy-ups did not start: $(tail -n 5 "$T/ours-driver.log")"
stack_start ref "$NUT_UPSD" "$NUT_DUMMY" || tap_bail "NUT upsd + NUT dummy-ups did not start"
export ours_PORT ref_PORT

tap_py our-driver <<'EOF'
import os, re, time
from nutclient import Conn, Tap
t = Tap()
ours, ref = Conn(os.environ["ours_PORT"]), Conn(os.environ["ref_PORT"])

def items(c, line, skip_driver=True):
    r = c.cmd(line)
    return [l for l in r[1:-1] if not (skip_driver and l.split()[2].startswith("driver."))]

for line in ("LIST VAR dummy", "LIST RW dummy"):
    a, b = items(ours, line), items(ref, line)
    t.ok(a == b and len(a) > 5, line + " (driver.* aside) equal", "ours: %r\nref:  %r" % (a, b))
names = [l.split()[2] for l in items(ref, "LIST VAR dummy")]
diff = []
for n in names:
    a, b = ours.cmd1("GET TYPE dummy " + n), ref.cmd1("GET TYPE dummy " + n)
    if a != b:
        diff.append((n, a, b))
t.ok(not diff, "GET TYPE equal for all %d variables" % len(names), diff)
for n in ("driver.name", "driver.parameter.mode", "driver.parameter.pollinterval", "device.type"):
    t.eq(ours.cmd1("GET VAR dummy " + n), ref.cmd1("GET VAR dummy " + n), "GET VAR " + n)
oc = ours.cmd("LIST CMD dummy")
t.ok("CMD dummy load.off" in oc and oc[0] == "BEGIN LIST CMD dummy", "LIST CMD has load.off", oc)
t.eq(ours.cmd1("GET VAR dummy ups.status"), 'VAR dummy ups.status "OL"', "status through NUT's upsd")

adm = {}
for k, c in (("ours", Conn(os.environ["ours_PORT"])), ("ref", Conn(os.environ["ref_PORT"]))):
    c.login("admin", "adminpass")
    c.cmd1("SET TRACKING ON")
    adm[k] = c

def tracked(c, line):
    r = c.cmd1(line)
    if not r.startswith("OK TRACKING "):
        return r
    tid = r[12:]
    for i in range(80):
        s = c.cmd1("GET TRACKING " + tid)
        if s != "PENDING":
            return s
        time.sleep(0.1)
    return "PENDING"

t.eq(tracked(adm["ours"], "SET VAR dummy ups.load 77"), tracked(adm["ref"], "SET VAR dummy ups.load 77"),
     "tracked SET: same result")
t.eq(tracked(adm["ours"], "INSTCMD dummy load.off"), tracked(adm["ref"], "INSTCMD dummy load.off"),
     "tracked INSTCMD load.off: same result")

def wait_val(c, var, want):
    v = None
    for i in range(60):
        v = c.cmd1("GET VAR dummy " + var)
        if v == want:
            break
        time.sleep(0.1)
    return v
t.eq(wait_val(ours, "ups.load", 'VAR dummy ups.load "77"'), 'VAR dummy ups.load "77"', "SET through NUT's upsd reaches our driver")
r = adm["ours"].cmd1('SET VAR dummy test.lower "q\\"uo\\\\te"')
t.ok(r.startswith("OK"), "SET of a value with quote and backslash accepted", r)
want = r'VAR dummy test.lower "q\"uo\\te"'
t.eq(wait_val(ours, "test.lower", want), want, "our driver's live update escapes '\"' and '\\' (NUT's upsd parses it right)")
EOF
tap_done
