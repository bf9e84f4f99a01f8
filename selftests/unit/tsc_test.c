// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/tsc_pure.c: which TSC rates KVM_SET_TSC_KHZ takes,
 * the TSC multiplier for each (48 fractional bits, SDM "Timestamp-Counter
 * Scaling") and the scaled TSC, against values worked out here.
 */
#include "kselftest_harness.h"
#include "tsc.h"

#define ONE	NVMX_TSC_RATIO_ONE

/* KVM's 250 ppm: 2000000 kHz takes 1999500..2000500 as itself. */
TEST(tolerance_is_250_ppm_both_ways)
{
	EXPECT_TRUE(nvmx_tsc_khz_is_host(2000000, 2000000));
	EXPECT_TRUE(nvmx_tsc_khz_is_host(1999500, 2000000));
	EXPECT_TRUE(nvmx_tsc_khz_is_host(2000500, 2000000));
	EXPECT_FALSE(nvmx_tsc_khz_is_host(1999499, 2000000));
	EXPECT_FALSE(nvmx_tsc_khz_is_host(2000501, 2000000));
}

TEST(host_rate_is_ratio_one_with_or_without_scaling)
{
	u64 r = 0;

	EXPECT_EQ(0, nvmx_tsc_ratio(2000000, 2000000, false, &r));
	EXPECT_EQ(ONE, r);
	r = 0;
	EXPECT_EQ(0, nvmx_tsc_ratio(2000400, 2000000, true, &r));
	EXPECT_EQ(ONE, r);
}

TEST(other_rates_need_scaling)
{
	u64 r = 7;

	EXPECT_EQ(-EINVAL, nvmx_tsc_ratio(1000000, 2000000, false, &r));
	EXPECT_EQ(-EINVAL, nvmx_tsc_ratio(3000000, 2000000, false, &r));
	EXPECT_EQ(7, r);
}

TEST(ratios_are_khz_over_host_rounded_down)
{
	static const struct { u32 khz, host; u64 ratio; } t[] = {
		{ 1000000, 2000000, ONE / 2 },
		{ 3000000, 2000000, ONE + ONE / 2 },
		{ 2345678, 1000000, 0x2587e5a78f25aULL },
		/* 1/3: 0x5555... in the 48 fraction bits, rounded down. */
		{ 1000, 3000, 0x555555555555ULL },
		{ 2000, 3000, 0xaaaaaaaaaaaaULL },
		/* The smallest rate on a fast host: still not 0. */
		{ 1, 4000000, 0x431bde8ULL },
		{ 65535, 1, 0xffffULL << 48 },
		/* 65535.5: the largest integer part there is. */
		{ 131071, 2, (0xffffULL << 48) | (ONE / 2) },
	};
	unsigned int i;
	u64 r;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		r = 0;
		EXPECT_EQ(0, nvmx_tsc_ratio(t[i].khz, t[i].host, true, &r))
			TH_LOG("%u kHz on %u", t[i].khz, t[i].host);
		EXPECT_EQ(t[i].ratio, r) TH_LOG("%u kHz on %u", t[i].khz, t[i].host);
	}
}

/* A ratio of 2^16 or more does not fit; neither does KVM's maximum. */
TEST(unrepresentable_rates_are_einval)
{
	static const struct { u32 khz, host; } t[] = {
		{ 0, 2000000 },			/* 0: the caller's "host rate" */
		{ 2000000, 0 },			/* no calibrated host rate */
		{ NVMX_TSC_KHZ_LIMIT, 2000000 },
		{ 0xffffffffU, 2000000 },
		{ 65536, 1 },			/* ratio 2^16 */
		{ 131072, 2 },			/* 65536 */
		{ 0x7ffffffeU, 32767 },		/* 65538.0 */
	};
	unsigned int i;
	u64 r = 7;

	for (i = 0; i < ARRAY_SIZE(t); i++)
		EXPECT_EQ(-EINVAL, nvmx_tsc_ratio(t[i].khz, t[i].host, true, &r))
			TH_LOG("%u kHz on %u", t[i].khz, t[i].host);
	EXPECT_EQ(7, r);
	/* Just under the limit on a host where it is a ratio below 2^16. */
	EXPECT_EQ(0, nvmx_tsc_ratio(NVMX_TSC_KHZ_LIMIT - 1, 2000000, true, &r));
	EXPECT_EQ(0x431bde81cb46bacULL, r);
}

/* The CPU's product is 128 bits wide: no overflow for large TSCs. */
TEST(scale_is_the_high_product)
{
	EXPECT_EQ(123456789ULL, nvmx_tsc_scale(123456789ULL, ONE));
	EXPECT_EQ(500, nvmx_tsc_scale(1000, ONE / 2));
	EXPECT_EQ(1500, nvmx_tsc_scale(1000, ONE + ONE / 2));
	/* 2^63 * 1.5 = 3 * 2^62: fits only because the product is wide. */
	EXPECT_EQ(3ULL << 62, nvmx_tsc_scale(1ULL << 63, ONE + ONE / 2));
	/* (2^48 - 1) * (2^64 - 2) >> 48 = 2^64 - 2^16 - 2, in 128 bits. */
	EXPECT_EQ(0xfffffffffffefffeULL, nvmx_tsc_scale(~0ULL >> 16, ~0ULL - 1));
	EXPECT_EQ(0, nvmx_tsc_scale(0, ~0ULL - 1));
	/* 1/3 of 3 * 10^9 rounds down by one tick. */
	EXPECT_EQ(999999999ULL, nvmx_tsc_scale(3000000000ULL, 0x555555555555ULL));
}

TEST_HARNESS_MAIN
