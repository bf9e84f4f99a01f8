// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/nested/insn_pure.c: VMX instruction fault checks and
 * operand decoding, built for userspace with ASan and UBSan.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "nested/insn_pure.h"

#define CR0_GOOD	0x80000031ULL	/* PG, NE, ET, PE */
#define CR4_GOOD	0x2020ULL	/* VMXE, PAE */
#define EFER_LONG	0xd01ULL	/* NXE, LMA, LME, SCE */
#define AR_CODE64	0xa09bU		/* G, L, P, S, code exec/read accessed */
#define AR_CODE32	0xc09bU		/* G, D, P, S, code exec/read accessed */
#define AR_DATA		0xc093U		/* G, B, P, S, data read/write accessed */

static struct nvmx_vmx_caps caps;

static void init_caps(void)
{
	memset(&caps, 0, sizeof(caps));
	caps.cr0_fixed0 = 0x80000021;
	caps.cr0_fixed1 = 0xffffffff;
	caps.cr4_fixed0 = 0x2000;
	caps.cr4_fixed1 = 0x3727ff;
	caps.procbased2 = NVMX_ALLOWED1(NVMX_PROC2_EPT) |
			  NVMX_ALLOWED1(NVMX_PROC2_VPID);
	caps.ept_vpid = NVMX_VI_CAP_INVEPT | NVMX_VI_CAP_INVVPID;
}

/* L1 at CPL 0 in 64-bit mode, after VMXON: every instruction may run. */
static struct nvmx_insn_env env64(void)
{
	struct nvmx_insn_env e;
	unsigned int i;

	init_caps();
	memset(&e, 0, sizeof(e));
	e.cr0 = CR0_GOOD;
	e.cr4 = CR4_GOOD;
	e.efer = EFER_LONG;
	e.rflags = 0x2;
	e.vmx_on = true;
	e.feature_control = NVMX_VI_FC_LOCKED | NVMX_VI_FC_VMX_OUTSIDE_SMX;
	e.caps = &caps;
	for (i = 0; i < NVMX_SEG_NONE; i++) {
		e.seg[i].ar = AR_DATA;
		e.seg[i].limit = 0xffffffff;
		e.seg[i].selector = 0x10;
	}
	e.seg[NVMX_SEG_CS].ar = AR_CODE64;
	e.seg[NVMX_SEG_CS].selector = 0x8;
	for (i = 0; i < 16; i++)
		e.gpr[i] = 0x1000ULL * (i + 1);
	return e;
}

/* The same in 32-bit protected mode (no IA-32e). */
static struct nvmx_insn_env env32(void)
{
	struct nvmx_insn_env e = env64();

	e.efer = 0;
	e.cr4 &= ~0x20ULL;
	e.seg[NVMX_SEG_CS].ar = AR_CODE32;
	return e;
}

TEST(a_good_env_passes_every_instruction_but_vmfunc)
{
	struct nvmx_insn_env e = env64();
	const char *why = "x";
	int i;

	for (i = 0; i < NVMX_VI_NR; i++) {
		int want = i == NVMX_VI_VMFUNC ? NVMX_VI_UD : 0;

		EXPECT_EQ(want, nvmx_vmx_insn_check(&e, i, &why));
		EXPECT_EQ(want, nvmx_vmx_insn_fault(&e, i));
		if (!want)
			EXPECT_EQ(NULL, why);
	}
	EXPECT_STREQ("VMFUNC in VMX root operation", why);
	/* VMXON in VMX operation passes: the caller's VMfailValid(15). */
	EXPECT_EQ(0, nvmx_vmx_insn_fault(&e, NVMX_VI_VMXON));
	e = env32();
	for (i = 0; i < NVMX_VI_VMFUNC; i++)
		EXPECT_EQ(0, nvmx_vmx_insn_fault(&e, i));
}

enum mutation {
	M_VMX_OFF, M_NO_VMXE, M_REAL, M_V86, M_COMPAT, M_CPL3, M_CPL1,
	M_CPL3_REAL, M_CPL3_VMX_OFF, M_CR0_NO_NE, M_CR0_HIGH, M_CR4_NO_PAE,
	M_CR4_BIT22, M_FC_UNLOCKED, M_FC_NO_VMX, M_NO_EPT, M_NO_INVEPT,
	M_NO_VPID, M_NO_INVVPID,
};

