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

deps:
	@scripts/install-deps.sh

module: deps
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

modules-all: deps
	scripts/build-modules.sh

xenloopd: deps
	$(MAKE) -C discovery

selftests: deps
	$(MAKE) -C selftests all

static: deps
	scripts/static-checks.sh

# The lab needs the module built for exactly the lab kernel.
lab-module: deps
	@mkdir -p build
	@scripts/build-modules.sh $(LAB_KVER) > build/lab-module.log 2>&1 || \
		{ cat build/lab-module.log; exit 1; }

# The debug guest kernel (built once, cached in /var/cache/xenloop-lab)
# and the module built against it: build/modules/debug-<release>/.
lab-module-debug: deps
	@mkdir -p build
	@scripts/build-debug-kernel.sh > /dev/null
	@scripts/build-modules.sh debug > build/lab-module-debug.log 2>&1 || \
		{ cat build/lab-module-debug.log; exit 1; }

lab: lab-module $(if $(call lab_needs_debug,$(SCENARIO)),lab-module-debug) xenloopd selftests
	selftests/lab/lab.sh run -g $(GUESTS) $(SCENARIO)

lab-shell: lab-module $(if $(filter debug,$(LAB_GUEST_KERNEL)),lab-module-debug) xenloopd selftests
	selftests/lab/lab.sh shell -g $(GUESTS)

demo: lab-module $(if $(call lab_needs_debug,demo),lab-module-debug) xenloopd selftests
	selftests/lab/lab.sh run -g 2 demo

check: all lab-module
	scripts/check.sh

# The FIFO fuzzers, side by side, FUZZ_SECONDS each (scripts/fuzz.sh).
FUZZ_SECONDS ?= 300

fuzz: deps
	scripts/fuzz.sh $(FUZZ_SECONDS)

# The FIFO benchmark (selftests/bench): CSVs and plots in build/bench/.
# The lab benchmark (scenario bench: lo, netfront and xenloop in one run):
# build/bench/lab.csv, lab-*.png and the ratios against the targets.
# One after the other: the FIFO benchmark runs SCHED_FIFO on the host.
bench:
	$(MAKE) bench-fifo
	$(MAKE) bench-lab

bench-fifo: deps
	$(MAKE) -C selftests/bench run

bench-lab: lab-module xenloopd selftests
	scripts/lab-bench.sh

.PHONY: fuzz bench bench-fifo bench-lab

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C discovery clean
	$(MAKE) -C selftests clean
	rm -rf build

.PHONY: all help deps module modules-all xenloopd selftests static lab-module \
	lab-module-debug lab lab-shell demo check clean
