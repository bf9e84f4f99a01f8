// SPDX-License-Identifier: GPL-2.0
/*
 * vmcs01: the VMCS nvmx runs a guest (L1) with.
 *
 * Controls come from what nvmx needs and what the CPU allows
 * (nvmx_ctls_adjust()). CR0 and CR4 follow the VM's policy table
 * (policy.c): THROUGH bits belong to the guest (no exit on writes); every
 * other bit is in the guest/host mask, reads of it see the value the guest
 * wrote (the read shadow), and the hardware runs with L0's value for the
 * forced ones. nvmx_write_cr0()/nvmx_write_cr4() are the only writers of
 * GUEST_CR0/CR4, their shadows and masks, for vmcs01 and vmcs02 alike.
 */
#include <linux/io.h>
#include <linux/kernel.h>
#include <asm/desc.h>
#include <asm/fpu/xcr.h>
#include <asm/mmu_context.h>
#include <asm/msr.h>
#include <asm/processor.h>
#include <asm/special_insns.h>
#include <asm/tsc.h>
#include <asm/tlbflush.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "vmx_ops.h"

/*
 * CR0's architectural bits. MOV to CR0 ignores the other bits of 31:0
 * (they read as 0), as KVM does; only bits 63:32 make it #GP.
 */
#define NVMX_CR0_ARCH_BITS	(X86_CR0_PE | X86_CR0_MP | X86_CR0_EM | \
				 X86_CR0_TS | X86_CR0_ET | X86_CR0_NE | \
				 X86_CR0_WP | X86_CR0_AM | X86_CR0_NW | \
				 X86_CR0_CD | X86_CR0_PG)
/*
 * CR0 and CR4 bits whose change invalidates TLB entries, including
 * global ones, on real hardware (SDM "Operations that Invalidate TLBs and
 * Paging-Structure Caches"). nvmx emulates the MOV, so it flushes the
 * vCPU's VPID itself; WP, PSE and SMAP are included because a flush is
 * always allowed and these change how cached translations are used.
 */
#define NVMX_CR0_TLB_BITS	(X86_CR0_PG | X86_CR0_WP)
#define NVMX_CR4_TLB_BITS	(X86_CR4_PGE | X86_CR4_PAE | X86_CR4_PSE | \
				 X86_CR4_SMEP | X86_CR4_SMAP)
/* CR4 bits a guest may set, when its CPUID says it has the feature. */
#define NVMX_CR4_BASE_BITS	(X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | \
				 X86_CR4_DE | X86_CR4_PSE | X86_CR4_PAE | \
				 X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
				 X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT)

#define NVMX_EFER_BITS		(EFER_SCE | EFER_LME | EFER_LMA | EFER_NX)

static_assert(HOST_RSP == 0x6c14);

u64 nvmx_host_xcr0;
static u32 nvmx_pin_ctls, nvmx_proc_ctls, nvmx_proc2_ctls;
static u32 nvmx_exit_ctls, nvmx_entry_ctls;

static int nvmx_compute_controls(void)
{
	int r;

	r = nvmx_ctls_adjust(nvmx_caps.pinbased,
			     PIN_BASED_EXT_INTR_MASK | PIN_BASED_NMI_EXITING,
			     PIN_BASED_VIRTUAL_NMIS |
			     PIN_BASED_VMX_PREEMPTION_TIMER, &nvmx_pin_ctls);
	if (r)
		return r;
	/*
	 * Exit on HLT, MWAIT/MONITOR, RDPMC and MOV DR (none of which the
	 * guest may use natively) and on every port I/O; CR3 and CR8
	 * accesses stay in the guest (EPT, TPR shadow).
	 */
	r = nvmx_ctls_adjust(nvmx_caps.procbased,
			     CPU_BASED_HLT_EXITING | CPU_BASED_MWAIT_EXITING |
			     CPU_BASED_RDPMC_EXITING | CPU_BASED_MOV_DR_EXITING |
			     CPU_BASED_UNCOND_IO_EXITING |
			     CPU_BASED_MONITOR_EXITING |
			     CPU_BASED_USE_TSC_OFFSETTING |
			     CPU_BASED_TPR_SHADOW | CPU_BASED_USE_MSR_BITMAPS |
			     CPU_BASED_ACTIVATE_SECONDARY_CONTROLS, 0,
			     &nvmx_proc_ctls);
	if (r)
		return r;
	nvmx_proc_ctls &= ~(CPU_BASED_CR3_LOAD_EXITING |
			    CPU_BASED_CR3_STORE_EXITING |
			    CPU_BASED_CR8_LOAD_EXITING |
			    CPU_BASED_CR8_STORE_EXITING |
			    CPU_BASED_INVLPG_EXITING);
	r = nvmx_ctls_adjust(nvmx_caps.procbased2,
			     SECONDARY_EXEC_ENABLE_EPT |
			     SECONDARY_EXEC_ENABLE_VPID |
			     SECONDARY_EXEC_UNRESTRICTED_GUEST,
			     SECONDARY_EXEC_WBINVD_EXITING |
			     SECONDARY_EXEC_TSC_SCALING, &nvmx_proc2_ctls);
	if (r)
		return r;
	/* Scaling needs a calibrated host rate to scale from. */
	if (!tsc_khz)
		nvmx_proc2_ctls &= ~SECONDARY_EXEC_TSC_SCALING;
	nvmx_tsc_scaling = nvmx_proc2_ctls & SECONDARY_EXEC_TSC_SCALING;
	r = nvmx_ctls_adjust(nvmx_caps.exit,
			     VM_EXIT_HOST_ADDR_SPACE_SIZE |
			     VM_EXIT_SAVE_IA32_PAT | VM_EXIT_LOAD_IA32_PAT |
			     VM_EXIT_SAVE_IA32_EFER | VM_EXIT_LOAD_IA32_EFER |
			     VM_EXIT_SAVE_DEBUG_CONTROLS, 0, &nvmx_exit_ctls);
	if (r)
		return r;
	return nvmx_ctls_adjust(nvmx_caps.entry,
				VM_ENTRY_LOAD_DEBUG_CONTROLS |
				VM_ENTRY_LOAD_IA32_PAT |
				VM_ENTRY_LOAD_IA32_EFER, 0, &nvmx_entry_ctls);
}

