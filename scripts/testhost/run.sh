#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# run.sh [PROFILE...]
# Builds nvmx.ko and the test binaries for the test host's kernel, boots
# each profile (scripts/testhost/profiles) in Bochs, two at a time, and
# turns each serial log into TAP. Ends with "testhost: N passed, N failed".
# Logs stay in build/testhost/run/<profile>/ (serial.log, bochs.log).
# NVMX_TIMEOUT (seconds) replaces the profiles' timeouts; NVMX_KCMDLINE is
# appended to the kernel command line (mkimage.sh).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
here=$NVMX_TOP/scripts/testhost

profiles=("$@")
# The longest first, so that two at a time end close together.
[ ${#profiles[@]} -gt 0 ] || profiles=(qemu kvm main smp run noept novmx noug spec fuzz nfuzz tscscale)

nvmx_deps
linux_source
hdrs=$(testhost_kdir)
make -s -C "$NVMX_TOP" module KDIR="$hdrs" W=1 WERROR=1 >/dev/null
make -s -C "$NVMX_TOP/selftests/vm" >/dev/null
make -s -C "$NVMX_TOP/selftests/kvm" >/dev/null
kdir=$("$here/kernel.sh")
out=$NVMX_BUILD/testhost/run
mkdir -p "$out"
"$here/mkimage.sh" "$kdir" "$out" "${profiles[@]}"

field() {
	sed -n "s/^# $2: *//p" "$here/profiles/$1"
}

boot_one() {
	local p=$1 st=0
	"$here/boot.sh" "$out/$p.iso" "$(field "$p" model)" "$(field "$p" cpus)" \
		"${NVMX_TIMEOUT:-$(field "$p" timeout)}" "$out/$p" || st=$?
	echo $st > "$out/$p/boot.status"
}

jobs_max=${NVMX_JOBS:-$(nproc)}
for p in "${profiles[@]}"; do
	[ -r "$here/profiles/$p" ] || { log "no profile $p"; exit 1; }
	while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do
		sleep 1
	done
	log "testhost: booting profile $p ($(field "$p" model), $(field "$p" cpus) CPU)"
	mkdir -p "$out/$p"
	boot_one "$p" &
done
wait

pass=0 fail=0 skip=0
for p in "${profiles[@]}"; do
	res=$(awk -v suite="$p" -v need_done=1 -f "$NVMX_TOP/scripts/tap.awk" \
		"$out/$p/serial.log" 2>/dev/null || echo "RESULT pass=0 fail=1 skip=0")
	echo "$res" | grep -v '^RESULT'
	eval "$(echo "$res" | sed -n 's/^RESULT pass=\([0-9]*\) fail=\([0-9]*\) skip=\([0-9]*\)/np=\1 nf=\2 ns=\3/p')"
	pass=$((pass + np)) fail=$((fail + nf)) skip=$((skip + ns))
	if [ "$nf" != 0 ]; then
		log "--- $p: serial log tail ($out/$p/serial.log)"
		grep -a -v '^# dmesg: ' "$out/$p/serial.log" | tail -n 40 >&2 || true
		grep -a -i -E 'vmentry|vmenter|vmfail|panic' "$out/$p/bochs.log" | tail -n 10 >&2 || true
	fi
done
echo "testhost: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
