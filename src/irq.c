// SPDX-License-Identifier: GPL-2.0
/*
 * Kicking a vCPU and its requests (irq.h), and the injection of NMIs and
 * external interrupts at VM entry.
 *
 * Ordering: the vCPU's task sets vcpu->mode to NVMX_IN_GUEST with
 * interrupts off and then reads vcpu->requests (a full barrier between);
 * a kicker sets its request and then reads vcpu->mode (a full barrier
 * between). So either the vCPU sees the request before entering, or the
 * kicker sees it in guest mode and sends the IPI, which the CPU holds
 * until the entry and which then causes an external-interrupt exit.
 */
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/trapnr.h>
#include <asm/vmx.h>
/* smp_send_reschedule() traces the IPI it sends on newer kernels. */
#include <trace/events/ipi.h>

#include "dfault.h"
#include "inject.h"
#include "nvmx.h"
#include "vmx_ops.h"

void nvmx_vcpu_make_request(struct nvmx_vcpu *vcpu, unsigned int req)
{
	set_bit(req, &vcpu->requests);
}

bool nvmx_vcpu_test_clear_request(struct nvmx_vcpu *vcpu, unsigned int req)
{
	return test_and_clear_bit(req, &vcpu->requests);
}

bool nvmx_vcpu_has_requests(struct nvmx_vcpu *vcpu)
{
	return READ_ONCE(vcpu->requests);
}

/* Makes @vcpu look at its requests soon; any context but NMI. */
void nvmx_vcpu_kick(struct nvmx_vcpu *vcpu)
{
	int cpu, me;

	nvmx_vcpu_make_request(vcpu, NVMX_REQ_EVENT);
	/* The request before vcpu->mode: pairs with the run loop's smp_store_mb(). */
	smp_mb__after_atomic();
	if (rcuwait_wake_up(&vcpu->wait))
		return;
	me = get_cpu();
	cpu = READ_ONCE(vcpu->cpu);
	if (READ_ONCE(vcpu->mode) == NVMX_IN_GUEST && cpu != me &&
	    cpu >= 0 && cpu_online(cpu))
		smp_send_reschedule(cpu);
	put_cpu();
}

void nvmx_vcpu_queue_nmi(struct nvmx_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->nmi_pending, true);
	nvmx_vcpu_kick(vcpu);
}

/*
 * Injection (inject.h for the rules). Everything below runs in the vCPU's
 * task under vcpu->mutex, with the vCPU's current VMCS loaded.
 */

/*
 * The external interrupt L1 would take now, or -1: KVM_INTERRUPT's vector
 * without an in-kernel irqchip, else the APIC's.
 */
static int nvmx_irq_pending_vector(struct nvmx_vcpu *vcpu)
{
	int v;

	if (!vcpu->vm->irqchip)
		return vcpu->irq_queued ? vcpu->irq_vector : -1;
	/* The PIC's ExtINT comes first, as KVM's. */
	if (nvmx_lapic_accepts_extint(vcpu)) {
		v = nvmx_pic_pending_vector(vcpu);
		if (v >= 0)
			return v;
	}
	return nvmx_lapic_pending_vector(vcpu);
}

/*
 * The CPU takes the interrupt: the source forgets it (the PIC's INTA
 * cycle, or the APIC's IRR to ISR). Returns its vector, or -1 if none is
 * left: another task can lower a PIC line since it was seen pending.
 */
static int nvmx_irq_acknowledge(struct nvmx_vcpu *vcpu)
{
	int v;

	if (!vcpu->vm->irqchip) {
		if (!vcpu->irq_queued)
			return -1;
		vcpu->irq_queued = false;
		return vcpu->irq_vector;
	}
	if (nvmx_lapic_accepts_extint(vcpu)) {
		v = nvmx_pic_take(vcpu);
		if (v >= 0)
			return v;
	}
	v = nvmx_lapic_pending_vector(vcpu);
	if (v >= 0)
		nvmx_lapic_accept(vcpu, v);
	return v;
}

