// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/nested/route.c, the routing of exits from L2, built
 * for userspace with ASan and UBSan. Expectations are written from the
 * SDM's rules, not from route.c's table.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "nested/route.h"

enum { L0 = NVMX_ROUTE_L0, L1 = NVMX_ROUTE_L1, L0_FOR_L1 = NVMX_ROUTE_L0_FOR_L1 };

/* L1's memory: I/O bitmaps A and B, the MSR bitmap; nothing else reads. */
#define GPA_IO_A	0x10000ULL
#define GPA_IO_B	0x11000ULL
#define GPA_MSR		0x12000ULL
#define GPA_END		0x13000ULL
#define GPA_HOLE	0x80000ULL

static u8 l1_mem[GPA_END - GPA_IO_A];
static unsigned int l1_reads;

static int fake_read_l1(void *opaque, u64 gpa, void *buf, unsigned int len)
{
	l1_reads++;
	if (gpa < GPA_IO_A || gpa + len > GPA_END || gpa + len < gpa)
		return -EFAULT;
	memcpy(buf, &l1_mem[gpa - GPA_IO_A], len);
	return 0;
}

static struct nvmx_route_ops ops = { .read_l1 = fake_read_l1 };

static struct nvmx_vmcs12 v12_zero(void)
{
	struct nvmx_vmcs12 v;

	memset(&v, 0, sizeof(v));
	v.io_bitmap_a = GPA_IO_A;
	v.io_bitmap_b = GPA_IO_B;
	v.msr_bitmap = GPA_MSR;
	memset(l1_mem, 0, sizeof(l1_mem));
	memset(&ops.l0_xcpt, 0, sizeof(ops.l0_xcpt));
	l1_reads = 0;
	return v;
}

/* reg: the register value the exit needs (CR source, ECX, EAX). */
static int route(const struct nvmx_vmcs12 *v, u32 reason, u64 qual, u64 reg)
{
	struct nvmx_exit e = {
		.reason = reason, .qual = qual,
		.cr_value = reg, .msr = (u32)reg, .encls_leaf = (u32)reg,
	};

	return nvmx_route_exit(v, &e, &ops);
}

static void set_bit_at(u64 gpa, unsigned int bit)
{
	l1_mem[gpa - GPA_IO_A + bit / 8] |= 1U << (bit % 8);
}

TEST(every_reason_has_a_name)
{
	/* Reserved, or for features without a row (PCONFIG, LOADIWKEY...). */
	static const u32 norow[] = {
		35, 38, 42, 65, 69, 70, 71, 72, 73, 76, 200, 0xffff,
	};
	unsigned int i;

	for (i = 0; i < 76; i++) {
		bool none = false;
		unsigned int j;

		for (j = 0; j < ARRAY_SIZE(norow); j++)
			none |= norow[j] == i;
		if (!none)
			EXPECT_STRNE("unknown", nvmx_route_reason_name(i))
				TH_LOG("reason %u", i);
	}
	for (i = 0; i < ARRAY_SIZE(norow); i++)
		EXPECT_STREQ("unknown", nvmx_route_reason_name(norow[i]));
	EXPECT_STREQ("cpuid", nvmx_route_reason_name(10));
	EXPECT_STREQ("io_instruction", nvmx_route_reason_name(30));
	EXPECT_STREQ("l0", nvmx_route_name(NVMX_ROUTE_L0));
	EXPECT_STREQ("l1", nvmx_route_name(NVMX_ROUTE_L1));
	EXPECT_STREQ("l0_for_l1", nvmx_route_name(NVMX_ROUTE_L0_FOR_L1));
	EXPECT_STREQ("?", nvmx_route_name(3));
	/* Bit 31 (entry failure) and the other high bits are not the reason. */
	EXPECT_STREQ("invalid_guest_state", nvmx_route_reason_name(0x80000021));
}

/* Unconditional exits: L1's whatever vmcs12 holds. */
TEST(always_rows)
{
	static const u32 always[] = {
		2, 3, 4, 5, 6, 9, 10, 11, 13, 17, 18, 19, 20, 21, 22, 23, 24,
		25, 26, 27, 33, 34, 44, 45, 50, 53, 55, 56,
		0x80000021, 0x80000022, 35, 65, 200,
	};
	struct nvmx_vmcs12 v = v12_zero();
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(always); i++)
		EXPECT_EQ(L1, route(&v, always[i], 0, 0)) TH_LOG("reason %u", always[i]);
}

