// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_IOEVENTFD: a guest write to a port or MMIO address that userspace
 * registered signals an eventfd instead of exiting to userspace, and the
 * vCPU goes on with the next instruction. Reads, and writes that match
 * nothing, exit as before.
 *
 * Matching follows api.rst and kvm_intel: the address must be the
 * registered one exactly; a registration of length 0 matches a write of
 * any width there, any other only a write of that width, and with
 * KVM_IOEVENTFD_FLAG_DATAMATCH only of that value.
 *
 * Locking: vm->ioeventfd_lock (a mutex) serialises assign and deassign;
 * the exit handlers walk vm->ioeventfds under RCU, so a deassigned entry
 * is freed, and its eventfd released, after a grace period. At VM
 * destruction nothing can write any more and the list goes at once.
 */
#include <linux/eventfd.h>
#include <linux/kvm.h>
#include <linux/rculist.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "nvmx.h"

/*
 * KVM's buses: a registration with the virtio-ccw flag (and not PIO) goes
 * on a bus x86 never writes to; kvm_intel accepts it, so nvmx does too.
 */
enum nvmx_ioeventfd_bus {
	NVMX_IOEVENTFD_MMIO,
	NVMX_IOEVENTFD_PIO,
	NVMX_IOEVENTFD_CCW,
	NVMX_IOEVENTFD_NR_BUSES
};

/*
 * The flag bits the uapi numbers (kvm_ioeventfd_flag_nr_*), as KVM's mask:
 * the fast-MMIO bit has no meaning but is accepted; any other is -EINVAL.
 */
#define NVMX_IOEVENTFD_VALID_FLAGS	((1U << kvm_ioeventfd_flag_nr_max) - 1)

/* KVM's bound: a bus holds at most 1000 devices (NR_IOBUS_DEVS). */
#define NVMX_IOEVENTFD_MAX_PER_BUS	1000

struct nvmx_ioeventfd {
	struct list_head node;
	struct rcu_head rcu;
	struct eventfd_ctx *ctx;
	u64 addr;
	u64 datamatch;
	u32 len;		/* 0: any width */
	u8 bus;
	bool wildcard;		/* no KVM_IOEVENTFD_FLAG_DATAMATCH */
};

static enum nvmx_ioeventfd_bus nvmx_ioeventfd_bus(u32 flags)
{
	if (flags & KVM_IOEVENTFD_FLAG_PIO)
		return NVMX_IOEVENTFD_PIO;
	if (flags & KVM_IOEVENTFD_FLAG_VIRTIO_CCW_NOTIFY)
		return NVMX_IOEVENTFD_CCW;
	return NVMX_IOEVENTFD_MMIO;
}

void nvmx_ioeventfd_init_vm(struct nvmx_vm *vm)
{
	mutex_init(&vm->ioeventfd_lock);
	INIT_LIST_HEAD(&vm->ioeventfds);
}

/* No vCPU runs and no ioctl is under way: the last reference went. */
void nvmx_ioeventfd_destroy_vm(struct nvmx_vm *vm)
{
	struct nvmx_ioeventfd *p, *tmp;

	list_for_each_entry_safe(p, tmp, &vm->ioeventfds, node) {
		list_del(&p->node);
		eventfd_ctx_put(p->ctx);
		kfree(p);
	}
}

/*
 * Two registrations KVM would not tell apart on a write: the same bus and
 * address, and either of any width, or of the same width and either
 * without a value or with the same one. Caller holds ioeventfd_lock.
 */
static bool nvmx_ioeventfd_collides(struct nvmx_vm *vm,
				    const struct nvmx_ioeventfd *p)
{
	struct nvmx_ioeventfd *q;

	list_for_each_entry(q, &vm->ioeventfds, node) {
		if (q->bus != p->bus || q->addr != p->addr)
			continue;
		if (!q->len || !p->len)
			return true;
		if (q->len == p->len &&
		    (q->wildcard || p->wildcard || q->datamatch == p->datamatch))
			return true;
	}
	return false;
}

static unsigned int nvmx_ioeventfd_count(struct nvmx_vm *vm, u8 bus)
{
	struct nvmx_ioeventfd *q;
	unsigned int n = 0;

	list_for_each_entry(q, &vm->ioeventfds, node)
		n += q->bus == bus;
	return n;
}

