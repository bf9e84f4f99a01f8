/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx internal interfaces.
 *
 * Return conventions: functions return 0 or -errno unless their comment
 * says otherwise; ioctl handlers return what the ioctl returns to
 * userspace (a value >= 0, or -errno). Exit handlers return 1 to re-enter
 * the guest, 0 to return to userspace with kvm_run filled in, or -errno.
 */
#ifndef NVMX_H
#define NVMX_H

#include <linux/kvm.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/preempt.h>
#include <linux/rcuwait.h>
#include <linux/refcount.h>
#include <linux/types.h>
#include <linux/xarray.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>
#include <asm/vmx.h>

#include "caps.h"
#include "cpuid.h"
#include "emulate.h"
#include "irq.h"
#include "irqchip.h"
#include "lapic.h"
#include "nested/nested.h"
#include "nested/msrs.h"
#include "policy.h"
#include "stats.h"

struct dentry;

/* kvm_run page plus the page that holds KVM_EXIT_IO data, as on KVM/x86. */
#define NVMX_VCPU_MMAP_PAGES	2
#define NVMX_PIO_PAGE_OFFSET	1

#define NVMX_MAX_VCPUS		64
#define NVMX_MAX_MEMSLOTS	512
#define NVMX_MAX_CPUID_ENTRIES	256
#define NVMX_MAX_IO_MSRS	256
/* Machine-check banks a vCPU may have (KVM_CAP_MCE), KVM's 32. */
#define NVMX_MCE_BANKS		32

/* Architectural bits <asm/vmx.h> and <asm/debugreg.h> do not name. */
#define NVMX_AR_AVL_MASK	BIT(12)
#define NVMX_DR7_FIXED_1	0x400UL
#define NVMX_DR7_GD		BIT(13)
#define NVMX_DR6_BD		BIT(13)
/* What a #DB adds to DR6 (its exit qualification): B0-B3, BD, BS. */
#define NVMX_DB_QUAL_BITS	(DR_TRAP_BITS | NVMX_DR6_BD | DR_STEP)
#define NVMX_EXIT_REASON_GETSEC	11
/*
 * DR6 bits a guest can change: B0-B3, BD, BS, BT. The rest read as the
 * SDM fixes them for a CPU without RTM and bus-lock detection (nvmx offers
 * neither): bits 4-11 and 16-31 set, bit 12 clear.
 */
#define NVMX_DR6_GUEST_BITS	0xe00fUL
#define NVMX_DR6_FIXED_1	0xffff0ff0UL

static inline unsigned long nvmx_dr6_value(unsigned long val)
{
	return (val & NVMX_DR6_GUEST_BITS) | NVMX_DR6_FIXED_1;
}

/* Guest GPRs in x86 encoding order; vmenter.S relies on this layout. */
enum nvmx_gpr {
	NVMX_RAX, NVMX_RCX, NVMX_RDX, NVMX_RBX, NVMX_RSP, NVMX_RBP, NVMX_RSI,
	NVMX_RDI, NVMX_R8, NVMX_R9, NVMX_R10, NVMX_R11, NVMX_R12, NVMX_R13,
	NVMX_R14, NVMX_R15, NVMX_NR_GPRS
};

/* What the entry code saves and restores; RSP and RIP live in the VMCS. */
struct nvmx_guest_regs {
	unsigned long gpr[NVMX_NR_GPRS];
	unsigned long cr2;
};

struct nvmx_memslot {
	u64 base_gfn;
	u64 npages;
	u64 userspace_addr;
	u32 flags;
	u16 id;
	/*
	 * Pages pinned for the guest, indexed by gfn - base_gfn, stored on
	 * first access: memory follows what the guest touched, not npages.
	 */
	struct xarray pages;
};

