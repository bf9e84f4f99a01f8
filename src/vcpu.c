// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: the vCPU fd, its ioctls and KVM_RUN.
 *
 * A vCPU lives as long as its VM, as on KVM: its fd holds a VM reference
 * and the VM frees its vCPUs when it goes.
 *
 * Where a VMCS is loaded:
 *  - vcpu->cpu is the CPU whose VMCS cache may hold this vCPU's VMCS, or -1.
 *    Each CPU keeps a list of the vCPUs loaded on it (nvmx_loaded_vcpus)
 *    and which one is current (nvmx_current_vcpu). Both are touched only on
 *    that CPU with interrupts off.
 *  - Between nvmx_vcpu_load() and nvmx_vcpu_put() (under vcpu->mutex) the
 *    VMCS is current on whatever CPU the thread runs on: a preempt notifier
 *    reloads it when the scheduler moves the thread, after VMCLEAR on the
 *    old CPU by IPI.
 *  - VMCLEAR happens on the CPU that loaded the VMCS: when the vCPU moves,
 *    when it is freed, and when that CPU leaves VMX operation (hotplug,
 *    reboot, last VM gone).
 */
#include <linux/anon_inodes.h>
#include <linux/bitmap.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uaccess.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "vmx_ops.h"

static DEFINE_PER_CPU(struct list_head, nvmx_loaded_vcpus);
static DEFINE_PER_CPU(struct nvmx_vcpu *, nvmx_current_vcpu);

/* VPID 0 is the host's. */
#define NVMX_NR_VPIDS	BIT(16)
static DEFINE_SPINLOCK(nvmx_vpid_lock);
static unsigned long *nvmx_vpid_bitmap;

static u16 nvmx_vpid_alloc(void)
{
	unsigned long vpid;

	spin_lock(&nvmx_vpid_lock);
	vpid = find_next_zero_bit(nvmx_vpid_bitmap, NVMX_NR_VPIDS, 1);
	if (vpid < NVMX_NR_VPIDS)
		__set_bit(vpid, nvmx_vpid_bitmap);
	else
		vpid = 0;
	spin_unlock(&nvmx_vpid_lock);
	return vpid;
}

static void nvmx_flush_vpid_ipi(void *arg)
{
	nvmx_invvpid_single((u16)(unsigned long)arg);
}

static void nvmx_vpid_free(u16 vpid)
{
	if (!vpid)
		return;
	/*
	 * The next owner must not see this vCPU's cached translations. CPUs
	 * outside VMX operation are skipped: they flush all at VMXON.
	 */
	nvmx_on_vmx_cpus(nvmx_flush_vpid_ipi, (void *)(unsigned long)vpid);
	spin_lock(&nvmx_vpid_lock);
	__clear_bit(vpid, nvmx_vpid_bitmap);
	spin_unlock(&nvmx_vpid_lock);
}

/* VMCLEAR on the CPU that loaded the VMCS. Interrupts off, on vcpu->cpu. */
static void nvmx_vcpu_clear_local(struct nvmx_vcpu *vcpu)
{
	if (nvmx_vmclear(vcpu->vmcs_pa))
		nvmx_vmx_insn_failed("vmclear", 0);
	if (this_cpu_read(nvmx_current_vcpu) == vcpu)
		this_cpu_write(nvmx_current_vcpu, NULL);
	list_del(&vcpu->loaded_node);
	vcpu->launched = false;
	/* Everything above before another CPU may load it. */
	smp_wmb();
	WRITE_ONCE(vcpu->cpu, -1);
}

static void nvmx_vcpu_clear_ipi(void *arg)
{
	struct nvmx_vcpu *vcpu = arg;

	/* A CPU going offline may have cleared it already. */
	if (READ_ONCE(vcpu->cpu) == smp_processor_id())
		nvmx_vcpu_clear_local(vcpu);
}

static void nvmx_vcpu_clear(struct nvmx_vcpu *vcpu)
{
	int cpu = READ_ONCE(vcpu->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, nvmx_vcpu_clear_ipi, vcpu, 1);
}

/* Before this CPU leaves VMX operation. Interrupts off. */
void nvmx_vcpus_clear_this_cpu(void)
{
	struct list_head *head = this_cpu_ptr(&nvmx_loaded_vcpus);
	struct nvmx_vcpu *vcpu, *tmp;

	list_for_each_entry_safe(vcpu, tmp, head, loaded_node)
		nvmx_vcpu_clear_local(vcpu);
}

