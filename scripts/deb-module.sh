#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build xenloop.ko for one kernel the way a guest with the xenloop-dkms
# package gets it: from the package's /usr/src/xenloop-<version>, through
# dkms add and dkms build.  The lab boots its guests with this module, so a
# packaging mistake (a source file missing from the package, a wrong
# dkms.conf) fails the lab instead of a user's guest.
#
#   deb-module.sh KVER OUTDIR
#
# Writes OUTDIR/xenloop.ko (uncompressed, for busybox modprobe) and
# OUTDIR/deb-module.log, and prints the module's path.  KVER's headers are
# /lib/modules/KVER/build, where a kernel's headers package puts them and
# DKMS looks (the Makefile's KDIR, exported to every script it runs, names
# one tree for all kernels, so it is not used here).  The package is build/deb/xenloop-dkms_*_all.deb, rebuilt with
# `make deb` when it is missing or its sources differ from this tree.
#
# DKMS runs on private trees in a temporary directory: the system's
# /var/lib/dkms, /usr/src and /lib/modules are left alone, and nothing needs
# the network.
set -euo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)

if [ $# -ne 2 ]; then
	echo "usage: $0 KVER OUTDIR" >&2
	exit 2
fi
kver=$1
outdir=$2
kdir=/lib/modules/$kver/build
if [ ! -f "$kdir/Makefile" ]; then
	echo "deb-module: no kernel headers for $kver in $kdir" >&2
	exit 1
fi
for tool in dkms dpkg-deb modinfo; do
	command -v "$tool" > /dev/null ||
		{ echo "deb-module: $tool missing (scripts/install-deps.sh)" >&2; exit 1; }
done

mkdir -p "$outdir" "$TOP/build/deb"
outdir=$(cd "$outdir" && pwd)
log=$outdir/deb-module.log
: > "$log"
tmp=$(mktemp -d /tmp/xenloop-deb-module.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

# unpack: extract the newest xenloop-dkms package into $tmp/root and set
# $deb and $src (its /usr/src/xenloop-<version>).
unpack() {
	deb=$(ls "$TOP"/build/deb/xenloop-dkms_*_all.deb 2>/dev/null | sort -V | tail -n1)
	[ -n "$deb" ] || return 1
	rm -rf "$tmp/root"
	dpkg-deb -x "$deb" "$tmp/root" || return 1
	src=$(find "$tmp/root/usr/src" -mindepth 1 -maxdepth 1 -name 'xenloop-*' -print -quit)
	[ -n "$src" ]
}

# fresh: every file the package carries in /usr/src is identical to the
# tree's, so the module built is the module of this tree.
fresh() {
	local f rel
	while IFS= read -r f; do
		rel=${f#"$src"/}
		cmp -s "$f" "$TOP/$rel" || { echo "# package is stale: $rel differs" >> "$log"; return 1; }
	done < <(find "$src" -type f)
}

# Two scripts may want the package at once (the lab builds the module for
# two kernels, scripts/check-packaging.sh rebuilds it): the lock keeps a
# `make deb` from replacing the package while another script reads it.
exec 9> "$TOP/build/deb/.lock"
flock 9
if ! { unpack && fresh; }; then
	echo "# make deb" >> "$log"
	if ! make -C "$TOP" deb >> "$log" 2>&1; then
		echo "deb-module: make deb failed (log: $log)" >&2
		tail -n 30 "$log" >&2
		exit 1
	fi
	if ! { unpack && fresh; }; then
		echo "deb-module: ${deb:-no package} does not carry this tree's module sources (log: $log)" >&2
		exit 1
	fi
fi
exec 9>&-

ver=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$src/dkms.conf")
if [ "$src" != "$tmp/root/usr/src/xenloop-$ver" ]; then
	echo "deb-module: $deb: /usr/src/${src##*/} but dkms.conf says version $ver" >&2
	exit 1
fi

# dkms signs what it builds and, with no key configured, creates one in
# /var/lib/dkms: give it a throwaway key here instead (it reads these from
# the environment unless /etc/dkms/framework.conf sets them).  The guest
# kernel trusts neither key, exactly as with a real installation.
export mok_signing_key=$tmp/mok.key mok_certificate=$tmp/mok.pub
trees=(--sourcetree "$tmp/root/usr/src" --dkmstree "$tmp/dkms" --installtree "$tmp/modules")
mkdir -p "$tmp/dkms" "$tmp/modules"

echo "# dkms add/build xenloop $ver for $kver from ${deb#"$TOP"/}" >> "$log"
rc=0
dkms add -m xenloop -v "$ver" "${trees[@]}" >> "$log" 2>&1 &&
	dkms build -m xenloop -v "$ver" -k "$kver" "${trees[@]}" >> "$log" 2>&1 ||
	rc=$?
if [ $rc -ne 0 ]; then
	# dkms keeps the compiler's output in the build directory.
	cat "$tmp/dkms/xenloop/$ver/build/make.log" >> "$log" 2>/dev/null || true
	if [ $rc -eq 77 ]; then
		echo "deb-module: dkms skipped $kver: BUILD_EXCLUSIVE_CONFIG not met (log: $log)" >&2
	else
		echo "deb-module: dkms failed for $kver, exit $rc (log: $log)" >&2
	fi
	tail -n 30 "$log" >&2
	exit 1
fi

# dkms compresses the module like the kernel's own (6.12: xz).
ko=$(find "$tmp/dkms/xenloop/$ver/$kver" -path '*/module/xenloop.ko*' -print -quit)
mkdir "$tmp/out"
case $ko in
*.ko)	cp "$ko" "$tmp/out/xenloop.ko" ;;
*.xz)	xz -dc "$ko" > "$tmp/out/xenloop.ko" ;;
*.zst)	zstd -qdc "$ko" > "$tmp/out/xenloop.ko" ;;
*.gz)	gzip -dc "$ko" > "$tmp/out/xenloop.ko" ;;
*)	echo "deb-module: dkms built no xenloop.ko for $kver (log: $log)" >&2; exit 1 ;;
esac

# A module for another kernel or version would be refused only in the guest.
vermagic=$(modinfo -F vermagic "$tmp/out/xenloop.ko" | cut -d' ' -f1)
modver=$(modinfo -F version "$tmp/out/xenloop.ko")
if [ "$vermagic" != "$kver" ] || [ "$modver" != "$ver" ]; then
	echo "deb-module: built module is $vermagic/$modver, expected $kver/$ver" >&2
	exit 1
fi
# Replaced in one step: a lab reading the old module never sees half a file.
cp "$tmp/out/xenloop.ko" "$outdir/.xenloop.ko.tmp"
mv "$outdir/.xenloop.ko.tmp" "$outdir/xenloop.ko"
echo "$outdir/xenloop.ko"
