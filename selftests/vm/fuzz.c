// SPDX-License-Identifier: GPL-2.0
/*
 * Seeded, reproducible random walks over every ioctl of /dev/nvmx, its VM
 * fds and its vCPU fds, with random guest code and state run to its exits.
 *
 *   fuzz [-s SEED] [-n ROUNDS] [-t MS] [-a CLASS,...] [-d DEV] [-M] [-D] [-v]
 *
 * Round i uses seed SEED+i and is independent of the others: `fuzz -s
 * SEED+i -n 1` replays it (threaded rounds depend on scheduling too). Each
 * round runs in a child process that the parent kills if it outlives its
 * time; in it a periodic per-thread signal ends every KVM_RUN of a guest
 * that spins. After the rounds: the kernel log since the start must show
 * no WARN, BUG, oops, lockup or stall, no VM may be left, and (nvmx only)
 * rmmod, the free-page and slab counts against a baseline taken with nvmx
 * unloaded, and insmod again. Before the rounds, directed cases exercise
 * what random rounds would only find by luck (kvm_run tampering). TAP on
 * stdout. Environment: NVMX_FUZZ_SEED, NVMX_FUZZ_ROUNDS, NVMX_FUZZ_AVOID,
 * NVMX_TEST_DEV, NVMX_KO.
 */
#include <signal.h>
#include <stdarg.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>

#include "fuzz.h"
#include "nvmx_test.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

#define KICK_SIG	SIGUSR1
#define KICK_NS		3000000		/* KVM_RUN is interrupted every 3 ms */
#define ROUND_KILL_S	20		/* a round alive this long is killed */
#define REAP_S		30		/* a killed round not gone by then hangs */
#define MEM_PAGES	64		/* guest memory of a round */
#define HOLE_PAGES	4
#define SCRATCH_PAGES	8

static const char *dev_path;
static bool on_nvmx;
static unsigned int avoid;
static bool verbose;
static unsigned int run_ms = 40;
static struct fuzz_stats *stats;

/* From the parent, before the rounds: what a vCPU may be given. */
static __u32 msr_index[256];
static unsigned int nr_msr_index;
static struct {
	struct kvm_cpuid2 hdr;
	struct kvm_cpuid_entry2 e[256];
} supported_cpuid;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Counters are shared by every thread of every round. */
static void add(__u64 *c, __u64 n)
{
	__atomic_fetch_add(c, n, __ATOMIC_RELAXED);
}

/* A thread failed the round, or another did: stop walking. */
static bool failed(struct round *rd)
{
	return __atomic_load_n(&rd->fail[0], __ATOMIC_RELAXED);
}

static void fail(struct walker *w, const char *fmt, ...)
{
	struct round *rd = w->rd;
	va_list ap;

	pthread_mutex_lock(&rd->lock);
	if (!rd->fail[0]) {
		va_start(ap, fmt);
		vsnprintf(rd->fail, sizeof(rd->fail), fmt, ap);
		va_end(ap);
	}
	pthread_mutex_unlock(&rd->lock);
}

static void count_errno(int e)
{
	add(&stats->errnos[e < 64 ? e : 63], 1);
}

/*
 * ioctl() returns -1 with a userspace errno or a non-negative value; a
 * kernel-internal errno (512 and up: ERESTARTSYS, ENOIOCTLCMD...) or any
 * other negative value reaching userspace is a bug.
 */
static bool sane_result(struct walker *w, const char *what, long ret, int err)
{
	if (ret >= 0)
		return true;
	if (ret == -1 && err > 0 && err < 512) {
		count_errno(err);
		return true;
	}
	fail(w, "%s: returned %ld errno %d", what, ret, err);
	return false;
}

/* --- the kick: a signal every KICK_NS to the thread that armed it --- */

static void on_kick(int sig)
{
}

static timer_t arm_kick(void)
{
	struct sigevent sev = { .sigev_notify = SIGEV_THREAD_ID,
				.sigev_signo = KICK_SIG };
	struct itimerspec its = { .it_value.tv_nsec = KICK_NS,
				  .it_interval.tv_nsec = KICK_NS };
	timer_t t;

	sev.sigev_notify_thread_id = syscall(SYS_gettid);
	if (timer_create(CLOCK_MONOTONIC, &sev, &t) || timer_settime(t, 0, &its, NULL)) {
		perror("timer");
		_exit(3);
	}
	return t;
}

static void install_kick_handler(void)
{
	struct sigaction sa = { .sa_handler = on_kick };

	/* No SA_RESTART: a kicked KVM_RUN returns EINTR to us. */
	sigemptyset(&sa.sa_mask);
	sigaction(KICK_SIG, &sa, NULL);
}

/* --- random values --- */

static const __u64 interesting[] = {
	0, 1, 2, 3, 4, 7, 8, 15, 16, 0x7f, 0x80, 0xff, 0x100, 0x1ff, 0x200,
	0xfff, 0x1000, 0x1001, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff,
	0x80000000, 0xfffff000, 0xffffffff, 0x100000000ULL, 0x7ffffffff000ULL,
	0x800000000000ULL, 0xffff800000000000ULL, 0x8000000000000000ULL,
	0xfffffffffffff000ULL, ~0ULL, 4095, 4097, 255, 256, 257, 511, 512, 513,
	(1ULL << 31) * PAGE, ((1ULL << 31) - 1) * PAGE, 1ULL << 40, 1ULL << 47,
	1ULL << 48, 1ULL << 52,
};

static __u64 rnum(struct rng *r)
{
	switch (below(r, 6)) {
	case 0:
		return below(r, 64);
	case 1:
	case 2:
		return interesting[below(r, ARRAY_SIZE(interesting))];
	case 3:
		return rnd(r) & 0xffffffff;
	case 4:
		return 1ULL << below(r, 64);
	default:
		return rnd(r);
	}
}

static void fill(struct rng *r, void *p, size_t n)
{
	unsigned char *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		b[i] = rnd(r);
}

/*
 * Scratch pages of each walker: 0-3 read-write, 4 PROT_NONE, 5 read-only,
 * 6 PROT_NONE, 7 read-write. A struct ending at page 4 straddles into it.
 */
static unsigned char *scratch_alloc(void)
{
	unsigned char *s = mmap(NULL, SCRATCH_PAGES * PAGE, PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (s == MAP_FAILED) {
		perror("mmap scratch");
		_exit(3);
	}
	mprotect(s + 4 * PAGE, PAGE, PROT_NONE);
	mprotect(s + 5 * PAGE, PAGE, PROT_READ);
	mprotect(s + 6 * PAGE, PAGE, PROT_NONE);
	return s;
}

/*
 * Where an argument of @size bytes goes: mostly a good buffer, else one
 * that runs into a guard page, a guard or read-only page, or no memory.
 * *good says whether the kernel may read and write all of it.
 */
static void *arg_place(struct walker *w, size_t size, bool *good)
{
	struct rng *r = &w->r;
	unsigned char *s = w->scratch;
	unsigned int k = below(&w->r, 100);

	*good = false;
	if (size > 4 * PAGE)
		size = 4 * PAGE;
	if (k < 70) {
		*good = true;
		return s + below(r, 4 * PAGE - size + 1);
	}
	if (k < 82)	/* the last 1..size bytes are in the guard page */
		return s + 4 * PAGE - (size ? below(r, size) : 0);
	if (k < 86)
		return s + 4 * PAGE + below(r, PAGE);
	if (k < 90)
		return s + 5 * PAGE + below(r, PAGE);
	if (k < 93)
		return NULL;
	if (k < 96)
		return (void *)(unsigned long)(0xffff888000000000ULL + below(r, 1ULL << 30));
	return (void *)(unsigned long)(below(r, 2) ? below(r, PAGE) : (rnd(r) | (1ULL << 63)));
}

/* --- the fd pool --- */

static int pool_add(struct round *rd, int fd, enum fd_kind kind, int owner)
{
	struct fd_ent *e;
	int victim = -1;

	pthread_mutex_lock(&rd->lock);
	if (rd->nfds == MAX_FDS) {
		/* Full: this one goes again at once. */
		victim = fd;
	} else {
		e = &rd->fds[rd->nfds++];
		e->fd = fd;
		e->kind = kind;
		e->run = NULL;
		e->owner = owner;
		if (kind == FD_VCPU) {
			void *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
				       MAP_SHARED, fd, 0);

			e->run = m == MAP_FAILED ? NULL : m;
		}
	}
	pthread_mutex_unlock(&rd->lock);
	if (victim >= 0)
		close(victim);
	return victim >= 0 ? -1 : 0;
}

/* A random pool entry (of @kind unless NR_FD_KINDS); false if none. */
static bool pool_pick(struct walker *w, enum fd_kind kind, struct fd_ent *out)
{
	struct round *rd = w->rd;
	int i, n = 0, pick;
	bool found = false;

	pthread_mutex_lock(&rd->lock);
	for (i = 0; i < rd->nfds; i++)
		if (kind == NR_FD_KINDS || rd->fds[i].kind == kind)
			n++;
	if (n) {
		pick = below(&w->r, n);
		for (i = 0; i < rd->nfds; i++) {
			if (kind != NR_FD_KINDS && rd->fds[i].kind != kind)
				continue;
			if (!pick--) {
				*out = rd->fds[i];
				found = true;
				break;
			}
		}
	}
	pthread_mutex_unlock(&rd->lock);
	return found;
}

/* The vCPU a runner owns, else any vCPU. */
static bool pool_pick_vcpu(struct walker *w, struct fd_ent *out)
{
	struct round *rd = w->rd;
	int i;

	pthread_mutex_lock(&rd->lock);
	for (i = 0; i < rd->nfds; i++) {
		if (rd->fds[i].kind == FD_VCPU && rd->fds[i].owner == w->id) {
			*out = rd->fds[i];
			pthread_mutex_unlock(&rd->lock);
			return true;
		}
	}
	pthread_mutex_unlock(&rd->lock);
	return pool_pick(w, FD_VCPU, out);
}

static void pool_close_one(struct walker *w)
{
	struct round *rd = w->rd;
	int i, fd = -1;

	pthread_mutex_lock(&rd->lock);
	if (rd->nfds > 1) {
		/* Entry 0 is the system fd: kept so that rounds go on. */
		i = 1 + below(&w->r, rd->nfds - 1);
		fd = rd->fds[i].fd;
		/* The vCPU's mapping stays: runners may still read it. */
		rd->fds[i] = rd->fds[--rd->nfds];
	}
	pthread_mutex_unlock(&rd->lock);
	if (fd >= 0) {
		close(fd);
		add(&stats->closes, 1);
	}
}

/* --- the ioctls --- */

#define ON_S BIT(FD_SYS)
#define ON_V BIT(FD_VM)
#define ON_C BIT(FD_VCPU)

