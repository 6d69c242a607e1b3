#!/bin/sh
# nutsec tests - 600-demo: the README's quick start cannot rot. tests/demo.sh
# runs against this build tree (NUTSEC_BUILD) on a port of our own
# (NUTSEC_PORT): it must exit 0 and print what each of its sections shows
# (the dummy UPS and upsd; the nutcert site with upsc over verified TLS and
# a client without a certificate refused; upsmon's three processes with
# their privileges and the ONBATT/ONLINE notifications of its recording
# NOTIFYCMD, SHUTDOWNCMD never called; upslog's lines; usbhid-ups --dump on
# a recording), and leave no process and no directory behind. Run again
# with --keep, the stack stays up and answers, and the stop command it
# prints stops it all.
# The demo starts its daemons with their default filter action (kill)
# whatever SANDBOX_ACTION says: a refused system call kills a daemon and
# fails the demo.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

DEMO=$top_srcdir/tests/demo.sh
for p in upsd/upsd drivers/dummy-ups drivers/usbhid/usbhid-ups clients/upsc clients/upslog \
    upsmon/upsmon certtool/nutcert; do
	need_exe "$(basename "$p")" "$top_builddir/$p"
done
require_root "(the demo starts the daemons as root)"
command -v certutil >/dev/null 2>&1 || { echo "1..0 # SKIP certutil not installed"; exit 0; }
ensure_nut_user
T=$(mktemp -d /tmp/nutsec-test.XXXXXX) || tap_bail "mktemp failed"
PORT=$(pick_port)
[ -n "$PORT" ] || tap_bail "no free port"
UPS=dummy@localhost:$PORT

# demo_run OUT [ARGS...]: the demo on this build and port, its output in OUT
demo_run() {
	_o=$1; shift
	NUTSEC_BUILD=$top_builddir NUTSEC_PORT=$PORT sh "$DEMO" "$@" > "$_o" 2>&1
}
# demo_dir OUT: the temporary directory the demo said it uses
demo_dir() { sed -n 's/^nutsec demo: .*, files in \([^ ,]*\), upsd on port .*/\1/p' "$1"; }
# forget DIR: a failed demo keeps its directory for its logs: show them
# here, then remove it
forget() {
	[ -n "$1" ] && [ -d "$1" ] || return 0
	for _f in "$1"/log/*.log; do
		[ -f "$_f" ] || continue
		tap_diag "---- $(basename "$_f") (tail)"
		tap_diag "$(tail -n 10 "$_f")"
	done
	rm -rf "$1"
}
# seen DESC ERE: a line of the demo's output matches ERE (on failure only
# the pattern is shown: the output's tail is shown once, above)
seen() {
	if printf '%s\n' "$OUT" | grep -Eq -- "$2"; then tap_ok "$1"; else
		tap_fail "$1"; tap_diag "no line of the demo's output matches: $2"; fi
}
# after ERE: the line of the demo's output after the first that matches
after() { printf '%s\n' "$OUT" | grep -m1 -A1 -E -- "$1" | sed -n 2p; }
# leftovers DIR: PIDs of processes whose environment names DIR's configuration
leftovers() {
	for _e in /proc/[0-9]*/environ; do
		{ tr '\0' '\n' < "$_e"; } 2>/dev/null | grep -qx "NUT_CONFPATH=$1/etc" &&
			basename "$(dirname "$_e")"
	done
	return 0
}

# ---------------------------------------------------------------- one run
demo_run "$T/demo.out"
rc=$?
tap_is "sh tests/demo.sh exits 0" "$rc" 0
[ "$rc" = 0 ] || tap_diag "$(tail -n 30 "$T/demo.out")"
OUT=$(cat "$T/demo.out")
DIR=$(demo_dir "$T/demo.out")
tap_like "it says where its files are and which port upsd has" "$DIR" "^/tmp/nutsec-demo\."
seen "it takes the programs from the build tree given" \
	"^nutsec demo: programs from $top_builddir, .*upsd on port $PORT\$"

seen "1: the section" "^======== 1\. a dummy UPS and upsd$"
seen "1: upsc lists the UPS" "^\\\$ upsc -l localhost:$PORT$"
seen "1: upsc shows its status" "^   ups\.status: OL CHRG$"
seen "1: upsd runs sandboxed as nut" "^   upsd: sandbox: user nut "
seen "1: upsrw sets a variable" "^   SUCCESS$"
tap_is "1: ... which upsc then reads" "$(after "^\\\$ upsc $UPS ups\.id$")" "   demo"

seen "2: the section" "^======== 2\. TLS"
seen "2: nutcert site makes the site" "^\\\$ nutcert --pki .* site .* > [^ ]*/tls-lines\.txt$"
seen "2: the upsd.conf lines it printed" "^   CERTREQUEST REQUIRE$"
seen "2: the user bound to the client's certificate" "^   	certsubject = \"CN=demo-client\"$"
seen "2: ... and to its CA" "^   	certissuer = \"CN=NUT CA [^\"]*,O=nutcert\"$"
seen "2: upsd -t accepts the TLS configuration" "^   configuration OK$"
tap_is "2: upsc over TLS with the client's database" \
	"$(after "^\\\$ upsc -A [^ ]*/demo-client\.nutauth $UPS > [^ ]*$")" "   battery.charge: 96"
