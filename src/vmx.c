// SPDX-License-Identifier: GPL-2.0
/*
 * VMX capabilities and per-CPU VMX operation.
 *
 * nvmx enters VMX operation (VMXON) on every online CPU when the first VM is
 * created and leaves it (VMXOFF) when the last VM is gone, so that nvmx and
 * other hypervisors such as kvm_intel can take turns on one host. A CPU
 * whose CR4.VMXE is already set belongs to someone else: VM creation then
 * fails with -EBUSY and that CPU is left as it was.
 *
 * Locking:
 *  - nvmx_vmx_lock (mutex) serialises nvmx_vmx_get(), nvmx_vmx_put(), the
 *    reboot and module notifiers, and protects nvmx_vmx_users,
 *    nvmx_vmx_rebooting and the emergency callback's state (nvmx_kvm_loaded,
 *    nvmx_emergency_held). It is taken before cpus_read_lock().
 *  - nvmx_vmx_active says whether nvmx wants VMX on every online CPU. It is
 *    written only with nvmx_vmx_lock and cpus_read_lock() held, so the CPU
 *    hotplug callbacks (hotplug lock held for write) and the syscore
 *    callbacks (one CPU left, interrupts off) read a stable value without
 *    the mutex.
 *  - struct nvmx_cpu is written only on its own CPU with interrupts off
 *    (IPI, hotplug or syscore callback), except vmxon_page, which is
 *    written at load and unload only. Other CPUs read vmx_on (READ_ONCE)
 *    only to pick IPI targets; the IPI re-checks it.
 *
 * CPU hotplug (see nvmx_cpu_online()) uses a CPUHP_AP_ONLINE_DYN state, so
 * a CPU is in cpu_online_mask for a while before it enters VMX operation and
 * after it leaves it. Hence these rules:
 *  - every broadcast of a VMX instruction (INVEPT, INVVPID) goes through
 *    nvmx_on_vmx_cpus(): hotplug lock held for read, only CPUs with vmx_on,
 *    re-checked on the target with interrupts off;
 *  - a VMCS is loaded only on a CPU in VMX operation (nvmx_this_cpu_vmx_on());
 *  - the VMCLEAR IPI (placement.c) runs only if the target still holds the
 *    VMCS, which leaving VMX operation clears first.
 */
#include <linux/bits.h>
#include <linux/cpu.h>
#include <linux/cpuhotplug.h>
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/percpu.h>
#include <linux/printk.h>
#include <linux/reboot.h>
#include <linux/smp.h>
#include <linux/string.h>
#include <linux/syscore_ops.h>
#include <asm/asm.h>
#include <asm/msr.h>
#include <asm/msr-index.h>
#include <asm/perf_event.h>
#include <asm/processor.h>
#include <asm/reboot.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "nvmx.h"
#include "vmx_ops.h"

struct nvmx_cpu {
	struct page *vmxon_page;
	int err;
	const char *differs;
	bool vmx_on;
};

static DEFINE_PER_CPU(struct nvmx_cpu, nvmx_cpu);

struct nvmx_vmx_caps nvmx_caps __read_mostly;

static DEFINE_MUTEX(nvmx_vmx_lock);
static unsigned int nvmx_vmx_users;
static bool nvmx_vmx_rebooting;
static bool nvmx_vmx_active;
static int nvmx_cpuhp_state;
static bool nvmx_kvm_loaded;
static bool nvmx_emergency_held;

#define NVMX_FEAT_CTL_NEEDED (FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)

static u64 *nvmx_cap_slot(struct nvmx_vmx_caps *caps, unsigned int i)
{
	return (u64 *)((u8 *)caps + nvmx_cap_msrs[i].offset);
}

/* Reads this CPU's capability MSRs; returns the name of one that faults. */
static const char *nvmx_read_caps(struct nvmx_vmx_caps *caps)
{
	unsigned int i;

	memset(caps, 0, sizeof(*caps));
	for (i = 0; i < NVMX_CAP_NR_MSRS; i++) {
		if (!nvmx_cap_msr_present(caps, i))
			continue;
		if (rdmsrl_safe(nvmx_cap_msrs[i].msr, nvmx_cap_slot(caps, i)))
			return nvmx_cap_msrs[i].name;
	}
	return NULL;
}

