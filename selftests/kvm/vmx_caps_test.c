// SPDX-License-Identifier: GPL-2.0
/*
 * The VMX capability MSRs (0x480-0x491) and IA32_FEATURE_CONTROL as a guest
 * with VMX in its CPUID sees them, on kvm_intel and on nvmx alike:
 *
 * - they are feature MSRs of the device and (the restorable ones) in
 *   KVM_GET_MSR_INDEX_LIST; the vCPU's values are within the device's;
 * - the guest's RDMSR reads what KVM_GET_MSRS reads; its WRMSR is #GP;
 * - KVM_SET_MSRS restricts them within the device's values, and refuses
 *   the rest (KVM 6.1's rules); the guest reads the restricted value;
 * - IA32_FEATURE_CONTROL: the guest cannot write it once locked, the host
 *   can; VMX-enable bits and CR4.VMXE only with VMX in CPUID; without it
 *   no VMX MSR exists, for the guest or the host.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#define NO_VECTOR		0
#define VMX_MSR_FIRST		0x480
#define NR_VMX_MSRS		18
#define MSR(i)			(VMX_MSR_FIRST + (i))
#define FC_VMX_OUTSIDE_SMX	BIT_ULL(2)
#define FC_RESERVED_BIT		BIT_ULL(15)

/* The legacy controls and FIXED1 are derived: not restorable, not listed. */
static bool restorable(u32 msr)
{
	return !(msr >= MSR_IA32_VMX_PINBASED_CTLS &&
		 msr <= MSR_IA32_VMX_ENTRY_CTLS) &&
	       msr != MSR_IA32_VMX_CR0_FIXED1 && msr != MSR_IA32_VMX_CR4_FIXED1;
}

/* Shared with the guest. */
static u64 gvals[2][NR_VMX_MSRS];
static u8 grd_vec[2][NR_VMX_MSRS], gwr_vec[NR_VMX_MSRS];
static u8 fc_vec[4], cr4_vec[2];
static u64 fc_read, cr4_read;

static void read_all(int pass)
{
	int i;

	for (i = 0; i < NR_VMX_MSRS; i++)
		grd_vec[pass][i] = rdmsr_safe(MSR(i), &gvals[pass][i]);
}

static u8 write_cr4_safe(u64 val)
{
	return kvm_asm_safe("mov %[v], %%cr4", [v] "r"(val));
}

static void guest_vmx(void)
{
	u64 cr4 = get_cr4();
	int i;

	read_all(0);
	for (i = 0; i < NR_VMX_MSRS; i++)
		gwr_vec[i] = wrmsr_safe(MSR(i), gvals[0][i]);
	GUEST_SYNC(1);

	read_all(1);
	GUEST_SYNC(2);

	fc_vec[0] = wrmsr_safe(MSR_IA32_FEAT_CTL,
			       FEAT_CTL_LOCKED | FC_VMX_OUTSIDE_SMX);
	fc_read = rdmsr(MSR_IA32_FEAT_CTL);
	fc_vec[1] = wrmsr_safe(MSR_IA32_FEAT_CTL,
			       FEAT_CTL_LOCKED | FC_VMX_OUTSIDE_SMX);
	GUEST_SYNC(3);

	/* The host unlocked it. */
	fc_vec[2] = wrmsr_safe(MSR_IA32_FEAT_CTL, FC_VMX_OUTSIDE_SMX);
	fc_vec[3] = wrmsr_safe(MSR_IA32_FEAT_CTL, FC_RESERVED_BIT);
	cr4_vec[0] = write_cr4_safe(cr4 | X86_CR4_VMXE);
	cr4_read = get_cr4();
	cr4_vec[1] = write_cr4_safe(cr4);
	GUEST_DONE();
}

static u8 nv_rd_vec, nv_fc_vec[2], nv_cr4_vec;

static void guest_no_vmx(void)
{
	u64 v;

	nv_rd_vec = rdmsr_safe(MSR_IA32_VMX_BASIC, &v);
	nv_fc_vec[0] = wrmsr_safe(MSR_IA32_FEAT_CTL,
				  FEAT_CTL_LOCKED | FC_VMX_OUTSIDE_SMX);
	nv_fc_vec[1] = wrmsr_safe(MSR_IA32_FEAT_CTL, FEAT_CTL_LOCKED);
	nv_cr4_vec = write_cr4_safe(get_cr4() | X86_CR4_VMXE);
	GUEST_DONE();
}

