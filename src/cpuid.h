/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The CPUID model nvmx gives its guests: what KVM_GET_SUPPORTED_CPUID
 * reports, what KVM_SET_CPUID2 accepts and what a guest's CPUID returns.
 *
 * Pure logic (see pure.h). Besides pure.h this includes <linux/kvm.h> for
 * struct kvm_cpuid_entry2 and KVM_CPUID_FLAG_SIGNIFCANT_INDEX: the same uapi
 * header serves the kernel and userspace, so the unit tests still build
 * these files unchanged. The host's CPUID is read through a callback, so
 * nothing here executes CPUID itself; cpuid_host.c is the kernel side.
 */
#ifndef NVMX_CPUID_H
#define NVMX_CPUID_H

#include "pure.h"
#include <linux/kvm.h>

/* KVM_MAX_CPUID_ENTRIES on 6.1: the most KVM_SET_CPUID2 accepts. */
#define NVMX_CPUID_MAX_ENTRIES		256

/* The highest basic and extended leaves nvmx reports. */
#define NVMX_CPUID_MAX_BASIC		0x1fU
#define NVMX_CPUID_MAX_EXT		0x80000008U

/*
 * The hypervisor leaves are KVM's (Documentation/virt/kvm/x86/cpuid.rst):
 * 0x40000000 gives "KVMKVMKVM\0\0\0" and the highest leaf, 0x40000001
 * the paravirtual features in EAX (hints in EDX: none).
 */
#define NVMX_CPUID_SIGNATURE_LEAF	0x40000000U
#define NVMX_CPUID_KVM_FEATURES_LEAF	0x40000001U
#define NVMX_CPUID_KVM_SIG_EBX		0x4b4d564bU	/* "KVMK" */
#define NVMX_CPUID_KVM_SIG_ECX		0x564b4d56U	/* "VMKV" */
#define NVMX_CPUID_KVM_SIG_EDX		0x0000004dU	/* "M\0\0\0" */
/* Leaf 0x40000001 EAX: KVM_FEATURE_* bits nvmx implements. */
#define NVMX_KVM_FEATURE_CLOCKSOURCE	NVMX_CPUID_BIT(0)
#define NVMX_KVM_FEATURE_NOP_IO_DELAY	NVMX_CPUID_BIT(1)
#define NVMX_KVM_FEATURE_CLOCKSOURCE2	NVMX_CPUID_BIT(3)
#define NVMX_KVM_FEATURE_CLOCK_STABLE	NVMX_CPUID_BIT(24)
/*
 * kvmclock by both MSR pairs, and the stable-bit promise (the pvclock page
 * says when it holds); NOP_IO_DELAY is only a hint that port 0x80 delays
 * are not needed, which holds for any VMM.
 */
#define NVMX_KVM_FEATURES		(NVMX_KVM_FEATURE_CLOCKSOURCE | \
					 NVMX_KVM_FEATURE_NOP_IO_DELAY | \
					 NVMX_KVM_FEATURE_CLOCKSOURCE2 | \
					 NVMX_KVM_FEATURE_CLOCK_STABLE)

/* Indices into a u32 regs[4]. */
enum nvmx_cpuid_reg {
	NVMX_CPUID_EAX,
	NVMX_CPUID_EBX,
	NVMX_CPUID_ECX,
	NVMX_CPUID_EDX,
	NVMX_CPUID_NR_REGS
};

#define NVMX_CPUID_BIT(n)		(1U << (n))

