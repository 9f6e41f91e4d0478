# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
# lab: guest-kernel=stock,6.12
# lab: module=deb
# lab: xen=shadow
#
# The data path: g1 (PV, Debian's 6.1) and g2 (PV, Debian's 6.12) with
# xenloopd in dom0, both guests running the module DKMS built from the
# xenloop-dkms package, as an operator would install it.  Both are PV,
# on Debian's Xen rebuilt with shadow paging so that g2 can migrate
# (Documentation/lab.md): a PVH g2 made this the scenario the emulated
# platform's PVH triple fault hit most (eight in one run); channel-migrate
# and multivif carry streams through PVH guests.
#
#   g1 eth0 ---- xenbr0 (dom0, vifD1.0 / vifD2.0) ---- eth0 g2
#     \________________ xenloop channel ________________/
#
# With the module loaded in both, guest-to-guest IP traffic must take the
# channel: xenloop0's counters grow on both sides while dom0's vif
# counters stay flat apart from ARP and ND.  Everything is verified end
# to end (xlmsg compares every echoed byte, xlstream hashes the stream):
# ICMP, UDP and TCP over IPv4 and IPv6 at message sizes from 1 B to
# 64 KiB, software TX timestamps, a 256 MiB TCP transfer, traffic to dom0
# left alone, OUTPUT DROP rules and SNAT still applied, a UDP flood with
# bounded memory, and a module unload in the middle of a TCP transfer that
# then completes over netfront.
LAB_WAIT=${LAB_WAIT:-180}
BULK=$((256 * 1024 * 1024))

# Remember counters before a test: dp_mark.  Then dp_moved DESC MIN: g1
# sent and g2 received at least MIN packets each through xenloop, or the
# reverse (both directions count), and dom0's vifs saw at most
# XL_VIF_SLACK packets (ARP, ND).
XL_VIF_SLACK=60
dp_mark() {
	m_tx1=$(dp_cnt g1 tx_packets) m_rx1=$(dp_cnt g1 rx_packets)
	m_tx2=$(dp_cnt g2 tx_packets) m_rx2=$(dp_cnt g2 rx_packets)
	m_vif=$(vif_sum packets) m_vifb=$(vif_sum bytes)
}
dp_moved() {
	local desc=$1 min=$2 tx1 rx1 tx2 rx2 vif vifb
	tx1=$(( $(dp_cnt g1 tx_packets) - m_tx1 )) rx1=$(( $(dp_cnt g1 rx_packets) - m_rx1 ))
	tx2=$(( $(dp_cnt g2 tx_packets) - m_tx2 )) rx2=$(( $(dp_cnt g2 rx_packets) - m_rx2 ))
	vif=$(( $(vif_sum packets) - m_vif )) vifb=$(( $(vif_sum bytes) - m_vifb ))
	diag "$desc: xenloop g1 tx $tx1 rx $rx1, g2 tx $tx2 rx $rx2; dom0 vifs $vif packets $vifb bytes"
	if [ $tx1 -ge "$min" ] && [ $rx2 -ge "$min" ] && [ $tx2 -ge "$min" ] &&
	   [ $rx1 -ge "$min" ] && [ $vif -le $XL_VIF_SLACK ]; then
		ok "$desc went through xenloop (dom0's vifs: $vif packets)"
	else
		fail "$desc went through xenloop" "want >= $min each way and <= $XL_VIF_SLACK vif packets"
	fi
}

stage "start guests and xenloopd" 300
guest_start g1 pv && guest_start g2 pv
check "g1 and g2 (PV) answer" guest_wait g1 g2
check "xenloopd starts" xenloopd_start
# Each guest booted the kernel the run asked for (stock is dom0's).
for g in g1 g2; do
	k=$(guest_kernel $g) r=$(on $g uname -r)
	case $k in
	stock) want=$(uname -r) ;;
	debug) want='*-xldebug*' ;;
	*) want="$k.*" ;;
	esac
	case $r in
	$want) ok "$g runs the $k kernel ($r)" ;;
	*) fail "$g runs the $k kernel" "it runs $r" ;;
	esac
done
G1=$(guest_ip g1) G2=$(guest_ip g2) G1v6=$(guest_ip g1 6) G2v6=$(guest_ip g2 6)

stage "channel up" 300
check_on g1 "g1 loads the module" modprobe xenloop
check_on g2 "g2 loads the module" modprobe xenloop
for g in g1 g2; do
	check_on $g "$g has the default receive moderation" \
		"[ \$(cat /sys/class/net/xenloop0/napi_defer_hard_irqs) = 1 ] &&
		 [ \$(cat /sys/class/net/xenloop0/gro_flush_timeout) = 100000 ]"
