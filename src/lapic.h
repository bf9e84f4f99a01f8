/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The in-kernel local APIC: the interrupt message every source delivers
 * through (nvmx_lapic_deliver()), the per-vCPU APIC state, and the pure
 * arithmetic of the register file (lapic_pure.c, unit-tested in
 * userspace): IRR/ISR scans, the processor priority, destination matching,
 * the timer's divide and count, the x2APIC MSR map.
 */
#ifndef NVMX_LAPIC_H
#define NVMX_LAPIC_H

#include "pure.h"

#ifndef __KERNEL__
#ifndef BIT
#define BIT(n)	(1UL << (n))
#endif
#endif

/* Delivery modes (ICR, LVT, IOAPIC redirection and MSI data bits 10:8). */
#define NVMX_APIC_DM_FIXED	0
#define NVMX_APIC_DM_LOWEST	1
#define NVMX_APIC_DM_SMI	2
#define NVMX_APIC_DM_NMI	4
#define NVMX_APIC_DM_INIT	5
#define NVMX_APIC_DM_SIPI	6
#define NVMX_APIC_DM_EXTINT	7

/* Destination shorthands (ICR bits 19:18). */
#define NVMX_APIC_SH_NONE	0
#define NVMX_APIC_SH_SELF	1
#define NVMX_APIC_SH_ALL	2
#define NVMX_APIC_SH_ALL_BUT_SELF 3

/*
 * One interrupt message. @dest is 8 bits for an xAPIC-format message (an
 * xAPIC's ICR, the IOAPIC, MSI) and 32 for an x2APIC's ICR; @x2apic_dest
 * says which, so that the broadcast address is 0xff or 0xffffffff.
 */
struct nvmx_apic_irq {
	u32 dest;
	bool dest_logical;
	bool x2apic_dest;
	u8 shorthand;
	u8 delivery_mode;
	u8 vector;
	bool level;		/* assert (1) or de-assert (0) */
	bool trig_level;	/* level-triggered (TMR) */
};

/* Register offsets in the APIC page, as the SDM's xAPIC map. */
#define NVMX_APIC_ID		0x20
#define NVMX_APIC_LVR		0x30
#define NVMX_APIC_TPR		0x80
#define NVMX_APIC_APR		0x90
#define NVMX_APIC_PPR		0xa0
#define NVMX_APIC_EOI		0xb0
#define NVMX_APIC_LDR		0xd0
#define NVMX_APIC_DFR		0xe0
#define NVMX_APIC_SVR		0xf0
#define NVMX_APIC_ISR		0x100
#define NVMX_APIC_TMR		0x180
#define NVMX_APIC_IRR		0x200
#define NVMX_APIC_ESR		0x280
#define NVMX_APIC_ICR		0x300
#define NVMX_APIC_ICR2		0x310
#define NVMX_APIC_LVTT		0x320
#define NVMX_APIC_LVTTHMR	0x330
#define NVMX_APIC_LVTPC		0x340
#define NVMX_APIC_LVT0		0x350
#define NVMX_APIC_LVT1		0x360
#define NVMX_APIC_LVTERR	0x370
#define NVMX_APIC_TMICT		0x380
#define NVMX_APIC_TMCCT		0x390
#define NVMX_APIC_TDCR		0x3e0
#define NVMX_APIC_SELF_IPI	0x3f0	/* x2APIC only */

/* Integrated APIC, version 0x14, six LVT entries (no CMCI), as KVM 6.1. */
#define NVMX_APIC_VERSION	0x50014
#define NVMX_APIC_LVT_MASKED	BIT(16)
#define NVMX_APIC_SVR_ENABLED	BIT(8)
#define NVMX_APIC_ICR_BUSY	BIT(12)
/* LVT timer modes (bits 18:17). */
#define NVMX_APIC_TIMER_ONESHOT	0
#define NVMX_APIC_TIMER_PERIODIC 1
#define NVMX_APIC_TIMER_TSCDEADLINE 2
/* ESR bits nvmx latches. */
#define NVMX_APIC_ESR_SEND_ILLEGAL	BIT(5)
#define NVMX_APIC_ESR_RECV_ILLEGAL	BIT(6)
#define NVMX_APIC_ESR_ILLEGAL_REG	BIT(7)
/*
 * The APIC bus clock nvmx's timer counts at: 1 GHz, as KVM's, so one
 * count at divide-by-1 is one nanosecond.
 */
#define NVMX_APIC_BUS_NS	1

/*
 * The highest vector set in the 256-bit register at @off (IRR, ISR or
 * TMR: eight 32-bit words at 16-byte strides) of @regs, or -1.
 */
int nvmx_apic_highest(const u32 *regs, unsigned int off);
bool nvmx_apic_test_vec(const u32 *regs, unsigned int off, u8 vec);
void nvmx_apic_set_vec(u32 *regs, unsigned int off, u8 vec);
void nvmx_apic_clear_vec(u32 *regs, unsigned int off, u8 vec);
/* PPR from TPR and the highest in-service vector (-1: none). */
u32 nvmx_apic_ppr(u32 tpr, int isr_vec);
/* Whether @vec (from the IRR) beats processor priority @ppr. */
static inline bool nvmx_apic_beats_ppr(int vec, u32 ppr)
{
	return vec >= 0 && ((u32)vec & 0xf0) > (ppr & 0xf0);
}

/* What destination matching knows of a target APIC. */
struct nvmx_apic_target {
	bool x2apic;
	u32 id;		/* xAPIC: 8 bits; x2APIC: the vCPU id */
	u32 ldr;	/* the LDR register as the guest reads it */
	u32 dfr;	/* xAPIC only: bits 31:28 0xf flat, 0x0 cluster */
};

