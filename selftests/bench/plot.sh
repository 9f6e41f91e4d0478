#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plot the benchmark's CSVs with gnuplot (gnuplot-nox):
#   DIR/fifo.png           GB/s and Mrec/s against record size, per path
#   DIR/fifo-ringsize.png  GB/s against data area size, per record size
#
#   plot.sh [DIR]          default build/bench
set -euo pipefail

dir=${1:-build/bench}
csv=$dir/fifo.csv
ring=$dir/fifo-ringsize.csv
tmp=$dir/plot
mkdir -p "$tmp"

# One "x y" file per series: gnuplot then draws each as a connected line.
split() { # split CSV KEYCOL OUTPREFIX: rows grouped by column KEYCOL and unit
	awk -F, -v key="$2" -v out="$3" 'NR > 1 {
		u = $5 == "GB/s" ? "gbs" : "mrec"
		print $3, $4 > (out "-" $key "-" u ".dat")
	}' "$1"
}
rm -f "$tmp"/*.dat
split "$csv" 2 "$tmp/size"

gnuplot <<GP
set terminal pngcairo size 1100,900 font ",10"
set output "$dir/fifo.png"
set datafile separator " "
set logscale x 2
set xtics ("64" 64, "256" 256, "1500" 1500, "4K" 4096, "16K" 16384, "64K" 65536)
set xrange [45:92000]
set grid
set key top left
set multiplot layout 2,1 title "xenloop FIFO, median of repeated runs (make bench)"
set ylabel "GB/s (payload)"
set title "Throughput by record size"
plot "$tmp/size-memcpy-gbs.dat" with linespoints lw 2 title "memcpy (1 core)", \
     "$tmp/size-fifo-threads-gbs.dat" with linespoints lw 2 title "fifo, 2 threads", \
     "$tmp/size-fifo-procs-gbs.dat" with linespoints lw 2 title "fifo, 2 processes"
set title "Records per second by record size"
set ylabel "Mrec/s"
set xlabel "record payload, bytes"
set logscale y 10
set key top right
plot "$tmp/size-memcpy-mrec.dat" with linespoints lw 2 title "memcpy (1 core)", \
     "$tmp/size-fifo-threads-mrec.dat" with linespoints lw 2 title "fifo, 2 threads", \
     "$tmp/size-fifo-procs-mrec.dat" with linespoints lw 2 title "fifo, 2 processes"
unset multiplot
GP

if [ -f "$ring" ]; then
	# Ring-size sweep: one series per record size, x = area bytes.
	awk -F, 'NR > 1 && $5 == "GB/s" {
		sub(/^ring_/, "", $1)
		print $1, $4 > ("'"$tmp"'/ring-" $3 ".dat")
	}' "$ring"
	plots=
	for f in "$tmp"/ring-*.dat; do
		n=${f##*/ring-}
		n=${n%.dat}
		plots="$plots${plots:+, }\"$f\" with linespoints lw 2 title \"$n-byte records\""
	done
	gnuplot <<GP
set terminal pngcairo size 1000,500 font ",10"
set output "$dir/fifo-ringsize.png"
set logscale x 2
set xrange [45000:24000000]
set xtics ("64K" 65536, "128K" 131072, "256K" 262144, "1M" 1048576, "4M" 4194304, "16M" 16777216)
set grid
set key top right
set title "FIFO throughput by data area size (2 threads)"
set xlabel "data area, bytes"
set ylabel "GB/s (payload)"
set yrange [0:*]
plot $plots
GP
fi
echo "plot: $dir/fifo.png"
[ -f "$ring" ] && echo "plot: $dir/fifo-ringsize.png"
exit 0
