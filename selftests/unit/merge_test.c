// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/nested/merge.c, the vmcs02 merge rules, built for
 * userspace with ASan and UBSan.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "nested/merge.h"
#include "policy.h"

/* Bits the SDM reserves as default-1 (true MSRs may clear 15 and 16). */
#define PIN_DEFAULT1	0x16U
#define PROC_DEFAULT1	0x0401e172U
#define EXIT_DEFAULT1	0x00036dffU
#define ENTRY_DEFAULT1	0x000011ffU

/* vmcs01's controls as src/vmcs01.c computes them on a typical host. */
#define PIN01	(PIN_DEFAULT1 | NVMX_MG_PIN_EXTINT | NVMX_MG_PIN_NMI | \
		 NVMX_MG_PIN_VNMI | NVMX_MG_PIN_PREEMPT)
#define PROC01	((PROC_DEFAULT1 & ~(NVMX_MG_PROC_CR3_LOAD | \
				    NVMX_MG_PROC_CR3_STORE)) | \
		 NVMX_MG_PROC_HLT | NVMX_MG_PROC_MWAIT | NVMX_MG_PROC_RDPMC | \
		 NVMX_MG_PROC_MOV_DR | NVMX_MG_PROC_UNCOND_IO | \
		 NVMX_MG_PROC_MONITOR | NVMX_MG_PROC_TSC_OFFSET | \
		 NVMX_MG_PROC_TPR_SHADOW | NVMX_MG_PROC_MSR_BITMAPS | \
		 NVMX_MG_PROC_SECONDARY)
#define PROC2_01 (NVMX_MG_PROC2_EPT | NVMX_MG_PROC2_VPID | \
		  NVMX_MG_PROC2_UNRESTRICTED | NVMX_MG_PROC2_WBINVD)
#define EXIT01	(EXIT_DEFAULT1 | NVMX_MG_EXIT_HOST_64 | NVMX_MG_EXIT_SAVE_PAT | \
		 NVMX_MG_EXIT_LOAD_PAT | NVMX_MG_EXIT_SAVE_EFER | \
		 NVMX_MG_EXIT_LOAD_EFER | NVMX_MG_EXIT_SAVE_DEBUG)
#define ENTRY01	(ENTRY_DEFAULT1 | NVMX_MG_ENTRY_LOAD_DEBUG | \
		 NVMX_MG_ENTRY_LOAD_PAT | NVMX_MG_ENTRY_LOAD_EFER)

static struct nvmx_vmcs12 v12_zero(void)
{
	struct nvmx_vmcs12 v;

	memset(&v, 0, sizeof(v));
	return v;
}

static u32 merge(enum nvmx_merge_ctl ctl, u32 v01, struct nvmx_vmcs12 *v,
		 u32 v12)
{
	switch (ctl) {
	case NVMX_MG_CTL_PIN:
		v->pin_based_vm_exec_control = v12;
		return nvmx_merge_pin(v01, v);
	case NVMX_MG_CTL_PROC:
		v->cpu_based_vm_exec_control = v12;
		return nvmx_merge_proc(v01, v, false);
	case NVMX_MG_CTL_PROC2:
		v->cpu_based_vm_exec_control = NVMX_MG_PROC_SECONDARY;
		v->secondary_vm_exec_control = v12;
		return nvmx_merge_proc2(v01, v);
	case NVMX_MG_CTL_EXIT:
		v->vm_exit_controls = v12;
		return nvmx_merge_exit(v01, v);
	default:
		v->vm_entry_controls = v12;
		return nvmx_merge_entry(v01, v);
	}
}

TEST(tables_are_well_formed)
{
	enum nvmx_merge_ctl ctl;
	unsigned int nr, i;

	for (ctl = 0; ctl < NVMX_MG_CTL_NR; ctl++) {
		const struct nvmx_merge_bit *rows = nvmx_merge_bits(ctl, &nr);
		u32 seen = 0;

		ASSERT_NE(NULL, rows);
		ASSERT_GT(nr, 0);
		for (i = 0; i < nr; i++) {
			ASSERT_NE(NULL, rows[i].name);
			ASSERT_LT(rows[i].bit, 32);
			ASSERT_LE(rows[i].src, NVMX_MG_RULE);
			EXPECT_EQ(0, seen & (1U << rows[i].bit))
				TH_LOG("ctl %d bit %u twice", ctl, rows[i].bit);
			seen |= 1U << rows[i].bit;
		}
	}
	EXPECT_EQ(NULL, nvmx_merge_bits(NVMX_MG_CTL_NR, &nr));
	EXPECT_EQ(0, nr);
}

/*
 * Every row, alone in vmcs01 or alone in vmcs12, lands in vmcs02 exactly
 * as its source says. The proc word is tested with TPR shadow on in
 * vmcs12, and the RULE rows (CR8, TPR shadow, I/O) are skipped: their
 * own tests below cover them.
 */
