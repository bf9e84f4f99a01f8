// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_DEBUGREGS and KVM_SET_DEBUGREGS, and the guest's debug
 * registers really being the CPU's while it runs:
 *  - the guest reads with MOV what userspace set, and userspace reads
 *    what the guest set (DR6 and DR7 with their fixed bits);
 *  - a data breakpoint the guest arms in DR0/DR7 raises #DB in the guest
 *    right after the write, with B0 in DR6; an instruction breakpoint in
 *    DR1 raises #DB before the instruction, at its address;
 *  - a breakpoint userspace arms with KVM_SET_DEBUGREGS fires likewise;
 *  - DR7.GD makes the next MOV DR a #DB with BD, and clears GD;
 *  - bits 63:32 of DR6 or DR7, or non-zero flags, are EINVAL, and change
 *    nothing.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#define DR6_FIXED	0xffff0ff0ULL
#define DR6_B0		BIT_ULL(0)
#define DR6_B1		BIT_ULL(1)
#define DR6_BD		BIT_ULL(13)
#define DR7_FIXED	0x400ULL
#define DR7_L0		BIT_ULL(0)
#define DR7_L1		BIT_ULL(2)
#define DR7_GD		BIT_ULL(13)
/* Breakpoint 0: data writes (R/W 01), 4 bytes (LEN 11). */
#define DR7_RW0_WRITE	BIT_ULL(16)
#define DR7_LEN0_4	(3ULL << 18)

#define NR_STAGES	8

static u32 watched;
/* What the #DB handler saw: count, RIP, DR6 and DR7 of the last one. */
static u64 db_count, db_rip, db_dr6, db_dr7;

/* MOV from and to DR@n (a constant: each case is its own instruction). */
static inline u64 get_dr(int n)
{
	u64 v = 0;

	switch (n) {
	case 0:
		asm volatile("mov %%dr0, %0" : "=r"(v));
		break;
	case 1:
		asm volatile("mov %%dr1, %0" : "=r"(v));
		break;
	case 2:
		asm volatile("mov %%dr2, %0" : "=r"(v));
		break;
	case 3:
		asm volatile("mov %%dr3, %0" : "=r"(v));
		break;
	case 6:
		asm volatile("mov %%dr6, %0" : "=r"(v));
		break;
	case 7:
		asm volatile("mov %%dr7, %0" : "=r"(v));
		break;
	}
	return v;
}

static inline void set_dr(int n, u64 v)
{
	switch (n) {
	case 0:
		asm volatile("mov %0, %%dr0" : : "r"(v));
		break;
	case 1:
		asm volatile("mov %0, %%dr1" : : "r"(v));
		break;
	case 2:
		asm volatile("mov %0, %%dr2" : : "r"(v));
		break;
	case 3:
		asm volatile("mov %0, %%dr3" : : "r"(v));
		break;
	case 6:
		asm volatile("mov %0, %%dr6" : : "r"(v));
		break;
	case 7:
		asm volatile("mov %0, %%dr7" : : "r"(v));
		break;
	}
}

static void guest_db_handler(struct ex_regs *regs)
{
	WRITE_ONCE(db_count, db_count + 1);
	WRITE_ONCE(db_rip, regs->rip);
	WRITE_ONCE(db_dr6, get_dr(6));
	WRITE_ONCE(db_dr7, get_dr(7));
	set_dr(6, 0);
	/* An instruction breakpoint is a fault: RF lets the insn run. */
	regs->rflags |= BIT(16);	/* RF */
}

extern char bp_insn[], after_write[];

