// SPDX-License-Identifier: GPL-2.0
/*
 * The IA32_VMX_* MSRs L1 sees. Pure logic (see pure.h).
 *
 * One row per control MSR says which controls nvmx emulates for L1 and
 * which bits the SDM makes "default1" (appendix A.2). L1 may set a control
 * if nvmx emulates it and the host allows it; it must set the default-1
 * bits nvmx does not emulate (reserved bits: 1 on every CPU) and may clear
 * the default-1 bits it does emulate (CR3-load/store exiting, save/load
 * debug controls). The true MSRs say exactly that; the legacy MSRs add the
 * default-1 class as required bits, as the SDM defines them.
 */
#include "nested/l1caps.h"
#include "nested/vmcs12.h"

#define B(n)	(1U << (n))

/* SDM A.3.1, A.3.2, A.4, A.5: the default-1 class of each control word. */
#define NVMX_PIN_DEFAULT1	(B(1) | B(2) | B(4))
#define NVMX_PROC_DEFAULT1	(B(1) | B(4) | B(5) | B(6) | B(8) | B(13) | \
				 B(14) | B(15) | B(16) | B(26))
#define NVMX_EXIT_DEFAULT1	(0x1ffU | B(10) | B(11) | B(13) | B(14) | \
				 B(16) | B(17))
#define NVMX_ENTRY_DEFAULT1	(0x1ffU | B(12))

/* Pin-based: external-interrupt exiting, NMI exiting, virtual NMIs. */
#define NVMX_L1_PIN		(B(0) | B(3) | B(5))
/*
 * Primary: interrupt-window (2), TSC offsetting (3), HLT (7), INVLPG (9),
 * MWAIT (10), RDPMC (11), RDTSC (12), CR3-load/store (15, 16), CR8-load/
 * store (19, 20), TPR shadow (21), NMI-window (22), MOV-DR (23),
 * unconditional I/O (24), I/O bitmaps (25), MSR bitmaps (28), MONITOR
 * (29), PAUSE (30), secondary controls (31).
 */
#define NVMX_L1_PROC		(B(2) | B(3) | B(7) | B(9) | B(10) | B(11) | \
				 B(12) | B(15) | B(16) | B(19) | B(20) | \
				 B(21) | B(22) | B(23) | B(24) | B(25) | \
				 B(28) | B(29) | B(30) | B(31))
/*
 * Secondary: descriptor-table exiting (2), RDTSCP (3), WBINVD exiting (6),
 * RDRAND exiting (11), INVPCID (12), RDSEED exiting (16). No EPT, VPID,
 * unrestricted guest, APIC virtualization, VMCS shadowing, VMFUNC, PML or
 * XSAVES yet.
 */
#define NVMX_L1_PROC2		(B(2) | B(3) | B(6) | B(11) | B(12) | B(16))
/*
 * Exit: save debug controls (2), host address-space size (9), acknowledge
 * interrupt on exit (15), save/load PAT (18, 19), save/load EFER (20, 21).
 */
#define NVMX_L1_EXIT		(B(2) | B(9) | B(15) | B(18) | B(19) | \
				 B(20) | B(21))
/* Entry: load debug controls (2), IA-32e mode guest (9), load PAT (14), EFER (15). */
#define NVMX_L1_ENTRY		(B(2) | B(9) | B(14) | B(15))

struct nvmx_l1_ctl_row {
	const char *name;
	u32 true_msr;
	u32 legacy_msr;		/* 0: no legacy MSR (secondary controls) */
	size_t offset;		/* in struct nvmx_vmx_caps */
	u32 emulated;
	u32 default1;
};

#define CTL_ROW(n, t, l, f, e, d) \
	{ n, t, l, offsetof(struct nvmx_vmx_caps, f), e, d }