static void run_to(struct kvm_vcpu *vcpu, u64 cmd, u64 stage)
{
	struct ucall uc;

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
		    "exit reason %u (%s), want KVM_EXIT_IO",
		    vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	switch (get_ucall(vcpu, &uc)) {
	case UCALL_ABORT:
		REPORT_GUEST_ASSERT(uc);
		break;
	case UCALL_SYNC:
		TEST_ASSERT(cmd == UCALL_SYNC && uc.args[1] == stage,
			    "sync %lu, want stage %lu", uc.args[1], stage);
		break;
	case UCALL_DONE:
		TEST_ASSERT(cmd == UCALL_DONE, "done, want stage %lu", stage);
		break;
	default:
		TEST_FAIL("ucall %lu", uc.cmd);
	}
}

/* KVM_GET_MSRS/KVM_SET_MSRS of one MSR: how many were done (0 or 1). */
static int get_msr_raw(struct kvm_vcpu *vcpu, u32 index, u64 *val)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e;
	} b = { .hdr.nmsrs = 1, .e.index = index };
	int r = __vcpu_ioctl(vcpu, KVM_GET_MSRS, &b.hdr);

	*val = b.e.data;
	return r;
}

static bool in_list(const struct kvm_msr_list *l, u32 msr)
{
	u32 i;

	for (i = 0; i < l->nmsrs; i++)
		if (l->indices[i] == msr)
			return true;
	return false;
}

static void test_lists(void)
{
	const struct kvm_msr_list *feat = kvm_get_feature_msr_index_list();
	const struct kvm_msr_list *save = kvm_get_msr_index_list();
	bool feat_ok = true, save_ok = true;
	int i;

	for (i = 0; i < NR_VMX_MSRS; i++) {
		if (!in_list(feat, MSR(i))) {
			ksft_print_msg("0x%x not a feature MSR\n", MSR(i));
			feat_ok = false;
		}
		if (in_list(save, MSR(i)) != restorable(MSR(i))) {
			ksft_print_msg("0x%x %sin KVM_GET_MSR_INDEX_LIST\n",
				       MSR(i), restorable(MSR(i)) ? "not " : "");
			save_ok = false;
		}
	}
	ksft_test_result(feat_ok, "feature_msr_list_has_all_vmx_msrs\n");
	ksft_test_result(save_ok, "msr_index_list_has_restorable_vmx_msrs\n");
}

static bool is_ctl_msr(u32 msr)
{
	return (msr >= MSR_IA32_VMX_PINBASED_CTLS &&
		msr <= MSR_IA32_VMX_ENTRY_CTLS) ||
	       msr == MSR_IA32_VMX_PROCBASED_CTLS2 ||
	       (msr >= MSR_IA32_VMX_TRUE_PINBASED_CTLS &&
		msr <= MSR_IA32_VMX_TRUE_ENTRY_CTLS);
}

/* The vCPU's values are within the device's (CPUID may only cut them). */
static void test_vcpu_within_device(struct kvm_vcpu *vcpu, u64 *dev)
{
	bool ok = true;
	int i;

	for (i = 0; i < NR_VMX_MSRS; i++) {
		u32 msr = MSR(i);
		u64 v = vcpu_get_msr(vcpu, msr);
		bool good;

		if (is_ctl_msr(msr))
			/* No allowed-1 bit added, no must-be-1 bit dropped. */
			good = !((v >> 32) & ~(dev[i] >> 32)) &&
			       !((u32)dev[i] & ~(u32)v);
		else if (msr == MSR_IA32_VMX_CR0_FIXED1 ||
			 msr == MSR_IA32_VMX_CR4_FIXED1)
			good = true;	/* follow CPUID: test_cr4_fixed1() */
		else
			good = v == dev[i];
		if (!good) {
			ksft_print_msg("0x%x: vCPU 0x%lx, device 0x%lx\n", msr,
				       v, dev[i]);
			ok = false;
		}
	}
	ksft_test_result(ok, "vcpu_msrs_within_device_msrs\n");
}