TEST(each_row_follows_its_source)
{
	enum nvmx_merge_ctl ctl;
	unsigned int nr, i;

	for (ctl = 0; ctl < NVMX_MG_CTL_NR; ctl++) {
		const struct nvmx_merge_bit *rows = nvmx_merge_bits(ctl, &nr);

		for (i = 0; i < nr; i++) {
			struct nvmx_vmcs12 v = v12_zero();
			u32 bit = 1U << rows[i].bit, base = 0, r01, r12;
			bool want01, want12;

			if (rows[i].src == NVMX_MG_RULE)
				continue;
			if (ctl == NVMX_MG_CTL_PROC && bit != NVMX_MG_PROC_TPR_SHADOW)
				base = NVMX_MG_PROC_TPR_SHADOW;
			want01 = rows[i].src == NVMX_MG_L0 || rows[i].src == NVMX_MG_BOTH;
			want12 = rows[i].src == NVMX_MG_V12 || rows[i].src == NVMX_MG_BOTH;
			r01 = merge(ctl, bit, &v, base) & bit;
			r12 = merge(ctl, 0, &v, base | bit) & bit;
			EXPECT_EQ(want01 ? bit : 0, r01) TH_LOG("%s from vmcs01", rows[i].name);
			EXPECT_EQ(want12 ? bit : 0, r12) TH_LOG("%s from vmcs12", rows[i].name);
		}
	}
}

/* Bits without a row (reserved) come from vmcs01, never from vmcs12. */
TEST(reserved_bits_come_from_vmcs01)
{
	struct nvmx_vmcs12 v = v12_zero();

	/* Pin bits 1, 2, 4 are default-1 reserved. */
	EXPECT_EQ(PIN_DEFAULT1, merge(NVMX_MG_CTL_PIN, PIN_DEFAULT1, &v, 0));
	EXPECT_EQ(0, merge(NVMX_MG_CTL_PIN, 0, &v, PIN_DEFAULT1 | BIT(8)));
	EXPECT_EQ(BIT(21) | BIT(29), merge(NVMX_MG_CTL_PROC2, BIT(21) | BIT(29), &v, 0));
	EXPECT_EQ(0, merge(NVMX_MG_CTL_PROC2, 0, &v, BIT(21) | BIT(29)));
	EXPECT_EQ(ENTRY_DEFAULT1, merge(NVMX_MG_CTL_ENTRY, ENTRY_DEFAULT1, &v, 0));
	EXPECT_EQ(0, merge(NVMX_MG_CTL_ENTRY, 0, &v, BIT(12) | BIT(0)));
}

TEST(pin_controls)
{
	struct nvmx_vmcs12 v = v12_zero();

	/* L1 asks for nothing: vmcs02 keeps L0's exits and time slice. */
	EXPECT_EQ(PIN01, nvmx_merge_pin(PIN01, &v));
	/* L1's preemption timer and posted interrupts never reach vmcs02. */
	v.pin_based_vm_exec_control = PIN_DEFAULT1 | NVMX_MG_PIN_PREEMPT |
				      NVMX_MG_PIN_POSTED | NVMX_MG_PIN_NMI;
	EXPECT_EQ(PIN_DEFAULT1 | NVMX_MG_PIN_NMI, nvmx_merge_pin(PIN_DEFAULT1, &v));
	EXPECT_EQ(PIN01, nvmx_merge_pin(PIN01 | NVMX_MG_PIN_POSTED, &v));
}

TEST(proc_controls_without_tpr_shadow)
{
	struct nvmx_vmcs12 v = v12_zero();
	const u32 cr8 = NVMX_MG_PROC_CR8_LOAD | NVMX_MG_PROC_CR8_STORE;
	u32 p;

	v.cpu_based_vm_exec_control = PROC_DEFAULT1 | NVMX_MG_PROC_HLT;
	p = nvmx_merge_proc(PROC01 | NVMX_MG_PROC_INTR_WINDOW |
			    NVMX_MG_PROC_NMI_WINDOW, &v, false);
	/* L0's windows are dropped. */
	EXPECT_EQ(0, p & (NVMX_MG_PROC_INTR_WINDOW | NVMX_MG_PROC_NMI_WINDOW));
	/* Embodiment 1: L0's TPR shadow, no CR8 exits. */
	EXPECT_EQ(NVMX_MG_PROC_TPR_SHADOW, p & (NVMX_MG_PROC_TPR_SHADOW | cr8));
	/* L0 exits on all I/O: unconditional, no bitmaps. */
	EXPECT_EQ(NVMX_MG_PROC_UNCOND_IO,
		  p & (NVMX_MG_PROC_UNCOND_IO | NVMX_MG_PROC_IO_BITMAPS));
	/* vmcs12's CR3 default-1 bits (15, 16) count as L1's CR3 exits. */
	EXPECT_EQ(NVMX_MG_PROC_CR3_LOAD | NVMX_MG_PROC_CR3_STORE,
		  p & (NVMX_MG_PROC_CR3_LOAD | NVMX_MG_PROC_CR3_STORE));
	EXPECT_EQ(PROC01 | NVMX_MG_PROC_CR3_LOAD | NVMX_MG_PROC_CR3_STORE, p);
	/* Embodiment 2: no shadow, every CR8 access exits. */
	p = nvmx_merge_proc(PROC01, &v, true);
	EXPECT_EQ(cr8, p & (NVMX_MG_PROC_TPR_SHADOW | cr8));
	EXPECT_EQ((PROC01 & ~NVMX_MG_PROC_TPR_SHADOW) | cr8 |
		  NVMX_MG_PROC_CR3_LOAD | NVMX_MG_PROC_CR3_STORE, p);
}

