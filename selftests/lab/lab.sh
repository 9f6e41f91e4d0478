#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The xenloop Xen lab: boots Debian's Xen 4.17 in QEMU (TCG) with a busybox
# dom0, which starts PV/PVH guests running the project's module and tools.
#
#   lab.sh run [-g GUESTS] SCENARIO   run selftests/lab/scenarios/SCENARIO.sh
#   lab.sh shell [-g GUESTS]          boot and leave you in a dom0 shell
#
#   +------------------------ QEMU (TCG, q35, 2 vCPUs) ----------------------+
#   | Xen 4.17                                                               |
#   |  dom0 (busybox, xl, xenstored)   g1 (PV/PVH)   g2 (PV/PVH)   ...     |
#   |   xenbr0 10.55.0.254  ---------- eth0 .1 ----- eth0 .2   test traffic  |
#   |   xenbr1 10.56.0.254  ---------- ctl0 .1 ----- ctl0 .2   lab control   |
#   +------------------------------------------------------------------------+
#
# Results and logs land in build/lab/<scenario>-<time>/ (virtio-9p share):
# serial.log (Xen and dom0 console), console/guest-*.log, tap.log, dmesg-*.
# Exit: 0 pass, 1 fail, 4 skip, 124 timeout.  A run that did not pass and
# whose Xen log has guest triple faults says so in a "# lab: platform
# fault:" line.
#
# Environment: LAB_KVER (kernel, required), LAB_MODULE, LAB_BIN (built
# artifacts), LAB_SCALE (multiply every timeout, default 1), LAB_MEM (QEMU
# memory in MiB, default 4096), LAB_KEEP=1 (keep the boot images of a run),
# LAB_GUEST_KERNEL=stock|debug (the guests' kernel; default stock, or what
# the scenario's "# lab: guest-kernel=" header says), LAB_DEBUG_MODULE,
# LAB_DEBUG_MEM (debug guests' default memory in MiB), LAB_TCG_THREAD
# (QEMU's TCG threading, multi or single; default multi), LAB_XEN_ARGS
# (more options on Xen's command line).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
TOP=$(cd "$HERE/../.." && pwd)
KVER=${LAB_KVER:?set LAB_KVER (the Makefile does)}
SCALE=${LAB_SCALE:-1}
IMAGES=$TOP/build/lab/images
BOOT_TIMEOUT=240	# QEMU start to dom0 toolstack ready, seconds
END_TIMEOUT=120		# scenario done to QEMU exit

usage() {
	sed -n '4,7p' "$0" | sed 's/^# *//' >&2
	exit 2
}
die() { echo "lab: $*" >&2; exit 1; }

mode=${1:-}
[ -n "$mode" ] || usage
shift
guests=2
while getopts g: opt; do
	case $opt in
	g) guests=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
case $mode in
run) scenario=${1:-}; [ -n "$scenario" ] || usage ;;
shell) scenario=shell ;;
*) usage ;;
esac
[[ $guests =~ ^[1-9][0-9]?$ ]] || die "-g wants a guest count from 1 to 99"
if [ "$mode" = run ] && [ ! -f "$HERE/scenarios/$scenario.sh" ]; then
	die "no scenario '$scenario'; have: $(cd "$HERE/scenarios" && ls | sed 's/\.sh$//' | tr '\n' ' ')"
fi

# The guests' kernel: Debian's (stock, dom0's too) or the debug kernel of
# scripts/build-debug-kernel.sh (KASAN, UBSAN, lockdep, DEBUG_OBJECTS),
# which the caller builds first (make lab does; so does make check).  dom0
# always runs the stock kernel, and so do PV guests: KASAN cannot boot a
# Xen PV guest (lablib.sh's guest_start).
guest_kernel=${LAB_GUEST_KERNEL:-}
if [ -z "$guest_kernel" ] && [ "$mode" = run ]; then
	guest_kernel=$(sed -n 's/^# lab: guest-kernel=\([a-z]*\).*/\1/p' \
		       "$HERE/scenarios/$scenario.sh" | head -n1)
