// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET_SREGS2 and KVM_SET_SREGS2: the registers of KVM_GET_SREGS, no
 * flags outside PAE paging; in PAE paging the PDPTEs, from guest memory
 * at CR3 when userspace gives none, else userspace's
 * (KVM_SREGS2_FLAGS_PDPTRS_VALID); an unknown flag, or PDPTRS_VALID
 * outside PAE paging, is EINVAL and changes nothing.
 */
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

static void guest_code(void)
{
	GUEST_DONE();
}

/* The part of kvm_sregs2 that is kvm_sregs's. */
#define COMMON_SIZE	offsetof(struct kvm_sregs2, flags)

static void expect_einval(struct kvm_vcpu *vcpu, struct kvm_sregs2 *s2,
			  const char *name)
{
	struct kvm_sregs2 before, after;
	int r;

	vcpu_ioctl(vcpu, KVM_GET_SREGS2, &before);
	r = __vcpu_ioctl(vcpu, KVM_SET_SREGS2, s2);
	TEST_ASSERT(r == -1 && errno == EINVAL, "%s: %d errno %d", name, r,
		    errno);
	vcpu_ioctl(vcpu, KVM_GET_SREGS2, &after);
	TEST_ASSERT(!memcmp(&before, &after, sizeof(after)), "%s changed state",
		    name);
	ksft_test_result_pass("%s\n", name);
}

/* 32-bit protected mode with PAE paging, CR3 at @cr3. */
static void make_pae(struct kvm_sregs2 *s, u64 cr3)
{
	s->cr0 = X86_CR0_PE | X86_CR0_PG | X86_CR0_ET | X86_CR0_NE;
	s->cr4 = X86_CR4_PAE;
	s->efer = 0;
	s->cr3 = cr3;
	s->cs.l = 0;
	s->cs.db = 1;
}

int main(void)
{
	struct kvm_sregs2 s2, got;
	struct kvm_sregs s;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	vm_vaddr_t gva;
	u64 gpa, *pdpt, want[4];
	unsigned int i;

	setbuf(stdout, NULL);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_SREGS2));
	ksft_print_header();
	ksft_set_plan(7);

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);

	/* Long mode: the same registers as KVM_GET_SREGS, no PDPTEs. */
	vcpu_sregs_get(vcpu, &s);
	memset(&s2, 0xcc, sizeof(s2));
	vcpu_ioctl(vcpu, KVM_GET_SREGS2, &s2);
	TEST_ASSERT(!memcmp(&s, &s2, COMMON_SIZE),
		    "KVM_GET_SREGS2 differs from KVM_GET_SREGS");
	TEST_ASSERT(s2.flags == 0, "flags 0x%llx in long mode", s2.flags);
	ksft_test_result_pass("get_sregs2_long_mode\n");

	/* A change through SET_SREGS2 is what KVM_GET_SREGS reads. */
	s2.cr2 = 0x12345000;
	s2.gdt.limit = 0x7ff;
	s2.flags = 0;
	vcpu_ioctl(vcpu, KVM_SET_SREGS2, &s2);
	vcpu_sregs_get(vcpu, &s);
	TEST_ASSERT(s.cr2 == 0x12345000 && s.gdt.limit == 0x7ff,
		    "cr2 0x%llx gdt.limit 0x%x after KVM_SET_SREGS2", s.cr2,
		    s.gdt.limit);
	ksft_test_result_pass("set_sregs2_round_trip\n");

	vcpu_ioctl(vcpu, KVM_GET_SREGS2, &s2);
	s2.flags = 2;
	expect_einval(vcpu, &s2, "unknown_flag_einval");
	vcpu_ioctl(vcpu, KVM_GET_SREGS2, &s2);
	s2.flags = KVM_SREGS2_FLAGS_PDPTRS_VALID;
	expect_einval(vcpu, &s2, "pdptrs_outside_pae_einval");

	/* PAE paging: the PDPTEs in guest memory at CR3. */
	gva = vm_vaddr_alloc_page(vm);
	gpa = addr_gva2gpa(vm, gva);
	pdpt = addr_gva2hva(vm, gva);
	for (i = 0; i < 4; i++) {
		want[i] = i < 2 ? ((gpa + 0x1000 * (i + 1)) | 1) : 0;
		pdpt[i] = want[i];
	}
	vcpu_ioctl(vcpu, KVM_GET_SREGS2, &s2);
	make_pae(&s2, gpa);
	s2.flags = 0;
	vcpu_ioctl(vcpu, KVM_SET_SREGS2, &s2);
	vcpu_ioctl(vcpu, KVM_GET_SREGS2, &got);
	TEST_ASSERT(got.flags == KVM_SREGS2_FLAGS_PDPTRS_VALID,
		    "flags 0x%llx in PAE paging", got.flags);
	for (i = 0; i < 4; i++)
		TEST_ASSERT(got.pdptrs[i] == want[i],
			    "PDPTE%u 0x%llx, want 0x%lx (from memory)", i,
			    got.pdptrs[i], want[i]);
	ksft_test_result_pass("pae_pdptrs_from_memory\n");

	/* Userspace's PDPTEs, not memory's. */
	s2 = got;
	s2.pdptrs[0] = (gpa + 0x5000) | 1;
	s2.pdptrs[3] = (gpa + 0x6000) | 1;
	vcpu_ioctl(vcpu, KVM_SET_SREGS2, &s2);
	vcpu_ioctl(vcpu, KVM_GET_SREGS2, &got);
	TEST_ASSERT(got.flags == KVM_SREGS2_FLAGS_PDPTRS_VALID &&
		    !memcmp(got.pdptrs, s2.pdptrs, sizeof(got.pdptrs)),
		    "PDPTEs 0x%llx 0x%llx 0x%llx 0x%llx, want userspace's",
		    got.pdptrs[0], got.pdptrs[1], got.pdptrs[2], got.pdptrs[3]);
	TEST_ASSERT(pdpt[0] == want[0], "guest memory changed");
	ksft_test_result_pass("pae_pdptrs_from_userspace\n");

	vcpu_ioctl(vcpu, KVM_GET_SREGS2, &s2);
	s2.flags = KVM_SREGS2_FLAGS_PDPTRS_VALID | 4;
	expect_einval(vcpu, &s2, "pae_unknown_flag_einval");

	kvm_vm_free(vm);
	ksft_finished();
}
