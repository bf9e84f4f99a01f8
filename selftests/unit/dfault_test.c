// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/dfault.c, the double-fault rules, against the SDM's
 * tables written out here independently, built with ASan and UBSan.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "dfault.h"

#define HW	NVMX_EVENT_HW_EXC

/* SDM "Interrupt and Exception Classes", vector by vector. */
static enum nvmx_event_class expected_class(unsigned int v)
{
	switch (v) {
	case 0: case 10: case 11: case 12: case 13: case 21:
		return NVMX_EVC_CONTRIBUTORY;
	case 14: case 20:
		return NVMX_EVC_PAGE_FAULT;
	case 8:
		return NVMX_EVC_DOUBLE_FAULT;
	default:
		return NVMX_EVC_BENIGN;
	}
}

TEST(hardware_exception_classes)
{
	unsigned int v;

	for (v = 0; v < 256; v++)
		EXPECT_EQ(expected_class(v < 32 ? v : 1),
			  nvmx_event_class(HW, v)) {
			TH_LOG("vector %u", v);
		}
}

/* Interrupts, NMIs and software events are benign whatever the vector. */
TEST(other_types_are_benign)
{
	static const u8 types[] = {
		NVMX_EVENT_EXT_INTR, NVMX_EVENT_NMI, NVMX_EVENT_SOFT_INTR,
		NVMX_EVENT_PRIV_SW_EXC, NVMX_EVENT_SOFT_EXC, 1, 7,
	};
	unsigned int t, v;

	for (t = 0; t < ARRAY_SIZE(types); t++)
		for (v = 0; v < 256; v++)
			EXPECT_EQ(NVMX_EVC_BENIGN,
				  nvmx_event_class(types[t], v)) {
				TH_LOG("type %u vector %u", types[t], v);
			}
}

static const struct {
	u8 t1, v1, t2, v2;
	enum nvmx_dfault want;
	const char *rule;
} cases[] = {
	/* SDM "Conditions for Generating a Double Fault". */
	{ HW, 0, HW, 13, NVMX_DF_DOUBLE, "CONTRIBUTORY_then_CONTRIBUTORY" },
	{ HW, 13, HW, 11, NVMX_DF_DOUBLE, "CONTRIBUTORY_then_CONTRIBUTORY" },
	{ HW, 21, HW, 10, NVMX_DF_DOUBLE, "CONTRIBUTORY_then_CONTRIBUTORY" },
	{ HW, 13, HW, 14, NVMX_DF_SERIAL, "CONTRIBUTORY_then_PAGE_FAULT" },
	{ HW, 12, HW, 6, NVMX_DF_SERIAL, "CONTRIBUTORY_then_BENIGN" },
	{ HW, 14, HW, 14, NVMX_DF_DOUBLE, "PAGE_FAULT_then_PAGE_FAULT" },
	{ HW, 14, HW, 13, NVMX_DF_DOUBLE, "PAGE_FAULT_then_CONTRIBUTORY" },
	{ HW, 20, HW, 14, NVMX_DF_DOUBLE, "PAGE_FAULT_then_PAGE_FAULT" },
	{ HW, 14, HW, 6, NVMX_DF_SERIAL, "PAGE_FAULT_then_BENIGN" },
	{ HW, 6, HW, 13, NVMX_DF_SERIAL, "BENIGN_then_CONTRIBUTORY" },
	{ HW, 1, HW, 14, NVMX_DF_SERIAL, "BENIGN_then_PAGE_FAULT" },
	{ HW, 17, HW, 17, NVMX_DF_SERIAL, "BENIGN_then_BENIGN" },
	/* A contributory fault or #PF while delivering #DF: shutdown. */
	{ HW, 8, HW, 13, NVMX_DF_TRIPLE, "DOUBLE_FAULT_then_CONTRIBUTORY" },
	{ HW, 8, HW, 14, NVMX_DF_TRIPLE, "DOUBLE_FAULT_then_PAGE_FAULT" },
	{ HW, 8, HW, 8, NVMX_DF_TRIPLE, "DOUBLE_FAULT_then_DOUBLE_FAULT" },
	{ HW, 8, HW, 6, NVMX_DF_SERIAL, "DOUBLE_FAULT_then_BENIGN" },
	/* INT n, INTR and NMI are benign first events. */
	{ NVMX_EVENT_SOFT_INTR, 13, HW, 13, NVMX_DF_SERIAL,
	  "BENIGN_then_CONTRIBUTORY" },
	{ NVMX_EVENT_EXT_INTR, 14, HW, 14, NVMX_DF_SERIAL,
	  "BENIGN_then_PAGE_FAULT" },
	{ NVMX_EVENT_NMI, 2, HW, 13, NVMX_DF_SERIAL,
	  "BENIGN_then_CONTRIBUTORY" },
	{ NVMX_EVENT_SOFT_EXC, 3, HW, 14, NVMX_DF_SERIAL,
	  "BENIGN_then_PAGE_FAULT" },
	/* A software INT 8 is not #DF: no shutdown. */
	{ NVMX_EVENT_SOFT_INTR, 8, HW, 13, NVMX_DF_SERIAL,
	  "BENIGN_then_CONTRIBUTORY" },
	{ HW, 13, NVMX_EVENT_SOFT_INTR, 13, NVMX_DF_SERIAL,
	  "CONTRIBUTORY_then_BENIGN" },
};

TEST(double_fault_conditions)
{
	const char *rule;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		rule = NULL;
		EXPECT_EQ(cases[i].want,
			  nvmx_dfault_merge(cases[i].t1, cases[i].v1,
					    cases[i].t2, cases[i].v2, &rule)) {
			TH_LOG("case %u", i);
		}
		ASSERT_NE(NULL, rule);
		EXPECT_STREQ(cases[i].rule, rule) {
			TH_LOG("case %u", i);
		}
	}
}

/* Every pair of classes has a row of its own, named. */
TEST(every_class_pair_has_a_named_row)
{
	static const u8 rep[NVMX_NR_EVENT_CLASSES] = { 6, 13, 14, 8 };
	const char *names[NVMX_NR_EVENT_CLASSES * NVMX_NR_EVENT_CLASSES];
	unsigned int a, b, j, n = 0;

	for (a = 0; a < NVMX_NR_EVENT_CLASSES; a++) {
		for (b = 0; b < NVMX_NR_EVENT_CLASSES; b++) {
			const char *rule = NULL;

			nvmx_dfault_merge(HW, rep[a], HW, rep[b], &rule);
			ASSERT_NE(NULL, rule);
			for (j = 0; j < n; j++)
				EXPECT_NE(0, strcmp(names[j], rule));
			names[n++] = rule;
		}
	}
	/* NULL for rule is allowed. */
	EXPECT_EQ(NVMX_DF_DOUBLE, nvmx_dfault_merge(HW, 14, HW, 14, NULL));
}

TEST_HARNESS_MAIN
