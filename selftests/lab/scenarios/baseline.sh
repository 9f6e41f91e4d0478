# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
#
# Baseline: the lab itself works and the module is safe to load.
#   g1 (PV) and g2 (PVH) on xenbr0; g2 is saved, restored and migrated
#   while a verified TCP stream from g1 keeps flowing into it.
BULK=$((64 * 1024 * 1024))

stage "start guests" 300
guest_start g1 pv && guest_start g2 pvh
check "g1 (PV) and g2 (PVH) answer on the control network" guest_wait g1 g2
check "xenloopd lists both guests via libxenctrl/libxenstore" \
	"xenloopd --list-domains | tee /dev/stderr | grep -q 'g1 .* pv ' &&
	 xenloopd --list-domains | grep -q 'g2 .* pvh '"

stage "ping" 120
check_on g1 "g1 pings g2 (IPv4)" ping -c 3 -W 5 "$(guest_ip g2)"
check_on g2 "g2 pings g1 (IPv4)" ping -c 3 -W 5 "$(guest_ip g1)"
check_on g1 "g1 pings g2 (IPv6)" ping6 -c 3 -W 5 "$(guest_ip g2 6)"
check_on g2 "g2 pings g1 (IPv6)" ping6 -c 3 -W 5 "$(guest_ip g1 6)"

stage "bulk TCP" 600
stream_start bulk g1 g2 7001 -n $BULK &&
	stream_verify "64 MiB TCP g1 -> g2: same bytes and hash at both ends" \
		g1 g2 bulk $BULK 500 ||
	fail "64 MiB TCP g1 -> g2 started"

for g in g1 g2; do
	t=$(guest_type $g | tr a-z A-Z)
	stage "module in $t guest" 180
	check_on $g "xenloop loads in a $t guest (modprobe)" \
		"modprobe xenloop && grep -q '^xenloop ' /proc/modules"
	check_on $g "xenloop reports a $t guest" \
		"dmesg | grep -q 'xenloop: version .* loaded in a $t guest'"
	check_on $g "xenloop unloads from a $t guest" \
		"rmmod xenloop && ! grep -q '^xenloop ' /proc/modules"
	check_on $g "xenloop loads and unloads 10 more times in a $t guest" \
		"for i in 1 2 3 4 5 6 7 8 9 10; do
			modprobe xenloop && rmmod xenloop || exit 1
		 done"
	dmesg_clean $g "no WARNING, BUG or Oops in the $t guest's dmesg"
done

stage "save/restore PVH with an open TCP stream" 600
if stream_start sr g1 g2 7002 -d 3600 -r 2000000 &&
   stream_wait_bytes g2 sr 1000000 60; then
	d0=$(guest_domid g2)
	check "xl save g2 (PVH)" xl save g2 /tmp/g2.save
	check "xl restore g2 (PVH)" xl restore /tmp/g2.save
	rm -f /tmp/g2.save
	check "g2 is ready again after restore" guest_wait g2
	diag "g2 domid $d0 -> $(guest_domid g2)"
	b=$(stream_bytes g2 sr)
	check "TCP stream into g2 keeps delivering after restore" \
		stream_wait_bytes g2 sr $((${b:-0} + 2000000)) 120
	stream_stop g1 sr
	stream_verify "TCP stream across save/restore: same bytes and hash" g1 g2 sr
	dmesg_clean g2 "no WARNING, BUG or Oops in g2 after restore"
else
	fail "TCP stream into g2 before save" "$(stream_diag g1 g2 sr)"
fi

stage "live migration PVH with an open TCP stream" 600
if stream_start mig g1 g2 7003 -d 3600 -r 2000000 &&
   stream_wait_bytes g2 mig 1000000 60; then
	d0=$(guest_domid g2)
	check "xl migrate g2 (PVH) to localhost" \
		"xl migrate -s '' g2 'xl migrate-receive'"
	check "g2 is ready again after migration" guest_wait g2
	d1=$(guest_domid g2)
	diag "g2 domid $d0 -> $d1"
	check "g2 runs under a new domid after migration" \
		"[ -n '$d1' ] && [ '$d1' != '$d0' ]"
	b=$(stream_bytes g2 mig)
	check "TCP stream into g2 keeps delivering after migration" \
		stream_wait_bytes g2 mig $((${b:-0} + 2000000)) 120
	stream_stop g1 mig
	stream_verify "TCP stream across live migration: same bytes and hash" g1 g2 mig
	check "g2's console continues in the --incoming log" \
		"[ -s $LAB_OUT/console/guest-g2--incoming.log ]"
	dmesg_clean g2 "no WARNING, BUG or Oops in g2 after migration"
else
	fail "TCP stream into g2 before migration" "$(stream_diag g1 g2 mig)"
fi
