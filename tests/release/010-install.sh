#!/bin/sh
# make install gives a working layout on its own and make uninstall takes it
# back: binaries, samples in the configuration directory with the configured
# paths inside, the state directory root:nut 0770, the firewall profiles; an
# existing configuration is never written.
. "${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/integration/lib.sh"

# make check's variables (TESTS=...) must not reach the make run here.
unset TESTS TEST_LOGS MAKEFLAGS MFLAGS MAKELEVEL DESTDIR
ensure_nut_user
T=$(mktemp -d /tmp/nutsec-install.XXXXXX) || tap_bail "mktemp failed"
chmod 0755 "$T"
B=$top_builddir

# mkvar VAR: a make variable of the build, fully expanded
mkvar() {
	printf 'include Makefile\nprint-%%:\n\t@echo $(%s)\n' "$1" |
		make -s --no-print-directory -C "$B/conf" -f - "print-$1"
}
confpath=$(mkvar confpath)
statepath=$(mkvar statepath)
sbindir=$(mkvar sbindir)
bindir=$(mkvar bindir)
libexecdir=$(mkvar libexecdir)
ufwdir=$(mkvar ufw_appdir)
fwddir=$(mkvar firewalld_servicedir)
[ -n "$confpath" ] && [ -n "$statepath" ] && [ -n "$sbindir" ] ||
	tap_bail "could not read the build's paths from $B/conf/Makefile"

# --- into a DESTDIR, over an existing configuration ---
D=$T/dest
mkdir -p "$D$confpath"
printf '[mine]\n\tdriver = dummy-ups\n\tport = /srv/mine.dev\n' >"$D$confpath/ups.conf"
printf 'LISTEN 127.0.0.1 3493\n' >"$D$confpath/upsd.conf"
cp "$D$confpath/ups.conf" "$T/ups.conf.before"
cp "$D$confpath/upsd.conf" "$T/upsd.conf.before"

if make -s -C "$B" install DESTDIR="$D" >"$T/install.log" 2>&1; then
	tap_ok "make install DESTDIR=... succeeds"
else
	tap_fail "make install DESTDIR=... succeeds"; tap_diag "$(tail -20 "$T/install.log")"
fi

for f in "$sbindir/upsd" "$sbindir/upsdrvctl" "$libexecdir/nutsec/dummy-ups" \
    "$bindir/upsc" "$bindir/upscmd" "$bindir/upsrw"; do
	tap_check "installed and executable: $f" test -x "$D$f"
done

for s in ups.conf upsd.conf upsd.users; do
	f=$D$confpath/$s.sample
	tap_is "$confpath/$s.sample installed, mode 0644" \
		"$(stat -c %a "$f" 2>&1)" 644
	tap_unlike "$s.sample: every @PATH@ substituted" "$(cat "$f" 2>&1)" '@[A-Z_]+@'
done
tap_check "an existing ups.conf is left as it was" cmp -s "$T/ups.conf.before" "$D$confpath/ups.conf"
tap_check "an existing upsd.conf is left as it was" cmp -s "$T/upsd.conf.before" "$D$confpath/upsd.conf"
tap_check "no upsd.users is made from the sample" test ! -e "$D$confpath/upsd.users"

# The demo UPS of the sample names the data file make install put in place.
port=$(sed -n 's/^[[:space:]]*port = \(.*dummy-ups\.dev\)$/\1/p' "$D$confpath/ups.conf.sample")
tap_like "ups.conf.sample names the installed demo data file" "$port" '^/.*/dummy-ups\.dev$'
tap_check "... which exists: $port" test -f "$D$port"
tap_like "upsd.conf.sample names the configured state path" \
	"$(grep '^# STATEPATH ' "$D$confpath/upsd.conf.sample")" "^# STATEPATH $statepath\$"

