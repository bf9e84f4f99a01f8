// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/nested/vmcs12.c: the field table, encoding lookup and
 * VMREAD/VMWRITE semantics, built for userspace with ASan and UBSan.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "nested/vmcs12.h"

static const unsigned int width_bytes[] = {
	[NVMX_V12_W16] = 2, [NVMX_V12_W32] = 4,
	[NVMX_V12_W64] = 8, [NVMX_V12_WNAT] = 8,
};

/* Encoding width code (bits 14:13) for each table width. */
static const unsigned int width_code[] = {
	[NVMX_V12_W16] = 0, [NVMX_V12_W32] = 2,
	[NVMX_V12_W64] = 1, [NVMX_V12_WNAT] = 3,
};

static struct nvmx_vmcs12 v12;

static void fill(struct nvmx_vmcs12 *v, u8 byte)
{
	memset(v, byte, sizeof(*v));
}

TEST(every_row_is_found_by_its_encoding)
{
	unsigned int i;
	bool high;

	for (i = 0; i < NVMX_V12_NR; i++) {
		const struct nvmx_vmcs12_row *r = &nvmx_vmcs12_rows[i];

		ASSERT_NE(NULL, r->name);
		EXPECT_EQ((int)i, nvmx_vmcs12_find(r->encoding, &high))
			TH_LOG("%s", r->name);
		EXPECT_FALSE(high);
		EXPECT_EQ(width_code[r->width], (r->encoding >> 13) & 3);
		/* The high access exists only for 64-bit fields. */
		if (r->width == NVMX_V12_W64) {
			EXPECT_EQ((int)i, nvmx_vmcs12_find(r->encoding | 1, &high));
			EXPECT_TRUE(high);
		} else {
			EXPECT_EQ(-1, nvmx_vmcs12_find(r->encoding | 1, &high));
		}
	}
}

TEST(rows_tile_the_struct_without_holes)
{
	unsigned int i, next = 16;

	/* Rows are in offset order by construction of the table. */
	for (i = 0; i < NVMX_V12_NR; i++) {
		const struct nvmx_vmcs12_row *r = &nvmx_vmcs12_rows[i];

		EXPECT_EQ(next, r->offset) TH_LOG("%s", r->name);
		EXPECT_EQ(0, r->offset % width_bytes[r->width]);
		next = r->offset + width_bytes[r->width];
	}
	EXPECT_EQ(sizeof(struct nvmx_vmcs12), next);
	EXPECT_GE(NVMX_VMCS12_SIZE, sizeof(struct nvmx_vmcs12));
	EXPECT_EQ(offsetof(struct nvmx_vmcs12, guest_cr0),
		  nvmx_vmcs12_rows[NVMX_V12_guest_cr0].offset);
}

TEST(columns_agree_with_each_other)
{
	unsigned int i;

	for (i = 0; i < NVMX_V12_NR; i++) {
		const struct nvmx_vmcs12_row *r = &nvmx_vmcs12_rows[i];
		bool exit_type = ((r->encoding >> 10) & 3) == 1;

		/* Read-only is exactly the VM-exit information type. */
		EXPECT_EQ(exit_type, r->access == NVMX_V12_RO) TH_LOG("%s", r->name);
		EXPECT_EQ(exit_type, r->class == NVMX_V12_EXIT) TH_LOG("%s", r->name);
		/* Unused fields are never written to vmcs02 on every entry. */
		if (r->class == NVMX_V12_L0 || r->class == NVMX_V12_EXIT ||
		    r->class == NVMX_V12_SOFT || r->class == NVMX_V12_GPA)
			EXPECT_EQ(NVMX_V12_RARE, r->freq);
		/* Host-state encodings (type 3) are exactly L1's host state. */
		if (((r->encoding >> 10) & 3) == 3 && r->class != NVMX_V12_L0)
			EXPECT_EQ(NVMX_V12_HOST, r->class);
		if (r->class == NVMX_V12_HOST)
			EXPECT_EQ(3, (r->encoding >> 10) & 3);
	}
	/* The reclassified rows (MSR areas are read by L0 in software). */
	EXPECT_EQ(NVMX_V12_SOFT, nvmx_vmcs12_rows[NVMX_V12_vm_entry_msr_load_addr].class);
	EXPECT_EQ(NVMX_V12_SOFT, nvmx_vmcs12_rows[NVMX_V12_cr3_target_count].class);
	EXPECT_EQ(NVMX_V12_L0, nvmx_vmcs12_rows[NVMX_V12_vmx_preemption_timer_value].class);
	EXPECT_EQ(NVMX_V12_GPA, nvmx_vmcs12_rows[NVMX_V12_virtual_apic_page_addr].class);
}