static const struct nvmx_l1_ctl_row nvmx_l1_ctl_rows[] = {
	CTL_ROW("pin-based", NVMX_MSR_VMX_TRUE_PINBASED, NVMX_MSR_VMX_PINBASED,
		pinbased, NVMX_L1_PIN, NVMX_PIN_DEFAULT1),
	CTL_ROW("primary processor-based", NVMX_MSR_VMX_TRUE_PROCBASED,
		NVMX_MSR_VMX_PROCBASED, procbased, NVMX_L1_PROC,
		NVMX_PROC_DEFAULT1),
	CTL_ROW("secondary processor-based", NVMX_MSR_VMX_PROCBASED2, 0,
		procbased2, NVMX_L1_PROC2, 0),
	CTL_ROW("VM-exit", NVMX_MSR_VMX_TRUE_EXIT, NVMX_MSR_VMX_EXIT, exit,
		NVMX_L1_EXIT, NVMX_EXIT_DEFAULT1),
	CTL_ROW("VM-entry", NVMX_MSR_VMX_TRUE_ENTRY, NVMX_MSR_VMX_ENTRY, entry,
		NVMX_L1_ENTRY, NVMX_ENTRY_DEFAULT1),
};

static u64 *nvmx_caps_field(struct nvmx_vmx_caps *c, size_t offset)
{
	return (u64 *)((char *)c + offset);
}

static u64 nvmx_caps_get(const struct nvmx_vmx_caps *c, size_t offset)
{
	return *(const u64 *)((const char *)c + offset);
}

void nvmx_l1_caps_max(const struct nvmx_vmx_caps *host,
		      struct nvmx_vmx_caps *l1)
{
	size_t i;

	*l1 = (struct nvmx_vmx_caps){ 0 };
	for (i = 0; i < ARRAY_SIZE(nvmx_l1_ctl_rows); i++) {
		const struct nvmx_l1_ctl_row *r = &nvmx_l1_ctl_rows[i];
		u32 host1 = nvmx_caps_get(host, r->offset) >> 32;
		u32 allowed1 = host1 & (r->emulated | r->default1);
		u32 must1 = host1 & r->default1 & ~r->emulated;

		*nvmx_caps_field(l1, r->offset) = (u64)allowed1 << 32 | must1;
	}
	/* No secondary controls to offer without the host's. */
	if (!(host->procbased & NVMX_ALLOWED1(NVMX_PROC_SECONDARY)))
		l1->procbased2 = 0;

	l1->basic = NVMX_VMCS12_REVISION |
		    (u64)NVMX_VMCS12_SIZE << NVMX_BASIC_VMCS_SIZE_SHIFT |
		    NVMX_MEMTYPE_WB << NVMX_BASIC_MEMTYPE_SHIFT |
		    (host->basic & NVMX_BASIC_INOUT) | NVMX_BASIC_TRUE_CTLS;
	/*
	 * No preemption timer, no activity state but active, no CR3 targets,
	 * the host's MSR-list limit (nvmx walks L1's lists itself, but vmcs02
	 * may carry them), VMWRITE to any field (emulated), LMA saved as the
	 * host does (vmcs02's exit stores it).
	 */
	l1->misc = (host->misc & (NVMX_MISC_SAVE_LMA | NVMX_MISC_MAX_MSR_MASK)) |
		   NVMX_MISC_VMWRITE_ANY;
	l1->cr0_fixed0 = host->cr0_fixed0;
	l1->cr0_fixed1 = host->cr0_fixed1;
	l1->cr4_fixed0 = host->cr4_fixed0;
	l1->cr4_fixed1 = host->cr4_fixed1;
	l1->vmcs_enum = (u64)nvmx_vmcs12_max_index() << 1;
	l1->ept_vpid = 0;
	l1->vmfunc = 0;
}

static const struct nvmx_l1_ctl_row *nvmx_l1_ctl_row(u32 msr, bool *legacy)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(nvmx_l1_ctl_rows); i++) {
		const struct nvmx_l1_ctl_row *r = &nvmx_l1_ctl_rows[i];

		if (msr == r->true_msr || (r->legacy_msr && msr == r->legacy_msr)) {
			*legacy = msr != r->true_msr;
			return r;
		}
	}
	return NULL;
}

