/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Routing of a VM exit that arrives while L2 runs: L0 keeps it, L1 gets it
 * (a nested VM exit), or L0 handles it on L1's behalf. One table row per
 * basic exit reason (route.c), each with a name for tracing:
 *
 *   1. "L0 wants it": host events and L0's own resources (host interrupt,
 *      NMI, machine check, EPT, preemption timer, the #PF L0 intercepts
 *      for itself...): NVMX_ROUTE_L0, whatever vmcs12 says.
 *   2. "L1 wants it", from vmcs12 alone (and L1's bitmaps, read through
 *      ops->read_l1): NVMX_ROUTE_L1.
 *   3. Otherwise the exit happened only because of L0's controls in vmcs02
 *      (or a forced one: CR8 exiting of the TPR row's INTERCEPT,
 *      unconditional I/O):
 *      NVMX_ROUTE_L0_FOR_L1, L0 does what L1's CPU would have done without
 *      the exit (an exception goes back into L2, a port access to L1's
 *      devices, a CR write with nvmx_merge_cr0_l2_write()...), then
 *      resumes L2.
 *
 * Pure logic (see pure.h).
 */
#ifndef NVMX_NESTED_ROUTE_H
#define NVMX_NESTED_ROUTE_H

#include "nested/merge.h"

enum nvmx_route {
	NVMX_ROUTE_L0,		/* L0's own: handle, resume L2 */
	NVMX_ROUTE_L1,		/* reflect: nested VM exit to L1 */
	NVMX_ROUTE_L0_FOR_L1,	/* L0 emulates as L1's CPU would, resumes L2 */
};

/* Basic exit reasons (SDM appendix C) the routing tests by name. */
#define NVMX_RT_EXCEPTION_NMI		0
#define NVMX_RT_EXTINT			1
#define NVMX_RT_TRIPLE_FAULT		2
#define NVMX_RT_INTR_WINDOW		7
#define NVMX_RT_NMI_WINDOW		8
#define NVMX_RT_CPUID			10
#define NVMX_RT_HLT			12
#define NVMX_RT_CR_ACCESS		28
#define NVMX_RT_IO			30
#define NVMX_RT_MSR_READ		31
#define NVMX_RT_MSR_WRITE		32
#define NVMX_RT_MCE_DURING_ENTRY	41
#define NVMX_RT_EPT_VIOLATION		48
#define NVMX_RT_PREEMPTION_TIMER	52
#define NVMX_RT_INVPCID			58
#define NVMX_RT_ENCLS			60
#define NVMX_RT_NOTIFY			75
#define NVMX_RT_NR_REASONS		76

/* VM-exit interruption information */
#define NVMX_RT_INTR_VECTOR		0xffU
#define NVMX_RT_INTR_TYPE_SHIFT		8
#define NVMX_RT_INTR_TYPE		(7U << NVMX_RT_INTR_TYPE_SHIFT)
#define NVMX_RT_INTR_TYPE_NMI		(2U << NVMX_RT_INTR_TYPE_SHIFT)
#define NVMX_RT_INTR_TYPE_HW_EXC	(3U << NVMX_RT_INTR_TYPE_SHIFT)
#define NVMX_RT_INTR_ERROR_VALID	BIT(11)
#define NVMX_RT_INTR_VALID		BIT(31)
#define NVMX_RT_MC_VECTOR		18

/* Exit qualification of control-register accesses */
#define NVMX_RT_CR_NUM(q)		((unsigned int)(q) & 0xf)
#define NVMX_RT_CR_TYPE(q)		(((unsigned int)(q) >> 4) & 3)
#define NVMX_RT_CR_MOV_TO		0
#define NVMX_RT_CR_MOV_FROM		1
#define NVMX_RT_CR_CLTS			2
#define NVMX_RT_CR_LMSW			3
#define NVMX_RT_CR_GPR(q)		(((unsigned int)(q) >> 8) & 0xf)
#define NVMX_RT_CR_LMSW_DATA(q)		(((unsigned int)(q) >> 16) & 0xffff)

