// SPDX-License-Identifier: GPL-2.0
/*
 * Speculative-execution mitigations around VM entry and exit.
 *
 * What to do is the running kernel's choice (its boot-time mitigation
 * state), read once at load into nvmx_spec_mitigations, and follows what
 * kvm_intel does on the same kernel. Each mitigation has one predicate:
 *  - feature bits the kernel sets, which vmenter.S and placement.c act on
 *    through the kernel's own alternatives (the table below names them);
 *  - the L1D flush, decided here and acted on by nvmx_spec_before_entry().
 * NVMX_GET_STATUS reports the result. Documentation/design.md, "Speculative
 * execution", says what each one follows and why.
 */
#include <linux/cpu.h>
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/percpu.h>
#include <asm/cpufeature.h>
#include <asm/msr.h>
#include <asm/nospec-branch.h>
#include <asm/processor.h>

#include <uapi/linux/nvmx.h>

#include "nvmx.h"

u64 nvmx_spec_mitigations __ro_after_init;

/*
 * The software L1D flush reads a buffer twice the size of any L1D nvmx
 * runs on (32 KiB on the L1TF-affected parts), so that every line is
 * displaced.
 */
#define NVMX_L1D_FLUSH_ORDER	4
#define NVMX_L1D_FLUSH_SIZE	(PAGE_SIZE << NVMX_L1D_FLUSH_ORDER)
static u8 *nvmx_l1d_flush_buf;

/*
 * Mitigations that are a kernel feature bit and nothing else. The entry
 * code tests the same bits through the kernel's macros:
 *   CLEAR_CPU_BUFFERS                  vmenter.S, before VMLAUNCH/VMRESUME
 *   FILL_RETURN_BUFFER                 vmenter.S, after VM exit
 *   the IA32_SPEC_CTRL write           vmenter.S, after VM exit
 *   CLEAR_BRANCH_HISTORY_VMEXIT        vmenter.S, after VM exit
 *   indirect_branch_prediction_barrier() placement.c, after VMPTRLD
 *   x86_ibpb_exit_to_user              nvmx_spec_after_exit()
 */
static const struct {
	u16 feature;
	u64 flag;
} nvmx_spec_features[] = {
	{ X86_FEATURE_CLEAR_CPU_BUF, NVMX_MITIGATION_VERW },
	{ X86_FEATURE_CLEAR_BHB_LOOP_ON_VMEXIT, NVMX_MITIGATION_BHI_CLEAR },
	{ X86_FEATURE_RSB_VMEXIT, NVMX_MITIGATION_RSB_VMEXIT },
	{ X86_FEATURE_RSB_VMEXIT_LITE, NVMX_MITIGATION_RSB_VMEXIT_LITE },
	{ X86_FEATURE_USE_IBPB, NVMX_MITIGATION_IBPB_ON_SWITCH },
	{ X86_FEATURE_KERNEL_IBRS, NVMX_MITIGATION_IBRS_VMEXIT },
	{ X86_FEATURE_IBPB_EXIT_TO_USER, NVMX_MITIGATION_IBPB_EXIT_TO_USER },
};

/* The kernel's L1TF choice (l1tf=, mitigations=), as kvm_intel reads it. */
static bool nvmx_l1tf_flush_wanted(void)
{
#if IS_ENABLED(CONFIG_KVM_INTEL)
	return l1tf_mitigation != L1TF_MITIGATION_OFF;
#else
	/* l1tf_mitigation is exported only for kvm_intel. */
	return !cpu_mitigations_off();
#endif
}

/*
 * Whether VM entry must flush the L1D, as kvm_intel decides it with its
 * default vmentry_l1d_flush=auto: on L1TF-affected CPUs with EPT (nvmx
 * always uses EPT), unless a hypervisor below says the flush is not needed
 * or the kernel runs with the L1TF mitigation off.
 */
static bool nvmx_l1d_flush_needed(void)
{
	u64 cap = 0;

	if (!boot_cpu_has_bug(X86_BUG_L1TF))
		return false;
	if (boot_cpu_has(X86_FEATURE_ARCH_CAPABILITIES))
		rdmsrl(MSR_IA32_ARCH_CAPABILITIES, cap);
	if (cap & ARCH_CAP_SKIP_VMENTRY_L1DFLUSH)
		return false;
	return nvmx_l1tf_flush_wanted();
}

