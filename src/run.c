// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_RUN: the run loop, one VM entry and exit, what must run with
 * interrupts still off after an exit, I/O completion and blocking.
 */
#include <linux/highmem.h>
#include <linux/ktime.h>
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <asm/fpu/api.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "vmx_ops.h"

/* A guest GPR by x86 number; RSP lives in the VMCS, the rest in regs. */
unsigned long nvmx_gpr_read(struct nvmx_vcpu *vcpu, unsigned int n)
{
	if (n == NVMX_RSP)
		return nvmx_vmread(GUEST_RSP);
	return vcpu->regs.gpr[n];
}

void nvmx_gpr_write(struct nvmx_vcpu *vcpu, unsigned int n, unsigned long v)
{
	if (n == NVMX_RSP)
		nvmx_vmwrite(GUEST_RSP, v);
	else
		vcpu->regs.gpr[n] = v;
}

/* Steps RIP past an instruction of @len bytes the guest did not run. */
void nvmx_vcpu_advance_rip(struct nvmx_vcpu *vcpu, u32 len)
{
	u32 intr;

	nvmx_vmwrite(GUEST_RIP, nvmx_vmread(GUEST_RIP) + len);
	/* It completed: its single-step trap is nvmx's to raise (vstate.c). */
	vcpu->step_due = true;
	/* Stepping past an instruction ends STI and MOV SS blocking. */
	intr = nvmx_vmread(GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		nvmx_vmwrite(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI |
				      GUEST_INTR_STATE_MOV_SS));
}

void nvmx_vcpu_skip_insn(struct nvmx_vcpu *vcpu)
{
	nvmx_vcpu_advance_rip(vcpu, nvmx_vmread(VM_EXIT_INSTRUCTION_LEN));
}

/*
 * Finishes an I/O or MMIO exit now that userspace has done its part.
 * Returns false when kvm_run is set for another exit instead.
 */
static bool nvmx_complete_io(struct nvmx_vcpu *vcpu)
{
	unsigned long *rax = &vcpu->regs.gpr[NVMX_RAX];
	int r;

	switch (vcpu->pending_io) {
	case NVMX_IO_PIO_IN: {
		/* The width the exit had: kvm_run is the user's to scribble on. */
		unsigned int size = vcpu->pio_size;
		u64 val = 0;

		if (WARN_ON_ONCE(size != 1 && size != 2 && size != 4))
			break;
		memcpy(&val, page_address(vcpu->pio_page), size);
		/* IN to EAX zero-extends; to AL and AX it merges. */
		if (size == 4)
			*rax = val;
		else
			*rax = (*rax & ~(BIT_ULL(size * 8) - 1)) | val;
		break;
	}
	case NVMX_IO_MMIO_READ:
		nvmx_mmio_complete_read(vcpu);
		break;
	case NVMX_IO_RDMSR:
	case NVMX_IO_WRMSR:
		/* An error is #GP, and the RDMSR or WRMSR is not done. */
		if (!nvmx_msr_complete_user_exit(vcpu)) {
			vcpu->pending_io = NVMX_IO_NONE;
			return true;
		}
		break;
	case NVMX_IO_PIO_INS:
		r = nvmx_strio_complete_ins(vcpu);
		if (r <= 0) {
			/* More to do, a fault queued, or an exit: RIP stays. */
			vcpu->pending_io = NVMX_IO_NONE;
			return r == 0;
		}
		break;
	default:
		break;
	}
	if (vcpu->pending_io != NVMX_IO_NONE)
		nvmx_vcpu_advance_rip(vcpu, vcpu->pending_insn_len);
	vcpu->pending_io = NVMX_IO_NONE;
	return true;
}

/*
 * Runs the host's handler for an NMI or machine check that exited, or a
 * machine check during VM entry. Interrupts off.
 */
static void nvmx_handle_exit_irqoff(struct nvmx_vcpu *vcpu)
{
	u16 basic = vcpu->exit_reason;
	u32 info;

	if (basic == EXIT_REASON_MCE_DURING_VMENTRY) {
		asm volatile("int $0x12");
		return;
	}
	if (basic != EXIT_REASON_EXCEPTION_NMI)
		return;
	info = nvmx_vmread(VM_EXIT_INTR_INFO);
	if (nvmx_intr_info_is_nmi(info))
		nvmx_call_nmi_handler();
	else if (nvmx_intr_info_is_mc(info))
		asm volatile("int $0x12");
}

