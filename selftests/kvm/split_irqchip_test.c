// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CAP_SPLIT_IRQCHIP (QEMU's kernel-irqchip=split): LAPICs in the
 * kernel, PIC and IOAPIC in userspace.
 *  - KVM_ENABLE_CAP's checks: flags, more than 4096 pins, twice, after
 *    KVM_CREATE_IRQCHIP, after a vCPU; KVM_CREATE_IRQCHIP after it;
 *  - the PIC/IOAPIC ioctls answer as KVM's: KVM_GET_IRQCHIP ENXIO,
 *    irqchip routes EINVAL, KVM_IRQ_LINE reaches MSI routes only, and
 *    KVM_CREATE_PIT2 is taken (KVM does not refuse it);
 *  - an MSI (KVM_SIGNAL_MSI) and an MSI route (KVM_IRQ_LINE) reach the
 *    guest's handler;
 *  - request_interrupt_window gives KVM_EXIT_IRQ_WINDOW_OPEN, ready for
 *    injection (the PIC is userspace's), but only once LINT0 takes
 *    ExtINT: with it masked the guest runs on;
 *  - KVM_INTERRUPT queues one ExtINT vector (EEXIST for a second) that
 *    the guest takes through LINT0;
 *  - the EOI of a level-triggered MSI route of a userspace IOAPIC pin
 *    exits with KVM_EXIT_IOAPIC_EOI and the vector; one of a GSI beyond
 *    the pin count does not.
 */
#define _GNU_SOURCE /* program_invocation_name */
#include <errno.h>

#include "nvmx_kvm.h"
#include "apic.h"
#include "processor.h"
#include "test_util.h"

#define NR_PINS		24
#define REG_LVT0	0x350
#define DM_EXTINT	0x700U
#define LVT_MASKED	0x10000U
#define MSI_LEVEL	0x8000U

#define VEC_MSI		0x60
#define VEC_ROUTE	0x61
#define VEC_EXT		0x70
#define VEC_LVL		0x80
#define VEC_LVL_HIGH	0x90
#define SPIN_MAX	1000000

static u32 hits[256];

static void handler(struct ex_regs *regs)
{
	WRITE_ONCE(hits[regs->vector], hits[regs->vector] + 1);
}

static void wait_hits(u8 vec, u32 n)
{
	long i;

	for (i = 0; i < SPIN_MAX && READ_ONCE(hits[vec]) < n; i++)
		asm volatile("sti; nop; cli" : : : "memory");
	GUEST_ASSERT_EQ(READ_ONCE(hits[vec]), n);
}

static void guest_code(void)
{
	long i;

	xapic_enable();
	/* LINT0 masked: userspace's window must not open (see main()). */
	xapic_write_reg(REG_LVT0, LVT_MASKED | DM_EXTINT);
	for (i = 0; i < 100; i++)
		asm volatile("sti; nop; cli" : : : "memory");
	GUEST_SYNC(5);
	xapic_write_reg(REG_LVT0, DM_EXTINT);
	GUEST_SYNC(1);
	/* KVM_SIGNAL_MSI and the edge MSI route, highest first. */
	wait_hits(VEC_ROUTE, 1);
	xapic_write_reg(APIC_EOI, 0);
	wait_hits(VEC_MSI, 1);
	xapic_write_reg(APIC_EOI, 0);
	GUEST_SYNC(2);
	/* KVM_INTERRUPT: an ExtINT, in no ISR: no EOI. */
	wait_hits(VEC_EXT, 1);
	GUEST_SYNC(3);
	/* Pin 5's level route: its EOI is userspace's IOAPIC's. */
	wait_hits(VEC_LVL, 1);
	xapic_write_reg(APIC_EOI, 0);
	GUEST_SYNC(4);
	/* GSI 30 is no IOAPIC pin: its EOI stays in the kernel. */
	wait_hits(VEC_LVL_HIGH, 1);
	xapic_write_reg(APIC_EOI, 0);
	GUEST_DONE();
}

static int enable_split(struct kvm_vm *vm, u64 pins, u32 flags)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_SPLIT_IRQCHIP, .flags = flags, .args[0] = pins,
	};

	return __vm_ioctl(vm, KVM_ENABLE_CAP, &cap) ? errno : 0;
}

