// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/cpuid.c, the CPUID model: the supported list built
 * from fake hosts, KVM_SET_CPUID2's checks and CPUID emulation. Built for
 * userspace with ASan and UBSan.
 */
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "cpuid.h"

#define A NVMX_CPUID_EAX
#define B NVMX_CPUID_EBX
#define C NVMX_CPUID_ECX
#define D NVMX_CPUID_EDX

/* libkvm (6.1) sizes its KVM_GET_SUPPORTED_CPUID buffer for 100 entries. */
#define LIBKVM_MAX_NR_CPUID_ENTRIES	100

struct fake_leaf {
	u32 leaf;
	u32 subleaf;
	bool indexed;
	u32 r[4];
};

struct fake_host {
	const struct fake_leaf *t;
	size_t n;
	u32 max_basic;
	u32 max_ext;
	unsigned int calls;
	/* Leaves asked for that the host does not have. */
	unsigned int bad_calls;
};

static void fake_cpuid(void *ctx, u32 leaf, u32 subleaf, u32 regs[4])
{
	struct fake_host *h = ctx;
	size_t i;

	h->calls++;
	if ((leaf < 0x80000000 && leaf > h->max_basic) ||
	    (leaf >= 0x80000000 && leaf > h->max_ext))
		h->bad_calls++;
	/* Garbage, to show nvmx sets every register itself. */
	memset(regs, 0xde, 4 * sizeof(u32));
	for (i = 0; i < h->n; i++) {
		if (h->t[i].leaf == leaf &&
		    (!h->t[i].indexed || h->t[i].subleaf == subleaf)) {
			memcpy(regs, h->t[i].r, sizeof(h->t[i].r));
			return;
		}
	}
	memset(regs, 0, 4 * sizeof(u32));
}

/* A Broadwell (Core i7-5600U class), as the test host's CPU model. */
static const struct fake_leaf broadwell[] = {
	{ 0x0, 0, false, { 0x14, 0x756e6547, 0x6c65746e, 0x49656e69 } },
	/* APIC ID 3, 16 logical processors, every leaf-1 feature but SMX etc. */
	{ 0x1, 0, false, { 0x000306d4, 0x03100800, 0x7ffafbbf, 0xbfebfbff } },
	{ 0x2, 0, false, { 0x76036301, 0x00f0b5ff, 0, 0x00c30000 } },
	{ 0x4, 0, true, { 0x1c004121, 0x01c0003f, 0x3f, 0 } },
	{ 0x4, 1, true, { 0x1c004122, 0x01c0003f, 0x3f, 0 } },
	{ 0x4, 2, true, { 0x1c004143, 0x01c0003f, 0x1ff, 0 } },
	{ 0x4, 3, true, { 0x1c03c163, 0x03c0003f, 0xfff, 0x6 } },
	{ 0x4, 4, true, { 0, 0, 0, 0 } },
	{ 0x5, 0, false, { 0x40, 0x40, 3, 0x11142120 } },
	{ 0x6, 0, false, { 0x77, 2, 9, 0 } },
	{ 0x7, 0, true, { 0, 0x021c2fbb, 0, 0x9c000400 } },
	{ 0xa, 0, false, { 0x07300403, 0, 0, 0x603 } },
	{ 0xb, 0, true, { 1, 2, 0x100, 3 } },
	{ 0xb, 1, true, { 4, 4, 0x201, 3 } },
	{ 0xb, 2, true, { 0, 0, 2, 3 } },
	{ 0xd, 0, true, { 7, 0x340, 0x340, 0 } },
	{ 0xd, 1, true, { 1, 0, 0, 0 } },
	{ 0xd, 2, true, { 0x100, 0x240, 0, 0 } },
	{ 0x14, 0, true, { 0, 1, 1, 0 } },
	{ 0x80000000, 0, false, { 0x80000008, 0, 0, 0 } },
	{ 0x80000001, 0, false, { 0, 0, 0x121, 0x2c100800 } },
	{ 0x80000002, 0, false, { 0x65746e49, 0x2952286c, 0x726f4320, 0x4d542865 } },
	{ 0x80000003, 0, false, { 0x37692029, 0x3036352d, 0x43205530, 0x40205550 } },
	{ 0x80000004, 0, false, { 0x362e3220, 0x7a484730, 0, 0 } },
	{ 0x80000006, 0, false, { 0, 0, 0x01006040, 0 } },
	{ 0x80000007, 0, false, { 0, 0, 0, 0x100 } },
	{ 0x80000008, 0, false, { 0x3027, 0, 0, 0 } },
};

#define BIG_7_EBX (NVMX_CPUID_7_EBX_FSGSBASE | NVMX_CPUID_7_EBX_AVX2 | \
		   NVMX_CPUID_7_EBX_INVPCID | NVMX_CPUID_7_EBX_AVX512F | \
		   NVMX_CPUID_7_EBX_AVX512BW | NVMX_CPUID_7_EBX_AVX512VL | \
		   NVMX_CPUID_7_EBX_MPX | NVMX_CPUID_7_EBX_PT | NVMX_CPUID_7_EBX_SGX)
#define BIG_7_ECX (NVMX_CPUID_7_ECX_PKU | NVMX_CPUID_7_ECX_OSPKE | \
		   NVMX_CPUID_7_ECX_WAITPKG | NVMX_CPUID_7_ECX_LA57 | \
		   NVMX_CPUID_7_ECX_RDPID | NVMX_CPUID_7_ECX_GFNI | \
		   NVMX_CPUID_7_ECX_VAES | NVMX_CPUID_7_ECX_AVX512VBMI | \
		   NVMX_CPUID_7_ECX_SGX_LC | NVMX_CPUID_7_ECX_MOVDIRI)
#define BIG_7_EDX (NVMX_CPUID_7_EDX_FSRM | NVMX_CPUID_7_EDX_MD_CLEAR | \
		   NVMX_CPUID_7_EDX_SERIALIZE | NVMX_CPUID_7_EDX_AVX512_FP16 | \
		   NVMX_CPUID_7_EDX_AMX_TILE | NVMX_CPUID_7_EDX_SPEC_CTRL | \
		   NVMX_CPUID_7_EDX_ARCH_CAP)
#define BIG_7_1_EAX (NVMX_CPUID_7_1_EAX_AVX_VNNI | NVMX_CPUID_7_1_EAX_AVX512_BF16 | \
		     NVMX_CPUID_7_1_EAX_FSRS | NVMX_CPUID_7_1_EAX_HRESET)
#define BIG_XCR0 (NVMX_XFEATURE_X87 | NVMX_XFEATURE_SSE | NVMX_XFEATURE_YMM | \
		  NVMX_XFEATURE_BNDREGS | NVMX_XFEATURE_BNDCSR | NVMX_XFEATURE_AVX512 | \
		  NVMX_XFEATURE_PKRU | NVMX_XFEATURE_XTILE_CFG | NVMX_XFEATURE_XTILE_DATA)

