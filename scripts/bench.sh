#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the exit benchmark (selftests/vm/exit_bench.c) on nvmx and kvm_intel:
# directly on a VT-x host (as root, both modules loaded), else in the Bochs
# test host's `bench` profile. Prints a Markdown table.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if grep -qw vmx /proc/cpuinfo && [ -e /dev/nvmx ] && [ -e /dev/kvm ]; then
	linux_source
	make -s -C "$NVMX_TOP/selftests/vm" >/dev/null
	exec "$NVMX_TOP/selftests/vm/out/exit_bench" /dev/nvmx /dev/kvm
fi
"$NVMX_TOP/scripts/testhost/run.sh" bench >/dev/null 2>&1 || true
serial=$NVMX_BUILD/testhost/run/bench/serial.log
sed -n '/^NVMX-BENCH-BEGIN/,/^NVMX-BENCH-END/p' "$serial" | tr -d '\r' | sed '1d;$d'
grep -q '^NVMX-BENCH-END' "$serial"