/* The PIC is in the kernel: a full irqchip, not a split one. */
static bool nvmx_pic_in_kernel(struct nvmx_vcpu *vcpu)
{
	return vcpu->vm->irqchip && !nvmx_irqchip_split(vcpu->vm);
}

/*
 * Whether the vCPU has room for an ExtINT vector from userspace's PIC:
 * always without an in-kernel APIC; with a split irqchip, none queued and
 * the APIC taking ExtINT (LINT0 unmasked in ExtINT mode, or disabled).
 */
static bool nvmx_accepts_user_extint(struct nvmx_vcpu *vcpu)
{
	return !vcpu->vm->irqchip ||
	       (!vcpu->ext_queued && nvmx_lapic_accepts_extint(vcpu));
}

/*
 * request_interrupt_window counts only with the PIC in userspace (as KVM):
 * no irqchip, or a split one; and only while the vCPU could take what
 * userspace would inject. Else an interrupt-window exit with LINT0 masked
 * would open a window userspace may not use, and the entry exit again at
 * once, forever.
 */
static bool nvmx_user_window(struct nvmx_vcpu *vcpu)
{
	return !nvmx_pic_in_kernel(vcpu) &&
	       READ_ONCE(vcpu->run->request_interrupt_window) &&
	       nvmx_accepts_user_extint(vcpu);
}

static void nvmx_inject_gather(struct nvmx_vcpu *vcpu,
			       struct nvmx_inject_in *in)
{
	const struct nvmx_vmcs12 *v12 = vcpu->nested.vmcs12;
	u32 pin = nvmx_vmread(PIN_BASED_VM_EXEC_CONTROL);

	*in = (struct nvmx_inject_in){
		/* vmcs12's own injection is in vmcs02 (a COPY field). */
		.event_in_flight = vcpu->pending.valid || vcpu->injected.valid ||
				   (nvmx_vmread(VM_ENTRY_INTR_INFO_FIELD) &
				    INTR_INFO_VALID_MASK),
		.nmi_pending = READ_ONCE(vcpu->nmi_pending),
		.irq_pending = nvmx_irq_pending_vector(vcpu) >= 0,
		.user_window = nvmx_user_window(vcpu),
		.rflags_if = nvmx_vmread(GUEST_RFLAGS) & X86_EFLAGS_IF,
		.intr_state = nvmx_vmread(GUEST_INTERRUPTIBILITY_INFO),
		.vnmi = pin & PIN_BASED_VIRTUAL_NMIS,
		.l2 = vcpu->nested.guest_mode,
	};
	if (in->l2) {
		in->l1_extint_exiting = v12->pin_based_vm_exec_control &
					PIN_BASED_EXT_INTR_MASK;
		in->l1_nmi_exiting = v12->pin_based_vm_exec_control &
				     PIN_BASED_NMI_EXITING;
	}
}

/*
 * An external interrupt for L1 while L2 runs and vmcs12 has external-
 * interrupt exiting: with acknowledge-on-exit the interrupt is taken and
 * its vector goes in the exit interruption information; without, it
 * stays pending for L1 to take once it enables interrupts.
 */
static void nvmx_nested_extint_exit(struct nvmx_vcpu *vcpu)
{
	u32 info = 0;
	int vector;

	if (vcpu->nested.vmcs12->vm_exit_controls & VM_EXIT_ACK_INTR_ON_EXIT) {
		vector = nvmx_irq_acknowledge(vcpu);
		if (vector >= 0)
			info = (u8)vector | INTR_TYPE_EXT_INTR |
			       INTR_INFO_VALID_MASK;
	}
	nvmx_nested_vmexit(vcpu, EXIT_REASON_EXTERNAL_INTERRUPT, 0, info, 0);
}

/*
 * The window exits nvmx wants in the current VMCS. While L2 runs,
 * vmcs12's own window requests stay in vmcs02 (route.c reflects those).
 */
