/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wrappers for the VMX instructions. Each reports VMfail and faults to its
 * caller instead of trusting the CPU state it finds.
 */
#ifndef NVMX_VMX_OPS_H
#define NVMX_VMX_OPS_H

#include <linux/bug.h>
#include <linux/errno.h>
#include <linux/types.h>
#include <asm/asm.h>

#define NVMX_INV_ALL_CONTEXT 2UL

static inline int nvmx_vmxon(u64 pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m"(pa) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

static inline int nvmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory" : fault);
	return 0;
fault:
	return -EFAULT;
}

/*
 * Drops every EPT- and VPID-tagged translation: a previous owner of VMX on
 * this CPU may have left some that would alias nvmx's EPTPs and VPIDs.
 * nvmx_caps_missing() guarantees both all-context types exist.
 */
static inline void nvmx_flush_all_contexts(void)
{
	struct {
		u64 a;
		u64 b;
	} desc = { 0, 0 };

	asm goto("invept %[desc], %[type]\n\t"
		 "jbe %l[fail]\n\t"
		 "invvpid %[desc], %[type]\n\t"
		 "jbe %l[fail]\n\t"
		 : : [desc] "m"(desc), [type] "r"(NVMX_INV_ALL_CONTEXT)
		 : "cc", "memory" : fail);
	return;
fail:
	WARN_ON_ONCE(1);
}

#endif /* NVMX_VMX_OPS_H */
