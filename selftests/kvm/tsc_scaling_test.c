// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_TSC_KHZ and KVM_GET_TSC_KHZ, with and without TSC scaling.
 *
 * Without KVM_CAP_TSC_CONTROL: both TSC_CONTROL capabilities are 0, the
 * host's rate (and 0) is taken, half of it is EINVAL (and on nvmx leaves
 * the rate as it was).
 *
 * With it: the rates round trip on the vCPU and the VM (a new vCPU takes
 * the VM's), KVM's limit is EINVAL, and for rates below, at and above the
 * host's a guest reads its TSC and its kvmclock at two exits a known
 * number of host TSC ticks apart. The guest's TSC delta must lie between
 * the host deltas measured outside and inside the two runs, each scaled
 * by the ratio the CPU uses (khz << 48 / host kHz, product >> 48): no
 * tolerance beyond rounding. kvmclock must advance by the guest's ticks
 * at the guest's rate (2 ppm plus 2 ns) and lie between KVM_GET_CLOCK
 * before and after each run.
 */
#include <asm/kvm_para.h>
#include <asm/pvclock.h>
#include <asm/pvclock-abi.h>
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"
#include "nvmx_pvclock.h"

/* The host TSC ticks between the two samples: under a second in Bochs. */
#define HOST_GAP	1000000000ULL

static void guest_main(vm_paddr_t pvti_gpa, struct pvclock_vcpu_time_info *p)
{
	u64 tsc, ns;

	wrmsr(MSR_KVM_SYSTEM_TIME_NEW, pvti_gpa | KVM_MSR_ENABLED);
	for (;;) {
		ns = guest_read_clock(p, &tsc);
		GUEST_SYNC_ARGS(1, tsc, ns, 0, 0);
	}
}

static u64 ratio_of(u64 khz, u64 host_khz)
{
	return (u64)(((__uint128_t)khz << 48) / host_khz);
}

static u64 scale(u64 ticks, u64 ratio)
{
	return (u64)(((__uint128_t)ticks * ratio) >> 48);
}

struct sample {
	u64 before, after;	/* host TSC around the run */
	u64 tsc, ns;		/* what the guest read */
};

static void sample(struct kvm_vm *vm, struct kvm_vcpu *vcpu, struct sample *s)
{
	struct kvm_clock_data c0 = { 0 }, c1 = { 0 };
	struct ucall uc;

	vm_ioctl(vm, KVM_GET_CLOCK, &c0);
	s->before = rdtsc();
	uc = run_to(vcpu, 1);
	s->after = rdtsc();
	vm_ioctl(vm, KVM_GET_CLOCK, &c1);
	s->tsc = uc.args[2];
	s->ns = uc.args[3];
	TEST_ASSERT(c0.clock <= s->ns && s->ns <= c1.clock,
		    "kvmclock %lu outside KVM_GET_CLOCK [%llu, %llu]", s->ns,
		    c0.clock, c1.clock);
}

/*
 * One VM whose vCPU runs at @khz, set on the VM before the vCPU
 * (@on_vm) or on the vCPU after.
 */
static void check_rate(u64 khz, u64 host_khz, bool on_vm)
{
	u64 ratio = ratio_of(khz, host_khz), lo, hi, d, want, slack;
	struct kvm_vcpu *vcpu;
	struct sample s0, s1;
	vm_vaddr_t pvti;
	struct kvm_vm *vm;

	vm = vm_create(1);
	if (on_vm) {
		vm_ioctl(vm, KVM_SET_TSC_KHZ, (void *)khz);
		ASSERT_EQ((u64)__vm_ioctl(vm, KVM_GET_TSC_KHZ, NULL), khz);
	}
	vcpu = vm_vcpu_add(vm, 0, guest_main);
	if (!on_vm)
		vcpu_ioctl(vcpu, KVM_SET_TSC_KHZ, (void *)khz);
	ASSERT_EQ((u64)__vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL), khz);
	pvti = vm_vaddr_alloc(vm, getpagesize(), 0x10000);
	vcpu_args_set(vcpu, 2, addr_gva2gpa(vm, pvti), pvti);

	sample(vm, vcpu, &s0);
	while (rdtsc() - s0.after < HOST_GAP)
		;
	sample(vm, vcpu, &s1);

	/* The guest's reads lie inside the runs, the gap between them. */
	lo = scale(s1.before - s0.after, ratio);
	hi = scale(s1.after - s0.before, ratio) + 1;
	d = s1.tsc - s0.tsc;
	TEST_ASSERT(lo <= d && d <= hi,
		    "%lu kHz: guest TSC delta %lu outside [%lu, %lu]", khz, d,
		    lo, hi);
	printf("record %lu kHz (%s): TSC delta %lu in [%lu, %lu], host %lu..%lu, ratio %#lx\n",
	       khz, on_vm ? "VM" : "vCPU", d, lo, hi, s1.before - s0.after,
	       s1.after - s0.before, ratio);

	/*
	 * kvmclock in the guest's ticks at the guest's rate, to 2 ppm: the
	 * pvclock multiplier has 32 bits, and kvm_intel's clock runs 1 ppm
	 * off at 1 GHz in Bochs.
	 */
	want = d * 1000000 / khz;
	slack = want / 500000 + 2;
	TEST_ASSERT(s1.ns - s0.ns >= want - slack &&
		    s1.ns - s0.ns <= want + slack,
		    "%lu kHz: kvmclock advanced %lu ns, want %lu", khz,
		    s1.ns - s0.ns, want);
	printf("record %lu kHz: kvmclock advanced %lu ns for %lu ns of ticks\n",
	       khz, s1.ns - s0.ns, want);
	kvm_vm_free(vm);
}

