/* SPDX-License-Identifier: GPL-2.0 */
/* Interfaces between the files of src/nested/, not for the L0 core. */
#ifndef NVMX_NESTED_INT_H
#define NVMX_NESTED_INT_H

#include <linux/types.h>

struct nvmx_vcpu;

/* An entry of a VM-entry/VM-exit MSR area (SDM "VM-Entry Controls for MSRs"). */
struct nvmx_msr_entry {
	u32 index;
	u32 reserved;
	u64 value;
};

/* A VMCS encoding of a guest-state field: type bits 11:10 are 2. */
static inline bool nvmx_vmcs12_is_guest_state(u32 encoding)
{
	return ((encoding >> 10) & 3) == 2;
}

unsigned int nvmx_vcpu_maxphyaddr(struct nvmx_vcpu *vcpu);
int nvmx_nested_vmfail(struct nvmx_vcpu *vcpu, u32 err);
void nvmx_nested_vmxoff(struct nvmx_vcpu *vcpu);
void nvmx_nested_entry_fail(struct nvmx_vcpu *vcpu, u32 basic, u64 qual);

#endif /* NVMX_NESTED_INT_H */
