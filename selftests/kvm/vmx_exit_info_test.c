// SPDX-License-Identifier: GPL-2.0
/*
 * VM-exit information as L1 sees it, scenario by scenario: CPUID, HLT, I/O
 * (unconditional and through I/O bitmaps, including the A/B straddle and
 * the wrap at port 0xffff), RDMSR/WRMSR (with and without MSR bitmaps),
 * MOV CR/CLTS/LMSW against guest/host masks and read shadows, OUTS, VMX
 * instructions and descriptor-table instructions in L2, exceptions
 * (#UD, #BP, #PF under several error-code mask/match pairs, #DE left to
 * L2), injected events (hardware exception with error code, software
 * interrupt with instruction length, NMI) and exits during event delivery
 * (IDT-vectoring information).
 *
 * Each exit's fields are checked against what the SDM fixes (reason,
 * qualification, interruption information, instruction length) and printed
 * as "record SCENARIO exitN FIELD VALUE" lines, one per field, with the
 * events L2's own IDT received and the I/O that reached userspace. The
 * init's run_diff runs this program on kvm_intel and on nvmx and compares
 * the records line by line.
 *
 * Left out of the records, as the SDM leaves them undefined or they depend
 * on the device rather than on nested VMX: the VM-exit instruction
 * information, guest-linear address and instruction length of the exits
 * for which the SDM does not define them, the rest of an
 * interruption-information field whose valid bit is clear, the error codes
 * without their valid bit, and the CR4 bits whose presence follows the
 * CPUID the device offers (OSXSAVE, FSGSBASE, SMEP, SMAP, PKE, UMIP, ...).
 */
#include <string.h>

#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define L2_STACK_WORDS	512
#define MAX_EXITS	8
#define MAX_SEEN	4
#define MAX_VALS	4
#define PF_ADDR		0x40000000000ull	/* mapped by nothing */
#define ANY		(~0ull)
#define UCALL_PORT	0x1000	/* libkvm's ucall port (lib/x86_64/ucall.c) */

/* Fields L1 VMREADs at every exit. */
enum {
	F_REASON, F_QUAL, F_INTR_INFO, F_INTR_ERROR, F_IDT_INFO, F_IDT_ERROR,
	F_INSN_LEN, F_INSN_INFO, F_LINEAR, F_ENTRY_INTR_INFO, F_RIP, F_RSP, F_RFLAGS,
	F_CR0, F_CR3, F_CR4,
	F_INTERRUPTIBILITY, F_ACTIVITY, F_PENDING_DBG, F_DR7, F_CS_SEL, F_SS_SEL,
	F_DS_SEL, F_ES_SEL, F_FS_SEL, F_GS_SEL, F_TR_SEL, F_LDTR_SEL, F_CS_AR, F_SS_AR,
	F_TR_AR, F_CS_LIMIT, F_TR_LIMIT, F_TR_BASE, F_FS_BASE, F_GS_BASE, F_GDTR_BASE,
	F_GDTR_LIMIT, F_IDTR_BASE, F_IDTR_LIMIT, F_SYSENTER_CS, F_SYSENTER_ESP,
	F_SYSENTER_EIP, F_DEBUGCTL,
	NR_FIELDS
};

static const struct {
	const char *name;
	u64 encoding;
} fields[NR_FIELDS] = {
	[F_REASON] = { "reason", VM_EXIT_REASON },
	[F_QUAL] = { "qualification", EXIT_QUALIFICATION },
	[F_INTR_INFO] = { "intr_info", VM_EXIT_INTR_INFO },
	[F_INTR_ERROR] = { "intr_error", VM_EXIT_INTR_ERROR_CODE },
	[F_IDT_INFO] = { "idt_vectoring_info", IDT_VECTORING_INFO_FIELD },
	[F_IDT_ERROR] = { "idt_vectoring_error", IDT_VECTORING_ERROR_CODE },
	[F_INSN_LEN] = { "insn_len", VM_EXIT_INSTRUCTION_LEN },
	[F_INSN_INFO] = { "insn_info", VMX_INSTRUCTION_INFO },
	[F_LINEAR] = { "guest_linear_address", GUEST_LINEAR_ADDRESS },
	/* The valid bit is cleared by every VM exit. */
	[F_ENTRY_INTR_INFO] = { "entry_intr_info", VM_ENTRY_INTR_INFO_FIELD },
	[F_RIP] = { "guest_rip", GUEST_RIP },
	[F_RSP] = { "guest_rsp", GUEST_RSP },
	[F_RFLAGS] = { "guest_rflags", GUEST_RFLAGS },
	[F_CR0] = { "guest_cr0", GUEST_CR0 },
	[F_CR3] = { "guest_cr3", GUEST_CR3 },
	[F_CR4] = { "guest_cr4", GUEST_CR4 },
	[F_INTERRUPTIBILITY] = { "guest_interruptibility", GUEST_INTERRUPTIBILITY_INFO },
	[F_ACTIVITY] = { "guest_activity_state", GUEST_ACTIVITY_STATE },
	[F_PENDING_DBG] = { "guest_pending_dbg", GUEST_PENDING_DBG_EXCEPTIONS },
	[F_DR7] = { "guest_dr7", GUEST_DR7 },
	[F_CS_SEL] = { "guest_cs_selector", GUEST_CS_SELECTOR },
	[F_SS_SEL] = { "guest_ss_selector", GUEST_SS_SELECTOR },
	[F_DS_SEL] = { "guest_ds_selector", GUEST_DS_SELECTOR },
	[F_ES_SEL] = { "guest_es_selector", GUEST_ES_SELECTOR },
	[F_FS_SEL] = { "guest_fs_selector", GUEST_FS_SELECTOR },
	[F_GS_SEL] = { "guest_gs_selector", GUEST_GS_SELECTOR },
	[F_TR_SEL] = { "guest_tr_selector", GUEST_TR_SELECTOR },
	[F_LDTR_SEL] = { "guest_ldtr_selector", GUEST_LDTR_SELECTOR },
	/* Access rights of usable segments only: the rest are undefined. */
	[F_CS_AR] = { "guest_cs_ar", GUEST_CS_AR_BYTES },
	[F_SS_AR] = { "guest_ss_ar", GUEST_SS_AR_BYTES },
	[F_TR_AR] = { "guest_tr_ar", GUEST_TR_AR_BYTES },
	[F_CS_LIMIT] = { "guest_cs_limit", GUEST_CS_LIMIT },
	[F_TR_LIMIT] = { "guest_tr_limit", GUEST_TR_LIMIT },
	[F_TR_BASE] = { "guest_tr_base", GUEST_TR_BASE },
	[F_FS_BASE] = { "guest_fs_base", GUEST_FS_BASE },
	[F_GS_BASE] = { "guest_gs_base", GUEST_GS_BASE },
	[F_GDTR_BASE] = { "guest_gdtr_base", GUEST_GDTR_BASE },
	[F_GDTR_LIMIT] = { "guest_gdtr_limit", GUEST_GDTR_LIMIT },
	[F_IDTR_BASE] = { "guest_idtr_base", GUEST_IDTR_BASE },
	[F_IDTR_LIMIT] = { "guest_idtr_limit", GUEST_IDTR_LIMIT },
	[F_SYSENTER_CS] = { "guest_sysenter_cs", GUEST_SYSENTER_CS },
	[F_SYSENTER_ESP] = { "guest_sysenter_esp", GUEST_SYSENTER_ESP },
	[F_SYSENTER_EIP] = { "guest_sysenter_eip", GUEST_SYSENTER_EIP },
	[F_DEBUGCTL] = { "guest_debugctl", GUEST_IA32_DEBUGCTL },
};

