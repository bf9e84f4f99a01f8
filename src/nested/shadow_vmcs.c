// SPDX-License-Identifier: GPL-2.0
/*
 * VMCS shadowing for L1: where the host has it, L1's VMREAD and VMWRITE of
 * the fields the table's shadow column names (within what the host's VMCS
 * holds, see shadow.c) run in L1 against a shadow VMCS, without an exit.
 *
 * vmcs01 gets "VMCS shadowing", the shadow VMCS as its link pointer and
 * the VMREAD/VMWRITE bitmaps only while L1 has a current vmcs12: with no
 * current VMCS, L1's VMREAD/VMWRITE still exit and nvmx's emulation gives
 * VMfailInvalid as the SDM says.
 *
 * vmcs12 stays the reference for L0; the shadow VMCS is synced lazily:
 *  - VMPTRLD: the shadowed rows into the shadow VMCS (all at first, then
 *    those that differ from what it holds);
 *  - VMLAUNCH/VMRESUME, and any write-back of vmcs12 to L1's memory
 *    (VMCLEAR, VMPTRLD of another vmcs12): the SH_RW rows L1 changed, back
 *    into vmcs12, marked dirty for the vmcs02 builder as a VMWRITE would;
 *  - after the nested VM exit and after every emulated VMX instruction:
 *    the rows L0 changed in vmcs12 (exit information, guest state,
 *    VM-instruction error, an emulated VMWRITE) into the shadow VMCS.
 * Each sync makes the shadow VMCS current for a moment with interrupts
 * off (nvmx_vmcs_borrow()), so vmcs01 stays loaded and current here.
 */
#include <linux/gfp.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "vmx_ops.h"
#include "nested/shadow.h"

static bool nvmx_vmcs_shadowing = true;
module_param_named(vmcs_shadowing, nvmx_vmcs_shadowing, bool, 0444);
MODULE_PARM_DESC(vmcs_shadowing,
		 "L1's VMREAD/VMWRITE without exits where the host has VMCS shadowing (default on)");

/* Bit 31 of a VMCS region's first word: a shadow VMCS. */
#define NVMX_SHADOW_VMCS_INDICATOR	BIT(31)

/* The rows this host shadows: probed once, then read-only. */
static DEFINE_MUTEX(nvmx_shadow_probe_lock);
static struct nvmx_shadow_rows nvmx_shadow_host;
static bool nvmx_shadow_probed;

static bool nvmx_shadow_possible(void)
{
	return nvmx_vmcs_shadowing &&
	       ((nvmx_caps.procbased2 >> 32) & SECONDARY_EXEC_SHADOW_VMCS);
}

/*
 * Which fields the host's VMCS holds, tried once on the new shadow VMCS at
 * @pa: a row counts if VMWRITE of all the bits nvmx's VMWRITE keeps
 * succeeds and VMREAD gives them back. VMWRITE fails for a field the CPU
 * lacks, and for the VM-exit information fields unless the host has
 * "VMWRITE to any field" (IA32_VMX_MISC bit 29), which L0 needs to hand L1
 * its exit information through the shadow VMCS. Those rows then exit.
 */
static void nvmx_shadow_probe(u64 pa)
{
	u64 host[NVMX_SHADOW_WORDS] = { 0 };
	unsigned long flags;
	unsigned int i;

	mutex_lock(&nvmx_shadow_probe_lock);
	if (nvmx_shadow_probed || !nvmx_vmcs_borrow(pa, true, &flags))
		goto out;
	for (i = 0; i < NVMX_V12_NR; i++) {
		const struct nvmx_vmcs12_row *row = &nvmx_vmcs12_rows[i];
		u64 mask = nvmx_vmcs12_field_mask(i), val;

		if (row->shadow == NVMX_V12_SH_NO)
			continue;
		if (!nvmx_vmwrite_safe(row->encoding, mask) &&
		    !nvmx_vmread_safe(row->encoding, &val) && val == mask)
			nvmx_shadow_set(host, i);
	}
	nvmx_vmcs_unborrow(pa, flags);
	nvmx_shadow_rows_init(&nvmx_shadow_host, host);
	pr_info("VMCS shadowing for L1: %u fields read, %u written without exits\n",
		nvmx_shadow_host.nr_read, nvmx_shadow_host.nr_write);
	/* The rows before the flag: readers test it without the lock. */
	smp_store_release(&nvmx_shadow_probed, true);
out:
	mutex_unlock(&nvmx_shadow_probe_lock);
}

