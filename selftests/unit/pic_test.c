// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/pic.c, the 8259A pair, with ASan and UBSan.
 * Expectations come from the 8259A datasheet (Intel 231468) and the PC's
 * wiring (slave on master IRQ2, PIIX ELCR), not from pic.c.
 */
#include "kselftest_harness.h"
#include "pic.h"

/* Linux's init: ICW1 0x11, vector base, cascade, ICW4 0x01 (8086). */
static void init_chip(struct nvmx_pic *p, u16 port, u8 base, u8 icw4)
{
	nvmx_pic_write(p, port, 0x11);
	nvmx_pic_write(p, port + 1, base);
	nvmx_pic_write(p, port + 1, port == 0x20 ? 0x04 : 0x02);
	nvmx_pic_write(p, port + 1, icw4);
}

static void init_pc(struct nvmx_pic *p, u8 icw4)
{
	nvmx_pic_init(p);
	init_chip(p, 0x20, 0x20, icw4);
	init_chip(p, 0xa0, 0x28, icw4);
}

static void pulse(struct nvmx_pic *p, unsigned int pin)
{
	nvmx_pic_set_irq(p, pin, NVMX_IRQ_SRC_USER, true);
	nvmx_pic_set_irq(p, pin, NVMX_IRQ_SRC_USER, false);
}

static u8 read_isr(struct nvmx_pic *p, u16 port)
{
	nvmx_pic_write(p, port, 0x0b);	/* OCW3: read ISR */
	return nvmx_pic_read(p, port);
}

static u8 read_irr(struct nvmx_pic *p, u16 port)
{
	nvmx_pic_write(p, port, 0x0a);	/* OCW3: read IRR */
	return nvmx_pic_read(p, port);
}

TEST(power_on_state)
{
	struct nvmx_pic p;

	nvmx_pic_init(&p);
	EXPECT_EQ(0xf8, p.chip[0].elcr_mask);
	EXPECT_EQ(0xde, p.chip[1].elcr_mask);
	EXPECT_EQ(0, p.chip[0].imr);
	EXPECT_FALSE(nvmx_pic_output(&p));
	EXPECT_TRUE(nvmx_pic_is_port(0x21));
	EXPECT_TRUE(nvmx_pic_is_port(0x4d1));
	EXPECT_FALSE(nvmx_pic_is_port(0x22));
}

TEST(init_sequence_sets_base_and_mode)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	EXPECT_EQ(0x20, p.chip[0].irq_base);
	EXPECT_EQ(0x28, p.chip[1].irq_base);
	EXPECT_EQ(0, p.chip[0].init_state);
	EXPECT_EQ(1, p.chip[0].init4);
	EXPECT_EQ(0, p.chip[0].auto_eoi);
	/* The low three bits of ICW2 are not the base's. */
	nvmx_pic_write(&p, 0x20, 0x11);
	nvmx_pic_write(&p, 0x21, 0x67);
	EXPECT_EQ(0x60, p.chip[0].irq_base);
	EXPECT_EQ(2, p.chip[0].init_state);
	/* Without IC4, ICW3 ends the sequence; the next byte is OCW1. */
	nvmx_pic_write(&p, 0x20, 0x10);
	nvmx_pic_write(&p, 0x21, 0x08);
	nvmx_pic_write(&p, 0x21, 0x04);
	EXPECT_EQ(0, p.chip[0].init_state);
	nvmx_pic_write(&p, 0x21, 0xfe);
	EXPECT_EQ(0xfe, nvmx_pic_read(&p, 0x21));
}

