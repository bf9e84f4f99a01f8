// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/stats_layout.c, the binary stats schemas and the
 * reader of a stats fd's file, built for userspace with ASan and UBSan.
 * The expected file is built here independently, from <linux/kvm.h>'s
 * structs and KVM's layout, and compared byte for byte.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kselftest_harness.h"
#include "stats.h"

#define FLAGS(type, unit, base) \
	(KVM_STATS_TYPE_##type | KVM_STATS_UNIT_##unit | KVM_STATS_BASE_##base)

/* A name using every byte of name_size but the NUL. */
#define LONG_NAME "a_log_histogram_whose_name_fills_all_47_bytes__"

/* A schema with every type, unit and base, for the reader. */
struct test_stats {
	u64 count;
	u64 level;
	u64 peak;
	u64 lin[5];
	u64 log[4];
};

static const struct nvmx_stat test_table[] = {
	{ "count", FLAGS(CUMULATIVE, NONE, POW10), 0, 1,
	  offsetof(struct test_stats, count), 0 },
	{ "level", FLAGS(INSTANT, BYTES, POW2), 20, 1,
	  offsetof(struct test_stats, level), 0 },
	{ "peak", FLAGS(PEAK, CYCLES, POW10), 3, 1,
	  offsetof(struct test_stats, peak), 0 },
	{ "lin", FLAGS(LINEAR_HIST, SECONDS, POW10), -9, 5,
	  offsetof(struct test_stats, lin), 100 },
	{ LONG_NAME, FLAGS(LOG_HIST, NONE, POW10), 0, 4,
	  offsetof(struct test_stats, log), 0 },
};

static const struct nvmx_stats_schema test_schema = {
	.stats = test_table,
	.num_stats = ARRAY_SIZE(test_table),
	.name_size = NVMX_STATS_NAME_SIZE,
	.data_size = sizeof(struct test_stats),
};

/* What KVM's layout puts where: header, id, descriptors, data. */
#define HDR_SIZE	24
#define DESC_SIZE	(16 + NVMX_STATS_NAME_SIZE)

static u32 expect_data_offset(const struct nvmx_stats_schema *s)
{
	return HDR_SIZE + NVMX_STATS_NAME_SIZE + s->num_stats * DESC_SIZE;
}

/* The whole file, built from the uapi structs; returns its size. */
static size_t build_image(const struct nvmx_stats_schema *s, const char *id,
			  const void *data, u8 *img, size_t room)
{
	size_t size = expect_data_offset(s) + s->data_size;
	struct kvm_stats_header h;
	u32 i;

	if (size > room)
		abort();
	memset(img, 0, size);
	h.flags = 0;
	h.name_size = NVMX_STATS_NAME_SIZE;
	h.num_desc = s->num_stats;
	h.id_offset = HDR_SIZE;
	h.desc_offset = HDR_SIZE + NVMX_STATS_NAME_SIZE;
	h.data_offset = expect_data_offset(s);
	memcpy(img, &h, sizeof(h));
	memcpy(img + HDR_SIZE, id, strlen(id));
	for (i = 0; i < s->num_stats; i++) {
		u8 *p = img + h.desc_offset + i * DESC_SIZE;
		struct kvm_stats_desc d = {
			.flags = s->stats[i].flags,
			.exponent = s->stats[i].exponent,
			.size = s->stats[i].size,
			.offset = s->stats[i].offset,
			.bucket_size = s->stats[i].bucket_size,
		};

		memcpy(p, &d, sizeof(d));
		memcpy(p + sizeof(d), s->stats[i].name, strlen(s->stats[i].name));
	}
	memcpy(img + h.data_offset, data, s->data_size);
	return size;
}

/* Distinct, non-zero bytes everywhere, so that misplaced bytes show. */
static void fill_pattern(void *p, size_t n)
{
	u64 *data = p;
	size_t i;

	for (i = 0; i < n; i++)
		data[i] = 0x8070605040302010ULL + i * 0x0101010101010101ULL;
}

/*
 * Reads as the kernel does: load just the window of counters the reader
 * asks for, into a buffer of exactly that size (so ASan sees any access
 * outside it), then read.
 */
static size_t rd(const struct nvmx_stats_schema *s, const char *id,
		 const void *data, u64 pos, void *buf, size_t len)
{
	u32 first, count;
	u64 *snap;
	size_t n;

	nvmx_stats_data_window(s, pos, len, &first, &count);
	if ((u64)first + count > s->data_size / sizeof(u64))
		abort();
	snap = malloc(count * sizeof(u64) + 1);
	if (!snap)
		abort();
	memcpy(snap, (const u64 *)data + first, count * sizeof(u64));
	n = nvmx_stats_read(s, id, snap, pos, buf, len);
	free(snap);
	return n;
}

static const struct nvmx_stats_schema *schemas[] = {
	&nvmx_vm_stats_schema, &nvmx_vcpu_stats_schema, &test_schema,
};

TEST(layout_is_kvms)
{
	size_t i;

	EXPECT_EQ(NVMX_STATS_NAME_SIZE, sizeof(LONG_NAME));
	EXPECT_EQ(HDR_SIZE, sizeof(struct kvm_stats_header));
	EXPECT_EQ(16, sizeof(struct kvm_stats_desc));
	for (i = 0; i < ARRAY_SIZE(schemas); i++) {
		const struct nvmx_stats_schema *s = schemas[i];

		EXPECT_EQ(NVMX_STATS_NAME_SIZE, s->name_size);
		EXPECT_EQ(HDR_SIZE, nvmx_stats_id_offset(s));
		EXPECT_EQ(HDR_SIZE + 48, nvmx_stats_desc_offset(s));
		EXPECT_EQ(64, nvmx_stats_desc_size(s));
		EXPECT_EQ(expect_data_offset(s), nvmx_stats_data_offset(s));
		EXPECT_EQ(expect_data_offset(s) + s->data_size,
			  nvmx_stats_file_size(s));
		/* Every block starts on a multiple of 8. */
		EXPECT_EQ(0, nvmx_stats_id_offset(s) % 8);
		EXPECT_EQ(0, nvmx_stats_desc_offset(s) % 8);
		EXPECT_EQ(0, nvmx_stats_desc_size(s) % 8);
		EXPECT_EQ(0, nvmx_stats_data_offset(s) % 8);
	}
	EXPECT_EQ(sizeof(struct nvmx_vm_stats), nvmx_vm_stats_schema.data_size);
	EXPECT_EQ(sizeof(struct nvmx_vcpu_stats),
		  nvmx_vcpu_stats_schema.data_size);
	/*
	 * 21 counters, three 80-bucket histograms by exit reason (as many as
	 * struct nvmx_exit_counts has) and three 64-bucket ones by CR slot.
	 */
	EXPECT_EQ(80, NVMX_EXIT_REASONS);
	EXPECT_EQ(NVMX_EXIT_COUNT_REASONS, NVMX_EXIT_REASONS);
	EXPECT_EQ(27, nvmx_vcpu_stats_schema.num_stats);
	EXPECT_EQ((21 + 3 * 80 + 3 * 64) * 8,
		  nvmx_vcpu_stats_schema.data_size);
	EXPECT_EQ(72 + 27 * 64 + (21 + 3 * 80 + 3 * 64) * 8,
		  nvmx_stats_file_size(&nvmx_vcpu_stats_schema));
	EXPECT_EQ(2, nvmx_vm_stats_schema.num_stats);
	EXPECT_EQ(72 + 2 * 64 + 16, nvmx_stats_file_size(&nvmx_vm_stats_schema));
}

/*
 * What tools (and KVM's kvm_binary_stats_test) rely on: names fit and are
 * unique; type, unit and base known; exponents sensible for the unit;
 * scalars have size 1; only linear histograms have a bucket size; and the
 * stats tile the data block in order, which also proves that the X-macro
 * structs and tables agree.
 */
static void check_schema(struct __test_metadata *_metadata,
			 const struct nvmx_stats_schema *s)
{
	u32 i, j, next = 0;

	ASSERT_LT(0, s->num_stats);
	for (i = 0; i < s->num_stats; i++) {
		const struct nvmx_stat *st = &s->stats[i];
		u32 type = st->flags & KVM_STATS_TYPE_MASK;
		u32 unit = st->flags & KVM_STATS_UNIT_MASK;
		u32 base = st->flags & KVM_STATS_BASE_MASK;

		EXPECT_LT(0, strlen(st->name)) TH_LOG("stat %u", i);
		EXPECT_GT(s->name_size, strlen(st->name)) TH_LOG("%s", st->name);
		for (j = 0; j < i; j++)
			EXPECT_STRNE(s->stats[j].name, st->name);
		EXPECT_EQ(0, st->flags & ~(KVM_STATS_TYPE_MASK | KVM_STATS_UNIT_MASK |
					   KVM_STATS_BASE_MASK)) TH_LOG("%s", st->name);
		EXPECT_GE(KVM_STATS_TYPE_MAX, type) TH_LOG("%s", st->name);
		EXPECT_GE(KVM_STATS_UNIT_MAX, unit) TH_LOG("%s", st->name);
		EXPECT_GE(KVM_STATS_BASE_MAX, base) TH_LOG("%s", st->name);
		switch (unit) {
		case KVM_STATS_UNIT_SECONDS:
			EXPECT_GE(0, st->exponent) TH_LOG("%s", st->name);
			break;
		case KVM_STATS_UNIT_BOOLEAN:
			EXPECT_EQ(0, st->exponent) TH_LOG("%s", st->name);
			EXPECT_NE(KVM_STATS_TYPE_LOG_HIST, type) TH_LOG("%s", st->name);
			break;
		default:
			EXPECT_LE(0, st->exponent) TH_LOG("%s", st->name);
		}
		EXPECT_LT(0, st->size) TH_LOG("%s", st->name);
		/* Only histograms have more than one value. */
		EXPECT_TRUE(type >= KVM_STATS_TYPE_LINEAR_HIST || st->size == 1)
			TH_LOG("%s", st->name);
		/* Only linear histograms have a bucket size, and must. */
		EXPECT_EQ(type == KVM_STATS_TYPE_LINEAR_HIST, st->bucket_size != 0)
			TH_LOG("%s", st->name);
		EXPECT_EQ(next, st->offset) TH_LOG("%s", st->name);
		next += st->size * sizeof(u64);
	}
	EXPECT_EQ(s->data_size, next);
}

TEST(schemas_obey_the_abi)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(schemas); i++)
		check_schema(_metadata, schemas[i]);
}

