// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_XCRS and KVM_SET_XCRS: XCR0 set by userspace is what the
 * guest's XGETBV reads, XCR0 set by the guest's XSETBV is what userspace
 * reads; KVM_SET_XCRS refuses, with EINVAL and nothing changed, every
 * value XSETBV would #GP on, non-zero flags and too many entries, and
 * skips entries for other XCRs.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

#define XF_FP		BIT_ULL(0)
#define XF_SSE		BIT_ULL(1)
#define XF_YMM		BIT_ULL(2)
#define XF_OPMASK	BIT_ULL(5)

static u64 xgetbv0(void)
{
	u32 eax, edx;

	asm volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
	return eax | ((u64)edx << 32);
}

static void guest_code(void)
{
	GUEST_SYNC_ARGS(1, xgetbv0(), 0, 0, 0);
	asm volatile("xsetbv" : : "a"((u32)(XF_FP | XF_SSE)), "d"(0), "c"(0));
	GUEST_SYNC_ARGS(2, xgetbv0(), 0, 0, 0);
	GUEST_DONE();
}

static u64 run_sync(struct kvm_vcpu *vcpu, u64 stage)
{
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
		    "exit reason %u (%s)", vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		TEST_ASSERT(uc.args[1] == stage, "stage %lu, want %lu",
			    uc.args[1], stage);
		return uc.args[2];
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	case UCALL_UNHANDLED:
		TEST_FAIL("guest got unexpected vector %lu", uc.args[0]);
		break;
	default:
		TEST_FAIL("unexpected ucall %lu", uc.cmd);
	}
	return 0;
}

static u64 get_xcr0(struct kvm_vcpu *vcpu)
{
	struct kvm_xcrs x;

	memset(&x, 0xcc, sizeof(x));
	vcpu_xcrs_get(vcpu, &x);
	TEST_ASSERT(x.nr_xcrs == 1 && x.flags == 0 && x.xcrs[0].xcr == 0,
		    "KVM_GET_XCRS: nr %u flags 0x%x xcr %u", x.nr_xcrs, x.flags,
		    x.xcrs[0].xcr);
	return x.xcrs[0].value;
}

static int set_xcrs(struct kvm_vcpu *vcpu, struct kvm_xcrs *x)
{
	return __vcpu_ioctl(vcpu, KVM_SET_XCRS, x) ? errno : 0;
}

static void one_xcr0(struct kvm_xcrs *x, u64 value)
{
	memset(x, 0, sizeof(*x));
	x->nr_xcrs = 1;
	x->xcrs[0].xcr = 0;
	x->xcrs[0].value = value;
}

static void expect_einval(struct kvm_vcpu *vcpu, struct kvm_xcrs *x,
			  const char *name)
{
	u64 before = get_xcr0(vcpu);
	int e = set_xcrs(vcpu, x);

	TEST_ASSERT(e == EINVAL, "%s: errno %d, want EINVAL", name, e);
	TEST_ASSERT(get_xcr0(vcpu) == before, "%s changed XCR0", name);
	ksft_test_result_pass("%s\n", name);
}

int main(void)
{
	const struct kvm_cpuid_entry2 *leaf;
	struct kvm_vcpu *vcpu;
	struct kvm_sregs sregs;
	struct kvm_xcrs x;
	struct kvm_vm *vm;
	u64 supported, want, got, bad;

	setbuf(stdout, NULL);
	TEST_REQUIRE(kvm_cpu_has(X86_FEATURE_XSAVE));
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_XCRS));
	ksft_print_header();
	ksft_set_plan(on_nvmx() ? 12 : 11);

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	leaf = vcpu_get_cpuid_entry(vcpu, 0xd);
	supported = leaf->eax | ((u64)leaf->edx << 32);
	vcpu_sregs_get(vcpu, &sregs);
	sregs.cr4 |= X86_CR4_OSXSAVE;
	vcpu_sregs_set(vcpu, &sregs);

	TEST_ASSERT(get_xcr0(vcpu) == XF_FP, "reset XCR0 0x%lx", get_xcr0(vcpu));
	ksft_test_result_pass("reset_xcr0_x87\n");

	want = XF_FP | XF_SSE | (supported & XF_YMM);
	one_xcr0(&x, want);
	TEST_ASSERT(!set_xcrs(vcpu, &x), "KVM_SET_XCRS 0x%lx", want);
	TEST_ASSERT(get_xcr0(vcpu) == want, "XCR0 0x%lx after set 0x%lx",
		    get_xcr0(vcpu), want);
	ksft_test_result_pass("set_get_round_trip\n");

	/* An entry for another XCR is skipped; XCR0 after it still counts. */
	memset(&x, 0, sizeof(x));
	x.nr_xcrs = 2;
	x.xcrs[0].xcr = 1;
	x.xcrs[0].value = ~0ULL;
	x.xcrs[1].xcr = 0;
	x.xcrs[1].value = want;
	TEST_ASSERT(!set_xcrs(vcpu, &x), "KVM_SET_XCRS with XCR1 first");
	TEST_ASSERT(get_xcr0(vcpu) == want, "XCR0 0x%lx", get_xcr0(vcpu));
	ksft_test_result_pass("other_xcr_skipped\n");

	got = run_sync(vcpu, 1);
	TEST_ASSERT(got == want, "guest XGETBV 0x%lx, want 0x%lx", got, want);
	ksft_test_result_pass("guest_reads_set_xcrs\n");
	got = run_sync(vcpu, 2);
	TEST_ASSERT(got == (XF_FP | XF_SSE), "guest XGETBV after XSETBV 0x%lx",
		    got);
	TEST_ASSERT(get_xcr0(vcpu) == (XF_FP | XF_SSE), "XCR0 0x%lx after XSETBV",
		    get_xcr0(vcpu));
	ksft_test_result_pass("get_xcrs_reads_guest_xsetbv\n");

	one_xcr0(&x, 0);
	expect_einval(vcpu, &x, "zero_einval");
	one_xcr0(&x, XF_SSE);
	expect_einval(vcpu, &x, "no_x87_einval");
	one_xcr0(&x, XF_FP | XF_YMM);
	expect_einval(vcpu, &x, "ymm_without_sse_einval");
	/* The lowest bit the guest's CPUID does not offer, or bit 63. */
	bad = ~supported & (XF_OPMASK | BIT_ULL(9) | BIT_ULL(63));
	one_xcr0(&x, XF_FP | XF_SSE | (bad & -bad));
	expect_einval(vcpu, &x, "unsupported_bit_einval");
	one_xcr0(&x, XF_FP | XF_SSE);
	x.flags = 1;
	expect_einval(vcpu, &x, "flags_einval");
	one_xcr0(&x, XF_FP | XF_SSE);
	x.nr_xcrs = KVM_MAX_XCRS + 1;
	expect_einval(vcpu, &x, "too_many_einval");
	/* nvmx only: KVM ignores the padding. */
	if (on_nvmx()) {
		one_xcr0(&x, XF_FP | XF_SSE);
		x.padding[3] = 1;
		expect_einval(vcpu, &x, "padding_einval");
	}

	kvm_vm_free(vm);
	ksft_finished();
}
