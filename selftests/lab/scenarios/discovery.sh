# SPDX-License-Identifier: GPL-2.0
# lab: guests=3
#
# xenloopd advertisements: three guests, g1 (PV), g2 (PVH) and
# g3 (PV), load and unload the module while xenloopd runs in dom0.
#   - a guest that loads the module appears in its peers' views, with its
#     backend MACs, version, features and a participation generation, and
#     disappears when it unloads or is destroyed; each latency is measured
#     (advertisement seen in XenStore -> view updated) and must be < 1 s;
#   - each guest reads its own view and nothing else; the pair directories
#     are writable by exactly the guest named and readable by its peer;
#   - a clean shutdown of xenloopd removes every node but next-generation.

# Guests boot slowly when TCG shares the host with other labs.
LAB_WAIT=${LAB_WAIT:-180}

stage "start guests and xenloopd" 300
guest_start g1 pv && guest_start g2 pvh && guest_start g3 pv
check "g1, g2, g3 answer" guest_wait g1 g2 g3
d1=$(guest_domid g1) d2=$(guest_domid g2) d3=$(guest_domid g3)
diag "domids: g1=$d1 g2=$d2 g3=$d3"
check "xenloopd starts and syncs" xenloopd_start
check "no participant before any module is loaded" \
	"[ -z \"\$(xenstore-list $XL_ROOT | grep -v -e pairs -e next-generation)\" ]"
check "xenloopd --status works with no participant" \
	"xenloopd --status | tee /dev/stderr | grep -q '^participants 0 '"

stage "load the module" 300
xl_latency "g1 load: own view" "on g1 modprobe xenloop" \
	"xenstore-exists /local/domain/$d1/data/xenloop/version" \
	"xenstore-exists $XL_ROOT/$d1/generation" "/local/domain/$d1/data/xenloop"
check "g1 advertises version 2 and features" \
	"[ \"\$(xenstore-read /local/domain/$d1/data/xenloop/version)\" = 2 ] &&
	 xenstore-read /local/domain/$d1/data/xenloop/features | grep -qx '0x[0-9a-f]\{8\}'"
xl_latency "g2 load: appears in g1's view" "on g2 modprobe xenloop" \
	"xenstore-exists /local/domain/$d2/data/xenloop/version" \
	"xl_sees $d1 $d2" "/local/domain/$d2/data/xenloop"
