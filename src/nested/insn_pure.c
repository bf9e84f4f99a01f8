// SPDX-License-Identifier: GPL-2.0
/*
 * L1's VMX instructions, the pure part: fault checks in the SDM's order and
 * operand decoding from the VM-exit instruction information. Pure logic
 * (see pure.h): selftests/unit builds this file as it is.
 */
#include "nested/insn_pure.h"

#define NVMX_VI_BIT(insn)	(1U << (insn))
#define NVMX_VI_ALL		(NVMX_VI_BIT(NVMX_VI_NR) - 1)
#define NVMX_VI_NOT_VMXON	(NVMX_VI_ALL & ~NVMX_VI_BIT(NVMX_VI_VMXON))

bool nvmx_vmx_long_mode(const struct nvmx_insn_env *env)
{
	return (env->efer & NVMX_VI_EFER_LMA) &&
	       (env->seg[NVMX_SEG_CS].ar & NVMX_VI_AR_L);
}

unsigned int nvmx_vmx_operand_size(const struct nvmx_insn_env *env)
{
	return nvmx_vmx_long_mode(env) ? 8 : 4;
}

/* Per instruction: name and memory operand. */
#define NVMX_VI_MEM_8		1
#define NVMX_VI_MEM_16		2
#define NVMX_VI_MEM_OPSIZE	3

static const struct {
	const char *name;
	u8 mem;		/* 0 none, else NVMX_VI_MEM_* */
	bool write;
} nvmx_vi_insns[NVMX_VI_NR] = {
	[NVMX_VI_VMXON] = { "vmxon", NVMX_VI_MEM_8, false },
	[NVMX_VI_VMXOFF] = { "vmxoff", 0, false },
	[NVMX_VI_VMCLEAR] = { "vmclear", NVMX_VI_MEM_8, false },
	[NVMX_VI_VMPTRLD] = { "vmptrld", NVMX_VI_MEM_8, false },
	[NVMX_VI_VMPTRST] = { "vmptrst", NVMX_VI_MEM_8, true },
	[NVMX_VI_VMREAD] = { "vmread", NVMX_VI_MEM_OPSIZE, true },
	[NVMX_VI_VMWRITE] = { "vmwrite", NVMX_VI_MEM_OPSIZE, false },
	[NVMX_VI_VMLAUNCH] = { "vmlaunch", 0, false },
	[NVMX_VI_VMRESUME] = { "vmresume", 0, false },
	[NVMX_VI_INVEPT] = { "invept", NVMX_VI_MEM_16, false },
	[NVMX_VI_INVVPID] = { "invvpid", NVMX_VI_MEM_16, false },
	[NVMX_VI_VMFUNC] = { "vmfunc", 0, false },
};

const char *nvmx_vmx_insn_name(enum nvmx_vmx_insn insn)
{
	return (unsigned int)insn < NVMX_VI_NR ? nvmx_vi_insns[insn].name : "?";
}

unsigned int nvmx_vmx_mem_size(const struct nvmx_insn_env *env,
			       enum nvmx_vmx_insn insn, bool *write)
{
	*write = false;
	if ((unsigned int)insn >= NVMX_VI_NR)
		return 0;
	*write = nvmx_vi_insns[insn].write;
	switch (nvmx_vi_insns[insn].mem) {
	case NVMX_VI_MEM_8:
		return 8;
	case NVMX_VI_MEM_16:
		return 16;
	case NVMX_VI_MEM_OPSIZE:
		return nvmx_vmx_operand_size(env);
	}
	return 0;
}

static bool vi_not_in_vmx(const struct nvmx_insn_env *env)
{
	return !env->vmx_on;
}

static bool vi_no_vmxe(const struct nvmx_insn_env *env)
{
	return !(env->cr4 & NVMX_VI_CR4_VMXE);
}

static bool vi_real_mode(const struct nvmx_insn_env *env)
{
	return !(env->cr0 & NVMX_VI_CR0_PE);
}

static bool vi_v86(const struct nvmx_insn_env *env)
{
	return env->rflags & NVMX_VI_RFLAGS_VM;
}

