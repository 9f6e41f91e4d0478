# SPDX-License-Identifier: GPL-2.0
# lab: guests=3
#
# A rogue peer that really connects.  g1 runs xlrogue without the module:
# it advertises itself, completes the channel handshake with g2 (the
# victim, module loaded) through gntalloc, gntdev and evtchn, moves real
# traffic both ways, and then attacks through the live channel.  g3 is an
# honest guest with the module.  All three are PV.  With
# LAB_GUEST_KERNEL=debug (KASAN, UBSAN, lockdep) g2 runs PVH on the debug
# kernel, which boots PVH guests only.  That is not the default (no
# "guest-kernel=debug" header): in both debug runs so far the emulated
# platform's PVH triple fault (Documentation/lab.md) killed g2 part-way,
# once with Xen's own state in the dump.
#
#   g1 rogue (xlrogue) ==== channel ==== g2 victim ==== channel ==== g3 honest
#        \_______________ netfront, xenbr0, dom0 _______________/
#
# For each attack mode: verified TCP streams run from g2 to g1's address
# (through the channel while it is up, through netfront after) and from
# g2 to g3, the rogue sends g2 UDP datagrams that "xlrogue sink" checks,
# then the rogue misbehaves.  Afterwards g2 must have no splat, must have
# dropped or broken the channel as the format says (xlrogue prints one
# "result" line per variant: a framing violation breaks the channel, a
# lie inside a well-framed record is dropped), both streams must verify,
# g2 must still reach dom0, the g2-g3 channel must be up, and g2's grants,
# mappings, event channels and memory must be back at the baseline.
#
# Bounds: grants, mapped pages and event channels exactly at the
# baseline within 30 s; MemFree within 16 MiB and Slab within 8 MiB of it
# (twice that on the debug kernel, whose KASAN quarantine and debug
# objects hold freed memory back).  A channel holds under 1 MiB here:
# rings of 2^5 pages, so that Xen's 'g' debug key output of active grants
# fits its console ring.

LAB_WAIT=${LAB_WAIT:-180}
MEM_BOUND=16384		# kB
SLAB_BOUND=8192		# kB
VTYPE=pv
if [ "$LAB_GUEST_KERNEL" = debug ]; then
	MEM_BOUND=32768
	SLAB_BOUND=16384
	VTYPE=pvh
fi
SINK_PORT=7400
# The module's options here: rings of 2^5 pages, re-offers backed off at
# most 2 s.
XL_OPTS="ring_order=5 backoff_max_ms=2000"
RATE=1M			# stream bytes per second, each direction

meminfo() { on "$1" "awk '\$1 == \"$2:\" { print \$2 }' /proc/meminfo"; }
# g2's module-wide counters in one line: grants mapped evtchns.
victim_held() {
	on g2 "awk '\$1 == \"grants\" { g = \$2 } \$1 == \"mapped_pages\" { m = \$2 }
		\$1 == \"evtchns\" { e = \$2 } END { print g, m, e }' $XL_DBG/stats"
}
# The victim is back where the baseline was taken: offering g1 a channel
# (or about to), connected to g3, holding what it held then.
victim_settled() {
	[ "$(chan_state g2 $d1)" = offered ] && [ "$(victim_held)" = "$base_held" ]
}
last_err() { on g2 cat $XL_DBG/peers | sed -n "/^peer d$d1\$/,/^peer /p" | grep last_error; }

stage "start guests and xenloopd" 300
guest_start g1 pv && guest_start g2 $VTYPE && guest_start g3 pv
check "g1 (rogue, PV), g2 (victim, $VTYPE, $LAB_GUEST_KERNEL kernel) and g3 (honest, PV) answer" \
	guest_wait g1 g2 g3
d1=$(guest_domid g1) d2=$(guest_domid g2) d3=$(guest_domid g3)
G1=$(guest_ip g1) G2=$(guest_ip g2) G3=$(guest_ip g3)
check "xenloopd starts" xenloopd_start
for g in g2 g3; do
	check_on $g "$g loads the module (rings of 2^5 pages, backoff at most 2 s)" \
		modprobe xenloop $XL_OPTS
done
check_on g1 "g1 (rogue) has gntalloc, gntdev and evtchn but no xenloop" \
	"modprobe xen-gntalloc; modprobe xen-gntdev; modprobe xen-evtchn;
	 [ -c /dev/xen/gntalloc ] && [ -c /dev/xen/gntdev ] && [ -c /dev/xen/evtchn ] &&
	 ! grep -q xenloop /proc/modules"
