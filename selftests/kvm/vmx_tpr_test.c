// SPDX-License-Identifier: GPL-2.0
/*
 * L2's CR8 (the TPR) under each way L1 can configure it, with the values
 * L2 and L1 read back and the exits each level sees (T11-T14 of the spec
 * digest, Documentation/nested.md "TPR (CR8)").
 *
 * L1 runs one L2 through six phases; each phase's L2 code starts with a
 * GUEST_SYNC and ends with another (port I/O L1 does not intercept: both
 * reach userspace with L2 running), then VMCALLs to L1, which checks and
 * sets up the next phase. The host reads the vCPU's stats at the two
 * syncs, so a phase's counts are L2's accesses alone:
 *
 *   t11      L1 TPR shadow, no CR8 exiting: N writes (0..15) and reads.
 *            L1 reads VTPR = last << 4, writes 0xA0 there: L2 reads 0xA.
 *            VMREAD of the virtual-APIC address gives L1's GPA; a
 *            misaligned or too wide address, reserved threshold bits and
 *            a threshold above VTPR fail VMRESUME with VMfailValid 7.
 *   t12      neither shadow nor CR8 exiting: L2 first reads L1's TPR, and
 *            after L2's N writes and reads L1's own CR8 is L2's last.
 *   t13load  shadow + CR8-load exiting: N writes reflected (reason 28,
 *            CR 8, type 0), N reads exit nowhere and read the VTPR L1 set.
 *   t13store shadow + CR8-store exiting: N writes land in VTPR, N reads
 *            reflected (type 1).
 *   t13noshd CR8-load exiting without shadow: N writes reflected, N reads
 *            give L1's TPR.
 *   t14      shadow, threshold 5, VTPR 5: CR8 = 6 no exit; CR8 = 4 exactly
 *            one reason-43 exit to L1, RIP after the MOV; L1 lowers the
 *            threshold to 4; CR8 = 6 and CR8 = 4 then exit nowhere.
 *
 * On nvmx the histograms nvmx_l2_exits_l0 and nvmx_l2_exits_reflected
 * give exact counts: 0 CR8 exits at L0 in every phase under the default
 * TPR row (SHADOWING, embodiment 1), 2N in t12 and N in t13noshd under
 * INTERCEPT (embodiment 2). VMX_TPR_TEST_POLICY=intercept in the
 * environment sets the TPR row to INTERCEPT first (nvmx only). On
 * kvm_intel the same values and L1's counts must hold; its L0 exits are
 * printed as TAP comments (it uses embodiment 2 for t12 and t13noshd).
 * On nvmx with tracefs, the nvmx:nvmx_tpr events of L2 over the run must
 * be the reflected and absorbed exits above, by access and disposition.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>

#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define N		100
#define L2_STACK_WORDS	512
#define R_CR		28
#define R_TPR_BELOW	43
#define LAST		9	/* the last value of each write loop */

enum { P_T11, P_T12, P_T13_LOAD, P_T13_STORE, P_T13_NOSHADOW, P_T14, NR_P };

static const char *const phase_name[NR_P] = {
	"t11", "t12", "t13load", "t13store", "t13noshd", "t14",
};

static u64 l2_stack[L2_STACK_WORDS] __aligned(16);
/* L1's virtual-APIC page; the host tells L1 its GPA. */
static u8 vapic[4096] __aligned(4096);
static u64 vapic_gpa;

/* Written by L2. */
static u64 l2_bad_reads[NR_P], l2_first_read, l2_after_read;
/* -1: L2 does not check its reads (they exit, L1 does not emulate). */
static u64 l2_expect;

/* Written by L1: its exits by kind, per phase, and what it read. */
static u64 l1_cr8[NR_P][2];	/* reason 28 CR 8, type 0 (write), 1 (read) */
static u64 l1_below[NR_P];
static u64 l1_below_rip;
static u64 t11_vtpr, t11_vapic_addr, t11_fail[4], t12_l1_cr8, t13_vtpr,
	   t13_l1_cr8, t14_vtpr;

static u64 phase;

/* The i-th of N written values: 0..15 in turn, ending with LAST. */
static inline u64 wval(u64 i)
{
	return (i + 16 + LAST - (N - 1) % 16) & 15;
}

