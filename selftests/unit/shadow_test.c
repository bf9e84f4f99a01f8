// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/nested/shadow.c: the shadow column of the field
 * table, the VMREAD/VMWRITE bitmaps built from it, and the sync
 * bookkeeping, built for userspace with ASan and UBSan.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "nested/shadow.h"

static struct nvmx_shadow_rows rows;
static struct nvmx_vmcs12 v12, snap;
static u8 rd[NVMX_SHADOW_BITMAP_SIZE], wr[NVMX_SHADOW_BITMAP_SIZE];

static void host_all(u64 *host)
{
	memset(host, 0xff, NVMX_SHADOW_WORDS * sizeof(u64));
}

/* The rows an L1 handler VMREADs after a reflected exit: never an exit. */
static const unsigned int hot_reads[] = {
	NVMX_V12_vm_exit_reason, NVMX_V12_exit_qualification,
	NVMX_V12_vm_exit_instruction_len, NVMX_V12_vmx_instruction_info,
	NVMX_V12_vm_exit_intr_info, NVMX_V12_vm_exit_intr_error_code,
	NVMX_V12_idt_vectoring_info_field, NVMX_V12_vm_instruction_error,
	NVMX_V12_guest_linear_address, NVMX_V12_guest_physical_address,
	NVMX_V12_guest_rip, NVMX_V12_guest_rsp, NVMX_V12_guest_rflags,
	NVMX_V12_guest_cr0, NVMX_V12_guest_cr3, NVMX_V12_guest_cr4,
	NVMX_V12_guest_es_base, NVMX_V12_guest_gdtr_limit, NVMX_V12_host_cr3,
	NVMX_V12_io_bitmap_a, NVMX_V12_guest_ia32_efer,
};

/* The rows it VMWRITEs, libkvm's vmresume() included: never an exit. */
static const unsigned int hot_writes[] = {
	NVMX_V12_guest_rip, NVMX_V12_guest_rsp, NVMX_V12_guest_rflags,
	NVMX_V12_guest_cr0, NVMX_V12_guest_cr4,
	NVMX_V12_guest_interruptibility_info,
	NVMX_V12_vm_entry_intr_info_field,
	NVMX_V12_vm_entry_exception_error_code,
	NVMX_V12_vm_entry_instruction_len,
	NVMX_V12_cpu_based_vm_exec_control,
	NVMX_V12_secondary_vm_exec_control, NVMX_V12_exception_bitmap,
	NVMX_V12_cr0_guest_host_mask, NVMX_V12_cr4_guest_host_mask,
	NVMX_V12_cr0_read_shadow, NVMX_V12_cr4_read_shadow,
	NVMX_V12_tpr_threshold, NVMX_V12_host_rsp, NVMX_V12_host_rip,
};

TEST(shadow_column_follows_the_rules)
{
	unsigned int i;

	for (i = 0; i < NVMX_V12_NR; i++) {
		const struct nvmx_vmcs12_row *r = &nvmx_vmcs12_rows[i];

		/* VMWRITE of a read-only field always reaches the emulation. */
		if (r->access == NVMX_V12_RO)
			EXPECT_EQ(NVMX_V12_SH_R, r->shadow) TH_LOG("%s", r->name);
		/* Features L1 is not offered, and only they, stay out. */
		EXPECT_EQ(r->class == NVMX_V12_L0, r->shadow == NVMX_V12_SH_NO)
			TH_LOG("%s", r->name);
		/* The access-rights fields keep nvmx's VMWRITE masking. */
		if (nvmx_vmcs12_field_mask(i) != 0xffff &&
		    nvmx_vmcs12_field_mask(i) != 0xffffffff &&
		    nvmx_vmcs12_field_mask(i) != ~0ULL)
			EXPECT_NE(NVMX_V12_SH_RW, r->shadow) TH_LOG("%s", r->name);
	}
	for (i = 0; i < ARRAY_SIZE(hot_reads); i++)
		EXPECT_NE(NVMX_V12_SH_NO, nvmx_vmcs12_rows[hot_reads[i]].shadow)
			TH_LOG("%s", nvmx_vmcs12_rows[hot_reads[i]].name);
	for (i = 0; i < ARRAY_SIZE(hot_writes); i++)
		EXPECT_EQ(NVMX_V12_SH_RW, nvmx_vmcs12_rows[hot_writes[i]].shadow)
			TH_LOG("%s", nvmx_vmcs12_rows[hot_writes[i]].name);
}

