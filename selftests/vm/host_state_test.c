// SPDX-License-Identifier: GPL-2.0
/*
 * What the VMM process sees of its own CPU state after KVM_RUN: VM exit
 * loads null selectors and LDTR, a 0xffff GDT limit and the hypervisor's
 * idea of the SYSCALL MSRs and KERNEL_GS_BASE; the hypervisor must put
 * the task's back before user mode runs again. Also: a guest never sees
 * the host's SYSCALL MSRs, a CR4 bit is accepted only where the device
 * offers the feature, and a failed VM entry is reported the same way at
 * every KVM_RUN until the state is fixed. $NVMX_TEST_DEV picks the device, so the same
 * binary runs on kvm_intel.
 */
#include <asm/ldt.h>
#include <asm/prctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "nvmx_test.h"

#define MEM_SIZE	0x4000
#define CODE_GPA	0x1000

#define MSR_LSTAR		0xc0000082
#define MSR_KERNEL_GS_BASE	0xc0000102
#define CR4_UMIP		0x800ULL	/* CR4 bit 11 */

/* LDT entry 0, table indicator set, RPL 3. */
#define LDT_SEL		((0 << 3) | 4 | 3)

/* mov al, 0x42; out 0x80, al; hlt */
static const unsigned char g_out_hlt[] = { 0xb0, 0x42, 0xe6, 0x80, 0xf4 };

/*
 * Real mode at CPL 0: rdmsr LSTAR; out 0x80, eax; mov eax, edx;
 * out 0x81, eax; then wrmsr KERNEL_GS_BASE := 0x12345000; hlt.
 */
static const unsigned char g_msrs[] = {
	0x66, 0xb9, 0x82, 0x00, 0x00, 0xc0,	/* mov ecx, MSR_LSTAR */
	0x0f, 0x32,				/* rdmsr */
	0x66, 0xe7, 0x80,			/* out 0x80, eax */
	0x66, 0x89, 0xd0,			/* mov eax, edx */
	0x66, 0xe7, 0x81,			/* out 0x81, eax */
	0x66, 0xb9, 0x02, 0x01, 0x00, 0xc0,	/* mov ecx, KERNEL_GS_BASE */
	0x66, 0xb8, 0x00, 0x50, 0x34, 0x12,	/* mov eax, 0x12345000 */
	0x66, 0x31, 0xd2,			/* xor edx, edx */
	0x0f, 0x30,				/* wrmsr */
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

struct seg_state {
	unsigned short gs, ldt;
	unsigned short gdt_limit;
	unsigned long gs_word;
};

static void read_seg_state(struct seg_state *s)
{
	/* SGDT stores a 2-byte limit, then the 8-byte base. */
	unsigned char gdt[10];

	asm volatile("mov %%gs, %0" : "=r"(s->gs));
	asm volatile("sldt %0" : "=r"(s->ldt));
	asm volatile("sgdt %0" : "=m"(gdt));
	memcpy(&s->gdt_limit, gdt, sizeof(s->gdt_limit));
	/* Reload from the selector: that needs the LDT. */
	asm volatile("mov %0, %%gs" : : "r"(s->gs));
	asm volatile("mov %%gs:0, %0" : "=r"(s->gs_word));
}

/*
 * GS holds an LDT selector: after KVM_RUN the selector, the LDT and the
 * GDT limit are as before, and a reload through the LDT reads the same
 * memory. (GS, not FS: FS holds libc's thread pointer, which the
 * descriptor's base would replace. nvmx restores FS by the same code.)
 */
TEST_F(vm, ldt_selectors_and_gdt_limit_survive_run)
{
	struct user_desc d = {
		.entry_number = 0, .limit = 0xfffff, .seg_32bit = 1,
		.contents = 0, .read_exec_only = 0, .limit_in_pages = 1,
		.seg_not_present = 0, .useable = 1,
	};
	struct seg_state before, after;
	unsigned long *buf;
	unsigned short sel = LDT_SEL;
	__u32 out[2];

	/* A 32-bit segment base: the buffer must be below 4 GiB. */
	buf = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	ASSERT_NE(MAP_FAILED, buf);
	buf[0] = 0x1122334455667788UL;
	d.base_addr = (unsigned long)buf;
	ASSERT_EQ(0, syscall(SYS_modify_ldt, 1, &d, sizeof(d)));
	asm volatile("mov %0, %%gs" : : "r"(sel));
	read_seg_state(&before);
	ASSERT_EQ(LDT_SEL, before.gs);
	ASSERT_NE(0, before.ldt);
	ASSERT_EQ(buf[0], before.gs_word);

	memcpy(self->v.mem + CODE_GPA, g_out_hlt, sizeof(g_out_hlt));
	ASSERT_EQ(1, test_vm_run_to_hlt(&self->v, out, 2));
	read_seg_state(&after);
	sel = 0;
	asm volatile("mov %0, %%gs" : : "r"(sel));

	EXPECT_EQ(before.gs, after.gs);
	EXPECT_EQ(before.ldt, after.ldt);
	EXPECT_EQ(before.gdt_limit, after.gdt_limit);
	EXPECT_EQ(buf[0], after.gs_word);
	munmap(buf, 4096);
}

/*
 * The guest reads LSTAR without ever having written it: it must get its
 * own reset value, 0, never the host's entry point. Its KERNEL_GS_BASE
 * write must not become this task's GS base.
 */
TEST_F(vm, guest_has_its_own_syscall_msrs)
{
	unsigned long gs_before = 0, gs_after = 0;
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[2];
	} m = { .hdr.nmsrs = 2 };
	__u32 out[2];

	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_GS, &gs_before));
	memcpy(self->v.mem + CODE_GPA, g_msrs, sizeof(g_msrs));
	ASSERT_EQ(2, test_vm_run_to_hlt(&self->v, out, 2));
	ASSERT_EQ(0, syscall(SYS_arch_prctl, ARCH_GET_GS, &gs_after));
	EXPECT_EQ(0, out[0]);
	EXPECT_EQ(0, out[1]);
	EXPECT_EQ(gs_before, gs_after);

	m.e[0].index = MSR_LSTAR;
	m.e[1].index = MSR_KERNEL_GS_BASE;
	ASSERT_EQ(2, ioctl(self->v.vcpu, KVM_GET_MSRS, &m));
	EXPECT_EQ(0, m.e[0].data);
	EXPECT_EQ(0x12345000, m.e[1].data);
}