/* CR8 accesses that may exit to L1: every GPR is lost (vmx_nested.h). */
static inline void l2_wr_cr8(u64 v)
{
	l2_insn("mov %%rax, %%cr8", v, 0, 0);
}

static inline u64 l2_rd_cr8(void)
{
	u64 a = 0, c = 0, d = 0;

	asm volatile("push %%rbp\n\tmov %%cr8, %%rax\n\tpop %%rbp"
		     : "+a"(a), "+c"(c), "+d"(d) : : L2_CLOBBERS);
	return a;
}

/* N writes then N reads, or (interleave) N write-read pairs. */
static void l2_loop(bool interleave)
{
	u64 i, r;

	if (interleave) {
		for (i = 0; i < N; i++) {
			l2_wr_cr8(wval(i));
			r = l2_rd_cr8();
			if (r != wval(i))
				l2_bad_reads[phase]++;
		}
		return;
	}
	for (i = 0; i < N; i++)
		l2_wr_cr8(wval(i));
	for (i = 0; i < N; i++) {
		r = l2_rd_cr8();
		if (l2_expect != -1ULL && r != l2_expect)
			l2_bad_reads[phase]++;
	}
}

/* The CR8 = 4 of t14, whose end L1 compares with RIP at the exit. */
extern char t14_after_mov[];
static noinline void l2_t14_write4(void)
{
	u64 a = 4, c = 0, d = 0;

	asm volatile("push %%rbp\n\tmov %%rax, %%cr8\n\t"
		     ".globl t14_after_mov\nt14_after_mov:\n\tpop %%rbp"
		     : "+a"(a), "+c"(c), "+d"(d) : : L2_CLOBBERS);
}

static void l2_code(void)
{
	u64 p = phase;

	if (p == P_T12)
		l2_first_read = l2_rd_cr8();
	GUEST_SYNC(p * 2);
	switch (p) {
	case P_T11:
	case P_T12:
		l2_loop(true);
		break;
	case P_T14:
		l2_wr_cr8(6);
		l2_t14_write4();
		l2_wr_cr8(6);
		l2_wr_cr8(4);
		break;
	default:
		l2_loop(false);
		break;
	}
	GUEST_SYNC(p * 2 + 1);
	l2_vmcall();
	if (p == P_T11) {
		/* L1 wrote 0xA0 into VTPR meanwhile. */
		l2_after_read = l2_rd_cr8();
		l2_vmcall();
	}
	GUEST_ASSERT(0);
}

static u64 l1_get_cr8(void)
{
	u64 v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static void l1_set_cr8(u64 v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

/*
 * Enters L2 and handles its exits until a VMCALL: reflected CR8 accesses
 * are skipped (not emulated), a TPR-below-threshold exit lowers the
 * threshold to VTPR (an entry with it above VTPR would fail).
 */
static void l1_run(bool launch)
{
	u64 reason, qual, type;

	if (launch)
		GUEST_ASSERT_1(!vmlaunch(), vmreadz(VM_INSTRUCTION_ERROR));
	else
		GUEST_ASSERT_1(!vmresume(), vmreadz(VM_INSTRUCTION_ERROR));
	for (;;) {
		reason = vmreadz(VM_EXIT_REASON);
		if (reason == EXIT_REASON_VMCALL)
			return;
		if (reason == R_CR) {
			qual = vmreadz(EXIT_QUALIFICATION);
			type = (qual >> 4) & 3;
			/* CR 8, MOV to or from, register RAX. */
			GUEST_ASSERT_2((qual & 0xf) == 8 && type < 2 &&
				       !((qual >> 8) & 0xf), phase, qual);
			l1_cr8[phase][type]++;
			GUEST_ASSERT(!vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) +
					      vmreadz(VM_EXIT_INSTRUCTION_LEN)));
		} else if (reason == R_TPR_BELOW) {
			/* Trap-like: RIP is already past the MOV. */
			l1_below[phase]++;
			l1_below_rip = vmreadz(GUEST_RIP);
			GUEST_ASSERT(!vmwrite(TPR_THRESHOLD, vapic[0x80] >> 4));
		} else {
			GUEST_ASSERT_2(0, phase, reason);
		}
		GUEST_ASSERT_2(!vmresume(), phase, vmreadz(VM_INSTRUCTION_ERROR));
	}
}

