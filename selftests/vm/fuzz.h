/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The fuzzer's shared declarations: its random numbers, the per-round
 * context and the counters a round hands back to the parent.
 */
#ifndef NVMX_FUZZ_H
#define NVMX_FUZZ_H

#include <pthread.h>
#include <stdbool.h>
#include <linux/types.h>

#include <linux/kvm.h>

#define PAGE		4096UL

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#define BIT(n)		(1U << (n))
#define MAX_FDS		48
#define MAX_THREADS	4
#define NR_EXIT_SLOTS	40

/* splitmix64: tiny, fast, and every seed gives a good stream. */
struct rng {
	__u64 s;
};

static inline __u64 rnd(struct rng *r)
{
	__u64 z = (r->s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline __u64 below(struct rng *r, __u64 n)
{
	return n ? rnd(r) % n : 0;
}

static inline bool chance(struct rng *r, unsigned int pct)
{
	return below(r, 100) < pct;
}

enum fd_kind { FD_SYS, FD_VM, FD_VCPU, FD_STATS, NR_FD_KINDS };

struct fd_ent {
	int fd;
	enum fd_kind kind;
	struct kvm_run *run;	/* vCPU: its mapping, kept to the round's end */
	int owner;		/* vCPU: the thread that runs it, -1 any */
};

/* Counters summed over all rounds (shared with the parent). */
struct fuzz_stats {
	__u64 rounds, ioctls, ioctl_ok, runs, run_ok, tampers;
	__u64 slots_ok, slots_fail, mmaps_ok, closes, threads;
	__u64 exits[NR_EXIT_SLOTS];
	__u64 errnos[64];
	__u64 internal[8], internal_exit[64];
};

/* Which known crash classes to stay away from (-a). */
enum {
	AVOID_PIO_SIZE = 1 << 0,	/* kvm_run io.size before an IN completes */
	AVOID_HUGE_SLOT = 1 << 1,	/* slots whose page array cannot be had */
};

struct round;

/* One walking thread's state. */
struct walker {
	struct round *rd;
	struct rng r;
	int id;
	unsigned char *scratch;	/* 8 pages: see scratch_layout in fuzz.c */
	pthread_t th;
	int role;
};

struct round {
	__u64 seed;
	struct rng r;
	bool threaded;
	bool closing;		/* fds may be gone: relax the checks */
	double deadline;
	pthread_mutex_t lock;	/* the fd pool */
	struct fd_ent fds[MAX_FDS];
	int nfds;
	unsigned char *mem;	/* guest memory backing */
	size_t mem_size;
	unsigned char *holes;	/* PROT_NONE and read-only pages for slots */
	int sys_fd;
	struct walker w[MAX_THREADS];
	int nwalkers;
	char fail[512];
};

#endif /* NVMX_FUZZ_H */
