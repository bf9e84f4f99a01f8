// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile L1: seeded, reproducible rounds of VMWRITEs of random and
 * boundary values to the fields of nvmx's vmcs12 table
 * (src/nested/vmcs12_fields.h), VMX instructions with random operands, and
 * VMLAUNCH/VMRESUME of an L2 whose code is one VMCALL. The guest judges
 * every round (see judge_entry()): an entry ends in VMfail with an error
 * number the touched fields can cause, an entry failure (0x80000021/22)
 * with a consistent qualification, or a VM exit that the touched fields can
 * cause (VMCALL at its address when nothing that changes L2's path was
 * touched). The host checks the kernel log and slab counts around the run.
 *
 *   vmx_fuzz_test [-s SEED] [-n ROUNDS] [-k N] [-v]
 *
 * (or NVMX_NFUZZ_SEED, _ROUNDS, _KEEP_GOING). -k N goes on after a failed
 * round until N have failed (default 1: the first ends the run).
 *
 * Round i of a run from seed S uses seed S+i only, and starts from a
 * VMCLEARed VMCS rewritten with the baseline, so `-s S+i -n 1` replays it.
 *
 * What keeps L1 alive: L2 runs no code but its payload (guest RIP only
 * takes values that hit the payload, its int3 padding, unmapped or
 * non-canonical addresses; guest CR3 never points at random memory), every
 * exception in L2 exits (exception bitmap all ones, #PF mask = match = 0;
 * those three are only fuzzed in rounds that touch nothing that makes L2
 * fault), an event injected into L2 (rounds that leave L2's stack and IDT
 * alone) goes through L1's IDT, whose handler returns to the payload
 * (vectors whose libkvm stub pops an error code get one), host-state
 * fields L1 cannot restore get only values the entry checks must refuse
 * (HOST_RSP, which has no check, stays the entry stub's), and the rest of
 * L1's state a VM exit loads (segment registers, FS/GS bases, SYSENTER,
 * EFER, PAT, descriptor-table limits) is put back after every entry. GPA
 * fields point at a zero page, an all-ones page, MSR areas of valid
 * entries, MMIO, no memslot or the top of MAXPHYADDR, never at arbitrary
 * memory of L1's. Left out on purpose:
 * activity states HLT, shutdown and wait-for-SIPI (nothing would wake L2)
 * and VM-exit MSR areas in no memslot (a VMX abort: L1 shuts down).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "vmx.h"

#include "nvmx_kvm.h"
#include "../vm/nvmx_test.h"

/* The vmcs12 field table, through our own X-macro. */
enum fz_width { FZ_W16, FZ_W32, FZ_W64, FZ_WNAT };
enum fz_class { FZ_COPY, FZ_HOST, FZ_CTRL, FZ_GPA, FZ_CR, FZ_EXIT, FZ_SOFT, FZ_L0 };

struct fz_field {
	const char *name;
	u32 enc;
	u8 width;
	bool ro;
	u8 class;
};

