// SPDX-License-Identifier: GPL-2.0
/*
 * Toggling CR4.PGE flushes global TLB entries (SDM 4.10.4.1): the guest
 * maps a global page, reads it, points its PTE at another page without
 * INVLPG, toggles PGE off and on, and must then read the other page. The
 * vCPU stat tlb_flush must grow across the toggle where the hypervisor
 * intercepts it, and across clearing CR4.PCIDE, which both nvmx and
 * kvm_intel intercept.
 *
 * On nvmx the policy table decides: under the default CR4.PGE is THROUGH
 * (0 CR-access exits for the toggle, the CPU flushes); under a table where
 * PGE is INTERCEPT both MOVs exit and nvmx flushes (the test runs both).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

/* Far from what libkvm allocates (from 0x2000 up, and the ELF). */
#define TEST_VA		0x0000100000000000ULL
#define PT_VA		0x0000100000400000ULL	/* TEST_VA's page table */
#define PATTERN_A	0xaaaa5555aaaa0001ULL
#define PATTERN_B	0xbbbb4444bbbb0002ULL

enum { STAGE_TLB_FILLED = 1, STAGE_PGE_TOGGLED, STAGE_PCIDE_SET, STAGE_PCIDE_CLEAR };

static u64 read_test_va(void)
{
	return READ_ONCE(*(u64 *)TEST_VA);
}

static void guest_code(u64 pte_gva, u64 new_pte, u64 has_pcid)
{
	u64 stale, val;

	set_cr4(get_cr4() | X86_CR4_PGE);
	val = read_test_va();
	GUEST_ASSERT_1(val == PATTERN_A, val);
	GUEST_SYNC(STAGE_TLB_FILLED);

	WRITE_ONCE(*(u64 *)pte_gva, new_pte);
	/* May be either page: the TLB entry may or may not be there. */
	stale = read_test_va();
	set_cr4(get_cr4() & ~X86_CR4_PGE);
	set_cr4(get_cr4() | X86_CR4_PGE);
	val = read_test_va();
	GUEST_SYNC_ARGS(STAGE_PGE_TOGGLED, val, stale, 0, 0);

	if (has_pcid) {
		set_cr4(get_cr4() | X86_CR4_PCIDE);
		GUEST_SYNC(STAGE_PCIDE_SET);
		set_cr4(get_cr4() & ~X86_CR4_PCIDE);
		GUEST_SYNC(STAGE_PCIDE_CLEAR);
	}
	GUEST_DONE();
}

/* The GPA of the 4-level PTE that maps @va (libkvm's 4 KiB mappings). */
static vm_paddr_t pte_gpa(struct kvm_vm *vm, u64 va)
{
	vm_paddr_t table = vm->pgd;
	int level;

	for (level = 3; level > 0; level--) {
		u64 *entry = (u64 *)addr_gpa2hva(vm, table) + ((va >> (12 + 9 * level)) & 511);

		TEST_ASSERT(*entry & PTE_PRESENT_MASK, "level %d of 0x%lx not present",
			    level + 1, va);
		table = PTE_GET_PFN(*entry) << PAGE_SHIFT;
	}
	return table + ((va >> 12) & 511) * 8;
}

/* Element @idx of the vCPU stat @name in @val; false when there is none. */
static bool read_stat(struct kvm_vcpu *vcpu, const char *name, int idx, u64 *val)
{
	bool found = vcpu_stat_get(vcpu, name, idx, val);

	if (!found)
		ksft_print_msg("vCPU stats have no %s[%d]\n", name, idx);
	return found;
}

static bool read_tlb_flush(struct kvm_vcpu *vcpu, u64 *val)
{
	return read_stat(vcpu, "tlb_flush", 0, val);
}

/* nvmx's CR-access exits from L1 (basic reason 28). */
static bool read_cr_exits(struct kvm_vcpu *vcpu, u64 *val)
{
	return read_stat(vcpu, "nvmx_l1_exits", 28, val);
}