static void mutate(struct nvmx_insn_env *e, enum mutation m)
{
	switch (m) {
	case M_VMX_OFF:
		e->vmx_on = false;
		break;
	case M_NO_VMXE:
		e->cr4 &= ~NVMX_VI_CR4_VMXE;
		break;
	case M_REAL:
		e->cr0 &= ~NVMX_VI_CR0_PE;
		break;
	case M_V86:
		e->rflags |= NVMX_VI_RFLAGS_VM;
		break;
	case M_COMPAT:
		e->seg[NVMX_SEG_CS].ar = AR_CODE32;
		break;
	case M_CPL3:
		e->cpl = 3;
		break;
	case M_CPL1:
		e->cpl = 1;
		break;
	case M_CPL3_REAL:
		e->cpl = 3;
		e->cr0 &= ~NVMX_VI_CR0_PE;
		break;
	case M_CPL3_VMX_OFF:
		e->cpl = 3;
		e->vmx_on = false;
		break;
	case M_CR0_NO_NE:
		e->vmx_on = false;
		e->cr0 &= ~0x20ULL;
		break;
	case M_CR0_HIGH:
		e->vmx_on = false;
		e->cr0 |= 1ULL << 32;
		break;
	case M_CR4_NO_PAE:
		e->vmx_on = false;
		caps.cr4_fixed0 |= 0x20;
		e->cr4 &= ~0x20ULL;
		break;
	case M_CR4_BIT22:
		e->vmx_on = false;
		e->cr4 |= 1ULL << 22;
		break;
	case M_FC_UNLOCKED:
		e->vmx_on = false;
		e->feature_control &= ~NVMX_VI_FC_LOCKED;
		break;
	case M_FC_NO_VMX:
		e->vmx_on = false;
		e->feature_control &= ~NVMX_VI_FC_VMX_OUTSIDE_SMX;
		break;
	case M_NO_EPT:
		caps.procbased2 &= ~NVMX_ALLOWED1(NVMX_PROC2_EPT);
		break;
	case M_NO_INVEPT:
		caps.ept_vpid &= ~NVMX_VI_CAP_INVEPT;
		break;
	case M_NO_VPID:
		caps.procbased2 &= ~NVMX_ALLOWED1(NVMX_PROC2_VPID);
		break;
	case M_NO_INVVPID:
		caps.ept_vpid &= ~NVMX_VI_CAP_INVVPID;
		break;
	}
}

#define ALL		((1U << NVMX_VI_NR) - 1)
#define ONLY(i)		(1U << (i))
#define BUT(i)		(ALL & ~ONLY(i))

/*
 * Each mutation of the good env, the instructions it faults, the vector
 * and the check that must be named. The others are unaffected, but outside
 * VMX operation they raise #UD, and VMFUNC always does.
 */
static const struct {
	enum mutation m;
	u32 insns;
	int vector;
	const char *why;
} fault_cases[] = {
	{ M_VMX_OFF, BUT(NVMX_VI_VMXON), NVMX_VI_UD, "not in VMX operation" },
	{ M_NO_VMXE, ONLY(NVMX_VI_VMXON), NVMX_VI_UD, "CR4.VMXE=0" },
	{ M_REAL, ALL, NVMX_VI_UD, "CR0.PE=0" },
	{ M_V86, ALL, NVMX_VI_UD, "RFLAGS.VM=1" },
	{ M_COMPAT, ALL, NVMX_VI_UD, "compatibility mode" },
	{ M_CPL3, BUT(NVMX_VI_VMFUNC), NVMX_VI_GP, "CPL>0" },
	{ M_CPL1, BUT(NVMX_VI_VMFUNC), NVMX_VI_GP, "CPL>0" },
	/* #UD comes before #GP. */
	{ M_CPL3_REAL, ALL, NVMX_VI_UD, "CR0.PE=0" },
	{ M_CPL3_VMX_OFF, BUT(NVMX_VI_VMXON), NVMX_VI_UD, "not in VMX operation" },
	{ M_CPL3_VMX_OFF, ONLY(NVMX_VI_VMXON), NVMX_VI_GP, "CPL>0" },
	{ M_CR0_NO_NE, ONLY(NVMX_VI_VMXON), NVMX_VI_GP, "CR0 bit fixed to 1 is 0" },
	{ M_CR0_HIGH, ONLY(NVMX_VI_VMXON), NVMX_VI_GP, "CR0 bit fixed to 0 is 1" },
	{ M_CR4_NO_PAE, ONLY(NVMX_VI_VMXON), NVMX_VI_GP, "CR4 bit fixed to 1 is 0" },
	{ M_CR4_BIT22, ONLY(NVMX_VI_VMXON), NVMX_VI_GP, "CR4 bit fixed to 0 is 1" },
	{ M_FC_UNLOCKED, ONLY(NVMX_VI_VMXON), NVMX_VI_GP, "FEATURE_CONTROL not locked" },
	{ M_FC_NO_VMX, ONLY(NVMX_VI_VMXON), NVMX_VI_GP,
	  "FEATURE_CONTROL VMX outside SMX off" },
	{ M_NO_EPT, ONLY(NVMX_VI_INVEPT), NVMX_VI_UD, "INVEPT not supported" },
	{ M_NO_INVEPT, ONLY(NVMX_VI_INVEPT), NVMX_VI_UD, "INVEPT not supported" },
	{ M_NO_VPID, ONLY(NVMX_VI_INVVPID), NVMX_VI_UD, "INVVPID not supported" },
	{ M_NO_INVVPID, ONLY(NVMX_VI_INVVPID), NVMX_VI_UD, "INVVPID not supported" },
};

TEST(each_check_faults_its_instructions_only)
{
	unsigned int c;
	int i;

	for (c = 0; c < ARRAY_SIZE(fault_cases); c++) {
		u32 covered = 0;
		unsigned int o;

		/* Instructions another row of the same mutation speaks for. */
		for (o = 0; o < ARRAY_SIZE(fault_cases); o++)
			if (o != c && fault_cases[o].m == fault_cases[c].m)
				covered |= fault_cases[o].insns;
		for (i = 0; i < NVMX_VI_NR; i++) {
			struct nvmx_insn_env e = env64();
			const char *why;
			int got;

			if (covered & ONLY(i))
				continue;
			mutate(&e, fault_cases[c].m);
			got = nvmx_vmx_insn_check(&e, i, &why);
			if (fault_cases[c].insns & ONLY(i)) {
				EXPECT_EQ(fault_cases[c].vector, got)
					TH_LOG("case %u insn %d", c, i);
				EXPECT_STREQ(fault_cases[c].why, why)
					TH_LOG("case %u insn %d", c, i);
			} else if (!e.vmx_on && i != NVMX_VI_VMXON) {
				EXPECT_EQ(NVMX_VI_UD, got)
					TH_LOG("case %u insn %d", c, i);
				EXPECT_STREQ("not in VMX operation", why)
					TH_LOG("case %u insn %d", c, i);
			} else if (i == NVMX_VI_VMFUNC) {
				EXPECT_EQ(NVMX_VI_UD, got) TH_LOG("case %u", c);
			} else {
				EXPECT_EQ(0, got) TH_LOG("case %u insn %d", c, i);
			}
		}
	}
}