static void guest_code(void)
{
	/* 1: userspace's values, as MOV reads them. */
	GUEST_SYNC_ARGS(1, get_dr(0), get_dr(1), get_dr(2), get_dr(3));
	GUEST_SYNC_ARGS(2, get_dr(6), get_dr(7), 0, 0);

	/* 3: the guest's own values, for userspace to read. */
	set_dr(0, 0x1111000);
	set_dr(1, 0x2222000);
	set_dr(2, 0x3333000);
	set_dr(3, 0x4444000);
	set_dr(6, 0);
	set_dr(7, 0);
	GUEST_SYNC(3);

	/* 4: a data breakpoint armed by the guest. */
	WRITE_ONCE(db_count, 0);
	set_dr(0, (u64)&watched);
	set_dr(7, DR7_L0 | DR7_RW0_WRITE | DR7_LEN0_4);
	asm volatile("movl $1, %0\n\t"
		     "after_write:" : "=m"(watched));
	set_dr(7, 0);
	GUEST_SYNC_ARGS(4, READ_ONCE(db_count), READ_ONCE(db_rip),
			READ_ONCE(db_dr6), 0);

	/* 5: an instruction breakpoint armed by the guest. */
	WRITE_ONCE(db_count, 0);
	set_dr(1, (u64)bp_insn);
	set_dr(7, DR7_L1);
	asm volatile("bp_insn: nop");
	set_dr(7, 0);
	GUEST_SYNC_ARGS(5, READ_ONCE(db_count), READ_ONCE(db_rip),
			READ_ONCE(db_dr6), 0);

	/* 6: userspace armed DR0/DR7 while the guest was stopped. */
	WRITE_ONCE(db_count, 0);
	WRITE_ONCE(watched, 2);
	GUEST_SYNC_ARGS(6, READ_ONCE(db_count), READ_ONCE(db_rip),
			READ_ONCE(db_dr6), 0);
	set_dr(7, 0);

	/* 7: general detect. */
	WRITE_ONCE(db_count, 0);
	set_dr(7, DR7_GD);
	set_dr(0, 0);
	GUEST_SYNC_ARGS(7, READ_ONCE(db_count), READ_ONCE(db_dr6),
			READ_ONCE(db_dr7), get_dr(7));
	GUEST_DONE();
}

static struct ucall run_stage(struct kvm_vcpu *vcpu, u64 stage)
{
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
		    "stage %lu: exit reason %u (%s)", stage,
		    vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_SYNC:
		TEST_ASSERT(uc.args[1] == stage, "stage %lu, want %lu",
			    uc.args[1], stage);
		break;
	case UCALL_DONE:
		TEST_ASSERT(stage == NR_STAGES, "done at stage %lu", stage);
		break;
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	default:
		TEST_FAIL("stage %lu: ucall %lu", stage, uc.cmd);
	}
	return uc;
}

static void expect_einval(struct kvm_vcpu *vcpu, struct kvm_debugregs *d,
			  const char *name)
{
	struct kvm_debugregs before, after;
	int r;

	vcpu_debugregs_get(vcpu, &before);
	r = __vcpu_ioctl(vcpu, KVM_SET_DEBUGREGS, d);
	TEST_ASSERT(r == -1 && errno == EINVAL, "%s: %d errno %d", name, r,
		    errno);
	vcpu_debugregs_get(vcpu, &after);
	TEST_ASSERT(!memcmp(&before, &after, sizeof(after)), "%s changed state",
		    name);
	ksft_test_result_pass("%s\n", name);
}

