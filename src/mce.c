// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's machine-check architecture: IA32_MCG_CAP, MCG_STATUS,
 * MCG_CTL and the MCi_CTL/STATUS/ADDR/MISC banks, all emulated (nothing of
 * the host's reaches a guest), KVM_X86_SETUP_MCE to choose the banks and
 * capabilities, and KVM_X86_SET_MCE to inject an error as KVM does: the
 * bank is written, and an uncorrected error raises #MC, or shuts the
 * guest down when a machine check is in progress or CR4.MCE is clear
 * (SDM Vol. 3 "Machine-Check Exception"). nvmx offers MCG_CTL_P and
 * MCG_SER_P, as KVM does, and neither CMCI nor LMCE: their MSRs
 * (MCi_CTL2, MCG_EXT_CTL) do not exist.
 *
 * A vCPU has no banks until KVM_X86_SETUP_MCE, as on KVM.
 */
#include <linux/kernel.h>
#include <linux/nospec.h>
#include <linux/uaccess.h>
#include <asm/mce.h>
#include <asm/msr-index.h>

#include "nvmx.h"

/* What KVM_X86_SETUP_MCE may ask for besides the bank and extended counts. */
#define NVMX_MCG_CAP_SUPPORTED	(MCG_CTL_P | MCG_SER_P)
#define NVMX_MCG_BANKS_MASK	0xffULL
#define NVMX_MCG_EXT_CNT_MASK	0xff0000ULL

/* KVM_X86_GET_MCE_CAP_SUPPORTED on /dev/nvmx. */
long nvmx_mce_cap_supported(void __user *argp)
{
	u64 cap = NVMX_MCG_CAP_SUPPORTED;

	return copy_to_user(argp, &cap, sizeof(cap)) ? -EFAULT : 0;
}

static unsigned int nvmx_mce_banks(struct nvmx_vcpu *vcpu)
{
	return vcpu->mcg_cap & NVMX_MCG_BANKS_MASK;
}

/* KVM_X86_SETUP_MCE: 1 to NVMX_MCE_BANKS banks, supported bits only. */
long nvmx_vcpu_setup_mce(struct nvmx_vcpu *vcpu, void __user *argp)
{
	unsigned int banks, i;
	u64 cap;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	banks = cap & NVMX_MCG_BANKS_MASK;
	if (!banks || banks > NVMX_MCE_BANKS)
		return -EINVAL;
	if (cap & ~(NVMX_MCG_CAP_SUPPORTED | NVMX_MCG_BANKS_MASK |
		    NVMX_MCG_EXT_CNT_MASK))
		return -EINVAL;
	vcpu->mcg_cap = cap;
	/* Reporting on: MCG_CTL and each MCi_CTL all ones, as KVM sets them. */
	if (cap & MCG_CTL_P)
		vcpu->mcg_ctl = ~0ULL;
	for (i = 0; i < banks; i++)
		vcpu->mce_banks[i * 4] = ~0ULL;
	return 0;
}

/*
 * KVM_X86_SET_MCE: an error in bank mce.bank. Uncorrected errors are
 * dropped while MCG_CTL or the bank's MCi_CTL disables them.
 */
long nvmx_vcpu_set_mce(struct nvmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_x86_mce mce;
	unsigned int banks = nvmx_mce_banks(vcpu);
	u64 *bank;
	bool uc;

	if (copy_from_user(&mce, argp, sizeof(mce)))
		return -EFAULT;
	if (mce.bank >= banks || !(mce.status & MCI_STATUS_VAL))
		return -EINVAL;
	bank = &vcpu->mce_banks[array_index_nospec(mce.bank, banks) * 4];
	uc = mce.status & MCI_STATUS_UC;

	/* Uncorrected, no action (UCNA): only logged (no CMCI to signal it). */
	if (uc && !mce.mcg_status &&
	    !(mce.status & (MCI_STATUS_PCC | MCI_STATUS_S | MCI_STATUS_AR))) {
		bank[1] = mce.status;
		bank[2] = mce.addr;
		bank[3] = mce.misc;
		vcpu->mcg_status = mce.mcg_status;
		return 0;
	}
	if (uc && (((vcpu->mcg_cap & MCG_CTL_P) && vcpu->mcg_ctl != ~0ULL) ||
		   bank[0] != ~0ULL))
		return 0;
	if (uc) {
		nvmx_vcpu_load(vcpu);
		if ((vcpu->mcg_status & MCG_STATUS_MCIP) ||
		    !(nvmx_read_cr4(vcpu) & X86_CR4_MCE)) {
			/* A machine check the guest cannot take: shutdown. */
			vcpu->triple_fault = true;
			nvmx_vcpu_put(vcpu);
			return 0;
		}
		nvmx_vcpu_put(vcpu);
		if (bank[1] & MCI_STATUS_VAL)
			mce.status |= MCI_STATUS_OVER;
		bank[2] = mce.addr;
		bank[3] = mce.misc;
		vcpu->mcg_status = mce.mcg_status;
		bank[1] = mce.status;
		nvmx_queue_exception(vcpu, MC_VECTOR, false, 0);
	} else if (!(bank[1] & MCI_STATUS_VAL) || !(bank[1] & MCI_STATUS_UC)) {
		/* A corrected error: logged over an earlier corrected one. */
		if (bank[1] & MCI_STATUS_VAL)
			mce.status |= MCI_STATUS_OVER;
		bank[2] = mce.addr;
		bank[3] = mce.misc;
		bank[1] = mce.status;
	} else {
		/* An uncorrected error stays; the corrected one overflows. */
		bank[1] |= MCI_STATUS_OVER;
	}
	return 0;
}

/* The bank register @index names, or NULL when it is not one this vCPU has. */
static u64 *nvmx_mce_bank_reg(struct nvmx_vcpu *vcpu, u32 index)
{
	unsigned int n = nvmx_mce_banks(vcpu) * 4;

	if (index < MSR_IA32_MC0_CTL || index - MSR_IA32_MC0_CTL >= n)
		return NULL;
	return &vcpu->mce_banks[array_index_nospec(index - MSR_IA32_MC0_CTL, n)];
}

/* Whether @index is an MSR of the machine-check architecture nvmx knows. */
static bool nvmx_is_mce_msr(u32 index)
{
	return index == MSR_IA32_MCG_CAP || index == MSR_IA32_MCG_STATUS ||
	       index == MSR_IA32_MCG_CTL ||
	       (index >= MSR_IA32_MC0_CTL &&
		index < MSR_IA32_MC0_CTL + 4 * NVMX_MCE_BANKS);
}

/* Reads a machine-check MSR: 0, -EINVAL (refused), -ENOENT (not one). */
int nvmx_mce_get_msr(struct nvmx_vcpu *vcpu, u32 index, u64 *data, bool host)
{
	u64 *reg;

	if (!nvmx_is_mce_msr(index))
		return -ENOENT;
	switch (index) {
	case MSR_IA32_MCG_CAP:
		*data = vcpu->mcg_cap;
		return 0;
	case MSR_IA32_MCG_STATUS:
		*data = vcpu->mcg_status;
		return 0;
	case MSR_IA32_MCG_CTL:
		/* Without MCG_CTL_P only the host sees it (0), as on KVM. */
		if (!(vcpu->mcg_cap & MCG_CTL_P) && !host)
			return -EINVAL;
		*data = vcpu->mcg_ctl;
		return 0;
	}
	reg = nvmx_mce_bank_reg(vcpu, index);
	if (!reg)
		return -EINVAL;
	*data = *reg;
	return 0;
}

/* Writes a machine-check MSR, with KVM's rules for each. */
int nvmx_mce_set_msr(struct nvmx_vcpu *vcpu, u32 index, u64 data, bool host)
{
	u32 offset;
	u64 *reg;

	if (!nvmx_is_mce_msr(index))
		return -ENOENT;
	switch (index) {
	case MSR_IA32_MCG_CAP:
		/* Read-only: KVM_X86_SETUP_MCE sets it. */
		return -EINVAL;
	case MSR_IA32_MCG_STATUS:
		vcpu->mcg_status = data;
		return 0;
	case MSR_IA32_MCG_CTL:
		if (!(vcpu->mcg_cap & MCG_CTL_P) && (data || !host))
			return -EINVAL;
		if (data && data != ~0ULL)
			return -EINVAL;
		vcpu->mcg_ctl = data;
		return 0;
	}
	reg = nvmx_mce_bank_reg(vcpu, index);
	if (!reg)
		return -EINVAL;
	offset = (index - MSR_IA32_MC0_CTL) % 4;
	/*
	 * MCi_CTL: 0 or all ones (bits 10 and 0 may be clear: Linux and
	 * UnixWare clear them, and KVM lets them). MCi_STATUS: the guest may
	 * only clear it; the host restores any value.
	 */
	if (offset == 0 && data && (data | BIT_ULL(10) | 1) != ~0ULL)
		return -EINVAL;
	if (offset == 1 && data && !host)
		return -EINVAL;
	*reg = data;
	return 0;
}
