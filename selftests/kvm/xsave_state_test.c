// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_XSAVE, KVM_GET_XSAVE2 and KVM_SET_XSAVE, both ways: the guest
 * loads x87, XMM and YMM registers and userspace finds them in the XSAVE
 * image; userspace changes the image and the guest reads the new values.
 * Then the images KVM_SET_XSAVE must refuse (EINVAL, state unchanged):
 * an XSTATE_BV bit nothing supports, a compacted XCOMP_BV, reserved
 * header bytes, reserved MXCSR bits.
 *
 * Registers 12-15 only: the guest's C code (ucall) may use the others.
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

/* Offsets in the standard-format XSAVE area (SDM 13.4). */
#define OFF_FCW		0
#define OFF_MXCSR	24
#define OFF_ST0		32
#define OFF_XMM(n)	(160 + 16 * (n))
#define OFF_XSTATE_BV	512
#define OFF_XCOMP_BV	520
#define OFF_HDR_RSVD	528

static const u8 pat_a[32] = {
	0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef,
	0x10, 0x32, 0x54, 0x76, 0x98, 0xba, 0xdc, 0xfe,
	0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88,
	0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x00,
};

static const u8 pat_b[32] = {
	0xa5, 0x5a, 0xc3, 0x3c, 0x96, 0x69, 0x0f, 0xf0,
	0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde, 0xf1,
	0xde, 0xad, 0xbe, 0xef, 0xca, 0xfe, 0xba, 0xbe,
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
};

/* 80-bit pi (what FLDPI loads) and 2.0, little-endian. */
static const u8 x87_pi[10] = {
	0x35, 0xc2, 0x68, 0x21, 0xa2, 0xda, 0x0f, 0xc9, 0x00, 0x40,
};

static const u8 x87_two[10] = {
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80, 0x00, 0x40,
};

static const u8 zero16[16];

/* What the guest read after userspace's KVM_SET_XSAVE. */
static u8 out_xmm14[16], out_ymm15[32], out_st0[10];

static void guest_code(u64 xcr0)
{
	set_cr4(get_cr4() | X86_CR4_OSXSAVE);
	asm volatile("xsetbv" : : "a"((u32)xcr0), "d"((u32)(xcr0 >> 32)),
		     "c"(0));
	asm volatile("movdqu %0, %%xmm12" : : "m"(pat_a[0]));
	if (xcr0 & XF_YMM)
		asm volatile("vmovdqu %0, %%ymm13" : : "m"(pat_b[0]));
	asm volatile("fninit; fld1; fldpi");
	GUEST_SYNC(1);
	asm volatile("movdqu %%xmm14, %0" : "=m"(out_xmm14[0]));
	if (xcr0 & XF_YMM)
		asm volatile("vmovdqu %%ymm15, %0" : "=m"(out_ymm15[0]));
	asm volatile("fstpt %0" : "=m"(out_st0[0]));
	GUEST_DONE();
}

static void run_expect(struct kvm_vcpu *vcpu, u64 cmd)
{
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
		    "exit reason %u (%s)", vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	case UCALL_UNHANDLED:
		TEST_FAIL("guest got unexpected vector %lu", uc.args[0]);
		break;
	default:
		TEST_ASSERT(uc.cmd == cmd, "ucall %lu, want %lu", uc.cmd, cmd);
	}
}

static u64 get64(const u8 *img, unsigned int off)
{
	u64 v;

	memcpy(&v, img + off, sizeof(v));
	return v;
}

static void put64(u8 *img, unsigned int off, u64 v)
{
	memcpy(img + off, &v, sizeof(v));
}

/* KVM_SET_XSAVE of @img must fail with EINVAL and change nothing. */
static void expect_einval(struct kvm_vcpu *vcpu, const u8 *good,
			  struct kvm_xsave *img,
			  const char *what)
{
	struct kvm_xsave after;
	int r;

	r = __vcpu_ioctl(vcpu, KVM_SET_XSAVE, img);
	TEST_ASSERT(r == -1 && errno == EINVAL,
		    "KVM_SET_XSAVE with %s: %d errno %d, want EINVAL", what, r,
		    errno);
	vcpu_xsave_get(vcpu, &after);
	TEST_ASSERT(!memcmp(&after, good, sizeof(after)),
		    "KVM_SET_XSAVE with %s changed the state", what);
	ksft_test_result_pass("set_xsave_%s_einval\n", what);
}

static void negatives(struct kvm_vcpu *vcpu, const struct kvm_xsave *good)
{
	struct kvm_xsave bad;

	memcpy(&bad, good, sizeof(bad));
	put64((u8 *)&bad, OFF_XSTATE_BV, get64((u8 *)good, OFF_XSTATE_BV) |
	      BIT_ULL(63));
	expect_einval(vcpu, (const u8 *)good, &bad, "xstate_bv_bit63");

	memcpy(&bad, good, sizeof(bad));
	put64((u8 *)&bad, OFF_XCOMP_BV, BIT_ULL(63) | XF_FP | XF_SSE);
	expect_einval(vcpu, (const u8 *)good, &bad, "xcomp_bv");

	memcpy(&bad, good, sizeof(bad));
	((u8 *)&bad)[OFF_HDR_RSVD + 5] = 1;
	expect_einval(vcpu, (const u8 *)good, &bad, "header_reserved");

	memcpy(&bad, good, sizeof(bad));
	bad.region[OFF_MXCSR / 4] |= BIT(31);
	expect_einval(vcpu, (const u8 *)good, &bad, "mxcsr_reserved");
}

