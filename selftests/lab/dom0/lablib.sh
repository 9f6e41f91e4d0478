# SPDX-License-Identifier: GPL-2.0
#
# Library for lab scenarios, sourced by labrun in dom0 (busybox ash).
# A scenario is a shell file in /lab/scenarios that calls these helpers.
#
# Reporting (TAP 13, kselftest style):
#   stage NAME SECONDS      start a stage; the host kills the run (exit 124)
#                           if it takes longer than SECONDS * LAB_SCALE
#   ok DESC / fail DESC [DIAG...] / skip DESC REASON
#   check DESC CMD...       run CMD in dom0 (eval); pass on exit 0
#   check_on GUEST DESC CMD...   the same, inside GUEST
#   diag TEXT...            a "# " comment line
# Guests:
#   guest_start NAME pv|pvh [MEM_MB]   create a guest (returns at once);
#                                      on the debug kernel if the run asks
#                                      for it and the guest is PVH
#   guest_wait NAME...                 wait until each guest's vifs forward
#                                      and its agent answers
#   guests_default TYPE                start and wait for LAB_GUESTS guests
#                                      named g1..gN
#   on [-t SECONDS] GUEST CMD...       run CMD in GUEST, output to stdout
#   guest_ip GUEST [6]   guest_ctl GUEST   guest_domid GUEST
#   guest_kernel GUEST   (stock, debug or a series such as 6.12)
#   guest_vcpus GUEST    (the vCPUs it was created with)
#   guest_console GUEST  (the guest's console log(s), also after migration)
#   dmesg_clean GUEST DESC             no kernel report (WARNING, BUG,
#                                      Oops, the debug kernel's) in its dmesg
#   dp_chan GUEST PEER                 GUEST's data path runs a channel
#                                      to PEER (xenloop0 has its counters)
#   dp_final GUEST...                  xenloop0's counters as diag lines,
#                                      then dmesg_clean, for each GUEST
# xenloopd (not started unless a scenario asks):
#   xenloopd_start [ARGS...]   start it in the foreground, logging to
#                              /tmp/xenloopd.log (copied to $LAB_OUT by
#                              xenloopd_stop); wait for its first sync
#   xenloopd_stop [SIGNAL]     stop it (TERM: removes its nodes; QUIT or
#                              KILL: leaves them) and wait until it is gone
#   xl_sees D P                D's view lists P (domids)
#   xl_peer D P NODE           a node of P's entry in D's view
#   wait_until SECONDS CMD...  retry CMD every 20 ms (WAIT_POLL=S: every S
#                              seconds, for conditions that cost agent
#                              calls); print the seconds it took
#                              (2 decimals) or "timeout" and fail
#   check_wait DESC SECONDS CMD   pass once the string CMD succeeds (CMD is
#                              evaluated afresh each time: quote it whole)
#   lab_now_ms                 dom0 uptime in ms (10 ms resolution)
#   xl_latency WHAT ACTION MARK DONE EVENT   latency of a view change after
#                              ACTION, measured by xenloopd (from its watch
#                              EVENT) and by polling (MARK to DONE); pass if
#                              xenloopd's is <= 1 s
# Values: LAB_GUESTS (from lab.sh -g), LAB_OUT (host-visible directory),
# LAB_GUEST_KERNEL (from lab.sh: the guests' kernels in start order, e.g.
# stock, debug or stock,6.12; the last entry stands for the rest), LAB_DEBUG_MEM (debug
# guests' default memory in MiB), LAB_GUEST_VCPUS (vCPUs per guest, from
# lab.sh: LAB_GUEST_VCPUS or the scenario's "# lab: guest-vcpus=" header).

