// SPDX-License-Identifier: GPL-2.0
/*
 * kvmclock: KVM's paravirtual clock (MSR_KVM_SYSTEM_TIME(_NEW) and
 * MSR_KVM_WALL_CLOCK(_NEW)), KVM_GET_CLOCK and KVM_SET_CLOCK.
 *
 * nvmx's kvmclock is a function of the host TSC alone:
 *   ns(tsc) = scale(tsc - vm->clock_base_tsc) + vm->kvmclock_offset
 * with one mul/shift pair from the host's tsc_khz, in the form a pvclock
 * page carries. A vCPU's page gives the guest the same line in its own
 * TSC (tsc.c: scaled and offset), with the mul/shift of its own rate, so
 * every vCPU and KVM_GET_CLOCK read one clock whatever the TSC offsets
 * and rates: on a host whose TSC is constant and reliable that makes
 * PVCLOCK_TSC_STABLE_BIT true. The page is rewritten
 * when the line moves for the guest (enabling, KVM_SET_CLOCK, a write to
 * the guest's TSC) and after the vCPU moves to another CPU, by the vCPU's
 * own task before its next entry (NVMX_REQ_CLOCK).
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <asm/pvclock.h>
#include <asm/tsc.h>

#include "nvmx.h"

/* KVM_CLOCK_* flags KVM_SET_CLOCK takes back, as 6.1's KVM_CLOCK_VALID_FLAGS. */
#define NVMX_CLOCK_VALID_FLAGS	(KVM_CLOCK_TSC_STABLE | KVM_CLOCK_REALTIME | \
				 KVM_CLOCK_HOST_TSC)

/*
 * The pvclock factors for @khz: ns = ((delta << shift) * mul) >> 32, with
 * shift negative a right shift. mul/2^32 is kept in [1/2, 1) for precision.
 */
static void nvmx_clock_factors(u32 khz, u32 *mul, s8 *shift)
{
	/* ns per ms over ticks per ms: both fit 32 bits, so num << 32 fits 64. */
	u64 num = NSEC_PER_MSEC, den = khz ? khz : 1;
	s8 s = 0;

	while (num >= den) {
		den <<= 1;
		s++;
	}
	while (num < den / 2) {
		num <<= 1;
		s--;
	}
	*mul = div64_u64(num << 32, den);
	*shift = s;
}

/* Whether guests may count on the host TSC: constant rate, never stops. */
static bool nvmx_tsc_stable(void)
{
	return boot_cpu_has(X86_FEATURE_CONSTANT_TSC) &&
	       boot_cpu_has(X86_FEATURE_NONSTOP_TSC) && !check_tsc_unstable();
}

void nvmx_kvmclock_vm_init(struct nvmx_vm *vm)
{
	nvmx_clock_factors(tsc_khz, &vm->clock_mul, &vm->clock_shift);
	/* As on KVM, a new VM's kvmclock starts at 0. */
	vm->clock_base_tsc = rdtsc();
	vm->kvmclock_offset = 0;
}

/* The ns since the VM's base at host TSC @host_tsc, before the offset. */
static u64 nvmx_clock_raw_ns(struct nvmx_vm *vm, u64 host_tsc)
{
	/* A CPU a few cycles behind the one that took the base reads 0. */
	u64 delta = host_tsc > vm->clock_base_tsc ?
		    host_tsc - vm->clock_base_tsc : 0;

	return pvclock_scale_delta(delta, vm->clock_mul, vm->clock_shift);
}

/* The VM's kvmclock at host TSC @host_tsc. */
u64 nvmx_kvmclock_ns(struct nvmx_vm *vm, u64 host_tsc)
{
	return nvmx_clock_raw_ns(vm, host_tsc) + READ_ONCE(vm->kvmclock_offset);
}

/*
 * KVM_GET_CLOCK: the clock at data.host_tsc, and the wall time then.
 * KVM takes both from one read of a TSC clocksource; nvmx reads the wall
 * clock between two TSC reads, interrupts off, and gives their midpoint,
 * so the pair is off by at most half that window (a few hundred cycles),
 * whatever the host's clocksource. The clock itself is exact for
 * host_tsc: it is computed from it.
 */
long nvmx_vm_get_clock(struct nvmx_vm *vm, void __user *argp)
{
	struct kvm_clock_data data;
	unsigned long flags;
	u64 t0, t1;

	memset(&data, 0, sizeof(data));
	local_irq_save(flags);
	t0 = rdtsc_ordered();
	data.realtime = ktime_get_real_ns();
	t1 = rdtsc_ordered();
	local_irq_restore(flags);
	data.host_tsc = t0 + (t1 - t0) / 2;
	data.flags = KVM_CLOCK_REALTIME | KVM_CLOCK_HOST_TSC;
	if (nvmx_tsc_stable())
		data.flags |= KVM_CLOCK_TSC_STABLE;
	data.clock = nvmx_kvmclock_ns(vm, data.host_tsc);
	return copy_to_user(argp, &data, sizeof(data)) ? -EFAULT : 0;
}

