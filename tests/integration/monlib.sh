# nutsec tests - monlib.sh: helpers for the upsmon tests (4NN-upsmon-*.sh),
# on top of lib.sh. Each upsmon instance NAME gets its own configuration
# and state directories ($T/NAME/etc, $T/NAME/run: NUT_CONFPATH,
# NUT_STATEPATH, NUT_ALTPIDPATH, NUT_PIDPATH), and SHUTDOWNCMD and NOTIFYCMD
# are scripts that record what happened and when into $REC:
#   $REC/NAME.notify    "<epoch.ns> <NOTIFYTYPE>|<UPSNAME>|<argc>|<message>"
#   $REC/NAME.shutdown  "<epoch.ns> <uid>"
#   $REC/NAME.killpower POWERDOWNFLAG
# Functions: mon_setup NAME ROLE USER PASS [EXTRA-LINE...], start_mon NAME
# [ARGS...] (pid in MON_PID, log $T/upsmon-NAME.log), mon_env NAME CMD...,
# has_notify NAME TYPE, notify_time NAME TYPE, shutdown_time NAME, adm LINE,
# set_status UPS STATUS.

: "${UPSMON:=$top_builddir/upsmon/upsmon}"

# every notification type, all recorded
MON_TYPES="ONLINE ONBATT LOWBATT FSD COMMOK COMMBAD SHUTDOWN REPLBATT NOCOMM NOPARENT
CAL NOTCAL OFF NOTOFF BYPASS NOTBYPASS ECO NOTECO ALARM NOTALARM OVER NOTOVER TRIM NOTTRIM
BOOST NOTBOOST OTHER NOTOTHER SHUTDOWN_HOSTSYNC"

mon_rec_dir() {
	REC=$T/rec
	if [ ! -d "$REC" ]; then
		mkdir -p "$REC"
		chmod 0777 "$REC"	# the notifier runs as nut
	fi
}

# mon_setup NAME ROLE USER PASS [EXTRA-LINE...]: MONITOR dummy on $PORT
# unless MON_LINES holds the MONITOR lines to use; an extra line replaces
# the default of the same directive (POLLFREQ 1, POLLFREQALERT 1,
# HOSTSYNC 10, DEADTIME 5, FINALDELAY 0, SANDBOX $SANDBOX_ACTION).
mon_setup() {
	_n=$1; _role=$2; _u=$3; _p=$4; shift 4
	mon_rec_dir
	_d=$T/$_n
	mkdir -p "$_d/etc" "$_d/run"
	chmod 0755 "$_d"
	chown root:nut "$_d/etc" "$_d/run"
	chmod 0750 "$_d/etc"; chmod 0770 "$_d/run"
	cat > "$_d/notify.sh" <<EOS
#!/bin/sh
echo "\$(date +%s.%N) \$NOTIFYTYPE|\$UPSNAME|\$#|\$*" >> "$REC/$_n.notify"
EOS
	cat > "$_d/shutdown.sh" <<EOS
#!/bin/sh
echo "\$(date +%s.%N) \$(id -u) \$#" >> "$REC/$_n.shutdown"
EOS
	chmod 0755 "$_d/notify.sh" "$_d/shutdown.sh"
	{
		if [ -n "$MON_LINES" ]; then
			printf '%s\n' "$MON_LINES"
		else
			echo "MONITOR dummy@127.0.0.1:$PORT 1 $_u $_p $_role"
		fi
		echo "SHUTDOWNCMD \"$_d/shutdown.sh\""
		echo "NOTIFYCMD \"$_d/notify.sh\""
		for _t in $MON_TYPES; do echo "NOTIFYFLAG $_t SYSLOG+EXEC"; done
		for _kv in "POLLFREQ 1" "POLLFREQALERT 1" "HOSTSYNC 10" "DEADTIME 5" "FINALDELAY 0" \
		    ${SANDBOX_ACTION:+"SANDBOX $SANDBOX_ACTION"}; do
			_given=
			for _l in "$@"; do
				case $_l in "${_kv%% *} "*) _given=1 ;; esac
			done
			[ -n "$_given" ] || echo "$_kv"
		done
		echo "POWERDOWNFLAG $REC/$_n.killpower"
		echo "RUN_AS_USER nut"
		for _l in "$@"; do echo "$_l"; done
	} > "$_d/etc/upsmon.conf"
	chown root:nut "$_d/etc/upsmon.conf"
	chmod 0640 "$_d/etc/upsmon.conf"
}

# mon_env NAME CMD...: run CMD with NAME's paths
mon_env() {
	_d=$T/$1; shift
	env NUT_CONFPATH="$_d/etc" NUT_STATEPATH="$_d/run" NUT_ALTPIDPATH="$_d/run" \
		NUT_PIDPATH="$_d/run" "$@"
}

# start_mon NAME [ARGS...]: upsmon -F (debug 1) in the background
start_mon() {
	_n=$1; shift
	_d=$T/$_n
	# env, not mon_env: $! must be upsmon itself (dash forks for a function)
	env NUT_CONFPATH="$_d/etc" NUT_STATEPATH="$_d/run" NUT_ALTPIDPATH="$_d/run" \
		NUT_PIDPATH="$_d/run" "$UPSMON" -F -D "$@" > "$T/upsmon-$_n.log" 2>&1 &
	MON_PID=$!
	PIDS="$PIDS $MON_PID"
	eval "MON_PID_$_n=$MON_PID"
}

# mon_logged_in NAME: the instance logged in (its log says so)
mon_logged_in() {
	grep -q "logged in as" "$T/upsmon-$1.log" 2>/dev/null
}

has_notify() {
	grep -q "^[0-9.]* $2|" "$REC/$1.notify" 2>/dev/null
}

# notify_time NAME TYPE: time of the first such notification
notify_time() {
	grep -m1 "^[0-9.]* $2|" "$REC/$1.notify" 2>/dev/null | cut -d' ' -f1
}

shutdown_time() {
	head -n 1 "$REC/$1.shutdown" 2>/dev/null | cut -d' ' -f1
}

adm() {
	nut_req "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" "$@" | tail -n 1
}

# set_status UPS STATUS...
set_status() {
	_u=$1; shift
	adm "SET VAR $_u ups.status \"$*\""
}

# float comparisons
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

mon_diag() {
	tap_diag "$(tail -n 25 "$T/upsmon-$1.log")"
	[ -f "$REC/$1.notify" ] && tap_diag "$(cat "$REC/$1.notify")"
}
