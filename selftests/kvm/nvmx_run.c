// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx-run PROGRAM [ARGS...]
 *
 * Runs PROGRAM with /dev/nvmx where /dev/kvm is, so that programs with
 * /dev/kvm built in (KVM's selftest library among them) drive nvmx. The
 * switch is a bind mount in a mount namespace of PROGRAM's own: nothing
 * outside it sees the change, and it goes away with PROGRAM.
 *
 * Without /dev/kvm (kvm_intel not loaded) there is no node to bind over,
 * and creating one in /dev would change it for everyone. Instead, inside
 * the private namespace, /dev becomes a tmpfs that holds a bind mount of
 * every entry of the real /dev, plus a kvm entry bound to /dev/nvmx.
 *
 * Exit status, when PROGRAM does not run:
 *   2    usage
 *   3    unshare(CLONE_NEWNS) failed, or making / private did
 *   4    /dev/nvmx is missing (KSFT_SKIP: whatever PROGRAM tests is skipped)
 *   5    a mount failed: binding /dev/nvmx or building the private /dev
 *   126  PROGRAM could not be executed; 127 it was not found (as in sh)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define NVMX_RUN_USAGE		2
#define NVMX_RUN_UNSHARE	3
#define NVMX_RUN_NO_NVMX	4
#define NVMX_RUN_MOUNT		5
#define NVMX_RUN_NOEXEC		126
#define NVMX_RUN_NOTFOUND	127

#define NVMX_DEV_DIR	"/dev"
#define NVMX_DEV_NVMX	"/dev/nvmx"
#define NVMX_DEV_KVM	"/dev/kvm"

static void nvmx_run_err(const char *what, const char *path)
{
	fprintf(stderr, "nvmx-run: %s %s: %s\n", what, path, strerror(errno));
}

/* Binds the entry @name of the directory @from_dir onto /dev/@name. */
static int nvmx_bind_entry(int from_dir, int to_dir, const char *name)
{
	char target[PATH_MAX], link[PATH_MAX];
	struct stat st;
	ssize_t len;
	int tree, fd;

	if (fstatat(from_dir, name, &st, AT_SYMLINK_NOFOLLOW))
		return -1;
	snprintf(target, sizeof(target), NVMX_DEV_DIR "/%s", name);

	/* A symlink (/dev/fd, /dev/stdin, ...) is copied, not bound. */
	if (S_ISLNK(st.st_mode)) {
		len = readlinkat(from_dir, name, link, sizeof(link) - 1);
		if (len < 0)
			return -1;
		link[len] = '\0';
		return symlinkat(link, to_dir, name);
	}

	/* A mount needs a mount point of the same kind to go on. */
	if (S_ISDIR(st.st_mode)) {
		if (mkdirat(to_dir, name, 0755))
			return -1;
	} else {
		fd = openat(to_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd < 0)
			return -1;
		close(fd);
	}

	/* Recursive, so that /dev/pts, /dev/shm and the like come along. */
	tree = open_tree(from_dir, name, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
			 AT_RECURSIVE | AT_SYMLINK_NOFOLLOW);
	if (tree < 0)
		return -1;
	if (move_mount(tree, "", AT_FDCWD, target, MOVE_MOUNT_F_EMPTY_PATH)) {
		close(tree);
		return -1;
	}
	close(tree);
	return 0;
}

/*
 * Puts a tmpfs over /dev (in this namespace only) that holds what /dev
 * held, plus an empty kvm entry for /dev/nvmx to be bound onto.
 */
static int nvmx_private_dev(void)
{
	int from_dir, to_dir, fd, ret = -1;
	struct dirent *e;
	DIR *d;

	/* Opened before the tmpfs covers it, so it still reaches the real one. */
	from_dir = open(NVMX_DEV_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (from_dir < 0) {
		nvmx_run_err("cannot open", NVMX_DEV_DIR);
		return -1;
	}
	d = fdopendir(dup(from_dir));
	if (!d) {
		nvmx_run_err("cannot read", NVMX_DEV_DIR);
		goto out_from;
	}
	if (mount("tmpfs", NVMX_DEV_DIR, "tmpfs", MS_NOSUID, "mode=0755")) {
		nvmx_run_err("cannot mount a tmpfs on", NVMX_DEV_DIR);
		goto out_dir;
	}
	to_dir = open(NVMX_DEV_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (to_dir < 0) {
		nvmx_run_err("cannot open the private", NVMX_DEV_DIR);
		goto out_dir;
	}

	errno = 0;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (nvmx_bind_entry(from_dir, to_dir, e->d_name)) {
			fprintf(stderr, "nvmx-run: cannot carry over /dev/%s: %s\n",
				e->d_name, strerror(errno));
			goto out_to;
		}
		errno = 0;
	}
	if (errno) {
		nvmx_run_err("cannot read", NVMX_DEV_DIR);
		goto out_to;
	}

	fd = openat(to_dir, "kvm", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		nvmx_run_err("cannot create", NVMX_DEV_KVM);
		goto out_to;
	}
	close(fd);
	ret = 0;
out_to:
	close(to_dir);
out_dir:
	closedir(d);
out_from:
	close(from_dir);
	return ret;
}

int main(int argc, char **argv)
{
	struct stat st;
	int missing;

	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: nvmx-run PROGRAM [ARGS...]\n"
			"Runs PROGRAM with /dev/nvmx bound over /dev/kvm, in a mount namespace of its own.\n");
		return NVMX_RUN_USAGE;
	}

	missing = stat(NVMX_DEV_NVMX, &st);
	if (missing && errno != ENOENT) {
		nvmx_run_err("cannot stat", NVMX_DEV_NVMX);
		return NVMX_RUN_NO_NVMX;
	}
	if (missing || !S_ISCHR(st.st_mode)) {
		fprintf(stderr, "nvmx-run: no %s character device: is nvmx.ko loaded?\n",
			NVMX_DEV_NVMX);
		return NVMX_RUN_NO_NVMX;
	}

	if (unshare(CLONE_NEWNS)) {
		nvmx_run_err("cannot unshare the mount namespace", "(CLONE_NEWNS)");
		return NVMX_RUN_UNSHARE;
	}
	/* Or the bind mounts below would propagate back to the caller's /. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL)) {
		nvmx_run_err("cannot make mounts private under", "/");
		return NVMX_RUN_UNSHARE;
	}

	if (access(NVMX_DEV_KVM, F_OK)) {
		if (errno != ENOENT) {
			nvmx_run_err("cannot look up", NVMX_DEV_KVM);
			return NVMX_RUN_MOUNT;
		}
		if (nvmx_private_dev())
			return NVMX_RUN_MOUNT;
	}
	if (mount(NVMX_DEV_NVMX, NVMX_DEV_KVM, NULL, MS_BIND, NULL)) {
		nvmx_run_err("cannot bind " NVMX_DEV_NVMX " over", NVMX_DEV_KVM);
		return NVMX_RUN_MOUNT;
	}

	execvp(argv[1], argv + 1);
	nvmx_run_err("cannot run", argv[1]);
	return errno == ENOENT ? NVMX_RUN_NOTFOUND : NVMX_RUN_NOEXEC;
}
