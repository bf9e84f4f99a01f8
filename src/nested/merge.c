// SPDX-License-Identifier: GPL-2.0
/*
 * vmcs02 merge rules (see merge.h). Pure logic (see pure.h).
 */
#include "nested/merge.h"

#define ROW(n, b, s)	{ .name = #n, .bit = (b), .src = NVMX_MG_##s }

/*
 * BOTH for exits: an exit either level asked for must happen, and
 * nvmx_route_exit() then decides who handles it. V12 for what L2 sees of
 * L1's configuration (windows, TPR shadow, instruction enables). L0 for
 * what is L0's to run L2 at all. NEVER for what nvmx does not offer L1
 * (nested/caps.c): the entry checks refuse it before vmcs02 is built;
 * dropping it here too keeps an unemulated feature out of the hardware.
 */
static const struct nvmx_merge_bit nvmx_pin_bits[] = {
	ROW(extint_exiting, 0, BOTH),
	ROW(nmi_exiting, 3, BOTH),
	ROW(virtual_nmis, 5, BOTH),
	/* L0's time slice; L1's timer is not offered (it would be emulated). */
	ROW(preemption_timer, 6, L0),
	ROW(posted_interrupts, 7, NEVER),
};

static const struct nvmx_merge_bit nvmx_proc_bits[] = {
	/* L0's own window requests wait for L1: they are L1's events. */
	ROW(intr_window_exiting, 2, V12),
	ROW(tsc_offsetting, 3, BOTH),
	ROW(hlt_exiting, 7, BOTH),
	ROW(invlpg_exiting, 9, BOTH),
	ROW(mwait_exiting, 10, BOTH),
	ROW(rdpmc_exiting, 11, BOTH),
	ROW(rdtsc_exiting, 12, BOTH),
	ROW(cr3_load_exiting, 15, BOTH),
	ROW(cr3_store_exiting, 16, BOTH),
	ROW(tertiary_controls, 17, NEVER),
	/*
	 * CR8 and the TPR shadow follow vmcs12 and the policy table's TPR
	 * row, never vmcs01 (nvmx_merge_tpr_controls()): vmcs01's are about
	 * L1's own CR8.
	 */
	ROW(cr8_load_exiting, 19, RULE),
	ROW(cr8_store_exiting, 20, RULE),
	ROW(tpr_shadow, 21, RULE),
	ROW(nmi_window_exiting, 22, V12),
	ROW(mov_dr_exiting, 23, BOTH),
	ROW(uncond_io_exiting, 24, RULE),
	ROW(io_bitmaps, 25, RULE),
	ROW(monitor_trap_flag, 27, NEVER),
	ROW(msr_bitmaps, 28, BOTH),
	ROW(monitor_exiting, 29, BOTH),
	ROW(pause_exiting, 30, BOTH),
	ROW(secondary_controls, 31, BOTH),
};

static const struct nvmx_merge_bit nvmx_proc2_bits[] = {
	ROW(virtualize_apic_accesses, 0, NEVER),
	/* L1 has no EPT: L2 runs on L0's tables for L1 (EPT01). */
	ROW(enable_ept, 1, L0),
	ROW(descriptor_table_exiting, 2, BOTH),
	/* An enable: without it RDTSCP is #UD in L2, as L1 asked. */
	ROW(enable_rdtscp, 3, V12),
	ROW(virtualize_x2apic, 4, NEVER),
	/* The VPID value is L0's choice (nested.c). */
	ROW(enable_vpid, 5, L0),
	ROW(wbinvd_exiting, 6, BOTH),
	/*
	 * Not offered: L2 runs paged and protected, and the CPU applies the
	 * CR0 fixed bits to it as it would under L1.
	 */
	ROW(unrestricted_guest, 7, NEVER),
	ROW(apic_register_virt, 8, NEVER),
	ROW(virtual_intr_delivery, 9, NEVER),
	ROW(pause_loop_exiting, 10, NEVER),
	ROW(rdrand_exiting, 11, BOTH),
	ROW(enable_invpcid, 12, V12),
	ROW(enable_vmfunc, 13, NEVER),
	ROW(vmcs_shadowing, 14, NEVER),
	ROW(encls_exiting, 15, NEVER),
	ROW(rdseed_exiting, 16, BOTH),
	ROW(enable_pml, 17, NEVER),
	ROW(ept_violation_ve, 18, NEVER),
	ROW(conceal_vmx_from_pt, 19, L0),
	ROW(enable_xsaves, 20, NEVER),
	ROW(mode_based_ept_exec, 22, NEVER),
	ROW(sub_page_write_perms, 23, NEVER),
	ROW(pt_uses_guest_phys, 24, NEVER),
	/*
	 * L0's: L2's TSC is L1's, which runs at L0's ratio (L1 is not
	 * offered scaling, so vmcs12's bit never gets this far).
	 */
	ROW(tsc_scaling, 25, L0),
	ROW(user_wait_pause, 26, NEVER),
	ROW(enable_pconfig, 27, NEVER),
	ROW(enable_enclv_exiting, 28, NEVER),
};

