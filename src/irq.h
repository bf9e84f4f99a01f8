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

#endif
