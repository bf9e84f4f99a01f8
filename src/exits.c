// SPDX-License-Identifier: GPL-2.0
/*
 * VM-exit handlers for a guest nvmx runs directly (L1), one per basic exit
 * reason in nvmx_exit_handlers[]. Each returns 1 to re-enter the guest, 0
 * to return to userspace with kvm_run filled in, or -errno for KVM_RUN.
 * Exits nvmx never enables, or does not handle yet, go to userspace as
 * KVM_EXIT_INTERNAL_ERROR with the exit reason.
 */
#include <linux/highmem.h>
#include <linux/kvm.h>
#include <linux/nospec.h>
#include <linux/sched/signal.h>
#include <asm/fpu/xcr.h>
#include <asm/debugreg.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "trace.h"
#include "vmx_ops.h"
#include "nested/nested_int.h"

typedef int (*nvmx_exit_handler)(struct nvmx_vcpu *vcpu);

static unsigned int nvmx_cpl(void)
{
	return VMX_AR_DPL(nvmx_vmread(GUEST_SS_AR_BYTES));
}

static int nvmx_internal_error(struct nvmx_vcpu *vcpu, u32 suberror)
{
	struct kvm_run *run = vcpu->run;

	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = suberror;
	run->internal.ndata = 3;
	run->internal.data[0] = vcpu->exit_reason;
	run->internal.data[1] = nvmx_vmread(EXIT_QUALIFICATION);
	run->internal.data[2] = raw_smp_processor_id();
	return 0;
}

static int nvmx_unexpected_exit(struct nvmx_vcpu *vcpu)
{
	return nvmx_internal_error(vcpu,
				   KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON);
}

/*
 * Queues #DB for the guest with @dr6 (B0-B3, BD, BS) as what its DR6
 * gains: as the CPU delivers it, B0-B3 are replaced, the other bits add
 * up, and DR7.GD is cleared so that the handler may use the registers.
 */
void nvmx_queue_db(struct nvmx_vcpu *vcpu, unsigned long dr6)
{
	struct nvmx_event e = {
		.valid = true, .vector = DB_VECTOR,
		.type = INTR_TYPE_HARD_EXCEPTION >> 8,
		.has_payload = true, .payload = dr6 & NVMX_DB_QUAL_BITS,
	};

	nvmx_queue_event(vcpu, &e);
}

/*
 * #DB is always intercepted (as kvm_intel does), so that DR6 is the
 * vCPU's: the CPU does not write DR6 for a #DB that exits, and the
 * qualification says what the guest's DR6 gains.
 */
static int nvmx_handle_db(struct nvmx_vcpu *vcpu, u32 info)
{
	u64 q = nvmx_vmread(EXIT_QUALIFICATION);
	struct nvmx_event e = {
		.valid = true, .vector = DB_VECTOR,
		.type = INTR_TYPE_PRIV_SW_EXCEPTION >> 8,
	};
	u32 intr;

	/*
	 * The debugger's single-step or breakpoints: its #DB, not the
	 * guest's. A step trap ends the STI or MOV SS shadow it came in, as
	 * its delivery would (and VM entry refuses TF with a shadow and no
	 * pending step).
	 */
	if (vcpu->guest_debug &
	    (KVM_GUESTDBG_SINGLESTEP | KVM_GUESTDBG_USE_HW_BP)) {
		if (q & DR_STEP)
			nvmx_vmcs_clear_bits(GUEST_INTERRUPTIBILITY_INFO,
					     GUEST_INTR_STATE_STI |
					     GUEST_INTR_STATE_MOV_SS);
		return nvmx_guest_debug_exit(vcpu, DB_VECTOR,
					     q & NVMX_DB_QUAL_BITS);
	}
	/* ICEBP (INT1): delivered again as the instruction it was. */
	if ((info & INTR_INFO_INTR_TYPE_MASK) == INTR_TYPE_PRIV_SW_EXCEPTION) {
		e.insn_len = nvmx_vmread(VM_EXIT_INSTRUCTION_LEN);
		nvmx_queue_event(vcpu, &e);
		return 1;
	}
	/*
	 * A #DB in a MOV SS or STI shadow with TF set: VM entry requires
	 * the single-step trap still pending (SDM 26.3.1.5).
	 */
	intr = nvmx_vmread(GUEST_INTERRUPTIBILITY_INFO);
	if ((nvmx_vmread(GUEST_RFLAGS) & X86_EFLAGS_TF) &&
	    (intr & (GUEST_INTR_STATE_STI | GUEST_INTR_STATE_MOV_SS)))
		nvmx_vmcs_set_bits(GUEST_PENDING_DBG_EXCEPTIONS, DR_STEP);
	nvmx_queue_db(vcpu, q);
	return 1;
}

