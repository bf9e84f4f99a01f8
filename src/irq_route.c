// SPDX-License-Identifier: GPL-2.0
/*
 * GSI routing (irqchip.h for the locking): the table KVM_SET_GSI_ROUTING
 * sets, the default one KVM_CREATE_IRQCHIP installs, and what raises a
 * GSI: KVM_IRQ_LINE(_STATUS), irqfds, the PIT. KVM_SIGNAL_MSI and MSI
 * routes decode into one message for the local APICs.
 */
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "irqchip.h"
#include "nvmx.h"

static struct nvmx_irq_routes *nvmx_irq_routes_alloc(u32 nr)
{
	struct nvmx_irq_routes *rt;

	rt = kvzalloc(struct_size(rt, e, nr), GFP_KERNEL_ACCOUNT);
	if (rt)
		rt->nr = nr;
	return rt;
}

/* KVM's default: GSI 0-15 to the PICs and IOAPIC pins, 16-23 to the IOAPIC. */
int nvmx_irq_routes_default(struct nvmx_irqchip *ic)
{
	struct nvmx_irq_routes *rt;
	u32 gsi, n = 0;

	rt = nvmx_irq_routes_alloc(16 * 2 + (NVMX_IOAPIC_PINS - 16));
	if (!rt)
		return -ENOMEM;
	for (gsi = 0; gsi < NVMX_IOAPIC_PINS; gsi++) {
		if (gsi < NVMX_PIC_NR_PINS)
			rt->e[n++] = (struct nvmx_irq_route){
				.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
				.irqchip.chip = gsi < 8 ? KVM_IRQCHIP_PIC_MASTER :
							  KVM_IRQCHIP_PIC_SLAVE,
				.irqchip.pin = gsi,
			};
		rt->e[n++] = (struct nvmx_irq_route){
			.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
			.irqchip.chip = KVM_IRQCHIP_IOAPIC, .irqchip.pin = gsi,
		};
	}
	rcu_assign_pointer(ic->routes, rt);
	return 0;
}

/* When the VM is freed: no reader is left. */
void nvmx_irq_routes_free(struct nvmx_irqchip *ic)
{
	kvfree(rcu_dereference_protected(ic->routes, true));
}

void nvmx_irq_msi_decode(u32 address_lo, u32 address_hi, u32 data,
			 struct nvmx_irq_msg *msg)
{
	/*
	 * Address 0xfeeXXXXX: destination in bits 19:12, logical in bit 2.
	 * Without KVM_CAP_X2APIC_API the high address is not the ID's.
	 */
	*msg = (struct nvmx_irq_msg){
		.dest_id = (address_lo >> 12) & 0xff,
		.logical = address_lo & BIT(2),
		.vector = data & 0xff,
		.delivery_mode = (data >> 8) & 7,
		.level = data & BIT(15),
	};
}

/*
 * One message to the local APICs (lapic.c's single delivery path): the
 * number that accepted it, 0 for none (as KVM's, whose -1 for "no
 * destination" only its slow path gives).
 */
int nvmx_irq_deliver(struct nvmx_vm *vm, const struct nvmx_irq_msg *msg)
{
	struct nvmx_apic_irq irq = {
		.dest = msg->dest_id, .dest_logical = msg->logical,
		.shorthand = NVMX_APIC_SH_NONE,
		.delivery_mode = msg->delivery_mode, .vector = msg->vector,
		.level = true, .trig_level = msg->level,
	};
	return nvmx_lapic_deliver(vm, NULL, &irq);
}

/*
 * Split irqchip: whether an EOI of @vector on @vcpu is one userspace's
 * IOAPIC waits for, i.e. an MSI route of one of its pins (GSI below
 * KVM_ENABLE_CAP's count) that is level-triggered (MSI data bit 15) and
 * has this APIC as a destination: the vectors of KVM's EOI-exit bitmap,
 * scanned at the EOI rather than kept. The vCPU's task.
 */