/* Every ioctl of 6.1's x86 ABI we name, and where nvmx implements it. */
static const struct ioctl_desc {
	unsigned long cmd;
	const char *name;
	unsigned int on;	/* fd kinds nvmx answers it on */
} ioctls[] = {
#define I(cmd, on) { cmd, #cmd, on }
	I(KVM_GET_API_VERSION, ON_S), I(KVM_CREATE_VM, ON_S),
	I(KVM_CHECK_EXTENSION, ON_S | ON_V), I(KVM_GET_VCPU_MMAP_SIZE, ON_S),
	I(KVM_TRACE_ENABLE, ON_S), I(KVM_TRACE_PAUSE, ON_S), I(KVM_TRACE_DISABLE, ON_S),
	I(KVM_GET_SUPPORTED_CPUID, ON_S), I(KVM_GET_MSR_INDEX_LIST, ON_S),
	I(KVM_GET_MSR_FEATURE_INDEX_LIST, ON_S), I(KVM_GET_MSRS, ON_S | ON_C),
	I(NVMX_GET_HOST_CAPS, ON_S), I(NVMX_GET_STATUS, ON_S),
	I(NVMX_GET_POLICY, ON_V), I(NVMX_SET_POLICY, ON_V),
	I(NVMX_GET_EXIT_COUNTS, ON_C),
	I(KVM_CREATE_VCPU, ON_V), I(KVM_SET_USER_MEMORY_REGION, ON_V),
	I(KVM_CREATE_IRQCHIP, ON_V), I(KVM_GET_STATS_FD, ON_V | ON_C),
	I(KVM_SET_TSS_ADDR, ON_V), I(KVM_SET_IDENTITY_MAP_ADDR, ON_V),
	I(KVM_SET_BOOT_CPU_ID, ON_V), I(KVM_ENABLE_CAP, ON_V),
	I(KVM_IOEVENTFD, ON_V), I(KVM_SET_GSI_ROUTING, ON_V),
	I(KVM_RUN, ON_C), I(KVM_GET_REGS, ON_C), I(KVM_SET_REGS, ON_C),
	I(KVM_GET_SREGS, ON_C), I(KVM_SET_SREGS, ON_C), I(KVM_SET_MSRS, ON_C),
	I(KVM_SET_CPUID2, ON_C), I(KVM_GET_CPUID2, ON_C), I(KVM_GET_MP_STATE, ON_C),
	I(KVM_SET_MP_STATE, ON_C), I(KVM_GET_FPU, ON_C), I(KVM_SET_FPU, ON_C),
	I(KVM_IRQ_LINE, ON_V), I(KVM_IRQ_LINE_STATUS, ON_V),
	I(KVM_GET_IRQCHIP, ON_V), I(KVM_SET_IRQCHIP, ON_V),
	I(KVM_SET_GSI_ROUTING, ON_V), I(KVM_SIGNAL_MSI, ON_V), I(KVM_IRQFD, ON_V),
	I(KVM_CREATE_PIT, ON_V), I(KVM_CREATE_PIT2, ON_V), I(KVM_GET_PIT, ON_V),
	I(KVM_SET_PIT, ON_V), I(KVM_GET_PIT2, ON_V), I(KVM_SET_PIT2, ON_V),
	I(KVM_REINJECT_CONTROL, ON_V),
	I(KVM_INTERRUPT, ON_C), I(KVM_NMI, ON_C),
	I(KVM_GET_VCPU_EVENTS, ON_C), I(KVM_SET_VCPU_EVENTS, ON_C),
	I(KVM_GET_DEBUGREGS, ON_C), I(KVM_SET_DEBUGREGS, ON_C),
	I(KVM_GET_XSAVE, ON_C), I(KVM_SET_XSAVE, ON_C), I(KVM_GET_XSAVE2, ON_C),
	I(KVM_GET_XCRS, ON_C), I(KVM_SET_XCRS, ON_C),
	I(KVM_SET_GUEST_DEBUG, ON_C), I(KVM_GET_SREGS2, ON_C),
	I(KVM_SET_SREGS2, ON_C),
	I(KVM_GET_CLOCK, ON_V), I(KVM_SET_CLOCK, ON_V),
	I(KVM_GET_TSC_KHZ, ON_V | ON_C), I(KVM_SET_TSC_KHZ, ON_V | ON_C),
	I(KVM_X86_SET_MSR_FILTER, ON_V), I(KVM_X86_GET_MCE_CAP_SUPPORTED, ON_S),
	I(KVM_X86_SETUP_MCE, ON_C), I(KVM_X86_SET_MCE, ON_C),
	/* Not in nvmx (yet): refused on every fd. */
	I(KVM_GET_EMULATED_CPUID, 0),
	I(KVM_GET_DEVICE_ATTR, 0), I(KVM_HAS_DEVICE_ATTR, 0),
	I(KVM_SET_DEVICE_ATTR, 0),
	I(KVM_GET_DIRTY_LOG, 0), I(KVM_CLEAR_DIRTY_LOG, 0),
	I(KVM_REGISTER_COALESCED_MMIO, 0),
	I(KVM_CREATE_DEVICE, 0),
	I(KVM_SET_MEMORY_REGION, 0), I(KVM_TRANSLATE, 0),
	I(KVM_SET_SIGNAL_MASK, 0), I(KVM_GET_LAPIC, 0), I(KVM_SET_LAPIC, 0),
	I(KVM_SMI, 0),
	I(KVM_KVMCLOCK_CTRL, 0), I(KVM_GET_NESTED_STATE, 0),
	I(KVM_SET_NESTED_STATE, 0), I(KVM_SET_CPUID, 0),
	I(KVM_TPR_ACCESS_REPORTING, 0), I(KVM_SET_VAPIC_ADDR, 0),
#undef I
};

#define NR_IOCTLS (ARRAY_SIZE(ioctls))

/* What an fd answers an ioctl it does not implement. */
static const int unknown_errno[NR_FD_KINDS] = {
	[FD_SYS] = EINVAL, [FD_VM] = ENOTTY, [FD_VCPU] = EINVAL,
	[FD_STATS] = ENOTTY,
};

static const char *const kind_name[NR_FD_KINDS] = {
	[FD_SYS] = "system", [FD_VM] = "VM", [FD_VCPU] = "vCPU", [FD_STATS] = "stats",
};

/*
 * Whether two numbers are the same ioctl. nvmx's own are one command
 * whatever struct size the number carries (Documentation/api.md): they
 * match by type, direction and command number.
 */
static bool same_ioctl(unsigned long a, unsigned long b)
{
	if (_IOC_TYPE(a) == NVMX_TYPE && _IOC_TYPE(b) == NVMX_TYPE)
		return _IOC_DIR(a) == _IOC_DIR(b) && _IOC_NR(a) == _IOC_NR(b);
	return a == b;
}

static const struct ioctl_desc *ioctl_lookup(unsigned long cmd)
{
	unsigned int i;

	for (i = 0; i < NR_IOCTLS; i++)
		if (same_ioctl(ioctls[i].cmd, cmd))
			return &ioctls[i];
	return NULL;
}

static void clamp_slot(struct kvm_userspace_memory_region *m);
static void tamper_run(struct rng *r, struct kvm_run *run);

/*
 * A new fd from an ioctl goes into the pool; its kind follows from the
 * ioctl (KVM_GET_STATS_FD's on a VM or a vCPU alike).
 */
static void adopt_fd(struct walker *w, unsigned long cmd, long fd)
{
	enum fd_kind k;

	if (cmd == KVM_CREATE_VM)
		k = FD_VM;
	else if (cmd == KVM_CREATE_VCPU)
		k = FD_VCPU;
	else if (cmd == KVM_GET_STATS_FD)
		k = FD_STATS;
	else
		return;
	pool_add(w->rd, fd, k, -1);
}

/*
 * Any ioctl (or a made-up number of type 0xAE or 0xAF) on any fd with any
 * argument. With one thread, an ioctl an fd does not implement must give
 * that fd's "unknown" errno.
 */
static void op_random_ioctl(struct walker *w)
{
	struct rng *r = &w->r;
	const struct ioctl_desc *d;
	struct fd_ent e;
	unsigned long cmd, arg;
	size_t size;
	bool good;
	long ret;
	int err;

	if (!pool_pick(w, NR_FD_KINDS, &e))
		return;
	if (chance(r, 85)) {
		d = &ioctls[below(r, NR_IOCTLS)];
		cmd = d->cmd;
	} else {
		cmd = _IOC(below(r, 4), below(r, 2) ? KVMIO : NVMX_TYPE,
			   below(r, 256), below(r, 2) ? below(r, 64) * 8 : below(r, 1 << 14));
		d = ioctl_lookup(cmd);
	}
	/* Only KVM_RUN of the owner may run a runner's vCPU. */
	if (cmd == KVM_RUN && w->rd->threaded)
		return;
	size = _IOC_SIZE(cmd);
	if (!size || below(r, 3) == 0) {
		arg = rnum(r);
		/* Never one of our own mappings by accident. */
		if (arg >= 0x400000 && arg < 0x800000000000ULL)
			arg |= 1ULL << 63;
		good = false;
	} else {
		void *p = arg_place(w, size + below(r, 64), &good);

		if (good) {
			fill(r, p, size);
			if (cmd == KVM_SET_USER_MEMORY_REGION)
				clamp_slot(p);
		}
		arg = (unsigned long)p;
	}
	if (d && d->cmd == KVM_CREATE_VCPU && chance(r, 50))
		arg = below(r, 70);
	if (d && d->cmd == KVM_CREATE_VM && chance(r, 30))
		arg = 0;
	add(&stats->ioctls, 1);
	ret = ioctl(e.fd, cmd, arg);
	err = errno;
	if (!sane_result(w, d ? d->name : "made-up ioctl", ret, err))
		return;
	if (ret >= 0) {
		add(&stats->ioctl_ok, 1);
		if (e.kind != FD_STATS)
			adopt_fd(w, cmd, ret);
	}
	if (!on_nvmx || w->rd->threaded || __atomic_load_n(&w->rd->closing, __ATOMIC_RELAXED))
		return;
	if (d && (d->on & (1u << e.kind)))
		return;
	if (ret != -1 || err != unknown_errno[e.kind])
		fail(w, "%s (0x%lx) on a %s fd: returned %ld errno %d, want errno %d",
		     d ? d->name : "made-up ioctl", cmd, kind_name[e.kind],
		     ret, err, unknown_errno[e.kind]);
}

/* --- structured calls: sizes and counts --- */

static __u32 rcount(struct rng *r, __u32 good)
{
	switch (below(r, 5)) {
	case 0:
		return good;
	case 1:
		return good + below(r, 3) - 1;
	case 2:
		return below(r, 300);
	default:
		return rnum(r);
	}
}

