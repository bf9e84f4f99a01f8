// SPDX-License-Identifier: GPL-2.0
/*
 * Nested VMX's MSRs: the `nested` module parameter, L1's IA32_VMX_* MSRs
 * (their values come from nested/caps.c) and IA32_FEATURE_CONTROL, with
 * KVM 6.1's semantics:
 *
 * - the guest reads the VMX MSRs only if its CPUID has VMX, and never
 *   writes them (#GP);
 * - userspace reads them with KVM_GET_MSRS (vCPU: L1's values; /dev/nvmx:
 *   the host's maximum) and restricts them with KVM_SET_MSRS while L1 is
 *   not in VMX operation, within the maximum (vmx_set_vmx_msr's rules);
 * - IA32_FEATURE_CONTROL's VMX bits exist only if CPUID has VMX; the guest
 *   cannot write it once locked, userspace always can.
 */
#include <linux/moduleparam.h>
#include <linux/printk.h>
#include <asm/msr-index.h>

#include "nvmx.h"
#include "nested/nested_int.h"
#include "nested/l1caps.h"
#include "nested/msrs.h"

bool nvmx_nested = true;
module_param_named(nested, nvmx_nested, bool, 0444);
MODULE_PARM_DESC(nested, "Offer VMX to guests (nested virtualization)");

bool nvmx_nested_vmx_allowed(struct nvmx_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e;

	if (!nvmx_nested)
		return false;
	e = nvmx_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 1, 0);
	return e && (e->ecx & NVMX_CPUID_1_ECX_VMX);
}

/* Restrictions are refused while L1 is in VMX operation (-EBUSY), as KVM. */
static bool nvmx_nested_vmxon(struct nvmx_vcpu *vcpu)
{
	return vcpu->nested.vmxon;
}

static void nvmx_l1_max(struct nvmx_vmx_caps *max)
{
	nvmx_l1_caps_max(&nvmx_caps, max);
}

void nvmx_nested_caps_init(struct nvmx_vcpu *vcpu)
{
	nvmx_l1_max(&vcpu->nested.caps);
}

static bool nvmx_cpuid_has(struct nvmx_vcpu *vcpu, u32 leaf, int reg, u32 bit)
{
	const struct kvm_cpuid_entry2 *e;
	u32 r[NVMX_CPUID_NR_REGS];

	e = nvmx_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, leaf, 0);
	if (!e)
		return false;
	r[NVMX_CPUID_EAX] = e->eax;
	r[NVMX_CPUID_EBX] = e->ebx;
	r[NVMX_CPUID_ECX] = e->ecx;
	r[NVMX_CPUID_EDX] = e->edx;
	return r[reg] & bit;
}

void nvmx_nested_after_set_cpuid(struct nvmx_vcpu *vcpu)
{
	struct nvmx_vmx_caps max;

	nvmx_l1_max(&max);
	nvmx_l1_caps_follow_cpuid(&vcpu->nested.caps, &max,
				  nvmx_cr4_allowed(vcpu),
				  nvmx_cpuid_has(vcpu, 0x80000001, NVMX_CPUID_EDX,
						 NVMX_CPUID_81_EDX_RDTSCP),
				  nvmx_cpuid_has(vcpu, 7, NVMX_CPUID_EBX,
						 NVMX_CPUID_7_EBX_INVPCID));
}

int nvmx_nested_get_msr(struct nvmx_vcpu *vcpu, u32 index, u64 *data,
			bool host)
{
	/* As KVM: without VMX in CPUID, no VMX MSRs, for userspace either. */
	if (!nvmx_nested_vmx_allowed(vcpu))
		return -EINVAL;
	return nvmx_l1_caps_read(&vcpu->nested.caps, index, data) ? 0 : -EINVAL;
}

int nvmx_nested_set_msr(struct nvmx_vcpu *vcpu, u32 index, u64 data,
			bool host)
{
	struct nvmx_vmx_caps max;
	const char *why;
	int r;

	/* Read-only for the guest. */
	if (!host || !nvmx_nested_vmx_allowed(vcpu))
		return -EINVAL;
	nvmx_l1_max(&max);
	r = nvmx_l1_caps_restrict(&vcpu->nested.caps, &max, index, data,
				  nvmx_nested_vmxon(vcpu), &why);
	if (r)
		pr_debug("vcpu %u: MSR 0x%x = 0x%llx refused: %s\n", vcpu->id,
			 index, data, why);
	return r;
}

int nvmx_nested_get_feature_msr(u32 index, u64 *data)
{
	struct nvmx_vmx_caps max;

	if (!nvmx_nested)
		return -EINVAL;
	nvmx_l1_max(&max);
	return nvmx_l1_caps_read(&max, index, data) ? 0 : -EINVAL;
}

int nvmx_set_feature_control(struct nvmx_vcpu *vcpu, u64 data, bool host)
{
	u64 valid = FEAT_CTL_LOCKED;

	/* Both VMX enables, as KVM: firmware may set either. */
	if (nvmx_nested_vmx_allowed(vcpu))
		valid |= FEAT_CTL_VMX_ENABLED_INSIDE_SMX |
			 FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX;
	if (data & ~valid)
		return -EINVAL;
	if (!host && (vcpu->feature_control & FEAT_CTL_LOCKED))
		return -EINVAL;
	/*
	 * KVM takes a host write of 0 as a reset: L1 leaves L2 and VMX
	 * operation.
	 */
	if (host && !data) {
		nvmx_nested_force_exit(vcpu);
		nvmx_nested_vmxoff(vcpu);
	}
	vcpu->feature_control = data;
	return 0;
}