TEST(vmxon_checks_cr_and_feature_control_only_outside_vmx)
{
	struct nvmx_insn_env e = env64();

	/* In VMX operation the VMXON-only #GP checks do not run. */
	e.feature_control = 0;
	e.cr0 &= ~0x20ULL;
	EXPECT_EQ(0, nvmx_vmx_insn_fault(&e, NVMX_VI_VMXON));
	e.vmx_on = false;
	EXPECT_EQ(NVMX_VI_GP, nvmx_vmx_insn_fault(&e, NVMX_VI_VMXON));
	EXPECT_EQ(NVMX_VI_UD, nvmx_vmx_insn_fault(&e, NVMX_VI_VMXOFF));
}

TEST(unknown_instruction_is_ud)
{
	struct nvmx_insn_env e = env64();
	const char *why;

	EXPECT_EQ(NVMX_VI_UD, nvmx_vmx_insn_check(&e, NVMX_VI_NR, &why));
	EXPECT_STREQ("unknown instruction", why);
}

TEST(operand_size_follows_the_mode)
{
	struct nvmx_insn_env e = env64();

	EXPECT_TRUE(nvmx_vmx_long_mode(&e));
	EXPECT_EQ(8, nvmx_vmx_operand_size(&e));
	e = env32();
	EXPECT_FALSE(nvmx_vmx_long_mode(&e));
	EXPECT_EQ(4, nvmx_vmx_operand_size(&e));
	/* Compatibility mode is not 64-bit mode. */
	e = env64();
	e.seg[NVMX_SEG_CS].ar = AR_CODE32;
	EXPECT_FALSE(nvmx_vmx_long_mode(&e));
	EXPECT_EQ(4, nvmx_vmx_operand_size(&e));
}

/* Instruction information for a memory operand. */
#define B(r)	((u32)(r) << 23)
#define X(r)	((u32)(r) << 18)
#define NB	NVMX_VI_INFO_NO_BASE
#define NX	NVMX_VI_INFO_NO_INDEX
#define INFO(asize, seg, base, index, scale) \
	((u32)(asize) << 7 | (u32)(seg) << 15 | (base) | (index) | (u32)(scale))

/* Addressing forms: each computes base + index * scale + disp. */
static const struct {
	const char *name;
	bool lm;
	u32 info;
	u64 qual;
	u64 rax, rbx, rsi, r15;
	u64 fs_base, ds_base;
	u64 want;
} addr_cases[] = {
	{ "64: [rax]", true, INFO(2, 3, B(0), NX, 0), 0, .rax = 0x1000, .want = 0x1000 },
	{ "64: [rax+disp]", true, INFO(2, 3, B(0), NX, 0), 0x20, .rax = 0x1000,
	  .want = 0x1020 },
	{ "64: [rax-8]", true, INFO(2, 3, B(0), NX, 0), (u64)-8, .rax = 0x1000,
	  .want = 0xff8 },
	{ "64: [disp32]", true, INFO(2, 3, NB, NX, 0), 0x123456, .want = 0x123456 },
	{ "64: [rbx+rsi]", true, INFO(2, 3, B(3), X(6), 0), 0, .rbx = 0x1000, .rsi = 0x10,
	  .want = 0x1010 },
	{ "64: [rbx+rsi*2]", true, INFO(2, 3, B(3), X(6), 1), 0, .rbx = 0x1000, .rsi = 0x10,
	  .want = 0x1020 },
	{ "64: [rbx+rsi*4]", true, INFO(2, 3, B(3), X(6), 2), 0, .rbx = 0x1000, .rsi = 0x10,
	  .want = 0x1040 },
	{ "64: [rbx+rsi*8+disp]", true, INFO(2, 3, B(3), X(6), 3), 0x5, .rbx = 0x1000,
	  .rsi = 0x10, .want = 0x1085 },
	{ "64: [r15*8] no base", true, INFO(2, 3, NB, X(15), 3), 0, .r15 = 0x200,
	  .want = 0x1000 },
	{ "64: DS base ignored", true, INFO(2, 3, B(0), NX, 0), 0, .rax = 0x1000,
	  .ds_base = 0x10000, .want = 0x1000 },
	{ "64: FS base added", true, INFO(2, 4, B(0), NX, 0), 0, .rax = 0x1000,
	  .fs_base = 0xffff800000000000ULL, .want = 0xffff800000001000ULL },
	{ "64: addr32 wraps", true, INFO(1, 3, B(0), NX, 0), 2, .rax = 0xffffffffULL,
	  .want = 0x1 },
	{ "64: addr32 drops rax high", true, INFO(1, 3, B(0), NX, 0), 0,
	  .rax = 0x500000010ULL, .want = 0x10 },
	{ "64: upper-half address", true, INFO(2, 3, B(0), NX, 0), 0,
	  .rax = 0xffffffffffffe000ULL, .want = 0xffffffffffffe000ULL },
	{ "32: [rax+disp] plus DS base", false, INFO(1, 3, B(0), NX, 0), 0x10,
	  .rax = 0x1000, .ds_base = 0x100000, .want = 0x101010 },
	{ "32: [rbx+rsi*4]", false, INFO(1, 3, B(3), X(6), 2), 0, .rbx = 0x1000, .rsi = 0x3,
	  .want = 0x100c },
	{ "32: negative disp", false, INFO(1, 3, B(0), NX, 0), (u64)-0x10,
	  .rax = 0x1000, .want = 0xff0 },
	{ "32: linear wraps at 4G", false, INFO(1, 3, B(0), NX, 0), 0, .rax = 0x2000,
	  .ds_base = 0xfffff000ULL, .want = 0x1000 },
	{ "32: rax high ignored", false, INFO(1, 3, B(0), NX, 0), 0,
	  .rax = 0xabcd00001000ULL, .want = 0x1000 },
	{ "16: [bx+si+disp] wraps", false, INFO(0, 3, B(3), X(6), 0), 0x10, .rbx = 0xfff0,
	  .rsi = 0x8, .want = 0x8 },
	{ "16: FS base added", false, INFO(0, 4, B(3), NX, 0), 0, .rbx = 0x10,
	  .fs_base = 0x20000, .want = 0x20010 },
};

