// SPDX-License-Identifier: GPL-2.0
/*
 * Interrupts from the in-kernel irqchip reach a guest handler: an
 * IOAPIC-routed level KVM_IRQ_LINE (remote IRR until the EOI, sent again
 * by an EOI while the line is still high, not after it fell), an MSI
 * from KVM_SIGNAL_MSI, an MSI GSI route raised with KVM_IRQ_LINE, and the
 * PIC's ExtINT through LINT0, an irqfd on the MSI route, and the PIT's
 * periodic IRQ0 through the PIC (three ticks). Each is counted by the
 * guest's handler with its vector; the host checks the statuses and the
 * IOAPIC's remote IRR.
 */
#include <sys/eventfd.h>

#include "nvmx_kvm.h"
#include "apic.h"
#include "processor.h"
#include "test_util.h"

#define IOAPIC_GPA	0xfec00000UL
#define REDIR(pin)	(0x10 + 2 * (pin))
#define LEVEL		0x8000U
#define REG_LVT0	0x350
#define LVT_MASKED	0x10000U
#define DM_EXTINT	0x700U

#define VEC_IOAPIC	0x50
#define VEC_MSI		0x60
#define VEC_ROUTE	0x61
#define PIC_BASE	0x30
#define SPIN_MAX	1000000

/* Per vector: interrupts the guest's handler took. */
static u32 hits[256];

static void handler(struct ex_regs *regs)
{
	WRITE_ONCE(hits[regs->vector], hits[regs->vector] + 1);
}

static inline void out8(u16 port, u8 v)
{
	asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static void ioapic_wr(u32 reg, u32 v)
{
	u32 *io = (u32 *)IOAPIC_GPA;

	WRITE_ONCE(io[0], reg);
	WRITE_ONCE(io[4], v);
}

/* Opens interrupts until vector @vec has @n hits (or gives up). */
static void wait_hits(u8 vec, u32 n)
{
	long i;

	for (i = 0; i < SPIN_MAX && READ_ONCE(hits[vec]) < n; i++)
		asm volatile("sti; nop; cli" : : : "memory");
	GUEST_ASSERT_EQ(READ_ONCE(hits[vec]), n);
}

/* A window with interrupts open, for what must not arrive. */
static void open_window(void)
{
	int i;

	for (i = 0; i < 1000; i++)
		asm volatile("sti; nop; cli" : : : "memory");
}

static void pic_init(u8 master_mask)
{
	out8(0x20, 0x11);
	out8(0x21, PIC_BASE);
	out8(0x21, 0x04);
	out8(0x21, 0x01);
	out8(0xa0, 0x11);
	out8(0xa1, PIC_BASE + 8);
	out8(0xa1, 0x02);
	out8(0xa1, 0x01);
	out8(0x21, master_mask);
	out8(0xa1, 0xff);
}

static void guest_code(void)
{
	int i;

	pic_init(0xff);
	xapic_enable();
	xapic_write_reg(REG_LVT0, LVT_MASKED);
	/* Pin 5: level, physical destination APIC 0. */
	ioapic_wr(REDIR(5) + 1, 0);
	ioapic_wr(REDIR(5), VEC_IOAPIC | LEVEL);
	GUEST_SYNC(1);

	wait_hits(VEC_IOAPIC, 1);
	GUEST_SYNC(2);
	/* EOI with the line still high: it comes again. */
	xapic_write_reg(APIC_EOI, 0);
	wait_hits(VEC_IOAPIC, 2);
	GUEST_SYNC(3);
	/* The line fell: the EOI ends it. */
	xapic_write_reg(APIC_EOI, 0);
	open_window();
	GUEST_ASSERT_EQ(READ_ONCE(hits[VEC_IOAPIC]), 2);
	GUEST_SYNC(4);

	/* Both MSIs are in the IRR: the higher vector first. */
	wait_hits(VEC_ROUTE, 1);
	GUEST_ASSERT_EQ(READ_ONCE(hits[VEC_MSI]), 0);
	xapic_write_reg(APIC_EOI, 0);
	wait_hits(VEC_MSI, 1);
	xapic_write_reg(APIC_EOI, 0);

	/* ExtINT: the PIC on LINT0, IRQ3 open. */
	pic_init(0xf7);
	xapic_write_reg(REG_LVT0, DM_EXTINT);
	GUEST_SYNC(5);
	wait_hits(PIC_BASE + 3, 1);
	out8(0x20, 0x20);
	open_window();
	GUEST_ASSERT_EQ(READ_ONCE(hits[PIC_BASE + 3]), 1);
	GUEST_SYNC(6);
	/* An irqfd on the MSI route's GSI. */
	wait_hits(VEC_ROUTE, 2);
	xapic_write_reg(APIC_EOI, 0);

	/* The PIT's periodic IRQ0 through the PIC, three ticks. */
	pic_init(0xfe);
	out8(0x43, 0x34);
	out8(0x40, 0x00);
	out8(0x40, 0x10);
	for (i = 1; i <= 3; i++) {
		wait_hits(PIC_BASE, i);
		out8(0x20, 0x20);
	}
	out8(0x21, 0xff);
	GUEST_DONE();
}

static int line(struct kvm_vm *vm, u32 gsi, u32 level)
{
	struct kvm_irq_level ev = { .irq = gsi, .level = level };

	vm_ioctl(vm, KVM_IRQ_LINE_STATUS, &ev);
	return ev.status;
}

static int remote_irr(struct kvm_vm *vm, int pin)
{
	struct kvm_irqchip c = { .chip_id = KVM_IRQCHIP_IOAPIC };

	vm_ioctl(vm, KVM_GET_IRQCHIP, &c);
	return c.chip.ioapic.redirtbl[pin].fields.remote_irr;
}

static void set_msi_route(struct kvm_vm *vm)
{
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[3];
	} rt = {
		.hdr.nr = 3,
		.e[0] = { .gsi = 3, .type = KVM_IRQ_ROUTING_IRQCHIP,
			  .u.irqchip = { .irqchip = KVM_IRQCHIP_PIC_MASTER, .pin = 3 } },
		.e[1] = { .gsi = 40, .type = KVM_IRQ_ROUTING_MSI,
			  .u.msi = { .address_lo = 0xfee00000, .data = VEC_ROUTE } },
		/* The PIT's IRQ0. */
		.e[2] = { .gsi = 0, .type = KVM_IRQ_ROUTING_IRQCHIP,
			  .u.irqchip = { .irqchip = KVM_IRQCHIP_PIC_MASTER, .pin = 0 } },
	};

	vm_ioctl(vm, KVM_SET_GSI_ROUTING, &rt.hdr);
}

