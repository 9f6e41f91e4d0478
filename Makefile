# SPDX-License-Identifier: GPL-2.0
#
# xenloop top-level Makefile.  `make help` lists the targets.
#
# KDIR: kernel header tree for `make` / `make module`.  Defaults to the
# running kernel's build tree if it exists, else the newest installed
# /usr/src/linux-headers-*-amd64.  Variables are evaluated lazily so that
# they see packages scripts/install-deps.sh has just installed.
KDIR ?= $(shell d=/lib/modules/$$(uname -r)/build; if [ -d $$d ]; then echo $$d; \
	else ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n1; fi)
# The lab runs Debian 12's default kernel (6.1) for dom0 and guests.
LAB_KVER ?= $(shell ls /boot/vmlinuz-6.1.* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n1)
SCENARIO ?= baseline
GUESTS ?= 2
# The lab guests' kernel: stock (Debian's) or debug (KASAN, UBSAN, lockdep,
# DEBUG_OBJECTS: scripts/build-debug-kernel.sh).  A scenario with the header
# line "# lab: guest-kernel=debug" asks for debug itself.
LAB_GUEST_KERNEL ?=
lab_needs_debug = $(if $(LAB_GUEST_KERNEL),$(filter debug,$(LAB_GUEST_KERNEL)),$(shell \
	grep -qs '^\# lab: guest-kernel=debug' selftests/lab/scenarios/$(1).sh && echo y))

export KDIR LAB_KVER LAB_GUEST_KERNEL

all: module xenloopd selftests

help:
	@echo "make              module/xenloop.ko, discovery/xenloopd, test programs"
	@echo "make module       module/xenloop.ko against KDIR=$(KDIR)"
	@echo "make modules-all  the module against every installed kernel, W=1 + sparse"
	@echo "make check        unit tests, module builds, static checks, lab scenarios"
	@echo "make fuzz         fuzz the FIFO for FUZZ_SECONDS=$(FUZZ_SECONDS) s"
	@echo "make bench        FIFO benchmark and the lab benchmark (bench-fifo,"
	@echo "                  bench-lab): build/bench/{fifo,lab}.csv and plots"
	@echo "make static       checkpatch --strict, sparse, codespell"
	@echo "make lab          one lab scenario: SCENARIO=$(SCENARIO) GUESTS=$(GUESTS)"
	@echo "                  (LAB_GUEST_KERNEL=debug: guests on the debug kernel)"
	@echo "make lab-module-debug  the debug guest kernel (cached) and the module for it"
	@echo "make lab-shell    boot the lab and get a dom0 shell"
	@echo "make demo         the lab with two guests and their traffic"
	@echo "make deps         install every Debian package needed"
	@echo "make install      install the module (KVER=$(KVER)), xenloopd, its unit,"
	@echo "                  example config and man pages (DESTDIR, PREFIX=$(PREFIX))"
	@echo "make uninstall    remove what make install installed"
	@echo "make deb          Debian packages xenloop-dkms and xenloopd in build/deb/"

# Packages.  `make deps` installs every package the targets need.  The
# targets that run the lab, the tests or the benchmarks (INSTALL_GOALS)
# install them too, so that `make check` and `make demo` work on a fresh
# machine.  Every other target only builds or checks the tree: it looks
# for the packages of its groups (scripts/install-deps.sh) and names the
# missing ones, but never installs.
INSTALL_GOALS := deps check demo lab lab-shell bench bench-lab
installing := $(filter $(INSTALL_GOALS),$(MAKECMDGOALS))
need_pkgs = @scripts/install-deps.sh $(if $(installing),,--check $(1))

deps:
	@scripts/install-deps.sh

module:
	$(call need_pkgs,build)
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules-all:
	$(call need_pkgs,build check)
	scripts/build-modules.sh

xenloopd:
	$(call need_pkgs,build)
	$(MAKE) -C discovery

# The test programs include the kernel's own network selftests, built from
# linux-source-6.1's tarball, and sanitizer builds with clang (check group).
selftests:
	$(call need_pkgs,build check)
	$(MAKE) -C selftests all

static:
	$(call need_pkgs,build check)
	scripts/static-checks.sh

