// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel PIC and IOAPIC of a VM (irqchip.h for the locking): their
 * creation, the guest's port and MMIO accesses to them, KVM_GET_IRQCHIP
 * and KVM_SET_IRQCHIP, and the PIC's INT output as an ExtINT source for
 * the injection core (irq.h). The models themselves are pic.c and
 * ioapic.c.
 */
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "irqchip.h"
#include "nvmx.h"

/* The IOAPIC's messages go to the local APICs (irq_route.c). */
static int nvmx_ioapic_send(void *opaque, const struct nvmx_irq_msg *msg)
{
	struct nvmx_irqchip *ic = opaque;

	return nvmx_irq_deliver(ic->vm, msg);
}

/* The VM's irqchip, or NULL: any context, no lock. */
struct nvmx_irqchip *nvmx_vm_ic(struct nvmx_vm *vm)
{
	/* Pairs with the release in nvmx_irqchip_create(): ic is whole. */
	return smp_load_acquire(&vm->ic);
}

static struct nvmx_irqchip *nvmx_vm_full_ic(struct nvmx_vm *vm)
{
	struct nvmx_irqchip *ic = nvmx_vm_ic(vm);

	return ic && !ic->split ? ic : NULL;
}

/*
 * The PIC raises INT: every vCPU looks again (KVM_SET_BOOT_CPU_ID may have
 * made any of them the one whose LINT0 is wired to it).
 */
static void nvmx_pic_kick(struct nvmx_vm *vm)
{
	struct nvmx_vcpu *vcpu;
	unsigned int i;

	for (i = 0; i < NVMX_MAX_VCPUS; i++) {
		vcpu = READ_ONCE(vm->vcpus[i]);
		if (vcpu)
			nvmx_vcpu_kick(vcpu);
	}
}

/* Called with vm->lock held, before any vCPU exists. */
long nvmx_irqchip_create(struct nvmx_vm *vm, bool split, u32 nr_ioapic)
{
	struct nvmx_irqchip *ic;
	int r;

	ic = kzalloc(sizeof(*ic), GFP_KERNEL_ACCOUNT);
	if (!ic)
		return -ENOMEM;
	ic->vm = vm;
	ic->split = split;
	ic->nr_ioapic_routes = nr_ioapic;
	spin_lock_init(&ic->lock);
	mutex_init(&ic->routes_lock);
	nvmx_pic_init(&ic->pic);
	nvmx_ioapic_init(&ic->ioapic);
	ic->ioapic.deliver = nvmx_ioapic_send;
	ic->ioapic.opaque = ic;
	r = nvmx_irqfd_init(ic);
	if (r)
		goto err_free;
	/* A split irqchip starts with no routes, as KVM's. */
	if (!split) {
		r = nvmx_irq_routes_default(ic);
		if (r)
			goto err_irqfd;
	}
	/* Initialised before published: see nvmx_vm_ic(). */
	smp_store_release(&vm->ic, ic);
	return 0;

err_irqfd:
	nvmx_irqfd_release(ic);
err_free:
	kfree(ic);
	return r;
}

/*
 * First thing when the VM is freed, while its vCPUs still exist: no PIT
 * tick or irqfd injection (which deliver to the vCPUs' APICs) runs
 * after this.
 */
void nvmx_irqchip_stop(struct nvmx_vm *vm)
{
	nvmx_pit_destroy(vm);
	if (vm->ic)
		nvmx_irqfd_release(vm->ic);
}

/* Last: after nvmx_irqchip_stop() and the vCPUs. */
void nvmx_irqchip_destroy(struct nvmx_vm *vm)
{
	if (!vm->ic)
		return;
	nvmx_irq_routes_free(vm->ic);
	kfree(vm->ic);
	vm->ic = NULL;
}

bool nvmx_irqchip_pio(struct nvmx_vcpu *vcpu, u16 port, bool in,
		      unsigned int size, u32 *val)
{
	struct nvmx_irqchip *ic = nvmx_vm_full_ic(vcpu->vm);
	bool out;

	/* The PIT: a wider access reads the byte zero-extended, as KVM's. */
	if (nvmx_pit_pio(vcpu, port, in, val))
		return true;
	if (!ic || !nvmx_pic_is_port(port))
		return false;
	/* The PIC's ports are 8 bits wide: wider reads 0, as KVM's. */
	if (size != 1) {
		if (in)
			*val = 0;
		return true;
	}
	spin_lock(&ic->lock);
	if (in)
		*val = nvmx_pic_read(&ic->pic, port);
	else
		nvmx_pic_write(&ic->pic, port, *val);
	out = nvmx_pic_output(&ic->pic);
	spin_unlock(&ic->lock);
	if (out)
		nvmx_pic_kick(vcpu->vm);
	return true;
}

bool nvmx_irqchip_mmio(struct nvmx_vcpu *vcpu, u64 gpa, bool is_write,
		       unsigned int len, u64 *data)
{
	struct nvmx_irqchip *ic = nvmx_vm_full_ic(vcpu->vm);
	u64 base;

	if (!ic)
		return false;
	spin_lock(&ic->lock);
	base = ic->ioapic.s.base_address;
	if (gpa < base || gpa >= base + NVMX_IOAPIC_SIZE) {
		spin_unlock(&ic->lock);
		return false;
	}
	if (is_write)
		nvmx_ioapic_write(&ic->ioapic, gpa - base, len, *data);
	else
		*data = nvmx_ioapic_read(&ic->ioapic, gpa - base, len);
	spin_unlock(&ic->lock);
	return true;
}

