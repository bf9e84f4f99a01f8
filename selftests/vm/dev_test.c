// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nvmx: the node, KVM's system ioctls with KVM's answers and errnos,
 * KVM_CHECK_EXTENSION tested by what each answer promises, the VM fd as far
 * as it goes so far, and the nvmx-only ioctls.
 */
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/sysmacros.h>

#include "kselftest_harness.h"
#include "nvmx_test.h"

#define MISC_MAJOR_NR 10

/*
 * With NVMX_TEST_DEV=/dev/kvm only the capability tests (fixture cap) run:
 * the rest is about nvmx's own device.
 */
static bool on_nvmx(void)
{
	return !strcmp(test_dev(), NVMX_DEV);
}

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

	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
	ASSERT_EQ(0, stat(NVMX_DEV, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
	EXPECT_EQ(MISC_MAJOR_NR, major(st.st_rdev));
}

TEST_F(dev, api_version)
{
	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
	EXPECT_EQ(KVM_API_VERSION, ioctl(self->fd, KVM_GET_API_VERSION, 0));
	EXPECT_EQ(12, ioctl(self->fd, KVM_GET_API_VERSION, 0));
	/* KVM wants a zero argument. */
	EXPECT_EQ(-1, ioctl(self->fd, KVM_GET_API_VERSION, 1));
	EXPECT_EQ(EINVAL, errno);
}

/*
 * KVM_CHECK_EXTENSION, tested by what each answer promises (KVM's api.rst),
 * on $NVMX_TEST_DEV so that kvm_intel, the reference, runs the same tests
 * with its own answers.
 */
FIXTURE(cap) {
	int fd;
};

FIXTURE_SETUP(cap)
{
	self->fd = open(test_dev(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->fd) TH_LOG("open %s: %s", test_dev(), strerror(errno));
}

FIXTURE_TEARDOWN(cap)
{
	close(self->fd);
}

static long cap(int fd, long c)
{
	return ioctl(fd, KVM_CHECK_EXTENSION, c);
}

/* A VM with one vCPU and its kvm_run, for the guests below. */
struct vmh {
	int vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
};

static int vmh_init(struct vmh *h, int dev)
{
	memset(h, 0, sizeof(*h));
	h->vcpu = -1;
	h->run = MAP_FAILED;
	h->vm = ioctl(dev, KVM_CREATE_VM, 0);
	if (h->vm < 0)
		return -1;
	h->vcpu = ioctl(h->vm, KVM_CREATE_VCPU, 0);
	if (h->vcpu < 0)
		return -1;
	h->run_size = ioctl(dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	h->run = mmap(NULL, h->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      h->vcpu, 0);
	return h->run == MAP_FAILED ? -1 : 0;
}

static void vmh_fini(struct vmh *h)
{
	if (h->run != MAP_FAILED)
		munmap(h->run, h->run_size);
	if (h->vcpu >= 0)
		close(h->vcpu);
	if (h->vm >= 0)
		close(h->vm);
}

static int slot(int vm, unsigned int id, __u64 gpa, __u64 size, __u32 flags,
		void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = id, .flags = flags, .guest_phys_addr = gpa,
		.memory_size = size, .userspace_addr = (unsigned long)hva,
	};

	return ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r);
}

/* Real mode, CS = DS = 0, at @rip, RAX = @rax. */
static int real_mode(int vcpu, __u64 rip, __u64 rax)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return -1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		return -1;
	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rax = rax;
	regs.rflags = 2;
	return ioctl(vcpu, KVM_SET_REGS, &regs);
}

#define CODE_GPA	0x1000
#define PAGE		4096