/* The base of this CPU's TSS, read from its GDT descriptor. */
static unsigned long nvmx_host_tr_base(unsigned long gdt)
{
	const struct ldttss_desc *d;

	d = (const struct ldttss_desc *)(gdt + GDT_ENTRY_TSS * 8);
	return d->base0 | ((unsigned long)d->base1 << 16) |
	       ((unsigned long)d->base2 << 24) |
	       ((unsigned long)d->base3 << 32);
}

/*
 * Host state that differs per CPU, into the current VMCS (any of them):
 * after it moved to this CPU.
 */
void nvmx_vmcs_set_host_per_cpu(void)
{
	struct desc_ptr gdt;
	u64 v;

	native_store_gdt(&gdt);
	nvmx_vmwrite(HOST_GDTR_BASE, gdt.address);
	nvmx_vmwrite(HOST_TR_BASE, nvmx_host_tr_base(gdt.address));
	rdmsrl(MSR_IA32_SYSENTER_ESP, v);
	nvmx_vmwrite(HOST_IA32_SYSENTER_ESP, v);
}

/*
 * The host state of the current VMCS (vmcs01 or vmcs02), constant fields
 * and this CPU's; nvmx_vmcs01_before_entry() writes what may change
 * between entries.
 */
void nvmx_vmcs_write_host_state(struct nvmx_vcpu *vcpu)
{
	struct desc_ptr idt;
	u64 v;

	nvmx_vmwrite(HOST_CR0, read_cr0());
	nvmx_vmwrite(HOST_CR3, __get_current_cr3_fast());
	nvmx_vmwrite(HOST_CR4, cr4_read_shadow());
	nvmx_vmwrite(HOST_CS_SELECTOR, __KERNEL_CS);
	nvmx_vmwrite(HOST_SS_SELECTOR, __KERNEL_DS);
	nvmx_vmwrite(HOST_DS_SELECTOR, 0);
	nvmx_vmwrite(HOST_ES_SELECTOR, 0);
	nvmx_vmwrite(HOST_FS_SELECTOR, 0);
	nvmx_vmwrite(HOST_GS_SELECTOR, 0);
	nvmx_vmwrite(HOST_TR_SELECTOR, GDT_ENTRY_TSS * 8);
	store_idt(&idt);
	nvmx_vmwrite(HOST_IDTR_BASE, idt.address);
	nvmx_vmwrite(HOST_RIP, (unsigned long)nvmx_vmexit);
	rdmsrl(MSR_IA32_SYSENTER_CS, v);
	nvmx_vmwrite(HOST_IA32_SYSENTER_CS, v);
	rdmsrl(MSR_IA32_SYSENTER_EIP, v);
	nvmx_vmwrite(HOST_IA32_SYSENTER_EIP, v);
	rdmsrl(MSR_IA32_CR_PAT, v);
	nvmx_vmwrite(HOST_IA32_PAT, v);
	rdmsrl(MSR_EFER, v);
	nvmx_vmwrite(HOST_IA32_EFER, v);
	nvmx_vmcs_set_host_per_cpu();
}

static void nvmx_set_segment(unsigned int sel_field, u16 sel, u64 base,
			     u32 limit, u32 ar)
{
	/* The four fields of a segment are at fixed strides from ES's. */
	unsigned int i = (sel_field - GUEST_ES_SELECTOR) / 2;

	nvmx_vmwrite(GUEST_ES_SELECTOR + i * 2, sel);
	nvmx_vmwrite(GUEST_ES_BASE + i * 2, base);
	nvmx_vmwrite(GUEST_ES_LIMIT + i * 2, limit);
	nvmx_vmwrite(GUEST_ES_AR_BYTES + i * 2, ar);
}

