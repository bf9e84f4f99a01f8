// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/policy.c, the register emulation policy table: the
 * default, its checks and the masks derived from it.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "policy.h"

#define CR0_PE	0x1ULL
#define CR0_MP	0x2ULL
#define CR0_EM	0x4ULL
#define CR0_TS	0x8ULL
#define CR0_ET	0x10ULL
#define CR0_NE	0x20ULL
#define CR0_WP	0x10000ULL
#define CR0_AM	0x40000ULL
#define CR0_NW	0x20000000ULL
#define CR0_CD	0x40000000ULL
#define CR0_PG	0x80000000ULL
#define CR0_ALL	(CR0_PE | CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_NE | \
		 CR0_WP | CR0_AM | CR0_NW | CR0_CD | CR0_PG)

#define CR4_MCE		BIT_ULL(6)
#define CR4_PGE		BIT_ULL(7)
#define CR4_LA57	BIT_ULL(12)
#define CR4_VMXE	BIT_ULL(13)
#define CR4_SMXE	BIT_ULL(14)
#define CR4_OSXSAVE	BIT_ULL(18)
#define CR4_PKE		BIT_ULL(22)
#define CR4_PKS		BIT_ULL(24)
/* VME..OSXMMEXCPT, UMIP, LA57, VMXE, SMXE, FSGSBASE..OSXSAVE, SMEP..PKS */
#define CR4_SDM		(0x7ffULL | BIT_ULL(11) | CR4_LA57 | CR4_VMXE | \
			 CR4_SMXE | (0x7ULL << 16) | (0x1fULL << 20))

/* A Broadwell-like host: no LA57, PKE, CET, PKS, SMX; UMIP absent. */
static const struct nvmx_policy_host bdw = {
	.cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
	.cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x3767ff & ~CR4_SMXE,
	.unrestricted_guest = true, .smxe = false,
};

/* A host with everything, SMX on and without unrestricted guest. */
static const struct nvmx_policy_host full = {
	.cr0_fixed0 = 0x80000021, .cr0_fixed1 = 0xffffffff,
	.cr4_fixed0 = 0x2000, .cr4_fixed1 = 0x1ff7fff,
	.unrestricted_guest = false, .smxe = true,
};

static unsigned int row_of(const char *name)
{
	unsigned int r;

	for (r = 0; r < NVMX_POLICY_NR_ROWS; r++)
		if (!strcmp(nvmx_policy_row_name(r), name))
			return r;
	return ~0U;
}

static u8 *row_ptr(struct nvmx_policy *p, const char *name)
{
	unsigned int r = row_of(name);

	if (r < 32)
		return &p->cr0[r];
	if (r < 64)
		return &p->cr4[r - 32];
	return NULL;
}

static u64 pol_bits(const u8 *rows, u8 pol)
{
	u64 b = 0;
	unsigned int i;

	for (i = 0; i < 32; i++)
		if (rows[i] == pol)
			b |= 1ULL << i;
	return b;
}

TEST(rows_are_named)
{
	unsigned int r;

	EXPECT_EQ(CR0_ALL, nvmx_policy_cr0_defined());
	/* At least the SDM's bits up to PKS; more only under header macros. */
	EXPECT_EQ(CR4_SDM, nvmx_policy_cr4_defined() & CR4_SDM);
	EXPECT_EQ(0, nvmx_policy_cr4_defined() & ~(CR4_SDM | BIT_ULL(19) |
						   BIT_ULL(25) | BIT_ULL(28)));
	for (r = 0; r < NVMX_POLICY_NR_ROWS; r++)
		ASSERT_NE(NULL, nvmx_policy_row_name(r));
	EXPECT_EQ(NULL, nvmx_policy_row_name(NVMX_POLICY_NR_ROWS));
	EXPECT_STREQ("CR0.PE", nvmx_policy_row_name(0));
	EXPECT_STREQ("CR0.PG", nvmx_policy_row_name(31));
	EXPECT_STREQ("CR0 bit 7", nvmx_policy_row_name(7));
	EXPECT_STREQ("CR4.VMXE", nvmx_policy_row_name(32 + 13));
	EXPECT_STREQ("CR4.PKS", nvmx_policy_row_name(32 + 24));
	EXPECT_STREQ("CR4 bit 15", nvmx_policy_row_name(32 + 15));
	EXPECT_STREQ("CR3", nvmx_policy_row_name(NVMX_POLICY_ROW_CR3));
	EXPECT_STREQ("VMCS_PTR", nvmx_policy_row_name(NVMX_POLICY_ROW_VMCS_PTR));
	EXPECT_STREQ("intercept", nvmx_policy_name(NVMX_POLICY_INTERCEPT));
	EXPECT_STREQ("?", nvmx_policy_name(4));
}

