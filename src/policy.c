// SPDX-License-Identifier: GPL-2.0
/*
 * The register emulation policy table: the default, its checks and the
 * masks derived from it. Pure logic (see pure.h): the bit names come from
 * the architecture's uapi header, macros only.
 *
 * A row of a bit the host fixes (IA32_VMX_CR0/CR4_FIXED0 set, FIXED1
 * clear) is never THROUGH and its value is the fixed one: the CPU would
 * refuse a VM entry, or a guest MOV would #GP, otherwise. The default
 * follows the table and, for fixed bits it would make THROUGH
 * (e.g. a CR4 feature bit the CPU lacks), takes SHADOWING with the fixed
 * value instead, so it is valid on every host.
 */
#include "policy.h"
#ifdef __KERNEL__
#include <uapi/asm/processor-flags.h>
#else
#include <asm/processor-flags.h>
#endif

/* Defined by the SDM; not every kernel's header names it yet. */
#ifndef X86_CR4_PKS_BIT
#define X86_CR4_PKS_BIT		24
#endif

#define B(n)	BIT_ULL(n)

/*
 * CR4 bits L0 must see change: at every entry nvmx loads the guest's XCR0
 * only if the guest's CR4.OSXSAVE is set, so a THROUGH OSXSAVE would let
 * a guest run XSAVE-enabled code on the host's XCR0 (as KVM, which never
 * gives the guest this bit). Never THROUGH.
 */
#define NVMX_POLICY_CR4_L0_SEES	B(X86_CR4_OSXSAVE_BIT)
/*
 * CR4 bits that turn on state nvmx does not switch for the guest (XCR0,
 * PKRU, the CET MSRs): the real register may not be forced to 1 by a
 * SHADOWING row while the guest believes the bit clear.
 */
#define NVMX_POLICY_CR4_L0_STATE (B(X86_CR4_OSXSAVE_BIT) | \
				  B(X86_CR4_PKE_BIT) | B(X86_CR4_CET_BIT))