TEST(addressing_forms)
{
	unsigned int c;

	for (c = 0; c < ARRAY_SIZE(addr_cases); c++) {
		struct nvmx_insn_env e = addr_cases[c].lm ? env64() : env32();
		const char *why = "x";
		u64 la = 0x5a5a;
		u8 vec = 0xff;

		e.gpr[0] = addr_cases[c].rax;
		e.gpr[3] = addr_cases[c].rbx;
		e.gpr[6] = addr_cases[c].rsi;
		e.gpr[15] = addr_cases[c].r15;
		e.seg[NVMX_SEG_FS].base = addr_cases[c].fs_base;
		e.seg[NVMX_SEG_DS].base = addr_cases[c].ds_base;
		EXPECT_EQ(0, nvmx_vmx_mem_check(&e, addr_cases[c].info,
						addr_cases[c].qual, 8, false,
						&la, &vec, &why))
			TH_LOG("%s: %s", addr_cases[c].name, why);
		EXPECT_EQ(addr_cases[c].want, la) TH_LOG("%s", addr_cases[c].name);
		EXPECT_EQ(0, vec);
		EXPECT_EQ(NULL, why);
		la = 0;
		EXPECT_EQ(0, nvmx_vmx_mem_operand(&e, addr_cases[c].info,
						  addr_cases[c].qual, 8, true,
						  &la, &vec));
		EXPECT_EQ(addr_cases[c].want, la) TH_LOG("%s", addr_cases[c].name);
	}
}

enum seg_mut {
	S_NONE, S_UNUSABLE, S_CODE, S_XO_CODE, S_RO_DATA, S_LIMIT_FFF,
	S_DOWN_FFF, S_DOWN_FFF_16, S_LA57,
};

