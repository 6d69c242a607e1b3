#!/bin/sh
# The Debian packages (debian/, docs/release.md): built from this tree by
# dpkg-buildpackage, lintian-clean, and working once installed. The machine
# keeps its own nut-server and nut-client (the interop tests use them), so the
# .debs are installed over the system in a private namespace instead: /usr,
# /etc and /var are overlays (the packages' files above the system's, writes
# kept in the test's directory), /run a fresh tmpfs, the network its own
# loopback. There the package's postinst runs (nut user, permissions of
# /etc/nut, tmpfiles, units enabled) and the units' commands start the dummy
# driver and upsd, which the package's upsc queries.
#
# Slow (a full package build): run by "make check-package", not "make check".
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

for tool in dpkg-buildpackage dh lintian unshare; do
	command -v $tool >/dev/null 2>&1 ||
		{ echo "1..0 # SKIP $tool not installed (apt-get install debhelper lintian)"; exit 0; }
done
[ "$(id -u)" -eq 0 ] || { echo "1..0 # SKIP needs root (namespaces, overlays)"; exit 0; }
unshare -m -n true 2>/dev/null || { echo "1..0 # SKIP no mount/network namespaces here"; exit 0; }

# make check's variables (TESTS=...) must not reach the make run here.
unset TESTS TEST_LOGS MAKEFLAGS MFLAGS MAKELEVEL DESTDIR
ensure_nut_user
T=$(mktemp -d /tmp/nutsec-pkg.XXXXXX) || tap_bail "mktemp failed"
chmod 0755 "$T"
B=$top_builddir

# The source tree as make dist would pack it (so a tarball builds the same).
version=$(sed -n 's/^PACKAGE_VERSION = //p' "$B/Makefile")
distname=nutsec-pkgtest-$$
if ! make -s -C "$B" distdir distdir="$distname" >"$T/distdir.log" 2>&1; then
	tap_bail "make distdir failed: $(tail -5 "$T/distdir.log")"
fi
mkdir "$T/src" && mv "$B/$distname" "$T/src/nutsec-$version" || tap_bail "cannot move the tree"

