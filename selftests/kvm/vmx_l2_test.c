// SPDX-License-Identifier: GPL-2.0
/*
 * L2 round trips: L1 launches L2, which makes NR_VMCALLS VMCALLs, each an
 * exit to L1 with reason 18 and instruction length 3 that L1 resumes past.
 * Then L2 makes a GUEST_SYNC ucall (port I/O L1 does not intercept): it must
 * reach userspace directly, with L2 running and L1 not involved, and the
 * next KVM_RUN must continue L2, which sees what userspace wrote and makes
 * one more VMCALL back to L1.
 */
#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define NR_VMCALLS	10
#define L2_STACK_WORDS	512
#define HOST_TOKEN	0x5eed1e55ull

static u64 l2_stack[L2_STACK_WORDS] __aligned(16);

/* Shared by L1, L2 and the host (the same addresses in all three). */
static u64 l2_calls;		/* L2: VMCALLs made */
static u64 l1_exits;		/* L1: exits handled */
static u64 exits_before_sync, exits_after_sync;
static u64 host_token;		/* written by the host at the sync */
static u64 token_seen;

static void l2_code(void)
{
	while (l2_calls < NR_VMCALLS) {
		l2_calls++;
		l2_vmcall();
	}
	exits_before_sync = l1_exits;
	GUEST_SYNC(1);
	exits_after_sync = l1_exits;
	token_seen = host_token;
	l2_vmcall();
	/* L1 does not resume L2 after this one. */
	GUEST_ASSERT(0);
}

static void l1_code(struct vmx_pages *vmx)
{
	u64 reason, len, i;

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	/* RSP as after a CALL, so L2's code finds the stack it expects. */
	prepare_vmcs(vmx, l2_code, &l2_stack[L2_STACK_WORDS - 1]);
	/* No I/O exits: L2's ucall must not come to L1. */
	GUEST_ASSERT(vmx_proc_update(0, CPU_BASED_UNCOND_IO_EXITING |
				     CPU_BASED_USE_IO_BITMAPS));

	GUEST_ASSERT_1(!vmlaunch(), vmreadz(VM_INSTRUCTION_ERROR));
	for (i = 0; i <= NR_VMCALLS; i++) {
		l1_exits++;
		reason = vmreadz(VM_EXIT_REASON);
		len = vmreadz(VM_EXIT_INSTRUCTION_LEN);
		GUEST_ASSERT_2(reason == EXIT_REASON_VMCALL, i, reason);
		GUEST_ASSERT_2(len == 3, i, len);
		/* One exit per VMCALL: L2 counted this one before it. */
		GUEST_ASSERT_2(l2_calls == (i < NR_VMCALLS ? i + 1 : NR_VMCALLS), i, l2_calls);
		if (i == NR_VMCALLS)
			break;
		GUEST_ASSERT(!vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) + len));
		/*
		 * From the second exit on, L1 comes back with a usable SS (its
		 * DS selector): the exit must give it a read/write data
		 * segment, or entering L1 again fails.
		 */
		if (i == 0)
			GUEST_ASSERT(!vmwrite(HOST_SS_SELECTOR, get_ds()));
		GUEST_ASSERT_2(!vmresume(), i, vmreadz(VM_INSTRUCTION_ERROR));
	}
	GUEST_ASSERT_2(exits_before_sync == NR_VMCALLS, exits_before_sync, NR_VMCALLS);
	GUEST_ASSERT_2(exits_after_sync == exits_before_sync, exits_after_sync,
		       exits_before_sync);
	GUEST_ASSERT_1(token_seen == HOST_TOKEN, token_seen);
	GUEST_DONE();
}

int main(void)
{
	vm_vaddr_t vmx_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_regs regs;
	struct kvm_vm *vm;
	struct ucall uc;
	u64 lo, hi;
	bool synced = false;

	setbuf(stdout, NULL);
	require_nested_vmx();
	ksft_print_header();
	ksft_set_plan(2);

	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);

	for (;;) {
		vcpu_run(vcpu);
		TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
			    "exit reason %u (%s), want KVM_EXIT_IO",
			    vcpu->run->exit_reason, exit_reason_str(vcpu->run->exit_reason));
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			TEST_ASSERT(!synced, "second GUEST_SYNC");
			synced = true;
			/* The ucall was L2's: RSP is on L2's stack. */
			vcpu_regs_get(vcpu, &regs);
			lo = (u64)l2_stack;
			hi = (u64)&l2_stack[L2_STACK_WORDS];
			result(regs.rsp >= lo && regs.rsp < hi,
			       "l2_ucall_reaches_userspace (rsp 0x%llx, L2 stack 0x%lx-0x%lx)\n",
			       regs.rsp, lo, hi);
			*(u64 *)addr_gva2hva(vm, (vm_vaddr_t)&host_token) = HOST_TOKEN;
			break;
		case UCALL_DONE:
			result(synced, "l2_vmcall_round_trips\n");
			kvm_vm_free(vm);
			results_done();
			return 0;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT_2(uc, "values: %#lx, %#lx");
			break;
		default:
			TEST_FAIL("unexpected ucall %lu", uc.cmd);
		}
	}
}