# The rogue hands the victim's packets to its stack through lo.
on g1 "for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 > \$f; done"
check_wait "the g2-g3 channel connects" 120 "chan_up g2 g3"
on g2 "ping -c 1 -W 5 $G1; ping -c 1 -W 5 $G3; ping -c 1 -W 5 10.55.0.254" > /dev/null
on g1 "ping -c 1 -W 5 $G2" > /dev/null
on g2 "xlrogue sink -u $SINK_PORT /tmp/sink.progress > /tmp/sink.log 2>&1 &"
# Where the rogue's lies go (mode lie): counted apart from the sink.
on g2 "xlrogue sink -u $((SINK_PORT + 1)) /tmp/lies.progress > /tmp/lies.log 2>&1 &"
check_on g1 "the rogue advertises itself like the module" xlrogue advertise
check_wait "g2 offers the rogue a channel" 60 "[ \"\$(chan_state g2 $d1)\" = offered ]"

# g3_reload DESC: g3 reloads its module; reload_t is the time from its
# rmmod (g3's planned close needs g2's control plane too) until the g2-g3
# channel is connected again, or "timeout" after 60 s.
g3_reload() {
	local t0
	t0=$(lab_now_ms)
	check_on g3 "$1" "rmmod xenloop && modprobe xenloop $XL_OPTS"
	if wait_until 60 "chan_up g2 g3" > /dev/null; then
		reload_t=$(lab_since "$t0")
	else
		reload_t=timeout
	fi
}

stage "baseline" 300
# How long g2 takes to reconnect to a reloading g3 with nobody attacking.
g3_reload "g3 reloads its module (unattacked)"
check "g2 reconnects to g3 after g3's reload" "[ $reload_t != timeout ]"
reload_s=$reload_t
diag "g3's reload to the g2-g3 channel connected: $reload_s s"
sleep 2
base_held=$(victim_held)
base_free=$(meminfo g2 MemFree) base_slab=$(meminfo g2 Slab)
base_xen=$(xen_active $d2)
base_irqs=$(chan_irqs g2)
diag "baseline of g2: grants mapped evtchns = $base_held; MemFree $base_free kB, Slab $base_slab kB; Xen's active grants of d$d2: $base_xen; xenloop IRQs $base_irqs"

# rogue_wait LOG SECS: wait (polling every second) until the rogue's LOG
# says it is done; prints the seconds it took or "timeout".
rogue_wait() {
	WAIT_POLL=1 wait_until "$2" "on g1 \"grep -qE '^done|^vanish|^xlrogue: error:' $1\""
}
# Only what g2 logged since the attack began ($dmesg0 lines before).
dmesg_new() {
	local bad
	bad=$(on "$1" dmesg | tail -n +$((dmesg0 + 1)) |
	      grep -E "$LAB_KREPORT|soft lockup|hung task|blocked for more")
	if [ -z "$bad" ]; then
		ok "$2"
	else
		fail "$2" "$bad"
	fi
}
# Seconds until victim_settled holds, polled every 0.5 s (each poll
# costs two agent calls), or "timeout" after $1 s.
settle_wait() { WAIT_POLL=0.5 wait_until "$1" victim_settled; }
sink_field() { on g2 cat /tmp/sink.progress | _lab_field "$1"; }
# Records g2 dropped for naming a wrong vif pair, over all its channels.
vif_drops() { eth_sum g2 '_rx_dropped_vif$'; }

# While the rogue lingers in "closing" (which once held g2's one
# control-plane worker and its lock for seconds per round), g3 reloads
# its module: g2 must take g3's new offer about as fast as unattacked.
linger_check() {
	local t
	t=$(wait_until 60 "on g1 grep -q '^linger: round 1' /tmp/rogue-linger.log")
	[ "$t" = timeout ] && fail "linger: the rogue says closing" "$(on g1 cat /tmp/rogue-linger.log)"
	g3_reload "linger: g3 reloads its module while the rogue lingers"
	t=$reload_t
	diag "linger: g2-g3 channel back $t s after g3's rmmod (unattacked: $reload_s s); g2's channel to the rogue: $(chan_state g2 $d1)"
	# A worker that waited out the close under its lock would add its
	# 4 s (drain_timeout_ms twice) to the reconnect.
	check "linger: g2 reconnects to g3 within 2 s of its unattacked time while the rogue lingers" \
		"[ '$t' != timeout ] && awk -v t=$t -v u=$reload_s 'BEGIN { exit !(t < u + 2) }'"
}

