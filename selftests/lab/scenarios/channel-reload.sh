# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
#
# make check runs it on stock guests; LAB_GUEST_KERNEL=debug puts g2 on
# the debug kernel (KASAN, lockdep), by hand for now: debug PVH guests
# triple-fault on the emulated platform more often than a scenario
# survives (Documentation/lab.md).
#
# Module load and unload, 20 times in both guests: g1 (PV) and
# g2 (PVH) load the module, their channel connects, both unload it, and
# again.  Afterwards memory (/proc/meminfo), event channels
# (/proc/interrupts) and the grants the hypervisor sees as mapped (Xen's
# 'g' debug key, active entries per domain) are back at their baseline,
# and no kernel log line reports a WARNING, BUG, Oops or leak.

LAB_WAIT=${LAB_WAIT:-180}
ROUNDS=${ROUNDS:-20}

meminfo() { on "$1" "awk '\$1 == \"$2:\" { print \$2 }' /proc/meminfo"; }
dyn_irqs() { on "$1" "grep -c xen-dyn /proc/interrupts"; }

stage "start guests and xenloopd" 300
guest_start g1 pv && guest_start g2 pvh
check "g1 (PV) and g2 (PVH) answer" guest_wait g1 g2
d1=$(guest_domid g1) d2=$(guest_domid g2)
check "xenloopd starts" xenloopd_start
# Settle, then take the baseline.
for g in g1 g2; do on $g "modprobe xenloop && rmmod xenloop" > /dev/null; done
sleep 2
f1=$(meminfo g1 MemFree) f2=$(meminfo g2 MemFree)
i1=$(dyn_irqs g1) i2=$(dyn_irqs g2)
a1=$(xen_active $d1) a2=$(xen_active $d2)
diag "baseline: g1 MemFree $f1 kB, $i1 xen-dyn IRQs, $a1 active grants; g2 MemFree $f2 kB, $i2 xen-dyn IRQs, $a2 active grants"
diag "$(xl dmesg | grep -A3 'grant-table for remote' | head -20)"

stage "load and unload $ROUNDS times" 900
good=0 worst=0
n=1
while [ $n -le $ROUNDS ]; do
	on g1 modprobe xenloop > /dev/null
	t0=$(lab_now_ms)
	on g2 modprobe xenloop > /dev/null
	if t=$(wait_until 60 "chan_up g1 g2"); then
		good=$((good + 1))
		ms=$(( $(lab_now_ms) - t0 ))
		[ $ms -gt $worst ] && worst=$ms
	else
		diag "round $n: no channel: g1 $(chan_state g1 $d2), g2 $(chan_state g2 $d1)"
	fi
	# Alternate who leaves first.
	if [ $((n % 2)) = 1 ]; then
		on g1 rmmod xenloop; on g2 rmmod xenloop
	else
		on g2 rmmod xenloop; on g1 rmmod xenloop
	fi
	n=$((n + 1))
done
check "the channel connected in all $ROUNDS rounds ($good)" "[ $good = $ROUNDS ]"
diag "slowest connect: $worst ms after the second modprobe returned"

stage "back to baseline" 300
sleep 2
check "the module is unloaded in both guests" \
	"! on g1 grep -q xenloop /proc/modules && ! on g2 grep -q xenloop /proc/modules"
nf1=$(meminfo g1 MemFree) nf2=$(meminfo g2 MemFree)
diag "MemFree after: g1 $nf1 kB (baseline $f1), g2 $nf2 kB (baseline $f2)"
# One channel holds over 8 MiB of pages per guest (4 MiB granted, 4 MiB
# mapped); a leak of anything per round would be far above 6 MiB.
check "g1's free memory is within 6 MiB of its baseline" "[ $((f1 - nf1)) -lt 6144 ]"
check "g2's free memory is within 6 MiB of its baseline" "[ $((f2 - nf2)) -lt 6144 ]"
check "g1's xen-dyn event IRQs are back at $i1" "[ \$(dyn_irqs g1) = $i1 ]"
check "g2's xen-dyn event IRQs are back at $i2" "[ \$(dyn_irqs g2) = $i2 ]"
check "Xen's active grants of g1 are back at $a1" "[ \$(xen_active $d1) = $a1 ]"
check "Xen's active grants of g2 are back at $a2" "[ \$(xen_active $d2) = $a2 ]"
for g in g1 g2; do
	dmesg_noleak $g "no WARNING, BUG, Oops or leak in $g"
done