TEST(proc_controls_with_tpr_shadow)
{
	struct nvmx_vmcs12 v = v12_zero();
	const u32 cr8 = NVMX_MG_PROC_CR8_LOAD | NVMX_MG_PROC_CR8_STORE;
	u32 p;

	v.cpu_based_vm_exec_control = NVMX_MG_PROC_TPR_SHADOW |
				      NVMX_MG_PROC_INTR_WINDOW |
				      NVMX_MG_PROC_NMI_WINDOW |
				      NVMX_MG_PROC_MTF | NVMX_MG_PROC_TERTIARY;
	p = nvmx_merge_proc(PROC01, &v, false);
	EXPECT_EQ(NVMX_MG_PROC_TPR_SHADOW | NVMX_MG_PROC_INTR_WINDOW |
		  NVMX_MG_PROC_NMI_WINDOW,
		  p & (NVMX_MG_PROC_TPR_SHADOW | NVMX_MG_PROC_INTR_WINDOW |
		       NVMX_MG_PROC_NMI_WINDOW));
	/* No CR8 exits: neither level asked, and the TPR shadow serves L2. */
	EXPECT_EQ(0, p & cr8);
	/* The TPR row does not matter when L1 has its shadow. */
	EXPECT_EQ(p, nvmx_merge_proc(PROC01, &v, true));
	/* Not offered: never in vmcs02. */
	EXPECT_EQ(0, p & (NVMX_MG_PROC_MTF | NVMX_MG_PROC_TERTIARY));
	/* L1's own CR8-load exiting with TPR shadow stays, store does not. */
	v.cpu_based_vm_exec_control |= NVMX_MG_PROC_CR8_LOAD;
	p = nvmx_merge_proc(PROC01, &v, false);
	EXPECT_EQ(NVMX_MG_PROC_CR8_LOAD, p & cr8);
	EXPECT_EQ(p, nvmx_merge_proc(PROC01, &v, true));
}

/* vmcs01's CR8 exiting (L1's own CR8 intercepted) never reaches vmcs02. */
TEST(tpr_controls_ignore_vmcs01)
{
	struct nvmx_vmcs12 v = v12_zero();
	const u32 tpr = NVMX_MG_PROC_CR8_LOAD | NVMX_MG_PROC_CR8_STORE |
			NVMX_MG_PROC_TPR_SHADOW;
	u32 p01 = (PROC01 & ~NVMX_MG_PROC_TPR_SHADOW) | NVMX_MG_PROC_CR8_LOAD |
		  NVMX_MG_PROC_CR8_STORE;

	EXPECT_EQ(NVMX_MG_PROC_TPR_SHADOW, nvmx_merge_proc(p01, &v, false) & tpr);
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_TPR_SHADOW;
	EXPECT_EQ(NVMX_MG_PROC_TPR_SHADOW, nvmx_merge_proc(p01, &v, true) & tpr);
	/* ... nor does vmcs01's TPR shadow in embodiment 2. */
	v.cpu_based_vm_exec_control = 0;
	EXPECT_EQ(tpr & ~NVMX_MG_PROC_TPR_SHADOW,
		  nvmx_merge_proc(PROC01, &v, true) & tpr);
}

/*
 * The three TPR cases (merge.h): FIG. 12 (embodiment 1) and FIG. 19
 * (embodiment 2) of the digest, for each of L1's CR8 exiting controls.
 */
TEST(tpr_modes_and_controls)
{
	static const u32 l1_ctls[] = {
		0, NVMX_MG_PROC_CR8_LOAD, NVMX_MG_PROC_CR8_STORE,
		NVMX_MG_PROC_CR8_LOAD | NVMX_MG_PROC_CR8_STORE,
	};
	const u32 cr8 = NVMX_MG_PROC_CR8_LOAD | NVMX_MG_PROC_CR8_STORE;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(l1_ctls); i++) {
		struct nvmx_vmcs12 v = v12_zero();
		u32 c = l1_ctls[i];

		v.cpu_based_vm_exec_control = c;
		EXPECT_EQ(NVMX_TPR_L0_SHADOW, nvmx_merge_tpr_mode(&v, false));
		EXPECT_EQ(NVMX_TPR_L0_INTERCEPT, nvmx_merge_tpr_mode(&v, true));
		/* S1100/S1110 and S1130: shadow on, L1's CR8 exiting. */
		EXPECT_EQ(NVMX_MG_PROC_TPR_SHADOW | c,
			  nvmx_merge_tpr_controls(NVMX_TPR_L0_SHADOW, &v));
		/* S2105, S2125/S2130: no shadow, both exits. */
		EXPECT_EQ(cr8, nvmx_merge_tpr_controls(NVMX_TPR_L0_INTERCEPT, &v));
		v.cpu_based_vm_exec_control |= NVMX_MG_PROC_TPR_SHADOW;
		EXPECT_EQ(NVMX_TPR_L1_SHADOW, nvmx_merge_tpr_mode(&v, false));
		EXPECT_EQ(NVMX_TPR_L1_SHADOW, nvmx_merge_tpr_mode(&v, true));
		/* S1150 / S2135, S2155/S2160. */
		EXPECT_EQ(NVMX_MG_PROC_TPR_SHADOW | c,
			  nvmx_merge_tpr_controls(NVMX_TPR_L1_SHADOW, &v));
	}
}

