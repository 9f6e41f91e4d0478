#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the lab's debug guest kernel: Debian's linux-source-6.1 with the
# installed Debian kernel's config, trimmed to what the lab's guests load
# and with the kernel's own bug detectors on (KASAN, UBSAN, lockdep with
# PROVE_LOCKING/PROVE_RCU, DEBUG_ATOMIC_SLEEP, DEBUG_OBJECTS).  Guests that
# run it turn xenloop's memory, locking and context bugs into dmesg reports
# that fail a lab scenario (selftests/lab/dom0/lablib.sh).
#
# Trimming: `make localmodconfig` with LSMOD pointing at a generated
# lsmod-format list of exactly the modules a lab guest image carries (the
# guest module list of selftests/lab/mkimages.sh with every dependency, as
# modprobe resolves them for the stock kernel).  Every other module is
# dropped: a lab guest could not load it anyway, its image has no other.
# Of Debian's built-in code, the subsystems a diskless Xen PV/PVH guest
# running busybox never reaches go too (LSMs, audit, IMA/EVM, tracing,
# kprobes, BPF, EFI, kexec, hibernation, IOMMUs, SGX, I2C/SPI/GPIO and
# other platform drivers, framebuffers): each is code to compile twice
# over with KASAN and UBSAN.  Everything else stays, so the guests keep
# XEN_PV, XEN_PVH, XEN_SAVE_RESTORE, netfilter's core and all the rest the
# stock guests have; the options the lab needs are checked below.  Debug
# info (DWARF and BTF) and module signing are off: they cost build time
# and disk, and the trusted and revocation key files Debian's config names
# exist only in Debian's packaging tree.
#
# The result is cached outside the clone, in $DEBUG_KERNEL_CACHE (default
# /var/cache/xenloop-lab/debug-kernel), under a key made of the source
# package's version, the base config, the module list, the compiler and
# this script.  A directory <key>/ holds:
#   vmlinux          the kernel, uncompressed ELF (xl boots PV and PVH
#                    guests from it directly)
#   kernelrelease    e.g. 6.1.192-xldebug
#   modules/         `make modules_install` root: lib/modules/<release>/
#   build/           the configured tree without objects, for
#                    `make -C build M=<dir> modules` (out-of-tree xenloop)
#   config, build.log, build-time
# It is built in a temporary directory next to it and renamed into place
# only when complete, so an interrupted build never leaves half a cache.
# Older keys are removed after a successful build.
#
# Usage: build-debug-kernel.sh [--cached]
#   Prints the cache directory on stdout (progress goes to stderr).
#   --cached: do not build; fail unless the current key is already built.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${DEBUG_KERNEL_CACHE:-/var/cache/xenloop-lab/debug-kernel}
TARBALL=/usr/src/linux-source-6.1.tar.xz
# The release suffix keeps the debug modules apart from the stock ones
# (/lib/modules/<release>) and shows in every guest's uname -r.
LOCALVERSION=-xldebug

say() { echo "build-debug-kernel: $*" >&2; }
die() { say "$*"; exit 1; }

cached_only=
[ "${1:-}" = --cached ] && cached_only=1

# The stock lab kernel (the Makefile's LAB_KVER): its config is the base
# and its module dependencies define the trimmed module set.
KVER=${LAB_KVER:-$(ls /boot/vmlinuz-6.1.* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n1)}
[ -n "$KVER" ] || die "no /boot/vmlinuz-6.1.* (scripts/install-deps.sh)"
base_config=/boot/config-$KVER
[ -f "$base_config" ] || die "no $base_config (scripts/install-deps.sh)"
[ -f "$TARBALL" ] || die "no $TARBALL (scripts/install-deps.sh installs linux-source-6.1)"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	die "linux-source-6.1 is not installed"

