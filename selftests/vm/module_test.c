// SPDX-License-Identifier: GPL-2.0
/*
 * Module lifetime: nvmx cannot be removed while any of its fds is open, and
 * 50 load/use/unload cycles leave slab and free-page counts at baseline.
 * Needs root and the path of nvmx.ko in $NVMX_KO (default NVMX_KO_DEFAULT).
 * Leaves nvmx loaded.
 */
#include "kselftest_harness.h"
#include "nvmx_test.h"

#define CYCLES 50

/*
 * Allowed drift after CYCLES cycles. One page leaked per cycle (a VMXON
 * region, an EPT root) is CYCLES pages. SLUB counts every object of a
 * per-CPU slab as in use, so the object count moves in steps of a whole
 * slab (up to 512 objects): it only catches big leaks, and small objects
 * rely on their own caches' checks at unload (kmem_cache_destroy()).
 */
#define FREE_PAGES_SLACK	(CYCLES / 4)
#define SLAB_KB_SLACK		16
#define SLAB_OBJS_SLACK		1024

static void ensure_loaded(struct __test_metadata *_metadata)
{
	if (module_loaded("nvmx"))
		return;
	ASSERT_EQ(0, module_load(nvmx_ko_path()))
		TH_LOG("load %s: %s", nvmx_ko_path(), strerror(errno));
}

TEST(unload_refused_while_dev_fd_open)
{
	int fd;

	ensure_loaded(_metadata);
	fd = open(NVMX_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, module_unload("nvmx"));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_TRUE(module_loaded("nvmx"));
	/* The fd still works. */
	EXPECT_EQ(12, ioctl(fd, KVM_GET_API_VERSION, 0));
	close(fd);
}

TEST(unload_refused_while_vm_fd_open)
{
	int fd, vm;

	ensure_loaded(_metadata);
	fd = open(NVMX_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm);
	close(fd);
	/* Only the VM fd is left, and it alone pins the module. */
	EXPECT_EQ(-1, module_unload("nvmx"));
	EXPECT_EQ(EWOULDBLOCK, errno);
	EXPECT_EQ(1, ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_CHECK_EXTENSION_VM));
	close(vm);
}

static void cycle(struct __test_metadata *_metadata, int i)
{
	struct nvmx_status st;
	int fd, vm;

	ASSERT_EQ(0, module_unload("nvmx")) TH_LOG("round %d: %s", i, strerror(errno));
	ASSERT_FALSE(module_loaded("nvmx"));
	ASSERT_FALSE(path_exists(NVMX_DEV));
	ASSERT_EQ(0, module_load(nvmx_ko_path())) TH_LOG("round %d: %s", i, strerror(errno));
	fd = open(NVMX_DEV, O_RDWR);
	ASSERT_LE(0, fd);
	vm = ioctl(fd, KVM_CREATE_VM, 0);
	ASSERT_LE(0, vm) TH_LOG("round %d: %s", i, strerror(errno));
	ASSERT_EQ(0, nvmx_get_status(fd, &st));
	ASSERT_EQ(st.online_cpus, st.vmx_cpus);
	close(vm);
	ASSERT_EQ(0, nvmx_get_status(fd, &st));
	ASSERT_EQ(0, st.vmx_cpus);
	close(fd);
}

TEST(load_unload_cycles_leak_nothing)
{
	struct mem_snapshot before, after;
	int i;

	ensure_loaded(_metadata);
	/* Warm up caches that the first cycles fill for good. */
	for (i = 0; i < 3; i++)
		cycle(_metadata, -1 - i);
	before = mem_snapshot(200);
	ASSERT_LT(0, before.free_pages);
	ASSERT_LT(0, before.slab_kb);
	for (i = 0; i < CYCLES; i++)
		cycle(_metadata, i);
	after = mem_snapshot(200);
	TH_LOG("after %d cycles: free pages %+lld, unreclaimable slab %+lld kB, slab objects %+lld",
	       CYCLES, after.free_pages - before.free_pages,
	       after.slab_kb - before.slab_kb,
	       after.slab_objs - before.slab_objs);
	EXPECT_GE(after.free_pages, before.free_pages - FREE_PAGES_SLACK);
	EXPECT_LE(after.slab_kb, before.slab_kb + SLAB_KB_SLACK);
	EXPECT_LE(after.slab_objs, before.slab_objs + SLAB_OBJS_SLACK);
}

TEST_HARNESS_MAIN