static const char *const nvmx_policy_names[NVMX_POLICY_NR_ROWS] = {
	[NVMX_POLICY_ROW_CR0(X86_CR0_PE_BIT)] = "CR0.PE",
	[NVMX_POLICY_ROW_CR0(X86_CR0_MP_BIT)] = "CR0.MP",
	[NVMX_POLICY_ROW_CR0(X86_CR0_EM_BIT)] = "CR0.EM",
	[NVMX_POLICY_ROW_CR0(X86_CR0_TS_BIT)] = "CR0.TS",
	[NVMX_POLICY_ROW_CR0(X86_CR0_ET_BIT)] = "CR0.ET",
	[NVMX_POLICY_ROW_CR0(X86_CR0_NE_BIT)] = "CR0.NE",
	[NVMX_POLICY_ROW_CR0(X86_CR0_WP_BIT)] = "CR0.WP",
	[NVMX_POLICY_ROW_CR0(X86_CR0_AM_BIT)] = "CR0.AM",
	[NVMX_POLICY_ROW_CR0(X86_CR0_NW_BIT)] = "CR0.NW",
	[NVMX_POLICY_ROW_CR0(X86_CR0_CD_BIT)] = "CR0.CD",
	[NVMX_POLICY_ROW_CR0(X86_CR0_PG_BIT)] = "CR0.PG",
	[NVMX_POLICY_ROW_CR4(X86_CR4_VME_BIT)] = "CR4.VME",
	[NVMX_POLICY_ROW_CR4(X86_CR4_PVI_BIT)] = "CR4.PVI",
	[NVMX_POLICY_ROW_CR4(X86_CR4_TSD_BIT)] = "CR4.TSD",
	[NVMX_POLICY_ROW_CR4(X86_CR4_DE_BIT)] = "CR4.DE",
	[NVMX_POLICY_ROW_CR4(X86_CR4_PSE_BIT)] = "CR4.PSE",
	[NVMX_POLICY_ROW_CR4(X86_CR4_PAE_BIT)] = "CR4.PAE",
	[NVMX_POLICY_ROW_CR4(X86_CR4_MCE_BIT)] = "CR4.MCE",
	[NVMX_POLICY_ROW_CR4(X86_CR4_PGE_BIT)] = "CR4.PGE",
	[NVMX_POLICY_ROW_CR4(X86_CR4_PCE_BIT)] = "CR4.PCE",
	[NVMX_POLICY_ROW_CR4(X86_CR4_OSFXSR_BIT)] = "CR4.OSFXSR",
	[NVMX_POLICY_ROW_CR4(X86_CR4_OSXMMEXCPT_BIT)] = "CR4.OSXMMEXCPT",
	[NVMX_POLICY_ROW_CR4(X86_CR4_UMIP_BIT)] = "CR4.UMIP",
	[NVMX_POLICY_ROW_CR4(X86_CR4_LA57_BIT)] = "CR4.LA57",
	[NVMX_POLICY_ROW_CR4(X86_CR4_VMXE_BIT)] = "CR4.VMXE",
	[NVMX_POLICY_ROW_CR4(X86_CR4_SMXE_BIT)] = "CR4.SMXE",
	[NVMX_POLICY_ROW_CR4(X86_CR4_FSGSBASE_BIT)] = "CR4.FSGSBASE",
	[NVMX_POLICY_ROW_CR4(X86_CR4_PCIDE_BIT)] = "CR4.PCIDE",
	[NVMX_POLICY_ROW_CR4(X86_CR4_OSXSAVE_BIT)] = "CR4.OSXSAVE",
#ifdef X86_CR4_KL_BIT
	[NVMX_POLICY_ROW_CR4(X86_CR4_KL_BIT)] = "CR4.KL",
#endif
	[NVMX_POLICY_ROW_CR4(X86_CR4_SMEP_BIT)] = "CR4.SMEP",
	[NVMX_POLICY_ROW_CR4(X86_CR4_SMAP_BIT)] = "CR4.SMAP",
	[NVMX_POLICY_ROW_CR4(X86_CR4_PKE_BIT)] = "CR4.PKE",
	[NVMX_POLICY_ROW_CR4(X86_CR4_CET_BIT)] = "CR4.CET",
	[NVMX_POLICY_ROW_CR4(X86_CR4_PKS_BIT)] = "CR4.PKS",
#ifdef X86_CR4_UINTR_BIT
	[NVMX_POLICY_ROW_CR4(X86_CR4_UINTR_BIT)] = "CR4.UINTR",
#endif
#ifdef X86_CR4_LAM_SUP_BIT
	[NVMX_POLICY_ROW_CR4(X86_CR4_LAM_SUP_BIT)] = "CR4.LAM_SUP",
#endif
	[NVMX_POLICY_ROW_CR2] = "CR2",
	[NVMX_POLICY_ROW_CR3] = "CR3",
	[NVMX_POLICY_ROW_TPR] = "TPR",
	[NVMX_POLICY_ROW_VMCS_PTR] = "VMCS_PTR",
};

/* Rows of undefined bits are named by number. */
#define U8(r, n)	"CR" #r " bit " #n
static const char *const nvmx_policy_undef_names[2][32] = {
	{ U8(0, 0), U8(0, 1), U8(0, 2), U8(0, 3), U8(0, 4), U8(0, 5),
	  U8(0, 6), U8(0, 7), U8(0, 8), U8(0, 9), U8(0, 10), U8(0, 11),
	  U8(0, 12), U8(0, 13), U8(0, 14), U8(0, 15), U8(0, 16), U8(0, 17),
	  U8(0, 18), U8(0, 19), U8(0, 20), U8(0, 21), U8(0, 22), U8(0, 23),
	  U8(0, 24), U8(0, 25), U8(0, 26), U8(0, 27), U8(0, 28), U8(0, 29),
	  U8(0, 30), U8(0, 31) },
	{ U8(4, 0), U8(4, 1), U8(4, 2), U8(4, 3), U8(4, 4), U8(4, 5),
	  U8(4, 6), U8(4, 7), U8(4, 8), U8(4, 9), U8(4, 10), U8(4, 11),
	  U8(4, 12), U8(4, 13), U8(4, 14), U8(4, 15), U8(4, 16), U8(4, 17),
	  U8(4, 18), U8(4, 19), U8(4, 20), U8(4, 21), U8(4, 22), U8(4, 23),
	  U8(4, 24), U8(4, 25), U8(4, 26), U8(4, 27), U8(4, 28), U8(4, 29),
	  U8(4, 30), U8(4, 31) },
};

