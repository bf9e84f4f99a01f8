// SPDX-License-Identifier: GPL-2.0
/*
 * The choice of the event to deliver at VM entry (see inject.h). Pure
 * logic (see pure.h).
 *
 * Blocking follows kvm_intel's reading of the SDM: STI and MOV SS
 * blocking hold off both NMIs and maskable interrupts (some processors
 * fail a VM entry that injects an NMI under STI blocking), NMI blocking
 * holds off NMIs, RFLAGS.IF=0 maskable interrupts. While L2 runs, an
 * event vmcs12 intercepts is a VM exit to L1 whatever L2's blocking is.
 */
#include "inject.h"

static bool nvmx_inj_shadow(const struct nvmx_inject_in *in)
{
	return in->intr_state & (NVMX_INJ_BLOCK_STI | NVMX_INJ_BLOCK_MOV_SS);
}

/* Whether a maskable interrupt could be taken now (ignoring what is queued). */
bool nvmx_inject_irq_allowed(const struct nvmx_inject_in *in)
{
	if (in->l2 && in->l1_extint_exiting)
		return true;
	return in->rflags_if && !nvmx_inj_shadow(in);
}

bool nvmx_inject_nmi_allowed(const struct nvmx_inject_in *in)
{
	if (in->l2 && in->l1_nmi_exiting)
		return true;
	return !nvmx_inj_shadow(in) && !(in->intr_state & NVMX_INJ_BLOCK_NMI);
}

void nvmx_inject_decide(const struct nvmx_inject_in *in,
			struct nvmx_inject_out *out)
{
	bool exit_nmi = in->l2 && in->l1_nmi_exiting && in->nmi_pending;
	bool exit_irq = in->l2 && in->l1_extint_exiting &&
			(in->irq_pending || in->user_window);
	bool nmi = in->nmi_pending;

	*out = (struct nvmx_inject_out){ .action = NVMX_INJ_NONE };
	if (in->event_in_flight) {
		/*
		 * Delivered first; a window exit then comes right after its
		 * delivery (if the window is open), an exit to L1 at once.
		 */
		out->nmi_window = nmi && in->vnmi && !exit_nmi;
		out->irq_window = (in->irq_pending || in->user_window) &&
				  !exit_irq;
		out->immediate_exit = exit_nmi || exit_irq;
		return;
	}
	if (exit_nmi) {
		out->action = NVMX_INJ_EXIT_NMI;
		return;
	}
	if (nmi) {
		if (nvmx_inject_nmi_allowed(in)) {
			out->action = NVMX_INJ_NMI;
			nmi = false;
		} else if (in->vnmi) {
			out->nmi_window = true;
		}
	}
	if (out->action == NVMX_INJ_NONE && in->irq_pending &&
	    nvmx_inject_irq_allowed(in)) {
		out->action = exit_irq ? NVMX_INJ_EXIT_IRQ : NVMX_INJ_IRQ;
		return;
	}
	if (exit_irq) {
		/* Behind the NMI injected now: back right after it. */
		out->immediate_exit = true;
		return;
	}
	/*
	 * Without virtual NMIs there is no NMI window: a blocked NMI waits
	 * for an entry that finds it unblocked.
	 */
	if (in->irq_pending || in->user_window)
		out->irq_window = true;
}
