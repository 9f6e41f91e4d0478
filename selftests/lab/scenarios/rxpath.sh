# SPDX-License-Identifier: GPL-2.0
# lab: guests=2
# lab: tools=net
#
# The receive path, measured against netfront's: g1 and g2, both PV (the
# emulated platform's triple fault hits PVH guests under this load, see
# Documentation/lab.md), with xenloopd in dom0; every measurement runs first over netfront
# (module not loaded yet) and then over xenloop, in the same run.
#
#   tcp_mmap -z   the kernel's TCP_ZEROCOPY_RECEIVE selftest
#                 (tools/testing/selftests/net/tcp_mmap.c): its server
#                 in g2 maps the socket's pages into an mmap()ed area of
#                 the socket and reads what the kernel says it must skip
#                 (recv_skip_hint, asserted to fit its 512 KiB chunk); the
#                 client in g1 sends TM_BYTES, IPv4 and IPv6, with plain
#                 send() (its own -z is MSG_ZEROCOPY transmit, not what is
#                 measured here).  Pass: the server survives and reports
#                 at least 90% of TM_BYTES; over xenloop, xenloop0 carried
#                 them.
#   8+8 flows     iperf3 -P 8 --bidir from g1 to g2 for IP3_SECS: eight
#                 TCP flows each way.  Reported per direction: the
#                 receiver's throughput, iperf3's retransmissions, the
#                 sender's Tcp RetransSegs and the receiver's TCP memory
#                 pressure and pruning counters (TcpExt TCPMemoryPressures,
#                 PruneCalled, OfoPruned, RcvPruned, TCPRcvQDrop,
#                 TCPBacklogDrop, TCPOFODrop), into rxpath.csv.  Then
#                 the same with tcp_mem sized for sixteen flows, over
#                 xenloop and over netfront.  Pass: no memory pressure
#                 then, and xenloop retransmits no more than netfront per
#                 Gbit moved.
#   path switches the same flows over xenloop for SW_SECS while g2, the
#                 receiver of g1's flows, unloads and reloads the module
#                 every SW_PERIOD s (SW_DOWN s unloaded), then while g1
#                 does.  Pass: every reload went through and no 1-s
#                 interval of either direction moved nothing.  Reported:
#                 each direction's slowest interval and its longest
#                 stretch below 10% of its median.
#   selftests     the kernel's own msg_zerocopy (MSG_ZEROCOPY over TCP and
#                 UDP) and udpgso_bench_tx/_rx (UDP GSO, plain and with
#                 MSG_ZEROCOPY and its completion audit), IPv4 and IPv6,
#                 g1 to g2 over xenloop, KS_SECS each.  Pass: every program
#                 exits 0, the receivers got data, xenloop0 carried it
#                 (UDP GSO packets as whole records).
#
# Results: $LAB_OUT/rxpath.csv, one row per iperf3 run and direction
# (columns in its header line), each run's iperf3 output as
# $LAB_OUT/iperf3-<run>.txt.
LAB_WAIT=${LAB_WAIT:-180}
TM_BYTES=${TM_BYTES:-$((256 * 1024 * 1024))}
# Seconds a tcp_mmap transfer may take before it counts as stuck.
TM_SECS=${TM_SECS:-300}
IP3_SECS=${IP3_SECS:-20}
SW_SECS=${SW_SECS:-30}
SW_FIRST=4
SW_PERIOD=6
SW_DOWN=2
# Reloads that fit into SW_SECS with at least 4 s of flows after the last.
SW_MAX=$(( (SW_SECS - SW_FIRST - SW_DOWN - 4) / SW_PERIOD + 1 ))
CSV=$LAB_OUT/rxpath.csv
# Counters of the kernel's TCP statistics reported per direction, named as
# nstat names them ("Tcp" or "TcpExt" and the field).
TCP_SND="TcpRetransSegs"
TCP_RCV="TcpExtTCPMemoryPressures TcpExtPruneCalled TcpExtOfoPruned
	 TcpExtRcvPruned TcpExtTCPRcvQDrop TcpExtTCPBacklogDrop TcpExtTCPOFODrop"

# ---- helpers ----------------------------------------------------------------

# The data path runs the channel in both guests.
rx_chans() { dp_chan g1 g2 && dp_chan g2 g1; }

mod_load() { on "$1" modprobe xenloop; }

# Bytes G received on eth0 and xenloop0 together.  Summed by the shell:
# awk's printf "%d" loses sums above 2^31 - 1, which a long run passes.
rx_bytes() {
	local s=0 v
	for v in $(on "$1" "cat /sys/class/net/eth0/statistics/rx_bytes \
		/sys/class/net/xenloop0/statistics/rx_bytes 2>/dev/null"); do
		s=$((s + $(as_count "$v")))
	done
	echo $s
}

# A TCP socket listens on PORT in G.
listening() { on "$1" "netstat -ltn | grep -q ':$2 '"; }

