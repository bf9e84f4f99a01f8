// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel APIC timer, counted by a guest IDT handler over guest
 * TSC time (never wall time: in Bochs the TSC is instruction-driven):
 *  - one-shot: exactly one interrupt, the current count 0 after it, none
 *    more over three further periods;
 *  - periodic: exactly K interrupts until the guest stops the timer, none
 *    after, each at least half a period (as a one-shot of the same count
 *    measures it in TSC ticks) after the one before;
 *  - TSC-deadline: one interrupt, not before the deadline, the MSR 0 after
 *    it; a deadline written back to 0 disarms; in one-shot mode the MSR
 *    is ignored (reads 0);
 *  - negative: a masked LVT timer counts down without an interrupt.
 * The same binary runs on kvm_intel and on nvmx.
 */
#define _GNU_SOURCE	/* program_invocation_name */
#include <stdint.h>
#include <linux/bits.h>

#include "apic.h"
#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

#define TIMER_VEC	0x50
#define APIC_LVTT	0x320
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define LVT_MASKED	BIT(16)
#define LVT_PERIODIC	BIT(17)
#define LVT_TSCDEADLINE	(2u << 17)
#define MSR_TSC_DEADLINE 0x6e0
/* 1 ms of the 1 GHz APIC bus at divide-by-1 (KVM's and nvmx's clock). */
#define COUNT		1000000
#define K		5

/* Written by the handler, read by the loops: READ_ONCE there. */
static u32 fired;
/*
 * kvm_intel in Bochs runs the APIC timer on the emulated VMX-preemption
 * timer, which fires early against the current count (one-shot with 86%
 * of the count left): the checks of when an interrupt came are nvmx's.
 */
static bool nvmx;
static u64 fired_tsc[K + 2];

static void timer_handler(struct ex_regs *regs)
{
	if (fired < K + 2)
		fired_tsc[fired] = rdtsc();
	WRITE_ONCE(fired, fired + 1);
	x2apic_write_reg(APIC_EOI, 0);
}

/* Spins with interrupts on until @cond or (a hang) a huge TSC span. */
#define WAIT_FOR(cond) do {						\
	u64 __t0 = rdtsc();						\
	asm volatile("sti");						\
	while (!(cond))							\
		GUEST_ASSERT(rdtsc() - __t0 < (1ull << 40));		\
	asm volatile("cli");						\
} while (0)

/* TSC ticks a masked one-shot of @count takes to reach 0. */
static u64 masked_oneshot(u32 count)
{
	u64 t0;

	x2apic_write_reg(APIC_LVTT, LVT_MASKED | TIMER_VEC);
	t0 = rdtsc();
	x2apic_write_reg(APIC_TMICT, count);
	WAIT_FOR(x2apic_read_reg(APIC_TMCCT) == 0);
	return rdtsc() - t0;
}

static void guest_code(void)
{
	u64 period_tsc, dl, v;
	u32 i, n;

	asm volatile("cli");
	x2apic_enable();
	x2apic_write_reg(APIC_TDCR, 0xb);	/* divide by 1 */

	/* Negative first: masked, the count runs down, nothing fires. */
	period_tsc = masked_oneshot(COUNT);
	GUEST_ASSERT_EQ(READ_ONCE(fired), 0);
	GUEST_ASSERT(period_tsc > 0);

	/* One-shot. */
	x2apic_write_reg(APIC_LVTT, TIMER_VEC);
	x2apic_write_reg(APIC_TMICT, COUNT);
	WAIT_FOR(READ_ONCE(fired) == 1);
	if (nvmx)
		GUEST_ASSERT_EQ(x2apic_read_reg(APIC_TMCCT), 0);
	masked_oneshot(3 * COUNT);
	GUEST_ASSERT_EQ(READ_ONCE(fired), 1);
	GUEST_SYNC(1);

	/* Periodic: exactly K, then stopped. */
	fired = 0;
	x2apic_write_reg(APIC_LVTT, LVT_PERIODIC | TIMER_VEC);
	x2apic_write_reg(APIC_TMICT, COUNT);
	WAIT_FOR(READ_ONCE(fired) == K);
	x2apic_write_reg(APIC_TMICT, 0);
	n = READ_ONCE(fired);
	GUEST_ASSERT_EQ(n, K);
	for (i = 1; nvmx && i < K; i++)
		GUEST_ASSERT(fired_tsc[i] - fired_tsc[i - 1] >= period_tsc / 2);
	masked_oneshot(3 * COUNT);
	GUEST_ASSERT_EQ(READ_ONCE(fired), K);
	GUEST_SYNC(2);

	/* In one-shot mode the deadline MSR is ignored. */
	x2apic_write_reg(APIC_LVTT, TIMER_VEC);
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + period_tsc);
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC_DEADLINE), 0);

	/* TSC-deadline. */
	fired = 0;
	x2apic_write_reg(APIC_LVTT, LVT_TSCDEADLINE | TIMER_VEC);
	dl = rdtsc() + period_tsc;
	wrmsr(MSR_TSC_DEADLINE, dl);
	GUEST_ASSERT_EQ(rdmsr(MSR_TSC_DEADLINE), dl);
	WAIT_FOR(READ_ONCE(fired) == 1);
	if (nvmx) {
		GUEST_ASSERT(fired_tsc[0] >= dl);
		/* Expired, so disarmed (kvm_intel's came early, still armed). */
		GUEST_ASSERT_EQ(rdmsr(MSR_TSC_DEADLINE), 0);
	}
	/* Disarmed by writing 0: nothing over three periods. */
	wrmsr(MSR_TSC_DEADLINE, rdtsc() + period_tsc);
	wrmsr(MSR_TSC_DEADLINE, 0);
	dl = rdtsc() + 3 * period_tsc;
	WAIT_FOR(rdtsc() > dl);
	GUEST_ASSERT_EQ(READ_ONCE(fired), 1);
	v = x2apic_read_reg(APIC_TMCCT);
	GUEST_ASSERT_EQ(v, 0);
	GUEST_DONE();
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_TSC_DEADLINE_TIMER));
	nvmx = on_nvmx();
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	sync_global_to_guest(vm, nvmx);
	vcpu_set_cpuid_feature(vcpu, X86_FEATURE_TSC_DEADLINE_TIMER);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_exception_handler(vm, TIMER_VEC, timer_handler);
	run_to(vcpu, 1);
	run_to(vcpu, 2);
	run_to(vcpu, RUN_TO_DONE);
	kvm_vm_free(vm);
	ksft_print_msg("lapic_timer_test: passed on %s\n",
		       nvmx ? "nvmx" : "kvm");
	return 0;
}