static void *anon(size_t size)
{
	return mmap(NULL, size, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

/*
 * Real-mode guests, hand-assembled: each ends in HLT, which exits to
 * userspace (no in-kernel APIC).
 */
/* mov 0x2000,%al; inc %al; mov %al,0x2001; hlt */
static const unsigned char g_copy_inc[] = {
	0xa0, 0x00, 0x20, 0xfe, 0xc0, 0xa2, 0x01, 0x20, 0xf4,
};

/* mov 0x4000,%al; mov %al,0x4001; hlt */
static const unsigned char g_ro[] = {
	0xa0, 0x00, 0x40, 0xa2, 0x01, 0x40, 0xf4,
};

/* mov %ax,0x3fff; hlt */
static const unsigned char g_span[] = { 0xa3, 0xff, 0x3f, 0xf4 };

/* out %al,$0x80; hlt */
static const unsigned char g_out[] = { 0xe6, 0x80, 0xf4 };

/* The caps below have a test of what they promise; a new one needs one. */
static const long tested_caps[] = {
	KVM_CAP_USER_MEMORY, KVM_CAP_READONLY_MEM,
	KVM_CAP_DESTROY_MEMORY_REGION_WORKS, KVM_CAP_JOIN_MEMORY_REGIONS_WORKS,
	KVM_CAP_CHECK_EXTENSION_VM, KVM_CAP_IMMEDIATE_EXIT,
	KVM_CAP_INTERNAL_ERROR_DATA, KVM_CAP_EXT_CPUID, KVM_CAP_MP_STATE,
	KVM_CAP_BINARY_STATS_FD, KVM_CAP_GET_MSR_FEATURES, KVM_CAP_NR_VCPUS,
	KVM_CAP_MAX_VCPUS, KVM_CAP_MAX_VCPU_ID, KVM_CAP_NR_MEMSLOTS,
	/* Tested by vm_state_test. */
	KVM_CAP_SET_TSS_ADDR, KVM_CAP_SET_IDENTITY_MAP_ADDR,
	KVM_CAP_SET_BOOT_CPU_ID, KVM_CAP_ENABLE_CAP_VM,
	/* Tested by lapic_timer_test (selftests/kvm). */
	KVM_CAP_TSC_DEADLINE_TIMER,
	/*
	 * Tested by irqchip_test, irqchip_delivery_test, gsi_routing_test,
	 * irqfd_test and pit_test (selftests/kvm).
	 */
	KVM_CAP_IRQCHIP, KVM_CAP_IRQ_INJECT_STATUS, KVM_CAP_IRQ_ROUTING,
	KVM_CAP_SIGNAL_MSI, KVM_CAP_IRQFD, KVM_CAP_PIT, KVM_CAP_PIT2,
	KVM_CAP_PIT_STATE2,
	/* Tested by irq_inject_test and vcpu_events_test (selftests/kvm). */
	KVM_CAP_USER_NMI, KVM_CAP_VCPU_EVENTS,
	/* Tested by vcpu_events_test and triple_fault_event_test. */
	KVM_CAP_X86_TRIPLE_FAULT_EVENT,
	/* By exception_payload_test and nested_exceptions_test. */
	KVM_CAP_EXCEPTION_PAYLOAD,
	/* Tested by the libkvm programs kvmclock_test and kvm_clock_test. */
	KVM_CAP_ADJUST_CLOCK, KVM_CAP_GET_TSC_KHZ,
	/* By tsc_scaling_test (the tscscale profile has TSC scaling). */
	KVM_CAP_TSC_CONTROL, KVM_CAP_VM_TSC_CONTROL,
	/* By msr_filter_test and userspace_msr_exit_test. */
	KVM_CAP_X86_MSR_FILTER, KVM_CAP_X86_USER_SPACE_MSR,
	/* By mce_test and msr_index_test; by platform_info_test. */
	KVM_CAP_MCE, KVM_CAP_MSR_PLATFORM_INFO,
	/* Tested by split_irqchip_test (selftests/kvm). */
	KVM_CAP_SPLIT_IRQCHIP,
	/*
	 * Tested by debugregs_test, guest_debug_test, xsave_state_test,
	 * xcrs_test, sregs2_test and sync_regs_state_test (selftests/kvm).
	 */
	KVM_CAP_DEBUGREGS, KVM_CAP_SET_GUEST_DEBUG, KVM_CAP_XSAVE,
	KVM_CAP_XSAVE2, KVM_CAP_XCRS, KVM_CAP_SREGS2, KVM_CAP_SYNC_REGS,
	/* Tested by ioeventfd_test. */
	KVM_CAP_IOEVENTFD, KVM_CAP_IOEVENTFD_NO_LENGTH,
	KVM_CAP_IOEVENTFD_ANY_LENGTH,
};

/*
 * KVM_CAP_IRQ_ROUTING: a GSI count, and KVM_SET_GSI_ROUTING's answers for
 * a VM without an in-kernel irqchip, the same on kvm_intel: EFAULT for a
 * header it cannot read, else EINVAL, whatever the table.
 */
TEST_F(cap, irq_routing_without_irqchip)
{
	struct kvm_irq_routing hdr = { .nr = 0 };
	int vm = ioctl(self->fd, KVM_CREATE_VM, 0);

	ASSERT_LE(0, vm);
	EXPECT_LE(24, cap(self->fd, KVM_CAP_IRQ_ROUTING));
	EXPECT_EQ(-1, ioctl(vm, KVM_SET_GSI_ROUTING, &hdr));
	EXPECT_EQ(EINVAL, errno);
	hdr.flags = 1;
	EXPECT_EQ(-1, ioctl(vm, KVM_SET_GSI_ROUTING, &hdr));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(vm, KVM_SET_GSI_ROUTING, (void *)8));
	EXPECT_EQ(EFAULT, errno);
	close(vm);
}

TEST_F(cap, every_advertised_cap_is_tested)
{
	unsigned int i;
	long c, v;
	bool known;

	if (!on_nvmx())
		SKIP(return, "nvmx's own answers");
	for (c = 0; c <= 512; c++) {
		v = cap(self->fd, c);
		EXPECT_LE(0, v) TH_LOG("capability %ld: %s", c, strerror(errno));
		known = false;
		for (i = 0; i < ARRAY_SIZE(tested_caps); i++)
			known |= tested_caps[i] == c;
		EXPECT_TRUE(!v || known)
			TH_LOG("capability %ld says %ld and has no test here", c, v);
	}
	EXPECT_EQ(0, cap(self->fd, -1L));
	EXPECT_EQ(0, cap(self->fd, 1L << 40));
}

/* The in-kernel irqchip, with KVM's GSI count; no resampling irqfds. */
TEST_F(cap, irqchip_is_advertised)
{
	if (!on_nvmx())
		SKIP(return, "nvmx's own answers");
	EXPECT_EQ(1, cap(self->fd, KVM_CAP_IRQCHIP));
	EXPECT_EQ(4096, cap(self->fd, KVM_CAP_IRQ_ROUTING));
	EXPECT_EQ(0, cap(self->fd, KVM_CAP_IRQFD_RESAMPLE));
	EXPECT_EQ(1, cap(self->fd, KVM_CAP_SPLIT_IRQCHIP));
}

TEST_F(cap, user_memory)
{
	unsigned char *mem = anon(4 * PAGE);
	struct vmh h;

	if (!cap(self->fd, KVM_CAP_USER_MEMORY))
		SKIP(return, "not advertised");
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, vmh_init(&h, self->fd));
	ASSERT_EQ(0, slot(h.vm, 0, 0, 4 * PAGE, 0, mem));
	memcpy(mem + CODE_GPA, g_copy_inc, sizeof(g_copy_inc));
	mem[0x2000] = 0x41;
	ASSERT_EQ(0, real_mode(h.vcpu, CODE_GPA, 0));
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_RUN, 0));
	EXPECT_EQ(KVM_EXIT_HLT, h.run->exit_reason);
	/* The guest read userspace's byte and its store is in userspace's memory. */
	EXPECT_EQ(0x42, mem[0x2001]);
	vmh_fini(&h);
	munmap(mem, 4 * PAGE);
}