/*
 * #BP, intercepted for KVM_GUESTDBG_USE_SW_BP: RIP is the INT3's. Once
 * the debugger is gone, or for L2 whose L1 does not intercept it, the
 * INT3 is delivered as it was.
 */
static int nvmx_handle_bp(struct nvmx_vcpu *vcpu)
{
	struct nvmx_event e = {
		.valid = true, .vector = BP_VECTOR,
		.type = INTR_TYPE_SOFT_EXCEPTION >> 8,
	};

	e.insn_len = nvmx_vmread(VM_EXIT_INSTRUCTION_LEN);
	if (vcpu->guest_debug & KVM_GUESTDBG_USE_SW_BP) {
		vcpu->bp_insn_len = e.insn_len;
		return nvmx_guest_debug_exit(vcpu, BP_VECTOR, 0);
	}
	nvmx_queue_event(vcpu, &e);
	return 1;
}

/* NMIs and #MC were handled with interrupts off. */
static int nvmx_handle_exception_nmi(struct nvmx_vcpu *vcpu)
{
	u32 info = nvmx_vmread(VM_EXIT_INTR_INFO);

	if (nvmx_intr_info_is_nmi(info) || nvmx_intr_info_is_mc(info))
		return 1;
	if ((info & INTR_INFO_VECTOR_MASK) == DB_VECTOR)
		return nvmx_handle_db(vcpu, info);
	if ((info & INTR_INFO_VECTOR_MASK) == BP_VECTOR)
		return nvmx_handle_bp(vcpu);
	return nvmx_unexpected_exit(vcpu);
}

static int nvmx_handle_external_interrupt(struct nvmx_vcpu *vcpu)
{
	/* The host took the interrupt when interrupts came back on. */
	vcpu->stat.irq_exits++;
	return 1;
}

/*
 * Interrupt- and NMI-window exits nvmx asked for (vmcs12's own are
 * reflected before they get here): the window is open, the run loop
 * decides again what to inject (irq.c) and sets the control anew.
 */
static int nvmx_handle_interrupt_window(struct nvmx_vcpu *vcpu)
{
	nvmx_vmcs_clear_bits(CPU_BASED_VM_EXEC_CONTROL,
			     CPU_BASED_INTR_WINDOW_EXITING);
	vcpu->stat.irq_window_exits++;
	return 1;
}

static int nvmx_handle_nmi_window(struct nvmx_vcpu *vcpu)
{
	nvmx_vmcs_clear_bits(CPU_BASED_VM_EXEC_CONTROL,
			     CPU_BASED_NMI_WINDOW_EXITING);
	vcpu->stat.nmi_window_exits++;
	return 1;
}

static int nvmx_handle_preemption_timer(struct nvmx_vcpu *vcpu)
{
	/* The time slice ran out: the run loop checks signals, reschedules. */
	return 1;
}

static int nvmx_handle_triple_fault(struct nvmx_vcpu *vcpu)
{
	vcpu->run->exit_reason = KVM_EXIT_SHUTDOWN;
	return 0;
}

static int nvmx_handle_cpuid(struct nvmx_vcpu *vcpu)
{
	u32 leaf = vcpu->regs.gpr[NVMX_RAX];
	u32 subleaf = vcpu->regs.gpr[NVMX_RCX];
	struct nvmx_cpuid_state st = nvmx_vcpu_cpuid_state(vcpu);
	u32 r[4];

	nvmx_cpuid_lookup(vcpu->cpuid, vcpu->cpuid_nent, leaf, subleaf, &st, r);
	vcpu->regs.gpr[NVMX_RAX] = r[0];
	vcpu->regs.gpr[NVMX_RBX] = r[1];
	vcpu->regs.gpr[NVMX_RCX] = r[2];
	vcpu->regs.gpr[NVMX_RDX] = r[3];
	nvmx_vcpu_skip_insn(vcpu);
	return 1;
}

