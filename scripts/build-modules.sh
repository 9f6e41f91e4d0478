#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build xenloop.ko against every installed Debian kernel header tree
# (/usr/src/linux-headers-*-amd64, both the 6.1 and the 6.12 series) with
# W=1 and sparse (C=1).  Any compiler or sparse warning fails that kernel.
# Prints TAP; exit 0 only if every build is clean.
#
#   build-modules.sh [KVER...]    default: every installed amd64 header tree
#   build-modules.sh debug        the lab's debug guest kernel, built and
#                                 cached by scripts/build-debug-kernel.sh
#
# Each build happens in its own copy of the sources under
# build/modules/<kver>/ (debug-<release> for the debug kernel) so that
# kernels never share objects.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
if [ $# -gt 0 ]; then
	kvers=("$@")
else
	mapfile -t kvers < <(cd /usr/src && ls -d linux-headers-*-amd64 2>/dev/null |
			     sed 's/^linux-headers-//' | sort -V)
fi
if [ ${#kvers[@]} -eq 0 ]; then
	echo "1..0 # SKIP no linux-headers-*-amd64 installed (scripts/install-deps.sh)"
	exit 4
fi

# The debug kernel's tree lives in its cache, not in /usr/src.
debug_kdir=
if [ "${kvers[*]}" = debug ]; then
	debug_dir=$("$TOP/scripts/build-debug-kernel.sh" --cached) || exit 1
	kvers=("debug-$(cat "$debug_dir/kernelrelease")")
	debug_kdir=$debug_dir/build
fi

series=$(printf '%s\n' "${kvers[@]}" | cut -d. -f1,2 | sort -u | tr '\n' ' ')
echo "TAP version 13"
echo "# kernel header trees: ${kvers[*]} (series: $series)"
n=0 failed=0
if [ $# -eq 0 ]; then
	# Debian 12 offers two series; a release must build on both.
	echo "1..$(( ${#kvers[@]} + 1 ))"
	n=1
	if [[ " $series" == *" 6.1 "* && " $series" == *" 6.12 "* ]]; then
		echo "ok $n - headers of both kernel series (6.1, 6.12) installed"
	else
		echo "not ok $n - headers of both kernel series (6.1, 6.12) installed # have: $series"
		failed=1
	fi
else
	echo "1..${#kvers[@]}"
fi
for kv in "${kvers[@]}"; do
	n=$((n + 1))
	kdir=/usr/src/linux-headers-$kv
	[ -z "$debug_kdir" ] || kdir=$debug_kdir
	out=$TOP/build/modules/$kv
	rm -rf "$out"
	mkdir -p "$out"
	cp -r "$TOP/Kbuild" "$TOP/module" "$TOP/include" "$out/"
	find "$out/module" -name '*.o' -o -name '*.ko' -o -name '*.cmd' | xargs rm -f
	log=$out/build.log
	if [ ! -d "$kdir" ]; then
		echo "not ok $n - module builds against $kv # no $kdir"
		failed=$((failed + 1))
		continue
	fi
	make -C "$kdir" M="$out" W=1 C=1 modules > "$log" 2>&1
	rc=$?
	warnings=$(grep -E 'warning:|error:' "$log")
	if [ $rc -eq 0 ] && [ -z "$warnings" ] && [ -f "$out/module/xenloop.ko" ]; then
		echo "ok $n - module builds warning-free against $kv (W=1, sparse)"
	else
		echo "not ok $n - module builds warning-free against $kv (W=1, sparse)"
		sed 's/^/# /' "$log" | tail -n 40
		failed=$((failed + 1))
	fi
done
[ $failed -eq 0 ]