static void test_guest_reads(struct kvm_vcpu *vcpu, int pass, const char *name)
{
	bool ok = true;
	int i;

	for (i = 0; i < NR_VMX_MSRS; i++) {
		u64 v = vcpu_get_msr(vcpu, MSR(i));

		if (grd_vec[pass][i] != NO_VECTOR || gvals[pass][i] != v) {
			ksft_print_msg("0x%x: guest vector %u value 0x%lx, host 0x%lx\n",
				       MSR(i), grd_vec[pass][i], gvals[pass][i], v);
			ok = false;
		}
	}
	ksft_test_result(ok, "%s\n", name);
}

static void test_guest_writes(void)
{
	bool ok = true;
	int i;

	for (i = 0; i < NR_VMX_MSRS; i++) {
		if (gwr_vec[i] != GP_VECTOR) {
			ksft_print_msg("WRMSR 0x%x: vector %u\n", MSR(i), gwr_vec[i]);
			ok = false;
		}
	}
	ksft_test_result(ok, "guest_wrmsr_gp\n");
}

struct set_case {
	const char *name;
	u32 msr;
	u64 val;
	int want;	/* KVM_SET_MSRS's count: 1 accepted, 0 refused */
};

static void check_set(struct kvm_vcpu *vcpu, const struct set_case *c)
{
	u64 before = vcpu_get_msr(vcpu, c->msr), after;
	int r = _vcpu_set_msr(vcpu, c->msr, c->val);

	after = vcpu_get_msr(vcpu, c->msr);
	ksft_test_result(r == c->want && after == (c->want ? c->val : before),
			 "%s (0x%x = 0x%lx: %d, reads 0x%lx)\n", c->name, c->msr,
			 c->val, r, after);
}

/* The lowest bit of @mask clear in @v, or -1. */
static int first_clear(u64 v, u64 mask)
{
	int b;

	for (b = 0; b < 64; b++)
		if ((mask & BIT_ULL(b)) && !(v & BIT_ULL(b)))
			return b;
	return -1;
}

static void test_restrict(struct kvm_vcpu *vcpu)
{
	u64 proc = vcpu_get_msr(vcpu, MSR_IA32_VMX_TRUE_PROCBASED_CTLS);
	u64 pin = vcpu_get_msr(vcpu, MSR_IA32_VMX_TRUE_PINBASED_CTLS);
	u64 basic = vcpu_get_msr(vcpu, MSR_IA32_VMX_BASIC);
	u64 enm = vcpu_get_msr(vcpu, MSR_IA32_VMX_VMCS_ENUM);
	u64 cr0f0 = vcpu_get_msr(vcpu, MSR_IA32_VMX_CR0_FIXED0);
	int extra = first_clear(proc, GENMASK_ULL(63, 32));
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[3];
	} b = { .hdr.nmsrs = 3 };
	const struct set_case cases[] = {
		{ "restrict_basic_true_ctls_off", MSR_IA32_VMX_BASIC,
		  basic & ~BIT_ULL(55), 1 },
		{ "restore_basic", MSR_IA32_VMX_BASIC, basic, 1 },
		{ "refuse_basic_other_revision", MSR_IA32_VMX_BASIC,
		  basic ^ 1, 0 },
		{ "refuse_basic_32bit_addresses", MSR_IA32_VMX_BASIC,
		  basic | BIT_ULL(48), 0 },
		{ "refuse_pin_must1_cleared", MSR_IA32_VMX_TRUE_PINBASED_CTLS,
		  pin & ~(u64)BIT(1), 0 },
		{ "refuse_proc_allowed1_added", MSR_IA32_VMX_TRUE_PROCBASED_CTLS,
		  proc | BIT_ULL(extra), 0 },
		{ "refuse_legacy_pinbased", MSR_IA32_VMX_PINBASED_CTLS,
		  vcpu_get_msr(vcpu, MSR_IA32_VMX_PINBASED_CTLS), 0 },
		{ "refuse_cr0_fixed1", MSR_IA32_VMX_CR0_FIXED1,
		  vcpu_get_msr(vcpu, MSR_IA32_VMX_CR0_FIXED1), 0 },
		{ "refuse_cr0_fixed0_pe_dropped", MSR_IA32_VMX_CR0_FIXED0,
		  cr0f0 & ~1ULL, 0 },
		{ "vmcs_enum_any_0", MSR_IA32_VMX_VMCS_ENUM, 0, 1 },
		{ "vmcs_enum_any_ones", MSR_IA32_VMX_VMCS_ENUM, ~0ULL, 1 },
		{ "vmcs_enum_restored", MSR_IA32_VMX_VMCS_ENUM, enm, 1 },
		/* HLT exiting: no longer allowed; the guest sees it below. */
		{ "restrict_proc_no_hlt_exiting",
		  MSR_IA32_VMX_TRUE_PROCBASED_CTLS, proc & ~BIT_ULL(32 + 7), 1 },
	};
	size_t i;

	TEST_ASSERT(extra >= 0, "every primary control allowed: 0x%lx", proc);
	TEST_ASSERT(proc & BIT_ULL(32 + 7), "HLT exiting not offered: 0x%lx",
		    proc);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		check_set(vcpu, &cases[i]);

	/* KVM_SET_MSRS stops at the first refused entry. */
	b.e[0].index = MSR_IA32_VMX_VMCS_ENUM;
	b.e[0].data = 0;
	b.e[1].index = MSR_IA32_VMX_CR4_FIXED1;
	b.e[1].data = vcpu_get_msr(vcpu, MSR_IA32_VMX_CR4_FIXED1);
	b.e[2].index = MSR_IA32_VMX_VMCS_ENUM;
	b.e[2].data = 2;
	i = __vcpu_ioctl(vcpu, KVM_SET_MSRS, &b.hdr);
	ksft_test_result(i == 1 && vcpu_get_msr(vcpu, MSR_IA32_VMX_VMCS_ENUM) == 0,
			 "set_msrs_stops_at_refused (%zu)\n", i);
	vcpu_set_msr(vcpu, MSR_IA32_VMX_VMCS_ENUM, enm);
}