/* A newer server part: more leaves, AVX-512, PKRU, AMX, LA57, 52-bit PA. */
static const struct fake_leaf bighost[] = {
	{ 0x0, 0, false, { 0x20, 0x756e6547, 0x6c65746e, 0x49656e69 } },
	{ 0x1, 0, false, { 0x000806f8, 0x00800800, 0xfffefbff, 0xbfebfbff } },
	{ 0x4, 0, true, { 0xfc004121, 0x02c0003f, 0x3f, 0 } },
	{ 0x4, 1, true, { 0, 0, 0, 0 } },
	{ 0x7, 0, true, { 2, BIG_7_EBX, BIG_7_ECX, BIG_7_EDX } },
	{ 0x7, 1, true, { BIG_7_1_EAX, 0x1, 0x2, 0x3 } },
	{ 0x7, 2, true, { 0, 0, 0, 0x3f } },
	{ 0xd, 0, true, { (u32)BIG_XCR0, 0x2b00, 0x2b00, 0 } },
	{ 0xd, 1, true, { 0x1f, 0x2b08, 0x1900, 0 } },
	{ 0xd, 2, true, { 256, 576, 0, 0 } },
	{ 0xd, 3, true, { 64, 960, 0, 0 } },
	{ 0xd, 4, true, { 64, 1024, 0, 0 } },
	{ 0xd, 5, true, { 64, 1088, 0, 0 } },
	/* "64-byte aligned" and a stray XFD bit: only the first survives. */
	{ 0xd, 6, true, { 512, 1152, 6, 0 } },
	{ 0xd, 7, true, { 1024, 1664, 0, 0 } },
	{ 0xd, 9, true, { 8, 2688, 0, 0 } },
	{ 0xd, 17, true, { 64, 2752, 2, 0 } },
	{ 0xd, 18, true, { 8192, 2816, 6, 0 } },
	{ 0x1f, 0, true, { 1, 2, 0x100, 0x80 } },
	{ 0x1f, 1, true, { 7, 0x70, 0x201, 0x80 } },
	{ 0x20, 0, false, { 1, 2, 3, 4 } },
	{ 0x80000000, 0, false, { 0x80000008, 0, 0, 0 } },
	{ 0x80000001, 0, false, { 0, 0, 0x121, 0x2c100800 } },
	{ 0x80000008, 0, false, { 0x3934, 0x200, 0, 0 } },
};

static struct fake_host host_of(const struct fake_leaf *t, size_t n)
{
	struct fake_host h = { .t = t, .n = n };
	size_t i;

	for (i = 0; i < n; i++) {
		if (t[i].leaf == 0)
			h.max_basic = t[i].r[A];
		if (t[i].leaf == 0x80000000)
			h.max_ext = t[i].r[A];
	}
	return h;
}

#define BROADWELL() host_of(broadwell, ARRAY_SIZE(broadwell))
#define BIGHOST() host_of(bighost, ARRAY_SIZE(bighost))

static const struct nvmx_cpuid_policy default_pol = {
	.xcr0_supported = NVMX_XFEATURE_X87 | NVMX_XFEATURE_SSE | NVMX_XFEATURE_YMM |
			  NVMX_XFEATURE_AVX512,
};

struct table {
	struct kvm_cpuid_entry2 e[NVMX_CPUID_MAX_ENTRIES];
	u32 n;
};

static int build(struct fake_host *h, const struct nvmx_cpuid_policy *pol,
		 struct table *t)
{
	memset(t, 0, sizeof(*t));
	return nvmx_cpuid_supported(t->e, NVMX_CPUID_MAX_ENTRIES, &t->n,
				    fake_cpuid, h, pol);
}

/* The one entry for (leaf, index), or NULL; two would be a bug. */
static const struct kvm_cpuid_entry2 *get(const struct table *t, u32 leaf,
					  u32 index)
{
	const struct kvm_cpuid_entry2 *found = NULL;
	u32 i;

	for (i = 0; i < t->n; i++) {
		if (t->e[i].function != leaf || t->e[i].index != index)
			continue;
		if (found)
			abort();
		found = &t->e[i];
	}
	return found;
}

static u32 reg(const struct table *t, u32 leaf, u32 index, int r)
{
	const struct kvm_cpuid_entry2 *e = get(t, leaf, index);

	if (!e)
		abort();
	return (&e->eax)[r];
}

static bool has_leaf(const struct table *t, u32 leaf)
{
	u32 i;

	for (i = 0; i < t->n; i++)
		if (t->e[i].function == leaf)
			return true;
	return false;
}

