/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What to deliver to the guest at the next VM entry: the SDM's priority
 * of events (an exception or re-injected event first, then NMI, then a
 * maskable external interrupt) and the window exits that wait for a
 * blocked one. Pure logic (see pure.h), unit-tested in selftests/unit.
 */
#ifndef NVMX_INJECT_H
#define NVMX_INJECT_H

#include "pure.h"

/* GUEST_INTERRUPTIBILITY_INFO bits (SDM "Guest Non-Register State"). */
#define NVMX_INJ_BLOCK_STI	BIT_ULL(0)
#define NVMX_INJ_BLOCK_MOV_SS	BIT_ULL(1)
#define NVMX_INJ_BLOCK_NMI	BIT_ULL(3)

struct nvmx_inject_in {
	/* An exception queued, or an event a VM exit interrupted. */
	bool event_in_flight;
	bool nmi_pending;
	/* An external interrupt for L1 (KVM_INTERRUPT's vector, or the APIC's). */
	bool irq_pending;
	/* Userspace asked to hear when an interrupt could be injected. */
	bool user_window;
	/* Of the guest that runs next (L1, or L2 when @l2). */
	bool rflags_if;
	u32 intr_state;
	/* The VMCS has virtual NMIs: NMI blocking and NMI-window exits work. */
	bool vnmi;
	/* L2 runs next, and what vmcs12 asks of L1's events. */
	bool l2;
	bool l1_extint_exiting;
	bool l1_nmi_exiting;
};

enum nvmx_inject_action {
	NVMX_INJ_NONE,
	NVMX_INJ_NMI,		/* an NMI into the guest that runs */
	NVMX_INJ_IRQ,		/* the external interrupt into the guest that runs */
	NVMX_INJ_EXIT_NMI,	/* a VM exit to L1 for the NMI (reason 0) */
	NVMX_INJ_EXIT_IRQ,	/* a VM exit to L1 for the interrupt (reason 1) */
};

struct nvmx_inject_out {
	u8 action;		/* enum nvmx_inject_action */
	bool nmi_window;	/* NMI-window exiting for nvmx itself */
	bool irq_window;	/* interrupt-window exiting for nvmx itself */
	/* Exit right after the entry (its event delivered) to decide again. */
	bool immediate_exit;
};

bool nvmx_inject_irq_allowed(const struct nvmx_inject_in *in);
bool nvmx_inject_nmi_allowed(const struct nvmx_inject_in *in);
void nvmx_inject_decide(const struct nvmx_inject_in *in,
			struct nvmx_inject_out *out);

#endif /* NVMX_INJECT_H */