TEST(msr_bitmaps_control_from_either)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.cpu_based_vm_exec_control = NVMX_MG_PROC_TPR_SHADOW;
	EXPECT_EQ(NVMX_MG_PROC_MSR_BITMAPS,
		  nvmx_merge_proc(NVMX_MG_PROC_MSR_BITMAPS, &v, false) &
		  NVMX_MG_PROC_MSR_BITMAPS);
	EXPECT_EQ(0, nvmx_merge_proc(0, &v, false) & NVMX_MG_PROC_MSR_BITMAPS);
	v.cpu_based_vm_exec_control |= NVMX_MG_PROC_MSR_BITMAPS;
	EXPECT_EQ(NVMX_MG_PROC_MSR_BITMAPS,
		  nvmx_merge_proc(0, &v, false) & NVMX_MG_PROC_MSR_BITMAPS);
}

/* Each pair of I/O modes (none, unconditional, bitmaps, both bits set). */
TEST(io_controls)
{
	const u32 U = NVMX_MG_PROC_UNCOND_IO, B = NVMX_MG_PROC_IO_BITMAPS;
	static const struct { u32 p01, p12, want; } c[] = {
		{ 0, 0, 0 },
		{ U, 0, U }, { 0, U, U }, { U, U, U },
		{ B, 0, B }, { 0, B, B }, { B, B, B },
		{ U, B, U }, { B, U, U },
		/* Bitmaps make the CPU ignore unconditional exiting. */
		{ U | B, 0, B }, { 0, U | B, B }, { U | B, U, U },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++)
		EXPECT_EQ(c[i].want, nvmx_merge_io_controls(c[i].p01, c[i].p12))
			TH_LOG("case %u", i);
}

TEST(proc2_controls)
{
	struct nvmx_vmcs12 v = v12_zero();
	u32 p;

	/* Not activated: vmcs12's secondary controls count as 0. */
	v.secondary_vm_exec_control = NVMX_MG_PROC2_RDTSCP | NVMX_MG_PROC2_DESC;
	EXPECT_EQ(0, nvmx_merge_v12_proc2(&v));
	p = nvmx_merge_proc2(PROC2_01, &v);
	EXPECT_EQ(NVMX_MG_PROC2_EPT | NVMX_MG_PROC2_VPID | NVMX_MG_PROC2_WBINVD, p);

	v.cpu_based_vm_exec_control = NVMX_MG_PROC_SECONDARY;
	v.secondary_vm_exec_control |= NVMX_MG_PROC2_EPT | NVMX_MG_PROC2_VPID |
				       NVMX_MG_PROC2_UNRESTRICTED |
				       NVMX_MG_PROC2_SHADOW_VMCS |
				       NVMX_MG_PROC2_INVPCID;
	/* L1's EPT/VPID bits do not switch L0's on. */
	p = nvmx_merge_proc2(0, &v);
	EXPECT_EQ(NVMX_MG_PROC2_RDTSCP | NVMX_MG_PROC2_DESC |
		  NVMX_MG_PROC2_INVPCID, p);
	p = nvmx_merge_proc2(PROC2_01, &v);
	EXPECT_EQ(NVMX_MG_PROC2_EPT | NVMX_MG_PROC2_VPID | NVMX_MG_PROC2_WBINVD |
		  NVMX_MG_PROC2_RDTSCP | NVMX_MG_PROC2_DESC |
		  NVMX_MG_PROC2_INVPCID, p);
}

/* TSC scaling is L0's: L2 runs at L1's rate, whatever vmcs12 says. */
TEST(proc2_tsc_scaling_is_l0s)
{
	struct nvmx_vmcs12 v = v12_zero();
	const u32 ts = NVMX_MG_PROC2_TSC_SCALING;

	EXPECT_EQ(ts, merge(NVMX_MG_CTL_PROC2, PROC2_01 | ts, &v, 0) & ts);
	EXPECT_EQ(0, merge(NVMX_MG_CTL_PROC2, PROC2_01, &v, ts) & ts);
	EXPECT_EQ(ts, merge(NVMX_MG_CTL_PROC2, PROC2_01 | ts, &v, ts) & ts);
}

TEST(exit_controls_are_l0s)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.vm_exit_controls = EXIT_DEFAULT1 | NVMX_MG_EXIT_ACK_INTR |
			     NVMX_MG_EXIT_LOAD_PERF | NVMX_MG_EXIT_SAVE_PREEMPT;
	EXPECT_EQ(EXIT01, nvmx_merge_exit(EXIT01, &v));
	EXPECT_EQ(EXIT01, nvmx_merge_exit(EXIT01 | NVMX_MG_EXIT_SAVE_PREEMPT, &v));
}

