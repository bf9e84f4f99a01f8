#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# fuzz.sh ROUNDS SEED [AVOID] [CHUNK]
# Runs the fuzzer (selftests/vm/fuzz.c) in the Bochs test host for ROUNDS
# rounds from seed SEED, in boots of at most CHUNK rounds (default 1000)
# with consecutive seeds: one boot's terminal output is bounded that way
# (Documentation/testing.md, "Fuzzing"). Each boot's serial log is kept as
# build/fuzz/seed-<first>.log. Prints each boot's TAP and ends with
# "fuzz: N passed, N failed" over all boots.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

rounds=${1:?rounds} seed=${2:?seed} avoid=${3:-} chunk=${4:-1000}
keep=$NVMX_BUILD/fuzz
mkdir -p "$keep"
pass=0 fail=0 start=$SECONDS
while [ "$rounds" -gt 0 ]; do
	n=$((rounds < chunk ? rounds : chunk))
	log "fuzz: seeds $seed..$((seed + n - 1))"
	st=0
	NVMX_JOBS=1 NVMX_TIMEOUT=$((600 + n / 2)) \
	NVMX_KCMDLINE="nvmx_fuzz_rounds=$n nvmx_fuzz_seed=$seed nvmx_fuzz_avoid=$avoid" \
		"$NVMX_TOP/scripts/testhost/run.sh" fuzz > "$keep/seed-$seed.tap" 2>&1 || st=$?
	cp "$NVMX_BUILD/testhost/run/fuzz/serial.log" "$keep/seed-$seed.log" 2>/dev/null || true
	grep -E '^(not )?ok ' "$keep/seed-$seed.tap" | sed "s|^|[$seed] |"
	res=$(sed -n 's/^testhost: \([0-9]*\) passed, \([0-9]*\) failed.*/\1 \2/p' "$keep/seed-$seed.tap")
	if [ -z "$res" ]; then
		fail=$((fail + 1))
	else
		pass=$((pass + ${res% *})) fail=$((fail + ${res#* }))
	fi
	[ "$st" = 0 ] || log "fuzz: the boot from seed $seed failed (log: $keep/seed-$seed.log)"
	seed=$((seed + n)) rounds=$((rounds - n))
done
log "fuzz: $((SECONDS - start)) s"
echo "fuzz: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
