// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_STATS_FD on a VM fd: the binary stats file (header, id,
 * descriptors, data) as KVM lays it out, reads at any position and length,
 * what the fd refuses, and its lifetime: it keeps the VM (and the module)
 * alive after the VM fd is closed, and drops the VM when it goes.
 */
#include <limits.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "kselftest_harness.h"
#include "nvmx_test.h"

#define NAME_SIZE	48		/* what KVM uses, and nvmx */
#define DESC_SIZE	(sizeof(struct kvm_stats_desc) + NAME_SIZE)
#define MAX_FILE	65536

/* The whole file through pread() at 0; returns its size or -1. */
static ssize_t read_whole(int fd, unsigned char *buf)
{
	return pread(fd, buf, MAX_FILE, 0);
}

static struct kvm_stats_desc *desc_at(unsigned char *file,
				      const struct kvm_stats_header *h,
				      unsigned int i)
{
	return (struct kvm_stats_desc *)(file + h->desc_offset + i * DESC_SIZE);
}

/* The descriptor named @name, or NULL. */
static struct kvm_stats_desc *find_desc(unsigned char *file, const char *name)
{
	struct kvm_stats_header *h = (struct kvm_stats_header *)file;
	unsigned int i;

	for (i = 0; i < h->num_desc; i++) {
		if (!strcmp(desc_at(file, h, i)->name, name))
			return desc_at(file, h, i);
	}
	return NULL;
}

static __u64 stat_value(unsigned char *file, const char *name)
{
	struct kvm_stats_header *h = (struct kvm_stats_header *)file;
	struct kvm_stats_desc *d = find_desc(file, name);
	__u64 v;

	memcpy(&v, file + h->data_offset + d->offset, sizeof(v));
	return v;
}

static int nvmx_open_vm(int *dev)
{
	*dev = open(NVMX_DEV, O_RDWR | O_CLOEXEC);
	return *dev < 0 ? -1 : ioctl(*dev, KVM_CREATE_VM, 0);
}

FIXTURE(stats) {
	int dev;
	int vm;
	int fd;
	unsigned char file[MAX_FILE];
	ssize_t size;
};

FIXTURE_SETUP(stats)
{
	self->vm = nvmx_open_vm(&self->dev);
	ASSERT_LE(0, self->vm) TH_LOG("VM: %s", strerror(errno));
	self->fd = ioctl(self->vm, KVM_GET_STATS_FD, 0);
	ASSERT_LE(0, self->fd) TH_LOG("KVM_GET_STATS_FD: %s", strerror(errno));
	self->size = read_whole(self->fd, self->file);
	ASSERT_LT(0, self->size);
	ASSERT_GT(MAX_FILE, self->size);
}

FIXTURE_TEARDOWN(stats)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->vm >= 0)
		close(self->vm);
	close(self->dev);
}

TEST(capability_is_advertised)
{
	int dev, vm = nvmx_open_vm(&dev);

	ASSERT_LE(0, vm);
	EXPECT_EQ(1, ioctl(dev, KVM_CHECK_EXTENSION, KVM_CAP_BINARY_STATS_FD));
	EXPECT_EQ(1, ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_BINARY_STATS_FD));
	close(vm);
	close(dev);
}

TEST_F(stats, fd_is_a_read_only_cloexec_anon_inode)
{
	char path[64], link[64];
	ssize_t n;

	EXPECT_EQ(FD_CLOEXEC, fcntl(self->fd, F_GETFD) & FD_CLOEXEC);
	EXPECT_EQ(O_RDONLY, fcntl(self->fd, F_GETFL) & O_ACCMODE);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", self->fd);
	n = readlink(path, link, sizeof(link) - 1);
	ASSERT_LT(0, n);
	link[n] = '\0';
	EXPECT_STREQ("anon_inode:nvmx-stats", link);
}

