/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMX capabilities: the IA32_VMX_* MSRs nvmx reads at load, what nvmx
 * requires of them, and the control-adjust helpers. Pure logic (see pure.h).
 */
#ifndef NVMX_CAPS_H
#define NVMX_CAPS_H

#include "pure.h"

/* One u64 per row of cap_msrs.h, in the same order (checked in caps.c). */
struct nvmx_vmx_caps {
	u64 basic;
	u64 pinbased;
	u64 procbased;
	u64 exit;
	u64 entry;
	u64 misc;
	u64 cr0_fixed0;
	u64 cr0_fixed1;
	u64 cr4_fixed0;
	u64 cr4_fixed1;
	u64 vmcs_enum;
	u64 procbased2;
	u64 ept_vpid;
	u64 vmfunc;
};

enum nvmx_cap_msr_index {
#define NVMX_CAP_MSR(field, msr, name) NVMX_CAP_IDX_##field,
#include "cap_msrs.h"
#undef NVMX_CAP_MSR
	NVMX_CAP_NR_MSRS
};

struct nvmx_cap_msr {
	u32 msr;
	u32 offset;
	const char *name;
};

extern const struct nvmx_cap_msr nvmx_cap_msrs[NVMX_CAP_NR_MSRS];

/* IA32_VMX_BASIC */
#define NVMX_BASIC_REVISION_MASK	0x7fffffffULL
#define NVMX_BASIC_VMCS_SIZE_SHIFT	32
#define NVMX_BASIC_VMCS_SIZE_MASK	(0x1fffULL << NVMX_BASIC_VMCS_SIZE_SHIFT)
#define NVMX_BASIC_32BIT_PHYS		BIT_ULL(48)
#define NVMX_BASIC_MEMTYPE_SHIFT	50
#define NVMX_BASIC_MEMTYPE_MASK		(0xfULL << NVMX_BASIC_MEMTYPE_SHIFT)
#define NVMX_MEMTYPE_WB			6ULL
#define NVMX_BASIC_TRUE_CTLS		BIT_ULL(55)

/* Allowed-1 settings live in bits 63:32 of a control MSR. */
#define NVMX_ALLOWED1(bit)		BIT_ULL(32 + (bit))

/* Primary processor-based VM-execution controls */
#define NVMX_PROC_TPR_SHADOW		21
#define NVMX_PROC_MSR_BITMAPS		28
#define NVMX_PROC_SECONDARY		31

/* Secondary processor-based VM-execution controls */
#define NVMX_PROC2_EPT			1
#define NVMX_PROC2_VPID			5
#define NVMX_PROC2_UNRESTRICTED		7
#define NVMX_PROC2_VMFUNC		13

/* VM-exit and VM-entry controls */
#define NVMX_EXIT_HOST_64BIT		9
#define NVMX_ENTRY_IA32E_GUEST		9

/* IA32_VMX_EPT_VPID_CAP */
#define NVMX_EPT_WALK_4			BIT_ULL(6)
#define NVMX_EPT_MEMTYPE_WB		BIT_ULL(14)
#define NVMX_EPT_INVEPT			BIT_ULL(20)
#define NVMX_EPT_INVEPT_SINGLE		BIT_ULL(25)
#define NVMX_EPT_INVEPT_ALL		BIT_ULL(26)
#define NVMX_VPID_INVVPID		BIT_ULL(32)
#define NVMX_VPID_INVVPID_SINGLE	BIT_ULL(41)
#define NVMX_VPID_INVVPID_ALL		BIT_ULL(42)

/* The largest VMCS region nvmx handles: one page. */
#define NVMX_VMCS_MAX_SIZE		4096U

bool nvmx_cap_msr_present(const struct nvmx_vmx_caps *caps,
			  enum nvmx_cap_msr_index idx);
const char *nvmx_caps_missing(const struct nvmx_vmx_caps *caps);
const char *nvmx_caps_differ(const struct nvmx_vmx_caps *a,
			     const struct nvmx_vmx_caps *b);
int nvmx_ctls_adjust(u64 cap_msr, u32 required, u32 optional, u32 *result);
bool nvmx_cr_fixed_ok(u64 val, u64 fixed0, u64 fixed1);

static inline u32 nvmx_caps_revision(const struct nvmx_vmx_caps *caps)
{
	return (u32)(caps->basic & NVMX_BASIC_REVISION_MASK);
}

static inline u32 nvmx_caps_vmcs_size(const struct nvmx_vmx_caps *caps)
{
	return (u32)((caps->basic & NVMX_BASIC_VMCS_SIZE_MASK) >>
		     NVMX_BASIC_VMCS_SIZE_SHIFT);
}

#endif /* NVMX_CAPS_H */
