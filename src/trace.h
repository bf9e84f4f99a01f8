/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx's tracepoints, system "nvmx". Field names follow kvm:kvm_exit
 * (exit_reason, guest_rip, info1, info2, vcpu_id) so that perf filters and
 * scripts written for KVM carry over; level says which guest exited.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM nvmx

#if !defined(NVMX_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define NVMX_TRACE_H

#include <linux/tracepoint.h>

#include "policy.h"

/*
 * nvmx_exit - a hardware VM exit, before nvmx handles it
 * @exit_reason: the full exit reason (basic reason in bits 15:0)
 * @guest_rip: the guest's RIP at the exit
 * @info1: the exit qualification
 * @info2: the VM-exit interruption information
 * @vcpu_id: the vCPU
 * @level: 1 for an exit from L1, 2 for an exit from L2
 */
TRACE_EVENT(nvmx_exit,
	    TP_PROTO(u32 exit_reason, u64 guest_rip, u64 info1, u32 info2,
		     u32 vcpu_id, u8 level),
	    TP_ARGS(exit_reason, guest_rip, info1, info2, vcpu_id, level),
	    TP_STRUCT__entry(__field(u32, exit_reason)
			     __field(u64, guest_rip)
			     __field(u64, info1)
			     __field(u32, info2)
			     __field(u32, vcpu_id)
			     __field(u8, level)),
	    TP_fast_assign(__entry->exit_reason = exit_reason;
			   __entry->guest_rip = guest_rip;
			   __entry->info1 = info1;
			   __entry->info2 = info2;
			   __entry->vcpu_id = vcpu_id;
			   __entry->level = level;),
	    TP_printk("vcpu %u L%u reason %u rip 0x%llx info1 0x%llx info2 0x%x",
		      __entry->vcpu_id, __entry->level, __entry->exit_reason,
		      __entry->guest_rip, __entry->info1, __entry->info2)
);

/*
 * nvmx_nested_vmenter - L1's VMLAUNCH/VMRESUME passed the control and
 * host-state checks
 * @vmptr: the current vmcs12's address in L1 memory
 * @guest_rip: L2's RIP from vmcs12
 * @launch: VMLAUNCH (1) or VMRESUME (0)
 */
TRACE_EVENT(nvmx_nested_vmenter,
	    TP_PROTO(u32 vcpu_id, u64 vmptr, u64 guest_rip, bool launch),
	    TP_ARGS(vcpu_id, vmptr, guest_rip, launch),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u64, vmptr)
			     __field(u64, guest_rip)
			     __field(bool, launch)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->vmptr = vmptr;
			   __entry->guest_rip = guest_rip;
			   __entry->launch = launch;),
	    TP_printk("vcpu %u vmcs12 0x%llx rip 0x%llx %s", __entry->vcpu_id,
		      __entry->vmptr, __entry->guest_rip,
		      __entry->launch ? "launch" : "resume")
);

/*
 * nvmx_nested_vmenter_failed - a nested VM entry failed a check
 * @error: the VM-instruction error (7, 8: VMfailValid) or the exit reason
 *	   of the VM-entry failure (33, 34)
 * @qual: the failure exit's qualification
 * @check: the name of the check that failed (entry.c's table)
 */
TRACE_EVENT(nvmx_nested_vmenter_failed,
	    TP_PROTO(u32 vcpu_id, u32 error, u64 qual, const char *check),
	    TP_ARGS(vcpu_id, error, qual, check),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u32, error)
			     __field(u64, qual)
			     __string(check, check ? check : "?")),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->error = error;
			   __entry->qual = qual;
			   nvmx_trace_assign_str(check, check ? check : "?");),
	    TP_printk("vcpu %u error %u qual 0x%llx check %s", __entry->vcpu_id,
		      __entry->error, __entry->qual, __get_str(check))
);

/*
 * nvmx_nested_vmexit - a hardware exit while L2 ran, and where it went
 * @disposition: 0 handled by L0 for itself, 1 reflected to L1, 2 handled
 *		 by L0 on L1's behalf (route.h)
 */
