/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rows of the capability-MSR table; no include guard. The includer defines
 * NVMX_CAP_MSR(field, msr, name) and gets one expansion per MSR, in reading
 * order: an MSR's presence may depend on bits of an MSR listed before it
 * (nvmx_cap_msr_present()). Where the "true" control MSRs exist nvmx reads
 * them instead of the legacy ones.
 */
NVMX_CAP_MSR(basic, 0x480, "IA32_VMX_BASIC")
NVMX_CAP_MSR(pinbased, 0x48d, "IA32_VMX_TRUE_PINBASED_CTLS")
NVMX_CAP_MSR(procbased, 0x48e, "IA32_VMX_TRUE_PROCBASED_CTLS")
NVMX_CAP_MSR(exit, 0x48f, "IA32_VMX_TRUE_EXIT_CTLS")
NVMX_CAP_MSR(entry, 0x490, "IA32_VMX_TRUE_ENTRY_CTLS")
NVMX_CAP_MSR(misc, 0x485, "IA32_VMX_MISC")
NVMX_CAP_MSR(cr0_fixed0, 0x486, "IA32_VMX_CR0_FIXED0")
NVMX_CAP_MSR(cr0_fixed1, 0x487, "IA32_VMX_CR0_FIXED1")
NVMX_CAP_MSR(cr4_fixed0, 0x488, "IA32_VMX_CR4_FIXED0")
NVMX_CAP_MSR(cr4_fixed1, 0x489, "IA32_VMX_CR4_FIXED1")
NVMX_CAP_MSR(vmcs_enum, 0x48a, "IA32_VMX_VMCS_ENUM")
NVMX_CAP_MSR(procbased2, 0x48b, "IA32_VMX_PROCBASED_CTLS2")
NVMX_CAP_MSR(ept_vpid, 0x48c, "IA32_VMX_EPT_VPID_CAP")
NVMX_CAP_MSR(vmfunc, 0x491, "IA32_VMX_VMFUNC")
