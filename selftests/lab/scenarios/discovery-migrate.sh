# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
#
# Advertisements across save/restore and live migration: g1 (PV)
# and g2 (PVH) with the module loaded and xenloopd running.  g2 is saved
# and restored, then migrated to localhost; each time it comes back under
# a new domid, re-advertises on its own (the module's watch fires on
# resume), and xenloopd publishes it with a new participation generation
# while every entry of the old domid disappears.

# g2's domid once it is not $1 any more (during a migration the new
# domain is g2--incoming until the end).
g2_new() {
	local d
	d=$(xl domid g2--incoming 2>/dev/null || xl domid g2 2>/dev/null) &&
		[ "$d" != "$1" ] && echo "$d"
}

# g1's view must list exactly the one peer $1.
only_peer() { [ "$(xenstore-list $XL_ROOT/$d1/peers 2>/dev/null | tr '\n' ' ')" = "$1 " ]; }

# After g2 came back as $1 (old domid $2, old generation $3).
check_back() {
	local new=$1 old=$2 gen=$3 lo hi
	lo=$d1 hi=$new
	[ $new -lt $d1 ] && lo=$new hi=$d1
	check_wait "g1's view lists only the new domid $new" 5 "only_peer $new"
	check "the new domid has a newer generation than $gen" \
		"[ \$(xl_peer $d1 $new generation) -gt $gen ]"
	check_wait "g2's own view under the new domid lists g1" 5 "xl_sees $new $d1"
	check "nothing is left of the old domid $old" \
		"! xenstore-exists $XL_ROOT/$old &&
		 ! xenstore-list $XL_ROOT/pairs | grep -q -e '^$old-' -e '-$old\$'"
	check "pair $lo-$hi exists for the new domid" "xenstore-exists $XL_ROOT/pairs/$lo-$hi/$new"
	check "the entry carries g2's backend MACs" \
		"[ \"\$(xl_peer $d1 $new vifs | vifs_field 2)\" = '$(guest_mac g2) 00:16:3e:56:00:02' ]"
}

# Guests boot slowly when TCG shares the host with other labs.
LAB_WAIT=${LAB_WAIT:-180}

stage "start guests" 300
guest_start g1 pv && guest_start g2 pvh
check "g1 (PV) and g2 (PVH) answer" guest_wait g1 g2
d1=$(guest_domid g1) d2=$(guest_domid g2)
check "xenloopd starts" xenloopd_start
check_on g1 "g1 loads the module" modprobe xenloop
check_on g2 "g2 loads the module" modprobe xenloop
check_wait "g1 and g2 see each other" 5 "xl_sees $d1 $d2 && xl_sees $d2 $d1"

stage "save/restore PVH" 600
gen=$(xl_peer $d1 $d2 generation)
t0=$(lab_now_ms)
xl save g2 /tmp/g2.save > /tmp/save.log 2>&1 &
pid=$!
td=$(wait_until 120 "! xl_sees $d1 $d2")
check "g2 leaves g1's view while it is saved" "[ '$td' != timeout ]"
diag "g2 left g1's view $td s after xl save began"
wait $pid
rc=$?
check "xl save g2" "[ $rc = 0 ] || { cat /tmp/save.log; false; }"
xl_latency "g2 restored: re-advertised and published" "xl restore /tmp/g2.save" \
	"d=\$(g2_new $d2) && xenstore-exists /local/domain/\$d/data/xenloop/version" \
	"d=\$(g2_new $d2) && xl_sees $d1 \$d" "data/xenloop/"
rm -f /tmp/g2.save
n2=$(guest_domid g2)
check "xl restore g2: new domid ($d2 -> $n2)" "[ -n '$n2' ] && [ '$n2' != '$d2' ]"
check_back $n2 $d2 $gen
check "g2 says it advertised again" "guest_console g2 | grep -q 'xenloop: advertised again'"

stage "live migration PVH" 600
gen=$(xl_peer $d1 $n2 generation)
old=$n2
xl_latency "g2 migrated: re-advertised and published" \
	"xl migrate -s '' g2 'xl migrate-receive'" \
	"d=\$(g2_new $old) && xenstore-exists /local/domain/\$d/data/xenloop/version" \
	"d=\$(g2_new $old) && xl_sees $d1 \$d" "data/xenloop/"
check "xl migrate has finished: g2 is the incoming domain" "! xl domid g2--incoming"
n2=$(guest_domid g2)
check "xl migrate g2: new domid ($old -> $n2)" "[ -n '$n2' ] && [ '$n2' != '$old' ]"
check_back $n2 $old $gen
check "xenloopd --status shows 2 participants" \
	"xenloopd --status | tee /dev/stderr | grep -q '^participants 2 '"
check "xenloopd stops" xenloopd_stop TERM
check "the log has no error" "! grep -i -e error -e cannot $XENLOOPD_LOG"
for g in g1 g2; do
	check_on $g "$g: module unloads" rmmod xenloop
	dmesg_clean $g "no WARNING, BUG or Oops in $g"
done
