// SPDX-License-Identifier: GPL-2.0
/*
 * NVMX_GET_EXIT_COUNTS (vCPU fd): its input checks, and exact counts for
 * known workloads, which must equal the vCPU stats fd's histograms.
 *
 *  - Input: a size below NVMX_EXIT_COUNTS_SIZE_VER0 is EINVAL, above 4096
 *    E2BIG, a larger struct with a nonzero byte past the known one E2BIG;
 *    flags other than 0 and NVMX_EXIT_COUNTS_RESET and a nonzero
 *    __reserved are EINVAL (and reset nothing); a NULL pointer EFAULT; a
 *    new vCPU has no exits.
 *  - L1: after a RESET at a sync, the guest makes NR_L1 CPUIDs and NR_L1
 *    MOV to CR0 that each flip CR0.CD (which nvmx intercepts), then syncs:
 *    exits[L1][10] and [28] are NR_L1, cr[L1][NVMX_CR_SLOT(0, 0)] NR_L1 and
 *    no other CR slot moved, exits[L1][30] is the sync's one I/O exit,
 *    nothing at the L2 levels, and the stats fd's `exits` rose by the sum
 *    of all counts. The RESET read zeroes them, in the stats fd too.
 *  - L2 (libkvm's VMX helpers as L1): L2 flips CR0.CD NR_L2_CR times (L1's
 *    CR0 mask is 0: L0 absorbs them) and makes NR_L2 VMCALLs, which L1
 *    handles: exits[L2_L1][18] is NR_L2 and all L2_L1, cr[L2_L0][slot 0]
 *    and exits[L2_L0][28] NR_L2_CR, exits[L1][20] one VMLAUNCH and [24]
 *    NR_L2 - 1 VMRESUMEs.
 *
 * On kvm_intel, which has no such ioctl, the vCPU fd must refuse it with
 * EINVAL (KVM's answer for a vCPU ioctl of another type) and the workloads
 * must still run; the counts are nvmx's own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define NR_L1		20
#define NR_L2		10
#define NR_L2_CR	6
#define L2_STACK_WORDS	512

/* Basic exit reasons (SDM appendix C). */
#define R_CPUID		10
#define R_VMCALL	18
#define R_VMLAUNCH	20
#define R_VMRESUME	24
#define R_CR		28
#define R_IO		30

#define L_L1		NVMX_LEVEL_L1
#define L_L2_L0		NVMX_LEVEL_L2_L0
#define L_L2_L1		NVMX_LEVEL_L2_L1

static bool nvmx;

/* The stats fd histograms NVMX_GET_EXIT_COUNTS must equal. */
enum {
	S_EXITS,
	S_L1, S_L2_L0, S_L2_L1,		/* by reason, as exits[level] */
	S_CR_L1, S_CR_L2_L0, S_CR_L2_L1,	/* by CR slot, as cr[level] */
	NR_S
};

static const char *const stat_names[NR_S] = {
	"exits",
	"nvmx_l1_exits", "nvmx_l2_exits_l0", "nvmx_l2_exits_reflected",
	"nvmx_l1_cr_exits", "nvmx_l2_cr_exits_l0", "nvmx_l2_cr_exits_reflected",
};

#define MAX_BUCKETS	NVMX_EXIT_COUNT_REASONS

struct snap {
	u64 v[NR_S][MAX_BUCKETS];
};

/* ---- guest code ---- */

static void l1_guest(void)
{
	u64 cr0 = get_cr0();
	u32 a, b, c, d;
	int i;

	GUEST_SYNC(0);
	for (i = 0; i < NR_L1; i++)
		cpuid(0, &a, &b, &c, &d);
	for (i = 0; i < NR_L1; i++) {
		cr0 ^= X86_CR0_CD;
		asm volatile("mov %0, %%cr0" : : "r"(cr0) : "memory");
	}
	GUEST_SYNC(1);
	GUEST_SYNC(2);
	GUEST_DONE();
}

