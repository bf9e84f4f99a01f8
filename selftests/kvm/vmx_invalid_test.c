// SPDX-License-Identifier: GPL-2.0
/*
 * VM entries that must fail, one broken vmcs12 field per row, each the way
 * the SDM's VM-entry chapter says: a control field (VMfailValid 7), a
 * host-state field (VMfailValid 8), a guest-state field (exit reason
 * 0x80000021, qualification 0), the VMCS link pointer (0x80000021,
 * qualification 4), the VM-entry MSR-load area (0x80000022, qualification
 * the failing entry's 1-based index). Each row restores its field; a last
 * VMLAUNCH of the repaired VMCS must reach L2 (VMCALL).
 */
#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define L2_STACK_WORDS	256
#define FAIL_INVALID_STATE	(EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_INVALID_STATE)
#define FAIL_MSR_LOAD		(EXIT_REASON_FAILED_VMENTRY | EXIT_REASON_MSR_LOAD_FAIL)
#define ENTRY_QUAL_LINK_PTR	4
#define INTR_TYPE_RESERVED	BIT(8)	/* interruption type 1 */

enum how { VMFAIL, EXIT };

struct row {
	const char *name;
	u64 field;
	/* The broken value from the valid one; msr rows set up their area. */
	u64 (*breaks)(u64 valid);
	enum how how;
	u64 want;	/* VM-instruction error, or exit reason */
	u64 want_qual;
	/* A second field the row needs changed (0: none), restored after. */
	u64 field2;
	u64 (*breaks2)(u64 valid);
};

static u64 or_pin_bit31(u64 v) { return v | BIT_ULL(31); }
static u64 cr3_targets_too_many(u64 v) { return (rdmsr(MSR_IA32_VMX_MISC) >> 16 & 0x1ff) + 1; }
static u64 or_io_bitmaps(u64 v) { return v | CPU_BASED_USE_IO_BITMAPS; }
static u64 or_msr_bitmaps(u64 v) { return v | CPU_BASED_USE_MSR_BITMAPS; }
static u64 unaligned(u64 v) { return v | 0x800; }
static u64 intr_reserved_type(u64 v) { return INTR_VALID | INTR_TYPE_RESERVED | 3; }
static u64 host_cr4_no_vmxe(u64 v) { return v & ~X86_CR4_VMXE; }
static u64 host_cr0_no_pg(u64 v) { return v & ~X86_CR0_PG; }
static u64 zero(u64 v) { return 0; }
static u64 ti_bit(u64 v) { return v | 4; }
static u64 noncanonical(u64 v) { return 0x8000000000000000ull; }
static u64 no_ne(u64 v) { return v & ~X86_CR0_NE; }
static u64 cr4_no_vmxe(u64 v) { return v & ~X86_CR4_VMXE; }
static u64 tr_unusable(u64 v) { return v | 0x10000; }
static u64 dr7_bit32(u64 v) { return v | BIT_ULL(32); }
static u64 activity_bad(u64 v) { return 4; }
static u64 link_unaligned(u64 v) { return 0x1234; }
static u64 one(u64 v) { return 1; }
static u64 or_8(u64 v) { return v | 8; }
static u64 sixteen(u64 v) { return 16; }
#define UD_WITH_ERROR	(INTR_VALID | INTR_TYPE_HW_EXC | INTR_HAS_ERROR | UD_VECTOR)
static u64 ud_with_error(u64 v) { return UD_WITH_ERROR; }
static u64 soft_int(u64 v) { return INTR_VALID | INTR_TYPE_SOFT_INT | 0x80; }
static u64 or_load_efer(u64 v) { return v | VM_ENTRY_LOAD_IA32_EFER; }
static u64 no_lma(u64 v) { return v & ~(EFER_LMA | EFER_LME); }
static u64 two(u64 v) { return 2; }

/* The VM-entry MSR-load area: entries as the msr rows want them. */
static struct vmx_msr_entry msr_area[2] __aligned(16);
static u64 msr_area_gpa;	/* set by the host */

