// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx and kvm_intel on one host: whoever holds VMX first keeps it, the
 * other gets EBUSY, and both work again once the holder lets go.
 */
#include "kselftest_harness.h"
#include "nvmx_test.h"

FIXTURE(coexist) {
	int nvmx;
	int kmsg;
};

/*
 * 6.1's harness runs the test body after a SKIP() in setup, so each test
 * checks for kvm_intel itself.
 */
FIXTURE_SETUP(coexist)
{
	self->nvmx = open(NVMX_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nvmx);
	self->kmsg = kmsg_open();
	ASSERT_LE(0, self->kmsg);
}

FIXTURE_TEARDOWN(coexist)
{
	close(self->kmsg);
	close(self->nvmx);
}

TEST_F(coexist, kvm_holds_vmx_nvmx_gets_ebusy)
{
	struct vm_holder kvm;
	struct nvmx_status st;
	int vm;

	if (!path_exists(KVM_DEV))
		SKIP(return, "kvm_intel is not loaded");
	ASSERT_EQ(0, vm_holder_start(&kvm, KVM_DEV));
	ASSERT_TRUE(kvm.created) TH_LOG("kvm_intel could not create a VM");

	EXPECT_EQ(-1, ioctl(self->nvmx, KVM_CREATE_VM, 0));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_TRUE(kmsg_find(self->kmsg, "in VMX operation for another hypervisor"));
	/* nvmx left every CPU as it found it: it holds none. */
	ASSERT_EQ(0, nvmx_get_status(self->nvmx, &st));
	EXPECT_EQ(0, st.vmx_cpus);
	EXPECT_EQ(0, st.nr_vms);

	EXPECT_EQ(0, vm_holder_stop(&kvm));

	/* With kvm_intel's VM gone, nvmx takes its turn. */
	vm = ioctl(self->nvmx, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	ASSERT_EQ(0, nvmx_get_status(self->nvmx, &st));
	EXPECT_EQ(st.online_cpus, st.vmx_cpus);
	close(vm);
}

TEST_F(coexist, nvmx_holds_vmx_kvm_fails_safely)
{
	struct vm_holder kvm;
	struct nvmx_status st;
	int vm, vm2;

	if (!path_exists(KVM_DEV))
		SKIP(return, "kvm_intel is not loaded");
	vm = ioctl(self->nvmx, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);

	ASSERT_EQ(0, vm_holder_start(&kvm, KVM_DEV));
	EXPECT_FALSE(kvm.created);
	EXPECT_EQ(EBUSY, kvm.err);
	EXPECT_EQ(1, vm_holder_stop(&kvm));

	/* kvm_intel's failed attempt disturbed nothing of nvmx's. */
	ASSERT_EQ(0, nvmx_get_status(self->nvmx, &st));
	EXPECT_EQ(st.online_cpus, st.vmx_cpus);
	vm2 = ioctl(self->nvmx, KVM_CREATE_VM, 0);
	EXPECT_LE(0, vm2);
	close(vm2);
	close(vm);

	ASSERT_EQ(0, nvmx_get_status(self->nvmx, &st));
	EXPECT_EQ(0, st.vmx_cpus);
	/* And kvm_intel has its turn. */
	ASSERT_EQ(0, vm_holder_start(&kvm, KVM_DEV));
	EXPECT_TRUE(kvm.created);
	EXPECT_EQ(0, vm_holder_stop(&kvm));
}

TEST_F(coexist, turns_many_times)
{
	struct vm_holder h;
	int i;

	if (!path_exists(KVM_DEV))
		SKIP(return, "kvm_intel is not loaded");
	for (i = 0; i < 10; i++) {
		ASSERT_EQ(0, vm_holder_start(&h, i % 2 ? KVM_DEV : NVMX_DEV));
		EXPECT_TRUE(h.created) TH_LOG("turn %d", i);
		EXPECT_EQ(0, vm_holder_stop(&h));
	}
}

TEST_HARNESS_MAIN
