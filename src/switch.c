// SPDX-License-Identifier: GPL-2.0
/*
 * Switching a CPU between the host's state and a guest's, for the state VM
 * entry and exit do not switch themselves.
 *
 * Three lifetimes, from the cheapest to switch to the dearest:
 *  - Per entry (nvmx_switch_to_guest() / nvmx_switch_after_exit(), with
 *    interrupts off around nvmx_vmenter()): XCR0, DEBUGCTL, and the
 *    debug registers: DR7 through the VMCS, DR0-3 and DR6 by MOV when
 *    the guest's DR7 enables a breakpoint (nvmx_load_guest_dr()).
 *  - Per load (nvmx_switch_to_guest() the first time, nvmx_switch_to_host()
 *    when the vCPU thread is scheduled out or KVM_RUN returns): the
 *    guest's KERNEL_GS_BASE, and the host's segment selectors, LDT, GDT
 *    limit and TSS limit, which VM exit leaves at values only the kernel
 *    itself can live with (null selectors and LDT, GDT limit 0xffff, TSS
 *    limit 0x67). Kernel code between two exits does not use any of them;
 *    user mode and the next task on this CPU do, and they only run after
 *    nvmx_switch_to_host().
 *  - Per return to user mode (a user-return notifier per CPU): STAR,
 *    LSTAR, CSTAR and SFMASK. Only SYSCALL in user mode reads them, so the
 *    guest's values may stay loaded across exits, reschedules and other
 *    kernel code, until this CPU next returns to user mode.
 *
 * Every value written to an MSR here was checked when the guest or
 * userspace set it (msr.c), and XSETBV runs with an exception fixup.
 *
 * Locking: the per-CPU notifier state is touched only on its own CPU with
 * interrupts off. vcpu->host is touched only by the vCPU's thread with
 * preemption off (the sched-out notifier runs with interrupts off).
 */
#include <linux/percpu.h>
#include <linux/preempt.h>
#include <linux/sched.h>
#include <linux/user-return-notifier.h>
#include <asm/asm.h>
#include <asm/debugreg.h>
#include <asm/desc.h>
#include <asm/fpu/xcr.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/segment.h>

#include "nvmx.h"
#include "vmx_ops.h"

/* The MSRs restored on return to user mode, in nvmx_vcpu.syscall_msrs order. */
static const u32 nvmx_uret_msrs[NVMX_NR_SYSCALL_MSRS] = {
	[NVMX_STAR] = MSR_STAR,
	[NVMX_LSTAR] = MSR_LSTAR,
	[NVMX_CSTAR] = MSR_CSTAR,
	[NVMX_SFMASK] = MSR_SYSCALL_MASK,
};

struct nvmx_uret_cpu {
	struct user_return_notifier urn;
	bool registered;
	/* What the host had when the notifier was registered. */
	u64 host[NVMX_NR_SYSCALL_MSRS];
	/* What the CPU holds now. */
	u64 curr[NVMX_NR_SYSCALL_MSRS];
};

static DEFINE_PER_CPU(struct nvmx_uret_cpu, nvmx_uret);

/* Puts the host's values back and forgets the notifier. Interrupts off. */
static void nvmx_uret_restore(struct nvmx_uret_cpu *c)
{
	unsigned int i;

	if (!c->registered)
		return;
	user_return_notifier_unregister(&c->urn);
	c->registered = false;
	for (i = 0; i < NVMX_NR_SYSCALL_MSRS; i++) {
		if (c->curr[i] != c->host[i]) {
			wrmsrl(nvmx_uret_msrs[i], c->host[i]);
			c->curr[i] = c->host[i];
		}
	}
}

static void nvmx_on_user_return(struct user_return_notifier *urn)
{
	struct nvmx_uret_cpu *c = container_of(urn, struct nvmx_uret_cpu, urn);
	unsigned long flags;

	local_irq_save(flags);
	nvmx_uret_restore(c);
	local_irq_restore(flags);
}

/*
 * Before this CPU leaves VMX operation for nvmx (last VM gone, hotplug,
 * reboot): no notifier of a module that may be unloaded next may stay
 * registered. Interrupts off.
 */
