/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every kernel-version shim nvmx needs, in one place. Kbuild force-includes
 * this header into each object, C and assembler; no other file may test
 * kernel versions.
 *
 * Supported: the Linux 6.1 series (Debian 12's kernels) and the 6.12
 * series (Debian 12's bookworm-backports kernels), which is what CI builds
 * against. Each shim below is named for what it does and covers both.
 */
#ifndef NVMX_COMPAT_H
#define NVMX_COMPAT_H

#include <linux/version.h>

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 0) && \
	LINUX_VERSION_CODE < KERNEL_VERSION(6, 2, 0)
#define NVMX_KERNEL_SERIES	"6.1"
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0) && \
	LINUX_VERSION_CODE < KERNEL_VERSION(6, 13, 0)
#define NVMX_KERNEL_SERIES	"6.12"
#else
#error "nvmx supports the Linux 6.1 and 6.12 series only; see Documentation/building.md"
#endif

/*
 * The IDT entry that runs the host's NMI handler for an NMI VM exit
 * (vmenter.S), exported for KVM under either name.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define NVMX_NMI_ENTRY		asm_exc_nmi_kvm_vmx
#else
#define NVMX_NMI_ENTRY		asm_exc_nmi_noist
#endif

#ifndef __ASSEMBLY__
#include <linux/types.h>

/*
 * KVM_TRACE_ENABLE, _PAUSE and _DISABLE: withdrawn from KVM's ABI and, on
 * 6.12, from <linux/kvm.h>. The numbers stay reserved (KVM still answers
 * them), so nvmx spells them out: 'KVMIO' 0xae, commands 6 (writing an
 * 8-byte struct), 7 and 8.
 */
#define NVMX_KVM_TRACE_ENABLE	_IOC(_IOC_WRITE, 0xae, 0x06, 8)
#define NVMX_KVM_TRACE_PAUSE	_IOC(_IOC_NONE, 0xae, 0x07, 0)
#define NVMX_KVM_TRACE_DISABLE	_IOC(_IOC_NONE, 0xae, 0x08, 0)

/*
 * kvm_run.immediate_exit, read exactly once per KVM_RUN. 6.12's kernel
 * build of <linux/kvm.h> names it immediate_exit__unsafe, so that nothing
 * reads it by accident a second time.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define nvmx_kvm_run_immediate_exit(run) \
	READ_ONCE((run)->immediate_exit__unsafe)
#else
#define nvmx_kvm_run_immediate_exit(run) READ_ONCE((run)->immediate_exit)
#endif

/* Signals an eventfd once; 6.12's eventfd_signal() lost its count. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define nvmx_eventfd_signal(ctx)	eventfd_signal(ctx)
#else
#define nvmx_eventfd_signal(ctx)	eventfd_signal(ctx, 1)
#endif

/*
 * Copies a tracepoint's __string() field in TP_fast_assign(). On 6.12
 * __assign_str() takes the source from the __string() declaration.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define nvmx_trace_assign_str(dst, src)	__assign_str(dst)
#else
#define nvmx_trace_assign_str(dst, src)	__assign_str(dst, src)
#endif

/*
 * How to take turns with the hypervisor that holds VMX, for the EBUSY line
 * of VM creation (vmx.c). kvm_intel on 6.1 holds it while it has VMs; on
 * 6.12 from the moment it loads, unless kvm.enable_virt_at_load=0.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define NVMX_VMX_BUSY_HINT \
	"kvm_intel holds VMX from load: unload kvm_intel, or load kvm with enable_virt_at_load=0 and close its VMs"
#else
#define NVMX_VMX_BUSY_HINT	"close its VMs first"
#endif

/*
 * The emergency-virt callback (vmx.c), for emergency restart and crash
 * kexec: <asm/reboot.h>'s single slot, exported on 6.12 and, since 6.1.149
 * (Debian's 6.1.153-1), on 6.1, where those kernels stopped executing
 * VMXOFF themselves. Older 6.1 kernels still do, and have no slot.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 1, 149)
#define nvmx_emergency_virt_register(cb) \
	cpu_emergency_register_virt_callback(cb)
#define nvmx_emergency_virt_unregister(cb) \
	cpu_emergency_unregister_virt_callback(cb)
#else
#define nvmx_emergency_virt_register(cb)	((void)(cb))
#define nvmx_emergency_virt_unregister(cb)	((void)(cb))
#endif

/* Exported for KVM, declared only in a header private to arch/x86. */
extern u32 mxcsr_feature_mask;

#endif /* __ASSEMBLY__ */

#endif /* NVMX_COMPAT_H */
