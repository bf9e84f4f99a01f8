// SPDX-License-Identifier: GPL-2.0
/*
 * apic_bench: what the in-kernel local APIC costs a guest, measured by
 * the guest (RDTSC) and by the vCPU stats (`exits`, `halt_exits`,
 * `irq_exits`; on nvmx also its `nvmx_l1_exits` histogram, by basic exit
 * reason), read by the host at a GUEST_SYNC of vCPU 0 before and after
 * each phase, once vCPU 1 is blocked in HLT (its `blocking` stat):
 *
 *   - IPI round trip: vCPU 0 sends a fixed IPI to APIC ID 1 and spins
 *     (interrupts on) until vCPU 1's handler has answered with a fixed
 *     IPI back and vCPU 0's handler has taken it; vCPU 1 waits in HLT.
 *     Both handlers EOI. Once with the xAPIC (ICR2 and ICR by MMIO),
 *     once with the x2APIC (ICR by WRMSR). Guest ticks on vCPU 0 per
 *     round trip; exits of both vCPUs per round trip.
 *   - TSC-deadline timer: vCPU 0 writes IA32_TSC_DEADLINE = now + DELTA
 *     and waits for the interrupt, spinning (interrupts on) or in HLT;
 *     the handler reads the TSC first. "Deadline to handler" is that TSC
 *     minus the deadline; "ticks lost" is, while spinning, the longest gap
 *     between two consecutive RDTSCs of the wait loop: the time the guest
 *     did not run because of the interrupt (exits, injection, the
 *     handler and its EOI). Exits per interrupt, the WRMSR included.
 *
 * Exits per operation are over a phase without operations (its exits are
 * the GUEST_SYNC's). Without arguments it measures the device at /dev/kvm
 * (nvmx under nvmx-run) and prints TAP plus one "row" line per table row;
 * `apic_bench --table` runs itself on /dev/nvmx (through the nvmx-run next
 * to it) and on /dev/kvm and prints the Markdown table of both. A
 * benchmark, not a timed test: it asserts only that every round trip and
 * interrupt happened and that the counts are sane.
 */
#define _GNU_SOURCE	/* program_invocation_name */
#include <pthread.h>
#include <stdint.h>
#include <linux/bits.h>

#include "apic.h"
#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "vmx_nested.h"

#define ROUNDS		100	/* IPI round trips per phase */
#define TIMER_IRQS	50	/* timer interrupts per phase */
#define WARM		5	/* unmeasured round trips and interrupts */
#define DELTA		50000	/* TSC ticks from arming to the deadline */

#define PING		0x60
#define PONG		0x61
#define WAKE		0x62
#define TIMER_VEC	0x50
#define APIC_LVTT	0x320
#define LVT_TSCDEADLINE	(2u << 17)
#define MSR_TSC_DEADLINE 0x6e0

/* Phase p runs between GUEST_SYNC(2p) and GUEST_SYNC(2p + 1). */
enum bench_phase {
	PH_NONE,
	PH_IPI_XAPIC,
	PH_IPI_X2APIC,
	PH_TMR_SPIN,
	PH_TMR_HLT,
	NR_PHASES
};

enum bench_row {
	ROW_IPI_XAPIC,
	ROW_IPI_X2APIC,
	ROW_TMR_SPIN,
	ROW_TMR_LOST,
	ROW_TMR_HLT,
	ROW_NONE,
	NR_ROWS
};

static const char * const row_names[NR_ROWS] = {
	[ROW_IPI_XAPIC] = "IPI round trip, xAPIC (ICR by MMIO), vCPU 1 in HLT",
	[ROW_IPI_X2APIC] = "IPI round trip, x2APIC (ICR by WRMSR), vCPU 1 in HLT",
	[ROW_TMR_SPIN] = "TSC-deadline timer, guest spins: deadline to handler, mean (min..max)",
	[ROW_TMR_LOST] = "TSC-deadline timer, guest spins: ticks the guest lost per interrupt",
	[ROW_TMR_HLT] = "TSC-deadline timer, guest in HLT: deadline to handler, mean (min..max)",
	[ROW_NONE] = "(phase without operations: its exits, subtracted above)",
};