struct nvmx_vm {
	/* The creator's mm: KVM refuses VM and vCPU ioctls from any other. */
	struct mm_struct *mm;
	/* The VM fd, each vCPU fd and each stats fd hold one. */
	refcount_t refs;
	/* vCPU creation and the irqchip. */
	struct mutex lock;
	/* The memslots, the EPT tables and the pinned pages. */
	struct mutex mmu_lock;
	struct nvmx_memslot *slots[NVMX_MAX_MEMSLOTS];
	u64 *ept_root;
	u64 eptp;
	struct nvmx_vcpu *vcpus[NVMX_MAX_VCPUS];
	unsigned int nr_vcpus;
	bool irqchip;
	/* The PIC, IOAPIC and GSI routes (irqchip.h), once created. */
	struct nvmx_irqchip *ic;
	/* The PIT (pit_dev.c), once created; set once, under @lock. */
	struct nvmx_pit_dev *pit;
	/*
	 * Fixed before the first vCPU, under @lock: KVM_SET_BOOT_CPU_ID's
	 * id, KVM_CAP_MAX_VCPU_ID's bound (0: not set yet) and
	 * KVM_SET_IDENTITY_MAP_ADDR's address, which unrestricted guest
	 * never uses: it is only kept, as kvm_intel keeps it.
	 */
	u32 bsp_vcpu_id;
	u32 max_vcpu_ids;
	u64 identity_map_addr;
	/* KVM_CAP_X86_TRIPLE_FAULT_EVENT enabled: in vCPU events (events.c). */
	bool triple_fault_event;
	/* KVM_CAP_EXCEPTION_PAYLOAD enabled: pending and payloads reported. */
	bool exception_payload;
	/*
	 * The register emulation policy table and its masks (policy.h),
	 * under @lock; @policy_gen counts the tables set, so that each vCPU
	 * takes a new one before its next entry (policy_vm.c).
	 */
	struct nvmx_policy policy;
	struct nvmx_policy_masks masks;
	u64 policy_gen;
	struct dentry *debugfs;
	unsigned int debugfs_id;
	/*
	 * kvmclock (kvmclock.c): the VM's clock in ns is
	 * scale(host TSC - clock_base_tsc) + kvmclock_offset, scale() by
	 * clock_mul and clock_shift as a pvclock page gives them. Fixed at
	 * creation but kvmclock_offset (KVM_SET_CLOCK, READ_ONCE/WRITE_ONCE)
	 * and wall_clock_msr (MSR_KVM_WALL_CLOCK(_NEW), under @lock).
	 */
	u64 clock_base_tsc;
	s64 kvmclock_offset;
	u32 clock_mul;
	s8 clock_shift;
	u64 wall_clock_msr;
	/* KVM_SET_TSC_KHZ on the VM: new vCPUs' TSC rate (tsc.c). */
	u32 tsc_khz;
	/*
	 * KVM_X86_SET_MSR_FILTER's filter (msr_filter.c): set under @lock,
	 * read under RCU. The KVM_MSR_EXIT_REASON_* that exit to userspace.
	 */
	struct nvmx_msr_filter __rcu *msr_filter;
	u32 user_space_msr_mask;
	/* KVM_CAP_MSR_PLATFORM_INFO disabled: the guest's RDMSR is #GP. */
	bool platform_info_hidden;
	struct nvmx_vm_stats stat;
	/* KVM_IOEVENTFD registrations: RCU list, ioeventfd_lock for changes. */
	struct mutex ioeventfd_lock;
	struct list_head ioeventfds;
};

/* A userspace exit whose completion is due at the next KVM_RUN. */
enum nvmx_pending_io {
	NVMX_IO_NONE,
	NVMX_IO_PIO_IN,
	NVMX_IO_MMIO_READ,
	NVMX_IO_DONE_ADVANCE,
	NVMX_IO_PIO_INS,	/* string IN: store pio_page per vcpu->strio */
	NVMX_IO_RDMSR,		/* KVM_EXIT_X86_RDMSR (msr_filter.c) */
	NVMX_IO_WRMSR,		/* KVM_EXIT_X86_WRMSR */
};

/* A string I/O instruction being emulated (strio.c), taken from the exit. */
struct nvmx_strio {
	u16 port;
	u8 size;	/* 1, 2 or 4 */
	u8 addr_size;	/* 2, 4 or 8 */
	u8 seg;		/* enum nvmx_seg: ES for INS, DS or the override for OUTS */
	bool in, rep, df, long_mode;
	u32 count;	/* elements in the pending exit */
};

/* The SYSCALL MSRs a guest has its own values of (switch.c). */
enum nvmx_syscall_msr {
	NVMX_STAR, NVMX_LSTAR, NVMX_CSTAR, NVMX_SFMASK, NVMX_NR_SYSCALL_MSRS
};

/* Host state put aside while a guest's is loaded on this CPU (switch.c). */
struct nvmx_host_state {
	bool loaded;
	u16 ds, es, fs, gs, ldt;
	u64 fs_base;
	u64 kernel_gs_base;
	unsigned long debugctl;
	/* The guest's XCR0 is loaded (switch.c). */
	bool guest_xcr0;
	/* The guest's DR0-3 and DR6 are loaded (switch.c). */
	bool guest_dr;
};

