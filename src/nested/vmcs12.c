// SPDX-License-Identifier: GPL-2.0
/*
 * vmcs12 field access: the row table, encoding lookup, and VMREAD/VMWRITE
 * as the SDM defines them for L1. Pure logic (see pure.h): selftests/unit
 * builds this file as it is.
 */
#include "nested/vmcs12.h"

/*
 * A field encoding (SDM "Field Encoding in VMCS"): bit 0 access type
 * (1 = high half of a 64-bit field), 9:1 index, 11:10 type (1 = VM-exit
 * information), 14:13 width; bits 12 and 31:15 are reserved and must be 0.
 */
#define NVMX_ENC_HIGH		0x1ULL
#define NVMX_ENC_RESERVED	(~0x6fffULL)
#define NVMX_ENC_INDEX(e)	(((e) >> 1) & 0x1ff)
#define NVMX_ENC_TYPE(e)	(((e) >> 10) & 0x3)
#define NVMX_ENC_WIDTH(e)	(((e) >> 13) & 0x3)
#define NVMX_ENC_TYPE_EXIT	1

/* Encoding width code for each enum nvmx_v12_width. */
#define NVMX_ENCW_W16		0
#define NVMX_ENCW_W64		1
#define NVMX_ENCW_W32		2
#define NVMX_ENCW_WNAT		3

#define NVMX_SIZE_W16		2
#define NVMX_SIZE_W32		4
#define NVMX_SIZE_W64		8
#define NVMX_SIZE_WNAT		8

/* Lookup below is [width][type][index]: indices must stay below this. */
#define NVMX_V12_MAX_INDEX	64