/* The state of a CPU after RESET, as the SDM gives it. */
static void nvmx_vmcs01_reset_guest(struct nvmx_vcpu *vcpu)
{
	unsigned int f;

	nvmx_set_segment(GUEST_CS_SELECTOR, 0xf000, 0xffff0000, 0xffff, 0x9b);
	for (f = GUEST_ES_SELECTOR; f <= GUEST_GS_SELECTOR; f += 2)
		if (f != GUEST_CS_SELECTOR)
			nvmx_set_segment(f, 0, 0, 0xffff, 0x93);
	nvmx_set_segment(GUEST_LDTR_SELECTOR, 0, 0, 0xffff, 0x82);
	nvmx_set_segment(GUEST_TR_SELECTOR, 0, 0, 0xffff, 0x8b);
	nvmx_vmwrite(GUEST_GDTR_BASE, 0);
	nvmx_vmwrite(GUEST_GDTR_LIMIT, 0xffff);
	nvmx_vmwrite(GUEST_IDTR_BASE, 0);
	nvmx_vmwrite(GUEST_IDTR_LIMIT, 0xffff);
	nvmx_vmwrite(GUEST_RIP, 0xfff0);
	nvmx_vmwrite(GUEST_RSP, 0);
	nvmx_vmwrite(GUEST_RFLAGS, X86_EFLAGS_FIXED);
	nvmx_vmwrite(GUEST_CR3, 0);
	nvmx_vmwrite(GUEST_DR7, NVMX_DR7_FIXED_1);
	nvmx_vmwrite(GUEST_IA32_DEBUGCTL, 0);
	nvmx_vmwrite(GUEST_SYSENTER_CS, 0);
	nvmx_vmwrite(GUEST_SYSENTER_ESP, 0);
	nvmx_vmwrite(GUEST_SYSENTER_EIP, 0);
	nvmx_vmwrite(GUEST_IA32_PAT, 0x0007040600070406ULL);
	nvmx_vmwrite(GUEST_INTERRUPTIBILITY_INFO, 0);
	nvmx_vmwrite(GUEST_ACTIVITY_STATE, GUEST_ACTIVITY_ACTIVE);
	nvmx_vmwrite(GUEST_PENDING_DBG_EXCEPTIONS, 0);
	nvmx_vmwrite(VMCS_LINK_POINTER, -1ULL);

	vcpu->regs.gpr[NVMX_RDX] = 0x600;
	vcpu->dr6 = NVMX_DR6_FIXED_1;
	vcpu->dr7 = NVMX_DR7_FIXED_1;
	vcpu->cr0 = 0;
	vcpu->cr4 = 0;
	nvmx_vmwrite(GUEST_CR0, 0);
	nvmx_vmwrite(GUEST_CR4, 0);
	vcpu->efer = 0;
	nvmx_set_cr0(vcpu, X86_CR0_ET | X86_CR0_CD | X86_CR0_NW);
	nvmx_set_cr4(vcpu, 0);
	nvmx_set_efer(vcpu, 0, true);
	vcpu->xcr0 = XFEATURE_MASK_FP;
	vcpu->apic_base = APIC_DEFAULT_PHYS_BASE | MSR_IA32_APICBASE_ENABLE |
			  (vcpu->id == vcpu->vm->bsp_vcpu_id ?
			   MSR_IA32_APICBASE_BSP : 0);
	vcpu->mtrr_def_type = 0;
	vcpu->misc_enable = MSR_IA32_MISC_ENABLE_FAST_STRING;
	vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
}

/*
 * INIT: the RESET state but for what INIT leaves alone (SDM "Processor
 * State After Reset or INIT"): IA32_APIC_BASE, the MTRRs, MISC_ENABLE,
 * XCR0, CR0.CD and CR0.NW. Pending events are dropped, GPRs cleared, as
 * KVM's kvm_vcpu_reset(init_event). The vCPU is loaded, in L1.
 */
void nvmx_vmcs01_init_event(struct nvmx_vcpu *vcpu)
{
	unsigned long cdnw = nvmx_read_cr0(vcpu) & (X86_CR0_CD | X86_CR0_NW);
	u64 apic_base = vcpu->apic_base, def_type = vcpu->mtrr_def_type;
	u64 misc = vcpu->misc_enable, xcr0 = vcpu->xcr0;

	memset(vcpu->regs.gpr, 0, sizeof(vcpu->regs.gpr));
	vcpu->regs.cr2 = 0;
	memset(vcpu->dr, 0, sizeof(vcpu->dr));
	vcpu->pending.valid = false;
	vcpu->injected.valid = false;
	vcpu->triple_fault = false;
	WRITE_ONCE(vcpu->nmi_pending, false);
	nvmx_vmcs01_reset_guest(vcpu);
	nvmx_set_cr0(vcpu, X86_CR0_ET | cdnw);
	vcpu->apic_base = apic_base;
	vcpu->mtrr_def_type = def_type;
	vcpu->misc_enable = misc;
	vcpu->xcr0 = xcr0;
	nvmx_vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0);
}

/* SIPI to a vCPU waiting for it: real mode at vector << 8 : 0. */
void nvmx_vmcs01_sipi(struct nvmx_vcpu *vcpu, u8 vector)
{
	nvmx_set_segment(GUEST_CS_SELECTOR, vector << 8, vector << 12, 0xffff,
			 0x9b);
	nvmx_vmwrite(GUEST_RIP, 0);
}