TEST(edge_irq_is_delivered_once_and_eoi_ends_it)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	EXPECT_EQ(1, nvmx_pic_set_irq(&p, 1, NVMX_IRQ_SRC_USER, true));
	/* Still high: no new edge. */
	EXPECT_EQ(1, nvmx_pic_set_irq(&p, 1, NVMX_IRQ_SRC_USER, true));
	EXPECT_TRUE(nvmx_pic_output(&p));
	EXPECT_EQ(0x02, read_irr(&p, 0x20));
	EXPECT_EQ(0x21, nvmx_pic_intack(&p));
	EXPECT_EQ(0x02, read_isr(&p, 0x20));
	EXPECT_EQ(0x00, read_irr(&p, 0x20));
	EXPECT_FALSE(nvmx_pic_output(&p));
	nvmx_pic_write(&p, 0x20, 0x20);	/* non-specific EOI */
	EXPECT_EQ(0, read_isr(&p, 0x20));
	EXPECT_FALSE(nvmx_pic_output(&p));
	/* A new edge needs the line low first. */
	nvmx_pic_set_irq(&p, 1, NVMX_IRQ_SRC_USER, false);
	nvmx_pic_set_irq(&p, 1, NVMX_IRQ_SRC_USER, true);
	EXPECT_TRUE(nvmx_pic_output(&p));
}

TEST(second_edge_while_pending_is_coalesced)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	EXPECT_EQ(1, nvmx_pic_set_irq(&p, 4, NVMX_IRQ_SRC_USER, true));
	nvmx_pic_set_irq(&p, 4, NVMX_IRQ_SRC_USER, false);
	EXPECT_EQ(0, nvmx_pic_set_irq(&p, 4, NVMX_IRQ_SRC_USER, true));
}

TEST(masked_input_reports_minus_one_and_waits)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	nvmx_pic_write(&p, 0x21, 0x08);
	EXPECT_EQ(-1, nvmx_pic_set_irq(&p, 3, NVMX_IRQ_SRC_USER, true));
	EXPECT_FALSE(nvmx_pic_output(&p));
	nvmx_pic_write(&p, 0x21, 0x00);
	EXPECT_TRUE(nvmx_pic_output(&p));
	EXPECT_EQ(0x23, nvmx_pic_intack(&p));
}

TEST(fixed_priority_lower_irq_wins_and_nests)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	pulse(&p, 5);
	pulse(&p, 3);
	EXPECT_EQ(0x23, nvmx_pic_intack(&p));
	/* IRQ5 is lower priority than IRQ3 in service: held. */
	EXPECT_FALSE(nvmx_pic_output(&p));
	pulse(&p, 0);
	/* IRQ0 is higher: nests. */
	EXPECT_TRUE(nvmx_pic_output(&p));
	EXPECT_EQ(0x20, nvmx_pic_intack(&p));
	EXPECT_EQ(0x09, read_isr(&p, 0x20));
	/* Non-specific EOI ends the highest in service: IRQ0. */
	nvmx_pic_write(&p, 0x20, 0x20);
	EXPECT_EQ(0x08, read_isr(&p, 0x20));
	EXPECT_FALSE(nvmx_pic_output(&p));
	nvmx_pic_write(&p, 0x20, 0x20);
	EXPECT_EQ(0x25, nvmx_pic_intack(&p));
}

TEST(specific_eoi_ends_only_that_irq)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	pulse(&p, 6);
	EXPECT_EQ(0x26, nvmx_pic_intack(&p));
	pulse(&p, 2 + 1);
	EXPECT_EQ(0x23, nvmx_pic_intack(&p));
	nvmx_pic_write(&p, 0x20, 0x60 | 6);	/* specific EOI of IRQ6 */
	EXPECT_EQ(0x08, read_isr(&p, 0x20));
}

TEST(slave_cascades_through_irq2)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	pulse(&p, 12);
	EXPECT_TRUE(nvmx_pic_output(&p));
	EXPECT_EQ(0x04, read_irr(&p, 0x20));
	EXPECT_EQ(0x10, read_irr(&p, 0xa0));
	EXPECT_EQ(0x2c, nvmx_pic_intack(&p));
	EXPECT_EQ(0x04, read_isr(&p, 0x20));
	EXPECT_EQ(0x10, read_isr(&p, 0xa0));
	/* Masking IRQ2 on the master hides the whole slave. */
	nvmx_pic_write(&p, 0xa0, 0x20);
	nvmx_pic_write(&p, 0x20, 0x20);
	nvmx_pic_write(&p, 0x21, 0x04);
	pulse(&p, 9);
	EXPECT_FALSE(nvmx_pic_output(&p));
	nvmx_pic_write(&p, 0x21, 0x00);
	EXPECT_EQ(0x29, nvmx_pic_intack(&p));
}

