// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/nested/entry.c, the VM-entry checks on a vmcs12, built
 * for userspace with ASan and UBSan. A few valid vmcs12s (64-bit, 32-bit
 * protected, virtual-8086, unrestricted real mode, 32-bit L1) pass every
 * check; each case then breaks one thing and must fail at exactly one row,
 * with that table's number and qualification. Every row has a case.
 */
#include <stdio.h>
#include <string.h>

#include "kselftest_harness.h"
#include "nested/entry.h"

/* Where each vmcs12 field lives, from the same table as the struct. */
static const struct {
	u16 off;
	u8 width;
} fld[NVMX_V12_NR] = {
#define NVMX_VMCS12_FIELD(name, enc, width, off, acc, cls, freq, sh) \
	[NVMX_V12_##name] = { off, NVMX_V12_##width },
#include "nested/vmcs12_fields.h"
#undef NVMX_VMCS12_FIELD
};

static void put(struct nvmx_vmcs12 *v, unsigned int idx, u64 val)
{
	u8 *p = (u8 *)v + fld[idx].off;

	switch (fld[idx].width) {
	case NVMX_V12_W16:
		*(u16 *)p = (u16)val;
		break;
	case NVMX_V12_W32:
		*(u32 *)p = (u32)val;
		break;
	default:
		*(u64 *)p = val;
	}
}

static u64 get(const struct nvmx_vmcs12 *v, unsigned int idx)
{
	const u8 *p = (const u8 *)v + fld[idx].off;

	switch (fld[idx].width) {
	case NVMX_V12_W16:
		return *(const u16 *)p;
	case NVMX_V12_W32:
		return *(const u32 *)p;
	default:
		return *(const u64 *)p;
	}
}

/* L1's caps for the tests: a Broadwell-like host that offers everything. */
static struct nvmx_vmx_caps test_caps(void)
{
	struct nvmx_vmx_caps c;

	memset(&c, 0, sizeof(c));
	c.basic = NVMX_VMCS12_REVISION | NVMX_BASIC_TRUE_CTLS;
	c.pinbased = 0x000000ff00000016ULL;
	c.procbased = 0xffffffff0401e172ULL;
	c.exit = 0x00ffffff00036dffULL;
	c.entry = 0x0001ffff000011ffULL;
	c.procbased2 = 0x7fffffff00000000ULL;	/* bit 31 not allowed */
	c.misc = 4ULL << NVMX_VE_MISC_CR3_TARGETS_SHIFT;
	c.cr0_fixed0 = 0x80000021;
	c.cr0_fixed1 = 0xffffffff;
	c.cr4_fixed0 = 0x2000;
	c.cr4_fixed1 = 0x3f77ff;	/* wider than what CPUID allows */
	c.ept_vpid = BIT_ULL(6) | BIT_ULL(14) | BIT_ULL(21);
	c.vmfunc = 1;
	return c;
}

#define CR4_ALLOWED	0x3727ffULL
#define EFER_OK		0xd01ULL	/* SCE, LME, LMA, NXE */
#define MAXPHY		39
#define PAT_OK		0x0007040600070406ULL
#define NONCANON	0x0000800000000000ULL

enum base { B64, B32, BV86, BUG, BL1_32, NR_BASES };

struct fixture {
	struct nvmx_vmx_caps caps;
	struct nvmx_entry_env env;
	struct nvmx_vmcs12 v;
};

#define SET(f, val)	put(v, NVMX_V12_##f, val)

static void seg(struct nvmx_vmcs12 *v, unsigned int first, u16 sel, u64 base,
		u32 limit, u32 ar)
{
	/* selector, base, limit, AR indices of one register */
	static const unsigned int idx[][4] = {
		{ NVMX_V12_guest_cs_selector, NVMX_V12_guest_cs_base,
		  NVMX_V12_guest_cs_limit, NVMX_V12_guest_cs_ar_bytes },
		{ NVMX_V12_guest_ss_selector, NVMX_V12_guest_ss_base,
		  NVMX_V12_guest_ss_limit, NVMX_V12_guest_ss_ar_bytes },
		{ NVMX_V12_guest_ds_selector, NVMX_V12_guest_ds_base,
		  NVMX_V12_guest_ds_limit, NVMX_V12_guest_ds_ar_bytes },
		{ NVMX_V12_guest_es_selector, NVMX_V12_guest_es_base,
		  NVMX_V12_guest_es_limit, NVMX_V12_guest_es_ar_bytes },
		{ NVMX_V12_guest_fs_selector, NVMX_V12_guest_fs_base,
		  NVMX_V12_guest_fs_limit, NVMX_V12_guest_fs_ar_bytes },
		{ NVMX_V12_guest_gs_selector, NVMX_V12_guest_gs_base,
		  NVMX_V12_guest_gs_limit, NVMX_V12_guest_gs_ar_bytes },
		{ NVMX_V12_guest_tr_selector, NVMX_V12_guest_tr_base,
		  NVMX_V12_guest_tr_limit, NVMX_V12_guest_tr_ar_bytes },
		{ NVMX_V12_guest_ldtr_selector, NVMX_V12_guest_ldtr_base,
		  NVMX_V12_guest_ldtr_limit, NVMX_V12_guest_ldtr_ar_bytes },
	};

	put(v, idx[first][0], sel);
	put(v, idx[first][1], base);
	put(v, idx[first][2], limit);
	put(v, idx[first][3], ar);
}

enum { G_CS, G_SS, G_DS, G_ES, G_FS, G_GS, G_TR, G_LDTR };

/* A valid vmcs12 of each kind, with the env it is valid for. */
static void make_base(struct fixture *f, enum base b)
{
	struct nvmx_vmcs12 *v = &f->v;
	unsigned int i;

	memset(f, 0, sizeof(*f));
	f->caps = test_caps();
	f->env = (struct nvmx_entry_env){
		.caps = &f->caps, .maxphyaddr = MAXPHY, .va_bits = 48,
		.ia32e = true, .launch = true, .vtpr = 0,
		.cr4_allowed = CR4_ALLOWED, .efer_rsvd = ~EFER_OK,
		.debugctl_rsvd = ~3ULL, .perf_global_ctrl_rsvd = ~3ULL,
	};
	v->revision_id = NVMX_VMCS12_REVISION;

	/* controls */
	SET(pin_based_vm_exec_control, 0x16);
	SET(cpu_based_vm_exec_control, 0x0401e172 | NVMX_VE_PROC_TPR_SHADOW |
	    NVMX_VE_PROC_IO_BITMAPS | NVMX_VE_PROC_MSR_BITMAPS |
	    NVMX_VE_PROC_SECONDARY);
	SET(io_bitmap_a, 0x1000);
	SET(io_bitmap_b, 0x2000);
	SET(msr_bitmap, 0x3000);
	SET(virtual_apic_page_addr, 0x4000);
	SET(vm_exit_controls, 0x36dff | NVMX_VE_EXIT_HOST_64 |
	    NVMX_VE_EXIT_ACK_INTR | NVMX_VE_EXIT_LOAD_PAT |
	    NVMX_VE_EXIT_LOAD_EFER);
	SET(vm_entry_controls, 0x11ff | NVMX_VE_ENTRY_IA32E |
	    NVMX_VE_ENTRY_LOAD_PAT | NVMX_VE_ENTRY_LOAD_EFER);
	SET(vm_exit_msr_store_addr, 0x8000);
	SET(vm_exit_msr_load_addr, 0x8000);
	SET(vm_entry_msr_load_addr, 0x8000);

	/* host state: a 64-bit L1 kernel */
	SET(host_cr0, 0x80050033);
	SET(host_cr4, 0x2020);
	SET(host_cr3, 0x5000);
	SET(host_cs_selector, 0x08);
	SET(host_ss_selector, 0x10);
	SET(host_tr_selector, 0x40);
	SET(host_tr_base, 0xfffffe0000001000ULL);
	SET(host_rip, 0xffffffff81000000ULL);
	SET(host_ia32_pat, PAT_OK);
	SET(host_ia32_efer, EFER_OK);

	/* guest state: 64-bit mode */
	SET(guest_cr0, 0x80050033);
	SET(guest_cr4, 0x2020);
	SET(guest_cr3, 0x6000);
	SET(guest_dr7, 0x400);
	SET(guest_rflags, 0x2);
	SET(guest_rip, 0x401000);
	SET(guest_ia32_pat, PAT_OK);
	SET(guest_ia32_efer, EFER_OK);
	seg(v, G_CS, 0x08, 0, 0xffffffff, 0xa09b);
	for (i = G_SS; i <= G_GS; i++)
		seg(v, i, 0x10, 0, 0xffffffff, 0xc093);
	seg(v, G_TR, 0x40, 0x7000, 0x67, 0x8b);
	seg(v, G_LDTR, 0, 0, 0, NVMX_VE_AR_UNUSABLE);
	SET(guest_gdtr_limit, 0x7f);
	SET(guest_idtr_limit, 0xfff);
	SET(vmcs_link_pointer, NVMX_VE_LINK_NONE);

	if (b == B64)
		return;
	if (b == BUG) {
		SET(secondary_vm_exec_control, NVMX_VE_PROC2_UNRESTRICTED |
		    NVMX_VE_PROC2_EPT);
		SET(ept_pointer, 0x501e);
		SET(guest_cr0, 0x20);
		SET(guest_cr4, 0x2000);
		SET(vm_entry_controls, 0x11ff | NVMX_VE_ENTRY_LOAD_PAT |
		    NVMX_VE_ENTRY_LOAD_EFER);
		SET(guest_ia32_efer, 0);
		SET(guest_rip, 0xfff0);
		seg(v, G_CS, 0xf000, 0xf0000, 0xffff, 0x9b);
		for (i = G_SS; i <= G_GS; i++)
			seg(v, i, 0, 0, 0xffff, 0x93);
		return;
	}
	/* 32-bit protected mode with paging */
	SET(vm_entry_controls, 0x11ff | NVMX_VE_ENTRY_LOAD_PAT |
	    NVMX_VE_ENTRY_LOAD_EFER);
	SET(guest_ia32_efer, 0);
	SET(guest_cr4, 0x2000);
	seg(v, G_CS, 0x08, 0, 0xffffffff, 0xc09b);
	if (b == BV86) {
		SET(guest_rflags, 0x20002);
		for (i = G_CS; i <= G_GS; i++)
			seg(v, i, 0x1000, 0x10000, 0xffff, 0xf3);
	}
	if (b == BL1_32) {
		/* L1 itself outside IA-32e mode: a 32-bit host */
		f->env.ia32e = false;
		SET(vm_exit_controls, 0x36dff | NVMX_VE_EXIT_ACK_INTR |
		    NVMX_VE_EXIT_LOAD_PAT | NVMX_VE_EXIT_LOAD_EFER);
		SET(host_ia32_efer, 0);
		SET(host_rip, 0xc1000000);
		SET(host_tr_base, 0xc2000000);
	}
}

enum { END, OP_SET, OP_OR, OP_CLR, OP_ENV };

struct write {
	u8 op;
	u16 idx;
	u64 val;
};

/* Environment changes a case can ask for (OP_ENV's idx). */
enum {
	E_VTPR, E_ACT_STATES, E_NO_SHADOW, E_LINK_OK, E_NO_MTF, E_ZERO_LEN
};

static void env_change(struct fixture *f, unsigned int what, u64 val)
{
	switch (what) {
	case E_VTPR:
		f->env.vtpr = (u8)val;
		break;
	case E_ACT_STATES:
		f->caps.misc |= NVMX_VE_MISC_ACT_HLT | NVMX_VE_MISC_ACT_SHUTDOWN |
				NVMX_VE_MISC_ACT_SIPI;
		break;
	case E_NO_SHADOW:
		f->caps.procbased2 &= ~((u64)NVMX_VE_PROC2_SHADOW_VMCS << 32);
		break;
	case E_LINK_OK:
		f->env.link_readable = true;
		f->env.link_header = (u32)val;
		break;
	case E_NO_MTF:
		f->caps.procbased &= ~((u64)NVMX_VE_PROC_MTF << 32);
		break;
	case E_ZERO_LEN:
		f->caps.misc |= NVMX_VE_MISC_ZERO_LEN_INJ;
		break;
	}
}

static void apply(struct fixture *f, const struct write *w)
{
	for (; w->op != END; w++) {
		switch (w->op) {
		case OP_SET:
			put(&f->v, w->idx, w->val);
			break;
		case OP_OR:
			put(&f->v, w->idx, get(&f->v, w->idx) | w->val);
			break;
		case OP_CLR:
			put(&f->v, w->idx, get(&f->v, w->idx) & ~w->val);
			break;
		case OP_ENV:
			env_change(f, w->idx, w->val);
			break;
		}
	}
}

/* Run the three tables as the VMLAUNCH handler would. */
struct outcome {
	u32 err;	/* 7, 8, 33 or 0 */
	u64 qual;
	const char *row;
};

static struct outcome run_checks(const struct fixture *f)
{
	struct outcome o = { 0, 0, NULL };

	o.err = nvmx_entry_check_controls(&f->v, &f->env, &o.row);
	if (o.err)
		return o;
	o.err = nvmx_entry_check_host(&f->v, &f->env, &o.row);
	if (o.err)
		return o;
	o.err = nvmx_entry_check_guest(&f->v, &f->env, &o.qual, &o.row);
	return o;
}

#define W(op, f, val)	{ OP_##op, NVMX_V12_##f, val }
#define ENV(what, val)	{ OP_ENV, E_##what, val }
#define MAXW		8

struct tcase {
	const char *row;
	enum base base;
	struct write w[MAXW];
};

#define INJ(type, vec)	(NVMX_VE_INTR_VALID | ((type) << 8) | (vec))

static const struct tcase cases[] = {
	/* 26.2.1.1 execution controls */
	{ "pin_ctls", B64, { W(OR, pin_based_vm_exec_control, 1 << 8) } },
	{ "pin_ctls", B64, { W(CLR, pin_based_vm_exec_control, 1 << 1) } },
	{ "proc_ctls", B64, { W(CLR, cpu_based_vm_exec_control, 1 << 1) } },
	{ "proc2_ctls", B64, { W(SET, secondary_vm_exec_control, 1U << 31) } },
	{ "cr3_target_count", B64, { W(SET, cr3_target_count, 5) } },
	{ "io_bitmap_a", B64, { W(SET, io_bitmap_a, 0x1800) } },
	{ "io_bitmap_a", B64, { W(SET, io_bitmap_a, 1ULL << MAXPHY) } },
	{ "io_bitmap_b", B64, { W(SET, io_bitmap_b, 0x2001) } },
	{ "msr_bitmap", B64, { W(SET, msr_bitmap, 0x3008) } },
	{ "virtual_apic_addr", B64, { W(SET, virtual_apic_page_addr, 0x4400) } },
	{ "tpr_threshold_rsvd", B64, { W(SET, tpr_threshold, 0x10) } },
	{ "tpr_threshold_vtpr", B64, { W(SET, tpr_threshold, 3),
				       ENV(VTPR, 0x20) } },
	{ "apicv_needs_tpr_shadow", B64, {
		W(CLR, cpu_based_vm_exec_control, NVMX_VE_PROC_TPR_SHADOW),
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_APIC_REG) } },
	{ "vnmi_needs_nmi_exiting", B64,
	  { W(OR, pin_based_vm_exec_control, NVMX_VE_PIN_VNMI) } },
	{ "nmi_window_needs_vnmi", B64,
	  { W(OR, cpu_based_vm_exec_control, NVMX_VE_PROC_NMI_WINDOW) } },
	{ "apic_access_addr", B64, {
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_APIC_ACCESS),
		W(SET, apic_access_addr, 0x9010) } },
	{ "x2apic_vs_apic_access", B64, {
		W(SET, secondary_vm_exec_control,
		  NVMX_VE_PROC2_APIC_ACCESS | NVMX_VE_PROC2_X2APIC),
		W(SET, apic_access_addr, 0x9000) } },
	{ "vid_needs_extint_exiting", B64,
	  { W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_VID) } },
	{ "posted_intr_needs_vid", B64,
	  { W(OR, pin_based_vm_exec_control, NVMX_VE_PIN_POSTED) } },
	{ "posted_intr_needs_ack", B64, {
		W(OR, pin_based_vm_exec_control,
		  NVMX_VE_PIN_POSTED | NVMX_VE_PIN_EXTINT),
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_VID),
		W(CLR, vm_exit_controls, NVMX_VE_EXIT_ACK_INTR) } },
	{ "posted_intr_vector", B64, {
		W(OR, pin_based_vm_exec_control,
		  NVMX_VE_PIN_POSTED | NVMX_VE_PIN_EXTINT),
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_VID),
		W(SET, posted_intr_nv, 0x1f2) } },
	{ "posted_intr_desc", B64, {
		W(OR, pin_based_vm_exec_control,
		  NVMX_VE_PIN_POSTED | NVMX_VE_PIN_EXTINT),
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_VID),
		W(SET, posted_intr_desc_addr, 0xa020) } },
	{ "vpid_nonzero", B64,
	  { W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_VPID) } },
	{ "eptp_valid", B64, {
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_EPT),
		W(SET, ept_pointer, 0x5019) } },	/* memory type 1 */
	{ "eptp_valid", B64, {
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_EPT),
		W(SET, ept_pointer, 0x5026) } },	/* 5-level walk */
	{ "eptp_valid", B64, {
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_EPT),
		W(SET, ept_pointer, 0x509e) } },	/* reserved bit 7 */
	{ "pml_needs_ept", B64,
	  { W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_PML) } },
	{ "pml_address", B64, {
		W(SET, secondary_vm_exec_control,
		  NVMX_VE_PROC2_PML | NVMX_VE_PROC2_EPT),
		W(SET, ept_pointer, 0x505e),		/* with A/D */
		W(SET, pml_address, 0xb004) } },
	{ "unrestricted_needs_ept", B64, {
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_UNRESTRICTED) } },
	{ "mbec_needs_ept", B64,
	  { W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_MBEC) } },
	{ "vmfunc_ctls", B64, {
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_VMFUNC),
		W(SET, vm_function_control, 2) } },
	{ "eptp_list_needs_ept", B64, {
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_VMFUNC),
		W(SET, vm_function_control, 1) } },
	{ "eptp_list_address", B64, {
		W(SET, secondary_vm_exec_control,
		  NVMX_VE_PROC2_VMFUNC | NVMX_VE_PROC2_EPT),
		W(SET, ept_pointer, 0x501e),
		W(SET, vm_function_control, 1),
		W(SET, eptp_list_address, 0xc100) } },
	{ "vmread_bitmap", B64, {
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_SHADOW_VMCS),
		W(SET, vmread_bitmap, 0xd001), W(SET, vmwrite_bitmap, 0xe000) } },
	{ "vmwrite_bitmap", B64, {
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_SHADOW_VMCS),
		W(SET, vmread_bitmap, 0xd000), W(SET, vmwrite_bitmap, 0xe001) } },
	/* 26.2.1.2 exit controls */
	{ "exit_ctls", B64, { W(OR, vm_exit_controls, 1U << 31) } },
	{ "exit_ctls", B64, { W(CLR, vm_exit_controls, 1 << 0) } },
	{ "save_preempt_needs_preempt", B64,
	  { W(OR, vm_exit_controls, NVMX_VE_EXIT_SAVE_PREEMPT) } },
	{ "exit_msr_store_area", B64, { W(SET, vm_exit_msr_store_count, 1),
					W(SET, vm_exit_msr_store_addr, 0x8008) } },
	{ "exit_msr_store_area", B64, {
		W(SET, vm_exit_msr_store_count, 2),
		W(SET, vm_exit_msr_store_addr, (1ULL << MAXPHY) - 16) } },
	{ "exit_msr_load_area", B64, {
		W(SET, vm_exit_msr_load_count, 1),
		W(SET, vm_exit_msr_load_addr, 1ULL << MAXPHY) } },
	/* 26.2.1.3 entry controls */
	{ "entry_ctls", B64, { W(OR, vm_entry_controls, 1 << 20) } },
	{ "entry_ctls", B64, { W(CLR, vm_entry_controls, 1 << 12) } },
	{ "event_type", B64, { W(SET, vm_entry_intr_info_field, INJ(1, 32)) } },
	{ "event_type", B64, { W(SET, vm_entry_intr_info_field, INJ(7, 0)),
			       ENV(NO_MTF, 0) } },
	{ "event_vector", B64, { W(SET, vm_entry_intr_info_field, INJ(2, 3)) } },
	{ "event_vector", B64, { W(SET, vm_entry_intr_info_field, INJ(3, 32)) } },
	{ "event_vector", B64, { W(SET, vm_entry_intr_info_field, INJ(7, 1)) } },
	{ "event_errcode_bit", B64,
	  { W(SET, vm_entry_intr_info_field, INJ(3, 13)) } },
	{ "event_errcode_bit", B64, {
		W(SET, vm_entry_intr_info_field,
		  INJ(3, 6) | NVMX_VE_INTR_ERRCODE) } },
	{ "event_errcode_bit", B64, {	/* software interrupts push none */
		W(SET, vm_entry_intr_info_field,
		  INJ(4, 0x21) | NVMX_VE_INTR_ERRCODE) } },
	{ "event_errcode_bit", BUG, {
		W(SET, vm_entry_intr_info_field,
		  INJ(3, 13) | NVMX_VE_INTR_ERRCODE) } },
	{ "event_rsvd", B64,
	  { W(SET, vm_entry_intr_info_field, INJ(0, 32) | NVMX_VE_BIT(12)) } },
	{ "event_errcode", B64, {
		W(SET, vm_entry_intr_info_field,
		  INJ(3, 13) | NVMX_VE_INTR_ERRCODE),
		W(SET, vm_entry_exception_error_code, 0x10000) } },
	{ "event_insn_len", B64, {
		W(SET, vm_entry_intr_info_field, INJ(4, 0x80)),
		W(SET, vm_entry_instruction_len, 0) } },
	{ "event_insn_len", B64, {
		W(SET, vm_entry_intr_info_field, INJ(6, 3)),
		W(SET, vm_entry_instruction_len, 16) } },
	{ "entry_msr_load_area", B64, {
		W(SET, vm_entry_msr_load_count, 4),
		W(SET, vm_entry_msr_load_addr, 0x8004) } },
	{ "entry_to_smm", B64, { W(OR, vm_entry_controls, NVMX_VE_ENTRY_SMM) } },
	{ "deactivate_dual_monitor", B64,
	  { W(OR, vm_entry_controls, NVMX_VE_ENTRY_DUAL_MONITOR) } },

	/* 26.2.2-26.2.4 host state */
	{ "host_cr0_fixed", B64, { W(CLR, host_cr0, 0x20) } },
	{ "host_cr4_fixed", B64, { W(CLR, host_cr4, 0x2000) } },
	{ "host_cr4_fixed", B64, { W(OR, host_cr4, 1 << 14) } },
	{ "host_cr3", B64, { W(SET, host_cr3, 1ULL << MAXPHY) } },
	{ "host_sysenter_esp", B64, { W(SET, host_ia32_sysenter_esp, NONCANON) } },
	{ "host_sysenter_eip", B64, { W(SET, host_ia32_sysenter_eip, NONCANON) } },
	{ "host_perf_global_ctrl", B64, {
		W(OR, vm_exit_controls, NVMX_VE_EXIT_LOAD_PERF),
		W(SET, host_ia32_perf_global_ctrl, 4) } },
	{ "host_pat", B64, { W(SET, host_ia32_pat, PAT_OK | (2ULL << 56)) } },
	{ "host_efer_rsvd", B64, { W(OR, host_ia32_efer, 1 << 12) } },
	{ "host_efer_lma", B64, { W(CLR, host_ia32_efer, 1 << 10) } },
	{ "host_efer_lme", B64, { W(CLR, host_ia32_efer, 1 << 8) } },
	{ "host_cs_sel_rpl_ti", B64, { W(SET, host_cs_selector, 0x0b) } },
	{ "host_ss_sel_rpl_ti", B64, { W(SET, host_ss_selector, 0x14) } },
	{ "host_ds_sel_rpl_ti", B64, { W(SET, host_ds_selector, 0x01) } },
	{ "host_es_sel_rpl_ti", B64, { W(SET, host_es_selector, 0x04) } },
	{ "host_fs_sel_rpl_ti", B64, { W(SET, host_fs_selector, 0x02) } },
	{ "host_gs_sel_rpl_ti", B64, { W(SET, host_gs_selector, 0x07) } },
	{ "host_tr_sel_rpl_ti", B64, { W(SET, host_tr_selector, 0x43) } },
	{ "host_cs_sel_null", B64, { W(SET, host_cs_selector, 0) } },
	{ "host_tr_sel_null", B64, { W(SET, host_tr_selector, 0) } },
	{ "host_ss_sel_null", BL1_32, { W(SET, host_ss_selector, 0) } },
	{ "host_fs_base", B64, { W(SET, host_fs_base, NONCANON) } },
	{ "host_gs_base", B64, { W(SET, host_gs_base, NONCANON) } },
	{ "host_gdtr_base", B64, { W(SET, host_gdtr_base, NONCANON) } },
	{ "host_idtr_base", B64, { W(SET, host_idtr_base, NONCANON) } },
	{ "host_tr_base", B64, { W(SET, host_tr_base, 0x00fffe0000000000ULL) } },
	{ "l1_legacy_ia32e_guest", BL1_32,
	  { W(OR, vm_entry_controls, NVMX_VE_ENTRY_IA32E) } },
	{ "l1_legacy_host64", BL1_32, {
		W(OR, vm_exit_controls, NVMX_VE_EXIT_HOST_64),
		W(SET, host_ia32_efer, EFER_OK) } },
	{ "l1_ia32e_host64", B64, {
		W(CLR, vm_exit_controls, NVMX_VE_EXIT_HOST_64),
		W(SET, host_ia32_efer, 0) } },
	{ "host32_pcide", BL1_32, { W(OR, host_cr4, 1 << 17) } },
	{ "host32_rip", BL1_32, { W(SET, host_rip, 1ULL << 32) } },
	{ "host64_pae", B64, { W(CLR, host_cr4, 1 << 5) } },
	{ "host64_rip", B64, { W(SET, host_rip, NONCANON) } },

	/* 26.3.1.1 guest control registers, debug registers, MSRs */
	{ "guest_cr0_fixed", B64, { W(CLR, guest_cr0, 0x20) } },
	{ "guest_cr0_fixed", B64, { W(CLR, guest_cr0, 1) } },
	{ "guest_cr0_fixed", BUG, { W(CLR, guest_cr0, 0x20) } },
	{ "guest_cr0_fixed", B64, { W(OR, guest_cr0, 1ULL << 32) } },
	{ "guest_cr4_fixed", B64, { W(CLR, guest_cr4, 0x2000) } },
	{ "guest_cr4_fixed", B64, { W(OR, guest_cr4, 1 << 14) } },
	{ "guest_cr0_pg_needs_pe", BUG, { W(OR, guest_cr0, 1U << 31) } },
	{ "guest_debugctl", B64, { W(SET, guest_ia32_debugctl, 4) } },
	{ "guest_ia32e_pg", B64, {
		W(SET, secondary_vm_exec_control,
		  NVMX_VE_PROC2_UNRESTRICTED | NVMX_VE_PROC2_EPT),
		W(SET, ept_pointer, 0x501e),
		W(CLR, guest_cr0, 1U << 31) } },
	{ "guest_ia32e_pae", B64, { W(CLR, guest_cr4, 1 << 5) } },
	{ "guest_legacy_pcide", B32, { W(OR, guest_cr4, 1 << 17) } },
	{ "guest_cr3", B64, { W(SET, guest_cr3, 1ULL << MAXPHY) } },
	{ "guest_dr7", B64, { W(SET, guest_dr7, 0x100000400ULL) } },
	{ "guest_sysenter_esp", B64,
	  { W(SET, guest_sysenter_esp, NONCANON) } },
	{ "guest_sysenter_eip", B64,
	  { W(SET, guest_sysenter_eip, 0x8000000000000000ULL) } },
	{ "guest_perf_global_ctrl", B64, {
		W(OR, vm_entry_controls, NVMX_VE_ENTRY_LOAD_PERF),
		W(SET, guest_ia32_perf_global_ctrl, 8) } },
	{ "guest_pat", B64,
	  { W(SET, guest_ia32_pat, (PAT_OK & ~0xffULL) | 3) } },
	{ "guest_pat", B64, { W(SET, guest_ia32_pat, PAT_OK | (8ULL << 8)) } },
	{ "guest_efer_rsvd", B64, { W(OR, guest_ia32_efer, 1 << 12) } },
	{ "guest_efer_lma", B64, { W(CLR, guest_ia32_efer, 1 << 10) } },
	{ "guest_efer_lma", B32, { W(SET, guest_ia32_efer, 0x400) } },
	{ "guest_efer_lme", B64, { W(CLR, guest_ia32_efer, 1 << 8) } },
	{ "guest_efer_lme", B32, { W(SET, guest_ia32_efer, 0x100) } },
	{ "guest_bndcfgs", B64, {
		W(OR, vm_entry_controls, NVMX_VE_ENTRY_LOAD_BNDCFGS),
		W(SET, guest_bndcfgs, 0x1004) } },
	{ "guest_bndcfgs", B64, {
		W(OR, vm_entry_controls, NVMX_VE_ENTRY_LOAD_BNDCFGS),
		W(SET, guest_bndcfgs, NONCANON | 1) } },

	/* 26.3.1.2 selectors, bases (segment-generated cases follow) */
	{ "guest_tr_sel_ti", B64, { W(SET, guest_tr_selector, 0x44) } },
	{ "guest_ss_sel_rpl", B64, { W(SET, guest_ss_selector, 0x13) } },
	{ "guest_tr_base", B64, { W(SET, guest_tr_base, NONCANON) } },
	{ "guest_fs_base", B64, { W(SET, guest_fs_base, NONCANON) } },
	{ "guest_gs_base", B64, { W(SET, guest_gs_base, NONCANON) } },
	{ "guest_cs_base_hi", B64, { W(SET, guest_cs_base, 1ULL << 32) } },
	{ "guest_ss_base_hi", B64, { W(SET, guest_ss_base, 1ULL << 32) } },
	{ "guest_ds_base_hi", B64, { W(SET, guest_ds_base, 1ULL << 32) } },
	{ "guest_es_base_hi", B64, { W(SET, guest_es_base, 1ULL << 32) } },
	{ "guest_cs_ar_type", B64, { W(SET, guest_cs_ar_bytes, 0xa093) } },
	{ "guest_cs_ar_type", B64, { W(SET, guest_cs_ar_bytes, 0xa09a) } },
	{ "guest_ss_ar_type", B64, { W(SET, guest_ss_ar_bytes, 0xc09b) } },
	{ "guest_ds_ar_type", B64, { W(SET, guest_ds_ar_bytes, 0xc092) } },
	{ "guest_es_ar_type", B64, { W(SET, guest_es_ar_bytes, 0xc099) } },
	{ "guest_fs_ar_type", B64, { W(SET, guest_fs_ar_bytes, 0xc090) } },
	{ "guest_gs_ar_type", B64, { W(SET, guest_gs_ar_bytes, 0xc09d) } },
	{ "guest_cs_ar_dpl", B64, { W(SET, guest_cs_ar_bytes, 0xa0fb) } },
	{ "guest_cs_ar_dpl", B64, {	/* conforming: DPL <= SS.DPL */
		W(SET, guest_cs_ar_bytes, 0xa0ff),
		W(SET, guest_cs_selector, 0x0b),
		W(SET, guest_ss_selector, 0x13) } },
	{ "guest_cs_ar_dpl", BUG, { W(SET, guest_cs_ar_bytes, 0xf3) } },
	{ "guest_ss_ar_dpl", B64, {
		W(SET, guest_cs_ar_bytes, 0xa09f),	/* conforming CS */
		W(SET, guest_ss_ar_bytes, 0xc0f3) } },
	{ "guest_ss_ar_dpl", BUG, {	/* real mode: SS.DPL 0 */
		W(SET, guest_cs_ar_bytes, 0x9f),
		W(SET, guest_ss_ar_bytes, 0xf3) } },
	{ "guest_ds_ar_dpl", B64, { W(SET, guest_ds_selector, 0x13) } },
	{ "guest_es_ar_dpl", B64, { W(SET, guest_es_selector, 0x13) } },
	{ "guest_fs_ar_dpl", B64, { W(SET, guest_fs_selector, 0x12) } },
	{ "guest_gs_ar_dpl", B64, { W(SET, guest_gs_selector, 0x11) } },
	{ "guest_cs_ar_db", B64, { W(SET, guest_cs_ar_bytes, 0xe09b) } },
	{ "guest_tr_ar_type", B64, { W(SET, guest_tr_ar_bytes, 0x89) } },
	{ "guest_tr_ar_type", B64, { W(SET, guest_tr_ar_bytes, 0x83) } },
	{ "guest_tr_ar_s", B64, { W(SET, guest_tr_ar_bytes, 0x9b) } },
	{ "guest_tr_ar_p", B64, { W(SET, guest_tr_ar_bytes, 0x0b) } },
	{ "guest_tr_ar_rsvd_11_8", B64, { W(SET, guest_tr_ar_bytes, 0x48b) } },
	{ "guest_tr_ar_g", B64, { W(SET, guest_tr_ar_bytes, 0x808b) } },
	{ "guest_tr_ar_g", B64, { W(SET, guest_tr_limit, 0x100067) } },
	{ "guest_tr_usable", B64, { W(SET, guest_tr_ar_bytes, 0x1008b) } },
	{ "guest_tr_ar_rsvd_31_17", B64,
	  { W(SET, guest_tr_ar_bytes, 0x4008b) } },

	/* 26.3.1.3, 26.3.1.4 descriptor tables, RIP, RFLAGS */
	{ "guest_gdtr_base", B64, { W(SET, guest_gdtr_base, NONCANON) } },
	{ "guest_idtr_base", B64, { W(SET, guest_idtr_base, NONCANON) } },
	{ "guest_gdtr_limit", B64, { W(SET, guest_gdtr_limit, 0x10000) } },
	{ "guest_idtr_limit", B64, { W(SET, guest_idtr_limit, 0x20000) } },
	{ "guest_rip_hi", B32, { W(SET, guest_rip, 1ULL << 32) } },
	{ "guest_rip_hi", B64, {	/* compatibility mode */
		W(SET, guest_cs_ar_bytes, 0xc09b),
		W(SET, guest_rip, 1ULL << 32) } },
	{ "guest_rip_sign", B64, { W(SET, guest_rip, 1ULL << 48) } },
	{ "guest_rflags_rsvd", B64, { W(SET, guest_rflags, 0) } },
	{ "guest_rflags_rsvd", B64, { W(SET, guest_rflags, 0xa) } },
	{ "guest_rflags_rsvd", B64, { W(SET, guest_rflags, 0x400002) } },
	{ "guest_rflags_vm", BV86, {
		W(OR, vm_entry_controls, NVMX_VE_ENTRY_IA32E),
		W(OR, guest_cr4, 1 << 5), W(SET, guest_ia32_efer, 0x500) } },
	{ "guest_rflags_if", B64,
	  { W(SET, vm_entry_intr_info_field, INJ(0, 0x30)) } },

	/* 26.3.1.5 non-register state */
	{ "guest_activity_supported", B64,
	  { W(SET, guest_activity_state, NVMX_VE_ACT_HLT) } },
	{ "guest_activity_supported", B64, {
		W(SET, guest_activity_state, 4), ENV(ACT_STATES, 0) } },
	{ "guest_activity_hlt_dpl", B64, {
		W(SET, guest_activity_state, NVMX_VE_ACT_HLT),
		W(SET, guest_ss_ar_bytes, 0xc0f3),
		W(SET, guest_cs_ar_bytes, 0xa09f),
		W(SET, guest_cs_selector, 0x0b),
		W(SET, guest_ss_selector, 0x13), ENV(ACT_STATES, 0) } },
	{ "guest_activity_blocking", B64, {
		W(SET, guest_activity_state, NVMX_VE_ACT_SHUTDOWN),
		W(SET, guest_interruptibility_info, NVMX_VE_BLOCK_MOVSS),
		ENV(ACT_STATES, 0) } },
	{ "guest_activity_event", B64, {
		W(SET, guest_activity_state, NVMX_VE_ACT_HLT),
		W(SET, vm_entry_intr_info_field, INJ(3, 6)),
		ENV(ACT_STATES, 0) } },
	{ "guest_activity_event", B64, {
		W(SET, guest_activity_state, NVMX_VE_ACT_SHUTDOWN),
		W(SET, vm_entry_intr_info_field, INJ(3, 1)),
		ENV(ACT_STATES, 0) } },
	{ "guest_activity_event", B64, {
		W(SET, guest_activity_state, NVMX_VE_ACT_SIPI),
		W(SET, vm_entry_intr_info_field, INJ(2, 2)),
		ENV(ACT_STATES, 0) } },
	{ "guest_intr_rsvd", B64,
	  { W(SET, guest_interruptibility_info, 0x10) } },
	{ "guest_intr_sti_movss", B64, {
		W(SET, guest_rflags, 0x202),
		W(SET, guest_interruptibility_info, 3) } },
	{ "guest_intr_sti_if", B64,
	  { W(SET, guest_interruptibility_info, NVMX_VE_BLOCK_STI) } },
	{ "guest_intr_extint", B64, {
		W(SET, guest_rflags, 0x202),
		W(SET, vm_entry_intr_info_field, INJ(0, 0x30)),
		W(SET, guest_interruptibility_info, NVMX_VE_BLOCK_MOVSS) } },
	{ "guest_intr_nmi_movss", B64, {
		W(SET, vm_entry_intr_info_field, INJ(2, 2)),
		W(SET, guest_interruptibility_info, NVMX_VE_BLOCK_MOVSS) } },
	{ "guest_intr_smi", B64,
	  { W(SET, guest_interruptibility_info, NVMX_VE_BLOCK_SMI) } },
	{ "guest_intr_vnmi", B64, {
		W(OR, pin_based_vm_exec_control,
		  NVMX_VE_PIN_NMI | NVMX_VE_PIN_VNMI),
		W(SET, vm_entry_intr_info_field, INJ(2, 2)),
		W(SET, guest_interruptibility_info, NVMX_VE_BLOCK_NMI) } },
	{ "guest_pending_dbg_rsvd", B64,
	  { W(SET, guest_pending_dbg_exceptions, 0x10) } },
	{ "guest_pending_dbg_rsvd", B64,
	  { W(SET, guest_pending_dbg_exceptions, 1ULL << 17) } },
	{ "guest_pending_dbg_bs_set", B64, {
		W(SET, guest_rflags, 0x302),
		W(SET, guest_interruptibility_info, NVMX_VE_BLOCK_STI) } },
	{ "guest_pending_dbg_bs_set", B64, {
		W(SET, guest_rflags, 0x102),
		W(SET, guest_activity_state, NVMX_VE_ACT_HLT),
		ENV(ACT_STATES, 0) } },
	{ "guest_pending_dbg_bs_clear", B64, {
		W(SET, guest_pending_dbg_exceptions, 1 << 14),
		W(SET, guest_interruptibility_info, NVMX_VE_BLOCK_MOVSS) } },
	{ "guest_pending_dbg_bs_clear", B64, {	/* BTF: branch, not step */
		W(SET, guest_rflags, 0x102), W(SET, guest_ia32_debugctl, 2),
		W(SET, guest_pending_dbg_exceptions, 1 << 14),
		W(SET, guest_interruptibility_info, NVMX_VE_BLOCK_MOVSS) } },
	{ "guest_pending_dbg_rtm", B64,
	  { W(SET, guest_pending_dbg_exceptions, 1 << 16) } },
	{ "guest_pending_dbg_rtm", B64,
	  { W(SET, guest_pending_dbg_exceptions, 0x11001) } },
	{ "guest_link_ptr_none", B64, {
		W(SET, vmcs_link_pointer, 0xf000), ENV(NO_SHADOW, 0),
		ENV(LINK_OK, NVMX_VMCS12_REVISION) } },
	{ "guest_link_ptr_addr", B64, {
		W(SET, vmcs_link_pointer, 0xf008),
		ENV(LINK_OK, NVMX_VMCS12_REVISION) } },
	{ "guest_link_ptr_addr", B64, {
		W(SET, vmcs_link_pointer, 1ULL << MAXPHY),
		ENV(LINK_OK, NVMX_VMCS12_REVISION) } },
	{ "guest_link_ptr_revision", B64,
	  { W(SET, vmcs_link_pointer, 0xf000) } },
	{ "guest_link_ptr_revision", B64, {
		W(SET, vmcs_link_pointer, 0xf000), ENV(LINK_OK, 0x12345) } },
	{ "guest_link_ptr_shadow", B64, {
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_SHADOW_VMCS),
		W(SET, vmread_bitmap, 0xd000), W(SET, vmwrite_bitmap, 0xe000),
		W(SET, vmcs_link_pointer, 0xf000),
		ENV(LINK_OK, NVMX_VMCS12_REVISION) } },
};

