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
# LAB_GUEST_KERNEL (the guests' kernels, e.g. stock, debug, 6.12 or
# stock,6.12; default stock, or what the scenario's "# lab: guest-kernel="
# header says), LAB_MODULE_FROM=build|deb (the module from the build tree
# or from the xenloop-dkms package through DKMS; default build, or the
# scenario's "# lab: module=" header), LAB_XENLOOPD_DEB (dom0's xenloopd
# package; default the newest in build/deb), LAB_DEBUG_MODULE,
# LAB_DEBUG_MEM (debug guests' default memory in MiB), LAB_TCG_THREAD
# (QEMU's TCG threading, multi or single; default multi), LAB_CPU (QEMU's
# -cpu; default qemu64,+svm,+npt), LAB_XEN_ARGS (more options on Xen's
# command line), LAB_GUEST_VCPUS (vCPUs per guest, 1 to 8; default 1, or
# what the scenario's "# lab: guest-vcpus=" header says),
# LAB_SCENARIO_ENV (NAME=VALUE words the scenario finds in its
# environment, e.g. "BENCH_REPS=1 BENCH_SECS=2"; values without spaces).
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

# The guests' kernels: a comma-separated list, one entry per guest in the
# order guests are started, the last entry standing for the rest.  Each is
# "stock" (Debian's 6.1, dom0's kernel too), a Debian kernel series
# installed on this host ("6.12": its newest /boot/vmlinuz-6.12.*), or
# "debug", the debug kernel of scripts/build-debug-kernel.sh (KASAN, UBSAN,
# lockdep, DEBUG_OBJECTS), which the caller builds first (make lab does; so
# does make check).  dom0 always runs the stock kernel, and so do PV guests
# of a debug entry: KASAN cannot boot a Xen PV guest (lablib.sh's
# guest_start).
guest_kernel=${LAB_GUEST_KERNEL:-}
if [ -z "$guest_kernel" ] && [ "$mode" = run ]; then
	guest_kernel=$(sed -n 's/^# lab: guest-kernel=\([a-z0-9.,]*\).*/\1/p' \
		       "$HERE/scenarios/$scenario.sh" | head -n1)
fi
: "${guest_kernel:=stock}"
# Where the guests' module comes from: the build tree (build-modules.sh),
# or, with LAB_MODULE_FROM=deb or a scenario's "# lab: module=deb" header,
# DKMS building the xenloop-dkms package of build/deb (scripts/deb-module.sh),
# so that a packaging mistake fails the lab.
module_from=${LAB_MODULE_FROM:-}
if [ -z "$module_from" ] && [ "$mode" = run ]; then
	module_from=$(sed -n 's/^# lab: module=\([a-z]*\).*/\1/p' \
		      "$HERE/scenarios/$scenario.sh" | head -n1)
fi
case ${module_from:=build} in
build|deb) ;;
*) die "LAB_MODULE_FROM=$module_from: want build or deb" ;;
esac

# The newest installed release of a packaged kernel series: 6.12 ->
# 6.12.118+deb12-amd64.
kernel_release() {
	local r
	r=$(ls /boot/vmlinuz-"$1".* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n1)
	[ -n "$r" ] || die "guest kernel $1: no /boot/vmlinuz-$1.* (scripts/install-deps.sh)"
	echo "$r"
}
# A packaged kernel's module: the build tree's or DKMS's from the package.
packaged_module() {
	if [ "$module_from" = deb ]; then
		"$TOP/scripts/deb-module.sh" "$1" "$TOP/build/lab/deb-modules/$1" > /dev/null ||
			die "DKMS cannot build the xenloop-dkms package for $1"
		echo "$TOP/build/lab/deb-modules/$1/xenloop.ko"
	else
		echo "$TOP/build/modules/$1/module/xenloop.ko"
	fi
}

# Every kernel release a guest may boot, with its module: the stock kernel
# always (PV guests of a debug run boot it too), plus each listed one.
# extra_kernels are "NAME:RELEASE" for mkimages.sh and guest_start.
debug_dir= GKVER=$KVER extra_kernels=()
declare -A modules
if [ "$module_from" = deb ] && [ -z "${LAB_MODULE:-}" ]; then
	modules[$KVER]=$(packaged_module "$KVER")
else
	modules[$KVER]=${LAB_MODULE:-$TOP/build/modules/$KVER/module/xenloop.ko}
fi
for k in $(echo "$guest_kernel" | tr , ' '); do
	case $k in
	stock) ;;
	debug)
		[ -z "$debug_dir" ] || continue
		debug_dir=$("$TOP/scripts/build-debug-kernel.sh" --cached) ||
			die "guest-kernel=debug needs the debug kernel: make lab-module-debug"
		GKVER=$(cat "$debug_dir/kernelrelease")
		modules[$GKVER]=${LAB_DEBUG_MODULE:-$TOP/build/modules/debug-$GKVER/module/xenloop.ko} ;;
	[0-9]*.[0-9]*)
		r=$(kernel_release "$k")
		[ "$r" != "$KVER" ] || continue
		[ -z "${modules[$r]:-}" ] || continue
		modules[$r]=$(packaged_module "$r")
		extra_kernels+=("$k:$r") ;;
	*)
		die "guest kernel '$k': want stock, debug or a series like 6.12" ;;
	esac