# The kernel's TCP counters of a guest, one "Name value" per line, named
# as nstat names them: Tcp from /proc/net/snmp, TcpExt from
# /proc/net/netstat (each a line of field names, then one of values).
TCP_AWK='$1 == "Tcp:" || $1 == "TcpExt:" {
	p = substr($1, 1, length($1) - 1)
	if (h[p]++) { for (i = 2; i <= NF; i++) printf "%s%s %s\n", p, k[p, i], $i }
	else for (i = 2; i <= NF; i++) k[p, i] = $i
}'
tcp_now() { on "$1" "awk '$TCP_AWK' /proc/net/snmp /proc/net/netstat"; }
# tcp_mark TAG: snapshot both guests' counters (kept in dom0).
tcp_mark() {
	local g
	for g in g1 g2; do
		tcp_now $g > "$LAB_RUN/tcp-$g-$1"
	done
}
# tcp_delta TAG: both guests' changes since tcp_mark TAG, into
# $LAB_RUN/tcpd-G-TAG; prints the changed TcpExt counters as diag lines.
tcp_delta() {
	local g ch
	for g in g1 g2; do
		tcp_now $g | awk 'NR == FNR { a[$1] = $2; next }
			{ printf "%s %.0f\n", $1, $2 - a[$1] }' \
			"$LAB_RUN/tcp-$g-$1" - > "$LAB_RUN/tcpd-$g-$1"
		ch=$(awk '$1 ~ /^TcpExt/ && $2 != 0 { printf "%s%s=%.0f", (n++ ? " " : ""), substr($1, 7), $2 }' \
			"$LAB_RUN/tcpd-$g-$1")
		diag "$1: $g TcpExt changes: ${ch:-none}"
	done
}
# tcp_get G TAG NAME: NAME's change in G (0 when the kernel has no NAME).
tcp_get() { awk -v n="$3" '$1 == n { v = $2 } END { printf "%.0f\n", v }' "$LAB_RUN/tcpd-$1-$2"; }

# tm_run PATH TAG FAMILY ADDR PORT: tcp_mmap -z over PATH (a word for the
# descriptions).  The server (tcp_mmap -s -z) runs in g2; the client in g1
# would send 32 GiB, so it is stopped (SIGTERM; the kernel still sends
# what it queued, then the FIN) once g2 received TM_BYTES on eth0 and
# xenloop0 together.  The server prints its report when it reads the end
# of the stream and keeps listening; an assertion aborts it.  Sets TM_MB
# (the MiB it reported, 0 if none).
tm_run() {
	local path=$1 tag=$2 fam=$3 addr=$4 port=$5 b0 b t0 why='' out line
	TM_MB=0
	on g2 "tcp_mmap -s -z -$fam -p $port > /tmp/tm-$tag.srv 2>&1 &
	       echo \$! > /tmp/tm-$tag.srv.pid"
	if ! wait_until 30 "listening g2 $port" > /dev/null; then
		fail "tcp_mmap -z IPv$fam over $path: server listens" \
			"$(on g2 "cat /tmp/tm-$tag.srv")"
		return 1
	fi
	b0=$(rx_bytes g2)
	on g1 "tcp_mmap -$fam -H $addr -p $port > /tmp/tm-$tag.cli 2>&1 &
	       echo \$! > /tmp/tm-$tag.cli.pid"
	t0=$(lab_now)
	while :; do
		sleep 2
		b=$(( $(rx_bytes g2) - b0 ))
		[ $b -ge "$TM_BYTES" ] && break
		if ! on g1 "kill -0 \$(cat /tmp/tm-$tag.cli.pid)" > /dev/null 2>&1; then
			why="the client exited after $b bytes: $(on g1 "cat /tmp/tm-$tag.cli")"
			break
		fi
		if [ "$(lab_elapsed "$t0" | cut -d. -f1)" -ge "$TM_SECS" ]; then
			why="only $b bytes after $TM_SECS s"
			break
		fi
	done
	diag "tcp_mmap IPv$fam over $path: g2 received $b bytes in $(lab_elapsed "$t0") s"
	on g1 "kill \$(cat /tmp/tm-$tag.cli.pid) 2>/dev/null" > /dev/null
	wait_until 60 "tm_reported $tag" > /dev/null
	out=$(on g2 "cat /tmp/tm-$tag.srv")
	printf '%s\n' "$out" | while read -r line; do diag "tcp_mmap server: $line"; done
	line=$(printf '%s\n' "$out" | grep '^received ' | tail -n 1)
	TM_MB=$(echo "$line" | awk '{ printf "%d", $2 }')
	TM_MB=$(as_count "$TM_MB")
	if ! on g2 "kill -0 \$(cat /tmp/tm-$tag.srv.pid)" > /dev/null 2>&1; then
		fail "tcp_mmap -z IPv$fam over $path: the receiver survives" \
			"the server died" ${why:+"$why"}
		return 1
	fi
	on g2 "kill \$(cat /tmp/tm-$tag.srv.pid)" > /dev/null
	if [ -n "$why" ]; then
		fail "tcp_mmap -z IPv$fam over $path: $TM_BYTES bytes arrive" "$why"
		return 1
	fi
	check "tcp_mmap -z IPv$fam over $path: the receiver survives and reports $TM_MB MiB" \
		"[ $TM_MB -ge $((TM_BYTES * 9 / 10 / 1048576)) ]"
}
# The server reported, or is gone.
tm_reported() {
	on g2 "grep -q '^received ' /tmp/tm-$1.srv || ! kill -0 \$(cat /tmp/tm-$1.srv.pid)"
}

