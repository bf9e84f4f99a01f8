// SPDX-License-Identifier: GPL-2.0
/*
 * Routing of exits from L2 (see route.h). Pure logic (see pure.h).
 */
#include "nested/route.h"

struct nvmx_route_ctx {
	const struct nvmx_vmcs12 *v12;
	const struct nvmx_exit *e;
	const struct nvmx_route_ops *ops;
};

/* How step 2 decides for a reason. ALWAYS is 0: rows left out get it. */
enum nvmx_l1_rule {
	NVMX_L1_ALWAYS,		/* an unconditional exit: L1 expects it */
	NVMX_L1_NEVER,		/* never shown to L1 */
	NVMX_L1_PIN,		/* vmcs12 pin control .bit */
	NVMX_L1_PROC,		/* vmcs12 primary control .bit */
	NVMX_L1_PROC2,		/* vmcs12 secondary control .bit (if active) */
	NVMX_L1_FN,		/* .l1() */
};

struct nvmx_route_row {
	const char *name;
	/* Step 1: L0 keeps the exit if this says so (NULL: never). */
	bool (*l0)(const struct nvmx_route_ctx *c);
	bool (*l1)(const struct nvmx_route_ctx *c);
	u32 bit;
	u8 rule;		/* enum nvmx_l1_rule */
};

static bool nvmx_l0_always(const struct nvmx_route_ctx *c)
{
	return true;
}

static u32 nvmx_intr_type(u32 info)
{
	return info & NVMX_RT_INTR_TYPE;
}

static const struct nvmx_merge_xcpt nvmx_no_xcpt;

static const struct nvmx_merge_xcpt *nvmx_l0_xcpt(const struct nvmx_route_ctx *c)
{
	return c->ops ? &c->ops->l0_xcpt : &nvmx_no_xcpt;
}

/* Host NMIs and machine checks, and the exceptions L0 takes for itself. */
static bool nvmx_l0_exception(const struct nvmx_route_ctx *c)
{
	const struct nvmx_merge_xcpt *x = nvmx_l0_xcpt(c);
	u32 info = c->e->intr_info;
	unsigned int vector = info & NVMX_RT_INTR_VECTOR;

	if (nvmx_intr_type(info) == NVMX_RT_INTR_TYPE_NMI)
		return true;
	if (vector >= 32)
		return false;
	if (vector == NVMX_RT_MC_VECTOR &&
	    nvmx_intr_type(info) == NVMX_RT_INTR_TYPE_HW_EXC)
		return true;
	if (vector == NVMX_MG_PF_VECTOR)
		return nvmx_pf_exits(x->bitmap, x->pfec_mask, x->pfec_match,
				     c->e->intr_error);
	return x->bitmap & (1U << vector);
}

bool nvmx_route_exception_wanted(const struct nvmx_vmcs12 *v12,
				 unsigned int vector, u32 error_code)
{
	if (vector >= 32)
		return false;
	/* Bit 14 XOR ((error & mask) != match), on the full 32 bits. */
	if (vector == NVMX_MG_PF_VECTOR)
		return nvmx_pf_exits(v12->exception_bitmap,
				     v12->page_fault_error_code_mask,
				     v12->page_fault_error_code_match,
				     error_code);
	return v12->exception_bitmap & (1U << vector);
}

static bool nvmx_l1_exception(const struct nvmx_route_ctx *c)
{
	u32 info = c->e->intr_info;

	if (nvmx_intr_type(info) == NVMX_RT_INTR_TYPE_NMI)
		return c->v12->pin_based_vm_exec_control & NVMX_MG_PIN_NMI;
	return nvmx_route_exception_wanted(c->v12, info & NVMX_RT_INTR_VECTOR,
					   c->e->intr_error);
}

/* One bit of an L1 bitmap; unreadable counts as set. */
static bool nvmx_l1_bit(const struct nvmx_route_ctx *c, u64 gpa,
			unsigned int bit)
{
	u8 b;

	if (!c->ops || !c->ops->read_l1 ||
	    c->ops->read_l1(c->ops->opaque, gpa, &b, 1))
		return true;
	return (b >> bit) & 1;
}

static bool nvmx_cr3_is_target(const struct nvmx_vmcs12 *v12, u64 val)
{
	const u64 t[] = {
		v12->cr3_target_value0, v12->cr3_target_value1,
		v12->cr3_target_value2, v12->cr3_target_value3,
	};
	unsigned int i, n = v12->cr3_target_count;

	/* More than 4 fails the entry checks; never read past the fields. */
	if (n > ARRAY_SIZE(t))
		n = ARRAY_SIZE(t);
	for (i = 0; i < n; i++)
		if (t[i] == val)
			return true;
	return false;
}

