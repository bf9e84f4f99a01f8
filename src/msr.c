// SPDX-License-Identifier: GPL-2.0
/*
 * Guest MSRs: RDMSR and WRMSR exits, and KVM_GET_MSRS/KVM_SET_MSRS.
 *
 * Every MSR access exits except those in nvmx_msr_passthrough, whose guest
 * value the VMCS switches on entry and exit. An MSR nvmx does not model
 * gives the guest #GP, as KVM does without ignore_msrs; host accesses to
 * it fail (KVM_GET/SET_MSRS stop there).
 *
 * The SYSCALL MSRs and KERNEL_GS_BASE are the guest's own from vCPU
 * creation on (reset value 0); switch.c loads them for the guest and gives
 * the host its own back. Each is checked here, so that what switch.c
 * writes into the MSR cannot fault.
 */
#include <linux/kernel.h>
#include <linux/uaccess.h>
#include <asm/kvm_para.h>
#include <asm/msr.h>
#include <asm/mtrr.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "vmx_ops.h"
#include "nested/l1caps.h"

/* The x2APIC registers (lapic.c); the MSR bitmap intercepts them all. */
#define NVMX_X2APIC_MSR_FIRST	0x800
#define NVMX_X2APIC_MSR_LAST	0x8ff
#define NVMX_MTRR_CAP_VALUE	(0x508ULL)	/* 8 variable MTRRs, fixed, WC */
/* What guests read as their microcode revision (bits 63:32). */
#define NVMX_UCODE_REV		0x100000000ULL

static const u32 nvmx_msr_passthrough[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP,
	MSR_IA32_SYSENTER_EIP,
};

/* What KVM_GET_MSR_INDEX_LIST reports: every MSR nvmx saves and restores. */
static const u32 nvmx_msrs_to_save[] = {
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP,
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
	MSR_IA32_TSC, MSR_IA32_TSC_ADJUST, MSR_IA32_CR_PAT, MSR_EFER,
	MSR_IA32_APICBASE, MSR_IA32_MISC_ENABLE, MSR_IA32_FEAT_CTL,
	MSR_MTRRdefType, MSR_FS_BASE, MSR_GS_BASE,
	MSR_IA32_TSC_DEADLINE,
	MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME, MSR_KVM_WALL_CLOCK_NEW,
	MSR_KVM_SYSTEM_TIME_NEW, MSR_IA32_POWER_CTL, MSR_IA32_MCG_STATUS,
	MSR_IA32_MCG_CTL, MSR_PLATFORM_INFO,
	/* Last: listed only with nested on. KVM 6.1's restorable ones. */
	MSR_IA32_VMX_BASIC, MSR_IA32_VMX_TRUE_PINBASED_CTLS,
	MSR_IA32_VMX_TRUE_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS,
	MSR_IA32_VMX_TRUE_ENTRY_CTLS, MSR_IA32_VMX_MISC,
	MSR_IA32_VMX_CR0_FIXED0, MSR_IA32_VMX_CR4_FIXED0,
	MSR_IA32_VMX_VMCS_ENUM, MSR_IA32_VMX_PROCBASED_CTLS2,
	MSR_IA32_VMX_EPT_VPID_CAP, MSR_IA32_VMX_VMFUNC,
};

#define NVMX_NR_VMX_MSRS_TO_SAVE	12

/* Sets whether reads (or @write) of one MSR exit, in a VMX MSR bitmap. */
static void nvmx_msr_bitmap_set(u8 *bitmap, u32 msr, bool write, bool exit)
{
	unsigned int base;

	if (msr <= 0x1fff) {
		base = 0;
	} else if (msr >= 0xc0000000 && msr <= 0xc0001fff) {
		base = 1024;
		msr &= 0x1fff;
	} else {
		return;
	}
	/* Read bitmap at base, write bitmap 2 KiB after it. */
	if (write)
		base += 2048;
	if (exit)
		bitmap[base + msr / 8] |= 1 << (msr % 8);
	else
		bitmap[base + msr / 8] &= ~(1 << (msr % 8));
}

