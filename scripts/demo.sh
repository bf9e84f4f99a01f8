#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Builds nvmx and shows what it does so far. On a VT-x host (as root, with
# the running kernel's headers) it loads the module directly; elsewhere it
# boots the Bochs test host and runs the demo there.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if grep -qw vmx /proc/cpuinfo && [ -d "/lib/modules/$(uname -r)/build" ] &&
   [ "$(id -u)" = 0 ]; then
	linux_source
	make -s -C "$NVMX_TOP" module
	make -s -C "$NVMX_TOP/selftests/vm" >/dev/null
	echo "\$ insmod nvmx.ko"
	insmod "$NVMX_TOP/nvmx.ko"
	trap 'rmmod nvmx' EXIT
	dmesg | grep 'nvmx:' | tail -n 3
	ls -l /dev/nvmx
	"$NVMX_TOP/selftests/vm/out/nvmx-info"
	exit 0
fi

log "no usable VT-x here: running the demo in the Bochs test host"
"$NVMX_TOP/scripts/testhost/run.sh" demo >/dev/null 2>&1 || true
serial=$NVMX_BUILD/testhost/run/demo/serial.log
sed -n '/^NVMX-DEMO-BEGIN/,/^NVMX-DEMO-END/p' "$serial" | tr -d '\r' | sed '1d;$d'
grep -q '^NVMX-DEMO-END' "$serial"
