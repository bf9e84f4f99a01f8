// SPDX-License-Identifier: GPL-2.0
/*
 * Every MSR of KVM_GET_MSR_INDEX_LIST is one a VMM can save and restore:
 * KVM_GET_MSRS reads all of them in one call, KVM_SET_MSRS takes all the
 * values back in one call, and a second read gives them again (the TSC,
 * and the counters, no lower). That is what QEMU does and asserts. The kvmclock
 * MSRs are in the list and keep what the host writes; after
 * KVM_X86_SETUP_MCE so do the machine-check banks; the list's and the
 * calls' limits fail as KVM's.
 */
#include <asm/kvm_para.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

/* KVM's MAX_IO_MSRS: one call takes fewer. */
#define MAX_IO_MSRS	256
/* QEMU's default bank count. */
#define MCE_BANKS	10

static struct kvm_msrs *msrs_alloc(u32 n)
{
	struct kvm_msrs *m = calloc(1, sizeof(*m) + n * sizeof(m->entries[0]));

	TEST_ASSERT(m, "calloc");
	m->nmsrs = n;
	return m;
}

static bool listed(const struct kvm_msr_list *list, u32 msr)
{
	u32 i;

	for (i = 0; i < list->nmsrs; i++)
		if (list->indices[i] == msr)
			return true;
	return false;
}

/*
 * MSRs that count on their own, which read back no lower: the TSC, and
 * Hyper-V's reference counter (kvm_intel lists it).
 */
static bool counts(u32 msr)
{
	return msr == MSR_IA32_TSC || msr == 0x40000020;
}

/* One KVM_GET_MSRS or KVM_SET_MSRS over all of @m: every entry done. */
static void msrs_all(struct kvm_vcpu *vcpu, struct kvm_msrs *m, bool set)
{
	int r = __vcpu_ioctl(vcpu, set ? KVM_SET_MSRS : KVM_GET_MSRS, m);

	TEST_ASSERT(r == (int)m->nmsrs,
		    "KVM_%s_MSRS did %d of %u: MSR 0x%x refused",
		    set ? "SET" : "GET", r, m->nmsrs,
		    r >= 0 && r < (int)m->nmsrs ? m->entries[r].index : 0);
}

static void test_round_trip(struct kvm_vcpu *vcpu,
			    const struct kvm_msr_list *list)
{
	struct kvm_msrs *a = msrs_alloc(list->nmsrs);
	struct kvm_msrs *b = msrs_alloc(list->nmsrs);
	u32 i;

	TEST_ASSERT(list->nmsrs < MAX_IO_MSRS, "%u MSRs listed", list->nmsrs);
	for (i = 0; i < list->nmsrs; i++) {
		a->entries[i].index = list->indices[i];
		b->entries[i].index = list->indices[i];
	}
	msrs_all(vcpu, a, false);
	msrs_all(vcpu, a, true);
	msrs_all(vcpu, b, false);
	for (i = 0; i < list->nmsrs; i++) {
		u64 was = a->entries[i].data, now = b->entries[i].data;

		if (counts(a->entries[i].index))
			TEST_ASSERT(now >= was, "MSR 0x%x back from 0x%lx to 0x%lx",
				    a->entries[i].index, was, now);
		else
			TEST_ASSERT(now == was, "MSR 0x%x: set 0x%lx, read 0x%lx",
				    a->entries[i].index, was, now);
	}
	printf("record %u MSRs listed, all read, written and read back\n",
	       list->nmsrs);
	free(a);
	free(b);
}

/* The kvmclock MSRs: listed, and they keep a host-written GPA. */
static void test_kvmclock_msrs(struct kvm_vcpu *vcpu,
			       const struct kvm_msr_list *list)
{
	static const u32 kvmclock[] = {
		MSR_KVM_WALL_CLOCK, MSR_KVM_SYSTEM_TIME,
		MSR_KVM_WALL_CLOCK_NEW, MSR_KVM_SYSTEM_TIME_NEW,
	};
	u32 i;

	for (i = 0; i < ARRAY_SIZE(kvmclock); i++)
		TEST_ASSERT(listed(list, kvmclock[i]), "MSR 0x%x not listed",
			    kvmclock[i]);
	/* Old and new share their state, as on KVM; GPAs outside memory. */
	vcpu_set_msr(vcpu, MSR_KVM_SYSTEM_TIME_NEW, 0x7ff0001);
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_KVM_SYSTEM_TIME), 0x7ff0001);
	vcpu_set_msr(vcpu, MSR_KVM_WALL_CLOCK, 0x7ff0100);
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_KVM_WALL_CLOCK_NEW), 0x7ff0100);
	vcpu_set_msr(vcpu, MSR_KVM_SYSTEM_TIME, 0);
	ASSERT_EQ(vcpu_get_msr(vcpu, MSR_KVM_SYSTEM_TIME_NEW), 0);
	vcpu_set_msr(vcpu, MSR_KVM_WALL_CLOCK_NEW, 0);
	printf("record kvmclock MSRs listed and kept\n");
}

