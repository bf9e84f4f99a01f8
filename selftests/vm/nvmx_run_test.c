// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx-run (selftests/kvm/nvmx_run.c): PROGRAM sees /dev/nvmx at /dev/kvm,
 * nobody else does, with or without a /dev/kvm to bind over; and each way
 * it can fail has its message and exit status.
 *
 * The program under nvmx-run is this one again, as a probe (NVMX_RUN_PROBE
 * set): /dev/kvm must answer NVMX_GET_STATUS, which only nvmx does.
 * Failure cases run in a mount namespace of their own whose /dev is a
 * tmpfs, so they can take away /dev/nvmx or /dev/kvm without touching the
 * real /dev.
 */
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/sysmacros.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "nvmx_test.h"

#define NVMX_RUN_DEFAULT	"/opt/nvmx/kvm/nvmx-run"

/* Probe exit statuses, apart from nvmx-run's own (2-5, 126, 127). */
#define PROBE_NO_KVM		10
#define PROBE_NOT_NVMX		11
#define PROBE_NO_NULL		12
/* The caller's /dev changed under it. */
#define CALLER_DEV_CHANGED	20
/* Setting up the child's namespace failed. */
#define SETUP_FAILED		21

static void __attribute__((constructor)) nvmx_run_probe(void)
{
	struct nvmx_status st;
	int fd;

	if (!getenv("NVMX_RUN_PROBE"))
		return;
	fd = open(KVM_DEV, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		_exit(PROBE_NO_KVM);
	if (nvmx_get_status(fd, &st))
		_exit(PROBE_NOT_NVMX);
	/* The rest of /dev is still there. */
	if (open("/dev/null", O_RDWR | O_CLOEXEC) < 0)
		_exit(PROBE_NO_NULL);
	_exit(0);
}

static const char *nvmx_run_path(void)
{
	const char *p = getenv("NVMX_RUN");

	return p ? p : NVMX_RUN_DEFAULT;
}

/* The /dev nvmx-run is given. */
enum dev_setup {
	DEV_REAL,		/* the real one */
	DEV_EMPTY,		/* an empty tmpfs: no nvmx, no kvm */
	DEV_NVMX,		/* a tmpfs with nvmx and null, no kvm */
	DEV_FAKE_NVMX,		/* that, but "nvmx" is another character device */
	DEV_FAKE_NVMX_KVM_DIR,	/* that, and a directory named kvm */
};

/*
 * A /dev of the child's own, with device nodes numbered like the real
 * /dev/nvmx (or /dev/null, for a stand-in) and /dev/null.
 */
static int fake_dev(enum dev_setup how, dev_t nvmx, dev_t null)
{
	if (how == DEV_FAKE_NVMX || how == DEV_FAKE_NVMX_KVM_DIR)
		nvmx = null;
	if (unshare(CLONE_NEWNS) || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -1;
	if (mount("tmpfs", "/dev", "tmpfs", 0, "mode=0755"))
		return -1;
	if (how == DEV_EMPTY)
		return 0;
	if (mknod(NVMX_DEV, S_IFCHR | 0600, nvmx) ||
	    mknod("/dev/null", S_IFCHR | 0666, null))
		return -1;
	if (how == DEV_FAKE_NVMX_KVM_DIR && mkdir(KVM_DEV, 0755))
		return -1;
	return 0;
}

struct run_result {
	int status;		/* exit status, or -1 if killed */
	char err[1024];		/* what nvmx-run and the probe wrote to stderr */
};

/*
 * Runs nvmx-run with @args (NULL: the probe) in a child set up as @how,
 * without CAP_SYS_ADMIN if @no_sys_admin, and afterwards checks that the
 * child's /dev has no kvm it did not have.
 */
static void run_nvmx_run(enum dev_setup how, bool no_sys_admin,
			 const char * const *args, struct run_result *r)
{
	static const char * const envp[] = {
		"NVMX_RUN_PROBE=1", "PATH=/bin:/sbin:/usr/bin", NULL
	};
	char self[PATH_MAX], *argv[8] = { (char *)nvmx_run_path() };
	struct stat nvmx_st = { 0 }, null_st = { 0 };
	int pipefd[2], status, i;
	ssize_t n, len = 0;
	pid_t pid;

	memset(r, 0, sizeof(*r));
	r->status = -1;
	if (args) {
		for (i = 0; args[i] && i < 6; i++)
			argv[i + 1] = (char *)args[i];
	} else {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0)
			return;
		self[n] = '\0';
		argv[1] = self;
	}
	/* Real device numbers, for the fake /dev; absent nvmx gives 0:0. */
	stat(NVMX_DEV, &nvmx_st);
	stat("/dev/null", &null_st);
	if (pipe(pipefd))
		return;

	pid = fork();
	if (pid < 0)
		return;
	if (pid == 0) {
		bool had_kvm;
		pid_t run;

		close(pipefd[0]);
		dup2(pipefd[1], STDERR_FILENO);
		if (how != DEV_REAL && fake_dev(how, nvmx_st.st_rdev, null_st.st_rdev))
			_exit(SETUP_FAILED);
		/* Root keeps only the bounding set's capabilities across exec. */
		if (no_sys_admin && prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN))
			_exit(SETUP_FAILED);
		had_kvm = path_exists(KVM_DEV);
		run = fork();
		if (run < 0)
			_exit(SETUP_FAILED);
		if (run == 0) {
			execve(argv[0], argv, (char * const *)envp);
			_exit(SETUP_FAILED);
		}
		if (waitpid(run, &status, 0) != run || !WIFEXITED(status))
			_exit(SETUP_FAILED);
		if (path_exists(KVM_DEV) != had_kvm)
			_exit(CALLER_DEV_CHANGED);
		_exit(WEXITSTATUS(status));
	}
	close(pipefd[1]);
	while (len < (ssize_t)sizeof(r->err) - 1) {
		n = read(pipefd[0], r->err + len, sizeof(r->err) - 1 - len);
		if (n <= 0)
			break;
		len += n;
	}
	close(pipefd[0]);
	if (waitpid(pid, &status, 0) == pid && WIFEXITED(status))
		r->status = WEXITSTATUS(status);
}

