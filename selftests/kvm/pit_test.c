// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel PIT (KVM_CREATE_PIT2): the guest programs counters 0-2
 * through ports 0x40-0x43 and 0x61 and reads them back (latch, read-back
 * status, counter 2's output on port 0x61); counter 0's one-shot ends in
 * an IRQ0 edge the host sees in the PIC's IRR (KVM_GET_IRQCHIP: the PIC
 * takes it, delivery to the CPU is not needed: the guest runs with IF=0);
 * KVM_GET/SET_PIT2 state, KVM_REINJECT_CONTROL, and the negatives.
 * Counts depend on time, so only bounds and fixed fields are checked.
 */
#include <time.h>

#include "nvmx_kvm.h"
#include "processor.h"
#include "test_util.h"

static inline void out8(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline u8 in8(u16 port)
{
	u8 v;

	asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

static u16 read_count(u16 port)
{
	u8 lo = in8(port);

	return lo | (in8(port) << 8);
}

/* Read-back status of counter @ch (count not latched). */
static u8 status(unsigned int ch)
{
	out8(0x43, 0xe0 | (2 << ch));
	return in8(0x40 + ch);
}

#define SPIN_MAX	10000000

static void guest_code(void)
{
	u16 c1, c2;
	long i;

	/* Counter 1: rate generator, LSB then MSB. */
	out8(0x43, 0x74);
	out8(0x41, 0x00);
	out8(0x41, 0x40);
	GUEST_ASSERT_EQ(status(1) & 0x3f, 0x34);
	out8(0x43, 0x40);		/* latch counter 1 */
	c1 = read_count(0x41);
	GUEST_ASSERT(c1 > 0 && c1 <= 0x4000);
	/* Counter 2: gate on, speaker off, one-shot; its output on 0x61. */
	out8(0x61, 0x01);
	out8(0x43, 0xb0);
	out8(0x42, 0x00);
	out8(0x42, 0x02);
	for (i = 0; i < SPIN_MAX && !(in8(0x61) & 0x20); i++)
		;
	GUEST_ASSERT(i < SPIN_MAX);
	GUEST_ASSERT_EQ(in8(0x61) & 0x03, 0x01);
	GUEST_ASSERT_EQ(status(2) & 0xbf, 0xb0);
	/* Counter 0: one-shot of 256 clocks: one IRQ0 edge at its end. */
	out8(0x43, 0x30);
	out8(0x40, 0x00);
	out8(0x40, 0x01);
	for (i = 0; i < SPIN_MAX && !(status(0) & 0x80); i++)
		;
	GUEST_ASSERT(i < SPIN_MAX);
	GUEST_SYNC(1);

	/* The host's KVM_SET_PIT2: counter 1 in mode 3 from 0x1234. */
	GUEST_ASSERT_EQ(status(1) & 0x3f, 0x36);
	c2 = read_count(0x41);
	GUEST_ASSERT(c2 > 0 && c2 <= 0x1234);
	GUEST_DONE();
}

static void expect_errno(int r, int err, const char *what)
{
	TEST_ASSERT(r == -1 && errno == err, "%s: %d errno %d (%s), want %s",
		    what, r, errno, strerror(errno), strerror(err));
}

static struct kvm_pit_state2 get_pit(struct kvm_vm *vm)
{
	struct kvm_pit_state2 s;

	memset(&s, 0xcc, sizeof(s));
	vm_ioctl(vm, KVM_GET_PIT2, &s);
	return s;
}

static void check_initial(struct kvm_vm *vm)
{
	struct kvm_pit_state2 s = get_pit(vm);
	int i;

	for (i = 0; i < 3; i++) {
		struct kvm_pit_channel_state *c = &s.channels[i];

		TEST_ASSERT(c->mode == 0xff && c->count == 0x10000 &&
			    c->gate == (i != 2) && !c->rw_mode && !c->bcd &&
			    !c->count_latched && !c->status_latched,
			    "counter %d at creation: mode %#x count %#x gate %u rw %u",
			    i, c->mode, c->count, c->gate, c->rw_mode);
	}
	TEST_ASSERT(!s.flags, "flags %#x", s.flags);
	for (i = 0; i < 9; i++)
		TEST_ASSERT(!s.reserved[i], "reserved[%d] %#x", i, s.reserved[i]);
}

/* IRQ0 reached the PIC: master IRR bit 0 (the one-shot's single edge). */
static void wait_irq0(struct kvm_vm *vm)
{
	struct kvm_irqchip c = { .chip_id = KVM_IRQCHIP_PIC_MASTER };
	struct timespec ts = { 0, 1000000 };
	int i;

	/* The tick is raised from the host's timer, after the guest saw OUT. */
	for (i = 0; i < 10000; i++) {
		vm_ioctl(vm, KVM_GET_IRQCHIP, &c);
		if (c.chip.pic.irr & 1)
			return;
		nanosleep(&ts, NULL);
	}
	TEST_FAIL("IRQ0 never reached the PIC: irr %#x", c.chip.pic.irr);
}

static void check_programmed(struct kvm_vm *vm)
{
	struct kvm_pit_state2 s = get_pit(vm), back;

	TEST_ASSERT(s.channels[1].mode == 2 && s.channels[1].rw_mode == 3 &&
		    s.channels[1].count == 0x4000,
		    "counter 1: mode %u rw %u count %#x", s.channels[1].mode,
		    s.channels[1].rw_mode, s.channels[1].count);
	TEST_ASSERT(s.channels[2].mode == 0 && s.channels[2].count == 0x200 &&
		    s.channels[2].gate == 1, "counter 2: mode %u count %#x gate %u",
		    s.channels[2].mode, s.channels[2].count, s.channels[2].gate);
	TEST_ASSERT(s.channels[0].mode == 0 && s.channels[0].count == 0x100,
		    "counter 0: mode %u count %#x", s.channels[0].mode,
		    s.channels[0].count);
	TEST_ASSERT(!s.channels[1].count_latched && !s.channels[1].status_latched,
		    "latches left: %u %u", s.channels[1].count_latched,
		    s.channels[1].status_latched);

	s.channels[1].mode = 3;
	s.channels[1].count = 0x1234;
	s.flags = KVM_PIT_FLAGS_HPET_LEGACY;
	s.reserved[0] = 0xdead;
	vm_ioctl(vm, KVM_SET_PIT2, &s);
	back = get_pit(vm);
	TEST_ASSERT(back.channels[1].mode == 3 && back.channels[1].count == 0x1234 &&
		    back.flags == KVM_PIT_FLAGS_HPET_LEGACY && !back.reserved[0],
		    "after SET: mode %u count %#x flags %#x reserved %#x",
		    back.channels[1].mode, back.channels[1].count, back.flags,
		    back.reserved[0]);
	/* Everything but the load times (now, on SET) is as given. */
	back.channels[0].count_load_time = s.channels[0].count_load_time;
	back.channels[1].count_load_time = s.channels[1].count_load_time;
	back.channels[2].count_load_time = s.channels[2].count_load_time;
	TEST_ASSERT(!memcmp(back.channels, s.channels, sizeof(s.channels)),
		    "channel state not kept");
}

static void negatives(struct kvm_vm *vm)
{
	struct kvm_pit_config cfg = {};
	struct kvm_pit_state2 s;
	struct kvm_reinject_control rc = { .pit_reinject = 0 };
	struct kvm_vm *bare;

	expect_errno(__vm_ioctl(vm, KVM_CREATE_PIT2, &cfg), EEXIST, "PIT twice");
	expect_errno(ioctl(vm->fd, KVM_CREATE_PIT, 0), EEXIST, "old PIT after PIT2");
	expect_errno(ioctl(vm->fd, KVM_GET_PIT2, (void *)8), EFAULT, "GET fault");
	expect_errno(ioctl(vm->fd, KVM_SET_PIT2, (void *)8), EFAULT, "SET fault");
	expect_errno(ioctl(vm->fd, KVM_REINJECT_CONTROL, (void *)8), EFAULT,
		     "reinject fault");
	vm_ioctl(vm, KVM_REINJECT_CONTROL, &rc);
	rc.pit_reinject = 1;
	vm_ioctl(vm, KVM_REINJECT_CONTROL, &rc);

	bare = vm_create_barebones();
	expect_errno(__vm_ioctl(bare, KVM_GET_PIT2, &s), ENXIO, "GET without PIT");
	memset(&s, 0, sizeof(s));
	expect_errno(__vm_ioctl(bare, KVM_SET_PIT2, &s), ENXIO, "SET without PIT");
	expect_errno(__vm_ioctl(bare, KVM_REINJECT_CONTROL, &rc), ENXIO,
		     "reinject without PIT");
	expect_errno(ioctl(bare->fd, KVM_CREATE_PIT2, (void *)8), EFAULT,
		     "create fault");
	/* The old KVM_CREATE_PIT; its state through KVM_GET_PIT. */
	TEST_ASSERT(!ioctl(bare->fd, KVM_CREATE_PIT, 0), "KVM_CREATE_PIT: %s",
		    strerror(errno));
	{
		struct kvm_pit_state old;

		vm_ioctl(bare, KVM_GET_PIT, &old);
		TEST_ASSERT(old.channels[0].mode == 0xff, "old GET mode %#x",
			    old.channels[0].mode);
		old.channels[0].mode = 2;
		vm_ioctl(bare, KVM_SET_PIT, &old);
		s = get_pit(bare);
		TEST_ASSERT(s.channels[0].mode == 2 && !s.flags,
			    "after KVM_SET_PIT: mode %u flags %#x",
			    s.channels[0].mode, s.flags);
	}
	kvm_vm_free(bare);
}

static void check_caps(void)
{
	TEST_ASSERT(kvm_check_cap(KVM_CAP_PIT) == 1, "KVM_CAP_PIT %d",
		    kvm_check_cap(KVM_CAP_PIT));
	TEST_ASSERT(kvm_check_cap(KVM_CAP_PIT2) == 1, "KVM_CAP_PIT2 %d",
		    kvm_check_cap(KVM_CAP_PIT2));
	TEST_ASSERT(kvm_check_cap(KVM_CAP_PIT_STATE2) == 1,
		    "KVM_CAP_PIT_STATE2 %d", kvm_check_cap(KVM_CAP_PIT_STATE2));
}

int main(void)
{
	/* With port 0x61 in the kernel too. */
	struct kvm_pit_config cfg = { .flags = KVM_PIT_SPEAKER_DUMMY };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	check_caps();
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_ioctl(vm, KVM_CREATE_PIT2, &cfg);
	check_initial(vm);
	run_to(vcpu, 1);
	wait_irq0(vm);
	check_programmed(vm);
	run_to(vcpu, RUN_TO_DONE);
	negatives(vm);
	kvm_vm_free(vm);
	printf("pit_test: ok\n");
	return 0;
}
