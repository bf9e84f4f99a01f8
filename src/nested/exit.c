// SPDX-License-Identifier: GPL-2.0
/*
 * Exits while L2 runs, and the nested VM exit.
 *
 * Every hardware exit from L2 is routed once (route.c decides): L0 keeps
 * what it needs itself, reflects what vmcs12 says L1 wants, and handles the
 * rest on L1's behalf; the last two differ only in who sees the exit, so
 * L0's handlers (exits.c) serve both L1 and L2.
 *
 * A reflected exit is a VM exit of L1's VMX: L2's state is saved into
 * vmcs12 with the exit information, then L1's state is loaded from
 * vmcs12's host-state area following the SDM's "Loading Host State"
 * steps, then the VM-exit MSR areas.
 */
#include <linux/kernel.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "trace.h"
#include "vmx_ops.h"
#include "nested/entry.h"
#include "nested/nested_int.h"
#include "nested/route.h"

/* Segment access rights the VM exit gives L1 (SDM 27.5.2). */
#define NVMX_HOST_CODE_AR	(VMX_AR_TYPE_CODE_MASK | VMX_AR_TYPE_READABLE_MASK | \
				 VMX_AR_TYPE_ACCESSES_MASK | VMX_AR_S_MASK | \
				 VMX_AR_P_MASK | VMX_AR_G_MASK)
/* Data segments: type 3, read/write accessed (<asm/vmx.h>'s bit 2 is E). */
#define NVMX_AR_TYPE_DATA_RW_ACCESSED	3
#define NVMX_HOST_DATA_AR	(NVMX_AR_TYPE_DATA_RW_ACCESSED | VMX_AR_S_MASK | \
				 VMX_AR_P_MASK | VMX_AR_DB_MASK | VMX_AR_G_MASK)
#define NVMX_HOST_TR_AR		(VMX_AR_TYPE_BUSY_64_TSS | VMX_AR_P_MASK)
/* CR0 bits a VM exit leaves alone (SDM 27.5.1). */
#define NVMX_CR0_EXIT_KEEP	(X86_CR0_ET | X86_CR0_CD | X86_CR0_NW)

static void nvmx_host_segment(unsigned int i, u16 sel, u64 base, u32 limit,
			      u32 ar)
{
	nvmx_vmwrite(GUEST_ES_SELECTOR + i * 2, sel);
	nvmx_vmwrite(GUEST_ES_BASE + i * 2, base);
	nvmx_vmwrite(GUEST_ES_LIMIT + i * 2, limit);
	nvmx_vmwrite(GUEST_ES_AR_BYTES + i * 2, ar);
}

/* After ES..GS (enum nvmx_seg), the VMCS encodes LDTR and TR. */
#define NVMX_SEG_LDTR	6
#define NVMX_SEG_TR	7
static_assert(NVMX_SEG_GS == 5);

