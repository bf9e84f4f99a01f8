// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/pit.c, the i8254, with ASan and UBSan. Times are in
 * ns; one input clock is 1e9 / 1193182 ns (about 838.1 ns). Expectations
 * come from the 82C54 datasheet's counter modes and access sequences.
 */
#include "kselftest_harness.h"
#include "pit.h"

/* The time of @ticks input clocks after @t0, rounded up to land in it. */
static s64 at(s64 t0, u64 ticks)
{
	return t0 + (ticks * NVMX_NSEC_PER_SEC + NVMX_PIT_FREQ_HZ - 1) /
		    NVMX_PIT_FREQ_HZ;
}

static void load16(struct nvmx_pit *p, unsigned int ch, u8 mode, u16 count,
		   s64 now)
{
	nvmx_pit_write(p, 0x43, (ch << 6) | 0x30 | (mode << 1), now);
	nvmx_pit_write(p, 0x40 + ch, count & 0xff, now);
	nvmx_pit_write(p, 0x40 + ch, count >> 8, now);
}

static u16 read16(struct nvmx_pit *p, unsigned int ch, s64 now)
{
	u8 lo = nvmx_pit_read(p, 0x40 + ch, now);

	return lo | (nvmx_pit_read(p, 0x40 + ch, now) << 8);
}

TEST(power_on_state)
{
	struct nvmx_pit p;

	nvmx_pit_init(&p, 1000);
	EXPECT_EQ(0xff, p.s.channels[0].mode);
	EXPECT_EQ(1, p.s.channels[0].gate);
	EXPECT_EQ(0, p.s.channels[2].gate);
	EXPECT_EQ(0x10000, p.s.channels[1].count);
	EXPECT_EQ(1000, p.s.channels[1].count_load_time);
	EXPECT_EQ(NVMX_PIT_TIMER_STOP, nvmx_pit_ch0_timer(&p));
	EXPECT_TRUE(nvmx_pit_is_port(0x43));
	EXPECT_FALSE(nvmx_pit_is_port(0x44));
	EXPECT_EQ(0xff, nvmx_pit_read(&p, 0x43, 0));
}

TEST(rate_generator_counts_down_and_reloads)
{
	struct nvmx_pit p;
	s64 t0 = 5000;

	nvmx_pit_init(&p, 0);
	/* Linux's periodic tick: mode 2, LATCH = 1193182 / 100. */
	nvmx_pit_write(&p, 0x43, 0x34, t0);
	EXPECT_FALSE(nvmx_pit_write(&p, 0x40, 11932 & 0xff, t0));
	EXPECT_TRUE(nvmx_pit_write(&p, 0x40, 11932 >> 8, t0));
	EXPECT_EQ(2, p.s.channels[0].mode);
	EXPECT_EQ(3, p.s.channels[0].rw_mode);
	EXPECT_EQ(NVMX_PIT_TIMER_PERIODIC, nvmx_pit_ch0_timer(&p));
	EXPECT_EQ(11932, nvmx_pit_count(&p.s.channels[0], t0));
	EXPECT_EQ(11932 - 100, nvmx_pit_count(&p.s.channels[0], at(t0, 100)));
	/* One full period later it has reloaded. */
	EXPECT_EQ(11932, nvmx_pit_count(&p.s.channels[0], at(t0, 11932)));
	EXPECT_EQ(11932 - 5, nvmx_pit_count(&p.s.channels[0], at(t0, 11937)));
	/* 11932 clocks: 10.000150 ms. */
	EXPECT_EQ(10000150ULL, nvmx_pit_period_ns(11932));
	EXPECT_EQ(54925401ULL, nvmx_pit_period_ns(0x10000));
}

TEST(mode0_one_shot_output_rises_at_terminal_count)
{
	struct nvmx_pit p;

	nvmx_pit_init(&p, 0);
	load16(&p, 0, 0, 1000, 0);
	EXPECT_EQ(NVMX_PIT_TIMER_ONESHOT, nvmx_pit_ch0_timer(&p));
	EXPECT_FALSE(nvmx_pit_out(&p.s.channels[0], at(0, 999)));
	EXPECT_TRUE(nvmx_pit_out(&p.s.channels[0], at(0, 1000)));
	/* The counter wraps past zero and keeps going. */
	EXPECT_EQ(0xffff, nvmx_pit_count(&p.s.channels[0], at(0, 1001)));
}

TEST(square_wave_steps_by_two)
{
	struct nvmx_pit p;

	nvmx_pit_init(&p, 0);
	load16(&p, 2, 3, 1000, 0);
	EXPECT_EQ(1000 - 20, nvmx_pit_count(&p.s.channels[2], at(0, 10)));
	EXPECT_TRUE(nvmx_pit_out(&p.s.channels[2], at(0, 10)));
	EXPECT_FALSE(nvmx_pit_out(&p.s.channels[2], at(0, 600)));
	EXPECT_TRUE(nvmx_pit_out(&p.s.channels[2], at(0, 1001)));
}