/* L0's own: kept even when vmcs12 sets every control. */
TEST(l0_rows)
{
	static const u32 l0[] = { 1, 41, 48, 49, 52, 59, 62, 66, 74, 75 };
	struct nvmx_vmcs12 v = v12_zero();
	unsigned int i;

	v.pin_based_vm_exec_control = ~0U;
	v.cpu_based_vm_exec_control = ~0U;
	v.secondary_vm_exec_control = ~0U;
	for (i = 0; i < ARRAY_SIZE(l0); i++) {
		const char *why = NULL;
		struct nvmx_exit e = { .reason = l0[i] };

		EXPECT_EQ(L0, nvmx_route_exit_why(&v, &e, &ops, &why))
			TH_LOG("reason %u", l0[i]);
		EXPECT_STREQ(nvmx_route_reason_name(l0[i]), why);
	}
}

/* Exits one vmcs12 control bit asks for, per the SDM. */
static const struct {
	u32 reason;
	int word;		/* 0 pin, 1 primary, 2 secondary */
	u32 bit;
} ctl_rows[] = {
	{ 7, 1, NVMX_MG_PROC_INTR_WINDOW },
	{ 8, 1, NVMX_MG_PROC_NMI_WINDOW },
	{ 12, 1, NVMX_MG_PROC_HLT },
	{ 14, 1, NVMX_MG_PROC_INVLPG },
	{ 15, 1, NVMX_MG_PROC_RDPMC },
	{ 16, 1, NVMX_MG_PROC_RDTSC },
	{ 29, 1, NVMX_MG_PROC_MOV_DR },
	{ 36, 1, NVMX_MG_PROC_MWAIT },
	{ 37, 1, NVMX_MG_PROC_MTF },
	{ 39, 1, NVMX_MG_PROC_MONITOR },
	{ 40, 1, NVMX_MG_PROC_PAUSE },
	{ 43, 1, NVMX_MG_PROC_TPR_SHADOW },
	{ 51, 1, NVMX_MG_PROC_RDTSC },
	{ 46, 2, NVMX_MG_PROC2_DESC },
	{ 47, 2, NVMX_MG_PROC2_DESC },
	{ 54, 2, NVMX_MG_PROC2_WBINVD },
	{ 57, 2, NVMX_MG_PROC2_RDRAND },
	{ 61, 2, NVMX_MG_PROC2_RDSEED },
	{ 40, 2, NVMX_MG_PROC2_PLE },
	{ 63, 2, NVMX_MG_PROC2_XSAVES },
	{ 64, 2, NVMX_MG_PROC2_XSAVES },
	{ 67, 2, NVMX_MG_PROC2_WAITPKG },
	{ 68, 2, NVMX_MG_PROC2_WAITPKG },
};

TEST(control_bit_rows)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ctl_rows); i++) {
		struct nvmx_vmcs12 v = v12_zero();
		u32 r = ctl_rows[i].reason, bit = ctl_rows[i].bit;

		/* Every other control on: only this bit may decide. */
		if (ctl_rows[i].word == 1) {
			v.cpu_based_vm_exec_control = ~bit;
			v.secondary_vm_exec_control = ~0U;
			if (r == 40)
				v.secondary_vm_exec_control &= ~NVMX_MG_PROC2_PLE;
		} else {
			v.cpu_based_vm_exec_control = ~0U;
			v.secondary_vm_exec_control = ~bit;
			if (r == 40)
				v.cpu_based_vm_exec_control &= ~NVMX_MG_PROC_PAUSE;
		}
		/* Without L1's TPR shadow, the threshold is L0's (merge.h). */
		EXPECT_EQ(r == 43 ? L0 : L0_FOR_L1, route(&v, r, 0, 0))
			TH_LOG("reason %u off", r);
		if (ctl_rows[i].word == 1)
			v.cpu_based_vm_exec_control |= bit;
		else
			v.secondary_vm_exec_control |= bit;
		EXPECT_EQ(L1, route(&v, r, 0, 0)) TH_LOG("reason %u on", r);
		/* Secondary controls count only when activated. */
		if (ctl_rows[i].word == 2) {
			v.cpu_based_vm_exec_control &= ~NVMX_MG_PROC_SECONDARY;
			EXPECT_EQ(L0_FOR_L1, route(&v, r, 0, 0))
				TH_LOG("reason %u inactive", r);
		}
	}
}

