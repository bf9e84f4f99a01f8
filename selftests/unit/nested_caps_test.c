// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/nested/caps.c, the IA32_VMX_* MSRs L1 sees, built for
 * userspace with ASan and UBSan.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "nested/l1caps.h"
#include "nested/vmcs12.h"

#define A1(bit)		NVMX_ALLOWED1(bit)

/* A Broadwell's VMX MSRs (true controls), as caps_test.c uses. */
static struct nvmx_vmx_caps host_caps(void)
{
	struct nvmx_vmx_caps c;

	memset(&c, 0, sizeof(c));
	c.basic = 0x12 | (0x400ULL << NVMX_BASIC_VMCS_SIZE_SHIFT) |
		  (NVMX_MEMTYPE_WB << NVMX_BASIC_MEMTYPE_SHIFT) |
		  NVMX_BASIC_INOUT | NVMX_BASIC_TRUE_CTLS;
	c.pinbased = 0x0000007f00000016ULL;
	c.procbased = 0xfff9fffe04006172ULL;
	c.exit = 0x007fffff00036dfbULL;
	c.entry = 0x0000ffff000011fbULL;
	c.misc = 0x00000000300481e5ULL;
	c.procbased2 = 0x000f7fff00000000ULL;
	c.ept_vpid = 0x00000f0106734141ULL;
	c.vmfunc = 1;
	c.cr0_fixed0 = 0x80000021;
	c.cr0_fixed1 = 0xffffffff;
	c.cr4_fixed0 = 0x2000;
	c.cr4_fixed1 = 0x3727ff;
	return c;
}

static const u32 field_encodings[] = {
#define NVMX_VMCS12_FIELD(name, enc, width, off, acc, cls, freq, sh) enc,
#include "nested/vmcs12_fields.h"
#undef NVMX_VMCS12_FIELD
};

static struct nvmx_vmx_caps l1_max(const struct nvmx_vmx_caps *host)
{
	struct nvmx_vmx_caps l1;

	memset(&l1, 0xa5, sizeof(l1));
	nvmx_l1_caps_max(host, &l1);
	return l1;
}

static u64 rd(const struct nvmx_vmx_caps *c, u32 msr)
{
	u64 v = 0xdeadbeef;

	if (!nvmx_l1_caps_read(c, msr, &v))
		return 0xdeadbeef;
	return v;
}

/* Every control the plan offers, and nothing else, on a host with all. */
TEST(offered_controls_exactly)
{
	struct nvmx_vmx_caps h = host_caps(), l1 = l1_max(&h);
	/* bits 63:32 = allowed-1, 31:0 = must-be-1 (true MSRs). */
	EXPECT_EQ(0x0000002900000000ULL | 0x16 | (0x16ULL << 32),
		  rd(&l1, NVMX_MSR_VMX_TRUE_PINBASED));
	/*
	 * Allowed-1: 2,3,7,9-12,15,16,19-25,28-31 offered plus the reserved
	 * default-1 bits 1,4,5,6,8,13,14,26; must-be-1: those reserved bits.
	 */
	EXPECT_EQ(0xf7f9fffeULL << 32 | 0x04006172ULL,
		  rd(&l1, NVMX_MSR_VMX_TRUE_PROCBASED));
	EXPECT_EQ(0x0001184cULL << 32, rd(&l1, NVMX_MSR_VMX_PROCBASED2));
	/* Exit: default-1 0-8,10,11,13,14,16,17 and 9,15,18-21; 2 is free. */
	EXPECT_EQ(0x003fefffULL << 32 | 0x00036dfbULL,
		  rd(&l1, NVMX_MSR_VMX_TRUE_EXIT));
	/* Entry: default-1 0-8,12 and 9,14,15; 2 is free. */
	EXPECT_EQ(0x0000d3ffULL << 32 | 0x000011fbULL,
		  rd(&l1, NVMX_MSR_VMX_TRUE_ENTRY));
	/* No EPT, VPID, unrestricted guest, VMFUNC, shadow VMCS, PML. */
	EXPECT_EQ(0, l1.procbased2 & (A1(1) | A1(5) | A1(7) | A1(13) |
				      A1(14) | A1(17) | A1(20)));
	/* No preemption timer, posted interrupts, MTF, tertiary controls. */
	EXPECT_EQ(0, l1.pinbased & (A1(6) | A1(7)));
	EXPECT_EQ(0, l1.procbased & (A1(17) | A1(27)));
	EXPECT_EQ(0, rd(&l1, NVMX_MSR_VMX_EPT_VPID));
	EXPECT_EQ(0, rd(&l1, NVMX_MSR_VMX_VMFUNC));
}

