// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/gwalk.c, the guest page-table walker, built for
 * userspace with ASan and UBSan. Page tables live in a small fake guest
 * memory; the pages they map need not exist.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "gwalk.h"

#define MEM_SIZE	(16 * 4096)

struct fake_mem {
	u8 bytes[MEM_SIZE];
	unsigned int reads;
	unsigned int fail_at;	/* 1-based read to fail with -EIO; 0: none */
	bool misaligned;	/* a read was not naturally aligned */
};

static int fake_read(void *opaque, u64 gpa, unsigned int size, u64 *val)
{
	struct fake_mem *m = opaque;
	unsigned int k;

	m->reads++;
	if (m->fail_at && m->reads == m->fail_at)
		return -EIO;
	if ((size != 4 && size != 8) || (gpa & (size - 1)))
		m->misaligned = true;
	if (gpa >= MEM_SIZE || MEM_SIZE - gpa < size)
		return -EFAULT;
	*val = 0;
	for (k = 0; k < size; k++)
		*val |= (u64)m->bytes[gpa + k] << (8 * k);
	return 0;
}

static void put(struct fake_mem *m, u64 gpa, unsigned int size, u64 val)
{
	unsigned int k;

	for (k = 0; k < size; k++)
		m->bytes[gpa + k] = val >> (8 * k);
}

#define P	0x1ULL
#define RW	0x2ULL
#define US	0x4ULL
#define PS	0x80ULL
#define XD	BIT_ULL(63)

#define CR0_PE	NVMX_GW_CR0_PE
#define CR0_WP	NVMX_GW_CR0_WP
#define CR0_PG	NVMX_GW_CR0_PG

#define PF_P	NVMX_PFERR_PRESENT
#define PF_W	NVMX_PFERR_WRITE
#define PF_U	NVMX_PFERR_USER
#define PF_R	NVMX_PFERR_RSVD
#define PF_I	NVMX_PFERR_FETCH

struct env {
	struct fake_mem mem;
	struct nvmx_gwalk_regs regs;
	struct nvmx_gwalk_result res;
};

FIXTURE(gw) {
	struct env env;
};

FIXTURE_SETUP(gw)
{
	memset(&self->env, 0, sizeof(self->env));
	self->env.regs.maxphyaddr = 36;
}

FIXTURE_TEARDOWN(gw)
{
	EXPECT_FALSE(self->env.mem.misaligned);
}

static int walk(struct env *e, u64 gla, u32 access)
{
	memset(&e->res, 0xa5, sizeof(e->res));
	return nvmx_gwalk(&e->regs, fake_read, &e->mem, gla, access, &e->res);
}

/* Expect a translation. */
#define XLATE(_gla, _access, _gpa, _size) do { \
	ASSERT_EQ(0, walk(e, _gla, _access)); \
	EXPECT_EQ((u64)(_gpa), e->res.gpa); \
	EXPECT_EQ((u64)(_size), e->res.page_size); \
} while (0)

/* Expect a page fault with this error code. */
#define FAULT(_gla, _access, _ec) do { \
	ASSERT_EQ(NVMX_GWALK_FAULT, walk(e, _gla, _access)); \
	EXPECT_EQ((u32)(_ec), e->res.error_code); \
} while (0)

#define R	0
#define W	NVMX_GWALK_WRITE
#define X	NVMX_GWALK_FETCH
#define U	NVMX_GWALK_USER
#define AC	NVMX_GWALK_AC

TEST_F(gw, paging_off_is_identity)
{
	struct env *e = &self->env;

	e->regs.cr0 = 0;
	XLATE(0x12345678, R, 0x12345678, 1ULL << 32);
	XLATE(0xffff0, X, 0xffff0, 1ULL << 32);
	/* Linear addresses are 32 bits. */
	XLATE(0x100001000ULL, W | U, 0x1000, 1ULL << 32);
	e->regs.cr0 = CR0_PE;
	XLATE(0xfffffff0, X, 0xfffffff0, 1ULL << 32);
	EXPECT_EQ(0, e->mem.reads);
}