/*
 * After KVM_X86_SETUP_MCE, what QEMU restores of the machine-check state
 * in one call: MCG_STATUS, MCG_CTL and every bank register, read back.
 */
static void test_mce_msrs(struct kvm_vcpu *vcpu)
{
	u64 cap = MCE_BANKS | BIT_ULL(8) | BIT_ULL(24);	/* MCG_CTL_P, SER_P */
	struct kvm_msrs *a = msrs_alloc(2 + 4 * MCE_BANKS);
	struct kvm_msrs *b = msrs_alloc(2 + 4 * MCE_BANKS);
	static const u64 bank_values[4] = {
		~0ULL, BIT_ULL(63) | BIT_ULL(60) | 5, 0x12345000, 0x86,
	};
	u32 i;

	if (kvm_check_cap(KVM_CAP_MCE) < MCE_BANKS)
		return;
	vcpu_ioctl(vcpu, KVM_X86_SETUP_MCE, &cap);
	a->entries[0] = (struct kvm_msr_entry){ .index = MSR_IA32_MCG_STATUS,
						.data = 1 };
	a->entries[1] = (struct kvm_msr_entry){ .index = MSR_IA32_MCG_CTL,
						.data = ~0ULL };
	for (i = 0; i < 4 * MCE_BANKS; i++)
		a->entries[2 + i] = (struct kvm_msr_entry){
			.index = 0x400 + i, .data = bank_values[i % 4] };
	for (i = 0; i < a->nmsrs; i++)
		b->entries[i].index = a->entries[i].index;
	msrs_all(vcpu, a, true);
	msrs_all(vcpu, b, false);
	for (i = 0; i < a->nmsrs; i++)
		TEST_ASSERT(a->entries[i].data == b->entries[i].data,
			    "MSR 0x%x: set 0x%lx, read 0x%lx", a->entries[i].index,
			    (u64)a->entries[i].data, (u64)b->entries[i].data);
	printf("record %u machine-check MSRs written and read back\n",
	       a->nmsrs);
	free(a);
	free(b);
}

/* The list's and the calls' limits, as KVM answers them. */
static void test_limits(struct kvm_vcpu *vcpu, u32 n)
{
	struct kvm_msr_list small = { .nmsrs = 1 };
	struct kvm_msrs *m = msrs_alloc(MAX_IO_MSRS);
	int fd = open_kvm_dev_path_or_exit();
	int r;

	/* Too short a list: E2BIG, and nmsrs says how many there are. */
	r = ioctl(fd, KVM_GET_MSR_INDEX_LIST, &small);
	TEST_ASSERT(r == -1 && errno == E2BIG, "short list: r %d errno %d",
		    r, errno);
	ASSERT_EQ(small.nmsrs, n);
	close(fd);
	/* MAX_IO_MSRS entries in one call is one too many. */
	m->entries[0].index = MSR_IA32_TSC;
	r = __vcpu_ioctl(vcpu, KVM_GET_MSRS, m);
	TEST_ASSERT(r == -1 && errno == E2BIG, "GET %u: r %d errno %d",
		    MAX_IO_MSRS, r, errno);
	r = __vcpu_ioctl(vcpu, KVM_SET_MSRS, m);
	TEST_ASSERT(r == -1 && errno == E2BIG, "SET %u: r %d errno %d",
		    MAX_IO_MSRS, r, errno);
	/* An MSR no one has stops the call there. */
	m->nmsrs = 2;
	m->entries[1].index = 0x4b564dff;
	ASSERT_EQ(__vcpu_ioctl(vcpu, KVM_GET_MSRS, m), 1);
	free(m);
	printf("record limits as KVM's\n");
}

int main(void)
{
	const struct kvm_msr_list *list = kvm_get_msr_index_list();
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vm = vm_create_with_one_vcpu(&vcpu, NULL);
	test_round_trip(vcpu, list);
	test_kvmclock_msrs(vcpu, list);
	test_limits(vcpu, list->nmsrs);
	test_mce_msrs(vcpu);
	kvm_vm_free(vm);
	return 0;
}
