// SPDX-License-Identifier: GPL-2.0
/*
 * MMIO: a guest access to a guest-physical address in no memory slot (or
 * a write to a read-only slot). The EPT violation gives the address but not
 * the access, so nvmx fetches the instruction through the guest's page
 * tables, decodes it (emulate.c), and either emulates it against its own
 * local APIC, signals a KVM_IOEVENTFD registration a write matches, or
 * hands it to userspace as KVM_EXIT_MMIO, finishing it at the next KVM_RUN
 * (nvmx_mmio_complete_read()).
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/vmx.h>

#include "emulate.h"
#include "gwalk.h"
#include "nvmx.h"
#include "vmx_ops.h"

int nvmx_gwalk_read(void *opaque, u64 gpa, unsigned int size, u64 *val)
{
	*val = 0;
	return nvmx_read_guest(opaque, gpa, val, size);
}

enum nvmx_cpu_mode nvmx_vcpu_mode(struct nvmx_vcpu *vcpu)
{
	u32 cs_ar = nvmx_vmread(GUEST_CS_AR_BYTES);

	return nvmx_cpu_mode(nvmx_read_cr0(vcpu) & X86_CR0_PE,
			     nvmx_vmread(GUEST_RFLAGS) & X86_EFLAGS_VM,
			     vcpu->efer & EFER_LMA, cs_ar & VMX_AR_L_MASK,
			     cs_ar & VMX_AR_DB_MASK);
}

/* The walker's view of the guest's paging state; pdptes holds 4 entries. */
void nvmx_guest_walk_regs(struct nvmx_vcpu *vcpu, struct nvmx_gwalk_regs *regs,
			  u64 *pdptes)
{
	unsigned int i;

	*regs = (struct nvmx_gwalk_regs) {
		.cr0 = nvmx_read_cr0(vcpu), .cr3 = nvmx_vmread(GUEST_CR3),
		.cr4 = nvmx_read_cr4(vcpu), .efer = vcpu->efer,
		.maxphyaddr = boot_cpu_data.x86_phys_bits,
	};
	if ((regs->cr0 & X86_CR0_PG) && (regs->cr4 & X86_CR4_PAE) &&
	    !(vcpu->efer & EFER_LMA)) {
		for (i = 0; i < 4; i++)
			pdptes[i] = nvmx_vmread(GUEST_PDPTR0 + i * 2);
		regs->pdptes = pdptes;
	}
}

/*
 * Whether the access is the kernel's to complete: the local APIC's page,
 * the in-kernel IOAPIC, or a write a KVM_IOEVENTFD registration matches.
 * @val is the value written, or where a read's value goes.
 */
static bool nvmx_mmio_in_kernel(struct nvmx_vcpu *vcpu, u64 gpa,
				const struct nvmx_mmio_insn *insn, u64 *val)
{
	if (nvmx_lapic_mmio_range(vcpu, gpa)) {
		nvmx_lapic_mmio(vcpu, gpa & ~PAGE_MASK, insn->is_write,
				insn->size, val);
		return true;
	}
	if (nvmx_irqchip_mmio(vcpu, gpa, insn->is_write, insn->size, val))
		return true;
	return insn->is_write &&
	       nvmx_ioeventfd_write(vcpu->vm, false, gpa, insn->size, *val);
}

/*
 * Reads up to NVMX_INSN_MAX_LEN bytes at CS:RIP. Returns how many, 0 when
 * the guest's page tables no longer map RIP (re-entering retries), or
 * -errno when guest memory cannot be read.
 */
