// SPDX-License-Identifier: GPL-2.0
/*
 * String port I/O: the guest runs INS and OUTS (REP and not, sizes 1, 2
 * and 4, DF=1, 32-bit address size, an FS override, a page-crossing
 * buffer, more elements than one exit takes, unmapped buffers, a zero
 * count) on port 0xe0. The host answers
 * INs with a byte counter restarted at every case and prints one record
 * per exit (direction, size, port, count, OUT data) and per case (the
 * registers and fault vector the guest saw), for run_diff to compare
 * kvm_intel's sequence with nvmx's. The guest checks the data it read.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#define PORT		0xe0
#define UNMAPPED	0x40000000000ULL	/* canonical, not in the guest */

static u8 buf[4 * 4096] __aligned(4096);
static const u8 src[8] = "abcdefgh";

#define STRIO(insn, si, di, cx)						\
({									\
	u8 v;								\
	asm volatile(KVM_ASM_SAFE(insn)					\
		     : KVM_ASM_SAFE_OUTPUTS(v), "+S"(si), "+D"(di), "+c"(cx) \
		     : "d"(PORT) : KVM_ASM_SAFE_CLOBBERS, "memory");	\
	v;								\
})

/* Byte j of what the host sent since the case began. */
static void check_in(u8 *p, u64 n)
{
	u64 j;

	for (j = 0; j < n; j++)
		GUEST_ASSERT_3(p[j] == (u8)j, (u64)p, j, p[j]);
}

static void guest_code(void)
{
	u64 si, di, cx, j;
	u8 v;

	/* 1: rep outsb, 3: one element per exit. */
	si = (u64)src; di = 0; cx = 3;
	v = STRIO("rep outsb", si, di, cx);
	GUEST_SYNC_ARGS(1, si - (u64)src, cx, v, 0);

	/* 2: rep insb, 3. */
	si = 0; di = (u64)buf + 10; cx = 3;
	v = STRIO("rep insb", si, di, cx);
	check_in(buf + 10, 3);
	GUEST_SYNC_ARGS(2, di - (u64)buf, cx, v, 0);

	/* 3: rep insb, 5000, across pages: several exits. */
	di = (u64)buf + 100; cx = 5000;
	v = STRIO("rep insb", si, di, cx);
	check_in(buf + 100, 5000);
	GUEST_SYNC_ARGS(3, di - (u64)buf, cx, v, 0);

	/* 4: rep insw, 4, one element across a page boundary. */
	di = (u64)buf + 4093; cx = 4;
	v = STRIO("rep insw", si, di, cx);
	check_in(buf + 4093, 8);
	GUEST_SYNC_ARGS(4, di - (u64)buf, cx, v, 0);

	/* 5: rep insd, 3, DF=1: elements stored downwards. */
	di = (u64)buf + 0x2008; cx = 3;
	asm volatile("std");
	v = STRIO("rep insl", si, di, cx);
	asm volatile("cld");
	for (j = 0; j < 3; j++)
		GUEST_ASSERT_2(*(u32 *)(buf + 0x2008 - 4 * j) ==
			       (u32)(0x03020100 + 0x04040404 * j), j,
			       *(u32 *)(buf + 0x2008 - 4 * j));
	GUEST_SYNC_ARGS(5, di - (u64)buf, cx, v, 0);

	/* 6: insd without REP: RCX untouched. */
	di = (u64)buf + 0x3000; cx = 77;
	v = STRIO("insl", si, di, cx);
	check_in(buf + 0x3000, 4);
	GUEST_SYNC_ARGS(6, di - (u64)buf, cx, v, 0);

	/* 7: outsw without REP, then rep outsl with DF=1. */
	si = (u64)src; cx = 99;
	v = STRIO("outsw", si, di, cx);
	GUEST_SYNC_ARGS(7, si - (u64)src, cx, v, 0);
	si = (u64)src + 4; cx = 2;
	asm volatile("std");
	v = STRIO("rep outsl", si, di, cx);
	asm volatile("cld");
	GUEST_SYNC_ARGS(8, si - (u64)src, cx, v, 0);

	/* 9: 32-bit address size: RCX bits 63:32 are not the count. */
	di = (u64)buf + 0x3100; cx = 0x100000003ULL;
	v = STRIO("addr32 rep insb", si, di, cx);
	check_in(buf + 0x3100, 3);
	GUEST_SYNC_ARGS(9, di - (u64)buf, cx, v, 0);

	/* 10: rep outsb from an unmapped buffer: #PF, no exit. */
	si = UNMAPPED; cx = 3;
	v = STRIO("rep outsb", si, di, cx);
	GUEST_SYNC_ARGS(10, si - UNMAPPED, cx, v, 0);

	/* 11: rep insb to an unmapped buffer: the IN happens, then #PF. */
	di = UNMAPPED; cx = 3;
	v = STRIO("rep insb", si, di, cx);
	GUEST_SYNC_ARGS(11, di - UNMAPPED, cx, v, 0);

	/* 12: REP with RCX = 0: nothing. */
	si = (u64)src; di = (u64)buf; cx = 0;
	v = STRIO("rep outsb", si, di, cx);
	v |= STRIO("rep insb", si, di, cx) << 4;
	GUEST_SYNC_ARGS(12, si - (u64)src, di - (u64)buf, v, 0);

	/* 13: OUTS with an FS override: FS's base counts in 64-bit mode. */
	wrmsr(MSR_FS_BASE, (u64)src);
	si = 2; cx = 2;
	v = STRIO("rep outsb %%fs:(%%rsi), (%%dx)", si, di, cx);
	GUEST_SYNC_ARGS(13, si, cx, v, 0);
	GUEST_DONE();
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_run *run;
	struct kvm_vm *vm;
	unsigned int exits = 0, i;
	struct ucall uc;
	u8 gen = 0;
	u8 *data;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	run = vcpu->run;

	for (;;) {
		vcpu_run(vcpu);
		TEST_ASSERT(run->exit_reason == KVM_EXIT_IO,
			    "exit reason %u (%s)", run->exit_reason,
			    exit_reason_str(run->exit_reason));
		if (run->io.port == PORT) {
			TEST_ASSERT(run->io.count >= 1 &&
				    run->io.data_offset >= 4096 &&
				    run->io.data_offset + run->io.count *
				    run->io.size <= 2 * 4096,
				    "count %u size %u offset %llu",
				    run->io.count, run->io.size,
				    run->io.data_offset);
			data = (u8 *)run + run->io.data_offset;
			TEST_ASSERT(++exits < 100, "too many exits");
			if (run->io.direction == KVM_EXIT_IO_IN) {
				for (i = 0; i < run->io.count * run->io.size; i++)
					data[i] = gen++;
				printf("record in size=%u port=%#x count=%u\n",
				       run->io.size, run->io.port, run->io.count);
				continue;
			}
			printf("record out size=%u port=%#x count=%u data=",
			       run->io.size, run->io.port, run->io.count);
			for (i = 0; i < run->io.count * run->io.size; i++)
				printf("%02x", data[i]);
			printf("\n");
			continue;
		}
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			printf("record case=%lu reg=%#lx rcx=%#lx vector=%lu\n",
			       uc.args[1], uc.args[2], uc.args[3], uc.args[4]);
			gen = 0;
			exits = 0;
			break;
		case UCALL_DONE:
			kvm_vm_free(vm);
			ksft_print_msg("done\n");
			return 0;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT_3(uc, "p %#lx j %lu v %#lx");
			break;
		default:
			TEST_FAIL("ucall %lu", uc.cmd);
		}
	}
}
