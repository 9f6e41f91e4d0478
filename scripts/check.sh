#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make check`: every test section in order, as one TAP stream.
#   1. userspace unit tests (plain and ASan/UBSan builds)
#   2. a short run of the FIFO fuzzers (scripts/fuzz.sh)
#   3. module builds against every installed kernel header tree
#   4. static checks (checkpatch --strict, sparse, codespell, man pages)
#   5. packaging: make deb, lintian, DKMS builds for every 6.1 and 6.12
#      header tree through the installed xenloop-dkms package, make
#      install and uninstall (scripts/check-packaging.sh)
#   6. the Xen lab scenarios (selftests/lab/scenarios/*.sh), after the
#      debug guest kernel and its module when a scenario asks for debug
#      guests ("# lab: guest-kernel=debug", or LAB_GUEST_KERNEL=debug);
#      without such a scenario, the module is built against the debug
#      kernel only when that is cached (or CHECK_DEBUG_KERNEL=1)
# Results are renumbered into one plan; the last line is
# "N passed, N failed" (", N skipped" when any were skipped).
#
# Environment: CHECK_SECTIONS (default "unit fuzz modules static packaging lab"),
# CHECK_FUZZ_SECONDS (default 60: both fuzzers run side by side),
# LAB_SCENARIOS (default: every scenario whose header has no
# "lab: no-check" line).  The Makefile passes KDIR and LAB_KVER.
set -uo pipefail

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
sections=${CHECK_SECTIONS:-unit fuzz modules static packaging lab}
total=0 passed=0 failed=0 skipped=0