/* As KVM's own test reads it: header, then the id right after, with read(). */
TEST_F(stats, header_and_id)
{
	struct kvm_stats_header h;
	char id[NAME_SIZE], want[NAME_SIZE];
	size_t i;

	ASSERT_EQ(sizeof(h), read(self->fd, &h, sizeof(h)));
	EXPECT_EQ(0, h.flags);
	EXPECT_EQ(NAME_SIZE, h.name_size);
	EXPECT_LE(2, h.num_desc);
	EXPECT_EQ(sizeof(h), h.id_offset);
	EXPECT_EQ(0, h.id_offset % 8);
	EXPECT_EQ(0, h.desc_offset % 8);
	EXPECT_EQ(0, h.data_offset % 8);
	/* The blocks follow each other without overlap. */
	EXPECT_LE(h.id_offset + h.name_size, h.desc_offset);
	EXPECT_LE(h.desc_offset + h.num_desc * DESC_SIZE, h.data_offset);
	EXPECT_LT(h.data_offset, self->size);

	ASSERT_EQ(NAME_SIZE, read(self->fd, id, sizeof(id)));
	snprintf(want, sizeof(want), "kvm-%d", getpid());
	EXPECT_STREQ(want, id);
	for (i = strlen(want); i < sizeof(id); i++)
		EXPECT_EQ(0, id[i]) TH_LOG("id byte %zu", i);
}

TEST_F(stats, descriptors_obey_the_abi)
{
	struct kvm_stats_header *h = (struct kvm_stats_header *)self->file;
	size_t data_size = 0;
	unsigned int i, j;

	for (i = 0; i < h->num_desc; i++) {
		struct kvm_stats_desc *d = desc_at(self->file, h, i);
		unsigned int type = d->flags & KVM_STATS_TYPE_MASK;
		unsigned int unit = d->flags & KVM_STATS_UNIT_MASK;

		EXPECT_LT(0, strnlen(d->name, NAME_SIZE)) TH_LOG("stat %u", i);
		EXPECT_GT(NAME_SIZE, strnlen(d->name, NAME_SIZE)) TH_LOG("stat %u", i);
		for (j = 0; j < i; j++)
			EXPECT_STRNE(desc_at(self->file, h, j)->name, d->name);
		EXPECT_GE(KVM_STATS_TYPE_MAX, type) TH_LOG("%s", d->name);
		EXPECT_GE(KVM_STATS_UNIT_MAX, unit) TH_LOG("%s", d->name);
		EXPECT_GE(KVM_STATS_BASE_MAX, d->flags & KVM_STATS_BASE_MASK);
		EXPECT_EQ(0, d->flags & ~(KVM_STATS_TYPE_MASK | KVM_STATS_UNIT_MASK |
					  KVM_STATS_BASE_MASK)) TH_LOG("%s", d->name);
		EXPECT_LT(0, d->size) TH_LOG("%s", d->name);
		EXPECT_EQ(type == KVM_STATS_TYPE_LINEAR_HIST, d->bucket_size != 0)
			TH_LOG("%s", d->name);
		/* nvmx's stats follow each other in the data block. */
		EXPECT_EQ(data_size, d->offset) TH_LOG("%s", d->name);
		data_size += d->size * sizeof(__u64);
	}
	/* The file ends where the data does. */
	EXPECT_EQ(self->size, h->data_offset + data_size);
}

TEST_F(stats, nvmx_stats_are_there)
{
	struct kvm_stats_desc *d;

	d = find_desc(self->file, "nvmx_vcpus");
	ASSERT_NE(NULL, d);
	EXPECT_EQ(KVM_STATS_TYPE_INSTANT | KVM_STATS_UNIT_NONE |
		  KVM_STATS_BASE_POW10, d->flags);
	EXPECT_EQ(1, d->size);
	EXPECT_EQ(0, d->exponent);
	/* No vCPU was created. */
	EXPECT_EQ(0, stat_value(self->file, "nvmx_vcpus"));

	/* KVM's generic stat, with KVM's type. */
	d = find_desc(self->file, "remote_tlb_flush");
	ASSERT_NE(NULL, d);
	EXPECT_EQ(KVM_STATS_TYPE_CUMULATIVE | KVM_STATS_UNIT_NONE |
		  KVM_STATS_BASE_POW10, d->flags);
	EXPECT_EQ(1, d->size);
	EXPECT_EQ(0, stat_value(self->file, "remote_tlb_flush"));
}

/* Every window of the file, read with pread(), is that part of the whole. */
TEST_F(stats, reads_at_any_offset_and_length)
{
	static const size_t lens[] = {
		1, 2, 3, 7, 8, 9, 23, 24, 25, 47, 48, 49, 63, 64, 65, 100,
		256, 257, 4096, MAX_FILE,
	};
	static unsigned char buf[MAX_FILE + 1];
	off_t pos;
	size_t l;

	for (pos = 0; pos <= self->size + 8; pos++) {
		for (l = 0; l < ARRAY_SIZE(lens); l++) {
			size_t len = lens[l];
			ssize_t want = pos >= self->size ? 0 :
				       (ssize_t)len < self->size - pos ?
				       (ssize_t)len : self->size - pos;

			memset(buf, 0x5a, want + 1);
			ASSERT_EQ(want, pread(self->fd, buf, len, pos))
				TH_LOG("pos %ld len %zu", (long)pos, len);
			ASSERT_EQ(0, memcmp(buf, self->file + pos, want))
				TH_LOG("pos %ld len %zu", (long)pos, len);
			ASSERT_EQ(0x5a, buf[want]);
		}
	}
	EXPECT_EQ(0, pread(self->fd, buf, 0, 0));
}

