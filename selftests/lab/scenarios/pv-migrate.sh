# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
# lab: no-check
# lab: xen=shadow
#
# Live migration of a PV guest, which needs shadow paging in Xen (Debian's
# hypervisor rebuilt by scripts/build-xen-shadow.sh): g2 (PV) migrates to
# localhost while a verified TCP stream from g1 (PV) keeps flowing into it.
# Both guests are PV: PVH guests triple-faulted at random under the
# rebuilt hypervisor in this lab (seen twice in two runs), and they
# migrate with the stock one anyway.
stage "start guests" 300
guest_start g1 pv && guest_start g2 pv
check "g1 and g2 answer" guest_wait g1 g2
stage "live migration PV with an open TCP stream" 600
if stream_start mig g1 g2 7003 -d 3600 -r 2000000 &&
   stream_wait_bytes g2 mig 1000000 60; then
	d0=$(guest_domid g2)
	check "xl migrate g2 (PV) to localhost" \
		"xl migrate -s '' g2 'xl migrate-receive'"
	check "g2 is ready again after migration" guest_wait g2
	d1=$(guest_domid g2)
	diag "g2 domid $d0 -> $d1"
	b=$(stream_bytes g2 mig)
	check "TCP stream into g2 keeps delivering after migration" \
		stream_wait_bytes g2 mig $((${b:-0} + 2000000)) 120
	stream_stop g1 mig
	stream_verify "TCP stream across live migration: same bytes and hash" g1 g2 mig
	dmesg_clean g2 "no WARNING, BUG or Oops in g2 after migration"
else
	fail "TCP stream into g2 before migration" "$(stream_diag g1 g2 mig)"
fi
