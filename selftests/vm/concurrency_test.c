// SPDX-License-Identifier: GPL-2.0
/*
 * Several VMs with several vCPUs running at once, each in its own thread,
 * with their memory kept apart; and guest FPU state surviving while another
 * thread uses the same registers on the same CPU. $NVMX_TEST_DEV picks the
 * device (default /dev/nvmx).
 */
#include <pthread.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "nvmx_test.h"

#define SNIPPET(name) extern const unsigned char name[], name##_end[]
SNIPPET(g_count_out);
SNIPPET(g_fpu_keep);

#define MEM_SIZE	0x4000
#define CODE_GPA	0x1000
#define NR_VMS		2
#define VCPUS_PER_VM	2
#define OUTS		200

struct guest {
	int vm;
	int vcpu;
	struct kvm_run *run;
	unsigned char *mem;
	unsigned long rcx, rbx;
	int err;		/* 0, or what went wrong */
	unsigned int outs;	/* OUT 0x17 exits seen */
	__u32 last;		/* the last count the guest sent */
	__u32 xmm;		/* what g_fpu_keep sent */
};

/* One VM with @n vCPUs, each with its own 16 KiB of memory at GPA 0. */
static int vm_create(int dev, struct guest *g, int n,
		     const unsigned char *start, const unsigned char *end)
{
	int vm = ioctl(dev, KVM_CREATE_VM, 0);
	int size = ioctl(dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	int i;

	if (vm < 0 || size <= 0)
		return -1;
	for (i = 0; i < n; i++) {
		struct kvm_userspace_memory_region r = {
			.slot = i, .guest_phys_addr = (__u64)i << 20,
			.memory_size = MEM_SIZE,
		};
		struct kvm_sregs sregs;
		struct kvm_regs regs = { .rflags = 2 };

		g[i].vm = vm;
		g[i].mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (g[i].mem == MAP_FAILED)
			return -1;
		memcpy(g[i].mem + CODE_GPA, start, end - start);
		r.userspace_addr = (unsigned long)g[i].mem;
		if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &r))
			return -1;
		g[i].vcpu = ioctl(vm, KVM_CREATE_VCPU, i);
		if (g[i].vcpu < 0)
			return -1;
		g[i].run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED,
				g[i].vcpu, 0);
		if (g[i].run == MAP_FAILED ||
		    ioctl(g[i].vcpu, KVM_GET_SREGS, &sregs))
			return -1;
		/* vCPU i runs in the 1 MiB at i << 20: its own slot. */
		sregs.cs.base = (__u64)i << 20;
		sregs.cs.selector = i << 16 >> 4;
		sregs.ds = sregs.cs;
		sregs.ds.type = 3;
		sregs.cr0 &= ~(1UL << 2);	/* EM */
		sregs.cr4 |= 1UL << 9;		/* OSFXSR */
		if (ioctl(g[i].vcpu, KVM_SET_SREGS, &sregs))
			return -1;
		regs.rip = CODE_GPA;
		regs.rcx = g[i].rcx;
		regs.rbx = g[i].rbx;
		if (ioctl(g[i].vcpu, KVM_SET_REGS, &regs))
			return -1;
	}
	return vm;
}

static void *vcpu_thread(void *arg)
{
	struct guest *g = arg;
	struct kvm_run *run = g->run;

	for (;;) {
		if (ioctl(g->vcpu, KVM_RUN, 0)) {
			g->err = errno;
			break;
		}
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO) {
			g->err = 1000 + run->exit_reason;
			break;
		}
		if (run->io.port == 0x17) {
			memcpy(&g->last, (char *)run + run->io.data_offset, 4);
			g->outs++;
		} else if (run->io.port == 0x16) {
			memcpy(&g->xmm, (char *)run + run->io.data_offset, 4);
		}
	}
	return NULL;
}

TEST(several_vms_several_vcpus_at_once)
{
	struct guest g[NR_VMS][VCPUS_PER_VM];
	pthread_t t[NR_VMS][VCPUS_PER_VM];
	int dev, v, i;
	__u32 stored;

	memset(g, 0, sizeof(g));
	dev = open(test_dev(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	for (v = 0; v < NR_VMS; v++) {
		for (i = 0; i < VCPUS_PER_VM; i++)
			g[v][i].rcx = OUTS + v * 10 + i;
		ASSERT_LE(0, vm_create(dev, g[v], VCPUS_PER_VM, g_count_out,
				       g_count_out_end));
	}
	for (v = 0; v < NR_VMS; v++)
		for (i = 0; i < VCPUS_PER_VM; i++)
			ASSERT_EQ(0, pthread_create(&t[v][i], NULL, vcpu_thread,
						    &g[v][i]));
	for (v = 0; v < NR_VMS; v++)
		for (i = 0; i < VCPUS_PER_VM; i++)
			pthread_join(t[v][i], NULL);
	for (v = 0; v < NR_VMS; v++) {
		for (i = 0; i < VCPUS_PER_VM; i++) {
			EXPECT_EQ(0, g[v][i].err) TH_LOG("VM %d vCPU %d", v, i);
			EXPECT_EQ(g[v][i].rcx, g[v][i].outs);
			EXPECT_EQ(g[v][i].rcx, g[v][i].last);
			/* Each count landed in that vCPU's own memory only. */
			memcpy(&stored, g[v][i].mem + 0x3000, 4);
			EXPECT_EQ(g[v][i].rcx, stored);
			close(g[v][i].vcpu);
		}
		close(g[v][0].vm);
	}
	close(dev);
}

static int stop_fpu_thief;
static int fpu_thief_saw_own;

/* Keeps its own value in XMM3 and checks it is still there after yields. */
static void *fpu_thief(void *arg)
{
	unsigned int mine = 0xdeadbeef, seen;
	int ok = 1;

	while (!__atomic_load_n(&stop_fpu_thief, __ATOMIC_ACQUIRE)) {
		asm volatile("movd %0, %%xmm3" : : "r"(mine) : "xmm3");
		sched_yield();
		asm volatile("movd %%xmm3, %0" : "=r"(seen) : : "xmm3");
		if (seen != mine)
			ok = 0;
	}
	__atomic_store_n(&fpu_thief_saw_own, ok, __ATOMIC_RELEASE);
	return NULL;
}

TEST(guest_fpu_survives_preemption)
{
	struct guest g[1];
	cpu_set_t one;
	pthread_t thief;
	int dev;

	/* Both threads on one CPU, so they must take turns on its FPU. */
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	ASSERT_EQ(0, sched_setaffinity(0, sizeof(one), &one));
	memset(g, 0, sizeof(g));
	g[0].rbx = 0x12345678;
	g[0].rcx = 20000000;
	dev = open(test_dev(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, dev);
	ASSERT_LE(0, vm_create(dev, g, 1, g_fpu_keep, g_fpu_keep_end));
	__atomic_store_n(&stop_fpu_thief, 0, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_create(&thief, NULL, fpu_thief, NULL));
	vcpu_thread(&g[0]);
	__atomic_store_n(&stop_fpu_thief, 1, __ATOMIC_RELEASE);
	pthread_join(thief, NULL);
	EXPECT_EQ(0, g[0].err);
	EXPECT_EQ(0x12345678, g[0].xmm);
	EXPECT_TRUE(__atomic_load_n(&fpu_thief_saw_own, __ATOMIC_ACQUIRE));
	close(g[0].vcpu);
	close(g[0].vm);
	close(dev);
}

TEST_HARNESS_MAIN