/* Every stat as it must be described; offsetof() proves the struct field. */
struct expect_stat {
	const char *name;
	u32 flags;
	__s16 exponent;
	u16 size;
	u32 offset;
	u32 bucket_size;
};

#define VCPU_OFF(f)	offsetof(struct nvmx_vcpu_stats, f)
#define COUNTER(f)	{ #f, FLAGS(CUMULATIVE, NONE, POW10), 0, 1, VCPU_OFF(f), 0 }
#define IBOOLEAN(f)	{ #f, FLAGS(INSTANT, BOOLEAN, POW10), 0, 1, VCPU_OFF(f), 0 }
#define EXIT_HIST(f)	{ #f, FLAGS(LINEAR_HIST, NONE, POW10), 0, \
			  NVMX_EXIT_REASONS, VCPU_OFF(f), 1 }
#define CR_HIST(f)	{ #f, FLAGS(LINEAR_HIST, NONE, POW10), 0, \
			  NVMX_CR_ACCESS_SLOTS, VCPU_OFF(f), 1 }

/* Types and units as KVM 6.1 describes the stats of the same name. */
static const struct expect_stat vcpu_expect[] = {
	{ "halt_wait_ns", FLAGS(CUMULATIVE, SECONDS, POW10), -9, 1,
	  VCPU_OFF(halt_wait_ns), 0 },
	IBOOLEAN(blocking),
	COUNTER(tlb_flush),
	COUNTER(exits),
	COUNTER(io_exits),
	COUNTER(mmio_exits),
	COUNTER(signal_exits),
	COUNTER(halt_exits),
	COUNTER(irq_exits),
	COUNTER(insn_emulation),
	COUNTER(insn_emulation_fail),
	COUNTER(nested_run),
	IBOOLEAN(guest_mode),
	COUNTER(irq_window_exits),
	COUNTER(nmi_window_exits),
	COUNTER(irq_injections),
	COUNTER(nmi_injections),
	COUNTER(request_irq_exits),
	{ "nvmx_vmcs02_writes", FLAGS(INSTANT, NONE, POW10), 0, 1,
	  VCPU_OFF(nvmx_vmcs02_writes), 0 },
	COUNTER(nvmx_shadow_syncs),
	COUNTER(nvmx_shadow_fields),
	EXIT_HIST(nvmx_l1_exits),
	EXIT_HIST(nvmx_l2_exits_l0),
	EXIT_HIST(nvmx_l2_exits_reflected),
	CR_HIST(nvmx_l1_cr_exits),
	CR_HIST(nvmx_l2_cr_exits_l0),
	CR_HIST(nvmx_l2_cr_exits_reflected),
};