int nvmx_fetch_insn(struct nvmx_vcpu *vcpu, enum nvmx_cpu_mode mode, u8 *buf)
{
	u64 pdptes[4], gla = nvmx_vmread(GUEST_CS_BASE) + nvmx_vmread(GUEST_RIP);
	u32 access = NVMX_GWALK_FETCH;
	struct nvmx_gwalk_regs regs;
	struct nvmx_gwalk_result res;
	unsigned int got = 0, n;
	int r;

	if (mode != NVMX_MODE_LONG64)
		gla = (u32)gla;
	nvmx_guest_walk_regs(vcpu, &regs, pdptes);
	if (VMX_AR_DPL(nvmx_vmread(GUEST_SS_AR_BYTES)) == 3)
		access |= NVMX_GWALK_USER;

	while (got < NVMX_INSN_MAX_LEN) {
		r = nvmx_gwalk(&regs, nvmx_gwalk_read, vcpu->vm, gla + got,
			       access, &res);
		if (r == NVMX_GWALK_FAULT)
			return got ? got : 0;
		if (r)
			return got ? got : r;
		n = min_t(unsigned int, NVMX_INSN_MAX_LEN - got,
			  PAGE_SIZE - offset_in_page(res.gpa));
		if (nvmx_read_guest(vcpu->vm, res.gpa, buf + got, n))
			return got ? got : -EFAULT;
		got += n;
	}
	return got;
}

/* A load's data into its destination register, as the CPU merges it. */
static void nvmx_mmio_finish_load(struct nvmx_vcpu *vcpu,
				  const struct nvmx_mmio_insn *insn, u64 data)
{
	u64 old = nvmx_gpr_read(vcpu, insn->reg);

	nvmx_gpr_write(vcpu, insn->reg,
		       nvmx_mmio_load_result(insn, old, data));
}

static int nvmx_emulation_failed(struct nvmx_vcpu *vcpu, const u8 *insn,
				 unsigned int n)
{
	struct kvm_run *run = vcpu->run;

	vcpu->stat.insn_emulation_fail++;
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	/* As KVM does: the exit reason, then the instruction bytes. */
	run->internal.ndata = 1;
	run->internal.data[0] = vcpu->exit_reason;
	if (n) {
		memcpy(&run->internal.data[1], insn, min(n, 15u));
		run->internal.ndata += DIV_ROUND_UP(min(n, 15u), 8);
	}
	return 0;
}

int nvmx_emulate_mmio(struct nvmx_vcpu *vcpu, u64 gpa)
{
	enum nvmx_cpu_mode mode = nvmx_vcpu_mode(vcpu);
	struct nvmx_mmio_insn *insn = &vcpu->mmio_insn;
	struct kvm_run *run = vcpu->run;
	u8 bytes[NVMX_INSN_MAX_LEN];
	u64 val;
	int n;

	n = nvmx_fetch_insn(vcpu, mode, bytes);
	if (n < 0)
		return nvmx_emulation_failed(vcpu, NULL, 0);
	if (n == 0)
		return 1;
	if (nvmx_decode_mmio(bytes, n, mode, insn))
		return nvmx_emulation_failed(vcpu, bytes, n);
	vcpu->stat.insn_emulation++;

	if (insn->is_write)
		val = nvmx_mmio_store_value(insn, nvmx_gpr_read(vcpu, insn->reg));
	if (nvmx_mmio_in_kernel(vcpu, gpa, insn, &val)) {
		if (!insn->is_write)
			nvmx_mmio_finish_load(vcpu, insn, val);
		/* As any emulated instruction: blocking ends, a step is due. */
		nvmx_vcpu_advance_rip(vcpu, insn->len);
		return 1;
	}

	vcpu->stat.mmio_exits++;
	run->exit_reason = KVM_EXIT_MMIO;
	run->mmio.phys_addr = gpa;
	run->mmio.len = insn->size;
	run->mmio.is_write = insn->is_write;
	memset(run->mmio.data, 0, sizeof(run->mmio.data));
	if (insn->is_write) {
		memcpy(run->mmio.data, &val, insn->size);
		vcpu->pending_io = NVMX_IO_DONE_ADVANCE;
	} else {
		vcpu->pending_io = NVMX_IO_MMIO_READ;
	}
	vcpu->pending_insn_len = insn->len;
	return 0;
}

/* At KVM_RUN after an MMIO read: userspace put the data in kvm_run. */
void nvmx_mmio_complete_read(struct nvmx_vcpu *vcpu)
{
	struct nvmx_mmio_insn *insn = &vcpu->mmio_insn;
	u64 data = 0;

	memcpy(&data, vcpu->run->mmio.data, insn->size);
	nvmx_mmio_finish_load(vcpu, insn, data);
}
