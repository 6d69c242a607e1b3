#!/bin/sh
# nutsec tests - 130-full-stack: the whole replacement against the whole of
# NUT on the same .dev data: our upsc/upscmd/upsrw -> our upsd -> our
# dummy-ups, versus Debian's clients -> NUT's upsd -> NUT's dummy-ups. What a
# user sees must be the same (driver.* variables, which name the driver's own
# version and parameters, and driver-core commands NUT 2.8.0 lacks aside).
# (Our clients against NUT's upsd: clients-vs-nut.sh.)
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop/lib.sh"

require_exe "NUT upsd" "$NUT_UPSD"
require_exe "NUT dummy-ups" "$NUT_DUMMY"
require_exe "NUT upsc" "$NUT_UPSC"
require_exe "NUT upscmd" "$NUT_UPSCMD"
require_exe "NUT upsrw" "$NUT_UPSRW"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upsc "$UPSC"
need_exe upscmd "$UPSCMD"
need_exe upsrw "$UPSRW"
nut_setup
[ -r /usr/share/nut/cmdvartab ] && export NUT_DATAPATH=/usr/share/nut
stack_start ours "$UPSD" "$DUMMY" || tap_bail "our stack did not start: $(tail -n 5 "$T/ours-upsd.log")"
stack_start ref "$NUT_UPSD" "$NUT_DUMMY" || tap_bail "NUT's stack did not start"
H=127.0.0.1

# cmp_run DESC CMD: @C is the client dir (ours or /bin), @P the port; output
# normalised (port, stack dir, driver.* lines, NUT's SSL notice, our warning
# that credentials go out without TLS, commands only our driver core has).
cmp_run() {
	for _s in ours ref; do
		eval "_p=\$${_s}_PORT"
		if [ $_s = ours ]; then _cd=$(dirname "$UPSC"); else _cd=$(dirname "$NUT_UPSC"); fi
		_c=$(printf '%s' "$2" | sed -e "s/@P/$_p/g" -e "s|@C|$_cd|g")
		( eval "$_c" ) > "$T/$_s.raw" 2>&1
		echo "exit $?" >> "$T/$_s.raw"
		sed -e "s/$_p/PORT/g" -e "s|$T/$_s/|STACK/|g" "$T/$_s.raw" |
			awk 'BEGIN { RS = ""; ORS = "\n\n" } !/^\[driver\./' |
			grep -v -e '^driver\.' -e '^Init SSL without certificate database' \
				-e ': no TLS on this connection: the user name and password go out in clear' \
				-e '^\(driver\|shutdown\)\.[a-z.-]* *- ' -e '^\[driver\.' \
				-e 'TYPE dummy driver\.' > "$T/$_s.out"
	done
	tap_same "$1" "$T/ours.out" "$T/ref.out"
}

cmp_run "upsc -l" '@C/upsc -l $H:@P'
cmp_run "upsc -L" '@C/upsc -L $H:@P'
cmp_run "upsc ups" '@C/upsc dummy@$H:@P'
cmp_run "upsc ups var" '@C/upsc dummy@$H:@P ups.status'
cmp_run "upsc escaped value" '@C/upsc dummy@$H:@P ups.id'
cmp_run "upsc unknown variable" '@C/upsc dummy@$H:@P no.such.var'
cmp_run "upsc unknown UPS" '@C/upsc nope@$H:@P'
cmp_run "upsc -c" '@C/upsc -c dummy@$H:@P'
cmp_run "upscmd -l" '@C/upscmd -l dummy@$H:@P'
cmp_run "upscmd wrong password" '@C/upscmd -u admin -p wrong dummy@$H:@P load.off'
cmp_run "upscmd unknown command" '@C/upscmd -u admin -p adminpass dummy@$H:@P no.such.cmd'
cmp_run "upsrw listing" '@C/upsrw dummy@$H:@P'
cmp_run "upsrw -s" '@C/upsrw -s ups.load=44 -u admin -p adminpass dummy@$H:@P'
cmp_run "upsrw -s -w" '@C/upsrw -w -s battery.charge=50 -u admin -p adminpass dummy@$H:@P'
cmp_run "upsrw -s too long" '@C/upsrw -s ups.mfr=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx -u admin -p adminpass dummy@$H:@P'
cmp_run "upsrw -s read-only" '@C/upsrw -s device.type=x -u admin -p adminpass dummy@$H:@P'
settled() {
	[ "$("$UPSC" dummy@$H:$ours_PORT ups.load 2>/dev/null)" = 44 ] &&
	[ "$("$NUT_UPSC" dummy@$H:$ref_PORT ups.load 2>/dev/null)" = 44 ]
}
if wait_for 100 settled; then tap_ok "SET applied on both stacks"; else tap_fail "SET applied on both stacks"; fi
cmp_run "upsc ups after SETs" '@C/upsc dummy@$H:@P'
tap_done
