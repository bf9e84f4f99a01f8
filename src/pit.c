// SPDX-License-Identifier: GPL-2.0
/*
 * The i8254 (pit.h), after the 82C54 datasheet, and where it leaves a
 * choice (the power-on state, the modes it lists as reserved) as KVM's
 * PIT, so that KVM_GET_PIT2 reads the same on nvmx and kvm_intel.
 */
#include "pit.h"

/* rw_mode and the read/write states: which byte comes next. */
#define RW_LSB		1
#define RW_MSB		2
#define RW_WORD0	3	/* LSB then MSB: the LSB is next */
#define RW_WORD1	4	/* ... the MSB is next */

/* Input clocks since the count was loaded. */
static u64 nvmx_pit_ticks(const struct kvm_pit_channel_state *c, s64 now)
{
	u64 ns = now > c->count_load_time ? now - c->count_load_time : 0;

	/* In two parts: ns * 1193182 overflows after about 4 hours. */
	return (ns / NVMX_NSEC_PER_SEC) * NVMX_PIT_FREQ_HZ +
	       (ns % NVMX_NSEC_PER_SEC) * NVMX_PIT_FREQ_HZ / NVMX_NSEC_PER_SEC;
}

u64 nvmx_pit_period_ns(u32 count)
{
	return ((u64)count * NVMX_NSEC_PER_SEC) / NVMX_PIT_FREQ_HZ;
}

u16 nvmx_pit_count(const struct kvm_pit_channel_state *c, s64 now)
{
	u64 d = nvmx_pit_ticks(c, now);
	u32 count = c->count ? c->count : 0x10000;

	switch (c->mode) {
	case 2:
		return count - (d % count);
	case 3:
		/* Square wave: the counter steps by two. */
		return count - ((2 * d) % count);
	default:
		/* 0, 1, 4, 5: counts down once and wraps. */
		return (count - d) & 0xffff;
	}
}

bool nvmx_pit_out(const struct kvm_pit_channel_state *c, s64 now)
{
	u64 d = nvmx_pit_ticks(c, now);
	u32 count = c->count ? c->count : 0x10000;

	switch (c->mode) {
	case 1:
		return d < count;
	case 2:
		/* As KVM: high for the one clock that ends each period. */
		return (d % count) == 0 && d;
	case 3:
		return (d % count) < ((count + 1) >> 1);
	case 4:
	case 5:
		/* As KVM: high for the one clock at the terminal count. */
		return d == count;
	default:
		/* 0: low until the count expires. */
		return d >= count;
	}
}

static void nvmx_pit_load(struct kvm_pit_channel_state *c, u32 val, s64 now)
{
	c->count = val ? val : 0x10000;
	c->count_load_time = now;
}

void nvmx_pit_init(struct nvmx_pit *pit, s64 now)
{
	unsigned int i;

	*pit = (struct nvmx_pit){};
	for (i = 0; i < 3; i++) {
		/* As KVM: no mode until the guest sets one; gate 2 low. */
		pit->s.channels[i].mode = 0xff;
		pit->s.channels[i].gate = i != 2;
		nvmx_pit_load(&pit->s.channels[i], 0, now);
	}
}

static void nvmx_pit_latch_count(struct kvm_pit_channel_state *c, s64 now)
{
	if (c->count_latched)
		return;
	c->latched_count = nvmx_pit_count(c, now);
	c->count_latched = c->rw_mode;
}

static void nvmx_pit_latch_status(struct kvm_pit_channel_state *c, s64 now)
{
	if (c->status_latched)
		return;
	c->status = (nvmx_pit_out(c, now) << 7) | (c->rw_mode << 4) |
		    ((c->mode & 7) << 1) | (c->bcd & 1);
	c->status_latched = 1;
}

static void nvmx_pit_control(struct nvmx_pit *pit, u8 val, s64 now)
{
	unsigned int ch = val >> 6, i;
	struct kvm_pit_channel_state *c;

	if (ch == 3) {
		/* Read-back: bits 1-3 pick counters; bit 5 clear latches
		 * the count, bit 4 clear the status.
		 */
		for (i = 0; i < 3; i++) {
			if (!(val & (2 << i)))
				continue;
			c = &pit->s.channels[i];
			if (!(val & 0x20))
				nvmx_pit_latch_count(c, now);
			if (!(val & 0x10))
				nvmx_pit_latch_status(c, now);
		}
		return;
	}
	c = &pit->s.channels[ch];
	if (!((val >> 4) & 3)) {
		nvmx_pit_latch_count(c, now);
		return;
	}
	c->rw_mode = (val >> 4) & 3;
	c->read_state = c->rw_mode;
	c->write_state = c->rw_mode;
	c->mode = (val >> 1) & 7;
	/* Modes 6 and 7 are 2 and 3. */
	if (c->mode > 5)
		c->mode -= 4;
	c->bcd = val & 1;
}