#define NVMX_RT_CR0_PE		0x1ULL
#define NVMX_RT_CR0_TS		0x8ULL

/* SDM "Instructions That Cause VM Exits Conditionally", with vmcs12's CRs. */
static bool nvmx_l1_cr(const struct nvmx_route_ctx *c)
{
	const struct nvmx_vmcs12 *v = c->v12;
	u32 proc = v->cpu_based_vm_exec_control;
	u64 q = c->e->qual, val = c->e->cr_value;
	u64 m0 = v->cr0_guest_host_mask, s0 = v->cr0_read_shadow;

	switch (NVMX_RT_CR_TYPE(q)) {
	case NVMX_RT_CR_MOV_TO:
		switch (NVMX_RT_CR_NUM(q)) {
		case 0:
			return m0 & (val ^ s0);
		case 3:
			return (proc & NVMX_MG_PROC_CR3_LOAD) &&
			       !nvmx_cr3_is_target(v, val);
		case 4:
			return v->cr4_guest_host_mask &
			       (val ^ v->cr4_read_shadow);
		case 8:
			return proc & NVMX_MG_PROC_CR8_LOAD;
		}
		return false;
	case NVMX_RT_CR_MOV_FROM:
		switch (NVMX_RT_CR_NUM(q)) {
		case 3:
			return proc & NVMX_MG_PROC_CR3_STORE;
		case 8:
			return proc & NVMX_MG_PROC_CR8_STORE;
		}
		return false;
	case NVMX_RT_CR_CLTS:
		return (m0 & NVMX_RT_CR0_TS) && (s0 & NVMX_RT_CR0_TS);
	default:	/* LMSW: bits 3:1 as written, PE only set, never cleared */
		val = NVMX_RT_CR_LMSW_DATA(q);
		if (m0 & 0xe & (val ^ s0))
			return true;
		return (m0 & NVMX_RT_CR0_PE) && !(s0 & NVMX_RT_CR0_PE) &&
		       (val & NVMX_RT_CR0_PE);
	}
}

/*
 * With I/O bitmaps: any bit of a port accessed (A: 0-0x7fff, B: the rest),
 * and any access wrapping past 0xffff, exits. Without: unconditional I/O
 * exiting decides.
 */
static bool nvmx_l1_io(const struct nvmx_route_ctx *c)
{
	const struct nvmx_vmcs12 *v = c->v12;
	u32 proc = v->cpu_based_vm_exec_control;
	unsigned int port = NVMX_RT_IO_PORT(c->e->qual);
	unsigned int size = NVMX_RT_IO_SIZE(c->e->qual), i;

	if (!(proc & NVMX_MG_PROC_IO_BITMAPS))
		return proc & NVMX_MG_PROC_UNCOND_IO;
	for (i = 0; i < size; i++, port++) {
		u64 base = port < 0x8000 ? v->io_bitmap_a : v->io_bitmap_b;

		if (port > 0xffff)
			return true;
		if (nvmx_l1_bit(c, base + (port & 0x7fff) / 8, port & 7))
			return true;
	}
	return false;
}

/*
 * MSR bitmap: read-low at 0, read-high at 1024, write-low at 2048,
 * write-high at 3072, one bit per MSR of 0-0x1fff and
 * 0xc0000000-0xc0001fff; any other MSR, or no bitmap, exits.
 */
static bool nvmx_l1_msr(const struct nvmx_route_ctx *c)
{
	const struct nvmx_vmcs12 *v = c->v12;
	u32 msr = c->e->msr;
	u64 gpa = v->msr_bitmap;

	if (!(v->cpu_based_vm_exec_control & NVMX_MG_PROC_MSR_BITMAPS))
		return true;
	if ((c->e->reason & 0xffff) == NVMX_RT_MSR_WRITE)
		gpa += 2048;
	if (msr >= 0xc0000000U && msr <= 0xc0001fffU) {
		gpa += 1024;
		msr -= 0xc0000000U;
	} else if (msr > 0x1fff) {
		return true;
	}
	return nvmx_l1_bit(c, gpa + msr / 8, msr & 7);
}

static bool nvmx_l0_tpr_below(const struct nvmx_route_ctx *c)
{
	return !(c->v12->cpu_based_vm_exec_control & NVMX_MG_PROC_TPR_SHADOW);
}

/* PAUSE exiting, or PAUSE-loop exiting (whose exit L0 cannot tell apart). */
static bool nvmx_l1_pause(const struct nvmx_route_ctx *c)
{
	return (c->v12->cpu_based_vm_exec_control & NVMX_MG_PROC_PAUSE) ||
	       (nvmx_merge_v12_proc2(c->v12) & NVMX_MG_PROC2_PLE);
}

