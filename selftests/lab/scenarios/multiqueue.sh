# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
# lab: guest-vcpus=2
#
# Multi-queue channels: g1 and g2, both PV (the emulated platform's
# triple fault hits PVH guests under load, Documentation/lab.md) with two
# vCPUs each, xenloopd in dom0.  A channel has as many queues as the
# smaller of the two guests' offers; a guest offers its module parameter
# max_queues (0, the default, meaning its number of online vCPUs), capped
# at 8 and rounded down to a power of two.  Each queue has its own FIFO
# pair, event channel and NAPI context, and a flow's skb hash picks its
# queue, so the flows of one channel can be received on several vCPUs.
#
#   1. Default parameters: both guests log the channel connected with as
#      many queues as their offers allow (2 here: "queues 2" in the
#      "channel connected" line), and xenloop0's counters have a line per
#      queue (ethtool -S: peer<domid>_q<i>_<stat>) for queues 0 and 1;
#      each guest has at least one xenloop event channel per queue.
#   2. MQ_FLOWS verified TCP streams at once from g1 to g2: every stream
#      arrives whole with the same hash at both ends, g1's tx_packets of
#      both queues grew by a meaningful share of the channel's packets,
#      and each channel counter (peer<domid>_<stat>) is the sum of its
#      queues' lines; in each guest every queue's events were handled on
#      a vCPU of its own (/proc/interrupts).
#   3. g2 reloads the module with max_queues=1: the channel comes back
#      with one queue on both sides and a verified stream passes through
#      it; g2 reloads it with the default again: two queues, and the
#      flows are verified and spread over both again.
LAB_WAIT=${LAB_WAIT:-180}
# Flows per batch and bytes per flow: eight flows all land on the same of
# two queues with probability 2^-7 (each socket's hash is random); a
# batch that does is reported and followed by one more with fresh flows.
MQ_FLOWS=${MQ_FLOWS:-8}
MQ_BYTES=${MQ_BYTES:-$((32 * 1024 * 1024))}
# A queue "carried data" when it sent at least this share (percent) of
# the channel's packets and at least MQ_MIN_PKTS of them: one flow of
# eight carries about 12% of the packets, and a 32 MiB flow took about
# 560 records, most of them GSO super-packets, in this lab.
MQ_MIN_SHARE=5
MQ_MIN_PKTS=100
# The per-queue stats the module reports besides the channel's own.
MQ_QSTATS="tx_packets tx_bytes rx_packets rx_bytes events tx_kicks rx_kicks"
MQ_PORT=7100

# mq_offer N: the queues a guest with N online vCPUs offers by default,
# rounddown_pow_of_two(min(N, 8)).
mq_offer() {
	local n=$1 q=1
	[ "$n" -gt 8 ] && n=8
	while [ $((q * 2)) -le "$n" ]; do
		q=$((q * 2))
	done
	echo $q
}

# "channel connected" lines G's kernel logged for peer domid D so far.
mq_connects() {
	as_count "$(on "$1" "dmesg | grep -c 'xenloop: peer d$2: channel connected'")"
}
# mq_log_queues G D: N of "queues N" in G's last "channel connected" line
# for peer domid D; empty when that line names no queue count.
mq_log_queues() {
	on "$1" "dmesg | grep 'xenloop: peer d$2: channel connected' | tail -n 1" |
		sed -n 's/.*[^a-z_]queues \([0-9][0-9]*\).*/\1/p'
}