TEST_F(cap, readonly_mem)
{
	unsigned char *mem = anon(4 * PAGE), *ro = anon(PAGE);
	struct vmh h;

	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_EQ(0, vmh_init(&h, self->fd));
	ASSERT_EQ(0, slot(h.vm, 0, 0, 4 * PAGE, 0, mem));
	if (!cap(self->fd, KVM_CAP_READONLY_MEM)) {
		/* Then the flag is unknown: refused. */
		EXPECT_EQ(-1, slot(h.vm, 1, 0x4000, PAGE, KVM_MEM_READONLY, ro));
		EXPECT_EQ(EINVAL, errno);
		goto out;
	}
	ASSERT_EQ(0, slot(h.vm, 1, 0x4000, PAGE, KVM_MEM_READONLY, ro));
	memcpy(mem + CODE_GPA, g_ro, sizeof(g_ro));
	ro[0] = 0x5a;
	ro[1] = 0x11;
	ASSERT_EQ(0, real_mode(h.vcpu, CODE_GPA, 0));
	/* Reads come from the slot, writes exit as MMIO and change nothing. */
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_MMIO, h.run->exit_reason);
	EXPECT_EQ(0x4001, h.run->mmio.phys_addr);
	EXPECT_TRUE(h.run->mmio.is_write);
	EXPECT_EQ(1, h.run->mmio.len);
	EXPECT_EQ(0x5a, h.run->mmio.data[0]);
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_RUN, 0));
	EXPECT_EQ(KVM_EXIT_HLT, h.run->exit_reason);
	EXPECT_EQ(0x11, ro[1]);
out:
	vmh_fini(&h);
	munmap(ro, PAGE);
	munmap(mem, 4 * PAGE);
}