/* Whether a message's destination (no shorthand) names @t. */
bool nvmx_apic_match_dest(const struct nvmx_apic_target *t,
			  const struct nvmx_apic_irq *irq);
/* The x2APIC LDR of an x2APIC ID: cluster in 31:16, one bit in 15:0. */
u32 nvmx_x2apic_ldr(u32 id);

/* The divisor TDCR (bits 0, 1, 3) selects: 1 to 128. */
u32 nvmx_apic_divisor(u32 tdcr);
/* The current count with @left_ns until it reaches 0; never above @icr. */
u32 nvmx_apic_ccr(u64 left_ns, u32 divisor, u32 icr);
/* How long @icr counts take at @divisor, in ns. */
u64 nvmx_apic_count_ns(u32 icr, u32 divisor);

/*
 * The register offset of x2APIC MSR @msr (0x800 + offset / 16) if the
 * access (@write or read) exists in x2APIC mode, else -1.
 */
int nvmx_x2apic_reg(u32 msr, bool write);

/* LVT entry bits software may write, by offset. */
u32 nvmx_apic_lvt_mask(unsigned int off, bool tsc_deadline);

#ifdef __KERNEL__
#include <linux/hrtimer.h>
#include <linux/spinlock.h>

struct nvmx_vm;
struct nvmx_vcpu;
struct kvm_lapic_state;

/* lapic->events: INIT and SIPI, for the vCPU's own task to act on. */
#define NVMX_LAPIC_EV_INIT	0
#define NVMX_LAPIC_EV_SIPI	1

/*
 * Per-vCPU APIC state besides the register page (vcpu->apic_page).
 * @lock (irqsave: the timer callback takes it in hard-irq context)
 * covers the page's IRR, ISR, TMR, PPR, ESR and every field below but
 * @events, which is atomic bitops. The vCPU's task is the only writer of
 * the other registers, under vcpu->mutex. Other tasks read a target's
 * ID, LDR, DFR, SVR and TPR without the lock for destination matching:
 * a message racing a change of them may go either way, as on hardware.
 */
struct nvmx_lapic {
	/* IRR, ISR, TMR, PPR, ESR and the timer state, as said above. */
	spinlock_t lock;
	struct hrtimer timer;
	/* One-shot and periodic: the period; TSC-deadline: 0. */
	u64 period_ns;
	/* Whether the timer is counting (the hrtimer may be between runs). */
	bool counting;
	/* IA32_TSC_DEADLINE as the guest wrote it (0: disarmed). */
	u64 tsc_deadline;
	/* Errors seen since the last ESR write (latched into ESR then). */
	u32 esr_pending;
	unsigned long events;
	u8 sipi_vector;
	/* Number of timer interrupts put in the IRR, for tests and stats. */
	u64 timer_fired;
	/* What vmcs01's TPR_THRESHOLD holds (nvmx_lapic_update_tpr_threshold). */
	u8 tpr_threshold;
};

void nvmx_lapic_init(struct nvmx_vcpu *vcpu);
void nvmx_lapic_free(struct nvmx_vcpu *vcpu);
/*
 * The single delivery path of every interrupt message: IPIs from an
 * APIC's ICR (@src the sender), the IOAPIC and MSIs (@src NULL).
 * Returns the number of APICs it was delivered to.
 */
int nvmx_lapic_deliver(struct nvmx_vm *vm, struct nvmx_vcpu *src,
		       const struct nvmx_apic_irq *irq);
/*
 * Called in the vCPU's task, with no lock held, when the guest EOIs
 * @vector (@level: its TMR bit): the in-kernel IOAPIC's EOI, or with a
 * split irqchip the KVM_EXIT_IOAPIC_EOI to come.
 */
void nvmx_lapic_eoi_hook(struct nvmx_vcpu *vcpu, int vector, bool level);
/* Whether @t's APIC is a destination of @irq (shorthand ignored). */
bool nvmx_lapic_is_dest(struct nvmx_vcpu *t, const struct nvmx_apic_irq *irq);
/* INIT and SIPI: the vCPU's own task, vCPU loaded, before entry. */
void nvmx_lapic_accept_events(struct nvmx_vcpu *vcpu);
int nvmx_lapic_x2apic_msr(struct nvmx_vcpu *vcpu, u32 msr, u64 *data,
			  bool write);
u64 nvmx_lapic_get_tsc_deadline(struct nvmx_vcpu *vcpu);
void nvmx_lapic_tsc_rate_changed(struct nvmx_vcpu *vcpu);
void nvmx_lapic_set_tsc_deadline(struct nvmx_vcpu *vcpu, u64 data);
int nvmx_lapic_get_state(struct nvmx_vcpu *vcpu, struct kvm_lapic_state *s);
int nvmx_lapic_set_state(struct nvmx_vcpu *vcpu,
			 const struct kvm_lapic_state *s);
bool nvmx_lapic_x2apic_mode(struct nvmx_vcpu *vcpu);
/* Whether the PIC's INTR reaches this vCPU (LINT0 ExtINT, or APIC off). */
bool nvmx_lapic_accepts_extint(struct nvmx_vcpu *vcpu);
/* vmcs01's TPR threshold for the IRR now; the vCPU's task, before entry. */
void nvmx_lapic_update_tpr_threshold(struct nvmx_vcpu *vcpu);
#endif

#endif /* NVMX_LAPIC_H */