TEST(broadwell_builds_and_fits_libkvm)
{
	struct fake_host h = BROADWELL();
	struct table t;
	u32 i, j;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	EXPECT_LE(t.n, LIBKVM_MAX_NR_CPUID_ENTRIES);
	EXPECT_EQ(0, h.bad_calls);
	/* No (function, index) twice; padding zero; only the index flag. */
	for (i = 0; i < t.n; i++) {
		for (j = i + 1; j < t.n; j++)
			EXPECT_FALSE(t.e[i].function == t.e[j].function &&
				     t.e[i].index == t.e[j].index);
		EXPECT_EQ(0, t.e[i].padding[0] | t.e[i].padding[1] | t.e[i].padding[2]);
		EXPECT_EQ(0, t.e[i].flags & ~KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	}
	/* Every basic leaf up to the host's maximum, then 0x80000000-8. */
	for (i = 0; i <= 0x14; i++)
		EXPECT_TRUE(has_leaf(&t, i));
	EXPECT_FALSE(has_leaf(&t, 0x15));
	for (i = 0x80000000; i <= 0x80000008; i++)
		EXPECT_TRUE(has_leaf(&t, i));
	EXPECT_FALSE(has_leaf(&t, 0x80000009));
	/* What userspace gets passes KVM_SET_CPUID2's checks. */
	EXPECT_EQ(0, nvmx_cpuid_check(t.e, t.n));
}

TEST(leaf0_vendor_and_max)
{
	struct fake_host h = BROADWELL();
	struct table t;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	EXPECT_EQ(0x14, reg(&t, 0, 0, A));
	EXPECT_EQ(0x756e6547, reg(&t, 0, 0, B));
	EXPECT_EQ(0x6c65746e, reg(&t, 0, 0, C));
	EXPECT_EQ(0x49656e69, reg(&t, 0, 0, D));
	EXPECT_EQ(0, get(&t, 0, 0)->flags);
}

TEST(leaf1_hides_and_forces)
{
	struct fake_host h = BROADWELL();
	struct table t;
	u32 ecx, edx;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	EXPECT_EQ(0x000306d4, reg(&t, 1, 0, A));
	/* CLFLUSH size stays; APIC ID and logical count are the VMM's. */
	EXPECT_EQ(0x00000800, reg(&t, 1, 0, B));
	ecx = reg(&t, 1, 0, C);
	EXPECT_TRUE(ecx & NVMX_CPUID_1_ECX_HYPERVISOR);
	EXPECT_FALSE(ecx & NVMX_CPUID_1_ECX_VMX);
	EXPECT_FALSE(ecx & NVMX_CPUID_1_ECX_SMX);
	EXPECT_FALSE(ecx & NVMX_CPUID_1_ECX_MONITOR);
	EXPECT_FALSE(ecx & NVMX_CPUID_1_ECX_X2APIC);
	EXPECT_FALSE(ecx & NVMX_CPUID_1_ECX_TSC_DEADLINE);
	EXPECT_FALSE(ecx & NVMX_CPUID_1_ECX_PDCM);
	EXPECT_FALSE(ecx & NVMX_CPUID_1_ECX_DTES64);
	EXPECT_FALSE(ecx & NVMX_CPUID_1_ECX_DS_CPL);
	EXPECT_FALSE(ecx & NVMX_CPUID_1_ECX_EIST);
	EXPECT_FALSE(ecx & NVMX_CPUID_1_ECX_OSXSAVE);
	EXPECT_EQ(NVMX_CPUID_1_ECX_SSE3 | NVMX_CPUID_1_ECX_PCLMULQDQ |
		  NVMX_CPUID_1_ECX_SSSE3 | NVMX_CPUID_1_ECX_FMA |
		  NVMX_CPUID_1_ECX_CX16 | NVMX_CPUID_1_ECX_PCID |
		  NVMX_CPUID_1_ECX_SSE4_1 | NVMX_CPUID_1_ECX_SSE4_2 |
		  NVMX_CPUID_1_ECX_MOVBE | NVMX_CPUID_1_ECX_POPCNT |
		  NVMX_CPUID_1_ECX_AES | NVMX_CPUID_1_ECX_XSAVE |
		  NVMX_CPUID_1_ECX_AVX | NVMX_CPUID_1_ECX_F16C |
		  NVMX_CPUID_1_ECX_RDRAND | NVMX_CPUID_1_ECX_HYPERVISOR, ecx);
	edx = reg(&t, 1, 0, D);
	EXPECT_FALSE(edx & NVMX_CPUID_1_EDX_HTT);
	EXPECT_TRUE(edx & NVMX_CPUID_1_EDX_MCE);
	EXPECT_TRUE(edx & NVMX_CPUID_1_EDX_MCA);
	EXPECT_FALSE(edx & NVMX_CPUID_1_EDX_DS);
	EXPECT_FALSE(edx & NVMX_CPUID_1_EDX_ACPI);
	EXPECT_FALSE(edx & NVMX_CPUID_1_EDX_TM);
	EXPECT_FALSE(edx & NVMX_CPUID_1_EDX_PBE);
	EXPECT_TRUE(edx & NVMX_CPUID_1_EDX_APIC);
	EXPECT_TRUE(edx & NVMX_CPUID_1_EDX_MTRR);
	EXPECT_TRUE(edx & NVMX_CPUID_1_EDX_PAT);
	EXPECT_TRUE(edx & NVMX_CPUID_1_EDX_SSE2);
}

TEST(policy_flags_open_gated_bits)
{
	struct nvmx_cpuid_policy pol = default_pol;
	struct fake_host h = BROADWELL();
	struct table t;

	ASSERT_EQ(0, build(&h, &pol, &t));
	EXPECT_FALSE(reg(&t, 0x80000001, 0, D) & NVMX_CPUID_81_EDX_RDTSCP);
	EXPECT_FALSE(reg(&t, 7, 0, B) & NVMX_CPUID_7_EBX_INVPCID);

	pol.expose_vmx = true;
	pol.expose_x2apic = true;
	pol.rdtscp = true;
	pol.invpcid = true;
	ASSERT_EQ(0, build(&h, &pol, &t));
	EXPECT_TRUE(reg(&t, 1, 0, C) & NVMX_CPUID_1_ECX_VMX);
	EXPECT_TRUE(reg(&t, 1, 0, C) & NVMX_CPUID_1_ECX_X2APIC);
	EXPECT_TRUE(reg(&t, 0x80000001, 0, D) & NVMX_CPUID_81_EDX_RDTSCP);
	EXPECT_TRUE(reg(&t, 7, 0, B) & NVMX_CPUID_7_EBX_INVPCID);
	/* A flag never invents a feature: Broadwell has no RDPID. */
	EXPECT_FALSE(reg(&t, 7, 0, C) & NVMX_CPUID_7_ECX_RDPID);
}

TEST(policy_flags_need_the_host)
{
	struct nvmx_cpuid_policy pol = default_pol;
	struct fake_leaf t2[ARRAY_SIZE(broadwell)];
	struct fake_host h;
	struct table t;
	size_t i;

	memcpy(t2, broadwell, sizeof(t2));
	for (i = 0; i < ARRAY_SIZE(t2); i++)
		if (t2[i].leaf == 1)
			t2[i].r[C] &= ~(NVMX_CPUID_1_ECX_VMX | NVMX_CPUID_1_ECX_X2APIC);
	h = host_of(t2, ARRAY_SIZE(t2));
	pol.expose_vmx = true;
	pol.expose_x2apic = true;
	ASSERT_EQ(0, build(&h, &pol, &t));
	EXPECT_FALSE(reg(&t, 1, 0, C) & NVMX_CPUID_1_ECX_VMX);
	EXPECT_FALSE(reg(&t, 1, 0, C) & NVMX_CPUID_1_ECX_X2APIC);
}

TEST(leaf7_broadwell)
{
	struct fake_host h = BROADWELL();
	struct table t;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	EXPECT_EQ(0, reg(&t, 7, 0, A));
	EXPECT_EQ(NULL, get(&t, 7, 1));
	EXPECT_EQ(NVMX_CPUID_7_EBX_FSGSBASE | NVMX_CPUID_7_EBX_TSC_ADJUST |
		  NVMX_CPUID_7_EBX_BMI1 | NVMX_CPUID_7_EBX_HLE |
		  NVMX_CPUID_7_EBX_AVX2 | NVMX_CPUID_7_EBX_SMEP |
		  NVMX_CPUID_7_EBX_BMI2 | NVMX_CPUID_7_EBX_ERMS |
		  NVMX_CPUID_7_EBX_RTM | NVMX_CPUID_7_EBX_ZERO_FCS_FDS |
		  NVMX_CPUID_7_EBX_RDSEED | NVMX_CPUID_7_EBX_ADX |
		  NVMX_CPUID_7_EBX_SMAP, reg(&t, 7, 0, B));
	/* Intel PT hidden here and in its own leaf. */
	EXPECT_FALSE(reg(&t, 7, 0, B) & NVMX_CPUID_7_EBX_PT);
	EXPECT_EQ(0, reg(&t, 0x14, 0, A) | reg(&t, 0x14, 0, B) |
		     reg(&t, 0x14, 0, C) | reg(&t, 0x14, 0, D));
	/* SPEC_CTRL and friends hidden, MD_CLEAR passes. */
	EXPECT_EQ(NVMX_CPUID_7_EDX_MD_CLEAR, reg(&t, 7, 0, D));
}

TEST(leaf7_bighost)
{
	struct fake_host h = BIGHOST();
	struct table t;
	u32 ecx, edx;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	EXPECT_EQ(0, h.bad_calls);
	/* Subleaf 2 is not reported. */
	EXPECT_EQ(1, reg(&t, 7, 0, A));
	EXPECT_EQ(NULL, get(&t, 7, 2));
	EXPECT_EQ(NVMX_CPUID_7_EBX_FSGSBASE | NVMX_CPUID_7_EBX_AVX2 |
		  NVMX_CPUID_7_EBX_AVX512F | NVMX_CPUID_7_EBX_AVX512BW |
		  NVMX_CPUID_7_EBX_AVX512VL, reg(&t, 7, 0, B));
	ecx = reg(&t, 7, 0, C);
	EXPECT_EQ(NVMX_CPUID_7_ECX_GFNI | NVMX_CPUID_7_ECX_VAES |
		  NVMX_CPUID_7_ECX_AVX512VBMI | NVMX_CPUID_7_ECX_MOVDIRI, ecx);
	EXPECT_FALSE(ecx & NVMX_CPUID_7_ECX_WAITPKG);
	EXPECT_FALSE(ecx & NVMX_CPUID_7_ECX_PKU);
	EXPECT_FALSE(ecx & NVMX_CPUID_7_ECX_LA57);
	edx = reg(&t, 7, 0, D);
	EXPECT_EQ(NVMX_CPUID_7_EDX_FSRM | NVMX_CPUID_7_EDX_MD_CLEAR |
		  NVMX_CPUID_7_EDX_SERIALIZE | NVMX_CPUID_7_EDX_AVX512_FP16, edx);
	/* 7.1: HRESET hidden, other registers zero. */
	EXPECT_EQ(NVMX_CPUID_7_1_EAX_AVX_VNNI | NVMX_CPUID_7_1_EAX_AVX512_BF16 |
		  NVMX_CPUID_7_1_EAX_FSRS, reg(&t, 7, 1, A));
	EXPECT_EQ(0, reg(&t, 7, 1, B) | reg(&t, 7, 1, C) | reg(&t, 7, 1, D));
	EXPECT_EQ(KVM_CPUID_FLAG_SIGNIFCANT_INDEX, get(&t, 7, 1)->flags);
}

TEST(bighost_caps_basic_and_address_widths)
{
	struct fake_host h = BIGHOST();
	struct table t;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	EXPECT_EQ(0x1f, reg(&t, 0, 0, A));
	EXPECT_FALSE(has_leaf(&t, 0x20));
	/* 52-bit PA capped at 4-level EPT's 48, linear 48 without LA57. */
	EXPECT_EQ(0x3030, reg(&t, 0x80000008, 0, A));
	/* WBNOINVD hidden. */
	EXPECT_EQ(0, reg(&t, 0x80000008, 0, B));
	EXPECT_LE(t.n, LIBKVM_MAX_NR_CPUID_ENTRIES);
}

TEST(xsave_broadwell)
{
	struct fake_host h = BROADWELL();
	struct table t;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	EXPECT_EQ(7, reg(&t, 0xd, 0, A));
	EXPECT_EQ(0, reg(&t, 0xd, 0, D));
	EXPECT_EQ(0x340, reg(&t, 0xd, 0, B));
	EXPECT_EQ(0x340, reg(&t, 0xd, 0, C));
	EXPECT_EQ(NVMX_CPUID_D_1_EAX_XSAVEOPT, reg(&t, 0xd, 1, A));
	EXPECT_EQ(0, reg(&t, 0xd, 1, B));
	EXPECT_EQ(0x100, reg(&t, 0xd, 2, A));
	EXPECT_EQ(0x240, reg(&t, 0xd, 2, B));
	EXPECT_EQ(NULL, get(&t, 0xd, 3));
	EXPECT_EQ(KVM_CPUID_FLAG_SIGNIFCANT_INDEX, get(&t, 0xd, 2)->flags);
}

TEST(xsave_bighost_cut_to_policy)
{
	struct fake_host h = BIGHOST();
	struct table t;
	u32 i;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	/* No MPX, PKRU or AMX: x87, SSE, AVX, AVX-512. */
	EXPECT_EQ(0xe7, reg(&t, 0xd, 0, A));
	EXPECT_EQ(0, reg(&t, 0xd, 0, D));
	/* Standard format: ends with component 7 at 1664 + 1024. */
	EXPECT_EQ(2688, reg(&t, 0xd, 0, B));
	EXPECT_EQ(2688, reg(&t, 0xd, 0, C));
	/* XSAVES and XFD hidden; compacted size for XSAVEC; no XSS bits. */
	EXPECT_EQ(NVMX_CPUID_D_1_EAX_XSAVEOPT | NVMX_CPUID_D_1_EAX_XSAVEC |
		  NVMX_CPUID_D_1_EAX_XGETBV1, reg(&t, 0xd, 1, A));
	EXPECT_EQ(576 + 256 + 64 + 512 + 1024, reg(&t, 0xd, 1, B));
	EXPECT_EQ(0, reg(&t, 0xd, 1, C) | reg(&t, 0xd, 1, D));
	for (i = 2; i < 64; i++) {
		bool want = i == 2 || i == 5 || i == 6 || i == 7;

		EXPECT_EQ(want, !!get(&t, 0xd, i));
	}
	/* Component flags: only "aligned" survives. */
	EXPECT_EQ(2, reg(&t, 0xd, 6, C));
	EXPECT_EQ(0, reg(&t, 0xd, 6, D));
}

TEST(xsave_follows_xcr0_policy)
{
	struct nvmx_cpuid_policy pol = default_pol;
	struct fake_host h = BIGHOST();
	struct table t;

	/* No XCR0 at all: XSAVE and everything on it hidden. */
	pol.xcr0_supported = 0;
	ASSERT_EQ(0, build(&h, &pol, &t));
	EXPECT_FALSE(reg(&t, 1, 0, C) & (NVMX_CPUID_1_ECX_XSAVE | NVMX_CPUID_1_ECX_AVX |
					NVMX_CPUID_1_ECX_FMA | NVMX_CPUID_1_ECX_F16C));
	EXPECT_FALSE(reg(&t, 7, 0, B) & (NVMX_CPUID_7_EBX_AVX2 | NVMX_CPUID_7_EBX_AVX512F));
	EXPECT_FALSE(reg(&t, 7, 0, C) & NVMX_CPUID_7_ECX_VAES);
	EXPECT_EQ(0, reg(&t, 7, 1, A) & NVMX_CPUID_7_1_EAX_AVX_VNNI);
	EXPECT_EQ(0, reg(&t, 0xd, 0, A) | reg(&t, 0xd, 0, B) | reg(&t, 0xd, 0, C));
	EXPECT_EQ(NULL, get(&t, 0xd, 1));

	/* x87 and SSE: XSAVE, no AVX. */
	pol.xcr0_supported = NVMX_XFEATURE_X87 | NVMX_XFEATURE_SSE;
	ASSERT_EQ(0, build(&h, &pol, &t));
	EXPECT_TRUE(reg(&t, 1, 0, C) & NVMX_CPUID_1_ECX_XSAVE);
	EXPECT_FALSE(reg(&t, 1, 0, C) & NVMX_CPUID_1_ECX_AVX);
	EXPECT_FALSE(reg(&t, 7, 0, B) & NVMX_CPUID_7_EBX_AVX2);
	EXPECT_EQ(3, reg(&t, 0xd, 0, A));
	EXPECT_EQ(576, reg(&t, 0xd, 0, B));
	EXPECT_EQ(576, reg(&t, 0xd, 1, B));
	EXPECT_EQ(NULL, get(&t, 0xd, 2));

	/* SSE without x87 is no XCR0. */
	pol.xcr0_supported = NVMX_XFEATURE_SSE | NVMX_XFEATURE_YMM;
	ASSERT_EQ(0, build(&h, &pol, &t));
	EXPECT_FALSE(reg(&t, 1, 0, C) & NVMX_CPUID_1_ECX_XSAVE);
	EXPECT_FALSE(reg(&t, 1, 0, C) & NVMX_CPUID_1_ECX_AVX);
	EXPECT_EQ(0, reg(&t, 0xd, 0, A));
	EXPECT_EQ(NULL, get(&t, 0xd, 2));

	/* AVX-512 needs AVX and all three of its components. */
	pol.xcr0_supported = NVMX_XFEATURE_X87 | NVMX_XFEATURE_SSE | NVMX_XFEATURE_AVX512;
	ASSERT_EQ(0, build(&h, &pol, &t));
	EXPECT_EQ(3, reg(&t, 0xd, 0, A));
	EXPECT_FALSE(reg(&t, 7, 0, B) & NVMX_CPUID_7_EBX_AVX512F);
	pol.xcr0_supported = NVMX_XFEATURE_X87 | NVMX_XFEATURE_SSE | NVMX_XFEATURE_YMM |
			     NVMX_XFEATURE_OPMASK | NVMX_XFEATURE_ZMM_HI256;
	ASSERT_EQ(0, build(&h, &pol, &t));
	EXPECT_EQ(7, reg(&t, 0xd, 0, A));
	EXPECT_TRUE(reg(&t, 7, 0, B) & NVMX_CPUID_7_EBX_AVX2);
	EXPECT_FALSE(reg(&t, 7, 0, B) & NVMX_CPUID_7_EBX_AVX512F);
	EXPECT_FALSE(reg(&t, 7, 0, D) & NVMX_CPUID_7_EDX_AVX512_FP16);
	EXPECT_FALSE(reg(&t, 7, 1, A) & NVMX_CPUID_7_1_EAX_AVX512_BF16);
	EXPECT_TRUE(reg(&t, 7, 1, A) & NVMX_CPUID_7_1_EAX_AVX_VNNI);

	/* Policy bits the host lacks, or nvmx does not know, stay off. */
	pol.xcr0_supported = ~0ULL;
	h = BROADWELL();
	ASSERT_EQ(0, build(&h, &pol, &t));
	EXPECT_EQ(7, reg(&t, 0xd, 0, A));
	h = BIGHOST();
	ASSERT_EQ(0, build(&h, &pol, &t));
	EXPECT_EQ(0xe7, reg(&t, 0xd, 0, A));
}

TEST(xsave_needs_leaf1_xsave)
{
	struct fake_leaf t2[ARRAY_SIZE(broadwell)];
	struct fake_host h;
	struct table t;
	size_t i;

	memcpy(t2, broadwell, sizeof(t2));
	for (i = 0; i < ARRAY_SIZE(t2); i++)
		if (t2[i].leaf == 1)
			t2[i].r[C] &= ~NVMX_CPUID_1_ECX_XSAVE;
	h = host_of(t2, ARRAY_SIZE(t2));
	ASSERT_EQ(0, build(&h, &default_pol, &t));
	EXPECT_FALSE(reg(&t, 1, 0, C) & NVMX_CPUID_1_ECX_AVX);
	EXPECT_EQ(0, reg(&t, 0xd, 0, A));
}

TEST(zeroed_leaves)
{
	struct fake_host h = BROADWELL();
	struct table t;
	static const u32 zero[] = { 3, 5, 8, 9, 0xa, 0xc, 0xe, 0xf, 0x10, 0x14 };
	size_t i;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	for (i = 0; i < ARRAY_SIZE(zero); i++) {
		const struct kvm_cpuid_entry2 *e = get(&t, zero[i], 0);

		ASSERT_NE(NULL, e);
		EXPECT_EQ(0, e->eax | e->ebx | e->ecx | e->edx);
	}
	/* Indexed leaves are flagged even when empty. */
	EXPECT_EQ(KVM_CPUID_FLAG_SIGNIFCANT_INDEX, get(&t, 0x14, 0)->flags);
	EXPECT_EQ(KVM_CPUID_FLAG_SIGNIFCANT_INDEX, get(&t, 0xf, 0)->flags);
	EXPECT_EQ(0, get(&t, 0xa, 0)->flags);
	/* Thermal and power: ARAT only. */
	EXPECT_EQ(NVMX_CPUID_6_EAX_ARAT, reg(&t, 6, 0, A));
	EXPECT_EQ(0, reg(&t, 6, 0, B) | reg(&t, 6, 0, C) | reg(&t, 6, 0, D));
	/* Descriptors pass. */
	EXPECT_EQ(0x76036301, reg(&t, 2, 0, A));
}

TEST(cache_leaf_enumerates_with_own_topology)
{
	struct fake_host h = BROADWELL();
	struct table t;
	u32 i;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	for (i = 0; i <= 4; i++) {
		ASSERT_NE(NULL, get(&t, 4, i));
		EXPECT_EQ(KVM_CPUID_FLAG_SIGNIFCANT_INDEX, get(&t, 4, i)->flags);
		EXPECT_EQ(0, reg(&t, 4, i, A) & 0xffffc000);
	}
	EXPECT_EQ(0x121, reg(&t, 4, 0, A));
	EXPECT_EQ(0x163, reg(&t, 4, 3, A));
	EXPECT_EQ(0x03c0003f, reg(&t, 4, 3, B));
	EXPECT_EQ(0xfff, reg(&t, 4, 3, C));
	EXPECT_EQ(6, reg(&t, 4, 3, D));
	EXPECT_EQ(NULL, get(&t, 4, 5));
}

/* A host whose leaf 4 never reports an end is cut off. */
static void endless_cache_cpuid(void *ctx, u32 leaf, u32 subleaf, u32 regs[4])
{
	fake_cpuid(ctx, leaf, subleaf, regs);
	if (leaf == 4)
		regs[A] = 0x121;
}

TEST(cache_leaf_bounded)
{
	struct fake_host h = BROADWELL();
	struct table t;
	u32 n = 0, i;

	memset(&t, 0, sizeof(t));
	ASSERT_EQ(0, nvmx_cpuid_supported(t.e, NVMX_CPUID_MAX_ENTRIES, &t.n,
					  endless_cache_cpuid, &h, &default_pol));
	for (i = 0; i < t.n; i++)
		n += t.e[i].function == 4;
	EXPECT_EQ(16, n);
}

TEST(topology_leaves)
{
	struct fake_host h = BROADWELL();
	struct table t;
	u32 leaf;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	/* SMT then core level, one each; no host APIC ID. */
	EXPECT_EQ(0, reg(&t, 0xb, 0, A));
	EXPECT_EQ(1, reg(&t, 0xb, 0, B));
	EXPECT_EQ(0x100, reg(&t, 0xb, 0, C));
	EXPECT_EQ(0, reg(&t, 0xb, 0, D));
	EXPECT_EQ(0, reg(&t, 0xb, 1, A));
	EXPECT_EQ(1, reg(&t, 0xb, 1, B));
	EXPECT_EQ(0x201, reg(&t, 0xb, 1, C));
	EXPECT_EQ(0, reg(&t, 0xb, 1, D));
	EXPECT_EQ(NULL, get(&t, 0xb, 2));
	EXPECT_EQ(KVM_CPUID_FLAG_SIGNIFCANT_INDEX, get(&t, 0xb, 1)->flags);

	h = BIGHOST();
	ASSERT_EQ(0, build(&h, &default_pol, &t));
	for (leaf = 0xb; leaf <= 0x1f; leaf += 0x1f - 0xb) {
		EXPECT_EQ(0x100, reg(&t, leaf, 0, C));
		EXPECT_EQ(0x201, reg(&t, leaf, 1, C));
		EXPECT_EQ(1, reg(&t, leaf, 1, B));
		EXPECT_EQ(0, reg(&t, leaf, 1, D));
	}
	/* Leaf 4 agrees: no other core or thread shares a cache. */
	EXPECT_EQ(0x121, reg(&t, 4, 0, A));
}

TEST(extended_leaves)
{
	struct fake_host h = BROADWELL();
	struct table t;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	EXPECT_EQ(0x80000008, reg(&t, 0x80000000, 0, A));
	EXPECT_EQ(NVMX_CPUID_81_ECX_LAHF_LM | NVMX_CPUID_81_ECX_LZCNT |
		  NVMX_CPUID_81_ECX_PREFETCHW, reg(&t, 0x80000001, 0, C));
	EXPECT_EQ(NVMX_CPUID_81_EDX_SYSCALL | NVMX_CPUID_81_EDX_NX |
		  NVMX_CPUID_81_EDX_PDPE1GB | NVMX_CPUID_81_EDX_LM,
		  reg(&t, 0x80000001, 0, D));
	EXPECT_EQ(0x65746e49, reg(&t, 0x80000002, 0, A));
	EXPECT_EQ(0x01006040, reg(&t, 0x80000006, 0, C));
	EXPECT_EQ(NVMX_CPUID_87_EDX_INVARIANT_TSC, reg(&t, 0x80000007, 0, D));
	EXPECT_EQ(0x3027, reg(&t, 0x80000008, 0, A));
	EXPECT_EQ(0, get(&t, 0x80000008, 0)->flags);
}

/* A host reporting more extended leaves than nvmx knows is capped. */
TEST(extended_capped)
{
	struct fake_leaf t2[ARRAY_SIZE(broadwell)];
	struct fake_host h;
	struct table t;
	size_t i;

	memcpy(t2, broadwell, sizeof(t2));
	for (i = 0; i < ARRAY_SIZE(t2); i++)
		if (t2[i].leaf == 0x80000000)
			t2[i].r[A] = 0x80000021;
	h = host_of(t2, ARRAY_SIZE(t2));
	ASSERT_EQ(0, build(&h, &default_pol, &t));
	EXPECT_EQ(0x80000008, reg(&t, 0x80000000, 0, A));
	EXPECT_FALSE(has_leaf(&t, 0x80000009));
}

/* A CPU without extended leaves answers 0x80000000 with anything. */
TEST(extended_absent)
{
	static const u32 answers[] = { 0, 0x14, 0x90000000, 0xdeadbeef };
	struct fake_leaf t2[ARRAY_SIZE(broadwell)];
	struct fake_host h;
	struct table t;
	size_t i, k;
	u32 j;

	for (k = 0; k < ARRAY_SIZE(answers); k++) {
		memcpy(t2, broadwell, sizeof(t2));
		for (i = 0; i < ARRAY_SIZE(t2); i++)
			if (t2[i].leaf == 0x80000000)
				t2[i].r[A] = answers[k];
		h = host_of(t2, ARRAY_SIZE(t2));
		ASSERT_EQ(0, build(&h, &default_pol, &t));
		for (j = 0; j < t.n; j++)
			EXPECT_GT(0x80000000, t.e[j].function);
		EXPECT_TRUE(has_leaf(&t, 0x40000000));
	}
}

TEST(hypervisor_leaves_are_kvms_with_kvmclock_only)
{
	struct fake_host h = BROADWELL();
	const struct kvm_cpuid_entry2 *sig;
	char s[12];
	struct table t;
	u32 i;

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	EXPECT_EQ(0x40000001, reg(&t, 0x40000000, 0, A));
	sig = get(&t, 0x40000000, 0);
	memcpy(s, &sig->ebx, 4);
	memcpy(s + 4, &sig->ecx, 4);
	memcpy(s + 8, &sig->edx, 4);
	EXPECT_EQ(0, memcmp("KVMKVMKVM\0\0\0", s, 12));
	/* CLOCKSOURCE, NOP_IO_DELAY, CLOCKSOURCE2, CLOCKSOURCE_STABLE_BIT. */
	EXPECT_EQ(0x0100000b, reg(&t, 0x40000001, 0, A));
	EXPECT_EQ(0, reg(&t, 0x40000001, 0, B));
	EXPECT_EQ(0, reg(&t, 0x40000001, 0, C));
	EXPECT_EQ(0, reg(&t, 0x40000001, 0, D));
	for (i = 0; i < t.n; i++)
		if (t.e[i].function > 0x40000001 && t.e[i].function < 0x50000000)
			EXPECT_EQ(0, t.e[i].function);
}

TEST(e2big_reports_needed_count)
{
	struct fake_host h = BROADWELL();
	struct kvm_cpuid_entry2 *e;
	struct table full;
	u32 n, nent;

	ASSERT_EQ(0, build(&h, &default_pol, &full));
	n = full.n;
	e = calloc(n, sizeof(*e));
	ASSERT_NE(NULL, e);

	/* One short: E2BIG, the count needed, nothing written past room. */
	memset(e, 0xa5, n * sizeof(*e));
	nent = 0;
	EXPECT_EQ(-E2BIG, nvmx_cpuid_supported(e, n - 1, &nent, fake_cpuid, &h,
					       &default_pol));
	EXPECT_EQ(n, nent);
	EXPECT_EQ(0xa5a5a5a5, e[n - 1].function);
	EXPECT_EQ(0, memcmp(e, full.e, (n - 1) * sizeof(*e)));

	/* No room at all. */
	nent = 0;
	EXPECT_EQ(-E2BIG, nvmx_cpuid_supported(NULL, 0, &nent, fake_cpuid, &h,
					       &default_pol));
	EXPECT_EQ(n, nent);

	/* Exactly enough. */
	nent = 0;
	EXPECT_EQ(0, nvmx_cpuid_supported(e, n, &nent, fake_cpuid, &h, &default_pol));
	EXPECT_EQ(n, nent);
	EXPECT_EQ(0, memcmp(e, full.e, n * sizeof(*e)));
	free(e);
}

TEST(check_entry_count)
{
	static struct kvm_cpuid_entry2 e[NVMX_CPUID_MAX_ENTRIES + 1];

	EXPECT_EQ(0, nvmx_cpuid_check(e, 0));
	EXPECT_EQ(0, nvmx_cpuid_check(e, NVMX_CPUID_MAX_ENTRIES));
	EXPECT_EQ(-E2BIG, nvmx_cpuid_check(e, NVMX_CPUID_MAX_ENTRIES + 1));
	EXPECT_EQ(-E2BIG, nvmx_cpuid_check(e, 0xffffffff));
}

TEST(check_linear_address_width)
{
	struct kvm_cpuid_entry2 e[2] = {
		{ .function = 0x80000000, .eax = 0x80000008 },
		{ .function = 0x80000008 },
	};

	e[1].eax = 0x3027;
	EXPECT_EQ(0, nvmx_cpuid_check(e, 2));
	e[1].eax = 0x3927;
	EXPECT_EQ(0, nvmx_cpuid_check(e, 2));
	e[1].eax = 0x0027;
	EXPECT_EQ(0, nvmx_cpuid_check(e, 2));
	e[1].eax = 0x2f27;
	EXPECT_EQ(-EINVAL, nvmx_cpuid_check(e, 2));
	e[1].eax = 0x4027;
	EXPECT_EQ(-EINVAL, nvmx_cpuid_check(e, 2));
	/* Even with an index flag, the first entry for the leaf counts. */
	e[1].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	e[1].index = 5;
	EXPECT_EQ(-EINVAL, nvmx_cpuid_check(e, 2));
	/* An entry past nent is not looked at. */
	EXPECT_EQ(0, nvmx_cpuid_check(e, 1));
}

TEST(check_ignores_flags_and_padding_as_kvm)
{
	struct kvm_cpuid_entry2 e[1] = {
		{ .function = 1, .flags = 0xfffffffe, .padding = { 1, 2, 3 } },
	};

	EXPECT_EQ(0, nvmx_cpuid_check(e, 1));
}

TEST(equal_compares_all_but_padding)
{
	struct kvm_cpuid_entry2 a[2] = {
		{ .function = 0, .eax = 1 },
		{ .function = 7, .index = 0, .flags = 1, .ebx = 2 },
	};
	struct kvm_cpuid_entry2 b[2];
	size_t off;
	static const size_t fields[] = {
		offsetof(struct kvm_cpuid_entry2, function),
		offsetof(struct kvm_cpuid_entry2, index),
		offsetof(struct kvm_cpuid_entry2, flags),
		offsetof(struct kvm_cpuid_entry2, eax),
		offsetof(struct kvm_cpuid_entry2, ebx),
		offsetof(struct kvm_cpuid_entry2, ecx),
		offsetof(struct kvm_cpuid_entry2, edx),
	};
	size_t i;

	memcpy(b, a, sizeof(a));
	EXPECT_TRUE(nvmx_cpuid_equal(a, 2, b, 2));
	EXPECT_TRUE(nvmx_cpuid_equal(a, 0, b, 0));
	EXPECT_FALSE(nvmx_cpuid_equal(a, 2, b, 1));
	b[1].padding[2] = 9;
	EXPECT_TRUE(nvmx_cpuid_equal(a, 2, b, 2));
	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		memcpy(b, a, sizeof(a));
		off = fields[i];
		((u8 *)&b[1])[off] ^= 0x10;
		EXPECT_FALSE(nvmx_cpuid_equal(a, 2, b, 2));
	}
}

