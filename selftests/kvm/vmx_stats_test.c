// SPDX-License-Identifier: GPL-2.0
/*
 * Nested stats and tracepoints move exactly with a known L2 workload.
 *
 * L1 launches L2 with no I/O exiting and an all-zero MSR bitmap. L2 makes
 * NR_CPUID CPUIDs (always reflected to L1, which resumes past each),
 * NR_RDMSR RDMSRs of IA32_MISC_ENABLE (L1 does not intercept it, L0 does:
 * L0 handles them for L1) and NR_OUT OUTs to OUT_PORT (L1 does not
 * intercept them: each reaches userspace with L2 still running), then
 * VMCALLs back to L1. The host reads the vCPU's binary stats at L1's sync
 * before VMLAUNCH, at every L2 OUT and at L1's sync after the VMCALL, and
 * checks each stat's change over each interval:
 *
 *   pre    -> out 0   VMLAUNCH, then L2's first OUT
 *   out 0  -> out 1   NR_CPUID - 1 CPUIDs (L1 writes GUEST_RIP only), the
 *                     RDMSRs, an OUT
 *   out 1  -> out 2   one CPUID after which L1 also VMWRITEs one more
 *                     guest-state field (GUEST_SYSENTER_CS), an OUT
 *   out i  -> out i+1 an OUT alone: only L2 ran
 *   out last -> back  the VMCALL reflected to L1, L1's sync
 *
 * kvm_intel has nested_run, guest_mode and exits; the nvmx_* stats are
 * nvmx's own: they are skipped by name on kvm_intel and required on nvmx.
 * On nvmx, with tracefs, the nvmx:nvmx_exit, nvmx_nested_vmexit and
 * nvmx_nested_vmexit_inject events over the same run must agree with the
 * workload and with the histograms, exit by exit.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define NR_CPUID	8
#define NR_RDMSR	6
#define NR_OUT		5	/* at least 3: out 0, out 1, out 2 */
#define OUT_PORT	0x5e0	/* no device of KVM's or nvmx's */
#define L2_STACK_WORDS	512

#define STAGE_PRE	1
#define STAGE_BACK	2

/* Basic exit reasons (SDM appendix C). */
#define R_CPUID		10
#define R_VMCALL	18
#define R_VMLAUNCH	20
#define R_VMRESUME	24
#define R_IO		30
#define R_RDMSR		31

/* The I/O exit qualification of "out %al, %dx" to OUT_PORT. */
#define OUT_QUAL	((u64)OUT_PORT << 16)

/* Rows of nvmx's vmcs12 field table: every VMCS field L1 can name. */
enum {
#define NVMX_VMCS12_FIELD(name, ...) V12_ROW_##name,
#include "../../src/nested/vmcs12_fields.h"
#undef NVMX_VMCS12_FIELD
	NR_VMCS12_FIELDS
};

static u64 l2_stack[L2_STACK_WORDS] __aligned(16);
static u64 l1_misc_enable;	/* L1's IA32_MISC_ENABLE */
static u64 l2_misc_bad;		/* L2's reads that differed from it */

static void l2_out(u8 val)
{
	asm volatile("outb %0, %1" : : "a"(val), "d"((u16)OUT_PORT) : "memory");
}

static void l2_code(void)
{
	u32 lo, hi;
	int i;

	l2_out(0);
	for (i = 0; i < NR_CPUID - 1; i++)
		l2_insn("cpuid", 0, 0, 0);
	/* Not reflected: L2 keeps its registers across these. */
	for (i = 0; i < NR_RDMSR; i++) {
		asm volatile("rdmsr" : "=a"(lo), "=d"(hi)
			     : "c"(MSR_IA32_MISC_ENABLE));
		if (((u64)hi << 32 | lo) != l1_misc_enable)
			l2_misc_bad++;
	}
	l2_out(1);
	l2_insn("cpuid", 0, 0, 0);
	for (i = 2; i < NR_OUT; i++)
		l2_out(i);
	l2_vmcall();
	/* L1 does not resume L2 after the VMCALL. */
	GUEST_ASSERT(0);
}