void nvmx_msr_bitmap_init(void *bitmap)
{
	unsigned int i;

	memset(bitmap, 0xff, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(nvmx_msr_passthrough); i++) {
		nvmx_msr_bitmap_set(bitmap, nvmx_msr_passthrough[i], false, false);
		nvmx_msr_bitmap_set(bitmap, nvmx_msr_passthrough[i], true, false);
	}
}

/* The passthrough MSRs exit again where the VM's MSR filter denies them. */
void nvmx_msr_bitmap_update(struct nvmx_vcpu *vcpu, void *bitmap)
{
	unsigned int i;
	u32 msr;

	for (i = 0; i < ARRAY_SIZE(nvmx_msr_passthrough); i++) {
		msr = nvmx_msr_passthrough[i];
		nvmx_msr_bitmap_set(bitmap, msr, false,
				    !nvmx_msr_allowed(vcpu, msr, false));
		nvmx_msr_bitmap_set(bitmap, msr, true,
				    !nvmx_msr_allowed(vcpu, msr, true));
	}
}

static bool nvmx_pat_valid(u64 pat)
{
	unsigned int i;

	for (i = 0; i < 8; i++) {
		u8 t = pat >> (i * 8);

		/* 2, 3 and above 7 are reserved memory types. */
		if (t == 2 || t == 3 || t > 7)
			return false;
	}
	return true;
}

static bool nvmx_mtrr_type_valid(u64 t)
{
	return t < 8 && t != 2 && t != 3;
}

static u64 *nvmx_mtrr_slot(struct nvmx_vcpu *vcpu, u32 index)
{
	if (index >= MTRRphysBase_MSR(0) && index <= MTRRphysMask_MSR(7))
		return &vcpu->mtrr_var[index - MTRRphysBase_MSR(0)];
	switch (index) {
	case MSR_MTRRfix64K_00000:
		return &vcpu->mtrr_fixed[0];
	case MSR_MTRRfix16K_80000:
	case MSR_MTRRfix16K_A0000:
		return &vcpu->mtrr_fixed[1 + index - MSR_MTRRfix16K_80000];
	}
	if (index >= MSR_MTRRfix4K_C0000 && index <= MSR_MTRRfix4K_F8000)
		return &vcpu->mtrr_fixed[3 + index - MSR_MTRRfix4K_C0000];
	return NULL;
}

/* The slot of a SYSCALL MSR the guest has its own value of, or NULL. */
static u64 *nvmx_syscall_msr(struct nvmx_vcpu *vcpu, u32 index)
{
	switch (index) {
	case MSR_STAR:
		return &vcpu->syscall_msrs[NVMX_STAR];
	case MSR_LSTAR:
		return &vcpu->syscall_msrs[NVMX_LSTAR];
	case MSR_CSTAR:
		return &vcpu->syscall_msrs[NVMX_CSTAR];
	case MSR_SYSCALL_MASK:
		return &vcpu->syscall_msrs[NVMX_SFMASK];
	}
	return NULL;
}

/*
 * Whether a SYSCALL MSR may hold @data: SFMASK's bits 63:32 are reserved,
 * LSTAR and CSTAR hold linear addresses and must be canonical; STAR has
 * no reserved bits.
 */
static bool nvmx_syscall_msr_valid(u32 index, u64 data)
{
	switch (index) {
	case MSR_SYSCALL_MASK:
		return !(data >> 32);
	case MSR_LSTAR:
	case MSR_CSTAR:
		return __is_canonical_address(data, 48);
	}
	return true;
}

/*
 * Reads a guest MSR. Any error is #GP for the guest and failure for the
 * host; -ENOENT says the MSR is not one nvmx has, -EINVAL that it refuses
 * the access (the two reasons of a user-space MSR exit).
 */