/*
 * 32-bit paging: CR3 0x1000, PDE 1 -> page table 0x2000, PTE 2 -> 0x345000;
 * PDE 3 a 4M page at 0xc00000.
 */
static void build_32bit(struct env *e)
{
	e->regs.cr0 = CR0_PE | CR0_PG | CR0_WP;
	e->regs.cr3 = 0x1000 | 0x18;		/* PWT and PCD are not address */
	put(&e->mem, 0x1000 + 1 * 4, 4, 0x2000 | P | RW | US);
	put(&e->mem, 0x2000 + 2 * 4, 4, 0x345000 | P | RW | US);
	put(&e->mem, 0x2000 + 3 * 4, 4, 0x346000 | P | US);	/* read-only */
	put(&e->mem, 0x2000 + 4 * 4, 4, 0x347000 | P | RW);	/* supervisor */
	put(&e->mem, 0x2000 + 5 * 4, 4, 0x348000 | RW | US);	/* not present */
	put(&e->mem, 0x1000 + 3 * 4, 4, 0x00c00000 | PS | P | RW);
}

#define G32(pde, pte, off)	(((u64)(pde) << 22) | ((pte) << 12) | (off))

TEST_F(gw, paging_32bit_4k)
{
	struct env *e = &self->env;

	build_32bit(e);
	XLATE(G32(1, 2, 0x123), R, 0x345123, 4096);
	EXPECT_EQ(2, e->mem.reads);
	XLATE(G32(1, 2, 0xfff), W | U, 0x345fff, 4096);
	XLATE(G32(1, 2, 0), X | U, 0x345000, 4096);
	/* The top 32 bits of gla are not looked at. */
	XLATE(0xabcd00000000ULL | G32(1, 2, 0x10), R, 0x345010, 4096);
	/* Not present: PDE, then PTE. */
	FAULT(G32(0, 0, 0), R, 0);
	FAULT(G32(2, 0, 0), W | U, PF_W | PF_U);
	FAULT(G32(1, 5, 0), X, 0);
	FAULT(G32(1, 6, 0), R | U, PF_U);
}

TEST_F(gw, paging_32bit_rights)
{
	struct env *e = &self->env;

	build_32bit(e);
	/* Read-only page: user writes fault; supervisor ones with CR0.WP. */
	XLATE(G32(1, 3, 0), R | U, 0x346000, 4096);
	FAULT(G32(1, 3, 0), W | U, PF_P | PF_W | PF_U);
	FAULT(G32(1, 3, 0), W, PF_P | PF_W);
	e->regs.cr0 &= ~CR0_WP;
	XLATE(G32(1, 3, 4), W, 0x346004, 4096);
	FAULT(G32(1, 3, 0), W | U, PF_P | PF_W | PF_U);
	/* Supervisor page: no user access of any kind. */
	XLATE(G32(1, 4, 0), W, 0x347000, 4096);
	FAULT(G32(1, 4, 0), R | U, PF_P | PF_U);
	FAULT(G32(1, 4, 0), X | U, PF_P | PF_U);
	/* The 4M PDE without CR4.PSE: PS is ignored, 0xc00000 is a table. */
	EXPECT_EQ(-EFAULT, walk(e, G32(3, 0, 0), R));
	/* A supervisor PDE over a user PTE makes a supervisor page. */
	put(&e->mem, 0x1000 + 1 * 4, 4, 0x2000 | P | RW);
	FAULT(G32(1, 2, 0), R | U, PF_P | PF_U);
	/* A read-only PDE over a writable PTE makes a read-only page. */
	put(&e->mem, 0x1000 + 1 * 4, 4, 0x2000 | P | US);
	FAULT(G32(1, 2, 0), W | U, PF_P | PF_W | PF_U);
}