/* The MSRs that are one field of struct nvmx_vmx_caps as they are. */
static const struct {
	u32 msr;
	size_t offset;
} nvmx_l1_plain_msrs[] = {
	{ NVMX_MSR_VMX_BASIC, offsetof(struct nvmx_vmx_caps, basic) },
	{ NVMX_MSR_VMX_MISC, offsetof(struct nvmx_vmx_caps, misc) },
	{ NVMX_MSR_VMX_CR0_FIXED0, offsetof(struct nvmx_vmx_caps, cr0_fixed0) },
	{ NVMX_MSR_VMX_CR0_FIXED1, offsetof(struct nvmx_vmx_caps, cr0_fixed1) },
	{ NVMX_MSR_VMX_CR4_FIXED0, offsetof(struct nvmx_vmx_caps, cr4_fixed0) },
	{ NVMX_MSR_VMX_CR4_FIXED1, offsetof(struct nvmx_vmx_caps, cr4_fixed1) },
	{ NVMX_MSR_VMX_VMCS_ENUM, offsetof(struct nvmx_vmx_caps, vmcs_enum) },
	{ NVMX_MSR_VMX_EPT_VPID, offsetof(struct nvmx_vmx_caps, ept_vpid) },
	{ NVMX_MSR_VMX_VMFUNC, offsetof(struct nvmx_vmx_caps, vmfunc) },
};

bool nvmx_l1_caps_read(const struct nvmx_vmx_caps *l1, u32 msr, u64 *val)
{
	const struct nvmx_l1_ctl_row *r;
	bool legacy;
	size_t i;

	r = nvmx_l1_ctl_row(msr, &legacy);
	if (r) {
		*val = nvmx_caps_get(l1, r->offset);
		if (legacy)
			*val |= r->default1;
		return true;
	}
	for (i = 0; i < ARRAY_SIZE(nvmx_l1_plain_msrs); i++) {
		if (nvmx_l1_plain_msrs[i].msr == msr) {
			*val = nvmx_caps_get(l1, nvmx_l1_plain_msrs[i].offset);
			return true;
		}
	}
	return false;
}

/* Whether @sub has no bit of @mask that @super lacks. */
static bool nvmx_subset(u64 super, u64 sub, u64 mask)
{
	return !(sub & mask & ~super);
}

#define GENMASK64(h, l)	((~0ULL >> (63 - (h))) & ~((1ULL << (l)) - 1))

/* BASIC bits L1 may only clear: features (49, 54, 55) and reserved. */
#define NVMX_BASIC_SUBSET	(NVMX_BASIC_DUAL_MONITOR | NVMX_BASIC_INOUT | \
				 NVMX_BASIC_TRUE_CTLS | BIT_ULL(31) | \
				 GENMASK64(47, 45) | GENMASK64(63, 56))
/* MISC bits L1 may only clear: features and reserved. */
#define NVMX_MISC_SUBSET	(NVMX_MISC_SAVE_LMA | NVMX_MISC_ACTIVITY_MASK | \
				 BIT_ULL(14) | BIT_ULL(15) | BIT_ULL(28) | \
				 NVMX_MISC_VMWRITE_ANY | BIT_ULL(30) | \
				 GENMASK64(13, 9) | BIT_ULL(31))

/* One restriction rule: a name, and whether @val passes it. */
struct nvmx_restrict_rule {
	u32 msr;
	const char *name;
	bool (*ok)(const struct nvmx_vmx_caps *l1,
		   const struct nvmx_vmx_caps *max, u64 val);
};

static bool basic_subset(const struct nvmx_vmx_caps *l1,
			 const struct nvmx_vmx_caps *max, u64 val)
{
	return nvmx_subset(max->basic, val, NVMX_BASIC_SUBSET);
}

/* nvmx does not emulate VMX structures limited to 32-bit addresses. */
static bool basic_no_32bit(const struct nvmx_vmx_caps *l1,
			   const struct nvmx_vmx_caps *max, u64 val)
{
	return !(val & NVMX_BASIC_32BIT_PHYS);
}

static bool basic_revision(const struct nvmx_vmx_caps *l1,
			   const struct nvmx_vmx_caps *max, u64 val)
{
	return (val & NVMX_BASIC_REVISION_MASK) ==
	       (max->basic & NVMX_BASIC_REVISION_MASK);
}