done
check "xenloop0 exists in both guests" \
	"on g1 /usr/sbin/ip -s link show xenloop0 && on g2 /usr/sbin/ip -s link show xenloop0"
check_wait "the data path runs the channel in g1 and g2" 120 "dp_chan g1 g2 && dp_chan g2 g1"
# Resolve the neighbours (ARP, ND) through netfront before counting.
on g1 "ping -c 1 -W 5 $G2; ping6 -c 1 -W 5 $G2v6; ping -c 1 -W 5 10.55.0.254" > /dev/null
on g2 "ping -c 1 -W 5 $G1; ping6 -c 1 -W 5 $G1v6" > /dev/null
on g2 "xlmsg serve -p 7300 > /tmp/xlmsg.log 2>&1 &"

stage "ICMP over IPv4 and IPv6" 300
dp_mark
for s in 1 56 1472 1473 4000 16000 65000; do
	check_on g1 "ping g1 -> g2 IPv4, $s-byte payload" ping -c 3 -i 0.2 -W 5 -s $s $G2
	check_on g2 "ping g2 -> g1 IPv6, $s-byte payload" ping6 -c 3 -i 0.2 -W 5 -s $s $G1v6
done
dp_moved "ICMP" 21

stage "tcpdump sees xenloop's packets on eth0 at both ends" 120
dp_mark
on g1 "xlmsg sniff -d 6 eth0 > /tmp/sniff.out 2>&1 &"
on g2 "xlmsg sniff -d 6 eth0 > /tmp/sniff.out 2>&1 &"
sleep 1
on g1 "ping -c 5 -i 0.2 -W 5 $G2" > /dev/null
sleep 6
s1=$(on g1 cat /tmp/sniff.out | _lab_field out) s2=$(on g2 cat /tmp/sniff.out | _lab_field in)
dp_moved "5 pings while sniffing" 5
check "a packet socket on g1's eth0 saw the requests leave ($s1)" "[ '${s1:-0}' -ge 5 ]"
check "a packet socket on g2's eth0 saw them arrive ($s2)" "[ '${s2:-0}' -ge 5 ]"

stage "UDP and TCP, 1 B to 64 KiB, IPv4 and IPv6" 600
SZ="1,2,63,64,65,1000,1400,1472,1473,2000,4095,4096,8192,16384,32768,60000,65000"
dp_mark
check_on g1 "UDP IPv4 g1 -> g2 echo, 1 B .. 65507 B, every byte verified" \
	xlmsg rr -u -n 5 -s $SZ,65507 $G2
check_on g1 "UDP IPv6 g1 -> g2 echo, 1 B .. 65000 B, every byte verified" \
	xlmsg rr -u -n 5 -s $SZ $G2v6
check_on g1 "TCP IPv4 g1 -> g2 echo, 1 B .. 64 KiB, every byte verified" \
	xlmsg rr -t -n 5 -s $SZ,65536 $G2
check_on g1 "TCP IPv6 g1 -> g2 echo, 1 B .. 64 KiB, every byte verified" \
	xlmsg rr -t -n 5 -s $SZ,65536 $G2v6
dp_moved "UDP and TCP messages" 300
check_on g1 "UDP IPv6 65507 B (too big for one record) still works via netfront" \
	xlmsg rr -u -n 3 -s 65507 $G2v6

stage "software transmit timestamps" 300
# SO_TIMESTAMPING's TX_SOFTWARE stamps come from the driver
# (skb_tx_timestamp()); xenloop is the driver of what it takes.
t0=$(dp_cnt g1 tx_packets)
for a in $G2 $G2v6; do
	check_on g1 "every UDP datagram to $a gets its software TX timestamp" \
		xlmsg tstamp -n 500 -s 200 $a
done
check "those datagrams went through xenloop" \
	"[ \$(( \$(dp_cnt g1 tx_packets) - $t0 )) -ge 1000 ]"

stage "verified bulk TCP" 900
dp_mark
gso0=$(dp_eth g1 peer$(guest_domid g2)_tx_gso)
if stream_start bulk g1 g2 7001 -n $BULK; then
	stream_verify "256 MiB TCP IPv4 g1 -> g2: same bytes and hash at both ends" \
		g1 g2 bulk $BULK 800
	diag "$(on g2 cat /tmp/bulk.recv | tail -n 1)"
else
	fail "256 MiB TCP g1 -> g2 started" "$(stream_diag g1 g2 bulk)"