/* A small guest table: basic up to 0xd, extended up to 0x80000001. */
static const struct kvm_cpuid_entry2 guest[] = {
	{ .function = 0, .eax = 0xd, .ebx = 0x756e6547, .ecx = 0x6c65746e,
	  .edx = 0x49656e69 },
	{ .function = 1, .eax = 0x306d4, .ebx = 0x800,
	  .ecx = NVMX_CPUID_1_ECX_XSAVE | NVMX_CPUID_1_ECX_OSXSAVE,
	  .edx = NVMX_CPUID_1_EDX_APIC | NVMX_CPUID_1_EDX_FPU },
	{ .function = 2, .eax = 0x22, .ebx = 0x33, .ecx = 0x44, .edx = 0x55 },
	{ .function = 7, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .eax = 1, .ecx = NVMX_CPUID_7_ECX_PKU | NVMX_CPUID_7_ECX_OSPKE },
	{ .function = 7, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .eax = 0x71 },
	{ .function = 0xb, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .ebx = 1, .ecx = 0x100, .edx = 9 },
	{ .function = 0xb, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .ebx = 1, .ecx = 0x201, .edx = 9 },
	{ .function = 0xd, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .eax = 0xe7, .ebx = 1, .ecx = 0xab0 },
	{ .function = 0xd, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .eax = NVMX_CPUID_D_1_EAX_XSAVEC, .ebx = 2 },
	/* Odd sizes, one aligned component, to check the compacted sum. */
	{ .function = 0xd, .index = 2, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .eax = 200, .ebx = 576 },
	{ .function = 0xd, .index = 5, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .eax = 24, .ebx = 1088 },
	{ .function = 0xd, .index = 6, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
	  .eax = 512, .ebx = 1152, .ecx = 2 },
	{ .function = 0x80000000, .eax = 0x80000001 },
	{ .function = 0x80000001, .ecx = 0x121, .edx = 0x2c100800 },
};

