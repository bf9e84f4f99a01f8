// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_IRQFD: a signalled eventfd pulses its GSI (seen as the PIC's IRR
 * bit through KVM_GET_IRQCHIP; the guest never runs, so no delivery to
 * a CPU is involved: irqchip_delivery_test has that), deassign stops it,
 * closing the eventfd shuts the irqfd down, and the negatives: flags, a
 * file that is no eventfd, a bad fd, an eventfd used twice, no irqchip.
 * KVM_IRQFD_FLAG_RESAMPLE is refused on nvmx, which has no resampling.
 */
#include <sys/eventfd.h>
#include <time.h>

#include "nvmx_kvm.h"
#include "processor.h"
#include "test_util.h"

static struct kvm_irqchip master(struct kvm_vm *vm)
{
	struct kvm_irqchip c = { .chip_id = KVM_IRQCHIP_PIC_MASTER };

	vm_ioctl(vm, KVM_GET_IRQCHIP, &c);
	return c;
}

static void clear_irr(struct kvm_vm *vm)
{
	struct kvm_irqchip c = master(vm);

	c.chip.pic.irr = 0;
	vm_ioctl(vm, KVM_SET_IRQCHIP, &c);
}

/* Whether master IRR bit @pin comes up within about @ms ms. */
static bool irr_comes(struct kvm_vm *vm, int pin, int ms)
{
	struct timespec ts = { 0, 1000000 };
	int i;

	for (i = 0; i < ms; i++) {
		if (master(vm).chip.pic.irr & (1u << pin))
			return true;
		nanosleep(&ts, NULL);
	}
	return false;
}

static void signal_fd(int fd)
{
	u64 one = 1;

	TEST_ASSERT(write(fd, &one, 8) == 8, "eventfd write: %s", strerror(errno));
}

static int irqfd(struct kvm_vm *vm, int fd, u32 gsi, u32 flags, int resamplefd)
{
	struct kvm_irqfd a = { .fd = fd, .gsi = gsi, .flags = flags,
			       .resamplefd = resamplefd };

	return ioctl(vm->fd, KVM_IRQFD, &a) ? errno : 0;
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm, *bare;
	int e1, e2, e3, null, r;

	vm = vm_create_with_one_vcpu(&vcpu, NULL);
	e1 = eventfd(0, 0);
	e2 = eventfd(0, 0);
	TEST_ASSERT(e1 >= 0 && e2 >= 0, "eventfd");

	/* GSI 5: PIC IRQ5 (open at creation) and IOAPIC pin 5 (masked). */
	TEST_ASSERT(!irqfd(vm, e1, 5, 0, 0), "assign");
	signal_fd(e1);
	TEST_ASSERT(irr_comes(vm, 5, 20000), "no IRQ5 after the signal");
	/* An edge pulse: the line is low again, the request latched. */
	clear_irr(vm);
	signal_fd(e1);
	TEST_ASSERT(irr_comes(vm, 5, 20000), "no IRQ5 after the second signal");

	/* A signal pending at assign time is injected then. */
	signal_fd(e2);
	TEST_ASSERT(!irqfd(vm, e2, 6, 0, 0), "assign e2");
	TEST_ASSERT(irr_comes(vm, 6, 20000), "no IRQ6 for the pending signal");

	/* One eventfd, one GSI. */
	r = irqfd(vm, e1, 7, 0, 0);
	TEST_ASSERT(r == EBUSY, "e1 twice: %d", r);

	/* Deassign: the wrong GSI does nothing; the right one stops it. */
	TEST_ASSERT(!irqfd(vm, e1, 9, KVM_IRQFD_FLAG_DEASSIGN, 0), "deassign wrong gsi");
	TEST_ASSERT(!irqfd(vm, e1, 5, KVM_IRQFD_FLAG_DEASSIGN, 0), "deassign");
	TEST_ASSERT(!irqfd(vm, e1, 5, KVM_IRQFD_FLAG_DEASSIGN, 0), "deassign again");
	clear_irr(vm);
	signal_fd(e1);
	TEST_ASSERT(!irr_comes(vm, 5, 200), "IRQ5 after deassign");
	/* Free again: it can be assigned anew. */
	TEST_ASSERT(!irqfd(vm, e1, 5, 0, 0), "reassign");
	TEST_ASSERT(irr_comes(vm, 5, 20000), "no IRQ5 after reassign (pending)");

	/* Closing the eventfd ends its irqfd; a new one takes over. */
	close(e2);
	e3 = eventfd(0, 0);
	TEST_ASSERT(!irqfd(vm, e3, 6, 0, 0), "assign e3");
	clear_irr(vm);
	signal_fd(e3);
	TEST_ASSERT(irr_comes(vm, 6, 20000), "no IRQ6 from e3");

	/* Negatives. */
	r = irqfd(vm, e3, 6, 4, 0);
	TEST_ASSERT(r == EINVAL, "flags 4: %d", r);
	null = open("/dev/null", O_RDWR);
	r = irqfd(vm, null, 6, 0, 0);
	TEST_ASSERT(r == EINVAL, "not an eventfd: %d", r);
	r = irqfd(vm, -1, 6, 0, 0);
	TEST_ASSERT(r == EBADF, "fd -1: %d", r);
	r = irqfd(vm, -1, 6, KVM_IRQFD_FLAG_DEASSIGN, 0);
	TEST_ASSERT(r == EBADF, "deassign fd -1: %d", r);
	TEST_ASSERT(ioctl(vm->fd, KVM_IRQFD, (void *)8) && errno == EFAULT,
		    "fault: %s", strerror(errno));
	if (on_nvmx()) {
		int rs = eventfd(0, 0), e4 = eventfd(0, 0);

		r = irqfd(vm, e4, 10, KVM_IRQFD_FLAG_RESAMPLE, rs);
		TEST_ASSERT(r == EINVAL, "resample on nvmx: %d", r);
		close(rs);
		close(e4);
	}
	bare = vm_create_barebones();
	r = irqfd(bare, e3, 6, 0, 0);
	TEST_ASSERT(r == EINVAL, "no irqchip: %d", r);
	TEST_ASSERT(!irqfd(bare, e3, 6, KVM_IRQFD_FLAG_DEASSIGN, 0),
		    "deassign without irqchip");
	kvm_vm_free(bare);

	/* The VM goes with irqfds assigned: they go with it. */
	kvm_vm_free(vm);
	signal_fd(e1);
	signal_fd(e3);
	close(e1);
	close(e3);
	close(null);
	printf("irqfd_test: ok\n");
	return 0;
}