static bool vi_compat(const struct nvmx_insn_env *env)
{
	return (env->efer & NVMX_VI_EFER_LMA) &&
	       !(env->seg[NVMX_SEG_CS].ar & NVMX_VI_AR_L);
}

static bool vi_no_invept(const struct nvmx_insn_env *env)
{
	return !(env->caps->procbased2 & NVMX_ALLOWED1(NVMX_PROC2_EPT)) ||
	       !(env->caps->ept_vpid & NVMX_VI_CAP_INVEPT);
}

static bool vi_no_invvpid(const struct nvmx_insn_env *env)
{
	return !(env->caps->procbased2 & NVMX_ALLOWED1(NVMX_PROC2_VPID)) ||
	       !(env->caps->ept_vpid & NVMX_VI_CAP_INVVPID);
}

/* L1 never runs in VMX non-root operation as it sees it. */
static bool vi_root(const struct nvmx_insn_env *env)
{
	return true;
}

static bool vi_cpl(const struct nvmx_insn_env *env)
{
	return env->cpl > 0;
}

/* The VMXON-only #GP(0) checks apply outside VMX operation. */
static bool vi_cr0_fixed0(const struct nvmx_insn_env *env)
{
	return !env->vmx_on &&
	       (env->cr0 & env->caps->cr0_fixed0) != env->caps->cr0_fixed0;
}

static bool vi_cr0_fixed1(const struct nvmx_insn_env *env)
{
	return !env->vmx_on && (env->cr0 & ~env->caps->cr0_fixed1);
}

static bool vi_cr4_fixed0(const struct nvmx_insn_env *env)
{
	return !env->vmx_on &&
	       (env->cr4 & env->caps->cr4_fixed0) != env->caps->cr4_fixed0;
}

static bool vi_cr4_fixed1(const struct nvmx_insn_env *env)
{
	return !env->vmx_on && (env->cr4 & ~env->caps->cr4_fixed1);
}

static bool vi_fc_unlocked(const struct nvmx_insn_env *env)
{
	return !env->vmx_on && !(env->feature_control & NVMX_VI_FC_LOCKED);
}

/* L1 is never in SMX operation: only the outside-SMX bit counts. */
static bool vi_fc_no_vmx(const struct nvmx_insn_env *env)
{
	return !env->vmx_on &&
	       !(env->feature_control & NVMX_VI_FC_VMX_OUTSIDE_SMX);
}

/*
 * The checks, first match wins. Every #UD row precedes every #GP row, as
 * in each instruction's pseudocode; the VM exit the pseudocode has between
 * them is for VMX non-root operation, which L1 is not in. A VMXON in VMX
 * operation at CPL 0 passes here: the caller gives VMfailValid(15).
 */
static const struct {
	const char *name;
	u32 insns;	/* NVMX_VI_BIT() of the instructions it applies to */
	bool (*fails)(const struct nvmx_insn_env *env);
	u8 vector;
} nvmx_vi_checks[] = {
	{ "not in VMX operation", NVMX_VI_NOT_VMXON, vi_not_in_vmx, NVMX_VI_UD },
	{ "CR4.VMXE=0", NVMX_VI_BIT(NVMX_VI_VMXON), vi_no_vmxe, NVMX_VI_UD },
	{ "CR0.PE=0", NVMX_VI_ALL, vi_real_mode, NVMX_VI_UD },
	{ "RFLAGS.VM=1", NVMX_VI_ALL, vi_v86, NVMX_VI_UD },
	{ "compatibility mode", NVMX_VI_ALL, vi_compat, NVMX_VI_UD },
	{ "INVEPT not supported", NVMX_VI_BIT(NVMX_VI_INVEPT), vi_no_invept, NVMX_VI_UD },
	{ "INVVPID not supported", NVMX_VI_BIT(NVMX_VI_INVVPID), vi_no_invvpid, NVMX_VI_UD },
	{ "VMFUNC in VMX root operation", NVMX_VI_BIT(NVMX_VI_VMFUNC), vi_root, NVMX_VI_UD },
	{ "CPL>0", NVMX_VI_ALL, vi_cpl, NVMX_VI_GP },
	{ "CR0 bit fixed to 1 is 0", NVMX_VI_BIT(NVMX_VI_VMXON), vi_cr0_fixed0, NVMX_VI_GP },
	{ "CR0 bit fixed to 0 is 1", NVMX_VI_BIT(NVMX_VI_VMXON), vi_cr0_fixed1, NVMX_VI_GP },
	{ "CR4 bit fixed to 1 is 0", NVMX_VI_BIT(NVMX_VI_VMXON), vi_cr4_fixed0, NVMX_VI_GP },
	{ "CR4 bit fixed to 0 is 1", NVMX_VI_BIT(NVMX_VI_VMXON), vi_cr4_fixed1, NVMX_VI_GP },
	{ "FEATURE_CONTROL not locked", NVMX_VI_BIT(NVMX_VI_VMXON), vi_fc_unlocked, NVMX_VI_GP },
	{ "FEATURE_CONTROL VMX outside SMX off", NVMX_VI_BIT(NVMX_VI_VMXON), vi_fc_no_vmx,
	  NVMX_VI_GP },
};