/* Returns what differs between this CPU and the loader's CPU, or NULL. */
static const char *nvmx_cpu_caps_differ(void)
{
	struct nvmx_vmx_caps caps;
	const char *what = nvmx_read_caps(&caps);

	return what ? what : nvmx_caps_differ(&caps, &nvmx_caps);
}

static bool nvmx_cpu_vmx_allowed(void)
{
	u64 feat;

	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat))
		return false;
	return (feat & NVMX_FEAT_CTL_NEEDED) == NVMX_FEAT_CTL_NEEDED;
}

/* Enters VMX operation on this CPU. Interrupts must be off. */
static int nvmx_cpu_enable(void)
{
	struct nvmx_cpu *c = this_cpu_ptr(&nvmx_cpu);
	int r;

	c->differs = NULL;
	if (c->vmx_on)
		return 0;
	if (cr4_read_shadow() & X86_CR4_VMXE)
		return -EBUSY;
	if (!nvmx_cpu_vmx_allowed())
		return -EOPNOTSUPP;
	c->differs = nvmx_cpu_caps_differ();
	if (c->differs)
		return -EOPNOTSUPP;
	/* Linux's CR0 and CR4 normally satisfy VMX; refuse rather than edit them. */
	if (!nvmx_cr_fixed_ok(read_cr0(), nvmx_caps.cr0_fixed0,
			      nvmx_caps.cr0_fixed1) ||
	    !nvmx_cr_fixed_ok(cr4_read_shadow() | X86_CR4_VMXE,
			      nvmx_caps.cr4_fixed0, nvmx_caps.cr4_fixed1))
		return -EINVAL;

	intel_pt_handle_vmx(1);
	cr4_set_bits(X86_CR4_VMXE);
	r = nvmx_vmxon(page_to_phys(c->vmxon_page));
	if (r) {
		cr4_clear_bits(X86_CR4_VMXE);
		intel_pt_handle_vmx(0);
		return r;
	}
	WRITE_ONCE(c->vmx_on, true);
	/*
	 * Translations cached before an earlier VMXOFF may survive it. This
	 * flush is what lets nvmx_on_vmx_cpus() skip CPUs outside VMX
	 * operation: none of them can use a stale translation of nvmx's
	 * without coming through here first.
	 */
	nvmx_flush_all_contexts();
	return 0;
}

