// SPDX-License-Identifier: GPL-2.0
/*
 * VMX instructions executed by L1, each row one outcome as the SDM gives it
 * (VMX instruction reference, VM-instruction error numbers): VMsucceed,
 * VMfailInvalid (no current VMCS), VMfailValid with its error number, or
 * the fault (#UD, #GP(0), #SS(0)). Faults are caught in L1 by a handler
 * that records vector and error code.
 *
 * VMWRITE to a read-only field depends on IA32_VMX_MISC bit 29: the guest
 * runs twice, the second time with bit 29 cleared by KVM_SET_MSRS, so both
 * readings are checked where the device offers the bit.
 */
#include <string.h>

#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define NONCANONICAL	0x8000000000000000ull
#define MISC_VMWRITE_ANY	BIT_ULL(29)
#define UNKNOWN_FIELD	0x1000ull	/* bit 12 of an encoding is reserved */
#define L2_STACK_WORDS	256

/* Rows: named by L1; the names are the host's too (one static binary). */
#define MAX_ROWS	96

struct row_result {
	const char *name;
	u64 got, want;
};

static struct row_result results[MAX_ROWS];
static u64 nr_results;
static u64 misc_seen;
static u64 fault_error;
static u64 l2_stack[L2_STACK_WORDS] __aligned(16);
/* Memory operands; not static, so asm can name it. */
u64 vmx_insn_mem[8];
#define mem vmx_insn_mem
static u64 scratch;

static void record(const char *name, u64 got, u64 want)
{
	GUEST_ASSERT(nr_results < MAX_ROWS);
	results[nr_results++] = (struct row_result){ name, got, want };
}

/*
 * CPL 3: a page made user-accessible holding VMXON, entered by IRETQ with user
 * segments (which the host adds to libkvm's GDT); the #GP ends the run.
 */
#define USER_CS		(0x30 | 3)
#define USER_DS		(0x38 | 3)
/* CPL 3 runs only this; VMXON faults before it reads its operand. */
static void __aligned(4096) user_vmxon(void)
{
	asm volatile("vmxon (%%rsp)\n\tud2" : : : "memory");
}

static void rows_cpl3(void)
{
	asm volatile("push %[ss]\n\tpush %%rsp\n\tpushfq\n\tpush %[cs]\n\t"
		     "push %[ip]\n\tiretq"
		     : : [ss] "i"(USER_DS), [cs] "i"(USER_CS),
		       [ip] "r"((u64)user_vmxon) : "memory");
	GUEST_ASSERT(0);
}

/* A fault in a vmx_op(): vector and error code, resumed at the fixup. */
static void fault_handler(struct ex_regs *regs)
{
	if (regs->cs & 3) {
		record("vmxon_at_cpl3_gp0", VMX_FAULT(regs->vector) | regs->error_code << 16,
		       VMX_FAULT(GP_VECTOR));
		GUEST_DONE();
	}
	GUEST_ASSERT_2(regs->r9 == KVM_EXCEPTION_MAGIC, regs->vector, regs->rip);
	fault_error = regs->error_code;
	regs->rip = regs->r11;
	regs->r9 = regs->vector;
}

/*
 * Runs one VMX instruction between PRE and POST (which must leave RFLAGS
 * alone); the outcome as VMX_*, a fault with its error code in bits 31:16.
 */
#define vmx_op2(pre, insn, post, inputs...)				\
({									\
	u8 vector;							\
	u64 fl;								\
	fault_error = 0;						\
	asm volatile(pre "\n\t" KVM_ASM_SAFE(insn) post "\n\t"		\
		     "pushfq\n\tpopq %[fl]"				\
		     : [vector] "=q"(vector), [fl] "=r"(fl)		\
		     : inputs						\
		     : KVM_ASM_SAFE_CLOBBERS, "cc", "memory");		\
	vector ? (int)(VMX_FAULT(vector) | (fault_error << 16)) : vmx_result(fl); \
})
#define vmx_op(insn, inputs...) vmx_op2("", insn, "", inputs)

static int op_vmxon(u64 pa)
{
	return vmx_op("vmxon %[pa]", [pa] "m"(pa));
}

