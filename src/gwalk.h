/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest page-table walker: translates a guest linear address to a
 * guest-physical one as the guest's MMU would, for nvmx to fetch the
 * instruction at RIP when it emulates an MMIO access. Pure logic (see
 * pure.h).
 *
 * Modes: paging off (identity), 32-bit paging (4K, and 4M pages with
 * CR4.PSE), PAE paging (4K, 2M) and 4-level paging (4K, 2M, 1G). 5-level
 * paging (CR4.LA57) is refused.
 *
 * Checked as the CPU does: present bits, reserved bits (for the given
 * MAXPHYADDR and EFER.NXE), and the access rights R/W (with CR0.WP), U/S,
 * XD (with EFER.NXE), SMEP and SMAP. Not done: accessed and dirty bits are
 * never set, and protection keys (CR4.PKE, CR4.PKS) are not checked. 1G
 * pages are taken as supported.
 */
#ifndef NVMX_GWALK_H
#define NVMX_GWALK_H

#include "pure.h"

/* Page-fault error code bits, as the CPU pushes them. */
#define NVMX_PFERR_PRESENT	BIT_ULL(0)	/* not set: the entry was not present */
#define NVMX_PFERR_WRITE	BIT_ULL(1)
#define NVMX_PFERR_USER		BIT_ULL(2)
#define NVMX_PFERR_RSVD		BIT_ULL(3)
#define NVMX_PFERR_FETCH	BIT_ULL(4)

/* Access types, for nvmx_gwalk()'s access argument. */
#define NVMX_GWALK_WRITE	BIT_ULL(0)	/* a data write (else a read) */
#define NVMX_GWALK_FETCH	BIT_ULL(1)	/* an instruction fetch */
#define NVMX_GWALK_USER		BIT_ULL(2)	/* a user-mode access (CPL 3, explicit) */
#define NVMX_GWALK_AC		BIT_ULL(3)	/* RFLAGS.AC=1 on an explicit access: no SMAP */

/* Control register bits the walker reads. */
#define NVMX_GW_CR0_PE		BIT_ULL(0)
#define NVMX_GW_CR0_WP		BIT_ULL(16)
#define NVMX_GW_CR0_PG		BIT_ULL(31)
#define NVMX_GW_CR4_PSE		BIT_ULL(4)
#define NVMX_GW_CR4_PAE		BIT_ULL(5)
#define NVMX_GW_CR4_LA57	BIT_ULL(12)
#define NVMX_GW_CR4_SMEP	BIT_ULL(20)
#define NVMX_GW_CR4_SMAP	BIT_ULL(21)
#define NVMX_GW_EFER_LMA	BIT_ULL(10)
#define NVMX_GW_EFER_NXE	BIT_ULL(11)

/*
 * Reads size (4 or 8, naturally aligned) bytes of guest-physical memory at
 * gpa into *val (little-endian, as the guest stores them). Returns 0 or a
 * negative errno, which nvmx_gwalk() passes on.
 */
typedef int (*nvmx_gpa_read_fn)(void *opaque, u64 gpa, unsigned int size,
				u64 *val);

struct nvmx_gwalk_regs {
	u64 cr0;
	u64 cr3;
	u64 cr4;
	u64 efer;		/* LMA, not LME, selects 4-level paging */
	/*
	 * PAE paging: the four PDPTEs the CPU holds (with EPT, the VMCS
	 * guest PDPTR fields), or NULL to read them from memory at CR3.
	 */
	const u64 *pdptes;
	u8 maxphyaddr;		/* the guest's, CPUID 0x80000008 EAX[7:0]; 32-52 */
};

struct nvmx_gwalk_result {
	u64 gpa;		/* on success: the translation */
	u64 page_size;		/* on success: 4K, 2M, 4M, 1G, or 4G unpaged */
	u32 error_code;		/* on NVMX_GWALK_FAULT: the #PF error code */
};

/* nvmx_gwalk() returns this when the CPU would raise #PF (CR2 = gla). */
#define NVMX_GWALK_FAULT	1

/*
 * Translate gla for an access of type access (NVMX_GWALK_*). Returns 0 with
 * res->gpa and res->page_size set; NVMX_GWALK_FAULT with res->error_code
 * set; or a negative errno:
 *   -EOPNOTSUPP  5-level paging (CR4.LA57 with EFER.LMA)
 *   -EINVAL      register state the CPU cannot be in (CR0.PG without PE,
 *                EFER.LMA without CR0.PG and CR4.PAE), maxphyaddr out of
 *                32-52, access with both WRITE and FETCH, or a
 *                non-canonical gla in 4-level paging (the CPU raises #GP
 *                or #SS there, not #PF)
 *   others       from read
 * Outside 4-level paging, linear addresses are 32 bits: the high bits of
 * gla are ignored.
 */
int nvmx_gwalk(const struct nvmx_gwalk_regs *regs, nvmx_gpa_read_fn read,
	       void *opaque, u64 gla, u32 access,
	       struct nvmx_gwalk_result *res);

#endif /* NVMX_GWALK_H */
