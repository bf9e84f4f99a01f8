// SPDX-License-Identifier: GPL-2.0
/*
 * Events for L1 while L2 runs (SDM "VM Exits Caused by Events"): KVM_NMI
 * while L2 runs is a VM exit to L1 (reason 0, NMI interruption info) when
 * vmcs12 has NMI exiting and goes through L2's IDT when it has not; L1's
 * interrupt-window and NMI-window requests are reflected when the window
 * opens in L2 (after STI's shadow; after L2's IRET ends NMI blocking);
 * KVM_INTERRUPT while L2 runs with IF=1 and no external-interrupt exiting
 * reaches L2's handler. On nvmx also (kvm_intel, with the PIC in
 * userspace, injects KVM_INTERRUPT's vector into L2 whatever vmcs12 says:
 * the FIXME in KVM's irq.c): with external-interrupt exiting, an exit
 * with reason 1, with the vector in the exit interruption information and
 * the interrupt taken under acknowledge-on-exit, without it and the
 * interrupt still pending for L1; and L0's own interrupt window in vmcs02
 * for an interrupt L2 takes after its STI. Each exit is checked exactly:
 * reason, interruption information, where L2 stopped.
 */
#define _GNU_SOURCE	/* program_invocation_name */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "vmx.h"

#include "vmx_nested.h"

#define R_NMI		0
#define R_EXTINT	1
#define R_INTR_WINDOW	7
#define R_NMI_WINDOW	8
#define R_VMCALL	18

#define V_L2		0x62	/* into L2 (not intercepted) */
#define V_ACK		0x60	/* exit with acknowledge-on-exit */
#define V_NOACK		0x61	/* exit without: L1 takes it later */
#define V_WIN		0x63	/* into L2 after L0's window in vmcs02 */

#define STACK_WORDS	512

static unsigned long l2_stack[STACK_WORDS];
static u32 nmi_count, irq_count, last_vector, marker, marker_seen;
static bool nvmx_dev;

static void nmi_handler(struct ex_regs *regs)
{
	WRITE_ONCE(nmi_count, READ_ONCE(nmi_count) + 1);
}

static void irq_handler(struct ex_regs *regs)
{
	WRITE_ONCE(irq_count, READ_ONCE(irq_count) + 1);
	WRITE_ONCE(last_vector, regs->vector);
	WRITE_ONCE(marker_seen, marker);
}

/* Each L2 entry point ends in VMCALL; L1 never resumes one it stopped. */
static void l2_nmi_exit(void)
{
	GUEST_SYNC(10);		/* host: KVM_NMI */
	GUEST_ASSERT(0);	/* the NMI was an exit to L1 */
}

static void l2_nmi_in_l2(void)
{
	GUEST_SYNC(11);		/* host: KVM_NMI, delivered through L2's IDT */
	GUEST_ASSERT_2(READ_ONCE(nmi_count) == 1,
		       READ_ONCE(nmi_count), 0);
	l2_vmcall();
}

static void l2_sti(void)
{
	WRITE_ONCE(marker, 1);
	asm volatile("sti; movl $2, %0; movl $3, %0" : "=m"(marker) : : "memory");
	l2_vmcall();
}

/* IRET to the next instruction: ends (virtual-)NMI blocking. */
#define IRET_TO_SELF			\
	"mov %%ss, %%eax\n\t"		\
	"push %%rax\n\t"		\
	"lea 8(%%rsp), %%rax\n\t"	\
	"push %%rax\n\t"		\
	"pushfq\n\t"			\
	"mov %%cs, %%eax\n\t"		\
	"push %%rax\n\t"		\
	"lea 1f(%%rip), %%rax\n\t"	\
	"push %%rax\n\t"		\
	"iretq\n"			\
	"1: "

static void l2_iret(void)
{
	WRITE_ONCE(marker, 1);
	asm volatile(IRET_TO_SELF "movl $2, %0" : "=m"(marker) : : "rax", "memory");
	l2_vmcall();
}

static void l2_irq_in_l2(void)
{
	asm volatile("sti" : : : "memory");
	GUEST_SYNC(12);		/* host: KVM_INTERRUPT(V_L2) */
	asm volatile("cli" : : : "memory");
	GUEST_ASSERT_2(READ_ONCE(irq_count) == 1 && READ_ONCE(last_vector) == V_L2,
		       READ_ONCE(irq_count), READ_ONCE(last_vector));
	l2_vmcall();
}

static void l2_extint_exit(void)
{
	GUEST_SYNC(13);		/* host: KVM_INTERRUPT */
	GUEST_ASSERT(0);
}

