// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_SUPPORTED_CPUID: the host's CPUID, as this CPU executes it and
 * as far as the host kernel uses it, put through cpuid.c's model.
 */
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/overflow.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/uaccess.h>
#include <asm/cpufeature.h>
#include <asm/fpu/xcr.h>
#include <asm/processor.h>

#include "cpuid.h"
#include "nested/msrs.h"

/*
 * CPUID registers the kernel keeps a capability word of. A feature the
 * host kernel turned off (clearcpuid=, tsx=off, an XSAVE it found broken)
 * is off for guests too: nvmx relies on the kernel for what guests share
 * with the host, the FPU state first.
 */
static const struct {
	u32 leaf;
	u32 subleaf;
	enum nvmx_cpuid_reg reg;
	enum cpuid_leafs word;
} nvmx_host_words[] = {
	{ 0x1, 0, NVMX_CPUID_EDX, CPUID_1_EDX },
	{ 0x1, 0, NVMX_CPUID_ECX, CPUID_1_ECX },
	{ 0x6, 0, NVMX_CPUID_EAX, CPUID_6_EAX },
	{ 0x7, 0, NVMX_CPUID_EBX, CPUID_7_0_EBX },
	{ 0x7, 0, NVMX_CPUID_ECX, CPUID_7_ECX },
	{ 0x7, 0, NVMX_CPUID_EDX, CPUID_7_EDX },
	{ 0x7, 1, NVMX_CPUID_EAX, CPUID_7_1_EAX },
	{ 0xd, 1, NVMX_CPUID_EAX, CPUID_D_1_EAX },
	{ 0x80000001, 0, NVMX_CPUID_EDX, CPUID_8000_0001_EDX },
	{ 0x80000001, 0, NVMX_CPUID_ECX, CPUID_8000_0001_ECX },
	{ 0x80000008, 0, NVMX_CPUID_EBX, CPUID_8000_0008_EBX },
};

static void nvmx_host_cpuid(void *ctx, u32 leaf, u32 subleaf,
			    u32 regs[NVMX_CPUID_NR_REGS])
{
	size_t i;

	cpuid_count(leaf, subleaf, &regs[NVMX_CPUID_EAX], &regs[NVMX_CPUID_EBX],
		    &regs[NVMX_CPUID_ECX], &regs[NVMX_CPUID_EDX]);
	for (i = 0; i < ARRAY_SIZE(nvmx_host_words); i++) {
		if (nvmx_host_words[i].leaf == leaf &&
		    nvmx_host_words[i].subleaf == subleaf)
			regs[nvmx_host_words[i].reg] &=
				boot_cpu_data.x86_capability[nvmx_host_words[i].word];
	}
}

/* The policy for this host, with what nvmx can do today. */
void nvmx_cpuid_host_policy(struct nvmx_cpuid_policy *pol)
{
	/*
	 * x2APIC as KVM: offered whatever the host has, since the in-kernel
	 * APIC emulates it; a guest without that APIC cannot enable it.
	 */
	*pol = (struct nvmx_cpuid_policy){ .expose_vmx = nvmx_nested,
					   .expose_x2apic = true };
	/* The XCR0 the host kernel runs with is what its FPU code switches. */
	if (boot_cpu_has(X86_FEATURE_OSXSAVE))
		pol->xcr0_supported = xgetbv(XCR_XFEATURE_ENABLED_MASK);
}

/*
 * Errors as KVM's: EFAULT for the header; E2BIG for nent 0 or for too few
 * entries, leaving nent as it was; ENOMEM. An nent over
 * NVMX_CPUID_MAX_ENTRIES is taken as that many.
 */
int nvmx_get_supported_cpuid(struct kvm_cpuid2 __user *u)
{
	struct nvmx_cpuid_policy pol;
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 hdr;
	u32 nent;
	int r;

	if (copy_from_user(&hdr, u, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent < 1)
		return -E2BIG;
	hdr.nent = min_t(u32, hdr.nent, NVMX_CPUID_MAX_ENTRIES);

	e = kvcalloc(hdr.nent, sizeof(*e), GFP_KERNEL);
	if (!e)
		return -ENOMEM;

	nvmx_cpuid_host_policy(&pol);
	/* One CPU answers every leaf, so the table describes one CPU. */
	get_cpu();
	r = nvmx_cpuid_supported(e, hdr.nent, &nent, nvmx_host_cpuid, NULL,
				 &pol);
	put_cpu();
	if (r)
		goto out;

	hdr.nent = nent;
	r = -EFAULT;
	if (copy_to_user(u->entries, e, array_size(nent, sizeof(*e))) ||
	    copy_to_user(u, &hdr, sizeof(hdr)))
		goto out;
	r = 0;
out:
	kvfree(e);
	return r;
}