/* The hardware exit goes to L0; L1's exit controls are emulated. */
static const struct nvmx_merge_bit nvmx_exit_bits[] = {
	ROW(save_debug_controls, 2, L0),
	ROW(host_address_space_size, 9, L0),
	ROW(load_perf_global_ctrl, 12, L0),
	ROW(ack_intr_on_exit, 15, L0),
	ROW(save_pat, 18, L0),
	ROW(load_pat, 19, L0),
	ROW(save_efer, 20, L0),
	ROW(load_efer, 21, L0),
	/* L0 rewrites its time slice before every entry. */
	ROW(save_preemption_timer, 22, NEVER),
	ROW(clear_bndcfgs, 23, L0),
	ROW(conceal_vmx_from_pt, 24, L0),
	ROW(clear_rtit_ctl, 25, L0),
};

static const struct nvmx_merge_bit nvmx_entry_bits[] = {
	ROW(load_debug_controls, 2, BOTH),
	ROW(ia32e_mode_guest, 9, V12),
	ROW(entry_to_smm, 10, NEVER),
	ROW(deactivate_dual_monitor, 11, NEVER),
	ROW(load_perf_global_ctrl, 13, L0),
	ROW(load_pat, 14, BOTH),
	ROW(load_efer, 15, BOTH),
	ROW(load_bndcfgs, 16, L0),
	ROW(conceal_vmx_from_pt, 17, L0),
	ROW(load_rtit_ctl, 18, L0),
};

static const struct {
	const struct nvmx_merge_bit *rows;
	unsigned int nr;
} nvmx_merge_tables[NVMX_MG_CTL_NR] = {
	[NVMX_MG_CTL_PIN] = { nvmx_pin_bits, ARRAY_SIZE(nvmx_pin_bits) },
	[NVMX_MG_CTL_PROC] = { nvmx_proc_bits, ARRAY_SIZE(nvmx_proc_bits) },
	[NVMX_MG_CTL_PROC2] = { nvmx_proc2_bits, ARRAY_SIZE(nvmx_proc2_bits) },
	[NVMX_MG_CTL_EXIT] = { nvmx_exit_bits, ARRAY_SIZE(nvmx_exit_bits) },
	[NVMX_MG_CTL_ENTRY] = { nvmx_entry_bits, ARRAY_SIZE(nvmx_entry_bits) },
};

const struct nvmx_merge_bit *nvmx_merge_bits(enum nvmx_merge_ctl ctl,
					     unsigned int *nr)
{
	if ((unsigned int)ctl >= NVMX_MG_CTL_NR) {
		*nr = 0;
		return NULL;
	}
	*nr = nvmx_merge_tables[ctl].nr;
	return nvmx_merge_tables[ctl].rows;
}

/*
 * One control word by its table. Bits without a row (reserved) come from
 * vmcs01; RULE bits are left clear for the caller's rule.
 */
static u32 nvmx_merge_word(enum nvmx_merge_ctl ctl, u32 v01, u32 v12)
{
	const struct nvmx_merge_bit *row = nvmx_merge_tables[ctl].rows;
	unsigned int i, nr = nvmx_merge_tables[ctl].nr;
	u32 covered = 0, out = 0;

	for (i = 0; i < nr; i++, row++) {
		u32 bit = 1U << row->bit;

		covered |= bit;
		switch (row->src) {
		case NVMX_MG_L0:
			out |= v01 & bit;
			break;
		case NVMX_MG_V12:
			out |= v12 & bit;
			break;
		case NVMX_MG_BOTH:
			out |= (v01 | v12) & bit;
			break;
		default:	/* NEVER, RULE */
			break;
		}
	}
	return out | (v01 & ~covered);
}

u32 nvmx_merge_pin(u32 pin01, const struct nvmx_vmcs12 *v12)
{
	return nvmx_merge_word(NVMX_MG_CTL_PIN, pin01,
			       v12->pin_based_vm_exec_control);
}

/* How one level treats port I/O. */
enum nvmx_io_mode { NVMX_IO_NONE, NVMX_IO_ALL, NVMX_IO_BITMAPS };

