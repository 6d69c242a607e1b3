#!/bin/sh
# nutsec tests - 020-pipeline: many requests in one write get their replies in
# order; lines split across writes; CRLF; LIST VAR order on a tree with
# mixed-case names.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
start_all

tap_py pipeline <<'EOF'
import os, time
from nutclient import Conn, Tap
t = Tap()
P = os.environ["NUT_PORT"]
reqs = ["NETVER", "GET VAR dummy ups.status", "LIST UPS", "FOO", "GET VAR dummy no.such",
        "LIST CMD dummy", "GET UPSDESC dummy", "GET VAR nope x", "", "GET TYPE dummy battery.charge"]
# the reply each request gets on its own
solo = {}
c = Conn(P)
for r in reqs:
    solo[r] = c.cmd(r)
c.close()
t.ok(all(not v[0].startswith("<") for v in solo.values()), "every request answered alone", solo)

n = 300
seq = [reqs[i % len(reqs)] for i in range(n)]
c = Conn(P, timeout=10)
c.send("".join(r + "\n" for r in seq))
got, bad = 0, None
try:
    for i, r in enumerate(seq):
        rep = c.reply()
        if rep != solo[r]:
            bad = (i, r, rep, solo[r])
            break
        got += 1
except Exception as e:
    bad = ("exception", repr(e))
t.ok(bad is None and got == n, "%d pipelined requests in one write: replies in order" % n, bad)
t.eq(c.cmd1("NETVER"), "1.3", "connection usable after the pipeline")

# one line split over several writes
c.send("GET VA")
time.sleep(0.05)
c.send("R dum")
time.sleep(0.05)
c.send("my ups.status\n")
t.eq(c.reply(), solo["GET VAR dummy ups.status"], "a line split across three writes")
# CRLF line ends in a pipeline
c.send("NETVER\r\nGET VAR dummy ups.status\r\n")
t.eq([c.reply()[0], c.reply()[0]], ["1.3", solo["GET VAR dummy ups.status"][0]], "CRLF pipeline")
# a reply-less line does not exist: every line is answered (empty lines too)
c.send("\n\n\nNETVER\n")
t.eq([c.reply()[0] for _ in range(4)], ["ERR UNKNOWN-COMMAND"] * 3 + ["1.3"], "empty lines each answered")
# pipelined LIST VAR blocks are not interleaved
c.send("LIST VAR dummy\nLIST VAR dummy\nNETVER\n")
a, b, v = c.reply(), c.reply(), c.reply()
t.ok(a == b and a[0] == "BEGIN LIST VAR dummy" and a[-1] == "END LIST VAR dummy" and v == ["1.3"],
     "two pipelined LIST VAR blocks, whole and in order", (a[:2], b[:2], v))
names = [l.split()[2] for l in a[1:-1]]
t.eq(names, sorted(names, key=str.lower), "LIST VAR case-insensitive alphabetical order")
t.ok("Test.Upper" in names and names.index("test.lower") < names.index("Test.Upper") < names.index("ups.id"),
     "mixed-case names sorted ignoring case", names)
# two connections pipelining at once do not mix
c2 = Conn(P, timeout=10)
c.send("LIST VAR dummy\n" * 50)
c2.send("NETVER\n" * 50)
r2 = [c2.reply() for _ in range(50)]
r1 = [c.reply() for _ in range(50)]
t.ok(all(x == ["1.3"] for x in r2) and all(x == a for x in r1), "two pipelining clients, no mixing")
c.close(); c2.close()

# a big pipeline whose replies (~1 KiB each) exceed any output buffer: the
# client reads all the time, so every request must be answered, in order
import socket, threading
for N in (2000, 20000):
    s = socket.create_connection(("127.0.0.1", int(P)))
    s.settimeout(5)
    res = {"ends": 0}
    def rd():
        buf = b""
        try:
            while res["ends"] < N:
                d = s.recv(1 << 20)
                if not d:
                    break
                buf += d
                k = buf.rfind(b"\n") + 1
                block, buf = buf[:k], buf[k:]
                res["ends"] += block.count(b"END LIST VAR dummy\n")
        except OSError:
            pass
    th = threading.Thread(target=rd)
    th.start()
    s.sendall(b"LIST VAR dummy\n" * N)
    th.join(60)
    t.ok(res["ends"] == N, "%d pipelined LIST VAR (~%d KiB of replies), read concurrently: all answered" % (N, N),
         "%d answered, then nothing for 5 s" % res["ends"])
    s.close()
EOF
tap_done
