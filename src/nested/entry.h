/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checks VMLAUNCH and VMRESUME make on a vmcs12 before L2 runs (SDM
 * vol. 3, "VM Entries": checks on the VMX controls and the host-state area,
 * on the guest-state area, and the rules for MSR-load/store areas). Each
 * check is a named row in a table, in the SDM's order, so a failure says
 * which rule it broke. Pure logic (see pure.h).
 */
#ifndef NVMX_NESTED_ENTRY_H
#define NVMX_NESTED_ENTRY_H

#include "pure.h"
#include "caps.h"
#include "nested/vmcs12.h"

/* A 32-bit control bit (pure.h has no BIT() in userspace). */
#define NVMX_VE_BIT(n)			(1U << (n))

/* VM-instruction error numbers and the entry-failure exit. */
#define NVMX_VE_ERR_CONTROLS		7U
#define NVMX_VE_ERR_HOST		8U
#define NVMX_VE_EXIT_INVALID_STATE	33U
#define NVMX_VE_EXIT_MSR_LOADING	34U
/* Exit qualifications of an entry that fails on guest state. */
#define NVMX_VE_QUAL_DEFAULT		0ULL
#define NVMX_VE_QUAL_PDPTE		2ULL
#define NVMX_VE_QUAL_LINK_PTR		4ULL

/* Pin-based VM-execution controls */
#define NVMX_VE_PIN_EXTINT		NVMX_VE_BIT(0)
#define NVMX_VE_PIN_NMI			NVMX_VE_BIT(3)
#define NVMX_VE_PIN_VNMI		NVMX_VE_BIT(5)
#define NVMX_VE_PIN_PREEMPT		NVMX_VE_BIT(6)
#define NVMX_VE_PIN_POSTED		NVMX_VE_BIT(7)

/* Primary processor-based VM-execution controls */
#define NVMX_VE_PROC_NMI_WINDOW		NVMX_VE_BIT(22)
#define NVMX_VE_PROC_TPR_SHADOW		NVMX_VE_BIT(21)
#define NVMX_VE_PROC_IO_BITMAPS		NVMX_VE_BIT(25)
#define NVMX_VE_PROC_MTF		NVMX_VE_BIT(27)
#define NVMX_VE_PROC_MSR_BITMAPS	NVMX_VE_BIT(28)
#define NVMX_VE_PROC_SECONDARY		NVMX_VE_BIT(31)

/* Secondary processor-based VM-execution controls */
#define NVMX_VE_PROC2_APIC_ACCESS	NVMX_VE_BIT(0)
#define NVMX_VE_PROC2_EPT		NVMX_VE_BIT(1)
#define NVMX_VE_PROC2_X2APIC		NVMX_VE_BIT(4)
#define NVMX_VE_PROC2_VPID		NVMX_VE_BIT(5)
#define NVMX_VE_PROC2_UNRESTRICTED	NVMX_VE_BIT(7)
#define NVMX_VE_PROC2_APIC_REG		NVMX_VE_BIT(8)
#define NVMX_VE_PROC2_VID		NVMX_VE_BIT(9)
#define NVMX_VE_PROC2_VMFUNC		NVMX_VE_BIT(13)
#define NVMX_VE_PROC2_SHADOW_VMCS	NVMX_VE_BIT(14)
#define NVMX_VE_PROC2_PML		NVMX_VE_BIT(17)
#define NVMX_VE_PROC2_EPT_VE		NVMX_VE_BIT(18)
#define NVMX_VE_PROC2_MBEC		NVMX_VE_BIT(22)

/* VM-exit controls */
#define NVMX_VE_EXIT_HOST_64		NVMX_VE_BIT(9)
#define NVMX_VE_EXIT_LOAD_PERF		NVMX_VE_BIT(12)
#define NVMX_VE_EXIT_ACK_INTR		NVMX_VE_BIT(15)
#define NVMX_VE_EXIT_LOAD_PAT		NVMX_VE_BIT(19)
#define NVMX_VE_EXIT_LOAD_EFER		NVMX_VE_BIT(21)
#define NVMX_VE_EXIT_SAVE_PREEMPT	NVMX_VE_BIT(22)