static u64 l2_stack[L2_STACK_WORDS] __aligned(16);
/* L2's state is in memory: an exit L1 handles gives L2 L1's registers. */
static u64 l2_cr0, l2_crs, l2_calls, l1_seen;

static void l2_guest(void)
{
	l2_cr0 = get_cr0();
	while (l2_crs < NR_L2_CR) {
		l2_crs++;
		l2_cr0 ^= X86_CR0_CD;
		asm volatile("mov %0, %%cr0" : : "r"(l2_cr0) : "memory");
	}
	while (l2_calls < NR_L2) {
		l2_calls++;
		l2_vmcall();
	}
	/* L1 does not resume L2 after its last VMCALL. */
	GUEST_ASSERT(0);
}

static void l1_nested(struct vmx_pages *vmx)
{
	u64 reason, len;
	int i;

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_guest, &l2_stack[L2_STACK_WORDS - 1]);
	GUEST_SYNC(0);

	GUEST_ASSERT_1(!vmlaunch(), vmreadz(VM_INSTRUCTION_ERROR));
	for (i = 0; i < NR_L2; i++) {
		reason = vmreadz(VM_EXIT_REASON);
		GUEST_ASSERT_2(reason == R_VMCALL, i, reason);
		l1_seen++;
		if (i == NR_L2 - 1)
			break;
		len = vmreadz(VM_EXIT_INSTRUCTION_LEN);
		GUEST_ASSERT(!vmwrite(GUEST_RIP, vmreadz(GUEST_RIP) + len));
		/* As vmx_l2_test: L1 must come back with a data SS. */
		if (i == 0)
			GUEST_ASSERT(!vmwrite(HOST_SS_SELECTOR, get_ds()));
		GUEST_ASSERT_2(!vmresume(), i, vmreadz(VM_INSTRUCTION_ERROR));
	}
	GUEST_SYNC(1);
	GUEST_DONE();
}

/* ---- host side ---- */

static int counts_ioctl(struct kvm_vcpu *vcpu, void *arg)
{
	return ioctl(vcpu->fd, NVMX_GET_EXIT_COUNTS, arg) ? errno : 0;
}

/* The counts now, zeroed after if @reset; asserts the ioctl succeeds. */
static void counts_get(struct kvm_vcpu *vcpu, struct nvmx_exit_counts *c,
		       bool reset)
{
	int err = nvmx_exit_counts(vcpu, c, reset);

	TEST_ASSERT(!err, "NVMX_GET_EXIT_COUNTS: %s", strerror(err));
	TEST_ASSERT(c->size == NVMX_EXIT_COUNTS_SIZE_VER0 &&
		    c->nr_reasons == NVMX_EXIT_COUNT_REASONS,
		    "size %u nr_reasons %u", c->size, c->nr_reasons);
}

static bool counts_zero(const struct nvmx_exit_counts *c)
{
	unsigned int l, i;

	for (l = 0; l < NVMX_NR_LEVELS; l++) {
		for (i = 0; i < NVMX_EXIT_COUNT_REASONS; i++)
			if (c->exits[l][i])
				return false;
		for (i = 0; i < NVMX_CR_ACCESS_SLOTS; i++)
			if (c->cr[l][i])
				return false;
	}
	return true;
}

static u64 counts_sum(const __u64 *v, unsigned int n)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += v[i];
	return sum;
}

static u64 snap_sum(const struct snap *sn, unsigned int s, unsigned int n)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += sn->v[s][i];
	return sum;
}

static u64 counts_total(const struct nvmx_exit_counts *c)
{
	unsigned int l;
	u64 sum = 0;

	for (l = 0; l < NVMX_NR_LEVELS; l++)
		sum += counts_sum(c->exits[l], NVMX_EXIT_COUNT_REASONS);
	return sum;
}

