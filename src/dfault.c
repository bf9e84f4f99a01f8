// SPDX-License-Identifier: GPL-2.0
/*
 * Double-fault classification: the SDM's two tables, as tables. Pure logic,
 * built into nvmx.ko and into selftests/unit/dfault_test.
 */
#include "dfault.h"

/* Exception vectors that are not benign; every other vector is. */
static const u8 nvmx_exc_class[32] = {
	[NVMX_VEC_DE] = NVMX_EVC_CONTRIBUTORY,
	[NVMX_VEC_DF] = NVMX_EVC_DOUBLE_FAULT,
	[NVMX_VEC_TS] = NVMX_EVC_CONTRIBUTORY,
	[NVMX_VEC_NP] = NVMX_EVC_CONTRIBUTORY,
	[NVMX_VEC_SS] = NVMX_EVC_CONTRIBUTORY,
	[NVMX_VEC_GP] = NVMX_EVC_CONTRIBUTORY,
	[NVMX_VEC_PF] = NVMX_EVC_PAGE_FAULT,
	[NVMX_VEC_VE] = NVMX_EVC_PAGE_FAULT,
	[NVMX_VEC_CP] = NVMX_EVC_CONTRIBUTORY,
};

/*
 * Only hardware exceptions have a class other than benign: NMIs, external
 * interrupts, INT n, INT3, INTO and INT1 are benign whatever their vector.
 */
enum nvmx_event_class nvmx_event_class(u8 type, u8 vector)
{
	if (type != NVMX_EVENT_HW_EXC || vector >= ARRAY_SIZE(nvmx_exc_class))
		return NVMX_EVC_BENIGN;
	return nvmx_exc_class[vector];
}

static const struct {
	const char *name;
	enum nvmx_dfault result;
} nvmx_dfault_table[NVMX_NR_EVENT_CLASSES][NVMX_NR_EVENT_CLASSES] = {
#define R(first, second, res) \
	[NVMX_EVC_##first][NVMX_EVC_##second] = { #first "_then_" #second, \
						  NVMX_DF_##res }
	R(BENIGN, BENIGN, SERIAL),
	R(BENIGN, CONTRIBUTORY, SERIAL),
	R(BENIGN, PAGE_FAULT, SERIAL),
	R(BENIGN, DOUBLE_FAULT, SERIAL),
	R(CONTRIBUTORY, BENIGN, SERIAL),
	R(CONTRIBUTORY, CONTRIBUTORY, DOUBLE),
	R(CONTRIBUTORY, PAGE_FAULT, SERIAL),
	R(CONTRIBUTORY, DOUBLE_FAULT, SERIAL),
	R(PAGE_FAULT, BENIGN, SERIAL),
	R(PAGE_FAULT, CONTRIBUTORY, DOUBLE),
	R(PAGE_FAULT, PAGE_FAULT, DOUBLE),
	R(PAGE_FAULT, DOUBLE_FAULT, SERIAL),
	/* "another contributory or page fault exception": shutdown. */
	R(DOUBLE_FAULT, BENIGN, SERIAL),
	R(DOUBLE_FAULT, CONTRIBUTORY, TRIPLE),
	R(DOUBLE_FAULT, PAGE_FAULT, TRIPLE),
	R(DOUBLE_FAULT, DOUBLE_FAULT, TRIPLE),
#undef R
};

enum nvmx_dfault nvmx_dfault_merge(u8 first_type, u8 first_vector,
				   u8 second_type, u8 second_vector,
				   const char **rule)
{
	enum nvmx_event_class a = nvmx_event_class(first_type, first_vector);
	enum nvmx_event_class b = nvmx_event_class(second_type, second_vector);

	if (rule)
		*rule = nvmx_dfault_table[a][b].name;
	return nvmx_dfault_table[a][b].result;
}
