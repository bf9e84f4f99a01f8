// SPDX-License-Identifier: GPL-2.0
/*
 * Nested VMX state and the nested VM entry: the current vmcs12 and its
 * cache, VMLAUNCH/VMRESUME's checks and the switch from L1 to L2.
 *
 * While L2 runs, the vCPU's state (struct nvmx_vcpu, the current VMCS)
 * is L2's: vmcs02 is current, vcpu->cr0/cr4/efer/dr7 are L2's (for CR0
 * and CR4, the bits vmcs02 masks: nvmx_read_cr0/cr4() give the rest). GPRs are
 * shared, as VMX leaves them alone on entry and exit. L1's state comes
 * back from vmcs12's host-state area at the nested exit (exit.c), as the
 * SDM's VM-exit steps load it.
 */
#include <linux/mm.h>
#include <linux/slab.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "trace.h"
#include "vmx_ops.h"
#include "nested/entry.h"
#include "nested/merge.h"
#include "nested/msrs.h"
#include "nested/nested_int.h"

/* MAXPHYADDR as L1's CPUID gives it (36 without leaf 0x80000008). */
unsigned int nvmx_vcpu_maxphyaddr(struct nvmx_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e;
	unsigned int bits = 36;

	e = nvmx_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 0x80000008, 0);
	if (e && (e->eax & 0xff))
		bits = e->eax & 0xff;
	return min_t(unsigned int, bits, boot_cpu_data.x86_phys_bits);
}

int nvmx_nested_vcpu_init(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;

	n->current_vmptr = NVMX_NO_VMPTR;
	n->vmxon_ptr = NVMX_NO_VMPTR;
	nvmx_nested_caps_init(vcpu);
	return 0;
}

/* The vmcs02 and its pages, made on the first VMLAUNCH. */
static int nvmx_vmcs02_alloc(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;
	int r = -ENOMEM;

	if (n->vmcs02)
		return 0;
	n->msr_bitmap02 = alloc_page(GFP_KERNEL_ACCOUNT);
	if (!n->msr_bitmap02)
		return -ENOMEM;
	n->vmcs02 = kzalloc(sizeof(*n->vmcs02), GFP_KERNEL_ACCOUNT);
	if (!n->vmcs02)
		goto err_bitmap;
	r = nvmx_loaded_vmcs_alloc(n->vmcs02);
	if (r)
		goto err_vmcs;
	/* L2 gets its own VPID: L1 has none, and its TLB is not L2's. */
	n->vpid02 = nvmx_vpid_alloc();
	if (!n->vpid02) {
		r = -ENOMEM;
		goto err_loaded;
	}
	n->vmcs02_ready = false;
	return 0;

err_loaded:
	nvmx_loaded_vmcs_free(n->vmcs02);
err_vmcs:
	kfree(n->vmcs02);
	n->vmcs02 = NULL;
err_bitmap:
	__free_page(n->msr_bitmap02);
	n->msr_bitmap02 = NULL;
	return r;
}

void nvmx_nested_vcpu_free(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;

	nvmx_vmcs02_release(vcpu);
	nvmx_shadow_free(vcpu);
	if (n->vmcs02) {
		nvmx_loaded_vmcs_free(n->vmcs02);
		kfree(n->vmcs02);
		n->vmcs02 = NULL;
		nvmx_vpid_free(n->vpid02);
	}
	if (n->msr_bitmap02)
		__free_page(n->msr_bitmap02);
	n->msr_bitmap02 = NULL;
	kfree(n->vmcs12);
	n->vmcs12 = NULL;
}

/* Writes the cached vmcs12 back to L1's memory (VMCLEAR, VMPTRLD). */
void nvmx_vmcs12_flush(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;

	if (n->current_vmptr == NVMX_NO_VMPTR || !n->vmcs12)
		return;
	nvmx_shadow_pull(vcpu);
	/* A region in no slot, or read-only, loses the write, as ROM would. */
	nvmx_write_guest(vcpu->vm, n->current_vmptr, n->vmcs12,
			 sizeof(*n->vmcs12));
}

/*
 * Makes @vmptr the current VMCS: the old one is written back, the new one
 * read into the cache. The region's revision was checked by the caller.
 */