TEST_F(cap, destroy_memory_region_works)
{
	unsigned char *mem = anon(4 * PAGE), *other = anon(PAGE);
	struct vmh h;

	if (!cap(self->fd, KVM_CAP_DESTROY_MEMORY_REGION_WORKS))
		SKIP(return, "not advertised");
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_NE(MAP_FAILED, other);
	ASSERT_EQ(0, vmh_init(&h, self->fd));
	ASSERT_EQ(0, slot(h.vm, 0, 0, 4 * PAGE, 0, mem));
	ASSERT_EQ(0, slot(h.vm, 1, 0x4000, PAGE, 0, other));
	memcpy(mem + CODE_GPA, g_ro, sizeof(g_ro));
	ASSERT_EQ(0, real_mode(h.vcpu, CODE_GPA, 0));
	/* Once a run has mapped the slot, delete it: its GPA is MMIO. */
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_RUN, 0));
	EXPECT_EQ(KVM_EXIT_HLT, h.run->exit_reason);
	ASSERT_EQ(0, slot(h.vm, 1, 0x4000, 0, 0, other));
	ASSERT_EQ(0, real_mode(h.vcpu, CODE_GPA, 0));
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_MMIO, h.run->exit_reason);
	EXPECT_EQ(0x4000, h.run->mmio.phys_addr);
	EXPECT_FALSE(h.run->mmio.is_write);
	/* The slot number is free again, for another range. */
	EXPECT_EQ(0, slot(h.vm, 1, 0x8000, PAGE, 0, other));
	vmh_fini(&h);
	munmap(other, PAGE);
	munmap(mem, 4 * PAGE);
}

TEST_F(cap, join_memory_regions_works)
{
	unsigned char *lo = anon(4 * PAGE), *hi = anon(PAGE);
	struct vmh h;

	if (!cap(self->fd, KVM_CAP_JOIN_MEMORY_REGIONS_WORKS))
		SKIP(return, "not advertised");
	ASSERT_NE(MAP_FAILED, lo);
	ASSERT_NE(MAP_FAILED, hi);
	ASSERT_EQ(0, vmh_init(&h, self->fd));
	/* Two adjacent slots from unrelated mappings are one range to the guest. */
	ASSERT_EQ(0, slot(h.vm, 0, 0, 4 * PAGE, 0, lo));
	ASSERT_EQ(0, slot(h.vm, 1, 4 * PAGE, PAGE, 0, hi));
	memcpy(lo + CODE_GPA, g_span, sizeof(g_span));
	ASSERT_EQ(0, real_mode(h.vcpu, CODE_GPA, 0xbbaa));
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_RUN, 0));
	EXPECT_EQ(KVM_EXIT_HLT, h.run->exit_reason);
	EXPECT_EQ(0xaa, lo[4 * PAGE - 1]);
	EXPECT_EQ(0xbb, hi[0]);
	vmh_fini(&h);
	munmap(hi, PAGE);
	munmap(lo, 4 * PAGE);
}

TEST_F(cap, check_extension_vm)
{
	int vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	long c;

	ASSERT_LE(0, vm);
	if (!cap(self->fd, KVM_CAP_CHECK_EXTENSION_VM)) {
		EXPECT_EQ(-1, cap(vm, KVM_CAP_USER_MEMORY));
		close(vm);
		return;
	}
	/* A fresh VM's answers are the system's. */
	for (c = 0; c <= 512; c++)
		EXPECT_EQ(cap(self->fd, c), cap(vm, c)) TH_LOG("capability %ld", c);
	close(vm);
}

TEST_F(cap, immediate_exit)
{
	unsigned char *mem = anon(4 * PAGE);
	struct kvm_regs regs;
	struct vmh h;

	if (!cap(self->fd, KVM_CAP_IMMEDIATE_EXIT))
		SKIP(return, "not advertised");
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, vmh_init(&h, self->fd));
	ASSERT_EQ(0, slot(h.vm, 0, 0, 4 * PAGE, 0, mem));
	memcpy(mem + CODE_GPA, g_out, sizeof(g_out));
	ASSERT_EQ(0, real_mode(h.vcpu, CODE_GPA, 0));
	/* Back at once with EINTR, the guest not run... */
	h.run->immediate_exit = 1;
	EXPECT_EQ(-1, ioctl(h.vcpu, KVM_RUN, 0));
	EXPECT_EQ(EINTR, errno);
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_GET_REGS, &regs));
	EXPECT_EQ(CODE_GPA, regs.rip);
	/* ...and it runs once the flag is clear. */
	h.run->immediate_exit = 0;
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_RUN, 0));
	EXPECT_EQ(KVM_EXIT_IO, h.run->exit_reason);
	vmh_fini(&h);
	munmap(mem, 4 * PAGE);
}

