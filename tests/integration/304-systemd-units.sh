#!/bin/sh
# nutsec tests - 304-systemd-units: the units generated in conf/systemd carry
# the configured paths (no @VAR@ left), the hardening directives of
# docs/sandbox.md (the system call filter lets the daemon's own chroot,
# Landlock and seccomp through: systemd 252 puts landlock_* in no group, and
# a call the filter misses kills the daemon), capability bounding sets
# limited to what start-up needs (upsmon's: also what its root parent
# needs to signal its children and to run SHUTDOWNCMD),
# and pass "systemd-analyze verify" (pointed at the build tree's binaries)
# when systemd-analyze is available.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

U=$top_builddir/conf/systemd
for f in nutsec-server.service nutsec-driver@.service; do
	[ -f "$U/$f" ] || { tap_fail "$f is generated"; tap_done; }
	tap_unlike "$f: every @VAR@ substituted" "$(cat "$U/$f")" '@[A-Z_]+@'
	for d in NoNewPrivileges=yes SystemCallArchitectures=native ProtectSystem=strict \
	    ProtectHome=yes PrivateTmp=yes PrivateDevices=yes MemoryDenyWriteExecute=yes \
	    'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
	    'SystemCallFilter=@system-service chroot seccomp landlock_create_ruleset landlock_add_rule landlock_restrict_self$' \
	    'ReadWritePaths=/'; do
		tap_like "$f: $d" "$(cat "$U/$f")" "^$d"
	done
done
tap_like "upsd: the bounding set is what start-up needs" "$(cat "$U/nutsec-server.service")" \
	'^CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_SETPCAP CAP_SYS_CHROOT CAP_NET_BIND_SERVICE$'
tap_like "drivers: the bounding set is what start-up needs" "$(cat "$U/nutsec-driver@.service")" \
	'^CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_SETPCAP CAP_SYS_CHROOT CAP_CHOWN$'

# upsmon: the parent stays root for SHUTDOWNCMD (docs/upsmon.md), so /etc
# stays writable (POWERDOWNFLAG) and /dev whole (WALL); the rest as above.
M=$U/nutsec-monitor.service
[ -f "$M" ] || { tap_fail "nutsec-monitor.service is generated"; tap_done; }
tap_unlike "upsmon: every @VAR@ substituted" "$(cat "$M")" '@[A-Z_]+@'
for d in NoNewPrivileges=yes SystemCallArchitectures=native ProtectSystem=yes \
    ProtectHome=yes PrivateTmp=yes MemoryDenyWriteExecute=yes RestrictSUIDSGID=yes \
    RestrictNamespaces=yes 'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' \
    'SystemCallFilter=@system-service chroot seccomp landlock_create_ruleset landlock_add_rule landlock_restrict_self reboot$' \
    'CapabilityBoundingSet=CAP_SETUID CAP_SETGID CAP_SETPCAP CAP_SYS_CHROOT CAP_KILL CAP_SYS_BOOT$' \
    'ExecStart=/.*/upsmon -F$' Type=simple KillMode=mixed Restart=on-failure \
    'ConditionPathExists=/.*/upsmon\.conf$'; do
	tap_like "upsmon: $d" "$(cat "$M")" "^$d"
done
tap_unlike "upsmon: no PrivateDevices (WALL reaches every terminal)" "$(cat "$M")" '^PrivateDevices='

if command -v systemd-analyze >/dev/null 2>&1; then
	T=$(mktemp -d /tmp/nutsec-units.XXXXXX) || tap_bail "mktemp"
	sed "s|^ExecStart=.*/upsd|ExecStart=$top_builddir/upsd/upsd|" "$U/nutsec-server.service" \
		> "$T/nutsec-server.service"
	sed "s|^\(Exec[A-Za-z]*=\).*/upsdrvctl|\1$top_builddir/tools/upsdrvctl|" \
		"$U/nutsec-driver@.service" > "$T/nutsec-driver@ups1.service"
	sed "s|^ExecStart=.*/upsmon|ExecStart=$top_builddir/upsmon/upsmon|" "$M" \
		> "$T/nutsec-monitor.service"
	cp "$top_srcdir"/conf/systemd/*.target "$T/"
	out=$(cd "$T" && systemd-analyze verify nutsec-server.service nutsec-driver@ups1.service \
		nutsec-monitor.service nutsec.target nutsec-driver.target 2>&1 | grep -v "Command 'man ")
	tap_is "systemd-analyze verify (man pages aside)" "$out" ""
else
	tap_skip "systemd-analyze verify" "no systemd-analyze"
fi
tap_done
