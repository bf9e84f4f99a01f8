// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/nvmx: KVM's system ioctls with KVM's numbers, structs and errnos,
 * plus the nvmx-only ioctls of <uapi/linux/nvmx.h>.
 */
#include <linux/cpumask.h>
#include <linux/fs.h>
#include <linux/kvm.h>
#include <linux/miscdevice.h>

#include <uapi/linux/nvmx.h>

#include "nvmx.h"

static_assert(sizeof(struct nvmx_host_caps) == NVMX_HOST_CAPS_SIZE_VER0);
static_assert(sizeof(struct nvmx_status) == NVMX_STATUS_SIZE_VER1);

static long nvmx_get_host_caps(void __user *argp)
{
	struct nvmx_host_caps caps;
	int usize;

	usize = nvmx_copy_struct_in(&caps, sizeof(caps),
				    NVMX_HOST_CAPS_SIZE_VER0, argp);
	if (usize < 0)
		return usize;
	if (caps.flags)
		return -EINVAL;

	caps.vmx_basic = nvmx_caps.basic;
	caps.pinbased_ctls = nvmx_caps.pinbased;
	caps.procbased_ctls = nvmx_caps.procbased;
	caps.exit_ctls = nvmx_caps.exit;
	caps.entry_ctls = nvmx_caps.entry;
	caps.misc = nvmx_caps.misc;
	caps.cr0_fixed0 = nvmx_caps.cr0_fixed0;
	caps.cr0_fixed1 = nvmx_caps.cr0_fixed1;
	caps.cr4_fixed0 = nvmx_caps.cr4_fixed0;
	caps.cr4_fixed1 = nvmx_caps.cr4_fixed1;
	caps.vmcs_enum = nvmx_caps.vmcs_enum;
	caps.procbased_ctls2 = nvmx_caps.procbased2;
	caps.ept_vpid_cap = nvmx_caps.ept_vpid;
	caps.vmfunc = nvmx_caps.vmfunc;
	return nvmx_copy_struct_out(argp, &caps, &caps.size, sizeof(caps),
				    usize);
}

static long nvmx_get_status(void __user *argp)
{
	struct nvmx_status st;
	int usize;

	usize = nvmx_copy_struct_in(&st, sizeof(st), NVMX_STATUS_SIZE_VER0,
				    argp);
	if (usize < 0)
		return usize;
	if (st.flags || st.__reserved)
		return -EINVAL;

	st.nr_vms = nvmx_vm_count();
	st.vmx_cpus = nvmx_vmx_cpus();
	st.online_cpus = num_online_cpus();
	st.mitigations = nvmx_spec_mitigations;
	return nvmx_copy_struct_out(argp, &st, &st.size, sizeof(st), usize);
}

/*
 * nvmx's own ioctls, by command number: the size in the ioctl number
 * follows the header userspace was built with, the struct's own @size
 * says what it really passed (nvmx_copy_struct_in()).
 */
static long nvmx_dev_own_ioctl(unsigned int ioctl, void __user *argp)
{
	if (_IOC_TYPE(ioctl) != NVMX_TYPE ||
	    _IOC_DIR(ioctl) != (_IOC_READ | _IOC_WRITE))
		/* /dev/kvm answers an ioctl it does not know with EINVAL. */
		return -EINVAL;
	switch (_IOC_NR(ioctl)) {
	case NVMX_CMD_GET_HOST_CAPS:
		return nvmx_get_host_caps(argp);
	case NVMX_CMD_GET_STATUS:
		return nvmx_get_status(argp);
	default:
		return -EINVAL;
	}
}

static long nvmx_dev_ioctl(struct file *filp, unsigned int ioctl,
			   unsigned long arg)
{
	void __user *argp = (void __user *)arg;

	switch (ioctl) {
	case KVM_GET_API_VERSION:
		return arg ? -EINVAL : KVM_API_VERSION;
	case KVM_CREATE_VM:
		return nvmx_vm_create(arg);
	case KVM_CHECK_EXTENSION:
		return nvmx_check_extension(arg);
	case KVM_GET_VCPU_MMAP_SIZE:
		return arg ? -EINVAL : NVMX_VCPU_MMAP_PAGES * PAGE_SIZE;
	case NVMX_KVM_TRACE_ENABLE:
	case NVMX_KVM_TRACE_PAUSE:
	case NVMX_KVM_TRACE_DISABLE:
		/* Withdrawn from KVM's ABI; KVM still answers them so. */
		return -EOPNOTSUPP;
	case KVM_GET_SUPPORTED_CPUID:
		return nvmx_get_supported_cpuid(argp);
	case KVM_GET_MSR_INDEX_LIST:
		return nvmx_msr_index_list(argp);
	case KVM_GET_MSR_FEATURE_INDEX_LIST:
		return nvmx_msr_feature_index_list(argp);
	case KVM_X86_GET_MCE_CAP_SUPPORTED:
		return nvmx_mce_cap_supported(argp);
	case KVM_GET_MSRS:
		return nvmx_get_feature_msrs(argp);
	default:
		return nvmx_dev_own_ioctl(ioctl, argp);
	}
}

static const struct file_operations nvmx_dev_fops = {
	.owner = THIS_MODULE,
	.unlocked_ioctl = nvmx_dev_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.llseek = noop_llseek,
};

static struct miscdevice nvmx_miscdev = {
	.minor = MISC_DYNAMIC_MINOR,
	.name = "nvmx",
	.fops = &nvmx_dev_fops,
	/* As /dev/kvm: a group (e.g. kvm, through udev) may use it. */
	.mode = 0660,
};

int nvmx_dev_init(void)
{
	return misc_register(&nvmx_miscdev);
}

void nvmx_dev_exit(void)
{
	misc_deregister(&nvmx_miscdev);
}