static bool basic_size(const struct nvmx_vmx_caps *l1,
		       const struct nvmx_vmx_caps *max, u64 val)
{
	return (val & NVMX_BASIC_VMCS_SIZE_MASK) >=
	       (max->basic & NVMX_BASIC_VMCS_SIZE_MASK);
}

static bool misc_subset(const struct nvmx_vmx_caps *l1,
			const struct nvmx_vmx_caps *max, u64 val)
{
	return nvmx_subset(max->misc, val, NVMX_MISC_SUBSET);
}

/* The timer rate is fixed once the preemption timer is offered. */
static bool misc_timer_rate(const struct nvmx_vmx_caps *l1,
			    const struct nvmx_vmx_caps *max, u64 val)
{
	if (!(l1->pinbased & NVMX_ALLOWED1(NVMX_PIN_PREEMPTION_TIMER)))
		return true;
	return (val & NVMX_MISC_TIMER_RATE_MASK) ==
	       (max->misc & NVMX_MISC_TIMER_RATE_MASK);
}

static bool misc_cr3_count(const struct nvmx_vmx_caps *l1,
			   const struct nvmx_vmx_caps *max, u64 val)
{
	return (val & NVMX_MISC_CR3_COUNT_MASK) <=
	       (max->misc & NVMX_MISC_CR3_COUNT_MASK);
}

static bool misc_max_msr(const struct nvmx_vmx_caps *l1,
			 const struct nvmx_vmx_caps *max, u64 val)
{
	return (val & NVMX_MISC_MAX_MSR_MASK) <=
	       (max->misc & NVMX_MISC_MAX_MSR_MASK);
}

static bool misc_mseg(const struct nvmx_vmx_caps *l1,
		      const struct nvmx_vmx_caps *max, u64 val)
{
	return val >> NVMX_MISC_MSEG_SHIFT == max->misc >> NVMX_MISC_MSEG_SHIFT;
}

/* FIXED0: every bit that must be 1 in VMX operation stays 1. */
static bool cr0_fixed0_keeps(const struct nvmx_vmx_caps *l1,
			     const struct nvmx_vmx_caps *max, u64 val)
{
	return nvmx_subset(val, max->cr0_fixed0, ~0ULL);
}

static bool cr4_fixed0_keeps(const struct nvmx_vmx_caps *l1,
			     const struct nvmx_vmx_caps *max, u64 val)
{
	return nvmx_subset(val, max->cr4_fixed0, ~0ULL);
}

static bool ept_vpid_subset(const struct nvmx_vmx_caps *l1,
			    const struct nvmx_vmx_caps *max, u64 val)
{
	return nvmx_subset(max->ept_vpid, val, ~0ULL);
}

static bool vmfunc_subset(const struct nvmx_vmx_caps *l1,
			  const struct nvmx_vmx_caps *max, u64 val)
{
	return nvmx_subset(max->vmfunc, val, ~0ULL);
}

static bool any_value(const struct nvmx_vmx_caps *l1,
		      const struct nvmx_vmx_caps *max, u64 val)
{
	return true;
}