static const struct expect_stat vm_expect[] = {
	{ "nvmx_vcpus", FLAGS(INSTANT, NONE, POW10), 0, 1,
	  offsetof(struct nvmx_vm_stats, nvmx_vcpus), 0 },
	{ "remote_tlb_flush", FLAGS(CUMULATIVE, NONE, POW10), 0, 1,
	  offsetof(struct nvmx_vm_stats, remote_tlb_flush), 0 },
};

/* Reads descriptor i through the reader and checks every byte of it. */
static void check_descs(struct __test_metadata *_metadata,
			const struct nvmx_stats_schema *s,
			const struct expect_stat *e, size_t n)
{
	u8 buf[DESC_SIZE];
	struct kvm_stats_desc *d = (struct kvm_stats_desc *)buf;
	u64 zero[512] = { 0 };
	size_t i, k;

	ASSERT_EQ(n, s->num_stats);
	ASSERT_GE(sizeof(zero), s->data_size);
	for (i = 0; i < n; i++) {
		u64 pos = nvmx_stats_desc_offset(s) + i * DESC_SIZE;

		memset(buf, 0xa5, sizeof(buf));
		ASSERT_EQ(DESC_SIZE, rd(s, "nvmx-1", zero, pos, buf, sizeof(buf)));
		EXPECT_STREQ(e[i].name, d->name);
		EXPECT_EQ(e[i].flags, d->flags) TH_LOG("%s", e[i].name);
		EXPECT_EQ(e[i].exponent, d->exponent) TH_LOG("%s", e[i].name);
		EXPECT_EQ(e[i].size, d->size) TH_LOG("%s", e[i].name);
		EXPECT_EQ(e[i].offset, d->offset) TH_LOG("%s", e[i].name);
		EXPECT_EQ(e[i].bucket_size, d->bucket_size) TH_LOG("%s", e[i].name);
		/* The name is padded with NULs to name_size. */
		for (k = sizeof(*d) + strlen(e[i].name); k < DESC_SIZE; k++)
			EXPECT_EQ(0, buf[k]) TH_LOG("%s byte %zu", e[i].name, k);
	}
}