/*
 * HLT: with an in-kernel APIC the vCPU sleeps until an event could wake it
 * (nvmx_vcpu_block()); a signal ends the wait too (KVM_RUN returns EINTR
 * and the vCPU stays halted). Without one, userspace is told.
 */
static int nvmx_handle_hlt(struct nvmx_vcpu *vcpu)
{
	vcpu->stat.halt_exits++;
	nvmx_vcpu_skip_insn(vcpu);
	if (!vcpu->vm->irqchip) {
		vcpu->run->exit_reason = KVM_EXIT_HLT;
		return 0;
	}
	vcpu->mp_state = KVM_MP_STATE_HALTED;
	return nvmx_vcpu_block(vcpu);
}

static int nvmx_handle_nop_insn(struct nvmx_vcpu *vcpu)
{
	/* INVD and WBINVD: guest memory is write-back and coherent. */
	nvmx_vcpu_skip_insn(vcpu);
	return 1;
}

static int nvmx_handle_ud(struct nvmx_vcpu *vcpu)
{
	/*
	 * VMCALL outside L2, MONITOR/MWAIT, GETSEC: the guest's CPUID has
	 * none of them (GETSEC also needs CR4.SMXE, which no guest may set).
	 */
	nvmx_vcpu_inject_ud(vcpu);
	return 1;
}

/*
 * Exits nvmx takes but cannot carry out for the guest, reported as KVM
 * reports an emulation failure: a task switch (nvmx has no task-switch
 * emulation yet) and INIT (nvmx never sends one; a CPU only gets it from
 * outside the kernel's control).
 */
static int nvmx_handle_unemulated(struct nvmx_vcpu *vcpu)
{
	return nvmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
}

static int nvmx_handle_gp(struct nvmx_vcpu *vcpu)
{
	/* RDPMC: the guest has no PMU. */
	nvmx_vcpu_inject_gp(vcpu);
	return 1;
}

/* A port an in-kernel device has: done without a userspace exit. */
static bool nvmx_handle_io_in_kernel(struct nvmx_vcpu *vcpu, u16 port,
				     bool in, unsigned int size)
{
	unsigned long *rax = &vcpu->regs.gpr[NVMX_RAX];
	u32 val = *rax;

	if (!nvmx_irqchip_pio(vcpu, port, in, size, &val))
		return false;
	/* IN to EAX zero-extends; to AL and AX it merges. */
	if (in && size == 4)
		*rax = val;
	else if (in)
		*rax = (*rax & ~(BIT_ULL(size * 8) - 1)) |
		       (val & (BIT_ULL(size * 8) - 1));
	nvmx_vcpu_skip_insn(vcpu);
	return true;
}

static int nvmx_handle_io(struct nvmx_vcpu *vcpu)
{
	u64 q = nvmx_vmread(EXIT_QUALIFICATION);
	struct kvm_run *run = vcpu->run;
	unsigned int size = (q & 7) + 1;
	bool in = q & BIT(3);

	/* The SDM encodes only 1, 2 and 4 bytes. */
	if (size != 1 && size != 2 && size != 4)
		return nvmx_unexpected_exit(vcpu);
	if (q & BIT(4))
		return nvmx_handle_string_io(vcpu, q);
	if (!in && nvmx_ioeventfd_write(vcpu->vm, true, q >> 16, size,
					vcpu->regs.gpr[NVMX_RAX])) {
		nvmx_vcpu_skip_insn(vcpu);
		return 1;
	}

	if (nvmx_handle_io_in_kernel(vcpu, q >> 16, in, size))
		return 1;
	vcpu->stat.io_exits++;
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = size;
	run->io.port = q >> 16;
	run->io.count = 1;
	run->io.data_offset = NVMX_PIO_PAGE_OFFSET * PAGE_SIZE;
	if (!in)
		memcpy(page_address(vcpu->pio_page), &vcpu->regs.gpr[NVMX_RAX],
		       size);
	vcpu->pending_io = in ? NVMX_IO_PIO_IN : NVMX_IO_DONE_ADVANCE;
	vcpu->pio_size = size;
	vcpu->pending_insn_len = nvmx_vmread(VM_EXIT_INSTRUCTION_LEN);
	return 0;
}

