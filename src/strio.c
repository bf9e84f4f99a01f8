// SPDX-License-Identifier: GPL-2.0
/*
 * String port I/O (INS, OUTS, with or without REP). The I/O exit gives
 * the port, size, direction and REP, but the memory operand is nvmx's to
 * handle: the CPU checks CPL against IOPL and the TSS permission bitmap
 * before the exit, while segment limits and paging are checked only when
 * the operand is accessed (SDM "Relative Priority of Faults and VM
 * Exits"), so nvmx checks those here and injects #GP, #SS or #PF.
 *
 * Chunking matches kvm_intel so that userspace sees the same KVM_EXIT_IO
 * sequence on both: OUTS hands one element per exit (the guest re-runs
 * the instruction for the next one); INS asks for up to 1024 bytes, no
 * more than RCX and the bytes from RDI to its page end (DF=0) or start
 * (DF=1), at least one, and stores them into guest memory at the next
 * KVM_RUN. RIP moves on only when the whole REP is done.
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <asm/vmx.h>

#include "emulate.h"
#include "gwalk.h"
#include "nvmx.h"
#include "vmx_ops.h"

#define NVMX_STRIO_CHUNK	1024

static const u32 nvmx_seg_base[] = {
	GUEST_ES_BASE, GUEST_CS_BASE, GUEST_SS_BASE, GUEST_DS_BASE,
	GUEST_FS_BASE, GUEST_GS_BASE,
};

static const u32 nvmx_seg_limit[] = {
	GUEST_ES_LIMIT, GUEST_CS_LIMIT, GUEST_SS_LIMIT, GUEST_DS_LIMIT,
	GUEST_FS_LIMIT, GUEST_GS_LIMIT,
};

static const u32 nvmx_seg_ar[] = {
	GUEST_ES_AR_BYTES, GUEST_CS_AR_BYTES, GUEST_SS_AR_BYTES,
	GUEST_DS_AR_BYTES, GUEST_FS_AR_BYTES, GUEST_GS_AR_BYTES,
};

/*
 * The instruction at CS:RIP: its address size and, for OUTS, the segment
 * override. Read from the bytes rather than the VM-exit instruction
 * information, which only CPUs with IA32_VMX_BASIC bit 54 fill in.
 */
static int nvmx_strio_decode(struct nvmx_vcpu *vcpu, struct nvmx_strio *s)
{
	enum nvmx_cpu_mode mode = nvmx_vcpu_mode(vcpu);
	u8 bytes[NVMX_INSN_MAX_LEN];
	bool a67 = false;
	int n, i;

	n = nvmx_fetch_insn(vcpu, mode, bytes);
	if (n <= 0)
		return n ? n : -EAGAIN;
	s->seg = NVMX_SEG_DS;
	for (i = 0; i < n; i++) {
		u8 b = bytes[i];

		switch (b) {
		case 0x26: case 0x2e: case 0x36: case 0x3e:
			s->seg = (b >> 3) & 3;
			continue;
		case 0x64: case 0x65:
			s->seg = b - 0x60;
			continue;
		case 0x67:
			a67 = true;
			continue;
		case 0x66: case 0xf0: case 0xf2: case 0xf3:
			continue;
		}
		/* REX: no effect on INS and OUTS, wherever it is. */
		if (mode == NVMX_MODE_LONG64 && (b & 0xf0) == 0x40)
			continue;
		break;
	}
	/* The bytes are not the INS/OUTS that exited: the guest changed them. */
	if (i >= n || (bytes[i] & 0xfc) != 0x6c ||
	    !(bytes[i] & 2) != s->in)
		return -EAGAIN;
	if (mode == NVMX_MODE_LONG64)
		s->addr_size = a67 ? 4 : 8;
	else if (mode == NVMX_MODE_PROT32)
		s->addr_size = a67 ? 2 : 4;
	else
		s->addr_size = a67 ? 4 : 2;
	s->long_mode = mode == NVMX_MODE_LONG64;
	if (s->in)
		s->seg = NVMX_SEG_ES;
	return 0;
}

static u64 nvmx_strio_mask(const struct nvmx_strio *s)
{
	return s->addr_size == 8 ? ~0ULL : BIT_ULL(s->addr_size * 8) - 1;
}

/*
 * RSI, RDI or RCX (reg) plus delta in the address size, written as the
 * CPU writes a register of that size: 16 bits merge, 32 bits zero-extend.
 */
static void nvmx_strio_step(struct nvmx_vcpu *vcpu,
			    const struct nvmx_strio *s, unsigned int reg,
			    s64 delta)
{
	u64 v = nvmx_gpr_read(vcpu, reg);

	if (s->addr_size == 2)
		v = (v & ~0xffffULL) | (u16)(v + delta);
	else if (s->addr_size == 4)
		v = (u32)(v + delta);
	else
		v += delta;
	nvmx_gpr_write(vcpu, reg, v);
}

/* 4-level paging: bits 63:47 all equal. */
static bool nvmx_canonical(u64 la)
{
	return (u64)((s64)(la << 16) >> 16) == la;
}

