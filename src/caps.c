// SPDX-License-Identifier: GPL-2.0
/*
 * VMX capability checks and control adjustment. Pure logic: no Linux calls,
 * so selftests/unit builds this file as it is.
 */
#include "caps.h"

const struct nvmx_cap_msr nvmx_cap_msrs[NVMX_CAP_NR_MSRS] = {
#define NVMX_CAP_MSR(field, index, str) \
	[NVMX_CAP_IDX_##field] = { index, offsetof(struct nvmx_vmx_caps, field), str },
#include "cap_msrs.h"
#undef NVMX_CAP_MSR
};

/* selftests/unit checks that every caps field has its row, in order. */

static u64 nvmx_cap_value(const struct nvmx_vmx_caps *caps, u32 offset)
{
	return *(const u64 *)((const u8 *)caps + offset);
}

/*
 * Whether an MSR exists, judged from the MSRs read before it. Reading an
 * absent capability MSR faults, so the loader asks this first.
 */
bool nvmx_cap_msr_present(const struct nvmx_vmx_caps *caps,
			  enum nvmx_cap_msr_index idx)
{
	switch (idx) {
	case NVMX_CAP_IDX_basic:
	case NVMX_CAP_IDX_misc:
	case NVMX_CAP_IDX_cr0_fixed0:
	case NVMX_CAP_IDX_cr0_fixed1:
	case NVMX_CAP_IDX_cr4_fixed0:
	case NVMX_CAP_IDX_cr4_fixed1:
	case NVMX_CAP_IDX_vmcs_enum:
		return true;
	case NVMX_CAP_IDX_pinbased:
	case NVMX_CAP_IDX_procbased:
	case NVMX_CAP_IDX_exit:
	case NVMX_CAP_IDX_entry:
		return caps->basic & NVMX_BASIC_TRUE_CTLS;
	case NVMX_CAP_IDX_procbased2:
		return caps->procbased & NVMX_ALLOWED1(NVMX_PROC_SECONDARY);
	case NVMX_CAP_IDX_ept_vpid:
		return caps->procbased2 & (NVMX_ALLOWED1(NVMX_PROC2_EPT) |
					   NVMX_ALLOWED1(NVMX_PROC2_VPID));
	case NVMX_CAP_IDX_vmfunc:
		return caps->procbased2 & NVMX_ALLOWED1(NVMX_PROC2_VMFUNC);
	case NVMX_CAP_NR_MSRS:
		break;
	}
	return false;
}

/*
 * What nvmx cannot run without, in the order the loader reports it: each
 * row wants all bits of @mask set in the MSR (or, with @clear, all clear).
 * The name is what dmesg says.
 */
struct nvmx_cap_req {
	const char *name;
	u32 offset;
	u64 mask;
	bool clear;
};

#define NVMX_REQ_BITS(str, field, bits) \
	{ str, offsetof(struct nvmx_vmx_caps, field), bits, false }
#define NVMX_REQ_CLEAR(str, field, bits) \
	{ str, offsetof(struct nvmx_vmx_caps, field), bits, true }

static const struct nvmx_cap_req nvmx_cap_reqs[] = {
	NVMX_REQ_BITS("true VMX control MSRs (IA32_VMX_BASIC bit 55)",
		      basic, NVMX_BASIC_TRUE_CTLS),
	NVMX_REQ_CLEAR("64-bit VMX physical addresses (IA32_VMX_BASIC bit 48)",
		       basic, NVMX_BASIC_32BIT_PHYS),
	NVMX_REQ_BITS("MSR bitmaps (primary processor-based control 28)",
		      procbased, NVMX_ALLOWED1(NVMX_PROC_MSR_BITMAPS)),
	NVMX_REQ_BITS("TPR shadow (primary processor-based control 21)",
		      procbased, NVMX_ALLOWED1(NVMX_PROC_TPR_SHADOW)),
	NVMX_REQ_BITS("secondary controls (primary processor-based control 31)",
		      procbased, NVMX_ALLOWED1(NVMX_PROC_SECONDARY)),
	NVMX_REQ_BITS("EPT (secondary control 1)",
		      procbased2, NVMX_ALLOWED1(NVMX_PROC2_EPT)),
	NVMX_REQ_BITS("4-level EPT walks (IA32_VMX_EPT_VPID_CAP bit 6)",
		      ept_vpid, NVMX_EPT_WALK_4),
	NVMX_REQ_BITS("write-back EPT (IA32_VMX_EPT_VPID_CAP bit 14)",
		      ept_vpid, NVMX_EPT_MEMTYPE_WB),
	NVMX_REQ_BITS("single- and all-context INVEPT (IA32_VMX_EPT_VPID_CAP bits 20, 25, 26)",
		      ept_vpid, NVMX_EPT_INVEPT | NVMX_EPT_INVEPT_SINGLE |
		      NVMX_EPT_INVEPT_ALL),
	NVMX_REQ_BITS("VPID (secondary control 5)",
		      procbased2, NVMX_ALLOWED1(NVMX_PROC2_VPID)),
	NVMX_REQ_BITS("single- and all-context INVVPID (IA32_VMX_EPT_VPID_CAP bits 32, 41, 42)",
		      ept_vpid, NVMX_VPID_INVVPID | NVMX_VPID_INVVPID_SINGLE |
		      NVMX_VPID_INVVPID_ALL),
	NVMX_REQ_BITS("unrestricted guest (secondary control 7)",
		      procbased2, NVMX_ALLOWED1(NVMX_PROC2_UNRESTRICTED)),
	NVMX_REQ_BITS("64-bit host on VM exit (VM-exit control 9)",
		      exit, NVMX_ALLOWED1(NVMX_EXIT_HOST_64BIT)),
	NVMX_REQ_BITS("IA-32e mode guest (VM-entry control 9)",
		      entry, NVMX_ALLOWED1(NVMX_ENTRY_IA32E_GUEST)),
};

/* Returns NULL when @caps has all nvmx needs, else the first thing missing. */
const char *nvmx_caps_missing(const struct nvmx_vmx_caps *caps)
{
	size_t i;

	if ((caps->basic & NVMX_BASIC_MEMTYPE_MASK) !=
	    NVMX_MEMTYPE_WB << NVMX_BASIC_MEMTYPE_SHIFT)
		return "write-back VMCS memory type (IA32_VMX_BASIC bits 53:50)";
	for (i = 0; i < ARRAY_SIZE(nvmx_cap_reqs); i++) {
		const struct nvmx_cap_req *r = &nvmx_cap_reqs[i];
		u64 bits = nvmx_cap_value(caps, r->offset) & r->mask;

		if (bits != (r->clear ? 0 : r->mask))
			return r->name;
	}
	/* nvmx gives each VMCS one page. */
	if (nvmx_caps_vmcs_size(caps) > NVMX_VMCS_MAX_SIZE ||
	    nvmx_caps_vmcs_size(caps) == 0)
		return "VMCS region of at most 4 KiB (IA32_VMX_BASIC bits 44:32)";
	return NULL;
}

/* Returns NULL when two CPUs agree, else the name of the first MSR that differs. */
const char *nvmx_caps_differ(const struct nvmx_vmx_caps *a,
			     const struct nvmx_vmx_caps *b)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nvmx_cap_msrs); i++) {
		u32 off = nvmx_cap_msrs[i].offset;

		if (nvmx_cap_value(a, off) != nvmx_cap_value(b, off))
			return nvmx_cap_msrs[i].name;
	}
	return NULL;
}

/*
 * Computes a VMX control field from its capability MSR: bits 31:0 must be 1
 * (allowed-0), bits 63:32 may be 1 (allowed-1). Optional bits the CPU lacks
 * are dropped; a required bit it lacks fails with -EOPNOTSUPP. An MSR that
 * demands a bit it does not allow is malformed (-EINVAL).
 */
int nvmx_ctls_adjust(u64 cap_msr, u32 required, u32 optional, u32 *result)
{
	u32 must_be_1 = (u32)cap_msr;
	u32 may_be_1 = (u32)(cap_msr >> 32);

	if (must_be_1 & ~may_be_1)
		return -EINVAL;
	if (required & ~may_be_1)
		return -EOPNOTSUPP;
	*result = ((required | optional) & may_be_1) | must_be_1;
	return 0;
}

/* Whether a CR0 or CR4 value honours the VMX fixed-bit MSRs. */
bool nvmx_cr_fixed_ok(u64 val, u64 fixed0, u64 fixed1)
{
	return (val & fixed0) == fixed0 && !(val & ~fixed1);
}
