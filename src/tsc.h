/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guest's TSC rate: TSC scaling ratios as the VMCS's TSC multiplier
 * holds them (SDM "Timestamp-Counter Scaling"), and which rates
 * KVM_SET_TSC_KHZ takes. Pure logic (see pure.h).
 */
#ifndef NVMX_TSC_H
#define NVMX_TSC_H

#include "pure.h"

/* The TSC multiplier is a fixed-point number with 48 fractional bits. */
#define NVMX_TSC_RATIO_FRAC_BITS	48
#define NVMX_TSC_RATIO_ONE		BIT_ULL(NVMX_TSC_RATIO_FRAC_BITS)
/* KVM's: a rate at or above this (it must fit an int) is EINVAL. */
#define NVMX_TSC_KHZ_LIMIT		0x7fffffffU
/* kvm_intel's tsc_tolerance_ppm: a rate this close is the host's. */
#define NVMX_TSC_TOLERANCE_PPM		250

bool nvmx_tsc_khz_is_host(u32 khz, u32 host_khz);
int nvmx_tsc_ratio(u32 khz, u32 host_khz, bool scaling, u64 *ratio);
u64 nvmx_tsc_scale(u64 tsc, u64 ratio);

#endif /* NVMX_TSC_H */