TEST(every_descriptor_is_right)
{
	check_descs(_metadata, &nvmx_vcpu_stats_schema, vcpu_expect,
		    ARRAY_SIZE(vcpu_expect));
	check_descs(_metadata, &nvmx_vm_stats_schema, vm_expect,
		    ARRAY_SIZE(vm_expect));
}

TEST(header_as_read)
{
	const struct nvmx_stats_schema *s = &nvmx_vcpu_stats_schema;
	struct nvmx_vcpu_stats data = { 0 };
	struct kvm_stats_header h;

	memset(&h, 0xa5, sizeof(h));
	ASSERT_EQ(sizeof(h), rd(s, "nvmx-7/vcpu-0", &data, 0, &h, sizeof(h)));
	EXPECT_EQ(0, h.flags);
	EXPECT_EQ(48, h.name_size);
	EXPECT_EQ(27, h.num_desc);
	EXPECT_EQ(24, h.id_offset);
	EXPECT_EQ(72, h.desc_offset);
	EXPECT_EQ(72 + 27 * 64, h.data_offset);
}

/* Every window [pos, pos + len) the reader gives must be the image's. */
static void check_windows(struct __test_metadata *_metadata,
			  const struct nvmx_stats_schema *s, const char *id,
			  const void *data, const u64 *positions, size_t npos)
{
	static const size_t lens[] = {
		0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 23, 24, 25, 47, 48, 49,
		63, 64, 65, 71, 72, 73, 127, 128, 129, 255, 256, 257, 1000,
		4096, 100000,
	};
	static u8 img[8192], got[8192 + 16];
	size_t size = build_image(s, id, data, img, sizeof(img));
	size_t p, l;

	for (p = 0; p < npos; p++) {
		u64 pos = positions[p];

		for (l = 0; l < ARRAY_SIZE(lens); l++) {
			size_t len = lens[l] < sizeof(got) ? lens[l] : sizeof(got);
			size_t want = pos >= size ? 0 :
				      (len < size - pos ? len : size - pos);
			size_t n;

			memset(got, 0x5a, sizeof(got));
			n = rd(s, id, data, pos, got, len);
			ASSERT_EQ(want, n) TH_LOG("pos %llu len %zu",
						  (unsigned long long)pos, len);
			ASSERT_EQ(0, memcmp(got, img + pos, n))
				TH_LOG("pos %llu len %zu", (unsigned long long)pos, len);
			/* Nothing past what it reports is touched. */
			ASSERT_EQ(0x5a, got[n]) TH_LOG("pos %llu len %zu",
						       (unsigned long long)pos, len);
		}
	}
}