TEST(entry_controls)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.vm_entry_controls = ENTRY_DEFAULT1 | NVMX_MG_ENTRY_IA32E;
	EXPECT_EQ(ENTRY01 | NVMX_MG_ENTRY_IA32E, nvmx_merge_entry(ENTRY01, &v));
	/* IA-32e mode is L2's: vmcs01's (L1 in long mode) is dropped. */
	v.vm_entry_controls = ENTRY_DEFAULT1;
	EXPECT_EQ(ENTRY01, nvmx_merge_entry(ENTRY01 | NVMX_MG_ENTRY_IA32E, &v));
	/* Loads L1 asks for happen even if L0 does not load. */
	v.vm_entry_controls = NVMX_MG_ENTRY_LOAD_EFER | NVMX_MG_ENTRY_LOAD_PAT |
			      NVMX_MG_ENTRY_SMM | NVMX_MG_ENTRY_DUAL_MONITOR |
			      NVMX_MG_ENTRY_LOAD_PERF;
	EXPECT_EQ(NVMX_MG_ENTRY_LOAD_EFER | NVMX_MG_ENTRY_LOAD_PAT,
		  nvmx_merge_entry(0, &v));
}

static u64 page01[NVMX_MG_BITMAP_WORDS], page12[NVMX_MG_BITMAP_WORDS];
static u64 out[NVMX_MG_BITMAP_WORDS];

static void fill_pages(void)
{
	unsigned int i;

	for (i = 0; i < NVMX_MG_BITMAP_WORDS; i++) {
		page01[i] = 0x0101010101010101ULL << (i % 8);
		page12[i] = (u64)i * 0x9e3779b97f4a7c15ULL;
	}
}

static bool all_words(const u64 *p, u64 want)
{
	unsigned int i;

	for (i = 0; i < NVMX_MG_BITMAP_WORDS; i++)
		if (p[i] != want)
			return false;
	return true;
}

TEST(msr_bitmap_merge)
{
	unsigned int i;

	fill_pages();
	nvmx_merge_msr_bitmap(out, page01, page12);
	for (i = 0; i < NVMX_MG_BITMAP_WORDS; i++)
		ASSERT_EQ(page01[i] | page12[i], out[i]) TH_LOG("word %u", i);
	/* A level without MSR bitmaps (or an unreadable page): all exit. */
	nvmx_merge_msr_bitmap(out, page01, NULL);
	EXPECT_TRUE(all_words(out, ~0ULL));
	nvmx_merge_msr_bitmap(out, NULL, page12);
	EXPECT_TRUE(all_words(out, ~0ULL));
	memset(page01, 0, sizeof(page01));
	memset(page12, 0, sizeof(page12));
	nvmx_merge_msr_bitmap(out, page01, page12);
	EXPECT_TRUE(all_words(out, 0));
	/* In place: L1's page read into the destination first. */
	fill_pages();
	memcpy(out, page12, sizeof(out));
	nvmx_merge_msr_bitmap(out, page01, out);
	for (i = 0; i < NVMX_MG_BITMAP_WORDS; i++)
		ASSERT_EQ(page01[i] | page12[i], out[i]) TH_LOG("word %u", i);
}

TEST(io_bitmap_merge)
{
	const u32 U = NVMX_MG_PROC_UNCOND_IO, B = NVMX_MG_PROC_IO_BITMAPS;
	unsigned int i;

	fill_pages();
	nvmx_merge_io_bitmap(out, B, page01, B, page12);
	for (i = 0; i < NVMX_MG_BITMAP_WORDS; i++)
		ASSERT_EQ(page01[i] | page12[i], out[i]) TH_LOG("word %u", i);
	/* A level that does not exit adds nothing. */
	nvmx_merge_io_bitmap(out, B, page01, 0, page12);
	EXPECT_EQ(0, memcmp(out, page01, sizeof(out)));
	nvmx_merge_io_bitmap(out, 0, NULL, B, page12);
	EXPECT_EQ(0, memcmp(out, page12, sizeof(out)));
	/* Unconditional without bitmaps: every port. */
	nvmx_merge_io_bitmap(out, 0, NULL, U, page12);
	EXPECT_TRUE(all_words(out, ~0ULL));
	/* ... but with bitmaps the unconditional bit is ignored. */
	nvmx_merge_io_bitmap(out, 0, NULL, U | B, page12);
	EXPECT_EQ(0, memcmp(out, page12, sizeof(out)));
	/* L1's page unreadable: every port. */
	nvmx_merge_io_bitmap(out, 0, NULL, B, NULL);
	EXPECT_TRUE(all_words(out, ~0ULL));
	nvmx_merge_io_bitmap(out, 0, NULL, 0, NULL);
	EXPECT_TRUE(all_words(out, 0));
}

/*
 * The #PF values: masks and matches over bits 0-2 and 31, so that error
 * codes over those bits cover every case.
 */
static const u32 pf_vals[] = {
	0, 1, 2, 3, 5, 7, 0x80000000U, 0x80000001U, 0x80000007U
};

static bool pf_ref(u32 bitmap, u32 mask, u32 match, u32 ec)
{
	bool bit = (bitmap >> 14) & 1, eq = (ec & mask) == match;

	/* SDM: bit 14 set: exit iff equal; clear: exit iff not equal. */
	return bit ? eq : !eq;
}