TEST(usage_without_program)
{
	static const char * const none[] = { NULL };
	static const char * const help[] = { "--help", NULL };
	struct run_result r;

	run_nvmx_run(DEV_REAL, false, none, &r);
	EXPECT_EQ(2, r.status);
	EXPECT_NE(NULL, strstr(r.err, "usage: nvmx-run PROGRAM")) TH_LOG("%s", r.err);
	run_nvmx_run(DEV_REAL, false, help, &r);
	EXPECT_EQ(2, r.status);
}

TEST(binds_nvmx_over_kvm)
{
	struct stat before, after;
	struct run_result r;

	if (!path_exists(NVMX_DEV) || !path_exists(KVM_DEV))
		SKIP(return, "needs /dev/nvmx and /dev/kvm");
	ASSERT_EQ(0, stat(KVM_DEV, &before));

	run_nvmx_run(DEV_REAL, false, NULL, &r);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);

	/* Outside nvmx-run, /dev/kvm is still kvm_intel's. */
	ASSERT_EQ(0, stat(KVM_DEV, &after));
	EXPECT_EQ(before.st_rdev, after.st_rdev);
	EXPECT_EQ(before.st_ino, after.st_ino);
	EXPECT_EQ(major(after.st_rdev), 10);
	EXPECT_EQ(minor(after.st_rdev), 232);
}

/* The probe tells kvm_intel from nvmx, or the test above proves nothing. */
TEST(probe_rejects_kvm_intel)
{
	char self[PATH_MAX];
	int status;
	ssize_t n;
	pid_t pid;

	if (!path_exists(KVM_DEV))
		SKIP(return, "needs /dev/kvm");
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	ASSERT_LT(0, n);
	self[n] = '\0';
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		static const char * const envp[] = { "NVMX_RUN_PROBE=1", NULL };
		char *argv[2];

		argv[0] = self;
		argv[1] = NULL;
		execve(self, argv, (char * const *)envp);
		_exit(SETUP_FAILED);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(PROBE_NOT_NVMX, WEXITSTATUS(status));
}

TEST(no_kvm_gets_a_private_dev)
{
	struct run_result r;

	if (!path_exists(NVMX_DEV))
		SKIP(return, "needs /dev/nvmx");
	/* The probe opens /dev/kvm and /dev/null; the caller keeps no kvm. */
	run_nvmx_run(DEV_NVMX, false, NULL, &r);
	EXPECT_EQ(0, r.status) TH_LOG("%s", r.err);
}

TEST(no_nvmx_is_a_skip)
{
	struct run_result r;

	run_nvmx_run(DEV_EMPTY, false, NULL, &r);
	EXPECT_EQ(4, r.status);
	EXPECT_NE(NULL, strstr(r.err, "no /dev/nvmx character device: is nvmx.ko loaded?"))
		TH_LOG("%s", r.err);
}

TEST(unshare_refused)
{
	struct run_result r;

	run_nvmx_run(DEV_FAKE_NVMX, true, NULL, &r);
	EXPECT_EQ(3, r.status);
	EXPECT_NE(NULL, strstr(r.err, "cannot unshare the mount namespace"))
		TH_LOG("%s", r.err);
}

TEST(bind_refused)
{
	struct run_result r;

	/* A device cannot be bound over a directory. */
	run_nvmx_run(DEV_FAKE_NVMX_KVM_DIR, false, NULL, &r);
	EXPECT_EQ(5, r.status);
	EXPECT_NE(NULL, strstr(r.err, "cannot bind /dev/nvmx over /dev/kvm"))
		TH_LOG("%s", r.err);
}

TEST(program_not_found)
{
	static const char * const args[] = { "/nonexistent/program", NULL };
	struct run_result r;

	run_nvmx_run(DEV_FAKE_NVMX, false, args, &r);
	EXPECT_EQ(127, r.status);
	EXPECT_NE(NULL, strstr(r.err, "cannot run /nonexistent/program"))
		TH_LOG("%s", r.err);
}

TEST(program_not_executable)
{
	static const char * const args[] = { "/dev/null", NULL };
	struct run_result r;

	run_nvmx_run(DEV_FAKE_NVMX, false, args, &r);
	EXPECT_EQ(126, r.status);
	EXPECT_NE(NULL, strstr(r.err, "cannot run /dev/null")) TH_LOG("%s", r.err);
}

TEST_HARNESS_MAIN
