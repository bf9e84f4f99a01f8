/* SPDX-License-Identifier: GPL-2.0 */
#ifndef NVMX_VERSION_H
#define NVMX_VERSION_H

/* Kept equal to PACKAGE_VERSION in dkms.conf; `make check` compares them. */
#define NVMX_VERSION "0.1.0"

#endif /* NVMX_VERSION_H */
