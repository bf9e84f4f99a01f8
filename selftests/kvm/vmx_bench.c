// SPDX-License-Identifier: GPL-2.0
/*
 * vmx_bench: the cost of nested VMX round trips, measured by the guests
 * themselves (RDTSC around ITERATIONS operations, minus the same loop
 * with a NOP) and by L0's `exits` vCPU stat (read at a GUEST_SYNC before
 * and after each loop, minus the NOP loop's count):
 *
 *   - L1 CPUID, not nested, for scale;
 *   - L2 CPUID reflected to L1, which reads the exit reason and
 *     instruction length, advances GUEST_RIP and resumes L2;
 *   - L2 RDMSR of IA32_APIC_BASE, which L0 intercepts and L1's (empty)
 *     MSR bitmap does not: L0 handles it on L1's behalf;
 *   - and nvmx's `nvmx_vmcs02_writes` stat (VMCS field writes of the last
 *     nested entry) after the VMLAUNCH and after a VMRESUME that follows a
 *     VMCALL exit; kvm_intel has no such stat ("n/a").
 *
 * Without arguments it measures the device at /dev/kvm (nvmx under
 * nvmx-run), as the other libkvm programs do, and prints TAP plus one
 * "row" line per table row. `vmx_bench --table` runs itself that way on
 * /dev/nvmx (through the nvmx-run next to it) and on /dev/kvm, and prints
 * the Markdown table of both. A benchmark, not a timed test: it asserts
 * only that the runs did what they should and that the counts are sane.
 */
#include <stdlib.h>

#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define ITERATIONS	1000
#define L2_STACK_WORDS	512

/* Each phase runs between two GUEST_SYNCs: phase p between p and p + 1. */
enum bench_phase {
	PH_L1_NONE,
	PH_L1_CPUID,
	PH_L2_LAUNCH,	/* NOP loop entered by VMLAUNCH: for its VMCS writes */
	PH_L2_WARM,	/* every L2 loop once, unmeasured (see l1_code()) */
	PH_L2_NONE,	/* the same entered by VMRESUME: the L2 baseline */
	PH_L2_CPUID,
	PH_L2_RDMSR,
	NR_PHASES
};

/* The table's rows, in order; "row ID CELL CELL" lines carry them. */
enum bench_row {
	ROW_L1_CPUID,
	ROW_L2_CPUID,
	ROW_L2_RDMSR,
	ROW_L2_NONE,
	ROW_WRITES_LAUNCH,
	ROW_WRITES_RESUME,
	NR_ROWS
};

static const char * const row_names[NR_ROWS] = {
	[ROW_L1_CPUID] = "L1 CPUID (not nested, for scale)",
	[ROW_L2_CPUID] = "L2 CPUID reflected to L1 and back",
	[ROW_L2_RDMSR] = "L2 RDMSR IA32_APIC_BASE, L0 handles it for L1",
	[ROW_L2_NONE] = "(L2 loop without exits: ticks of the whole loop, exits of its phase)",
	[ROW_WRITES_LAUNCH] = "VMCS field writes, VMLAUNCH (first nested entry)",
	[ROW_WRITES_RESUME] = "VMCS field writes, VMRESUME after a VMCALL exit",
};

/* Shared by L1, L2 and the host (the same addresses in all three). */
static u64 l2_stack[L2_STACK_WORDS] __aligned(16);
static u64 l2_phase;			/* set by L1 before each entry */
static u64 ticks[NR_PHASES];		/* guest TSC delta of each loop */
static u64 l1_apic_base, l2_apic_base;

/*
 * L2's loops: one function per instruction, all the same shape, so that
 * the NOP loop's overhead is the others' too. l2_insn() keeps nothing in
 * registers across the instruction (L1 resumes L2 with L1's GPRs).
 */
#define L2_TIMED(insn, msr)						\
({									\
	u64 __t0 = rdtsc(), __i;					\
									\
	for (__i = 0; __i < ITERATIONS; __i++)				\
		l2_insn(insn, 0, msr, 0);				\
	rdtsc() - __t0;							\
})

static noinline u64 l2_loop_none(void)
{
	return L2_TIMED("nop", 0);
}

static noinline u64 l2_loop_cpuid(void)
{
	return L2_TIMED("cpuid", 0);
}

