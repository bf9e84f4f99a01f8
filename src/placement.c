// SPDX-License-Identifier: GPL-2.0
/*
 * Where VMCSs are loaded: loaded-VMCS objects, VPIDs, vCPU load and put,
 * the preempt notifiers and the per-CPU lists.
 *
 * A VMCS (struct nvmx_loaded_vmcs: vmcs01, later vmcs02) is loaded,
 * migrated and cleared here, whichever it is:
 *  - lv->cpu is the CPU whose VMCS cache may hold it, or -1. Each CPU keeps
 *    a list of the VMCSs loaded on it (nvmx_loaded_vmcss) and which one is
 *    current (nvmx_current_vmcs). Both are touched only on that CPU with
 *    interrupts off.
 *  - Between nvmx_vcpu_load() and nvmx_vcpu_put() (under vcpu->mutex) the
 *    vCPU's vcpu->loaded is current on whatever CPU the thread runs on: a
 *    preempt notifier reloads it when the scheduler moves the thread, after
 *    VMCLEAR on the old CPU by IPI. nvmx_switch_vmcs() changes which VMCS
 *    that is; the other may stay loaded where it was until it is used.
 *  - VMCLEAR happens on the CPU that loaded the VMCS: when it moves, when
 *    it is freed, and when that CPU leaves VMX operation (hotplug, reboot,
 *    last VM gone).
 */
#include <linux/bitmap.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <linux/sched.h>
#include <linux/smp.h>
#include <linux/spinlock.h>
#include <asm/nospec-branch.h>

#include "nvmx.h"
#include "vmx_ops.h"

static DEFINE_PER_CPU(struct list_head, nvmx_loaded_vmcss);
static DEFINE_PER_CPU(struct nvmx_loaded_vmcs *, nvmx_current_vmcs);

/* VPID 0 is the host's. */
#define NVMX_NR_VPIDS	BIT(16)
static DEFINE_SPINLOCK(nvmx_vpid_lock);
static unsigned long *nvmx_vpid_bitmap;

/* Returns a free VPID, or 0 when none is left. */
u16 nvmx_vpid_alloc(void)
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

void nvmx_vpid_free(u16 vpid)
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

/* A clear VMCS with the revision identifier written. */
int nvmx_loaded_vmcs_alloc(struct nvmx_loaded_vmcs *lv)
{
	lv->cpu = -1;
	lv->launched = false;
	INIT_LIST_HEAD(&lv->node);
	lv->page = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	if (!lv->page)
		return -ENOMEM;
	lv->pa = page_to_phys(lv->page);
	*(u32 *)page_address(lv->page) = nvmx_caps_revision(&nvmx_caps);
	return 0;
}

/* VMCLEAR on the CPU that loaded the VMCS. Interrupts off, on lv->cpu. */
static void nvmx_loaded_vmcs_clear_local(struct nvmx_loaded_vmcs *lv)
{
	if (nvmx_vmclear(lv->pa))
		nvmx_vmx_insn_failed("vmclear", 0);
	if (lv->shadow_pa && nvmx_vmclear(lv->shadow_pa))
		nvmx_vmx_insn_failed("vmclear", 0);
	if (this_cpu_read(nvmx_current_vmcs) == lv)
		this_cpu_write(nvmx_current_vmcs, NULL);
	list_del(&lv->node);
	lv->launched = false;
	/* Everything above before another CPU may load it. */
	smp_wmb();
	WRITE_ONCE(lv->cpu, -1);
}

static void nvmx_loaded_vmcs_clear_ipi(void *arg)
{
	struct nvmx_loaded_vmcs *lv = arg;

	/* A CPU going offline may have cleared it already. */
	if (READ_ONCE(lv->cpu) == smp_processor_id())
		nvmx_loaded_vmcs_clear_local(lv);
}

/* VMCLEAR wherever it is loaded; a clear VMCS is left alone. */
void nvmx_loaded_vmcs_clear(struct nvmx_loaded_vmcs *lv)
{
	int cpu = READ_ONCE(lv->cpu);

	if (cpu >= 0)
		smp_call_function_single(cpu, nvmx_loaded_vmcs_clear_ipi, lv, 1);
}

/* Also for one whose allocation failed (no page: never loaded). */
void nvmx_loaded_vmcs_free(struct nvmx_loaded_vmcs *lv)
{
	if (!lv->page)
		return;
	nvmx_loaded_vmcs_clear(lv);
	__free_page(lv->page);
	lv->page = NULL;
}

/* Before this CPU leaves VMX operation. Interrupts off. */
void nvmx_vmcs_clear_this_cpu(void)
{
	struct list_head *head = this_cpu_ptr(&nvmx_loaded_vmcss);
	struct nvmx_loaded_vmcs *lv, *tmp;

	list_for_each_entry_safe(lv, tmp, head, node)
		nvmx_loaded_vmcs_clear_local(lv);
}

static void nvmx_vmptrld_here(struct nvmx_vcpu *vcpu,
			      struct nvmx_loaded_vmcs *lv)
{
	struct nvmx_loaded_vmcs *prev = this_cpu_read(nvmx_current_vmcs);

	if (nvmx_vmptrld(lv->pa))
		nvmx_vmx_insn_failed("vmptrld", 0);
	this_cpu_write(nvmx_current_vmcs, lv);
	/*
	 * The guest about to run must not steer indirect branches with what
	 * another guest trained (X86_FEATURE_USE_IBPB), as on kvm_intel when
	 * the current VMCS changes. Not between vmcs01 and vmcs02 of one
	 * vCPU, as kvm_intel: L1 protects L2 from itself and L2 runs under
	 * L1's control.
	 */
	if (!prev || (prev != &vcpu->vmcs01 && prev != vcpu->nested.vmcs02))
		indirect_branch_prediction_barrier();
}

