// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/lapic_pure.c, the local APIC's arithmetic, built for
 * userspace with ASan and UBSan. Expectations come from the SDM's
 * chapter on the APIC, not from lapic_pure.c.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "lapic.h"

static u32 page[1024];

static void clear_page(void)
{
	memset(page, 0, sizeof(page));
}

TEST(vector_scans_use_16_byte_strides)
{
	clear_page();
	EXPECT_EQ(-1, nvmx_apic_highest(page, NVMX_APIC_IRR));
	nvmx_apic_set_vec(page, NVMX_APIC_IRR, 0x31);
	/* Vector 0x31 is bit 17 of the second word, at IRR + 0x10. */
	EXPECT_EQ(1u << 17, page[(NVMX_APIC_IRR + 0x10) / 4]);
	EXPECT_EQ(0x31, nvmx_apic_highest(page, NVMX_APIC_IRR));
	nvmx_apic_set_vec(page, NVMX_APIC_IRR, 0xff);
	EXPECT_EQ(1u << 31, page[(NVMX_APIC_IRR + 0x70) / 4]);
	EXPECT_EQ(0xff, nvmx_apic_highest(page, NVMX_APIC_IRR));
	EXPECT_TRUE(nvmx_apic_test_vec(page, NVMX_APIC_IRR, 0x31));
	EXPECT_FALSE(nvmx_apic_test_vec(page, NVMX_APIC_IRR, 0x30));
	/* The ISR is another register: untouched. */
	EXPECT_EQ(-1, nvmx_apic_highest(page, NVMX_APIC_ISR));
	nvmx_apic_clear_vec(page, NVMX_APIC_IRR, 0xff);
	EXPECT_EQ(0x31, nvmx_apic_highest(page, NVMX_APIC_IRR));
	nvmx_apic_set_vec(page, NVMX_APIC_ISR, 0);
	EXPECT_EQ(0, nvmx_apic_highest(page, NVMX_APIC_ISR));
}

TEST(ppr_is_the_higher_class)
{
	EXPECT_EQ(0x00u, nvmx_apic_ppr(0, -1));
	EXPECT_EQ(0x25u, nvmx_apic_ppr(0x25, -1));
	/* ISRV class above TPR's: PPR is the class, subclass 0. */
	EXPECT_EQ(0x30u, nvmx_apic_ppr(0x25, 0x3a));
	/* Same class: TPR with its subclass. */
	EXPECT_EQ(0x3fu, nvmx_apic_ppr(0x3f, 0x31));
	EXPECT_EQ(0x40u, nvmx_apic_ppr(0x40, 0x3f));
	/* Only TPR bits 7:0 count. */
	EXPECT_EQ(0x10u, nvmx_apic_ppr(0x110, -1));
}

TEST(pending_needs_a_higher_class_than_ppr)
{
	EXPECT_FALSE(nvmx_apic_beats_ppr(-1, 0));
	EXPECT_TRUE(nvmx_apic_beats_ppr(0x20, 0x00));
	EXPECT_FALSE(nvmx_apic_beats_ppr(0x2f, 0x20));
	EXPECT_FALSE(nvmx_apic_beats_ppr(0x2f, 0x2f));
	EXPECT_TRUE(nvmx_apic_beats_ppr(0x30, 0x2f));
	/* Vectors 0-15 never beat any PPR. */
	EXPECT_FALSE(nvmx_apic_beats_ppr(0x0f, 0x00));
}

static struct nvmx_apic_irq phys(u32 dest, bool x2)
{
	return (struct nvmx_apic_irq){ .dest = dest, .x2apic_dest = x2 };
}

static struct nvmx_apic_irq logical(u32 dest, bool x2)
{
	return (struct nvmx_apic_irq){ .dest = dest, .x2apic_dest = x2,
				       .dest_logical = true };
}