static void l1_code(struct vmx_pages *vmx)
{
	u64 reason, rip, len;
	int i;

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_code, &l2_stack[L2_STACK_WORDS - 1]);
	/* L2's I/O and MSR accesses are not L1's (vmx->msr is zeroed). */
	GUEST_ASSERT(vmx_proc_update(CPU_BASED_USE_MSR_BITMAPS,
				     CPU_BASED_UNCOND_IO_EXITING |
				     CPU_BASED_USE_IO_BITMAPS));
	l1_misc_enable = rdmsr(MSR_IA32_MISC_ENABLE);
	GUEST_SYNC(STAGE_PRE);

	GUEST_ASSERT_1(!vmlaunch(), vmreadz(VM_INSTRUCTION_ERROR));
	for (i = 0; i < NR_CPUID; i++) {
		reason = vmreadz(VM_EXIT_REASON);
		GUEST_ASSERT_2(reason == R_CPUID, i, reason);
		rip = vmreadz(GUEST_RIP);
		len = vmreadz(VM_EXIT_INSTRUCTION_LEN);
		GUEST_ASSERT(!vmwrite(GUEST_RIP, rip + len));
		/* The same value: only the write is what counts. */
		if (i == NR_CPUID - 1)
			GUEST_ASSERT(!vmwrite(GUEST_SYSENTER_CS,
					      vmreadz(GUEST_SYSENTER_CS)));
		GUEST_ASSERT_2(!vmresume(), i, vmreadz(VM_INSTRUCTION_ERROR));
	}
	reason = vmreadz(VM_EXIT_REASON);
	GUEST_ASSERT_1(reason == R_VMCALL, reason);
	GUEST_ASSERT_1(!l2_misc_bad, l2_misc_bad);
	GUEST_SYNC(STAGE_BACK);
	GUEST_DONE();
}

/* The vCPU stats the test reads; a histogram is up to MAX_BUCKETS u64s. */
enum {
	S_EXITS, S_NESTED_RUN, S_GUEST_MODE, S_V02_WRITES,
	S_L1, S_L0, S_REFL, NR_S
};

#define MAX_BUCKETS	128

static const struct {
	const char *name;
	bool kvm;	/* kvm_intel has it too */
} stat_info[NR_S] = {
	[S_EXITS]	= { "exits", true },
	[S_NESTED_RUN]	= { "nested_run", true },
	[S_GUEST_MODE]	= { "guest_mode", true },
	[S_V02_WRITES]	= { "nvmx_vmcs02_writes", false },
	[S_L1]		= { "nvmx_l1_exits", false },
	[S_L0]		= { "nvmx_l2_exits_l0", false },
	[S_REFL]	= { "nvmx_l2_exits_reflected", false },
};

static struct nested_stats stats;
static struct kvm_stats_desc *stat_desc[NR_S];	/* NULL: absent */
static bool nvmx;

struct snap {
	u64 v[NR_S][MAX_BUCKETS];
};

static void stats_open(struct kvm_vcpu *vcpu)
{
	const char *names[NR_S];
	unsigned int s;

	for (s = 0; s < NR_S; s++)
		names[s] = stat_info[s].name;
	nested_stats_open(&stats, vcpu, names, NR_S, MAX_BUCKETS, stat_desc);
	for (s = 0; s < NR_S; s++) {
		if (stat_desc[s])
			result(true, "stat_%s_present", stat_info[s].name);
		else if (!nvmx && !stat_info[s].kvm)
			ksft_test_result_skip("stat_%s: nvmx's own, kvm_intel has none\n",
					      stat_info[s].name);
		else
			result(false, "stat_%s_present", stat_info[s].name);
	}
	/* Bucket R_RDMSR and up must be distinct buckets. */
	for (s = S_L1; s <= S_REFL; s++)
		if (stat_desc[s] && stat_desc[s]->size <= R_RDMSR)
			result(false, "stat_%s_has_%u_buckets (want > %u)",
			       stat_info[s].name, stat_desc[s]->size, R_RDMSR);
}