if (cd "$T/src/nutsec-$version" && dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1; then
	tap_ok "dpkg-buildpackage -us -uc -b succeeds"
else
	tap_fail "dpkg-buildpackage -us -uc -b succeeds"
	tap_diag "$(tail -30 "$T/build.log")"
	tap_done
fi
arch=$(dpkg --print-architecture)
server=$T/src/nutsec-server_${version}_$arch.deb
client=$T/src/nutsec-client_${version}_$arch.deb
tap_check "nutsec-server .deb built" test -f "$server"
tap_check "nutsec-client .deb built" test -f "$client"

lint=$(lintian "$T/src/nutsec_${version}_$arch.changes" 2>&1 | grep -v 'running with root privileges')
tap_unlike "lintian: no error" "$lint" '^E: '
[ -z "$lint" ] || tap_diag "lintian: $lint"

for pair in "$server nut-server" "$client nut-client"; do
	set -- $pair
	for field in Conflicts Replaces Provides; do
		tap_is "$(basename "$1"): $field: $2" "$(dpkg-deb -f "$1" $field)" "$2"
	done
done
tap_is "conffiles of nutsec-server" "$(dpkg-deb -I "$server" conffiles | sort)" \
	"$(printf '/etc/nut/ups.conf\n/etc/nut/upsd.conf\n/etc/nut/upsd.users\n/etc/ufw/applications.d/nutsec')"
files=$(dpkg-deb -c "$server" | awk '{print $6}')
for f in ./usr/sbin/upsd ./usr/sbin/upsdrvctl ./usr/libexec/nutsec/dummy-ups \
    ./lib/systemd/system/nutsec-server.service ./lib/systemd/system/nutsec-driver@.service \
    ./lib/systemd/system/nutsec.target ./usr/lib/tmpfiles.d/nutsec-server.conf \
    ./usr/lib/firewalld/services/nutsec.xml; do
	tap_like "nutsec-server ships $f" "$files" "^$f\$"
done
tap_like "nutsec-client ships upsc, upscmd, upsrw" \
	"$(dpkg-deb -c "$client" | awk '{print $6}' | grep -c '^./usr/bin/ups\(c\|cmd\|rw\)$')" '^3$'
tap_like "nutsec-client ships upsmon's unit" "$(dpkg-deb -c "$client" | awk '{print $6}')" \
	'^\./lib/systemd/system/nutsec-monitor\.service$'
tap_unlike "nutsec-server does not" "$files" 'nutsec-monitor'

# --- install over the system in a private namespace -------------------------
R=$T/root
mkdir -p "$R" "$T/ctl-server" "$T/ctl-client"
mkdir -p "$R/usr" "$R/etc" "$R/var"
dpkg-deb -x "$server" "$R" && dpkg-deb -x "$client" "$R" &&
	dpkg-deb -e "$server" "$T/ctl-server" && dpkg-deb -e "$client" "$T/ctl-client" ||
	tap_bail "dpkg-deb could not unpack the packages"
# On a merged-/usr system dpkg puts /lib/... through the /lib symlink.
if [ -L /lib ] && [ -d "$R/lib" ]; then
	cp -a "$R/lib/." "$R/usr/lib/" && rm -rf "${R:?}/lib"
fi

cat >"$T/inside.sh" <<'EOF'
# Runs as PID 1 of fresh mount, network and PID namespaces (unshare below).
set -u
T=$1 R=$1/root
ip link set lo up
# the overlays' writable layers on a tmpfs (an upper layer cannot be overlayfs)
mkdir -p "$T/rw" && mount -t tmpfs -o mode=0755 tmpfs "$T/rw" || { echo "FAIL tmpfs"; exit 1; }
dirs="usr etc var"
[ -d "$R/lib" ] && dirs="$dirs lib"
upper=$T/rw/up work=$T/rw/work
for d in $dirs; do
	mkdir -p "$upper/$d" "$work/$d"
	mount -t overlay overlay -o "lowerdir=$R/$d:/$d,upperdir=$upper/$d,workdir=$work/$d" "/$d" ||
		{ echo "FAIL overlay /$d"; exit 1; }
done
mount -t tmpfs -o mode=0755 tmpfs /run

echo "== postinst"
DPKG_MAINTSCRIPT_PACKAGE=nutsec-client "$T/ctl-client/postinst" configure "" || echo "FAIL client postinst"
DPKG_MAINTSCRIPT_PACKAGE=nutsec-server "$T/ctl-server/postinst" configure "" || echo "FAIL server postinst"
echo "== modes"
stat -c '%n %U:%G %a' /etc/nut /etc/nut/ups.conf /etc/nut/upsd.conf /etc/nut/upsd.users /run/nut
echo "== enabled"
ls /etc/systemd/system/multi-user.target.wants/ /etc/systemd/system/nutsec.target.wants/ 2>&1 | grep nutsec

# The units' commands, in their order: the driver instance for UPS "demo"
# (nutsec-driver@demo.service), then upsd (nutsec-server.service). A leading
# '+' (run with full privileges) changes nothing outside systemd.
unitcmds() {	# unitcmds UNIT KEY INSTANCE
	sed -n "s/^$2=+\{0,1\}//p" "/lib/systemd/system/$1" | sed "s/%i/$3/g"
}
echo "== enable the driver of demo, as README.Debian says"
systemctl enable nutsec-driver@demo.service 2>&1
ls /etc/systemd/system/nutsec-driver.target.wants/ 2>&1
echo "== verify"
if command -v systemd-analyze >/dev/null 2>&1; then
	(cd /lib/systemd/system && systemd-analyze verify nutsec.target nutsec-driver.target \
		nutsec-server.service nutsec-driver@demo.service nutsec-monitor.service 2>&1 | grep -v "Command 'man ")
	echo "verify done"
else
	echo "verify skipped"
fi
echo "== driver"
unitcmds nutsec-driver@.service ExecStartPre demo >"$T/drv.cmds"
unitcmds nutsec-driver@.service ExecStart demo >>"$T/drv.cmds"
cat "$T/drv.cmds"
sh -e "$T/drv.cmds" >"$T/driver.log" 2>&1 || { echo "FAIL driver start"; cat "$T/driver.log"; }
echo "== upsd"
unitcmds nutsec-server.service ExecStartPre "" >"$T/upsd.pre"
cat "$T/upsd.pre"
sh -e "$T/upsd.pre" || echo "FAIL upsd ExecStartPre"
start=$(unitcmds nutsec-server.service ExecStart "")
echo "$start"
$start >"$T/upsd.log" 2>&1 &
i=0
while [ $i -lt 100 ]; do
	v=$(upsc demo@localhost ups.status 2>/dev/null) && [ -n "$v" ] && break
	sleep 0.1; i=$((i + 1))
done
echo "== query"
echo "upsc: $(command -v upsc)"
echo "ups.status: $(upsc demo@localhost ups.status 2>&1)"
echo "device.mfr: $(upsc demo@127.0.0.1:3493 device.mfr 2>&1)"
echo "list: $(upsc -l localhost 2>&1)"
echo "== users"
for p in $(pgrep -x upsd) $(pgrep -x dummy-ups); do
	echo "$(cat /proc/$p/comm) $(stat -c %U /proc/$p) root=$(readlink /proc/$p/root)"
done
echo "== stop"
unitcmds nutsec-driver@.service ExecStop demo | sh >>"$T/driver.log" 2>&1
pkill -TERM -x upsd
sleep 0.5
echo "== upsd log"
cat "$T/upsd.log"
EOF
unshare --mount --net --pid --fork --mount-proc sh "$T/inside.sh" "$T" >"$T/inside.log" 2>&1
# seen DESC ERE: a line of the namespace's output matches
seen() { tap_check "$1" grep -Eq -- "$2" "$T/inside.log"; }
tap_check "in the namespace: every step ran" sh -c "! grep -q '^FAIL' '$T/inside.log'"
seen "postinst: /etc/nut root:nut 0750" '^/etc/nut root:nut 750$'
for f in ups.conf upsd.conf upsd.users; do
	seen "postinst: /etc/nut/$f root:nut 0640" "^/etc/nut/$f root:nut 640\$"
done
seen "tmpfiles: /run/nut root:nut 0770" '^/run/nut root:nut 770$'
seen "nutsec.target enabled (multi-user.target wants it)" '^nutsec\.target$'
seen "nutsec-server.service enabled (nutsec.target wants it)" '^nutsec-server\.service$'
seen "nutsec-monitor.service enabled (multi-user.target wants it)" '^nutsec-monitor\.service$'
seen "systemctl enable nutsec-driver@demo.service works" '^nutsec-driver@demo\.service$'
if grep -q '^verify skipped$' "$T/inside.log"; then
	tap_skip "systemd-analyze verify of the installed units" "no systemd-analyze"
else
	tap_is "systemd-analyze verify of the installed units: clean" \
		"$(sed -n '/^== verify$/,/^verify done$/p' "$T/inside.log")" "$(printf '== verify\nverify done')"
fi
seen "the driver unit's command runs /usr/sbin/upsdrvctl start demo" '^/usr/sbin/upsdrvctl start demo$'
seen "the server unit's command runs /usr/sbin/upsd -F" '^/usr/sbin/upsd -F$'
seen "the package's upsc is the one used" '^upsc: /usr/bin/upsc$'
seen "upsc demo@localhost ups.status answers OL" '^ups\.status: OL'
seen "device.mfr from the shipped demo data" '^device\.mfr: Example Power Systems$'
seen "upsc -l lists demo" '^list: demo$'
seen "upsd runs as nut, chrooted to /run/nut" '^upsd nut root=/run/nut$'
seen "dummy-ups runs as nut, chrooted to /run/nut" '^dummy-ups nut root=/run/nut$'
tap_unlike "the system's /etc/nut is untouched" "$(find /etc/nut -newer "$T/inside.sh" 2>&1)" '.'
if [ "$TAP_FAILED" -gt 0 ]; then
	tap_diag "$(cat "$T/inside.log")"
	tap_diag "$(cat "$T/driver.log" 2>/dev/null)"
fi
tap_done