static int op_vmptrld(u64 pa)
{
	return vmx_op("vmptrld %[pa]", [pa] "m"(pa));
}

static int op_vmclear(u64 pa)
{
	return vmx_op("vmclear %[pa]", [pa] "m"(pa));
}

/* Through a global, which the asm's "memory" clobber makes reloaded. */
static int op_vmptrst(u64 *pa)
{
	int r;

	scratch = 0;
	r = vmx_op("vmptrst %[pa]", [pa] "m"(scratch));
	*pa = scratch;
	return r;
}

static int op_vmread(u64 field, u64 *val)
{
	int r;

	scratch = 0;
	r = vmx_op("vmread %[f], %[v]", [f] "r"(field), [v] "m"(scratch));
	*val = scratch;
	return r;
}

static void set_cr0(u64 val)
{
	asm volatile("mov %0, %%cr0" : : "r"(val) : "memory");
}

/* Whether L1 may set "VMCS shadowing": then VMPTRLD takes a shadow VMCS. */
static bool l1_has_shadow_vmcs(void)
{
	return (rdmsr(MSR_IA32_VMX_PROCBASED_CTLS) >> 32 &
		CPU_BASED_ACTIVATE_SECONDARY_CONTROLS) &&
	       (rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2) >> 32 & SECONDARY_EXEC_SHADOW_VMCS);
}

static int op_vmwrite(u64 field, u64 val)
{
	return vmx_op("vmwrite %[v], %[f]", [f] "r"(field), [v] "r"(val));
}

static u32 maxphyaddr(void)
{
	u32 a, b, c, d;

	cpuid(0x80000008, &a, &b, &c, &d);
	return a & 0xff;
}

static void l2_code(void)
{
	for (;;)
		l2_vmcall();
}

/* Before VMXON: CR4.VMXE clear, then set but outside VMX operation. */
static void rows_outside_vmx(struct vmx_pages *vmx)
{
	u64 v;

	set_cr4(get_cr4() & ~X86_CR4_VMXE);
	record("vmxon_without_cr4_vmxe_ud", op_vmxon(vmx->vmxon_gpa),
	       VMX_FAULT(UD_VECTOR));
	record("vmptrst_without_cr4_vmxe_ud", op_vmptrst(&v), VMX_FAULT(UD_VECTOR));

	/* What prepare_for_vmx_operation() does, without its VMXON. */
	set_cr0((get_cr0() & rdmsr(MSR_IA32_VMX_CR0_FIXED1)) |
		rdmsr(MSR_IA32_VMX_CR0_FIXED0));
	set_cr4((get_cr4() & rdmsr(MSR_IA32_VMX_CR4_FIXED1)) |
		rdmsr(MSR_IA32_VMX_CR4_FIXED0) | X86_CR4_VMXE);
	v = rdmsr(MSR_IA32_FEAT_CTL);
	if ((v & (FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX)) !=
	    (FEAT_CTL_LOCKED | FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX))
		wrmsr(MSR_IA32_FEAT_CTL, v | FEAT_CTL_LOCKED |
		      FEAT_CTL_VMX_ENABLED_OUTSIDE_SMX);

	record("vmread_outside_vmx_operation_ud", op_vmread(GUEST_RIP, &v),
	       VMX_FAULT(UD_VECTOR));
	record("vmxoff_outside_vmx_operation_ud", vmx_op("vmxoff", "i"(0)),
	       VMX_FAULT(UD_VECTOR));
}

static void rows_vmxon(struct vmx_pages *vmx)
{
	u32 *rev = vmx->vmxon;

	*rev = vmcs_revision();
	record("vmxon_unaligned_fail_invalid", op_vmxon(vmx->vmxon_gpa + 0x10),
	       VMX_FAIL_INVALID);
	record("vmxon_beyond_maxphyaddr_fail_invalid",
	       op_vmxon(1ull << maxphyaddr()), VMX_FAIL_INVALID);
	*rev = vmcs_revision() + 1;
	record("vmxon_bad_revision_fail_invalid", op_vmxon(vmx->vmxon_gpa),
	       VMX_FAIL_INVALID);
	*rev = vmcs_revision();
	record("vmxon_succeeds", op_vmxon(vmx->vmxon_gpa), VMX_SUCCEED);
}