TEST(default_is_the_issues_table)
{
	struct nvmx_policy p;
	const char *bad = "x";

	nvmx_policy_default(&p, &full);
	EXPECT_EQ(sizeof(p), p.size);
	EXPECT_EQ(0, nvmx_policy_check(&p, &full, &bad));
	EXPECT_EQ(NULL, bad);
	EXPECT_EQ(CR0_PE | CR0_NE | CR0_PG | CR0_NW | CR0_CD,
		  pol_bits(p.cr0, NVMX_POLICY_SHADOWING));
	EXPECT_EQ(CR0_PE | CR0_NE | CR0_PG, p.cr0_value);
	EXPECT_EQ(CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_WP | CR0_AM,
		  pol_bits(p.cr0, NVMX_POLICY_THROUGH));
	EXPECT_EQ(~CR0_ALL & 0xffffffffULL, pol_bits(p.cr0, NVMX_POLICY_NONE));
	/*
	 * This host has every CR4 bit: only MCE, VMXE, SMXE are shadowed,
	 * and OSXSAVE, which L0 must see change, is intercepted.
	 */
	EXPECT_EQ(CR4_MCE | CR4_VMXE | CR4_SMXE,
		  pol_bits(p.cr4, NVMX_POLICY_SHADOWING));
	EXPECT_EQ(CR4_OSXSAVE, pol_bits(p.cr4, NVMX_POLICY_INTERCEPT));
	EXPECT_EQ(CR4_MCE | CR4_VMXE | CR4_SMXE, p.cr4_value);
	EXPECT_EQ(nvmx_policy_cr4_defined() &
		  ~(CR4_MCE | CR4_VMXE | CR4_SMXE | CR4_OSXSAVE),
		  pol_bits(p.cr4, NVMX_POLICY_THROUGH));
	EXPECT_EQ(NVMX_POLICY_THROUGH, p.cr2);
	EXPECT_EQ(NVMX_POLICY_THROUGH, p.cr3);
	EXPECT_EQ(NVMX_POLICY_SHADOWING, p.tpr);
	EXPECT_EQ(0, p.tpr_value);
	EXPECT_EQ(NVMX_POLICY_INTERCEPT, p.vmcs_ptr);
}

TEST(default_follows_the_host)
{
	struct nvmx_policy p;
	const char *bad;

	nvmx_policy_default(&p, &bdw);
	EXPECT_EQ(0, nvmx_policy_check(&p, &bdw, &bad));
	/* Host SMXE 0; LA57 and PKS are fixed to 0: shadowed at 0. */
	EXPECT_EQ(NVMX_POLICY_SHADOWING, *row_ptr(&p, "CR4.SMXE"));
	EXPECT_EQ(0, p.cr4_value & CR4_SMXE);
	EXPECT_EQ(NVMX_POLICY_SHADOWING, *row_ptr(&p, "CR4.LA57"));
	EXPECT_EQ(NVMX_POLICY_SHADOWING, *row_ptr(&p, "CR4.PKS"));
	EXPECT_EQ(CR4_MCE | CR4_VMXE, p.cr4_value);
	EXPECT_EQ(NVMX_POLICY_THROUGH, *row_ptr(&p, "CR4.PGE"));
	/* The full host's default is invalid here, and says why. */
	nvmx_policy_default(&p, &full);
	EXPECT_EQ(-EINVAL, nvmx_policy_check(&p, &bdw, &bad));
	EXPECT_STREQ("CR4.UMIP", bad);
}