fi
gso=$(( $(dp_eth g1 peer$(guest_domid g2)_tx_gso) - gso0 ))
check "g1 sent GSO super-packets whole ($gso records)" "[ $gso -gt 100 ]"
vb=$(( $(vif_sum bytes) - m_vifb ))
check "dom0's vifs carried under 1 MiB of the 256 MiB ($vb bytes)" "[ $vb -lt 1048576 ]"
# IPv6 (stream_start uses IPv4 addresses): started by hand.
on g1 "xlstream recv -p 7003 -o /tmp/b6.progress > /tmp/b6.recv 2>&1 &"
sleep 1
on g2 "xlstream send -p 7003 -n $((64 * 1024 * 1024)) $G1v6 > /tmp/b6.send 2>&1 &"
stream_verify "64 MiB TCP IPv6 g2 -> g1: same bytes and hash at both ends" \
	g2 g1 b6 $((64 * 1024 * 1024)) 600
dp_moved "bulk TCP" 1000

stage "TX completion (tx_completion=1)" 600
# Sent packets stay charged to their sockets until the peer consumed
# them: the same traffic, every byte compared, and the counters show the
# packets were kept and released.
TXC=/sys/module/xenloop/parameters/tx_completion
for g in g1 g2; do
	check_on $g "$g turns tx_completion on" "echo 1 > $TXC && [ \$(cat $TXC) = Y ]"
done
dp_mark
c0=$(dp_eth g1 peer$(guest_domid g2)_tx_completed)
p0=$(dp_eth g1 peer$(guest_domid g2)_tx_packets)
check_on g1 "UDP IPv4 g1 -> g2 echo, 1 B .. 65507 B, every byte verified" \
	xlmsg rr -u -n 5 -s $SZ,65507 $G2
check_on g1 "TCP IPv6 g1 -> g2 echo, 1 B .. 64 KiB, every byte verified" \
	xlmsg rr -t -n 5 -s $SZ,65536 $G2v6
if stream_start txc g1 g2 7005 -n $((64 * 1024 * 1024)); then
	stream_verify "64 MiB TCP IPv4 g1 -> g2: same bytes and hash at both ends" \
		g1 g2 txc $((64 * 1024 * 1024)) 600
else
	fail "64 MiB TCP g1 -> g2 started" "$(stream_diag g1 g2 txc)"
fi
dp_moved "traffic with tx_completion=1" 300
c=$(( $(dp_eth g1 peer$(guest_domid g2)_tx_completed) - c0 ))
p=$(( $(dp_eth g1 peer$(guest_domid g2)_tx_packets) - p0 ))
# Each packet is released when the peer consumed it; at most the last
# few of a burst may wait for the next reap.
check "g1 kept its packets until g2 consumed them ($c of $p released after)" \
	"[ $c -le $p ] && [ $c -ge $((p * 9 / 10)) ]"
for g in g1 g2; do
	check_on $g "$g turns tx_completion off" "echo 0 > $TXC"
done

stage "traffic to dom0 is untouched" 120
dp_mark
check_on g1 "g1 pings dom0" ping -c 5 -i 0.2 -W 5 10.55.0.254
tx=$(( $(dp_cnt g1 tx_packets) - m_tx1 )) vif=$(( $(vif_sum packets) - m_vif ))
# (A stray ND probe to g2 may take xenloop meanwhile: allow a couple.)
check "no packet to dom0 through xenloop (tx $tx), all through the vif ($vif)" \
	"[ $tx -lt 5 ] && [ $vif -ge 10 ]"

stage "firewall rules still apply" 300
# busybox has no /sbin/modprobe for the kernel's module autoloading.
for g in g1 g2; do
	on $g "echo /bin/modprobe > /proc/sys/kernel/modprobe;
		modprobe -a nf_tables nft_chain_nat nft_nat ip_tables iptable_filter \
			ip6table_filter xt_tcpudp nf_conntrack"
done
t1=$(dp_cnt g1 tx_packets)
check_on g1 "nft: OUTPUT chain with a drop rule towards g2" "nft add table inet xlt &&
	nft add chain inet xlt out '{ type filter hook output priority 0; }' &&
	nft add rule inet xlt out ip daddr $G2 udp dport 7300 drop &&
	nft add rule inet xlt out ip6 daddr $G2v6 udp dport 7300 drop"
check_on g1 "nft OUTPUT drop towards g2 (IPv4) drops" \
	"! xlmsg rr -u -n 2 -w 300 -s 100 $G2"
