// SPDX-License-Identifier: GPL-2.0
/*
 * Control- and debug-register writes the hypervisor emulates, seen from a
 * real-mode guest: LMSW must not undo CR0 bits the guest changed without
 * an exit, and MOV to DR6 keeps only DR6's architectural bits. The guest
 * reports what it reads back with OUTs. $NVMX_TEST_DEV picks the device,
 * so the same binary runs on kvm_intel.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "nvmx_test.h"

#define MEM_SIZE	0x4000
#define CODE_GPA	0x1000

/*
 * Sets CR0.WP with MOV CR0 (a bit guests may own, so perhaps no exit),
 * then LMSW 1 (sets PE: an exit), then reads CR0 back: out 0x80, eax.
 */
static const unsigned char g_lmsw[] = {
	0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	0x66, 0x0d, 0x00, 0x00, 0x01, 0x00,	/* or eax, 0x10000 (WP) */
	0x0f, 0x22, 0xc0,			/* mov cr0, eax */
	0xb8, 0x01, 0x00,			/* mov ax, 1 */
	0x0f, 0x01, 0xf0,			/* lmsw ax */
	0x0f, 0x20, 0xc0,			/* mov eax, cr0 */
	0x66, 0xe7, 0x80,			/* out 0x80, eax */
	0xf4,					/* hlt */
};

/* DR6 := 0, read back to port 0x80; DR6 := ~0, read back to 0x81. */
static const unsigned char g_dr6[] = {
	0x66, 0x31, 0xc0,			/* xor eax, eax */
	0x0f, 0x23, 0xf0,			/* mov dr6, eax */
	0x0f, 0x21, 0xf0,			/* mov eax, dr6 */
	0x66, 0xe7, 0x80,			/* out 0x80, eax */
	0x66, 0x83, 0xc8, 0xff,			/* or eax, -1 */
	0x0f, 0x23, 0xf0,			/* mov dr6, eax */
	0x0f, 0x21, 0xf0,			/* mov eax, dr6 */
	0x66, 0xe7, 0x81,			/* out 0x81, eax */
	0xf4,					/* hlt */
};

FIXTURE(vm) {
	struct test_vm v;
};

FIXTURE_SETUP(vm)
{
	const char *failed = test_vm_open(&self->v, MEM_SIZE);

	if (!failed)
		failed = test_vm_real_mode(&self->v, CODE_GPA, 0x3000);
	ASSERT_EQ(NULL, failed) TH_LOG("%s: %s", failed, strerror(errno));
}

FIXTURE_TEARDOWN(vm)
{
	test_vm_close(&self->v);
}

TEST_F(vm, lmsw_keeps_guest_owned_cr0_bits)
{
	__u32 out[1];

	memcpy(self->v.mem + CODE_GPA, g_lmsw, sizeof(g_lmsw));
	ASSERT_EQ(1, test_vm_run_to_hlt(&self->v, out, 1));
	/* RESET's CD, NW and ET, the guest's WP, and LMSW's PE. */
	EXPECT_EQ(0x60010011, out[0]);
}

TEST_F(vm, dr6_keeps_only_its_architectural_bits)
{
	__u32 out[2];

	memcpy(self->v.mem + CODE_GPA, g_dr6, sizeof(g_dr6));
	ASSERT_EQ(2, test_vm_run_to_hlt(&self->v, out, 2));
	/* Bits 4-11 and 16-31 read 1, bit 12 reads 0 (no RTM, no BLD). */
	EXPECT_EQ(0xffff0ff0, out[0]);
	/* Of ~0, only B0-B3, BD, BS and BT are the guest's to set. */
	EXPECT_EQ(0xffffefff, out[1]);
}

TEST_HARNESS_MAIN
