# SPDX-License-Identifier: GPL-2.0
# lab: guests=3
#
# Delivery exactly where the bridges would deliver: guests with vifs on
# two test networks, xenbr0 and the isolated xenbr2 (no dom0 address).
#
#   g1 (PV)  eth0 --- xenbr0 --- eth0 g2 (PVH) net2 --- xenbr2 --- net2 g3 (PV)
#                        \______________________________ eth0 g3
#
# (every guest also has ctl0 on xenbr1, the lab's control network).  g1
# has no vif on xenbr2.  Checked, with the module loaded everywhere:
#   - dom0's views give every vif its network, the same on both sides;
#   - g2 and g3 carry verified streams over both networks at once, each
#     arriving on the device of its network (nft iifname counters), through
#     xenloop (dom0's xenbr2 vifs stay flat);
#   - g1 routes g2's xenbr2 address via g2's eth0 address (the bridge
#     delivers that on g2's eth0, nowhere else): what arrives on g2's net2
#     with the module is what arrives without it (nothing), IPv4 and
#     IPv6, while the packets did go through xenloop;
#   - g2's net2 holds a neighbour entry with g1's xenbr0 MAC (what a
#     forged Neighbour Advertisement would leave): what g2 sends to it is
#     not taken by xenloop and never reaches g1, as on the bridges;
#   - g2's net2 moves into a network namespace: g3 reaches it there, g1's
#     routed packets still do not;
#   - g3 leaves xenbr0 (its eth0 vif detached): g2 talks to g1 on xenbr0
#     and to g3 on xenbr2, each through xenloop.
LAB_WAIT=${LAB_WAIT:-180}
IP=/usr/sbin/ip
NFT=/usr/sbin/nft

# Addresses on xenbr2: 10.57.0.<idx>/24, fd00:57::<idx>/64.
net2_ip() { net_ip "$1" 57 "${2:-4}"; }
net2_mac() { printf '00:16:3e:58:00:%02x' "$(guest_idx "$1")"; }

# Attach a vif on xenbr2 to guest G and bring it up as net2 (found by its
# MAC, whatever name netfront gave it) with its addresses.
net2_attach() {
	local g=$1 mac
	mac=$(net2_mac "$g")
	xl network-attach "$g" "mac=$mac" bridge=xenbr2 script=vif-lab > /dev/null 2>&1 ||
		return 1
	wait_until 60 "on $g \"$IP -o link | grep -q '$mac'\"" > /dev/null || return 1
	on "$g" "d=\$($IP -o link | grep '$mac' | sed 's/^[0-9]*: \([^:@]*\).*/\1/') &&
		$IP link set \$d name net2 && $IP addr add $(net2_ip "$g")/24 dev net2 &&
		$IP addr add $(net2_ip "$g" 6)/64 dev net2 nodad && $IP link set net2 up"
}

# nft counters by input device in guest G (namespace NS if given), one
# per "NAME MATCH" pair; read back with nft_count.  (busybox has no
# /sbin/modprobe for the kernel's module autoloading, which nf_tables
# needs for crc32c.)
nft_counters() {
	local g=$1 ns=$2 rules=
	shift 2
	while [ $# -ge 2 ]; do
		rules="$rules add rule inet xl in $2 counter comment \"$1\";"
		shift 2
	done
	on "$g" "echo /bin/modprobe > /proc/sys/kernel/modprobe && modprobe nf_tables &&
		${ns:+$IP netns exec $ns }$NFT -f - <<EOF
flush ruleset
add table inet xl
add chain inet xl in { type filter hook prerouting priority -300; }
$rules
EOF"
}
# nft_count G NAME [NS]: the packets counter NAME counted (0 if unreadable).
nft_count() {
	as_count "$(on "$1" "${3:+$IP netns exec $3 }$NFT list chain inet xl in" |
		awk -v c="\"$2\"" '$0 ~ "comment " c { for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }')"
}

# Packets dom0's xenbr2 vifs of g2 and g3 saw, both ways.
vif2_sum() { vif_sum packets 2 g2 g3; }

stage "start guests and xenloopd" 600
guest_start g1 pv && guest_start g2 pvh && guest_start g3 pv
check "g1 (PV), g2 (PVH) and g3 (PV) answer" guest_wait g1 g2 g3
d1=$(guest_domid g1) d2=$(guest_domid g2) d3=$(guest_domid g3)
for g in g2 g3; do
	check "$g gets a vif on xenbr2 (net2)" net2_attach $g