/* Cases that must pass everything: the edges just inside each rule. */
static const struct tcase passing[] = {
	{ NULL, B64, { W(SET, tpr_threshold, 2), ENV(VTPR, 0x20) } },
	{ NULL, B64, {	/* virtual-interrupt delivery lifts both TPR rules */
		W(OR, pin_based_vm_exec_control, NVMX_VE_PIN_EXTINT),
		W(SET, secondary_vm_exec_control, NVMX_VE_PROC2_VID),
		W(SET, tpr_threshold, 0xff) } },
	{ NULL, B64, { W(SET, vm_exit_msr_store_count, 1),
		       W(SET, vm_exit_msr_store_addr, (1ULL << MAXPHY) - 16) } },
	/* a list longer than MISC allows is the MSR loader's failure */
	{ NULL, B64, { W(SET, vm_entry_msr_load_count, 1000),
		       W(SET, vm_exit_msr_load_count, 600),
		       W(SET, vm_exit_msr_store_count, 513) } },
	{ NULL, B64, { W(SET, vm_entry_intr_info_field, INJ(4, 0x80)),
		       W(SET, vm_entry_instruction_len, 0),
		       ENV(ZERO_LEN, 0) } },
	{ NULL, B64, { W(SET, vm_entry_intr_info_field,
			 INJ(3, 14) | NVMX_VE_INTR_ERRCODE),
		       W(SET, vm_entry_exception_error_code, 0xffff) } },
	{ NULL, BUG, { W(SET, vm_entry_intr_info_field, INJ(3, 13)) } },
	{ NULL, B64, { W(SET, vm_entry_intr_info_field, INJ(7, 0)) } },
	{ NULL, B64, { W(SET, guest_rip, 0x0000800000000000ULL) } },
	{ NULL, B64, { W(SET, guest_rip, 0xffff000000000000ULL) } },
	{ NULL, B64, { W(SET, guest_activity_state, NVMX_VE_ACT_HLT),
		       W(SET, vm_entry_intr_info_field, INJ(3, 18)),
		       ENV(ACT_STATES, 0) } },
	{ NULL, B64, { W(SET, guest_rflags, 0x302),
		       W(SET, guest_interruptibility_info, NVMX_VE_BLOCK_STI),
		       W(SET, guest_pending_dbg_exceptions, 1 << 14) } },
	{ NULL, B64, { W(SET, guest_pending_dbg_exceptions, 0x11000) } },
	{ NULL, B64, { W(SET, vmcs_link_pointer, 0xf000),
		       ENV(LINK_OK, NVMX_VMCS12_REVISION) } },
	{ NULL, B64, { W(SET, secondary_vm_exec_control,
			 NVMX_VE_PROC2_SHADOW_VMCS),
		       W(SET, vmread_bitmap, 0xd000),
		       W(SET, vmwrite_bitmap, 0xe000),
		       W(SET, vmcs_link_pointer, 0xf000),
		       ENV(LINK_OK, NVMX_VMCS12_REVISION | 0x80000000U) } },
	{ NULL, B64, { W(SET, guest_ss_ar_bytes, NVMX_VE_AR_UNUSABLE),
		       W(SET, guest_ss_selector, 0),
		       W(SET, guest_ds_ar_bytes, NVMX_VE_AR_UNUSABLE | 0xf00),
		       W(SET, guest_ds_base, 1ULL << 40) } },
	{ NULL, B32, { W(SET, guest_tr_ar_bytes, 0x83) } },
	{ NULL, B64, { W(SET, host_ss_selector, 0) } },	/* 64-bit host */
};