TRACE_EVENT(nvmx_nested_vmexit,
	    TP_PROTO(u32 vcpu_id, u32 exit_reason, u64 info1, u32 info2,
		     u8 disposition),
	    TP_ARGS(vcpu_id, exit_reason, info1, info2, disposition),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u32, exit_reason)
			     __field(u64, info1)
			     __field(u32, info2)
			     __field(u8, disposition)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->exit_reason = exit_reason;
			   __entry->info1 = info1;
			   __entry->info2 = info2;
			   __entry->disposition = disposition;),
	    TP_printk("vcpu %u reason %u info1 0x%llx info2 0x%x %s",
		      __entry->vcpu_id, __entry->exit_reason, __entry->info1,
		      __entry->info2,
		      __print_symbolic(__entry->disposition, { 0, "L0" },
				       { 1, "reflected" }, { 2, "L0 for L1" }))
);

/*
 * nvmx_nested_vmexit_inject - the VM exit L1 sees (reflected or made by
 * nvmx: a VM-entry failure, an intercepted exception)
 */
TRACE_EVENT(nvmx_nested_vmexit_inject,
	    TP_PROTO(u32 vcpu_id, u32 exit_reason, u64 info1, u32 info2,
		     u32 error_code),
	    TP_ARGS(vcpu_id, exit_reason, info1, info2, error_code),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u32, exit_reason)
			     __field(u64, info1)
			     __field(u32, info2)
			     __field(u32, error_code)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->exit_reason = exit_reason;
			   __entry->info1 = info1;
			   __entry->info2 = info2;
			   __entry->error_code = error_code;),
	    TP_printk("vcpu %u reason 0x%x info1 0x%llx info2 0x%x error 0x%x",
		      __entry->vcpu_id, __entry->exit_reason, __entry->info1,
		      __entry->info2, __entry->error_code)
);

/* nvmx_tpr's access and disposition values. */
#define NVMX_TRACE_TPR_READ		0
#define NVMX_TRACE_TPR_WRITE		1
#define NVMX_TRACE_TPR_BELOW		2
#define NVMX_TRACE_TPR_ABSORBED		0
#define NVMX_TRACE_TPR_REFLECTED	1

/*
 * nvmx_tpr - a CR8 access or TPR-below-threshold exit that reached L0
 * (accesses served by a TPR shadow cost no exit and are not seen)
 * @level: 1 for L1, 2 for L2
 * @access: read (MOV from CR8), write (MOV to CR8), below (reason 43)
 * @value: the CR8 value written, read, or VTPR[7:4] after the exit;
 *	   0 for a reflected read (L1 answers it)
 * @disposition: absorbed (L0 emulated it, or owns the threshold) or
 *	   reflected (a nested VM exit to L1)
 */
TRACE_EVENT(nvmx_tpr,
	    TP_PROTO(u8 level, u8 access, u64 value, u8 disposition),
	    TP_ARGS(level, access, value, disposition),
	    TP_STRUCT__entry(__field(u8, level)
			     __field(u8, access)
			     __field(u64, value)
			     __field(u8, disposition)),
	    TP_fast_assign(__entry->level = level;
			   __entry->access = access;
			   __entry->value = value;
			   __entry->disposition = disposition;),
	    TP_printk("L%u %s value 0x%llx %s", __entry->level,
		      __print_symbolic(__entry->access,
				       { NVMX_TRACE_TPR_READ, "read" },
				       { NVMX_TRACE_TPR_WRITE, "write" },
				       { NVMX_TRACE_TPR_BELOW, "below_threshold" }),
		      __entry->value,
		      __entry->disposition == NVMX_TRACE_TPR_REFLECTED ?
		      "reflected" : "absorbed")
);

/* nvmx_cr dispositions */
#define NVMX_CR_ABSORBED	0
#define NVMX_CR_REFLECTED	1
#define NVMX_CR_GP		2

