// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel PIC and IOAPIC as state: the guest programs them through
 * their ports and MMIO window (and reads them back), the host raises
 * lines with KVM_IRQ_LINE(_STATUS) through KVM's default GSI routes and
 * checks the statuses and KVM_GET_IRQCHIP, then KVM_SET_IRQCHIP state the
 * guest reads. Every line the test raises is masked or reaches only the
 * PIC (the guest runs with IF=0), so nothing depends on delivery to a
 * local APIC. Plus the negatives: bad chip ids, bad pointers, a VM
 * without an irqchip, KVM_CREATE_IRQCHIP twice or after a vCPU.
 */
#include "nvmx_kvm.h"
#include "processor.h"
#include "test_util.h"

#define IOAPIC_GPA	0xfec00000UL
#define REDIR(pin)	(0x10 + 2 * (pin))
#define MASKED		0x10000U
#define LEVEL		0x8000U

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

static u32 ioapic_rd(u32 reg)
{
	u32 *io = (u32 *)IOAPIC_GPA;

	WRITE_ONCE(io[0], reg);
	return READ_ONCE(io[4]);
}

static void ioapic_wr(u32 reg, u32 v)
{
	u32 *io = (u32 *)IOAPIC_GPA;

	WRITE_ONCE(io[0], reg);
	WRITE_ONCE(io[4], v);
}

static void guest_code(void)
{
	/* Master: vectors 0x30, slave on IRQ2, 8086 mode. */
	out8(0x20, 0x11);
	out8(0x21, 0x30);
	out8(0x21, 0x04);
	out8(0x21, 0x01);
	out8(0xa0, 0x11);
	out8(0xa1, 0x38);
	out8(0xa1, 0x02);
	out8(0xa1, 0x01);
	/* IRQ0, 2 and 3 open on the master; the slave all masked. */
	out8(0x21, 0xf2);
	out8(0xa1, 0xff);
	GUEST_ASSERT_EQ(in8(0x21), 0xf2);
	GUEST_ASSERT_EQ(in8(0xa1), 0xff);
	/* ELCR: IRQ10 and 11 level; IRQ0-2 cannot be. */
	out8(0x4d1, 0x0c);
	out8(0x4d0, 0xff);
	GUEST_ASSERT_EQ(in8(0x4d1), 0x0c);
	GUEST_ASSERT_EQ(in8(0x4d0), 0xf8);
	out8(0x4d0, 0x00);

	GUEST_ASSERT_EQ(ioapic_rd(0x01), 0x00170011);
	ioapic_wr(0x00, 0x05000000);
	GUEST_ASSERT_EQ(ioapic_rd(0x00), 0x05000000);
	GUEST_ASSERT_EQ(ioapic_rd(REDIR(9)), MASKED);
	ioapic_wr(REDIR(9) + 1, 0x01000000);
	ioapic_wr(REDIR(9), MASKED | LEVEL | 0x49);
	GUEST_ASSERT_EQ(ioapic_rd(REDIR(9)), MASKED | LEVEL | 0x49);
	GUEST_ASSERT_EQ(ioapic_rd(REDIR(9) + 1), 0x01000000);
	/* Beyond the last pin: all ones. */
	GUEST_ASSERT_EQ(ioapic_rd(REDIR(24)), 0xffffffff);
	GUEST_SYNC(1);

	/*
	 * The host raised IRQ3 (edge), IRQ9 (edge, masked: latched anyway)
	 * and IRQ10 (level, masked, still high).
	 */
	out8(0x20, 0x0a);
	GUEST_ASSERT_EQ(in8(0x20), 0x08);
	out8(0xa0, 0x0a);
	GUEST_ASSERT_EQ(in8(0xa0), 0x06);
	out8(0x20, 0x0b);
	GUEST_ASSERT_EQ(in8(0x20), 0x00);
	GUEST_SYNC(2);

	/* The host's KVM_SET_IRQCHIP, seen by the guest. */
	GUEST_SYNC_ARGS(3, in8(0x21), in8(0xa1), ioapic_rd(0x00),
			ioapic_rd(REDIR(1)));
	GUEST_DONE();
}

static int irq_line_status(struct kvm_vm *vm, u32 gsi, u32 level)
{
	struct kvm_irq_level ev = { .irq = gsi, .level = level };

	vm_ioctl(vm, KVM_IRQ_LINE_STATUS, &ev);
	return ev.status;
}

