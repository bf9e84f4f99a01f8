// SPDX-License-Identifier: GPL-2.0
/*
 * exit_bench [DEV...]: TSC ticks per L1 exit round trip, measured by the
 * guest itself (RDTSC around N exits of one kind, minus the same loop with
 * no exit), for CPUID and RDMSR (handled in the kernel) and OUT (to
 * userspace and back). Each device (default /dev/nvmx and /dev/kvm) runs
 * the same real-mode guests; the output is a Markdown table. A benchmark,
 * not a test: it asserts only that each run did what it should.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/kvm.h>

#define SNIPPET(name) extern const unsigned char name[], name##_end[]
SNIPPET(g_bench_cpuid);
SNIPPET(g_bench_rdmsr);
SNIPPET(g_bench_pio);
SNIPPET(g_bench_none);

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define MEM_SIZE	0x4000
#define CODE_GPA	0x1000
#define ITERATIONS	1000

struct bench {
	const char *name;
	const unsigned char *start, *end;
};

static const struct bench benches[] = {
	{ "none", g_bench_none, g_bench_none_end },
	{ "CPUID", g_bench_cpuid, g_bench_cpuid_end },
	{ "RDMSR", g_bench_rdmsr, g_bench_rdmsr_end },
	{ "OUT to userspace", g_bench_pio, g_bench_pio_end },
};

static void die(const char *what)
{
	fprintf(stderr, "exit_bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* Runs one benchmark guest; returns the guest's TSC delta. */
static unsigned long long run_bench(const char *dev, const struct bench *b)
{
	struct kvm_userspace_memory_region region = { .memory_size = MEM_SIZE };
	unsigned long long lo = 0, hi = 0;
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_run *run;
	int fd, vm, vcpu;
	unsigned char *mem;
	int size, done = 0;

	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die(dev);
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memcpy(mem + CODE_GPA, b->start, b->end - b->start);
	region.userspace_addr = (unsigned long)mem;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	size = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || size <= 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs))
		die("KVM_SET_SREGS");
	memset(&regs, 0, sizeof(regs));
	regs.rip = CODE_GPA;
	regs.rflags = 2;
	regs.rcx = ITERATIONS;
	if (ioctl(vcpu, KVM_SET_REGS, &regs))
		die("KVM_SET_REGS");

	while (!done) {
		unsigned int v;

		if (ioctl(vcpu, KVM_RUN, 0))
			die("KVM_RUN");
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		if (run->exit_reason != KVM_EXIT_IO) {
			fprintf(stderr, "exit_bench: %s on %s: exit reason %u\n",
				b->name, dev, run->exit_reason);
			exit(1);
		}
		memcpy(&v, (char *)run + run->io.data_offset, 4);
		if (run->io.port == 0x40)
			lo = v;
		else if (run->io.port == 0x41)
			hi = v;
	}
	munmap(run, size);
	close(vcpu);
	close(vm);
	close(fd);
	munmap(mem, MEM_SIZE);
	return lo | hi << 32;
}

int main(int argc, char **argv)
{
	static const char * const defaults[] = { "/dev/nvmx", "/dev/kvm" };
	const char * const *devs = argc > 1 ? (const char * const *)argv + 1 :
				   defaults;
	int ndev = argc > 1 ? argc - 1 : 2;
	unsigned long long base[8], t;
	unsigned int i;
	int d;

	printf("| exit (%d per run) |", ITERATIONS);
	for (d = 0; d < ndev; d++)
		printf(" %s |", devs[d]);
	printf("\n|---|");
	for (d = 0; d < ndev; d++)
		printf("---|");
	printf("\n");
	for (d = 0; d < ndev && d < 8; d++)
		base[d] = run_bench(devs[d], &benches[0]);
	for (i = 1; i < ARRAY_SIZE(benches); i++) {
		printf("| %s |", benches[i].name);
		for (d = 0; d < ndev && d < 8; d++) {
			t = run_bench(devs[d], &benches[i]);
			printf(" %llu |", (t - base[d]) / ITERATIONS);
		}
		printf("\n");
	}
	printf("| (loop without exits, whole run) |");
	for (d = 0; d < ndev && d < 8; d++)
		printf(" %llu |", base[d]);
	printf("\n");
	return 0;
}