#define NG ARRAY_SIZE(guest)

static void look(const struct kvm_cpuid_entry2 *e, u32 n, u32 leaf, u32 sub,
		 const struct nvmx_cpuid_state *st, u32 out[4])
{
	memset(out, 0xcc, 4 * sizeof(u32));
	nvmx_cpuid_lookup(e, n, leaf, sub, st, out);
}

TEST(lookup_exact)
{
	u32 r[4];

	look(guest, NG, 2, 0, NULL, r);
	EXPECT_EQ(0x22, r[A]);
	EXPECT_EQ(0x33, r[B]);
	EXPECT_EQ(0x44, r[C]);
	EXPECT_EQ(0x55, r[D]);
	/* Without the index flag, any subleaf matches. */
	look(guest, NG, 2, 7, NULL, r);
	EXPECT_EQ(0x22, r[A]);
	look(guest, NG, 0x80000001, 0, NULL, r);
	EXPECT_EQ(0x121, r[C]);
	/* With it, only its own. */
	look(guest, NG, 7, 1, NULL, r);
	EXPECT_EQ(0x71, r[A]);
	look(guest, NG, 7, 0, NULL, r);
	EXPECT_EQ(1, r[A]);
	/* Raw table values without guest state. */
	EXPECT_EQ(NVMX_CPUID_7_ECX_PKU | NVMX_CPUID_7_ECX_OSPKE, r[C]);
}

