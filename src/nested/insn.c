// SPDX-License-Identifier: GPL-2.0
/*
 * L1's VMX instructions. Every one of them exits from VMX non-root
 * operation, so nvmx emulates each from the exit: the fault checks and the
 * operand decoding are pure logic (insn_pure.c), taken from the exit
 * qualification and the VM-exit instruction-information field, never from
 * re-reading L1's instruction bytes. The outcome is what the SDM's
 * pseudocode gives: a fault, VMsucceed, VMfailInvalid or VMfailValid(n)
 * with n in the current vmcs12's VM-instruction error field.
 */
#include <linux/kernel.h>
#include <linux/mm.h>
#include <asm/vmx.h>

#include "gwalk.h"
#include "nvmx.h"
#include "vmx_ops.h"
#include "nested/insn_pure.h"
#include "nested/msrs.h"
#include "nested/nested_int.h"

#define NVMX_RFLAGS_ARITH	(X86_EFLAGS_CF | X86_EFLAGS_PF | \
				 X86_EFLAGS_AF | X86_EFLAGS_ZF | \
				 X86_EFLAGS_SF | X86_EFLAGS_OF)

static void nvmx_set_arith_flags(struct nvmx_vcpu *vcpu, unsigned long set)
{
	unsigned long rflags = nvmx_vmread(GUEST_RFLAGS);

	nvmx_vmwrite(GUEST_RFLAGS, (rflags & ~NVMX_RFLAGS_ARITH) | set);
}

static int nvmx_vmsucceed(struct nvmx_vcpu *vcpu)
{
	nvmx_set_arith_flags(vcpu, 0);
	nvmx_vcpu_skip_insn(vcpu);
	return 1;
}

static int nvmx_vmfail_invalid(struct nvmx_vcpu *vcpu)
{
	nvmx_set_arith_flags(vcpu, X86_EFLAGS_CF);
	nvmx_vcpu_skip_insn(vcpu);
	return 1;
}

/* VMfailValid(err) needs a current VMCS to hold err; else VMfailInvalid. */
static int nvmx_vmfail_valid(struct nvmx_vcpu *vcpu, u32 err)
{
	struct nvmx_nested *n = &vcpu->nested;

	if (n->current_vmptr == NVMX_NO_VMPTR)
		return nvmx_vmfail_invalid(vcpu);
	n->vmcs12->vm_instruction_error = err;
	nvmx_set_arith_flags(vcpu, X86_EFLAGS_ZF);
	nvmx_vcpu_skip_insn(vcpu);
	return 1;
}

int nvmx_nested_vmfail(struct nvmx_vcpu *vcpu, u32 err)
{
	return nvmx_vmfail_valid(vcpu, err);
}

static void nvmx_seg(struct nvmx_insn_seg *s, unsigned int i)
{
	s->selector = nvmx_vmread(GUEST_ES_SELECTOR + i * 2);
	s->base = nvmx_vmread(GUEST_ES_BASE + i * 2);
	s->limit = nvmx_vmread(GUEST_ES_LIMIT + i * 2);
	s->ar = nvmx_vmread(GUEST_ES_AR_BYTES + i * 2);
}

/* L1's state as the pure checks see it. vmcs01 is the current VMCS. */
static void nvmx_insn_env(struct nvmx_vcpu *vcpu, struct nvmx_insn_env *env)
{
	struct nvmx_nested *n = &vcpu->nested;
	unsigned int i;

	memset(env, 0, sizeof(*env));
	env->cr0 = nvmx_read_cr0(vcpu);
	env->cr4 = nvmx_read_cr4(vcpu);
	env->efer = vcpu->efer;
	env->rflags = nvmx_vmread(GUEST_RFLAGS);
	for (i = 0; i < NVMX_SEG_NONE; i++)
		nvmx_seg(&env->seg[i], i);
	env->cpl = VMX_AR_DPL(env->seg[NVMX_SEG_SS].ar);
	for (i = 0; i < NVMX_NR_GPRS; i++)
		env->gpr[i] = nvmx_gpr_read(vcpu, i);
	env->vmx_on = n->vmxon;
	env->feature_control = vcpu->feature_control;
	env->caps = &n->caps;
}

static int nvmx_gwalk_read_l1(void *opaque, u64 gpa, unsigned int size,
			      u64 *val)
{
	*val = 0;
	return nvmx_read_guest(opaque, gpa, val, size);
}

/*
 * Translates L1's linear address @gla for an access of @len bytes within
 * one page; a failed walk queues #PF for L1 and returns 1.
 */