static const struct row rows[] = {
	{ "control_pin_reserved_bit31_fail_7", PIN_BASED_VM_EXEC_CONTROL, or_pin_bit31,
	  VMFAIL, 7 },
	{ "control_cr3_target_count_fail_7", CR3_TARGET_COUNT, cr3_targets_too_many,
	  VMFAIL, 7 },
	{ "control_io_bitmap_unaligned_fail_7", IO_BITMAP_A, unaligned, VMFAIL, 7 },
	{ "control_msr_bitmap_unaligned_fail_7", MSR_BITMAP, unaligned, VMFAIL, 7 },
	{ "control_entry_intr_reserved_type_fail_7", VM_ENTRY_INTR_INFO_FIELD,
	  intr_reserved_type, VMFAIL, 7 },
	{ "control_entry_intr_error_code_for_ud_fail_7", VM_ENTRY_INTR_INFO_FIELD,
	  ud_with_error, VMFAIL, 7 },
	{ "control_entry_soft_int_length_16_fail_7", VM_ENTRY_INTR_INFO_FIELD, soft_int,
	  VMFAIL, 7, 0, VM_ENTRY_INSTRUCTION_LEN, sixteen },
	{ "control_entry_msr_load_unaligned_fail_7", VM_ENTRY_MSR_LOAD_ADDR, or_8,
	  VMFAIL, 7, 0, VM_ENTRY_MSR_LOAD_COUNT, one },
	{ "control_exit_msr_store_unaligned_fail_7", VM_EXIT_MSR_STORE_ADDR, or_8,
	  VMFAIL, 7, 0, VM_EXIT_MSR_STORE_COUNT, one },
	{ "host_cr4_without_vmxe_fail_8", HOST_CR4, host_cr4_no_vmxe, VMFAIL, 8 },
	{ "host_cr0_without_pg_fail_8", HOST_CR0, host_cr0_no_pg, VMFAIL, 8 },
	{ "host_cs_selector_zero_fail_8", HOST_CS_SELECTOR, zero, VMFAIL, 8 },
	{ "host_tr_selector_ti_fail_8", HOST_TR_SELECTOR, ti_bit, VMFAIL, 8 },
	{ "host_gs_base_noncanonical_fail_8", HOST_GS_BASE, noncanonical, VMFAIL, 8 },
	{ "guest_cr0_without_ne_exit_0x80000021", GUEST_CR0, no_ne, EXIT,
	  FAIL_INVALID_STATE, 0 },
	{ "guest_cr4_without_vmxe_exit_0x80000021", GUEST_CR4, cr4_no_vmxe, EXIT,
	  FAIL_INVALID_STATE, 0 },
	{ "guest_tr_unusable_exit_0x80000021", GUEST_TR_AR_BYTES, tr_unusable, EXIT,
	  FAIL_INVALID_STATE, 0 },
	/* libkvm's entry controls load debug controls: DR7 63:32 must be 0. */
	{ "guest_dr7_bit32_exit_0x80000021", GUEST_DR7, dr7_bit32, EXIT,
	  FAIL_INVALID_STATE, 0 },
	{ "guest_activity_state_4_exit_0x80000021", GUEST_ACTIVITY_STATE, activity_bad,
	  EXIT, FAIL_INVALID_STATE, 0 },
	/* IA-32e mode guest loading an EFER without LMA. */
	{ "guest_efer_lma_mismatch_exit_0x80000021", GUEST_IA32_EFER, no_lma, EXIT,
	  FAIL_INVALID_STATE, 0, VM_ENTRY_CONTROLS, or_load_efer },
	{ "guest_vmcs_link_pointer_exit_0x80000021_qual_4", VMCS_LINK_POINTER,
	  link_unaligned, EXIT, FAIL_INVALID_STATE, ENTRY_QUAL_LINK_PTR },
	/* msr_area[0] is FS_BASE (may not be loaded), [1] has reserved bits. */
	{ "msr_load_fs_base_entry_1_exit_0x80000022", VM_ENTRY_MSR_LOAD_COUNT, one,
	  EXIT, FAIL_MSR_LOAD, 1 },
	{ "msr_load_reserved_entry_2_exit_0x80000022", VM_ENTRY_MSR_LOAD_COUNT, two,
	  EXIT, FAIL_MSR_LOAD, 2 },
};

#define NR_ROWS ARRAY_SIZE(rows)

struct result {
	u64 ran, got, qual, rip_after;
};

static struct result results[NR_ROWS + 1];	/* + the final valid launch */
static u64 l2_stack[L2_STACK_WORDS] __aligned(16);

static void l2_code(void)
{
	for (;;)
		l2_vmcall();
}