/* Cases generated per segment register: the v86 forms and LDTR. */
#define MAXGEN	64
static struct tcase gen[MAXGEN];
static char gen_names[MAXGEN][40];
static unsigned int ngen;

static void add_gen(const char *reg, const char *sfx, enum base b,
		    const struct write *w)
{
	struct tcase *c = &gen[ngen];
	unsigned int i;

	snprintf(gen_names[ngen], sizeof(gen_names[0]), "guest_%s_%s", reg, sfx);
	c->row = gen_names[ngen];
	c->base = b;
	for (i = 0; w[i].op != END; i++)
		c->w[i] = w[i];
	c->w[i].op = END;
	ngen++;
}

static void build_gen(void)
{
	static const struct {
		const char *name;
		unsigned int sel, base, limit, ar;
	} s[] = {
#define R(r) { #r, NVMX_V12_guest_##r##_selector, NVMX_V12_guest_##r##_base, \
	       NVMX_V12_guest_##r##_limit, NVMX_V12_guest_##r##_ar_bytes }
		R(cs), R(ss), R(ds), R(es), R(fs), R(gs),
#undef R
	};
	/* a usable LDT, then one thing broken in it */
	struct write ldt[MAXW] = {
		W(SET, guest_ldtr_selector, 0x50), W(SET, guest_ldtr_base, 0x9000),
		W(SET, guest_ldtr_limit, 0x67), W(SET, guest_ldtr_ar_bytes, 0x82),
	};
	static const struct {
		const char *sfx;
		struct write w;
	} ldt_breaks[] = {
		{ "sel_ti", W(SET, guest_ldtr_selector, 0x54) },
		{ "base", W(SET, guest_ldtr_base, NONCANON) },
		{ "ar_type", W(SET, guest_ldtr_ar_bytes, 0x83) },
		{ "ar_s", W(SET, guest_ldtr_ar_bytes, 0x92) },
		{ "ar_p", W(SET, guest_ldtr_ar_bytes, 0x02) },
		{ "ar_rsvd_11_8", W(SET, guest_ldtr_ar_bytes, 0x882) },
		{ "ar_g", W(SET, guest_ldtr_ar_bytes, 0x8082) },
		{ "ar_rsvd_31_17", W(SET, guest_ldtr_ar_bytes, 0x80082) },
	};
	unsigned int i;

	ngen = 0;
	for (i = 0; i < ARRAY_SIZE(s); i++) {
		struct write w[2] = { { 0 } };

		w[0] = (struct write){ OP_SET, s[i].base, 0x10010 };
		add_gen(s[i].name, "base_v86", BV86, w);
		w[0] = (struct write){ OP_SET, s[i].limit, 0xfffff };
		add_gen(s[i].name, "limit_v86", BV86, w);
		w[0] = (struct write){ OP_SET, s[i].ar, 0xf1 };
		add_gen(s[i].name, "ar_v86", BV86, w);
		/* protected-mode forms, on the 64-bit base */
		w[0] = (struct write){ OP_CLR, s[i].ar, NVMX_VE_AR_S };
		add_gen(s[i].name, "ar_s", B64, w);
		w[0] = (struct write){ OP_CLR, s[i].ar, NVMX_VE_AR_P };
		add_gen(s[i].name, "ar_p", B64, w);
		w[0] = (struct write){ OP_OR, s[i].ar, 0x200 };
		add_gen(s[i].name, "ar_rsvd_11_8", B64, w);
		w[0] = (struct write){ OP_CLR, s[i].ar, NVMX_VE_AR_G };
		add_gen(s[i].name, "ar_g", B64, w);
		w[0] = (struct write){ OP_OR, s[i].ar, 1 << 20 };
		add_gen(s[i].name, "ar_rsvd_31_17", B64, w);
	}
	for (i = 0; i < ARRAY_SIZE(ldt_breaks); i++) {
		ldt[4] = ldt_breaks[i].w;
		add_gen("ldtr", ldt_breaks[i].sfx, B64, ldt);
	}
}