#undef U8

const char *nvmx_policy_row_name(unsigned int row)
{
	if (row >= NVMX_POLICY_NR_ROWS)
		return NULL;
	if (nvmx_policy_names[row])
		return nvmx_policy_names[row];
	return nvmx_policy_undef_names[row / 32][row % 32];
}

const char *nvmx_policy_name(u8 policy)
{
	switch (policy) {
	case NVMX_POLICY_NONE:
		return "none";
	case NVMX_POLICY_THROUGH:
		return "through";
	case NVMX_POLICY_SHADOWING:
		return "shadowing";
	case NVMX_POLICY_INTERCEPT:
		return "intercept";
	}
	return "?";
}

static u64 nvmx_policy_defined(unsigned int base)
{
	u64 bits = 0;
	unsigned int i;

	for (i = 0; i < 32; i++)
		if (nvmx_policy_names[base + i])
			bits |= B(i);
	return bits;
}

u64 nvmx_policy_cr0_defined(void)
{
	return nvmx_policy_defined(NVMX_POLICY_ROW_CR0(0));
}

u64 nvmx_policy_cr4_defined(void)
{
	return nvmx_policy_defined(NVMX_POLICY_ROW_CR4(0));
}

/* Bits FIXED0 sets or FIXED1 clears; their fixed value is FIXED0's. */
u64 nvmx_policy_cr0_fixed(const struct nvmx_policy_host *h)
{
	u64 fixed = (h->cr0_fixed0 | ~h->cr0_fixed1) & nvmx_policy_cr0_defined();

	/* Unrestricted guest lets the guest run unpaged and in real mode. */
	if (h->unrestricted_guest)
		fixed &= ~(u64)(X86_CR0_PE | X86_CR0_PG);
	return fixed;
}

u64 nvmx_policy_cr4_fixed(const struct nvmx_policy_host *h)
{
	return (h->cr4_fixed0 | ~h->cr4_fixed1) & nvmx_policy_cr4_defined();
}

static void nvmx_policy_set(u8 *rows, u64 *values, unsigned int bit,
			    u8 policy, bool value)
{
	rows[bit] = policy;
	if (value)
		*values |= B(bit);
	else
		*values &= ~B(bit);
}

/*
 * Every defined bit THROUGH, then the SHADOWING rows; a fixed bit left
 * THROUGH becomes SHADOWING with its fixed value.
 */
static void nvmx_policy_default_cr(u8 *rows, u64 *values, u64 defined,
				   u64 fixed, u64 fixed_value)
{
	unsigned int i;

	for (i = 0; i < 32; i++)
		rows[i] = defined & B(i) ? NVMX_POLICY_THROUGH :
					   NVMX_POLICY_NONE;
	*values = 0;
	for (i = 0; i < 32; i++)
		if ((fixed & B(i)) && rows[i] == NVMX_POLICY_THROUGH)
			nvmx_policy_set(rows, values, i, NVMX_POLICY_SHADOWING,
					fixed_value & B(i));
}

