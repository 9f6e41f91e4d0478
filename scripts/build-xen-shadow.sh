#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build Debian's Xen 4.17 hypervisor with shadow paging, for the lab
# scenarios that live-migrate PV guests (header "# lab: xen=shadow").
#
# Debian builds Xen without CONFIG_SHADOW_PAGING, so log-dirty mode, which
# live migration needs, fails for PV guests ("Failed to enable logdirty:
# 95").  HVM and PVH guests use HAP and migrate with the stock hypervisor.
# This script fetches Debian's own xen source package, applies Debian's
# patches (dpkg-source), starts from the installed hypervisor's config
# (/boot/xen-4.17-amd64.config), turns on CONFIG_SHADOW_PAGING and nothing
# else, and builds only the hypervisor.  The toolstack stays Debian's
# binary package.
#
# The source comes from the deb-src twin of the machine's own apt sources
# (no mirror is named here), through a private apt state directory, so the
# system's apt configuration is not touched.  The installed version is
# preferred; when the archive no longer carries its source, the newest
# 4.17 source available is used (the hypervisor's interface to the 4.17
# toolstack does not change within the stable series).
#
# Usage: build-xen-shadow.sh OUTDIR    writes OUTDIR/xen (ELF, for QEMU)
# Exit 0 built (or cached), 4 no source to be had from the archive, 1 error.
# The result is cached in OUTDIR and rebuilt only when its inputs change.
set -euo pipefail

OUT=${1:?usage: build-xen-shadow.sh OUTDIR}
OUT=$(realpath -m "$OUT")	# the build below changes directory
die() { echo "build-xen-shadow: $*" >&2; exit 1; }
# The source cannot be had from this machine's archive: not our failure,
# exit 4 so that a lab run can report a skip.
unavailable() { echo "build-xen-shadow: $*" >&2; exit 4; }

[ -f /boot/xen-4.17-amd64.config ] || die "no /boot/xen-4.17-amd64.config (scripts/install-deps.sh)"
for t in apt-get dpkg-source flex bison python3 gcc make; do
	command -v "$t" >/dev/null || die "$t missing (scripts/install-deps.sh)"
done

installed=$(dpkg-query -W -f='${Version}' xen-hypervisor-4.17-amd64 2>/dev/null) ||
	die "xen-hypervisor-4.17-amd64 is not installed"
key=$( { echo "$installed"; cat /boot/xen-4.17-amd64.config "$0"; } | sha256sum | cut -c1-16)
if [ -f "$OUT/xen" ] && [ "$(cat "$OUT/.key" 2>/dev/null)" = "$key" ]; then
	echo "build-xen-shadow: up to date: $OUT/xen ($(cat "$OUT/.version"))"
	exit 0
fi

rm -rf "$OUT"
mkdir -p "$OUT/apt/lists/partial" "$OUT/apt/archives/partial" "$OUT/apt/sources"
t0=$(date +%s)

# deb-src entries for every deb entry of the machine's sources, both
# formats (one-line sources.list and deb822 .sources).
{
	cat /etc/apt/sources.list 2>/dev/null || true
	cat /etc/apt/sources.list.d/*.list 2>/dev/null || true
} | sed -n 's/^[[:space:]]*deb[[:space:]]\+/deb-src /p' > "$OUT/apt/sources/src.list"
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	awk 'BEGIN { RS = ""; ORS = "\n\n" }
	     /(^|\n)Types:[^\n]*(^|[ \t])deb([ \t]|\n|$)/ {
		sub(/Types:[^\n]*/, "Types: deb-src"); print }' "$f"
done > "$OUT/apt/sources/src.sources"
[ -s "$OUT/apt/sources/src.list" ] || [ -s "$OUT/apt/sources/src.sources" ] ||
	unavailable "no deb entries in the machine's apt sources"

apt_opts=(-o Dir::Etc::SourceList=/dev/null -o "Dir::Etc::SourceParts=$OUT/apt/sources"
	  -o "Dir::State::Lists=$OUT/apt/lists" -o "Dir::Cache::Archives=$OUT/apt/archives"
	  -o APT::Sandbox::User=root -o Acquire::Languages=none)
# An entry whose suite has no sources (a third-party repository) is not
# fatal: apt-get still fetches the others.
apt-get "${apt_opts[@]}" -q update >"$OUT/apt.log" 2>&1 || true

mkdir -p "$OUT/src"
cd "$OUT/src"
versions=$( { apt-cache "${apt_opts[@]}" showsrc xen 2>/dev/null || true; } |
	   sed -n 's/^Version: \(4\.17\..*\)/\1/p' | sort -Vr | uniq)
[ -n "$versions" ] || unavailable "no xen 4.17 source in the deb-src twins of the apt sources (see $OUT/apt.log)"
ver=
for v in "$installed" $versions; do
	grep -qxF "$v" <<<"$versions" || continue
	if apt-get "${apt_opts[@]}" -q source --download-only "xen=$v" >>"$OUT/apt.log" 2>&1; then
		ver=$v
		break
	fi
done
[ -n "$ver" ] || unavailable "could not download any of: $versions (see $OUT/apt.log)"
[ "$ver" = "$installed" ] ||
	echo "build-xen-shadow: source of $installed not available, using $ver"
# dpkg-source applies Debian's patch series.
dpkg-source -x "xen_${ver#*:}.dsc" tree >/dev/null 2>>"$OUT/apt.log" ||
	die "dpkg-source -x failed (see $OUT/apt.log)"
cd tree
cp /boot/xen-4.17-amd64.config xen/.config
sed -i 's/^# CONFIG_SHADOW_PAGING is not set$/CONFIG_SHADOW_PAGING=y/' xen/.config
make -s -C xen olddefconfig XEN_TARGET_ARCH=x86_64 >"$OUT/build.log" 2>&1 ||
	die "olddefconfig failed (see $OUT/build.log)"
grep -qx CONFIG_SHADOW_PAGING=y xen/.config || die "CONFIG_SHADOW_PAGING did not stick"
make -C xen -j"$(nproc)" XEN_TARGET_ARCH=x86_64 >>"$OUT/build.log" 2>&1 ||
	die "hypervisor build failed (see $OUT/build.log)"

install -m 644 xen/xen "$OUT/xen"
cp xen/.config "$OUT/xen.config"
echo "$ver" > "$OUT/.version"
cd "$OUT"
rm -rf "$OUT/src" "$OUT/apt/archives"
echo "$key" > "$OUT/.key"
echo "build-xen-shadow: built $OUT/xen from xen $ver with CONFIG_SHADOW_PAGING=y in $(( $(date +%s) - t0 )) s"