static int nvmx_l1_translate(struct nvmx_vcpu *vcpu, u64 gla, bool write,
			     u64 *gpa)
{
	struct nvmx_gwalk_regs regs = {
		.cr0 = nvmx_read_cr0(vcpu), .cr3 = nvmx_vmread(GUEST_CR3),
		.cr4 = nvmx_read_cr4(vcpu), .efer = vcpu->efer,
		.maxphyaddr = nvmx_vcpu_maxphyaddr(vcpu),
	};
	struct nvmx_gwalk_result res;
	u64 pdptes[4];
	u32 access = write ? NVMX_GWALK_WRITE : 0;
	unsigned int i;
	int r;

	if ((regs.cr0 & X86_CR0_PG) && (regs.cr4 & X86_CR4_PAE) &&
	    !(regs.efer & EFER_LMA)) {
		for (i = 0; i < 4; i++)
			pdptes[i] = nvmx_vmread(GUEST_PDPTR0 + i * 2);
		regs.pdptes = pdptes;
	}
	/* VMX instructions run at CPL 0: supervisor accesses. */
	r = nvmx_gwalk(&regs, nvmx_gwalk_read_l1, vcpu->vm, gla, access, &res);
	if (r == NVMX_GWALK_FAULT) {
		nvmx_queue_pf(vcpu, gla, res.error_code);
		return 1;
	}
	if (r)
		return r;
	*gpa = res.gpa;
	return 0;
}

/*
 * Copies between L1's linear memory and @buf. Returns 0, 1 when a fault
 * was queued for L1, or -errno. Memory outside every slot reads as ones
 * and ignores writes, as open bus does.
 */