TEST(reads_at_any_offset_and_length)
{
	const struct nvmx_stats_schema *s = &test_schema;
	struct test_stats data;
	u64 positions[1024];
	size_t n = 0;
	u64 pos;

	fill_pattern(&data, sizeof(data) / sizeof(u64));
	/* Every position of the small schema's file, and some past its end. */
	for (pos = 0; pos < nvmx_stats_file_size(s) + 10; pos++)
		positions[n++] = pos;
	ASSERT_GE(ARRAY_SIZE(positions), n);
	check_windows(_metadata, s, "nvmx-1234", &data, positions, n);
}

TEST(vcpu_file_reads_across_every_boundary)
{
	const struct nvmx_stats_schema *s = &nvmx_vcpu_stats_schema;
	struct nvmx_vcpu_stats data;
	u64 bounds[64], positions[1024];
	size_t nb = 0, n = 0, i;
	int d;

	fill_pattern(&data, sizeof(data) / sizeof(u64));
	bounds[nb++] = 0;
	bounds[nb++] = nvmx_stats_id_offset(s);
	for (i = 0; i <= s->num_stats; i++)
		bounds[nb++] = nvmx_stats_desc_offset(s) + i * DESC_SIZE;
	bounds[nb++] = nvmx_stats_data_offset(s) + 8 * 19;
	bounds[nb++] = nvmx_stats_file_size(s);
	ASSERT_GE(ARRAY_SIZE(bounds), nb);
	for (i = 0; i < nb; i++) {
		for (d = -9; d <= 9; d++) {
			if ((long long)bounds[i] + d >= 0)
				positions[n++] = bounds[i] + d;
		}
	}
	ASSERT_GE(ARRAY_SIZE(positions), n);
	check_windows(_metadata, s, "nvmx-4194304/vcpu-4294967295",
		      &data, positions, n);
}

TEST(read_past_end_is_empty)
{
	const struct nvmx_stats_schema *s = &nvmx_vm_stats_schema;
	struct nvmx_vm_stats data = { 1, 2 };
	u64 size = nvmx_stats_file_size(s);
	u8 buf[64];

	memset(buf, 0xa5, sizeof(buf));
	EXPECT_EQ(0, rd(s, "nvmx-1", &data, size, buf, 64));
	EXPECT_EQ(0, rd(s, "nvmx-1", &data, size + 1, buf, 64));
	EXPECT_EQ(0, rd(s, "nvmx-1", &data, UINT64_MAX, buf, 64));
	EXPECT_EQ(0, rd(s, "nvmx-1", &data, 0, buf, 0));
	EXPECT_EQ(0xa5, buf[0]);
	/* The last byte is the last counter's most significant byte. */
	EXPECT_EQ(1, rd(s, "nvmx-1", &data, size - 1, buf, SIZE_MAX));
	EXPECT_EQ(0, buf[0]);
	EXPECT_EQ(1, rd(s, "nvmx-1", &data, size - 8, buf, 1));
	EXPECT_EQ(2, buf[0]);
}

TEST(counters_are_read_as_they_are_now)
{
	const struct nvmx_stats_schema *s = &nvmx_vcpu_stats_schema;
	struct nvmx_vcpu_stats data = { 0 };
	u64 pos = nvmx_stats_data_offset(s) + offsetof(struct nvmx_vcpu_stats, exits);
	u64 hist = nvmx_stats_data_offset(s) +
		   offsetof(struct nvmx_vcpu_stats, nvmx_l1_exits);
	u64 v = 1;

	ASSERT_EQ(8, rd(s, "nvmx-1/vcpu-0", &data, pos, &v, 8));
	EXPECT_EQ(0, v);
	data.exits = 0x1122334455667788ULL;
	ASSERT_EQ(8, rd(s, "nvmx-1/vcpu-0", &data, pos, &v, 8));
	EXPECT_EQ(0x1122334455667788ULL, v);
	/* Half a counter, from its middle. */
	v = 0;
	ASSERT_EQ(4, rd(s, "nvmx-1/vcpu-0", &data, pos + 2, &v, 4));
	EXPECT_EQ(0x33445566, v);

	nvmx_stats_count_exit(&data, NVMX_LEVEL_L1, 79, 0);
	ASSERT_EQ(8, rd(s, "nvmx-1/vcpu-0", &data, hist + 79 * 8, &v, 8));
	EXPECT_EQ(1, v);
	/* A MOV to CR4 reflected to L1, in its CR histogram's bucket 16. */
	nvmx_stats_count_exit(&data, NVMX_LEVEL_L2_L1, 28, 0x4);
	hist = nvmx_stats_data_offset(s) +
	       offsetof(struct nvmx_vcpu_stats, nvmx_l2_cr_exits_reflected);
	ASSERT_EQ(8, rd(s, "nvmx-1/vcpu-0", &data, hist + 16 * 8, &v, 8));
	EXPECT_EQ(1, v);
	/* The reflected CR histogram is the last stat: it ends the file. */
	EXPECT_EQ(nvmx_stats_file_size(s), hist + NVMX_CR_ACCESS_SLOTS * 8);
}