/* The VM-instruction error of a VMRESUME expected to fail, or 0. */
static u64 l1_resume_error(void)
{
	if (!vmresume()) {
		/* It entered L2: come back from the VMCALL it is parked at. */
		return 0;
	}
	return vmreadz(VM_INSTRUCTION_ERROR);
}

/* The next phase's L2 starts at l2_code with an empty stack. */
static void l1_next(u64 p, u32 set, u32 clear)
{
	phase = p;
	GUEST_ASSERT_1(vmx_proc_update(set, clear), p);
	GUEST_ASSERT(!vmwrite(GUEST_RIP, (u64)l2_code));
	GUEST_ASSERT(!vmwrite(GUEST_RSP, (u64)&l2_stack[L2_STACK_WORDS - 1]));
}

static void l1_code(struct vmx_pages *vmx)
{
	const u32 cr8 = CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING;
	const u32 shadow = CPU_BASED_TPR_SHADOW;

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_code, &l2_stack[L2_STACK_WORDS - 1]);
	GUEST_ASSERT(!vmwrite(HOST_SS_SELECTOR, get_ds()));
	/* No I/O exits: L2's syncs go to userspace, not to L1. */
	GUEST_ASSERT(vmx_proc_update(0, CPU_BASED_UNCOND_IO_EXITING |
				     CPU_BASED_USE_IO_BITMAPS));

	/* t11 */
	phase = P_T11;
	GUEST_ASSERT(vmx_proc_update(shadow, cr8));
	GUEST_ASSERT(!vmwrite(VIRTUAL_APIC_PAGE_ADDR, vapic_gpa));
	GUEST_ASSERT(!vmwrite(TPR_THRESHOLD, 0));
	vapic[0x80] = 0;
	l1_run(true);
	t11_vtpr = vapic[0x80];
	t11_vapic_addr = vmreadz(VIRTUAL_APIC_PAGE_ADDR);
	vapic[0x80] = 0xa0;
	/* Entry checks of the TPR shadow, L2 parked at its VMCALL. */
	GUEST_ASSERT(!vmwrite(VIRTUAL_APIC_PAGE_ADDR, vapic_gpa | 0x800));
	t11_fail[0] = l1_resume_error();
	GUEST_ASSERT(!vmwrite(VIRTUAL_APIC_PAGE_ADDR, vapic_gpa | BIT_ULL(52)));
	t11_fail[1] = l1_resume_error();
	GUEST_ASSERT(!vmwrite(VIRTUAL_APIC_PAGE_ADDR, vapic_gpa));
	GUEST_ASSERT(!vmwrite(TPR_THRESHOLD, 0x10));
	t11_fail[2] = l1_resume_error();
	GUEST_ASSERT(!vmwrite(TPR_THRESHOLD, 0xb));
	t11_fail[3] = l1_resume_error();
	GUEST_ASSERT(!vmwrite(TPR_THRESHOLD, 0));
	GUEST_ASSERT(!vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) + 3));
	l1_run(false);

	/* t12: L2 starts from L1's TPR 3. */
	l1_set_cr8(3);
	l1_next(P_T12, 0, shadow | cr8);
	l1_run(false);
	t12_l1_cr8 = l1_get_cr8();
	l1_set_cr8(0);

	/* t13load: L1 does not emulate the writes: VTPR stays 5. */
	vapic[0x80] = 0x50;
	l2_expect = 5;
	l1_next(P_T13_LOAD, shadow | CPU_BASED_CR8_LOAD_EXITING,
		CPU_BASED_CR8_STORE_EXITING);
	l1_run(false);

	/* t13store: the writes reach VTPR, the reads exit. */
	l2_expect = -1ULL;
	l1_next(P_T13_STORE, shadow | CPU_BASED_CR8_STORE_EXITING,
		CPU_BASED_CR8_LOAD_EXITING);
	l1_run(false);
	t13_vtpr = vapic[0x80];

	/* t13noshd: reads give L1's TPR 4; writes are L1's, which drops them. */
	l1_set_cr8(4);
	l2_expect = 4;
	l1_next(P_T13_NOSHADOW, CPU_BASED_CR8_LOAD_EXITING,
		shadow | CPU_BASED_CR8_STORE_EXITING);
	l1_run(false);
	t13_l1_cr8 = l1_get_cr8();
	l1_set_cr8(0);

	/* t14 */
	vapic[0x80] = 0x50;
	GUEST_ASSERT(!vmwrite(TPR_THRESHOLD, 5));
	l1_next(P_T14, shadow, cr8);
	l1_run(false);
	t14_vtpr = vapic[0x80];
	GUEST_DONE();
}

