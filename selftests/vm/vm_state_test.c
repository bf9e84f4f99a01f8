// SPDX-License-Identifier: GPL-2.0
/*
 * The VM state ioctls a VMM sets before its vCPUs: KVM_SET_TSS_ADDR,
 * KVM_SET_IDENTITY_MAP_ADDR, KVM_SET_BOOT_CPU_ID and KVM_ENABLE_CAP
 * (KVM_CAP_MAX_VCPU_ID): what each accepts, and each refusal with KVM's
 * errno. $NVMX_TEST_DEV picks the device, so the same binary runs on
 * kvm_intel, which must answer the same.
 */
#include "kselftest_harness.h"
#include "nvmx_test.h"

/* IA32_APIC_BASE bit 8: the boot processor. */
#define APIC_BSP	0x100ULL

FIXTURE(vm) {
	int dev;
	int vm;
};

FIXTURE_SETUP(vm)
{
	self->dev = open(test_dev(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev) TH_LOG("%s: %s", test_dev(), strerror(errno));
	self->vm = ioctl(self->dev, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
}

FIXTURE_TEARDOWN(vm)
{
	close(self->vm);
	close(self->dev);
}

/* -errno of an ioctl, or its non-negative result. */
static long vm_ioctl(int fd, unsigned long cmd, unsigned long arg)
{
	long r = ioctl(fd, cmd, arg);

	return r < 0 ? -errno : r;
}

static long enable_cap(int vm, __u32 cap, __u32 flags, __u64 arg0)
{
	struct kvm_enable_cap c = { .cap = cap, .flags = flags };

	c.args[0] = arg0;
	return vm_ioctl(vm, KVM_ENABLE_CAP, (unsigned long)&c);
}

static __u64 apic_base(int vcpu)
{
	struct kvm_sregs sregs;

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return ~0ULL;
	return sregs.apic_base;
}

TEST_F(vm, capabilities_are_advertised)
{
	EXPECT_LT(0, ioctl(self->vm, KVM_CHECK_EXTENSION, KVM_CAP_SET_TSS_ADDR));
	EXPECT_LT(0, ioctl(self->vm, KVM_CHECK_EXTENSION,
			   KVM_CAP_SET_IDENTITY_MAP_ADDR));
	EXPECT_LT(0, ioctl(self->vm, KVM_CHECK_EXTENSION, KVM_CAP_SET_BOOT_CPU_ID));
	EXPECT_LT(0, ioctl(self->vm, KVM_CHECK_EXTENSION, KVM_CAP_ENABLE_CAP_VM));
	EXPECT_LT(0, ioctl(self->vm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID));
}

/* The three pages must end at or below 4 GiB; vCPUs do not matter. */
TEST_F(vm, tss_addr)
{
	int vcpu;

	EXPECT_EQ(0, vm_ioctl(self->vm, KVM_SET_TSS_ADDR, 0xfffbd000));
	EXPECT_EQ(0, vm_ioctl(self->vm, KVM_SET_TSS_ADDR, 0));
	EXPECT_EQ(0, vm_ioctl(self->vm, KVM_SET_TSS_ADDR, 0xffffd000));
	EXPECT_EQ(-EINVAL, vm_ioctl(self->vm, KVM_SET_TSS_ADDR, 0xffffd001));
	EXPECT_EQ(-EINVAL, vm_ioctl(self->vm, KVM_SET_TSS_ADDR, 0xffffe000));
	EXPECT_EQ(-EINVAL, vm_ioctl(self->vm, KVM_SET_TSS_ADDR, 1ULL << 32));
	EXPECT_EQ(-EINVAL, vm_ioctl(self->vm, KVM_SET_TSS_ADDR, ~0UL));
	vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	EXPECT_EQ(0, vm_ioctl(self->vm, KVM_SET_TSS_ADDR, 0xfffbd000));
	close(vcpu);
}

/* Any address before the first vCPU; after it, EINVAL before the copy. */
TEST_F(vm, identity_map_addr)
{
	__u64 addr = 0xfffbc000;
	int vcpu;

	EXPECT_EQ(0, vm_ioctl(self->vm, KVM_SET_IDENTITY_MAP_ADDR,
			      (unsigned long)&addr));
	addr = ~0ULL;
	EXPECT_EQ(0, vm_ioctl(self->vm, KVM_SET_IDENTITY_MAP_ADDR,
			      (unsigned long)&addr));
	EXPECT_EQ(-EFAULT, vm_ioctl(self->vm, KVM_SET_IDENTITY_MAP_ADDR, 0));
	EXPECT_EQ(-EFAULT, vm_ioctl(self->vm, KVM_SET_IDENTITY_MAP_ADDR, 8));
	vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	addr = 0xfffbc000;
	EXPECT_EQ(-EINVAL, vm_ioctl(self->vm, KVM_SET_IDENTITY_MAP_ADDR,
				    (unsigned long)&addr));
	EXPECT_EQ(-EINVAL, vm_ioctl(self->vm, KVM_SET_IDENTITY_MAP_ADDR, 0));
	close(vcpu);
}

/* Without KVM_SET_BOOT_CPU_ID, vCPU 0 is the boot processor. */
TEST_F(vm, boot_cpu_default)
{
	int v0 = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	int v1 = ioctl(self->vm, KVM_CREATE_VCPU, 1);

	ASSERT_LE(0, v0);
	ASSERT_LE(0, v1);
	EXPECT_EQ(APIC_BSP, apic_base(v0) & APIC_BSP);
	EXPECT_EQ(0, apic_base(v1) & APIC_BSP);
	EXPECT_EQ(-EBUSY, vm_ioctl(self->vm, KVM_SET_BOOT_CPU_ID, 1));
	EXPECT_EQ(-EBUSY, vm_ioctl(self->vm, KVM_SET_BOOT_CPU_ID, 0));
	close(v1);
	close(v0);
}

/* The last id set before the first vCPU is the one with the BSP bit. */
TEST_F(vm, boot_cpu_id)
{
	int v0, v1, v2;

	EXPECT_EQ(0, vm_ioctl(self->vm, KVM_SET_BOOT_CPU_ID, 2));
	EXPECT_EQ(0, vm_ioctl(self->vm, KVM_SET_BOOT_CPU_ID, 1));
	v0 = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, v0);
	/* One vCPU is enough to freeze it. */
	EXPECT_EQ(-EBUSY, vm_ioctl(self->vm, KVM_SET_BOOT_CPU_ID, 0));
	v1 = ioctl(self->vm, KVM_CREATE_VCPU, 1);
	v2 = ioctl(self->vm, KVM_CREATE_VCPU, 2);
	ASSERT_LE(0, v1);
	ASSERT_LE(0, v2);
	EXPECT_EQ(0, apic_base(v0) & APIC_BSP);
	EXPECT_EQ(APIC_BSP, apic_base(v1) & APIC_BSP);
	EXPECT_EQ(0, apic_base(v2) & APIC_BSP);
	EXPECT_EQ(-EBUSY, vm_ioctl(self->vm, KVM_SET_BOOT_CPU_ID, 1));
	close(v2);
	close(v1);
	close(v0);
}

/* An id no vCPU can have is accepted: then no vCPU is the BSP. */
TEST_F(vm, boot_cpu_id_nobody_has)
{
	long max = ioctl(self->vm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	int v0;

	ASSERT_LT(0, max);
	EXPECT_EQ(0, vm_ioctl(self->vm, KVM_SET_BOOT_CPU_ID, max));
	v0 = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, v0);
	EXPECT_EQ(0, apic_base(v0) & APIC_BSP);
	close(v0);
}

/* KVM_CAP_MAX_VCPU_ID: up to the cap's value, once, then the id bound. */
TEST_F(vm, max_vcpu_id)
{
	long max = ioctl(self->vm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	int v1;

	ASSERT_LT(2, max);
	EXPECT_EQ(-EINVAL, enable_cap(self->vm, KVM_CAP_MAX_VCPU_ID, 0, max + 1));
	EXPECT_EQ(-EINVAL, enable_cap(self->vm, KVM_CAP_MAX_VCPU_ID, 1, 2));
	/* 0 leaves it unset. */
	EXPECT_EQ(0, enable_cap(self->vm, KVM_CAP_MAX_VCPU_ID, 0, 0));
	EXPECT_EQ(0, enable_cap(self->vm, KVM_CAP_MAX_VCPU_ID, 0, 2));
	EXPECT_EQ(0, enable_cap(self->vm, KVM_CAP_MAX_VCPU_ID, 0, 2));
	EXPECT_EQ(-EINVAL, enable_cap(self->vm, KVM_CAP_MAX_VCPU_ID, 0, 3));
	EXPECT_EQ(-EINVAL, enable_cap(self->vm, KVM_CAP_MAX_VCPU_ID, 0, 0));
	EXPECT_EQ(-EINVAL, vm_ioctl(self->vm, KVM_CREATE_VCPU, 2));
	v1 = ioctl(self->vm, KVM_CREATE_VCPU, 1);
	EXPECT_LE(0, v1);
	close(v1);
}

/* The first vCPU fixes the bound at the cap's value. */
TEST_F(vm, max_vcpu_id_after_vcpus)
{
	long max = ioctl(self->vm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPU_ID);
	int v0 = ioctl(self->vm, KVM_CREATE_VCPU, 0);

	ASSERT_LE(0, v0);
	EXPECT_EQ(-EINVAL, enable_cap(self->vm, KVM_CAP_MAX_VCPU_ID, 0, 2));
	EXPECT_EQ(0, enable_cap(self->vm, KVM_CAP_MAX_VCPU_ID, 0, max));
	close(v0);
}

/* Caps that cannot be enabled, and an unreadable argument. */
TEST_F(vm, enable_cap_refusals)
{
	EXPECT_EQ(-EINVAL, enable_cap(self->vm, KVM_CAP_USER_MEMORY, 0, 0));
	EXPECT_EQ(-EINVAL, enable_cap(self->vm, KVM_CAP_SET_TSS_ADDR, 0, 1));
	EXPECT_EQ(-EINVAL, enable_cap(self->vm, 0x7fffffff, 0, 0));
	EXPECT_EQ(-EFAULT, vm_ioctl(self->vm, KVM_ENABLE_CAP, 0));
}

TEST_HARNESS_MAIN
