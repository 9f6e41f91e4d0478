# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
# lab: no-check
#
# make bench, the lab part (Documentation/lab-benchmark.md): one lab run,
# two PV guests, the same measurements over three paths from g1:
#
#   netfront  g1 to g2 through netfront/netback/the bridge (module not
#             loaded in either guest)
#   xenloop   g1 to g2 with the module in both and xenloopd in dom0, after
#             checking that the channel is connected
#   lo        g1 to itself over 127.0.0.1 (module not loaded)
#
# The paths are measured in BENCH_REPS rounds, each round every workload
# over netfront, then over xenloop (the module loaded in both guests for
# it and unloaded after), then over lo: the host's load drifts during a
# run, and interleaving spreads that drift over the three paths instead
# of charging it to whichever ran last.  Each figure is the median of its
# rounds, with the smallest and largest.
#
# Workloads: TCP throughput at 64 B, 1 KiB, 16 KiB and 64 KiB writes and
# UDP throughput at 64 B, 1 KiB and 8 KiB datagrams (xlperf, BENCH_SECS
# seconds each, the receiver's count); TCP throughput over 4 and 8
# connections at once (BENCH_MF_FLOWS) at 1 KiB and 64 KiB writes
# (BENCH_MF_SIZES), the receivers' counts summed; TCP and UDP
# request/response latency at 64 B and 1 KiB (xlmsg rr, BENCH_RR
# verified rounds, mean), measured first, on a quiet system, then with
# busy polling (net.core.busy_read and busy_poll at BENCH_BUSY_US in g1
# and the guest that echoes, for those rows only), and once more after
# the floods.  The guests have LAB_GUEST_VCPUS vCPUs each (1 unless the
# run asks for more: BENCH_VCPUS in scripts/lab-bench.sh).
#
# Results in $LAB_OUT: lab.csv (benchmark,path,size_bytes,value,unit,min,
# max,runs: value the median of the rounds), lab-extra.csv (the same for
# the latencies after the floods), lab-reps.csv (every round's result),
# lab-counters.csv (what the channel counters of both guests and the
# receiver's UDP and busy-poll counters moved during each measurement,
# over all its rounds), lab-meta.txt (the settings of the run).
# Each xenloop round checks that the channel is still connected after it;
# at the end, that xenloop0's counters moved and dom0's vif counters
# stayed flat (< 1 MiB over every xenloop round).
# Last, traffic to a host that is not co-resident (dom0), which must not
# slow down with the module loaded (target: at most 2%): g1 -> dom0, TCP
# at 64 KiB writes and 64-byte UDP round trips, BENCH_DOM0 rounds of
# module unloaded then loaded in g1, into lab-dom0.csv (path "unloaded"
# or "loaded"; both go through netfront).
#
# Every knob can be set from the host (lab.sh's LAB_SCENARIO_ENV, which
# scripts/lab-bench.sh fills from the BENCH_* variables of its
# environment); lists are comma-separated.
BENCH_SECS=${BENCH_SECS:-3}
# Rounds per figure: one 3-s sample under TCG moves by 25% or more, so
# lab.csv has the median of these.
BENCH_REPS=${BENCH_REPS:-3}
BENCH_RR=${BENCH_RR:-100}
BENCH_DOM0=${BENCH_DOM0:-3}
# Busy polling: how long a read or poll() spins (on the device's NAPI
# context, where the socket has one) before it sleeps, in us.  It must
# outlast the wait for the answer, or the answer is still taken by the
# interrupt path: the kernel documentation's 50 us suits hardware, but
# round trips under TCG take milliseconds (netfront's about 3), and at
# 50 us no path took a single packet by busy polling.
BENCH_BUSY_US=${BENCH_BUSY_US:-5000}
# Queues each guest offers (the module's max_queues; empty: its default,
# one per vCPU), to compare one and several queues on the same guests.
XL_ARGS=${BENCH_MAX_QUEUES:+max_queues=$BENCH_MAX_QUEUES}
DOM0_IP=10.55.0.254
TCP_SIZES=$(echo "${BENCH_TCP_SIZES:-64,1024,16384,65536}" | tr , ' ')
UDP_SIZES=$(echo "${BENCH_UDP_SIZES:-64,1024,8192}" | tr , ' ')
RR_SIZES=$(echo "${BENCH_RR_SIZES:-64,1024}" | tr , ' ')
MF_FLOWS=$(echo "${BENCH_MF_FLOWS:-4,8}" | tr , ' ')
MF_SIZES=$(echo "${BENCH_MF_SIZES:-1024,65536}" | tr , ' ')
CSV=$LAB_OUT/lab.csv
CNT=$LAB_OUT/lab-counters.csv
EXTRA=$LAB_OUT/lab-extra.csv
REPS=$LAB_OUT/lab-reps.csv
DOM0=$LAB_OUT/lab-dom0.csv
META=$LAB_OUT/lab-meta.txt
# Each measurement's counter changes, one line per round, summed into
# $CNT at the end.
CNT_RAW=$LAB_RUN/counters.raw
CNT_COLS="g1_tx_packets g1_tx_bytes g1_tx_gso g1_tx_kicks g1_tx_queued g1_tx_dropped
	g1_rx_packets g1_events g1_events_spurious g1_rx_kicks g2_rx_packets
	g2_rx_gso g2_rx_dropped g2_events g2_events_spurious g2_rx_kicks
	g2_tx_packets g2_tx_kicks rcv_udp_InDatagrams
	rcv_udp_RcvbufErrors rcv_udp_InErrors
	g1_q0_tx_packets g1_q1_tx_packets g2_q0_rx_packets g2_q1_rx_packets
	rcv_BusyPollRxPackets"