/*
 * What route.c reflects by a control bit, merge.c must put into vmcs02, or
 * the exit never reaches L0 to be reflected. The features nvmx does not
 * offer L1 (MTF, PAUSE-loop exiting, XSAVES, WAITPKG) are the exceptions:
 * the entry checks refuse them.
 */
TEST(vmcs02_has_every_exit_l1_asks_for)
{
	const u32 not_offered = NVMX_MG_PROC_MTF;
	const u32 not_offered2 = NVMX_MG_PROC2_PLE | NVMX_MG_PROC2_XSAVES |
				 NVMX_MG_PROC2_WAITPKG;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ctl_rows); i++) {
		struct nvmx_vmcs12 v = v12_zero();
		u32 bit = ctl_rows[i].bit;

		if (ctl_rows[i].word == 1) {
			if (bit & not_offered)
				continue;
			v.cpu_based_vm_exec_control = bit;
			EXPECT_EQ(bit, nvmx_merge_proc(0, &v, false) & bit)
				TH_LOG("reason %u", ctl_rows[i].reason);
			EXPECT_EQ(bit, nvmx_merge_proc(0, &v, true) & bit)
				TH_LOG("reason %u, TPR INTERCEPT", ctl_rows[i].reason);
		} else {
			if (bit & not_offered2)
				continue;
			v.cpu_based_vm_exec_control = NVMX_MG_PROC_SECONDARY;
			v.secondary_vm_exec_control = bit;
			EXPECT_EQ(bit, nvmx_merge_proc2(0, &v) & bit)
				TH_LOG("reason %u", ctl_rows[i].reason);
		}
	}
}

TEST(invpcid_needs_both_controls)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.cpu_based_vm_exec_control = NVMX_MG_PROC_SECONDARY | NVMX_MG_PROC_INVLPG;
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_INVPCID, 0, 0));
	v.secondary_vm_exec_control = NVMX_MG_PROC2_INVPCID;
	EXPECT_EQ(L1, route(&v, NVMX_RT_INVPCID, 0, 0));
	v.cpu_based_vm_exec_control &= ~NVMX_MG_PROC_INVLPG;
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_INVPCID, 0, 0));
}

TEST(encls_by_leaf)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.encls_exiting_bitmap = BIT_ULL(5) | BIT_ULL(63);
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_ENCLS, 0, 5));
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_SECONDARY;
	v.secondary_vm_exec_control = NVMX_MG_PROC2_ENCLS;
	EXPECT_EQ(L1, route(&v, NVMX_RT_ENCLS, 0, 5));
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_ENCLS, 0, 6));
	/* Leaves from 63 up share bit 63. */
	EXPECT_EQ(L1, route(&v, NVMX_RT_ENCLS, 0, 63));
	EXPECT_EQ(L1, route(&v, NVMX_RT_ENCLS, 0, 0xffffffff));
	v.encls_exiting_bitmap = BIT_ULL(5);
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_ENCLS, 0, 100));
}

TEST(external_interrupt_is_l0s_but_l1_asks_by_pin)
{
	struct nvmx_vmcs12 v = v12_zero();
	struct nvmx_exit e = { .reason = NVMX_RT_EXTINT };

	EXPECT_FALSE(nvmx_route_l1_wants(&v, &e, &ops, NULL));
	v.pin_based_vm_exec_control = NVMX_MG_PIN_EXTINT;
	EXPECT_EQ(L0, nvmx_route_exit(&v, &e, &ops));
	EXPECT_TRUE(nvmx_route_l1_wants(&v, &e, &ops, NULL));
}

static struct nvmx_exit xcpt(unsigned int vector, u32 type, u32 error)
{
	struct nvmx_exit e = {
		.reason = NVMX_RT_EXCEPTION_NMI,
		.intr_info = NVMX_RT_INTR_VALID | type | vector |
			     NVMX_RT_INTR_ERROR_VALID,
		.intr_error = error,
	};

	return e;
}

#define HW	NVMX_RT_INTR_TYPE_HW_EXC
#define SW	(6U << NVMX_RT_INTR_TYPE_SHIFT)