static void nvmx_inject_set_windows(struct nvmx_vcpu *vcpu,
				    const struct nvmx_inject_out *out)
{
	const u32 w = CPU_BASED_INTR_WINDOW_EXITING |
		      CPU_BASED_NMI_WINDOW_EXITING;
	u32 proc = nvmx_vmread(CPU_BASED_VM_EXEC_CONTROL);
	u32 want = 0;

	if (out->irq_window)
		want |= CPU_BASED_INTR_WINDOW_EXITING;
	if (out->nmi_window)
		want |= CPU_BASED_NMI_WINDOW_EXITING;
	if (vcpu->nested.guest_mode)
		want |= vcpu->nested.vmcs12->cpu_based_vm_exec_control & w;
	/* Only what this CPU allows (NMI-window needs virtual NMIs). */
	want &= nvmx_caps.procbased >> 32;
	if ((proc & w) != want)
		nvmx_vmwrite(CPU_BASED_VM_EXEC_CONTROL, (proc & ~w) | want);
}

static void nvmx_inject_event(struct nvmx_vcpu *vcpu, u8 vector, u8 type)
{
	vcpu->injected = (struct nvmx_event){
		.valid = true, .vector = vector, .type = type,
	};
}

/*
 * Before each entry, after the nested exception check: picks the event to
 * deliver (inject.h) and sets the window exits for what must wait. An
 * event for L1 that vmcs12 intercepts is a VM exit to L1, after which
 * L1's own events are decided. Idempotent: what it injects sits in
 * vcpu->injected until an entry delivers it, so an entry the run loop
 * abandons does not ask the APIC twice.
 */
void nvmx_inject_events(struct nvmx_vcpu *vcpu)
{
	struct nvmx_inject_out out;
	struct nvmx_inject_in in;
	int vector;

	for (;;) {
		nvmx_inject_gather(vcpu, &in);
		nvmx_inject_decide(&in, &out);
		if (out.action == NVMX_INJ_EXIT_NMI) {
			WRITE_ONCE(vcpu->nmi_pending, false);
			nvmx_nested_vmexit(vcpu, EXIT_REASON_EXCEPTION_NMI, 0,
					   X86_TRAP_NMI | INTR_TYPE_NMI_INTR |
					   INTR_INFO_VALID_MASK, 0);
			/*
			 * The NMI was taken by the exit: L1 runs with NMIs
			 * blocked until its IRET, as after a host NMI's
			 * exit (kvm_intel does the same).
			 */
			if (nvmx_vmread(PIN_BASED_VM_EXEC_CONTROL) &
			    PIN_BASED_VIRTUAL_NMIS)
				nvmx_vmcs_set_bits(GUEST_INTERRUPTIBILITY_INFO,
						   GUEST_INTR_STATE_NMI);
			continue;
		}
		if (out.action == NVMX_INJ_EXIT_IRQ) {
			nvmx_nested_extint_exit(vcpu);
			continue;
		}
		break;
	}
	if (out.action == NVMX_INJ_NMI) {
		WRITE_ONCE(vcpu->nmi_pending, false);
		nvmx_inject_event(vcpu, X86_TRAP_NMI, NVMX_EVENT_NMI);
	} else if (out.action == NVMX_INJ_IRQ) {
		vector = nvmx_irq_acknowledge(vcpu);
		if (vector >= 0)
			nvmx_inject_event(vcpu, vector, NVMX_EVENT_EXT_INTR);
	}
	nvmx_inject_set_windows(vcpu, &out);
	vcpu->immediate_exit = out.immediate_exit;
}

/*
 * Whether a pending interrupt ends a halt now (lapic.c's wake test). While
 * L2 runs with vmcs12's external-interrupt exiting, the interrupt is a VM
 * exit to L1 whatever L2's RFLAGS.IF (SDM "VM Exits Caused by Events");
 * otherwise the halted level's IF decides (HLT's exit ended any STI or
 * MOV SS blocking).
 */
