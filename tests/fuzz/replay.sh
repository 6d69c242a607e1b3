#!/bin/sh
# Replays each fuzz target's seed corpus (tests/fuzz/corpus/<target>/) through
# the target linked with replay.c, every input whole and truncated. TAP.
n=0 fail=0
for t in tok conf sockproto devfile dispatch msg upssched upslog hid tokdiff upscli drvside; do
	n=$((n + 1))
	if out=$(./replay_$t "$srcdir/corpus/$t" 2>&1); then
		echo "ok $n - fuzz corpus replay: $t ($(echo "$out" | sed -n 's/^ok 1 - //p'))"
	else
		fail=1
		echo "not ok $n - fuzz corpus replay: $t"
		echo "$out" | sed 's/^/# /' | tail -20
	fi
done
echo "1..$n"
exit $fail
