# SPDX-License-Identifier: GPL-2.0
# lab: guests=4
#
# One guest flapping its participation must not cost the others more than
# it has to.  g1 (PV), g2 (PVH), g3 (PV) and g4 (PVH) load the module and
# connect their six channels; then g4 flips its participation, first by
# unloading and loading the module, then K times quickly by writing and
# removing its advertisement by hand (the module unloaded), ending
# advertised.  Meanwhile a dom0 watch on /local/domain/0/xenloop records
# every node that changes.  Checked:
#   (a) the channels among g1, g2 and g3 are untouched: in their debugfs
#       the counters offers, connects and teardowns of those peers do not
#       move and the state stays connected; nothing is written in their
#       pair directories, and no entry other than g4's in their views;
#   (b) each of g1's, g2's and g3's views is published at most
#       CHURN_BURST + 1 + CHURN_RATE * (seconds of flipping) times for
#       the K quick flips (xenloopd's budget for one guest's changes), and
#       never more than twice per flip;
#   (c) the final state is right: g4 is in every view with its pair
#       directories, and once it loads the module again its channels
#       connect.
# Reported: the nodes written per phase (views, entries, pairs) and each
# view's publications, with timings.

FLIPS=${FLIPS:-10}
# Time between two changes: 10 a second, what xenloopd used to accept.
FLIP_S=0.1
# xenloopd's budget for the changes of one guest that its peers see.
CHURN_BURST=4
CHURN_RATE=2

LAB_WAIT=${LAB_WAIT:-180}

# snap G: "peer field value" for the channel counters of G's peers.
snap() {
	on "$1" cat $XL_DBG/peers | awk '/^peer d/ { p = $2; next }
		p && ($1 == "state" || $1 == "offers" || $1 == "connects" ||
		      $1 == "teardowns") { print p, $1, $2 }'
}
# uninvolved G: G's lines for the peers among g1..g3 only.
uninvolved() { grep -v "^d$d4 " "$1"; }
# views_published D FROM: view publications of domain D in xenloopd's log
# from line FROM on.
views_published() {
	tail -n +"$2" "$XENLOOPD_LOG" | grep -c "view of domain $1:"
}
# The first line xenloopd writes from now on.
log_next() { echo $(($(wc -l < "$XENLOOPD_LOG") + 1)); }
watch_start() {
	xenstore-watch "$XL_ROOT" > /tmp/churn.watch 2>&1 &
	echo $! > /tmp/churn.watch.pid
	sleep 1
}
watch_stop() {
	kill "$(cat /tmp/churn.watch.pid)"
	wait "$(cat /tmp/churn.watch.pid)" 2>/dev/null
}
# What the watch saw, by kind: g4's view; entries of g4 in other views;
# other entries; other view nodes (generation...); g4's pair directories
# (xenloopd and the handshakes); the other pair directories.
watch_summary() {
	awk -v r="$XL_ROOT" -v x="$d4" '
		index($1, r "/") != 1 { next }
		{ p = substr($1, length(r) + 2); n = split(p, c, "/") }
		c[1] == "pairs" && n >= 2 {
			split(c[2], lh, "-")
			if (lh[1] == x || lh[2] == x) xp++; else op++
			next }
		c[1] == x { xv++; next }
		c[1] ~ /^[0-9]+$/ && c[2] == "peers" && n >= 3 {
			if (c[3] == x) xe++; else oe++
			next }
		c[1] ~ /^[0-9]+$/ { ov++; next }
		{ misc++ }
		END { printf "g4-view %d g4-entries %d other-entries %d other-view-nodes %d g4-pairs %d other-pairs %d other %d\n",
		      xv, xe, oe, ov, xp, op, misc }' /tmp/churn.watch
}
wfield() { watch_summary | awk -v f="$1" '{ for (i = 1; i < NF; i++) if ($i == f) print $(i + 1) }'; }
all_see4() { xl_sees $d1 $d4 && xl_sees $d2 $d4 && xl_sees $d3 $d4; }
none_sees4() { ! xl_sees $d1 $d4 && ! xl_sees $d2 $d4 && ! xl_sees $d3 $d4; }
pairs4() {
	local d lo hi
	for d in $d1 $d2 $d3; do
		lo=$d hi=$d4
		[ $d -gt $d4 ] && lo=$d4 hi=$d
		xenstore-exists $XL_ROOT/pairs/$lo-$hi || return 1
	done
}
peer_creations() { on "$1" dmesg | grep -c "peer d$d4 .*from dom0's view"; }
# The flips, run in g4: data/xenloop/version written and removed every
# FLIP_MS, ending written.  A xenstore client run costs a guest under TCG
# up to seconds, so the requests go to /dev/xen/xenbus straight from the
# shell: XS_WRITE (11) and XS_RM (13), each a 16-byte header (type,
# request id, transaction 0, payload length, little-endian) and the path.
flip_script() {
	cat <<EOS
exec 3<>/dev/xen/xenbus || exit 1
on() { printf '\\013\\0\\0\\0\\1\\0\\0\\0\\0\\0\\0\\0\\026\\0\\0\\0data/xenloop/version\\0%s' 2 >&3; }
off() { printf '\\015\\0\\0\\0\\1\\0\\0\\0\\0\\0\\0\\0\\025\\0\\0\\0data/xenloop/version\\0' >&3; }
t0=\$(cut -d' ' -f1 /proc/uptime)
i=0
while [ \$i -lt $FLIPS ]; do
	on || exit 1
	sleep $FLIP_S
	off || exit 1
	sleep $FLIP_S
	i=\$((i + 1))
done
on || exit 1
echo flips \$t0 \$(cut -d' ' -f1 /proc/uptime)
EOS
}

