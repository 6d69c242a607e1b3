#!/bin/sh
# nutsec tests - 120-pynut: Debian's python3 PyNUT client against our upsd,
# every call's result compared with the same call against NUT's upsd (both
# stacks run NUT's dummy-ups on the same data).
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop/lib.sh"

require_exe "NUT upsd" "$NUT_UPSD"
require_exe "NUT dummy-ups" "$NUT_DUMMY"
if ! "$PY" -c 'import PyNUT' 2>/dev/null; then
	echo "1..0 # SKIP python3 PyNUT (python3-nut) not installed"
	exit 0
fi
need_exe upsd "$UPSD"
nut_setup
[ -r /usr/share/nut/cmdvartab ] && export NUT_DATAPATH=/usr/share/nut
stack_start ours "$UPSD" "$NUT_DUMMY" || tap_bail "our upsd did not start: $(tail -n 5 "$T/ours-upsd.log")"
stack_start ref "$NUT_UPSD" "$NUT_DUMMY" || tap_bail "NUT upsd did not start"
export ours_PORT ref_PORT

tap_py pynut <<'EOF'
import os, time
import PyNUT
from nutclient import Tap
t = Tap()
ports = {"ours": int(os.environ["ours_PORT"]), "ref": int(os.environ["ref_PORT"])}

def call(name, f):
    out = {}
    for k, p in ports.items():
        try:
            out[k] = ("ok", f(p))
        except Exception as e:
            out[k] = ("error", "%s: %s" % (e.__class__.__name__, e))
    return out

def same(desc, f, want_ok=True):
    r = call(desc, f)
    cond = r["ours"] == r["ref"] and (not want_ok or r["ours"][0] == "ok")
    t.ok(cond, desc, "ours: %r\nref:  %r" % (r["ours"], r["ref"]))
    return r["ours"]

def cl(p, login=None, password=None):
    return PyNUT.PyNUTClient(host="127.0.0.1", port=p, login=login, password=password, timeout=5)

def varsnoport(p):
    v = cl(p).GetUPSVars("dummy")
    v.pop(b"driver.parameter.port", None); v.pop("driver.parameter.port", None)
    return v

same("GetUPSList", lambda p: cl(p).GetUPSList())
same("GetUPSVars", varsnoport)
same("GetUPSCommands", lambda p: cl(p).GetUPSCommands("dummy"))
same("GetRWVars", lambda p: {k: v for k, v in cl(p).GetRWVars("dummy").items()})
same("CheckUPSAvailable", lambda p: cl(p).CheckUPSAvailable("dummy") if hasattr(PyNUT.PyNUTClient, "CheckUPSAvailable") else None)
same("ver", lambda p: cl(p).ver().split(b" ")[:4] if isinstance(cl(p).ver(), bytes) else cl(p).ver().split(" ")[:4])
h = cl(ports["ours"]).help()
t.eq(h.decode() if isinstance(h, bytes) else h,
     "Commands: HELP VER PROTVER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS\n",
     "help (2.8.5 text; Debian's 2.8.0 lacks PROTVER)")
same("ListClients (PyNUT 2.8.0 fails the same way on both)", lambda p: cl(p).ListClients("dummy"), want_ok=False)
same("GetUPSVars unknown UPS (error)", lambda p: cl(p).GetUPSVars("nope"), want_ok=False)
same("RunUPSCommand load.off", lambda p: cl(p, "admin", "adminpass").RunUPSCommand("dummy", "load.off"))
same("RunUPSCommand unknown (error)", lambda p: cl(p, "admin", "adminpass").RunUPSCommand("dummy", "no.such"), want_ok=False)
same("RunUPSCommand without right (error)", lambda p: cl(p, "viewer", "viewpass").RunUPSCommand("dummy", "load.off"), want_ok=False)
same("SetRWVar ups.load", lambda p: cl(p, "admin", "adminpass").SetRWVar("dummy", "ups.load", "61"))
same("SetRWVar read-only (error)", lambda p: cl(p, "admin", "adminpass").SetRWVar("dummy", "driver.name", "x"), want_ok=False)
same("SetRWVar wrong password (error)", lambda p: cl(p, "admin", "bad").SetRWVar("dummy", "ups.load", "62"), want_ok=False)
same("FSD by the primary", lambda p: cl(p, "monpri", "pripass").FSD("dummy"))
same("FSD by the secondary (error)", lambda p: cl(p, "monsec", "secpass").FSD("dummy"), want_ok=False)

def settled(p):
    for i in range(60):
        v = cl(p).GetUPSVars("dummy")
        if v.get(b"ups.load", v.get("ups.load")) in (b"61", "61"):
            return v
        time.sleep(0.1)
    return "timeout"
r = call("settled", settled)
t.ok(all(x[0] == "ok" and x[1] != "timeout" for x in r.values()), "SetRWVar reached the driver on both")
same("GetUPSVars after SET and FSD (status has FSD)", varsnoport)
EOF
tap_done
