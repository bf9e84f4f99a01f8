// SPDX-License-Identifier: GPL-2.0
/*
 * The vmcs02 builder: the VMCS L2 runs on, from L0's vmcs01 and L1's
 * vmcs12, driven by the field table (vmcs12_fields.h). Each row's class
 * says what happens to it:
 *
 *   COPY  vmcs12's value goes into vmcs02 as it is: guest state and the
 *         entry event. The CPU's own VM-entry checks stand behind ours.
 *   CTRL  merged with what L0 needs (merge.c), one function per control.
 *   CR    masks and read shadows: L0's policy masks (vcpu->policy) with
 *         vmcs12's, written with GUEST_CR0/CR4 by nvmx_write_cr0/cr4()
 *         at nested entry and at every CR write L0 absorbs.
 *   GPA   L1 guest-physical addresses: checked by the entry checks,
 *         translated here; a page referenced while L2 runs.
 *   HOST, EXIT, SOFT, L0: never written into vmcs02. vmcs02's host state
 *         is L0's, the same as vmcs01's.
 *
 * By frequency: HOT rows are written at every nested entry; RARE rows only
 * when L1 changed them (VMWRITE, or VMPTRLD of another vmcs12 marks all);
 * the fields of vmcs02 that never depend on vmcs12 are written once, when
 * vmcs02 is first used. vcpu->nested.entry_writes counts the writes.
 */
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "vmx_ops.h"
#include "trace.h"
#include "nested/merge.h"
#include "nested/nested_int.h"
#include "nested/route.h"

static void nvmx_v02_write(struct nvmx_vcpu *vcpu, unsigned long field,
			   u64 val)
{
	nvmx_vmwrite(field, val);
	vcpu->nested.entry_writes++;
}

/* What vmcs02 takes from vmcs01, read while vmcs01 is current. */
struct nvmx_vmcs01_snap {
	u32 pin, proc, proc2, exit, entry, exc_bitmap;
	u64 tsc_offset;
	u64 pat;
	u32 tpr_threshold;
};

static void nvmx_vmcs01_snapshot(struct nvmx_vmcs01_snap *s)
{
	s->pin = nvmx_vmread(PIN_BASED_VM_EXEC_CONTROL);
	s->proc = nvmx_vmread(CPU_BASED_VM_EXEC_CONTROL);
	s->proc2 = nvmx_vmread(SECONDARY_VM_EXEC_CONTROL);
	s->exit = nvmx_vmread(VM_EXIT_CONTROLS);
	s->entry = nvmx_vmread(VM_ENTRY_CONTROLS);
	s->exc_bitmap = nvmx_vmread(EXCEPTION_BITMAP);
	s->tsc_offset = nvmx_vmread(TSC_OFFSET);
	s->pat = nvmx_vmread(GUEST_IA32_PAT);
	s->tpr_threshold = nvmx_vmread(TPR_THRESHOLD);
}

/* Fields of vmcs02 that do not depend on vmcs12: once per vmcs02. */
static void nvmx_vmcs02_constant(struct nvmx_vcpu *vcpu)
{
	nvmx_vmcs_write_host_state(vcpu);
	nvmx_v02_write(vcpu, VIRTUAL_PROCESSOR_ID, vcpu->nested.vpid02);
	nvmx_v02_write(vcpu, EPT_POINTER, vcpu->vm->eptp);
	nvmx_v02_write(vcpu, VMCS_LINK_POINTER, ~0ULL);
	nvmx_v02_write(vcpu, MSR_BITMAP,
		       page_to_phys(vcpu->nested.msr_bitmap02));
	/* MSR areas are L0's software; CR3 targets are not offered. */
	nvmx_v02_write(vcpu, VM_EXIT_MSR_STORE_COUNT, 0);
	nvmx_v02_write(vcpu, VM_EXIT_MSR_LOAD_COUNT, 0);
	nvmx_v02_write(vcpu, VM_ENTRY_MSR_LOAD_COUNT, 0);
	nvmx_v02_write(vcpu, CR3_TARGET_COUNT, 0);
	/* No branch tracing; DR7 is L2's, written before each entry (switch.c). */
	nvmx_v02_write(vcpu, GUEST_DR7, NVMX_DR7_FIXED_1);
	nvmx_v02_write(vcpu, GUEST_IA32_DEBUGCTL, 0);
}

