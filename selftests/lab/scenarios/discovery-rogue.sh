# SPDX-License-Identifier: GPL-2.0
# lab: guests=3
#
# A rogue guest.  g1 (PV) and g2 (PVH) run the module; g3 (PV)
# plays a hostile guest with the xenstore client over /dev/xen/xenbus.  It
# advertises by hand, tries to write into dom0's nodes, writes garbage,
# oversized values and a thousand nodes under its data/xenloop, and
# flaps its version.  None of it may change what g1 and g2 see of each
# other; g3 is simply not advertised while its advertisement is invalid,
# xenloopd's log about it stays rate-limited, and xenloopd keeps
# publishing other guests' changes within 1 s.

ADV=data/xenloop
# What g1 and g2 see of each other, and their pair directory.
snapshot() {
	xenstore-ls -f "$XL_ROOT/$d1/peers/$d2" "$XL_ROOT/$d2/peers/$d1"
	xenstore-ls -f -p "$XL_ROOT/pairs/$d1-$d2"
}
g3_out() { ! xl_sees $d1 $d3 && ! xl_sees $d2 $d3; }
g3_in() { xl_sees $d1 $d3 && xl_sees $d2 $d3; }

# Guests boot slowly when TCG shares the host with other labs.
LAB_WAIT=${LAB_WAIT:-180}

stage "start guests" 300
guest_start g1 pv && guest_start g2 pvh && guest_start g3 pv
check "g1, g2, g3 answer" guest_wait g1 g2 g3
d1=$(guest_domid g1) d2=$(guest_domid g2) d3=$(guest_domid g3)
diag "domids: g1=$d1 g2=$d2 g3(rogue)=$d3"
check "xenloopd starts" xenloopd_start
check_on g1 "g1 loads the module" modprobe xenloop
check_on g2 "g2 loads the module" modprobe xenloop
check_wait "g1 and g2 see each other" 5 "xl_sees $d1 $d2 && xl_sees $d2 $d1"
check_on g1 "g1 writes handshake data into pair $d1-$d2" \
	"xenstore-write $XL_ROOT/pairs/$d1-$d2/$d1/ring-ref 42"
snapshot > /tmp/snap0

stage "rogue writes into dom0's nodes" 300
check_on g3 "g3 advertises by hand" "xenstore-write $ADV/features 0x1 $ADV/version 2"
check_wait "g3 is advertised" 3 "g3_in"
for p in "$XL_ROOT/$d3/generation" "$XL_ROOT/$d3/peers/$d1/vifs" \
	 "$XL_ROOT/$d3/peers/99/vifs" "$XL_ROOT/$d1/peers/$d3/vifs" \
	 "$XL_ROOT/$d1/generation" "$XL_ROOT/next-generation" "$XL_ROOT/x" \
	 "$XL_ROOT/pairs/$d1-$d2/$d1/ring-ref" "$XL_ROOT/pairs/$d1-$d2/$d2/x" \
	 "$XL_ROOT/pairs/$d1-$d3/$d1/x" "$XL_ROOT/pairs/$d2-$d3/x" \
	 "$XL_ROOT/pairs/$d3-99/$d3/x" "/local/domain/$d3/xenloop-group"; do
	check_on g3 "g3 cannot write $p" "! xenstore-write $p evil"
done
check_on g3 "g3 cannot remove its view, others' entries or pairs" \
	"! xenstore-rm $XL_ROOT/$d3 && ! xenstore-rm $XL_ROOT/$d1/peers/$d3 &&
	 ! xenstore-rm $XL_ROOT/pairs/$d1-$d3 && ! xenstore-rm $XL_ROOT/pairs/$d1-$d3/$d1"
check_on g3 "g3 cannot read g1's view or pair $d1-$d2" \
	"! xenstore-read $XL_ROOT/$d1/generation && ! xenstore-ls $XL_ROOT/pairs/$d1-$d2"
check_on g3 "g3 cannot change permissions of its nodes in dom0's tree" \
	"! xenstore-chmod $XL_ROOT/$d3 b$d3 && ! xenstore-chmod $XL_ROOT/pairs/$d1-$d3/$d3 b$d3"
check_on g3 "g3 can write its own side of its pairs (as designed)" \
	"xenstore-write $XL_ROOT/pairs/$d1-$d3/$d3/x ok"

