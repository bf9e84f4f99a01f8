// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_VAPIC_ADDR, as QEMU uses it: 0 (what its APIC reset sets, and
 * QEMU aborts when that fails) is accepted with the in-kernel APIC, every
 * time; an address in no memory slot is EINVAL; a bad pointer EFAULT;
 * without the in-kernel APIC EINVAL whatever the argument. An address in
 * guest memory is taken by kvm_intel and EINVAL on nvmx, which keeps no
 * vAPIC page (Documentation/api.md). Runs on kvm_intel and on nvmx.
 */
#define _GNU_SOURCE	/* program_invocation_name */
#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

static int set_vapic(struct kvm_vcpu *vcpu, void *arg)
{
	return ioctl(vcpu->fd, KVM_SET_VAPIC_ADDR, arg) ? errno : 0;
}

static void guest_code(void)
{
	GUEST_DONE();
}

int main(void)
{
	struct kvm_vapic_addr va = { 0 };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	bool nvmx = on_nvmx();
	int r;

	ksft_print_header();
	ksft_set_plan(6);

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	r = set_vapic(vcpu, &va);
	TEST_ASSERT(!r && !set_vapic(vcpu, &va), "address 0: errno %d", r);
	ksft_test_result_pass("address 0 twice\n");

	r = set_vapic(vcpu, (void *)8);
	TEST_ASSERT(r == EFAULT, "bad pointer: errno %d", r);
	ksft_test_result_pass("bad pointer: EFAULT\n");

	va.vapic_addr = 1ull << 40;
	r = set_vapic(vcpu, &va);
	TEST_ASSERT(r == EINVAL, "address in no slot: errno %d", r);
	ksft_test_result_pass("address in no slot: EINVAL\n");

	/* The first page of slot 0 is guest memory on both devices. */
	va.vapic_addr = 0x1000;
	r = set_vapic(vcpu, &va);
	TEST_ASSERT(r == (nvmx ? EINVAL : 0), "address in memory: errno %d", r);
	ksft_test_result_pass("address in memory: %s\n", nvmx ? "EINVAL" : "taken");

	/* 0 again turns it off; the vCPU still runs. */
	va.vapic_addr = 0;
	r = set_vapic(vcpu, &va);
	TEST_ASSERT(!r, "address 0 after another: errno %d", r);
	vcpu_run(vcpu);
	TEST_ASSERT(get_ucall(vcpu, NULL) == UCALL_DONE, "guest did not finish");
	ksft_test_result_pass("address 0 again, guest runs\n");
	kvm_vm_free(vm);

	/* No in-kernel APIC: EINVAL before the argument is read. */
	vm = vm_create_barebones();
	vcpu = __vm_vcpu_add(vm, 0);
	r = set_vapic(vcpu, &va);
	TEST_ASSERT(r == EINVAL, "no irqchip, address 0: errno %d", r);
	r = set_vapic(vcpu, (void *)8);
	TEST_ASSERT(r == EINVAL, "no irqchip, bad pointer: errno %d", r);
	ksft_test_result_pass("no in-kernel APIC: EINVAL\n");
	kvm_vm_free(vm);

	ksft_finished();
}