/* Makes the vCPU's VMCS current on this CPU. Preemption off. */
static void nvmx_vcpu_load_here(struct nvmx_vcpu *vcpu)
{
	int cpu = smp_processor_id();
	unsigned long flags;

	/*
	 * A CPU going offline has left VMX operation, but a vCPU thread still
	 * queued there is switched in once (sched_in) before the scheduler
	 * pushes it to another CPU, where it is loaded: see vmx.c.
	 */
	if (!nvmx_this_cpu_vmx_on())
		return;
	if (READ_ONCE(vcpu->cpu) != cpu) {
		nvmx_vcpu_clear(vcpu);
		/* See the old CPU's VMCLEAR before loading here (clear_local). */
		smp_rmb();
		local_irq_save(flags);
		list_add(&vcpu->loaded_node, this_cpu_ptr(&nvmx_loaded_vcpus));
		WRITE_ONCE(vcpu->cpu, cpu);
		local_irq_restore(flags);
		if (nvmx_vmptrld(vcpu->vmcs_pa))
			nvmx_vmx_insn_failed("vmptrld", 0);
		this_cpu_write(nvmx_current_vcpu, vcpu);
		/*
		 * The guest about to run must not steer indirect branches with
		 * what another guest trained (X86_FEATURE_USE_IBPB), as on
		 * kvm_intel when the current VMCS changes.
		 */
		indirect_branch_prediction_barrier();
		/* Host state that differs per CPU. */
		nvmx_vmcs01_set_host_per_cpu();
		/*
		 * This CPU may hold translations of this VPID from an earlier
		 * visit, which guest INVLPGs elsewhere did not reach.
		 */
		vcpu->flush_tlb = true;
	} else if (this_cpu_read(nvmx_current_vcpu) != vcpu) {
		if (nvmx_vmptrld(vcpu->vmcs_pa))
			nvmx_vmx_insn_failed("vmptrld", 0);
		this_cpu_write(nvmx_current_vcpu, vcpu);
		/* Another vCPU's VMCS was current: as above. */
		indirect_branch_prediction_barrier();
	}
}

static void nvmx_sched_in(struct preempt_notifier *pn, int cpu)
{
	nvmx_vcpu_load_here(container_of(pn, struct nvmx_vcpu, pn));
}

static void nvmx_sched_out(struct preempt_notifier *pn,
			   struct task_struct *next)
{
	/*
	 * The next task must find the host's state; the VMCS stays loaded
	 * and sched_in() moves it if the CPU changes.
	 */
	nvmx_switch_to_host(container_of(pn, struct nvmx_vcpu, pn));
}

static struct preempt_ops nvmx_preempt_ops = {
	.sched_in = nvmx_sched_in,
	.sched_out = nvmx_sched_out,
};

static void nvmx_vcpu_load(struct nvmx_vcpu *vcpu)
{
	preempt_disable();
	preempt_notifier_register(&vcpu->pn);
	nvmx_vcpu_load_here(vcpu);
	preempt_enable();
}

static void nvmx_vcpu_put(struct nvmx_vcpu *vcpu)
{
	preempt_disable();
	nvmx_switch_to_host(vcpu);
	preempt_notifier_unregister(&vcpu->pn);
	preempt_enable();
}

void nvmx_vcpu_inject_gp(struct nvmx_vcpu *vcpu)
{
	vcpu->exception = (struct nvmx_event) {
		.valid = true, .vector = GP_VECTOR,
		.type = INTR_TYPE_HARD_EXCEPTION >> 8, .has_error = true,
	};
}

void nvmx_vcpu_inject_ud(struct nvmx_vcpu *vcpu)
{
	vcpu->exception = (struct nvmx_event) {
		.valid = true, .vector = UD_VECTOR,
		.type = INTR_TYPE_HARD_EXCEPTION >> 8,
	};
}

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

/* The vCPU state that CPUID results depend on (cpuid.h). */
struct nvmx_cpuid_state nvmx_vcpu_cpuid_state(struct nvmx_vcpu *vcpu)
{
	return (struct nvmx_cpuid_state) {
		.cr4 = vcpu->cr4, .xcr0 = vcpu->xcr0,
		.apic_enabled = vcpu->apic_base & MSR_IA32_APICBASE_ENABLE,
	};
}

