// SPDX-License-Identifier: GPL-2.0
/*
 * VMCS shadowing for L1: a reflected exit that L1 handles with its usual
 * VMREADs and VMWRITEs costs two L0 exits (the L2 exit and L1's VMRESUME),
 * also when L1 reads colder fields, and what L1 reads and writes through
 * the shadow VMCS is vmcs12.
 *
 * L1 first checks VMX-instruction outcomes around the shadow VMCS:
 * VMREAD with no current VMCS is VMfailInvalid; two vmcs12s keep their
 * values across VMPTRLD switches and VMCLEAR; VMWRITE of a read-only field
 * is VMfailValid 13, or with IA32_VMX_MISC bit 29 what VMREAD gives next.
 * Then L2 makes NR_TRIPS VMCALLs, counting each in memory, twice: L1's
 * handler VMREADs the exit information, guest RIP/RSP/RFLAGS/CR0/CR4 and
 * VMWRITEs GUEST_RIP, then vmresume() (which VMWRITEs HOST_RSP and
 * HOST_RIP); the second round also reads cold fields. The host reads the
 * vCPU's stats at L1's syncs around each round:
 *
 *  - on nvmx with vmcs_shadowing=Y: no VMREAD (23) or VMWRITE (25) exits,
 *    and every round trip is exactly 2 L0 exits (reflected VMCALL,
 *    VMRESUME; the sync's own exit and asynchronous interrupt and
 *    timer exits are counted apart); one VMREAD and one VMWRITE exit for a
 *    field outside the shadowed set;
 *  - on nvmx with vmcs_shadowing=N: one exit per VMREAD and VMWRITE L1
 *    made, as L1 counts them;
 *  - on kvm_intel, which shadows fewer fields: the counts, as comments.
 */
#include <stdlib.h>

#include "kselftest.h"
#include "test_util.h"

#include "vmx_nested.h"

#define NR_TRIPS	40
#define L2_STACK_WORDS	512

#define STAGE_LOOP	1	/* round 1 starts: L2's first VMCALL is in */
#define STAGE_HOT	2	/* round 1 done */
#define STAGE_COLD	3	/* round 2 done */
#define STAGE_OUTSIDE	4	/* one VMREAD, one VMWRITE outside the set */

/* Basic exit reasons (SDM appendix C). */
#define R_EXTINT	1
#define R_VMCALL	18
#define R_VMREAD	23
#define R_VMRESUME	24
#define R_VMWRITE	25
#define R_IO		30
#define R_PREEMPT	52

#define VMCALL_LEN	3

static u64 l2_stack[L2_STACK_WORDS] __aligned(16);
static u64 l2_done;		/* VMCALLs L2 got past */
static u64 l1_reads, l1_writes;		/* L1's VMREADs and VMWRITEs */
static u64 l1_bad, l1_bad_at, l1_bad_val;	/* first wrong value */

static void l2_code(void)
{
	for (;;) {
		l2_vmcall();
		WRITE_ONCE(l2_done, READ_ONCE(l2_done) + 1);
	}
}

static u64 rd(u64 enc)
{
	l1_reads++;
	return vmreadz(enc);
}

static void wr(u64 enc, u64 val)
{
	l1_writes++;
	GUEST_ASSERT_1(!vmwrite(enc, val), enc);
}

static void check(bool ok, u64 at, u64 val)
{
	if (!ok && !l1_bad++) {
		l1_bad_at = at;
		l1_bad_val = val;
	}
}

/* VMREAD's outcome as RFLAGS gives it (vmx_result()). */
static int vmread_result(u64 enc, u64 *val)
{
	u64 rflags, v = 0;

	asm volatile("vmread %[enc], %[v]\n\tpushf\n\tpop %[fl]"
		     : [v] "+r"(v), [fl] "=r"(rflags) : [enc] "r"(enc) : "cc");
	*val = v;
	return vmx_result(rflags);
}

static int vmwrite_result(u64 enc, u64 val)
{
	u64 rflags;

	asm volatile("vmwrite %[val], %[enc]\n\tpushf\n\tpop %[fl]"
		     : [fl] "=r"(rflags) : [enc] "r"(enc), [val] "r"(val)
		     : "cc");
	return vmx_result(rflags);
}

static int vmptrld_result(u64 gpa)
{
	u64 rflags;

	asm volatile("vmptrld %[p]\n\tpushf\n\tpop %[fl]"
		     : [fl] "=r"(rflags) : [p] "m"(gpa) : "cc", "memory");
	return vmx_result(rflags);
}

