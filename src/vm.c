// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects and the VM fd.
 *
 * A VM is reference counted: its fd, each vCPU fd and each stats fd hold
 * one, so a vCPU or stats fd keeps the VM (and its memory) alive after the
 * VM fd is closed. The last reference frees the guest memory and drops the
 * VM's hold on VMX operation (nvmx_vmx_put()). Every fd also pins the
 * module through its fops.
 */
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>

#include "nvmx.h"

static atomic_t nvmx_nr_vms = ATOMIC_INIT(0);

/*
 * A cache of its own: when the module goes, kmem_cache_destroy() reports
 * any VM that was never freed (unless the cache was merged with another).
 */
static struct kmem_cache *nvmx_vm_cache;

unsigned int nvmx_vm_count(void)
{
	return atomic_read(&nvmx_nr_vms);
}

/*
 * KVM_CHECK_EXTENSION, on /dev/nvmx and on a VM fd alike: non-zero only
 * for what nvmx implements, so callers that probe before they use a
 * feature never see a false promise. Not offered: KVM_CAP_IRQFD_RESAMPLE
 * (no resampling), KVM_CAP_REINJECT_CONTROL (the PIT merges lost ticks
 * whatever it is told).
 */
long nvmx_check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_CHECK_EXTENSION_VM:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_INTERNAL_ERROR_DATA:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_BINARY_STATS_FD:
	case KVM_CAP_GET_MSR_FEATURES:
	case KVM_CAP_SET_TSS_ADDR:
	case KVM_CAP_SET_IDENTITY_MAP_ADDR:
	case KVM_CAP_SET_BOOT_CPU_ID:
	case KVM_CAP_ENABLE_CAP_VM:
	case KVM_CAP_TSC_DEADLINE_TIMER:
	case KVM_CAP_USER_NMI:
	/* The in-kernel irqchip (irqchip.h), delivering through the LAPIC. */
	case KVM_CAP_IRQCHIP:
	/* Or the LAPICs only, with MSI routes (KVM_ENABLE_CAP below). */
	case KVM_CAP_SPLIT_IRQCHIP:
	case KVM_CAP_IRQ_INJECT_STATUS:
	case KVM_CAP_SIGNAL_MSI:
	case KVM_CAP_IRQFD:
	case KVM_CAP_PIT:
	case KVM_CAP_PIT2:
	case KVM_CAP_PIT_STATE2:
	case KVM_CAP_VCPU_EVENTS:
	case KVM_CAP_X86_TRIPLE_FAULT_EVENT:
	case KVM_CAP_EXCEPTION_PAYLOAD:
		return 1;
	case KVM_CAP_IRQ_ROUTING:
		return NVMX_MAX_IRQ_ROUTES;
	case KVM_CAP_DEBUGREGS:
	case KVM_CAP_XSAVE:
	case KVM_CAP_SREGS2:
	case KVM_CAP_SET_GUEST_DEBUG:
		return 1;
	case KVM_CAP_SYNC_REGS:
		return nvmx_sync_regs_mask();
	case KVM_CAP_XCRS:
		return boot_cpu_has(X86_FEATURE_XSAVE);
	case KVM_CAP_XSAVE2:
		return nvmx_xsave2_size();
	/* tsc.c: KVM_GET_TSC_KHZ gives the guest's TSC rate. */
	case KVM_CAP_GET_TSC_KHZ:
	/* msr_filter.c: the MSR filter and the exits it and failures take. */
	case KVM_CAP_X86_MSR_FILTER:
	case KVM_CAP_X86_USER_SPACE_MSR:
	/* msr.c: MSR_PLATFORM_INFO, the guest's to read unless disabled. */
	case KVM_CAP_MSR_PLATFORM_INFO:
		return 1;
	/* KVM_GET_CLOCK's flags, which KVM_SET_CLOCK takes back (kvmclock.c). */
	case KVM_CAP_ADJUST_CLOCK:
		return KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME |
		       KVM_CLOCK_HOST_TSC;
	case KVM_CAP_IOEVENTFD:
	case KVM_CAP_IOEVENTFD_NO_LENGTH:
	case KVM_CAP_IOEVENTFD_ANY_LENGTH:
		return 1;
	case KVM_CAP_NR_VCPUS:
		return min_t(long, num_online_cpus(), NVMX_MAX_VCPUS);
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return NVMX_MAX_VCPUS;
	case KVM_CAP_NR_MEMSLOTS:
		return NVMX_MAX_MEMSLOTS;
	/* The banks KVM_X86_SETUP_MCE may give a vCPU (mce.c). */
	case KVM_CAP_MCE:
		return NVMX_MCE_BANKS;
	/* Rates other than the host's need TSC scaling (tsc.c). */
	case KVM_CAP_TSC_CONTROL:
	case KVM_CAP_VM_TSC_CONTROL:
		return nvmx_tsc_scaling;
	default:
		return 0;
	}
}

