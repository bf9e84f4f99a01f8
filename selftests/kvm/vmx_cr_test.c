// SPDX-License-Identifier: GPL-2.0
/*
 * vmx_cr_test: L2's CR0, CR4 and CR8 accesses under an L1 built on libkvm's
 * VMX helpers, and where each one's exits go (issue 8; the expectations are
 * T1-T14 of the spec digest, shared/reference/seeds-000-004.md).
 *
 * Each workload of wl[] is one phase: L1 sets vmcs12's masks, shadows and
 * controls for it, runs L2's loop once unmeasured (L0 maps memory on first
 * use), syncs (the host reads and resets the counts), runs it again, and
 * syncs again. L1 counts the exits it gets, by reason and CR slot; L2 and
 * L1 check the values they read back.
 *
 * On every device the values are asserted. On nvmx the exact exit counts
 * are asserted too, from NVMX_GET_EXIT_COUNTS: at levels L2->L0 (absorbed)
 * and L2->L1 (reflected), by reason and CR slot, against wl[]'s rows, and
 * the reflected ones against what L1 counted. The rows follow the rules of
 * issue 8 for the default policy table (L0's mask M0 = CR0 PE NE PG NW CD,
 * CR4 MCE VMXE SMXE; TPR embodiment 1) and for an "everything INTERCEPT"
 * table set with NVMX_SET_POLICY, which runs the workloads a second time:
 *   MOV to CR0/CR4 v: M1 & (v ^ S1) -> reflected; else a change of an M0
 *   bit (of any bit, under INTERCEPT) from L2's view -> absorbed; else 0.
 *   CLTS and LMSW: the SDM's predicates over mask02 and shadow02.
 *   CR8: L1 TPR shadow or embodiment 1 -> 0; CR8-load/store exiting ->
 *   reflected; embodiment 2 (TPR INTERCEPT) -> 1 absorbed per access.
 * External interrupts (host timer) are the only exits not asserted. On
 * kvm_intel the counts are recorded (the `exits` stat, L1's own count) as
 * TAP comments, not asserted.
 *
 * `vmx_cr_test --table` runs itself on /dev/nvmx (through the nvmx-run next
 * to it) and on /dev/kvm and prints the Markdown table of L0 exits and TSC
 * ticks per access, with the architectural limit (Documentation/
 * benchmarks.md).
 */
#include <errno.h>
#include <stdlib.h>

#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define N		16
#define L2_STACK_WORDS	1024
#define NR_REASONS	NVMX_EXIT_COUNT_REASONS
#define NR_SLOTS	NVMX_CR_ACCESS_SLOTS

#define GP_VEC		13

#define R_EXTINT	1
#define R_CPUID		10
#define R_VMCALL	18
#define R_VMREAD	23
#define R_VMRESUME	24
#define R_VMWRITE	25
#define R_CR		28
#define R_IO		30
#define R_TPR		43

/* Access types of a CR-access exit qualification (bits 5:4). */
#define T_TO		0
#define T_FROM		1
#define T_CLTS		2
#define T_LMSW		3

enum workload {
	W_NONE,		/* no access: the baseline of the per-access numbers */
	W_THRU_CR0,
	W_THRU_CR4,
	W_CD_ONCE,
	W_CD_TOGGLE,
	W_MCE_TOGGLE,
	W_NE_CLEAR,
	W_MASK_DIFF,
	W_MASK_EQ,
	W_CLTS_SET,
	W_CLTS_CLEAR,
	W_LMSW_EQ,
	W_LMSW_DIFF,
	W_LMSW_PE,
	W_LMSW_EM,
	W_READS,
	W_CR8_SHADOW,
	W_CR8_VTPR,
	W_CR8_NONE,
	W_CR8_LOAD,
	W_CR8_STORE,
	W_TPR_THRESH,
	W_WRITEBACK,
	W_ROUNDTRIP,
	W_REFL_USUAL,
	W_REFL_COLD,
	NR_W
};

/*
 * One expected exit kind of a workload: basic reason (and CR, access type
 * for reason 28); absorbed by L0 and reflected to L1, [0] under the
 * default table and [1] under "everything INTERCEPT".
 */
struct exp {
	u8 reason;
	u8 cr;
	u8 type;
	u32 abs[2];
	u32 refl[2];
};

#define CR(c, t, a0, r0, a1, r1) \
	{ .reason = R_CR, .cr = (c), .type = (t), .abs = { a0, a1 }, .refl = { r0, r1 } }
#define EX(r, a0, r0, a1, r1) \
	{ .reason = (r), .abs = { a0, a1 }, .refl = { r0, r1 } }

/*
 * A workload's row: @accesses CR accesses in its measured loop; @exp what
 * they cost at each level (the phase's VMCALL, 1 reflected, comes on top);
 * @limit the fewest L0 exits the architecture allows for the loop (0
 * where VT-x can run the access without an exit, 1 per change L0 must
 * see, 2 per reflected round trip: the L2 exit and L1's VMRESUME).
 */
struct wl_row {
	const char *name;
	const char *spec;
	u32 accesses;
	u32 limit;
	bool l1_round_trips;	/* also assert L1's own exits: VMRESUMEs only */
	struct exp exp[2];
};

