#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the Xen lab's boot images from installed Debian packages:
#
#   $OUT/xen              Xen 4.17 hypervisor, uncompressed ELF (QEMU multiboot)
#   $OUT/vmlinux          Debian's 6.1 kernel, uncompressed ELF; dom0 and guests
#   $OUT/dom0-base.cpio   busybox, Xen toolstack, kernel modules, guest kernel
#   $OUT/guest-base/      file tree every guest initramfs starts from
#                         (busybox, kernel modules, the xenstore client,
#                         ip, ethtool, nft, iptables)
#   $OUT/net-tools/       iperf3 and nstat with their libraries, for runs
#                         that ask for them
#   $OUT/guest-base-debug/  the same plus the debug kernel's modules, and
#   $OUT/vmlinux-debug    the debug kernel, when DEBUGDIR (a
#                         scripts/build-debug-kernel.sh cache directory) is
#                         given
#   $OUT/modules-KREL/    lib/modules/KREL of another installed Debian kernel
#   $OUT/vmlinux-KREL     (the 6.12 series), for guests that boot it, for
#                         each --kernel KREL
#
# The project's own artifacts are not part of these images: lab.sh adds them
# per run, so a rebuilt module never needs a rebuilt base image.  Output is
# cached and rebuilt only when an input package or this script changes.
#
#   mkimages.sh OUTDIR [--debug DEBUGDIR] [--kernel KREL]...
#   mkimages.sh --guest-modules   print the guest module list and exit
#                                 (scripts/build-debug-kernel.sh keeps these)
set -euo pipefail

XENBIN=/usr/lib/xen-4.17/bin

dom0_mods="xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-netback
	   bridge 9p 9pnet_virtio virtio_pci virtio_console"
guest_mods="xen-netfront xen-evtchn xen-gntdev xen-gntalloc xenfs
	    nf_conntrack nf_nat iptable_filter iptable_nat ip6table_filter
	    xt_conntrack xt_MASQUERADE nft_chain_nat nf_tables
	    nft_nat xt_nat xt_tcpudp ip6table_nat"
dom0_bins="$XENBIN/xl $XENBIN/xenstored $XENBIN/xenconsoled
	   $XENBIN/xen-init-dom0 $XENBIN/libxl-save-helper /usr/bin/xenstore"

if [ "${1:-}" = --guest-modules ]; then
	echo $guest_mods
	exit 0
fi
KVER=${LAB_KVER:?LAB_KVER must name the lab kernel, e.g. 6.1.0-56-amd64}
usage="usage: mkimages.sh OUTDIR [--debug DEBUGDIR] [--kernel KREL]..."
OUT=${1:?$usage}
shift
DEBUG= KRELS=()
while [ $# -gt 0 ]; do
	case $1 in
	--debug) DEBUG=${2:?$usage} ;;
	--kernel) KRELS+=("${2:?$usage}") ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
	shift 2
done

die() { echo "mkimages: $*" >&2; exit 1; }

[ -f "/boot/vmlinuz-$KVER" ] || die "/boot/vmlinuz-$KVER missing (scripts/install-deps.sh)"
[ -f /boot/xen-4.17-amd64.gz ] || die "Xen hypervisor missing (scripts/install-deps.sh)"