/* A struct with a count header, its entries ending maybe in a guard page. */
static void *counted_buf(struct walker *w, size_t hdr, size_t ent, __u32 n,
			 bool *good)
{
	size_t real = n > 512 ? 512 : n;

	return arg_place(w, hdr + real * ent, good);
}

static void op_sys_struct(struct walker *w)
{
	struct rng *r = &w->r;
	struct fd_ent e;
	unsigned long cmd;
	__u32 n;
	bool good;
	void *p;
	long ret;

	if (!pool_pick(w, chance(r, 80) ? FD_SYS : NR_FD_KINDS, &e))
		return;
	switch (below(r, 6)) {
	case 0:
	case 1: {
		struct kvm_msr_list *l;

		cmd = below(r, 2) ? KVM_GET_MSR_INDEX_LIST : KVM_GET_MSR_FEATURE_INDEX_LIST;
		n = rcount(r, nr_msr_index);
		p = counted_buf(w, sizeof(*l), 4, n, &good);
		l = p;
		if (good)
			l->nmsrs = n;
		break;
	}
	case 2: {
		struct kvm_cpuid2 *c;

		cmd = KVM_GET_SUPPORTED_CPUID;
		n = rcount(r, supported_cpuid.hdr.nent);
		p = counted_buf(w, sizeof(*c), sizeof(c->entries[0]), n, &good);
		c = p;
		if (good)
			c->nent = n;
		break;
	}
	case 3: {
		struct kvm_msrs *m;
		__u32 i;

		cmd = KVM_GET_MSRS;
		n = rcount(r, 1 + below(r, 4));
		p = counted_buf(w, sizeof(*m), sizeof(m->entries[0]), n, &good);
		m = p;
		if (good) {
			m->nmsrs = n;
			for (i = 0; i < n && i < 512 && (void *)&m->entries[i + 1] <=
			     (void *)(w->scratch + 4 * PAGE); i++)
				m->entries[i].index = chance(r, 50) ? 0x8b : rnum(r);
		}
		break;
	}
	default: {
		/* The nvmx structs: size-prefixed, flags, reserved, tail. */
		__u32 size, known;

		cmd = below(r, 2) ? NVMX_GET_HOST_CAPS : NVMX_GET_STATUS;
		known = cmd == NVMX_GET_STATUS ? sizeof(struct nvmx_status) :
			sizeof(struct nvmx_host_caps);
		switch (below(r, 5)) {
		case 0:
			size = known;
			break;
		case 1:
			size = known + below(r, 64) - 32;
			break;
		case 2:
			size = 4096 + below(r, 3) - 1;
			break;
		default:
			size = rnum(r);
		}
		p = arg_place(w, size > 4200 ? 4200 : size, &good);
		if (good) {
			size_t len = size > 4200 ? 4200 : size;
			unsigned char *b = p;

			memset(b, 0, len);
			if (len >= 4)
				memcpy(b, &size, 4);
			if (len >= 8 && chance(r, 20))
				b[4 + below(r, 4)] = rnd(r);
			if (len > known && chance(r, 30))
				b[known + below(r, len - known)] = 1 + below(r, 255);
			if (len >= 24 && cmd == NVMX_GET_STATUS && chance(r, 10))
				b[20] = 1;
		}
		break;
	}
	}
	add(&stats->ioctls, 1);
	ret = ioctl(e.fd, cmd, p);
	sane_result(w, "system struct ioctl", ret, errno);
	if (ret >= 0)
		add(&stats->ioctl_ok, 1);
}

/* --- guest state --- */

static void random_regs(struct rng *r, struct kvm_regs *g, __u64 rip)
{
	fill(r, g, sizeof(*g));
	/* Mostly an entry the CPU takes: a failed one poisons today's vCPU. */
	if (chance(r, 90)) {
		g->rip = rip;
		g->rsp = 0x8000 + below(r, 0x8000);
		g->rflags = 2 | (chance(r, 50) ? 0x200 : 0) | (chance(r, 5) ? 0x100 : 0);
	}
}

static void seg_flat(struct kvm_segment *s, bool code, bool db, bool l)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->type = code ? 0xb : 0x3;
	s->present = 1;
	s->s = 1;
	s->g = 1;
	s->db = db;
	s->l = l;
	s->selector = code ? 8 : 16;
}

/* Identity page tables at the top of guest memory: 2 MiB pages. */
#define PT_GPA ((MEM_PAGES - 4) * PAGE)

/*
 * Identity maps in the last four pages of guest memory: a PML4, a PDPT and
 * a PD of 2 MiB pages for long mode, and a PAE PDPT (whose entries take no
 * R/W or U/S bits) on the same PD.
 */
static void build_page_tables(struct round *rd)
{
	__u64 *pml4 = (__u64 *)(rd->mem + PT_GPA);
	__u64 *pdpt = pml4 + 512, *pd = pml4 + 1024, *pae = pml4 + 1536;
	int i;

	memset(pml4, 0, 4 * PAGE);
	pml4[0] = (PT_GPA + PAGE) | 7;
	pdpt[0] = (PT_GPA + 2 * PAGE) | 7;
	for (i = 0; i < 4; i++)
		pae[i] = (PT_GPA + 2 * PAGE) | 1;
	for (i = 0; i < 512; i++)
		pd[i] = ((__u64)i << 21) | 0x87;
}

enum guest_mode { G_REAL, G_PROT32, G_PAE, G_LONG, G_VM86, G_RANDOM, NR_G_MODES };

/* G_RANDOM (all of kvm_sregs random) one time in twelve. */
static enum guest_mode random_mode(struct rng *r)
{
	return chance(r, 92) ? below(r, G_RANDOM) : G_RANDOM;
}

static void random_sregs(struct round *rd, struct rng *r, struct kvm_sregs *s,
			 enum guest_mode mode)
{
	unsigned int i, flips;

	switch (mode) {
	case G_REAL:
		s->cs.base = 0;
		s->cs.selector = 0;
		break;
	case G_PROT32:
	case G_PAE:
	case G_LONG:
		seg_flat(&s->cs, true, mode != G_LONG, mode == G_LONG);
		seg_flat(&s->ds, false, true, false);
		s->es = s->ds;
		s->fs = s->ds;
		s->gs = s->ds;
		s->ss = s->ds;
		s->cr0 |= 1;
		if (mode == G_PROT32 && chance(r, 30)) {
			/* Paging on random page tables. */
			s->cr0 |= 0x80000000;
			s->cr3 = below(r, MEM_PAGES) * PAGE;
		}
		if (mode != G_PROT32) {
			/* setup_guest() built them; they may be gone since. */
			s->cr3 = mode == G_LONG ? PT_GPA : PT_GPA + 3 * PAGE;
			s->cr4 |= 0x20;
			s->cr0 |= 0x80000000;
		}
		if (mode == G_LONG)
			s->efer |= 0x500;
		break;
	case G_VM86:
		/* Virtual-8086 entry wants base = selector * 16. */
		s->cs.base = 0;
		s->cs.selector = 0;
		s->cr0 |= 1;
		break;
	default:
		fill(r, s, sizeof(*s));
		return;
	}
	flips = chance(r, 85) ? 0 : 1 + below(r, 4);
	for (i = 0; i < flips; i++)
		((unsigned char *)s)[below(r, sizeof(*s))] ^= 1 << below(r, 8);
}

/* Instructions that exit, sprinkled over random bytes. */
static const struct {
	unsigned char b[8];
	unsigned char len;
} exiting[] = {
	{ { 0xe4, 0x10 }, 2 }, { { 0xe5, 0x10 }, 2 }, { { 0x66, 0xe5, 0x10 }, 3 },
	{ { 0xec }, 1 }, { { 0xed }, 1 }, { { 0xe6, 0x80 }, 2 }, { { 0xe7, 0x80 }, 2 },
	{ { 0xee }, 1 }, { { 0xef }, 1 }, { { 0xf4 }, 1 }, { { 0x0f, 0xa2 }, 2 },
	{ { 0x0f, 0x32 }, 2 }, { { 0x0f, 0x30 }, 2 }, { { 0x0f, 0x01, 0xd1 }, 3 },
	{ { 0x0f, 0x01, 0xd0 }, 3 }, { { 0xa0, 0x00, 0x80 }, 3 },
	{ { 0xa1, 0x10, 0xf0 }, 3 }, { { 0xa2, 0x20, 0x80 }, 3 },
	{ { 0x8b, 0x07 }, 2 }, { { 0x89, 0x07 }, 2 }, { { 0x0f, 0xb6, 0x07 }, 3 },
	{ { 0x0f, 0x20, 0xc0 }, 3 }, { { 0x0f, 0x22, 0xc0 }, 3 },
	{ { 0x0f, 0x22, 0xe0 }, 3 }, { { 0x0f, 0x21, 0xc0 }, 3 },
	{ { 0x0f, 0x23, 0xf0 }, 3 }, { { 0xcd, 0x0d }, 2 }, { { 0xcc }, 1 },
	{ { 0x0f, 0x0b }, 2 }, { { 0xfa }, 1 }, { { 0xfb }, 1 }, { { 0x0f, 0x09 }, 2 },
	{ { 0x0f, 0x08 }, 2 }, { { 0xf3, 0x6c }, 2 }, { { 0xf3, 0x6e }, 2 },
	{ { 0x0f, 0x01, 0xc1 }, 3 }, { { 0x0f, 0x37 }, 2 }, { { 0x0f, 0x78, 0xc0 }, 3 },
	{ { 0x0f, 0x01, 0xc8 }, 3 }, { { 0x0f, 0x01, 0xc9 }, 3 }, { { 0x0f, 0x31 }, 2 },
	{ { 0x0f, 0x33 }, 2 }, { { 0x0f, 0x01, 0xf9 }, 3 }, { { 0x0f, 0xae, 0x38 }, 3 },
	{ { 0x0f, 0x00, 0xd8 }, 3 }, { { 0x0f, 0x01, 0x10 }, 3 }, { { 0xeb, 0xfe }, 2 },
	{ { 0x0f, 0x06 }, 2 }, { { 0xcf }, 1 }, { { 0x9d }, 1 }, { { 0x8e, 0xd0 }, 2 },
	{ { 0xc7, 0x07, 0x00, 0x10, 0x00, 0x00 }, 6 }, { { 0x48, 0x8b, 0x07 }, 3 },
};

#define NR_EXITING (ARRAY_SIZE(exiting))

/*
 * Random bytes with exiting instructions sprinkled over them, or (dense)
 * nothing but exiting instructions and one-byte fillers back to back.
 */