/* Segment and canonical checks: address (via rax), size, write, result. */
static const struct {
	const char *name;
	bool lm;
	unsigned int seg;
	enum seg_mut mut;
	u64 rax;
	unsigned int size;
	bool write;
	int vector;	/* 0: passes */
	const char *why;
} seg_cases[] = {
	{ "64: non-canonical", true, NVMX_SEG_DS, S_NONE, 0x0000800000000000ULL, 8,
	  false, NVMX_VI_GP, "non-canonical address" },
	{ "64: non-canonical via SS", true, NVMX_SEG_SS, S_NONE, 0x0000800000000000ULL,
	  8, false, NVMX_VI_SS, "non-canonical address" },
	{ "64: last byte non-canonical", true, NVMX_SEG_DS, S_NONE,
	  0x00007ffffffffffcULL, 8, true, NVMX_VI_GP, "non-canonical address" },
	{ "64: last byte canonical", true, NVMX_SEG_DS, S_NONE, 0x00007ffffffffff8ULL,
	  8, true, 0, NULL },
	{ "64: below the upper half", true, NVMX_SEG_ES, S_NONE,
	  0xffff7ffffffffff8ULL, 8, false, NVMX_VI_GP, "non-canonical address" },
	{ "64: LA57 makes it canonical", true, NVMX_SEG_DS, S_LA57,
	  0x0000800000000000ULL, 8, false, 0, NULL },
	{ "64: LA57 limit", true, NVMX_SEG_DS, S_LA57, 0x0100000000000000ULL, 8,
	  false, NVMX_VI_GP, "non-canonical address" },
	/* 64-bit mode ignores segment usability, type and limit. */
	{ "64: unusable DS", true, NVMX_SEG_DS, S_UNUSABLE, 0x1000, 8, true, 0, NULL },
	{ "64: read-only DS", true, NVMX_SEG_DS, S_RO_DATA, 0x1000, 8, true, 0, NULL },
	{ "64: limit ignored", true, NVMX_SEG_DS, S_LIMIT_FFF, 0x1000, 8, true, 0, NULL },
	{ "32: fine", false, NVMX_SEG_DS, S_NONE, 0x1000, 8, true, 0, NULL },
	{ "32: unusable DS", false, NVMX_SEG_DS, S_UNUSABLE, 0x1000, 8, false,
	  NVMX_VI_GP, "segment unusable" },
	{ "32: unusable SS", false, NVMX_SEG_SS, S_UNUSABLE, 0x1000, 8, false,
	  NVMX_VI_SS, "segment unusable" },
	{ "32: write to CS", false, NVMX_SEG_CS, S_NONE, 0x1000, 8, true, NVMX_VI_GP,
	  "write to a code segment" },
	{ "32: read of readable CS", false, NVMX_SEG_CS, S_NONE, 0x1000, 8, false, 0,
	  NULL },
	{ "32: write to code in ES", false, NVMX_SEG_ES, S_CODE, 0x1000, 4, true,
	  NVMX_VI_GP, "write to a code segment" },
	{ "32: read of execute-only", false, NVMX_SEG_ES, S_XO_CODE, 0x1000, 4, false,
	  NVMX_VI_GP, "read of an execute-only code segment" },
	{ "32: write to read-only data", false, NVMX_SEG_DS, S_RO_DATA, 0x1000, 8,
	  true, NVMX_VI_GP, "write to a read-only data segment" },
	{ "32: write to read-only SS", false, NVMX_SEG_SS, S_RO_DATA, 0x1000, 8,
	  true, NVMX_VI_SS, "write to a read-only data segment" },
	{ "32: read of read-only data", false, NVMX_SEG_DS, S_RO_DATA, 0x1000, 8,
	  false, 0, NULL },
	{ "32: last byte at the limit", false, NVMX_SEG_DS, S_LIMIT_FFF, 0xff8, 8,
	  false, 0, NULL },
	{ "32: one byte beyond the limit", false, NVMX_SEG_DS, S_LIMIT_FFF, 0xff9, 8,
	  false, NVMX_VI_GP, "beyond the segment limit" },
	{ "32: beyond the SS limit", false, NVMX_SEG_SS, S_LIMIT_FFF, 0x1000, 4,
	  false, NVMX_VI_SS, "beyond the segment limit" },
	{ "32: 16-byte descriptor straddles", false, NVMX_SEG_DS, S_LIMIT_FFF, 0xff8,
	  16, false, NVMX_VI_GP, "beyond the segment limit" },
	{ "32: 4G limit, end of space", false, NVMX_SEG_DS, S_NONE, 0xfffffff8ULL, 8,
	  false, 0, NULL },
	{ "32: 4G limit, wraps", false, NVMX_SEG_DS, S_NONE, 0xfffffffcULL, 8,
	  false, NVMX_VI_GP, "beyond the segment limit" },
	{ "32: expand-down above limit", false, NVMX_SEG_DS, S_DOWN_FFF, 0x1000, 8,
	  true, 0, NULL },
	{ "32: expand-down at limit", false, NVMX_SEG_DS, S_DOWN_FFF, 0xfff, 8, true,
	  NVMX_VI_GP, "outside the expand-down segment" },
	{ "32: expand-down top, D/B", false, NVMX_SEG_DS, S_DOWN_FFF, 0xfffffff8ULL,
	  8, false, 0, NULL },
	{ "32: expand-down top, 16-bit", false, NVMX_SEG_SS, S_DOWN_FFF_16, 0xfff8,
	  8, false, 0, NULL },
	{ "32: expand-down past 64K", false, NVMX_SEG_SS, S_DOWN_FFF_16, 0xfffc, 8,
	  false, NVMX_VI_SS, "outside the expand-down segment" },
};

TEST(segment_and_canonical_checks)
{
	unsigned int c;

	for (c = 0; c < ARRAY_SIZE(seg_cases); c++) {
		struct nvmx_insn_env e = seg_cases[c].lm ? env64() : env32();
		struct nvmx_insn_seg *s = &e.seg[seg_cases[c].seg];
		const char *why = "x";
		u64 la = 0;
		u8 vec = 0xff;
		int rc;

		switch (seg_cases[c].mut) {
		case S_NONE:
			break;
		case S_UNUSABLE:
			s->ar |= NVMX_VI_AR_UNUSABLE;
			break;
		case S_CODE:
			s->ar = AR_CODE32;
			break;
		case S_XO_CODE:
			s->ar = AR_CODE32 & ~NVMX_VI_AR_TYPE_RW;
			break;
		case S_RO_DATA:
			s->ar &= ~NVMX_VI_AR_TYPE_RW;
			break;
		case S_LIMIT_FFF:
			s->limit = 0xfff;
			break;
		case S_DOWN_FFF:
			s->ar |= NVMX_VI_AR_TYPE_DOWN;
			s->limit = 0xfff;
			break;
		case S_DOWN_FFF_16:
			s->ar = (s->ar | NVMX_VI_AR_TYPE_DOWN) & ~NVMX_VI_AR_DB;
			s->limit = 0xfff;
			break;
		case S_LA57:
			e.cr4 |= NVMX_VI_CR4_LA57;
			break;
		}
		e.gpr[0] = seg_cases[c].rax;
		rc = nvmx_vmx_mem_check(&e, INFO(seg_cases[c].lm ? 2 : 1,
						 seg_cases[c].seg, B(0), NX, 0),
					0, seg_cases[c].size, seg_cases[c].write,
					&la, &vec, &why);
		EXPECT_EQ(seg_cases[c].vector ? -1 : 0, rc)
			TH_LOG("%s: %s", seg_cases[c].name, why);
		EXPECT_EQ(seg_cases[c].vector, vec) TH_LOG("%s", seg_cases[c].name);
		if (seg_cases[c].why) {
			EXPECT_STREQ(seg_cases[c].why, why)
				TH_LOG("%s", seg_cases[c].name);
		} else {
			EXPECT_EQ(NULL, why) TH_LOG("%s", seg_cases[c].name);
		}
		if (!rc)
			EXPECT_EQ(seg_cases[c].rax, la) TH_LOG("%s", seg_cases[c].name);
	}
}