/*
 * A VMCS and where it is loaded: the per-CPU list of loaded VMCSs holds
 * these, so vmcs01 and vmcs02 are loaded, migrated and cleared by one
 * piece of code (placement.c).
 */
struct nvmx_loaded_vmcs {
	struct page *page;
	u64 pa;
	/* The CPU it is loaded on, or -1 when clear. */
	int cpu;
	bool launched;
	struct list_head node;
	/*
	 * The shadow VMCS its link pointer names, or 0: the CPU may cache it
	 * while the guest runs, so it is cleared with this one.
	 */
	u64 shadow_pa;
};

struct nvmx_event {
	bool valid;
	u8 vector;
	u8 type;
	bool has_error;
	u32 error_code;
	u32 insn_len;
	/*
	 * What delivery writes, deferred while L1 may still take the
	 * exception as a VM exit (KVM_CAP_EXCEPTION_PAYLOAD): CR2 for #PF,
	 * DR6's new bits for #DB.
	 */
	bool has_payload;
	u64 payload;
};

struct nvmx_vcpu {
	struct nvmx_vm *vm;
	u32 id;
	/* Serialises the vCPU ioctls, as KVM's vcpu->mutex. */
	struct mutex mutex;
	struct kvm_run *run;
	struct page *run_page;
	struct page *pio_page;

	/*
	 * The vCPU's VMCSs and the one it runs on now (vmcs01 unless nested
	 * code switched), and the CPU it was last loaded on, or -1: see
	 * placement.c for the rules.
	 */
	struct nvmx_loaded_vmcs vmcs01;
	struct nvmx_loaded_vmcs *loaded;
	int cpu;
	struct preempt_notifier pn;
	u16 vpid;

	struct nvmx_guest_regs regs;
	struct fpu_guest guest_fpu;
	u64 xcr0;
	/* PKRU as KVM_GET/SET_XSAVE carry it (nvmx offers no PKU yet). */
	u32 pkru;
	u32 mp_state;

	/*
	 * CR0/CR4 as the guest wrote them, for the bits the current VMCS
	 * masks; the guest owns the others and they live in GUEST_CR0/CR4:
	 * read them with nvmx_read_cr0()/nvmx_read_cr4().
	 */
	unsigned long cr0;
	unsigned long cr4;
	/*
	 * The VM's policy masks this vCPU runs with, the generation they are
	 * of, and whether vmcs01's controls still need them (they changed
	 * while L2 ran).
	 */
	struct nvmx_policy_masks policy;
	u64 policy_gen;
	bool policy_stale01;
	u64 efer;
	u64 apic_base;
	/*
	 * L1's TSC (tsc.c): (host TSC * tsc_ratio >> 48) + tsc_offset;
	 * tsc_khz is the rate KVM_SET_TSC_KHZ gave (KVM_GET_TSC_KHZ answers
	 * it), tsc_hw_khz the rate the TSC runs at (the host's when the
	 * ratio is 1.0). tsc_stale01: vmcs01's fields lag (L2 ran).
	 */
	u64 tsc_offset;
	u64 tsc_ratio;
	u32 tsc_khz;
	u32 tsc_hw_khz;
	bool tsc_stale01;
	u64 tsc_adjust;
	u64 misc_enable;
	u64 feature_control;
	u64 mtrr_def_type;
	u64 mtrr_fixed[11];
	u64 mtrr_var[16];
	/*
	 * MSR_KVM_SYSTEM_TIME(_NEW): the pvclock page's GPA and enable bit
	 * 0, and the version its last update wrote (kept here, never read
	 * back from the guest): kvmclock.c.
	 */
	u64 system_time_msr;
	u32 pvclock_version;
	u64 power_ctl;
	/* MSR_PLATFORM_INFO: what userspace set (0 at creation). */
	u64 platform_info;
	/*
	 * Machine-check state (mce.c): MCG_CAP from KVM_X86_SETUP_MCE (0
	 * until then: no banks), and MCi_CTL, STATUS, ADDR, MISC per bank.
	 */
	u64 mcg_cap;
	u64 mcg_status;
	u64 mcg_ctl;
	u64 mce_banks[NVMX_MCE_BANKS * 4];
	/* Reset values (0) from creation on: never the host's. */
	u64 syscall_msrs[NVMX_NR_SYSCALL_MSRS];
	u64 kernel_gs_base;
	struct nvmx_host_state host;
	/* The VPID-tagged TLB must be flushed before the next entry. */
	bool flush_tlb;