/* vmcs01 is current: L1's registers from vmcs12's host-state area. */
static void nvmx_load_l1_host_state(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;
	struct nvmx_vmcs12 *v12 = n->vmcs12;
	bool host64 = v12->vm_exit_controls & VM_EXIT_HOST_ADDR_SPACE_SIZE;
	u64 efer = vcpu->efer;
	u32 code_ar = NVMX_HOST_CODE_AR |
		      (host64 ? VMX_AR_L_MASK : VMX_AR_DB_MASK);
	static const struct {
		u8 seg;
		u8 host_idx;
	} data_segs[] = {
		{ NVMX_SEG_ES, NVMX_V12_host_es_selector },
		{ NVMX_SEG_SS, NVMX_V12_host_ss_selector },
		{ NVMX_SEG_DS, NVMX_V12_host_ds_selector },
		{ NVMX_SEG_FS, NVMX_V12_host_fs_selector },
		{ NVMX_SEG_GS, NVMX_V12_host_gs_selector },
	};
	unsigned int i;

	if (v12->vm_exit_controls & VM_EXIT_LOAD_IA32_EFER)
		efer = v12->host_ia32_efer;
	else if (host64)
		efer |= EFER_LMA | EFER_LME;
	else
		efer &= ~(EFER_LMA | EFER_LME);
	nvmx_set_efer(vcpu, efer, true);
	nvmx_write_cr0(vcpu, (v12->host_cr0 & ~NVMX_CR0_EXIT_KEEP) |
			     (n->l1_cr0 & NVMX_CR0_EXIT_KEEP));
	nvmx_write_cr4(vcpu, v12->host_cr4);
	nvmx_vmwrite(GUEST_CR3, v12->host_cr3);
	if ((nvmx_read_cr0(vcpu) & X86_CR0_PG) &&
	    (nvmx_read_cr4(vcpu) & X86_CR4_PAE) && !(vcpu->efer & EFER_LMA))
		nvmx_load_pdptrs(vcpu, v12->host_cr3);
	/* DR7 is 400H and DEBUGCTL 0 after a VM exit. */
	vcpu->dr7 = NVMX_DR7_FIXED_1;
	nvmx_vmwrite(GUEST_SYSENTER_CS, v12->host_ia32_sysenter_cs);
	nvmx_vmwrite(GUEST_SYSENTER_ESP, v12->host_ia32_sysenter_esp);
	nvmx_vmwrite(GUEST_SYSENTER_EIP, v12->host_ia32_sysenter_eip);
	/* Without "load IA32_PAT" the exit leaves PAT as L2 had it. */
	nvmx_vmwrite(GUEST_IA32_PAT,
		     v12->vm_exit_controls & VM_EXIT_LOAD_IA32_PAT ?
		     v12->host_ia32_pat : n->l2_pat);

	nvmx_host_segment(NVMX_SEG_CS, v12->host_cs_selector, 0, 0xffffffff,
			  code_ar);
	for (i = 0; i < ARRAY_SIZE(data_segs); i++) {
		u16 sel = nvmx_vmcs12_get(v12, data_segs[i].host_idx);
		u64 base = 0;

		if (data_segs[i].seg == NVMX_SEG_FS)
			base = v12->host_fs_base;
		else if (data_segs[i].seg == NVMX_SEG_GS)
			base = v12->host_gs_base;
		nvmx_host_segment(data_segs[i].seg, sel, base, 0xffffffff,
				  sel ? NVMX_HOST_DATA_AR :
					NVMX_HOST_DATA_AR | VMX_AR_UNUSABLE_MASK);
	}
	nvmx_host_segment(NVMX_SEG_LDTR, 0, 0, 0, VMX_AR_UNUSABLE_MASK);
	nvmx_host_segment(NVMX_SEG_TR, v12->host_tr_selector, v12->host_tr_base,
			  0x67, NVMX_HOST_TR_AR);
	nvmx_vmwrite(GUEST_GDTR_BASE, v12->host_gdtr_base);
	nvmx_vmwrite(GUEST_GDTR_LIMIT, 0xffff);
	nvmx_vmwrite(GUEST_IDTR_BASE, v12->host_idtr_base);
	nvmx_vmwrite(GUEST_IDTR_LIMIT, 0xffff);
	nvmx_vmwrite(GUEST_RSP, v12->host_rsp);
	nvmx_vmwrite(GUEST_RIP, v12->host_rip);
	nvmx_vmwrite(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	nvmx_vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	nvmx_vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	/* L1 has no VPID: its translations are flushed by the exit. */
	vcpu->flush_tlb = true;
}

/*
 * The VM-exit MSR-store area (L2's values) and MSR-load area (L1's). A
 * failure to load is a VMX abort (SDM 27.7): L1 shuts down.
 */
static int nvmx_exit_msr_areas(struct nvmx_vcpu *vcpu, bool store)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;
	u64 addr = store ? v12->vm_exit_msr_store_addr :
			   v12->vm_exit_msr_load_addr;
	u32 count = store ? v12->vm_exit_msr_store_count :
			    v12->vm_exit_msr_load_count;
	const char *failed;
	u32 i;

	if (count > nvmx_entry_msr_area_max(&vcpu->nested.caps))
		return -EINVAL;
	for (i = 0; i < count; i++) {
		struct nvmx_msr_entry e;
		u64 gpa = addr + i * sizeof(e);

		if (nvmx_read_guest(vcpu->vm, gpa, &e, sizeof(e)))
			return -EINVAL;
		if (store ? nvmx_exit_msr_store_check(e.index, e.reserved,
						      &failed) :
			    nvmx_exit_msr_load_check(e.index, e.reserved,
						     &failed))
			return -EINVAL;
		if (store) {
			if (nvmx_get_msr(vcpu, e.index, &e.value, false) ||
			    nvmx_write_guest(vcpu->vm, gpa + 8, &e.value, 8))
				return -EINVAL;
		} else if (nvmx_set_msr(vcpu, e.index, e.value, false)) {
			return -EINVAL;
		}
	}
	return 0;
}