/* What moved, for the log: "level:reason=count ...". */
static void counts_print(const char *when, const struct nvmx_exit_counts *c)
{
	static const char *const lv[] = { "L1", "L2>L0", "L2>L1" };
	char buf[1024];
	unsigned int l, i;
	int n = 0;

	for (l = 0; l < NVMX_NR_LEVELS; l++) {
		for (i = 0; i < NVMX_EXIT_COUNT_REASONS; i++)
			if (c->exits[l][i] && n < (int)sizeof(buf) - 40)
				n += snprintf(buf + n, sizeof(buf) - n, " %s:%u=%llu",
					      lv[l], i, (unsigned long long)c->exits[l][i]);
		for (i = 0; i < NVMX_CR_ACCESS_SLOTS; i++)
			if (c->cr[l][i] && n < (int)sizeof(buf) - 40)
				n += snprintf(buf + n, sizeof(buf) - n, " %s:cr%u/%u=%llu",
					      lv[l], i / 4, i % 4,
					      (unsigned long long)c->cr[l][i]);
	}
	printf("# %s:%s\n", when, n ? buf : " none");
}

static void expect_count(const char *when, const char *what, u64 got, u64 want)
{
	result(got == want, "%s: %s is %llu (got %llu)", when, what,
	       (unsigned long long)want, (unsigned long long)got);
}

static struct nested_stats stats;
static struct kvm_stats_desc *stat_desc[NR_S];

static void stats_open(struct kvm_vcpu *vcpu)
{
	unsigned int s;
	bool ok = true;

	nested_stats_open(&stats, vcpu, stat_names, NR_S, MAX_BUCKETS, stat_desc);
	for (s = 0; s < NR_S; s++) {
		unsigned int want = s == S_EXITS ? 1 : s < S_CR_L1 ?
			NVMX_EXIT_COUNT_REASONS : NVMX_CR_ACCESS_SLOTS;

		if (!stat_desc[s] || stat_desc[s]->size != want) {
			result(false, "stat %s has %u buckets", stat_names[s], want);
			ok = false;
		}
	}
	TEST_ASSERT(ok, "the stats fd lacks the exit histograms");
}

/* The ioctl's struct, read now, equals the stats fd's histograms. */
static void expect_stats_agree(const char *when, struct kvm_vcpu *vcpu,
			       struct snap *sn)
{
	struct nvmx_exit_counts c;
	unsigned int l, i, bad = 0;

	nested_stats_read(&stats, &sn->v[0][0]);
	counts_get(vcpu, &c, false);
	for (l = 0; l < NVMX_NR_LEVELS; l++) {
		for (i = 0; i < NVMX_EXIT_COUNT_REASONS; i++)
			bad += c.exits[l][i] != sn->v[S_L1 + l][i];
		for (i = 0; i < NVMX_CR_ACCESS_SLOTS; i++)
			bad += c.cr[l][i] != sn->v[S_CR_L1 + l][i];
	}
	result(!bad, "%s: ioctl equals the stats fd (%u buckets differ)", when, bad);
}

/* ---- input checks ---- */