/* In VMX root operation, no current VMCS. */
static void rows_no_vmcs(struct vmx_pages *vmx)
{
	u64 v = 0;

	/* vmx->shadow_vmcs is a page whose revision is wrong: libkvm's spare. */
	*(u32 *)vmx->shadow_vmcs = vmcs_revision() + 1;
	record("vmxon_in_root_no_vmcs_fail_invalid", op_vmxon(vmx->vmxon_gpa),
	       VMX_FAIL_INVALID);
	record("vmptrst_no_vmcs_succeeds", op_vmptrst(&v), VMX_SUCCEED);
	record("vmptrst_no_vmcs_gives_all_ones", v, ~0ull);
	record("vmread_no_vmcs_fail_invalid", op_vmread(GUEST_RIP, &v),
	       VMX_FAIL_INVALID);
	record("vmwrite_no_vmcs_fail_invalid", op_vmwrite(GUEST_RIP, 0),
	       VMX_FAIL_INVALID);
	record("vmlaunch_no_vmcs_fail_invalid", vmx_op("vmlaunch", "i"(0)),
	       VMX_FAIL_INVALID);
	record("vmresume_no_vmcs_fail_invalid", vmx_op("vmresume", "i"(0)),
	       VMX_FAIL_INVALID);
	record("vmclear_vmxon_ptr_no_vmcs_fail_invalid", op_vmclear(vmx->vmxon_gpa),
	       VMX_FAIL_INVALID);
	record("vmptrld_vmxon_ptr_no_vmcs_fail_invalid", op_vmptrld(vmx->vmxon_gpa),
	       VMX_FAIL_INVALID);
	record("vmptrld_bad_revision_no_vmcs_fail_invalid",
	       op_vmptrld(vmx->shadow_vmcs_gpa), VMX_FAIL_INVALID);
}

/* With vmx->vmcs current. */
static void rows_current(struct vmx_pages *vmx)
{
	u64 v = 0, pa = vmx->vmcs_gpa, top = 1ull << maxphyaddr();
	bool any = misc_seen & MISC_VMWRITE_ANY;

	*(u32 *)vmx->vmcs = vmcs_revision();
	GUEST_ASSERT(!op_vmclear(pa));
	record("vmptrld_succeeds", op_vmptrld(pa), VMX_SUCCEED);
	op_vmptrst(&v);
	record("vmptrst_gives_current", v, pa);
	record("vmxon_in_root_fail_valid_15", op_vmxon(vmx->vmxon_gpa),
	       VMX_FAIL_VALID(15));
	record("vmptrld_vmxon_ptr_fail_valid_10", op_vmptrld(vmx->vmxon_gpa),
	       VMX_FAIL_VALID(10));
	record("vmptrld_bad_revision_fail_valid_11",
	       op_vmptrld(vmx->shadow_vmcs_gpa), VMX_FAIL_VALID(11));
	op_vmptrst(&v);
	record("vmptrst_after_failed_vmptrld", v, pa);
	/* Bit 31 (shadow VMCS): 11 unless L1 may use VMCS shadowing. */
	*(u32 *)vmx->shadow_vmcs = vmcs_revision() | 0x80000000u;
	record("vmptrld_shadow_bit", op_vmptrld(vmx->shadow_vmcs_gpa),
	       l1_has_shadow_vmcs() ? VMX_SUCCEED : VMX_FAIL_VALID(11));
	GUEST_ASSERT(!op_vmptrld(pa));
	record("vmptrld_unaligned_fail_valid_9", op_vmptrld(pa + 8), VMX_FAIL_VALID(9));
	record("vmptrld_beyond_maxphyaddr_fail_valid_9", op_vmptrld(top),
	       VMX_FAIL_VALID(9));
	record("vmclear_vmxon_ptr_fail_valid_3", op_vmclear(vmx->vmxon_gpa),
	       VMX_FAIL_VALID(3));
	record("vmclear_unaligned_fail_valid_2", op_vmclear(pa + 8), VMX_FAIL_VALID(2));
	record("vmclear_beyond_maxphyaddr_fail_valid_2", op_vmclear(top),
	       VMX_FAIL_VALID(2));
	record("vmread_unknown_field_fail_valid_12", op_vmread(UNKNOWN_FIELD, &v),
	       VMX_FAIL_VALID(12));
	record("vmread_field_bits_63_32_fail_valid_12",
	       op_vmread(GUEST_RIP | BIT_ULL(32), &v), VMX_FAIL_VALID(12));
	record("vmwrite_unknown_field_fail_valid_12", op_vmwrite(UNKNOWN_FIELD, 0),
	       VMX_FAIL_VALID(12));
	record("vmwrite_read_only_field", op_vmwrite(EXIT_QUALIFICATION, 0x1234),
	       any ? VMX_SUCCEED : VMX_FAIL_VALID(13));
	op_vmread(EXIT_QUALIFICATION, &v);
	if (any)
		record("vmwrite_read_only_field_reads_back", v, 0x1234);
}