static const struct wl_row wl[NR_W] = {
	[W_NONE] = { "baseline: L2 loop without accesses", "-", 0, 0 },
	[W_THRU_CR0] = { "CR0.MP/TS/WP/AM toggles (THROUGH, vmcs12 mask 0)", "T2",
		8 * N, 0, false, { CR(0, T_TO, 0, 0, 8 * N, 0) } },
	[W_THRU_CR4] = { "CR4.VME/TSD/DE/PGE/OSXMMEXCPT toggles (THROUGH)", "T2",
		10 * N, 0, false, { CR(4, T_TO, 0, 0, 10 * N, 0) } },
	[W_CD_ONCE] = { "CR0.CD set once, same-value writes, cleared (L0 SHADOWING)", "T3",
		N + 2, 2, false, { CR(0, T_TO, 2, 0, 2, 0) } },
	[W_CD_TOGGLE] = { "CR0.CD toggles (L0 SHADOWING)", "T4",
		2 * N, 2 * N, false, { CR(0, T_TO, 2 * N, 0, 2 * N, 0) } },
	[W_MCE_TOGGLE] = { "CR4.MCE toggles (L0 SHADOWING)", "T4",
		2 * N, 2 * N, false, { CR(4, T_TO, 2 * N, 0, 2 * N, 0) } },
	[W_NE_CLEAR] = { "CR0.NE clear, not in L1's mask: #GP in L2", "T5b",
		N, N, false, { CR(0, T_TO, N, 0, N, 0) } },
	[W_MASK_DIFF] = { "CR0.TS written != L1's shadow (L1 masks TS)", "T6",
		N, 2 * N, false, { CR(0, T_TO, 0, N, 0, N) } },
	[W_MASK_EQ] = { "CR0.TS written == L1's shadow (L1 masks TS)", "T7",
		N, 0, false, { CR(0, T_TO, 0, 0, 0, 0) } },
	[W_CLTS_SET] = { "CLTS, L1 masks TS, shadow TS=1", "T8",
		N, 2 * N, false, { CR(0, T_CLTS, 0, N, 0, N) } },
	[W_CLTS_CLEAR] = { "CLTS, L1 masks TS, shadow TS=0", "T8",
		N, 0, false, { CR(0, T_CLTS, 0, 0, 0, 0) } },
	[W_LMSW_EQ] = { "LMSW == L1's shadow (L1 masks MP, TS)", "T8",
		N, 0, false, { CR(0, T_LMSW, 0, 0, 0, 0) } },
	[W_LMSW_DIFF] = { "LMSW MP != L1's shadow (L1 masks MP, TS)", "T8",
		N, 2 * N, false, { CR(0, T_LMSW, 0, N, 0, N) } },
	[W_LMSW_PE] = { "LMSW that would clear PE", "T8",
		N, 0, false, { CR(0, T_LMSW, 0, 0, 0, 0) } },
	[W_LMSW_EM] = { "LMSW toggles of EM (THROUGH, not L1's)", "T8",
		2 * N, 0, false, { CR(0, T_LMSW, 0, 0, 2 * N, 0) } },
	[W_READS] = { "MOV from CR0, CR4, SMSW (L1 masks TS, MP; TSD, VMXE)", "T1",
		3 * N, 0, false, { CR(0, T_FROM, 0, 0, 0, 0), CR(4, T_FROM, 0, 0, 0, 0) } },
	[W_CR8_SHADOW] = { "CR8 write+read, L1 TPR shadow", "T11",
		2 * N, 0, false, { CR(8, T_TO, 0, 0, 0, 0), CR(8, T_FROM, 0, 0, 0, 0) } },
	[W_CR8_VTPR] = { "CR8 read of L1's VTPR edit, L1 TPR shadow", "T11",
		N, 0, false, { CR(8, T_FROM, 0, 0, 0, 0) } },
	[W_CR8_NONE] = { "CR8 write+read, L1 neither shadow nor exiting", "T12",
		2 * N, 0, false, { CR(8, T_TO, 0, 0, N, 0), CR(8, T_FROM, 0, 0, N, 0) } },
	[W_CR8_LOAD] = { "CR8 write+read, L1 CR8-load exiting", "T13",
		2 * N, 2 * N, false, { CR(8, T_TO, 0, N, 0, N), CR(8, T_FROM, 0, 0, 0, 0) } },
	[W_CR8_STORE] = { "CR8 write+read, L1 CR8-store exiting", "T13",
		2 * N, 2 * N, false, { CR(8, T_TO, 0, 0, 0, 0), CR(8, T_FROM, 0, N, 0, N) } },
	[W_TPR_THRESH] = { "CR8=4 then 6, L1 TPR threshold 5", "T14",
		2, 2, false, { EX(R_TPR, 0, 1, 0, 1), CR(8, T_TO, 0, 0, 0, 0) } },
	[W_WRITEBACK] = { "CR0.MP toggle, CD set, VMCALL: vmcs12 GUEST_CR0", "T9",
		2, 1, false, { CR(0, T_TO, 1, 0, 2, 0) } },
	[W_ROUNDTRIP] = { "CR0 reads after L1's GUEST_CR0 edit", "T10",
		N, 0, false, { CR(0, T_FROM, 0, 0, 0, 0) } },
	[W_REFL_USUAL] = { "CPUID reflected, L1 reads/writes its usual fields", "shadow",
		N, 2 * N, true, { EX(R_CPUID, 0, N, 0, N) } },
	[W_REFL_COLD] = { "CPUID reflected, L1 also reads cold fields", "shadow",
		N, 2 * N, true, { EX(R_CPUID, 0, N, 0, N) } },
};

/* Shared by L1, L2 and the host (the same addresses in all three). */
static u64 l2_stack[L2_STACK_WORDS] __aligned(16);
static u64 cur_w;		/* the workload L2 runs */
static u64 l2_ticks[NR_W];	/* TSC ticks of the measured loop */
static u64 l1_refl[NR_W][NR_REASONS];	/* exits L1 got, measured */
static u64 l1_cr[NR_W][NR_SLOTS];
static bool measuring;
static u64 l2_gp;		/* #GPs L2's handler skipped */
static u64 vapic_gva, vapic_gpa;	/* L1's virtual-APIC page (host sets) */
static u64 base_cr0, base_cr4;		/* vmcs12 GUEST_CR0/4 as prepared */

/* L2's operands, in memory so they survive reflected exits. */
static u64 va, vb, vr;
static u64 want_cr0, want_cr4;	/* the view L1 built for L2 */
static u64 tpr_rip;		/* RIP after L2's MOV to CR8 = 4 */

/* First wrong value per workload: which check, got, want. */
static u64 bad[NR_W], bad_what[NR_W], bad_got[NR_W], bad_want[NR_W];

static void check(u64 what, u64 got, u64 want)
{
	u64 w = READ_ONCE(cur_w);

	if (got == want || !READ_ONCE(measuring))
		return;
	if (!bad[w]++) {
		bad_what[w] = what;
		bad_got[w] = got;
		bad_want[w] = want;
	}
}

/* Checks are numbered by line: the host prints the number. */
#define CHECK(got, want) check(__LINE__, (got), (want))

/*
 * CR0 as L2 reads it, without ET: ET is fixed to 1 on every CPU since the
 * P6, but whether a read returns it differs (KVM's emulated writes set it,
 * its first guest CR0 does not). No workload is about ET.
 */
static inline u64 rd_cr0_raw(void)
{
	u64 v;

	asm volatile("mov %%cr0, %0" : "=r"(v) : : "memory");
	return v;
}

static inline u64 rd_cr0(void)
{
	return rd_cr0_raw() & ~X86_CR0_ET;
}

/*
 * L2's CR0 read back against @want; what L2 writes keeps the ET it read,
 * so that no write changes ET (under "everything INTERCEPT" that would
 * be one more exit).
 */
#define CHECK_CR0(want) CHECK(rd_cr0(), (want) & ~X86_CR0_ET)

static inline u64 rd_cr4(void)
{
	u64 v;

	asm volatile("mov %%cr4, %0" : "=r"(v) : : "memory");
	return v;
}

