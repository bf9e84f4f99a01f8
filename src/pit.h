/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The i8254 PIT (pure logic: builds into nvmx.ko and selftests/unit):
 * three counters at 1.193182 MHz on ports 0x40-0x42, the control word
 * (with counter latch and read-back) on 0x43, and counter 2's gate and
 * output on port 0x61. Counters are not stepped: each access computes the
 * count from the time since the count was loaded, @now in nanoseconds of
 * one monotonic clock. State is KVM's struct kvm_pit_state2, copied as it
 * is by KVM_GET/SET_PIT2.
 *
 * Not locked: the caller serialises every call on one struct nvmx_pit.
 */
#ifndef NVMX_PIT_H
#define NVMX_PIT_H

#include "pure.h"
#include <linux/kvm.h>

#ifndef __KERNEL__
typedef __s64 s64;
#endif

#define NVMX_PIT_FREQ_HZ	1193182ULL
#define NVMX_NSEC_PER_SEC	1000000000ULL

/* How counter 0 drives IRQ0 after a load (nvmx_pit_ch0_timer()). */
enum nvmx_pit_timer {
	NVMX_PIT_TIMER_STOP,
	NVMX_PIT_TIMER_ONESHOT,		/* modes 0, 1, 4: one IRQ0 edge */
	NVMX_PIT_TIMER_PERIODIC,	/* modes 2, 3 */
};

struct nvmx_pit {
	struct kvm_pit_state2 s;
	/* Port 0x61 bit 1: counter 2's output reaches the speaker. */
	bool speaker_data_on;
};

void nvmx_pit_init(struct nvmx_pit *pit, s64 now);
static inline bool nvmx_pit_is_port(u16 port)
{
	return port >= 0x40 && port <= 0x43;
}

/*
 * A guest write to port 0x40-0x43. Returns true when it loaded counter
 * 0's count: IRQ0's timer restarts as nvmx_pit_ch0_timer() says.
 */
bool nvmx_pit_write(struct nvmx_pit *pit, u16 port, u8 val, s64 now);
u8 nvmx_pit_read(struct nvmx_pit *pit, u16 port, s64 now);
/* Port 0x61: gate 2 (bit 0), speaker data (bit 1), output 2 (bit 5). */
void nvmx_pit_speaker_write(struct nvmx_pit *pit, u8 val, s64 now);
u8 nvmx_pit_speaker_read(struct nvmx_pit *pit, s64 now);

/* The counter's value and output at @now. */
u16 nvmx_pit_count(const struct kvm_pit_channel_state *c, s64 now);
bool nvmx_pit_out(const struct kvm_pit_channel_state *c, s64 now);
enum nvmx_pit_timer nvmx_pit_ch0_timer(const struct nvmx_pit *pit);
/* One period of @count input clocks, in ns. */
u64 nvmx_pit_period_ns(u32 count);
/* KVM_SET_PIT2: takes @s, each count reloaded at @now (as KVM). */
void nvmx_pit_set_state(struct nvmx_pit *pit, const struct kvm_pit_state2 *s,
			s64 now);

#endif /* NVMX_PIT_H */