struct seen {
	u64 vector, error, rip, cr2;
};

/* One scenario's record, filled by L1 and L2, read by the host at the sync. */
struct record {
	u64 nr_exits;
	u64 exits[MAX_EXITS][NR_FIELDS];
	u64 nr_seen;
	struct seen seen[MAX_SEEN];	/* events L2's IDT received */
	u64 nr_vals;
	u64 vals[MAX_VALS];		/* values L2 read (CR0 through its shadow) */
};

static struct record rec;
static u64 l2_resume;	/* where L2 continues after a fault */
static u64 cur;		/* the scenario running */
static u64 l2_stack[L2_STACK_WORDS] __aligned(16);
/* Bitmap pages: guest virtual and physical addresses, from the host. */
static u64 io_a, io_b, io_a_gpa, io_b_gpa;

/*
 * L2 runs INSN (RAX, RCX, RDX loaded) after noting in l2_resume the address
 * after it, where L1 (exception exits) or L2's handler resumes it.
 */
#define l2_fault(insn, a, c, d)						\
do {									\
	u64 __a = (a), __c = (c), __d = (d);				\
	asm volatile("push %%rbp\n\t"					\
		     "lea 1f(%%rip), %%rbx\n\t"				\
		     "mov %%rbx, %[res]\n\t"				\
		     insn "\n"						\
		     "1:\tpop %%rbp"					\
		     : "+a"(__a), "+c"(__c), "+d"(__d), [res] "=m"(l2_resume) \
		     : : L2_CLOBBERS);					\
} while (0)

static void l2_val(u64 v)
{
	GUEST_ASSERT(rec.nr_vals < MAX_VALS);
	rec.vals[rec.nr_vals++] = v;
}