/* Shared by both vCPUs, their handlers and the host: READ_ONCE/WRITE_ONCE. */
static u32 pings, pongs, fired, ap_ready, want_x2, ap_x2, x2mode, done;
static u64 fired_tsc;
static u64 ticks[NR_PHASES];
static s64 lat_sum[NR_PHASES], lat_min[NR_PHASES], lat_max[NR_PHASES];
static u64 lost[NR_PHASES];

static void eoi(void)
{
	if (READ_ONCE(x2mode))
		x2apic_write_reg(APIC_EOI, 0);
	else
		xapic_write_reg(APIC_EOI, 0);
}

static void send_fixed(u32 dest, u32 vec)
{
	u32 icr = APIC_INT_ASSERT | APIC_DM_FIXED | vec;

	if (READ_ONCE(x2mode)) {
		x2apic_write_reg(APIC_ICR, ((u64)dest << 32) | icr);
	} else {
		xapic_write_reg(APIC_ICR2, SET_APIC_DEST_FIELD(dest));
		xapic_write_reg(APIC_ICR, icr);
	}
}

static void ping_handler(struct ex_regs *regs)
{
	WRITE_ONCE(pings, pings + 1);
	eoi();
	send_fixed(0, PONG);
}

static void pong_handler(struct ex_regs *regs)
{
	WRITE_ONCE(pongs, pongs + 1);
	eoi();
}

static void wake_handler(struct ex_regs *regs)
{
	eoi();
}

static void timer_handler(struct ex_regs *regs)
{
	fired_tsc = rdtsc();
	WRITE_ONCE(fired, fired + 1);
	x2apic_write_reg(APIC_EOI, 0);
}

static void wait_until(u32 *p, u32 v)
{
	u64 t0 = rdtsc();

	while (READ_ONCE(*p) < v)
		GUEST_ASSERT(rdtsc() - t0 < (1ull << 40));
}

/* @n round trips; vCPU 0's interrupts are on. Returns their TSC ticks. */
static u64 ipi_rounds(u32 n)
{
	u32 base = READ_ONCE(pongs), i;
	u64 t0 = rdtsc();

	for (i = 0; i < n; i++) {
		send_fixed(1, PING);
		wait_until(&pongs, base + i + 1);
	}
	return rdtsc() - t0;
}

/* @n timer interrupts, each waited for in HLT or spinning; IF is 0. */
static void timer_irqs(u32 n, bool halt, enum bench_phase p)
{
	u64 dl, t0, prev, now, gap;
	u32 f, i;
	s64 lat;

	lat_min[p] = INT64_MAX;
	lat_max[p] = INT64_MIN;
	lat_sum[p] = 0;
	lost[p] = 0;
	for (i = 0; i < n; i++) {
		f = READ_ONCE(fired);
		gap = 0;
		t0 = rdtsc();
		dl = t0 + DELTA;
		wrmsr(MSR_TSC_DEADLINE, dl);
		if (halt) {
			while (READ_ONCE(fired) == f)
				asm volatile("sti; hlt; cli" ::: "memory");
		} else {
			asm volatile("sti" ::: "memory");
			prev = rdtsc();
			while (READ_ONCE(fired) == f) {
				now = rdtsc();
				if (now - prev > gap)
					gap = now - prev;
				prev = now;
				GUEST_ASSERT(now - t0 < (1ull << 40));
			}
			/* The interrupt came after prev's RDTSC: this gap too. */
			now = rdtsc();
			if (now - prev > gap)
				gap = now - prev;
			asm volatile("cli" ::: "memory");
		}
		GUEST_ASSERT_2(READ_ONCE(fired) == f + 1, f, READ_ONCE(fired));
		lat = (s64)(fired_tsc - dl);
		lat_sum[p] += lat;
		if (lat < lat_min[p])
			lat_min[p] = lat;
		if (lat > lat_max[p])
			lat_max[p] = lat;
		lost[p] += gap;
	}
}

static void ap_code(void)
{
	xapic_enable();
	WRITE_ONCE(ap_ready, 1);
	while (!READ_ONCE(done)) {
		if (READ_ONCE(want_x2) && !READ_ONCE(ap_x2)) {
			x2apic_enable();
			WRITE_ONCE(ap_x2, 1);
		}
		asm volatile("sti; hlt; cli" ::: "memory");
	}
	GUEST_DONE();
}

