// SPDX-License-Identifier: GPL-2.0
/*
 * CPU hotplug: while nvmx has a VM, a CPU going offline leaves VMX and a
 * CPU coming online enters it; without VMs hotplug touches nothing; VMs
 * that run, lose memory slots and close while a CPU goes and comes back
 * break nothing. At the end kvm_intel must be able to take VMX on every
 * CPU, which proves nvmx left none in VMX operation. Needs two or more CPUs
 * and root.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <sys/mman.h>

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

/* Real mode at 0x1000: mov $0x42, %al; out %al, $0x80; hlt. */
static const unsigned char out_hlt[] = { 0xb0, 0x42, 0xe6, 0x80, 0xf4 };

#define CHURN_MEM	0x4000
#define CHURN_THREADS	3
#define HOTPLUG_CYCLES	20

struct churn {
	atomic_int *stop;
	unsigned long rounds;
	char failed[160];	/* the first failure, empty if none */
	unsigned char *mem;
};

static bool churn_fail(struct churn *c, const char *what)
{
	snprintf(c->failed, sizeof(c->failed), "round %lu: %s: %s", c->rounds,
		 what, strerror(errno));
	return false;
}

/*
 * One VM's life, each step a broadcast or an IPI nvmx sends: run a vCPU to
 * HLT (its VMCS is loaded on some CPU), delete the slot it ran from (INVEPT
 * everywhere), add another, close everything (VMCLEAR where the VMCS is,
 * INVVPID and INVEPT everywhere, VMXOFF if it was the last VM).
 */
static bool churn_once(struct churn *c, int dev, int run_size)
{
	struct kvm_userspace_memory_region r = {
		.memory_size = CHURN_MEM, .userspace_addr = (unsigned long)c->mem,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct kvm_run *run;
	int vm, vcpu;
	bool ok = false;

	vm = ioctl(dev, KVM_CREATE_VM, 0);
	if (vm < 0)
		return churn_fail(c, "KVM_CREATE_VM");
	vcpu = -1;
	run = MAP_FAILED;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r)) {
		churn_fail(c, "add slot 0");
		goto out;
	}
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		churn_fail(c, "KVM_CREATE_VCPU");
		goto out;
	}
	run = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED) {
		churn_fail(c, "mmap kvm_run");
		goto out;
	}
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs)) {
		churn_fail(c, "KVM_GET_SREGS");
		goto out;
	}
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs)) {
		churn_fail(c, "KVM_SET_SREGS/REGS");
		goto out;
	}
	if (ioctl(vcpu, KVM_RUN, 0) || run->exit_reason != KVM_EXIT_IO) {
		churn_fail(c, "first KVM_RUN (expected KVM_EXIT_IO)");
		goto out;
	}
	if (ioctl(vcpu, KVM_RUN, 0) || run->exit_reason != KVM_EXIT_HLT) {
		churn_fail(c, "second KVM_RUN (expected KVM_EXIT_HLT)");
		goto out;
	}
	r.memory_size = 0;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r)) {
		churn_fail(c, "delete slot 0");
		goto out;
	}
	r.slot = 1;
	r.guest_phys_addr = 0x100000;
	r.memory_size = CHURN_MEM;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r)) {
		churn_fail(c, "add slot 1");
		goto out;
	}
	ok = true;
out:
	if (run != MAP_FAILED)
		munmap(run, run_size);
	if (vcpu >= 0)
		close(vcpu);
	close(vm);
	return ok;
}

static void *churn_thread(void *arg)
{
	struct churn *c = arg;
	int dev = open(NVMX_DEV, O_RDWR | O_CLOEXEC);
	int run_size = dev < 0 ? -1 : ioctl(dev, KVM_GET_VCPU_MMAP_SIZE, 0);

	if (run_size <= 0) {
		churn_fail(c, "open " NVMX_DEV " or KVM_GET_VCPU_MMAP_SIZE");
		return NULL;
	}
	memcpy(c->mem + 0x1000, out_hlt, sizeof(out_hlt));
	while (!atomic_load(c->stop) && churn_once(c, dev, run_size))
		c->rounds++;
	close(dev);
	return NULL;
}

/*
 * Threads churn VMs (run, delete a slot, close with vCPUs that ran) while
 * the last CPU goes offline and online HOTPLUG_CYCLES times, first with a
 * VM held open all along (VMX stays on; each cycle must bring the CPU back
 * into VMX operation), then without (the churning VMs turn VMX on and off
 * themselves). Any failed ioctl, or a WARN or oops in the log (the test
 * host's panic_on_warn), fails it; at the end, with a VM open, every online
 * CPU must be in VMX operation, and none once it is closed.
 */
static void churn_while_hotplugging(struct __test_metadata *_metadata,
				    int fd, int cpu, bool hold_vm)
{
	struct churn c[CHURN_THREADS];
	pthread_t t[CHURN_THREADS];
	struct nvmx_status st;
	atomic_int stop = 0;
	int i, vm = -1;

	if (hold_vm) {
		vm = ioctl(fd, KVM_CREATE_VM, 0);
		ASSERT_LE(0, vm);
	}
	for (i = 0; i < CHURN_THREADS; i++) {
		memset(&c[i], 0, sizeof(c[i]));
		c[i].stop = &stop;
		c[i].mem = mmap(NULL, CHURN_MEM, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		ASSERT_NE(MAP_FAILED, c[i].mem);
		ASSERT_EQ(0, pthread_create(&t[i], NULL, churn_thread, &c[i]));
	}
	for (i = 0; i < HOTPLUG_CYCLES; i++) {
		EXPECT_EQ(0, set_online(cpu, 0)) TH_LOG("offline, cycle %d", i);
		EXPECT_EQ(0, set_online(cpu, 1)) TH_LOG("online, cycle %d", i);
		if (hold_vm) {
			ASSERT_EQ(0, nvmx_get_status(fd, &st));
			EXPECT_EQ(st.online_cpus, st.vmx_cpus)
				TH_LOG("cycle %d", i);
		}
	}
	atomic_store(&stop, 1);
	for (i = 0; i < CHURN_THREADS; i++) {
		ASSERT_EQ(0, pthread_join(t[i], NULL));
		EXPECT_STREQ("", c[i].failed);
		EXPECT_LT(0, c[i].rounds) TH_LOG("thread %d never finished a VM", i);
		TH_LOG("thread %d: %lu VMs", i, c[i].rounds);
		munmap(c[i].mem, CHURN_MEM);
	}

	if (vm < 0) {
		vm = ioctl(fd, KVM_CREATE_VM, 0);
		ASSERT_LE(0, vm);
	}
	ASSERT_EQ(0, nvmx_get_status(fd, &st));
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), st.online_cpus);
	EXPECT_EQ(st.online_cpus, st.vmx_cpus);
	EXPECT_LE(2, st.vmx_cpus);
	close(vm);
	ASSERT_EQ(0, nvmx_get_status(fd, &st));
	EXPECT_EQ(0, st.vmx_cpus);
}

TEST_F_TIMEOUT(hotplug, vms_churn_while_cpu_cycles_with_vm_held, 600)
{
	if (self->cpu < 1)
		SKIP(return, "needs two online CPUs");
	churn_while_hotplugging(_metadata, self->fd, self->cpu, true);
}

TEST_F_TIMEOUT(hotplug, vms_churn_while_cpu_cycles, 600)
{
	if (self->cpu < 1)
		SKIP(return, "needs two online CPUs");
	churn_while_hotplugging(_metadata, self->fd, self->cpu, false);
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