/* The legacy MSRs report the default-1 class as must-be-1 (SDM A.2). */
TEST(legacy_msrs_have_default1_set)
{
	struct nvmx_vmx_caps h = host_caps(), l1 = l1_max(&h);

	EXPECT_EQ(rd(&l1, NVMX_MSR_VMX_TRUE_PINBASED) | 0x16,
		  rd(&l1, NVMX_MSR_VMX_PINBASED));
	EXPECT_EQ(rd(&l1, NVMX_MSR_VMX_TRUE_PROCBASED) | 0x0401e172,
		  rd(&l1, NVMX_MSR_VMX_PROCBASED));
	EXPECT_EQ(rd(&l1, NVMX_MSR_VMX_TRUE_EXIT) | 0x00036dff,
		  rd(&l1, NVMX_MSR_VMX_EXIT));
	EXPECT_EQ(rd(&l1, NVMX_MSR_VMX_TRUE_ENTRY) | 0x000011ff,
		  rd(&l1, NVMX_MSR_VMX_ENTRY));
	/* The free default-1 bits: clear in true, set in legacy. */
	EXPECT_EQ(0, rd(&l1, NVMX_MSR_VMX_TRUE_PROCBASED) & (3U << 15));
	EXPECT_EQ(3U << 15, rd(&l1, NVMX_MSR_VMX_PROCBASED) & (3U << 15));
	EXPECT_EQ(0, rd(&l1, NVMX_MSR_VMX_TRUE_EXIT) & 4);
	EXPECT_EQ(4, rd(&l1, NVMX_MSR_VMX_EXIT) & 4);
}