/* Each refusal names the row, and a fixed copy is accepted again. */
#define REFUSED(host, p, name) do {					\
	const char *bad_ = NULL;					\
	EXPECT_EQ(-EINVAL, nvmx_policy_check(&(p), host, &bad_));	\
	EXPECT_STREQ(name, bad_ ? bad_ : "(null)");			\
} while (0)

TEST(refusals_name_the_row)
{
	struct nvmx_policy d, p;

	nvmx_policy_default(&d, &full);
	p = d; p.flags = 1;
	REFUSED(&full, p, "flags");
	p = d; p.__reserved[2] = 1;
	REFUSED(&full, p, "__reserved");
	p = d; *row_ptr(&p, "CR0.TS") = 4;
	REFUSED(&full, p, "CR0.TS");
	p = d; *row_ptr(&p, "CR4.DE") = 0xff;
	REFUSED(&full, p, "CR4.DE");
	p = d; *row_ptr(&p, "CR0.WP") = NVMX_POLICY_NONE;
	REFUSED(&full, p, "CR0.WP");
	p = d; p.cr0[7] = NVMX_POLICY_THROUGH;
	REFUSED(&full, p, "CR0 bit 7");
	p = d; p.cr4[15] = NVMX_POLICY_SHADOWING;
	REFUSED(&full, p, "CR4 bit 15");
	p = d; *row_ptr(&p, "CR0.NE") = NVMX_POLICY_THROUGH;
	REFUSED(&full, p, "CR0.NE");
	p = d; *row_ptr(&p, "CR4.VMXE") = NVMX_POLICY_THROUGH;
	REFUSED(&full, p, "CR4.VMXE");
	/* L0 switches XCR0 on OSXSAVE; no forced PKE (PKRU unswitched). */
	p = d; *row_ptr(&p, "CR4.OSXSAVE") = NVMX_POLICY_THROUGH;
	REFUSED(&full, p, "CR4.OSXSAVE");
	p = d; *row_ptr(&p, "CR4.OSXSAVE") = NVMX_POLICY_SHADOWING;
	p.cr4_value |= CR4_OSXSAVE;
	REFUSED(&full, p, "CR4.OSXSAVE");
	p = d; *row_ptr(&p, "CR4.PKE") = NVMX_POLICY_SHADOWING;
	p.cr4_value |= CR4_PKE;
	REFUSED(&full, p, "CR4.PKE");
	/* Without unrestricted guest PE and PG are fixed too. */
	p = d; *row_ptr(&p, "CR0.PG") = NVMX_POLICY_THROUGH;
	REFUSED(&full, p, "CR0.PG");
	p = d; p.cr0_value &= ~CR0_NE;
	REFUSED(&full, p, "CR0.NE");
	p = d; p.cr4_value &= ~CR4_VMXE;
	REFUSED(&full, p, "CR4.VMXE");
	p = d; p.cr0_value |= CR0_TS;
	REFUSED(&full, p, "CR0.TS");
	p = d; p.cr0_value |= 1ULL << 8;
	REFUSED(&full, p, "CR0 bit 8");
	p = d; p.cr0_value |= 1ULL << 40;
	REFUSED(&full, p, "cr0_value");
	p = d; p.cr4_value |= 1ULL << 33;
	REFUSED(&full, p, "cr4_value");
	p = d; p.cr2 = NVMX_POLICY_INTERCEPT;
	REFUSED(&full, p, "CR2");
	p = d; p.cr3 = NVMX_POLICY_SHADOWING;
	REFUSED(&full, p, "CR3");
	p = d; p.cr3 = NVMX_POLICY_NONE;
	REFUSED(&full, p, "CR3");
	p = d; p.tpr = NVMX_POLICY_THROUGH;
	REFUSED(&full, p, "TPR");
	p = d; p.tpr_value = 1;
	REFUSED(&full, p, "tpr_value");
	p = d; p.vmcs_ptr = NVMX_POLICY_SHADOWING;
	REFUSED(&full, p, "VMCS_PTR");
	/* A fixed-0 bit of this host may not be THROUGH, nor valued 1. */
	nvmx_policy_default(&d, &bdw);
	p = d; *row_ptr(&p, "CR4.PKS") = NVMX_POLICY_THROUGH;
	REFUSED(&bdw, p, "CR4.PKS");
	p = d; p.cr4_value |= CR4_PKS;
	REFUSED(&bdw, p, "CR4.PKS");
}

