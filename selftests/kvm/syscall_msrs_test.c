// SPDX-License-Identifier: GPL-2.0
/*
 * The SYSCALL MSRs (STAR, LSTAR, CSTAR, SFMASK) and KERNEL_GS_BASE are the
 * guest's own: 0 at vCPU creation (guest RDMSR and KVM_GET_MSRS), bad
 * values refused (#GP in the guest, KVM_SET_MSRS stopping at the entry),
 * and SYSCALL and SWAPGS use what the guest wrote, also after a ucall
 * round trip to the host. Everything the guest must remember across a
 * possible exit is in memory.
 */
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

#define NONCANONICAL	0x0000800000000000ULL	/* bit 47 set, 63:48 clear */

#define GUEST_CSTAR	0xffffffff80001000ULL	/* canonical, never used */
#define GUEST_KGS_BASE	0x0000123456789000ULL
#define GUEST_GS_BASE	0xffff888000002000ULL

#define RFL_CF	BIT(0)
#define RFL_ZF	BIT(6)
#define RFL_TF	BIT(8)
#define RFL_DF	BIT(10)
#define RFL_OF	BIT(11)
#define RFL_AC	BIT(18)
/* RFLAGS at SYSCALL, and the bits SFMASK clears of them. */
#define FLAGS_IN	(X86_EFLAGS_FIXED | RFL_DF | RFL_AC | RFL_OF | RFL_ZF | RFL_CF)
#define GUEST_SFMASK	(RFL_DF | RFL_AC | RFL_ZF | RFL_TF)

static const u32 syscall_msrs[] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SYSCALL_MASK, MSR_KERNEL_GS_BASE,
};

#define NR_MSRS ARRAY_SIZE(syscall_msrs)

/* Values the guest may not write: #GP, the MSR unchanged. */
static const struct {
	u32 msr;
	u64 value;
} bad_writes[] = {
	{ MSR_SYSCALL_MASK,	BIT_ULL(32) },
	{ MSR_SYSCALL_MASK,	BIT_ULL(63) | RFL_DF },
	{ MSR_LSTAR,		NONCANONICAL },
	{ MSR_CSTAR,		NONCANONICAL },
	{ MSR_KERNEL_GS_BASE,	NONCANONICAL },
};

#define NR_BAD ARRAY_SIZE(bad_writes)

/* What each bad write did: written by the guest, read by the host. */
static struct {
	u8 vector;
	u64 after;
} bad_results[NR_BAD];

/* What the guest writes, in the order of syscall_msrs; the guest sets LSTAR. */
static u64 guest_values[NR_MSRS];

/* What the SYSCALL entry saw, written by the entry code below. */
u64 nvmx_sc_rcx, nvmx_sc_r11, nvmx_sc_rflags, nvmx_sc_flags_back;
u64 nvmx_sc_count;
u16 nvmx_sc_cs, nvmx_sc_ss;

/*
 * nvmx_do_syscall(RDI = rflags) loads RFLAGS and executes SYSCALL. The entry
 * records RCX, R11, RFLAGS, CS and SS and returns to RCX with R11's flags,
 * which the caller saves before loading clean flags (DF must not stay set
 * for C code).
 */
asm(".pushsection .text\n"
	".globl nvmx_do_syscall\n"
	".type nvmx_do_syscall, @function\n"
	"nvmx_do_syscall:\n"
	"	pushq %rdi\n"
	"	popfq\n"
	"	syscall\n"
	"nvmx_syscall_ret:\n"
	"	pushfq\n"
	"	popq nvmx_sc_flags_back(%rip)\n"
	"	pushq $2\n"
	"	popfq\n"
	"	ret\n"
	"nvmx_syscall_entry:\n"
	"	movq %rcx, nvmx_sc_rcx(%rip)\n"
	"	movq %r11, nvmx_sc_r11(%rip)\n"
	"	pushfq\n"
	"	popq nvmx_sc_rflags(%rip)\n"
	"	movw %cs, nvmx_sc_cs(%rip)\n"
	"	movw %ss, nvmx_sc_ss(%rip)\n"
	"	incq nvmx_sc_count(%rip)\n"
	"	pushq %r11\n"
	"	popfq\n"
	"	jmp *%rcx\n"
	".popsection\n");

/* The asm's labels, reached from C through asm only. */
static u64 syscall_entry_address(void)
{
	u64 addr;

	asm("lea nvmx_syscall_entry(%%rip), %0" : "=r"(addr));
	return addr;
}