/*
 * The fault @insn raises in @env: 0 (none), NVMX_VI_UD or NVMX_VI_GP (with
 * error code 0); *@failed (if not NULL) names the check, NULL when none.
 */
int nvmx_vmx_insn_check(const struct nvmx_insn_env *env,
			enum nvmx_vmx_insn insn, const char **failed)
{
	unsigned int i;

	if (failed)
		*failed = NULL;
	if ((unsigned int)insn >= NVMX_VI_NR) {
		if (failed)
			*failed = "unknown instruction";
		return NVMX_VI_UD;
	}
	for (i = 0; i < ARRAY_SIZE(nvmx_vi_checks); i++) {
		if (!(nvmx_vi_checks[i].insns & NVMX_VI_BIT(insn)) ||
		    !nvmx_vi_checks[i].fails(env))
			continue;
		if (failed)
			*failed = nvmx_vi_checks[i].name;
		return nvmx_vi_checks[i].vector;
	}
	return 0;
}

int nvmx_vmx_insn_fault(const struct nvmx_insn_env *env,
			enum nvmx_vmx_insn insn)
{
	return nvmx_vmx_insn_check(env, insn, NULL);
}

/* A memory operand being checked against its segment. */
struct nvmx_vi_mem {
	const struct nvmx_insn_env *env;
	const struct nvmx_insn_seg *seg;
	u64 ea;		/* effective address, truncated to the address size */
	u64 last;	/* ea + size - 1, not truncated */
	u64 linear;
	unsigned int size;
	bool write;
};

static bool vi_noncanonical(u64 la, const struct nvmx_insn_env *env)
{
	unsigned int bits = env->cr4 & NVMX_VI_CR4_LA57 ? 57 : 48;

	/* Bits 63:bits-1 all equal: adding 2^(bits-1) carries them out. */
	return (la + (1ULL << (bits - 1))) >> bits;
}

static bool vi_mem_noncanonical(const struct nvmx_vi_mem *m)
{
	return vi_noncanonical(m->linear, m->env) ||
	       vi_noncanonical(m->linear + m->size - 1, m->env);
}

static bool vi_mem_unusable(const struct nvmx_vi_mem *m)
{
	return m->seg->ar & NVMX_VI_AR_UNUSABLE;
}

static bool vi_mem_code_write(const struct nvmx_vi_mem *m)
{
	return m->write && (m->seg->ar & NVMX_VI_AR_TYPE_CODE);
}

static bool vi_mem_ro_write(const struct nvmx_vi_mem *m)
{
	return m->write && !(m->seg->ar & NVMX_VI_AR_TYPE_CODE) &&
	       !(m->seg->ar & NVMX_VI_AR_TYPE_RW);
}

static bool vi_mem_xo_read(const struct nvmx_vi_mem *m)
{
	return !m->write && (m->seg->ar & NVMX_VI_AR_TYPE_CODE) &&
	       !(m->seg->ar & NVMX_VI_AR_TYPE_RW);
}