/*
 * Whether a vCPU that is not runnable has something to wake for, or a
 * signal: an NMI wakes a halted vCPU, not one waiting for INIT or SIPI.
 */
static bool nvmx_vcpu_wake_ready(struct nvmx_vcpu *vcpu)
{
	return signal_pending(current) ||
	       (vcpu->mp_state == KVM_MP_STATE_HALTED &&
		READ_ONCE(vcpu->nmi_pending)) ||
	       (vcpu->vm->irqchip && nvmx_lapic_has_wake_event(vcpu));
}

/*
 * A vCPU that is not runnable (halted, or waiting for INIT or SIPI) sleeps
 * until an event could wake it (irq.h: the source kicks it) or a signal
 * arrives. Returns 1 when it woke for an event (a halted vCPU is then
 * runnable; INIT and SIPI are nvmx_lapic_accept_events()'), or -EINTR for
 * a signal: KVM_RUN returns EINTR and the vCPU stays as it was.
 */
int nvmx_vcpu_block(struct nvmx_vcpu *vcpu)
{
	u64 start = ktime_get_ns();

	vcpu->stat.blocking = 1;
	rcuwait_wait_event(&vcpu->wait, nvmx_vcpu_wake_ready(vcpu),
			   TASK_INTERRUPTIBLE);
	vcpu->stat.blocking = 0;
	vcpu->stat.halt_wait_ns += ktime_get_ns() - start;
	if (signal_pending(current)) {
		vcpu->run->exit_reason = KVM_EXIT_INTR;
		vcpu->stat.signal_exits++;
		return -EINTR;
	}
	if (vcpu->mp_state == KVM_MP_STATE_HALTED)
		vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
	return 1;
}

/*
 * VMfail: the VMCS nvmx wrote is wrong, its own bug. Userspace hears it as
 * KVM reports it: KVM_EXIT_FAIL_ENTRY with the VM-instruction error.
 */
static int nvmx_vmfail(struct nvmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u32 err = nvmx_vmread(VM_INSTRUCTION_ERROR);

	run->exit_reason = KVM_EXIT_FAIL_ENTRY;
	run->fail_entry.hardware_entry_failure_reason = err;
	run->fail_entry.cpu = raw_smp_processor_id();
	pr_warn_ratelimited("vCPU %u: VM entry failed, VM-instruction error %u\n",
			    vcpu->id, err);
	return 0;
}

/* The guest's state could not be put on the CPU; nothing was entered. */
static int nvmx_internal_error_loading(struct nvmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->internal.ndata = 1;
	run->internal.data[0] = vcpu->xcr0;
	return 0;
}

/*
 * Flushes the vCPU's VPID-tagged TLB on this CPU if asked: L1's, and
 * L2's if it has one (L1 has no VPID: a flush for one level is a flush
 * for both). Preemption off.
 */
static void nvmx_flush_tlb_if_asked(struct nvmx_vcpu *vcpu)
{
	if (!vcpu->flush_tlb)
		return;
	nvmx_invvpid_single(vcpu->vpid);
	if (vcpu->nested.vpid02)
		nvmx_invvpid_single(vcpu->nested.vpid02);
	vcpu->flush_tlb = false;
	vcpu->stat.tlb_flush++;
}

/* The event the exit interrupted, if any, goes back to be delivered. */
static void nvmx_requeue_exit_vectoring(struct nvmx_vcpu *vcpu)
{
	u32 info = nvmx_vmread(IDT_VECTORING_INFO_FIELD);
	u32 error = 0;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	if (info & VECTORING_INFO_DELIVER_CODE_MASK)
		error = nvmx_vmread(IDT_VECTORING_ERROR_CODE);
	/*
	 * An NMI whose delivery the exit interrupted was not delivered: the
	 * entry that delivers it again needs NMI blocking clear (SDM's
	 * VM-entry checks), and the delivery sets it.
	 */
	if ((info & VECTORING_INFO_TYPE_MASK) == INTR_TYPE_NMI_INTR)
		nvmx_vmcs_clear_bits(GUEST_INTERRUPTIBILITY_INFO,
				     GUEST_INTR_STATE_NMI);
	nvmx_requeue_vectoring(vcpu, info, error,
			       nvmx_vmread(VM_EXIT_INSTRUCTION_LEN));
}