/* VM-entry controls */
#define NVMX_VE_ENTRY_LOAD_DEBUG	NVMX_VE_BIT(2)
#define NVMX_VE_ENTRY_IA32E		NVMX_VE_BIT(9)
#define NVMX_VE_ENTRY_SMM		NVMX_VE_BIT(10)
#define NVMX_VE_ENTRY_DUAL_MONITOR	NVMX_VE_BIT(11)
#define NVMX_VE_ENTRY_LOAD_PERF		NVMX_VE_BIT(13)
#define NVMX_VE_ENTRY_LOAD_PAT		NVMX_VE_BIT(14)
#define NVMX_VE_ENTRY_LOAD_EFER		NVMX_VE_BIT(15)
#define NVMX_VE_ENTRY_LOAD_BNDCFGS	NVMX_VE_BIT(16)

/* IA32_VMX_MISC */
#define NVMX_VE_MISC_ACT_HLT		BIT_ULL(6)
#define NVMX_VE_MISC_ACT_SHUTDOWN	BIT_ULL(7)
#define NVMX_VE_MISC_ACT_SIPI		BIT_ULL(8)
#define NVMX_VE_MISC_CR3_TARGETS_SHIFT	16
#define NVMX_VE_MISC_MSR_LIST_SHIFT	25
#define NVMX_VE_MISC_ZERO_LEN_INJ	BIT_ULL(30)

/* VM-entry interruption information */
#define NVMX_VE_INTR_VECTOR		0xffU
#define NVMX_VE_INTR_TYPE_SHIFT		8
#define NVMX_VE_INTR_TYPE		(7U << NVMX_VE_INTR_TYPE_SHIFT)
#define NVMX_VE_INTR_ERRCODE		NVMX_VE_BIT(11)
#define NVMX_VE_INTR_VALID		NVMX_VE_BIT(31)
enum nvmx_ve_intr_type {
	NVMX_VE_INTR_EXT = 0, NVMX_VE_INTR_RSVD = 1, NVMX_VE_INTR_NMI = 2,
	NVMX_VE_INTR_HW_EXC = 3, NVMX_VE_INTR_SOFT_INT = 4,
	NVMX_VE_INTR_PRIV_SOFT_EXC = 5, NVMX_VE_INTR_SOFT_EXC = 6,
	NVMX_VE_INTR_OTHER = 7
};

/* Guest interruptibility state and activity state */
#define NVMX_VE_BLOCK_STI		NVMX_VE_BIT(0)
#define NVMX_VE_BLOCK_MOVSS		NVMX_VE_BIT(1)
#define NVMX_VE_BLOCK_SMI		NVMX_VE_BIT(2)
#define NVMX_VE_BLOCK_NMI		NVMX_VE_BIT(3)
enum nvmx_ve_activity {
	NVMX_VE_ACT_ACTIVE = 0, NVMX_VE_ACT_HLT = 1,
	NVMX_VE_ACT_SHUTDOWN = 2, NVMX_VE_ACT_SIPI = 3
};

/* Segment access rights (VMCS format) */
#define NVMX_VE_AR_TYPE			0xfU
#define NVMX_VE_AR_S			NVMX_VE_BIT(4)
#define NVMX_VE_AR_DPL_SHIFT		5
#define NVMX_VE_AR_P			NVMX_VE_BIT(7)
#define NVMX_VE_AR_L			NVMX_VE_BIT(13)
#define NVMX_VE_AR_DB			NVMX_VE_BIT(14)
#define NVMX_VE_AR_G			NVMX_VE_BIT(15)
#define NVMX_VE_AR_UNUSABLE		NVMX_VE_BIT(16)

/* The VMCS link pointer value that means "none". */
#define NVMX_VE_LINK_NONE		(~0ULL)

/*
 * What the checks need besides vmcs12; the caller (the VMLAUNCH/VMRESUME
 * handler) fills it. VMLAUNCH vs VMRESUME launch state is the caller's check.
 */