# vmlinux: find the compressed stream inside the bzImage and unpack it, the
# way the kernel's scripts/extract-vmlinux does: xz for Debian's 6.1, zstd
# for its 6.12.  Uncompressed ELF saves about 10 s of TCG decompression per
# dom0 boot and per guest start.
extract_vmlinux() {
	local img=$1 out=$2 off magic unpack
	for magic in '\xfd7zXZ\x00:xz' '\x28\xb5\x2f\xfd:zstd'; do
		unpack=${magic##*:}
		for off in $(LC_ALL=C grep -obUaP "${magic%:*}" "$img" | cut -d: -f1); do
			tail -c +$((off + 1)) "$img" | $unpack -dc > "$out" 2>/dev/null || true
			if [ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
				return 0
			fi
		done
	done
	die "no xz- or zstd-compressed ELF found in $img"
}

# Copy kernel modules with their dependencies into a root and index them:
# copy_modules ROOT MODROOT KREL MODULE...  MODROOT is "" for the system's
# /lib/modules, or a `make modules_install` root (the debug kernel's).
# Debian's 6.12 ships its modules xz-compressed; busybox modprobe passes
# the file to the kernel as it is, so they are stored uncompressed.
copy_modules() {
	local root=$1 modroot=$2 krel=$3 m f cmd _
	shift 3
	for m in "$@"; do
		modprobe -d "${modroot:-/}" -S "$krel" --show-depends "$m" |
		while read -r cmd f _; do
			[ "$cmd" = insmod ] || continue
			f=/lib/modules/${f#*/lib/modules/}
			mkdir -p "$root$(dirname "$f")"
			case $f in
			*.ko.xz)
				[ -e "$root${f%.xz}" ] ||
					xz -dc "$modroot$f" > "$root${f%.xz}" ;;
			*)
				cp -n "$modroot$f" "$root$f" ;;
			esac
		done
	done
	cp "$modroot/lib/modules/$krel"/modules.{order,builtin,builtin.modinfo} \
	   "$root/lib/modules/$krel/"
	depmod -b "$root" "$krel"
}

# A busybox root: directories, applet links, the lab's static files.
make_busybox_root() {
	local root=$1 a
	mkdir -p "$root"/{bin,sbin,etc,proc,sys,dev,tmp,run,root,var/log,lib/modules,usr/bin,usr/sbin}
	cp /bin/busybox "$root/bin/busybox"
	for a in $(/bin/busybox --list); do
		[ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"
	done
	echo 'root:x:0:0:root:/root:/bin/sh' > "$root/etc/passwd"
	echo 'root:x:0:' > "$root/etc/group"
	printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"
}

# Copy dynamically linked programs plus every library ldd reports.
copy_with_libs() {
	local root=$1; shift
	local f lib
	for f in "$@"; do
		mkdir -p "$root$(dirname "$f")"
		cp -L "$f" "$root$f"
		for lib in $(ldd "$f" | awk '/=>/ {print $3} /^\t\/lib/ {print $1}'); do
			mkdir -p "$root$(dirname "$lib")"
			cp -Ln "$lib" "$root$lib"
		done
	done
}

build_images() {
	rm -rf "$OUT"
	mkdir -p "$OUT"
	tmp=$(mktemp -d "$OUT/.tmp.XXXXXX")

	# Xen: QEMU's multiboot loader wants the plain ELF, not the gzip.
	gunzip -c /boot/xen-4.17-amd64.gz > "$OUT/xen"

	extract_vmlinux "/boot/vmlinuz-$KVER" "$OUT/vmlinux"

	# ---- dom0 ---------------------------------------------------------------
	d=$tmp/dom0
	make_busybox_root "$d"
	copy_modules "$d" "" "$KVER" $dom0_mods
	copy_with_libs "$d" $dom0_bins
	# glibc dlopens libgcc_s for pthread_cancel; libxl uses threads.
	cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$d/lib/x86_64-linux-gnu/"
	ldconfig -r "$d"
	ln -s "$XENBIN/xl" "$d/usr/sbin/xl"
	for a in read write exists ls list rm chmod watch; do
		ln -s /usr/bin/xenstore "$d/usr/bin/xenstore-$a"
	done
	mkdir -p "$d"/etc/xen/scripts "$d"/var/lib/xen "$d"/var/lib/xenstored \
		 "$d"/var/log/xen/console "$d"/lab/guest
	cp /etc/xen/xl.conf "$d/etc/xen/xl.conf"
	# Ballooning dom0 under TCG is slow and pointless: its memory is fixed.
	echo 'autoballoon="off"' >> "$d/etc/xen/xl.conf"
	cp "$OUT/vmlinux" "$d/lab/guest/vmlinux"
	(cd "$d" && find . -print0 | cpio --null -o -H newc --quiet) > "$OUT/dom0-base.cpio"

	# ---- guests -------------------------------------------------------------
	g=$tmp/guest
	make_busybox_root "$g"
	copy_modules "$g" "" "$KVER" $guest_mods
	# The xenstore client (over /dev/xen/xenbus) lets scenarios act as a guest
	# that writes whatever it likes into XenStore, rogue values included.
	copy_with_libs "$g" /usr/bin/xenstore
	# Data path tests: counters (iproute2's ip -s, ethtool -S) and firewall
	# rules (nft; legacy iptables, whose extensions are dlopened).
	copy_with_libs "$g" /usr/sbin/ip /usr/sbin/ethtool /usr/sbin/nft \
		/usr/sbin/xtables-legacy-multi
	mkdir -p "$g/usr/lib/x86_64-linux-gnu"
	cp -r /usr/lib/x86_64-linux-gnu/xtables "$g/usr/lib/x86_64-linux-gnu/"
	for a in iptables ip6tables iptables-save ip6tables-save; do
		ln -s xtables-legacy-multi "$g/usr/sbin/$a"
	done
	ldconfig -r "$g"
	for a in read write exists ls list rm chmod watch; do
		ln -s /usr/bin/xenstore "$g/usr/bin/xenstore-$a"
	done
	mv "$g" "$OUT/guest-base"
	# Receive-path measurements, in a root of their own that lab.sh adds
	# only for scenarios with "# lab: tools=net" (with iperf3's libraries
	# they would make every initramfs 5 MB larger, too much for 128 MiB
	# guests): iperf3 (multi-flow, bidirectional TCP with its
	# retransmission counts) and iproute2's nstat.
	copy_with_libs "$tmp/net" /usr/bin/iperf3 /usr/bin/nstat
	mv "$tmp/net" "$OUT/net-tools"

	rm -rf "$tmp"
	echo "$key" > "$OUT/.key"
	echo "mkimages: built images in $OUT"
}

# The debug guest base: guest-base plus the debug kernel's modules (the
# same list), rebuilt when either changes.  The stock modules stay: in a
# debug run PV guests boot the stock kernel from the same initramfs
# (lablib.sh's guest_start), and modprobe picks the tree of the running
# kernel.
build_debug_guest_base() {
	local krel dkey t
	[ -f "$DEBUG/vmlinux" ] && [ -f "$DEBUG/kernelrelease" ] ||
		die "$DEBUG is not a debug kernel (scripts/build-debug-kernel.sh)"
	krel=$(cat "$DEBUG/kernelrelease")
	dkey="$key $(cat "$DEBUG/key")"
	if [ "$(cat "$OUT/guest-base-debug.key" 2>/dev/null)" = "$dkey" ]; then
		echo "mkimages: debug guest base up to date ($krel)"
		return 0
	fi
	rm -rf "$OUT/guest-base-debug" "$OUT/guest-base-debug.key" "$OUT/vmlinux-debug"
	# Without symbols and the relocations kept for KASLR, as the
	# kernel's own bzImage payload: a third smaller, and dom0 holds it in
	# memory.  Reports name functions from the kernel's own kallsyms.
	objcopy -R .comment -S "$DEBUG/vmlinux" "$OUT/vmlinux-debug"
	t=$(mktemp -d "$OUT/.tmp.XXXXXX")
	cp -a "$OUT/guest-base" "$t/guest"
	copy_modules "$t/guest" "$DEBUG/modules" "$krel" $guest_mods
	mv "$t/guest" "$OUT/guest-base-debug"
	rm -rf "$t"
	echo "$dkey" > "$OUT/guest-base-debug.key"
	echo "mkimages: built the debug guest base ($krel)"
}

# Another Debian kernel for guests (KREL, e.g. the 6.12 series): its
# uncompressed image and the guest modules for it, in a root of their own
# that lab.sh adds to a guest initramfs when a run boots guests on it.
build_kernel_modules() {
	local krel=$1 kkey t
	[ -f "/boot/vmlinuz-$krel" ] ||
		die "/boot/vmlinuz-$krel missing (scripts/install-deps.sh)"
	kkey="$key $(dpkg-query -W -f='${Version}' "linux-image-$krel" 2>/dev/null)"
	if [ "$(cat "$OUT/modules-$krel.key" 2>/dev/null)" = "$kkey" ]; then
		echo "mkimages: $krel images up to date"
		return 0
	fi
	rm -rf "$OUT/modules-$krel" "$OUT/modules-$krel.key" "$OUT/vmlinux-$krel"
	t=$(mktemp -d "$OUT/.tmp.XXXXXX")
	extract_vmlinux "/boot/vmlinuz-$krel" "$t/vmlinux"
	mkdir -p "$t/root/lib/modules"
	copy_modules "$t/root" "" "$krel" $guest_mods
	mv "$t/vmlinux" "$OUT/vmlinux-$krel"
	mv "$t/root" "$OUT/modules-$krel"
	rm -rf "$t"
	echo "$kkey" > "$OUT/modules-$krel.key"
	echo "mkimages: built the $krel guest kernel and modules"
}

# Cache key: versions of every package the images come from plus this
# script and the static files it copies.
key=$( { dpkg-query -W -f='${Package} ${Version}\n' \
		xen-hypervisor-4.17-amd64 xen-utils-4.17 busybox-static \
		iproute2 ethtool nftables iptables iperf3 libiperf0 \
		"linux-image-$KVER" "linux-image-$KVER-unsigned" 2>/dev/null
	 echo "$dom0_mods $guest_mods $dom0_bins"
	 cat "$0"; } | sha256sum | cut -c1-16)
if [ -f "$OUT/.key" ] && [ "$(cat "$OUT/.key")" = "$key" ]; then
	echo "mkimages: images up to date in $OUT"
else
	build_images
fi
[ -z "$DEBUG" ] || build_debug_guest_base
for krel in "${KRELS[@]}"; do
	build_kernel_modules "$krel"
done
