// SPDX-License-Identifier: GPL-2.0
/*
 * Control- and debug-register writes the hypervisor emulates, seen from a
 * real-mode guest: LMSW must not undo CR0 bits the guest changed without
 * an exit, and MOV to DR6 keeps only DR6's architectural bits. The guest
 * reports what it reads back with OUTs. $NVMX_TEST_DEV picks the device,
 * so the same binary runs on kvm_intel.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "nvmx_test.h"

#define MEM_SIZE	0x4000
#define CODE_GPA	0x1000

/*
 * Sets CR0.WP with MOV CR0 (a bit guests may own, so perhaps no exit),
 * then LMSW 1 (sets PE: an exit), then reads CR0 back: out 0x80, eax.
 */
static const unsigned char g_lmsw[] = {
	0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	0x66, 0x0d, 0x00, 0x00, 0x01, 0x00,	/* or eax, 0x10000 (WP) */
	0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	0xb8, 0x01, 0x00,			/* mov ax, 1 */
	0x0f, 0x01, 0xf0,			/* lmsw ax */
	0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	0x66, 0xe7, 0x80,			/* out 0x80, eax */
	0xf4,					/* hlt */
};

/* DR6 := 0, read back to port 0x80; DR6 := ~0, read back to 0x81. */
static const unsigned char g_dr6[] = {
	0x66, 0x31, 0xc0,			/* xor eax, eax */
	0x0f, 0x23, 0xf0,			/* mov dr6, eax */
	0x0f, 0x21, 0xf0,			/* mov eax, dr6 */
	0x66, 0xe7, 0x80,			/* out 0x80, eax */
	0x66, 0x83, 0xc8, 0xff,			/* or eax, -1 */
	0x0f, 0x23, 0xf0,			/* mov dr6, eax */
	0x0f, 0x21, 0xf0,			/* mov eax, dr6 */
	0x66, 0xe7, 0x81,			/* out 0x81, eax */
	0xf4,					/* hlt */
};

FIXTURE(vm) {
	int dev, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	unsigned char *mem;
};

FIXTURE_SETUP(vm)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
	};
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	self->dev = open(test_dev(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->dev) TH_LOG("%s: %s", test_dev(), strerror(errno));
	self->vm = ioctl(self->dev, KVM_CREATE_VM, 0);
	ASSERT_LE(0, self->vm);
	self->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, self->mem);
	region.userspace_addr = (unsigned long)self->mem;
	ASSERT_EQ(0, ioctl(self->vm, KVM_SET_USER_MEMORY_REGION, &region));
	self->vcpu = ioctl(self->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, self->vcpu);
	self->run_size = ioctl(self->dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	self->run = mmap(NULL, self->run_size, PROT_READ | PROT_WRITE,
			 MAP_SHARED, self->vcpu, 0);
	ASSERT_NE(MAP_FAILED, self->run);

	ASSERT_EQ(0, ioctl(self->vcpu, KVM_GET_SREGS, &sregs));
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	ASSERT_EQ(0, ioctl(self->vcpu, KVM_SET_SREGS, &sregs));
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 2;
	regs.rsp = 0x3000;
	ASSERT_EQ(0, ioctl(self->vcpu, KVM_SET_REGS, &regs));
}

FIXTURE_TEARDOWN(vm)
{
	munmap(self->run, self->run_size);
	close(self->vcpu);
	close(self->vm);
	close(self->dev);
	munmap(self->mem, MEM_SIZE);
}

/* Runs the guest to its HLT; returns how many 32-bit OUTs it made. */
static int run_to_hlt(struct __test_metadata *_metadata,
		      struct _test_data_vm *self, __u32 *out, int max)
{
	int n = 0;

	for (;;) {
		if (ioctl(self->vcpu, KVM_RUN, 0))
			return -1;
		if (self->run->exit_reason == KVM_EXIT_HLT)
			return n;
		if (self->run->exit_reason != KVM_EXIT_IO ||
		    self->run->io.size != 4 || n == max) {
			TH_LOG("exit %u", self->run->exit_reason);
			return -1;
		}
		memcpy(&out[n++], (char *)self->run + self->run->io.data_offset, 4);
	}
}

TEST_F(vm, lmsw_keeps_guest_owned_cr0_bits)
{
	__u32 out[1];

	memcpy(self->mem + CODE_GPA, g_lmsw, sizeof(g_lmsw));
	ASSERT_EQ(1, run_to_hlt(_metadata, self, out, 1));
	/* RESET's CD, NW and ET, the guest's WP, and LMSW's PE. */
	EXPECT_EQ(0x60010011, out[0]);
}

TEST_F(vm, dr6_keeps_only_its_architectural_bits)
{
	__u32 out[2];

	memcpy(self->mem + CODE_GPA, g_dr6, sizeof(g_dr6));
	ASSERT_EQ(2, run_to_hlt(_metadata, self, out, 2));
	/* Bits 4-11 and 16-31 read 1, bit 12 reads 0 (no RTM, no BLD). */
	EXPECT_EQ(0xffff0ff0, out[0]);
	/* Of ~0, only B0-B3, BD, BS and BT are the guest's to set. */
	EXPECT_EQ(0xffffefff, out[1]);
}

TEST_HARNESS_MAIN