check_on g1 "nft OUTPUT drop towards g2 (IPv6) drops" \
	"! xlmsg rr -u -n 2 -w 300 -s 100 $G2v6"
check "nothing of it went through xenloop" "[ $(dp_cnt g1 tx_packets) -le $((t1 + 1)) ]"
on g1 "nft delete table inet xlt"
check_on g1 "UDP to g2 works again without the rule" xlmsg rr -u -n 3 -s 100 $G2
t1=$(dp_cnt g1 tx_packets)
check_on g1 "iptables: OUTPUT DROP rule towards g2" iptables -A OUTPUT -d $G2 -p udp --dport 7300 -j DROP
check_on g1 "iptables OUTPUT DROP towards g2 drops" \
	"! xlmsg rr -u -n 2 -w 300 -s 100 $G2"
check "nothing of it went through xenloop" "[ $(dp_cnt g1 tx_packets) -le $((t1 + 1)) ]"
on g1 "iptables -D OUTPUT -d $G2 -p udp --dport 7300 -j DROP"

# SNAT: g1 also owns 10.55.0.101; its packets to g2 leave with that source.
check_on g1 "nft: SNAT towards g2 to 10.55.0.101" "ip addr add 10.55.0.101/24 dev eth0 &&
	nft add table ip xlnat &&
	nft add chain ip xlnat post '{ type nat hook postrouting priority 100; }' &&
	nft add rule ip xlnat post ip daddr $G2 udp dport 7300 snat to 10.55.0.101"
check_on g2 "nft: input counter for 10.55.0.101" "nft add table ip xlc &&
	nft add chain ip xlc in '{ type filter hook input priority 0; }' &&
	nft add rule ip xlc in ip saddr 10.55.0.101 udp dport 7300 counter"
dp_mark
check_on g1 "UDP g1 -> g2 with SNAT: echoes come back (reverse NAT)" \
	xlmsg rr -u -n 20 -s 200 $G2
n=$(on g2 "nft list chain ip xlc in" | sed -n 's/.*counter packets \([0-9]*\).*/\1/p')
check "g2 saw the SNAT source 10.55.0.101 ($n packets)" "[ '${n:-0}' -ge 20 ]"
tx=$(( $(dp_cnt g1 tx_packets) - m_tx1 ))
check "SNATed packets went through xenloop after the first ($tx)" "[ $tx -ge 15 ]"
on g1 "nft delete table ip xlnat; ip addr del 10.55.0.101/24 dev eth0"
on g2 "nft delete table ip xlc"

stage "UDP flood: memory stays bounded" 300
# Four senders in g2 flood g1; g1 is paused for 6 s in the middle, so
# that its FIFO fills and g2's backlog and the senders' socket buffers
# take the pressure: g2's memory must not grow with the flood.
mem() { on "$1" "awk '/^MemAvailable/ { print \$2 }' /proc/meminfo"; }
on g1 "xlmsg serve -p 7300 > /tmp/xlmsg.log 2>&1 &"
a1=$(mem g1) a2=$(mem g2) d0=$(dp_cnt g2 tx_dropped)
q0=$(dp_eth g2 peer$(guest_domid g1)_tx_queued)
on g2 "for s in 1400 1401 60000 60001; do xlmsg flood -s \$s -d 16 $G1 > /tmp/flood.\$s 2>&1 & done; sleep 3"
check "xl pause g1 (its FIFO fills)" xl pause g1
sleep 6
b2=$(mem g2)
check "xl unpause g1" xl unpause g1
on g2 "sleep 9; cat /tmp/flood.*" | while read -r l; do diag "$l"; done
b1=$(mem g1)
q=$(( $(dp_eth g2 peer$(guest_domid g1)_tx_queued) - q0 ))
diag "MemAvailable g2 $a2 -> $b2 kB (g1 paused), g1 $a1 -> $b1 kB; g2 xenloop tx_queued +$q tx_dropped +$(( $(dp_cnt g2 tx_dropped) - d0 ))"
check "the backlog took packets while g1 was paused (tx_queued +$q)" "[ $q -gt 0 ]"
check "g2's available memory fell by less than 16 MiB under the flood" \
	"[ $((a2 - b2)) -lt 16384 ]"
check "g1's available memory fell by less than 16 MiB under the flood" \
	"[ $((a1 - b1)) -lt 16384 ]"
check_on g2 "the channel still carries verified UDP after the flood" \
	xlmsg rr -u -n 5 -s 1,1400,65507 $G1