static int nvmx_l1_access(struct nvmx_vcpu *vcpu, u64 gla, void *buf,
			  unsigned int len, bool write)
{
	while (len) {
		unsigned int n = min_t(unsigned int, len,
				       PAGE_SIZE - offset_in_page(gla));
		u64 gpa;
		int r;

		r = nvmx_l1_translate(vcpu, gla, write, &gpa);
		if (r)
			return r;
		if (write)
			r = nvmx_write_guest(vcpu->vm, gpa, buf, n);
		else
			r = nvmx_read_guest(vcpu->vm, gpa, buf, n);
		if (r && !write)
			memset(buf, 0xff, n);
		gla += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/* 64-bit operands in 64-bit mode, else 32 (SDM VMREAD/VMWRITE). */
static unsigned int nvmx_insn_opsize(struct nvmx_vcpu *vcpu)
{
	return (vcpu->efer & EFER_LMA) &&
	       (nvmx_vmread(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK) ? 8 : 4;
}

/*
 * The linear address of the memory operand (@size bytes), with the
 * segment checks. Returns 0, or 1 when a fault was queued for L1.
 */
static int nvmx_insn_mem(struct nvmx_vcpu *vcpu, unsigned int size,
			 bool write, u64 *gla)
{
	struct nvmx_insn_env env;
	u32 info = nvmx_vmread(VMX_INSTRUCTION_INFO);
	u64 qual = nvmx_vmread(EXIT_QUALIFICATION);
	u8 vector;

	nvmx_insn_env(vcpu, &env);
	if (nvmx_vmx_mem_operand(&env, info, qual, size, write, gla,
				 &vector)) {
		nvmx_queue_exception(vcpu, vector, vector != UD_VECTOR, 0);
		return 1;
	}
	return 0;
}

/*
 * The fault checks every VMX instruction starts with, then the memory
 * operand's linear address when @size is non-zero. Returns 0 to go on, or
 * 1 when a fault was queued for L1 (the exit is then handled).
 */
static int nvmx_insn_prologue(struct nvmx_vcpu *vcpu, enum nvmx_vmx_insn insn,
			      unsigned int size, bool write, u64 *gla)
{
	struct nvmx_insn_env env;
	int v;

	nvmx_insn_env(vcpu, &env);
	v = nvmx_vmx_insn_fault(&env, insn);
	if (v) {
		nvmx_queue_exception(vcpu, v, v == GP_VECTOR, 0);
		return 1;
	}
	if (!size)
		return 0;
	return nvmx_insn_mem(vcpu, size, write, gla);
}

/* A VMCS pointer L1 names: 4 KiB aligned and within its MAXPHYADDR. */
static bool nvmx_vmptr_valid(struct nvmx_vcpu *vcpu, u64 ptr)
{
	return !(ptr & 0xfff) && !(ptr >> nvmx_vcpu_maxphyaddr(vcpu));
}

/* The pointer operand of VMXON, VMCLEAR and VMPTRLD; 1 on a fault. */
static int nvmx_get_vmptr(struct nvmx_vcpu *vcpu, enum nvmx_vmx_insn insn,
			  u64 *ptr)
{
	u64 gla;
	int r;

	r = nvmx_insn_prologue(vcpu, insn, 8, false, &gla);
	if (r)
		return r;
	return nvmx_l1_access(vcpu, gla, ptr, 8, false);
}

static int nvmx_handle_vmxon(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;
	u32 revision;
	u64 ptr;
	int r;

	/* In VMX root operation VMXON fails before reading its operand. */
	if (n->vmxon) {
		if (nvmx_insn_prologue(vcpu, NVMX_VI_VMXON, 0, false, NULL))
			return 1;
		return nvmx_vmfail_valid(vcpu, NVMX_VMERR_VMXON_IN_ROOT);
	}
	r = nvmx_get_vmptr(vcpu, NVMX_VI_VMXON, &ptr);
	if (r)
		return r < 0 ? r : 1;
	if (!nvmx_vmptr_valid(vcpu, ptr))
		return nvmx_vmfail_invalid(vcpu);
	/* A region outside memory reads as ones: a wrong revision. */
	if (nvmx_read_guest(vcpu->vm, ptr, &revision, sizeof(revision)) ||
	    revision != nvmx_caps_revision(&n->caps))
		return nvmx_vmfail_invalid(vcpu);
	n->vmxon = true;
	n->vmxon_ptr = ptr;
	n->current_vmptr = NVMX_NO_VMPTR;
	return nvmx_vmsucceed(vcpu);
}

/* Leaves VMX operation: the current VMCS is dropped, not written back. */
void nvmx_nested_vmxoff(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;

	n->vmxon = false;
	n->current_vmptr = NVMX_NO_VMPTR;
	n->vmxon_ptr = NVMX_NO_VMPTR;
	nvmx_shadow_off(vcpu);
}

static int nvmx_handle_vmxoff(struct nvmx_vcpu *vcpu)
{
	int r = nvmx_insn_prologue(vcpu, NVMX_VI_VMXOFF, 0, false, NULL);

	if (r)
		return 1;
	nvmx_nested_vmxoff(vcpu);
	return nvmx_vmsucceed(vcpu);
}

static int nvmx_handle_vmclear(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;
	u32 clear = NVMX_VMCS12_CLEAR;
	u64 ptr;
	int r;

	r = nvmx_get_vmptr(vcpu, NVMX_VI_VMCLEAR, &ptr);
	if (r)
		return r < 0 ? r : 1;
	if (!nvmx_vmptr_valid(vcpu, ptr))
		return nvmx_vmfail_valid(vcpu, NVMX_VMERR_VMCLEAR_ADDR);
	if (ptr == n->vmxon_ptr)
		return nvmx_vmfail_valid(vcpu, NVMX_VMERR_VMCLEAR_VMXON);
	if (ptr == n->current_vmptr) {
		n->vmcs12->launch_state = NVMX_VMCS12_CLEAR;
		nvmx_vmcs12_flush(vcpu);
		n->current_vmptr = NVMX_NO_VMPTR;
		nvmx_shadow_off(vcpu);
	} else {
		/* Not cached: only the launch state in memory changes. */
		nvmx_write_guest(vcpu->vm,
				 ptr + offsetof(struct nvmx_vmcs12, launch_state),
				 &clear, sizeof(clear));
	}
	return nvmx_vmsucceed(vcpu);
}

static int nvmx_handle_vmptrld(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;
	u32 revision;
	u64 ptr;
	int r;

	r = nvmx_get_vmptr(vcpu, NVMX_VI_VMPTRLD, &ptr);
	if (r)
		return r < 0 ? r : 1;
	if (!nvmx_vmptr_valid(vcpu, ptr))
		return nvmx_vmfail_valid(vcpu, NVMX_VMERR_VMPTRLD_ADDR);
	if (ptr == n->vmxon_ptr)
		return nvmx_vmfail_valid(vcpu, NVMX_VMERR_VMPTRLD_VMXON);
	/* Bit 31 asks for a shadow VMCS, which L1 is not offered. */
	if (nvmx_read_guest(vcpu->vm, ptr, &revision, sizeof(revision)) ||
	    revision != nvmx_caps_revision(&n->caps))
		return nvmx_vmfail_valid(vcpu, NVMX_VMERR_VMPTRLD_REVISION);
	if (ptr != n->current_vmptr) {
		r = nvmx_vmcs12_load(vcpu, ptr);
		if (r)
			return r;
	}
	return nvmx_vmsucceed(vcpu);
}

static int nvmx_handle_vmptrst(struct nvmx_vcpu *vcpu)
{
	u64 ptr = vcpu->nested.current_vmptr, gla;
	int r;

	r = nvmx_insn_prologue(vcpu, NVMX_VI_VMPTRST, 8, true, &gla);
	if (r)
		return 1;
	r = nvmx_l1_access(vcpu, gla, &ptr, 8, true);
	if (r)
		return r < 0 ? r : 1;
	return nvmx_vmsucceed(vcpu);
}

/*
 * VMREAD and VMWRITE: the field encoding comes from register 2; the other
 * operand is register 1 or memory (instruction information bit 10).
 */
static int nvmx_handle_vmread(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;
	u32 info = nvmx_vmread(VMX_INSTRUCTION_INFO);
	unsigned int size = nvmx_insn_opsize(vcpu);
	bool to_reg = info & BIT(10);
	u64 enc, val, gla = 0;
	u32 err;
	int r;

	/* As the SDM's pseudocode and kvm_intel: the operand comes last. */
	if (nvmx_insn_prologue(vcpu, NVMX_VI_VMREAD, 0, true, NULL))
		return 1;
	if (n->current_vmptr == NVMX_NO_VMPTR)
		return nvmx_vmfail_invalid(vcpu);
	enc = nvmx_gpr_read(vcpu, nvmx_vmx_reg_operand(info, true));
	if (size == 4)
		enc = (u32)enc;
	err = nvmx_vmcs12_vmread(n->vmcs12, enc, &val);
	if (err)
		return nvmx_vmfail_valid(vcpu, err);
	if (size == 4)
		val = (u32)val;
	if (to_reg) {
		/* A 32-bit destination register is zero-extended. */
		nvmx_gpr_write(vcpu, nvmx_vmx_reg_operand(info, false), val);
	} else {
		if (nvmx_insn_mem(vcpu, size, true, &gla))
			return 1;
		r = nvmx_l1_access(vcpu, gla, &val, size, true);
		if (r)
			return r < 0 ? r : 1;
	}
	return nvmx_vmsucceed(vcpu);
}

static bool nvmx_vmwrite_any(struct nvmx_vcpu *vcpu)
{
	return vcpu->nested.caps.misc & BIT_ULL(29);
}

static int nvmx_handle_vmwrite(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;
	u32 info = nvmx_vmread(VMX_INSTRUCTION_INFO);
	unsigned int size = nvmx_insn_opsize(vcpu);
	bool from_reg = info & BIT(10);
	u64 enc, val = 0, gla = 0;
	u32 err;
	int r, idx;

	if (nvmx_insn_prologue(vcpu, NVMX_VI_VMWRITE, 0, false, NULL))
		return 1;
	if (n->current_vmptr == NVMX_NO_VMPTR)
		return nvmx_vmfail_invalid(vcpu);
	if (!from_reg && nvmx_insn_mem(vcpu, size, false, &gla))
		return 1;
	if (from_reg) {
		val = nvmx_gpr_read(vcpu, nvmx_vmx_reg_operand(info, false));
	} else {
		r = nvmx_l1_access(vcpu, gla, &val, size, false);
		if (r)
			return r < 0 ? r : 1;
	}
	enc = nvmx_gpr_read(vcpu, nvmx_vmx_reg_operand(info, true));
	if (size == 4) {
		enc = (u32)enc;
		val = (u32)val;
	}
	err = nvmx_vmcs12_vmwrite(n->vmcs12, enc, val, nvmx_vmwrite_any(vcpu),
				  &idx);
	if (err)
		return nvmx_vmfail_valid(vcpu, err);
	__set_bit(idx, n->dirty);
	return nvmx_vmsucceed(vcpu);
}

static int nvmx_handle_vmlaunch_vmresume(struct nvmx_vcpu *vcpu, bool launch)
{
	struct nvmx_nested *n = &vcpu->nested;
	enum nvmx_vmx_insn insn = launch ? NVMX_VI_VMLAUNCH :
					   NVMX_VI_VMRESUME;

	if (nvmx_insn_prologue(vcpu, insn, 0, false, NULL))
		return 1;
	if (n->current_vmptr == NVMX_NO_VMPTR)
		return nvmx_vmfail_invalid(vcpu);
	/* What L1 wrote through the shadow VMCS is part of the entry. */
	nvmx_shadow_pull(vcpu);
	if (nvmx_vmread(GUEST_INTERRUPTIBILITY_INFO) & GUEST_INTR_STATE_MOV_SS)
		return nvmx_vmfail_valid(vcpu, NVMX_VMERR_MOV_SS);
	if (launch && n->vmcs12->launch_state != NVMX_VMCS12_CLEAR)
		return nvmx_vmfail_valid(vcpu, NVMX_VMERR_LAUNCH_NOT_CLEAR);
	if (!launch && n->vmcs12->launch_state != NVMX_VMCS12_LAUNCHED)
		return nvmx_vmfail_valid(vcpu,
					 NVMX_VMERR_RESUME_NOT_LAUNCHED);
	return nvmx_nested_run(vcpu, launch);
}

static int nvmx_handle_vmlaunch(struct nvmx_vcpu *vcpu)
{
	return nvmx_handle_vmlaunch_vmresume(vcpu, true);
}

static int nvmx_handle_vmresume(struct nvmx_vcpu *vcpu)
{
	return nvmx_handle_vmlaunch_vmresume(vcpu, false);
}

/* INVEPT and INVVPID: #UD, as L1 is offered neither EPT nor VPID. */
static int nvmx_handle_invept(struct nvmx_vcpu *vcpu)
{
	nvmx_insn_prologue(vcpu, NVMX_VI_INVEPT, 0, false, NULL);
	return 1;
}

static int nvmx_handle_invvpid(struct nvmx_vcpu *vcpu)
{
	nvmx_insn_prologue(vcpu, NVMX_VI_INVVPID, 0, false, NULL);
	return 1;
}

/*
 * VMFUNC exits only when L0 enables VM functions for L1, which it does
 * not; should it come, L1 is not offered VMFUNC: #UD.
 */
static int nvmx_handle_vmfunc(struct nvmx_vcpu *vcpu)
{
	nvmx_queue_exception(vcpu, UD_VECTOR, false, 0);
	return 1;
}

typedef int (*nvmx_insn_handler)(struct nvmx_vcpu *vcpu);

static const struct {
	u16 reason;
	nvmx_insn_handler fn;
} nvmx_insn_handlers[] = {
	{ EXIT_REASON_VMON, nvmx_handle_vmxon },
	{ EXIT_REASON_VMOFF, nvmx_handle_vmxoff },
	{ EXIT_REASON_VMCLEAR, nvmx_handle_vmclear },
	{ EXIT_REASON_VMPTRLD, nvmx_handle_vmptrld },
	{ EXIT_REASON_VMPTRST, nvmx_handle_vmptrst },
	{ EXIT_REASON_VMREAD, nvmx_handle_vmread },
	{ EXIT_REASON_VMWRITE, nvmx_handle_vmwrite },
	{ EXIT_REASON_VMLAUNCH, nvmx_handle_vmlaunch },
	{ EXIT_REASON_VMRESUME, nvmx_handle_vmresume },
	{ EXIT_REASON_INVEPT, nvmx_handle_invept },
	{ EXIT_REASON_INVVPID, nvmx_handle_invvpid },
	{ EXIT_REASON_VMFUNC, nvmx_handle_vmfunc },
};

/*
 * An L1 VMX instruction. Without VMX in L1's CPUID every one is #UD, as on
 * a CPU without VMX.
 */
int nvmx_handle_vmx_insn(struct nvmx_vcpu *vcpu)
{
	u16 reason = vcpu->exit_reason;
	unsigned int i;
	int r;

	if (!nvmx_nested_vmx_allowed(vcpu)) {
		nvmx_queue_exception(vcpu, UD_VECTOR, false, 0);
		return 1;
	}
	for (i = 0; i < ARRAY_SIZE(nvmx_insn_handlers); i++) {
		if (nvmx_insn_handlers[i].reason != reason)
			continue;
		r = nvmx_insn_handlers[i].fn(vcpu);
		/*
		 * What the instruction wrote into vmcs12 (VM-instruction
		 * error, an emulated VMWRITE) is what L1 reads next, maybe
		 * through the shadow VMCS. In L2 now, the exit does it.
		 */
		nvmx_shadow_push(vcpu);
		return r;
	}
	nvmx_queue_exception(vcpu, UD_VECTOR, false, 0);
	return 1;
}