static int vmclear_result(u64 gpa)
{
	u64 rflags;

	asm volatile("vmclear %[p]\n\tpushf\n\tpop %[fl]"
		     : [fl] "=r"(rflags) : [p] "m"(gpa) : "cc", "memory");
	return vmx_result(rflags);
}

/* A (the libkvm VMCS) and B keep their own values through switches. */
static void l1_two_vmcss(struct vmx_pages *vmx)
{
	u64 a = vmx->vmcs_gpa, b = vmx->shadow_vmcs_gpa;
	u64 rs = vmreadz(CR0_READ_SHADOW), se = vmreadz(GUEST_SYSENTER_ESP);
	u64 v;

	/* CR0_READ_SHADOW is written in place, SYSENTER_ESP by emulation. */
	GUEST_ASSERT(!vmwrite(CR0_READ_SHADOW, 0x11));
	GUEST_ASSERT(!vmwrite(GUEST_SYSENTER_ESP, 0x22));
	*(u32 *)vmx->shadow_vmcs = vmcs_revision();
	GUEST_ASSERT(vmclear_result(b) == VMX_SUCCEED);
	GUEST_ASSERT(vmptrld_result(b) == VMX_SUCCEED);
	GUEST_ASSERT(!vmwrite(CR0_READ_SHADOW, 0x33));
	GUEST_ASSERT(!vmwrite(GUEST_SYSENTER_ESP, 0x44));
	GUEST_ASSERT_1(vmreadz(CR0_READ_SHADOW) == 0x33, vmreadz(CR0_READ_SHADOW));
	GUEST_ASSERT(vmptrld_result(a) == VMX_SUCCEED);
	GUEST_ASSERT_1(vmreadz(CR0_READ_SHADOW) == 0x11, vmreadz(CR0_READ_SHADOW));
	GUEST_ASSERT_1(vmreadz(GUEST_SYSENTER_ESP) == 0x22,
		       vmreadz(GUEST_SYSENTER_ESP));
	GUEST_ASSERT(vmptrld_result(b) == VMX_SUCCEED);
	GUEST_ASSERT_1(vmreadz(CR0_READ_SHADOW) == 0x33, vmreadz(CR0_READ_SHADOW));
	GUEST_ASSERT_1(vmreadz(GUEST_SYSENTER_ESP) == 0x44,
		       vmreadz(GUEST_SYSENTER_ESP));
	/* VMCLEAR writes it back; VMPTRLD reads the same values again. */
	GUEST_ASSERT(vmclear_result(b) == VMX_SUCCEED);
	GUEST_ASSERT_1(vmread_result(CR0_READ_SHADOW, &v) == VMX_FAIL_INVALID, v);
	GUEST_ASSERT(vmptrld_result(b) == VMX_SUCCEED);
	GUEST_ASSERT_1(vmreadz(CR0_READ_SHADOW) == 0x33, vmreadz(CR0_READ_SHADOW));
	GUEST_ASSERT_1(vmreadz(GUEST_SYSENTER_ESP) == 0x44,
		       vmreadz(GUEST_SYSENTER_ESP));
	GUEST_ASSERT(vmptrld_result(a) == VMX_SUCCEED);
	GUEST_ASSERT(!vmwrite(CR0_READ_SHADOW, rs));
	GUEST_ASSERT(!vmwrite(GUEST_SYSENTER_ESP, se));
}

/* VMWRITE of a VM-exit information field, as IA32_VMX_MISC bit 29 says. */
static void l1_read_only_write(void)
{
	bool any = rdmsr(MSR_IA32_VMX_MISC) & BIT_ULL(29);
	u64 old = vmreadz(EXIT_QUALIFICATION);
	int r = vmwrite_result(EXIT_QUALIFICATION, 0x1234);

	if (any) {
		GUEST_ASSERT_1(r == VMX_SUCCEED, r);
		/* Emulated, and what L1 reads next (maybe from the shadow). */
		GUEST_ASSERT_1(vmreadz(EXIT_QUALIFICATION) == 0x1234,
			       vmreadz(EXIT_QUALIFICATION));
		GUEST_ASSERT(!vmwrite(EXIT_QUALIFICATION, old));
	} else {
		GUEST_ASSERT_1(r == VMX_FAIL_VALID(13), r);
		GUEST_ASSERT_1(vmreadz(EXIT_QUALIFICATION) == old,
			       vmreadz(EXIT_QUALIFICATION));
	}
	/* An unknown field: 12, through whatever path. */
	GUEST_ASSERT_1(vmwrite_result(0x7ffe, 1) == VMX_FAIL_VALID(12),
		       vmwrite_result(0x7ffe, 1));
}