static inline u64 rd_cr8(void)
{
	u64 v;

	asm volatile("mov %%cr8, %0" : "=r"(v) : : "memory");
	return v;
}

/* L1's own TPR (L1 runs no L2 code around it: no GPRs to save). */
static inline void wr_cr8(u64 v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

/*
 * Two writes to CR0 or CR4, va then vb, re-loading RAX from memory after
 * each (they are RIP-relative globals, and RSP survives): a write that
 * exits to L1 comes back with L1's GPRs. The pair runs within one asm so
 * no compiled code runs with TS or EM set.
 */
static void l2_write2_cr0(void)
{
	asm volatile("push %%rbp\n\t"
		     "mov %0, %%rax\n\tmov %%rax, %%cr0\n\t"
		     "mov %1, %%rax\n\tmov %%rax, %%cr0\n\t"
		     "pop %%rbp"
		     : : "m"(va), "m"(vb) : "rax", "rcx", "rdx", L2_CLOBBERS);
}

static void l2_write2_cr4(void)
{
	asm volatile("push %%rbp\n\t"
		     "mov %0, %%rax\n\tmov %%rax, %%cr4\n\t"
		     "mov %1, %%rax\n\tmov %%rax, %%cr4\n\t"
		     "pop %%rbp"
		     : : "m"(va), "m"(vb) : "rax", "rcx", "rdx", L2_CLOBBERS);
}

static void l2_lmsw2(void)
{
	asm volatile("push %%rbp\n\t"
		     "mov %0, %%rax\n\tlmsw %%ax\n\t"
		     "mov %1, %%rax\n\tlmsw %%ax\n\t"
		     "pop %%rbp"
		     : : "m"(va), "m"(vb) : "rax", "rcx", "rdx", L2_CLOBBERS);
}

static void l2_toggle(bool cr4, u64 bit)
{
	u64 cur = cr4 ? rd_cr4() : rd_cr0_raw();

	va = cur ^ bit;
	vb = cur;
	if (cr4)
		l2_write2_cr4();
	else
		l2_write2_cr0();
	if (cr4)
		CHECK(rd_cr4(), cur);
	else
		CHECK_CR0(cur);
}

/* #GP in L2 from a MOV to CR0 from RAX (0f 22 c0): count it, skip it. */
static void l2_gp_handler(struct ex_regs *regs)
{
	u8 *ip = (u8 *)regs->rip;

	GUEST_ASSERT_1(ip[0] == 0x0f && ip[1] == 0x22 && ip[2] == 0xc0, regs->rip);
	regs->rip += 3;
	l2_gp++;
}

static void l2_mov_cr0(u64 v)
{
	l2_insn("mov %%rax, %%cr0", v, 0, 0);
}

static void l2_mov_cr8(u64 v)
{
	l2_insn("mov %%rax, %%cr8", v, 0, 0);
}

static void l2_work(u64 w)
{
	static const u64 cr0_bits[] = { X86_CR0_MP, X86_CR0_TS, X86_CR0_WP, X86_CR0_AM };
	static const u64 cr4_bits[] = { X86_CR4_VME, X86_CR4_TSD, X86_CR4_DE,
					X86_CR4_PGE, X86_CR4_OSXMMEXCPT };
	u64 i, j, c0 = rd_cr0_raw();

	switch (w) {
	case W_THRU_CR0:
		for (i = 0; i < N; i++)
			for (j = 0; j < ARRAY_SIZE(cr0_bits); j++)
				l2_toggle(false, cr0_bits[j]);
		break;
	case W_THRU_CR4:
		for (i = 0; i < N; i++)
			for (j = 0; j < ARRAY_SIZE(cr4_bits); j++)
				l2_toggle(true, cr4_bits[j]);
		break;
	case W_CD_ONCE:
		l2_mov_cr0(c0 | X86_CR0_CD);
		/*
		 * "The same value" is what L2 now reads: the first write may
		 * have set ET (hardwired to 1), which an ET-masking table
		 * would otherwise see changed by every later write.
		 */
		j = rd_cr0_raw();
		for (i = 0; i < N; i++)
			l2_mov_cr0(j);
		CHECK_CR0(c0 | X86_CR0_CD);
		l2_mov_cr0(c0);
		CHECK_CR0(c0);
		break;
	case W_CD_TOGGLE:
		for (i = 0; i < N; i++) {
			l2_mov_cr0(c0 | X86_CR0_CD);
			CHECK_CR0(c0 | X86_CR0_CD);
			l2_mov_cr0(c0);
			CHECK_CR0(c0);
		}
		break;
	case W_MCE_TOGGLE:
		for (i = 0; i < N; i++)
			l2_toggle(true, X86_CR4_MCE);
		break;
	case W_NE_CLEAR:
		l2_gp = 0;
		for (i = 0; i < N; i++)
			l2_mov_cr0(c0 & ~X86_CR0_NE);
		CHECK(l2_gp, N);
		CHECK_CR0(c0);
		break;
	case W_MASK_DIFF:
		for (i = 0; i < N; i++)
			l2_mov_cr0(c0 | X86_CR0_TS);
		/* L1 skipped them: TS reads as its shadow, 0. */
		CHECK_CR0(c0);
		break;
	case W_MASK_EQ:
		for (i = 0; i < N; i++)
			l2_mov_cr0(c0);
		CHECK_CR0(c0);
		break;
	case W_CLTS_SET:
	case W_CLTS_CLEAR:
		for (i = 0; i < N; i++)
			l2_insn("clts", 0, 0, 0);
		CHECK(rd_cr0() & X86_CR0_TS, w == W_CLTS_SET ? X86_CR0_TS : 0);
		break;
	case W_LMSW_EQ:
		for (i = 0; i < N; i++)
			l2_insn("lmsw %%ax", c0 & 0xf, 0, 0);
		CHECK_CR0(c0);
		break;
	case W_LMSW_DIFF:
		for (i = 0; i < N; i++)
			l2_insn("lmsw %%ax", (c0 ^ X86_CR0_MP) & 0xf, 0, 0);
		CHECK_CR0(c0);
		break;
	case W_LMSW_PE:
		for (i = 0; i < N; i++)
			l2_insn("lmsw %%ax", c0 & 0xe, 0, 0);
		CHECK_CR0(c0);
		break;
	case W_LMSW_EM:
		va = (c0 | X86_CR0_EM) & 0xf;
		vb = c0 & 0xf;
		for (i = 0; i < N; i++)
			l2_lmsw2();
		CHECK_CR0(c0);
		break;
	case W_READS:
		for (i = 0; i < N; i++) {
			CHECK(rd_cr0(), want_cr0);
			CHECK(rd_cr4(), want_cr4);
			asm volatile("smsw %0" : "=r"(vr));
			CHECK(vr & 0xffff & ~X86_CR0_ET, want_cr0 & 0xffff);
		}
		break;
	case W_CR8_SHADOW:
	case W_CR8_NONE:
		for (i = 0; i < N; i++) {
			l2_mov_cr8(i & 0xf);
			CHECK(rd_cr8(), i & 0xf);
		}
		break;
	case W_CR8_VTPR:
		for (i = 0; i < N; i++)
			CHECK(rd_cr8(), 0xa);
		break;
	case W_CR8_LOAD:
	case W_CR8_STORE:
		/* L1 skips the exiting direction: no value to check there. */
		for (i = 0; i < N; i++) {
			l2_mov_cr8(i & 0xf);
			l2_insn("mov %%cr8, %%rax", 0, 0, 0);
		}
		break;
	case W_TPR_THRESH:
		/* RIP after the MOV, for L1 to compare: the exit is trap-like. */
		asm volatile("lea 1f(%%rip), %%rax\n\tmov %%rax, %0\n\t"
			     "push %%rbp\n\tmov $4, %%eax\n\tmov %%rax, %%cr8\n1:\n\t"
			     "pop %%rbp" : "=m"(tpr_rip) : : "rax", "rcx", "rdx", L2_CLOBBERS);
		l2_mov_cr8(6);
		CHECK(rd_cr8(), 6);
		break;
	case W_WRITEBACK:
		l2_mov_cr0(c0 ^ X86_CR0_MP);
		l2_mov_cr0((c0 ^ X86_CR0_MP) | X86_CR0_CD);
		break;
	case W_ROUNDTRIP:
		for (i = 0; i < N; i++)
			CHECK(rd_cr0(), want_cr0);
		break;
	case W_REFL_USUAL:
	case W_REFL_COLD:
		for (i = 0; i < N; i++)
			l2_insn("cpuid", 0, 0, 0);
		break;
	default:
		break;
	}
}

static void l2_code(void)
{
	u64 t0;

	for (;;) {
		t0 = rdtsc();
		l2_work(READ_ONCE(cur_w));
		l2_ticks[READ_ONCE(cur_w)] = rdtsc() - t0;
		l2_vmcall();
	}
}

/* L1: vmcs12's CR and TPR state for workload @w, from the prepared base. */
static void l1_setup(u64 w)
{
	u64 m0 = 0, s0 = base_cr0, m4 = 0, s4 = base_cr4, g0 = base_cr0;
	u32 set = 0, clear = CPU_BASED_TPR_SHADOW | CPU_BASED_CR8_LOAD_EXITING |
		CPU_BASED_CR8_STORE_EXITING;
	u8 *vapic = (u8 *)vapic_gva;
	u32 thr = 0;

	switch (w) {
	case W_MASK_DIFF:
	case W_MASK_EQ:
	case W_CLTS_CLEAR:
		m0 = X86_CR0_TS;
		s0 &= ~X86_CR0_TS;
		break;
	case W_CLTS_SET:
		m0 = X86_CR0_TS;
		s0 |= X86_CR0_TS;
		break;
	case W_LMSW_EQ:
	case W_LMSW_DIFF:
	case W_LMSW_PE:
		m0 = X86_CR0_MP | X86_CR0_TS;
		break;
	case W_READS:
		/* Shadows unlike the guest CR: L2 must read the shadow. */
		m0 = X86_CR0_TS | X86_CR0_MP;
		s0 = (base_cr0 & ~m0) | X86_CR0_TS | (~base_cr0 & X86_CR0_MP);
		m4 = X86_CR4_TSD | X86_CR4_VMXE;
		s4 = (base_cr4 & ~m4) | X86_CR4_TSD;
		break;
	case W_CR8_SHADOW:
	case W_CR8_VTPR:
		set = CPU_BASED_TPR_SHADOW;
		break;
	case W_CR8_LOAD:
		set = CPU_BASED_TPR_SHADOW | CPU_BASED_CR8_LOAD_EXITING;
		break;
	case W_CR8_STORE:
		set = CPU_BASED_TPR_SHADOW | CPU_BASED_CR8_STORE_EXITING;
		break;
	case W_TPR_THRESH:
		set = CPU_BASED_TPR_SHADOW;
		thr = 5;
		break;
	case W_WRITEBACK:
		m0 = X86_CR0_TS;
		s0 &= ~X86_CR0_TS;
		break;
	case W_ROUNDTRIP:
		/* As W_WRITEBACK leaves it: MP toggled, CD set. */
		m0 = X86_CR0_TS;
		s0 &= ~X86_CR0_TS;
		g0 = (base_cr0 ^ X86_CR0_MP) | X86_CR0_CD;
		break;
	default:
		break;
	}
	clear &= ~set;
	GUEST_ASSERT_1(vmx_proc_update(set, clear), w);
	GUEST_ASSERT(!vmwrite(CR0_GUEST_HOST_MASK, m0));
	GUEST_ASSERT(!vmwrite(CR0_READ_SHADOW, s0));
	GUEST_ASSERT(!vmwrite(CR4_GUEST_HOST_MASK, m4));
	GUEST_ASSERT(!vmwrite(CR4_READ_SHADOW, s4));
	GUEST_ASSERT(!vmwrite(GUEST_CR0, g0));
	GUEST_ASSERT(!vmwrite(GUEST_CR4, base_cr4));
	GUEST_ASSERT(!vmwrite(TPR_THRESHOLD, thr));
	GUEST_ASSERT(!vmwrite(VIRTUAL_APIC_PAGE_ADDR, vapic_gpa));
	want_cr0 = ((s0 & m0) | (g0 & ~m0)) & ~X86_CR0_ET;
	want_cr4 = (s4 & m4) | (base_cr4 & ~m4);
	/* VTPR: 0, except L1's edit (T11) and at least the threshold (T14). */
	vapic[0x80] = w == W_CR8_VTPR ? 0xa0 : w == W_TPR_THRESH ? 0x50 : 0;
	/* L1's own TPR, which L2's CR8 is under embodiment 1 and 2. */
	wr_cr8(0);
}

/* The exit L1 handles: count it, check it, skip or resume past it. */
static void l1_handle(u64 w, u64 reason, bool cold)
{
	u64 qual = vmreadz(EXIT_QUALIFICATION), len = vmreadz(VM_EXIT_INSTRUCTION_LEN);
	u64 rip = vmreadz(GUEST_RIP), slot;
	u64 sink;

	if (measuring)
		l1_refl[w][min_t(u64, reason, NR_REASONS - 1)]++;
	if (reason == R_CR) {
		slot = NVMX_CR_SLOT(qual & 0xf, (qual >> 4) & 3);
		if (measuring && slot < NR_SLOTS)
			l1_cr[w][slot]++;
		if (w == W_LMSW_DIFF)
			GUEST_ASSERT_2(((qual >> 16) & 0xf) ==
				       ((base_cr0 ^ X86_CR0_MP) & 0xf), qual, base_cr0);
		/* MOV CR from/to RAX: register 0 in bits 11:8. */
		if (((qual >> 4) & 3) < 2)
			GUEST_ASSERT_1(((qual >> 8) & 0xf) == 0, qual);
	}
	if (reason == R_TPR) {
		/* Trap-like: RIP is past the MOV; lower the threshold and go on. */
		GUEST_ASSERT_2(rip == tpr_rip, rip, tpr_rip);
		GUEST_ASSERT(!vmwrite(TPR_THRESHOLD, 0));
		return;
	}
	if (w == W_REFL_USUAL || w == W_REFL_COLD) {
		/* A usual handler's reads, and a cold one's on top. */
		sink = vmreadz(VM_EXIT_INTR_INFO) + vmreadz(IDT_VECTORING_INFO_FIELD) +
			vmreadz(GUEST_RSP) + vmreadz(GUEST_RFLAGS) +
			vmreadz(GUEST_CR0) + vmreadz(VMX_INSTRUCTION_INFO);
		if (cold)
			sink += vmreadz(GUEST_CS_SELECTOR) + vmreadz(GUEST_CS_AR_BYTES) +
				vmreadz(GUEST_INTERRUPTIBILITY_INFO) +
				vmreadz(GUEST_LINEAR_ADDRESS) +
				vmreadz(GUEST_PHYSICAL_ADDRESS) + vmreadz(GUEST_CR3) +
				vmreadz(GUEST_ES_BASE) + vmreadz(GUEST_IA32_EFER);
		(void)sink;
	}
	GUEST_ASSERT(!vmwrite(GUEST_RIP, rip + len));
}

/* Runs L2's workload @w until its VMCALL. */
static void l1_run(u64 w, bool launch)
{
	u64 reason;
	int r;

	WRITE_ONCE(cur_w, w);
	r = launch ? vmlaunch() : vmresume();
	for (;;) {
		GUEST_ASSERT_2(!r, w, vmreadz(VM_INSTRUCTION_ERROR));
		reason = vmreadz(VM_EXIT_REASON);
		if (reason == R_VMCALL)
			break;
		GUEST_ASSERT_2(reason == R_CR || reason == R_TPR || reason == R_CPUID,
			       w, reason);
		l1_handle(w, reason, w == W_REFL_COLD);
		r = vmresume();
	}
	if (measuring)
		l1_refl[w][R_VMCALL]++;
}

static void l1_check_after(u64 w)
{
	u8 *vapic = (u8 *)vapic_gva;
	u64 g;

	measuring = true;
	switch (w) {
	case W_CR8_SHADOW:
		/* L2's last CR8 is in L1's virtual-APIC page (T11). */
		CHECK(vapic[0x80], ((N - 1) & 0xf) << 4);
		CHECK(vmreadz(VIRTUAL_APIC_PAGE_ADDR), vapic_gpa);
		break;
	case W_CR8_NONE:
		/* L1 handed L2 its own TPR (T12). */
		CHECK(rd_cr8(), (N - 1) & 0xf);
		break;
	case W_CR8_LOAD:
		/* L1 skipped L2's writes: VTPR is what L1 left, 0. */
		CHECK(vapic[0x80], 0);
		break;
	case W_CR8_STORE:
		/* L2's writes went to VTPR; L1 skipped its reads. */
		CHECK(vapic[0x80], ((N - 1) & 0xf) << 4);
		break;
	case W_WRITEBACK:
		/* T9: MP live, CD from the shadow, TS L1's, mask/shadow kept. */
		g = vmreadz(GUEST_CR0);
		CHECK(g & X86_CR0_MP, (base_cr0 ^ X86_CR0_MP) & X86_CR0_MP);
		CHECK(g & X86_CR0_CD, X86_CR0_CD);
		CHECK(g & X86_CR0_TS, base_cr0 & X86_CR0_TS);
		CHECK(vmreadz(CR0_GUEST_HOST_MASK), X86_CR0_TS);
		CHECK(vmreadz(CR0_READ_SHADOW), base_cr0 & ~X86_CR0_TS);
		break;
	default:
		break;
	}
	measuring = false;
}

static void l1_code(struct vmx_pages *vmx)
{
	u64 w;

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_code, &l2_stack[L2_STACK_WORDS - 1]);
	/* L2's ucalls (I/O) and MSR accesses are not L1's. */
	GUEST_ASSERT(vmx_proc_update(CPU_BASED_USE_MSR_BITMAPS,
				     CPU_BASED_UNCOND_IO_EXITING |
				     CPU_BASED_USE_IO_BITMAPS));
	GUEST_ASSERT(vmx_ctl_allows(MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
				    CPU_BASED_TPR_SHADOW | CPU_BASED_CR8_LOAD_EXITING |
				    CPU_BASED_CR8_STORE_EXITING));
	/* A known TS and CD to start from: L2 toggles them. */
	base_cr0 = vmreadz(GUEST_CR0) & ~(X86_CR0_TS | X86_CR0_CD | X86_CR0_NW |
					  X86_CR0_EM);
	base_cr4 = vmreadz(GUEST_CR4) & ~X86_CR4_MCE;
	/*
	 * Write what the measured phases write first: L0 maps guest memory
	 * on first use, and that exit must not land in a measured phase.
	 */
	memset(l1_refl, 0, sizeof(l1_refl));
	memset(l1_cr, 0, sizeof(l1_cr));
	memset(bad, 0, sizeof(bad));
	memset(bad_what, 0, sizeof(bad_what));
	memset(bad_got, 0, sizeof(bad_got));
	memset(bad_want, 0, sizeof(bad_want));

	for (w = 0; w < NR_W; w++) {
		/* Unmeasured: L0 maps what the loop touches. */
		l1_setup(w);
		l1_run(w, w == 0);
		GUEST_ASSERT(!vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) + 3));
		l1_setup(w);
		if (w == W_ROUNDTRIP)
			/* T10: L1's edit, in the measured window. */
			GUEST_ASSERT(!vmwrite(GUEST_CR0, vmreadz(GUEST_CR0) & ~X86_CR0_CD));
		if (w == W_ROUNDTRIP)
			want_cr0 &= ~X86_CR0_CD;
		GUEST_SYNC(w * 2);
		measuring = true;
		l1_run(w, false);
		measuring = false;
		GUEST_SYNC(w * 2 + 1);
		l1_check_after(w);
		GUEST_ASSERT(!vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) + 3));
	}
	wr_cr8(0);
	GUEST_DONE();
}