static bool vi_expand_down(const struct nvmx_vi_mem *m)
{
	return (m->seg->ar & (NVMX_VI_AR_TYPE_CODE | NVMX_VI_AR_TYPE_DOWN)) ==
	       NVMX_VI_AR_TYPE_DOWN;
}

static bool vi_mem_limit(const struct nvmx_vi_mem *m)
{
	return !vi_expand_down(m) && m->last > m->seg->limit;
}

/* Expand-down: offsets above the limit up to 64 KiB or 4 GiB (D/B). */
static bool vi_mem_limit_down(const struct nvmx_vi_mem *m)
{
	u64 top = m->seg->ar & NVMX_VI_AR_DB ? 0xffffffffULL : 0xffffULL;

	return vi_expand_down(m) && (m->ea <= m->seg->limit || m->last > top);
}

/* Rows marked long apply in 64-bit mode, the others outside it. */
static const struct {
	const char *name;
	bool long_mode;
	bool (*fails)(const struct nvmx_vi_mem *m);
} nvmx_vi_mem_checks[] = {
	{ "non-canonical address", true, vi_mem_noncanonical },
	{ "segment unusable", false, vi_mem_unusable },
	{ "write to a code segment", false, vi_mem_code_write },
	{ "write to a read-only data segment", false, vi_mem_ro_write },
	{ "read of an execute-only code segment", false, vi_mem_xo_read },
	{ "beyond the segment limit", false, vi_mem_limit },
	{ "outside the expand-down segment", false, vi_mem_limit_down },
};

static u64 vi_gpr(const struct nvmx_insn_env *env, unsigned int reg)
{
	return env->gpr[reg & 0xf];
}

/*
 * The linear address of a VMX instruction's memory operand of @size bytes
 * (a read, or a write with @write), from the VM-exit instruction
 * information and the displacement the exit qualification holds: base +
 * index * scale + displacement at the address size, plus the segment base
 * (in 64-bit mode only FS's and GS's). 0 with *@linear, or -1 with the
 * fault in *@vector (error code 0): #GP, or #SS for an SS operand, for a
 * non-canonical address in 64-bit mode or a failed segment check outside
 * it; #UD for an address size or segment the information cannot hold.
 * *@failed (if not NULL) names the check.
 */
int nvmx_vmx_mem_check(const struct nvmx_insn_env *env, u32 insn_info,
		       u64 qual, unsigned int size, bool write, u64 *linear,
		       u8 *vector, const char **failed)
{
	static const u64 amask[] = {
		[NVMX_VI_ASIZE_16] = 0xffffULL,
		[NVMX_VI_ASIZE_32] = 0xffffffffULL,
		[NVMX_VI_ASIZE_64] = ~0ULL,
	};
	bool lm = nvmx_vmx_long_mode(env);
	unsigned int asize = NVMX_VI_INFO_ASIZE(insn_info);
	unsigned int seg = NVMX_VI_INFO_SEG(insn_info);
	struct nvmx_vi_mem m = { .env = env, .size = size, .write = write };
	unsigned int i;
	u64 ea = qual;

	if (failed)
		*failed = NULL;
	*vector = NVMX_VI_UD;
	/* 64-bit mode has 64- and 32-bit addresses, the others 32 and 16. */
	if (asize >= ARRAY_SIZE(amask) ||
	    asize == (lm ? NVMX_VI_ASIZE_16 : NVMX_VI_ASIZE_64)) {
		if (failed)
			*failed = "address size";
		return -1;
	}
	if (seg >= NVMX_SEG_NONE || (insn_info & NVMX_VI_INFO_IS_REG) ||
	    size == 0) {
		if (failed)
			*failed = "operand";
		return -1;
	}
	if (!(insn_info & NVMX_VI_INFO_NO_BASE))
		ea += vi_gpr(env, NVMX_VI_INFO_BASE(insn_info));
	if (!(insn_info & NVMX_VI_INFO_NO_INDEX))
		ea += vi_gpr(env, NVMX_VI_INFO_INDEX(insn_info)) <<
		      NVMX_VI_INFO_SCALE(insn_info);
	m.seg = &env->seg[seg];
	m.ea = ea & amask[asize];
	m.last = m.ea + size - 1;
	if (lm)
		m.linear = m.ea + (seg == NVMX_SEG_FS || seg == NVMX_SEG_GS ?
				   m.seg->base : 0);
	else
		m.linear = (m.seg->base + m.ea) & 0xffffffffULL;

	for (i = 0; i < ARRAY_SIZE(nvmx_vi_mem_checks); i++) {
		if (nvmx_vi_mem_checks[i].long_mode != lm ||
		    !nvmx_vi_mem_checks[i].fails(&m))
			continue;
		if (failed)
			*failed = nvmx_vi_mem_checks[i].name;
		*vector = seg == NVMX_SEG_SS ? NVMX_VI_SS : NVMX_VI_GP;
		return -1;
	}
	*vector = 0;
	*linear = m.linear;
	return 0;
}

