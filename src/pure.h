/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Types for nvmx's pure logic: the files that include this header and
 * nothing else from Linux build both into nvmx.ko and into the userspace
 * unit tests under selftests/unit, where they run with ASan and UBSan.
 */
#ifndef NVMX_PURE_H
#define NVMX_PURE_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/errno.h>
#include <linux/bits.h>
#include <linux/stddef.h>
#include <linux/kernel.h>
#else
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;

#ifndef BIT_ULL
#define BIT_ULL(n)	(1ULL << (n))
#endif
#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#endif
#endif

#endif /* NVMX_PURE_H */
