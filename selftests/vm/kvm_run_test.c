// SPDX-License-Identifier: GPL-2.0
/*
 * A hostile VMM: after each exit that the next KVM_RUN completes (PIO IN
 * and OUT, MMIO read and write), userspace overwrites the kvm_run fields
 * that described the exit, then runs again. The kernel must finish the
 * access it started, of the width the guest used, whatever kvm_run says
 * now: only the data (the PIO page, mmio.data) is userspace's to give.
 * Each variant is one overwrite; each test one access (kvm_run_guest.S).
 * $NVMX_TEST_DEV picks the device, so the same binary runs on kvm_intel.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "nvmx_test.h"

#define SNIPPET(name) extern const unsigned char name[], name##_end[]
SNIPPET(r_in8);
SNIPPET(r_in16);
SNIPPET(r_in32);
SNIPPET(r_out8);
SNIPPET(r_out16);
SNIPPET(r_out32);
SNIPPET(r_mmio_rd8);
SNIPPET(r_mmio_rd16);
SNIPPET(r_mmio_rd32);
SNIPPET(r_mmio_wr8);
SNIPPET(l_mmio_rd8);
SNIPPET(l_mmio_rd16);
SNIPPET(l_mmio_rd32);
SNIPPET(l_mmio_rd64);
SNIPPET(l_mmio_wr64);

#define MEM_SIZE	0x8000
#define CODE_GPA	0x1000
#define PML4_GPA	0x2000	/* then the PDPT and the PD */
#define MMIO_GPA	0xc000
#define PORT_IN		0x10
#define PORT_OUT	0x11

/* What the host puts in RAX: every byte distinct from the data below. */
#define RAX_BEFORE	0x0123456789abcdefULL
/* The data userspace gives: the PIO page and mmio.data, byte i. */
#define PIO_BYTE(i)	((unsigned char)(0x81 + (i)))
#define MMIO_BYTE(i)	((unsigned char)(0x91 + (i)))

FIXTURE(kvm_run) {
	struct test_vm v;
};

/* One overwrite of kvm_run between the exit and the next KVM_RUN. */
FIXTURE_VARIANT(kvm_run) {
	size_t off;		/* in struct kvm_run */
	unsigned int len;	/* bytes of val, little-endian; 0: none */
	__u64 val;
	bool xor;		/* flip val's bits instead of storing it */
	int fill;		/* >= 0: memset the exit union with it instead */
};

/* Field, its width in bytes (<linux/kvm.h>), value. */
#define SET(f, w, v)	.off = offsetof(struct kvm_run, f), .len = (w), \
			.val = (v), .fill = -1
#define FLIP(f, w, v)	SET(f, w, v), .xor = true