void nvmx_shadow_free(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;

	/*
	 * Once vmcs01 linked it, vmcs01's CPU may cache it: it is cleared
	 * with vmcs01 first (the vCPU is not loaded: it is being freed).
	 */
	if (vcpu->vmcs01.shadow_pa) {
		nvmx_loaded_vmcs_clear(&vcpu->vmcs01);
		vcpu->vmcs01.shadow_pa = 0;
	}
	if (n->shadow_vmcs)
		__free_page(n->shadow_vmcs);
	n->shadow_vmcs = NULL;
	if (n->shadow_read_bitmap)
		__free_page(n->shadow_read_bitmap);
	if (n->shadow_write_bitmap)
		__free_page(n->shadow_write_bitmap);
	n->shadow_read_bitmap = NULL;
	n->shadow_write_bitmap = NULL;
	kfree(n->shadow_snap);
	n->shadow_snap = NULL;
	n->shadow_on = false;
	n->shadow_valid = false;
}

/* The shadow VMCS, bitmaps and snapshot; the probe on first use. */
static int nvmx_shadow_alloc(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;

	n->shadow_vmcs = alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
	n->shadow_read_bitmap = alloc_page(GFP_KERNEL_ACCOUNT);
	n->shadow_write_bitmap = alloc_page(GFP_KERNEL_ACCOUNT);
	n->shadow_snap = kzalloc(sizeof(*n->shadow_snap), GFP_KERNEL_ACCOUNT);
	if (!n->shadow_vmcs || !n->shadow_read_bitmap ||
	    !n->shadow_write_bitmap || !n->shadow_snap)
		goto fail;
	*(u32 *)page_address(n->shadow_vmcs) =
		nvmx_caps_revision(&nvmx_caps) | NVMX_SHADOW_VMCS_INDICATOR;
	/* Pairs with the probe's release: the rows are seen whole. */
	if (!smp_load_acquire(&nvmx_shadow_probed))
		nvmx_shadow_probe(page_to_phys(n->shadow_vmcs));
	/* Not in VMX operation here (a CPU going away): next VMPTRLD. */
	if (!smp_load_acquire(&nvmx_shadow_probed))
		goto fail;
	nvmx_shadow_bitmaps(&nvmx_shadow_host,
			    page_address(n->shadow_read_bitmap),
			    page_address(n->shadow_write_bitmap));
	n->shadow_valid = false;
	return 0;

fail:
	nvmx_shadow_free(vcpu);
	return -ENOMEM;
}

/*
 * L1 made a vmcs12 current (VMPTRLD): the shadow VMCS takes it, and L1
 * reaches it from now on. vmcs01 is current. Without the memory for it,
 * L1 goes on with exits: shadowing is an optimisation.
 */
void nvmx_shadow_load(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;
	u64 pa;

	if (!nvmx_shadow_possible())
		return;
	if (!n->shadow_vmcs && nvmx_shadow_alloc(vcpu))
		return;
	if (!nvmx_shadow_host.nr_read)
		return;
	pa = page_to_phys(n->shadow_vmcs);
	if (!n->shadow_on) {
		vcpu->vmcs01.shadow_pa = pa;
		nvmx_vmwrite(VMREAD_BITMAP, page_to_phys(n->shadow_read_bitmap));
		nvmx_vmwrite(VMWRITE_BITMAP,
			     page_to_phys(n->shadow_write_bitmap));
		nvmx_vmwrite(VMCS_LINK_POINTER, pa);
		nvmx_vmcs_set_bits(SECONDARY_VM_EXEC_CONTROL,
				   SECONDARY_EXEC_SHADOW_VMCS);
		n->shadow_on = true;
	}
	nvmx_shadow_push(vcpu);
}

