#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds nvmx and shows what it does: loads it, then has an L1 hypervisor
# run an L2 workload (selftests/kvm/vmx_demo_test) on nvmx and on kvm_intel
# and prints where each exit went, then L2's CR0/CR4/CR8 workloads
# (selftests/kvm/vmx_cr_test --table) with L0 exits and TSC ticks per access
# on both and the architectural limit. On a VT-x host (as root, with the running
# kernel's headers) it loads the module directly; elsewhere it boots the
# Bochs test host and runs the demo there (scripts/testhost/profiles/demo).
# Exits non-zero if the demo program fails on either.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if grep -qw vmx /proc/cpuinfo && [ -d "/lib/modules/$(uname -r)/build" ] &&
   [ "$(id -u)" = 0 ]; then
	linux_source
	make -s -C "$NVMX_TOP" module
	make -s -C "$NVMX_TOP/selftests/vm" >/dev/null
	make -s -C "$NVMX_TOP/selftests/kvm" out/nvmx-run out/vmx_demo_test \
		out/vmx_cr_test >/dev/null
	kvm=$NVMX_TOP/selftests/kvm/out
	unload=
	echo "\$ insmod nvmx.ko"
	insmod "$NVMX_TOP/nvmx.ko"
	trap 'rmmod nvmx; [ -z "$unload" ] || modprobe -r kvm_intel' EXIT
	dmesg | grep 'nvmx:' | tail -n 3
	ls -l /dev/nvmx
	"$NVMX_TOP/selftests/vm/out/nvmx-info"
	rc=0
	echo
	echo "\$ nvmx-run vmx_demo_test     # L1 runs L2 on nvmx"
	"$kvm/nvmx-run" "$kvm/vmx_demo_test" 2>&1 || rc=$?
	echo
	# kvm_intel for comparison: as it is, or loaded for the demo only.
	if [ ! -e /dev/kvm ] && modprobe kvm_intel nested=1 2>/dev/null; then
		unload=1
	fi
	if [ -e /dev/kvm ]; then
		echo "\$ vmx_demo_test              # the same on kvm_intel"
		"$kvm/vmx_demo_test" 2>&1 || rc=$?
		echo
		echo "\$ vmx_cr_test --table       # L2's CR0/CR4/CR8 workloads on nvmx and kvm_intel"
		"$kvm/vmx_cr_test" --table 2>/dev/null || rc=$?
	else
		echo "(no kvm_intel here: no comparison)"
	fi
	exit "$rc"
fi

log "no usable VT-x here: running the demo in the Bochs test host"
"$NVMX_TOP/scripts/testhost/run.sh" demo >/dev/null 2>&1 || true
serial=$NVMX_BUILD/testhost/run/demo/serial.log
sed -n '/^NVMX-DEMO-BEGIN/,/^NVMX-DEMO-END/p' "$serial" | tr -d '\r' | sed '1d;$d' |
	sed 's/^NVMX-DEMO-FAILED /demo failed: /'
grep -q '^NVMX-DEMO-END' "$serial"
if grep -q '^NVMX-DEMO-FAILED' "$serial"; then
	exit 1
fi