fi
case ${guest_kernel:=stock} in
stock)
	GKVER=$KVER debug_dir= ;;
debug)
	debug_dir=$("$TOP/scripts/build-debug-kernel.sh" --cached) ||
		die "guest-kernel=debug needs the debug kernel: make lab-module-debug"
	GKVER=$(cat "$debug_dir/kernelrelease") ;;
*)
	die "LAB_GUEST_KERNEL=$guest_kernel: want stock or debug" ;;
esac
MODULE=${LAB_MODULE:-$TOP/build/modules/$KVER/module/xenloop.ko}
DEBUG_MODULE=
if [ "$guest_kernel" = debug ]; then
	DEBUG_MODULE=${LAB_DEBUG_MODULE:-$TOP/build/modules/debug-$GKVER/module/xenloop.ko}
fi

bins=("${LAB_XLAGENT:-$HERE/xlagent}" "${LAB_XLSTREAM:-$TOP/selftests/tools/xlstream}"
      "$TOP/discovery/xenloopd" "$TOP/selftests/tools/xlmsg"
      "$TOP/selftests/tools/xlperf" "$TOP/selftests/tools/xlrogue")
for f in "$MODULE" $DEBUG_MODULE "${bins[@]}"; do
	[ -f "$f" ] || die "missing $f: run make first"
done

# One lab per machine: two emulated Xen hosts starve each other's vCPUs
# and their PVH guests triple-fault.  A second lab waits for the first.
exec 9>"${LAB_LOCK:-/run/lock/xenloop-lab.lock}"
if ! flock -n 9; then
	echo "# lab: another lab is running on this machine; waiting for it" >&2
	flock 9
fi

"$HERE/mkimages.sh" "$IMAGES" $debug_dir >/dev/null

# The hypervisor: Debian's, or (LAB_XEN=shadow, or a scenario's
# "# lab: xen=shadow" header) Debian's rebuilt with shadow paging, which
# PV live migration needs; LAB_XEN may also name an ELF image.
xen_img=${LAB_XEN:-}
if [ -z "$xen_img" ] && [ "$mode" = run ] &&
   grep -q '^# lab: xen=shadow' "$HERE/scenarios/$scenario.sh"; then
	xen_img=shadow
fi
case $xen_img in
''|stock) xen_img=$IMAGES/xen ;;
shadow)
	rc=0
	"$TOP/scripts/build-xen-shadow.sh" "$TOP/build/lab/xen-shadow" >&2 || rc=$?
	if [ $rc = 4 ]; then
		echo "ok 1 - $scenario # SKIP the archive has no Xen 4.17 source to rebuild with shadow paging"
		exit 4
	fi
	[ $rc = 0 ] || die "cannot build the shadow-paging hypervisor"
	xen_img=$TOP/build/lab/xen-shadow/xen ;;
esac
[ -f "$xen_img" ] || die "no hypervisor image $xen_img"

run=$TOP/build/lab/$scenario-$(date +%Y%m%d-%H%M%S)-$$
work=$run/.work
mkdir -p "$run/console" "$work"

# ---- per-run images: project artifacts on top of the cached base ----------
# Guests: the base tree plus init, tools and the module where modprobe
# finds it.
# Debug runs start from the base that also has the debug kernel's modules,
# add the module built for it, and give dom0 the debug kernel next to the
# stock one.
g=$work/guest
if [ "$guest_kernel" = debug ]; then
	cp -a "$IMAGES/guest-base-debug" "$g"
else
	cp -a "$IMAGES/guest-base" "$g"
fi
install -m 755 "$HERE/guest/init" "$g/init"
mkdir -p "$g/lab/bin" "$g/lib/modules/$KVER/extra"
install -m 755 "${bins[0]}" "${bins[1]}" "${bins[3]}" "${bins[4]}" "${bins[5]}" "$g/lab/bin/"
install -m 644 "$MODULE" "$g/lib/modules/$KVER/extra/"
depmod -b "$g" "$KVER"
if [ -n "$DEBUG_MODULE" ]; then
	mkdir -p "$g/lib/modules/$GKVER/extra"
	install -m 644 "$DEBUG_MODULE" "$g/lib/modules/$GKVER/extra/"
	depmod -b "$g" "$GKVER"