/* Which table a row belongs to, so the case knows the number to expect. */
static int table_of(const char *row, u32 *err, u64 *qual)
{
	static const struct {
		const struct nvmx_entry_row *rows;
		const unsigned int *nr;
		u32 err;
	} t[] = {
		{ nvmx_entry_ctl_rows, &nvmx_entry_ctl_nr, NVMX_VE_ERR_CONTROLS },
		{ nvmx_entry_host_rows, &nvmx_entry_host_nr, NVMX_VE_ERR_HOST },
		{ nvmx_entry_guest_rows, &nvmx_entry_guest_nr,
		  NVMX_VE_EXIT_INVALID_STATE },
	};
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		for (j = 0; j < *t[i].nr; j++) {
			if (!strcmp(t[i].rows[j].name, row)) {
				*err = t[i].err;
				*qual = t[i].rows[j].qual;
				return 0;
			}
		}
	}
	return -1;
}

static const char *str(const char *s)
{
	return s ? s : "(none)";
}

static int run_case(struct __test_metadata *_metadata, const struct tcase *c)
{
	struct fixture f;
	struct outcome o;
	u32 err = 0;
	u64 qual = 0;

	make_base(&f, c->base);
	apply(&f, c->w);
	o = run_checks(&f);
	if (c->row && table_of(c->row, &err, &qual)) {
		TH_LOG("case names no row: %s", c->row);
		return 0;
	}
	if (o.err != err || o.qual != qual ||
	    strcmp(str(o.row), str(c->row))) {
		TH_LOG("expected %s (%u, qual %llu), got %s (%u, qual %llu)",
		       str(c->row), err, (unsigned long long)qual, str(o.row),
		       o.err, (unsigned long long)o.qual);
		return 0;
	}
	return 1;
}