LAB_OUT=/lab/out
LAB_TAP=$LAB_OUT/tap.log
LAB_RUN=/run/lab
mkdir -p "$LAB_RUN/guests"
: "${LAB_GUESTS:=2}"
# Guests on the debug kernel (scripts/build-debug-kernel.sh) need more
# memory.  It reserves about 490 MiB at boot: KASAN's shadow of the CPU
# entry areas of all NR_CPUS (8192, Debian's) is populated up front, and
# there is the shadow of memory (an eighth) and of the kernel, which
# lockdep's tables make 80 MiB.  512 MiB ran out of memory while booting;
# at 1024 a guest has 494 MiB with 413 available after boot (the stock
# kernel at 256: 205 and 155).
: "${LAB_GUEST_KERNEL:=stock}"
: "${LAB_DEBUG_MEM:=1024}"
# One vCPU per guest unless the run asks for more (multi-queue channels
# need several: a guest offers at most as many queues as it has vCPUs).
: "${LAB_GUEST_VCPUS:=1}"

_lab_n=0
_lab_pass=0
_lab_fail=0
_lab_skip=0
_lab_stage=
_lab_stage_t0=

lab_now() { cut -d' ' -f1 /proc/uptime; }
lab_elapsed() { awk -v a="$1" -v b="$(lab_now)" 'BEGIN { printf "%.1f", b - a }'; }

# Every TAP line goes to the console (the serial log) and to the
# host-visible TAP file.
tap() { printf '%s\n' "$*" | tee -a "$LAB_TAP"; }
diag() { printf '%s\n' "$*" | sed 's/^/# /' | tee -a "$LAB_TAP"; }

ok() {
	_lab_n=$((_lab_n + 1)); _lab_pass=$((_lab_pass + 1))
	tap "ok $_lab_n - $1"
}
fail() {
	_lab_n=$((_lab_n + 1)); _lab_fail=$((_lab_fail + 1))
	tap "not ok $_lab_n - $1"
	shift
	[ $# -gt 0 ] && diag "$@"
	return 0
}
skip() {
	_lab_n=$((_lab_n + 1)); _lab_skip=$((_lab_skip + 1))
	tap "ok $_lab_n - $1 # SKIP $2"
}

check() {
	local desc=$1 out
	shift
	if out=$(eval "$@" 2>&1); then
		ok "$desc"
	else
		fail "$desc" "command: $*" "$out"
		return 1
	fi
}

check_on() {
	local g=$1 desc=$2 out
	shift 2
	if out=$(on "$g" "$@" 2>&1); then
		ok "$desc"
	else
		fail "$desc" "on $g: $*" "$out"
		return 1
	fi
}

stage_end() {
	[ -n "$_lab_stage" ] || return 0
	diag "stage-done: $_lab_stage seconds=$(lab_elapsed "$_lab_stage_t0")"
	_lab_stage=
}

stage() {
	stage_end
	_lab_stage=$1
	_lab_stage_t0=$(lab_now)
	diag "stage: $1 timeout=$2"
}

# ---- guests ---------------------------------------------------------------

_lab_gvar() { cat "$LAB_RUN/guests/$1/$2" 2>/dev/null; }
guest_idx() { _lab_gvar "$1" idx; }
guest_type() { _lab_gvar "$1" type; }
# stock, debug or a series (6.12): the kernel guest_start booted the guest on.
guest_kernel() { _lab_gvar "$1" kernel; }
guest_vcpus() { _lab_gvar "$1" vcpus; }
guest_ctl() { echo "10.56.0.$(guest_idx "$1")"; }
# net_ip G N [6]: G's address on test network N (10.N.0.<idx>/24,
# fd00:N::<idx>/64): 55 is xenbr0 (eth0), 57 xenbr2 (scenarios' net2).
net_ip() {
	if [ "${3:-4}" = 6 ]; then
		echo "fd00:$2::$(guest_idx "$1")"
	else
		echo "10.$2.0.$(guest_idx "$1")"
	fi
}
guest_ip() { net_ip "$1" 55 "${2:-4}"; }
guest_mac() { printf '00:16:3e:55:00:%02x' "$(guest_idx "$1")"; }
guest_domid() { xl domid "$1" 2>/dev/null; }
guest_console() {
	local f
	for f in "$LAB_OUT/console/guest-$1.log" \
		 "$LAB_OUT/console/guest-$1--incoming.log"; do
		[ -f "$f" ] && cat "$f"
	done
}

_lab_next_idx=1

# The kernel entry of LAB_GUEST_KERNEL for the guest started IDX-th: one
# entry per guest in start order, the last one standing for the rest.
# lab.sh separates them with ":" on dom0's command line.
_lab_kernel_of() {
	local i=1 k last=stock
	for k in $(echo "$LAB_GUEST_KERNEL" | tr ',:' '  '); do
		last=$k
		[ $i -ge "$1" ] && break
		i=$((i + 1))
	done
	echo "$last"
}

guest_start() {
	local name=$1 type=$2 mem=$3 idx=$_lab_next_idx d
	local kernel=/lab/guest/vmlinux kind
	_lab_next_idx=$((_lab_next_idx + 1))
	d=$LAB_RUN/guests/$name
	mkdir -p "$d"
	echo "$idx" > "$d/idx"
	echo "$type" > "$d/type"
	kind=$(_lab_kernel_of "$idx")
	case $kind in
	stock) ;;
	debug)
		# The debug kernel boots PVH guests only: Linux 6.1 has no
		# KASAN for Xen PV (nothing maps KASAN's shadow in the page
		# tables Xen builds for a PV guest, so its first
		# instrumented access faults).  PV guests of a debug run
		# keep the stock kernel.
		if [ "$type" = pvh ]; then
			kernel=/lab/guest/vmlinux-debug
			: "${mem:=$LAB_DEBUG_MEM}"
		else
			diag "$name: PV, so the stock kernel (KASAN cannot boot Xen PV)"
			kind=stock
		fi ;;
	*)
		# Another packaged kernel series (lab.sh put its image here).
		kernel=/lab/guest/vmlinux-$kind ;;
	esac
	: "${mem:=256}"
	echo "$kind" > "$d/kernel"
	echo "$LAB_GUEST_VCPUS" > "$d/vcpus"
	cat > "$d/cfg" <<CFG
