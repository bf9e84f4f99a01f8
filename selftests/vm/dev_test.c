// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nvmx: the node, KVM's system ioctls with KVM's answers and errnos,
 * the VM fd as far as it goes so far, and the nvmx-only ioctls.
 */
#include <sys/mman.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "nvmx_test.h"

#define MISC_MAJOR_NR 10

FIXTURE(dev) {
	int fd;
};

FIXTURE_SETUP(dev)
{
	self->fd = open(NVMX_DEV, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", NVMX_DEV, strerror(errno));
}

FIXTURE_TEARDOWN(dev)
{
	close(self->fd);
}

TEST(node_is_misc_device_0660)
{
	struct stat st;

	ASSERT_EQ(0, stat(NVMX_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(MISC_MAJOR_NR, major(st.st_rdev));
}

TEST_F(dev, api_version)
{
	EXPECT_EQ(KVM_API_VERSION, ioctl(self->fd, KVM_GET_API_VERSION, 0));
	EXPECT_EQ(12, ioctl(self->fd, KVM_GET_API_VERSION, 0));
	/* KVM wants a zero argument. */
	EXPECT_EQ(-1, ioctl(self->fd, KVM_GET_API_VERSION, 1));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * Only what nvmx implements may answer non-zero; the rest must say 0.
 * Each entry here has a test of its own that uses the feature.
 */
static long expected_cap(long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY:
	case KVM_CAP_DESTROY_MEMORY_REGION_WORKS:
	case KVM_CAP_JOIN_MEMORY_REGIONS_WORKS:
	case KVM_CAP_READONLY_MEM:
	case KVM_CAP_CHECK_EXTENSION_VM:
	case KVM_CAP_IMMEDIATE_EXIT:
	case KVM_CAP_INTERNAL_ERROR_DATA:
	case KVM_CAP_EXT_CPUID:
	case KVM_CAP_MP_STATE:
	case KVM_CAP_IRQCHIP:
	case KVM_CAP_BINARY_STATS_FD:
	case KVM_CAP_GET_MSR_FEATURES:
		return 1;
	case KVM_CAP_NR_VCPUS:
		return sysconf(_SC_NPROCESSORS_ONLN) < 64 ?
		       sysconf(_SC_NPROCESSORS_ONLN) : 64;
	case KVM_CAP_MAX_VCPUS:
	case KVM_CAP_MAX_VCPU_ID:
		return 64;
	case KVM_CAP_NR_MEMSLOTS:
		return 512;
	default:
		return 0;
	}
}

static void check_caps(struct __test_metadata *_metadata, int fd)
{
	long cap;

	for (cap = 0; cap <= 512; cap++)
		EXPECT_EQ(expected_cap(cap), ioctl(fd, KVM_CHECK_EXTENSION, cap))
			TH_LOG("capability %ld", cap);
	EXPECT_EQ(0, ioctl(fd, KVM_CHECK_EXTENSION, -1L));
	EXPECT_EQ(0, ioctl(fd, KVM_CHECK_EXTENSION, 1L << 40));
}

TEST_F(dev, check_extension_is_truthful)
{
	check_caps(_metadata, self->fd);
	/* What nvmx does not have yet. */
	EXPECT_EQ(0, ioctl(self->fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE));
	EXPECT_EQ(0, ioctl(self->fd, KVM_CHECK_EXTENSION, KVM_CAP_NESTED_STATE));
	EXPECT_EQ(0, ioctl(self->fd, KVM_CHECK_EXTENSION, KVM_CAP_COALESCED_MMIO));
}

TEST_F(dev, vcpu_mmap_size)
{
	long page = sysconf(_SC_PAGESIZE);

	/* kvm_run plus the KVM_EXIT_IO data page, as KVM/x86 lays it out. */
	EXPECT_EQ(2 * page, ioctl(self->fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	EXPECT_EQ(-1, ioctl(self->fd, KVM_GET_VCPU_MMAP_SIZE, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, unknown_and_withdrawn_ioctls)
{
	/* /dev/kvm answers EINVAL to what it does not know... */
	EXPECT_EQ(-1, ioctl(self->fd, _IO(KVMIO, 0x3f), 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, KVM_RUN, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(NVMX_TYPE, 0x7f), 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, 0, 0));
	EXPECT_EQ(EINVAL, errno);
	/* ...and EOPNOTSUPP to the withdrawn trace ioctls. */
	EXPECT_EQ(-1, ioctl(self->fd, _IO(KVMIO, 0x07), 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(KVMIO, 0x08), 0));
	EXPECT_EQ(EOPNOTSUPP, errno);
}

TEST_F(dev, no_mmap_read_write)
{
	char buf[8];
	void *p;

	p = mmap(NULL, 4096, PROT_READ, MAP_SHARED, self->fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(-1, read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
}

TEST_F(dev, create_vm_enters_and_leaves_vmx)
{
	struct nvmx_status st;
	int vm, vm2, flags;

	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	ASSERT_EQ(0, st.nr_vms);
	/* VMX is lazy: nothing is held while there is no VM. */
	ASSERT_EQ(0, st.vmx_cpus);

	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("KVM_CREATE_VM: %s", strerror(errno));
	flags = fcntl(vm, F_GETFD);
	EXPECT_TRUE(flags & FD_CLOEXEC);
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	EXPECT_EQ(1, st.nr_vms);
	EXPECT_EQ(st.online_cpus, st.vmx_cpus);
	EXPECT_EQ(sysconf(_SC_NPROCESSORS_ONLN), st.online_cpus);

	vm2 = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm2);
	close(vm);
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	EXPECT_EQ(1, st.nr_vms);
	EXPECT_EQ(st.online_cpus, st.vmx_cpus);

	close(vm2);
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	EXPECT_EQ(0, st.nr_vms);
	EXPECT_EQ(0, st.vmx_cpus);
}

TEST_F(dev, create_vm_bad_type)
{
	struct nvmx_status st;

	EXPECT_EQ(-1, ioctl(self->fd, KVM_CREATE_VM, 1));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, KVM_CREATE_VM, ~0UL));
	EXPECT_EQ(EINVAL, errno);
	/* A refused VM holds nothing. */
	ASSERT_EQ(0, nvmx_get_status(self->fd, &st));
	EXPECT_EQ(0, st.nr_vms);
	EXPECT_EQ(0, st.vmx_cpus);
}

TEST_F(dev, vm_fd_ioctls)
{
	int vm = ioctl(self->fd, KVM_CREATE_VM, 0);

	ASSERT_LE(0, vm);
	check_caps(_metadata, vm);
	/* KVM's answer to an unknown VM ioctl. */
	EXPECT_EQ(-1, ioctl(vm, _IO(KVMIO, 0xff), 0));
	EXPECT_EQ(ENOTTY, errno);
	/* Not implemented yet: refused, as an unknown ioctl. */
	EXPECT_EQ(-1, ioctl(vm, KVM_IRQ_LINE, 0));
	EXPECT_EQ(ENOTTY, errno);
	/* System ioctls do not belong on a VM fd. */
	EXPECT_EQ(-1, ioctl(vm, KVM_CREATE_VM, 0));
	EXPECT_EQ(ENOTTY, errno);
	close(vm);
}

TEST_F(dev, vm_fd_from_another_process_is_eio)
{
	int vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	int status;
	pid_t pid;

	ASSERT_LE(0, vm);
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		long r = ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM);

		_exit(r == -1 && errno == EIO ? 0 : 1);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* The owner still may. */
	EXPECT_EQ(1, ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM));
	close(vm);
}

static int msr_read(int fd, unsigned int msr, unsigned long long *val)
{
	return pread(fd, val, sizeof(*val), msr) == sizeof(*val) ? 0 : -1;
}

TEST_F(dev, host_caps_match_the_msrs)
{
	static const struct {
		unsigned int msr;
		size_t off;
	} map[] = {
		{ 0x480, offsetof(struct nvmx_host_caps, vmx_basic) },
		{ 0x48d, offsetof(struct nvmx_host_caps, pinbased_ctls) },
		{ 0x48e, offsetof(struct nvmx_host_caps, procbased_ctls) },
		{ 0x48f, offsetof(struct nvmx_host_caps, exit_ctls) },
		{ 0x490, offsetof(struct nvmx_host_caps, entry_ctls) },
		{ 0x485, offsetof(struct nvmx_host_caps, misc) },
		{ 0x486, offsetof(struct nvmx_host_caps, cr0_fixed0) },
		{ 0x487, offsetof(struct nvmx_host_caps, cr0_fixed1) },
		{ 0x488, offsetof(struct nvmx_host_caps, cr4_fixed0) },
		{ 0x489, offsetof(struct nvmx_host_caps, cr4_fixed1) },
		{ 0x48a, offsetof(struct nvmx_host_caps, vmcs_enum) },
		{ 0x48b, offsetof(struct nvmx_host_caps, procbased_ctls2) },
		{ 0x48c, offsetof(struct nvmx_host_caps, ept_vpid_cap) },
	};
	struct nvmx_host_caps caps;
	unsigned long long v;
	size_t i;
	int msr;

	memset(&caps, 0, sizeof(caps));
	caps.size = sizeof(caps);
	ASSERT_EQ(0, ioctl(self->fd, NVMX_GET_HOST_CAPS, &caps));
	EXPECT_EQ(sizeof(caps), caps.size);
	EXPECT_EQ(0, caps.flags);
	/* What nvmx refuses to load without is there. */
	EXPECT_TRUE(caps.vmx_basic & (1ULL << 55));
	EXPECT_TRUE(caps.procbased_ctls2 & (1ULL << (32 + 1)));
	EXPECT_TRUE(caps.procbased_ctls2 & (1ULL << (32 + 5)));
	EXPECT_TRUE(caps.procbased_ctls2 & (1ULL << (32 + 7)));
	EXPECT_NE(0, caps.vmx_basic & 0x7fffffff);

	msr = open("/dev/cpu/0/msr", O_RDONLY);
	if (msr < 0)
		SKIP(return, "no /dev/cpu/0/msr to compare with (msr.ko)");
	for (i = 0; i < ARRAY_SIZE(map); i++) {
		ASSERT_EQ(0, msr_read(msr, map[i].msr, &v));
		EXPECT_EQ(v, *(__u64 *)((char *)&caps + map[i].off))
			TH_LOG("MSR %#x", map[i].msr);
	}
	close(msr);
}

TEST_F(dev, host_caps_bad_input)
{
	struct {
		struct nvmx_host_caps caps;
		__u64 tail;
	} big;
	struct nvmx_host_caps caps;

	memset(&caps, 0, sizeof(caps));
	caps.size = 0;
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_HOST_CAPS, &caps));
	EXPECT_EQ(EINVAL, errno);
	caps.size = NVMX_HOST_CAPS_SIZE_VER0 - 8;
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_HOST_CAPS, &caps));
	EXPECT_EQ(EINVAL, errno);
	caps.size = sizeof(caps);
	caps.flags = 1;
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_HOST_CAPS, &caps));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_HOST_CAPS, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_HOST_CAPS, (void *)16));
	EXPECT_EQ(EFAULT, errno);

	/* A newer userspace: a zero tail is fine, a non-zero one is not. */
	memset(&big, 0, sizeof(big));
	big.caps.size = sizeof(big);
	EXPECT_EQ(0, ioctl(self->fd, NVMX_GET_HOST_CAPS, &big));
	EXPECT_EQ(sizeof(big.caps), big.caps.size);
	EXPECT_EQ(0, big.tail);
	memset(&big, 0, sizeof(big));
	big.caps.size = sizeof(big);
	big.tail = 1;
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_HOST_CAPS, &big));
	EXPECT_EQ(E2BIG, errno);

	/* Sizes past a page are refused outright, not scanned. */
	memset(&caps, 0, sizeof(caps));
	caps.size = 4097;
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_HOST_CAPS, &caps));
	EXPECT_EQ(E2BIG, errno);
	caps.size = 0xffffffff;
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_HOST_CAPS, &caps));
	EXPECT_EQ(E2BIG, errno);
}

TEST_F(dev, status_bad_input)
{
	struct nvmx_status st;

	memset(&st, 0, sizeof(st));
	st.size = NVMX_STATUS_SIZE_VER0 - 4;
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_STATUS, &st));
	EXPECT_EQ(EINVAL, errno);
	st.size = sizeof(st);
	st.flags = 2;
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_STATUS, &st));
	EXPECT_EQ(EINVAL, errno);
	st.flags = 0;
	st.__reserved = 1;
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_STATUS, &st));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, NVMX_GET_STATUS, NULL));
	EXPECT_EQ(EFAULT, errno);
}

TEST_HARNESS_MAIN
