#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packaging checks, as TAP (kselftest style: exit 0 when all pass, 1 on any
# failure, 4 when the checks cannot run here):
#   - `make deb` builds xenloop-dkms and xenloopd, and lintian finds nothing
#     (overrides must carry a comment giving the reason);
#   - debian/changelog, XENLOOP_VERSION and dkms.conf agree;
#   - xenloopd's maintainer scripts enable the unit without starting it,
#     restart a running daemon after an upgrade and stop it on removal (run
#     with stand-ins for systemctl and friends, in a private mount namespace);
#   - `make install DESTDIR=...` installs exactly the expected files and
#     `make uninstall` removes them, with PREFIX reaching the unit;
#   - the xenloop-dkms package, installed for real with dpkg, gets DKMS to
#     build and install the module for every installed amd64 kernel header
#     tree (6.1 and 6.12), with the right vermagic and version; purging it
#     leaves nothing behind.  Skipped when xenloop is already installed or
#     registered with DKMS here: the purge would remove someone's install;
#   - scripts/deb-module.sh builds the lab's module from the package.
# Logs: build/deb/check-*.log.  Needs root for the DKMS install.
set -euo pipefail
# With pipefail, `cmd | grep -q` fails when grep leaves early and cmd dies of
# SIGPIPE: matches are tested on here-strings instead.

TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
ksft_skip=4

for tool in dpkg-buildpackage dh lintian dkms modinfo git; do
	if ! command -v "$tool" > /dev/null; then
		echo "TAP version 13"
		echo "1..0 # SKIP $tool missing (scripts/install-deps.sh)"
		exit $ksft_skip
	fi
done