static void nvmx_strio_seg_fault(struct nvmx_vcpu *vcpu, unsigned int seg)
{
	nvmx_queue_exception(vcpu, seg == NVMX_SEG_SS ? SS_VECTOR : GP_VECTOR,
			     true, 0);
}

/*
 * The linear address of the element at offset (already masked), after
 * the checks the CPU makes on the operand: canonical form in 64-bit mode,
 * else a usable segment of the right type and the limit. Returns false
 * with #GP or #SS queued.
 */
static bool nvmx_strio_linear(struct nvmx_vcpu *vcpu,
			      const struct nvmx_strio *s, u64 offset,
			      u64 *gla)
{
	unsigned int seg = s->seg, size = s->size;
	u32 ar, limit, type;
	u64 last;

	if (s->long_mode) {
		*gla = offset;
		if (seg == NVMX_SEG_FS || seg == NVMX_SEG_GS)
			*gla += nvmx_vmread(nvmx_seg_base[seg]);
		if (!nvmx_canonical(*gla) || !nvmx_canonical(*gla + size - 1)) {
			nvmx_strio_seg_fault(vcpu, seg);
			return false;
		}
		return true;
	}
	ar = nvmx_vmread(nvmx_seg_ar[seg]);
	limit = nvmx_vmread(nvmx_seg_limit[seg]);
	type = ar & 0xf;
	last = offset + size - 1;
	if ((ar & VMX_AR_UNUSABLE_MASK) ||
	    (s->in && (type & 0xa) != 0x2) ||	/* INS: writable data */
	    (!s->in && (type & 0xa) == 0x8))	/* OUTS: no execute-only code */
		goto fault;
	if (!(type & 0x8) && (type & 0x4)) {
		/* Expand-down data: above the limit, up to 64K or 4G. */
		if (offset <= limit ||
		    last > ((ar & VMX_AR_DB_MASK) ? 0xffffffffULL : 0xffffULL))
			goto fault;
	} else if (last > limit) {
		goto fault;
	}
	*gla = (u32)(nvmx_vmread(nvmx_seg_base[seg]) + offset);
	return true;
fault:
	nvmx_strio_seg_fault(vcpu, seg);
	return false;
}

/*
 * Reads or writes one element (s->size bytes, possibly across a page) at
 * gla through the guest's page tables. Returns 0, 1 with #PF queued, or
 * -errno when the memory is no guest RAM nvmx can emulate on.
 */
static int nvmx_strio_access(struct nvmx_vcpu *vcpu,
			     const struct nvmx_strio *s, u64 gla, void *buf)
{
	struct nvmx_gwalk_regs regs;
	struct nvmx_gwalk_result res;
	unsigned int done = 0, n;
	u64 pdptes[4];
	u32 access = s->in ? NVMX_GWALK_WRITE : 0;
	int r;

	nvmx_guest_walk_regs(vcpu, &regs, pdptes);
	if (VMX_AR_DPL(nvmx_vmread(GUEST_SS_AR_BYTES)) == 3)
		access |= NVMX_GWALK_USER;
	else if (nvmx_vmread(GUEST_RFLAGS) & X86_EFLAGS_AC)
		access |= NVMX_GWALK_AC;
	while (done < s->size) {
		u64 a = gla + done;

		if (!s->long_mode)
			a = (u32)a;
		r = nvmx_gwalk(&regs, nvmx_gwalk_read, vcpu->vm, a, access,
			       &res);
		if (r == NVMX_GWALK_FAULT) {
			nvmx_queue_pf(vcpu, a, res.error_code);
			return 1;
		}
		if (r)
			return r;
		n = min_t(unsigned int, s->size - done,
			  PAGE_SIZE - offset_in_page(res.gpa));
		if (s->in)
			r = nvmx_write_guest(vcpu->vm, res.gpa, buf + done, n);
		else
			r = nvmx_read_guest(vcpu->vm, res.gpa, buf + done, n);
		if (r)
			return -EFAULT;
		done += n;
	}
	return 0;
}

/* Memory nvmx cannot emulate on (no guest RAM): as KVM's failed emulation. */
static int nvmx_strio_failed(struct nvmx_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	vcpu->stat.insn_emulation_fail++;
	run->exit_reason = KVM_EXIT_INTERNAL_ERROR;
	run->internal.suberror = KVM_INTERNAL_ERROR_EMULATION;
	run->internal.ndata = 1;
	run->internal.data[0] = EXIT_REASON_IO_INSTRUCTION;
	return 0;
}

/*
 * Elements for one INS exit, from the registers as they are now: RCX
 * (REP), at most NVMX_STRIO_CHUNK bytes, and no more than the bytes from
 * RDI to the end (DF=0) or start (DF=1) of its page, but at least one.
 * This is kvm_intel's rule, bytes and elements mixed as it mixes them.
 */
