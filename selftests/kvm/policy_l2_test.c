// SPDX-License-Identifier: GPL-2.0
/*
 * L2's CR0 writes under the default policy table (Documentation/nested.md,
 * "The policy table"; the digest's T3, T5b, T9, T10). L1 masks only CR0.TS
 * (shadow 0, vmcs12's guest TS 1) and intercepts #GP. L2:
 *  - sets CR0.CD, which only L0 shadows: one L0 exit, nothing for L1, and
 *    L2 reads CD back;
 *  - sets CR0.MP, a THROUGH bit: no exit;
 *  - clears CR0.NE, which VMX fixes under L1: L0 injects #GP, which L1
 *    intercepts (an exception exit, vector 13); NE reads 1 still;
 *  - VMCALLs: vmcs12's guest CR0 has CD (from vmcs02's shadow) and MP (from
 *    hardware) set and TS as L1 gave it;
 * then L1 clears CD in vmcs12 and resumes: L2 reads CD 0.
 * Values are checked on both hypervisors, exit counts on nvmx.
 */
#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define L2_STACK_WORDS	512
#define MAX_SIZE	256

static u64 l2_stack[L2_STACK_WORDS] __aligned(16);

/* Shared by L1, L2 and the host. */
static u64 l2_cr0[4];		/* L2's reads: start, after CD, after MP, after L1's edit */
static u64 l2_cr0_after_gp;
static u64 l1_vector, l1_guest_cr0, l1_shadow, l1_mask;

static void l2_code(void)
{
	u64 v;

	asm volatile("mov %%cr0, %0" : "=r"(v));
	l2_cr0[0] = v;
	asm volatile("mov %0, %%cr0" : : "r"(v | X86_CR0_CD) : "memory");
	asm volatile("mov %%cr0, %0" : "=r"(v));
	l2_cr0[1] = v;
	asm volatile("mov %0, %%cr0" : : "r"(v | X86_CR0_MP) : "memory");
	asm volatile("mov %%cr0, %0" : "=r"(v));
	l2_cr0[2] = v;
	/* mov %rax, %cr0: 3 bytes, which L1 skips on the #GP. */
	asm volatile(".byte 0x0f, 0x22, 0xc0" : : "a"(v & ~X86_CR0_NE) : "memory");
	asm volatile("mov %%cr0, %0" : "=r"(v));
	l2_cr0_after_gp = v;
	l2_vmcall();
	asm volatile("mov %%cr0, %0" : "=r"(v));
	l2_cr0[3] = v;
	l2_vmcall();
	GUEST_ASSERT(0);
}

static void l1_code(struct vmx_pages *vmx)
{
	u64 cr0;

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_code, &l2_stack[L2_STACK_WORDS - 1]);
	GUEST_ASSERT(vmx_proc_update(0, CPU_BASED_UNCOND_IO_EXITING |
				     CPU_BASED_USE_IO_BITMAPS));
	cr0 = vmreadz(GUEST_CR0);
	GUEST_ASSERT(!vmwrite(GUEST_CR0, cr0 | X86_CR0_TS));
	GUEST_ASSERT(!vmwrite(CR0_GUEST_HOST_MASK, X86_CR0_TS));
	GUEST_ASSERT(!vmwrite(CR0_READ_SHADOW, cr0 & ~X86_CR0_TS));
	GUEST_ASSERT(!vmwrite(EXCEPTION_BITMAP, 1u << GP_VECTOR));
	GUEST_SYNC(1);

	GUEST_ASSERT_1(!vmlaunch(), vmreadz(VM_INSTRUCTION_ERROR));
	GUEST_ASSERT_1(vmreadz(VM_EXIT_REASON) == EXIT_REASON_EXCEPTION_NMI,
		       vmreadz(VM_EXIT_REASON));
	l1_vector = vmreadz(VM_EXIT_INTR_INFO) & 0xff;
	GUEST_ASSERT(!vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) + 3));
	GUEST_ASSERT_1(!vmresume(), vmreadz(VM_INSTRUCTION_ERROR));

	GUEST_ASSERT_1(vmreadz(VM_EXIT_REASON) == EXIT_REASON_VMCALL,
		       vmreadz(VM_EXIT_REASON));
	l1_guest_cr0 = vmreadz(GUEST_CR0);
	l1_shadow = vmreadz(CR0_READ_SHADOW);
	l1_mask = vmreadz(CR0_GUEST_HOST_MASK);
	GUEST_SYNC(2);
	/* T10: L1's edit reaches L2 at the next entry. */
	GUEST_ASSERT(!vmwrite(GUEST_CR0, l1_guest_cr0 & ~X86_CR0_CD));
	GUEST_ASSERT(!vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) + 3));
	GUEST_ASSERT_1(!vmresume(), vmreadz(VM_INSTRUCTION_ERROR));
	GUEST_ASSERT_1(vmreadz(VM_EXIT_REASON) == EXIT_REASON_VMCALL,
		       vmreadz(VM_EXIT_REASON));
	GUEST_DONE();
}