TEST(physical_destinations)
{
	struct nvmx_apic_target x = { .id = 3, .dfr = 0xffffffff };
	struct nvmx_apic_target x2 = { .x2apic = true, .id = 0x103 };
	struct nvmx_apic_irq i;

	i = phys(3, false);
	EXPECT_TRUE(nvmx_apic_match_dest(&x, &i));
	i = phys(4, false);
	EXPECT_FALSE(nvmx_apic_match_dest(&x, &i));
	i = phys(0xff, false);
	EXPECT_TRUE(nvmx_apic_match_dest(&x, &i));
	EXPECT_TRUE(nvmx_apic_match_dest(&x2, &i));
	i = phys(0x103, true);
	EXPECT_TRUE(nvmx_apic_match_dest(&x2, &i));
	i = phys(0x3, true);
	EXPECT_FALSE(nvmx_apic_match_dest(&x2, &i));
	/* 0xff is no broadcast in x2APIC format. */
	i = phys(0xff, true);
	EXPECT_FALSE(nvmx_apic_match_dest(&x2, &i));
	i = phys(0xffffffff, true);
	EXPECT_TRUE(nvmx_apic_match_dest(&x2, &i));
}

TEST(xapic_logical_flat_and_cluster)
{
	struct nvmx_apic_target flat = { .ldr = 0x04000000, .dfr = 0xffffffff };
	struct nvmx_apic_target cl = { .ldr = 0x32000000, .dfr = 0x0fffffff };
	struct nvmx_apic_irq i;

	i = logical(0x04, false);
	EXPECT_TRUE(nvmx_apic_match_dest(&flat, &i));
	i = logical(0x0c, false);
	EXPECT_TRUE(nvmx_apic_match_dest(&flat, &i));
	i = logical(0x08, false);
	EXPECT_FALSE(nvmx_apic_match_dest(&flat, &i));
	i = logical(0xff, false);
	EXPECT_TRUE(nvmx_apic_match_dest(&flat, &i));
	/* Cluster 3, member bit 1. */
	i = logical(0x32, false);
	EXPECT_TRUE(nvmx_apic_match_dest(&cl, &i));
	i = logical(0x36, false);
	EXPECT_TRUE(nvmx_apic_match_dest(&cl, &i));
	i = logical(0x31, false);
	EXPECT_FALSE(nvmx_apic_match_dest(&cl, &i));
	i = logical(0x22, false);
	EXPECT_FALSE(nvmx_apic_match_dest(&cl, &i));
	/* An LDR of 0 is in no logical group. */
	flat.ldr = 0;
	i = logical(0x0f, false);
	EXPECT_FALSE(nvmx_apic_match_dest(&flat, &i));
}

TEST(x2apic_logical_cluster)
{
	struct nvmx_apic_target t = { .x2apic = true, .id = 0x23 };
	struct nvmx_apic_irq i;

	t.ldr = nvmx_x2apic_ldr(t.id);
	/* ID 0x23: cluster 2, bit 3. */
	EXPECT_EQ(0x00020008u, t.ldr);
	i = logical(0x00020008, true);
	EXPECT_TRUE(nvmx_apic_match_dest(&t, &i));
	i = logical(0x0002fff7, true);
	EXPECT_FALSE(nvmx_apic_match_dest(&t, &i));
	i = logical(0x00010008, true);
	EXPECT_FALSE(nvmx_apic_match_dest(&t, &i));
	i = logical(0xffffffff, true);
	EXPECT_TRUE(nvmx_apic_match_dest(&t, &i));
	EXPECT_EQ(0x00000001u, nvmx_x2apic_ldr(0));
	EXPECT_EQ(0x00018000u, nvmx_x2apic_ldr(0x1f));
}

