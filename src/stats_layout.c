// SPDX-License-Identifier: GPL-2.0
/*
 * The VM and vCPU stats schemas and the reader of a stats fd's file, which
 * serves any byte range of it. Pure logic: no Linux calls, so
 * selftests/unit builds this file as it is.
 */
#include "stats.h"

#define NVMX_STAT_ROW(owner, field, type, unit, base, exp, sz, bsz)	\
	{								\
		.name = #field,						\
		.flags = KVM_STATS_TYPE_##type | KVM_STATS_UNIT_##unit | \
			 KVM_STATS_BASE_##base,				\
		.exponent = (exp),					\
		.size = (sz),						\
		.offset = offsetof(struct owner, field),		\
		.bucket_size = (bsz),					\
	},
#define NVMX_STAT(field, type, unit, base, exp)				\
	NVMX_STAT_ROW(NVMX_STATS_OWNER, field, type, unit, base, exp, 1, 0)
#define NVMX_STAT_HIST(field, type, unit, base, exp, sz, bsz)		\
	NVMX_STAT_ROW(NVMX_STATS_OWNER, field, type, unit, base, exp, sz, bsz)

#define NVMX_STATS_OWNER nvmx_vm_stats
static const struct nvmx_stat nvmx_vm_stat_table[] = {
#include "vm_stats.h"
};

#undef NVMX_STATS_OWNER

#define NVMX_STATS_OWNER nvmx_vcpu_stats
static const struct nvmx_stat nvmx_vcpu_stat_table[] = {
#include "vcpu_stats.h"
};

#undef NVMX_STATS_OWNER

#undef NVMX_STAT
#undef NVMX_STAT_HIST
#undef NVMX_STAT_ROW

/* selftests/unit checks that the rows tile their struct, in order. */
const struct nvmx_stats_schema nvmx_vm_stats_schema = {
	.stats = nvmx_vm_stat_table,
	.num_stats = ARRAY_SIZE(nvmx_vm_stat_table),
	.name_size = NVMX_STATS_NAME_SIZE,
	.data_size = sizeof(struct nvmx_vm_stats),
};

const struct nvmx_stats_schema nvmx_vcpu_stats_schema = {
	.stats = nvmx_vcpu_stat_table,
	.num_stats = ARRAY_SIZE(nvmx_vcpu_stat_table),
	.name_size = NVMX_STATS_NAME_SIZE,
	.data_size = sizeof(struct nvmx_vcpu_stats),
};

/*
 * The blocks in KVM's order, each right after the previous: all offsets
 * stay multiples of 8 because the header, a descriptor and name_size are.
 */
u32 nvmx_stats_id_offset(const struct nvmx_stats_schema *s)
{
	return sizeof(struct kvm_stats_header);
}

u32 nvmx_stats_desc_offset(const struct nvmx_stats_schema *s)
{
	return nvmx_stats_id_offset(s) + s->name_size;
}

u32 nvmx_stats_desc_size(const struct nvmx_stats_schema *s)
{
	return NVMX_STATS_DESC_HEAD + s->name_size;
}

u32 nvmx_stats_data_offset(const struct nvmx_stats_schema *s)
{
	return nvmx_stats_desc_offset(s) + s->num_stats * nvmx_stats_desc_size(s);
}

u32 nvmx_stats_file_size(const struct nvmx_stats_schema *s)
{
	return nvmx_stats_data_offset(s) + s->data_size;
}

static size_t nvmx_stats_strnlen(const char *str, size_t max)
{
	size_t n = 0;

	while (n < max && str[n])
		n++;
	return n;
}

/*
 * An id must be non-empty and leave room for its NUL in name_size bytes;
 * it is nvmx's own string ("kvm-<pid>", "kvm-<pid>/vcpu-<id>": KVM's form,
 * which tools parse), so a bad one is an nvmx bug.
 */