FIXTURE_VARIANT_ADD(kvm_run, untouched) { .fill = -1 };
FIXTURE_VARIANT_ADD(kvm_run, io_size_255) { SET(io.size, 1, 255) };
FIXTURE_VARIANT_ADD(kvm_run, io_size_8) { SET(io.size, 1, 8) };
FIXTURE_VARIANT_ADD(kvm_run, io_size_0) { SET(io.size, 1, 0) };
FIXTURE_VARIANT_ADD(kvm_run, io_size_1) { SET(io.size, 1, 1) };
FIXTURE_VARIANT_ADD(kvm_run, io_size_4) { SET(io.size, 1, 4) };
FIXTURE_VARIANT_ADD(kvm_run, io_count_0) { SET(io.count, 4, 0) };
FIXTURE_VARIANT_ADD(kvm_run, io_count_2) { SET(io.count, 4, 2) };
FIXTURE_VARIANT_ADD(kvm_run, io_count_max) { SET(io.count, 4, 0xffffffff) };
FIXTURE_VARIANT_ADD(kvm_run, io_port) { FLIP(io.port, 2, 0xffff) };
FIXTURE_VARIANT_ADD(kvm_run, io_direction) { FLIP(io.direction, 1, 1) };
FIXTURE_VARIANT_ADD(kvm_run, io_data_offset_huge) { SET(io.data_offset, 8, ~0ULL << 12) };
FIXTURE_VARIANT_ADD(kvm_run, io_data_offset_0) { SET(io.data_offset, 8, 0) };
FIXTURE_VARIANT_ADD(kvm_run, io_data_offset_end) { SET(io.data_offset, 8, 8191) };
FIXTURE_VARIANT_ADD(kvm_run, mmio_len_255) { SET(mmio.len, 4, 255) };
FIXTURE_VARIANT_ADD(kvm_run, mmio_len_0) { SET(mmio.len, 4, 0) };
FIXTURE_VARIANT_ADD(kvm_run, mmio_len_16) { SET(mmio.len, 4, 16) };
FIXTURE_VARIANT_ADD(kvm_run, mmio_len_max) { SET(mmio.len, 4, 0xffffffff) };
FIXTURE_VARIANT_ADD(kvm_run, mmio_phys_addr_0) { SET(mmio.phys_addr, 8, 0) };
FIXTURE_VARIANT_ADD(kvm_run, mmio_phys_addr_max) { SET(mmio.phys_addr, 8, ~0ULL) };
FIXTURE_VARIANT_ADD(kvm_run, mmio_is_write) { FLIP(mmio.is_write, 1, 1) };
FIXTURE_VARIANT_ADD(kvm_run, mmio_data) { SET(mmio.data, 8, 0x9897969594939291ULL) };
FIXTURE_VARIANT_ADD(kvm_run, exit_reason) { SET(exit_reason, 4, 0xdeadbeef) };
FIXTURE_VARIANT_ADD(kvm_run, exit_reason_io) { SET(exit_reason, 4, KVM_EXIT_IO) };
FIXTURE_VARIANT_ADD(kvm_run, exit_reason_mmio) { SET(exit_reason, 4, KVM_EXIT_MMIO) };
/* Outputs only: ready_for_interrupt_injection, if_flag, flags, apic_base. */
FIXTURE_VARIANT_ADD(kvm_run, flags) { SET(flags, 2, 0xffff) };
FIXTURE_VARIANT_ADD(kvm_run, apic_base) { SET(apic_base, 8, ~0ULL) };
FIXTURE_VARIANT_ADD(kvm_run, union_a5) { .fill = 0xa5 };
FIXTURE_VARIANT_ADD(kvm_run, union_ff) { .fill = 0xff };

FIXTURE_SETUP(kvm_run)
{
	const char *failed = test_vm_open(&self->v, MEM_SIZE);

	ASSERT_EQ(NULL, failed) TH_LOG("%s: %s", failed, strerror(errno));
	ASSERT_LE(2 * 4096, self->v.run_size);
}

FIXTURE_TEARDOWN(kvm_run)
{
	test_vm_close(&self->v);
}

struct access {
	const unsigned char *start, *end;
	bool long_mode;
	bool mmio;
	bool write;		/* OUT, or an MMIO store */
	unsigned int size;
};

/* Real mode at 0:CODE_GPA with flat data segments. */
static void enter_real_mode(struct __test_metadata *_metadata, int vcpu)
{
	struct kvm_sregs sregs;

	ASSERT_EQ(0, ioctl(vcpu, KVM_GET_SREGS, &sregs));
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	sregs.ds.base = 0;
	sregs.ds.selector = 0;
	ASSERT_EQ(0, ioctl(vcpu, KVM_SET_SREGS, &sregs));
}

/* 64-bit mode, the first 2 MiB identity-mapped by one large page. */
static void enter_long_mode(struct __test_metadata *_metadata, int vcpu,
			    unsigned char *mem)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = 8, .type = 11,
		.present = 1, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = 16, .type = 3,
		.present = 1, .s = 1, .db = 1, .g = 1,
	};
	__u64 *pt = (__u64 *)(mem + PML4_GPA);
	struct kvm_sregs sregs;

	pt[0] = (PML4_GPA + 0x1000) | 3;		/* PML4[0]: PDPT, P|RW */
	pt[512] = (PML4_GPA + 0x2000) | 3;		/* PDPT[0]: PD */
	pt[1024] = 0x83;				/* PD[0]: 2 MiB at 0, PS */
	ASSERT_EQ(0, ioctl(vcpu, KVM_GET_SREGS, &sregs));
	sregs.cs = code;
	sregs.ds = data;
	sregs.es = data;
	sregs.ss = data;
	sregs.fs = data;
	sregs.gs = data;
	sregs.cr0 = 0x80000021;				/* PG, NE, PE */
	sregs.cr3 = PML4_GPA;
	sregs.cr4 = 0x20;				/* PAE */
	sregs.efer = 0x500;				/* LMA, LME */
	ASSERT_EQ(0, ioctl(vcpu, KVM_SET_SREGS, &sregs));
}

