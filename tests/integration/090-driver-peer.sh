#!/bin/sh
# nutsec tests - 090-driver-peer: upsd against a scripted driver-socket peer
# (drvpeer.py), for what dummy-ups cannot publish: ENUM/RANGE lists and
# INVALID-VALUE, TYPE with ENUM/RANGE, every tracking result code, live
# SETINFO/DELINFO/ADDCMD/DELCMD/ADDENUM/DELENUM, DATASTALE/DATAOK, an INSTCMD
# parameter with a space (quoted to the driver, NUT bug 6), the driver going
# away, and a hostile driver (huge line, flood) that must not hurt clients.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
nut_setup
start_upsd || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
export STATE UPSD_PID

tap_py driver-peer <<'EOF'
import os, re, time
from nutclient import Conn, Tap
from drvpeer import DrvPeer, nut_split
t = Tap()
P = os.environ["NUT_PORT"]
SOCK = os.path.join(os.environ["STATE"], "dummy-ups-dummy")
dump = [
    'SETINFO ups.status "OL"',
    'SETFLAGS ups.status STRING', 'SETAUX ups.status 32',
    'SETINFO ups.beeper.status "enabled"',
    'ADDENUM ups.beeper.status "enabled"', 'ADDENUM ups.beeper.status "disabled"',
    'ADDENUM ups.beeper.status "muted"',
    'SETAUX ups.beeper.status 16', 'SETFLAGS ups.beeper.status RW STRING',
    'SETINFO input.transfer.high "260"',
    'ADDRANGE input.transfer.high 250 270', 'ADDRANGE input.transfer.high 280 290',
    'SETFLAGS input.transfer.high RW NUMBER',
    r'SETINFO ups.quote "a \"q\" \\ b"',
    'SETFLAGS ups.quote RW STRING', 'SETAUX ups.quote 32',
    'SETINFO battery.charge "99"',
    r'SETINFO ups.test.enum "a\"b"', r'ADDENUM ups.test.enum "a\"b"', r'ADDENUM ups.test.enum "c\#d"',
    'SETFLAGS ups.test.enum RW STRING', 'SETAUX ups.test.enum 16',
    'ADDCMD beeper.enable', 'ADDCMD test.fail', 'ADDCMD test.bad', 'ADDCMD test.unknown', 'ADDCMD Alpha.Cmd',
]
peer = DrvPeer(SOCK, dump)
peer.codes.update({"test.fail": 3, "test.bad": 2, "test.unknown": 1, "beeper.enable": 0})

def until(f, want, tries=100):
    r = None
    for i in range(tries):
        r = f()
        if r == want:
            return r
        time.sleep(0.1)
    return r

c = Conn(P)
t.eq(until(lambda: c.cmd1("GET VAR dummy ups.status"), 'VAR dummy ups.status "OL"'), 'VAR dummy ups.status "OL"',
     "upsd connects to the peer and loads its dump")
t.ok(peer.wait_received(lambda l: l.strip().upper() == "DUMPALL") is not None, "upsd sent DUMPALL")
t.eq(c.cmd("LIST ENUM dummy ups.beeper.status"),
     ["BEGIN LIST ENUM dummy ups.beeper.status", 'ENUM dummy ups.beeper.status "enabled"',
      'ENUM dummy ups.beeper.status "disabled"', 'ENUM dummy ups.beeper.status "muted"',
      "END LIST ENUM dummy ups.beeper.status"], "LIST ENUM in insertion order")
t.eq(c.cmd("LIST RANGE dummy input.transfer.high"),
     ["BEGIN LIST RANGE dummy input.transfer.high", 'RANGE dummy input.transfer.high "250" "270"',
      'RANGE dummy input.transfer.high "280" "290"', "END LIST RANGE dummy input.transfer.high"], "LIST RANGE")
