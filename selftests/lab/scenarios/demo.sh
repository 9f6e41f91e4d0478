# SPDX-License-Identifier: GPL-2.0
# lab: no-check
#
# make demo: two guests run the same workload twice, first over the normal
# netfront path (module not loaded), then over xenloop (module loaded in
# both, xenloopd in dom0), and the results are printed side by side:
# verified TCP throughput (xlstream, 256 MiB), request/response latency
# (xlmsg, every echoed byte compared) for UDP and TCP at 64 B and 16 KiB,
# and ping.  Then xenloop0's counters (ip -s link, ethtool -S) and dom0's
# vif counters show where the bytes went.
#
# Absolute numbers under QEMU TCG mean little; the ratio between the two
# rows of one run is what the demo is for.
BULK=$((256 * 1024 * 1024))

stage "start guests" 300
guest_start g1 pv && guest_start g2 pv
check "g1 and g2 are up" guest_wait g1 g2
G2=$(guest_ip g2)
on g2 "xlmsg serve -p 7300 > /tmp/xlmsg.log 2>&1 &"

# run_workload PATH: fills r_<PATH>_{mbit,udp64,udp16k,tcp64,tcp16k,ping}
rr_us() {
	on g1 "xlmsg rr $1 -n $2 -s $3 $G2" | sed -n 's/.*rtt_us=\([0-9.]*\).*/\1/p'
}
run_workload() {
	local p=$1 v0 mbit
	v0=$(vif_sum bytes)
	on g1 "ping -c 1 -W 5 $G2" > /dev/null
	eval "r_${p}_ping=\$(on g1 ping -c 20 -i 0.2 $G2 | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')"
	eval "r_${p}_udp64=\$(rr_us -u 200 64)"
	eval "r_${p}_udp16k=\$(rr_us -u 100 16384)"
	eval "r_${p}_tcp64=\$(rr_us -t 200 64)"
	eval "r_${p}_tcp16k=\$(rr_us -t 100 16384)"
	if stream_start "demo$p" g1 g2 7100 -n $BULK &&
	   stream_verify "256 MiB TCP g1 -> g2 over $p: verified" g1 g2 "demo$p" $BULK 800; then
		mbit=$(on g2 cat /tmp/demo$p.recv | _lab_field mbit)
	fi
	eval "r_${p}_mbit=${mbit:-?}"
	eval "r_${p}_vif=$(( $(vif_sum bytes) - v0 ))"
}

stage "workload over netfront (module not loaded)" 900
run_workload netfront

stage "load xenloop" 300
check "xenloopd starts" xenloopd_start
check_on g1 "g1 loads the module" modprobe xenloop
check_on g2 "g2 loads the module" modprobe xenloop
check_wait "channel up in both guests" 120 "dp_chan g1 g2 && dp_chan g2 g1"

stage "workload over xenloop" 900
run_workload xenloop

stage "results" 120
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a > 0 && b > 0) printf "%.1fx", a / b; else print "?" }'; }
diag ""
diag "path     | TCP Mbit/s | UDP RR 64 B us | UDP RR 16 KiB us | TCP RR 64 B us | TCP RR 16 KiB us | ping ms | dom0 vif bytes"
diag "---------+------------+----------------+------------------+----------------+------------------+---------+---------------"
val() { eval "echo \${r_$1_$2:-?}"; }
for p in netfront xenloop; do
	diag "$(printf '%-8s | %10s | %14s | %16s | %14s | %16s | %7s | %s' $p \
		"$(val $p mbit)" "$(val $p udp64)" "$(val $p udp16k)" "$(val $p tcp64)" \
		"$(val $p tcp16k)" "$(val $p ping)" "$(val $p vif)")"
done
diag "$(printf '%-8s | %10s | %14s | %16s | %14s | %16s | %7s |' ratio \
	"$(ratio "$r_xenloop_mbit" "$r_netfront_mbit")" \
	"$(ratio "$r_netfront_udp64" "$r_xenloop_udp64")" \
	"$(ratio "$r_netfront_udp16k" "$r_xenloop_udp16k")" \
	"$(ratio "$r_netfront_tcp64" "$r_xenloop_tcp64")" \
	"$(ratio "$r_netfront_tcp16k" "$r_xenloop_tcp16k")" \
	"$(ratio "$r_netfront_ping" "$r_xenloop_ping")")"
diag "(ratio: throughput xenloop/netfront, latencies netfront/xenloop)"
diag ""
for g in g1 g2; do
	diag "$g: ip -s link show xenloop0"
	on $g /usr/sbin/ip -s link show xenloop0 2>&1 | sed 's/^/    /' | while read -r l; do diag "$l"; done
	eth_diag $g
done
diag "dom0 vif counters:"
for v in $(ls /sys/class/net | grep '^vif'); do
	diag "$(printf '%-8s rx %12s bytes  tx %12s bytes' "$v" \
		"$(cat /sys/class/net/$v/statistics/rx_bytes)" \
		"$(cat /sys/class/net/$v/statistics/tx_bytes)")"
done
check "xenloop moved the second run (dom0 vifs carried < 1 MiB of it: $r_xenloop_vif bytes)" \
	"[ '$r_xenloop_vif' -lt 1048576 ]"
xenloopd_stop