static void stats_read(struct snap *sn)
{
	nested_stats_read(&stats, &sn->v[0][0]);
}

static u64 hist_sum(const struct snap *sn, unsigned int s)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; stat_desc[s] && i < stat_desc[s]->size; i++)
		sum += sn->v[s][i];
	return sum;
}

/*
 * Stat @s (bucket @b of a histogram, else 0) rose by exactly @want from @a
 * to @b_sn over interval @when. Absent stats were reported at the start.
 */
static void expect_delta(const char *when, unsigned int s, unsigned int b,
			 const struct snap *a, const struct snap *b_sn, u64 want)
{
	u64 got;

	if (!stat_desc[s])
		return;
	got = b_sn->v[s][b] - a->v[s][b];
	if (stat_desc[s]->size > 1)
		result(got == want, "%s: %s[%u] rises by %llu (got %llu)", when,
		       stat_info[s].name, b, (unsigned long long)want,
		       (unsigned long long)got);
	else
		result(got == want, "%s: %s rises by %llu (got %llu)", when,
		       stat_info[s].name, (unsigned long long)want,
		       (unsigned long long)got);
}

static void expect_hist_quiet(const char *when, unsigned int s,
			      const struct snap *a, const struct snap *b)
{
	u64 got;

	if (!stat_desc[s])
		return;
	got = hist_sum(b, s) - hist_sum(a, s);
	result(!got, "%s: %s unchanged (rose by %llu)", when, stat_info[s].name,
	       (unsigned long long)got);
}

static void expect_value(const char *when, unsigned int s,
			 const struct snap *sn, u64 want)
{
	if (!stat_desc[s])
		return;
	result(sn->v[s][0] == want, "%s: %s is %llu (got %llu)", when,
	       stat_info[s].name, (unsigned long long)want,
	       (unsigned long long)sn->v[s][0]);
}

/* Every hardware exit is in exactly one of the three histograms. */
static void expect_exits_sum(const char *when, const struct snap *a,
			     const struct snap *b)
{
	u64 exits = b->v[S_EXITS][0] - a->v[S_EXITS][0], sum = 0;
	unsigned int s;

	for (s = S_L1; s <= S_REFL; s++) {
		if (!stat_desc[s])
			return;
		sum += hist_sum(b, s) - hist_sum(a, s);
	}
	result(exits == sum, "%s: exits rise by the histograms' sum %llu (got %llu)",
	       when, (unsigned long long)sum, (unsigned long long)exits);
}