/*
 * The VM's table with CR4.PGE INTERCEPT, and PCIDE too where the host has
 * it (its row is THROUGH then). Returns whether PCIDE is intercepted.
 */
static bool set_pge_intercept(struct kvm_vm *vm)
{
	struct nvmx_policy p = { .size = sizeof(p) };
	bool pcide;

	TEST_ASSERT(!ioctl(vm->fd, NVMX_GET_POLICY, &p), "GET_POLICY: errno %d", errno);
	TEST_ASSERT(p.cr4[7] == NVMX_POLICY_THROUGH, "default CR4.PGE row %u", p.cr4[7]);
	p.cr4[7] = NVMX_POLICY_INTERCEPT;
	pcide = p.cr4[17] == NVMX_POLICY_THROUGH;
	if (pcide)
		p.cr4[17] = NVMX_POLICY_INTERCEPT;
	TEST_ASSERT(!ioctl(vm->fd, NVMX_SET_POLICY, &p), "SET_POLICY: errno %d", errno);
	return pcide;
}

/*
 * Whether a guest MOV CR4 that toggles PGE exits. On nvmx the table says
 * (@intercept: the test set PGE INTERCEPT). kvm_intel with EPT lets the guest own PGE (6.1's
 * set_cr4_guest_host_mask(): KVM_POSSIBLE_CR4_GUEST_BITS, less
 * X86_CR4_TLBFLUSH_BITS only without EPT): the CPU flushes the VPID's
 * entries itself and KVM neither sees nor counts it.
 */
static bool pge_toggle_exits(bool nvmx, bool intercept)
{
	char c = 'Y';
	int fd;

	if (nvmx)
		return intercept;
	fd = open("/sys/module/kvm_intel/parameters/ept", O_RDONLY);
	TEST_ASSERT(fd >= 0, "no kvm_intel ept parameter: errno %d", errno);
	TEST_ASSERT(read(fd, &c, 1) == 1, "reading kvm_intel's ept parameter");
	close(fd);
	return c != 'Y';
}

static struct ucall run_stage(struct kvm_vcpu *vcpu, u64 stage)
{
	struct ucall uc;
	u64 cmd;

	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
		    "exit reason %u (%s), want KVM_EXIT_IO", vcpu->run->exit_reason,
		    exit_reason_str(vcpu->run->exit_reason));
	cmd = get_ucall(vcpu, &uc);
	if (cmd == UCALL_ABORT)
		REPORT_GUEST_ASSERT_1(uc, "value 0x%lx");
	TEST_ASSERT(cmd != UCALL_UNHANDLED, "guest got unexpected vector %lu",
		    uc.args[0]);
	if (stage) {
		TEST_ASSERT(cmd == UCALL_SYNC && uc.args[1] == stage,
			    "ucall %lu stage %lu, want UCALL_SYNC stage %lu",
			    cmd, uc.args[1], stage);
	} else {
		TEST_ASSERT(cmd == UCALL_DONE, "ucall %lu, want UCALL_DONE", cmd);
	}
	return uc;
}