TEST(timer_divide_and_count)
{
	/* TDCR bits 3, 1:0: 000 is /2 ... 110 is /128, 111 is /1. */
	EXPECT_EQ(2u, nvmx_apic_divisor(0x0));
	EXPECT_EQ(4u, nvmx_apic_divisor(0x1));
	EXPECT_EQ(8u, nvmx_apic_divisor(0x2));
	EXPECT_EQ(16u, nvmx_apic_divisor(0x3));
	EXPECT_EQ(32u, nvmx_apic_divisor(0x8));
	EXPECT_EQ(64u, nvmx_apic_divisor(0x9));
	EXPECT_EQ(128u, nvmx_apic_divisor(0xa));
	EXPECT_EQ(1u, nvmx_apic_divisor(0xb));
	/* Bit 2 is not part of the divide value. */
	EXPECT_EQ(2u, nvmx_apic_divisor(0x4));

	EXPECT_EQ(1000000ull * 16, nvmx_apic_count_ns(1000000, 16));
	EXPECT_EQ(0xffffffffull * 128, nvmx_apic_count_ns(0xffffffff, 128));
	/* Full count at the start, partial counts round up, 0 at the end. */
	EXPECT_EQ(1000u, nvmx_apic_ccr(16000, 16, 1000));
	EXPECT_EQ(1000u, nvmx_apic_ccr(15999, 16, 1000));
	EXPECT_EQ(999u, nvmx_apic_ccr(15984, 16, 1000));
	EXPECT_EQ(1u, nvmx_apic_ccr(1, 16, 1000));
	EXPECT_EQ(0u, nvmx_apic_ccr(0, 16, 1000));
	/* Never above the initial count. */
	EXPECT_EQ(10u, nvmx_apic_ccr(1ull << 40, 1, 10));
}

TEST(x2apic_msr_map)
{
	/* Readable and writable. */
	EXPECT_EQ(NVMX_APIC_TPR, nvmx_x2apic_reg(0x808, false));
	EXPECT_EQ(NVMX_APIC_TPR, nvmx_x2apic_reg(0x808, true));
	EXPECT_EQ(NVMX_APIC_ICR, nvmx_x2apic_reg(0x830, true));
	EXPECT_EQ(NVMX_APIC_LVTERR, nvmx_x2apic_reg(0x837, true));
	EXPECT_EQ(NVMX_APIC_TDCR, nvmx_x2apic_reg(0x83e, false));
	/* Read-only. */
	EXPECT_EQ(NVMX_APIC_ID, nvmx_x2apic_reg(0x802, false));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x802, true));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x80d, true));
	EXPECT_EQ(NVMX_APIC_IRR + 0x70, nvmx_x2apic_reg(0x827, false));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x827, true));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x839, true));
	/* Write-only. */
	EXPECT_EQ(NVMX_APIC_EOI, nvmx_x2apic_reg(0x80b, true));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x80b, false));
	EXPECT_EQ(NVMX_APIC_SELF_IPI, nvmx_x2apic_reg(0x83f, true));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x83f, false));
	/* Reserved in x2APIC mode: APR, DFR, ICR2, CMCI, holes, past 0x83f. */
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x809, false));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x80e, false));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x831, false));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x82f, false));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x800, false));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x840, false));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x8ff, true));
	EXPECT_EQ(-1, nvmx_x2apic_reg(0x7ff, false));
}

TEST(lvt_masks)
{
	/* TSC-deadline mode only when the guest's CPUID has it. */
	EXPECT_EQ(0x310ffu, nvmx_apic_lvt_mask(NVMX_APIC_LVTT, false));
	EXPECT_EQ(0x710ffu, nvmx_apic_lvt_mask(NVMX_APIC_LVTT, true));
	EXPECT_EQ(0x117ffu, nvmx_apic_lvt_mask(NVMX_APIC_LVTPC, false));
	/* LINT: polarity, remote IRR and trigger too. */
	EXPECT_EQ(0x1f7ffu, nvmx_apic_lvt_mask(NVMX_APIC_LVT0, false));
	EXPECT_EQ(0x110ffu, nvmx_apic_lvt_mask(NVMX_APIC_LVTERR, false));
	EXPECT_EQ(0u, nvmx_apic_lvt_mask(NVMX_APIC_TPR, false));
}

TEST_HARNESS_MAIN