# attack MODE [XLROGUE OPTIONS...]: one mode against g2, then the checks.
n_att=0
g2_gone=
attack() {
	local mode=$1 rs hs b0 good0 bad0 log out line v exp got ms res t
	shift
	n_att=$((n_att + 1))
	stage "attack: $mode" 600
	# A victim that died (a crash, or the platform's PVH triple fault
	# that Documentation/lab.md describes, after which xl restarts it as
	# a new domain without the module) fails once, not once per check
	# and timeout of every later attack.
	if [ -n "$g2_gone" ]; then
		skip "$mode" "g2 is gone"
		return 0
	fi
	if [ "$(guest_domid g2)" != "$d2" ] || ! on -t 30 g2 true > /dev/null 2>&1; then
		g2_gone=1
		fail "$mode: g2 answers before the attack" "$(xl list 2>&1)" \
			"$(xl dmesg | grep -A3 -i 'triple fault' | head -n 8)"
		return 0
	fi
	rs=r$n_att hs=h$n_att
	b0=$(chan_field g2 $d1 broken)
	dmesg0=$(on g2 dmesg | wc -l)
	good0=$(sink_field good) bad0=$(sink_field bad) vd0=$(vif_drops)
	log=/tmp/rogue-$mode.log
	# -T: the rogue behaves for 5 s after the first connect, while
	# the streams start.
	on g1 "xlrogue run -v $d2 -m $mode -S $G1 -D $G2 -u $SINK_PORT -T 5 $* > $log 2>&1 &"
	check_wait "$mode: g2's channel to the rogue connects (debugfs)" 60 \
		"[ \"\$(chan_state g2 $d1)\" = connected ]"
	if [ "$mode" = report ]; then
		# Less than the victim's ring, so that its data area is not
		# overwritten before the rogue looks at it.
		stream_start $rs g2 g1 $((7100 + n_att)) -n 32768
	else
		stream_start $rs g2 g1 $((7100 + n_att)) -l -r $RATE
	fi || fail "$mode: the stream g2 -> rogue's address starts" "$(stream_diag g2 g1 $rs)"
	stream_start $hs g2 g3 $((7200 + n_att)) -l -r $RATE ||
		fail "$mode: the stream g2 -> g3 starts" "$(stream_diag g2 g3 $hs)"
	[ "$mode" = report ] && on g2 "xlrogue marker -u 9 -M XLROGUE-MARKER -n 60 $G3" > /dev/null
	[ "$mode" = linger ] && linger_check
	t=$(rogue_wait $log 300)
	out=$(on g1 cat $log)
	diag "rogue ($mode, ${t} s):" "$out"
	diag "g2's channel to the rogue: $(last_err)"
	echo "$out" | grep '^result ' > /tmp/results
	while read -r line; do
		v=$(echo "$line" | cut -d' ' -f2)
		exp=$(echo "$line" | _lab_field expect)
		got=$(echo "$line" | _lab_field victim)
		ms=$(echo "$line" | _lab_field ms)
		if [ "$exp" = breaks ]; then
			res=left
		else
			res=stayed
		fi
		if [ "$got" = "$res" ]; then
			ok "$v: g2 $([ $res = left ] && echo "broke the channel after $ms ms" || echo "stayed connected (drops, no break)")"
		else
			fail "$v: g2 should have $([ $res = left ] && echo "broken the channel" || echo "stayed connected")" "$line"
		fi
	done < /tmp/results
	line=$(echo "$out" | grep '^plan ')
	if [ "$mode" != vanish ]; then
		check "$mode: the rogue ran all $(echo "$line" | _lab_field variants) variants" \
			"[ \$(wc -l < /tmp/results) = '$(echo "$line" | _lab_field variants)' ]"
	fi
	if [ "$mode" = vanish ]; then
		check_wait "vanish: g2 tears down the channel of a rogue that exited" 30 \
			"[ \"\$(chan_state g2 $d1)\" != connected ]"
	fi
	if [ "$mode" = report ]; then
		line=$(echo "$out" | grep '^report ')
		check "report: g2's granted pages hold no byte of its traffic to g3" \
			"[ '$(echo "$line" | _lab_field marker_hits)' = 0 ]"
		check "report: g2's control page and data area are zero outside what it sent the rogue" \
			"[ '$(echo "$line" | _lab_field ctrl_nonzero_reserved)' = 0 ] &&
			 [ '$(echo "$line" | _lab_field pad_nonzero)' = 0 ] &&
			 [ '$(echo "$line" | _lab_field beyond_prod_nonzero)' = 0 ] &&
			 [ '$(echo "$line" | _lab_field wrapped)' = 0 ]"
	fi
	if echo "$out" | grep -q 'expect=breaks'; then
		check "$mode: g2 counts the channel to the rogue as broken (was $b0)" \
			"[ \$(chan_field g2 $d1 broken) -gt $b0 ]"
	fi
	dmesg_new g2 "$mode: no kernel report (WARNING, BUG, Oops, KASAN, lockdep, lockup) in g2's new log lines"
	check_on g2 "$mode: g2 reaches dom0 through netfront" ping -c 2 -W 5 10.55.0.254
	[ "$mode" = report ] || stream_stop g2 $rs > /dev/null
	stream_stop g2 $hs > /dev/null
	stream_verify "$mode: verified TCP g2 -> rogue's address (channel, then netfront)" g2 g1 $rs "" 120
	stream_verify "$mode: verified TCP g2 -> g3" g2 g3 $hs "" 120
	check "$mode: the g2-g3 channel stayed connected" "chan_up g2 g3"
	if [ "$mode" = lie ]; then
		v=$(( $(vif_drops) - vd0 ))
		check "lie: g2 dropped the records for a vif pair dom0 does not put on one network ($v)" \
			"[ $v -ge 30 ]"
	fi
	if [ "$mode" = behave ]; then
		check "behave: g2's socket got the rogue's datagrams through the channel, all intact" \
			"[ \$(sink_field good) -gt $good0 ] && [ \$(sink_field bad) = $bad0 ]"
		diag "sink: $(on g2 cat /tmp/sink.progress)"
	elif [ "$mode" != flip ] && [ "$mode" != garbage ]; then
		# Flipped or random bytes may turn a record's checksum state
		# into UNNECESSARY, which is the sender's word by design.
		check "$mode: no corrupt datagram reached g2's socket" "[ \$(sink_field bad) = $bad0 ]"
	fi
	t=$(settle_wait 30)
	if [ "$t" != timeout ]; then
		ok "$mode: g2's grants, mappings and event channels back at the baseline in $t s"
	else
		fail "$mode: g2's grants, mappings and event channels back at the baseline" \
			"now $(victim_held) (grants mapped evtchns), baseline $base_held; state $(chan_state g2 $d1)"
	fi
	free=$(meminfo g2 MemFree) slab=$(meminfo g2 Slab) xa=$(xen_active $d2)
	diag "$mode: g2 MemFree $free kB (baseline $base_free), Slab $slab kB ($base_slab), Xen's active grants $xa ($base_xen), IRQs $(chan_irqs g2) ($base_irqs)"
	check "$mode: g2's MemFree within $MEM_BOUND kB and Slab within $SLAB_BOUND kB of the baseline" \
		"[ $((base_free - free)) -lt $MEM_BOUND ] && [ $((slab - base_slab)) -lt $SLAB_BOUND ]"
	check "$mode: Xen's active grants of g2 back at $base_xen" "[ $xa = $base_xen ]"
}