/* Exit qualification of I/O instructions */
#define NVMX_RT_IO_SIZE(q)		(((unsigned int)(q) & 7) + 1)
#define NVMX_RT_IO_PORT(q)		(((unsigned int)(q) >> 16) & 0xffff)

/*
 * What the caller read from vmcs02 (and the vCPU) for this exit. Fields an
 * exit does not define may hold anything.
 */
struct nvmx_exit {
	u32 reason;		/* VM_EXIT_REASON; the basic reason is 15:0 */
	u64 qual;		/* EXIT_QUALIFICATION */
	u32 intr_info;		/* VM_EXIT_INTR_INFO */
	u32 intr_error;		/* VM_EXIT_INTR_ERROR_CODE */
	u32 idt_info;		/* IDT_VECTORING_INFO_FIELD */
	u32 idt_error;		/* IDT_VECTORING_ERROR_CODE */
	u32 insn_len;		/* VM_EXIT_INSTRUCTION_LEN */
	u32 insn_info;		/* VMX_INSTRUCTION_INFO */
	/*
	 * Register values the routing needs, read by the caller for these
	 * exits only (others ignore them):
	 *   cr_value    MOV to CR: the source register (qualification bits
	 *               11:8), as the instruction reads it (its low 32 bits
	 *               outside 64-bit mode)
	 *   msr         RDMSR/WRMSR: ECX
	 *   encls_leaf  ENCLS: EAX
	 */
	u64 cr_value;
	u32 msr;
	u32 encls_leaf;
};

struct nvmx_route_ops {
	/*
	 * Reads len bytes of L1 guest-physical memory at gpa (L1's I/O and
	 * MSR bitmaps); 0 or a negative errno. A failed read counts as "L1
	 * intercepts", as a bit that reads 1.
	 */
	int (*read_l1)(void *opaque, u64 gpa, void *buf, unsigned int len);
	void *opaque;
	/*
	 * The exceptions L0 takes for itself whatever L1 asks: one bit per
	 * vector, #PF (bit 14) with the error-code mask and match as in an
	 * exception bitmap. #MC and NMIs are L0's without a bit. nvmx today:
	 * all zero (EPT: no #PF of its own; no guest debugging).
	 */
	struct nvmx_merge_xcpt l0_xcpt;
};

/* Route an exit from L2 (steps 1 to 3 above). */
enum nvmx_route nvmx_route_exit(const struct nvmx_vmcs12 *v12,
				const struct nvmx_exit *e,
				const struct nvmx_route_ops *ops);
/* The same, naming the table row (and step) that decided, for tracing. */
enum nvmx_route nvmx_route_exit_why(const struct nvmx_vmcs12 *v12,
				    const struct nvmx_exit *e,
				    const struct nvmx_route_ops *ops,
				    const char **why);

/*
 * Step 2 alone: does vmcs12 ask for this exit? For events L0 synthesizes
 * while L2 runs (an interrupt or NMI for L1, an exception L0 queued for
 * L2) as well as hardware exits. *why may be NULL.
 */
bool nvmx_route_l1_wants(const struct nvmx_vmcs12 *v12,
			 const struct nvmx_exit *e,
			 const struct nvmx_route_ops *ops, const char **why);
/* An exception (hardware or software, not NMI) L2 would take. */
bool nvmx_route_exception_wanted(const struct nvmx_vmcs12 *v12,
				 unsigned int vector, u32 error_code);

/* "l0", "l1", "l0_for_l1": for tracing with the row name. */
const char *nvmx_route_name(enum nvmx_route route);

/* The row name of a basic exit reason ("unknown" outside the table). */
const char *nvmx_route_reason_name(u32 reason);

#endif /* NVMX_NESTED_ROUTE_H */