/* Leaf 1 ECX */
#define NVMX_CPUID_1_ECX_SSE3		NVMX_CPUID_BIT(0)
#define NVMX_CPUID_1_ECX_PCLMULQDQ	NVMX_CPUID_BIT(1)
#define NVMX_CPUID_1_ECX_DTES64		NVMX_CPUID_BIT(2)
#define NVMX_CPUID_1_ECX_MONITOR	NVMX_CPUID_BIT(3)
#define NVMX_CPUID_1_ECX_DS_CPL		NVMX_CPUID_BIT(4)
#define NVMX_CPUID_1_ECX_VMX		NVMX_CPUID_BIT(5)
#define NVMX_CPUID_1_ECX_SMX		NVMX_CPUID_BIT(6)
#define NVMX_CPUID_1_ECX_EIST		NVMX_CPUID_BIT(7)
#define NVMX_CPUID_1_ECX_SSSE3		NVMX_CPUID_BIT(9)
#define NVMX_CPUID_1_ECX_FMA		NVMX_CPUID_BIT(12)
#define NVMX_CPUID_1_ECX_CX16		NVMX_CPUID_BIT(13)
#define NVMX_CPUID_1_ECX_PDCM		NVMX_CPUID_BIT(15)
#define NVMX_CPUID_1_ECX_PCID		NVMX_CPUID_BIT(17)
#define NVMX_CPUID_1_ECX_DCA		NVMX_CPUID_BIT(18)
#define NVMX_CPUID_1_ECX_SSE4_1		NVMX_CPUID_BIT(19)
#define NVMX_CPUID_1_ECX_SSE4_2		NVMX_CPUID_BIT(20)
#define NVMX_CPUID_1_ECX_X2APIC		NVMX_CPUID_BIT(21)
#define NVMX_CPUID_1_ECX_MOVBE		NVMX_CPUID_BIT(22)
#define NVMX_CPUID_1_ECX_POPCNT		NVMX_CPUID_BIT(23)
#define NVMX_CPUID_1_ECX_TSC_DEADLINE	NVMX_CPUID_BIT(24)
#define NVMX_CPUID_1_ECX_AES		NVMX_CPUID_BIT(25)
#define NVMX_CPUID_1_ECX_XSAVE		NVMX_CPUID_BIT(26)
#define NVMX_CPUID_1_ECX_OSXSAVE	NVMX_CPUID_BIT(27)
#define NVMX_CPUID_1_ECX_AVX		NVMX_CPUID_BIT(28)
#define NVMX_CPUID_1_ECX_F16C		NVMX_CPUID_BIT(29)
#define NVMX_CPUID_1_ECX_RDRAND		NVMX_CPUID_BIT(30)
#define NVMX_CPUID_1_ECX_HYPERVISOR	NVMX_CPUID_BIT(31)

/* Leaf 1 EDX */
#define NVMX_CPUID_1_EDX_FPU		NVMX_CPUID_BIT(0)
#define NVMX_CPUID_1_EDX_VME		NVMX_CPUID_BIT(1)
#define NVMX_CPUID_1_EDX_DE		NVMX_CPUID_BIT(2)
#define NVMX_CPUID_1_EDX_PSE		NVMX_CPUID_BIT(3)
#define NVMX_CPUID_1_EDX_TSC		NVMX_CPUID_BIT(4)
#define NVMX_CPUID_1_EDX_MSR		NVMX_CPUID_BIT(5)
#define NVMX_CPUID_1_EDX_PAE		NVMX_CPUID_BIT(6)
#define NVMX_CPUID_1_EDX_MCE		NVMX_CPUID_BIT(7)
#define NVMX_CPUID_1_EDX_CX8		NVMX_CPUID_BIT(8)
#define NVMX_CPUID_1_EDX_APIC		NVMX_CPUID_BIT(9)
#define NVMX_CPUID_1_EDX_SEP		NVMX_CPUID_BIT(11)
#define NVMX_CPUID_1_EDX_MTRR		NVMX_CPUID_BIT(12)
#define NVMX_CPUID_1_EDX_PGE		NVMX_CPUID_BIT(13)
#define NVMX_CPUID_1_EDX_MCA		NVMX_CPUID_BIT(14)
#define NVMX_CPUID_1_EDX_CMOV		NVMX_CPUID_BIT(15)
#define NVMX_CPUID_1_EDX_PAT		NVMX_CPUID_BIT(16)
#define NVMX_CPUID_1_EDX_PSE36		NVMX_CPUID_BIT(17)
#define NVMX_CPUID_1_EDX_PSN		NVMX_CPUID_BIT(18)
#define NVMX_CPUID_1_EDX_CLFSH		NVMX_CPUID_BIT(19)
#define NVMX_CPUID_1_EDX_DS		NVMX_CPUID_BIT(21)
#define NVMX_CPUID_1_EDX_ACPI		NVMX_CPUID_BIT(22)
#define NVMX_CPUID_1_EDX_MMX		NVMX_CPUID_BIT(23)
#define NVMX_CPUID_1_EDX_FXSR		NVMX_CPUID_BIT(24)
#define NVMX_CPUID_1_EDX_SSE		NVMX_CPUID_BIT(25)
#define NVMX_CPUID_1_EDX_SSE2		NVMX_CPUID_BIT(26)
#define NVMX_CPUID_1_EDX_SS		NVMX_CPUID_BIT(27)
#define NVMX_CPUID_1_EDX_HTT		NVMX_CPUID_BIT(28)
#define NVMX_CPUID_1_EDX_TM		NVMX_CPUID_BIT(29)
#define NVMX_CPUID_1_EDX_PBE		NVMX_CPUID_BIT(31)