done
check "xenloopd starts" xenloopd_start
for g in g1 g2 g3; do
	check_on $g "$g loads the module" modprobe xenloop
done
check_wait "the channels g1-g2, g2-g3 and g1-g3 connect" 120 \
	"chan_up g1 g2 && chan_up g2 g3 && chan_up g1 g3"
G1=$(guest_ip g1) G2=$(guest_ip g2) G3=$(guest_ip g3) G1v6=$(guest_ip g1 6)
N2=$(net2_ip g2) N3=$(net2_ip g3) N2v6=$(net2_ip g2 6) N3v6=$(net2_ip g3 6)
# Resolve the neighbours through netfront before anything is counted.
on g1 "ping -c 1 -W 5 $G2; ping -c 1 -W 5 $G3; ping6 -c 1 -W 5 $(guest_ip g2 6)" > /dev/null
on g2 "ping -c 1 -W 5 $N3; ping6 -c 1 -W 5 $N3v6; ping -c 1 -W 5 $G3" > /dev/null
on g3 "ping -c 1 -W 5 $N2; ping -c 1 -W 5 $G2" > /dev/null

stage "dom0's views name each vif's network" 120
nets() { xl_peer "$1" "$2" vifs | vifs_field 3; }
check "g1's entry for g2 lists its three vifs by device id" \
	"[ \"\$(xl_peer $d1 $d2 vifs | vifs_field 1)\" = '0 1 2' ]"
check "g2's xenbr2 vif is on a network of its own in g1's view" \
	"set -- \$(nets $d1 $d2) && [ \$3 != \$1 ] && [ \$3 != \$2 ] && [ \$1 != \$2 ]"
check "g2 and g3 see each other's xenbr2 vifs on one network" \
	"[ \"\$(nets $d2 $d3)\" = \"\$(xenstore-read $XL_ROOT/$d2/vifs | vifs_field 3)\" ]"
diag "g2's own vifs: $(xenstore-read $XL_ROOT/$d2/vifs)"

stage "both networks at once" 300
for g in g1 g3; do on $g "xlmsg serve -p 7300 > /tmp/xlmsg.log 2>&1 &"; done
nft_counters g3 "" e0-from-g2 "iifname eth0 ip saddr $G2" n2-from-g2 "iifname net2 ip saddr $N2" \
	e0-from-n2 "iifname eth0 ip saddr $N2" n2-from-e0 "iifname net2 ip saddr $G2" ||
	fail "nft counters in g3"
v0=$(vif2_sum) t0=$(dp_cnt g2 tx_packets)
check_on g2 "verified UDP and TCP to g3 over xenbr0 and xenbr2 at once" \
	"xlmsg rr -t -n 20 -s 1,1400,65536 $G3 > /tmp/a.log 2>&1 & a=\$!
	 xlmsg rr -t -n 20 -s 1,1400,65536 $N3 > /tmp/b.log 2>&1 & b=\$!
	 xlmsg rr -u -n 10 -s 1,1400,60000 $N3v6 && xlmsg rr -u -n 10 -s 1,1400 $G3 &&
	 wait \$a && wait \$b"
e=$(nft_count g3 e0-from-g2) n=$(nft_count g3 n2-from-g2)
x=$(( $(nft_count g3 e0-from-n2) + $(nft_count g3 n2-from-e0) ))
v=$(( $(vif2_sum) - v0 )) t=$(( $(dp_cnt g2 tx_packets) - t0 ))
diag "g3 received on eth0 from g2's eth0: $e, on net2 from g2's net2: $n, crossed: $x; g2 xenloop tx +$t; dom0's xenbr2 vifs +$v"
check "each network's packets arrived on its own device in g3" \
	"[ ${e:-0} -gt 0 ] && [ ${n:-0} -gt 0 ] && [ $x -eq 0 ]"
check "they went through xenloop (dom0's xenbr2 vifs +$v)" "[ $t -gt 100 ] && [ $v -le 20 ]"