t.eq(c.cmd1("GET TYPE dummy ups.beeper.status"), "TYPE dummy ups.beeper.status RW ENUM STRING:16", "TYPE with ENUM")
t.eq(c.cmd1("GET TYPE dummy input.transfer.high"), "TYPE dummy input.transfer.high RW RANGE NUMBER", "TYPE with RANGE")
t.eq(c.cmd1("GET TYPE dummy battery.charge"), "TYPE dummy battery.charge NUMBER", "no flags: NUMBER")
t.eq(c.cmd1("GET TYPE dummy ups.status"), "TYPE dummy ups.status STRING:32", "STRING without RW")
t.eq(c.cmd1("GET VAR dummy ups.quote"), r'VAR dummy ups.quote "a \"q\" \\ b"', "escaped dump value kept")
lc = c.cmd("LIST CMD dummy")
t.eq(lc[1:-1], ["CMD dummy Alpha.Cmd", "CMD dummy beeper.enable", "CMD dummy test.bad", "CMD dummy test.fail",
                "CMD dummy test.unknown"], "LIST CMD sorted case-insensitively")

a = Conn(P)
a.login("admin", "adminpass")
t.eq(a.cmd1("SET VAR dummy ups.status OB"), "ERR READONLY", "READONLY (no RW flag)")
t.eq(a.cmd1("SET VAR dummy battery.charge 5"), "ERR READONLY", "READONLY (no flags)")
t.eq(a.cmd1("SET VAR dummy ups.beeper.status loud"), "ERR INVALID-VALUE", "value not in the ENUM list")
t.eq(a.cmd1("SET VAR dummy ups.beeper.status Enabled"), "ERR INVALID-VALUE", "ENUM match is case-sensitive")
t.eq(a.cmd1("SET VAR dummy ups.beeper.status " + "m" * 17), "ERR TOO-LONG", "TOO-LONG checked before ENUM")
t.eq(a.cmd1("SET VAR dummy ups.beeper.status muted"), "OK", "value in the ENUM list")
t.ok(peer.wait_received(lambda l: nut_split(l)[:3] == ["SET", "ups.beeper.status", "muted"]) is not None,
     "the driver receives SET ups.beeper.status \"muted\"")
for v, want in (("275", "ERR INVALID-VALUE"), ("291", "ERR INVALID-VALUE"), ("249", "ERR INVALID-VALUE"),
                ("250", "OK"), ("270", "OK"), ("285", "OK")):
    t.eq(a.cmd1("SET VAR dummy input.transfer.high " + v), want, "RANGE check: " + v)
t.eq(a.cmd1("SET VAR dummy input.transfer.high abc"), "ERR INVALID-VALUE", "RANGE: junk is not 0 [nutsec]")
t.eq(a.cmd1("SET VAR dummy input.transfer.high 260x"), "ERR INVALID-VALUE", "RANGE: trailing junk [nutsec]")
t.eq(a.cmd1('SET VAR dummy ups.test.enum "a\\"b"'), "OK", "ENUM compared with the raw value [nutsec]")
t.eq(a.cmd1('SET VAR dummy ups.test.enum "c\\#d"'), "OK", "ENUM value with # (raw compare) [nutsec]")
t.eq(a.cmd1('SET VAR dummy ups.test.enum "a\\\\\\"b"'), "ERR INVALID-VALUE", "escaped form is not the value")
t.eq(a.cmd1('SET VAR dummy ups.quote "x \\"y\\" \\\\"'), "OK", "SET with quote and backslash")
got = peer.wait_received(lambda l: l.startswith("SET ups.quote"))
t.ok(got is not None and nut_split(got)[:3] == ["SET", "ups.quote", 'x "y" \\'], "forwarded escaped and quoted", got)

# tracking result codes
t.eq(a.cmd1("SET TRACKING ON"), "OK", "tracking on")
def result(line):
    r = a.cmd1(line)
    if not r.startswith("OK TRACKING "):
        return r
    tid = r[12:]
    s = "PENDING"
    for i in range(100):
        s = a.cmd1("GET TRACKING " + tid)
        if s != "PENDING":
            break
        time.sleep(0.05)
    return s
for cmd, want in (("beeper.enable", "SUCCESS"), ("test.unknown", "ERR UNKNOWN"), ("test.bad", "ERR INVALID-ARGUMENT"),
                  ("test.fail", "ERR FAILED")):
    t.eq(result("INSTCMD dummy " + cmd), want, "tracking code -> " + want)