TEST(spurious_ack_is_irq7)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	EXPECT_EQ(0x27, nvmx_pic_intack(&p));
	EXPECT_EQ(0, read_isr(&p, 0x20));
}

TEST(level_input_follows_line_through_elcr)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	/* IRQ0-2 cannot be level; IRQ10 can. */
	nvmx_pic_write(&p, 0x4d0, 0xff);
	EXPECT_EQ(0xf8, nvmx_pic_read(&p, 0x4d0));
	nvmx_pic_write(&p, 0x4d1, 0xff);
	EXPECT_EQ(0xde, nvmx_pic_read(&p, 0x4d1));
	nvmx_pic_write(&p, 0x4d1, 0x04);
	nvmx_pic_set_irq(&p, 10, NVMX_IRQ_SRC_USER, true);
	EXPECT_EQ(0x2a, nvmx_pic_intack(&p));
	/* Acknowledge leaves a level request in IRR. */
	EXPECT_EQ(0x04, read_irr(&p, 0xa0));
	nvmx_pic_write(&p, 0xa0, 0x20);
	nvmx_pic_write(&p, 0x20, 0x20);
	EXPECT_TRUE(nvmx_pic_output(&p));
	nvmx_pic_set_irq(&p, 10, NVMX_IRQ_SRC_USER, false);
	EXPECT_EQ(0, read_irr(&p, 0xa0));
	/*
	 * The master latched IRQ2's edge; with the slave's request gone
	 * before the acknowledge, the slave answers with its IRQ7.
	 */
	EXPECT_EQ(0x2f, nvmx_pic_intack(&p));
	EXPECT_EQ(0, read_isr(&p, 0xa0));
	EXPECT_FALSE(nvmx_pic_output(&p));
}

TEST(sources_share_a_line)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	nvmx_pic_write(&p, 0x4d1, 0x04);
	nvmx_pic_set_irq(&p, 10, NVMX_IRQ_SRC_USER, true);
	nvmx_pic_set_irq(&p, 10, NVMX_IRQ_SRC_PIT, true);
	nvmx_pic_set_irq(&p, 10, NVMX_IRQ_SRC_USER, false);
	EXPECT_EQ(0x04, read_irr(&p, 0xa0));
	nvmx_pic_set_irq(&p, 10, NVMX_IRQ_SRC_PIT, false);
	EXPECT_EQ(0, read_irr(&p, 0xa0));
	EXPECT_EQ(-1, nvmx_pic_set_irq(&p, 16, NVMX_IRQ_SRC_USER, true));
	EXPECT_EQ(-1, nvmx_pic_set_irq(&p, 1, NVMX_IRQ_NR_SRCS, true));
}

TEST(auto_eoi_leaves_isr_clear)
{
	struct nvmx_pic p;

	init_pc(&p, 0x03);	/* ICW4: 8086 mode, auto-EOI */
	EXPECT_EQ(1, p.chip[0].auto_eoi);
	pulse(&p, 4);
	EXPECT_EQ(0x24, nvmx_pic_intack(&p));
	EXPECT_EQ(0, read_isr(&p, 0x20));
	/* Rotate in auto-EOI: IRQ4 becomes the lowest priority. */
	nvmx_pic_write(&p, 0x20, 0x80);
	pulse(&p, 4);
	EXPECT_EQ(0x24, nvmx_pic_intack(&p));
	EXPECT_EQ(5, p.chip[0].priority_add);
	pulse(&p, 4);
	pulse(&p, 6);
	EXPECT_EQ(0x26, nvmx_pic_intack(&p));
}