stage "start 4 guests, xenloopd, modules, channels" 600
guest_start g1 pv 128 && guest_start g2 pvh 128 && guest_start g3 pv 128 &&
	guest_start g4 pvh 128 || fail "xl create"
check "g1..g4 answer" guest_wait g1 g2 g3 g4
d1=$(guest_domid g1) d2=$(guest_domid g2) d3=$(guest_domid g3) d4=$(guest_domid g4)
diag "domids: g1=$d1 g2=$d2 g3=$d3 g4=$d4 (g4 flips)"
check "xenloopd starts" xenloopd_start
for g in g1 g2 g3 g4; do
	check_on $g "$g loads the module" modprobe xenloop
done
t=$(wait_until 180 "chan_up g1 g2 && chan_up g1 g3 && chan_up g2 g3 &&
	chan_up g1 g4 && chan_up g2 g4 && chan_up g3 g4")
check "all six channels connect" "[ '$t' != timeout ]"
for g in g1 g2 g3; do
	snap $g > /tmp/snap0.$g
done
diag "g1's channel counters:" "$(cat /tmp/snap0.g1)"
c0=$(peer_creations g1)

stage "g4 reloads its module twice" 300
watch_start
l0=$(log_next)
t0=$(lab_now_ms)
for i in 1 2; do
	check_on g4 "g4 unloads the module ($i)" rmmod xenloop
	check_wait "g4 leaves every view ($i)" 10 none_sees4
	check_on g4 "g4 loads the module ($i)" modprobe xenloop
	check_wait "g4 is back in every view ($i)" 10 all_see4
done
t=$(wait_until 120 "chan_up g1 g4 && chan_up g2 g4 && chan_up g3 g4")
check "g4's channels connect again" "[ '$t' != timeout ]"
watch_stop
diag "module flips: 2 in $(lab_since $t0) s; nodes changed: $(watch_summary)"
diag "views published: g1 $(views_published $d1 $l0), g2 $(views_published $d2 $l0), g3 $(views_published $d3 $l0), g4 $(views_published $d4 $l0)"
check "no entry but g4's was written in the other views" "[ $(wfield other-entries) = 0 ]"
check "nothing was written in the pair directories among g1, g2, g3" "[ $(wfield other-pairs) = 0 ]"
for g in g1 g2 g3; do
	check "$g: views published at most 4 times for 2 reloads" \
		"[ $(views_published $(guest_domid $g) $l0) -le 4 ]"
done

stage "g4 flips its advertisement $FLIPS times" 300
check_on g4 "g4 unloads the module" rmmod xenloop
check_wait "g4 leaves every view" 10 none_sees4
check_on g4 "g4 writes data/xenloop/features by hand" \
	xenstore-write data/xenloop/features 0x00000000
sleep 2
watch_start
l0=$(log_next)
t0=$(lab_now_ms)
out=$(on g4 "$(flip_script)")
check "g4 flipped $FLIPS times and stays advertised" \
	"echo '$out' | grep -q flips && [ \"\$(xenstore-read /local/domain/$d4/data/xenloop/version)\" = 2 ]" ||
	diag "g4: $out"
flip_s=$(echo "$out" | awk '/flips/ { printf "%.2f", $3 - $2 }')
t=$(wait_until 10 "all_see4 && pairs4")
check "g4 ends in every view, with its pair directories" "[ '$t' != timeout ]"
diag "flips took $flip_s s in g4 (the command $(lab_since $t0) s); g4 in every view with its pairs $t s after it returned"
sleep 3
watch_stop
diag "nodes changed: $(watch_summary)"
for g in g1 g2 g3; do
	d=$(guest_domid $g)
	n=$(views_published $d $l0)
	bound=$(awk -v s="$flip_s" -v b=$CHURN_BURST -v r=$CHURN_RATE -v k=$FLIPS \
		'BEGIN { n = b + 1 + int(r * s + 0.999); if (n > 2 * k) n = 2 * k; print n }')
	check "$g: view published at most $bound times ($n) for $FLIPS flips in $flip_s s" \
		"[ $n -le $bound ]"
done
check "no entry but g4's was written in the other views" "[ $(wfield other-entries) = 0 ]"
check "nothing was written in the pair directories among g1, g2, g3" "[ $(wfield other-pairs) = 0 ]"
diag "g4 appeared as a new peer in g1 $(($(peer_creations g1) - c0)) times so far (each: a fresh offer to it)"
for g in g1 g2 g3; do
	diag "$g: $(on $g dmesg | grep -c "peer d$d4: cannot write our offer") offers to g4 failed (its pair directory gone)"
done

stage "final state and untouched channels" 300
check_on g4 "g4 loads the module" modprobe xenloop
t=$(wait_until 120 "chan_up g1 g4 && chan_up g2 g4 && chan_up g3 g4")
check "g4's channels connect" "[ '$t' != timeout ]"
for g in g1 g2 g3; do
	snap $g > /tmp/snap1.$g
	uninvolved /tmp/snap0.$g > /tmp/snap0.$g.u
	uninvolved /tmp/snap1.$g > /tmp/snap1.$g.u
	check "$g: channels with the other two untouched (offers, connects, teardowns, connected)" \
		"grep -q connected /tmp/snap1.$g.u && diff /tmp/snap0.$g.u /tmp/snap1.$g.u" ||
		diag "$g before:" "$(cat /tmp/snap0.$g)" "$g after:" "$(cat /tmp/snap1.$g)"
done
check "xenloopd stops" xenloopd_stop TERM
check "the log has no error" "! grep -i -e error -e cannot $XENLOOPD_LOG"
for g in g1 g2 g3 g4; do
	dmesg_clean $g "no WARNING, BUG or Oops in $g"
done
