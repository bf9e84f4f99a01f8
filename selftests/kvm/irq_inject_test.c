// SPDX-License-Identifier: GPL-2.0
/*
 * The userspace irqchip ABI (api.rst "kvm_run"): KVM_INTERRUPT delivered
 * to a guest IDT handler, a second KVM_INTERRUPT replacing a queued one,
 * request_interrupt_window and KVM_EXIT_IRQ_WINDOW_OPEN once IF=1 and
 * STI's shadow ends, if_flag and ready_for_interrupt_injection
 * under STI and MOV SS blocking, KVM_NMI and NMI blocking until IRET, CR8
 * as kvm_run's cr8 with KVM_EXIT_SET_TPR, apic_base; the vCPU's
 * interrupt stats, exactly; and the negatives (vector > 255, KVM_RUN with
 * reserved cr8 bits, KVM_INTERRUPT with the PIC in the kernel). The same
 * binary runs on kvm_intel and on nvmx.
 */
#define _GNU_SOURCE	/* program_invocation_name */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

#define V1		0x40
#define V2		0x41
#define V3		0x42
#define PORT_PROBE	0x88	/* a raw OUT: the exit right after one instruction */

static u32 irq_count, last_vector, marker, marker_seen;
static u32 nmi_count, nmi_seen_inside;
static bool nmi_sync;

static void irq_handler(struct ex_regs *regs)
{
	WRITE_ONCE(irq_count, READ_ONCE(irq_count) + 1);
	WRITE_ONCE(last_vector, regs->vector);
	WRITE_ONCE(marker_seen, marker);
}

static void nmi_handler(struct ex_regs *regs)
{
	WRITE_ONCE(nmi_count, READ_ONCE(nmi_count) + 1);
	if (READ_ONCE(nmi_sync)) {
		WRITE_ONCE(nmi_sync, false);
		/* Another NMI is queued now; NMI blocking holds it to IRET. */
		GUEST_SYNC(8);
		WRITE_ONCE(nmi_seen_inside, nmi_count);
	}
}

static inline void probe(void)
{
	asm volatile("outb %%al, %%dx" : : "a"(0), "d"(PORT_PROBE));
}

static inline void set_cr8(u64 v)
{
	asm volatile("mov %0, %%cr8" : : "r"(v) : "memory");
}

static inline u64 get_cr8(void)
{
	u64 v;

	asm volatile("mov %%cr8, %0" : "=r"(v));
	return v;
}

static void guest_code(void)
{
	struct desc_ptr idt, gdt;

	/*
	 * Delivery reads the IDT and the GDT: touched first, so that no
	 * EPT violation interrupts a delivery (each device would count the
	 * re-injection in its stats).
	 */
	asm volatile("sidt %0; sgdt %1" : "=m"(idt), "=m"(gdt));
	(void)READ_ONCE(*(u64 *)(idt.address + 0x40 * 16));
	(void)READ_ONCE(*(u64 *)(idt.address + 2 * 16));
	(void)READ_ONCE(*(u64 *)(gdt.address + 8));

	/*
	 * 1: KVM_INTERRUPT while the guest can take it (IF=1, as userspace
	 * must: KVM injects the vector at the next entry whatever IF says).
	 */
	asm volatile("sti" : : : "memory");
	GUEST_SYNC(1);
	asm volatile("cli" : : : "memory");
	GUEST_ASSERT_2(READ_ONCE(irq_count) == 1 && READ_ONCE(last_vector) == V1,
		       READ_ONCE(irq_count), READ_ONCE(last_vector));

	/* 2: the second KVM_INTERRUPT replaced the first. */
	asm volatile("sti" : : : "memory");
	GUEST_SYNC(2);
	asm volatile("cli" : : : "memory");
	GUEST_ASSERT_2(READ_ONCE(irq_count) == 2 && READ_ONCE(last_vector) == V2,
		       READ_ONCE(irq_count), READ_ONCE(last_vector));

	/*
	 * 3: request_interrupt_window with IF=0: the window opens after
	 * the one instruction STI shadows (the first MOV), not before.
	 */
	WRITE_ONCE(marker, 0);
	GUEST_SYNC(3);
	asm volatile("sti; movl $1, %0; movl $2, %0; cli" : "=m"(marker) : : "memory");
	GUEST_ASSERT_2(READ_ONCE(irq_count) == 3 && READ_ONCE(last_vector) == V3,
		       READ_ONCE(irq_count), READ_ONCE(last_vector));
	GUEST_ASSERT_2(READ_ONCE(marker_seen) == 1,
		       READ_ONCE(marker_seen), READ_ONCE(marker));

	/* 4: requested with IF=1: at once. */
	asm volatile("sti" : : : "memory");
	GUEST_SYNC(4);
	asm volatile("cli" : : : "memory");

	/* 5: the probes (host: if_flag, ready_for_interrupt_injection). */
	probe();					/* IF=0 */
	asm volatile("sti; outb %%al, %%dx" : : "a"(0), "d"(PORT_PROBE));
	asm volatile("nop; outb %%al, %%dx" : : "a"(0), "d"(PORT_PROBE));
	asm volatile("mov %%ss, %%ax; mov %%ax, %%ss; outb %%al, %%dx"
		     : : "d"(PORT_PROBE) : "rax");
	asm volatile("cli" : : : "memory");

	/* 6: KVM_NMI, whatever IF says. */
	GUEST_SYNC(6);
	GUEST_ASSERT_2(READ_ONCE(nmi_count) == 1,
		       READ_ONCE(nmi_count), 0);

	/* 7: an NMI queued inside the handler waits for its IRET. */
	WRITE_ONCE(nmi_sync, true);
	GUEST_SYNC(7);
	GUEST_ASSERT_2(READ_ONCE(nmi_count) == 3 && READ_ONCE(nmi_seen_inside) == 2,
		       READ_ONCE(nmi_count), READ_ONCE(nmi_seen_inside));

	/* 9: CR8 is kvm_run's cr8; a lowered one exits (KVM_EXIT_SET_TPR). */
	set_cr8(5);
	GUEST_SYNC(9);
	set_cr8(2);
	GUEST_ASSERT_2(get_cr8() == 7,
		       get_cr8(), 0);
	GUEST_SYNC(10);
	GUEST_DONE();
}

