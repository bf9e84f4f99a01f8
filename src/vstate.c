// SPDX-License-Identifier: GPL-2.0
/*
 * vCPU state ioctls a VMM saves and restores: XSAVE (and XSAVE2), XCRS,
 * DEBUGREGS and SREGS2, KVM_CAP_SYNC_REGS's copies in kvm_run, and
 * KVM_SET_GUEST_DEBUG (a debugger's breakpoints and single-step).
 *
 * Locking: every function here runs under vcpu->mutex (the vCPU ioctl or
 * KVM_RUN), so the guest FPU state is in vcpu->guest_fpu's buffer, not in
 * the registers, and nothing else changes the vCPU meanwhile.
 */
#include <linux/kvm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/debugreg.h>
#include <asm/fpu/api.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>

#include "nvmx.h"
#include "vmx_ops.h"

/* XCR0 bits nvmx lets any guest have: the host's, as far as nvmx knows them. */
static u64 nvmx_supported_xcr0(void)
{
	return nvmx_host_xcr0 & NVMX_CPUID_XCR0_KNOWN;
}

/*
 * KVM_CAP_XSAVE2: the bytes KVM_GET_XSAVE2 needs for every component the
 * guest may be permitted, in the standard (uncompacted) format, and never
 * less than struct kvm_xsave.
 */
int nvmx_xsave2_size(void)
{
	u64 mask = nvmx_supported_xcr0() & xstate_get_guest_group_perm();
	u32 size = NVMX_XSAVE_LEGACY_SIZE;
	u32 eax, ebx, ecx, edx;
	unsigned int i;

	for (i = 2; i < 64; i++) {
		if (!(mask & BIT_ULL(i)))
			continue;
		cpuid_count(0xd, i, &eax, &ebx, &ecx, &edx);
		size = max(size, eax + ebx);
	}
	return max_t(u32, size, sizeof(struct kvm_xsave));
}

/*
 * KVM_GET_XSAVE (@size 4 KiB) and KVM_GET_XSAVE2 (@size the guest FPU's
 * uabi_size): the guest's components only, FP and SSE always, as KVM.
 */
static long nvmx_get_xsave(struct nvmx_vcpu *vcpu, void __user *argp,
			   unsigned int size)
{
	u64 mask = nvmx_guest_xcr0_allowed(vcpu) | XFEATURE_MASK_FPSSE;
	void *buf;
	long r = 0;

	buf = kzalloc(size, GFP_KERNEL_ACCOUNT);
	if (!buf)
		return -ENOMEM;
	fpu_copy_guest_fpstate_to_uabi(&vcpu->guest_fpu, buf, size, mask,
				       vcpu->pkru);
	if (copy_to_user(argp, buf, size))
		r = -EFAULT;
	kfree(buf);
	return r;
}

/*
 * KVM_SET_XSAVE: the kernel helper refuses XSTATE_BV bits outside what
 * nvmx supports, a non-zero XCOMP_BV or reserved header bytes, and
 * reserved MXCSR bits, all with EINVAL. PKRU is taken only when XSTATE_BV
 * names it (KVM's ABI); nvmx supports no PKRU today, so that is EINVAL.
 */
static long nvmx_set_xsave(struct nvmx_vcpu *vcpu, void __user *argp)
{
	unsigned int size = vcpu->guest_fpu.uabi_size;
	union fpregs_state *u;
	long r;

	u = memdup_user(argp, size);
	if (IS_ERR(u))
		return PTR_ERR(u);
	/* XRSTOR of a component disabled by XFD would #NM: as KVM, drop it. */
	u->xsave.header.xfeatures &= ~vcpu->guest_fpu.fpstate->xfd;
	r = fpu_copy_uabi_to_guest_fpstate(&vcpu->guest_fpu, u,
					   nvmx_supported_xcr0() |
					   XFEATURE_MASK_FPSSE, &vcpu->pkru);
	kfree(u);
	return r;
}

static long nvmx_get_xcrs(struct nvmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_xcrs *x;
	long r = 0;

	x = kzalloc(sizeof(*x), GFP_KERNEL_ACCOUNT);
	if (!x)
		return -ENOMEM;
	if (boot_cpu_has(X86_FEATURE_XSAVE)) {
		x->nr_xcrs = 1;
		x->xcrs[0].xcr = XCR_XFEATURE_ENABLED_MASK;
		x->xcrs[0].value = vcpu->xcr0;
	}
	if (copy_to_user(argp, x, sizeof(*x)))
		r = -EFAULT;
	kfree(x);
	return r;
}