static void check_inputs(struct kvm_vcpu *vcpu)
{
	union {
		struct nvmx_exit_counts c;
		u8 b[8192];
	} *u = calloc(1, sizeof(*u));
	struct nvmx_exit_counts *c = &u->c, before;
	const u32 ver0 = NVMX_EXIT_COUNTS_SIZE_VER0;
	static const struct {
		const char *name;
		u32 size;
		u32 flags;
		u32 reserved;
		u32 tail;	/* offset of a nonzero byte, or 0 */
		int err;
	} rows[] = {
		{ "size_0_einval", 0, 0, 0, 0, EINVAL },
		{ "size_4_einval", 4, 0, 0, 0, EINVAL },
		{ "size_ver0_minus_8_einval", NVMX_EXIT_COUNTS_SIZE_VER0 - 8, 0, 0, 0, EINVAL },
		{ "size_4097_e2big", 4097, 0, 0, 0, E2BIG },
		{ "size_ffffffff_e2big", 0xffffffff, 0, 0, 0, E2BIG },
		{ "size_4096_tail_byte_e2big", 4096, 0, 0, NVMX_EXIT_COUNTS_SIZE_VER0, E2BIG },
		{ "size_4096_last_byte_e2big", 4096, 0, 0, 4095, E2BIG },
		{ "flags_2_einval", NVMX_EXIT_COUNTS_SIZE_VER0, 2, 0, 0, EINVAL },
		{ "flags_reset_and_2_einval", NVMX_EXIT_COUNTS_SIZE_VER0, 3, 0, 0, EINVAL },
		{ "flags_bit31_einval", NVMX_EXIT_COUNTS_SIZE_VER0, 1u << 31, 0, 0, EINVAL },
		{ "reserved_1_einval", NVMX_EXIT_COUNTS_SIZE_VER0, 0, 1, 0, EINVAL },
		{ "reserved_with_reset_einval", NVMX_EXIT_COUNTS_SIZE_VER0,
		  NVMX_EXIT_COUNTS_RESET, 0x80000000, 0, EINVAL },
		{ "size_4096_zero_tail_ok", 4096, 0, 0, 0, 0 },
		{ "size_ver0_plus_1_ok", NVMX_EXIT_COUNTS_SIZE_VER0 + 1, 0, 0, 0, 0 },
	};
	unsigned int i;
	int err;

	TEST_ASSERT(u, "calloc");
	/* A new vCPU has run nothing. */
	counts_get(vcpu, &before, false);
	result(counts_zero(&before), "new_vcpu_counts_zero");

	for (i = 0; i < ARRAY_SIZE(rows); i++) {
		memset(u, 0, sizeof(*u));
		c->size = rows[i].size;
		c->flags = rows[i].flags;
		c->__reserved = rows[i].reserved;
		if (rows[i].tail)
			u->b[rows[i].tail] = 1;
		err = counts_ioctl(vcpu, c);
		if (rows[i].err) {
			result(err == rows[i].err, "%s (got %s)", rows[i].name,
			       err ? strerror(err) : "success");
			continue;
		}
		result(!err && c->size == ver0 &&
		       c->nr_reasons == NVMX_EXIT_COUNT_REASONS &&
		       !u->b[ver0] && !u->b[4095],
		       "%s (got %s, size %u, nr_reasons %u)", rows[i].name,
		       err ? strerror(err) : "success", c->size, c->nr_reasons);
	}
	err = counts_ioctl(vcpu, NULL);
	result(err == EFAULT, "null_pointer_efault (got %s)",
	       err ? strerror(err) : "success");
	/* Only _IOWR is the ioctl: the right number read-only is unknown. */
	memset(u, 0, sizeof(*u));
	c->size = ver0;
	err = ioctl(vcpu->fd, _IOR(NVMX_TYPE, NVMX_CMD_GET_EXIT_COUNTS,
				   struct nvmx_exit_counts), c) ? errno : 0;
	result(err == EINVAL, "ior_direction_einval (got %s)",
	       err ? strerror(err) : "success");
	free(u);
}

/* ---- the workloads ---- */