# mq_check_queues Q WHEN: both guests run the channel with Q queues, by
# their last connect line and by the queue lines of their counters.  With
# one queue a module may print q0's lines or none, but never q1's.
mq_check_queues() {
	local q=$1 when=$2 g p n want have
	for g in g1 g2; do
		p=$d2
		[ $g = g2 ] && p=$d1
		n=$(mq_log_queues $g $p)
		check "$when: $g logs the channel to domid $p connected with $q queue(s) (${n:-no queue count})" \
			"[ '${n:-}' = $q ]"
		want=$(seq 0 $((q - 1)) | tr '\n' ' ')
		have=$(eth_queues $g $p | tr '\n' ' ')
		if [ $q = 1 ] && [ -z "$have" ]; then
			ok "$when: $g's counters have no per-queue lines for one queue"
		else
			check "$when: $g's counters have queue lines ${want}for domid $p (${have:-none})" \
				"[ '$have' = '$want' ]"
		fi
	done
}

# mq_reload_g2 [PARAMS]: g2 reloads the module (with PARAMS); wait until
# the channel has reconnected on both sides, by a new "channel connected"
# line in each guest's log, the debugfs state and the counters.
mq_reload_g2() {
	local c1 c2
	c1=$(mq_connects g1 $d2) c2=$(mq_connects g2 $d1)
	check_on g2 "g2 unloads the module" rmmod xenloop
	check_on g2 "g2 loads the module${1:+ with $1}" modprobe xenloop "$@"
	diag "g2's max_queues: $(on g2 cat /sys/module/xenloop/parameters/max_queues 2>&1)"
	check_wait "the channel reconnects in both guests${1:+ ($1 in g2)}" 120 \
		"[ \$(mq_connects g1 $d2) -gt $c1 ] && [ \$(mq_connects g2 $d1) -gt $c2 ] &&
		 chan_up g1 g2 && dp_chan g1 g2 && dp_chan g2 g1"
}

# mq_streams TAG N BYTES: N verified TCP streams from g1 to g2, running
# at once: every receiver listens first, then one agent call starts all
# senders (one call per stream would let the first finish before the
# last began).  The files are those of stream_start, for stream_verify.
mq_streams() {
	local tag=$1 n=$2 bytes=$3 i
	MQ_PORT=$((MQ_PORT + n))
	for i in $(seq "$n"); do
		on g2 "xlstream recv -p $((MQ_PORT + i)) -o /tmp/$tag$i.progress \
			> /tmp/$tag$i.recv 2>&1 &"
	done
	wait_until 60 "[ \$(on g2 'cat /tmp/$tag*.recv' | grep -c listening) -ge $n ]" \
		> /dev/null || return 1
	on g1 "for i in \$(seq $n); do
		xlstream send -p \$(($MQ_PORT + i)) -n $bytes $G2 > /tmp/$tag\$i.send 2>&1 &
		echo \$! > /tmp/$tag\$i.send.pid
	done"
}

# g1's tx_packets per queue of its channel to g2: "q0 q1 ...".
mq_txq() {
	local s q out=
	s=$(eth_stats g1)
	for q in $(seq 0 $((MQ_Q - 1))); do
		out="$out $(echo "$s" | awk -v n="peer${d2}_q${q}_tx_packets" \
			'$1 == n { printf "%.0f", $2; f = 1 } END { if (!f) print 0 }')"
	done
	echo $out
}