static int nvmx_l1d_flush_buf_alloc(void)
{
	struct page *page;
	unsigned int i;

	page = alloc_pages(GFP_KERNEL, NVMX_L1D_FLUSH_ORDER);
	if (!page)
		return -ENOMEM;
	nvmx_l1d_flush_buf = page_address(page);
	/*
	 * A different byte in every page: where nvmx itself runs in a VM,
	 * identical pages could be merged (KSM) below it, and fewer distinct
	 * lines would displace less of the L1D.
	 */
	for (i = 0; i < BIT(NVMX_L1D_FLUSH_ORDER); i++)
		memset(nvmx_l1d_flush_buf + i * PAGE_SIZE, 0x5a ^ i, PAGE_SIZE);
	return 0;
}

int nvmx_spec_init(void)
{
	u64 m = 0;
	unsigned int i;
	int r;

	for (i = 0; i < ARRAY_SIZE(nvmx_spec_features); i++)
		if (boot_cpu_has(nvmx_spec_features[i].feature))
			m |= nvmx_spec_features[i].flag;
	/* FILL_RETURN_BUFFER's second feature wins where both are set. */
	if (m & NVMX_MITIGATION_RSB_VMEXIT_LITE)
		m &= ~NVMX_MITIGATION_RSB_VMEXIT;

	if (nvmx_l1d_flush_needed()) {
		if (boot_cpu_has(X86_FEATURE_FLUSH_L1D)) {
			m |= NVMX_MITIGATION_L1D_FLUSH_HW;
		} else {
			r = nvmx_l1d_flush_buf_alloc();
			if (r)
				return r;
			m |= NVMX_MITIGATION_L1D_FLUSH_SW;
		}
	}
	nvmx_spec_mitigations = m;
	return 0;
}

void nvmx_spec_exit(void)
{
	if (nvmx_l1d_flush_buf)
		free_pages((unsigned long)nvmx_l1d_flush_buf,
			   NVMX_L1D_FLUSH_ORDER);
	nvmx_l1d_flush_buf = NULL;
}

/* Displaces every L1D line with the buffer's. Interrupts off. */
static void nvmx_l1d_flush_sw(void)
{
	const u8 *buf = nvmx_l1d_flush_buf;
	unsigned long i;

	/* Touch each page first, so that the fill below misses no TLB entry. */
	for (i = 0; i < NVMX_L1D_FLUSH_SIZE; i += PAGE_SIZE)
		(void)READ_ONCE(buf[i]);
	/* The fill starts once those loads are done (LFENCE). */
	rmb();
	for (i = 0; i < NVMX_L1D_FLUSH_SIZE; i += L1_CACHE_BYTES)
		(void)READ_ONCE(buf[i]);
	/* Every line loaded before the VM entry that follows (LFENCE). */
	rmb();
}

/*
 * Right before nvmx_vmenter(), interrupts off: nothing of the host may come
 * into the L1D after it.
 *
 * kvm_intel's default ("cond") skips the flush when nothing it deems
 * sensitive ran since the last one; nvmx keeps no such record and flushes
 * before every entry, a superset. The VERW in vmenter.S runs as well, as on
 * kvm_intel: the software flush clears no CPU buffers, and VERW comes last.
 */
void nvmx_spec_before_entry(void)
{
	if (nvmx_spec_mitigations & NVMX_MITIGATION_L1D_FLUSH_HW)
		native_wrmsrl(MSR_IA32_FLUSH_CMD, L1D_FLUSH);
	else if (nvmx_spec_mitigations & NVMX_MITIGATION_L1D_FLUSH_SW)
		nvmx_l1d_flush_sw();
}

/*
 * After VM exit, still on the CPU that ran the guest (preemption off): the
 * guest may have trained branch predictors that host user space would use,
 * so the kernel is told to issue an IBPB before it next returns to user
 * mode on this CPU (VMSCAPE).
 */
void nvmx_spec_after_exit(void)
{
	if (nvmx_spec_mitigations & NVMX_MITIGATION_IBPB_EXIT_TO_USER)
		this_cpu_write(x86_ibpb_exit_to_user, true);
}