static u32 nvmx_strio_ins_count(struct nvmx_vcpu *vcpu,
				const struct nvmx_strio *s)
{
	u64 off = offset_in_page(nvmx_gpr_read(vcpu, NVMX_RDI));
	u64 count = 1;

	if (s->rep)
		count = nvmx_gpr_read(vcpu, NVMX_RCX) & nvmx_strio_mask(s);
	count = min3(count, s->df ? off : PAGE_SIZE - off,
		     (u64)(NVMX_STRIO_CHUNK / s->size));
	return max_t(u64, count, 1);
}

/* The I/O exit of an INS or OUTS; q is its exit qualification. */
int nvmx_handle_string_io(struct nvmx_vcpu *vcpu, u64 q)
{
	struct nvmx_strio *s = &vcpu->strio;
	struct kvm_run *run = vcpu->run;
	u64 count, gla, off;
	int r;

	memset(s, 0, sizeof(*s));
	s->size = (q & 7) + 1;
	s->in = q & BIT(3);
	s->rep = q & BIT(5);
	s->port = q >> 16;
	s->df = nvmx_vmread(GUEST_RFLAGS) & X86_EFLAGS_DF;
	r = nvmx_strio_decode(vcpu, s);
	if (r == -EAGAIN)
		return 1;	/* re-run whatever is at RIP now */
	if (r)
		return nvmx_strio_failed(vcpu);
	count = nvmx_gpr_read(vcpu, NVMX_RCX) & nvmx_strio_mask(s);
	if (s->rep && !count) {
		nvmx_vcpu_skip_insn(vcpu);
		return 1;
	}
	vcpu->stat.insn_emulation++;
	vcpu->stat.io_exits++;
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = s->in ? KVM_EXIT_IO_IN : KVM_EXIT_IO_OUT;
	run->io.size = s->size;
	run->io.port = s->port;
	run->io.data_offset = NVMX_PIO_PAGE_OFFSET * PAGE_SIZE;
	vcpu->pending_insn_len = nvmx_vmread(VM_EXIT_INSTRUCTION_LEN);

	if (s->in) {
		/* Filled at the next KVM_RUN, from pio_page. */
		s->count = nvmx_strio_ins_count(vcpu, s);
		run->io.count = s->count;
		vcpu->pending_io = NVMX_IO_PIO_INS;
		return 0;
	}

	/* OUTS: the element is read (and may fault) before the exit. */
	off = nvmx_gpr_read(vcpu, NVMX_RSI) & nvmx_strio_mask(s);
	if (!nvmx_strio_linear(vcpu, s, off, &gla))
		return 1;
	r = nvmx_strio_access(vcpu, s, gla, page_address(vcpu->pio_page));
	if (r)
		return r > 0 ? 1 : nvmx_strio_failed(vcpu);
	run->io.count = 1;
	s->count = 1;
	nvmx_strio_step(vcpu, s, NVMX_RSI, s->df ? -s->size : s->size);
	if (s->rep)
		nvmx_strio_step(vcpu, s, NVMX_RCX, -1);
	/* Done now, as KVM: RIP moves on (before the exit) once RCX is 0. */
	vcpu->pending_io = NVMX_IO_NONE;
	if (!s->rep || !(nvmx_gpr_read(vcpu, NVMX_RCX) & nvmx_strio_mask(s)))
		nvmx_vcpu_skip_insn(vcpu);
	return 0;
}

/*
 * At KVM_RUN after an INS exit: the data userspace left in pio_page goes
 * to ES:RDI, element by element, in the size the exit had (kvm_run's is
 * the user's to change). A fault stops it there, with the
 * registers at the faulting element, as KVM does. Returns 1 when RIP is
 * to move past the instruction (the REP is done), 0 when the guest is to
 * re-run it, or -EFAULT with kvm_run set for an exit to userspace.
 */
int nvmx_strio_complete_ins(struct nvmx_vcpu *vcpu)
{
	struct nvmx_strio *s = &vcpu->strio;
	u8 *data = page_address(vcpu->pio_page);
	unsigned int i, count;
	u64 off, gla;
	int r;

	/*
	 * As KVM: if userspace changed RCX or RDI during the exit, the count
	 * is taken again from them, and the elements stored are the first
	 * that many of pio_page (never more than NVMX_STRIO_CHUNK bytes).
	 */
	count = nvmx_strio_ins_count(vcpu, s);
	for (i = 0; i < count; i++) {
		off = nvmx_gpr_read(vcpu, NVMX_RDI) & nvmx_strio_mask(s);
		if (!nvmx_strio_linear(vcpu, s, off, &gla))
			return 0;
		r = nvmx_strio_access(vcpu, s, gla, data + i * s->size);
		if (r > 0)
			return 0;
		if (r < 0) {
			nvmx_strio_failed(vcpu);
			return -EFAULT;
		}
		nvmx_strio_step(vcpu, s, NVMX_RDI, s->df ? -s->size : s->size);
		if (s->rep)
			nvmx_strio_step(vcpu, s, NVMX_RCX, -1);
	}
	return !s->rep || !(nvmx_gpr_read(vcpu, NVMX_RCX) & nvmx_strio_mask(s));
}