static void expect_errno(int got, int want, const char *what)
{
	TEST_ASSERT(got == want, "%s: errno %d (%s), want %d", what, got,
		    strerror(got), want);
	printf("ok: %s\n", what);
}

static void negatives(void)
{
	struct kvm_pit_config pit = {};
	struct kvm_vm *vm;
	int r;

	vm = vm_create_barebones();
	expect_errno(enable_split(vm, 4097, 0), EINVAL, "4097 pins");
	expect_errno(enable_split(vm, NR_PINS, 1), EINVAL, "flags 1");
	expect_errno(enable_split(vm, 4096, 0), 0, "4096 pins");
	expect_errno(enable_split(vm, NR_PINS, 0), EEXIST, "twice");
	r = __vm_ioctl(vm, KVM_CREATE_IRQCHIP, NULL) ? errno : 0;
	expect_errno(r, EEXIST, "KVM_CREATE_IRQCHIP after split");
	/* KVM creates a PIT in split mode too (QEMU never asks). */
	r = __vm_ioctl(vm, KVM_CREATE_PIT2, &pit) ? errno : 0;
	expect_errno(r, 0, "KVM_CREATE_PIT2 in split mode");
	kvm_vm_free(vm);

	vm = vm_create_barebones();
	vm_ioctl(vm, KVM_CREATE_IRQCHIP, NULL);
	expect_errno(enable_split(vm, NR_PINS, 0), EEXIST,
		     "split after KVM_CREATE_IRQCHIP");
	kvm_vm_free(vm);

	vm = vm_create_barebones();
	__vm_vcpu_add(vm, 0);
	expect_errno(enable_split(vm, NR_PINS, 0), EEXIST, "split after a vCPU");
	kvm_vm_free(vm);
}

static int line(struct kvm_vm *vm, u32 gsi, u32 level)
{
	struct kvm_irq_level ev = { .irq = gsi, .level = level };

	vm_ioctl(vm, KVM_IRQ_LINE_STATUS, &ev);
	return ev.status;
}

static void routes(struct kvm_vm *vm)
{
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[3];
	} rt = {
		.hdr.nr = 3,
		.e[0] = { .gsi = 40, .type = KVM_IRQ_ROUTING_MSI,
			  .u.msi = { .address_lo = 0xfee00000, .data = VEC_ROUTE } },
		.e[1] = { .gsi = 5, .type = KVM_IRQ_ROUTING_MSI,
			  .u.msi = { .address_lo = 0xfee00000,
				     .data = VEC_LVL | MSI_LEVEL } },
		.e[2] = { .gsi = 30, .type = KVM_IRQ_ROUTING_MSI,
			  .u.msi = { .address_lo = 0xfee00000,
				     .data = VEC_LVL_HIGH | MSI_LEVEL } },
	};
	struct {
		struct kvm_irq_routing hdr;
		struct kvm_irq_routing_entry e[1];
	} bad = {
		.hdr.nr = 1,
		.e[0] = { .gsi = 4, .type = KVM_IRQ_ROUTING_IRQCHIP,
			  .u.irqchip = { .irqchip = KVM_IRQCHIP_IOAPIC, .pin = 4 } },
	};
	int r;

	r = __vm_ioctl(vm, KVM_SET_GSI_ROUTING, &bad.hdr) ? errno : 0;
	expect_errno(r, EINVAL, "irqchip route in split mode");
	vm_ioctl(vm, KVM_SET_GSI_ROUTING, &rt.hdr);
}