static noinline u64 l2_loop_rdmsr(void)
{
	return L2_TIMED("rdmsr", MSR_IA32_APICBASE);
}

static void l2_code(void)
{
	for (;;) {
		switch (READ_ONCE(l2_phase)) {
		case PH_L2_CPUID:
			ticks[PH_L2_CPUID] = l2_loop_cpuid();
			break;
		case PH_L2_RDMSR:
			ticks[PH_L2_RDMSR] = l2_loop_rdmsr();
			break;
		case PH_L2_WARM:
			ticks[PH_L2_WARM] = l2_loop_none() + l2_loop_cpuid() +
					    l2_loop_rdmsr();
			/* One more exit: here, where it is not counted. */
			l2_apic_base = rdmsr(MSR_IA32_APICBASE);
			break;
		default:
			ticks[READ_ONCE(l2_phase)] = l2_loop_none();
			break;
		}
		l2_vmcall();
	}
}

/* L1's loops: its registers survive its own exits, as any guest's do. */
#define L1_TIMED(insn)							\
({									\
	u64 __t0 = rdtsc(), __i;					\
	u32 __a, __b, __c, __d;						\
									\
	for (__i = 0; __i < ITERATIONS; __i++) {			\
		__a = 0;						\
		__c = 0;						\
		asm volatile(insn : "+a"(__a), "=b"(__b), "+c"(__c), "=d"(__d)); \
	}								\
	rdtsc() - __t0;							\
})

static noinline u64 l1_loop_none(void)
{
	return L1_TIMED("nop");
}

static noinline u64 l1_loop_cpuid(void)
{
	return L1_TIMED("cpuid");
}

/*
 * Runs L2 for one phase: each exit L1 sees is handled the same way (exit
 * reason, instruction length, GUEST_RIP advanced), until L2's VMCALL.
 */
static void l1_run_phase(u64 phase, bool launch)
{
	u64 reason, len, cpuids = 0;

	WRITE_ONCE(l2_phase, phase);
	if (launch)
		GUEST_ASSERT_1(!vmlaunch(), vmreadz(VM_INSTRUCTION_ERROR));
	else
		GUEST_ASSERT_1(!vmresume(), vmreadz(VM_INSTRUCTION_ERROR));
	for (;;) {
		reason = vmreadz(VM_EXIT_REASON);
		len = vmreadz(VM_EXIT_INSTRUCTION_LEN);
		GUEST_ASSERT(!vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) + len));
		if (reason == EXIT_REASON_VMCALL)
			break;
		/* Only L2's CPUID loop exits to L1 before the VMCALL. */
		GUEST_ASSERT_2((phase == PH_L2_CPUID || phase == PH_L2_WARM) &&
			       reason == EXIT_REASON_CPUID, phase, reason);
		GUEST_ASSERT_1(len == 2, len);
		cpuids++;
		GUEST_ASSERT_1(!vmresume(), vmreadz(VM_INSTRUCTION_ERROR));
	}
	GUEST_ASSERT_1(len == 3, len);
	GUEST_ASSERT_2(cpuids == (phase == PH_L2_CPUID || phase == PH_L2_WARM ?
				  ITERATIONS : 0), phase, cpuids);
}

static void l1_code(struct vmx_pages *vmx)
{
	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	/* RSP as after a CALL, so L2's code finds the stack it expects. */
	prepare_vmcs(vmx, l2_code, &l2_stack[L2_STACK_WORDS - 1]);
	/* vmx->msr is a zeroed page: with MSR bitmaps, no MSR exits to L1. */
	GUEST_ASSERT(vmx_proc_update(CPU_BASED_USE_MSR_BITMAPS, 0));
	l1_apic_base = rdmsr(MSR_IA32_APICBASE);
	/*
	 * Touch the loops' code and data first: L0 maps guest memory on
	 * first use (and kvm_intel maps it again for L2, whose EPT root is
	 * its own), and those exits must not land in a measured phase.
	 */
	ticks[PH_L1_NONE] = l1_loop_none() + l1_loop_cpuid();

	GUEST_SYNC(PH_L1_NONE);
	ticks[PH_L1_NONE] = l1_loop_none();
	GUEST_SYNC(PH_L1_CPUID);
	ticks[PH_L1_CPUID] = l1_loop_cpuid();
	GUEST_SYNC(PH_L2_LAUNCH);
	l1_run_phase(PH_L2_LAUNCH, true);
	GUEST_SYNC(PH_L2_WARM);
	l1_run_phase(PH_L2_WARM, false);
	GUEST_SYNC(PH_L2_NONE);
	l1_run_phase(PH_L2_NONE, false);
	GUEST_SYNC(PH_L2_CPUID);
	l1_run_phase(PH_L2_CPUID, false);
	GUEST_SYNC(PH_L2_RDMSR);
	l1_run_phase(PH_L2_RDMSR, false);
	GUEST_SYNC(NR_PHASES);
	GUEST_DONE();
}