static void nvmx_vmcs02_copy_rows(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;
	unsigned int i;

	for (i = 0; i < NVMX_V12_NR; i++) {
		const struct nvmx_vmcs12_row *row = &nvmx_vmcs12_rows[i];

		if (row->class != NVMX_V12_COPY)
			continue;
		if (row->freq != NVMX_V12_HOT && !test_bit(i, n->dirty))
			continue;
		nvmx_v02_write(vcpu, row->encoding,
			       nvmx_vmcs12_get(n->vmcs12, i));
	}
}

/* The controls: L0's needs and L1's wishes (merge.c). */
static void nvmx_vmcs02_controls(struct nvmx_vcpu *vcpu,
				 const struct nvmx_vmcs01_snap *s)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;
	struct nvmx_merge_xcpt x01 = { .bitmap = s->exc_bitmap }, x02;

	nvmx_v02_write(vcpu, PIN_BASED_VM_EXEC_CONTROL,
		       nvmx_merge_pin(s->pin, v12));
	nvmx_v02_write(vcpu, CPU_BASED_VM_EXEC_CONTROL,
		       nvmx_merge_proc(s->proc, v12,
				       vcpu->policy.tpr_intercept));
	nvmx_v02_write(vcpu, SECONDARY_VM_EXEC_CONTROL,
		       nvmx_merge_proc2(s->proc2, v12));
	nvmx_v02_write(vcpu, VM_EXIT_CONTROLS, nvmx_merge_exit(s->exit, v12));
	nvmx_v02_write(vcpu, VM_ENTRY_CONTROLS,
		       nvmx_merge_entry(s->entry, v12));
	nvmx_merge_exceptions(&x01, v12, &x02);
	nvmx_v02_write(vcpu, EXCEPTION_BITMAP, x02.bitmap);
	nvmx_v02_write(vcpu, PAGE_FAULT_ERROR_CODE_MASK, x02.pfec_mask);
	nvmx_v02_write(vcpu, PAGE_FAULT_ERROR_CODE_MATCH, x02.pfec_match);
	nvmx_v02_write(vcpu, TSC_OFFSET,
		       nvmx_merge_tsc_offset(s->tsc_offset, v12));
	/* L1's ratio: vmcs12 has no multiplier of its own (tsc.c). */
	if (nvmx_tsc_scaling)
		nvmx_v02_write(vcpu, TSC_MULTIPLIER, vcpu->tsc_ratio);
}

/*
 * CR0/CR4 guest/host masks of vmcs02 for L0's @mask0 (M0): L2 owns a bit
 * only if both L0 and L1 leave it to the guest (nvmx_vmcs02_cr_masks in
 * the terms: mask02 = M0 | M1).
 */
u64 nvmx_nested_cr0_mask(struct nvmx_vcpu *vcpu, u64 mask0)
{
	return nvmx_merge_cr0_mask(mask0, vcpu->nested.vmcs12);
}

u64 nvmx_nested_cr4_mask(struct nvmx_vcpu *vcpu, u64 mask0)
{
	return nvmx_merge_cr4_mask(mask0, vcpu->nested.vmcs12);
}

/* What L2 reads from CR0/CR4 for a real value @cr0/@cr4 (merge.c). */
unsigned long nvmx_nested_cr0_shadow(struct nvmx_vcpu *vcpu,
				     unsigned long cr0)
{
	return nvmx_merge_cr0_shadow(vcpu->nested.vmcs12, cr0);
}

unsigned long nvmx_nested_cr4_shadow(struct nvmx_vcpu *vcpu,
				     unsigned long cr4)
{
	return nvmx_merge_cr4_shadow(vcpu->nested.vmcs12, cr4);
}

