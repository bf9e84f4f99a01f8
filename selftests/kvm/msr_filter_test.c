// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_X86_SET_MSR_FILTER and user-space MSR exits. With exits for the
 * filter only: a denied read of FS_BASE (which the VMCS otherwise lets the
 * guest read without an exit) exits and takes the host's value, a denied
 * write exits and the host's error is #GP, an MSR no one has is #GP
 * without an exit. With every reason: the unknown MSR exits as UNKNOWN, a
 * value the kernel refuses as INVAL (and is not written), and what
 * userspace scribbles over kvm_run besides msr.data and msr.error changes
 * nothing. A filter that allows all ends the exits. Bad filters and bad
 * KVM_ENABLE_CAP arguments are EINVAL (EFAULT for a bad bitmap pointer).
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

#define MSR_NOBODY	0x4b564dffU	/* in KVM's range, defined by no one */
#define FS_VALUE	0x7000ULL
#define HOST_VALUE	0x1234ULL
#define UNKNOWN_VALUE	0x5678ULL
#define SCRIBBLE_VALUE	0xabcULL
#define LSTAR_VALUE	0xffffffff81000000ULL
#define BAD_PAT		0x0007040600070402ULL	/* type 2 in byte 0 */

static int gp_count;

/* RDMSR and WRMSR are two bytes: a #GP skips the instruction. */
static void gp_handler(struct ex_regs *regs)
{
	gp_count++;
	regs->rip += 2;
}

static u64 guest_rdmsr(u32 msr)
{
	u32 a = 0, d = 0;

	asm volatile("rdmsr" : "+a"(a), "+d"(d) : "c"(msr) : "memory");
	return a | (u64)d << 32;
}

static void guest_wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" :: "a"((u32)v), "d"((u32)(v >> 32)), "c"(msr)
		     : "memory");
}

static void guest_main(void)
{
	u64 v;

	/* Stage 1: exits for the filter only. */
	guest_wrmsr(MSR_FS_BASE, FS_VALUE);
	v = guest_rdmsr(MSR_FS_BASE);
	GUEST_ASSERT_2(v == HOST_VALUE && !gp_count, v, gp_count);
	guest_wrmsr(MSR_LSTAR, LSTAR_VALUE);
	GUEST_ASSERT_2(gp_count == 1, gp_count, 0);
	guest_rdmsr(MSR_NOBODY);
	GUEST_ASSERT_2(gp_count == 2, gp_count, 0);
	GUEST_SYNC(1);

	/* Stage 2: every reason exits. */
	gp_count = 0;
	v = guest_rdmsr(MSR_NOBODY);
	GUEST_ASSERT_2(v == UNKNOWN_VALUE && !gp_count, v, gp_count);
	v = guest_rdmsr(MSR_IA32_CR_PAT);
	guest_wrmsr(MSR_IA32_CR_PAT, BAD_PAT);
	GUEST_ASSERT_2(!gp_count, gp_count, 0);
	GUEST_ASSERT_2(guest_rdmsr(MSR_IA32_CR_PAT) == v, v, 0);
	v = guest_rdmsr(MSR_FS_BASE);
	GUEST_ASSERT_2(v == SCRIBBLE_VALUE && !gp_count, v, gp_count);
	GUEST_SYNC(2);

	/* Stage 3: no filter, no exits; FS_BASE is what the guest wrote. */
	v = guest_rdmsr(MSR_FS_BASE);
	GUEST_ASSERT_2(v == FS_VALUE, v, 0);
	guest_wrmsr(MSR_LSTAR, LSTAR_VALUE);
	GUEST_ASSERT_2(!gp_count && guest_rdmsr(MSR_LSTAR) == LSTAR_VALUE,
		       gp_count, 0);
	GUEST_DONE();
}

static u8 deny_bits;	/* one MSR per range, denied */

static struct kvm_msr_filter filter = {
	.flags = KVM_MSR_FILTER_DEFAULT_ALLOW,
	.ranges = {
		{ .flags = KVM_MSR_FILTER_READ, .nmsrs = 1,
		  .base = MSR_FS_BASE, .bitmap = &deny_bits },
		{ .flags = KVM_MSR_FILTER_WRITE, .nmsrs = 1,
		  .base = MSR_LSTAR, .bitmap = &deny_bits },
	},
};