fi
o=$work/overlay
mkdir -p "$o/lab/guest" "$o/lab/bin" "$o/etc/xen/scripts"
(cd "$g" && find . -print0 | cpio --null -o -H newc --quiet) > "$o/lab/guest/initrd.cpio"
[ -z "$debug_dir" ] || install -m 644 "$IMAGES/vmlinux-debug" "$o/lab/guest/vmlinux-debug"
install -m 755 "$HERE/dom0/init" "$o/init"
install -m 755 "$HERE/dom0/vif-lab" "$o/etc/xen/scripts/vif-lab"
install -m 755 "$HERE/dom0/labrun" "$o/lab/labrun"
install -m 644 "$HERE/dom0/lablib.sh" "$o/lab/lablib.sh"
install -m 755 "${bins[@]}" "$o/lab/bin/"
# xenloopd's config directory; scenarios write their own policy files.
mkdir -p "$o/etc/xenloop"
install -m 644 "$TOP/discovery/xenloopd.conf.example" "$o/etc/xenloop/"
cp -r "$HERE/scenarios" "$o/lab/scenarios"
(cd "$o" && find . -print0 | cpio --null -o -H newc --quiet) > "$work/overlay.cpio"
# Linux unpacks concatenated cpio archives in order, later files winning.
cat "$IMAGES/dom0-base.cpio" "$work/overlay.cpio" > "$work/dom0.cpio"
rm -rf "$g" "$o" "$work/overlay.cpio"

xen_args="console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all"
xen_args+=" dom0_mem=1024M,max:1024M dom0_max_vcpus=2 noreboot bootscrub=0"
xen_args+=" ${LAB_XEN_ARGS:-}"
dom0_args="console=hvc0 earlyprintk=xen lab.mode=$mode lab.scenario=$scenario lab.guests=$guests"
# lablib.sh reads these as LAB_GUEST_KERNEL and LAB_DEBUG_MEM.
dom0_args+=" lab.guest_kernel=$guest_kernel"
[ -z "${LAB_DEBUG_MEM:-}" ] || dom0_args+=" lab.debug_mem=$LAB_DEBUG_MEM"
if [ "$guest_kernel" = debug ]; then
	echo "# lab: PVH guests run the debug kernel ($GKVER), PV guests $KVER"
fi
qemu=(qemu-system-x86_64 -machine q35 -accel tcg,thread=${LAB_TCG_THREAD:-multi}
      -cpu qemu64,+svm,+npt -m "${LAB_MEM:-4096}" -smp 2 -nographic
      -no-reboot -nic none
      -fsdev "local,id=out,path=$run,security_model=none"
      -device virtio-9p-pci,fsdev=out,mount_tag=labout
      -kernel "$xen_img" -append "$xen_args"
      -initrd "$IMAGES/vmlinux $dom0_args,$work/dom0.cpio")

if [ "$mode" = shell ]; then
	echo "lab: logs in $run; leave with 'poweroff -f' (or Ctrl-A x)"
	"${qemu[@]}" -chardev "stdio,id=s0,mux=on,signal=off,logfile=$run/serial.log" \
		-serial chardev:s0 -mon chardev=s0,mode=readline
	exit 0
fi

"${qemu[@]}" -monitor none -chardev "file,id=s0,path=$run/serial.log" \
	-serial chardev:s0 > "$run/qemu.log" 2>&1 &
qpid=$!

now() { date +%s; }
t0=$(now)
stage=boot stage_t0=$t0 stage_limit=$((BOOT_TIMEOUT * SCALE))
printed=0 rc= timings=()

# How Xen reports a guest's triple fault on its console.
TRIPLE_RE='\(XEN\) d[0-9]+v[0-9]+ Triple fault'