void nvmx_uret_drop_this_cpu(void)
{
	nvmx_uret_restore(this_cpu_ptr(&nvmx_uret));
}

static void nvmx_uret_load(const u64 *guest)
{
	struct nvmx_uret_cpu *c = this_cpu_ptr(&nvmx_uret);
	unsigned int i;

	if (!c->registered) {
		for (i = 0; i < NVMX_NR_SYSCALL_MSRS; i++) {
			rdmsrl(nvmx_uret_msrs[i], c->host[i]);
			c->curr[i] = c->host[i];
		}
		c->urn.on_user_return = nvmx_on_user_return;
		user_return_notifier_register(&c->urn);
		c->registered = true;
	}
	for (i = 0; i < NVMX_NR_SYSCALL_MSRS; i++) {
		if (c->curr[i] != guest[i]) {
			wrmsrl(nvmx_uret_msrs[i], guest[i]);
			c->curr[i] = guest[i];
		}
	}
}

/* LLDT by selector; <asm/desc.h> has it only without paravirt. */
static void nvmx_lldt(u16 sel)
{
	asm volatile("lldt %0" : : "rm"(sel));
}

/* The per-load part of nvmx_switch_to_guest(). Preemption off. */
static void nvmx_save_host_state(struct nvmx_vcpu *vcpu)
{
	struct nvmx_host_state *h = &vcpu->host;

	savesegment(ds, h->ds);
	savesegment(es, h->es);
	savesegment(fs, h->fs);
	savesegment(gs, h->gs);
	store_ldt(h->ldt);
	rdmsrl(MSR_FS_BASE, h->fs_base);
	/* In the kernel, KERNEL_GS_BASE holds the task's user GS base. */
	rdmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	wrmsrl(MSR_KERNEL_GS_BASE, vcpu->kernel_gs_base);
	h->loaded = true;
}

/*
 * Gives the CPU back the host state the guest's displaced: before the
 * vCPU thread is scheduled out, and before KVM_RUN returns. Preemption or
 * interrupts off.
 */
void nvmx_switch_to_host(struct nvmx_vcpu *vcpu)
{
	struct nvmx_host_state *h = &vcpu->host;

	if (!h->loaded)
		return;
	/* SWAPGS in the guest may have changed it without an exit. */
	rdmsrl(MSR_KERNEL_GS_BASE, vcpu->kernel_gs_base);
	if (h->ldt)
		nvmx_lldt(h->ldt);
	/* Loading GS sets the user GS base; KERNEL_GS_BASE below fixes it. */
	if (h->gs)
		load_gs_index(h->gs);
	if (h->fs) {
		/* The selector loads the descriptor's base, not the task's. */
		loadsegment(fs, h->fs);
		wrmsrl(MSR_FS_BASE, h->fs_base);
	}
	if (h->ds)
		loadsegment(ds, h->ds);
	if (h->es)
		loadsegment(es, h->es);
	wrmsrl(MSR_KERNEL_GS_BASE, h->kernel_gs_base);
	/* VM exit left GDTR.limit at 0xffff and the TSS limit at 0x67. */
	load_fixmap_gdt(raw_smp_processor_id());
	invalidate_tss_limit();
	h->loaded = false;
}

/* XSETBV that reports a fault instead of taking it. */
static int nvmx_xsetbv_safe(u64 value)
{
	u32 lo = value, hi = value >> 32;

	asm goto("1: xsetbv\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : "a"(lo), "d"(hi), "c"(XCR_XFEATURE_ENABLED_MASK)
		 : "memory" : fault);
	return 0;
fault:
	return -EFAULT;
}

/*
 * CR4.OSXSAVE is never THROUGH (policy.c: L0 must see it change), so the
 * cached CR4 holds the guest's bit and no VMREAD is needed here.
 */
static bool nvmx_guest_xcr0_differs(struct nvmx_vcpu *vcpu)
{
	return (vcpu->cr4 & X86_CR4_OSXSAVE) && vcpu->xcr0 != nvmx_host_xcr0;
}

/* DR7's local and global enables of breakpoints 0-3. */
#define NVMX_DR7_BP_ENABLES	0xffUL