# What the control plane did meanwhile (a stall, a reconnect), if anything.
for g in g1 g2; do
	on -t 20 $g "dmesg | grep 'xenloop: peer' | tail -n 4" | while read -r l; do diag "$g: $l"; done
done

stage "from a network namespace" 300
# eth0 moves into a namespace of its own in g1: the hooks and the receive
# side must work there as in the initial namespace.
IP=/usr/sbin/ip
check_on g1 "g1's eth0 moves into namespace xl with its addresses" \
	"$IP netns add xl && $IP link set eth0 netns xl &&
	 $IP -n xl link set lo up && $IP -n xl addr add $G1/24 dev eth0 &&
	 $IP -n xl addr add $G1v6/64 dev eth0 nodad && $IP -n xl link set eth0 up"
check_wait "g2 answers from inside the namespace" 60 \
	"on g1 $IP netns exec xl ping -c 1 -W 2 $G2"
on g1 "$IP netns exec xl ping6 -c 1 -W 5 $G2v6" > /dev/null
dp_mark
check_on g1 "UDP and TCP, IPv4 and IPv6, from the namespace to g2, verified" \
	"$IP netns exec xl xlmsg rr -u -n 5 -s 1,1400,65000 $G2 &&
	 $IP netns exec xl xlmsg rr -t -n 5 -s 1,65536 $G2v6"
dp_moved "traffic from the namespace" 20
check_on g1 "eth0 moves back to the initial namespace" \
	"$IP -n xl link set eth0 netns 1 && $IP netns del xl &&
	 $IP addr add $G1/24 dev eth0 && $IP addr add $G1v6/64 dev eth0 nodad &&
	 $IP link set eth0 up"
check_wait "g2 answers g1 again" 60 "on g1 ping -c 1 -W 2 $G2"
on g1 "ping6 -c 1 -W 5 $G2v6" > /dev/null

stage "save/restore and live migration of g2 during TCP transfers" 900
# The channel goes down at suspend (drained, backlog handed to netfront)
# and comes back with g2's new domid; the streams must not notice.
for op in migrate save; do
	if stream_start $op g1 g2 $((7020 + ${#op})) -d 3600 -r 4000000 &&
	   stream_wait_bytes g2 $op 2000000 60; then
		d0=$(guest_domid g2)
		if [ $op = save ]; then
			check "xl save g2 with a stream through xenloop" xl save g2 /tmp/g2.save &&
				check "xl restore g2" xl restore /tmp/g2.save
			rm -f /tmp/g2.save
		else
			check "xl migrate g2 with a stream through xenloop" \
				"xl migrate -s '' g2 'xl migrate-receive'"
		fi
		check "g2 is ready again ($op)" guest_wait g2
		diag "g2 domid $d0 -> $(guest_domid g2)"
		check_wait "the channel is back after $op" 120 "dp_chan g1 g2 && dp_chan g2 g1"
		b=$(stream_bytes g2 $op)
		dp_mark
		check "the stream keeps delivering after $op" \
			stream_wait_bytes g2 $op $((${b:-0} + 4000000)) 120
		dp_moved "the stream after $op" 20
		stream_stop g1 $op
		stream_verify "TCP stream across $op: same bytes and hash" g1 g2 $op
	else
		fail "TCP stream into g2 before $op" "$(stream_diag g1 g2 $op)"
	fi
done

stage "module unload during a TCP transfer" 900
if stream_start unl g1 g2 7010 -n $((96 * 1024 * 1024)) -r 8000000 &&
   stream_wait_bytes g2 unl 4000000 120; then
	check_on g1 "g1 (sender) unloads the module mid-transfer" rmmod xenloop
	stream_verify "TCP transfer completes verified over netfront after the unload" \
		g1 g2 unl $((96 * 1024 * 1024)) 600
else
	fail "TCP stream before the unload" "$(stream_diag g1 g2 unl)"
fi
check_on g1 "g1 loads the module again" modprobe xenloop
check_wait "the channel comes back" 120 "dp_chan g1 g2 && dp_chan g2 g1"
if stream_start unl2 g1 g2 7011 -n $((96 * 1024 * 1024)) -r 8000000 &&
   stream_wait_bytes g2 unl2 4000000 120; then
	check_on g2 "g2 (receiver) unloads the module mid-transfer" rmmod xenloop
	stream_verify "TCP transfer completes verified after the receiver's unload" \
		g1 g2 unl2 $((96 * 1024 * 1024)) 600
else
	fail "TCP stream before the receiver's unload" "$(stream_diag g1 g2 unl2)"
fi

stage "counters and logs" 120
dp_final g1 g2
xenloopd_stop