static u32 pf_ec(unsigned int i)
{
	return (i & 7) | ((i & 8) ? 0x80000000U : 0) | ((i & 16) ? 0x100 : 0);
}

TEST(pf_predicates_match_the_sdm)
{
	unsigned int b, m, c, i;

	for (b = 0; b < 2; b++)
		for (m = 0; m < ARRAY_SIZE(pf_vals); m++)
			for (c = 0; c < ARRAY_SIZE(pf_vals); c++) {
				u32 bm = b << 14, mask = pf_vals[m], match = pf_vals[c];
				bool all = true, none = true;

				for (i = 0; i < 32; i++) {
					bool r = pf_ref(bm, mask, match, pf_ec(i));

					EXPECT_EQ(r, nvmx_pf_exits(bm, mask, match, pf_ec(i)));
					all &= r;
					none &= !r;
				}
				EXPECT_EQ(all, nvmx_pf_exits_all(bm, mask, match))
					TH_LOG("b %u mask %x match %x", b, mask, match);
				EXPECT_EQ(none, nvmx_pf_exits_none(bm, mask, match))
					TH_LOG("b %u mask %x match %x", b, mask, match);
			}
}

TEST(exceptions_l0_wants_no_pf)
{
	struct nvmx_merge_xcpt x01 = { .bitmap = BIT(18) }, x02;
	struct nvmx_vmcs12 v = v12_zero();

	v.exception_bitmap = BIT(14) | BIT(6) | BIT(3);
	v.page_fault_error_code_mask = 0x5;
	v.page_fault_error_code_match = 0x4;
	nvmx_merge_exceptions(&x01, &v, &x02);
	EXPECT_EQ(BIT(18) | BIT(14) | BIT(6) | BIT(3), x02.bitmap);
	EXPECT_EQ(0x5, x02.pfec_mask);
	EXPECT_EQ(0x4, x02.pfec_match);
	/* L1 with bit 14 clear and a mask: vmcs02 has exactly L1's rule. */
	v.exception_bitmap = 0;
	nvmx_merge_exceptions(&x01, &v, &x02);
	EXPECT_EQ(BIT(18), x02.bitmap);
	EXPECT_EQ(0x5, x02.pfec_mask);
	EXPECT_EQ(0x4, x02.pfec_match);
	/* L0 "none" spelt as bit 14 with a match outside the mask. */
	x01.bitmap = BIT(14);
	x01.pfec_mask = 1;
	x01.pfec_match = 2;
	nvmx_merge_exceptions(&x01, &v, &x02);
	EXPECT_EQ(0, x02.bitmap);
	EXPECT_EQ(0x5, x02.pfec_mask);
}

TEST(exceptions_l0_wants_pf)
{
	struct nvmx_merge_xcpt x01 = { .bitmap = BIT(14) | BIT(18) }, x02;
	struct nvmx_vmcs12 v = v12_zero();

	v.exception_bitmap = BIT(1);
	v.page_fault_error_code_mask = 0x5;
	v.page_fault_error_code_match = 0x4;
	nvmx_merge_exceptions(&x01, &v, &x02);
	EXPECT_EQ(BIT(18) | BIT(14) | BIT(1), x02.bitmap);
	EXPECT_EQ(0, x02.pfec_mask);
	EXPECT_EQ(0, x02.pfec_match);
	/* Only some #PF for L0: still every #PF in vmcs02. */
	x01.pfec_mask = 1;
	x01.pfec_match = 1;
	nvmx_merge_exceptions(&x01, &v, &x02);
	EXPECT_EQ(BIT(18) | BIT(14) | BIT(1), x02.bitmap);
	EXPECT_EQ(0, x02.pfec_mask);
	EXPECT_EQ(0, x02.pfec_match);
}

/*
 * For every pair of #PF rules and every error code: a #PF either level
 * wants exits in vmcs02; if L0 wants none, vmcs02 exits exactly as L1's.
 */
#define PF_RULES	(2 * ARRAY_SIZE(pf_vals) * ARRAY_SIZE(pf_vals))

static struct nvmx_merge_xcpt pf_rule(unsigned int r)
{
	unsigned int n = ARRAY_SIZE(pf_vals);
	struct nvmx_merge_xcpt x = {
		.bitmap = (r / (n * n)) << 14,
		.pfec_mask = pf_vals[(r / n) % n],
		.pfec_match = pf_vals[r % n],
	};

	return x;
}

TEST(exceptions_pf_covers_both_levels)
{
	unsigned int r0, r1, i;

	for (r0 = 0; r0 < PF_RULES; r0++) {
		struct nvmx_merge_xcpt x01 = pf_rule(r0);
		bool none0 = true;

		for (i = 0; i < 32; i++)
			none0 &= !pf_ref(x01.bitmap, x01.pfec_mask,
					 x01.pfec_match, pf_ec(i));
		for (r1 = 0; r1 < PF_RULES; r1++) {
			struct nvmx_merge_xcpt x12 = pf_rule(r1), x02;
			struct nvmx_vmcs12 v = v12_zero();

			v.exception_bitmap = x12.bitmap;
			v.page_fault_error_code_mask = x12.pfec_mask;
			v.page_fault_error_code_match = x12.pfec_match;
			nvmx_merge_exceptions(&x01, &v, &x02);
			for (i = 0; i < 32; i++) {
				u32 ec = pf_ec(i);
				bool e0 = pf_ref(x01.bitmap, x01.pfec_mask,
						 x01.pfec_match, ec);
				bool e1 = pf_ref(x12.bitmap, x12.pfec_mask,
						 x12.pfec_match, ec);
				bool e2 = pf_ref(x02.bitmap, x02.pfec_mask,
						 x02.pfec_match, ec);

				ASSERT_TRUE(!(e0 || e1) || e2);
				if (none0)
					ASSERT_EQ(e1, e2);
			}
		}
	}
}

