#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs the kernel's checkpatch.pl --strict on every C source and header of
# the module, the uapi, the selftests and the tools. Exits non-zero on any
# error, warning or check.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
linux_source
cp=$NVMX_BUILD/linux-source/scripts/checkpatch.pl
cd "$NVMX_TOP"

# The only exceptions, per file, each with its reason.
declare -A except=(
	# The one place allowed to test kernel versions.
	[src/compat.h]=LINUX_VERSION_CODE,CONSTANT_COMPARISON
	# asm goto labels (%l[name]) read to checkpatch as the % operator.
	[src/vmx_ops.h]=SPACING
	[src/switch.c]=SPACING
	# struct user_desc (<asm/ldt.h>) spells its field "useable".
	[selftests/vm/host_state_test.c]=TYPO_SPELLING
	# The kernel's own MTRR MSR names (<asm/msr-index.h>) are CamelCase.
	[src/msr.c]=CAMELCASE
	# WNAT is the table's name for the SDM's natural width.
	[src/nested/vmcs12_fields.h]=TYPO_SPELLING
	# X-macros that expand the field table into declarations and
	# _Static_asserts (a C11 keyword both builds have without a header).
	[src/nested/vmcs12.h]=MULTISTATEMENT_MACRO_USE_DO_WHILE,TRAILING_SEMICOLON
	[src/nested/vmcs12.c]=MULTISTATEMENT_MACRO_USE_DO_WHILE,TRAILING_SEMICOLON,MACRO_ARG_REUSE,CAMELCASE
)

mapfile -t files < <(git ls-files 'src/*.[ch]' 'include/*.h' 'selftests/*.[ch]' 'tools/*.c')
bad=
for f in "${files[@]}"; do
	out=$(perl "$cp" --no-tree --strict --terse --show-types \
		${except[$f]:+--ignore ${except[$f]}} \
		--codespellfile /dev/null -f "$f" 2>&1 || true)
	bad+=$(echo "$out" | grep -E ': (ERROR|WARNING|CHECK):' || true)
	[ -z "$bad" ] || bad+=$'\n'
done
if [ -n "$bad" ]; then
	echo "$bad" | grep .
	echo "checkpatch: $(echo "$bad" | grep -c .) problem(s)"
	exit 1
fi
echo "checkpatch: ${#files[@]} files clean"