static void tamper(struct kvm_run *run,
		   const struct _fixture_variant_kvm_run *v)
{
	unsigned char *p = (unsigned char *)run + v->off;
	unsigned int i;

	if (v->fill >= 0) {
		memset(&run->io, v->fill, sizeof(run->padding));
		return;
	}
	for (i = 0; i < v->len; i++) {
		unsigned char b = v->val >> (8 * i);

		p[i] = v->xor ? p[i] ^ b : b;
	}
}

/* RAX after a load of @size bytes of @data: the width the guest used. */
static __u64 loaded(__u64 rax, __u64 data, unsigned int size)
{
	__u64 mask = size == 8 ? ~0ULL : (1ULL << (8 * size)) - 1;

	/* 8- and 16-bit loads merge; 32-bit ones zero-extend. */
	if (size >= 4)
		return data & mask;
	return (rax & ~mask) | (data & mask);
}

static void check_access(struct __test_metadata *_metadata,
			 struct _test_data_kvm_run *self,
			 const struct _fixture_variant_kvm_run *variant,
			 const struct access *a)
{
	struct kvm_run *run = self->v.run;
	struct kvm_regs regs, after;
	unsigned char *pio;
	__u64 data = 0, want;
	unsigned int i;

	memcpy(self->v.mem + CODE_GPA, a->start, a->end - a->start);
	if (a->long_mode)
		enter_long_mode(_metadata, self->v.vcpu, self->v.mem);
	else
		enter_real_mode(_metadata, self->v.vcpu);
	memset(&regs, 0, sizeof(regs));
	for (i = 0; i < sizeof(regs) / 8; i++)
		((__u64 *)&regs)[i] = 0x1111111111111111ULL * (i % 15 + 1);
	regs.rax = RAX_BEFORE;
	regs.rip = CODE_GPA;
	regs.rflags = 2;
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_SET_REGS, &regs));

	/* The exit, as it should be before anything is changed. */
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_RUN, 0));
	pio = (unsigned char *)run + run->io.data_offset;
	if (a->mmio) {
		ASSERT_EQ(KVM_EXIT_MMIO, run->exit_reason);
		ASSERT_EQ(MMIO_GPA, run->mmio.phys_addr);
		ASSERT_EQ(a->size, run->mmio.len);
		ASSERT_EQ(a->write, run->mmio.is_write);
		if (a->write) {
			memcpy(&data, run->mmio.data, a->size);
			ASSERT_EQ(loaded(0, RAX_BEFORE, a->size), data);
		}
		for (i = 0; i < sizeof(run->mmio.data); i++)
			run->mmio.data[i] = MMIO_BYTE(i);
	} else {
		ASSERT_EQ(KVM_EXIT_IO, run->exit_reason);
		ASSERT_EQ(a->write ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN,
			  run->io.direction);
		ASSERT_EQ(a->write ? PORT_OUT : PORT_IN, run->io.port);
		ASSERT_EQ(a->size, run->io.size);
		ASSERT_EQ(1, run->io.count);
		ASSERT_LE(sizeof(*run), run->io.data_offset);
		ASSERT_GE(self->v.run_size - 4096, run->io.data_offset);
		if (a->write) {
			memcpy(&data, pio, a->size);
			ASSERT_EQ(loaded(0, RAX_BEFORE, a->size), data);
		}
		for (i = 0; i < 4096; i++)
			pio[i] = PIO_BYTE(i);
	}

	tamper(run, variant);
	/* A load takes its data from where it is now: the PIO page or mmio.data. */
	memcpy(&data, a->mmio ? run->mmio.data : pio, sizeof(data));
	want = a->write ? RAX_BEFORE : loaded(RAX_BEFORE, data, a->size);

	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_RUN, 0))
		TH_LOG("KVM_RUN after the overwrite: %s", strerror(errno));
	EXPECT_EQ(KVM_EXIT_HLT, run->exit_reason);
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_GET_REGS, &after));
	EXPECT_EQ(want, after.rax)
		TH_LOG("RAX %#llx, want %#llx", (unsigned long long)after.rax,
		       (unsigned long long)want);
	/* One instruction and the HLT done, nothing skipped or repeated. */
	EXPECT_EQ(CODE_GPA + (a->end - a->start), after.rip);
	/* Every other GPR as it was. */
	after.rax = regs.rax;
	after.rip = regs.rip;
	after.rflags = regs.rflags;
	EXPECT_EQ(0, memcmp(&regs, &after, sizeof(regs)));
}

