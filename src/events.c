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
#include <linux/kvm.h>
#include <linux/percpu.h>
#include <linux/string.h>
#include <asm/debugreg.h>
#include <asm/trapnr.h>
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
		/*
		 * As KVM: only an exception for L2 keeps its payload until
		 * entry, where L1 may still take it as an exit instead.
		 */
		if (!vcpu->nested.guest_mode)
			nvmx_event_deliver_payload(vcpu, &vcpu->pending);
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

/* #PF for @addr: CR2 is written when it is delivered, not when queued. */
void nvmx_queue_pf(struct nvmx_vcpu *vcpu, u64 addr, u32 error_code)
{
	struct nvmx_event e = {
		.valid = true, .vector = PF_VECTOR, .type = NVMX_EVENT_HW_EXC,
		.has_error = true, .error_code = error_code,
		.has_payload = true, .payload = addr,
	};

	nvmx_queue_event(vcpu, &e);
}

/*
 * What delivering exception @e writes besides the stack: CR2 for #PF; for
 * #DB, B0-B3 replaced and BD/BS added, and DR7.GD cleared so that the
 * handler may use the debug registers (SDM 18.2.3, 18.2.4). Other vectors
 * carry no payload.
 */
void nvmx_event_deliver_payload(struct nvmx_vcpu *vcpu, struct nvmx_event *e)
{
	if (!e->has_payload || e->type != NVMX_EVENT_HW_EXC)
		return;
	e->has_payload = false;
	if (e->vector == PF_VECTOR) {
		vcpu->regs.cr2 = e->payload;
	} else if (e->vector == DB_VECTOR) {
		vcpu->dr6 = nvmx_dr6_value((vcpu->dr6 & ~DR_TRAP_BITS) |
					   (e->payload & NVMX_DB_QUAL_BITS));
		vcpu->dr7 &= ~NVMX_DR7_GD;
	}
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
		/* L1 did not take it: now it is delivered. */
		nvmx_event_deliver_payload(vcpu, e);
	}
	if (!e->valid)
		return;
	info = e->vector | ((u32)e->type << 8) | INTR_INFO_VALID_MASK;
	/* Real mode has no error codes; VM entry refuses one there. */
	if (e->has_error && (nvmx_read_cr0(vcpu) & X86_CR0_PE)) {
		info |= INTR_INFO_DELIVER_CODE_MASK;
		/*
		 * VM entry fails on bits 31:16 (SDM 26.2.1.3) and no CPU makes
		 * them; userspace may set them (KVM's ABI), so they go here.
		 */
		nvmx_vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, (u16)e->error_code);
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

/*
 * KVM_GET/SET_VCPU_EVENTS (api.rst), for the level that runs now (L2's
 * events while L2 runs, as KVM). nvmx has one event in flight
 * (vcpu->injected, or vcpu->pending for an exception not yet in the
 * VMCS), KVM_INTERRUPT's queued vector and the NMI latch; SMM is not
 * offered and is refused; pending exceptions and payloads only once
 * KVM_CAP_EXCEPTION_PAYLOAD is enabled, the triple-fault event once
 * KVM_CAP_X86_TRIPLE_FAULT_EVENT is.
 * Under vcpu->mutex, with the VMCS loaded.
 */