static void run_probe(struct kvm_vcpu *vcpu, int n, bool if_flag, bool ready)
{
	struct kvm_run *run = vcpu->run;

	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_IO && run->io.port == PORT_PROBE,
		    "probe %d: exit %u port %#x", n, run->exit_reason, run->io.port);
	TEST_ASSERT(run->if_flag == if_flag &&
		    run->ready_for_interrupt_injection == ready,
		    "probe %d: if_flag %u ready %u, want %u %u", n, run->if_flag,
		    run->ready_for_interrupt_injection, if_flag, ready);
}

static void interrupt(struct kvm_vcpu *vcpu, u32 vector)
{
	struct kvm_interrupt irq = { .irq = vector };

	TEST_ASSERT(!ioctl(vcpu->fd, KVM_INTERRUPT, &irq),
		    "KVM_INTERRUPT %#x: %s", vector, strerror(errno));
}

static void expect_sync_state(struct kvm_vcpu *vcpu, u64 stage, bool if_flag,
			      bool ready)
{
	run_to(vcpu, stage);
	TEST_ASSERT(vcpu->run->if_flag == if_flag &&
		    vcpu->run->ready_for_interrupt_injection == ready,
		    "stage %lu: if_flag %u ready %u, want %u %u", stage,
		    vcpu->run->if_flag, vcpu->run->ready_for_interrupt_injection,
		    if_flag, ready);
}

static void expect_stat(struct kvm_vcpu *vcpu, const char *name, u64 want)
{
	u64 v = 0;

	TEST_ASSERT(vcpu_stat_get(vcpu, name, 0, &v), "no stat %s", name);
	TEST_ASSERT(v == want, "stat %s is %lu, want %lu", name, v, want);
	pr_info("%s %lu\n", name, v);
}

static struct kvm_vm *create_vm_no_irqchip(struct kvm_vcpu **vcpu)
{
	/* As __vm_create(), without KVM_CREATE_IRQCHIP. */
	struct kvm_vm *vm = ____vm_create(VM_MODE_DEFAULT, 2048);

	kvm_vm_elf_load(vm, program_invocation_name);
	*vcpu = vm_vcpu_add(vm, 0, guest_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(*vcpu);
	vm_install_exception_handler(vm, V1, irq_handler);
	vm_install_exception_handler(vm, V2, irq_handler);
	vm_install_exception_handler(vm, V3, irq_handler);
	vm_install_exception_handler(vm, 2, nmi_handler);
	return vm;
}

static void test_negatives(struct kvm_vcpu *vcpu)
{
	static const u32 bad[] = { 256, 0x1000, 0xffffffff };
	struct kvm_interrupt irq;
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		irq.irq = bad[i];
		r = ioctl(vcpu->fd, KVM_INTERRUPT, &irq);
		TEST_ASSERT(r == -1 && errno == EINVAL,
			    "KVM_INTERRUPT %#x: %d errno %d, want EINVAL", bad[i], r, errno);
	}
	r = ioctl(vcpu->fd, KVM_INTERRUPT, NULL);
	TEST_ASSERT(r == -1 && errno == EFAULT, "KVM_INTERRUPT NULL: %d errno %d", r, errno);
	/* A TPR with bits above 3 in cr8: KVM_RUN refuses it. */
	vcpu->run->cr8 = 0x10;
	r = __vcpu_run(vcpu);
	TEST_ASSERT(r == -1 && errno == EINVAL, "KVM_RUN cr8 0x10: %d errno %d", r, errno);
	vcpu->run->cr8 = 0;
}

