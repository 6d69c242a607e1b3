#!/bin/sh
# nutsec tests - 230-tls-capture: the seed's acceptance test. tcpdump on lo
# records whole sessions with our upsd (TLS configured): an OpenSSL peer
# doing STARTTLS, USERNAME, PASSWORD, LOGIN, LIST VAR, and our own upsc and
# upsrw with FORCESSL/CERTVERIFY. In every capture the client's stream is
# "STARTTLS\n" then TLS records, the server's "OK STARTTLS\n" then TLS
# records; no USERNAME, PASSWORD, password text, LOGIN, LIST or variable
# value ever shows in clear. A plaintext session captured the same way
# proves the capture would have seen them.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"
. "$LIBDIR/tlslib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upsc "$UPSC"
tls_require
: "${TCPDUMP:=tcpdump}"
if ! command -v "$TCPDUMP" >/dev/null 2>&1; then
	echo "1..0 # SKIP tcpdump not installed"
	exit 0
fi
nut_setup
tls_pki
start_driver dummy || tap_bail "driver did not start"
tls_upsd_conf ""
tls_restart_upsd || tap_bail "upsd with TLS did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups dummy || tap_bail "ups dummy not ready"

# cap_start NAME: tcpdump on lo for our port into $T/NAME.pcap
cap_start() {
	"$TCPDUMP" -i lo --immediate-mode -U -n -s 0 -Z root -w "$T/$1.pcap" "tcp port $PORT" > "$T/$1.tcpdump.log" 2>&1 &
	CAP_PID=$!
	PIDS="$PIDS $CAP_PID"
	wait_for 100 grep -q "listening on" "$T/$1.tcpdump.log" ||
		tap_bail "tcpdump did not start: $(cat "$T/$1.tcpdump.log")"
}
cap_stop() {
	sleep 0.5	# the last FIN/ACKs
	kill -INT "$CAP_PID" 2>/dev/null
	wait_for 50 sh -c "! kill -0 $CAP_PID 2>/dev/null"
	stop_pid "$CAP_PID"
}

