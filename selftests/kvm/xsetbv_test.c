// SPDX-License-Identifier: GPL-2.0
/*
 * Guest XSETBV: one row per XCR0 validity class of the SDM (XSETBV,
 * "Operation"). The guest runs every row, recording the vector XSETBV
 * raised (or none) and what XGETBV reads afterwards; the host then checks
 * each row. A row whose value has a bit outside the guest's CPUID 0xD.0
 * must #GP whatever else it tests: that is what it checks on a CPU without
 * the feature (Bochs' broadwell_ult has x87, SSE and AVX only).
 */
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#define XF_FP		BIT_ULL(0)
#define XF_SSE		BIT_ULL(1)
#define XF_YMM		BIT_ULL(2)
#define XF_BNDREGS	BIT_ULL(3)
#define XF_BNDCSR	BIT_ULL(4)
#define XF_OPMASK	BIT_ULL(5)
#define XF_ZMM_HI256	BIT_ULL(6)
#define XF_HI16_ZMM	BIT_ULL(7)
#define XF_PT		BIT_ULL(8)	/* supervisor state: IA32_XSS only */
#define XF_PKRU		BIT_ULL(9)
#define XF_XTILECFG	BIT_ULL(17)
#define XF_XTILEDATA	BIT_ULL(18)
#define XF_AVX512	(XF_OPMASK | XF_ZMM_HI256 | XF_HI16_ZMM)
#define XF_LEGACY	(XF_FP | XF_SSE)

#define NO_VECTOR	0	/* what KVM_ASM_SAFE reports without a fault */

struct xsetbv_row {
	const char *name;
	u32 index;		/* ECX */
	u64 value;		/* EDX:EAX; 0 with all_supported */
	bool all_supported;	/* value = the guest's CPUID 0xD.0 mask */
	bool osxsave_off;	/* run with CR4.OSXSAVE = 0 */
	/* The vector on a CPU that has every feature the value names. */
	u8 vector;
};

/*
 * AVX-512, MPX, AMX and PKRU rows: on a CPU with the feature these check
 * the combination rule in their name (#GP) or that the legal combination
 * is accepted (NO_VECTOR). On a CPU without it the bits are outside CPUID
 * 0xD.0 and every such row must #GP (expected_vector()).
 */
static const struct xsetbv_row rows[] = {
	{ "osxsave_clear_ud",		0, XF_LEGACY,	false, true,  UD_VECTOR },
	{ "index_1_gp",			1, XF_LEGACY,	false, false, GP_VECTOR },
	{ "index_0x80000000_gp", 0x80000000, XF_LEGACY,	false, false, GP_VECTOR },
	{ "x87_clear_gp",		0, XF_SSE,	false, false, GP_VECTOR },
	{ "zero_gp",			0, 0,		false, false, GP_VECTOR },
	{ "ymm_without_sse_gp",		0, XF_FP | XF_YMM, false, false, GP_VECTOR },
	{ "avx512_without_ymm_gp",	0, XF_LEGACY | XF_AVX512, false, false, GP_VECTOR },
	{ "avx512_opmask_only_gp",	0, XF_LEGACY | XF_YMM | XF_OPMASK,
					false, false, GP_VECTOR },
	{ "avx512_zmm_hi256_only_gp",	0, XF_LEGACY | XF_YMM | XF_ZMM_HI256,
					false, false, GP_VECTOR },
	{ "avx512_hi16_zmm_only_gp",	0, XF_LEGACY | XF_YMM | XF_HI16_ZMM,
					false, false, GP_VECTOR },
	{ "avx512_without_hi16_zmm_gp",	0, XF_LEGACY | XF_YMM | XF_OPMASK | XF_ZMM_HI256,
					false, false, GP_VECTOR },
	{ "avx512_all_three",		0, XF_LEGACY | XF_YMM | XF_AVX512,
					false, false, NO_VECTOR },
	{ "bndregs_without_bndcsr_gp",	0, XF_LEGACY | XF_BNDREGS, false, false, GP_VECTOR },
	{ "bndcsr_without_bndregs_gp",	0, XF_LEGACY | XF_BNDCSR, false, false, GP_VECTOR },
	{ "bndregs_and_bndcsr",		0, XF_LEGACY | XF_BNDREGS | XF_BNDCSR,
					false, false, NO_VECTOR },
	{ "xtilecfg_without_xtiledata_gp", 0, XF_LEGACY | XF_YMM | XF_XTILECFG,
					false, false, GP_VECTOR },
	{ "xtiledata_without_xtilecfg_gp", 0, XF_LEGACY | XF_YMM | XF_XTILEDATA,
					false, false, GP_VECTOR },
	{ "xtilecfg_and_xtiledata",	0, XF_LEGACY | XF_YMM | XF_XTILECFG | XF_XTILEDATA,
					false, false, NO_VECTOR },
	{ "pkru",			0, XF_LEGACY | XF_PKRU, false, false, NO_VECTOR },
	/* Never in CPUID 0xD.0 EDX:EAX, on any CPU. */
	{ "supervisor_pt_bit_gp",	0, XF_LEGACY | XF_PT, false, false, GP_VECTOR },
	{ "bit_63_gp",			0, XF_LEGACY | BIT_ULL(63), false, false, GP_VECTOR },
	{ "valid_x87",			0, XF_FP,	false, false, NO_VECTOR },
	{ "valid_x87_sse",		0, XF_LEGACY,	false, false, NO_VECTOR },
	{ "valid_all_supported",	0, 0,		true,  false, NO_VECTOR },
};

