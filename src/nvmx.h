/* SPDX-License-Identifier: GPL-2.0 */
/*
 * nvmx internal interfaces.
 *
 * Return conventions: functions return 0 or -errno unless their comment
 * says otherwise; ioctl handlers return what the ioctl returns to
 * userspace (a value >= 0, or -errno).
 */
#ifndef NVMX_H
#define NVMX_H

#include <linux/types.h>

#include "caps.h"

/* kvm_run page plus the page that holds KVM_EXIT_IO data, as on KVM/x86. */
#define NVMX_VCPU_MMAP_PAGES	2

/* vmx.c: VMX capabilities and per-CPU VMX operation */
extern struct nvmx_vmx_caps nvmx_caps;
int nvmx_vmx_init(void);
void nvmx_vmx_exit(void);
int nvmx_vmx_get(void);
void nvmx_vmx_put(void);
unsigned int nvmx_vmx_cpus(void);

/* vm.c: VM objects and the VM fd */
int nvmx_vm_init(void);
void nvmx_vm_exit(void);
int nvmx_vm_create(unsigned long type);
unsigned int nvmx_vm_count(void);
long nvmx_check_extension(long cap);

/* dev.c: /dev/nvmx */
int nvmx_dev_init(void);
void nvmx_dev_exit(void);

#endif /* NVMX_H */