static void bsp_code(void)
{
	asm volatile("cli");
	xapic_enable();
	wait_until(&ap_ready, 1);
	asm volatile("sti");
	/* Fault in code, data and stacks outside the measured phases. */
	ipi_rounds(WARM);
	GUEST_SYNC(2 * PH_NONE);
	ticks[PH_NONE] = rdtsc();
	ticks[PH_NONE] = rdtsc() - ticks[PH_NONE];
	GUEST_SYNC(2 * PH_NONE + 1);

	GUEST_SYNC(2 * PH_IPI_XAPIC);
	ticks[PH_IPI_XAPIC] = ipi_rounds(ROUNDS);
	GUEST_SYNC(2 * PH_IPI_XAPIC + 1);

	/* Both to x2APIC mode: vCPU 1 switches once woken. */
	WRITE_ONCE(want_x2, 1);
	send_fixed(1, WAKE);
	wait_until(&ap_x2, 1);
	x2apic_enable();
	WRITE_ONCE(x2mode, 1);
	ipi_rounds(WARM);
	GUEST_SYNC(2 * PH_IPI_X2APIC);
	ticks[PH_IPI_X2APIC] = ipi_rounds(ROUNDS);
	GUEST_SYNC(2 * PH_IPI_X2APIC + 1);
	GUEST_ASSERT_2(READ_ONCE(pings) == 2 * (ROUNDS + WARM) &&
		       READ_ONCE(pongs) == 2 * (ROUNDS + WARM),
		       READ_ONCE(pings), READ_ONCE(pongs));

	asm volatile("cli");
	x2apic_write_reg(APIC_LVTT, LVT_TSCDEADLINE | TIMER_VEC);
	timer_irqs(WARM, false, PH_TMR_SPIN);
	timer_irqs(WARM, true, PH_TMR_HLT);
	GUEST_SYNC(2 * PH_TMR_SPIN);
	timer_irqs(TIMER_IRQS, false, PH_TMR_SPIN);
	GUEST_SYNC(2 * PH_TMR_SPIN + 1);
	GUEST_SYNC(2 * PH_TMR_HLT);
	timer_irqs(TIMER_IRQS, true, PH_TMR_HLT);
	GUEST_SYNC(2 * PH_TMR_HLT + 1);
	GUEST_ASSERT_1(READ_ONCE(fired) == 2 * (TIMER_IRQS + WARM), READ_ONCE(fired));

	WRITE_ONCE(done, 1);
	send_fixed(1, WAKE);
	GUEST_DONE();
}

/* The vCPU stats read at each sync. */
enum { S_EXITS, S_HALT, S_IRQ, S_HIST, S_BLOCKING, NR_S };
#define HIST_MAX	NVMX_EXIT_COUNT_REASONS

static const char *const stat_names[NR_S] = {
	"exits", "halt_exits", "irq_exits", "nvmx_l1_exits", "blocking"
};

/* Stats of vCPU v at sync s, stat i, element j. */
static u64 snap[2 * NR_PHASES][2][NR_S * HIST_MAX], total[NR_S * HIST_MAX];

static char param(const char *name)
{
	char path[128];
	FILE *f;
	int c = EOF;

	snprintf(path, sizeof(path), "/sys/module/kvm_intel/parameters/%s", name);
	f = fopen(path, "r");
	if (f) {
		c = fgetc(f);
		fclose(f);
	}
	return c == EOF ? '?' : c;
}

/* The phase's count of @stat[@j] on both vCPUs. */
static s64 phase_count(enum bench_phase p, int stat, int j)
{
	s64 d = 0;
	int v;

	for (v = 0; v < 2; v++)
		d += snap[2 * p + 1][v][stat * HIST_MAX + j] -
		     snap[2 * p][v][stat * HIST_MAX + j];
	return d;
}

/* Per operation over PH_NONE, in thousandths (0 if below it). */
static u64 per_op(enum bench_phase p, int stat, int j, u32 n)
{
	s64 d = phase_count(p, stat, j) - phase_count(PH_NONE, stat, j);

	return d > 0 ? d * 1000 / n : 0;
}

