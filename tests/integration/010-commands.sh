#!/bin/sh
# nutsec tests - 010-commands: every protocol command of nut-compat §1.4 and
# every error code it can produce, with NUT's reply text and check order.
# Three UPSes: "dummy" (basic.dev, desc), "second" (second.dev, no desc, gets
# the FSD latch), "nodrv" (in ups.conf, no driver running).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
dev_file second.dev "$DATADIR/second.dev"
add_ups second "$CONF/second.dev"
add_ups nodrv "$CONF/nodrv.dev" 'desc = "No \"driver\" here"'
start_driver second || tap_bail "driver second did not start"
start_all
wait_ups second || tap_bail "ups second not ready"

tap_py commands <<'EOF'
import os, re, time
from nutclient import Conn, Tap
t = Tap()
P = os.environ["NUT_PORT"]
ADMIN = ("admin", "adminpass"); PRI = ("monpri", "pripass")
SEC = ("monsec", "secpass"); VIEW = ("viewer", "viewpass")

def conn(user=None, source=None):
    c = Conn(P, source=source)
    if user:
        c.login(*user)
    return c

# Refused authentications count against the address they come from (10
# outstanding lock it out: 054-authlimits); each refusal case below comes
# from an address of its own, so the later successes from 127.0.0.1 work.
refusals = iter("127.0.0.%d" % i for i in range(10, 250))
def refused_conn(user):
    return conn(user, next(refusals))

def q(c, line, want, desc=None):
    t.eq(c.cmd1(line), want, desc or line)

def replies(c, n):
    out = []
    try:
        for i in range(n):
            out.append(c.reply()[0])
    except Exception as e:
        out.append("<%s>" % e.__class__.__name__)
    return out

def qlist(c, line, want, desc=None):
    t.eq(c.cmd(line), want, desc or line)

c = conn()
# --- VER / NETVER / PROTVER / HELP
t.ok(re.match(r"^Network UPS Tools upsd \S+ - \S+$", c.cmd1("VER")) is not None, "VER",
     c.cmd1("VER"))
for cmd in ("VER", "NETVER", "PROTVER", "HELP"):
    q(c, cmd + " x", "ERR INVALID-ARGUMENT")
q(c, "NETVER", "1.3")
q(c, "PROTVER", "1.3")
q(c, "netver", "1.3", "command words are case-insensitive")
q(c, "HELP", "Commands: HELP VER PROTVER GET LIST SET INSTCMD LOGIN LOGOUT USERNAME PASSWORD STARTTLS")
# --- framing oddities
q(c, "FOO", "ERR UNKNOWN-COMMAND", "unknown command")
q(c, "", "ERR UNKNOWN-COMMAND", "empty line")
q(c, "# only a comment", "ERR UNKNOWN-COMMAND", "comment-only line")
q(c, "NETVER # trailing comment", "1.3", "comment after a command")
q(c, "NETVER\r", "1.3", "CRLF is whitespace")
# --- STARTTLS without TLS config; plaintext continues
q(c, "STARTTLS", "ERR FEATURE-NOT-CONFIGURED")
q(c, "NETVER", "1.3", "plaintext continues after refused STARTTLS")

# --- GET
for line in ("GET", "GET VAR", "GET VAR dummy", "GET TYPE dummy", "GET DESC dummy",
             "GET CMDDESC dummy", "GET NUMLOGINS", "GET UPSDESC", "GET FOO dummy x"):
    q(c, line, "ERR INVALID-ARGUMENT")