void nvmx_vcpu_get_events(struct nvmx_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	struct nvmx_event *x = vcpu->pending.valid ? &vcpu->pending :
			       &vcpu->injected;
	bool payload = READ_ONCE(vcpu->vm->exception_payload);
	u32 intr = nvmx_vmread(GUEST_INTERRUPTIBILITY_INFO);

	memset(ev, 0, sizeof(*ev));
	/*
	 * Without KVM_CAP_EXCEPTION_PAYLOAD pending reads as injected, so its
	 * payload is delivered now, as KVM does. Soft exceptions (INT3, INTO)
	 * are not reported, as KVM: there is no instruction length, and the
	 * instruction runs again.
	 */
	if (x->valid && x->type == NVMX_EVENT_HW_EXC) {
		if (payload && x == &vcpu->pending) {
			ev->exception.pending = 1;
			ev->exception_has_payload = x->has_payload;
			ev->exception_payload = x->has_payload ? x->payload : 0;
		} else {
			nvmx_event_deliver_payload(vcpu, x);
			ev->exception.injected = 1;
		}
		ev->exception.nr = x->vector;
		ev->exception.has_error_code = x->has_error;
		ev->exception.error_code = x->error_code;
	}
	if (vcpu->injected.valid &&
	    vcpu->injected.type == NVMX_EVENT_EXT_INTR) {
		ev->interrupt.injected = 1;
		ev->interrupt.nr = vcpu->injected.vector;
	} else if (vcpu->irq_queued) {
		ev->interrupt.injected = 1;
		ev->interrupt.nr = vcpu->irq_vector;
	}
	if (intr & GUEST_INTR_STATE_STI)
		ev->interrupt.shadow |= KVM_X86_SHADOW_INT_STI;
	if (intr & GUEST_INTR_STATE_MOV_SS)
		ev->interrupt.shadow |= KVM_X86_SHADOW_INT_MOV_SS;
	ev->nmi.injected = vcpu->injected.valid &&
			   vcpu->injected.type == NVMX_EVENT_NMI;
	ev->nmi.pending = READ_ONCE(vcpu->nmi_pending);
	ev->nmi.masked = !!(intr & GUEST_INTR_STATE_NMI);
	/* Never valid when reported (as KVM); not in SMM. */
	ev->flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW |
		    KVM_VCPUEVENT_VALID_SMM;
	if (payload)
		ev->flags |= KVM_VCPUEVENT_VALID_PAYLOAD;
	if (READ_ONCE(vcpu->vm->triple_fault_event)) {
		ev->flags |= KVM_VCPUEVENT_VALID_TRIPLE_FAULT;
		ev->triple_fault.pending = vcpu->triple_fault;
	}
}

/* #DF, #TS, #NP, #SS, #GP, #PF, #AC, #CP: the vectors with error codes. */
#define NVMX_EXC_ERROR_CODE_VECTORS	(BIT(8) | BIT(10) | BIT(11) | BIT(12) | \
					 BIT(13) | BIT(14) | BIT(17) | BIT(21))

#define NVMX_VCPUEVENT_FLAGS	(KVM_VCPUEVENT_VALID_NMI_PENDING |	\
				 KVM_VCPUEVENT_VALID_SIPI_VECTOR |	\
				 KVM_VCPUEVENT_VALID_SHADOW |		\
				 KVM_VCPUEVENT_VALID_SMM |		\
				 KVM_VCPUEVENT_VALID_PAYLOAD |		\
				 KVM_VCPUEVENT_VALID_TRIPLE_FAULT)