TEST_F(cap, internal_error_data)
{
	unsigned char *mem = anon(4 * PAGE);
	struct vmh h;

	if (!cap(self->fd, KVM_CAP_INTERNAL_ERROR_DATA))
		SKIP(return, "not advertised");
	ASSERT_NE(MAP_FAILED, mem);
	ASSERT_EQ(0, vmh_init(&h, self->fd));
	ASSERT_EQ(0, slot(h.vm, 0, 0, 4 * PAGE, 0, mem));
	/* Code where no memory is cannot be fetched, so not emulated. */
	ASSERT_EQ(0, real_mode(h.vcpu, 0xc000, 0));
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_RUN, 0));
	ASSERT_EQ(KVM_EXIT_INTERNAL_ERROR, h.run->exit_reason);
	EXPECT_EQ(KVM_INTERNAL_ERROR_EMULATION, h.run->internal.suberror);
	/* The cap's promise: the exit says how much data it carries. */
	EXPECT_LE(1, h.run->internal.ndata);
	EXPECT_GE(ARRAY_SIZE(h.run->internal.data), h.run->internal.ndata);
	vmh_fini(&h);
	munmap(mem, 4 * PAGE);
}

TEST_F(cap, ext_cpuid)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} *sup = calloc(1, sizeof(*sup)), *got = calloc(1, sizeof(*got));
	unsigned int i;
	bool leaf0 = false;
	struct vmh h;

	if (!cap(self->fd, KVM_CAP_EXT_CPUID))
		SKIP(return, "not advertised");
	ASSERT_NE(NULL, sup);
	ASSERT_NE(NULL, got);
	sup->hdr.nent = 256;
	ASSERT_EQ(0, ioctl(self->fd, KVM_GET_SUPPORTED_CPUID, sup));
	for (i = 0; i < sup->hdr.nent; i++)
		leaf0 |= sup->e[i].function == 0 && sup->e[i].eax >= 1;
	EXPECT_TRUE(leaf0);
	/*
	 * KVM_SET_CPUID2 takes it; KVM_GET_CPUID2 gives back its leaves
	 * (runtime bits such as OSXSAVE and the XSAVE size may differ), leaf
	 * 0 as it was.
	 */
	ASSERT_EQ(0, vmh_init(&h, self->fd));
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_SET_CPUID2, sup));
	got->hdr.nent = 256;
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_GET_CPUID2, got));
	/* KVM 6.1 writes nent back only on E2BIG. */
	ASSERT_LE(sup->hdr.nent, got->hdr.nent);
	for (i = 0; i < sup->hdr.nent; i++) {
		EXPECT_EQ(sup->e[i].function, got->e[i].function);
		EXPECT_EQ(sup->e[i].index, got->e[i].index);
		if (!sup->e[i].function)
			EXPECT_EQ(0, memcmp(&sup->e[i], &got->e[i], sizeof(sup->e[i])));
	}
	vmh_fini(&h);
	free(got);
	free(sup);
}

TEST_F(cap, mp_state)
{
	struct kvm_mp_state mp = { .mp_state = 99 };
	struct vmh h;

	if (!cap(self->fd, KVM_CAP_MP_STATE))
		SKIP(return, "not advertised");
	ASSERT_EQ(0, vmh_init(&h, self->fd));
	/* A new vCPU (the boot CPU, no in-kernel APIC) is runnable. */
	ASSERT_EQ(0, ioctl(h.vcpu, KVM_GET_MP_STATE, &mp));
	EXPECT_EQ(KVM_MP_STATE_RUNNABLE, mp.mp_state);
	EXPECT_EQ(0, ioctl(h.vcpu, KVM_SET_MP_STATE, &mp));
	mp.mp_state = 99;
	EXPECT_EQ(-1, ioctl(h.vcpu, KVM_SET_MP_STATE, &mp));
	EXPECT_EQ(EINVAL, errno);
	vmh_fini(&h);
}

static void check_stats_fd(struct __test_metadata *_metadata, int fd)
{
	struct kvm_stats_header hdr;
	struct stat st;
	__u64 v;

	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(hdr), pread(fd, &hdr, sizeof(hdr), 0));
	EXPECT_LT(0, hdr.num_desc);
	EXPECT_LT(0, hdr.name_size);
	EXPECT_LE(sizeof(hdr), hdr.id_offset);
	EXPECT_LE(hdr.id_offset + hdr.name_size, hdr.desc_offset);
	EXPECT_LE(hdr.desc_offset + hdr.num_desc *
		  (sizeof(struct kvm_stats_desc) + hdr.name_size), hdr.data_offset);
	EXPECT_EQ(sizeof(v), pread(fd, &v, sizeof(v), hdr.data_offset));
	EXPECT_EQ(0, fstat(fd, &st));
	close(fd);
}