q(c, "GET VAR dummy ups.status", 'VAR dummy ups.status "OL"')
q(c, "GET VAR DUMMY ups.mfr", 'VAR DUMMY ups.mfr "Nutsec Test"', "UPS name echoed as sent, matched case-insensitively")
q(c, "GET VAR dummy ups.id", r'VAR dummy ups.id "say \"hi\" \\ ok"', "value escaping")
q(c, "GET VAR dummy device.location", 'VAR dummy device.location "Rack 1"')
q(c, "GET VAR nope ups.status", "ERR UNKNOWN-UPS")
q(c, "GET VAR dummy no.such.var", "ERR VAR-NOT-SUPPORTED")
q(c, "GET VAR nodrv ups.status", "ERR DRIVER-NOT-CONNECTED")
q(c, "GET VAR nodrv no.such.var", "ERR DRIVER-NOT-CONNECTED", "availability checked before the variable")
r = c.cmd1("GET VAR nope server.version")
t.ok(re.match(r'^VAR nope server\.version "[^" ]+"$', r) is not None, "server.version ignores the UPS name", r)
ver = r.split('"')[1] if '"' in r else "?"
r = c.cmd1("GET VAR dummy server.info")
t.ok(re.match(r'^VAR dummy server\.info "Network UPS Tools upsd ' + re.escape(ver) + ' - \S+"$', r) is not None,
     "server.info", r)
r = c.cmd1("GET VAR dummy SERVER.VERSION")
t.ok(r.lower() == ('VAR dummy server.version "%s"' % ver).lower(), "server.* matched case-insensitively", r)
q(c, "GET VAR dummy server.foo", "ERR VAR-NOT-SUPPORTED")
q(c, "GET TYPE dummy battery.charge", "TYPE dummy battery.charge RW NUMBER")
q(c, "GET TYPE dummy test.lower", "TYPE dummy test.lower RW STRING:32", "dummy-ups: unknown vars are STRING|RW aux 32")
r = c.cmd1("GET TYPE dummy driver.name")
t.ok(re.match(r"^TYPE dummy driver\.name (STRING:\d+|NUMBER)$", r) is not None, "GET TYPE of a read-only variable", r)
q(c, "GET TYPE dummy no.such.var", "ERR VAR-NOT-SUPPORTED")
q(c, "GET TYPE nope ups.status", "ERR UNKNOWN-UPS")
q(c, "GET TYPE nodrv ups.status", "ERR DRIVER-NOT-CONNECTED")
r = c.cmd1("GET DESC dummy ups.status")
t.ok(re.match(r'^DESC dummy ups\.status "[^"]*"$', r) is not None, "GET DESC", r)
q(c, "GET DESC dummy no.such.var", 'DESC dummy no.such.var "Description unavailable"')
q(c, "GET DESC nope ups.status", "ERR UNKNOWN-UPS")
r = c.cmd1("GET CMDDESC dummy load.off")
t.ok(re.match(r'^CMDDESC dummy load\.off "[^"]*"$', r) is not None, "GET CMDDESC", r)
q(c, "GET CMDDESC dummy no.such.cmd", 'CMDDESC dummy no.such.cmd "Description unavailable"')
q(c, "GET CMDDESC nope load.off", "ERR UNKNOWN-UPS")
q(c, "GET UPSDESC dummy", 'UPSDESC dummy "Test UPS"')
q(c, "GET UPSDESC second", 'UPSDESC second "Unavailable"')
q(c, "GET UPSDESC nodrv", r'UPSDESC nodrv "No \"driver\" here"', "GET UPSDESC (escaped, no availability check)")
q(c, "GET UPSDESC nope", "ERR UNKNOWN-UPS")
q(c, "GET NUMLOGINS dummy", "NUMLOGINS dummy 0")
q(c, "GET NUMLOGINS nope", "ERR UNKNOWN-UPS")
q(c, "GET NUMLOGINS nodrv", "ERR DRIVER-NOT-CONNECTED")
q(c, "GET TRACKING", "OFF")
q(c, "GET TRACKING 12345678-1234-1234-1234-123456789ABC", "ERR FEATURE-NOT-CONFIGURED",
  "GET TRACKING <id> with tracking off")

