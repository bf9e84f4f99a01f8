// SPDX-License-Identifier: GPL-2.0
/*
 * Control register bits: MOV CR0/CR4 setting a reserved bit, or a CR4
 * feature bit the guest's CPUID lacks, gives #GP and leaves the register
 * as it was; CR0.CD and CR0.NW read back as the guest wrote them; CR0 is
 * 0x60000010 at RESET; KVM_SET_REGS forces RFLAGS bit 1.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#define NO_VECTOR	0	/* what KVM_ASM_SAFE reports without a fault */
#define CR0_AT_RESET	(X86_CR0_CD | X86_CR0_NW | X86_CR0_ET)

struct cr_row {
	const char *name;
	u8 cr;		/* 0 or 4 */
	u64 set;	/* ORed into the current value */
	u8 vector;
};

static const struct cr_row rows[] = {
	{ "cr0_bit32_gp",		0, BIT_ULL(32),		GP_VECTOR },
	{ "cr0_bit63_gp",		0, BIT_ULL(63),		GP_VECTOR },
	{ "cr0_nw_without_cd_gp",	0, X86_CR0_NW,		GP_VECTOR },
	{ "cr0_cd_reads_back",		0, X86_CR0_CD,		NO_VECTOR },
	{ "cr0_cd_nw_read_back",	0, X86_CR0_CD | X86_CR0_NW, NO_VECTOR },
	{ "cr4_bit15_reserved_gp",	4, BIT_ULL(15),		GP_VECTOR },
	/* KL (bit 19) and CET (bit 23): reserved for KVM 6.1 guests. */
	{ "cr4_bit19_reserved_gp",	4, BIT_ULL(19),		GP_VECTOR },
	{ "cr4_bit23_reserved_gp",	4, BIT_ULL(23),		GP_VECTOR },
	{ "cr4_bit31_reserved_gp",	4, BIT_ULL(31),		GP_VECTOR },
	{ "cr4_bit32_reserved_gp",	4, BIT_ULL(32),		GP_VECTOR },
	{ "cr4_bit63_reserved_gp",	4, BIT_ULL(63),		GP_VECTOR },
	/* The host takes these features out of the guest's CPUID. */
	{ "cr4_smep_not_in_cpuid_gp",	4, X86_CR4_SMEP,	GP_VECTOR },
	{ "cr4_fsgsbase_not_in_cpuid_gp", 4, X86_CR4_FSGSBASE,	GP_VECTOR },
	/* Out of CPUID, or (host without PKU) claimed by CPUID: main(). */
	{ "cr4_pke_gp",			4, X86_CR4_PKE,		GP_VECTOR },
	{ "cr4_pge_allowed",		4, X86_CR4_PGE,		NO_VECTOR },
};

#define NR_ROWS ARRAY_SIZE(rows)

struct cr_result {
	u8 vector;
	u64 before, written, after;
};

static struct cr_result results[NR_ROWS];

static u64 read_cr(u8 cr)
{
	return cr ? get_cr4() : get_cr0();
}

static u8 write_cr_safe(u8 cr, u64 val)
{
	if (cr)
		return kvm_asm_safe("mov %[v], %%cr4", [v] "r"(val));
	return kvm_asm_safe("mov %[v], %%cr0", [v] "r"(val));
}

static void guest_code(void)
{
	unsigned int i;

	/* MOV CR0 sets ET (fixed to 1); KVM_SET_SREGS (libkvm's setup) does not. */
	GUEST_ASSERT_1(!write_cr_safe(0, get_cr0() | X86_CR0_ET), get_cr0());
	for (i = 0; i < NR_ROWS; i++) {
		const struct cr_row *row = &rows[i];
		struct cr_result *res = &results[i];

		res->before = read_cr(row->cr);
		res->written = res->before | row->set;
		res->vector = write_cr_safe(row->cr, res->written);
		res->after = read_cr(row->cr);
		/* Back to where the row started, whatever happened. */
		if (res->after != res->before)
			GUEST_ASSERT_1(!write_cr_safe(row->cr, res->before), i);
	}
	GUEST_DONE();
}

static bool check_row(unsigned int i)
{
	const struct cr_row *row = &rows[i];
	const struct cr_result *res = &results[i];
	u64 want = row->vector == NO_VECTOR ? res->written : res->before;

	if (res->vector == row->vector && res->after == want)
		return true;
	ksft_print_msg("%s: MOV CR%u 0x%lx (was 0x%lx): vector %u, reads 0x%lx\n",
		       row->name, row->cr, res->written, res->before, res->vector,
		       res->after);
	ksft_print_msg("%s: want vector %u, 0x%lx\n", row->name, row->vector, want);
	return false;
}

static void test_cr0_at_reset(void)
{
	struct kvm_sregs sregs;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	/* A bare vCPU: libkvm's vm_vcpu_add() would set long mode. */
	vm = vm_create_barebones();
	vcpu = __vm_vcpu_add(vm, 0);
	vcpu_sregs_get(vcpu, &sregs);
	ksft_test_result(sregs.cr0 == CR0_AT_RESET, "cr0_at_reset (0x%llx, want 0x%lx)\n",
			 sregs.cr0, CR0_AT_RESET);
	kvm_vm_free(vm);
}

static void test_set_regs_rflags(struct kvm_vcpu *vcpu)
{
	struct kvm_regs regs;

	vcpu_regs_get(vcpu, &regs);
	regs.rflags = 0;
	vcpu_regs_set(vcpu, &regs);
	vcpu_regs_get(vcpu, &regs);
	ksft_test_result(regs.rflags == X86_EFLAGS_FIXED,
			 "set_regs_rflags_0_reads_bit_1 (0x%llx)\n", regs.rflags);
	/* Whatever it read, the rows below need a vCPU that can enter. */
	regs.rflags = X86_EFLAGS_FIXED;
	vcpu_regs_set(vcpu, &regs);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	unsigned int i;

	setbuf(stdout, NULL);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_IMMEDIATE_EXIT));
	ksft_print_header();
	ksft_set_plan(NR_ROWS + 2);

	test_cr0_at_reset();

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vcpu_clear_cpuid_feature(vcpu, X86_FEATURE_SMEP);
	vcpu_clear_cpuid_feature(vcpu, X86_FEATURE_FSGSBASE);
	/*
	 * KVM refuses CR4.PKE both without PKU in the guest's CPUID and when
	 * the host lacks PKU, whatever the CPUID says (item 11 of nvmx's list).
	 */
	if (kvm_cpu_has(X86_FEATURE_PKU))
		vcpu_clear_cpuid_feature(vcpu, X86_FEATURE_PKU);
	else
		vcpu_set_cpuid_feature(vcpu, X86_FEATURE_PKU);

	test_set_regs_rflags(vcpu);

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
		    "exit reason %u (%s), want KVM_EXIT_IO", vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT_1(uc, "row %lu");
		break;
	default:
		TEST_FAIL("ucall %lu (vector %lu), want UCALL_DONE", uc.cmd, uc.args[0]);
	}
	sync_global_from_guest(vm, results);
	for (i = 0; i < NR_ROWS; i++)
		ksft_test_result(check_row(i), "%s\n", rows[i].name);

	kvm_vm_free(vm);
	ksft_finished();
}
