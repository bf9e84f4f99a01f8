// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's TSC: its offset, its rate, and KVM_SET_TSC_KHZ and
 * KVM_GET_TSC_KHZ on vCPUs and VMs.
 *
 * L1's TSC is (host TSC * tsc_ratio >> 48) + tsc_offset, as the CPU
 * computes it for RDTSC with "use TSC offsetting" and, where the host has
 * it, "use TSC scaling" (SDM "Timestamp-Counter Scaling"). Without TSC
 * scaling the ratio is always 1.0 and only the host's rate (within KVM's
 * 250 ppm) is taken. Every reader of the guest TSC in nvmx (MSRs, the
 * TSC-deadline timer, kvmclock) goes through nvmx_guest_tsc_at(), so all
 * of them see what the guest's RDTSC sees.
 *
 * L1 is not offered TSC scaling (nested/caps.c): L2's TSC is L1's plus
 * vmcs12's offset, so vmcs02 runs with L0's multiplier and the sum of the
 * two offsets.
 */
#include <linux/kernel.h>
#include <asm/msr.h>
#include <asm/tsc.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "tsc.h"
#include "vmx_ops.h"
#include "nested/merge.h"

/* Whether guests may run at other rates than the host's (load time). */
bool nvmx_tsc_scaling;

u64 nvmx_guest_tsc_at(struct nvmx_vcpu *vcpu, u64 host_tsc)
{
	return nvmx_tsc_scale(host_tsc, vcpu->tsc_ratio) + vcpu->tsc_offset;
}

u64 nvmx_guest_tsc(struct nvmx_vcpu *vcpu)
{
	return nvmx_guest_tsc_at(vcpu, rdtsc());
}

/*
 * L2's TSC as L2 reads it: L1's plus vmcs12's offset when vmcs12 offsets
 * the TSC. L1's otherwise, and when L2 is not running.
 */
u64 nvmx_guest_tsc_current(struct nvmx_vcpu *vcpu)
{
	u64 tsc = nvmx_guest_tsc(vcpu);

	if (!vcpu->nested.guest_mode)
		return tsc;
	return nvmx_merge_tsc_offset(tsc, vcpu->nested.vmcs12);
}

/* @offset and the vCPU's multiplier (where the host scales) into the VMCS. */
static void nvmx_tsc_write_vmcs(struct nvmx_vcpu *vcpu, u64 offset)
{
	nvmx_vmwrite(TSC_OFFSET, offset);
	if (nvmx_tsc_scaling)
		nvmx_vmwrite(TSC_MULTIPLIER, vcpu->tsc_ratio);
}

/*
 * The offset and multiplier into the current VMCS. While L2 runs that is
 * vmcs02, which takes vmcs12's offset on top; vmcs01 is then written when
 * L1 runs again (nvmx_tsc_vmcs01_sync()). VMCS loaded.
 */
static void nvmx_tsc_apply(struct nvmx_vcpu *vcpu)
{
	u64 offset = vcpu->tsc_offset;

	if (vcpu->nested.guest_mode) {
		offset = nvmx_merge_tsc_offset(offset, vcpu->nested.vmcs12);
		vcpu->tsc_stale01 = true;
	}
	nvmx_tsc_write_vmcs(vcpu, offset);
	/* The kvmclock page holds a guest TSC value and the guest's rate. */
	nvmx_vcpu_make_request(vcpu, NVMX_REQ_CLOCK);
}

/* vmcs01 after L2 ran while L1's TSC changed. vmcs01 current. */
void nvmx_tsc_vmcs01_sync(struct nvmx_vcpu *vcpu)
{
	if (!vcpu->tsc_stale01)
		return;
	vcpu->tsc_stale01 = false;
	nvmx_tsc_write_vmcs(vcpu, vcpu->tsc_offset);
}

/* L1's TSC reads @guest_tsc now. VMCS loaded. */
void nvmx_tsc_set(struct nvmx_vcpu *vcpu, u64 guest_tsc)
{
	vcpu->tsc_offset = guest_tsc - nvmx_tsc_scale(rdtsc(), vcpu->tsc_ratio);
	nvmx_tsc_apply(vcpu);
}