int nvmx_vmcs01_setup(struct nvmx_vcpu *vcpu)
{
	nvmx_vmwrite(PIN_BASED_VM_EXEC_CONTROL, nvmx_pin_ctls);
	nvmx_vmwrite(CPU_BASED_VM_EXEC_CONTROL, nvmx_proc_ctls);
	nvmx_vmwrite(SECONDARY_VM_EXEC_CONTROL, nvmx_proc2_ctls);
	nvmx_vmwrite(VM_EXIT_CONTROLS, nvmx_exit_ctls);
	nvmx_vmwrite(VM_ENTRY_CONTROLS, nvmx_entry_ctls);
	/*
	 * #MC: the host must see machine checks. #DB: its DR6 is the vCPU's
	 * (exits.c). The guest takes all else itself.
	 */
	nvmx_vmwrite(EXCEPTION_BITMAP, (1u << MC_VECTOR) | (1u << DB_VECTOR));
	nvmx_vmwrite(PAGE_FAULT_ERROR_CODE_MASK, 0);
	nvmx_vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	nvmx_vmwrite(CR3_TARGET_COUNT, 0);
	nvmx_vmwrite(VM_EXIT_MSR_STORE_COUNT, 0);
	nvmx_vmwrite(VM_EXIT_MSR_LOAD_COUNT, 0);
	nvmx_vmwrite(VM_ENTRY_MSR_LOAD_COUNT, 0);
	nvmx_vmwrite(VM_ENTRY_INTR_INFO_FIELD, 0);
	nvmx_tsc_vcpu_init(vcpu);
	nvmx_vmwrite(VIRTUAL_PROCESSOR_ID, vcpu->vpid);
	nvmx_vmwrite(EPT_POINTER, vcpu->vm->eptp);
	nvmx_vmwrite(MSR_BITMAP, page_to_phys(vcpu->msr_bitmap));
	nvmx_vmwrite(VIRTUAL_APIC_PAGE_ADDR, page_to_phys(vcpu->apic_page));
	nvmx_vmwrite(TPR_THRESHOLD, 0);
	/* The masks before the first CR write: it reads CR0 through them. */
	nvmx_vmwrite(CR0_GUEST_HOST_MASK, vcpu->policy.cr0.mask);
	nvmx_vmwrite(CR4_GUEST_HOST_MASK, nvmx_l0_cr4_mask(vcpu));
	nvmx_policy_apply_ctls(vcpu, false);

	nvmx_vmcs_write_host_state(vcpu);
	nvmx_vmcs01_reset_guest(vcpu);
	return 0;
}

/*
 * The longest a guest runs before nvmx looks at signals and the scheduler
 * again, in VMX-preemption-timer units: one scheduler tick. External
 * interrupts normally bring the vCPU back sooner; this bounds the time
 * slice whatever the guest does with its interrupt flag.
 */
static u32 nvmx_time_slice(void)
{
	u64 ticks = (u64)tsc_khz * 1000 / HZ;

	ticks >>= nvmx_caps.misc & 0x1f;
	return ticks > U32_MAX ? U32_MAX : (u32)ticks;
}

/* Host state that may change between entries. Preemption off. */
void nvmx_vmcs01_before_entry(struct nvmx_vcpu *vcpu)
{
	u64 base;

	/* 0 exits right after the entry's event delivery (irq.c). */
	if (nvmx_pin_ctls & PIN_BASED_VMX_PREEMPTION_TIMER)
		nvmx_vmwrite(VMX_PREEMPTION_TIMER_VALUE,
			     vcpu->immediate_exit ? 0 : nvmx_time_slice());

	/* CR3 carries the PCID, which the scheduler may change. */
	nvmx_vmwrite(HOST_CR3, __get_current_cr3_fast());
	nvmx_vmwrite(HOST_CR4, cr4_read_shadow());
	/*
	 * VM exit loads FS and GS bases from here: GS is this CPU's per-CPU
	 * base, FS the task's (userspace may move it with WRFSBASE).
	 */
	rdmsrl(MSR_FS_BASE, base);
	nvmx_vmwrite(HOST_FS_BASE, base);
	rdmsrl(MSR_GS_BASE, base);
	nvmx_vmwrite(HOST_GS_BASE, base);
}

/*
 * CR4 bits nvmx can give any guest on this host: the base set and the
 * features the CPU has, within what VMX operation allows
 * (IA32_VMX_CR4_FIXED1).
 */
static unsigned long nvmx_cr4_host_bits(void)
{
	unsigned long bits = NVMX_CR4_BASE_BITS;

	if (boot_cpu_has(X86_FEATURE_XSAVE))
		bits |= X86_CR4_OSXSAVE;
	if (boot_cpu_has(X86_FEATURE_PCID))
		bits |= X86_CR4_PCIDE;
	if (boot_cpu_has(X86_FEATURE_FSGSBASE))
		bits |= X86_CR4_FSGSBASE;
	if (boot_cpu_has(X86_FEATURE_SMEP))
		bits |= X86_CR4_SMEP;
	if (boot_cpu_has(X86_FEATURE_SMAP))
		bits |= X86_CR4_SMAP;
	if (boot_cpu_has(X86_FEATURE_UMIP))
		bits |= X86_CR4_UMIP;
	/* L1's CR4.VMXE is the read shadow: the CPU runs with VMXE anyway. */
	if (nvmx_nested)
		bits |= X86_CR4_VMXE;
	return bits & nvmx_caps.cr4_fixed1;
}

