// SPDX-License-Identifier: GPL-2.0
/*
 * Guest page-table walker (see gwalk.h). Pure logic: no Linux calls, so
 * selftests/unit builds this file as it is.
 */
#include "gwalk.h"

#define NVMX_PTE_P		BIT_ULL(0)
#define NVMX_PTE_RW		BIT_ULL(1)
#define NVMX_PTE_US		BIT_ULL(2)
#define NVMX_PTE_PS		BIT_ULL(7)
#define NVMX_PTE_XD		BIT_ULL(63)

struct nvmx_walker {
	const struct nvmx_gwalk_regs *regs;
	nvmx_gpa_read_fn read;
	void *opaque;
	u32 access;
	struct nvmx_gwalk_result *res;
	/* Rights so far: every level must allow writes or user access. */
	bool writable;
	bool user;
	bool xd;
};

/* Bits hi..lo set; none if hi < lo. */
static u64 nvmx_bits(unsigned int hi, unsigned int lo)
{
	if (hi < lo)
		return 0;
	return (~0ULL >> (63 - hi)) & ~(BIT_ULL(lo) - 1);
}

static int nvmx_gw_fault(struct nvmx_walker *w, u32 flags)
{
	const struct nvmx_gwalk_regs *r = w->regs;
	u32 ec = flags;

	if (w->access & NVMX_GWALK_WRITE)
		ec |= NVMX_PFERR_WRITE;
	if (w->access & NVMX_GWALK_USER)
		ec |= NVMX_PFERR_USER;
	/* The CPU reports fetches only where it could tell them apart. */
	if ((w->access & NVMX_GWALK_FETCH) &&
	    ((r->cr4 & NVMX_GW_CR4_SMEP) ||
	     ((r->cr4 & NVMX_GW_CR4_PAE) && (r->efer & NVMX_GW_EFER_NXE))))
		ec |= NVMX_PFERR_FETCH;
	w->res->error_code = ec;
	return NVMX_GWALK_FAULT;
}

/*
 * Account one present entry's rights. XD is bit 63: never set in 32-bit
 * paging's 4-byte entries, and reserved without EFER.NXE.
 */
static void nvmx_gw_rights(struct nvmx_walker *w, u64 e)
{
	if (!(e & NVMX_PTE_RW))
		w->writable = false;
	if (!(e & NVMX_PTE_US))
		w->user = false;
	if (e & NVMX_PTE_XD)
		w->xd = true;
}

/* The access-rights checks, once the walk reached a page. */
static int nvmx_gw_check(struct nvmx_walker *w)
{
	const struct nvmx_gwalk_regs *r = w->regs;
	bool user_access = w->access & NVMX_GWALK_USER;

	if (user_access && !w->user)
		return nvmx_gw_fault(w, NVMX_PFERR_PRESENT);
	if (w->access & NVMX_GWALK_FETCH) {
		if (w->xd)
			return nvmx_gw_fault(w, NVMX_PFERR_PRESENT);
		if (!user_access && w->user && (r->cr4 & NVMX_GW_CR4_SMEP))
			return nvmx_gw_fault(w, NVMX_PFERR_PRESENT);
		return 0;
	}
	if ((w->access & NVMX_GWALK_WRITE) && !w->writable &&
	    (user_access || (r->cr0 & NVMX_GW_CR0_WP)))
		return nvmx_gw_fault(w, NVMX_PFERR_PRESENT);
	if (!user_access && w->user && (r->cr4 & NVMX_GW_CR4_SMAP) &&
	    !(w->access & NVMX_GWALK_AC))
		return nvmx_gw_fault(w, NVMX_PFERR_PRESENT);
	return 0;
}

static int nvmx_gw_done(struct nvmx_walker *w, u64 gla, u64 base,
			u64 page_size)
{
	int ret = nvmx_gw_check(w);

	if (ret)
		return ret;
	w->res->gpa = (base & ~(page_size - 1)) | (gla & (page_size - 1));
	w->res->page_size = page_size;
	return 0;
}

/* 32-bit paging: 4-byte entries, no XD; only 4M pages have reserved bits. */
static int nvmx_gw_32bit(struct nvmx_walker *w, u32 gla)
{
	const struct nvmx_gwalk_regs *r = w->regs;
	unsigned int m = r->maxphyaddr < 40 ? r->maxphyaddr : 40;
	u64 pde, pte, base;
	int ret;

	ret = w->read(w->opaque, (r->cr3 & 0xfffff000) + (gla >> 22) * 4, 4, &pde);
	if (ret)
		return ret;
	if (!(pde & NVMX_PTE_P))
		return nvmx_gw_fault(w, 0);
	nvmx_gw_rights(w, pde);
	if ((pde & NVMX_PTE_PS) && (r->cr4 & NVMX_GW_CR4_PSE)) {
		/* Bits 20:13 hold physical address bits 39:32 (PSE-36). */
		if (pde & nvmx_bits(21, m - 19))
			return nvmx_gw_fault(w, NVMX_PFERR_PRESENT | NVMX_PFERR_RSVD);
		base = (pde & 0xffc00000) | (((pde >> 13) & 0xff) << 32);
		return nvmx_gw_done(w, gla, base, BIT_ULL(22));
	}

	ret = w->read(w->opaque, (pde & 0xfffff000) + ((gla >> 12) & 0x3ff) * 4,
		      4, &pte);
	if (ret)
		return ret;
	if (!(pte & NVMX_PTE_P))
		return nvmx_gw_fault(w, 0);
	nvmx_gw_rights(w, pte);
	return nvmx_gw_done(w, gla, pte & 0xfffff000, BIT_ULL(12));
}

