// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/ioapic.c with ASan and UBSan. Expectations come from
 * the 82093AA I/O APIC datasheet (registers, remote IRR) and the MP spec's
 * EOI rules, not from ioapic.c.
 */
#include "kselftest_harness.h"
#include "ioapic.h"

struct sink {
	unsigned int n;
	struct nvmx_irq_msg last;
	int answer;		/* what deliver() returns */
};

static int fake_deliver(void *opaque, const struct nvmx_irq_msg *msg)
{
	struct sink *k = opaque;

	k->n++;
	k->last = *msg;
	return k->answer;
}

static void setup(struct nvmx_ioapic *io, struct sink *k)
{
	*k = (struct sink){ .answer = 1 };
	nvmx_ioapic_init(io);
	io->deliver = fake_deliver;
	io->opaque = k;
}

static u32 rd(struct nvmx_ioapic *io, u32 reg)
{
	nvmx_ioapic_write(io, 0x00, 4, reg);
	return nvmx_ioapic_read(io, 0x10, 4);
}

static void wr(struct nvmx_ioapic *io, u32 reg, u32 val)
{
	nvmx_ioapic_write(io, 0x00, 4, reg);
	nvmx_ioapic_write(io, 0x10, 4, val);
}

/* Pin @pin: @vector, physical destination @dest, @level triggered. */
static void route(struct nvmx_ioapic *io, unsigned int pin, u8 vector,
		  u8 dest, bool level, bool masked)
{
	wr(io, 0x11 + 2 * pin, (u32)dest << 24);
	wr(io, 0x10 + 2 * pin, vector | (level << 15) | (masked << 16));
}

TEST(id_version_and_reset_state)
{
	struct nvmx_ioapic io;
	struct sink k;
	unsigned int pin;

	setup(&io, &k);
	EXPECT_EQ(0x00170011, rd(&io, 0x01));
	EXPECT_EQ(0, rd(&io, 0x00));
	wr(&io, 0x00, 0x0f000000 | 0xffffff);
	EXPECT_EQ(0x0f000000, rd(&io, 0x00));
	EXPECT_EQ(0x0f000000, rd(&io, 0x02));
	/* Version is read-only. */
	wr(&io, 0x01, 0);
	EXPECT_EQ(0x00170011, rd(&io, 0x01));
	for (pin = 0; pin < 24; pin++)
		EXPECT_EQ(0x10000, rd(&io, 0x10 + 2 * pin));
	EXPECT_EQ(0xfec00000ULL, io.s.base_address);
	/* Beyond pin 23 and below 0x10 (but not 0-2): all ones. */
	EXPECT_EQ(0xffffffff, rd(&io, 0x10 + 2 * 24));
	EXPECT_EQ(0xffffffff, rd(&io, 0x05));
	/* IOREGSEL is 8 bits and reads back. */
	nvmx_ioapic_write(&io, 0x00, 4, 0x1234);
	EXPECT_EQ(0x34, nvmx_ioapic_read(&io, 0x00, 4));
	EXPECT_EQ(0, nvmx_ioapic_read(&io, 0x20, 4));
}

TEST(redirection_entry_halves_and_read_only_bits)
{
	struct nvmx_ioapic io;
	struct sink k;

	setup(&io, &k);
	wr(&io, 0x10 + 2 * 5, 0xffffffff);
	wr(&io, 0x11 + 2 * 5, 0xab000000);
	/* Delivery status (12) and remote IRR (14) cannot be written. */
	EXPECT_EQ(0xffffffff & ~((1 << 12) | (1 << 14)), rd(&io, 0x10 + 10));
	EXPECT_EQ(0xab000000, rd(&io, 0x11 + 10));
	EXPECT_EQ(0xab, (int)io.s.redirtbl[5].fields.dest_id);
	/* 1- and 2-byte accesses take the low bytes. */
	nvmx_ioapic_write(&io, 0x00, 1, 0x01);
	EXPECT_EQ(0x11, nvmx_ioapic_read(&io, 0x10, 1));
	EXPECT_EQ(0x0011, nvmx_ioapic_read(&io, 0x10, 2));
	/* Other sizes are ignored. */
	nvmx_ioapic_write(&io, 0x00, 3, 0x00);
	EXPECT_EQ(0x01, io.s.ioregsel);
}

TEST(edge_pin_sends_once_per_rising_edge)
{
	struct nvmx_ioapic io;
	struct sink k;

	setup(&io, &k);
	route(&io, 4, 0x34, 1, false, false);
	EXPECT_EQ(1, nvmx_ioapic_set_irq(&io, 4, NVMX_IRQ_SRC_USER, true));
	EXPECT_EQ(1, k.n);
	EXPECT_EQ(0x34, k.last.vector);
	EXPECT_EQ(1, k.last.dest_id);
	EXPECT_FALSE(k.last.level);
	EXPECT_FALSE(k.last.logical);
	EXPECT_EQ(0, k.last.delivery_mode);
	/* Still high: coalesced, nothing sent. */
	EXPECT_EQ(0, nvmx_ioapic_set_irq(&io, 4, NVMX_IRQ_SRC_USER, true));
	EXPECT_EQ(1, k.n);
	EXPECT_EQ(1, nvmx_ioapic_set_irq(&io, 4, NVMX_IRQ_SRC_USER, false));
	EXPECT_EQ(0, io.s.irr);
	nvmx_ioapic_set_irq(&io, 4, NVMX_IRQ_SRC_USER, true);
	EXPECT_EQ(2, k.n);
	/* No remote IRR for edge pins. */
	EXPECT_EQ(0, (int)io.s.redirtbl[4].fields.remote_irr);
}