TEST(tsc_offset)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.tsc_offset = 1000;
	EXPECT_EQ(-5000ULL, nvmx_merge_tsc_offset(-5000ULL, &v));
	v.cpu_based_vm_exec_control = NVMX_MG_PROC_TSC_OFFSET;
	EXPECT_EQ(-4000ULL, nvmx_merge_tsc_offset(-5000ULL, &v));
	/* Negative offsets add modulo 2^64. */
	v.tsc_offset = -3ULL;
	EXPECT_EQ(-5003ULL, nvmx_merge_tsc_offset(-5000ULL, &v));
}

TEST(tpr_threshold_and_cr3_targets)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.tpr_threshold = 7;
	v.cr3_target_count = 2;
	EXPECT_EQ(0, nvmx_merge_cr3_target_count(&v));
	/* vmcs12's threshold only with L1's own shadow. */
	EXPECT_EQ(7, nvmx_merge_tpr_threshold(NVMX_TPR_L1_SHADOW, 3, &v));
	/* Embodiment 1: L0's (vmcs01's) threshold, reserved bits dropped. */
	EXPECT_EQ(0, nvmx_merge_tpr_threshold(NVMX_TPR_L0_SHADOW, 0, &v));
	EXPECT_EQ(3, nvmx_merge_tpr_threshold(NVMX_TPR_L0_SHADOW, 3, &v));
	EXPECT_EQ(2, nvmx_merge_tpr_threshold(NVMX_TPR_L0_SHADOW, 0x12, &v));
	/* Embodiment 2: no shadow, no threshold. */
	EXPECT_EQ(0, nvmx_merge_tpr_threshold(NVMX_TPR_L0_INTERCEPT, 3, &v));
}

TEST(cr_masks_and_shadows)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.cr0_guest_host_mask = 0x9;		/* PE, TS */
	v.cr0_read_shadow = 0x8;		/* L2 reads TS=1, PE=0 */
	v.guest_cr0 = 0x80000031;		/* PG, NE, ET, PE */
	v.cr4_guest_host_mask = 0x2000;		/* VMXE */
	v.cr4_read_shadow = 0;
	v.guest_cr4 = 0x20a0;			/* VMXE, PAE, PGE */
	EXPECT_EQ(~0x26ULL, nvmx_merge_cr0_mask(~0x2eULL, &v));
	EXPECT_EQ(0x2020, nvmx_merge_cr4_mask(0x20, &v));
	EXPECT_EQ(0x80000038, nvmx_merge_cr0_shadow(&v, v.guest_cr0));
	EXPECT_EQ(0xa0, nvmx_merge_cr4_shadow(&v, v.guest_cr4));
}

TEST(cr_l2_write)
{
	struct nvmx_vmcs12 v = v12_zero();

	v.cr0_guest_host_mask = 0x80000001;	/* PG, PE */
	v.guest_cr0 = 0x80000011;
	v.cr0_read_shadow = 0;			/* L2 reads PG = PE = 0 */
	/*
	 * L2 writes TS, PG and PE as it reads them: not L1's exit. L1's PG/PE
	 * stay as vmcs12 has them, ET goes as L2 wrote it.
	 */
	EXPECT_EQ(0x80000009, nvmx_merge_cr0_l2_write(&v, 0x8));
	/* The read shadow from the new value gives L2 what it wrote. */
	EXPECT_EQ(0x8, nvmx_merge_cr0_shadow(&v, nvmx_merge_cr0_l2_write(&v, 0x8)));
	v.cr4_guest_host_mask = 0x20;
	v.guest_cr4 = 0x20;
	EXPECT_EQ(0x2080 | 0x20, nvmx_merge_cr4_l2_write(&v, 0x2080));
	v.cr4_read_shadow = 0;
	EXPECT_EQ(0x2080, nvmx_merge_cr4_shadow(&v, nvmx_merge_cr4_l2_write(&v, 0x2080)));
}

/* Per-bit reference of the write-back rule. */
static u64 wb_ref(u64 hw, u64 shadow02, u64 mask02, u64 mask12, u64 guest12)
{
	u64 r = 0;
	int i;

	for (i = 0; i < 64; i++) {
		u64 b = 1ULL << i;

		if (mask12 & b)
			r |= guest12 & b;
		else if (mask02 & b)
			r |= shadow02 & b;
		else
			r |= hw & b;
	}
	return r;
}

static u64 lcg(u64 *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s;
}

