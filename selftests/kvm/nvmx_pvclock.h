/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest code shared by the kvmclock tests: one consistent read of a
 * pvclock page, retried while the host is updating it (odd version) or
 * updated it during the read.
 */
#ifndef NVMX_PVCLOCK_H
#define NVMX_PVCLOCK_H

#include <asm/pvclock.h>
#include <asm/pvclock-abi.h>

#include "processor.h"

/* The page's time in ns, and in *tsc the guest TSC it was computed from. */
static inline u64 guest_read_clock(struct pvclock_vcpu_time_info *p, u64 *tsc)
{
	u32 version;
	u64 ns;

	do {
		version = READ_ONCE(p->version);
		asm volatile("" ::: "memory");
		*tsc = rdtsc();
		ns = __pvclock_read_cycles(p, *tsc);
		asm volatile("" ::: "memory");
	} while ((version & 1) || version != READ_ONCE(p->version));
	return ns;
}

#endif