static int nvmx_handle_msr(struct nvmx_vcpu *vcpu, bool write)
{
	u32 index = vcpu->regs.gpr[NVMX_RCX];
	u64 data;
	int r;

	data = (u32)vcpu->regs.gpr[NVMX_RAX] |
	       ((u64)vcpu->regs.gpr[NVMX_RDX] << 32);
	if (!nvmx_msr_allowed(vcpu, index, write)) {
		r = -EPERM;
	} else if (write) {
		r = nvmx_set_msr(vcpu, index, data, false);
	} else {
		r = nvmx_get_msr(vcpu, index, &data, false);
		if (!r) {
			vcpu->regs.gpr[NVMX_RAX] = (u32)data;
			vcpu->regs.gpr[NVMX_RDX] = data >> 32;
		}
	}
	if (r) {
		/* Userspace may handle it (msr_filter.c); else #GP. */
		if (nvmx_msr_user_exit(vcpu, index, write, data, r))
			return 0;
		nvmx_vcpu_inject_gp(vcpu);
		return 1;
	}
	nvmx_vcpu_skip_insn(vcpu);
	return 1;
}

static int nvmx_handle_rdmsr(struct nvmx_vcpu *vcpu)
{
	return nvmx_handle_msr(vcpu, false);
}

static int nvmx_handle_wrmsr(struct nvmx_vcpu *vcpu)
{
	return nvmx_handle_msr(vcpu, true);
}

/* PAE paging without long mode keeps its PDPTEs in the VMCS. */
static void nvmx_reload_pdptrs(struct nvmx_vcpu *vcpu)
{
	if ((nvmx_read_cr0(vcpu) & X86_CR0_PG) &&
	    (nvmx_read_cr4(vcpu) & X86_CR4_PAE) && !(vcpu->efer & EFER_LMA))
		nvmx_load_pdptrs(vcpu, nvmx_vmread(GUEST_CR3));
}

/*
 * MOV to/from CR8: the TPR's bits 7:4 (SDM "CR8 and the TPR"), always
 * against L1's LAPIC TPR (vcpu->apic_page), never the real TPR. From L1
 * when the policy table's TPR row intercepts its CR8; from L2 when vmcs02
 * has no TPR shadow (embodiment 2) and L1 did not ask for the exit (those
 * are reflected before they get here): L2 then has L1's TPR, as L1's CPU
 * would give it without a shadow.
 */
static int nvmx_handle_cr8(struct nvmx_vcpu *vcpu, bool write,
			   unsigned int reg)
{
	u8 level = vcpu->nested.guest_mode ? 2 : 1;
	unsigned long val;

	if (!write) {
		val = nvmx_get_tpr(vcpu) >> 4;
		nvmx_gpr_write(vcpu, reg, val);
		trace_nvmx_tpr(level, NVMX_TRACE_TPR_READ, val,
			       NVMX_TRACE_TPR_ABSORBED);
		return 0;
	}
	val = nvmx_gpr_read(vcpu, reg);
	trace_nvmx_tpr(level, NVMX_TRACE_TPR_WRITE, val,
		       NVMX_TRACE_TPR_ABSORBED);
	if (val & ~0xfUL)
		return -EINVAL;
	nvmx_set_tpr(vcpu, val << 4);
	return 0;
}