/* The checks for the interval that ends at L2's OUT number @seq. */
static void check_out(unsigned int seq, const struct snap *a,
		      const struct snap *b, u64 *w_plain)
{
	char when[32];
	u64 w = b->v[S_V02_WRITES][0];

	snprintf(when, sizeof(when), "out %u", seq);
	expect_value(when, S_GUEST_MODE, b, 1);
	expect_delta(when, S_L0, R_IO, a, b, 1);
	expect_exits_sum(when, a, b);
	switch (seq) {
	case 0:
		expect_delta(when, S_NESTED_RUN, 0, a, b, 1);
		expect_delta(when, S_L1, R_VMLAUNCH, a, b, 1);
		expect_delta(when, S_L1, R_VMRESUME, a, b, 0);
		expect_hist_quiet(when, S_REFL, a, b);
		/* The first entry on a vmcs02 writes all it needs, once each. */
		if (stat_desc[S_V02_WRITES])
			result(w > 0 && w <= NR_VMCS12_FIELDS,
			       "%s: nvmx_vmcs02_writes %llu in 1..%u",
			       when, (unsigned long long)w, NR_VMCS12_FIELDS);
		break;
	case 1:
		expect_delta(when, S_NESTED_RUN, 0, a, b, NR_CPUID - 1);
		expect_delta(when, S_L1, R_VMLAUNCH, a, b, 0);
		expect_delta(when, S_L1, R_VMRESUME, a, b, NR_CPUID - 1);
		expect_delta(when, S_REFL, R_CPUID, a, b, NR_CPUID - 1);
		expect_delta(when, S_L0, R_RDMSR, a, b, NR_RDMSR);
		/* A VMRESUME rewrites less than the first entry did. */
		if (stat_desc[S_V02_WRITES])
			result(w > 0 && w < a->v[S_V02_WRITES][0],
			       "%s: nvmx_vmcs02_writes %llu nonzero, below out 0's %llu",
			       when, (unsigned long long)w,
			       (unsigned long long)a->v[S_V02_WRITES][0]);
		*w_plain = w;
		break;
	case 2:
		expect_delta(when, S_NESTED_RUN, 0, a, b, 1);
		expect_delta(when, S_L1, R_VMRESUME, a, b, 1);
		expect_delta(when, S_REFL, R_CPUID, a, b, 1);
		expect_delta(when, S_L0, R_RDMSR, a, b, 0);
		/* One more field L1 wrote since the last entry: one more write. */
		expect_value(when, S_V02_WRITES, b, *w_plain + 1);
		break;
	default:
		/* Only L2 ran, and no nested entry happened. */
		expect_delta(when, S_NESTED_RUN, 0, a, b, 0);
		expect_hist_quiet(when, S_L1, a, b);
		expect_hist_quiet(when, S_REFL, a, b);
		expect_value(when, S_V02_WRITES, b, a->v[S_V02_WRITES][0]);
		break;
	}
}

static void check_back(const struct snap *pre, const struct snap *last_out,
		       const struct snap *b)
{
	const char *when = "back in L1";

	expect_value(when, S_GUEST_MODE, b, 0);
	expect_delta(when, S_NESTED_RUN, 0, last_out, b, 0);
	expect_delta(when, S_REFL, R_VMCALL, last_out, b, 1);
	expect_delta(when, S_L0, R_IO, last_out, b, 0);
	expect_exits_sum(when, last_out, b);

	when = "whole run";
	expect_delta(when, S_NESTED_RUN, 0, pre, b, NR_CPUID + 1);
	expect_delta(when, S_L1, R_VMLAUNCH, pre, b, 1);
	expect_delta(when, S_L1, R_VMRESUME, pre, b, NR_CPUID);
	expect_delta(when, S_REFL, R_CPUID, pre, b, NR_CPUID);
	expect_delta(when, S_L0, R_RDMSR, pre, b, NR_RDMSR);
	expect_delta(when, S_L0, R_IO, pre, b, NR_OUT);
	expect_exits_sum(when, pre, b);
}

/* Tracing: nvmx's three exit events over the whole run of the vCPU. */
static const char * const trace_events[] = {
	"nvmx_exit", "nvmx_nested_vmexit", "nvmx_nested_vmexit_inject",
};

static int trace_enable(const char *val)
{
	char path[128];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(trace_events); i++) {
		snprintf(path, sizeof(path), TRACING "/events/nvmx/%s/enable",
			 trace_events[i]);
		if (write_file(path, val))
			return -1;
	}
	return 0;
}

/* Whether to trace: nvmx with tracefs. Fails if nvmx's events are missing. */
static bool trace_start(void)
{
	if (!nvmx) {
		ksft_test_result_skip("tracepoints: the nvmx events are nvmx's\n");
		return false;
	}
	if (access(TRACING "/events", F_OK)) {
		ksft_test_result_skip("tracepoints: no tracefs at " TRACING "\n");
		return false;
	}
	result(!write_file(TRACING "/tracing_on", "1") &&
	       !write_file(TRACING "/trace", "") && !trace_enable("1"),
	       "tracepoints: nvmx's exit events enabled");
	return true;
}

enum disp { D_L0, D_REFLECTED, D_L0_FOR_L1, NR_D };

static const char * const disp_name[NR_D] = { "L0", "reflected", "L0 for L1" };