TEST(accepted_variants)
{
	struct nvmx_policy d, p;
	const char *bad;

	nvmx_policy_default(&d, &bdw);
	/* Under unrestricted guest PE and PG may be THROUGH. */
	p = d;
	*row_ptr(&p, "CR0.PE") = NVMX_POLICY_THROUGH;
	*row_ptr(&p, "CR0.PG") = NVMX_POLICY_THROUGH;
	p.cr0_value &= ~(CR0_PE | CR0_PG);
	EXPECT_EQ(0, nvmx_policy_check(&p, &bdw, &bad));
	/* TPR and CR3 INTERCEPT, PGE INTERCEPT with either value. */
	p = d;
	p.tpr = NVMX_POLICY_INTERCEPT;
	p.cr3 = NVMX_POLICY_INTERCEPT;
	*row_ptr(&p, "CR4.PGE") = NVMX_POLICY_INTERCEPT;
	EXPECT_EQ(0, nvmx_policy_check(&p, &bdw, &bad));
	p.cr4_value |= CR4_PGE;
	EXPECT_EQ(0, nvmx_policy_check(&p, &bdw, &bad));
	/* Larger sizes are the ioctl's business, not the check's. */
	p.size = 4096;
	EXPECT_EQ(0, nvmx_policy_check(&p, &bdw, &bad));
}

/* Everything INTERCEPT, with each fixed bit at its fixed value. */
static struct nvmx_policy all_intercept(const struct nvmx_policy_host *h)
{
	struct nvmx_policy p;
	unsigned int i;

	nvmx_policy_default(&p, h);
	for (i = 0; i < 32; i++) {
		if (p.cr0[i])
			p.cr0[i] = NVMX_POLICY_INTERCEPT;
		if (p.cr4[i])
			p.cr4[i] = NVMX_POLICY_INTERCEPT;
	}
	p.cr0_value = h->cr0_fixed0 & nvmx_policy_cr0_fixed(h);
	p.cr4_value = h->cr4_fixed0 & nvmx_policy_cr4_fixed(h);
	p.cr3 = NVMX_POLICY_INTERCEPT;
	p.tpr = NVMX_POLICY_INTERCEPT;
	return p;
}

TEST(derived_masks_of_the_default)
{
	struct nvmx_policy p;
	struct nvmx_policy_masks m;
	u64 through4;

	nvmx_policy_default(&p, &bdw);
	nvmx_policy_derive(&p, &bdw, &m);
	EXPECT_EQ(~(CR0_MP | CR0_EM | CR0_TS | CR0_ET | CR0_WP | CR0_AM),
		  m.cr0.mask);
	/* Unrestricted guest: PE and PG masked, not forced. */
	EXPECT_EQ(CR0_NE | CR0_NW | CR0_CD, m.cr0.forced);
	EXPECT_EQ(CR0_PE | CR0_NE | CR0_PG, m.cr0.value);
	through4 = pol_bits(p.cr4, NVMX_POLICY_THROUGH);
	EXPECT_EQ(~through4, m.cr4.mask);
	EXPECT_EQ(pol_bits(p.cr4, NVMX_POLICY_SHADOWING), m.cr4.forced);
	EXPECT_EQ(CR4_MCE | CR4_VMXE, m.cr4.value & m.cr4.forced);
	EXPECT_EQ(0, m.cr4.mask & CR4_PGE);
	EXPECT_FALSE(m.cr3_intercept);
	EXPECT_FALSE(m.tpr_intercept);

	/* Without unrestricted guest PE and PG are forced to 1. */
	nvmx_policy_default(&p, &full);
	nvmx_policy_derive(&p, &full, &m);
	EXPECT_EQ(CR0_PE | CR0_PG | CR0_NE | CR0_NW | CR0_CD, m.cr0.forced);
	EXPECT_EQ(CR4_MCE | CR4_VMXE | CR4_SMXE, m.cr4.forced);
	EXPECT_EQ(CR4_MCE | CR4_VMXE | CR4_SMXE, m.cr4.value & m.cr4.forced);
}