stage "garbage advertisements" 300
bad() { # DESC CMD
	check_on g3 "g3 writes $1" "$2"
	check_wait "... and g3 is not advertised" 3 "g3_out"
	check "... g1 and g2 are untouched" "snapshot | diff /tmp/snap0 -"
	on g3 "xenstore-write $ADV/features 0x1 $ADV/version 2" > /dev/null
	check_wait "... g3 recovers with a valid advertisement" 3 "g3_in"
}
bad "a garbage version" "xenstore-write $ADV/version abc"
bad "a version with a leading zero" "xenstore-write $ADV/version 01"
bad "a 2000-byte version (near the guest size quota)" "xenstore-write $ADV/version \$(printf %02000d 7)"
bad "garbage features" "xenstore-write $ADV/features 0xZZ"
bad "oversized features" "xenstore-write $ADV/features 0x0000000001"
bad "no features" "xenstore-rm $ADV/features"
bad "a directory as version" "xenstore-rm $ADV/version; xenstore-write $ADV/version/x 1"
# A version-1 module cannot tell one network from another: left out.
bad "protocol version 1" "xenstore-write $ADV/version 1"
t0=$(lab_now_ms)
# 30 directories of 100 (a node's record, children's names included, is
# capped at 2 KiB for guests); xenstored's per-domain node quota (1000)
# stops the guest first.
if out=$(on -t 300 g3 "i=0; while [ \$i -lt 30 ]; do
		set --; j=0
		while [ \$j -lt 100 ]; do set -- \"\$@\" $ADV/junk/\$i/\$j x; j=\$((j + 1)); done
		xenstore-write \"\$@\" 2>/dev/null || break
		i=\$((i + 1))
	 done; echo \$(xenstore-ls $ADV/junk | wc -l) nodes written"); then
	ok "g3 writes up to 3000 nodes under $ADV (until its quota stops it)"
	diag "flood: $out"
else
	fail "g3 writes up to 3000 nodes under $ADV" "$out"
fi
diag "3000-node flood took $(lab_since $t0) s"
check "g1 and g2 are untouched by the flood" "snapshot | diff /tmp/snap0 -"
check "g3 stays advertised: its two nodes are still valid" g3_in
check_on g3 "g3 removes the junk" "xenstore-rm $ADV/junk"

stage "flapping" 300
n0=$(grep -c "domain $d3 (g3)" $XENLOOPD_LOG)
t0=$(lab_now_ms)
check_on g3 "g3 flips its version 200 times (one process, 200 writes)" \
	"set --; i=0
	 while [ \$i -lt 100 ]; do
		set -- \"\$@\" $ADV/version x $ADV/version 2; i=\$((i + 1))
	 done
	 xenstore-write \"\$@\""
diag "200 flips took $(lab_since $t0) s"
check_wait "g3 settles as advertised" 5 "g3_in"
check "g1 and g2 are untouched by the flapping" "snapshot | diff /tmp/snap0 -"
n=$(( $(grep -c "domain $d3 (g3)" $XENLOOPD_LOG) - n0 ))
diag "log lines about g3 during the flapping: $n; $(grep "domain $d3 (g3).*suppressed" $XENLOOPD_LOG | tail -n1)"
check "xenloopd's log about g3 is rate-limited ($n lines for 200 flips)" "[ $n -le 25 ]"
check "xenloopd is alive" "kill -0 \$(cat $LAB_RUN/xenloopd.pid)"
xl_latency "g2 unload after the rogue's flood" "on g2 rmmod xenloop" \
	"! xenstore-exists /local/domain/$d2/$ADV/version" "! xl_sees $d1 $d2" \
	"/local/domain/$d2/$ADV"
xl_latency "g2 reload after the rogue's flood" "on g2 modprobe xenloop" \
	"xenstore-exists /local/domain/$d2/$ADV/version" "xl_sees $d1 $d2" \
	"/local/domain/$d2/$ADV"
check_wait "g3 sees g2 again too" 3 "xl_sees $d3 $d2"
check "xenloopd stops" xenloopd_stop TERM
for g in g1 g2 g3; do
	dmesg_clean $g "no WARNING, BUG or Oops in $g"
done
