#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the benchmarks on nvmx and kvm_intel: exit round trips
# (selftests/vm/exit_bench.c), nested round trips
# (selftests/kvm/vmx_bench.c --table) and L2's CR accesses
# (selftests/kvm/vmx_cr_test.c --table) and the local APIC's IPI and timer
# costs (selftests/kvm/apic_bench.c --table), directly on a VT-x host (as
# root, both modules loaded, kvm_intel with nested=1), else in the Bochs
# test host's `bench` profile and then its 2-CPU `bench2` profile (one boot
# at a time). Prints four Markdown tables.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if grep -qw vmx /proc/cpuinfo && [ -e /dev/nvmx ] && [ -e /dev/kvm ]; then
	linux_source
	make -s -C "$NVMX_TOP/selftests/vm" >/dev/null
	make -s -C "$NVMX_TOP/selftests/kvm" >/dev/null
	"$NVMX_TOP/selftests/vm/out/exit_bench" /dev/nvmx /dev/kvm
	echo
	rc=0
	"$NVMX_TOP/selftests/kvm/out/vmx_bench" --table || rc=$?
	echo
	"$NVMX_TOP/selftests/kvm/out/vmx_cr_test" --table || rc=$?
	echo
	"$NVMX_TOP/selftests/kvm/out/apic_bench" --table || rc=$?
	exit "$rc"
fi
"$NVMX_TOP/scripts/testhost/run.sh" bench >/dev/null 2>&1 || true
"$NVMX_TOP/scripts/testhost/run.sh" bench2 >/dev/null 2>&1 || true
serial=$NVMX_BUILD/testhost/run/bench/serial.log
sed -n '/^NVMX-BENCH-BEGIN/,/^NVMX-BENCH-END/p' "$serial" | tr -d '\r' | sed '1d;$d'
grep -q '^NVMX-BENCH-END' "$serial"
echo
sed -n '/^NVMX-VMXBENCH-BEGIN/,/^NVMX-VMXBENCH-END/p' "$serial" | tr -d '\r' | sed '1d;$d'
echo
sed -n '/^NVMX-CRBENCH-BEGIN/,/^NVMX-CRBENCH-END/p' "$serial" | tr -d '\r' | sed '1d;$d'
echo
serial2=$NVMX_BUILD/testhost/run/bench2/serial.log
sed -n '/^NVMX-APICBENCH-BEGIN/,/^NVMX-APICBENCH-END/p' "$serial2" | tr -d '\r' | sed '1d;$d'
# Printed only when vmx_bench passed: its failure is in the serial log.
grep -q '^NVMX-VMXBENCH-END' "$serial" ||
	{ log "vmx_bench failed: see the vmx_bench result in $serial"; exit 1; }
grep -q '^ok 1 vmx_cr_test' "$serial" ||
	{ log "vmx_cr_test failed: see the vmx_cr_test result in $serial"; exit 1; }
# Printed only when apic_bench passed: its failure is in bench2's log.
grep -q '^NVMX-APICBENCH-END' "$serial2" ||
	{ log "apic_bench failed: see the apic_bench result in $serial2"; exit 1; }