TEST(valid_bases_pass)
{
	static const char * const names[] = {
		"64-bit", "32-bit", "virtual-8086", "unrestricted real mode",
		"32-bit L1",
	};
	unsigned int b;

	for (b = 0; b < NR_BASES; b++) {
		struct fixture f;
		struct outcome o;

		make_base(&f, b);
		o = run_checks(&f);
		EXPECT_EQ(0, o.err) TH_LOG("%s base failed at %s", names[b],
					   str(o.row));
		EXPECT_EQ(NULL, o.row);
		EXPECT_EQ(0, o.qual);
	}
}

TEST(each_case_fails_at_its_row)
{
	unsigned int i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (!run_case(_metadata, &cases[i])) {
			TH_LOG("case %u (%s)", i, cases[i].row);
			bad++;
		}
	build_gen();
	for (i = 0; i < ngen; i++)
		if (!run_case(_metadata, &gen[i])) {
			TH_LOG("generated case %u (%s)", i, gen[i].row);
			bad++;
		}
	EXPECT_EQ(0, bad);
}

TEST(edges_inside_the_rules_pass)
{
	unsigned int i, bad = 0;

	for (i = 0; i < ARRAY_SIZE(passing); i++)
		if (!run_case(_metadata, &passing[i])) {
			TH_LOG("passing case %u", i);
			bad++;
		}
	EXPECT_EQ(0, bad);
}