/* After the guest read the restricted value: back to the device's maximum. */
static void test_restore_max(struct kvm_vcpu *vcpu, u64 *dev)
{
	u32 msr = MSR_IA32_VMX_TRUE_PROCBASED_CTLS;
	int i = msr - VMX_MSR_FIRST;
	u64 legacy = gvals[1][MSR_IA32_VMX_PROCBASED_CTLS - VMX_MSR_FIRST];

	ksft_test_result(!(gvals[1][i] & BIT_ULL(32 + 7)) &&
			 !(legacy & BIT_ULL(32 + 7)),
			 "guest_reads_restricted_proc (0x%lx, legacy 0x%lx)\n",
			 gvals[1][i], legacy);
	ksft_test_result(_vcpu_set_msr(vcpu, msr, dev[i]) == 1 &&
			 vcpu_get_msr(vcpu, msr) == dev[i],
			 "restore_proc_to_device_value\n");
}

/*
 * Every single-bit restriction of the kind a VMM makes when it restores
 * state: an allowed-1 or feature bit cleared, or a must-be-1 bit added,
 * is accepted, and so is the value it had.
 */
struct round_trip {
	u32 msr;
	u64 clear_ok;	/* set bits that may be cleared */
	u64 set_ok;	/* clear bits that may be set */
};

static void test_round_trips(struct kvm_vcpu *vcpu)
{
	const struct round_trip rt[] = {
		{ MSR_IA32_VMX_BASIC, BIT_ULL(49) | BIT_ULL(54) | BIT_ULL(55), 0 },
		{ MSR_IA32_VMX_MISC, BIT_ULL(5) | GENMASK_ULL(8, 6) | BIT_ULL(14) |
		  BIT_ULL(15) | BIT_ULL(28) | BIT_ULL(29) | BIT_ULL(30), 0 },
		{ MSR_IA32_VMX_PROCBASED_CTLS2, GENMASK_ULL(63, 32),
		  GENMASK_ULL(31, 0) },
		{ MSR_IA32_VMX_EPT_VPID_CAP, ~0ULL, 0 },
		{ MSR_IA32_VMX_TRUE_PINBASED_CTLS, GENMASK_ULL(63, 32),
		  GENMASK_ULL(31, 0) },
		{ MSR_IA32_VMX_TRUE_PROCBASED_CTLS, GENMASK_ULL(63, 32),
		  GENMASK_ULL(31, 0) },
		{ MSR_IA32_VMX_TRUE_EXIT_CTLS, GENMASK_ULL(63, 32),
		  GENMASK_ULL(31, 0) },
		{ MSR_IA32_VMX_TRUE_ENTRY_CTLS, GENMASK_ULL(63, 32),
		  GENMASK_ULL(31, 0) },
		{ MSR_IA32_VMX_VMFUNC, ~0ULL, 0 },
	};
	size_t i;
	int b;

	for (i = 0; i < ARRAY_SIZE(rt); i++) {
		u64 v = vcpu_get_msr(vcpu, rt[i].msr);
		int bad = -1, n = 0;

		for (b = 0; b < 64 && bad < 0; b++) {
			u64 w;

			if (rt[i].clear_ok & v & BIT_ULL(b))
				w = v & ~BIT_ULL(b);
			else if (rt[i].set_ok & ~v & BIT_ULL(b))
				w = v | BIT_ULL(b);
			else
				continue;
			n++;
			if (_vcpu_set_msr(vcpu, rt[i].msr, w) != 1 ||
			    vcpu_get_msr(vcpu, rt[i].msr) != w ||
			    _vcpu_set_msr(vcpu, rt[i].msr, v) != 1)
				bad = b;
		}
		ksft_test_result(bad < 0 && vcpu_get_msr(vcpu, rt[i].msr) == v,
				 "round_trips_0x%x (%d bits, first failing %d)\n",
				 rt[i].msr, n, bad);
	}
}