TEST(rotation_commands)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	/* Set priority: IRQ3 lowest, so IRQ4 highest. */
	nvmx_pic_write(&p, 0x20, 0xc0 | 3);
	pulse(&p, 2 + 1);
	pulse(&p, 5);
	EXPECT_EQ(0x25, nvmx_pic_intack(&p));
	/* Rotate on non-specific EOI: IRQ5 ends and becomes lowest. */
	nvmx_pic_write(&p, 0x20, 0xa0);
	EXPECT_EQ(6, p.chip[0].priority_add);
	EXPECT_EQ(0, read_isr(&p, 0x20));
	EXPECT_EQ(0x23, nvmx_pic_intack(&p));
	/* Rotate on specific EOI of IRQ3: IRQ3 lowest. */
	nvmx_pic_write(&p, 0x20, 0xe0 | 3);
	EXPECT_EQ(4, p.chip[0].priority_add);
	EXPECT_EQ(0, read_isr(&p, 0x20));
}

TEST(special_mask_lets_lower_priority_through)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	pulse(&p, 1);
	EXPECT_EQ(0x21, nvmx_pic_intack(&p));
	pulse(&p, 5);
	EXPECT_FALSE(nvmx_pic_output(&p));
	/* Mask IRQ1 (in service) and enter special mask mode. */
	nvmx_pic_write(&p, 0x21, 0x02);
	nvmx_pic_write(&p, 0x20, 0x68);
	EXPECT_EQ(1, p.chip[0].special_mask);
	EXPECT_TRUE(nvmx_pic_output(&p));
	EXPECT_EQ(0x25, nvmx_pic_intack(&p));
	nvmx_pic_write(&p, 0x20, 0x48);	/* leave special mask mode */
	EXPECT_EQ(0, p.chip[0].special_mask);
}

TEST(poll_takes_and_ends_the_request)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	pulse(&p, 6);
	nvmx_pic_write(&p, 0x20, 0x0c);	/* OCW3: poll */
	EXPECT_EQ(6, nvmx_pic_read(&p, 0x20));
	EXPECT_FALSE(nvmx_pic_output(&p));
	EXPECT_EQ(0, read_isr(&p, 0x20));
	/* Nothing requested: 7, and the poll is over. */
	nvmx_pic_write(&p, 0x20, 0x0c);
	EXPECT_EQ(7, nvmx_pic_read(&p, 0x20));
	EXPECT_EQ(0, p.chip[0].poll);
}

TEST(icw1_clears_edge_requests_and_mask)
{
	struct nvmx_pic p;

	init_pc(&p, 0x01);
	nvmx_pic_write(&p, 0x21, 0xff);
	pulse(&p, 3);
	EXPECT_EQ(0x08, read_irr(&p, 0x20));
	nvmx_pic_write(&p, 0x20, 0x11);
	EXPECT_EQ(0, p.chip[0].irr);
	EXPECT_EQ(0, p.chip[0].imr);
	EXPECT_EQ(1, p.chip[0].init_state);
}

TEST(set_state_recomputes_the_output)
{
	struct nvmx_pic p;
	struct kvm_pic_state s;

	init_pc(&p, 0x01);
	s = p.chip[1];
	s.irr = 0x01;
	nvmx_pic_set_state(&p, 1, &s);
	EXPECT_TRUE(nvmx_pic_output(&p));
	EXPECT_EQ(0x28, nvmx_pic_intack(&p));
	/* Out-of-range chip: nothing changes. */
	s.irr = 0xff;
	nvmx_pic_set_state(&p, 2, &s);
	EXPECT_FALSE(nvmx_pic_output(&p));
}

TEST(unknown_port_reads_ff)
{
	struct nvmx_pic p;

	nvmx_pic_init(&p);
	EXPECT_EQ(0xff, nvmx_pic_read(&p, 0x22));
	nvmx_pic_write(&p, 0x22, 0x11);
	EXPECT_EQ(0, p.chip[0].init_state);
}

TEST_HARNESS_MAIN