	struct kvm_cpuid_entry2 *cpuid;
	u32 cpuid_nent;
	bool has_run;

	struct page *msr_bitmap;
	struct page *apic_page;
	/* The in-kernel local APIC besides its register page (lapic.h). */
	struct nvmx_lapic lapic;

	/*
	 * Guest debug registers. MOV DR always exits, so these are the
	 * truth; they are loaded into the CPU while the guest runs when DR7
	 * enables a breakpoint (switch.c).
	 */
	unsigned long dr[4];
	unsigned long dr6;
	unsigned long dr7;
	/*
	 * KVM_SET_GUEST_DEBUG (vstate.c): its KVM_GUESTDBG_* flags (0 when
	 * off), the breakpoints it loads instead of the guest's while
	 * USE_HW_BP is on, the length of the last intercepted INT3 (for
	 * INJECT_BP), and whether an emulated instruction completed (its
	 * single-step trap is nvmx's to raise).
	 */
	u32 guest_debug;
	unsigned long gdb_dr[4];
	unsigned long gdb_dr7;
	u32 bp_insn_len;
	bool step_due;
	/* Single-step set RFLAGS.TF, which the guest did not have. */
	bool step_tf;

	/* Queued, not yet in the VMCS; and being delivered (events.c). */
	struct nvmx_event pending;
	struct nvmx_event injected;
	/* An exception arose while delivering #DF: shutdown before entry. */
	bool triple_fault;
	enum nvmx_pending_io pending_io;
	u32 pending_insn_len;
	/* Width of a pending PIO IN (1, 2 or 4), never kvm_run's io.size. */
	u8 pio_size;
	struct nvmx_mmio_insn mmio_insn;
	/* The INS or OUTS of the last string I/O exit (strio.c). */
	struct nvmx_strio strio;
	u64 exit_reason;
	/*
	 * enum nvmx_vcpu_mode and the NVMX_REQ_* bits (irq.h): what
	 * nvmx_vcpu_kick() from another task reads and sets; @wait is where
	 * a halted vCPU sleeps.
	 */
	int mode;
	unsigned long requests;
	struct rcuwait wait;
	/* An NMI queued (KVM_NMI or an APIC) and not yet injected. */
	bool nmi_pending;
	/*
	 * KVM_INTERRUPT's vector, queued without an in-kernel irqchip and not
	 * yet injected (irq.c); under vcpu->mutex.
	 */
	bool irq_queued;
	u8 irq_vector;
	/*
	 * With a split irqchip (irqchip.c): KVM_INTERRUPT's ExtINT vector,
	 * taken when the APIC accepts ExtINT; and the vector of an EOI that
	 * userspace's IOAPIC must see (KVM_EXIT_IOAPIC_EOI, lapic.c). Both
	 * under vcpu->mutex.
	 */
	bool ext_queued;
	u8 ext_vector;
	bool eoi_exit;
	u8 eoi_exit_vector;
	/* Exit right after the next entry: preemption timer 0 (irq.c). */
	bool immediate_exit;
	/* The last SIPI's vector (KVM_SET_VCPU_EVENTS), for the APIC. */
	u8 sipi_vector;
	struct nvmx_vcpu_stats stat;
	struct nvmx_nested nested;
};

/* Exit interruption information that is an NMI, or a machine check. */
static inline bool nvmx_intr_info_is_nmi(u32 info)
{
	return (info & (INTR_INFO_VALID_MASK | INTR_INFO_INTR_TYPE_MASK)) ==
	       (INTR_INFO_VALID_MASK | INTR_TYPE_NMI_INTR);
}

static inline bool nvmx_intr_info_is_mc(u32 info)
{
	return (info & (INTR_INFO_VALID_MASK | INTR_INFO_INTR_TYPE_MASK |
			INTR_INFO_VECTOR_MASK)) ==
	       (INTR_INFO_VALID_MASK | INTR_TYPE_HARD_EXCEPTION | MC_VECTOR);
}

/* Whether the last exit was a failed VM entry (exit reason bit 31). */
static inline bool nvmx_entry_failed(const struct nvmx_vcpu *vcpu)
{
	return vcpu->exit_reason & VMX_EXIT_REASONS_FAILED_VMENTRY;
}

