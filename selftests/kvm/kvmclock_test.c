// SPDX-License-Identifier: GPL-2.0
/*
 * kvmclock as a guest and a VMM see it. The guest enables its pvclock page
 * (MSR_KVM_SYSTEM_TIME_NEW) and wall clock (MSR_KVM_WALL_CLOCK_NEW) and
 * reads the clock around a busy loop: the time advances by the TSC ticks
 * between at KVM_GET_TSC_KHZ's rate, and lies between the KVM_GET_CLOCK
 * values taken before and after the run; wall clock plus kvmclock is the
 * host's wall time. KVM_SET_CLOCK moves what the guest reads next, and on
 * nvmx a guest write to its TSC does not (the page follows the TSC). Then
 * the negative cases: unknown KVM_SET_CLOCK flags, a TSC rate not the
 * host's.
 */
#include <asm/kvm_para.h>
#include <asm/pvclock.h>
#include <asm/pvclock-abi.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"
#include "nvmx_pvclock.h"

#define NSEC_PER_SEC_U	1000000000ULL
/* How far KVM_SET_CLOCK moves the clock: far beyond any run's length. */
#define JUMP_NS		(1000 * NSEC_PER_SEC_U)
#define BUSY_LOOPS	20000
/*
 * How far the guest moves its TSC: minutes at any real rate, beyond the
 * second within which KVM takes a TSC write for a resynchronisation.
 */
#define TSC_JUMP	BIT_ULL(40)
#define VALID_FLAGS	(KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | \
			 KVM_CLOCK_HOST_TSC)

static void guest_main(vm_paddr_t pvti_gpa, struct pvclock_vcpu_time_info *p,
		       vm_paddr_t wall_gpa)
{
	u64 c1, c2, c3, c4, t1, t2, t;
	u64 spin = 0;
	int i;

	wrmsr(MSR_KVM_WALL_CLOCK_NEW, wall_gpa);
	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, pvti_gpa | KVM_MSR_ENABLED);
	GUEST_ASSERT(!(READ_ONCE(p->version) & 1) && p->version);
	GUEST_ASSERT(p->tsc_to_system_mul);

	c1 = guest_read_clock(p, &t1);
	/* The asm keeps the loop: the compiler cannot see through it. */
	for (i = 0; i < BUSY_LOOPS; i++)
		asm volatile("inc %0" : "+r"(spin));
	c2 = guest_read_clock(p, &t2);
	GUEST_SYNC_ARGS(1, c1, c2, t2 - t1, p->flags);

	/* The host moved the clock by KVM_SET_CLOCK. */
	c3 = guest_read_clock(p, &t);
	GUEST_SYNC_ARGS(2, c3, 0, 0, 0);

	/* The guest's TSC jumps far ahead: its clock does not. */
	t1 = rdtsc();
	wrmsr(MSR_IA32_TSC, t1 + TSC_JUMP);
	c4 = guest_read_clock(p, &t);
	GUEST_ASSERT(t - t1 >= TSC_JUMP);
	GUEST_SYNC_ARGS(3, c3, c4, 0, 0);
	GUEST_DONE();
}

static void get_clock(struct kvm_vm *vm, struct kvm_clock_data *d)
{
	memset(d, 0, sizeof(*d));
	vm_ioctl(vm, KVM_GET_CLOCK, d);
	TEST_ASSERT(!(d->flags & ~VALID_FLAGS), "KVM_GET_CLOCK flags %#x",
		    d->flags);
}

static void assert_between(u64 v, u64 lo, u64 hi, const char *what)
{
	TEST_ASSERT(lo <= v && v <= hi, "%s %lu outside [%lu, %lu]", what,
		    v, lo, hi);
}

/* Stage 1: the rate, the range, and the wall clock. */
static void check_rate(struct kvm_vm *vm, struct kvm_vcpu *vcpu,
		       struct pvclock_wall_clock *wall)
{
	struct kvm_clock_data start, end;
	u64 c1, c2, ticks, khz, want, slack, wall_ns, sum;
	struct ucall uc;

	khz = __vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL);
	TEST_ASSERT(khz > 0 && khz < 100000000, "TSC kHz %lu", khz);
	ASSERT_EQ(khz, (u64)__vm_ioctl(vm, KVM_GET_TSC_KHZ, NULL));

	get_clock(vm, &start);
	uc = run_to(vcpu, 1);
	get_clock(vm, &end);
	c1 = uc.args[2];
	c2 = uc.args[3];
	ticks = uc.args[4];
	assert_between(c1, start.clock, end.clock, "first read");
	assert_between(c2, c1, end.clock, "second read");
	/* ns = ticks / kHz * 10^6, to 0.1% plus rounding. */
	want = ticks * 1000000 / khz;
	slack = want / 1000 + 2;
	assert_between(c2 - c1, want - slack, want + slack, "elapsed ns");
	printf("record clock advances at the TSC rate\n");
	printf("# %lu ticks at %lu kHz: %lu ns, pvclock flags %#lx\n",
	       ticks, khz, c2 - c1, uc.args[5]);

	/* Wall clock at kvmclock 0, plus kvmclock: the host's wall time. */
	TEST_ASSERT(wall->version && !(wall->version & 1), "wall version %u",
		    wall->version);
	if (end.flags & KVM_CLOCK_REALTIME) {
		wall_ns = wall->sec * NSEC_PER_SEC_U + wall->nsec;
		sum = wall_ns + end.clock;
		assert_between(sum, end.realtime - NSEC_PER_SEC_U,
			       end.realtime + NSEC_PER_SEC_U, "wall + clock");
		printf("record wall clock plus kvmclock is the wall time\n");
	}
}

