#!/bin/sh
# Runs libFuzzer targets for a fixed wall-clock time each, N at a time, then
# minimises what each grew into its kept corpus (-merge=1) and prints one
# summary line per target. Run it in the build's tests/fuzz directory (built
# with --enable-fuzzing, see docs/fuzzing.md):
#   sh ../../../tests/fuzz/session.sh [-j N] [-t SECONDS] target...
# Work files go to ./session/<target>/ (fuzz.log, grown corpus, crash-*).
# The kept corpus is $srcdir/corpus/<target> ($srcdir defaults to the
# directory of this script); it only ever gains inputs.
jobs=2 secs=600
while getopts j:t: opt; do
	case $opt in
	j) jobs=$OPTARG ;;
	t) secs=$OPTARG ;;
	*) echo "usage: $0 [-j N] [-t SECONDS] target..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -gt 0 ] || { echo "usage: $0 [-j N] [-t SECONDS] target..." >&2; exit 2; }
srcdir=${srcdir:-$(cd "$(dirname "$0")" && pwd)}

# One target: fuzz into a fresh directory seeded from the kept corpus, then
# merge what it found back. Prints "target wall execs exec/s cov ft before
# after crashes".
one() {
	t=$1 w=session/$1
	kept=$srcdir/corpus/$t
	rm -rf "$w" && mkdir -p "$w/grown" || return 1
	before=$(ls "$kept" | wc -l)
	start=$(date +%s)
	nice -n 19 "./fuzz_$t" -max_total_time="$secs" -timeout=10 -print_final_stats=1 \
	    -artifact_prefix="$w/" "$w/grown" "$kept" >"$w/fuzz.log" 2>&1
	rc=$?
	wall=$(($(date +%s) - start))
	nice -n 19 "./fuzz_$t" -merge=1 "$kept" "$w/grown" >"$w/merge.log" 2>&1
	after=$(ls "$kept" | wc -l)
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/fuzz.log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$w/fuzz.log")
	cov=$(grep -E '^#[0-9]+' "$w/fuzz.log" | grep -o 'cov: [0-9]*' | tail -1 | cut -d' ' -f2)
	ft=$(grep -E '^#[0-9]+' "$w/fuzz.log" | grep -o 'ft: [0-9]*' | tail -1 | cut -d' ' -f2)
	crashes=$(ls "$w" | grep -cE '^(crash|leak|timeout|oom)-')
	echo "$t ${wall}s ${execs:-?} ${rate:-?} ${cov:-?} ${ft:-?} $before $after $crashes rc=$rc"
}

echo "# $(date -u '+%Y-%m-%d %H:%M UTC') $(uname -srm), $(nproc) cpus, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# target wall execs exec/s cov ft corpus-before corpus-after crashes"
running=0
for t in "$@"; do
	one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
done
wait
echo "# done $(date -u '+%H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg)"