/* Encodings that name no field. */
static const u64 bad_encodings[] = {
	0x100006800ULL,		/* guest_cr0 with bit 32 set */
	0x8000000000006800ULL,	/* bit 63 */
	0x7800,			/* guest_cr0 with reserved bit 12 */
	0xe800,			/* reserved bit 15 */
	0x16800,		/* reserved bit 16 */
	0x6801,			/* high access to a natural-width field */
	0x4001,			/* high access to a 32-bit field */
	0x0801,			/* high access to a 16-bit field */
	0x6c18,			/* next host natural-width index: absent */
	0x0004,			/* 16-bit control index 2: absent */
	0x2400 | (63 << 1),	/* index 63 of the exit type: absent */
	0x2000 | (64 << 1),	/* index beyond the lookup */
	0x6000 | (0x1ff << 1),	/* largest index */
	0xffffffffULL,
};

TEST(unknown_encodings_fail_with_12)
{
	unsigned int i;
	u64 val = 0x5a5a;
	bool high;
	int idx = 7;

	fill(&v12, 0x11);
	for (i = 0; i < ARRAY_SIZE(bad_encodings); i++) {
		EXPECT_EQ(-1, nvmx_vmcs12_find(bad_encodings[i], &high))
			TH_LOG("encoding %#llx", (unsigned long long)bad_encodings[i]);
		EXPECT_EQ(NVMX_VMERR_UNSUPPORTED_FIELD,
			  nvmx_vmcs12_vmread(&v12, bad_encodings[i], &val));
		EXPECT_EQ(0x5a5a, val);
		EXPECT_EQ(NVMX_VMERR_UNSUPPORTED_FIELD,
			  nvmx_vmcs12_vmwrite(&v12, bad_encodings[i], 0, true, &idx));
		EXPECT_EQ(-1, idx);
	}
	/* Nothing was written. */
	for (i = 0; i < sizeof(v12); i++)
		ASSERT_EQ(0x11, ((u8 *)&v12)[i]);
}

TEST(read_only_fields_fail_with_13_unless_write_any)
{
	unsigned int i;
	int idx;
	u64 val;

	for (i = 0; i < NVMX_V12_NR; i++) {
		const struct nvmx_vmcs12_row *r = &nvmx_vmcs12_rows[i];
		u32 want = r->access == NVMX_V12_RO ? NVMX_VMERR_RO_FIELD : 0;

		fill(&v12, 0);
		EXPECT_EQ(want, nvmx_vmcs12_vmwrite(&v12, r->encoding, 0x10a3,
						    false, &idx))
			TH_LOG("%s", r->name);
		EXPECT_EQ(want ? -1 : (int)i, idx);
		EXPECT_EQ(0, nvmx_vmcs12_vmread(&v12, r->encoding, &val));
		EXPECT_EQ(want ? 0 : 0x10a3, val);

		EXPECT_EQ(0, nvmx_vmcs12_vmwrite(&v12, r->encoding, 0xc093,
						 true, &idx));
		EXPECT_EQ((int)i, idx);
		EXPECT_EQ(0xc093, nvmx_vmcs12_get(&v12, i));
	}
	/* The RO rows are the VM-exit information fields. */
	fill(&v12, 0);
	EXPECT_EQ(NVMX_VMERR_RO_FIELD,
		  nvmx_vmcs12_vmwrite(&v12, 0x4402, 1, false, &idx));
	EXPECT_EQ(NVMX_VMERR_RO_FIELD,
		  nvmx_vmcs12_vmwrite(&v12, 0x2401, 1, false, &idx));
	EXPECT_EQ(NVMX_VMERR_RO_FIELD,
		  nvmx_vmcs12_vmwrite(&v12, 0x6400, 1, false, &idx));
	EXPECT_EQ(0, v12.vm_exit_reason);
}

