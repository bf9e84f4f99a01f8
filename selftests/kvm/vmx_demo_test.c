// SPDX-License-Identifier: GPL-2.0
/*
 * The nested-VMX demo (`make demo`): L1 launches L2 on a short, fixed
 * workload, and the program prints where each exit went, as a Markdown
 * table from the vCPU's binary stats.
 *
 * L2's workload, and where each step's exits should go:
 *   CPUID x NR_CPUID       always L1's: reflected, L1 skips them
 *   MOV CR0 (TS, MP), x2   L1's CR0 mask is 0: no exit, or L0's only
 *   MOV CR4 (PGE), x2      L1 does not mask PGE: L0's only
 *   MOV CR4 (TSD), x2      L1 masks TSD: reflected, L1 emulates the write
 *   MOV CR8 r, w, r, w     no TPR shadow in vmcs12 and no CR8 exiting:
 *                          nvmx serves them from L1's TPR page (TPR
 *                          row SHADOWING): no exit; kvm_intel's L0
 *                          handles each for L1
 *   RDMSR x NR_RDMSR       IA32_MISC_ENABLE, not in L1's MSR bitmap: L0
 *   OUT x NR_OUT           L1 has no I/O exiting: to userspace
 *   VMCALL                 reflected: back to L1
 *
 * The counting window runs from L1's sync before VMLAUNCH to its sync
 * after the VMCALL (both syncs are L1 I/O exits in it too). The program
 * fails, after printing, unless its numbers agree: on nvmx every hardware
 * exit is in exactly one histogram (their sum is the rise of `exits`),
 * the reflected histogram is what L1 saw reason by reason, the L1 exits
 * hold one VMLAUNCH and a VMRESUME per resumption, and nested_run counts
 * L1's entries; kvm_intel has only exits and nested_run, which are held to
 * L1's entries and a lower bound on the exits.
 */
#include <stdlib.h>

#include "test_util.h"

#include "vmx_nested.h"

#define NR_CPUID	3
#define NR_RDMSR	2
#define NR_OUT		1
#define DEMO_PORT	0x5e1	/* no device of KVM's or nvmx's */
#define L1_CR4_MASK	X86_CR4_TSD
#define L2_CR8		2
#define L2_STACK_WORDS	512

#define STAGE_PRE	1
#define STAGE_BACK	2

/* Basic exit reasons, named as in the SDM (appendix C). */
#define NR_REASONS	80	/* nvmx's histograms; the last bucket holds the rest */
#define R_CPUID		10
#define R_VMCALL	18
#define R_VMLAUNCH	20
#define R_VMRESUME	24
#define R_CR		28
#define R_IO		30
#define R_RDMSR		31

static const char * const reason_name[NR_REASONS] = {
	[0] = "exception or NMI", [1] = "external interrupt",
	[2] = "triple fault", [3] = "INIT", [4] = "SIPI", [5] = "I/O SMI",
	[6] = "other SMI", [7] = "interrupt window", [8] = "NMI window",
	[9] = "task switch", [10] = "CPUID", [11] = "GETSEC", [12] = "HLT",
	[13] = "INVD", [14] = "INVLPG", [15] = "RDPMC", [16] = "RDTSC",
	[17] = "RSM", [18] = "VMCALL", [19] = "VMCLEAR", [20] = "VMLAUNCH",
	[21] = "VMPTRLD", [22] = "VMPTRST", [23] = "VMREAD",
	[24] = "VMRESUME", [25] = "VMWRITE", [26] = "VMXOFF", [27] = "VMXON",
	[28] = "CR access", [29] = "MOV DR", [30] = "I/O instruction",
	[31] = "RDMSR", [32] = "WRMSR", [33] = "invalid guest state",
	[34] = "MSR loading", [36] = "MWAIT", [37] = "monitor trap flag",
	[39] = "MONITOR", [40] = "PAUSE", [41] = "machine check in entry",
	[43] = "TPR below threshold", [44] = "APIC access",
	[45] = "virtualized EOI", [46] = "GDTR/IDTR access",
	[47] = "LDTR/TR access", [48] = "EPT violation",
	[49] = "EPT misconfiguration", [50] = "INVEPT", [51] = "RDTSCP",
	[52] = "preemption timer", [53] = "INVVPID", [54] = "WBINVD",
	[55] = "XSETBV", [56] = "APIC write", [57] = "RDRAND",
	[58] = "INVPCID", [59] = "VMFUNC", [60] = "ENCLS", [61] = "RDSEED",
	[62] = "PML full", [63] = "XSAVES", [64] = "XRSTORS",
};

