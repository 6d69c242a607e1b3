#!/bin/sh
# nutsec tests - 060-config: upsd -t / -T. A good configuration prints
# "configuration OK"; a bad one names file:line; -T masks secrets; a duplicate
# [user] is an error; a world-readable upsd.users warns with the chmod fix.
. "${top_srcdir:-$(dirname "$0")/../..}/tests/integration/lib.sh"

need_exe upsd "$UPSD"
nut_setup
if ! "$UPSD" -h 2>&1 | grep -q -- '-t '; then
	echo "1..0 # SKIP $UPSD has no -t (not nutsec's upsd)"
	exit 0
fi

# run_t ARGS: runs upsd ARGS, output (stdout+stderr) in OUT, status in RC
run_t() {
	OUT=$("$UPSD" "$@" 2>&1)
	RC=$?
}

run_t -t
tap_is "good config: upsd -t exits 0" "$RC" 0
tap_like "good config: configuration OK" "$OUT" '^configuration OK$'
tap_unlike "upsd -t starts no daemon" "$(nut_req -t 1 NETVER 2>&1)" '^1\.3$'

# a bad directive value in upsd.conf line 3
cp "$CONF/upsd.conf" "$T/upsd.conf.good"
printf '# comment\nLISTEN 127.0.0.1 %s\nMAXAGE abc\n' "$PORT" > "$CONF/upsd.conf"
run_t -t
tap_unlike "bad upsd.conf: upsd -t fails" "$RC" '^0$'
tap_like "bad upsd.conf: names upsd.conf:3" "$OUT" 'upsd\.conf:3'
tap_unlike "bad upsd.conf: no configuration OK" "$OUT" '^configuration OK$'
# an unknown directive
printf 'LISTEN 127.0.0.1 %s\nNOSUCHDIRECTIVE 1\n' "$PORT" > "$CONF/upsd.conf"
run_t -t
tap_like "unknown directive in upsd.conf: named with file:line" "$OUT" 'upsd\.conf:2'
cp "$T/upsd.conf.good" "$CONF/upsd.conf"

# duplicate [user] (NUT applies the second section to the first user: bug 7)
cp "$CONF/upsd.users" "$T/upsd.users.good"
printf '\n[%s]\n\tpassword = other\n\tactions = SET\n' "$SEC_USER" >> "$CONF/upsd.users"
run_t -t
tap_unlike "duplicate [user]: upsd -t fails" "$RC" '^0$'
tap_like "duplicate [user]: names upsd.users and a line" "$OUT" 'upsd\.users:[0-9]+'
cp "$T/upsd.users.good" "$CONF/upsd.users"

# a broken ups.conf line
cp "$CONF/ups.conf" "$T/ups.conf.good"
printf '[other]\n\tdriver = dummy-ups\n\tport = "unterminated\n' >> "$CONF/ups.conf"
run_t -t
tap_unlike "unterminated quote in ups.conf: upsd -t fails" "$RC" '^0$'
tap_like "unterminated quote in ups.conf: names ups.conf" "$OUT" 'ups\.conf(:[0-9]+)?'
cp "$T/ups.conf.good" "$CONF/ups.conf"

# missing ups.conf
mv "$CONF/ups.conf" "$T/ups.conf.moved"
run_t -t
tap_unlike "missing ups.conf: upsd -t fails" "$RC" '^0$'
tap_like "missing ups.conf: names the file" "$OUT" 'ups\.conf'
mv "$T/ups.conf.moved" "$CONF/ups.conf"

# world-readable upsd.users: a warning naming the file and chmod 640
chmod 0644 "$CONF/upsd.users"
run_t -t
tap_like "world-readable upsd.users: warning names the file" "$OUT" "$CONF/upsd\\.users"
tap_like "world-readable upsd.users: warning says chmod 640" "$OUT" 'chmod 0?640'
chmod 0640 "$CONF/upsd.users"
run_t -t
tap_unlike "upsd.users 0640: no chmod warning" "$OUT" 'chmod'

# -T: the effective configuration with secrets masked
run_t -T
tap_is "upsd -T exits 0" "$RC" 0
tap_like "upsd -T shows the users" "$OUT" "$ADMIN_USER"
tap_like "upsd -T shows MAXAGE or LISTEN" "$OUT" "(LISTEN|MAXAGE)"
tap_unlike "upsd -T masks passwords" "$OUT" "($ADMIN_PASS|$PRI_PASS|$SEC_PASS|$VIEW_PASS)"
tap_done
