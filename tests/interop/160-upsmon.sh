#!/bin/sh
# nutsec tests - 160-upsmon: Debian's NUT upsmon against our upsd, one
# instance as primary and one as secondary. Both must log in (LIST CLIENT,
# GET NUMLOGINS), see status changes (NOTIFYCMD gets ONBATT/ONLINE), and an
# FSD set on the UPS must make the secondary run its SHUTDOWNCMD (then the
# primary, once the secondary has logged out). SHUTDOWNCMD only writes a
# marker file.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/interop/lib.sh"

require_exe "NUT upsmon" "$NUT_UPSMON"
need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
start_all
M=$T/mon
mkdir -p "$M"
chown nut:nut "$M"
chmod 0755 "$M"

# mon_conf ROLE USER PASS: $T/mon-ROLE/{upsmon.conf,nut.conf} and scripts
mon_conf() {
	_d=$T/mon-$1
	mkdir -p "$_d"
	chmod 0755 "$_d"
	cat > "$_d/shutdown.sh" <<EOF
#!/bin/sh
echo shutdown >> "$M/$1.shutdown"
EOF
	cat > "$_d/notify.sh" <<EOF
#!/bin/sh
echo "\$NOTIFYTYPE \$UPSNAME \$*" >> "$M/$1.notify"
EOF
	chmod 0755 "$_d/shutdown.sh" "$_d/notify.sh"
	cat > "$_d/upsmon.conf" <<EOF
MONITOR dummy@127.0.0.1:$PORT 1 $2 $3 $1
MINSUPPLIES 1
SHUTDOWNCMD "$_d/shutdown.sh"
NOTIFYCMD "$_d/notify.sh"
NOTIFYFLAG ONLINE SYSLOG+EXEC
NOTIFYFLAG ONBATT SYSLOG+EXEC
NOTIFYFLAG LOWBATT SYSLOG+EXEC
NOTIFYFLAG FSD SYSLOG+EXEC
NOTIFYFLAG COMMOK SYSLOG+EXEC
NOTIFYFLAG COMMBAD SYSLOG+EXEC
NOTIFYFLAG SHUTDOWN SYSLOG+EXEC
POLLFREQ 1
POLLFREQALERT 1
HOSTSYNC 3
DEADTIME 15
FINALDELAY 0
POWERDOWNFLAG $M/$1.killpower
RUN_AS_USER nut
EOF
	echo "MODE=standalone" > "$_d/nut.conf"
	chmod 0640 "$_d/upsmon.conf"
}
mon_conf primary "$PRI_USER" "$PRI_PASS"
mon_conf secondary "$SEC_USER" "$SEC_PASS"

# Debian's upsmon 2.8.0 keeps its PID file in the built-in /run/nut (no
# environment override) and refuses to start when that names a live upsmon:
# each instance gets a private mount namespace with its own dir over /run/nut.
if ! unshare -m sh -c "mount --bind $M /run/nut" 2>/dev/null; then
	echo "1..0 # SKIP cannot give upsmon a private /run/nut (unshare -m / mount --bind)"
	exit 0
fi
start_mon() {	# ROLE
	mkdir -p "$T/run-$1"
	chown root:nut "$T/run-$1"
	chmod 0770 "$T/run-$1"
	NUT_CONFPATH=$T/mon-$1 NUT_PIDPATH=$T/run-$1 NUT_ALTPIDPATH=$T/run-$1 NUT_STATEPATH=$T/run-$1 \
		unshare -m sh -c 'mkdir -p /run/nut && mount --bind "$1" /run/nut && exec "$2" -F -D' sh "$T/run-$1" "$NUT_UPSMON" \
		> "$T/upsmon-$1.log" 2>&1 &
	PIDS="$PIDS $!"
	eval "MON_$1=$!"
}
numlogins() { [ "$(nut_req 'GET NUMLOGINS dummy')" = "NUMLOGINS dummy $1" ]; }
has_line() { grep -q "$2" "$1" 2>/dev/null; }

start_mon primary
if wait_for 100 numlogins 1; then tap_ok "primary upsmon logged in (NUMLOGINS 1)"; else tap_fail "primary upsmon logged in (NUMLOGINS 1)"; tap_diag "$(nut_req 'GET NUMLOGINS dummy')"; fi
start_mon secondary
if wait_for 100 numlogins 2; then tap_ok "secondary upsmon logged in (NUMLOGINS 2)"; else tap_fail "secondary upsmon logged in (NUMLOGINS 2)"; fi
tap_is "LIST CLIENT shows both" "$(nut_req 'LIST CLIENT dummy')" "BEGIN LIST CLIENT dummy
CLIENT dummy 127.0.0.1
CLIENT dummy 127.0.0.1
END LIST CLIENT dummy"
adm() { nut_req "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" "$@" | tail -n 1; }
tap_is "admin sets ups.status OB" "$(adm 'SET VAR dummy ups.status OB')" "OK"
for r in primary secondary; do
	if wait_for 150 has_line "$M/$r.notify" '^ONBATT'; then tap_ok "$r: NOTIFYCMD got ONBATT"; else tap_fail "$r: NOTIFYCMD got ONBATT"; fi
done
tap_is "admin sets ups.status OL" "$(adm 'SET VAR dummy ups.status OL')" "OK"
for r in primary secondary; do
	if wait_for 150 has_line "$M/$r.notify" '^ONLINE'; then tap_ok "$r: NOTIFYCMD got ONLINE"; else tap_fail "$r: NOTIFYCMD got ONLINE"; fi
done
if [ -e "$M/primary.shutdown" ] || [ -e "$M/secondary.shutdown" ]; then
	tap_fail "no shutdown before FSD"
else
	tap_ok "no shutdown before FSD"
fi

tap_is "admin sets FSD" "$(adm 'FSD dummy')" "OK FSD-SET"
if wait_for 200 test -e "$M/secondary.shutdown"; then tap_ok "FSD: secondary ran SHUTDOWNCMD"; else tap_fail "FSD: secondary ran SHUTDOWNCMD"; tap_diag "$(tail -n 10 "$T/upsmon-secondary.log")"; fi
if wait_for 200 test -e "$M/primary.shutdown"; then tap_ok "FSD: primary ran SHUTDOWNCMD after the secondary"; else tap_fail "FSD: primary ran SHUTDOWNCMD"; tap_diag "$(tail -n 10 "$T/upsmon-primary.log")"; fi
if has_line "$M/secondary.notify" '^FSD'; then tap_ok "secondary: NOTIFYCMD got FSD"; else tap_fail "secondary: NOTIFYCMD got FSD"; fi
if wait_for 100 test -e "$M/primary.killpower"; then tap_ok "primary wrote POWERDOWNFLAG"; else tap_fail "primary wrote POWERDOWNFLAG"; fi
if has_line "$T/upsmon-primary.log" 'is a primary'; then tap_ok "primary upsmon acted as primary (PRIMARY granted)"; else tap_fail "primary upsmon acted as primary (PRIMARY granted)"; fi
if wait_for 100 numlogins 0; then tap_ok "both logged out after shutdown (NUMLOGINS 0)"; else tap_fail "both logged out after shutdown (NUMLOGINS 0)"; tap_diag "$(nut_req 'GET NUMLOGINS dummy')"; fi
tap_done
