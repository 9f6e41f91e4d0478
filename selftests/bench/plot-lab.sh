#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Plot the lab benchmark's CSV (selftests/lab/scenarios/bench.sh) with
# gnuplot (gnuplot-nox):
#   DIR/lab-throughput.png  TCP and UDP Mbit/s against message size, per
#                           path; TCP over several connections at once
#   DIR/lab-latency.png     request/response latency bars, per path
#
#   plot-lab.sh [DIR]       default build/bench; reads DIR/lab.csv
#
# When lab.csv has min and max columns (each figure the median of several
# rounds), every point and bar gets an error bar from the smallest to the
# largest round; an older lab.csv without them plots as before.
set -euo pipefail

dir=${1:-build/bench}
csv=$dir/lab.csv
tmp=$dir/plot-lab
[ -f "$csv" ] || { echo "plot-lab: no $csv" >&2; exit 1; }
mkdir -p "$tmp"
rm -f "$tmp"/*.dat

# One "size value min max" file per benchmark and path.
awk -F, 'NR > 1 && $4 != "" {
	lo = NF >= 7 && $6 != "" ? $6 : $4
	hi = NF >= 7 && $7 != "" ? $7 : $4
	print $3, $4, lo, hi > ("'"$tmp"'/" $1 "-" $2 ".dat")
}' "$csv"

# series BENCH [LABEL [DASH]]: a plot clause per path that has data,
# titled with the path (and LABEL); each path keeps its colour in every
# panel, DASH (a gnuplot dash type) tells series of one path apart.
series() {
	local b=$1 p s='' c=0
	for p in xenloop netfront lo; do
		c=$((c + 1))
		[ -f "$tmp/$b-$p.dat" ] || continue
		s="$s${s:+, }\"$tmp/$b-$p.dat\" using 1:2:3:4 with yerrorlines lw 2 pt 7 lc $c dt ${3:-1} title \"$p${2:+ $2}\""
	done
	echo "$s"
}
# The several-connection rows, one series per connection count and path.
flows=$(awk -F, 'NR > 1 && $1 ~ /^tcp_stream_[0-9]+flows$/ { print $1 }' "$csv" |
	sort -u -t_ -k3n)
mf='' dt=0
for b in $flows; do
	n=${b#tcp_stream_} dt=$((dt + 1))
	s=$(series "$b" "(${n%flows} connections)" $dt)
	mf="$mf${mf:+, }$s"
done
tcp=$(series tcp_stream) udp=$(series udp_stream)
# Only a CSV with several-connection rows gets their panel.
layout=2 udp_xlabel='set xlabel "message size, bytes"' mf_panel=
if [ -n "$mf" ]; then
	layout=3 udp_xlabel=
	mf_panel="set title \"TCP, several connections at once (write size; the receivers' counts summed)\"
set xlabel \"message size, bytes\"
plot $mf"
fi

gnuplot <<GP
set terminal pngcairo size 1100,$((450 * layout)) font ",10"
set output "$dir/lab-throughput.png"
set logscale x 2
set xtics ("64" 64, "256" 256, "1K" 1024, "4K" 4096, "8K" 8192, "16K" 16384, "64K" 65536)
set xrange [45:92000]
set yrange [0:*]
set grid
set key top left
set multiplot layout $layout,1 title "xenloop lab benchmark (Xen 4.17 in QEMU TCG), one run: throughput by message size"
set title "TCP, one connection (write size; the receiver's count)"
set ylabel "Mbit/s"
plot ${tcp:-NaN notitle}
set title "UDP (datagram size; bytes received)"
$udp_xlabel
plot ${udp:-NaN notitle}
$mf_panel
unset multiplot
GP

# Latency: one row per benchmark and size, per path its value, min and
# max.
lat=$tmp/latency.dat
awk -F, 'NR > 1 && $5 == "us" {
	k = $1 " " $3
	if (!(k in seen)) { seen[k] = 1; order[n++] = k }
	v[k, $2] = $4
	lo[k, $2] = NF >= 7 && $6 != "" ? $6 : $4
	hi[k, $2] = NF >= 7 && $7 != "" ? $7 : $4
} END {
	print "# case xenloop min max netfront min max lo min max"
	for (i = 0; i < n; i++) {
		split(order[i], a, " ")
		sub(/_rr/, "", a[1])
		gsub(/_/, "-", a[1])
		printf "%s-%sB", toupper(a[1]), a[2]
		for (j = 1; j <= 3; j++) {
			p = j == 1 ? "xenloop" : (j == 2 ? "netfront" : "lo")
			if ((order[i], p) in v)
				printf " %s %s %s", v[order[i], p], lo[order[i], p], hi[order[i], p]
			else
				printf " NaN NaN NaN"
		}
		printf "\n"
	}
}' "$csv" > "$lat"

gnuplot <<GP
set terminal pngcairo size 1300,600 font ",10"
set output "$dir/lab-latency.png"
set termoption noenhanced
set style data histograms
set style histogram errorbars gap 1 lw 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set grid ytics
set key top left
set logscale y 10
set xtics rotate by -30
set ylabel "mean round trip, us, log scale (lower is better)"
set title "xenloop lab benchmark: request/response latency (xlmsg rr, verified; bars: median, whiskers: min to max)"
plot "$lat" using 2:3:4:xtic(1) title "xenloop", "" using 5:6:7 title "netfront", "" using 8:9:10 title "lo"
GP
echo "plot: $dir/lab-throughput.png"
echo "plot: $dir/lab-latency.png"