peer.codes["ups.beeper.status"] = 4
t.eq(result("SET VAR dummy ups.beeper.status disabled"), "ERR INVALID-ARGUMENT", "tracking code 4 -> ERR INVALID-ARGUMENT")
# INSTCMD parameter with a space reaches the driver as one argument
r = a.cmd1('INSTCMD dummy beeper.enable "two words"')
t.ok(r.startswith("OK"), "INSTCMD with a quoted parameter", r)
got = peer.wait_received(lambda l: "two" in l)
w = nut_split(got or "")
t.ok(w[:3] == ["INSTCMD", "beeper.enable", "two words"], "parameter with a space arrives as one argument (NUT bug 6)", got)
a.cmd1("SET TRACKING OFF")

# live messages
peer.broadcast('SETINFO ups.status "OB LB"')
t.eq(until(lambda: c.cmd1("GET VAR dummy ups.status"), 'VAR dummy ups.status "OB LB"'), 'VAR dummy ups.status "OB LB"', "live SETINFO")
peer.broadcast(r'SETINFO ups.quote "live \"q\""')
t.eq(until(lambda: c.cmd1("GET VAR dummy ups.quote"), r'VAR dummy ups.quote "live \"q\""'), r'VAR dummy ups.quote "live \"q\""',
     "live SETINFO with escapes")
peer.broadcast("DELINFO ups.quote")
t.eq(until(lambda: c.cmd1("GET VAR dummy ups.quote"), "ERR VAR-NOT-SUPPORTED"), "ERR VAR-NOT-SUPPORTED", "DELINFO")
peer.broadcast("ADDCMD new.cmd")
t.ok(until(lambda: "CMD dummy new.cmd" in c.cmd("LIST CMD dummy"), True) is True, "live ADDCMD")
peer.broadcast("DELCMD new.cmd")
t.ok(until(lambda: "CMD dummy new.cmd" in c.cmd("LIST CMD dummy"), False) is False, "live DELCMD")
peer.broadcast('ADDENUM ups.beeper.status "quiet"')
t.ok(until(lambda: 'ENUM dummy ups.beeper.status "quiet"' in c.cmd("LIST ENUM dummy ups.beeper.status"), True) is True, "live ADDENUM")
t.eq(a.cmd1("SET VAR dummy ups.beeper.status quiet"), "OK", "new enum value accepted")
peer.broadcast('DELENUM ups.beeper.status "quiet"')
t.ok(until(lambda: 'ENUM dummy ups.beeper.status "quiet"' in c.cmd("LIST ENUM dummy ups.beeper.status"), False) is False, "live DELENUM")
peer.broadcast("DATASTALE")
t.eq(until(lambda: c.cmd1("GET VAR dummy ups.status"), "ERR DATA-STALE"), "ERR DATA-STALE", "driver DATASTALE -> ERR DATA-STALE")
peer.broadcast("DATAOK")
t.eq(until(lambda: c.cmd1("GET VAR dummy ups.status"), 'VAR dummy ups.status "OB LB"'), 'VAR dummy ups.status "OB LB"', "DATAOK -> served")

# hostile driver: a 1 MiB line without LF, a flood of variables, garbage
peer.send_raw(b"SETINFO x.y \"" + b"A" * (1 << 20))
t.eq(c.cmd1("NETVER"), "1.3", "clients served while the driver sends a 1 MiB line")
peer.send_raw(b"\n" + b"".join(b'SETINFO flood.v%d "%d"\n' % (i, i) for i in range(5000)))
peer.send_raw(bytes(range(256)) * 20 + b"\n")
t.eq(c.cmd1("NETVER"), "1.3", "clients served after a variable flood and garbage")
os.kill(int(os.environ["UPSD_PID"]), 0)
t.ok(True, "upsd alive after a hostile driver")

# the driver goes away and comes back
peer.drop_clients()
peer.close()
t.eq(until(lambda: c.cmd1("GET VAR dummy ups.status"), "ERR DRIVER-NOT-CONNECTED"), "ERR DRIVER-NOT-CONNECTED",
     "peer gone: DRIVER-NOT-CONNECTED")
peer = DrvPeer(SOCK, dump)
t.eq(until(lambda: c.cmd1("GET VAR dummy ups.status"), 'VAR dummy ups.status "OL"', 150), 'VAR dummy ups.status "OL"',
     "peer back: upsd reconnects and reloads the dump")
t.eq(c.cmd1("GET VAR dummy flood.v1"), "ERR VAR-NOT-SUPPORTED", "old tree discarded on reconnect")
peer.close()
EOF
tap_done
