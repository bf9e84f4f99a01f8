/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for our libkvm programs, which run on kvm_intel and, through
 * nvmx-run, on nvmx bound over /dev/kvm.
 */
#ifndef NVMX_KVM_H
#define NVMX_KVM_H

#include <stdbool.h>
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

#endif /* NVMX_KVM_H */