int main(void)
{
	struct kvm_msi msi = { .address_lo = 0xfee00000, .data = VEC_MSI };
	struct kvm_irqchip chip = { .chip_id = KVM_IRQCHIP_IOAPIC };
	struct kvm_interrupt irq = { .irq = VEC_EXT };
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	int r, v;

	setbuf(stdout, NULL);
	TEST_REQUIRE(kvm_check_cap(KVM_CAP_SPLIT_IRQCHIP));
	TEST_ASSERT(kvm_check_cap(KVM_CAP_SPLIT_IRQCHIP) == 1,
		    "KVM_CAP_SPLIT_IRQCHIP %d",
		    kvm_check_cap(KVM_CAP_SPLIT_IRQCHIP));
	negatives();

	vm = ____vm_create(VM_MODE_DEFAULT, 2048);
	kvm_vm_elf_load(vm, program_invocation_name);
	expect_errno(enable_split(vm, NR_PINS, 0), 0, "split, 24 pins");
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	run = vcpu->run;
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	for (v = 32; v < 256; v++)
		vm_install_exception_handler(vm, v, handler);
	virt_pg_map(vm, APIC_DEFAULT_GPA, APIC_DEFAULT_GPA);

	r = __vm_ioctl(vm, KVM_GET_IRQCHIP, &chip) ? errno : 0;
	expect_errno(r, ENXIO, "KVM_GET_IRQCHIP in split mode");
	/* No routes yet: KVM_IRQ_LINE reaches nothing. */
	r = line(vm, 3, 1);
	TEST_ASSERT(r == -1, "GSI 3 without routes: status %d", r);
	printf("ok: KVM_IRQ_LINE without a route\n");

	/*
	 * With LINT0 masked the vCPU cannot take an ExtINT: as on KVM, a
	 * window request waits and the guest runs on to its sync (without
	 * the rule, an interrupt-window exit at every entry, for ever).
	 */
	run->request_interrupt_window = 1;
	alarm(120);
	run_to(vcpu, 5);
	alarm(0);
	run->request_interrupt_window = 0;
	printf("ok: no window with LINT0 masked\n");

	run_to(vcpu, 1);
	routes(vm);
	r = __vm_ioctl(vm, KVM_SIGNAL_MSI, &msi);
	TEST_ASSERT(r == 1, "KVM_SIGNAL_MSI: %d (%s)", r, strerror(errno));
	r = line(vm, 40, 1);
	TEST_ASSERT(r == 1, "MSI route raised: status %d", r);
	line(vm, 40, 0);
	run_to(vcpu, 2);
	printf("ok: MSI and MSI route delivered\n");

	/* The PIC is userspace's: request_interrupt_window counts. */
	TEST_ASSERT(!run->ready_for_interrupt_injection,
		    "ready for injection with RFLAGS.IF=0");
	run->request_interrupt_window = 1;
	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_IRQ_WINDOW_OPEN &&
		    run->ready_for_interrupt_injection && run->if_flag,
		    "exit %u (%s) ready %u if %u, want the window",
		    run->exit_reason, exit_reason_str(run->exit_reason),
		    run->ready_for_interrupt_injection, run->if_flag);
	run->request_interrupt_window = 0;
	printf("ok: KVM_EXIT_IRQ_WINDOW_OPEN\n");
	vcpu_ioctl(vcpu, KVM_INTERRUPT, &irq);
	r = __vcpu_ioctl(vcpu, KVM_INTERRUPT, &irq) ? errno : 0;
	expect_errno(r, EEXIST, "second KVM_INTERRUPT");
	irq.irq = 256;
	r = __vcpu_ioctl(vcpu, KVM_INTERRUPT, &irq) ? errno : 0;
	expect_errno(r, EINVAL, "KVM_INTERRUPT 256");
	run_to(vcpu, 3);
	printf("ok: KVM_INTERRUPT delivered as ExtINT\n");

	r = line(vm, 5, 1);
	TEST_ASSERT(r == 1, "level route raised: status %d", r);
	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_IOAPIC_EOI,
		    "exit %u (%s), want KVM_EXIT_IOAPIC_EOI", run->exit_reason,
		    exit_reason_str(run->exit_reason));
	TEST_ASSERT(run->eoi.vector == VEC_LVL, "EOI vector %#x",
		    run->eoi.vector);
	line(vm, 5, 0);
	printf("ok: KVM_EXIT_IOAPIC_EOI vector %#x\n", run->eoi.vector);
	run_to(vcpu, 4);

	r = line(vm, 30, 1);
	TEST_ASSERT(r == 1, "GSI 30 raised: status %d", r);
	run_to(vcpu, RUN_TO_DONE);
	printf("ok: no EOI exit beyond the IOAPIC pins\n");

	kvm_vm_free(vm);
	printf("split_irqchip_test: ok\n");
	return 0;
}
