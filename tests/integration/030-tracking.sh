#!/bin/sh
# nutsec tests - 030-tracking: SET TRACKING ON, INSTCMD/SET -> OK TRACKING
# <uuid>, GET TRACKING PENDING then the driver's result, ids per connection.
# PENDING is made deterministic by SIGSTOPping the driver.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
start_all
echo "$DRV_PID" > "$T/drv.pid"
export DRV_PID

tap_py tracking <<'EOF'
import os, re, signal, time
from nutclient import Conn, Tap
t = Tap()
P = os.environ["NUT_PORT"]
drv = int(os.environ["DRV_PID"])
UUID = re.compile(r"^OK TRACKING [0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$")

def final(c, tid, tries=80):
    r = None
    for i in range(tries):
        r = c.cmd1("GET TRACKING " + tid)
        if r != "PENDING":
            return r
        time.sleep(0.1)
    return r

a = Conn(P)
a.login("admin", "adminpass")
t.eq(a.cmd1("GET TRACKING"), "OFF", "tracking off by default")
t.eq(a.cmd1("INSTCMD dummy load.off"), "OK", "untracked INSTCMD: plain OK")
t.eq(a.cmd1("SET TRACKING ON"), "OK", "SET TRACKING ON")
t.eq(a.cmd1("GET TRACKING"), "ON", "GET TRACKING -> ON")

os.kill(drv, signal.SIGSTOP)
try:
    r = a.cmd1("SET VAR dummy ups.load 55")
    t.ok(UUID.match(r) is not None and len(r) == 48, "tracked SET: OK TRACKING <36-char uppercase UUIDv4>", r)
    sid = r[12:]
    r = a.cmd1("INSTCMD dummy load.off")
    t.ok(UUID.match(r) is not None, "tracked INSTCMD: OK TRACKING <uuid>", r)
    iid = r[12:]
    t.ok(sid != iid, "two requests, two ids", (sid, iid))
    t.eq(a.cmd1("GET TRACKING " + sid), "PENDING", "SET pending while the driver is stopped")
    t.eq(a.cmd1("GET TRACKING " + iid), "PENDING", "INSTCMD pending while the driver is stopped")
finally:
    os.kill(drv, signal.SIGCONT)
t.eq(final(a, sid), "SUCCESS", "SET result: SUCCESS")
t.eq(a.cmd1("GET TRACKING " + sid.lower()), "SUCCESS", "id matched case-insensitively")
t.eq(final(a, iid), "ERR UNKNOWN", "dummy-ups load.off result: ERR UNKNOWN (it does nothing)")
v = None
for i in range(60):
    v = a.cmd1("GET VAR dummy ups.load")
    if v == 'VAR dummy ups.load "55"':
        break
    time.sleep(0.1)
t.eq(v, 'VAR dummy ups.load "55"', "tracked SET applied")
t.eq(a.cmd1("GET TRACKING 00000000-0000-4000-8000-000000000000"), "ERR UNKNOWN", "unknown id")
t.eq(a.cmd1("GET TRACKING nonsense"), "ERR UNKNOWN", "malformed id")

# another connection with tracking on cannot read this connection's ids
b = Conn(P)
b.login("monpri", "pripass")
t.eq(b.cmd1("SET TRACKING ON"), "OK", "second client: SET TRACKING ON")
t.eq(b.cmd1("GET TRACKING " + sid), "ERR UNKNOWN", "another connection cannot see the id [nutsec]")
b.close()
c = Conn(P)
t.eq(c.cmd1("GET TRACKING " + sid), "ERR FEATURE-NOT-CONFIGURED", "anonymous client without tracking")
c.close()

# a driver command that succeeds: driver.reload (advertised by the driver core)
cmds = a.cmd("LIST CMD dummy")
if "CMD dummy driver.reload" in cmds:
    r = a.cmd1("INSTCMD dummy driver.reload")
    t.ok(UUID.match(r) is not None, "tracked INSTCMD driver.reload", r)
    t.eq(final(a, r[12:]), "SUCCESS", "driver.reload result: SUCCESS")
else:
    t.skip("tracked INSTCMD driver.reload", "driver does not advertise driver.reload")

t.eq(a.cmd1("SET TRACKING OFF"), "OK", "SET TRACKING OFF")
t.eq(a.cmd1("INSTCMD dummy load.off"), "OK", "after OFF: plain OK")
t.eq(a.cmd1("GET TRACKING " + sid), "ERR FEATURE-NOT-CONFIGURED", "after OFF: GET TRACKING <id> not configured")
EOF
tap_done
