/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nested VMX's MSRs (nested/msrs.c, kernel only): the `nested` module
 * parameter, L1's IA32_VMX_* MSRs and IA32_FEATURE_CONTROL. Return
 * conventions as msr.c's: -EINVAL is #GP for the guest, a failed entry for
 * KVM_GET_MSRS/KVM_SET_MSRS.
 */
#ifndef NVMX_NESTED_MSRS_H
#define NVMX_NESTED_MSRS_H

#include <linux/types.h>

struct nvmx_vcpu;

/* The `nested` module parameter (read-only after load, as kvm_intel's). */
extern bool nvmx_nested;

/* Whether L1 may use VMX: nested is on and L1's CPUID.1:ECX.VMX is set. */
bool nvmx_nested_vmx_allowed(struct nvmx_vcpu *vcpu);

/* vCPU creation: L1's VMX MSRs start at nvmx's maximum for this host. */
void nvmx_nested_caps_init(struct nvmx_vcpu *vcpu);

/* After KVM_SET_CPUID2: CR4_FIXED1 and the CPUID-gated controls follow it. */
void nvmx_nested_after_set_cpuid(struct nvmx_vcpu *vcpu);

/* RDMSR/WRMSR and KVM_GET_MSRS/KVM_SET_MSRS of 0x480-0x491. */
int nvmx_nested_get_msr(struct nvmx_vcpu *vcpu, u32 index, u64 *data,
			bool host);
int nvmx_nested_set_msr(struct nvmx_vcpu *vcpu, u32 index, u64 data,
			bool host);

/* KVM_GET_MSRS on /dev/nvmx of 0x480-0x491: this host's maximum. */
int nvmx_nested_get_feature_msr(u32 index, u64 *data);

/* WRMSR and KVM_SET_MSRS of IA32_FEATURE_CONTROL. */
int nvmx_set_feature_control(struct nvmx_vcpu *vcpu, u64 data, bool host);

#endif /* NVMX_NESTED_MSRS_H */
