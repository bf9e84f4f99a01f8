/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * nvmx-only ioctls on /dev/nvmx.
 *
 * /dev/nvmx answers KVM's ioctls (<linux/kvm.h>, type 0xAE) with KVM's
 * structs, numbers and errnos. What KVM has no ioctl for lives here, under
 * type 0xAF, numbers 0x20 and up (free in ioctl-number.rst).
 *
 * Conventions for every struct here:
 *  - The first member is __u32 size: userspace sets it to sizeof() as it
 *    knows the struct. The kernel accepts any size from the first published
 *    version (NVMX_*_SIZE_VER0) up to 4096. Bytes beyond what the kernel
 *    knows must be zero (else E2BIG, as is a size over 4096); the kernel
 *    writes back at most @size bytes and sets @size to the number of bytes
 *    it filled.
 *  - flags and __reserved must be zero (else EINVAL).
 *  - Structs only grow at the end.
 */
#ifndef _UAPI_LINUX_NVMX_H
#define _UAPI_LINUX_NVMX_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

#define NVMX_TYPE 0xAF

enum {
	NVMX_CMD_BASE = 0x20,
	NVMX_CMD_GET_HOST_CAPS = NVMX_CMD_BASE,
	NVMX_CMD_GET_STATUS,
	NVMX_CMD_GET_POLICY,		/* VM fd */
	NVMX_CMD_SET_POLICY,		/* VM fd */
	NVMX_CMD_GET_EXIT_COUNTS,	/* vCPU fd */
};

/**
 * struct nvmx_host_caps - the host's VMX capability MSRs as nvmx read them
 * @size: sizeof(struct nvmx_host_caps), see above
 * @flags: must be 0
 * @vmx_basic: IA32_VMX_BASIC
 * @pinbased_ctls: IA32_VMX_TRUE_PINBASED_CTLS
 * @procbased_ctls: IA32_VMX_TRUE_PROCBASED_CTLS
 * @exit_ctls: IA32_VMX_TRUE_EXIT_CTLS
 * @entry_ctls: IA32_VMX_TRUE_ENTRY_CTLS
 * @misc: IA32_VMX_MISC
 * @cr0_fixed0: IA32_VMX_CR0_FIXED0
 * @cr0_fixed1: IA32_VMX_CR0_FIXED1
 * @cr4_fixed0: IA32_VMX_CR4_FIXED0
 * @cr4_fixed1: IA32_VMX_CR4_FIXED1
 * @vmcs_enum: IA32_VMX_VMCS_ENUM
 * @procbased_ctls2: IA32_VMX_PROCBASED_CTLS2
 * @ept_vpid_cap: IA32_VMX_EPT_VPID_CAP
 * @vmfunc: IA32_VMX_VMFUNC, 0 where the CPU has no VM functions
 *
 * These are the host's values, identical on every CPU (nvmx refuses to load
 * otherwise), not what a guest sees.
 */
struct nvmx_host_caps {
	__u32 size;
	__u32 flags;
	__u64 vmx_basic;
	__u64 pinbased_ctls;
	__u64 procbased_ctls;
	__u64 exit_ctls;
	__u64 entry_ctls;
	__u64 misc;
	__u64 cr0_fixed0;
	__u64 cr0_fixed1;
	__u64 cr4_fixed0;
	__u64 cr4_fixed1;
	__u64 vmcs_enum;
	__u64 procbased_ctls2;
	__u64 ept_vpid_cap;
	__u64 vmfunc;
};

#define NVMX_HOST_CAPS_SIZE_VER0 120

/**
 * struct nvmx_status - nvmx's use of the machine right now
 * @size: sizeof(struct nvmx_status), see above
 * @flags: must be 0
 * @nr_vms: live VMs created through this module (any process)
 * @vmx_cpus: CPUs nvmx holds in VMX operation; 0 when it has no VMs, since
 *            nvmx does VMXON with the first VM and VMXOFF with the last
 * @online_cpus: online CPUs when the status was taken
 * @__reserved: must be 0
 * @mitigations: NVMX_MITIGATION_* (below): the speculative-execution
 *               mitigations nvmx applies around every VM entry and exit on
 *               this host, chosen at load from the kernel's mitigation
 *               state; 0 with mitigations=off. Since VER1.
 */