echo "benchmark,path,size_bytes,run,value,unit" > "$REPS"
echo "benchmark,path,size_bytes,value,unit" > "$DOM0"
echo "benchmark,path,size_bytes,value$(printf ',%s' $CNT_COLS)" > "$CNT"
: > "$CNT_RAW"

# The channel counters of guest G for its only peer: "name value" lines,
# the channel's own (tx_packets, ...) and its queues' (q0_tx_packets, ...).
xl_counters() { eth_stats "$1" | sed -n 's/^peer[0-9]*_//p'; }
# cdelta BEFORE AFTER NAME: how far counter NAME moved.
cdelta() {
	printf '%s\n%s\n' "$1" "$2" | awk -v n="$3" '$1 == n { v[c++] = $2 }
		END { if (c == 2) printf "%.0f\n", v[1] - v[0]; else print "?" }'
}

# Counters of one measurement: over xenloop the channel counters of both
# guests (ethtool -S xenloop0), over every path the UDP receive errors
# and the busy-polled packets of the receiving guest.
snap() { # PATH RECEIVER: "name value" lines
	if [ "$1" = xenloop ]; then
		xl_counters g1 | sed 's/^/g1_/'
		xl_counters g2 | sed 's/^/g2_/'
	fi
	on "$2" "cat /proc/net/snmp /proc/net/netstat" | awk '
		$1 == "Udp:" { if (!hu++) { split($0, nu); next }
			for (i = 2; i <= NF; i++) print "rcv_udp_" nu[i], $i }
		$1 == "TcpExt:" { if (!ht++) { split($0, nt); next }
			for (i = 2; i <= NF; i++) if (nt[i] == "BusyPollRxPackets") print "rcv_" nt[i], $i }'
}
# counters BENCH PATH SIZE BEFORE AFTER: one round's line of $CNT_RAW.
counters() {
	local row="$1,$2,$3" c
	for c in $CNT_COLS; do
		row="$row,$(cdelta "$4" "$5" "$c")"
	done
	echo "$row" >> "$CNT_RAW"
}

# rep BENCH PATH SIZE ROUND VALUE UNIT: one round's result.
rep() { echo "$1,$2,$3,$4,$5,$6" >> "$REPS"; }

# bench_tput PATH PROTO SIZE HOST RECEIVER ROUND: one xlperf run.
bench_tput() {
	local p=$1 proto=$2 s=$3 h=$4 r=$6 out v b a
	b=$(snap "$p" "$5")
	out=$(on -t $((BENCH_SECS + 60)) g1 "xlperf $proto -p 7400 -s $s -d $BENCH_SECS $h" 2>&1)
	a=$(snap "$p" "$5")
	v=$(echo "$out" | _lab_field mbit)
	if [ -z "$v" ]; then
		fail "round $r: $p $proto throughput, $s B" "$out"
		return 1
	fi
	rep "${proto}_stream" "$p" "$s" "$r" "$v" Mbit/s
	diag "round $r: $p ${proto}_stream $s B: $v Mbit/s"
	counters "${proto}_stream" "$p" "$s" "$b" "$a"
}