int nvmx_stats_id_check(const struct nvmx_stats_schema *s, const char *id)
{
	if (!id || !id[0])
		return -EINVAL;
	if (nvmx_stats_strnlen(id, s->name_size) >= s->name_size)
		return -ENAMETOOLONG;
	return 0;
}

/* A read request: the file range [pos, end) goes to buf. */
struct nvmx_stats_req {
	u64 pos;
	u64 end;
	u8 *buf;
};

/* Copies what falls inside the request of @n bytes placed at file offset @at. */
static void nvmx_stats_put(const struct nvmx_stats_req *r, u64 at,
			   const void *src, u64 n)
{
	const u8 *p = src;
	u64 from = at > r->pos ? at : r->pos;
	u64 to = at + n < r->end ? at + n : r->end;

	for (; from < to; from++)
		r->buf[from - r->pos] = p[from - at];
}

/* The first of the @size-byte records from @base that ends after r->pos. */
static u64 nvmx_stats_first(const struct nvmx_stats_req *r, u64 base, u64 size)
{
	return r->pos > base ? (r->pos - base) / size : 0;
}

static void nvmx_stats_put_descs(const struct nvmx_stats_schema *s,
				 const struct nvmx_stats_req *r)
{
	u64 base = nvmx_stats_desc_offset(s);
	u64 dsize = nvmx_stats_desc_size(s);
	u64 i;

	for (i = nvmx_stats_first(r, base, dsize);
	     i < s->num_stats && base + i * dsize < r->end; i++) {
		const struct nvmx_stat *st = &s->stats[i];
		struct kvm_stats_desc d = {
			.flags = st->flags,
			.exponent = st->exponent,
			.size = st->size,
			.offset = st->offset,
			.bucket_size = st->bucket_size,
		};
		u64 at = base + i * dsize;

		nvmx_stats_put(r, at, &d, NVMX_STATS_DESC_HEAD);
		nvmx_stats_put(r, at + NVMX_STATS_DESC_HEAD, st->name,
			       nvmx_stats_strnlen(st->name, s->name_size - 1));
	}
}

/*
 * The counters a read of [pos, pos + len) touches: @count u64s of the data
 * block from index @first (none if the range misses the block). The caller
 * loads exactly those, each once (the kernel with READ_ONCE(): writers do
 * not lock), and hands them to nvmx_stats_read().
 */
void nvmx_stats_data_window(const struct nvmx_stats_schema *s, u64 pos,
			    size_t len, u32 *first, u32 *count)
{
	u64 base = nvmx_stats_data_offset(s);
	u64 size = nvmx_stats_file_size(s);
	u64 from = pos > base ? pos : base;
	u64 end;

	*first = 0;
	*count = 0;
	if (pos >= size)
		return;
	end = len < size - pos ? pos + len : size;
	if (from >= end)
		return;
	*first = (from - base) / sizeof(u64);
	*count = (end - base + sizeof(u64) - 1) / sizeof(u64) - *first;
}

static void nvmx_stats_put_data(const struct nvmx_stats_schema *s,
				const struct nvmx_stats_req *r, const u64 *snap)
{
	u64 base = nvmx_stats_data_offset(s);
	u32 first, count, i;

	nvmx_stats_data_window(s, r->pos, r->end - r->pos, &first, &count);
	for (i = 0; i < count; i++)
		nvmx_stats_put(r, base + ((u64)first + i) * sizeof(u64),
			       &snap[i], sizeof(u64));
}

/*
 * Fills @buf with the bytes of the stats file from @pos, at most @len:
 * header, id (NUL-padded), descriptors (names NUL-padded), then the
 * counters, taken from @snap: the window nvmx_stats_data_window() gives
 * for the same @pos and @len, as loaded. Returns how many bytes it filled:
 * 0 at or past the end of the file.
 */