struct cold {
	u64 es_base, gdtr_limit, io_a, io_a_high, host_cr3, cs_ar, efer;
	u64 link;
};

static void read_cold(struct cold *c)
{
	c->es_base = rd(GUEST_ES_BASE);
	c->gdtr_limit = rd(GUEST_GDTR_LIMIT);
	c->io_a = rd(IO_BITMAP_A);
	c->io_a_high = rd(IO_BITMAP_A_HIGH);
	c->host_cr3 = rd(HOST_CR3);
	c->cs_ar = rd(GUEST_CS_AR_BYTES);
	c->efer = rd(GUEST_IA32_EFER);
	c->link = rd(VMCS_LINK_POINTER);
}

/*
 * One reflected VMCALL, as L1 handles it: read, check, step L2 past it.
 * @i is how many VMCALLs L2 got past so far.
 */
static void handle_vmcall(u64 i, u64 rip0, u64 rsp0, u64 cr0, u64 cr4,
			  const struct cold *c0)
{
	u64 reason = rd(VM_EXIT_REASON), qual = rd(EXIT_QUALIFICATION);
	u64 len = rd(VM_EXIT_INSTRUCTION_LEN), info = rd(VMX_INSTRUCTION_INFO);
	u64 intr = rd(VM_EXIT_INTR_INFO), idt = rd(IDT_VECTORING_INFO_FIELD);
	u64 rip = rd(GUEST_RIP), rsp = rd(GUEST_RSP), fl = rd(GUEST_RFLAGS);
	struct cold c;

	check(reason == R_VMCALL, 1, reason);
	check(!qual && !intr && !idt, 2, qual | intr | idt);
	check(len == VMCALL_LEN, 3, len);
	(void)info;
	/* L2 got past every VMCALL, each once: L1's RIP writes reached it. */
	check(READ_ONCE(l2_done) == i, 4, READ_ONCE(l2_done));
	check(rip == rip0 && rsp == rsp0, 5, rip);
	check(fl & X86_EFLAGS_FIXED, 6, fl);
	check(rd(GUEST_CR0) == cr0 && rd(GUEST_CR4) == cr4, 7, cr0);
	if (c0) {
		read_cold(&c);
		check(!memcmp(&c, c0, sizeof(c)), 8, c.es_base);
		check(c.io_a_high == c.io_a >> 32, 9, c.io_a_high);
		check(c.host_cr3 == get_cr3(), 10, c.host_cr3);
	}
	wr(GUEST_RIP, rip + len);
}

static void l1_code(struct vmx_pages *vmx)
{
	u64 rip0, rsp0, cr0, cr4, v, r0, w0, i;
	struct cold c0;

	/* The pages the loop touches are L1's before it starts. */
	l2_done = 0;
	l1_bad = 0;
	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	/* VMXON done, no current VMCS: VMREAD and VMWRITE VMfailInvalid. */
	GUEST_ASSERT_1(vmread_result(GUEST_RIP, &v) == VMX_FAIL_INVALID,
		       vmread_result(GUEST_RIP, &v));
	GUEST_ASSERT(vmwrite_result(GUEST_RIP, 0) == VMX_FAIL_INVALID);
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_code, &l2_stack[L2_STACK_WORDS - 1]);
	l1_two_vmcss(vmx);
	l1_read_only_write();

	GUEST_ASSERT_1(!vmlaunch(), vmreadz(VM_INSTRUCTION_ERROR));
	GUEST_ASSERT_1(vmreadz(VM_EXIT_REASON) == R_VMCALL,
		       vmreadz(VM_EXIT_REASON));
	rip0 = vmreadz(GUEST_RIP);
	rsp0 = vmreadz(GUEST_RSP);
	cr0 = vmreadz(GUEST_CR0);
	cr4 = vmreadz(GUEST_CR4);
	read_cold(&c0);

	/* Round 1: the usual reads and writes. */
	l1_reads = 0;
	l1_writes = 0;
	GUEST_SYNC(STAGE_LOOP);
	for (i = 0; i < NR_TRIPS; i++) {
		handle_vmcall(i, rip0, rsp0, cr0, cr4, NULL);
		/* vmresume() VMWRITEs HOST_RSP and HOST_RIP. */
		l1_writes += 2;
		GUEST_ASSERT_2(!vmresume(), i, vmreadz(VM_INSTRUCTION_ERROR));
	}
	r0 = l1_reads;
	w0 = l1_writes;
	GUEST_SYNC_ARGS(STAGE_HOT, r0, w0, l1_bad, l1_bad_at);

	/* Round 2: cold fields too. */
	l1_reads = 0;
	l1_writes = 0;
	for (i = 0; i < NR_TRIPS; i++) {
		handle_vmcall(NR_TRIPS + i, rip0, rsp0, cr0, cr4, &c0);
		l1_writes += 2;
		GUEST_ASSERT_2(!vmresume(), i, vmreadz(VM_INSTRUCTION_ERROR));
	}
	r0 = l1_reads;
	w0 = l1_writes;
	GUEST_SYNC_ARGS(STAGE_COLD, r0, w0, l1_bad, l1_bad_val);

	/* Outside the shadowed set: VPID (not offered), SYSENTER_ESP write. */
	v = vmreadz(VIRTUAL_PROCESSOR_ID);
	GUEST_ASSERT(!vmwrite(GUEST_SYSENTER_ESP, vmreadz(GUEST_SYSENTER_ESP)));
	GUEST_SYNC_ARGS(STAGE_OUTSIDE, v, 0, 0, 0);
	GUEST_DONE();
}

