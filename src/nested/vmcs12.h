/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vmcs12: L1's VMCS for L2, in nvmx's own format, generated from the field
 * table (vmcs12_fields.h). Pure logic (see pure.h).
 */
#ifndef NVMX_VMCS12_H
#define NVMX_VMCS12_H

#include "pure.h"

/* Bit 31 clear: a VMCS, not a shadow VMCS. "NVMX" in ASCII. */
#define NVMX_VMCS12_REVISION	0x4e564d58U
#define NVMX_VMCS12_SIZE	4096U

/* Launch state kept in the region (nvmx's own, like the hardware's). */
#define NVMX_VMCS12_CLEAR	0U
#define NVMX_VMCS12_LAUNCHED	1U

typedef u16 nvmx_v12_W16;
typedef u32 nvmx_v12_W32;
typedef u64 nvmx_v12_W64;
typedef u64 nvmx_v12_WNAT;

struct nvmx_vmcs12 {
	u32 revision_id;
	u32 abort;
	u32 launch_state;
	u32 reserved;
#define NVMX_VMCS12_FIELD(name, enc, width, off, acc, cls, freq, sh) \
	nvmx_v12_##width name;
#include "vmcs12_fields.h"
#undef NVMX_VMCS12_FIELD
};

/* One index per row, in table order. */
enum nvmx_vmcs12_idx {
#define NVMX_VMCS12_FIELD(name, enc, width, off, acc, cls, freq, sh) \
	NVMX_V12_##name,
#include "vmcs12_fields.h"
#undef NVMX_VMCS12_FIELD
	NVMX_V12_NR
};

enum nvmx_v12_width { NVMX_V12_W16, NVMX_V12_W32, NVMX_V12_W64, NVMX_V12_WNAT };
enum nvmx_v12_access { NVMX_V12_RW, NVMX_V12_RO };
enum nvmx_v12_class {
	NVMX_V12_COPY, NVMX_V12_HOST, NVMX_V12_CTRL, NVMX_V12_GPA,
	NVMX_V12_CR, NVMX_V12_EXIT, NVMX_V12_SOFT, NVMX_V12_L0
};

enum nvmx_v12_freq { NVMX_V12_HOT, NVMX_V12_RARE };
/* How L1 reaches the field through a shadow VMCS (vmcs12_fields.h). */
enum nvmx_v12_shadow { NVMX_V12_SH_NO, NVMX_V12_SH_R, NVMX_V12_SH_RW };

struct nvmx_vmcs12_row {
	const char *name;
	u32 encoding;
	u16 offset;
	u8 width;	/* enum nvmx_v12_width */
	u8 access;	/* enum nvmx_v12_access */
	u8 class;	/* enum nvmx_v12_class */
	u8 freq;	/* enum nvmx_v12_freq */
	u8 shadow;	/* enum nvmx_v12_shadow */
};

extern const struct nvmx_vmcs12_row nvmx_vmcs12_rows[NVMX_V12_NR];

/* VM-instruction error numbers (SDM "VM Instruction Error Numbers"). */
#define NVMX_VMERR_UNSUPPORTED_FIELD	12U
#define NVMX_VMERR_RO_FIELD		13U

int nvmx_vmcs12_find(u64 encoding, bool *high);
u64 nvmx_vmcs12_get(const struct nvmx_vmcs12 *v12, unsigned int idx);
void nvmx_vmcs12_set(struct nvmx_vmcs12 *v12, unsigned int idx, u64 val);
u32 nvmx_vmcs12_vmread(const struct nvmx_vmcs12 *v12, u64 encoding, u64 *val);
u32 nvmx_vmcs12_vmwrite(struct nvmx_vmcs12 *v12, u64 encoding, u64 val,
			bool write_any, int *idx);
u64 nvmx_vmcs12_field_mask(unsigned int idx);
unsigned int nvmx_vmcs12_max_index(void);

#endif /* NVMX_VMCS12_H */