static struct kvm_irqchip get_chip(struct kvm_vm *vm, u32 id)
{
	struct kvm_irqchip c = { .chip_id = id };

	vm_ioctl(vm, KVM_GET_IRQCHIP, &c);
	return c;
}

static void expect_status(struct kvm_vm *vm, u32 gsi, u32 level, int want)
{
	int s = irq_line_status(vm, gsi, level);

	TEST_ASSERT(s == want, "GSI %u level %u: status %d, want %d",
		    gsi, level, s, want);
}

static void check_initial_state(struct kvm_vm *vm)
{
	struct kvm_irqchip m = get_chip(vm, KVM_IRQCHIP_PIC_MASTER);
	struct kvm_irqchip s = get_chip(vm, KVM_IRQCHIP_PIC_SLAVE);
	struct kvm_irqchip io = get_chip(vm, KVM_IRQCHIP_IOAPIC);
	int pin;

	TEST_ASSERT(m.chip.pic.elcr_mask == 0xf8 && s.chip.pic.elcr_mask == 0xde,
		    "ELCR masks %#x %#x", m.chip.pic.elcr_mask, s.chip.pic.elcr_mask);
	TEST_ASSERT(!m.chip.pic.irr && !m.chip.pic.isr && !m.chip.pic.imr &&
		    !m.chip.pic.irq_base && !m.chip.pic.init_state,
		    "master at creation: irr %#x isr %#x imr %#x base %#x",
		    m.chip.pic.irr, m.chip.pic.isr, m.chip.pic.imr,
		    m.chip.pic.irq_base);
	TEST_ASSERT(io.chip.ioapic.base_address == IOAPIC_GPA,
		    "IOAPIC base %#llx", io.chip.ioapic.base_address);
	TEST_ASSERT(!io.chip.ioapic.id && !io.chip.ioapic.irr,
		    "IOAPIC id %u irr %#x", io.chip.ioapic.id, io.chip.ioapic.irr);
	for (pin = 0; pin < KVM_IOAPIC_NUM_PINS; pin++)
		TEST_ASSERT(io.chip.ioapic.redirtbl[pin].bits == MASKED,
			    "pin %d: %#llx", pin,
			    io.chip.ioapic.redirtbl[pin].bits);
}