/* Leaf 6 EAX */
#define NVMX_CPUID_6_EAX_ARAT		NVMX_CPUID_BIT(2)

/* Leaf 7 subleaf 0 EBX */
#define NVMX_CPUID_7_EBX_FSGSBASE	NVMX_CPUID_BIT(0)
#define NVMX_CPUID_7_EBX_TSC_ADJUST	NVMX_CPUID_BIT(1)
#define NVMX_CPUID_7_EBX_SGX		NVMX_CPUID_BIT(2)
#define NVMX_CPUID_7_EBX_BMI1		NVMX_CPUID_BIT(3)
#define NVMX_CPUID_7_EBX_HLE		NVMX_CPUID_BIT(4)
#define NVMX_CPUID_7_EBX_AVX2		NVMX_CPUID_BIT(5)
#define NVMX_CPUID_7_EBX_FDP_EXCPTN	NVMX_CPUID_BIT(6)
#define NVMX_CPUID_7_EBX_SMEP		NVMX_CPUID_BIT(7)
#define NVMX_CPUID_7_EBX_BMI2		NVMX_CPUID_BIT(8)
#define NVMX_CPUID_7_EBX_ERMS		NVMX_CPUID_BIT(9)
#define NVMX_CPUID_7_EBX_INVPCID	NVMX_CPUID_BIT(10)
#define NVMX_CPUID_7_EBX_RTM		NVMX_CPUID_BIT(11)
#define NVMX_CPUID_7_EBX_RDT_M		NVMX_CPUID_BIT(12)
#define NVMX_CPUID_7_EBX_ZERO_FCS_FDS	NVMX_CPUID_BIT(13)
#define NVMX_CPUID_7_EBX_MPX		NVMX_CPUID_BIT(14)
#define NVMX_CPUID_7_EBX_RDT_A		NVMX_CPUID_BIT(15)
#define NVMX_CPUID_7_EBX_AVX512F	NVMX_CPUID_BIT(16)
#define NVMX_CPUID_7_EBX_AVX512DQ	NVMX_CPUID_BIT(17)
#define NVMX_CPUID_7_EBX_RDSEED		NVMX_CPUID_BIT(18)
#define NVMX_CPUID_7_EBX_ADX		NVMX_CPUID_BIT(19)
#define NVMX_CPUID_7_EBX_SMAP		NVMX_CPUID_BIT(20)
#define NVMX_CPUID_7_EBX_AVX512IFMA	NVMX_CPUID_BIT(21)
#define NVMX_CPUID_7_EBX_CLFLUSHOPT	NVMX_CPUID_BIT(23)
#define NVMX_CPUID_7_EBX_CLWB		NVMX_CPUID_BIT(24)
#define NVMX_CPUID_7_EBX_PT		NVMX_CPUID_BIT(25)
#define NVMX_CPUID_7_EBX_AVX512PF	NVMX_CPUID_BIT(26)
#define NVMX_CPUID_7_EBX_AVX512ER	NVMX_CPUID_BIT(27)
#define NVMX_CPUID_7_EBX_AVX512CD	NVMX_CPUID_BIT(28)
#define NVMX_CPUID_7_EBX_SHA		NVMX_CPUID_BIT(29)
#define NVMX_CPUID_7_EBX_AVX512BW	NVMX_CPUID_BIT(30)
#define NVMX_CPUID_7_EBX_AVX512VL	NVMX_CPUID_BIT(31)