TEST(basic_misc_fixed_enum)
{
	struct nvmx_vmx_caps h = host_caps(), l1 = l1_max(&h);
	u64 basic = rd(&l1, NVMX_MSR_VMX_BASIC);
	unsigned int max = 0;
	size_t i;

	EXPECT_EQ(NVMX_VMCS12_REVISION, basic & NVMX_BASIC_REVISION_MASK);
	EXPECT_EQ(4096, nvmx_caps_vmcs_size(&l1));
	EXPECT_EQ(NVMX_MEMTYPE_WB, (basic & NVMX_BASIC_MEMTYPE_MASK) >>
				   NVMX_BASIC_MEMTYPE_SHIFT);
	EXPECT_EQ(NVMX_BASIC_TRUE_CTLS | NVMX_BASIC_INOUT,
		  basic & (NVMX_BASIC_TRUE_CTLS | NVMX_BASIC_INOUT |
			   NVMX_BASIC_DUAL_MONITOR | NVMX_BASIC_32BIT_PHYS |
			   NVMX_BASIC_NO_HW_ERRCODE));
	h.basic &= ~NVMX_BASIC_INOUT;
	l1 = l1_max(&h);
	EXPECT_EQ(0, rd(&l1, NVMX_MSR_VMX_BASIC) & NVMX_BASIC_INOUT);

	/* Host MISC 0x300481e5: LMA store, MSR lists of 512, timer rate 5. */
	h = host_caps();
	l1 = l1_max(&h);
	EXPECT_EQ(NVMX_MISC_SAVE_LMA | NVMX_MISC_VMWRITE_ANY,
		  rd(&l1, NVMX_MSR_VMX_MISC));
	h.misc = (h.misc & ~NVMX_MISC_SAVE_LMA) | (3ULL << 25);
	l1 = l1_max(&h);
	EXPECT_EQ((3ULL << 25) | NVMX_MISC_VMWRITE_ANY,
		  rd(&l1, NVMX_MSR_VMX_MISC));

	EXPECT_EQ(0x80000021, rd(&l1, NVMX_MSR_VMX_CR0_FIXED0));
	EXPECT_EQ(0xffffffff, rd(&l1, NVMX_MSR_VMX_CR0_FIXED1));
	EXPECT_EQ(0x2000, rd(&l1, NVMX_MSR_VMX_CR4_FIXED0));
	EXPECT_EQ(0x3727ff, rd(&l1, NVMX_MSR_VMX_CR4_FIXED1));

	/* VMCS_ENUM bits 9:1: the highest index among the table's fields. */
	for (i = 0; i < ARRAY_SIZE(field_encodings); i++) {
		if (((field_encodings[i] >> 1) & 0x1ff) > max)
			max = (field_encodings[i] >> 1) & 0x1ff;
	}
	EXPECT_NE(0, max);
	EXPECT_EQ((u64)max << 1, rd(&l1, NVMX_MSR_VMX_VMCS_ENUM));

	EXPECT_EQ(0xdeadbeef, rd(&l1, 0x47f));
	EXPECT_EQ(0xdeadbeef, rd(&l1, 0x492));
}

/* A host without a feature: L1 does not get it, the rest stays. */
TEST(host_lacking_a_feature)
{
	struct nvmx_vmx_caps h = host_caps(), l1;

	h.procbased &= ~A1(30);		/* PAUSE exiting */
	h.exit &= ~A1(20);		/* save EFER */
	h.entry &= ~A1(14);		/* load PAT */
	h.procbased2 &= ~A1(12);	/* INVPCID */
	h.pinbased &= ~A1(5);		/* virtual NMIs */
	l1 = l1_max(&h);
	EXPECT_EQ(0, l1.procbased & A1(30));
	EXPECT_EQ(0, l1.exit & A1(20));
	EXPECT_EQ(0, l1.entry & A1(14));
	EXPECT_EQ(0, l1.procbased2 & A1(12));
	EXPECT_EQ(0, l1.pinbased & A1(5));
	EXPECT_EQ(A1(29), l1.procbased & A1(29));
	EXPECT_EQ(A1(21), l1.exit & A1(21));
	EXPECT_EQ(A1(15), l1.entry & A1(15));
	EXPECT_EQ(A1(3), l1.procbased2 & A1(3));
	EXPECT_EQ(A1(3), l1.pinbased & A1(3));

	/* No secondary controls at all: no secondary controls for L1. */
	h = host_caps();
	h.procbased &= ~A1(31);
	l1 = l1_max(&h);
	EXPECT_EQ(0, l1.procbased & A1(31));
	EXPECT_EQ(0, rd(&l1, NVMX_MSR_VMX_PROCBASED2));
}

