# SPDX-License-Identifier: GPL-2.0
# lab: guests=6
#
# xenloopd at scale: LAB_GUESTS small guests (128 MiB, PV and PVH
# alternating, 6 in make check) all load the module, then xenloopd starts
# and publishes every view and pair in one full resync.  Reported: the
# resync time per guest (from xenloopd's own "initial sync" line), the
# time to adopt everything after a restart (reads only, no write), and the
# latency of one guest's change with all the others participating, which
# must stay within 1 s (cost per event linear in participants).
N=$LAB_GUESTS

sync_ms() { grep 'initial sync' "$XENLOOPD_LOG" | tail -n1 | sed 's/.* took \([0-9]*\) ms.*/\1/'; }
# Every view has $1 peers; nobody / everybody else sees domid $1.
all_have() {
	local d
	for d in $doms; do
		[ "$(xenstore-list $XL_ROOT/$d/peers | wc -l)" = "$1" ] || return 1
	done
}
none_sees() {
	local d
	for d in $doms; do
		[ $d = $1 ] || ! xl_sees $d $1 || return 1
	done
}
all_see() {
	local d
	for d in $doms; do
		[ $d = $1 ] || xl_sees $d $1 || return 1
	done
}
per() { awk -v a="$1" -v n="$2" 'BEGIN { printf "%.1f", a / n }'; }

# Guests boot slowly when TCG shares the host with other labs.
LAB_WAIT=${LAB_WAIT:-180}

stage "start $N guests" $((300 + 120 * N))
# In waves of three: creating guests while several others boot overloads
# dom0 under TCG and libxl gives up on the vif hotplug.
names= wave=
for i in $(seq 1 $N); do
	if [ $((i % 2)) = 1 ]; then t=pv; else t=pvh; fi
	guest_start "g$i" $t 128 ||
		{ sleep 5; guest_start "g$i" $t 128; } || fail "xl create g$i ($t)"
	names="$names g$i" wave="$wave g$i"
	if [ $((i % 3)) = 0 ] || [ $i = $N ]; then
		guest_wait $wave || fail "$wave answer"
		wave=
	fi
done
check "all $N guests answer" guest_wait $names
doms=
for g in $names; do
	doms="$doms $(guest_domid $g)"
	on $g modprobe xenloop > /dev/null || fail "$g loads the module"
done
diag "domids:$doms"

stage "full resync" 300
check "xenloopd starts and publishes everything" xenloopd_start
ms=$(sync_ms)
entries=$((N * (N - 1)))
check_wait "every guest sees the $((N - 1)) others" 10 \
	"all_have $((N - 1))"
check "$((N * (N - 1) / 2)) pair directories exist" \
	"[ \$(xenstore-list $XL_ROOT/pairs | wc -l) = $((N * (N - 1) / 2)) ]"
diag "full resync: $N guests, $entries view entries, $((N * (N - 1) / 2)) pairs in $ms ms:" \
	"$(per $ms $N) ms per guest, $(per $ms $entries) ms per view entry"
# A sanity bound only (TCG on a shared host): 2 s per guest.
check "the full resync took under $((2 * N)) s" "[ $ms -lt $((2 * N * 1000)) ]"

stage "adopting after a restart" 300
check "xenloopd exits on SIGQUIT" xenloopd_stop QUIT
check "xenloopd starts again" xenloopd_start
ms=$(sync_ms)
diag "restart: adopting $N views in $ms ms, $(per $ms $N) ms per guest, no write"
check "nothing was rewritten" \
	"[ \$(grep -c 'entries changed' $XENLOOPD_LOG) = $N ]"

stage "one change among $N participants" 300
d1=$(guest_domid g1) d2=$(guest_domid g2)
xl_latency "g1 unload with $N participants" "on g1 rmmod xenloop" \
	"! xenstore-exists /local/domain/$d1/data/xenloop/version" \
	"none_sees $d1" "/local/domain/$d1/data/xenloop"
xl_latency "g1 load with $N participants" "on g1 modprobe xenloop" \
	"xenstore-exists /local/domain/$d1/data/xenloop/version" \
	"all_see $d1" "/local/domain/$d1/data/xenloop"
grep -E 'domain [0-9]+ \(g1\)|view of domain' "$XENLOOPD_LOG" | tail -n $((2 * N + 2)) |
	sed 's/^/xenloopd: /' > /tmp/tail.log
diag "$(cat /tmp/tail.log)"
check "xenloopd stops and removes everything" \
	"xenloopd_stop TERM && [ \"\$(xenstore-list $XL_ROOT)\" = next-generation ]"
check "the log has no error" "! grep -i -e error -e cannot $XENLOOPD_LOG"