# An awk function: median(A, N) of A[1..N] (0 when N is 0), sorting A in
# place (insertion sort: a few dozen values).  Callers store numbers, not
# fields: busybox awk compares fields as strings ("14304" < "1776").
MEDIAN_AWK='function median(a, n,  i, j, x) {
	for (i = 2; i <= n; i++) {
		x = a[i]
		for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]
		a[j + 1] = x
	}
	return n ? (n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2) : 0
}'

# Where TCP's memory sits during a run: every 2 s each guest writes one
# line "PAGES SEND RECV" to /tmp/sockq-TAG: the pages TCP has allocated
# (/proc/net/sockstat), and the bytes its established sockets (IPv4 and
# IPv6) hold not yet acknowledged or sent, and received but not yet read
# (/proc/net/tcp*, tx_queue and rx_queue, in hex).  Busybox awk has no
# strtonum.
SOCKQ_SH='tag=$1
while [ ! -e /tmp/sockq.stop ]; do
	sleep 2
	awk '\''function hx(h,  i, v) {
		v = 0
		for (i = 1; i <= length(h); i++)
			v = v * 16 + index("0123456789ABCDEF", toupper(substr(h, i, 1))) - 1
		return v
	}
	FILENAME ~ /sockstat/ && $1 == "TCP:" { for (i = 2; i < NF; i++) if ($i == "mem") m = $(i + 1) }
	FILENAME ~ /tcp/ && FNR > 1 && $4 == "01" { split($5, q, ":"); t += hx(q[1]); r += hx(q[2]) }
	END { printf "%d %d %d\n", m, t, r }'\'' /proc/net/sockstat /proc/net/tcp /proc/net/tcp6
done > /tmp/sockq-$tag'
sockq_start() {
	local g
	for g in g1 g2; do
		on $g "rm -f /tmp/sockq.stop; cat > /tmp/sockq.sh <<'SOCKQ'
$SOCKQ_SH
SOCKQ
		sh /tmp/sockq.sh $1 > /dev/null 2>&1 &"
	done
}
# sockq_stop TAG: stops the samplers (each notices within its 2-s sleep);
# $LAB_RUN/sockq-G-TAG has, per guest, the medians "PAGES SEND_KIB
# RECV_KIB" of its samples (0 0 0 if none).
sockq_stop() {
	local g
	for g in g1 g2; do
		on $g "touch /tmp/sockq.stop"
	done
	sleep 3
	for g in g1 g2; do
		on $g "cat /tmp/sockq-$1" 2>/dev/null | awk "$MEDIAN_AWK"'
			NF == 3 { n++; m[n] = $1 + 0; t[n] = $2 / 1024; r[n] = $3 / 1024 }
			END { printf "%.0f %.0f %.0f\n", median(m, n), median(t, n), median(r, n) }' \
			> "$LAB_RUN/sockq-$g-$1"
	done
}
# sockq_get G TAG FIELD: one of those medians (1 pages, 2 send, 3 receive).
sockq_get() { awk -v f="$3" '{ print $f + 0 }' "$LAB_RUN/sockq-$1-$2"; }

# ip3_run TAG SECS: an iperf3 server for one test in g2, the client in g1:
# 8 TCP flows each way (-P 8 --bidir) for SECS seconds, reports every
# second in Mbit/s.  The client's output goes to $LAB_OUT/iperf3-TAG.txt,
# the socket memory samples of both guests to $LAB_RUN/sockq-G-TAG.
IP3_PORT=5200
ip3_run() {
	local tag=$1 secs=$2 port rc
	IP3_PORT=$((IP3_PORT + 1))
	port=$IP3_PORT
	on g2 "iperf3 -s -1 -p $port > /tmp/ip3s-$tag.log 2>&1 &
	       echo \$! > /tmp/ip3s-$tag.pid"
	if ! wait_until 30 "listening g2 $port" > /dev/null; then
		echo "iperf3 server in g2 did not start: $(on g2 "cat /tmp/ip3s-$tag.log")" \
			> "$LAB_OUT/iperf3-$tag.txt"
		return 1
	fi
	sockq_start "$tag"
	on -t $((secs + 240)) g1 "iperf3 -c $G2 -p $port -P 8 --bidir -t $secs -i 1 -f m \
		> /tmp/ip3-$tag.txt 2>&1"
	rc=$?
	sockq_stop "$tag"
	on g1 "cat /tmp/ip3-$tag.txt" > "$LAB_OUT/iperf3-$tag.txt" 2>&1
	on g2 "kill \$(cat /tmp/ip3s-$tag.pid) 2>/dev/null" > /dev/null
	return $rc
}

