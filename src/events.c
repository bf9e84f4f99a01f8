// SPDX-License-Identifier: GPL-2.0
/*
 * Events for the guest: queueing, injection at VM entry, and the event a VM
 * exit interrupted, re-queued from the IDT-vectoring information.
 */
#include <asm/vmx.h>

#include "nvmx.h"
#include "vmx_ops.h"

void nvmx_vcpu_inject_gp(struct nvmx_vcpu *vcpu)
{
	vcpu->exception = (struct nvmx_event) {
		.valid = true, .vector = GP_VECTOR,
		.type = INTR_TYPE_HARD_EXCEPTION >> 8, .has_error = true,
	};
}

void nvmx_vcpu_inject_ud(struct nvmx_vcpu *vcpu)
{
	vcpu->exception = (struct nvmx_event) {
		.valid = true, .vector = UD_VECTOR,
		.type = INTR_TYPE_HARD_EXCEPTION >> 8,
	};
}

/*
 * Writes the pending event into the VMCS right before entry. It stays
 * pending until a VM exit shows the entry happened (the CPU then clears
 * the VMCS field): an entry that does not happen must not lose it.
 */
void nvmx_inject_event(struct nvmx_vcpu *vcpu)
{
	struct nvmx_event *e = &vcpu->exception;
	u32 info;

	if (!e->valid)
		return;
	info = e->vector | ((u32)e->type << 8) | INTR_INFO_VALID_MASK;
	/* Real mode has no error codes; VM entry refuses one there. */
	if (e->has_error && (vcpu->cr0 & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		nvmx_vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, e->error_code);
	}
	if (e->insn_len)
		nvmx_vmwrite(VM_ENTRY_INSTRUCTION_LEN, e->insn_len);
	nvmx_vmwrite(VM_ENTRY_INTR_INFO_FIELD, info);
}

/*
 * An event the exit interrupted (e.g. an exception whose delivery hit an
 * EPT violation) is delivered again at the next entry.
 */
void nvmx_requeue_vectoring(struct nvmx_vcpu *vcpu)
{
	u32 info = nvmx_vmread(IDT_VECTORING_INFO_FIELD);
	struct nvmx_event *e = &vcpu->exception;

	if (!(info & VECTORING_INFO_VALID_MASK))
		return;
	e->valid = true;
	e->vector = info & VECTORING_INFO_VECTOR_MASK;
	e->type = (info & VECTORING_INFO_TYPE_MASK) >> 8;
	e->has_error = info & VECTORING_INFO_DELIVER_CODE_MASK;
	e->error_code = e->has_error ?
		nvmx_vmread(IDT_VECTORING_ERROR_CODE) : 0;
	/* Software events restart the instruction that raised them. */
	switch (info & VECTORING_INFO_TYPE_MASK) {
	case INTR_TYPE_SOFT_INTR:
	case INTR_TYPE_PRIV_SW_EXCEPTION:
	case INTR_TYPE_SOFT_EXCEPTION:
		e->insn_len = nvmx_vmread(VM_EXIT_INSTRUCTION_LEN);
		break;
	default:
		e->insn_len = 0;
		break;
	}
}