size_t nvmx_stats_read(const struct nvmx_stats_schema *s, const char *id,
		       const u64 *snap, u64 pos, void *buf, size_t len)
{
	u64 size = nvmx_stats_file_size(s);
	struct kvm_stats_header h = {
		.flags = 0,
		.name_size = s->name_size,
		.num_desc = s->num_stats,
		.id_offset = nvmx_stats_id_offset(s),
		.desc_offset = nvmx_stats_desc_offset(s),
		.data_offset = nvmx_stats_data_offset(s),
	};
	struct nvmx_stats_req r;
	size_t i;

	if (pos >= size)
		return 0;
	if (len > size - pos)
		len = size - pos;
	r.pos = pos;
	r.end = pos + len;
	r.buf = buf;

	/* Padding is zeroes; the puts below fill in the rest. */
	for (i = 0; i < len; i++)
		r.buf[i] = 0;
	nvmx_stats_put(&r, 0, &h, sizeof(h));
	nvmx_stats_put(&r, h.id_offset, id,
		       nvmx_stats_strnlen(id, s->name_size - 1));
	nvmx_stats_put_descs(s, &r);
	nvmx_stats_put_data(s, &r, snap);
	return len;
}

/*
 * Where each level's histograms are in struct nvmx_vcpu_stats: [level][0]
 * by basic reason, [level][1] by CR slot, as byte offsets.
 */
static const u32 nvmx_level_hist[NVMX_NR_LEVELS][2] = {
	[NVMX_LEVEL_L1] = {
		offsetof(struct nvmx_vcpu_stats, nvmx_l1_exits),
		offsetof(struct nvmx_vcpu_stats, nvmx_l1_cr_exits),
	},
	[NVMX_LEVEL_L2_L0] = {
		offsetof(struct nvmx_vcpu_stats, nvmx_l2_exits_l0),
		offsetof(struct nvmx_vcpu_stats, nvmx_l2_cr_exits_l0),
	},
	[NVMX_LEVEL_L2_L1] = {
		offsetof(struct nvmx_vcpu_stats, nvmx_l2_exits_reflected),
		offsetof(struct nvmx_vcpu_stats, nvmx_l2_cr_exits_reflected),
	},
};

/* The histogram of one level, by basic reason or by CR slot; NULL if none. */
u64 *nvmx_stats_exit_hist(struct nvmx_vcpu_stats *st, u32 level, bool cr)
{
	if (level >= NVMX_NR_LEVELS)
		return NULL;
	return (u64 *)((u8 *)st + nvmx_level_hist[level][cr]);
}

/*
 * Counts one VM exit at @level (NVMX_LEVEL_*): by basic reason (the low 16
 * bits of @reason; the last bucket takes every reason above it) and, for a
 * CR access, by CR and access type from @qual.
 */
void nvmx_stats_count_exit(struct nvmx_vcpu_stats *st, u32 level, u32 reason,
			   u64 qual)
{
	u32 basic = reason & 0xffff;
	u64 *hist = nvmx_stats_exit_hist(st, level, false);

	if (!hist)
		return;
	nvmx_stats_linear_hist_add(hist, NVMX_EXIT_REASONS, 1, basic);
	if (basic == NVMX_EXIT_CR_ACCESS)
		nvmx_stats_exit_hist(st, level, true)[nvmx_stats_cr_slot(qual)]++;
}

/* The counts NVMX_GET_EXIT_COUNTS returns: the same u64s as the stats fd. */
void nvmx_stats_get_exit_counts(struct nvmx_vcpu_stats *st,
				struct nvmx_exit_counts *c)
{
	const u64 *exits, *cr;
	u32 level, i;

	c->nr_reasons = NVMX_EXIT_REASONS;
	for (level = 0; level < NVMX_NR_LEVELS; level++) {
		exits = nvmx_stats_exit_hist(st, level, false);
		cr = nvmx_stats_exit_hist(st, level, true);
		for (i = 0; i < NVMX_EXIT_REASONS; i++)
			c->exits[level][i] = exits[i];
		for (i = 0; i < NVMX_CR_ACCESS_SLOTS; i++)
			c->cr[level][i] = cr[i];
	}
}