/* Stages 2 and 3: KVM_SET_CLOCK moves the guest's clock; its TSC does not. */
static void check_set_clock(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvm_clock_data set, end;
	struct ucall uc;

	get_clock(vm, &set);
	set.clock += JUMP_NS;
	/* A KVM_GET_CLOCK result goes back as it is, flags included. */
	vm_ioctl(vm, KVM_SET_CLOCK, &set);
	uc = run_to(vcpu, 2);
	get_clock(vm, &end);
	assert_between(uc.args[2], set.clock, end.clock, "after KVM_SET_CLOCK");
	printf("record KVM_SET_CLOCK moves the guest's clock\n");

	/*
	 * kvm_intel 6.1 leaves the page as it was after a guest TSC write
	 * (no clock update is requested), so the guest's clock jumps with
	 * its TSC there; nvmx rewrites the page (kvmclock.c).
	 */
	uc = run_to(vcpu, 3);
	get_clock(vm, &end);
	if (on_nvmx()) {
		assert_between(uc.args[3], uc.args[2], end.clock,
			       "after the guest's TSC write");
		printf("# the guest's TSC write leaves its clock alone\n");
	} else {
		printf("# after the guest's TSC write: %lu, clock %lu\n",
		       uc.args[3], (u64)end.clock);
	}
	run_to(vcpu, RUN_TO_DONE);
}

static void check_negative(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvm_clock_data d;
	u32 bad[] = { 1, 1 << 4, 1u << 31 };
	long khz;
	u32 i;
	int r;

	ASSERT_EQ(kvm_check_cap(KVM_CAP_ADJUST_CLOCK) & ~VALID_FLAGS, 0);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		get_clock(vm, &d);
		d.flags = bad[i];
		r = __vm_ioctl(vm, KVM_SET_CLOCK, &d);
		TEST_ASSERT(r == -1 && errno == EINVAL,
			    "KVM_SET_CLOCK flags %#x: r %d errno %d", bad[i], r,
			    errno);
	}
	r = ioctl(vm->fd, KVM_SET_CLOCK, NULL);
	TEST_ASSERT(r == -1 && errno == EFAULT, "KVM_SET_CLOCK NULL: %d %d",
		    r, errno);
	r = ioctl(vm->fd, KVM_GET_CLOCK, NULL);
	TEST_ASSERT(r == -1 && errno == EFAULT, "KVM_GET_CLOCK NULL: %d %d",
		    r, errno);

	/* The host's rate (0 says it too) is accepted; half of it is not. */
	khz = __vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL);
	ASSERT_EQ(__vcpu_ioctl(vcpu, KVM_SET_TSC_KHZ, (void *)khz), 0);
	ASSERT_EQ(__vcpu_ioctl(vcpu, KVM_SET_TSC_KHZ, (void *)0), 0);
	if (!kvm_has_cap(KVM_CAP_TSC_CONTROL)) {
		r = __vcpu_ioctl(vcpu, KVM_SET_TSC_KHZ, (void *)(khz / 2));
		TEST_ASSERT(r == -1 && errno == EINVAL,
			    "KVM_SET_TSC_KHZ %ld: r %d errno %d", khz / 2, r,
			    errno);
	}
	printf("record negative cases as KVM's\n");
}

int main(void)
{
	struct pvclock_wall_clock *wall;
	vm_vaddr_t pvti_gva, wall_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_ADJUST_CLOCK));
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_GET_TSC_KHZ));

	vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	TEST_ASSERT(kvm_cpu_has(X86_FEATURE_KVM_CLOCKSOURCE2),
		    "kvmclock not in KVM_GET_SUPPORTED_CPUID");
	pvti_gva = vm_vaddr_alloc(vm, getpagesize(), 0x10000);
	wall_gva = vm_vaddr_alloc(vm, getpagesize(), 0x10000);
	wall = addr_gva2hva(vm, wall_gva);
	vcpu_args_set(vcpu, 3, addr_gva2gpa(vm, pvti_gva), pvti_gva,
		      addr_gva2gpa(vm, wall_gva));

	check_rate(vm, vcpu, wall);
	check_set_clock(vm, vcpu);
	check_negative(vm, vcpu);
	kvm_vm_free(vm);
	return 0;
}