static u64 xorshift(u64 *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Whatever the host, L1's allowed-1 bits are the host's, and consistent. */
TEST(never_a_bit_the_host_lacks)
{
	static const u32 ctl_msrs[] = {
		NVMX_MSR_VMX_PINBASED, NVMX_MSR_VMX_PROCBASED,
		NVMX_MSR_VMX_EXIT, NVMX_MSR_VMX_ENTRY,
		NVMX_MSR_VMX_PROCBASED2, NVMX_MSR_VMX_TRUE_PINBASED,
		NVMX_MSR_VMX_TRUE_PROCBASED, NVMX_MSR_VMX_TRUE_EXIT,
		NVMX_MSR_VMX_TRUE_ENTRY,
	};
	/* The host field of each, in the same order. */
	static const size_t host_off[] = {
		offsetof(struct nvmx_vmx_caps, pinbased),
		offsetof(struct nvmx_vmx_caps, procbased),
		offsetof(struct nvmx_vmx_caps, exit),
		offsetof(struct nvmx_vmx_caps, entry),
		offsetof(struct nvmx_vmx_caps, procbased2),
		offsetof(struct nvmx_vmx_caps, pinbased),
		offsetof(struct nvmx_vmx_caps, procbased),
		offsetof(struct nvmx_vmx_caps, exit),
		offsetof(struct nvmx_vmx_caps, entry),
	};
	u64 seed = 0x9e3779b97f4a7c15ULL;
	int round;
	size_t i;

	for (round = 0; round < 2000; round++) {
		struct nvmx_vmx_caps h = host_caps(), l1;

		/* Random allowed-1 halves, and must-be-1 within them. */
		h.pinbased = xorshift(&seed);
		h.procbased = xorshift(&seed);
		h.exit = xorshift(&seed);
		h.entry = xorshift(&seed);
		h.procbased2 = xorshift(&seed);
		h.misc = xorshift(&seed);
		h.ept_vpid = xorshift(&seed);
		h.vmfunc = xorshift(&seed);
		l1 = l1_max(&h);
		for (i = 0; i < ARRAY_SIZE(ctl_msrs); i++) {
			u64 v = rd(&l1, ctl_msrs[i]);
			u64 hv = *(u64 *)((char *)&h + host_off[i]);
			u32 a1 = v >> 32, must1 = (u32)v;

			ASSERT_EQ(0, a1 & ~(u32)(hv >> 32))
				TH_LOG("round %d msr 0x%x", round, ctl_msrs[i]);
			if (ctl_msrs[i] >= NVMX_MSR_VMX_PROCBASED2)
				ASSERT_EQ(0, must1 & ~a1)
					TH_LOG("round %d msr 0x%x", round,
					       ctl_msrs[i]);
		}
		ASSERT_EQ(0, l1.misc & ~(h.misc | NVMX_MISC_VMWRITE_ANY));
		ASSERT_EQ(0, l1.ept_vpid);
		ASSERT_EQ(0, l1.vmfunc);
	}
}

static int restrict1(struct nvmx_vmx_caps *l1, const struct nvmx_vmx_caps *max,
		     u32 msr, u64 val, const char **why)
{
	return nvmx_l1_caps_restrict(l1, max, msr, val, false, why);
}

TEST(restrict_controls)
{
	struct nvmx_vmx_caps h = host_caps(), max = l1_max(&h), l1 = max;
	const char *why;
	u64 v = max.procbased;

	/* Fewer allowed-1 bits, more must-be-1 bits: accepted, and read back. */
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_TRUE_PROCBASED,
			       (v & ~A1(30)) | (1U << 7), &why));
	EXPECT_EQ((v & ~A1(30)) | (1U << 7),
		  rd(&l1, NVMX_MSR_VMX_TRUE_PROCBASED));
	EXPECT_EQ((v & ~A1(30)) | (1U << 7) | 0x0401e172,
		  rd(&l1, NVMX_MSR_VMX_PROCBASED));
	/* And back to the maximum. */
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_TRUE_PROCBASED, v, &why));
	EXPECT_EQ(v, l1.procbased);

	/* A must-be-1 bit cleared, an allowed-1 bit added: refused. */
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_TRUE_PROCBASED,
				     v & ~2ULL, &why));
	EXPECT_STREQ("controls: allowed-0 bits cleared", why);
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_PROCBASED2,
				     max.procbased2 | A1(1), &why));
	EXPECT_STREQ("controls: allowed-1 bits added", why);
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_TRUE_PINBASED,
				     max.pinbased | A1(6), &why));
	EXPECT_EQ(v, l1.procbased);
	EXPECT_EQ(max.procbased2, l1.procbased2);
	EXPECT_EQ(max.pinbased, l1.pinbased);

	/* Exit and entry: the free default-1 bit may be made required. */
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_TRUE_EXIT,
			       max.exit | 4, &why));
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_TRUE_ENTRY,
			       max.entry & ~A1(9), &why));
	EXPECT_EQ(max.entry & ~A1(9), l1.entry);

	/* The legacy MSRs derive from the true ones: never restorable. */
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_PINBASED,
				     rd(&max, NVMX_MSR_VMX_PINBASED), &why));
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_ENTRY,
				     rd(&max, NVMX_MSR_VMX_ENTRY), &why));
}