# cap_check NAME MODE(tls|plain) DESC: parse the pcap with tlscap (below)
cap_check() {
	"$PY" - "$T/$1.pcap" "$2" "$3" "$PRI_PASS" "$ADMIN_PASS" > "$T/$1.tap" 2>&1 <<'EOF'
import struct, sys
path, mode, desc, pw1, pw2 = sys.argv[1:6]
data = open(path, "rb").read()
magic = struct.unpack("<I", data[:4])[0]
end = "<" if magic in (0xa1b2c3d4, 0xa1b23c4d) else ">"
linktype = struct.unpack(end + "I", data[20:24])[0]
off = 24
flows = {}	# (src, sport, dst, dport) -> {seq: payload}
order = []
while off + 16 <= len(data):
    _, _, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
    pkt = data[off + 16:off + 16 + incl]
    off += 16 + incl
    if linktype == 1:		# Ethernet
        if struct.unpack(">H", pkt[12:14])[0] != 0x0800:
            continue
        ip = pkt[14:]
    elif linktype == 113:	# Linux cooked
        ip = pkt[16:]
    else:
        ip = pkt
    if ip[0] >> 4 != 4 or ip[9] != 6:
        continue
    ihl = (ip[0] & 15) * 4
    tot = struct.unpack(">H", ip[2:4])[0]
    tcp = ip[ihl:tot]
    sport, dport, seq = struct.unpack(">HHI", tcp[:8])
    doff = (tcp[12] >> 4) * 4
    payload = tcp[doff:]
    key = (ip[12:16], sport, ip[16:20], dport)
    if key not in flows:
        flows[key] = {}
        order.append(key)
    if payload:
        flows[key].setdefault(seq, payload)
def stream(k):
    segs = flows[k]
    return b"".join(segs[s] for s in sorted(segs))
n = 0; failed = 0
def ok(c, d, detail=None):
    global failed
    if c:
        print("ok - " + d)
    else:
        failed += 1
        print("not ok - " + d)
        if detail is not None:
            print("#   %r" % (detail,))
streams = {}
for k in order:
    streams[k] = stream(k)
# client -> server: the flows to the server port (dport), by connection
import os
port = int(os.environ["NUT_PORT"])
conns = [(k, streams[k], streams.get((k[2], k[3], k[0], k[1]), b""))
         for k in order if k[3] == port]
ok(len(conns) > 0, "%s: the capture holds the connection(s)" % desc, len(conns))
secrets = [b"USERNAME", b"PASSWORD", pw1.encode(), pw2.encode(), b"LOGIN",
           b"LIST VAR", b"Nutsec Test", b"Fixture 1000", b"ABC123", b"Rack 1", b"VAR dummy"]
allbytes = b"".join(c + s for _, c, s in conns)
if mode == "plain":
    seen = [x for x in secrets if x in allbytes]
    ok(len(seen) >= 3, "%s: the capture sees plaintext commands and values (control)" % desc, seen)
else:
    for i, (k, c2s, s2c) in enumerate(conns):
        tag = "%s (connection %d)" % (desc, i + 1)
        ok(c2s.startswith(b"STARTTLS\n"), tag + ": client sends STARTTLS in clear first", c2s[:40])
        ok(s2c.startswith(b"OK STARTTLS\n"), tag + ": server answers OK STARTTLS in clear", s2c[:40])
        rest_c, rest_s = c2s[9:], s2c[12:]
        ok(rest_c[:1] == b"\x16" and rest_c[1:2] == b"\x03",
           tag + ": then the client sends a TLS handshake record", rest_c[:8])
        ok(rest_s[:1] == b"\x16" and rest_s[1:2] == b"\x03",
           tag + ": then the server sends a TLS handshake record", rest_s[:8])
        ok(len(rest_c) > 0 and len(rest_s) > 0, tag + ": data flowed after STARTTLS",
           (len(rest_c), len(rest_s)))
    seen = [x for x in secrets if x in allbytes]
    ok(seen == [], "%s: no command, password or variable value in clear" % desc, seen)
    # the certificate is sent encrypted in TLS 1.3: not even the server name shows
    ok(b"nutsec tests" not in allbytes, "%s: certificate data not in clear (TLS 1.3)" % desc)
EOF
	tap_import "$T/$1.tap"
}

# control: a plaintext session is visible to the capture
cap_start plain
nut_req "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" "LOGIN dummy" "LIST VAR dummy" LOGOUT > "$T/plain.out"
cap_stop
tap_like "plaintext session worked" "$(cat "$T/plain.out")" '^VAR dummy ups.mfr "Nutsec Test"$'
NUT_PORT=$PORT cap_check plain plain "plaintext control session"

# the OpenSSL peer: the seed's session
cap_start probe
r=$(tls_probe --ca "$PKI/pem/ca.crt" --name localhost "USERNAME $PRI_USER" "PASSWORD $PRI_PASS" \
	"LOGIN dummy" "LIST VAR dummy" "LOGOUT")
cap_stop
tap_like "TLS session: LOGIN accepted" "$r" "^REPLY OK$"
tap_like "TLS session: LIST VAR inside TLS" "$r" '^REPLY VAR dummy ups.mfr "Nutsec Test"$'
NUT_PORT=$PORT cap_check probe tls "STARTTLS session (OpenSSL peer)"
l=$(grep "logged in to UPS \[dummy\]" "$T/upsd.log" | tail -n 1)
tap_like "upsd log: the login came over TLS" "$l" "Client $PRI_USER@127\.0\.0\.1 logged in to UPS \[dummy\] \(SSL\)"

# our clients
cap_start ours
tls_upsc_conf nocert 1 1
r1=$(tls_upsc "dummy@localhost:$PORT")
r2=$("$UPSRW" -A "$TLS_AUTHFILE" -s ups.status=OL -u "$ADMIN_USER" -p "$ADMIN_PASS" "dummy@localhost:$PORT" 2>&1)
cap_stop
tap_like "our upsc listed the variables" "$r1" "^ups.mfr: Nutsec Test$"
tap_unlike "our upsrw SET worked" "$r2" "[Ee]rror|ERR"
NUT_PORT=$PORT cap_check ours tls "our upsc + upsrw"
tap_done