#define FZ_RW false
#define FZ_RO true
#define NVMX_VMCS12_FIELD(name, enc, width, off, access, class, freq, sh) \
	{ #name, enc, FZ_##width, FZ_##access, FZ_##class },
static const struct fz_field fields[] = {
#include "../../src/nested/vmcs12_fields.h"
};

#undef NVMX_VMCS12_FIELD

#define NR_FIELDS ARRAY_SIZE(fields)

/*
 * What a round touched, and so what its entries may end in. Groups come
 * from the table's class column, refined by name (group_of()).
 */
enum {
	T_RO = 1 << 0,		/* VM-exit information */
	T_HOST = 1 << 1,	/* host state */
	T_GUEST = 1 << 2,	/* guest state */
	T_EVSAFE = 1 << 3,	/* guest state that event delivery tolerates */
	T_EVENT = 1 << 4,	/* the VM-entry event */
	T_CTRL = 1 << 5,	/* controls, their addresses, masks, L0-only fields */
	T_ICPT = 1 << 6,	/* exception bitmap, #PF mask and match */
	T_LINK = 1 << 7,	/* VMCS link pointer */
	T_MSRLD = 1 << 8,	/* VM-entry MSR-load address and count */
	T_UNKNOWN = 1 << 9,	/* a VMWRITE outside the table succeeded */
};

/* How a field's values are made. */
enum {
	V_ANY,		/* boundary values, bit flips, random */
	V_ADDR,		/* a guest-physical address (gen_addr()) */
	V_FAIL,		/* only what the host-state checks refuse */
	V_RIP,		/* guest RIP: the payload and where no code is */
	V_CR3,		/* guest CR3 */
	V_ACT,		/* activity state: active or invalid */
	V_MSRLD,	/* VM-entry MSR-load area */
	V_MSRX,		/* VM-exit MSR-store/load area */
	V_MSRCNT,	/* VM-entry MSR-load count */
	V_MSRXCNT,	/* VM-exit counts: at most the maximum (else VMX abort) */
	V_CSBASE,	/* guest CS base: 0, small, or bits 63:32 set */
	V_CR4,		/* guest CR4 without LA57 (4-level tables) */
	V_ICPT,		/* exception bitmap, #PF mask/match */
	V_SEL,		/* host ES/SS/DS/FS/GS selector: restored after entry */
	V_STUB,		/* HOST_RSP/RIP: the entry stub writes them (do_enter()) */
	V_EVENT,	/* VM-entry interruption information: mostly well formed */
};

struct fz_rule {
	const char *name;
	u16 group;
	u8 gen;
};

/* Name overrides of the class column; everything else is by class. */
static const struct fz_rule rules[] = {
	{ "host_cr0",			T_HOST,		V_FAIL },
	{ "host_cr3",			T_HOST,		V_FAIL },
	{ "host_cr4",			T_HOST,		V_FAIL },
	{ "host_cs_selector",		T_HOST,		V_FAIL },
	{ "host_tr_selector",		T_HOST,		V_FAIL },
	{ "host_tr_base",		T_HOST,		V_FAIL },
	{ "host_gdtr_base",		T_HOST,		V_FAIL },
	{ "host_idtr_base",		T_HOST,		V_FAIL },
	{ "host_rsp",			T_HOST,		V_STUB },
	{ "host_rip",			T_HOST,		V_STUB },
	{ "host_es_selector",		T_HOST,		V_SEL },
	{ "host_ss_selector",		T_HOST,		V_SEL },
	{ "host_ds_selector",		T_HOST,		V_SEL },
	{ "host_fs_selector",		T_HOST,		V_SEL },
	{ "host_gs_selector",		T_HOST,		V_SEL },
	{ "guest_rip",			T_GUEST,	V_RIP },
	{ "guest_cr3",			T_GUEST,	V_CR3 },
	{ "guest_cr4",			T_GUEST,	V_CR4 },
	{ "guest_cs_base",		T_GUEST,	V_CSBASE },
	{ "guest_activity_state",	T_EVSAFE,	V_ACT },
	{ "guest_rflags",		T_EVSAFE,	V_ANY },
	{ "guest_interruptibility_info", T_EVSAFE,	V_ANY },
	{ "guest_pending_dbg_exceptions", T_EVSAFE,	V_ANY },
	{ "vm_entry_intr_info_field",	T_EVENT,	V_EVENT },
	{ "vm_entry_exception_error_code", T_EVENT,	V_ANY },
	{ "vm_entry_instruction_len",	T_EVENT,	V_ANY },
	{ "exception_bitmap",		T_ICPT,		V_ICPT },
	{ "page_fault_error_code_mask",	T_ICPT,		V_ICPT },
	{ "page_fault_error_code_match", T_ICPT,	V_ICPT },
	{ "vmcs_link_pointer",		T_LINK,		V_ADDR },
	{ "vm_entry_msr_load_addr",	T_MSRLD,	V_MSRLD },
	{ "vm_entry_msr_load_count",	T_MSRLD,	V_MSRCNT },
	{ "vm_exit_msr_store_addr",	T_CTRL,		V_MSRX },
	{ "vm_exit_msr_load_addr",	T_CTRL,		V_MSRX },
	{ "vm_exit_msr_store_count",	T_CTRL,		V_MSRXCNT },
	{ "vm_exit_msr_load_count",	T_CTRL,		V_MSRXCNT },
	{ "ept_pointer",		T_CTRL,		V_ADDR },
	{ "posted_intr_desc_addr",	T_CTRL,		V_ADDR },
	{ "pml_address",		T_CTRL,		V_ADDR },
	{ "eptp_list_address",		T_CTRL,		V_ADDR },
	{ "pid_pointer_table",		T_CTRL,		V_ADDR },
};

/* Architectural numbers the checks use (SDM vol. 3, appendix C and 30.4). */
#define ERR_VMCLEAR_ADDR	2
#define ERR_VMCLEAR_VMXON	3
#define ERR_LAUNCH_NOT_CLEAR	4
#define ERR_RESUME_NOT_LAUNCHED	5
#define ERR_ENTRY_CTRL		7
#define ERR_ENTRY_HOST		8
#define ERR_VMPTRLD_ADDR	9
#define ERR_VMPTRLD_VMXON	10
#define ERR_VMPTRLD_REV		11
#define ERR_UNSUPPORTED_FIELD	12
#define ERR_READ_ONLY_FIELD	13
#define ERR_VMXON_IN_ROOT	15
#define ERR_INV_OPERAND		28

#define EXIT_FAILED		0x80000000u
#define EXIT_INVALID_STATE	33
#define EXIT_MSR_LOAD		34

#define RFLAGS_CF		BIT(0)
#define RFLAGS_ZF		BIT(6)

#define FZ_HOST_RSP		0x6c14
#define FZ_HOST_RIP		0x6c16
#define FZ_VM_INSTRUCTION_ERROR	0x4400

#define MISC_VMWRITE_ANY	BIT_ULL(29)
#define FZ_MSR_INDEX		0x174	/* SYSENTER_CS: any entry may load it */
#define FZ_BAD_MSR_INDEX	0xc0000100	/* FS_BASE: no MSR area may load it */
#define NONCANON		0x8000000000000000ull
#define UNMAPPED_GVA		0x0000500000000000ull

/* Exits, and what a round must have touched for each (SDM appendix C). */
struct exit_rule {
	u8 reason;
	u16 needs;
	const char *name;
};

static const struct exit_rule exit_rules[] = {
	{ 0,	T_GUEST | T_EVSAFE | T_EVENT | T_CTRL,	"exception or NMI" },
	{ 1,	T_CTRL,					"external interrupt" },
	{ 2,	T_GUEST | T_EVSAFE | T_EVENT | T_CTRL,	"triple fault" },
	{ 7,	T_CTRL,					"interrupt window" },
	{ 8,	T_CTRL,					"NMI window" },
	{ 18,	0,					"VMCALL" },
	{ 37,	T_CTRL | T_EVENT,			"monitor trap flag" },
	{ 43,	T_CTRL,					"TPR below threshold" },
	{ 44,	T_CTRL,					"APIC access" },
	{ 45,	T_CTRL,					"virtualized EOI" },
	{ 48,	T_CTRL,					"EPT violation" },
	{ 49,	T_CTRL,					"EPT misconfiguration" },
	{ 52,	T_CTRL,					"preemption timer" },
	{ 56,	T_CTRL,					"APIC write" },
};

/* Shared with the host: inputs, then what the run did. */
struct fz_cfg {
	u64 seed, rounds;
	u64 zero_gpa, ones_gpa, msr_gpa, bad_msr_gpa, unbacked_gpa;
	void *zero, *ones, *msr;	/* guest virtual addresses */
	u32 msr_max;			/* MSR-area entries IA32_VMX_MISC allows */
	u16 group[NR_FIELDS];		/* T_* of each row */
	u8 gen[NR_FIELDS];		/* V_* of each row */
	u64 keeps[NR_FIELDS];		/* bits VMREAD must give back (below) */
};

#define LOG_MAX 48

struct fz_log {
	u32 op;		/* OP_* */
	u32 enc;	/* field or address kind */
	u64 val;
	u64 res;	/* RFLAGS, vector, or exit reason */
};

struct fz_state {
	u64 round;		/* rounds finished */
	u64 cur_seed;
	u64 l2_events;		/* events L2 took through L1's IDT */
	u64 fault_vec, fault_ec, fault_rip;	/* the last other vector */
	u32 nlog;
	struct fz_log log[LOG_MAX];
	u64 vmfail_valid[32], vmfail_invalid, entry_fail[2], ud;
	u64 exits[80], insn_ops, vmwrites;
	u64 unsupported;
	bool round_failed;
};

enum { OP_WRITE, OP_WRITE_HI, OP_ENTER, OP_INSN };

static struct fz_cfg cfg;
static struct fz_state st;

/* ---- guest (L1) ---- */

/* L2's code: VMCALL, then int3 padding that any RIP inside it hits. */
static void __used __attribute__((naked)) fz_l2_payload(void)
{
	asm volatile("vmcall\n\t"
		     ".fill 61, 1, 0xcc");
}

#define L2_STACK_WORDS 512
static u64 l2_stack[L2_STACK_WORDS];

static u64 rng;

/* splitmix64 */
static u64 rnd(void)
{
	u64 z = (rng += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static u64 rnd_below(u64 n)
{
	return n ? rnd() % n : 0;
}

/* What L1 knows about its own VMX state, the oracle of every check. */
static struct {
	bool in_vmx;
	bool current_valid;
	bool current_shadow;	/* the current VMCS is the shadow one */
	u64 current;
	u64 vmxon_ptr;
	bool launched;		/* the VMCS at vmx->vmcs_gpa */
	u16 touched;
} vs;

/* L1's facts, read once. */
static struct {
	struct vmx_pages *vmx;
	u32 rev;
	u64 misc, ept_vpid_cap, proc2_allowed1;
	bool shadow_ok, invept_ok, invvpid_ok;
	u8 maxphy;
	u64 top;			/* 1 << MAXPHYADDR */
	u64 cr4_fixed1;
	bool supported[NR_FIELDS];
	u64 baseline[NR_FIELDS];
	/* What a VM exit may change in L1, put back after every entry. */
	u64 fs_base, gs_base, sysenter_cs, sysenter_esp, sysenter_eip;
	u64 efer, pat, perf_global;
	bool has_perf_global;
	u16 ds, es, ss, fs, gs;
	struct desc_ptr gdt, idt;
} l1;

static void log_op(u32 op, u32 enc, u64 val, u64 res)
{
	struct fz_log *l;

	if (st.nlog >= LOG_MAX)
		return;
	l = &st.log[st.nlog++];
	l->op = op;
	l->enc = enc;
	l->val = val;
	l->res = res;
}

/* A failed check: the host prints the round's seed and log. */
/*
 * A failed check: the host prints the round's seed and log. With -k it
 * lets the guest go on, and the rest of the round reports nothing.
 */
#define CHECK(cond, what, a, b)							\
do {										\
	if (!st.round_failed)							\
		__GUEST_ASSERT((cond) || (st.round_failed = true, false), what, 4,	\
			       st.cur_seed, st.round, (u64)(a), (u64)(b));		\
} while (0)

static int field_index(u32 enc)
{
	unsigned int i;

	for (i = 0; i < NR_FIELDS; i++)
		if (fields[i].enc == enc)
			return i;
	return -1;
}

static u64 width_mask(u8 w)
{
	return w == FZ_W16 ? 0xffff : w == FZ_W32 ? 0xffffffff : ~0ull;
}

/* VMX instructions that report RFLAGS and the vector of any fault. */
struct vres {
	u8 vec;
	u64 fl;
};

#define VMX_INSN(insn, ins...)							\
({										\
	struct vres __r;							\
										\
	asm volatile(KVM_ASM_SAFE(insn) "pushf\n\tpop %[fl]\n\t"			\
		     : KVM_ASM_SAFE_OUTPUTS(__r.vec), [fl] "=&r"(__r.fl)		\
		     : ins							\
		     : KVM_ASM_SAFE_CLOBBERS, "cc", "memory");			\
	__r;									\
})

static struct vres x_vmptrld(u64 *pa)
{
	return VMX_INSN("vmptrld %[pa]", [pa] "m"(*pa));
}

static struct vres x_vmclear(u64 *pa)
{
	return VMX_INSN("vmclear %[pa]", [pa] "m"(*pa));
}

static struct vres x_vmxon(u64 *pa)
{
	return VMX_INSN("vmxon %[pa]", [pa] "m"(*pa));
}

static struct vres x_vmxoff(void)
{
	return VMX_INSN("vmxoff", "i"(0));
}

static struct vres x_vmptrst(u64 *pa)
{
	return VMX_INSN("vmptrst %[pa]", [pa] "m"(*pa));
}

static struct vres x_vmread(u64 enc, u64 *val)
{
	struct vres r;
	u64 v = 0;

	asm volatile(KVM_ASM_SAFE("vmread %[enc], %[v]") "pushf\n\tpop %[fl]\n\t"
		     : KVM_ASM_SAFE_OUTPUTS(r.vec), [fl] "=&r"(r.fl), [v] "+r"(v)
		     : [enc] "r"(enc)
		     : KVM_ASM_SAFE_CLOBBERS, "cc", "memory");
	*val = v;
	return r;
}

/* VMREAD into memory. */
static struct vres x_vmread_m(u64 enc, u64 *dst)
{
	struct vres r;

	asm volatile(KVM_ASM_SAFE("vmread %[enc], %[dst]") "pushf\n\tpop %[fl]\n\t"
		     : KVM_ASM_SAFE_OUTPUTS(r.vec), [fl] "=&r"(r.fl), [dst] "=m"(*dst)
		     : [enc] "r"(enc)
		     : KVM_ASM_SAFE_CLOBBERS, "cc", "memory");
	return r;
}

static struct vres x_vmwrite(u64 enc, u64 val)
{
	return VMX_INSN("vmwrite %[v], %[enc]", [enc] "r"(enc), [v] "r"(val));
}

/* VMWRITE from memory. */
static struct vres x_vmwrite_m(u64 enc, u64 *src)
{
	return VMX_INSN("vmwrite %[src], %[enc]", [enc] "r"(enc), [src] "m"(*src));
}

static struct vres x_invept(u64 type, u64 *desc)
{
	return VMX_INSN("invept %[d], %[t]", [t] "r"(type), [d] "m"(*desc));
}

static struct vres x_invvpid(u64 type, u64 *desc)
{
	return VMX_INSN("invvpid %[d], %[t]", [t] "r"(type), [d] "m"(*desc));
}

static struct vres x_vmfunc(void)
{
	return VMX_INSN("vmfunc", "a"(0), "c"(0));
}

static struct vres x_vmlaunch(void)
{
	return VMX_INSN("vmlaunch", "i"(0));
}

/*
 * The outcome of an instruction as the SDM's pseudocode names it:
 * OK (VMsucceed), FAIL_INVALID, FAIL_VALID + 12 bits of error, or a vector.
 */
#define RES_OK		0
#define RES_INVALID	0x1000
#define RES_VALID(e)	(0x2000 | (e))
#define RES_VEC(v)	(0x4000 | (v))

static u32 outcome(struct vres r)
{
	if (r.vec)
		return RES_VEC(r.vec);
	if (r.fl & RFLAGS_CF)
		return RES_INVALID;
	if (r.fl & RFLAGS_ZF)
		return RES_VALID(vmreadz(FZ_VM_INSTRUCTION_ERROR) & 0xfff);
	return RES_OK;
}

/* The SDM's VMfail(err): valid or invalid by the current VMCS. */
static u32 vmfail(u32 err)
{
	return vs.current_valid ? RES_VALID(err) : RES_INVALID;
}

static void expect(u32 got, u32 want, u32 what)
{
	CHECK(got == want, "VMX instruction outcome", what << 16 | got, want);
}

/* ---- values ---- */

static u64 top_of(void)
{
	return l1.top;
}

static u64 gen_addr(void)
{
	static const u16 offs[] = { 1, 8, 16, 0x800, 0xff0, 0xfff };

	switch (rnd_below(13)) {
	case 0: return 0;
	case 1: return ~0ull;
	case 2: return cfg.zero_gpa;
	case 3: return cfg.zero_gpa + offs[rnd_below(ARRAY_SIZE(offs))];
	case 4: return cfg.ones_gpa;
	case 5: return cfg.unbacked_gpa;
	case 6: return 0xfee00000;
	case 7: return 0xfec00000;
	case 8: return top_of() - 4096;
	case 9: return top_of();
	case 10: return top_of() - 1;
	case 11: return BIT_ULL(63);
	default: return cfg.zero_gpa | BIT_ULL(rnd_below(64));
	}
}

static u64 gen_any(unsigned int i, u64 base)
{
	u64 b = BIT_ULL(rnd_below(64));

	switch (rnd_below(12)) {
	case 0: return 0;
	case 1: return ~0ull;
	case 2: return b;
	case 3: return b - 1;
	case 4: return base ^ b;
	case 5: return base | b;
	case 6: return base & ~b;
	case 7: return rnd();
	case 8: return rnd() & 0xffffffff;
	case 9: return gen_addr();
	case 10: return base ^ BIT_ULL(rnd_below(fields[i].width == FZ_W16 ? 16 :
				       fields[i].width == FZ_W32 ? 32 : 64));
	default: return base + rnd_below(32) - 16;
	}
}

/* Values the host-state checks (SDM 26.2.2-26.2.4) must refuse. */
static u64 gen_fail(unsigned int i, u64 base)
{
	u32 enc = fields[i].enc;
	u64 b;

	if (enc == HOST_CR0) {
		static const u64 bad[] = { ~X86_CR0_PG, ~X86_CR0_PE, ~X86_CR0_NE };

		if (rnd() & 1)
			return base & bad[rnd_below(ARRAY_SIZE(bad))];
		return base | BIT_ULL(32 + rnd_below(32));
	}
	if (enc == HOST_CR4) {
		if (rnd_below(3) == 0)
			return base & ~X86_CR4_VMXE;
		if (rnd_below(2) == 0)
			return base & ~X86_CR4_PAE;
		do
			b = BIT_ULL(rnd_below(64));
		while (l1.cr4_fixed1 & b);
		return base | b;
	}
	if (enc == HOST_CR3)
		return base | (rnd() & 1 ? l1.top : BIT_ULL(63));
	if (enc == HOST_CS_SELECTOR || enc == HOST_TR_SELECTOR)
		return rnd_below(4) ? base | (1 + rnd_below(7)) : 0;
	/* Bases and RIP/RSP: not canonical. */
	b = rnd() | BIT_ULL(47);
	return rnd() & 1 ? b & ~0xffff000000000000ull : (b & 0x7fffffffffffull) | NONCANON;
}

static u64 gen_value(unsigned int i)
{
	u64 base = l1.baseline[i];
	u64 p = (u64)fz_l2_payload;

	switch (cfg.gen[i]) {
	case V_ADDR:
		return gen_addr();
	case V_FAIL:
		return gen_fail(i, base);
	case V_RIP: {
		const u64 rips[] = { p, p + 1, p + 2, p + 3, 0, BIT_ULL(32),
				     ~0ull, NONCANON, BIT_ULL(47), UNMAPPED_GVA };

		return rips[rnd_below(ARRAY_SIZE(rips))];
	}
	case V_CR3: {
		const u64 cr3s[] = { base, base | 0x18, base | 0xfff, base | l1.top,
				     base | BIT_ULL(63), cfg.zero_gpa };

		return cr3s[rnd_below(ARRAY_SIZE(cr3s))];
	}
	case V_CR4:
		return gen_any(i, base) & ~X86_CR4_LA57;
	case V_ACT:
		return rnd() & 1 ? 0 : 4 + rnd_below(rnd() & 1 ? 4 : 0xfffffffc);
	case V_CSBASE: {
		const u64 bases[] = { 0, 1, 2, 3, BIT_ULL(32), ~0ull, NONCANON };

		return bases[rnd_below(ARRAY_SIZE(bases))];
	}
	case V_MSRLD: {
		u64 last = cfg.msr_gpa + 16ull * (cfg.msr_max - 1 - rnd_below(4));
		const u64 a[] = { cfg.msr_gpa, last, cfg.bad_msr_gpa, cfg.msr_gpa + 8,
				  cfg.unbacked_gpa, 0xfee00000, top_of() - 16, top_of(),
				  BIT_ULL(63) };

		return a[rnd_below(ARRAY_SIZE(a))];
	}
	case V_MSRX: {
		const u64 a[] = { cfg.msr_gpa, cfg.msr_gpa + 8, top_of(), BIT_ULL(63),
				  top_of() + cfg.msr_gpa };

		return a[rnd_below(ARRAY_SIZE(a))];
	}
	case V_MSRCNT: {
		const u64 c[] = { 0, 1, 2, rnd_below(cfg.msr_max + 1), cfg.msr_max,
				  cfg.msr_max + 1, ~0ull, rnd() & 0xffffffff };

		return c[rnd_below(ARRAY_SIZE(c))];
	}
	case V_MSRXCNT: {
		const u64 c[] = { 0, 1, 2, rnd_below(cfg.msr_max + 1), cfg.msr_max };

		return c[rnd_below(ARRAY_SIZE(c))];
	}
	case V_ICPT:
		/* Anything else would let an L2 fault reach L1's IDT. */
		return base;
	case V_SEL:
		return rnd_below(16) ? rnd() & 0xffff : 0;
	case V_EVENT: {
		/*
		 * Exceptions that push an error code (SDM 26.2.1.3), which are
		 * also the vectors whose libkvm IDT stubs expect one.
		 */
		const u32 errs = BIT(8) | BIT(10) | BIT(11) | BIT(12) | BIT(13) | BIT(14) | BIT(17);
		u32 v = rnd_below(32), type = rnd_below(8);
		u64 e;

		switch (rnd_below(4)) {
		case 0:	/* well formed: NMI, exception, software event (nibbles) */
			type = 0x6543332ull >> (4 * rnd_below(7)) & 0xf;
			v = type == 2 ? 2 : type == 4 ? rnd_below(256) : type == 6 ? 3 : v;
			e = BIT(31) | type << 8 | v | (type == 3 && (errs & BIT(v)) ? BIT(11) : 0);
			break;
		case 1:
		case 2:	/* any type and vector, error code or not */
			e = BIT(31) | type << 8 | (rnd() & 1) << 11 |
			    (rnd() & 1 ? v : rnd_below(256));
			break;
		default:
			e = gen_any(i, base);
		}
		/*
		 * Only a hardware exception pushes an error code: anything
		 * else delivered to those vectors would meet a stub that pops
		 * one, so it moves to vector + 32.
		 */
		type = e >> 8 & 7;
		v = e & 0xff;
		if ((e & BIT(31)) && type != 3 && v < 32 && (errs & BIT(v)))
			e |= BIT(5);
		return e;
	}
	default:
		return gen_any(i, base);
	}
}

/* ---- the VMCS ---- */

/* VMWRITE of table row i, with the result the SDM gives, read back. */
static void write_field(unsigned int i, u64 val, bool high)
{
	const struct fz_field *f = &fields[i];
	u64 enc = f->enc | high, got, want;
	u32 out, exp;

	if (rnd() & 1) {
		out = outcome(x_vmwrite(enc, val));
	} else {
		u64 m = val;

		out = outcome(x_vmwrite_m(enc, &m));
	}
	log_op(high ? OP_WRITE_HI : OP_WRITE, f->enc, val, out);
	st.vmwrites++;
	if (!vs.in_vmx)
		exp = RES_VEC(UD_VECTOR);
	else if (!vs.current_valid)
		exp = RES_INVALID;
	else if (!l1.supported[i] || (high && f->width != FZ_W64))
		exp = RES_VALID(ERR_UNSUPPORTED_FIELD);
	else if (f->ro && !(l1.misc & MISC_VMWRITE_ANY))
		exp = RES_VALID(ERR_READ_ONLY_FIELD);
	else
		exp = RES_OK;
	CHECK(out == exp, "VMWRITE outcome (enc << 32 | got, want)", enc << 32 | out, exp);
	if (out != RES_OK)
		return;
	vs.touched |= cfg.group[i];
	/* The SDM: the field takes the source's low bits; high access: 63:32. */
	want = high ? (vmreadz(f->enc) & 0xffffffff) | val << 32 : val & width_mask(f->width);
	CHECK(!vmread(f->enc, &got) && (got == want || got == (want & cfg.keeps[i])),
	      "VMREAD after VMWRITE gives it back", enc, got);
	if (high)
		CHECK(!vmread(enc, &got) && got == (want >> 32), "VMREAD high half", enc, got);
}

/* Every writable supported field back to the baseline; must all work. */
static void write_baseline(void)
{
	unsigned int i;

	for (i = 0; i < NR_FIELDS; i++)
		if (l1.supported[i] && !fields[i].ro)
			CHECK(!vmwrite(fields[i].enc, l1.baseline[i]), "baseline VMWRITE",
			      fields[i].enc, l1.baseline[i]);
}

/* What an entry's VM exit loads into L1, as it was. */
static void restore_l1(void)
{
	asm volatile("mov %0, %%ds\n\t"
		     "mov %1, %%es\n\t"
		     "mov %2, %%ss\n\t"
		     "mov %3, %%fs\n\t"
		     "mov %4, %%gs\n\t"
		     "lgdt %5\n\t"
		     "lidt %6"
		     : : "r"(l1.ds), "r"(l1.es), "r"(l1.ss), "r"(l1.fs), "r"(l1.gs),
		       "m"(l1.gdt), "m"(l1.idt) : "memory");
	wrmsr(MSR_FS_BASE, l1.fs_base);
	wrmsr(MSR_GS_BASE, l1.gs_base);
	wrmsr(MSR_IA32_SYSENTER_CS, l1.sysenter_cs);
	wrmsr(MSR_IA32_SYSENTER_ESP, l1.sysenter_esp);
	wrmsr(MSR_IA32_SYSENTER_EIP, l1.sysenter_eip);
	wrmsr(MSR_IA32_CR_PAT, l1.pat);
	wrmsr(MSR_EFER, l1.efer);
	if (l1.has_perf_global)
		wrmsr(MSR_CORE_PERF_GLOBAL_CTRL, l1.perf_global);
}

/*
 * VMLAUNCH or VMRESUME. Returns 0 after a VM exit, else RFLAGS as the
 * instruction left them. L2 may change any GPR: all are saved or clobbered.
 * HOST_RSP and HOST_RIP are this stub's own, unless @rip_ovr gives
 * HOST_RIP (only non-canonical values, which the entry must refuse).
 */
static u64 enter_l2(u64 launch, u64 rip_ovr)
{
	u64 ret;

	asm volatile("push %%rbp\n\t"
		     "push %%rbx\n\t"
		     "push %%r12\n\t"
		     "push %%r13\n\t"
		     "push %%r14\n\t"
		     "push %%r15\n\t"
		     "mov %[f_rsp], %%r8\n\t"
		     "vmwrite %%rsp, %%r8\n\t"
		     "lea 2f(%%rip), %%rax\n\t"
		     "test %%rsi, %%rsi\n\t"
		     "cmovnz %%rsi, %%rax\n\t"
		     "mov %[f_rip], %%r8\n\t"
		     "vmwrite %%rax, %%r8\n\t"
		     "test %%rcx, %%rcx\n\t"
		     "jz 1f\n\t"
		     "vmlaunch\n\t"
		     "jmp 3f\n\t"
		     "1: vmresume\n\t"
		     "3: pushf\n\t"
		     "pop %%rax\n\t"
		     "jmp 4f\n\t"
		     "2: xor %%eax, %%eax\n\t"
		     "4: pop %%r15\n\t"
		     "pop %%r14\n\t"
		     "pop %%r13\n\t"
		     "pop %%r12\n\t"
		     "pop %%rbx\n\t"
		     "pop %%rbp"
		     : "=a"(ret), "+c"(launch), "+S"(rip_ovr)
		     : [f_rsp] "i"(FZ_HOST_RSP), [f_rip] "i"(FZ_HOST_RIP)
		     : "rdx", "rdi", "r8", "r9", "r10", "r11", "cc", "memory");
	return ret;
}

static const struct exit_rule *exit_rule(u32 reason)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(exit_rules); i++)
		if (exit_rules[i].reason == reason)
			return &exit_rules[i];
	return NULL;
}

/* Judges one VMLAUNCH/VMRESUME (see the top of the file). */
static void judge_entry(bool launch, u64 fl)
{
	u16 t = vs.touched;
	u64 reason, qual, info, cnt, rip, len;
	const struct exit_rule *er;
	u32 out, err;

	if (fl) {
		out = outcome((struct vres){ .fl = fl });
		log_op(OP_ENTER, launch, 0, out);
		if (out == RES_INVALID) {
			st.vmfail_invalid++;
			CHECK(!vs.current_valid || vs.current_shadow,
			      "VMfailInvalid with a current VMCS", launch, t);
			return;
		}
		CHECK(out & RES_VALID(0), "entry neither succeeded nor failed", fl, 0);
		err = out & 0xfff;
		st.vmfail_valid[err & 31]++;
		CHECK(vs.current_valid && !vs.current_shadow,
		      "VMfailValid without an ordinary current VMCS", err, t);
		if (launch && vs.launched) {
			CHECK(err == ERR_LAUNCH_NOT_CLEAR, "VMLAUNCH of a launched VMCS", err, t);
			return;
		}
		if (!launch && !vs.launched) {
			CHECK(err == ERR_RESUME_NOT_LAUNCHED, "VMRESUME of a clear VMCS",
			      err, t);
			return;
		}
		if (err == ERR_ENTRY_CTRL)
			CHECK(t & (T_CTRL | T_EVENT | T_MSRLD | T_ICPT | T_UNKNOWN),
			      "error 7 with no control touched", err, t);
		else if (err == ERR_ENTRY_HOST)
			CHECK(t & (T_HOST | T_CTRL | T_UNKNOWN),
			      "error 8 with no host state or control touched", err, t);
		else
			CHECK(0, "VM-entry error number", err, t);
		return;
	}

	restore_l1();
	CHECK(vs.current_valid && !vs.current_shadow,
	      "an entry without an ordinary current VMCS", launch, t);
	CHECK(launch != vs.launched, "an entry despite the launch state (VMLAUNCH?, launched)",
	      launch, vs.launched);
	reason = vmreadz(VM_EXIT_REASON);
	qual = vmreadz(EXIT_QUALIFICATION);
	log_op(OP_ENTER, launch, qual, reason);
	if (reason & EXIT_FAILED) {
		u32 basic = reason & 0xffff;

		if (basic == EXIT_INVALID_STATE) {
			st.entry_fail[0]++;
			CHECK(t & (T_GUEST | T_EVSAFE | T_CTRL | T_EVENT | T_LINK | T_UNKNOWN),
			      "invalid guest state with no guest state touched", qual, t);
			CHECK(qual == 0 || qual == 2 || qual == 3 || qual == 4,
			      "exit qualification of invalid guest state", qual, t);
			if (qual == 4)
				CHECK(t & (T_LINK | T_UNKNOWN),
				      "VMCS link pointer failure, link pointer untouched",
				      qual, t);
			return;
		}
		CHECK(basic == EXIT_MSR_LOAD, "VM-entry failure reason", reason, t);
		st.entry_fail[1]++;
		cnt = vmreadz(VM_ENTRY_MSR_LOAD_COUNT);
		CHECK(t & (T_MSRLD | T_UNKNOWN), "MSR-load failure, MSR area untouched",
		      qual, t);
		CHECK(qual >= 1 && qual <= cnt, "MSR-load failure qualification", qual, cnt);
		return;
	}

	vs.launched = true;
	st.exits[reason < ARRAY_SIZE(st.exits) ? reason : 0]++;
	er = exit_rule(reason);
	CHECK(er || reason != 30, "L2 ran L1's IDT handler (its vector, RIP)",
	      st.fault_vec, st.fault_rip);
	CHECK(er, "exit reason no touched field can cause", reason, t);
	CHECK(!er->needs || (t & (er->needs | T_UNKNOWN)),
	      "exit reason the touched fields cannot cause", reason, t);
	switch (reason) {
	case 18:
		rip = vmreadz(GUEST_RIP);
		len = vmreadz(VM_EXIT_INSTRUCTION_LEN);
		CHECK(rip == (u64)fz_l2_payload && len == 3,
		      "VMCALL exit at the payload, 3 bytes long", rip, len);
		break;
	case 0:
		info = vmreadz(VM_EXIT_INTR_INFO);
		/* Valid, NMI or (software) exception, a vector below 32. */
		CHECK((info & BIT(31)) && (BIT((info >> 8) & 7) & 0x6c) && (info & 0xff) < 32,
		      "exception exit's interruption information", info, t);
		break;
	}
}

static u16 round_allowed;

static void do_enter(void)
{
	bool launch = vs.launched ? !rnd_below(8) : !!rnd_below(8);
	u64 rip = 0, fl;
	int i;

	/*
	 * A HOST_RIP mutation reaches the entry through the stub: only
	 * non-canonical ones, which the checks refuse. HOST_RSP has no check
	 * (SDM 26.2.3), so it stays the stub's.
	 */
	if ((round_allowed & T_HOST) && !rnd_below(20)) {
		i = field_index(FZ_HOST_RIP);
		rip = gen_fail(i, 0);
		vs.touched |= T_HOST;
		log_op(OP_WRITE, FZ_HOST_RIP, rip, 0);
	}
	if (!vs.in_vmx) {
		/* Outside VMX operation both are #UD. */
		expect(outcome(x_vmlaunch()), RES_VEC(UD_VECTOR), 100);
		st.ud++;
		return;
	}
	fl = enter_l2(launch, rip);
	judge_entry(launch, fl);
}

/* ---- VMX instructions with random operands ---- */

static u64 gen_ptr(void)
{
	struct vmx_pages *v = l1.vmx;
	const u64 p[] = { v->vmcs_gpa, v->vmcs_gpa, v->shadow_vmcs_gpa, vs.vmxon_ptr,
			  cfg.zero_gpa, cfg.ones_gpa, v->vmcs_gpa + 8, v->vmcs_gpa + 1,
			  cfg.unbacked_gpa, 0xfee00000, top_of() - 4096, top_of(),
			  BIT_ULL(63) | v->vmcs_gpa };

	return p[rnd_below(ARRAY_SIZE(p))];
}

static bool bad_ptr(u64 pa)
{
	return (pa & 0xfff) || pa >= l1.top;
}

/* The revision dword at a GPA L1 knows, else what no VMCS has. */
static u32 rev_at(u64 pa)
{
	struct vmx_pages *v = l1.vmx;

	if (pa == v->vmcs_gpa)
		return *(u32 *)v->vmcs;
	if (pa == v->shadow_vmcs_gpa)
		return *(u32 *)v->shadow_vmcs;
	if (pa == v->vmxon_gpa)
		return *(u32 *)v->vmxon;
	return pa == cfg.ones_gpa ? ~0u : 0;
}

static void op_vmptrld(void)
{
	u64 pa = gen_ptr();
	u32 out = outcome(x_vmptrld(&pa)), want, rev = rev_at(pa);

	log_op(OP_INSN, 1, pa, out);
	if (!vs.in_vmx)
		want = RES_VEC(UD_VECTOR);
	else if (bad_ptr(pa))
		want = vmfail(ERR_VMPTRLD_ADDR);
	else if (pa == vs.vmxon_ptr)
		want = vmfail(ERR_VMPTRLD_VMXON);
	else if ((rev & 0x7fffffff) != l1.rev || ((rev >> 31) && !l1.shadow_ok))
		want = vmfail(ERR_VMPTRLD_REV);
	else
		want = RES_OK;
	expect(out, want, 1);
	if (out == RES_OK) {
		vs.current_valid = true;
		vs.current = pa;
		vs.current_shadow = rev >> 31;
		if (pa != l1.vmx->vmcs_gpa)
			vs.touched |= T_UNKNOWN;
	}
}

static void op_vmclear(void)
{
	u64 pa = gen_ptr();
	u32 out = outcome(x_vmclear(&pa)), want;

	log_op(OP_INSN, 2, pa, out);
	if (!vs.in_vmx)
		want = RES_VEC(UD_VECTOR);
	else if (bad_ptr(pa))
		want = vmfail(ERR_VMCLEAR_ADDR);
	else if (pa == vs.vmxon_ptr)
		want = vmfail(ERR_VMCLEAR_VMXON);
	else
		want = RES_OK;
	expect(out, want, 2);
	if (out != RES_OK)
		return;
	if (vs.current_valid && pa == vs.current)
		vs.current_valid = false;
	if (pa == l1.vmx->vmcs_gpa)
		vs.launched = false;
}

static void op_vmxon(void)
{
	struct vmx_pages *v = l1.vmx;
	const u64 p[] = { v->vmxon_gpa, v->vmxon_gpa + 16, cfg.zero_gpa, top_of(),
			  cfg.unbacked_gpa, 0xfee00000 };
	u64 pa = vs.in_vmx ? gen_ptr() : p[rnd_below(ARRAY_SIZE(p))];
	u32 out = outcome(x_vmxon(&pa)), want;
	u32 rev = pa == v->vmxon_gpa ? *(u32 *)v->vmxon : 0;

	log_op(OP_INSN, 3, pa, out);
	if (vs.in_vmx)
		want = vmfail(ERR_VMXON_IN_ROOT);
	else if (bad_ptr(pa) || rev != l1.rev)
		want = RES_INVALID;
	else
		want = RES_OK;
	expect(out, want, 3);
	if (out == RES_OK && !vs.in_vmx) {
		vs.in_vmx = true;
		vs.current_valid = false;
		vs.vmxon_ptr = pa;
	}
}

static void op_vmxoff(void)
{
	u32 out = outcome(x_vmxoff());

	log_op(OP_INSN, 4, 0, out);
	expect(out, vs.in_vmx ? RES_OK : RES_VEC(UD_VECTOR), 4);
	vs.in_vmx = false;
	vs.current_valid = false;
}

static void op_vmptrst(void)
{
	u64 v = 0x5a5a5a5a5a5a5a5aull;
	u32 out = outcome(x_vmptrst(&v));

	log_op(OP_INSN, 5, v, out);
	expect(out, vs.in_vmx ? RES_OK : RES_VEC(UD_VECTOR), 5);
	if (vs.in_vmx)
		CHECK(v == (vs.current_valid ? vs.current : ~0ull), "VMPTRST stores the pointer",
		      v, vs.current);
}

/*
 * An encoding: a row, a row's high half, or something made up; *row and
 * *high say which row it names, if any.
 */
static u64 gen_enc(int *row, bool *high)
{
	unsigned int i = rnd_below(NR_FIELDS);
	u64 enc;

	switch (rnd_below(6)) {
	case 0:
		enc = fields[i].enc | 1;
		break;
	case 1:
		enc = fields[i].enc | BIT_ULL(32 + rnd_below(32));
		break;
	case 2:
		enc = fields[i].enc ^ BIT_ULL(10 + rnd_below(22));
		break;
	case 3:
		enc = rnd() & (rnd() & 1 ? 0x6fff : 0xffffffff);
		break;
	default:
		enc = fields[i].enc;
	}
	*high = enc & 1;
	*row = enc >> 32 ? -1 : field_index(enc & ~1ull);
	return enc;
}

/*
 * VMREAD/VMWRITE of an encoding outside the table: 12, or (the CPU or
 * hypervisor has more fields) success. Reserved bits (63:32 in 64-bit mode,
 * 31:15, 12) always give 12.
 */
static void check_other_enc(u64 enc, u32 out, bool write)
{
	bool reserved = (enc >> 15) || (enc & 0x1000);

	if (reserved || out != RES_OK)
		CHECK(out == RES_VALID(ERR_UNSUPPORTED_FIELD),
		      "VMREAD/VMWRITE of an encoding outside the table", enc, out);
	else if (write)
		vs.touched |= T_UNKNOWN;
}

static void op_vmread(void)
{
	bool high, mem = rnd() & 1;
	int row;
	u64 enc = gen_enc(&row, &high), v = 0;
	u32 out = outcome(mem ? x_vmread_m(enc, &v) : x_vmread(enc, &v));

	log_op(OP_INSN, 6, enc, out);
	if (!vs.in_vmx) {
		expect(out, RES_VEC(UD_VECTOR), 6);
		return;
	}
	if (!vs.current_valid) {
		expect(out, RES_INVALID, 6);
		return;
	}
	if (row < 0) {
		check_other_enc(enc, out, false);
		return;
	}
	if (!l1.supported[row] || (high && fields[row].width != FZ_W64)) {
		expect(out, RES_VALID(ERR_UNSUPPORTED_FIELD), 6);
		return;
	}
	expect(out, RES_OK, 6);
	if (high)
		CHECK(v == vmreadz(fields[row].enc) >> 32, "VMREAD of the high half", enc, v);
	else
		CHECK(!(v & ~width_mask(fields[row].width)), "VMREAD zero-extends", enc, v);
}

static void op_vmwrite_other(void)
{
	bool high;
	int row;
	u64 enc = gen_enc(&row, &high), val = rnd();
	u32 out;

	if (row >= 0) {
		/* Only rows the round's kind may touch (one_round()). */
		if ((cfg.group[row] & round_allowed) && cfg.gen[row] != V_STUB)
			write_field(row, gen_value(row), high);
		return;
	}
	out = outcome(x_vmwrite(enc, val));
	log_op(OP_INSN, 7, enc, out);
	if (!vs.in_vmx)
		expect(out, RES_VEC(UD_VECTOR), 7);
	else if (!vs.current_valid)
		expect(out, RES_INVALID, 7);
	else
		check_other_enc(enc, out, true);
}

static void op_inv(void)
{
	bool ept = rnd() & 1;
	u64 type = rnd() & 1 ? rnd_below(5) : rnd();
	u64 desc[2] = { rnd() & 1 ? rnd_below(3) : rnd(), rnd() & 1 ? 0 : rnd() };
	u32 out, types;
	bool ok;

	out = outcome(ept ? x_invept(type, desc) : x_invvpid(type, desc));
	log_op(OP_INSN, ept ? 8 : 9, type, out);
	if (ept) {
		ok = l1.invept_ok;
		types = (l1.ept_vpid_cap >> 24) & 6;
	} else {
		ok = l1.invvpid_ok;
		types = (l1.ept_vpid_cap >> 40) & 0xf;
	}
	if (!vs.in_vmx || !ok) {
		expect(out, RES_VEC(UD_VECTOR), ept ? 8 : 9);
		return;
	}
	if (type >= 32 || !(types & BIT(type))) {
		expect(out, vmfail(ERR_INV_OPERAND), ept ? 8 : 9);
		return;
	}
	/* A supported type: the descriptor decides (EPTP, VPID, address). */
	CHECK(out == RES_OK || out == vmfail(ERR_INV_OPERAND), "INVEPT/INVVPID outcome",
	      type, out);
}

/* Operands in no page or not canonical: #PF and #GP before anything else. */
static void op_bad_operand(void)
{
	u64 *p = (u64 *)(rnd() & 1 ? UNMAPPED_GVA : NONCANON);
	u32 vec = (u64)p == NONCANON ? GP_VECTOR : PF_VECTOR, out;
	unsigned int k = rnd_below(3);

	if (!vs.in_vmx)
		return;
	if (k == 0)
		out = outcome(x_vmptrld(p));
	else if (k == 1)
		out = outcome(x_vmclear(p));
	else
		out = outcome(x_vmptrst(p));
	log_op(OP_INSN, 10 + k, (u64)p, out);
	expect(out, RES_VEC(vec), 10 + k);
}

static void op_vmfunc(void)
{
	u32 out = outcome(x_vmfunc());

	log_op(OP_INSN, 13, 0, out);
	/* VMFUNC exists only in VMX non-root operation. */
	expect(out, RES_VEC(UD_VECTOR), 13);
}

static void op_insn(void)
{
	static void (*const ops[])(void) = {
		op_vmptrld, op_vmptrld, op_vmclear, op_vmclear, op_vmxon, op_vmxoff,
		op_vmptrst, op_vmread, op_vmread, op_vmwrite_other, op_inv,
		op_bad_operand, op_vmfunc,
	};

	st.insn_ops++;
	ops[rnd_below(ARRAY_SIZE(ops))]();
}

/* ---- rounds ---- */

/* Pages and MSR areas as the round's checks expect them. */
static void reset_memory(void)
{
	struct vmx_msr_entry *e = cfg.msr;
	unsigned int i;

	memset(cfg.zero, 0, 4096);
	memset(cfg.ones, 0xff, 4096);
	for (i = 0; i < cfg.msr_max + 256; i++) {
		e[i].index = i < cfg.msr_max ? FZ_MSR_INDEX : FZ_BAD_MSR_INDEX;
		e[i].reserved = 0;
		e[i].value = 0;
	}
	*(u32 *)l1.vmx->shadow_vmcs = l1.rev | BIT(31);
}

static void start_round(void)
{
	struct vmx_pages *v = l1.vmx;

	reset_memory();
	if (!vs.in_vmx) {
		CHECK(!vmxon(v->vmxon_gpa), "VMXON at the start of a round", 0, 0);
		vs.in_vmx = true;
		vs.vmxon_ptr = v->vmxon_gpa;
	}
	CHECK(!vmclear(v->shadow_vmcs_gpa) && !vmclear(v->vmcs_gpa) && !vmptrld(v->vmcs_gpa),
	      "VMCLEAR and VMPTRLD at the start of a round", 0, 0);
	vs.current_valid = true;
	vs.current_shadow = false;
	vs.current = v->vmcs_gpa;
	vs.launched = false;
	vs.touched = 0;
	write_baseline();
}

/*
 * Rounds touch one of these sets, so that L2 cannot run into L1's memory
 * (events only with L2's stack and IDT as they are, the intercepts only
 * when nothing makes L2 fault). Host state fails entries before the guest
 * state is checked, so it is mostly on its own.
 */
static const u16 kinds[] = {
	T_GUEST | T_EVSAFE | T_LINK,
	T_GUEST | T_EVSAFE | T_LINK,
	T_CTRL | T_MSRLD,
	T_CTRL | T_MSRLD,
	T_GUEST | T_EVSAFE | T_CTRL | T_LINK | T_MSRLD | T_RO,
	T_GUEST | T_EVSAFE | T_CTRL | T_LINK | T_MSRLD | T_RO | T_HOST,
	T_EVENT | T_EVSAFE,
	T_EVENT | T_EVSAFE | T_RO,
	T_ICPT | T_CTRL,
	T_HOST,
	T_RO,
};

static void mutate(u16 allowed)
{
	unsigned int i, tries;

	for (tries = 0; tries < 64; tries++) {
		i = rnd_below(NR_FIELDS);
		if (!(cfg.group[i] & allowed) || cfg.gen[i] == V_STUB)
			continue;
		if (fields[i].width == FZ_W64 && !rnd_below(6))
			write_field(i, gen_value(i) >> 32, true);
		else
			write_field(i, gen_value(i), false);
		return;
	}
}

static void one_round(u64 seed)
{
	u16 allowed;
	unsigned int n, k;

	st.cur_seed = seed;
	st.nlog = 0;
	st.round_failed = false;
	rng = seed;
	start_round();
	allowed = kinds[rnd_below(ARRAY_SIZE(kinds))];
	if (!rnd_below(8))
		allowed = 0;	/* the baseline: VMCALL, VMCALL */
	round_allowed = allowed;

	for (n = 1 + rnd_below(3); n; n--) {
		for (k = allowed ? 1 + rnd_below(4) : 0; k; k--)
			mutate(allowed);
		if (allowed && !rnd_below(4))
			op_insn();
		do_enter();
	}
}

static void read_l1_facts(struct vmx_pages *vmx)
{
	u32 a, b, c, d;
	u64 v;

	l1.vmx = vmx;
	l1.rev = vmcs_revision();
	l1.misc = rdmsr(MSR_IA32_VMX_MISC);
	l1.proc2_allowed1 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32;
	l1.ept_vpid_cap = rdmsr_safe(MSR_IA32_VMX_EPT_VPID_CAP, &v) ? 0 : v;
	l1.shadow_ok = l1.proc2_allowed1 & SECONDARY_EXEC_SHADOW_VMCS;
	l1.invept_ok = (l1.proc2_allowed1 & SECONDARY_EXEC_ENABLE_EPT) &&
		       (l1.ept_vpid_cap & BIT_ULL(20));
	l1.invvpid_ok = (l1.proc2_allowed1 & SECONDARY_EXEC_ENABLE_VPID) &&
			(l1.ept_vpid_cap & BIT_ULL(32));
	l1.cr4_fixed1 = rdmsr(MSR_IA32_VMX_CR4_FIXED1);
	cpuid(0x80000008, &a, &b, &c, &d);
	l1.maxphy = a & 0xff;
	l1.top = BIT_ULL(l1.maxphy);
	l1.fs_base = rdmsr(MSR_FS_BASE);
	l1.gs_base = rdmsr(MSR_GS_BASE);
	l1.sysenter_cs = rdmsr(MSR_IA32_SYSENTER_CS);
	l1.sysenter_esp = rdmsr(MSR_IA32_SYSENTER_ESP);
	l1.sysenter_eip = rdmsr(MSR_IA32_SYSENTER_EIP);
	l1.efer = rdmsr(MSR_EFER);
	l1.pat = rdmsr(MSR_IA32_CR_PAT);
	l1.has_perf_global = !rdmsr_safe(MSR_CORE_PERF_GLOBAL_CTRL, &l1.perf_global);
	l1.ds = get_ds();
	l1.es = get_es();
	l1.ss = get_ss();
	l1.fs = get_fs();
	l1.gs = get_gs();
	l1.gdt = get_gdt();
	l1.idt = get_idt();
}

/* On the host: guest code cannot call strcmp(). */
static void classify_fields(void)
{
	static const u16 by_class[] = {
		[FZ_COPY] = T_GUEST, [FZ_HOST] = T_HOST, [FZ_CTRL] = T_CTRL,
		[FZ_GPA] = T_CTRL, [FZ_CR] = T_CTRL, [FZ_EXIT] = T_RO,
		[FZ_SOFT] = T_CTRL, [FZ_L0] = T_CTRL,
	};
	unsigned int i, j;

	for (i = 0; i < NR_FIELDS; i++) {
		const char *ar = strstr(fields[i].name, "_ar_bytes");

		/*
		 * Access rights: a CPU need not keep the reserved bits 31:17
		 * and 11:8 (Bochs' VMCS, so kvm_intel's shadow VMCS, does not).
		 */
		cfg.keeps[i] = ar && !ar[9] ? 0x1f0ff : ~0ull;
		cfg.group[i] = by_class[fields[i].class];
		cfg.gen[i] = fields[i].class == FZ_GPA ? V_ADDR : V_ANY;
		for (j = 0; j < ARRAY_SIZE(rules); j++)
			if (!strcmp(rules[j].name, fields[i].name)) {
				cfg.group[i] = rules[j].group;
				cfg.gen[i] = rules[j].gen;
			}
	}
}

/* The baseline VMCS: libkvm's, with every exception and I/O exiting. */
static void make_baseline(struct vmx_pages *vmx)
{
	unsigned int i;
	u64 v;

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	vs.in_vmx = true;
	vs.vmxon_ptr = vmx->vmxon_gpa;
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, fz_l2_payload, &l2_stack[L2_STACK_WORDS]);
	vmwrite(EXCEPTION_BITMAP, ~0u);
	vmwrite(PAGE_FAULT_ERROR_CODE_MASK, 0);
	vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	vmwrite(CPU_BASED_VM_EXEC_CONTROL,
		vmreadz(CPU_BASED_VM_EXEC_CONTROL) | CPU_BASED_UNCOND_IO_EXITING);
	vmwrite(IO_BITMAP_A, cfg.ones_gpa);
	vmwrite(IO_BITMAP_B, cfg.ones_gpa);
	vmwrite(MSR_BITMAP, cfg.ones_gpa);
	vmwrite(VIRTUAL_APIC_PAGE_ADDR, cfg.zero_gpa);
	vmwrite(APIC_ACCESS_ADDR, cfg.zero_gpa);
	vmwrite(VM_EXIT_MSR_STORE_ADDR, cfg.msr_gpa);
	vmwrite(VM_EXIT_MSR_LOAD_ADDR, cfg.msr_gpa);
	vmwrite(VM_ENTRY_MSR_LOAD_ADDR, cfg.msr_gpa);
	vmwrite(HOST_IA32_EFER, l1.efer);
	vmwrite(GUEST_IA32_EFER, l1.efer);
	vmwrite(HOST_IA32_PAT, l1.pat);
	vmwrite(GUEST_IA32_PAT, l1.pat);
	vmwrite(HOST_IA32_PERF_GLOBAL_CTRL, l1.perf_global);
	vmwrite(GUEST_ACTIVITY_STATE, 0);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	vmwrite(VMX_PREEMPTION_TIMER_VALUE, 0);
	/* What a software event injected into L2 needs; nothing else uses it. */
	vmwrite(VM_ENTRY_INSTRUCTION_LEN, 3);
	for (i = 0; i < NR_FIELDS; i++) {
		l1.supported[i] = !vmread(fields[i].enc, &v);
		l1.baseline[i] = v;
		if (!l1.supported[i]) {
			CHECK(outcome(x_vmread(fields[i].enc, &v)) ==
			      RES_VALID(ERR_UNSUPPORTED_FIELD),
			      "a table field VMREAD refuses other than with error 12",
			      fields[i].enc, 0);
			st.unsupported++;
		}
	}
	/* HOST_RSP/RIP are the entry stub's. */
	l1.baseline[field_index(FZ_HOST_RSP)] = 0;
	l1.baseline[field_index(FZ_HOST_RIP)] = 0;
}