bool nvmx_irq_wakes_halt(struct nvmx_vcpu *vcpu)
{
	if (vcpu->nested.guest_mode &&
	    (vcpu->nested.vmcs12->pin_based_vm_exec_control &
	     PIN_BASED_EXT_INTR_MASK))
		return true;
	return nvmx_vmread(GUEST_RFLAGS) & X86_EFLAGS_IF;
}

/*
 * Whether userspace may inject an interrupt now (kvm_run's
 * ready_for_interrupt_injection, KVM_EXIT_IRQ_WINDOW_OPEN): the guest
 * takes one, none is queued, and no event is half delivered, so that
 * userspace could also deliver it itself with KVM_SET_REGS/SREGS.
 */
static bool nvmx_irq_ready(struct nvmx_vcpu *vcpu)
{
	struct nvmx_inject_in in;

	if (vcpu->pending.valid || vcpu->injected.valid || vcpu->irq_queued)
		return false;
	/*
	 * A split irqchip, as KVM: one ExtINT vector at a time, and only
	 * while the APIC would take it (LINT0 in ExtINT mode, or disabled).
	 */
	if (!nvmx_accepts_user_extint(vcpu))
		return false;
	nvmx_inject_gather(vcpu, &in);
	return nvmx_inject_irq_allowed(&in);
}

/* After an exit handled in the kernel: userspace's window opened. */
bool nvmx_irq_window_open(struct nvmx_vcpu *vcpu)
{
	if (!nvmx_user_window(vcpu) || !nvmx_irq_ready(vcpu))
		return false;
	vcpu->run->exit_reason = KVM_EXIT_IRQ_WINDOW_OPEN;
	vcpu->stat.request_irq_exits++;
	return true;
}

/*
 * KVM_RUN's start without an in-kernel APIC: kvm_run's cr8 is the TPR
 * userspace's APIC has (bits 7:4). -EINVAL for reserved bits, as KVM.
 */
int nvmx_irq_pre_run(struct nvmx_vcpu *vcpu)
{
	u64 cr8 = READ_ONCE(vcpu->run->cr8);

	if (vcpu->vm->irqchip)
		return 0;
	if (cr8 & ~0xfULL)
		return -EINVAL;
	nvmx_set_tpr(vcpu, cr8 << 4);
	return 0;
}

/* The interrupt state KVM_RUN leaves in kvm_run at every return. */
void nvmx_irq_post_run(struct nvmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->if_flag = !!(nvmx_vmread(GUEST_RFLAGS) & X86_EFLAGS_IF);
	run->cr8 = nvmx_get_tpr(vcpu) >> 4;
	run->apic_base = vcpu->apic_base;
	/* With the PIC in the kernel userspace never injects: always 1. */
	run->ready_for_interrupt_injection = nvmx_pic_in_kernel(vcpu) ||
					     nvmx_irq_ready(vcpu);
}

/*
 * KVM_INTERRUPT: without an in-kernel irqchip, the vector userspace's PIC
 * delivers; it replaces one still queued, as on KVM. With the PIC in the
 * kernel, ENXIO. With a split irqchip, as KVM's: the ExtINT vector the
 * APIC takes when it accepts ExtINT (LINT0), one at a time (EEXIST while
 * one is queued).
 */
long nvmx_vcpu_interrupt(struct nvmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_interrupt irq;

	if (copy_from_user(&irq, argp, sizeof(irq)))
		return -EFAULT;
	if (irq.irq >= KVM_NR_INTERRUPTS)
		return -EINVAL;
	if (nvmx_irqchip_split(vcpu->vm)) {
		if (vcpu->ext_queued)
			return -EEXIST;
		vcpu->ext_vector = irq.irq;
		vcpu->ext_queued = true;
		nvmx_vcpu_make_request(vcpu, NVMX_REQ_EVENT);
		return 0;
	}
	if (vcpu->vm->irqchip)
		return -ENXIO;
	vcpu->irq_vector = irq.irq;
	vcpu->irq_queued = true;
	nvmx_vcpu_make_request(vcpu, NVMX_REQ_EVENT);
	return 0;
}