static u64 read_cr2(void)
{
	u64 v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

/* L2's IDT: note the event, continue at l2_resume. */
static void l2_handler(struct ex_regs *regs)
{
	struct seen *s;

	GUEST_ASSERT_1(rec.nr_seen < MAX_SEEN, regs->vector);
	s = &rec.seen[rec.nr_seen++];
	s->vector = regs->vector;
	s->error = regs->error_code;
	s->rip = regs->rip;
	s->cr2 = regs->vector == PF_VECTOR ? read_cr2() : 0;
	GUEST_ASSERT_1(l2_resume, regs->vector);
	regs->rip = l2_resume;
}

static void l2_done(void)
{
	for (;;)
		l2_vmcall();
}

/* ---- L2 code of each scenario ---- */

static void l2_cpuid(void)
{
	l2_insn("cpuid", 0, 0, 0);
}

static void l2_hlt(void)
{
	l2_insn("hlt", 0, 0, 0);
}

static void l2_io(void)
{
	l2_insn("outb %%al, $0x80", 0x11, 0, 0);
	l2_insn("outb %%al, $0x81", 0x22, 0, 0);
	l2_insn("inb %%dx, %%al", 0, 0, 0x1234);
	l2_insn("outl %%eax, %%dx", 0x33445566, 0, 0x3f8);
	l2_insn("outw %%ax, %%dx", 0x7788, 0, 0x7fff);	/* 0x7fff in A, 0x8000 in B */
	l2_insn("outw %%ax, %%dx", 0x99aa, 0, 0xffff);	/* wraps to port 0 */
	l2_insn("outb %%al, %%dx", 0xbb, 0, 0x7fff);
}

static void l2_msr(void)
{
	l2_insn("rdmsr", 0, MSR_IA32_SYSENTER_CS, 0);
	l2_insn("wrmsr", 0, MSR_KERNEL_GS_BASE, 0);
	l2_insn("rdmsr", 0, MSR_FS_BASE, 0);
	l2_insn("rdmsr", 0, 0x40000000, 0);
}

static void l2_cr(void)
{
	u64 cr0, cr4;

	asm volatile("mov %%cr0, %0" : "=r"(cr0));
	l2_val(cr0);
	asm volatile("mov %%cr4, %0" : "=r"(cr4));
	l2_val(cr4);
	l2_insn("mov %%rcx, %%cr0", 0, cr0 | X86_CR0_TS, 0);	/* masked, differs */
	l2_insn("mov %%rdx, %%cr4", 0, 0, cr4 | X86_CR4_TSD);	/* masked, differs */
	l2_insn("mov %%rax, %%cr4", cr4, 0, 0);			/* as the shadow */
	l2_insn("clts", 0, 0, 0);				/* shadow TS clear */
	l2_insn("lmsw %%ax", (cr0 & 0xffff) | X86_CR0_TS, 0, 0);
	l2_insn("mov %%cr3, %%rax", 0, 0, 0);			/* CR3-store exiting */
}

static void l2_clts(void)
{
	l2_insn("clts", 0, 0, 0);				/* shadow TS set */
}

static void l2_exceptions(void)
{
	l2_fault("ud2", 0, 0, 0);
	l2_fault("int3", 0, 0, 0);
	l2_fault("divq %%rcx", 1, 0, 0);			/* #DE: L2's own */
	l2_fault("movb (%%rax), %%al", PF_ADDR, 0, 0);
	l2_fault("movb %%al, (%%rcx)", 0, PF_ADDR, 0);
}

static void l2_pf(void)
{
	l2_fault("movb (%%rax), %%al", PF_ADDR, 0, 0);		/* error code 0 */
	l2_fault("movb %%al, (%%rcx)", 0, PF_ADDR, 0);		/* error code 2 */
}

/* OUTSB's source; not static, so asm can name it. */
u8 vmx_exit_info_outs[8] = { 0x5a };

static void l2_outs(void)
{
	asm volatile("push %%rbp\n\t"
		     "lea vmx_exit_info_outs+1(%%rip), %%rsi\n\t"
		     "mov $0x3f8, %%edx\n\t"
		     "outsb\n\t"
		     "pop %%rbp" : : : "rax", "rcx", "rdx", L2_CLOBBERS);
}

/* VMX instructions always exit from L2; the operand forms differ. */
static void l2_vmx_insns(void)
{
	l2_insn("vmread %%rax, %%rcx", GUEST_RIP, 0, 0);
	l2_insn("vmwrite 0x10(%%rcx,%%rdx,8), %%rax", GUEST_RSP, (u64)l2_stack, 2);
	l2_insn("vmptrst -8(%%rax)", (u64)&l2_stack[8], 0, 0);
	l2_insn("vmclear (%%rdx)", 0, 0, (u64)&l2_stack[4]);
}

static void l2_desc(void)
{
	l2_insn("sgdt 0x20(%%rax)", (u64)l2_stack, 0, 0);
	l2_insn("sidt (%%rax,%%rcx,2)", (u64)l2_stack, 8, 0);
	l2_insn("sldt %%dx", 0, 0, 0);
	l2_insn("str %%cx", 0, 0, 0);
}

/* Injection scenarios: the event comes first, then L2 goes to l2_done. */
static void l2_nothing(void)
{
}

/* ---- L1 setup of each scenario ---- */

static void setup_hlt(struct vmx_pages *vmx)
{
	GUEST_ASSERT(vmx_proc_update(CPU_BASED_HLT_EXITING, 0));
}

static void setup_io_uncond(struct vmx_pages *vmx)
{
	GUEST_ASSERT(vmx_proc_update(CPU_BASED_UNCOND_IO_EXITING,
				     CPU_BASED_USE_IO_BITMAPS));
}

static void set_bit_in(u64 page, unsigned int bit)
{
	((u8 *)page)[bit / 8] |= 1 << (bit % 8);
}

static void setup_io_bitmaps(struct vmx_pages *vmx)
{
	memset((void *)io_a, 0, 4096);
	memset((void *)io_b, 0, 4096);
	set_bit_in(io_a, 0x80);
	set_bit_in(io_a, 0x1234);
	set_bit_in(io_a, 0x3f8);
	set_bit_in(io_b, 0x8000 - 0x8000);
	GUEST_ASSERT(!vmwrite(IO_BITMAP_A, io_a_gpa));
	GUEST_ASSERT(!vmwrite(IO_BITMAP_B, io_b_gpa));
	GUEST_ASSERT(vmx_proc_update(CPU_BASED_USE_IO_BITMAPS,
				     CPU_BASED_UNCOND_IO_EXITING));
}

static void setup_msr_bitmaps(struct vmx_pages *vmx)
{
	u64 page = (u64)vmx->msr;

	memset(vmx->msr, 0, 4096);
	set_bit_in(page, MSR_IA32_SYSENTER_CS);				/* read, low */
	set_bit_in(page + 0xc00, MSR_KERNEL_GS_BASE & 0x1fff);		/* write, high */
	GUEST_ASSERT(!vmwrite(MSR_BITMAP, vmx->msr_gpa));
	GUEST_ASSERT(vmx_proc_update(CPU_BASED_USE_MSR_BITMAPS, 0));
}

static void setup_no_msr_bitmaps(struct vmx_pages *vmx)
{
	GUEST_ASSERT(vmx_proc_update(0, CPU_BASED_USE_MSR_BITMAPS));
}

static void setup_cr(struct vmx_pages *vmx)
{
	GUEST_ASSERT(!vmwrite(CR0_GUEST_HOST_MASK, X86_CR0_TS | X86_CR0_MP));
	GUEST_ASSERT(!vmwrite(CR0_READ_SHADOW, vmreadz(GUEST_CR0) & ~(X86_CR0_TS | X86_CR0_MP)));
	GUEST_ASSERT(!vmwrite(CR4_GUEST_HOST_MASK, X86_CR4_TSD));
	GUEST_ASSERT(!vmwrite(CR4_READ_SHADOW, vmreadz(GUEST_CR4) & ~X86_CR4_TSD));
	GUEST_ASSERT(vmx_proc_update(CPU_BASED_CR3_STORE_EXITING, 0));
}

static void setup_clts(struct vmx_pages *vmx)
{
	GUEST_ASSERT(!vmwrite(CR0_GUEST_HOST_MASK, X86_CR0_TS));
	GUEST_ASSERT(!vmwrite(CR0_READ_SHADOW, vmreadz(GUEST_CR0) | X86_CR0_TS));
}

static void setup_exceptions(struct vmx_pages *vmx)
{
	GUEST_ASSERT(!vmwrite(EXCEPTION_BITMAP, BIT(UD_VECTOR) | BIT(BP_VECTOR) |
			      BIT(PF_VECTOR)));
	GUEST_ASSERT(!vmwrite(PAGE_FAULT_ERROR_CODE_MASK, 0));
	GUEST_ASSERT(!vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0));
}

