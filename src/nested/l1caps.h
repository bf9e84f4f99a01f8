/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The IA32_VMX_* MSRs L1 sees: computed from the host's capabilities by one
 * table (nested/caps.c), restricted by userspace with KVM 6.1's rules, read
 * by L1 with RDMSR. Pure logic (see pure.h).
 *
 * Named l1caps.h, not caps.h: nested/nested.h includes "caps.h" and means
 * src/caps.h, which a nested/caps.h next to it would shadow.
 */
#ifndef NVMX_NESTED_L1CAPS_H
#define NVMX_NESTED_L1CAPS_H

#include "pure.h"
#include "caps.h"

/* The VMX capability MSRs, 0x480-0x491 (SDM vol. 3, appendix A). */
#define NVMX_MSR_VMX_BASIC		0x480U
#define NVMX_MSR_VMX_PINBASED		0x481U
#define NVMX_MSR_VMX_PROCBASED		0x482U
#define NVMX_MSR_VMX_EXIT		0x483U
#define NVMX_MSR_VMX_ENTRY		0x484U
#define NVMX_MSR_VMX_MISC		0x485U
#define NVMX_MSR_VMX_CR0_FIXED0		0x486U
#define NVMX_MSR_VMX_CR0_FIXED1		0x487U
#define NVMX_MSR_VMX_CR4_FIXED0		0x488U
#define NVMX_MSR_VMX_CR4_FIXED1		0x489U
#define NVMX_MSR_VMX_VMCS_ENUM		0x48aU
#define NVMX_MSR_VMX_PROCBASED2		0x48bU
#define NVMX_MSR_VMX_EPT_VPID		0x48cU
#define NVMX_MSR_VMX_TRUE_PINBASED	0x48dU
#define NVMX_MSR_VMX_TRUE_PROCBASED	0x48eU
#define NVMX_MSR_VMX_TRUE_EXIT		0x48fU
#define NVMX_MSR_VMX_TRUE_ENTRY		0x490U
#define NVMX_MSR_VMX_VMFUNC		0x491U
#define NVMX_MSR_VMX_FIRST		NVMX_MSR_VMX_BASIC
#define NVMX_MSR_VMX_LAST		NVMX_MSR_VMX_VMFUNC

static inline bool nvmx_is_vmx_cap_msr(u32 msr)
{
	return msr >= NVMX_MSR_VMX_FIRST && msr <= NVMX_MSR_VMX_LAST;
}

/* IA32_VMX_BASIC bits besides those in caps.h */
#define NVMX_BASIC_DUAL_MONITOR		BIT_ULL(49)
#define NVMX_BASIC_INOUT		BIT_ULL(54)
#define NVMX_BASIC_NO_HW_ERRCODE	BIT_ULL(56)

/* IA32_VMX_MISC */
#define NVMX_MISC_TIMER_RATE_MASK	0x1fULL
#define NVMX_MISC_SAVE_LMA		BIT_ULL(5)
#define NVMX_MISC_ACTIVITY_MASK		(0x7ULL << 6)
#define NVMX_MISC_CR3_COUNT_SHIFT	16
#define NVMX_MISC_CR3_COUNT_MASK	(0x1ffULL << NVMX_MISC_CR3_COUNT_SHIFT)
#define NVMX_MISC_MAX_MSR_SHIFT		25
#define NVMX_MISC_MAX_MSR_MASK		(0x7ULL << NVMX_MISC_MAX_MSR_SHIFT)
#define NVMX_MISC_VMWRITE_ANY		BIT_ULL(29)
#define NVMX_MISC_MSEG_SHIFT		32

/* Pin-based control "activate VMX-preemption timer". */
#define NVMX_PIN_PREEMPTION_TIMER	6

/* CR4.VMXE. */
#define NVMX_CR4_VMXE			BIT_ULL(13)

/* Secondary controls whose instruction L1's CPUID must have. */
#define NVMX_PROC2_RDTSCP		3
#define NVMX_PROC2_INVPCID		12

/*
 * L1's maximum: what nvmx emulates, within what the host allows. This is
 * what /dev/nvmx's feature MSRs report and what a vCPU starts with.
 */
void nvmx_l1_caps_max(const struct nvmx_vmx_caps *host,
		      struct nvmx_vmx_caps *l1);

/*
 * Reads VMX capability MSR @msr from @l1: false if @msr is not one. The
 * legacy control MSRs (0x481-0x484) are the true ones with the SDM's
 * default-1 bits set (appendix A.2).
 */
bool nvmx_l1_caps_read(const struct nvmx_vmx_caps *l1, u32 msr, u64 *val);

/*
 * Userspace's KVM_SET_MSRS of @msr = @val into @l1, which must stay within
 * @max: KVM 6.1's rules (vmx_set_vmx_msr). Returns 0, -EBUSY while L1 is in
 * VMX operation (@vmxon), or -EINVAL with *@why naming the rule that failed
 * (also for an MSR that is not restorable: the legacy controls and the
 * FIXED1 MSRs, which nvmx derives).
 */
int nvmx_l1_caps_restrict(struct nvmx_vmx_caps *l1,
			  const struct nvmx_vmx_caps *max, u32 msr, u64 val,
			  bool vmxon, const char **why);

/*
 * Follows L1's CPUID (at KVM_SET_CPUID2), as KVM does: CR4_FIXED1 is
 * @max's cut to @cr4_allowed (the CR4 bits L1's CPUID and nvmx allow, VMXE
 * included) and to CR4_FIXED0; "enable RDTSCP" and "enable INVPCID" are
 * offered (as far as @max has them) only if L1's CPUID has the instruction.
 */
void nvmx_l1_caps_follow_cpuid(struct nvmx_vmx_caps *l1,
			       const struct nvmx_vmx_caps *max,
			       u64 cr4_allowed, bool rdtscp, bool invpcid);

#endif /* NVMX_NESTED_L1CAPS_H */