/*
 * KVM_SET_CLOCK: the clock reads data.clock now; with KVM_CLOCK_REALTIME
 * plus the wall time passed since data.realtime (never backwards). Flags
 * KVM_GET_CLOCK gives are accepted back, others are EINVAL.
 */
long nvmx_vm_set_clock(struct nvmx_vm *vm, void __user *argp)
{
	struct kvm_clock_data data;
	unsigned int i;
	u64 now_real;

	if (copy_from_user(&data, argp, sizeof(data)))
		return -EFAULT;
	if (data.flags & ~NVMX_CLOCK_VALID_FLAGS)
		return -EINVAL;
	if (data.flags & KVM_CLOCK_REALTIME) {
		now_real = ktime_get_real_ns();
		if (now_real > data.realtime)
			data.clock += now_real - data.realtime;
	}
	mutex_lock(&vm->lock);
	WRITE_ONCE(vm->kvmclock_offset,
		   data.clock - nvmx_clock_raw_ns(vm, rdtsc()));
	/* Every vCPU's page moves with the clock (vCPUs come under vm->lock). */
	for (i = 0; i < NVMX_MAX_VCPUS; i++) {
		if (!vm->vcpus[i])
			continue;
		nvmx_vcpu_make_request(vm->vcpus[i], NVMX_REQ_CLOCK);
		nvmx_vcpu_kick(vm->vcpus[i]);
	}
	mutex_unlock(&vm->lock);
	return 0;
}

/*
 * MSR_KVM_WALL_CLOCK(_NEW): the wall time at kvmclock 0 into the guest's
 * struct pvclock_wall_clock at @data, as KVM writes it. The guest's
 * version is only a counter: it is made even and advanced. A GPA outside
 * guest memory is kept and nothing is written, as on KVM.
 */
void nvmx_kvmclock_set_wall_clock(struct nvmx_vcpu *vcpu, u64 data)
{
	struct nvmx_vm *vm = vcpu->vm;
	struct pvclock_wall_clock wc;
	u64 wall;
	u32 version;

	mutex_lock(&vm->lock);
	vm->wall_clock_msr = data;
	if (!data || nvmx_read_guest(vm, data, &version, sizeof(version)))
		goto out;
	version = (version + 2) & ~1U;
	/* Odd while the fields change. */
	version--;
	if (nvmx_write_guest(vm, data, &version, sizeof(version)))
		goto out;
	wall = ktime_get_real_ns() - nvmx_kvmclock_ns(vm, rdtsc());
	wc.nsec = do_div(wall, NSEC_PER_SEC);
	wc.sec = (u32)wall;
	wc.version = version;
	/* The odd version is seen before any field changes. */
	smp_wmb();
	if (nvmx_write_guest(vm, data, &wc, sizeof(wc)))
		goto out;
	version++;
	/* And every field before the even version. */
	smp_wmb();
	nvmx_write_guest(vm, data, &version, sizeof(version));
out:
	mutex_unlock(&vm->lock);
}

/* MSR_KVM_SYSTEM_TIME(_NEW): bit 0 enables the page at the rest. */
void nvmx_kvmclock_set_system_time(struct nvmx_vcpu *vcpu, u64 data)
{
	vcpu->system_time_msr = data;
	nvmx_vcpu_make_request(vcpu, NVMX_REQ_CLOCK);
}

/*
 * Rewrites the vCPU's pvclock page, by its task before an entry: odd
 * version, the fields, even version, so a reader on another vCPU retries
 * rather than mixing two updates. A page outside guest memory is skipped.
 */
void nvmx_kvmclock_update(struct nvmx_vcpu *vcpu)
{
	struct pvclock_vcpu_time_info t;
	struct nvmx_vm *vm = vcpu->vm;
	u64 gpa = vcpu->system_time_msr & ~1ULL;
	u64 host_tsc;

	if (!(vcpu->system_time_msr & 1))
		return;
	memset(&t, 0, sizeof(t));
	vcpu->pvclock_version = (vcpu->pvclock_version + 2) & ~1U;
	t.version = vcpu->pvclock_version - 1;
	if (nvmx_write_guest(vm, gpa, &t.version, sizeof(t.version)))
		return;
	host_tsc = rdtsc();
	t.tsc_timestamp = nvmx_guest_tsc_at(vcpu, host_tsc);
	t.system_time = nvmx_kvmclock_ns(vm, host_tsc);
	if (vcpu->tsc_hw_khz == tsc_khz) {
		t.tsc_to_system_mul = vm->clock_mul;
		t.tsc_shift = vm->clock_shift;
	} else {
		/* A scaled TSC: the same clock in ticks of the guest's rate. */
		nvmx_clock_factors(vcpu->tsc_hw_khz, &t.tsc_to_system_mul,
				   &t.tsc_shift);
	}
	t.flags = nvmx_tsc_stable() ? PVCLOCK_TSC_STABLE_BIT : 0;
	/* The odd version is seen before any field changes. */
	smp_wmb();
	if (nvmx_write_guest(vm, gpa, &t, sizeof(t)))
		return;
	t.version = vcpu->pvclock_version;
	/* And every field before the even version. */
	smp_wmb();
	nvmx_write_guest(vm, gpa, &t.version, sizeof(t.version));
}