int nvmx_vmcs12_load(struct nvmx_vcpu *vcpu, u64 vmptr)
{
	struct nvmx_nested *n = &vcpu->nested;

	if (!n->vmcs12) {
		n->vmcs12 = kzalloc(NVMX_VMCS12_SIZE, GFP_KERNEL_ACCOUNT);
		if (!n->vmcs12)
			return -ENOMEM;
	}
	nvmx_vmcs12_flush(vcpu);
	if (nvmx_read_guest(vcpu->vm, vmptr, n->vmcs12, sizeof(*n->vmcs12)))
		memset(n->vmcs12, 0xff, sizeof(*n->vmcs12));
	/* Whatever L1 left in the region, the revision is what it passed. */
	n->vmcs12->revision_id = nvmx_caps_revision(&n->caps);
	if (n->vmcs12->launch_state != NVMX_VMCS12_LAUNCHED)
		n->vmcs12->launch_state = NVMX_VMCS12_CLEAR;
	n->current_vmptr = vmptr;
	bitmap_fill(n->dirty, NVMX_V12_NR);
	nvmx_shadow_load(vcpu);
	return 0;
}

static void nvmx_entry_env_fill(struct nvmx_vcpu *vcpu,
				struct nvmx_entry_env *env)
{
	struct nvmx_nested *n = &vcpu->nested;
	struct nvmx_vmcs12 *v12 = n->vmcs12;
	u8 vtpr = 0;

	memset(env, 0, sizeof(*env));
	env->caps = &n->caps;
	env->maxphyaddr = nvmx_vcpu_maxphyaddr(vcpu);
	env->va_bits = 48;
	env->ia32e = vcpu->efer & EFER_LMA;
	if (v12->cpu_based_vm_exec_control & CPU_BASED_TPR_SHADOW)
		nvmx_read_guest(vcpu->vm, v12->virtual_apic_page_addr + 0x80,
				&vtpr, 1);
	env->vtpr = vtpr;
	env->cr4_allowed = nvmx_cr4_allowed(vcpu);
	/* What L1 itself may put in these MSRs (msr.c): L2 no more. */
	env->efer_rsvd = ~(u64)(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX);
	env->debugctl_rsvd = ~0ULL;
	env->perf_global_ctrl_rsvd = ~0ULL;
	if (v12->vmcs_link_pointer != ~0ULL)
		env->link_readable =
			!nvmx_read_guest(vcpu->vm, v12->vmcs_link_pointer,
					 &env->link_header,
					 sizeof(env->link_header));
}

/* L1's EFER for L2 without "load IA32_EFER": LMA and LME follow the control. */
static u64 nvmx_l2_efer(struct nvmx_vcpu *vcpu)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;
	u64 efer = vcpu->efer;

	if (v12->vm_entry_controls & VM_ENTRY_LOAD_IA32_EFER)
		return v12->guest_ia32_efer;
	if (v12->vm_entry_controls & VM_ENTRY_IA32E_MODE)
		return efer | EFER_LMA | EFER_LME;
	return efer & ~(EFER_LMA | EFER_LME);
}

/* L2's CR0/CR4/EFER/DR7 into the vCPU and vmcs02. */
static void nvmx_enter_l2_state(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;
	struct nvmx_vmcs12 *v12 = n->vmcs12;

	n->l1_cr0 = vcpu->cr0;
	n->l1_dr7 = vcpu->dr7;
	vcpu->dr7 = v12->vm_entry_controls & VM_ENTRY_LOAD_DEBUG_CONTROLS ?
		    v12->guest_dr7 : vcpu->dr7;
	nvmx_set_efer(vcpu, nvmx_l2_efer(vcpu), true);
	nvmx_write_cr0(vcpu, v12->guest_cr0);
	nvmx_write_cr4(vcpu, v12->guest_cr4);
	/*
	 * Without nested EPT, PAE paging's PDPTEs come from L1 memory at
	 * CR3, as the CPU loads them at VM entry.
	 */
	if ((v12->guest_cr0 & X86_CR0_PG) && (v12->guest_cr4 & X86_CR4_PAE) &&
	    !(vcpu->efer & EFER_LMA))
		nvmx_load_pdptrs(vcpu, v12->guest_cr3);
	/* L1 has no VPID: entries and exits flush L2's translations. */
	vcpu->flush_tlb = true;
}

/*
 * VM-entry MSR-load area (SDM "Loading MSRs"): entry i failing gives exit
 * reason 34 with qualification i + 1. Returns 0 or that qualification.
 */
static u32 nvmx_entry_load_msrs(struct nvmx_vcpu *vcpu, const char **failed)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;
	u32 max = nvmx_entry_msr_area_max(&vcpu->nested.caps);
	u32 i;

	for (i = 0; i < v12->vm_entry_msr_load_count; i++) {
		struct nvmx_msr_entry e;

		/* Past the advertised maximum, as kvm_intel: the next entry fails. */
		if (i == max) {
			*failed = "msr_load_count";
			return i + 1;
		}
		*failed = "msr_load_read";
		if (nvmx_read_guest(vcpu->vm, v12->vm_entry_msr_load_addr +
				    i * sizeof(e), &e, sizeof(e)))
			return i + 1;
		if (nvmx_entry_msr_load_check(e.index, e.reserved, failed))
			return i + 1;
		*failed = "msr_load_wrmsr";
		if (nvmx_set_msr(vcpu, e.index, e.value, false))
			return i + 1;
	}
	return 0;
}

