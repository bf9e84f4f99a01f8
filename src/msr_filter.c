// SPDX-License-Identifier: GPL-2.0
/*
 * MSR filtering (KVM_X86_SET_MSR_FILTER) and user-space MSR exits
 * (KVM_CAP_X86_USER_SPACE_MSR), as api.rst describes them.
 *
 * A filter is copied whole into the kernel and never changed: setting one
 * publishes a new filter under RCU, and the guest's RDMSR and WRMSR exits
 * look it up under rcu_read_lock(). Host accesses (KVM_GET/SET_MSRS) and
 * the nested MSR-load lists are not filtered, as on KVM. MSRs the VMCS
 * lets the guest access without an exit (msr.c's passthrough list) are
 * intercepted again in each vCPU's MSR bitmap while a filter denies them
 * (NVMX_REQ_MSR_FILTER, before the vCPU's next entry).
 *
 * An access that fails exits to userspace when the VM asked for its
 * reason (KVM_MSR_EXIT_REASON_*). What the exit was (read or write) stays
 * in the kernel (vcpu->pending_io); at the next KVM_RUN only kvm_run's
 * msr.error and, for a read, msr.data are taken from userspace.
 */
#include <linux/bitops.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "nvmx.h"
#include "vmx_ops.h"

#define NVMX_MSR_EXIT_REASONS	(KVM_MSR_EXIT_REASON_INVAL | \
				 KVM_MSR_EXIT_REASON_UNKNOWN | \
				 KVM_MSR_EXIT_REASON_FILTER)

struct nvmx_msr_range {
	u32 flags;
	u32 base;
	u32 nmsrs;
	unsigned long *bitmap;
};

struct nvmx_msr_filter {
	struct rcu_head rcu;
	bool default_allow;
	u32 count;
	struct nvmx_msr_range ranges[KVM_MSR_FILTER_MAX_RANGES];
};

static void nvmx_msr_filter_free(struct nvmx_msr_filter *f)
{
	u32 i;

	if (!f)
		return;
	for (i = 0; i < f->count; i++)
		kfree(f->ranges[i].bitmap);
	kfree(f);
}

/* One range: its bitmap copied in; KVM's checks and errnos. */
static int nvmx_msr_filter_add(struct nvmx_msr_filter *f,
			       const struct kvm_msr_filter_range *r)
{
	struct nvmx_msr_range *nr;
	u64 size;
	void *bitmap;

	/* A range of no MSRs is skipped, whatever else it holds. */
	if (!r->nmsrs)
		return 0;
	if (!r->flags || (r->flags & ~(KVM_MSR_FILTER_READ | KVM_MSR_FILTER_WRITE)))
		return -EINVAL;
	size = DIV_ROUND_UP((u64)r->nmsrs, BITS_PER_LONG) * sizeof(long);
	if (size > KVM_MSR_FILTER_MAX_BITMAP_SIZE)
		return -EINVAL;
	bitmap = memdup_user((const void __user *)r->bitmap, size);
	if (IS_ERR(bitmap))
		return PTR_ERR(bitmap);
	nr = &f->ranges[f->count++];
	nr->flags = r->flags;
	nr->base = r->base;
	nr->nmsrs = r->nmsrs;
	nr->bitmap = bitmap;
	return 0;
}

/* KVM_X86_SET_MSR_FILTER: replaces the VM's filter. */
long nvmx_vm_set_msr_filter(struct nvmx_vm *vm, void __user *argp)
{
	struct nvmx_msr_filter *f, *old;
	struct kvm_msr_filter *u;
	bool empty = true;
	unsigned int i;
	long r;

	/* 16 ranges: 388 bytes, too many for the stack. */
	u = memdup_user(argp, sizeof(*u));
	if (IS_ERR(u))
		return PTR_ERR(u);
	r = -EINVAL;
	if (u->flags & ~KVM_MSR_FILTER_DEFAULT_DENY)
		goto out_free_u;
	for (i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++)
		empty &= !u->ranges[i].nmsrs;
	/* Denying everything is not a filter. */
	if (empty && (u->flags & KVM_MSR_FILTER_DEFAULT_DENY))
		goto out_free_u;
	r = -ENOMEM;
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f)
		goto out_free_u;
	f->default_allow = !(u->flags & KVM_MSR_FILTER_DEFAULT_DENY);
	for (i = 0; i < KVM_MSR_FILTER_MAX_RANGES; i++) {
		r = nvmx_msr_filter_add(f, &u->ranges[i]);
		if (r) {
			nvmx_msr_filter_free(f);
			goto out_free_u;
		}
	}

	mutex_lock(&vm->lock);
	old = rcu_dereference_protected(vm->msr_filter,
					lockdep_is_held(&vm->lock));
	rcu_assign_pointer(vm->msr_filter, f);
	for (i = 0; i < NVMX_MAX_VCPUS; i++) {
		if (!vm->vcpus[i])
			continue;
		nvmx_vcpu_make_request(vm->vcpus[i], NVMX_REQ_MSR_FILTER);
		nvmx_vcpu_kick(vm->vcpus[i]);
	}
	mutex_unlock(&vm->lock);
	/* No exit handler still looks at the old one. */
	synchronize_rcu();
	nvmx_msr_filter_free(old);
	r = 0;