static void l2_window(void)
{
	GUEST_SYNC(14);		/* host: KVM_INTERRUPT(V_WIN), L2's IF=0 */
	WRITE_ONCE(marker, 1);
	asm volatile("sti; movl $2, %0; movl $3, %0; cli" : "=m"(marker) : : "memory");
	GUEST_ASSERT_2(READ_ONCE(irq_count) == 3 && READ_ONCE(last_vector) == V_WIN,
		       READ_ONCE(irq_count), READ_ONCE(last_vector));
	/* Taken after the instruction STI shadows, not before. */
	GUEST_ASSERT_2(READ_ONCE(marker_seen) == 2, READ_ONCE(marker_seen), 0);
	l2_vmcall();
}

static void restart(void (*fn)(void), u32 pin, u32 proc_set, u32 intr)
{
	vmwrite(GUEST_RIP, (u64)fn);
	vmwrite(GUEST_RSP, (u64)&l2_stack[STACK_WORDS - 1]);
	vmwrite(GUEST_RFLAGS, 2);
	vmwrite(GUEST_INTERRUPTIBILITY_INFO, intr);
	vmwrite(PIN_BASED_VM_EXEC_CONTROL,
		vmx_ctl(MSR_IA32_VMX_TRUE_PINBASED_CTLS, pin));
	vmwrite(CPU_BASED_VM_EXEC_CONTROL,
		(vmreadz(CPU_BASED_VM_EXEC_CONTROL) &
		 ~(CPU_BASED_INTR_WINDOW_EXITING | CPU_BASED_NMI_WINDOW_EXITING)) |
		proc_set);
}

static void expect_exit(u32 reason, u32 info)
{
	GUEST_ASSERT_2(vmreadz(VM_EXIT_REASON) == reason,
		       vmreadz(VM_EXIT_REASON), reason);
	if (reason == R_NMI || reason == R_EXTINT)
		GUEST_ASSERT_2(vmreadz(VM_EXIT_INTR_INFO) == info,
			       vmreadz(VM_EXIT_INTR_INFO), info);
}

static void set_ack(bool ack)
{
	u32 v = vmreadz(VM_EXIT_CONTROLS);

	vmwrite(VM_EXIT_CONTROLS, ack ? v | VM_EXIT_ACK_INTR_ON_EXIT :
					v & ~VM_EXIT_ACK_INTR_ON_EXIT);
}

static void l1_code(struct vmx_pages *vmx)
{
	const u32 nmi_ex = PIN_BASED_NMI_EXITING;
	const u32 vnmi = PIN_BASED_NMI_EXITING | PIN_BASED_VIRTUAL_NMIS;

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_nmi_exit, &l2_stack[STACK_WORDS - 1]);

	/* NMI exiting: KVM_NMI while L2 runs exits to L1. */
	restart(l2_nmi_exit, nmi_ex, 0, 0);
	GUEST_ASSERT(!vmlaunch());
	expect_exit(R_NMI, INTR_VALID | INTR_TYPE_NMI | 2);
	GUEST_ASSERT_2(READ_ONCE(nmi_count) == 0,
		       READ_ONCE(nmi_count), 0);
	/* The exit left L1 with NMIs blocked, as a host NMI would: IRET. */
	asm volatile(IRET_TO_SELF "nop" : : : "rax", "memory");

	/* Without it the NMI goes through L2's IDT. */
	restart(l2_nmi_in_l2, 0, 0, 0);
	GUEST_ASSERT(!vmresume());
	expect_exit(R_VMCALL, 0);

	/* L1's interrupt window: after the instruction STI shadows. */
	restart(l2_sti, 0, CPU_BASED_INTR_WINDOW_EXITING, 0);
	GUEST_ASSERT(!vmresume());
	expect_exit(R_INTR_WINDOW, 0);
	GUEST_ASSERT_2(READ_ONCE(marker) == 2,
		       READ_ONCE(marker), 0);

	/* L1's NMI window with L2's NMIs blocked: after L2's IRET. */
	if (vmx_ctl_allows(MSR_IA32_VMX_TRUE_PINBASED_CTLS, vnmi)) {
		restart(l2_iret, vnmi, CPU_BASED_NMI_WINDOW_EXITING,
			8 /* blocking by NMI */);
		GUEST_ASSERT(!vmresume());
		expect_exit(R_NMI_WINDOW, 0);
		GUEST_ASSERT_2(READ_ONCE(marker) == 1,
			       READ_ONCE(marker), 0);
		/* And at once when nothing blocks NMIs. */
		restart(l2_iret, vnmi, CPU_BASED_NMI_WINDOW_EXITING, 0);
		WRITE_ONCE(marker, 0);
		GUEST_ASSERT(!vmresume());
		expect_exit(R_NMI_WINDOW, 0);
		GUEST_ASSERT_2(READ_ONCE(marker) == 0,
			       READ_ONCE(marker), 0);
	}

	/* KVM_INTERRUPT, L2 IF=1, no external-interrupt exiting: L2's. */
	restart(l2_irq_in_l2, 0, 0, 0);
	GUEST_ASSERT(!vmresume());
	expect_exit(R_VMCALL, 0);

	if (nvmx_dev) {
		/* External-interrupt exiting, acknowledge on exit. */
		restart(l2_extint_exit, PIN_BASED_EXT_INTR_MASK, 0, 0);
		set_ack(true);
		GUEST_ASSERT(!vmresume());
		expect_exit(R_EXTINT, INTR_VALID | INTR_TYPE_EXT | V_ACK);
		/* Taken: nothing is left for L1. */
		asm volatile("sti; nop; nop; cli" : : : "memory");
		GUEST_ASSERT_2(READ_ONCE(irq_count) == 1,
			       READ_ONCE(irq_count), READ_ONCE(last_vector));

		/* Without acknowledge: no vector, L1 takes it itself. */
		restart(l2_extint_exit, PIN_BASED_EXT_INTR_MASK, 0, 0);
		set_ack(false);
		GUEST_ASSERT(!vmresume());
		expect_exit(R_EXTINT, 0);
		GUEST_ASSERT_2(READ_ONCE(irq_count) == 1,
			       READ_ONCE(irq_count), READ_ONCE(last_vector));
		asm volatile("sti; nop; nop; cli" : : : "memory");
		GUEST_ASSERT_2(READ_ONCE(irq_count) == 2 && READ_ONCE(last_vector) == V_NOACK,
			       READ_ONCE(irq_count), READ_ONCE(last_vector));

		/* L2 with IF=0: L0's window in vmcs02, not reflected. */
		restart(l2_window, 0, 0, 0);
		GUEST_ASSERT(!vmresume());
		expect_exit(R_VMCALL, 0);
	}
	GUEST_DONE();
}