attack behave -t 2 -a 4 -w 1
attack report -t 1 -a 6 -w 1
attack prod -t 1
attack len -t 1
attack lie -w 1
attack cons -a 2
attack flip -a 3
attack storm -a 3 -w 2
attack garbage -a 2
attack revoke -w 20
attack stall -w 20
attack vanish -t 3
attack cycle -a 4 -w 2
attack linger -a 10 -w 2

stage "end" 300
# Every record g2 dropped is counted under exactly one named reason (the
# channels' own lines: a per-queue line would count a record again).
drops=$(eth_chan_stats g2 | awk '
	$1 ~ /_rx_dropped$/ { all += $2 }
	$1 ~ /_rx_dropped_[a-z]+$/ { named += $2; split($1, f, "_rx_dropped_"); r[f[2]] += $2 }
	END { printf "%.0f %.0f", all, named; for (k in r) printf " %s=%.0f", k, r[k] }')
diag "g2's receive drops, all channels: total, named, then by reason: $drops"
d_all=${drops%% *} d_named=${drops#* }
d_named=${d_named%% *}
check "g2 dropped records of the rogue's lies ($d_all), each under one named reason ($d_named)" \
	"[ $d_all -gt 0 ] && [ $d_all = $d_named ]"
check_on g1 "the rogue withdraws its advertisement" xlrogue withdraw
check_wait "g2 drops the rogue" 30 "[ -z \"\$(chan_state g2 $d1)\" ]"
diag "sink: $(on g2 cat /tmp/sink.progress); the lies' port: $(on g2 cat /tmp/lies.progress)"
for g in g2 g3; do
	check_on $g "$g unloads the module" rmmod xenloop
	dmesg_noleak $g "no WARNING, BUG, Oops or leak in $g"
done