static const char *reason_name(int r)
{
	static char buf[8];

	switch (r) {
	case 1: return "EXT_INT";
	case 7: return "IRQ_WINDOW";
	case 10: return "CPUID";
	case 12: return "HLT";
	case 30: return "IO";
	case 31: return "RDMSR";
	case 32: return "WRMSR";
	case 44: return "APIC_ACCESS";
	case 48: return "EPT_VIOLATION";
	case 49: return "EPT_MISCONFIG";
	case 52: return "PREEMPT_TIMER";
	case 56: return "APIC_WRITE";
	}
	snprintf(buf, sizeof(buf), "r%d", r);
	return buf;
}

/* "exits (hlt, ext-int)" and, on nvmx, the exits by reason. */
static void print_row(enum bench_row row, const char *tick_cell,
		      enum bench_phase p, u32 n, bool nvmx)
{
	u64 e = per_op(p, S_EXITS, 0, n), h = per_op(p, S_HALT, 0, n);
	u64 i = per_op(p, S_IRQ, 0, n), x;
	char reasons[512] = "";
	size_t len = 0;
	int r;

	for (r = 0; nvmx && r < HIST_MAX; r++) {
		x = per_op(p, S_HIST, r, n);
		if (x < 10)	/* under 0.01 per operation */
			continue;
		len += snprintf(reasons + len, sizeof(reasons) - len, "%s%s %lu.%02lu",
				len ? ", " : "", reason_name(r), x / 1000, x % 1000 / 10);
		if (len >= sizeof(reasons))
			break;
	}
	printf("row\t%d\t%s\t%lu.%02lu (hlt %lu.%02lu, ext-int %lu.%02lu)\t%s\n",
	       row, tick_cell, e / 1000, e % 1000 / 10, h / 1000, h % 1000 / 10,
	       i / 1000, i % 1000 / 10, nvmx ? reasons : "n/a");
}

/* Waits (host time, bounded) until vCPU 1 is blocked in HLT. */
static bool wait_blocked(struct nested_stats *st)
{
	u64 v[NR_S * HIST_MAX];
	int i;

	for (i = 0; i < 20000; i++) {
		nested_stats_read(st, v);
		if (v[S_BLOCKING * HIST_MAX])
			return true;
		usleep(500);
	}
	return false;
}

static void *run_ap(void *arg)
{
	run_to(arg, RUN_TO_DONE);
	return NULL;
}

static s64 guest_s64(struct kvm_vm *vm, s64 *p)
{
	return *(s64 *)addr_gva2hva(vm, (vm_vaddr_t)p);
}