enum {
	R_IN8,
	R_IN16,
	R_IN32,
	R_OUT8,
	R_OUT16,
	R_OUT32,
	R_MMIO_RD8,
	R_MMIO_RD16,
	R_MMIO_RD32,
	R_MMIO_WR8,
	L_MMIO_RD8,
	L_MMIO_RD16,
	L_MMIO_RD32,
	L_MMIO_RD64,
	L_MMIO_WR64,
};

/* The accesses, each a test below: code, long mode, MMIO, write, size. */
static const struct access accesses[] = {
	[R_IN8] = { r_in8, r_in8_end, false, false, false, 1 },
	[R_IN16] = { r_in16, r_in16_end, false, false, false, 2 },
	[R_IN32] = { r_in32, r_in32_end, false, false, false, 4 },
	[R_OUT8] = { r_out8, r_out8_end, false, false, true, 1 },
	[R_OUT16] = { r_out16, r_out16_end, false, false, true, 2 },
	[R_OUT32] = { r_out32, r_out32_end, false, false, true, 4 },
	[R_MMIO_RD8] = { r_mmio_rd8, r_mmio_rd8_end, false, true, false, 1 },
	[R_MMIO_RD16] = { r_mmio_rd16, r_mmio_rd16_end, false, true, false, 2 },
	[R_MMIO_RD32] = { r_mmio_rd32, r_mmio_rd32_end, false, true, false, 4 },
	[R_MMIO_WR8] = { r_mmio_wr8, r_mmio_wr8_end, false, true, true, 1 },
	[L_MMIO_RD8] = { l_mmio_rd8, l_mmio_rd8_end, true, true, false, 1 },
	[L_MMIO_RD16] = { l_mmio_rd16, l_mmio_rd16_end, true, true, false, 2 },
	[L_MMIO_RD32] = { l_mmio_rd32, l_mmio_rd32_end, true, true, false, 4 },
	[L_MMIO_RD64] = { l_mmio_rd64, l_mmio_rd64_end, true, true, false, 8 },
	[L_MMIO_WR64] = { l_mmio_wr64, l_mmio_wr64_end, true, true, true, 8 },
};

TEST_F(kvm_run, r_in8)
{
	check_access(_metadata, self, variant, &accesses[R_IN8]);
}

TEST_F(kvm_run, r_in16)
{
	check_access(_metadata, self, variant, &accesses[R_IN16]);
}

TEST_F(kvm_run, r_in32)
{
	check_access(_metadata, self, variant, &accesses[R_IN32]);
}

TEST_F(kvm_run, r_out8)
{
	check_access(_metadata, self, variant, &accesses[R_OUT8]);
}

TEST_F(kvm_run, r_out16)
{
	check_access(_metadata, self, variant, &accesses[R_OUT16]);
}

TEST_F(kvm_run, r_out32)
{
	check_access(_metadata, self, variant, &accesses[R_OUT32]);
}

TEST_F(kvm_run, r_mmio_rd8)
{
	check_access(_metadata, self, variant, &accesses[R_MMIO_RD8]);
}

TEST_F(kvm_run, r_mmio_rd16)
{
	check_access(_metadata, self, variant, &accesses[R_MMIO_RD16]);
}

TEST_F(kvm_run, r_mmio_rd32)
{
	check_access(_metadata, self, variant, &accesses[R_MMIO_RD32]);
}

TEST_F(kvm_run, r_mmio_wr8)
{
	check_access(_metadata, self, variant, &accesses[R_MMIO_WR8]);
}

TEST_F(kvm_run, l_mmio_rd8)
{
	check_access(_metadata, self, variant, &accesses[L_MMIO_RD8]);
}

TEST_F(kvm_run, l_mmio_rd16)
{
	check_access(_metadata, self, variant, &accesses[L_MMIO_RD16]);
}

TEST_F(kvm_run, l_mmio_rd32)
{
	check_access(_metadata, self, variant, &accesses[L_MMIO_RD32]);
}

TEST_F(kvm_run, l_mmio_rd64)
{
	check_access(_metadata, self, variant, &accesses[L_MMIO_RD64]);
}

TEST_F(kvm_run, l_mmio_wr64)
{
	check_access(_metadata, self, variant, &accesses[L_MMIO_WR64]);
}

TEST_HARNESS_MAIN
