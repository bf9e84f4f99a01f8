// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CAP_SYNC_REGS for the register sets nvmx carries in kvm_run
 * (KVM_SYNC_X86_REGS, KVM_SYNC_X86_SREGS and KVM_SYNC_X86_EVENTS):
 *  - kvm_valid_regs: each exit leaves KVM_GET_REGS', KVM_GET_SREGS' and
 *    KVM_GET_VCPU_EVENTS' values in kvm_run.s.regs;
 *  - kvm_dirty_regs: KVM_RUN takes them from kvm_run first, and clears
 *    the bits it took;
 *  - unknown bits in either, or sregs KVM_SET_SREGS (events
 *    KVM_SET_VCPU_EVENTS) refuses, make KVM_RUN fail with EINVAL.
 * The guest counts in R11 between two OUTs to port 0x90.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

#define SYNC_RS		(KVM_SYNC_X86_REGS | KVM_SYNC_X86_SREGS)
#define SYNC_ALL	(SYNC_RS | KVM_SYNC_X86_EVENTS)

/* The guest: R11 counts the OUTs. */
static void __attribute__((naked)) guest_loop(void)
{
	asm volatile("1:	inc %r11\n"
		     "	out %al, $0x90\n"
		     "	jmp 1b\n");
}

static void run_out(struct kvm_vcpu *vcpu, const char *what)
{
	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO &&
		    vcpu->run->io.port == 0x90,
		    "%s: exit %u (%s) port 0x%x", what, vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason), vcpu->run->io.port);
}

static void expect_run_einval(struct kvm_vcpu *vcpu, u64 valid, u64 dirty,
			      const char *name)
{
	struct kvm_run *run = vcpu->run;
	int r;

	run->kvm_valid_regs = valid;
	run->kvm_dirty_regs = dirty;
	r = __vcpu_run(vcpu);
	TEST_ASSERT(r == -1 && errno == EINVAL, "%s: KVM_RUN %d errno %d",
		    name, r, errno);
	run->kvm_valid_regs = 0;
	run->kvm_dirty_regs = 0;
	ksft_test_result_pass("%s\n", name);
}

int main(void)
{
	struct kvm_regs regs;
	struct kvm_vcpu_events events;
	struct kvm_sregs sregs;
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	int cap;

	setbuf(stdout, NULL);
	cap = kvm_check_cap(KVM_CAP_SYNC_REGS);
	TEST_REQUIRE((cap & SYNC_ALL) == SYNC_ALL);
	ksft_print_header();
	ksft_set_plan(9);

	vm = vm_create_with_one_vcpu(&vcpu, guest_loop);
	run = vcpu->run;

	expect_run_einval(vcpu, BIT(5), 0, "invalid_valid_bit_einval");
	expect_run_einval(vcpu, 0, BIT(5), "invalid_dirty_bit_einval");
	/* The same three sets as kvm_intel: nothing more. */
	TEST_ASSERT(cap == SYNC_ALL, "KVM_CAP_SYNC_REGS 0x%x", cap);
	ksft_test_result_pass("cap_is_regs_sregs_events\n");

	run->kvm_valid_regs = SYNC_RS;
	run_out(vcpu, "first OUT");
	vcpu_regs_get(vcpu, &regs);
	vcpu_sregs_get(vcpu, &sregs);
	TEST_ASSERT(!memcmp(&regs, &run->s.regs.regs, sizeof(regs)),
		    "s.regs.regs differs from KVM_GET_REGS");
	TEST_ASSERT(!memcmp(&sregs, &run->s.regs.sregs, sizeof(sregs)),
		    "s.regs.sregs differs from KVM_GET_SREGS");
	TEST_ASSERT(regs.r11 == 1, "R11 %llu after one loop", regs.r11);
	ksft_test_result_pass("valid_regs_copied_out\n");

	/* R11 and CR2 from kvm_run: one more loop counts from there. */
	run->s.regs.regs.r11 = 0x1000;
	run->s.regs.sregs.cr2 = 0xabc000;
	run->kvm_dirty_regs = SYNC_RS;
	run_out(vcpu, "second OUT");
	TEST_ASSERT(run->kvm_dirty_regs == 0, "kvm_dirty_regs 0x%llx after KVM_RUN",
		    run->kvm_dirty_regs);
	TEST_ASSERT(run->s.regs.regs.r11 == 0x1001, "s.regs R11 0x%llx",
		    run->s.regs.regs.r11);
	vcpu_regs_get(vcpu, &regs);
	vcpu_sregs_get(vcpu, &sregs);
	TEST_ASSERT(regs.r11 == 0x1001 && sregs.cr2 == 0xabc000,
		    "R11 0x%llx CR2 0x%llx after dirty regs", regs.r11,
		    sregs.cr2);
	ksft_test_result_pass("dirty_regs_taken_and_cleared\n");

	/* Without kvm_dirty_regs, kvm_run's copy is not taken. */
	run->s.regs.regs.r11 = 0x5000;
	run->kvm_valid_regs = 0;
	run_out(vcpu, "third OUT");
	vcpu_regs_get(vcpu, &regs);
	TEST_ASSERT(regs.r11 == 0x1002, "R11 0x%llx: kvm_run's copy was taken",
		    regs.r11);
	TEST_ASSERT(run->s.regs.regs.r11 == 0x5000,
		    "s.regs written without kvm_valid_regs");
	ksft_test_result_pass("clean_regs_ignored\n");

	/* Sregs KVM_SET_SREGS refuses: CR0.PG without CR0.PE. */
	run->kvm_valid_regs = SYNC_RS;
	run_out(vcpu, "fourth OUT");
	run->s.regs.sregs.cr0 = (run->s.regs.sregs.cr0 | X86_CR0_PG) & ~X86_CR0_PE;
	expect_run_einval(vcpu, SYNC_RS, KVM_SYNC_X86_SREGS, "bad_sregs_einval");
	vcpu_sregs_get(vcpu, &sregs);
	TEST_ASSERT(sregs.cr0 & X86_CR0_PE, "bad sregs were applied");
	run_out(vcpu, "after bad sregs");
	ksft_test_result_pass("runs_after_bad_sregs\n");

	/* Events: out as KVM_GET_VCPU_EVENTS, in through its checks. */
	run->kvm_valid_regs = SYNC_ALL;
	run_out(vcpu, "events OUT");
	vcpu_events_get(vcpu, &events);
	TEST_ASSERT(!memcmp(&events, &run->s.regs.events, sizeof(events)),
		    "s.regs.events differs from KVM_GET_VCPU_EVENTS");
	run->s.regs.events.flags = 0;
	run->s.regs.events.nmi.pending = 1;
	run->kvm_dirty_regs = KVM_SYNC_X86_EVENTS;
	run_out(vcpu, "events dirty OUT");
	TEST_ASSERT(run->kvm_dirty_regs == 0, "kvm_dirty_regs 0x%llx",
		    run->kvm_dirty_regs);
	/* Without VALID_NMI_PENDING the pending NMI is not taken. */
	vcpu_events_get(vcpu, &events);
	TEST_ASSERT(!events.nmi.pending, "nmi.pending taken without its flag");
	run->s.regs.events.flags = 1u << 31;
	expect_run_einval(vcpu, SYNC_ALL, KVM_SYNC_X86_EVENTS,
			  "bad_events_einval");

	kvm_vm_free(vm);
	ksft_finished();
}