/*
 * TPR (CR8) of L2 (merge.h, enum nvmx_tpr_mode). With vmcs12's TPR shadow,
 * vmcs02 points at L1's virtual-APIC page, translated and pinned for this
 * run of L2 (nvmx_vmcs02_release() drops it); vmcs12 keeps L1's GPA, which
 * is what L1 VMREADs. Without it, embodiment 1 points vmcs02 at vmcs01's
 * page, L1's own LAPIC TPR (vcpu->apic_page, alive as long as the vCPU),
 * and embodiment 2 has no shadow: CR8 exits to nvmx_handle_cr8(). No case
 * gives L1 or L2 the real TPR.
 */
static int nvmx_vmcs02_tpr(struct nvmx_vcpu *vcpu,
			   const struct nvmx_vmcs01_snap *s)
{
	struct nvmx_nested *n = &vcpu->nested;
	struct nvmx_vmcs12 *v12 = n->vmcs12;
	enum nvmx_tpr_mode mode;
	struct page *page;

	mode = nvmx_merge_tpr_mode(v12, vcpu->policy.tpr_intercept);
	n->tpr_mode = mode;
	switch (mode) {
	case NVMX_TPR_L1_SHADOW:
		page = nvmx_gpa_get_page(vcpu->vm, v12->virtual_apic_page_addr);
		if (!page)
			return -ENOENT;
		n->vapic_page = page;
		break;
	case NVMX_TPR_L0_SHADOW:
		page = vcpu->apic_page;
		break;
	default:
		return 0;
	}
	nvmx_v02_write(vcpu, VIRTUAL_APIC_PAGE_ADDR, page_to_phys(page));
	nvmx_v02_write(vcpu, TPR_THRESHOLD,
		       nvmx_merge_tpr_threshold(mode, s->tpr_threshold, v12));
	return 0;
}

/* VTPR[7:4], the CR8 L2 has now, for tracing: 0 without a shadow. */
static u8 nvmx_vmcs02_cr8(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;

	switch (n->tpr_mode) {
	case NVMX_TPR_L1_SHADOW:
		return n->vapic_page ?
		       ((u8 *)page_address(n->vapic_page))[0x80] >> 4 : 0;
	case NVMX_TPR_L0_SHADOW:
		return nvmx_get_tpr(vcpu) >> 4;
	default:
		return 0;
	}
}

/*
 * An exit from L2 that nvmx_route_exit() reflects: trace the CR accesses
 * (nvmx_cr) and, among them, the CR8 ones and TPR-below-threshold exits
 * (nvmx_tpr). L0's own are traced by their handlers in exits.c.
 */
void nvmx_vmcs02_trace_reflected(struct nvmx_vcpu *vcpu, u32 reason, u64 qual,
				 u64 cr_value)
{
	unsigned int type = NVMX_RT_CR_TYPE(qual);

	switch (reason & 0xffff) {
	case EXIT_REASON_TPR_BELOW_THRESHOLD:
		if (trace_nvmx_tpr_enabled())
			trace_nvmx_tpr(2, NVMX_TRACE_TPR_BELOW,
				       nvmx_vmcs02_cr8(vcpu),
				       NVMX_TRACE_TPR_REFLECTED);
		break;
	case EXIT_REASON_CR_ACCESS:
		trace_nvmx_cr(vcpu->id, 2, NVMX_RT_CR_NUM(qual), type,
			      type == NVMX_RT_CR_LMSW ?
			      NVMX_RT_CR_LMSW_DATA(qual) : cr_value,
			      NVMX_CR_REFLECTED);
		if (NVMX_RT_CR_NUM(qual) == 8)
			trace_nvmx_tpr(2, type == NVMX_RT_CR_MOV_TO ?
				       NVMX_TRACE_TPR_WRITE : NVMX_TRACE_TPR_READ,
				       type == NVMX_RT_CR_MOV_TO ? cr_value : 0,
				       NVMX_TRACE_TPR_REFLECTED);
		break;
	}
}

/*
 * The MSR bitmap: an MSR exits from L2 if L0 or L1 wants it. L1's bitmap
 * is in its memory and may change between entries without a VMWRITE, so
 * it is merged at every entry. A bitmap outside memory reads as ones.
 */
