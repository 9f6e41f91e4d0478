# SPDX-License-Identifier: GPL-2.0
# lab: guests=3
#
# xenloopd restarts.  A restarted xenloopd rebuilds its state
# from XenStore and rewrites nothing that is still correct: the full dump
# of /local/domain/0/xenloop (values and permissions) is identical and the
# guests' handshake data in the pair directories survives.  Changes made
# while it was down (a module unloaded, a domain destroyed) are applied on
# start-up, and no generation is ever handed out twice.
#
#   g1 (PV), g2 (PVH), g3 (PV), all with the module loaded.

dump() { xenstore-ls -f -p "$XL_ROOT" | grep -v "^$XL_ROOT/next-generation " | sort; }
pairdir() { # lo hi
	echo "$XL_ROOT/pairs/$1-$2"
}
views_written() { grep -c 'entries changed' "$XENLOOPD_LOG"; }

# Guests boot slowly when TCG shares the host with other labs.
LAB_WAIT=${LAB_WAIT:-180}

stage "start guests" 300
guest_start g1 pv && guest_start g2 pvh && guest_start g3 pv
check "g1, g2, g3 answer" guest_wait g1 g2 g3
d1=$(guest_domid g1) d2=$(guest_domid g2) d3=$(guest_domid g3)
diag "domids: g1=$d1 g2=$d2 g3=$d3 (increasing)"
check "xenloopd starts" xenloopd_start
for g in g1 g2 g3; do
	check_on $g "$g loads the module" modprobe xenloop
done
check_wait "all three see each other" 5 \
	"xl_sees $d1 $d2 && xl_sees $d1 $d3 && xl_sees $d2 $d3 &&
	 xl_sees $d2 $d1 && xl_sees $d3 $d1 && xl_sees $d3 $d2"
# Data in the pair directory's sides: marker nodes next to the module's
# own handshake (the module ignores nodes it does not know, so its
# channel is not disturbed by them).
p12=$(pairdir $d1 $d2)
check_on g1 "g1 writes data into its side of pair $d1-$d2" \
	"xenstore-write $p12/$d1/lab-marker 42"
check_on g2 "g2 writes its side" \
	"xenstore-write $p12/$d2/lab-marker 43"
sleep 1
dump > /tmp/dump0
diag "dump: $(wc -l < /tmp/dump0) nodes"

stage "restart after SIGQUIT" 300
check "xenloopd exits on SIGQUIT" xenloopd_stop QUIT
check "SIGQUIT leaves every node in place" "dump | diff /tmp/dump0 -"
n0=$(views_written)
check "xenloopd starts again" xenloopd_start
sleep 1
check "the full dump is identical after the restart" "dump | diff /tmp/dump0 -"
check "the restarted daemon wrote no view" "[ $(views_written) = $n0 ]"
check "pair handshake data survived" \
	"[ \"\$(xenstore-read $p12/$d1/lab-marker)\" = 42 ] &&
	 [ \"\$(xenstore-read $p12/$d2/lab-marker)\" = 43 ]"
diag "restart: $(grep 'initial sync' $XENLOOPD_LOG | tail -n1 | sed 's/.*: //')"

stage "restart after SIGKILL" 300
check "xenloopd is killed" xenloopd_stop KILL
n0=$(views_written)
check "xenloopd starts again" xenloopd_start
sleep 1
check "the full dump is identical after a crash and restart" "dump | diff /tmp/dump0 -"
check "the restarted daemon wrote no view" "[ $(views_written) = $n0 ]"
xl_latency "after restart g3 unload" "on g3 rmmod xenloop" \
	"! xenstore-exists /local/domain/$d3/data/xenloop/version" "! xl_sees $d1 $d3" \
	"/local/domain/$d3/data/xenloop"
check_wait "and g3 is back after reload" 10 "on g3 modprobe xenloop && sleep 1 && xl_sees $d1 $d3"

stage "changes while xenloopd is down" 300
gen13=$(xl_peer $d1 $d3 generation)
g12=$(xl_peer $d1 $d2 generation) g21=$(xl_peer $d2 $d1 generation)
check "xenloopd exits on SIGQUIT" xenloopd_stop QUIT
check_on g3 "g3 unloads the module while xenloopd is down" rmmod xenloop
check "xenloopd starts again" xenloopd_start
check_wait "g3 is gone from g1's and g2's views" 2 \
	"! xl_sees $d1 $d3 && ! xl_sees $d2 $d3 && ! xenstore-exists $XL_ROOT/$d3"
check "g3's pairs are gone, g1-g2's is intact" \
	"! xenstore-exists $(pairdir $d1 $d3) && ! xenstore-exists $(pairdir $d2 $d3) &&
	 [ \"\$(xenstore-read $p12/$d1/lab-marker)\" = 42 ]"
check "g1's and g2's entries for each other are untouched" \
	"[ \"\$(xl_peer $d1 $d2 generation)\" = $g12 ] && [ \"\$(xl_peer $d2 $d1 generation)\" = $g21 ]"
check_on g3 "g3 loads the module again" modprobe xenloop
check_wait "g3 is back, with a newer generation than $gen13" 3 \
	"[ \"\$(xl_peer $d1 $d3 generation)\" -gt $gen13 ]"
check "xenloopd exits on SIGQUIT" xenloopd_stop QUIT
check "g3 is destroyed while xenloopd is down" "xl destroy g3"
rm -rf "$LAB_RUN/guests/g3"
check "xenloopd starts again" xenloopd_start
check_wait "no trace of g3 remains" 2 \
	"! xl_sees $d1 $d3 && ! xl_sees $d2 $d3 && ! xenstore-exists $XL_ROOT/$d3 &&
		      ! xenstore-list $XL_ROOT/pairs | grep -q -e '^$d3-' -e '-$d3\$'"
check "pair $d1-$d2 still holds the handshake data" \
	"[ \"\$(xenstore-read $p12/$d2/lab-marker)\" = 43 ]"

stage "clean shutdown and fresh start" 300
maxgen=$(xenstore-ls -f $XL_ROOT | grep -v "^$XL_ROOT/next-generation " |
	 sed -n 's/.*generation = "\([0-9]*\)".*/\1/p' | sort -n | tail -n1)
check "xenloopd stops on SIGTERM" xenloopd_stop TERM
check "only next-generation is left" "[ \"\$(xenstore-list $XL_ROOT)\" = next-generation ]"
check "next-generation ($(xenstore-read $XL_ROOT/next-generation)) is above every generation used ($maxgen)" \
	"[ \$(xenstore-read $XL_ROOT/next-generation) -gt $maxgen ]"
check "xenloopd starts afresh" xenloopd_start
check_wait "g1 and g2 see each other again" 3 "xl_sees $d1 $d2 && xl_sees $d2 $d1"
check "with generations above every earlier one" \
	"[ \$(xl_peer $d1 $d2 generation) -gt $maxgen ] &&
	 [ \$(xenstore-read $XL_ROOT/$d1/generation) -gt $maxgen ]"
check "the new pair directory holds nothing from before" \
	"! xenstore-exists $p12/$d1/lab-marker && ! xenstore-exists $p12/$d2/lab-marker"
check "xenloopd stops" xenloopd_stop TERM
check "the log has no error" "! grep -i -e error -e cannot $XENLOOPD_LOG"
for g in g1 g2; do
	dmesg_clean $g "no WARNING, BUG or Oops in $g"
done