TEST(vmwrite_truncates_to_the_field_width)
{
	const u64 all = 0xfedcba9876543210ULL;
	unsigned int i;
	int idx;
	u64 val;

	for (i = 0; i < NVMX_V12_NR; i++) {
		const struct nvmx_vmcs12_row *r = &nvmx_vmcs12_rows[i];
		unsigned int bytes = width_bytes[r->width];
		u64 want = bytes == 8 ? all : all & ((1ULL << (bytes * 8)) - 1);
		/* AR bytes keep only their architectural bits. */
		if (i >= NVMX_V12_guest_es_ar_bytes && i <= NVMX_V12_guest_tr_ar_bytes)
			want &= 0x1f0ff;

		fill(&v12, 0xee);
		EXPECT_EQ(0, nvmx_vmcs12_vmwrite(&v12, r->encoding, all, true, &idx));
		EXPECT_EQ(0, nvmx_vmcs12_vmread(&v12, r->encoding, &val));
		EXPECT_EQ(want, val) TH_LOG("%s", r->name);
		EXPECT_EQ(want, nvmx_vmcs12_get(&v12, i)) TH_LOG("%s", r->name);
		/* Its neighbours are untouched. */
		if (r->offset >= 1)
			EXPECT_EQ(0xee, ((u8 *)&v12)[r->offset - 1]);
		if (r->offset + bytes < sizeof(v12))
			EXPECT_EQ(0xee, ((u8 *)&v12)[r->offset + bytes]);
	}
}

TEST(high_access_is_bits_63_32)
{
	int idx;
	u64 val;

	fill(&v12, 0);
	v12.tsc_offset = 0x1122334455667788ULL;
	EXPECT_EQ(0, nvmx_vmcs12_vmread(&v12, 0x2011, &val));
	EXPECT_EQ(0x11223344ULL, val);
	EXPECT_EQ(0, nvmx_vmcs12_vmread(&v12, 0x2010, &val));
	EXPECT_EQ(0x1122334455667788ULL, val);

	/* High write: bits 63:32 from the low half of the value, 31:0 kept. */
	EXPECT_EQ(0, nvmx_vmcs12_vmwrite(&v12, 0x2011, 0xdeadbeefcafef00dULL,
					 false, &idx));
	EXPECT_EQ(NVMX_V12_tsc_offset, idx);
	EXPECT_EQ(0xcafef00d55667788ULL, v12.tsc_offset);

	/* A full write of a 32-bit operand (zero-extended) clears 63:32. */
	EXPECT_EQ(0, nvmx_vmcs12_vmwrite(&v12, 0x2010, 0x99aabbccULL, false, &idx));
	EXPECT_EQ(0x99aabbccULL, v12.tsc_offset);

	/* The high half of an exit-information field reads, never writes. */
	v12.guest_physical_address = 0xabcd00001000ULL;
	EXPECT_EQ(0, nvmx_vmcs12_vmread(&v12, 0x2401, &val));
	EXPECT_EQ(0xabcdULL, val);
	EXPECT_EQ(0, nvmx_vmcs12_vmwrite(&v12, 0x2401, 0x1, true, &idx));
	EXPECT_EQ(0x100001000ULL, v12.guest_physical_address);
}

TEST(set_truncates_and_get_zero_extends)
{
	fill(&v12, 0);
	nvmx_vmcs12_set(&v12, NVMX_V12_guest_cs_selector, 0x12345678);
	EXPECT_EQ(0x5678, v12.guest_cs_selector);
	EXPECT_EQ(0x5678, nvmx_vmcs12_get(&v12, NVMX_V12_guest_cs_selector));
	nvmx_vmcs12_set(&v12, NVMX_V12_vm_exit_reason, 0x180000001ULL);
	EXPECT_EQ(0x80000001U, v12.vm_exit_reason);
	nvmx_vmcs12_set(&v12, NVMX_V12_guest_rip, ~0ULL);
	EXPECT_EQ(~0ULL, nvmx_vmcs12_get(&v12, NVMX_V12_guest_rip));
	/* set writes what it is given: no VMWRITE masking. */
	nvmx_vmcs12_set(&v12, NVMX_V12_guest_tr_ar_bytes, 0xffffffff);
	EXPECT_EQ(0xffffffffU, v12.guest_tr_ar_bytes);
}

TEST(max_index_is_the_highest_encoding_index)
{
	unsigned int i, max = nvmx_vmcs12_max_index();
	bool seen = false;

	for (i = 0; i < NVMX_V12_NR; i++) {
		unsigned int index = (nvmx_vmcs12_rows[i].encoding >> 1) & 0x1ff;

		EXPECT_GE(max, index);
		if (index == max)
			seen = true;
	}
	EXPECT_TRUE(seen);
	/* Today's highest: PID-pointer table, 0x2042. */
	EXPECT_EQ(0x21, max);
}

TEST_HARNESS_MAIN