/* Makes lv current on this CPU for the vCPU. Preemption off. */
static void nvmx_vmcs_load_here(struct nvmx_vcpu *vcpu,
				struct nvmx_loaded_vmcs *lv)
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
	if (READ_ONCE(lv->cpu) != cpu) {
		nvmx_loaded_vmcs_clear(lv);
		/* See the old CPU's VMCLEAR before loading here (clear_local). */
		smp_rmb();
		local_irq_save(flags);
		list_add(&lv->node, this_cpu_ptr(&nvmx_loaded_vmcss));
		WRITE_ONCE(lv->cpu, cpu);
		local_irq_restore(flags);
		nvmx_vmptrld_here(vcpu, lv);
		nvmx_vmcs_set_host_per_cpu();
		/*
		 * This CPU may hold translations of this VPID from an earlier
		 * visit, which guest INVLPGs elsewhere did not reach.
		 */
		vcpu->flush_tlb = true;
	} else if (this_cpu_read(nvmx_current_vmcs) != lv) {
		/* Another VMCS was current: as above. */
		nvmx_vmptrld_here(vcpu, lv);
	}
	/* The same for a vCPU that moved with another of its VMCSs. */
	if (vcpu->cpu != cpu) {
		vcpu->cpu = cpu;
		vcpu->flush_tlb = true;
		/* Its kvmclock page, if on, is rewritten here (kvmclock.c). */
		if (vcpu->system_time_msr & 1)
			nvmx_vcpu_make_request(vcpu, NVMX_REQ_CLOCK);
	}
}

/* Runs the vCPU on lv from now on. Preemption off, vCPU loaded. */
void nvmx_switch_vmcs(struct nvmx_vcpu *vcpu, struct nvmx_loaded_vmcs *lv)
{
	vcpu->loaded = lv;
	nvmx_vmcs_load_here(vcpu, lv);
}

/*
 * Makes the VMCS at @pa, which is in no list (a shadow VMCS), current on
 * this CPU for a few VMREADs and VMWRITEs; VMCLEAR first with
 * @clear_first (a new region). Interrupts stay off until
 * nvmx_vmcs_unborrow(), so no IPI loads or clears a VMCS meanwhile and
 * nvmx_current_vmcs stays true. False, with nothing done, if this CPU is
 * not in VMX operation or the CPU refuses the region.
 */
bool nvmx_vmcs_borrow(u64 pa, bool clear_first, unsigned long *flags)
{
	local_irq_save(*flags);
	if (nvmx_this_cpu_vmx_on() && !(clear_first && nvmx_vmclear(pa)) &&
	    !nvmx_vmptrld(pa))
		return true;
	local_irq_restore(*flags);
	return false;
}

/*
 * Gives the CPU back: @pa is cleared (written to memory, inactive, as the
 * link pointer wants it) and the VMCS this CPU had current is again.
 */
void nvmx_vmcs_unborrow(u64 pa, unsigned long flags)
{
	struct nvmx_loaded_vmcs *cur = this_cpu_read(nvmx_current_vmcs);

	if (nvmx_vmclear(pa))
		nvmx_vmx_insn_failed("vmclear", 0);
	if (cur && nvmx_vmptrld(cur->pa))
		nvmx_vmx_insn_failed("vmptrld", 0);
	local_irq_restore(flags);
}

static void nvmx_sched_in(struct preempt_notifier *pn, int cpu)
{
	struct nvmx_vcpu *vcpu = container_of(pn, struct nvmx_vcpu, pn);

	nvmx_vmcs_load_here(vcpu, vcpu->loaded);
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

/* At creation, before anything can fail: the vCPU runs on vmcs01. */
void nvmx_placement_init_vcpu(struct nvmx_vcpu *vcpu)
{
	vcpu->cpu = -1;
	vcpu->vmcs01.cpu = -1;
	INIT_LIST_HEAD(&vcpu->vmcs01.node);
	vcpu->loaded = &vcpu->vmcs01;
	preempt_notifier_init(&vcpu->pn, &nvmx_preempt_ops);
}

void nvmx_vcpu_load(struct nvmx_vcpu *vcpu)
{
	preempt_disable();
	preempt_notifier_register(&vcpu->pn);
	nvmx_vmcs_load_here(vcpu, vcpu->loaded);
	preempt_enable();
}

void nvmx_vcpu_put(struct nvmx_vcpu *vcpu)
{
	preempt_disable();
	nvmx_switch_to_host(vcpu);
	preempt_notifier_unregister(&vcpu->pn);
	preempt_enable();
}

int nvmx_placement_init(void)
{
	int cpu;

	for_each_possible_cpu(cpu)
		INIT_LIST_HEAD(per_cpu_ptr(&nvmx_loaded_vmcss, cpu));
	nvmx_vpid_bitmap = bitmap_zalloc(NVMX_NR_VPIDS, GFP_KERNEL);
	if (!nvmx_vpid_bitmap)
		return -ENOMEM;
	preempt_notifier_inc();
	return 0;
}

void nvmx_placement_exit(void)
{
	preempt_notifier_dec();
	bitmap_free(nvmx_vpid_bitmap);
}