/*
 * One VM entry and exit. Preemption and interrupts off. Returns 0 after a
 * VM exit (vcpu->exit_reason says which), NVMX_VMENTER_VMFAIL or
 * NVMX_VMENTER_FAULT as nvmx_vmenter() does, -EFAULT when the guest's
 * state could not be loaded.
 */
static int nvmx_enter_guest(struct nvmx_vcpu *vcpu)
{
	int failed;

	if (nvmx_switch_to_guest(vcpu))
		return -EFAULT;
	nvmx_inject_pending(vcpu);

	nvmx_spec_before_entry();
	failed = nvmx_vmenter(&vcpu->regs, vcpu->loaded->launched);
	nvmx_spec_after_exit();

	nvmx_switch_after_exit(vcpu);
	if (failed)
		return failed;
	vcpu->exit_reason = nvmx_vmread(VM_EXIT_REASON);
	/* A failed VM entry leaves the VMCS clear (SDM "VM-Entry Failures"). */
	if (!nvmx_entry_failed(vcpu))
		vcpu->loaded->launched = true;
	/* The entry happened (or failed its checks): the event is consumed. */
	vcpu->injected.valid = false;
	vcpu->immediate_exit = false;
	nvmx_handle_exit_irqoff(vcpu);
	return 0;
}