TEST_F(gw, paging_32bit_smep_smap)
{
	struct env *e = &self->env;

	build_32bit(e);
	/* Supervisor fetch from a user page: SMEP, and I/D with it. */
	XLATE(G32(1, 2, 0), X, 0x345000, 4096);
	FAULT(G32(1, 5, 0), X, 0);
	e->regs.cr4 = NVMX_GW_CR4_SMEP;
	FAULT(G32(1, 2, 0), X, PF_P | PF_I);
	FAULT(G32(1, 5, 0), X, PF_I);
	XLATE(G32(1, 2, 0), X | U, 0x345000, 4096);
	XLATE(G32(1, 4, 0), X, 0x347000, 4096);
	XLATE(G32(1, 2, 0), R, 0x345000, 4096);
	/* Supervisor data access to a user page: SMAP, unless RFLAGS.AC. */
	e->regs.cr4 = NVMX_GW_CR4_SMAP;
	FAULT(G32(1, 2, 0), R, PF_P);
	FAULT(G32(1, 2, 0), W, PF_P | PF_W);
	XLATE(G32(1, 2, 0), R | AC, 0x345000, 4096);
	XLATE(G32(1, 2, 0), W | AC, 0x345000, 4096);
	XLATE(G32(1, 2, 0), R | U, 0x345000, 4096);
	XLATE(G32(1, 4, 0), R, 0x347000, 4096);
	XLATE(G32(1, 2, 0), X, 0x345000, 4096);
	/* With AC, a read-only user page still obeys CR0.WP. */
	FAULT(G32(1, 3, 0), W | AC, PF_P | PF_W);
}

TEST_F(gw, paging_32bit_4m)
{
	struct env *e = &self->env;

	build_32bit(e);
	e->regs.cr4 = NVMX_GW_CR4_PSE;
	XLATE(G32(3, 0x12, 0x345), R, 0xc12345, 4 << 20);
	EXPECT_EQ(1, e->mem.reads);
	FAULT(G32(3, 0, 0), R | U, PF_P | PF_U);
	/* PAT (bit 12) is not address. */
	put(&e->mem, 0x1000 + 3 * 4, 4, 0x00c00000 | 0x1000 | PS | P | RW);
	XLATE(G32(3, 0, 0x10), R, 0xc00010, 4 << 20);
	/* PSE-36: bits 20:13 are physical address bits 39:32. */
	put(&e->mem, 0x1000 + 3 * 4, 4, 0x00c00000 | (0x5 << 13) | PS | P | RW);
	XLATE(G32(3, 0, 0x10), R, 0x500c00010ULL, 4 << 20);
	/* Above MAXPHYADDR: reserved. */
	put(&e->mem, 0x1000 + 3 * 4, 4, 0x00c00000 | (0x10 << 13) | PS | P | RW);
	FAULT(G32(3, 0, 0), W, PF_P | PF_R | PF_W);
	e->regs.maxphyaddr = 40;
	XLATE(G32(3, 0, 0), R, 0x1000c00000ULL, 4 << 20);
	e->regs.maxphyaddr = 32;
	FAULT(G32(3, 0, 0), X, PF_P | PF_R);
	put(&e->mem, 0x1000 + 3 * 4, 4, 0x00c00000 | (0x1 << 13) | PS | P | RW);
	FAULT(G32(3, 0, 0), R | U, PF_P | PF_R | PF_U);
	/* Bit 21 is reserved whatever MAXPHYADDR. */
	e->regs.maxphyaddr = 52;
	put(&e->mem, 0x1000 + 3 * 4, 4, 0x00c00000 | (1 << 21) | PS | P | RW);
	FAULT(G32(3, 0, 0), R, PF_P | PF_R);
	put(&e->mem, 0x1000 + 3 * 4, 4, 0x00c00000 | (0xff << 13) | PS | P | RW);
	XLATE(G32(3, 0, 0), R, 0xff00c00000ULL, 4 << 20);
	/* Not present with PS: not present. */
	put(&e->mem, 0x1000 + 3 * 4, 4, 0x00c00000 | (1 << 21) | PS);
	FAULT(G32(3, 0, 0), R, 0);
}