/*
 * nvmx_cr - a CR-access exit and what became of it
 * @level: 1 for L1's access, 2 for L2's
 * @cr: the control register (0, 3, 4, 8)
 * @access: 0 MOV to CR, 1 MOV from CR, 2 CLTS, 3 LMSW
 * @value: the value written (MOV to, LMSW's source), or read (MOV from)
 * @disposition: NVMX_CR_ABSORBED (L0 emulated it), NVMX_CR_REFLECTED (an
 *		 exit to L1), NVMX_CR_GP (#GP injected)
 */
TRACE_EVENT(nvmx_cr,
	    TP_PROTO(u32 vcpu_id, u8 level, u8 cr, u8 access, u64 value,
		     u8 disposition),
	    TP_ARGS(vcpu_id, level, cr, access, value, disposition),
	    TP_STRUCT__entry(__field(u32, vcpu_id)
			     __field(u8, level)
			     __field(u8, cr)
			     __field(u8, access)
			     __field(u64, value)
			     __field(u8, disposition)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->level = level;
			   __entry->cr = cr;
			   __entry->access = access;
			   __entry->value = value;
			   __entry->disposition = disposition;),
	    TP_printk("vcpu %u L%u cr%u %s 0x%llx %s", __entry->vcpu_id,
		      __entry->level, __entry->cr,
		      __print_symbolic(__entry->access, { 0, "mov-to" },
				       { 1, "mov-from" }, { 2, "clts" },
				       { 3, "lmsw" }),
		      __entry->value,
		      __print_symbolic(__entry->disposition,
				       { NVMX_CR_ABSORBED, "absorbed" },
				       { NVMX_CR_REFLECTED, "reflected" },
				       { NVMX_CR_GP, "#GP" }))
);

/*
 * nvmx_policy - a policy table set on a VM (@vcpu_id -1), or applied by
 * a vCPU before its next entry
 * @gen: the table's generation (1 for the default of a new VM)
 * @cr0_mask, @cr0_forced, @cr0_value: CR0's derived masks (policy.h)
 * @cr4_mask, @cr4_forced, @cr4_value: CR4's (the vCPU's CPUID bits aside)
 * @cr3: CR3 intercepted; @tpr: TPR intercepted
 */
TRACE_EVENT(nvmx_policy,
	    TP_PROTO(s32 vcpu_id, u64 gen, const struct nvmx_policy_masks *m),
	    TP_ARGS(vcpu_id, gen, m),
	    TP_STRUCT__entry(__field(s32, vcpu_id)
			     __field(u64, gen)
			     __field(u64, cr0_mask)
			     __field(u64, cr0_forced)
			     __field(u64, cr0_value)
			     __field(u64, cr4_mask)
			     __field(u64, cr4_forced)
			     __field(u64, cr4_value)
			     __field(bool, cr3)
			     __field(bool, tpr)),
	    TP_fast_assign(__entry->vcpu_id = vcpu_id;
			   __entry->gen = gen;
			   __entry->cr0_mask = m->cr0.mask;
			   __entry->cr0_forced = m->cr0.forced;
			   __entry->cr0_value = m->cr0.value;
			   __entry->cr4_mask = m->cr4.mask;
			   __entry->cr4_forced = m->cr4.forced;
			   __entry->cr4_value = m->cr4.value;
			   __entry->cr3 = m->cr3_intercept;
			   __entry->tpr = m->tpr_intercept;),
	    TP_printk("vcpu %d gen %llu cr0 mask 0x%llx forced 0x%llx value 0x%llx cr4 mask 0x%llx forced 0x%llx value 0x%llx cr3 %s tpr %s",
		      __entry->vcpu_id, __entry->gen, __entry->cr0_mask,
		      __entry->cr0_forced, __entry->cr0_value,
		      __entry->cr4_mask, __entry->cr4_forced,
		      __entry->cr4_value,
		      __entry->cr3 ? "intercept" : "through",
		      __entry->tpr ? "intercept" : "shadowing")
);

#endif /* NVMX_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