seen "2: upsd saw the client certificate" \
	"^   upsd: 127\.0\.0\.1: TLS established .*client certificate CN=demo-client$"
seen "2: a client without a certificate is refused" \
	"^   Error: .*client certificate"
seen "2: ... and the demo says so" "^   => refused, as CERTREQUEST REQUIRE asks$"

seen "3: the section" "^======== 3\. upsmon as primary"
seen "3: SHUTDOWNCMD is the recording script" "^   SHUTDOWNCMD \"[^\"]*/bin/shutdown-recorder\"$"
seen "3: upsmon logs in as primary" "logged in as primary$"
seen "3: ... over TLS with the bound certificate" \
	"Client monuser@127\.0\.0\.1 logged in to UPS \[dummy\] \(SSL\) with certificate CN=demo-client$"
seen "3: the parent: root, NoNewPrivs, filtered" \
	"^   parent +Uid: 0 +CapEff: [0-9a-f]+ +NoNewPrivs: 1 +Seccomp: 2 +root=/$"
seen "3: the notifier: nut, no capabilities, filtered" \
	"^   notifier +Uid: [1-9][0-9]* +CapEff: 0000000000000000 +NoNewPrivs: 1 +Seccomp: 2 +root=/$"
seen "3: the network child: the same, in its jail" \
	"^   network child +Uid: [1-9][0-9]* +CapEff: 0000000000000000 +NoNewPrivs: 1 +Seccomp: 2 +root=/tmp/nutsec-demo\.[^ ]*/state/upsmon-jail\."
seen "3: ONBATT recorded, NOTIFYCMD run as nut" \
	"^   [0-9:]{8} uid=[1-9][0-9]* ONBATT $UPS: UPS $UPS on battery$"
seen "3: ONLINE recorded" "^   [0-9:]{8} uid=[1-9][0-9]* ONLINE $UPS: UPS $UPS on line power$"
seen "3: SHUTDOWNCMD not called" "^   SHUTDOWNCMD was not called"

seen "4: the section" "^======== 4\. upslog"
tap_is "4: three lines of upslog" \
	"$(printf '%s\n' "$OUT" | grep -cE '^   [0-9:]{8} OL CHRG charge=96 load=23 input=231\.4$')" 3

seen "5: the section" "^======== 5\. usbhid-ups"
seen "5: usbhid-ups --replay --dump" "^\\\$ usbhid-ups --replay [^ ]*/tests/data/hid/[^ ]* --dump > [^ ]*$"
seen "5: the HID fields" "^   UPS\.PowerSummary\.[A-Za-z]+ Feature 0x"
seen "5: the variables" "^   device\.model: CP1500PFCLCD"
seen "5: ... the status" "^   ups\.status: OL$"

seen "the end: everything stopped" "^======== demo done: stopping the daemons"
if [ -n "$DIR" ] && [ ! -e "$DIR" ]; then tap_ok "its directory is removed"; else
	tap_fail "its directory is removed ($DIR)"; forget "$DIR"; fi
left=$(leftovers "$DIR")
tap_is "no daemon of the demo left running" "$left" ""
# shellcheck disable=SC2086 # PIDs
[ -z "$left" ] || PIDS="$PIDS $left"

# ---------------------------------------------------------------- --keep
demo_run "$T/keep.out" --keep
rc=$?
tap_is "--keep: exits 0" "$rc" 0
[ "$rc" = 0 ] || tap_diag "$(tail -n 30 "$T/keep.out")"
KDIR=$(demo_dir "$T/keep.out")
[ "$rc" = 0 ] || forget "$KDIR"
STOP=$(sed -n '/^The daemons. logs are in .* Stop everything with:$/{n;p;}' "$T/keep.out")
KPIDS=$(printf '%s\n' "$STOP" | sed -n 's/^   kill \([0-9 ]*\); rm -rf .*/\1/p')
PIDS="$PIDS $KPIDS"
tap_like "--keep: it prints how to stop everything" "$STOP" "^   kill [0-9 ]+; rm -rf $KDIR\$"
OUT=$(cat "$T/keep.out")
seen "--keep: it prints how to query" \
	"^   upsc -A $KDIR/etc/demo-client\.nutauth $UPS\$"
tap_is "--keep: the stack answers after the demo exited" \
	"$("$UPSC" -A "$KDIR/etc/demo-client.nutauth" "$UPS" ups.status 2>&1)" "OL CHRG"
tap_is "--keep: upsmon, upsd, the driver and upslog are running" \
	"$(leftovers "$KDIR" | wc -l)" 6
sh -c "$STOP"
tap_is "--keep: the printed command succeeds" "$?" 0
gone() { [ -z "$(leftovers "$KDIR")" ]; }
if wait_for 50 gone; then tap_ok "--keep: ... and stops every daemon"; else
	tap_fail "--keep: ... and stops every daemon"; tap_diag "$(leftovers "$KDIR")"; fi
if [ -n "$KDIR" ] && [ ! -e "$KDIR" ]; then tap_ok "--keep: ... and removes the directory"; else
	tap_fail "--keep: ... and removes the directory"; forget "$KDIR"; fi
tap_done