static void test_cr4_fixed1(struct kvm_vcpu *vcpu, u64 *dev, bool smep)
{
	u64 f1 = vcpu_get_msr(vcpu, MSR_IA32_VMX_CR4_FIXED1);
	int i = MSR_IA32_VMX_CR4_FIXED1 - VMX_MSR_FIRST;
	bool want_smep = smep && (dev[i] & X86_CR4_SMEP);

	ksft_test_result((f1 & X86_CR4_VMXE) &&
			 !!(f1 & X86_CR4_SMEP) == want_smep,
			 "cr4_fixed1_follows_cpuid_%s (0x%lx)\n",
			 smep ? "smep" : "no_smep", f1);
}

static void test_sregs_vmxe(struct kvm_vcpu *vcpu, bool allowed)
{
	struct kvm_sregs s, orig;
	int r;

	vcpu_sregs_get(vcpu, &orig);
	s = orig;
	s.cr4 |= X86_CR4_VMXE;
	r = _vcpu_sregs_set(vcpu, &s);
	ksft_test_result(allowed ? !r : r != 0, "set_sregs_vmxe_%s (%d)\n",
			 allowed ? "allowed" : "refused", r);
	vcpu_sregs_set(vcpu, &orig);
}

static void test_with_vmx(u64 *dev)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vm = vm_create_with_one_vcpu(&vcpu, guest_vmx);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);

	test_vcpu_within_device(vcpu, dev);
	test_cr4_fixed1(vcpu, dev, kvm_cpu_has(X86_FEATURE_SMEP));
	test_sregs_vmxe(vcpu, true);
	test_round_trips(vcpu);

	run_to(vcpu, UCALL_SYNC, 1);
	sync_global_from_guest(vm, gvals);
	sync_global_from_guest(vm, grd_vec);
	sync_global_from_guest(vm, gwr_vec);
	test_guest_reads(vcpu, 0, "guest_rdmsr_equals_get_msrs");
	test_guest_writes();

	test_restrict(vcpu);
	run_to(vcpu, UCALL_SYNC, 2);
	sync_global_from_guest(vm, gvals);
	sync_global_from_guest(vm, grd_vec);
	test_guest_reads(vcpu, 1, "guest_rdmsr_equals_get_msrs_restricted");
	test_restore_max(vcpu, dev);

	run_to(vcpu, UCALL_SYNC, 3);
	sync_global_from_guest(vm, fc_vec);
	sync_global_from_guest(vm, fc_read);
	ksft_test_result(fc_vec[0] == NO_VECTOR &&
			 fc_read == (FEAT_CTL_LOCKED | FC_VMX_OUTSIDE_SMX) &&
			 vcpu_get_msr(vcpu, MSR_IA32_FEAT_CTL) == fc_read,
			 "guest_locks_feature_control (vector %u, 0x%lx)\n",
			 fc_vec[0], fc_read);
	ksft_test_result(fc_vec[1] == GP_VECTOR,
			 "guest_wrmsr_locked_feature_control_gp (%u)\n", fc_vec[1]);
	ksft_test_result(_vcpu_set_msr(vcpu, MSR_IA32_FEAT_CTL, FC_RESERVED_BIT) == 0,
			 "host_feature_control_reserved_refused\n");
	ksft_test_result(_vcpu_set_msr(vcpu, MSR_IA32_FEAT_CTL, 0) == 1 &&
			 vcpu_get_msr(vcpu, MSR_IA32_FEAT_CTL) == 0,
			 "host_writes_locked_feature_control\n");

	run_to(vcpu, UCALL_DONE, 0);
	sync_global_from_guest(vm, fc_vec);
	sync_global_from_guest(vm, cr4_vec);
	sync_global_from_guest(vm, cr4_read);
	ksft_test_result(fc_vec[2] == NO_VECTOR &&
			 vcpu_get_msr(vcpu, MSR_IA32_FEAT_CTL) == FC_VMX_OUTSIDE_SMX,
			 "guest_writes_unlocked_feature_control (%u)\n", fc_vec[2]);
	ksft_test_result(fc_vec[3] == GP_VECTOR,
			 "guest_feature_control_reserved_gp (%u)\n", fc_vec[3]);
	ksft_test_result(cr4_vec[0] == NO_VECTOR && (cr4_read & X86_CR4_VMXE) &&
			 cr4_vec[1] == NO_VECTOR,
			 "guest_cr4_vmxe_with_vmx (%u, 0x%lx)\n", cr4_vec[0],
			 cr4_read);
	kvm_vm_free(vm);

	/* CPUID without SMEP: CR4_FIXED1 drops it. */
	vm = vm_create_with_one_vcpu(&vcpu, guest_vmx);
	vcpu_clear_cpuid_feature(vcpu, X86_FEATURE_SMEP);
	test_cr4_fixed1(vcpu, dev, false);
	kvm_vm_free(vm);
}

