// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/caps.c, the capability checks and control adjustment,
 * built for userspace with ASan and UBSan.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "caps.h"

/* A capability set that has everything nvmx requires, like a Broadwell. */
static struct nvmx_vmx_caps good_caps(void)
{
	struct nvmx_vmx_caps c;

	memset(&c, 0, sizeof(c));
	c.basic = 0x2b | (0x1000ULL << NVMX_BASIC_VMCS_SIZE_SHIFT) |
		  (NVMX_MEMTYPE_WB << NVMX_BASIC_MEMTYPE_SHIFT) |
		  NVMX_BASIC_TRUE_CTLS;
	c.pinbased = 0x0000007f00000016ULL;
	c.procbased = 0xfff9fffe04006172ULL;
	c.exit = 0x007fffff00036dfbULL;
	c.entry = 0x0000ffff000011fbULL;
	c.procbased2 = 0x000077ff00000000ULL;
	c.ept_vpid = 0x00000f0106734141ULL;
	c.cr0_fixed0 = 0x80000021;
	c.cr0_fixed1 = 0xffffffff;
	c.cr4_fixed0 = 0x2000;
	c.cr4_fixed1 = 0x3727ff;
	return c;
}

TEST(good_caps_have_nothing_missing)
{
	struct nvmx_vmx_caps c = good_caps();

	EXPECT_EQ(NULL, nvmx_caps_missing(&c));
	EXPECT_EQ(0x2b, nvmx_caps_revision(&c));
	EXPECT_EQ(4096, nvmx_caps_vmcs_size(&c));
}

/* Each requirement, removed alone, is reported by its own name. */
static const struct {
	const char *name;
	size_t offset;
	u64 clear;
	const char *expect;
} missing_cases[] = {
	{ "true ctls", offsetof(struct nvmx_vmx_caps, basic), NVMX_BASIC_TRUE_CTLS,
	  "true VMX control MSRs" },
	{ "memtype", offsetof(struct nvmx_vmx_caps, basic), NVMX_BASIC_MEMTYPE_MASK,
	  "write-back VMCS memory type" },
	{ "msr bitmaps", offsetof(struct nvmx_vmx_caps, procbased),
	  NVMX_ALLOWED1(NVMX_PROC_MSR_BITMAPS), "MSR bitmaps" },
	{ "tpr shadow", offsetof(struct nvmx_vmx_caps, procbased),
	  NVMX_ALLOWED1(NVMX_PROC_TPR_SHADOW), "TPR shadow" },
	{ "secondary", offsetof(struct nvmx_vmx_caps, procbased),
	  NVMX_ALLOWED1(NVMX_PROC_SECONDARY), "secondary controls" },
	{ "ept", offsetof(struct nvmx_vmx_caps, procbased2),
	  NVMX_ALLOWED1(NVMX_PROC2_EPT), "EPT (secondary control 1)" },
	{ "ept walk 4", offsetof(struct nvmx_vmx_caps, ept_vpid), NVMX_EPT_WALK_4,
	  "4-level EPT walks" },
	{ "ept wb", offsetof(struct nvmx_vmx_caps, ept_vpid), NVMX_EPT_MEMTYPE_WB,
	  "write-back EPT" },
	{ "invept", offsetof(struct nvmx_vmx_caps, ept_vpid), NVMX_EPT_INVEPT,
	  "single- and all-context INVEPT" },
	{ "invept single", offsetof(struct nvmx_vmx_caps, ept_vpid), NVMX_EPT_INVEPT_SINGLE,
	  "single- and all-context INVEPT" },
	{ "invept all", offsetof(struct nvmx_vmx_caps, ept_vpid), NVMX_EPT_INVEPT_ALL,
	  "single- and all-context INVEPT" },
	{ "vpid", offsetof(struct nvmx_vmx_caps, procbased2),
	  NVMX_ALLOWED1(NVMX_PROC2_VPID), "VPID (secondary control 5)" },
	{ "invvpid", offsetof(struct nvmx_vmx_caps, ept_vpid), NVMX_VPID_INVVPID,
	  "single- and all-context INVVPID" },
	{ "invvpid single", offsetof(struct nvmx_vmx_caps, ept_vpid), NVMX_VPID_INVVPID_SINGLE,
	  "single- and all-context INVVPID" },
	{ "invvpid all", offsetof(struct nvmx_vmx_caps, ept_vpid), NVMX_VPID_INVVPID_ALL,
	  "single- and all-context INVVPID" },
	{ "unrestricted", offsetof(struct nvmx_vmx_caps, procbased2),
	  NVMX_ALLOWED1(NVMX_PROC2_UNRESTRICTED), "unrestricted guest" },
	{ "host 64", offsetof(struct nvmx_vmx_caps, exit),
	  NVMX_ALLOWED1(NVMX_EXIT_HOST_64BIT), "64-bit host on VM exit" },
	{ "ia32e guest", offsetof(struct nvmx_vmx_caps, entry),
	  NVMX_ALLOWED1(NVMX_ENTRY_IA32E_GUEST), "IA-32e mode guest" },
};