# bench_mflow PATH FLOWS SIZE HOST RECEIVER ROUND: FLOWS xlperf TCP
# clients at once, all started by one shell in g1.  The figure is the
# bytes all receivers counted over the longest client's time (each
# client's time runs from its first write to its count's arrival).
bench_mflow() {
	local p=$1 n=$2 s=$3 h=$4 r=$6 bn=tcp_stream_${2}flows out v b a
	b=$(snap "$p" "$5")
	out=$(on -t $((BENCH_SECS + 120)) g1 "i=0
		while [ \$i -lt $n ]; do
			xlperf tcp -p 7400 -s $s -d $BENCH_SECS $h > /tmp/mf.\$i 2>&1 &
			i=\$((i + 1))
		done
		wait
		cat /tmp/mf.*
		rm -f /tmp/mf.*" 2>&1)
	a=$(snap "$p" "$5")
	# "TOTAL SLOWEST FASTEST" in Mbit/s, when all N clients reported.
	v=$(echo "$out" | awk -v n="$n" '/^proto=tcp / {
			for (i = 1; i <= NF; i++) { split($i, kv, "="); f[kv[1]] = kv[2] + 0 }
			c++; bytes += f["recv"]; if (f["secs"] > t) t = f["secs"]
			if (c == 1 || f["mbit"] < lo) lo = f["mbit"]
			if (f["mbit"] > hi) hi = f["mbit"] }
		END { if (c == n && t > 0) printf "%.1f %.1f %.1f", bytes * 8 / t / 1e6, lo, hi }')
	if [ -z "$v" ]; then
		fail "round $r: $p TCP throughput over $n connections, $s B" "$out"
		return 1
	fi
	set -- $v
	rep "$bn" "$p" "$s" "$r" "$1" Mbit/s
	diag "round $r: $p $bn $s B: $1 Mbit/s (connections from $2 to $3 Mbit/s)"
	counters "$bn" "$p" "$s" "$b" "$a"
}

# rr PATH PROTO HOST RECEIVER ROUND [SUFFIX [PORT]]: xlmsg rr at each of
# RR_SIZES, a result per size, the benchmark named udp_rr or tcp_rr
# followed by SUFFIX.
rr() {
	local p=$1 proto=$2 h=$3 r=$5 sfx=${6:-} port=${7:-7300} out line s v b bn a
	case $proto in u) bn=udp_rr$sfx ;; *) bn=tcp_rr$sfx ;; esac
	for s in $RR_SIZES; do
		b=$(snap "$p" "$4")
		if ! out=$(on -t 300 g1 "xlmsg rr -$proto -p $port -n $BENCH_RR -s $s $h" 2>&1); then
			fail "round $r: $p $bn, $s B" "$out"
			continue
		fi
		a=$(snap "$p" "$4")
		line=$(echo "$out" | grep '^size=')
		v=$(echo "$line" | _lab_field rtt_us)
		rep "$bn" "$p" "$s" "$r" "$v" us
		diag "round $r: $p $bn $s B: $v us ($line)"
		counters "$bn" "$p" "$s" "$b" "$a"
	done
}

# busy_polled G: packets G's sockets took by busy polling so far.
busy_polled() {
	as_count "$(on "$1" "awk '\$1 == \"TcpExt:\" { if (!h++) { split(\$0, n); next }
		for (i = 2; i <= NF; i++) if (n[i] == \"BusyPollRxPackets\") print \$i }' /proc/net/netstat")"
}