name = "$name"
type = "$type"
kernel = "$kernel"
ramdisk = "/lab/guest/initrd.cpio"
extra = "console=hvc0 lab.name=$name lab.idx=$idx"
memory = $mem
vcpus = $LAB_GUEST_VCPUS
on_crash = "preserve"
vif = [ 'mac=$(printf '00:16:3e:55:00:%02x' "$idx"),bridge=xenbr0,script=vif-lab',
        'mac=$(printf '00:16:3e:56:00:%02x' "$idx"),bridge=xenbr1,script=vif-lab' ]
CFG
	xl create "$d/cfg" > "$d/create.log" 2>&1 || {
		cat "$d/create.log"
		return 1
	}
}

# A guest is ready when dom0's end of each of its vifs has carrier and
# forwards in its bridge (netback saw the frontend connect its receive
# side: before that, traffic towards the guest is dropped), and its agent
# runs a command.
_guest_ready() {
	local d v
	d=$(guest_domid "$1") || return 1
	[ -n "$d" ] || return 1
	for v in /sys/class/net/vif$d.0 /sys/class/net/vif$d.1; do
		[ "$(cat "$v/carrier" 2>/dev/null)" = 1 ] || return 1
		# brport/state 3 is BR_STATE_FORWARDING.
		[ "$(cat "$v/brport/state" 2>/dev/null)" = 3 ] || return 1
	done
	xlagent run -w 2 -t 10 "$(guest_ctl "$1")" true > /dev/null 2>&1
}

# Wait until each guest is ready (LAB_WAIT seconds each, default 120).
# Any failure before the deadline, including a connection cut while the
# guest's network comes up, just means "not yet".
guest_wait() {
	local g t0
	for g in "$@"; do
		t0=$(lab_now)
		until _guest_ready "$g"; do
			if [ "$(lab_elapsed "$t0" | cut -d. -f1)" -ge "${LAB_WAIT:-120}" ]; then
				echo "guest $g not ready after ${LAB_WAIT:-120} s"
				xl list "$g"
				return 1
			fi
			sleep 0.5
		done
	done
}

guests_default() {
	local type=${1:-pv} i names=
	for i in $(seq 1 "$LAB_GUESTS"); do
		guest_start "g$i" "$type" || return 1
		names="$names g$i"
	done
	guest_wait $names
}