/* Exactly the counters a read overlaps, whatever the read. */
TEST(data_window_is_exact)
{
	const struct nvmx_stats_schema *s = &nvmx_vcpu_stats_schema;
	u64 base = nvmx_stats_data_offset(s), size = nvmx_stats_file_size(s);
	u32 first, count;
	u64 pos;
	size_t len;

	for (pos = base - 20; pos < size + 20; pos++) {
		for (len = 0; len <= 300; len++) {
			u64 from = pos > base ? pos : base;
			u64 end = pos + len < size ? pos + len : size;
			u32 want_first = 0, want_count = 0;

			if (from < end) {
				want_first = (from - base) / 8;
				want_count = (end - base + 7) / 8 - want_first;
			}
			nvmx_stats_data_window(s, pos, len, &first, &count);
			ASSERT_EQ(want_first, first) TH_LOG("pos %llu len %zu",
							    (unsigned long long)pos, len);
			ASSERT_EQ(want_count, count) TH_LOG("pos %llu len %zu",
							    (unsigned long long)pos, len);
			/* What a 256-byte kernel chunk may need: 33 counters. */
			ASSERT_TRUE(len > 256 || count <= 33);
		}
	}
	/* Before the data block, past the end, and sizes that would overflow. */
	nvmx_stats_data_window(s, 0, base, &first, &count);
	EXPECT_EQ(0, count);
	nvmx_stats_data_window(s, 0, base + 1, &first, &count);
	EXPECT_EQ(0, first);
	EXPECT_EQ(1, count);
	nvmx_stats_data_window(s, 0, SIZE_MAX, &first, &count);
	EXPECT_EQ(0, first);
	EXPECT_EQ(s->data_size / 8, count);
	nvmx_stats_data_window(s, size - 1, SIZE_MAX, &first, &count);
	EXPECT_EQ(s->data_size / 8 - 1, first);
	EXPECT_EQ(1, count);
	nvmx_stats_data_window(s, size, 8, &first, &count);
	EXPECT_EQ(0, count);
	nvmx_stats_data_window(s, UINT64_MAX, SIZE_MAX, &first, &count);
	EXPECT_EQ(0, count);
}

TEST(id_limits)
{
	const struct nvmx_stats_schema *s = &nvmx_vm_stats_schema;
	struct nvmx_vm_stats data = { 0 };
	char id[64], got[NVMX_STATS_NAME_SIZE];
	size_t i;

	EXPECT_EQ(-EINVAL, nvmx_stats_id_check(s, NULL));
	EXPECT_EQ(-EINVAL, nvmx_stats_id_check(s, ""));
	EXPECT_EQ(0, nvmx_stats_id_check(s, "n"));
	memset(id, 'x', sizeof(id));
	id[NVMX_STATS_NAME_SIZE - 1] = '\0';
	EXPECT_EQ(0, nvmx_stats_id_check(s, id));
	id[NVMX_STATS_NAME_SIZE - 1] = 'x';
	id[NVMX_STATS_NAME_SIZE] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, nvmx_stats_id_check(s, id));
	id[sizeof(id) - 1] = '\0';
	EXPECT_EQ(-ENAMETOOLONG, nvmx_stats_id_check(s, id));

	/* The longest ids nvmx makes: the largest pid and vCPU id. */
	snprintf(id, sizeof(id), "nvmx-%d", 4194304);
	EXPECT_EQ(0, nvmx_stats_id_check(s, id));
	snprintf(id, sizeof(id), "nvmx-%d/vcpu-%u", 4194304, 4294967295U);
	EXPECT_EQ(0, nvmx_stats_id_check(s, id));
	EXPECT_GT(32, strlen(id));

	/* As read: the id, then NULs to name_size. */
	memset(got, 0xa5, sizeof(got));
	ASSERT_EQ(sizeof(got), rd(s, "nvmx-42", &data, nvmx_stats_id_offset(s),
				  got, sizeof(got)));
	EXPECT_STREQ("nvmx-42", got);
	for (i = strlen("nvmx-42"); i < sizeof(got); i++)
		EXPECT_EQ(0, got[i]) TH_LOG("byte %zu", i);

	/* Even an id that is too long keeps its NUL (and the layout). */
	memset(id, 'y', sizeof(id));
	id[sizeof(id) - 1] = '\0';
	ASSERT_EQ(sizeof(got), rd(s, id, &data, nvmx_stats_id_offset(s), got,
				  sizeof(got)));
	EXPECT_EQ(NVMX_STATS_NAME_SIZE - 1, strnlen(got, sizeof(got)));
}