static u64 l2_stack[L2_STACK_WORDS] __aligned(16);
static u64 l1_misc_enable;	/* L1's IA32_MISC_ENABLE */
static u64 l2_cr4_new;		/* the CR4 value L2 is writing, for L1 */
static u64 l2_bad;		/* L2's read-backs that were wrong */
static u64 l1_seen[NR_REASONS];	/* exits L1 got from L2, by reason */
static u64 l1_entries;		/* L1's VMLAUNCH and VMRESUMEs */

/* Flip @bits of CR0 (CR4) and restore them: two writes, no FPU use between. */
static void l2_flip_cr0(u64 bits)
{
	u64 v;

	asm volatile("mov %%cr0, %0\n\txor %1, %0\n\tmov %0, %%cr0\n\t"
		     "xor %1, %0\n\tmov %0, %%cr0"
		     : "=&r"(v) : "r"(bits) : "memory");
}

static void l2_flip_cr4(u64 bits)
{
	u64 v;

	asm volatile("mov %%cr4, %0\n\txor %1, %0\n\tmov %0, %%cr4\n\t"
		     "xor %1, %0\n\tmov %0, %%cr4"
		     : "=&r"(v) : "r"(bits) : "memory");
}

/* A MOV to CR4 that L1 intercepts: it emulates from l2_cr4_new. */
static void l2_write_cr4_reflected(u64 val)
{
	l2_cr4_new = val;
	l2_insn("mov %%rax, %%cr4", val, 0, 0);
	if (get_cr4() != val)
		l2_bad++;
}

static void l2_code(void)
{
	u64 cr4, cr8, lo, hi;
	int i;

	for (i = 0; i < NR_CPUID; i++)
		l2_insn("cpuid", 0, 0, 0);
	l2_flip_cr0(X86_CR0_TS | X86_CR0_MP);
	l2_flip_cr4(X86_CR4_PGE);
	cr4 = get_cr4();
	l2_write_cr4_reflected(cr4 ^ L1_CR4_MASK);
	l2_write_cr4_reflected(cr4);
	asm volatile("mov %%cr8, %0" : "=r"(cr8));
	asm volatile("mov %0, %%cr8" : : "r"((u64)L2_CR8) : "memory");
	asm volatile("mov %%cr8, %0" : "=r"(lo));
	if (lo != L2_CR8)
		l2_bad++;
	asm volatile("mov %0, %%cr8" : : "r"(cr8) : "memory");
	for (i = 0; i < NR_RDMSR; i++) {
		asm volatile("rdmsr" : "=a"(lo), "=d"(hi)
			     : "c"(MSR_IA32_MISC_ENABLE));
		if (((u32)hi * (1ULL << 32) | (u32)lo) != l1_misc_enable)
			l2_bad++;
	}
	for (i = 0; i < NR_OUT; i++)
		asm volatile("outb %0, %1" : : "a"((u8)i), "d"((u16)DEMO_PORT)
			     : "memory");
	l2_vmcall();
	/* L1 does not resume L2 after the VMCALL. */
	GUEST_ASSERT(0);
}