void fz_l1_main(struct vmx_pages *vmx);

/* Global: l1_guest_code() calls it by name. */
void fz_l1_main(struct vmx_pages *vmx)
{
	u64 i;

	read_l1_facts(vmx);
	make_baseline(vmx);
	/* The baseline itself: VMCALL on launch and on resume. */
	st.cur_seed = 0;
	start_round();
	judge_entry(true, enter_l2(true, 0));
	CHECK(vmreadz(VM_EXIT_REASON) == 18, "the baseline L2 exits with VMCALL",
	      vmreadz(VM_EXIT_REASON), vmreadz(EXIT_QUALIFICATION));
	judge_entry(false, enter_l2(false, 0));
	CHECK(vmreadz(VM_EXIT_REASON) == 18, "the baseline L2 exits with VMCALL on resume",
	      vmreadz(VM_EXIT_REASON), vmreadz(EXIT_QUALIFICATION));

	for (i = 0; i < cfg.rounds; i++) {
		st.round = i;
		one_round(cfg.seed + i);
		if ((i & 255) == 255)
			GUEST_SYNC(i);
	}
	st.round = cfg.rounds;
	GUEST_DONE();
}

/*
 * libkvm 6.1 enters guest code with RSP 16-byte aligned and no return
 * address, where the ABI wants RSP 8 off alignment: call through this, or
 * the compiler's SSE stores to the stack fault.
 */