/* The stats the test reads; kvm_intel has only "exits". */
enum { S_EXITS, S_L0, S_REFL, NR_S };
#define MAX_BUCKETS	128

static const char *const stat_names[NR_S] = {
	"exits", "nvmx_l2_exits_l0", "nvmx_l2_exits_reflected",
};

static struct nested_stats stats;
static struct kvm_stats_desc *stat_desc[NR_S];
static u64 snap_begin[NR_S][MAX_BUCKETS], snap_end[NR_S][MAX_BUCKETS];

static u64 delta(unsigned int s, unsigned int bucket)
{
	return snap_end[s][bucket] - snap_begin[s][bucket];
}

static bool nvmx;
static bool intercept;	/* the TPR row is INTERCEPT (embodiment 2) */

/* The TPR row of the VM's policy table, set to INTERCEPT if asked. */
static void tpr_policy(struct kvm_vm *vm, bool want_intercept)
{
	struct nvmx_policy p = { .size = sizeof(p) };

	if (ioctl(vm->fd, NVMX_GET_POLICY, &p)) {
		/* Before the policy table: nvmx's TPR is always embodiment 1. */
		TEST_ASSERT(!want_intercept, "NVMX_GET_POLICY: errno %d", errno);
		ksft_print_msg("NVMX_GET_POLICY: errno %d: TPR row taken as SHADOWING\n",
			       errno);
		return;
	}
	if (want_intercept && p.tpr != NVMX_POLICY_INTERCEPT) {
		p.tpr = NVMX_POLICY_INTERCEPT;
		p.size = sizeof(p);
		TEST_ASSERT(!ioctl(vm->fd, NVMX_SET_POLICY, &p),
			    "NVMX_SET_POLICY (TPR INTERCEPT): errno %d", errno);
	}
	intercept = p.tpr == NVMX_POLICY_INTERCEPT;
	ksft_print_msg("TPR row: %s\n", intercept ? "INTERCEPT" : "SHADOWING");
}

/* L0's CR8 exits a phase must give on nvmx. */
static u64 want_l0_cr8(unsigned int p)
{
	if (!intercept)
		return 0;
	if (p == P_T12)
		return 2 * N;
	if (p == P_T13_NOSHADOW)
		return N;	/* the reads; the writes are L1's */
	return 0;
}

static void check_phase(unsigned int p)
{
	const char *n = phase_name[p];
	u64 refl_cr8 = p == P_T13_LOAD || p == P_T13_STORE ||
		       p == P_T13_NOSHADOW ? N : 0;

	ksft_print_msg("%s: %s: exits %lu\n", n, nvmx ? "nvmx" : "kvm_intel",
		       delta(S_EXITS, 0));
	if (!stat_desc[S_L0] || !stat_desc[S_REFL])
		return;		/* kvm_intel: no per-level histograms */
	ksft_print_msg("%s: L2 CR exits at L0 %lu, reflected %lu\n", n,
		       delta(S_L0, R_CR), delta(S_REFL, R_CR));
	ksft_print_msg("%s: L2 reason-43 exits at L0 %lu, reflected %lu\n", n,
		       delta(S_L0, R_TPR_BELOW), delta(S_REFL, R_TPR_BELOW));
	if (!nvmx)
		return;
	result(delta(S_L0, R_CR) == want_l0_cr8(p),
	       "%s_l0_cr8_exits %lu (want %lu)", n, delta(S_L0, R_CR),
	       want_l0_cr8(p));
	result(delta(S_REFL, R_CR) == refl_cr8,
	       "%s_reflected_cr8_exits %lu (want %lu)", n,
	       delta(S_REFL, R_CR), refl_cr8);
	result(delta(S_L0, R_TPR_BELOW) == 0,
	       "%s_l0_tpr_below_exits %lu (want 0)", n, delta(S_L0, R_TPR_BELOW));
	result(delta(S_REFL, R_TPR_BELOW) == (p == P_T14),
	       "%s_reflected_tpr_below_exits %lu (want %u)", n,
	       delta(S_REFL, R_TPR_BELOW), p == P_T14);
}