static long nvmx_ioeventfd_assign(struct nvmx_vm *vm,
				  const struct kvm_ioeventfd *args)
{
	struct nvmx_ioeventfd *p;
	struct eventfd_ctx *ctx;
	long r;

	switch (args->len) {
	case 0:
	case 1:
	case 2:
	case 4:
	case 8:
		break;
	default:
		return -EINVAL;
	}
	if (args->addr + args->len < args->addr)
		return -EINVAL;
	/* Any width and one value cannot both hold. */
	if (!args->len && (args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH))
		return -EINVAL;

	ctx = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);
	if (!p) {
		r = -ENOMEM;
		goto err_put;
	}
	p->ctx = ctx;
	p->addr = args->addr;
	p->len = args->len;
	p->bus = nvmx_ioeventfd_bus(args->flags);
	p->wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	if (!p->wildcard)
		p->datamatch = args->datamatch;

	mutex_lock(&vm->ioeventfd_lock);
	if (nvmx_ioeventfd_collides(vm, p))
		r = -EEXIST;
	else if (nvmx_ioeventfd_count(vm, p->bus) >= NVMX_IOEVENTFD_MAX_PER_BUS)
		r = -ENOSPC;
	else
		r = 0;
	if (!r)
		list_add_tail_rcu(&p->node, &vm->ioeventfds);
	mutex_unlock(&vm->ioeventfd_lock);
	if (r)
		goto err_free;
	return 0;

err_free:
	kfree(p);
err_put:
	eventfd_ctx_put(ctx);
	return r;
}

/*
 * Removes the registration with the same bus, address, width, eventfd
 * and (with DATAMATCH) value as @args; -ENOENT when there is none.
 */
static long nvmx_ioeventfd_deassign(struct nvmx_vm *vm,
				    const struct kvm_ioeventfd *args)
{
	bool wildcard = !(args->flags & KVM_IOEVENTFD_FLAG_DATAMATCH);
	u8 bus = nvmx_ioeventfd_bus(args->flags);
	struct nvmx_ioeventfd *p, *found = NULL;
	struct eventfd_ctx *ctx;

	ctx = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);

	mutex_lock(&vm->ioeventfd_lock);
	list_for_each_entry(p, &vm->ioeventfds, node) {
		if (p->bus != bus || p->ctx != ctx || p->addr != args->addr ||
		    p->len != args->len || p->wildcard != wildcard)
			continue;
		if (!p->wildcard && p->datamatch != args->datamatch)
			continue;
		list_del_rcu(&p->node);
		found = p;
		break;
	}
	mutex_unlock(&vm->ioeventfd_lock);
	eventfd_ctx_put(ctx);
	if (!found)
		return -ENOENT;

	/* A vCPU may still be signalling it. */
	synchronize_rcu();
	eventfd_ctx_put(found->ctx);
	kfree(found);
	return 0;
}

long nvmx_vm_ioeventfd(struct nvmx_vm *vm, void __user *argp)
{
	struct kvm_ioeventfd args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~NVMX_IOEVENTFD_VALID_FLAGS)
		return -EINVAL;
	if (args.flags & KVM_IOEVENTFD_FLAG_DEASSIGN)
		return nvmx_ioeventfd_deassign(vm, &args);
	return nvmx_ioeventfd_assign(vm, &args);
}

/*
 * A guest write of @len bytes of @val to port (@pio) or guest-physical
 * address @addr: true when it signalled a registered eventfd, and so
 * needs no exit to userspace.
 */
bool nvmx_ioeventfd_write(struct nvmx_vm *vm, bool pio, u64 addr,
			  unsigned int len, u64 val)
{
	u8 bus = pio ? NVMX_IOEVENTFD_PIO : NVMX_IOEVENTFD_MMIO;
	struct nvmx_ioeventfd *p;
	bool hit = false;

	if (len < 8)
		val &= BIT_ULL(len * 8) - 1;
	rcu_read_lock();
	list_for_each_entry_rcu(p, &vm->ioeventfds, node) {
		if (p->bus != bus || p->addr != addr)
			continue;
		if (p->len && (p->len != len ||
			       (!p->wildcard && p->datamatch != val)))
			continue;
		nvmx_eventfd_signal(p->ctx);
		hit = true;
		break;
	}
	rcu_read_unlock();
	return hit;
}