enum { S_EXITS, S_L1, S_L0, S_REFL, S_SYNCS, S_FIELDS, NR_S };
#define MAX_BUCKETS	128

static const char *const stat_names[NR_S] = {
	"exits", "nvmx_l1_exits", "nvmx_l2_exits_l0",
	"nvmx_l2_exits_reflected", "nvmx_shadow_syncs", "nvmx_shadow_fields",
};

static struct nested_stats stats;
static struct kvm_stats_desc *desc[NR_S];
static u64 snap[2][NR_S][MAX_BUCKETS];

static u64 delta(unsigned int s, unsigned int b)
{
	return snap[1][s][b] - snap[0][s][b];
}

static u64 hist_delta(unsigned int s)
{
	u64 sum = 0;
	unsigned int b;

	for (b = 0; desc[s] && b < desc[s]->size; b++)
		sum += delta(s, b);
	return sum;
}

/* Interrupt and time-slice exits: the host's, not the workload's. */
static u64 async_delta(void)
{
	u64 sum = 0;
	unsigned int s;

	for (s = S_L1; s <= S_REFL; s++)
		sum += delta(s, R_EXTINT) + delta(s, R_PREEMPT);
	return sum;
}

static bool shadowing_param(void)
{
	FILE *f = fopen("/sys/module/nvmx/parameters/vmcs_shadowing", "r");
	int c = 'N';

	if (f) {
		c = fgetc(f);
		fclose(f);
	}
	return c == 'Y';
}

