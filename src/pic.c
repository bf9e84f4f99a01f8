// SPDX-License-Identifier: GPL-2.0
/*
 * The 8259A pair (pic.h): priorities, IRR/ISR/IMR, the ICW and OCW
 * sequences, edge and level (ELCR) inputs, rotation, EOIs, poll, special
 * mask and auto-EOI. Where the datasheet leaves a choice, this does what
 * KVM's PIC does, so a VMM sees the same state on nvmx and kvm_intel.
 */
#include "pic.h"

static void nvmx_pic_update(struct nvmx_pic *pic);

/* Input @irq of one chip to @level; pic.h's return convention. */
static int nvmx_pic_chip_input(struct kvm_pic_state *s, unsigned int irq,
			       bool level)
{
	u8 bit = 1 << irq;
	int r = 1;

	if (s->elcr & bit) {
		/* Level: IRR follows the line. */
		if (level) {
			r = !(s->irr & bit);
			s->irr |= bit;
			s->last_irr |= bit;
		} else {
			s->irr &= ~bit;
			s->last_irr &= ~bit;
		}
	} else if (level) {
		/* Edge: only a rising edge requests. */
		if (!(s->last_irr & bit)) {
			r = !(s->irr & bit);
			s->irr |= bit;
		}
		s->last_irr |= bit;
	} else {
		s->last_irr &= ~bit;
	}
	return (s->imr & bit) ? -1 : r;
}

/*
 * How far the highest-priority bit of @bits is from the top priority
 * (priority_add has it): 0 is highest, 8 means none.
 */
static unsigned int nvmx_pic_prio(const struct kvm_pic_state *s, u8 bits)
{
	unsigned int p;

	for (p = 0; p < 8; p++)
		if (bits & (1 << ((p + s->priority_add) & 7)))
			return p;
	return 8;
}

/* The IRQ this chip would raise INT for now, or -1. */
static int nvmx_pic_chip_irq(const struct kvm_pic_state *s, bool master)
{
	unsigned int req, cur;
	u8 in_service = s->isr;

	req = nvmx_pic_prio(s, s->irr & ~s->imr);
	if (req == 8)
		return -1;
	/* Special mask: masked levels in service do not block others. */
	if (s->special_mask)
		in_service &= ~s->imr;
	/* Special fully nested: the slave may interrupt its own service. */
	if (s->special_fully_nested_mode && master)
		in_service &= ~(1 << 2);
	cur = nvmx_pic_prio(s, in_service);
	return req < cur ? (int)((req + s->priority_add) & 7) : -1;
}

static void nvmx_pic_clear_isr(struct kvm_pic_state *s, unsigned int irq)
{
	s->isr &= ~(1 << irq);
}

static void nvmx_pic_chip_ack(struct kvm_pic_state *s, unsigned int irq)
{
	s->isr |= 1 << irq;
	/* A level input stays requested while its line is high. */
	if (!(s->elcr & (1 << irq)))
		s->irr &= ~(1 << irq);
	if (s->auto_eoi) {
		if (s->rotate_on_auto_eoi)
			s->priority_add = (irq + 1) & 7;
		nvmx_pic_clear_isr(s, irq);
	}
}

/* The slave's INT is the master's IRQ2 input. */
static void nvmx_pic_update(struct nvmx_pic *pic)
{
	nvmx_pic_chip_input(&pic->chip[0], 2,
			    nvmx_pic_chip_irq(&pic->chip[1], false) >= 0);
}

void nvmx_pic_init(struct nvmx_pic *pic)
{
	*pic = (struct nvmx_pic){};
	pic->chip[0].elcr_mask = NVMX_PIC_ELCR_MASK_MASTER;
	pic->chip[1].elcr_mask = NVMX_PIC_ELCR_MASK_SLAVE;
}

int nvmx_pic_set_irq(struct nvmx_pic *pic, unsigned int pin,
		     unsigned int src, bool level)
{
	int r;

	if (pin >= NVMX_PIC_NR_PINS || src >= NVMX_IRQ_NR_SRCS)
		return -1;
	if (level)
		pic->line[pin] |= 1 << src;
	else
		pic->line[pin] &= ~(1 << src);
	r = nvmx_pic_chip_input(&pic->chip[pin >> 3], pin & 7,
				pic->line[pin] != 0);
	nvmx_pic_update(pic);
	return r;
}

bool nvmx_pic_is_port(u16 port)
{
	switch (port) {
	case 0x20: case 0x21: case 0xa0: case 0xa1: case 0x4d0: case 0x4d1:
		return true;
	default:
		return false;
	}
}

/* ICW1: the chip starts its initialisation sequence. */
static void nvmx_pic_icw1(struct kvm_pic_state *s, u8 val)
{
	/* Single mode and level mode are not wired on a PC (ELCR is). */
	s->init4 = val & 1;
	s->last_irr = 0;
	s->irr &= s->elcr;
	s->imr = 0;
	s->priority_add = 0;
	s->special_mask = 0;
	s->read_reg_select = 0;
	if (!s->init4) {
		s->special_fully_nested_mode = 0;
		s->auto_eoi = 0;
	}
	s->init_state = 1;
}

