/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VMCS shadowing for L1, the pure part: which vmcs12 rows L1 reaches
 * through the shadow VMCS (the field table's shadow column, within what
 * the host's VMCS holds), the VMREAD and VMWRITE bitmaps that say so to
 * the CPU, and the bookkeeping of the lazy sync between the shadow VMCS
 * and vmcs12. Pure logic (see pure.h); shadow_vmcs.c is the kernel side.
 */
#ifndef NVMX_SHADOW_H
#define NVMX_SHADOW_H

#include "pure.h"
#include "nested/vmcs12.h"

/* A VMREAD or VMWRITE bitmap: one bit per encoding bits 14:0; 1 = exit. */
#define NVMX_SHADOW_BITMAP_SIZE	4096U
#define NVMX_SHADOW_WORDS	((NVMX_V12_NR + 63) / 64)

/* Sets of vmcs12 rows, bit i for row i. */
struct nvmx_shadow_rows {
	/* VMREAD runs in L1 without an exit (SH_R and SH_RW rows). */
	u64 read[NVMX_SHADOW_WORDS];
	/* VMWRITE too (SH_RW rows); a subset of read. */
	u64 write[NVMX_SHADOW_WORDS];
	/* The same sets as lists in table order: what a sync walks. */
	u16 nr_read, nr_write;
	u16 read_list[NVMX_V12_NR];
	u16 write_list[NVMX_V12_NR];
};

static inline bool nvmx_shadow_test(const u64 *set, unsigned int row)
{
	return set[row / 64] & BIT_ULL(row % 64);
}

static inline void nvmx_shadow_set(u64 *set, unsigned int row)
{
	set[row / 64] |= BIT_ULL(row % 64);
}

void nvmx_shadow_rows_init(struct nvmx_shadow_rows *rows, const u64 *host);
void nvmx_shadow_bitmaps(const struct nvmx_shadow_rows *rows, u8 *vmread,
			 u8 *vmwrite);
bool nvmx_shadow_bitmap_exits(const u8 *bitmap, u64 encoding);
unsigned int nvmx_shadow_changed(const struct nvmx_shadow_rows *rows,
				 const struct nvmx_vmcs12 *v12,
				 const struct nvmx_vmcs12 *snap, u16 *out);
bool nvmx_shadow_take(struct nvmx_vmcs12 *v12, struct nvmx_vmcs12 *snap,
		      unsigned int row, u64 val);

#endif /* NVMX_SHADOW_H */