# rr_busy PATH HOST RECEIVER ROUND: the round trips once more with busy
# polling in g1 and the receiver: net.core.busy_read (blocking reads)
# and net.core.busy_poll (poll()) set to BENCH_BUSY_US, then restored.
# A socket takes busy_read's value when it is created, so the echo server
# for these rows starts after the change (port 7301) and stops before the
# restore; the client's sockets are new for each run anyway.
rr_busy() {
	local p=$1 h=$2 rcv=$3 r=$4 g gs=g1 b1 br
	[ "$rcv" = g1 ] || gs="g1 $rcv"
	for g in $gs; do
		on $g "cd /proc/sys/net/core && cat busy_read busy_poll > /tmp/busy.saved &&
		       echo $BENCH_BUSY_US > busy_read && echo $BENCH_BUSY_US > busy_poll" ||
			fail "round $r: $g turns busy polling on"
	done
	on $rcv "xlmsg serve -p 7301 > /tmp/xlmsg-busy.log 2>&1 & echo \$! > /tmp/xlmsg-busy.pid"
	if WAIT_POLL=0.5 wait_until 30 "on $rcv grep -q listening /tmp/xlmsg-busy.log" > /dev/null; then
		b1=$(busy_polled g1) br=$(busy_polled $rcv)
		rr "$p" u "$h" "$rcv" "$r" _busypoll 7301
		rr "$p" t "$h" "$rcv" "$r" _busypoll 7301
		diag "round $r: $p busy polling took $(( $(busy_polled g1) - b1 )) packets in g1," \
			"$(( $(busy_polled $rcv) - br )) in $rcv"
	else
		fail "round $r: busy-polling echo server in $rcv" "$(on $rcv cat /tmp/xlmsg-busy.log)"
	fi
	on $rcv "kill \$(cat /tmp/xlmsg-busy.pid)"
	for g in $gs; do
		on $g "cd /proc/sys/net/core && { read -r a; read -r b; } < /tmp/busy.saved &&
		       echo \$a > busy_read && echo \$b > busy_poll" ||
			fail "round $r: $g restores busy_read and busy_poll"
	done
}

# run_path PATH HOST RECEIVER ROUND: latency first, on a quiet system,
# plain and with busy polling, then throughput, one connection and
# several, then latency once more (the *_after_floods rows) to show
# whether the floods left anything behind.
run_path() {
	local p=$1 h=$2 rcv=$3 r=$4 s n
	on g1 "ping -c 1 -W 5 $h" > /dev/null
	rr "$p" u "$h" "$rcv" "$r"
	rr "$p" t "$h" "$rcv" "$r"
	rr_busy "$p" "$h" "$rcv" "$r"
	for s in $TCP_SIZES; do
		bench_tput "$p" tcp "$s" "$h" "$rcv" "$r"
	done
	for s in $UDP_SIZES; do
		bench_tput "$p" udp "$s" "$h" "$rcv" "$r"
	done
	for n in $MF_FLOWS; do
		for s in $MF_SIZES; do
			bench_mflow "$p" "$n" "$s" "$h" "$rcv" "$r"
		done
	done
	rr "$p" u "$h" "$rcv" "$r" _after_floods
	rr "$p" t "$h" "$rcv" "$r" _after_floods
}

# Loaded in both guests, channel up; unloaded in both.
xl_load() {
	check_on g1 "g1 loads the module" modprobe xenloop $XL_ARGS &&
		check_on g2 "g2 loads the module" modprobe xenloop $XL_ARGS &&
		check_wait "channel g1 <-> g2 connected (debugfs state)" 120 "chan_up g1 g2" &&
		check_wait "xenloop0 lists the peer in both guests" 30 "dp_chan g1 g2 && dp_chan g2 g1"
}
xl_unload() {
	local g
	for g in g1 g2; do
		on $g "rmmod xenloop 2>/dev/null" > /dev/null
	done
	check "the module is unloaded in g1 and g2" \
		"on g1 '! grep -q \"^xenloop \" /proc/modules' && on g2 '! grep -q \"^xenloop \" /proc/modules'"
}

# summarize: lab.csv and lab-extra.csv from lab-reps.csv, a row per
# benchmark, path and size in the order they were first measured: the
# median of its rounds, the smallest, the largest and the round count.
summarize() {
	awk -F, -v csv="$CSV" -v extra="$EXTRA" 'NR > 1 {
		k = $1 "," $2 "," $3
		if (!(k in n)) { order[m++] = k; unit[k] = $6 }
		v[k, ++n[k]] = $5
	} END {
		h = "benchmark,path,size_bytes,value,unit,min,max,runs"
		print h > csv; print h > extra
		for (j = 0; j < m; j++) {
			k = order[j]; c = n[k]
			for (i = 1; i <= c; i++) a[i] = v[k, i] + 0
			for (i = 2; i <= c; i++) {
				x = a[i]
				for (l = i - 1; l >= 1 && a[l] > x; l--) a[l + 1] = a[l]
				a[l + 1] = x
			}
			med = c % 2 ? a[(c + 1) / 2] : (a[c / 2] + a[c / 2 + 1]) / 2
			out = (k ~ /_after_floods,/) ? extra : csv
			printf "%s,%.1f,%s,%.1f,%.1f,%d\n", k, med, unit[k], a[1], a[c], c > out
		}
	}' "$REPS"
}