static enum nvmx_io_mode nvmx_io_mode(u32 proc)
{
	/* "Use I/O bitmaps" makes the CPU ignore unconditional I/O exiting. */
	if (proc & NVMX_MG_PROC_IO_BITMAPS)
		return NVMX_IO_BITMAPS;
	if (proc & NVMX_MG_PROC_UNCOND_IO)
		return NVMX_IO_ALL;
	return NVMX_IO_NONE;
}

u32 nvmx_merge_io_controls(u32 proc01, u32 proc12)
{
	enum nvmx_io_mode m01 = nvmx_io_mode(proc01);
	enum nvmx_io_mode m12 = nvmx_io_mode(proc12);

	if (m01 == NVMX_IO_ALL || m12 == NVMX_IO_ALL)
		return NVMX_MG_PROC_UNCOND_IO;
	if (m01 == NVMX_IO_BITMAPS || m12 == NVMX_IO_BITMAPS)
		return NVMX_MG_PROC_IO_BITMAPS;
	return 0;
}

enum nvmx_tpr_mode nvmx_merge_tpr_mode(const struct nvmx_vmcs12 *v12,
				       bool tpr_intercept)
{
	if (v12->cpu_based_vm_exec_control & NVMX_MG_PROC_TPR_SHADOW)
		return NVMX_TPR_L1_SHADOW;
	return tpr_intercept ? NVMX_TPR_L0_INTERCEPT : NVMX_TPR_L0_SHADOW;
}

u32 nvmx_merge_tpr_controls(enum nvmx_tpr_mode mode,
			    const struct nvmx_vmcs12 *v12)
{
	const u32 cr8 = NVMX_MG_PROC_CR8_LOAD | NVMX_MG_PROC_CR8_STORE;
	u32 l1_cr8 = v12->cpu_based_vm_exec_control & cr8;

	switch (mode) {
	case NVMX_TPR_L1_SHADOW:
	case NVMX_TPR_L0_SHADOW:
		/* L1's CR8 exiting takes precedence over the shadow. */
		return NVMX_MG_PROC_TPR_SHADOW | l1_cr8;
	default:
		/* Every access exits; route.c reflects those L1 asked for. */
		return cr8;
	}
}

u32 nvmx_merge_proc(u32 proc01, const struct nvmx_vmcs12 *v12,
		    bool tpr_intercept)
{
	u32 proc12 = v12->cpu_based_vm_exec_control;
	u32 out = nvmx_merge_word(NVMX_MG_CTL_PROC, proc01, proc12);

	out |= nvmx_merge_tpr_controls(nvmx_merge_tpr_mode(v12, tpr_intercept),
				       v12);
	return out | nvmx_merge_io_controls(proc01, proc12);
}

u32 nvmx_merge_proc2(u32 proc2_01, const struct nvmx_vmcs12 *v12)
{
	return nvmx_merge_word(NVMX_MG_CTL_PROC2, proc2_01,
			       nvmx_merge_v12_proc2(v12));
}

u32 nvmx_merge_exit(u32 exit01, const struct nvmx_vmcs12 *v12)
{
	return nvmx_merge_word(NVMX_MG_CTL_EXIT, exit01, v12->vm_exit_controls);
}

u32 nvmx_merge_entry(u32 entry01, const struct nvmx_vmcs12 *v12)
{
	return nvmx_merge_word(NVMX_MG_CTL_ENTRY, entry01,
			       v12->vm_entry_controls);
}

/* A level's contribution to one page of I/O bitmap, at word i. */
static u64 nvmx_io_word(u32 proc, const u64 *io, unsigned int i)
{
	switch (nvmx_io_mode(proc)) {
	case NVMX_IO_BITMAPS:
		return io ? io[i] : ~0ULL;
	case NVMX_IO_ALL:
		return ~0ULL;
	default:
		return 0;
	}
}

void nvmx_merge_io_bitmap(u64 *dst, u32 proc01, const u64 *io01,
			  u32 proc12, const u64 *io12)
{
	unsigned int i;

	for (i = 0; i < NVMX_MG_BITMAP_WORDS; i++)
		dst[i] = nvmx_io_word(proc01, io01, i) |
			 nvmx_io_word(proc12, io12, i);
}

void nvmx_merge_msr_bitmap(u64 *dst, const u64 *msr01, const u64 *msr12)
{
	unsigned int i;

	for (i = 0; i < NVMX_MG_BITMAP_WORDS; i++)
		dst[i] = (msr01 ? msr01[i] : ~0ULL) |
			 (msr12 ? msr12[i] : ~0ULL);
}

bool nvmx_pf_exits(u32 bitmap, u32 mask, u32 match, u32 error)
{
	bool bit = bitmap & (1U << NVMX_MG_PF_VECTOR);

	return bit != ((error & mask) != match);
}