/* Leaf 7 subleaf 0 ECX */
#define NVMX_CPUID_7_ECX_PREFETCHWT1	NVMX_CPUID_BIT(0)
#define NVMX_CPUID_7_ECX_AVX512VBMI	NVMX_CPUID_BIT(1)
#define NVMX_CPUID_7_ECX_UMIP		NVMX_CPUID_BIT(2)
#define NVMX_CPUID_7_ECX_PKU		NVMX_CPUID_BIT(3)
#define NVMX_CPUID_7_ECX_OSPKE		NVMX_CPUID_BIT(4)
#define NVMX_CPUID_7_ECX_WAITPKG	NVMX_CPUID_BIT(5)
#define NVMX_CPUID_7_ECX_AVX512VBMI2	NVMX_CPUID_BIT(6)
#define NVMX_CPUID_7_ECX_CET_SS		NVMX_CPUID_BIT(7)
#define NVMX_CPUID_7_ECX_GFNI		NVMX_CPUID_BIT(8)
#define NVMX_CPUID_7_ECX_VAES		NVMX_CPUID_BIT(9)
#define NVMX_CPUID_7_ECX_VPCLMULQDQ	NVMX_CPUID_BIT(10)
#define NVMX_CPUID_7_ECX_AVX512VNNI	NVMX_CPUID_BIT(11)
#define NVMX_CPUID_7_ECX_AVX512BITALG	NVMX_CPUID_BIT(12)
#define NVMX_CPUID_7_ECX_AVX512VPOPCNT	NVMX_CPUID_BIT(14)
#define NVMX_CPUID_7_ECX_LA57		NVMX_CPUID_BIT(16)
#define NVMX_CPUID_7_ECX_RDPID		NVMX_CPUID_BIT(22)
#define NVMX_CPUID_7_ECX_CLDEMOTE	NVMX_CPUID_BIT(25)
#define NVMX_CPUID_7_ECX_MOVDIRI	NVMX_CPUID_BIT(27)
#define NVMX_CPUID_7_ECX_MOVDIR64B	NVMX_CPUID_BIT(28)
#define NVMX_CPUID_7_ECX_SGX_LC		NVMX_CPUID_BIT(30)

/* Leaf 7 subleaf 0 EDX */
#define NVMX_CPUID_7_EDX_AVX512_4VNNIW	NVMX_CPUID_BIT(2)
#define NVMX_CPUID_7_EDX_AVX512_4FMAPS	NVMX_CPUID_BIT(3)
#define NVMX_CPUID_7_EDX_FSRM		NVMX_CPUID_BIT(4)
#define NVMX_CPUID_7_EDX_AVX512_VP2INT	NVMX_CPUID_BIT(8)
#define NVMX_CPUID_7_EDX_MD_CLEAR	NVMX_CPUID_BIT(10)
#define NVMX_CPUID_7_EDX_SERIALIZE	NVMX_CPUID_BIT(14)
#define NVMX_CPUID_7_EDX_TSXLDTRK	NVMX_CPUID_BIT(16)
#define NVMX_CPUID_7_EDX_AVX512_FP16	NVMX_CPUID_BIT(23)
#define NVMX_CPUID_7_EDX_AMX_TILE	NVMX_CPUID_BIT(24)
#define NVMX_CPUID_7_EDX_SPEC_CTRL	NVMX_CPUID_BIT(26)
#define NVMX_CPUID_7_EDX_ARCH_CAP	NVMX_CPUID_BIT(29)

/* Leaf 7 subleaf 1 EAX */
#define NVMX_CPUID_7_1_EAX_AVX_VNNI	NVMX_CPUID_BIT(4)
#define NVMX_CPUID_7_1_EAX_AVX512_BF16	NVMX_CPUID_BIT(5)
#define NVMX_CPUID_7_1_EAX_FZRM		NVMX_CPUID_BIT(10)
#define NVMX_CPUID_7_1_EAX_FSRS		NVMX_CPUID_BIT(11)
#define NVMX_CPUID_7_1_EAX_FSRC		NVMX_CPUID_BIT(12)
#define NVMX_CPUID_7_1_EAX_HRESET	NVMX_CPUID_BIT(22)