/* L1's emulation of the MOV to CR4 it intercepts: only its masked bits. */
static void l1_emulate_cr4(void)
{
	u64 qual = vmreadz(EXIT_QUALIFICATION);
	u64 g = vmreadz(GUEST_CR4), s = vmreadz(CR4_READ_SHADOW);

	/* Bits 3:0 the CR, bits 5:4 the access type (0: MOV to CR). */
	GUEST_ASSERT_1((qual & 0x3f) == 4, qual);
	GUEST_ASSERT(!vmwrite(GUEST_CR4, (g & ~L1_CR4_MASK) |
			      (l2_cr4_new & L1_CR4_MASK)));
	GUEST_ASSERT(!vmwrite(CR4_READ_SHADOW, (s & ~L1_CR4_MASK) |
			      (l2_cr4_new & L1_CR4_MASK)));
}

static void l1_code(struct vmx_pages *vmx)
{
	u64 reason;
	int r;

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_code, &l2_stack[L2_STACK_WORDS - 1]);
	/* L2's I/O and MSR accesses are not L1's (vmx->msr is zeroed). */
	GUEST_ASSERT(vmx_proc_update(CPU_BASED_USE_MSR_BITMAPS,
				     CPU_BASED_UNCOND_IO_EXITING |
				     CPU_BASED_USE_IO_BITMAPS |
				     CPU_BASED_CR8_LOAD_EXITING |
				     CPU_BASED_CR8_STORE_EXITING |
				     CPU_BASED_TPR_SHADOW));
	GUEST_ASSERT(!vmwrite(CR4_GUEST_HOST_MASK, L1_CR4_MASK));
	l1_misc_enable = rdmsr(MSR_IA32_MISC_ENABLE);
	GUEST_SYNC(STAGE_PRE);

	r = vmlaunch();
	for (;;) {
		l1_entries++;
		GUEST_ASSERT_2(!r, l1_entries, vmreadz(VM_INSTRUCTION_ERROR));
		reason = vmreadz(VM_EXIT_REASON);
		GUEST_ASSERT_1(reason < NR_REASONS, reason);
		/* The bound again: the compiler does not know the assert stops. */
		l1_seen[min_t(u64, reason, NR_REASONS - 1)]++;
		if (reason == R_VMCALL)
			break;
		if (reason == R_CR)
			l1_emulate_cr4();
		else
			GUEST_ASSERT_1(reason == R_CPUID, reason);
		GUEST_ASSERT(!vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) +
				      vmreadz(VM_EXIT_INSTRUCTION_LEN)));
		r = vmresume();
	}
	GUEST_ASSERT_1(!l2_bad, l2_bad);
	GUEST_SYNC(STAGE_BACK);
	GUEST_DONE();
}

/* The vCPU stats the demo reads; a histogram has NR_REASONS buckets at most. */
enum { S_EXITS, S_NESTED_RUN, S_GUEST_MODE, S_V02, S_L1, S_L0, S_REFL, NR_S };

static const char * const stat_name[NR_S] = {
	[S_EXITS] = "exits", [S_NESTED_RUN] = "nested_run",
	[S_GUEST_MODE] = "guest_mode", [S_V02] = "nvmx_vmcs02_writes",
	[S_L1] = "nvmx_l1_exits", [S_L0] = "nvmx_l2_exits_l0",
	[S_REFL] = "nvmx_l2_exits_reflected",
};

static struct nested_stats stats;
static struct kvm_stats_desc *stat_desc[NR_S];	/* NULL: absent */

struct snap {
	u64 v[NR_S][NR_REASONS];
};

static void stats_open(struct kvm_vcpu *vcpu)
{
	nested_stats_open(&stats, vcpu, stat_name, NR_S, NR_REASONS, stat_desc);
}

static void stats_read(struct snap *sn)
{
	nested_stats_read(&stats, &sn->v[0][0]);
}

static u64 delta(const struct snap *a, const struct snap *b, unsigned int s,
		 unsigned int i)
{
	return b->v[s][i] - a->v[s][i];
}

static const char *reason_str(unsigned int i, char *buf, size_t len)
{
	if (i == NR_REASONS - 1)
		snprintf(buf, len, "%u and above", i);
	else if (reason_name[i])
		snprintf(buf, len, "%u %s", i, reason_name[i]);
	else
		snprintf(buf, len, "%u", i);
	return buf;
}

