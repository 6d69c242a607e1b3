#!/bin/sh
# nutsec tests - 170-upslog: our upslog and NUT 2.8's upslog, each against
# our upsd and against NUT's upsd on the same .dev data, write the same
# lines: NUT's default format and a format with every escape (odd ones
# included: unknown, unterminated, lower-case, undotted %VAR%), apart from
# times, the PID and the port.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop/lib.sh"

: "${UPSLOG:=$top_builddir/clients/upslog}"
: "${NUT_UPSLOG:=/bin/upslog}"
require_exe "NUT upsd" "$NUT_UPSD"
require_exe "NUT dummy-ups" "$NUT_DUMMY"
require_exe "NUT upslog" "$NUT_UPSLOG"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
need_exe upslog "$UPSLOG"
nut_setup
stack_start ours "$UPSD" "$DUMMY" || tap_bail "our stack did not start: $(tail -n 5 "$T/ours-upsd.log")"
stack_start ref "$NUT_UPSD" "$NUT_DUMMY" || tap_bail "NUT's stack did not start"

F='%UPSHOST% s=%VAR ups.status% c=%VAR battery.charge% v=%VAR input.voltage% n=%VAR no.such% d=%VAR nodot% e=%VAR% %% p=%PID% h=%HOST% y=%TIME @Y@m% et=%ETIME% b=%BOGUS% [%VAR ups.load%] %hostname% %var ups.mfr% x %unterminated'

# run_log CLIENT STACK NAME [-f FORMAT]: two lines into $T/NAME.log, normalised
run_log() {
	_b=$1; _st=$2; _nm=$3; shift 3
	eval "_port=\$${_st}_PORT"
	"$_b" -F -i 1 -s "dummy@127.0.0.1:$_port" -l "$T/$_nm.log" -p "$T/$_nm.pid" "$@" \
		> "$T/$_nm.out" 2>&1 &
	_lpid=$!
	PIDS="$PIDS $_lpid"
	wait_for 50 test -s "$T/$_nm.log"
	sleep 0.3
	stop_pid "$_lpid"
	head -n 1 "$T/$_nm.log" | sed -e "s/:$_port /:PORT /g" -e "s/p=$_lpid /p=PID /" \
		-e 's/et=[0-9]\{10\} /et=E /' -e 's/^[0-9]\{8\} [0-9]\{6\} /TIME /' > "$T/$_nm.norm"
	[ -s "$T/$_nm.norm" ] || echo "(no line)" > "$T/$_nm.norm"
}

for st in ours ref; do
	run_log "$UPSLOG" $st us-$st-esc -f "$F"
	run_log "$NUT_UPSLOG" $st nut-$st-esc -f "$F"
	tap_same "escapes, $st upsd: our upslog writes NUT's line" "$T/nut-$st-esc.norm" "$T/us-$st-esc.norm"
	run_log "$UPSLOG" $st us-$st-def
	run_log "$NUT_UPSLOG" $st nut-$st-def
	tap_same "default format, $st upsd: our upslog writes NUT's line" "$T/nut-$st-def.norm" "$T/us-$st-def.norm"
done
tap_same "escapes: the same line from either upsd" "$T/us-ref-esc.norm" "$T/us-ours-esc.norm"
tap_like "the line is a real one" "$(cat "$T/us-ours-esc.norm")" "s=OL c=100 .*Nutsec Test x INVALIDunterminated$"

tap_done