TEST(impossible_information_is_ud)
{
	struct nvmx_insn_env e64 = env64(), e32 = env32();
	const char *why;
	u64 la = 0x77;
	u8 vec;

	EXPECT_EQ(-1, nvmx_vmx_mem_check(&e64, INFO(3, 3, B(0), NX, 0), 0, 8, false,
					 &la, &vec, &why));
	EXPECT_EQ(NVMX_VI_UD, vec);
	EXPECT_STREQ("address size", why);
	EXPECT_EQ(-1, nvmx_vmx_mem_check(&e64, INFO(0, 3, B(0), NX, 0), 0, 8, false,
					 &la, &vec, &why));
	EXPECT_STREQ("address size", why);
	EXPECT_EQ(-1, nvmx_vmx_mem_check(&e32, INFO(2, 3, B(0), NX, 0), 0, 8, false,
					 &la, &vec, &why));
	EXPECT_STREQ("address size", why);
	EXPECT_EQ(-1, nvmx_vmx_mem_check(&e64, INFO(2, 6, B(0), NX, 0), 0, 8, false,
					 &la, &vec, &why));
	EXPECT_EQ(NVMX_VI_UD, vec);
	EXPECT_STREQ("operand", why);
	EXPECT_EQ(-1, nvmx_vmx_mem_check(&e64, INFO(2, 3, B(0), NX, 0) |
					 NVMX_VI_INFO_IS_REG, 0, 8, false,
					 &la, &vec, &why));
	EXPECT_STREQ("operand", why);
	EXPECT_EQ(-1, nvmx_vmx_mem_operand(&e64, INFO(2, 3, B(0), NX, 0), 0, 0,
					   false, &la, &vec));
	EXPECT_EQ(0x77, la);
}

TEST(register_operands)
{
	struct nvmx_insn_env e = env64();
	unsigned int r1, r2;

	for (r1 = 0; r1 < 16; r1++) {
		for (r2 = 0; r2 < 16; r2++) {
			/* Other bits set everywhere else must not leak in. */
			u32 i = 0x0ffff887U | (r1 << 3) | (r2 << 28);

			EXPECT_EQ(r1, nvmx_vmx_reg_operand(i, false));
			EXPECT_EQ(r2, nvmx_vmx_reg_operand(i, true));
		}
	}
	e.gpr[2] = 0x123456789abcdef0ULL;
	e.gpr[9] = 0x6c16;
	EXPECT_EQ(0x123456789abcdef0ULL,
		  nvmx_vmx_reg_value(&e, NVMX_VI_INFO_IS_REG | (2 << 3) | (9U << 28),
				     false));
	EXPECT_EQ(0x6c16, nvmx_vmx_reg_value(&e, (2 << 3) | (9U << 28), true));
	e = env32();
	e.gpr[2] = 0x123456789abcdef0ULL;
	EXPECT_EQ(0x9abcdef0ULL, nvmx_vmx_reg_value(&e, 2 << 3, false));
}

/* L1 memory for the revision reads: one page per 4 KiB, 16 pages. */
static u32 revs[16];
static unsigned int reads;

static u32 read_rev(void *opaque, u64 gpa)
{
	reads++;
	if (opaque != revs || (gpa >> 12) >= ARRAY_SIZE(revs))
		return ~0U;
	return revs[gpa >> 12];
}

/* In VMX operation (VMXON region at 0x1000), VMCS at 0x2000 current. */
static struct nvmx_vmfail_env vf_env(void)
{
	struct nvmx_vmfail_env f = {
		.vmx_on = true, .has_vmcs = true, .ptr = 0x2000,
		.vmxon_ptr = 0x1000, .maxphyaddr = 36,
		.launch_state = NVMX_VMCS12_CLEAR,
		.read_u32 = read_rev, .opaque = revs,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(revs); i++)
		revs[i] = NVMX_VMCS12_REVISION;
	reads = 0;
	return f;
}

static const char *or_none(const char *s)
{
	return s ?: "(none)";
}