/* An event L2 was being given when it exited goes to vmcs12 (SDM 27.2.4). */
static void nvmx_save_vectoring(struct nvmx_vcpu *vcpu)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;
	struct nvmx_event *e = &vcpu->injected;

	v12->idt_vectoring_info_field = 0;
	if (!e->valid)
		return;
	v12->idt_vectoring_info_field = e->vector | ((u32)e->type << 8) |
					VECTORING_INFO_VALID_MASK |
					(e->has_error ?
					 VECTORING_INFO_DELIVER_CODE_MASK : 0);
	/* Bits 15:0, as a CPU reports it (userspace may have set more). */
	v12->idt_vectoring_error_code = (u16)e->error_code;
	if (e->insn_len)
		v12->vm_exit_instruction_len = e->insn_len;
}

/* The exit information L1 reads, from vmcs02's (a hardware exit). */
static void nvmx_save_exit_info(struct nvmx_vcpu *vcpu, bool hw)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;

	if (hw) {
		v12->vm_exit_instruction_len =
			nvmx_vmread(VM_EXIT_INSTRUCTION_LEN);
		v12->vmx_instruction_info = nvmx_vmread(VMX_INSTRUCTION_INFO);
		v12->guest_linear_address = nvmx_vmread(GUEST_LINEAR_ADDRESS);
		v12->guest_physical_address =
			nvmx_vmread(GUEST_PHYSICAL_ADDRESS);
	}
	nvmx_save_vectoring(vcpu);
}

/* VMX-abort indicators (SDM "VMX Aborts"). */
#define NVMX_ABORT_SAVE_MSR	1
#define NVMX_ABORT_LOAD_MSR	4

/*
 * A VMX abort: the indicator goes into the vmcs12 region, and the logical
 * processor (L1) shuts down; the run loop ends KVM_RUN with
 * KVM_EXIT_SHUTDOWN (run.c).
 */
static void nvmx_nested_abort(struct nvmx_vcpu *vcpu, u32 indicator)
{
	struct nvmx_nested *n = &vcpu->nested;

	if (n->abort)
		return;
	n->vmcs12->abort = indicator;
	nvmx_write_guest(vcpu->vm,
			 n->current_vmptr + offsetof(struct nvmx_vmcs12, abort),
			 &indicator, sizeof(indicator));
	n->abort = true;
}

/* The switch to L1 common to every nested exit. vmcs02 is current. */
static void nvmx_leave_l2(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;

	n->l2_pat = nvmx_vmread(GUEST_IA32_PAT);
	n->guest_mode = false;
	vcpu->stat.guest_mode = 0;
	memset(&vcpu->injected, 0, sizeof(vcpu->injected));
	memset(&vcpu->pending, 0, sizeof(vcpu->pending));
	nvmx_vmcs02_release(vcpu);
	preempt_disable();
	nvmx_switch_vmcs(vcpu, &vcpu->vmcs01);
	preempt_enable();
	/* A policy table taken while L2 ran: vmcs01's exiting controls. */
	if (vcpu->policy_stale01) {
		nvmx_policy_apply_ctls(vcpu, false);
		vcpu->policy_stale01 = false;
	}
	/* L1's TSC set while L2 ran. */
	nvmx_tsc_vmcs01_sync(vcpu);
}

static void nvmx_nested_finish_exit(struct nvmx_vcpu *vcpu, u32 reason,
				    u64 qual, u32 intr_info, u32 intr_error)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;

	v12->vm_exit_reason = reason;
	v12->exit_qualification = qual;
	v12->vm_exit_intr_info = intr_info;
	v12->vm_exit_intr_error_code = intr_error;
	/* Every VM exit clears the entry event's valid bit. */
	v12->vm_entry_intr_info_field &= ~INTR_INFO_VALID_MASK;
	nvmx_load_l1_host_state(vcpu);
	/* VMX abort (SDM "VMX Aborts"): indicator 4, L1 shuts down. */
	if (nvmx_exit_msr_areas(vcpu, false))
		nvmx_nested_abort(vcpu, NVMX_ABORT_LOAD_MSR);
	/* The exit information and L2's state, for L1's shadowed VMREADs. */
	nvmx_shadow_push(vcpu);
	trace_nvmx_nested_vmexit_inject(vcpu->id, reason, qual, intr_info,
					intr_error);
}