/* MOV CR takes 64-bit operands in 64-bit code, 32-bit ones elsewhere. */
static bool nvmx_in_64bit_code(struct nvmx_vcpu *vcpu)
{
	return (vcpu->efer & EFER_LMA) &&
	       (nvmx_vmread(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK);
}

/* PAE paging outside IA-32e mode: PDPTEs come from CR3 on every MOV. */
static bool nvmx_pae_paging(struct nvmx_vcpu *vcpu)
{
	return (nvmx_read_cr0(vcpu) & X86_CR0_PG) &&
	       (nvmx_read_cr4(vcpu) & X86_CR4_PAE) && !(vcpu->efer & EFER_LMA);
}

/* A present PDPTE with reserved bits set makes the MOV #GP. */
static bool nvmx_pdptes_ok(struct nvmx_vcpu *vcpu, unsigned long cr3)
{
	u64 rsvd = 0x1e6ULL | ~(BIT_ULL(nvmx_vcpu_maxphyaddr(vcpu)) - 1);
	u64 pdpte[4];
	unsigned int i;

	/* Outside memory the CPU reads all-ones: reserved bits set. */
	if (nvmx_read_guest(vcpu->vm, cr3 & ~0x1fUL, pdpte, sizeof(pdpte)))
		return false;
	for (i = 0; i < 4; i++)
		if ((pdpte[i] & 1) && (pdpte[i] & rsvd))
			return false;
	return true;
}

/*
 * TPR below threshold (trap-like: RIP is already past the MOV). L0's when
 * the threshold is L0's: vmcs01's for L1, and vmcs02's in embodiment 1
 * without L1's shadow (nested/merge.h); with L1's shadow route.c reflects
 * it. The threshold is where L0 asks to hear of a TPR drop that unmasks a
 * pending LAPIC interrupt (lapic.c sets it): the run loop re-evaluates
 * what to inject before resuming.
 */
static int nvmx_handle_tpr_below_threshold(struct nvmx_vcpu *vcpu)
{
	trace_nvmx_tpr(vcpu->nested.guest_mode ? 2 : 1, NVMX_TRACE_TPR_BELOW,
		       nvmx_get_tpr(vcpu) >> 4, NVMX_TRACE_TPR_ABSORBED);
	return 1;
}

/*
 * MOV to CR3 when the policy's CR3 row is INTERCEPT (or L0 handles L2's
 * on L1's behalf): bits past MAXPHYADDR #GP in IA-32e mode; with
 * CR4.PCIDE bit 63 asks for no flush and is not stored; PAE paging loads
 * and checks the PDPTEs. Returns -EINVAL where the CPU would #GP.
 */
static int nvmx_set_cr3(struct nvmx_vcpu *vcpu, unsigned long cr3)
{
	bool flush = true;

	if (vcpu->efer & EFER_LMA) {
		if ((nvmx_read_cr4(vcpu) & X86_CR4_PCIDE) && (cr3 & BIT_ULL(63))) {
			cr3 &= ~BIT_ULL(63);
			flush = false;
		}
		if (cr3 >> nvmx_vcpu_maxphyaddr(vcpu))
			return -EINVAL;
	} else if (nvmx_pae_paging(vcpu)) {
		if (!nvmx_pdptes_ok(vcpu, cr3))
			return -EINVAL;
		nvmx_load_pdptrs(vcpu, cr3);
	}
	nvmx_vmwrite(GUEST_CR3, cr3);
	/* The VPID flush covers the PCID's non-global entries, and more. */
	if (flush)
		vcpu->flush_tlb = true;
	return 0;
}

/*
 * CR accesses that exit, for L1 under its policy table (CR0/CR4 writes
 * that change a bit its mask covers, CR3 when INTERCEPT, CR8 when the TPR
 * row is INTERCEPT), and for L2 the ones L0 absorbs: not reflected by
 * route.c, so they change no bit L1 masks against its shadow. The value
 * is checked as the CPU would (nvmx_set_cr0/cr4: reserved bits, PG
 * without PE, NW without CD, CPUID, and for L2 the FIXED MSRs nvmx gives
 * L1); an illegal one is #GP in the guest that wrote it.
 */
static int nvmx_handle_cr(struct nvmx_vcpu *vcpu)
{
	u64 q = nvmx_vmread(EXIT_QUALIFICATION);
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	bool wide = nvmx_in_64bit_code(vcpu);
	unsigned long val = 0, lmsw;
	bool set_tpr_exit = false;
	u8 tpr;
	int r;

	switch (type) {
	case 0:
		val = nvmx_gpr_read(vcpu, reg);
		if (!wide)
			val = (u32)val;
		if (cr == 0) {
			r = nvmx_set_cr0(vcpu, nvmx_nested_cr_value(vcpu, 0, val));
		} else if (cr == 3) {
			r = nvmx_set_cr3(vcpu, val);
		} else if (cr == 4) {
			r = nvmx_set_cr4(vcpu, nvmx_nested_cr_value(vcpu, 4, val));
		} else if (cr == 8) {
			tpr = nvmx_get_tpr(vcpu);
			r = nvmx_handle_cr8(vcpu, true, reg);
			/* As KVM: userspace's APIC hears of a lowered TPR. */
			set_tpr_exit = !r && !vcpu->vm->irqchip &&
				       nvmx_get_tpr(vcpu) < tpr;
		} else {
			return nvmx_unexpected_exit(vcpu);
		}
		break;
	case 1:
		if (cr == 3) {
			val = nvmx_vmread(GUEST_CR3);
			nvmx_gpr_write(vcpu, reg, wide ? val : (u32)val);
			r = 0;
		} else if (cr == 8) {
			r = nvmx_handle_cr8(vcpu, false, reg);
			val = nvmx_gpr_read(vcpu, reg);
		} else {
			return nvmx_unexpected_exit(vcpu);
		}
		break;
	case 2:
		/* CLTS: TS in the mask and set in the shadow (L0's or L1's). */
		r = nvmx_set_cr0(vcpu, nvmx_read_cr0(vcpu) & ~X86_CR0_TS);
		break;
	default:
		/*
		 * LMSW writes CR0[3:0] but cannot clear PE; the other bits
		 * come from CR0 as it is now, guest-owned ones included.
		 */
		val = (q >> 16) & 0xffff;
		lmsw = (nvmx_read_cr0(vcpu) & ~0xeUL) | (val & 0xf);
		r = nvmx_set_cr0(vcpu, nvmx_nested_cr_value(vcpu, 0, lmsw));
		break;
	}
	trace_nvmx_cr(vcpu->id, vcpu->nested.guest_mode ? 2 : 1, cr, type, val,
		      r ? NVMX_CR_GP : NVMX_CR_ABSORBED);
	if (r) {
		nvmx_vcpu_inject_gp(vcpu);
		return 1;
	}
	if (cr == 0 || cr == 4)
		nvmx_reload_pdptrs(vcpu);
	nvmx_vcpu_skip_insn(vcpu);
	if (set_tpr_exit) {
		vcpu->run->exit_reason = KVM_EXIT_SET_TPR;
		return 0;
	}
	return 1;
}

/*
 * MOV DR: always exits, so vcpu->dr* are the guest's registers; switch.c
 * loads them for the guest. The exit comes before the CPU's own CPL,
 * CR4.DE and DR7.GD checks, so they are made here.
 */
static int nvmx_handle_dr(struct nvmx_vcpu *vcpu)
{
	u64 q = nvmx_vmread(EXIT_QUALIFICATION);
	unsigned int dr = q & 7, reg = (q >> 8) & 15;
	bool from_dr = q & BIT(4);
	unsigned long val;

	if (nvmx_cpl()) {
		nvmx_vcpu_inject_gp(vcpu);
		return 1;
	}
	if (dr == 4 || dr == 5) {
		if (nvmx_read_cr4(vcpu) & X86_CR4_DE) {
			nvmx_vcpu_inject_ud(vcpu);
			return 1;
		}
		dr += 2;
	}
	/* General detect: a fault, before the access; the debugger's first. */
	if (nvmx_eff_dr7(vcpu) & NVMX_DR7_GD) {
		if (vcpu->guest_debug & KVM_GUESTDBG_USE_HW_BP)
			return nvmx_guest_debug_exit(vcpu, DB_VECTOR,
						     NVMX_DR6_BD);
		nvmx_queue_db(vcpu, NVMX_DR6_BD);
		return 1;
	}
	if (from_dr) {
		val = dr < 4 ? vcpu->dr[dr] : dr == 6 ? vcpu->dr6 : vcpu->dr7;
		nvmx_gpr_write(vcpu, reg, val);
	} else {
		val = nvmx_gpr_read(vcpu, reg);
		if (dr < 4) {
			vcpu->dr[dr] = val;
		} else if (val >> 32) {
			nvmx_vcpu_inject_gp(vcpu);
			return 1;
		} else if (dr == 6) {
			vcpu->dr6 = nvmx_dr6_value(val);
		} else {
			vcpu->dr7 = val | NVMX_DR7_FIXED_1;
		}
	}
	nvmx_vcpu_skip_insn(vcpu);
	return 1;
}

/*
 * XSETBV: the value is loaded into the real XCR0 at every entry, so it
 * must pass every rule the CPU applies (nvmx_xcr0_settable()), or the
 * host's own XSETBV would fault.
 */
static int nvmx_handle_xsetbv(struct nvmx_vcpu *vcpu)
{
	u64 val = (u32)vcpu->regs.gpr[NVMX_RAX] |
		  ((u64)vcpu->regs.gpr[NVMX_RDX] << 32);
	u32 index = vcpu->regs.gpr[NVMX_RCX];

	if (!(nvmx_read_cr4(vcpu) & X86_CR4_OSXSAVE)) {
		nvmx_vcpu_inject_ud(vcpu);
		return 1;
	}
	if (nvmx_cpl() || index != 0 ||
	    !nvmx_xcr0_settable(val, nvmx_guest_xcr0_allowed(vcpu))) {
		nvmx_vcpu_inject_gp(vcpu);
		return 1;
	}
	vcpu->xcr0 = val;
	nvmx_vcpu_skip_insn(vcpu);
	return 1;
}

static int nvmx_handle_ept_violation(struct nvmx_vcpu *vcpu)
{
	u64 q = nvmx_vmread(EXIT_QUALIFICATION);
	u64 gpa = nvmx_vmread(GUEST_PHYSICAL_ADDRESS);
	bool write = q & EPT_VIOLATION_ACC_WRITE;
	int r;

	/* An IRET that unblocked NMIs faulted: its unblocking is undone. */
	if ((q & INTR_INFO_UNBLOCK_NMI) && !vcpu->injected.valid)
		nvmx_vmcs_set_bits(GUEST_INTERRUPTIBILITY_INFO,
				   GUEST_INTR_STATE_NMI);

	r = nvmx_mmu_map_gpa(vcpu->vm, gpa, write);
	if (!r)
		return 1;
	if (r != -ENOENT && r != -EPERM)
		return r;
	/* Event delivery that touches MMIO cannot be emulated. */
	if (vcpu->injected.valid)
		return nvmx_internal_error(vcpu,
					   KVM_INTERNAL_ERROR_DELIVERY_EV);
	/*
	 * Only an access the instruction itself made to this address is
	 * emulated; a paging-structure access of the guest's page walk (or
	 * a PDPTE load: no linear address) is not the instruction's operand.
	 */
	if ((q & (EPT_VIOLATION_GVA_IS_VALID | EPT_VIOLATION_GVA_TRANSLATED)) !=
	    (EPT_VIOLATION_GVA_IS_VALID | EPT_VIOLATION_GVA_TRANSLATED))
		return nvmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
	return nvmx_emulate_mmio(vcpu, gpa);
}

static int nvmx_handle_ept_misconfig(struct nvmx_vcpu *vcpu)
{
	/* nvmx only writes valid entries: this is its own bug. */
	WARN_ONCE(1, "nvmx: EPT misconfiguration at %#llx\n",
		  nvmx_vmread(GUEST_PHYSICAL_ADDRESS));
	return nvmx_internal_error(vcpu, KVM_INTERNAL_ERROR_EMULATION);
}

static const nvmx_exit_handler nvmx_exit_handlers[] = {
	[EXIT_REASON_EXCEPTION_NMI] = nvmx_handle_exception_nmi,
	[EXIT_REASON_EXTERNAL_INTERRUPT] = nvmx_handle_external_interrupt,
	[EXIT_REASON_TRIPLE_FAULT] = nvmx_handle_triple_fault,
	[EXIT_REASON_INIT_SIGNAL] = nvmx_handle_unemulated,
	[EXIT_REASON_INTERRUPT_WINDOW] = nvmx_handle_interrupt_window,
	[EXIT_REASON_NMI_WINDOW] = nvmx_handle_nmi_window,
	[EXIT_REASON_TASK_SWITCH] = nvmx_handle_unemulated,
	[NVMX_EXIT_REASON_GETSEC] = nvmx_handle_ud,
	[EXIT_REASON_CPUID] = nvmx_handle_cpuid,
	[EXIT_REASON_HLT] = nvmx_handle_hlt,
	[EXIT_REASON_INVD] = nvmx_handle_nop_insn,
	[EXIT_REASON_RDPMC] = nvmx_handle_gp,
	[EXIT_REASON_VMCALL] = nvmx_handle_ud,
	[EXIT_REASON_VMCLEAR] = nvmx_handle_vmx_insn,
	[EXIT_REASON_VMLAUNCH] = nvmx_handle_vmx_insn,
	[EXIT_REASON_VMPTRLD] = nvmx_handle_vmx_insn,
	[EXIT_REASON_VMPTRST] = nvmx_handle_vmx_insn,
	[EXIT_REASON_VMREAD] = nvmx_handle_vmx_insn,
	[EXIT_REASON_VMRESUME] = nvmx_handle_vmx_insn,
	[EXIT_REASON_VMWRITE] = nvmx_handle_vmx_insn,
	[EXIT_REASON_VMOFF] = nvmx_handle_vmx_insn,
	[EXIT_REASON_VMON] = nvmx_handle_vmx_insn,
	[EXIT_REASON_CR_ACCESS] = nvmx_handle_cr,
	[EXIT_REASON_DR_ACCESS] = nvmx_handle_dr,
	[EXIT_REASON_IO_INSTRUCTION] = nvmx_handle_io,
	[EXIT_REASON_MSR_READ] = nvmx_handle_rdmsr,
	[EXIT_REASON_MSR_WRITE] = nvmx_handle_wrmsr,
	[EXIT_REASON_MWAIT_INSTRUCTION] = nvmx_handle_ud,
	[EXIT_REASON_MONITOR_INSTRUCTION] = nvmx_handle_ud,
	[EXIT_REASON_TPR_BELOW_THRESHOLD] = nvmx_handle_tpr_below_threshold,
	[EXIT_REASON_EPT_VIOLATION] = nvmx_handle_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = nvmx_handle_ept_misconfig,
	[EXIT_REASON_INVEPT] = nvmx_handle_vmx_insn,
	[EXIT_REASON_WBINVD] = nvmx_handle_nop_insn,
	[EXIT_REASON_XSETBV] = nvmx_handle_xsetbv,
	[EXIT_REASON_PREEMPTION_TIMER] = nvmx_handle_preemption_timer,
	[EXIT_REASON_INVVPID] = nvmx_handle_vmx_insn,
	[EXIT_REASON_VMFUNC] = nvmx_handle_vmx_insn,
};

/* An exit L0 handles, for L1 or, while L2 runs, for L2 (nested/exit.c). */
int nvmx_l0_handle_exit(struct nvmx_vcpu *vcpu)
{
	u32 reason = vcpu->exit_reason;
	u16 basic = reason & 0xffff;
	nvmx_exit_handler fn = NULL;

	if (nvmx_entry_failed(vcpu)) {
		vcpu->run->exit_reason = KVM_EXIT_FAIL_ENTRY;
		vcpu->run->fail_entry.hardware_entry_failure_reason = reason;
		vcpu->run->fail_entry.cpu = raw_smp_processor_id();
		return 0;
	}
	if (basic < ARRAY_SIZE(nvmx_exit_handlers))
		fn = nvmx_exit_handlers[array_index_nospec(basic,
					ARRAY_SIZE(nvmx_exit_handlers))];
	if (!fn)
		return nvmx_unexpected_exit(vcpu);
	return fn(vcpu);
}

/*
 * Every hardware exit comes here. While L2 runs, the nested code routes
 * it (the one hook the L0 core has for exits from L2).
 */
int nvmx_handle_exit(struct nvmx_vcpu *vcpu)
{
	u32 reason = vcpu->exit_reason;
	bool l2 = vcpu->nested.guest_mode;

	vcpu->stat.exits++;
	/* The VMREADs cost nothing when the event is off. */
	if (trace_nvmx_exit_enabled())
		trace_nvmx_exit(reason, nvmx_vmread(GUEST_RIP),
				nvmx_vmread(EXIT_QUALIFICATION),
				nvmx_vmread(VM_EXIT_INTR_INFO), vcpu->id,
				l2 ? 2 : 1);
	if (l2)
		return nvmx_nested_handle_exit(vcpu);
	nvmx_count_exit(vcpu, NVMX_LEVEL_L1, reason,
			(u16)reason == EXIT_REASON_CR_ACCESS ?
			nvmx_vmread(EXIT_QUALIFICATION) : 0);
	return nvmx_l0_handle_exit(vcpu);
}
