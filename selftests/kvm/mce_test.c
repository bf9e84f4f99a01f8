// SPDX-License-Identifier: GPL-2.0
/*
 * The guest's machine checks: KVM_X86_SETUP_MCE refuses no banks, too many
 * and unsupported capabilities; KVM_X86_SET_MCE refuses a bank the vCPU
 * lacks and a status without VAL. An uncorrected error set while the
 * guest has CR4.MCE reaches its #MC handler, which reads the bank's
 * values and MCG_STATUS from the MSRs; a corrected one is only logged (a
 * second one sets OVER). The guest may clear MCi_STATUS but not set it,
 * MCi_CTL takes only 0 and all ones, and MCG_CAP is read-only (#GP). With
 * CR4.MCE clear an uncorrected error shuts the guest down.
 */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

#define MC_VECTOR	18
#define BANKS		10
#define MCG_CTL_P	BIT_ULL(8)
#define MCG_SER_P	BIT_ULL(24)
#define MCG_RIPV	BIT_ULL(0)
#define MCG_EIPV	BIT_ULL(1)
#define MCG_MCIP	BIT_ULL(2)
#define MCI_VAL		BIT_ULL(63)
#define MCI_OVER	BIT_ULL(62)
#define MCI_UC		BIT_ULL(61)
#define MCI_EN		BIT_ULL(60)
#define MCI_MISCV	BIT_ULL(59)
#define MCI_ADDRV	BIT_ULL(58)
#define MCI_S		BIT_ULL(56)
#define MCI_AR		BIT_ULL(55)
#define MC_CTL(i)	(0x400 + 4 * (i))
#define MC_STATUS(i)	(MC_CTL(i) + 1)
#define MC_ADDR(i)	(MC_CTL(i) + 2)
#define MC_MISC(i)	(MC_CTL(i) + 3)

#define UC_STATUS	(MCI_VAL | MCI_UC | MCI_EN | MCI_MISCV | MCI_ADDRV | \
			 MCI_S | MCI_AR | 0x134)
#define UC_ADDR		0x12345000ULL
#define UC_MISC		0x86ULL
#define UC_MCG		(MCG_RIPV | MCG_EIPV | MCG_MCIP)

/* What the #MC handler read: MCG_STATUS and bank 1's STATUS, ADDR, MISC. */
static u64 mc_seen[4];
static int mc_count, gp_count;

static void mc_handler(struct ex_regs *regs)
{
	mc_seen[0] = rdmsr(MSR_IA32_MCG_STATUS);
	mc_seen[1] = rdmsr(MC_STATUS(1));
	mc_seen[2] = rdmsr(MC_ADDR(1));
	mc_seen[3] = rdmsr(MC_MISC(1));
	/* Handled: the bank and MCIP cleared, as an OS does. */
	wrmsr(MC_STATUS(1), 0);
	wrmsr(MSR_IA32_MCG_STATUS, 0);
	mc_count++;
}

/* RDMSR and WRMSR are two bytes: a #GP skips the instruction. */
static void gp_handler(struct ex_regs *regs)
{
	gp_count++;
	regs->rip += 2;
}

static void guest_wrmsr(u32 msr, u64 v)
{
	asm volatile("wrmsr" :: "a"((u32)v), "d"((u32)(v >> 32)), "c"(msr)
		     : "memory");
}

static u64 guest_rdmsr(u32 msr)
{
	u32 a = 0, d = 0;

	asm volatile("rdmsr" : "+a"(a), "+d"(d) : "c"(msr) : "memory");
	return a | (u64)d << 32;
}

static void guest_main(void)
{
	/* What SETUP_MCE gave: the banks, and reporting on. */
	GUEST_ASSERT_2((guest_rdmsr(MSR_IA32_MCG_CAP) & 0xff) == BANKS,
		       guest_rdmsr(MSR_IA32_MCG_CAP), 0);
	GUEST_ASSERT_2(guest_rdmsr(MSR_IA32_MCG_CTL) == ~0ULL,
		       guest_rdmsr(MSR_IA32_MCG_CTL), 0);
	GUEST_ASSERT_2(guest_rdmsr(MC_CTL(BANKS - 1)) == ~0ULL, 0, 0);

	/* The guest's rules for the MSRs. */
	guest_wrmsr(MC_STATUS(0), MCI_VAL);
	GUEST_ASSERT_2(gp_count == 1, gp_count, 0);
	guest_wrmsr(MC_CTL(0), 0x1234);
	GUEST_ASSERT_2(gp_count == 2, gp_count, 0);
	guest_wrmsr(MSR_IA32_MCG_CAP, 0);
	GUEST_ASSERT_2(gp_count == 3, gp_count, 0);
	guest_rdmsr(MC_CTL(BANKS));
	GUEST_ASSERT_2(gp_count == 4, gp_count, 0);
	guest_wrmsr(MC_CTL(0), 0);
	guest_wrmsr(MC_STATUS(0), 0);
	guest_wrmsr(MC_ADDR(0), 0xabc);
	GUEST_ASSERT_2(gp_count == 4 && guest_rdmsr(MC_ADDR(0)) == 0xabc,
		       gp_count, 0);
	guest_wrmsr(MC_CTL(0), ~0ULL);

	set_cr4(get_cr4() | X86_CR4_MCE);
	GUEST_SYNC(1);
	/* The host's KVM_X86_SET_MCE struck on the way back. */
	GUEST_ASSERT_2(mc_count == 1, mc_count, 0);
	GUEST_SYNC_ARGS(2, mc_seen[0], mc_seen[1], mc_seen[2], mc_seen[3]);
	GUEST_DONE();
}

