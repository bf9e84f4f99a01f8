/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version shim nvmx needs, in one place. Kbuild force-includes
 * this header into each object; no other file may test kernel versions.
 *
 * Supported: the Linux 6.1 series (Debian 12's kernels), which is what CI
 * builds and boots. Newer kernels change what nvmx must cooperate with:
 * 6.4 adds a single-slot emergency-virt callback that kvm_intel owns, and
 * 6.12 lets kvm_intel take VMX at load (kvm.enable_virt_at_load). Each needs
 * a shim here and a CI run on that kernel before the range grows.
 */
#ifndef NVMX_COMPAT_H
#define NVMX_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE < KERNEL_VERSION(6, 1, 0) || \
	LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#error "nvmx supports the Linux 6.1 series only; see Documentation/building.md"
#endif

/*
 * On 6.1 the kernel itself executes VMXOFF on every CPU on emergency restart
 * and crash kexec (cpu_emergency_vmxoff()), so nvmx only handles orderly
 * reboot and kexec, through a reboot notifier.
 */

/* Exported for KVM, declared only in a header private to arch/x86. */
#include <linux/types.h>
extern u32 mxcsr_feature_mask;

#endif /* NVMX_COMPAT_H */