/*
 * Counts an exit of @vcpu at @level (NVMX_LEVEL_*) in the stats fd's
 * histograms, which NVMX_GET_EXIT_COUNTS reads too. @qual matters only
 * for a CR access (reason 28).
 */
static inline void nvmx_count_exit(struct nvmx_vcpu *vcpu, u32 level,
				   u32 reason, u64 qual)
{
	nvmx_stats_count_exit(&vcpu->stat, level, reason, qual);
}

/* vmx.c: VMX capabilities and per-CPU VMX operation */
extern struct nvmx_vmx_caps nvmx_caps;
int nvmx_vmx_init(void);
void nvmx_vmx_exit(void);
int nvmx_vmx_get(void);
void nvmx_vmx_put(void);
unsigned int nvmx_vmx_cpus(void);
bool nvmx_vmx_shutting_down(void);
bool nvmx_this_cpu_vmx_on(void);
void nvmx_on_vmx_cpus(void (*func)(void *info), void *info);

/* vm.c: VM objects and the VM fd */
int nvmx_vm_init(void);
void nvmx_vm_exit(void);
int nvmx_vm_create(unsigned long type);
unsigned int nvmx_vm_count(void);
long nvmx_check_extension(long cap);
void nvmx_vm_get(struct nvmx_vm *vm);
void nvmx_vm_put(struct nvmx_vm *vm);
void nvmx_vm_put_owner(void *owner);

/* placement.c: where VMCSs are loaded, VPIDs, vCPU load and put */
int nvmx_placement_init(void);
void nvmx_placement_exit(void);
u16 nvmx_vpid_alloc(void);
void nvmx_vpid_free(u16 vpid);
int nvmx_loaded_vmcs_alloc(struct nvmx_loaded_vmcs *lv);
void nvmx_loaded_vmcs_free(struct nvmx_loaded_vmcs *lv);
void nvmx_loaded_vmcs_clear(struct nvmx_loaded_vmcs *lv);
void nvmx_vmcs_clear_this_cpu(void);
void nvmx_switch_vmcs(struct nvmx_vcpu *vcpu, struct nvmx_loaded_vmcs *lv);
bool nvmx_vmcs_borrow(u64 pa, bool clear_first, unsigned long *flags);
void nvmx_vmcs_unborrow(u64 pa, unsigned long flags);
void nvmx_placement_init_vcpu(struct nvmx_vcpu *vcpu);
void nvmx_vcpu_load(struct nvmx_vcpu *vcpu);
void nvmx_vcpu_put(struct nvmx_vcpu *vcpu);

/* vcpu.c: vCPU objects, their fd and ioctls */
int nvmx_vcpu_create(struct nvmx_vm *vm, unsigned long id);
void nvmx_vcpu_free(struct nvmx_vcpu *vcpu);
struct nvmx_cpuid_state nvmx_vcpu_cpuid_state(struct nvmx_vcpu *vcpu);

/* vstate.c: vCPU state ioctls (XSAVE, XCRS, DEBUGREGS, SREGS2, SYNC_REGS) */
int nvmx_xsave2_size(void);
int nvmx_sync_regs_mask(void);
int nvmx_sync_regs_in(struct nvmx_vcpu *vcpu);
void nvmx_sync_regs_out(struct nvmx_vcpu *vcpu);
void nvmx_guest_debug_before_entry(struct nvmx_vcpu *vcpu);
bool nvmx_guest_debug_step_exit(struct nvmx_vcpu *vcpu);
int nvmx_guest_debug_exit(struct nvmx_vcpu *vcpu, u8 vector,
			  unsigned long dr6);
unsigned long nvmx_eff_dr7(struct nvmx_vcpu *vcpu);
unsigned long nvmx_get_rflags(struct nvmx_vcpu *vcpu);
void nvmx_set_rflags(struct nvmx_vcpu *vcpu, unsigned long rflags);
long nvmx_vcpu_state_ioctl(struct nvmx_vcpu *vcpu, unsigned int ioctl,
			   void __user *argp);

/* events.c: event queueing, injection and re-queueing */
void nvmx_vcpu_inject_gp(struct nvmx_vcpu *vcpu);
void nvmx_vcpu_inject_ud(struct nvmx_vcpu *vcpu);
void nvmx_queue_event(struct nvmx_vcpu *vcpu, const struct nvmx_event *e);
void nvmx_queue_pf(struct nvmx_vcpu *vcpu, u64 addr, u32 error_code);
void nvmx_event_deliver_payload(struct nvmx_vcpu *vcpu, struct nvmx_event *e);
void nvmx_queue_exception(struct nvmx_vcpu *vcpu, u8 vector, bool has_error,
			  u32 error_code);