static void l1_workload(void)
{
	struct nvmx_exit_counts c, after;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct snap s0, s1, s2;
	unsigned int l;
	u64 zero = 0;

	vm = vm_create_with_one_vcpu(&vcpu, l1_guest);
	if (!nvmx) {
		struct nvmx_exit_counts k = { .size = sizeof(k) };
		int err = counts_ioctl(vcpu, &k);

		result(err == EINVAL, "kvm_intel_refuses_with_einval (got %s)",
		       err ? strerror(err) : "success");
		run_to(vcpu, 0);
		run_to(vcpu, 1);
		run_to(vcpu, 2);
		run_to(vcpu, RUN_TO_DONE);
		result(true, "l1_workload_runs");
		kvm_vm_free(vm);
		return;
	}
	check_inputs(vcpu);
	stats_open(vcpu);

	run_to(vcpu, 0);
	nested_stats_read(&stats, &s0.v[0][0]);
	counts_get(vcpu, &c, true);
	result(c.exits[L_L1][R_IO] >= 1, "sync0: the sync's I/O exit counted (%llu)",
	       (unsigned long long)c.exits[L_L1][R_IO]);
	counts_get(vcpu, &c, false);
	result(counts_zero(&c), "sync0: zero after reset");

	run_to(vcpu, 1);
	expect_stats_agree("sync1", vcpu, &s1);
	counts_get(vcpu, &c, true);
	counts_print("sync1", &c);
	expect_count("sync1", "exits[L1][CPUID]", c.exits[L_L1][R_CPUID], NR_L1);
	expect_count("sync1", "exits[L1][CR]", c.exits[L_L1][R_CR], NR_L1);
	expect_count("sync1", "cr[L1][mov to cr0]",
		     c.cr[L_L1][NVMX_CR_SLOT(0, 0)], NR_L1);
	expect_count("sync1", "all cr[L1]",
		     counts_sum(c.cr[L_L1], NVMX_CR_ACCESS_SLOTS), NR_L1);
	expect_count("sync1", "exits[L1][I/O]", c.exits[L_L1][R_IO], 1);
	for (l = L_L2_L0; l <= L_L2_L1; l++)
		expect_count("sync1", l == L_L2_L0 ? "all L2>L0" : "all L2>L1",
			     counts_sum(c.exits[l], NVMX_EXIT_COUNT_REASONS), 0);
	/* Every hardware exit since the reset is in the counts. */
	expect_count("sync1", "exits since the reset", counts_total(&c),
		     s1.v[S_EXITS][0] - s0.v[S_EXITS][0]);

	counts_get(vcpu, &after, false);
	result(counts_zero(&after), "sync1: reset zeroes the counts");
	expect_stats_agree("sync1 after reset", vcpu, &s1);
	for (l = S_L1; l <= S_CR_L2_L1; l++)
		zero += snap_sum(&s1, l, MAX_BUCKETS);
	result(!zero, "sync1: reset zeroes the stats fd histograms");

	/* Failed ioctls reset nothing. */
	run_to(vcpu, 2);
	memset(&c, 0, sizeof(c));
	c.size = sizeof(c);
	c.flags = NVMX_EXIT_COUNTS_RESET | 2;
	TEST_ASSERT(counts_ioctl(vcpu, &c) == EINVAL, "flags 3 accepted");
	c.flags = NVMX_EXIT_COUNTS_RESET;
	c.__reserved = 1;
	TEST_ASSERT(counts_ioctl(vcpu, &c) == EINVAL, "__reserved 1 accepted");
	expect_stats_agree("sync2", vcpu, &s2);
	counts_get(vcpu, &c, false);
	counts_print("sync2", &c);
	expect_count("sync2 (failed resets before)", "exits[L1][I/O]",
		     c.exits[L_L1][R_IO], 1);
	expect_count("sync2", "exits[L1][CPUID]", c.exits[L_L1][R_CPUID], 0);
	expect_count("sync2", "exits since sync1", counts_total(&c),
		     s2.v[S_EXITS][0] - s1.v[S_EXITS][0]);
	run_to(vcpu, RUN_TO_DONE);
	close(stats.fd);
	kvm_vm_free(vm);
}