TEST(restrict_basic_misc)
{
	struct nvmx_vmx_caps h = host_caps(), max = l1_max(&h), l1 = max;
	const char *why;
	u64 b = max.basic, m = max.misc;

	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_BASIC,
			       b & ~NVMX_BASIC_TRUE_CTLS, &why));
	EXPECT_EQ(b & ~NVMX_BASIC_TRUE_CTLS, l1.basic);
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_BASIC, b, &why));
	/* A larger VMCS size is fine, a smaller one is not. */
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_BASIC,
			       b + (1ULL << NVMX_BASIC_VMCS_SIZE_SHIFT), &why));
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_BASIC,
				     b - (1ULL << NVMX_BASIC_VMCS_SIZE_SHIFT),
				     &why));
	EXPECT_STREQ("BASIC: VMCS size not smaller", why);
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_BASIC, b + 1, &why));
	EXPECT_STREQ("BASIC: same VMCS revision", why);
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_BASIC,
				     b | NVMX_BASIC_32BIT_PHYS, &why));
	EXPECT_STREQ("BASIC: no 32-bit physical addresses", why);
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_BASIC,
				     b | NVMX_BASIC_DUAL_MONITOR, &why));
	EXPECT_STREQ("BASIC: only features and reserved bits cleared", why);
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_BASIC,
				     b | BIT_ULL(60), &why));
	/* The memory type is not checked, as on KVM. */
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_BASIC,
			       b & ~NVMX_BASIC_MEMTYPE_MASK, &why));

	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_MISC,
			       m & ~NVMX_MISC_VMWRITE_ANY, &why));
	EXPECT_EQ(m & ~NVMX_MISC_VMWRITE_ANY, l1.misc);
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_MISC, m, &why));
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_MISC,
				     m | BIT_ULL(6), &why));
	EXPECT_STREQ("MISC: only features and reserved bits cleared", why);
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_MISC,
				     m | (1ULL << NVMX_MISC_CR3_COUNT_SHIFT),
				     &why));
	EXPECT_STREQ("MISC: CR3-target count not larger", why);
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_MISC,
				     m + (1ULL << NVMX_MISC_MAX_MSR_SHIFT),
				     &why));
	EXPECT_STREQ("MISC: MSR-list size not larger", why);
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_MISC,
			       m & ~NVMX_MISC_MAX_MSR_MASK, &why));
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_MISC,
				     m | BIT_ULL(40), &why));
	EXPECT_STREQ("MISC: same MSEG revision", why);
	/* No preemption timer offered: its rate is not checked. */
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_MISC, m | 3, &why));
	/* Offered (a future maximum): the rate must stay. */
	max.pinbased |= A1(NVMX_PIN_PREEMPTION_TIMER);
	l1.pinbased = max.pinbased;
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_MISC, m | 3, &why));
	EXPECT_STREQ("MISC: same preemption-timer rate", why);
}