TEST(exit_histogram_buckets)
{
	struct nvmx_vcpu_stats st = { 0 };
	u64 hist[4] = { 0 };

	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, 0, 0);
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, 30, 0);
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, 30, 0);
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, 78, 0);
	EXPECT_EQ(1, st.nvmx_l1_exits[0]);
	EXPECT_EQ(2, st.nvmx_l1_exits[30]);
	EXPECT_EQ(1, st.nvmx_l1_exits[78]);
	/* Reason 79 and every basic reason above share the last bucket. */
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, 79, 0);
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, 80, 0);
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, 0xffff, 0);
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, UINT32_MAX, 0);
	EXPECT_EQ(4, st.nvmx_l1_exits[NVMX_EXIT_REASONS - 1]);
	/* A failed VM entry counts by its basic reason (bits 15:0). */
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, 0x80000021, 0);
	EXPECT_EQ(1, st.nvmx_l1_exits[33]);
	/* The neighbours stay untouched. */
	EXPECT_EQ(0, st.insn_emulation_fail);
	EXPECT_EQ(0, st.blocking);
	EXPECT_EQ(0, st.nvmx_l2_exits_l0[0]);
	EXPECT_EQ(0, st.nvmx_l2_exits_l0[NVMX_EXIT_REASONS - 1]);

	/* Wider buckets: [0, 10), [10, 20), [20, 30), [30, inf). */
	nvmx_stats_linear_hist_add(hist, 4, 10, 9);
	nvmx_stats_linear_hist_add(hist, 4, 10, 10);
	nvmx_stats_linear_hist_add(hist, 4, 10, 29);
	nvmx_stats_linear_hist_add(hist, 4, 10, 30);
	nvmx_stats_linear_hist_add(hist, 4, 10, UINT64_MAX);
	EXPECT_EQ(1, hist[0]);
	EXPECT_EQ(1, hist[1]);
	EXPECT_EQ(1, hist[2]);
	EXPECT_EQ(2, hist[3]);
}

static u64 hist_sum(const u64 *h, u32 n)
{
	u64 sum = 0;
	u32 i;

	for (i = 0; i < n; i++)
		sum += h[i];
	return sum;
}

/* Each level has its own histograms; a bad level counts nothing. */
TEST(exit_levels)
{
	struct nvmx_vcpu_stats st = { 0 }, zero = { 0 };

	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, 10, 0);
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L2_L0, 10, 0);
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L2_L0, 10, 0);
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L2_L1, 18, 0);
	EXPECT_EQ(1, st.nvmx_l1_exits[10]);
	EXPECT_EQ(2, st.nvmx_l2_exits_l0[10]);
	EXPECT_EQ(1, st.nvmx_l2_exits_reflected[18]);
	EXPECT_EQ(1, hist_sum(st.nvmx_l1_exits, NVMX_EXIT_REASONS));
	EXPECT_EQ(2, hist_sum(st.nvmx_l2_exits_l0, NVMX_EXIT_REASONS));
	EXPECT_EQ(1, hist_sum(st.nvmx_l2_exits_reflected, NVMX_EXIT_REASONS));

	st = zero;
	nvmx_stats_count_exit(&st, NVMX_NR_LEVELS, 10, 0);
	nvmx_stats_count_exit(&st, UINT32_MAX, 28, 0);
	EXPECT_EQ(0, memcmp(&st, &zero, sizeof(st)));
	EXPECT_TRUE(!nvmx_stats_exit_hist(&st, NVMX_NR_LEVELS, false));
	EXPECT_TRUE(nvmx_stats_exit_hist(&st, NVMX_LEVEL_L2_L0, true) ==
		    st.nvmx_l2_cr_exits_l0);
	EXPECT_TRUE(nvmx_stats_exit_hist(&st, NVMX_LEVEL_L2_L1, false) ==
		    st.nvmx_l2_exits_reflected);
}

