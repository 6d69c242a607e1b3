#!/bin/sh
# nutsec tests - 040-stale: driver availability. A stopped driver goes
# DATA-STALE after MAXAGE (3 here) and recovers; a dead driver gives
# DRIVER-NOT-CONNECTED/DATA-STALE and recovers when it restarts. Polling with
# bounded tries, no timed assertions.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
need_exe dummy-ups "$DUMMY"
nut_setup
write_upsd_conf "MAXAGE 3"
start_all

# status_is WANT-ERE: GET VAR dummy ups.status matches
status_is() {
	nut_req -t 3 "GET VAR dummy ups.status" | grep -Eq -- "$1"
}

tap_is "fresh: data served" "$(nut_req 'GET VAR dummy ups.status')" 'VAR dummy ups.status "OL"'

# 1. driver alive but silent (SIGSTOP): stale after MAXAGE
kill -STOP "$DRV_PID"
if wait_for 150 status_is '^ERR DATA-STALE$'; then
	tap_ok "stopped driver: ERR DATA-STALE after MAXAGE"
else
	tap_fail "stopped driver: ERR DATA-STALE after MAXAGE"
	tap_diag "$(nut_req 'GET VAR dummy ups.status')"
fi
tap_is "stale: LIST VAR" "$(nut_req 'LIST VAR dummy')" "ERR DATA-STALE"
tap_is "stale: GET NUMLOGINS" "$(nut_req 'GET NUMLOGINS dummy')" "ERR DATA-STALE"
tap_is "stale: INSTCMD" "$(nut_req "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" 'INSTCMD dummy load.off')" \
	"OK
OK
ERR DATA-STALE"
tap_is "stale: LOGIN still allowed (no availability check)" \
	"$(nut_req "USERNAME $SEC_USER" "PASSWORD $SEC_PASS" 'LOGIN dummy')" "OK
OK
OK"
tap_is "stale: GET UPSDESC still answered" "$(nut_req 'GET UPSDESC dummy')" 'UPSDESC dummy "Test UPS"'
tap_is "other clients served while a driver is stale" "$(nut_req NETVER)" "1.3"
kill -CONT "$DRV_PID"
if wait_for 150 status_is '^VAR dummy ups.status "OL"$'; then
	tap_ok "resumed driver: data served again"
else
	tap_fail "resumed driver: data served again"
	tap_diag "$(nut_req 'GET VAR dummy ups.status')"
fi

# 2. driver killed: not connected (or stale) until it comes back
kill -KILL "$DRV_PID"
stop_pid "$DRV_PID"
if wait_for 150 status_is '^ERR (DRIVER-NOT-CONNECTED|DATA-STALE)$'; then
	tap_ok "killed driver: ERR DRIVER-NOT-CONNECTED or DATA-STALE"
else
	tap_fail "killed driver: ERR DRIVER-NOT-CONNECTED or DATA-STALE"
	tap_diag "$(nut_req 'GET VAR dummy ups.status')"
fi
if wait_for 150 status_is '^ERR DRIVER-NOT-CONNECTED$'; then
	tap_ok "killed driver: ERR DRIVER-NOT-CONNECTED once the socket is gone"
else
	tap_fail "killed driver: ERR DRIVER-NOT-CONNECTED once the socket is gone"
fi
tap_is "driver down: LIST CMD" "$(nut_req 'LIST CMD dummy')" "ERR DRIVER-NOT-CONNECTED"
tap_is "driver down: LIST UPS still lists it" "$(nut_req 'LIST UPS')" 'BEGIN LIST UPS
UPS dummy "Test UPS"
END LIST UPS'
rm -f "$STATE/dummy-ups-dummy"
start_driver dummy || tap_fail "driver restarts"
if wait_for 200 status_is '^VAR dummy ups.status "OL"$'; then
	tap_ok "restarted driver: upsd reconnects, data served"
else
	tap_fail "restarted driver: upsd reconnects, data served"
	tap_diag "$(nut_req 'GET VAR dummy ups.status')"
fi
tap_is "after reconnect: full tree back" "$(nut_req 'GET VAR dummy ups.id')" 'VAR dummy ups.id "say \"hi\" \\ ok"'
tap_is "after reconnect: commands back" "$(nut_req 'LIST CMD dummy' | grep -c 'CMD dummy load.off')" "1"

# the FSD latch survives the driver going away and coming back
tap_is "FSD set" "$(nut_req "USERNAME $ADMIN_USER" "PASSWORD $ADMIN_PASS" 'FSD dummy' | tail -n 1)" "OK FSD-SET"
tap_is "FSD latch shown" "$(nut_req 'GET VAR dummy ups.status')" 'VAR dummy ups.status "FSD OL"'
stop_pid "$DRV_PID"
rm -f "$STATE/dummy-ups-dummy"
wait_for 150 status_is '^ERR DRIVER-NOT-CONNECTED$'
start_driver dummy || tap_fail "driver restarts again"
if wait_for 200 status_is '^VAR dummy ups.status "FSD OL"$'; then
	tap_ok "FSD latch survives a driver reconnect"
else
	tap_fail "FSD latch survives a driver reconnect"
	tap_diag "$(nut_req 'GET VAR dummy ups.status')"
fi
tap_done