void nvmx_vcpu_skip_insn(struct nvmx_vcpu *vcpu)
{
	u32 intr;

	nvmx_vmwrite(GUEST_RIP, nvmx_vmread(GUEST_RIP) +
		     nvmx_vmread(VM_EXIT_INSTRUCTION_LEN));
	/* Stepping past an instruction ends STI and MOV SS blocking. */
	intr = nvmx_vmread(GUEST_INTERRUPTIBILITY_INFO);
	if (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS))
		nvmx_vmwrite(GUEST_INTERRUPTIBILITY_INFO,
			     intr & ~(GUEST_INTR_STATE_STI |
				      GUEST_INTR_STATE_MOV_SS));
}

/* Finishes an I/O or MMIO exit now that userspace has done its part. */
static void nvmx_complete_io(struct nvmx_vcpu *vcpu)
{
	unsigned long *rax = &vcpu->regs.gpr[NVMX_RAX];

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
	default:
		break;
	}
	if (vcpu->pending_io != NVMX_IO_NONE)
		nvmx_vmwrite(GUEST_RIP, nvmx_vmread(GUEST_RIP) +
			     vcpu->pending_insn_len);
	vcpu->pending_io = NVMX_IO_NONE;
}

/*
 * Writes the pending event into the VMCS right before entry. It stays
 * pending until a VM exit shows the entry happened (the CPU then clears
 * the VMCS field): an entry that does not happen must not lose it.
 */
static void nvmx_inject_event(struct nvmx_vcpu *vcpu)
{
	struct nvmx_event *e = &vcpu->exception;
	u32 info;

	if (!e->valid)
		return;
	info = e->vector | ((u32)e->type << 8) | INTR_INFO_VALID_MASK;
	/* Real mode has no error codes; VM entry refuses one there. */
	if (e->has_error && (vcpu->cr0 & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		nvmx_vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, e->error_code);
	}
	if (e->insn_len)
		nvmx_vmwrite(VM_ENTRY_INSTRUCTION_LEN, e->insn_len);
	nvmx_vmwrite(VM_ENTRY_INTR_INFO_FIELD, info);
}

/*
 * An event the exit interrupted (e.g. an exception whose delivery hit an
 * EPT violation) is delivered again at the next entry.
 */