static void check_lines(struct kvm_vm *vm)
{
	struct kvm_irqchip m, s, io;

	/* GSI 3: PIC IRQ3 open (1) and IOAPIC pin 3 masked (-1). */
	expect_status(vm, 3, 1, 1);
	expect_status(vm, 3, 1, 1);	/* still high: no new edge */
	/* Lowering: 1 from each chip, summed. */
	expect_status(vm, 3, 0, 2);
	/* PIC IRR still set: coalesced (0); IOAPIC's new edge masked. */
	expect_status(vm, 3, 1, 0);
	expect_status(vm, 3, 0, 2);
	/* GSI 10: slave IRQ10 masked (-1), IOAPIC pin 10 masked (-1). */
	expect_status(vm, 10, 1, -1);
	/* GSI 20: IOAPIC only, masked; lowering it is 1. */
	expect_status(vm, 20, 1, -1);
	expect_status(vm, 20, 0, 1);
	expect_status(vm, 9, 1, -1);
	/* No route: -1, and the ioctl succeeds. */
	expect_status(vm, 30, 1, -1);
	expect_status(vm, 4095, 1, -1);
	expect_status(vm, 0xffffffff, 1, -1);

	m = get_chip(vm, KVM_IRQCHIP_PIC_MASTER);
	s = get_chip(vm, KVM_IRQCHIP_PIC_SLAVE);
	io = get_chip(vm, KVM_IRQCHIP_IOAPIC);
	TEST_ASSERT(m.chip.pic.irq_base == 0x30 && m.chip.pic.imr == 0xf2 &&
		    m.chip.pic.init4 == 1 && !m.chip.pic.init_state &&
		    m.chip.pic.irr == 0x08 && !m.chip.pic.isr && !m.chip.pic.elcr,
		    "master: base %#x imr %#x init4 %u state %u irr %#x isr %#x elcr %#x",
		    m.chip.pic.irq_base, m.chip.pic.imr, m.chip.pic.init4,
		    m.chip.pic.init_state, m.chip.pic.irr, m.chip.pic.isr,
		    m.chip.pic.elcr);
	/* IRQ10 is level: IRR follows the (masked) line; IRQ9 is edge. */
	TEST_ASSERT(s.chip.pic.irq_base == 0x38 && s.chip.pic.imr == 0xff &&
		    s.chip.pic.elcr == 0x0c && s.chip.pic.irr == 0x06,
		    "slave: base %#x imr %#x elcr %#x irr %#x",
		    s.chip.pic.irq_base, s.chip.pic.imr, s.chip.pic.elcr,
		    s.chip.pic.irr);
	TEST_ASSERT(io.chip.ioapic.id == 5, "IOAPIC id %u", io.chip.ioapic.id);
	TEST_ASSERT(io.chip.ioapic.irr == ((1u << 10) | (1u << 9)),
		    "IOAPIC irr %#x", io.chip.ioapic.irr);
	TEST_ASSERT(io.chip.ioapic.redirtbl[9].bits ==
		    (0x0100000000000000ull | MASKED | LEVEL | 0x49),
		    "pin 9: %#llx", io.chip.ioapic.redirtbl[9].bits);
	TEST_ASSERT(io.chip.ioapic.ioregsel == REDIR(24),
		    "IOREGSEL %#x", io.chip.ioapic.ioregsel);

	/* Lowering the level line clears its IRR bit. */
	expect_status(vm, 10, 0, 1);
	s = get_chip(vm, KVM_IRQCHIP_PIC_SLAVE);
	TEST_ASSERT(s.chip.pic.irr == 0x02, "slave irr %#x", s.chip.pic.irr);
	expect_status(vm, 10, 1, -1);	/* for the guest's stage 2 */
	expect_status(vm, 9, 0, 1);

	/* KVM_IRQ_LINE (no status) succeeds and acts the same. */
	{
		struct kvm_irq_level ev = { .irq = 5, .level = 1 };

		vm_ioctl(vm, KVM_IRQ_LINE, &ev);
		ev.level = 0;
		vm_ioctl(vm, KVM_IRQ_LINE, &ev);
		m = get_chip(vm, KVM_IRQCHIP_PIC_MASTER);
		TEST_ASSERT(m.chip.pic.irr == 0x28, "master irr %#x", m.chip.pic.irr);
		/* The guest expects only IRQ3: take IRQ5 back by ICW-less SET. */
		m.chip.pic.irr = 0x08;
		vm_ioctl(vm, KVM_SET_IRQCHIP, &m);
	}
}

static void set_state(struct kvm_vm *vm)
{
	struct kvm_irqchip m = get_chip(vm, KVM_IRQCHIP_PIC_MASTER);
	struct kvm_irqchip io = get_chip(vm, KVM_IRQCHIP_IOAPIC), back;

	m.chip.pic.imr = 0x5a;
	m.chip.pic.irr = 0;
	vm_ioctl(vm, KVM_SET_IRQCHIP, &m);
	back = get_chip(vm, KVM_IRQCHIP_PIC_MASTER);
	TEST_ASSERT(!memcmp(&back.chip.pic, &m.chip.pic, sizeof(m.chip.pic)),
		    "master state not kept");

	io.chip.ioapic.id = 3;
	io.chip.ioapic.redirtbl[1].bits = 0x0200000000010061ull;
	io.chip.ioapic.irr = 0;
	vm_ioctl(vm, KVM_SET_IRQCHIP, &io);
	back = get_chip(vm, KVM_IRQCHIP_IOAPIC);
	TEST_ASSERT(!memcmp(&back.chip.ioapic, &io.chip.ioapic,
			    sizeof(io.chip.ioapic)), "IOAPIC state not kept");
}

static void expect_errno(int r, int err, const char *what)
{
	TEST_ASSERT(r == -1 && errno == err, "%s: %d errno %d (%s), want %s",
		    what, r, errno, strerror(errno), strerror(err));
}