int nvmx_vmx_mem_operand(const struct nvmx_insn_env *env, u32 insn_info,
			 u64 qual, unsigned int size, bool write, u64 *linear,
			 u8 *vector)
{
	return nvmx_vmx_mem_check(env, insn_info, qual, size, write, linear,
				  vector, NULL);
}

/*
 * VMREAD/VMWRITE's register operands: reg1 (bits 6:3) is VMREAD's
 * destination or VMWRITE's source value when bit 10 says register; reg2
 * (bits 31:28) holds the field encoding. Also INVEPT/INVVPID's type
 * register (reg2).
 */
unsigned int nvmx_vmx_reg_operand(u32 insn_info, bool reg2)
{
	return reg2 ? NVMX_VI_INFO_REG2(insn_info) : NVMX_VI_INFO_REG1(insn_info);
}

/* That register's value at the operand size (32 bits outside 64-bit mode). */
u64 nvmx_vmx_reg_value(const struct nvmx_insn_env *env, u32 insn_info,
		       bool reg2)
{
	u64 v = vi_gpr(env, nvmx_vmx_reg_operand(insn_info, reg2));

	return nvmx_vmx_long_mode(env) ? v : v & 0xffffffffULL;
}

static bool vf_in_root(const struct nvmx_vmfail_env *f)
{
	return f->vmx_on;
}

static bool vf_bad_ptr(const struct nvmx_vmfail_env *f)
{
	return (f->ptr & 0xfff) ||
	       (f->maxphyaddr < 64 && (f->ptr >> f->maxphyaddr));
}

static bool vf_vmxon_ptr(const struct nvmx_vmfail_env *f)
{
	return f->ptr == f->vmxon_ptr;
}

/* Bits 30:0 name the format; bit 31 (shadow VMCS) only with shadowing. */
static bool vf_bad_revision(const struct nvmx_vmfail_env *f, bool shadow_ok)
{
	u32 rev = f->read_u32(f->opaque, f->ptr);

	return (rev & 0x7fffffffU) != NVMX_VMCS12_REVISION ||
	       ((rev & 0x80000000U) && !shadow_ok);
}

static bool vf_vmxon_revision(const struct nvmx_vmfail_env *f)
{
	return vf_bad_revision(f, false);
}

static bool vf_vmptrld_revision(const struct nvmx_vmfail_env *f)
{
	return vf_bad_revision(f, f->shadow_ok);
}

static bool vf_no_current(const struct nvmx_vmfail_env *f)
{
	return !f->has_vmcs;
}

static bool vf_mov_ss(const struct nvmx_vmfail_env *f)
{
	return f->mov_ss;
}

static bool vf_not_clear(const struct nvmx_vmfail_env *f)
{
	return f->launch_state != NVMX_VMCS12_CLEAR;
}

static bool vf_not_launched(const struct nvmx_vmfail_env *f)
{
	return f->launch_state != NVMX_VMCS12_LAUNCHED;
}