/* read() goes on from where it stopped, whatever the piece size. */
TEST_F(stats, sequential_reads_make_up_the_file)
{
	static unsigned char buf[MAX_FILE];
	ssize_t got = 0, n;

	while ((n = read(self->fd, buf + got, 7)) > 0)
		got += n;
	EXPECT_EQ(0, n);
	EXPECT_EQ(self->size, got);
	EXPECT_EQ(0, memcmp(buf, self->file, got));
	/* At the end it stays at the end. */
	EXPECT_EQ(0, read(self->fd, buf, sizeof(buf)));
}

TEST_F(stats, read_past_end_is_empty)
{
	unsigned char buf[64];

	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), self->size));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), self->size + 1));
	EXPECT_EQ(0, pread(self->fd, buf, sizeof(buf), 1L << 40));
	EXPECT_EQ(0, pread(self->fd, buf, 1, LONG_MAX - 1));
	EXPECT_EQ(1, pread(self->fd, buf, sizeof(buf), self->size - 1));
}

/*
 * As on KVM, whose stats fds use noop_llseek: lseek() reports the position
 * and moves nothing; pread() is how to read at a position.
 */
TEST_F(stats, lseek_leaves_the_position)
{
	unsigned char buf[16];

	ASSERT_EQ(10, read(self->fd, buf, 10));
	EXPECT_EQ(10, lseek(self->fd, 0, SEEK_SET));
	EXPECT_EQ(10, lseek(self->fd, 100, SEEK_END));
	EXPECT_EQ(10, lseek(self->fd, 0, SEEK_CUR));
	ASSERT_EQ(sizeof(buf), read(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, self->file + 10, sizeof(buf)));
}

TEST_F(stats, writes_are_refused)
{
	static unsigned char again[MAX_FILE];
	unsigned char buf[8] = { 0 };

	EXPECT_EQ(-1, write(self->fd, buf, sizeof(buf)));
	EXPECT_EQ(EBADF, errno);
	/* Not pwrite()able at all, as KVM's: the VFS says so first. */
	EXPECT_EQ(-1, pwrite(self->fd, buf, sizeof(buf), 0));
	EXPECT_EQ(ESPIPE, errno);
	/* And nothing changed. */
	ASSERT_EQ(self->size, read_whole(self->fd, again));
	EXPECT_EQ(0, memcmp(again, self->file, self->size));
}

TEST_F(stats, bad_buffers_and_positions)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *p;
	ssize_t n;

	EXPECT_EQ(-1, pread(self->fd, self->file, 8, -1));
	EXPECT_EQ(EINVAL, errno);

	/* A buffer whose end runs into an inaccessible page. */
	p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, mprotect(p + page, page, PROT_NONE));
	EXPECT_EQ(-1, pread(self->fd, p + page, 8, 0));
	EXPECT_EQ(EFAULT, errno);
	/* What fits is copied and counted; the rest is not. */
	n = pread(self->fd, p + page - 5, 64, 0);
	EXPECT_LT(0, n);
	EXPECT_GE(5, n);
	EXPECT_EQ(0, memcmp(p + page - 5, self->file, n > 0 ? n : 0));
	/* A failed read() leaves the position alone. */
	EXPECT_EQ(-1, read(self->fd, p + page, 8));
	EXPECT_EQ(0, lseek(self->fd, 0, SEEK_CUR));
	munmap(p, 2 * page);
}

/* The stats fd holds the VM: it outlives the VM fd, then lets it go. */
TEST(stats_fd_outlives_the_vm_fd)
{
	static unsigned char before[MAX_FILE], after[MAX_FILE];
	int dev, vm = nvmx_open_vm(&dev), fd;
	ssize_t n;

	ASSERT_LE(0, vm);
	close(dev);
	fd = ioctl(vm, KVM_GET_STATS_FD, 0);
	ASSERT_LE(0, fd);
	n = read_whole(fd, before);
	ASSERT_LT(0, n);
	close(vm);

	/* The VM and VMX operation are still there... */
	EXPECT_EQ(1, nvmx_status_now().nr_vms);
	EXPECT_EQ(nvmx_status_now().online_cpus, nvmx_status_now().vmx_cpus);
	EXPECT_EQ(n, read_whole(fd, after));
	EXPECT_EQ(0, memcmp(before, after, n));
	/* ...until the stats fd goes. */
	close(fd);
	EXPECT_EQ(0, nvmx_status_now().nr_vms);
	EXPECT_EQ(0, nvmx_status_now().vmx_cpus);
}

