#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fuzz.sh ROUNDS SEED [AVOID] [CHUNK] [PROFILE]
# Runs the fuzzer (selftests/vm/fuzz.c; PROFILE nfuzz: the nested-VMX one,
# selftests/kvm/vmx_fuzz_test.c) in the Bochs test host for ROUNDS rounds
# from seed SEED, in boots of at most CHUNK rounds (default 1000) with
# consecutive seeds: one boot's terminal output is bounded that way
# (Documentation/testing.md, "Fuzzing"). Each boot's serial log is kept as
# build/PROFILE/seed-<first>.log. Prints each boot's TAP and ends with
# "PROFILE: N passed, N failed" over all boots.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rounds=${1:?rounds} seed=${2:?seed} avoid=${3:-} chunk=${4:-1000} profile=${5:-fuzz}
# Wall-time milliseconds a round may take in Bochs, for the boot's timeout.
case $profile in
fuzz) per_round=500 ;;
nfuzz) per_round=100 ;;
*) echo "fuzz.sh: no fuzzing profile $profile" >&2; exit 2 ;;
esac
keep=$NVMX_BUILD/$profile
mkdir -p "$keep"
pass=0 fail=0 start=$SECONDS
while [ "$rounds" -gt 0 ]; do
	n=$((rounds < chunk ? rounds : chunk))
	log "$profile: seeds $seed..$((seed + n - 1))"
	st=0
	NVMX_JOBS=1 NVMX_TIMEOUT=$((600 + n * per_round / 1000)) \
	NVMX_KCMDLINE="nvmx_fuzz_rounds=$n nvmx_fuzz_seed=$seed nvmx_fuzz_avoid=$avoid nvmx_fuzz_keep_going=${NVMX_FUZZ_KEEP_GOING:-0} nvmx_fuzz_nvmx_only=${NVMX_FUZZ_NVMX_ONLY:-0}" \
		"$NVMX_TOP/scripts/testhost/run.sh" "$profile" > "$keep/seed-$seed.tap" 2>&1 || st=$?
	cp "$NVMX_BUILD/testhost/run/$profile/serial.log" "$keep/seed-$seed.log" 2>/dev/null || true
	grep -E '^(not )?ok ' "$keep/seed-$seed.tap" | sed "s|^|[$seed] |"
	res=$(sed -n 's/^testhost: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' "$keep/seed-$seed.tap")
	if [ -z "$res" ]; then
		fail=$((fail + 1))
	else
		pass=$((pass + ${res% *})) fail=$((fail + ${res#* }))
	fi
	[ "$st" = 0 ] || log "$profile: the boot from seed $seed failed (log: $keep/seed-$seed.log)"
	seed=$((seed + n)) rounds=$((rounds - n))
done
log "$profile: $((SECONDS - start)) s"
echo "$profile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