static void nvmx_pic_ocw2(struct kvm_pic_state *s, u8 val)
{
	unsigned int cmd = val >> 5, irq, p;

	switch (cmd) {
	case 0:	/* rotate in auto-EOI mode: clear */
	case 4:	/* ... set */
		s->rotate_on_auto_eoi = cmd >> 2;
		break;
	case 1:	/* non-specific EOI */
	case 5:	/* rotate on non-specific EOI */
		p = nvmx_pic_prio(s, s->isr);
		if (p == 8)
			break;
		irq = (p + s->priority_add) & 7;
		if (cmd == 5)
			s->priority_add = (irq + 1) & 7;
		nvmx_pic_clear_isr(s, irq);
		break;
	case 3:	/* specific EOI */
		nvmx_pic_clear_isr(s, val & 7);
		break;
	case 6:	/* set priority: IRQ val&7 becomes the lowest */
		s->priority_add = (val + 1) & 7;
		break;
	case 7:	/* rotate on specific EOI */
		irq = val & 7;
		s->priority_add = (irq + 1) & 7;
		nvmx_pic_clear_isr(s, irq);
		break;
	default:	/* 2: no operation */
		break;
	}
}

void nvmx_pic_write(struct nvmx_pic *pic, u16 port, u8 val)
{
	struct kvm_pic_state *s;

	if (port == 0x4d0 || port == 0x4d1) {
		s = &pic->chip[port & 1];
		s->elcr = val & s->elcr_mask;
		nvmx_pic_update(pic);
		return;
	}
	if (!nvmx_pic_is_port(port))
		return;
	s = &pic->chip[port >> 7];
	if (!(port & 1)) {
		if (val & 0x10) {
			nvmx_pic_icw1(s, val);
		} else if (val & 0x08) {
			/* OCW3 */
			if (val & 0x04)
				s->poll = 1;
			if (val & 0x02)
				s->read_reg_select = val & 1;
			if (val & 0x40)
				s->special_mask = (val >> 5) & 1;
		} else {
			nvmx_pic_ocw2(s, val);
		}
		nvmx_pic_update(pic);
		return;
	}
	switch (s->init_state) {
	case 0:	/* OCW1 */
		s->imr = val;
		break;
	case 1:	/* ICW2: the vector base */
		s->irq_base = val & 0xf8;
		s->init_state = 2;
		break;
	case 2:	/* ICW3: cascade wiring is fixed on a PC */
		s->init_state = s->init4 ? 3 : 0;
		break;
	default:	/* ICW4 */
		s->special_fully_nested_mode = (val >> 4) & 1;
		s->auto_eoi = (val >> 1) & 1;
		s->init_state = 0;
		break;
	}
	nvmx_pic_update(pic);
}

/*
 * A read after OCW3's poll command: as KVM, the IRQ number (7 if none)
 * without the datasheet's bit 7, and the IRQ is taken and ended at once.
 */
static u8 nvmx_pic_poll(struct nvmx_pic *pic, unsigned int n)
{
	struct kvm_pic_state *s = &pic->chip[n];
	int irq = nvmx_pic_chip_irq(s, n == 0);

	if (irq < 0)
		return 7;
	if (n) {
		/* The slave's request through the master's IRQ2 is gone. */
		pic->chip[0].isr &= ~(1 << 2);
		pic->chip[0].irr &= ~(1 << 2);
	}
	s->irr &= ~(1 << irq);
	nvmx_pic_clear_isr(s, irq);
	return irq;
}

u8 nvmx_pic_read(struct nvmx_pic *pic, u16 port)
{
	struct kvm_pic_state *s;
	u8 v;

	if (port == 0x4d0 || port == 0x4d1)
		return pic->chip[port & 1].elcr;
	if (!nvmx_pic_is_port(port))
		return 0xff;
	s = &pic->chip[port >> 7];
	if (s->poll) {
		v = nvmx_pic_poll(pic, port >> 7);
		s->poll = 0;
		nvmx_pic_update(pic);
		return v;
	}
	if (port & 1)
		return s->imr;
	return s->read_reg_select ? s->isr : s->irr;
}

bool nvmx_pic_output(const struct nvmx_pic *pic)
{
	return nvmx_pic_chip_irq(&pic->chip[0], true) >= 0;
}

u8 nvmx_pic_intack(struct nvmx_pic *pic)
{
	int irq = nvmx_pic_chip_irq(&pic->chip[0], true), irq2;
	u8 vector;

	if (irq < 0) {
		/* Spurious: the master answers IRQ7. */
		vector = pic->chip[0].irq_base + 7;
	} else if (irq == 2) {
		nvmx_pic_chip_ack(&pic->chip[0], irq);
		irq2 = nvmx_pic_chip_irq(&pic->chip[1], false);
		if (irq2 >= 0)
			nvmx_pic_chip_ack(&pic->chip[1], irq2);
		else
			irq2 = 7;	/* spurious on the slave */
		vector = pic->chip[1].irq_base + irq2;
	} else {
		nvmx_pic_chip_ack(&pic->chip[0], irq);
		vector = pic->chip[0].irq_base + irq;
	}
	nvmx_pic_update(pic);
	return vector;
}

void nvmx_pic_set_state(struct nvmx_pic *pic, unsigned int n,
			const struct kvm_pic_state *s)
{
	if (n > 1)
		return;
	pic->chip[n] = *s;
	nvmx_pic_update(pic);
}
