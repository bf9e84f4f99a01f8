/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rows of the vCPU stats table; no include guard. The includer defines
 * NVMX_STAT() and NVMX_STAT_HIST() (see stats.h) and gets one expansion per
 * stat, in file order. Names KVM also has keep KVM's meaning, type and
 * unit, so tools written for KVM read them right; nvmx's own start with
 * nvmx_. Only what nvmx maintains is listed: a stat comes with the code
 * that writes it.
 */

/* KVM's generic halt stats: nvmx blocks a halted vCPU, it does not poll. */
NVMX_STAT(halt_wait_ns, CUMULATIVE, SECONDS, POW10, -9)	/* time blocked */
NVMX_STAT(blocking, INSTANT, BOOLEAN, POW10, 0)		/* blocked now */

/* KVM/x86's vCPU stats. */
NVMX_STAT(tlb_flush, CUMULATIVE, NONE, POW10, 0)	/* VPID flushes for the guest */
NVMX_STAT(exits, CUMULATIVE, NONE, POW10, 0)		/* hardware VM exits */
NVMX_STAT(io_exits, CUMULATIVE, NONE, POW10, 0)	/* I/O instruction exits */
NVMX_STAT(mmio_exits, CUMULATIVE, NONE, POW10, 0)	/* KVM_EXIT_MMIO to userspace */
NVMX_STAT(signal_exits, CUMULATIVE, NONE, POW10, 0)	/* KVM_RUN ended by a signal */
NVMX_STAT(halt_exits, CUMULATIVE, NONE, POW10, 0)	/* HLT exits */
NVMX_STAT(irq_exits, CUMULATIVE, NONE, POW10, 0)	/* external-interrupt exits */
NVMX_STAT(insn_emulation, CUMULATIVE, NONE, POW10, 0)	/* instructions emulated */
NVMX_STAT(insn_emulation_fail, CUMULATIVE, NONE, POW10, 0)
NVMX_STAT(nested_run, CUMULATIVE, NONE, POW10, 0)	/* nested VM entries (VMLAUNCH/VMRESUME) */
NVMX_STAT(guest_mode, INSTANT, BOOLEAN, POW10, 0)	/* L2 is the vCPU's guest */

/* KVM/x86's interrupt stats (irq.c). */
NVMX_STAT(irq_window_exits, CUMULATIVE, NONE, POW10, 0)	/* interrupt-window exits */
NVMX_STAT(nmi_window_exits, CUMULATIVE, NONE, POW10, 0)	/* NMI-window exits */
NVMX_STAT(irq_injections, CUMULATIVE, NONE, POW10, 0)	/* external interrupts injected */
NVMX_STAT(nmi_injections, CUMULATIVE, NONE, POW10, 0)	/* NMIs injected */
NVMX_STAT(request_irq_exits, CUMULATIVE, NONE, POW10, 0)	/* KVM_EXIT_IRQ_WINDOW_OPEN */

/* VMCS field writes the vmcs02 builder made for the last nested entry. */
NVMX_STAT(nvmx_vmcs02_writes, INSTANT, NONE, POW10, 0)

/*
 * VMCS shadowing for L1: syncs between the shadow VMCS and vmcs12 that
 * touched the shadow VMCS, and the fields they copied.
 */
NVMX_STAT(nvmx_shadow_syncs, CUMULATIVE, NONE, POW10, 0)
NVMX_STAT(nvmx_shadow_fields, CUMULATIVE, NONE, POW10, 0)

/*
 * nvmx's VM exits by basic exit reason (bucket i counts reason i, the last
 * bucket also everything above): from L1; from L2 and handled by L0 (for
 * itself or on L1's behalf); from L2 and reflected to L1.
 */
NVMX_STAT_HIST(nvmx_l1_exits, LINEAR_HIST, NONE, POW10, 0, NVMX_EXIT_REASONS, 1)
NVMX_STAT_HIST(nvmx_l2_exits_l0, LINEAR_HIST, NONE, POW10, 0, NVMX_EXIT_REASONS, 1)
NVMX_STAT_HIST(nvmx_l2_exits_reflected, LINEAR_HIST, NONE, POW10, 0, NVMX_EXIT_REASONS, 1)

/*
 * The CR-access exits (reason 28) of each level above, by CR and access
 * type: bucket NVMX_CR_SLOT(cr, type) = cr * 4 + type (0 MOV to CR, 1 MOV
 * from CR, 2 CLTS, 3 LMSW), as struct nvmx_exit_counts.cr.
 */
NVMX_STAT_HIST(nvmx_l1_cr_exits, LINEAR_HIST, NONE, POW10, 0, NVMX_CR_ACCESS_SLOTS, 1)
NVMX_STAT_HIST(nvmx_l2_cr_exits_l0, LINEAR_HIST, NONE, POW10, 0, NVMX_CR_ACCESS_SLOTS, 1)
NVMX_STAT_HIST(nvmx_l2_cr_exits_reflected, LINEAR_HIST, NONE, POW10, 0, NVMX_CR_ACCESS_SLOTS, 1)