stage "a route to an address the bridges cannot reach" 600
on g1 "$IP route add $N2/32 via $G2 dev eth0; $IP -6 route add $N2v6/128 via $(guest_ip g2 6) dev eth0"
# attack_round [NS]: g1 floods g2's xenbr2 addresses (routed via g2's eth0
# addresses) for 2 s each, IPv4 and IPv6; g2 counts what arrives (in
# namespace NS if given) with nft and with a packet socket on net2 (what
# tcpdump would see there: any IP frame, so a little chatter of the
# network's own may show).  Prints "XENLOOP-TX ON-NET2 ON-ETH0 SNIFFED-NET2".
attack_round() {
	local t0 a b s
	# g1's flood only: g3's own probes of these addresses (neighbour
	# re-validation) also arrive on net2, rightly.
	nft_counters g2 "$1" \
		n2 "iifname net2 ip saddr $G1 ip daddr $N2 udp dport 7400" \
		n2v6 "iifname net2 ip6 saddr $G1v6 ip6 daddr $N2v6 udp dport 7400" \
		e0 "iifname eth0 ip saddr $G1 ip daddr $N2 udp dport 7400" \
		e0v6 "iifname eth0 ip6 saddr $G1v6 ip6 daddr $N2v6 udp dport 7400" > /dev/null ||
		{ echo "-1 -1 -1 -1"; return; }
	on g2 "${1:+$IP netns exec $1 }xlmsg sniff -d 9 net2 > /tmp/sniff.out 2>&1 &" > /dev/null
	wait_until 10 "on g2 grep -q sniffing /tmp/sniff.out" > /dev/null
	t0=$(dp_cnt g1 tx_packets)
	on g1 "xlmsg flood -p 7400 -s 200 -d 2 $N2 > /dev/null; xlmsg flood -p 7400 -s 200 -d 2 $N2v6 > /dev/null"
	a=$(( $(nft_count g2 n2 "$1") + $(nft_count g2 n2v6 "$1") ))
	b=$(( $(nft_count g2 e0 "$1") + $(nft_count g2 e0v6 "$1") ))
	wait_until 15 "on g2 grep -q 'sniff in=' /tmp/sniff.out" > /dev/null
	s=$(on g2 "sed -n 's/^sniff in=\([0-9]*\) .*/\1/p' /tmp/sniff.out")
	echo "$(( $(dp_cnt g1 tx_packets) - t0 )) $a $b $(as_count "$s")"
}
set -- $(attack_round "")
diag "with g1's module: g1 xenloop tx +$1, arrived on g2's net2: $2, on g2's eth0: $3; a packet socket on net2 saw $4"
check "g1's packets to g2's xenbr2 addresses went through xenloop" "[ $1 -gt 100 ]"
check "none arrived on g2's net2 (xenbr2), IPv4 and IPv6" "[ $2 -eq 0 ]"
check "a packet socket on g2's net2 saw none of them ($4 IP frames in all)" "[ $4 -lt 10 ]"
check "they arrived on g2's eth0, as the bridge delivers them" "[ $3 -gt 100 ]"
check_on g1 "g1 unloads its module" rmmod xenloop
set -- $(attack_round "")
diag "through netfront: arrived on g2's net2: $2, on g2's eth0: $3; a packet socket on net2 saw $4"
check "through netfront too, none arrived on g2's net2" "[ $2 -eq 0 ] && [ $3 -gt 0 ] && [ $4 -lt 10 ]"
check_on g1 "g1 loads its module again" modprobe xenloop
check_wait "the g1-g2 channel connects again" 120 "chan_up g1 g2"
on g1 "ping -c 1 -W 5 $G2" > /dev/null

stage "a neighbour entry on xenbr2 that names a MAC on xenbr0" 300
# What a forged Neighbour Advertisement (or ARP reply) would leave in g2:
# an entry on net2 with g1's eth0 MAC.  The bridge never carries net2's
# frames to g1 (g1 has no vif on xenbr2), so xenloop must not either.
check_on g2 "g2's net2 gets a neighbour entry with g1's xenbr0 MAC" \
	"$IP neigh replace 10.57.0.99 lladdr $(guest_mac g1) dev net2 nud permanent &&
	 $IP -6 neigh replace fd00:57::99 lladdr $(guest_mac g1) dev net2 nud permanent"
nft_counters g1 "" to99 "ip daddr 10.57.0.99" to99v6 "ip6 daddr fd00:57::99" > /dev/null ||
	fail "nft counters in g1"