/* #PF exits iff bit 14 XOR ((error code & mask) != match). */
static void setup_pf(bool bit14, u32 mask, u32 match)
{
	GUEST_ASSERT(!vmwrite(EXCEPTION_BITMAP, bit14 ? BIT(PF_VECTOR) : 0));
	GUEST_ASSERT(!vmwrite(PAGE_FAULT_ERROR_CODE_MASK, mask));
	GUEST_ASSERT(!vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, match));
}

static void setup_pf_b14_2_2(struct vmx_pages *vmx) { setup_pf(true, 2, 2); }
static void setup_pf_b14_2_0(struct vmx_pages *vmx) { setup_pf(true, 2, 0); }
static void setup_pf_nob14_2_2(struct vmx_pages *vmx) { setup_pf(false, 2, 2); }
static void setup_pf_nob14_0_0(struct vmx_pages *vmx) { setup_pf(false, 0, 0); }

static void inject(u32 info, u32 error, u32 len)
{
	l2_resume = (u64)l2_done;
	GUEST_ASSERT(!vmwrite(VM_ENTRY_INTR_INFO_FIELD, info));
	GUEST_ASSERT(!vmwrite(VM_ENTRY_EXCEPTION_ERROR_CODE, error));
	GUEST_ASSERT(!vmwrite(VM_ENTRY_INSTRUCTION_LEN, len));
}

static void setup_inject_gp(struct vmx_pages *vmx)
{
	inject(INTR_VALID | INTR_TYPE_HW_EXC | INTR_HAS_ERROR | GP_VECTOR, 0x1230, 0);
}

static void setup_inject_soft_int(struct vmx_pages *vmx)
{
	inject(INTR_VALID | INTR_TYPE_SOFT_INT | 0x80, 0, 2);
}

static void setup_inject_soft_bp(struct vmx_pages *vmx)
{
	inject(INTR_VALID | INTR_TYPE_SOFT_EXC | BP_VECTOR, 0, 1);
}

static void setup_inject_nmi(struct vmx_pages *vmx)
{
	inject(INTR_VALID | INTR_TYPE_NMI | NMI_VECTOR, 0, 0);
}

/* The delivery pushes onto a stack nothing maps: #PF, which L1 takes. */
static void setup_vectoring_pf(struct vmx_pages *vmx)
{
	setup_inject_soft_int(vmx);
	GUEST_ASSERT(!vmwrite(GUEST_RSP, PF_ADDR + 0x1000));
	GUEST_ASSERT(!vmwrite(EXCEPTION_BITMAP, BIT(PF_VECTOR)));
	GUEST_ASSERT(!vmwrite(PAGE_FAULT_ERROR_CODE_MASK, 0));
	GUEST_ASSERT(!vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0));
}

/* Vector 0x80 beyond the IDT limit: #GP, which L1 takes. */
static void setup_vectoring_gp(struct vmx_pages *vmx)
{
	setup_inject_soft_int(vmx);
	GUEST_ASSERT(!vmwrite(GUEST_IDTR_LIMIT, 0x80 * 16 - 1));
	GUEST_ASSERT(!vmwrite(EXCEPTION_BITMAP, BIT(GP_VECTOR)));
}

static void setup_desc(struct vmx_pages *vmx)
{
	GUEST_ASSERT(vmx_ctl_allows(MSR_IA32_VMX_PROCBASED_CTLS2, SECONDARY_EXEC_DESC));
	GUEST_ASSERT(!vmwrite(SECONDARY_VM_EXEC_CONTROL, SECONDARY_EXEC_DESC));
	GUEST_ASSERT(vmreadz(CPU_BASED_VM_EXEC_CONTROL) &
		     CPU_BASED_ACTIVATE_SECONDARY_CONTROLS);
}

/* ---- the scenarios ---- */

struct want_exit {
	u64 reason, qual, intr_info, insn_len;
};

#define EXIT(r, q, i, l)	{ EXIT_REASON_##r, q, i, l }
#define VMCALL_EXIT		EXIT(VMCALL, 0, ANY, 3)
#define EXC(vec, type)		(INTR_VALID | INTR_TYPE_##type | (vec))
#define EXC_E(vec)		(EXC(vec, HW_EXC) | INTR_HAS_ERROR)
/* I/O qualification: size - 1, IN, immediate operand, port. */
#define IOQ(size, in, imm, port) \
	(((u64)(size) - 1) | (in) << 3 | (imm) << 6 | (u64)(port) << 16)
/* CR qualification: CR number, access type, GPR; LMSW data in 31:16. */
#define CRQ(cr, type, gpr)	((cr) | (type) << 4 | (gpr) << 8)

struct scenario {
	const char *name;
	void (*setup)(struct vmx_pages *vmx);
	void (*l2)(void);
	bool stop_at_first;	/* L2 cannot go on after the first exit */
	u64 nr_exits;
	struct want_exit exits[MAX_EXITS];
	u64 nr_seen;
	u64 seen_vectors[MAX_SEEN];
};

