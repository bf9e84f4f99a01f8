/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The two cascaded 8259A PICs of a PC (pure logic: builds into nvmx.ko
 * and into selftests/unit). The master's IRQ2 is the slave's INT output.
 * Each chip's state is KVM's struct kvm_pic_state, so KVM_GET_IRQCHIP and
 * KVM_SET_IRQCHIP copy it as it is.
 *
 * Not locked: the caller serialises every call on one struct nvmx_pic.
 */
#ifndef NVMX_PIC_H
#define NVMX_PIC_H

#include "pure.h"
#include <linux/kvm.h>

#define NVMX_PIC_NR_PINS	16
/* Who drives an input line; a line is high while any source holds it. */
#define NVMX_IRQ_SRC_USER	0	/* KVM_IRQ_LINE, irqfd */
#define NVMX_IRQ_SRC_PIT	1
#define NVMX_IRQ_NR_SRCS	2

/* The PIIX's ELCR: IRQ0, 1, 2, 8 and 13 are always edge triggered. */
#define NVMX_PIC_ELCR_MASK_MASTER	0xf8
#define NVMX_PIC_ELCR_MASK_SLAVE	0xde

struct nvmx_pic {
	struct kvm_pic_state chip[2];	/* master, slave */
	/* Per input: the sources (BIT(NVMX_IRQ_SRC_*)) holding it high. */
	u8 line[NVMX_PIC_NR_PINS];
};

void nvmx_pic_init(struct nvmx_pic *pic);
/*
 * Drives input @pin (0-15) of source @src to @level. Returns what
 * KVM_IRQ_LINE_STATUS reports: -1 if the input is masked, 0 if the
 * request was already pending (coalesced), 1 otherwise.
 */
int nvmx_pic_set_irq(struct nvmx_pic *pic, unsigned int pin,
		     unsigned int src, bool level);
/* Ports 0x20, 0x21, 0xa0, 0xa1, 0x4d0, 0x4d1. */
bool nvmx_pic_is_port(u16 port);
void nvmx_pic_write(struct nvmx_pic *pic, u16 port, u8 val);
u8 nvmx_pic_read(struct nvmx_pic *pic, u16 port);
/* The master's INT output: an interrupt awaits an acknowledge. */
bool nvmx_pic_output(const struct nvmx_pic *pic);
/* The INTA cycle: the vector the CPU reads (a spurious IRQ7 if none). */
u8 nvmx_pic_intack(struct nvmx_pic *pic);
/* KVM_SET_IRQCHIP of chip @n (0 master, 1 slave). */
void nvmx_pic_set_state(struct nvmx_pic *pic, unsigned int n,
			const struct kvm_pic_state *s);

#endif /* NVMX_PIC_H */