static void nvmx_requeue_vectoring(struct nvmx_vcpu *vcpu)
{
	u32 info = nvmx_vmread(IDT_VECTORING_INFO_FIELD);
	struct nvmx_event *e = &vcpu->exception;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	e->valid = true;
	e->vector = info & VECTORING_INFO_VECTOR_MASK;
	e->type = (info & VECTORING_INFO_TYPE_MASK) >> 8;
	e->has_error = info & VECTORING_INFO_DELIVER_CODE_MASK;
	e->error_code = e->has_error ?
		nvmx_vmread(IDT_VECTORING_ERROR_CODE) : 0;
	/* Software events restart the instruction that raised them. */
	switch (info & VECTORING_INFO_TYPE_MASK) {
	case INTR_TYPE_SOFT_INTR:
	case INTR_TYPE_PRIV_SW_EXCEPTION:
	case INTR_TYPE_SOFT_EXCEPTION:
		e->insn_len = nvmx_vmread(VM_EXIT_INSTRUCTION_LEN);
		break;
	default:
		e->insn_len = 0;
		break;
	}
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
 * A halted vCPU waits for something that could wake it. nvmx delivers no
 * interrupts yet, so that is a signal: KVM_RUN returns EINTR and the vCPU
 * stays halted for the next KVM_RUN.
 */
int nvmx_vcpu_block(struct nvmx_vcpu *vcpu)
{
	u64 start = ktime_get_ns();

	vcpu->stat.blocking = 1;
	for (;;) {
		set_current_state(TASK_INTERRUPTIBLE);
		if (signal_pending(current))
			break;
		schedule();
	}
	__set_current_state(TASK_RUNNING);
	vcpu->stat.blocking = 0;
	vcpu->stat.halt_wait_ns += ktime_get_ns() - start;
	vcpu->run->exit_reason = KVM_EXIT_INTR;
	vcpu->stat.signal_exits++;
	return -EINTR;
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

/* Flushes the vCPU's VPID-tagged TLB on this CPU if asked. Preemption off. */
static void nvmx_flush_tlb_if_asked(struct nvmx_vcpu *vcpu)
{
	if (!vcpu->flush_tlb)
		return;
	nvmx_invvpid_single(vcpu->vpid);
	vcpu->flush_tlb = false;
	vcpu->stat.tlb_flush++;
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
	nvmx_inject_event(vcpu);

	nvmx_spec_before_entry();
	failed = nvmx_vmenter(&vcpu->regs, vcpu->launched);
	nvmx_spec_after_exit();

	nvmx_switch_after_exit(vcpu);
	if (failed)
		return failed;
	vcpu->exit_reason = nvmx_vmread(VM_EXIT_REASON);
	/* A failed VM entry leaves the VMCS clear (SDM "VM-Entry Failures"). */
	if (!nvmx_entry_failed(vcpu))
		vcpu->launched = true;
	/* The entry happened (or failed its checks): the event is consumed. */
	vcpu->exception.valid = false;
	nvmx_handle_exit_irqoff(vcpu);
	return 0;
}

static int nvmx_vcpu_run(struct nvmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	int r;

	nvmx_vcpu_load(vcpu);
	vcpu->has_run = true;
	nvmx_complete_io(vcpu);
	/* As KVM: EINTR, and exit_reason still says what the last exit was. */
	if (READ_ONCE(run->immediate_exit)) {
		r = -EINTR;
		goto out_put;
	}
	if (vcpu->mp_state == KVM_MP_STATE_HALTED) {
		r = nvmx_vcpu_block(vcpu);
		goto out_put;
	}

	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, true);
	for (;;) {
		if (signal_pending(current)) {
			run->exit_reason = KVM_EXIT_INTR;
			vcpu->stat.signal_exits++;
			r = -EINTR;
			break;
		}
		cond_resched();

		preempt_disable();
		nvmx_vmcs01_before_entry(vcpu);
		nvmx_flush_tlb_if_asked(vcpu);
		local_irq_disable();
		if (need_resched() || signal_pending(current) ||
		    nvmx_vmx_shutting_down()) {
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
		if (r) {
			r = nvmx_vmfail(vcpu);
			break;
		}
		/* IDT-vectoring information is undefined after a failed entry. */
		if (!nvmx_entry_failed(vcpu))
			nvmx_requeue_vectoring(vcpu);
		r = nvmx_handle_exit(vcpu);
		if (r <= 0)
			break;
	}
	fpu_swap_kvm_fpstate(&vcpu->guest_fpu, false);
out_put:
	nvmx_vcpu_put(vcpu);
	return r;
}

static long nvmx_vcpu_msrs(struct nvmx_vcpu *vcpu,
			   struct kvm_msrs __user *user, bool set)
{
	struct kvm_msr_entry __user *uentries = user->entries;
	struct kvm_msr_entry e;
	struct kvm_msrs hdr;
	u32 i;
	int r;

	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	/* KVM's limit on one call. */
	if (hdr.nmsrs >= NVMX_MAX_IO_MSRS)
		return -E2BIG;
	/* Returns how many were done; stops at the first that fails. */
	for (i = 0; i < hdr.nmsrs; i++) {
		if (copy_from_user(&e, &uentries[i], sizeof(e)))
			return -EFAULT;
		if (set) {
			r = nvmx_set_msr(vcpu, e.index, e.data, true);
		} else {
			r = nvmx_get_msr(vcpu, e.index, &e.data, true);
			if (!r && copy_to_user(&uentries[i].data, &e.data,
					       sizeof(e.data)))
				return -EFAULT;
		}
		if (r)
			break;
	}
	return i;
}

static long nvmx_vcpu_set_cpuid2(struct nvmx_vcpu *vcpu,
				 struct kvm_cpuid2 __user *user)
{
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 hdr;
	int r;

	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > NVMX_MAX_CPUID_ENTRIES)
		return -E2BIG;
	e = vmemdup_user(user->entries, array_size(hdr.nent, sizeof(*e)));
	if (IS_ERR(e))
		return PTR_ERR(e);
	/* As KVM: once the vCPU has run, only the same table is accepted. */
	if (vcpu->has_run) {
		r = nvmx_cpuid_equal(e, hdr.nent, vcpu->cpuid,
				     vcpu->cpuid_nent) ? 0 : -EINVAL;
		kvfree(e);
		return r;
	}
	r = nvmx_cpuid_check(e, hdr.nent);
	if (r) {
		kvfree(e);
		return r;
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = hdr.nent;
	nvmx_nested_after_set_cpuid(vcpu);
	return 0;
}

static long nvmx_vcpu_get_cpuid2(struct nvmx_vcpu *vcpu,
				 struct kvm_cpuid2 __user *user)
{
	struct nvmx_cpuid_state st = nvmx_vcpu_cpuid_state(vcpu);
	struct kvm_cpuid_entry2 e;
	struct kvm_cpuid2 hdr;
	u32 i, r[4];

	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	/* As KVM: too small a buffer is E2BIG and nent is left alone. */
	if (hdr.nent < vcpu->cpuid_nent)
		return -E2BIG;
	hdr.nent = vcpu->cpuid_nent;
	if (copy_to_user(user, &hdr, sizeof(hdr)))
		return -EFAULT;
	/* As KVM: the entries as the guest reads them now (OSXSAVE, APIC...). */
	for (i = 0; i < hdr.nent; i++) {
		e = vcpu->cpuid[i];
		nvmx_cpuid_lookup(vcpu->cpuid, vcpu->cpuid_nent, e.function,
				  e.index, &st, r);
		e.eax = r[0];
		e.ebx = r[1];
		e.ecx = r[2];
		e.edx = r[3];
		if (copy_to_user(&user->entries[i], &e, sizeof(e)))
			return -EFAULT;
	}
	return 0;
}

static long nvmx_vcpu_mp_state(struct nvmx_vcpu *vcpu,
			       struct kvm_mp_state __user *user, bool set)
{
	struct kvm_mp_state mp;

	if (!set) {
		mp.mp_state = vcpu->mp_state;
		return copy_to_user(user, &mp, sizeof(mp)) ? -EFAULT : 0;
	}
	if (copy_from_user(&mp, user, sizeof(mp)))
		return -EFAULT;
	/* INIT and SIPI need a local APIC that delivers them: not yet. */
	if (mp.mp_state != KVM_MP_STATE_RUNNABLE &&
	    mp.mp_state != KVM_MP_STATE_HALTED)
		return -EINVAL;
	vcpu->mp_state = mp.mp_state;
	return 0;
}

/* KVM_GET_FPU and KVM_SET_FPU: the legacy FXSAVE part of the guest FPU. */
static long nvmx_vcpu_fpu(struct nvmx_vcpu *vcpu, struct kvm_fpu __user *user,
			  bool set)
{
	struct fxregs_state *fx = &vcpu->guest_fpu.fpstate->regs.fxsave;
	struct kvm_fpu *f;
	long r = 0;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	if (set) {
		if (copy_from_user(f, user, sizeof(*f))) {
			r = -EFAULT;
			goto out_free;
		}
		/* Reserved MXCSR bits would make the FPU restore fault. */
		if (f->mxcsr & ~mxcsr_feature_mask) {
			r = -EINVAL;
			goto out_free;
		}
		memcpy(fx->st_space, f->fpr, sizeof(f->fpr));
		fx->cwd = f->fcw;
		fx->swd = f->fsw;
		fx->twd = f->ftwx;
		fx->fop = f->last_opcode;
		fx->rip = f->last_ip;
		fx->rdp = f->last_dp;
		memcpy(fx->xmm_space, f->xmm, sizeof(f->xmm));
		fx->mxcsr = f->mxcsr;
		/* XRSTOR would take x87 and SSE from their init state. */
		if (boot_cpu_has(X86_FEATURE_XSAVE))
			vcpu->guest_fpu.fpstate->regs.xsave.header.xfeatures |=
				XFEATURE_MASK_FPSSE;
	} else {
		memcpy(f->fpr, fx->st_space, sizeof(f->fpr));
		f->fcw = fx->cwd;
		f->fsw = fx->swd;
		f->ftwx = fx->twd;
		f->last_opcode = fx->fop;
		f->last_ip = fx->rip;
		f->last_dp = fx->rdp;
		memcpy(f->xmm, fx->xmm_space, sizeof(f->xmm));
		f->mxcsr = fx->mxcsr;
		if (copy_to_user(user, f, sizeof(*f)))
			r = -EFAULT;
	}
out_free:
	kfree(f);
	return r;
}

static long nvmx_vcpu_stats_fd(struct nvmx_vcpu *vcpu)
{
	char id[NVMX_STATS_NAME_SIZE];

	snprintf(id, sizeof(id), "kvm-%d/vcpu-%u", task_pid_nr(current),
		 vcpu->id);
	nvmx_vm_get(vcpu->vm);
	return nvmx_stats_fd_create(&nvmx_vcpu_stats_schema, id,
				    (const u64 *)&vcpu->stat,
				    nvmx_vm_put_owner, vcpu->vm);
}

/* The register ioctls: copy in, apply with the VMCS loaded, copy out. */
static long nvmx_vcpu_regs_ioctl(struct nvmx_vcpu *vcpu, unsigned int ioctl,
				 void __user *argp)
{
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
	} *u;
	size_t size = (ioctl == KVM_GET_REGS || ioctl == KVM_SET_REGS) ?
		      sizeof(u->regs) : sizeof(u->sregs);
	bool set = ioctl == KVM_SET_REGS || ioctl == KVM_SET_SREGS;
	long r;

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	r = -EFAULT;
	if (set && copy_from_user(u, argp, size))
		goto out_free;
	nvmx_vcpu_load(vcpu);
	if (ioctl == KVM_GET_REGS)
		r = nvmx_get_regs(vcpu, &u->regs);
	else if (ioctl == KVM_SET_REGS)
		r = nvmx_set_regs(vcpu, &u->regs);
	else if (ioctl == KVM_GET_SREGS)
		r = nvmx_get_sregs(vcpu, &u->sregs);
	else
		r = nvmx_set_sregs(vcpu, &u->sregs);
	nvmx_vcpu_put(vcpu);
	if (!r && !set && copy_to_user(argp, u, size))
		r = -EFAULT;
out_free:
	kfree(u);
	return r;
}

static long nvmx_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			    unsigned long arg)
{
	struct nvmx_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;

	switch (ioctl) {
	case KVM_RUN:
		r = -EINVAL;
		if (!arg)
			r = nvmx_vcpu_run(vcpu);
		break;
	case KVM_GET_REGS:
	case KVM_SET_REGS:
	case KVM_GET_SREGS:
	case KVM_SET_SREGS:
		r = nvmx_vcpu_regs_ioctl(vcpu, ioctl, argp);
		break;
	case KVM_GET_MSRS:
	case KVM_SET_MSRS:
		nvmx_vcpu_load(vcpu);
		r = nvmx_vcpu_msrs(vcpu, argp, ioctl == KVM_SET_MSRS);
		nvmx_vcpu_put(vcpu);
		break;
	case KVM_SET_CPUID2:
		r = nvmx_vcpu_set_cpuid2(vcpu, argp);
		break;
	case KVM_GET_CPUID2:
		r = nvmx_vcpu_get_cpuid2(vcpu, argp);
		break;
	case KVM_GET_MP_STATE:
	case KVM_SET_MP_STATE:
		r = nvmx_vcpu_mp_state(vcpu, argp, ioctl == KVM_SET_MP_STATE);
		break;
	case KVM_GET_FPU:
	case KVM_SET_FPU:
		r = nvmx_vcpu_fpu(vcpu, argp, ioctl == KVM_SET_FPU);
		break;
	case KVM_GET_STATS_FD:
		r = nvmx_vcpu_stats_fd(vcpu);
		break;
	default:
		/* KVM's answer for a vCPU ioctl it does not know. */
		r = -EINVAL;
		break;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t nvmx_vcpu_fault(struct vm_fault *vmf)
{
	struct nvmx_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff == 0)
		page = vcpu->run_page;
	else if (vmf->pgoff == NVMX_PIO_PAGE_OFFSET)
		page = vcpu->pio_page;
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct nvmx_vcpu_vm_ops = {
	.fault = nvmx_vcpu_fault,
};

static int nvmx_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff + vma_pages(vma) > NVMX_VCPU_MMAP_PAGES)
		return -EINVAL;
	vma->vm_ops = &nvmx_vcpu_vm_ops;
	return 0;
}

