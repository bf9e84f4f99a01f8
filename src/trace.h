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

#endif /* NVMX_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