# The lab needs the module built for exactly the lab kernels: dom0's (6.1),
# which guests boot by default, and the newest 6.12 image, which scenarios
# boot guests on with "# lab: guest-kernel=6.12".
LAB_KVER_612 ?= $(shell ls /boot/vmlinuz-6.12.* 2>/dev/null | sed 's|.*/vmlinuz-||' | sort -V | tail -n1)
lab-module:
	$(call need_pkgs,build lab)
	@mkdir -p build
	@scripts/build-modules.sh $(LAB_KVER) $(LAB_KVER_612) > build/lab-module.log 2>&1 || \
		{ cat build/lab-module.log; exit 1; }

# The debug guest kernel (built once, cached in /var/cache/xenloop-lab)
# and the module built against it: build/modules/debug-<release>/.
lab-module-debug:
	$(call need_pkgs,build check debug-kernel)
	@mkdir -p build
	@scripts/build-debug-kernel.sh > /dev/null
	@scripts/build-modules.sh debug > build/lab-module-debug.log 2>&1 || \
		{ cat build/lab-module-debug.log; exit 1; }

# dom0 runs xenloopd from the package (make deb), so every lab run needs it.
lab: lab-module $(if $(call lab_needs_debug,$(SCENARIO)),lab-module-debug) xenloopd selftests deb
	selftests/lab/lab.sh run -g $(GUESTS) $(SCENARIO)

lab-shell: lab-module $(if $(filter debug,$(LAB_GUEST_KERNEL)),lab-module-debug) xenloopd selftests deb
	selftests/lab/lab.sh shell -g $(GUESTS)

demo: lab-module $(if $(call lab_needs_debug,demo),lab-module-debug) xenloopd selftests deb
	selftests/lab/lab.sh run -g 2 demo

check: all lab-module deb
	scripts/check.sh

# The FIFO fuzzers, side by side, FUZZ_SECONDS each (scripts/fuzz.sh).
FUZZ_SECONDS ?= 300

fuzz:
	$(call need_pkgs,build check)
	scripts/fuzz.sh $(FUZZ_SECONDS)

# The FIFO benchmark (selftests/bench): CSVs and plots in build/bench/.
# The lab benchmark (scenario bench: lo, netfront and xenloop in one run):
# build/bench/lab.csv, lab-*.png and the ratios against the targets.
# One after the other: the FIFO benchmark runs SCHED_FIFO on the host.
bench: deps
	$(MAKE) bench-fifo
	$(MAKE) bench-lab

bench-fifo:
	$(call need_pkgs,build bench)
	$(MAKE) -C selftests/bench run

bench-lab: lab-module xenloopd selftests deb
	scripts/lab-bench.sh

.PHONY: fuzz bench bench-fifo bench-lab

# ---- installation ---------------------------------------------------------
# `make module xenloopd` first (as a user), then `make install` (as root).
# install builds nothing, so it never needs the network or install-deps.
# DESTDIR stages into a tree (packages, images); PREFIX is where xenloopd,
# its man pages and docs go.  The module goes to the kernel KDIR belongs to
# (KVER), under updates/ so that it wins over any in-tree module of that name.
DESTDIR ?=
PREFIX ?= /usr
KVER ?= $(shell cat $(KDIR)/include/config/kernel.release 2>/dev/null)
SYSTEMDSYSTEMUNITDIR ?= $(shell pkg-config --variable=systemdsystemunitdir \
	systemd 2>/dev/null || echo /lib/systemd/system)
DEPMOD ?= depmod
INSTALL ?= install
sbindir = $(PREFIX)/sbin
mandir = $(PREFIX)/share/man
docdir = $(PREFIX)/share/doc/xenloopd
moddir = /lib/modules/$(KVER)/updates

# depmod indexes the running system's tree.  In a staging DESTDIR there is
# no complete tree to index (depmod -b would write a modules.dep listing only
# xenloop, which must not land on a real system): whoever installs the staged
# files runs depmod, as a package's postinst or an image build does.
define run_depmod
	@if [ -z "$(DESTDIR)" ]; then echo "$(DEPMOD) -a $(KVER)"; \
		$(DEPMOD) -a $(KVER); \
	else echo "DESTDIR set: not running depmod for $(KVER)"; fi
endef

install: install-module install-xenloopd

