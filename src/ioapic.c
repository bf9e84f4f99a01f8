// SPDX-License-Identifier: GPL-2.0
/*
 * The I/O APIC (ioapic.h). A pin's input sets its irr bit while high. An
 * edge pin sends one message per rising edge (a second assertion with
 * the line still high is coalesced); a level pin sends while its input
 * is high and remote IRR is clear, sets remote IRR, and sends again
 * after the EOI if the input is still high. A masked pin sends nothing;
 * unmasking a level pin whose input is high sends.
 */
#include "ioapic.h"

#define NVMX_IOREGSEL		0x00
#define NVMX_IOWIN		0x10
#define NVMX_IOAPIC_REG_ID	0x00
#define NVMX_IOAPIC_REG_VER	0x01
#define NVMX_IOAPIC_REG_ARB	0x02
#define NVMX_IOAPIC_REG_REDIR	0x10

/* Bits a guest cannot write: delivery status (12) and remote IRR (14). */
#define NVMX_REDIR_RO_BITS	(BIT_ULL(12) | BIT_ULL(14))

void nvmx_ioapic_init(struct nvmx_ioapic *io)
{
	unsigned int i;

	io->s = (struct kvm_ioapic_state){ .base_address = NVMX_IOAPIC_BASE };
	for (i = 0; i < NVMX_IOAPIC_PINS; i++) {
		io->s.redirtbl[i].fields.mask = 1;
		io->line[i] = 0;
	}
}

/* Sends pin @pin's message if it may; pic.h's return convention. */
static int nvmx_ioapic_service(struct nvmx_ioapic *io, unsigned int pin)
{
	typeof(io->s.redirtbl[0].fields) *e = &io->s.redirtbl[pin].fields;
	struct nvmx_irq_msg msg;
	int r;

	if (e->mask || (e->trig_mode && e->remote_irr))
		return -1;
	msg = (struct nvmx_irq_msg){
		.dest_id = e->dest_id, .vector = e->vector,
		.delivery_mode = e->delivery_mode, .logical = e->dest_mode,
		.level = e->trig_mode,
	};
	r = io->deliver ? io->deliver(io->opaque, &msg) : -1;
	/* Delivered level interrupts wait for their EOI. */
	if (r > 0 && e->trig_mode)
		e->remote_irr = 1;
	return r;
}

int nvmx_ioapic_set_irq(struct nvmx_ioapic *io, unsigned int pin,
			unsigned int src, bool level)
{
	u32 bit, old;

	if (pin >= NVMX_IOAPIC_PINS || src >= 8)
		return -1;
	bit = 1U << pin;
	if (level)
		io->line[pin] |= 1 << src;
	else
		io->line[pin] &= ~(1 << src);
	if (!io->line[pin]) {
		io->s.irr &= ~bit;
		return 1;
	}
	old = io->s.irr;
	io->s.irr |= bit;
	/* An edge pin whose input was already high: coalesced. */
	if (!io->s.redirtbl[pin].fields.trig_mode && old == io->s.irr)
		return 0;
	return nvmx_ioapic_service(io, pin);
}

static u32 nvmx_ioapic_read_reg(struct nvmx_ioapic *io)
{
	u32 sel = io->s.ioregsel, pin;
	u64 redir;

	switch (sel) {
	case NVMX_IOAPIC_REG_ID:
	case NVMX_IOAPIC_REG_ARB:
		return (io->s.id & 0xf) << 24;
	case NVMX_IOAPIC_REG_VER:
		return ((NVMX_IOAPIC_PINS - 1) << 16) | NVMX_IOAPIC_VERSION;
	default:
		break;
	}
	if (sel < NVMX_IOAPIC_REG_REDIR)
		return ~0U;
	pin = (sel - NVMX_IOAPIC_REG_REDIR) >> 1;
	if (pin >= NVMX_IOAPIC_PINS)
		return ~0U;
	redir = io->s.redirtbl[pin].bits;
	return (sel & 1) ? redir >> 32 : (u32)redir;
}

