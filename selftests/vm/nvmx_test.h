/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers shared by the selftests that run inside the test host (or on a
 * real VT-x machine as root). They use kselftest_harness.h for TAP output.
 */
#ifndef NVMX_TEST_H
#define NVMX_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/nvmx.h>

#define NVMX_DEV	"/dev/nvmx"
#define KVM_DEV		"/dev/kvm"
#define NVMX_KO_DEFAULT	"/lib/modules/nvmx/nvmx.ko"

static inline const char *nvmx_ko_path(void)
{
	const char *p = getenv("NVMX_KO");

	return p ? p : NVMX_KO_DEFAULT;
}

/* The device a test that also runs on kvm_intel uses ($NVMX_TEST_DEV). */
static inline const char *test_dev(void)
{
	const char *d = getenv("NVMX_TEST_DEV");

	return d ? d : NVMX_DEV;
}

static inline int nvmx_get_status(int fd, struct nvmx_status *st)
{
	memset(st, 0, sizeof(*st));
	st->size = sizeof(*st);
	return ioctl(fd, NVMX_GET_STATUS, st);
}

/* Status through a fresh fd; exits the test program if that is impossible. */
static inline struct nvmx_status nvmx_status_now(void)
{
	struct nvmx_status st;
	int fd = open(NVMX_DEV, O_RDWR | O_CLOEXEC);

	if (fd < 0 || nvmx_get_status(fd, &st)) {
		perror("nvmx status");
		exit(1);
	}
	close(fd);
	return st;
}

static inline bool path_exists(const char *p)
{
	return access(p, F_OK) == 0;
}

static inline bool module_loaded(const char *name)
{
	char p[128];

	snprintf(p, sizeof(p), "/sys/module/%s", name);
	return path_exists(p);
}

/* finit_module(2); returns 0 or -1 with errno. */
static inline int module_load(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int r, err;

	if (fd < 0)
		return -1;
	r = syscall(SYS_finit_module, fd, "", 0);
	err = errno;
	close(fd);
	errno = err;
	return r;
}

/* delete_module(2) without waiting; returns 0 or -1 with errno. */
static inline int module_unload(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

/*
 * The kernel log from now on: open /dev/kmsg at its end, later look for a
 * string in what was logged since.
 */
static inline int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

/* The last "nvmx:" record kmsg_find() read, for failure messages. */
static char kmsg_last_nvmx[512];

static inline bool kmsg_find(int fd, const char *needle)
{
	char rec[8192];
	bool found = false;
	ssize_t n;
	char *m;

	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			break;
		rec[n] = '\0';
		if (strstr(rec, needle))
			found = true;
		m = strstr(rec, "nvmx:");
		if (m)
			snprintf(kmsg_last_nvmx, sizeof(kmsg_last_nvmx), "%s", m);
	}
	return found;
}

/*
 * The first record since @fd was opened (or last read) that says the kernel
 * went wrong (WARN, BUG, oops, lockup, stall, sanitizer, allocation
 * failure...), as one line, or NULL.
 */
static inline const char *kmsg_problem(int fd)
{
	static const char *const bad[] = {
		"WARNING:", "BUG:", "BUG at", "Oops", "general protection", "soft lockup",
		"hard LOCKUP", "hung task", "blocked for more than", "rcu_sched self-detected",
		"rcu: INFO:", "detected stall", "Call Trace:", "UBSAN:", "KASAN:",
		"page allocation failure", "vmalloc error", "Out of memory", "Kernel panic",
		"stack-protector", "buffer overflow", NULL
	};
	static char rec[1024];
	unsigned int i;
	ssize_t n;

	if (fd < 0)
		return NULL;
	for (;;) {
		n = read(fd, rec, sizeof(rec) - 1);
		if (n < 0 && errno == EPIPE)
			continue;
		if (n <= 0)
			return NULL;
		rec[n] = 0;
		for (i = 0; bad[i]; i++)
			if (strstr(rec, bad[i])) {
				rec[strcspn(rec, "\n")] = 0;
				return rec;
			}
	}
}

/*
 * A child process that creates a VM on @dev and keeps it until told to go:
 * the way to make another hypervisor (or nvmx itself) hold VMX.
 */
struct vm_holder {
	pid_t pid;
	int go;
	bool created;
	int err;	/* errno of the failed open or KVM_CREATE_VM */
};

static inline int vm_holder_start(struct vm_holder *h, const char *dev)
{
	int to_child[2], to_parent[2];
	char c;

	if (pipe(to_child) || pipe(to_parent))
		return -1;
	h->pid = fork();
	if (h->pid < 0)
		return -1;
	if (h->pid == 0) {
		unsigned char r;
		int fd, vm;

		/* Only the parent may hold the write end, or EOF never comes. */
		close(to_child[1]);
		close(to_parent[0]);
		fd = open(dev, O_RDWR);
		vm = fd < 0 ? -1 : ioctl(fd, KVM_CREATE_VM, 0);
		r = vm >= 0 ? 0 : (unsigned char)errno;
		if (write(to_parent[1], &r, 1) != 1)
			_exit(2);
		if (read(to_child[0], &c, 1) < 0)
			_exit(2);
		_exit(vm >= 0 ? 0 : 1);
	}
	close(to_child[0]);
	close(to_parent[1]);
	h->go = to_child[1];
	if (read(to_parent[0], &c, 1) != 1)
		c = (char)EPIPE;
	close(to_parent[0]);
	h->err = (unsigned char)c;
	h->created = !h->err;
	return 0;
}

