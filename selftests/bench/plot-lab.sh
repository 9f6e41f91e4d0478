#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plot the lab benchmark's CSV (selftests/lab/scenarios/bench.sh) with
# gnuplot (gnuplot-nox):
#   DIR/lab-throughput.png  TCP and UDP Mbit/s against message size, per path
#   DIR/lab-latency.png     request/response latency bars, per path
#
#   plot-lab.sh [DIR]       default build/bench; reads DIR/lab.csv
set -euo pipefail

dir=${1:-build/bench}
csv=$dir/lab.csv
tmp=$dir/plot-lab
[ -f "$csv" ] || { echo "plot-lab: no $csv" >&2; exit 1; }
mkdir -p "$tmp"
rm -f "$tmp"/*.dat

# One "size value" file per benchmark and path.
awk -F, 'NR > 1 && $4 != "" { print $3, $4 > ("'"$tmp"'/" $1 "-" $2 ".dat") }' "$csv"

series() { # BENCH: a plot clause per path that has data
	local b=$1 p s=
	for p in xenloop netfront lo; do
		[ -f "$tmp/$b-$p.dat" ] || continue
		s="$s${s:+, }\"$tmp/$b-$p.dat\" with linespoints lw 2 pt 7 title \"$p\""
	done
	echo "${s:-NaN notitle}"
}

gnuplot <<GP
set terminal pngcairo size 1100,900 font ",10"
set output "$dir/lab-throughput.png"
set logscale x 2
set xtics ("64" 64, "256" 256, "1K" 1024, "4K" 4096, "8K" 8192, "16K" 16384, "64K" 65536)
set xrange [45:92000]
set yrange [0:*]
set grid
set key top left
set multiplot layout 2,1 title "xenloop lab benchmark (Xen 4.17 in QEMU TCG), one run: throughput by message size"
set title "TCP (write size; the receiver's count)"
set ylabel "Mbit/s"
plot $(series tcp_stream)
set title "UDP (datagram size; bytes received)"
set xlabel "message size, bytes"
plot $(series udp_stream)
unset multiplot
GP

# Latency: one row per benchmark and size, one column per path.
lat=$tmp/latency.dat
awk -F, 'NR > 1 && $5 == "us" {
	k = $1 " " $3
	if (!(k in seen)) { seen[k] = 1; order[n++] = k }
	v[k, $2] = $4
} END {
	print "case xenloop netfront lo"
	for (i = 0; i < n; i++) {
		split(order[i], a, " ")
		sub(/_rr$/, "", a[1])
		printf "%s-%sB", toupper(a[1]), a[2]
		printf " %s %s %s\n", (order[i], "xenloop") in v ? v[order[i], "xenloop"] : "NaN",
			(order[i], "netfront") in v ? v[order[i], "netfront"] : "NaN",
			(order[i], "lo") in v ? v[order[i], "lo"] : "NaN"
	}
}' "$csv" > "$lat"

gnuplot <<GP
set terminal pngcairo size 1000,550 font ",10"
set output "$dir/lab-latency.png"
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key top left autotitle columnheader
set logscale y 10
set ylabel "mean round trip, us, log scale (lower is better)"
set title "xenloop lab benchmark: request/response latency (xlmsg rr, verified)"
plot "$lat" using 2:xtic(1), "" using 3, "" using 4
GP
echo "plot: $dir/lab-throughput.png"
echo "plot: $dir/lab-latency.png"