#define NVMX_VI_ENTRY	(NVMX_VI_BIT(NVMX_VI_VMLAUNCH) | NVMX_VI_BIT(NVMX_VI_VMRESUME))
#define NVMX_VI_RW	(NVMX_VI_BIT(NVMX_VI_VMREAD) | NVMX_VI_BIT(NVMX_VI_VMWRITE))

/*
 * The VMfail checks, in each instruction's pseudocode order, first match
 * wins; the revision rows read L1 memory, so they follow the address rows.
 * VMREAD/VMWRITE's field checks are nvmx_vmcs12_vmread/vmwrite's.
 */
static const struct {
	const char *name;
	u32 insns;
	bool (*fails)(const struct nvmx_vmfail_env *f);
	u32 error;
} nvmx_vf_checks[] = {
	{ "VMXON in VMX root operation", NVMX_VI_BIT(NVMX_VI_VMXON), vf_in_root,
	  NVMX_VMERR_VMXON_IN_ROOT },
	{ "VMXON region address", NVMX_VI_BIT(NVMX_VI_VMXON), vf_bad_ptr,
	  NVMX_VI_FAIL_INVALID },
	{ "VMXON region revision", NVMX_VI_BIT(NVMX_VI_VMXON), vf_vmxon_revision,
	  NVMX_VI_FAIL_INVALID },
	{ "VMCLEAR address", NVMX_VI_BIT(NVMX_VI_VMCLEAR), vf_bad_ptr,
	  NVMX_VMERR_VMCLEAR_ADDR },
	{ "VMCLEAR of the VMXON region", NVMX_VI_BIT(NVMX_VI_VMCLEAR), vf_vmxon_ptr,
	  NVMX_VMERR_VMCLEAR_VMXON },
	{ "VMPTRLD address", NVMX_VI_BIT(NVMX_VI_VMPTRLD), vf_bad_ptr,
	  NVMX_VMERR_VMPTRLD_ADDR },
	{ "VMPTRLD of the VMXON region", NVMX_VI_BIT(NVMX_VI_VMPTRLD), vf_vmxon_ptr,
	  NVMX_VMERR_VMPTRLD_VMXON },
	{ "VMPTRLD revision", NVMX_VI_BIT(NVMX_VI_VMPTRLD), vf_vmptrld_revision,
	  NVMX_VMERR_VMPTRLD_REVISION },
	{ "no current VMCS", NVMX_VI_RW | NVMX_VI_ENTRY, vf_no_current,
	  NVMX_VI_FAIL_INVALID },
	{ "entry with events blocked by MOV SS", NVMX_VI_ENTRY, vf_mov_ss,
	  NVMX_VMERR_MOV_SS },
	{ "VMLAUNCH with non-clear VMCS", NVMX_VI_BIT(NVMX_VI_VMLAUNCH), vf_not_clear,
	  NVMX_VMERR_LAUNCH_NOT_CLEAR },
	{ "VMRESUME with non-launched VMCS", NVMX_VI_BIT(NVMX_VI_VMRESUME),
	  vf_not_launched, NVMX_VMERR_RESUME_NOT_LAUNCHED },
};

/*
 * The VMfail outcome of @insn once nvmx_vmx_insn_fault() passed: 0 (go on),
 * an error number n for VMfail(n) (VMfailValid(n) when a VMCS is current,
 * else VMfailInvalid, as the SDM's VMfail), or NVMX_VI_FAIL_INVALID.
 * *@failed (if not NULL) names the check.
 */
u32 nvmx_vmx_vmfail_check(const struct nvmx_vmfail_env *f,
			  enum nvmx_vmx_insn insn, const char **failed)
{
	unsigned int i;

	if (failed)
		*failed = NULL;
	if ((unsigned int)insn >= NVMX_VI_NR)
		return NVMX_VI_FAIL_INVALID;
	for (i = 0; i < ARRAY_SIZE(nvmx_vf_checks); i++) {
		if (!(nvmx_vf_checks[i].insns & NVMX_VI_BIT(insn)) ||
		    !nvmx_vf_checks[i].fails(f))
			continue;
		if (failed)
			*failed = nvmx_vf_checks[i].name;
		return nvmx_vf_checks[i].error;
	}
	return 0;
}
