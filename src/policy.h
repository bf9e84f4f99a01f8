/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The register emulation policy table (struct nvmx_policy in the uapi
 * header; Documentation/nested.md, "The policy table"): what each row
 * means for vmcs01 and for L0's part of vmcs02. The table's checks and
 * the masks derived from it are pure logic (policy.c).
 */
#ifndef NVMX_POLICY_H
#define NVMX_POLICY_H

#include "pure.h"
#include <uapi/linux/nvmx.h>

/*
 * What a valid table derives, per register. For CR0 and CR4: @mask is M0,
 * the bits of non-THROUGH rows and the undefined bits (L0 traps writes
 * that change them); @forced the bits whose real value is L0's, @value (H)
 * the rows' values (only the @forced bits of it reach the register).
 */
struct nvmx_policy_cr {
	u64 mask;
	u64 forced;
	u64 value;
};

struct nvmx_policy_masks {
	struct nvmx_policy_cr cr0;
	struct nvmx_policy_cr cr4;
	/* CR3 INTERCEPT: CR3-load and CR3-store exiting. */
	bool cr3_intercept;
	/* TPR INTERCEPT (CR8 exiting, embodiment 2), else the TPR shadow. */
	bool tpr_intercept;
};

/*
 * What the table is checked against: the host's IA32_VMX_CR0/CR4_FIXED0/1,
 * whether L0 runs its guests with "unrestricted guest" (then CR0.PE and PG
 * are not fixed), and the host's own CR4.SMXE (the default's SMXE value).
 */
struct nvmx_policy_host {
	u64 cr0_fixed0;
	u64 cr0_fixed1;
	u64 cr4_fixed0;
	u64 cr4_fixed1;
	bool unrestricted_guest;
	bool smxe;
};

/*
 * Rows, numbered for names and error messages: CR0 bit i is row i, CR4
 * bit i row 32 + i, then the whole registers.
 */
#define NVMX_POLICY_ROW_CR0(i)	(i)
#define NVMX_POLICY_ROW_CR4(i)	(32 + (i))
enum {
	NVMX_POLICY_ROW_CR2 = 64,
	NVMX_POLICY_ROW_CR3,
	NVMX_POLICY_ROW_TPR,
	NVMX_POLICY_ROW_VMCS_PTR,
	NVMX_POLICY_NR_ROWS
};

/*
 * The real register for a guest value @v: the forced bits are L0's, the
 * rest the guest's (GUEST_CR0/GUEST_CR4 of vmcs01 and vmcs02).
 */
static inline u64 nvmx_policy_cr_real(const struct nvmx_policy_cr *c, u64 v)
{
	return (v & ~c->forced) | (c->value & c->forced);
}

/* The CR0 and CR4 bits that have rows (all others are NVMX_POLICY_NONE). */
u64 nvmx_policy_cr0_defined(void);
u64 nvmx_policy_cr4_defined(void);
/* "CR0.PE", "CR4.VMXE", "CR0 bit 7", "CR3", "TPR"...; NULL past the rows. */
const char *nvmx_policy_row_name(unsigned int row);
/* "none", "through", "shadowing", "intercept", or "?" */
const char *nvmx_policy_name(u8 policy);

/* The bits @h fixes in CR0/CR4 (defined bits only), and to what. */
u64 nvmx_policy_cr0_fixed(const struct nvmx_policy_host *h);
u64 nvmx_policy_cr4_fixed(const struct nvmx_policy_host *h);

/* The default table for this host (a valid one; see policy.c). */
void nvmx_policy_default(struct nvmx_policy *p,
			 const struct nvmx_policy_host *h);
/*
 * 0 when @p is a valid table for @h; else -EINVAL, with *@bad naming the
 * first row (or field) that is wrong.
 */
int nvmx_policy_check(const struct nvmx_policy *p,
		      const struct nvmx_policy_host *h, const char **bad);
/* The masks of a table nvmx_policy_check() accepted. */
void nvmx_policy_derive(const struct nvmx_policy *p,
			const struct nvmx_policy_host *h,
			struct nvmx_policy_masks *m);

#endif /* NVMX_POLICY_H */
