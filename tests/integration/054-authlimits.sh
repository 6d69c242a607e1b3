#!/bin/sh
# nutsec tests - 054-authlimits: password guessing against upsd (issue 13).
#  - timing: after a failure, the reply to the right password of a user who
#    lacks the permission (ERR ACCESS-DENIED) comes no sooner than the one
#    to a wrong password, so "no answer within 150 ms" is no oracle;
#  - lockout: after 10 failures from an address, the right password is
#    refused from there (unchecked), while another address logs in at once;
#  - slots: connections that send a bad login and hang up do not keep their
#    MAXCONN slot while their reply is held: honest clients are served;
#  - the log: a few lines per guessing address, not one per guess;
#  - LIST_CLIENT_ACCESS primary / user restricts LIST CLIENT.
# Each part uses its own source address (127.0.0.N): the limits are per
# address.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
write_upsd_conf "MAXCONN 16"
start_all

SEC_USER=$SEC_USER SEC_PASS=$SEC_PASS VIEW_USER=$VIEW_USER VIEW_PASS=$VIEW_PASS tap_py authlimits <<'EOF'
import os, socket, threading, time
from nutclient import Conn, Tap
t = Tap()
P = os.environ["NUT_PORT"]
SU, SP = os.environ["SEC_USER"], os.environ["SEC_PASS"]
VU, VP = os.environ["VIEW_USER"], os.environ["VIEW_PASS"]

def attempt(src, user, pw, cmd="LOGIN dummy"):
    """(reply, seconds) of cmd after USERNAME/PASSWORD, from src."""
    c = Conn(P, timeout=10, source=src)
    c.login(user, pw)
    t0 = time.monotonic()
    r = c.cmd1(cmd, timeout=10)
    dt = time.monotonic() - t0
    c.close()
    return r, dt

# ---- timing: the verdict is not observable
src = "127.0.0.2"
guesses = ["guess1", "guess2", VP, "guess4"]
res = [attempt(src, VU, g) for g in guesses]
t.ok(all(r == "ERR ACCESS-DENIED" for r, dt in res), "every guess for a user without LOGIN "
     "permission is ERR ACCESS-DENIED (the right password too)", res)
fast = [g for g, (r, dt) in zip(guesses, res) if dt < 0.15]
t.ok(VP not in fast, "the right password is not told apart by a fast reply", res)
t.ok(res[2][1] >= min(res[1][1], res[3][1]) - 0.05,
     "after a failure, the right password's reply is held like the wrong ones'", res)
r, dt = attempt(src, SU, SP)
t.ok(r == "OK" and dt >= 0.15, "a successful LOGIN from that address is held too", (r, dt))

# ---- lockout: 10 failures, then the right password is refused unchecked
src = "127.0.0.4"
out = []
def bad(i):
    out.append(attempt(src, SU, "wrong%d" % i))
th = [threading.Thread(target=bad, args=(i,)) for i in range(10)]
for x in th:
    x.start()
for x in th:
    x.join()
t.ok(len(out) == 10 and all(r == "ERR ACCESS-DENIED" for r, dt in out),
     "10 wrong passwords from one address refused", out)
r, dt = attempt(src, SU, SP)
t.eq(r, "ERR ACCESS-DENIED", "locked out: the right password is refused from that address")
r, dt = attempt("127.0.0.5", SU, SP)
t.ok(r == "OK" and dt < 0.15, "another address logs in at once", (r, dt))

# ---- slots: bad logins that hang up free their slot at once (MAXCONN 16)
src = "127.0.0.6"
attempt(src, SU, "wrong")          # the address is now under backoff
stop = time.monotonic() + 3
def flood():
    while time.monotonic() < stop:
        try:
            s = socket.create_connection(("127.0.0.1", int(P)), timeout=2,
                                         source_address=(src, 0))
            s.sendall(("USERNAME %s\nPASSWORD wrong\nLOGIN dummy\n" % SU).encode())
            time.sleep(0.01)
            s.close()
        except OSError:
            pass
        time.sleep(0.01)