static bool has_case(const char *row)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (!strcmp(cases[i].row, row))
			return true;
	for (i = 0; i < ngen; i++)
		if (!strcmp(gen[i].row, row))
			return true;
	return false;
}

/* No row without a case that makes it, and only it, fail. */
TEST(every_row_has_a_case)
{
	const struct nvmx_entry_row *t[] = {
		nvmx_entry_ctl_rows, nvmx_entry_host_rows, nvmx_entry_guest_rows
	};
	const unsigned int nr[] = {
		nvmx_entry_ctl_nr, nvmx_entry_host_nr, nvmx_entry_guest_nr
	};
	unsigned int i, j, missing = 0;

	build_gen();
	for (i = 0; i < ARRAY_SIZE(t); i++) {
		for (j = 0; j < nr[i]; j++) {
			if (!has_case(t[i][j].name)) {
				TH_LOG("no case for row %s", t[i][j].name);
				missing++;
			}
		}
	}
	EXPECT_EQ(0, missing);
}

/* Row names are unique: a failure names one rule. */
TEST(row_names_are_unique)
{
	const struct nvmx_entry_row *t[] = {
		nvmx_entry_ctl_rows, nvmx_entry_host_rows, nvmx_entry_guest_rows
	};
	const unsigned int nr[] = {
		nvmx_entry_ctl_nr, nvmx_entry_host_nr, nvmx_entry_guest_nr
	};
	unsigned int a, i, b, j, dup = 0;

	for (a = 0; a < 3; a++)
		for (i = 0; i < nr[a]; i++)
			for (b = 0; b < 3; b++)
				for (j = 0; j < nr[b]; j++)
					if ((a != b || i != j) &&
					    !strcmp(t[a][i].name, t[b][j].name))
						dup++;
	EXPECT_EQ(0, dup);
}