static void random_code(struct round *rd, struct rng *r)
{
	static const unsigned char filler[] = { 0x90, 0x40, 0x48, 0x43, 0xf8, 0xf9, 0x91 };
	unsigned int i, n, at;

	if (chance(r, 50)) {
		for (at = 0; at + 8 < rd->mem_size;) {
			if (chance(r, 30)) {
				rd->mem[at++] = filler[below(r, sizeof(filler))];
				continue;
			}
			i = below(r, NR_EXITING);
			/* Fewer spins: they only wait for the kick. */
			if (exiting[i].b[0] == 0xeb && chance(r, 90))
				continue;
			memcpy(rd->mem + at, exiting[i].b, exiting[i].len);
			at += exiting[i].len;
		}
		return;
	}
	fill(r, rd->mem, rd->mem_size);
	n = below(r, 200);
	for (i = 0; i < n; i++) {
		unsigned int k = below(r, NR_EXITING);

		at = below(r, rd->mem_size - 8);
		memcpy(rd->mem + at, exiting[k].b, exiting[k].len);
	}
}

static void set_random_msrs(struct walker *w, int fd)
{
	struct rng *r = &w->r;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[16];
	} m;
	unsigned int i;
	long ret;

	memset(&m, 0, sizeof(m));
	m.hdr.nmsrs = 1 + below(r, 16);
	for (i = 0; i < m.hdr.nmsrs; i++) {
		m.e[i].index = nr_msr_index && chance(r, 85) ?
			       msr_index[below(r, nr_msr_index)] : rnum(r);
		m.e[i].data = rnum(r);
	}
	add(&stats->ioctls, 1);
	ret = ioctl(fd, chance(r, 80) ? KVM_SET_MSRS : KVM_GET_MSRS, &m);
	if (sane_result(w, "KVM_SET_MSRS", ret, errno) && ret > (long)m.hdr.nmsrs)
		fail(w, "KVM_SET/GET_MSRS did %ld of %u entries", ret, m.hdr.nmsrs);
}

static void set_random_cpuid(struct walker *w, int fd)
{
	static __thread struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} c;
	struct rng *r = &w->r;
	unsigned int i, n;
	long ret;

	memcpy(&c, &supported_cpuid, sizeof(c));
	if (chance(r, 20)) {
		c.hdr.nent = below(r, 260);
		fill(r, c.e, sizeof(c.e));
	} else {
		n = below(r, 8);
		for (i = 0; i < n && c.hdr.nent; i++)
			((__u32 *)&c.e[below(r, c.hdr.nent)].eax)[below(r, 4)] ^=
				1u << below(r, 32);
		if (chance(r, 20))
			c.hdr.nent = below(r, c.hdr.nent + 1);
	}
	add(&stats->ioctls, 1);
	ret = ioctl(fd, KVM_SET_CPUID2, &c);
	sane_result(w, "KVM_SET_CPUID2", ret, errno);
}

static void op_vcpu_state(struct walker *w)
{
	struct rng *r = &w->r;
	struct fd_ent e;
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
		struct kvm_fpu fpu;
		struct kvm_mp_state mp;
	} u;
	unsigned long cmd;
	void *p = &u;
	bool good;
	long ret;

	if (!pool_pick_vcpu(w, &e))
		return;
	switch (below(r, 10)) {
	case 0:
		set_random_msrs(w, e.fd);
		return;
	case 1:
		set_random_cpuid(w, e.fd);
		return;
	case 2:
		cmd = KVM_SET_REGS;
		random_regs(r, &u.regs, below(r, 0x10000));
		break;
	case 3:
		cmd = KVM_GET_SREGS;
		if (ioctl(e.fd, cmd, &u.sregs))
			return;
		random_sregs(w->rd, r, &u.sregs, random_mode(r));
		cmd = KVM_SET_SREGS;
		break;
	case 4:
		cmd = KVM_SET_FPU;
		fill(r, &u.fpu, sizeof(u.fpu));
		if (chance(r, 80))
			u.fpu.mxcsr = 0x1f80 | (chance(r, 20) ? 1u << below(r, 32) : 0);
		break;
	case 5:
		cmd = KVM_SET_MP_STATE;
		u.mp.mp_state = chance(r, 70) ? below(r, 2) * 3 : rnum(r);
		break;
	case 6: {
		/* KVM_GET_CPUID2 with a random nent, maybe into a guard page. */
		struct kvm_cpuid2 *c;
		__u32 n = rcount(r, supported_cpuid.hdr.nent);

		cmd = KVM_GET_CPUID2;
		p = counted_buf(w, sizeof(*c), sizeof(c->entries[0]), n, &good);
		c = p;
		if (good)
			c->nent = n;
		break;
	}
	case 7: {
		struct kvm_msrs *m;
		__u32 i, n = rcount(r, 2);

		cmd = chance(r, 50) ? KVM_GET_MSRS : KVM_SET_MSRS;
		p = counted_buf(w, sizeof(*m), sizeof(m->entries[0]), n, &good);
		m = p;
		if (good) {
			m->nmsrs = n;
			for (i = 0; i < n && (void *)&m->entries[i + 1] <=
			     (void *)(w->scratch + 4 * PAGE); i++) {
				m->entries[i].index = nr_msr_index ?
					msr_index[below(r, nr_msr_index)] : 0x10;
				m->entries[i].data = rnum(r);
			}
		}
		break;
	}
	default: {
		/* A get or set through a pointer into guard pages. */
		static const unsigned long rw[] = {
			KVM_GET_REGS, KVM_SET_REGS, KVM_GET_SREGS, KVM_SET_SREGS,
			KVM_GET_FPU, KVM_SET_FPU, KVM_GET_MP_STATE, KVM_SET_MP_STATE,
			KVM_GET_VCPU_EVENTS, KVM_SET_VCPU_EVENTS, KVM_INTERRUPT,
			KVM_NMI,
		};

		cmd = rw[below(r, ARRAY_SIZE(rw))];
		p = arg_place(w, _IOC_SIZE(cmd), &good);
		if (good && (cmd == KVM_SET_FPU || cmd == KVM_SET_SREGS))
			memset(p, 0, _IOC_SIZE(cmd));
		break;
	}
	}
	add(&stats->ioctls, 1);
	ret = ioctl(e.fd, cmd, p);
	sane_result(w, "vCPU state ioctl", ret, errno);
	if (ret >= 0)
		add(&stats->ioctl_ok, 1);
}

/* --- memory slots --- */

static __u64 max_slot_bytes(void)
{
	/* A page array (8 bytes a page) of at most 2 MiB. */
	return avoid & AVOID_HUGE_SLOT ? 1ULL << 30 : ~0ULL;
}

static void clamp_slot(struct kvm_userspace_memory_region *m)
{
	if (m->memory_size > max_slot_bytes())
		m->memory_size &= max_slot_bytes() - 1;
}

static void op_memslot(struct walker *w)
{
	struct rng *r = &w->r;
	struct round *rd = w->rd;
	struct kvm_userspace_memory_region m = { 0 };
	struct fd_ent e;
	__u64 pages;
	long ret;

	if (!pool_pick(w, chance(r, 90) ? FD_VM : NR_FD_KINDS, &e))
		return;
	m.slot = chance(r, 85) ? below(r, 8) : (chance(r, 50) ? 510 + below(r, 4) : rnum(r));
	m.flags = chance(r, 70) ? 0 : (chance(r, 70) ? KVM_MEM_READONLY : rnum(r));
	switch (below(r, 8)) {
	case 0:	/* delete */
		break;
	case 1:	/* over the holes: PROT_NONE and read-only pages */
		m.userspace_addr = (unsigned long)rd->holes + below(r, HOLE_PAGES) * PAGE;
		m.memory_size = (1 + below(r, HOLE_PAGES)) * PAGE;
		m.guest_phys_addr = below(r, 64) * PAGE * 16;
		break;
	case 2:	/* huge, not backed */
		m.userspace_addr = below(r, 2) ? 0x100000000ULL : (unsigned long)rd->mem;
		m.memory_size = (1ULL << (20 + below(r, 28))) + below(r, 2) * PAGE;
		m.guest_phys_addr = chance(r, 50) ? 0 : rnum(r) & ~(PAGE - 1);
		break;
	case 3:	/* unaligned or wrapping */
		m.userspace_addr = (unsigned long)rd->mem + below(r, 2) * below(r, PAGE);
		m.memory_size = rnum(r);
		m.guest_phys_addr = rnum(r);
		break;
	default: /* part of guest memory, maybe overlapping another slot */
		pages = 1 + below(r, MEM_PAGES);
		m.userspace_addr = (unsigned long)rd->mem + below(r, MEM_PAGES - pages + 1) * PAGE;
		m.memory_size = pages * PAGE;
		m.guest_phys_addr = chance(r, 40) ? 0 : below(r, 1 << 20) * PAGE;
		break;
	}
	clamp_slot(&m);
	add(&stats->ioctls, 1);
	ret = ioctl(e.fd, KVM_SET_USER_MEMORY_REGION, &m);
	if (sane_result(w, "KVM_SET_USER_MEMORY_REGION", ret, errno))
		ret ? add(&stats->slots_fail, 1) : add(&stats->slots_ok, 1);
}