/* Lets the holder close its VM and exit; returns its exit status. */
static inline int vm_holder_stop(struct vm_holder *h)
{
	int status = 0;

	close(h->go);
	if (waitpid(h->pid, &status, 0) != h->pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * A VM with one vCPU, @mem_size bytes of anonymous guest memory at GPA 0
 * (slot 0) and the vCPU's kvm_run mapped: what most raw-ioctl tests start
 * from, on test_dev().
 */
struct test_vm {
	int dev, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	unsigned char *mem;
	size_t mem_size;
};

/* Returns NULL, or the step that failed (errno says why). */
static inline const char *test_vm_open(struct test_vm *v, size_t mem_size)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = mem_size,
	};

	memset(v, 0, sizeof(*v));
	v->dev = -1;
	v->vm = -1;
	v->vcpu = -1;
	v->mem_size = mem_size;
	v->dev = open(test_dev(), O_RDWR | O_CLOEXEC);
	if (v->dev < 0)
		return test_dev();
	v->vm = ioctl(v->dev, KVM_CREATE_VM, 0);
	if (v->vm < 0)
		return "KVM_CREATE_VM";
	v->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (v->mem == MAP_FAILED) {
		v->mem = NULL;
		return "mmap of guest memory";
	}
	region.userspace_addr = (unsigned long)v->mem;
	if (ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region))
		return "KVM_SET_USER_MEMORY_REGION";
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	if (v->vcpu < 0)
		return "KVM_CREATE_VCPU";
	v->run_size = ioctl(v->dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	if (v->run == MAP_FAILED) {
		v->run = NULL;
		return "mmap of kvm_run";
	}
	return NULL;
}

/*
 * Puts the vCPU in real mode at 0:@rip with flat CS and DS (base 0),
 * RFLAGS 2 and the stack at @rsp. Returns NULL or the step that failed.
 */
static inline const char *test_vm_real_mode(struct test_vm *v,
					    unsigned long rip,
					    unsigned long rsp)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	if (ioctl(v->vcpu, KVM_GET_SREGS, &sregs))
		return "KVM_GET_SREGS";
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	if (ioctl(v->vcpu, KVM_SET_SREGS, &sregs))
		return "KVM_SET_SREGS";
	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rflags = 2;
	regs.rsp = rsp;
	if (ioctl(v->vcpu, KVM_SET_REGS, &regs))
		return "KVM_SET_REGS";
	return NULL;
}

static inline void test_vm_close(struct test_vm *v)
{
	if (v->run)
		munmap(v->run, v->run_size);
	if (v->vcpu >= 0)
		close(v->vcpu);
	if (v->vm >= 0)
		close(v->vm);
	if (v->dev >= 0)
		close(v->dev);
	if (v->mem)
		munmap(v->mem, v->mem_size);
}

/* The data of the vCPU's last KVM_EXIT_IO. */
static inline unsigned char *test_vm_io_data(struct test_vm *v)
{
	return (unsigned char *)v->run + v->run->io.data_offset;
}

/*
 * Runs the vCPU until the guest halts (KVM_EXIT_HLT), answering its OUTs:
 * each one's data (up to 4 bytes, zero-extended) goes to @out. Returns how
 * many OUTs there were, or -1 on a failed KVM_RUN, any other exit, an IN,
 * or more than @max OUTs.
 */
static inline int test_vm_run_to_hlt(struct test_vm *v, __u32 *out, int max)
{
	int n = 0;

	for (;;) {
		if (ioctl(v->vcpu, KVM_RUN, 0))
			return -1;
		if (v->run->exit_reason == KVM_EXIT_HLT)
			return n;
		if (v->run->exit_reason != KVM_EXIT_IO ||
		    v->run->io.direction != KVM_EXIT_IO_OUT || n == max)
			return -1;
		out[n] = 0;
		memcpy(&out[n], test_vm_io_data(v),
		       v->run->io.size < 4 ? v->run->io.size : 4);
		n++;
	}
}

/*
 * Sums the numbers after @key on the lines of @file that start with it
 * (leading blanks skipped), e.g. "nr_free_pages" over /proc/zoneinfo.
 */
static inline long long proc_sum(const char *file, const char *key)
{
	size_t klen = strlen(key);
	char line[512], *p;
	long long sum = 0, v;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		p = line + strspn(line, " \t");
		if (strncmp(p, key, klen) || sscanf(p + klen, "%lld", &v) != 1)
			continue;
		sum += v;
	}
	fclose(f);
	return sum;
}

/* Sums the active_objs column of /proc/slabinfo. */
static inline long long slab_objects(void)
{
	char line[512], name[128];
	long long sum = 0, v;
	FILE *f = fopen("/proc/slabinfo", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%127s %lld", name, &v) == 2 && name[0] != '#')
			sum += v;
	fclose(f);
	return sum;
}

/* What leak checks compare across module unloads. */
struct mem_snapshot {
	long long free_pages;	/* buddy free plus per-CPU lists */
	long long slab_kb;	/* unreclaimable slab */
	long long slab_objs;	/* objects in use over all caches */
};

/*
 * Drops the page cache and waits @settle_ms for RCU-deferred frees to
 * finish, then counts.
 */
static inline struct mem_snapshot mem_snapshot(unsigned int settle_ms)
{
	struct mem_snapshot s;
	int fd;

	sync();
	fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
	if (fd >= 0) {
		if (write(fd, "3", 1) != 1)
			perror("drop_caches");
		close(fd);
	}
	usleep(settle_ms * 1000);
	/* Pages on per-CPU lists are free, but not in nr_free_pages. */
	s.free_pages = proc_sum("/proc/zoneinfo", "nr_free_pages ") +
		       proc_sum("/proc/zoneinfo", "count: ");
	s.slab_kb = proc_sum("/proc/meminfo", "SUnreclaim:");
	s.slab_objs = slab_objects();
	return s;
}

#endif /* NVMX_TEST_H */