/* nvmx: the table, then its consistency with itself and with L1's count. */
static void report_nvmx(const struct snap *a, const struct snap *b,
			unsigned int outs)
{
	u64 tot[NR_S] = { 0 }, exits = delta(a, b, S_EXITS, 0);
	u64 runs = delta(a, b, S_NESTED_RUN, 0);
	unsigned int i, s;
	char buf[48];

	for (s = S_EXITS; s < S_L1; s++)
		TEST_ASSERT(stat_desc[s], "nvmx has no stat %s", stat_name[s]);
	for (s = S_L1; s <= S_REFL; s++)
		TEST_ASSERT(stat_desc[s] && stat_desc[s]->size == NR_REASONS,
			    "nvmx's histogram %s is missing or not %u buckets",
			    stat_name[s], NR_REASONS);

	printf("| exit reason | L1 exits | L2 → L0 | L2 → L1 (reflected) |\n");
	printf("|---|--:|--:|--:|\n");
	for (i = 0; i < NR_REASONS; i++) {
		for (s = S_L1; s <= S_REFL; s++)
			tot[s] += delta(a, b, s, i);
		if (!delta(a, b, S_L1, i) && !delta(a, b, S_L0, i) &&
		    !delta(a, b, S_REFL, i))
			continue;
		printf("| %s | %llu | %llu | %llu |\n",
		       reason_str(i, buf, sizeof(buf)),
		       (unsigned long long)delta(a, b, S_L1, i),
		       (unsigned long long)delta(a, b, S_L0, i),
		       (unsigned long long)delta(a, b, S_REFL, i));
	}
	printf("| **total** | %llu | %llu | %llu |\n\n",
	       (unsigned long long)tot[S_L1], (unsigned long long)tot[S_L0],
	       (unsigned long long)tot[S_REFL]);
	printf("exits %llu, nested_run %llu, nvmx_vmcs02_writes of the last nested entry %llu\n",
	       (unsigned long long)exits, (unsigned long long)runs,
	       (unsigned long long)b->v[S_V02][0]);

	TEST_ASSERT(exits == tot[S_L1] + tot[S_L0] + tot[S_REFL],
		    "exits rose by %llu, the histograms by %llu",
		    (unsigned long long)exits,
		    (unsigned long long)(tot[S_L1] + tot[S_L0] + tot[S_REFL]));
	for (i = 0; i < NR_REASONS; i++)
		TEST_ASSERT(delta(a, b, S_REFL, i) == l1_seen[i],
			    "reason %u: %llu reflected, L1 saw %llu", i,
			    (unsigned long long)delta(a, b, S_REFL, i),
			    (unsigned long long)l1_seen[i]);
	TEST_ASSERT(delta(a, b, S_L1, R_VMLAUNCH) == 1 &&
		    delta(a, b, S_L1, R_VMRESUME) == l1_entries - 1,
		    "L1 exits: %llu VMLAUNCH, %llu VMRESUME; L1 made 1 and %llu",
		    (unsigned long long)delta(a, b, S_L1, R_VMLAUNCH),
		    (unsigned long long)delta(a, b, S_L1, R_VMRESUME),
		    (unsigned long long)(l1_entries - 1));
	TEST_ASSERT(delta(a, b, S_L0, R_IO) == outs &&
		    delta(a, b, S_L0, R_RDMSR) == NR_RDMSR,
		    "L2 -> L0: %llu I/O (%u OUTs reached userspace), %llu RDMSR (want %u)",
		    (unsigned long long)delta(a, b, S_L0, R_IO), outs,
		    (unsigned long long)delta(a, b, S_L0, R_RDMSR), NR_RDMSR);
	/*
	 * No TPR shadow in vmcs12: vmcs02 uses L1's TPR page (embodiment
	 * 1), the four CR8 accesses do not exit; vmx_tpr_test counts them.
	 */
}