on() {
	local t=120 g
	if [ "$1" = -t ]; then
		t=$2
		shift 2
	fi
	g=$1
	shift
	xlagent run -w 10 -t "$t" "$(guest_ctl "$g")" "$@"
}

# Kernel reports: any line matching LAB_KREPORT starts one.  Plain
# WARNING, BUG, Oops and call traces, and what the debug kernel's checkers
# print: KASAN ("BUG: KASAN: ..."), UBSAN ("UBSAN: ..."), lockdep
# ("WARNING: possible circular locking dependency detected", "possible
# recursive locking", "inconsistent lock state", "suspicious RCU usage",
# "bad unlock balance", ...), DEBUG_OBJECTS ("ODEBUG: ..."), might_sleep
# ("BUG: sleeping function called from invalid context"), RCU stalls, and
# the "=====" banner lockdep, KASAN and UBSAN open their reports with.
LAB_KREPORT='WARNING|BUG|Oops|Call Trace|general protection|UBSAN:|ODEBUG:'
LAB_KREPORT="$LAB_KREPORT|rcu: INFO:|detected stalls? on CPU|rcu_preempt detected|stall on CPU"
LAB_KREPORT="$LAB_KREPORT|possible circular locking|possible recursive locking"
LAB_KREPORT="$LAB_KREPORT|inconsistent lock state|suspicious RCU usage|bad unlock balance"
LAB_KREPORT="$LAB_KREPORT|locking correctness validator|={20,}"

# _lab_kreport [EXTRA]: the first kernel report in the log on stdin, from
# its first line matching LAB_KREPORT (or the regex EXTRA, given with its
# leading "|"), 30 lines of it; nothing when the log has none.
_lab_kreport() {
	awk -v re="$LAB_KREPORT$1" 'n == 0 && $0 ~ re { n = 1 } n && n++ <= 30'
}

# _dmesg_check GUEST DESC EXTRA: no kernel report, nor a match of the regex
# EXTRA, in the guest's log; a failure quotes the first report.
_dmesg_check() {
	local g=$1 desc=$2 bad
	bad=$(on "$g" dmesg | _lab_kreport "$3")
	if [ -z "$bad" ]; then
		ok "$desc"
	else
		fail "$desc" "$bad"
	fi
}
dmesg_clean() { _dmesg_check "$1" "$2" ""; }
# The closing report of a data-path scenario, for each GUEST: xenloop0's
# totals and counters as diag lines, then dmesg_clean.
dp_final() {
	local g l
	for g in "$@"; do
		on $g "/usr/sbin/ip -s link show xenloop0; ethtool -S xenloop0" 2>&1 |
			while read -r l; do diag "$g: $l"; done
		dmesg_clean $g "no WARNING, BUG or Oops in $g"
	done
}

# ---- begin and end ---------------------------------------------------------

lab_begin() {
	tap "TAP version 13"
	diag "scenario: $1 guests=$LAB_GUESTS"
	_lab_t0=$(lab_now)
}

lab_end() {
	local g rc rep
	stage_end
	# Keep every guest's kernel log with the run for debugging.  On the
	# debug kernel any report its checkers made fails the scenario: from
	# the log, or the console (which also has what a guest printed
	# before it died or migrated) when the log shows none.
	for g in $(ls "$LAB_RUN/guests"); do
		on -t 20 "$g" dmesg > "$LAB_OUT/dmesg-$g.log" 2>&1
		[ "$(_lab_gvar "$g" kernel)" = debug ] || continue
		rep=$(_lab_kreport < "$LAB_OUT/dmesg-$g.log")
		[ -n "$rep" ] || rep=$(guest_console "$g" | _lab_kreport)
		if [ -z "$rep" ]; then
			ok "$g: no kernel report on the debug kernel"
		else
			fail "$g: no kernel report on the debug kernel" "$rep"
		fi
	done
	xl list > "$LAB_OUT/xl-list.log" 2>&1
	xl dmesg > "$LAB_OUT/xen-dmesg.log" 2>&1
	tap "1..$_lab_n"
	diag "Totals: pass:$_lab_pass fail:$_lab_fail xfail:0 xpass:0 skip:$_lab_skip error:0"
	diag "scenario seconds=$(lab_elapsed "$_lab_t0")"
	if [ $_lab_fail -gt 0 ]; then
		rc=1
	elif [ $_lab_pass -eq 0 ] && [ $_lab_skip -gt 0 ]; then
		rc=4
	else
		rc=0
	fi
	echo "rc=$rc pass=$_lab_pass fail=$_lab_fail skip=$_lab_skip" > "$LAB_OUT/result"
	sync
}