/* Leaves VMX operation on this CPU if nvmx entered it. Interrupts must be off. */
static void nvmx_cpu_disable(void)
{
	struct nvmx_cpu *c = this_cpu_ptr(&nvmx_cpu);

	if (!c->vmx_on)
		return;
	/* VMCLEAR writes each VMCS back to memory; VMXOFF would not. */
	nvmx_vmcs_clear_this_cpu();
	/* No notifier of ours may outlive the module. */
	nvmx_uret_drop_this_cpu();
	/* Only a VMXOFF by someone else, e.g. a crash path, makes this fault. */
	if (nvmx_vmxoff())
		pr_err("CPU %d: VMXOFF faulted; VMX was already off\n",
		       smp_processor_id());
	cr4_clear_bits(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
	WRITE_ONCE(c->vmx_on, false);
}

static void nvmx_report_enable_error(int cpu, int err, const char *differs)
{
	switch (err) {
	case -EBUSY:
		pr_warn_ratelimited("CPU %d is in VMX operation for another hypervisor (CR4.VMXE set); %s\n",
				    cpu, NVMX_VMX_BUSY_HINT);
		break;
	case -EOPNOTSUPP:
		if (differs)
			pr_warn_ratelimited("CPU %d: %s differs from the CPU nvmx was loaded on\n",
					    cpu, differs);
		else
			pr_warn_ratelimited("CPU %d: VMX is disabled by firmware (IA32_FEATURE_CONTROL)\n",
					    cpu);
		break;
	case -EINVAL:
		pr_warn_ratelimited("CPU %d: CR0 or CR4 violates the VMX fixed bits\n",
				    cpu);
		break;
	default:
		pr_warn_ratelimited("CPU %d: VMXON failed (%d)\n", cpu, err);
		break;
	}
}

static void nvmx_cpu_enable_ipi(void *unused)
{
	this_cpu_write(nvmx_cpu.err, nvmx_cpu_enable());
}

static void nvmx_cpu_disable_ipi(void *unused)
{
	nvmx_cpu_disable();
}

/*
 * Emergency restart and crash kexec. The kernel does not leave VMX
 * operation there by itself: it calls the one callback a hypervisor
 * registered (cpu_emergency_register_virt_callback(), a single slot that
 * WARNs when taken twice), on every CPU, with interrupts off or from an
 * NMI. Left in VMX operation, a CPU blocks INIT, so the crash kernel could
 * not start the other CPUs and some resets would hang.
 *
 * kvm.ko takes that slot: on 6.1 while kvm_intel is loaded, on 6.12 while
 * kvm has virtualization enabled (from load, with its enable_virt_at_load
 * default). Its callback executes VMXOFF on any CPU with CR4.VMXE set,
 * nvmx's included. So nvmx holds the slot only while it is in VMX
 * operation and kvm.ko is not loaded, and gives it up before kvm.ko's
 * init runs (module notifier); neither ever WARNs. What that leaves
 * uncovered: nvmx VMs while kvm.ko is loaded but holds no slot (6.12 with
 * kvm.enable_virt_at_load=0 and no KVM VM, or kvm.ko without kvm_intel).
 */
static void nvmx_emergency_vmxoff(void)
{
	if (!this_cpu_read(nvmx_cpu.vmx_on))
		return;
	/* Any VMX instruction still to come faults quietly (vmx_ops.h). */
	WRITE_ONCE(nvmx_vmx_rebooting, true);
	nvmx_vmxoff();
	cr4_clear_bits(X86_CR4_VMXE);
	intel_pt_handle_vmx(0);
	WRITE_ONCE(this_cpu_ptr(&nvmx_cpu)->vmx_on, false);
}

/* Takes or gives up the emergency slot as the state now asks. */
static void nvmx_emergency_update(void)
{
	bool want;

	lockdep_assert_held(&nvmx_vmx_lock);
	want = nvmx_vmx_users && !nvmx_vmx_rebooting && !nvmx_kvm_loaded;
	if (want == nvmx_emergency_held)
		return;
	if (want)
		nvmx_emergency_virt_register(nvmx_emergency_vmxoff);
	else
		nvmx_emergency_virt_unregister(nvmx_emergency_vmxoff);
	nvmx_emergency_held = want;
}

static bool nvmx_is_kvm(void *data)
{
	return !strcmp(((struct module *)data)->name, "kvm");
}

static int nvmx_module_notify(struct notifier_block *nb, unsigned long state,
			      void *data)
{
	if ((state != MODULE_STATE_COMING && state != MODULE_STATE_GOING) ||
	    !nvmx_is_kvm(data))
		return NOTIFY_DONE;
	/* COMING runs before kvm's init, GOING after its exit (or failed init). */
	mutex_lock(&nvmx_vmx_lock);
	nvmx_kvm_loaded = state == MODULE_STATE_COMING;
	nvmx_emergency_update();
	mutex_unlock(&nvmx_vmx_lock);
	return NOTIFY_OK;
}

static struct notifier_block nvmx_module_nb = {
	.notifier_call = nvmx_module_notify,
};

/* After the notifier is registered: a kvm.ko loaded before nvmx. */
static void nvmx_find_kvm(void)
{
	void *p = __symbol_get("kvm_rebooting");

	if (!p)
		return;
	mutex_lock(&nvmx_vmx_lock);
	nvmx_kvm_loaded = true;
	mutex_unlock(&nvmx_vmx_lock);
	/* By name: symbol_put_addr() takes text addresses only. */
	__symbol_put("kvm_rebooting");
}

/*
 * Takes a reference on VMX operation for a new VM: the first one enters VMX
 * operation on every online CPU, or on none if any CPU refuses.
 */
int nvmx_vmx_get(void)
{
	int cpu, r = 0;

	mutex_lock(&nvmx_vmx_lock);
	if (nvmx_vmx_rebooting) {
		r = -EBUSY;
		goto out_unlock;
	}
	if (nvmx_vmx_users) {
		nvmx_vmx_users++;
		goto out_unlock;
	}

	cpus_read_lock();
	WRITE_ONCE(nvmx_vmx_active, true);
	on_each_cpu(nvmx_cpu_enable_ipi, NULL, 1);
	for_each_online_cpu(cpu) {
		struct nvmx_cpu *c = per_cpu_ptr(&nvmx_cpu, cpu);

		if (c->err) {
			nvmx_report_enable_error(cpu, c->err, c->differs);
			r = c->err == -EBUSY || c->err == -EOPNOTSUPP ?
			    c->err : -EIO;
			break;
		}
	}
	if (r) {
		on_each_cpu(nvmx_cpu_disable_ipi, NULL, 1);
		WRITE_ONCE(nvmx_vmx_active, false);
	} else {
		nvmx_vmx_users = 1;
	}
	cpus_read_unlock();
	nvmx_emergency_update();
out_unlock:
	mutex_unlock(&nvmx_vmx_lock);
	return r;
}

/* Drops a VM's reference; the last one leaves VMX operation everywhere. */
void nvmx_vmx_put(void)
{
	mutex_lock(&nvmx_vmx_lock);
	if (WARN_ON_ONCE(!nvmx_vmx_users))
		goto out_unlock;
	if (--nvmx_vmx_users)
		goto out_unlock;
	cpus_read_lock();
	WRITE_ONCE(nvmx_vmx_active, false);
	on_each_cpu(nvmx_cpu_disable_ipi, NULL, 1);
	cpus_read_unlock();
	nvmx_emergency_update();
out_unlock:
	mutex_unlock(&nvmx_vmx_lock);
}

bool nvmx_vmx_shutting_down(void)
{
	return READ_ONCE(nvmx_vmx_rebooting);
}

/*
 * A VMX instruction failed or faulted. After the reboot notifier has left
 * VMX operation that is expected; otherwise it is nvmx's own bug.
 */
void nvmx_vmx_insn_failed(const char *insn, unsigned long field)
{
	if (nvmx_vmx_shutting_down())
		return;
	WARN_ONCE(1, "nvmx: %s %#lx failed\n", insn, field);
}

/*
 * Whether this CPU is in VMX operation for nvmx. Call with preemption off;
 * only an IPI (the reboot notifier's) can change the answer meanwhile.
 */
bool nvmx_this_cpu_vmx_on(void)
{
	return this_cpu_read(nvmx_cpu.vmx_on);
}

struct nvmx_vmx_call {
	smp_call_func_t func;
	void *info;
};

static bool nvmx_cpu_vmx_on(int cpu, void *unused)
{
	return READ_ONCE(per_cpu_ptr(&nvmx_cpu, cpu)->vmx_on);
}

/* Interrupts are off: vmx_on cannot change under us on this CPU. */
static void nvmx_vmx_call_ipi(void *arg)
{
	struct nvmx_vmx_call *call = arg;

	if (this_cpu_read(nvmx_cpu.vmx_on))
		call->func(call->info);
}

/*
 * Runs @func (a VMX instruction such as INVEPT or INVVPID) on every CPU in
 * VMX operation for nvmx, and waits for it. The others are skipped, which is
 * correct as well as necessary (there the instruction would #UD): a CPU
 * outside VMX operation holds no translation nvmx could reach, because
 * entering it again (nvmx_cpu_enable()) flushes all contexts before any
 * guest runs there. That covers CPUs between online and the hotplug
 * callback, CPUs past the teardown callback and every CPU after the reboot
 * notifier. The hotplug lock keeps CPUs from coming and going meanwhile; the
 * reboot notifier may still turn VMX off, hence the check on the target.
 * Sleeps (the hotplug lock): process context only.
 */
void nvmx_on_vmx_cpus(smp_call_func_t func, void *info)
{
	struct nvmx_vmx_call call = { .func = func, .info = info };

	cpus_read_lock();
	on_each_cpu_cond(nvmx_cpu_vmx_on, nvmx_vmx_call_ipi, &call, true);
	cpus_read_unlock();
}

/* Counts the online CPUs nvmx holds in VMX operation. */
unsigned int nvmx_vmx_cpus(void)
{
	unsigned int n = 0;
	int cpu;

	cpus_read_lock();
	for_each_online_cpu(cpu)
		n += READ_ONCE(per_cpu_ptr(&nvmx_cpu, cpu)->vmx_on);
	cpus_read_unlock();
	return n;
}

/*
 * CPU hotplug: a CPU coming online while nvmx has VMs enters VMX operation
 * (or the online fails, as VMs could be scheduled there); a CPU going
 * offline leaves it. Both run on the CPU concerned, in its hotplug thread.
 *
 * Why CPUHP_AP_ONLINE_DYN and not a STARTING state as KVM 6.1's
 * CPUHP_AP_KVM_STARTING: 6.1 has no dynamic STARTING range, and that fixed
 * slot is kvm.ko's (cpuhp_setup_state() says -EBUSY while kvm is loaded),
 * so nvmx and kvm_intel could no longer be loaded together. STARTING
 * callbacks also must not fail (the kernel WARNs, a panic here) and run
 * with interrupts off, so a CPU nvmx cannot enter would come online anyway.
 *
 * The price is the windows described at the top of this file: the CPU is
 * online, and takes IPIs, before the startup callback and after the
 * teardown callback. User tasks cannot run on it before the startup
 * callback (CPUHP_AP_ACTIVE comes later), but after the teardown one a
 * vCPU thread still queued on it can be switched in once, firing its
 * sched_in notifier, before the scheduler pushes it away (balance_push();
 * CPUHP_AP_SCHED_WAIT_EMPTY, which waits for that, is below this state).
 */
static int nvmx_cpu_online(unsigned int cpu)
{
	struct nvmx_cpu *c = this_cpu_ptr(&nvmx_cpu);
	unsigned long flags;
	int r;

	if (!READ_ONCE(nvmx_vmx_active))
		return 0;
	local_irq_save(flags);
	r = nvmx_cpu_enable();
	local_irq_restore(flags);
	if (r)
		nvmx_report_enable_error(cpu, r, c->differs);
	return r;
}

static int nvmx_cpu_offline(unsigned int cpu)
{
	unsigned long flags;

	local_irq_save(flags);
	nvmx_cpu_disable();
	local_irq_restore(flags);
	return 0;
}

/*
 * Orderly reboot and kexec: leave VMX everywhere and take no new VMs. VMs
 * closed afterwards need no VMX instruction: nvmx_cpu_disable() VMCLEARed
 * every loaded VMCS (so freeing a vCPU sends no VMCLEAR), and the
 * INVEPT/INVVPID broadcasts find no CPU with vmx_on. A vCPU ioctl racing
 * with this may still execute one; it faults into its fixup, and
 * nvmx_vmx_insn_failed() stays quiet once nvmx_vmx_rebooting is set.
 */
static int nvmx_reboot_notify(struct notifier_block *nb, unsigned long code,
			      void *unused)
{
	mutex_lock(&nvmx_vmx_lock);
	WRITE_ONCE(nvmx_vmx_rebooting, true);
	if (nvmx_vmx_users)
		pr_info("leaving VMX operation on every CPU for reboot, with %u VMs open\n",
			nvmx_vmx_users);
	cpus_read_lock();
	WRITE_ONCE(nvmx_vmx_active, false);
	on_each_cpu(nvmx_cpu_disable_ipi, NULL, 1);
	cpus_read_unlock();
	nvmx_emergency_update();
	mutex_unlock(&nvmx_vmx_lock);
	return NOTIFY_OK;
}

static struct notifier_block nvmx_reboot_nb = {
	.notifier_call = nvmx_reboot_notify,
};

/* Suspend and resume: only the boot CPU is left; hotplug handled the rest. */
static int nvmx_suspend(void)
{
	if (READ_ONCE(nvmx_vmx_active))
		nvmx_cpu_disable();
	return 0;
}

static void nvmx_resume(void)
{
	int r;

	if (!READ_ONCE(nvmx_vmx_active))
		return;
	r = nvmx_cpu_enable();
	if (r)
		nvmx_report_enable_error(smp_processor_id(), r,
					 this_cpu_ptr(&nvmx_cpu)->differs);
}

static struct syscore_ops nvmx_syscore_ops = {
	.suspend = nvmx_suspend,
	.resume = nvmx_resume,
};

static void nvmx_cpu_check_ipi(void *unused)
{
	this_cpu_write(nvmx_cpu.differs, nvmx_cpu_caps_differ());
}

/* Checks the loading CPU can run nvmx; one dmesg line says why not. */
static int nvmx_probe(void)
{
	const char *what;
	u64 feat = 0;
	int cpu;

	if (!(cpuid_ecx(1) & BIT(5))) {
		pr_err("not loading: CPU has no VMX (CPUID.1:ECX.VMX[bit 5] is 0)\n");
		return -EOPNOTSUPP;
	}
	if (rdmsrl_safe(MSR_IA32_FEAT_CTL, &feat) ||
	    (feat & NVMX_FEAT_CTL_NEEDED) != NVMX_FEAT_CTL_NEEDED) {
		pr_err("not loading: VMX is disabled by firmware (IA32_FEATURE_CONTROL=%#llx, needs lock and VMX outside SMX)\n",
		       feat);
		return -EOPNOTSUPP;
	}
	what = nvmx_read_caps(&nvmx_caps);
	if (what) {
		pr_err("not loading: cannot read %s\n", what);
		return -EOPNOTSUPP;
	}
	what = nvmx_caps_missing(&nvmx_caps);
	if (what) {
		pr_err("not loading: CPU lacks %s\n", what);
		return -EOPNOTSUPP;
	}

	cpus_read_lock();
	on_each_cpu(nvmx_cpu_check_ipi, NULL, 1);
	for_each_online_cpu(cpu) {
		what = per_cpu_ptr(&nvmx_cpu, cpu)->differs;
		if (what)
			break;
	}
	cpus_read_unlock();
	if (what) {
		pr_err("not loading: %s on CPU %d differs from the other CPUs\n",
		       what, cpu);
		return -EOPNOTSUPP;
	}
	return 0;
}

static void nvmx_free_vmxon_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct nvmx_cpu *c = per_cpu_ptr(&nvmx_cpu, cpu);

		if (c->vmxon_page)
			__free_page(c->vmxon_page);
		c->vmxon_page = NULL;
	}
}