struct trace_counts {
	u64 exit_level[3][MAX_BUCKETS];	/* nvmx_exit by level, reason */
	u64 vmexit[NR_D][MAX_BUCKETS];	/* nvmx_nested_vmexit */
	u64 inject[MAX_BUCKETS];	/* nvmx_nested_vmexit_inject */
	u64 exits, vmexits, injects;
	u64 bad;			/* lines of ours that do not parse */
	char first_bad[160];
	u64 io_bad_qual, rdmsr_bad_qual, inject_bad_info;
	unsigned long in_buffer, written;
	bool header;
};

/* The events' TP_printk() formats (src/trace.h), after "name: ". */
#define TAG_INJECT	" nvmx_nested_vmexit_inject: "
#define FMT_INJECT	"vcpu %u reason 0x%x info1 0x%llx info2 0x%x error 0x%x"
#define TAG_VMEXIT	" nvmx_nested_vmexit: "
#define FMT_VMEXIT	"vcpu %u reason %u info1 0x%llx info2 0x%x %n"
#define TAG_EXIT	" nvmx_exit: "
#define FMT_EXIT	"vcpu %u L%u reason %u rip 0x%llx info1 0x%llx info2 0x%x"

static unsigned int bucket(u32 reason)
{
	return min_t(u32, reason & 0xffff, MAX_BUCKETS - 1);
}

static void trace_bad(struct trace_counts *t, const char *line)
{
	if (!t->bad++)
		snprintf(t->first_bad, sizeof(t->first_bad), "%s", line);
}

static void trace_line(struct trace_counts *t, char *line)
{
	unsigned long long rip, info1;
	unsigned int vcpu, level, reason, info2, err, d;
	int n = 0;
	char *p;

	line[strcspn(line, "\n")] = 0;
	if (sscanf(line, "# entries-in-buffer/entries-written: %lu/%lu",
		   &t->in_buffer, &t->written) == 2) {
		t->header = true;
		return;
	}
	p = strstr(line, TAG_INJECT);
	if (p) {
		if (sscanf(p + strlen(TAG_INJECT), FMT_INJECT, &vcpu, &reason,
			   &info1, &info2, &err) != 5 || vcpu) {
			trace_bad(t, line);
			return;
		}
		t->injects++;
		t->inject[bucket(reason)]++;
		/* CPUID and VMCALL exits carry no qualification or event. */
		if ((reason == R_CPUID || reason == R_VMCALL) && (info1 || info2))
			t->inject_bad_info++;
		return;
	}
	p = strstr(line, TAG_VMEXIT);
	if (p) {
		p += strlen(TAG_VMEXIT);
		if (sscanf(p, FMT_VMEXIT, &vcpu, &reason, &info1, &info2,
			   &n) != 4 || !n || vcpu) {
			trace_bad(t, line);
			return;
		}
		for (d = 0; d < NR_D; d++)
			if (!strcmp(p + n, disp_name[d]))
				break;
		if (d == NR_D) {
			trace_bad(t, line);
			return;
		}
		t->vmexits++;
		t->vmexit[d][bucket(reason)]++;
		if (reason == R_IO && info1 != OUT_QUAL)
			t->io_bad_qual++;
		if (reason == R_RDMSR && info1)
			t->rdmsr_bad_qual++;
		return;
	}
	p = strstr(line, TAG_EXIT);
	if (p) {
		if (sscanf(p + strlen(TAG_EXIT), FMT_EXIT, &vcpu, &level,
			   &reason, &rip, &info1, &info2) != 6 ||
		    vcpu || level < 1 || level > 2) {
			trace_bad(t, line);
			return;
		}
		t->exits++;
		t->exit_level[level][bucket(reason)]++;
	}
}