/*
 * PAE and 4-level paging, from the table at table whose entries map
 * 512^(level-1) 4K pages each, down to the page.
 */
static int nvmx_gw_walk64(struct nvmx_walker *w, u64 gla, u64 table,
			  unsigned int level)
{
	const struct nvmx_gwalk_regs *r = w->regs;
	bool nxe = r->efer & NVMX_GW_EFER_NXE;
	bool lma = r->efer & NVMX_GW_EFER_LMA;
	u64 addr_mask = nvmx_bits(r->maxphyaddr - 1, 12);
	/* PAE entries reserve bits 62:M; 4-level ones only 51:M. */
	u64 rsvd = nvmx_bits(lma ? 51 : 62, r->maxphyaddr);
	unsigned int shift;
	u64 e, leaf_rsvd;
	int ret;

	if (!nxe)
		rsvd |= NVMX_PTE_XD;

	for (;; level--) {
		shift = 12 + 9 * (level - 1);
		ret = w->read(w->opaque, table + ((gla >> shift) & 511) * 8, 8, &e);
		if (ret)
			return ret;
		if (!(e & NVMX_PTE_P))
			return nvmx_gw_fault(w, 0);
		leaf_rsvd = rsvd;
		/* PML4Es have no PS; large pages use bit 12 (PAT) alone below. */
		if (level == 4)
			leaf_rsvd |= NVMX_PTE_PS;
		else if (level > 1 && (e & NVMX_PTE_PS))
			leaf_rsvd |= nvmx_bits(shift - 1, 13);
		if (e & leaf_rsvd)
			return nvmx_gw_fault(w, NVMX_PFERR_PRESENT | NVMX_PFERR_RSVD);
		nvmx_gw_rights(w, e);
		if (level == 1 || (e & NVMX_PTE_PS))
			return nvmx_gw_done(w, gla, e & addr_mask, BIT_ULL(shift));
		table = e & addr_mask;
	}
}

static int nvmx_gw_pae(struct nvmx_walker *w, u32 gla)
{
	const struct nvmx_gwalk_regs *r = w->regs;
	unsigned int idx = gla >> 30;
	u64 pdpte;
	int ret;

	if (r->pdptes) {
		pdpte = r->pdptes[idx];
	} else {
		ret = w->read(w->opaque, (r->cr3 & 0xffffffe0) + idx * 8, 8, &pdpte);
		if (ret)
			return ret;
	}
	if (!(pdpte & NVMX_PTE_P))
		return nvmx_gw_fault(w, 0);
	/*
	 * A CPU refuses reserved PDPTE bits when it loads them (MOV CR3 #GP,
	 * VM entry); read from memory they may be there, and a fault is the
	 * closest report. PDPTEs carry no rights.
	 */
	if (pdpte & (nvmx_bits(63, r->maxphyaddr) | nvmx_bits(8, 5) | nvmx_bits(2, 1)))
		return nvmx_gw_fault(w, NVMX_PFERR_PRESENT | NVMX_PFERR_RSVD);
	return nvmx_gw_walk64(w, gla, pdpte & nvmx_bits(r->maxphyaddr - 1, 12), 2);
}

int nvmx_gwalk(const struct nvmx_gwalk_regs *regs, nvmx_gpa_read_fn read,
	       void *opaque, u64 gla, u32 access,
	       struct nvmx_gwalk_result *res)
{
	struct nvmx_walker w = {
		.regs = regs, .read = read, .opaque = opaque, .access = access,
		.res = res, .writable = true, .user = true,
	};
	bool pg = regs->cr0 & NVMX_GW_CR0_PG;
	bool pae = regs->cr4 & NVMX_GW_CR4_PAE;
	u64 top;

	*res = (struct nvmx_gwalk_result){ 0 };
	if (regs->maxphyaddr < 32 || regs->maxphyaddr > 52)
		return -EINVAL;
	if ((access & NVMX_GWALK_WRITE) && (access & NVMX_GWALK_FETCH))
		return -EINVAL;
	if (pg && !(regs->cr0 & NVMX_GW_CR0_PE))
		return -EINVAL;

	if (regs->efer & NVMX_GW_EFER_LMA) {
		if (!pg || !pae)
			return -EINVAL;
		if (regs->cr4 & NVMX_GW_CR4_LA57)
			return -EOPNOTSUPP;
		top = gla >> 47;
		if (top != 0 && top != 0x1ffff)
			return -EINVAL;
		return nvmx_gw_walk64(&w, gla,
				      regs->cr3 & nvmx_bits(regs->maxphyaddr - 1, 12), 4);
	}
	if (!pg) {
		res->gpa = (u32)gla;
		res->page_size = BIT_ULL(32);
		return 0;
	}
	if (pae)
		return nvmx_gw_pae(&w, gla);
	return nvmx_gw_32bit(&w, gla);
}