void nvmx_vm_get(struct nvmx_vm *vm)
{
	refcount_inc(&vm->refs);
}

static void nvmx_vm_destroy(struct nvmx_vm *vm)
{
	unsigned int i;

	nvmx_irqchip_stop(vm);
	for (i = 0; i < NVMX_MAX_VCPUS; i++)
		if (vm->vcpus[i])
			nvmx_vcpu_free(vm->vcpus[i]);
	nvmx_irqchip_destroy(vm);
	nvmx_debugfs_vm_destroy(vm);
	nvmx_vm_free_msr_filter(vm);
	nvmx_ioeventfd_destroy_vm(vm);
	nvmx_mmu_destroy_vm(vm);
	atomic_dec(&nvmx_nr_vms);
	mmdrop(vm->mm);
	kmem_cache_free(nvmx_vm_cache, vm);
	nvmx_vmx_put();
}

void nvmx_vm_put(struct nvmx_vm *vm)
{
	if (refcount_dec_and_test(&vm->refs))
		nvmx_vm_destroy(vm);
}

/* The put callback of stats fds, which hold a VM reference. */
void nvmx_vm_put_owner(void *owner)
{
	nvmx_vm_put(owner);
}

static int nvmx_vm_release(struct inode *inode, struct file *filp)
{
	nvmx_vm_put(filp->private_data);
	return 0;
}

static long nvmx_vm_set_memory(struct nvmx_vm *vm, void __user *argp)
{
	struct kvm_userspace_memory_region mem;

	if (copy_from_user(&mem, argp, sizeof(mem)))
		return -EFAULT;
	return nvmx_set_memory_region(vm, &mem);
}

