// SPDX-License-Identifier: GPL-2.0
/*
 * L2's HLT that L1 does not intercept, with L1's interrupt arriving while
 * the vCPU sleeps in L0 (SDM "VM Exits Caused by Events", "HLT"). L1 arms
 * its x2APIC one-shot timer and enters L2, which halts:
 * - with external-interrupt exiting (and acknowledge on exit) and L2's
 *   IF=0, the interrupt wakes the halt: exit reason 1 with the timer's
 *   vector, and L2's RIP past the HLT, which proves it came during the
 *   halt (an interrupt before the HLT would leave RIP at it);
 * - without it and L2's IF=1, L2's handler takes it and L2 goes on past
 *   the HLT to its VMCALL.
 * A wake that read L2's RFLAGS.IF alone would sleep forever in the first.
 */
#include "kselftest.h"
#include "apic.h"

#include "vmx_nested.h"

/* 6.1's apic.h lacks the timer registers. */
#define APIC_LVTT	0x320
#define APIC_TMICT	0x380
#define APIC_TDCR	0x3e0

#define R_EXTINT	1
#define R_VMCALL	18
#define V_TIMER		0x70
#define STACK_WORDS	512
#define ACT_HLT		1
/* 20 ms of the APIC's 1 GHz bus clock at divide-by-1: L2 halts first. */
#define TIMER_COUNT	20000000u

static unsigned long l2_stack[STACK_WORDS];
static u32 irq_count;

/* L2: the label after each HLT is the RIP L1 checks; L2 never returns. */
static noinline void l2_cli_hlt(void)
{
	asm volatile("cli\n\thlt\n"
		     "l2_cli_hlt_after:\n\tvmcall\n\tud2");
}

static noinline void l2_sti_hlt(void)
{
	asm volatile("sti\n\thlt\n\tcli\n\tvmcall\n\tud2");
}

static u64 addr_cli_hlt_after(void)
{
	u64 a;

	asm("lea l2_cli_hlt_after(%%rip), %0" : "=r"(a));
	return a;
}

static void timer_handler(struct ex_regs *regs)
{
	WRITE_ONCE(irq_count, READ_ONCE(irq_count) + 1);
	x2apic_write_reg(APIC_EOI, 0);
}

static void arm_timer(void)
{
	x2apic_write_reg(APIC_TDCR, 0xb);	/* divide by 1 */
	x2apic_write_reg(APIC_LVTT, V_TIMER);	/* one-shot, unmasked */
	x2apic_write_reg(APIC_TMICT, TIMER_COUNT);
}

static void enter_l2(void (*fn)(void), u32 pin)
{
	vmwrite(GUEST_RIP, (u64)fn);
	vmwrite(GUEST_RSP, (u64)&l2_stack[STACK_WORDS - 1]);
	vmwrite(GUEST_RFLAGS, 2);
	vmwrite(PIN_BASED_VM_EXEC_CONTROL,
		vmx_ctl(MSR_IA32_VMX_TRUE_PINBASED_CTLS, pin));
}

static void l1_code(struct vmx_pages *vmx)
{
	u64 rip, act, want;

	x2apic_enable();
	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_cli_hlt, &l2_stack[STACK_WORDS - 1]);
	/*
	 * L2 keeps its HLT, and its EOI (a zero MSR bitmap) goes to L1's
	 * APIC without an exit to L1.
	 */
	GUEST_ASSERT(vmx_proc_update(CPU_BASED_USE_MSR_BITMAPS,
				     CPU_BASED_HLT_EXITING));
	vmwrite(VM_EXIT_CONTROLS,
		vmreadz(VM_EXIT_CONTROLS) | VM_EXIT_ACK_INTR_ON_EXIT);

	/* External-interrupt exiting, L2's IF=0: the exit wakes it. */
	enter_l2(l2_cli_hlt, PIN_BASED_EXT_INTR_MASK);
	arm_timer();
	GUEST_ASSERT(!vmlaunch());
	GUEST_ASSERT_2(vmreadz(VM_EXIT_REASON) == R_EXTINT,
		       vmreadz(VM_EXIT_REASON), R_EXTINT);
	GUEST_ASSERT_2(vmreadz(VM_EXIT_INTR_INFO) ==
		       (INTR_VALID | INTR_TYPE_EXT | V_TIMER),
		       vmreadz(VM_EXIT_INTR_INFO), V_TIMER);
	rip = vmreadz(GUEST_RIP);
	GUEST_ASSERT_2(rip == addr_cli_hlt_after(), rip,
		       addr_cli_hlt_after());
	/* Acknowledged on exit: in service at L1's APIC until its EOI. */
	x2apic_write_reg(APIC_EOI, 0);
	GUEST_ASSERT_1(READ_ONCE(irq_count) == 0, READ_ONCE(irq_count));
	/*
	 * The exit came in HLT: where entry with HLT is offered
	 * (IA32_VMX_MISC bit 6, kvm_intel) the activity state saved is HLT,
	 * and a VMRESUME would halt again. nvmx offers only "active" and
	 * saves that, so that a VMRESUME of the same vmcs12 cannot fail.
	 */
	act = vmreadz(GUEST_ACTIVITY_STATE);
	want = rdmsr(MSR_IA32_VMX_MISC) & BIT(6) ? ACT_HLT : 0;
	GUEST_ASSERT_2(act == want, act, want);
	vmwrite(GUEST_ACTIVITY_STATE, 0);
	GUEST_SYNC(1);

	/* No exiting, L2's IF=1: L2's handler, then on past the HLT. */
	enter_l2(l2_sti_hlt, 0);
	arm_timer();
	GUEST_ASSERT(!vmresume());
	GUEST_ASSERT_2(vmreadz(VM_EXIT_REASON) == R_VMCALL,
		       vmreadz(VM_EXIT_REASON), R_VMCALL);
	GUEST_ASSERT_1(READ_ONCE(irq_count) == 1, READ_ONCE(irq_count));
	GUEST_DONE();
}

int main(void)
{
	vm_vaddr_t vmx_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	require_nested_vmx();
	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_exception_handler(vm, V_TIMER, timer_handler);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	run_to(vcpu, 1);
	pr_info("round 1 (IF=0, external-interrupt exiting): ok\n");
	run_to(vcpu, RUN_TO_DONE);
	kvm_vm_free(vm);
	pr_info("vmx_hlt_wake_test: ok\n");
	return 0;
}