/* Leaf 0xd subleaf 1 EAX */
#define NVMX_CPUID_D_1_EAX_XSAVEOPT	NVMX_CPUID_BIT(0)
#define NVMX_CPUID_D_1_EAX_XSAVEC	NVMX_CPUID_BIT(1)
#define NVMX_CPUID_D_1_EAX_XGETBV1	NVMX_CPUID_BIT(2)
#define NVMX_CPUID_D_1_EAX_XSAVES	NVMX_CPUID_BIT(3)
#define NVMX_CPUID_D_1_EAX_XFD		NVMX_CPUID_BIT(4)

/* Leaf 0x80000001 ECX and EDX */
#define NVMX_CPUID_81_ECX_LAHF_LM	NVMX_CPUID_BIT(0)
#define NVMX_CPUID_81_ECX_LZCNT		NVMX_CPUID_BIT(5)
#define NVMX_CPUID_81_ECX_PREFETCHW	NVMX_CPUID_BIT(8)
#define NVMX_CPUID_81_EDX_SYSCALL	NVMX_CPUID_BIT(11)
#define NVMX_CPUID_81_EDX_NX		NVMX_CPUID_BIT(20)
#define NVMX_CPUID_81_EDX_PDPE1GB	NVMX_CPUID_BIT(26)
#define NVMX_CPUID_81_EDX_RDTSCP	NVMX_CPUID_BIT(27)
#define NVMX_CPUID_81_EDX_LM		NVMX_CPUID_BIT(29)

/* Leaf 0x80000007 EDX */
#define NVMX_CPUID_87_EDX_INVARIANT_TSC	NVMX_CPUID_BIT(8)

/* Leaf 0x80000008 EBX */
#define NVMX_CPUID_88_EBX_WBNOINVD	NVMX_CPUID_BIT(9)

/* XCR0 components (leaf 0xd subleaf 0 EDX:EAX and subleaf N). */
#define NVMX_XFEATURE_X87		BIT_ULL(0)
#define NVMX_XFEATURE_SSE		BIT_ULL(1)
#define NVMX_XFEATURE_YMM		BIT_ULL(2)
#define NVMX_XFEATURE_BNDREGS		BIT_ULL(3)
#define NVMX_XFEATURE_BNDCSR		BIT_ULL(4)
#define NVMX_XFEATURE_OPMASK		BIT_ULL(5)
#define NVMX_XFEATURE_ZMM_HI256		BIT_ULL(6)
#define NVMX_XFEATURE_HI16_ZMM		BIT_ULL(7)
#define NVMX_XFEATURE_PKRU		BIT_ULL(9)
#define NVMX_XFEATURE_XTILE_CFG		BIT_ULL(17)
#define NVMX_XFEATURE_XTILE_DATA	BIT_ULL(18)
#define NVMX_XFEATURE_AVX512		(NVMX_XFEATURE_OPMASK | \
					 NVMX_XFEATURE_ZMM_HI256 | \
					 NVMX_XFEATURE_HI16_ZMM)
/*
 * The XCR0 bits nvmx can give a guest at most: user states the kernel's FPU
 * code switches for it. MPX (its VMCS BNDCFGS handling), PKRU (switching
 * PKRU around entry) and AMX (dynamic, XFD) need work nvmx has not done.
 */
#define NVMX_CPUID_XCR0_KNOWN		(NVMX_XFEATURE_X87 | NVMX_XFEATURE_SSE | \
					 NVMX_XFEATURE_YMM | NVMX_XFEATURE_AVX512)

/* The legacy XSAVE region plus the XSAVE header. */
#define NVMX_XSAVE_LEGACY_SIZE		576U

/* CR4 bits that CPUID reflects. */
#define NVMX_CPUID_CR4_OSXSAVE		BIT_ULL(18)
#define NVMX_CPUID_CR4_PKE		BIT_ULL(22)

/*
 * What nvmx may expose beyond its fixed table (cpuid.c). Each flag is
 * turned on by the code that makes the feature work; none is on today.
 */