int nvmx_get_msr(struct nvmx_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	u64 *p;
	int r;

	switch (index) {
	case MSR_EFER:
		*data = vcpu->efer;
		return 0;
	case MSR_IA32_CR_PAT:
		*data = nvmx_vmread(GUEST_IA32_PAT);
		return 0;
	case MSR_FS_BASE:
		*data = nvmx_vmread(GUEST_FS_BASE);
		return 0;
	case MSR_GS_BASE:
		*data = nvmx_vmread(GUEST_GS_BASE);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		*data = nvmx_vmread(GUEST_SYSENTER_CS);
		return 0;
	case MSR_IA32_SYSENTER_ESP:
		*data = nvmx_vmread(GUEST_SYSENTER_ESP);
		return 0;
	case MSR_IA32_SYSENTER_EIP:
		*data = nvmx_vmread(GUEST_SYSENTER_EIP);
		return 0;
	case MSR_IA32_TSC:
		/* L2's view for L2 (as L2's RDTSC), L1's for the host. */
		*data = host ? nvmx_guest_tsc(vcpu) :
			nvmx_guest_tsc_current(vcpu);
		return 0;
	case MSR_IA32_TSC_ADJUST:
		*data = vcpu->tsc_adjust;
		return 0;
	case MSR_IA32_APICBASE:
		*data = vcpu->apic_base;
		return 0;
	case MSR_IA32_MISC_ENABLE:
		*data = vcpu->misc_enable;
		return 0;
	case MSR_IA32_FEAT_CTL:
		*data = vcpu->feature_control;
		return 0;
	case MSR_IA32_UCODE_REV:
		*data = NVMX_UCODE_REV;
		return 0;
	case MSR_MTRRcap:
		*data = NVMX_MTRR_CAP_VALUE;
		return 0;
	case MSR_MTRRdefType:
		*data = vcpu->mtrr_def_type;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		*data = nvmx_vmread(GUEST_IA32_DEBUGCTL);
		return 0;
	case MSR_KERNEL_GS_BASE:
		*data = nvmx_guest_kernel_gs_base(vcpu);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		*data = nvmx_lapic_get_tsc_deadline(vcpu);
		return 0;
	case NVMX_X2APIC_MSR_FIRST ... NVMX_X2APIC_MSR_LAST:
		return nvmx_lapic_x2apic_msr(vcpu, index, data, false);
	/* The old and new kvmclock MSRs share their state, as on KVM. */
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_WALL_CLOCK_NEW:
		*data = READ_ONCE(vcpu->vm->wall_clock_msr);
		return 0;
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_SYSTEM_TIME_NEW:
		*data = vcpu->system_time_msr;
		return 0;
	case MSR_IA32_POWER_CTL:
		*data = vcpu->power_ctl;
		return 0;
	case MSR_PLATFORM_INFO:
		if (!host && READ_ONCE(vcpu->vm->platform_info_hidden))
			return -EINVAL;
		*data = vcpu->platform_info;
		return 0;
	}
	if (nvmx_is_vmx_cap_msr(index))
		return nvmx_nested_get_msr(vcpu, index, data, host);
	r = nvmx_mce_get_msr(vcpu, index, data, host);
	if (r != -ENOENT)
		return r;
	p = nvmx_syscall_msr(vcpu, index);
	if (!p)
		p = nvmx_mtrr_slot(vcpu, index);
	/* An MSR nvmx does not have (KVM_MSR_EXIT_REASON_UNKNOWN). */
	if (!p)
		return -ENOENT;
	*data = *p;
	return 0;
}

