#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian 12 package that building, testing, the Xen lab and
# the benchmarks need.  Idempotent: when everything is already installed it
# only checks (no apt-get update, no network), so make targets can call it
# on every run.  Pass --check to only report what is missing (exit 1).
set -euo pipefail

# Packages, grouped by who needs them.  Metapackages are resolved below to
# the concrete packages that prove they are installed.
build_pkgs=(
	build-essential pkg-config kmod bc
	libxen-dev                      # xenloopd: libxenctrl, libxenstore
	linux-headers-amd64             # 6.1 series (Debian 12 default kernel)
	linux-headers-6.12-amd64        # 6.12 series (bookworm's newer kernel)
)
check_pkgs=(
	git perl sparse codespell
	linux-source-6.1                # checkpatch.pl, spelling.txt, the debug guest kernel
	clang-14 libclang-rt-14-dev     # libFuzzer, ASan/UBSan for userspace tests
	cppcheck
)
lab_pkgs=(
	qemu-system-x86
	xen-hypervisor-4.17-amd64 xen-utils-4.17
	linux-image-amd64               # the dom0 and guest kernel (6.1)
	linux-image-6.12-amd64          # the lab's 6.12 guests (Debian 12: bookworm-security)
	busybox-static cpio xz-utils zstd
	iperf3 sockperf
	ethtool iproute2 iptables nftables   # guest image: counters, firewall tests
	flex bison python3              # Xen rebuilt with shadow paging (PV migration)
)
bench_pkgs=(
	gnuplot-nox
)
# The lab's debug guest kernel (scripts/build-debug-kernel.sh), built from
# linux-source-6.1 above; flex, bison and bc are listed above too.
debug_kernel_pkgs=(
	libelf-dev                      # objtool
	libssl-dev                      # certificate and signing host tools
)
# `make deb`, scripts/deb-module.sh and scripts/check-packaging.sh: the
# Debian packages are built with debhelper's dh and its DKMS add-on, checked
# with lintian (which renders the man pages with groff-base), and the module
# is built from them through the real dkms.  dpkg-buildpackage comes from
# dpkg-dev (build-essential); with Rules-Requires-Root: no it needs no
# fakeroot.
packaging_pkgs=(
	debhelper dh-dkms dkms
	lintian groff-base
)
all=("${build_pkgs[@]}" "${check_pkgs[@]}" "${lab_pkgs[@]}" "${bench_pkgs[@]}"
     "${debug_kernel_pkgs[@]}" "${packaging_pkgs[@]}")

missing=()
for p in "${all[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	[ "${1:-}" = --check ] || echo "install-deps: all ${#all[@]} packages present"
	exit 0
fi
if [ "${1:-}" = --check ]; then
	echo "install-deps: missing: ${missing[*]}"
	exit 1
fi

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: need root to install: ${missing[*]}" >&2
	exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
echo "install-deps: done"