int nvmx_irqchip_set_pin(struct nvmx_vm *vm, u32 chip, u32 pin,
			 unsigned int src, bool level)
{
	struct nvmx_irqchip *ic = nvmx_vm_full_ic(vm);
	bool out = false;
	int r;

	if (!ic)
		return -1;
	spin_lock(&ic->lock);
	if (chip == KVM_IRQCHIP_IOAPIC) {
		r = nvmx_ioapic_set_irq(&ic->ioapic, pin, src, level);
	} else {
		r = nvmx_pic_set_irq(&ic->pic, pin, src, level);
		out = nvmx_pic_output(&ic->pic);
	}
	spin_unlock(&ic->lock);
	if (out)
		nvmx_pic_kick(vm);
	return r;
}

/* A split irqchip: the PIC and IOAPIC are userspace's. Any context. */
bool nvmx_irqchip_split(struct nvmx_vm *vm)
{
	struct nvmx_irqchip *ic = nvmx_vm_ic(vm);

	return ic && ic->split;
}

/*
 * The ExtINT source (irq.h): the PIC's vector an INTA cycle would read
 * now, or -1 when its INT output is low; nvmx_pic_take() is that INTA
 * cycle. With a split irqchip the source is KVM_INTERRUPT's vector queued
 * on this vCPU (vcpu->ext_queued, the vCPU's task only), as KVM's
 * pending external vector.
 */
int nvmx_pic_pending_vector(struct nvmx_vcpu *vcpu)
{
	struct nvmx_irqchip *ic = nvmx_vm_full_ic(vcpu->vm);
	struct nvmx_pic copy;
	int v = -1;

	if (nvmx_irqchip_split(vcpu->vm))
		return vcpu->ext_queued ? vcpu->ext_vector : -1;
	if (!ic)
		return -1;
	spin_lock(&ic->lock);
	if (nvmx_pic_output(&ic->pic)) {
		copy = ic->pic;
		v = nvmx_pic_intack(&copy);
	}
	spin_unlock(&ic->lock);
	return v;
}

int nvmx_pic_take(struct nvmx_vcpu *vcpu)
{
	struct nvmx_irqchip *ic = nvmx_vm_full_ic(vcpu->vm);
	int v = -1;

	if (nvmx_irqchip_split(vcpu->vm)) {
		if (!vcpu->ext_queued)
			return -1;
		vcpu->ext_queued = false;
		return vcpu->ext_vector;
	}
	if (!ic)
		return -1;
	spin_lock(&ic->lock);
	if (nvmx_pic_output(&ic->pic))
		v = nvmx_pic_intack(&ic->pic);
	spin_unlock(&ic->lock);
	return v;
}

/* A local APIC's EOI of a level-triggered vector (the LAPIC's EOI hook). */
void nvmx_ioapic_eoi_broadcast(struct nvmx_vm *vm, u8 vector)
{
	struct nvmx_irqchip *ic = nvmx_vm_full_ic(vm);

	if (!ic)
		return;
	spin_lock(&ic->lock);
	nvmx_ioapic_eoi(&ic->ioapic, vector);
	spin_unlock(&ic->lock);
}

/*
 * KVM_GET_IRQCHIP and KVM_SET_IRQCHIP: the full irqchip only (-ENXIO
 * otherwise, after the copy, as KVM); chip_id 0 and 1 are the PICs, 2
 * the IOAPIC, any other -EINVAL. GET writes back the whole struct, the
 * user's bytes outside the chip's state included, as KVM.
 */
static struct kvm_irqchip *nvmx_irqchip_copy_in(void __user *argp)
{
	return memdup_user(argp, sizeof(struct kvm_irqchip));
}

long nvmx_irqchip_get(struct nvmx_vm *vm, void __user *argp)
{
	struct nvmx_irqchip *ic = nvmx_vm_full_ic(vm);
	struct kvm_irqchip *chip;
	long r = 0;

	chip = nvmx_irqchip_copy_in(argp);
	if (IS_ERR(chip))
		return PTR_ERR(chip);
	if (!ic) {
		r = -ENXIO;
		goto out;
	}
	spin_lock(&ic->lock);
	switch (chip->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		chip->chip.pic = ic->pic.chip[chip->chip_id];
		break;
	case KVM_IRQCHIP_IOAPIC:
		chip->chip.ioapic = ic->ioapic.s;
		break;
	default:
		r = -EINVAL;
		break;
	}
	spin_unlock(&ic->lock);
	if (!r && copy_to_user(argp, chip, sizeof(*chip)))
		r = -EFAULT;
out:
	kfree(chip);
	return r;
}

long nvmx_irqchip_set(struct nvmx_vm *vm, void __user *argp)
{
	struct nvmx_irqchip *ic = nvmx_vm_full_ic(vm);
	struct kvm_irqchip *chip;
	bool out = false;
	long r = 0;

	chip = nvmx_irqchip_copy_in(argp);
	if (IS_ERR(chip))
		return PTR_ERR(chip);
	if (!ic) {
		r = -ENXIO;
		goto out;
	}
	spin_lock(&ic->lock);
	switch (chip->chip_id) {
	case KVM_IRQCHIP_PIC_MASTER:
	case KVM_IRQCHIP_PIC_SLAVE:
		nvmx_pic_set_state(&ic->pic, chip->chip_id, &chip->chip.pic);
		break;
	case KVM_IRQCHIP_IOAPIC:
		nvmx_ioapic_set_state(&ic->ioapic, &chip->chip.ioapic);
		break;
	default:
		r = -EINVAL;
		break;
	}
	out = nvmx_pic_output(&ic->pic);
	spin_unlock(&ic->lock);
	if (out)
		nvmx_pic_kick(vm);
out:
	kfree(chip);
	return r;
}