TEST(restrict_the_rest)
{
	struct nvmx_vmx_caps h = host_caps(), max = l1_max(&h), l1 = max;
	const char *why;

	/* FIXED0: more fixed bits are fine, fewer are not. */
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_CR0_FIXED0,
			       max.cr0_fixed0 | 2, &why));
	EXPECT_EQ(max.cr0_fixed0 | 2, l1.cr0_fixed0);
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_CR0_FIXED0,
				     max.cr0_fixed0 & ~1ULL, &why));
	EXPECT_STREQ("CR0_FIXED0: fixed bits kept", why);
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_CR4_FIXED0,
				     0, &why));
	EXPECT_STREQ("CR4_FIXED0: fixed bits kept", why);
	/* FIXED1 follow CPUID: refused even unchanged. */
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_CR0_FIXED1,
				     max.cr0_fixed1, &why));
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_CR4_FIXED1,
				     max.cr4_fixed1, &why));
	EXPECT_STREQ("not restorable", why);
	/* VMCS_ENUM: anything. */
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_VMCS_ENUM, ~0ULL, &why));
	EXPECT_EQ(~0ULL, l1.vmcs_enum);
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_VMCS_ENUM, 0, &why));
	EXPECT_EQ(0, l1.vmcs_enum);
	/* EPT_VPID_CAP and VMFUNC are 0: only 0 is accepted. */
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_EPT_VPID, 0, &why));
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_EPT_VPID,
				     NVMX_EPT_WALK_4, &why));
	EXPECT_EQ(0, restrict1(&l1, &max, NVMX_MSR_VMX_VMFUNC, 0, &why));
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, NVMX_MSR_VMX_VMFUNC, 1, &why));
	EXPECT_STREQ("VMFUNC: only bits cleared", why);
	/* Not a VMX MSR. */
	EXPECT_EQ(-EINVAL, restrict1(&l1, &max, 0x492, 0, &why));

	/* In VMX operation nothing changes, whatever the value. */
	l1 = max;
	EXPECT_EQ(-EBUSY, nvmx_l1_caps_restrict(&l1, &max, NVMX_MSR_VMX_BASIC,
						max.basic, true, &why));
	EXPECT_EQ(-EBUSY, nvmx_l1_caps_restrict(&l1, &max,
						NVMX_MSR_VMX_VMCS_ENUM, 0,
						true, &why));
	EXPECT_EQ(max.vmcs_enum, l1.vmcs_enum);
}

TEST(follow_cpuid)
{
	struct nvmx_vmx_caps h = host_caps(), max = l1_max(&h), l1 = max;

	/* CR4_FIXED1: what CPUID allows, within the host's, with FIXED0. */
	nvmx_l1_caps_follow_cpuid(&l1, &max, 0x7f | BIT_ULL(20) | BIT_ULL(24),
				  true, true);
	EXPECT_EQ(0x7f | BIT_ULL(20) | 0x2000, l1.cr4_fixed1);
	EXPECT_EQ(max.procbased2, l1.procbased2);

	nvmx_l1_caps_follow_cpuid(&l1, &max, 0x20, false, true);
	EXPECT_EQ(0x2020, l1.cr4_fixed1);
	EXPECT_EQ(0, l1.procbased2 & A1(NVMX_PROC2_RDTSCP));
	EXPECT_EQ(A1(NVMX_PROC2_INVPCID), l1.procbased2 & A1(NVMX_PROC2_INVPCID));
	nvmx_l1_caps_follow_cpuid(&l1, &max, 0x20, true, false);
	EXPECT_EQ(A1(NVMX_PROC2_RDTSCP), l1.procbased2 & A1(NVMX_PROC2_RDTSCP));
	EXPECT_EQ(0, l1.procbased2 & A1(NVMX_PROC2_INVPCID));
	EXPECT_EQ(max.procbased2 & ~A1(NVMX_PROC2_INVPCID), l1.procbased2);

	/* Not offered beyond the maximum, even with CPUID. */
	max.procbased2 &= ~A1(NVMX_PROC2_RDTSCP);
	l1 = max;
	nvmx_l1_caps_follow_cpuid(&l1, &max, 0, true, true);
	EXPECT_EQ(0, l1.procbased2 & A1(NVMX_PROC2_RDTSCP));
}

TEST_HARNESS_MAIN
