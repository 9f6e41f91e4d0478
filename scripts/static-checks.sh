#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Static checks, as TAP:
#   - checkpatch.pl --strict (from Debian's linux-source-6.1) on the kernel
#     code, and on the userspace C minus rules that only make sense inside
#     the kernel tree;
#   - sparse over the module (C=2: every file, not just rebuilt ones);
#   - codespell over the whole tree;
#   - the man pages: groff with every warning, and man(1) as lintian runs it.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
TOOLS=$TOP/build/tools
SRC_TAR=/usr/src/linux-source-6.1.tar.xz
KDIR=${KDIR:?KDIR must name a kernel header tree (the Makefile sets it)}

n=0 failed=0
result() { # result OK|FAIL DESC [OUTPUT]
	n=$((n + 1))
	if [ "$1" = OK ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -n "${3:-}" ] && printf '%s\n' "$3" | tail -n 60 | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

echo "TAP version 13"
echo "1..6"

# checkpatch.pl and the data files it reads, unpacked once from the tarball.
if [ ! -f "$TOOLS/scripts/checkpatch.pl" ]; then
	mkdir -p "$TOOLS"
	tar -xJf "$SRC_TAR" -C "$TOOLS" --strip-components=1 \
		linux-source-6.1/scripts/checkpatch.pl \
		linux-source-6.1/scripts/spelling.txt \
		linux-source-6.1/scripts/const_structs.checkpatch 2>&1 ||
		echo "# cannot unpack checkpatch.pl from $SRC_TAR"
fi
# Prints only the findings, one per line ("file:line: TYPE:NAME: text").
checkpatch() {
	perl "$TOOLS/scripts/checkpatch.pl" --no-tree --strict --terse \
		--show-types --quiet "$@" -f | grep -E '^[^ ]+:[0-9]+: [A-Z]+:'
}

mapfile -t kfiles < <(git ls-files -co --exclude-standard \
	'module/*.[ch]' 'include/*.h' | sort)
out=$(checkpatch "${kfiles[@]}" 2>&1)
if [ -z "$out" ]; then
	result OK "checkpatch --strict: kernel code (${#kfiles[@]} files)"
else
	result FAIL "checkpatch --strict: kernel code (${#kfiles[@]} files)" "$out"
fi

# Userspace follows kernel style too, minus advice about in-kernel APIs
# (BIT(), __noreturn, u32, kstrto*) that do not exist there, PRIu64 which
# is not CamelCase, and multi-line help texts.
mapfile -t ufiles < <(git ls-files -co --exclude-standard \
	'discovery/*.[ch]' 'selftests/*.[ch]' | sort)
out=$(checkpatch --ignore CAMELCASE,EMBEDDED_FUNCTION_NAME,PREFER_KERNEL_TYPES,SSCANF_TO_KSTRTO,BIT_MACRO,PREFER_DEFINED_ATTRIBUTE_MACRO,SPLIT_STRING \
	"${ufiles[@]}" 2>&1)
if [ -z "$out" ]; then
	result OK "checkpatch --strict: userspace code (${#ufiles[@]} files)"
else
	result FAIL "checkpatch --strict: userspace code (${#ufiles[@]} files)" "$out"
fi

# sparse: C=2 checks every source file whether or not it is rebuilt.
sp=$TOP/build/sparse
rm -rf "$sp"
mkdir -p "$sp"
cp -r Kbuild module include "$sp/"
# Not silent whatever our caller passed down (make -s): the CHECK lines
# prove that sparse ran.
out=$(MAKEFLAGS= make -C "$KDIR" M="$sp" C=2 modules 2>&1)
rc=$?
warn=$(printf '%s\n' "$out" | grep -E 'warning:|error:')
if [ $rc -eq 0 ] && [ -z "$warn" ] && grep -q CHECK <<<"$out"; then
	result OK "sparse (C=2) on the module against $(basename "$KDIR")"
else
	result FAIL "sparse (C=2) on the module against $(basename "$KDIR")" "$out"
fi

# codespell over everything tracked or about to be.  "ND" (IPv6 neighbour
# discovery) is a term here, not a misspelling.
mapfile -t allfiles < <(git ls-files -co --exclude-standard | grep -v '^selftests/.*corpus/')
out=$(codespell -L nd -- "${allfiles[@]}" 2>&1)
if [ -z "$out" ]; then
	result OK "codespell (${#allfiles[@]} files)"
else
	result FAIL "codespell (${#allfiles[@]} files)" "$out"
fi

# The man pages (module/xenloop.4, discovery/xenloopd.8): any warning
# fails.  groff -ww enables every warning category, which is -wall plus
# the mac, di and reg categories that -wall leaves out (an undefined
# macro, such as a text line starting with a dot, is a "mac" warning).
# groff and man exit 0 on warnings, so what they print is the verdict.
mapfile -t pages < <(git ls-files -co --exclude-standard '*.[1-9]' | sort)
# man_lint DESC CMD...: CMD ./PAGE for every page; anything it prints on
# stderr fails DESC.
man_lint() {
	local desc=$1 f o out=""
	shift
	for f in "${pages[@]}"; do
		o=$("$@" "./$f" 2>&1 >/dev/null)
		[ -n "$o" ] && out+="$f: $o"$'\n'
	done
	if [ ${#pages[@]} -gt 0 ] && [ -z "$out" ]; then
		result OK "$desc"
	else
		result FAIL "$desc" "${out:-no man pages found}"
	fi
}
man_lint "groff -ww -man: man pages without warnings (${pages[*]})" \
	groff -ww -man -Tutf8 -z

# What `man ./module/xenloop.4` shows, rendered the way lintian checks
# packaged pages (its manpage-has-errors-from-man), at 80 columns so that
# lines that cannot be broken are reported too.
man_lint "man --warnings: man pages render without warnings" \
	env LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z

[ $failed -eq 0 ]