# mq_batch TAG: MQ_FLOWS verified streams at once from g1 to g2; every
# one must arrive whole.  Sets MQ_SPREAD to "yes" when every queue sent
# a meaningful share of the packets, "one" when a single queue sent all
# of them (chance, with few flows), "no" otherwise.
mq_batch() {
	local tag=$1 i b a r g
	MQ_SPREAD=no
	b=$(mq_txq)
	if ! mq_streams "$tag" "$MQ_FLOWS" "$MQ_BYTES"; then
		fail "$MQ_FLOWS TCP streams g1 -> g2 start" "$(on g2 "cat /tmp/$tag*.recv" 2>&1)"
		return 1
	fi
	for i in $(seq "$MQ_FLOWS"); do
		stream_verify "stream $i of $MQ_FLOWS at once ($tag): same bytes and hash at both ends" \
			g1 g2 "$tag$i" "$MQ_BYTES" 600
	done
	a=$(mq_txq)
	# "TOTAL BUSY MEANINGFUL": the packets all queues sent, how many
	# queues sent any, how many a meaningful share.
	r=$(printf '%s\n%s\n' "$b" "$a" | awk -v share=$MQ_MIN_SHARE -v min=$MQ_MIN_PKTS '
		NR == 1 { for (i = 1; i <= NF; i++) b[i] = $i; next }
		{ for (i = 1; i <= NF; i++) { d[i] = $i - b[i]; tot += d[i]; if (d[i] > 0) busy++ }
		  for (i = 1; i <= NF; i++) if (d[i] >= min && d[i] * 100 >= tot * share) good++ }
		END { printf "%.0f %d %d", tot, busy, good }')
	set -- $r
	diag "$tag: g1's tx_packets per queue before: $b, after: $a;" \
		"$1 packets, $2 of $MQ_Q queues sent some, $3 a meaningful share"
	if [ "$3" = "$MQ_Q" ] && [ "$MQ_Q" -ge 2 ]; then
		MQ_SPREAD=yes
	elif [ "$2" = 1 ]; then
		MQ_SPREAD=one
	fi
	for g in g1 g2; do
		diag "$g's interrupts: $(on $g "grep xenloop /proc/interrupts" 2>&1)"
	done
}

# mq_spread WHEN: a batch of flows whose packets went out on every queue,
# a second batch when the first landed on one queue by chance.
mq_spread() {
	local when=$1 t
	for t in a b; do
		mq_batch "$2$t"
		if [ "$MQ_SPREAD" != one ] || [ $t = b ]; then
			break
		fi
		diag "$when: all $MQ_FLOWS flows hashed onto one queue (probability 2^-$((MQ_FLOWS - 1)) with two): once more with fresh flows"
	done
	check "$when: g1 sent the flows' packets on all $MQ_Q queues (tx_packets per queue: $(mq_txq))" \
		"[ $MQ_SPREAD = yes ]"
}

# mq_sums G P: in one reading of G's counters, each per-queue stat of the
# channel to domid P summed over the queues equals the channel's line.
mq_sums() {
	local g=$1 p=$2 s st bad=
	s=$(eth_stats $g)
	for st in $MQ_QSTATS; do
		# "+ 0": busybox awk compares fields as strings.
		bad="$bad$(echo "$s" | awk -v c="peer${p}_$st" -v q="^peer${p}_q[0-9]+_$st\$" '
			$1 == c { ch = $2 + 0; f = 1 } $1 ~ q { sum += $2; n++ }
			END { if (!f || !n || ch != sum)
				printf " %s: channel %s, %d queue lines sum %.0f;", c, (f ? ch : "absent"), n, sum }')"
	done
	check "$g: each channel counter is the sum of its queues' ($(echo $MQ_QSTATS | tr ' ' ,))" \
		"[ -z '$bad' ]"
}

stage "start guests and xenloopd" 300
guest_start g1 pv && guest_start g2 pv
check "g1 and g2 (PV) answer" guest_wait g1 g2
check "xenloopd starts" xenloopd_start
d1=$(guest_domid g1) d2=$(guest_domid g2)
G2=$(guest_ip g2)
for g in g1 g2; do
	n=$(on $g nproc)
	check "$g runs with $(guest_vcpus $g) vCPUs (nproc: $n)" "[ '$n' = '$(guest_vcpus $g)' ]"
done
c1=$(on g1 nproc) c2=$(on g2 nproc)
o1=$(mq_offer "$(as_count "$c1")") o2=$(mq_offer "$(as_count "$c2")")
MQ_Q=$o1
[ "$o2" -lt "$MQ_Q" ] && MQ_Q=$o2
diag "default offers: g1 $o1, g2 $o2: the channel should have $MQ_Q queues"
check "the guests have the vCPUs for two queues or more ($MQ_Q)" "[ $MQ_Q -ge 2 ]"

stage "default parameters: one queue per vCPU" 300
check_on g1 "g1 loads the module" modprobe xenloop
check_on g2 "g2 loads the module" modprobe xenloop
check_wait "the channel connects in both guests" 120 \
	"chan_up g1 g2 && dp_chan g1 g2 && dp_chan g2 g1 &&
	 [ \$(mq_connects g1 $d2) -ge 1 ] && [ \$(mq_connects g2 $d1) -ge 1 ]"
for g in g1 g2; do
	diag "$g: $(on $g "dmesg | grep 'channel connected' | tail -n 1")"
	diag "$g's max_queues: $(on $g cat /sys/module/xenloop/parameters/max_queues 2>&1)"
done
mq_check_queues $MQ_Q "default parameters"
# Each queue has an event channel of its own (bound, like the single
# queue's, under a name with "xenloop" in it).
for g in g1 g2; do
	n=$(as_count "$(chan_irqs $g)")
	check "$g binds an event channel per queue ($n xenloop IRQs for $MQ_Q queues)" \
		"[ $n -ge $MQ_Q ]"
done
# Resolve the neighbours (ARP) through netfront before the streams.
on g1 "ping -c 1 -W 5 $G2" > /dev/null
on g2 "ping -c 1 -W 5 $(guest_ip g1)" > /dev/null

# mq_irq_cpu G D Q: the vCPU that handled most of G's events of queue Q
# of its channel to domid D (/proc/interrupts: one count column per CPU,
# the IRQ's name last).
mq_irq_cpu() {
	on "$1" "grep 'xenloop-d$2-q$3\$' /proc/interrupts" 2>/dev/null |
		awk -v n="$(on "$1" nproc)" '{ best = -1
			for (i = 0; i < n; i++) if ($(i + 2) > best) { best = $(i + 2); cpu = i }
			print cpu; exit }'
}

