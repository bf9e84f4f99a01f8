// SPDX-License-Identifier: GPL-2.0
/*
 * TSC rates and scaling ratios. Pure logic: selftests/unit builds this
 * file as it is.
 */
#include "tsc.h"

/* Whether @khz is @host_khz within KVM's tolerance. */
bool nvmx_tsc_khz_is_host(u32 khz, u32 host_khz)
{
	u64 lo = (u64)host_khz * (1000000 - NVMX_TSC_TOLERANCE_PPM) / 1000000;
	u64 hi = (u64)host_khz * (1000000 + NVMX_TSC_TOLERANCE_PPM) / 1000000;

	return khz >= lo && khz <= hi;
}

/*
 * The ratio a guest TSC of @khz runs at on a host TSC of @host_khz, into
 * @ratio: 1.0 within the tolerance (no scaling), else khz / host_khz
 * rounded down, with @scaling (the CPU has TSC scaling). -EINVAL for a
 * rate nvmx cannot give: 0, KVM's limit or more, another rate without
 * scaling, and a ratio that is 0 or does not fit the multiplier (KVM's
 * maximum ratio is 2^64 - 1, exclusive).
 */
int nvmx_tsc_ratio(u32 khz, u32 host_khz, bool scaling, u64 *ratio)
{
	u64 q, r, f1, f2;

	if (!khz || !host_khz || khz >= NVMX_TSC_KHZ_LIMIT)
		return -EINVAL;
	if (nvmx_tsc_khz_is_host(khz, host_khz)) {
		*ratio = NVMX_TSC_RATIO_ONE;
		return 0;
	}
	if (!scaling)
		return -EINVAL;
	/*
	 * (khz << 48) / host_khz needs 80 bits: the integer part, then the
	 * fraction 24 bits at a time (remainder < 2^32, so r << 24 fits).
	 */
	q = khz / host_khz;
	r = khz % host_khz;
	if (q >> (64 - NVMX_TSC_RATIO_FRAC_BITS))
		return -EINVAL;
	f1 = (r << 24) / host_khz;
	r = (r << 24) % host_khz;
	f2 = (r << 24) / host_khz;
	*ratio = (q << NVMX_TSC_RATIO_FRAC_BITS) | (f1 << 24) | f2;
	if (!*ratio || *ratio == ~0ULL)
		return -EINVAL;
	return 0;
}

/* What the CPU computes: the 128-bit product of @tsc and @ratio >> 48. */
u64 nvmx_tsc_scale(u64 tsc, u64 ratio)
{
	if (ratio == NVMX_TSC_RATIO_ONE)
		return tsc;
	return (u64)(((__uint128_t)tsc * ratio) >>
		     NVMX_TSC_RATIO_FRAC_BITS);
}