TEST_F(cap, binary_stats_fd)
{
	struct vmh h;

	if (!cap(self->fd, KVM_CAP_BINARY_STATS_FD))
		SKIP(return, "not advertised");
	ASSERT_EQ(0, vmh_init(&h, self->fd));
	check_stats_fd(_metadata, ioctl(h.vm, KVM_GET_STATS_FD, 0));
	check_stats_fd(_metadata, ioctl(h.vcpu, KVM_GET_STATS_FD, 0));
	vmh_fini(&h);
}

TEST_F(cap, get_msr_features)
{
	struct {
		struct kvm_msr_list hdr;
		__u32 idx[256];
	} l = { .hdr.nmsrs = 256 };
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[256];
	} m;
	unsigned int i;

	if (!cap(self->fd, KVM_CAP_GET_MSR_FEATURES))
		SKIP(return, "not advertised");
	/* Every feature MSR listed reads through the system fd. */
	ASSERT_EQ(0, ioctl(self->fd, KVM_GET_MSR_FEATURE_INDEX_LIST, &l));
	ASSERT_LT(0, l.hdr.nmsrs);
	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = l.hdr.nmsrs;
	for (i = 0; i < l.hdr.nmsrs; i++)
		m.e[i].index = l.idx[i];
	EXPECT_EQ(l.hdr.nmsrs, ioctl(self->fd, KVM_GET_MSRS, &m));
}

/* Opens enough fds for @n vCPUs. */
static void want_fds(struct __test_metadata *_metadata, long n)
{
	struct rlimit r;

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &r));
	if (r.rlim_cur < (rlim_t)n + 64) {
		r.rlim_cur = n + 64;
		if (r.rlim_max < r.rlim_cur)
			r.rlim_max = r.rlim_cur;
		ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &r));
	}
}

TEST_F(cap, max_vcpus)
{
	long max = cap(self->fd, KVM_CAP_MAX_VCPUS);
	long nr = cap(self->fd, KVM_CAP_NR_VCPUS);
	long max_id = cap(self->fd, KVM_CAP_MAX_VCPU_ID);
	int vm, *fds;
	long i;

	/* The recommended count is at most the maximum, which ids allow. */
	ASSERT_LT(0, nr);
	ASSERT_LE(nr, max);
	ASSERT_LE(max, max_id);
	want_fds(_metadata, max);
	fds = calloc(max, sizeof(*fds));
	ASSERT_NE(NULL, fds);
	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	for (i = 0; i < max; i++) {
		fds[i] = ioctl(vm, KVM_CREATE_VCPU, i);
		ASSERT_LE(0, fds[i]) TH_LOG("vCPU %ld of %ld: %s", i, max,
					    strerror(errno));
	}
	/* One more is refused (with the next id: a new one, if in range). */
	EXPECT_EQ(-1, ioctl(vm, KVM_CREATE_VCPU, max));
	EXPECT_EQ(EINVAL, errno);
	for (i = 0; i < max; i++)
		close(fds[i]);
	close(vm);
	free(fds);
}

TEST_F(cap, max_vcpu_id)
{
	long max_id = cap(self->fd, KVM_CAP_MAX_VCPU_ID);
	int vm, vcpu;

	/* Ids go up to one below the answer. */
	ASSERT_LT(0, max_id);
	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	EXPECT_EQ(-1, ioctl(vm, KVM_CREATE_VCPU, max_id));
	EXPECT_EQ(EINVAL, errno);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, max_id - 1);
	EXPECT_LE(0, vcpu) TH_LOG("vCPU id %ld: %s", max_id - 1, strerror(errno));
	if (vcpu >= 0)
		close(vcpu);
	close(vm);
}

TEST_F(cap, nr_memslots)
{
	long nr = cap(self->fd, KVM_CAP_NR_MEMSLOTS);
	void *page = anon(PAGE);
	int vm;
	long i;

	ASSERT_LT(0, nr);
	ASSERT_NE(MAP_FAILED, page);
	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	/* Slots 0 to nr - 1, one page each, all backed by the same page. */
	for (i = 0; i < nr; i++)
		ASSERT_EQ(0, slot(vm, i, (__u64)i * PAGE, PAGE, 0, page))
			TH_LOG("slot %ld of %ld: %s", i, nr, strerror(errno));
	EXPECT_EQ(-1, slot(vm, nr, (__u64)nr * PAGE, PAGE, 0, page));
	EXPECT_EQ(EINVAL, errno);
	close(vm);
	munmap(page, PAGE);
}