TEST(lookup_in_range_missing_is_zero)
{
	u32 r[4];

	/* Leaf 5 is within 0..0xd but has no entry. */
	look(guest, NG, 5, 0, NULL, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
	/* A subleaf of an indexed leaf with no entry. */
	look(guest, NG, 7, 2, NULL, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
	look(guest, NG, 0xd, 3, NULL, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
}

TEST(lookup_out_of_range_reads_highest_basic)
{
	static const u32 leaves[] = {
		0xe, 0x3fffffff, 0x50000000, 0x7fffffff,	/* basic, above 0xd */
		0x80000002, 0xbfffffff,				/* extended, above max */
		0x40000000, 0x40000100, 0x4fffffff,		/* no hypervisor range */
		0xc0000000, 0xffffffff,				/* no Centaur range */
	};
	u32 r[4];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(leaves); i++) {
		/* Leaf 0xd with the caller's subleaf. */
		look(guest, NG, leaves[i], 0, NULL, r);
		EXPECT_EQ(0xe7, r[A]);
		EXPECT_EQ(0xab0, r[C]);
		look(guest, NG, leaves[i], 1, NULL, r);
		EXPECT_EQ(NVMX_CPUID_D_1_EAX_XSAVEC, r[A]);
		look(guest, NG, leaves[i], 6, NULL, r);
		EXPECT_EQ(512, r[A]);
		/* An absent subleaf of the highest leaf is zero. */
		look(guest, NG, leaves[i], 3, NULL, r);
		EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
	}
}

TEST(lookup_hypervisor_ranges)
{
	struct kvm_cpuid_entry2 e[NG + 3];
	u32 r[4];

	memcpy(e, guest, sizeof(guest));
	e[NG] = (struct kvm_cpuid_entry2){ .function = 0x40000000,
		.eax = 0x40000002, .ebx = 0x786d766e };
	e[NG + 1] = (struct kvm_cpuid_entry2){ .function = 0x40000001, .eax = 0x77 };
	e[NG + 2] = (struct kvm_cpuid_entry2){ .function = 0x40000100,
		.eax = 0x40000102, .ebx = 0x4b4d564b };

	look(e, NG + 3, 0x40000000, 0, NULL, r);
	EXPECT_EQ(0x786d766e, r[B]);
	look(e, NG + 3, 0x40000001, 0, NULL, r);
	EXPECT_EQ(0x77, r[A]);
	/* In range but absent: zero. */
	look(e, NG + 3, 0x40000002, 0, NULL, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
	/* Above the range's maximum: the highest basic leaf. */
	look(e, NG + 3, 0x40000003, 0, NULL, r);
	EXPECT_EQ(0xe7, r[A]);
	look(e, NG + 3, 0x400000ff, 0, NULL, r);
	EXPECT_EQ(0xe7, r[A]);
	/* Each 0x100 block is its own range. */
	look(e, NG + 3, 0x40000100, 0, NULL, r);
	EXPECT_EQ(0x4b4d564b, r[B]);
	look(e, NG + 3, 0x40000102, 0, NULL, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
	look(e, NG + 3, 0x40000103, 0, NULL, r);
	EXPECT_EQ(0xe7, r[A]);
	look(e, NG + 3, 0x40000200, 0, NULL, r);
	EXPECT_EQ(0xe7, r[A]);
}

TEST(lookup_amd_vendor_reads_zero)
{
	struct kvm_cpuid_entry2 e[NG];
	u32 r[4];

	memcpy(e, guest, sizeof(guest));
	e[0].ebx = 0x68747541;
	e[0].edx = 0x69746e65;
	e[0].ecx = 0x444d4163;
	look(e, NG, 0x80000002, 0, NULL, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
	e[0].ebx = 0x6f677948;
	e[0].edx = 0x6e65476e;
	e[0].ecx = 0x656e6975;
	look(e, NG, 0x20, 0, NULL, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
	/* Exact entries still answer. */
	look(e, NG, 2, 0, NULL, r);
	EXPECT_EQ(0x22, r[A]);
}

TEST(lookup_without_leaf0)
{
	u32 r[4];

	/* Everything but leaf 0: out-of-range leaves have nowhere to go. */
	look(guest + 1, NG - 1, 0x30, 0, NULL, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
	look(guest + 1, NG - 1, 0, 0, NULL, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
	look(guest + 1, NG - 1, 2, 0, NULL, r);
	EXPECT_EQ(0x22, r[A]);
	look(NULL, 0, 1, 0, NULL, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
}

TEST(lookup_first_match_wins)
{
	struct kvm_cpuid_entry2 e[3] = {
		{ .function = 0, .eax = 2 },
		{ .function = 2, .index = 4, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
		  .eax = 4 },
		{ .function = 2, .eax = 99 },
	};
	u32 r[4];

	look(e, 3, 2, 4, NULL, r);
	EXPECT_EQ(4, r[A]);
	look(e, 3, 2, 0, NULL, r);
	EXPECT_EQ(99, r[A]);
	EXPECT_EQ(&e[1], nvmx_cpuid_find(e, 3, 2, 4));
	EXPECT_EQ(&e[2], nvmx_cpuid_find(e, 3, 2, 5));
	EXPECT_EQ(NULL, nvmx_cpuid_find(e, 3, 3, 0));
}

TEST(lookup_topology_past_last_level)
{
	struct kvm_cpuid_entry2 e[NG];
	u32 r[4];

	look(guest, NG, 0xb, 2, NULL, r);
	EXPECT_EQ(0, r[A]);
	EXPECT_EQ(0, r[B]);
	EXPECT_EQ(2, r[C]);
	EXPECT_EQ(9, r[D]);
	look(guest, NG, 0xb, 0x1ff, NULL, r);
	EXPECT_EQ(0xff, r[C]);
	EXPECT_EQ(9, r[D]);
	look(guest, NG, 0xb, 1, NULL, r);
	EXPECT_EQ(0x201, r[C]);

	/* Without subleaf 1 the leaf is unused: zero. */
	memcpy(e, guest, sizeof(guest));
	e[6].function = 0x3;
	look(e, NG, 0xb, 2, NULL, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);

	/* The rule holds when 0xb is the highest leaf read for another. */
	memcpy(e, guest, sizeof(guest));
	e[0].eax = 0xb;
	look(e, NG, 0x80000005, 3, NULL, r);
	EXPECT_EQ(3, r[C]);
	EXPECT_EQ(9, r[D]);
}

TEST(lookup_guest_state)
{
	struct nvmx_cpuid_state st = { .apic_enabled = true };
	u32 r[4];

	/* OSXSAVE follows CR4, both ways. */
	look(guest, NG, 1, 0, &st, r);
	EXPECT_FALSE(r[C] & NVMX_CPUID_1_ECX_OSXSAVE);
	EXPECT_TRUE(r[C] & NVMX_CPUID_1_ECX_XSAVE);
	EXPECT_TRUE(r[D] & NVMX_CPUID_1_EDX_APIC);
	st.cr4 = NVMX_CPUID_CR4_OSXSAVE;
	look(guest, NG, 1, 0, &st, r);
	EXPECT_TRUE(r[C] & NVMX_CPUID_1_ECX_OSXSAVE);

	/* APIC follows IA32_APIC_BASE's enable, never added. */
	st.apic_enabled = false;
	look(guest, NG, 1, 0, &st, r);
	EXPECT_FALSE(r[D] & NVMX_CPUID_1_EDX_APIC);
	EXPECT_TRUE(r[D] & NVMX_CPUID_1_EDX_FPU);

	/* OSPKE follows CR4.PKE, only with PKU. */
	look(guest, NG, 7, 0, &st, r);
	EXPECT_FALSE(r[C] & NVMX_CPUID_7_ECX_OSPKE);
	EXPECT_TRUE(r[C] & NVMX_CPUID_7_ECX_PKU);
	st.cr4 |= NVMX_CPUID_CR4_PKE;
	look(guest, NG, 7, 0, &st, r);
	EXPECT_TRUE(r[C] & NVMX_CPUID_7_ECX_OSPKE);
	/* Subleaf 1 is left alone. */
	look(guest, NG, 7, 1, &st, r);
	EXPECT_EQ(0x71, r[A]);
	EXPECT_EQ(0, r[C]);
}

TEST(lookup_ospke_needs_pku)
{
	struct nvmx_cpuid_state st = { .cr4 = NVMX_CPUID_CR4_PKE };
	struct kvm_cpuid_entry2 e[NG];
	u32 r[4];

	memcpy(e, guest, sizeof(guest));
	e[3].ecx = 0;
	look(e, NG, 7, 0, &st, r);
	EXPECT_EQ(0, r[C]);
	/* A leaf-7 entry without the index flag stands for subleaf 0. */
	e[3].flags = 0;
	e[3].ecx = NVMX_CPUID_7_ECX_PKU;
	look(e, NG, 7, 3, &st, r);
	EXPECT_EQ(NVMX_CPUID_7_ECX_PKU | NVMX_CPUID_7_ECX_OSPKE, r[C]);
}

TEST(lookup_xsave_sizes_follow_xcr0)
{
	struct nvmx_cpuid_state st = { .xcr0 = NVMX_XFEATURE_X87 | NVMX_XFEATURE_SSE };
	struct kvm_cpuid_entry2 e[NG];
	u32 r[4];

	look(guest, NG, 0xd, 0, &st, r);
	EXPECT_EQ(576, r[B]);
	/* ECX, the size for all supported, stays the table's. */
	EXPECT_EQ(0xab0, r[C]);
	look(guest, NG, 0xd, 1, &st, r);
	EXPECT_EQ(576, r[B]);

	st.xcr0 |= NVMX_XFEATURE_YMM;
	look(guest, NG, 0xd, 0, &st, r);
	EXPECT_EQ(776, r[B]);
	look(guest, NG, 0xd, 1, &st, r);
	EXPECT_EQ(776, r[B]);

	/* Standard: the furthest end; compacted: sum, 6 aligned to 64. */
	st.xcr0 |= NVMX_XFEATURE_OPMASK | NVMX_XFEATURE_ZMM_HI256;
	look(guest, NG, 0xd, 0, &st, r);
	EXPECT_EQ(1664, r[B]);
	look(guest, NG, 0xd, 1, &st, r);
	EXPECT_EQ(832 + 512, r[B]);
	/* A component without an entry adds nothing; XSS adds its own. */
	st.xcr0 |= NVMX_XFEATURE_HI16_ZMM;
	st.xss = BIT_ULL(8);
	look(guest, NG, 0xd, 1, &st, r);
	EXPECT_EQ(832 + 512, r[B]);

	/* Without XSAVEC or XSAVES, subleaf 1's EBX is the table's. */
	memcpy(e, guest, sizeof(guest));
	e[8].eax = NVMX_CPUID_D_1_EAX_XSAVEOPT;
	look(e, NG, 0xd, 1, &st, r);
	EXPECT_EQ(2, r[B]);
	/* XSAVES alone also gets the compacted size. */
	e[8].eax = NVMX_CPUID_D_1_EAX_XSAVES;
	look(e, NG, 0xd, 1, &st, r);
	EXPECT_EQ(832 + 512, r[B]);
}

TEST(lookup_supported_table_round_trip)
{
	struct nvmx_cpuid_state st = { .apic_enabled = true };
	struct fake_host h = BROADWELL();
	struct table t;
	u32 r[4];

	ASSERT_EQ(0, build(&h, &default_pol, &t));
	/* Above 0x14: leaf 0x14 (zero); above 0x80000008: the same. */
	look(t.e, t.n, 0x15, 0, &st, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
	look(t.e, t.n, 0x40000000, 0, &st, r);
	EXPECT_EQ(NVMX_CPUID_KVM_SIG_EBX, r[B]);
	look(t.e, t.n, 0x40000001, 0, &st, r);
	EXPECT_EQ(NVMX_KVM_FEATURES, r[A]);
	/* 0x40000002 is above the hypervisor range: the last basic leaf. */
	look(t.e, t.n, 0x40000002, 0, &st, r);
	EXPECT_EQ(0, r[A] | r[B] | r[C] | r[D]);
	look(t.e, t.n, 1, 0, &st, r);
	EXPECT_TRUE(r[C] & NVMX_CPUID_1_ECX_HYPERVISOR);
	EXPECT_FALSE(r[C] & NVMX_CPUID_1_ECX_OSXSAVE);
	st.xcr0 = 7;
	look(t.e, t.n, 0xd, 0, &st, r);
	EXPECT_EQ(0x340, r[B]);
	look(t.e, t.n, 0xb, 5, &st, r);
	EXPECT_EQ(5, r[C]);
	EXPECT_EQ(0, r[A] | r[B] | r[D]);
}

/*
 * XSETBV's XCR0 rules, one row per class the SDM names, written from the
 * SDM's table of XCR0 bits rather than from the code: bit 0 set always,
 * YMM only with SSE, BNDREGS with BNDCSR, the three AVX-512 bits all or
 * none and only with YMM, XTILECFG with XTILEDATA, nothing unsupported.
 */
TEST(xcr0_settable_classes)
{
	static const struct {
		u64 xcr0;
		bool ok;
	} rows[] = {
		{ 0x1, true },			/* x87 alone */
		{ 0x3, true },			/* x87, SSE */
		{ 0x7, true },			/* x87, SSE, AVX */
		{ 0x0, false },			/* nothing */
		{ 0x2, false },			/* SSE without x87 */
		{ 0x6, false },			/* no x87 */
		{ 0x5, false },			/* AVX without SSE */
		{ 0xb, false },			/* BNDREGS alone */
		{ 0x13, false },		/* BNDCSR alone */
		{ 0x1b, true },			/* both MPX components */
		{ 0x27, false },		/* opmask alone */
		{ 0x67, false },		/* two of three AVX-512 */
		{ 0xc7, false },		/* the other two */
		{ 0xe3, false },		/* AVX-512 without AVX */
		{ 0xe7, true },			/* all AVX-512 with AVX */
		{ 0xe1, false },		/* AVX-512 without SSE or AVX */
		{ 0x20003, false },		/* XTILECFG alone */
		{ 0x40003, false },		/* XTILEDATA alone */
		{ 0x60003, true },		/* both AMX components */
		{ 0x203, true },		/* PKRU */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		EXPECT_EQ(rows[i].ok, nvmx_xcr0_settable(rows[i].xcr0, ~0ULL))
			TH_LOG("xcr0 %#llx", (unsigned long long)rows[i].xcr0);
	}
}

TEST(xcr0_settable_within_allowed)
{
	/* A Broadwell-like guest: x87, SSE and AVX only. */
	const u64 allowed = 0x7;

	EXPECT_TRUE(nvmx_xcr0_settable(0x7, allowed));
	EXPECT_TRUE(nvmx_xcr0_settable(0x3, allowed));
	EXPECT_FALSE(nvmx_xcr0_settable(0xe7, allowed));
	EXPECT_FALSE(nvmx_xcr0_settable(0xf, allowed));
	EXPECT_FALSE(nvmx_xcr0_settable(0x8000000000000007ULL, allowed));
	/* Nothing allowed (no XSAVE): even x87 alone is refused. */
	EXPECT_FALSE(nvmx_xcr0_settable(0x1, 0));
}

TEST_HARNESS_MAIN