/* ---- host ---- */

struct pass_result {
	bool ran;
	bool have_counts;
	u64 exits[NR_W];			/* the `exits` stat over the phase */
	struct nvmx_exit_counts c[NR_W];
	u64 ticks[NR_W];
	u64 refl[NR_W][NR_REASONS];
	u64 cr[NR_W][NR_SLOTS];
	u64 bad[NR_W], bad_what[NR_W], bad_got[NR_W], bad_want[NR_W];
};

static struct pass_result res[2];

static const char * const pass_name[2] = { "default table", "everything INTERCEPT" };

static int counts_get(struct kvm_vcpu *vcpu, struct nvmx_exit_counts *c, bool reset)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->flags = reset ? NVMX_EXIT_COUNTS_RESET : 0;
	return ioctl(vcpu->fd, NVMX_GET_EXIT_COUNTS, c);
}

static bool stat_exits(struct nested_stats *st, u64 *v)
{
	if (!st->desc[0])
		return false;
	nested_stats_read(st, v);
	return true;
}

/*
 * The "everything INTERCEPT" table: every defined CR0/CR4 row INTERCEPT,
 * SHADOWING rows keeping their value, THROUGH rows taking the value libkvm's
 * L1 runs with (CR0.ET; CR4.PAE, OSFXSR: the bits long mode needs), CR3 and
 * TPR INTERCEPT.
 */