/* CR4 bits this guest's CPUID allows (VMXE: nested VMX, as on KVM). */
unsigned long nvmx_cr4_allowed(struct nvmx_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e1, *e7;
	unsigned long bits = NVMX_CR4_BASE_BITS;
	u32 r1[4] = { 0 }, r7[4] = { 0 };

	/* Before KVM_SET_CPUID2, as on KVM: whatever nvmx could offer. */
	if (!vcpu->cpuid_nent)
		return nvmx_cr4_host_bits();

	/* Exact leaves: a missing one means no features, not another leaf. */
	e1 = nvmx_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 1, 0);
	e7 = nvmx_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 7, 0);
	if (e1) {
		r1[2] = e1->ecx;
		r1[3] = e1->edx;
	}
	if (e7) {
		r7[1] = e7->ebx;
		r7[2] = e7->ecx;
	}
	if (r1[2] & BIT(X86_FEATURE_XSAVE & 31))
		bits |= X86_CR4_OSXSAVE;
	if (r1[2] & BIT(X86_FEATURE_PCID & 31))
		bits |= X86_CR4_PCIDE;
	if (r7[1] & BIT(X86_FEATURE_FSGSBASE & 31))
		bits |= X86_CR4_FSGSBASE;
	if (r7[1] & BIT(X86_FEATURE_SMEP & 31))
		bits |= X86_CR4_SMEP;
	if (r7[1] & BIT(X86_FEATURE_SMAP & 31))
		bits |= X86_CR4_SMAP;
	if (r7[2] & BIT(X86_FEATURE_UMIP & 31))
		bits |= X86_CR4_UMIP;
	/*
	 * The guest's CPUID decides among what the host has: a bit userspace
	 * claims for a feature the CPU lacks must give #GP, not a failed
	 * VM entry.
	 */
	if (nvmx_nested_vmx_allowed(vcpu))
		bits |= X86_CR4_VMXE;
	return bits & nvmx_cr4_host_bits();
}

static bool nvmx_long_mode(struct nvmx_vcpu *vcpu)
{
	return vcpu->efer & EFER_LMA;
}

/*
 * The guest's CR0/CR4 now: the bits the current VMCS masks are the ones
 * nvmx last wrote, the others the guest may have changed without an exit.
 */
unsigned long nvmx_read_cr0(struct nvmx_vcpu *vcpu)
{
	unsigned long mask = nvmx_vmread(CR0_GUEST_HOST_MASK);

	return (vcpu->cr0 & mask) | (nvmx_vmread(GUEST_CR0) & ~mask);
}

unsigned long nvmx_read_cr4(struct nvmx_vcpu *vcpu)
{
	unsigned long mask = nvmx_vmread(CR4_GUEST_HOST_MASK);

	return (vcpu->cr4 & mask) | (nvmx_vmread(GUEST_CR4) & ~mask);
}

/*
 * L0's CR4 mask: the table's, plus every bit this vCPU's CPUID does not
 * give it, so that a THROUGH row never lets a guest set a bit it lacks
 * (the write exits and nvmx_set_cr4() refuses it).
 */
u64 nvmx_l0_cr4_mask(struct nvmx_vcpu *vcpu)
{
	return vcpu->policy.cr4.mask | ~(u64)nvmx_cr4_allowed(vcpu);
}

/*
 * The one place CR0 reaches the VMCS, for the current level: the mask is
 * L0's (and in vmcs02 L1's too), the shadow what the guest reads (for L1
 * what it wrote; for L2 what vmcs12 says it reads), the hardware @cr0
 * with L0's forced bits.
 */
void nvmx_write_cr0(struct nvmx_vcpu *vcpu, unsigned long cr0)
{
	const struct nvmx_policy_cr *p = &vcpu->policy.cr0;
	bool l2 = vcpu->nested.guest_mode;

	vcpu->cr0 = cr0;
	nvmx_vmwrite(CR0_GUEST_HOST_MASK,
		     l2 ? nvmx_nested_cr0_mask(vcpu, p->mask) : p->mask);
	nvmx_vmwrite(CR0_READ_SHADOW,
		     l2 ? nvmx_nested_cr0_shadow(vcpu, cr0) : cr0);
	nvmx_vmwrite(GUEST_CR0, nvmx_policy_cr_real(p, cr0));
}

/* The same for CR4. */
void nvmx_write_cr4(struct nvmx_vcpu *vcpu, unsigned long cr4)
{
	const struct nvmx_policy_cr *p = &vcpu->policy.cr4;
	bool l2 = vcpu->nested.guest_mode;
	u64 mask = nvmx_l0_cr4_mask(vcpu);

	vcpu->cr4 = cr4;
	nvmx_vmwrite(CR4_GUEST_HOST_MASK,
		     l2 ? nvmx_nested_cr4_mask(vcpu, mask) : mask);
	nvmx_vmwrite(CR4_READ_SHADOW,
		     l2 ? nvmx_nested_cr4_shadow(vcpu, cr4) : cr4);
	nvmx_vmwrite(GUEST_CR4, nvmx_policy_cr_real(p, cr4));
}

/*
 * The CR3 and TPR rows as exiting controls of the current VMCS. vmcs02
 * (@vmcs02) keeps vmcs12's CR3 exiting too; its CR8 exiting is the
 * vmcs02 builder's (it also follows vmcs12), set at the next nested entry.
 */