struct nvmx_cpuid_policy {
	/* Leaf 1 ECX.VMX: nested VMX. */
	bool expose_vmx;
	/* Leaf 1 ECX.x2APIC: the in-kernel APIC emulates it (lapic.c). */
	bool expose_x2apic;
	/* RDTSCP and RDPID: secondary control "enable RDTSCP" (bit 3). */
	bool rdtscp;
	/* INVPCID: secondary control "enable INVPCID" (bit 12). */
	bool invpcid;
	/*
	 * XCR0 bits nvmx switches for guests; the host's XCR0 at most. Cut
	 * to NVMX_CPUID_XCR0_KNOWN and to a valid XCR0 (x87 and SSE, AVX
	 * under AVX-512); without x87 and SSE, XSAVE is hidden.
	 */
	u64 xcr0_supported;
};

/*
 * Reads the host's CPUID for @leaf/@subleaf into @regs (EAX, EBX, ECX,
 * EDX). The kernel side also drops what the host kernel disabled.
 */
typedef void (*nvmx_host_cpuid_t)(void *ctx, u32 leaf, u32 subleaf,
				  u32 regs[NVMX_CPUID_NR_REGS]);

/*
 * Fills @out (room for @max entries) with KVM_GET_SUPPORTED_CPUID's answer.
 * Returns 0 with *@nent the entries written, or -E2BIG with *@nent the
 * entries needed (KVM's ioctl does not report that count; see
 * cpuid_host.c). Entries past *@nent are untouched.
 */
int nvmx_cpuid_supported(struct kvm_cpuid_entry2 *out, u32 max, u32 *nent,
			 nvmx_host_cpuid_t host_cpuid, void *ctx,
			 const struct nvmx_cpuid_policy *pol);

/*
 * KVM_SET_CPUID2's checks of the entries, KVM's errnos: -E2BIG for more
 * than NVMX_CPUID_MAX_ENTRIES (checked before copying in, too), -EINVAL for
 * a linear-address width (leaf 0x80000008 EAX[15:8]) other than 0, 48 or
 * 57. As on KVM, flags and padding are not checked.
 */
int nvmx_cpuid_check(const struct kvm_cpuid_entry2 *e, u32 nent);

/*
 * Whether two tables are the same to KVM_SET_CPUID2 after the first
 * KVM_RUN (which then accepts only the table it has, else -EINVAL):
 * order, function, index, flags and registers; padding is ignored.
 */
bool nvmx_cpuid_equal(const struct kvm_cpuid_entry2 *a, u32 na,
		      const struct kvm_cpuid_entry2 *b, u32 nb);

/*
 * The entry a CPUID of @leaf/@subleaf matches: the first with that
 * function whose index is @subleaf or not significant. NULL if none.
 */
const struct kvm_cpuid_entry2 *nvmx_cpuid_find(const struct kvm_cpuid_entry2 *e,
					       u32 nent, u32 leaf, u32 subleaf);

/* The guest state CPUID output depends on. */
struct nvmx_cpuid_state {
	u64 cr4;		/* OSXSAVE, OSPKE */
	u64 xcr0;		/* leaf 0xd EBX sizes */
	u64 xss;		/* leaf 0xd subleaf 1 EBX */
	bool apic_enabled;	/* IA32_APIC_BASE[11]: leaf 1 EDX.APIC */
};

/*
 * What a guest's CPUID returns from the table set with KVM_SET_CPUID2,
 * Intel's way: a leaf above its range's maximum (or in a range the table
 * lacks) reads as the highest basic leaf, with the same subleaf. With
 * @st, the bits that follow guest state are filled in; NULL leaves the
 * table's values.
 */
void nvmx_cpuid_lookup(const struct kvm_cpuid_entry2 *e, u32 nent,
		       u32 leaf, u32 subleaf, const struct nvmx_cpuid_state *st,
		       u32 regs[NVMX_CPUID_NR_REGS]);

/*
 * Whether XSETBV may load @xcr0 into XCR0 for a guest allowed @allowed
 * (its CPUID 0xd.0 within what the host switches): the SDM's rules for
 * XCR0, checked before the value ever reaches the CPU. False is #GP.
 */
bool nvmx_xcr0_settable(u64 xcr0, u64 allowed);

#ifdef __KERNEL__
/* cpuid_host.c (kernel only): the KVM_GET_SUPPORTED_CPUID ioctl. */
int nvmx_get_supported_cpuid(struct kvm_cpuid2 __user *u);
void nvmx_cpuid_host_policy(struct nvmx_cpuid_policy *pol);
#endif

#endif /* NVMX_CPUID_H */
