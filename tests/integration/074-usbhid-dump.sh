#!/bin/sh
# nutsec tests - 074-usbhid-dump: `usbhid-ups --replay DIR --dump` on every
# recorded device of tests/data/hid. Each item NUT decoded from the first
# read of its report must come out as the same line (path, type, report id,
# offset, size, value); then the NUT variables follow as "name: value"; the
# vendor-only Liebert interface is reported as no UPS.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

: "${USBHID:=$top_builddir/drivers/usbhid/usbhid-ups}"
need_exe usbhid-ups "$USBHID"
T=$(mktemp -d /tmp/nutsec-test.XXXXXX) || tap_bail "mktemp failed"
trap 'rm -rf "$T"' EXIT

for dir in "$DATADIR"/hid/*/; do
	name=$(basename "$dir")
	"$USBHID" --replay "$dir" --dump > "$T/$name.out" 2> "$T/$name.err"
	tap_is "$name: dump exits 0" "$?" 0
	[ -f "$dir/reports.txt" ] || continue
	# the item lines decoded from the first RAW read of their report id
	awk '
		/^RAW / { raw = $0; id = $2; if (!(id in first)) first[id] = raw; next }
		NF == 6 && raw == first[$3] { print }
	' "$dir/reports.txt" | sort -u > "$T/$name.want"
	n=$(wc -l < "$T/$name.want")
	missing=$(grep -Fvx -f "$T/$name.out" "$T/$name.want")
	tap_is "$name: all $n recorded items of first reads in the dump" "$missing" ""
	tap_like "$name: then the variables" "$(grep -c '^[a-z.]*: ' "$T/$name.out")" '^[1-9][0-9]*$'
done

out=$(cat "$T/cyberpower-cp1500pfclcd.out")
tap_like "CyberPower: battery.charge" "$out" '^battery\.charge: 100$'
tap_like "CyberPower: battery.runtime" "$out" '^battery\.runtime: 9180$'
tap_like "CyberPower: ups.status OL (ACPresent, FullyCharged)" "$out" '^ups\.status: OL$'
tap_like "CyberPower: delays through the physical range" "$out" '^ups\.timer\.shutdown: -60$'
tap_like "CyberPower: input.sensitivity from its vendor usage" "$out" '^input\.sensitivity: normal$'
out=$(cat "$T/apc-back-ups-es-850g2.out")
tap_like "APC: battery.mfr.date as NUT prints it" "$out" '^battery\.mfr\.date: 2021/03/02$'
tap_like "APC: battery.voltage 13.4 (volt exponent)" "$out" '^battery\.voltage: 13\.4$'
tap_like "APC: driver.version.data names the subdriver" "$out" '^driver\.version\.data: APC$'
tap_like "APC: ups.mfr.date" "$out" '^ups\.mfr\.date: 2021/03/02$'
out=$(cat "$T/eaton-3s-700.out")
tap_like "Eaton: indexed collections by MGE names" "$out" '^UPS\.Flow\.\[4\]\.ConfigVoltage Feature 0x12 0 8 230$'
tap_like "Eaton: ups.status OL CHRG" "$out" '^ups\.status: OL CHRG$'
tap_like "Eaton: outlet.1.status from the second outlet collection" "$out" '^outlet\.1\.status: on$'
tap_like "Eaton: the main outlet is switchable" "$out" '^outlet\.switchable: yes$'
out=$(cat "$T/powercom-bnt-800ap.out")
tap_unlike "Powercom: no battery.voltage (the firmware repeats output voltage there)" "$out" 'battery\.voltage:'
tap_like "Liebert vendor interface: said to be no UPS" "$(cat "$T/liebert-psa5-iface0.err")" 'not a UPS'

# Against NUT itself: the upsc output of the same Back-UPS (a later run, so
# measured values differ), with the USB strings NUT read from it.
A=$T/apc
mkdir -p "$A"
cp "$DATADIR/hid/apc-back-ups-es-850g2/descriptor.hex" "$DATADIR/hid/apc-back-ups-es-850g2/reports.txt" "$A/"
printf '%s\n' "VendorID: 0x051d" "ProductID: 0x0002" "Manufacturer: American Power Conversion" \
	"Product: Back-UPS ES 850G2 FW:938.a2 .I USB FW:a2" "Serial: 5B2109T81980" \
	"String 4: PbAc" > "$A/info.txt"
"$USBHID" --replay "$A" --dump | grep -v '^UPS' > "$T/apc.vars"
grep -v -e '^driver\.' -e '^battery\.runtime:' -e '^battery\.voltage:' -e '^input\.voltage:' \
	-e '^ups\.load:' "$DATADIR/hid/apc-back-ups-es-850g2/upsc.txt" > "$T/apc.nut"
tap_is "APC: every static variable NUT's upsc showed, with its value" \
	"$(grep -Fvx -f "$T/apc.vars" "$T/apc.nut")" ""
for v in battery.runtime battery.voltage input.voltage ups.load; do
	tap_like "APC: $v published too" "$(cat "$T/apc.vars")" "^$v: [0-9.]+\$"
done

# a subdriver by name; a bad one
tap_like "subdriver=generic names no APC usages" \
	"$("$USBHID" --replay "$DATADIR/hid/apc-back-ups-es-850g2" --dump -x subdriver=generic)" \
	'UPS\.PowerSummary\.ff860060 Feature'
"$USBHID" --replay "$DATADIR/hid/apc-back-ups-es-850g2" --dump -x subdriver=nosuch > /dev/null 2> "$T/err"
tap_is "an unknown subdriver fails" "$?" 1
tap_like "... saying so" "$(cat "$T/err")" 'nosuch: none by that name'
"$USBHID" --replay "$T/nowhere" --dump > /dev/null 2> "$T/err"
tap_is "a missing recording fails" "$?" 1
tap_like "... naming the file" "$(cat "$T/err")" 'nowhere/descriptor.hex'
tap_done
