// SPDX-License-Identifier: GPL-2.0
/*
 * Events for the guest: queueing, injection at VM entry, and the event a VM
 * exit interrupted, re-queued from the IDT-vectoring information.
 *
 * vcpu->pending is an event queued and not yet in the VMCS: nested code
 * may still turn it into a VM exit to L1. vcpu->injected is one being
 * delivered: written to the VM-entry interruption information at entry,
 * or interrupted by a VM exit and due again. At most one is valid: queueing
 * resolves a new exception against the event in flight by the SDM's
 * double-fault rules (dfault.c).
 */
#include <asm/vmx.h>

#include "dfault.h"
#include "nvmx.h"
#include "vmx_ops.h"

/* dfault.h's numbering is the VMCS's. */
static_assert((INTR_TYPE_HARD_EXCEPTION >> 8) == NVMX_EVENT_HW_EXC);
static_assert((INTR_TYPE_SOFT_INTR >> 8) == NVMX_EVENT_SOFT_INTR);
static_assert((INTR_TYPE_PRIV_SW_EXCEPTION >> 8) == NVMX_EVENT_PRIV_SW_EXC);
static_assert((INTR_TYPE_SOFT_EXCEPTION >> 8) == NVMX_EVENT_SOFT_EXC);
static_assert(DF_VECTOR == NVMX_VEC_DF && PF_VECTOR == NVMX_VEC_PF);

/* Queues an event (a software one with its instruction length). */
void nvmx_queue_event(struct nvmx_vcpu *vcpu, const struct nvmx_event *e)
{
	const struct nvmx_event *first = NULL;

	if (vcpu->pending.valid)
		first = &vcpu->pending;
	else if (vcpu->injected.valid)
		first = &vcpu->injected;

	switch (first ? nvmx_dfault_merge(first->type, first->vector,
					  e->type, e->vector, NULL) :
			NVMX_DF_SERIAL) {
	case NVMX_DF_SERIAL:
		vcpu->pending = *e;
		vcpu->pending.valid = true;
		break;
	case NVMX_DF_DOUBLE:
		vcpu->pending = (struct nvmx_event) {
			.valid = true, .vector = DF_VECTOR,
			.type = NVMX_EVENT_HW_EXC, .has_error = true,
		};
		break;
	case NVMX_DF_TRIPLE:
		vcpu->pending.valid = false;
		vcpu->triple_fault = true;
		break;
	}
	/* Whatever was in flight is replaced (SDM: handled serially or #DF). */
	vcpu->injected.valid = false;
}

void nvmx_queue_exception(struct nvmx_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error_code)
{
	struct nvmx_event e = {
		.valid = true, .vector = vector, .type = NVMX_EVENT_HW_EXC,
		.has_error = has_error, .error_code = has_error ? error_code : 0,
	};

	nvmx_queue_event(vcpu, &e);
}

void nvmx_vcpu_inject_gp(struct nvmx_vcpu *vcpu)
{
	nvmx_queue_exception(vcpu, GP_VECTOR, true, 0);
}

void nvmx_vcpu_inject_ud(struct nvmx_vcpu *vcpu)
{
	nvmx_queue_exception(vcpu, UD_VECTOR, false, 0);
}

/*
 * Right before entry: the pending event becomes the injected one and is
 * written into the VMCS. It stays injected until a VM exit shows the
 * entry happened (the CPU then clears the VMCS field): an entry that does
 * not happen must not lose it.
 */
void nvmx_inject_pending(struct nvmx_vcpu *vcpu)
{
	struct nvmx_event *e = &vcpu->injected;
	u32 info;

	if (vcpu->pending.valid) {
		*e = vcpu->pending;
		vcpu->pending.valid = false;
	}
	if (!e->valid)
		return;
	info = e->vector | ((u32)e->type << 8) | INTR_INFO_VALID_MASK;
	/* Real mode has no error codes; VM entry refuses one there. */
	if (e->has_error && (nvmx_read_cr0(vcpu) & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		nvmx_vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, e->error_code);
	}
	if (e->insn_len)
		nvmx_vmwrite(VM_ENTRY_INSTRUCTION_LEN, e->insn_len);
	nvmx_vmwrite(VM_ENTRY_INTR_INFO_FIELD, info);
	/* As KVM counts them: every injection, re-injections included. */
	if (e->type == NVMX_EVENT_NMI)
		vcpu->stat.nmi_injections++;
	else if (e->type == NVMX_EVENT_EXT_INTR ||
		 e->type == NVMX_EVENT_SOFT_INTR)
		vcpu->stat.irq_injections++;
}

/*
 * After an exit: the event it interrupted (e.g. an exception whose
 * delivery hit an EPT violation) is delivered again at the next entry.
 * @idt_info is the IDT-vectoring information, valid bit set; @idt_error
 * its error code and @insn_len the exit's instruction length, each used
 * only where the event has one.
 */
void nvmx_requeue_vectoring(struct nvmx_vcpu *vcpu, u32 idt_info,
			    u32 idt_error, u32 insn_len)
{
	struct nvmx_event *e = &vcpu->injected;

	e->valid = true;
	e->vector = idt_info & VECTORING_INFO_VECTOR_MASK;
	e->type = (idt_info & VECTORING_INFO_TYPE_MASK) >> 8;
	e->has_error = idt_info & VECTORING_INFO_DELIVER_CODE_MASK;
	e->error_code = e->has_error ? idt_error : 0;
	/* Software events restart the instruction that raised them. */
	switch (idt_info & VECTORING_INFO_TYPE_MASK) {
	case INTR_TYPE_SOFT_INTR:
	case INTR_TYPE_PRIV_SW_EXCEPTION:
	case INTR_TYPE_SOFT_EXCEPTION:
		e->insn_len = insn_len;
		break;
	default:
		e->insn_len = 0;
		break;
	}
}