static void __attribute__((naked)) l1_guest_code(void)
{
	asm volatile("and $-16, %rsp\n\t"
		     "call fz_l1_main\n\t"
		     "ud2");
}

/*
 * Every vector of L1's IDT. L2 shares the IDT: an event injected into L2 or
 * a virtual interrupt (controls) is delivered here with L2's RIP in the
 * payload, and returns to it (then VMCALL exits). Anything else is L1's own
 * fault: a failure, with where it was.
 */
static void __attribute__((force_align_arg_pointer)) fz_fault(struct ex_regs *regs)
{
	u64 p = (u64)fz_l2_payload;

	/* KVM_ASM_SAFE's convention (libkvm tries handlers before it). */
	if (regs->r9 == KVM_EXCEPTION_MAGIC && regs->rip == regs->r10) {
		regs->rip = regs->r11;
		regs->r9 = regs->vector;
		return;
	}
	if (regs->rip >= p && regs->rip < p + 64 &&
	    (vs.touched & (T_EVENT | T_CTRL | T_UNKNOWN))) {
		st.l2_events++;
		return;
	}
	/*
	 * In L2 (RIP outside the payload, or no event expected) this ucall's
	 * I/O exits to L1 instead, which then fails the round on exit 30.
	 */
	st.fault_vec = regs->vector;
	st.fault_ec = regs->error_code;
	st.fault_rip = regs->rip;
	__GUEST_ASSERT(0, "an exception reached L1's IDT (vector << 32 | error code, RIP)", 4,
		       st.cur_seed, st.round, regs->vector << 32 | (u32)regs->error_code,
		       regs->rip);
}