struct nvmx_status {
	__u32 size;
	__u32 flags;
	__u32 nr_vms;
	__u32 vmx_cpus;
	__u32 online_cpus;
	__u32 __reserved;
	__u64 mitigations;
};

#define NVMX_STATUS_SIZE_VER0 24
#define NVMX_STATUS_SIZE_VER1 32

/*
 * struct nvmx_status.mitigations; the kernel feature bit or variable each
 * follows is in Documentation/design.md, "Speculative execution".
 */
/* VERW clears CPU buffers before VM entry (X86_FEATURE_CLEAR_CPU_BUF). */
#define NVMX_MITIGATION_VERW			_BITULL(0)
/* L1D flush before VM entry through IA32_FLUSH_CMD (L1TF)... */
#define NVMX_MITIGATION_L1D_FLUSH_HW		_BITULL(1)
/* ...or by reading a 64 KiB buffer, where the CPU has no IA32_FLUSH_CMD. */
#define NVMX_MITIGATION_L1D_FLUSH_SW		_BITULL(2)
/* Branch history cleared by the software loop after VM exit (BHI). */
#define NVMX_MITIGATION_BHI_CLEAR		_BITULL(3)
/* Return stack buffer refilled after VM exit (X86_FEATURE_RSB_VMEXIT)... */
#define NVMX_MITIGATION_RSB_VMEXIT		_BITULL(4)
/* ...or one CALL retired before any RET (eIBRS with PBRSB). */
#define NVMX_MITIGATION_RSB_VMEXIT_LITE		_BITULL(5)
/* IBPB when a CPU makes another VMCS current (X86_FEATURE_USE_IBPB). */
#define NVMX_MITIGATION_IBPB_ON_SWITCH		_BITULL(6)
/* IA32_SPEC_CTRL rewritten after VM exit (legacy IBRS, KERNEL_IBRS). */
#define NVMX_MITIGATION_IBRS_VMEXIT		_BITULL(7)
/* IBPB before the next return to user mode after a VM exit (VMSCAPE). */
#define NVMX_MITIGATION_IBPB_EXIT_TO_USER	_BITULL(8)

/*
 * The register emulation policy table of a VM (Documentation/nested.md,
 * "The policy table"). One row per CR0 bit, CR4 bit, CR2, CR3, TPR and
 * the VMCS pointer; each row is one of NVMX_POLICY_*:
 *  THROUGH    the guest changes the bit itself: no exit, no shadow.
 *  SHADOWING  the real register keeps the row's value; the guest reads a
 *             shadow; a write that changes the bit exits to L0, which
 *             absorbs it and updates the shadow.
 *  INTERCEPT  every access VT-x can make exit does, and L0 emulates it.
 * Rows of bits the architecture (or this kernel's headers) does not
 * define are NVMX_POLICY_NONE and must stay so.
 */
#define NVMX_POLICY_NONE	0
#define NVMX_POLICY_THROUGH	1
#define NVMX_POLICY_SHADOWING	2
#define NVMX_POLICY_INTERCEPT	3

/**
 * struct nvmx_policy - a VM's register emulation policy table
 * @size: sizeof(struct nvmx_policy), see above
 * @flags: must be 0
 * @cr0: NVMX_POLICY_* of CR0 bit i
 * @cr4: NVMX_POLICY_* of CR4 bit i
 * @cr0_value: hypervisor-specific values: bit i is CR0 bit i's value for
 *             a SHADOWING or INTERCEPT row, and must be 0 for other rows
 * @cr4_value: the same for CR4
 * @cr2: NVMX_POLICY_THROUGH only (VT-x cannot trap CR2)
 * @cr3: THROUGH or INTERCEPT (CR3-load and CR3-store exiting)
 * @tpr: SHADOWING (TPR shadow, no exit) or INTERCEPT (CR8 exiting)
 * @vmcs_ptr: INTERCEPT only: L0 always emulates VMPTRLD and VMPTRST
 * @tpr_value: the physical TPR while the guest runs: must be 0
 * @__reserved: must be 0
 */