# ---- verified TCP streams (xlstream) ---------------------------------------
# stream_start ID SRC DST PORT [SENDER OPTIONS...]
#   start a receiver in DST and a sender in SRC, both in the background;
#   the receiver writes its progress to /tmp/ID.progress every second.
# stream_bytes DST ID        bytes received so far
# stream_wait_bytes DST ID N SECONDS   wait until at least N bytes arrived
# stream_stop SRC ID         make an open-ended sender finish cleanly
# stream_verify DESC SRC DST ID [BYTES]
#   wait for both ends to finish; pass when both counted the same bytes,
#   both computed the same hash, and the receiver found no corrupt byte.

_lab_field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" | tail -n1; }

stream_start() {
	local id=$1 src=$2 dst=$3 port=$4 i
	shift 4
	on "$dst" "xlstream recv -p $port -o /tmp/$id.progress > /tmp/$id.recv 2>&1 &" ||
		return 1
	i=0
	until on "$dst" "grep -q listening /tmp/$id.recv"; do
		i=$((i + 1))
		[ $i -gt 60 ] && { on "$dst" "cat /tmp/$id.recv"; return 1; }
		sleep 0.5
	done
	on "$src" "xlstream send -p $port $* $(guest_ip "$dst") > /tmp/$id.send 2>&1 &
		   echo \$! > /tmp/$id.send.pid"
}

stream_bytes() {
	on "$1" "cat /tmp/$2.progress 2>/dev/null" | _lab_field bytes
}

stream_wait_bytes() {
	local b
	WAIT_POLL=1 wait_until "$4" "[ \"\$(as_count \"\$(stream_bytes $1 $2)\")\" -ge $3 ]" > /dev/null &&
		return 0
	b=$(stream_bytes "$1" "$2")
	echo "only ${b:-0} of $3 bytes after $4 s"
	return 1
}

# What both ends of stream ID said, for a failure's diagnostics.
stream_diag() {
	echo "sender ($1): $(on "$1" "cat /tmp/$3.send" 2>&1)"
	echo "receiver ($2): $(on "$2" "cat /tmp/$3.recv; cat /tmp/$3.progress" 2>&1)"
}

stream_stop() {
	on "$1" "kill -TERM \$(cat /tmp/$2.send.pid)"
}

# Wait up to SECONDS (default 300) for both ends, then compare.
stream_verify() {
	local desc=$1 src=$2 dst=$3 id=$4 want=${5:-} secs=${6:-300} t0 s r
	t0=$(lab_now)
	until on "$src" "grep -q hash= /tmp/$id.send" &&
	      on "$dst" "grep -q hash= /tmp/$id.recv"; do
		if [ "$(lab_elapsed "$t0" | cut -d. -f1)" -ge "$secs" ]; then
			fail "$desc" "stream $id did not finish in $secs s" \
				"sender: $(on "$src" cat /tmp/$id.send)" \
				"receiver: $(on "$dst" cat /tmp/$id.recv)"
			return 1
		fi
		sleep 1
	done
	s=$(on "$src" "grep hash= /tmp/$id.send")
	r=$(on "$dst" "grep hash= /tmp/$id.recv")
	diag "stream $id sender:   $s"
	diag "stream $id receiver: $r"
	if [ "$(echo "$s" | _lab_field bytes)" != "$(echo "$r" | _lab_field bytes)" ]; then
		fail "$desc" "byte counts differ"
	elif [ "$(echo "$s" | _lab_field hash)" != "$(echo "$r" | _lab_field hash)" ]; then
		fail "$desc" "hashes differ"
	elif [ "$(echo "$r" | _lab_field errors)" != 0 ]; then
		fail "$desc" "receiver found corrupt bytes"
	elif [ -n "$want" ] && [ "$(echo "$r" | _lab_field bytes)" != "$want" ]; then
		fail "$desc" "expected $want bytes"
	else
		ok "$desc"
	fi
}