static u64 syscall_return_address(void)
{
	u64 addr;

	asm("lea nvmx_syscall_ret(%%rip), %0" : "=r"(addr));
	return addr;
}

static void guest_syscall(u64 rflags)
{
	asm volatile("call nvmx_do_syscall"
		     : "+D"(rflags) : : "rcx", "r11", "memory", "cc");
}

static void guest_check_msrs(const u64 *want)
{
	unsigned int i;

	for (i = 0; i < NR_MSRS; i++) {
		u64 val = rdmsr(syscall_msrs[i]);

		GUEST_ASSERT_3(val == want[i], syscall_msrs[i], val, want[i]);
	}
}

/* SYSCALL lands at the guest's LSTAR with the SDM's RCX, R11 and RFLAGS. */
static void guest_check_syscall(void)
{
	u64 count = nvmx_sc_count;
	u16 cs = guest_values[0] >> 32;

	guest_syscall(FLAGS_IN);
	GUEST_ASSERT_2(nvmx_sc_count == count + 1, nvmx_sc_count, count);
	GUEST_ASSERT_2(nvmx_sc_rcx == syscall_return_address(), nvmx_sc_rcx,
		       syscall_return_address());
	GUEST_ASSERT_2(nvmx_sc_r11 == FLAGS_IN, nvmx_sc_r11, FLAGS_IN);
	GUEST_ASSERT_2(nvmx_sc_rflags == (FLAGS_IN & ~GUEST_SFMASK),
		       nvmx_sc_rflags, FLAGS_IN & ~GUEST_SFMASK);
	GUEST_ASSERT_2(nvmx_sc_cs == cs, nvmx_sc_cs, cs);
	GUEST_ASSERT_2(nvmx_sc_ss == cs + 8, nvmx_sc_ss, cs + 8);
	GUEST_ASSERT_2(nvmx_sc_flags_back == FLAGS_IN, nvmx_sc_flags_back, FLAGS_IN);
}

/* SWAPGS exchanges GS base with KERNEL_GS_BASE, both ways. */
static void guest_check_swapgs(void)
{
	u64 gs, kgs;

	wrmsr(MSR_GS_BASE, GUEST_GS_BASE);
	asm volatile("swapgs" ::: "memory");
	gs = rdmsr(MSR_GS_BASE);
	kgs = rdmsr(MSR_KERNEL_GS_BASE);
	GUEST_ASSERT_2(gs == GUEST_KGS_BASE, gs, GUEST_KGS_BASE);
	GUEST_ASSERT_2(kgs == GUEST_GS_BASE, kgs, GUEST_GS_BASE);
	asm volatile("swapgs" ::: "memory");
	gs = rdmsr(MSR_GS_BASE);
	kgs = rdmsr(MSR_KERNEL_GS_BASE);
	GUEST_ASSERT_2(gs == GUEST_GS_BASE, gs, GUEST_GS_BASE);
	GUEST_ASSERT_2(kgs == GUEST_KGS_BASE, kgs, GUEST_KGS_BASE);
}

static void guest_code(void)
{
	static const u64 zeros[NR_MSRS];
	unsigned int i;

	guest_check_msrs(zeros);

	/* KVM loads SFMASK into hardware only with EFER.SCE: set it first. */
	wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
	for (i = 0; i < NR_BAD; i++) {
		bad_results[i].vector = wrmsr_safe(bad_writes[i].msr, bad_writes[i].value);
		bad_results[i].after = rdmsr(bad_writes[i].msr);
		/* Back to 0 for what follows, whatever happened. */
		if (bad_results[i].after)
			wrmsr_safe(bad_writes[i].msr, 0);
	}
	GUEST_SYNC(1);
	guest_check_msrs(zeros);

	guest_values[1] = syscall_entry_address();
	for (i = 0; i < NR_MSRS; i++)
		wrmsr(syscall_msrs[i], guest_values[i]);
	guest_check_msrs(guest_values);
	guest_check_syscall();
	guest_check_swapgs();

	/* The host checks them with KVM_GET_MSRS; ours afterwards. */
	GUEST_SYNC(2);
	guest_check_msrs(guest_values);
	guest_check_syscall();
	guest_check_swapgs();
	GUEST_DONE();
}

static u64 run_ucall(struct kvm_vcpu *vcpu)
{
	struct ucall uc;
	u64 cmd;

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
		    "exit reason %u (%s), want KVM_EXIT_IO", vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	cmd = get_ucall(vcpu, &uc);
	if (cmd == UCALL_ABORT)
		REPORT_GUEST_ASSERT_3(uc, "MSR/value 0x%lx, got 0x%lx, want 0x%lx");
	TEST_ASSERT(cmd != UCALL_UNHANDLED, "guest got unexpected vector %lu",
		    uc.args[0]);
	return cmd;
}