bool nvmx_irq_split_eoi_routed(struct nvmx_vcpu *vcpu, u8 vector)
{
	struct nvmx_irqchip *ic = nvmx_vm_ic(vcpu->vm);
	struct nvmx_irq_routes *rt;
	struct nvmx_apic_irq irq;
	struct nvmx_irq_msg msg;
	bool hit = false;
	u32 j;

	if (!ic || !ic->split)
		return false;
	rcu_read_lock();
	rt = rcu_dereference(ic->routes);
	for (j = 0; rt && j < rt->nr && !hit; j++) {
		if (rt->e[j].type != KVM_IRQ_ROUTING_MSI ||
		    rt->e[j].gsi >= ic->nr_ioapic_routes)
			continue;
		nvmx_irq_msi_decode(rt->e[j].msi.address_lo,
				    rt->e[j].msi.address_hi, rt->e[j].msi.data,
				    &msg);
		if (!msg.level || msg.vector != vector)
			continue;
		irq = (struct nvmx_apic_irq){
			.dest = msg.dest_id, .dest_logical = msg.logical,
			.shorthand = NVMX_APIC_SH_NONE,
		};
		hit = nvmx_lapic_is_dest(vcpu, &irq);
	}
	rcu_read_unlock();
	return hit;
}

/*
 * Raises or lowers @gsi for @src. Returns KVM_IRQ_LINE_STATUS's status:
 * -1 if no route took it (no route, all masked), 0 if coalesced,
 * otherwise the number of deliveries. Process context (takes ic->lock).
 */
int nvmx_irq_set_gsi(struct nvmx_vm *vm, u32 gsi, unsigned int src,
		     bool level)
{
	struct nvmx_irqchip *ic = nvmx_vm_ic(vm);
	struct nvmx_irq_route set[NVMX_GSI_MAX_ROUTES];
	struct nvmx_irq_routes *rt;
	struct nvmx_irq_msg msg;
	int n = 0, i, r, ret = -1;
	u32 j;

	if (!ic)
		return -1;
	rcu_read_lock();
	rt = rcu_dereference(ic->routes);
	for (j = 0; rt && j < rt->nr && n < NVMX_GSI_MAX_ROUTES; j++)
		if (rt->e[j].gsi == gsi)
			set[n++] = rt->e[j];
	rcu_read_unlock();

	for (i = 0; i < n; i++) {
		if (set[i].type == KVM_IRQ_ROUTING_IRQCHIP) {
			r = nvmx_irqchip_set_pin(vm, set[i].irqchip.chip,
						 set[i].irqchip.pin, src,
						 level);
		} else if (level) {
			/* An MSI is an edge: lowering it does nothing. */
			nvmx_irq_msi_decode(set[i].msi.address_lo,
					    set[i].msi.address_hi,
					    set[i].msi.data, &msg);
			r = nvmx_irq_deliver(vm, &msg);
		} else {
			r = -1;
		}
		/* As KVM: the sum of what the routes that took it say. */
		if (r >= 0)
			ret = r + (ret < 0 ? 0 : ret);
	}
	return ret;
}

/* Used bits per GSI while checking a table: one per irqchip, and other. */
#define NVMX_GSI_USED_OTHER	BIT(7)

static int nvmx_irq_route_check(struct nvmx_irqchip *ic,
				const struct kvm_irq_routing_entry *ue,
				u8 *used, struct nvmx_irq_route *e)
{
	u8 *u = &used[ue->gsi];

	*e = (struct nvmx_irq_route){ .gsi = ue->gsi, .type = ue->type };
	switch (ue->type) {
	case KVM_IRQ_ROUTING_IRQCHIP:
		if (ue->flags || ic->split)
			return -EINVAL;
		e->irqchip.chip = ue->u.irqchip.irqchip;
		e->irqchip.pin = ue->u.irqchip.pin;
		switch (ue->u.irqchip.irqchip) {
		case KVM_IRQCHIP_PIC_MASTER:
		case KVM_IRQCHIP_PIC_SLAVE:
			if (ue->u.irqchip.pin >= 8)
				return -EINVAL;
			e->irqchip.pin += ue->u.irqchip.irqchip * 8;
			break;
		case KVM_IRQCHIP_IOAPIC:
			if (ue->u.irqchip.pin >= NVMX_IOAPIC_PINS)
				return -EINVAL;
			break;
		default:
			return -EINVAL;
		}
		/* Each irqchip once per GSI, and never beside another type. */
		if (*u & (NVMX_GSI_USED_OTHER | BIT(ue->u.irqchip.irqchip)))
			return -EINVAL;
		*u |= BIT(ue->u.irqchip.irqchip);
		return 0;
	case KVM_IRQ_ROUTING_MSI:
		/* KVM takes the device ID flag and ignores it on x86. */
		if (ue->flags & ~KVM_MSI_VALID_DEVID)
			return -EINVAL;
		if (*u)
			return -EINVAL;
		*u = NVMX_GSI_USED_OTHER;
		e->msi.address_lo = ue->u.msi.address_lo;
		e->msi.address_hi = ue->u.msi.address_hi;
		e->msi.data = ue->u.msi.data;
		return 0;
	default:
		/* Hyper-V SynIC and Xen event channels: nvmx has neither. */
		return -EINVAL;
	}
}

