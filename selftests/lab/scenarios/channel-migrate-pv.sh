# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
# lab: xen=shadow
#
# Live migration of a PV guest with a channel up and a verified TCP stream
# running through it, then save/restore of the other PV
# guest, the sender, with another stream.  Debian's stock Xen cannot migrate
# PV guests (no shadow paging), so this scenario boots Debian's Xen
# rebuilt with shadow paging (scripts/build-xen-shadow.sh,
# Documentation/lab.md).  Both guests are PV: PVH guests triple-faulted at
# random under the rebuilt hypervisor in this lab; PVH migration is
# covered with the stock one by channel-migrate.

# Packets xenloop0 of guest $1 sent to peer domid $2 (ethtool -S).
tx_to() { dp_eth "$1" "peer$2_tx_packets"; }

# stream_resumes STREAM WHAT DOMID: after WHAT (the channel is back), the
# stream into g2 keeps delivering through xenloop (g1's packets to DOMID)
# and completes with the same bytes and hash at both ends.
stream_resumes() {
	local s=$1 what=$2 dom=$3 b n
	b=$(stream_bytes g2 "$s")
	check "the stream keeps delivering after the $what" \
		stream_wait_bytes g2 "$s" $((${b:-0} + 4000000)) 120
	n=$(tx_to g1 "$dom")
	check "... through xenloop (${n:-0} packets from g1 to domid $dom)" \
		"[ '${n:-0}' -gt 100 ]"
	stream_stop g1 "$s"
	stream_verify "TCP stream across the PV $what: same bytes and hash" g1 g2 "$s"
}

stage "start guests" 300
guest_start g1 pv && guest_start g2 pv
check "g1 (PV) and g2 (PV) answer" guest_wait g1 g2
check "xenloopd starts" xenloopd_start
check_on g1 "g1 loads the module" modprobe xenloop
check_on g2 "g2 loads the module" modprobe xenloop
check_wait "the channel connects" 120 "chan_up g1 g2"

stage "live migration of g2 (PV) during a TCP transfer" 900
if stream_start mig g1 g2 7030 -d 3600 -r 4000000 &&
   stream_wait_bytes g2 mig 2000000 60; then
	d0=$(guest_domid g2)
	n0=$(tx_to g1 "$d0")
	check "the stream runs through xenloop before the migration (${n0:-0} packets)" \
		"[ '${n0:-0}' -gt 100 ]"
	t0=$(lab_now_ms)
	check "xl migrate g2 (PV) to localhost" "xl migrate -s '' g2 'xl migrate-receive'"
	check "xl migrate has finished: g2 is the incoming domain" "! xl domid g2--incoming"
	d1=$(guest_domid g2)
	diag "g2 domid $d0 -> $d1"
	check "g2 runs under a new domid" "[ -n '$d1' ] && [ '$d1' != '$d0' ]"
	check "g2 closed its channels before suspending" \
		"guest_console g2 | grep -q 'xenloop: suspending: every channel closed'"
	check_wait "the channel is re-established" 120 "chan_up g1 g2"
	diag "channel up again $(lab_since $t0) s after the migration began"
	check "g1 dropped the old domid $d0" "[ -z \"\$(chan_state g1 $d0)\" ]"
	stream_resumes mig "live migration" "$d1"
else
	fail "TCP stream into g2 before the migration" "$(stream_diag g1 g2 mig)"
fi

stage "save/restore of g1 (PV, the sender) during a TCP transfer" 900
if stream_start sr g1 g2 7031 -d 3600 -r 4000000 &&
   stream_wait_bytes g2 sr 2000000 60; then
	d0=$(guest_domid g1)
	check "xl save g1 (PV) with a stream through xenloop" xl save g1 /tmp/g1.save &&
		check "xl restore g1" xl restore /tmp/g1.save
	rm -f /tmp/g1.save
	check "g1 is ready again" guest_wait g1
	d1=$(guest_domid g1)
	diag "g1 domid $d0 -> $d1"
	check_wait "the channel is re-established" 120 "chan_up g1 g2"
	stream_resumes sr save/restore "$(guest_domid g2)"
else
	fail "TCP stream into g2 before the save" "$(stream_diag g1 g2 sr)"
fi

stage "unload" 120
for g in g1 g2; do
	check_on $g "$g unloads the module" rmmod xenloop
	dmesg_noleak $g "no WARNING, BUG, Oops or leak in $g"
done