void nvmx_inject_pending(struct nvmx_vcpu *vcpu);
void nvmx_requeue_vectoring(struct nvmx_vcpu *vcpu, u32 idt_info,
			    u32 idt_error, u32 insn_len);
void nvmx_vcpu_get_events(struct nvmx_vcpu *vcpu, struct kvm_vcpu_events *ev);
int nvmx_vcpu_set_events(struct nvmx_vcpu *vcpu,
			 const struct kvm_vcpu_events *ev);

/* run.c: KVM_RUN, VM entry and exit */
int nvmx_vcpu_run(struct nvmx_vcpu *vcpu);
void nvmx_vcpu_advance_rip(struct nvmx_vcpu *vcpu, u32 len);
void nvmx_vcpu_skip_insn(struct nvmx_vcpu *vcpu);
unsigned long nvmx_gpr_read(struct nvmx_vcpu *vcpu, unsigned int n);
void nvmx_gpr_write(struct nvmx_vcpu *vcpu, unsigned int n, unsigned long v);
int nvmx_vcpu_block(struct nvmx_vcpu *vcpu);

/* mmu.c: memslots and EPT */
int nvmx_mmu_init_vm(struct nvmx_vm *vm);
void nvmx_mmu_destroy_vm(struct nvmx_vm *vm);
int nvmx_set_memory_region(struct nvmx_vm *vm,
			   const struct kvm_userspace_memory_region *mem);
int nvmx_mmu_map_gpa(struct nvmx_vm *vm, u64 gpa, bool write);
struct nvmx_memslot *nvmx_gpa_to_slot(struct nvmx_vm *vm, u64 gpa);
int nvmx_read_guest(struct nvmx_vm *vm, u64 gpa, void *buf, unsigned int len);
int nvmx_write_guest(struct nvmx_vm *vm, u64 gpa, const void *buf,
		     unsigned int len);
struct page *nvmx_gpa_get_page(struct nvmx_vm *vm, u64 gpa);
void nvmx_load_pdptrs(struct nvmx_vcpu *vcpu, unsigned long cr3);

/* ioeventfd.c: KVM_IOEVENTFD */
void nvmx_ioeventfd_init_vm(struct nvmx_vm *vm);
void nvmx_ioeventfd_destroy_vm(struct nvmx_vm *vm);
long nvmx_vm_ioeventfd(struct nvmx_vm *vm, void __user *argp);
bool nvmx_ioeventfd_write(struct nvmx_vm *vm, bool pio, u64 addr,
			  unsigned int len, u64 val);

/* mmio.c: MMIO emulation */
int nvmx_emulate_mmio(struct nvmx_vcpu *vcpu, u64 gpa);
void nvmx_mmio_complete_read(struct nvmx_vcpu *vcpu);
struct nvmx_gwalk_regs;
void nvmx_guest_walk_regs(struct nvmx_vcpu *vcpu, struct nvmx_gwalk_regs *regs,
			  u64 *pdptes);
int nvmx_gwalk_read(void *opaque, u64 gpa, unsigned int size, u64 *val);
enum nvmx_cpu_mode nvmx_vcpu_mode(struct nvmx_vcpu *vcpu);
int nvmx_fetch_insn(struct nvmx_vcpu *vcpu, enum nvmx_cpu_mode mode, u8 *buf);

/* strio.c: INS and OUTS */
int nvmx_handle_string_io(struct nvmx_vcpu *vcpu, u64 q);
int nvmx_strio_complete_ins(struct nvmx_vcpu *vcpu);

/* lapic.c: the in-kernel local APIC */
u8 nvmx_get_tpr(struct nvmx_vcpu *vcpu);
void nvmx_set_tpr(struct nvmx_vcpu *vcpu, u8 tpr);
void nvmx_lapic_reset(struct nvmx_vcpu *vcpu);
int nvmx_set_apic_base(struct nvmx_vcpu *vcpu, u64 data, bool host);
bool nvmx_lapic_mmio_range(struct nvmx_vcpu *vcpu, u64 gpa);
void nvmx_lapic_mmio(struct nvmx_vcpu *vcpu, unsigned int offset,
		     bool is_write, unsigned int len, u64 *data);

