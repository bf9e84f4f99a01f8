// SPDX-License-Identifier: GPL-2.0
/*
 * The local APIC's pure arithmetic (lapic.h), after the SDM vol. 3
 * chapter "Advanced Programmable Interrupt Controller": built into
 * nvmx.ko and into selftests/unit/lapic_test.
 */
#include "lapic.h"

/* The 32-bit word holding @vec in a 256-bit register at @off. */
static unsigned int nvmx_apic_word(unsigned int off, u8 vec)
{
	return (off >> 2) + (vec >> 5) * 4;
}

int nvmx_apic_highest(const u32 *regs, unsigned int off)
{
	int w, b;

	for (w = 7; w >= 0; w--) {
		u32 v = regs[(off >> 2) + w * 4];

		if (!v)
			continue;
		for (b = 31; b >= 0; b--)
			if (v & (1u << b))
				return w * 32 + b;
	}
	return -1;
}

bool nvmx_apic_test_vec(const u32 *regs, unsigned int off, u8 vec)
{
	return regs[nvmx_apic_word(off, vec)] & (1u << (vec & 31));
}

void nvmx_apic_set_vec(u32 *regs, unsigned int off, u8 vec)
{
	regs[nvmx_apic_word(off, vec)] |= 1u << (vec & 31);
}

void nvmx_apic_clear_vec(u32 *regs, unsigned int off, u8 vec)
{
	regs[nvmx_apic_word(off, vec)] &= ~(1u << (vec & 31));
}

/*
 * PPR[7:4] is the higher of TPR[7:4] and ISRV[7:4]; PPR[3:0] is TPR[3:0]
 * when the TPR class wins (or ties), else 0.
 */
u32 nvmx_apic_ppr(u32 tpr, int isr_vec)
{
	u32 isrv = isr_vec < 0 ? 0 : (u32)isr_vec;

	tpr &= 0xff;
	if ((tpr & 0xf0) >= (isrv & 0xf0))
		return tpr;
	return isrv & 0xf0;
}

u32 nvmx_x2apic_ldr(u32 id)
{
	return ((id >> 4) << 16) | (1u << (id & 0xf));
}

static bool nvmx_apic_match_logical(const struct nvmx_apic_target *t,
				    const struct nvmx_apic_irq *irq)
{
	u32 mda = irq->dest, ldr8;

	if (t->x2apic) {
		if (!irq->x2apic_dest)
			return (mda & 0xff) == 0xff;
		if (mda == 0xffffffff)
			return true;
		return (mda >> 16) == (t->ldr >> 16) &&
		       (mda & t->ldr & 0xffff);
	}
	if (irq->x2apic_dest && mda == 0xffffffff)
		return true;
	mda &= 0xff;
	if (mda == 0xff)
		return true;
	ldr8 = t->ldr >> 24;
	switch (t->dfr >> 28) {
	case 0xf:	/* flat: one bit per APIC */
		return ldr8 & mda;
	case 0x0:	/* cluster: cluster in 7:4, a bit per APIC in 3:0 */
		return (mda >> 4) == (ldr8 >> 4) && (mda & ldr8 & 0xf);
	default:	/* a model the SDM does not define */
		return false;
	}
}

bool nvmx_apic_match_dest(const struct nvmx_apic_target *t,
			  const struct nvmx_apic_irq *irq)
{
	if (irq->dest_logical)
		return nvmx_apic_match_logical(t, irq);
	if (irq->x2apic_dest)
		return irq->dest == 0xffffffff || irq->dest == t->id;
	/* An xAPIC-format message: 8 bits, 0xff is everyone. */
	return (irq->dest & 0xff) == 0xff || (irq->dest & 0xff) == t->id;
}

u32 nvmx_apic_divisor(u32 tdcr)
{
	u32 v = (tdcr & 3) | ((tdcr >> 1) & 4);

	return 1u << ((v + 1) & 7);
}

u64 nvmx_apic_count_ns(u32 icr, u32 divisor)
{
	return (u64)icr * divisor * NVMX_APIC_BUS_NS;
}

/* A count started at @icr has ceil(left / count length) counts to go. */
u32 nvmx_apic_ccr(u64 left_ns, u32 divisor, u32 icr)
{
	u64 per = (u64)divisor * NVMX_APIC_BUS_NS;
	u64 c = (left_ns + per - 1) / per;

	return c > icr ? icr : (u32)c;
}

int nvmx_x2apic_reg(u32 msr, bool write)
{
	unsigned int off;

	if (msr < 0x800 || msr > 0x8ff)
		return -1;
	off = (msr - 0x800) << 4;
	switch (off) {
	case NVMX_APIC_TPR:
	case NVMX_APIC_SVR:
	case NVMX_APIC_ESR:
	case NVMX_APIC_ICR:
	case NVMX_APIC_LVTT ... NVMX_APIC_LVTERR:
	case NVMX_APIC_TMICT:
	case NVMX_APIC_TDCR:
		return off;
	case NVMX_APIC_EOI:
	case NVMX_APIC_SELF_IPI:
		return write ? (int)off : -1;
	case NVMX_APIC_ID:
	case NVMX_APIC_LVR:
	case NVMX_APIC_PPR:
	case NVMX_APIC_LDR:
	case NVMX_APIC_ISR ... NVMX_APIC_ISR + 0x70:
	case NVMX_APIC_TMR ... NVMX_APIC_TMR + 0x70:
	case NVMX_APIC_IRR ... NVMX_APIC_IRR + 0x70:
	case NVMX_APIC_TMCCT:
		return write ? -1 : (int)off;
	default:
		/* APR, DFR, ICR2, CMCI and the holes: reserved in x2APIC. */
		return -1;
	}
}

/*
 * As KVM's masks, so that a register reads the same on both: mask,
 * vector and the delivery-status bit (which nvmx never sets itself);
 * remote IRR is writable in the LINT entries.
 */
u32 nvmx_apic_lvt_mask(unsigned int off, bool tsc_deadline)
{
	const u32 base = 0x110ff;

	switch (off) {
	case NVMX_APIC_LVTT:
		/* Timer mode: periodic always, TSC-deadline if CPUID says. */
		return base | BIT(17) | (tsc_deadline ? BIT(18) : 0);
	case NVMX_APIC_LVTTHMR:
	case NVMX_APIC_LVTPC:
		return base | 0x700;
	case NVMX_APIC_LVT0:
	case NVMX_APIC_LVT1:
		/* Delivery mode, polarity, remote IRR and trigger. */
		return base | 0x700 | BIT(13) | BIT(14) | BIT(15);
	case NVMX_APIC_LVTERR:
		return base;
	default:
		return 0;
	}
}
