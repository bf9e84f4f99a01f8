/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Rows of the VM stats table; no include guard. The includer defines
 * NVMX_STAT() and NVMX_STAT_HIST() (see stats.h) and gets one expansion per
 * stat, in file order. Only what nvmx maintains is listed; a name KVM also
 * has means what it means on KVM.
 */

/* vCPUs created in this VM (KVM_CREATE_VCPU); nvmx's own. */
NVMX_STAT(nvmx_vcpus, INSTANT, NONE, POW10, 0)
/*
 * KVM's generic count of VM-wide guest TLB flushes: for nvmx, each time it
 * invalidates the VM's EPT translations on every CPU (INVEPT
 * single-context). Maintained by the EPT code that issues the flush.
 */
NVMX_STAT(remote_tlb_flush, CUMULATIVE, NONE, POW10, 0)