/*
 * CR accesses by the SDM's qualification (Table 27-3): CR in bits 3:0,
 * access type in 5:4, the GPR in 11:8 and LMSW's source data in 31:16,
 * which must not matter.
 */
TEST(cr_access_slots)
{
	struct nvmx_vcpu_stats st = { 0 };
	u32 cr, type;

	EXPECT_EQ(0, nvmx_stats_cr_slot(0x00));
	EXPECT_EQ(NVMX_CR_SLOT(0, 0), nvmx_stats_cr_slot(0xf00));
	EXPECT_EQ(NVMX_CR_SLOT(3, 1), nvmx_stats_cr_slot(0x13));
	EXPECT_EQ(NVMX_CR_SLOT(8, 1), nvmx_stats_cr_slot(0x318));
	EXPECT_EQ(NVMX_CR_SLOT(0, 2), nvmx_stats_cr_slot(0x20));
	EXPECT_EQ(NVMX_CR_SLOT(0, 3), nvmx_stats_cr_slot(0xffff0030));
	EXPECT_EQ(NVMX_CR_SLOT(15, 3), nvmx_stats_cr_slot(~0ULL));
	EXPECT_EQ(63, NVMX_CR_SLOT(15, 3));

	for (cr = 0; cr < 16; cr++)
		for (type = 0; type < 4; type++)
			nvmx_stats_count_exit(&st, NVMX_LEVEL_L2_L0, 28,
					      (type << 4) | cr | 0x500);
	for (cr = 0; cr < NVMX_CR_ACCESS_SLOTS; cr++)
		EXPECT_EQ(1, st.nvmx_l2_cr_exits_l0[cr]) TH_LOG("slot %u", cr);
	EXPECT_EQ(64, st.nvmx_l2_exits_l0[28]);
	EXPECT_EQ(0, hist_sum(st.nvmx_l1_cr_exits, NVMX_CR_ACCESS_SLOTS));
	EXPECT_EQ(0, hist_sum(st.nvmx_l2_cr_exits_reflected,
			      NVMX_CR_ACCESS_SLOTS));

	/* Only reason 28 has a CR slot: others ignore the qualification. */
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, 29, 0x3);
	nvmx_stats_count_exit(&st, NVMX_LEVEL_L1, 28 | 0x80000000, 0x4);
	EXPECT_EQ(1, st.nvmx_l1_cr_exits[NVMX_CR_SLOT(4, 0)]);
	EXPECT_EQ(1, hist_sum(st.nvmx_l1_cr_exits, NVMX_CR_ACCESS_SLOTS));
}

/* The ioctl's struct holds exactly what the stats fd's histograms do. */
TEST(exit_counts_match_the_histograms)
{
	struct nvmx_vcpu_stats st = { 0 };
	struct nvmx_exit_counts c;
	u32 level, i;

	memset(&c, 0xa5, sizeof(c));
	c.size = 1234;
	c.flags = 1;
	c.__reserved = 0;
	for (i = 0; i < NVMX_EXIT_REASONS; i++) {
		st.nvmx_l1_exits[i] = 1000 + i;
		st.nvmx_l2_exits_l0[i] = 2000 + i;
		st.nvmx_l2_exits_reflected[i] = 3000 + i;
	}
	for (i = 0; i < NVMX_CR_ACCESS_SLOTS; i++) {
		st.nvmx_l1_cr_exits[i] = 4000 + i;
		st.nvmx_l2_cr_exits_l0[i] = 5000 + i;
		st.nvmx_l2_cr_exits_reflected[i] = 6000 + i;
	}
	st.exits = 7;
	nvmx_stats_get_exit_counts(&st, &c);
	EXPECT_EQ(NVMX_EXIT_COUNT_REASONS, c.nr_reasons);
	/* The in-fields are the caller's. */
	EXPECT_EQ(1234, c.size);
	EXPECT_EQ(1, c.flags);
	for (level = 0; level < NVMX_NR_LEVELS; level++) {
		for (i = 0; i < NVMX_EXIT_COUNT_REASONS; i++)
			EXPECT_EQ((level + 1) * 1000 + i, c.exits[level][i])
				TH_LOG("level %u reason %u", level, i);
		for (i = 0; i < NVMX_CR_ACCESS_SLOTS; i++)
			EXPECT_EQ((level + 4) * 1000 + i, c.cr[level][i])
				TH_LOG("level %u slot %u", level, i);
	}
	EXPECT_EQ(3472, sizeof(c));
	EXPECT_EQ(NVMX_EXIT_COUNTS_SIZE_VER0, sizeof(c));
}

TEST_HARNESS_MAIN