TEST(lobyte_hibyte_and_single_byte_access)
{
	struct nvmx_pit p;

	nvmx_pit_init(&p, 0);
	load16(&p, 1, 2, 0x1234, 0);
	EXPECT_EQ(0x1234, read16(&p, 1, 0));
	/* LSB only: 0x10 access; the MSB of the count is 0. */
	nvmx_pit_write(&p, 0x43, 0x50 | (2 << 1), 0);
	nvmx_pit_write(&p, 0x41, 0x80, 0);
	EXPECT_EQ(0x80, p.s.channels[1].count);
	EXPECT_EQ(0x80, nvmx_pit_read(&p, 0x41, 0));
	/* MSB only. */
	nvmx_pit_write(&p, 0x43, 0x60 | (2 << 1), 0);
	nvmx_pit_write(&p, 0x41, 0x12, 0);
	EXPECT_EQ(0x1200, p.s.channels[1].count);
	EXPECT_EQ(0x12, nvmx_pit_read(&p, 0x41, 0));
	/* A count of 0 is 65536. */
	load16(&p, 1, 2, 0, 0);
	EXPECT_EQ(0x10000, p.s.channels[1].count);
	/* Before any control word, writes do nothing. */
	nvmx_pit_init(&p, 0);
	EXPECT_FALSE(nvmx_pit_write(&p, 0x40, 0x12, 0));
	EXPECT_EQ(0x10000, p.s.channels[0].count);
}

TEST(counter_latch_freezes_the_read)
{
	struct nvmx_pit p;

	nvmx_pit_init(&p, 0);
	load16(&p, 0, 2, 5000, 0);
	nvmx_pit_write(&p, 0x43, 0x00, at(0, 100));	/* latch counter 0 */
	/* A second latch before the read does not move it. */
	nvmx_pit_write(&p, 0x43, 0x00, at(0, 300));
	EXPECT_EQ(5000 - 100, read16(&p, 0, at(0, 2000)));
	/* After the latched read, reads follow the counter again. */
	EXPECT_EQ(5000 - 2000, read16(&p, 0, at(0, 2000)));
}

TEST(read_back_latches_status_and_count)
{
	struct nvmx_pit p;
	u8 st;

	nvmx_pit_init(&p, 0);
	load16(&p, 2, 0, 100, 0);
	/* Read-back counter 2: count and status (bits 5 and 4 clear). */
	nvmx_pit_write(&p, 0x43, 0xc0 | (1 << 3), at(0, 40));
	st = nvmx_pit_read(&p, 0x42, at(0, 500));
	/* Output low (mode 0, not expired), LSB+MSB, mode 0, binary. */
	EXPECT_EQ(0x30, st);
	EXPECT_EQ(60, read16(&p, 2, at(0, 500)));
	/* Status only, after expiry: output high. */
	nvmx_pit_write(&p, 0x43, 0xe0 | (1 << 3), at(0, 500));
	EXPECT_EQ(0xb0, nvmx_pit_read(&p, 0x42, at(0, 500)));
	/* Read-back of counter 0 does not touch counter 2. */
	load16(&p, 0, 2, 100, 0);
	nvmx_pit_write(&p, 0x43, 0xd0 | (1 << 1), at(0, 500));
	EXPECT_EQ(0, p.s.channels[2].count_latched);
	EXPECT_EQ(3, p.s.channels[0].count_latched);
}

TEST(modes_6_and_7_are_2_and_3)
{
	struct nvmx_pit p;

	nvmx_pit_init(&p, 0);
	nvmx_pit_write(&p, 0x43, 0x30 | (6 << 1), 0);
	EXPECT_EQ(2, p.s.channels[0].mode);
	nvmx_pit_write(&p, 0x43, 0x30 | (7 << 1) | 1, 0);
	EXPECT_EQ(3, p.s.channels[0].mode);
	EXPECT_EQ(1, p.s.channels[0].bcd);
}

TEST(port_61_gate_restarts_counter_2)
{
	struct nvmx_pit p;
	u8 v;

	nvmx_pit_init(&p, 0);
	/* Linux's PIT calibration: gate high, speaker off, mode 0. */
	nvmx_pit_speaker_write(&p, 0x01, 0);
	EXPECT_EQ(1, p.s.channels[2].gate);
	load16(&p, 2, 0, 200, 0);
	v = nvmx_pit_speaker_read(&p, at(0, 100));
	EXPECT_EQ(0x01, v & 0x23);
	v = nvmx_pit_speaker_read(&p, at(0, 200));
	EXPECT_EQ(0x21, v & 0x23);
	/* Mode 2: a rising gate reloads. */
	load16(&p, 2, 2, 1000, 0);
	nvmx_pit_speaker_write(&p, 0x00, at(0, 300));
	nvmx_pit_speaker_write(&p, 0x03, at(0, 400));
	EXPECT_EQ(1000, nvmx_pit_count(&p.s.channels[2], at(0, 400)));
	EXPECT_TRUE(p.speaker_data_on);
}

TEST(hpet_legacy_stops_irq0_and_set_state_reloads)
{
	struct nvmx_pit p;
	struct kvm_pit_state2 s;

	nvmx_pit_init(&p, 0);
	load16(&p, 0, 2, 100, 0);
	s = p.s;
	s.flags = KVM_PIT_FLAGS_HPET_LEGACY;
	s.channels[1].count = 0xffffffff;
	nvmx_pit_set_state(&p, &s, 777);
	EXPECT_EQ(NVMX_PIT_TIMER_STOP, nvmx_pit_ch0_timer(&p));
	/* Kept as given (KVM's GET reads it back); counting wraps at 16 bits. */
	EXPECT_EQ(0xffffffff, p.s.channels[1].count);
	EXPECT_EQ(0xffff, nvmx_pit_count(&p.s.channels[1], 777));
	s.channels[1].count = 0;
	nvmx_pit_set_state(&p, &s, 777);
	EXPECT_EQ(0x10000, p.s.channels[1].count);
	EXPECT_EQ(777, p.s.channels[0].count_load_time);
	EXPECT_EQ(100, nvmx_pit_count(&p.s.channels[0], 777));
}

TEST_HARNESS_MAIN