TEST(nmi_and_machine_check_are_l0s)
{
	struct nvmx_vmcs12 v = v12_zero();
	struct nvmx_exit nmi = xcpt(2, NVMX_RT_INTR_TYPE_NMI, 0);
	struct nvmx_exit mc = xcpt(18, HW, 0);
	const char *why;

	v.exception_bitmap = ~0U;
	v.pin_based_vm_exec_control = NVMX_MG_PIN_NMI;
	EXPECT_EQ(L0, nvmx_route_exit_why(&v, &nmi, &ops, &why));
	EXPECT_STREQ("exception_nmi", why);
	EXPECT_EQ(L0, nvmx_route_exit(&v, &mc, &ops));
	/* A virtual NMI for L2: L1's if it set NMI exiting. */
	EXPECT_TRUE(nvmx_route_l1_wants(&v, &nmi, &ops, NULL));
	v.pin_based_vm_exec_control = 0;
	EXPECT_FALSE(nvmx_route_l1_wants(&v, &nmi, &ops, NULL));
}

TEST(exceptions_by_bitmap)
{
	struct nvmx_vmcs12 v = v12_zero();
	struct nvmx_exit ud = xcpt(6, HW, 0), bp = xcpt(3, SW, 0);
	struct nvmx_exit db = xcpt(1, HW, 0);

	EXPECT_EQ(L0_FOR_L1, nvmx_route_exit(&v, &ud, &ops));
	EXPECT_EQ(L0_FOR_L1, nvmx_route_exit(&v, &bp, &ops));
	v.exception_bitmap = BIT(6) | BIT(3) | BIT(1);
	EXPECT_EQ(L1, nvmx_route_exit(&v, &ud, &ops));
	EXPECT_EQ(L1, nvmx_route_exit(&v, &bp, &ops));
	/* An exception L0 keeps for itself (say, host debugging). */
	ops.l0_xcpt.bitmap = BIT(1);
	EXPECT_EQ(L0, nvmx_route_exit(&v, &db, &ops));
	EXPECT_EQ(L1, nvmx_route_exit(&v, &ud, &ops));
	EXPECT_TRUE(nvmx_route_exception_wanted(&v, 6, 0));
	EXPECT_FALSE(nvmx_route_exception_wanted(&v, 7, 0));
	EXPECT_FALSE(nvmx_route_exception_wanted(&v, 32, 0));
	/* No ops: no L0 exceptions, nothing read. */
	EXPECT_EQ(L1, nvmx_route_exit(&v, &db, NULL));
}

static const u32 pf_vals[] = { 0, 1, 2, 3, 5, 7, 0x80000000U, 0x80000003U };

static bool pf_ref(u32 bitmap, u32 mask, u32 match, u32 ec)
{
	bool eq = (ec & mask) == match;

	return (bitmap & BIT(14)) ? eq : !eq;
}

/*
 * Every pair of L0/L1 #PF rules and every error code over the bits the
 * masks use: L0 first, then L1, then back into L2.
 */
TEST(page_faults)
{
	unsigned int n = ARRAY_SIZE(pf_vals), r0, r1, i;
	struct nvmx_vmcs12 v = v12_zero();

	for (r0 = 0; r0 < 2 * n * n; r0++)
		for (r1 = 0; r1 < 2 * n * n; r1++) {
			ops.l0_xcpt.bitmap = (r0 / (n * n)) << 14;
			ops.l0_xcpt.pfec_mask = pf_vals[(r0 / n) % n];
			ops.l0_xcpt.pfec_match = pf_vals[r0 % n];
			v.exception_bitmap = (r1 / (n * n)) << 14;
			v.page_fault_error_code_mask = pf_vals[(r1 / n) % n];
			v.page_fault_error_code_match = pf_vals[r1 % n];
			for (i = 0; i < 16; i++) {
				u32 ec = (i & 7) | ((i & 8) ? 0x80000000U : 0);
				struct nvmx_exit e = xcpt(14, HW, ec);
				int want = L0_FOR_L1;

				if (pf_ref(ops.l0_xcpt.bitmap, ops.l0_xcpt.pfec_mask,
					   ops.l0_xcpt.pfec_match, ec))
					want = L0;
				else if (pf_ref(v.exception_bitmap,
						v.page_fault_error_code_mask,
						v.page_fault_error_code_match, ec))
					want = L1;
				ASSERT_EQ(want, nvmx_route_exit(&v, &e, &ops));
			}
		}
}