/*
 * The nested VM exit. @reason has bit 31 for a VM-entry failure (no L2
 * state to save then). vmcs02 is current.
 */
static void __nvmx_nested_vmexit(struct nvmx_vcpu *vcpu, u32 reason,
				 u64 qual, u32 intr_info, u32 intr_error,
				 bool hw)
{
	bool entry_failed = reason & VMX_EXIT_REASONS_FAILED_VMENTRY;

	if (!entry_failed) {
		nvmx_vmcs02_sync_to_vmcs12(vcpu);
		nvmx_save_exit_info(vcpu, hw);
		if (nvmx_exit_msr_areas(vcpu, true))
			nvmx_nested_abort(vcpu, NVMX_ABORT_SAVE_MSR);
	}
	/* L1 runs on from its host state: vmcs01's guest state. */
	vcpu->dr7 = vcpu->nested.l1_dr7;
	nvmx_leave_l2(vcpu);
	nvmx_nested_finish_exit(vcpu, reason, qual, intr_info, intr_error);
}

/* A nested exit nvmx makes itself (no hardware exit information). */
void nvmx_nested_vmexit(struct nvmx_vcpu *vcpu, u32 reason, u64 qual,
			u32 intr_info, u32 intr_error)
{
	__nvmx_nested_vmexit(vcpu, reason, qual, intr_info, intr_error, false);
}

/*
 * A guest-state check failed before vmcs02 was touched: the VM-entry
 * failure exit loads L1's host state into vmcs01 directly.
 */
void nvmx_nested_entry_fail(struct nvmx_vcpu *vcpu, u32 basic, u64 qual)
{
	vcpu->nested.l1_cr0 = nvmx_read_cr0(vcpu);
	vcpu->nested.l2_pat = nvmx_vmread(GUEST_IA32_PAT);
	nvmx_nested_finish_exit(vcpu, basic | VMX_EXIT_REASONS_FAILED_VMENTRY,
				qual, 0, 0);
}

static int nvmx_read_l1_phys(void *opaque, u64 gpa, void *buf,
			     unsigned int len)
{
	return nvmx_read_guest(opaque, gpa, buf, len);
}

/* The hook the run loop calls for an exit while L2 runs. */
int nvmx_nested_handle_exit(struct nvmx_vcpu *vcpu)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;
	struct nvmx_route_ops ops = {
		.read_l1 = nvmx_read_l1_phys, .opaque = vcpu->vm,
	};
	struct nvmx_exit e = { 0 };
	enum nvmx_route route;
	u16 basic = vcpu->exit_reason;

	e.reason = vcpu->exit_reason;
	e.qual = nvmx_vmread(EXIT_QUALIFICATION);
	e.intr_info = nvmx_vmread(VM_EXIT_INTR_INFO);
	e.intr_error = nvmx_vmread(VM_EXIT_INTR_ERROR_CODE);
	e.idt_info = nvmx_vmread(IDT_VECTORING_INFO_FIELD);
	e.idt_error = nvmx_vmread(IDT_VECTORING_ERROR_CODE);
	e.insn_len = nvmx_vmread(VM_EXIT_INSTRUCTION_LEN);
	e.insn_info = nvmx_vmread(VMX_INSTRUCTION_INFO);
	if (basic == EXIT_REASON_CR_ACCESS) {
		e.cr_value = nvmx_gpr_read(vcpu, (e.qual >> 8) & 15);
		if (!(vcpu->efer & EFER_LMA) ||
		    !(nvmx_vmread(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK))
			e.cr_value = (u32)e.cr_value;
	}
	if (basic == EXIT_REASON_MSR_READ || basic == EXIT_REASON_MSR_WRITE)
		e.msr = vcpu->regs.gpr[NVMX_RCX];

	/*
	 * A VM-entry failure of vmcs02 is L1's (its vmcs12 held it), but a
	 * machine check during the entry is the host's.
	 */
	if (nvmx_entry_failed(vcpu) && basic != EXIT_REASON_MCE_DURING_VMENTRY &&
	    vcpu->nested.l2_entered) {
		/*
		 * L2 ran, and its state became invalid under it (userspace's
		 * KVM_SET_SREGS): nothing L1 did fails, so L2 shuts down, a
		 * triple-fault exit to L1, as kvm_intel gives.
		 */
		trace_nvmx_nested_vmexit(vcpu->id, e.reason, e.qual, 0,
					 NVMX_ROUTE_L1);
		nvmx_count_exit(vcpu, NVMX_LEVEL_L2_L1, basic, e.qual);
		nvmx_nested_vmexit(vcpu, EXIT_REASON_TRIPLE_FAULT, 0, 0, 0);
		return 1;
	}
	if (nvmx_entry_failed(vcpu))
		route = basic == EXIT_REASON_MCE_DURING_VMENTRY ?
			NVMX_ROUTE_L0 : NVMX_ROUTE_L1;
	else
		route = nvmx_route_exit(v12, &e, &ops);
	if (!nvmx_entry_failed(vcpu))
		vcpu->nested.l2_entered = true;
	trace_nvmx_nested_vmexit(vcpu->id, e.reason, e.qual, e.intr_info,
				 route);
	if (route == NVMX_ROUTE_L1) {
		nvmx_count_exit(vcpu, NVMX_LEVEL_L2_L1, basic, e.qual);
		nvmx_vmcs02_trace_reflected(vcpu, e.reason, e.qual, e.cr_value);
		__nvmx_nested_vmexit(vcpu, e.reason, e.qual, e.intr_info,
				     e.intr_error, true);
		/* After a VMX abort the run loop shuts L1 down. */
		return 1;
	}
	nvmx_count_exit(vcpu, NVMX_LEVEL_L2_L0, basic, e.qual);
	return nvmx_l0_handle_exit(vcpu);
}

