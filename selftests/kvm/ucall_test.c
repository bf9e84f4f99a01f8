// SPDX-License-Identifier: GPL-2.0
/*
 * libkvm's ucalls, the guest's way to talk to the host test: a guest that
 * syncs twice and finishes, and a guest whose assert fails and must reach
 * the host as UCALL_ABORT with its file, line and values.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

/* The values the host hands the guests in RDI and RSI. */
#define NVMX_SYNC_BASE	0x4000
#define NVMX_ASSERT_A	3
#define NVMX_ASSERT_B	5

static void guest_sync_code(u64 base)
{
	GUEST_SYNC(base + 1);
	GUEST_SYNC(base + 2);
	GUEST_DONE();
}

/*
 * GUEST_ASSERT_2, after telling the host its line: one macro, so that both
 * see the same __LINE__.
 */
#define NVMX_SYNC_LINE_THEN_ASSERT_2(cond, x, y)	\
	do {						\
		GUEST_SYNC(__LINE__);			\
		GUEST_ASSERT_2(cond, x, y);		\
	} while (0)

static void guest_assert_code(u64 a, u64 b)
{
	NVMX_SYNC_LINE_THEN_ASSERT_2(a == b, a, b);
	/* A ucall returns to the guest, even an abort. */
	GUEST_DONE();
}

/* Runs the vCPU to its next ucall and returns it in @uc. */
static u64 nvmx_next_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	struct kvm_run *run = vcpu->run;

	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_IO,
		    "exit reason %u (%s), want KVM_EXIT_IO",
		    run->exit_reason, exit_reason_str(run->exit_reason));
	return get_ucall(vcpu, uc);
}

static void nvmx_expect_sync(struct kvm_vcpu *vcpu, u64 stage)
{
	struct ucall uc;
	u64 cmd = nvmx_next_ucall(vcpu, &uc);

	TEST_ASSERT(cmd == UCALL_SYNC, "ucall %lu, want UCALL_SYNC", cmd);
	/* GUEST_SYNC's first argument is a string in the shared image. */
	TEST_ASSERT(!strcmp((const char *)uc.args[0], "hello"),
		    "sync tag is not \"hello\"");
	TEST_ASSERT(uc.args[1] == stage, "sync stage 0x%lx, want 0x%lx",
		    uc.args[1], stage);
}

static void nvmx_expect_done(struct kvm_vcpu *vcpu)
{
	struct ucall uc;
	u64 cmd = nvmx_next_ucall(vcpu, &uc);

	TEST_ASSERT(cmd == UCALL_DONE, "ucall %lu, want UCALL_DONE", cmd);
}

static void test_sync_and_done(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vm = vm_create_with_one_vcpu(&vcpu, guest_sync_code);
	vcpu_args_set(vcpu, 1, NVMX_SYNC_BASE);
	nvmx_expect_sync(vcpu, NVMX_SYNC_BASE + 1);
	nvmx_expect_sync(vcpu, NVMX_SYNC_BASE + 2);
	nvmx_expect_done(vcpu);
	kvm_vm_free(vm);
}

static void test_assert_is_abort(void)
{
	const char *file, *msg, *want = "Failed guest assert: a == b";
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	u64 cmd, line;

	vm = vm_create_with_one_vcpu(&vcpu, guest_assert_code);
	vcpu_args_set(vcpu, 2, NVMX_ASSERT_A, NVMX_ASSERT_B);

	cmd = nvmx_next_ucall(vcpu, &uc);
	TEST_ASSERT(cmd == UCALL_SYNC, "ucall %lu, want the line's UCALL_SYNC", cmd);
	line = uc.args[1];

	cmd = nvmx_next_ucall(vcpu, &uc);
	TEST_ASSERT(cmd == UCALL_ABORT, "ucall %lu, want UCALL_ABORT", cmd);
	msg = (const char *)uc.args[GUEST_ERROR_STRING];
	file = (const char *)uc.args[GUEST_FILE];
	TEST_ASSERT(!strcmp(msg, want), "abort says \"%s\", want \"%s\"", msg, want);
	TEST_ASSERT(strlen(file) >= strlen("ucall_test.c") &&
		    !strcmp(file + strlen(file) - strlen("ucall_test.c"), "ucall_test.c"),
		    "abort in file %s", file);
	TEST_ASSERT(uc.args[GUEST_LINE] == line, "abort at line %lu, want %lu",
		    uc.args[GUEST_LINE], line);
	TEST_ASSERT(GUEST_ASSERT_ARG(uc, 0) == NVMX_ASSERT_A &&
		    GUEST_ASSERT_ARG(uc, 1) == NVMX_ASSERT_B,
		    "abort values %lu, %lu, want %d, %d",
		    GUEST_ASSERT_ARG(uc, 0), GUEST_ASSERT_ARG(uc, 1),
		    NVMX_ASSERT_A, NVMX_ASSERT_B);

	nvmx_expect_done(vcpu);
	kvm_vm_free(vm);
}

int main(void)
{
	/* The test host prefixes our output line by line: do not buffer it. */
	setbuf(stdout, NULL);
	/*
	 * libkvm checks this only after asserting KVM_CAP_MAX_VCPUS and
	 * KVM_GET_SUPPORTED_CPUID; asked first, a hypervisor without vCPUs
	 * makes this test skip instead of fail.
	 */
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_IMMEDIATE_EXIT));
	ksft_print_header();
	ksft_set_plan(2);
	test_sync_and_done();
	ksft_test_result_pass("sync_and_done\n");
	test_assert_is_abort();
	ksft_test_result_pass("assert_is_abort\n");
	ksft_finished();
}
