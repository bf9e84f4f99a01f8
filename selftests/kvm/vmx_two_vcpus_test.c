// SPDX-License-Identifier: GPL-2.0
/*
 * Two L1 vCPUs of one VM, each in its own thread, each running its own L2
 * at the same time: NR_ROUNDS VMCALL round trips each, with every exit
 * checked to be that vCPU's (its VMCS current, its L2's stack, its L2's
 * count), then a ucall from each L2 straight to userspace, on the vCPU
 * that made it, and one more VMCALL back to its L1.
 */
#include <pthread.h>

#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define NR_VCPUS	2
#define NR_ROUNDS	200
#define L2_STACK_WORDS	512

static u64 l2_stacks[NR_VCPUS][L2_STACK_WORDS] __aligned(16);
static u64 l2_calls[NR_VCPUS];
static u64 l2_synced[NR_VCPUS];

static void l2_body(unsigned int id)
{
	while (l2_calls[id] < NR_ROUNDS) {
		l2_calls[id]++;
		l2_vmcall();
	}
	GUEST_SYNC(id);
	l2_synced[id] = 1;
	l2_vmcall();
	GUEST_ASSERT(0);
}

static void l2_code0(void)
{
	l2_body(0);
}

static void l2_code1(void)
{
	l2_body(1);
}

static void (* const l2_codes[NR_VCPUS])(void) = { l2_code0, l2_code1 };

static void l1_code(struct vmx_pages *vmx, u64 id)
{
	u64 lo = (u64)l2_stacks[id], hi = (u64)l2_stacks[id + 1], rsp, i;

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_codes[id], &l2_stacks[id][L2_STACK_WORDS - 1]);
	GUEST_ASSERT(vmx_proc_update(0, CPU_BASED_UNCOND_IO_EXITING |
				     CPU_BASED_USE_IO_BITMAPS));
	GUEST_ASSERT_2(!vmlaunch(), id, vmreadz(VM_INSTRUCTION_ERROR));
	for (i = 0; i <= NR_ROUNDS; i++) {
		GUEST_ASSERT_3(vmreadz(VM_EXIT_REASON) == EXIT_REASON_VMCALL, id, i,
			       vmreadz(VM_EXIT_REASON));
		GUEST_ASSERT_3(vmptrstz() == vmx->vmcs_gpa, id, i, vmptrstz());
		rsp = vmreadz(GUEST_RSP);
		GUEST_ASSERT_3(rsp >= lo && rsp < hi, id, i, rsp);
		GUEST_ASSERT_3(l2_calls[id] == (i < NR_ROUNDS ? i + 1 : NR_ROUNDS), id, i,
			       l2_calls[id]);
		if (i == NR_ROUNDS)
			break;
		GUEST_ASSERT(!vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) +
				      vmreadz(VM_EXIT_INSTRUCTION_LEN)));
		GUEST_ASSERT_3(!vmresume(), id, i, vmreadz(VM_INSTRUCTION_ERROR));
	}
	GUEST_ASSERT_1(l2_synced[id], id);
	GUEST_DONE();
}

struct vcpu_thread {
	struct kvm_vcpu *vcpu;
	unsigned int id;
	pthread_t thread;
	bool synced, done;
};

static pthread_barrier_t start;

static void *vcpu_thread(void *arg)
{
	struct vcpu_thread *t = arg;
	struct kvm_regs regs;
	struct ucall uc;
	u64 lo = (u64)l2_stacks[t->id], hi = (u64)l2_stacks[t->id + 1];

	pthread_barrier_wait(&start);
	while (!t->done) {
		vcpu_run(t->vcpu);
		TEST_ASSERT(t->vcpu->run->exit_reason == KVM_EXIT_IO,
			    "vCPU %u: exit reason %u (%s)", t->id, t->vcpu->run->exit_reason,
			    exit_reason_str(t->vcpu->run->exit_reason));
		switch (get_ucall(t->vcpu, &uc)) {
		case UCALL_SYNC:
			TEST_ASSERT(uc.args[1] == t->id && !t->synced,
				    "vCPU %u: sync from L2 %lu", t->id, uc.args[1]);
			vcpu_regs_get(t->vcpu, &regs);
			TEST_ASSERT(regs.rsp >= lo && regs.rsp < hi,
				    "vCPU %u: ucall RSP 0x%llx not on its L2 stack", t->id,
				    regs.rsp);
			t->synced = true;
			break;
		case UCALL_DONE:
			t->done = true;
			break;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT_3(uc, "values: %#lx, %#lx, %#lx");
			break;
		default:
			TEST_FAIL("vCPU %u: unexpected ucall %lu", t->id, uc.cmd);
		}
	}
	return NULL;
}

int main(void)
{
	struct kvm_vcpu *vcpus[NR_VCPUS];
	struct vcpu_thread threads[NR_VCPUS];
	vm_vaddr_t vmx_gva;
	struct kvm_vm *vm;
	unsigned int i;

	setbuf(stdout, NULL);
	require_nested_vmx();
	ksft_print_header();
	ksft_set_plan(NR_VCPUS);

	vm = vm_create_with_vcpus(NR_VCPUS, l1_code, vcpus);
	pthread_barrier_init(&start, NULL, NR_VCPUS);
	for (i = 0; i < NR_VCPUS; i++) {
		vcpu_alloc_vmx(vm, &vmx_gva);
		vcpu_args_set(vcpus[i], 2, vmx_gva, (u64)i);
		threads[i] = (struct vcpu_thread){ .vcpu = vcpus[i], .id = i };
	}
	for (i = 0; i < NR_VCPUS; i++)
		TEST_ASSERT(!pthread_create(&threads[i].thread, NULL, vcpu_thread,
					    &threads[i]), "pthread_create");
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(threads[i].thread, NULL);
	for (i = 0; i < NR_VCPUS; i++)
		result(threads[i].synced && threads[i].done,
		       "vcpu%u_l2_round_trips_and_ucall\n", i);
	kvm_vm_free(vm);
	results_done();
	return 0;
}
