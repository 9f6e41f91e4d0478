# SPDX-License-Identifier: GPL-2.0
# lab: guests=3
#
# A peer destroyed while connected and during setup: g1 (PV),
# g2 (PVH) and g3 (PV) connect pairwise.  g3 is destroyed: g1 and g2 drop
# it (time reported), release everything they held for it, and keep their
# own channel.  Then a new g3 advertises by hand (xenstore-write, no
# module), so g1 and g2 offer it a channel that it never answers, and g3
# is destroyed during that setup: the offers are withdrawn and every grant
# and event channel is released.

LAB_WAIT=${LAB_WAIT:-180}

# Module-wide counters of G: grants, mapped pages, event channels, IRQs.
res() {
	echo "$(chan_stat $1 grants)/$(chan_stat $1 mapped_pages)/$(chan_stat $1 evtchns)/$(chan_irqs $1)"
}

# G's module-wide counters are exactly those of its channel with domid D.
one_chan() {
	[ $(chan_stat $1 evtchns) = 1 ] && [ $(chan_irqs $1) = 1 ] &&
		[ $(chan_stat $1 grants) = $(chan_field $1 $2 grants) ] &&
		[ $(chan_stat $1 mapped_pages) = $(chan_field $1 $2 mapped) ]
}

stage "start guests and xenloopd" 300
guest_start g1 pv && guest_start g2 pvh && guest_start g3 pv
check "g1 (PV), g2 (PVH), g3 (PV) answer" guest_wait g1 g2 g3
d1=$(guest_domid g1) d2=$(guest_domid g2) d3=$(guest_domid g3)
check "xenloopd starts" xenloopd_start
for g in g1 g2 g3; do
	check_on $g "$g loads the module" modprobe xenloop
done
check_wait "all three channels connect" 120 "chan_up g1 g2 && chan_up g1 g3 && chan_up g2 g3"
r1=$(res g1) r2=$(res g2)
diag "grants/mapped/evtchns/irqs with two channels: g1 $r1, g2 $r2"

stage "destroy a connected peer" 300
t0=$(lab_now_ms)
xl destroy g3
t=$(wait_until 60 "[ -z \"\$(chan_state g1 $d3)\" ] && [ -z \"\$(chan_state g2 $d3)\" ]")
check "g1 (PV) and g2 (PVH) drop the destroyed g3" "[ '$t' != timeout ]"
diag "teardown after xl destroy: both dropped g3 $(lab_since $t0) s after xl destroy began"
rm -rf "$LAB_RUN/guests/g3"
check "the g1-g2 channel stays connected" "chan_up g1 g2"
check "g1 holds one channel's resources now" "one_chan g1 $d2"
check "g2 holds one channel's resources now" "one_chan g2 $d1"
b1=$(res g1) b2=$(res g2)

stage "destroy a peer during setup" 300
guest_start g3 pv
check "a new g3 answers" guest_wait g3
d3=$(guest_domid g3)
check_on g3 "g3 advertises by hand, without the module" \
	"xenstore-write data/xenloop/features 0x00000000 data/xenloop/version 2"
check_wait "g1 and g2 offer g3 a channel and wait" 60 \
	"[ \"\$(chan_state g1 $d3)\" = offered ] && [ \"\$(chan_state g2 $d3)\" = offered ]"
check "g1 and g2 granted pages and g1 an event channel for g3" \
	"[ \$(chan_field g1 $d3 grants) -gt 1 ] && [ \$(chan_field g2 $d3 grants) -gt 1 ] &&
	 [ \$(chan_stat g1 evtchns) -ge 1 ]"
t0=$(lab_now_ms)
xl destroy g3
t=$(wait_until 60 "[ -z \"\$(chan_state g1 $d3)\" ] && [ -z \"\$(chan_state g2 $d3)\" ]")
check "g1 and g2 drop g3 during setup" "[ '$t' != timeout ]"
diag "teardown during setup: $(lab_since $t0) s after xl destroy began"
rm -rf "$LAB_RUN/guests/g3"
check "g1's resources are back to one channel ($b1)" "[ \"\$(res g1)\" = '$b1' ]"
check "g2's resources are back to one channel ($b2)" "[ \"\$(res g2)\" = '$b2' ]"
check "the g1-g2 channel is still connected" "chan_up g1 g2"

stage "unload" 120
for g in g1 g2; do
	check_on $g "$g unloads the module" rmmod xenloop
	dmesg_noleak $g "no WARNING, BUG, Oops or leak in $g"
	diag "$g: $(on $g dmesg | grep xenloop | tail -n 12)"
done