out_free_u:
	kfree(u);
	return r;
}

/* At VM destruction: no vCPU runs any more. */
void nvmx_vm_free_msr_filter(struct nvmx_vm *vm)
{
	nvmx_msr_filter_free(rcu_dereference_protected(vm->msr_filter, 1));
}

/* Whether the VM's filter lets the guest read (or @write) MSR @index. */
bool nvmx_msr_allowed(struct nvmx_vcpu *vcpu, u32 index, bool write)
{
	u32 type = write ? KVM_MSR_FILTER_WRITE : KVM_MSR_FILTER_READ;
	const struct nvmx_msr_filter *f;
	bool allowed = true;
	u32 i;

	/* x2APIC MSRs are never filtered, as on KVM. */
	if (index >= 0x800 && index <= 0x8ff)
		return true;
	rcu_read_lock();
	f = rcu_dereference(vcpu->vm->msr_filter);
	if (f) {
		allowed = f->default_allow;
		for (i = 0; i < f->count; i++) {
			const struct nvmx_msr_range *r = &f->ranges[i];

			/* The first range that covers it decides. */
			if ((r->flags & type) && index >= r->base &&
			    index - r->base < r->nmsrs) {
				allowed = test_bit(index - r->base, r->bitmap);
				break;
			}
		}
	}
	rcu_read_unlock();
	return allowed;
}

/* KVM_ENABLE_CAP(KVM_CAP_X86_USER_SPACE_MSR): which failures exit. */
long nvmx_vm_enable_user_space_msr(struct nvmx_vm *vm, u64 reasons)
{
	if (reasons & ~NVMX_MSR_EXIT_REASONS)
		return -EINVAL;
	WRITE_ONCE(vm->user_space_msr_mask, reasons);
	return 0;
}

/*
 * A guest RDMSR or WRMSR of @index failed with @err (-EPERM: the filter,
 * -ENOENT: an MSR nvmx does not have, else a value it refuses). Returns
 * true with kvm_run set for a KVM_EXIT_X86_RDMSR/WRMSR exit when the VM
 * asked for that reason, false for the #GP that follows otherwise.
 */
bool nvmx_msr_user_exit(struct nvmx_vcpu *vcpu, u32 index, bool write,
			u64 data, int err)
{
	struct kvm_run *run = vcpu->run;
	u32 reason;

	reason = err == -EPERM ? KVM_MSR_EXIT_REASON_FILTER :
		 err == -ENOENT ? KVM_MSR_EXIT_REASON_UNKNOWN :
		 KVM_MSR_EXIT_REASON_INVAL;
	if (!(READ_ONCE(vcpu->vm->user_space_msr_mask) & reason))
		return false;
	run->exit_reason = write ? KVM_EXIT_X86_WRMSR : KVM_EXIT_X86_RDMSR;
	run->msr.error = 0;
	memset(run->msr.pad, 0, sizeof(run->msr.pad));
	run->msr.reason = reason;
	run->msr.index = index;
	run->msr.data = write ? data : 0;
	vcpu->pending_io = write ? NVMX_IO_WRMSR : NVMX_IO_RDMSR;
	vcpu->pending_insn_len = nvmx_vmread(VM_EXIT_INSTRUCTION_LEN);
	return true;
}

/*
 * The RDMSR or WRMSR of the exit, finished at the next KVM_RUN: userspace
 * said error (#GP, the instruction not done) or, for a read, the value.
 * Returns whether the instruction is to be skipped.
 */
bool nvmx_msr_complete_user_exit(struct nvmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u64 data;

	if (READ_ONCE(run->msr.error)) {
		nvmx_vcpu_inject_gp(vcpu);
		return false;
	}
	if (vcpu->pending_io == NVMX_IO_RDMSR) {
		data = READ_ONCE(run->msr.data);
		vcpu->regs.gpr[NVMX_RAX] = (u32)data;
		vcpu->regs.gpr[NVMX_RDX] = data >> 32;
	}
	return true;
}

/*
 * The vCPU's MSR bitmap for the MSRs msr.c lets through: each access
 * exits again while the filter denies it. By the vCPU's task.
 */
void nvmx_msr_filter_apply(struct nvmx_vcpu *vcpu)
{
	nvmx_msr_bitmap_update(vcpu, page_address(vcpu->msr_bitmap));
}