# ip3_parse FILE ROLE: one direction of an iperf3 --bidir client output,
# ROLE TX-C (client to server, g1 -> g2) or RX-C (g2 -> g1).  Its lines:
#   [SUM][TX-C]   3.00-4.00   sec  27.5 MBytes   231 Mbits/sec   12
#   [SUM][TX-C]   0.00-20.00  sec   552 MBytes   231 Mbits/sec  345   sender
#   [SUM][TX-C]   0.00-20.04  sec   550 MBytes   230 Mbits/sec        receiver
# (interval lines carry Retr only for TX-C).  Prints "MBIT RETR N MIN
# MEDIAN ZERO LOW": the receiver's average Mbit/s, the sender's
# retransmissions, the number of intervals of at least 0.5 s, the slowest
# and the median of them, how many moved nothing, and the longest run of
# consecutive intervals below 10% of the median (seconds).
ip3_parse() {
	awk -v role="[SUM][$2]" "$MEDIAN_AWK"'
	# Numbers, not the fields themselves: busybox awk compares fields
	# as strings ("14304" < "1776").
	function mbit(v, u) {
		if (u ~ /^Gbits/) return v * 1000
		if (u ~ /^Mbits/) return v + 0
		if (u ~ /^Kbits/) return v / 1000
		return v / 1000000
	}
	$1 != role { next }
	$NF == "sender" { retr = $(NF - 1); next }
	$NF == "receiver" { rate = mbit($6, $7); next }
	{
		split($2, t, "-")
		if (t[2] - t[1] < 0.5) next
		v[++n] = mbit($6, $7)
	}
	END {
		for (i = 1; i <= n; i++) s[i] = v[i]
		med = median(s, n)
		for (i = 1; i <= n; i++) {
			if (v[i] == 0) zero++
			if (v[i] < med / 10) { if (++run > low) low = run } else run = 0
		}
		printf "%.1f %d %d %.1f %.1f %d %d\n", rate, retr, n, (n ? s[1] : 0), med, zero, low
	}' "$1"
}