TEST(vmfail_checks)
{
	static const struct {
		const char *name;
		enum nvmx_vmx_insn insn;
		bool vmx_on, has_vmcs, shadow_ok, mov_ss;
		u64 ptr;
		u32 rev;	/* at 0x2000 (and at 0x1000 for VMXON) */
		u32 launch_state;
		u32 want;
		const char *why;
	} cases[] = {
		{ .name = "vmxon ok", .insn = NVMX_VI_VMXON,
		  .ptr = 0x2000, .rev = NVMX_VMCS12_REVISION },
		{ .name = "vmxon in root", .insn = NVMX_VI_VMXON,
		  .vmx_on = true, .ptr = 0x2000,
		  .rev = NVMX_VMCS12_REVISION, .want = NVMX_VMERR_VMXON_IN_ROOT,
		  .why = "VMXON in VMX root operation" },
		{ .name = "vmxon unaligned", .insn = NVMX_VI_VMXON, .ptr = 0x2008,
		  .rev = NVMX_VMCS12_REVISION, .want = NVMX_VI_FAIL_INVALID,
		  .why = "VMXON region address" },
		{ .name = "vmxon beyond maxphyaddr", .insn = NVMX_VI_VMXON,
		  .ptr = 1ULL << 36,
		  .rev = NVMX_VMCS12_REVISION, .want = NVMX_VI_FAIL_INVALID,
		  .why = "VMXON region address" },
		{ .name = "vmxon bad revision", .insn = NVMX_VI_VMXON,
		  .ptr = 0x2000, .rev = 0x12,
		  .want = NVMX_VI_FAIL_INVALID, .why = "VMXON region revision" },
		{ .name = "vmxon shadow bit", .insn = NVMX_VI_VMXON,
		  .shadow_ok = true, .ptr = 0x2000,
		  .rev = NVMX_VMCS12_REVISION | 0x80000000U,
		  .want = NVMX_VI_FAIL_INVALID, .why = "VMXON region revision" },
		{ .name = "vmxon unreadable", .insn = NVMX_VI_VMXON, .ptr = 0x20000,
		  .rev = NVMX_VMCS12_REVISION, .want = NVMX_VI_FAIL_INVALID,
		  .why = "VMXON region revision" },
		{ .name = "vmclear ok", .insn = NVMX_VI_VMCLEAR,
		  .vmx_on = true, .ptr = 0x2000, .rev = 0 },
		{ .name = "vmclear unaligned", .insn = NVMX_VI_VMCLEAR,
		  .vmx_on = true, .ptr = 0x2001,
		  .want = NVMX_VMERR_VMCLEAR_ADDR, .why = "VMCLEAR address" },
		{ .name = "vmclear beyond maxphyaddr", .insn = NVMX_VI_VMCLEAR,
		  .vmx_on = true,
		  .ptr = 0x8000000000001000ULL, .want = NVMX_VMERR_VMCLEAR_ADDR,
		  .why = "VMCLEAR address" },
		{ .name = "vmclear vmxon", .insn = NVMX_VI_VMCLEAR,
		  .vmx_on = true, .ptr = 0x1000,
		  .want = NVMX_VMERR_VMCLEAR_VMXON, .why = "VMCLEAR of the VMXON region" },
		{ .name = "vmptrld ok", .insn = NVMX_VI_VMPTRLD,
		  .vmx_on = true, .ptr = 0x2000,
		  .rev = NVMX_VMCS12_REVISION },
		{ .name = "vmptrld with no current", .insn = NVMX_VI_VMPTRLD,
		  .vmx_on = true, .has_vmcs = false, .ptr = 0x2000,
		  .rev = NVMX_VMCS12_REVISION },
		{ .name = "vmptrld unaligned", .insn = NVMX_VI_VMPTRLD,
		  .vmx_on = true, .ptr = 0x2800,
		  .rev = NVMX_VMCS12_REVISION, .want = NVMX_VMERR_VMPTRLD_ADDR,
		  .why = "VMPTRLD address" },
		{ .name = "vmptrld vmxon", .insn = NVMX_VI_VMPTRLD,
		  .vmx_on = true, .ptr = 0x1000,
		  .rev = NVMX_VMCS12_REVISION, .want = NVMX_VMERR_VMPTRLD_VMXON,
		  .why = "VMPTRLD of the VMXON region" },
		{ .name = "vmptrld bad revision", .insn = NVMX_VI_VMPTRLD,
		  .vmx_on = true, .ptr = 0x2000,
		  .rev = NVMX_VMCS12_REVISION + 1, .want = NVMX_VMERR_VMPTRLD_REVISION,
		  .why = "VMPTRLD revision" },
		{ .name = "vmptrld shadow bit", .insn = NVMX_VI_VMPTRLD,
		  .vmx_on = true, .ptr = 0x2000,
		  .rev = NVMX_VMCS12_REVISION | 0x80000000U,
		  .want = NVMX_VMERR_VMPTRLD_REVISION, .why = "VMPTRLD revision" },
		{ .name = "vmptrld shadow bit offered", .insn = NVMX_VI_VMPTRLD,
		  .vmx_on = true, .shadow_ok = true,
		  .ptr = 0x2000, .rev = NVMX_VMCS12_REVISION | 0x80000000U },
		{ .name = "vmptrld unreadable", .insn = NVMX_VI_VMPTRLD,
		  .vmx_on = true, .ptr = 0x20000,
		  .want = NVMX_VMERR_VMPTRLD_REVISION, .why = "VMPTRLD revision" },
		{ .name = "vmread no current", .insn = NVMX_VI_VMREAD,
		  .vmx_on = true, .has_vmcs = false,
		  .want = NVMX_VI_FAIL_INVALID, .why = "no current VMCS" },
		{ .name = "vmwrite no current", .insn = NVMX_VI_VMWRITE,
		  .vmx_on = true, .has_vmcs = false,
		  .want = NVMX_VI_FAIL_INVALID, .why = "no current VMCS" },
		{ .name = "vmread ok", .insn = NVMX_VI_VMREAD,
		  .vmx_on = true, .has_vmcs = true },
		{ .name = "vmptrst no current", .insn = NVMX_VI_VMPTRST, .vmx_on = true },
		{ .name = "vmxoff", .insn = NVMX_VI_VMXOFF, .vmx_on = true },
		{ .name = "vmlaunch ok", .insn = NVMX_VI_VMLAUNCH,
		  .vmx_on = true, .has_vmcs = true,
		  .launch_state = NVMX_VMCS12_CLEAR },
		{ .name = "vmlaunch no current", .insn = NVMX_VI_VMLAUNCH,
		  .vmx_on = true, .has_vmcs = false, .mov_ss = true,
		  .want = NVMX_VI_FAIL_INVALID, .why = "no current VMCS" },
		{ .name = "vmlaunch mov ss", .insn = NVMX_VI_VMLAUNCH,
		  .vmx_on = true, .has_vmcs = true, .mov_ss = true,
		  .launch_state = NVMX_VMCS12_LAUNCHED, .want = NVMX_VMERR_MOV_SS,
		  .why = "entry with events blocked by MOV SS" },
		{ .name = "vmlaunch launched", .insn = NVMX_VI_VMLAUNCH,
		  .vmx_on = true, .has_vmcs = true,
		  .launch_state = NVMX_VMCS12_LAUNCHED,
		  .want = NVMX_VMERR_LAUNCH_NOT_CLEAR,
		  .why = "VMLAUNCH with non-clear VMCS" },
		{ .name = "vmresume ok", .insn = NVMX_VI_VMRESUME,
		  .vmx_on = true, .has_vmcs = true,
		  .launch_state = NVMX_VMCS12_LAUNCHED },
		{ .name = "vmresume mov ss", .insn = NVMX_VI_VMRESUME,
		  .vmx_on = true, .has_vmcs = true, .mov_ss = true,
		  .launch_state = NVMX_VMCS12_CLEAR, .want = NVMX_VMERR_MOV_SS,
		  .why = "entry with events blocked by MOV SS" },
		{ .name = "vmresume clear", .insn = NVMX_VI_VMRESUME,
		  .vmx_on = true, .has_vmcs = true,
		  .launch_state = NVMX_VMCS12_CLEAR,
		  .want = NVMX_VMERR_RESUME_NOT_LAUNCHED,
		  .why = "VMRESUME with non-launched VMCS" },
	};
	unsigned int c;

	for (c = 0; c < ARRAY_SIZE(cases); c++) {
		struct nvmx_vmfail_env f = vf_env();
		const char *why = "x";
		u32 got;

		f.vmx_on = cases[c].vmx_on;
		f.has_vmcs = cases[c].has_vmcs;
		f.shadow_ok = cases[c].shadow_ok;
		f.mov_ss = cases[c].mov_ss;
		f.ptr = cases[c].ptr;
		f.launch_state = cases[c].launch_state;
		revs[2] = cases[c].rev;
		got = nvmx_vmx_vmfail_check(&f, cases[c].insn, &why);
		EXPECT_EQ(cases[c].want, got) TH_LOG("%s: %s", cases[c].name, why);
		EXPECT_STREQ(or_none(cases[c].why), or_none(why))
			TH_LOG("%s", cases[c].name);
		/* Region memory is read only once the address is known good. */
		if (cases[c].want == NVMX_VMERR_VMPTRLD_ADDR ||
		    (cases[c].want && cases[c].insn == NVMX_VI_VMXON &&
		     strcmp(cases[c].why, "VMXON region revision")))
			EXPECT_EQ(0, reads) TH_LOG("%s", cases[c].name);
	}
	EXPECT_EQ(NVMX_VI_FAIL_INVALID,
		  nvmx_vmx_vmfail_check(&(struct nvmx_vmfail_env){ 0 }, NVMX_VI_NR, NULL));
}