# lsmod format: a header line, then "name size used-by" per module, names
# with underscores as the kernel reports them.  Dependencies are listed
# too: localmodconfig keeps what is listed, it does not resolve them.
lsmod_list() {
	local m cmd f _
	echo "Module                  Size  Used by"
	for m in $("$TOP/selftests/lab/mkimages.sh" --guest-modules); do
		modprobe -S "$KVER" --show-depends "$m" |
		while read -r cmd f _; do
			[ "$cmd" = insmod ] || continue
			f=${f##*/}
			f=${f%%.ko*}
			echo "${f//-/_}"
		done
	done | sort -u | awk '{ printf "%-23s 16384  0\n", $1 }'
}
lsmod=$(lsmod_list)
[ "$(wc -l <<<"$lsmod")" -gt 5 ] || die "could not resolve the guest module list for $KVER"

key=$( { echo "linux-source-6.1 $srcver"; cat "$base_config"; echo "$lsmod"
	 gcc --version | head -n1; cat "$0"; } | sha256sum | cut -c1-16)
dir=$CACHE/$key
if [ -f "$dir/vmlinux" ]; then
	say "up to date: $dir ($(cat "$dir/kernelrelease"))"
	echo "$dir"
	exit 0
fi
[ -z "$cached_only" ] ||
	die "the debug kernel ($key) is not built: run scripts/build-debug-kernel.sh (make lab-module-debug)"

for t in make gcc flex bison bc perl xz depmod; do
	command -v "$t" >/dev/null || die "$t missing (scripts/install-deps.sh)"
done
[ -f /usr/include/libelf.h ] || die "libelf-dev missing (scripts/install-deps.sh): objtool needs it"
[ -f /usr/include/openssl/ssl.h ] || die "libssl-dev missing (scripts/install-deps.sh)"

mkdir -p "$CACHE"
# One build per key at a time; a second caller waits and finds the cache.
exec 8>"$CACHE/.lock"
if ! flock -n 8; then
	say "another build is running; waiting for it"
	flock 8
fi
if [ -f "$dir/vmlinux" ]; then
	echo "$dir"
	exit 0
fi

# Interrupted builds leave their temporary trees; none runs (the lock).
rm -rf "$CACHE"/.tmp-*
tmp=$CACHE/.tmp-$key
mkdir -p "$tmp"
log=$tmp/build.log
t0=$(date +%s)
say "building $key from linux-source-6.1 $srcver with $base_config; log: $log"

tar -C "$tmp" -xf "$TARBALL"
mv "$tmp/linux-source-6.1" "$tmp/build"
src=$tmp/build
cd "$src"
echo "$lsmod" > "$tmp/lsmod"
cp "$base_config" .config

# KASAN and the Xen PVH entry: xen_prepare_pvh() and xen_pvh_init() run
# before kasan_early_init() has mapped the early shadow, so any
# instrumented access there faults with no IDT yet and the guest
# triple-faults at its first instruction of C.  The native entry's early
# C files are uninstrumented for the same reason (arch/x86/kernel/Makefile).
echo 'KASAN_SANITIZE_enlighten.o := n' >> arch/x86/platform/pvh/Makefile
echo 'KASAN_SANITIZE_enlighten_pvh.o := n' >> arch/x86/xen/Makefile

# localmodconfig asks about options Debian's config leaves unset (the
# module signing key's name): `yes ''` takes every default.  Fed through a
# process substitution: yes's SIGPIPE must not fail a pipeline.
make LSMOD="$tmp/lsmod" localmodconfig < <(yes '') >>"$log" 2>&1 ||
	die "localmodconfig failed (see $log)"

cfg() { scripts/config --file .config "$@"; }
cfg --set-str LOCALVERSION "$LOCALVERSION" --disable LOCALVERSION_AUTO
# No debug info: DWARF triples the build time and the tree's size, and BTF
# needs pahole over it.  Reports still name functions (kallsyms).
cfg --disable DEBUG_INFO --disable DEBUG_INFO_DWARF_TOOLCHAIN_DEFAULT \
    --disable DEBUG_INFO_DWARF4 --disable DEBUG_INFO_DWARF5 \
    --enable DEBUG_INFO_NONE --disable DEBUG_INFO_BTF --disable DEBUG_INFO_BTF_MODULES
# Debian's key files live in its packaging tree, not in linux-source.
# The lockdown LSM selects MODULE_SIG; guests in the lab lock nothing down.
cfg --disable SECURITY_LOCKDOWN_LSM --disable SECURITY_LOCKDOWN_LSM_EARLY \
    --disable MODULE_SIG --disable MODULE_SIG_ALL \
    --set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
    --disable SYSTEM_REVOCATION_LIST --disable IMA_APPRAISE_MODSIG \
    --disable MODULE_SIG_FORCE
# Built-in subsystems no lab guest uses (see the top of this file).
cfg --disable SECURITY_SELINUX --disable SECURITY_APPARMOR --disable SECURITY_TOMOYO \
    --disable SECURITY_LANDLOCK --disable IMA --disable EVM --disable AUDIT \
    --disable FTRACE --disable KPROBES --disable BPF_SYSCALL \
    --disable X86_SGX --disable EFI --disable HIBERNATION --disable KEXEC \
    --disable KEXEC_FILE --disable CRASH_DUMP --disable AMD_IOMMU --disable INTEL_IOMMU \
    --disable I2C --disable SPI --disable PINCTRL --disable HWMON --disable WATCHDOG \
    --disable CPU_FREQ --disable FB --disable MD --disable WIRELESS --disable WLAN
# The detectors.  Generic KASAN, inline checks: several times faster at
# run time than outline calls, which matters under TCG.  No KASAN_VMALLOC:
# the grant mappings live in vmalloc space and Xen PV maps it by itself.
cfg --enable DEBUG_KERNEL \
    --enable KASAN --enable KASAN_GENERIC --enable KASAN_INLINE --disable KASAN_OUTLINE \
    --enable STACKTRACE \
    --enable UBSAN --enable UBSAN_BOUNDS --enable UBSAN_SHIFT --enable UBSAN_BOOL \
    --enable UBSAN_ENUM --enable UBSAN_SANITIZE_ALL --disable UBSAN_TRAP \
    --disable UBSAN_ALIGNMENT \
    --enable PROVE_LOCKING --enable LOCKDEP --enable DEBUG_LOCK_ALLOC \
    --enable PROVE_RCU --enable DEBUG_SPINLOCK --enable DEBUG_MUTEXES \
    --enable DEBUG_RWSEMS --enable DEBUG_ATOMIC_SLEEP \
    --enable DEBUG_OBJECTS --enable DEBUG_OBJECTS_FREE --enable DEBUG_OBJECTS_TIMERS \
    --enable DEBUG_OBJECTS_WORK --enable DEBUG_OBJECTS_RCU_HEAD \
    --enable DEBUG_OBJECTS_PERCPU_COUNTER --set-val DEBUG_OBJECTS_ENABLE_DEFAULT 1
make olddefconfig >>"$log" 2>&1 || die "olddefconfig failed (see $log)"

# olddefconfig silently drops what it cannot satisfy: check every option
# the lab relies on, detectors and guest support alike.
want_y="KASAN KASAN_GENERIC KASAN_INLINE UBSAN UBSAN_BOUNDS UBSAN_SANITIZE_ALL
	PROVE_LOCKING LOCKDEP DEBUG_LOCK_ALLOC PROVE_RCU DEBUG_ATOMIC_SLEEP
	DEBUG_OBJECTS DEBUG_OBJECTS_TIMERS DEBUG_OBJECTS_WORK DEBUG_OBJECTS_RCU_HEAD
	DEBUG_OBJECTS_FREE STACKTRACE KALLSYMS
	XEN XEN_PV XEN_PVH XEN_PVHVM XEN_SAVE_RESTORE XEN_PV_SMP HVC_XEN XEN_BALLOON
	NET INET IPV6 PACKET UNIX NETFILTER NET_NS BLK_DEV_INITRD DEVTMPFS TMPFS
	DEBUG_FS PROC_FS SYSFS MODULES MODULE_UNLOAD DEBUG_INFO_NONE"
want_m="XEN_NETDEV_FRONTEND XEN_DEV_EVTCHN XEN_GNTDEV XEN_GRANT_DEV_ALLOC XENFS
	NF_CONNTRACK NF_NAT NF_TABLES NFT_NAT IP_NF_IPTABLES IP_NF_FILTER IP_NF_NAT
	IP6_NF_FILTER IP6_NF_NAT NETFILTER_XT_MATCH_CONNTRACK NETFILTER_XT_TARGET_MASQUERADE"
want_n="DEBUG_INFO DEBUG_INFO_BTF MODULE_SIG KASAN_VMALLOC"
bad=
for o in $want_y; do grep -qx "CONFIG_$o=y" .config || bad="$bad $o(want y)"; done
for o in $want_m; do grep -qxE "CONFIG_$o=[ym]" .config || bad="$bad $o(want m)"; done
for o in $want_n; do grep -qE "^CONFIG_$o=" .config && bad="$bad $o(want off)"; done
grep -qx 'CONFIG_SYSTEM_TRUSTED_KEYS=""' .config || bad="$bad SYSTEM_TRUSTED_KEYS(want empty)"
[ -z "$bad" ] || die "the final .config lacks:$bad (see $src/.config)"
cp .config "$tmp/config"
say "config checked: $(grep -c '=m$' .config) modules, KASAN, UBSAN, lockdep, DEBUG_OBJECTS"

# vmlinux and modules only: no bzImage (xl boots the ELF).
say "compiling with -j$(nproc)"
{ time make -j"$(nproc)" vmlinux modules; } >>"$log" 2>"$tmp/time.err" ||
	{ tail -n 30 "$tmp/time.err" >&2; die "kernel build failed (see $log, $tmp/time.err)"; }
grep -E '^(real|user|sys)' "$tmp/time.err" > "$tmp/build-time"
krel=$(make -s kernelrelease)
echo "$krel" > "$tmp/kernelrelease"
make INSTALL_MOD_PATH="$tmp/modules" INSTALL_MOD_STRIP=1 modules_install >>"$log" 2>&1 ||
	die "modules_install failed (see $log)"
# Its build and source links point at this temporary tree.
rm -f "$tmp/modules/lib/modules/$krel/build" "$tmp/modules/lib/modules/$krel/source"
depmod -b "$tmp/modules" "$krel"
mv vmlinux "$tmp/vmlinux"

# A tree for external modules, like Debian's linux-headers: configuration,
# generated headers, host tools, Module.symvers and the sources' headers
# and Makefiles; objects and command files go.
find . \( -name '*.o' -o -name '*.a' -o -name '*.ko' -o -name '.*.cmd' \
	  -o -name '*.mod' -o -name '*.mod.c' -o -name '*.o.d' \) -type f -delete
rm -rf vmlinux.o .tmp_vmlinux*

cd "$CACHE"
echo "$key" > "$tmp/key"
mv "$tmp" "$dir"

# Prove the tree, where it now lives, builds an external module; a tree
# that cannot is no cache.
check=$(mktemp -d)
cat > "$check/probe.c" <<'C'
// SPDX-License-Identifier: GPL-2.0
#include <linux/module.h>
#include <xen/xenbus.h>
static int __init probe_init(void) { return 0; }
module_init(probe_init);
MODULE_LICENSE("GPL");
C
echo 'obj-m := probe.o' > "$check/Kbuild"
if ! make -C "$dir/build" M="$check" modules >>"$dir/build.log" 2>&1 ||
   [ ! -f "$check/probe.ko" ]; then
	mv "$dir" "$CACHE/.tmp-$key"
	die "the cleaned tree does not build an external module (see $CACHE/.tmp-$key/build.log)"
fi
rm -rf "$check"
# One debug kernel at a time: older keys only take disk space.
for old in "$CACHE"/*/; do
	old=${old%/}
	[ "$old" = "$dir" ] || rm -rf "$old"
done
say "built $krel in $(( $(date +%s) - t0 )) s ($(tr '\n' ' ' < "$dir/build-time")): $dir"
echo "$dir"
