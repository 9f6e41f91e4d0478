# SPDX-License-Identifier: GPL-2.0
# lab: guests=4
#
# The lab scales: LAB_GUESTS guests (4 in make check), PV and PVH
# alternating, every one of them reaches every other over IPv4 and IPv6
# (up to five one-packet tries per address: on a loaded host the first
# packet to a guest that just came up can be lost while ARP/ND resolve).
stage "start $LAB_GUESTS guests" $((120 + 120 * LAB_GUESTS))
names=
for i in $(seq 1 "$LAB_GUESTS"); do
	if [ $((i % 2)) = 1 ]; then t=pv; else t=pvh; fi
	guest_start "g$i" $t || fail "xl create g$i ($t)"
	names="$names g$i"
done
check "all $LAB_GUESTS guests answer" guest_wait $names
check "xl list shows $LAB_GUESTS running guests" \
	"[ \$(xl list | grep -c '^g[0-9]') = $LAB_GUESTS ]"

stage "full mesh ping" $((60 + 30 * LAB_GUESTS))
for a in $names; do
	targets=
	for b in $names; do
		[ $a = $b ] || targets="$targets $(guest_ip $b) $(guest_ip $b 6)"
	done
	check_on $a "$a ($(guest_type $a)) reaches every other guest" \
		"for ip in $targets; do
			n=0
			until ping -c 1 -W 5 \$ip > /dev/null; do
				n=\$((n + 1))
				[ \$n -lt 5 ] || { echo unreachable \$ip; exit 1; }
			done
		 done"
done
for g in $names; do
	dmesg_clean $g "no WARNING, BUG or Oops in $g"
done