static bool supported_cpuid_has(int dev, __u32 leaf, __u32 idx, int reg,
				__u32 bit)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[256];
	} c = { .hdr.nent = 256 };
	__u32 i, v;

	if (ioctl(dev, KVM_GET_SUPPORTED_CPUID, &c))
		return false;
	for (i = 0; i < c.hdr.nent; i++) {
		if (c.e[i].function != leaf || c.e[i].index != idx)
			continue;
		v = reg == 1 ? c.e[i].ebx : reg == 2 ? c.e[i].ecx : c.e[i].edx;
		return v & bit;
	}
	return false;
}

/*
 * CPUID that claims UMIP (leaf 7 ECX bit 2): CR4.UMIP is accepted exactly
 * where the device offers UMIP in KVM_GET_SUPPORTED_CPUID, whatever the
 * guest's CPUID says (kvm_intel can emulate it; nvmx only passes the
 * host's through).
 */
TEST_F(vm, cr4_bit_needs_the_feature_on_the_host)
{
	struct {
		struct kvm_cpuid2 hdr;
		struct kvm_cpuid_entry2 e[1];
	} c = { .hdr.nent = 1 };
	bool offered = supported_cpuid_has(self->v.dev, 7, 0, 2, 1u << 2);
	struct kvm_sregs sregs;
	int r;

	c.e[0].function = 7;
	c.e[0].flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
	c.e[0].ecx = 1u << 2;
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_SET_CPUID2, &c));
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_GET_SREGS, &sregs));
	sregs.cr4 |= CR4_UMIP;
	r = ioctl(self->v.vcpu, KVM_SET_SREGS, &sregs);
	TH_LOG("UMIP offered: %d", offered);
	if (offered) {
		EXPECT_EQ(0, r);
	} else {
		EXPECT_EQ(-1, r);
		EXPECT_EQ(EINVAL, errno);
	}
}

/*
 * RFLAGS bit 15 is reserved: VM entry fails its guest-state checks (basic
 * reason 33 with bit 31). The VMCS stays unlaunched, so the next KVM_RUN
 * fails the same way (a VMRESUME would VMfail instead), and once RFLAGS
 * is fixed the guest runs.
 */
TEST_F(vm, failed_entry_is_reported_until_fixed)
{
	struct kvm_regs regs;
	__u32 out[2];
	int i;

	memcpy(self->v.mem + CODE_GPA, g_out_hlt, sizeof(g_out_hlt));
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_GET_REGS, &regs));
	regs.rflags = 2 | (1u << 15);
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_SET_REGS, &regs));
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_RUN, 0));
		EXPECT_EQ(KVM_EXIT_FAIL_ENTRY, self->v.run->exit_reason);
		EXPECT_EQ(0x80000021,
			  self->v.run->fail_entry.hardware_entry_failure_reason)
			TH_LOG("KVM_RUN %d", i);
	}
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_GET_REGS, &regs));
	EXPECT_EQ(CODE_GPA, regs.rip);
	regs.rflags = 2;
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_SET_REGS, &regs));
	ASSERT_EQ(1, test_vm_run_to_hlt(&self->v, out, 2));
	EXPECT_EQ(0x42, out[0]);
}

TEST_HARNESS_MAIN