/* Runs to a user-space MSR exit and checks what kvm_run says of it. */
static struct kvm_run *run_to_msr(struct kvm_vcpu *vcpu, u32 exit, u32 index,
				  u32 reason)
{
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	vcpu_run(vcpu);
	if (run->exit_reason == KVM_EXIT_IO &&
	    get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT_2(uc, "values: %#lx, %#lx");
	TEST_ASSERT(run->exit_reason == exit, "exit %u (%s), want %u",
		    run->exit_reason, exit_reason_str(run->exit_reason), exit);
	TEST_ASSERT(run->msr.index == index && run->msr.reason == reason &&
		    !run->msr.error,
		    "MSR exit index %#x reason %u error %u, want %#x reason %u",
		    run->msr.index, run->msr.reason, run->msr.error, index,
		    reason);
	return run;
}

static void test_exits(void)
{
	struct kvm_msr_filter allow = { .flags = KVM_MSR_FILTER_DEFAULT_ALLOW };
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;

	vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_exception_handler(vm, GP_VECTOR, gp_handler);
	vm_enable_cap(vm, KVM_CAP_X86_USER_SPACE_MSR, KVM_MSR_EXIT_REASON_FILTER);
	vm_ioctl(vm, KVM_X86_SET_MSR_FILTER, &filter);

	run = run_to_msr(vcpu, KVM_EXIT_X86_RDMSR, MSR_FS_BASE,
			 KVM_MSR_EXIT_REASON_FILTER);
	run->msr.data = HOST_VALUE;
	run = run_to_msr(vcpu, KVM_EXIT_X86_WRMSR, MSR_LSTAR,
			 KVM_MSR_EXIT_REASON_FILTER);
	ASSERT_EQ(run->msr.data, LSTAR_VALUE);
	run->msr.error = 1;
	run_to(vcpu, 1);
	printf("record filter exits: read value, write error is #GP\n");

	vm_enable_cap(vm, KVM_CAP_X86_USER_SPACE_MSR,
		      KVM_MSR_EXIT_REASON_FILTER | KVM_MSR_EXIT_REASON_UNKNOWN |
		      KVM_MSR_EXIT_REASON_INVAL);
	run = run_to_msr(vcpu, KVM_EXIT_X86_RDMSR, MSR_NOBODY,
			 KVM_MSR_EXIT_REASON_UNKNOWN);
	run->msr.data = UNKNOWN_VALUE;
	run = run_to_msr(vcpu, KVM_EXIT_X86_WRMSR, MSR_IA32_CR_PAT,
			 KVM_MSR_EXIT_REASON_INVAL);
	ASSERT_EQ(run->msr.data, BAD_PAT);
	run = run_to_msr(vcpu, KVM_EXIT_X86_RDMSR, MSR_FS_BASE,
			 KVM_MSR_EXIT_REASON_FILTER);
	/* Only data counts: the rest is the kernel's to remember. */
	run->msr.data = SCRIBBLE_VALUE;
	run->msr.index = MSR_LSTAR;
	run->msr.reason = KVM_MSR_EXIT_REASON_INVAL;
	run->exit_reason = KVM_EXIT_X86_WRMSR;
	run_to(vcpu, 2);
	printf("record unknown and invalid exits; kvm_run scribbles ignored\n");

	vm_ioctl(vm, KVM_X86_SET_MSR_FILTER, &allow);
	run_to(vcpu, RUN_TO_DONE);
	printf("record an allow-all filter ends the exits\n");
	kvm_vm_free(vm);
}

static void expect_einval(struct kvm_vm *vm, struct kvm_msr_filter *f,
			  int err, const char *what)
{
	int r = __vm_ioctl(vm, KVM_X86_SET_MSR_FILTER, f);

	TEST_ASSERT(r == -1 && errno == err, "%s: r %d errno %d, want %d",
		    what, r, errno, err);
}

static void test_negative(void)
{
	static u8 bits[KVM_MSR_FILTER_MAX_BITMAP_SIZE + 8];
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR };
	struct kvm_msr_filter f;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int r;

	vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	memset(&f, 0, sizeof(f));
	f.flags = 2;
	expect_einval(vm, &f, EINVAL, "filter flag bit 1");
	f.flags = KVM_MSR_FILTER_DEFAULT_DENY;
	expect_einval(vm, &f, EINVAL, "deny all, no ranges");
	f.flags = KVM_MSR_FILTER_DEFAULT_ALLOW;
	f.ranges[3] = (struct kvm_msr_filter_range){ .nmsrs = 8, .bitmap = bits };
	expect_einval(vm, &f, EINVAL, "range without flags");
	f.ranges[3].flags = 4;
	expect_einval(vm, &f, EINVAL, "range flag bit 2");
	f.ranges[3].flags = KVM_MSR_FILTER_READ;
	f.ranges[3].nmsrs = (KVM_MSR_FILTER_MAX_BITMAP_SIZE + 8) * 8;
	expect_einval(vm, &f, EINVAL, "bitmap too big");
	f.ranges[3].nmsrs = 0xffffffff;
	expect_einval(vm, &f, EINVAL, "2^32 - 1 MSRs");
	f.ranges[3].nmsrs = 8;
	f.ranges[3].bitmap = (u8 *)8;
	expect_einval(vm, &f, EFAULT, "bitmap at address 8");
	/* The largest bitmap, and a range of no MSRs with bad flags, pass. */
	f.ranges[3].nmsrs = KVM_MSR_FILTER_MAX_BITMAP_SIZE * 8;
	f.ranges[3].bitmap = bits;
	f.ranges[4] = (struct kvm_msr_filter_range){ .flags = 0xff };
	vm_ioctl(vm, KVM_X86_SET_MSR_FILTER, &f);

	cap.args[0] = 1 << 3;
	r = __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
	TEST_ASSERT(r == -1 && errno == EINVAL, "reason bit 3: %d %d", r, errno);
	cap.args[0] = KVM_MSR_EXIT_REASON_FILTER;
	cap.flags = 1;
	r = __vm_ioctl(vm, KVM_ENABLE_CAP, &cap);
	TEST_ASSERT(r == -1 && errno == EINVAL, "cap flags: %d %d", r, errno);
	kvm_vm_free(vm);
	printf("record bad filters and reasons refused as KVM\n");
}

int main(void)
{
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_X86_USER_SPACE_MSR));
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_X86_MSR_FILTER));
	test_exits();
	test_negative();
	return 0;
}