void nvmx_policy_default(struct nvmx_policy *p,
			 const struct nvmx_policy_host *h)
{
	u8 *c0 = p->cr0, *c4 = p->cr4;

	*p = (struct nvmx_policy){ .size = sizeof(*p) };
	nvmx_policy_default_cr(c0, &p->cr0_value, nvmx_policy_cr0_defined(),
			       nvmx_policy_cr0_fixed(h), h->cr0_fixed0);
	nvmx_policy_default_cr(c4, &p->cr4_value, nvmx_policy_cr4_defined(),
			       nvmx_policy_cr4_fixed(h), h->cr4_fixed0);
	/*
	 * VMX operation needs PE, NE, PG and VMXE; L0 keeps the caches on
	 * (NW, CD 0) and machine checks reported (MCE 1); SMXE is the host's.
	 */
	nvmx_policy_set(c0, &p->cr0_value, X86_CR0_PE_BIT, NVMX_POLICY_SHADOWING, 1);
	nvmx_policy_set(c0, &p->cr0_value, X86_CR0_NE_BIT, NVMX_POLICY_SHADOWING, 1);
	nvmx_policy_set(c0, &p->cr0_value, X86_CR0_PG_BIT, NVMX_POLICY_SHADOWING, 1);
	nvmx_policy_set(c0, &p->cr0_value, X86_CR0_NW_BIT, NVMX_POLICY_SHADOWING, 0);
	nvmx_policy_set(c0, &p->cr0_value, X86_CR0_CD_BIT, NVMX_POLICY_SHADOWING, 0);
	nvmx_policy_set(c4, &p->cr4_value, X86_CR4_MCE_BIT, NVMX_POLICY_SHADOWING, 1);
	nvmx_policy_set(c4, &p->cr4_value, X86_CR4_VMXE_BIT, NVMX_POLICY_SHADOWING, 1);
	nvmx_policy_set(c4, &p->cr4_value, X86_CR4_SMXE_BIT, NVMX_POLICY_SHADOWING,
			h->smxe);
	/* L0's own need: see NVMX_POLICY_CR4_L0_SEES. */
	if (!(nvmx_policy_cr4_fixed(h) & B(X86_CR4_OSXSAVE_BIT)))
		nvmx_policy_set(c4, &p->cr4_value, X86_CR4_OSXSAVE_BIT,
				NVMX_POLICY_INTERCEPT, 0);
	p->cr2 = NVMX_POLICY_THROUGH;
	p->cr3 = NVMX_POLICY_THROUGH;
	p->tpr = NVMX_POLICY_SHADOWING;
	p->tpr_value = 0;
	p->vmcs_ptr = NVMX_POLICY_INTERCEPT;
}

static bool nvmx_policy_has_value(u8 policy)
{
	return policy == NVMX_POLICY_SHADOWING ||
	       policy == NVMX_POLICY_INTERCEPT;
}

/* One register's 32 rows; @base is its first row number. */
static int nvmx_policy_check_cr(const u8 *rows, u64 values, u64 defined,
				u64 fixed, u64 fixed_value, unsigned int base,
				const char **bad)
{
	unsigned int i;

	for (i = 0; i < 32; i++) {
		u8 pol = rows[i];

		*bad = nvmx_policy_row_name(base + i);
		if (pol > NVMX_POLICY_INTERCEPT)
			return -EINVAL;
		if (!pol != !(defined & B(i)))
			return -EINVAL;
		if ((values & B(i)) && !nvmx_policy_has_value(pol))
			return -EINVAL;
		if ((fixed & B(i)) &&
		    (pol == NVMX_POLICY_THROUGH ||
		     ((values ^ fixed_value) & B(i))))
			return -EINVAL;
	}
	return 0;
}