/* ---- host ---- */

static bool verbose;
static unsigned int keep_going = 1, failures;

static void print_log(void)
{
	static const char *const ops[] = { "vmwrite", "vmwrite-high", "enter", "insn" };
	unsigned int i;

	ksft_print_msg("last exception not L2's own: vector %lu, error code 0x%lx, RIP 0x%lx\n",
		       st.fault_vec, st.fault_ec, st.fault_rip);
	for (i = 0; i < st.nlog && i < LOG_MAX; i++) {
		const struct fz_log *l = &st.log[i];
		int f = field_index(l->enc);

		ksft_print_msg("  %-12s %-8s 0x%-6x %-32s 0x%016lx -> 0x%lx\n",
			       ops[l->op & 3], "", l->enc,
			       l->op <= OP_WRITE_HI && f >= 0 ? fields[f].name : "",
			       l->val, l->res);
	}
}

static const char *ucall_text(struct ucall *uc, char *buf, size_t n)
{
	snprintf(buf, n, "%s at %s:%ld: seed %lu (round %lu; replay: -s %lu -n 1), 0x%lx 0x%lx",
		 (const char *)uc->args[GUEST_ERROR_STRING], (const char *)uc->args[GUEST_FILE],
		 uc->args[GUEST_LINE], GUEST_ASSERT_ARG(*uc, 0), GUEST_ASSERT_ARG(*uc, 1),
		 GUEST_ASSERT_ARG(*uc, 0), GUEST_ASSERT_ARG(*uc, 2), GUEST_ASSERT_ARG(*uc, 3));
	return buf;
}

