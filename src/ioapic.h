/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The I/O APIC (pure logic: builds into nvmx.ko and selftests/unit): 24
 * pins, version 0x11, the IOREGSEL/IOWIN window at its MMIO base, the
 * redirection table with remote IRR for level-triggered pins, and the
 * EOI broadcast that ends a level interrupt. Its state is KVM's struct
 * kvm_ioapic_state, copied as it is by KVM_GET/SET_IRQCHIP; irr holds
 * the pins whose input is asserted.
 *
 * Delivery goes through @deliver, called with the caller's lock held.
 * Not locked: the caller serialises every call on one struct nvmx_ioapic.
 */
#ifndef NVMX_IOAPIC_H
#define NVMX_IOAPIC_H

#include "pure.h"
#include <linux/kvm.h>
#include "pic.h"

#define NVMX_IOAPIC_BASE	0xfec00000ULL
#define NVMX_IOAPIC_SIZE	0x100
#define NVMX_IOAPIC_PINS	KVM_IOAPIC_NUM_PINS
#define NVMX_IOAPIC_VERSION	0x11

/* One interrupt message to the local APICs (from a pin or an MSI). */
struct nvmx_irq_msg {
	u32 dest_id;		/* APIC ID, or logical destination */
	u8 vector;
	u8 delivery_mode;	/* 0 fixed, 1 lowest, 2 SMI, 4 NMI, 5 INIT, 7 ExtINT */
	bool logical;		/* destination mode */
	bool level;		/* trigger mode: level */
};

struct nvmx_ioapic {
	struct kvm_ioapic_state s;
	/* Per pin: the sources (BIT(NVMX_IRQ_SRC_*) of pic.h) holding it. */
	u8 line[NVMX_IOAPIC_PINS];
	/*
	 * Sends @msg; returns the number of APICs that accepted it (0 or
	 * more), or -1 when it reached none.
	 */
	int (*deliver)(void *opaque, const struct nvmx_irq_msg *msg);
	void *opaque;
};

void nvmx_ioapic_init(struct nvmx_ioapic *io);
/* pic.h's convention: -1 masked or waiting for EOI, 0 coalesced, else sent. */
int nvmx_ioapic_set_irq(struct nvmx_ioapic *io, unsigned int pin,
			unsigned int src, bool level);
/* An access of @len (1, 2, 4 or 8) bytes at @offset from the base. */
u64 nvmx_ioapic_read(struct nvmx_ioapic *io, unsigned int offset,
		     unsigned int len);
void nvmx_ioapic_write(struct nvmx_ioapic *io, unsigned int offset,
		       unsigned int len, u64 val);
/* A local APIC's EOI of a level-triggered @vector. */
void nvmx_ioapic_eoi(struct nvmx_ioapic *io, u8 vector);
/* KVM_SET_IRQCHIP: takes @s and delivers what its irr asserts. */
void nvmx_ioapic_set_state(struct nvmx_ioapic *io,
			   const struct kvm_ioapic_state *s);

#endif /* NVMX_IOAPIC_H */