stage "start guests" 300
guest_start g1 pv && guest_start g2 pv
check "g1 and g2 are up" guest_wait g1 g2
G2=$(guest_ip g2)
for g in g1 g2; do
	on $g "xlperf serve -p 7400 > /tmp/xlperf.log 2>&1 &
	       xlmsg serve -p 7300 > /tmp/xlmsg.log 2>&1 &"
done
xlperf serve -p 7400 > "$LAB_RUN/dom0-xlperf.log" 2>&1 &
xlmsg serve -p 7300 > "$LAB_RUN/dom0-xlmsg.log" 2>&1 &
check_wait "xlperf and xlmsg serve in g1, g2 and dom0" 30 \
	"grep -q listening '$LAB_RUN/dom0-xlperf.log' &&
	 grep -q listening '$LAB_RUN/dom0-xlmsg.log' &&
	 on g1 'grep -q listening /tmp/xlperf.log && grep -q listening /tmp/xlmsg.log' &&
	 on g2 'grep -q listening /tmp/xlperf.log && grep -q listening /tmp/xlmsg.log'"
check "xenloopd starts" xenloopd_start
cat > "$META" <<META
guest_vcpus=$LAB_GUEST_VCPUS
guest_nproc=$(on g1 nproc) $(on g2 nproc)
guest_kernel=$(on g1 uname -r)
bench_secs=$BENCH_SECS
bench_reps=$BENCH_REPS
bench_rr=$BENCH_RR
bench_busy_us=$BENCH_BUSY_US
bench_max_queues=${BENCH_MAX_QUEUES:-default}
bench_dom0=$BENCH_DOM0
tcp_sizes=$TCP_SIZES
udp_sizes=$UDP_SIZES
rr_sizes=$RR_SIZES
mf_flows=$MF_FLOWS
mf_sizes=$MF_SIZES
META
diag "bench settings (lab-meta.txt):"
while read -r l; do diag "    $l"; done < "$META"
check_on g1 "g1's kernel can busy-poll (net.core.busy_read exists)" \
	"[ -f /proc/sys/net/core/busy_read ] && [ -f /proc/sys/net/core/busy_poll ]"

xl_bytes=0 xl_vif=0
r=1
while [ $r -le "$BENCH_REPS" ]; do
	stage "round $r/$BENCH_REPS: netfront g1 -> g2 (module not loaded)" 900
	check "round $r: module not loaded in g1 and g2" \
		"on g1 '! grep -q \"^xenloop \" /proc/modules' && on g2 '! grep -q \"^xenloop \" /proc/modules'"
	run_path netfront "$G2" g2 $r

	stage "round $r/$BENCH_REPS: xenloop g1 -> g2" 900
	if xl_load; then
		x0=$(dp_cnt g1 tx_bytes) v0=$(vif_sum bytes)
		run_path xenloop "$G2" g2 $r
		xl_bytes=$((xl_bytes + $(dp_cnt g1 tx_bytes) - x0))
		xl_vif=$((xl_vif + $(vif_sum bytes) - v0))
		check "round $r: channel still connected after the runs" chan_up g1 g2
		if [ $r = "$BENCH_REPS" ]; then
			eth_diag g1
			eth_diag g2
		fi
	else
		fail "round $r: xenloop measured" "the channel did not come up"
	fi
	xl_unload

	stage "round $r/$BENCH_REPS: lo inside g1 (module not loaded)" 900
	run_path lo 127.0.0.1 g1 $r
	r=$((r + 1))
done

stage "results" 120
check "g1's xenloop0 tx_bytes moved over the xenloop rounds ($xl_bytes bytes)" \
	"[ $xl_bytes -gt 104857600 ]"