/* Memory operands in several addressing forms, and non-canonical ones. */
static void rows_operands(struct vmx_pages *vmx)
{
	u64 *base = &mem[4], nc = NONCANONICAL, idx = 1, v;

	memset(mem, 0, sizeof(mem));
	base[2] = 0x1122334455667788ull;	/* mem[6] */
	record("vmwrite_mem_base_index_scale",
	       vmx_op("vmwrite (%[b],%[i],8), %[f]", [b] "r"(base), [i] "r"(idx * 2),
		      [f] "r"((u64)GUEST_RSP)), VMX_SUCCEED);
	op_vmread(GUEST_RSP, &v);
	record("vmwrite_mem_reads_back", v, base[2]);

	record("vmread_mem_base_disp8",
	       vmx_op("vmread %[f], -0x18(%[b])", [b] "r"(base), [f] "r"((u64)GUEST_RSP)),
	       VMX_SUCCEED);
	record("vmread_mem_value", mem[1], base[2]);

	record("vmread_mem_rip_relative",
	       vmx_op("vmread %[f], vmx_insn_mem+0x10(%%rip)", [f] "r"((u64)GUEST_RSP)),
	       VMX_SUCCEED);
	record("vmread_mem_rip_relative_value", mem[2], base[2]);
	record("vmread_mem_absolute_disp32",
	       vmx_op("vmread %[f], vmx_insn_mem+0x28", [f] "r"((u64)GUEST_RSP)),
	       VMX_SUCCEED);
	record("vmread_mem_absolute_disp32_value", mem[5], base[2]);

	record("vmptrst_mem_base_index_disp32",
	       vmx_op("vmptrst 0x100(%[b],%[i],4)", [b] "r"((u64)mem - 0x100),
		      [i] "r"(idx * 6)), VMX_SUCCEED);
	record("vmptrst_mem_value", mem[3], vmx->vmcs_gpa);

	mem[7] = vmx->vmcs_gpa;
	record("vmptrld_mem_base_index_negative_disp",
	       vmx_op("vmptrld -0x40(%[b],%[i],8)", [b] "r"(base), [i] "r"(idx * 11)),
	       VMX_SUCCEED);

	record("vmptrld_noncanonical_gp0", vmx_op("vmptrld (%[a])", [a] "r"(nc)),
	       VMX_FAULT(GP_VECTOR));
	record("vmclear_noncanonical_gp0", vmx_op("vmclear 8(%[a])", [a] "r"(nc)),
	       VMX_FAULT(GP_VECTOR));
	record("vmptrst_noncanonical_gp0", vmx_op("vmptrst (%[a])", [a] "r"(nc)),
	       VMX_FAULT(GP_VECTOR));
	record("vmread_noncanonical_gp0",
	       vmx_op("vmread %[f], (%[a])", [a] "r"(nc), [f] "r"((u64)GUEST_RSP)),
	       VMX_FAULT(GP_VECTOR));
	record("vmwrite_noncanonical_gp0",
	       vmx_op("vmwrite (%[a]), %[f]", [a] "r"(nc), [f] "r"((u64)GUEST_RSP)),
	       VMX_FAULT(GP_VECTOR));
	/* RBP as base: the SS segment, so #SS(0). */
	record("vmptrld_noncanonical_rbp_ss0",
	       vmx_op2("push %%rbp\n\tmov %[a], %%rbp", "vmptrld (%%rbp)", "pop %%rbp",
		       [a] "r"(nc)), VMX_FAULT(SS_VECTOR));
	op_vmptrst(&v);
	GUEST_ASSERT_1(v == vmx->vmcs_gpa, v);
}