done

# vCPUs of each guest: 1 unless the environment or the scenario's
# "# lab: guest-vcpus=N" header asks for more.  The emulated machine has
# 2 vCPUs (QEMU -smp 2, dom0_max_vcpus=2), so two 2-vCPU guests and dom0
# overcommit them threefold: Xen's scheduler shares them, which costs
# speed, not function.  Scenarios that need several vCPUs per guest (the
# multi-queue channels) say so in their header.
guest_vcpus=${LAB_GUEST_VCPUS:-}
if [ -z "$guest_vcpus" ] && [ "$mode" = run ]; then
	guest_vcpus=$(sed -n 's/^# lab: guest-vcpus=\([0-9]*\).*/\1/p' \
		      "$HERE/scenarios/$scenario.sh" | head -n1)
fi
: "${guest_vcpus:=1}"
[[ $guest_vcpus =~ ^[1-8]$ ]] || die "guest vCPUs '$guest_vcpus': want 1 to 8"

# Knobs for the scenario itself (BENCH_REPS, IP3_SECS, LAB_WAIT, ...):
# dom0 gets them in /lab/scenario.env, which labrun sources before the
# scenario.  Checked here so that nothing but plain assignments reaches
# dom0's shell.
scenario_env=() words=()
read -r -a words <<< "${LAB_SCENARIO_ENV:-}"
for a in "${words[@]}"; do
	[[ $a =~ ^[A-Za-z_][A-Za-z0-9_]*=[A-Za-z0-9_.,:/+-]*$ ]] ||
		die "LAB_SCENARIO_ENV: '$a' is not NAME=VALUE (letters, digits, _.,:/+-)"
	scenario_env+=("export $a")
done

# dom0's xenloopd comes from the xenloopd package, unpacked into dom0's
# root as apt would install it (binary, example config, unit, manual).
XENLOOPD_DEB=${LAB_XENLOOPD_DEB:-$(ls "$TOP"/build/deb/xenloopd_*_amd64.deb 2>/dev/null |
				   sort -V | tail -n1)}
[ -f "$XENLOOPD_DEB" ] || die "no xenloopd package in build/deb: run make deb"
# A package older than the daemon's sources would test stale code.
stale=$(find "$TOP/discovery" "$TOP/include" -name '*.[ch]' -newer "$XENLOOPD_DEB" | head -n3)
[ -z "$stale" ] || die "$XENLOOPD_DEB is older than $(echo $stale): run make deb"

bins=("${LAB_XLAGENT:-$HERE/xlagent}" "${LAB_XLSTREAM:-$TOP/selftests/tools/xlstream}"
      "$TOP/selftests/tools/xlmsg" "$TOP/selftests/tools/xlperf"
      "$TOP/selftests/tools/xlrogue")
# Network measurement tools, only for scenarios with "# lab: tools=net"
# (or LAB_TOOLS=net): the kernel's own network selftests
# (selftests/Makefile: TCP_ZEROCOPY_RECEIVE, MSG_ZEROCOPY, UDP GSO) and
# mkimages.sh's net-tools (iperf3, nstat).  Every guest would otherwise
# carry some 8 MB more, and 128 MiB guests cannot unpack that.
net_tools=${LAB_TOOLS:-}
if [ -z "$net_tools" ] && [ "$mode" = run ]; then
	net_tools=$(sed -n 's/^# lab: tools=\([a-z]*\).*/\1/p' "$HERE/scenarios/$scenario.sh" | head -n1)
fi
ksft=()
if [ "$net_tools" = net ]; then
	ksft=("$TOP/build/kselftest/tcp_mmap" "$TOP/build/kselftest/msg_zerocopy"
	      "$TOP/build/kselftest/udpgso_bench_tx" "$TOP/build/kselftest/udpgso_bench_rx")
fi
for f in "${modules[@]}" "${bins[@]}" "${ksft[@]}"; do
	[ -f "$f" ] || die "missing $f: run make first"
done

# One lab per machine: two emulated Xen hosts starve each other's vCPUs
# and their PVH guests triple-fault.  A second lab waits for the first.
exec 9>"${LAB_LOCK:-/run/lock/xenloop-lab.lock}"
if ! flock -n 9; then
	echo "# lab: another lab is running on this machine; waiting for it" >&2
	flock 9
fi

mkargs=()
[ -z "$debug_dir" ] || mkargs+=(--debug "$debug_dir")
for k in "${extra_kernels[@]}"; do
	mkargs+=(--kernel "${k#*:}")
done
"$HERE/mkimages.sh" "$IMAGES" "${mkargs[@]}" >/dev/null

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
# Guests: the base tree plus init, tools, the module trees of the other
# kernels the run boots, and each kernel's xenloop.ko where modprobe finds
# it.  Debug runs start from the base that also has the debug kernel's
# modules.  dom0 gets each guest kernel image next to the stock one.
g=$work/guest
if [ -n "$debug_dir" ]; then
	cp -a "$IMAGES/guest-base-debug" "$g"