/*
 * Before entering L2: an exception L0 queued for L2 that L1 intercepts is
 * a nested exit instead (an exception exit, as the CPU would have made).
 * Returns true when L1 is now the guest.
 */
bool nvmx_nested_check_events(struct nvmx_vcpu *vcpu)
{
	struct nvmx_event *p = &vcpu->pending;
	u64 qual = 0;
	u32 info;

	if (!vcpu->nested.guest_mode || !p->valid)
		return false;
	if (!nvmx_route_exception_wanted(vcpu->nested.vmcs12, p->vector,
					 (u16)p->error_code))
		return false;
	info = p->vector | ((u32)p->type << 8) | INTR_INFO_VALID_MASK |
	       (p->has_error ? INTR_INFO_DELIVER_CODE_MASK : 0);
	/*
	 * The exit's qualification is what delivery would have written (SDM
	 * 28.2.1): a #PF's address, a #DB's DR6 bits; neither CR2 nor DR6
	 * changes. Without a payload (a #PF userspace set without one) CR2
	 * already holds the address.
	 */
	if (p->has_payload)
		qual = p->payload;
	else if (p->vector == PF_VECTOR)
		qual = vcpu->regs.cr2;
	/* An exit's error code has bits 15:0 only, as the CPU's. */
	nvmx_nested_vmexit(vcpu, EXIT_REASON_EXCEPTION_NMI, qual, info,
			   (u16)p->error_code);
	return true;
}

/*
 * The CPU refused vmcs02 with VMfail: a check of nvmx's missed what the
 * CPU checks. L1 gets the VM-entry failure the CPU would have given it.
 */
void nvmx_nested_hw_vmfail(struct nvmx_vcpu *vcpu, u32 err)
{
	pr_info_ratelimited("vCPU %u: vmcs02 VMfail %u, reflected to L1\n",
			    vcpu->id, err);
	nvmx_nested_vmexit(vcpu, EXIT_REASON_INVALID_STATE |
			   VMX_EXIT_REASONS_FAILED_VMENTRY, 0, 0, 0);
}

/*
 * Leaves L2 without an exit L1 would see, for a vCPU being freed or reset
 * by userspace: L1 resumes at its host state.
 */
void nvmx_nested_force_exit(struct nvmx_vcpu *vcpu)
{
	if (!vcpu->nested.guest_mode)
		return;
	vcpu->dr7 = vcpu->nested.l1_dr7;
	nvmx_leave_l2(vcpu);
	nvmx_load_l1_host_state(vcpu);
}