TEST(cr_writeback_matches_per_bit_rule)
{
	u64 s = 42;
	int n;

	for (n = 0; n < 2000; n++) {
		struct nvmx_vmcs12 v = v12_zero();
		u64 hw = lcg(&s), sh = lcg(&s), m01 = lcg(&s);

		v.cr0_guest_host_mask = lcg(&s);
		v.guest_cr0 = lcg(&s);
		v.cr4_guest_host_mask = lcg(&s);
		v.guest_cr4 = lcg(&s);
		ASSERT_EQ(wb_ref(hw, sh, nvmx_merge_cr0_mask(m01, &v),
				 v.cr0_guest_host_mask, v.guest_cr0),
			  nvmx_merge_cr0_writeback(&v, hw, sh, m01));
		ASSERT_EQ(wb_ref(hw, sh, nvmx_merge_cr4_mask(m01, &v),
				 v.cr4_guest_host_mask, v.guest_cr4),
			  nvmx_merge_cr4_writeback(&v, hw, sh, m01));
	}
}

/*
 * An entry followed at once by an exit gives vmcs12 its guest CR0 back,
 * without the bits L0 forces in hardware (NE here).
 */
TEST(cr_roundtrip_hides_l0_forced_bits)
{
	struct nvmx_vmcs12 v = v12_zero();
	u64 mask01 = ~0x5000eULL;	/* L0 lets MP, EM, TS, WP, AM through */
	u64 mask02, shadow02, hw;

	v.guest_cr0 = 0x80000019;	/* PG, ET, TS, PE; NE clear */
	v.cr0_guest_host_mask = 0x1;
	v.cr0_read_shadow = 0x1;
	mask02 = nvmx_merge_cr0_mask(mask01, &v);
	shadow02 = nvmx_merge_cr0_shadow(&v, v.guest_cr0);
	hw = v.guest_cr0 | 0x20;	/* CR0.NE forced by VMX */
	EXPECT_NE(0, mask02 & 1);
	EXPECT_EQ(0x80000019, nvmx_merge_cr0_writeback(&v, hw, shadow02, mask01));
	/* L2 cleared TS in hardware (an unmasked bit): vmcs12 sees it. */
	hw &= ~0x8ULL;
	EXPECT_EQ(0x80000011, nvmx_merge_cr0_writeback(&v, hw, shadow02, mask01));
}

/* The default table's CR0 row masks with unrestricted guest (policy.c). */
#define CR0_MP	0x2ULL
#define CR0_TS	0x8ULL
#define CR0_CD	0x40000000ULL
static const struct nvmx_policy_cr def_cr0 = {
	.mask = ~0x5003eULL | 0x20,	/* MP EM TS ET WP AM are THROUGH */
	.forced = 0x60000020,		/* NE, NW, CD */
	.value = 0x80000021,		/* PE, NE, PG */
};

/*
 * The vmcs02 rules end to end (T9): L1 masks TS with shadow 0;
 * L2 sets MP (THROUGH: no exit), then CD (L0's SHADOWING: one exit L0
 * absorbs), then exits to L1.
 */
TEST(cr0_vmcs02_policy_roundtrip)
{
	struct nvmx_vmcs12 v = v12_zero();
	u64 mask02, shadow02, hw, l2_reads, val, cr;

	v.cr0_guest_host_mask = CR0_TS;
	v.cr0_read_shadow = 0;
	v.guest_cr0 = 0x80000039;	/* PG NE ET TS PE */
	mask02 = nvmx_merge_cr0_mask(def_cr0.mask, &v);
	shadow02 = nvmx_merge_cr0_shadow(&v, v.guest_cr0);
	hw = nvmx_policy_cr_real(&def_cr0, v.guest_cr0);
	EXPECT_EQ(def_cr0.mask | CR0_TS, mask02);
	EXPECT_EQ(0x80000031, shadow02);	/* (S1 & M1) | (G1 & ~M1) */
	EXPECT_EQ(0x80000039, hw);		/* (G1 & ~F0) | (H & F0) */

	hw |= CR0_MP;				/* THROUGH: L2 owns it */
	l2_reads = (shadow02 & mask02) | (hw & ~mask02);
	EXPECT_EQ(0x80000033, l2_reads);

	/* MOV CR0 with CD: changes an M0 bit, not an M1 bit vs S1. */
	val = l2_reads | CR0_CD;
	EXPECT_NE(0, (val ^ shadow02) & mask02);	/* it exits */
	EXPECT_EQ(0, (val ^ v.cr0_read_shadow) & v.cr0_guest_host_mask);
	cr = nvmx_merge_cr0_l2_write(&v, val);
	shadow02 = nvmx_merge_cr0_shadow(&v, cr);
	hw = nvmx_policy_cr_real(&def_cr0, cr);
	/* L2 reads back what it wrote; the real CD stays L0's 0. */
	EXPECT_EQ(val, (shadow02 & mask02) | (hw & ~mask02));
	EXPECT_EQ(0, hw & CR0_CD);

	/* At the exit: MP live, CD from the shadow, TS vmcs12's own. */
	EXPECT_EQ(0xc000003bULL,
		  nvmx_merge_cr0_writeback(&v, hw, shadow02, def_cr0.mask));
}

TEST_HARNESS_MAIN
