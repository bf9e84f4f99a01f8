// SPDX-License-Identifier: GPL-2.0
/*
 * Stats fds (KVM_GET_STATS_FD): a read-only anon-inode file whose content
 * is laid out by stats_layout.c. The file holds a reference on the owner
 * of the counters (a VM, later a vCPU's VM) until it is released, so the
 * counters outlive the owner's own fd for as long as the stats fd is open.
 */
#include <linux/anon_inodes.h>
#include <linux/bug.h>
#include <linux/compiler.h>
#include <linux/err.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "stats.h"

static_assert(sizeof(struct kvm_stats_header) == 6 * sizeof(u32));
static_assert(NVMX_STATS_DESC_HEAD == 16);

struct nvmx_stats_file {
	const struct nvmx_stats_schema *schema;
	const u64 *data;
	void (*put)(void *owner);
	void *owner;
	char id[NVMX_STATS_NAME_SIZE];
};

/*
 * Bytes go to userspace through a small buffer, so that a read never
 * allocates; a chunk of it overlaps at most this many counters.
 */
#define NVMX_STATS_CHUNK	256
#define NVMX_STATS_CHUNK_U64S	(NVMX_STATS_CHUNK / sizeof(u64) + 1)

/* Fills @chunk from @pos: the counters in it are loaded now, each once. */
static size_t nvmx_stats_read_chunk(struct nvmx_stats_file *sf, u64 pos,
				    u8 *chunk, size_t len)
{
	u64 snap[NVMX_STATS_CHUNK_U64S];
	u32 first, count, i;

	nvmx_stats_data_window(sf->schema, pos, len, &first, &count);
	if (WARN_ON_ONCE(count > ARRAY_SIZE(snap)))
		return 0;
	for (i = 0; i < count; i++)
		snap[i] = READ_ONCE(sf->data[first + i]);
	return nvmx_stats_read(sf->schema, sf->id, snap, pos, chunk, len);
}

/* Any length at any position: the VFS hands read() a position >= 0. */
static ssize_t nvmx_stats_fop_read(struct file *filp, char __user *ubuf,
				   size_t len, loff_t *ppos)
{
	struct nvmx_stats_file *sf = filp->private_data;
	u8 chunk[NVMX_STATS_CHUNK];
	size_t done = 0;

	while (done < len) {
		size_t n, left;

		n = nvmx_stats_read_chunk(sf, (u64)*ppos + done, chunk,
					  min_t(size_t, len - done,
						sizeof(chunk)));
		if (!n)
			break;
		left = copy_to_user(ubuf + done, chunk, n);
		done += n - left;
		if (left) {
			if (!done)
				return -EFAULT;
			break;
		}
	}
	*ppos += done;
	return done;
}

static int nvmx_stats_fop_release(struct inode *inode, struct file *filp)
{
	struct nvmx_stats_file *sf = filp->private_data;

	sf->put(sf->owner);
	kfree(sf);
	return 0;
}

/*
 * As KVM's stats fds: no write, and lseek() leaves the position where it is
 * and returns it (noop_llseek); read() at the current position and pread()
 * anywhere are how the file is read.
 */
static const struct file_operations nvmx_stats_fops = {
	.owner = THIS_MODULE,
	.read = nvmx_stats_fop_read,
	.release = nvmx_stats_fop_release,
	.llseek = noop_llseek,
};

/*
 * Returns a new stats fd (O_RDONLY, O_CLOEXEC) reading @data, laid out as
 * @schema, with the id string @id (copied), or -errno.
 *
 * The caller takes a reference on @owner for the fd; it is consumed in
 * every case: dropped with @put(@owner) when the file is released, or
 * before this function returns if it fails. @data must stay valid until
 * then.
 */
int nvmx_stats_fd_create(const struct nvmx_stats_schema *schema,
			 const char *id, const u64 *data,
			 void (*put)(void *owner), void *owner)
{
	struct nvmx_stats_file *sf;
	struct file *file;
	int fd, r;

	if (WARN_ON_ONCE(nvmx_stats_id_check(schema, id) ||
			 schema->name_size != NVMX_STATS_NAME_SIZE)) {
		r = -EINVAL;
		goto err_put;
	}
	sf = kzalloc(sizeof(*sf), GFP_KERNEL_ACCOUNT);
	if (!sf) {
		r = -ENOMEM;
		goto err_put;
	}
	sf->schema = schema;
	sf->data = data;
	sf->put = put;
	sf->owner = owner;
	strscpy(sf->id, id, sizeof(sf->id));

	fd = get_unused_fd_flags(O_CLOEXEC);
	if (fd < 0) {
		r = fd;
		goto err_free;
	}
	file = anon_inode_getfile("nvmx-stats", &nvmx_stats_fops, sf,
				  O_RDONLY);
	if (IS_ERR(file)) {
		r = PTR_ERR(file);
		goto err_put_fd;
	}
	/* Anon-inode files are not pread()able unless they say so. */
	file->f_mode |= FMODE_PREAD;
	fd_install(fd, file);
	return fd;

err_put_fd:
	put_unused_fd(fd);
err_free:
	kfree(sf);
err_put:
	put(owner);
	return r;
}