int nvmx_vcpu_run(struct nvmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	int r;

	nvmx_vcpu_load(vcpu);
	vcpu->has_run = true;
	/* KVM_CAP_SYNC_REGS: userspace's registers first, as KVM. */
	r = nvmx_sync_regs_in(vcpu);
	if (r)
		goto out_put;
	/* Userspace's TPR, before the I/O completion (as KVM). */
	r = nvmx_irq_pre_run(vcpu);
	if (r)
		goto out_put;
	if (!nvmx_complete_io(vcpu)) {
		r = 0;
		goto out_put;
	}
	/* The completed instruction was a single-step (vstate.c). */
	if (nvmx_guest_debug_step_exit(vcpu)) {
		r = 0;
		goto out_put;
	}
	/* As KVM: EINTR, and exit_reason still says what the last exit was. */
	if (nvmx_kvm_run_immediate_exit(run)) {
		r = -EINTR;
		goto out_put;
	}
	/*
	 * As KVM: KVM_RUN of a vCPU that was never started waits for an
	 * event and then returns EAGAIN (EINTR for a signal), whatever the
	 * event made of it; userspace runs it again.
	 */
	if (vcpu->mp_state == KVM_MP_STATE_UNINITIALIZED) {
		r = nvmx_vcpu_block(vcpu);
		if (r > 0) {
			nvmx_lapic_accept_events(vcpu);
			r = -EAGAIN;
		}
		goto out_put;
	}
	for (;;) {
		nvmx_lapic_accept_events(vcpu);
		if (vcpu->mp_state == KVM_MP_STATE_RUNNABLE)
			break;
		r = nvmx_vcpu_block(vcpu);
		if (r <= 0)
			goto out_put;
	}

	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	for (;;) {
		/* An exception for L2 that L1 intercepts is an exit to L1. */
		nvmx_nested_check_events(vcpu);
		/* As a triple fault the CPU detects (exits.c). */
		if (vcpu->triple_fault && vcpu->nested.guest_mode) {
			/* L2's shutdown is a VM exit to L1. */
			vcpu->triple_fault = false;
			nvmx_nested_vmexit(vcpu, EXIT_REASON_TRIPLE_FAULT, 0, 0,
					   0);
		}
		if (vcpu->triple_fault || vcpu->nested.abort) {
			vcpu->triple_fault = false;
			vcpu->nested.abort = false;
			run->exit_reason = KVM_EXIT_SHUTDOWN;
			r = 0;
			break;
		}
		/* INIT and SIPI from other vCPUs (lapic.c). */
		nvmx_lapic_accept_events(vcpu);
		if (vcpu->mp_state != KVM_MP_STATE_RUNNABLE) {
			r = nvmx_vcpu_block(vcpu);
			if (r <= 0)
				break;
			continue;
		}
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			vcpu->stat.signal_exits++;
			r = -EINTR;
			break;
		}
		cond_resched();
		/* Kicks since the last entry are seen now (irq.h). */
		nvmx_vcpu_test_clear_request(vcpu, NVMX_REQ_EVENT);
		/* NMIs and interrupts, after the request is cleared (irq.c). */
		nvmx_inject_events(vcpu);
		/* A TPR drop that unmasks a pending interrupt must exit. */
		nvmx_lapic_update_tpr_threshold(vcpu);
		/* A policy table set since the last entry (policy_vm.c). */
		nvmx_policy_vcpu_sync(vcpu);
		/* The kvmclock page, if its clock or this CPU changed. */
		if (nvmx_vcpu_test_clear_request(vcpu, NVMX_REQ_CLOCK))
			nvmx_kvmclock_update(vcpu);
		/* The MSR bitmap, after KVM_X86_SET_MSR_FILTER. */
		if (nvmx_vcpu_test_clear_request(vcpu, NVMX_REQ_MSR_FILTER))
			nvmx_msr_filter_apply(vcpu);

		preempt_disable();
		nvmx_vmcs01_before_entry(vcpu);
		nvmx_guest_debug_before_entry(vcpu);
		nvmx_flush_tlb_if_asked(vcpu);
		local_irq_disable();
		/* Pairs with nvmx_vcpu_kick(): see irq.c. */
		smp_store_mb(vcpu->mode, NVMX_IN_GUEST);
		if (need_resched() || signal_pending(current) ||
		    nvmx_vmx_shutting_down() || nvmx_vcpu_has_requests(vcpu)) {
			WRITE_ONCE(vcpu->mode, NVMX_OUTSIDE_GUEST);
			local_irq_enable();
			preempt_enable();
			if (nvmx_vmx_shutting_down()) {
				run->exit_reason = KVM_EXIT_SHUTDOWN;
				r = -EIO;
				break;
			}
			continue;
		}
		/*
		 * After a reschedule the registers may hold another task's
		 * FPU state: the kernel reloads it only on the way back to
		 * user mode, and the guest's is what must run now.
		 */
		if (test_thread_flag(TIF_NEED_FPU_LOAD))
			switch_fpu_return();
		r = nvmx_enter_guest(vcpu);
		WRITE_ONCE(vcpu->mode, NVMX_OUTSIDE_GUEST);
		local_irq_enable();
		preempt_enable();

		if (r < 0) {
			r = nvmx_internal_error_loading(vcpu);
			break;
		}
		if (r == NVMX_VMENTER_FAULT) {
			/* Expected only once a reboot or crash left VMX. */
			nvmx_vmx_insn_failed("vmlaunch/vmresume", 0);
			run->exit_reason = KVM_EXIT_SHUTDOWN;
			r = -EIO;
			break;
		}
		if (r && vcpu->nested.guest_mode) {
			nvmx_nested_hw_vmfail(vcpu,
					      nvmx_vmread(VM_INSTRUCTION_ERROR));
			continue;
		}
		if (r) {
			r = nvmx_vmfail(vcpu);
			break;
		}
		/* IDT-vectoring information is undefined after a failed entry. */
		if (!nvmx_entry_failed(vcpu))
			nvmx_requeue_exit_vectoring(vcpu);
		vcpu->step_due = false;
		r = nvmx_handle_exit(vcpu);
		if (r <= 0)
			break;
		if (nvmx_guest_debug_step_exit(vcpu) ||
		    nvmx_irq_window_open(vcpu)) {
			r = 0;
			break;
		}
		/* Split irqchip: userspace's IOAPIC sees the EOI (lapic.c). */
		if (vcpu->eoi_exit) {
			vcpu->eoi_exit = false;
			run->exit_reason = KVM_EXIT_IOAPIC_EOI;
			run->eoi.vector = vcpu->eoi_exit_vector;
			r = 0;
			break;
		}
	}
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
out_put:
	nvmx_irq_post_run(vcpu);
	nvmx_sync_regs_out(vcpu);
	nvmx_vcpu_put(vcpu);
	return r;
}