/* With the PIC in the kernel KVM_INTERRUPT is ENXIO; KVM_NMI still works. */
static void test_in_kernel_pic(void)
{
	struct kvm_interrupt irq = { .irq = V1 };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	int r;

	r = ioctl(vcpu->fd, KVM_INTERRUPT, &irq);
	TEST_ASSERT(r == -1 && errno == ENXIO, "KVM_INTERRUPT with irqchip: %d errno %d",
		    r, errno);
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_NMI), "KVM_NMI: %s", strerror(errno));
	kvm_vm_free(vm);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct kvm_run *run;
	u64 apic_base;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_USER_NMI));
	test_in_kernel_pic();

	vm = create_vm_no_irqchip(&vcpu);
	run = vcpu->run;
	test_negatives(vcpu);

	expect_sync_state(vcpu, 1, true, true);
	apic_base = vcpu_get_msr(vcpu, MSR_IA32_APICBASE);
	TEST_ASSERT(run->apic_base == apic_base, "apic_base %#llx, MSR %#lx",
		    run->apic_base, apic_base);
	interrupt(vcpu, V1);

	expect_sync_state(vcpu, 2, true, true);
	interrupt(vcpu, V1);
	interrupt(vcpu, V2);

	expect_sync_state(vcpu, 3, false, false);
	run->request_interrupt_window = 1;
	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_IRQ_WINDOW_OPEN,
		    "stage 3: exit %u, want IRQ_WINDOW_OPEN", run->exit_reason);
	TEST_ASSERT(run->if_flag && run->ready_for_interrupt_injection,
		    "window open: if_flag %u ready %u", run->if_flag,
		    run->ready_for_interrupt_injection);
	TEST_ASSERT(*(u32 *)addr_gva2hva(vm, (vm_vaddr_t)&marker) == 1,
		    "window open: marker %u, want 1 (after STI's shadow)",
		    *(u32 *)addr_gva2hva(vm, (vm_vaddr_t)&marker));
	interrupt(vcpu, V3);
	run->request_interrupt_window = 0;

	expect_sync_state(vcpu, 4, true, true);
	run->request_interrupt_window = 1;
	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_IRQ_WINDOW_OPEN,
		    "stage 4: exit %u, want IRQ_WINDOW_OPEN", run->exit_reason);
	run->request_interrupt_window = 0;

	run_probe(vcpu, 1, false, false);
	run_probe(vcpu, 2, true, false);	/* STI blocking */
	run_probe(vcpu, 3, true, true);
	run_probe(vcpu, 4, true, false);	/* MOV SS blocking */

	expect_sync_state(vcpu, 6, false, false);
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_NMI), "KVM_NMI: %s", strerror(errno));

	run_to(vcpu, 7);
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_NMI), "KVM_NMI: %s", strerror(errno));
	run_to(vcpu, 8);
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_NMI), "KVM_NMI: %s", strerror(errno));

	run_to(vcpu, 9);
	TEST_ASSERT(run->cr8 == 5, "stage 9: cr8 %llu, want 5", run->cr8);
	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_SET_TPR && run->cr8 == 2,
		    "CR8 5 -> 2: exit %u cr8 %llu, want SET_TPR 2",
		    run->exit_reason, run->cr8);
	run->cr8 = 7;
	run_to(vcpu, 10);
	TEST_ASSERT(run->cr8 == 7, "stage 10: cr8 %llu, want 7", run->cr8);
	run_to(vcpu, RUN_TO_DONE);

	/*
	 * Window exits: stage 3 (IF=0) and 4 (open at entry), userspace's
	 * requests both. Stage 8's NMI waited for one NMI window.
	 */
	expect_stat(vcpu, "irq_injections", 3);
	expect_stat(vcpu, "nmi_injections", 3);
	expect_stat(vcpu, "irq_window_exits", 2);
	expect_stat(vcpu, "nmi_window_exits", 1);
	expect_stat(vcpu, "request_irq_exits", 2);
	kvm_vm_free(vm);
	pr_info("irq_inject_test: ok\n");
	return 0;
}