static int measure(void)
{
	bool nvmx = on_nvmx(), blocked = true;
	struct kvm_stats_desc *desc[2][NR_S];
	struct nested_stats st[2];
	struct kvm_vcpu *vcpu[2];
	struct kvm_regs regs;
	char cell[64];
	u64 e_min, e, hsum, esum;
	struct kvm_vm *vm;
	enum bench_phase p;
	pthread_t ap;
	int s, v, r;

	setbuf(stdout, NULL);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_TSC_DEADLINE_TIMER));
	ksft_print_header();
	ksft_set_plan(nvmx ? 9 : 7);
	if (!nvmx)
		ksft_print_msg("kvm_intel enable_apicv=%c preemption_timer=%c\n",
			       param("enable_apicv"), param("preemption_timer"));

	vm = vm_create_with_vcpus(2, bsp_code, vcpu);
	vcpu_set_cpuid_feature(vcpu[0], X86_FEATURE_TSC_DEADLINE_TIMER);
	virt_pg_map(vm, APIC_DEFAULT_GPA, APIC_DEFAULT_GPA);
	vm_init_descriptor_tables(vm);
	for (v = 0; v < 2; v++)
		vcpu_init_descriptor_tables(vcpu[v]);
	vm_install_exception_handler(vm, PING, ping_handler);
	vm_install_exception_handler(vm, PONG, pong_handler);
	vm_install_exception_handler(vm, WAKE, wake_handler);
	vm_install_exception_handler(vm, TIMER_VEC, timer_handler);
	vcpu_regs_get(vcpu[1], &regs);
	regs.rip = (u64)ap_code;
	vcpu_regs_set(vcpu[1], &regs);
	for (v = 0; v < 2; v++) {
		nested_stats_open(&st[v], vcpu[v], stat_names, NR_S, HIST_MAX, desc[v]);
		TEST_ASSERT(desc[v][S_EXITS] && desc[v][S_HALT] && desc[v][S_IRQ] &&
			    desc[v][S_BLOCKING], "a vCPU stat is missing");
		TEST_ASSERT(!nvmx || desc[v][S_HIST], "nvmx_l1_exits is missing");
	}

	pthread_create(&ap, NULL, run_ap, vcpu[1]);
	for (s = 0; s < 2 * NR_PHASES; s++) {
		run_to(vcpu[0], s);
		blocked &= wait_blocked(&st[1]);
		for (v = 0; v < 2; v++)
			nested_stats_read(&st[v], snap[s][v]);
	}
	run_to(vcpu[0], RUN_TO_DONE);
	pthread_join(ap, NULL);
	/* Over the whole run: nvmx counts each exit once, by its reason. */
	for (v = 0, hsum = 0, esum = 0; nvmx && v < 2; v++) {
		nested_stats_read(&st[v], total);
		esum += total[S_EXITS * HIST_MAX];
		for (r = 0; r < HIST_MAX; r++)
			hsum += total[S_HIST * HIST_MAX + r];
	}
	for (v = 0; v < 2; v++)
		close(st[v].fd);
	sync_global_from_guest(vm, ticks);
	sync_global_from_guest(vm, lost);
	for (p = 0; p < NR_PHASES; p++) {
		lat_sum[p] = guest_s64(vm, &lat_sum[p]);
		lat_min[p] = guest_s64(vm, &lat_min[p]);
		lat_max[p] = guest_s64(vm, &lat_max[p]);
	}
	kvm_vm_free(vm);

	result(blocked, "vCPU 1 was blocked in HLT at every sync");
	/* Between two GUEST_SYNCs: the second's exit, and little else. */
	result(phase_count(PH_NONE, S_EXITS, 0) >= 1 &&
	       phase_count(PH_NONE, S_EXITS, 0) <= 8,
	       "phase without operations: %ld exits (1 to 8)",
	       phase_count(PH_NONE, S_EXITS, 0));
	/*
	 * Each round trip writes the ICR twice (xAPIC: ICR2 and ICR each
	 * time) and EOIs twice; an ICR write exits on both (no IPI
	 * virtualization), an EOI on nvmx too (no APIC virtualization).
	 */
	e_min = nvmx ? 6 : 2;
	e = per_op(PH_IPI_XAPIC, S_EXITS, 0, ROUNDS);
	result(ticks[PH_IPI_XAPIC] > 0 && e >= e_min * 1000 && e < 64000,
	       "xAPIC IPI round trip: %lu ticks, %lu.%03lu exits (at least %lu)",
	       ticks[PH_IPI_XAPIC] / ROUNDS, e / 1000, e % 1000, e_min);
	snprintf(cell, sizeof(cell), "%lu", ticks[PH_IPI_XAPIC] / ROUNDS);
	print_row(ROW_IPI_XAPIC, cell, PH_IPI_XAPIC, ROUNDS, nvmx);

	e_min = nvmx ? 4 : 2;
	e = per_op(PH_IPI_X2APIC, S_EXITS, 0, ROUNDS);
	result(ticks[PH_IPI_X2APIC] > 0 && e >= e_min * 1000 && e < 64000,
	       "x2APIC IPI round trip: %lu ticks, %lu.%03lu exits (at least %lu)",
	       ticks[PH_IPI_X2APIC] / ROUNDS, e / 1000, e % 1000, e_min);
	snprintf(cell, sizeof(cell), "%lu", ticks[PH_IPI_X2APIC] / ROUNDS);
	print_row(ROW_IPI_X2APIC, cell, PH_IPI_X2APIC, ROUNDS, nvmx);

	/* The deadline WRMSR exits on both; on nvmx the EOI too. */
	e_min = nvmx ? 2 : 1;
	for (p = PH_TMR_SPIN; p <= PH_TMR_HLT; p++) {
		e = per_op(p, S_EXITS, 0, TIMER_IRQS);
		result(e >= e_min * 1000 && e < 64000,
		       "timer (%s): deadline to handler %ld (%ld..%ld), %lu.%03lu exits (at least %lu)",
		       p == PH_TMR_HLT ? "HLT" : "spin", lat_sum[p] / TIMER_IRQS,
		       lat_min[p], lat_max[p], e / 1000, e % 1000, e_min);
		snprintf(cell, sizeof(cell), "%ld (%ld..%ld)", lat_sum[p] / TIMER_IRQS,
			 lat_min[p], lat_max[p]);
		print_row(p == PH_TMR_HLT ? ROW_TMR_HLT : ROW_TMR_SPIN, cell, p,
			  TIMER_IRQS, nvmx);
	}
	/* The gap that held the interrupt is longer than the loop's own. */
	result(lost[PH_TMR_SPIN] / TIMER_IRQS > 100,
	       "timer (spin): %lu ticks lost per interrupt", lost[PH_TMR_SPIN] / TIMER_IRQS);
	printf("row\t%d\t%lu\t-\t-\n", ROW_TMR_LOST, lost[PH_TMR_SPIN] / TIMER_IRQS);
	printf("row\t%d\t-\t%ld\t-\n", ROW_NONE, phase_count(PH_NONE, S_EXITS, 0));

	if (nvmx) {
		/* nvmx's timer is an hrtimer: never before the deadline. */
		result(lat_min[PH_TMR_SPIN] >= 0 && lat_min[PH_TMR_HLT] >= 0,
		       "no timer interrupt before its deadline (%ld, %ld)",
		       lat_min[PH_TMR_SPIN], lat_min[PH_TMR_HLT]);
		result(hsum == esum, "nvmx_l1_exits sums to exits: %lu, %lu", hsum, esum);
	}
	results_done();
	return 0;
}

