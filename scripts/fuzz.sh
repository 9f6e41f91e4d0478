#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build and run the FIFO fuzz harnesses (selftests/fuzz/) for SECONDS each,
# side by side on two cores, and print one TAP result per harness:
#   ok 1 - fuzz_fifo_rx: 60 s, 123456 execs, no crash
#
#   scripts/fuzz.sh [SECONDS]       default $FUZZ_SECONDS, else 300
#
# Each harness starts from the seeds in selftests/fuzz/corpus/<harness>/
# (read only) plus what earlier runs found, kept in build/fuzz/corpus/.
# A crash, a leak or a timeout leaves its reproducer in build/fuzz/
# (<harness>-crash-*, -leak-*, -timeout-*); replay it with
#   build/fuzz/bin/<harness> build/fuzz/<harness>-crash-...
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
secs=${1:-${FUZZ_SECONDS:-300}}
harnesses=(fuzz_fifo_rx fuzz_fifo_tx)
OUT=$TOP/build/fuzz

echo "TAP version 13"
echo "1..${#harnesses[@]}"
if ! [[ $secs =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
	echo "Bail out! FUZZ_SECONDS must be a positive integer, not '$secs'"
	exit 1
fi
mkdir -p "$OUT"
if ! make -s -C selftests/fuzz > "$OUT/build.log" 2>&1; then
	for i in "${!harnesses[@]}"; do
		echo "not ok $((i + 1)) - ${harnesses[$i]}: build failed"
	done
	sed 's/^/# /' "$OUT/build.log" | tail -n 30
	exit 1
fi

pids=()
for h in "${harnesses[@]}"; do
	mkdir -p "$OUT/corpus/$h"
	rm -f "$OUT/$h".log
	# New inputs go to the first directory only: never the repo's seeds.
	"$OUT/bin/$h" "$OUT/corpus/$h" "selftests/fuzz/corpus/$h" \
		-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$OUT/$h-" \
		> "$OUT/$h.log" 2>&1 &
	pids+=($!)
done

failed=0
for i in "${!harnesses[@]}"; do
	h=${harnesses[$i]}
	wait "${pids[$i]}"
	rc=$?
	log=$OUT/$h.log
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
	artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n1)
	if [ $rc -eq 0 ] && [ -z "$artifact" ]; then
		echo "ok $((i + 1)) - $h: $secs s, ${execs:-?} execs, no crash"
		echo "# $h: ${rate:-?} execs/s, corpus $(ls "$OUT/corpus/$h" | wc -l) files"
	else
		echo "not ok $((i + 1)) - $h: ${artifact:+reproducer $artifact, }exit $rc, log $log"
		# The verdict and the frames in our own code.
		grep -E 'invariant violated|ERROR:|SUMMARY:|(fifo|fuzz_fifo_[rt]x)\.c' \
			"$log" | head -n 16 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
done
[ $failed -eq 0 ]