void nvmx_policy_apply_ctls(struct nvmx_vcpu *vcpu, bool vmcs02)
{
	const u32 cr3 = CPU_BASED_CR3_LOAD_EXITING | CPU_BASED_CR3_STORE_EXITING;
	const u32 cr8 = CPU_BASED_CR8_LOAD_EXITING | CPU_BASED_CR8_STORE_EXITING;
	u32 proc = nvmx_vmread(CPU_BASED_VM_EXEC_CONTROL);
	u32 want = 0;

	if (vmcs02) {
		want = vcpu->nested.vmcs12->cpu_based_vm_exec_control & cr3;
		proc &= ~cr3;
	} else {
		proc &= ~(cr3 | cr8);
		/*
		 * Without an in-kernel APIC CR8 is userspace's TPR: every
		 * access exits, as on kvm_intel (a lowered one is
		 * KVM_EXIT_SET_TPR, exits.c).
		 */
		if (vcpu->policy.tpr_intercept || !vcpu->vm->irqchip)
			want |= cr8;
	}
	if (vcpu->policy.cr3_intercept)
		want |= cr3;
	nvmx_vmwrite(CPU_BASED_VM_EXEC_CONTROL, proc | want);
}

/*
 * In VMX operation, and in VMX non-root operation under L1, CR0 and CR4
 * must keep the bits IA32_VMX_CR0/CR4_FIXED0/1 (L1's) fix, or MOV #GPs.
 */
static bool nvmx_vmx_fixed_ok(struct nvmx_vcpu *vcpu, unsigned long cr0,
			      unsigned long cr4)
{
	const struct nvmx_vmx_caps *c = &vcpu->nested.caps;

	if (!vcpu->nested.vmxon && !vcpu->nested.guest_mode)
		return true;
	/* CD and NW are not fixed for software, whatever FIXED0 says. */
	return nvmx_cr_fixed_ok(cr0 & ~(X86_CR0_CD | X86_CR0_NW),
				c->cr0_fixed0 & ~(X86_CR0_CD | X86_CR0_NW),
				c->cr0_fixed1 | X86_CR0_CD | X86_CR0_NW) &&
	       nvmx_cr_fixed_ok(cr4, c->cr4_fixed0, c->cr4_fixed1);
}

/* Sets the guest's CR0; returns -EINVAL where MOV CR0 would #GP. */
int nvmx_set_cr0(struct nvmx_vcpu *vcpu, unsigned long cr0)
{
	unsigned long old = nvmx_read_cr0(vcpu);
	unsigned long cr4 = nvmx_read_cr4(vcpu);
	u64 efer = vcpu->efer;

	if (cr0 >> 32)
		return -EINVAL;
	cr0 = (cr0 & NVMX_CR0_ARCH_BITS) | X86_CR0_ET;
	if ((cr0 & X86_CR0_PG) && !(cr0 & X86_CR0_PE))
		return -EINVAL;
	if ((cr0 & X86_CR0_NW) && !(cr0 & X86_CR0_CD))
		return -EINVAL;
	if (!nvmx_vmx_fixed_ok(vcpu, cr0, cr4))
		return -EINVAL;
	if (!(old & X86_CR0_PG) && (cr0 & X86_CR0_PG) && (efer & EFER_LME)) {
		if (!(cr4 & X86_CR4_PAE))
			return -EINVAL;
		efer |= EFER_LMA;
	}
	if ((old & X86_CR0_PG) && !(cr0 & X86_CR0_PG)) {
		/* Leaving paging in 64-bit code, or with PCIDs on, #GPs. */
		if (nvmx_long_mode(vcpu) &&
		    (nvmx_vmread(GUEST_CS_AR_BYTES) & VMX_AR_L_MASK))
			return -EINVAL;
		if (cr4 & X86_CR4_PCIDE)
			return -EINVAL;
		efer &= ~EFER_LMA;
	}
	nvmx_write_cr0(vcpu, cr0);
	if ((old ^ cr0) & NVMX_CR0_TLB_BITS)
		vcpu->flush_tlb = true;
	if (efer != vcpu->efer)
		nvmx_set_efer(vcpu, efer, true);
	return 0;
}

/* Sets the guest's CR4; returns -EINVAL where MOV CR4 would #GP. */
int nvmx_set_cr4(struct nvmx_vcpu *vcpu, unsigned long cr4)
{
	unsigned long old = nvmx_read_cr4(vcpu);

	if (cr4 & ~nvmx_cr4_allowed(vcpu))
		return -EINVAL;
	if (!nvmx_vmx_fixed_ok(vcpu, nvmx_read_cr0(vcpu), cr4))
		return -EINVAL;
	if (nvmx_long_mode(vcpu) && !(cr4 & X86_CR4_PAE))
		return -EINVAL;
	/* PCIDs only in IA-32e mode, and only turned on with PCID 0. */
	if ((cr4 & X86_CR4_PCIDE) && !(old & X86_CR4_PCIDE) &&
	    (!nvmx_long_mode(vcpu) || (nvmx_vmread(GUEST_CR3) & 0xfff)))
		return -EINVAL;
	nvmx_write_cr4(vcpu, cr4);
	if (((old ^ cr4) & NVMX_CR4_TLB_BITS) ||
	    ((old & ~cr4) & X86_CR4_PCIDE))
		vcpu->flush_tlb = true;
	return 0;
}

