#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install every Debian 12 package that building, testing, the Xen lab and
# the benchmarks need.  Idempotent: when everything is already installed it
# only checks (no apt-get update, no network).
#
#   install-deps.sh [--check] [GROUP...]
#
# GROUPs (build, check, lab, bench, debug-kernel, packaging; default all)
# narrow it to what one job needs.  --check installs nothing: it names the
# missing packages and exits 1.  The make targets that only build or check
# the tree use --check; `make deps` and the targets that run the lab
# install.
set -euo pipefail

check_only=
if [ "${1:-}" = --check ]; then
	check_only=y
	shift
fi

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
[ $# -gt 0 ] || set -- build check lab bench debug-kernel packaging
all=()
for g in "$@"; do
	case $g in
	build) all+=("${build_pkgs[@]}") ;;
	check) all+=("${check_pkgs[@]}") ;;
	lab) all+=("${lab_pkgs[@]}") ;;
	bench) all+=("${bench_pkgs[@]}") ;;
	debug-kernel) all+=("${debug_kernel_pkgs[@]}") ;;
	packaging) all+=("${packaging_pkgs[@]}") ;;
	*)
		echo "install-deps: unknown group '$g' (build, check, lab, bench, debug-kernel, packaging)" >&2
		exit 2
		;;
	esac
done

missing=()
for p in "${all[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
	[ -n "$check_only" ] || echo "install-deps: all ${#all[@]} packages present"
	exit 0
fi
if [ -n "$check_only" ]; then
	echo "install-deps: missing for $*: ${missing[*]}" >&2
	echo "install-deps: install them with 'make deps' (as root)" >&2
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