/* L1's TSC moves by @delta (a TSC_ADJUST write). VMCS loaded. */
void nvmx_tsc_adjust(struct nvmx_vcpu *vcpu, u64 delta)
{
	vcpu->tsc_offset += delta;
	nvmx_tsc_apply(vcpu);
}

/*
 * The rate @khz runs at: @khz when scaled, the host's within the
 * tolerance. The TSC-deadline timer and kvmclock convert with it.
 */
static u32 nvmx_tsc_hw_khz(u32 khz, u64 ratio)
{
	return ratio == NVMX_TSC_RATIO_ONE ? tsc_khz : khz;
}

/*
 * A new vCPU's TSC: the VM's rate (KVM_SET_TSC_KHZ on the VM, checked
 * there), starting at 0 as on KVM. VMCS loaded.
 */
void nvmx_tsc_vcpu_init(struct nvmx_vcpu *vcpu)
{
	u32 khz = READ_ONCE(vcpu->vm->tsc_khz);
	u64 ratio;

	if (nvmx_tsc_ratio(khz, tsc_khz, nvmx_tsc_scaling, &ratio))
		ratio = NVMX_TSC_RATIO_ONE;
	vcpu->tsc_ratio = ratio;
	vcpu->tsc_khz = khz;
	vcpu->tsc_hw_khz = nvmx_tsc_hw_khz(khz, ratio);
	nvmx_tsc_set(vcpu, 0);
}

/*
 * KVM_SET_TSC_KHZ's argument: KVM takes its low 32 bits, 0 meaning the
 * host's rate. 0 and an error, or the rate and its ratio.
 */
static int nvmx_tsc_khz_arg(unsigned long arg, u32 *khz, u64 *ratio)
{
	*khz = (u32)arg ? (u32)arg : tsc_khz;
	return nvmx_tsc_ratio(*khz, tsc_khz, nvmx_tsc_scaling, ratio);
}

/*
 * KVM_SET_TSC_KHZ on a vCPU. The guest's TSC goes on from the value it
 * has now at the new rate (KVM keeps the offset, so the TSC jumps).
 */
long nvmx_vcpu_set_tsc_khz(struct nvmx_vcpu *vcpu, unsigned long arg)
{
	u64 ratio, host, guest;
	u32 khz;
	int r;

	r = nvmx_tsc_khz_arg(arg, &khz, &ratio);
	if (r)
		return r;
	nvmx_vcpu_load(vcpu);
	host = rdtsc();
	guest = nvmx_guest_tsc_at(vcpu, host);
	vcpu->tsc_ratio = ratio;
	vcpu->tsc_khz = khz;
	vcpu->tsc_hw_khz = nvmx_tsc_hw_khz(khz, ratio);
	vcpu->tsc_offset = guest - nvmx_tsc_scale(host, ratio);
	nvmx_tsc_apply(vcpu);
	/* An armed TSC deadline is in guest ticks: its host time moved. */
	nvmx_lapic_tsc_rate_changed(vcpu);
	nvmx_vcpu_put(vcpu);
	return 0;
}

/* KVM_GET_TSC_KHZ on a vCPU: the rate it was given, as KVM answers. */
long nvmx_vcpu_get_tsc_khz(struct nvmx_vcpu *vcpu)
{
	return vcpu->tsc_khz;
}

/* KVM_SET_TSC_KHZ on a VM: the rate of the vCPUs created after it. */
long nvmx_vm_set_tsc_khz(struct nvmx_vm *vm, unsigned long arg)
{
	u64 ratio;
	u32 khz;
	int r;

	r = nvmx_tsc_khz_arg(arg, &khz, &ratio);
	if (!r)
		WRITE_ONCE(vm->tsc_khz, khz);
	return r;
}

long nvmx_vm_get_tsc_khz(struct nvmx_vm *vm)
{
	return READ_ONCE(vm->tsc_khz);
}