/* VMCLEAR writes the VMCS back: values survive a VMPTRLD of another. */
static void rows_vmclear(struct vmx_pages *vmx)
{
	u64 a = vmx->vmcs_gpa, b = vmx->shadow_vmcs_gpa, v = 0;

	GUEST_ASSERT(!op_vmwrite(GUEST_RSP, 0xaaaa000));
	record("vmclear_clears_current", op_vmclear(a), VMX_SUCCEED);
	op_vmptrst(&v);
	record("vmclear_then_no_vmcs", v, ~0ull);
	*(u32 *)vmx->shadow_vmcs = vmcs_revision();
	GUEST_ASSERT(!op_vmclear(b));
	GUEST_ASSERT(!op_vmptrld(b));
	record("vmclear_write_back_second_vmcs", op_vmwrite(GUEST_RSP, 0xbbbb000),
	       VMX_SUCCEED);
	GUEST_ASSERT(!op_vmclear(b));
	GUEST_ASSERT(!op_vmptrld(a));
	op_vmread(GUEST_RSP, &v);
	record("vmclear_write_back_first_value", v, 0xaaaa000);
	GUEST_ASSERT(!op_vmptrld(b));
	op_vmread(GUEST_RSP, &v);
	record("vmclear_write_back_second_value", v, 0xbbbb000);
	GUEST_ASSERT(!op_vmclear(b));
	GUEST_ASSERT(!op_vmptrld(a));
}

static int launch_result(int failed)
{
	return failed ? VMX_FAIL_VALID(vmreadz(VM_INSTRUCTION_ERROR)) : VMX_SUCCEED;
}

/* VMLAUNCH/VMRESUME against the launch state. */
static void rows_launch(struct vmx_pages *vmx)
{
	prepare_vmcs(vmx, l2_code, &l2_stack[L2_STACK_WORDS - 1]);
	record("vmresume_clear_vmcs_fail_valid_5", launch_result(vmresume()),
	       VMX_FAIL_VALID(5));
	record("vmlaunch_succeeds", launch_result(vmlaunch()), VMX_SUCCEED);
	record("vmlaunch_exit_vmcall", vmreadz(VM_EXIT_REASON), EXIT_REASON_VMCALL);
	vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) + vmreadz(VM_EXIT_INSTRUCTION_LEN));
	record("vmlaunch_launched_fail_valid_4", launch_result(vmlaunch()),
	       VMX_FAIL_VALID(4));
	record("vmresume_launched_succeeds", launch_result(vmresume()), VMX_SUCCEED);
	record("vmresume_exit_vmcall", vmreadz(VM_EXIT_REASON), EXIT_REASON_VMCALL);
	GUEST_ASSERT(!op_vmclear(vmx->vmcs_gpa));
	GUEST_ASSERT(!op_vmptrld(vmx->vmcs_gpa));
	record("vmresume_after_vmclear_fail_valid_5", launch_result(vmresume()),
	       VMX_FAIL_VALID(5));
}

static void rows_vmxoff(struct vmx_pages *vmx)
{
	u64 v;

	record("vmxoff_succeeds", vmx_op("vmxoff", "i"(0)), VMX_SUCCEED);
	record("vmread_after_vmxoff_ud", op_vmread(GUEST_RIP, &v), VMX_FAULT(UD_VECTOR));
	record("vmxon_again_succeeds", op_vmxon(vmx->vmxon_gpa), VMX_SUCCEED);
	record("vmxoff_again_succeeds", vmx_op("vmxoff", "i"(0)), VMX_SUCCEED);
}

static void l1_code(struct vmx_pages *vmx)
{
	misc_seen = rdmsr(MSR_IA32_VMX_MISC);
	rows_outside_vmx(vmx);
	rows_vmxon(vmx);
	rows_no_vmcs(vmx);
	rows_current(vmx);
	rows_operands(vmx);
	rows_vmclear(vmx);
	rows_launch(vmx);
	rows_vmxoff(vmx);
	rows_cpl3();
}