static const struct scenario scenarios[] = {
	{ "cpuid", NULL, l2_cpuid, false, 2, { EXIT(CPUID, 0, ANY, 2), VMCALL_EXIT } },
	{ "hlt", setup_hlt, l2_hlt, false, 2, { EXIT(HLT, 0, ANY, 1), VMCALL_EXIT } },
	{ "io_unconditional", setup_io_uncond, l2_io, false, 8, {
		EXIT(IO_INSTRUCTION, IOQ(1, 0, 1, 0x80), ANY, 2),
		EXIT(IO_INSTRUCTION, IOQ(1, 0, 1, 0x81), ANY, 2),
		EXIT(IO_INSTRUCTION, IOQ(1, 1, 0, 0x1234), ANY, 1),
		EXIT(IO_INSTRUCTION, IOQ(4, 0, 0, 0x3f8), ANY, 1),
		EXIT(IO_INSTRUCTION, IOQ(2, 0, 0, 0x7fff), ANY, 2),
		EXIT(IO_INSTRUCTION, IOQ(2, 0, 0, 0xffff), ANY, 2),
		EXIT(IO_INSTRUCTION, IOQ(1, 0, 0, 0x7fff), ANY, 1),
		VMCALL_EXIT } },
	/* 0x81 and the byte at 0x7fff are not in the bitmaps: userspace's. */
	{ "io_bitmaps", setup_io_bitmaps, l2_io, false, 6, {
		EXIT(IO_INSTRUCTION, IOQ(1, 0, 1, 0x80), ANY, 2),
		EXIT(IO_INSTRUCTION, IOQ(1, 1, 0, 0x1234), ANY, 1),
		EXIT(IO_INSTRUCTION, IOQ(4, 0, 0, 0x3f8), ANY, 1),
		EXIT(IO_INSTRUCTION, IOQ(2, 0, 0, 0x7fff), ANY, 2),
		EXIT(IO_INSTRUCTION, IOQ(2, 0, 0, 0xffff), ANY, 2),
		VMCALL_EXIT } },
	/* FS_BASE is in no bitmap bit: L0 answers; 0x40000000 is outside both ranges. */
	{ "msr_bitmaps", setup_msr_bitmaps, l2_msr, false, 4, {
		EXIT(MSR_READ, 0, ANY, 2), EXIT(MSR_WRITE, 0, ANY, 2),
		EXIT(MSR_READ, 0, ANY, 2), VMCALL_EXIT } },
	{ "msr_no_bitmaps", setup_no_msr_bitmaps, l2_msr, false, 5, {
		EXIT(MSR_READ, 0, ANY, 2), EXIT(MSR_WRITE, 0, ANY, 2),
		EXIT(MSR_READ, 0, ANY, 2), EXIT(MSR_READ, 0, ANY, 2), VMCALL_EXIT } },
	/* The CR4 write equal to the shadow and CLTS with shadow TS clear: no exit. */
	{ "cr_masks_shadows", setup_cr, l2_cr, false, 5, {
		EXIT(CR_ACCESS, CRQ(0, 0, 1), ANY, 3),
		EXIT(CR_ACCESS, CRQ(4, 0, 2), ANY, 3),
		EXIT(CR_ACCESS, ANY, ANY, 3),	/* LMSW: data in 31:16 */
		EXIT(CR_ACCESS, CRQ(3, 1, 0), ANY, 3),
		VMCALL_EXIT } },
	{ "clts_shadow_ts", setup_clts, l2_clts, false, 2, {
		EXIT(CR_ACCESS, CRQ(0, 2, 0), ANY, 2), VMCALL_EXIT } },
	{ "exceptions", setup_exceptions, l2_exceptions, false, 5, {
		EXIT(EXCEPTION_NMI, 0, EXC(UD_VECTOR, HW_EXC), ANY),
		EXIT(EXCEPTION_NMI, 0, EXC(BP_VECTOR, SOFT_EXC), 1),
		EXIT(EXCEPTION_NMI, PF_ADDR, EXC_E(PF_VECTOR), ANY),
		EXIT(EXCEPTION_NMI, PF_ADDR, EXC_E(PF_VECTOR), ANY),
		VMCALL_EXIT }, 1, { DE_VECTOR } },
	{ "pf_bit14_mask2_match2", setup_pf_b14_2_2, l2_pf, false, 2, {
		EXIT(EXCEPTION_NMI, PF_ADDR, EXC_E(PF_VECTOR), ANY),
		VMCALL_EXIT }, 1, { PF_VECTOR } },
	{ "pf_bit14_mask2_match0", setup_pf_b14_2_0, l2_pf, false, 2, {
		EXIT(EXCEPTION_NMI, PF_ADDR, EXC_E(PF_VECTOR), ANY),
		VMCALL_EXIT }, 1, { PF_VECTOR } },
	{ "pf_nobit14_mask2_match2", setup_pf_nob14_2_2, l2_pf, false, 2, {
		EXIT(EXCEPTION_NMI, PF_ADDR, EXC_E(PF_VECTOR), ANY),
		VMCALL_EXIT }, 1, { PF_VECTOR } },
	{ "pf_nobit14_mask0_match0", setup_pf_nob14_0_0, l2_pf, false, 1, {
		VMCALL_EXIT }, 2, { PF_VECTOR, PF_VECTOR } },
	{ "inject_gp_error_code", setup_inject_gp, l2_nothing, false, 1, {
		VMCALL_EXIT }, 1, { GP_VECTOR } },
	{ "inject_soft_int_0x80", setup_inject_soft_int, l2_nothing, false, 1, {
		VMCALL_EXIT }, 1, { 0x80 } },
	{ "inject_soft_bp", setup_inject_soft_bp, l2_nothing, false, 1, {
		VMCALL_EXIT }, 1, { BP_VECTOR } },
	{ "inject_nmi", setup_inject_nmi, l2_nothing, false, 1, {
		VMCALL_EXIT }, 1, { NMI_VECTOR } },
	{ "io_outs", setup_io_uncond, l2_outs, false, 2, {
		EXIT(IO_INSTRUCTION, IOQ(1, 0, 0, 0x3f8) | BIT(4), ANY, 1), VMCALL_EXIT } },
	/*
	 * Qualification: the displacement of a memory operand; with register
	 * operands only, Bochs leaves whatever was there (0 or 0xd seen).
	 */
	{ "vmx_insns_in_l2", NULL, l2_vmx_insns, false, 5, {
		EXIT(VMREAD, ANY, ANY, 3), EXIT(VMWRITE, 0x10, ANY, 5),
		EXIT(VMPTRST, (u64)-8, ANY, 4), EXIT(VMCLEAR, 0, ANY, 4), VMCALL_EXIT } },
	{ "descriptor_tables", setup_desc, l2_desc, false, 5, {
		EXIT(GDTR_IDTR, 0x20, ANY, 4), EXIT(GDTR_IDTR, 0, ANY, 4),
		EXIT(LDTR_TR, ANY, ANY, 4), EXIT(LDTR_TR, ANY, ANY, 4), VMCALL_EXIT } },
	{ "vectoring_soft_int_pf", setup_vectoring_pf, l2_nothing, true, 1, {
		EXIT(EXCEPTION_NMI, ANY, EXC_E(PF_VECTOR), 2) } },
	{ "vectoring_soft_int_gp", setup_vectoring_gp, l2_nothing, true, 1, {
		EXIT(EXCEPTION_NMI, 0, EXC_E(GP_VECTOR), 2) } },
};

