#!/bin/sh
# nutsec tests - 073-usbhid-replay: usbhid-ups on a recorded CyberPower
# CP1500PFCLCD (tests/data/hid) through the replay transport, under upsd:
# the variables upsc shows, matching on vendorid/productid, instant
# commands and SETs becoming the expected SET_REPORTs, interrupt reports
# reaching ups.status without a poll, the sandbox it runs in, -k.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

: "${USBHID:=$top_builddir/drivers/usbhid/usbhid-ups}"
need_exe upsd "$UPSD"
need_exe usbhid-ups "$USBHID"
nut_setup

REC=$T/rec
mkdir -p "$REC"
cp "$DATADIR/hid/cyberpower-cp1500pfclcd/descriptor.hex" \
	"$DATADIR/hid/cyberpower-cp1500pfclcd/reports.txt" "$REC/"
printf '%s\n' "VendorID: 0x0764" "ProductID: 0x0501" "Manufacturer: CPS" \
	"Product: CP1500PFCLCD" "Serial: CXXNT2000123" > "$REC/info.txt"
mkfifo "$REC/interrupt"
SETLOG=$T/setreports.log

# ups_conf EXTRA...: section [cp] on the recording, with extra lines
ups_conf() {
	{
		printf '[cp]\n\tdriver = usbhid-ups\n\tport = auto\n'
		printf '\treplay = %s\n\treplay_log = %s\n' "$REC" "$SETLOG"
		printf '\tpollinterval = 30\n\tpollfreq = 60\n'
		for l in "$@"; do printf '\t%s\n' "$l"; done
	} > "$CONF/ups.conf"
	conf_file ups.conf
}

start_usbhid() {
	# shellcheck disable=SC2086
	"$USBHID" -a cp -F $DRIVER_ARGS ${SANDBOX_ACTION:+--sandbox=$SANDBOX_ACTION} \
		> "$T/driver-cp.log" 2>&1 &
	DRV_PID=$!
	PIDS="$PIDS $DRV_PID"
	wait_socket "$STATE/usbhid-ups-cp" "$DRV_PID"
}

# a section that matches another device is refused
ups_conf "vendorid = 051d"
"$USBHID" -a cp > "$T/nomatch.log" 2>&1
tap_is "vendorid 051d does not match the recorded 0764: exit 1" "$?" 1
tap_like "... saying so" "$(cat "$T/nomatch.log")" 'does not match this section'

ups_conf 'vendorid = 0764' 'productid = "05.1"' 'product = "cp1500.*"'
start_usbhid || tap_bail "driver did not start: $(tail -n 5 "$T/driver-cp.log")"
start_upsd || tap_bail "upsd did not start: $(tail -n 5 "$T/upsd.log")"
wait_ups cp || tap_bail "ups cp not ready: $(tail -n 5 "$T/driver-cp.log")"

tap_is "battery.charge" "$(nut_get cp battery.charge)" 100
tap_is "battery.runtime" "$(nut_get cp battery.runtime)" 9180
tap_is "battery.voltage" "$(nut_get cp battery.voltage)" 24.0
tap_is "input.voltage" "$(nut_get cp input.voltage)" 121.0
tap_is "input.transfer.low" "$(nut_get cp input.transfer.low)" 88
tap_is "ups.load" "$(nut_get cp ups.load)" 3
tap_is "ups.status" "$(nut_get cp ups.status)" OL
tap_is "ups.beeper.status" "$(nut_get cp ups.beeper.status)" enabled
tap_is "ups.test.result" "$(nut_get cp ups.test.result)" "No test initiated"
tap_is "ups.delay.shutdown (CyberPower's 60)" "$(nut_get cp ups.delay.shutdown)" 60
tap_is "device.mfr" "$(nut_get cp device.mfr)" CPS
tap_is "device.model" "$(nut_get cp device.model)" CP1500PFCLCD
tap_is "device.serial" "$(nut_get cp device.serial)" CXXNT2000123
tap_is "ups.vendorid" "$(nut_get cp ups.vendorid)" 0764
tap_is "driver.name" "$(nut_get cp driver.name)" usbhid-ups
tap_is "driver.version.data" "$(nut_get cp driver.version.data)" CyberPower
tap_is "driver.version.usb names the replay" "$(nut_get cp driver.version.usb)" "replay of $REC"
cmds=$(nut_req "LIST CMD cp")
for c in test.battery.start.quick beeper.disable load.off load.off.delay shutdown.return \
    shutdown.stayoff shutdown.stop; do
	tap_like "command $c offered" "$cmds" "CMD cp $c\$"
done
tap_like "battery.charge.low is writable" "$(nut_req "LIST RW cp")" 'RW cp battery.charge.low "10"'

# instant commands and SETs: what reaches the device
admin() {
	nut_req --pipe "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" "$@" | tail -n 1
}
# var_is VAR VALUE: upsd shows VALUE for VAR of cp
var_is() { [ "$(nut_get cp "$1")" = "$2" ]; }