static void negatives(struct kvm_vm *vm)
{
	struct kvm_irqchip c = { .chip_id = 3 };
	struct kvm_irq_level ev = { .irq = 0 };
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = 0x30 };
	struct kvm_irq_routing rt = { .nr = 0 };
	struct kvm_vm *bare;
	int vcpu_fd;

	expect_errno(__vm_ioctl(vm, KVM_GET_IRQCHIP, &c), EINVAL, "GET chip 3");
	expect_errno(__vm_ioctl(vm, KVM_SET_IRQCHIP, &c), EINVAL, "SET chip 3");
	c.chip_id = 0xffffffff;
	expect_errno(__vm_ioctl(vm, KVM_GET_IRQCHIP, &c), EINVAL, "GET chip -1");
	expect_errno(ioctl(vm->fd, KVM_GET_IRQCHIP, (void *)8), EFAULT, "GET fault");
	expect_errno(ioctl(vm->fd, KVM_SET_IRQCHIP, (void *)8), EFAULT, "SET fault");
	expect_errno(ioctl(vm->fd, KVM_IRQ_LINE, (void *)8), EFAULT, "LINE fault");
	expect_errno(ioctl(vm->fd, KVM_IRQ_LINE_STATUS, (void *)8), EFAULT,
		     "LINE_STATUS fault");
	expect_errno(ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0), EEXIST,
		     "CREATE_IRQCHIP twice");

	/* No irqchip: the state ioctls are ENXIO, routing and MSIs EINVAL. */
	bare = vm_create_barebones();
	c.chip_id = 0;
	expect_errno(__vm_ioctl(bare, KVM_GET_IRQCHIP, &c), ENXIO, "bare GET");
	expect_errno(__vm_ioctl(bare, KVM_SET_IRQCHIP, &c), ENXIO, "bare SET");
	expect_errno(__vm_ioctl(bare, KVM_IRQ_LINE, &ev), ENXIO, "bare LINE");
	expect_errno(__vm_ioctl(bare, KVM_IRQ_LINE_STATUS, &ev), ENXIO,
		     "bare LINE_STATUS");
	expect_errno(__vm_ioctl(bare, KVM_SIGNAL_MSI, &msi), EINVAL, "bare MSI");
	expect_errno(__vm_ioctl(bare, KVM_SET_GSI_ROUTING, &rt), EINVAL,
		     "bare routing");
	/* The chip must come before the vCPUs. */
	vcpu_fd = ioctl(bare->fd, KVM_CREATE_VCPU, 0);
	TEST_ASSERT(vcpu_fd >= 0, "KVM_CREATE_VCPU: %s", strerror(errno));
	expect_errno(ioctl(bare->fd, KVM_CREATE_IRQCHIP, 0), EINVAL,
		     "CREATE_IRQCHIP after a vCPU");
	close(vcpu_fd);
	kvm_vm_free(bare);
}

/* The capabilities of what this test and irqchip_delivery_test use. */
static void check_caps(void)
{
	TEST_ASSERT(kvm_check_cap(KVM_CAP_IRQCHIP) == 1, "KVM_CAP_IRQCHIP %d",
		    kvm_check_cap(KVM_CAP_IRQCHIP));
	TEST_ASSERT(kvm_check_cap(KVM_CAP_IRQ_INJECT_STATUS) == 1,
		    "KVM_CAP_IRQ_INJECT_STATUS %d",
		    kvm_check_cap(KVM_CAP_IRQ_INJECT_STATUS));
	TEST_ASSERT(kvm_check_cap(KVM_CAP_IRQ_ROUTING) == 4096,
		    "KVM_CAP_IRQ_ROUTING %d", kvm_check_cap(KVM_CAP_IRQ_ROUTING));
	TEST_ASSERT(kvm_check_cap(KVM_CAP_SIGNAL_MSI) == 1,
		    "KVM_CAP_SIGNAL_MSI %d", kvm_check_cap(KVM_CAP_SIGNAL_MSI));
	TEST_ASSERT(kvm_check_cap(KVM_CAP_IRQFD) == 1, "KVM_CAP_IRQFD %d",
		    kvm_check_cap(KVM_CAP_IRQFD));
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	check_caps();
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	virt_pg_map(vm, IOAPIC_GPA, IOAPIC_GPA);
	check_initial_state(vm);
	run_to(vcpu, 1);
	check_lines(vm);
	run_to(vcpu, 2);
	set_state(vm);
	uc = run_to(vcpu, 3);
	TEST_ASSERT(uc.args[2] == 0x5a && uc.args[3] == 0xff &&
		    uc.args[4] == 0x03000000 && uc.args[5] == 0x10061,
		    "guest read imr %#lx/%#lx id %#lx redir1 %#lx",
		    uc.args[2], uc.args[3], uc.args[4], uc.args[5]);
	run_to(vcpu, RUN_TO_DONE);
	negatives(vm);
	kvm_vm_free(vm);
	printf("irqchip_test: ok\n");
	return 0;
}