/*
 * PAE paging: CR3 0x1020 (32-byte aligned PDPT), PDPTE 1 -> PD 0x2000,
 * PDE 3 -> PT 0x3000, PTE 4 -> 0x123456000; PDE 5 a 2M page at 0x40000000.
 */
#define GPAE(pdpte, pde, pte, off) \
	(((u64)(pdpte) << 30) | ((u64)(pde) << 21) | ((u64)(pte) << 12) | (off))

static void build_pae(struct env *e)
{
	e->regs.cr0 = CR0_PE | CR0_PG | CR0_WP;
	e->regs.cr4 = NVMX_GW_CR4_PAE;
	e->regs.cr3 = 0x1020;
	put(&e->mem, 0x1020 + 1 * 8, 8, 0x2000 | P);
	put(&e->mem, 0x2000 + 3 * 8, 8, 0x3000 | P | RW | US);
	put(&e->mem, 0x3000 + 4 * 8, 8, 0x123456000ULL | P | RW | US);
	put(&e->mem, 0x3000 + 5 * 8, 8, 0x123457000ULL | P | RW | US | XD);
	put(&e->mem, 0x2000 + 5 * 8, 8, 0x40000000 | PS | P | RW);
}

TEST_F(gw, paging_pae)
{
	struct env *e = &self->env;

	build_pae(e);
	XLATE(GPAE(1, 3, 4, 0x789), R, 0x123456789ULL, 4096);
	EXPECT_EQ(3, e->mem.reads);
	XLATE(GPAE(1, 3, 4, 0), W | U, 0x123456000ULL, 4096);
	XLATE(GPAE(1, 5, 0x12, 0x345), W, 0x40012345, 2 << 20);
	FAULT(GPAE(1, 5, 0, 0), R | U, PF_P | PF_U);
	/* Not present at each level. */
	FAULT(GPAE(0, 3, 4, 0), R, 0);
	FAULT(GPAE(1, 0, 4, 0), W, PF_W);
	FAULT(GPAE(1, 3, 0, 0), R | U, PF_U);
	/* Without NXE, XD is reserved, and fetches have no I/D. */
	FAULT(GPAE(1, 3, 5, 0), R, PF_P | PF_R);
	FAULT(GPAE(1, 3, 0, 0), X, 0);
	e->regs.efer = NVMX_GW_EFER_NXE;
	XLATE(GPAE(1, 3, 5, 0), R, 0x123457000ULL, 4096);
	FAULT(GPAE(1, 3, 5, 0), X, PF_P | PF_I);
	FAULT(GPAE(1, 3, 5, 0), X | U, PF_P | PF_I | PF_U);
	FAULT(GPAE(1, 3, 0, 0), X, PF_I);
	XLATE(GPAE(1, 3, 4, 0), X, 0x123456000ULL, 4096);
	/* XD in the PDE covers the page. */
	put(&e->mem, 0x2000 + 3 * 8, 8, 0x3000 | P | RW | US | XD);
	FAULT(GPAE(1, 3, 4, 0), X, PF_P | PF_I);
}