TEST(masked_pin_sends_nothing)
{
	struct nvmx_ioapic io;
	struct sink k;

	setup(&io, &k);
	route(&io, 7, 0x40, 0, false, true);
	EXPECT_EQ(-1, nvmx_ioapic_set_irq(&io, 7, NVMX_IRQ_SRC_USER, true));
	EXPECT_EQ(0, k.n);
	EXPECT_EQ(1U << 7, io.s.irr);
	/* Unmasking an edge pin does not replay the edge. */
	route(&io, 7, 0x40, 0, false, false);
	EXPECT_EQ(0, k.n);
	EXPECT_EQ(-1, nvmx_ioapic_set_irq(&io, 24, NVMX_IRQ_SRC_USER, true));
}

TEST(level_pin_waits_for_eoi_and_resends_while_high)
{
	struct nvmx_ioapic io;
	struct sink k;

	setup(&io, &k);
	route(&io, 10, 0x51, 2, true, false);
	EXPECT_EQ(1, nvmx_ioapic_set_irq(&io, 10, NVMX_IRQ_SRC_USER, true));
	EXPECT_EQ(1, k.n);
	EXPECT_TRUE(k.last.level);
	EXPECT_EQ(1, (int)io.s.redirtbl[10].fields.remote_irr);
	EXPECT_NE(0, rd(&io, 0x10 + 20) & (1 << 14));
	/* Asserted again before the EOI: waits. */
	EXPECT_EQ(-1, nvmx_ioapic_set_irq(&io, 10, NVMX_IRQ_SRC_USER, true));
	EXPECT_EQ(1, k.n);
	/* EOI of another vector changes nothing. */
	nvmx_ioapic_eoi(&io, 0x52);
	EXPECT_EQ(1, (int)io.s.redirtbl[10].fields.remote_irr);
	/* EOI with the line still high: sent again. */
	nvmx_ioapic_eoi(&io, 0x51);
	EXPECT_EQ(2, k.n);
	EXPECT_EQ(1, (int)io.s.redirtbl[10].fields.remote_irr);
	/* Line low, then EOI: remote IRR clear, nothing sent. */
	nvmx_ioapic_set_irq(&io, 10, NVMX_IRQ_SRC_USER, false);
	nvmx_ioapic_eoi(&io, 0x51);
	EXPECT_EQ(2, k.n);
	EXPECT_EQ(0, (int)io.s.redirtbl[10].fields.remote_irr);
}

TEST(level_pin_unmasked_while_high_sends)
{
	struct nvmx_ioapic io;
	struct sink k;

	setup(&io, &k);
	route(&io, 11, 0x61, 0, true, true);
	nvmx_ioapic_set_irq(&io, 11, NVMX_IRQ_SRC_USER, true);
	EXPECT_EQ(0, k.n);
	route(&io, 11, 0x61, 0, true, false);
	EXPECT_EQ(1, k.n);
	EXPECT_EQ(0x61, k.last.vector);
}

TEST(switching_to_edge_clears_remote_irr)
{
	struct nvmx_ioapic io;
	struct sink k;

	setup(&io, &k);
	route(&io, 3, 0x33, 0, true, false);
	nvmx_ioapic_set_irq(&io, 3, NVMX_IRQ_SRC_USER, true);
	EXPECT_EQ(1, (int)io.s.redirtbl[3].fields.remote_irr);
	route(&io, 3, 0x33, 0, false, false);
	EXPECT_EQ(0, (int)io.s.redirtbl[3].fields.remote_irr);
}

TEST(undelivered_level_sets_no_remote_irr)
{
	struct nvmx_ioapic io;
	struct sink k;

	setup(&io, &k);
	k.answer = -1;
	route(&io, 9, 0x39, 5, true, false);
	EXPECT_EQ(-1, nvmx_ioapic_set_irq(&io, 9, NVMX_IRQ_SRC_USER, true));
	EXPECT_EQ(0, (int)io.s.redirtbl[9].fields.remote_irr);
}

TEST(logical_lowest_priority_fields_reach_the_message)
{
	struct nvmx_ioapic io;
	struct sink k;

	setup(&io, &k);
	wr(&io, 0x11, 0x0f000000);
	wr(&io, 0x10, 0x77 | (1 << 8) | (1 << 11));
	nvmx_ioapic_set_irq(&io, 0, NVMX_IRQ_SRC_PIT, true);
	EXPECT_EQ(1, k.n);
	EXPECT_EQ(0x0f, k.last.dest_id);
	EXPECT_EQ(1, k.last.delivery_mode);
	EXPECT_TRUE(k.last.logical);
	/* Another source on the same line: no new edge. */
	EXPECT_EQ(0, nvmx_ioapic_set_irq(&io, 0, NVMX_IRQ_SRC_USER, true));
	nvmx_ioapic_set_irq(&io, 0, NVMX_IRQ_SRC_PIT, false);
	EXPECT_EQ(1U, io.s.irr);
	nvmx_ioapic_set_irq(&io, 0, NVMX_IRQ_SRC_USER, false);
	EXPECT_EQ(0U, io.s.irr);
}

TEST(set_state_replays_asserted_pins)
{
	struct nvmx_ioapic io;
	struct sink k;
	struct kvm_ioapic_state s;

	setup(&io, &k);
	s = io.s;
	s.redirtbl[6].bits = 0x46 | (1 << 15);	/* level, unmasked */
	s.irr = 1U << 6;
	s.ioregsel = 0x1ff;
	nvmx_ioapic_set_state(&io, &s);
	EXPECT_EQ(1, k.n);
	EXPECT_EQ(0x46, k.last.vector);
	EXPECT_EQ(1U << 6, io.s.irr);
	EXPECT_EQ(0xff, io.s.ioregsel);
	EXPECT_EQ(1, (int)io.s.redirtbl[6].fields.remote_irr);
}

TEST_HARNESS_MAIN