static void host_check_msrs(struct kvm_vcpu *vcpu, const u64 *want)
{
	unsigned int i;

	for (i = 0; i < NR_MSRS; i++) {
		u64 val = vcpu_get_msr(vcpu, syscall_msrs[i]);

		TEST_ASSERT(val == want[i], "KVM_GET_MSRS 0x%x: 0x%lx, want 0x%lx",
			    syscall_msrs[i], val, want[i]);
	}
}

/*
 * A guest WRMSR that must #GP and leave the MSR at 0. kvm_intel leaves
 * SFMASK's reserved bits 63:32 to the CPU (6.1: vmx_set_guest_uret_msr()
 * keeps what wrmsrl_safe() accepts); silicon refuses them, Bochs drops them
 * without a fault, so only nvmx, which checks them itself, is held to it.
 */
static void check_bad_write(unsigned int i, bool nvmx)
{
	u32 msr = bad_writes[i].msr;
	u64 val = bad_writes[i].value;
	u8 vector = bad_results[i].vector;
	u64 after = bad_results[i].after;
	bool ok = vector == GP_VECTOR && !after;

	if (!ok)
		ksft_print_msg("WRMSR 0x%x = 0x%lx: vector %u, reads 0x%lx; want #GP, 0\n",
			       msr, val, vector, after);
	if (msr == MSR_SYSCALL_MASK && !nvmx && !ok)
		ksft_test_result_skip("wrmsr_0x%x_0x%lx_gp: this CPU took it, kvm_intel too\n",
				      msr, val);
	else
		ksft_test_result(ok, "wrmsr_0x%x_0x%lx_gp\n", msr, val);
}

int main(void)
{
	static const u64 zeros[NR_MSRS];
	struct kvm_sregs sregs;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	unsigned int i;
	bool nvmx;
	u64 cmd;
	int ret;

	setbuf(stdout, NULL);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_IMMEDIATE_EXIT));
	ksft_print_header();
	ksft_set_plan(4 + NR_BAD);
	nvmx = on_nvmx();

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);

	host_check_msrs(vcpu, zeros);
	ksft_test_result_pass("reset_values_zero\n");

	/* KVM_SET_MSRS stops at a non-canonical base: 0 entries done. */
	for (i = 0; i < NR_BAD; i++) {
		if (bad_writes[i].msr == MSR_SYSCALL_MASK)
			continue;
		ret = _vcpu_set_msr(vcpu, bad_writes[i].msr, bad_writes[i].value);
		TEST_ASSERT(ret == 0, "KVM_SET_MSRS 0x%x = 0x%lx did %d entries, want 0",
			    bad_writes[i].msr, bad_writes[i].value, ret);
	}
	host_check_msrs(vcpu, zeros);
	ksft_test_result_pass("host_noncanonical_refused\n");

	/*
	 * SYSCALL loads CS from STAR[47:32] and SS from that plus 8: libkvm's
	 * code selector, whose data selector follows it.
	 */
	vcpu_sregs_get(vcpu, &sregs);
	guest_values[0] = (u64)sregs.cs.selector << 32;
	/* LSTAR, guest_values[1], is the guest's to fill in. */
	guest_values[2] = GUEST_CSTAR;
	guest_values[3] = GUEST_SFMASK;
	guest_values[4] = GUEST_KGS_BASE;
	sync_global_to_guest(vm, guest_values);

	cmd = run_ucall(vcpu);
	TEST_ASSERT(cmd == UCALL_SYNC, "ucall %lu, want UCALL_SYNC 1", cmd);
	sync_global_from_guest(vm, bad_results);
	for (i = 0; i < NR_BAD; i++)
		check_bad_write(i, nvmx);

	cmd = run_ucall(vcpu);
	TEST_ASSERT(cmd == UCALL_SYNC, "ucall %lu, want UCALL_SYNC 2", cmd);
	sync_global_from_guest(vm, guest_values);
	host_check_msrs(vcpu, guest_values);
	ksft_test_result_pass("guest_values_syscall_swapgs\n");

	cmd = run_ucall(vcpu);
	TEST_ASSERT(cmd == UCALL_DONE, "ucall %lu, want UCALL_DONE", cmd);
	ksft_test_result_pass("guest_values_after_round_trip\n");

	kvm_vm_free(vm);
	ksft_finished();
}