t0=$(dp_cnt g2 tx_packets)
on g2 "xlmsg flood -p 7400 -s 200 -d 2 10.57.0.99 > /dev/null; xlmsg flood -p 7400 -s 200 -d 2 fd00:57::99 > /dev/null"
a=$(( $(nft_count g1 to99) + $(nft_count g1 to99v6) )) t=$(( $(dp_cnt g2 tx_packets) - t0 ))
diag "g2's flood to the poisoned entries: g2 xenloop tx +$t, arrived at g1: $a"
check "xenloop did not take them, and none reached g1, IPv4 and IPv6" "[ $a -eq 0 ] && [ $t -lt 20 ]"
on g2 "$IP neigh del 10.57.0.99 dev net2; $IP -6 neigh del fd00:57::99 dev net2" > /dev/null

stage "net2 in a network namespace" 600
check_on g2 "g2's net2 moves into namespace ns2 with its addresses" \
	"$IP netns add ns2 && $IP link set net2 netns ns2 && $IP -n ns2 link set lo up &&
	 $IP -n ns2 addr add $N2/24 dev net2 && $IP -n ns2 addr add $N2v6/64 dev net2 nodad &&
	 $IP -n ns2 link set net2 up && ($IP netns exec ns2 xlmsg serve -p 7301 > /tmp/ns.log 2>&1 &)"
check_wait "g3 reaches g2 inside the namespace" 60 "on g3 ping -c 1 -W 2 $N2"
t0=$(dp_cnt g3 tx_packets)
check_on g3 "verified UDP and TCP from g3 to g2's namespace, IPv4 and IPv6" \
	"xlmsg rr -u -p 7301 -n 10 -s 1,1400,60000 $N2 && xlmsg rr -t -p 7301 -n 10 -s 1,65536 $N2v6"
check "that went through xenloop" "[ \$(( \$(dp_cnt g3 tx_packets) - $t0 )) -gt 20 ]"
set -- $(attack_round ns2)
diag "g1's routed flood with net2 in ns2: g1 xenloop tx +$1, arrived in ns2 on net2: $2; a packet socket on net2 saw $4"
check "g1's routed packets never reach the namespace" "[ $2 -eq 0 ] && [ $4 -lt 10 ] && [ $1 -gt 100 ]"
check_on g2 "net2 comes back to the initial namespace" \
	"$IP -n ns2 link set net2 netns 1 && $IP netns del ns2 &&
	 $IP addr add $N2/24 dev net2 && $IP addr add $N2v6/64 dev net2 nodad && $IP link set net2 up"

stage "one vif on each of two bridges, two peers on one each" 600
check "g3 leaves xenbr0 (its eth0 vif detached)" "xl network-detach g3 0"
check_wait "g1's view of g3 no longer lists xenbr0" 60 \
	"[ \"\$(xl_peer $d1 $d3 vifs | vifs_field 1)\" = '1 2' ]"
check_wait "the g2-g3 channel is up (again)" 120 "chan_up g2 g3"
on g2 "ping -c 1 -W 5 $N3; ping -c 1 -W 5 $G1" > /dev/null
t0=$(dp_cnt g2 tx_packets) v0=$(vif2_sum)
check_on g2 "verified TCP to g1 on xenbr0 and to g3 on xenbr2 at once" \
	"xlmsg rr -t -n 20 -s 1,65536 $G1 > /tmp/c.log 2>&1 & a=\$!
	 xlmsg rr -t -n 20 -s 1,65536 $N3 && wait \$a || { cat /tmp/c.log; false; }"
check "through xenloop (g2 tx +$(( $(dp_cnt g2 tx_packets) - t0 )), dom0's xenbr2 vifs +$(( $(vif2_sum) - v0 )))" \
	"[ \$(( \$(dp_cnt g2 tx_packets) - $t0 )) -gt 40 ] && [ \$(( \$(vif2_sum) - $v0 )) -le 20 ]"

stage "end" 120
for g in g1 g2 g3; do
	n=$(eth_sum $g '_rx_dropped_vif$')
	check "$g dropped no record of an honest peer as misaddressed ($n)" "[ '$n' = 0 ]"
	check_on $g "$g unloads the module" rmmod xenloop
	dmesg_noleak $g "no WARNING, BUG, Oops or leak in $g"
done
