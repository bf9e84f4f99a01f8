// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug: while nvmx has a VM, a CPU going offline leaves VMX and a
 * CPU coming online enters it; without VMs hotplug touches nothing. At the
 * end kvm_intel must be able to take VMX on every CPU, which proves nvmx
 * left none in VMX operation. Needs two or more CPUs and root.
 */
#include "kselftest_harness.h"
#include "nvmx_test.h"

static int set_online(int cpu, int on)
{
	char path[128];
	int fd, r;

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", cpu);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -1;
	r = write(fd, on ? "1" : "0", 1) == 1 ? 0 : -1;
	close(fd);
	return r;
}

FIXTURE(hotplug) {
	int fd;
	int cpu;
};

/*
 * 6.1's harness runs the test body after a SKIP() in setup, so each test
 * checks for a second CPU itself.
 */
FIXTURE_SETUP(hotplug)
{
	self->cpu = (int)sysconf(_SC_NPROCESSORS_ONLN) - 1;
	self->fd = open(NVMX_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd);
}

FIXTURE_TEARDOWN(hotplug)
{
	if (self->cpu >= 1)
		set_online(self->cpu, 1);
	close(self->fd);
}

/* CPU hotplug in a 2-CPU Bochs takes seconds of guest time: allow more. */
TEST_F_TIMEOUT(hotplug, cpu_leaves_and_reenters_vmx_with_vm, 120)
{
	struct nvmx_status st;
	int vm;

	if (self->cpu < 1)
		SKIP(return, "needs two online CPUs");
	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	ASSERT_EQ(st.online_cpus, st.vmx_cpus);
	ASSERT_LE(2, st.vmx_cpus);

	ASSERT_EQ(0, set_online(self->cpu, 0));
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	EXPECT_EQ(st.online_cpus, st.vmx_cpus);
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), st.online_cpus);

	ASSERT_EQ(0, set_online(self->cpu, 1));
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	EXPECT_EQ(st.online_cpus, st.vmx_cpus);
	EXPECT_LE(2, st.vmx_cpus);

	close(vm);
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	EXPECT_EQ(0, st.vmx_cpus);
}

TEST_F(hotplug, no_vm_no_vmx)
{
	struct nvmx_status st;

	if (self->cpu < 1)
		SKIP(return, "needs two online CPUs");
	ASSERT_EQ(0, set_online(self->cpu, 0));
	ASSERT_EQ(0, set_online(self->cpu, 1));
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	EXPECT_EQ(0, st.vmx_cpus);
}

TEST_F(hotplug, offline_cpu_with_vm_then_close)
{
	struct nvmx_status st;
	int vm;

	if (self->cpu < 1)
		SKIP(return, "needs two online CPUs");
	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	ASSERT_EQ(0, set_online(self->cpu, 0));
	close(vm);
	ASSERT_EQ(0, set_online(self->cpu, 1));
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	EXPECT_EQ(0, st.vmx_cpus);
}

TEST_F(hotplug, every_cpu_left_clean_for_kvm)
{
	struct vm_holder kvm;

	if (self->cpu < 1)
		SKIP(return, "needs two online CPUs");
	if (!path_exists(KVM_DEV))
		SKIP(return, "kvm_intel is not loaded");
	ASSERT_EQ(0, vm_holder_start(&kvm, KVM_DEV));
	EXPECT_TRUE(kvm.created) TH_LOG("kvm_intel: %s", strerror(kvm.err));
	EXPECT_EQ(0, vm_holder_stop(&kvm));
}

TEST_HARNESS_MAIN