static void nvmx_ioapic_write_reg(struct nvmx_ioapic *io, u32 val)
{
	u32 sel = io->s.ioregsel, pin;
	u64 *redir, old;

	if (sel == NVMX_IOAPIC_REG_ID) {
		io->s.id = (val >> 24) & 0xf;
		return;
	}
	if (sel < NVMX_IOAPIC_REG_REDIR)
		return;		/* version and arbitration are read-only */
	pin = (sel - NVMX_IOAPIC_REG_REDIR) >> 1;
	if (pin >= NVMX_IOAPIC_PINS)
		return;
	redir = &io->s.redirtbl[pin].bits;
	old = *redir;
	if (sel & 1)
		*redir = (u32)old | ((u64)val << 32);
	else
		*redir = (old & ~0xffffffffULL) | val;
	*redir = (*redir & ~NVMX_REDIR_RO_BITS) | (old & NVMX_REDIR_RO_BITS);
	/*
	 * An edge pin has no EOI to wait for: Linux switches a pin to edge
	 * and back to clear a stuck remote IRR on I/O APICs without an EOI
	 * register.
	 */
	if (!io->s.redirtbl[pin].fields.trig_mode)
		io->s.redirtbl[pin].fields.remote_irr = 0;
	else if (io->s.irr & (1U << pin))
		nvmx_ioapic_service(io, pin);
}

u64 nvmx_ioapic_read(struct nvmx_ioapic *io, unsigned int offset,
		     unsigned int len)
{
	u64 v;

	switch (offset & 0xff) {
	case NVMX_IOREGSEL:
		v = io->s.ioregsel;
		break;
	case NVMX_IOWIN:
		v = nvmx_ioapic_read_reg(io);
		break;
	default:
		v = 0;
		break;
	}
	switch (len) {
	case 1:
		return (u8)v;
	case 2:
		return (u16)v;
	case 4:
		return (u32)v;
	default:
		return v;
	}
}

void nvmx_ioapic_write(struct nvmx_ioapic *io, unsigned int offset,
		       unsigned int len, u64 val)
{
	u32 data;

	switch (len) {
	case 1:
		data = (u8)val;
		break;
	case 2:
		data = (u16)val;
		break;
	case 4:
	case 8:
		data = (u32)val;
		break;
	default:
		return;
	}
	switch (offset & 0xff) {
	case NVMX_IOREGSEL:
		io->s.ioregsel = data & 0xff;
		break;
	case NVMX_IOWIN:
		nvmx_ioapic_write_reg(io, data);
		break;
	default:
		break;
	}
}

void nvmx_ioapic_eoi(struct nvmx_ioapic *io, u8 vector)
{
	unsigned int pin;

	for (pin = 0; pin < NVMX_IOAPIC_PINS; pin++) {
		typeof(io->s.redirtbl[0].fields) *e =
			&io->s.redirtbl[pin].fields;

		if (e->vector != vector || !e->trig_mode)
			continue;
		e->remote_irr = 0;
		/* The line is still high: the device still wants service. */
		if (io->s.irr & (1U << pin))
			nvmx_ioapic_service(io, pin);
	}
}

void nvmx_ioapic_set_state(struct nvmx_ioapic *io,
			   const struct kvm_ioapic_state *s)
{
	u32 irr = s->irr, pin;

	io->s = *s;
	io->s.ioregsel &= 0xff;
	io->s.irr = 0;
	/* As KVM: each asserted pin is raised again, by userspace. */
	for (pin = 0; pin < NVMX_IOAPIC_PINS; pin++) {
		if (!(irr & (1U << pin)))
			continue;
		io->line[pin] &= ~(1 << NVMX_IRQ_SRC_USER);
		nvmx_ioapic_set_irq(io, pin, NVMX_IRQ_SRC_USER, true);
	}
}