TEST(page_fault_examples)
{
	struct nvmx_vmcs12 v = v12_zero();
	struct nvmx_exit present_write = xcpt(14, HW, 0x3);
	struct nvmx_exit not_present = xcpt(14, HW, 0x2);

	/* Bit 14 set, mask P, match P: only protection faults go to L1. */
	v.exception_bitmap = BIT(14);
	v.page_fault_error_code_mask = 1;
	v.page_fault_error_code_match = 1;
	EXPECT_EQ(L1, nvmx_route_exit(&v, &present_write, &ops));
	EXPECT_EQ(L0_FOR_L1, nvmx_route_exit(&v, &not_present, &ops));
	/* Bit 14 clear: the same mask/match selects the other faults. */
	v.exception_bitmap = 0;
	EXPECT_EQ(L0_FOR_L1, nvmx_route_exit(&v, &present_write, &ops));
	EXPECT_EQ(L1, nvmx_route_exit(&v, &not_present, &ops));
	/* L0 shadowing all #PF (mask = match = 0) wins. */
	ops.l0_xcpt.bitmap = BIT(14);
	EXPECT_EQ(L0, nvmx_route_exit(&v, &not_present, &ops));
	EXPECT_TRUE(nvmx_route_exception_wanted(&v, 14, 0x2));
	EXPECT_FALSE(nvmx_route_exception_wanted(&v, 14, 0x3));
}

/* CR-access qualification: cr, access type, GPR, LMSW source data. */
static u64 crq(unsigned int cr, unsigned int type, unsigned int gpr, u32 lmsw)
{
	return cr | (type << 4) | (gpr << 8) | ((u64)lmsw << 16);
}

TEST(mov_to_cr0_and_cr4)
{
	struct nvmx_vmcs12 v = v12_zero();

	/* No mask: never L1's. */
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, crq(0, 0, 1, 0), ~0ULL));
	v.cr0_guest_host_mask = 0x80000001;	/* PG, PE */
	v.cr0_read_shadow = 0x80000001;
	/* Masked bits as the shadow has them, others changed: not L1's. */
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, crq(0, 0, 1, 0), 0x8000003f));
	/* PG cleared against the shadow: L1's. */
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, crq(0, 0, 1, 0), 0x3f));
	/* CR4: VMXE masked, shadow clear. */
	v.cr4_guest_host_mask = 0x2000;
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, crq(4, 0, 3, 0), 0xa0));
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, crq(4, 0, 3, 0), 0x2020));
	v.cr4_read_shadow = 0x2000;
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, crq(4, 0, 3, 0), 0x20));
	/* Bits 63:32 of the mask count too. */
	v.cr4_guest_host_mask = 1ULL << 40;
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, crq(4, 0, 3, 0), 0x2000 | (1ULL << 40)));
}

TEST(cr3_with_targets)
{
	struct nvmx_vmcs12 v = v12_zero();
	u64 q_to = crq(3, 0, 2, 0), q_from = crq(3, 1, 2, 0);

	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q_to, 0x1000));
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q_from, 0));
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_CR3_LOAD;
	/* Count 0: every load exits. */
	v.cr3_target_value0 = 0x1000;
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, q_to, 0x1000));
	v.cr3_target_count = 2;
	v.cr3_target_value1 = 0x2000;
	v.cr3_target_value2 = 0x3000;
	v.cr3_target_value3 = 0x4000;
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q_to, 0x1000));
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q_to, 0x2000));
	/* Only the first count targets count. */
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, q_to, 0x3000));
	/* An impossible count reads no further than the fourth. */
	v.cr3_target_count = 200;
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q_to, 0x4000));
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, q_to, 0x5000));
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q_from, 0));
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_CR3_STORE;
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, q_from, 0));
}