TEST(field_mask_is_the_width_and_the_ar_masking)
{
	EXPECT_EQ(0xffffULL, nvmx_vmcs12_field_mask(NVMX_V12_guest_cs_selector));
	EXPECT_EQ(0xffffffffULL, nvmx_vmcs12_field_mask(NVMX_V12_guest_cs_limit));
	EXPECT_EQ(0x1f0ffULL, nvmx_vmcs12_field_mask(NVMX_V12_guest_cs_ar_bytes));
	EXPECT_EQ(~0ULL, nvmx_vmcs12_field_mask(NVMX_V12_io_bitmap_a));
	EXPECT_EQ(~0ULL, nvmx_vmcs12_field_mask(NVMX_V12_guest_rip));
}

TEST(rows_are_the_column_within_the_host)
{
	u64 host[NVMX_SHADOW_WORDS];
	unsigned int i, nr_r = 0, nr_w = 0;

	host_all(host);
	nvmx_shadow_rows_init(&rows, host);
	for (i = 0; i < NVMX_V12_NR; i++) {
		u8 sh = nvmx_vmcs12_rows[i].shadow;

		EXPECT_EQ(sh != NVMX_V12_SH_NO, nvmx_shadow_test(rows.read, i));
		EXPECT_EQ(sh == NVMX_V12_SH_RW, nvmx_shadow_test(rows.write, i));
		nr_r += sh != NVMX_V12_SH_NO;
		nr_w += sh == NVMX_V12_SH_RW;
	}
	EXPECT_EQ(nr_r, rows.nr_read);
	EXPECT_EQ(nr_w, rows.nr_write);
	for (i = 0; i < rows.nr_read; i++) {
		EXPECT_TRUE(nvmx_shadow_test(rows.read, rows.read_list[i]));
		if (i)
			EXPECT_LT(rows.read_list[i - 1], rows.read_list[i]);
	}
	for (i = 0; i < rows.nr_write; i++)
		EXPECT_TRUE(nvmx_shadow_test(rows.write, rows.write_list[i]));

	/* A field the host's VMCS lacks is not shadowed, read or write. */
	host[NVMX_V12_guest_rip / 64] &= ~BIT_ULL(NVMX_V12_guest_rip % 64);
	host[NVMX_V12_guest_es_base / 64] &= ~BIT_ULL(NVMX_V12_guest_es_base % 64);
	nvmx_shadow_rows_init(&rows, host);
	EXPECT_FALSE(nvmx_shadow_test(rows.read, NVMX_V12_guest_rip));
	EXPECT_FALSE(nvmx_shadow_test(rows.write, NVMX_V12_guest_rip));
	EXPECT_FALSE(nvmx_shadow_test(rows.read, NVMX_V12_guest_es_base));
	EXPECT_EQ(nr_r - 2, rows.nr_read);
	EXPECT_EQ(nr_w - 1, rows.nr_write);

	/* No host field at all: nothing. */
	memset(host, 0, sizeof(host));
	nvmx_shadow_rows_init(&rows, host);
	EXPECT_EQ(0, rows.nr_read);
	EXPECT_EQ(0, rows.nr_write);
}

/*
 * Every one of the 32768 encodings the bitmaps cover: no exit exactly for
 * a shadowed row's encoding (and a 64-bit row's high access); all else,
 * unknown fields and the high access of narrower fields included, exits
 * to emulation, which gives VM-instruction error 12 for them.
 */