/*
 * Over all error codes: with bit 14 clear a #PF exits iff
 * (error & mask) != match, which holds for every error code when match has
 * a bit outside mask, and for none when mask = match = 0; with bit 14 set
 * the other way round.
 */
bool nvmx_pf_exits_all(u32 bitmap, u32 mask, u32 match)
{
	if (bitmap & (1U << NVMX_MG_PF_VECTOR))
		return !mask && !match;
	return match & ~mask;
}

bool nvmx_pf_exits_none(u32 bitmap, u32 mask, u32 match)
{
	if (bitmap & (1U << NVMX_MG_PF_VECTOR))
		return match & ~mask;
	return !mask && !match;
}

void nvmx_merge_exceptions(const struct nvmx_merge_xcpt *x01,
			   const struct nvmx_vmcs12 *v12,
			   struct nvmx_merge_xcpt *x02)
{
	const u32 pf = 1U << NVMX_MG_PF_VECTOR;
	u32 other = (x01->bitmap | v12->exception_bitmap) & ~pf;

	if (nvmx_pf_exits_none(x01->bitmap, x01->pfec_mask, x01->pfec_match)) {
		x02->bitmap = other | (v12->exception_bitmap & pf);
		x02->pfec_mask = v12->page_fault_error_code_mask;
		x02->pfec_match = v12->page_fault_error_code_match;
	} else {
		/* The two conditions do not combine into one: take every #PF. */
		x02->bitmap = other | pf;
		x02->pfec_mask = 0;
		x02->pfec_match = 0;
	}
}

u64 nvmx_merge_tsc_offset(u64 offset01, const struct nvmx_vmcs12 *v12)
{
	if (v12->cpu_based_vm_exec_control & NVMX_MG_PROC_TSC_OFFSET)
		return offset01 + v12->tsc_offset;
	return offset01;
}

u32 nvmx_merge_cr3_target_count(const struct nvmx_vmcs12 *v12)
{
	return 0;
}

u32 nvmx_merge_tpr_threshold(enum nvmx_tpr_mode mode, u32 threshold01,
			     const struct nvmx_vmcs12 *v12)
{
	switch (mode) {
	case NVMX_TPR_L1_SHADOW:
		return v12->tpr_threshold;
	case NVMX_TPR_L0_SHADOW:
		/* vmcs01's, for the same page; bits 31:4 are reserved. */
		return threshold01 & 0xf;
	default:
		return 0;
	}
}

u64 nvmx_merge_cr0_mask(u64 mask01, const struct nvmx_vmcs12 *v12)
{
	return mask01 | v12->cr0_guest_host_mask;
}

u64 nvmx_merge_cr4_mask(u64 mask01, const struct nvmx_vmcs12 *v12)
{
	return mask01 | v12->cr4_guest_host_mask;
}

u64 nvmx_merge_cr0_shadow(const struct nvmx_vmcs12 *v12, u64 cr)
{
	u64 m = v12->cr0_guest_host_mask;

	return (cr & ~m) | (v12->cr0_read_shadow & m);
}

u64 nvmx_merge_cr4_shadow(const struct nvmx_vmcs12 *v12, u64 cr)
{
	u64 m = v12->cr4_guest_host_mask;

	return (cr & ~m) | (v12->cr4_read_shadow & m);
}

u64 nvmx_merge_cr0_l2_write(const struct nvmx_vmcs12 *v12, u64 val)
{
	u64 m = v12->cr0_guest_host_mask;

	return (val & ~m) | (v12->guest_cr0 & m);
}

u64 nvmx_merge_cr4_l2_write(const struct nvmx_vmcs12 *v12, u64 val)
{
	u64 m = v12->cr4_guest_host_mask;

	return (val & ~m) | (v12->guest_cr4 & m);
}

static u64 nvmx_merge_cr_writeback(u64 g1, u64 m1, u64 hw, u64 shadow02,
				   u64 m0)
{
	return (g1 & m1) | (hw & ~m1 & ~m0) | (shadow02 & ~m1 & m0);
}

u64 nvmx_merge_cr0_writeback(const struct nvmx_vmcs12 *v12, u64 hw,
			     u64 shadow02, u64 mask0)
{
	return nvmx_merge_cr_writeback(v12->guest_cr0, v12->cr0_guest_host_mask,
				       hw, shadow02, mask0);
}

u64 nvmx_merge_cr4_writeback(const struct nvmx_vmcs12 *v12, u64 hw,
			     u64 shadow02, u64 mask0)
{
	return nvmx_merge_cr_writeback(v12->guest_cr4, v12->cr4_guest_host_mask,
				       hw, shadow02, mask0);
}