/* nvmx:nvmx_tpr over the whole run (nvmx with tracefs only). */
#define TPR_ENABLE	TRACING "/events/nvmx/nvmx_tpr/enable"

static bool trace_start(void)
{
	if (!nvmx) {
		ksft_print_msg("nvmx:nvmx_tpr: nvmx's own, not checked on kvm_intel\n");
		return false;
	}
	if (access(TRACING "/events", F_OK)) {
		ksft_print_msg("nvmx:nvmx_tpr: no tracefs at " TRACING "\n");
		return false;
	}
	result(!write_file(TRACING "/tracing_on", "1") &&
	       !write_file(TRACING "/trace", "") &&
	       !write_file(TPR_ENABLE, "1"), "trace_nvmx_tpr_enabled");
	return true;
}

/* L2's events by access (read, write, below_threshold) and disposition. */
static void trace_check(void)
{
	static const char *const acc[3] = { "read", "write", "below_threshold" };
	u64 n[3][2] = { { 0 } }, want[3][2] = { { 0 } }, bad = 0;
	char a[32], d[32], *line = NULL, *ev;
	unsigned long long value;
	unsigned int level, i, j;
	size_t cap = 0;
	FILE *f;

	result(!write_file(TPR_ENABLE, "0"), "trace_nvmx_tpr_disabled");
	f = fopen(TRACING "/trace", "r");
	TEST_ASSERT(f, "open " TRACING "/trace");
	while (getline(&line, &cap, f) > 0) {
		ev = strstr(line, "nvmx_tpr: ");
		if (!ev)
			continue;
		if (sscanf(ev, "nvmx_tpr: L%u %31s value 0x%llx %31s", &level,
			   a, &value, d) != 4) {
			bad++;
			continue;
		}
		if (level != 2)
			continue;
		for (i = 0; i < 3 && strcmp(a, acc[i]); i++)
			;
		j = !strcmp(d, "reflected");
		if (i == 3 || (!j && strcmp(d, "absorbed")))
			bad++;
		else
			n[i][j]++;
		/* t14's one reflected below-threshold exit is at VTPR 4. */
		if (i == 2 && j && value != 4)
			bad++;
	}
	free(line);
	fclose(f);
	want[1][1] = 2 * N;		/* t13load, t13noshd */
	want[0][1] = N;			/* t13store */
	want[2][1] = 1;			/* t14 */
	if (intercept) {
		want[0][0] = 2 * N + 1;	/* t12's first read and N, t13noshd */
		want[1][0] = N;		/* t12 */
	}
	result(!bad, "trace_nvmx_tpr_lines_parse (%lu bad)", bad);
	for (i = 0; i < 3; i++)
		for (j = 0; j < 2; j++)
			result(n[i][j] == want[i][j],
			       "trace_nvmx_tpr_L2_%s_%s %lu (want %lu)", acc[i],
			       j ? "reflected" : "absorbed", n[i][j], want[i][j]);
}

#define G(var)	(*(typeof(var) *)addr_gva2hva(vm, (vm_vaddr_t)&(var)))