check "dom0's vifs of g1 and g2 stayed flat meanwhile ($xl_vif bytes)" "[ $xl_vif -lt 1048576 ]"
summarize
# Every figure, with how many rounds it has (from a file: results
# reported in a pipeline's subshell would not be counted).
awk -F, 'FNR > 1' "$CSV" "$EXTRA" > "$LAB_RUN/figures"
while IFS=, read -r b p s v u lo hi n; do
	if [ "$n" = "$BENCH_REPS" ]; then
		ok "$p $b $s B: median $v $u (min $lo, max $hi, $n rounds)"
	else
		fail "$p $b $s B: median $v $u (min $lo, max $hi)" "only $n of $BENCH_REPS rounds"
	fi
done < "$LAB_RUN/figures"
# The counters of all rounds of a measurement, summed ("?": never read),
# with its median.
awk -F, -v raw="$CNT_RAW" 'FILENAME != raw { if (FNR > 1) med[$1 "," $2 "," $3] = $4; next }
	{ k = $1 "," $2 "," $3
	  if (!(k in seen)) { seen[k] = 1; order[m++] = k }
	  for (i = 4; i <= NF; i++) if ($i != "?") { s[k, i] += $i; has[k, i] = 1 }
	  nf = NF }
	END { for (j = 0; j < m; j++) {
		k = order[j]; row = k "," (k in med ? med[k] : "")
		for (i = 4; i <= nf; i++)
			row = row "," (((k, i) in has) ? sprintf("%.0f", s[k, i]) : "?")
		print row } }' "$CSV" "$EXTRA" "$CNT_RAW" >> "$CNT"
diag "latency after the floods (lab-extra.csv):"
while read -r l; do diag "    $l"; done < "$EXTRA"
diag "lab.csv:"
while read -r l; do diag "    $l"; done < "$CSV"

stage "not co-resident: g1 -> dom0, module unloaded and loaded" 900
xl_load
# to_dom0 STATE: one TCP and one UDP round-trip measurement, CSV rows.
to_dom0() {
	local out v
	out=$(on -t $((BENCH_SECS + 60)) g1 "xlperf tcp -p 7400 -s 65536 -d $BENCH_SECS $DOM0_IP" 2>&1)
	v=$(echo "$out" | _lab_field mbit)
	[ -n "$v" ] && echo "tcp_stream_dom0,$1,65536,$v,Mbit/s" >> "$DOM0"
	out=$(on -t 300 g1 "xlmsg rr -u -n $BENCH_RR -s 64 $DOM0_IP" 2>&1)
	v=$(echo "$out" | grep '^size=' | _lab_field rtt_us)
	[ -n "$v" ] && echo "udp_rr_dom0,$1,64,$v,us" >> "$DOM0"
}
for i in $(seq "$BENCH_DOM0"); do
	on g1 "rmmod xenloop" && to_dom0 unloaded
	on g1 "modprobe xenloop" && to_dom0 loaded
done
check "g1 -> dom0: $((2 * BENCH_DOM0)) TCP and $((2 * BENCH_DOM0)) round-trip results" \
	"[ \$(grep -c _dom0, '$DOM0') = $((4 * BENCH_DOM0)) ]"
check_on g1 "xenloop took none of it (xenloop0 counts from the last load)" \
	"[ \$(cat /sys/class/net/xenloop0/statistics/tx_packets) -lt 5 ]"
# Medians per benchmark and state, and loaded against unloaded.
awk -F, 'NR > 1 { v[$1 "," $2, ++n[$1 "," $2]] = $4; u[$1] = $5 }
	function med(k,   i, j, t, m) {
		m = n[k]
		for (i = 1; i <= m; i++) a[i] = v[k, i]
		for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++)
			if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return m % 2 ? a[(m + 1) / 2] : (a[m / 2] + a[m / 2 + 1]) / 2
	}
	END { for (b in u) {
		ul = med(b ",unloaded"); ld = med(b ",loaded")
		printf "%s: unloaded %.1f, loaded %.1f %s (median of %d), loaded/unloaded %.3f\n",
			b, ul, ld, u[b], n[b ",loaded"], (ul > 0 ? ld / ul : 0)
	} }' "$DOM0" | while read -r l; do diag "$l"; done
xenloopd_stop