/*
 * A capability that says 0 while its ioctl works is a lie too: each probe
 * is a harmless use of what the capability announces.
 */
enum probe_fd { SYS, VM, VCPU };

static const struct {
	long cap;
	enum probe_fd on;
	unsigned long ioctl;
	unsigned long arg;	/* the argument itself, not a pointer */
	bool by_value;
} probes[] = {
#define PTR(c, o, i)	{ c, o, i, 0, false }
#define VAL(c, o, i, a)	{ c, o, i, a, true }
	PTR(KVM_CAP_XSAVE, VCPU, KVM_GET_XSAVE),
	PTR(KVM_CAP_XSAVE2, VCPU, KVM_GET_XSAVE2),
	PTR(KVM_CAP_XCRS, VCPU, KVM_GET_XCRS),
	PTR(KVM_CAP_VCPU_EVENTS, VCPU, KVM_GET_VCPU_EVENTS),
	PTR(KVM_CAP_DEBUGREGS, VCPU, KVM_GET_DEBUGREGS),
	PTR(KVM_CAP_NESTED_STATE, VCPU, KVM_GET_NESTED_STATE),
	PTR(KVM_CAP_SREGS2, VCPU, KVM_GET_SREGS2),
	VAL(KVM_CAP_GET_TSC_KHZ, VCPU, KVM_GET_TSC_KHZ, 0),
	PTR(KVM_CAP_SET_GUEST_DEBUG, VCPU, KVM_SET_GUEST_DEBUG),
	VAL(KVM_CAP_USER_NMI, VCPU, KVM_NMI, 0),
	VAL(KVM_CAP_X86_SMM, VCPU, KVM_SMI, 0),
	PTR(KVM_CAP_VAPIC, VCPU, KVM_TPR_ACCESS_REPORTING),
	PTR(KVM_CAP_HYPERV_CPUID, VCPU, KVM_GET_SUPPORTED_HV_CPUID),
	PTR(KVM_CAP_COALESCED_MMIO, VM, KVM_REGISTER_COALESCED_MMIO),
	VAL(KVM_CAP_SET_TSS_ADDR, VM, KVM_SET_TSS_ADDR, 0xfffbd000),
	PTR(KVM_CAP_SET_IDENTITY_MAP_ADDR, VM, KVM_SET_IDENTITY_MAP_ADDR),
	PTR(KVM_CAP_ADJUST_CLOCK, VM, KVM_GET_CLOCK),
	PTR(KVM_CAP_PMU_EVENT_FILTER, VM, KVM_SET_PMU_EVENT_FILTER),
	PTR(KVM_CAP_X86_MSR_FILTER, VM, KVM_X86_SET_MSR_FILTER),
	PTR(KVM_CAP_XEN_HVM, VM, KVM_XEN_HVM_CONFIG),
	PTR(KVM_CAP_MCE, SYS, KVM_X86_GET_MCE_CAP_SUPPORTED),
	PTR(KVM_CAP_EXT_EMUL_CPUID, SYS, KVM_GET_EMULATED_CPUID),
	PTR(KVM_CAP_SYS_HYPERV_CPUID, SYS, KVM_GET_SUPPORTED_HV_CPUID),
};

TEST_F(cap, zero_means_the_ioctl_is_refused)
{
	static union {
		struct kvm_cpuid2 cpuid;
		struct kvm_nested_state nested;
		struct kvm_coalesced_mmio_zone zone;
		__u64 identity_map;
		char bytes[65536];
	} arg;
	int vm = ioctl(self->fd, KVM_CREATE_VM, 0), vcpu, fd;
	unsigned int i;
	long r;

	ASSERT_LE(0, vm);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, vcpu);
	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		if (cap(self->fd, probes[i].cap))
			continue;
		/* Arguments valid for each: sizes, an MMIO range, an address. */
		memset(&arg, 0, sizeof(arg));
		arg.cpuid.nent = 64;
		if (probes[i].ioctl == KVM_GET_NESTED_STATE)
			arg.nested.size = sizeof(arg);
		if (probes[i].ioctl == KVM_REGISTER_COALESCED_MMIO)
			arg.zone = (struct kvm_coalesced_mmio_zone){
				.addr = 0xd0000000, .size = PAGE,
			};
		if (probes[i].ioctl == KVM_SET_IDENTITY_MAP_ADDR)
			arg.identity_map = 0xfffbc000;
		fd = probes[i].on == SYS ? self->fd : probes[i].on == VM ? vm : vcpu;
		r = probes[i].by_value ? ioctl(fd, probes[i].ioctl, probes[i].arg) :
					 ioctl(fd, probes[i].ioctl, &arg);
		EXPECT_EQ(-1, r) TH_LOG("capability %ld is 0 but ioctl %#lx works",
					probes[i].cap, probes[i].ioctl);
	}
	close(vcpu);
	close(vm);
}