/* Sets EFER; @host skips the checks a guest WRMSR gets. */
int nvmx_set_efer(struct nvmx_vcpu *vcpu, u64 efer, bool host)
{
	if (efer & ~(u64)NVMX_EFER_BITS)
		return -EINVAL;
	if (!host) {
		/* LME may not change with paging on; LMA is the CPU's. */
		if ((nvmx_read_cr0(vcpu) & X86_CR0_PG) &&
		    ((efer ^ vcpu->efer) & EFER_LME))
			return -EINVAL;
		efer = (efer & ~EFER_LMA) | (vcpu->efer & EFER_LMA);
	}
	vcpu->efer = efer;
	nvmx_vmwrite(GUEST_IA32_EFER, efer);
	if (efer & EFER_LMA)
		nvmx_vmcs_set_bits(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	else
		nvmx_vmcs_clear_bits(VM_ENTRY_CONTROLS, VM_ENTRY_IA32E_MODE);
	return 0;
}

/* kvm_regs has its own register order. */
static const u8 nvmx_kvm_regs_order[] = {
	NVMX_RAX, NVMX_RBX, NVMX_RCX, NVMX_RDX, NVMX_RSI, NVMX_RDI, NVMX_RSP,
	NVMX_RBP, NVMX_R8, NVMX_R9, NVMX_R10, NVMX_R11, NVMX_R12, NVMX_R13,
	NVMX_R14, NVMX_R15,
};

int nvmx_get_regs(struct nvmx_vcpu *vcpu, struct kvm_regs *regs)
{
	__u64 *out = &regs->rax;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nvmx_kvm_regs_order); i++)
		out[i] = vcpu->regs.gpr[nvmx_kvm_regs_order[i]];
	regs->rsp = nvmx_vmread(GUEST_RSP);
	regs->rip = nvmx_vmread(GUEST_RIP);
	regs->rflags = nvmx_get_rflags(vcpu);
	return 0;
}

int nvmx_set_regs(struct nvmx_vcpu *vcpu, const struct kvm_regs *regs)
{
	const __u64 *in = &regs->rax;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nvmx_kvm_regs_order); i++)
		vcpu->regs.gpr[nvmx_kvm_regs_order[i]] = in[i];
	nvmx_vmwrite(GUEST_RSP, regs->rsp);
	nvmx_vmwrite(GUEST_RIP, regs->rip);
	/* Bit 1 set; TF kept for a debugger's single-step (vstate.c). */
	nvmx_set_rflags(vcpu, regs->rflags);
	return 0;
}

static void nvmx_get_segment(struct kvm_segment *s, unsigned int sel_field)
{
	unsigned int i = (sel_field - GUEST_ES_SELECTOR) / 2;
	u32 ar = nvmx_vmread(GUEST_ES_AR_BYTES + i * 2);

	s->selector = nvmx_vmread(GUEST_ES_SELECTOR + i * 2);
	s->base = nvmx_vmread(GUEST_ES_BASE + i * 2);
	s->limit = nvmx_vmread(GUEST_ES_LIMIT + i * 2);
	s->type = ar & VMX_AR_TYPE_MASK;
	s->s = !!(ar & VMX_AR_S_MASK);
	s->dpl = VMX_AR_DPL(ar);
	s->present = !!(ar & VMX_AR_P_MASK);
	s->avl = !!(ar & NVMX_AR_AVL_MASK);
	s->l = !!(ar & VMX_AR_L_MASK);
	s->db = !!(ar & VMX_AR_DB_MASK);
	s->g = !!(ar & VMX_AR_G_MASK);
	s->unusable = !!(ar & VMX_AR_UNUSABLE_MASK);
	s->padding = 0;
}

static void nvmx_put_segment(const struct kvm_segment *s,
			     unsigned int sel_field)
{
	u32 ar;

	ar = (s->type & VMX_AR_TYPE_MASK) | (s->s ? VMX_AR_S_MASK : 0) |
	     ((u32)(s->dpl & 3) << VMX_AR_DPL_SHIFT) |
	     (s->present ? VMX_AR_P_MASK : 0) |
	     (s->avl ? NVMX_AR_AVL_MASK : 0) | (s->l ? VMX_AR_L_MASK : 0) |
	     (s->db ? VMX_AR_DB_MASK : 0) | (s->g ? VMX_AR_G_MASK : 0);
	/* A segment that is not present is unusable to VMX. */
	if (s->unusable || !s->present)
		ar |= VMX_AR_UNUSABLE_MASK;
	nvmx_set_segment(sel_field, s->selector, s->base, s->limit, ar);
}

static const struct {
	size_t offset;
	unsigned int field;
} nvmx_sregs_segments[] = {
	{ offsetof(struct kvm_sregs, cs), GUEST_CS_SELECTOR },
	{ offsetof(struct kvm_sregs, ds), GUEST_DS_SELECTOR },
	{ offsetof(struct kvm_sregs, es), GUEST_ES_SELECTOR },
	{ offsetof(struct kvm_sregs, fs), GUEST_FS_SELECTOR },
	{ offsetof(struct kvm_sregs, gs), GUEST_GS_SELECTOR },
	{ offsetof(struct kvm_sregs, ss), GUEST_SS_SELECTOR },
	{ offsetof(struct kvm_sregs, tr), GUEST_TR_SELECTOR },
	{ offsetof(struct kvm_sregs, ldt), GUEST_LDTR_SELECTOR },
};