int nvmx_vcpu_set_events(struct nvmx_vcpu *vcpu,
			 const struct kvm_vcpu_events *ev)
{
	/*
	 * KVM's reading of the payload fields: only with VALID_PAYLOAD; then
	 * a pending exception wins over injected, and only it has a payload.
	 */
	bool valid_payload = ev->flags & KVM_VCPUEVENT_VALID_PAYLOAD;
	bool exc_pending = valid_payload && ev->exception.pending;
	bool has_payload = exc_pending && ev->exception_has_payload;
	bool exc = ev->exception.injected || exc_pending;
	bool nmi = ev->nmi.injected;
	/* An interrupt in flight with the APIC in the kernel: the slot's. */
	bool irq = ev->interrupt.injected && !ev->interrupt.soft &&
		   vcpu->vm->irqchip;
	u32 intr, bits;

	if (ev->flags & ~NVMX_VCPUEVENT_FLAGS)
		return -EINVAL;
	/* As KVM without the capabilities enabled. */
	if (valid_payload && !READ_ONCE(vcpu->vm->exception_payload))
		return -EINVAL;
	if ((ev->flags & KVM_VCPUEVENT_VALID_TRIPLE_FAULT) &&
	    !READ_ONCE(vcpu->vm->triple_fault_event))
		return -EINVAL;
	if (exc && (ev->exception.nr > 31 || ev->exception.nr == X86_TRAP_NMI))
		return -EINVAL;
	/*
	 * An error code where the vector has none would fail the VM entry's
	 * control checks (VMfail): refused here (KVM lets the entry fail).
	 */
	if (exc && ev->exception.has_error_code &&
	    !(BIT(ev->exception.nr) & NVMX_EXC_ERROR_CODE_VECTORS))
		return -EINVAL;
	/* nvmx has no SMM. */
	if ((ev->flags & KVM_VCPUEVENT_VALID_SMM) &&
	    (ev->smi.smm || ev->smi.pending || ev->smi.smm_inside_nmi ||
	     ev->smi.latched_init))
		return -EINVAL;
	/* One event in flight at a time (the VMCS injects one). */
	if (exc + nmi + irq > 1)
		return -EINVAL;
	/* A soft interrupt needs its instruction length, which is not here. */
	if (ev->interrupt.injected && ev->interrupt.soft)
		return -EINVAL;

	vcpu->pending = (struct nvmx_event){};
	vcpu->injected = (struct nvmx_event){
		.valid = (exc && !exc_pending) || nmi || irq,
	};
	if (exc) {
		struct nvmx_event *e = exc_pending ? &vcpu->pending :
				       &vcpu->injected;

		e->valid = true;
		e->vector = ev->exception.nr;
		e->type = NVMX_EVENT_HW_EXC;
		e->has_error = ev->exception.has_error_code;
		/* All 32 bits kept, as KVM; what reaches a CPU has 15:0. */
		e->error_code = ev->exception.has_error_code ?
				ev->exception.error_code : 0;
		/* Delivered at entry, or the qualification of L1's exit. */
		e->has_payload = has_payload;
		e->payload = has_payload ? ev->exception_payload : 0;
	} else if (nmi) {
		vcpu->injected.vector = X86_TRAP_NMI;
		vcpu->injected.type = NVMX_EVENT_NMI;
	} else if (irq) {
		vcpu->injected.vector = ev->interrupt.nr;
		vcpu->injected.type = NVMX_EVENT_EXT_INTR;
	}
	if (!vcpu->vm->irqchip) {
		vcpu->irq_queued = ev->interrupt.injected;
		vcpu->irq_vector = ev->interrupt.nr;
	}

	intr = nvmx_vmread(GUEST_INTERRUPTIBILITY_INFO);
	bits = intr;
	if (ev->flags & KVM_VCPUEVENT_VALID_SHADOW) {
		bits &= ~(GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS);
		/* Both at once cannot be: MOV SS wins, as on kvm_intel. */
		if (ev->interrupt.shadow & KVM_X86_SHADOW_INT_MOV_SS)
			bits |= GUEST_INTR_STATE_MOV_SS;
		else if (ev->interrupt.shadow & KVM_X86_SHADOW_INT_STI)
			bits |= GUEST_INTR_STATE_STI;
	}
	/* NMI blocking exists only with virtual NMIs. */
	bits &= ~GUEST_INTR_STATE_NMI;
	if (ev->nmi.masked &&
	    (nvmx_vmread(PIN_BASED_VM_EXEC_CONTROL) & PIN_BASED_VIRTUAL_NMIS))
		bits |= GUEST_INTR_STATE_NMI;
	if (bits != intr)
		nvmx_vmwrite(GUEST_INTERRUPTIBILITY_INFO, bits);
	if (ev->flags & KVM_VCPUEVENT_VALID_NMI_PENDING)
		WRITE_ONCE(vcpu->nmi_pending, ev->nmi.pending);
	if ((ev->flags & KVM_VCPUEVENT_VALID_SIPI_VECTOR) && vcpu->vm->irqchip)
		vcpu->sipi_vector = ev->sipi_vector;
	/* Taken before the next entry: shutdown, or an exit to L1 (run.c). */
	if (ev->flags & KVM_VCPUEVENT_VALID_TRIPLE_FAULT)
		vcpu->triple_fault = ev->triple_fault.pending;
	nvmx_vcpu_make_request(vcpu, NVMX_REQ_EVENT);
	return 0;
}
