#!/bin/sh
# The demo stack of the README's quick start: builds nutsec in ./build if
# needed, then runs, on loopback, a dummy UPS (dummy-ups replaying the shipped
# data/dummy-ups.dev) and upsd, and shows the UPS with upsc, upscmd and upsrw.
# Everything lives in a temporary directory; the daemons are stopped at the
# end unless --keep is given (then the commands to use and stop them are
# printed).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build="$top/build"
keep=no
[ "${1:-}" = "--keep" ] && keep=yes

if [ ! -x "$build/upsd/upsd" ]; then
	echo "== building nutsec in $build (log: $build/build.log)"
	[ -x "$top/configure" ] || (cd "$top" && ./autogen.sh >/dev/null 2>&1)
	mkdir -p "$build"
	if ! (cd "$build" && { [ -f Makefile ] || ../configure -q; } && make -s -j"$(nproc)") \
	    >"$build/build.log" 2>&1; then
		tail -30 "$build/build.log"
		echo "build failed"
		exit 1
	fi
fi

port=3493
if ss -ltn 2>/dev/null | grep -q ":$port "; then port=13493; fi

dir=$(mktemp -d /tmp/nutsec-demo.XXXXXX)
mkdir -p "$dir/state"
cp "$top/data/dummy-ups.dev" "$dir/"
cat >"$dir/ups.conf" <<CONF
[dummy]
	driver = dummy-ups
	port = $dir/dummy-ups.dev
	desc = "nutsec demo UPS"
CONF
cat >"$dir/upsd.conf" <<CONF
LISTEN 127.0.0.1 $port
LISTEN ::1 $port
CONF
cat >"$dir/upsd.users" <<CONF
[admin]
	password = demo-secret
	actions = SET FSD
	instcmds = ALL
[monuser]
	password = demo-mon
	upsmon primary
CONF
chmod 640 "$dir"/*.conf "$dir/upsd.users"
if id nut >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
	chown root:nut "$dir"/*.conf "$dir/upsd.users" "$dir/state" "$dir/dummy-ups.dev"
	chmod 0770 "$dir/state"
fi

# NUT_DATAPATH: upsd reads the descriptions (cmdvartab) from the source tree.
export NUT_CONFPATH="$dir" NUT_STATEPATH="$dir/state" NUT_ALTPIDPATH="$dir/state"
export NUT_DATAPATH="$top/data"
stop() {
	[ -f "$dir/state/upsd.pid" ] && kill "$(cat "$dir/state/upsd.pid")" 2>/dev/null || true
	[ -f "$dir/state/dummy-ups-dummy.pid" ] && kill "$(cat "$dir/state/dummy-ups-dummy.pid")" 2>/dev/null || true
}
[ "$keep" = yes ] || trap 'stop; rm -rf "$dir"' EXIT

echo "== starting the dummy-ups driver and upsd (config in $dir, port $port)"
"$build/drivers/dummy-ups" -a dummy -B
"$build/upsd/upsd" -B

i=0
until "$build/clients/upsc" "dummy@127.0.0.1:$port" ups.status >/dev/null 2>&1; do
	i=$((i + 1)); [ $i -lt 50 ] || { echo "upsd did not come up"; exit 1; }
	sleep 0.2
done

echo "== upsc -l 127.0.0.1:$port"
"$build/clients/upsc" -l "127.0.0.1:$port"
echo "== upsc dummy@127.0.0.1:$port"
"$build/clients/upsc" "dummy@127.0.0.1:$port"
echo "== upscmd -l dummy@127.0.0.1:$port"
"$build/clients/upscmd" -l "dummy@127.0.0.1:$port"
echo "== upsrw -s ups.id=demo (as admin, waiting for the driver's answer)"
"$build/clients/upsrw" -s ups.id=demo -u admin -p demo-secret -w "dummy@127.0.0.1:$port"
echo "== upsc dummy@127.0.0.1:$port ups.id"
"$build/clients/upsc" "dummy@127.0.0.1:$port" ups.id

if [ "$keep" = yes ]; then
	cat <<TXT
== the demo stack keeps running. Try:
   $build/clients/upsc dummy@127.0.0.1:$port
Stop it with:
   kill \$(cat $dir/state/upsd.pid) \$(cat $dir/state/dummy-ups-dummy.pid)
TXT
else
	echo "== demo done; stopping the daemons (run with --keep to leave them up)"
fi