/* Rules in KVM 6.1's order; every MSR listed here is restorable. */
static const struct nvmx_restrict_rule nvmx_restrict_rules[] = {
	{ NVMX_MSR_VMX_BASIC, "BASIC: only features and reserved bits cleared",
	  basic_subset },
	{ NVMX_MSR_VMX_BASIC, "BASIC: no 32-bit physical addresses",
	  basic_no_32bit },
	{ NVMX_MSR_VMX_BASIC, "BASIC: same VMCS revision", basic_revision },
	{ NVMX_MSR_VMX_BASIC, "BASIC: VMCS size not smaller", basic_size },
	{ NVMX_MSR_VMX_MISC, "MISC: only features and reserved bits cleared",
	  misc_subset },
	{ NVMX_MSR_VMX_MISC, "MISC: same preemption-timer rate",
	  misc_timer_rate },
	{ NVMX_MSR_VMX_MISC, "MISC: CR3-target count not larger",
	  misc_cr3_count },
	{ NVMX_MSR_VMX_MISC, "MISC: MSR-list size not larger", misc_max_msr },
	{ NVMX_MSR_VMX_MISC, "MISC: same MSEG revision", misc_mseg },
	{ NVMX_MSR_VMX_CR0_FIXED0, "CR0_FIXED0: fixed bits kept",
	  cr0_fixed0_keeps },
	{ NVMX_MSR_VMX_CR4_FIXED0, "CR4_FIXED0: fixed bits kept",
	  cr4_fixed0_keeps },
	{ NVMX_MSR_VMX_EPT_VPID, "EPT_VPID_CAP: only bits cleared",
	  ept_vpid_subset },
	{ NVMX_MSR_VMX_VMCS_ENUM, "VMCS_ENUM: any value", any_value },
	{ NVMX_MSR_VMX_VMFUNC, "VMFUNC: only bits cleared", vmfunc_subset },
};

static int nvmx_restrict_ctl(struct nvmx_vmx_caps *l1,
			     const struct nvmx_vmx_caps *max,
			     const struct nvmx_l1_ctl_row *r, u64 val,
			     const char **why)
{
	u64 m = nvmx_caps_get(max, r->offset);

	/* Bits that must be 1 stay 1; bits that must be 0 stay 0. */
	if (!nvmx_subset(val, m, 0xffffffffULL)) {
		*why = "controls: allowed-0 bits cleared";
		return -EINVAL;
	}
	if (!nvmx_subset(m, val, ~0xffffffffULL)) {
		*why = "controls: allowed-1 bits added";
		return -EINVAL;
	}
	*nvmx_caps_field(l1, r->offset) = val;
	return 0;
}

int nvmx_l1_caps_restrict(struct nvmx_vmx_caps *l1,
			  const struct nvmx_vmx_caps *max, u32 msr, u64 val,
			  bool vmxon, const char **why)
{
	const struct nvmx_l1_ctl_row *r;
	bool legacy, known = false;
	size_t i;

	*why = NULL;
	if (vmxon) {
		*why = "L1 is in VMX operation";
		return -EBUSY;
	}
	r = nvmx_l1_ctl_row(msr, &legacy);
	if (r) {
		if (!legacy)
			return nvmx_restrict_ctl(l1, max, r, val, why);
		/* Derived from the true MSRs, as on KVM. */
		*why = "legacy control MSR: restore the true one";
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(nvmx_restrict_rules); i++) {
		if (nvmx_restrict_rules[i].msr != msr)
			continue;
		known = true;
		if (!nvmx_restrict_rules[i].ok(l1, max, val)) {
			*why = nvmx_restrict_rules[i].name;
			return -EINVAL;
		}
	}
	if (!known) {
		/* FIXED1 follow L1's CPUID; anything else is no VMX MSR. */
		*why = "not restorable";
		return -EINVAL;
	}
	for (i = 0; i < ARRAY_SIZE(nvmx_l1_plain_msrs); i++) {
		if (nvmx_l1_plain_msrs[i].msr == msr)
			*nvmx_caps_field(l1, nvmx_l1_plain_msrs[i].offset) = val;
	}
	return 0;
}

void nvmx_l1_caps_follow_cpuid(struct nvmx_vmx_caps *l1,
			       const struct nvmx_vmx_caps *max,
			       u64 cr4_allowed, bool rdtscp, bool invpcid)
{
	const struct {
		unsigned int bit;
		bool has;
	} gated[] = { { NVMX_PROC2_RDTSCP, rdtscp },
		      { NVMX_PROC2_INVPCID, invpcid } };
	size_t i;

	l1->cr4_fixed1 = max->cr4_fixed1 & (cr4_allowed | max->cr4_fixed0);
	for (i = 0; i < ARRAY_SIZE(gated); i++) {
		u64 bit = NVMX_ALLOWED1(gated[i].bit);

		if (gated[i].has)
			l1->procbased2 |= max->procbased2 & bit;
		else
			l1->procbased2 &= ~bit;
	}
}