/* INVPCID exits when both "enable INVPCID" and "INVLPG exiting" are 1. */
static bool nvmx_l1_invpcid(const struct nvmx_route_ctx *c)
{
	return (nvmx_merge_v12_proc2(c->v12) & NVMX_MG_PROC2_INVPCID) &&
	       (c->v12->cpu_based_vm_exec_control & NVMX_MG_PROC_INVLPG);
}

/* ENCLS exiting and the bitmap bit of leaf EAX (63 for every leaf >= 63). */
static bool nvmx_l1_encls(const struct nvmx_route_ctx *c)
{
	u32 leaf = c->e->encls_leaf;

	if (!(nvmx_merge_v12_proc2(c->v12) & NVMX_MG_PROC2_ENCLS))
		return false;
	return c->v12->encls_exiting_bitmap & BIT_ULL(leaf < 63 ? leaf : 63);
}

#define ALWAYS(n)	{ .name = #n }
#define L0ONLY(n)	{ .name = #n, .l0 = nvmx_l0_always, .rule = NVMX_L1_NEVER }
#define PIN(n, b)	{ .name = #n, .rule = NVMX_L1_PIN, .bit = NVMX_MG_PIN_##b }
#define PROC(n, b)	{ .name = #n, .rule = NVMX_L1_PROC, .bit = NVMX_MG_PROC_##b }
#define PROC2(n, b)	{ .name = #n, .rule = NVMX_L1_PROC2, .bit = NVMX_MG_PROC2_##b }
#define FN(n, f)	{ .name = #n, .rule = NVMX_L1_FN, .l1 = f }

/* Indexed by basic exit reason (SDM appendix C). */
static const struct nvmx_route_row nvmx_route_rows[NVMX_RT_NR_REASONS] = {
	[0] = { .name = "exception_nmi", .l0 = nvmx_l0_exception,
		.rule = NVMX_L1_FN, .l1 = nvmx_l1_exception },
	/* The host's interrupt; an interrupt for L1 is L0's event (step 2). */
	[1] = { .name = "external_interrupt", .l0 = nvmx_l0_always,
		.rule = NVMX_L1_PIN, .bit = NVMX_MG_PIN_EXTINT },
	[2] = ALWAYS(triple_fault),
	[3] = ALWAYS(init_signal),
	[4] = ALWAYS(sipi),
	[5] = ALWAYS(io_smi),
	[6] = ALWAYS(other_smi),
	[7] = PROC(interrupt_window, INTR_WINDOW),
	[8] = PROC(nmi_window, NMI_WINDOW),
	[9] = ALWAYS(task_switch),
	[10] = ALWAYS(cpuid),
	[11] = ALWAYS(getsec),
	[12] = PROC(hlt, HLT),
	[13] = ALWAYS(invd),
	[14] = PROC(invlpg, INVLPG),
	[15] = PROC(rdpmc, RDPMC),
	[16] = PROC(rdtsc, RDTSC),
	[17] = ALWAYS(rsm),
	/* VMX instructions always exit: L1 emulates them for L2 (L3). */
	[18] = ALWAYS(vmcall),
	[19] = ALWAYS(vmclear),
	[20] = ALWAYS(vmlaunch),
	[21] = ALWAYS(vmptrld),
	[22] = ALWAYS(vmptrst),
	/* No VMCS shadowing for L1 (not offered): no VMREAD/VMWRITE bitmaps. */
	[23] = ALWAYS(vmread),
	[24] = ALWAYS(vmresume),
	[25] = ALWAYS(vmwrite),
	[26] = ALWAYS(vmxoff),
	[27] = ALWAYS(vmxon),
	[28] = FN(cr_access, nvmx_l1_cr),
	[29] = PROC(mov_dr, MOV_DR),
	[30] = FN(io_instruction, nvmx_l1_io),
	[31] = FN(rdmsr, nvmx_l1_msr),
	[32] = FN(wrmsr, nvmx_l1_msr),
	[33] = ALWAYS(invalid_guest_state),
	[34] = ALWAYS(msr_load_fail),
	[36] = PROC(mwait, MWAIT),
	[37] = PROC(monitor_trap_flag, MTF),
	[39] = PROC(monitor, MONITOR),
	[40] = FN(pause, nvmx_l1_pause),
	/* The host's machine check. */
	[41] = { .name = "mce_during_entry", .l0 = nvmx_l0_always },
	/*
	 * L1's threshold with its TPR shadow; without it the shadow and
	 * threshold in vmcs02 are L0's (embodiment 1): never L1's exit.
	 */
	[43] = { .name = "tpr_below_threshold", .l0 = nvmx_l0_tpr_below,
		 .rule = NVMX_L1_PROC, .bit = NVMX_MG_PROC_TPR_SHADOW },
	[44] = ALWAYS(apic_access),
	[45] = ALWAYS(eoi_induced),
	[46] = PROC2(gdtr_idtr, DESC),
	[47] = PROC2(ldtr_tr, DESC),
	/* L1 has no EPT: L2 runs on L0's tables, their faults are L0's. */
	[48] = L0ONLY(ept_violation),
	[49] = L0ONLY(ept_misconfig),
	[50] = ALWAYS(invept),
	/* Needs "enable RDTSCP" too, which vmcs02 takes from vmcs12 only. */
	[51] = PROC(rdtscp, RDTSC),
	/* L0's time slice; L1's timer is not offered. */
	[52] = L0ONLY(preemption_timer),
	[53] = ALWAYS(invvpid),
	[54] = PROC2(wbinvd, WBINVD),
	[55] = ALWAYS(xsetbv),
	[56] = ALWAYS(apic_write),
	[57] = PROC2(rdrand, RDRAND),
	[58] = FN(invpcid, nvmx_l1_invpcid),
	/* Not offered to L1: L0 answers (#UD). */
	[59] = L0ONLY(vmfunc),
	[60] = FN(encls, nvmx_l1_encls),
	[61] = PROC2(rdseed, RDSEED),
	[62] = L0ONLY(pml_full),
	/* The XSS-exiting bitmap is not offered: the enable decides. */
	[63] = PROC2(xsaves, XSAVES),
	[64] = PROC2(xrstors, XSAVES),
	[66] = L0ONLY(spp_event),
	[67] = PROC2(umwait, WAITPKG),
	[68] = PROC2(tpause, WAITPKG),
	[74] = L0ONLY(bus_lock),
	[75] = L0ONLY(notify),
};

