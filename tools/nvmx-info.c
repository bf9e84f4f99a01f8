// SPDX-License-Identifier: GPL-2.0
/*
 * nvmx-info: what /dev/nvmx offers on this host. Prints the KVM API
 * version, the host's VMX features as nvmx read them, and nvmx's use of
 * the machine before, during and after the life of one VM.
 *
 * nvmx-info --hold [DEV] creates a VM and keeps it until killed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>
#include <linux/nvmx.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALLOWED1(msr, bit) (((msr) >> (32 + (bit))) & 1)

struct feature {
	const char *name;
	int (*has)(const struct nvmx_host_caps *c);
};

static int has_ept(const struct nvmx_host_caps *c) { return ALLOWED1(c->procbased_ctls2, 1); }
static int has_vpid(const struct nvmx_host_caps *c) { return ALLOWED1(c->procbased_ctls2, 5); }
static int has_ug(const struct nvmx_host_caps *c) { return ALLOWED1(c->procbased_ctls2, 7); }
static int has_tpr(const struct nvmx_host_caps *c) { return ALLOWED1(c->procbased_ctls, 21); }
static int has_vapic(const struct nvmx_host_caps *c) { return ALLOWED1(c->procbased_ctls2, 0); }
static int has_apicreg(const struct nvmx_host_caps *c) { return ALLOWED1(c->procbased_ctls2, 8); }
static int has_vid(const struct nvmx_host_caps *c) { return ALLOWED1(c->procbased_ctls2, 9); }
static int has_shadow(const struct nvmx_host_caps *c) { return ALLOWED1(c->procbased_ctls2, 14); }
static int has_pml(const struct nvmx_host_caps *c) { return ALLOWED1(c->procbased_ctls2, 17); }
static int has_timer(const struct nvmx_host_caps *c) { return ALLOWED1(c->pinbased_ctls, 6); }
static int has_posted(const struct nvmx_host_caps *c) { return ALLOWED1(c->pinbased_ctls, 7); }

static const struct feature features[] = {
	{ "EPT", has_ept },
	{ "VPID", has_vpid },
	{ "unrestricted guest", has_ug },
	{ "TPR shadow", has_tpr },
	{ "virtualize APIC accesses", has_vapic },
	{ "APIC-register virtualization", has_apicreg },
	{ "virtual-interrupt delivery", has_vid },
	{ "VMCS shadowing", has_shadow },
	{ "page-modification logging", has_pml },
	{ "VMX preemption timer", has_timer },
	{ "posted interrupts", has_posted },
};

static const struct {
	__u64 bit;
	const char *name;
} mitigations[] = {
	{ NVMX_MITIGATION_VERW, "verw" },
	{ NVMX_MITIGATION_L1D_FLUSH_HW, "l1d-flush-hw" },
	{ NVMX_MITIGATION_L1D_FLUSH_SW, "l1d-flush-sw" },
	{ NVMX_MITIGATION_BHI_CLEAR, "bhi-clear" },
	{ NVMX_MITIGATION_RSB_VMEXIT, "rsb-vmexit" },
	{ NVMX_MITIGATION_RSB_VMEXIT_LITE, "rsb-vmexit-lite" },
	{ NVMX_MITIGATION_IBPB_ON_SWITCH, "ibpb-on-switch" },
	{ NVMX_MITIGATION_IBRS_VMEXIT, "ibrs-vmexit" },
	{ NVMX_MITIGATION_IBPB_EXIT_TO_USER, "ibpb-exit-to-user" },
};

/* The mitigations nvmx applies around VM entry and exit, by name. */
static int print_mitigations(int fd)
{
	struct nvmx_status st = { .size = sizeof(st) };
	unsigned int i;
	int n = 0;

	if (ioctl(fd, NVMX_GET_STATUS, &st)) {
		perror("NVMX_GET_STATUS");
		return -1;
	}
	printf("entry/exit mitigations:");
	for (i = 0; i < ARRAY_SIZE(mitigations); i++) {
		if (st.mitigations & mitigations[i].bit) {
			printf(" %s", mitigations[i].name);
			n++;
		}
	}
	printf("%s\n", n ? "" : " none (the kernel asks for none)");
	return 0;
}

static int print_status(int fd, const char *when)
{
	struct nvmx_status st = { .size = sizeof(st) };

	if (ioctl(fd, NVMX_GET_STATUS, &st)) {
		perror("NVMX_GET_STATUS");
		return -1;
	}
	printf("%-22s VMs %u, CPUs in VMX operation %u of %u online\n", when,
	       st.nr_vms, st.vmx_cpus, st.online_cpus);
	return 0;
}

static int hold_vm(const char *dev)
{
	int fd = open(dev, O_RDWR | O_CLOEXEC);

	if (fd < 0 || ioctl(fd, KVM_CREATE_VM, 0) < 0) {
		fprintf(stderr, "%s: %s\n", dev, strerror(errno));
		return 1;
	}
	printf("holding a VM on %s\n", dev);
	fflush(stdout);
	for (;;)
		pause();
}

int main(int argc, char **argv)
{
	const char *dev = "/dev/nvmx";
	struct nvmx_host_caps c = { .size = sizeof(c) };
	unsigned int i;
	int fd, vm;

	if (argc > 1 && !strcmp(argv[1], "--hold"))
		return hold_vm(argc > 2 ? argv[2] : dev);
	if (argc > 1)
		dev = argv[1];
	fd = open(dev, O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: %s\n", dev, strerror(errno));
		return 1;
	}
	printf("%s: KVM API version %d, vCPU mmap size %d bytes\n", dev,
	       ioctl(fd, KVM_GET_API_VERSION, 0),
	       ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0));
	if (ioctl(fd, NVMX_GET_HOST_CAPS, &c)) {
		perror("NVMX_GET_HOST_CAPS");
		return 1;
	}
	printf("VMCS revision %#llx, VMCS size %llu bytes\n",
	       c.vmx_basic & 0x7fffffffULL, (c.vmx_basic >> 32) & 0x1fff);
	for (i = 0; i < ARRAY_SIZE(features); i++)
		printf("  %-30s %s\n", features[i].name,
		       features[i].has(&c) ? "yes" : "no");

	if (print_mitigations(fd))
		return 1;
	if (print_status(fd, "before any VM:"))
		return 1;
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	if (vm < 0) {
		fprintf(stderr, "KVM_CREATE_VM: %s\n", strerror(errno));
		return 1;
	}
	if (print_status(fd, "with one VM:"))
		return 1;
	close(vm);
	if (print_status(fd, "after it closed:"))
		return 1;
	close(fd);
	return 0;
}
