# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
#
# Ways a peer, or plain bad timing, used to crash, freeze or starve a
# guest, shown with g1 and g2 (PV) both running the module:
#
#   - a peer that stops consuming (xl pause) loses its channel after the
#     stall timeout, traffic to it goes back to netfront, and the channel
#     comes back once the peer runs again;
#   - a peer removed from the table (its unload), then our own suspend:
#     the control-plane work must not hold its lock while it unregisters
#     a xenbus watch, which the suspend path (holding the watch mutex)
#     waits behind (lockdep reports the inverted order; a stock kernel
#     hangs, now and then);
#   - a peer with 16 vifs (the MAC limit dom0 and the module share) keeps
#     its channel;
#   - a netfront device that unregisters while packets for the peer wait
#     in the backlog (they pointed at the freed device).
#
# make check runs it on stock guests: g1 is PV and its suspend is a save
# and restore.  With LAB_GUEST_KERNEL=debug g1 is PVH on the debug kernel
# (KASAN catches a use of the freed device, lockdep the lock order) and
# its suspend is a live migration (a debug guest's save file does not
# fit dom0's tmpfs); not in make check, because the platform's PVH triple
# fault (Documentation/lab.md) has restarted g1 in every such run so far.
LAB_WAIT=${LAB_WAIT:-180}
STALL_MS=10000

# Words on the "vifs" line of g1's debugfs block for peer D (1 + vifs).
peer_vifs() { on g1 "grep -A4 '^peer d$1\$' $XL_DBG/peers | grep -w vifs | wc -w"; }

G1TYPE=pv
[ "$LAB_GUEST_KERNEL" = debug ] && G1TYPE=pvh

stage "start guests and xenloopd" 300
guest_start g1 $G1TYPE && guest_start g2 pv
check "g1 ($G1TYPE, $LAB_GUEST_KERNEL kernel) and g2 (PV) answer" guest_wait g1 g2
d1=$(guest_domid g1) d2=$(guest_domid g2)
G2=$(guest_ip g2)
check "xenloopd starts" xenloopd_start
for g in g1 g2; do
	check_on $g "$g loads the module" modprobe xenloop
done
check_wait "the channel connects" 120 "chan_up g1 g2"
# Resolve the neighbours through netfront; g2 echoes what g1 sends.
on g1 "ping -c 1 -W 5 $G2" > /dev/null
on g2 "ping -c 1 -W 5 $(guest_ip g1); xlmsg serve -p 7300 > /tmp/xlmsg.log 2>&1 &"
check "g1's stall timeout is the default $STALL_MS ms" \
	"[ \"\$(on g1 cat /sys/module/xenloop/parameters/stall_timeout_ms)\" = $STALL_MS ]"

stage "a peer that stops consuming" 300
# g1 floods g2, then g2 is paused: g1's data waits in the FIFO with the
# peer's consumer index still.  After the stall timeout g1 breaks the
# channel; when g2 runs again the channel comes back.
on g1 "for s in 1400 60000; do xlmsg flood -s \$s -d 40 $G2 > /tmp/flood.\$s 2>&1 & done; sleep 3"
check "xl pause g2" xl pause g2
t0=$(lab_now_ms)
t=$(wait_until 60 "[ \"\$(chan_state g1 $d2)\" != connected ]")
check "g1 breaks the channel to the paused g2" "[ '$t' != timeout ]"
diag "channel left 'connected' $(lab_since $t0) s after xl pause (stall timeout $STALL_MS ms)"
check "g1 counted the stall (stalls $(chan_field g1 $d2 stalls))" \
	"[ \"\$(chan_field g1 $d2 stalls)\" -ge 1 ]"
check "g1 says why" "on g1 dmesg | grep -q 'peer d$d2: stalled'"
check "xl unpause g2" xl unpause g2
on g1 "sleep 2; killall xlmsg 2>/dev/null; true"
check_wait "the channel comes back after g2 runs again" 120 "chan_up g1 g2"
check_on g1 "verified UDP and TCP to g2 after the stall" \
	"xlmsg rr -u -n 5 -s 1,1400,65000 $G2 && xlmsg rr -t -n 5 -s 1,65536 $G2"

stage "a peer leaves the table, then a suspend" 600
check_on g2 "g2 unloads the module" rmmod xenloop
check_wait "g1 drops g2 from its table" 60 "[ -z \"\$(chan_state g1 $d2)\" ]"
check_on g2 "g2 loads the module again" modprobe xenloop
check_wait "the channel connects again" 120 "chan_up g1 g2"
# A migration's suspend runs the same freeze callback as a save's.
if [ $G1TYPE = pvh ]; then
	check "xl migrate g1 (PVH)" "xl migrate -s '' g1 'xl migrate-receive'"
else
	check "xl save g1 (PV), then xl restore" \
		"xl save g1 /tmp/g1.save && xl restore /tmp/g1.save && rm -f /tmp/g1.save"
fi
check "g1 is ready again after the suspend" guest_wait g1
d1=$(guest_domid g1)
check_wait "the channel is back after the suspend" 120 "chan_up g1 g2"
dmesg_clean g1 "no kernel report in g1 after the suspend (lock order)"

stage "a peer with 16 vifs" 600
# 14 more vifs on the control bridge: 16 vifs in dom0's entry for g2.
for i in $(seq 2 15); do
	xl network-attach g2 "mac=$(printf '00:16:3e:57:%02x:%02x' "$(guest_idx g2)" "$i")" \
		bridge=xenbr1 script=vif-lab > /dev/null 2>&1 ||
		fail "xl network-attach g2 (vif $i)"
done
check_wait "g1's view lists 16 vifs for g2" 120 \
	"[ \$(xl_peer $d1 $d2 vifs | wc -w) = 16 ]"
check_wait "g1 keeps g2 with its 16 vifs and a connected channel" 120 \
	"chan_up g1 g2 && [ \$(peer_vifs $d2) = 17 ]"
check_on g1 "verified TCP to g2 with 16 vifs" "xlmsg rr -t -n 5 -s 1,65536 $G2"

stage "a netfront device unregisters with packets queued for it" 300
# g2 pauses for less than the stall timeout while g1 floods it: g1's
# backlog fills; then g1's eth0 goes away and g2 runs again.
q0=$(dp_eth g1 peer${d2}_tx_queued)
on g1 "for s in 1400 60000; do xlmsg flood -s \$s -d 30 $G2 > /tmp/flood.\$s 2>&1 & done; sleep 3"
check "xl pause g2" xl pause g2
sleep 3
q=$(( $(dp_eth g1 peer${d2}_tx_queued) - q0 ))
check "g1's backlog took packets ($q)" "[ $q -gt 0 ]"
check "xl network-detach g1 0 (eth0)" xl network-detach g1 0
check "xl unpause g2" xl unpause g2
on g1 "sleep 3; killall xlmsg 2>/dev/null; true"
check_wait "g1's eth0 is gone" 60 "! on g1 ip link show eth0"
check "g1 still answers (over its control vif)" "on g1 true"
diag "g1 tx_dropped $(dp_cnt g1 tx_dropped), tx_to_netfront $(dp_eth g1 peer${d2}_tx_to_netfront)"

stage "logs" 120
for g in g1 g2; do
	dmesg_clean $g "no kernel report (KASAN, lockdep, WARNING, BUG) in $g"
done
xenloopd_stop
