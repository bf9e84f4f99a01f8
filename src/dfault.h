/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What happens when an exception arises while another event is being
 * delivered (SDM vol. 3, "Interrupt 8—Double Fault Exception (#DF)",
 * tables "Interrupt and Exception Classes" and "Conditions for Generating
 * a Double Fault"). Pure logic (pure.h only).
 */
#ifndef NVMX_DFAULT_H
#define NVMX_DFAULT_H

#include "pure.h"

/* Event types as in the VMX interruption-information fields, bits 10:8. */
#define NVMX_EVENT_EXT_INTR	0
#define NVMX_EVENT_NMI		2
#define NVMX_EVENT_HW_EXC	3
#define NVMX_EVENT_SOFT_INTR	4
#define NVMX_EVENT_PRIV_SW_EXC	5
#define NVMX_EVENT_SOFT_EXC	6

#define NVMX_VEC_DE	0
#define NVMX_VEC_DF	8
#define NVMX_VEC_TS	10
#define NVMX_VEC_NP	11
#define NVMX_VEC_SS	12
#define NVMX_VEC_GP	13
#define NVMX_VEC_PF	14
#define NVMX_VEC_VE	20
#define NVMX_VEC_CP	21

enum nvmx_event_class {
	NVMX_EVC_BENIGN,
	NVMX_EVC_CONTRIBUTORY,
	NVMX_EVC_PAGE_FAULT,
	/* #DF itself: a contributory fault or #PF while delivering it. */
	NVMX_EVC_DOUBLE_FAULT,
	NVMX_NR_EVENT_CLASSES
};

enum nvmx_dfault {
	/* Deliver the second event; the first recurs or is lost, as on hardware. */
	NVMX_DF_SERIAL,
	/* Deliver #DF with error code 0 instead. */
	NVMX_DF_DOUBLE,
	/* Shutdown (a triple fault). */
	NVMX_DF_TRIPLE,
};

enum nvmx_event_class nvmx_event_class(u8 type, u8 vector);
/*
 * The outcome of the second event arising while the first is being
 * delivered; *rule, if not NULL, names the table row that decided.
 */
enum nvmx_dfault nvmx_dfault_merge(u8 first_type, u8 first_vector,
				   u8 second_type, u8 second_vector,
				   const char **rule);

#endif /* NVMX_DFAULT_H */