TEST(each_missing_feature_is_named)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(missing_cases); i++) {
		struct nvmx_vmx_caps c = good_caps();
		u64 *f = (u64 *)((char *)&c + missing_cases[i].offset);
		const char *what;

		*f &= ~missing_cases[i].clear;
		what = nvmx_caps_missing(&c);
		ASSERT_NE(NULL, what) TH_LOG("%s", missing_cases[i].name);
		EXPECT_EQ(what, strstr(what, missing_cases[i].expect))
			TH_LOG("%s: got \"%s\"", missing_cases[i].name, what);
	}
}

TEST(phys_addr_width_and_vmcs_size)
{
	struct nvmx_vmx_caps c = good_caps();

	c.basic |= NVMX_BASIC_32BIT_PHYS;
	EXPECT_NE(NULL, strstr(nvmx_caps_missing(&c), "64-bit VMX physical"));

	c = good_caps();
	c.basic &= ~NVMX_BASIC_VMCS_SIZE_MASK;
	c.basic |= 0x1001ULL << NVMX_BASIC_VMCS_SIZE_SHIFT;
	EXPECT_NE(NULL, strstr(nvmx_caps_missing(&c), "at most 4 KiB"));
	c.basic &= ~NVMX_BASIC_VMCS_SIZE_MASK;
	EXPECT_NE(NULL, strstr(nvmx_caps_missing(&c), "at most 4 KiB"));
	c.basic |= 0x400ULL << NVMX_BASIC_VMCS_SIZE_SHIFT;
	EXPECT_EQ(NULL, nvmx_caps_missing(&c));
}

TEST(wrong_memtype_is_refused)
{
	struct nvmx_vmx_caps c = good_caps();

	c.basic &= ~NVMX_BASIC_MEMTYPE_MASK;
	/* Uncacheable (0) and write-through (4) are not write-back (6). */
	EXPECT_NE(NULL, nvmx_caps_missing(&c));
	c.basic |= 4ULL << NVMX_BASIC_MEMTYPE_SHIFT;
	EXPECT_NE(NULL, nvmx_caps_missing(&c));
}

TEST(msr_presence_follows_earlier_msrs)
{
	struct nvmx_vmx_caps c;

	memset(&c, 0, sizeof(c));
	EXPECT_TRUE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_basic));
	EXPECT_TRUE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_cr4_fixed1));
	EXPECT_FALSE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_pinbased));
	EXPECT_FALSE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_procbased2));
	EXPECT_FALSE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_ept_vpid));
	EXPECT_FALSE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_vmfunc));
	EXPECT_FALSE(nvmx_cap_msr_present(&c, NVMX_CAP_NR_MSRS));

	c.basic = NVMX_BASIC_TRUE_CTLS;
	EXPECT_TRUE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_pinbased));
	EXPECT_TRUE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_entry));
	c.procbased = NVMX_ALLOWED1(NVMX_PROC_SECONDARY);
	EXPECT_TRUE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_procbased2));
	EXPECT_FALSE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_ept_vpid));
	c.procbased2 = NVMX_ALLOWED1(NVMX_PROC2_VPID);
	EXPECT_TRUE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_ept_vpid));
	EXPECT_FALSE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_vmfunc));
	c.procbased2 |= NVMX_ALLOWED1(NVMX_PROC2_VMFUNC);
	EXPECT_TRUE(nvmx_cap_msr_present(&c, NVMX_CAP_IDX_vmfunc));
}