/* The vCPU stats read at each sync; kvm_intel has no vmcs02 writes. */
enum { S_EXITS, S_WRITES, NR_S };

static const char *const stat_names[NR_S] = { "exits", "nvmx_vmcs02_writes" };

/*
 * kvm_intel's enable_shadow_vmcs parameter, for the log: with VMCS
 * shadowing, L1's VMREAD/VMWRITE of the fields KVM shadows do not exit.
 */
static char shadow_vmcs_param(void)
{
	FILE *f = fopen("/sys/module/kvm_intel/parameters/enable_shadow_vmcs", "r");
	int c = EOF;

	if (f) {
		c = fgetc(f);
		fclose(f);
	}
	return c == EOF ? '?' : c;
}

/* The stats at each GUEST_SYNC: phase p runs between syncs p and p + 1. */
static u64 exits_at[NR_PHASES + 1];
static u64 writes_at[NR_PHASES + 1];
static bool has_writes;

static u64 phase_exits(enum bench_phase p)
{
	return exits_at[p + 1] - exits_at[p];
}

/*
 * Per operation, over the NOP loop of the same level: ticks, and exits in
 * thousandths. Returns false when the operation's phase is not above the
 * baseline by at least @min_exits exits per operation.
 */
static bool per_op(enum bench_phase op, enum bench_phase none, u64 min_exits,
		   u64 *t, u64 *e1000)
{
	s64 dt = ticks[op] - ticks[none];
	s64 de = phase_exits(op) - phase_exits(none);

	*t = dt > 0 ? dt / ITERATIONS : 0;
	*e1000 = de > 0 ? de * 1000 / ITERATIONS : 0;
	return dt > 0 && de >= (s64)(min_exits * ITERATIONS);
}

static void measure_row(enum bench_row row, enum bench_phase op,
			enum bench_phase none, u64 min_exits)
{
	u64 t, e;
	bool ok = per_op(op, none, min_exits, &t, &e);

	result(ok, "%s: %lu ticks, %lu.%03lu L0 exits (at least %lu)",
	       row_names[row], t, e / 1000, e % 1000, min_exits);
	printf("row %d %lu %lu.%03lu\n", row, t, e / 1000, e % 1000);
}