/* Trace bucket by bucket against a histogram read at the end of the run. */
static void expect_trace_hist(const char *what, const u64 *tr,
			      unsigned int s, const struct snap *end)
{
	u64 folded[MAX_BUCKETS] = { 0 };
	unsigned int i, n;

	if (!stat_desc[s])
		return;
	n = stat_desc[s]->size;
	/* The histogram's last bucket also holds every reason above it. */
	for (i = 0; i < MAX_BUCKETS; i++)
		folded[i < n ? i : n - 1] += tr[i];
	for (i = 0; i < n && folded[i] == end->v[s][i]; i++)
		;
	if (i == n)
		result(true, "tracepoints: %s match %s bucket by bucket", what,
		       stat_info[s].name);
	else
		result(false, "tracepoints: %s match %s (reason %u: trace %llu, stat %llu)",
		       what, stat_info[s].name, i,
		       (unsigned long long)folded[i],
		       (unsigned long long)end->v[s][i]);
}

static void trace_check(const struct snap *end)
{
	static struct trace_counts t;
	u64 l0[MAX_BUCKETS], l2 = 0;
	size_t cap = 0;
	char *line = NULL;
	unsigned int i;
	FILE *f;

	result(!trace_enable("0"), "tracepoints: disabled again");
	f = fopen(TRACING "/trace", "r");
	TEST_ASSERT(f, "open " TRACING "/trace");
	while (getline(&line, &cap, f) > 0)
		trace_line(&t, line);
	fclose(f);
	free(line);

	result(t.header && t.in_buffer == t.written,
	       "tracepoints: no event lost (%lu of %lu in the buffer)",
	       t.in_buffer, t.written);
	result(!t.bad, "tracepoints: every line parses (%llu do not%s%s)",
	       (unsigned long long)t.bad, t.bad ? ", the first: " : "",
	       t.first_bad);
	result(t.exits == end->v[S_EXITS][0],
	       "tracepoints: one nvmx_exit per exit (%llu, exits %llu)",
	       (unsigned long long)t.exits,
	       (unsigned long long)end->v[S_EXITS][0]);
	result(t.exit_level[2][R_CPUID] == NR_CPUID &&
	       t.vmexit[D_REFLECTED][R_CPUID] == NR_CPUID &&
	       t.inject[R_CPUID] == NR_CPUID,
	       "tracepoints: %u L2 CPUIDs reflected (nvmx_exit L2 %llu, reflected %llu, injected %llu)",
	       NR_CPUID, (unsigned long long)t.exit_level[2][R_CPUID],
	       (unsigned long long)t.vmexit[D_REFLECTED][R_CPUID],
	       (unsigned long long)t.inject[R_CPUID]);
	result(t.exit_level[2][R_RDMSR] == NR_RDMSR &&
	       t.vmexit[D_L0_FOR_L1][R_RDMSR] == NR_RDMSR && !t.rdmsr_bad_qual,
	       "tracepoints: %u L2 RDMSRs handled by L0 for L1 (nvmx_exit L2 %llu, L0 for L1 %llu, bad info1 %llu)",
	       NR_RDMSR, (unsigned long long)t.exit_level[2][R_RDMSR],
	       (unsigned long long)t.vmexit[D_L0_FOR_L1][R_RDMSR],
	       (unsigned long long)t.rdmsr_bad_qual);
	result(t.exit_level[2][R_IO] == NR_OUT &&
	       t.vmexit[D_L0_FOR_L1][R_IO] == NR_OUT && !t.io_bad_qual,
	       "tracepoints: %u L2 OUTs handled by L0 for L1 (nvmx_exit L2 %llu, L0 for L1 %llu, bad info1 %llu)",
	       NR_OUT, (unsigned long long)t.exit_level[2][R_IO],
	       (unsigned long long)t.vmexit[D_L0_FOR_L1][R_IO],
	       (unsigned long long)t.io_bad_qual);
	result(t.vmexit[D_REFLECTED][R_VMCALL] == 1 && t.inject[R_VMCALL] == 1,
	       "tracepoints: one VMCALL reflected (reflected %llu, injected %llu)",
	       (unsigned long long)t.vmexit[D_REFLECTED][R_VMCALL],
	       (unsigned long long)t.inject[R_VMCALL]);
	result(t.injects == NR_CPUID + 1 && !t.inject_bad_info,
	       "tracepoints: %u nested exits injected into L1 (got %llu, with info %llu)",
	       NR_CPUID + 1, (unsigned long long)t.injects,
	       (unsigned long long)t.inject_bad_info);
	result(t.exit_level[1][R_VMLAUNCH] == 1 &&
	       t.exit_level[1][R_VMRESUME] == NR_CPUID,
	       "tracepoints: L1's VMLAUNCH and %u VMRESUMEs (nvmx_exit L1 %llu, %llu)",
	       NR_CPUID, (unsigned long long)t.exit_level[1][R_VMLAUNCH],
	       (unsigned long long)t.exit_level[1][R_VMRESUME]);
	/* One routing decision per exit from L2. */
	for (i = 0; i < MAX_BUCKETS; i++) {
		l2 += t.exit_level[2][i];
		l0[i] = t.vmexit[D_L0][i] + t.vmexit[D_L0_FOR_L1][i];
	}
	result(l2 == t.vmexits,
	       "tracepoints: one nvmx_nested_vmexit per L2 exit (%llu, %llu)",
	       (unsigned long long)t.vmexits, (unsigned long long)l2);
	expect_trace_hist("nvmx_exit L1", t.exit_level[1], S_L1, end);
	expect_trace_hist("nvmx_nested_vmexit L0 and L0 for L1", l0, S_L0, end);
	expect_trace_hist("nvmx_nested_vmexit reflected",
			  t.vmexit[D_REFLECTED], S_REFL, end);
	expect_trace_hist("nvmx_nested_vmexit_inject", t.inject, S_REFL, end);
}