# --- LIST
for line in ("LIST", "LIST VAR", "LIST RW", "LIST CMD", "LIST CLIENT", "LIST ENUM dummy",
             "LIST RANGE dummy", "LIST FOO dummy", "LIST CLIENTS dummy"):
    q(c, line, "ERR INVALID-ARGUMENT")
qlist(c, "LIST UPS", ["BEGIN LIST UPS", 'UPS dummy "Test UPS"', 'UPS second "Description unavailable"',
                      r'UPS nodrv "No \"driver\" here"', "END LIST UPS"], "LIST UPS (ups.conf order, descriptions escaped)")
lv = c.cmd("LIST VAR dummy")
t.ok(lv[0] == "BEGIN LIST VAR dummy" and lv[-1] == "END LIST VAR dummy", "LIST VAR framing", lv[:1] + lv[-1:])
names = [l.split()[2] for l in lv[1:-1]]
t.ok(all(l.startswith("VAR dummy ") for l in lv[1:-1]), "LIST VAR items", lv)
t.eq(names, sorted(names, key=str.lower), "LIST VAR is in case-insensitive alphabetical order")
t.ok(names.index("test.lower") < names.index("Test.Upper"), "test.lower before Test.Upper", names)
t.ok(r'VAR dummy ups.id "say \"hi\" \\ ok"' in lv, "LIST VAR escapes values", lv)
for want in ('VAR dummy ups.status "OL"', 'VAR dummy battery.charge "100"', 'VAR dummy device.type "ups"',
             'VAR dummy driver.name "dummy-ups"'):
    t.ok(want in lv, "LIST VAR has " + want, lv)
q(c, "LIST VAR nope", "ERR UNKNOWN-UPS")
q(c, "LIST VAR nodrv", "ERR DRIVER-NOT-CONNECTED")
rw = c.cmd("LIST RW dummy")
t.ok(rw[0] == "BEGIN LIST RW dummy" and rw[-1] == "END LIST RW dummy", "LIST RW framing", rw)
t.ok('RW dummy ups.status "OL"' in rw and not any(" driver.name " in l for l in rw), "LIST RW has RW vars only", rw)
rwn = [l.split()[2] for l in rw[1:-1]]
t.eq(rwn, sorted(rwn, key=str.lower), "LIST RW order")
q(c, "LIST RW nope", "ERR UNKNOWN-UPS")
lc = c.cmd("LIST CMD dummy")
t.ok(lc[0] == "BEGIN LIST CMD dummy" and lc[-1] == "END LIST CMD dummy" and "CMD dummy load.off" in lc,
     "LIST CMD", lc)
cn = [l.split()[2] for l in lc[1:-1]]
t.eq(cn, sorted(cn, key=str.lower), "LIST CMD sorted")
q(c, "LIST CMD nope", "ERR UNKNOWN-UPS")
q(c, "LIST CMD nodrv", "ERR DRIVER-NOT-CONNECTED")
qlist(c, "LIST ENUM dummy ups.status", ["BEGIN LIST ENUM dummy ups.status", "END LIST ENUM dummy ups.status"])
q(c, "LIST ENUM dummy no.such.var", "ERR VAR-NOT-SUPPORTED")
q(c, "LIST ENUM nope ups.status", "ERR UNKNOWN-UPS")
qlist(c, "LIST RANGE dummy battery.charge", ["BEGIN LIST RANGE dummy battery.charge",
                                             "END LIST RANGE dummy battery.charge"])
q(c, "LIST RANGE dummy no.such.var", "ERR VAR-NOT-SUPPORTED")
q(c, "LIST RANGE nodrv ups.status", "ERR DRIVER-NOT-CONNECTED")
qlist(c, "LIST CLIENT dummy", ["BEGIN LIST CLIENT dummy", "END LIST CLIENT dummy"])
qlist(c, "LIST CLIENT nodrv", ["BEGIN LIST CLIENT nodrv", "END LIST CLIENT nodrv"],
      "LIST CLIENT has no availability check")
