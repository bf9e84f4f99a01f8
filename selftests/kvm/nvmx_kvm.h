/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for our libkvm programs, which run on kvm_intel and, through
 * nvmx-run, on nvmx bound over /dev/kvm.
 */
#ifndef NVMX_KVM_H
#define NVMX_KVM_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kvm_util.h"

#include <linux/nvmx.h>

/* nvmx answers its own ioctl on the /dev/kvm it is bound over. */
static inline bool on_nvmx(void)
{
	struct nvmx_status st = { .size = sizeof(st) };
	int fd = open_kvm_dev_path_or_exit();
	bool ret = !ioctl(fd, NVMX_GET_STATUS, &st);

	close(fd);
	return ret;
}

/*
 * NVMX_GET_EXIT_COUNTS on @vcpu (nvmx only: kvm_intel answers EINVAL),
 * zeroing the counts after the read if @reset. Returns 0 or an errno.
 */
static inline int nvmx_exit_counts(struct kvm_vcpu *vcpu,
				   struct nvmx_exit_counts *c, bool reset)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->flags = reset ? NVMX_EXIT_COUNTS_RESET : 0;
	return ioctl(vcpu->fd, NVMX_GET_EXIT_COUNTS, c) ? errno : 0;
}

/*
 * Element @idx of the vCPU stat @name (of at most 256) into @val, from a
 * stats fd of its own; false when the device has no such element.
 */
static inline bool vcpu_stat_get(struct kvm_vcpu *vcpu, const char *name,
				 unsigned int idx, u64 *val)
{
	struct kvm_stats_header header;
	struct kvm_stats_desc *descs, *desc;
	bool found = false;
	u64 buf[256];
	unsigned int i;
	int fd;

	fd = vcpu_get_stats_fd(vcpu);
	read_stats_header(fd, &header);
	descs = read_stats_descriptors(fd, &header);
	for (i = 0; i < header.num_desc; i++) {
		desc = get_stats_descriptor(descs, i, &header);
		if (!strcmp(desc->name, name) && idx < desc->size &&
		    desc->size <= 256) {
			read_stat_data(fd, &header, desc, buf, desc->size);
			*val = buf[idx];
			found = true;
			break;
		}
	}
	free(descs);
	close(fd);
	return found;
}

/* run_to()'s stage for GUEST_DONE. */
#define RUN_TO_DONE	(~0ull)

/*
 * Runs @vcpu to its next ucall, which must be GUEST_SYNC(@stage), or
 * GUEST_DONE for RUN_TO_DONE; a guest assertion fails the test here.
 */
static inline struct ucall run_to(struct kvm_vcpu *vcpu, u64 stage)
{
	struct ucall uc;
	u64 cmd;

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
		    "exit reason %u (%s), want KVM_EXIT_IO",
		    vcpu->run->exit_reason, exit_reason_str(vcpu->run->exit_reason));
	cmd = get_ucall(vcpu, &uc);
	if (cmd == UCALL_ABORT)
		REPORT_GUEST_ASSERT_2(uc, "values: %#lx, %#lx");
	if (stage == RUN_TO_DONE)
		TEST_ASSERT(cmd == UCALL_DONE, "ucall %lu, want done", cmd);
	else
		TEST_ASSERT(cmd == UCALL_SYNC && uc.args[1] == stage,
			    "ucall %lu stage %lu, want sync %lu", cmd, uc.args[1], stage);
	return uc;
}

/* Where the tests that check nvmx's tracepoints find them. */
#define TRACING "/sys/kernel/tracing"

/* Writes @s over a tracefs (or sysfs) file: 0, or -1 if that fails. */
static inline int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_TRUNC);
	int r;

	if (fd < 0)
		return -1;
	r = write(fd, s, strlen(s)) == (ssize_t)strlen(s) ? 0 : -1;
	close(fd);
	return r;
}

/*
 * For a program's --table mode: runs this program again with no arguments,
 * on nvmx through the nvmx-run beside it when @via_nvmx_run, else on
 * kvm_intel. Each line of its stdout goes to @line; a line @line does not
 * take is the run's log and goes to stderr after "@dev: ", off the table.
 * Returns the run's exit code (128 + the signal that killed it).
 */
static inline int run_self(const char *prog, const char *dev, bool via_nvmx_run,
			   bool (*line)(const char *s, void *arg), void *arg)
{
	char self[PATH_MAX], nvmx_run[PATH_MAX + 16], buf[512];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int fds[2], st, status;
	char *slash;
	FILE *f;
	pid_t pid;

	TEST_ASSERT(n > 0, "readlink /proc/self/exe: %s", strerror(errno));
	self[n] = 0;
	slash = strrchr(self, '/');
	TEST_ASSERT(slash, "no directory in %s", self);
	snprintf(nvmx_run, sizeof(nvmx_run), "%.*s/nvmx-run", (int)(slash - self), self);

	TEST_ASSERT(!pipe(fds), "pipe: %s", strerror(errno));
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork: %s", strerror(errno));
	if (!pid) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		if (via_nvmx_run)
			execl(nvmx_run, nvmx_run, self, (char *)NULL);
		else
			execl(self, self, (char *)NULL);
		fprintf(stderr, "%s: exec for %s: %s\n", prog, dev, strerror(errno));
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	TEST_ASSERT(f, "fdopen: %s", strerror(errno));
	while (fgets(buf, sizeof(buf), f))
		if (!line(buf, arg))
			fprintf(stderr, "%s: %s", dev, buf);
	fclose(f);
	TEST_ASSERT(waitpid(pid, &st, 0) == pid, "waitpid: %s", strerror(errno));
	status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	fprintf(stderr, "%s: %s: exit %d\n", prog, dev, status);
	return status;
}

#endif /* NVMX_KVM_H */