fl = [threading.Thread(target=flood) for i in range(2)]
for x in fl:
    x.start()
time.sleep(0.5)
served = tried = 0
while time.monotonic() < stop:
    tried += 1
    try:
        c = Conn(P, timeout=3, source="127.0.0.7")
        if c.cmd1("GET VAR dummy ups.status") == 'VAR dummy ups.status "OL"':
            served += 1
        c.close()
    except OSError:
        pass
    time.sleep(0.1)
for x in fl:
    x.join()
t.ok(tried >= 10 and served >= 0.9 * tried,
     "hung-up bad logins hold no slot: honest clients served", "%d of %d" % (served, tried))
EOF
n=$(grep -c '127\.0\.0\.4' "$T/upsd.log")
if [ "$n" -le 3 ]; then
	tap_ok "10 failures from one address: $n log lines (summarized)"
else
	tap_fail "10 failures from one address: $n log lines (summarized: at most 3)"
	tap_diag "$(grep '127\.0\.0\.4' "$T/upsd.log" | head -n 12)"
fi
tap_like "the lockout is logged" "$(cat "$T/upsd.log")" '127\.0\.0\.4: .*locked out'

# ---------------------------------------------------------------- LIST CLIENT
# LIST_CLIENT_ACCESS (reloaded with SIGHUP): who may see the addresses
# logged in (NUT, and the default: anyone; 010-commands checks that)
reload_upsd "MAXCONN 16" "LIST_CLIENT_ACCESS primary"
PRI_USER=$PRI_USER PRI_PASS=$PRI_PASS SEC_USER=$SEC_USER SEC_PASS=$SEC_PASS \
VIEW_USER=$VIEW_USER VIEW_PASS=$VIEW_PASS tap_py listclient <<'EOF'
import os
from nutclient import Conn, Tap
t = Tap()
P = os.environ["NUT_PORT"]
E = os.environ
mon = Conn(P, source="127.0.0.30")
mon.login(E["SEC_USER"], E["SEC_PASS"])
t.eq(mon.cmd1("LOGIN dummy"), "OK", "a secondary logs in")
def lc(src, user=None, pw=None):
    c = Conn(P, source=src)
    if user:
        c.login(user, pw)
    r = c.cmd("LIST CLIENT dummy")
    c.close()
    return r
t.eq(lc("127.0.0.31"), ["ERR USERNAME-REQUIRED"], "LIST_CLIENT_ACCESS primary: anonymous LIST CLIENT refused")
t.eq(lc("127.0.0.32", E["SEC_USER"], E["SEC_PASS"]), ["ERR ACCESS-DENIED"],
     "LIST_CLIENT_ACCESS primary: a secondary is refused")
t.eq(lc("127.0.0.33", E["PRI_USER"], "wrong"), ["ERR ACCESS-DENIED"],
     "LIST_CLIENT_ACCESS primary: a wrong password is refused")
t.eq(lc("127.0.0.34", E["PRI_USER"], E["PRI_PASS"]),
     ["BEGIN LIST CLIENT dummy", "CLIENT dummy 127.0.0.30", "END LIST CLIENT dummy"],
     "LIST_CLIENT_ACCESS primary: a primary gets the list")
mon.close()
EOF
reload_upsd "MAXCONN 16" "LIST_CLIENT_ACCESS user"
VIEW_USER=$VIEW_USER VIEW_PASS=$VIEW_PASS tap_py listclient-user <<'EOF'
import os
from nutclient import Conn, Tap
t = Tap()
P = os.environ["NUT_PORT"]
c = Conn(P, source="127.0.0.35")
t.eq(c.cmd1("LIST CLIENT dummy"), "ERR USERNAME-REQUIRED", "LIST_CLIENT_ACCESS user: anonymous refused")
c.close()
c = Conn(P, source="127.0.0.36")
c.login(os.environ["VIEW_USER"], os.environ["VIEW_PASS"])
t.eq(c.cmd1("LIST CLIENT dummy"), "BEGIN LIST CLIENT dummy", "LIST_CLIENT_ACCESS user: any user with its password")
c.close()
EOF
tap_done