tap_is "state path $statepath made, mode 0770" "$(stat -c %a "$D$statepath" 2>&1)" 770
tap_like "install under DESTDIR leaves the owner to the packager" \
	"$(cat "$T/install.log")" "$statepath left to the packager"

# Firewall profiles: parsed the way ufw (configparser) and firewalld (XML) do.
if [ "$ufwdir" != no ]; then
	tap_is "ufw profile: app nutsec opens 3493/tcp" "$("$PY" - "$D$ufwdir/nutsec" <<'PYEOF' 2>&1
import configparser, sys
c = configparser.RawConfigParser()
c.read_file(open(sys.argv[1]))
print(c.sections(), c.get("nutsec", "ports"), bool(c.get("nutsec", "title")))
PYEOF
)" "['nutsec'] 3493/tcp True"
fi
if [ "$fwddir" != no ]; then
	tap_is "firewalld service nutsec.xml opens 3493/tcp" "$("$PY" - "$D$fwddir/nutsec.xml" <<'PYEOF' 2>&1
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
print(r.tag, [(p.get("protocol"), p.get("port")) for p in r.findall("port")], bool(r.findtext("short")))
PYEOF
)" "service [('tcp', '3493')] True"
fi

if make -s -C "$B" uninstall DESTDIR="$D" >"$T/uninstall.log" 2>&1; then
	tap_ok "make uninstall DESTDIR=... succeeds"
else
	tap_fail "make uninstall DESTDIR=... succeeds"; tap_diag "$(tail -20 "$T/uninstall.log")"
fi
left=$(cd "$D" && find . ! -type d | sort)
tap_is "uninstall leaves only the administrator's files" "$left" \
	"$(printf '.%s\n.%s' "$confpath/ups.conf" "$confpath/upsd.conf")"
tap_check "uninstall removes the empty state directory" test ! -e "$D$statepath"

# --- as root into the live system (no DESTDIR): the state directory is given
# to the group nut. The paths are moved into the temp dir on the command line.
L=$T/live
set -- prefix="$L/usr" confpath="$L/etc/nut" statepath="$L/run/nut" \
	ufw_appdir="$L/etc/ufw/applications.d" firewalld_servicedir="$L/etc/firewalld/services"
if [ "$(id -u)" -ne 0 ]; then
	tap_skip "live install gives the state directory to root:nut" "not root"
else
	if make -s -C "$B/conf" install "$@" >"$T/live.log" 2>&1; then
		tap_is "live install: state directory root:nut 0770" \
			"$(stat -c '%U:%G %a' "$L/run/nut" 2>&1)" "root:nut 770"
	else
		tap_fail "live install of conf/ succeeds"; tap_diag "$(tail -20 "$T/live.log")"
	fi
	make -s -C "$B/conf" uninstall "$@" >>"$T/live.log" 2>&1
	tap_is "live uninstall leaves no file" "$(find "$L" ! -type d 2>&1)" ""

	# The same as an unprivileged user (a package built without fakeroot):
	# it works, the directory keeps its mode and the owner is left, said so.
	N=$T/user
	mkdir -m 0755 "$N" && chown nut "$N"
	set -- prefix="$N/usr" confpath="$N/etc/nut" statepath="$N/run/nut" \
		ufw_appdir="$N/etc/ufw/applications.d" firewalld_servicedir="$N/etc/firewalld/services"
	if setpriv --reuid=nut --regid=nut --clear-groups \
	    make -s -C "$B/conf" install "$@" >"$T/user.log" 2>&1; then
		tap_is "unprivileged install: state directory made, mode 0770" \
			"$(stat -c '%U %a' "$N/run/nut" 2>&1)" "nut 770"
		tap_like "... and the chown is left to root, said so" "$(cat "$T/user.log")" \
			"not root: run 'chown root:nut $N/run/nut'"
	else
		tap_fail "unprivileged install of conf/ succeeds"; tap_diag "$(tail -20 "$T/user.log")"
	fi
fi
tap_done