static void test_without_vmx(u64 *dev)
{
	int i = MSR_IA32_VMX_TRUE_PROCBASED_CTLS - VMX_MSR_FIRST;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	u64 v;

	vm = vm_create_with_one_vcpu(&vcpu, guest_no_vmx);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vcpu_clear_cpuid_feature(vcpu, X86_FEATURE_VMX);

	ksft_test_result(get_msr_raw(vcpu, MSR_IA32_VMX_BASIC, &v) == 0,
			 "no_vmx_host_get_msrs_fails\n");
	ksft_test_result(_vcpu_set_msr(vcpu, MSR(i), dev[i]) == 0,
			 "no_vmx_host_set_msrs_fails\n");
	test_sregs_vmxe(vcpu, false);

	run_to(vcpu, UCALL_DONE, 0);
	sync_global_from_guest(vm, nv_rd_vec);
	sync_global_from_guest(vm, nv_fc_vec);
	sync_global_from_guest(vm, nv_cr4_vec);
	ksft_test_result(nv_rd_vec == GP_VECTOR, "no_vmx_guest_rdmsr_gp (%u)\n",
			 nv_rd_vec);
	ksft_test_result(nv_fc_vec[0] == GP_VECTOR && nv_fc_vec[1] == NO_VECTOR,
			 "no_vmx_feature_control_lock_only (%u, %u)\n",
			 nv_fc_vec[0], nv_fc_vec[1]);
	ksft_test_result(nv_cr4_vec == GP_VECTOR, "no_vmx_guest_cr4_vmxe_gp (%u)\n",
			 nv_cr4_vec);
	ksft_test_result(_vcpu_set_msr(vcpu, MSR_IA32_FEAT_CTL,
				       FEAT_CTL_LOCKED | FC_VMX_OUTSIDE_SMX) == 0 &&
			 _vcpu_set_msr(vcpu, MSR_IA32_FEAT_CTL, 0) == 1,
			 "no_vmx_host_feature_control_vmx_bits_refused\n");
	kvm_vm_free(vm);
}

int main(void)
{
	u64 dev[NR_VMX_MSRS];
	int i;

	setbuf(stdout, NULL);
	TEST_REQUIRE(kvm_cpu_has(X86_FEATURE_VMX));
	ksft_print_header();
	ksft_set_plan(48);

	for (i = 0; i < NR_VMX_MSRS; i++)
		dev[i] = kvm_get_feature_msr(MSR(i));
	test_lists();
	test_with_vmx(dev);
	test_without_vmx(dev);
	ksft_finished();
}