# ---- xenloopd --------------------------------------------------------------

XL_ROOT=/local/domain/0/xenloop
# On dom0's tmpfs: a log on the 9p share costs xenloopd a slow write per
# line.  xenloopd_stop copies it to $LAB_OUT/xenloopd.log.
XENLOOPD_LOG=/tmp/xenloopd.log

# Without a fork: the polling loops below must not starve dom0 under TCG.
_lab_ms() {
	local up _
	read -r up _ < /proc/uptime
	LAB_MS=$(( ${up%.*} * 1000 + (1${up#*.} - 100) * 10 ))
}
lab_now_ms() { _lab_ms; echo $LAB_MS; }
# Seconds since T0_MS, two decimals.
lab_since() { awk -v a="$1" -v b="$(lab_now_ms)" 'BEGIN { printf "%.2f", (b - a) / 1000 }'; }

wait_until() {
	local secs=$1 t0
	shift
	_lab_ms
	t0=$LAB_MS
	until eval "$@" > /dev/null 2>&1; do
		_lab_ms
		if [ $((LAB_MS - t0)) -ge $((secs * 1000)) ]; then
			echo timeout
			return 1
		fi
		sleep "${WAIT_POLL:-0.02}"
	done
	_lab_ms
	printf '%d.%02d\n' $(( (LAB_MS - t0) / 1000 )) $(( (LAB_MS - t0) % 1000 / 10 ))
}

check_wait() {
	local desc=$1 secs=$2 cmd=$3 t
	if t=$(wait_until "$secs" "$cmd"); then
		ok "$desc"
	else
		fail "$desc" "not true within $secs s: $cmd" "$(eval "$cmd" 2>&1)"
		return 1
	fi
}

_xl_syncs() { grep -c 'initial sync' "$XENLOOPD_LOG" 2>/dev/null || echo 0; }

xenloopd_start() {
	local n0 pid
	n0=$(_xl_syncs)
	xenloopd -f -v "$@" >> "$XENLOOPD_LOG" 2>&1 &
	pid=$!
	echo $pid > "$LAB_RUN/xenloopd.pid"
	wait_until 30 "[ \$(_xl_syncs) -gt $n0 ] || ! kill -0 $pid" > /dev/null
	kill -0 $pid 2>/dev/null
}

xenloopd_stop() {
	local pid
	pid=$(cat "$LAB_RUN/xenloopd.pid" 2>/dev/null) || return 0
	kill -"${1:-TERM}" "$pid" 2>/dev/null
	wait_until 30 "! kill -0 $pid" > /dev/null
	rm -f "$LAB_RUN/xenloopd.pid"
	cp "$XENLOOPD_LOG" "$LAB_OUT/xenloopd.log"
}

xl_sees() { xenstore-exists "$XL_ROOT/$1/peers/$2/generation"; }
xl_peer() { xenstore-read "$XL_ROOT/$1/peers/$2/$3" 2>/dev/null; }
# Field F of each vif in a vifs value on stdin ("DEVID,MAC,NETWORK ..."):
# 1 device ids, 2 MACs, 3 networks; space-separated.
vifs_field() {
	awk -v f="$1" '{ for (i = 1; i <= NF; i++) { split($i, a, ",");
		printf "%s%s", (i > 1 ? " " : ""), a[f] } } END { print "" }'
}

# xl_latency WHAT ACTION MARK DONE [EVENT]: latency of a view change.  Run
# ACTION in the background, wait for MARK (the trigger, visible in
# XenStore), then for DONE.  Two measures:
#   - xenloopd's own: from the first watch event whose log line contains
#     EVENT to the last view it wrote by then (from xenloopd.log, -v);
#     this is the one that must be <= 1 s;
#   - a dom0 shell polling XenStore every 20 ms, from MARK to DONE: an
#     upper bound that includes the polling's own delays, which under TCG
#     on a loaded host reach seconds.
xl_latency() {
	local what=$1 action=$2 mark=$3 done=$4 event=${5:-} tm td pid n0 dl
	n0=$(wc -l < "$XENLOOPD_LOG")
	eval "$action" > /tmp/latency.out 2>&1 &
	pid=$!
	tm=$(wait_until 180 "$mark") || { fail "$what" "trigger not seen: $mark"; wait $pid; return 1; }
	td=$(wait_until 60 "$done") || { fail "$what" "no view change: $done"; wait $pid; return 1; }
	wait $pid
	dl=$(tail -n +$((n0 + 1)) "$XENLOOPD_LOG" | awk -v pat="$event" '
		{ match($0, /\[[0-9.]+\]/); t = substr($0, RSTART + 1, RLENGTH - 2) }
		pat != "" && t0 == "" && /event / && index($0, pat) { t0 = t }
		t0 != "" && /view of domain/ { t1 = t }
		END { if (t0 != "" && t1 != "") printf "%.2f", t1 - t0; else print "?" }')
	diag "latency $what: xenloopd ${dl} s (event to last view written), polled ${td} s (trigger seen ${tm} s after the command began)"
	if [ "$dl" = "?" ]; then
		fail "$what published within 1 s" "no event matching '$event' followed by a view in xenloopd.log"
	elif awk -v d="$dl" 'BEGIN { exit !(d <= 1.0) }'; then
		ok "$what published within 1 s (${dl} s)"
	else
		fail "$what published within 1 s" "took $dl s"
	fi
}

# as_count TEXT: TEXT if it is a count, else 0 (a guest or vif that is
# gone answers with nothing or an error text, which must not reach shell
# arithmetic; the caller's check then fails on the missing traffic).
as_count() {
	case $1 in
	'' | *[!0-9]*) echo 0 ;;
	*) echo "$1" ;;
	esac
}

# vif_sum KIND [DEVID GUEST...]: packets or bytes (KIND) dom0's vifs
# DEVID (default 0, eth0) of the GUESTs (default g1 g2) saw, received and
# sent, summed (the traffic that took the netfront path).
vif_sum() {
	local kind=$1 dev=${2:-0} s=0 d f g
	if [ $# -ge 2 ]; then shift 2; else shift $#; fi
	[ $# -gt 0 ] || set -- g1 g2
	for g in "$@"; do
		d=$(guest_domid "$g")
		for f in rx_$kind tx_$kind; do
			s=$((s + $(as_count "$(cat /sys/class/net/vif$d.$dev/statistics/$f 2>/dev/null)")))
		done
	done
	echo $s
}

# ---- channels -----------------------------------------------------
# The module's per-peer state in guest G's debugfs (Documentation/
# control-plane.md, 5.7).

XL_DBG=/sys/kernel/debug/xenloop

# chan_field G D FIELD: FIELD's first value in G's block for peer domid D.
chan_field() {
	on "$1" "awk -v d='peer d$2' -v f='$3' '\$0 == d { p = 1; next }
		/^peer / { p = 0 } p && \$1 == f { print \$2; exit }' $XL_DBG/peers" 2>/dev/null
}
chan_state() { chan_field "$1" "$2" state; }
# Both guests have a connected channel with each other.
chan_up() {
	[ "$(chan_state "$1" "$(guest_domid "$2")")" = connected ] &&
		[ "$(chan_state "$2" "$(guest_domid "$1")")" = connected ]
}
# chan_stat G NAME: a module-wide counter from G's debugfs stats.
chan_stat() { on "$1" "awk '\$1 == \"$2\" { print \$2 }' $XL_DBG/stats" 2>/dev/null; }
# Active grant entries Xen reports for domain $1 (debug key 'g').
xen_active() {
	xl dmesg -c > /dev/null
	xl debug-keys g
	xl dmesg | awk -v d="d$1" '
		/grant-table for remote/ { in_d = ($NF == d || $(NF-1) == d) }
		in_d && /\(XEN\) \[0x/ { n++ }
		END { print n + 0 }'
}
# ---- xenloop0's counters (ethtool -S) ----------------------------------
# Each channel has its own lines, peer<domid>_<stat>, and with several
# queues also one line per queue, peer<domid>_q<i>_<stat>, for some of
# the stats (tx_packets, tx_bytes, rx_packets, rx_bytes, events, tx_kicks,
# rx_kicks).  The channel's line is the sum over its queues, so a pattern
# such as '_tx_packets$', which matches both kinds, would count a channel's
# packets twice: eth_sum and eth_chan_stats leave the per-queue lines out,
# eth_qsum and eth_queues read only them.
ETH_QUEUE_RE='^peer[0-9]+_q[0-9]+_'

# eth_stats G: G's `ethtool -S xenloop0` as "name value" lines; nothing
# when the module is not loaded.  Every scenario reads the counters
# through this one parser.
eth_stats() {
	on "$1" "ethtool -S xenloop0" 2>/dev/null |
		sed -n 's/^ *\([A-Za-z0-9_]*\): *\([0-9][0-9]*\) *$/\1 \2/p'
}
# eth_chan_stats G: eth_stats without the per-queue lines: the module-wide
# gone_* lines and one set per channel.
eth_chan_stats() { eth_stats "$1" | awk -v q="$ETH_QUEUE_RE" '$1 !~ q'; }
# _eth_sum ERE: the sum of the counters on stdin whose name matches ERE.
# Printed with "%.0f": awk's print and "%d" lose integers above
# 2^31 - 1 (busybox's "%d" wraps them, mawk's clamps them), "%.0f" keeps
# them exact up to 2^53.
_eth_sum() {
	as_count "$(awk -v re="$1" '$1 ~ re { s += $2 } END { printf "%.0f", s }')"
}
# eth_sum G ERE: the sum of G's per-channel (and gone_*) counters whose
# name matches ERE (0 if none); per-queue lines never count.
eth_sum() { eth_chan_stats "$1" | _eth_sum "$2"; }
# eth_qsum G ERE: the same over the per-queue lines only.
eth_qsum() { eth_stats "$1" | awk -v q="$ETH_QUEUE_RE" '$1 ~ q' | _eth_sum "$2"; }
# dp_eth G NAME: counter NAME of G, per-channel or per-queue (0 if absent).
dp_eth() {
	as_count "$(eth_stats "$1" | awk -v n="$2" '$1 == n { printf "%.0f", $2; exit }')"
}
# eth_queues G D: the queue indices G's counters show for its channel to
# domid D, in order, one per line (none for a channel without per-queue
# lines).
eth_queues() {
	eth_stats "$1" | sed -n "s/^peer${2}_q\([0-9]*\)_tx_packets .*/\1/p" | sort -n
}
# eth_diag G: G's non-zero counters as diag lines.
eth_diag() {
	local l
	diag "$1: ethtool -S xenloop0 (non-zero)"
	eth_stats "$1" | awk '$2 != 0' | while read -r l; do diag "    $l"; done
}
# The data path in guest G runs a channel to guest P: xenloop0 has P's
# counters.
dp_chan() { eth_stats "$1" | grep -q "^peer$(guest_domid "$2")_tx_packets "; }
# xenloop0 counter NAME (statistics/NAME) in guest G; 0 when G does not
# answer, so that arithmetic on it fails a check instead of the scenario.
dp_cnt() {
	as_count "$(on "$1" "cat /sys/class/net/xenloop0/statistics/$2" 2>/dev/null)"
}
# Event-channel IRQs the module has bound in G.
chan_irqs() { on "$1" "grep -c xenloop /proc/interrupts" 2>/dev/null; }
# dmesg of G has no WARNING, BUG, Oops, call trace or leak.
dmesg_noleak() { _dmesg_check "$1" "$2" "|[Ll]eak"; }
