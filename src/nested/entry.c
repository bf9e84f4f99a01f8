// SPDX-License-Identifier: GPL-2.0
/*
 * VM-entry checks on a vmcs12 (SDM vol. 3, "VM Entries"): one row per rule,
 * in the SDM's order, each with the name a failure reports. Pure logic: no
 * Linux calls, so selftests/unit builds this file as it is.
 */
#include "nested/entry.h"

#define CR0_PE		BIT_ULL(0)
#define CR0_PG		BIT_ULL(31)
#define CR4_PAE		BIT_ULL(5)
#define CR4_PCIDE	BIT_ULL(17)
#define EFER_LME	BIT_ULL(8)
#define EFER_LMA	BIT_ULL(10)
#define RFLAGS_FIXED1	BIT_ULL(1)
#define RFLAGS_TF	BIT_ULL(8)
#define RFLAGS_IF	BIT_ULL(9)
#define RFLAGS_VM	BIT_ULL(17)
/* Reserved RFLAGS bits that must be 0: 63:22, 15, 5 and 3. */
#define RFLAGS_RSVD	((~0ULL << 22) | BIT_ULL(15) | BIT_ULL(5) | BIT_ULL(3))
#define DEBUGCTL_BTF	BIT_ULL(1)
#define PENDING_DBG_BS	BIT_ULL(14)
/* Pending debug exceptions: 11:4, 13, 15 and 63:17 are reserved. */
#define PENDING_DBG_RSVD (0xff0ULL | BIT_ULL(13) | BIT_ULL(15) | (~0ULL << 17))
#define SEL_RPL		3U
#define SEL_TI		4U
#define VMCS_SHADOW_BIT	NVMX_VE_BIT(31)

/* EPTP and IA32_VMX_EPT_VPID_CAP bits used by the EPTP row. */
#define EPTP_MT		7ULL
#define EPTP_WALK_SHIFT	3
#define EPTP_AD		BIT_ULL(6)
#define EPTP_RSVD_LOW	(0x1fULL << 7)
#define EPT_CAP_WALK4	BIT_ULL(6)
#define EPT_CAP_WALK5	BIT_ULL(7)
#define EPT_CAP_UC	BIT_ULL(8)
#define EPT_CAP_WB	BIT_ULL(14)
#define EPT_CAP_AD	BIT_ULL(21)
#define VMFUNC_EPTP_SWITCH BIT_ULL(0)

/* Segment registers in the order the SDM lists their checks. */
enum { S_CS, S_SS, S_DS, S_ES, S_FS, S_GS, S_TR, S_LDTR };

struct seg {
	u16 sel;
	u32 limit;
	u32 ar;
	u64 base;
};

static struct seg seg_of(const struct nvmx_vmcs12 *v, unsigned int s)
{
	switch (s) {
	case S_CS:
		return (struct seg){ v->guest_cs_selector, v->guest_cs_limit,
				     v->guest_cs_ar_bytes, v->guest_cs_base };
	case S_SS:
		return (struct seg){ v->guest_ss_selector, v->guest_ss_limit,
				     v->guest_ss_ar_bytes, v->guest_ss_base };
	case S_DS:
		return (struct seg){ v->guest_ds_selector, v->guest_ds_limit,
				     v->guest_ds_ar_bytes, v->guest_ds_base };
	case S_ES:
		return (struct seg){ v->guest_es_selector, v->guest_es_limit,
				     v->guest_es_ar_bytes, v->guest_es_base };
	case S_FS:
		return (struct seg){ v->guest_fs_selector, v->guest_fs_limit,
				     v->guest_fs_ar_bytes, v->guest_fs_base };
	case S_GS:
		return (struct seg){ v->guest_gs_selector, v->guest_gs_limit,
				     v->guest_gs_ar_bytes, v->guest_gs_base };
	case S_TR:
		return (struct seg){ v->guest_tr_selector, v->guest_tr_limit,
				     v->guest_tr_ar_bytes, v->guest_tr_base };
	default:
		return (struct seg){ v->guest_ldtr_selector, v->guest_ldtr_limit,
				     v->guest_ldtr_ar_bytes, v->guest_ldtr_base };
	}
}

static u16 host_sel(const struct nvmx_vmcs12 *v, unsigned int s)
{
	static const u16 off[] = {
		[S_CS] = offsetof(struct nvmx_vmcs12, host_cs_selector),
		[S_SS] = offsetof(struct nvmx_vmcs12, host_ss_selector),
		[S_DS] = offsetof(struct nvmx_vmcs12, host_ds_selector),
		[S_ES] = offsetof(struct nvmx_vmcs12, host_es_selector),
		[S_FS] = offsetof(struct nvmx_vmcs12, host_fs_selector),
		[S_GS] = offsetof(struct nvmx_vmcs12, host_gs_selector),
		[S_TR] = offsetof(struct nvmx_vmcs12, host_tr_selector),
	};

	return *(const u16 *)((const u8 *)v + off[s]);
}

/* ---- helpers ---------------------------------------------------------- */

static bool ctl_ok(u32 val, u64 cap)
{
	return (val & (u32)cap) == (u32)cap && !(val & ~(u32)(cap >> 32));
}

static bool pa_ok(u64 pa, const struct nvmx_entry_env *e)
{
	return e->maxphyaddr >= 64 || !(pa >> e->maxphyaddr);
}

static bool page_ok(u64 pa, const struct nvmx_entry_env *e)
{
	return !(pa & 0xfff) && pa_ok(pa, e);
}

/* Bits 63:n all equal (n = 48 for "canonical" at 48 bits: bits 63:47). */
static bool sign_bits_ok(u64 la, unsigned int n)
{
	u64 top = la >> n;

	return !top || top == ~0ULL >> n;
}

static unsigned int va_bits(const struct nvmx_entry_env *e)
{
	return e->va_bits == 57 ? 57 : 48;
}

static bool canonical(u64 la, const struct nvmx_entry_env *e)
{
	return sign_bits_ok(la, va_bits(e) - 1);
}