check_wait "g1 is in g2's view" 2 "xl_sees $d2 $d1"
check "g2's entry in g1's view carries g2's backend MACs, by device id" \
	"[ \"\$(xl_peer $d1 $d2 vifs | vifs_field 2)\" = '$(guest_mac g2) 00:16:3e:56:00:02' ] &&
	 [ \"\$(xl_peer $d1 $d2 vifs | vifs_field 1)\" = '0 1' ]"
# xenbr0 and xenbr1: two networks, the same for both guests.
check "g1's own vifs and g2's entry name the same two networks" \
	"n1=\$(xenstore-read $XL_ROOT/$d1/vifs | vifs_field 3) &&
	 [ \"\$n1\" = \"\$(xl_peer $d1 $d2 vifs | vifs_field 3)\" ] &&
	 [ \"\${n1% *}\" != \"\${n1#* }\" ] &&
	 [ \"\$(xenstore-read $XL_ROOT/$d1/vifs | vifs_field 2)\" = '$(guest_mac g1) 00:16:3e:56:00:01' ]"
check "g2's entry carries version 2, features and a generation" \
	"[ \"\$(xl_peer $d1 $d2 version)\" = 2 ] &&
	 xl_peer $d1 $d2 features | grep -qx '0x[0-9a-f]\{8\}' &&
	 [ \"\$(xl_peer $d1 $d2 generation)\" -gt 0 ]"
lo=$d1 hi=$d2
[ $d2 -lt $d1 ] && lo=$d2 hi=$d1
check "the entries name the pair directory $lo-$hi, which exists" \
	"[ \"\$(xl_peer $d1 $d2 pair)\" = $XL_ROOT/pairs/$lo-$hi ] &&
	 [ \"\$(xl_peer $d2 $d1 pair)\" = $XL_ROOT/pairs/$lo-$hi ] &&
	 xenstore-exists $XL_ROOT/pairs/$lo-$hi/$lo &&
	 xenstore-exists $XL_ROOT/pairs/$lo-$hi/$hi"
xl_latency "g3 load: appears in g1's view" "on g3 modprobe xenloop" \
	"xenstore-exists /local/domain/$d3/data/xenloop/version" \
	"xl_sees $d1 $d3" "/local/domain/$d3/data/xenloop"
check_wait "all three see each other" 2 \
	"xl_sees $d1 $d2 && xl_sees $d1 $d3 && xl_sees $d2 $d1 && xl_sees $d2 $d3 &&
	 xl_sees $d3 $d1 && xl_sees $d3 $d2"
check "xenloopd --status lists 3 participants with 2 peers each" \
	"xenloopd --status | tee /dev/stderr | grep -q '^participants 3 ' &&
	 [ \$(xenloopd --status | grep -c ' peers 2\$') = 3 ]"

stage "permissions" 300
check_on g1 "g1 reads its own view" \
	"xenstore-read $XL_ROOT/$d1/generation && xenstore-list $XL_ROOT/$d1/peers"
check_on g1 "g1 cannot read g2's view" "! xenstore-read $XL_ROOT/$d2/generation"
check_on g1 "g1 cannot list the root or the pairs" \
	"! xenstore-list $XL_ROOT && ! xenstore-list $XL_ROOT/pairs"
check_on g1 "g1 cannot write its own view" \
	"! xenstore-write $XL_ROOT/$d1/generation 1 &&
	 ! xenstore-write $XL_ROOT/$d1/peers/$d2/vifs 0,00:00:00:00:00:00,0000000000000000 &&
	 ! xenstore-rm $XL_ROOT/$d1/peers/$d2"
check_on g$( [ $lo = $d1 ] && echo 1 || echo 2 ) "the lower domid writes its side of the pair" \
	"xenstore-write $XL_ROOT/pairs/$lo-$hi/$lo/hello from-$lo"
check_on g$( [ $hi = $d2 ] && echo 2 || echo 1 ) "the higher domid reads it, and writes its own side" \
	"[ \"\$(xenstore-read $XL_ROOT/pairs/$lo-$hi/$lo/hello)\" = from-$lo ] &&
	 xenstore-write $XL_ROOT/pairs/$lo-$hi/$hi/hello from-$hi"
check_on g$( [ $hi = $d2 ] && echo 2 || echo 1 ) "the higher domid cannot write the lower's side" \
	"! xenstore-write $XL_ROOT/pairs/$lo-$hi/$lo/evil 1"
check_on g3 "g3 can neither read nor write the pair of g1 and g2" \
	"! xenstore-read $XL_ROOT/pairs/$lo-$hi/$lo/hello &&
	 ! xenstore-write $XL_ROOT/pairs/$lo-$hi/$lo/evil 1 &&
	 ! xenstore-list $XL_ROOT/pairs/$lo-$hi"
check "the view directory is owned by dom0, readable by the guest only" \
	"xenstore-ls -p $XL_ROOT | tee /dev/stderr | grep -q '^$d1 = \"\" .*(n0,r$d1)'"

stage "unload, reload and destroy" 300
gen2=$(xl_peer $d1 $d2 generation)
xl_latency "g2 unload: leaves g1's view" "on g2 rmmod xenloop" \
	"! xenstore-exists /local/domain/$d2/data/xenloop/version" \
	"! xl_sees $d1 $d2" "/local/domain/$d2/data/xenloop"
check_wait "g2 left g3's view, its own view and pair directories are gone" 2 \
	"! xl_sees $d3 $d2 && ! xenstore-exists $XL_ROOT/$d2 &&
		      ! xenstore-exists $XL_ROOT/pairs/$lo-$hi"
xl_latency "g2 reload: back in g1's view" "on g2 modprobe xenloop" \
	"xenstore-exists /local/domain/$d2/data/xenloop/version" \
	"xl_sees $d1 $d2" "/local/domain/$d2/data/xenloop"
check "g2 has a new, higher participation generation ($gen2 before)" \
	"[ \"\$(xl_peer $d1 $d2 generation)\" -gt $gen2 ]"
# The modules start their handshake in the new directory as soon as they see
# each other, so "fresh" means: nothing written before the unload survived.
check_wait "the new pair directory holds nothing from before the unload" 2 \
	"xenstore-exists $XL_ROOT/pairs/$lo-$hi &&
	 ! xenstore-exists $XL_ROOT/pairs/$lo-$hi/$lo/hello &&
	 ! xenstore-exists $XL_ROOT/pairs/$lo-$hi/$hi/hello"
xl_latency "g3 destroyed: leaves g1's view" "xl destroy g3" \
	"! xl domid g3" "! xl_sees $d1 $d3" "/local/domain/$d3/data/xenloop"
check_wait "g3's view and pairs are gone" 2 \
	"! xl_sees $d2 $d3 && ! xenstore-exists $XL_ROOT/$d3 &&
		      ! xenstore-list $XL_ROOT/pairs | grep -q -e '-$d3\$' -e '^$d3-'"
rm -rf "$LAB_RUN/guests/g3"

stage "clean shutdown" 120
check "xenloopd stops on SIGTERM" xenloopd_stop TERM
check "every view and pair is removed, next-generation is kept" \
	"[ \"\$(xenstore-list $XL_ROOT)\" = next-generation ]"
check "the log has no error" "! grep -i -e error -e cannot $XENLOOPD_LOG"
for g in g1 g2; do
	check_on $g "$g: module unloads" rmmod xenloop
	dmesg_clean $g "no WARNING, BUG or Oops in $g"
done