TEST_F(dev, vcpu_mmap_size)
{
	long page = sysconf(_SC_PAGESIZE);

	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
	/* kvm_run plus the KVM_EXIT_IO data page, as KVM/x86 lays it out. */
	EXPECT_EQ(2 * page, ioctl(self->fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	EXPECT_EQ(-1, ioctl(self->fd, KVM_GET_VCPU_MMAP_SIZE, 1));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(dev, unknown_and_withdrawn_ioctls)
{
	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
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

	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
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

	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
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

	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
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
	int vm;

	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	/* KVM's answer to an unknown VM ioctl. */
	EXPECT_EQ(-1, ioctl(vm, _IO(KVMIO, 0xff), 0));
	EXPECT_EQ(ENOTTY, errno);
	/* Not implemented: refused, as an unknown ioctl. */
	EXPECT_EQ(-1, ioctl(vm, KVM_SET_MEMORY_REGION, 0));
	EXPECT_EQ(ENOTTY, errno);
	/* Implemented: the argument is read first. */
	EXPECT_EQ(-1, ioctl(vm, KVM_IRQ_LINE, 0));
	EXPECT_EQ(EFAULT, errno);
	/* System ioctls do not belong on a VM fd. */
	EXPECT_EQ(-1, ioctl(vm, KVM_CREATE_VM, 0));
	EXPECT_EQ(ENOTTY, errno);
	close(vm);
}

TEST_F(dev, vm_fd_from_another_process_is_eio)
{
	int status, vm;
	pid_t pid;

	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
	vm = ioctl(self->fd, KVM_CREATE_VM, 0);
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

	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
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

	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
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

	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
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

/*
 * The nvmx ioctls are _IOWR with their struct. A program built against a
 * header whose struct is larger (a different size in the ioctl number)
 * still reaches the command; the @size field says what it passed. Other
 * directions, the old _IO number and unknown command numbers are EINVAL.
 */
TEST_F(dev, own_ioctl_numbers)
{
	struct {
		struct nvmx_status st;
		__u8 tail[40];
	} big;
	struct nvmx_status st;

	if (!on_nvmx())
		SKIP(return, "nvmx's own device");
	EXPECT_EQ(_IOC_READ | _IOC_WRITE, _IOC_DIR(NVMX_GET_STATUS));
	EXPECT_EQ(sizeof(struct nvmx_status), _IOC_SIZE(NVMX_GET_STATUS));
	EXPECT_EQ(sizeof(struct nvmx_host_caps), _IOC_SIZE(NVMX_GET_HOST_CAPS));

	memset(&big, 0, sizeof(big));
	big.st.size = sizeof(big);
	ASSERT_EQ(0, ioctl(self->fd, _IOWR(NVMX_TYPE, NVMX_CMD_GET_STATUS,
					   big), &big));
	EXPECT_EQ(sizeof(struct nvmx_status), big.st.size);
	EXPECT_LT(0, big.st.online_cpus);

	memset(&st, 0, sizeof(st));
	st.size = NVMX_STATUS_SIZE_VER0;
	ASSERT_EQ(0, ioctl(self->fd, _IOWR(NVMX_TYPE, NVMX_CMD_GET_STATUS,
					   __u32), &st));
	EXPECT_EQ(NVMX_STATUS_SIZE_VER0, st.size);

	st.size = sizeof(st);
	EXPECT_EQ(-1, ioctl(self->fd, _IO(NVMX_TYPE, NVMX_CMD_GET_STATUS), &st));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOR(NVMX_TYPE, NVMX_CMD_GET_STATUS,
					   struct nvmx_status), &st));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOW(NVMX_TYPE, NVMX_CMD_GET_STATUS,
					   struct nvmx_status), &st));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(NVMX_TYPE, NVMX_CMD_GET_STATUS + 16,
					    struct nvmx_status), &st));
	EXPECT_EQ(EINVAL, errno);
	/* KVM's type with nvmx's command number is not nvmx's. */
	EXPECT_EQ(-1, ioctl(self->fd, _IOWR(KVMIO, NVMX_CMD_GET_STATUS,
					    struct nvmx_status), &st));
	EXPECT_EQ(EINVAL, errno);
}

TEST_HARNESS_MAIN