# What the guests and Xen said last, for a run that timed out: only this
# output reaches a CI log, the run directory does not.
last_words() {
	local f
	{ grep -hE "$TRIPLE_RE|\(XEN\) RIP:" "$run/serial.log" 2>/dev/null |
		tail -n 4 | sed 's/^/# xen: /'; } || true
	# Before any guest exists: what the machine's console said last.
	if ! ls "$run"/console/guest-*.log > /dev/null 2>&1; then
		{ tr -d '\r' < "$run/serial.log" | tail -n 8 | sed 's/^/# serial: /'; } 2>/dev/null || true
	fi
	for f in "$run"/console/guest-*.log; do
		[ -f "$f" ] || continue
		{ tr -d '\r' < "$f" | sed 's/\x1b\[[0-9;]*[a-zA-Z]//g' | grep -v '^ *$' |
			tail -n 8 | sed "s|^|# $(basename "$f" .log): |"; } || true
	done
}

finish() {
	local code=$1 why=$2
	kill "$qpid" 2>/dev/null || true
	wait "$qpid" 2>/dev/null || true
	[ -n "${LAB_KEEP:-}" ] || rm -rf "$work"
	echo "# lab: ${why}; total $(( $(now) - t0 )) s"
	for t in "${timings[@]}"; do echo "#   $t"; done
	if [ "$code" -ne 0 ]; then
		echo "# lab: logs of this run:"
		for f in "$run/serial.log" "$run/tap.log" "$run"/console/*.log \
			 "$run"/dmesg-*.log "$run/qemu.log"; do
			[ -f "$f" ] && echo "#   $f"
		done
	fi
	# The emulated platform's known fault (Documentation/lab.md), for
	# the caller to tell it from a failure of the scenario's own.
	tf=$(grep -cE "$TRIPLE_RE" "$run/serial.log" 2>/dev/null) || true
	[ "$code" -eq 0 ] || [ "${tf:-0}" -eq 0 ] ||
		echo "# lab: platform fault: $tf guest triple faults in Xen's log"
	[ "$code" -ge 124 ] && last_words
	exit "$code"
}
trap 'finish 1 "interrupted"' INT TERM

while :; do
	sleep 1
	# Stream new TAP lines to the caller as they come.
	if [ -f "$run/tap.log" ]; then
		n=$(wc -l < "$run/tap.log")
		if [ "$n" -gt "$printed" ]; then
			tail -n +$((printed + 1)) "$run/tap.log" | head -n $((n - printed))
			# Track stages from what the scenario reported.
			while IFS= read -r line; do
				case $line in
				"# stage: "*)
					timings+=("$stage $(( $(now) - stage_t0 )) s")
					stage=${line#\# stage: }; stage=${stage% timeout=*}
					stage_limit=$(( ${line##*timeout=} * SCALE ))
					stage_t0=$(now) ;;
				esac
			done < <(tail -n +$((printed + 1)) "$run/tap.log" | head -n $((n - printed)))
			printed=$n
		fi
	fi
	if [ -f "$run/result" ]; then
		timings+=("$stage $(( $(now) - stage_t0 )) s")
		rc=$(sed -n 's/^rc=\([0-9]*\).*/\1/p' "$run/result")
		# Give dom0 time to power the machine off cleanly.
		for _ in $(seq "$END_TIMEOUT"); do
			kill -0 "$qpid" 2>/dev/null || break
			sleep 1
		done
		finish "${rc:-1}" "scenario $scenario finished, $(cat "$run/result")"
	fi
	if ! kill -0 "$qpid" 2>/dev/null; then
		timings+=("$stage $(( $(now) - stage_t0 )) s")
		echo "not ok - lab: QEMU exited during stage '$stage' without a result"
		finish 1 "QEMU exited early"
	fi
	if [ $(( $(now) - stage_t0 )) -gt "$stage_limit" ]; then
		timings+=("$stage $(( $(now) - stage_t0 )) s (timed out)")
		echo "not ok - lab: stage '$stage' exceeded its ${stage_limit} s timeout"
		finish 124 "timeout"
	fi
done