TEST(bitmaps_exit_for_everything_but_the_shadowed_rows)
{
	u64 host[NVMX_SHADOW_WORDS];
	unsigned int e, quiet_r = 0, quiet_w = 0;

	host_all(host);
	host[NVMX_V12_host_rip / 64] &= ~BIT_ULL(NVMX_V12_host_rip % 64);
	nvmx_shadow_rows_init(&rows, host);
	nvmx_shadow_bitmaps(&rows, rd, wr);
	for (e = 0; e <= 0x7fff; e++) {
		bool high;
		int row = nvmx_vmcs12_find(e, &high);
		bool r = row >= 0 && nvmx_shadow_test(rows.read, row);
		bool w = row >= 0 && nvmx_shadow_test(rows.write, row);

		EXPECT_EQ(!r, nvmx_shadow_bitmap_exits(rd, e)) TH_LOG("0x%x", e);
		EXPECT_EQ(!w, nvmx_shadow_bitmap_exits(wr, e)) TH_LOG("0x%x", e);
		quiet_r += r;
		quiet_w += w;
	}
	/* HOST_RIP, which this host lacks here. */
	EXPECT_TRUE(nvmx_shadow_bitmap_exits(rd, 0x6c16));
	EXPECT_TRUE(nvmx_shadow_bitmap_exits(wr, 0x6c16));
	EXPECT_FALSE(nvmx_shadow_bitmap_exits(rd, 0x681e));	/* GUEST_RIP */
	EXPECT_FALSE(nvmx_shadow_bitmap_exits(wr, 0x681e));
	EXPECT_FALSE(nvmx_shadow_bitmap_exits(rd, 0x4402));	/* exit reason */
	EXPECT_TRUE(nvmx_shadow_bitmap_exits(wr, 0x4402));
	EXPECT_FALSE(nvmx_shadow_bitmap_exits(rd, 0x2001));	/* IO_BITMAP_A_HIGH */
	EXPECT_TRUE(nvmx_shadow_bitmap_exits(rd, 0x0001));	/* not 64-bit */
	EXPECT_TRUE(nvmx_shadow_bitmap_exits(rd, 0x0000));	/* VPID: SH_NO */
	/* Bits 63:15 of the operand: always an exit. */
	EXPECT_TRUE(nvmx_shadow_bitmap_exits(rd, 0x8000 | 0x681e));
	EXPECT_TRUE(nvmx_shadow_bitmap_exits(rd, (1ULL << 32) | 0x681e));
	EXPECT_TRUE(nvmx_shadow_bitmap_exits(wr, (1ULL << 63) | 0x681e));
	/* 64-bit rows count twice (full and high). */
	EXPECT_LE(rows.nr_read, quiet_r);
	EXPECT_EQ(rows.nr_write, quiet_w);
}

TEST(changed_lists_only_shadowed_rows_that_differ)
{
	u64 host[NVMX_SHADOW_WORDS];
	u16 out[NVMX_V12_NR];

	host_all(host);
	host[NVMX_V12_guest_es_base / 64] &= ~BIT_ULL(NVMX_V12_guest_es_base % 64);
	nvmx_shadow_rows_init(&rows, host);
	memset(&v12, 0x5a, sizeof(v12));
	snap = v12;
	EXPECT_EQ(0, nvmx_shadow_changed(&rows, &v12, &snap, out));

	v12.vm_exit_reason = 18;		/* SH_R */
	v12.guest_rip += 3;			/* SH_RW */
	v12.virtual_processor_id = 7;		/* SH_NO: exits anyway */
	v12.guest_es_base = 0;			/* the host lacks it */
	v12.launch_state = 1;			/* not a field */
	ASSERT_EQ(2, nvmx_shadow_changed(&rows, &v12, &snap, out));
	/* Table order: natural-width rows come before 32-bit ones. */
	EXPECT_EQ(NVMX_V12_guest_rip, out[0]);
	EXPECT_EQ(NVMX_V12_vm_exit_reason, out[1]);

	/* The high half alone differing is a change of the row. */
	snap = v12;
	v12.io_bitmap_a ^= 1ULL << 40;
	ASSERT_EQ(1, nvmx_shadow_changed(&rows, &v12, &snap, out));
	EXPECT_EQ(NVMX_V12_io_bitmap_a, out[0]);
}

TEST(take_moves_only_what_l1_changed)
{
	memset(&v12, 0, sizeof(v12));
	snap = v12;
	v12.guest_rip = 0x1000;
	snap.guest_rip = 0x1000;

	EXPECT_FALSE(nvmx_shadow_take(&v12, &snap, NVMX_V12_guest_rip, 0x1000));
	EXPECT_EQ(0x1000, v12.guest_rip);

	EXPECT_TRUE(nvmx_shadow_take(&v12, &snap, NVMX_V12_guest_rip, 0x1003));
	EXPECT_EQ(0x1003, v12.guest_rip);
	EXPECT_EQ(0x1003, snap.guest_rip);

	/* A 32-bit row keeps its width. */
	EXPECT_TRUE(nvmx_shadow_take(&v12, &snap, NVMX_V12_tpr_threshold,
				     0x100000004ULL));
	EXPECT_EQ(4, v12.tpr_threshold);
	EXPECT_EQ(4, snap.tpr_threshold);
	EXPECT_FALSE(nvmx_shadow_take(&v12, &snap, NVMX_V12_tpr_threshold, 4));
}

TEST_HARNESS_MAIN