q(c, "LIST CLIENT nope", "ERR UNKNOWN-UPS")

# --- commands that need a user
for line in ("LOGIN dummy", "PRIMARY dummy", "MASTER dummy", "FSD dummy", "SET VAR dummy ups.load 1",
             "SET TRACKING ON", "INSTCMD dummy load.off", "LOGIN", "SET"):
    q(c, line, "ERR USERNAME-REQUIRED", "no user: " + line)
c2 = conn()
q(c2, "USERNAME", "ERR INVALID-ARGUMENT")
q(c2, "USERNAME a b", "ERR INVALID-ARGUMENT")
q(c2, "PASSWORD", "ERR INVALID-ARGUMENT")
q(c2, "USERNAME monsec", "OK")
for line in ("LOGIN dummy", "PRIMARY dummy", "MASTER dummy", "FSD dummy", "SET VAR dummy ups.load 1",
             "INSTCMD dummy load.off"):
    q(c2, line, "ERR PASSWORD-REQUIRED", "no password: " + line)
q(c2, "USERNAME monpri", "ERR ALREADY-SET-USERNAME")
q(c2, "PASSWORD secpass", "OK")
q(c2, "PASSWORD other", "ERR ALREADY-SET-PASSWORD")
c3 = conn()
q(c3, "PASSWORD x", "OK", "PASSWORD before USERNAME")
q(c3, "LOGIN dummy", "ERR USERNAME-REQUIRED", "password without username: USERNAME-REQUIRED")
c3.close()

# --- LOGIN (c2 = monsec)
q(c2, "LOGIN", "ERR INVALID-ARGUMENT")
q(c2, "LOGIN a b", "ERR INVALID-ARGUMENT")
q(c2, "LOGIN nope", "ERR UNKNOWN-UPS")
q(c2, "LOGIN dummy", "OK")
q(c2, "LOGIN dummy", "ERR ALREADY-LOGGED-IN")
q(c2, "LOGIN nope", "ERR ALREADY-LOGGED-IN", "ALREADY-LOGGED-IN is checked before the UPS name")
q(c, "GET NUMLOGINS dummy", "NUMLOGINS dummy 1", "NUMLOGINS counts the login")
q(c, "GET NUMLOGINS DUMMY", "NUMLOGINS DUMMY 1", "NUMLOGINS echoes the name as sent")
d = conn(SEC)
q(d, "LOGIN DUMMY", "OK", "LOGIN with the UPS name in another case")
qlist(c, "LIST CLIENT dummy", ["BEGIN LIST CLIENT dummy", "CLIENT dummy 127.0.0.1", "CLIENT dummy 127.0.0.1",
                               "END LIST CLIENT dummy"], "LIST CLIENT uses the canonical UPS name")
d.close()
for i in range(50):
    if c.cmd1("GET NUMLOGINS dummy") == "NUMLOGINS dummy 1":
        break
    time.sleep(0.1)
qlist(c, "LIST CLIENT dummy", ["BEGIN LIST CLIENT dummy", "CLIENT dummy 127.0.0.1", "END LIST CLIENT dummy"])
for user, desc in (((SEC[0], "wrong"), "wrong password"), (("nosuchuser", "x"), "unknown user"),
                   (VIEW, "user without LOGIN right"), (ADMIN, "admin has no upsmon LOGIN right")):
    d = refused_conn(user)
    q(d, "LOGIN dummy", "ERR ACCESS-DENIED", "LOGIN: " + desc)
    d.close()
d = conn(SEC)
q(d, "LOGIN nodrv", "OK", "LOGIN has no availability check")
qlist(c, "LIST CLIENT nodrv", ["BEGIN LIST CLIENT nodrv", "CLIENT nodrv 127.0.0.1", "END LIST CLIENT nodrv"])
d.close()
c2.close()
ok = False
for i in range(50):
    if c.cmd1("GET NUMLOGINS dummy") == "NUMLOGINS dummy 0":
        ok = True
        break
    time.sleep(0.1)
