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
if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP needs root (the demo starts the daemons as root)"
	exit 0
fi
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
tap_like "it takes the programs from the build tree given" "$OUT" \
	"^nutsec demo: programs from $top_builddir, .*upsd on port $PORT\$"

tap_like "1: the section" "$OUT" "^======== 1\. a dummy UPS and upsd$"
tap_like "1: upsc lists the UPS" "$OUT" "^\\\$ upsc -l localhost:$PORT$"
tap_like "1: upsc shows its status" "$OUT" "^   ups\.status: OL CHRG$"
tap_like "1: upsd runs sandboxed as nut" "$OUT" "^   upsd: sandbox: user nut "
tap_like "1: upsrw sets a variable" "$OUT" "^   SUCCESS$"
tap_is "1: ... which upsc then reads" "$(after "^\\\$ upsc $UPS ups\.id$")" "   demo"

tap_like "2: the section" "$OUT" "^======== 2\. TLS"
tap_like "2: nutcert site makes the site" "$OUT" "^\\\$ nutcert --pki .* site .* > [^ ]*/tls-lines\.txt$"
tap_like "2: the upsd.conf lines it printed" "$OUT" "^   CERTREQUEST REQUIRE$"
tap_like "2: the user bound to the client's certificate" "$OUT" "^   	certsubject = \"CN=demo-client\"$"
tap_like "2: upsd -t accepts the TLS configuration" "$OUT" "^   configuration OK$"
tap_is "2: upsc over TLS with the client's database" \
	"$(after "^\\\$ upsc -A [^ ]*/demo-client\.nutauth $UPS > [^ ]*$")" "   battery.charge: 96"
tap_like "2: upsd saw the client certificate" "$OUT" \
	"^   upsd: 127\.0\.0\.1: TLS established .*client certificate CN=demo-client$"
tap_like "2: a client without a certificate is refused" "$OUT" \
	"^   Error: .*client certificate"
tap_like "2: ... and the demo says so" "$OUT" "^   => refused, as CERTREQUEST REQUIRE asks$"

tap_like "3: the section" "$OUT" "^======== 3\. upsmon as primary"
tap_like "3: SHUTDOWNCMD is the recording script" "$OUT" "^   SHUTDOWNCMD \"[^\"]*/bin/shutdown-recorder\"$"
tap_like "3: upsmon logs in as primary" "$OUT" "logged in as primary$"
tap_like "3: ... over TLS with the bound certificate" "$OUT" \
	"Client monuser@127\.0\.0\.1 logged in to UPS \[dummy\] \(SSL\) with certificate CN=demo-client$"
tap_like "3: the parent: root, NoNewPrivs, filtered" "$OUT" \
	"^   parent +Uid: 0 +CapEff: [0-9a-f]+ +NoNewPrivs: 1 +Seccomp: 2 +root=/$"
tap_like "3: the notifier: nut, no capabilities, filtered" "$OUT" \
	"^   notifier +Uid: [1-9][0-9]* +CapEff: 0000000000000000 +NoNewPrivs: 1 +Seccomp: 2 +root=/$"
tap_like "3: the network child: the same, in its jail" "$OUT" \
	"^   network child +Uid: [1-9][0-9]* +CapEff: 0000000000000000 +NoNewPrivs: 1 +Seccomp: 2 +root=/tmp/nutsec-demo\.[^ ]*/state/upsmon-jail\."
tap_like "3: ONBATT recorded, NOTIFYCMD run as nut" "$OUT" \
	"^   [0-9:]{8} uid=[1-9][0-9]* ONBATT $UPS: UPS $UPS on battery$"
tap_like "3: ONLINE recorded" "$OUT" "^   [0-9:]{8} uid=[1-9][0-9]* ONLINE $UPS: UPS $UPS on line power$"
tap_like "3: SHUTDOWNCMD not called" "$OUT" "^   SHUTDOWNCMD was not called"

tap_like "4: the section" "$OUT" "^======== 4\. upslog"
tap_is "4: three lines of upslog" \
	"$(printf '%s\n' "$OUT" | grep -cE '^   [0-9:]{8} OL CHRG charge=96 load=23 input=231\.4$')" 3

tap_like "5: the section" "$OUT" "^======== 5\. usbhid-ups"
tap_like "5: usbhid-ups --replay --dump" "$OUT" "^\\\$ usbhid-ups --replay [^ ]*/tests/data/hid/[^ ]* --dump > [^ ]*$"
tap_like "5: the HID fields" "$OUT" "^   UPS\.PowerSummary\.[A-Za-z]+ Feature 0x"
tap_like "5: the variables" "$OUT" "^   device\.model: CP1500PFCLCD"
tap_like "5: ... the status" "$OUT" "^   ups\.status: OL$"

tap_like "the end: everything stopped" "$OUT" "^======== demo done: stopping the daemons"
if [ -n "$DIR" ] && [ ! -e "$DIR" ]; then tap_ok "its directory is removed"; else tap_fail "its directory is removed ($DIR)"; fi
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
STOP=$(sed -n '/^The daemons. logs are in .* Stop everything with:$/{n;p;}' "$T/keep.out")
KPIDS=$(printf '%s\n' "$STOP" | sed -n 's/^   kill \([0-9 ]*\); rm -rf .*/\1/p')
PIDS="$PIDS $KPIDS"
tap_like "--keep: it prints how to stop everything" "$STOP" "^   kill [0-9 ]+; rm -rf $KDIR\$"
tap_like "--keep: it prints how to query" "$(cat "$T/keep.out")" \
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
	tap_fail "--keep: ... and removes the directory"; rm -rf "$KDIR"; fi
tap_done