/*
 * KVM_SET_XCRS: XCR0 only (other XCR numbers are skipped, as KVM does),
 * under the rules guest XSETBV has. Beyond KVM, the padding and each
 * entry's reserved word must be zero.
 */
static long nvmx_set_xcrs(struct nvmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_xcrs *x;
	long r = -EINVAL;
	u32 i;

	if (!boot_cpu_has(X86_FEATURE_XSAVE))
		return -EINVAL;
	x = memdup_user(argp, sizeof(*x));
	if (IS_ERR(x))
		return PTR_ERR(x);
	if (x->nr_xcrs > KVM_MAX_XCRS || x->flags ||
	    memchr_inv(x->padding, 0, sizeof(x->padding)))
		goto out_free;
	for (i = 0; i < x->nr_xcrs; i++)
		if (x->xcrs[i].reserved)
			goto out_free;
	r = 0;
	for (i = 0; i < x->nr_xcrs; i++) {
		if (x->xcrs[i].xcr != XCR_XFEATURE_ENABLED_MASK)
			continue;
		if (!nvmx_xcr0_settable(x->xcrs[i].value,
					nvmx_guest_xcr0_allowed(vcpu))) {
			r = -EINVAL;
			break;
		}
		vcpu->xcr0 = x->xcrs[i].value;
		break;
	}
out_free:
	kfree(x);
	return r;
}

static long nvmx_get_debugregs(struct nvmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_debugregs d = {};
	unsigned int i;

	for (i = 0; i < 4; i++)
		d.db[i] = vcpu->dr[i];
	d.dr6 = vcpu->dr6;
	d.dr7 = vcpu->dr7;
	return copy_to_user(argp, &d, sizeof(d)) ? -EFAULT : 0;
}

/*
 * KVM_SET_DEBUGREGS: bits 63:32 of DR6 and DR7 are EINVAL, as KVM. DR6
 * and DR7 read back with their fixed bits as the guest would read them.
 */
static long nvmx_set_debugregs(struct nvmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_debugregs d;
	unsigned int i;

	if (copy_from_user(&d, argp, sizeof(d)))
		return -EFAULT;
	if (d.flags || d.dr6 >> 32 || d.dr7 >> 32)
		return -EINVAL;
	for (i = 0; i < 4; i++)
		vcpu->dr[i] = d.db[i];
	vcpu->dr6 = nvmx_dr6_value(d.dr6);
	vcpu->dr7 = d.dr7 | NVMX_DR7_FIXED_1;
	return 0;
}

/* kvm_sregs2 is kvm_sregs up to apic_base; the rest differs. */
static_assert(offsetof(struct kvm_sregs2, flags) ==
	      offsetof(struct kvm_sregs, interrupt_bitmap));

static bool nvmx_pae_paging(u64 cr0, u64 cr4, u64 efer)
{
	return (cr0 & X86_CR0_PG) && (cr4 & X86_CR4_PAE) && !(efer & EFER_LMA);
}

/* KVM_GET_SREGS2: KVM_GET_SREGS's registers, and the PDPTEs of PAE paging. */
static long nvmx_get_sregs2(struct nvmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_sregs2 *s2;
	struct kvm_sregs *s;
	unsigned int i;
	long r = -ENOMEM;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	s2 = kzalloc(sizeof(*s2), GFP_KERNEL);
	if (!s || !s2)
		goto out_free;
	nvmx_vcpu_load(vcpu);
	nvmx_get_sregs(vcpu, s);
	memcpy(s2, s, offsetof(struct kvm_sregs2, flags));
	/* With EPT the CPU keeps them in the VMCS, saved at each exit. */
	if (nvmx_pae_paging(s->cr0, s->cr4, s->efer)) {
		s2->flags = KVM_SREGS2_FLAGS_PDPTRS_VALID;
		for (i = 0; i < 4; i++)
			s2->pdptrs[i] = nvmx_vmread(GUEST_PDPTR0 + i * 2);
	}
	nvmx_vcpu_put(vcpu);
	r = copy_to_user(argp, s2, sizeof(*s2)) ? -EFAULT : 0;
out_free:
	kfree(s2);
	kfree(s);
	return r;
}