/* Guest memory changes under the slots: zapped, replaced, read-only. */
static void op_backing(struct walker *w)
{
	struct round *rd = w->rd;
	struct rng *r = &w->r;
	size_t off = below(r, MEM_PAGES) * PAGE, len = (1 + below(r, 4)) * PAGE;

	if (off + len > rd->mem_size)
		len = rd->mem_size - off;
	switch (below(r, 3)) {
	case 0:
		madvise(rd->mem + off, len, MADV_DONTNEED);
		break;
	case 1:
		mmap(rd->mem + off, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		break;
	default:
		/* Nobody writes guest memory after setup: safe for a moment. */
		mprotect(rd->mem + off, len, PROT_READ);
		usleep(below(r, 2000));
		mprotect(rd->mem + off, len, PROT_READ | PROT_WRITE);
		break;
	}
}

/* --- mmap of vCPU fds and stats fds --- */

static void op_mmap(struct walker *w)
{
	struct rng *r = &w->r;
	struct fd_ent e;
	size_t len;
	off_t off;
	int prot, flags;
	void *m;

	if (!pool_pick(w, chance(r, 80) ? FD_VCPU : NR_FD_KINDS, &e))
		return;
	off = chance(r, 70) ? below(r, 4) * PAGE :
	      (off_t)(rnum(r) & ~(PAGE - 1) & 0x7fffffffffffULL);
	len = chance(r, 70) ? (1 + below(r, 4)) * PAGE : below(r, 1 << 20) + 1;
	prot = chance(r, 80) ? PROT_READ | PROT_WRITE : below(r, 8);
	flags = chance(r, 80) ? MAP_SHARED : MAP_PRIVATE;
	m = mmap(NULL, len, prot, flags, e.fd, off);
	if (m == MAP_FAILED)
		return;
	add(&stats->mmaps_ok, 1);
	/* Touch what nvmx maps (offsets 0 and 1 page); KVM's pages past them SIGBUS. */
	if ((prot & PROT_READ) && e.kind == FD_VCPU && on_nvmx) {
		unsigned char *b = m, sum = 0;
		size_t i;

		for (i = 0; i < len && off + i < 2 * PAGE; i += PAGE)
			sum += __atomic_load_n(&b[i], __ATOMIC_RELAXED);
		(void)sum;
	}
	munmap(m, len);
}

static void op_stats_read(struct walker *w)
{
	struct rng *r = &w->r;
	struct fd_ent e;
	size_t len = below(r, 3 * PAGE);
	bool good;
	void *p;
	long ret;

	if (!pool_pick(w, FD_STATS, &e))
		return;
	p = arg_place(w, len, &good);
	ret = pread(e.fd, p, len, chance(r, 70) ? below(r, 4096) : rnum(r) & 0x7fffffffffffffffULL);
	sane_result(w, "pread of a stats fd", ret, errno);
}

static void op_create(struct walker *w)
{
	struct rng *r = &w->r;
	struct fd_ent e;
	long fd;

	switch (below(r, 4)) {
	case 0:
		if (!pool_pick(w, FD_SYS, &e))
			return;
		fd = ioctl(e.fd, KVM_CREATE_VM, 0);
		if (fd >= 0)
			pool_add(w->rd, fd, FD_VM, -1);
		break;
	case 1:
		if (!pool_pick(w, FD_VM, &e))
			return;
		fd = ioctl(e.fd, KVM_CREATE_VCPU, below(r, 8));
		if (fd >= 0)
			pool_add(w->rd, fd, FD_VCPU, -1);
		break;
	case 2:
		if (!pool_pick(w, below(r, 2) ? FD_VM : FD_VCPU, &e))
			return;
		fd = ioctl(e.fd, KVM_GET_STATS_FD, 0);
		if (fd >= 0)
			pool_add(w->rd, fd, FD_STATS, -1);
		break;
	default:
		if (!pool_pick(w, FD_VM, &e))
			return;
		ioctl(e.fd, KVM_CREATE_IRQCHIP, 0);
		break;
	}
}

/* --- KVM_RUN and its exits --- */

static void tamper_run(struct rng *r, struct kvm_run *run)
{
	unsigned int n = 1 + below(r, 4), i;
	/* mmio.phys_addr shares its bytes with io.size: put it back at the end. */
	__u8 io_size = run->io.size;

	add(&stats->tampers, 1);
	for (i = 0; i < n; i++) {
		switch (below(r, 10)) {
		case 0:
			if (!(avoid & AVOID_PIO_SIZE))
				run->io.size = rnum(r);
			break;
		case 1:
			run->io.count = rnum(r);
			break;
		case 2:
			run->io.port = rnd(r);
			break;
		case 3:
			run->io.direction = rnd(r);
			break;
		case 4:
			run->io.data_offset = rnum(r);
			break;
		case 5:
			run->mmio.len = rnum(r);
			break;
		case 6:
			run->mmio.phys_addr = rnum(r);
			break;
		case 7:
			run->mmio.is_write = rnd(r);
			break;
		case 8:
			run->exit_reason = rnum(r);
			break;
		default:
			/* Garbage over the exit union. */
			fill(r, &run->mmio, sizeof(run->mmio));
			break;
		}
	}
	if (avoid & AVOID_PIO_SIZE)
		run->io.size = io_size;
}

static bool check_exit(struct walker *w, struct kvm_run *run)
{
	__u32 reason = run->exit_reason;

	if (reason < NR_EXIT_SLOTS)
		add(&stats->exits[reason], 1);
	else
		add(&stats->exits[NR_EXIT_SLOTS - 1], 1);
	switch (reason) {
	case KVM_EXIT_IO:
		if ((run->io.size != 1 && run->io.size != 2 && run->io.size != 4) ||
		    run->io.direction > 1 || run->io.count < 1 ||
		    run->io.data_offset + (__u64)run->io.size * run->io.count > 2 * PAGE) {
			fail(w, "KVM_EXIT_IO with size %u dir %u count %u data_offset %llu",
			     run->io.size, run->io.direction, run->io.count,
			     (unsigned long long)run->io.data_offset);
			return false;
		}
		return true;
	case KVM_EXIT_MMIO:
		if (run->mmio.len < 1 || run->mmio.len > 8 || run->mmio.is_write > 1) {
			fail(w, "KVM_EXIT_MMIO with len %u is_write %u", run->mmio.len,
			     run->mmio.is_write);
			return false;
		}
		return true;
	case KVM_EXIT_INTERNAL_ERROR:
		add(&stats->internal[run->internal.suberror & 7], 1);
		if (run->internal.ndata >= 1 &&
		    run->internal.suberror != KVM_INTERNAL_ERROR_DELIVERY_EV)
			add(&stats->internal_exit[run->internal.data[0] & 63], 1);
		if (run->internal.ndata > 16) {
			fail(w, "KVM_EXIT_INTERNAL_ERROR with ndata %u", run->internal.ndata);
			return false;
		}
		return true;
	case KVM_EXIT_DEBUG:
		/* A random KVM_SET_GUEST_DEBUG: #DB or #BP only. */
		if (run->debug.arch.exception != 1 && run->debug.arch.exception != 3) {
			fail(w, "KVM_EXIT_DEBUG with exception %u",
			     run->debug.arch.exception);
			return false;
		}
		return true;
	case KVM_EXIT_HLT:
	case KVM_EXIT_IRQ_WINDOW_OPEN:
	case KVM_EXIT_SET_TPR:
	case KVM_EXIT_SHUTDOWN:
	case KVM_EXIT_FAIL_ENTRY:
	case KVM_EXIT_INTR:
		return true;
	default:
		if (!on_nvmx)
			return true;
		fail(w, "KVM_RUN returned 0 with exit_reason %u", reason);
		return false;
	}
}

/* After an exit that repeats (shutdown, failed entry...): a fresh start. */
static void reset_vcpu(struct walker *w, int fd)
{
	struct rng *r = &w->r;
	enum guest_mode mode = below(r, G_RANDOM);
	struct kvm_sregs s;
	struct kvm_regs g;

	if (ioctl(fd, KVM_GET_SREGS, &s) == 0) {
		random_sregs(w->rd, r, &s, mode);
		ioctl(fd, KVM_SET_SREGS, &s);
	}
	random_regs(r, &g, below(r, mode == G_REAL || mode == G_VM86 ? 0xfff0 :
				 w->rd->mem_size - 16));
	if (mode == G_VM86)
		g.rflags |= 1 << 17;
	ioctl(fd, KVM_SET_REGS, &g);
}

/* Runs a vCPU a few times, answering its exits, garbage now and then. */
static void op_run(struct walker *w)
{
	struct round *rd = w->rd;
	struct rng *r = &w->r;
	unsigned int i, n = 1 + below(r, 30);
	struct kvm_run *run;
	struct fd_ent e;
	long ret;
	int err;

	if (!pool_pick_vcpu(w, &e))
		return;
	run = e.run;
	/* Another thread's vCPU: only the owner may touch its kvm_run. */
	if (rd->threaded && e.owner != w->id)
		run = NULL;
	for (i = 0; i < n && now_s() < rd->deadline && !failed(rd); i++) {
		if (run)
			run->immediate_exit = chance(r, 3);
		add(&stats->runs, 1);
		ret = ioctl(e.fd, KVM_RUN, 0);
		err = errno;
		if (!sane_result(w, "KVM_RUN", ret, err))
			return;
		if (ret == -1) {
			/* Closed under us: the number may be another fd now. */
			if (__atomic_load_n(&rd->closing, __ATOMIC_RELAXED))
				continue;
			if (err != EINTR && err != EFAULT && err != EIO && err != ENOMEM &&
			    err != EINVAL && err != EBADF && err != EAGAIN) {
				fail(w, "KVM_RUN failed with errno %d", err);
				return;
			}
			if (err == EBADF && on_nvmx)
				fail(w, "KVM_RUN: EBADF on an fd the round holds");
			continue;
		}
		if (ret > 0) {
			fail(w, "KVM_RUN returned %ld", ret);
			return;
		}
		add(&stats->run_ok, 1);
		if (!run || __atomic_load_n(&rd->closing, __ATOMIC_RELAXED))
			continue;
		if (!check_exit(w, run))
			return;
		if (run->exit_reason == KVM_EXIT_IO && run->io.direction == KVM_EXIT_IO_IN)
			fill(r, (unsigned char *)run + run->io.data_offset,
			     run->io.size * run->io.count);
		if (run->exit_reason == KVM_EXIT_MMIO && !run->mmio.is_write)
			fill(r, run->mmio.data, 8);
		if ((run->exit_reason == KVM_EXIT_INTERNAL_ERROR ||
		     run->exit_reason == KVM_EXIT_FAIL_ENTRY ||
		     run->exit_reason == KVM_EXIT_SHUTDOWN) && chance(r, 70))
			reset_vcpu(w, e.fd);
		if (chance(r, 15))
			tamper_run(r, run);
		if (chance(r, 10))
			op_vcpu_state(w);
	}
}

/* --- a round --- */

enum { ROLE_ALL, ROLE_RUN, ROLE_SLOTS, ROLE_IOCTL };

static void walk(struct walker *w)
{
	struct round *rd = w->rd;
	struct rng *r = &w->r;
	/* Weights per role of: run, state, ioctl, sys, slot, backing, mmap, stats, create, close */
	static const unsigned char weights[4][10] = {
		[ROLE_ALL] = { 30, 12, 18, 6, 10, 3, 5, 3, 6, 2 },
		[ROLE_RUN] = { 80, 15, 0, 0, 0, 0, 2, 0, 0, 0 },
		[ROLE_SLOTS] = { 0, 0, 0, 0, 70, 20, 5, 0, 5, 0 },
		[ROLE_IOCTL] = { 0, 20, 40, 15, 5, 0, 5, 5, 8, 2 },
	};
	const unsigned char *wt = weights[w->role];
	unsigned int ops = 10 + below(r, 80), i, k, sum;

	for (i = 0; i < ops && now_s() < rd->deadline && !failed(rd); i++) {
		for (sum = 0, k = 0; k < 10; k++)
			sum += wt[k];
		sum = below(r, sum);
		for (k = 0; k < 10 && sum >= wt[k]; k++)
			sum -= wt[k];
		switch (k) {
		case 0:
			op_run(w);
			break;
		case 1:
			op_vcpu_state(w);
			break;
		case 2:
			op_random_ioctl(w);
			break;
		case 3:
			op_sys_struct(w);
			break;
		case 4:
			op_memslot(w);
			break;
		case 5:
			op_backing(w);
			break;
		case 6:
			op_mmap(w);
			break;
		case 7:
			op_stats_read(w);
			break;
		case 8:
			op_create(w);
			break;
		default:
			if (!rd->threaded)
				pool_close_one(w);
			break;
		}
	}
}

static void *walker_thread(void *arg)
{
	struct walker *w = arg;
	char name[16];
	timer_t t;

	snprintf(name, sizeof(name), "fz%llu.%d",
		 (unsigned long long)w->rd->seed % 100000000, w->id);
	prctl(PR_SET_NAME, name);
	t = arm_kick();
	walk(w);
	timer_delete(t);
	return NULL;
}

/* One VM with guest memory, random code and state on 1-3 vCPUs. */
static void setup_guest(struct round *rd, struct walker *w, int nvcpus)
{
	struct rng *r = &rd->r;
	struct kvm_userspace_memory_region m = {
		.slot = 0, .memory_size = rd->mem_size,
		.userspace_addr = (unsigned long)rd->mem,
	};
	enum guest_mode mode = random_mode(r);
	struct kvm_sregs s;
	struct kvm_regs g;
	int vm, i, vcpu;
	__u64 rip;

	vm = ioctl(rd->sys_fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fail(w, "KVM_CREATE_VM: %s", strerror(errno));
		return;
	}
	pool_add(rd, vm, FD_VM, -1);
	if (chance(r, 20))
		ioctl(vm, KVM_CREATE_IRQCHIP, 0);
	random_code(rd, r);
	build_page_tables(rd);
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &m))
		fail(w, "slot 0 of guest memory: %s", strerror(errno));
	for (i = 0; i < nvcpus; i++) {
		vcpu = ioctl(vm, KVM_CREATE_VCPU, i);
		if (vcpu < 0) {
			fail(w, "KVM_CREATE_VCPU %d: %s", i, strerror(errno));
			return;
		}
		pool_add(rd, vcpu, FD_VCPU, rd->threaded ? i : -1);
		if (chance(r, 50))
			set_random_cpuid(w, vcpu);
		if (ioctl(vcpu, KVM_GET_SREGS, &s) == 0) {
			random_sregs(rd, r, &s, mode);
			ioctl(vcpu, KVM_SET_SREGS, &s);
		}
		/* In real mode RIP stays in the first 64 KiB. */
		rip = below(r, mode == G_REAL || mode == G_VM86 ? 0xfff0 : rd->mem_size - 16);
		random_regs(r, &g, rip);
		if (mode == G_VM86)
			g.rflags |= 1 << 17;
		ioctl(vcpu, KVM_SET_REGS, &g);
		if (chance(r, 40))
			set_random_msrs(w, vcpu);
	}
}