static int intercept_policy(struct kvm_vm *vm, char *why, size_t len)
{
	const u64 cr0_keep = X86_CR0_ET, cr4_keep = X86_CR4_PAE | X86_CR4_OSFXSR;
	struct nvmx_policy p = { .size = sizeof(p) };
	int i;

	if (ioctl(vm->fd, NVMX_GET_POLICY, &p)) {
		snprintf(why, len, "NVMX_GET_POLICY: %s", strerror(errno));
		return -1;
	}
	for (i = 0; i < 32; i++) {
		if (p.cr0[i] == NVMX_POLICY_THROUGH)
			p.cr0_value |= cr0_keep & BIT_ULL(i);
		if (p.cr0[i] != NVMX_POLICY_NONE)
			p.cr0[i] = NVMX_POLICY_INTERCEPT;
		if (p.cr4[i] == NVMX_POLICY_THROUGH)
			p.cr4_value |= cr4_keep & BIT_ULL(i);
		if (p.cr4[i] != NVMX_POLICY_NONE)
			p.cr4[i] = NVMX_POLICY_INTERCEPT;
	}
	p.cr3 = NVMX_POLICY_INTERCEPT;
	p.tpr = NVMX_POLICY_INTERCEPT;
	p.size = sizeof(p);
	p.flags = 0;
	if (ioctl(vm->fd, NVMX_SET_POLICY, &p)) {
		snprintf(why, len, "NVMX_SET_POLICY: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* The default table must have the rows wl[]'s default expectations assume. */
static void check_default_policy(struct kvm_vm *vm)
{
	static const struct { bool cr4; u8 bit; u8 pol; u8 val; } rows[] = {
		{ 0, 0, NVMX_POLICY_SHADOWING, 1 },	/* PE */
		{ 0, 1, NVMX_POLICY_THROUGH, 0 },	/* MP */
		{ 0, 2, NVMX_POLICY_THROUGH, 0 },	/* EM */
		{ 0, 3, NVMX_POLICY_THROUGH, 0 },	/* TS */
		{ 0, 5, NVMX_POLICY_SHADOWING, 1 },	/* NE */
		{ 0, 16, NVMX_POLICY_THROUGH, 0 },	/* WP */
		{ 0, 18, NVMX_POLICY_THROUGH, 0 },	/* AM */
		{ 0, 29, NVMX_POLICY_SHADOWING, 0 },	/* NW */
		{ 0, 30, NVMX_POLICY_SHADOWING, 0 },	/* CD */
		{ 0, 31, NVMX_POLICY_SHADOWING, 1 },	/* PG */
		{ 1, 0, NVMX_POLICY_THROUGH, 0 },	/* VME */
		{ 1, 2, NVMX_POLICY_THROUGH, 0 },	/* TSD */
		{ 1, 3, NVMX_POLICY_THROUGH, 0 },	/* DE */
		{ 1, 6, NVMX_POLICY_SHADOWING, 1 },	/* MCE */
		{ 1, 7, NVMX_POLICY_THROUGH, 0 },	/* PGE */
		{ 1, 10, NVMX_POLICY_THROUGH, 0 },	/* OSXMMEXCPT */
		{ 1, 13, NVMX_POLICY_SHADOWING, 1 },	/* VMXE */
	};
	struct nvmx_policy p = { .size = sizeof(p) };
	unsigned int i, wrong = 0;
	u8 pol, val;

	if (ioctl(vm->fd, NVMX_GET_POLICY, &p)) {
		result(false, "default policy table: NVMX_GET_POLICY: %s", strerror(errno));
		return;
	}
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		pol = rows[i].cr4 ? p.cr4[rows[i].bit] : p.cr0[rows[i].bit];
		val = ((rows[i].cr4 ? p.cr4_value : p.cr0_value) >> rows[i].bit) & 1;
		if (pol == rows[i].pol && val == rows[i].val)
			continue;
		wrong++;
		ksft_print_msg("policy CR%d bit %u: expected policy %u value %u, got %u %u\n",
			       rows[i].cr4 ? 4 : 0, rows[i].bit, rows[i].pol,
			       rows[i].val, pol, val);
	}
	if (p.tpr != NVMX_POLICY_SHADOWING || p.cr3 != NVMX_POLICY_THROUGH) {
		wrong++;
		ksft_print_msg("policy TPR: expected %u, got %u; CR3: expected %u, got %u\n",
			       NVMX_POLICY_SHADOWING, p.tpr, NVMX_POLICY_THROUGH, p.cr3);
	}
	result(!wrong, "default policy table has the rows the expectations assume (%u wrong)",
	       wrong);
}

/* A guest global (volatile there) into @dst, of the same size. */
#define from_guest(vm, dst, sym)					\
do {									\
	TEST_ASSERT(sizeof(dst) == sizeof(sym), #sym);			\
	memcpy(dst, addr_gva2hva(vm, (vm_vaddr_t)&(sym)), sizeof(sym));	\
} while (0)

/* Runs every workload in a fresh VM; @intercept sets that table first. */
static void run_pass(int pass, bool nvmx)
{
	static const char *const names[] = { "exits" };
	struct pass_result *pr = &res[pass];
	struct kvm_stats_desc *desc[1];
	struct nested_stats st;
	struct kvm_vcpu *vcpu;
	vm_vaddr_t vmx_gva, vapic;
	struct kvm_vm *vm;
	struct ucall uc;
	u64 v = 0, w, arg, exits_start = 0, expect = 0;
	char why[128];

	vm = __vm_create(VM_MODE_DEFAULT, 1, 0);
	if (pass == 0 && nvmx)
		check_default_policy(vm);
	if (pass == 1 && intercept_policy(vm, why, sizeof(why))) {
		result(false, "%s: table not set: %s", pass_name[pass], why);
		kvm_vm_free(vm);
		return;
	}
	if (pass == 1)
		result(true, "%s: table set with NVMX_SET_POLICY", pass_name[pass]);
	vcpu = vm_vcpu_add(vm, 0, l1_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_exception_handler(vm, GP_VEC, l2_gp_handler);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	vapic = vm_vaddr_alloc_page(vm);
	memset(addr_gva2hva(vm, vapic), 0, 4096);
	vapic_gva = vapic;
	vapic_gpa = addr_gva2gpa(vm, vapic);
	sync_global_to_guest(vm, vapic_gva);
	sync_global_to_guest(vm, vapic_gpa);
	nested_stats_open(&st, vcpu, names, 1, 1, desc);
	TEST_ASSERT(desc[0], "the vCPU stats have no \"exits\"");
	pr->have_counts = nvmx;

	for (;;) {
		vcpu_run(vcpu);
		TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
			    "%s: exit reason %u (%s), want KVM_EXIT_IO", pass_name[pass],
			    vcpu->run->exit_reason, exit_reason_str(vcpu->run->exit_reason));
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			arg = uc.args[1];
			w = arg / 2;
			TEST_ASSERT(arg == expect && w < NR_W, "GUEST_SYNC %lu, want %lu",
				    arg, expect);
			expect++;
			stat_exits(&st, &v);
			if (!(arg & 1)) {
				exits_start = v;
				if (nvmx && counts_get(vcpu, &pr->c[w], true))
					pr->have_counts = false;
				continue;
			}
			pr->exits[w] = v - exits_start;
			if (nvmx && counts_get(vcpu, &pr->c[w], false))
				pr->have_counts = false;
			continue;
		case UCALL_DONE:
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT_2(uc, "values: %#lx, %#lx");
			break;
		default:
			TEST_FAIL("unexpected ucall %lu", uc.cmd);
		}
		break;
	}
	TEST_ASSERT(expect == 2 * NR_W, "%lu GUEST_SYNCs, want %u", expect, 2 * NR_W);
	from_guest(vm, pr->ticks, l2_ticks);
	from_guest(vm, pr->refl, l1_refl);
	from_guest(vm, pr->cr, l1_cr);
	from_guest(vm, pr->bad, bad);
	from_guest(vm, pr->bad_what, bad_what);
	from_guest(vm, pr->bad_got, bad_got);
	from_guest(vm, pr->bad_want, bad_want);
	pr->ran = true;
	close(st.fd);
	kvm_vm_free(vm);
}

/* The expected count of (@level, @reason, CR slot @slot or -1) for @w. */
static u64 expected(int pass, u64 w, int level, unsigned int reason, int slot)
{
	const struct wl_row *row = &wl[w];
	unsigned int i;
	u64 n = 0;

	if (level == NVMX_LEVEL_L2_L1 && reason == R_VMCALL && slot < 0)
		n = 1;	/* the phase's end */
	for (i = 0; i < ARRAY_SIZE(row->exp); i++) {
		const struct exp *e = &row->exp[i];

		if (e->reason != reason || (!e->abs[pass] && !e->refl[pass]))
			continue;
		if (slot >= 0 && NVMX_CR_SLOT(e->cr, e->type) != slot)
			continue;
		n += level == NVMX_LEVEL_L2_L0 ? e->abs[pass] : e->refl[pass];
	}
	return n;
}

static const char * const level_name[] = {
	[NVMX_LEVEL_L1] = "L1", [NVMX_LEVEL_L2_L0] = "L2->L0 absorbed",
	[NVMX_LEVEL_L2_L1] = "L2->L1 reflected",
};

static const char * const type_name[] = { "MOV to", "MOV from", "CLTS", "LMSW" };

/* Counts of @w against its row; every mismatch as a comment. */
static unsigned int check_counts(int pass, u64 w)
{
	const struct nvmx_exit_counts *c = &res[pass].c[w];
	unsigned int r, bad_n = 0;
	int lvl, s;
	u64 want, got, sum;

	for (lvl = NVMX_LEVEL_L2_L0; lvl <= NVMX_LEVEL_L2_L1; lvl++) {
		for (r = 0; r < NR_REASONS; r++) {
			if (r == R_EXTINT)
				continue;
			want = expected(pass, w, lvl, r, -1);
			got = c->exits[lvl][r];
			if (want != got && ++bad_n)
				ksft_print_msg("  %s: %s reason %u: expected %lu, got %lu\n",
					       wl[w].name, level_name[lvl], r, want, got);
			if (lvl == NVMX_LEVEL_L2_L1 && res[pass].refl[w][r] != got && ++bad_n)
				ksft_print_msg("  %s: reason %u: L1 counted %lu, nvmx %lu\n",
					       wl[w].name, r, res[pass].refl[w][r], got);
		}
		for (s = 0; s < NR_SLOTS; s++) {
			want = expected(pass, w, lvl, R_CR, s);
			got = c->cr[lvl][s];
			if (want != got && ++bad_n)
				ksft_print_msg("  %s: %s CR%d %s: expected %lu, got %lu\n",
					       wl[w].name, level_name[lvl], s / 4,
					       type_name[s % 4], want, got);
			if (lvl == NVMX_LEVEL_L2_L1 && res[pass].cr[w][s] != got && ++bad_n)
				ksft_print_msg("  %s: CR%d %s: L1 counted %lu, nvmx %lu\n",
					       wl[w].name, s / 4, type_name[s % 4],
					       res[pass].cr[w][s], got);
		}
	}
	if (wl[w].l1_round_trips) {
		/* 2 L0 exits per round trip: L1 exits only by VMRESUME. */
		for (sum = 0, r = 0; r < NR_REASONS; r++)
			if (r != R_EXTINT && r != R_IO)
				sum += c->exits[NVMX_LEVEL_L1][r];
		want = wl[w].exp[0].refl[pass] + 1;
		got = c->exits[NVMX_LEVEL_L1][R_VMRESUME];
		if ((got != want || sum != want) && ++bad_n) {
			ksft_print_msg("  %s: L1 exits: expected %lu, all VMRESUME,\n",
				       wl[w].name, want);
			ksft_print_msg("  got %lu: %lu VMRESUME, %lu VMREAD, %lu VMWRITE\n",
				       sum, got, c->exits[NVMX_LEVEL_L1][R_VMREAD],
				       c->exits[NVMX_LEVEL_L1][R_VMWRITE]);
		}
	}
	return bad_n;
}

static u64 l1_total(int pass, u64 w)
{
	u64 n = 0;
	int r;

	for (r = 0; r < NR_REASONS; r++)
		n += res[pass].refl[w][r];
	return n;
}

/* L1's count against the row on every device: reflection is architectural. */
static unsigned int check_l1_counted(int pass, u64 w)
{
	unsigned int r, bad_n = 0;
	u64 want;

	for (r = 0; r < NR_REASONS; r++) {
		want = expected(pass, w, NVMX_LEVEL_L2_L1, r, -1);
		if (res[pass].refl[w][r] != want && ++bad_n)
			ksft_print_msg("  %s: L1 got %lu exits of reason %u, expected %lu\n",
				       wl[w].name, res[pass].refl[w][r], r, want);
	}
	return bad_n;
}

static void report_pass(int pass, bool nvmx)
{
	struct pass_result *pr = &res[pass];
	unsigned int nb;
	u64 w;

	for (w = 0; w < NR_W; w++) {
		nb = check_l1_counted(pass, w);
		if (!pr->bad[w] && !nb)
			result(true, "%s: %s (%s): values, L1's count", pass_name[pass],
			       wl[w].name, wl[w].spec);
		else
			result(false, "%s: %s: %u counts, %lu values bad (line %lu: %#lx != %#lx)",
			       pass_name[pass], wl[w].name, nb, pr->bad[w],
			       pr->bad_what[w], pr->bad_got[w], pr->bad_want[w]);
		if (!nvmx) {
			ksft_print_msg("kvm_intel %s: %lu accesses, %lu exits, L1 %lu, tsc %lu\n",
				       wl[w].name, (u64)wl[w].accesses, pr->exits[w],
				       l1_total(pass, w), pr->ticks[w]);
			continue;
		}
		if (!pr->have_counts) {
			result(false, "%s: %s: counts: NVMX_GET_EXIT_COUNTS failed",
			       pass_name[pass], wl[w].name);
			continue;
		}
		nb = check_counts(pass, w);
		result(!nb, "%s: %s (%s): exit counts at every level (%u wrong)",
		       pass_name[pass], wl[w].name, wl[w].spec, nb);
	}
}

/* "row PASS W TICKS EXITS100" for --table: per access, over the baseline. */
static void print_rows(int pass)
{
	struct pass_result *pr = &res[pass];
	s64 dt, de;
	u64 w;

	for (w = 1; w < NR_W; w++) {
		dt = pr->ticks[w] - pr->ticks[W_NONE];
		de = pr->exits[w] - pr->exits[W_NONE];
		printf("row %d %lu %ld %ld\n", pass, w,
		       dt > 0 ? dt / wl[w].accesses : 0,
		       de > 0 ? de * 100 / wl[w].accesses : 0);
	}
}

static int measure(void)
{
	bool nvmx = on_nvmx();
	int passes = nvmx ? 2 : 1, p;

	setbuf(stdout, NULL);
	require_nested_vmx();
	ksft_print_header();
	/* Values per workload and pass; counts and the table checks on nvmx. */
	ksft_set_plan(nvmx ? 2 * NR_W + 2 * NR_W + 2 : NR_W);
	for (p = 0; p < passes; p++) {
		run_pass(p, nvmx);
		if (res[p].ran) {
			report_pass(p, nvmx);
			print_rows(p);
		} else {
			for (u64 w = 0; w < 2 * NR_W; w++)
				result(false, "%s: not run", pass_name[p]);
		}
	}
	results_done();
	return 0;
}

/* --table: this program on each device, then one table of both. */
struct dev_run {
	const char *name;
	bool via_nvmx_run;
	int status;
	char cells[2][NR_W][2][24];	/* [pass][w][ticks, exits] */
};

/* A "row" line of the run on @arg (a struct dev_run) into its cells. */
static bool dev_row(const char *line, void *arg)
{
	struct dev_run *d = arg;
	int pass;
	long w, t, e;

	if (sscanf(line, "row %d %ld %ld %ld", &pass, &w, &t, &e) != 4 ||
	    pass < 0 || pass >= 2 || w <= 0 || w >= NR_W)
		return false;
	snprintf(d->cells[pass][w][0], 24, "%ld", t);
	snprintf(d->cells[pass][w][1], 24, "%ld.%02ld", e / 100, e % 100);
	return true;
}

static int table(void)
{
	static struct dev_run devs[] = {
		{ .name = "/dev/nvmx", .via_nvmx_run = true },
		{ .name = "/dev/kvm" },
	};
	int i, p, rc = 0;
	u64 w;

	for (i = 0; i < (int)ARRAY_SIZE(devs); i++) {
		for (p = 0; p < 2; p++)
			for (w = 0; w < NR_W; w++) {
				strcpy(devs[i].cells[p][w][0], "-");
				strcpy(devs[i].cells[p][w][1], "-");
			}
		devs[i].status = run_self("vmx_cr_test", devs[i].name,
					  devs[i].via_nvmx_run, dev_row, &devs[i]);
		if (devs[i].status && (!rc || rc == KSFT_SKIP))
			rc = devs[i].status;
	}
	/* Per access: L0 exits and TSC ticks; "INTERCEPT" is nvmx under that table. */
	printf("| L2 workload (N = %d) | spec | accesses | limit exits |", N);
	printf(" nvmx exits | nvmx ticks | INTERCEPT exits | INTERCEPT ticks |");
	printf(" kvm_intel exits | kvm_intel ticks |\n");
	printf("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|\n");
	for (w = 1; w < NR_W; w++)
		printf("| %s | %s | %u | %u.%02u | %s | %s | %s | %s | %s | %s |\n",
		       wl[w].name, wl[w].spec, wl[w].accesses,
		       wl[w].limit / wl[w].accesses,
		       wl[w].limit * 100 / wl[w].accesses % 100,
		       devs[0].cells[0][w][1], devs[0].cells[0][w][0],
		       devs[0].cells[1][w][1], devs[0].cells[1][w][0],
		       devs[1].cells[0][w][1], devs[1].cells[0][w][0]);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--table"))
		return table();
	TEST_ASSERT(argc == 1, "usage: vmx_cr_test [--table]");
	return measure();
}