/*
 * KVM_SET_SREGS2: as KVM_SET_SREGS (no interrupt to queue), then, with
 * KVM_SREGS2_FLAGS_PDPTRS_VALID, the PDPTEs userspace gives instead of
 * those in guest memory; the flag without PAE paging is EINVAL, as is
 * any other flag.
 */
static long nvmx_set_sregs2(struct nvmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_sregs2 *s2;
	struct kvm_sregs *s;
	bool pdptrs;
	unsigned int i;
	long r;

	s2 = memdup_user(argp, sizeof(*s2));
	if (IS_ERR(s2))
		return PTR_ERR(s2);
	r = -EINVAL;
	pdptrs = s2->flags & KVM_SREGS2_FLAGS_PDPTRS_VALID;
	if ((s2->flags & ~KVM_SREGS2_FLAGS_PDPTRS_VALID) ||
	    (pdptrs && !nvmx_pae_paging(s2->cr0, s2->cr4, s2->efer)))
		goto out_free;
	r = -ENOMEM;
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		goto out_free;
	memcpy(s, s2, offsetof(struct kvm_sregs2, flags));
	nvmx_vcpu_load(vcpu);
	r = nvmx_set_sregs(vcpu, s);
	if (!r && pdptrs)
		for (i = 0; i < 4; i++)
			nvmx_vmwrite(GUEST_PDPTR0 + i * 2, s2->pdptrs[i]);
	nvmx_vcpu_put(vcpu);
	kfree(s);
out_free:
	kfree(s2);
	return r;
}

/*
 * KVM_CAP_SYNC_REGS: the register sets kvm_run.s.regs carries, events
 * through the KVM_GET/SET_VCPU_EVENTS code (events.c).
 */
#define NVMX_SYNC_REGS_VALID	(KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS | \
				 KVM_SYNC_X86_EVENTS)

int nvmx_sync_regs_mask(void)
{
	return NVMX_SYNC_REGS_VALID;
}

/*
 * At KVM_RUN's start, with the VMCS loaded: the sets kvm_dirty_regs
 * names are taken from kvm_run, which userspace may be writing: each is
 * copied before it is checked or used. Unknown bits in kvm_valid_regs or
 * kvm_dirty_regs are EINVAL, as are sregs KVM_SET_SREGS would refuse.
 */
int nvmx_sync_regs_in(struct nvmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u64 valid = READ_ONCE(run->kvm_valid_regs);
	u64 dirty = READ_ONCE(run->kvm_dirty_regs);
	struct kvm_vcpu_events ev;
	struct kvm_sregs *s;
	struct kvm_regs regs;
	int r;

	if ((valid | dirty) & ~(u64)NVMX_SYNC_REGS_VALID)
		return -EINVAL;
	if (dirty & KVM_SYNC_X86_REGS) {
		memcpy(&regs, &run->s.regs.regs, sizeof(regs));
		nvmx_set_regs(vcpu, &regs);
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_REGS;
	}
	if (dirty & KVM_SYNC_X86_SREGS) {
		s = kmemdup(&run->s.regs.sregs, sizeof(*s), GFP_KERNEL);
		if (!s)
			return -ENOMEM;
		r = nvmx_set_sregs(vcpu, s);
		kfree(s);
		if (r)
			return -EINVAL;
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_SREGS;
	}
	/* Last, as KVM: the events' checks see the new registers. */
	if (dirty & KVM_SYNC_X86_EVENTS) {
		memcpy(&ev, &run->s.regs.events, sizeof(ev));
		if (nvmx_vcpu_set_events(vcpu, &ev))
			return -EINVAL;
		run->kvm_dirty_regs &= ~KVM_SYNC_X86_EVENTS;
	}
	return 0;
}

/* At KVM_RUN's end, VMCS loaded: the sets kvm_valid_regs asks for. */
void nvmx_sync_regs_out(struct nvmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	u64 valid = READ_ONCE(run->kvm_valid_regs);
	struct kvm_vcpu_events ev;
	struct kvm_sregs *s;
	struct kvm_regs regs;

	if (valid & KVM_SYNC_X86_EVENTS) {
		nvmx_vcpu_get_events(vcpu, &ev);
		memcpy(&run->s.regs.events, &ev, sizeof(ev));
	}
	if (valid & KVM_SYNC_X86_REGS) {
		nvmx_get_regs(vcpu, &regs);
		memcpy(&run->s.regs.regs, &regs, sizeof(regs));
	}
	if (valid & KVM_SYNC_X86_SREGS) {
		s = kzalloc(sizeof(*s), GFP_KERNEL);
		/* Without memory the copy is left as it was; KVM_GET_SREGS works. */
		if (!s)
			return;
		nvmx_get_sregs(vcpu, s);
		memcpy(&run->s.regs.sregs, s, sizeof(*s));
		kfree(s);
	}
}