tap_is "INSTCMD test.battery.start.quick" "$(admin "INSTCMD cp test.battery.start.quick")" OK
wait_for 30 grep -q . "$SETLOG"
tap_is "... is SET_REPORT Feature 0x14 = 1 (Output.Test)" "$(tail -n 1 "$SETLOG")" "SET Feature 0x14 14 01"
tap_is "INSTCMD beeper.disable" "$(admin "INSTCMD cp beeper.disable")" OK
wait_for 30 grep -q 'Feature 0x0c' "$SETLOG"
tap_is "... is SET_REPORT Feature 0x0c = 1 (AudibleAlarmControl)" "$(tail -n 1 "$SETLOG")" "SET Feature 0x0c 0c 01"
: > "$SETLOG"
tap_is "INSTCMD shutdown.return" "$(admin "INSTCMD cp shutdown.return")" OK
wait_for 30 grep -q 'Feature 0x15' "$SETLOG"
tap_is "... start delay 120 s then stop delay 60 s (CyberPower minutes)" \
	"$(cat "$SETLOG")" "SET Feature 0x16 16 02 00
SET Feature 0x15 15 01 00"
tap_is "INSTCMD with no such command" "$(admin "INSTCMD cp bypass.start")" "ERR CMD-NOT-SUPPORTED"
: > "$SETLOG"
tap_is "SET battery.charge.low 15" "$(admin "SET VAR cp battery.charge.low 15")" OK
wait_for 30 grep -q 'Feature 0x07' "$SETLOG"
tap_is "... the report read back, byte 4 changed" "$(cat "$SETLOG")" "SET Feature 0x07 07 64 05 0a 14 0f 64"
tap_is "SET ups.delay.shutdown 120 (the driver's own)" "$(admin "SET VAR cp ups.delay.shutdown 120")" OK
wait_for 30 var_is ups.delay.shutdown 120
tap_is "... published" "$(nut_get cp ups.delay.shutdown)" 120
# upsd answers OK without TRACKING; the driver's answer is in its log
admin "SET VAR cp battery.charge.low ten" > /dev/null
wait_for 30 grep -q 'battery.charge.low "ten".*result 2' "$T/driver-cp.log"
tap_like "SET battery.charge.low to text: the driver says invalid" "$(cat "$T/driver-cp.log")" \
	'SET battery.charge.low "ten" .*result 2'

# interrupt reports: PresentStatus (report 0x0b) changes reach ups.status
# without waiting for the 30 s poll
printf 'RAW 0x0b 0b 04\n' > "$REC/interrupt"
wait_for 50 var_is ups.status "OB DISCHRG"
tap_is "interrupt: AC lost, discharging -> OB DISCHRG" "$(nut_get cp ups.status)" "OB DISCHRG"
printf 'RAW 0x0b 0b 0c\n' > "$REC/interrupt"
wait_for 50 var_is ups.status "OB DISCHRG LB"
tap_is "interrupt: below the capacity limit -> LB" "$(nut_get cp ups.status)" "OB DISCHRG LB"
printf 'RAW 0x08 08 0f 78 00 2c 01\n' > "$REC/interrupt"
wait_for 50 var_is battery.charge 15
tap_is "interrupt: battery.charge follows report 0x08" "$(nut_get cp battery.charge)" 15
tap_is "... and battery.runtime" "$(nut_get cp battery.runtime)" 120
printf 'RAW 0x0b 0b 03\n' > "$REC/interrupt"
wait_for 50 var_is ups.status "OL CHRG"
tap_is "interrupt: power back, charging -> OL CHRG" "$(nut_get cp ups.status)" "OL CHRG"

# the sandbox, as for the other drivers
if [ "$(id -u)" = 0 ]; then
	st=/proc/$DRV_PID/status
	tap_like "driver: Uid is nut" "$(grep '^Uid:' "$st")" "^Uid:[[:space:]]+$(id -u nut)[[:space:]]"
	tap_like "driver: CapEff empty" "$(grep '^CapEff:' "$st")" '^CapEff:[[:space:]]+0+$'
	tap_like "driver: NoNewPrivs 1" "$(grep '^NoNewPrivs:' "$st")" '^NoNewPrivs:[[:space:]]+1$'
	tap_like "driver: Seccomp 2 (filter)" "$(grep '^Seccomp:' "$st")" '^Seccomp:[[:space:]]+2$'
	tap_is "driver: root is the state path" "$(readlink "/proc/$DRV_PID/root")" "$STATE"
fi
: > "$SETLOG"
# as in NUT, driver.killpower needs driver.flag.allow_killpower (or the ups.conf flag)
tap_is "SET driver.flag.allow_killpower 1" "$(admin "SET VAR cp driver.flag.allow_killpower 1")" OK
wait_for 30 var_is driver.flag.allow_killpower 1
tap_is "INSTCMD driver.killpower" "$(admin "INSTCMD cp driver.killpower")" OK
wait_for 30 grep -q 'Feature 0x15' "$SETLOG"
tap_is "... shutdown.return with the section's delays (120 s after the SET, 120 s on)" \
	"$(cat "$SETLOG")" "SET Feature 0x16 16 02 00
SET Feature 0x15 15 02 00"
stop_pid "$DRV_PID"
tap_is "driver stops cleanly on SIGTERM" "$STOP_RC" 0

# -k: shutdown.return with the configured delays, then exit
ups_conf 'vendorid = 0764' 'offdelay = 120' 'ondelay = 180'
: > "$SETLOG"
"$USBHID" -a cp -k > "$T/killpower.log" 2>&1
tap_is "-k exits 0" "$?" 0
tap_is "-k: start delay 180 s, then stop delay 120 s" "$(cat "$SETLOG")" "SET Feature 0x16 16 03 00
SET Feature 0x15 15 02 00"
tap_done