#define NR_SCENARIOS ARRAY_SIZE(scenarios)

static void l2_main(void)
{
	scenarios[cur].l2();
	l2_done();
}

static void run_scenario(struct vmx_pages *vmx, unsigned int s)
{
	const struct scenario *sc = &scenarios[s];
	u64 *e, i;

	memset(&rec, 0, sizeof(rec));
	l2_resume = 0;
	cur = s;
	GUEST_ASSERT(!vmclear(vmx->vmcs_gpa));
	GUEST_ASSERT(!vmptrld(vmx->vmcs_gpa));
	prepare_vmcs(vmx, l2_main, &l2_stack[L2_STACK_WORDS - 1]);
	/* Nothing but what the scenario asks for exits to L1. */
	GUEST_ASSERT(vmx_proc_update(0, CPU_BASED_UNCOND_IO_EXITING |
				     CPU_BASED_USE_IO_BITMAPS |
				     CPU_BASED_CR3_LOAD_EXITING |
				     CPU_BASED_CR3_STORE_EXITING));
	GUEST_ASSERT(!vmwrite(VM_ENTRY_INSTRUCTION_LEN, 0));
	if (sc->setup)
		sc->setup(vmx);

	GUEST_ASSERT_2(!vmlaunch(), s, vmreadz(VM_INSTRUCTION_ERROR));
	for (;;) {
		GUEST_ASSERT_2(rec.nr_exits < MAX_EXITS, s, rec.nr_exits);
		e = rec.exits[rec.nr_exits++];
		for (i = 0; i < NR_FIELDS; i++)
			e[i] = vmreadz(fields[i].encoding);
		if (e[F_REASON] == EXIT_REASON_VMCALL || sc->stop_at_first)
			break;
		if (e[F_REASON] == EXIT_REASON_EXCEPTION_NMI)
			GUEST_ASSERT(!vmwrite(GUEST_RIP, l2_resume));
		else
			GUEST_ASSERT(!vmwrite(GUEST_RIP, e[F_RIP] + e[F_INSN_LEN]));
		GUEST_ASSERT_2(!vmresume(), s, vmreadz(VM_INSTRUCTION_ERROR));
	}
	GUEST_SYNC(s);
}

static void l1_code(struct vmx_pages *vmx)
{
	unsigned int s;

	/*
	 * libkvm starts L1 with CR0.ET clear. The CPU hardwires ET to 1: nvmx
	 * lets the guest own it (the policy table's THROUGH row) and L1 reads
	 * 1, kvm_intel shows userspace's 0 from its read shadow. A MOV sets
	 * it on both, so the guest CR0 L1 gives L2 (prepare_vmcs()) agrees.
	 */
	asm volatile("mov %0, %%cr0" : : "r"(get_cr0() | X86_CR0_ET));
	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	for (s = 0; s < NR_SCENARIOS; s++)
		run_scenario(vmx, s);
	GUEST_DONE();
}

/* ---- host ---- */

/* Exits whose VM-exit instruction length the SDM defines. */
static bool insn_len_defined(const u64 *e)
{
	static const u8 reasons[] = {
		EXIT_REASON_CPUID, EXIT_REASON_HLT, EXIT_REASON_INVD, EXIT_REASON_INVLPG,
		EXIT_REASON_RDPMC, EXIT_REASON_RDTSC, EXIT_REASON_VMCALL,
		EXIT_REASON_VMCLEAR, EXIT_REASON_VMLAUNCH, EXIT_REASON_VMPTRLD,
		EXIT_REASON_VMPTRST, EXIT_REASON_VMREAD, EXIT_REASON_VMRESUME,
		EXIT_REASON_VMWRITE, EXIT_REASON_VMOFF, EXIT_REASON_VMON,
		EXIT_REASON_CR_ACCESS, EXIT_REASON_DR_ACCESS, EXIT_REASON_IO_INSTRUCTION,
		EXIT_REASON_MSR_READ, EXIT_REASON_MSR_WRITE, EXIT_REASON_MWAIT_INSTRUCTION,
		EXIT_REASON_MONITOR_INSTRUCTION, EXIT_REASON_PAUSE_INSTRUCTION,
		EXIT_REASON_RDTSCP, EXIT_REASON_WBINVD, EXIT_REASON_XSETBV,
		EXIT_REASON_GDTR_IDTR, EXIT_REASON_LDTR_TR, EXIT_REASON_INVEPT,
		EXIT_REASON_INVVPID, EXIT_REASON_RDRAND, EXIT_REASON_INVPCID,
		EXIT_REASON_RDSEED,
	};
	u64 type = e[F_INTR_INFO] & (7u << INTR_TYPE_SHIFT);
	u64 idt_type = e[F_IDT_INFO] & (7u << INTR_TYPE_SHIFT);
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(reasons); i++)
		if ((e[F_REASON] & 0xffff) == reasons[i])
			return true;
	/* Software interrupts and exceptions, exiting or being delivered. */
	if (e[F_REASON] == EXIT_REASON_EXCEPTION_NMI && type >= INTR_TYPE_SOFT_INT)
		return true;
	return (e[F_IDT_INFO] & INTR_VALID) && idt_type >= INTR_TYPE_SOFT_INT;
}