/* vmcs01.c: the VMCS nvmx runs a guest with */
extern u64 nvmx_host_xcr0;
int nvmx_vmcs01_init(void);
u64 nvmx_guest_xcr0_allowed(struct nvmx_vcpu *vcpu);
int nvmx_vmcs01_setup(struct nvmx_vcpu *vcpu);
void nvmx_vmcs_write_host_state(struct nvmx_vcpu *vcpu);
void nvmx_vmcs_set_host_per_cpu(void);
void nvmx_vmcs01_before_entry(struct nvmx_vcpu *vcpu);
void nvmx_vmcs01_init_event(struct nvmx_vcpu *vcpu);
void nvmx_vmcs01_sipi(struct nvmx_vcpu *vcpu, u8 vector);
int nvmx_get_regs(struct nvmx_vcpu *vcpu, struct kvm_regs *regs);
int nvmx_set_regs(struct nvmx_vcpu *vcpu, const struct kvm_regs *regs);
int nvmx_get_sregs(struct nvmx_vcpu *vcpu, struct kvm_sregs *sregs);
int nvmx_set_sregs(struct nvmx_vcpu *vcpu, const struct kvm_sregs *sregs);
unsigned long nvmx_read_cr0(struct nvmx_vcpu *vcpu);
unsigned long nvmx_read_cr4(struct nvmx_vcpu *vcpu);
u64 nvmx_l0_cr4_mask(struct nvmx_vcpu *vcpu);
void nvmx_write_cr0(struct nvmx_vcpu *vcpu, unsigned long cr0);
void nvmx_write_cr4(struct nvmx_vcpu *vcpu, unsigned long cr4);
void nvmx_policy_apply_ctls(struct nvmx_vcpu *vcpu, bool vmcs02);
int nvmx_set_cr0(struct nvmx_vcpu *vcpu, unsigned long cr0);
int nvmx_set_cr4(struct nvmx_vcpu *vcpu, unsigned long cr4);
unsigned long nvmx_cr4_allowed(struct nvmx_vcpu *vcpu);
int nvmx_set_efer(struct nvmx_vcpu *vcpu, u64 efer, bool host);

/* msr.c: guest MSRs */
int nvmx_get_msr(struct nvmx_vcpu *vcpu, u32 index, u64 *data, bool host);
int nvmx_set_msr(struct nvmx_vcpu *vcpu, u32 index, u64 data, bool host);
int nvmx_msr_index_list(struct kvm_msr_list __user *user);
int nvmx_msr_feature_index_list(struct kvm_msr_list __user *user);
int nvmx_get_feature_msrs(struct kvm_msrs __user *user);
void nvmx_msr_bitmap_init(void *bitmap);
void nvmx_msr_bitmap_update(struct nvmx_vcpu *vcpu, void *bitmap);

/* msr_filter.c: KVM_X86_SET_MSR_FILTER and user-space MSR exits */
struct nvmx_msr_filter;
long nvmx_vm_set_msr_filter(struct nvmx_vm *vm, void __user *argp);
void nvmx_vm_free_msr_filter(struct nvmx_vm *vm);
bool nvmx_msr_allowed(struct nvmx_vcpu *vcpu, u32 index, bool write);
long nvmx_vm_enable_user_space_msr(struct nvmx_vm *vm, u64 reasons);
bool nvmx_msr_user_exit(struct nvmx_vcpu *vcpu, u32 index, bool write,
			u64 data, int err);
bool nvmx_msr_complete_user_exit(struct nvmx_vcpu *vcpu);
void nvmx_msr_filter_apply(struct nvmx_vcpu *vcpu);

/* switch.c: host and guest state around VM entry and exit */
int nvmx_switch_to_guest(struct nvmx_vcpu *vcpu);
void nvmx_switch_after_exit(struct nvmx_vcpu *vcpu);
void nvmx_switch_to_host(struct nvmx_vcpu *vcpu);
void nvmx_uret_drop_this_cpu(void);
u64 nvmx_guest_kernel_gs_base(struct nvmx_vcpu *vcpu);
void nvmx_set_guest_kernel_gs_base(struct nvmx_vcpu *vcpu, u64 v);

/* exits.c: VM-exit handlers */
int nvmx_handle_exit(struct nvmx_vcpu *vcpu);
void nvmx_queue_db(struct nvmx_vcpu *vcpu, unsigned long dr6);
int nvmx_l0_handle_exit(struct nvmx_vcpu *vcpu);