/* The APIC's IRR (KVM_GET_LAPIC) holds @vec. */
static void irr_has(struct kvm_vcpu *vcpu, u8 vec)
{
	struct kvm_lapic_state st;
	u32 w;

	vcpu_ioctl(vcpu, KVM_GET_LAPIC, &st);
	memcpy(&w, &st.regs[0x200 + (vec / 32) * 0x10], 4);
	TEST_ASSERT(w & (1u << (vec % 32)), "IRR word %u: %#x", vec / 32, w);
}

/* run_to(), with the vCPU's injection stats in the log when it fails. */
static void run_stage(struct kvm_vcpu *vcpu, u64 stage)
{
	u64 inj = 0, win = 0;

	vcpu_stat_get(vcpu, "irq_injections", 0, &inj);
	vcpu_stat_get(vcpu, "irq_window_exits", 0, &win);
	printf("before stage %lu: irq_injections %lu irq_window_exits %lu\n",
	       stage, inj, win);
	run_to(vcpu, stage);
}

int main(void)
{
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = VEC_MSI };
	struct kvm_pit_config pit = {};
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int s, v;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_ioctl(vm, KVM_CREATE_PIT2, &pit);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	for (v = 32; v < 256; v++)
		vm_install_exception_handler(vm, v, handler);
	virt_pg_map(vm, APIC_DEFAULT_GPA, APIC_DEFAULT_GPA);
	virt_pg_map(vm, IOAPIC_GPA, IOAPIC_GPA);

	run_to(vcpu, 1);
	/* PIC IRQ5 masked (-1), IOAPIC pin 5 sent to one APIC (1). */
	s = line(vm, 5, 1);
	TEST_ASSERT(s == 1, "GSI 5 raised: status %d", s);
	irr_has(vcpu, VEC_IOAPIC);
	run_stage(vcpu, 2);
	TEST_ASSERT(remote_irr(vm, 5) == 1, "remote IRR before the EOI");
	/* Waiting for the EOI: not sent. */
	s = line(vm, 5, 1);
	TEST_ASSERT(s == -1, "GSI 5 again before the EOI: status %d", s);
	run_stage(vcpu, 3);
	line(vm, 5, 0);
	run_stage(vcpu, 4);
	TEST_ASSERT(remote_irr(vm, 5) == 0, "remote IRR after the EOI");

	s = __vm_ioctl(vm, KVM_SIGNAL_MSI, &msi);
	TEST_ASSERT(s == 1, "KVM_SIGNAL_MSI: %d (%s)", s, strerror(errno));
	set_msi_route(vm);
	s = line(vm, 40, 1);
	TEST_ASSERT(s == 1, "MSI route raised: status %d", s);
	TEST_ASSERT(line(vm, 40, 0) == -1, "MSI route lowered");
	/* No APIC has ID 7: nobody takes it. */
	msi.address_lo = 0xfee07000;
	s = __vm_ioctl(vm, KVM_SIGNAL_MSI, &msi);
	TEST_ASSERT(s == 0, "MSI to no APIC: %d", s);
	msi.flags = 2;
	s = __vm_ioctl(vm, KVM_SIGNAL_MSI, &msi);
	TEST_ASSERT(s == -1 && errno == EINVAL, "MSI flags 2: %d %s", s,
		    strerror(errno));

	run_to(vcpu, 5);
	s = line(vm, 3, 1);
	TEST_ASSERT(s == 1, "GSI 3 (PIC only now): status %d", s);
	line(vm, 3, 0);
	run_stage(vcpu, 6);
	{
		struct kvm_irqfd fd = { .fd = eventfd(0, 0), .gsi = 40 };
		u64 one = 1;

		TEST_ASSERT((int)fd.fd >= 0, "eventfd");
		vm_ioctl(vm, KVM_IRQFD, &fd);
		TEST_ASSERT(write(fd.fd, &one, 8) == 8, "eventfd write");
		run_to(vcpu, RUN_TO_DONE);
		close(fd.fd);
	}
	kvm_vm_free(vm);
	printf("irqchip_delivery_test: ok\n");
	return 0;
}
