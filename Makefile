# SPDX-License-Identifier: GPL-2.0
#
# User entry point. Kbuild (the file next to this one) drives the module
# build itself.
#
#   make                  build nvmx.ko against KDIR (6.1 or 6.12; prints which)
#   make W=1 WERROR=1     the CI build: extra warnings, all fatal
#   make unit             userspace unit tests of the pure logic (ASan, UBSan)
#   make selftests        the test binaries that run inside the test host
#   make style            checkpatch --strict on every source file
#   make demo             build, boot or load, run L1 and L2, print the exit table
#   make bench            exit, nested round-trip and APIC benchmarks, nvmx against kvm_intel
#   make fuzz             the fuzzer in the test host: ROUNDS=N SEED=S [AVOID=class,...]
#                         [CHUNK=rounds per boot, default 1000]
#   make nfuzz            the nested-VMX fuzzer there, on kvm_intel and nvmx:
#                         ROUNDS=N SEED=S [CHUNK=rounds per boot, default 5000]
#                         [KEEP_GOING=N: go on after up to N failed rounds]
#                         [NVMX_ONLY=1: skip kvm_intel, for long runs]
#   make check            every test; prints "N passed, N failed"
#   make install          modules_install into /lib/modules/$(KVER)
#   make dkms-install     dkms add, build and install this tree

KVER ?= $(shell uname -r)
KDIR ?= /lib/modules/$(KVER)/build

ifeq ($(WERROR),1)
KBUILD_WERROR := KCFLAGS=-Werror
endif

all: module

# The series src/compat.h finds in KDIR's <linux/version.h>, printed before
# the build; for any other kernel, compat.h's one-line #error instead.
SERIES_PROBE = echo NVMX_KERNEL_SERIES | $(CC) -E -P -nostdinc -D__ASSEMBLY__ \
	-I$(KDIR)/include/generated/uapi -include $(CURDIR)/src/compat.h -x c - 2>&1

module:
	@test -e $(KDIR)/include/generated/uapi/linux/version.h || { \
		echo "nvmx: KDIR=$(KDIR) is not a prepared kernel build directory" >&2; \
		exit 1; }
	@out=$$($(SERIES_PROBE)) || { \
		echo "$$out" | sed -n 's/^.* error: \(#error "\)\{0,1\}\([^"]*\)"\{0,1\}$$/\2/p' | \
			head -n1 >&2; \
		exit 1; }; \
	echo "nvmx: building for the Linux $$(echo $$out | tr -d '"') series ($(KDIR))"
	$(MAKE) -C $(KDIR) M=$(CURDIR) $(KBUILD_WERROR) modules

clean:
	$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null || true
	$(MAKE) -C selftests/unit clean
	$(MAKE) -C selftests/vm clean
	$(MAKE) -C selftests/kvm clean
	rm -rf build

install: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules_install
	depmod -a $(KVER)

dkms-install:
	scripts/dkms.sh install

unit:
	$(MAKE) -C selftests/unit run

selftests:
	$(MAKE) -C selftests/vm
	$(MAKE) -C selftests/kvm

style:
	scripts/checkpatch.sh

demo:
	scripts/demo.sh

bench:
	scripts/bench.sh

check:
	scripts/check.sh

# Rounds take ~0.06 s of guest time each; Bochs runs ~6 times slower than
# that under load, hence the timeout (seconds of wall time).
ROUNDS ?= 1000
SEED ?= 1
AVOID ?=
fuzz:
	scripts/fuzz.sh $(ROUNDS) $(SEED) "$(AVOID)" $(or $(CHUNK),1000)

nfuzz:
	NVMX_FUZZ_KEEP_GOING=$(or $(KEEP_GOING),0) NVMX_FUZZ_NVMX_ONLY=$(or $(NVMX_ONLY),0) \
		scripts/fuzz.sh $(ROUNDS) $(SEED) "" $(or $(CHUNK),5000) nfuzz

.PHONY: all module clean install dkms-install unit selftests style demo bench check fuzz nfuzz
