/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmcs02 merge rules: how each control, mask and bitmap of the VMCS that
 * runs L2 is built from what L0 wants (vmcs01's value) and what L1 asked
 * for (vmcs12). One function per vmcs02 field or field group; the lead's
 * vmcs02 builder calls them for the CTRL and CR rows of vmcs12_fields.h.
 * Pure logic (see pure.h).
 *
 * The control words follow a table with one named row per defined SDM bit
 * (merge.c): the bit comes from L0 only, from vmcs12 only, from either
 * (OR), or never. Bits the SDM reserves come from vmcs01, which already
 * holds the host CPU's default-1 settings. A few rules on top are code:
 * CR8 exiting without TPR shadow, the I/O controls, secondary controls
 * counting only when vmcs12 activates them, and the TPR rules below.
 */
#ifndef NVMX_NESTED_MERGE_H
#define NVMX_NESTED_MERGE_H

#include "pure.h"
#include "nested/vmcs12.h"

#ifndef BIT
#define BIT(n)	(1UL << (n))	/* userspace: <linux/bits.h>'s */
#endif

/*
 * Architectural bits used here and in route.c. NVMX_MG_ names never clash
 * with <asm/vmx.h> (the kernel build sees both).
 */
/* Pin-based VM-execution controls */
#define NVMX_MG_PIN_EXTINT		BIT(0)
#define NVMX_MG_PIN_NMI			BIT(3)
#define NVMX_MG_PIN_VNMI		BIT(5)
#define NVMX_MG_PIN_PREEMPT		BIT(6)
#define NVMX_MG_PIN_POSTED		BIT(7)
/* Primary processor-based VM-execution controls */
#define NVMX_MG_PROC_INTR_WINDOW	BIT(2)
#define NVMX_MG_PROC_TSC_OFFSET		BIT(3)
#define NVMX_MG_PROC_HLT		BIT(7)
#define NVMX_MG_PROC_INVLPG		BIT(9)
#define NVMX_MG_PROC_MWAIT		BIT(10)
#define NVMX_MG_PROC_RDPMC		BIT(11)
#define NVMX_MG_PROC_RDTSC		BIT(12)
#define NVMX_MG_PROC_CR3_LOAD		BIT(15)
#define NVMX_MG_PROC_CR3_STORE		BIT(16)
#define NVMX_MG_PROC_TERTIARY		BIT(17)
#define NVMX_MG_PROC_CR8_LOAD		BIT(19)
#define NVMX_MG_PROC_CR8_STORE		BIT(20)
#define NVMX_MG_PROC_TPR_SHADOW		BIT(21)
#define NVMX_MG_PROC_NMI_WINDOW		BIT(22)
#define NVMX_MG_PROC_MOV_DR		BIT(23)
#define NVMX_MG_PROC_UNCOND_IO		BIT(24)
#define NVMX_MG_PROC_IO_BITMAPS		BIT(25)
#define NVMX_MG_PROC_MTF		BIT(27)
#define NVMX_MG_PROC_MSR_BITMAPS	BIT(28)
#define NVMX_MG_PROC_MONITOR		BIT(29)
#define NVMX_MG_PROC_PAUSE		BIT(30)
#define NVMX_MG_PROC_SECONDARY		BIT(31)
/* Secondary processor-based VM-execution controls */
#define NVMX_MG_PROC2_APIC_ACCESS	BIT(0)
#define NVMX_MG_PROC2_EPT		BIT(1)
#define NVMX_MG_PROC2_DESC		BIT(2)
#define NVMX_MG_PROC2_RDTSCP		BIT(3)
#define NVMX_MG_PROC2_X2APIC		BIT(4)
#define NVMX_MG_PROC2_VPID		BIT(5)
#define NVMX_MG_PROC2_WBINVD		BIT(6)
#define NVMX_MG_PROC2_UNRESTRICTED	BIT(7)
#define NVMX_MG_PROC2_APIC_REG		BIT(8)
#define NVMX_MG_PROC2_VID		BIT(9)
#define NVMX_MG_PROC2_PLE		BIT(10)
#define NVMX_MG_PROC2_RDRAND		BIT(11)
#define NVMX_MG_PROC2_INVPCID		BIT(12)
#define NVMX_MG_PROC2_VMFUNC		BIT(13)
#define NVMX_MG_PROC2_SHADOW_VMCS	BIT(14)
#define NVMX_MG_PROC2_ENCLS		BIT(15)
#define NVMX_MG_PROC2_RDSEED		BIT(16)
#define NVMX_MG_PROC2_PML		BIT(17)
#define NVMX_MG_PROC2_EPT_VE		BIT(18)
#define NVMX_MG_PROC2_PT_CONCEAL	BIT(19)
#define NVMX_MG_PROC2_XSAVES		BIT(20)
#define NVMX_MG_PROC2_MBEC		BIT(22)
#define NVMX_MG_PROC2_SPP		BIT(23)
#define NVMX_MG_PROC2_PT_GPA		BIT(24)
#define NVMX_MG_PROC2_TSC_SCALING	BIT(25)
#define NVMX_MG_PROC2_WAITPKG		BIT(26)
#define NVMX_MG_PROC2_PCONFIG		BIT(27)
#define NVMX_MG_PROC2_ENCLV		BIT(28)
/* VM-exit controls */
#define NVMX_MG_EXIT_SAVE_DEBUG		BIT(2)
#define NVMX_MG_EXIT_HOST_64		BIT(9)
#define NVMX_MG_EXIT_LOAD_PERF		BIT(12)
#define NVMX_MG_EXIT_ACK_INTR		BIT(15)
#define NVMX_MG_EXIT_SAVE_PAT		BIT(18)
#define NVMX_MG_EXIT_LOAD_PAT		BIT(19)
#define NVMX_MG_EXIT_SAVE_EFER		BIT(20)
#define NVMX_MG_EXIT_LOAD_EFER		BIT(21)
#define NVMX_MG_EXIT_SAVE_PREEMPT	BIT(22)
/* VM-entry controls */
#define NVMX_MG_ENTRY_LOAD_DEBUG	BIT(2)
#define NVMX_MG_ENTRY_IA32E		BIT(9)
#define NVMX_MG_ENTRY_SMM		BIT(10)
#define NVMX_MG_ENTRY_DUAL_MONITOR	BIT(11)
#define NVMX_MG_ENTRY_LOAD_PERF		BIT(13)
#define NVMX_MG_ENTRY_LOAD_PAT		BIT(14)
#define NVMX_MG_ENTRY_LOAD_EFER		BIT(15)

#define NVMX_MG_PF_VECTOR		14

/* An MSR bitmap, an I/O bitmap (A or B): one 4 KiB page, as 64-bit words. */
#define NVMX_MG_BITMAP_WORDS		(4096 / 8)

/* Where a control bit of vmcs02 comes from (one row per bit, merge.c). */
enum nvmx_merge_src {
	NVMX_MG_L0,	/* vmcs01 only: L0's own business */
	NVMX_MG_V12,	/* vmcs12 only: L1's choice for L2 */
	NVMX_MG_BOTH,	/* either: an exit either level wants */
	NVMX_MG_NEVER,	/* not emulated for L2: never in vmcs02 */
	NVMX_MG_RULE,	/* computed by the function's own rule */
};

enum nvmx_merge_ctl {
	NVMX_MG_CTL_PIN, NVMX_MG_CTL_PROC, NVMX_MG_CTL_PROC2,
	NVMX_MG_CTL_EXIT, NVMX_MG_CTL_ENTRY, NVMX_MG_CTL_NR
};

struct nvmx_merge_bit {
	const char *name;
	u8 bit;
	u8 src;		/* enum nvmx_merge_src */
};

/* The rows of one control word, for tracing and the unit tests. */
const struct nvmx_merge_bit *nvmx_merge_bits(enum nvmx_merge_ctl ctl,
					     unsigned int *nr);

/* Secondary controls as the CPU reads them: 0 unless activated. */
static inline u32 nvmx_merge_v12_proc2(const struct nvmx_vmcs12 *v12)
{
	if (!(v12->cpu_based_vm_exec_control & NVMX_MG_PROC_SECONDARY))
		return 0;
	return v12->secondary_vm_exec_control;
}

/*
 * Control words of vmcs02. xx01 is vmcs01's value (valid on this CPU: the
 * reserved bits come from it). The caller writes the result as it is.
 */
u32 nvmx_merge_pin(u32 pin01, const struct nvmx_vmcs12 *v12);
/*
 * Includes the I/O controls (nvmx_merge_io_controls()) and the TPR
 * controls (nvmx_merge_tpr_controls(), @tpr_intercept being the policy
 * table's TPR row as the vCPU runs it: vcpu->policy.tpr_intercept).
 * "Use MSR bitmaps" is set if either level uses them; build the bitmap
 * with nvmx_merge_msr_bitmap().
 */
u32 nvmx_merge_proc(u32 proc01, const struct nvmx_vmcs12 *v12,
		    bool tpr_intercept);
u32 nvmx_merge_proc2(u32 proc2_01, const struct nvmx_vmcs12 *v12);
/*
 * The exit from L2 goes to L0: vmcs02's exit controls are vmcs01's; L1's
 * exit controls are emulated at the nested VM exit.
 */
u32 nvmx_merge_exit(u32 exit01, const struct nvmx_vmcs12 *v12);
/*
 * IA-32e mode guest from vmcs12; load debug controls, PAT and EFER when
 * either level loads them. The caller then writes into vmcs02's guest
 * DR7/DEBUGCTL, PAT and EFER vmcs12's values where vmcs12 loads them, and
 * where only L0 does the values an entry without loading leaves (L1's
 * current ones; for EFER, LMA and LME from IA-32e mode guest as the SDM
 * says).
 */
u32 nvmx_merge_entry(u32 entry01, const struct nvmx_vmcs12 *v12);

/*
 * The I/O bits (unconditional I/O exiting, use I/O bitmaps) of vmcs02:
 * unconditional if either level exits on every port, bitmaps if either
 * uses bitmaps (and neither exits unconditionally), none if neither exits.
 */
u32 nvmx_merge_io_controls(u32 proc01, u32 proc12);

/*
 * One page of vmcs02's I/O bitmaps (A or B; call once per page) when
 * nvmx_merge_io_controls() chose bitmaps: the OR of each level's view of
 * that page, a level with bitmaps giving its page (io01 or io12), one
 * exiting unconditionally all ones, one not exiting zeros. A NULL page of
 * a level with bitmaps counts as all ones (L1's page could not be read).
 * dst may be io01 or io12.
 */
void nvmx_merge_io_bitmap(u64 *dst, u32 proc01, const u64 *io01,
			  u32 proc12, const u64 *io12);

/*
 * vmcs02's MSR bitmap: msr01 | msr12, where NULL stands for a level
 * without MSR bitmaps (every MSR access exits: all ones), or whose page
 * could not be read. dst may be msr01 or msr12 (merged in place).
 */
void nvmx_merge_msr_bitmap(u64 *dst, const u64 *msr01, const u64 *msr12);

/*
 * Exception bitmap and #PF error-code mask/match. A #PF exits iff
 * bit 14 XOR ((error & mask) != match). If L0 wants no #PF at all, vmcs02
 * takes vmcs12's bit 14, mask and match; otherwise every #PF exits
 * (bit 14 set, mask = match = 0) and nvmx_route_exit() sorts them.
 */
struct nvmx_merge_xcpt {
	u32 bitmap;
	u32 pfec_mask;
	u32 pfec_match;
};

void nvmx_merge_exceptions(const struct nvmx_merge_xcpt *x01,
			   const struct nvmx_vmcs12 *v12,
			   struct nvmx_merge_xcpt *x02);
/* Does a #PF with this error code exit, for that bitmap/mask/match? */
bool nvmx_pf_exits(u32 bitmap, u32 mask, u32 match, u32 error);
/* ... for every error code, for none. */
bool nvmx_pf_exits_all(u32 bitmap, u32 mask, u32 match);
bool nvmx_pf_exits_none(u32 bitmap, u32 mask, u32 match);

/* TSC offset of vmcs02: L0's plus L1's when vmcs12 offsets the TSC. */
u64 nvmx_merge_tsc_offset(u64 offset01, const struct nvmx_vmcs12 *v12);

/*
 * CR3-target count of vmcs02: 0. With CR3-load exiting from vmcs12 every
 * MOV to CR3 exits and nvmx_route_exit() compares vmcs12's targets.
 */
u32 nvmx_merge_cr3_target_count(const struct nvmx_vmcs12 *v12);

/*
 * TPR (CR8) of L2, three cases (Documentation/nested.md, "TPR (CR8)"):
 *
 *   L1_SHADOW     vmcs12 uses the TPR shadow: vmcs02 too, on L1's
 *                 virtual-APIC page (translated and pinned) with vmcs12's
 *                 threshold; reason 43 is L1's.
 *   L0_SHADOW     no TPR shadow in vmcs12, TPR row SHADOWING (embodiment
 *                 1, the default): vmcs02 uses the TPR shadow on L1's own
 *                 virtual-APIC page (vmcs01's, L1's LAPIC TPR) with L0's
 *                 threshold (vmcs01's). L2's CR8 is L1's TPR with no exit,
 *                 as on bare metal; reason 43 is L0's.
 *   L0_INTERCEPT  no TPR shadow in vmcs12, TPR row INTERCEPT (embodiment
 *                 2, kvm_intel's way): no TPR shadow, CR8-load and
 *                 CR8-store exiting; L0 emulates each access against L1's
 *                 TPR.
 *
 * With a shadow, CR8-load/store exiting are vmcs12's: they take precedence
 * and route.c reflects them. The real TPR is never L1's or L2's: no case
 * lets CR8 reach it.
 */
enum nvmx_tpr_mode {
	NVMX_TPR_L1_SHADOW,
	NVMX_TPR_L0_SHADOW,
	NVMX_TPR_L0_INTERCEPT,
};

enum nvmx_tpr_mode nvmx_merge_tpr_mode(const struct nvmx_vmcs12 *v12,
				       bool tpr_intercept);
/* vmcs02's CR8-load, CR8-store exiting and use-TPR-shadow bits. */
u32 nvmx_merge_tpr_controls(enum nvmx_tpr_mode mode,
			    const struct nvmx_vmcs12 *v12);
/*
 * TPR threshold of vmcs02: vmcs12's (L1_SHADOW), vmcs01's @threshold01
 * (L0_SHADOW), 0 (L0_INTERCEPT: no shadow, the field is unused).
 */
u32 nvmx_merge_tpr_threshold(enum nvmx_tpr_mode mode, u32 threshold01,
			     const struct nvmx_vmcs12 *v12);

/*
 * CR0/CR4 guest/host masks and read shadows of vmcs02, one function each,
 * with M0 L0's mask (the policy table's, policy.h), M1/S1/G1 vmcs12's
 * mask, read shadow and guest CR:
 *   mask02   = M0 | M1
 *   shadow02 = (S1 & M1) | (cr & ~M1)
 * where cr is L2's CR in L1's terms: G1 at entry, nvmx_merge_cr0_l2_write()'s
 * result after an L2 write L0 absorbed. The shadow is not vmcs12's: for
 * bits only L0 traps, L2 must read its own value. vmcs02's GUEST_CR is
 * nvmx_policy_cr_real() of cr: (cr & ~F0) | (H & F0).
 */
u64 nvmx_merge_cr0_mask(u64 mask01, const struct nvmx_vmcs12 *v12);
u64 nvmx_merge_cr4_mask(u64 mask01, const struct nvmx_vmcs12 *v12);
u64 nvmx_merge_cr0_shadow(const struct nvmx_vmcs12 *v12, u64 cr);
u64 nvmx_merge_cr4_shadow(const struct nvmx_vmcs12 *v12, u64 cr);

/*
 * An L2 MOV to CR0/CR4 (or LMSW, CLTS: the caller computes the new value)
 * that L1 does not intercept: the value L2's CR takes in L1's terms. The
 * bits L1 traps keep vmcs12's guest_cr (the write left them as L1 expects,
 * else it would have been reflected); the rest are the written value. L0
 * then checks it as the CPU would (fixed bits, reserved bits), writes it
 * into vmcs02's GUEST_CR with L0's forced bits, and sets the read shadow
 * from it (nvmx_merge_cr0_shadow(), which gives back the written value).
 */
u64 nvmx_merge_cr0_l2_write(const struct nvmx_vmcs12 *v12, u64 val);
u64 nvmx_merge_cr4_l2_write(const struct nvmx_vmcs12 *v12, u64 val);

/*
 * vmcs12's guest_cr0/guest_cr4 at a nested VM exit, from vmcs02's GUEST_CR
 * (hw), read shadow (shadow02) and L0's mask M0 (mask0):
 *   G1' = (G1 & M1) | (hw & ~M1 & ~M0) | (shadow02 & ~M1 & M0)
 * bits L1 traps keep vmcs12's guest_cr, bits only L0 traps come from the
 * read shadow (L2's view, without L0's forced bits), the rest from
 * hardware, where L2 changed them without an exit.
 */
u64 nvmx_merge_cr0_writeback(const struct nvmx_vmcs12 *v12, u64 hw,
			     u64 shadow02, u64 mask0);
u64 nvmx_merge_cr4_writeback(const struct nvmx_vmcs12 *v12, u64 hw,
			     u64 shadow02, u64 mask0);

#endif /* NVMX_NESTED_MERGE_H */
