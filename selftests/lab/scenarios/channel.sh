# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
# lab: guest-kernel=stock,6.12
#
# make check runs g1 (PV) on Debian's 6.1 and g2 (PVH) on 6.12, the only
# PVH guest on 6.12 in make check; LAB_GUEST_KERNEL=debug puts
# g2 on the debug kernel (KASAN, lockdep), by hand for now: debug PVH
# guests triple-fault on the emulated platform more often than a
# scenario survives (Documentation/lab.md).
#
# Channel setup: g1 refuses a load with out-of-range parameters; g1 (PV)
# and g2 (PVH) load the module while xenloopd runs; the channel between
# them connects (both directions mapped read-only, event channel bound
# with late EOI) and the time from the second module load to "connected"
# on both sides is reported.  Then the peer leaves the advertisement
# (module unload): the channel goes down on the other side and nothing
# stays granted, mapped or bound.

LAB_WAIT=${LAB_WAIT:-180}

stage "start guests and xenloopd" 300
guest_start g1 pv && guest_start g2 pvh
check "g1 (PV) and g2 (PVH) answer" guest_wait g1 g2
d1=$(guest_domid g1) d2=$(guest_domid g2)
check "xenloopd starts" xenloopd_start

stage "channel comes up" 300
# Parameters that could only fail later, peer by peer, refuse the load.
check_on g1 "ring_order=15 and max_peers=0 refuse to load, saying why" \
	"! modprobe xenloop ring_order=15 && ! modprobe xenloop max_peers=0 &&
	 dmesg | grep -q 'xenloop: ring_order=15: the largest is 14' &&
	 dmesg | grep -q 'xenloop: max_peers=0: want 1 to 32751' &&
	 ! grep -q '^xenloop ' /proc/modules"
check_on g1 "g1 loads the module" modprobe xenloop
t0=$(lab_now_ms)
check_on g2 "g2 loads the module" modprobe xenloop
t=$(wait_until 120 "chan_up g1 g2")
check "the channel connects in g1 (PV) and g2 (PVH)" "[ '$t' != timeout ]"
diag "channel setup: connected on both sides $(lab_since $t0) s after g2's modprobe returned (polled)"
diag "g1's setup_ms $(chan_field g1 $d2 setup_ms), g2's setup_ms $(chan_field g2 $d1 setup_ms) (offer to connected)"
diag "g1's debugfs:" "$(on g1 cat $XL_DBG/peers $XL_DBG/stats)"
diag "g2's debugfs:" "$(on g2 cat $XL_DBG/peers $XL_DBG/stats)"
check "g1 maps g2's control page and data area" \
	"[ \$(chan_field g1 $d2 mapped) -gt 1 ] && [ \$(chan_field g1 $d2 grants) -gt 1 ]"
check "g2 maps g1's control page and data area" \
	"[ \$(chan_field g2 $d1 mapped) -gt 1 ] && [ \$(chan_field g2 $d1 grants) -gt 1 ]"
check "each side reads the peer's control page through its mapping (magic XLCP)" \
	"[ \$(chan_field g1 $d2 peer_ctrl_magic) = 0x50434c58 ] &&
	 [ \$(chan_field g2 $d1 peer_ctrl_magic) = 0x50434c58 ]"
check "each side received the peer's notification over the event channel" \
	"[ \$(chan_field g1 $d2 events) -ge 1 ] && [ \$(chan_field g2 $d1 events) -ge 1 ]"
check "one xenloop event channel in each guest" \
	"[ \$(chan_irqs g1) = 1 ] && [ \$(chan_irqs g2) = 1 ]"

stage "peer leaves" 300
t0=$(lab_now_ms)
check_on g2 "g2 unloads the module" rmmod xenloop
t=$(wait_until 60 "[ \"\$(chan_state g1 $d2)\" = '' ]")
check "g1 drops g2 as a peer" "[ '$t' != timeout ]"
diag "teardown: g2's rmmod took and g1 dropped the peer $(lab_since $t0) s after rmmod began"
check "g1 has nothing granted, mapped or bound" \
	"[ \$(chan_stat g1 grants) = 0 ] && [ \$(chan_stat g1 mapped_pages) = 0 ] &&
	 [ \$(chan_stat g1 evtchns) = 0 ] && [ \$(chan_irqs g1) = 0 ]"
check_on g1 "g1 unloads the module" rmmod xenloop
for g in g1 g2; do
	dmesg_noleak $g "no WARNING, BUG, Oops or leak in $g"
done
