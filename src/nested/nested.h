/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nested VMX: the state nvmx keeps for an L1 that uses VMX, and the hooks
 * the L0 core calls. vmcs01 runs L1, vmcs12 is L1's VMCS for L2 (in L1
 * memory, cached here), vmcs02 runs L2 and is built from both.
 *
 * Locking: all of it belongs to the vCPU and is touched only under the
 * vCPU's mutex (vCPU ioctls, KVM_RUN), like the rest of struct nvmx_vcpu.
 */
#ifndef NVMX_NESTED_H
#define NVMX_NESTED_H

#include <linux/bitops.h>
#include <linux/types.h>

#include "caps.h"
#include "nested/vmcs12.h"

struct page;
struct nvmx_vcpu;

/* No current VMCS (VMPTRST stores this, as the SDM says). */
#define NVMX_NO_VMPTR		(~0ULL)

struct nvmx_nested {
	/*
	 * L1's IA32_VMX_* MSRs (nested/caps.c): computed at vCPU creation,
	 * restricted by userspace before the first KVM_RUN.
	 */
	struct nvmx_vmx_caps caps;

	/* VMX operation of L1: VMXON region and current-VMCS pointer. */
	bool vmxon;
	u64 vmxon_ptr;
	u64 current_vmptr;
	/* The current vmcs12, cached while it is current (kernel memory). */
	struct nvmx_vmcs12 *vmcs12;
	/* Rows L1 changed since vmcs02 last took them (RARE rows only). */
	unsigned long dirty[BITS_TO_LONGS(NVMX_V12_NR)];

	/* L2 is running (vmcs02 is the vCPU's VMCS). */
	bool guest_mode;
	/* vmcs02 was entered since the last VMLAUNCH/VMRESUME. */
	bool l2_entered;
	/* The VMCS L2 runs on, and whether its constant fields are written. */
	struct nvmx_loaded_vmcs *vmcs02;
	bool vmcs02_ready;
	/* Merged MSR bitmap for vmcs02 (vmcs01's | vmcs12's). */
	struct page *msr_bitmap02;
	/* L1's virtual-APIC page, referenced while L2 runs with it. */
	struct page *vapic_page;
	/* How vmcs02 gives L2 its CR8 (enum nvmx_tpr_mode, merge.h). */
	u8 tpr_mode;
	u16 vpid02;
	/* L1's CR0 and DR7 at VMLAUNCH (a VM exit keeps some CR0 bits). */
	unsigned long l1_cr0;
	unsigned long l1_dr7;
	/* L2's PAT at the exit: L1 keeps it unless the exit loads its own. */
	u64 l2_pat;
	/* A VM-exit MSR area failed: VMX abort, L1 shuts down. */
	bool abort;
	/* VMCS field writes of the last nested entry (the builder's cost). */
	u32 entry_writes;

	/*
	 * VMCS shadowing for L1 (shadow_vmcs.c): the shadow VMCS vmcs01's
	 * link pointer names while shadow_on, the VMREAD/VMWRITE bitmaps, and
	 * what the shadow VMCS holds (shadow_snap, valid once written).
	 */
	struct page *shadow_vmcs;
	struct page *shadow_read_bitmap;
	struct page *shadow_write_bitmap;
	struct nvmx_vmcs12 *shadow_snap;
	bool shadow_on;
	bool shadow_valid;
};

/* nested/nested.c */
int nvmx_nested_vcpu_init(struct nvmx_vcpu *vcpu);
void nvmx_nested_vcpu_free(struct nvmx_vcpu *vcpu);
int nvmx_nested_handle_exit(struct nvmx_vcpu *vcpu);
bool nvmx_nested_check_events(struct nvmx_vcpu *vcpu);
void nvmx_nested_force_exit(struct nvmx_vcpu *vcpu);
int nvmx_nested_run(struct nvmx_vcpu *vcpu, bool launch);
void nvmx_nested_vmexit(struct nvmx_vcpu *vcpu, u32 reason, u64 qual,
			u32 intr_info, u32 intr_error);
int nvmx_vmcs12_load(struct nvmx_vcpu *vcpu, u64 vmptr);
void nvmx_vmcs12_flush(struct nvmx_vcpu *vcpu);
unsigned long nvmx_nested_cr_value(struct nvmx_vcpu *vcpu, unsigned int cr,
				   unsigned long val);
void nvmx_nested_hw_vmfail(struct nvmx_vcpu *vcpu, u32 err);

/* nested/shadow_vmcs.c: VMCS shadowing for L1 */
void nvmx_shadow_load(struct nvmx_vcpu *vcpu);
void nvmx_shadow_pull(struct nvmx_vcpu *vcpu);
void nvmx_shadow_push(struct nvmx_vcpu *vcpu);
void nvmx_shadow_off(struct nvmx_vcpu *vcpu);
void nvmx_shadow_free(struct nvmx_vcpu *vcpu);

/* nested/insn.c: exits for L1's VMX instructions */
int nvmx_handle_vmx_insn(struct nvmx_vcpu *vcpu);

/* nested/vmcs02.c */
int nvmx_vmcs02_build(struct nvmx_vcpu *vcpu);
void nvmx_vmcs02_sync_to_vmcs12(struct nvmx_vcpu *vcpu);
void nvmx_vmcs02_release(struct nvmx_vcpu *vcpu);
void nvmx_vmcs02_trace_reflected(struct nvmx_vcpu *vcpu, u32 reason, u64 qual,
				 u64 cr_value);
u64 nvmx_nested_cr0_mask(struct nvmx_vcpu *vcpu, u64 mask0);
u64 nvmx_nested_cr4_mask(struct nvmx_vcpu *vcpu, u64 mask0);
unsigned long nvmx_nested_cr0_shadow(struct nvmx_vcpu *vcpu,
				     unsigned long cr0);
unsigned long nvmx_nested_cr4_shadow(struct nvmx_vcpu *vcpu,
				     unsigned long cr4);

#endif /* NVMX_NESTED_H */