TEST_F(gw, paging_pae_reserved)
{
	struct env *e = &self->env;

	build_pae(e);
	/* Address bits at and above MAXPHYADDR, up to 62. */
	put(&e->mem, 0x3000 + 4 * 8, 8, (1ULL << 40) | 0x1000 | P | RW);
	FAULT(GPAE(1, 3, 4, 0), R, PF_P | PF_R);
	e->regs.maxphyaddr = 41;
	XLATE(GPAE(1, 3, 4, 0), R, (1ULL << 40) | 0x1000, 4096);
	put(&e->mem, 0x3000 + 4 * 8, 8, (1ULL << 62) | 0x1000 | P | RW);
	e->regs.maxphyaddr = 52;
	FAULT(GPAE(1, 3, 4, 0), W | U, PF_P | PF_R | PF_W | PF_U);
	/* 2M pages: bits 20:13 reserved, 12 is PAT. */
	put(&e->mem, 0x2000 + 5 * 8, 8, 0x40000000 | 0x1000 | PS | P | RW);
	XLATE(GPAE(1, 5, 0, 0x10), R, 0x40000010, 2 << 20);
	put(&e->mem, 0x2000 + 5 * 8, 8, 0x40000000 | 0x2000 | PS | P | RW);
	FAULT(GPAE(1, 5, 0, 0), R, PF_P | PF_R);
	put(&e->mem, 0x2000 + 5 * 8, 8, 0x40000000 | 0x100000 | PS | P | RW);
	FAULT(GPAE(1, 5, 0, 0), R, PF_P | PF_R);
	/* In a PDE without PS, those bits are address. */
	put(&e->mem, 0x2000 + 3 * 8, 8, 0x6000 | P | RW | US);
	put(&e->mem, 0x6000 + 4 * 8, 8, 0x777000 | P);
	XLATE(GPAE(1, 3, 4, 0x10), R, 0x777010, 4096);
	put(&e->mem, 0x2000 + 5 * 8, 8, 0x40000000 | PS | P | RW);
	/* PDPTE reserved bits: 2:1, 8:5, 63:MAXPHYADDR. */
	put(&e->mem, 0x1020 + 1 * 8, 8, 0x2000 | P | RW);
	FAULT(GPAE(1, 3, 4, 0), R, PF_P | PF_R);
	put(&e->mem, 0x1020 + 1 * 8, 8, 0x2000 | P | PS);
	FAULT(GPAE(1, 3, 4, 0), R, PF_P | PF_R);
	put(&e->mem, 0x1020 + 1 * 8, 8, 0x2000 | P | XD);
	e->regs.efer = NVMX_GW_EFER_NXE;
	FAULT(GPAE(1, 3, 4, 0), X, PF_P | PF_R | PF_I);
	/* PDPTE bits 11:9 are ignored. */
	put(&e->mem, 0x1020 + 1 * 8, 8, 0x2000 | P | 0xe00);
	e->regs.maxphyaddr = 36;
	XLATE(GPAE(1, 5, 0, 0), R, 0x40000000, 2 << 20);
}

TEST_F(gw, paging_pae_cached_pdptes)
{
	struct env *e = &self->env;
	u64 pdptes[4] = { 0, 0x2000 | P, 0, 0x2000 | P };

	build_pae(e);
	e->regs.pdptes = pdptes;
	/* The PDPTEs in memory do not count. */
	put(&e->mem, 0x1020 + 1 * 8, 8, 0);
	XLATE(GPAE(1, 3, 4, 0x10), R, 0x123456010ULL, 4096);
	EXPECT_EQ(2, e->mem.reads);
	XLATE(GPAE(3, 3, 4, 0x10), R, 0x123456010ULL, 4096);
	FAULT(GPAE(2, 3, 4, 0), R, 0);
	pdptes[0] = 0x2000 | P | RW;
	FAULT(GPAE(0, 3, 4, 0), R, PF_P | PF_R);
}

/*
 * 4-level paging: CR3 0x1000, PML4E 256 -> 0x2000 (PDPT), PDPTE 1 -> 0x3000
 * (PD), PDE 2 -> 0x4000 (PT), PTE 3 -> 0xabcdef000; PDPTE 4 a 1G page at
 * 0x80000000, PDE 5 a 2M page at 0x600000.
 */