static long nvmx_vm_create_irqchip(struct nvmx_vm *vm)
{
	long r;

	mutex_lock(&vm->lock);
	if (vm->irqchip)
		r = -EEXIST;
	else if (vm->nr_vcpus)
		/* Each vCPU's APIC mode is fixed when it is created. */
		r = -EINVAL;
	else
		r = nvmx_irqchip_create(vm, false, 0);
	if (!r)
		vm->irqchip = true;
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * KVM_SET_TSS_ADDR: real mode runs unrestricted, so the three pages are
 * never used; kvm_intel then only checks that they end below 4 GiB.
 */
static long nvmx_vm_set_tss_addr(unsigned long addr)
{
	return addr > (u32)(-3 * PAGE_SIZE) ? -EINVAL : 0;
}

static long nvmx_vm_set_identity_map_addr(struct nvmx_vm *vm,
					  void __user *argp)
{
	u64 addr;
	long r;

	mutex_lock(&vm->lock);
	/* KVM's order: vCPUs first, then the copy. */
	if (vm->nr_vcpus)
		r = -EINVAL;
	else if (copy_from_user(&addr, argp, sizeof(addr)))
		r = -EFAULT;
	else
		r = 0;
	if (!r)
		vm->identity_map_addr = addr;
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * KVM_SET_BOOT_CPU_ID: any id, as KVM (truncated to 32 bits): one no vCPU
 * can have just leaves the VM without a boot processor.
 */
static long nvmx_vm_set_boot_cpu_id(struct nvmx_vm *vm, unsigned long id)
{
	long r = 0;

	mutex_lock(&vm->lock);
	if (vm->nr_vcpus)
		r = -EBUSY;
	else
		vm->bsp_vcpu_id = id;
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * KVM_CAP_SPLIT_IRQCHIP: an in-kernel LAPIC per vCPU, the PIC, IOAPIC
 * and PIT in userspace; args[0] is the number of userspace IOAPIC pins
 * (GSIs 0..args[0]-1) whose MSI routes give KVM_EXIT_IOAPIC_EOI. KVM's
 * checks and errnos, in its order: more than 4096 pins EINVAL, an
 * irqchip (either kind) or a vCPU EEXIST. Routes start empty.
 */
static long nvmx_vm_enable_split_irqchip(struct nvmx_vm *vm, u64 nr_pins)
{
	long r;

	if (nr_pins > NVMX_MAX_IRQ_ROUTES)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (vm->irqchip || vm->nr_vcpus)
		r = -EEXIST;
	else
		r = nvmx_irqchip_create(vm, true, nr_pins);
	if (!r)
		vm->irqchip = true;
	mutex_unlock(&vm->lock);
	return r;
}

/*
 * KVM_ENABLE_CAP on the VM: KVM_CAP_MAX_VCPU_ID, KVM_CAP_SPLIT_IRQCHIP,
 * KVM_CAP_X86_TRIPLE_FAULT_EVENT and KVM_CAP_EXCEPTION_PAYLOAD (and the
 * MSR caps). KVM_CAP_MAX_VCPU_ID's bound is set once (again with the same
 * value is fine), and the first vCPU fixes it at NVMX_MAX_VCPUS if unset.
 * Every other cap is KVM's -EINVAL.
 */
static long nvmx_vm_enable_cap(struct nvmx_vm *vm, void __user *argp)
{
	struct kvm_enable_cap cap;
	long r = -EINVAL;

	if (copy_from_user(&cap, argp, sizeof(cap)))
		return -EFAULT;
	/* As KVM: any time, any argument (non-zero turns it on). */
	if (!cap.flags && cap.cap == KVM_CAP_X86_TRIPLE_FAULT_EVENT) {
		WRITE_ONCE(vm->triple_fault_event, !!cap.args[0]);
		return 0;
	}
	if (!cap.flags && cap.cap == KVM_CAP_EXCEPTION_PAYLOAD) {
		WRITE_ONCE(vm->exception_payload, !!cap.args[0]);
		return 0;
	}
	if (!cap.flags && cap.cap == KVM_CAP_X86_USER_SPACE_MSR)
		return nvmx_vm_enable_user_space_msr(vm, cap.args[0]);
	/* Whether the guest may read MSR_PLATFORM_INFO, at any time. */
	if (!cap.flags && cap.cap == KVM_CAP_MSR_PLATFORM_INFO) {
		WRITE_ONCE(vm->platform_info_hidden, !cap.args[0]);
		return 0;
	}
	if (!cap.flags && cap.cap == KVM_CAP_SPLIT_IRQCHIP)
		return nvmx_vm_enable_split_irqchip(vm, cap.args[0]);
	if (cap.flags || cap.cap != KVM_CAP_MAX_VCPU_ID ||
	    cap.args[0] > NVMX_MAX_VCPUS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	if (vm->max_vcpu_ids == cap.args[0]) {
		r = 0;
	} else if (!vm->max_vcpu_ids) {
		vm->max_vcpu_ids = cap.args[0];
		r = 0;
	}
	mutex_unlock(&vm->lock);
	return r;
}

static long nvmx_vm_stats_fd(struct nvmx_vm *vm)
{
	char id[NVMX_STATS_NAME_SIZE];

	snprintf(id, sizeof(id), "kvm-%d", task_pid_nr(current));
	nvmx_vm_get(vm);
	return nvmx_stats_fd_create(&nvmx_vm_stats_schema, id,
				    (const u64 *)&vm->stat, nvmx_vm_put_owner,
				    vm);
}

static long nvmx_vm_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	struct nvmx_vm *vm = filp->private_data;
	void __user *argp = (void __user *)arg;

	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CHECK_EXTENSION:
		return nvmx_check_extension(arg);
	case KVM_CREATE_VCPU:
		return nvmx_vcpu_create(vm, arg);
	case KVM_SET_USER_MEMORY_REGION:
		return nvmx_vm_set_memory(vm, argp);
	case KVM_CREATE_IRQCHIP:
		return nvmx_vm_create_irqchip(vm);
	case KVM_GET_STATS_FD:
		return nvmx_vm_stats_fd(vm);
	case KVM_SET_TSS_ADDR:
		return nvmx_vm_set_tss_addr(arg);
	case KVM_SET_IDENTITY_MAP_ADDR:
		return nvmx_vm_set_identity_map_addr(vm, argp);
	case KVM_SET_BOOT_CPU_ID:
		return nvmx_vm_set_boot_cpu_id(vm, arg);
	case KVM_ENABLE_CAP:
		return nvmx_vm_enable_cap(vm, argp);
	case KVM_GET_IRQCHIP:
		return nvmx_irqchip_get(vm, argp);
	case KVM_SET_IRQCHIP:
		return nvmx_irqchip_set(vm, argp);
	case KVM_IRQ_LINE:
	case KVM_IRQ_LINE_STATUS:
		return nvmx_vm_irq_line(vm, argp, ioctl == KVM_IRQ_LINE_STATUS);
	case KVM_SET_GSI_ROUTING:
		return nvmx_vm_set_gsi_routing(vm, argp);
	case KVM_SIGNAL_MSI:
		return nvmx_vm_signal_msi(vm, argp);
	case KVM_CREATE_PIT:
		return nvmx_pit_create(vm, NULL);
	case KVM_CREATE_PIT2:
		return nvmx_pit_create(vm, argp);
	case KVM_GET_PIT:
	case KVM_GET_PIT2:
		return nvmx_pit_get(vm, argp, ioctl == KVM_GET_PIT2);
	case KVM_SET_PIT:
	case KVM_SET_PIT2:
		return nvmx_pit_set(vm, argp, ioctl == KVM_SET_PIT2);
	case KVM_IRQFD:
		return nvmx_vm_irqfd(vm, argp);
	case KVM_REINJECT_CONTROL:
		return nvmx_pit_reinject_control(vm, argp);
	case KVM_GET_CLOCK:
		return nvmx_vm_get_clock(vm, argp);
	case KVM_SET_CLOCK:
		return nvmx_vm_set_clock(vm, argp);
	case KVM_GET_TSC_KHZ:
		return nvmx_vm_get_tsc_khz(vm);
	case KVM_X86_SET_MSR_FILTER:
		return nvmx_vm_set_msr_filter(vm, argp);
	case KVM_SET_TSC_KHZ:
		return nvmx_vm_set_tsc_khz(vm, arg);
	case KVM_IOEVENTFD:
		return nvmx_vm_ioeventfd(vm, argp);
	case NVMX_GET_POLICY:
		return nvmx_policy_get(vm, argp);
	case NVMX_SET_POLICY:
		return nvmx_policy_set(vm, argp);
	default:
		/* KVM's answer for a VM ioctl it does not know. */
		return -ENOTTY;
	}
}

static const struct file_operations nvmx_vm_fops = {
	.owner = THIS_MODULE,
	.release = nvmx_vm_release,
	.unlocked_ioctl = nvmx_vm_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

/* KVM_CREATE_VM: returns a new VM fd (O_CLOEXEC, as KVM's) or -errno. */
int nvmx_vm_create(unsigned long type)
{
	struct nvmx_vm *vm;
	int r;

	/* Only KVM_X86_DEFAULT_VM exists on 6.1's x86 ABI. */
	if (type)
		return -EINVAL;

	vm = kmem_cache_zalloc(nvmx_vm_cache, GFP_KERNEL_ACCOUNT);
	if (!vm)
		return -ENOMEM;
	refcount_set(&vm->refs, 1);
	mutex_init(&vm->lock);
	mutex_init(&vm->mmu_lock);
	nvmx_ioeventfd_init_vm(vm);
	nvmx_policy_vm_init(vm);
	nvmx_kvmclock_vm_init(vm);
	vm->tsc_khz = tsc_khz;
	r = nvmx_vmx_get();
	if (r)
		goto err_free_vm;
	r = nvmx_mmu_init_vm(vm);
	if (r)
		goto err_vmx_put;
	mmgrab(current->mm);
	vm->mm = current->mm;
	atomic_inc(&nvmx_nr_vms);
	nvmx_debugfs_vm_create(vm);

	r = anon_inode_getfd("nvmx-vm", &nvmx_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0) {
		/* Undoes everything above, VMX reference included. */
		nvmx_vm_destroy(vm);
		return r;
	}
	return r;

err_vmx_put:
	nvmx_vmx_put();
err_free_vm:
	kmem_cache_free(nvmx_vm_cache, vm);
	return r;
}

int nvmx_vm_init(void)
{
	nvmx_vm_cache = kmem_cache_create("nvmx_vm", sizeof(struct nvmx_vm), 0,
					  SLAB_ACCOUNT, NULL);
	return nvmx_vm_cache ? 0 : -ENOMEM;
}

void nvmx_vm_exit(void)
{
	kmem_cache_destroy(nvmx_vm_cache);
}