#define NR_ROWS ARRAY_SIZE(rows)

struct xsetbv_result {
	u8 vector;
	u64 error_code;
	u64 xcr0_after;
};

/* Written by the guest, read by the host once it is done. */
static struct xsetbv_result results[NR_ROWS];
static u64 guest_error_code;

static u64 row_value(const struct xsetbv_row *row, u64 supported)
{
	return row->all_supported ? supported : row->value;
}

/* What XCR0 each row starts from: valid everywhere, and not a row's value. */
static u64 base_xcr0(u64 supported)
{
	return XF_LEGACY | (supported & XF_YMM);
}

static u8 expected_vector(const struct xsetbv_row *row, u64 supported)
{
	if (row->osxsave_off)
		return UD_VECTOR;
	if (row->index == 0 && (row_value(row, supported) & ~supported))
		return GP_VECTOR;
	return row->vector;
}

static u64 xgetbv0(void)
{
	u32 eax, edx;

	asm volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax | ((u64)edx << 32);
}

static u8 xsetbv_safe(u32 index, u64 value)
{
	return kvm_asm_safe("xsetbv", "a"((u32)value), "d"((u32)(value >> 32)),
			    "c"(index));
}

/* #GP and #UD: only the XSETBV under test may fault (KVM_ASM_SAFE's R10). */
static void guest_fault_handler(struct ex_regs *regs)
{
	GUEST_ASSERT_2(regs->rip == regs->r10, regs->rip, regs->vector);
	guest_error_code = regs->error_code;
	regs->r9 = regs->vector;
	regs->rip = regs->r11;
}

static void guest_code(u64 supported)
{
	u64 base = base_xcr0(supported);
	unsigned int i;

	for (i = 0; i < NR_ROWS; i++) {
		const struct xsetbv_row *row = &rows[i];

		set_cr4(get_cr4() | X86_CR4_OSXSAVE);
		GUEST_ASSERT_1(xsetbv_safe(0, base) == 0, base);
		if (row->osxsave_off)
			set_cr4(get_cr4() & ~X86_CR4_OSXSAVE);
		guest_error_code = 0;
		results[i].vector = xsetbv_safe(row->index, row_value(row, supported));
		results[i].error_code = guest_error_code;
		set_cr4(get_cr4() | X86_CR4_OSXSAVE);
		results[i].xcr0_after = xgetbv0();
	}
	GUEST_DONE();
}

static void run_to_done(struct kvm_vcpu *vcpu)
{
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
		    "exit reason %u (%s), want KVM_EXIT_IO", vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_DONE:
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT_2(uc, "rip 0x%lx vector %lu");
		break;
	case UCALL_UNHANDLED:
		TEST_FAIL("guest got unexpected vector %lu", uc.args[0]);
		break;
	default:
		TEST_FAIL("unexpected ucall %lu", uc.cmd);
	}
}

static bool check_row(unsigned int i, u64 supported)
{
	const struct xsetbv_row *row = &rows[i];
	const struct xsetbv_result *res = &results[i];
	u8 want = expected_vector(row, supported);
	u64 xcr0 = want == NO_VECTOR ? row_value(row, supported) : base_xcr0(supported);

	if (res->vector != want || res->xcr0_after != xcr0 ||
	    (want != NO_VECTOR && want != UD_VECTOR && res->error_code)) {
		ksft_print_msg("%s: XSETBV(0x%x, 0x%lx): vector %u (error %lu), XCR0 0x%lx\n",
			       row->name, row->index, row_value(row, supported),
			       res->vector, res->error_code, res->xcr0_after);
		ksft_print_msg("%s: want vector %u (error 0), XCR0 0x%lx\n",
			       row->name, want, xcr0);
		return false;
	}
	return true;
}

int main(void)
{
	const struct kvm_cpuid_entry2 *leaf;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	unsigned int i;
	u64 supported;

	setbuf(stdout, NULL);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_IMMEDIATE_EXIT));
	TEST_REQUIRE(kvm_cpu_has(X86_FEATURE_XSAVE));
	ksft_print_header();
	ksft_set_plan(NR_ROWS);

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_exception_handler(vm, GP_VECTOR, guest_fault_handler);
	vm_install_exception_handler(vm, UD_VECTOR, guest_fault_handler);

	/* The guest's CPUID is what libkvm set: KVM_GET_SUPPORTED_CPUID's. */
	leaf = vcpu_get_cpuid_entry(vcpu, 0xd);
	supported = leaf->eax | ((u64)leaf->edx << 32);
	TEST_ASSERT((supported & XF_LEGACY) == XF_LEGACY,
		    "CPUID 0xD.0 0x%lx lacks x87 or SSE", supported);
	ksft_print_msg("CPUID 0xD.0 XCR0 mask 0x%lx\n", supported);
	vcpu_args_set(vcpu, 1, supported);

	run_to_done(vcpu);
	sync_global_from_guest(vm, results);
	for (i = 0; i < NR_ROWS; i++)
		ksft_test_result(check_row(i, supported), "%s\n", rows[i].name);

	kvm_vm_free(vm);
	ksft_finished();
}