stage "$MQ_FLOWS verified TCP streams at once over $MQ_Q queues" 900
mq_spread "default parameters" mq
mq_sums g1 $d2
mq_sums g2 $d1
# Steering: with several queues each queue's event is bound to a vCPU
# of its own, so the queues' receive work runs in parallel.
for g in g1 g2; do
	[ $g = g1 ] && d=$d2 || d=$d1
	cpus=
	for q in $(seq 0 $((MQ_Q - 1))); do
		cpus="$cpus $(mq_irq_cpu $g $d $q)"
	done
	diag "$g's interrupts: $(on $g "grep xenloop /proc/interrupts" 2>&1 | tr -s ' ')"
	check "$g handles each queue's events on a vCPU of its own (queues 0..$((MQ_Q - 1)) on vCPUs$cpus)" \
		"[ \$(echo $cpus | tr ' ' '\n' | sort -u | grep -c .) = $MQ_Q ]"
done
eth_diag g1
eth_diag g2

stage "g2 reloads with max_queues=1" 600
mq_reload_g2 max_queues=1
mq_check_queues 1 "g2's max_queues=1"
p0=$(dp_eth g1 peer${d2}_tx_packets)
if stream_start one g1 g2 7090 -n $((64 * 1024 * 1024)); then
	stream_verify "64 MiB TCP g1 -> g2 over one queue: same bytes and hash at both ends" \
		g1 g2 one $((64 * 1024 * 1024)) 600
else
	fail "64 MiB TCP g1 -> g2 started" "$(stream_diag g1 g2 one)"
fi
p=$(( $(dp_eth g1 peer${d2}_tx_packets) - p0 ))
check "the stream went through xenloop ($p packets from g1)" "[ $p -ge $MQ_MIN_PKTS ]"
check "g1 has no counters of a second queue" "! eth_queues g1 $d2 | grep -qv '^0\$'"

stage "g2 reloads with the default again" 900
mq_reload_g2
mq_check_queues $MQ_Q "default parameters again"
mq_spread "default parameters again" mqr

stage "counters and logs" 120
dp_final g1 g2
xenloopd_stop
