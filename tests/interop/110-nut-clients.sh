#!/bin/sh
# nutsec tests - 110-nut-clients: Debian's NUT upsc/upscmd/upsrw against our
# upsd, outputs (stdout, stderr, exit status) compared with the same commands
# against NUT's upsd. Both stacks run NUT's dummy-ups on the same .dev data,
# so every difference comes from upsd. (This also covers NUT's dummy-ups
# driver under our upsd.)
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop/lib.sh"

require_exe "NUT upsd" "$NUT_UPSD"
require_exe "NUT dummy-ups" "$NUT_DUMMY"
require_exe "NUT upsc" "$NUT_UPSC"
require_exe "NUT upscmd" "$NUT_UPSCMD"
require_exe "NUT upsrw" "$NUT_UPSRW"
need_exe upsd "$UPSD"
nut_setup
# the descriptions NUT's upsd reads from its cmdvartab
[ -r /usr/share/nut/cmdvartab ] && export NUT_DATAPATH=/usr/share/nut
stack_start ours "$UPSD" "$NUT_DUMMY" || tap_bail "our upsd + NUT dummy-ups did not start: $(tail -n 5 "$T/ours-upsd.log")"
stack_start ref "$NUT_UPSD" "$NUT_DUMMY" || tap_bail "NUT upsd + NUT dummy-ups did not start: $(tail -n 5 "$T/ref-upsd.log")"

UPSC=$NUT_UPSC UPSCMD=$NUT_UPSCMD UPSRW=$NUT_UPSRW
H=127.0.0.1

# cmp_run DESC CMD: CMD with @P replaced by each stack's port; compare
# stdout+stderr+status (ports normalised).
cmp_run() {
	for _s in ours ref; do
		eval "_p=\$${_s}_PORT"
		_c=$(printf '%s' "$2" | sed "s/@P/$_p/g")
		( eval "$_c" ) > "$T/$_s.out" 2>&1
		echo "exit $?" >> "$T/$_s.out"
		sed -i -e "s/$_p/PORT/g" -e "s|$T/$_s/|STACK/|g" "$T/$_s.out"
	done
	tap_same "$1" "$T/ours.out" "$T/ref.out"
}

cmp_run "upsc -l" '$UPSC -l $H:@P'
cmp_run "upsc -L" '$UPSC -L $H:@P'
cmp_run "upsc ups (LIST VAR)" '$UPSC dummy@$H:@P'
cmp_run "upsc ups var" '$UPSC dummy@$H:@P ups.status'
cmp_run "upsc ups escaped value" '$UPSC dummy@$H:@P ups.id'
cmp_run "upsc unknown variable" '$UPSC dummy@$H:@P no.such.var'
cmp_run "upsc unknown UPS" '$UPSC nope@$H:@P'
cmp_run "upsc unknown UPS, var" '$UPSC nope@$H:@P ups.status'
cmp_run "upsc -c (no clients)" '$UPSC -c dummy@$H:@P'
cmp_run "upscmd -l" '$UPSCMD -l dummy@$H:@P'
cmp_run "upscmd unknown UPS -l" '$UPSCMD -l nope@$H:@P'
cmp_run "upscmd load.off" '$UPSCMD -u admin -p adminpass dummy@$H:@P load.off'
cmp_run "upscmd wrong password" '$UPSCMD -u admin -p wrong dummy@$H:@P load.off'
cmp_run "upscmd user without instcmds" '$UPSCMD -u viewer -p viewpass dummy@$H:@P load.off'
cmp_run "upscmd unknown command" '$UPSCMD -u admin -p adminpass dummy@$H:@P no.such.cmd'
cmp_run "upscmd -w (tracking)" '$UPSCMD -w -u admin -p adminpass dummy@$H:@P load.off'
cmp_run "upsrw (LIST RW, TYPE, DESC)" '$UPSRW dummy@$H:@P'
cmp_run "upsrw -s" '$UPSRW -s ups.load=33 -u admin -p adminpass dummy@$H:@P'
cmp_run "upsrw -s -w (tracking)" '$UPSRW -w -s ups.load=34 -u admin -p adminpass dummy@$H:@P'
cmp_run "upsrw -s read-only" '$UPSRW -s driver.name=x -u admin -p adminpass dummy@$H:@P'
cmp_run "upsrw -s too long" '$UPSRW -s ups.mfr=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx -u admin -p adminpass dummy@$H:@P'
cmp_run "upsrw -s unknown variable" '$UPSRW -s no.such.var=1 -u admin -p adminpass dummy@$H:@P'
cmp_run "upsrw -s wrong password" '$UPSRW -s ups.load=35 -u admin -p wrong dummy@$H:@P'
cmp_run "upsrw -s value with spaces" '$UPSRW -s "device.location=Row 2" -u admin -p adminpass dummy@$H:@P'

# wait until both stacks show the SETs, then compare the whole tree again
same_load() {
	[ "$($UPSC dummy@$H:$ours_PORT ups.load 2>/dev/null)" = 34 ] &&
	[ "$($UPSC dummy@$H:$ref_PORT ups.load 2>/dev/null)" = 34 ] &&
	[ "$($UPSC dummy@$H:$ours_PORT device.location 2>/dev/null)" = "Row 2" ] &&
	[ "$($UPSC dummy@$H:$ref_PORT device.location 2>/dev/null)" = "Row 2" ]
}
if wait_for 100 same_load; then tap_ok "SETs reached the driver through both servers"; else tap_fail "SETs reached the driver through both servers"; fi
cmp_run "upsc ups after SETs" '$UPSC dummy@$H:@P'
tap_done