static u64 G4(u64 pml4, u64 pdpte, u64 pde, u64 pte, u64 off)
{
	/* Canonical: bits 63:48 copy bit 47, the top bit of the PML4 index. */
	return (pml4 & 256 ? 0xffff000000000000ULL : 0) | pml4 << 39 |
	       pdpte << 30 | pde << 21 | pte << 12 | off;
}

static void build_4level(struct env *e)
{
	e->regs.cr0 = CR0_PE | CR0_PG | CR0_WP;
	e->regs.cr4 = NVMX_GW_CR4_PAE;
	e->regs.efer = NVMX_GW_EFER_LMA | NVMX_GW_EFER_NXE;
	e->regs.cr3 = 0x1000 | 0x5;		/* PCID bits are not address */
	e->regs.maxphyaddr = 40;
	put(&e->mem, 0x1000 + 256 * 8, 8, 0x2000 | P | RW | US);
	put(&e->mem, 0x2000 + 1 * 8, 8, 0x3000 | P | RW | US);
	put(&e->mem, 0x3000 + 2 * 8, 8, 0x4000 | P | RW | US);
	put(&e->mem, 0x4000 + 3 * 8, 8, 0xabcdef000ULL | P | RW | US);
	put(&e->mem, 0x4000 + 6 * 8, 8, 0xabcdf0000ULL | P | US);
	put(&e->mem, 0x2000 + 4 * 8, 8, 0x80000000 | PS | P | RW);
	put(&e->mem, 0x3000 + 5 * 8, 8, 0x600000 | PS | P | RW | US | XD);
}

TEST_F(gw, paging_4level)
{
	struct env *e = &self->env;

	build_4level(e);
	XLATE(G4(256, 1, 2, 3, 0xabc), R, 0xabcdefabcULL, 4096);
	EXPECT_EQ(4, e->mem.reads);
	XLATE(G4(256, 1, 2, 3, 0), W | U, 0xabcdef000ULL, 4096);
	XLATE(G4(256, 1, 2, 3, 0), X | U, 0xabcdef000ULL, 4096);
	XLATE(G4(256, 4, 0x123, 0x45, 0x678), W, 0x80000000ULL + 0x24645678, 1 << 30);
	XLATE(G4(256, 1, 5, 0x1f, 0x123), R | U, 0x61f123, 2 << 20);
	/* Not present at each level. */
	FAULT(G4(0, 1, 2, 3, 0), R, 0);
	FAULT(G4(256, 0, 2, 3, 0), W, PF_W);
	FAULT(G4(256, 1, 0, 3, 0), R | U, PF_U);
	FAULT(G4(256, 1, 2, 0, 0), X, PF_I);
	/* Rights. */
	FAULT(G4(256, 4, 0, 0, 0), R | U, PF_P | PF_U);
	FAULT(G4(256, 1, 2, 6, 0), W | U, PF_P | PF_W | PF_U);
	FAULT(G4(256, 1, 2, 6, 0), W, PF_P | PF_W);
	e->regs.cr0 &= ~CR0_WP;
	XLATE(G4(256, 1, 2, 6, 0), W, 0xabcdf0000ULL, 4096);
	FAULT(G4(256, 1, 5, 0, 0), X | U, PF_P | PF_U | PF_I);
	XLATE(G4(256, 1, 5, 0, 0), R, 0x600000, 2 << 20);
	/* SMEP and SMAP. */
	e->regs.cr4 |= NVMX_GW_CR4_SMEP;
	FAULT(G4(256, 1, 2, 3, 0), X, PF_P | PF_I);
	XLATE(G4(256, 4, 0, 0, 0), X, 0x80000000, 1 << 30);
	e->regs.cr4 |= NVMX_GW_CR4_SMAP;
	FAULT(G4(256, 1, 2, 3, 0), R, PF_P);
	XLATE(G4(256, 1, 2, 3, 0), W | AC, 0xabcdef000ULL, 4096);
	/* XD in the PML4E covers everything below. */
	put(&e->mem, 0x1000 + 256 * 8, 8, 0x2000 | P | RW | US | XD);
	FAULT(G4(256, 1, 2, 3, 0), X | U, PF_P | PF_U | PF_I);
	XLATE(G4(256, 1, 2, 3, 0), R | U, 0xabcdef000ULL, 4096);
	/* Lower half. */
	put(&e->mem, 0x1000 + 0x7 * 8, 8, 0x2000 | P | RW);
	XLATE(G4(7, 4, 1, 2, 3), R, 0x80000000 + (1 << 21) + (2 << 12) + 3, 1 << 30);
	FAULT(0x00007fffffffffffULL, R, 0);
}