static void run_case(bool nvmx, bool intercept)
{
	vm_vaddr_t page_a, page_b;
	vm_paddr_t gpa_a, gpa_b, pte;
	u64 *pte_hva, before = 0, after = 0, cr_before = 0, cr_after = 0;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	bool has_pcid, counted, stat, cr_stat = false, pcide_exits = !nvmx;
	const char *tag = !nvmx ? "" : intercept ? "intercept_" : "default_";
	struct ucall uc;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	if (intercept)
		pcide_exits = set_pge_intercept(vm);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);

	page_a = vm_vaddr_alloc_page(vm);
	page_b = vm_vaddr_alloc_page(vm);
	*(u64 *)addr_gva2hva(vm, page_a) = PATTERN_A;
	*(u64 *)addr_gva2hva(vm, page_b) = PATTERN_B;
	gpa_a = addr_gva2gpa(vm, page_a);
	gpa_b = addr_gva2gpa(vm, page_b);

	virt_pg_map(vm, TEST_VA, gpa_a);
	pte = pte_gpa(vm, TEST_VA);
	pte_hva = addr_gpa2hva(vm, pte);
	*pte_hva |= PTE_GLOBAL_MASK;
	/* The guest rewrites the PTE itself, through this mapping. */
	virt_pg_map(vm, PT_VA, pte & PAGE_MASK);
	TEST_ASSERT(pte_gpa(vm, TEST_VA) == pte, "mapping PT_VA moved the PTE");

	has_pcid = kvm_cpu_has(X86_FEATURE_PCID);
	vcpu_args_set(vcpu, 3, PT_VA + (pte & ~PAGE_MASK),
		      (*pte_hva & ~PHYSICAL_PAGE_MASK) | gpa_b, has_pcid);

	run_stage(vcpu, STAGE_TLB_FILLED);
	stat = read_tlb_flush(vcpu, &before);
	if (nvmx)
		cr_stat = read_cr_exits(vcpu, &cr_before);
	uc = run_stage(vcpu, STAGE_PGE_TOGGLED);
	stat &= read_tlb_flush(vcpu, &after);
	if (nvmx)
		cr_stat &= read_cr_exits(vcpu, &cr_after);
	ksft_print_msg("%sread before the toggle 0x%lx; tlb_flush %lu -> %lu\n",
		       tag, uc.args[3], before, after);
	ksft_print_msg("%sCR-access exits %lu -> %lu\n", tag, cr_before, cr_after);
	ksft_test_result(uc.args[2] == PATTERN_B,
			 "%spge_toggle_flushes_global_entry (read 0x%lx, want 0x%llx)\n",
			 tag, uc.args[2], PATTERN_B);

	counted = pge_toggle_exits(nvmx, intercept);
	if (counted)
		ksft_test_result(stat && after >= before + 1,
				 "%spge_toggle_counted_in_tlb_flush\n", tag);
	else
		ksft_test_result_skip("%spge_toggle_counted_in_tlb_flush: no exit (%s)\n",
				      tag, nvmx ? "PGE is THROUGH" : "EPT");
	/* The two MOVs to CR4 exit exactly when the table says. */
	if (nvmx)
		ksft_test_result(cr_stat && cr_after - cr_before == (intercept ? 2 : 0),
				 "%spge_toggle_cr_exits_%d (got %lu)\n", tag,
				 intercept ? 2 : 0, cr_after - cr_before);

	if (has_pcid) {
		run_stage(vcpu, STAGE_PCIDE_SET);
		stat = read_tlb_flush(vcpu, &before);
		run_stage(vcpu, STAGE_PCIDE_CLEAR);
		stat &= read_tlb_flush(vcpu, &after);
		ksft_print_msg("CR4.PCIDE 1 -> 0: tlb_flush %lu -> %lu\n", before, after);
		/* PCIDE is THROUGH on nvmx's default: the CPU flushes itself. */
		if (!pcide_exits)
			ksft_test_result_skip("%spcide_clear_counted_in_tlb_flush: %s\n",
					      tag, "PCIDE is THROUGH");
		else
			ksft_test_result(stat && after >= before + 1,
					 "%spcide_clear_counted_in_tlb_flush\n", tag);
	} else {
		ksft_test_result_skip("%spcide_clear_counted_in_tlb_flush: no PCID in CPUID\n",
				      tag);
	}
	run_stage(vcpu, 0);

	kvm_vm_free(vm);
}

int main(void)
{
	bool nvmx;

	setbuf(stdout, NULL);
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_IMMEDIATE_EXIT));
	ksft_print_header();
	nvmx = on_nvmx();
	ksft_set_plan(nvmx ? 8 : 3);
	run_case(nvmx, false);
	if (nvmx)
		run_case(nvmx, true);
	ksft_finished();
}
