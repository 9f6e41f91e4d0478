#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lab half of `make bench`: one lab run of the bench scenario (two PV
# guests; netfront, xenloop and lo measured in interleaved rounds), then
# its CSVs copied from the run's directory to the output directory,
# plotted, and the ratios against the performance targets printed (and
# kept in lab-ratios.txt there).  Documentation/lab-benchmark.md
# describes the method.
#
# Environment:
#   BENCH_VCPUS  vCPUs per guest (default 1).  Other than 1, the results go
#                to build/bench/vcpus-N/ instead of build/bench/, so that
#                runs at 1 and 2 vCPUs can be kept and compared
#                (selftests/bench/lab-compare.sh build/bench build/bench/vcpus-2)
#   BENCH_OUT    the output directory, overriding the above
#   BENCH_SECS, BENCH_REPS, BENCH_RR, BENCH_DOM0, BENCH_BUSY_US,
#   BENCH_TCP_SIZES, BENCH_UDP_SIZES, BENCH_RR_SIZES, BENCH_MF_FLOWS,
#   BENCH_MF_SIZES, BENCH_MAX_QUEUES
#                the scenario's knobs (selftests/lab/scenarios/bench.sh;
#                lists comma-separated), passed to it through lab.sh's
#                LAB_SCENARIO_ENV; e.g. BENCH_REPS=1 BENCH_SECS=1 for a
#                quick check of the plumbing, whose figures mean nothing
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
vcpus=${BENCH_VCPUS:-1}
[[ $vcpus =~ ^[1-8]$ ]] || { echo "lab-bench: BENCH_VCPUS=$vcpus: want 1 to 8" >&2; exit 2; }
if [ "$vcpus" = 1 ]; then
	O=${BENCH_OUT:-$TOP/build/bench}
else
	O=${BENCH_OUT:-$TOP/build/bench/vcpus-$vcpus}
fi
mkdir -p "$O" "$TOP/build/lab"
stamp=$(mktemp "$TOP/build/lab/.bench-stamp.XXXXXX")
trap 'rm -f "$stamp"' EXIT

env=()
for v in BENCH_SECS BENCH_REPS BENCH_RR BENCH_DOM0 BENCH_BUSY_US BENCH_TCP_SIZES \
	 BENCH_UDP_SIZES BENCH_RR_SIZES BENCH_MF_FLOWS BENCH_MF_SIZES BENCH_MAX_QUEUES; do
	[ -z "${!v:-}" ] || env+=("$v=${!v}")
done

rc=0
LAB_GUEST_VCPUS=$vcpus LAB_SCENARIO_ENV="${env[*]}" \
	"$TOP/selftests/lab/lab.sh" run -g 2 bench || rc=$?
run=$(find "$TOP/build/lab" -maxdepth 1 -name 'bench-*' -newer "$stamp" | sort | tail -n1)
if [ -z "$run" ] || [ ! -s "$run/lab.csv" ]; then
	echo "lab-bench: the lab run left no lab.csv (exit $rc)" >&2
	exit 1
fi
cp "$run/lab.csv" "$O/lab.csv"
for f in lab-counters.csv lab-extra.csv lab-dom0.csv lab-reps.csv lab-meta.txt tap.log; do
	[ -f "$run/$f" ] && cp "$run/$f" "$O/${f/tap.log/lab-tap.log}"
done
echo "lab-bench: $run/lab.csv -> $O/lab.csv ($vcpus vCPU(s) per guest)"
"$TOP/selftests/bench/plot-lab.sh" "$O"
"$TOP/selftests/bench/lab-ratios.sh" "$O" | tee "$O/lab-ratios.txt"
exit $rc