static void closer(struct round *rd)
{
	int i;

	usleep(below(&rd->r, run_ms * 1000));
	pthread_mutex_lock(&rd->lock);
	rd->closing = true;
	for (i = rd->nfds - 1; i >= 1; i--)
		if (chance(&rd->r, 70)) {
			close(rd->fds[i].fd);
			rd->fds[i] = rd->fds[--rd->nfds];
		}
	pthread_mutex_unlock(&rd->lock);
}

/* Runs round @seed in this (child) process; returns its exit status. */
static int run_round(__u64 seed)
{
	static struct round rd;
	int i, nthreads;
	timer_t t;

	memset(&rd, 0, sizeof(rd));
	rd.seed = seed;
	rd.r.s = seed * 0x2545f4914f6cdd1dULL + 1;
	pthread_mutex_init(&rd.lock, NULL);
	rd.mem_size = MEM_PAGES * PAGE;
	rd.mem = mmap(NULL, rd.mem_size + PAGE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	rd.holes = mmap(NULL, HOLE_PAGES * PAGE, PROT_NONE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (rd.mem == MAP_FAILED || rd.holes == MAP_FAILED)
		return 3;
	mprotect(rd.mem + rd.mem_size, PAGE, PROT_NONE);
	mprotect(rd.holes + PAGE, PAGE, PROT_READ);
	rd.threaded = chance(&rd.r, 25);
	nthreads = rd.threaded ? 2 + below(&rd.r, MAX_THREADS - 1) : 1;
	for (i = 0; i < nthreads; i++) {
		rd.w[i].rd = &rd;
		rd.w[i].id = i;
		rd.w[i].r.s = rnd(&rd.r);
		rd.w[i].scratch = scratch_alloc();
		rd.w[i].role = !rd.threaded ? ROLE_ALL :
			       i < 2 ? ROLE_RUN : (i == 2 ? ROLE_SLOTS : ROLE_IOCTL);
	}
	if (rd.threaded && nthreads > 2)
		rd.w[nthreads - 1].role = below(&rd.r, 2) ? ROLE_SLOTS : ROLE_IOCTL;
	rd.nwalkers = nthreads;

	rd.sys_fd = open(dev_path, O_RDWR | O_CLOEXEC);
	if (rd.sys_fd < 0) {
		printf("# round seed %llu: open %s: %s\n", (unsigned long long)seed,
		       dev_path, strerror(errno));
		return 1;
	}
	pool_add(&rd, rd.sys_fd, FD_SYS, -1);
	rd.deadline = now_s() + run_ms / 1000.0;
	t = arm_kick();
	setup_guest(&rd, &rd.w[0], rd.threaded ? 2 : 1 + below(&rd.r, 2));
	if (rd.threaded) {
		add(&stats->threads, nthreads);
		for (i = 0; i < nthreads; i++)
			pthread_create(&rd.w[i].th, NULL, walker_thread, &rd.w[i]);
		if (chance(&rd.r, 50))
			closer(&rd);
		for (i = 0; i < nthreads; i++)
			pthread_join(rd.w[i].th, NULL);
	} else {
		walk(&rd.w[0]);
	}
	timer_delete(t);
	if (rd.fail[0]) {
		printf("# round seed %llu: %s\n", (unsigned long long)seed, rd.fail);
		return 1;
	}
	return 0;
}

/* --- directed cases: what the random rounds would only hit by luck --- */

/* What userspace answers an IN or MMIO read with: bytes aa bb cc dd ... */
static const unsigned char pattern[16] = {
	0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0x99, 0x88,
	0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x00,
};

struct directed {
	int sys, vm, vcpu;
	struct kvm_run *run;
	unsigned char *mem;
};

static int directed_setup(struct directed *d, const unsigned char *code, size_t len)
{
	struct kvm_userspace_memory_region m = { .memory_size = 0x10000 };
	struct kvm_sregs s;
	struct kvm_regs g = { .rip = 0x1000, .rflags = 2, .rsp = 0x8000 };

	memset(d, 0, sizeof(*d));
	d->sys = open(dev_path, O_RDWR | O_CLOEXEC);
	d->vm = d->sys < 0 ? -1 : ioctl(d->sys, KVM_CREATE_VM, 0);
	if (d->vm < 0)
		return -1;
	d->mem = mmap(NULL, m.memory_size, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (d->mem == MAP_FAILED)
		return -1;
	memcpy(d->mem + 0x1000, code, len);
	m.userspace_addr = (unsigned long)d->mem;
	if (ioctl(d->vm, KVM_SET_USER_MEMORY_REGION, &m))
		return -1;
	d->vcpu = ioctl(d->vm, KVM_CREATE_VCPU, 0);
	if (d->vcpu < 0)
		return -1;
	d->run = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, d->vcpu, 0);
	if (d->run == MAP_FAILED || ioctl(d->vcpu, KVM_GET_SREGS, &s))
		return -1;
	s.cs.base = 0;
	s.cs.selector = 0;
	s.ds.base = 0;
	s.ds.selector = 0;
	if (ioctl(d->vcpu, KVM_SET_SREGS, &s) || ioctl(d->vcpu, KVM_SET_REGS, &g))
		return -1;
	return 0;
}

static void directed_teardown(struct directed *d)
{
	if (d->run && d->run != MAP_FAILED)
		munmap(d->run, 2 * PAGE);
	if (d->mem && d->mem != MAP_FAILED)
		munmap(d->mem, 0x10000);
	close(d->vcpu);
	close(d->vm);
	close(d->sys);
}

/*
 * IN of @width bytes from port 0x10 with EAX = 0x11223344, then OUT EAX to
 * port 0x11. Every kvm_run field is garbage at the completing KVM_RUN, io.size
 * set to @fake; the guest must get exactly its own width of the data.
 */
static bool pio_in_tampered(unsigned int width, unsigned int fake, char *why, size_t n)
{
	static const unsigned char in8[] = { 0x66, 0xb8, 0x44, 0x33, 0x22, 0x11, 0xe4, 0x10,
					     0x66, 0xe7, 0x11, 0xf4 };
	unsigned char code[sizeof(in8) + 1];
	static const unsigned char in32[] = { 0x66, 0xe5, 0x10, 0x66, 0xe7, 0x11, 0xf4 };
	const __u32 want[] = { [1] = 0x112233aa, [2] = 0x1122bbaa, [4] = 0xddccbbaa };
	struct directed d;
	size_t len = sizeof(in8);
	__u32 got;
	bool ok = false;

	memcpy(code, in8, sizeof(in8));
	if (width == 2) {
		code[6] = 0xe5;
	} else if (width == 4) {
		memcpy(code + 6, in32, sizeof(in32));
		len = 13;
	}
	if (directed_setup(&d, code, len)) {
		snprintf(why, n, "setup: %s", strerror(errno));
		goto out;
	}
	if (ioctl(d.vcpu, KVM_RUN, 0) || d.run->exit_reason != KVM_EXIT_IO ||
	    d.run->io.direction != KVM_EXIT_IO_IN || d.run->io.size != width) {
		snprintf(why, n, "first exit: %u (size %u)", d.run->exit_reason, d.run->io.size);
		goto out;
	}
	memcpy((unsigned char *)d.run + d.run->io.data_offset, pattern, sizeof(pattern));
	d.run->io.size = fake;
	d.run->io.count = 200;
	d.run->io.port = 0x1234;
	d.run->io.direction = KVM_EXIT_IO_OUT;
	d.run->io.data_offset = 0x7ff0;
	d.run->exit_reason = KVM_EXIT_MMIO;
	if (ioctl(d.vcpu, KVM_RUN, 0) || d.run->exit_reason != KVM_EXIT_IO ||
	    d.run->io.port != 0x11 || d.run->io.size != 4) {
		snprintf(why, n, "second exit: %u port 0x%x size %u, want OUT to 0x11",
			 d.run->exit_reason, d.run->io.port, d.run->io.size);
		goto out;
	}
	memcpy(&got, (unsigned char *)d.run + d.run->io.data_offset, 4);
	ok = got == want[width];
	if (!ok)
		snprintf(why, n, "EAX 0x%08x, want 0x%08x", got, want[width]);
out:
	directed_teardown(&d);
	return ok;
}

/* MOV AL, [0x8000] (no slot) answered with mmio.len, is_write, phys_addr garbage. */
static bool mmio_read_tampered(char *why, size_t n)
{
	static const unsigned char code[] = { 0x66, 0xb8, 0x44, 0x33, 0x22, 0x11,
		0xa0, 0x00, 0x80, 0x66, 0xe7, 0x11, 0xf4 };
	struct kvm_userspace_memory_region m = { .memory_size = 0x8000 };
	struct directed d;
	bool ok = false;
	__u32 got;

	if (directed_setup(&d, code, sizeof(code))) {
		snprintf(why, n, "setup: %s", strerror(errno));
		goto out;
	}
	/* Shrink slot 0 to 32 KiB so that 0x8000 is MMIO. */
	m.slot = 0;
	m.memory_size = 0;
	ioctl(d.vm, KVM_SET_USER_MEMORY_REGION, &m);
	m.memory_size = 0x8000;
	m.userspace_addr = (unsigned long)d.mem;
	if (ioctl(d.vm, KVM_SET_USER_MEMORY_REGION, &m) || ioctl(d.vcpu, KVM_RUN, 0) ||
	    d.run->exit_reason != KVM_EXIT_MMIO || d.run->mmio.len != 1 || d.run->mmio.is_write) {
		snprintf(why, n, "first exit: %u", d.run->exit_reason);
		goto out;
	}
	memcpy(d.run->mmio.data, pattern, 8);
	d.run->mmio.len = 8;
	d.run->mmio.is_write = 1;
	d.run->mmio.phys_addr = 0x1000;
	d.run->exit_reason = KVM_EXIT_IO;
	if (ioctl(d.vcpu, KVM_RUN, 0) || d.run->exit_reason != KVM_EXIT_IO ||
	    d.run->io.port != 0x11) {
		snprintf(why, n, "second exit: %u", d.run->exit_reason);
		goto out;
	}
	memcpy(&got, (unsigned char *)d.run + d.run->io.data_offset, 4);
	ok = got == 0x112233aa;
	if (!ok)
		snprintf(why, n, "EAX 0x%08x, want 0x112233aa", got);
out:
	directed_teardown(&d);
	return ok;
}

/*
 * JMP $ with IF=0 (IF=1 on kvm_intel, which does not come back from an
 * IF=0 spin in Bochs: see run_test.c): the kick must end KVM_RUN with EINTR.
 */
static bool spin_is_interrupted(char *why, size_t n)
{
	const unsigned char code[] = { on_nvmx ? 0xfa : 0xfb, 0xeb, 0xfe };
	struct directed d;
	double t0;
	bool ok = false;
	timer_t t;
	int r, err;

	if (directed_setup(&d, code, sizeof(code))) {
		snprintf(why, n, "setup: %s", strerror(errno));
		goto out;
	}
	t = arm_kick();
	t0 = now_s();
	r = ioctl(d.vcpu, KVM_RUN, 0);
	err = errno;
	timer_delete(t);
	ok = r == -1 && err == EINTR && d.run->exit_reason == KVM_EXIT_INTR;
	if (!ok)
		snprintf(why, n, "KVM_RUN %d errno %d exit %u after %.3f s", r, err,
			 d.run->exit_reason, now_s() - t0);
out:
	directed_teardown(&d);
	return ok;
}

/* Fix 4: a slot over KVM_MEM_MAX_NR_PAGES (2^31 - 1) pages is EINVAL. */
static bool slot_too_big(char *why, size_t n)
{
	struct kvm_userspace_memory_region m = {
		.slot = 1, .guest_phys_addr = 0,
		.memory_size = (1ULL << 31) * PAGE, .userspace_addr = 0x10000000,
	};
	struct directed d;
	bool ok = false;
	int r;

	if (directed_setup(&d, (const unsigned char[]){ 0xf4 }, 1)) {
		snprintf(why, n, "setup: %s", strerror(errno));
		goto out;
	}
	r = ioctl(d.vm, KVM_SET_USER_MEMORY_REGION, &m);
	ok = r == -1 && errno == EINVAL;
	if (!ok)
		snprintf(why, n, "returned %d errno %d", r, errno);
out:
	directed_teardown(&d);
	return ok;
}

/*
 * A slot of 2^28 pages (1 TiB, not backed: KVM only checks access_ok())
 * at the top of the guest-physical space: KVM takes it; nvmx may take it or
 * refuse it with an errno, but not WARN (its page array would be 2 GiB).
 */
static bool slot_of_2_28_pages(char *why, size_t n)
{
	struct kvm_userspace_memory_region m = {
		.slot = 1, .memory_size = 1ULL << 40, .userspace_addr = 0x100000000ULL,
	};
	unsigned int eax = 0x80000008, ebx, ecx = 0, edx, bits;
	struct directed d;
	bool ok = false;
	int r;

	__asm__ volatile("cpuid" : "+a"(eax), "=b"(ebx), "+c"(ecx), "=d"(edx));
	bits = eax & 0xff;
	if (directed_setup(&d, (const unsigned char[]){ 0xf4 }, 1)) {
		snprintf(why, n, "setup: %s", strerror(errno));
		goto out;
	}
	m.guest_phys_addr = bits > 40 ? (1ULL << bits) - m.memory_size : 0;
	if (!m.guest_phys_addr) {
		/* 40 bits: the slot is all of it, slot 0 must go first. */
		struct kvm_userspace_memory_region z = { .slot = 0 };

		ioctl(d.vm, KVM_SET_USER_MEMORY_REGION, &z);
	}
	r = ioctl(d.vm, KVM_SET_USER_MEMORY_REGION, &m);
	ok = r == 0 || errno == ENOMEM || errno == EINVAL;
	if (!ok)
		snprintf(why, n, "returned %d errno %d", r, errno);
out:
	directed_teardown(&d);
	return ok;
}

static int tap_n;
static int tap_failed;
static int kmsg_fd = -1;

static void tap(bool ok, const char *name, const char *why)
{
	printf("%sok %d %s\n", ok ? "" : "not ", ++tap_n, name);
	if (!ok) {
		tap_failed++;
		if (why && *why)
			printf("# %s: %s\n", name, why);
	}
	fflush(stdout);
}

/* Directed cases run in a child too: a hang there is a failure, not ours. */
static bool in_child(bool (*fn)(void *, char *, size_t), void *arg, char *why, size_t n);

struct pio_arg {
	unsigned int width, fake;
};

static bool pio_thunk(void *a, char *why, size_t n)
{
	struct pio_arg *p = a;

	return pio_in_tampered(p->width, p->fake, why, n);
}

static bool mmio_thunk(void *a, char *why, size_t n)
{
	return mmio_read_tampered(why, n);
}

static bool spin_thunk(void *a, char *why, size_t n)
{
	return spin_is_interrupted(why, n);
}

static bool slot_thunk(void *a, char *why, size_t n)
{
	return slot_too_big(why, n);
}

static bool slot28_thunk(void *a, char *why, size_t n)
{
	return slot_of_2_28_pages(why, n);
}

static void run_directed(void)
{
	/* Benign fakes first: today's nvmx BUG()s on io.size > 8. */
	static const unsigned int fakes[] = { 1, 2, 4, 0, 3, 8, 9, 16, 255 };
	static const unsigned int widths[] = { 1, 2, 4 };
	char name[96], why[256];
	unsigned int i, j;

	for (j = 0; j < ARRAY_SIZE(fakes); j++) {
		if ((avoid & AVOID_PIO_SIZE) && fakes[j] > 8)
			continue;
		for (i = 0; i < 3; i++) {
			struct pio_arg a = { widths[i], fakes[j] };

			if (fakes[j] == widths[i])
				continue;
			snprintf(name, sizeof(name), "directed/pio_in%u_completes_with_io_size_%u",
				 widths[i] * 8, fakes[j]);
			why[0] = 0;
			tap(in_child(pio_thunk, &a, why, sizeof(why)), name, why);
		}
	}
	why[0] = 0;
	tap(in_child(mmio_thunk, NULL, why, sizeof(why)),
	    "directed/mmio_read_ignores_tampered_len_is_write_phys_addr", why);
	why[0] = 0;
	tap(in_child(spin_thunk, NULL, why, sizeof(why)),
	    "directed/signal_ends_a_spinning_guest", why);
	if (on_nvmx && !(avoid & AVOID_HUGE_SLOT)) {
		why[0] = 0;
		tap(in_child(slot_thunk, NULL, why, sizeof(why)),
		    "directed/slot_of_2^31_pages_is_einval", why);
		why[0] = 0;
		tap(in_child(slot28_thunk, NULL, why, sizeof(why)) && !kmsg_problem(kmsg_fd),
		    "directed/slot_of_2^28_pages_is_set_or_refused_quietly", why);
	}
}

/* --- the parent: children, watchdog, kernel log, leaks --- */

/*
 * Waits for @pid at most @secs; returns its wait status, or -1 if it is
 * still there after SIGKILL and REAP_S more seconds (stuck in the kernel).
 */
static int wait_bounded(pid_t pid, double secs, bool *killed)
{
	double end = now_s() + secs;
	int status;

	*killed = false;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return status;
		if (now_s() > end) {
			if (*killed)
				return -1;
			kill(pid, SIGKILL);
			*killed = true;
			end = now_s() + REAP_S;
		}
		usleep(1000);
	}
}

struct child_msg {
	bool ok;
	char why[256];
};

static struct child_msg *child_msg;

static bool in_child(bool (*fn)(void *, char *, size_t), void *arg, char *why, size_t n)
{
	bool killed;
	pid_t pid;
	int st;

	fflush(stdout);
	memset(child_msg, 0, sizeof(*child_msg));
	pid = fork();
	if (pid == 0) {
		prctl(PR_SET_NAME, "fz-directed");
		install_kick_handler();
		child_msg->ok = fn(arg, child_msg->why, sizeof(child_msg->why));
		_exit(0);
	}
	st = wait_bounded(pid, ROUND_KILL_S, &killed);
	if (st == -1 || killed) {
		snprintf(why, n, "did not finish in %d s%s", ROUND_KILL_S,
			 st == -1 ? ", and could not be killed" : "");
		return false;
	}
	snprintf(why, n, "%s", child_msg->why);
	return WIFEXITED(st) && !WEXITSTATUS(st) && child_msg->ok;
}

/*
 * Slack for the leak check. Thousands of forked rounds leave the kernel's
 * own caches (page tables, task structs, per-CPU lists) at a slightly
 * different size; SLUB counts every object of a per-CPU slab as in use, so
 * objects move in whole slabs. One page leaked per round over the measured
 * rounds exceeds the page slack once rounds pass it.
 */
#define LEAK_PAGES_SLACK	256
#define LEAK_SLAB_KB_SLACK	256
#define LEAK_SLAB_OBJS_SLACK	4096

static void usage(void)
{
	fprintf(stderr, "fuzz [-s SEED] [-n ROUNDS] [-t MS] [-a pio-size,huge-slot|all]\n"
		"            [-d DEV] [-M (no module check)] [-D (no directed cases)] [-v]\n");
	exit(2);
}

static unsigned int parse_avoid(const char *s)
{
	unsigned int m = 0;

	if (!s || !*s)
		return 0;
	if (strstr(s, "all"))
		return AVOID_PIO_SIZE | AVOID_HUGE_SLOT;
	if (strstr(s, "pio-size"))
		m |= AVOID_PIO_SIZE;
	if (strstr(s, "huge-slot"))
		m |= AVOID_HUGE_SLOT;
	return m;
}

static void fetch_vcpu_inputs(int sys)
{
	struct {
		struct kvm_msr_list hdr;
		__u32 idx[256];
	} l = { .hdr.nmsrs = 256 };

	if (ioctl(sys, KVM_GET_MSR_INDEX_LIST, &l) == 0) {
		nr_msr_index = l.hdr.nmsrs;
		memcpy(msr_index, l.idx, nr_msr_index * 4);
	}
	supported_cpuid.hdr.nent = 256;
	if (ioctl(sys, KVM_GET_SUPPORTED_CPUID, &supported_cpuid))
		supported_cpuid.hdr.nent = 0;
}

/* Runs rounds [from, to); false on the first kernel problem or stuck round. */
static bool run_rounds(__u64 seed, __u64 from, __u64 to, int kmsg,
		       __u64 *failed, __u64 *first_bad, char *kproblem, size_t kn)
{
	__u64 i;

	for (i = from; i < to; i++) {
		const char *bad;
		bool killed;
		pid_t pid;
		int st;

		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			char name[16];

			snprintf(name, sizeof(name), "fz%llu",
				 (unsigned long long)(seed + i) % 1000000000000ULL);
			prctl(PR_SET_NAME, name);
			install_kick_handler();
			_exit(run_round(seed + i));
		}
		if (pid < 0) {
			perror("fork");
			return false;
		}
		st = wait_bounded(pid, ROUND_KILL_S, &killed);
		add(&stats->rounds, 1);
		if (st == -1) {
			snprintf(kproblem, kn,
				 "round seed %llu stuck in the kernel: not reaped %d s after SIGKILL",
				 (unsigned long long)(seed + i), REAP_S);
			return false;
		}
		if (killed || !WIFEXITED(st) || WEXITSTATUS(st)) {
			if (!*failed)
				*first_bad = seed + i;
			(*failed)++;
			printf("# round seed %llu: %s %d\n", (unsigned long long)(seed + i),
			       killed ? "killed after timeout, status" :
			       WIFSIGNALED(st) ? "killed by signal" : "exit status",
			       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		}
		bad = kmsg_problem(kmsg);
		if (bad) {
			snprintf(kproblem, kn, "after round seed %llu: %s",
				 (unsigned long long)(seed + i), bad);
			return false;
		}
		if (verbose || ((i + 1) & 1023) == 0)
			printf("# %llu rounds done\n", (unsigned long long)(i + 1));
	}
	return true;
}

int main(int argc, char **argv)
{
	__u64 seed = 1, rounds = 100, warm, failed = 0, first_bad = 0, i;
	bool module_check = true, directed = true, alive;
	struct mem_snapshot before = { 0 }, after;
	char kproblem[1200] = "", why[256];
	const char *env;
	struct nvmx_status st;
	double t0 = now_s();
	int opt, kmsg, sys;

	env = getenv("NVMX_FUZZ_SEED");
	if (env && *env)
		seed = strtoull(env, NULL, 0);
	env = getenv("NVMX_FUZZ_ROUNDS");
	if (env && *env)
		rounds = strtoull(env, NULL, 0);
	avoid = parse_avoid(getenv("NVMX_FUZZ_AVOID"));
	dev_path = test_dev();
	while ((opt = getopt(argc, argv, "s:n:t:a:d:MDv")) != -1) {
		switch (opt) {
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			rounds = strtoull(optarg, NULL, 0);
			break;
		case 't':
			run_ms = strtoul(optarg, NULL, 0);
			break;
		case 'a':
			avoid = parse_avoid(optarg);
			break;
		case 'd':
			dev_path = optarg;
			break;
		case 'M':
			module_check = false;
			break;
		case 'D':
			directed = false;
			break;
		case 'v':
			verbose = true;
			break;
		default:
			usage();
		}
	}
	on_nvmx = !strcmp(dev_path, NVMX_DEV);
	if (!on_nvmx)
		module_check = false;
	stats = mmap(NULL, sizeof(*stats) + sizeof(*child_msg), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED)
		return 1;
	child_msg = (struct child_msg *)(stats + 1);
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("TAP version 13\n");
	printf("# fuzz: %s, seeds %llu..%llu (%llu rounds), %u ms each, avoiding:%s%s%s\n",
	       dev_path, (unsigned long long)seed,
	       (unsigned long long)(seed + rounds - (rounds ? 1 : 0)),
	       (unsigned long long)rounds, run_ms,
	       avoid ? "" : " nothing", avoid & AVOID_PIO_SIZE ? " pio-size" : "",
	       avoid & AVOID_HUGE_SLOT ? " huge-slot" : "");
	sys = open(dev_path, O_RDWR | O_CLOEXEC);
	if (sys < 0) {
		printf("1..0 # SKIP %s: %s\n", dev_path, strerror(errno));
		return 4;
	}
	fetch_vcpu_inputs(sys);
	close(sys);
	kmsg = kmsg_open();
	kmsg_fd = kmsg;

	if (directed)
		run_directed();

	/* Warm-up rounds fill the kernel's caches before the baseline. */
	warm = rounds < 40 ? rounds / 2 : 20;
	alive = run_rounds(seed, 0, warm, kmsg, &failed, &first_bad, kproblem, sizeof(kproblem));
	if (alive && module_check) {
		if (module_unload("nvmx")) {
			snprintf(kproblem, sizeof(kproblem), "rmmod nvmx after warm-up: %s",
				 strerror(errno));
			alive = false;
		} else {
			before = mem_snapshot(300);
			if (module_load(nvmx_ko_path())) {
				snprintf(kproblem, sizeof(kproblem), "insmod %s: %s",
					 nvmx_ko_path(), strerror(errno));
				alive = false;
			}
		}
	}
	if (alive)
		alive = run_rounds(seed, warm, rounds, kmsg, &failed, &first_bad,
				   kproblem, sizeof(kproblem));
	snprintf(why, sizeof(why), "%llu of %llu rounds failed, the first seed %llu",
		 (unsigned long long)failed, (unsigned long long)stats->rounds,
		 (unsigned long long)first_bad);
	tap(!failed && stats->rounds == rounds, "rounds_end_in_time_and_keep_the_abi", why);
	if (!kproblem[0]) {
		const char *bad = kmsg_problem(kmsg);

		if (bad)
			snprintf(kproblem, sizeof(kproblem), "at the end: %s", bad);
	}
	tap(!kproblem[0], "kernel_log_clean_and_no_round_stuck", kproblem);

	if (on_nvmx) {
		sys = open(dev_path, O_RDWR | O_CLOEXEC);
		why[0] = 0;
		if (sys < 0 || nvmx_get_status(sys, &st))
			snprintf(why, sizeof(why), "NVMX_GET_STATUS: %s", strerror(errno));
		else if (st.nr_vms || st.vmx_cpus)
			snprintf(why, sizeof(why), "%u VMs and %u CPUs in VMX operation left",
				 st.nr_vms, st.vmx_cpus);
		if (sys >= 0)
			close(sys);
		tap(!why[0], "no_vm_left", why);
	}
	if (module_check && alive) {
		int r = module_unload("nvmx");

		snprintf(why, sizeof(why), "%s", r ? strerror(errno) : "");
		tap(!r, "rmmod_after_the_rounds", why);
		if (!r) {
			after = mem_snapshot(300);
			snprintf(why, sizeof(why),
				 "free pages %+lld, unreclaimable slab %+lld kB, slab objects %+lld",
				 after.free_pages - before.free_pages,
				 after.slab_kb - before.slab_kb,
				 after.slab_objs - before.slab_objs);
			printf("# leak check over %llu rounds: %s\n",
			       (unsigned long long)(rounds - warm), why);
			tap(after.free_pages >= before.free_pages - LEAK_PAGES_SLACK &&
			    after.slab_kb <= before.slab_kb + LEAK_SLAB_KB_SLACK &&
			    after.slab_objs <= before.slab_objs + LEAK_SLAB_OBJS_SLACK,
			    "no_leak_after_rmmod", why);
			r = module_load(nvmx_ko_path());
			snprintf(why, sizeof(why), "%s", r ? strerror(errno) : "");
			tap(!r, "insmod_again", why);
		}
	}

	printf("# %llu rounds in %.1f s: %llu ioctls (%llu succeeded),",
	       (unsigned long long)stats->rounds, now_s() - t0,
	       (unsigned long long)stats->ioctls, (unsigned long long)stats->ioctl_ok);
	printf(" %llu KVM_RUN (%llu returned 0), %llu kvm_run tamperings\n",
	       (unsigned long long)stats->runs, (unsigned long long)stats->run_ok,
	       (unsigned long long)stats->tampers);
	printf("# slots set %llu, refused %llu; vCPU mmaps %llu;",
	       (unsigned long long)stats->slots_ok, (unsigned long long)stats->slots_fail,
	       (unsigned long long)stats->mmaps_ok);
	printf(" fds closed early %llu; threads %llu\n",
	       (unsigned long long)stats->closes, (unsigned long long)stats->threads);
	printf("# exits:");
	for (i = 0; i < NR_EXIT_SLOTS; i++)
		if (stats->exits[i])
			printf(" %llu=%llu", (unsigned long long)i,
			       (unsigned long long)stats->exits[i]);
	printf("\n# internal errors by suberror:");
	for (i = 0; i < 8; i++)
		if (stats->internal[i])
			printf(" %llu=%llu", (unsigned long long)i,
			       (unsigned long long)stats->internal[i]);
	printf("; by VMX exit reason:");
	for (i = 0; i < 64; i++)
		if (stats->internal_exit[i])
			printf(" %llu=%llu", (unsigned long long)i,
			       (unsigned long long)stats->internal_exit[i]);
	printf("\n# errnos:");
	for (i = 0; i < 64; i++)
		if (stats->errnos[i])
			printf(" %s=%llu",
			       i < 63 && strerrorname_np(i) ? strerrorname_np(i) : "other",
			       (unsigned long long)stats->errnos[i]);
	printf("\n1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}