TEST(cr8_load_and_store)
{
	struct nvmx_vmcs12 v = v12_zero();
	u64 q_to = crq(8, 0, 0, 0), q_from = crq(8, 1, 0, 0);

	/*
	 * Neither shadow nor exiting in vmcs12: an exit can only come from
	 * embodiment 2's forced exiting, which L0 emulates.
	 */
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q_to, 5));
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q_from, 0));
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_CR8_LOAD;
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, q_to, 5));
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q_from, 0));
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_CR8_STORE;
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q_to, 5));
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, q_from, 0));
	/* MOV from CR0/CR4 never exits on the CPU; not L1's if it came. */
	v.cpu_based_vm_exec_control = ~0U;
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, crq(0, 1, 0, 0), 0));
}

/*
 * Every TPR case end to end: the controls merge.c gives vmcs02 say which
 * CR8 accesses exit at all, and route.c says who gets those that do. An
 * access that cannot exit costs nothing; one that exits goes to L1 exactly
 * when vmcs12 asked for it.
 */
TEST(cr8_exits_by_tpr_case)
{
	static const u32 l1_ctls[] = {
		0, NVMX_MG_PROC_CR8_LOAD, NVMX_MG_PROC_CR8_STORE,
		NVMX_MG_PROC_CR8_LOAD | NVMX_MG_PROC_CR8_STORE,
	};
	unsigned int n;

	/* n: L1's controls (bits 4:3), shadow, TPR INTERCEPT, direction. */
	for (n = 0; n < 8 * ARRAY_SIZE(l1_ctls); n++) {
		unsigned int i = n >> 3, shadow = (n >> 2) & 1;
		unsigned int icpt = (n >> 1) & 1, type = n & 1;
		struct nvmx_vmcs12 v = v12_zero();
		u32 dir = type ? NVMX_MG_PROC_CR8_STORE : NVMX_MG_PROC_CR8_LOAD;
		bool l1 = l1_ctls[i] & dir, exits;
		u32 p;

		v.cpu_based_vm_exec_control = l1_ctls[i] |
			(shadow ? NVMX_MG_PROC_TPR_SHADOW : 0);
		p = nvmx_merge_proc(0, &v, icpt);
		exits = p & dir;
		/* Only embodiment 2 without L1's shadow adds exits. */
		EXPECT_EQ(l1 || (!shadow && icpt), exits)
			TH_LOG("ctl %#x shadow %u icpt %u type %u", l1_ctls[i],
			       shadow, icpt, type);
		/* Without an exit the CPU needs the shadow, never the real TPR. */
		if (!exits)
			EXPECT_TRUE(p & NVMX_MG_PROC_TPR_SHADOW);
		if (exits)
			EXPECT_EQ(l1 ? L1 : L0_FOR_L1,
				  route(&v, NVMX_RT_CR_ACCESS,
					crq(8, type, 0, 0), 3));
	}
}

/* Reason 43 is L1's with its TPR shadow, L0's without (embodiment 1). */
TEST(tpr_below_threshold_owner)
{
	struct nvmx_vmcs12 v = v12_zero();

	EXPECT_EQ(L0, route(&v, 43, 0, 0));
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_CR8_LOAD |
				      NVMX_MG_PROC_CR8_STORE;
	EXPECT_EQ(L0, route(&v, 43, 0, 0));
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_TPR_SHADOW;
	EXPECT_EQ(L1, route(&v, 43, 0, 0));
	v.cpu_based_vm_exec_control |= NVMX_MG_PROC_CR8_LOAD;
	EXPECT_EQ(L1, route(&v, 43, 0, 0));
}

TEST(clts)
{
	struct nvmx_vmcs12 v = v12_zero();
	u64 q = crq(0, 2, 0, 0);

	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q, 0));
	v.cr0_guest_host_mask = 0x8;
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q, 0));
	v.cr0_read_shadow = 0x8;
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, q, 0));
	v.cr0_guest_host_mask = 0;
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, q, 0));
}

TEST(lmsw)
{
	struct nvmx_vmcs12 v = v12_zero();

	/* MP masked, shadow 0: writing MP = 1 is L1's. */
	v.cr0_guest_host_mask = 0x2;
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, crq(0, 3, 0, 0x2), 0));
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, crq(0, 3, 0, 0xd), 0));
	/* PE masked: setting it against a clear shadow is L1's... */
	v.cr0_guest_host_mask = 0x1;
	EXPECT_EQ(L1, route(&v, NVMX_RT_CR_ACCESS, crq(0, 3, 0, 0x1), 0));
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, crq(0, 3, 0, 0x0), 0));
	/* ...clearing it is not (LMSW never clears PE), nor keeping it. */
	v.cr0_read_shadow = 0x1;
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, crq(0, 3, 0, 0x0), 0));
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, crq(0, 3, 0, 0x1), 0));
	/* Only bits 3:0 of the source and the mask matter. */
	v.cr0_guest_host_mask = 0xfff0;
	v.cr0_read_shadow = 0;
	EXPECT_EQ(L0_FOR_L1, route(&v, NVMX_RT_CR_ACCESS, crq(0, 3, 0, 0xfff0), 0));
}