struct nvmx_policy {
	__u32 size;
	__u32 flags;
	__u8 cr0[32];
	__u8 cr4[32];
	__u64 cr0_value;
	__u64 cr4_value;
	__u8 cr2;
	__u8 cr3;
	__u8 tpr;
	__u8 vmcs_ptr;
	__u8 tpr_value;
	__u8 __reserved[3];
};

#define NVMX_POLICY_SIZE_VER0 96

/*
 * Levels of struct nvmx_exit_counts: exits from L1; exits from L2 that L0
 * handled (for itself or on L1's behalf); exits from L2 reflected to L1.
 */
#define NVMX_LEVEL_L1		0
#define NVMX_LEVEL_L2_L0	1
#define NVMX_LEVEL_L2_L1	2
#define NVMX_NR_LEVELS		3

/* Basic exit reasons counted; the last slot also counts all above it. */
#define NVMX_EXIT_COUNT_REASONS	80
/* CR-access slots: cr * 4 + access type (0 MOV to, 1 MOV from, 2 CLTS, 3 LMSW). */
#define NVMX_CR_ACCESS_SLOTS	64
#define NVMX_CR_SLOT(cr, type)	((cr) * 4 + (type))

/* struct nvmx_exit_counts.flags: zero the counts after reading them. */
#define NVMX_EXIT_COUNTS_RESET	_BITULL(0)

/**
 * struct nvmx_exit_counts - a vCPU's VM exits since creation or reset
 * @size: sizeof(struct nvmx_exit_counts), see above
 * @flags: in: NVMX_EXIT_COUNTS_RESET or 0
 * @nr_reasons: out: NVMX_EXIT_COUNT_REASONS
 * @__reserved: must be 0
 * @exits: [level][basic exit reason]
 * @cr: [level][NVMX_CR_SLOT(cr, type)]: exits with reason 28 (CR access)
 *      by CR number and access type, counted in @exits[level][28] too
 */
struct nvmx_exit_counts {
	__u32 size;
	__u32 flags;
	__u32 nr_reasons;
	__u32 __reserved;
	__u64 exits[NVMX_NR_LEVELS][NVMX_EXIT_COUNT_REASONS];
	__u64 cr[NVMX_NR_LEVELS][NVMX_CR_ACCESS_SLOTS];
};

#define NVMX_EXIT_COUNTS_SIZE_VER0 3472

/*
 * Each takes a pointer to its struct, which the kernel reads and writes
 * back; they return 0 or -1 with errno. GET_HOST_CAPS and GET_STATUS are
 * /dev/nvmx ioctls, GET_POLICY and SET_POLICY VM ioctls (SET_POLICY only
 * reads it), GET_EXIT_COUNTS a vCPU ioctl. The size in the ioctl number is
 * that of the struct this header has: the kernel takes the struct's size
 * from its @size field, and accepts the number of any version of it.
 */
#define NVMX_GET_HOST_CAPS	_IOWR(NVMX_TYPE, NVMX_CMD_GET_HOST_CAPS, \
				      struct nvmx_host_caps)
#define NVMX_GET_STATUS		_IOWR(NVMX_TYPE, NVMX_CMD_GET_STATUS, \
				      struct nvmx_status)
#define NVMX_GET_POLICY		_IOWR(NVMX_TYPE, NVMX_CMD_GET_POLICY, \
				      struct nvmx_policy)
#define NVMX_SET_POLICY		_IOWR(NVMX_TYPE, NVMX_CMD_SET_POLICY, \
				      struct nvmx_policy)
#define NVMX_GET_EXIT_COUNTS	_IOWR(NVMX_TYPE, NVMX_CMD_GET_EXIT_COUNTS, \
				      struct nvmx_exit_counts)

#endif /* _UAPI_LINUX_NVMX_H */
