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

#endif /* NVMX_TEST_H */