bool nvmx_pit_write(struct nvmx_pit *pit, u16 port, u8 val, s64 now)
{
	struct kvm_pit_channel_state *c;
	unsigned int ch = port - 0x40;

	if (!nvmx_pit_is_port(port))
		return false;
	if (ch == 3) {
		nvmx_pit_control(pit, val, now);
		return false;
	}
	c = &pit->s.channels[ch];
	switch (c->write_state) {
	case RW_LSB:
		nvmx_pit_load(c, val, now);
		break;
	case RW_MSB:
		nvmx_pit_load(c, val << 8, now);
		break;
	case RW_WORD0:
		c->write_latch = val;
		c->write_state = RW_WORD1;
		return false;
	case RW_WORD1:
		nvmx_pit_load(c, c->write_latch | (val << 8), now);
		c->write_state = RW_WORD0;
		break;
	default:
		/* No control word yet: the datasheet leaves it undefined. */
		return false;
	}
	return ch == 0;
}

u8 nvmx_pit_read(struct nvmx_pit *pit, u16 port, s64 now)
{
	struct kvm_pit_channel_state *c;
	unsigned int ch = port - 0x40;
	u16 count;

	/* The control word register cannot be read. */
	if (!nvmx_pit_is_port(port) || ch == 3)
		return 0xff;
	c = &pit->s.channels[ch];
	if (c->status_latched) {
		c->status_latched = 0;
		return c->status;
	}
	if (c->count_latched) {
		switch (c->count_latched) {
		case RW_MSB:
			c->count_latched = 0;
			return c->latched_count >> 8;
		case RW_WORD0:
			c->count_latched = RW_MSB;
			return c->latched_count & 0xff;
		default:
			c->count_latched = 0;
			return c->latched_count & 0xff;
		}
	}
	count = nvmx_pit_count(c, now);
	switch (c->read_state) {
	case RW_MSB:
		return count >> 8;
	case RW_WORD0:
		c->read_state = RW_WORD1;
		return count & 0xff;
	case RW_WORD1:
		c->read_state = RW_WORD0;
		return count >> 8;
	default:
		return count & 0xff;
	}
}

void nvmx_pit_speaker_write(struct nvmx_pit *pit, u8 val, s64 now)
{
	struct kvm_pit_channel_state *c = &pit->s.channels[2];
	bool gate = val & 1;

	/* A rising gate restarts the count in modes 1, 2, 3 and 5. */
	if (gate && !c->gate && c->mode != 0 && c->mode != 4)
		c->count_load_time = now;
	c->gate = gate;
	pit->speaker_data_on = val & 2;
}

u8 nvmx_pit_speaker_read(struct nvmx_pit *pit, s64 now)
{
	const struct kvm_pit_channel_state *c = &pit->s.channels[2];
	/* Bit 4 is the DRAM refresh toggle: about every 15 us. */
	bool refresh = ((u64)now >> 14) & 1;

	return (nvmx_pit_out(c, now) << 5) | (refresh << 4) |
	       (pit->speaker_data_on << 1) | (c->gate & 1);
}

enum nvmx_pit_timer nvmx_pit_ch0_timer(const struct nvmx_pit *pit)
{
	if (pit->s.flags & KVM_PIT_FLAGS_HPET_LEGACY)
		return NVMX_PIT_TIMER_STOP;
	switch (pit->s.channels[0].mode) {
	case 0:
	case 1:
	case 4:
		return NVMX_PIT_TIMER_ONESHOT;
	case 2:
	case 3:
		return NVMX_PIT_TIMER_PERIODIC;
	default:
		return NVMX_PIT_TIMER_STOP;
	}
}

void nvmx_pit_set_state(struct nvmx_pit *pit, const struct kvm_pit_state2 *s,
			s64 now)
{
	unsigned int i;

	pit->s = *s;
	/* Any count is safe: the arithmetic above takes 0 as 65536. */
	for (i = 0; i < 3; i++)
		nvmx_pit_load(&pit->s.channels[i], pit->s.channels[i].count,
			      now);
}