/*
 * No current vmcs12 any more (VMCLEAR of it, VMXOFF, reset): L1's VMREAD
 * and VMWRITE exit again. vmcs01 is current. What the shadow VMCS holds
 * stays valid for the next VMPTRLD.
 */
void nvmx_shadow_off(struct nvmx_vcpu *vcpu)
{
	struct nvmx_nested *n = &vcpu->nested;

	if (!n->shadow_on)
		return;
	nvmx_vmcs_clear_bits(SECONDARY_VM_EXEC_CONTROL,
			     SECONDARY_EXEC_SHADOW_VMCS);
	/* With shadowing off the link pointer must not name a shadow VMCS. */
	nvmx_vmwrite(VMCS_LINK_POINTER, ~0ULL);
	n->shadow_on = false;
}

/*
 * vmcs12 into the shadow VMCS: every shadowed row the first time, then the
 * rows L0 changed since the last sync. L1 is not running (no L2 either).
 */
void nvmx_shadow_push(struct nvmx_vcpu *vcpu)
{
	const struct nvmx_shadow_rows *rows = &nvmx_shadow_host;
	struct nvmx_nested *n = &vcpu->nested;
	u16 changed[NVMX_V12_NR];
	const u16 *list = changed;
	unsigned long flags;
	unsigned int i, nr;

	if (!n->shadow_on || n->guest_mode)
		return;
	if (n->shadow_valid) {
		nr = nvmx_shadow_changed(rows, n->vmcs12, n->shadow_snap,
					 changed);
	} else {
		list = rows->read_list;
		nr = rows->nr_read;
	}
	if (!nr)
		return;
	/* A new shadow VMCS is cleared before its first VMPTRLD. */
	if (!nvmx_vmcs_borrow(page_to_phys(n->shadow_vmcs), !n->shadow_valid,
			      &flags))
		return;
	for (i = 0; i < nr; i++) {
		u64 val = nvmx_vmcs12_get(n->vmcs12, list[i]);

		nvmx_vmwrite(nvmx_vmcs12_rows[list[i]].encoding, val);
		nvmx_vmcs12_set(n->shadow_snap, list[i], val);
	}
	nvmx_vmcs_unborrow(page_to_phys(n->shadow_vmcs), flags);
	n->shadow_valid = true;
	vcpu->stat.nvmx_shadow_syncs++;
	vcpu->stat.nvmx_shadow_fields += nr;
}

/*
 * The SH_RW rows L1 wrote in the shadow VMCS, into vmcs12, before L0 reads
 * vmcs12 (nested entry) or writes it back to L1's memory. The rows that
 * changed are dirty for the vmcs02 builder.
 */
void nvmx_shadow_pull(struct nvmx_vcpu *vcpu)
{
	const struct nvmx_shadow_rows *rows = &nvmx_shadow_host;
	struct nvmx_nested *n = &vcpu->nested;
	unsigned int i, nr = 0;
	unsigned long flags;

	if (!n->shadow_on || !n->shadow_valid || !rows->nr_write)
		return;
	if (!nvmx_vmcs_borrow(page_to_phys(n->shadow_vmcs), false, &flags))
		return;
	for (i = 0; i < rows->nr_write; i++) {
		unsigned int row = rows->write_list[i];
		u64 val = nvmx_vmread(nvmx_vmcs12_rows[row].encoding);

		if (nvmx_shadow_take(n->vmcs12, n->shadow_snap, row, val)) {
			__set_bit(row, n->dirty);
			nr++;
		}
	}
	nvmx_vmcs_unborrow(page_to_phys(n->shadow_vmcs), flags);
	vcpu->stat.nvmx_shadow_syncs++;
	vcpu->stat.nvmx_shadow_fields += nr;
}