/* Two broken fields: the earlier table, then the earlier row, is reported. */
TEST(first_failure_wins)
{
	struct fixture f;
	struct outcome o;

	make_base(&f, B64);
	f.v.host_cr3 = 1ULL << MAXPHY;		/* host row */
	f.v.guest_rflags = 0;			/* guest row */
	f.v.cr3_target_count = 9;		/* control row */
	o = run_checks(&f);
	EXPECT_EQ(NVMX_VE_ERR_CONTROLS, o.err);
	EXPECT_STREQ("cr3_target_count", str(o.row));
	f.v.cr3_target_count = 0;
	o = run_checks(&f);
	EXPECT_EQ(NVMX_VE_ERR_HOST, o.err);
	EXPECT_STREQ("host_cr3", str(o.row));
	f.v.host_cr3 = 0;
	f.v.guest_cr3 = 1ULL << MAXPHY;		/* before RFLAGS in the table */
	o = run_checks(&f);
	EXPECT_EQ(NVMX_VE_EXIT_INVALID_STATE, o.err);
	EXPECT_STREQ("guest_cr3", str(o.row));
}

TEST(link_pointer_failures_have_qualification_4)
{
	struct fixture f;
	const char *row;
	u64 qual = 99;

	make_base(&f, B64);
	f.v.vmcs_link_pointer = 0x1234;
	EXPECT_EQ(NVMX_VE_EXIT_INVALID_STATE,
		  nvmx_entry_check_guest(&f.v, &f.env, &qual, &row));
	EXPECT_EQ(NVMX_VE_QUAL_LINK_PTR, qual);
	/* the other guest rows give the default qualification */
	make_base(&f, B64);
	f.v.guest_rflags = 0;
	qual = 99;
	EXPECT_EQ(NVMX_VE_EXIT_INVALID_STATE,
		  nvmx_entry_check_guest(&f.v, &f.env, &qual, &row));
	EXPECT_EQ(NVMX_VE_QUAL_DEFAULT, qual);
}