static void l1_code(struct vmx_pages *vmx)
{
	u64 valid, valid2 = 0, failed;
	unsigned int i;

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_code, &l2_stack[L2_STACK_WORDS - 1]);
	/* One entry to MSR_KERNEL_GS_BASE would be fine: these are not. */
	msr_area[0].index = MSR_FS_BASE;
	msr_area[1].index = MSR_KERNEL_GS_BASE;
	msr_area[1].reserved = 1;
	GUEST_ASSERT(!vmwrite(VM_ENTRY_MSR_LOAD_ADDR, msr_area_gpa));
	GUEST_ASSERT(vmreadz(VM_ENTRY_CONTROLS) & VM_ENTRY_LOAD_DEBUG_CONTROLS);

	for (i = 0; i < NR_ROWS; i++) {
		const struct row *r = &rows[i];
		struct result *res = &results[i];

		GUEST_ASSERT_1(!vmread(r->field, &valid), i);
		GUEST_ASSERT_1(!vmwrite(r->field, r->breaks(valid)), i);
		if (r->field2) {
			GUEST_ASSERT_1(!vmread(r->field2, &valid2), i);
			GUEST_ASSERT_1(!vmwrite(r->field2, r->breaks2(valid2)), i);
		}
		/* The MSR-load rows start from entry 2 being fine. */
		if (r->want == FAIL_MSR_LOAD && r->want_qual == 2)
			msr_area[0].index = MSR_KERNEL_GS_BASE;
		/* The I/O and MSR bitmap addresses only count with their control. */
		if (r->field == IO_BITMAP_A)
			vmwrite(CPU_BASED_VM_EXEC_CONTROL,
				or_io_bitmaps(vmreadz(CPU_BASED_VM_EXEC_CONTROL)));
		if (r->field == MSR_BITMAP)
			vmwrite(CPU_BASED_VM_EXEC_CONTROL,
				or_msr_bitmaps(vmreadz(CPU_BASED_VM_EXEC_CONTROL)));
		failed = vmlaunch();
		res->ran = 1;
		if (failed) {
			res->got = vmreadz(VM_INSTRUCTION_ERROR) | BIT_ULL(63);
		} else {
			res->got = vmreadz(VM_EXIT_REASON);
			res->qual = vmreadz(EXIT_QUALIFICATION);
		}
		GUEST_ASSERT_1(!vmwrite(r->field, valid), i);
		if (r->field2)
			GUEST_ASSERT_1(!vmwrite(r->field2, valid2), i);
		msr_area[0].index = MSR_FS_BASE;
		if (r->field == IO_BITMAP_A || r->field == MSR_BITMAP)
			vmwrite(CPU_BASED_VM_EXEC_CONTROL,
				vmreadz(CPU_BASED_VM_EXEC_CONTROL) &
				~(CPU_BASED_USE_IO_BITMAPS | CPU_BASED_USE_MSR_BITMAPS));
	}
	/* A failed entry leaves the VMCS clear: VMLAUNCH again, now valid. */
	failed = vmlaunch();
	results[NR_ROWS].ran = 1;
	results[NR_ROWS].got = failed ? vmreadz(VM_INSTRUCTION_ERROR) | BIT_ULL(63) :
		vmreadz(VM_EXIT_REASON);
	GUEST_DONE();
}

int main(void)
{
	vm_vaddr_t vmx_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	unsigned int i;

	setbuf(stdout, NULL);
	require_nested_vmx();
	ksft_print_header();
	ksft_set_plan(NR_ROWS + 1);

	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	msr_area_gpa = addr_gva2gpa(vm, (vm_vaddr_t)msr_area);
	sync_global_to_guest(vm, msr_area_gpa);
	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO, "exit reason %u (%s)",
		    vcpu->run->exit_reason, exit_reason_str(vcpu->run->exit_reason));
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT_1(uc, "value: %#lx");
		break;
	default:
		TEST_FAIL("unexpected ucall %lu", uc.cmd);
	}
	sync_global_from_guest(vm, results);

	for (i = 0; i < NR_ROWS; i++) {
		const struct row *r = &rows[i];
		const struct result *res = &results[i];
		u64 want = r->how == VMFAIL ? r->want | BIT_ULL(63) : r->want;
		bool ok = res->ran && res->got == want &&
			(r->how == VMFAIL || res->qual == r->want_qual);

		if (res->got & BIT_ULL(63))
			result(ok, "%s (VMfailValid %lu)\n", r->name,
			       res->got & 0xffff);
		else
			result(ok, "%s (exit reason 0x%lx, qualification %lu)\n",
			       r->name, res->got, res->qual);
	}
	result(results[NR_ROWS].got == EXIT_REASON_VMCALL,
	       "repaired_vmcs_launches (got 0x%lx)\n", results[NR_ROWS].got);
	kvm_vm_free(vm);
	results_done();
	return 0;
}