/*
 * KVM_SET_GSI_ROUTING: replaces the whole table. -EINVAL without an
 * in-kernel irqchip, for nr above 4096, non-zero flags, a GSI of 4096 or
 * more, a bad type, chip or pin, entry flags other than an MSI's
 * KVM_MSI_VALID_DEVID, an irqchip twice for a GSI, or a GSI with an MSI
 * and anything else (KVM's rules).
 */
long nvmx_vm_set_gsi_routing(struct nvmx_vm *vm, void __user *argp)
{
	struct kvm_irq_routing __user *user = argp;
	struct nvmx_irqchip *ic = nvmx_vm_ic(vm);
	struct kvm_irq_routing_entry *ue = NULL;
	struct nvmx_irq_routes *rt, *old;
	struct kvm_irq_routing hdr;
	u8 *used = NULL;
	long r;
	u32 i;

	/* KVM's order: the header is read before the irqchip is asked for. */
	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	if (!ic)
		return -EINVAL;
	if (hdr.nr > NVMX_MAX_IRQ_ROUTES || hdr.flags)
		return -EINVAL;
	if (hdr.nr) {
		ue = vmemdup_user(user->entries,
				  array_size(sizeof(*ue), hdr.nr));
		if (IS_ERR(ue))
			return PTR_ERR(ue);
	}
	for (i = 0; i < hdr.nr; i++) {
		if (ue[i].gsi >= NVMX_MAX_IRQ_ROUTES) {
			r = -EINVAL;
			goto out_ue;
		}
	}
	r = -ENOMEM;
	rt = nvmx_irq_routes_alloc(hdr.nr);
	used = kvzalloc(NVMX_MAX_IRQ_ROUTES, GFP_KERNEL_ACCOUNT);
	if (!rt || !used)
		goto out_rt;
	for (i = 0; i < hdr.nr; i++) {
		r = nvmx_irq_route_check(ic, &ue[i], used, &rt->e[i]);
		if (r)
			goto out_rt;
	}

	mutex_lock(&ic->routes_lock);
	old = rcu_dereference_protected(ic->routes,
					lockdep_is_held(&ic->routes_lock));
	rcu_assign_pointer(ic->routes, rt);
	mutex_unlock(&ic->routes_lock);
	/* No reader of the old table is left after a grace period. */
	synchronize_rcu();
	rt = old;
	r = 0;
out_rt:
	kvfree(rt);
	kvfree(used);
out_ue:
	kvfree(ue);
	return r;
}

/*
 * KVM_IRQ_LINE(_STATUS): -ENXIO without an in-kernel irqchip. The ioctl
 * succeeds whatever the line's routes do; _STATUS writes back what
 * nvmx_irq_set_gsi() says.
 */
long nvmx_vm_irq_line(struct nvmx_vm *vm, void __user *argp, bool status)
{
	struct kvm_irq_level ev;

	if (copy_from_user(&ev, argp, sizeof(ev)))
		return -EFAULT;
	if (!nvmx_vm_ic(vm))
		return -ENXIO;
	ev.status = nvmx_irq_set_gsi(vm, ev.irq, NVMX_IRQ_SRC_USER, ev.level);
	if (status && copy_to_user(argp, &ev, sizeof(ev)))
		return -EFAULT;
	return 0;
}

/*
 * KVM_SIGNAL_MSI: -EINVAL without an in-kernel irqchip or with flags
 * other than KVM_MSI_VALID_DEVID; otherwise what delivery returns, as
 * KVM (the number of APICs reached, or -1, which userspace sees as
 * EPERM).
 */
long nvmx_vm_signal_msi(struct nvmx_vm *vm, void __user *argp)
{
	struct nvmx_irq_msg msg;
	struct kvm_msi msi;

	if (copy_from_user(&msi, argp, sizeof(msi)))
		return -EFAULT;
	if (!nvmx_vm_ic(vm) || (msi.flags & ~KVM_MSI_VALID_DEVID))
		return -EINVAL;
	nvmx_irq_msi_decode(msi.address_lo, msi.address_hi, msi.data, &msg);
	return nvmx_irq_deliver(vm, &msg);
}
