// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel PIT of a VM (KVM_CREATE_PIT2): ports 0x40-0x43 and 0x61
 * on PIO exits, KVM_GET/SET_PIT(2), KVM_REINJECT_CONTROL, and counter 0's
 * output as IRQ0: an hrtimer, one-shot or periodic as the counter's mode
 * says, whose expiry raises and lowers GSI 0 (through the GSI routes, as
 * KVM) from a work item, since raising a GSI takes locks the timer's
 * interrupt context cannot. Ticks that come while one is still queued
 * are merged: nvmx does not reinject lost ticks (KVM_REINJECT_CONTROL is
 * accepted and its value kept, with no effect).
 *
 * Locking: @lock (a mutex: only vCPU exits and ioctls take it) guards the
 * counter state and the timer's programming; the timer callback only
 * queues the work, and the work only raises GSI 0 (irqchip.h's locks).
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/workqueue.h>

#include "nvmx.h"
#include "pit.h"

/* As KVM: a periodic PIT faster than this would flood the host. */
#define NVMX_PIT_MIN_PERIOD_NS	200000ULL

struct nvmx_pit_dev {
	struct nvmx_vm *vm;
	/* The counters, @reinject and the timer's programming. */
	struct mutex lock;
	struct nvmx_pit pit;
	/* KVM_PIT_SPEAKER_DUMMY: port 0x61 is in the kernel (else userspace's). */
	bool speaker;
	bool reinject;
	u64 period_ns;
	struct hrtimer timer;
	struct work_struct tick;
};

/* The VM's PIT, or NULL. */
static struct nvmx_pit_dev *nvmx_vm_pit(struct nvmx_vm *vm)
{
	/* Pairs with the release in nvmx_pit_create(): pd is whole. */
	return smp_load_acquire(&vm->pit);
}

static s64 nvmx_pit_now(void)
{
	return ktime_get_ns();
}

static void nvmx_pit_tick(struct work_struct *work)
{
	struct nvmx_pit_dev *pd = container_of(work, struct nvmx_pit_dev, tick);

	nvmx_irq_set_gsi(pd->vm, 0, NVMX_IRQ_SRC_PIT, true);
	nvmx_irq_set_gsi(pd->vm, 0, NVMX_IRQ_SRC_PIT, false);
}

static enum hrtimer_restart nvmx_pit_expired(struct hrtimer *t)
{
	struct nvmx_pit_dev *pd = container_of(t, struct nvmx_pit_dev, timer);

	queue_work(system_highpri_wq, &pd->tick);
	if (!pd->period_ns)
		return HRTIMER_NORESTART;
	hrtimer_forward_now(t, ns_to_ktime(pd->period_ns));
	return HRTIMER_RESTART;
}

/*
 * Counter 0 was loaded (or its state set): IRQ0's timer restarts. Only
 * with an in-kernel IOAPIC, as KVM (IRQ0 goes nowhere otherwise).
 */
static void nvmx_pit_restart(struct nvmx_pit_dev *pd)
{
	struct nvmx_irqchip *ic = nvmx_vm_ic(pd->vm);
	enum nvmx_pit_timer mode = nvmx_pit_ch0_timer(&pd->pit);
	u64 ns = nvmx_pit_period_ns(pd->pit.s.channels[0].count);

	lockdep_assert_held(&pd->lock);
	hrtimer_cancel(&pd->timer);
	if (!ic || ic->split || mode == NVMX_PIT_TIMER_STOP)
		return;
	pd->period_ns = mode == NVMX_PIT_TIMER_PERIODIC ?
			max(ns, NVMX_PIT_MIN_PERIOD_NS) : 0;
	hrtimer_start(&pd->timer, ns_to_ktime(ns), HRTIMER_MODE_REL);
}

/* KVM_CREATE_PIT2 (@argp) or KVM_CREATE_PIT (NULL: flags 0). */
long nvmx_pit_create(struct nvmx_vm *vm, void __user *argp)
{
	struct kvm_pit_config cfg = {};
	struct nvmx_pit_dev *pd;
	long r = 0;

	/*
	 * KVM checks no flag but the one it knows, and no padding; the old
	 * KVM_CREATE_PIT has the speaker port.
	 */
	if (!argp)
		cfg.flags = KVM_PIT_SPEAKER_DUMMY;
	else if (copy_from_user(&cfg, argp, sizeof(cfg)))
		return -EFAULT;
	mutex_lock(&vm->lock);
	if (vm->pit) {
		r = -EEXIST;
		goto out;
	}
	pd = kzalloc(sizeof(*pd), GFP_KERNEL_ACCOUNT);
	if (!pd) {
		r = -ENOMEM;
		goto out;
	}
	pd->vm = vm;
	pd->speaker = cfg.flags & KVM_PIT_SPEAKER_DUMMY;
	pd->reinject = true;
	mutex_init(&pd->lock);
	nvmx_pit_init(&pd->pit, nvmx_pit_now());
	hrtimer_init(&pd->timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL);
	pd->timer.function = nvmx_pit_expired;
	INIT_WORK(&pd->tick, nvmx_pit_tick);
	/* Initialised before published: see nvmx_vm_pit(). */
	smp_store_release(&vm->pit, pd);
out:
	mutex_unlock(&vm->lock);
	return r;
}

/* When the VM is freed, before its irqchip: the tick may raise GSI 0. */
void nvmx_pit_destroy(struct nvmx_vm *vm)
{
	struct nvmx_pit_dev *pd = vm->pit;

	if (!pd)
		return;
	hrtimer_cancel(&pd->timer);
	cancel_work_sync(&pd->tick);
	kfree(pd);
	vm->pit = NULL;
}

bool nvmx_pit_pio(struct nvmx_vcpu *vcpu, u16 port, bool in, u32 *val)
{
	struct nvmx_pit_dev *pd = nvmx_vm_pit(vcpu->vm);
	s64 now = nvmx_pit_now();

	if (!pd || !(nvmx_pit_is_port(port) ||
		     (port == 0x61 && pd->speaker)))
		return false;
	mutex_lock(&pd->lock);
	if (port == 0x61 && in)
		*val = nvmx_pit_speaker_read(&pd->pit, now);
	else if (port == 0x61)
		nvmx_pit_speaker_write(&pd->pit, *val, now);
	else if (in)
		*val = nvmx_pit_read(&pd->pit, port, now);
	else if (nvmx_pit_write(&pd->pit, port, *val, now))
		nvmx_pit_restart(pd);
	mutex_unlock(&pd->lock);
	return true;
}

/*
 * KVM_GET_PIT2/KVM_SET_PIT2 (@v2) and KVM_GET_PIT/KVM_SET_PIT (the three
 * channels only): -ENXIO without a PIT (GET before, SET after the copy,
 * as KVM). SET reloads every count now and takes the flags as they are;
 * GET zeroes the reserved words.
 */
long nvmx_pit_get(struct nvmx_vm *vm, void __user *argp, bool v2)
{
	struct nvmx_pit_dev *pd = nvmx_vm_pit(vm);
	struct kvm_pit_state2 s;

	/* KVM_GET_PIT reads the user's struct first. */
	if (!v2 && copy_from_user(&s, argp, sizeof(s.channels)))
		return -EFAULT;
	if (!pd)
		return -ENXIO;
	mutex_lock(&pd->lock);
	s = pd->pit.s;
	mutex_unlock(&pd->lock);
	memset(s.reserved, 0, sizeof(s.reserved));
	if (copy_to_user(argp, &s, v2 ? sizeof(s) : sizeof(s.channels)))
		return -EFAULT;
	return 0;
}

long nvmx_pit_set(struct nvmx_vm *vm, void __user *argp, bool v2)
{
	struct nvmx_pit_dev *pd;
	struct kvm_pit_state2 s;

	if (copy_from_user(&s, argp, v2 ? sizeof(s) : sizeof(s.channels)))
		return -EFAULT;
	pd = nvmx_vm_pit(vm);
	if (!pd)
		return -ENXIO;
	mutex_lock(&pd->lock);
	/* KVM_SET_PIT keeps the flags. */
	if (!v2)
		s.flags = pd->pit.s.flags;
	nvmx_pit_set_state(&pd->pit, &s, nvmx_pit_now());
	nvmx_pit_restart(pd);
	mutex_unlock(&pd->lock);
	return 0;
}

long nvmx_pit_reinject_control(struct nvmx_vm *vm, void __user *argp)
{
	struct kvm_reinject_control rc;
	struct nvmx_pit_dev *pd;

	if (copy_from_user(&rc, argp, sizeof(rc)))
		return -EFAULT;
	pd = nvmx_vm_pit(vm);
	if (!pd)
		return -ENXIO;
	mutex_lock(&pd->lock);
	pd->reinject = rc.pit_reinject;
	mutex_unlock(&pd->lock);
	return 0;
}