/* Frees a vCPU; at VM destruction, or when its creation fails. */
void nvmx_vcpu_free(struct nvmx_vcpu *vcpu)
{
	nvmx_vcpu_clear(vcpu);
	nvmx_vpid_free(vcpu->vpid);
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
	kvfree(vcpu->cpuid);
	if (vcpu->apic_page)
		__free_page(vcpu->apic_page);
	if (vcpu->msr_bitmap)
		__free_page(vcpu->msr_bitmap);
	if (vcpu->vmcs_page)
		__free_page(vcpu->vmcs_page);
	if (vcpu->pio_page)
		__free_page(vcpu->pio_page);
	if (vcpu->run_page)
		__free_page(vcpu->run_page);
	kfree(vcpu);
}

/* As on KVM, a vCPU lives as long as its VM, not its fd. */
static int nvmx_vcpu_release(struct inode *inode, struct file *filp)
{
	struct nvmx_vcpu *vcpu = filp->private_data;

	nvmx_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations nvmx_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = nvmx_vcpu_release,
	.unlocked_ioctl = nvmx_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = nvmx_vcpu_mmap,
	.llseek = noop_llseek,
};

static struct page *nvmx_alloc_zeroed_page(void)
{
	return alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
}

/* KVM_CREATE_VCPU: returns the vCPU fd. vm->lock is held. */
static int __nvmx_vcpu_create(struct nvmx_vm *vm, u32 id)
{
	struct nvmx_vcpu *vcpu;
	char name[24];
	int r;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->cpu = -1;
	mutex_init(&vcpu->mutex);
	INIT_LIST_HEAD(&vcpu->loaded_node);
	preempt_notifier_init(&vcpu->pn, &nvmx_preempt_ops);

	r = -ENOMEM;
	vcpu->run_page = nvmx_alloc_zeroed_page();
	vcpu->pio_page = nvmx_alloc_zeroed_page();
	vcpu->vmcs_page = nvmx_alloc_zeroed_page();
	vcpu->msr_bitmap = nvmx_alloc_zeroed_page();
	vcpu->apic_page = nvmx_alloc_zeroed_page();
	if (!vcpu->run_page || !vcpu->pio_page || !vcpu->vmcs_page ||
	    !vcpu->msr_bitmap || !vcpu->apic_page)
		goto err_free;
	if (!fpu_alloc_guest_fpstate(&vcpu->guest_fpu))
		goto err_free;
	vcpu->vpid = nvmx_vpid_alloc();
	if (!vcpu->vpid)
		goto err_free;
	vcpu->run = page_address(vcpu->run_page);
	vcpu->vmcs_pa = page_to_phys(vcpu->vmcs_page);
	*(u32 *)page_address(vcpu->vmcs_page) = nvmx_caps_revision(&nvmx_caps);
	nvmx_msr_bitmap_init(page_address(vcpu->msr_bitmap));
	nvmx_lapic_reset(vcpu);
	nvmx_nested_vcpu_init(vcpu);

	nvmx_vcpu_load(vcpu);
	r = nvmx_vmcs01_setup(vcpu);
	nvmx_vcpu_put(vcpu);
	if (r)
		goto err_free;

	snprintf(name, sizeof(name), "nvmx-vcpu:%u", id);
	nvmx_vm_get(vm);
	r = anon_inode_getfd(name, &nvmx_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (r < 0) {
		/* The caller's VM fd keeps the VM alive. */
		nvmx_vm_put(vm);
		goto err_free;
	}
	vm->vcpus[id] = vcpu;
	vm->nr_vcpus++;
	vm->stat.nvmx_vcpus++;
	return r;

err_free:
	nvmx_vcpu_free(vcpu);
	return r;
}

int nvmx_vcpu_create(struct nvmx_vm *vm, unsigned long id)
{
	int r;

	if (id >= NVMX_MAX_VCPUS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (vm->vcpus[id])
		r = -EEXIST;
	else
		r = __nvmx_vcpu_create(vm, id);
	mutex_unlock(&vm->lock);
	return r;
}

int nvmx_vcpu_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(per_cpu_ptr(&nvmx_loaded_vcpus, cpu));
	nvmx_vpid_bitmap = bitmap_zalloc(NVMX_NR_VPIDS, GFP_KERNEL);
	if (!nvmx_vpid_bitmap)
		return -ENOMEM;
	preempt_notifier_inc();
	return 0;
}

void nvmx_vcpu_exit(void)
{
	preempt_notifier_dec();
	bitmap_free(nvmx_vpid_bitmap);
}