else
	cp -a "$IMAGES/guest-base" "$g"
fi
for k in "${extra_kernels[@]}"; do
	cp -a "$IMAGES/modules-${k#*:}/lib/modules/${k#*:}" "$g/lib/modules/"
done
install -m 755 "$HERE/guest/init" "$g/init"
mkdir -p "$g/lab/bin"
install -m 755 "${bins[@]}" "$g/lab/bin/"
if [ "$net_tools" = net ]; then
	install -m 755 "${ksft[@]}" "$g/lab/bin/"
	cp -a "$IMAGES/net-tools/." "$g/"
fi
for r in "${!modules[@]}"; do
	mkdir -p "$g/lib/modules/$r/extra"
	install -m 644 "${modules[$r]}" "$g/lib/modules/$r/extra/"
	depmod -b "$g" "$r"
done
o=$work/overlay
mkdir -p "$o/lab/guest" "$o/lab/bin" "$o/etc/xen/scripts"
(cd "$g" && find . -print0 | cpio --null -o -H newc --quiet) > "$o/lab/guest/initrd.cpio"
[ -z "$debug_dir" ] || install -m 644 "$IMAGES/vmlinux-debug" "$o/lab/guest/vmlinux-debug"
for k in "${extra_kernels[@]}"; do
	install -m 644 "$IMAGES/vmlinux-${k#*:}" "$o/lab/guest/vmlinux-${k%%:*}"
done
install -m 755 "$HERE/dom0/init" "$o/init"
install -m 755 "$HERE/dom0/vif-lab" "$o/etc/xen/scripts/vif-lab"
install -m 755 "$HERE/dom0/labrun" "$o/lab/labrun"
install -m 644 "$HERE/dom0/lablib.sh" "$o/lab/lablib.sh"
install -m 755 "${bins[@]}" "$o/lab/bin/"
dpkg-deb -x "$XENLOOPD_DEB" "$o"
# xenloopd's config directory; scenarios write their own policy files.
mkdir -p "$o/etc/xenloop"
install -m 644 "$o/usr/share/doc/xenloopd/examples/xenloopd.conf.example" "$o/etc/xenloop/"
cp -r "$HERE/scenarios" "$o/lab/scenarios"
printf '%s\n' "${scenario_env[@]}" > "$o/lab/scenario.env"
(cd "$o" && find . -print0 | cpio --null -o -H newc --quiet) > "$work/overlay.cpio"
# Linux unpacks concatenated cpio archives in order, later files winning.
cat "$IMAGES/dom0-base.cpio" "$work/overlay.cpio" > "$work/dom0.cpio"
rm -rf "$g" "$o" "$work/overlay.cpio"

xen_args="console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all"
xen_args+=" dom0_mem=1024M,max:1024M dom0_max_vcpus=2 noreboot bootscrub=0"
xen_args+=" ${LAB_XEN_ARGS:-}"
dom0_args="console=hvc0 earlyprintk=xen lab.mode=$mode lab.scenario=$scenario lab.guests=$guests"
# lablib.sh reads these as LAB_GUEST_KERNEL, LAB_GUEST_VCPUS and
# LAB_DEBUG_MEM.
# With ":" between the entries: QEMU splits -initrd at commas.
dom0_args+=" lab.guest_kernel=${guest_kernel//,/:} lab.guest_vcpus=$guest_vcpus"
[ -z "${LAB_DEBUG_MEM:-}" ] || dom0_args+=" lab.debug_mem=$LAB_DEBUG_MEM"
echo "# lab: guest kernels $guest_kernel (stock: $KVER${debug_dir:+, debug: $GKVER}$(
	for k in "${extra_kernels[@]}"; do printf ', %s: %s' "${k%%:*}" "${k#*:}"; done));" \
	"module from $module_from; dom0's xenloopd from $(basename "$XENLOOPD_DEB");" \
	"$guest_vcpus vCPU(s) per guest${LAB_SCENARIO_ENV:+; scenario env: $LAB_SCENARIO_ENV}"
qemu=(qemu-system-x86_64 -machine q35 -accel tcg,thread=${LAB_TCG_THREAD:-multi}
      -cpu "${LAB_CPU:-qemu64,+svm,+npt}" -m "${LAB_MEM:-4096}" -smp 2 -nographic
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
	# dom0 killed in its idle task, where no code of the project runs
	# (seen once: a corrupt FPU state in swapper, then a failed timer
	# hypercall, BUG and "Attempted to kill the idle task").
	if [ "$code" -ne 0 ] &&
	   grep -q "Attempted to kill the idle task" "$run/serial.log" 2>/dev/null &&
	   grep -q "Hardware Dom0 crashed" "$run/serial.log" 2>/dev/null; then
		echo "# lab: platform fault: dom0 crashed in its idle task"
	fi
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