static void set_mce(struct kvm_vcpu *vcpu, u8 bank, u64 status, u64 mcg,
		    int want_errno)
{
	struct kvm_x86_mce mce = {
		.status = status, .addr = UC_ADDR, .misc = UC_MISC,
		.mcg_status = mcg, .bank = bank,
	};
	int r = __vcpu_ioctl(vcpu, KVM_X86_SET_MCE, &mce);

	if (want_errno)
		TEST_ASSERT(r == -1 && errno == want_errno,
			    "SET_MCE bank %u status %#lx: r %d errno %d", bank,
			    status, r, errno);
	else
		TEST_ASSERT(!r, "SET_MCE bank %u: errno %d", bank, errno);
}

static int setup_mce(struct kvm_vcpu *vcpu, u64 cap)
{
	return __vcpu_ioctl(vcpu, KVM_X86_SETUP_MCE, &cap) ? errno : 0;
}

static struct kvm_vm *create(struct kvm_vcpu **vcpu, u64 supported)
{
	struct kvm_vm *vm = vm_create_with_one_vcpu(vcpu, guest_main);
	u64 bad = 0;
	int bit;

	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(*vcpu);
	vm_install_exception_handler(vm, MC_VECTOR, mc_handler);
	vm_install_exception_handler(vm, GP_VECTOR, gp_handler);

	/* A capability bit that is neither supported nor a count field. */
	for (bit = 8; bit < 64 && !bad; bit++)
		if ((bit < 16 || bit > 23) && !(supported & BIT_ULL(bit)))
			bad = BIT_ULL(bit);
	ASSERT_EQ(setup_mce(*vcpu, 0), EINVAL);
	ASSERT_EQ(setup_mce(*vcpu, 33), EINVAL);
	ASSERT_EQ(setup_mce(*vcpu, BANKS | bad), EINVAL);
	ASSERT_EQ(setup_mce(*vcpu, BANKS | MCG_CTL_P | MCG_SER_P), 0);
	return vm;
}

static u64 get_msr(struct kvm_vcpu *vcpu, u32 msr)
{
	return vcpu_get_msr(vcpu, msr);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	struct ucall uc;
	u64 supported;
	int fd;

	TEST_REQUIRE(kvm_check_cap(KVM_CAP_MCE) >= BANKS);
	fd = open_kvm_dev_path_or_exit();
	TEST_ASSERT(!ioctl(fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &supported),
		    "KVM_X86_GET_MCE_CAP_SUPPORTED: errno %d", errno);
	close(fd);
	ASSERT_EQ(supported & (MCG_CTL_P | MCG_SER_P), MCG_CTL_P | MCG_SER_P);

	vm = create(&vcpu, supported);
	set_mce(vcpu, BANKS, UC_STATUS, UC_MCG, EINVAL);
	set_mce(vcpu, 1, UC_STATUS & ~MCI_VAL, UC_MCG, EINVAL);

	/* Corrected errors: logged, the second over the first. */
	set_mce(vcpu, 2, MCI_VAL | MCI_EN | 0x11, 0, 0);
	ASSERT_EQ(get_msr(vcpu, MC_STATUS(2)), MCI_VAL | MCI_EN | 0x11);
	ASSERT_EQ(get_msr(vcpu, MC_ADDR(2)), UC_ADDR);
	set_mce(vcpu, 2, MCI_VAL | MCI_EN | 0x12, 0, 0);
	ASSERT_EQ(get_msr(vcpu, MC_STATUS(2)), MCI_VAL | MCI_OVER | MCI_EN | 0x12);
	printf("record corrected errors logged, OVER on the second\n");

	run_to(vcpu, 1);
	set_mce(vcpu, 1, UC_STATUS, UC_MCG, 0);
	uc = run_to(vcpu, 2);
	ASSERT_EQ(uc.args[2], UC_MCG);
	ASSERT_EQ(uc.args[3], UC_STATUS);
	ASSERT_EQ(uc.args[4], UC_ADDR);
	ASSERT_EQ(uc.args[5], UC_MISC);
	ASSERT_EQ(get_msr(vcpu, MC_STATUS(1)), 0);
	run_to(vcpu, RUN_TO_DONE);
	printf("record #MC delivered with the bank's values\n");
	kvm_vm_free(vm);

	/* CR4.MCE clear (before stage 1): an uncorrected error is shutdown. */
	vm = create(&vcpu, supported);
	set_mce(vcpu, 1, UC_STATUS, UC_MCG, 0);
	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_SHUTDOWN,
		    "exit %u (%s), want shutdown", vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	kvm_vm_free(vm);
	printf("record #MC without CR4.MCE shuts down\n");
	return 0;
}