t.ok(ok, "NUMLOGINS drops when the connection closes")

# --- PRIMARY / MASTER / FSD
p = conn(PRI)
q(p, "PRIMARY", "ERR INVALID-ARGUMENT")
q(p, "PRIMARY nope", "ERR UNKNOWN-UPS")
q(p, "PRIMARY dummy", "OK PRIMARY-GRANTED")
q(p, "MASTER dummy", "OK MASTER-GRANTED")
q(p, "MASTER nope", "ERR UNKNOWN-UPS")
q(p, "PRIMARY nodrv", "OK PRIMARY-GRANTED", "PRIMARY has no availability check")
s = refused_conn(SEC)
q(s, "PRIMARY dummy", "ERR ACCESS-DENIED", "secondary cannot PRIMARY")
q(s, "MASTER dummy", "ERR ACCESS-DENIED", "secondary cannot MASTER")
q(s, "FSD dummy", "ERR ACCESS-DENIED", "secondary cannot FSD")
q(s, "FSD nope", "ERR UNKNOWN-UPS", "FSD: UNKNOWN-UPS before permission")
q(s, "FSD", "ERR INVALID-ARGUMENT")
w = refused_conn((PRI[0], "wrong"))
q(w, "PRIMARY dummy", "ERR ACCESS-DENIED", "PRIMARY with a wrong password")
w.close()
q(p, "FSD second", "OK FSD-SET", "primary sets FSD")
q(c, "GET VAR second ups.status", 'VAR second ups.status "FSD OL"', "FSD latch in GET VAR")
t.ok('VAR second ups.status "FSD OL"' in c.cmd("LIST VAR second"), "FSD latch in LIST VAR")
t.ok('RW second ups.status "OL"' in c.cmd("LIST RW second"), "no FSD prefix in LIST RW")
q(c, "GET VAR dummy ups.status", 'VAR dummy ups.status "OL"', "FSD latch is per UPS")
a = conn(ADMIN)
q(a, "FSD nodrv", "OK FSD-SET", "FSD by an admin with actions=FSD, no availability check")
p.close(); s.close()

# --- SET
for line in ("SET", "SET VAR", "SET VAR dummy", "SET VAR dummy ups.load", "SET FOO dummy x y", "SET TRACKING",
             "SET TRACKING MAYBE"):
    q(a, line, "ERR INVALID-ARGUMENT")
q(a, "SET VAR nope ups.load 1", "ERR UNKNOWN-UPS")
q(a, "SET VAR nodrv ups.load 1", "ERR DRIVER-NOT-CONNECTED")
v = refused_conn(VIEW)
q(v, "SET VAR dummy ups.load 30", "ERR ACCESS-DENIED", "SET without the SET action")
q(v, "SET VAR dummy no.such.var 1", "ERR ACCESS-DENIED", "SET: permission before variable existence")
q(v, "SET VAR nope ups.load 1", "ERR UNKNOWN-UPS", "SET: UNKNOWN-UPS before permission")
q(v, "SET VAR nodrv ups.load 1", "ERR DRIVER-NOT-CONNECTED", "SET: availability before permission")
w = refused_conn((ADMIN[0], "wrong"))
q(w, "SET VAR dummy ups.load 30", "ERR ACCESS-DENIED", "SET with a wrong password")
w.close()
q(a, "SET VAR dummy no.such.var 1", "ERR VAR-NOT-SUPPORTED")
q(a, "SET VAR dummy driver.name x", "ERR READONLY")
q(a, "SET VAR dummy test.lower " + "x" * 33, "ERR TOO-LONG", "33 characters into aux 32")
q(a, "SET VAR dummy test.lower " + "x" * 32, "OK", "32 characters into aux 32")
q(a, 'SET VAR dummy test.lower "a b\\"c\\\\d"', "OK", "SET with spaces, quote and backslash")
want = r'VAR dummy test.lower "a b\"c\\d"'
got = None
for i in range(60):
    got = c.cmd1("GET VAR dummy test.lower")
    if got == want:
        break
    time.sleep(0.1)
