// SPDX-License-Identifier: GPL-2.0
/*
 * On a CPU nvmx cannot run on, loading fails with EOPNOTSUPP and one dmesg
 * line naming what is missing, and leaves nothing behind.
 * Run with $NVMX_EXPECT set to the text that line must contain.
 */
#include "kselftest_harness.h"
#include "nvmx_test.h"

TEST(load_refused_with_reason)
{
	const char *expect = getenv("NVMX_EXPECT");
	char line[256];
	int kmsg, i;

	ASSERT_NE(NULL, expect) TH_LOG("set NVMX_EXPECT");
	ASSERT_FALSE(module_loaded("nvmx"));
	snprintf(line, sizeof(line), "nvmx: not loading: %s", expect);

	/* Twice: a refused load must leave no state that changes the answer. */
	for (i = 0; i < 2; i++) {
		kmsg = kmsg_open();
		ASSERT_LE(0, kmsg);
		EXPECT_EQ(-1, module_load(nvmx_ko_path()));
		EXPECT_EQ(EOPNOTSUPP, errno);
		EXPECT_TRUE(kmsg_find(kmsg, line))
			TH_LOG("no \"%s\" in dmesg; last nvmx line: %s",
			       line, kmsg_last_nvmx);
		close(kmsg);
		EXPECT_FALSE(module_loaded("nvmx"));
		EXPECT_FALSE(path_exists(NVMX_DEV));
	}
}

TEST_HARNESS_MAIN
