/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel interrupt controllers of a VM (KVM_CREATE_IRQCHIP, or
 * KVM_CAP_SPLIT_IRQCHIP), the GSI routing table, and what feeds them:
 * KVM_IRQ_LINE, KVM_SIGNAL_MSI, irqfds and the PIT.
 *
 * Locking: @lock (a spinlock: the PIT's timer path and irqfd work take it
 * too) serialises the PIC and IOAPIC models; delivery to the local APICs
 * runs under it, so a local APIC must not call back into the IOAPIC while
 * it holds a lock of its own. The routing table is read under RCU and
 * replaced under @routes_lock (a mutex), which waits for readers before it
 * frees the old one. vm->ic is set once, under vm->lock, and stays until
 * the VM is freed.
 */
#ifndef NVMX_IRQCHIP_H
#define NVMX_IRQCHIP_H

#include <linux/kvm.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>

#include "ioapic.h"
#include "pic.h"

struct nvmx_vm;
struct nvmx_vcpu;

/* KVM's bound on GSIs and routing entries, and KVM_CAP_IRQ_ROUTING. */
#define NVMX_MAX_IRQ_ROUTES	4096
/* The routes a GSI can have: one per irqchip, or one of another type. */
#define NVMX_GSI_MAX_ROUTES	3

struct nvmx_irq_route {
	u32 gsi;
	u32 type;	/* KVM_IRQ_ROUTING_IRQCHIP or _MSI */
	union {
		struct {
			u32 chip;	/* KVM_IRQCHIP_* */
			u32 pin;	/* PIC: 0-15 (slave is 8-15) */
		} irqchip;
		struct {
			u32 address_lo, address_hi, data;
		} msi;
	};
};

struct nvmx_irq_routes {
	struct rcu_head rcu;
	u32 nr;
	struct nvmx_irq_route e[];
};

struct nvmx_irqchip {
	bool split;		/* LAPICs only: no PIC, IOAPIC or PIT */
	u32 nr_ioapic_routes;	/* split: userspace's IOAPIC pins */
	/* @pic and @ioapic. */
	spinlock_t lock;
	struct nvmx_pic pic;
	struct nvmx_ioapic ioapic;
	/* Replacing @routes. */
	struct mutex routes_lock;
	struct nvmx_irq_routes __rcu *routes;
	struct nvmx_vm *vm;
	/* irqfd.c: assign and deassign, one at a time */
	struct mutex irqfd_mutex;
	/* @irqfds, against the eventfd wakeups (irqsave) */
	spinlock_t irqfd_lock;
	struct list_head irqfds;
	struct workqueue_struct *irqfd_wq;
};

/* irqchip.c: the PIC and IOAPIC devices */
struct nvmx_irqchip *nvmx_vm_ic(struct nvmx_vm *vm);
long nvmx_irqchip_create(struct nvmx_vm *vm, bool split, u32 nr_ioapic);
void nvmx_irqchip_stop(struct nvmx_vm *vm);
void nvmx_irqchip_destroy(struct nvmx_vm *vm);
/* A PIO access the PIC takes (true), with *val in or out. */
bool nvmx_irqchip_pio(struct nvmx_vcpu *vcpu, u16 port, bool in,
		      unsigned int size, u32 *val);
/* An MMIO access the IOAPIC takes (true). */
bool nvmx_irqchip_mmio(struct nvmx_vcpu *vcpu, u64 gpa, bool is_write,
		       unsigned int len, u64 *data);
long nvmx_irqchip_get(struct nvmx_vm *vm, void __user *argp);
long nvmx_irqchip_set(struct nvmx_vm *vm, void __user *argp);
int nvmx_irqchip_set_pin(struct nvmx_vm *vm, u32 chip, u32 pin,
			 unsigned int src, bool level);

/* pit_dev.c: the PIT */
long nvmx_pit_create(struct nvmx_vm *vm, void __user *argp);
void nvmx_pit_destroy(struct nvmx_vm *vm);
bool nvmx_pit_pio(struct nvmx_vcpu *vcpu, u16 port, bool in, u32 *val);
long nvmx_pit_get(struct nvmx_vm *vm, void __user *argp, bool v2);
long nvmx_pit_set(struct nvmx_vm *vm, void __user *argp, bool v2);
long nvmx_pit_reinject_control(struct nvmx_vm *vm, void __user *argp);

/* irqfd.c: KVM_IRQFD */
int nvmx_irqfd_init(struct nvmx_irqchip *ic);
void nvmx_irqfd_release(struct nvmx_irqchip *ic);
long nvmx_vm_irqfd(struct nvmx_vm *vm, void __user *argp);

/* irq_route.c: GSIs, KVM_IRQ_LINE, MSIs */
int nvmx_irq_routes_default(struct nvmx_irqchip *ic);
void nvmx_irq_routes_free(struct nvmx_irqchip *ic);
int nvmx_irq_set_gsi(struct nvmx_vm *vm, u32 gsi, unsigned int src,
		     bool level);
int nvmx_irq_deliver(struct nvmx_vm *vm, const struct nvmx_irq_msg *msg);
bool nvmx_irq_split_eoi_routed(struct nvmx_vcpu *vcpu, u8 vector);
void nvmx_irq_msi_decode(u32 address_lo, u32 address_hi, u32 data,
			 struct nvmx_irq_msg *msg);
long nvmx_vm_set_gsi_routing(struct nvmx_vm *vm, void __user *argp);
long nvmx_vm_irq_line(struct nvmx_vm *vm, void __user *argp, bool status);
long nvmx_vm_signal_msi(struct nvmx_vm *vm, void __user *argp);

#endif /* NVMX_IRQCHIP_H */
