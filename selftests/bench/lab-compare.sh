#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Two lab benchmark runs side by side, e.g. guests with 1 and with 2 vCPUs
# (scripts/lab-bench.sh: BENCH_VCPUS=2 writes build/bench/vcpus-2/):
#
#   lab-compare.sh DIR_A DIR_B
#
# For every benchmark, path and size in either lab.csv (DIR_A's order
# first): A's figure, B's and B/A, with each figure's min-max when the
# CSVs have them.  Absolute
# figures of two lab runs move with the host's load (both runs share
# nothing but the host); the xenloop/netfront ratio within each run, also
# printed, is the comparison that survives that.
set -euo pipefail

[ $# = 2 ] || { sed -n '4,7p' "$0" | sed 's/^# *//' >&2; exit 2; }
for d in "$1" "$2"; do
	[ -f "$d/lab.csv" ] || { echo "lab-compare: no $d/lab.csv" >&2; exit 1; }
	if [ -f "$d/lab-meta.txt" ]; then
		echo "$d: $(sed -n 's/^guest_vcpus=/vCPUs per guest: /p' "$d/lab-meta.txt")"
	else
		echo "$d: no lab-meta.txt (a run from before it was written: 1 vCPU per guest)"
	fi
done
awk -F, 'FNR == 1 { file++; next }
	{ k = $1 "," $3 "," $2; f = file == 1 ? "a" : "b"
	  if (!(k in seen)) { seen[k] = 1; order[n++] = k }
	  v[f, k] = $4; unit[k] = $5
	  r[f, k] = NF >= 7 ? $6 "-" $7 : "" }
	function ratio(x, y) { return (x > 0 && y > 0) ? sprintf("%.2f", y / x) : "?" }
	function xn(f, k,   s, x, nf) {
		split(k, s, ","); x = v[f, s[1] "," s[2] ",xenloop"]; nf = v[f, s[1] "," s[2] ",netfront"]
		return (x > 0 && nf > 0) ? sprintf("%.2f", x / nf) : "?"
	}
	END {
		printf "%-21s %6s %-8s %10s %10s %6s %8s %8s  %s\n", "benchmark", "size", "path",
			"A", "B", "B/A", "A xl/nf", "B xl/nf", "A min-max | B min-max"
		for (i = 0; i < n; i++) {
			k = order[i]; split(k, s, ",")
			printf "%-21s %6s %-8s %10s %10s %6s %8s %8s  %s | %s %s\n", s[1], s[2], s[3],
				(("a", k) in v) ? v["a", k] : "-", (("b", k) in v) ? v["b", k] : "-",
				ratio(v["a", k], v["b", k]),
				s[3] == "xenloop" ? xn("a", k) : "", s[3] == "xenloop" ? xn("b", k) : "",
				r["a", k], r["b", k], unit[k]
		}
	}' "$1/lab.csv" "$2/lab.csv"