/* One round of NR_TRIPS round trips: L1 made @reads and @writes. */
static void check_round(const char *name, bool nvmx, bool shadow,
			u64 reads, u64 writes)
{
	u64 exits = delta(S_EXITS, 0), async = async_delta();
	u64 sync_exits = exits - async - 1;	/* less the sync's own */

	ksft_print_msg("%s: %s%s: %llu exits for %u round trips and 1 sync\n",
		       name, nvmx ? "nvmx" : "kvm_intel",
		       nvmx ? (shadow ? " vmcs_shadowing=Y" : " vmcs_shadowing=N") : "",
		       (unsigned long long)exits, NR_TRIPS);
	ksft_print_msg("%s: %llu interrupt/timer exits; L1: %llu VMREADs, %llu VMWRITEs\n",
		       name, (unsigned long long)async,
		       (unsigned long long)reads, (unsigned long long)writes);
	if (!nvmx) {
		ksft_print_msg("%s: kvm_intel: %llu.%02llu exits per round trip\n",
			       name, (unsigned long long)((exits - 1) / NR_TRIPS),
			       (unsigned long long)((exits - 1) % NR_TRIPS * 100 /
						    NR_TRIPS));
		return;
	}
	ksft_print_msg("%s: nvmx: exits VMREAD %llu VMWRITE %llu VMRESUME %llu VMCALL %llu\n",
		       name, (unsigned long long)delta(S_L1, R_VMREAD),
		       (unsigned long long)delta(S_L1, R_VMWRITE),
		       (unsigned long long)delta(S_L1, R_VMRESUME),
		       (unsigned long long)delta(S_REFL, R_VMCALL));
	ksft_print_msg("%s: nvmx: %llu shadow syncs, %llu fields copied\n", name,
		       (unsigned long long)delta(S_SYNCS, 0),
		       (unsigned long long)delta(S_FIELDS, 0));
	result(delta(S_L1, R_VMRESUME) == NR_TRIPS &&
	       delta(S_REFL, R_VMCALL) == NR_TRIPS && delta(S_L1, R_IO) == 1,
	       "%s: %u VMRESUMEs, %u reflected VMCALLs, 1 sync", name,
	       NR_TRIPS, NR_TRIPS);
	result(exits == hist_delta(S_L1) + hist_delta(S_L0) + hist_delta(S_REFL),
	       "%s: exits is the histograms' sum", name);
	if (shadow) {
		result(!delta(S_L1, R_VMREAD) && !delta(S_L1, R_VMWRITE),
		       "%s: no VMREAD or VMWRITE exit (got %llu, %llu)", name,
		       (unsigned long long)delta(S_L1, R_VMREAD),
		       (unsigned long long)delta(S_L1, R_VMWRITE));
		result(sync_exits == 2 * NR_TRIPS,
		       "%s: exactly 2 L0 exits per round trip (%llu for %u)",
		       name, (unsigned long long)sync_exits, NR_TRIPS);
		result(delta(S_SYNCS, 0) > 0,
		       "%s: the shadow VMCS was synced (%llu syncs)", name,
		       (unsigned long long)delta(S_SYNCS, 0));
	} else {
		result(delta(S_L1, R_VMREAD) == reads &&
		       delta(S_L1, R_VMWRITE) == writes,
		       "%s: without shadowing every VMREAD and VMWRITE exits (%llu, %llu)",
		       name, (unsigned long long)delta(S_L1, R_VMREAD),
		       (unsigned long long)delta(S_L1, R_VMWRITE));
		result(sync_exits == 2 * NR_TRIPS + reads + writes,
		       "%s: 2 + VMREADs + VMWRITEs L0 exits per round trip (%llu)",
		       name, (unsigned long long)sync_exits);
		result(!delta(S_SYNCS, 0), "%s: no shadow syncs", name);
	}
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	vm_vaddr_t vmx_gva;
	struct ucall uc;
	bool nvmx, shadow;
	unsigned int s;

	setbuf(stdout, NULL);
	require_nested_vmx();
	nvmx = on_nvmx();
	shadow = nvmx && shadowing_param();
	ksft_print_header();

	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	nested_stats_open(&stats, vcpu, stat_names, NR_S, MAX_BUCKETS, desc);
	for (s = 0; s < NR_S; s++)
		if (nvmx || s == S_EXITS)
			result(desc[s], "stat %s present", stat_names[s]);

	for (;;) {
		vcpu_run(vcpu);
		TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO,
			    "exit reason %u (%s), want KVM_EXIT_IO",
			    vcpu->run->exit_reason,
			    exit_reason_str(vcpu->run->exit_reason));
		switch (get_ucall(vcpu, &uc)) {
		case UCALL_SYNC:
			memcpy(snap[0], snap[1], sizeof(snap[0]));
			nested_stats_read(&stats, &snap[1][0][0]);
			switch (uc.args[1]) {
			case STAGE_LOOP:
				break;
			case STAGE_HOT:
				result(!uc.args[4], "hot: L1 read what L2 did (bad check %lu)",
				       uc.args[5]);
				check_round("hot", nvmx, shadow, uc.args[2],
					    uc.args[3]);
				break;
			case STAGE_COLD:
				result(!uc.args[4], "cold: L1 read what L2 did (%#lx)",
				       uc.args[5]);
				check_round("cold", nvmx, shadow, uc.args[2],
					    uc.args[3]);
				break;
			case STAGE_OUTSIDE:
				if (!nvmx)
					break;
				/* One VMREAD of VPID, one of SYSENTER_ESP and its VMWRITE. */
				result(delta(S_L1, R_VMREAD) == (shadow ? 1 : 2) &&
				       delta(S_L1, R_VMWRITE) == 1,
				       "outside the set: %u VMREAD exit(s), 1 VMWRITE exit (got %llu, %llu)",
				       shadow ? 1 : 2,
				       (unsigned long long)delta(S_L1, R_VMREAD),
				       (unsigned long long)delta(S_L1, R_VMWRITE));
				break;
			default:
				TEST_FAIL("sync %lu", uc.args[1]);
			}
			break;
		case UCALL_DONE:
			kvm_vm_free(vm);
			ksft_set_plan(ksft_test_num());
			results_done();
			return 0;
		case UCALL_ABORT:
			REPORT_GUEST_ASSERT_2(uc, "values: %#lx, %#lx");
			break;
		default:
			TEST_FAIL("unexpected ucall %lu", uc.cmd);
		}
	}
}