/* I/O qualification: size, direction IN, port. */
static u64 ioq(unsigned int port, unsigned int size)
{
	return (size - 1) | (1U << 3) | ((u64)port << 16);
}

static int io(const struct nvmx_vmcs12 *v, unsigned int port, unsigned int size)
{
	return route(v, NVMX_RT_IO, ioq(port, size), 0);
}

TEST(io_without_bitmaps)
{
	struct nvmx_vmcs12 v = v12_zero();

	EXPECT_EQ(L0_FOR_L1, io(&v, 0x60, 1));
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_UNCOND_IO;
	EXPECT_EQ(L1, io(&v, 0x60, 1));
	EXPECT_EQ(0, l1_reads);
	/* Bitmaps make the CPU ignore unconditional exiting. */
	v.cpu_based_vm_exec_control |= NVMX_MG_PROC_IO_BITMAPS;
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x60, 1));
	EXPECT_EQ(1, l1_reads);
}

TEST(io_bitmap_bits)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.cpu_based_vm_exec_control = NVMX_MG_PROC_IO_BITMAPS;
	set_bit_at(GPA_IO_A, 0x3f9);
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x3f8, 1));
	EXPECT_EQ(L1, io(&v, 0x3f9, 1));
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x3fa, 1));
	EXPECT_EQ(L1, io(&v, 0x3f8, 2));
	EXPECT_EQ(L1, io(&v, 0x3f6, 4));
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x3f4, 4));
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x3fa, 4));
	/* Bitmap B's bit n is port 0x8000 + n; port n reads bitmap A. */
	set_bit_at(GPA_IO_B, 0xcf8);
	EXPECT_EQ(L0_FOR_L1, io(&v, 0xcf8, 4));
	EXPECT_EQ(L1, io(&v, 0x8cf8, 1));
	EXPECT_EQ(L1, io(&v, 0x8cf6, 4));
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x8cf9, 2));
}

/* Accesses straddling bitmap A's last port and bitmap B's first. */
TEST(io_straddles_a_and_b)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.cpu_based_vm_exec_control = NVMX_MG_PROC_IO_BITMAPS;
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x7fff, 2));
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x7ffd, 4));
	set_bit_at(GPA_IO_B, 0);		/* port 0x8000 */
	EXPECT_EQ(L1, io(&v, 0x7fff, 2));
	EXPECT_EQ(L1, io(&v, 0x7ffd, 4));
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x7ffc, 4));
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x7fff, 1));
	v = v12_zero();
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_IO_BITMAPS;
	set_bit_at(GPA_IO_A, 0x7fff);
	EXPECT_EQ(L1, io(&v, 0x7fff, 2));
	EXPECT_EQ(L1, io(&v, 0x7ffe, 4));
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x8000, 4));
	v = v12_zero();
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_IO_BITMAPS;
	set_bit_at(GPA_IO_B, 1);		/* port 0x8001 */
	EXPECT_EQ(L1, io(&v, 0x7ffe, 4));
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x7ffe, 2));
}

/* Wrapping past 0xffff exits whatever the bitmaps say. */
TEST(io_wraps_at_ffff)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.cpu_based_vm_exec_control = NVMX_MG_PROC_IO_BITMAPS;
	EXPECT_EQ(L0_FOR_L1, io(&v, 0xffff, 1));
	EXPECT_EQ(L0_FOR_L1, io(&v, 0xfffe, 2));
	EXPECT_EQ(L0_FOR_L1, io(&v, 0xfffc, 4));
	EXPECT_EQ(L1, io(&v, 0xffff, 2));
	EXPECT_EQ(L1, io(&v, 0xfffd, 4));
	EXPECT_EQ(L1, io(&v, 0xffff, 4));
	set_bit_at(GPA_IO_B, 0x7fff);		/* port 0xffff */
	EXPECT_EQ(L1, io(&v, 0xffff, 1));
	EXPECT_EQ(L1, io(&v, 0xfffc, 4));
}