# result NOT DESC: count one test and print it renumbered.  NOT is "not "
# for a failure, else empty; a description with a "# SKIP" directive
# counts as skipped.  The one place the totals move.
result() {
	total=$((total + 1))
	if [ -n "$1" ]; then
		failed=$((failed + 1))
		echo "not ok $total - $2"
		return
	fi
	if [[ $2 =~ \#\ *[Ss][Kk][Ii][Pp] ]]; then
		skipped=$((skipped + 1))
	else
		passed=$((passed + 1))
	fi
	echo "ok $total - $2"
}

# section NAME CMD...: run CMD and renumber the TAP results it prints.  A
# command that exits non-zero without reporting a failed test (a crash, a
# missing tool, a lab timeout) adds a failure of its own; exit 4 with
# nothing reported counts as one skip.
section() {
	local name=$1 line rc=0 t0 fails_before=$failed seen=0 prog=
	shift
	t0=$(date +%s)
	echo "# ---- $name: $*"
	while IFS= read -r line; do
		if [[ $line =~ ^__rc=([0-9]+)$ ]]; then
			rc=${BASH_REMATCH[1]}
		elif [[ $line =~ ^(not\ )?ok\ [0-9]+(\ -)?\ ?(.*)$ ]]; then
			seen=$((seen + 1))
			result "${BASH_REMATCH[1]}" "$name: ${BASH_REMATCH[3]}"
		elif [[ $line =~ ^#\ selftests:\ ([^:]*):\ (.*)$ ]]; then
			prog=${BASH_REMATCH[1]}/${BASH_REMATCH[2]}
			echo "$line"
		elif [[ -n $prog && $line =~ ^#\ (not\ )?ok\ [0-9]+(\ -)?\ ?(.*)$ ]]; then
			# A kselftest program's own results, nested as
			# comments: count each, so the totals name every
			# test.  The program's summary line still counts too
			# and catches a crash that printed no "not ok".
			result "${BASH_REMATCH[1]}" "$name: $prog: ${BASH_REMATCH[3]}"
		elif [[ $line == \#* ]]; then
			echo "$line"
		elif [ -n "$line" ]; then
			echo "# $line"
		fi
	done < <("$@" 2>&1; echo "__rc=$?")
	if [ "$rc" = 4 ] && [ $seen -eq 0 ]; then
		result "" "$name # SKIP exit code 4"
	elif [ "$rc" != 0 ] && [ "$rc" != 4 ] && [ $failed -eq $fails_before ]; then
		result "not " "$name: exited with code $rc"
	fi
	echo "# ---- $name: $(( $(date +%s) - t0 )) s, exit $rc"
}

lab_scenarios() {
	local f
	if [ -n "${LAB_SCENARIOS:-}" ]; then
		echo "$LAB_SCENARIOS"
		return
	fi
	# baseline first: when the foundation is broken nothing else matters.
	for f in selftests/lab/scenarios/baseline.sh selftests/lab/scenarios/*.sh; do
		grep -q '^# lab: no-check' "$f" && continue
		basename "$f" .sh
	done | awk '!seen[$0]++'
}

# Whether scenario $1 runs its guests on the debug kernel.
lab_debug() {
	case ${LAB_GUEST_KERNEL:-} in
	debug) return 0 ;;
	stock) return 1 ;;
	esac
	grep -q '^# lab: guest-kernel=debug' "selftests/lab/scenarios/$1.sh"
}

# The debug guest kernel (scripts/build-debug-kernel.sh: 26 minutes on a
# busy 2-core host the first time, under a second once cached) and the
# module against it.  When either fails, the debug scenarios fail: lab.sh finds no debug
# kernel or no module and exits 1 before booting anything.
debug_kernel() {
	local dir rc=0 t0
	t0=$(date +%s)
	dir=$(scripts/build-debug-kernel.sh) || rc=$?
	if [ $rc -ne 0 ]; then
		echo "not ok 1 - debug guest kernel builds"
		return 1
	fi
	echo "ok 1 - debug guest kernel $(cat "$dir/kernelrelease") ($(( $(date +%s) - t0 )) s; $dir)"
	sed 's/^/# /' "$dir/build-time"
	scripts/build-modules.sh debug
}

# Guest count a scenario asks for in a "# lab: guests=N" header line.
lab_guests() {
	sed -n 's/^# lab: guests=\([0-9]*\).*/\1/p' "selftests/lab/scenarios/$1.sh" | head -n1
}

# lab_run GUESTS SCENARIO: run a lab scenario; if it fails and Xen
# reports that a guest triple-faulted, run it again, up to LAB_RETRIES
# (default 3) more times.  Emulated nested SVM (QEMU TCG) kills a PVH guest
# with a triple fault now and then: the fault is reported on VMRUN inside
# Xen's svm_asm_do_resume (Xen dumps its own registers, cs e008), at any
# time, also while a guest boots for the first time before anything of
# ours runs, more often on a loaded host (17 of 76 lab runs on a busy
# 2-core machine, most of them passing anyway), and in bursts: one make
# check on a quiet host lost channel-rogue's PVH guest in three attempts
# in a row, several times per attempt.  Each failed attempt's
# output stays in the log as comments and its run directory is kept; a
# bug of ours that crashes a guest fails every attempt.  A run whose
# machine did not boot (Xen and dom0 within the boot stage's limit, before
# any scenario code: seen once, dom0 stuck right after "sched_clock:
# Marking stable" under the rebuilt Xen) is run again too.  A run is not
# stopped at a triple fault: scenarios with many guests often pass with
# one of them restarted by xl (stopping them at the fault failed
# discovery-scale three times in a row).
lab_run() {
	local out rc serial why try=0
	while :; do
		out=$(selftests/lab/lab.sh run -g "$1" "$2" 2>&1)
		rc=$?
		serial=$(sed -n 's|^#   \(.*/serial\.log\)$|\1|p' <<<"$out" | head -n1)
		if [ $rc -eq 0 ] || [ $try -ge "${LAB_RETRIES:-3}" ] || [ -z "$serial" ]; then
			break
		fi
		if grep -q "^# lab: platform fault:" <<<"$out"; then
			why="a guest triple-faulted in Xen"
		elif grep -qE "^(# )?not ok - lab: stage 'boot' exceeded" <<<"$out"; then
			why="the machine did not boot (Xen and dom0, before the scenario)"
		else
			break
		fi
		try=$((try + 1))
		sed "s/^/# attempt $try: /" <<<"$out"
		echo "# lab: $why ($serial); running $2 again"
		echo "$2" >> "$TOP/build/lab/retried"
	done
	printf '%s\n' "$out"
	return $rc
}

echo "TAP version 13"
t_start=$(date +%s)
mkdir -p build/lab
rm -f build/lab/retried
for s in $sections; do
	case $s in
	unit)
		section unit make -s -C selftests run_tests run_tests_asan ;;
	fuzz)
		section fuzz scripts/fuzz.sh "${CHECK_FUZZ_SECONDS:-60}" ;;
	modules)
		section modules scripts/build-modules.sh ;;
	static)
		section static scripts/static-checks.sh ;;
	packaging)
		section packaging scripts/check-packaging.sh ;;
	lab)
		# The debug kernel is built when a scenario runs on it.  No
		# scenario of make check does at present (Documentation/lab.md,
		# "Debug guests"), and its first build costs about 26 minutes
		# on 2 cores, a third of CI's time limit: then the module is
		# still built against it when a cached build is at hand (make
		# lab-module-debug made one), and CHECK_DEBUG_KERNEL=1 builds
		# it regardless.
		debug=
		for sc in $(lab_scenarios); do
			lab_debug "$sc" && debug=1 && break
		done
		if [ -n "$debug" ] || [ "${CHECK_DEBUG_KERNEL:-}" = 1 ] ||
		   scripts/build-debug-kernel.sh --cached > /dev/null 2>&1; then
			section lab/debug-kernel debug_kernel
		else
			echo "# ---- lab/debug-kernel: not built (no scenario runs on it;" \
			     "make lab-module-debug or CHECK_DEBUG_KERNEL=1 builds it)"
		fi
		for sc in $(lab_scenarios); do
			g=$(lab_guests "$sc")
			section "lab/$sc" lab_run "${g:-2}" "$sc"
		done ;;
	*)
		result "not " "unknown section '$s'" ;;
	esac
done
echo "1..$total"
if [ -s build/lab/retried ]; then
	echo "# lab: re-run after a triple fault or a failed boot: $(tr '\n' ' ' < build/lab/retried)"
fi
echo "# make check: $(( $(date +%s) - t_start )) s"
if [ $skipped -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ $failed -eq 0 ]
