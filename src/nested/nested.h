/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Nested VMX: the state nvmx keeps for an L1 that uses VMX, and the hooks
 * the L0 core calls. vmcs01 runs L1, vmcs12 is L1's VMCS for L2 (in L1
 * memory, cached here), vmcs02 runs L2 and is built from both.
 */
#ifndef NVMX_NESTED_H
#define NVMX_NESTED_H

#include "caps.h"
#include "nested/vmcs12.h"

struct nvmx_nested {
	/*
	 * L1's IA32_VMX_* MSRs (nested/caps.c): computed at vCPU creation,
	 * restricted by userspace before the first KVM_RUN.
	 */
	struct nvmx_vmx_caps caps;
};

#endif /* NVMX_NESTED_H */