logdir=$TOP/build/deb
mkdir -p "$logdir"
tmp=$(mktemp -d /tmp/xenloop-check-packaging.XXXXXX)
installed_dkms=
cleanup() {
	# A failure between dpkg -i and the purge must not leave the package
	# installed on this machine.
	if [ -n "$installed_dkms" ]; then
		dpkg --purge xenloop-dkms >> "$logdir/check-dkms-purge.log" 2>&1 || true
		[ -z "${mok_made:-}" ] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

version_h=$(sed -n 's/^#define XENLOOP_VERSION "\(.*\)"$/\1/p' include/xenloop/version.h)
version_dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' dkms.conf)
version_deb=$(dpkg-parsechangelog -l debian/changelog -SVersion)
# The upstream part (no epoch, no Debian revision) is what the module and
# dkms.conf carry; a native package has nothing else.
version=${version_deb#*:}
version=${version%-*}
arch=$(dpkg --print-architecture)
deb_dkms=$logdir/xenloop-dkms_${version_deb#*:}_all.deb
deb_daemon=$logdir/xenloopd_${version_deb#*:}_${arch}.deb

# The amd64 header trees DKMS can build for: /lib/modules/<kver>/build is
# where dkms looks for them.
kvers=()
for d in /usr/src/linux-headers-*-amd64; do
	[ -f "$d/Makefile" ] || continue
	kv=${d#/usr/src/linux-headers-}
	[ -f "/lib/modules/$kv/build/Makefile" ] && kvers+=("$kv")
done
mapfile -t kvers < <(printf '%s\n' "${kvers[@]}" | sed '/^$/d' | sort -V)

n=0 passed=0 failed=0 skipped=0
ok() { n=$((n + 1)); passed=$((passed + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); skipped=$((skipped + 1)); echo "ok $n - $1 # SKIP $2"; }
# check DESC CMD...: one test from a command's exit status.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
diag() { sed 's/^/# /'; }
# timed LOG CMD...: run CMD with its output in LOG, print the seconds taken,
# and the end of LOG when it fails.
timed() {
	local log=$1 t0 rc=0
	shift
	t0=$(date +%s.%N)
	"$@" > "$log" 2>&1 || rc=$?
	printf '# %s: %.1f s\n' "$*" "$(echo "$(date +%s.%N) - $t0" | bc)"
	if [ $rc -ne 0 ]; then
		echo "# exit status $rc; the end of ${log#"$TOP"/}:"
		tail -n 25 "$log" | diag
	fi
	return $rc
}

echo "TAP version 13"
echo "# version $version_deb; kernels: ${kvers[*]:-none}"
echo "1..$((10 + 2 * ${#kvers[@]}))"

# ---- the packages ------------------------------------------------------------
# Same lock as scripts/deb-module.sh: no package replaced while it is read.
built=
if timed "$logdir/check-make-deb.log" flock "$logdir/.lock" make deb &&
   [ -f "$deb_dkms" ] && [ -f "$deb_daemon" ]; then
	built=y
	ok "make deb builds ${deb_dkms##*/} and ${deb_daemon##*/}"
else
	ls "$logdir"/*.deb 2>/dev/null | diag
	not_ok "make deb builds ${deb_dkms##*/} and ${deb_daemon##*/}"
fi

# lintian_clean DEB: no error or warning; informational and pedantic tags
# are printed for whoever wants to fix them.  Every override needs a comment
# saying why.
lintian_clean() {
	local out rc=0 f
	out=$(lintian -EIL +pedantic --color never --show-overrides "$1" 2>&1) || rc=$?
	printf '%s\n' "$out" | grep -v '^running with root privileges' | sed '/^$/d' | diag
	for f in debian/*.lintian-overrides; do
		[ -e "$f" ] || continue
		# A comment covers the overrides up to the next blank line.
		awk '/^#/ { why = 1; next } /^[[:space:]]*$/ { why = 0; next }
			!why { bad = 1; print "# " FILENAME ":" FNR ": override without a comment" }
			END { exit bad }' "$f" || rc=1
	done
	[ $rc -eq 0 ] && ! grep '^[EW]: ' <<< "$out" > /dev/null
}
for deb in "$deb_dkms" "$deb_daemon"; do
	if [ -n "$built" ]; then
		check "lintian: ${deb##*/} has no errors or warnings" lintian_clean "$deb"
	else
		skip "lintian: ${deb##*/}" "not built"
	fi
done

if [ -n "$version_h" ] && [ "$version_h" = "$version_dkms" ] && [ "$version_h" = "$version" ]; then
	ok "one version: debian/changelog, XENLOOP_VERSION and dkms.conf say $version_h"
else
	not_ok "one version: debian/changelog '$version', XENLOOP_VERSION '$version_h', dkms.conf '$version_dkms'"
fi

# ---- xenloopd's maintainer scripts ---------------------------------------------
# Run them with logging stand-ins for systemctl, deb-systemd-helper and
# deb-systemd-invoke, in a mount namespace whose /run has systemd/system (so
# they believe systemd runs), and compare what they asked for.
maint_scripts() {
	local ctl=$tmp/ctl stub=$tmp/stub cmd
	rm -rf "$ctl" "$stub"
	dpkg-deb -e "$deb_daemon" "$ctl"
	mkdir -p "$stub"
	for cmd in systemctl deb-systemd-helper deb-systemd-invoke; do
		printf '#!/bin/sh\necho "%s $*" >> "$STUB_LOG"\n' "$cmd" > "$stub/$cmd"
		chmod +x "$stub/$cmd"
	done
	# run ACTION SCRIPT ARGS...: what SCRIPT ARGS asked of systemd.
	cat > "$tmp/run.sh" <<-'EOF'
	set -e
	mount -t tmpfs tmpfs /run
	mkdir -p /run/systemd/system
	ctl=$1 stub=$2
	shift 2
	for step in "$@"; do
		: > "$STUB_LOG"
		# shellcheck disable=SC2086 # the step is "script args..."
		set -- $step
		[ ! -x "$ctl/$1" ] || PATH=$stub:$PATH "$ctl/$@" > /dev/null
		calls=$(grep -Ev 'daemon-reload|unmask|was-enabled' "$STUB_LOG" |
			tr '\n' ';' | sed 's/;$//')
		echo "$step:${calls:+ $calls}"
	done
	EOF
	STUB_LOG=$tmp/stub.log unshare --mount --propagation private \
		bash "$tmp/run.sh" "$ctl" "$stub" \
		"preinst install" "postinst configure" \
		"preinst upgrade 0.0.1" "prerm upgrade $version_deb" "postinst configure 0.0.1" \
		"prerm remove" "postrm remove" "postrm purge" > "$tmp/maint.out" 2>&1
}
maint_expected="preinst install:
postinst configure: deb-systemd-helper enable xenloopd.service
preinst upgrade 0.0.1:
prerm upgrade $version_deb:
postinst configure 0.0.1: deb-systemd-helper enable xenloopd.service;deb-systemd-invoke try-restart xenloopd.service
prerm remove: deb-systemd-invoke stop xenloopd.service
postrm remove:
postrm purge: deb-systemd-helper purge xenloopd.service"
desc="xenloopd: unit enabled, not started on install; try-restart on upgrade; stopped on removal"
if [ -z "$built" ]; then
	skip "$desc" "not built"
elif ! grep ' \./lib/systemd/system/xenloopd\.service$' <<< "$(dpkg-deb -c "$deb_daemon")" > /dev/null; then
	not_ok "$desc # no lib/systemd/system/xenloopd.service in ${deb_daemon##*/}"
elif [ "$(id -u)" -ne 0 ] || ! unshare --mount true 2> /dev/null; then
	skip "$desc" "needs root and mount namespaces"
elif maint_scripts && [ "$(cat "$tmp/maint.out")" = "$maint_expected" ]; then
	diag < "$tmp/maint.out"
	ok "$desc"
else
	echo "# got:"; diag < "$tmp/maint.out"
	echo "# expected:"; diag <<< "$maint_expected"
	not_ok "$desc"
fi

# ---- make install / make uninstall ---------------------------------------------
# install builds nothing: the module and the daemon come first (`make check`
# has built them already, so this is quick then).
unitdir=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null || echo /lib/systemd/system)
files() { (cd "$1" && find . -type f -o -type l | sed 's|^\./||' | sort); }
desc="make install DESTDIR installs the module, xenloopd, its unit, example config, man pages"
if ! timed "$logdir/check-build.log" make module xenloopd; then
	not_ok "$desc # make module xenloopd failed"
	skip "make uninstall DESTDIR removes every file" "nothing installed"
else
	# make install puts the module in the tree of the kernel it is for.
	kver=$(modinfo -F vermagic module/xenloop.ko | cut -d' ' -f1)
	dest=$tmp/install
	expected=$(printf '%s\n' "lib/modules/$kver/updates/xenloop.ko" \
		"usr/sbin/xenloopd" "${unitdir#/}/xenloopd.service" \
		usr/share/doc/xenloopd/examples/xenloopd.conf.example \
		usr/share/man/man4/xenloop.4 usr/share/man/man8/xenloopd.8 | sort)
	if timed "$logdir/check-install.log" make install DESTDIR="$dest" &&
	   [ "$(files "$dest")" = "$expected" ] &&
	   grep -q '^ExecStart=/usr/sbin/xenloopd ' "$dest$unitdir/xenloopd.service"; then
		ok "$desc"
	else
		echo "# installed:"; files "$dest" | diag
		echo "# expected:"; diag <<< "$expected"
		not_ok "$desc"
	fi
	if timed "$logdir/check-uninstall.log" make uninstall DESTDIR="$dest" &&
	   [ -z "$(files "$dest")" ]; then
		ok "make uninstall DESTDIR removes every file"
	else
		files "$dest" | diag
		not_ok "make uninstall DESTDIR removes every file"
	fi
fi

# PREFIX moves the daemon, and the unit follows it.
dest=$tmp/prefix
desc="make install-xenloopd PREFIX=/usr/local: unit runs /usr/local/sbin/xenloopd"
if [ ! -x discovery/xenloopd ]; then
	skip "$desc" "xenloopd not built"
elif make install-xenloopd DESTDIR="$dest" PREFIX=/usr/local > "$logdir/check-prefix.log" 2>&1 &&
     [ -x "$dest/usr/local/sbin/xenloopd" ] &&
     grep -q '^ExecStart=/usr/local/sbin/xenloopd ' "$dest$unitdir/xenloopd.service" &&
     grep -q '^ExecStartPre=/usr/local/sbin/xenloopd ' "$dest$unitdir/xenloopd.service" &&
     ! grep -q '/usr/sbin/xenloopd' "$dest$unitdir/xenloopd.service" &&
     make uninstall-xenloopd DESTDIR="$dest" PREFIX=/usr/local >> "$logdir/check-prefix.log" 2>&1 &&
     [ -z "$(files "$dest")" ]; then
	ok "$desc"
else
	tail -n 20 "$logdir/check-prefix.log" | diag
	grep -h xenloopd "$dest$unitdir/xenloopd.service" 2>/dev/null | diag
	not_ok "$desc"
fi

# ---- DKMS through the real package ---------------------------------------------
# module_ok KVER FILE: FILE is a module for KVER: the vermagic of the
# kernel's own modules when that kernel is installed (else its release
# first), and the package's version.
module_ok() {
	local kv=$1 ko=$2 want got ref
	got=$(modinfo -F vermagic "$ko")
	ref=$(find "/lib/modules/$kv/kernel" -name '*.ko*' -print -quit 2>/dev/null || true)
	if [ -n "$ref" ]; then
		want=$(modinfo -F vermagic "$ref")
		[ "$got" = "$want" ] || { echo "# vermagic '$got', kernel's '$want'"; return 1; }
	else
		[ "${got%% *}" = "$kv" ] || { echo "# vermagic '$got', not $kv"; return 1; }
	fi
	echo "# $ko: vermagic $got"
	[ "$(modinfo -F version "$ko")" = "$version" ] ||
		{ echo "# version $(modinfo -F version "$ko"), not $version"; return 1; }
}

# Anything xenloop-shaped already here belongs to someone else: the purge
# (and the DKMS remove in the package's prerm) would take it away.
why_skip=
pkg_status=$(dpkg-query -W -f='${db:Status-Status}' xenloop-dkms 2>/dev/null || true)
if [ -z "$built" ]; then
	why_skip="not built"
elif [ "$(id -u)" -ne 0 ]; then
	why_skip="dpkg -i needs root"
elif [ -n "$pkg_status" ] && [ "$pkg_status" != not-installed ]; then
	why_skip="xenloop-dkms is $pkg_status here; not touching it"
elif [ -n "$(dkms status -m xenloop 2>/dev/null)" ] || [ -e /var/lib/dkms/xenloop ] ||
     compgen -G '/usr/src/xenloop-*' > /dev/null ||
     [ -n "$(find /lib/modules/ -name 'xenloop.ko*' -print -quit)" ]; then
	why_skip="a xenloop module is in DKMS, /usr/src or /lib/modules here; not touching it"
fi

if [ -n "$why_skip" ]; then
	skip "dpkg -i xenloop-dkms" "$why_skip"
	for kv in "${kvers[@]}"; do skip "xenloop-dkms: module for $kv" "$why_skip"; done
	skip "dpkg --purge xenloop-dkms leaves nothing" "$why_skip"
else
	# The first module dkms signs here makes it create its signing key
	# pair; a key this check made goes with the package.
	mok_made=
	[ -e /var/lib/dkms/mok.key ] || [ -e /var/lib/dkms/mok.pub ] || mok_made=y
	installed_dkms=y
	# dpkg, not apt: the dependencies are installed already and nothing
	# may come from the network.
	check "dpkg -i xenloop-dkms (its postinst has DKMS build and install)" \
		timed "$logdir/check-dkms-install.log" dpkg -i "$deb_dkms"
	# dkms status runs readelf on each module, which complains on stderr
	# about the section strip removed: that goes to the log.
	dkms_status() {
		dkms status -m xenloop -v "$version" -k "$1" 2>> "$logdir/check-dkms-status.log"
	}
	: > "$logdir/check-dkms-status.log"
	for kv in "${kvers[@]}"; do
		desc="xenloop-dkms: module for $kv installed by DKMS, vermagic and version match"
		# The postinst builds for the running and the newest kernel
		# only; the other kernels get what `dkms autoinstall` does
		# when their headers come.
		if ! grep ': installed' <<< "$(dkms_status "$kv")" > /dev/null; then
			timed "$logdir/check-dkms-$kv.log" \
				dkms install -m xenloop -v "$version" -k "$kv" || true
		fi
		dkms_status "$kv" | diag
		ko=$(ls "/lib/modules/$kv/updates/dkms/"xenloop.ko* 2>/dev/null | head -n1 || true)
		if [ -z "$ko" ]; then
			not_ok "$desc # no /lib/modules/$kv/updates/dkms/xenloop.ko*"
		elif grep ': installed' <<< "$(dkms_status "$kv")" > /dev/null &&
		     module_ok "$kv" "$ko" &&
		     grep -q '^updates/dkms/xenloop\.ko' "/lib/modules/$kv/modules.dep"; then
			ok "$desc"
		else
			not_ok "$desc"
		fi
	done
	timed "$logdir/check-dkms-purge.log" dpkg --purge xenloop-dkms || true
	installed_dkms=
	[ -z "$mok_made" ] || rm -f /var/lib/dkms/mok.key /var/lib/dkms/mok.pub
	left=$( { dkms status -m xenloop 2>&1
		  ls -d /var/lib/dkms/xenloop /usr/src/xenloop-* 2>/dev/null
		  ls /lib/modules/*/updates/dkms/xenloop.ko* 2>/dev/null
		  grep -l 'xenloop\.ko' /lib/modules/*/modules.dep 2>/dev/null
		  dpkg-query -W -f='${db:Status-Status}\n' xenloop-dkms 2>/dev/null |
			grep -v '^not-installed$'; } || true)
	if [ -z "$left" ]; then
		ok "dpkg --purge xenloop-dkms leaves nothing"
	else
		diag <<< "$left"
		not_ok "dpkg --purge xenloop-dkms leaves nothing"
	fi
fi

# ---- the lab's module ------------------------------------------------------------
for kv in "${kvers[@]}"; do
	desc="scripts/deb-module.sh builds the module for $kv from the package"
	out=$tmp/deb-module/$kv
	if [ -z "$built" ]; then
		skip "$desc" "not built"
	elif timed "$logdir/check-deb-module-$kv.log" scripts/deb-module.sh "$kv" "$out" &&
	     module_ok "$kv" "$out/xenloop.ko"; then
		ok "$desc"
	else
		not_ok "$desc"
	fi
done

echo "# Totals: pass:$passed fail:$failed xfail:0 xpass:0 skip:$skipped error:0"
[ $failed -eq 0 ]