struct nvmx_entry_env {
	const struct nvmx_vmx_caps *caps;	/* L1's IA32_VMX_* MSRs */
	u8 maxphyaddr;		/* L1's CPUID MAXPHYADDR */
	/*
	 * Linear-address width for the canonical checks: 57 if L1's CPUID
	 * has LA57, else 48 (any other value counts as 48).
	 */
	u8 va_bits;
	bool ia32e;		/* L1's EFER.LMA when it executed the instruction */
	bool launch;		/* VMLAUNCH (true) or VMRESUME; informational */
	/*
	 * Byte 0x80 of L1's virtual-APIC page (VTPR): the caller reads it
	 * before the controls checks when vmcs12 uses the TPR shadow and
	 * virtual_apic_page_addr is a page it can read, else leaves 0.
	 */
	u8 vtpr;
	/* CR4 bits L1's CPUID allows (host and guest CR4) */
	u64 cr4_allowed;
	/*
	 * Bits reserved for L1, from its CPUID (a set bit must be 0 in the
	 * field): IA32_EFER (not LMA: its rows check it), IA32_DEBUGCTL,
	 * IA32_PERF_GLOBAL_CTRL.
	 */
	u64 efer_rsvd;
	u64 debugctl_rsvd;
	u64 perf_global_ctrl_rsvd;
	/*
	 * When vmcs_link_pointer is not ~0: the first 4 bytes of the page it
	 * names (revision and shadow-VMCS indicator), and whether the caller
	 * could read them.
	 */
	bool link_readable;
	u32 link_header;
};

/* One check: true when vmcs12 passes it. */
struct nvmx_entry_row {
	const char *name;
	bool (*ok)(const struct nvmx_vmcs12 *v, const struct nvmx_entry_env *e,
		   unsigned int arg);
	unsigned int arg;	/* e.g. which segment register */
	u8 qual;		/* guest-state rows: exit qualification */
};

/* The tables, in the order the checks run (for tracing and the tests). */
extern const struct nvmx_entry_row nvmx_entry_ctl_rows[];
extern const unsigned int nvmx_entry_ctl_nr;
extern const struct nvmx_entry_row nvmx_entry_host_rows[];
extern const unsigned int nvmx_entry_host_nr;
extern const struct nvmx_entry_row nvmx_entry_guest_rows[];
extern const unsigned int nvmx_entry_guest_nr;

/*
 * Each returns 0 when every row passes, else the number the SDM gives
 * (VMfailValid 7 or 8; exit reason 33 with *qual) and *failed = the row's
 * name. Run controls, then host, then guest: later tables assume the
 * earlier ones passed.
 */
u32 nvmx_entry_check_controls(const struct nvmx_vmcs12 *v12,
			      const struct nvmx_entry_env *env,
			      const char **failed);
u32 nvmx_entry_check_host(const struct nvmx_vmcs12 *v12,
			  const struct nvmx_entry_env *env,
			  const char **failed);
u32 nvmx_entry_check_guest(const struct nvmx_vmcs12 *v12,
			   const struct nvmx_entry_env *env, u64 *qual,
			   const char **failed);

/*
 * PAE paging without EPT: the caller loads the four PDPTEs from guest CR3
 * when nvmx_entry_uses_pdptes() and checks them here (0 or 33, qual 2).
 */
bool nvmx_entry_uses_pdptes(const struct nvmx_vmcs12 *v12);
u32 nvmx_entry_check_pdptes(const u64 pdpte[4],
			    const struct nvmx_entry_env *env, u64 *qual,
			    const char **failed);

/*
 * One 16-byte entry of an MSR area: 0 when the SDM allows it, else 1 with
 * *failed = the rule. Whether WRMSR/RDMSR of the value would fault is the
 * caller's part (its MSR emulation decides). Entry MSR-load failures exit
 * with reason 34 and the entry's 1-based index as qualification; exit-area
 * failures are a VMX abort.
 */
u32 nvmx_entry_msr_load_check(u32 index, u32 reserved, const char **failed);
u32 nvmx_exit_msr_store_check(u32 index, u32 reserved, const char **failed);
u32 nvmx_exit_msr_load_check(u32 index, u32 reserved, const char **failed);

/*
 * The most entries an MSR area may have: 512 * (IA32_VMX_MISC[27:25] + 1).
 * The SDM leaves a longer list unpredictable; like kvm_intel, the caller
 * fails at entry number max + 1 while processing the area (reason 34 with
 * that qualification for the entry MSR-load area, a VMX abort for the exit
 * areas) rather than refusing the controls.
 */
u32 nvmx_entry_msr_area_max(const struct nvmx_vmx_caps *caps);

#endif /* NVMX_NESTED_ENTRY_H */
