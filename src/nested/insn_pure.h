/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The pure part of L1's VMX instructions: the faults each one raises
 * before it does anything (SDM vol. 2 "VMX Instruction Reference", in the
 * order of its pseudocode), and the operands as the VM-exit
 * instruction-information field describes them. The VMfail outcomes
 * (current-VMCS pointer, region checks) are the caller's. Pure logic (see
 * pure.h).
 */
#ifndef NVMX_INSN_PURE_H
#define NVMX_INSN_PURE_H

#include "pure.h"
#include "caps.h"
#include "emulate.h"
#include "nested/vmcs12.h"

/* Exception vectors these checks raise. */
#define NVMX_VI_UD		6
#define NVMX_VI_SS		12
#define NVMX_VI_GP		13

#define NVMX_VI_CR0_PE		BIT_ULL(0)
#define NVMX_VI_CR4_LA57	BIT_ULL(12)
#define NVMX_VI_CR4_VMXE	BIT_ULL(13)
#define NVMX_VI_EFER_LMA	BIT_ULL(10)
#define NVMX_VI_RFLAGS_VM	BIT_ULL(17)

/* IA32_FEATURE_CONTROL */
#define NVMX_VI_FC_LOCKED		BIT_ULL(0)
#define NVMX_VI_FC_VMX_OUTSIDE_SMX	BIT_ULL(2)

/* Segment access rights, VMCS format. */
#define NVMX_VI_AR_TYPE_ACCESSED	BIT_ULL(0)
#define NVMX_VI_AR_TYPE_RW		BIT_ULL(1)	/* data: writable; code: readable */
#define NVMX_VI_AR_TYPE_DOWN		BIT_ULL(2)	/* data: expand-down */
#define NVMX_VI_AR_TYPE_CODE		BIT_ULL(3)
#define NVMX_VI_AR_L			BIT_ULL(13)
#define NVMX_VI_AR_DB			BIT_ULL(14)
#define NVMX_VI_AR_UNUSABLE		BIT_ULL(16)

/* IA32_VMX_EPT_VPID_CAP bits that make INVEPT/INVVPID exist. */
#define NVMX_VI_CAP_INVEPT		BIT_ULL(20)
#define NVMX_VI_CAP_INVVPID		BIT_ULL(32)

/*
 * VM-exit instruction information (SDM "Format of the VM-Exit
 * Instruction-Information Field"): the memory-operand layout shared by
 * VMCLEAR, VMPTRLD, VMPTRST, VMXON, INVEPT, INVVPID, VMREAD and VMWRITE.
 */
#define NVMX_VI_INFO_SCALE(i)		((i) & 0x3)
#define NVMX_VI_INFO_REG1(i)		(((i) >> 3) & 0xf)
#define NVMX_VI_INFO_ASIZE(i)		(((i) >> 7) & 0x7)
#define NVMX_VI_INFO_IS_REG		BIT_ULL(10)
#define NVMX_VI_INFO_SEG(i)		(((i) >> 15) & 0x7)
#define NVMX_VI_INFO_INDEX(i)		(((i) >> 18) & 0xf)
#define NVMX_VI_INFO_NO_INDEX		BIT_ULL(22)
#define NVMX_VI_INFO_BASE(i)		(((i) >> 23) & 0xf)
#define NVMX_VI_INFO_NO_BASE		BIT_ULL(27)
#define NVMX_VI_INFO_REG2(i)		(((i) >> 28) & 0xf)

#define NVMX_VI_ASIZE_16		0
#define NVMX_VI_ASIZE_32		1
#define NVMX_VI_ASIZE_64		2

enum nvmx_vmx_insn {
	NVMX_VI_VMXON,
	NVMX_VI_VMXOFF,
	NVMX_VI_VMCLEAR,
	NVMX_VI_VMPTRLD,
	NVMX_VI_VMPTRST,
	NVMX_VI_VMREAD,
	NVMX_VI_VMWRITE,
	NVMX_VI_VMLAUNCH,
	NVMX_VI_VMRESUME,
	NVMX_VI_INVEPT,
	NVMX_VI_INVVPID,
	NVMX_VI_VMFUNC,
	NVMX_VI_NR
};

/* A segment register as the VMCS holds it (limit in bytes, AR format). */
struct nvmx_insn_seg {
	u64 base;
	u32 limit;
	u32 ar;
	u16 selector;
};