/*
 * Runs rounds [from, from + n) in a fresh VM. Returns NULL, or why the
 * run failed (a guest check, an unexpected exit).
 */
static const char *run_vm(u64 seed, u64 from, u64 n, char *why, size_t wn)
{
	vm_vaddr_t vmx_gva, msr_gva, zero_gva, ones_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	const char *bad = NULL;
	int r;
	u64 misc;

	vm = vm_create_with_one_vcpu(&vcpu, l1_guest_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	for (r = 0; r < 256; r++)
		vm_install_exception_handler(vm, r, fz_fault);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);

	misc = vcpu_get_msr(vcpu, MSR_IA32_VMX_MISC);
	memset(&cfg, 0, sizeof(cfg));
	cfg.seed = seed + from;
	cfg.rounds = n;
	cfg.msr_max = 512 * (((misc >> 25) & 7) + 1);
	zero_gva = vm_vaddr_alloc_page(vm);
	ones_gva = vm_vaddr_alloc_page(vm);
	/* Valid entries, then a page of entries no MSR area may load. */
	msr_gva = vm_vaddr_alloc(vm, cfg.msr_max * 16 + 4096, KVM_UTIL_MIN_VADDR);
	cfg.zero = (void *)zero_gva;
	cfg.ones = (void *)ones_gva;
	cfg.msr = (void *)msr_gva;
	cfg.zero_gpa = addr_gva2gpa(vm, zero_gva);
	cfg.ones_gpa = addr_gva2gpa(vm, ones_gva);
	cfg.msr_gpa = addr_gva2gpa(vm, msr_gva);
	cfg.bad_msr_gpa = cfg.msr_gpa + cfg.msr_max * 16;
	TEST_ASSERT(addr_gva2gpa(vm, msr_gva + cfg.msr_max * 16 + 4095) ==
		    cfg.bad_msr_gpa + 4095, "MSR areas are not contiguous");
	/* libkvm's guest memory is a few MiB from GPA 0: 2 GiB is in no slot. */
	cfg.unbacked_gpa = 0x80000000ull;
	classify_fields();
	sync_global_to_guest(vm, cfg);
	memset(&st, 0, sizeof(st));
	sync_global_to_guest(vm, st);

	for (;;) {
		/* Not vcpu_run(): its unhandled-exception assert ends the program. */
		do
			r = __vcpu_run(vcpu);
		while (r == -1 && errno == EINTR);
		if (r) {
			sync_global_from_guest(vm, st);
			snprintf(why, wn, "KVM_RUN: %s at seed %lu (replay: -s %lu -n 1)",
				 strerror(errno), st.cur_seed, st.cur_seed);
			bad = why;
			break;
		}
		if (vcpu->run->exit_reason != KVM_EXIT_IO) {
			sync_global_from_guest(vm, st);
			snprintf(why, wn, "exit %u (%s) at seed %lu (replay: -s %lu -n 1)",
				 vcpu->run->exit_reason, exit_reason_str(vcpu->run->exit_reason),
				 st.cur_seed, st.cur_seed);
			bad = why;
			break;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			if (verbose)
				ksft_print_msg("%lu rounds\n", uc.args[1] + 1);
			continue;
		case UCALL_DONE:
			break;
		case UCALL_ABORT:
			sync_global_from_guest(vm, st);
			bad = ucall_text(&uc, why, wn);
			if (++failures < keep_going) {
				ksft_print_msg("%s\n", bad);
				print_log();
				continue;
			}
			break;
		default:
			snprintf(why, wn, "unknown ucall %lu", uc.cmd);
			bad = why;
		}
		break;
	}
	sync_global_from_guest(vm, st);
	if (bad)
		print_log();
	kvm_vm_free(vm);
	return bad;
}

