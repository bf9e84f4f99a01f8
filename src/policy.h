/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The register emulation policy table (struct nvmx_policy in the uapi
 * header; Documentation/nested.md, "The policy table"): what each row
 * means for vmcs01 and for L0's part of vmcs02. The table's checks and
 * the masks derived from it are pure logic (policy.c).
 */
#ifndef NVMX_POLICY_H
#define NVMX_POLICY_H

#include "pure.h"
#include <uapi/linux/nvmx.h>

/*
 * What a valid table derives, per register. For CR0 and CR4: @mask is M0,
 * the bits of non-THROUGH rows (L0 traps writes that change them);
 * @forced the bits whose real value is L0's, @value (H) those values.
 */
struct nvmx_policy_cr {
	u64 mask;
	u64 forced;
	u64 value;
};

struct nvmx_policy_masks {
	struct nvmx_policy_cr cr0;
	struct nvmx_policy_cr cr4;
	/* CR3 INTERCEPT: CR3-load and CR3-store exiting. */
	bool cr3_intercept;
	/* TPR INTERCEPT (CR8 exiting, embodiment 2), else the TPR shadow. */
	bool tpr_intercept;
};

#endif /* NVMX_POLICY_H */