/*
 * L1's state when it executed the instruction, filled by the caller from
 * vmcs01 and the vCPU. cr0/cr4 are the values L1 sees (its read shadows
 * merged), not the hardware's.
 */
struct nvmx_insn_env {
	u64 cr0;
	u64 cr4;
	u64 efer;
	u64 rflags;
	u8 cpl;
	bool vmx_on;		/* L1 executed VMXON and not VMXOFF */
	u64 feature_control;	/* L1's IA32_FEATURE_CONTROL */
	/* L1's VMX MSRs: CR0/CR4 FIXED0/1, INVEPT/INVVPID support. */
	const struct nvmx_vmx_caps *caps;
	struct nvmx_insn_seg seg[NVMX_SEG_NONE];	/* enum nvmx_seg order */
	u64 gpr[16];		/* RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8-R15 */
};

/* 64-bit mode: IA-32e with CS.L = 1. */
bool nvmx_vmx_long_mode(const struct nvmx_insn_env *env);

/* VMREAD/VMWRITE operand size in bytes: 8 in 64-bit mode, else 4. */
unsigned int nvmx_vmx_operand_size(const struct nvmx_insn_env *env);

/* The instruction's name, for tracing ("?" outside the enum). */
const char *nvmx_vmx_insn_name(enum nvmx_vmx_insn insn);

/*
 * Its memory operand: size in bytes (0: none; VMREAD/VMWRITE's is the
 * operand size) and whether the instruction writes it.
 */
unsigned int nvmx_vmx_mem_size(const struct nvmx_insn_env *env,
			       enum nvmx_vmx_insn insn, bool *write);

int nvmx_vmx_insn_fault(const struct nvmx_insn_env *env,
			enum nvmx_vmx_insn insn);
int nvmx_vmx_insn_check(const struct nvmx_insn_env *env,
			enum nvmx_vmx_insn insn, const char **failed);

int nvmx_vmx_mem_operand(const struct nvmx_insn_env *env, u32 insn_info,
			 u64 qual, unsigned int size, bool write, u64 *linear,
			 u8 *vector);
int nvmx_vmx_mem_check(const struct nvmx_insn_env *env, u32 insn_info,
		       u64 qual, unsigned int size, bool write, u64 *linear,
		       u8 *vector, const char **failed);

unsigned int nvmx_vmx_reg_operand(u32 insn_info, bool reg2);
u64 nvmx_vmx_reg_value(const struct nvmx_insn_env *env, u32 insn_info,
		       bool reg2);

/*
 * The VMfail outcomes, after the faults: VMfailInvalid as a pseudo error
 * number (the SDM's numbers are 1-28).
 */
#define NVMX_VI_FAIL_INVALID	0xffffffffU

/* VM-instruction error numbers (SDM "VM Instruction Error Numbers"). */
#define NVMX_VMERR_VMCLEAR_ADDR		2U
#define NVMX_VMERR_VMCLEAR_VMXON	3U
#define NVMX_VMERR_LAUNCH_NOT_CLEAR	4U
#define NVMX_VMERR_RESUME_NOT_LAUNCHED	5U
#define NVMX_VMERR_VMPTRLD_ADDR		9U
#define NVMX_VMERR_VMPTRLD_VMXON	10U
#define NVMX_VMERR_VMPTRLD_REVISION	11U
#define NVMX_VMERR_VMXON_IN_ROOT	15U
#define NVMX_VMERR_MOV_SS		26U

struct nvmx_vmfail_env {
	bool vmx_on;		/* L1 is in VMX operation */
	bool has_vmcs;		/* a current VMCS is loaded */
	u64 ptr;		/* VMXON/VMCLEAR/VMPTRLD: the operand's value */
	u64 vmxon_ptr;		/* L1's VMXON region (vmx_on) */
	unsigned int maxphyaddr;	/* L1's physical-address width */
	bool shadow_ok;		/* L1 is offered VMCS shadowing */
	u32 launch_state;	/* NVMX_VMCS12_CLEAR or _LAUNCHED (current) */
	bool mov_ss;		/* blocking by MOV SS (VMLAUNCH/VMRESUME) */
	/* The 32 bits at an L1 physical address, ~0 if it cannot be read. */
	u32 (*read_u32)(void *opaque, u64 gpa);
	void *opaque;
};

u32 nvmx_vmx_vmfail_check(const struct nvmx_vmfail_env *f,
			  enum nvmx_vmx_insn insn, const char **failed);

#endif /* NVMX_INSN_PURE_H */
