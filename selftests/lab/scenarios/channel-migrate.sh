# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
#
# Channels across save/restore and live migration: g1 (PV) and
# g2 (PVH) are connected.  g2 is saved and restored, then live-migrated
# to localhost; g1 is saved and restored.  Each time the suspending guest
# closes its channel before it suspends (the peer sees the close), comes
# back as a new domain, and the channel is re-established once xenloopd
# has published it again.  The times are reported.
#
# PV guests cannot live-migrate with Debian's stock Xen (no shadow
# paging, Documentation/lab.md); here the PV guest is saved and restored,
# and channel-migrate-pv live-migrates a PV guest under Debian's Xen
# rebuilt with shadow paging.

LAB_WAIT=${LAB_WAIT:-180}

# Domid of guest $1 once it is not $2 any more.
g_new() {
	local d
	d=$(xl domid $1--incoming 2>/dev/null || xl domid $1 2>/dev/null) &&
		[ "$d" != "$2" ] && echo "$d"
}

# round WHAT GUEST OTHER ACTION: take GUEST through ACTION (save/restore
# or migration) and check that the channel goes down and comes back.
round() {
	local what=$1 g=$2 o=$3 action=$4 old new td tu t0
	old=$(guest_domid $g)
	t0=$(lab_now_ms)
	eval "$action" > /tmp/round.log 2>&1 &
	td=$(wait_until 180 "[ \"\$(chan_state $o $old)\" != connected ]")
	check "$what: $o sees the channel with $g go down" "[ '$td' != timeout ]"
	diag "$what: channel down in $o $td s after the command began"
	wait $!
	check "$what: the command succeeds" "[ $? = 0 ] || { cat /tmp/round.log; false; }"
	new=$(g_new $g $old)
	check "$what: $g has a new domid ($old -> $new)" "[ -n '$new' ]"
	tu=$(wait_until 120 "chan_up $g $o")
	check "$what: the channel is re-established" "[ '$tu' != timeout ]"
	diag "$what: channel up again $(lab_since $t0) s after the command began ($tu s after it returned)"
	check "$what: $o dropped the old domid $old" "[ -z \"\$(chan_state $o $old)\" ]"
	check "$what: $g closed its channels before suspending" \
		"guest_console $g | grep -q 'xenloop: suspending: every channel closed'"
	check "$what: $o holds one channel's resources" \
		"[ \$(chan_stat $o evtchns) = 1 ] && [ \$(chan_irqs $o) = 1 ] &&
		 [ \$(chan_stat $o grants) = \$(chan_field $o $new grants) ]"
}

stage "start guests" 300
guest_start g1 pv && guest_start g2 pvh
check "g1 (PV) and g2 (PVH) answer" guest_wait g1 g2
check "xenloopd starts" xenloopd_start
check_on g1 "g1 loads the module" modprobe xenloop
check_on g2 "g2 loads the module" modprobe xenloop
check_wait "the channel connects" 120 "chan_up g1 g2"

stage "save/restore PVH" 600
round "g2 (PVH) save/restore" g2 g1 "xl save g2 /tmp/g2.save && xl restore /tmp/g2.save"
rm -f /tmp/g2.save

stage "live migration PVH" 600
round "g2 (PVH) live migration" g2 g1 "xl migrate -s '' g2 'xl migrate-receive'"
check "xl migrate has finished: g2 is the incoming domain" "! xl domid g2--incoming"

stage "save/restore PV" 600
round "g1 (PV) save/restore" g1 g2 "xl save g1 /tmp/g1.save && xl restore /tmp/g1.save"
rm -f /tmp/g1.save

stage "unload" 120
for g in g1 g2; do
	check_on $g "$g unloads the module" rmmod xenloop
	dmesg_noleak $g "no WARNING, BUG, Oops or leak in $g"
done