int main(void)
{
	struct snap pre, prev, cur;
	vm_vaddr_t vmx_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	struct ucall uc;
	unsigned int outs = 0;
	bool tracing, have_pre = false;
	u64 w_plain = 0;
	u8 val;

	setbuf(stdout, NULL);
	require_nested_vmx();
	nvmx = on_nvmx();
	ksft_print_header();

	tracing = trace_start();
	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	run = vcpu->run;
	stats_open(vcpu);

	for (;;) {
		vcpu_run(vcpu);
		TEST_ASSERT(run->exit_reason == KVM_EXIT_IO,
			    "exit reason %u (%s), want KVM_EXIT_IO",
			    run->exit_reason, exit_reason_str(run->exit_reason));
		if (run->io.port == OUT_PORT) {
			TEST_ASSERT(have_pre, "L2's OUT before L1's first sync");
			val = *((u8 *)run + run->io.data_offset);
			TEST_ASSERT(run->io.direction == KVM_EXIT_IO_OUT &&
				    run->io.size == 1 && run->io.count == 1 &&
				    val == outs && outs < NR_OUT,
				    "OUT %u: direction %u size %u count %u value %u",
				    outs, run->io.direction, run->io.size,
				    run->io.count, val);
			stats_read(&cur);
			check_out(outs++, &prev, &cur, &w_plain);
			prev = cur;
			continue;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			stats_read(&cur);
			if (uc.args[1] == STAGE_PRE) {
				expect_value("pre", S_GUEST_MODE, &cur, 0);
				expect_value("pre", S_NESTED_RUN, &cur, 0);
				pre = cur;
				prev = cur;
				have_pre = true;
				break;
			}
			TEST_ASSERT(uc.args[1] == STAGE_BACK && outs == NR_OUT,
				    "sync %lu after %u OUTs", uc.args[1], outs);
			check_back(&pre, &prev, &cur);
			if (tracing)
				trace_check(&cur);
			break;
		case UCALL_DONE:
			kvm_vm_free(vm);
			ksft_set_plan(ksft_test_num());
			results_done();
			return 0;
		case UCALL_ABORT:
			if (tracing)
				trace_enable("0");
			REPORT_GUEST_ASSERT_2(uc, "values: %#lx, %#lx");
			break;
		default:
			TEST_FAIL("unexpected ucall %lu", uc.cmd);
		}
	}
}