static void check_values(struct kvm_vm *vm)
{
	static const u64 l1_want[NR_P][2] = {
		[P_T13_LOAD] = { N, 0 }, [P_T13_STORE] = { 0, N },
		[P_T13_NOSHADOW] = { N, 0 },
	};
	unsigned int p, i;

	for (p = 0; p < NR_P; p++) {
		result(G(l1_cr8)[p][0] == l1_want[p][0] &&
		       G(l1_cr8)[p][1] == l1_want[p][1],
		       "%s_l1_cr8_exits write %lu read %lu (want %lu %lu)",
		       phase_name[p], G(l1_cr8)[p][0], G(l1_cr8)[p][1],
		       l1_want[p][0], l1_want[p][1]);
		if (p != P_T13_STORE)
			result(!G(l2_bad_reads)[p], "%s_l2_reads %lu wrong",
			       phase_name[p], G(l2_bad_reads)[p]);
		result(G(l1_below)[p] == (p == P_T14),
		       "%s_l1_tpr_below_exits %lu (want %u)", phase_name[p],
		       G(l1_below)[p], p == P_T14);
	}
	result(G(t11_vtpr) == LAST << 4, "t11_vtpr 0x%lx (want 0x%x)",
	       G(t11_vtpr), LAST << 4);
	result(G(l2_after_read) == 0xa, "t11_l2_reads_l1_vtpr 0x%lx (want 0xa)",
	       G(l2_after_read));
	result(G(t11_vapic_addr) == G(vapic_gpa),
	       "t11_vmread_virtual_apic_addr 0x%lx (want L1's GPA 0x%lx)",
	       G(t11_vapic_addr), G(vapic_gpa));
	for (i = 0; i < 4; i++) {
		static const char *const what[4] = {
			"misaligned_vapic", "vapic_beyond_maxphyaddr",
			"threshold_bits_31_4", "threshold_above_vtpr",
		};

		result(G(t11_fail)[i] == 7, "t11_%s_vmfail_valid %lu (want 7)",
		       what[i], G(t11_fail)[i]);
	}
	result(G(l2_first_read) == 3, "t12_l2_reads_l1_tpr %lu (want 3)",
	       G(l2_first_read));
	result(G(t12_l1_cr8) == LAST, "t12_l1_cr8_after %lu (want %u)",
	       G(t12_l1_cr8), LAST);
	result(G(t13_vtpr) == LAST << 4, "t13store_vtpr 0x%lx (want 0x%x)",
	       G(t13_vtpr), LAST << 4);
	result(G(t13_l1_cr8) == 4, "t13noshd_l1_cr8_kept %lu (want 4)",
	       G(t13_l1_cr8));
	result(G(l1_below_rip) == (u64)t14_after_mov,
	       "t14_rip_after_mov 0x%lx (want 0x%lx)", G(l1_below_rip),
	       (unsigned long)t14_after_mov);
	result(G(t14_vtpr) == 0x40, "t14_vtpr 0x%lx (want 0x40)", G(t14_vtpr));
}

int main(void)
{
	const char *pol = getenv("VMX_TPR_TEST_POLICY");
	vm_vaddr_t vmx_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	unsigned int stage = 0, p;
	bool tracing;

	setbuf(stdout, NULL);
	require_nested_vmx();
	nvmx = on_nvmx();
	ksft_print_header();
	if (pol && strcmp(pol, "intercept") == 0 && !nvmx) {
		ksft_print_msg("VMX_TPR_TEST_POLICY=intercept: nvmx only\n");
		ksft_exit_skip("no policy table on kvm_intel\n");
	}

	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	G(vapic_gpa) = addr_gva2gpa(vm, (vm_vaddr_t)vapic);
	if (nvmx)
		tpr_policy(vm, pol && !strcmp(pol, "intercept"));
	nested_stats_open(&stats, vcpu, stat_names, NR_S, MAX_BUCKETS, stat_desc);
	tracing = trace_start();
	for (p = 0; p < NR_S; p++)
		TEST_ASSERT(stat_desc[p] || (!nvmx && p != S_EXITS),
			    "stat %s missing", stat_names[p]);
	for (p = S_L0; p < NR_S; p++)
		if (stat_desc[p])
			TEST_ASSERT(stat_desc[p]->size > R_TPR_BELOW,
				    "stat %s: %u buckets", stat_names[p],
				    stat_desc[p]->size);

	for (;;) {
		vcpu_run(vcpu);
		TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
			    "exit reason %u (%s), want KVM_EXIT_IO",
			    vcpu->run->exit_reason,
			    exit_reason_str(vcpu->run->exit_reason));
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			TEST_ASSERT(uc.args[1] == stage, "sync %lu, want %u",
				    uc.args[1], stage);
			if (stage % 2 == 0) {
				nested_stats_read(&stats, &snap_begin[0][0]);
			} else {
				nested_stats_read(&stats, &snap_end[0][0]);
				check_phase(stage / 2);
			}
			stage++;
			break;
		case UCALL_DONE:
			TEST_ASSERT(stage == 2 * NR_P, "done after %u syncs", stage);
			check_values(vm);
			if (tracing)
				trace_check();
			kvm_vm_free(vm);
			ksft_set_plan(ksft_test_num());
			results_done();
			return 0;
		case UCALL_ABORT:
			if (tracing)
				write_file(TPR_ENABLE, "0");
			REPORT_GUEST_ASSERT_2(uc, "values: %#lx, %#lx");
			break;
		default:
			TEST_FAIL("unexpected ucall %lu", uc.cmd);
		}
	}
}