TEST(io_unreadable_bitmap_exits)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.cpu_based_vm_exec_control = NVMX_MG_PROC_IO_BITMAPS;
	v.io_bitmap_b = GPA_HOLE;
	EXPECT_EQ(L0_FOR_L1, io(&v, 0x60, 1));
	EXPECT_EQ(L1, io(&v, 0x8000, 1));
	EXPECT_EQ(L1, io(&v, 0x7fff, 2));
	EXPECT_EQ(L1, nvmx_route_exit(&v, &(struct nvmx_exit){
		.reason = NVMX_RT_IO, .qual = ioq(0x60, 1) }, NULL));
}

static int msr(const struct nvmx_vmcs12 *v, bool write, u64 rcx)
{
	return route(v, write ? NVMX_RT_MSR_WRITE : NVMX_RT_MSR_READ, 0, rcx);
}

TEST(msr_without_bitmaps)
{
	struct nvmx_vmcs12 v = v12_zero();

	EXPECT_EQ(L1, msr(&v, false, 0x10));
	EXPECT_EQ(L1, msr(&v, true, 0x10));
	EXPECT_EQ(0, l1_reads);
}

TEST(msr_bitmap_quarters)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.cpu_based_vm_exec_control = NVMX_MG_PROC_MSR_BITMAPS;
	EXPECT_EQ(L0_FOR_L1, msr(&v, false, 0x10));
	EXPECT_EQ(L0_FOR_L1, msr(&v, true, 0x10));
	set_bit_at(GPA_MSR, 0x10);			/* read low */
	EXPECT_EQ(L1, msr(&v, false, 0x10));
	EXPECT_EQ(L0_FOR_L1, msr(&v, true, 0x10));
	set_bit_at(GPA_MSR + 2048, 0x1fff);		/* write low, last */
	EXPECT_EQ(L1, msr(&v, true, 0x1fff));
	EXPECT_EQ(L0_FOR_L1, msr(&v, false, 0x1fff));
	set_bit_at(GPA_MSR + 1024, 0x80);		/* read high: EFER */
	EXPECT_EQ(L1, msr(&v, false, 0xc0000080));
	EXPECT_EQ(L0_FOR_L1, msr(&v, true, 0xc0000080));
	EXPECT_EQ(L0_FOR_L1, msr(&v, false, 0x80));
	set_bit_at(GPA_MSR + 3072, 0x1fff);		/* write high, last */
	EXPECT_EQ(L1, msr(&v, true, 0xc0001fff));
	EXPECT_EQ(L0_FOR_L1, msr(&v, true, 0xc0001ffe));
	/* Only ECX counts. */
	EXPECT_EQ(L1, msr(&v, false, 0xffffffff00000010ULL));
}

TEST(msr_outside_the_ranges_exits)
{
	static const u32 out[] = {
		0x2000, 0x40000000, 0xbfffffff, 0xc0002000, 0xc0010000, 0xffffffff,
	};
	struct nvmx_vmcs12 v = v12_zero();
	unsigned int i;

	v.cpu_based_vm_exec_control = NVMX_MG_PROC_MSR_BITMAPS;
	for (i = 0; i < ARRAY_SIZE(out); i++) {
		EXPECT_EQ(L1, msr(&v, false, out[i])) TH_LOG("msr %x", out[i]);
		EXPECT_EQ(L1, msr(&v, true, out[i])) TH_LOG("msr %x", out[i]);
	}
	EXPECT_EQ(0, l1_reads);
	EXPECT_EQ(L0_FOR_L1, msr(&v, false, 0));
	EXPECT_EQ(L0_FOR_L1, msr(&v, true, 0xc0000000));
}

TEST(msr_unreadable_bitmap_exits)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.cpu_based_vm_exec_control = NVMX_MG_PROC_MSR_BITMAPS;
	v.msr_bitmap = GPA_HOLE;
	EXPECT_EQ(L1, msr(&v, false, 0x10));
	EXPECT_EQ(1, l1_reads);
}

TEST_HARNESS_MAIN