/*
 * The guest's debug registers, for the VMCS that is current (vmcs01, or
 * vmcs02 with L2's DR7 in vcpu->dr7). MOV DR always exits, so nothing the
 * guest does changes them without nvmx seeing it; DR0-3 and DR6 are
 * shared by L1 and L2, as on hardware. They are loaded only when DR7
 * arms a breakpoint: otherwise nothing in the guest can read them or act
 * on them (#DB is intercepted, so the CPU never writes DR6 for it).
 */
static void nvmx_load_guest_dr(struct nvmx_vcpu *vcpu)
{
	unsigned long dr7 = nvmx_eff_dr7(vcpu);
	/* KVM_GUESTDBG_USE_HW_BP: the debugger's breakpoints instead. */
	unsigned long *dr = vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP ?
			    vcpu->gdb_dr : vcpu->dr;

	nvmx_vmwrite(GUEST_DR7, dr7);
	if (!(dr7 & NVMX_DR7_BP_ENABLES))
		return;
	/* The host's breakpoints must not fire on the guest's addresses. */
	if (hw_breakpoint_active())
		set_debugreg(0, 7);
	set_debugreg(dr[0], 0);
	set_debugreg(dr[1], 1);
	set_debugreg(dr[2], 2);
	set_debugreg(dr[3], 3);
	set_debugreg(vcpu->dr6, 6);
	vcpu->host.guest_dr = true;
}

/*
 * Right before VM entry, interrupts off: loads what the guest must run
 * with. Returns -EFAULT if the CPU refused the guest's XCR0, which the
 * XSETBV exit's checks make impossible; the caller then does not enter.
 */
int nvmx_switch_to_guest(struct nvmx_vcpu *vcpu)
{
	vcpu->host.debugctl = get_debugctlmsr();
	if (!vcpu->host.loaded)
		nvmx_save_host_state(vcpu);
	nvmx_uret_load(vcpu->syscall_msrs);
	/*
	 * Decided once, at entry: whatever happens before the exit, the
	 * host's XCR0 comes back if the guest's was loaded.
	 */
	vcpu->host.guest_xcr0 = nvmx_guest_xcr0_differs(vcpu);
	if (vcpu->host.guest_xcr0 && nvmx_xsetbv_safe(vcpu->xcr0)) {
		vcpu->host.guest_xcr0 = false;
		return -EFAULT;
	}
	nvmx_load_guest_dr(vcpu);
	return 0;
}

/* Right after VM exit, interrupts off. */
void nvmx_switch_after_exit(struct nvmx_vcpu *vcpu)
{
	if (vcpu->host.guest_xcr0)
		xsetbv(XCR_XFEATURE_ENABLED_MASK, nvmx_host_xcr0);
	vcpu->host.guest_xcr0 = false;
	/* VM exit clears DEBUGCTL and sets DR7 to 400H. */
	if (vcpu->host.debugctl)
		update_debugctlmsr(vcpu->host.debugctl);
	/*
	 * The host's DR6 is DR6_RESERVED between its #DBs; DR0-3 matter to
	 * it only with breakpoints of its own, which the restore reloads.
	 */
	if (vcpu->host.guest_dr) {
		set_debugreg(DR6_RESERVED, 6);
		vcpu->host.guest_dr = false;
	}
	if (hw_breakpoint_active())
		hw_breakpoint_restore();
}

/*
 * KERNEL_GS_BASE as the guest has it now: in the CPU while the guest's is
 * loaded (SWAPGS changes it without an exit), else in the vCPU.
 */
u64 nvmx_guest_kernel_gs_base(struct nvmx_vcpu *vcpu)
{
	preempt_disable();
	if (vcpu->host.loaded)
		rdmsrl(MSR_KERNEL_GS_BASE, vcpu->kernel_gs_base);
	preempt_enable();
	return vcpu->kernel_gs_base;
}

/* Sets it; @v is canonical (msr.c checked). */
void nvmx_set_guest_kernel_gs_base(struct nvmx_vcpu *vcpu, u64 v)
{
	preempt_disable();
	vcpu->kernel_gs_base = v;
	if (vcpu->host.loaded)
		wrmsrl(MSR_KERNEL_GS_BASE, v);
	preempt_enable();
}