TEST(names_and_memory_operands)
{
	static const struct {
		enum nvmx_vmx_insn insn;
		const char *name;
		unsigned int size64, size32;
		bool write;
	} rows[] = {
		{ NVMX_VI_VMXON, "vmxon", 8, 8, false },
		{ NVMX_VI_VMXOFF, "vmxoff", 0, 0, false },
		{ NVMX_VI_VMCLEAR, "vmclear", 8, 8, false },
		{ NVMX_VI_VMPTRLD, "vmptrld", 8, 8, false },
		{ NVMX_VI_VMPTRST, "vmptrst", 8, 8, true },
		{ NVMX_VI_VMREAD, "vmread", 8, 4, true },
		{ NVMX_VI_VMWRITE, "vmwrite", 8, 4, false },
		{ NVMX_VI_VMLAUNCH, "vmlaunch", 0, 0, false },
		{ NVMX_VI_VMRESUME, "vmresume", 0, 0, false },
		{ NVMX_VI_INVEPT, "invept", 16, 16, false },
		{ NVMX_VI_INVVPID, "invvpid", 16, 16, false },
		{ NVMX_VI_VMFUNC, "vmfunc", 0, 0, false },
	};
	struct nvmx_insn_env e64 = env64(), e32 = env32();
	unsigned int i;
	bool w;

	ASSERT_EQ(NVMX_VI_NR, ARRAY_SIZE(rows));
	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		EXPECT_STREQ(rows[i].name, nvmx_vmx_insn_name(rows[i].insn));
		EXPECT_EQ(rows[i].size64, nvmx_vmx_mem_size(&e64, rows[i].insn, &w))
			TH_LOG("%s", rows[i].name);
		EXPECT_EQ(rows[i].write, w) TH_LOG("%s", rows[i].name);
		EXPECT_EQ(rows[i].size32, nvmx_vmx_mem_size(&e32, rows[i].insn, &w))
			TH_LOG("%s", rows[i].name);
	}
	EXPECT_STREQ("?", nvmx_vmx_insn_name(NVMX_VI_NR));
	EXPECT_EQ(0, nvmx_vmx_mem_size(&e64, NVMX_VI_NR, &w));
}

TEST_HARNESS_MAIN