/* Writes a guest MSR; errors as nvmx_get_msr()'s. */
int nvmx_set_msr(struct nvmx_vcpu *vcpu, u32 index, u64 data, bool host)
{
	u64 *p;
	int r;

	switch (index) {
	case MSR_EFER:
		return nvmx_set_efer(vcpu, data, host);
	case MSR_IA32_CR_PAT:
		if (!nvmx_pat_valid(data))
			return -EINVAL;
		nvmx_vmwrite(GUEST_IA32_PAT, data);
		return 0;
	case MSR_FS_BASE:
	case MSR_GS_BASE:
	case MSR_IA32_SYSENTER_ESP:
	case MSR_IA32_SYSENTER_EIP:
		if (!__is_canonical_address(data, 48))
			return -EINVAL;
		nvmx_vmwrite(index == MSR_FS_BASE ? GUEST_FS_BASE :
			     index == MSR_GS_BASE ? GUEST_GS_BASE :
			     index == MSR_IA32_SYSENTER_ESP ? GUEST_SYSENTER_ESP :
			     GUEST_SYSENTER_EIP, data);
		return 0;
	case MSR_IA32_SYSENTER_CS:
		nvmx_vmwrite(GUEST_SYSENTER_CS, data & 0xffff);
		return 0;
	case MSR_IA32_TSC: {
		u64 old = nvmx_guest_tsc(vcpu);

		/*
		 * A guest write to the TSC moves TSC_ADJUST with it. From L2
		 * too it sets L1's TSC, as on KVM.
		 */
		if (!host)
			vcpu->tsc_adjust += data - old;
		nvmx_tsc_set(vcpu, data);
		return 0;
	}
	case MSR_IA32_TSC_ADJUST:
		if (!host)
			nvmx_tsc_adjust(vcpu, data - vcpu->tsc_adjust);
		vcpu->tsc_adjust = data;
		return 0;
	case MSR_IA32_APICBASE:
		return nvmx_set_apic_base(vcpu, data, host);
	case MSR_IA32_MISC_ENABLE:
		/* Only userspace changes it; the guest may write it back. */
		if (!host && data != vcpu->misc_enable)
			return -EINVAL;
		vcpu->misc_enable = data;
		return 0;
	case MSR_IA32_FEAT_CTL:
		return nvmx_set_feature_control(vcpu, data, host);
	case MSR_IA32_UCODE_REV:
		return host ? 0 : -EINVAL;
	case MSR_MTRRdefType:
		if (data & ~0xcffULL || !nvmx_mtrr_type_valid(data & 0xff))
			return -EINVAL;
		vcpu->mtrr_def_type = data;
		return 0;
	case MSR_IA32_DEBUGCTLMSR:
		/* No LBRs or branch tracing for guests. */
		if (data)
			return -EINVAL;
		return 0;
	case MSR_KERNEL_GS_BASE:
		if (!__is_canonical_address(data, 48))
			return -EINVAL;
		nvmx_set_guest_kernel_gs_base(vcpu, data);
		return 0;
	case MSR_IA32_TSC_DEADLINE:
		nvmx_lapic_set_tsc_deadline(vcpu, data);
		return 0;
	case NVMX_X2APIC_MSR_FIRST ... NVMX_X2APIC_MSR_LAST:
		return nvmx_lapic_x2apic_msr(vcpu, index, &data, true);
	case MSR_KVM_WALL_CLOCK:
	case MSR_KVM_WALL_CLOCK_NEW:
		nvmx_kvmclock_set_wall_clock(vcpu, data);
		return 0;
	case MSR_KVM_SYSTEM_TIME:
	case MSR_KVM_SYSTEM_TIME_NEW:
		nvmx_kvmclock_set_system_time(vcpu, data);
		return 0;
	/* Only kept, as KVM keeps it: nvmx manages no power for guests. */
	case MSR_IA32_POWER_CTL:
		vcpu->power_ctl = data;
		return 0;
	/*
	 * Userspace's to set, the guest's to read. Not CPUID faulting: nvmx
	 * does not fault CPUID (no MSR_MISC_FEATURES_ENABLES).
	 */
	case MSR_PLATFORM_INFO:
		if (!host || (data & MSR_PLATFORM_INFO_CPUID_FAULT))
			return -EINVAL;
		vcpu->platform_info = data;
		return 0;
	}
	if (nvmx_is_vmx_cap_msr(index))
		return nvmx_nested_set_msr(vcpu, index, data, host);
	r = nvmx_mce_set_msr(vcpu, index, data, host);
	if (r != -ENOENT)
		return r;
	p = nvmx_syscall_msr(vcpu, index);
	if (p) {
		if (!nvmx_syscall_msr_valid(index, data))
			return -EINVAL;
		*p = data;
		return 0;
	}
	p = nvmx_mtrr_slot(vcpu, index);
	if (!p)
		return -ENOENT;
	*p = data;
	return 0;
}

