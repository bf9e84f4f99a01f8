// SPDX-License-Identifier: GPL-2.0
/*
 * VM objects and the VM fd. A VM lives exactly as long as its fd: the fd's
 * release destroys it. Each VM holds a reference on VMX operation
 * (nvmx_vmx_get()), and the fd holds a module reference through its fops.
 */
#include <linux/anon_inodes.h>
#include <linux/atomic.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>

#include "nvmx.h"

struct nvmx_vm {
	/* The creator's mm: KVM refuses VM ioctls from any other (-EIO). */
	struct mm_struct *mm;
};

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
 * KVM_CHECK_EXTENSION, on /dev/nvmx and on a VM fd alike. It answers 0 for
 * every capability nvmx does not implement yet, so callers that probe
 * before they use a feature never see a false promise.
 */
long nvmx_check_extension(long cap)
{
	switch (cap) {
	case KVM_CAP_CHECK_EXTENSION_VM:
		return 1;
	default:
		return 0;
	}
}

static void nvmx_vm_destroy(struct nvmx_vm *vm)
{
	atomic_dec(&nvmx_nr_vms);
	mmdrop(vm->mm);
	kmem_cache_free(nvmx_vm_cache, vm);
	nvmx_vmx_put();
}

static int nvmx_vm_release(struct inode *inode, struct file *filp)
{
	nvmx_vm_destroy(filp->private_data);
	return 0;
}

static long nvmx_vm_ioctl(struct file *filp, unsigned int ioctl,
			  unsigned long arg)
{
	struct nvmx_vm *vm = filp->private_data;

	if (vm->mm != current->mm)
		return -EIO;

	switch (ioctl) {
	case KVM_CHECK_EXTENSION:
		return nvmx_check_extension(arg);
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
	r = nvmx_vmx_get();
	if (r)
		goto err_free_vm;
	mmgrab(current->mm);
	vm->mm = current->mm;
	atomic_inc(&nvmx_nr_vms);

	r = anon_inode_getfd("nvmx-vm", &nvmx_vm_fops, vm, O_RDWR | O_CLOEXEC);
	if (r < 0)
		goto err_put;
	return r;

err_put:
	atomic_dec(&nvmx_nr_vms);
	mmdrop(vm->mm);
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