/* PAE paging without EPT: the PDPTEs VM entry loads from L1 memory. */
static u32 nvmx_entry_pdptes(struct nvmx_vcpu *vcpu,
			     const struct nvmx_entry_env *env, u64 *qual,
			     const char **failed)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;
	u64 pdpte[4];

	if (!nvmx_entry_uses_pdptes(v12))
		return 0;
	if (nvmx_read_guest(vcpu->vm, v12->guest_cr3 & ~0x1fULL, pdpte,
			    sizeof(pdpte)))
		memset(pdpte, 0xff, sizeof(pdpte));
	return nvmx_entry_check_pdptes(pdpte, env, qual, failed);
}

/*
 * VMLAUNCH/VMRESUME after the instruction's own checks (insn.c). Control
 * and host-state checks give VMfailValid; past them the instruction is
 * done, and guest-state or MSR-load failures are VM exits to L1.
 */
int nvmx_nested_run(struct nvmx_vcpu *vcpu, bool launch)
{
	struct nvmx_nested *n = &vcpu->nested;
	struct nvmx_vmcs12 *v12 = n->vmcs12;
	struct nvmx_entry_env env;
	const char *failed = NULL;
	u64 qual = 0;
	u32 err;
	int r;

	r = nvmx_vmcs02_alloc(vcpu);
	if (r)
		return r;
	nvmx_entry_env_fill(vcpu, &env);
	err = nvmx_entry_check_controls(v12, &env, &failed);
	if (!err)
		err = nvmx_entry_check_host(v12, &env, &failed);
	if (err) {
		trace_nvmx_nested_vmenter_failed(vcpu->id, err, 0, failed);
		return nvmx_nested_vmfail(vcpu, err);
	}
	trace_nvmx_nested_vmenter(vcpu->id, n->current_vmptr, v12->guest_rip,
				  launch);

	err = nvmx_entry_check_guest(v12, &env, &qual, &failed);
	if (!err)
		err = nvmx_entry_pdptes(vcpu, &env, &qual, &failed);
	if (err) {
		trace_nvmx_nested_vmenter_failed(vcpu->id, err, qual, failed);
		nvmx_nested_entry_fail(vcpu, EXIT_REASON_INVALID_STATE, qual);
		return 1;
	}

	/* L1's own CR0 bits live in vmcs01, which is about to go. */
	vcpu->cr0 = nvmx_read_cr0(vcpu);
	vcpu->cr4 = nvmx_read_cr4(vcpu);
	r = nvmx_vmcs02_build(vcpu);
	n->guest_mode = true;
	n->l2_entered = false;
	vcpu->stat.guest_mode = 1;
	nvmx_enter_l2_state(vcpu);
	if (r) {
		/* A virtual-APIC page in no slot: nothing to point vmcs02 at. */
		trace_nvmx_nested_vmenter_failed(vcpu->id,
						 EXIT_REASON_INVALID_STATE, 0,
						 "virtual-APIC page in no memslot");
		nvmx_nested_vmexit(vcpu, EXIT_REASON_INVALID_STATE |
				   VMX_EXIT_REASONS_FAILED_VMENTRY, 0, 0, 0);
		return 1;
	}
	qual = nvmx_entry_load_msrs(vcpu, &failed);
	if (qual) {
		trace_nvmx_nested_vmenter_failed(vcpu->id,
						 EXIT_REASON_MSR_LOAD_FAIL,
						 qual, failed);
		nvmx_nested_vmexit(vcpu, EXIT_REASON_MSR_LOAD_FAIL |
				   VMX_EXIT_REASONS_FAILED_VMENTRY, qual, 0, 0);
		return 1;
	}
	if (launch)
		v12->launch_state = NVMX_VMCS12_LAUNCHED;
	vcpu->stat.nested_run++;
	return 1;
}

/*
 * The value L0 gives CR0 (@cr 0) or CR4 (@cr 4) for an L2 MOV that L1 did
 * not intercept: the bits in L1's mask keep the value L1 set for them
 * (none of them changes, or the exit would have gone to L1).
 */
unsigned long nvmx_nested_cr_value(struct nvmx_vcpu *vcpu, unsigned int cr,
				   unsigned long val)
{
	struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;

	if (!vcpu->nested.guest_mode)
		return val;
	return cr == 0 ? nvmx_merge_cr0_l2_write(v12, val) :
			 nvmx_merge_cr4_l2_write(v12, val);
}
