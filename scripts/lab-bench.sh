#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The lab half of `make bench`: one lab run of the bench scenario (two PV
# guests; lo, netfront and xenloop measured in it), then its CSVs copied
# from the run's directory to build/bench/, plotted, and the ratios
# against the performance targets printed (and kept in build/bench/lab-ratios.txt).
# Documentation/lab-benchmark.md describes the method.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
O=$TOP/build/bench
mkdir -p "$O" "$TOP/build/lab"
stamp=$(mktemp "$TOP/build/lab/.bench-stamp.XXXXXX")
trap 'rm -f "$stamp"' EXIT

rc=0
"$TOP/selftests/lab/lab.sh" run -g 2 bench || rc=$?
run=$(find "$TOP/build/lab" -maxdepth 1 -name 'bench-*' -newer "$stamp" | sort | tail -n1)
if [ -z "$run" ] || [ ! -s "$run/lab.csv" ]; then
	echo "lab-bench: the lab run left no lab.csv (exit $rc)" >&2
	exit 1
fi
cp "$run/lab.csv" "$O/lab.csv"
for f in lab-counters.csv lab-extra.csv lab-dom0.csv lab-reps.csv tap.log; do
	[ -f "$run/$f" ] && cp "$run/$f" "$O/${f/tap.log/lab-tap.log}"
done
echo "lab-bench: $run/lab.csv -> $O/lab.csv"
"$TOP/selftests/bench/plot-lab.sh" "$O"
"$TOP/selftests/bench/lab-ratios.sh" "$O" | tee "$O/lab-ratios.txt"
exit $rc