int nvmx_policy_check(const struct nvmx_policy *p,
		      const struct nvmx_policy_host *h, const char **bad)
{
	unsigned int i;
	int r;

	*bad = "flags";
	if (p->flags)
		return -EINVAL;
	*bad = "__reserved";
	for (i = 0; i < ARRAY_SIZE(p->__reserved); i++)
		if (p->__reserved[i])
			return -EINVAL;
	/* No rows for bits 63:32: they are reserved in both registers. */
	*bad = "cr0_value";
	if (p->cr0_value >> 32)
		return -EINVAL;
	*bad = "cr4_value";
	if (p->cr4_value >> 32)
		return -EINVAL;
	r = nvmx_policy_check_cr(p->cr0, p->cr0_value, nvmx_policy_cr0_defined(),
				 nvmx_policy_cr0_fixed(h), h->cr0_fixed0,
				 NVMX_POLICY_ROW_CR0(0), bad);
	if (r)
		return r;
	r = nvmx_policy_check_cr(p->cr4, p->cr4_value, nvmx_policy_cr4_defined(),
				 nvmx_policy_cr4_fixed(h), h->cr4_fixed0,
				 NVMX_POLICY_ROW_CR4(0), bad);
	if (r)
		return r;
	for (i = 0; i < 32; i++) {
		*bad = nvmx_policy_row_name(NVMX_POLICY_ROW_CR4(i));
		if ((NVMX_POLICY_CR4_L0_SEES & B(i)) &&
		    p->cr4[i] == NVMX_POLICY_THROUGH)
			return -EINVAL;
		if ((NVMX_POLICY_CR4_L0_STATE & B(i)) &&
		    p->cr4[i] == NVMX_POLICY_SHADOWING && (p->cr4_value & B(i)))
			return -EINVAL;
	}
	/* VT-x cannot trap CR2: the guest always owns it. */
	*bad = "CR2";
	if (p->cr2 != NVMX_POLICY_THROUGH)
		return -EINVAL;
	/* CR3 has exiting controls but no mask or shadow. */
	*bad = "CR3";
	if (p->cr3 != NVMX_POLICY_THROUGH && p->cr3 != NVMX_POLICY_INTERCEPT)
		return -EINVAL;
	/* The physical TPR is never the guest's: 0 keeps interrupts seen. */
	*bad = "TPR";
	if (p->tpr != NVMX_POLICY_SHADOWING && p->tpr != NVMX_POLICY_INTERCEPT)
		return -EINVAL;
	*bad = "tpr_value";
	if (p->tpr_value)
		return -EINVAL;
	*bad = "VMCS_PTR";
	if (p->vmcs_ptr != NVMX_POLICY_INTERCEPT)
		return -EINVAL;
	*bad = NULL;
	return 0;
}

static void nvmx_policy_derive_cr(const u8 *rows, u64 values, u64 fixed,
				  u64 not_forced, struct nvmx_policy_cr *c)
{
	unsigned int i;

	/* Bits 63:32 and undefined bits: always L0's to check. */
	c->mask = ~0ULL;
	c->forced = 0;
	c->value = values;
	for (i = 0; i < 32; i++) {
		if (rows[i] == NVMX_POLICY_THROUGH)
			c->mask &= ~B(i);
		else if (rows[i] == NVMX_POLICY_SHADOWING)
			c->forced |= B(i);
		else if (rows[i] == NVMX_POLICY_INTERCEPT && (fixed & B(i)))
			c->forced |= B(i);
	}
	c->forced &= ~not_forced;
}

void nvmx_policy_derive(const struct nvmx_policy *p,
			const struct nvmx_policy_host *h,
			struct nvmx_policy_masks *m)
{
	/*
	 * With unrestricted guest the real PE and PG follow the guest, as
	 * the CPU allows: SHADOWING then traps their changes, L0 checks them,
	 * and the guest really runs unpaged or in real mode.
	 */
	u64 ug = h->unrestricted_guest ? X86_CR0_PE | X86_CR0_PG : 0;

	nvmx_policy_derive_cr(p->cr0, p->cr0_value, nvmx_policy_cr0_fixed(h),
			      ug, &m->cr0);
	nvmx_policy_derive_cr(p->cr4, p->cr4_value, nvmx_policy_cr4_fixed(h),
			      0, &m->cr4);
	m->cr3_intercept = p->cr3 == NVMX_POLICY_INTERCEPT;
	m->tpr_intercept = p->tpr == NVMX_POLICY_INTERCEPT;
}