static int measure(void)
{
	bool nvmx = on_nvmx();
	struct kvm_stats_desc *desc[NR_S];
	struct nested_stats stats;
	struct kvm_vcpu *vcpu;
	vm_vaddr_t vmx_gva;
	unsigned int sync;
	struct kvm_vm *vm;
	u64 apic1, apic2, wl, wr, v[NR_S];

	setbuf(stdout, NULL);
	require_nested_vmx();
	ksft_print_header();
	ksft_set_plan(nvmx ? 6 : 4);
	if (!nvmx)
		ksft_print_msg("kvm_intel enable_shadow_vmcs=%c\n", shadow_vmcs_param());

	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	nested_stats_open(&stats, vcpu, stat_names, NR_S, 1, desc);
	TEST_ASSERT(desc[S_EXITS], "the vCPU stats have no \"exits\"");

	for (sync = 0; sync <= NR_PHASES; sync++) {
		run_to(vcpu, sync);
		nested_stats_read(&stats, v);
		exits_at[sync] = v[S_EXITS];
		has_writes = desc[S_WRITES];
		writes_at[sync] = v[S_WRITES];
	}
	run_to(vcpu, RUN_TO_DONE);
	close(stats.fd);
	sync_global_from_guest(vm, ticks);
	sync_global_from_guest(vm, l1_apic_base);
	sync_global_from_guest(vm, l2_apic_base);
	apic1 = l1_apic_base;
	apic2 = l2_apic_base;
	kvm_vm_free(vm);

	measure_row(ROW_L1_CPUID, PH_L1_CPUID, PH_L1_NONE, 1);
	/* L2's exit, and at least L1's VMRESUME. */
	measure_row(ROW_L2_CPUID, PH_L2_CPUID, PH_L2_NONE, 2);
	measure_row(ROW_L2_RDMSR, PH_L2_RDMSR, PH_L2_NONE, 1);
	printf("row %d %lu %lu\n", ROW_L2_NONE, ticks[PH_L2_NONE], phase_exits(PH_L2_NONE));
	/* L0 read the MSR for L2 as L1 sees it (L1 does not intercept it). */
	result(apic2 == apic1, "l2_rdmsr_reads_l1_apic_base (L2 0x%lx, L1 0x%lx)",
	       apic2, apic1);

	if (nvmx) {
		/* Written after each nested entry: the stat at the next sync. */
		wl = writes_at[PH_L2_LAUNCH + 1];
		wr = writes_at[PH_L2_NONE + 1];
		result(has_writes && wr > 0,
		       "nvmx_vmcs02_writes after a VMRESUME: %lu (stat %s)",
		       wr, has_writes ? "present" : "missing");
		/* The first entry writes the constant fields and every row. */
		result(has_writes && wl > wr,
		       "nvmx_vmcs02_writes at VMLAUNCH %lu > at VMRESUME %lu", wl, wr);
		printf("row %d %lu -\n", ROW_WRITES_LAUNCH, wl);
		printf("row %d %lu -\n", ROW_WRITES_RESUME, wr);
	} else {
		printf("row %d n/a -\n", ROW_WRITES_LAUNCH);
		printf("row %d n/a -\n", ROW_WRITES_RESUME);
	}
	results_done();
	return 0;
}

/* --table: this program on each device, then one table of both. */
struct bench_dev {
	const char *name;
	bool via_nvmx_run;
	int status;
	char cells[NR_ROWS][2][32];
};

/* A "row" line of the run on @arg (a struct bench_dev) into its cells. */
static bool bench_row(const char *line, void *arg)
{
	struct bench_dev *d = arg;
	char c1[32], c2[32];
	int row;

	if (sscanf(line, "row %d %31s %31s", &row, c1, c2) != 3 ||
	    row < 0 || row >= NR_ROWS)
		return false;
	strcpy(d->cells[row][0], c1);
	strcpy(d->cells[row][1], strcmp(c2, "-") ? c2 : "");
	return true;
}

static int table(void)
{
	struct bench_dev devs[] = {
		{ .name = "/dev/nvmx", .via_nvmx_run = true },
		{ .name = "/dev/kvm" },
	};
	int i, r, rc = 0;

	for (i = 0; i < (int)ARRAY_SIZE(devs); i++) {
		for (r = 0; r < NR_ROWS; r++) {
			strcpy(devs[i].cells[r][0], "?");
			strcpy(devs[i].cells[r][1], "?");
		}
		devs[i].status = run_self("vmx_bench", devs[i].name,
					  devs[i].via_nvmx_run, bench_row, &devs[i]);
		if (devs[i].status && (!rc || rc == KSFT_SKIP))
			rc = devs[i].status;
	}
	printf("| nested (%d per run) |", ITERATIONS);
	for (i = 0; i < (int)ARRAY_SIZE(devs); i++)
		printf(" %s ticks | %s L0 exits |", devs[i].name, devs[i].name);
	printf("\n|---|");
	for (i = 0; i < (int)ARRAY_SIZE(devs); i++)
		printf("---|---|");
	printf("\n");
	for (r = 0; r < NR_ROWS; r++) {
		printf("| %s |", row_names[r]);
		for (i = 0; i < (int)ARRAY_SIZE(devs); i++)
			printf(" %s | %s |", devs[i].cells[r][0], devs[i].cells[r][1]);
		printf("\n");
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--table"))
		return table();
	TEST_ASSERT(argc == 1, "usage: vmx_bench [--table]");
	return measure();
}
