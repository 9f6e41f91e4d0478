# SPDX-License-Identifier: GPL-2.0
# lab: guests=3
#
# A rogue peer: g1 (PV) advertises by hand, without the module,
# and then writes garbage handshake values into its side of the pair
# directories it shares with g2 (PV) and g3 (PVH), which run the module.
# Each bad value is rejected with a clear log line naming it, the channel
# to g1 goes to "broken" and is retried with backoff, nothing crashes or
# warns, and the g2-g3 channel is not disturbed.  g1 has the lowest
# domid, so g2 and g3 also read (and must validate) its event channel.

LAB_WAIT=${LAB_WAIT:-180}

stage "start guests and xenloopd" 300
guest_start g1 pv && guest_start g2 pv && guest_start g3 pvh
check "g1 (rogue, PV), g2 (PV) and g3 (PVH) answer" guest_wait g1 g2 g3
d1=$(guest_domid g1) d2=$(guest_domid g2) d3=$(guest_domid g3)
check "g1 has the lowest domid" "[ $d1 -lt $d2 ] && [ $d1 -lt $d3 ]"
check "xenloopd starts" xenloopd_start
for g in g2 g3; do
	check_on $g "$g loads the module (backoff at most 2 s)" \
		modprobe xenloop backoff_max_ms=2000
done
check_wait "the g2-g3 channel connects" 120 "chan_up g2 g3"
check_on g1 "g1 advertises by hand" \
	"xenstore-write data/xenloop/features 0x00000000 data/xenloop/version 2"
check_wait "g2 and g3 offer g1 a channel" 60 \
	"[ \"\$(chan_state g2 $d1)\" = offered ] && [ \"\$(chan_state g3 $d1)\" = offered ]"
gen=$(xl_peer $d2 $d1 generation)
P=$XL_ROOT/pairs

# The last error guest $1 recorded about g1 (debugfs; the kernel log is
# rate-limited to 10 lines a minute per peer).
last_err() { on $1 cat $XL_DBG/peers | sed -n "/^peer d$d1\$/,/^peer /p" | grep last_error; }

# rogue DESC MESSAGE NODE=VALUE...: g1 writes an offer with these values
# over a valid-looking base into both of its sides; g2 and g3 must log
# MESSAGE and mark the channel broken.
rogue() {
	local desc=$1 msg=$2 base args kv
	shift 2
	base="generation=$gen attempt=7 version=2 features=0x00000000 ring-order=0
	      ctrl-ref=100 dir-refs=101 event-channel=9 state=ready"
	args=
	for side in $P/$d1-$d2/$d1 $P/$d1-$d3/$d1; do
		for kv in $base "$@"; do
			args="$args $side/${kv%%=*} '${kv#*=}'"
		done
	done
	on g1 "xenstore-rm $P/$d1-$d2/$d1/state $P/$d1-$d3/$d1/state 2>/dev/null;
	       xenstore-write $args" > /dev/null
	check_wait "$desc: g2 (PV) and g3 (PVH) reject it: \"$msg\"" 30 \
		"last_err g2 | grep -q \"$msg\" && last_err g3 | grep -q \"$msg\""
}

stage "garbage handshakes" 600
# A value with a newline would start a log line of its own, which could
# pass for anything: peer bytes are escaped in the log.  (A state is at
# most 11 bytes.)
rogue "a state with a newline in it" "handshake: unknown state" \
	$'state=\nxenloop: Z'
for g in g2 g3; do
	check "$g's log has no line the peer forged" \
		"! on $g dmesg | grep -q '^\[[ 0-9.]*\] xenloop: Z'"