/* kvm_intel: its totals, held to what L1 and userspace saw. */
static void report_kvm(const struct snap *a, const struct snap *b,
		       unsigned int outs)
{
	u64 exits = delta(a, b, S_EXITS, 0), runs = delta(a, b, S_NESTED_RUN, 0);
	u64 refl = 0, least;
	unsigned int i;

	TEST_ASSERT(stat_desc[S_EXITS] && stat_desc[S_NESTED_RUN],
		    "kvm_intel lacks the exits or nested_run stat");
	for (i = 0; i < NR_REASONS; i++)
		refl += l1_seen[i];
	printf("| exits | nested_run |\n|--:|--:|\n| %llu | %llu |\n\n",
	       (unsigned long long)exits, (unsigned long long)runs);
	printf("(kvm_intel has no per-level exit histograms)\n");
	/*
	 * At least: L1's entries, the exits L1 got, L2's OUTs, RDMSRs (L0
	 * intercepts IA32_MISC_ENABLE) and four CR8 accesses (vmcs12 has no
	 * TPR shadow), and L1's final sync.
	 */
	least = l1_entries + refl + outs + NR_RDMSR + 4 + 1;
	TEST_ASSERT(exits >= least, "exits rose by %llu, below the %llu seen",
		    (unsigned long long)exits, (unsigned long long)least);
}

int main(void)
{
	static struct snap pre, post;
	vm_vaddr_t vmx_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	struct ucall uc;
	unsigned int outs = 0;
	bool nvmx, have_pre = false;
	u64 v;

	setbuf(stdout, NULL);
	require_nested_vmx();
	nvmx = on_nvmx();

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
		if (run->io.port == DEMO_PORT) {
			TEST_ASSERT(have_pre && outs < NR_OUT &&
				    run->io.direction == KVM_EXIT_IO_OUT &&
				    run->io.size == 1 && run->io.count == 1,
				    "OUT %u: direction %u size %u count %u",
				    outs, run->io.direction, run->io.size,
				    run->io.count);
			stats_read(&post);
			/* The OUT is L2's: the vCPU is still in guest mode. */
			TEST_ASSERT(!stat_desc[S_GUEST_MODE] ||
				    post.v[S_GUEST_MODE][0] == 1,
				    "guest_mode %llu at L2's OUT",
				    (unsigned long long)post.v[S_GUEST_MODE][0]);
			outs++;
			continue;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			stats_read(&post);
			if (uc.args[1] == STAGE_PRE) {
				pre = post;
				have_pre = true;
				break;
			}
			TEST_ASSERT(uc.args[1] == STAGE_BACK && have_pre,
				    "sync %lu", uc.args[1]);
			sync_global_from_guest(vm, l1_seen);
			sync_global_from_guest(vm, l1_entries);
			printf("%s: L1 made %llu nested entries. L2 ran:\n",
			       nvmx ? "nvmx" : "kvm_intel",
			       (unsigned long long)l1_entries);
			printf("CPUID x%u, MOV to CR0 (TS, MP) x2, MOV to CR4 (PGE) x2,\n",
			       NR_CPUID);
			printf("MOV to CR4 (TSD, which L1 masks) x2, MOV CR8 x4,\n");
			printf("RDMSR x%u, OUT x%u, VMCALL.\n\n", NR_RDMSR, outs);
			if (nvmx)
				report_nvmx(&pre, &post, outs);
			else
				report_kvm(&pre, &post, outs);
			v = delta(&pre, &post, S_NESTED_RUN, 0);
			TEST_ASSERT(v == l1_entries,
				    "nested_run rose by %llu, L1 made %llu entries",
				    (unsigned long long)v,
				    (unsigned long long)l1_entries);
			TEST_ASSERT(outs == NR_OUT, "%u of L2's %u OUTs seen",
				    outs, NR_OUT);
			break;
		case UCALL_DONE:
			kvm_vm_free(vm);
			return 0;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT_2(uc, "values: %#lx, %#lx");
			break;
		default:
			TEST_FAIL("unexpected ucall %lu", uc.cmd);
		}
	}
}