TEST_F(gw, paging_4level_reserved)
{
	struct env *e = &self->env;

	build_4level(e);
	/* PS in a PML4E. */
	put(&e->mem, 0x1000 + 256 * 8, 8, 0x2000 | PS | P | RW | US);
	FAULT(G4(256, 1, 2, 3, 0), R, PF_P | PF_R);
	put(&e->mem, 0x1000 + 256 * 8, 8, 0x2000 | P | RW | US);
	/* 1G page: bits 29:13 reserved, 12 is PAT. */
	put(&e->mem, 0x2000 + 4 * 8, 8, 0x80000000 | 0x1000 | PS | P | RW);
	XLATE(G4(256, 4, 0, 0, 0x10), R, 0x80000010, 1 << 30);
	put(&e->mem, 0x2000 + 4 * 8, 8, 0x80000000 | 0x2000 | PS | P | RW);
	FAULT(G4(256, 4, 0, 0, 0), R, PF_P | PF_R);
	put(&e->mem, 0x2000 + 4 * 8, 8, 0x80000000 | (1 << 29) | PS | P | RW);
	FAULT(G4(256, 4, 0, 0, 0), W | U, PF_P | PF_R | PF_W | PF_U);
	/* 2M page: bits 20:13. */
	put(&e->mem, 0x3000 + 5 * 8, 8, 0x600000 | (1 << 20) | PS | P | RW | US);
	FAULT(G4(256, 1, 5, 0, 0), X, PF_P | PF_R | PF_I);
	/* Bits 51:MAXPHYADDR are reserved; 62:52 are ignored. */
	put(&e->mem, 0x4000 + 3 * 8, 8, 0xabcdef000ULL | (1ULL << 40) | P | RW | US);
	FAULT(G4(256, 1, 2, 3, 0), R, PF_P | PF_R);
	put(&e->mem, 0x4000 + 3 * 8, 8, 0xabcdef000ULL | (1ULL << 51) | P | RW | US);
	e->regs.maxphyaddr = 52;
	XLATE(G4(256, 1, 2, 3, 0), R, 0xabcdef000ULL | (1ULL << 51), 4096);
	put(&e->mem, 0x4000 + 3 * 8, 8, 0xabcdef000ULL | (0x7ffULL << 52) | P | RW | US);
	XLATE(G4(256, 1, 2, 3, 0), R, 0xabcdef000ULL, 4096);
	/* XD without NXE, at any level. */
	e->regs.efer &= ~NVMX_GW_EFER_NXE;
	XLATE(G4(256, 1, 2, 3, 0), X, 0xabcdef000ULL, 4096);
	put(&e->mem, 0x3000 + 5 * 8, 8, 0x600000 | PS | P | RW | US | XD);
	FAULT(G4(256, 1, 5, 0, 0), R, PF_P | PF_R);
	/* ...and then no I/D bit. */
	FAULT(G4(256, 1, 2, 0, 0), X, 0);
	/* A reserved bit above a not-present entry: not present. */
	put(&e->mem, 0x3000 + 2 * 8, 8, 0x4000 | RW | US | XD);
	FAULT(G4(256, 1, 2, 3, 0), R, 0);
}