/* kvmclock.c: kvmclock, KVM_GET/SET_CLOCK, the TSC frequency */
void nvmx_kvmclock_vm_init(struct nvmx_vm *vm);
u64 nvmx_kvmclock_ns(struct nvmx_vm *vm, u64 host_tsc);
long nvmx_vm_get_clock(struct nvmx_vm *vm, void __user *argp);
long nvmx_vm_set_clock(struct nvmx_vm *vm, void __user *argp);
void nvmx_kvmclock_set_wall_clock(struct nvmx_vcpu *vcpu, u64 data);
void nvmx_kvmclock_set_system_time(struct nvmx_vcpu *vcpu, u64 data);
void nvmx_kvmclock_update(struct nvmx_vcpu *vcpu);

/* tsc.c: the guest's TSC, its offset and rate */
extern bool nvmx_tsc_scaling;
u64 nvmx_guest_tsc_at(struct nvmx_vcpu *vcpu, u64 host_tsc);
u64 nvmx_guest_tsc(struct nvmx_vcpu *vcpu);
u64 nvmx_guest_tsc_current(struct nvmx_vcpu *vcpu);
void nvmx_tsc_vmcs01_sync(struct nvmx_vcpu *vcpu);
void nvmx_tsc_set(struct nvmx_vcpu *vcpu, u64 guest_tsc);
void nvmx_tsc_adjust(struct nvmx_vcpu *vcpu, u64 delta);
void nvmx_tsc_vcpu_init(struct nvmx_vcpu *vcpu);
long nvmx_vcpu_set_tsc_khz(struct nvmx_vcpu *vcpu, unsigned long arg);
long nvmx_vcpu_get_tsc_khz(struct nvmx_vcpu *vcpu);
long nvmx_vm_set_tsc_khz(struct nvmx_vm *vm, unsigned long arg);
long nvmx_vm_get_tsc_khz(struct nvmx_vm *vm);

/* mce.c: the guest's machine-check architecture */
long nvmx_mce_cap_supported(void __user *argp);
long nvmx_vcpu_setup_mce(struct nvmx_vcpu *vcpu, void __user *argp);
long nvmx_vcpu_set_mce(struct nvmx_vcpu *vcpu, void __user *argp);
int nvmx_mce_get_msr(struct nvmx_vcpu *vcpu, u32 index, u64 *data, bool host);
int nvmx_mce_set_msr(struct nvmx_vcpu *vcpu, u32 index, u64 data, bool host);

/* dev.c: /dev/nvmx */
int nvmx_dev_init(void);
void nvmx_dev_exit(void);

/* policy_vm.c: the policy table of each VM */
extern struct nvmx_policy_host nvmx_policy_host;
int nvmx_policy_init(void);
void nvmx_policy_vm_init(struct nvmx_vm *vm);
void nvmx_policy_vcpu_init(struct nvmx_vcpu *vcpu);
void nvmx_policy_vcpu_sync(struct nvmx_vcpu *vcpu);
long nvmx_policy_get(struct nvmx_vm *vm, void __user *argp);
long nvmx_policy_set(struct nvmx_vm *vm, void __user *argp);

/* debugfs.c: /sys/kernel/debug/nvmx (nothing fails without debugfs) */
void nvmx_debugfs_init(void);
void nvmx_debugfs_exit(void);
void nvmx_debugfs_vm_create(struct nvmx_vm *vm);
void nvmx_debugfs_vm_destroy(struct nvmx_vm *vm);

/* uapi_copy.c: the size-prefixed structs of <uapi/linux/nvmx.h> */
int nvmx_copy_struct_in(void *dst, size_t ksize, size_t min,
			void __user *argp);
int nvmx_copy_struct_out(void __user *argp, void *src, u32 *size_field,
			 size_t ksize, u32 usize);

/* spec.c: speculative-execution mitigations (NVMX_MITIGATION_*) */
extern u64 nvmx_spec_mitigations;
int nvmx_spec_init(void);
void nvmx_spec_exit(void);
void nvmx_spec_before_entry(void);
void nvmx_spec_after_exit(void);

/* vmenter.S: nvmx_vmenter() returns 0 after a VM exit, or one of these. */
#define NVMX_VMENTER_VMFAIL	1
#define NVMX_VMENTER_FAULT	2
int nvmx_vmenter(struct nvmx_guest_regs *regs, bool launched);
void nvmx_vmexit(void);
void nvmx_call_nmi_handler(void);

#endif /* NVMX_H */