t.eq(got, want, "SET value reaches the driver and comes back escaped")
q(a, "SET VAR dummy ups.load 42 extra", "OK", "extra SET arguments are ignored")
q(a, "set var DUMMY UPS.LOAD 43", "OK", "SET: names case-insensitive")
# INVALID-VALUE (ENUM/RANGE): dummy-ups publishes none; see 090-driver-peer.sh
# tracking on with any credentials (documented NUT behaviour)
f = conn(("fake", "fake"))
q(f, "SET TRACKING ON", "OK", "SET TRACKING ON needs only sent credentials")
q(f, "GET TRACKING", "ON")
q(f, "SET TRACKING off", "OK", "SET TRACKING value is case-insensitive")
q(f, "GET TRACKING", "OFF")
f.close()

# --- INSTCMD
q(a, "INSTCMD", "ERR INVALID-ARGUMENT")
q(a, "INSTCMD dummy", "ERR INVALID-ARGUMENT")
q(a, "INSTCMD nope load.off", "ERR UNKNOWN-UPS")
q(a, "INSTCMD nodrv load.off", "ERR DRIVER-NOT-CONNECTED")
q(a, "INSTCMD dummy no.such.cmd", "ERR CMD-NOT-SUPPORTED")
q(v, "INSTCMD dummy no.such.cmd", "ERR CMD-NOT-SUPPORTED", "INSTCMD: existence before permission")
q(v, "INSTCMD dummy load.off", "ERR ACCESS-DENIED", "INSTCMD without instcmds")
q(a, "INSTCMD dummy load.off", "OK")
q(a, "INSTCMD dummy LOAD.OFF", "OK", "INSTCMD name case-insensitive")
q(a, "INSTCMD dummy load.off param", "OK", "INSTCMD with a parameter")
q(a, "INSTCMD dummy driver.exit", "ERR CMD-NOT-SUPPORTED", "driver.exit is not advertised")
v.close()

# --- '#' inside quotes (nutsec: answered, connection continues; NUT: silence)
q(c, 'GET VAR dummy "a#b"', "ERR INVALID-ARGUMENT", "# inside quotes answers INVALID-ARGUMENT [nutsec]")
q(c, "NETVER", "1.3", "connection continues after the parse error")
c.send('GET VAR dummy "a#b"\nNETVER\n')
t.eq(replies(c, 2), ["ERR INVALID-ARGUMENT", "1.3"], "a parse error drops only its line, not the pipeline [nutsec]")
q(c, "GET VAR dummy " + "x" * 600, "ERR INVALID-ARGUMENT", "a word over 512 bytes is an error, not truncated [nutsec]")
q(c, "GET VAR dummy ups.status" + " x" * 40, "ERR INVALID-ARGUMENT", "more than 32 words is an error [nutsec]")
q(c, "GET VAR dummy ups.status" + " x" * 28, 'VAR dummy ups.status "OL"', "32 words are fine")

# --- LOGOUT
q(a, "LOGOUT x", "ERR INVALID-ARGUMENT")
q(a, "LOGOUT", "OK Goodbye")
t.ok(a.closed(), "LOGOUT closes the connection")
g = conn()
g.send("LOGOUT\nNETVER\n")
t.eq(replies(g, 2), ["OK Goodbye", "<Eof>"], "nothing runs after a pipelined LOGOUT [nutsec]")
g.close()
q(c, "LOGOUT", "OK Goodbye", "anonymous LOGOUT")
t.ok(c.closed(), "anonymous LOGOUT closes")
EOF

tap_done
