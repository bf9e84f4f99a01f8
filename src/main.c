// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx: an Intel VT-x hypervisor with first-class nested VMX.
 *
 * Load order: probe VMX and read the capabilities (vmx.c), create the VM
 * cache (vm.c), then publish /dev/nvmx (dev.c). Nothing enters VMX operation until the first VM.
 */
#include <linux/init.h>
#include <linux/module.h>

#include "nvmx.h"
#include "version.h"

static int __init nvmx_init(void)
{
	int r;

	r = nvmx_vmx_init();
	if (r)
		return r;
	r = nvmx_vmcs01_init();
	if (r)
		goto err_vmx_exit;
	r = nvmx_policy_init();
	if (r)
		goto err_vmx_exit;
	r = nvmx_spec_init();
	if (r)
		goto err_vmx_exit;
	r = nvmx_placement_init();
	if (r)
		goto err_spec_exit;
	r = nvmx_vm_init();
	if (r)
		goto err_placement_exit;
	nvmx_debugfs_init();
	r = nvmx_dev_init();
	if (r)
		goto err_debugfs_exit;
	pr_info("version %s loaded: VMCS revision %#x, /dev/nvmx ready\n",
		NVMX_VERSION, nvmx_caps_revision(&nvmx_caps));
	return 0;

err_debugfs_exit:
	nvmx_debugfs_exit();
	nvmx_vm_exit();
err_placement_exit:
	nvmx_placement_exit();
err_spec_exit:
	nvmx_spec_exit();
err_vmx_exit:
	nvmx_vmx_exit();
	return r;
}

static void __exit nvmx_exit(void)
{
	nvmx_dev_exit();
	nvmx_debugfs_exit();
	nvmx_vm_exit();
	nvmx_placement_exit();
	nvmx_spec_exit();
	nvmx_vmx_exit();
}

module_init(nvmx_init);
module_exit(nvmx_exit);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("nvmx: Intel VT-x hypervisor with nested VMX");
MODULE_AUTHOR("nvmx developers");
MODULE_VERSION(NVMX_VERSION);