/* --table: this program on each device, then one table of both. */
#define CELL	256

struct bench_dev {
	const char *name;
	bool via_nvmx_run;
	int status;
	char cells[NR_ROWS][3][CELL];
};

/* A "row" line of the run on @arg (a struct bench_dev): tab-separated. */
static bool bench_row(const char *line, void *arg)
{
	struct bench_dev *d = arg;
	char buf[1024], *f[5], *save = NULL;
	int n = 0, row;

	snprintf(buf, sizeof(buf), "%s", line);
	buf[strcspn(buf, "\n")] = 0;
	for (f[n] = strtok_r(buf, "\t", &save); f[n] && n < 4;)
		f[++n] = strtok_r(NULL, "\t", &save);
	if (n != 4 || strcmp(f[0], "row"))
		return false;
	row = atoi(f[1]);
	if (row < 0 || row >= NR_ROWS)
		return false;
	for (n = 0; n < 3; n++)
		snprintf(d->cells[row][n], CELL, "%s", strcmp(f[2 + n], "-") ? f[2 + n] : "");
	return true;
}

static int table(void)
{
	struct bench_dev devs[] = {
		{ .name = "/dev/nvmx", .via_nvmx_run = true },
		{ .name = "/dev/kvm" },
	};
	int i, r, c, rc = 0;

	for (i = 0; i < (int)ARRAY_SIZE(devs); i++) {
		for (r = 0; r < NR_ROWS; r++)
			for (c = 0; c < 3; c++)
				strcpy(devs[i].cells[r][c], "?");
		devs[i].status = run_self("apic_bench", devs[i].name,
					  devs[i].via_nvmx_run, bench_row, &devs[i]);
		if (devs[i].status && (!rc || rc == KSFT_SKIP))
			rc = devs[i].status;
	}
	printf("| APIC, per operation (%d round trips, %d interrupts) |", ROUNDS, TIMER_IRQS);
	for (i = 0; i < (int)ARRAY_SIZE(devs); i++)
		printf(" %s ticks | %s exits |", devs[i].name, devs[i].name);
	printf(" %s exits by reason |\n|---|", devs[0].name);
	for (i = 0; i < (int)ARRAY_SIZE(devs); i++)
		printf("---|---|");
	printf("---|\n");
	for (r = 0; r < NR_ROWS; r++) {
		printf("| %s |", row_names[r]);
		for (i = 0; i < (int)ARRAY_SIZE(devs); i++)
			printf(" %s | %s |", devs[i].cells[r][0], devs[i].cells[r][1]);
		printf(" %s |\n", devs[0].cells[r][2]);
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--table"))
		return table();
	TEST_ASSERT(argc == 1, "usage: apic_bench [--table]");
	return measure();
}