static bool basic_ins_outs;	/* IA32_VMX_BASIC bit 54 */

/*
 * Exits whose VM-exit instruction information the SDM defines: the VMX
 * instructions, descriptor tables, INVEPT/INVVPID/INVPCID, RDRAND/RDSEED,
 * and INS/OUTS where IA32_VMX_BASIC bit 54 says so (the host's MSR, as
 * userspace reads it: that is the L1 value both devices must offer).
 */
static bool insn_info_defined(const u64 *e)
{
	switch (e[F_REASON]) {
	case EXIT_REASON_VMCLEAR ... EXIT_REASON_VMON:
	case EXIT_REASON_GDTR_IDTR:
	case EXIT_REASON_LDTR_TR:
	case EXIT_REASON_INVEPT:
	case EXIT_REASON_INVVPID:
	case EXIT_REASON_INVPCID:
	case EXIT_REASON_RDRAND:
	case EXIT_REASON_RDSEED:
		return true;
	case EXIT_REASON_IO_INSTRUCTION:
		return (e[F_QUAL] & BIT(4)) && basic_ins_outs;
	}
	return false;
}

/*
 * The bits of the instruction information the SDM defines for the exit:
 * a memory operand's scaling, address size, segment, index and base (with
 * their invalid bits), or a register operand's register; VMREAD/VMWRITE's
 * second register, the descriptor-table instruction identity and operand
 * size; for OUTS, address size and segment. The rest is left out.
 */
static u64 insn_info_mask(const u64 *e)
{
	const u64 mem = GENMASK_ULL(1, 0) | GENMASK_ULL(10, 7) | GENMASK_ULL(27, 15);
	const u64 reg = GENMASK_ULL(6, 3) | BIT_ULL(10);
	bool is_reg = e[F_INSN_INFO] & BIT_ULL(10);

	switch (e[F_REASON]) {
	case EXIT_REASON_IO_INSTRUCTION:
		return GENMASK_ULL(9, 7) | GENMASK_ULL(17, 15);
	case EXIT_REASON_VMREAD:
	case EXIT_REASON_VMWRITE:
		return (is_reg ? reg : mem) | GENMASK_ULL(31, 28);
	case EXIT_REASON_GDTR_IDTR:
		return mem | BIT_ULL(11) | GENMASK_ULL(29, 28);
	case EXIT_REASON_LDTR_TR:
		return (is_reg ? reg : mem) | GENMASK_ULL(29, 28);
	}
	return mem;
}

/* CR4 bits present whatever the device's CPUID (see the top comment). */
#define CR4_RECORDED (X86_CR4_VME | X86_CR4_PVI | X86_CR4_TSD | X86_CR4_DE | \
	X86_CR4_PSE | X86_CR4_PAE | X86_CR4_MCE | X86_CR4_PGE | X86_CR4_PCE | \
	X86_CR4_OSFXSR | X86_CR4_OSXMMEXCPT | X86_CR4_VMXE)

/* The field's recorded value, or false when it is left out. */
static bool recorded(const u64 *e, unsigned int f, u64 *val)
{
	u64 v = e[f];

	switch (f) {
	case F_QUAL:
		/*
		 * A VMX or descriptor-table instruction with a register operand
		 * (instruction information bit 10) has no displacement to give;
		 * Bochs leaves stale values there (0x70 for SLDT DX).
		 */
		if (e[F_REASON] != EXIT_REASON_IO_INSTRUCTION && insn_info_defined(e) &&
		    (e[F_INSN_INFO] & BIT(10)))
			return false;
		break;
	case F_INTR_INFO:
		if (e[F_REASON] != EXIT_REASON_EXCEPTION_NMI &&
		    e[F_REASON] != EXIT_REASON_EXTERNAL_INTERRUPT)
			v &= INTR_VALID;
		break;
	case F_INTR_ERROR:
		if (e[F_REASON] != EXIT_REASON_EXCEPTION_NMI ||
		    (e[F_INTR_INFO] & (INTR_VALID | INTR_HAS_ERROR)) !=
		    (INTR_VALID | INTR_HAS_ERROR))
			return false;
		break;
	case F_IDT_INFO:
		if (!(v & INTR_VALID))
			v &= INTR_VALID;
		break;
	case F_IDT_ERROR:
		if ((e[F_IDT_INFO] & (INTR_VALID | INTR_HAS_ERROR)) !=
		    (INTR_VALID | INTR_HAS_ERROR))
			return false;
		break;
	case F_INSN_LEN:
		if (!insn_len_defined(e))
			return false;
		break;
	case F_INSN_INFO:
		if (!insn_info_defined(e))
			return false;
		v &= insn_info_mask(e);
		break;
	case F_LINEAR:
		/* Of the exits here, only INS/OUTS define it. */
		if (e[F_REASON] != EXIT_REASON_IO_INSTRUCTION || !(e[F_QUAL] & BIT(4)))
			return false;
		break;
	case F_CR4:
		v &= CR4_RECORDED;
		break;
	}
	*val = v;
	return true;
}

