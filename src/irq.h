/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Interrupts for the guest: the contract between the interrupt sources
 * (KVM_INTERRUPT and KVM_NMI from userspace, the in-kernel local APIC,
 * and later the PIC and IOAPIC) and the code that injects them at VM entry.
 *
 * A source that may have made an event deliverable calls nvmx_vcpu_kick():
 * a vCPU in guest mode on another CPU is sent an IPI and so exits, and a
 * vCPU blocked in HLT is woken. Before each entry the run loop asks the
 * sources, in the SDM's priority order, what to inject.
 */
#ifndef NVMX_IRQ_H
#define NVMX_IRQ_H

#include <linux/compiler_types.h>
#include <linux/types.h>

struct nvmx_vcpu;

/* Where a vCPU is, for nvmx_vcpu_kick(); vcpu->mode, written by its task. */
enum nvmx_vcpu_mode {
	NVMX_OUTSIDE_GUEST,
	NVMX_IN_GUEST,		/* interrupts off, about to enter or in the guest */
};

/* vcpu->requests bits: work the vCPU's task does before its next entry. */
#define NVMX_REQ_EVENT		0	/* re-evaluate pending interrupts and NMIs */
#define NVMX_REQ_CLOCK		8	/* rewrite the kvmclock page (kvmclock.c) */
#define NVMX_REQ_MSR_FILTER	9	/* MSR bitmap after a new MSR filter */

/* irq.c */
void nvmx_vcpu_kick(struct nvmx_vcpu *vcpu);
void nvmx_vcpu_make_request(struct nvmx_vcpu *vcpu, unsigned int req);
bool nvmx_vcpu_test_clear_request(struct nvmx_vcpu *vcpu, unsigned int req);
bool nvmx_vcpu_has_requests(struct nvmx_vcpu *vcpu);
/* An NMI for the guest (KVM_NMI, or an APIC's NMI delivery mode). */
void nvmx_vcpu_queue_nmi(struct nvmx_vcpu *vcpu);

/*
 * Injection (irq.c, rules in inject.h). nvmx_inject_events() runs before
 * each entry; nvmx_irq_window_open() after each exit handled in the
 * kernel (true: KVM_EXIT_IRQ_WINDOW_OPEN for userspace);
 * nvmx_irq_pre_run()/nvmx_irq_post_run() at KVM_RUN's start and end (the
 * kvm_run fields cr8, if_flag, apic_base, ready_for_interrupt_injection).
 */
void nvmx_inject_events(struct nvmx_vcpu *vcpu);
bool nvmx_irq_window_open(struct nvmx_vcpu *vcpu);
bool nvmx_irq_wakes_halt(struct nvmx_vcpu *vcpu);
int nvmx_irq_pre_run(struct nvmx_vcpu *vcpu);
void nvmx_irq_post_run(struct nvmx_vcpu *vcpu);
long nvmx_vcpu_interrupt(struct nvmx_vcpu *vcpu, void __user *argp);

/*
 * lapic.c: the in-kernel local APIC as an interrupt source (only with
 * vm->irqchip). nvmx_lapic_pending_vector() is the vector the APIC would
 * give the CPU now (highest IRR above the PPR), or -1;
 * nvmx_lapic_accept() is the CPU taking it (IRR to ISR, PPR raised), at
 * injection. nvmx_lapic_has_wake_event() is whether a halted vCPU has
 * something to wake for (an interrupt it would take, an NMI, INIT/SIPI).
 */
int nvmx_lapic_pending_vector(struct nvmx_vcpu *vcpu);
void nvmx_lapic_accept(struct nvmx_vcpu *vcpu, int vector);
bool nvmx_lapic_has_wake_event(struct nvmx_vcpu *vcpu);

/*
 * irqchip.c: the ExtINT source, the in-kernel PIC or (split irqchip)
 * KVM_INTERRUPT's queued vector. A rising INT output kicks every vCPU.
 * nvmx_pic_pending_vector() is the vector an INTA cycle would read now,
 * or -1 when INT is low; nvmx_pic_take() is that INTA cycle (call it when
 * injecting the vector). The LAPIC's EOI hook calls
 * nvmx_ioapic_eoi_broadcast() for a level-triggered vector, or with a
 * split irqchip asks for KVM_EXIT_IOAPIC_EOI.
 */
struct nvmx_vm;
int nvmx_pic_pending_vector(struct nvmx_vcpu *vcpu);
/* The INTA cycle, only if INT is high: the vector, or -1. */
int nvmx_pic_take(struct nvmx_vcpu *vcpu);
void nvmx_ioapic_eoi_broadcast(struct nvmx_vm *vm, u8 vector);
bool nvmx_irqchip_split(struct nvmx_vm *vm);

#endif