const struct nvmx_vmcs12_row nvmx_vmcs12_rows[NVMX_V12_NR] = {
#define NVMX_VMCS12_FIELD(name, enc, width, off, acc, cls, freq, sh)	\
	[NVMX_V12_##name] = { #name, enc, off, NVMX_V12_##width,	\
			      NVMX_V12_##acc, NVMX_V12_##cls, NVMX_V12_##freq, \
			      NVMX_V12_##sh },
#include "vmcs12_fields.h"
#undef NVMX_VMCS12_FIELD
};

/*
 * The table pins the layout and agrees with the encodings: a moved offset,
 * a width that is not the encoding's, an RO row that is not VM-exit
 * information (or the reverse), a "high" encoding, or an RO row that L1
 * could VMWRITE through the shadow VMCS (SH_RW) breaks the build.
 */
#define NVMX_VMCS12_FIELD(name, enc, width, off, acc, cls, freq, sh)		\
	_Static_assert(offsetof(struct nvmx_vmcs12, name) == (off),		\
		       #name " offset");					\
	_Static_assert(sizeof(((struct nvmx_vmcs12 *)0)->name) ==		\
		       NVMX_SIZE_##width, #name " size");			\
	_Static_assert(NVMX_ENC_WIDTH(enc) == NVMX_ENCW_##width,		\
		       #name " width");						\
	_Static_assert((NVMX_ENC_TYPE(enc) == NVMX_ENC_TYPE_EXIT) ==		\
		       (NVMX_V12_##acc == NVMX_V12_RO), #name " access");	\
	_Static_assert(!((enc) & (NVMX_ENC_RESERVED | NVMX_ENC_HIGH)),		\
		       #name " encoding");					\
	_Static_assert(NVMX_ENC_INDEX(enc) < NVMX_V12_MAX_INDEX, #name " index"); \
	_Static_assert(NVMX_V12_##sh != NVMX_V12_SH_RW ||			\
		       NVMX_V12_##acc == NVMX_V12_RW, #name " shadow");
#include "vmcs12_fields.h"
#undef NVMX_VMCS12_FIELD

_Static_assert(sizeof(struct nvmx_vmcs12) <= NVMX_VMCS12_SIZE, "vmcs12 size");
_Static_assert(NVMX_V12_NR < 255, "lookup holds row + 1 in a u8");

/*
 * Row index + 1 by encoding, 0 for none. Two rows with one encoding are a
 * -Woverride-init error in the unit-test build.
 */
static const u8 nvmx_vmcs12_lookup[4][4][NVMX_V12_MAX_INDEX] = {
#define NVMX_VMCS12_FIELD(name, enc, width, off, acc, cls, freq, sh)	\
	[NVMX_ENC_WIDTH(enc)][NVMX_ENC_TYPE(enc)][NVMX_ENC_INDEX(enc)] =	\
		NVMX_V12_##name + 1,
#include "vmcs12_fields.h"
#undef NVMX_VMCS12_FIELD
};

/*
 * VMWRITE drops the reserved bits of the access-rights fields, as some
 * processors do and kvm_intel does, so L1 reads back the same on both.
 */
static const struct {
	u16 idx;
	u32 keep;
} nvmx_vmcs12_write_masks[] = {
	{ NVMX_V12_guest_es_ar_bytes, 0x1f0ff },
	{ NVMX_V12_guest_cs_ar_bytes, 0x1f0ff },
	{ NVMX_V12_guest_ss_ar_bytes, 0x1f0ff },
	{ NVMX_V12_guest_ds_ar_bytes, 0x1f0ff },
	{ NVMX_V12_guest_fs_ar_bytes, 0x1f0ff },
	{ NVMX_V12_guest_gs_ar_bytes, 0x1f0ff },
	{ NVMX_V12_guest_ldtr_ar_bytes, 0x1f0ff },
	{ NVMX_V12_guest_tr_ar_bytes, 0x1f0ff },
};

/*
 * The row of @encoding, or -1 if it names no field: reserved bits set
 * (bits 63:32 included, which a 64-bit register operand can carry), or the
 * high access to a field that is not 64 bits wide. *@high says whether the
 * encoding is a high access.
 */
int nvmx_vmcs12_find(u64 encoding, bool *high)
{
	unsigned int idx;
	int row;

	*high = encoding & NVMX_ENC_HIGH;
	if ((encoding & NVMX_ENC_RESERVED) ||
	    NVMX_ENC_INDEX(encoding) >= NVMX_V12_MAX_INDEX)
		return -1;
	idx = NVMX_ENC_INDEX(encoding);
	row = (int)nvmx_vmcs12_lookup[NVMX_ENC_WIDTH(encoding)]
				     [NVMX_ENC_TYPE(encoding)][idx] - 1;
	if (row < 0)
		return -1;
	if (*high && nvmx_vmcs12_rows[row].width != NVMX_V12_W64)
		return -1;
	return row;
}

/* The field of row @idx (< NVMX_V12_NR), zero-extended. */
u64 nvmx_vmcs12_get(const struct nvmx_vmcs12 *v12, unsigned int idx)
{
	const void *p = (const u8 *)v12 + nvmx_vmcs12_rows[idx].offset;

	switch (nvmx_vmcs12_rows[idx].width) {
	case NVMX_V12_W16:
		return *(const u16 *)p;
	case NVMX_V12_W32:
		return *(const u32 *)p;
	default:
		return *(const u64 *)p;
	}
}

/* Sets the field of row @idx (< NVMX_V12_NR) to @val truncated to its width. */
void nvmx_vmcs12_set(struct nvmx_vmcs12 *v12, unsigned int idx, u64 val)
{
	void *p = (u8 *)v12 + nvmx_vmcs12_rows[idx].offset;

	switch (nvmx_vmcs12_rows[idx].width) {
	case NVMX_V12_W16:
		*(u16 *)p = (u16)val;
		break;
	case NVMX_V12_W32:
		*(u32 *)p = (u32)val;
		break;
	default:
		*(u64 *)p = val;
		break;
	}
}

/*
 * VMREAD of @encoding: 0 with *@val the field zero-extended (the high access
 * gives bits 63:32 of a 64-bit field in bits 31:0), or
 * NVMX_VMERR_UNSUPPORTED_FIELD. The caller truncates *@val to the operand
 * size (32 bits outside 64-bit mode).
 */
u32 nvmx_vmcs12_vmread(const struct nvmx_vmcs12 *v12, u64 encoding, u64 *val)
{
	bool high;
	int idx = nvmx_vmcs12_find(encoding, &high);

	if (idx < 0)
		return NVMX_VMERR_UNSUPPORTED_FIELD;
	*val = nvmx_vmcs12_get(v12, idx);
	if (high)
		*val >>= 32;
	return 0;
}

/*
 * VMWRITE of @val (already zero-extended from the operand size) to
 * @encoding: 0, NVMX_VMERR_UNSUPPORTED_FIELD, or NVMX_VMERR_RO_FIELD for a
 * VM-exit information field unless @write_any (IA32_VMX_MISC bit 29 offered
 * to L1). A field narrower than @val keeps its low bits; the full access to
 * a 64-bit field writes all 64 bits (so a 32-bit operand clears bits
 * 63:32); the high access writes bits 63:32 from val's bits 31:0 and keeps
 * bits 31:0. *@idx is the row written, for dirty tracking (-1 on failure).
 */
u32 nvmx_vmcs12_vmwrite(struct nvmx_vmcs12 *v12, u64 encoding, u64 val,
			bool write_any, int *idx)
{
	unsigned int i;
	bool high;
	int row = nvmx_vmcs12_find(encoding, &high);

	*idx = -1;
	if (row < 0)
		return NVMX_VMERR_UNSUPPORTED_FIELD;
	if (nvmx_vmcs12_rows[row].access == NVMX_V12_RO && !write_any)
		return NVMX_VMERR_RO_FIELD;
	if (high)
		val = (nvmx_vmcs12_get(v12, row) & 0xffffffffULL) | (val << 32);
	for (i = 0; i < ARRAY_SIZE(nvmx_vmcs12_write_masks); i++)
		if (nvmx_vmcs12_write_masks[i].idx == row)
			val &= nvmx_vmcs12_write_masks[i].keep;
	nvmx_vmcs12_set(v12, row, val);
	*idx = row;
	return 0;
}

/*
 * The bits of row @idx (< NVMX_V12_NR) that a VMWRITE keeps: its width,
 * less the access-rights bits VMWRITE drops.
 */
u64 nvmx_vmcs12_field_mask(unsigned int idx)
{
	u64 mask = ~0ULL;
	unsigned int i;

	if (nvmx_vmcs12_rows[idx].width == NVMX_V12_W16)
		mask = 0xffff;
	else if (nvmx_vmcs12_rows[idx].width == NVMX_V12_W32)
		mask = 0xffffffff;
	for (i = 0; i < ARRAY_SIZE(nvmx_vmcs12_write_masks); i++)
		if (nvmx_vmcs12_write_masks[i].idx == idx)
			mask &= nvmx_vmcs12_write_masks[i].keep;
	return mask;
}

/*
 * The highest index (encoding bits 9:1) of any field: IA32_VMX_VMCS_ENUM
 * reports it in its bits 9:1.
 */
unsigned int nvmx_vmcs12_max_index(void)
{
	unsigned int i, max = 0;

	for (i = 0; i < NVMX_V12_NR; i++)
		if (NVMX_ENC_INDEX(nvmx_vmcs12_rows[i].encoding) > max)
			max = NVMX_ENC_INDEX(nvmx_vmcs12_rows[i].encoding);
	return max;
}
