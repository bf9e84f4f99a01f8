// SPDX-License-Identifier: GPL-2.0
/*
 * Copying the size-prefixed structs of <uapi/linux/nvmx.h> in and out, by
 * the header's conventions; shared by the /dev/nvmx, VM and vCPU ioctls.
 */
#include <linux/minmax.h>
#include <linux/uaccess.h>

#include "nvmx.h"

/*
 * Copies in a size-prefixed nvmx struct (see the uapi header): @min is its
 * first published size. A size past one page is refused rather than
 * scanned for zeroes. Returns the size userspace gave, or -errno.
 */
int nvmx_copy_struct_in(void *dst, size_t ksize, size_t min,
			void __user *argp)
{
	u32 usize;
	int r;

	if (get_user(usize, (u32 __user *)argp))
		return -EFAULT;
	if (usize < min)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	r = copy_struct_from_user(dst, ksize, argp, usize);
	return r ? r : (int)usize;
}

/* Copies a struct back, at most as much as userspace said it has room for. */
int nvmx_copy_struct_out(void __user *argp, void *src, u32 *size_field,
			 size_t ksize, u32 usize)
{
	size_t n = min_t(size_t, ksize, usize);

	*size_field = n;
	return copy_to_user(argp, src, n) ? -EFAULT : 0;
}
