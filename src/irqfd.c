// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_IRQFD: an eventfd whose signal raises and lowers a GSI (as
 * KVM_IRQ_LINE from userspace would). The eventfd's wait-queue callback
 * runs with the eventfd's lock held and interrupts off, so it only reads
 * the count and queues a work item; the work raises the GSI (which takes
 * irqchip.h's locks). Closing the eventfd (EPOLLHUP), KVM_IRQFD's
 * deassign, and the VM's end each take the irqfd off the list and queue
 * its shutdown on the VM's irqfd workqueue; the shutdown leaves the wait
 * queue, waits for a queued injection, and frees it.
 *
 * Locking: ic->irqfd_mutex serialises assign and deassign;
 * ic->irqfd_lock (irqsave: the wait-queue callback takes it) guards the
 * list. An irqfd on the list is live; off it, its shutdown is queued.
 * Resampling (KVM_IRQFD_FLAG_RESAMPLE) is not implemented: -EINVAL.
 */
#include <linux/eventfd.h>
#include <linux/file.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "nvmx.h"

struct nvmx_irqfd {
	struct nvmx_vm *vm;
	struct nvmx_irqchip *ic;
	struct eventfd_ctx *eventfd;
	u32 gsi;
	wait_queue_entry_t wait;
	poll_table pt;
	struct work_struct inject;
	struct work_struct shutdown;
	struct list_head list;
};

static void nvmx_irqfd_inject(struct work_struct *work)
{
	struct nvmx_irqfd *f = container_of(work, struct nvmx_irqfd, inject);

	nvmx_irq_set_gsi(f->vm, f->gsi, NVMX_IRQ_SRC_USER, true);
	nvmx_irq_set_gsi(f->vm, f->gsi, NVMX_IRQ_SRC_USER, false);
}

static void nvmx_irqfd_shutdown(struct work_struct *work)
{
	struct nvmx_irqfd *f = container_of(work, struct nvmx_irqfd, shutdown);
	u64 cnt;

	/* No callback runs after this; then the last injection ends. */
	eventfd_ctx_remove_wait_queue(f->eventfd, &f->wait, &cnt);
	flush_work(&f->inject);
	eventfd_ctx_put(f->eventfd);
	kfree(f);
}

/* With ic->irqfd_lock held: off the list, and its shutdown queued. */
static void nvmx_irqfd_deactivate(struct nvmx_irqfd *f)
{
	list_del_init(&f->list);
	queue_work(f->ic->irqfd_wq, &f->shutdown);
}

static int nvmx_irqfd_wakeup(wait_queue_entry_t *wait, unsigned int mode,
			     int sync, void *key)
{
	struct nvmx_irqfd *f = container_of(wait, struct nvmx_irqfd, wait);
	__poll_t flags = key_to_poll(key);
	unsigned long irqfl;
	u64 cnt;

	if (flags & EPOLLIN) {
		eventfd_ctx_do_read(f->eventfd, &cnt);
		queue_work(system_highpri_wq, &f->inject);
	}
	if (flags & EPOLLHUP) {
		spin_lock_irqsave(&f->ic->irqfd_lock, irqfl);
		if (!list_empty(&f->list))
			nvmx_irqfd_deactivate(f);
		spin_unlock_irqrestore(&f->ic->irqfd_lock, irqfl);
	}
	return 0;
}

static void nvmx_irqfd_queue_proc(struct file *file, wait_queue_head_t *wqh,
				  poll_table *pt)
{
	struct nvmx_irqfd *f = container_of(pt, struct nvmx_irqfd, pt);

	add_wait_queue(wqh, &f->wait);
}

static long nvmx_irqfd_assign(struct nvmx_vm *vm, struct nvmx_irqchip *ic,
			      const struct kvm_irqfd *args)
{
	struct eventfd_ctx *ctx;
	struct nvmx_irqfd *f, *t;
	struct file *file;
	__poll_t events;
	long r = 0;

	file = fget(args->fd);
	if (!file)
		return -EBADF;
	ctx = eventfd_ctx_fileget(file);
	if (IS_ERR(ctx)) {
		r = PTR_ERR(ctx);
		goto out_fput;
	}
	f = kzalloc(sizeof(*f), GFP_KERNEL_ACCOUNT);
	if (!f) {
		r = -ENOMEM;
		goto out_ctx;
	}
	f->vm = vm;
	f->ic = ic;
	f->eventfd = ctx;
	f->gsi = args->gsi;
	INIT_WORK(&f->inject, nvmx_irqfd_inject);
	INIT_WORK(&f->shutdown, nvmx_irqfd_shutdown);
	INIT_LIST_HEAD(&f->list);
	init_waitqueue_func_entry(&f->wait, nvmx_irqfd_wakeup);
	init_poll_funcptr(&f->pt, nvmx_irqfd_queue_proc);

	mutex_lock(&ic->irqfd_mutex);
	/* As KVM: one eventfd drives one GSI. */
	spin_lock_irq(&ic->irqfd_lock);
	list_for_each_entry(t, &ic->irqfds, list) {
		if (t->eventfd == ctx) {
			r = -EBUSY;
			break;
		}
	}
	spin_unlock_irq(&ic->irqfd_lock);
	if (r) {
		mutex_unlock(&ic->irqfd_mutex);
		kfree(f);
		goto out_ctx;
	}
	/*
	 * On the wait queue before the list: a wakeup now injects (the VM
	 * is alive: this is its ioctl); EPOLLHUP cannot come while we hold
	 * the file. A signal already pending is injected now.
	 */
	events = vfs_poll(file, &f->pt);
	spin_lock_irq(&ic->irqfd_lock);
	list_add_tail(&f->list, &ic->irqfds);
	spin_unlock_irq(&ic->irqfd_lock);
	mutex_unlock(&ic->irqfd_mutex);
	if (events & EPOLLIN)
		queue_work(system_highpri_wq, &f->inject);
	fput(file);
	return 0;

out_ctx:
	eventfd_ctx_put(ctx);
out_fput:
	fput(file);
	return r;
}

/* As KVM: 0 whether or not such an irqfd existed. */
static long nvmx_irqfd_deassign(struct nvmx_irqchip *ic,
				const struct kvm_irqfd *args)
{
	struct nvmx_irqfd *f, *tmp;
	struct eventfd_ctx *ctx;

	ctx = eventfd_ctx_fdget(args->fd);
	if (IS_ERR(ctx))
		return PTR_ERR(ctx);
	if (!ic) {
		eventfd_ctx_put(ctx);
		return 0;
	}
	mutex_lock(&ic->irqfd_mutex);
	spin_lock_irq(&ic->irqfd_lock);
	list_for_each_entry_safe(f, tmp, &ic->irqfds, list)
		if (f->eventfd == ctx && f->gsi == args->gsi)
			nvmx_irqfd_deactivate(f);
	spin_unlock_irq(&ic->irqfd_lock);
	mutex_unlock(&ic->irqfd_mutex);
	eventfd_ctx_put(ctx);
	/* Gone when the ioctl returns: no injection after it. */
	flush_workqueue(ic->irqfd_wq);
	return 0;
}

/*
 * KVM_IRQFD: -EINVAL for unknown flags or KVM_IRQFD_FLAG_RESAMPLE;
 * assign needs an in-kernel irqchip (-EINVAL without, as KVM), a file
 * that is an eventfd (-EBADF, -EINVAL) and not already an irqfd of this
 * VM (-EBUSY). The GSI is not checked, as KVM.
 */
long nvmx_vm_irqfd(struct nvmx_vm *vm, void __user *argp)
{
	struct nvmx_irqchip *ic;
	struct kvm_irqfd args;

	if (copy_from_user(&args, argp, sizeof(args)))
		return -EFAULT;
	if (args.flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	if (args.flags & KVM_IRQFD_FLAG_RESAMPLE)
		return -EINVAL;
	ic = nvmx_vm_ic(vm);
	if (args.flags & KVM_IRQFD_FLAG_DEASSIGN)
		return nvmx_irqfd_deassign(ic, &args);
	if (!ic)
		return -EINVAL;
	return nvmx_irqfd_assign(vm, ic, &args);
}

int nvmx_irqfd_init(struct nvmx_irqchip *ic)
{
	spin_lock_init(&ic->irqfd_lock);
	mutex_init(&ic->irqfd_mutex);
	INIT_LIST_HEAD(&ic->irqfds);
	ic->irqfd_wq = alloc_workqueue("nvmx-irqfd", 0, 0);
	return ic->irqfd_wq ? 0 : -ENOMEM;
}

/* At the VM's end, before the irqchip goes: every irqfd is shut down. */
void nvmx_irqfd_release(struct nvmx_irqchip *ic)
{
	struct nvmx_irqfd *f, *tmp;

	spin_lock_irq(&ic->irqfd_lock);
	list_for_each_entry_safe(f, tmp, &ic->irqfds, list)
		nvmx_irqfd_deactivate(f);
	spin_unlock_irq(&ic->irqfd_lock);
	/* Shutdowns queued by EPOLLHUP too. */
	destroy_workqueue(ic->irqfd_wq);
}
