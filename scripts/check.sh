#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every test nvmx has, on a fresh Debian 12 machine: installs what it needs,
# builds with W=1 -Werror, runs checkpatch, the userspace unit tests (ASan,
# UBSan), the DKMS install, and the test host profiles in Bochs. The build
# and the DKMS install run against the 6.1 and the 6.12 headers. Prints TAP
# lines and ends with "N passed, N failed, N skipped".
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$NVMX_TOP"
logs=$NVMX_BUILD/check
mkdir -p "$logs" 2>/dev/null || { mkdir -p "$NVMX_BUILD" && mkdir -p "$logs"; }

pass=0 fail=0 skip=0

record() {
	if [ "$2" = 0 ]; then
		echo "ok - $1"
		pass=$((pass + 1))
	else
		echo "not ok - $1 (log: $3)"
		tail -n 30 "$3" | sed 's/^/# /'
		fail=$((fail + 1))
	fi
}

# Adds a "RESULT pass= fail= skip=" line's counts.
tally() {
	local np nf ns
	eval "$(sed -n 's/^RESULT pass=\([0-9]*\) fail=\([0-9]*\) skip=\([0-9]*\)$/np=\1 nf=\2 ns=\3/p' "$1")"
	pass=$((pass + ${np:-0})) fail=$((fail + ${nf:-1})) skip=$((skip + ${ns:-0}))
}

step() {
	local name=$1 log=$logs/$1.log st=0
	shift
	"$@" > "$log" 2>&1 || st=$?
	record "$name" "$st" "$log"
	return "$st"
}

step deps bash -c '. scripts/lib.sh && nvmx_deps && linux_source' || {
	echo "$pass passed, $fail failed, $skip skipped"
	exit 1
}
hdrs=$(testhost_kdir)
step build-W1-Werror make -C "$NVMX_TOP" module KDIR="$hdrs" W=1 WERROR=1
step checkpatch-strict scripts/checkpatch.sh
step version-agrees bash -c \
	'grep -q "PACKAGE_VERSION=\"$(sed -n "s/^#define NVMX_VERSION \"\(.*\)\"$/\1/p" src/version.h)\"" dkms.conf'
step dkms-add-build-install scripts/dkms.sh check

# The 6.12 series, from bookworm-backports (scripts/lib.sh, nvmx_deps_612):
# the same W=1 -Werror build and DKMS run against its headers. Its test
# host image is `scripts/testhost/kernel.sh 6.12`; no profile boots it yet.
if step deps-6.12 bash -c '. scripts/lib.sh && nvmx_deps_612'; then
	hdrs612=$(testhost_kdir_612)
	step build-W1-Werror-6.12 make -C "$NVMX_TOP" module KDIR="$hdrs612" W=1 WERROR=1
	step dkms-add-build-install-6.12 env KVER="$(testhost_krel_612)" KDIR="$hdrs612" \
		scripts/dkms.sh check
fi

make -s -C selftests/unit run > "$logs/unit.log" 2>&1
awk -v suite=unit -f scripts/tap.awk "$logs/unit.log" > "$logs/unit.tap"
grep -v '^RESULT' "$logs/unit.tap"
tally "$logs/unit.tap"

scripts/testhost/run.sh > "$logs/testhost.log" 2>&1
grep -E '^(not )?ok ' "$logs/testhost.log"
sed -n 's/^testhost: \([0-9]*\) passed, \([0-9]*\) failed, \([0-9]*\) skipped$/RESULT pass=\1 fail=\2 skip=\3/p' \
	"$logs/testhost.log" > "$logs/testhost.tap"
if [ ! -s "$logs/testhost.tap" ]; then
	record testhost 1 "$logs/testhost.log"
else
	tally "$logs/testhost.tap"
	grep -q 'fail=0' "$logs/testhost.tap" || tail -n 60 "$logs/testhost.log" | sed 's/^/# /'
fi

echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
