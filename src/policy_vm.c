// SPDX-License-Identifier: GPL-2.0
/*
 * The policy table of each VM: the host facts and default at load, the
 * NVMX_GET_POLICY/NVMX_SET_POLICY ioctls, and each vCPU taking a new
 * table before its next VM entry. The table's rules are policy.c's.
 */
#include <linux/mutex.h>
#include <linux/uaccess.h>
#include <asm/special_insns.h>
#include <asm/tlbflush.h>

#include "nvmx.h"
#include "trace.h"

static_assert(sizeof(struct nvmx_policy) == NVMX_POLICY_SIZE_VER0);

struct nvmx_policy_host nvmx_policy_host;
static struct nvmx_policy nvmx_policy_default_table;

/*
 * At load: what the table is checked against on this host, and the
 * default, which must pass (else nvmx refuses to load, naming the row).
 */
int nvmx_policy_init(void)
{
	struct nvmx_policy_host *h = &nvmx_policy_host;
	const char *bad;

	h->cr0_fixed0 = nvmx_caps.cr0_fixed0;
	h->cr0_fixed1 = nvmx_caps.cr0_fixed1;
	h->cr4_fixed0 = nvmx_caps.cr4_fixed0;
	h->cr4_fixed1 = nvmx_caps.cr4_fixed1;
	/* vmcs01 always runs with it (nvmx_compute_controls() needs it). */
	h->unrestricted_guest = true;
	h->smxe = cr4_read_shadow() & X86_CR4_SMXE;
	nvmx_policy_default(&nvmx_policy_default_table, h);
	if (nvmx_policy_check(&nvmx_policy_default_table, h, &bad)) {
		pr_err("not loading: the default policy table is invalid on this host at row %s\n",
		       bad);
		return -EINVAL;
	}
	return 0;
}

void nvmx_policy_vm_init(struct nvmx_vm *vm)
{
	vm->policy = nvmx_policy_default_table;
	nvmx_policy_derive(&vm->policy, &nvmx_policy_host, &vm->masks);
	vm->policy_gen = 1;
}

/* A new vCPU starts with its VM's table (vm->lock is held). */
void nvmx_policy_vcpu_init(struct nvmx_vcpu *vcpu)
{
	lockdep_assert_held(&vcpu->vm->lock);
	vcpu->policy = vcpu->vm->masks;
	vcpu->policy_gen = vcpu->vm->policy_gen;
}

/*
 * Before an entry (the vCPU loaded, preemption on): a table set since the
 * last one, or a CPUID change (policy_gen 0), reaches the current VMCS.
 * CR0 and CR4 are read under the old masks and rewritten under the new,
 * so the guest keeps every bit it owned.
 */
void nvmx_policy_vcpu_sync(struct nvmx_vcpu *vcpu)
{
	struct nvmx_vm *vm = vcpu->vm;
	unsigned long cr0, cr4;

	if (likely(READ_ONCE(vm->policy_gen) == vcpu->policy_gen))
		return;
	cr0 = nvmx_read_cr0(vcpu);
	cr4 = nvmx_read_cr4(vcpu);
	mutex_lock(&vm->lock);
	vcpu->policy = vm->masks;
	vcpu->policy_gen = vm->policy_gen;
	mutex_unlock(&vm->lock);
	nvmx_write_cr0(vcpu, cr0);
	nvmx_write_cr4(vcpu, cr4);
	nvmx_policy_apply_ctls(vcpu, vcpu->nested.guest_mode);
	/* vmcs01 gets its controls at the nested exit. */
	if (vcpu->nested.guest_mode)
		vcpu->policy_stale01 = true;
	/* Forced bits may have changed what the hardware runs with. */
	vcpu->flush_tlb = true;
	trace_nvmx_policy(vcpu->id, vcpu->policy_gen, &vcpu->policy);
}

long nvmx_policy_get(struct nvmx_vm *vm, void __user *argp)
{
	struct nvmx_policy p;
	int usize;

	usize = nvmx_copy_struct_in(&p, sizeof(p), NVMX_POLICY_SIZE_VER0, argp);
	if (usize < 0)
		return usize;
	if (p.flags)
		return -EINVAL;
	mutex_lock(&vm->lock);
	p = vm->policy;
	mutex_unlock(&vm->lock);
	return nvmx_copy_struct_out(argp, &p, &p.size, sizeof(p), usize);
}

long nvmx_policy_set(struct nvmx_vm *vm, void __user *argp)
{
	struct nvmx_policy_masks m;
	struct nvmx_policy p;
	const char *bad;
	int usize;

	usize = nvmx_copy_struct_in(&p, sizeof(p), NVMX_POLICY_SIZE_VER0, argp);
	if (usize < 0)
		return usize;
	if (nvmx_policy_check(&p, &nvmx_policy_host, &bad)) {
		pr_info_ratelimited("NVMX_SET_POLICY: invalid table at row %s\n",
				    bad);
		return -EINVAL;
	}
	p.size = sizeof(p);
	nvmx_policy_derive(&p, &nvmx_policy_host, &m);
	mutex_lock(&vm->lock);
	vm->policy = p;
	vm->masks = m;
	WRITE_ONCE(vm->policy_gen, vm->policy_gen + 1);
	trace_nvmx_policy(-1, vm->policy_gen, &m);
	mutex_unlock(&vm->lock);
	return 0;
}
