/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for our libkvm programs, which run on kvm_intel and, through
 * nvmx-run, on nvmx bound over /dev/kvm.
 */
#ifndef NVMX_KVM_H
#define NVMX_KVM_H

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "kvm_util.h"

#include <linux/nvmx.h>

/* nvmx answers its own ioctl on the /dev/kvm it is bound over. */
static inline bool on_nvmx(void)
{
	struct nvmx_status st = { .size = sizeof(st) };
	int fd = open_kvm_dev_path_or_exit();
	bool ret = !ioctl(fd, NVMX_GET_STATUS, &st);

	close(fd);
	return ret;
}

/*
 * NVMX_GET_EXIT_COUNTS on @vcpu (nvmx only: kvm_intel answers EINVAL),
 * zeroing the counts after the read if @reset. Returns 0 or an errno.
 */
static inline int nvmx_exit_counts(struct kvm_vcpu *vcpu,
				   struct nvmx_exit_counts *c, bool reset)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->flags = reset ? NVMX_EXIT_COUNTS_RESET : 0;
	return ioctl(vcpu->fd, NVMX_GET_EXIT_COUNTS, c) ? errno : 0;
}

#endif /* NVMX_KVM_H */
