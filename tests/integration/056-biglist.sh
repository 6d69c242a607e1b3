#!/bin/sh
# nutsec tests - 056-biglist: listings bigger than the per-client output cap,
# and the bound on a driver's data in upsd (issue 13).
#  - a driver (drvpeer.py) publishes 2800 variables of 255 bytes with many
#    quotes: LIST VAR is about 1.2 MB, over the 1 MiB cap of unsent output,
#    and must reach the client whole (it is sent as the client reads), in
#    order, while other clients are served; a slow reader gets it whole too;
#  - 2000 more such variables take the driver's data past 1 MiB: they are
#    refused with a log line naming the limit, and LIST VAR stays whole;
#  - a listing ends while the driver keeps adding names that sort after its
#    cursor (it goes as far as the last name there was when it began).
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
nut_setup
start_upsd || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
export STATE

tap_py biglist <<'EOF'
import os, socket, threading, time
from nutclient import Conn, Tap
from drvpeer import DrvPeer
t = Tap()
P = os.environ["NUT_PORT"]
SOCK = os.path.join(os.environ["STATE"], "dummy-ups-dummy")
VAL = ('q"\\' * 60 + "v" * 255)[:255]          # 120 bytes to escape
ESC = VAL.replace("\\", "\\\\").replace('"', '\\"')
N = 2800
names = ["big.var%04d" % i for i in range(N)]
dump = ['SETINFO ups.status "OL"'] + ['SETINFO %s "%s"' % (n, ESC) for n in names]
peer = DrvPeer(SOCK, dump)
want = ["BEGIN LIST VAR dummy"] + ['VAR dummy %s "%s"' % (n, ESC) for n in names] + \
       ['VAR dummy ups.status "OL"', "END LIST VAR dummy"]
size = sum(len(l) + 1 for l in want)
c = Conn(P, timeout=10)
for i in range(150):
    if c.cmd1("GET VAR dummy big.var%04d" % (N - 1)).startswith("VAR "):
        break
    time.sleep(0.1)
got = c.cmd("LIST VAR dummy", timeout=20)
t.ok(size > 1024 * 1024, "the listing is over 1 MiB", size)
t.ok(got == want, "LIST VAR of %d bytes arrives whole and in order" % size,
     "%d lines, first differing: %s" % (len(got), next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), None)))
t.eq(c.cmd1("NETVER"), "1.3", "the connection goes on after the big listing")
# pipelined behind a big listing: answered in order
c.send("LIST VAR dummy\nNETVER\n")
r1 = c.reply(timeout=20)
r2 = c.reply(timeout=20)
t.ok(r1 == want and r2 == ["1.3"], "a request pipelined behind it is answered after it, in order")
# a slow reader: small receive buffer, reads in small pieces while another client is served
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
s.connect(("127.0.0.1", int(P)))
s.sendall(b"LIST VAR dummy\n")
other = Conn(P)
buf, served, t0 = b"", 0, time.monotonic()
s.settimeout(10)
while not buf.endswith(b"END LIST VAR dummy\n") and time.monotonic() - t0 < 60:
    d = s.recv(16384)
    if not d:
        break
    buf += d
    if len(buf) // 200000 > served:
        served += 1 if other.cmd1("GET VAR dummy ups.status") == 'VAR dummy ups.status "OL"' else 0
        time.sleep(0.05)
t.ok(buf.decode("latin-1").split("\n")[:-1] == want, "a slow reader gets the whole listing", len(buf))
t.ok(served >= 4, "other clients are served while it reads", served)
s.close()

# past the driver's budget
more = ["more.var%04d" % i for i in range(2000)]
peer.broadcast(*['SETINFO %s "%s"' % (n, ESC) for n in more])
time.sleep(2)
t.ok(c.cmd1("GET VAR dummy more.var1999") == "ERR VAR-NOT-SUPPORTED",
     "variables past the driver's 1 MiB are refused", c.cmd1("GET VAR dummy more.var1999"))
t.ok(c.cmd1("GET VAR dummy more.var0000").startswith("VAR "), "those within it are kept")
got = c.cmd("LIST VAR dummy", timeout=20)
t.ok(got[0] == "BEGIN LIST VAR dummy" and got[-1] == "END LIST VAR dummy" and len(got) > N + 2,
     "LIST VAR still whole", len(got))

# A driver that keeps adding names sorting after the listing's cursor (and
# drops old ones to stay within its budget) must not keep it from ending:
# a listing goes as far as the last name there was when it began.
peer.broadcast(*["DELINFO %s" % n for n in names + more])
stop = []
def churn():
    k = 0
    while not stop:
        lines = []
        for _ in range(50):
            lines.append('SETINFO zz.%09d "%s"' % (k, "v" * 200))
            if k >= 1000:
                lines.append("DELINFO zz.%09d" % (k - 1000))
            k += 1
        peer.broadcast(*lines)
        time.sleep(0.005)
th = threading.Thread(target=churn, daemon=True)
th.start()
time.sleep(2)
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(("127.0.0.1", int(P)))
s.sendall(b"LIST VAR dummy\n")
s.settimeout(10)
buf, t0 = b"", time.monotonic()
while b"END LIST VAR dummy\n" not in buf and time.monotonic() - t0 < 40:
    d = s.recv(4096)
    if not d:
        break
    buf += d
    time.sleep(0.05)
stop.append(1)
th.join()
s.close()
t.ok(b"END LIST VAR dummy\n" in buf, "a listing ends while the driver keeps adding names after it",
     "%d lines in %.0f s" % (buf.count(b"\n"), time.monotonic() - t0))
EOF
if grep -q "the driver's data would exceed 1048576 bytes" "$T/upsd.log"; then
	tap_ok "the driver's limit is logged"
else
	tap_fail "the driver's limit is logged"
fi
if grep -q 'more than .* bytes of replies unsent' "$T/upsd.log"; then
	tap_fail "no client was dropped for its output"
else
	tap_ok "no client was dropped for its output"
fi
tap_done