/* Sets the user bit on every level of the page tables that maps @gva. */
static void set_user_bit(struct kvm_vm *vm, u64 gva)
{
	u64 *table = addr_gpa2hva(vm, vm->pgd), *pte;
	int level;

	for (level = 3; level >= 0; level--) {
		pte = &table[(gva >> (12 + 9 * level)) & 0x1ff];
		TEST_ASSERT(*pte & 1, "0x%lx not mapped at level %d", gva, level);
		*pte |= BIT_ULL(2);
		if (!level || (*pte & BIT_ULL(7)))
			break;
		table = addr_gpa2hva(vm, *pte & GENMASK_ULL(51, 12));
	}
}

/* User code and data segments, a ring-0 stack in the TSS, a user page. */
static void setup_cpl3(struct kvm_vm *vm)
{
	u64 *gdt = addr_gva2hva(vm, vm->gdt);
	vm_vaddr_t stack = vm_vaddr_alloc_page(vm);

	gdt[USER_CS >> 3] = 0x00affb000000ffffull;	/* 64-bit code, DPL 3 */
	gdt[USER_DS >> 3] = 0x00cff3000000ffffull;	/* data, DPL 3 */
	/* RSP0 at offset 4 of the 64-bit TSS. */
	memcpy((u8 *)addr_gva2hva(vm, vm->tss) + 4, &(u64){ stack + 4096 }, 8);
	set_user_bit(vm, (u64)user_vmxon);
}

struct run {
	struct row_result rows[MAX_ROWS];
	u64 nr, misc;
};

/* One guest run, its rows copied into @out. */
static void run_guest(bool clear_vmwrite_any, struct run *out)
{
	struct kvm_vcpu *vcpu;
	vm_vaddr_t vmx_gva;
	struct kvm_vm *vm;
	struct ucall uc;
	u64 misc;

	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_exception_handler(vm, UD_VECTOR, fault_handler);
	vm_install_exception_handler(vm, GP_VECTOR, fault_handler);
	vm_install_exception_handler(vm, SS_VECTOR, fault_handler);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	setup_cpl3(vm);

	misc = vcpu_get_msr(vcpu, MSR_IA32_VMX_MISC);
	if (clear_vmwrite_any)
		vcpu_set_msr(vcpu, MSR_IA32_VMX_MISC, misc & ~MISC_VMWRITE_ANY);

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO, "exit reason %u (%s)",
		    vcpu->run->exit_reason, exit_reason_str(vcpu->run->exit_reason));
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT_2(uc, "values: %#lx, %#lx");
		break;
	default:
		TEST_FAIL("unexpected ucall %lu", uc.cmd);
	}
	sync_global_from_guest(vm, results);
	sync_global_from_guest(vm, nr_results);
	sync_global_from_guest(vm, misc_seen);
	memcpy(out->rows, results, sizeof(results));
	out->nr = nr_results;
	out->misc = misc_seen;
	kvm_vm_free(vm);
}

static void report(const struct run *r, const char *tag)
{
	unsigned int i;

	for (i = 0; i < r->nr; i++)
		result(r->rows[i].got == r->rows[i].want,
		       "%s%s (got 0x%lx, want 0x%lx)\n", tag, r->rows[i].name,
		       r->rows[i].got, r->rows[i].want);
}

static struct run runs[2];

int main(void)
{
	bool any;

	setbuf(stdout, NULL);
	require_nested_vmx();
	ksft_print_header();

	run_guest(false, &runs[0]);
	any = runs[0].misc & MISC_VMWRITE_ANY;
	/* Again without "VMWRITE to any field", if there was one to clear. */
	run_guest(any, &runs[1]);
	ksft_set_plan(runs[0].nr + runs[1].nr + 1);
	report(&runs[0], "");
	report(&runs[1], any ? "misc29_clear/" : "again/");
	if (any)
		result(!(runs[1].misc & MISC_VMWRITE_ANY),
		       "misc29_cleared_by_set_msrs (MISC 0x%lx)\n", runs[1].misc);
	else
		ksft_test_result_skip("misc29_cleared_by_set_msrs: MISC 0x%lx lacks bit 29\n",
				      runs[0].misc);
	results_done();
	return 0;
}