int main(void)
{
	const struct kvm_cpuid_entry2 *leaf;
	struct kvm_xsave *img, *img2;
	u32 eax, ebx, ecx, edx, ymm_off = 0;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	u64 supported, xcr0, bv;
	u8 *p;
	int size;

	setbuf(stdout, NULL);
	TEST_REQUIRE(kvm_cpu_has(X86_FEATURE_XSAVE));
	ksft_print_header();
	ksft_set_plan(9);

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	TEST_ASSERT(kvm_has_cap(KVM_CAP_XSAVE), "KVM_CAP_XSAVE is 0");
	size = vm_check_cap(vm, KVM_CAP_XSAVE2);
	TEST_ASSERT(size >= (int)sizeof(struct kvm_xsave),
		    "KVM_CAP_XSAVE2 %d, want >= %zu", size,
		    sizeof(struct kvm_xsave));
	leaf = vcpu_get_cpuid_entry(vcpu, 0xd);
	supported = leaf->eax | ((u64)leaf->edx << 32);
	xcr0 = XF_FP | XF_SSE | (supported & XF_YMM);
	if (xcr0 & XF_YMM) {
		__cpuid(0xd, 2, &eax, &ebx, &ecx, &edx);
		ymm_off = ebx;
		TEST_ASSERT(eax == 256 && ebx + 256 <= sizeof(struct kvm_xsave),
			    "CPUID 0xD.2: size %u offset %u", eax, ebx);
	}
	ksft_print_msg("XCR0 0x%lx, KVM_CAP_XSAVE2 %d, YMM at %u\n", xcr0,
		       size, ymm_off);
	vcpu_args_set(vcpu, 1, xcr0);

	/* The guest's registers in the image. */
	run_expect(vcpu, UCALL_SYNC);
	img = calloc(1, size);
	img2 = calloc(1, size);
	TEST_ASSERT(img && img2, "calloc");
	vcpu_xsave_get(vcpu, img);
	p = (u8 *)img;
	bv = get64(p, OFF_XSTATE_BV);
	TEST_ASSERT((bv & xcr0) == xcr0, "XSTATE_BV 0x%lx lacks 0x%lx", bv,
		    xcr0);
	TEST_ASSERT(!get64(p, OFF_XCOMP_BV), "XCOMP_BV 0x%lx",
		    get64(p, OFF_XCOMP_BV));
	TEST_ASSERT(!memcmp(p + OFF_XMM(12), pat_a, 16), "XMM12 not the guest's");
	TEST_ASSERT(!memcmp(p + OFF_ST0, x87_pi, 10), "ST0 is not pi");
	TEST_ASSERT(!memcmp(p + OFF_ST0 + 16, "\0\0\0\0\0\0\0\x80\xff\x3f", 10),
		    "ST1 is not 1.0");
	if (xcr0 & XF_YMM) {
		TEST_ASSERT(!memcmp(p + OFF_XMM(13), pat_b, 16),
			    "YMM13 low half not the guest's");
		TEST_ASSERT(!memcmp(p + ymm_off + 16 * 13, pat_b + 16, 16),
			    "YMM13 high half not the guest's");
	}
	ksft_test_result_pass("get_xsave_guest_state\n");

	/* KVM_GET_XSAVE2 with the size the capability gave: the same image. */
	memset(img2, 0xcc, size);
	vcpu_xsave2_get(vcpu, img2);
	TEST_ASSERT(!memcmp(img, img2, sizeof(struct kvm_xsave)),
		    "KVM_GET_XSAVE2 differs from KVM_GET_XSAVE");
	ksft_test_result_pass("get_xsave2_same_image\n");

	/* Userspace's values reach the guest. */
	memcpy(p + OFF_XMM(14), pat_b, 16);
	memcpy(p + OFF_ST0, x87_two, 10);
	if (xcr0 & XF_YMM) {
		memcpy(p + OFF_XMM(15), pat_a, 16);
		memcpy(p + ymm_off + 16 * 15, pat_a + 16, 16);
	}
	vcpu_xsave_set(vcpu, img);
	vcpu_xsave_get(vcpu, img2);
	TEST_ASSERT(!memcmp(img, img2, sizeof(struct kvm_xsave)),
		    "KVM_GET_XSAVE after KVM_SET_XSAVE differs");
	ksft_test_result_pass("set_xsave_round_trip\n");

	negatives(vcpu, img);

	run_expect(vcpu, UCALL_DONE);
	sync_global_from_guest(vm, out_xmm14);
	sync_global_from_guest(vm, out_ymm15);
	sync_global_from_guest(vm, out_st0);
	TEST_ASSERT(!memcmp(out_xmm14, pat_b, 16), "guest XMM14 not userspace's");
	TEST_ASSERT(!memcmp(out_st0, x87_two, 10), "guest ST0 not 2.0");
	if (xcr0 & XF_YMM)
		TEST_ASSERT(!memcmp(out_ymm15, pat_a, 32),
			    "guest YMM15 not userspace's");
	ksft_test_result_pass("guest_reads_set_xsave\n");

	/* XSTATE_BV 0: every component back to its initial state. */
	memset(img, 0, size);
	vcpu_xsave_set(vcpu, img);
	vcpu_xsave_get(vcpu, img2);
	p = (u8 *)img2;
	TEST_ASSERT(!memcmp(p + OFF_XMM(14), zero16, 16) &&
		    img2->region[OFF_MXCSR / 4] == 0x1f80 &&
		    (img2->region[OFF_FCW / 4] & 0xffff) == 0x37f,
		    "XSTATE_BV 0 did not give the initial state: MXCSR 0x%x FCW 0x%x",
		    img2->region[OFF_MXCSR / 4], img2->region[OFF_FCW / 4] & 0xffff);
	ksft_test_result_pass("set_xsave_init_state\n");

	free(img);
	free(img2);
	kvm_vm_free(vm);
	ksft_finished();
}