static bool want_eq(u64 want, u64 got)
{
	return want == ANY || want == got;
}

/* Prints scenario @s's record and checks it against the table. */
static void check_scenario(unsigned int s, const struct record *r)
{
	const struct scenario *sc = &scenarios[s];
	unsigned int i, f;
	bool ok = r->nr_exits == sc->nr_exits && r->nr_seen == sc->nr_seen;
	u64 v;

	for (i = 0; i < r->nr_exits && i < MAX_EXITS; i++) {
		const u64 *e = r->exits[i];
		const struct want_exit *w = &sc->exits[i];

		for (f = 0; f < NR_FIELDS; f++)
			if (recorded(e, f, &v))
				printf("record %s exit%u %s 0x%lx\n", sc->name, i,
				       fields[f].name, v);
		if (i >= sc->nr_exits)
			continue;
		if (!want_eq(w->reason, e[F_REASON]) || !want_eq(w->qual, e[F_QUAL]) ||
		    !want_eq(w->intr_info, e[F_INTR_INFO]) ||
		    !want_eq(w->insn_len, e[F_INSN_LEN]) ||
		    (e[F_ENTRY_INTR_INFO] & INTR_VALID)) {
			ksft_print_msg("%s exit%u: reason 0x%lx qual 0x%lx intr 0x%lx len %lu\n",
				       sc->name, i, e[F_REASON], e[F_QUAL], e[F_INTR_INFO],
				       e[F_INSN_LEN]);
			ksft_print_msg("%s exit%u: want 0x%lx 0x%lx 0x%lx %lu (~0: any)\n",
				       sc->name, i, w->reason, w->qual, w->intr_info,
				       w->insn_len);
			ksft_print_msg("%s exit%u: VM-entry interruption info 0x%lx\n",
				       sc->name, i, e[F_ENTRY_INTR_INFO]);
			ok = false;
		}
	}
	for (i = 0; i < r->nr_seen && i < MAX_SEEN; i++) {
		const struct seen *e = &r->seen[i];

		printf("record %s l2_event%u vector 0x%lx error 0x%lx rip 0x%lx cr2 0x%lx\n",
		       sc->name, i, e->vector, e->error, e->rip, e->cr2);
		if (i < sc->nr_seen && e->vector != sc->seen_vectors[i]) {
			ksft_print_msg("%s l2_event%u: vector %lu, want %lu\n", sc->name, i,
				       e->vector, sc->seen_vectors[i]);
			ok = false;
		}
	}
	for (i = 0; i < r->nr_vals && i < MAX_VALS; i++)
		printf("record %s l2_value%u 0x%lx\n", sc->name, i,
		       i == 1 ? r->vals[i] & CR4_RECORDED : r->vals[i]);
	if (r->nr_exits != sc->nr_exits || r->nr_seen != sc->nr_seen)
		ksft_print_msg("%s: %lu exits, %lu L2 events; want %lu, %lu\n", sc->name,
			       r->nr_exits, r->nr_seen, sc->nr_exits, sc->nr_seen);
	result(ok, "%s\n", sc->name);
}

int main(void)
{
	vm_vaddr_t vmx_gva, gva;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	unsigned int s = 0;
	struct kvm_run *run;
	static const u8 vectors[] = { DE_VECTOR, NMI_VECTOR, BP_VECTOR, UD_VECTOR,
				      GP_VECTOR, PF_VECTOR, 0x80 };
	unsigned int i;

	setbuf(stdout, NULL);
	require_nested_vmx();
	ksft_print_header();
	ksft_set_plan(NR_SCENARIOS);

	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	for (i = 0; i < ARRAY_SIZE(vectors); i++)
		vm_install_exception_handler(vm, vectors[i], l2_handler);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	gva = vm_vaddr_alloc_pages(vm, 2);
	io_a = gva;
	io_b = gva + 4096;
	io_a_gpa = addr_gva2gpa(vm, io_a);
	io_b_gpa = addr_gva2gpa(vm, io_b);
	sync_global_to_guest(vm, io_a);
	sync_global_to_guest(vm, io_b);
	sync_global_to_guest(vm, io_a_gpa);
	sync_global_to_guest(vm, io_b_gpa);
	run = vcpu->run;
	basic_ins_outs = vcpu_get_msr(vcpu, MSR_IA32_VMX_BASIC) & BIT_ULL(54);

	for (;;) {
		vcpu_run(vcpu);
		TEST_ASSERT(run->exit_reason == KVM_EXIT_IO, "exit reason %u (%s)",
			    run->exit_reason, exit_reason_str(run->exit_reason));
		if (run->io.port != UCALL_PORT) {
			u8 *data = (u8 *)run + run->io.data_offset;
			u64 val = 0;

			memcpy(&val, data, run->io.size);
			printf("record %s l0_io port 0x%x size %u %s count %u data 0x%lx\n",
			       s < NR_SCENARIOS ? scenarios[s].name : "-", run->io.port,
			       run->io.size, run->io.direction == KVM_EXIT_IO_OUT ? "out" : "in",
			       run->io.count,
			       run->io.direction == KVM_EXIT_IO_OUT ? val : 0);
			continue;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			TEST_ASSERT(uc.args[1] == s, "scenario %lu, want %u", uc.args[1], s);
			sync_global_from_guest(vm, rec);
			check_scenario(s, &rec);
			s++;
			break;
		case UCALL_DONE:
			TEST_ASSERT(s == NR_SCENARIOS, "%u scenarios ran", s);
			kvm_vm_free(vm);
			results_done();
			return 0;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT_2(uc, "values: %#lx, %#lx");
			break;
		default:
			TEST_FAIL("unexpected ucall %lu", uc.cmd);
		}
	}
}