/*
 * Feature MSRs: what userspace may read on /dev/nvmx to learn what a
 * guest can be given: the microcode revision, and with nested on every
 * VMX capability MSR (0x480-0x491, the last entries).
 */
static const u32 nvmx_feature_msrs[] = {
	MSR_IA32_UCODE_REV,
	MSR_IA32_VMX_BASIC, MSR_IA32_VMX_TRUE_PINBASED_CTLS,
	MSR_IA32_VMX_PINBASED_CTLS, MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
	MSR_IA32_VMX_PROCBASED_CTLS, MSR_IA32_VMX_TRUE_EXIT_CTLS,
	MSR_IA32_VMX_EXIT_CTLS, MSR_IA32_VMX_TRUE_ENTRY_CTLS,
	MSR_IA32_VMX_ENTRY_CTLS, MSR_IA32_VMX_MISC, MSR_IA32_VMX_CR0_FIXED0,
	MSR_IA32_VMX_CR0_FIXED1, MSR_IA32_VMX_CR4_FIXED0,
	MSR_IA32_VMX_CR4_FIXED1, MSR_IA32_VMX_VMCS_ENUM,
	MSR_IA32_VMX_PROCBASED_CTLS2, MSR_IA32_VMX_EPT_VPID_CAP,
	MSR_IA32_VMX_VMFUNC,
};

#define NVMX_NR_VMX_FEATURE_MSRS	18
static_assert(ARRAY_SIZE(nvmx_feature_msrs) == 1 + NVMX_NR_VMX_FEATURE_MSRS);

static int nvmx_copy_msr_list(struct kvm_msr_list __user *user,
			      const u32 *list, u32 want)
{
	u32 n;

	if (get_user(n, &user->nmsrs))
		return -EFAULT;
	if (put_user(want, &user->nmsrs))
		return -EFAULT;
	if (n < want)
		return -E2BIG;
	if (copy_to_user(user->indices, list, want * sizeof(*list)))
		return -EFAULT;
	return 0;
}

/* KVM_GET_MSR_INDEX_LIST on /dev/nvmx. */
int nvmx_msr_index_list(struct kvm_msr_list __user *user)
{
	return nvmx_copy_msr_list(user, nvmx_msrs_to_save,
				  ARRAY_SIZE(nvmx_msrs_to_save) -
				  (nvmx_nested ? 0 : NVMX_NR_VMX_MSRS_TO_SAVE));
}

/* KVM_GET_MSR_FEATURE_INDEX_LIST on /dev/nvmx. */
int nvmx_msr_feature_index_list(struct kvm_msr_list __user *user)
{
	return nvmx_copy_msr_list(user, nvmx_feature_msrs,
				  ARRAY_SIZE(nvmx_feature_msrs) -
				  (nvmx_nested ? 0 : NVMX_NR_VMX_FEATURE_MSRS));
}

/* KVM_GET_MSRS on /dev/nvmx: reads feature MSRs, stops at any other. */
int nvmx_get_feature_msrs(struct kvm_msrs __user *user)
{
	struct kvm_msr_entry __user *uentries = user->entries;
	struct kvm_msrs hdr;
	u32 i, index;
	u64 data;

	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nmsrs >= NVMX_MAX_IO_MSRS)
		return -E2BIG;
	for (i = 0; i < hdr.nmsrs; i++) {
		if (get_user(index, &uentries[i].index))
			return -EFAULT;
		if (index == MSR_IA32_UCODE_REV)
			data = NVMX_UCODE_REV;
		else if (nvmx_nested_get_feature_msr(index, &data))
			break;
		if (put_user(data, &uentries[i].data))
			return -EFAULT;
	}
	return i;
}