static bool pat_ok(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 t = (u8)(pat >> (8 * i));

		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static u32 proc2(const struct nvmx_vmcs12 *v)
{
	if (!(v->cpu_based_vm_exec_control & NVMX_VE_PROC_SECONDARY))
		return 0;
	return v->secondary_vm_exec_control;
}

static bool ug(const struct nvmx_vmcs12 *v)
{
	return proc2(v) & NVMX_VE_PROC2_UNRESTRICTED;
}

static bool ia32e_guest(const struct nvmx_vmcs12 *v)
{
	return v->vm_entry_controls & NVMX_VE_ENTRY_IA32E;
}

static bool host64(const struct nvmx_vmcs12 *v)
{
	return v->vm_exit_controls & NVMX_VE_EXIT_HOST_64;
}

static bool v86(const struct nvmx_vmcs12 *v)
{
	return v->guest_rflags & RFLAGS_VM;
}

static bool event_valid(const struct nvmx_vmcs12 *v)
{
	return v->vm_entry_intr_info_field & NVMX_VE_INTR_VALID;
}

static unsigned int ev_type(const struct nvmx_vmcs12 *v)
{
	return (v->vm_entry_intr_info_field & NVMX_VE_INTR_TYPE) >>
	       NVMX_VE_INTR_TYPE_SHIFT;
}

static unsigned int ev_vector(const struct nvmx_vmcs12 *v)
{
	return v->vm_entry_intr_info_field & NVMX_VE_INTR_VECTOR;
}

static bool injecting(const struct nvmx_vmcs12 *v, unsigned int type)
{
	return event_valid(v) && ev_type(v) == type;
}

/* An MSR area named by count and address: 16-byte aligned, all below MAXPHYADDR. */
static bool msr_area_ok(u64 addr, u32 count, const struct nvmx_entry_env *e)
{
	if (!count)
		return true;
	if ((addr & 0xf) || !pa_ok(addr, e))
		return false;
	return pa_ok(addr + (u64)count * 16 - 1, e);
}

u32 nvmx_entry_msr_area_max(const struct nvmx_vmx_caps *caps)
{
	return 512U * ((u32)((caps->misc >> NVMX_VE_MISC_MSR_LIST_SHIFT) & 7) + 1);
}

#define CHECK(fn) \
	static bool fn(const struct nvmx_vmcs12 *v, \
		       const struct nvmx_entry_env *e, unsigned int arg)

/* ---- 26.2.1.1 VM-execution control fields ----------------------------- */

CHECK(pin_ctls)
{
	return ctl_ok(v->pin_based_vm_exec_control, e->caps->pinbased);
}

CHECK(proc_ctls)
{
	return ctl_ok(v->cpu_based_vm_exec_control, e->caps->procbased);
}

CHECK(proc2_ctls)
{
	return !(v->cpu_based_vm_exec_control & NVMX_VE_PROC_SECONDARY) ||
	       ctl_ok(v->secondary_vm_exec_control, e->caps->procbased2);
}

CHECK(cr3_target_count)
{
	/* L1's MISC[24:16] says how many CR3-target values it has. */
	return v->cr3_target_count <=
	       ((e->caps->misc >> NVMX_VE_MISC_CR3_TARGETS_SHIFT) & 0x1ff);
}

CHECK(io_bitmap_a)
{
	return !(v->cpu_based_vm_exec_control & NVMX_VE_PROC_IO_BITMAPS) ||
	       page_ok(v->io_bitmap_a, e);
}

CHECK(io_bitmap_b)
{
	return !(v->cpu_based_vm_exec_control & NVMX_VE_PROC_IO_BITMAPS) ||
	       page_ok(v->io_bitmap_b, e);
}

CHECK(msr_bitmap)
{
	return !(v->cpu_based_vm_exec_control & NVMX_VE_PROC_MSR_BITMAPS) ||
	       page_ok(v->msr_bitmap, e);
}

static bool tpr_shadow(const struct nvmx_vmcs12 *v)
{
	return v->cpu_based_vm_exec_control & NVMX_VE_PROC_TPR_SHADOW;
}

CHECK(virtual_apic_addr)
{
	return !tpr_shadow(v) || page_ok(v->virtual_apic_page_addr, e);
}

CHECK(tpr_threshold_rsvd)
{
	return !tpr_shadow(v) || (proc2(v) & NVMX_VE_PROC2_VID) ||
	       !(v->tpr_threshold >> 4);
}

CHECK(tpr_threshold_vtpr)
{
	if (!tpr_shadow(v) ||
	    (proc2(v) & (NVMX_VE_PROC2_APIC_ACCESS | NVMX_VE_PROC2_VID)))
		return true;
	return (v->tpr_threshold & 0xf) <= (u32)(e->vtpr >> 4);
}

CHECK(apicv_needs_tpr_shadow)
{
	return tpr_shadow(v) ||
	       !(proc2(v) & (NVMX_VE_PROC2_X2APIC | NVMX_VE_PROC2_APIC_REG |
			     NVMX_VE_PROC2_VID));
}

CHECK(vnmi_needs_nmi_exiting)
{
	return (v->pin_based_vm_exec_control & NVMX_VE_PIN_NMI) ||
	       !(v->pin_based_vm_exec_control & NVMX_VE_PIN_VNMI);
}

CHECK(nmi_window_needs_vnmi)
{
	return (v->pin_based_vm_exec_control & NVMX_VE_PIN_VNMI) ||
	       !(v->cpu_based_vm_exec_control & NVMX_VE_PROC_NMI_WINDOW);
}

CHECK(apic_access_addr)
{
	return !(proc2(v) & NVMX_VE_PROC2_APIC_ACCESS) ||
	       page_ok(v->apic_access_addr, e);
}

CHECK(x2apic_vs_apic_access)
{
	return (proc2(v) & (NVMX_VE_PROC2_X2APIC | NVMX_VE_PROC2_APIC_ACCESS)) !=
	       (NVMX_VE_PROC2_X2APIC | NVMX_VE_PROC2_APIC_ACCESS);
}

CHECK(vid_needs_extint_exiting)
{
	return !(proc2(v) & NVMX_VE_PROC2_VID) ||
	       (v->pin_based_vm_exec_control & NVMX_VE_PIN_EXTINT);
}

static bool posted(const struct nvmx_vmcs12 *v)
{
	return v->pin_based_vm_exec_control & NVMX_VE_PIN_POSTED;
}

CHECK(posted_intr_needs_vid)
{
	return !posted(v) || (proc2(v) & NVMX_VE_PROC2_VID);
}

CHECK(posted_intr_needs_ack)
{
	return !posted(v) || (v->vm_exit_controls & NVMX_VE_EXIT_ACK_INTR);
}

CHECK(posted_intr_vector)
{
	return !posted(v) || !(v->posted_intr_nv & 0xff00);
}

CHECK(posted_intr_desc)
{
	return !posted(v) || (!(v->posted_intr_desc_addr & 0x3f) &&
			      pa_ok(v->posted_intr_desc_addr, e));
}

CHECK(vpid_nonzero)
{
	return !(proc2(v) & NVMX_VE_PROC2_VPID) || v->virtual_processor_id;
}

static bool eptp_ok(u64 eptp, const struct nvmx_entry_env *e)
{
	u64 cap = e->caps->ept_vpid;
	u64 walk = (eptp >> EPTP_WALK_SHIFT) & 7;

	if (!((eptp & EPTP_MT) == 0 && (cap & EPT_CAP_UC)) &&
	    !((eptp & EPTP_MT) == 6 && (cap & EPT_CAP_WB)))
		return false;
	if (!(walk == 3 && (cap & EPT_CAP_WALK4)) &&
	    !(walk == 4 && (cap & EPT_CAP_WALK5)))
		return false;
	if ((eptp & EPTP_AD) && !(cap & EPT_CAP_AD))
		return false;
	return !(eptp & EPTP_RSVD_LOW) && pa_ok(eptp, e);
}

static bool ept(const struct nvmx_vmcs12 *v)
{
	return proc2(v) & NVMX_VE_PROC2_EPT;
}

CHECK(eptp_valid)
{
	return !ept(v) || eptp_ok(v->ept_pointer, e);
}

CHECK(pml_needs_ept)
{
	return !(proc2(v) & NVMX_VE_PROC2_PML) || ept(v);
}

CHECK(pml_address)
{
	return !(proc2(v) & NVMX_VE_PROC2_PML) || page_ok(v->pml_address, e);
}

CHECK(unrestricted_needs_ept)
{
	return !ug(v) || ept(v);
}

CHECK(mbec_needs_ept)
{
	return !(proc2(v) & NVMX_VE_PROC2_MBEC) || ept(v);
}

static bool vmfunc(const struct nvmx_vmcs12 *v)
{
	return proc2(v) & NVMX_VE_PROC2_VMFUNC;
}

CHECK(vmfunc_ctls)
{
	return !vmfunc(v) || !(v->vm_function_control & ~e->caps->vmfunc);
}

CHECK(eptp_list_needs_ept)
{
	return !vmfunc(v) || !(v->vm_function_control & VMFUNC_EPTP_SWITCH) ||
	       ept(v);
}

CHECK(eptp_list_address)
{
	return !vmfunc(v) || !(v->vm_function_control & VMFUNC_EPTP_SWITCH) ||
	       page_ok(v->eptp_list_address, e);
}

CHECK(vmread_bitmap)
{
	return !(proc2(v) & NVMX_VE_PROC2_SHADOW_VMCS) ||
	       page_ok(v->vmread_bitmap, e);
}

CHECK(vmwrite_bitmap)
{
	return !(proc2(v) & NVMX_VE_PROC2_SHADOW_VMCS) ||
	       page_ok(v->vmwrite_bitmap, e);
}

/* ---- 26.2.1.2 VM-exit control fields ---------------------------------- */

CHECK(exit_ctls)
{
	return ctl_ok(v->vm_exit_controls, e->caps->exit);
}

CHECK(save_preempt_needs_preempt)
{
	return (v->pin_based_vm_exec_control & NVMX_VE_PIN_PREEMPT) ||
	       !(v->vm_exit_controls & NVMX_VE_EXIT_SAVE_PREEMPT);
}

CHECK(exit_msr_store_area)
{
	return msr_area_ok(v->vm_exit_msr_store_addr,
			   v->vm_exit_msr_store_count, e);
}

CHECK(exit_msr_load_area)
{
	return msr_area_ok(v->vm_exit_msr_load_addr,
			   v->vm_exit_msr_load_count, e);
}

/* ---- 26.2.1.3 VM-entry control fields --------------------------------- */

CHECK(entry_ctls)
{
	return ctl_ok(v->vm_entry_controls, e->caps->entry);
}

CHECK(event_type)
{
	unsigned int t = ev_type(v);

	if (!event_valid(v))
		return true;
	/* Type 7 (other event: pending MTF) needs the MTF control. */
	return t != NVMX_VE_INTR_RSVD &&
	       (t != NVMX_VE_INTR_OTHER ||
		(e->caps->procbased & ((u64)NVMX_VE_PROC_MTF << 32)));
}

CHECK(event_vector)
{
	switch (event_valid(v) ? ev_type(v) : NVMX_VE_INTR_EXT) {
	case NVMX_VE_INTR_NMI:
		return ev_vector(v) == 2;
	case NVMX_VE_INTR_HW_EXC:
		return ev_vector(v) <= 31;
	case NVMX_VE_INTR_OTHER:
		return ev_vector(v) == 0;
	default:
		return true;
	}
}

/*
 * #DF, #TS, #NP, #SS, #GP, #PF and #AC (vectors 8, 10-14, 17) push an
 * error code; #CP (21) too, but L1 is not offered CET.
 */
static bool vector_has_errcode(unsigned int vector)
{
	return vector < 32 && (NVMX_VE_BIT(vector) & 0x27d00U);
}

CHECK(event_errcode_bit)
{
	bool want;

	if (!event_valid(v))
		return true;
	want = ev_type(v) == NVMX_VE_INTR_HW_EXC &&
	       (!ug(v) || (v->guest_cr0 & CR0_PE)) &&
	       vector_has_errcode(ev_vector(v));
	return want == !!(v->vm_entry_intr_info_field & NVMX_VE_INTR_ERRCODE);
}

CHECK(event_rsvd)
{
	return !event_valid(v) || !(v->vm_entry_intr_info_field & 0x7ffff000U);
}

CHECK(event_errcode)
{
	return !event_valid(v) ||
	       !(v->vm_entry_intr_info_field & NVMX_VE_INTR_ERRCODE) ||
	       !(v->vm_entry_exception_error_code >> 16);
}

CHECK(event_insn_len)
{
	u32 len = v->vm_entry_instruction_len;

	if (!injecting(v, NVMX_VE_INTR_SOFT_INT) &&
	    !injecting(v, NVMX_VE_INTR_PRIV_SOFT_EXC) &&
	    !injecting(v, NVMX_VE_INTR_SOFT_EXC))
		return true;
	if (!len)
		return e->caps->misc & NVMX_VE_MISC_ZERO_LEN_INJ;
	return len <= 15;
}

CHECK(entry_msr_load_area)
{
	return msr_area_ok(v->vm_entry_msr_load_addr,
			   v->vm_entry_msr_load_count, e);
}

/* L1 is never in SMM. */
CHECK(entry_to_smm)
{
	return !(v->vm_entry_controls & NVMX_VE_ENTRY_SMM);
}

CHECK(deactivate_dual_monitor)
{
	return !(v->vm_entry_controls & NVMX_VE_ENTRY_DUAL_MONITOR);
}

#define ROW(fn) { #fn, fn, 0, 0 }
#define ROWA(fn, name, a) { name, fn, a, 0 }
#define ROWQ(fn, q) { #fn, fn, 0, q }

const struct nvmx_entry_row nvmx_entry_ctl_rows[] = {
	ROW(pin_ctls),
	ROW(proc_ctls),
	ROW(proc2_ctls),
	ROW(cr3_target_count),
	ROW(io_bitmap_a),
	ROW(io_bitmap_b),
	ROW(msr_bitmap),
	ROW(virtual_apic_addr),
	ROW(tpr_threshold_rsvd),
	ROW(tpr_threshold_vtpr),
	ROW(apicv_needs_tpr_shadow),
	ROW(vnmi_needs_nmi_exiting),
	ROW(nmi_window_needs_vnmi),
	ROW(apic_access_addr),
	ROW(x2apic_vs_apic_access),
	ROW(vid_needs_extint_exiting),
	ROW(posted_intr_needs_vid),
	ROW(posted_intr_needs_ack),
	ROW(posted_intr_vector),
	ROW(posted_intr_desc),
	ROW(vpid_nonzero),
	ROW(eptp_valid),
	ROW(pml_needs_ept),
	ROW(pml_address),
	ROW(unrestricted_needs_ept),
	ROW(mbec_needs_ept),
	ROW(vmfunc_ctls),
	ROW(eptp_list_needs_ept),
	ROW(eptp_list_address),
	ROW(vmread_bitmap),
	ROW(vmwrite_bitmap),
	ROW(exit_ctls),
	ROW(save_preempt_needs_preempt),
	ROW(exit_msr_store_area),
	ROW(exit_msr_load_area),
	ROW(entry_ctls),
	ROW(event_type),
	ROW(event_vector),
	ROW(event_errcode_bit),
	ROW(event_rsvd),
	ROW(event_errcode),
	ROW(event_insn_len),
	ROW(entry_msr_load_area),
	ROW(entry_to_smm),
	ROW(deactivate_dual_monitor),
};

const unsigned int nvmx_entry_ctl_nr = ARRAY_SIZE(nvmx_entry_ctl_rows);

/* ---- 26.2.2 host control registers and MSRs --------------------------- */

CHECK(host_cr0_fixed)
{
	return nvmx_cr_fixed_ok(v->host_cr0, e->caps->cr0_fixed0,
				e->caps->cr0_fixed1);
}

CHECK(host_cr4_fixed)
{
	return nvmx_cr_fixed_ok(v->host_cr4, e->caps->cr4_fixed0,
				e->caps->cr4_fixed1 & e->cr4_allowed);
}

CHECK(host_cr3)
{
	return pa_ok(v->host_cr3, e);
}

CHECK(host_sysenter_esp)
{
	return canonical(v->host_ia32_sysenter_esp, e);
}

CHECK(host_sysenter_eip)
{
	return canonical(v->host_ia32_sysenter_eip, e);
}

CHECK(host_perf_global_ctrl)
{
	return !(v->vm_exit_controls & NVMX_VE_EXIT_LOAD_PERF) ||
	       !(v->host_ia32_perf_global_ctrl & e->perf_global_ctrl_rsvd);
}

CHECK(host_pat)
{
	return !(v->vm_exit_controls & NVMX_VE_EXIT_LOAD_PAT) ||
	       pat_ok(v->host_ia32_pat);
}

static bool host_efer_loaded(const struct nvmx_vmcs12 *v)
{
	return v->vm_exit_controls & NVMX_VE_EXIT_LOAD_EFER;
}

CHECK(host_efer_rsvd)
{
	return !host_efer_loaded(v) || !(v->host_ia32_efer & e->efer_rsvd);
}

CHECK(host_efer_lma)
{
	return !host_efer_loaded(v) ||
	       !!(v->host_ia32_efer & EFER_LMA) == host64(v);
}

CHECK(host_efer_lme)
{
	return !host_efer_loaded(v) ||
	       !!(v->host_ia32_efer & EFER_LME) == host64(v);
}

/* ---- 26.2.3 host segment and descriptor-table registers --------------- */

CHECK(host_sel_rpl_ti)
{
	return !(host_sel(v, arg) & (SEL_RPL | SEL_TI));
}

CHECK(host_cs_sel_null)
{
	return v->host_cs_selector;
}

CHECK(host_tr_sel_null)
{
	return v->host_tr_selector;
}

CHECK(host_ss_sel_null)
{
	return v->host_ss_selector || host64(v);
}

CHECK(host_fs_base)
{
	return canonical(v->host_fs_base, e);
}

CHECK(host_gs_base)
{
	return canonical(v->host_gs_base, e);
}

CHECK(host_gdtr_base)
{
	return canonical(v->host_gdtr_base, e);
}

CHECK(host_idtr_base)
{
	return canonical(v->host_idtr_base, e);
}

CHECK(host_tr_base)
{
	return canonical(v->host_tr_base, e);
}

/*
 * ---- 26.2.4 address-space size -----------------------------------------
 * "Host address-space size 0 needs IA-32e mode guest 0" follows from the
 * three rows below (host 0 means L1 is outside IA-32e mode), so it has no
 * row of its own; nor has "wait-for-SIPI needs entry to SMM 0" in the
 * guest table: entry to SMM is refused among the controls.
 */

CHECK(l1_legacy_ia32e_guest)
{
	return e->ia32e || !ia32e_guest(v);
}

CHECK(l1_legacy_host64)
{
	return e->ia32e || !host64(v);
}

CHECK(l1_ia32e_host64)
{
	return !e->ia32e || host64(v);
}

CHECK(host32_pcide)
{
	return host64(v) || !(v->host_cr4 & CR4_PCIDE);
}

CHECK(host32_rip)
{
	return host64(v) || !(v->host_rip >> 32);
}

CHECK(host64_pae)
{
	return !host64(v) || (v->host_cr4 & CR4_PAE);
}

CHECK(host64_rip)
{
	return !host64(v) || canonical(v->host_rip, e);
}

const struct nvmx_entry_row nvmx_entry_host_rows[] = {
	ROW(host_cr0_fixed),
	ROW(host_cr4_fixed),
	ROW(host_cr3),
	ROW(host_sysenter_esp),
	ROW(host_sysenter_eip),
	ROW(host_perf_global_ctrl),
	ROW(host_pat),
	ROW(host_efer_rsvd),
	ROW(host_efer_lma),
	ROW(host_efer_lme),
	ROWA(host_sel_rpl_ti, "host_cs_sel_rpl_ti", S_CS),
	ROWA(host_sel_rpl_ti, "host_ss_sel_rpl_ti", S_SS),
	ROWA(host_sel_rpl_ti, "host_ds_sel_rpl_ti", S_DS),
	ROWA(host_sel_rpl_ti, "host_es_sel_rpl_ti", S_ES),
	ROWA(host_sel_rpl_ti, "host_fs_sel_rpl_ti", S_FS),
	ROWA(host_sel_rpl_ti, "host_gs_sel_rpl_ti", S_GS),
	ROWA(host_sel_rpl_ti, "host_tr_sel_rpl_ti", S_TR),
	ROW(host_cs_sel_null),
	ROW(host_tr_sel_null),
	ROW(host_ss_sel_null),
	ROW(host_fs_base),
	ROW(host_gs_base),
	ROW(host_gdtr_base),
	ROW(host_idtr_base),
	ROW(host_tr_base),
	ROW(l1_legacy_ia32e_guest),
	ROW(l1_legacy_host64),
	ROW(l1_ia32e_host64),
	ROW(host32_pcide),
	ROW(host32_rip),
	ROW(host64_pae),
	ROW(host64_rip),
};

const unsigned int nvmx_entry_host_nr = ARRAY_SIZE(nvmx_entry_host_rows);

/* ---- 26.3.1.1 guest control registers, debug registers and MSRs ------- */

CHECK(guest_cr0_fixed)
{
	u64 fixed0 = e->caps->cr0_fixed0;

	/* Unrestricted guest lets PE and PG be 0. */
	if (ug(v))
		fixed0 &= ~(CR0_PE | CR0_PG);
	return nvmx_cr_fixed_ok(v->guest_cr0, fixed0, e->caps->cr0_fixed1);
}

CHECK(guest_cr4_fixed)
{
	return nvmx_cr_fixed_ok(v->guest_cr4, e->caps->cr4_fixed0,
				e->caps->cr4_fixed1 & e->cr4_allowed);
}

CHECK(guest_cr0_pg_needs_pe)
{
	return !(v->guest_cr0 & CR0_PG) || (v->guest_cr0 & CR0_PE);
}

static bool load_debug(const struct nvmx_vmcs12 *v)
{
	return v->vm_entry_controls & NVMX_VE_ENTRY_LOAD_DEBUG;
}

CHECK(guest_debugctl)
{
	return !load_debug(v) || !(v->guest_ia32_debugctl & e->debugctl_rsvd);
}

CHECK(guest_ia32e_pg)
{
	return !ia32e_guest(v) || (v->guest_cr0 & CR0_PG);
}

CHECK(guest_ia32e_pae)
{
	return !ia32e_guest(v) || (v->guest_cr4 & CR4_PAE);
}

CHECK(guest_legacy_pcide)
{
	return ia32e_guest(v) || !(v->guest_cr4 & CR4_PCIDE);
}

CHECK(guest_cr3)
{
	return pa_ok(v->guest_cr3, e);
}

CHECK(guest_dr7)
{
	return !load_debug(v) || !(v->guest_dr7 >> 32);
}

CHECK(guest_sysenter_esp)
{
	return canonical(v->guest_sysenter_esp, e);
}

CHECK(guest_sysenter_eip)
{
	return canonical(v->guest_sysenter_eip, e);
}

CHECK(guest_perf_global_ctrl)
{
	return !(v->vm_entry_controls & NVMX_VE_ENTRY_LOAD_PERF) ||
	       !(v->guest_ia32_perf_global_ctrl & e->perf_global_ctrl_rsvd);
}

CHECK(guest_pat)
{
	return !(v->vm_entry_controls & NVMX_VE_ENTRY_LOAD_PAT) ||
	       pat_ok(v->guest_ia32_pat);
}

static bool guest_efer_loaded(const struct nvmx_vmcs12 *v)
{
	return v->vm_entry_controls & NVMX_VE_ENTRY_LOAD_EFER;
}

CHECK(guest_efer_rsvd)
{
	return !guest_efer_loaded(v) || !(v->guest_ia32_efer & e->efer_rsvd);
}

CHECK(guest_efer_lma)
{
	return !guest_efer_loaded(v) ||
	       !!(v->guest_ia32_efer & EFER_LMA) == ia32e_guest(v);
}

CHECK(guest_efer_lme)
{
	return !guest_efer_loaded(v) || !(v->guest_cr0 & CR0_PG) ||
	       !!(v->guest_ia32_efer & EFER_LME) ==
	       !!(v->guest_ia32_efer & EFER_LMA);
}

CHECK(guest_bndcfgs)
{
	u64 b = v->guest_bndcfgs;

	return !(v->vm_entry_controls & NVMX_VE_ENTRY_LOAD_BNDCFGS) ||
	       (!(b & 0xffcULL) && canonical(b & ~0xfffULL, e));
}

/* ---- 26.3.1.2 guest segment registers --------------------------------- */

static bool usable(const struct seg *s)
{
	return !(s->ar & NVMX_VE_AR_UNUSABLE);
}

static unsigned int dpl(u32 ar)
{
	return (ar >> NVMX_VE_AR_DPL_SHIFT) & 3;
}

CHECK(guest_tr_sel_ti)
{
	return !(v->guest_tr_selector & SEL_TI);
}

CHECK(guest_ldtr_sel_ti)
{
	struct seg s = seg_of(v, S_LDTR);

	return !usable(&s) || !(s.sel & SEL_TI);
}

CHECK(guest_ss_sel_rpl)
{
	return v86(v) || ug(v) ||
	       (v->guest_ss_selector & SEL_RPL) ==
	       (v->guest_cs_selector & SEL_RPL);
}

CHECK(guest_base_v86)
{
	struct seg s = seg_of(v, arg);

	return !v86(v) || s.base == (u64)s.sel << 4;
}

CHECK(guest_base_canonical)
{
	struct seg s = seg_of(v, arg);

	if (arg == S_LDTR && !usable(&s))
		return true;
	return canonical(s.base, e);
}

CHECK(guest_base_hi)
{
	struct seg s = seg_of(v, arg);

	if (arg != S_CS && !usable(&s))
		return true;
	return !(s.base >> 32);
}

CHECK(guest_limit_v86)
{
	return !v86(v) || seg_of(v, arg).limit == 0xffff;
}

CHECK(guest_ar_v86)
{
	return !v86(v) || seg_of(v, arg).ar == 0xf3;
}

/* The protected-mode and IA-32e access-rights checks apply to CS and usable segments. */
static bool ar_checked(const struct nvmx_vmcs12 *v, unsigned int seg,
		       struct seg *s)
{
	*s = seg_of(v, seg);
	if (seg == S_TR)
		return true;
	if (seg == S_LDTR)
		return usable(s);
	return !v86(v) && (seg == S_CS || usable(s));
}

CHECK(guest_ar_type)
{
	struct seg s;
	unsigned int t;

	if (!ar_checked(v, arg, &s))
		return true;
	t = s.ar & NVMX_VE_AR_TYPE;
	switch (arg) {
	case S_CS:
		return t == 9 || t == 11 || t == 13 || t == 15 ||
		       (t == 3 && ug(v));
	case S_SS:
		return t == 3 || t == 7;
	case S_TR:
		return t == 11 || (t == 3 && !ia32e_guest(v));
	case S_LDTR:
		return t == 2;
	default:
		return (t & 1) && (!(t & 8) || (t & 2));
	}
}

CHECK(guest_ar_s)
{
	struct seg s;

	if (!ar_checked(v, arg, &s))
		return true;
	return !!(s.ar & NVMX_VE_AR_S) == (arg != S_TR && arg != S_LDTR);
}

CHECK(guest_ar_dpl)
{
	u32 ss_ar = v->guest_ss_ar_bytes;
	unsigned int t;
	struct seg s;

	/* SS's DPL is the CPL: checked even when SS is unusable. */
	if (!ar_checked(v, arg, &s) && !(arg == S_SS && !v86(v)))
		return true;
	t = s.ar & NVMX_VE_AR_TYPE;
	switch (arg) {
	case S_CS:
		if (t == 3)
			return dpl(s.ar) == 0;
		if (t == 9 || t == 11)
			return dpl(s.ar) == dpl(ss_ar);
		return dpl(s.ar) <= dpl(ss_ar);
	case S_SS:
		if (!ug(v) && dpl(s.ar) != (s.sel & SEL_RPL))
			return false;
		if ((v->guest_cs_ar_bytes & NVMX_VE_AR_TYPE) == 3 ||
		    !(v->guest_cr0 & CR0_PE))
			return dpl(s.ar) == 0;
		return true;
	default:
		return ug(v) || t > 11 || dpl(s.ar) >= (s.sel & SEL_RPL);
	}
}

CHECK(guest_ar_p)
{
	struct seg s;

	return !ar_checked(v, arg, &s) || (s.ar & NVMX_VE_AR_P);
}

CHECK(guest_ar_rsvd_low)
{
	struct seg s;

	return !ar_checked(v, arg, &s) || !(s.ar & 0xf00);
}

CHECK(guest_cs_ar_db)
{
	u32 ar = v->guest_cs_ar_bytes;

	return v86(v) || !ia32e_guest(v) || !(ar & NVMX_VE_AR_L) ||
	       !(ar & NVMX_VE_AR_DB);
}

CHECK(guest_ar_g)
{
	struct seg s;

	if (!ar_checked(v, arg, &s))
		return true;
	if ((s.limit & 0xfff) != 0xfff && (s.ar & NVMX_VE_AR_G))
		return false;
	return !(s.limit >> 20) || (s.ar & NVMX_VE_AR_G);
}

CHECK(guest_tr_usable)
{
	return !(v->guest_tr_ar_bytes & NVMX_VE_AR_UNUSABLE);
}

CHECK(guest_ar_rsvd_high)
{
	struct seg s;

	return !ar_checked(v, arg, &s) || !(s.ar >> 17);
}

/* ---- 26.3.1.3 descriptor-table registers, 26.3.1.4 RIP and RFLAGS ----- */

CHECK(guest_gdtr_base)
{
	return canonical(v->guest_gdtr_base, e);
}

CHECK(guest_idtr_base)
{
	return canonical(v->guest_idtr_base, e);
}

CHECK(guest_gdtr_limit)
{
	return !(v->guest_gdtr_limit >> 16);
}

CHECK(guest_idtr_limit)
{
	return !(v->guest_idtr_limit >> 16);
}

static bool long_mode_cs(const struct nvmx_vmcs12 *v)
{
	return ia32e_guest(v) && (v->guest_cs_ar_bytes & NVMX_VE_AR_L);
}

CHECK(guest_rip_hi)
{
	return long_mode_cs(v) || !(v->guest_rip >> 32);
}

/* The SDM asks bits 63:N (not N-1) to be equal, N the linear width. */
CHECK(guest_rip_sign)
{
	return !long_mode_cs(v) || sign_bits_ok(v->guest_rip, va_bits(e));
}

CHECK(guest_rflags_rsvd)
{
	return !(v->guest_rflags & RFLAGS_RSVD) &&
	       (v->guest_rflags & RFLAGS_FIXED1);
}

CHECK(guest_rflags_vm)
{
	return !v86(v) || (!ia32e_guest(v) && (v->guest_cr0 & CR0_PE));
}

CHECK(guest_rflags_if)
{
	return !injecting(v, NVMX_VE_INTR_EXT) || (v->guest_rflags & RFLAGS_IF);
}

/* ---- 26.3.1.5 guest non-register state -------------------------------- */

CHECK(guest_activity_supported)
{
	static const u64 need[] = {
		[NVMX_VE_ACT_HLT] = NVMX_VE_MISC_ACT_HLT,
		[NVMX_VE_ACT_SHUTDOWN] = NVMX_VE_MISC_ACT_SHUTDOWN,
		[NVMX_VE_ACT_SIPI] = NVMX_VE_MISC_ACT_SIPI,
	};
	u32 a = v->guest_activity_state;

	return a == NVMX_VE_ACT_ACTIVE ||
	       (a < ARRAY_SIZE(need) && (e->caps->misc & need[a]));
}

CHECK(guest_activity_hlt_dpl)
{
	return v->guest_activity_state != NVMX_VE_ACT_HLT ||
	       !dpl(v->guest_ss_ar_bytes);
}

CHECK(guest_activity_blocking)
{
	return v->guest_activity_state == NVMX_VE_ACT_ACTIVE ||
	       !(v->guest_interruptibility_info &
		 (NVMX_VE_BLOCK_STI | NVMX_VE_BLOCK_MOVSS));
}

CHECK(guest_activity_event)
{
	unsigned int t = ev_type(v), vec = ev_vector(v);

	if (!event_valid(v))
		return true;
	switch (v->guest_activity_state) {
	case NVMX_VE_ACT_ACTIVE:
		return true;
	case NVMX_VE_ACT_HLT:
		return t == NVMX_VE_INTR_EXT || t == NVMX_VE_INTR_NMI ||
		       (t == NVMX_VE_INTR_HW_EXC && (vec == 1 || vec == 18)) ||
		       (t == NVMX_VE_INTR_OTHER && vec == 0);
	case NVMX_VE_ACT_SHUTDOWN:
		return t == NVMX_VE_INTR_NMI ||
		       (t == NVMX_VE_INTR_HW_EXC && vec == 18);
	default:
		return false;
	}
}

static u32 intr_state(const struct nvmx_vmcs12 *v)
{
	return v->guest_interruptibility_info;
}

/* Bit 4 (enclave interruption) needs SGX, which L1 is not offered. */
CHECK(guest_intr_rsvd)
{
	return !(intr_state(v) & ~0xfU);
}

CHECK(guest_intr_sti_movss)
{
	return (intr_state(v) & (NVMX_VE_BLOCK_STI | NVMX_VE_BLOCK_MOVSS)) !=
	       (NVMX_VE_BLOCK_STI | NVMX_VE_BLOCK_MOVSS);
}

CHECK(guest_intr_sti_if)
{
	return !(intr_state(v) & NVMX_VE_BLOCK_STI) ||
	       (v->guest_rflags & RFLAGS_IF);
}

CHECK(guest_intr_extint)
{
	return !injecting(v, NVMX_VE_INTR_EXT) ||
	       !(intr_state(v) & (NVMX_VE_BLOCK_STI | NVMX_VE_BLOCK_MOVSS));
}

CHECK(guest_intr_nmi_movss)
{
	return !injecting(v, NVMX_VE_INTR_NMI) ||
	       !(intr_state(v) & NVMX_VE_BLOCK_MOVSS);
}

CHECK(guest_intr_smi)
{
	return !(intr_state(v) & NVMX_VE_BLOCK_SMI);
}

CHECK(guest_intr_vnmi)
{
	return !(v->pin_based_vm_exec_control & NVMX_VE_PIN_VNMI) ||
	       !injecting(v, NVMX_VE_INTR_NMI) ||
	       !(intr_state(v) & NVMX_VE_BLOCK_NMI);
}

CHECK(guest_pending_dbg_rsvd)
{
	return !(v->guest_pending_dbg_exceptions & PENDING_DBG_RSVD);
}

/* The BS rules apply while STI or MOV-SS blocking is on, or in HLT. */
static bool bs_checked(const struct nvmx_vmcs12 *v)
{
	return (intr_state(v) & (NVMX_VE_BLOCK_STI | NVMX_VE_BLOCK_MOVSS)) ||
	       v->guest_activity_state == NVMX_VE_ACT_HLT;
}

static bool single_step(const struct nvmx_vmcs12 *v)
{
	return (v->guest_rflags & RFLAGS_TF) &&
	       !(v->guest_ia32_debugctl & DEBUGCTL_BTF);
}

CHECK(guest_pending_dbg_bs_set)
{
	return !bs_checked(v) || !single_step(v) ||
	       (v->guest_pending_dbg_exceptions & PENDING_DBG_BS);
}

CHECK(guest_pending_dbg_bs_clear)
{
	return !bs_checked(v) || single_step(v) ||
	       !(v->guest_pending_dbg_exceptions & PENDING_DBG_BS);
}

/* RTM (bit 16) comes with bit 12 set and bits 11:0 and BS clear. */
CHECK(guest_pending_dbg_rtm)
{
	u64 p = v->guest_pending_dbg_exceptions;

	return !(p & BIT_ULL(16)) ||
	       ((p & (0x1fffULL | PENDING_DBG_BS)) == BIT_ULL(12));
}

static bool link_used(const struct nvmx_vmcs12 *v)
{
	return v->vmcs_link_pointer != NVMX_VE_LINK_NONE;
}

/* Without VMCS shadowing in L1's caps the link pointer must be ~0. */
CHECK(guest_link_ptr_none)
{
	u64 c = e->caps->procbased2;

	return !link_used(v) ||
	       ((e->caps->procbased & ((u64)NVMX_VE_PROC_SECONDARY << 32)) &&
		(c & ((u64)NVMX_VE_PROC2_SHADOW_VMCS << 32)));
}

CHECK(guest_link_ptr_addr)
{
	return !link_used(v) || page_ok(v->vmcs_link_pointer, e);
}

CHECK(guest_link_ptr_revision)
{
	return !link_used(v) ||
	       (e->link_readable &&
		(e->link_header & ~VMCS_SHADOW_BIT) == NVMX_VMCS12_REVISION);
}

CHECK(guest_link_ptr_shadow)
{
	return !link_used(v) || !(proc2(v) & NVMX_VE_PROC2_SHADOW_VMCS) ||
	       (e->link_header & VMCS_SHADOW_BIT);
}

const struct nvmx_entry_row nvmx_entry_guest_rows[] = {
	ROW(guest_cr0_fixed),
	ROW(guest_cr4_fixed),
	ROW(guest_cr0_pg_needs_pe),
	ROW(guest_debugctl),
	ROW(guest_ia32e_pg),
	ROW(guest_ia32e_pae),
	ROW(guest_legacy_pcide),
	ROW(guest_cr3),
	ROW(guest_dr7),
	ROW(guest_sysenter_esp),
	ROW(guest_sysenter_eip),
	ROW(guest_perf_global_ctrl),
	ROW(guest_pat),
	ROW(guest_efer_rsvd),
	ROW(guest_efer_lma),
	ROW(guest_efer_lme),
	ROW(guest_bndcfgs),
	/* selectors */
	ROW(guest_tr_sel_ti),
	ROW(guest_ldtr_sel_ti),
	ROW(guest_ss_sel_rpl),
	/* bases */
	ROWA(guest_base_v86, "guest_cs_base_v86", S_CS),
	ROWA(guest_base_v86, "guest_ss_base_v86", S_SS),
	ROWA(guest_base_v86, "guest_ds_base_v86", S_DS),
	ROWA(guest_base_v86, "guest_es_base_v86", S_ES),
	ROWA(guest_base_v86, "guest_fs_base_v86", S_FS),
	ROWA(guest_base_v86, "guest_gs_base_v86", S_GS),
	ROWA(guest_base_canonical, "guest_tr_base", S_TR),
	ROWA(guest_base_canonical, "guest_fs_base", S_FS),
	ROWA(guest_base_canonical, "guest_gs_base", S_GS),
	ROWA(guest_base_canonical, "guest_ldtr_base", S_LDTR),
	ROWA(guest_base_hi, "guest_cs_base_hi", S_CS),
	ROWA(guest_base_hi, "guest_ss_base_hi", S_SS),
	ROWA(guest_base_hi, "guest_ds_base_hi", S_DS),
	ROWA(guest_base_hi, "guest_es_base_hi", S_ES),
	/* limits and access rights */
	ROWA(guest_limit_v86, "guest_cs_limit_v86", S_CS),
	ROWA(guest_limit_v86, "guest_ss_limit_v86", S_SS),
	ROWA(guest_limit_v86, "guest_ds_limit_v86", S_DS),
	ROWA(guest_limit_v86, "guest_es_limit_v86", S_ES),
	ROWA(guest_limit_v86, "guest_fs_limit_v86", S_FS),
	ROWA(guest_limit_v86, "guest_gs_limit_v86", S_GS),
	ROWA(guest_ar_v86, "guest_cs_ar_v86", S_CS),
	ROWA(guest_ar_v86, "guest_ss_ar_v86", S_SS),
	ROWA(guest_ar_v86, "guest_ds_ar_v86", S_DS),
	ROWA(guest_ar_v86, "guest_es_ar_v86", S_ES),
	ROWA(guest_ar_v86, "guest_fs_ar_v86", S_FS),
	ROWA(guest_ar_v86, "guest_gs_ar_v86", S_GS),
	ROWA(guest_ar_type, "guest_cs_ar_type", S_CS),
	ROWA(guest_ar_type, "guest_ss_ar_type", S_SS),
	ROWA(guest_ar_type, "guest_ds_ar_type", S_DS),
	ROWA(guest_ar_type, "guest_es_ar_type", S_ES),
	ROWA(guest_ar_type, "guest_fs_ar_type", S_FS),
	ROWA(guest_ar_type, "guest_gs_ar_type", S_GS),
	ROWA(guest_ar_s, "guest_cs_ar_s", S_CS),
	ROWA(guest_ar_s, "guest_ss_ar_s", S_SS),
	ROWA(guest_ar_s, "guest_ds_ar_s", S_DS),
	ROWA(guest_ar_s, "guest_es_ar_s", S_ES),
	ROWA(guest_ar_s, "guest_fs_ar_s", S_FS),
	ROWA(guest_ar_s, "guest_gs_ar_s", S_GS),
	ROWA(guest_ar_dpl, "guest_cs_ar_dpl", S_CS),
	ROWA(guest_ar_dpl, "guest_ss_ar_dpl", S_SS),
	ROWA(guest_ar_dpl, "guest_ds_ar_dpl", S_DS),
	ROWA(guest_ar_dpl, "guest_es_ar_dpl", S_ES),
	ROWA(guest_ar_dpl, "guest_fs_ar_dpl", S_FS),
	ROWA(guest_ar_dpl, "guest_gs_ar_dpl", S_GS),
	ROWA(guest_ar_p, "guest_cs_ar_p", S_CS),
	ROWA(guest_ar_p, "guest_ss_ar_p", S_SS),
	ROWA(guest_ar_p, "guest_ds_ar_p", S_DS),
	ROWA(guest_ar_p, "guest_es_ar_p", S_ES),
	ROWA(guest_ar_p, "guest_fs_ar_p", S_FS),
	ROWA(guest_ar_p, "guest_gs_ar_p", S_GS),
	ROWA(guest_ar_rsvd_low, "guest_cs_ar_rsvd_11_8", S_CS),
	ROWA(guest_ar_rsvd_low, "guest_ss_ar_rsvd_11_8", S_SS),
	ROWA(guest_ar_rsvd_low, "guest_ds_ar_rsvd_11_8", S_DS),
	ROWA(guest_ar_rsvd_low, "guest_es_ar_rsvd_11_8", S_ES),
	ROWA(guest_ar_rsvd_low, "guest_fs_ar_rsvd_11_8", S_FS),
	ROWA(guest_ar_rsvd_low, "guest_gs_ar_rsvd_11_8", S_GS),
	ROW(guest_cs_ar_db),
	ROWA(guest_ar_g, "guest_cs_ar_g", S_CS),
	ROWA(guest_ar_g, "guest_ss_ar_g", S_SS),
	ROWA(guest_ar_g, "guest_ds_ar_g", S_DS),
	ROWA(guest_ar_g, "guest_es_ar_g", S_ES),
	ROWA(guest_ar_g, "guest_fs_ar_g", S_FS),
	ROWA(guest_ar_g, "guest_gs_ar_g", S_GS),
	ROWA(guest_ar_rsvd_high, "guest_cs_ar_rsvd_31_17", S_CS),
	ROWA(guest_ar_rsvd_high, "guest_ss_ar_rsvd_31_17", S_SS),
	ROWA(guest_ar_rsvd_high, "guest_ds_ar_rsvd_31_17", S_DS),
	ROWA(guest_ar_rsvd_high, "guest_es_ar_rsvd_31_17", S_ES),
	ROWA(guest_ar_rsvd_high, "guest_fs_ar_rsvd_31_17", S_FS),
	ROWA(guest_ar_rsvd_high, "guest_gs_ar_rsvd_31_17", S_GS),
	ROWA(guest_ar_type, "guest_tr_ar_type", S_TR),
	ROWA(guest_ar_type, "guest_ldtr_ar_type", S_LDTR),
	ROWA(guest_ar_s, "guest_tr_ar_s", S_TR),
	ROWA(guest_ar_s, "guest_ldtr_ar_s", S_LDTR),
	ROWA(guest_ar_p, "guest_tr_ar_p", S_TR),
	ROWA(guest_ar_p, "guest_ldtr_ar_p", S_LDTR),
	ROWA(guest_ar_rsvd_low, "guest_tr_ar_rsvd_11_8", S_TR),
	ROWA(guest_ar_rsvd_low, "guest_ldtr_ar_rsvd_11_8", S_LDTR),
	ROWA(guest_ar_g, "guest_tr_ar_g", S_TR),
	ROWA(guest_ar_g, "guest_ldtr_ar_g", S_LDTR),
	ROW(guest_tr_usable),
	ROWA(guest_ar_rsvd_high, "guest_tr_ar_rsvd_31_17", S_TR),
	ROWA(guest_ar_rsvd_high, "guest_ldtr_ar_rsvd_31_17", S_LDTR),
	/* descriptor tables, RIP, RFLAGS */
	ROW(guest_gdtr_base),
	ROW(guest_idtr_base),
	ROW(guest_gdtr_limit),
	ROW(guest_idtr_limit),
	ROW(guest_rip_hi),
	ROW(guest_rip_sign),
	ROW(guest_rflags_rsvd),
	ROW(guest_rflags_vm),
	ROW(guest_rflags_if),
	/* non-register state */
	ROW(guest_activity_supported),
	ROW(guest_activity_hlt_dpl),
	ROW(guest_activity_blocking),
	ROW(guest_activity_event),
	ROW(guest_intr_rsvd),
	ROW(guest_intr_sti_movss),
	ROW(guest_intr_sti_if),
	ROW(guest_intr_extint),
	ROW(guest_intr_nmi_movss),
	ROW(guest_intr_smi),
	ROW(guest_intr_vnmi),
	ROW(guest_pending_dbg_rsvd),
	ROW(guest_pending_dbg_bs_set),
	ROW(guest_pending_dbg_bs_clear),
	ROW(guest_pending_dbg_rtm),
	ROWQ(guest_link_ptr_none, NVMX_VE_QUAL_LINK_PTR),
	ROWQ(guest_link_ptr_addr, NVMX_VE_QUAL_LINK_PTR),
	ROWQ(guest_link_ptr_revision, NVMX_VE_QUAL_LINK_PTR),
	ROWQ(guest_link_ptr_shadow, NVMX_VE_QUAL_LINK_PTR),
};

const unsigned int nvmx_entry_guest_nr = ARRAY_SIZE(nvmx_entry_guest_rows);

/* ---- the runners ------------------------------------------------------ */

static const struct nvmx_entry_row *
first_failure(const struct nvmx_entry_row *rows, unsigned int nr,
	      const struct nvmx_vmcs12 *v, const struct nvmx_entry_env *e)
{
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (!rows[i].ok(v, e, rows[i].arg))
			return &rows[i];
	return NULL;
}

static u32 run(const struct nvmx_entry_row *rows, unsigned int nr,
	       const struct nvmx_vmcs12 *v, const struct nvmx_entry_env *e,
	       u32 err, u64 *qual, const char **failed)
{
	const struct nvmx_entry_row *r = first_failure(rows, nr, v, e);

	*failed = r ? r->name : NULL;
	if (qual)
		*qual = r ? r->qual : NVMX_VE_QUAL_DEFAULT;
	return r ? err : 0;
}

u32 nvmx_entry_check_controls(const struct nvmx_vmcs12 *v12,
			      const struct nvmx_entry_env *env,
			      const char **failed)
{
	return run(nvmx_entry_ctl_rows, nvmx_entry_ctl_nr, v12, env,
		   NVMX_VE_ERR_CONTROLS, NULL, failed);
}

u32 nvmx_entry_check_host(const struct nvmx_vmcs12 *v12,
			  const struct nvmx_entry_env *env,
			  const char **failed)
{
	return run(nvmx_entry_host_rows, nvmx_entry_host_nr, v12, env,
		   NVMX_VE_ERR_HOST, NULL, failed);
}

u32 nvmx_entry_check_guest(const struct nvmx_vmcs12 *v12,
			   const struct nvmx_entry_env *env, u64 *qual,
			   const char **failed)
{
	return run(nvmx_entry_guest_rows, nvmx_entry_guest_nr, v12, env,
		   NVMX_VE_EXIT_INVALID_STATE, qual, failed);
}

/* ---- 26.3.1.6 PDPTEs -------------------------------------------------- */

bool nvmx_entry_uses_pdptes(const struct nvmx_vmcs12 *v12)
{
	return (v12->guest_cr0 & CR0_PG) && (v12->guest_cr4 & CR4_PAE) &&
	       !ia32e_guest(v12);
}

/* A present PDPTE has bits 2:1, 8:5 and those above MAXPHYADDR clear. */
u32 nvmx_entry_check_pdptes(const u64 pdpte[4],
			    const struct nvmx_entry_env *env, u64 *qual,
			    const char **failed)
{
	static const char * const names[] = {
		"guest_pdpte0", "guest_pdpte1", "guest_pdpte2", "guest_pdpte3"
	};
	unsigned int i;

	for (i = 0; i < 4; i++) {
		u64 p = pdpte[i];

		if ((p & 1) && ((p & 0x1e6ULL) || !pa_ok(p, env))) {
			*failed = names[i];
			*qual = NVMX_VE_QUAL_PDPTE;
			return NVMX_VE_EXIT_INVALID_STATE;
		}
	}
	*failed = NULL;
	*qual = NVMX_VE_QUAL_DEFAULT;
	return 0;
}

/* ---- 26.4, 27.4, 27.6 MSR-area entries -------------------------------- */

enum { A_ENTRY_LOAD = 1, A_EXIT_STORE = 2, A_EXIT_LOAD = 4 };

static const struct {
	const char *name;
	u32 first, last;
	u8 areas;
} msr_rules[] = {
	/* FS/GS base come from the guest/host state, never from a load area. */
	{ "msr_fs_gs_base", 0xc0000100, 0xc0000101, A_ENTRY_LOAD | A_EXIT_LOAD },
	{ "msr_x2apic", 0x800, 0x8ff, A_ENTRY_LOAD | A_EXIT_STORE | A_EXIT_LOAD },
	/* SMM-only: IA32_SMM_MONITOR_CTL (write), IA32_SMBASE (read). */
	{ "msr_smm_monitor_ctl", 0x9b, 0x9b, A_ENTRY_LOAD | A_EXIT_LOAD },
	{ "msr_smbase", 0x9e, 0x9e, A_EXIT_STORE },
	/* Model-specific refusals: the microcode update MSRs. */
	{ "msr_ucode_update", 0x79, 0x79, A_ENTRY_LOAD | A_EXIT_STORE | A_EXIT_LOAD },
	{ "msr_ucode_rev", 0x8b, 0x8b, A_ENTRY_LOAD | A_EXIT_STORE | A_EXIT_LOAD },
};

static u32 msr_check(unsigned int area, u32 index, u32 reserved,
		     const char **failed)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(msr_rules); i++) {
		if ((msr_rules[i].areas & area) && index >= msr_rules[i].first &&
		    index <= msr_rules[i].last) {
			*failed = msr_rules[i].name;
			return 1;
		}
	}
	*failed = reserved ? "msr_reserved" : NULL;
	return reserved ? 1 : 0;
}

u32 nvmx_entry_msr_load_check(u32 index, u32 reserved, const char **failed)
{
	return msr_check(A_ENTRY_LOAD, index, reserved, failed);
}

u32 nvmx_exit_msr_store_check(u32 index, u32 reserved, const char **failed)
{
	return msr_check(A_EXIT_STORE, index, reserved, failed);
}

u32 nvmx_exit_msr_load_check(u32 index, u32 reserved, const char **failed)
{
	return msr_check(A_EXIT_LOAD, index, reserved, failed);
}