int main(void)
{
	struct kvm_debugregs d;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;

	setbuf(stdout, NULL);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_DEBUGREGS));
	ksft_print_header();
	ksft_set_plan(10);

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_exception_handler(vm, DB_VECTOR, guest_db_handler);

	memset(&d, 0, sizeof(d));
	d.db[0] = 0xaaaa000;
	d.db[1] = 0xbbbb000;
	d.db[2] = 0xcccc000;
	d.db[3] = 0xdddd000;
	d.dr6 = DR6_FIXED | DR6_B1;
	/* LE and GE: no breakpoint armed. */
	d.dr7 = DR7_FIXED | BIT_ULL(8) | BIT_ULL(9);
	vcpu_debugregs_set(vcpu, &d);
	uc = run_stage(vcpu, 1);
	TEST_ASSERT(uc.args[2] == d.db[0] && uc.args[3] == d.db[1] &&
		    uc.args[4] == d.db[2] && uc.args[5] == d.db[3],
		    "guest DR0-3 0x%lx 0x%lx 0x%lx 0x%lx", uc.args[2],
		    uc.args[3], uc.args[4], uc.args[5]);
	uc = run_stage(vcpu, 2);
	TEST_ASSERT(uc.args[2] == d.dr6 && uc.args[3] == d.dr7,
		    "guest DR6 0x%lx DR7 0x%lx, want 0x%llx 0x%llx",
		    uc.args[2], uc.args[3], d.dr6, d.dr7);
	ksft_test_result_pass("guest_reads_set_debugregs\n");

	run_stage(vcpu, 3);
	vcpu_debugregs_get(vcpu, &d);
	TEST_ASSERT(d.db[0] == 0x1111000 && d.db[1] == 0x2222000 &&
		    d.db[2] == 0x3333000 && d.db[3] == 0x4444000,
		    "DR0-3 0x%llx 0x%llx 0x%llx 0x%llx", d.db[0], d.db[1],
		    d.db[2], d.db[3]);
	TEST_ASSERT(d.dr6 == DR6_FIXED && d.dr7 == DR7_FIXED,
		    "DR6 0x%llx DR7 0x%llx after the guest wrote 0 to both",
		    d.dr6, d.dr7);
	ksft_test_result_pass("get_debugregs_reads_guest_mov\n");

	uc = run_stage(vcpu, 4);
	TEST_ASSERT(uc.args[2] == 1, "data breakpoint: %lu #DBs", uc.args[2]);
	TEST_ASSERT(uc.args[3] == (u64)after_write,
		    "data breakpoint #DB at 0x%lx, want 0x%lx (after the write)",
		    uc.args[3], (u64)after_write);
	TEST_ASSERT((uc.args[4] & 0xf) == DR6_B0 && (uc.args[4] & DR6_FIXED) ==
		    DR6_FIXED, "data breakpoint DR6 0x%lx", uc.args[4]);
	ksft_test_result_pass("guest_data_breakpoint\n");

	uc = run_stage(vcpu, 5);
	TEST_ASSERT(uc.args[2] == 1, "instruction breakpoint: %lu #DBs",
		    uc.args[2]);
	TEST_ASSERT(uc.args[3] == (u64)bp_insn,
		    "instruction breakpoint #DB at 0x%lx, want 0x%lx",
		    uc.args[3], (u64)bp_insn);
	TEST_ASSERT((uc.args[4] & 0xf) == DR6_B1, "instruction breakpoint DR6 0x%lx",
		    uc.args[4]);
	ksft_test_result_pass("guest_insn_breakpoint\n");

	/* Userspace arms a write breakpoint on 'watched' in DR0. */
	vcpu_debugregs_get(vcpu, &d);
	d.db[0] = (u64)&watched;
	d.dr7 = DR7_FIXED | DR7_L0 | DR7_RW0_WRITE | DR7_LEN0_4;
	vcpu_debugregs_set(vcpu, &d);
	uc = run_stage(vcpu, 6);
	TEST_ASSERT(uc.args[2] == 1 && (uc.args[4] & 0xf) == DR6_B0,
		    "userspace's breakpoint: %lu #DBs, DR6 0x%lx", uc.args[2],
		    uc.args[4]);
	ksft_test_result_pass("set_debugregs_breakpoint_fires\n");

	uc = run_stage(vcpu, 7);
	TEST_ASSERT(uc.args[2] == 1 && (uc.args[3] & DR6_BD),
		    "general detect: %lu #DBs, DR6 0x%lx", uc.args[2],
		    uc.args[3]);
	TEST_ASSERT(!(uc.args[4] & DR7_GD) && !(uc.args[5] & DR7_GD),
		    "DR7.GD still set in the handler (0x%lx) or after (0x%lx)",
		    uc.args[4], uc.args[5]);
	ksft_test_result_pass("general_detect\n");
	run_stage(vcpu, NR_STAGES);
	ksft_test_result_pass("guest_done\n");

	vcpu_debugregs_get(vcpu, &d);
	d.dr6 |= BIT_ULL(32);
	expect_einval(vcpu, &d, "dr6_high_einval");
	vcpu_debugregs_get(vcpu, &d);
	d.dr7 |= BIT_ULL(63);
	expect_einval(vcpu, &d, "dr7_high_einval");
	vcpu_debugregs_get(vcpu, &d);
	d.flags = 1;
	expect_einval(vcpu, &d, "flags_einval");

	kvm_vm_free(vm);
	ksft_finished();
}