static int nvmx_alloc_vmxon_pages(void)
{
	int cpu;

	for_each_possible_cpu(cpu) {
		struct nvmx_cpu *c = per_cpu_ptr(&nvmx_cpu, cpu);
		struct page *page;

		page = alloc_pages_node(cpu_to_node(cpu),
					GFP_KERNEL | __GFP_ZERO, 0);
		if (!page) {
			nvmx_free_vmxon_pages();
			return -ENOMEM;
		}
		/* VMXON wants the revision identifier, bit 31 clear. */
		*(u32 *)page_address(page) = nvmx_caps_revision(&nvmx_caps);
		c->vmxon_page = page;
	}
	return 0;
}

int nvmx_vmx_init(void)
{
	int r;

	r = nvmx_probe();
	if (r)
		return r;
	r = nvmx_alloc_vmxon_pages();
	if (r)
		return r;
	r = cpuhp_setup_state(CPUHP_AP_ONLINE_DYN, "nvmx:online",
			      nvmx_cpu_online, nvmx_cpu_offline);
	if (r < 0)
		goto err_free_pages;
	nvmx_cpuhp_state = r;
	r = register_reboot_notifier(&nvmx_reboot_nb);
	if (r)
		goto err_remove_cpuhp;
	r = register_module_notifier(&nvmx_module_nb);
	if (r)
		goto err_reboot;
	nvmx_find_kvm();
	register_syscore_ops(&nvmx_syscore_ops);
	return 0;

err_reboot:
	unregister_reboot_notifier(&nvmx_reboot_nb);
err_remove_cpuhp:
	cpuhp_remove_state(nvmx_cpuhp_state);
err_free_pages:
	nvmx_free_vmxon_pages();
	return r;
}

/* Runs after the last fd is gone, so no CPU is in VMX operation for nvmx. */
void nvmx_vmx_exit(void)
{
	unregister_syscore_ops(&nvmx_syscore_ops);
	unregister_module_notifier(&nvmx_module_nb);
	unregister_reboot_notifier(&nvmx_reboot_nb);
	cpuhp_remove_state(nvmx_cpuhp_state);
	WARN_ON_ONCE(nvmx_vmx_users);
	nvmx_free_vmxon_pages();
}