static void run_l2_sync(struct kvm_vcpu *vcpu, u64 stage)
{
	run_to(vcpu, stage);
}

int main(void)
{
	struct kvm_interrupt irq;
	vm_vaddr_t vmx_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	require_nested_vmx();
	nvmx_dev = on_nvmx();

	/* As __vm_create(), without KVM_CREATE_IRQCHIP: KVM_INTERRUPT works. */
	vm = ____vm_create(VM_MODE_DEFAULT, 4096);
	kvm_vm_elf_load(vm, program_invocation_name);
	vcpu = vm_vcpu_add(vm, 0, l1_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_exception_handler(vm, 2, nmi_handler);
	vm_install_exception_handler(vm, V_L2, irq_handler);
	vm_install_exception_handler(vm, V_ACK, irq_handler);
	vm_install_exception_handler(vm, V_NOACK, irq_handler);
	vm_install_exception_handler(vm, V_WIN, irq_handler);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	sync_global_to_guest(vm, nvmx_dev);

	run_l2_sync(vcpu, 10);
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_NMI), "KVM_NMI: %s", strerror(errno));
	run_l2_sync(vcpu, 11);
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_NMI), "KVM_NMI: %s", strerror(errno));
	run_l2_sync(vcpu, 12);
	TEST_ASSERT(vcpu->run->if_flag && vcpu->run->ready_for_interrupt_injection,
		    "L2 with IF=1: if_flag %u ready %u", vcpu->run->if_flag,
		    vcpu->run->ready_for_interrupt_injection);
	irq.irq = V_L2;
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_INTERRUPT, &irq), "KVM_INTERRUPT");
	if (nvmx_dev) {
		run_l2_sync(vcpu, 13);
		/* L1 intercepts: ready whatever L2's IF (as KVM reports it). */
		TEST_ASSERT(!vcpu->run->if_flag &&
			    vcpu->run->ready_for_interrupt_injection,
			    "extint exiting: if_flag %u ready %u", vcpu->run->if_flag,
			    vcpu->run->ready_for_interrupt_injection);
		irq.irq = V_ACK;
		TEST_ASSERT(!ioctl(vcpu->fd, KVM_INTERRUPT, &irq), "KVM_INTERRUPT");
		run_l2_sync(vcpu, 13);
		irq.irq = V_NOACK;
		TEST_ASSERT(!ioctl(vcpu->fd, KVM_INTERRUPT, &irq), "KVM_INTERRUPT");
		run_l2_sync(vcpu, 14);
		TEST_ASSERT(!vcpu->run->if_flag &&
			    !vcpu->run->ready_for_interrupt_injection,
			    "L2 with IF=0: if_flag %u ready %u", vcpu->run->if_flag,
			    vcpu->run->ready_for_interrupt_injection);
		irq.irq = V_WIN;
		TEST_ASSERT(!ioctl(vcpu->fd, KVM_INTERRUPT, &irq), "KVM_INTERRUPT");
	}
	run_to(vcpu, RUN_TO_DONE);
	kvm_vm_free(vm);
	pr_info("vmx_irq_test: ok\n");
	return 0;
}
