// SPDX-License-Identifier: GPL-2.0
/*
 * VMCS shadowing for L1, the pure part (see shadow.h). Pure logic (see
 * pure.h): selftests/unit builds this file as it is.
 *
 * The shadow VMCS holds a copy of the shadowed rows of the current vmcs12;
 * a snapshot (a struct nvmx_vmcs12 of which only those rows count) says
 * what the copy holds. L1 changes the SH_RW rows of the copy, L0 changes
 * vmcs12: a sync compares against the snapshot and moves only the rows
 * that differ.
 */
#include "nested/shadow.h"

/* Encoding bits 14:0 index the bitmaps; bit 0 is the "high" access. */
#define NVMX_SHADOW_ENC_MASK	0x7fffULL

/*
 * The rows L1 reaches through the shadow VMCS: the table's shadow column,
 * for the rows whose field the host's VMCS holds (@host, bit per row, as
 * probed). A row the host lacks exits to emulation whatever its column
 * says: VMREAD of it would fail in the CPU.
 */
void nvmx_shadow_rows_init(struct nvmx_shadow_rows *rows, const u64 *host)
{
	unsigned int i;

	*rows = (struct nvmx_shadow_rows){ 0 };
	for (i = 0; i < NVMX_V12_NR; i++) {
		u8 sh = nvmx_vmcs12_rows[i].shadow;

		if (sh == NVMX_V12_SH_NO || !nvmx_shadow_test(host, i))
			continue;
		nvmx_shadow_set(rows->read, i);
		rows->read_list[rows->nr_read++] = i;
		if (sh != NVMX_V12_SH_RW)
			continue;
		nvmx_shadow_set(rows->write, i);
		rows->write_list[rows->nr_write++] = i;
	}
}

static void nvmx_shadow_bit_clear(u8 *bitmap, u64 encoding)
{
	encoding &= NVMX_SHADOW_ENC_MASK;
	bitmap[encoding / 8] &= ~(1U << (encoding % 8));
}

/*
 * The VMREAD and VMWRITE bitmaps (NVMX_SHADOW_BITMAP_SIZE bytes each):
 * every encoding exits but the shadowed rows', and for a 64-bit row its
 * high access (encoding | 1), which the CPU serves from the same field.
 */
void nvmx_shadow_bitmaps(const struct nvmx_shadow_rows *rows, u8 *vmread,
			 u8 *vmwrite)
{
	unsigned int i;

	for (i = 0; i < NVMX_SHADOW_BITMAP_SIZE; i++) {
		vmread[i] = 0xff;
		vmwrite[i] = 0xff;
	}
	for (i = 0; i < NVMX_V12_NR; i++) {
		const struct nvmx_vmcs12_row *row = &nvmx_vmcs12_rows[i];
		bool w64 = row->width == NVMX_V12_W64;

		if (nvmx_shadow_test(rows->read, i)) {
			nvmx_shadow_bit_clear(vmread, row->encoding);
			if (w64)
				nvmx_shadow_bit_clear(vmread, row->encoding | 1);
		}
		if (nvmx_shadow_test(rows->write, i)) {
			nvmx_shadow_bit_clear(vmwrite, row->encoding);
			if (w64)
				nvmx_shadow_bit_clear(vmwrite, row->encoding | 1);
		}
	}
}

/*
 * Whether L1's VMREAD or VMWRITE of @encoding (the register operand, all
 * 64 bits) exits with VMCS shadowing on, as the SDM has the CPU decide:
 * bits 63:15 not all zero, or the encoding's bit set in @bitmap.
 */
bool nvmx_shadow_bitmap_exits(const u8 *bitmap, u64 encoding)
{
	if (encoding & ~NVMX_SHADOW_ENC_MASK)
		return true;
	return bitmap[encoding / 8] & (1U << (encoding % 8));
}

/*
 * The shadowed rows whose vmcs12 value differs from the snapshot's: what
 * L0 wrote into vmcs12 since the shadow VMCS was last synced. Written to
 * @out (room for NVMX_V12_NR); returns how many.
 */
unsigned int nvmx_shadow_changed(const struct nvmx_shadow_rows *rows,
				 const struct nvmx_vmcs12 *v12,
				 const struct nvmx_vmcs12 *snap, u16 *out)
{
	unsigned int i, n = 0;

	for (i = 0; i < rows->nr_read; i++) {
		unsigned int row = rows->read_list[i];

		if (nvmx_vmcs12_get(v12, row) != nvmx_vmcs12_get(snap, row))
			out[n++] = row;
	}
	return n;
}

/*
 * @val, read from the shadow VMCS for row @row (an SH_RW row): when L1
 * changed it since the last sync, vmcs12 and the snapshot take it and the
 * return is true (the caller marks the row dirty for the vmcs02 builder).
 */
bool nvmx_shadow_take(struct nvmx_vmcs12 *v12, struct nvmx_vmcs12 *snap,
		      unsigned int row, u64 val)
{
	if (val == nvmx_vmcs12_get(snap, row))
		return false;
	nvmx_vmcs12_set(v12, row, val);
	nvmx_vmcs12_set(snap, row, val);
	return true;
}