static void nvmx_vmcs02_msr_bitmap(struct nvmx_vcpu *vcpu)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;
	void *dst = page_address(vcpu->nested.msr_bitmap02);

	if (!(v12->cpu_based_vm_exec_control & CPU_BASED_USE_MSR_BITMAPS) ||
	    nvmx_read_guest(vcpu->vm, v12->msr_bitmap, dst, PAGE_SIZE))
		memset(dst, 0xff, PAGE_SIZE);
	nvmx_merge_msr_bitmap(dst, page_address(vcpu->msr_bitmap), dst);
}

/*
 * Builds vmcs02 and makes it current. vmcs01 is current on entry and its
 * state is L1's. Returns 0, or -ENOENT when a page vmcs12 names is in no
 * memory slot (the caller fails the entry).
 */
int nvmx_vmcs02_build(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;
	struct nvmx_vmcs01_snap s;
	int r;

	nvmx_vmcs01_snapshot(&s);
	n->entry_writes = 0;
	preempt_disable();
	nvmx_switch_vmcs(vcpu, n->vmcs02);
	preempt_enable();
	if (!n->vmcs02_ready) {
		nvmx_vmcs02_constant(vcpu);
		bitmap_fill(n->dirty, NVMX_V12_NR);
		n->vmcs02_ready = true;
	}
	nvmx_vmcs02_copy_rows(vcpu);
	nvmx_vmcs02_controls(vcpu, &s);
	nvmx_vmcs02_msr_bitmap(vcpu);
	r = nvmx_vmcs02_tpr(vcpu, &s);
	/* Without "load PAT" L2 keeps L1's PAT (a SOFT row). */
	nvmx_v02_write(vcpu, GUEST_IA32_PAT,
		       n->vmcs12->vm_entry_controls & VM_ENTRY_LOAD_IA32_PAT ?
		       n->vmcs12->guest_ia32_pat : s.pat);
	bitmap_zero(n->dirty, NVMX_V12_NR);
	vcpu->stat.nvmx_vmcs02_writes = n->entry_writes;
	return r;
}

/* Drops what vmcs02 referenced for this run of L2. */
void nvmx_vmcs02_release(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;

	if (n->vapic_page) {
		put_page(n->vapic_page);
		n->vapic_page = NULL;
	}
}

/*
 * At a reflected exit: L2's state goes back into vmcs12 (the COPY rows
 * that are guest state; the entry-event rows are controls and stay).
 */
void nvmx_vmcs02_sync_to_vmcs12(struct nvmx_vcpu *vcpu)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;
	unsigned int i;

	for (i = 0; i < NVMX_V12_NR; i++) {
		const struct nvmx_vmcs12_row *row = &nvmx_vmcs12_rows[i];

		if (row->class != NVMX_V12_COPY ||
		    !nvmx_vmcs12_is_guest_state(row->encoding))
			continue;
		nvmx_vmcs12_set(v12, i, nvmx_vmread(row->encoding));
	}
	v12->guest_cr0 = nvmx_merge_cr0_writeback(v12, nvmx_vmread(GUEST_CR0),
						  nvmx_vmread(CR0_READ_SHADOW),
						  vcpu->policy.cr0.mask);
	v12->guest_cr4 = nvmx_merge_cr4_writeback(v12, nvmx_vmread(GUEST_CR4),
						  nvmx_vmread(CR4_READ_SHADOW),
						  nvmx_l0_cr4_mask(vcpu));
	if (v12->vm_exit_controls & VM_EXIT_SAVE_IA32_EFER)
		v12->guest_ia32_efer = vcpu->efer;
	if (v12->vm_exit_controls & VM_EXIT_SAVE_IA32_PAT)
		v12->guest_ia32_pat = nvmx_vmread(GUEST_IA32_PAT);
	if (v12->vm_exit_controls & VM_EXIT_SAVE_DEBUG_CONTROLS)
		v12->guest_dr7 = vcpu->dr7;
	/* IA32_VMX_MISC bit 5: the exit stores EFER.LMA here. */
	if (vcpu->efer & EFER_LMA)
		v12->vm_entry_controls |= VM_ENTRY_IA32E_MODE;
	else
		v12->vm_entry_controls &= ~VM_ENTRY_IA32E_MODE;
}
