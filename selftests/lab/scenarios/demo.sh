# SPDX-License-Identifier: GPL-2.0
# lab: no-check
#
# make demo: two guests and their traffic over the normal netfront path,
# with timings.  (When the data path lands, the same workload runs over
# xenloop too, side by side.)
stage "start guests" 300
guest_start g1 pv && guest_start g2 pv
check "g1 and g2 are up" guest_wait g1 g2

stage "latency" 120
rtt=$(on g1 ping -c 20 -i 0.2 "$(guest_ip g2)" | sed -n 's|.*= [0-9.]*/\([0-9.]*\)/.*|\1|p')
check "ping g1 -> g2 (20 packets)" "[ -n '$rtt' ]"

stage "throughput" 600
stream_start demo g1 g2 7100 -n $((256 * 1024 * 1024)) &&
	stream_verify "256 MiB TCP g1 -> g2 verified" g1 g2 demo $((256 * 1024 * 1024)) 500
mbit=$(on g2 cat /tmp/demo.recv | _lab_field mbit)

diag ""
diag "path      | TCP throughput (Mbit/s) | ping RTT avg (ms)"
diag "----------+-------------------------+------------------"
diag "$(printf 'netfront  | %23s | %17s' "${mbit:-?}" "${rtt:-?}")"
diag "xenloop   | (data path not implemented yet: issue 6)"
diag ""
diag "dom0 vif counters:"
for v in $(ls /sys/class/net | grep '^vif'); do
	diag "$(printf '%-8s rx %12s bytes  tx %12s bytes' "$v" \
		"$(cat /sys/class/net/$v/statistics/rx_bytes)" \
		"$(cat /sys/class/net/$v/statistics/tx_bytes)")"
done