TEST_F(gw, paging_4level_refused)
{
	struct env *e = &self->env;

	build_4level(e);
	/* Non-canonical: #GP, not #PF. */
	EXPECT_EQ(-EINVAL, walk(e, 0x0000800000000000ULL, R));
	EXPECT_EQ(-EINVAL, walk(e, 0xfff0800000000000ULL, R));
	EXPECT_EQ(-EINVAL, walk(e, 0x7fff800000000000ULL, R));
	EXPECT_EQ(0, e->mem.reads);
	/* 5-level paging. */
	e->regs.cr4 |= NVMX_GW_CR4_LA57;
	EXPECT_EQ(-EOPNOTSUPP, walk(e, G4(256, 1, 2, 3, 0), R));
	/* LA57 outside IA-32e mode means nothing. */
	e->regs.efer = 0;
	EXPECT_EQ(NVMX_GWALK_FAULT, walk(e, 0, R));
	/* IA-32e mode needs paging and PAE. */
	e->regs.cr4 = 0;
	e->regs.efer = NVMX_GW_EFER_LMA;
	EXPECT_EQ(-EINVAL, walk(e, 0, R));
	e->regs.cr4 = NVMX_GW_CR4_PAE;
	e->regs.cr0 = CR0_PE;
	EXPECT_EQ(-EINVAL, walk(e, 0, R));
}

TEST_F(gw, bad_arguments)
{
	struct env *e = &self->env;

	build_4level(e);
	XLATE(G4(256, 1, 2, 3, 0), R, 0xabcdef000ULL, 4096);
	e->regs.maxphyaddr = 31;
	EXPECT_EQ(-EINVAL, walk(e, G4(256, 1, 2, 3, 0), R));
	e->regs.maxphyaddr = 53;
	EXPECT_EQ(-EINVAL, walk(e, G4(256, 1, 2, 3, 0), R));
	e->regs.maxphyaddr = 52;
	EXPECT_EQ(-EINVAL, walk(e, G4(256, 1, 2, 3, 0), W | X));
	/* Paging without protection. */
	e->regs.efer = 0;
	e->regs.cr0 = CR0_PG;
	EXPECT_EQ(-EINVAL, walk(e, 0, R));
	e->regs.cr4 = 0;
	EXPECT_EQ(-EINVAL, walk(e, 0, R));
	e->regs.cr0 = 0;
	XLATE(0x1234, R, 0x1234, 1ULL << 32);
}

TEST_F(gw, read_errors_pass_through)
{
	struct env *e = &self->env;
	unsigned int n;

	build_4level(e);
	for (n = 1; n <= 4; n++) {
		e->mem.reads = 0;
		e->mem.fail_at = n;
		EXPECT_EQ(-EIO, walk(e, G4(256, 1, 2, 3, 0), R)) TH_LOG("read %u", n);
		EXPECT_EQ(n, e->mem.reads);
	}
	e->mem.fail_at = 0;
	/* A table outside guest memory. */
	e->regs.cr3 = 0x100000;
	EXPECT_EQ(-EFAULT, walk(e, G4(256, 1, 2, 3, 0), R));

	memset(e->mem.bytes, 0, sizeof(e->mem.bytes));
	e->regs.efer = 0;
	build_pae(e);
	for (n = 1; n <= 3; n++) {
		e->mem.reads = 0;
		e->mem.fail_at = n;
		EXPECT_EQ(-EIO, walk(e, GPAE(1, 3, 4, 0), R)) TH_LOG("read %u", n);
	}
	memset(e->mem.bytes, 0, sizeof(e->mem.bytes));
	build_32bit(e);
	e->regs.cr4 = 0;
	for (n = 1; n <= 2; n++) {
		e->mem.reads = 0;
		e->mem.fail_at = n;
		EXPECT_EQ(-EIO, walk(e, G32(1, 2, 0), R)) TH_LOG("read %u", n);
	}
}

TEST_HARNESS_MAIN
