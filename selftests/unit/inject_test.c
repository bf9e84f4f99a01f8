// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/inject.c, the choice of the event injected at VM
 * entry and of the window exits, against the SDM's priorities written out
 * here, built with ASan and UBSan.
 */
#include "kselftest_harness.h"
#include "inject.h"

#define STI	NVMX_INJ_BLOCK_STI
#define MOVSS	NVMX_INJ_BLOCK_MOV_SS
#define NMIB	NVMX_INJ_BLOCK_NMI

static struct nvmx_inject_out decide(struct nvmx_inject_in in)
{
	struct nvmx_inject_out out;

	memset(&out, 0xa5, sizeof(out));
	nvmx_inject_decide(&in, &out);
	return out;
}

TEST(nothing_pending_nothing_done)
{
	struct nvmx_inject_out o = decide((struct nvmx_inject_in){
		.rflags_if = true, .vnmi = true });

	EXPECT_EQ(NVMX_INJ_NONE, o.action);
	EXPECT_FALSE(o.irq_window);
	EXPECT_FALSE(o.nmi_window);
	EXPECT_FALSE(o.immediate_exit);
}

/* A maskable interrupt: IF=1 and no STI/MOV SS shadow, else a window. */
TEST(irq_blocking)
{
	static const struct { bool rflags_if; u32 st; bool inject; } t[] = {
		{ true, 0, true }, { false, 0, false }, { true, STI, false },
		{ true, MOVSS, false }, { true, NMIB, true },
		{ false, STI | MOVSS, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct nvmx_inject_out o = decide((struct nvmx_inject_in){
			.irq_pending = true, .rflags_if = t[i].rflags_if,
			.intr_state = t[i].st, .vnmi = true });

		EXPECT_EQ(t[i].inject ? NVMX_INJ_IRQ : NVMX_INJ_NONE, o.action)
			TH_LOG("case %u", i);
		EXPECT_EQ(!t[i].inject, o.irq_window) TH_LOG("case %u", i);
		EXPECT_FALSE(o.nmi_window);
	}
}

/* NMI: blocked by NMI blocking and by either shadow, not by IF. */
TEST(nmi_blocking)
{
	static const struct { u32 st; bool inject; } t[] = {
		{ 0, true }, { STI, false }, { MOVSS, false }, { NMIB, false },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(t); i++) {
		struct nvmx_inject_out o = decide((struct nvmx_inject_in){
			.nmi_pending = true, .intr_state = t[i].st,
			.vnmi = true });

		EXPECT_EQ(t[i].inject ? NVMX_INJ_NMI : NVMX_INJ_NONE, o.action)
			TH_LOG("case %u", i);
		EXPECT_EQ(!t[i].inject, o.nmi_window) TH_LOG("case %u", i);
		EXPECT_FALSE(o.irq_window);
	}
}

/* Without virtual NMIs there is no NMI window to ask for. */
TEST(no_vnmi_no_nmi_window)
{
	struct nvmx_inject_out o = decide((struct nvmx_inject_in){
		.nmi_pending = true, .intr_state = NMIB });

	EXPECT_EQ(NVMX_INJ_NONE, o.action);
	EXPECT_FALSE(o.nmi_window);
	EXPECT_FALSE(o.irq_window);
}

/* NMI before the interrupt; the interrupt then waits for its window. */
TEST(nmi_before_irq)
{
	struct nvmx_inject_out o = decide((struct nvmx_inject_in){
		.nmi_pending = true, .irq_pending = true, .rflags_if = true,
		.vnmi = true });

	EXPECT_EQ(NVMX_INJ_NMI, o.action);
	EXPECT_TRUE(o.irq_window);
	EXPECT_FALSE(o.nmi_window);
}

/* A blocked NMI does not hold back a deliverable interrupt. */
TEST(blocked_nmi_lets_irq_through)
{
	struct nvmx_inject_out o = decide((struct nvmx_inject_in){
		.nmi_pending = true, .irq_pending = true, .rflags_if = true,
		.intr_state = NMIB, .vnmi = true });

	EXPECT_EQ(NVMX_INJ_IRQ, o.action);
	EXPECT_TRUE(o.nmi_window);
	EXPECT_FALSE(o.irq_window);
}

/* An event in flight goes first; the others wait for windows. */
TEST(event_in_flight_first)
{
	struct nvmx_inject_out o = decide((struct nvmx_inject_in){
		.event_in_flight = true, .nmi_pending = true,
		.irq_pending = true, .rflags_if = true, .vnmi = true });

	EXPECT_EQ(NVMX_INJ_NONE, o.action);
	EXPECT_TRUE(o.irq_window);
	EXPECT_TRUE(o.nmi_window);
	EXPECT_FALSE(o.immediate_exit);
}

/* Userspace's window request alone asks for the window. */
TEST(user_window)
{
	struct nvmx_inject_out o = decide((struct nvmx_inject_in){
		.user_window = true, .vnmi = true });

	EXPECT_EQ(NVMX_INJ_NONE, o.action);
	EXPECT_TRUE(o.irq_window);
	EXPECT_TRUE(nvmx_inject_irq_allowed(&(struct nvmx_inject_in){
		.rflags_if = true }));
	EXPECT_FALSE(nvmx_inject_irq_allowed(&(struct nvmx_inject_in){
		.rflags_if = true, .intr_state = MOVSS }));
}

/* L2 runs and L1 intercepts: a VM exit whatever L2's blocking. */
TEST(l2_intercepted_exits)
{
	struct nvmx_inject_out o;

	o = decide((struct nvmx_inject_in){
		.irq_pending = true, .intr_state = STI, .vnmi = true,
		.l2 = true, .l1_extint_exiting = true });
	EXPECT_EQ(NVMX_INJ_EXIT_IRQ, o.action);
	o = decide((struct nvmx_inject_in){
		.nmi_pending = true, .intr_state = NMIB | MOVSS, .vnmi = true,
		.l2 = true, .l1_nmi_exiting = true });
	EXPECT_EQ(NVMX_INJ_EXIT_NMI, o.action);
	/* NMI exit first; the interrupt exit is decided after it. */
	o = decide((struct nvmx_inject_in){
		.nmi_pending = true, .irq_pending = true, .vnmi = true,
		.l2 = true, .l1_nmi_exiting = true, .l1_extint_exiting = true });
	EXPECT_EQ(NVMX_INJ_EXIT_NMI, o.action);
	/* An event in flight into L2 is delivered, then L0 exits at once. */
	o = decide((struct nvmx_inject_in){
		.event_in_flight = true, .irq_pending = true, .vnmi = true,
		.l2 = true, .l1_extint_exiting = true });
	EXPECT_EQ(NVMX_INJ_NONE, o.action);
	EXPECT_TRUE(o.immediate_exit);
	EXPECT_FALSE(o.irq_window);
	/* An NMI into L2 (L1 does not intercept), then the exit for L1. */
	o = decide((struct nvmx_inject_in){
		.nmi_pending = true, .irq_pending = true, .vnmi = true,
		.l2 = true, .l1_extint_exiting = true });
	EXPECT_EQ(NVMX_INJ_NMI, o.action);
	EXPECT_TRUE(o.immediate_exit);
}

/* L2 runs and L1 does not intercept: L2 gets the event, by L2's rules. */
TEST(l2_not_intercepted_delivered_to_l2)
{
	struct nvmx_inject_out o;

	o = decide((struct nvmx_inject_in){
		.irq_pending = true, .rflags_if = true, .vnmi = true,
		.l2 = true, .l1_nmi_exiting = true });
	EXPECT_EQ(NVMX_INJ_IRQ, o.action);
	o = decide((struct nvmx_inject_in){
		.irq_pending = true, .rflags_if = false, .vnmi = true,
		.l2 = true });
	EXPECT_EQ(NVMX_INJ_NONE, o.action);
	EXPECT_TRUE(o.irq_window);
	o = decide((struct nvmx_inject_in){
		.nmi_pending = true, .intr_state = NMIB, .vnmi = true,
		.l2 = true, .l1_extint_exiting = true });
	EXPECT_EQ(NVMX_INJ_NONE, o.action);
	EXPECT_TRUE(o.nmi_window);
}

TEST_HARNESS_MAIN