static void l2_workload(void)
{
	struct nvmx_exit_counts c;
	struct kvm_vcpu *vcpu;
	vm_vaddr_t vmx_gva;
	struct kvm_vm *vm;
	struct snap s0, s1;

	vm = vm_create_with_one_vcpu(&vcpu, l1_nested);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	if (nvmx)
		stats_open(vcpu);

	run_to(vcpu, 0);
	if (nvmx) {
		nested_stats_read(&stats, &s0.v[0][0]);
		counts_get(vcpu, &c, true);
	}
	run_to(vcpu, 1);
	result(*(u64 *)addr_gva2hva(vm, (vm_vaddr_t)&l1_seen) == NR_L2,
	       "l2: L1 handled %u VMCALLs", NR_L2);
	if (nvmx) {
		expect_stats_agree("l2", vcpu, &s1);
		counts_get(vcpu, &c, false);
		counts_print("l2", &c);
		expect_count("l2", "exits[L2>L1][VMCALL]",
			     c.exits[L_L2_L1][R_VMCALL], NR_L2);
		expect_count("l2", "all L2>L1",
			     counts_sum(c.exits[L_L2_L1], NVMX_EXIT_COUNT_REASONS),
			     NR_L2);
		expect_count("l2", "all cr[L2>L1]",
			     counts_sum(c.cr[L_L2_L1], NVMX_CR_ACCESS_SLOTS), 0);
		expect_count("l2", "exits[L2>L0][CR]", c.exits[L_L2_L0][R_CR],
			     NR_L2_CR);
		expect_count("l2", "cr[L2>L0][mov to cr0]",
			     c.cr[L_L2_L0][NVMX_CR_SLOT(0, 0)], NR_L2_CR);
		expect_count("l2", "all cr[L2>L0]",
			     counts_sum(c.cr[L_L2_L0], NVMX_CR_ACCESS_SLOTS),
			     NR_L2_CR);
		expect_count("l2", "exits[L1][VMLAUNCH]",
			     c.exits[L_L1][R_VMLAUNCH], 1);
		expect_count("l2", "exits[L1][VMRESUME]",
			     c.exits[L_L1][R_VMRESUME], NR_L2 - 1);
		expect_count("l2", "exits[L1][I/O]", c.exits[L_L1][R_IO], 1);
		expect_count("l2", "exits since the reset", counts_total(&c),
			     s1.v[S_EXITS][0] - s0.v[S_EXITS][0]);
		close(stats.fd);
	}
	run_to(vcpu, RUN_TO_DONE);
	kvm_vm_free(vm);
}

/*
 * `exit_counts_test workload`: the L2 workload alone, without resets, then
 * every nonzero count of its one vCPU as lines that scripts/nvmx-exits -r
 * prints for the same run (exit-counts LEVEL REASON N, exit-counts-cr
 * LEVEL CR TYPE N, exit-counts-total N): the test host's perf and
 * nvmx-exits steps compare the two.
 */
static int workload(void)
{
	static const char *const lv[] = { "L1", "L2_L0", "L2_L1" };
	struct nvmx_exit_counts c;
	struct kvm_vcpu *vcpu;
	vm_vaddr_t vmx_gva;
	struct kvm_vm *vm;
	unsigned int l, i;

	__TEST_REQUIRE(nvmx, "the counts are nvmx's");
	require_nested_vmx();
	vm = vm_create_with_one_vcpu(&vcpu, l1_nested);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	run_to(vcpu, 0);
	run_to(vcpu, 1);
	run_to(vcpu, RUN_TO_DONE);
	counts_get(vcpu, &c, false);
	for (l = 0; l < NVMX_NR_LEVELS; l++) {
		for (i = 0; i < NVMX_EXIT_COUNT_REASONS; i++)
			if (c.exits[l][i])
				printf("exit-counts %s %u %llu\n", lv[l], i,
				       (unsigned long long)c.exits[l][i]);
		for (i = 0; i < NVMX_CR_ACCESS_SLOTS; i++)
			if (c.cr[l][i])
				printf("exit-counts-cr %s %u %u %llu\n", lv[l],
				       i / 4, i % 4, (unsigned long long)c.cr[l][i]);
	}
	printf("exit-counts-total %llu\n", (unsigned long long)counts_total(&c));
	kvm_vm_free(vm);
	return 0;
}

int main(int argc, char **argv)
{
	char p;

	setbuf(stdout, NULL);
	nvmx = on_nvmx();
	if (argc > 1 && !strcmp(argv[1], "workload"))
		return workload();
	ksft_print_header();

	l1_workload();
	p = nested_param();
	if (p == 'N' || p == '0' || !kvm_cpu_has(X86_FEATURE_VMX))
		ksft_test_result_skip("l2: nested VMX is off\n");
	else
		l2_workload();

	ksft_set_plan(ksft_test_num());
	results_done();
	return 0;
}
