/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Binary statistics (KVM_GET_STATS_FD): the VM and vCPU counters, their
 * schemas, and the layout of the file a stats fd reads, which is KVM's:
 *
 *	header (struct kvm_stats_header)
 *	id string, name_size bytes, NUL-padded
 *	descriptors: struct kvm_stats_desc + name (name_size bytes), each
 *	data: the owner's counters, one u64 after another
 *
 * Pure logic (see pure.h). <linux/kvm.h> is included for the ABI's own
 * structs and constants: it is the uapi header, the same file in the
 * kernel and in userspace, and defines nothing but types and numbers.
 */
#ifndef NVMX_STATS_H
#define NVMX_STATS_H

#include "pure.h"
#include <linux/kvm.h>
#include <uapi/linux/nvmx.h>

/*
 * The size of the id string and of every descriptor's name, NUL included;
 * the value KVM uses, a multiple of 8 so that every block stays aligned.
 */
#define NVMX_STATS_NAME_SIZE	48

/*
 * The fixed part of a descriptor, which the name follows: 16 bytes. Not
 * sizeof(struct kvm_stats_desc), which counts a name[KVM_STATS_NAME_SIZE]
 * where the kernel's own build of the header declares one.
 */
#define NVMX_STATS_DESC_HEAD	offsetof(struct kvm_stats_desc, name)

/*
 * VMX basic exit reasons 0..79: the buckets of the per-reason histograms,
 * as many as struct nvmx_exit_counts has, so that the stats fd and
 * NVMX_GET_EXIT_COUNTS show the same numbers.
 */
#define NVMX_EXIT_REASONS	NVMX_EXIT_COUNT_REASONS

/* The basic exit reason whose qualification names a CR and an access. */
#define NVMX_EXIT_CR_ACCESS	28

/*
 * The counters, one u64 (or an array of them, for a histogram) per row of
 * vm_stats.h and vcpu_stats.h, in the same order: every row names its field
 * (offsetof), and selftests/unit checks that the rows tile the struct.
 * Writers update them in place, without locks; a stats fd reads each u64
 * once, whole (READ_ONCE()).
 */
struct nvmx_vm_stats {
	u64 nvmx_vcpus;
	u64 remote_tlb_flush;
};

struct nvmx_vcpu_stats {
	u64 halt_wait_ns;
	u64 blocking;
	u64 tlb_flush;
	u64 exits;
	u64 io_exits;
	u64 mmio_exits;
	u64 signal_exits;
	u64 halt_exits;
	u64 irq_exits;
	u64 insn_emulation;
	u64 insn_emulation_fail;
	u64 nested_run;
	u64 guest_mode;
	u64 irq_window_exits;
	u64 nmi_window_exits;
	u64 irq_injections;
	u64 nmi_injections;
	u64 request_irq_exits;
	u64 nvmx_vmcs02_writes;
	u64 nvmx_shadow_syncs;
	u64 nvmx_shadow_fields;
	u64 nvmx_l1_exits[NVMX_EXIT_REASONS];
	u64 nvmx_l2_exits_l0[NVMX_EXIT_REASONS];
	u64 nvmx_l2_exits_reflected[NVMX_EXIT_REASONS];
	u64 nvmx_l1_cr_exits[NVMX_CR_ACCESS_SLOTS];
	u64 nvmx_l2_cr_exits_l0[NVMX_CR_ACCESS_SLOTS];
	u64 nvmx_l2_cr_exits_reflected[NVMX_CR_ACCESS_SLOTS];
};

/* One stat: what its descriptor says. @offset is in bytes into the data. */
struct nvmx_stat {
	const char *name;
	u32 flags;
	__s16 exponent;
	u16 size;
	u32 offset;
	u32 bucket_size;
};

/* A table of stats and the data block they describe (@data_size bytes). */
struct nvmx_stats_schema {
	const struct nvmx_stat *stats;
	u32 num_stats;
	u32 name_size;
	u32 data_size;
};

extern const struct nvmx_stats_schema nvmx_vm_stats_schema;
extern const struct nvmx_stats_schema nvmx_vcpu_stats_schema;

/* Where each block starts in the file, and how long the file is. */
u32 nvmx_stats_id_offset(const struct nvmx_stats_schema *s);
u32 nvmx_stats_desc_offset(const struct nvmx_stats_schema *s);
u32 nvmx_stats_desc_size(const struct nvmx_stats_schema *s);
u32 nvmx_stats_data_offset(const struct nvmx_stats_schema *s);
u32 nvmx_stats_file_size(const struct nvmx_stats_schema *s);

int nvmx_stats_id_check(const struct nvmx_stats_schema *s, const char *id);
void nvmx_stats_data_window(const struct nvmx_stats_schema *s, u64 pos,
			    size_t len, u32 *first, u32 *count);
size_t nvmx_stats_read(const struct nvmx_stats_schema *s, const char *id,
		       const u64 *snap, u64 pos, void *buf, size_t len);

/* stats.c, in the kernel only: see there. */
int nvmx_stats_fd_create(const struct nvmx_stats_schema *schema,
			 const char *id, const u64 *data,
			 void (*put)(void *owner), void *owner);

/*
 * Counts @value in a linear histogram of @size buckets of @bucket_size
 * each; as the ABI defines it, the last bucket also takes everything above.
 */
static inline void nvmx_stats_linear_hist_add(u64 *hist, u32 size,
					      u32 bucket_size, u64 value)
{
	u64 i = value / bucket_size;

	hist[i < size ? i : size - 1]++;
}

/*
 * The CR-access slot of an exit qualification of reason 28: CR number in
 * bits 3:0, access type in bits 5:4 (NVMX_CR_SLOT()).
 */
static inline u32 nvmx_stats_cr_slot(u64 qual)
{
	return NVMX_CR_SLOT((u32)qual & 15, ((u32)qual >> 4) & 3);
}

u64 *nvmx_stats_exit_hist(struct nvmx_vcpu_stats *st, u32 level, bool cr);
void nvmx_stats_count_exit(struct nvmx_vcpu_stats *st, u32 level, u32 reason,
			   u64 qual);
void nvmx_stats_get_exit_counts(struct nvmx_vcpu_stats *st,
				struct nvmx_exit_counts *c);

#endif /* NVMX_STATS_H */