# The module and its man page.  Refuses a module built for another kernel
# than KVER, which modprobe would reject only at load time.
install-module:
	@[ -n "$(KVER)" ] || { echo "no kernel release: set KDIR or KVER" >&2; exit 1; }
	@[ -f module/xenloop.ko ] || { echo "module/xenloop.ko missing: run make module" >&2; exit 1; }
	@v=$$(modinfo -F vermagic module/xenloop.ko | cut -d' ' -f1); [ "$$v" = "$(KVER)" ] || \
		{ echo "module/xenloop.ko is built for $$v, not KVER=$(KVER)" >&2; exit 1; }
	$(INSTALL) -D -m 644 module/xenloop.ko $(DESTDIR)$(moddir)/xenloop.ko
	$(INSTALL) -D -m 644 module/xenloop.4 $(DESTDIR)$(mandir)/man4/xenloop.4
	$(run_depmod)

# The dom0 daemon, its systemd unit (ExecStart follows PREFIX), the example
# policy (the daemon runs without /etc/xenloop/xenloopd.conf, so make
# install creates nothing in /etc) and its man page.  debian/rules uses
# this target for the xenloopd package.
install-xenloopd:
	@[ -f discovery/xenloopd ] || { echo "discovery/xenloopd missing: run make xenloopd" >&2; exit 1; }
	$(INSTALL) -D -m 755 discovery/xenloopd $(DESTDIR)$(sbindir)/xenloopd
	$(INSTALL) -d $(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)
	sed 's|/usr/sbin/xenloopd|$(sbindir)/xenloopd|g' discovery/xenloopd.service \
		> $(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/xenloopd.service
	chmod 644 $(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/xenloopd.service
	$(INSTALL) -D -m 644 discovery/xenloopd.conf.example \
		$(DESTDIR)$(docdir)/examples/xenloopd.conf.example
	$(INSTALL) -D -m 644 discovery/xenloopd.8 $(DESTDIR)$(mandir)/man8/xenloopd.8

uninstall: uninstall-module uninstall-xenloopd

uninstall-module:
	@[ -n "$(KVER)" ] || { echo "no kernel release: set KDIR or KVER" >&2; exit 1; }
	rm -f $(DESTDIR)$(moddir)/xenloop.ko $(DESTDIR)$(mandir)/man4/xenloop.4
	rmdir --ignore-fail-on-non-empty $(DESTDIR)$(moddir) 2>/dev/null || true
	$(run_depmod)

# Directories are left in place (updates/ above only when empty) except
# xenloopd's own documentation directory: the others are shared with the
# rest of the system.
uninstall-xenloopd:
	rm -f $(DESTDIR)$(sbindir)/xenloopd \
		$(DESTDIR)$(SYSTEMDSYSTEMUNITDIR)/xenloopd.service \
		$(DESTDIR)$(docdir)/examples/xenloopd.conf.example \
		$(DESTDIR)$(mandir)/man8/xenloopd.8
	rmdir --ignore-fail-on-non-empty $(DESTDIR)$(docdir)/examples $(DESTDIR)$(docdir) \
		2>/dev/null || true

# ---- Debian packages ------------------------------------------------------
# xenloop-dkms (the module's source for DKMS) and xenloopd (the dom0 daemon)
# in build/deb/.  They are built from a copy of the files git knows about
# (tracked, plus new files not ignored) so that nothing built in this tree
# leaks into a package, as in a clean clone.  Logs in build/deb/ are kept.
deb_version = $(shell dpkg-parsechangelog -l debian/changelog -SVersion)

deb:
	$(call need_pkgs,build packaging)
	@git rev-parse --is-inside-work-tree > /dev/null 2>&1 || \
		{ echo "make deb: needs a git checkout (it packages the files git knows)" >&2; exit 1; }
	@rm -rf build/deb/xenloop-*/ build/deb/*.deb build/deb/*.changes build/deb/*.buildinfo
	@mkdir -p build/deb/xenloop-$(deb_version)
	git ls-files -z --cached --others --exclude-standard | \
		xargs -0 sh -c 'for f; do [ -e "$$f" ] && printf "%s\0" "$$f"; done' sh | \
		xargs -0 cp -a --parents -t build/deb/xenloop-$(deb_version)
	cd build/deb/xenloop-$(deb_version) && dpkg-buildpackage -us -uc -b
	@rm -rf build/deb/xenloop-$(deb_version)
	@ls build/deb/*.deb

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C discovery clean
	$(MAKE) -C selftests clean
	rm -rf build

.PHONY: all help deps module modules-all xenloopd selftests static lab-module \
	lab-module-debug lab lab-shell demo check clean \
	install install-module install-xenloopd uninstall uninstall-module \
	uninstall-xenloopd deb