TEST(many_stats_fds_and_the_last_one_frees_the_vm)
{
	int dev, vm = nvmx_open_vm(&dev), fds[64];
	unsigned char buf[64];
	size_t i;

	ASSERT_LE(0, vm);
	for (i = 0; i < ARRAY_SIZE(fds); i++) {
		fds[i] = ioctl(vm, KVM_GET_STATS_FD, 0);
		ASSERT_LE(0, fds[i]);
	}
	close(vm);
	close(dev);
	for (i = 0; i < ARRAY_SIZE(fds); i += 2)
		close(fds[i]);
	EXPECT_EQ(1, nvmx_status_now().nr_vms);
	for (i = 1; i < ARRAY_SIZE(fds); i += 2) {
		EXPECT_EQ(sizeof(buf), pread(fds[i], buf, sizeof(buf), 0));
		close(fds[i]);
	}
	EXPECT_EQ(0, nvmx_status_now().nr_vms);
}

/* KVM ignores the argument of KVM_GET_STATS_FD; so does nvmx. */
TEST(argument_is_ignored)
{
	unsigned long args[] = { 1, 0x1000, ~0UL };
	int dev, vm = nvmx_open_vm(&dev), fd;
	size_t i;

	ASSERT_LE(0, vm);
	for (i = 0; i < ARRAY_SIZE(args); i++) {
		fd = ioctl(vm, KVM_GET_STATS_FD, args[i]);
		EXPECT_LE(0, fd) TH_LOG("arg %#lx: %s", args[i], strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	close(vm);
	close(dev);
	EXPECT_EQ(0, nvmx_status_now().nr_vms);
}

/*
 * Only the VM's own process may ask for a stats fd (EIO, as for every VM
 * ioctl); a stats fd it passes on reads the same in any process, as KVM's.
 */
TEST_F(stats, other_processes)
{
	int status;
	pid_t pid;

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static unsigned char buf[MAX_FILE];
		int r = ioctl(self->vm, KVM_GET_STATS_FD, 0);

		if (r != -1 || errno != EIO)
			_exit(1);
		if (read_whole(self->fd, buf) != self->size)
			_exit(2);
		_exit(memcmp(buf, self->file, self->size) ? 3 : 0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Out of fds: EMFILE, and the reference taken for the fd is given back. */
TEST(emfile_gives_the_vm_back)
{
	struct rlimit old, low;
	int dev, vm = nvmx_open_vm(&dev), fd;

	ASSERT_LE(0, vm);
	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	low = old;
	low.rlim_cur = (vm > dev ? vm : dev) + 1;
	/* Every fd below the limit is taken, so none is left. */
	for (fd = 0; fd < (int)low.rlim_cur; fd++) {
		if (fcntl(fd, F_GETFD) < 0)
			ASSERT_EQ(fd, dup2(dev, fd));
	}
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &low));
	EXPECT_EQ(-1, ioctl(vm, KVM_GET_STATS_FD, 0));
	EXPECT_EQ(EMFILE, errno);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));

	fd = ioctl(vm, KVM_GET_STATS_FD, 0);
	EXPECT_LE(0, fd);
	close(fd);
	close(vm);
	close(dev);
	EXPECT_EQ(0, nvmx_status_now().nr_vms);
}

/* The module stays while only a stats fd is open. */
TEST(stats_fd_pins_the_module)
{
	int dev, vm = nvmx_open_vm(&dev), fd;

	ASSERT_LE(0, vm);
	fd = ioctl(vm, KVM_GET_STATS_FD, 0);
	ASSERT_LE(0, fd);
	close(vm);
	close(dev);
	EXPECT_EQ(-1, module_unload("nvmx"));
	EXPECT_EQ(EWOULDBLOCK, errno);
	if (!module_loaded("nvmx"))
		ASSERT_EQ(0, module_load(nvmx_ko_path()));
	close(fd);
	EXPECT_EQ(0, nvmx_status_now().nr_vms);
}

TEST_HARNESS_MAIN