int nvmx_get_sregs(struct nvmx_vcpu *vcpu, struct kvm_sregs *sregs)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(nvmx_sregs_segments); i++)
		nvmx_get_segment((void *)sregs + nvmx_sregs_segments[i].offset,
				 nvmx_sregs_segments[i].field);
	sregs->gdt.base = nvmx_vmread(GUEST_GDTR_BASE);
	sregs->gdt.limit = nvmx_vmread(GUEST_GDTR_LIMIT);
	sregs->idt.base = nvmx_vmread(GUEST_IDTR_BASE);
	sregs->idt.limit = nvmx_vmread(GUEST_IDTR_LIMIT);
	sregs->cr0 = nvmx_read_cr0(vcpu);
	sregs->cr2 = vcpu->regs.cr2;
	sregs->cr3 = nvmx_vmread(GUEST_CR3);
	sregs->cr4 = nvmx_read_cr4(vcpu);
	sregs->cr8 = nvmx_get_tpr(vcpu) >> 4;
	sregs->efer = vcpu->efer;
	sregs->apic_base = vcpu->apic_base;
	memset(sregs->interrupt_bitmap, 0, sizeof(sregs->interrupt_bitmap));
	return 0;
}

/* The checks KVM_SET_SREGS makes before it changes anything. */
static bool nvmx_sregs_valid(struct nvmx_vcpu *vcpu,
			     const struct kvm_sregs *s)
{
	if ((s->efer & EFER_LME) && (s->cr0 & X86_CR0_PG)) {
		if (!(s->cr4 & X86_CR4_PAE) || !(s->efer & EFER_LMA))
			return false;
		if (s->cr3 >> boot_cpu_data.x86_phys_bits)
			return false;
	} else if ((s->efer & EFER_LMA) || s->cs.l) {
		return false;
	}
	if (s->cr0 >> 32 || ((s->cr0 & X86_CR0_PG) && !(s->cr0 & X86_CR0_PE)) ||
	    ((s->cr0 & X86_CR0_NW) && !(s->cr0 & X86_CR0_CD)))
		return false;
	if (s->cr4 & ~nvmx_cr4_allowed(vcpu))
		return false;
	if (s->efer & ~(u64)NVMX_EFER_BITS)
		return false;
	return true;
}

int nvmx_set_sregs(struct nvmx_vcpu *vcpu, const struct kvm_sregs *sregs)
{
	unsigned int i;
	int r;

	if (!nvmx_sregs_valid(vcpu, sregs))
		return -EINVAL;
	r = nvmx_set_apic_base(vcpu, sregs->apic_base, true);
	if (r)
		return r;
	for (i = 0; i < ARRAY_SIZE(nvmx_sregs_segments); i++)
		nvmx_put_segment((void *)sregs + nvmx_sregs_segments[i].offset,
				 nvmx_sregs_segments[i].field);
	nvmx_vmwrite(GUEST_GDTR_BASE, sregs->gdt.base);
	nvmx_vmwrite(GUEST_GDTR_LIMIT, sregs->gdt.limit);
	nvmx_vmwrite(GUEST_IDTR_BASE, sregs->idt.base);
	nvmx_vmwrite(GUEST_IDTR_LIMIT, sregs->idt.limit);
	vcpu->regs.cr2 = sregs->cr2;
	nvmx_vmwrite(GUEST_CR3, sregs->cr3);
	/* EFER first: CR0 and CR4 checks depend on long mode. */
	nvmx_set_efer(vcpu, sregs->efer, true);
	/* Reserved bits would fail VM entry; the CPU would ignore them. */
	/* ET as userspace gives it: KVM forces it only on a guest MOV. */
	nvmx_write_cr0(vcpu, sregs->cr0 & NVMX_CR0_ARCH_BITS);
	nvmx_write_cr4(vcpu, sregs->cr4);
	nvmx_set_tpr(vcpu, (sregs->cr8 & 0xf) << 4);
	/* New paging state: nothing cached for the old one may be used. */
	vcpu->flush_tlb = true;
	/* With EPT, PAE paging loads its PDPTEs from the VMCS at entry. */
	if ((sregs->cr0 & X86_CR0_PG) && (sregs->cr4 & X86_CR4_PAE) &&
	    !(vcpu->efer & EFER_LMA))
		nvmx_load_pdptrs(vcpu, sregs->cr3);
	return 0;
}

/*
 * XCR0 bits the guest may set: its CPUID leaf 0xd, within the host's and
 * within the components the guest FPU buffer is sized for.
 */
u64 nvmx_guest_xcr0_allowed(struct nvmx_vcpu *vcpu)
{
	const struct kvm_cpuid_entry2 *e;

	e = nvmx_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 0xd, 0);
	if (!e)
		return XFEATURE_MASK_FP;
	return (e->eax | ((u64)e->edx << 32)) & nvmx_host_xcr0 &
	       NVMX_CPUID_XCR0_KNOWN;
}

int nvmx_vmcs01_init(void)
{
	int r = nvmx_compute_controls();

	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		nvmx_host_xcr0 = xgetbv(XCR_XFEATURE_ENABLED_MASK);

	if (r)
		pr_err("not loading: the CPU's VMX controls cannot run a guest as nvmx does\n");
	return r;
}