TEST(pdptes)
{
	struct fixture f;
	const char *row;
	/* PDPTE3 is not present: its other bits do not matter */
	u64 p[4] = { 0x1001, 0, 0x3001, 0xfffffff000ULL };
	u64 qual = 99;

	make_base(&f, B32);
	EXPECT_FALSE(nvmx_entry_uses_pdptes(&f.v));	/* 32-bit paging */
	f.v.guest_cr4 |= 0x20;
	EXPECT_TRUE(nvmx_entry_uses_pdptes(&f.v));
	make_base(&f, B64);
	EXPECT_FALSE(nvmx_entry_uses_pdptes(&f.v));	/* IA-32e: PML4 */
	make_base(&f, BUG);
	EXPECT_FALSE(nvmx_entry_uses_pdptes(&f.v));	/* no paging */

	EXPECT_EQ(0, nvmx_entry_check_pdptes(p, &f.env, &qual, &row));
	EXPECT_EQ(NULL, row);
	EXPECT_EQ(0, qual);
	p[3] = 0x7ffffff001ULL;	/* present, address bits 38:12 */
	EXPECT_EQ(0, nvmx_entry_check_pdptes(p, &f.env, &qual, &row));
	p[3] = (1ULL << MAXPHY) | 1;
	EXPECT_EQ(NVMX_VE_EXIT_INVALID_STATE,
		  nvmx_entry_check_pdptes(p, &f.env, &qual, &row));
	EXPECT_STREQ("guest_pdpte3", str(row));
	EXPECT_EQ(NVMX_VE_QUAL_PDPTE, qual);
	p[3] = 0;
	p[1] = 0x2003;		/* bit 1 reserved */
	EXPECT_EQ(NVMX_VE_EXIT_INVALID_STATE,
		  nvmx_entry_check_pdptes(p, &f.env, &qual, &row));
	EXPECT_STREQ("guest_pdpte1", str(row));
	p[1] = 0x2021;		/* bit 5 reserved */
	EXPECT_EQ(NVMX_VE_EXIT_INVALID_STATE,
		  nvmx_entry_check_pdptes(p, &f.env, &qual, &row));
	p[1] = 0x2119;		/* PWT, PCD, bit 8 reserved */
	EXPECT_EQ(NVMX_VE_EXIT_INVALID_STATE,
		  nvmx_entry_check_pdptes(p, &f.env, &qual, &row));
	p[1] = 0x2e19;		/* PWT, PCD, bits 11:9 ignored */
	EXPECT_EQ(0, nvmx_entry_check_pdptes(p, &f.env, &qual, &row));
}

typedef u32 (*msr_fn)(u32 index, u32 reserved, const char **failed);

TEST(msr_area_entries)
{
	static const struct {
		u32 index;
		const char *load, *store;	/* expected rule, NULL = ok */
	} t[] = {
		{ 0x10, NULL, NULL },			/* TSC */
		{ 0x174, NULL, NULL },			/* SYSENTER_CS */
		{ 0xc0000080, NULL, NULL },		/* EFER */
		{ 0xc0000102, NULL, NULL },		/* KERNEL_GS_BASE */
		{ 0xc0000100, "msr_fs_gs_base", NULL },
		{ 0xc0000101, "msr_fs_gs_base", NULL },
		{ 0x7ff, NULL, NULL },
		{ 0x800, "msr_x2apic", "msr_x2apic" },
		{ 0x808, "msr_x2apic", "msr_x2apic" },
		{ 0x8ff, "msr_x2apic", "msr_x2apic" },
		{ 0x900, NULL, NULL },
		{ 0x9b, "msr_smm_monitor_ctl", NULL },
		{ 0x9e, NULL, "msr_smbase" },
		{ 0x79, "msr_ucode_update", "msr_ucode_update" },
		{ 0x8b, "msr_ucode_rev", "msr_ucode_rev" },
	};
	unsigned int i;
	const char *row;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		EXPECT_EQ(!!t[i].load,
			  nvmx_entry_msr_load_check(t[i].index, 0, &row));
		EXPECT_STREQ(str(t[i].load), str(row))
			TH_LOG("entry load of %#x", t[i].index);
		EXPECT_EQ(!!t[i].load,
			  nvmx_exit_msr_load_check(t[i].index, 0, &row));
		EXPECT_STREQ(str(t[i].load), str(row));
		EXPECT_EQ(!!t[i].store,
			  nvmx_exit_msr_store_check(t[i].index, 0, &row));
		EXPECT_STREQ(str(t[i].store), str(row))
			TH_LOG("exit store of %#x", t[i].index);
	}
	/* bits 63:32 of an entry are reserved in every area */
	EXPECT_EQ(1, nvmx_entry_msr_load_check(0x10, 1, &row));
	EXPECT_STREQ("msr_reserved", str(row));
	EXPECT_EQ(1, nvmx_exit_msr_store_check(0x10, 0x80000000, &row));
	EXPECT_STREQ("msr_reserved", str(row));
	EXPECT_EQ(1, nvmx_exit_msr_load_check(0x10, 2, &row));
	EXPECT_STREQ("msr_reserved", str(row));
}

TEST(msr_area_max)
{
	struct nvmx_vmx_caps c = test_caps();

	EXPECT_EQ(512, nvmx_entry_msr_area_max(&c));
	c.misc |= 3ULL << NVMX_VE_MISC_MSR_LIST_SHIFT;
	EXPECT_EQ(2048, nvmx_entry_msr_area_max(&c));
	c.misc |= 7ULL << NVMX_VE_MISC_MSR_LIST_SHIFT;
	EXPECT_EQ(4096, nvmx_entry_msr_area_max(&c));
}

/* The struct and the field table agree on every offset. */
TEST(field_offsets_match_the_struct)
{
	static const size_t real[] = {
#define NVMX_VMCS12_FIELD(name, enc, width, where, acc, cls, freq, sh) \
	offsetof(struct nvmx_vmcs12, name),
#include "nested/vmcs12_fields.h"
#undef NVMX_VMCS12_FIELD
	};
	unsigned int i;

	for (i = 0; i < NVMX_V12_NR; i++)
		EXPECT_EQ(real[i], fld[i].off);
}

TEST_HARNESS_MAIN