static const char *const names[] = { "nvmx_l2_exits_l0", "nvmx_l2_exits_reflected" };

static u64 host_get(struct kvm_vm *vm, void *p)
{
	return *(u64 *)addr_gva2hva(vm, (vm_vaddr_t)p);
}

int main(void)
{
	static u64 a[2 * MAX_SIZE], b[2 * MAX_SIZE];
	struct kvm_stats_desc *desc[2];
	struct nested_stats st;
	vm_vaddr_t vmx_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	u64 r[4], g, gp;
	bool nvmx = on_nvmx();
	int i;

	setbuf(stdout, NULL);
	require_nested_vmx();
	ksft_print_header();
	ksft_set_plan(nvmx ? 10 : 7);

	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	nested_stats_open(&st, vcpu, names, 2, MAX_SIZE, desc);

	run_to(vcpu, 1);
	nested_stats_read(&st, a);
	run_to(vcpu, 2);
	nested_stats_read(&st, b);
	run_to(vcpu, RUN_TO_DONE);

	for (i = 0; i < 4; i++)
		r[i] = host_get(vm, &l2_cr0[i]);
	g = host_get(vm, &l1_guest_cr0);
	gp = host_get(vm, &l2_cr0_after_gp);
	ksft_print_msg("L2 read 0x%lx 0x%lx 0x%lx, after #GP 0x%lx, after L1's edit 0x%lx\n",
		       r[0], r[1], r[2], gp, r[3]);
	ksft_print_msg("vmcs12 guest CR0 0x%lx\n", g);
	ksft_test_result(!(r[0] & (X86_CR0_TS | X86_CR0_CD | X86_CR0_MP)),
			 "l2_reads_l1_shadow_ts_0\n");
	ksft_test_result((r[1] & X86_CR0_CD) && (r[2] & X86_CR0_MP),
			 "l2_reads_back_cd_and_mp\n");
	ksft_test_result(host_get(vm, &l1_vector) == GP_VECTOR &&
			 gp == r[2] && (gp & X86_CR0_NE),
			 "l2_ne_clear_is_gp_for_l1 (vector %lu)\n", host_get(vm, &l1_vector));
	ksft_test_result((g & X86_CR0_CD) && (g & X86_CR0_MP) && (g & X86_CR0_TS) &&
			 (g & X86_CR0_NE),
			 "vmcs12_guest_cr0_after_vmcall (0x%lx)\n", g);
	ksft_test_result(host_get(vm, &l1_mask) == X86_CR0_TS &&
			 !(host_get(vm, &l1_shadow) & (X86_CR0_TS | X86_CR0_CD)),
			 "vmcs12_mask_and_shadow_unchanged\n");
	ksft_test_result(!(r[3] & X86_CR0_CD) && (r[3] & X86_CR0_MP),
			 "l1_edit_reaches_l2 (0x%lx)\n", r[3]);
	ksft_test_result(!(r[3] & X86_CR0_TS), "l2_still_reads_ts_0\n");
	if (nvmx) {
		/* CD set (absorbed) and NE clear (#GP); MP is THROUGH. */
		u64 l0 = b[28] - a[28], refl = b[MAX_SIZE + 28] - a[MAX_SIZE + 28];
		u64 exc = b[MAX_SIZE] - a[MAX_SIZE];

		ksft_test_result(l0 == 2, "nvmx_l0_absorbed_cr_exits_2 (got %lu)\n", l0);
		ksft_test_result(refl == 0, "nvmx_no_cr_exit_reflected (got %lu)\n", refl);
		/*
		 * The exception exit L1 gets is made by L0 from the CR exit it
		 * handled (counted above): no hardware exit is reflected.
		 */
		ksft_test_result(exc == 0, "nvmx_gp_exit_made_by_l0 (reflected %lu)\n", exc);
	}
	kvm_vm_free(vm);
	ksft_finished();
}
