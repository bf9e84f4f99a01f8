# SPDX-License-Identifier: GPL-2.0
# Turns a test log into one TAP line per result and a closing tally.
#   awk -v suite=NAME [-v need_done=1] -f tap.awk LOG
# The log holds blocks NVMX-TEST-BEGIN <name> ... NVMX-TEST-END <name> rc=N
# around TAP from kselftest_harness programs, or around one nameless result
# for a whole program (libkvm programs; their own output is "# " comments).
# A program that exits non-zero without a failing result, or never ends,
# counts as a failure; so does a missing NVMX-TESTHOST-DONE when need_done
# is set, and any kernel oops, WARN, BUG, lockup or panic anywhere in the
# log. A line NVMX-EXPECT-AT-POWEROFF <text> asks for <text> after
# NVMX-TESTHOST-DONE.
function result(ok, name, extra) {
	if (ok == "skip") {
		skip++
		printf "ok - %s/%s # SKIP%s\n", suite, name, extra
	} else if (ok) {
		pass++
		printf "ok - %s/%s\n", suite, name
	} else {
		fail++
		printf "not ok - %s/%s%s\n", suite, name, extra
	}
}
{ sub(/\r$/, "") }
/^NVMX-TEST-BEGIN / { cur = $2; inside = 1; results = 0; failed = 0; next }
/^NVMX-TEST-END / {
	rc = $NF
	sub(/^rc=/, "", rc)
	if (results == 0 && rc == 4)
		result("skip", cur, " whole program")
	else if (results == 0)
		result(0, cur, " (exit " rc ", no results)")
	else if (rc != 0 && rc != 4 && failed == 0)
		result(0, cur, " (exit " rc ")")
	inside = 0
	next
}
# A result without a name ("ok 1", "not ok 1 # why") is the program's own.
inside && /^ok [0-9]+( |$)/ {
	results++
	name = $0
	sub(/^ok [0-9]+ ?/, "", name)
	if (name ~ /^# SKIP/) {
		sub(/^# SKIP ?/, "", name)
		result("skip", cur, " " name)
	} else if (name == "") {
		result(1, cur, "")
	} else {
		result(1, cur "/" name, "")
	}
	next
}
inside && /^not ok [0-9]+( |$)/ {
	results++
	failed++
	name = $0
	sub(/^not ok [0-9]+ ?/, "", name)
	if (name == "" || name ~ /^# /)
		result(0, cur, name == "" ? "" : " " name)
	else
		result(0, cur "/" name, "")
	next
}
/^NVMX-TESTHOST-DONE/ { done = 1 }
/^NVMX-EXPECT-AT-POWEROFF / {
	expect = $0
	sub(/^NVMX-EXPECT-AT-POWEROFF /, "", expect)
	next
}
done && expect != "" && index($0, expect) { expect_seen = 1 }
/Kernel panic|BUG: |WARNING: CPU|kernel BUG at|general protection fault|Oops: |Call Trace:|UBSAN:|KASAN:|soft lockup|hung_task|blocked for more than/ {
	if (!kernel_problem)
		kernel_problem = $0
}
END {
	if (inside)
		result(0, cur, " (did not finish)")
	if (need_done && !done)
		result(0, "testhost", " (did not reach its end: timeout or crash)")
	if (expect != "")
		result(expect_seen ? 1 : 0, "poweroff", expect_seen ? "" : \
		       " (no \"" expect "\" after NVMX-TESTHOST-DONE)")
	if (kernel_problem)
		result(0, "kernel-log", " (" kernel_problem ")")
	printf "RESULT pass=%d fail=%d skip=%d\n", pass, fail, skip
}