TEST(derived_masks_of_intercept)
{
	struct nvmx_policy p = all_intercept(&bdw);
	struct nvmx_policy_masks m;
	const char *bad;

	ASSERT_EQ(0, nvmx_policy_check(&p, &bdw, &bad));
	nvmx_policy_derive(&p, &bdw, &m);
	EXPECT_EQ(~0ULL, m.cr0.mask);
	EXPECT_EQ(~0ULL, m.cr4.mask);
	/* INTERCEPT forces only the fixed bits: the rest follow the guest. */
	EXPECT_EQ(CR0_NE, m.cr0.forced);
	EXPECT_EQ(nvmx_policy_cr4_fixed(&bdw), m.cr4.forced);
	EXPECT_EQ(CR4_VMXE, m.cr4.value & m.cr4.forced);
	EXPECT_TRUE(m.cr3_intercept);
	EXPECT_TRUE(m.tpr_intercept);
	/* forced is always within mask, for every valid table here. */
	EXPECT_EQ(0, m.cr0.forced & ~m.cr0.mask);
	EXPECT_EQ(0, m.cr4.forced & ~m.cr4.mask);
}

/*
 * Any table the check accepts derives masks with forced within mask, and
 * with every host-fixed bit forced to its fixed value.
 */
TEST(random_tables_keep_the_invariants)
{
	const struct nvmx_policy_host *hosts[] = { &bdw, &full };
	unsigned long long s = 12345;
	unsigned int n, i, accepted = 0, k;
	const char *bad;

	for (n = 0; n < 20000; n++) {
		const struct nvmx_policy_host *h = hosts[n & 1];
		struct nvmx_policy p;
		struct nvmx_policy_masks m;
		u64 f0, f4;

		nvmx_policy_default(&p, h);
		for (k = 0; k < 1 + (n % 3); k++) {
			s = s * 6364136223846793005ULL + 1442695040888963407ULL;
			i = (s >> 33) % 64;
			if (i < 32)
				p.cr0[i] = (s >> 20) & 3;
			else
				p.cr4[i - 32] = (s >> 20) & 3;
			if ((s >> 40) & 1)
				p.cr0_value ^= 1ULL << ((s >> 45) & 31);
			if ((s >> 41) & 1)
				p.cr4_value ^= 1ULL << ((s >> 50) & 31);
		}
		if (nvmx_policy_check(&p, h, &bad)) {
			ASSERT_NE(NULL, bad);
			continue;
		}
		accepted++;
		nvmx_policy_derive(&p, h, &m);
		ASSERT_EQ(0, m.cr0.forced & ~m.cr0.mask);
		ASSERT_EQ(0, m.cr4.forced & ~m.cr4.mask);
		f0 = nvmx_policy_cr0_fixed(h);
		f4 = nvmx_policy_cr4_fixed(h);
		ASSERT_EQ(f0, m.cr0.forced & f0);
		ASSERT_EQ(f4, m.cr4.forced & f4);
		ASSERT_EQ(h->cr0_fixed0 & f0, m.cr0.value & f0);
		ASSERT_EQ(h->cr4_fixed0 & f4, m.cr4.value & f4);
		/* Undefined bits are never the guest's. */
		ASSERT_EQ(~nvmx_policy_cr0_defined(),
			  m.cr0.mask & ~nvmx_policy_cr0_defined());
		ASSERT_EQ(~nvmx_policy_cr4_defined(),
			  m.cr4.mask & ~nvmx_policy_cr4_defined());
	}
	/* Both outcomes were exercised. */
	EXPECT_GT(accepted, 50);
	EXPECT_LT(accepted, 20000);
}

TEST_HARNESS_MAIN