/* What KVM_SET_GUEST_DEBUG takes; KVM_GUESTDBG_BLOCKIRQ is not done. */
#define NVMX_GUESTDBG_VALID	(KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP | \
				 KVM_GUESTDBG_USE_SW_BP | \
				 KVM_GUESTDBG_USE_HW_BP | \
				 KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP)

/*
 * RFLAGS as the guest has it, without the TF a debugger's single-step
 * added; and RFLAGS set from it, TF added while single-stepping. VMCS
 * loaded.
 */
unsigned long nvmx_get_rflags(struct nvmx_vcpu *vcpu)
{
	unsigned long rflags = nvmx_vmread(GUEST_RFLAGS);

	if (vcpu->step_tf)
		rflags &= ~X86_EFLAGS_TF;
	return rflags;
}

void nvmx_set_rflags(struct nvmx_vcpu *vcpu, unsigned long rflags)
{
	bool step = vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP;

	vcpu->step_tf = step && !(rflags & X86_EFLAGS_TF);
	if (step)
		rflags |= X86_EFLAGS_TF;
	/* Bit 1 is always set; VM entry would fail on a 0 there. */
	nvmx_vmwrite(GUEST_RFLAGS, rflags | X86_EFLAGS_FIXED);
}

/* The DR7 the guest runs with: the debugger's while it uses DR0-3. */
unsigned long nvmx_eff_dr7(struct nvmx_vcpu *vcpu)
{
	if (vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP)
		return vcpu->gdb_dr7;
	return vcpu->dr7;
}

/*
 * KVM_SET_GUEST_DEBUG. INJECT_DB and INJECT_BP queue the exception even
 * without ENABLE (EBUSY while another is queued), as KVM: #BP as the INT3
 * last intercepted, so that the guest's handler sees RIP past it.
 * Without ENABLE every other flag is dropped.
 */
static long nvmx_set_guest_debug(struct nvmx_vcpu *vcpu, void __user *argp)
{
	struct kvm_guest_debug dbg;
	unsigned long rflags;
	struct nvmx_event bp = {
		.valid = true, .vector = BP_VECTOR,
		.type = INTR_TYPE_SOFT_EXCEPTION >> 8,
	};
	unsigned int i;

	if (copy_from_user(&dbg, argp, sizeof(dbg)))
		return -EFAULT;
	if (dbg.control & ~NVMX_GUESTDBG_VALID)
		return -EINVAL;
	if ((dbg.control & KVM_GUESTDBG_USE_HW_BP) &&
	    (dbg.arch.debugreg[7] >> 32))
		return -EINVAL;
	if (dbg.control & (KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP)) {
		if (vcpu->pending.valid || vcpu->injected.valid)
			return -EBUSY;
		if (dbg.control & KVM_GUESTDBG_INJECT_DB) {
			/* No DR6 bits, as KVM; GD goes as on any #DB. */
			vcpu->dr7 &= ~NVMX_DR7_GD;
			nvmx_queue_exception(vcpu, DB_VECTOR, false, 0);
		} else {
			bp.insn_len = vcpu->bp_insn_len ?: 1;
			nvmx_queue_event(vcpu, &bp);
		}
	}
	if (!(dbg.control & KVM_GUESTDBG_ENABLE))
		dbg.control = 0;
	/* TF comes or goes with SINGLESTEP; the guest's own stays. */
	nvmx_vcpu_load(vcpu);
	rflags = nvmx_get_rflags(vcpu);
	vcpu->guest_debug = dbg.control &
			    ~(KVM_GUESTDBG_INJECT_DB | KVM_GUESTDBG_INJECT_BP);
	nvmx_set_rflags(vcpu, rflags);
	nvmx_vcpu_put(vcpu);
	if (vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP) {
		for (i = 0; i < 4; i++)
			vcpu->gdb_dr[i] = dbg.arch.debugreg[i];
		vcpu->gdb_dr7 = dbg.arch.debugreg[7] | NVMX_DR7_FIXED_1;
	}
	vcpu->step_due = false;
	return 0;
}