static void expect_einval(int r, const char *what, u64 arg)
{
	TEST_ASSERT(r == -1 && errno == EINVAL, "%s %#lx: r %d errno %d", what,
		    arg, r, errno);
}

static void check_negative(u64 host_khz)
{
	static const u64 bad[] = { 0x7fffffff, 0xffffffff, 0x80000000 };
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	unsigned int i;

	vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		expect_einval(__vcpu_ioctl(vcpu, KVM_SET_TSC_KHZ, (void *)bad[i]),
			      "vCPU KVM_SET_TSC_KHZ", bad[i]);
		expect_einval(__vm_ioctl(vm, KVM_SET_TSC_KHZ, (void *)bad[i]),
			      "VM KVM_SET_TSC_KHZ", bad[i]);
	}
	/* A refused rate changes nothing. */
	ASSERT_EQ((u64)__vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL), host_khz);
	ASSERT_EQ((u64)__vm_ioctl(vm, KVM_GET_TSC_KHZ, NULL), host_khz);
	/* 0 is the host's rate; KVM takes the low 32 bits only. */
	vcpu_ioctl(vcpu, KVM_SET_TSC_KHZ, (void *)1234567UL);
	ASSERT_EQ(__vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL), 1234567);
	vcpu_ioctl(vcpu, KVM_SET_TSC_KHZ, (void *)(1UL << 32));
	ASSERT_EQ((u64)__vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL), host_khz);
	vcpu_ioctl(vcpu, KVM_SET_TSC_KHZ, (void *)1UL);
	ASSERT_EQ(__vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL), 1);
	kvm_vm_free(vm);
	printf("record limits and round trips as KVM's\n");
}

static void check_without_scaling(u64 host_khz)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	ASSERT_EQ(kvm_check_cap(KVM_CAP_VM_TSC_CONTROL), 0);
	vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	vcpu_ioctl(vcpu, KVM_SET_TSC_KHZ, (void *)host_khz);
	vcpu_ioctl(vcpu, KVM_SET_TSC_KHZ, (void *)0);
	expect_einval(__vcpu_ioctl(vcpu, KVM_SET_TSC_KHZ, (void *)(host_khz / 2)),
		      "vCPU KVM_SET_TSC_KHZ", host_khz / 2);
	/*
	 * kvm_intel 6.1 stores the refused rate before it refuses it, so
	 * KVM_GET_TSC_KHZ then gives a rate the TSC does not run at.
	 */
	if (on_nvmx())
		ASSERT_EQ((u64)__vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL),
			  host_khz);
	else
		printf("# KVM_GET_TSC_KHZ after the refused rate: %ld\n",
		       (long)__vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL));
	kvm_vm_free(vm);
	printf("record no TSC scaling: only the host's rate\n");
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	u64 host_khz;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_GET_TSC_KHZ));
	vm = vm_create_with_one_vcpu(&vcpu, guest_main);
	host_khz = __vcpu_ioctl(vcpu, KVM_GET_TSC_KHZ, NULL);
	kvm_vm_free(vm);
	TEST_ASSERT(host_khz > 0 && host_khz < 100000000, "host %lu kHz",
		    host_khz);
	printf("# host TSC %lu kHz, KVM_CAP_TSC_CONTROL %d\n", host_khz,
	       kvm_check_cap(KVM_CAP_TSC_CONTROL));

	if (!kvm_has_cap(KVM_CAP_TSC_CONTROL)) {
		check_without_scaling(host_khz);
		return 0;
	}
	ASSERT_EQ(kvm_check_cap(KVM_CAP_VM_TSC_CONTROL), 1);
	check_negative(host_khz);
	check_rate(host_khz / 2, host_khz, false);
	check_rate(host_khz * 3 / 2, host_khz, true);
	check_rate(1000000, host_khz, true);
	return 0;
}