TEST(msr_table_matches_the_sdm)
{
	unsigned int i;

	/* Row i of cap_msrs.h describes the i-th u64 of struct nvmx_vmx_caps. */
	for (i = 0; i < NVMX_CAP_NR_MSRS; i++) {
		EXPECT_EQ(i * sizeof(u64), nvmx_cap_msrs[i].offset);
		EXPECT_NE(NULL, nvmx_cap_msrs[i].name);
		EXPECT_EQ(0x480, nvmx_cap_msrs[i].msr & ~0x1fU);
	}
	EXPECT_EQ(0x480, nvmx_cap_msrs[NVMX_CAP_IDX_basic].msr);
	EXPECT_EQ(0x48d, nvmx_cap_msrs[NVMX_CAP_IDX_pinbased].msr);
	EXPECT_EQ(0x48e, nvmx_cap_msrs[NVMX_CAP_IDX_procbased].msr);
	EXPECT_EQ(0x48b, nvmx_cap_msrs[NVMX_CAP_IDX_procbased2].msr);
	EXPECT_EQ(0x48c, nvmx_cap_msrs[NVMX_CAP_IDX_ept_vpid].msr);
	EXPECT_EQ(0x491, nvmx_cap_msrs[NVMX_CAP_IDX_vmfunc].msr);
	EXPECT_EQ(offsetof(struct nvmx_vmx_caps, ept_vpid),
		  nvmx_cap_msrs[NVMX_CAP_IDX_ept_vpid].offset);
	EXPECT_EQ(NVMX_CAP_NR_MSRS * sizeof(u64), sizeof(struct nvmx_vmx_caps));
}

TEST(caps_differ_names_the_msr)
{
	struct nvmx_vmx_caps a = good_caps(), b = good_caps();

	EXPECT_EQ(NULL, nvmx_caps_differ(&a, &b));
	b.ept_vpid ^= NVMX_EPT_WALK_4;
	EXPECT_STREQ("IA32_VMX_EPT_VPID_CAP", nvmx_caps_differ(&a, &b));
	b = a;
	b.vmfunc = 1;
	EXPECT_STREQ("IA32_VMX_VMFUNC", nvmx_caps_differ(&a, &b));
}

TEST(ctls_adjust)
{
	/* Bits 1 and 2 must be 1; bits 0-7 may be 1. */
	u64 msr = (0xffULL << 32) | 0x06;
	u32 out = 0xdead;

	ASSERT_EQ(0, nvmx_ctls_adjust(msr, 0x10, 0, &out));
	EXPECT_EQ(0x16, out);
	/* Optional bits the CPU lacks are dropped... */
	ASSERT_EQ(0, nvmx_ctls_adjust(msr, 0x10, 0x300, &out));
	EXPECT_EQ(0x16, out);
	ASSERT_EQ(0, nvmx_ctls_adjust(msr, 0, 0x81, &out));
	EXPECT_EQ(0x87, out);
	/* ...required ones fail, leaving the output alone. */
	out = 0xdead;
	EXPECT_EQ(-EOPNOTSUPP, nvmx_ctls_adjust(msr, 0x100, 0, &out));
	EXPECT_EQ(0xdead, out);
	/* An MSR demanding a bit it does not allow is malformed. */
	EXPECT_EQ(-EINVAL, nvmx_ctls_adjust((0x1ULL << 32) | 0x2, 0, 0, &out));
	/* The full width. */
	ASSERT_EQ(0, nvmx_ctls_adjust(0xffffffff00000000ULL, 0x80000000, 0, &out));
	EXPECT_EQ(0x80000000, out);
}

TEST(cr_fixed_bits)
{
	/* CR0: PE, NE and PG fixed to 1; everything allowed. */
	EXPECT_TRUE(nvmx_cr_fixed_ok(0x80050033, 0x80000021, 0xffffffff));
	EXPECT_FALSE(nvmx_cr_fixed_ok(0x80050013, 0x80000021, 0xffffffff));
	/* CR4: VMXE fixed to 1, bits above 21 not allowed. */
	EXPECT_TRUE(nvmx_cr_fixed_ok(0x3626f0, 0x2000, 0x3727ff));
	EXPECT_FALSE(nvmx_cr_fixed_ok(0x3606f0, 0x2000, 0x3727ff));
	EXPECT_FALSE(nvmx_cr_fixed_ok(0x13626f0, 0x2000, 0x3727ff));
}

TEST_HARNESS_MAIN