# ip3_report PATH TAG RELOADS: both directions of run TAG (after
# tcp_delta TAG) as diag lines and CSV rows: the path and direction, the
# receiver's Mbit/s, iperf3's retransmissions, the sender's RetransSegs,
# the receiver's TcpExt counters of TCP_RCV, the interval statistics of
# ip3_parse and the reloads during the run.  Sets R_TX and R_RX to
# iperf3's retransmissions of g1 -> g2 and g2 -> g1, Z_TX and Z_RX to
# their intervals without traffic, N_TX and N_RX to their interval counts.
ip3_report() {
	local path=$1 tag=$2 reloads=$3 role dir snd rcv c row
	local mbit retr n min med zero low
	for role in TX-C RX-C; do
		if [ $role = TX-C ]; then dir="g1->g2" snd=g1 rcv=g2; else dir="g2->g1" snd=g2 rcv=g1; fi
		# shellcheck disable=SC2046
		set -- $(ip3_parse "$LAB_OUT/iperf3-$tag.txt" $role)
		mbit=${1:-0} retr=${2:-0} n=${3:-0} min=${4:-0} med=${5:-0} zero=${6:-0} low=${7:-0}
		row="$path,$dir,$mbit,$retr,$(tcp_get $snd "$tag" $TCP_SND)"
		for c in $TCP_RCV; do
			row="$row,$(tcp_get $rcv "$tag" $c)"
		done
		row="$row,$n,$min,$med,$zero,$low,$reloads"
		row="$row,$(sockq_get $snd "$tag" 2),$(sockq_get $rcv "$tag" 3),$(sockq_get $rcv "$tag" 1)"
		echo "$row" >> "$CSV"
		diag "$path $dir: $mbit Mbit/s, $retr retransmissions (iperf3), $snd RetransSegs +$(tcp_get $snd "$tag" $TCP_SND); $n intervals, slowest $min, median $med Mbit/s, $zero at zero, longest below 10% of the median ${low} s"
		diag "$path $dir: receiver $rcv:$(for c in $TCP_RCV; do printf ' %s +%s' "${c#TcpExt}" "$(tcp_get $rcv "$tag" $c)"; done)"
		diag "$path $dir: medians of 2-s samples: $snd's sockets held $(sockq_get $snd "$tag" 2) KiB not yet sent or acknowledged, $rcv's $(sockq_get $rcv "$tag" 3) KiB received and not yet read; TCP memory $(sockq_get $rcv "$tag" 1) pages in $rcv"
		if [ $role = TX-C ]; then
			R_TX=$retr Z_TX=$zero N_TX=$n M_TX=$mbit
		else
			R_RX=$retr Z_RX=$zero N_RX=$n M_RX=$mbit
		fi
	done
}

# per_gbit RETRANS MBIT_TX MBIT_RX: retransmissions per Gbit received in
# an IP3_SECS run.
per_gbit() {
	awk -v r="$1" -v a="$2" -v b="$3" -v s="$IP3_SECS" \
		'BEGIN { g = (a + b) * s / 1000; printf "%.1f", (g > 0 ? r / g : 1e9) }'
}

# The reload loop a guest runs in the background:
#   sh /tmp/reload.sh FIRST PERIOD DOWN MAX
# after FIRST s, up to MAX times or until /tmp/reload.stop exists: rmmod,
# DOWN s unloaded, modprobe, then wait out the rest of PERIOD.  One line per reload
# ("UPTIME reload N ok ..." or what failed), "done" at the end.  A reload
# once begun always ends with the module loaded.
RELOAD_SH='first=$1 period=$2 down=$3 max=$4 n=0
sleep "$first"
while [ "$n" -lt "$max" ] && [ ! -e /tmp/reload.stop ]; do
	n=$((n + 1))
	t=$(cut -d" " -f1 /proc/uptime)
	if rmmod xenloop; then
		sleep "$down"
		if modprobe xenloop; then
			echo "$t reload $n ok (loaded again at $(cut -d" " -f1 /proc/uptime))"
		else
			echo "$t reload $n: modprobe failed"
		fi
	else
		echo "$t reload $n: rmmod failed"
		modprobe xenloop
	fi
	sleep $((period - down))
done
echo done'

# sw_run G: the 8+8 flows over xenloop for SW_SECS while G reloads the
# module SW_MAX times; checks and reports both directions.
sw_run() {
	local g=$1 tag=sw-$1 reloads failed line
	on "$g" "rm -f /tmp/reload.stop; cat > /tmp/reload.sh <<'RELOAD'
$RELOAD_SH
RELOAD"
	on "$g" "sh /tmp/reload.sh $SW_FIRST $SW_PERIOD $SW_DOWN $SW_MAX > /tmp/reload.log 2>&1 &"
	tcp_mark $tag
	if ! ip3_run $tag "$SW_SECS"; then
		fail "$SW_SECS s of 8+8 TCP flows while $g reloads the module" \
			"$(cat "$LAB_OUT/iperf3-$tag.txt")"
	fi
	on "$g" "touch /tmp/reload.stop"
	wait_until $((SW_PERIOD * 2 + 60)) "on $g grep -q ^done /tmp/reload.log" > /dev/null
	on "$g" "cat /tmp/reload.log" | while read -r line; do diag "$g: $line"; done
	reloads=$(as_count "$(on "$g" "grep -c ' ok ' /tmp/reload.log")")
	failed=$(as_count "$(on "$g" "grep -c 'failed' /tmp/reload.log")")
	# At most SW_MAX: an unload under this load can take several
	# seconds (the channel drains first), which leaves less time for
	# the later ones.
	check "$g unloaded and reloaded the module $reloads times during the flows (at most $SW_MAX; $failed failed)" \
		"[ $reloads -ge 2 ] && [ $failed -eq 0 ]"
	tcp_delta $tag
	ip3_report "xenloop-reload-$g" $tag "$reloads"
	check "reloads in $g: no 1-s interval without traffic g1 -> g2 ($Z_TX of $N_TX at zero)" \
		"[ $N_TX -gt 0 ] && [ $Z_TX = 0 ]"
	check "reloads in $g: no 1-s interval without traffic g2 -> g1 ($Z_RX of $N_RX at zero)" \
		"[ $N_RX -gt 0 ] && [ $Z_RX = 0 ]"
	# Whatever happened, both ends end up with the module and a channel.
	on "$g" "lsmod | grep -q '^xenloop '" > /dev/null || mod_load "$g"
	check_wait "the channel is back after $g's reloads" 120 rx_chans
}

# ---- the scenario -------------------------------------------------------------

stage "start guests and xenloopd" 300
echo "path,direction,mbit,retrans,snd_retrans_segs,rcv_mem_pressures,rcv_prune_called,rcv_ofo_pruned,rcv_rcv_pruned,rcv_rcvq_drop,rcv_backlog_drop,rcv_ofo_drop,intervals,min_mbit,median_mbit,zero_intervals,longest_low_s,reloads,snd_sendq_kib,rcv_recvq_kib,rcv_tcp_mem_pages" > "$CSV"
guest_start g1 pv && guest_start g2 pv
check "g1 and g2 (PV) answer" guest_wait g1 g2
check "xenloopd starts" xenloopd_start
G2=$(guest_ip g2) G2v6=$(guest_ip g2 6) G1v6=$(guest_ip g1 6)
for g in g1 g2; do
	check_on $g "$g has tcp_mmap and iperf3" \
		"command -v tcp_mmap && iperf3 --version"
done
check_on g1 "the module is not loaded yet (netfront first)" \
	"! lsmod | grep -q '^xenloop '"
# Resolve the neighbours (ARP, ND) before measuring.
on g1 "ping -c 1 -W 5 $G2; ping6 -c 1 -W 5 $G2v6" > /dev/null
on g2 "ping6 -c 1 -W 5 $G1v6" > /dev/null

stage "netfront reference: tcp_mmap -z, IPv4 and IPv6" 900
tm_run netfront nf4 4 "$G2" 8701
tm_run netfront nf6 6 "$G2v6" 8702

stage "netfront reference: 8+8 TCP flows" 600
tcp_mark nf
if ip3_run nf "$IP3_SECS"; then
	ok "iperf3 -P 8 --bidir over netfront"
else
	fail "iperf3 -P 8 --bidir over netfront" "$(cat "$LAB_OUT/iperf3-nf.txt")"
fi
tcp_delta nf
ip3_report netfront nf 0
NF_RETR=$((R_TX + R_RX)) NF_N=$((N_TX + N_RX))
NF_PG=$(per_gbit $NF_RETR $M_TX $M_RX)

stage "channel up" 300
check "g1 loads the module" mod_load g1
check "g2 loads the module" mod_load g2
check_wait "the data path runs the channel in g1 and g2" 120 rx_chans
on g1 "ping -c 1 -W 5 $G2; ping6 -c 1 -W 5 $G2v6" > /dev/null

stage "tcp_mmap -z over xenloop, IPv4 and IPv6" 900
for f in 4 6; do
	a=$G2
	[ $f = 6 ] && a=$G2v6
	x0=$(dp_cnt g2 rx_bytes) v0=$(vif_sum bytes)
	p0=$(dp_eth g2 "peer$(guest_domid g1)_rx_bytes")
	tm_run xenloop xl$f $f "$a" $((8702 + f))
	x=$(( $(dp_cnt g2 rx_bytes) - x0 )) v=$(( $(vif_sum bytes) - v0 ))
	p=$(( $(dp_eth g2 "peer$(guest_domid g1)_rx_bytes") - p0 ))
	diag "tcp_mmap IPv$f: g2's xenloop0 received $x bytes ($p from g1's channel), dom0's vifs carried $v"
	check "tcp_mmap IPv$f: xenloop carried it ($x bytes into g2; dom0's vifs $v)" \
		"[ $x -ge $((TM_BYTES * 9 / 10)) ] && [ $v -lt 1048576 ]"
done

stage "8+8 TCP flows over xenloop: retransmissions" 600
tcp_mark xl
v0=$(vif_sum bytes)
if ip3_run xl "$IP3_SECS"; then
	ok "iperf3 -P 8 --bidir over xenloop"
else
	fail "iperf3 -P 8 --bidir over xenloop" "$(cat "$LAB_OUT/iperf3-xl.txt")"
fi
v=$(( $(vif_sum bytes) - v0 ))
tcp_delta xl
ip3_report xenloop xl 0
XL_RETR=$((R_TX + R_RX)) XL_N=$((N_TX + N_RX))
XL_PG=$(per_gbit $XL_RETR $M_TX $M_RX)
check "the flows went through xenloop (dom0's vifs carried $v bytes)" "[ $v -lt 1048576 ]"
# A measurement, not a check: in these 256 MiB guests both paths run
# into TCP memory pressure with the default tcp_mem, which the next stage
# takes out of the way (Documentation/data-path.md, "Receive").
check "both runs reported every second (netfront $NF_N, xenloop $XL_N intervals)" \
	"[ $NF_N -ge $((2 * IP3_SECS - 2)) ] && [ $XL_N -ge $((2 * IP3_SECS - 2)) ]"
diag "retransmissions, both directions: xenloop $XL_RETR ($XL_PG per Gbit), netfront $NF_RETR ($NF_PG per Gbit)"

# What the retransmissions above are: with tcp_mem sized for sixteen
# flows (TCPMEM pages, 64, 96 and 128 MiB) instead of the guests' default
# (computed from their 256 MiB: about 8, 10 and 16 MiB), neither path
# reaches TCP memory pressure.  xenloop moves about three times
# netfront's data in the same seconds, so the two are compared per data
# moved (retransmissions per Gbit received, both directions): xenloop's
# must be no higher.  xenloop first (loaded), then netfront (unloaded),
# then the default back and the module loaded again.
TCPMEM="16384 24576 32768"
stage "8+8 TCP flows with tcp_mem sized for them, xenloop and netfront" 900
TCPMEM_DEF=$(on g1 "cat /proc/sys/net/ipv4/tcp_mem")
set_tcp_mem() {
	local g
	for g in g1 g2; do
		on $g "echo '$1' > /proc/sys/net/ipv4/tcp_mem"
	done
}
# mem_run PATH TAG: the 8+8 flows over PATH with TCPMEM, reported as
# PATH-tcpmem; sets M_RETR (both directions), M_PG (per Gbit) and M_P
# (memory-pressure events in both guests).
mem_run() {
	tcp_mark $2
	ip3_run $2 "$IP3_SECS" || fail "iperf3 -P 8 --bidir over $1, tcp_mem $TCPMEM"
	tcp_delta $2
	ip3_report $1-tcpmem $2 0
	M_RETR=$((R_TX + R_RX))
	M_PG=$(per_gbit $M_RETR $M_TX $M_RX)
	M_P=$(( $(tcp_get g1 $2 TcpExtTCPMemoryPressures) +
		$(tcp_get g2 $2 TcpExtTCPMemoryPressures) ))
}
set_tcp_mem "$TCPMEM"
mem_run xenloop xlm
XLM_RETR=$M_RETR XLM_PG=$M_PG XLM_P=$M_P
for g in g1 g2; do
	on $g "rmmod xenloop"
done
on g1 "ping -c 1 -W 5 $G2" > /dev/null
mem_run netfront nfm
NFM_RETR=$M_RETR NFM_PG=$M_PG NFM_P=$M_P
set_tcp_mem "$TCPMEM_DEF"
check "g1 loads the module again" mod_load g1
check "g2 loads the module again" mod_load g2
check_wait "the channel is back" 120 rx_chans
diag "retransmissions, both directions, tcp_mem $TCPMEM: xenloop $XLM_RETR ($XLM_PG per Gbit), netfront $NFM_RETR ($NFM_PG per Gbit); memory pressure events: xenloop $XLM_P, netfront $NFM_P"
check "tcp_mem sized for the flows: no TCP memory pressure (xenloop $XLM_P, netfront $NFM_P)" \
	"[ $XLM_P = 0 ] && [ $NFM_P = 0 ]"
check "tcp_mem sized for the flows: xenloop retransmits no more than netfront per Gbit moved ($XLM_PG, $NFM_PG)" \
	"awk 'BEGIN { exit !($XLM_PG <= $NFM_PG) }'"

stage "path switches: g2 reloads the module during 8+8 flows" 900
sw_run g2

stage "path switches: g1 reloads the module during 8+8 flows" 900
sw_run g1

# ---- the kernel's own selftest programs ---------------------------------------
# msg_zerocopy and udpgso_bench_tx/_rx from Debian's linux-source-6.1
# (selftests/Makefile), run as the kernel's msg_zerocopy.sh and
# udpgso_bench.sh run them, but between g1 and g2 over xenloop.
KS_SECS=${KS_SECS:-2}
KS_PORT=8710

# ks_bg G TAG CMD: CMD in G in the background; its output (stdout and
# stderr) goes to /tmp/ks-TAG.out and its exit status to /tmp/ks-TAG.rc.
ks_bg() {
	on "$1" "rm -f /tmp/ks-$2.rc; ($3; echo \$? > /tmp/ks-$2.rc) \
		> /tmp/ks-$2.out 2>&1 < /dev/null &"
}
# ks_wait G TAG SECS: its exit status once it ended (at most SECS s from
# now), or "none".
ks_wait() {
	if wait_until "$3" "on $1 test -e /tmp/ks-$2.rc" > /dev/null; then
		as_count "$(on "$1" "cat /tmp/ks-$2.rc")"
	else
		echo none
	fi
}
# A socket of PROTO (tcp: listening, udp: bound) on PORT in G.
ks_bound() {
	local o=t
	[ "$2" = udp ] && o=u
	on "$1" "netstat -l${o}n | grep -q ':$3 '"
}
# ks_verdict DESC RC OUT COND: one TAP line for one program run, ok when
# it exited 0 and COND (a test) holds; its output as diag lines.
ks_verdict() {
	[ -z "$3" ] || printf '%s\n' "$3" | while read -r l; do diag "  $l"; done
	if [ "$2" = 0 ] && eval "$4"; then
		ok "$1"
	else
		fail "$1" "exit status $2, condition: $4"
	fi
}

# mz_run FAMILY PROTO ADDR: msg_zerocopy -z, the receiver (-r) in g2 bound
# to ADDR, the sender in g1 for KS_SECS s.  The receiver stops on its own
# -t after accept() (TCP) or bind() (UDP, which needs room for the time
# it takes to start the sender).  Pass: each exits 0 and the receiver
# read something.  The sender's "zc=y" says the kernel reported every
# send done without a copy, "zc=n" copied (as on loopback, where the
# receiving socket copies): 6.1's test prints it and never fails on it.
# Adds the MiB the receiver reported to MZ_BYTES.
mz_run() {
	local f=$1 p=$2 a=$3 tag=mz-$2$1 port rxs out rc n mb
	KS_PORT=$((KS_PORT + 1)) port=$KS_PORT
	rxs=$((KS_SECS + 3))
	[ "$p" = udp ] && rxs=$((KS_SECS + 6))
	ks_bg g2 $tag "timeout $((rxs + 60)) msg_zerocopy -$f -C 0 -t $rxs -p $port -D $a -r $p"
	if ! wait_until 30 "ks_bound g2 $p $port" > /dev/null; then
		fail "msg_zerocopy -$f $p: the receiver starts in g2" "$(on g2 "cat /tmp/ks-$tag.out")"
		return 1
	fi
	out=$(on -t $((KS_SECS + 60)) g1 \
		"msg_zerocopy -$f -C 0 -t $KS_SECS -p $port -D $a -z $p 2>&1")
	rc=$?
	ks_verdict "msg_zerocopy -$f -z $p: the sender in g1 exits 0 ($(printf '%s\n' "$out" | grep '^tx=' | tail -n 1))" \
		$rc "$out" true
	rc=$(ks_wait g2 $tag $((rxs + 75)))
	out=$(on g2 "cat /tmp/ks-$tag.out")
	# shellcheck disable=SC2046
	set -- $(printf '%s\n' "$out" | sed -n 's/^rx=\([0-9]*\) (\([0-9]*\) MB)$/\1 \2/p' | tail -n 1)
	n=$(as_count "$1") mb=$(as_count "$2")
	ks_verdict "msg_zerocopy -$f -r $p: the receiver in g2 exits 0 with data ($n reads, $mb MiB)" \
		"$rc" "$out" "[ $n -gt 0 ]"
	MZ_BYTES=$((MZ_BYTES + mb * 1048576))
}

# ug_run FAMILY ADDR MSS TX-ARGS: udpgso_bench_tx -S 0 (GSO, segments of
# MSS, the largest that fit eth0's 1500-byte MTU) in g1 for KS_SECS s,
# sending 42 segments per call, and udpgso_bench_rx in g2, which checks
# that every datagram is MSS bytes (-l) and its contents (-v), and ends
# 5 s after the last.  Adds the bytes it counted to UG_BYTES.
ug_run() {
	local f=$1 a=$2 mss=$3 args=$4 tag port out rc n r4=
	KS_PORT=$((KS_PORT + 1)) port=$KS_PORT tag=ug-$f-$port
	[ "$f" = 4 ] && r4=-4
	ks_bg g2 $tag "timeout 90 udpgso_bench_rx $r4 -p $port -C 30000 -R 5000 -v -l $mss"
	if ! wait_until 30 "ks_bound g2 udp $port" > /dev/null; then
		fail "udpgso_bench_rx -$f: starts in g2" "$(on g2 "cat /tmp/ks-$tag.out")"
		return 1
	fi
	out=$(on -t $((KS_SECS + 60)) g1 \
		"udpgso_bench_tx -$f -D $a -p $port -l $KS_SECS -s $((mss * 42)) -S 0 $args 2>&1")
	rc=$?
	ks_verdict "udpgso_bench_tx -$f -S 0${args:+ $args}: exits 0 in g1" $rc "$out" true
	rc=$(ks_wait g2 $tag 100)
	out=$(on g2 "cat /tmp/ks-$tag.out")
	n=$(printf '%s\n' "$out" | awk '$1 == "udp" && $2 == "rx:" { n += $5 } END { print n + 0 }')
	n=$(as_count "$n")
	ks_verdict "udpgso_bench_rx -$f: exits 0 in g2 with $n verified $mss-byte datagrams" \
		"$rc" "$out" "[ $n -gt 0 ]"
	UG_BYTES=$((UG_BYTES + n * mss))
}

stage "kernel selftest tools over xenloop" 600
check_wait "the channel is up in g1 and g2" 120 rx_chans
on g1 "ping -c 1 -W 5 $G2; ping6 -c 1 -W 5 $G2v6" > /dev/null
# Zerocopy notifications are charged to the sender's option memory, whose
# 6.1 default (20 KiB) runs out: msg_zerocopy.sh raises it too.
optmem=$(as_count "$(on g1 "cat /proc/sys/net/core/optmem_max")")
on g1 "echo 1000000 > /proc/sys/net/core/optmem_max"
MZ_BYTES=0
x0=$(dp_cnt g2 rx_bytes) v0=$(vif_sum bytes)
for p in tcp udp; do
	mz_run 4 $p "$G2"
	mz_run 6 $p "$G2v6"
done
x=$(( $(dp_cnt g2 rx_bytes) - x0 )) v=$(( $(vif_sum bytes) - v0 ))
check "msg_zerocopy went through xenloop ($x bytes into g2's xenloop0 for the receivers' $MZ_BYTES; dom0's vifs $v)" \
	"[ $MZ_BYTES -gt 0 ] && [ $x -ge $MZ_BYTES ] && [ $v -lt 1048576 ]"
UG_BYTES=0
x0=$(dp_cnt g2 rx_bytes) v0=$(vif_sum bytes)
t0=$(dp_eth g1 "peer$(guest_domid g2)_tx_gso") r0=$(dp_eth g2 "peer$(guest_domid g1)_rx_gso")
for z in "" "-z -a"; do
	ug_run 4 "$G2" 1472 "$z"
	ug_run 6 "$G2v6" 1452 "$z"
done
x=$(( $(dp_cnt g2 rx_bytes) - x0 )) v=$(( $(vif_sum bytes) - v0 ))
t=$(( $(dp_eth g1 "peer$(guest_domid g2)_tx_gso") - t0 ))
r=$(( $(dp_eth g2 "peer$(guest_domid g1)_rx_gso") - r0 ))
check "udpgso_bench went through xenloop, GSO packets whole (g1 sent $t GSO records, g2 received $r; $x bytes into g2's xenloop0 for the receivers' $UG_BYTES; dom0's vifs $v)" \
	"[ $t -gt 0 ] && [ $r -gt 0 ] && [ $UG_BYTES -gt 0 ] && [ $x -ge $UG_BYTES ] && [ $v -lt 1048576 ]"
[ "$optmem" -gt 0 ] && on g1 "echo $optmem > /proc/sys/net/core/optmem_max"

stage "counters and logs" 120
dp_final g1 g2
xenloopd_stop