static const struct nvmx_route_row nvmx_route_unknown = ALWAYS(unknown);

static const struct nvmx_route_row *nvmx_route_row(u32 reason)
{
	u32 basic = reason & 0xffff;

	if (basic >= NVMX_RT_NR_REASONS || !nvmx_route_rows[basic].name)
		return &nvmx_route_unknown;
	return &nvmx_route_rows[basic];
}

const char *nvmx_route_reason_name(u32 reason)
{
	return nvmx_route_row(reason)->name;
}

const char *nvmx_route_name(enum nvmx_route route)
{
	static const char *const names[] = {
		[NVMX_ROUTE_L0] = "l0",
		[NVMX_ROUTE_L1] = "l1",
		[NVMX_ROUTE_L0_FOR_L1] = "l0_for_l1",
	};

	if ((unsigned int)route >= ARRAY_SIZE(names))
		return "?";
	return names[route];
}

static bool nvmx_row_l1_wants(const struct nvmx_route_row *row,
			      const struct nvmx_route_ctx *c)
{
	switch (row->rule) {
	case NVMX_L1_ALWAYS:
		return true;
	case NVMX_L1_PIN:
		return c->v12->pin_based_vm_exec_control & row->bit;
	case NVMX_L1_PROC:
		return c->v12->cpu_based_vm_exec_control & row->bit;
	case NVMX_L1_PROC2:
		return nvmx_merge_v12_proc2(c->v12) & row->bit;
	case NVMX_L1_FN:
		return row->l1(c);
	default:	/* NEVER */
		return false;
	}
}

bool nvmx_route_l1_wants(const struct nvmx_vmcs12 *v12,
			 const struct nvmx_exit *e,
			 const struct nvmx_route_ops *ops, const char **why)
{
	const struct nvmx_route_row *row = nvmx_route_row(e->reason);
	struct nvmx_route_ctx c = { v12, e, ops };

	if (why)
		*why = row->name;
	return nvmx_row_l1_wants(row, &c);
}

enum nvmx_route nvmx_route_exit_why(const struct nvmx_vmcs12 *v12,
				    const struct nvmx_exit *e,
				    const struct nvmx_route_ops *ops,
				    const char **why)
{
	const struct nvmx_route_row *row = nvmx_route_row(e->reason);
	struct nvmx_route_ctx c = { v12, e, ops };

	if (why)
		*why = row->name;
	if (row->l0 && row->l0(&c))
		return NVMX_ROUTE_L0;
	if (nvmx_row_l1_wants(row, &c))
		return NVMX_ROUTE_L1;
	return NVMX_ROUTE_L0_FOR_L1;
}

enum nvmx_route nvmx_route_exit(const struct nvmx_vmcs12 *v12,
				const struct nvmx_exit *e,
				const struct nvmx_route_ops *ops)
{
	return nvmx_route_exit_why(v12, e, ops, NULL);
}