static void print_counts(const struct fz_state *s, u64 rounds, double secs)
{
	char buf[1024];
	int n = 0, i;

	for (i = 0; i < 32; i++)
		if (s->vmfail_valid[i])
			n += snprintf(buf + n, sizeof(buf) - n, " %d:%lu", i, s->vmfail_valid[i]);
	ksft_print_msg("%lu rounds in %.1f s (%.1f/s); VMfailValid by error%s; VMfailInvalid %lu\n",
		       rounds, secs, secs > 0 ? rounds / secs : 0.0, n ? buf : " none",
		       s->vmfail_invalid);
	n = 0;
	for (i = 0; i < (int)ARRAY_SIZE(s->exits); i++)
		if (s->exits[i])
			n += snprintf(buf + n, sizeof(buf) - n, " %d:%lu", i, s->exits[i]);
	ksft_print_msg("entry failures 33:%lu 34:%lu; exits by reason%s; #UD entries %lu\n",
		       s->entry_fail[0], s->entry_fail[1], n ? buf : " none", s->ud);
	ksft_print_msg("%lu VMWRITEs, %lu VMX instructions, %lu rows unsupported, %lu L2 events\n",
		       s->vmwrites, s->insn_ops, s->unsupported, s->l2_events);
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

/* Nested VMX off by the device's module parameter: a skip, else a failure. */
static bool nested_disabled(void)
{
	const char *p = on_nvmx() ? "/sys/module/nvmx/parameters/nested" :
				    "/sys/module/kvm_intel/parameters/nested";
	char c = 0;
	FILE *f = fopen(p, "r");

	if (!f)
		return false;
	if (fread(&c, 1, 1, f) != 1)
		c = 0;
	fclose(f);
	return c == 'N' || c == '0';
}

#define SLAB_OBJS_SLACK	1024
#define SLAB_KB_SLACK	256
#define PAGES_SLACK	512

int main(int argc, char **argv)
{
	u64 seed = 1, rounds = 40, warm;
	struct mem_snapshot before, after;
	char why[1024] = "", lwhy[1100];
	const char *bad, *env;
	struct fz_state total;
	int opt, kmsg;
	double t0;

	env = getenv("NVMX_NFUZZ_SEED");
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	env = getenv("NVMX_NFUZZ_ROUNDS");
	if (env && *env)
		rounds = strtoull(env, NULL, 0);
	env = getenv("NVMX_NFUZZ_KEEP_GOING");
	if (env && *env)
		keep_going = strtoul(env, NULL, 0);
	while ((opt = getopt(argc, argv, "s:n:k:v")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			rounds = strtoull(optarg, NULL, 0);
			break;
		case 'k':
			keep_going = strtoul(optarg, NULL, 0);
			break;
		case 'v':
			verbose = true;
			break;
		default:
			fprintf(stderr, "vmx_fuzz_test [-s SEED] [-n ROUNDS] [-k FAILURES] [-v]\n");
			exit(2);
		}
	}
	setbuf(stdout, NULL);
	ksft_print_header();
	if (!kvm_cpu_has(X86_FEATURE_VMX)) {
		if (nested_disabled())
			ksft_exit_skip("nested VMX is disabled by the module parameter\n");
		/* On stderr with "error", the line init's failure_text picks. */
		fprintf(stderr, "error: %s\n",
			"KVM_GET_SUPPORTED_CPUID has no VMX: no nested VMX to fuzz");
		ksft_exit_fail();
	}
	ksft_set_plan(3);
	ksft_print_msg("%s, seeds %lu..%lu\n", on_nvmx() ? "nvmx" : "kvm", seed,
		       seed + rounds - (rounds ? 1 : 0));
	kmsg = kmsg_open();

	/* A first VM fills the kernel's caches before the slab baseline. */
	warm = rounds < 8 ? rounds / 2 : 4;
	t0 = now_s();
	bad = run_vm(seed, 0, warm, why, sizeof(why));
	total = st;
	before = mem_snapshot(300);
	if (!bad)
		bad = run_vm(seed, warm, rounds - warm, why, sizeof(why));
	after = mem_snapshot(300);
	for (opt = 0; opt < 32; opt++)
		total.vmfail_valid[opt] += st.vmfail_valid[opt];
	for (opt = 0; opt < (int)ARRAY_SIZE(st.exits); opt++)
		total.exits[opt] += st.exits[opt];
	total.vmfail_invalid += st.vmfail_invalid;
	total.entry_fail[0] += st.entry_fail[0];
	total.entry_fail[1] += st.entry_fail[1];
	total.ud += st.ud;
	total.vmwrites += st.vmwrites;
	total.insn_ops += st.insn_ops;
	total.l2_events += st.l2_events;
	print_counts(&total, bad ? warm + st.round : rounds, now_s() - t0);
	ksft_test_result(!bad, "rounds_end_as_the_sdm_says%s%s\n", bad ? ": " : "",
			 bad ? bad : "");

	bad = kmsg_problem(kmsg);
	snprintf(lwhy, sizeof(lwhy), "%s%s", bad ? ": " : "", bad ? bad : "");
	ksft_test_result(!lwhy[0], "kernel_log_clean%s\n", lwhy);

	ksft_test_result(after.slab_objs <= before.slab_objs + SLAB_OBJS_SLACK &&
			 after.slab_kb <= before.slab_kb + SLAB_KB_SLACK &&
			 after.free_pages >= before.free_pages - PAGES_SLACK,
			 "no_slab_growth (objects %+lld, unreclaimable %+lld kB, free pages %+lld)\n",
			 after.slab_objs - before.slab_objs, after.slab_kb - before.slab_kb,
			 after.free_pages - before.free_pages);
	ksft_finished();
}
