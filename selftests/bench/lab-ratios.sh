#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Ratios of the lab benchmark against the project's performance targets:
#   throughput  xenloop/netfront >= 6 at every size (and never below 1),
#               xenloop/lo >= 0.8
#   latency     xenloop/netfront <= 0.2
#
#   lab-ratios.sh [DIR]    reads DIR/lab.csv (default build/bench), prints
#                          the table; exit 0 whatever was met (a benchmark
#                          reports, the lab scenario checks that it ran)
#
# The multi-connection rows (tcp_stream_Nflows) are held to the throughput
# targets, the busy-polling rows (*_rr_busypoll) to the latency target.
# A lab.csv with min and max columns (each figure the median of several
# rounds) adds xenloop's and netfront's range, smallest to largest, so
# that a ratio can be read against the spread behind it.
set -euo pipefail

dir=${1:-build/bench}
awk -F, 'NR > 1 {
	k = $1 "," $3
	if (!(k in seen)) { seen[k] = 1; order[n++] = k }
	v[k, $2] = $4
	unit[k] = $5
	if (NF >= 7) { rng[k, $2] = $6 "-" $7; ranges = 1 }
	if ($1 ~ /_busypoll$/) busy = 1
} function r(a, b) { return (a > 0 && b > 0) ? a / b : -1 }
function f(x) { return x < 0 ? "?" : sprintf("%.2f", x) }
function range(k, p) { return ranges ? sprintf(" %19s", (k, p) in rng ? rng[k, p] : "?") : "" }
END {
	# The unit is the last column unless the ranges follow it.
	fmt = "%-19s %6s %10s %10s %10s %8s %-14s %8s %-9s " (ranges ? "%-6s" : "%s") "%s%s\n"
	printf fmt, "benchmark", "size",
		"xenloop", "netfront", "lo", "xl/nf", "target", "xl/lo", "target", "unit",
		ranges ? sprintf(" %19s", "xenloop min-max") : "",
		ranges ? sprintf(" %19s", "netfront min-max") : ""
	for (i = 0; i < n; i++) {
		k = order[i]
		split(k, a, ",")
		x = v[k, "xenloop"]; nf = v[k, "netfront"]; lo = v[k, "lo"]
		rn = r(x, nf); rl = r(x, lo)
		if (unit[k] == "us") {
			tn = rn < 0 ? "?" : (rn <= 0.2 ? "met (<=0.2)" : "MISSED (<=0.2)")
			tl = "-"
		} else {
			tn = rn < 0 ? "?" : (rn >= 6 ? "met (>=6)" : (rn >= 1 ? "MISSED (>=6)" : "MISSED (<1!)"))
			tl = rl < 0 ? "?" : (rl >= 0.8 ? "met" : "MISSED")
		}
		printf fmt, a[1], a[2],
			x, nf, lo, f(rn), tn, f(rl), tl, unit[k], range(k, "xenloop"), range(k, "netfront")
	}
	print "(throughput: Mbit/s, higher is better; latency: us per round trip, lower is better)"
	if (ranges) print "(each figure the median of its rounds; min-max: the smallest and largest round)"
	if (busy) print "(*_rr_busypoll: xl/nf against netfront busy-polling too; its plain *_rr row is the other reference)"
}' "$dir/lab.csv"