done
rogue "unknown state" "handshake: unknown state \\\"hello" "state=hello"
rogue "attempt not a number" "handshake: attempt is not a number" "attempt=12abc"
rogue "version 0" "handshake: unsupported version 0" "version=0"
# Version 1 records say nothing of the vifs they are for.
rogue "channel version 1" "handshake: unsupported version 1" "version=1"
rogue "features not hex" "handshake: bad features" "features=0xzz"
rogue "ring order too large" "handshake: ring-order 20 above our limit" "ring-order=20"
rogue "reserved grant reference" "handshake: reserved ctrl-ref 3" "ctrl-ref=3"
rogue "too many directory references" "handshake: 2 dir-refs for ring-order 0" "dir-refs=101 102"
rogue "oversized value" "handshake: ring-order is too long" "ring-order=0000000000000000000000000000000000000001"
rogue "event channel 0" "handshake: event-channel 0" "event-channel=0"
# Channel version 3 queues: g2 and g3 have the higher domids, so they
# read g1's ports for queues 1.. too.  (Nodes stay between offers: the
# case without the list comes first; later offers say version 2, which
# has no queues.)
rogue "queue ports missing" "handshake: queue-event-channels is missing" \
	"version=3" "queues=2"
rogue "queues not a power of two" "handshake: bad queues 3" "version=3" "queues=3"
rogue "more queues than a channel has" "handshake: bad queues 16" "version=3" "queues=16"
rogue "fewer queue ports than queues" "handshake: 1 queue-event-channels for 4 queues" \
	"version=3" "queues=4" "queue-event-channels=10"
rogue "queue port 0" "handshake: bad queue-event-channels" \
	"version=3" "queues=2" "queue-event-channels=0"
rogue "grant references g1 never granted" "cannot map the peer's control page" \
	"ctrl-ref=4000" "dir-refs=4001"
check "g2 and g3 count the channel to g1 as broken" \
	"[ \$(chan_field g2 $d1 broken) -ge 5 ] && [ \$(chan_field g3 $d1 broken) -ge 5 ]"
diag "g2's view of g1: $(on g2 cat $XL_DBG/peers | sed -n "/^peer d$d1\$/,/^peer /p")"
check "the g2-g3 channel stayed connected" "chan_up g2 g3"
check "g2 and g3 hold nothing for g1 beyond their current offer" \
	"[ \$(chan_stat g2 mapped_pages) = \$(chan_field g2 $d3 mapped) ] &&
	 [ \$(chan_stat g3 mapped_pages) = \$(chan_field g3 $d2 mapped) ]"
check "the kernel logs name the first bad values" \
	"on g2 dmesg | grep -q 'xenloop: peer d$d1: handshake: unknown state \"hello\"' &&
	 on g3 dmesg | grep -q 'xenloop: peer d$d1: handshake: attempt is not a number: \"12abc\"'"
n=$(on g2 dmesg | grep -c "xenloop: peer d$d1:")
check "g2's log about g1 is rate-limited ($n lines)" "[ $n -le 12 ]"

stage "a flood of writes to the rogue's side" 300
# Only "state" (and the side itself) can matter to g2: its watch drops the
# rest before they are queued, and never queues more than one event.
e0=$(chan_field g2 $d1 watch_events) f0=$(chan_field g2 $d1 watch_filtered)
on g1 "i=0; while [ \$i -lt 300 ]; do xenstore-write $P/$d1-$d2/$d1/junk \$i; i=\$((i + 1)); done"
check_wait "g2's watch filtered the writes to other nodes" 60 \
	"[ \$((\$(chan_field g2 $d1 watch_filtered) - ${f0:-0})) -ge 300 ]"
e=$(( $(chan_field g2 $d1 watch_events) - ${e0:-0} ))
diag "g2: $e watch events looked at for 300 writes of junk ($(chan_field g2 $d1 watch_filtered) filtered in all)"
check "g2 looked at none of the 300 junk writes ($e)" "[ $e -eq 0 ]"
check "the g2-g3 channel stayed connected" "chan_up g2 g3"

stage "rogue leaves" 120
on g1 "xenstore-rm data/xenloop" > /dev/null
check_wait "g2 and g3 drop g1" 30 "[ -z \"\$(chan_state g2 $d1)\" ] && [ -z \"\$(chan_state g3 $d1)\" ]"
for g in g2 g3; do
	check_on $g "$g unloads the module" rmmod xenloop
	dmesg_noleak $g "no WARNING, BUG, Oops or leak in $g"
done