/*
 * Before each entry, with vmcs01 current: #BP intercepted for USE_SW_BP.
 * vmcs02 takes the intercept from vmcs01 when it is built. Preemption off.
 */
void nvmx_guest_debug_before_entry(struct nvmx_vcpu *vcpu)
{
	bool bp = vcpu->guest_debug & KVM_GUESTDBG_USE_SW_BP;
	u32 eb;

	if (vcpu->loaded != &vcpu->vmcs01)
		return;
	eb = nvmx_vmread(EXCEPTION_BITMAP);
	if (!!(eb & BIT(BP_VECTOR)) != bp)
		nvmx_vmwrite(EXCEPTION_BITMAP, eb ^ BIT(BP_VECTOR));
}

/*
 * KVM_EXIT_DEBUG for @vector at the guest's current instruction, with
 * @dr6 (the DR6 bits the event sets, active-low bits added). Returns 0,
 * an exit handler's "to userspace".
 */
int nvmx_guest_debug_exit(struct nvmx_vcpu *vcpu, u8 vector,
			  unsigned long dr6)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_DEBUG;
	run->debug.arch.exception = vector;
	run->debug.arch.pc = nvmx_vmread(GUEST_CS_BASE) +
			     nvmx_vmread(GUEST_RIP);
	run->debug.arch.dr6 = vector == DB_VECTOR ? dr6 | DR6_RESERVED : 0;
	run->debug.arch.dr7 = vector == DB_VECTOR ? nvmx_eff_dr7(vcpu) : 0;
	return 0;
}

/*
 * After an instruction nvmx emulated: the CPU saw no instruction end, so
 * its single-step trap is nvmx's to raise. A debugger's step exits with
 * KVM_EXIT_DEBUG now (returns true); the guest's own TF gets its #DB.
 * VMCS loaded.
 */
bool nvmx_guest_debug_step_exit(struct nvmx_vcpu *vcpu)
{
	if (!vcpu->step_due)
		return false;
	vcpu->step_due = false;
	/*
	 * An instruction that exits did not complete, so no step trap may be
	 * pending for it (SDM 27.3.4); Bochs records one: drop it, this is
	 * the step's trap.
	 */
	nvmx_vmcs_clear_bits(GUEST_PENDING_DBG_EXCEPTIONS, DR_STEP);
	if (vcpu->guest_debug & KVM_GUESTDBG_SINGLESTEP) {
		nvmx_guest_debug_exit(vcpu, DB_VECTOR, DR_STEP);
		return true;
	}
	if (nvmx_vmread(GUEST_RFLAGS) & X86_EFLAGS_TF)
		nvmx_queue_db(vcpu, DR_STEP);
	return false;
}

/*
 * The vCPU state ioctls of this file; -ENOIOCTLCMD for any other. Runs
 * under vcpu->mutex.
 */
long nvmx_vcpu_state_ioctl(struct nvmx_vcpu *vcpu, unsigned int ioctl,
			   void __user *argp)
{
	switch (ioctl) {
	case KVM_GET_XSAVE:
		/* A bigger guest state would not fit: KVM_GET_XSAVE2 then. */
		if (vcpu->guest_fpu.uabi_size > sizeof(struct kvm_xsave))
			return -EINVAL;
		return nvmx_get_xsave(vcpu, argp, sizeof(struct kvm_xsave));
	case KVM_GET_XSAVE2:
		return nvmx_get_xsave(vcpu, argp, vcpu->guest_fpu.uabi_size);
	case KVM_SET_XSAVE:
		return nvmx_set_xsave(vcpu, argp);
	case KVM_GET_XCRS:
		return nvmx_get_xcrs(vcpu, argp);
	case KVM_SET_XCRS:
		return nvmx_set_xcrs(vcpu, argp);
	case KVM_GET_DEBUGREGS:
		return nvmx_get_debugregs(vcpu, argp);
	case KVM_SET_DEBUGREGS:
		return nvmx_set_debugregs(vcpu, argp);
	case KVM_SET_GUEST_DEBUG:
		return nvmx_set_guest_debug(vcpu, argp);
	case KVM_GET_SREGS2:
		return nvmx_get_sregs2(vcpu, argp);
	case KVM_SET_SREGS2:
		return nvmx_set_sregs2(vcpu, argp);
	default:
		return -ENOIOCTLCMD;
	}
}
