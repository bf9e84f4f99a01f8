// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC's registers, from the guest: xAPIC through
 * MMIO (ID, version, TPR/PPR, SVR and LVT masking, LVT write masks, LDR,
 * DFR, ICR2, ESR, TDCR, the timer's counts, a self-IPI into the IRR) and
 * x2APIC through MSRs (read-only and write-only registers, reserved ones
 * #GP, the 64-bit ICR, SELF_IPI, the derived LDR, APIC_BASE mode
 * transitions); then KVM_GET/SET_LAPIC from the host, with its negatives
 * (no irqchip: EINVAL; bad address: EFAULT). The same binary runs on
 * kvm_intel and on nvmx; what kvm_intel does not model (ESR's errors) is
 * checked on nvmx only.
 */
#define _GNU_SOURCE	/* program_invocation_name */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "apic.h"
#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

#define APIC_LDR	0xd0
#define APIC_DFR	0xe0
#define APIC_ISR	0x100
#define APIC_ESR	0x280
#define APIC_LVTT	0x320
#define APIC_LVTTHMR	0x330
#define APIC_LVTPC	0x340
#define APIC_LVT0	0x350
#define APIC_LVT1	0x360
#define APIC_LVTERR	0x370
#define APIC_TMICT	0x380
#define APIC_TMCCT	0x390
#define APIC_TDCR	0x3e0
#define APIC_SELF_IPI	0x3f0
#define X2(reg)		(APIC_BASE_MSR + ((reg) >> 4))

static bool nvmx;

static bool irr_has(u32 (*rd)(unsigned int), u8 vec)
{
	return rd(APIC_IRR + (vec / 32) * 0x10) & (1u << (vec % 32));
}

static u32 xrd(unsigned int reg)
{
	return xapic_read_reg(reg);
}

static u32 x2rd(unsigned int reg)
{
	return x2apic_read_reg(reg);
}

static void xapic_guest(void)
{
	u64 v;

	asm volatile("cli");
	xapic_enable();
	GUEST_ASSERT_EQ(xrd(APIC_LVR), 0x50014);
	GUEST_ASSERT_EQ(xrd(APIC_ID) >> 24, 0);
	/* Not in x2APIC mode: the MSRs #GP. */
	GUEST_ASSERT_EQ(rdmsr_safe(X2(APIC_ID), &v), GP_VECTOR);

	xapic_write_reg(APIC_TASKPRI, 0x1234);
	GUEST_ASSERT_EQ(xrd(APIC_TASKPRI), 0x34);
	GUEST_ASSERT_EQ(xrd(APIC_PROCPRI), 0x34);
	xapic_write_reg(APIC_TASKPRI, 0);
	GUEST_ASSERT_EQ(xrd(APIC_PROCPRI), 0);

	/* SVR keeps bits 9:0 (no directed EOI). */
	xapic_write_reg(APIC_SPIV, 0xffffffff);
	GUEST_ASSERT_EQ(xrd(APIC_SPIV), 0x3ff);
	/* Software-disabled: LVT writes stay masked. */
	xapic_write_reg(APIC_SPIV, 0xff);
	xapic_write_reg(APIC_LVT0, 0x700);
	GUEST_ASSERT_EQ(xrd(APIC_LVT0), 0x10700);
	xapic_write_reg(APIC_SPIV, 0x1ff);
	xapic_write_reg(APIC_LVTPC, 0x0);
	GUEST_ASSERT_EQ(xrd(APIC_LVTPC), 0);

	/* The bits each LVT keeps. */
	xapic_write_reg(APIC_LVTT, 0xffffffff);
	GUEST_ASSERT_EQ(xrd(APIC_LVTT), 0x310ff);
	xapic_write_reg(APIC_LVTT, 0x10000);
	xapic_write_reg(APIC_LVTTHMR, 0xffffffff);
	GUEST_ASSERT_EQ(xrd(APIC_LVTTHMR), 0x117ff);
	xapic_write_reg(APIC_LVTPC, 0xffffffff);
	GUEST_ASSERT_EQ(xrd(APIC_LVTPC), 0x117ff);
	xapic_write_reg(APIC_LVT1, 0xffffffff);
	GUEST_ASSERT_EQ(xrd(APIC_LVT1), 0x1f7ff);
	xapic_write_reg(APIC_LVTERR, 0xffffffff);
	GUEST_ASSERT_EQ(xrd(APIC_LVTERR), 0x110ff);

	/* ID, LDR, DFR, ICR2 keep what the xAPIC has of them. */
	xapic_write_reg(APIC_ID, 0x05123456);
	GUEST_ASSERT_EQ(xrd(APIC_ID), 0x05000000);
	xapic_write_reg(APIC_ID, 0);
	xapic_write_reg(APIC_LDR, 0xffffffff);
	GUEST_ASSERT_EQ(xrd(APIC_LDR), 0xff000000);
	xapic_write_reg(APIC_DFR, 0);
	GUEST_ASSERT_EQ(xrd(APIC_DFR), 0x0fffffff);
	xapic_write_reg(APIC_DFR, 0xffffffff);
	xapic_write_reg(APIC_ICR2, 0xff123456);
	GUEST_ASSERT_EQ(xrd(APIC_ICR2), 0xff000000);
	/* A read-only register ignores writes. */
	xapic_write_reg(APIC_LVR, 0);
	GUEST_ASSERT_EQ(xrd(APIC_LVR), 0x50014);

	/* ESR: a write latches errors, here none. */
	xapic_write_reg(APIC_ESR, 0);
	GUEST_ASSERT_EQ(xrd(APIC_ESR), 0);
	/* Fixed IPI with an illegal vector: "send illegal vector" (nvmx). */
	xapic_write_reg(APIC_ICR, APIC_DEST_SELF | APIC_DM_FIXED | 5);
	xapic_write_reg(APIC_ESR, 0);
	if (nvmx)
		GUEST_ASSERT_EQ(xrd(APIC_ESR), 0x20);
	xapic_write_reg(APIC_ESR, 0);
	GUEST_ASSERT_EQ(xrd(APIC_ESR), 0);

	/* A self-IPI lands in the IRR; interrupts are off. */
	GUEST_ASSERT(!irr_has(xrd, 0x40));
	xapic_write_reg(APIC_ICR, APIC_DEST_SELF | APIC_INT_ASSERT |
			APIC_DM_FIXED | 0x40);
	GUEST_ASSERT(irr_has(xrd, 0x40));
	GUEST_ASSERT_EQ(xrd(APIC_ICR) & APIC_ICR_BUSY, 0);
	/* A physical IPI to an APIC ID no one has goes nowhere. */
	xapic_write_reg(APIC_ICR2, 0x7 << 24);
	xapic_write_reg(APIC_ICR, APIC_INT_ASSERT | APIC_DM_FIXED | 0x41);
	GUEST_ASSERT(!irr_has(xrd, 0x41));
	xapic_write_reg(APIC_TASKPRI, 0x50);

	/* Timer: TDCR keeps bits 3, 1:0; the count runs down from TMICT. */
	xapic_write_reg(APIC_TDCR, 0xff);
	GUEST_ASSERT_EQ(xrd(APIC_TDCR), 0xb);
	xapic_write_reg(APIC_TDCR, 0xa);
	xapic_write_reg(APIC_TMICT, 100000000);
	v = xrd(APIC_TMCCT);
	GUEST_ASSERT(v > 0 && v <= 100000000);
	GUEST_ASSERT_EQ(xrd(APIC_TMICT), 100000000);
	xapic_write_reg(APIC_TMICT, 0);
	GUEST_ASSERT_EQ(xrd(APIC_TMCCT), 0);
	GUEST_SYNC(1);

	/* The host put vector 0x70 in the IRR with KVM_SET_LAPIC. */
	GUEST_ASSERT(irr_has(xrd, 0x70));
	GUEST_DONE();
}

static void x2apic_guest(void)
{
	u64 v, base;

	asm volatile("cli");
	x2apic_enable();
	/* vCPU 1: x2APIC ID 1, LDR cluster 0 bit 1. */
	GUEST_ASSERT_EQ(x2rd(APIC_ID), 1);
	GUEST_ASSERT_EQ(x2rd(APIC_LDR), 2);
	GUEST_ASSERT_EQ(x2rd(APIC_LVR), 0x50014);
	/* Read-only, write-only and reserved registers #GP. */
	GUEST_ASSERT_EQ(wrmsr_safe(X2(APIC_ID), 0), GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(X2(APIC_LDR), 0), GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(X2(APIC_PROCPRI), 0), GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(X2(APIC_IRR), 0), GP_VECTOR);
	GUEST_ASSERT_EQ(rdmsr_safe(X2(APIC_EOI), &v), GP_VECTOR);
	GUEST_ASSERT_EQ(rdmsr_safe(X2(APIC_SELF_IPI), &v), GP_VECTOR);
	GUEST_ASSERT_EQ(rdmsr_safe(X2(APIC_DFR), &v), GP_VECTOR);
	GUEST_ASSERT_EQ(rdmsr_safe(X2(APIC_ICR2), &v), GP_VECTOR);
	GUEST_ASSERT_EQ(rdmsr_safe(X2(0x90), &v), GP_VECTOR);
	GUEST_ASSERT_EQ(rdmsr_safe(X2(APIC_LVTCMCI), &v), GP_VECTOR);
	GUEST_ASSERT_EQ(rdmsr_safe(0x800, &v), GP_VECTOR);
	GUEST_ASSERT_EQ(rdmsr_safe(0x840, &v), GP_VECTOR);
	/* ESR takes only 0; bits 63:32 are reserved but in ICR. */
	GUEST_ASSERT_EQ(wrmsr_safe(X2(APIC_ESR), 1), GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(X2(APIC_ESR), 0), 0);
	GUEST_ASSERT_EQ(wrmsr_safe(X2(APIC_TASKPRI), 1ull << 32), GP_VECTOR);

	x2apic_write_reg(APIC_TASKPRI, 0x30);
	GUEST_ASSERT_EQ(x2rd(APIC_PROCPRI), 0x30);
	x2apic_write_reg(APIC_TASKPRI, 0);

	/* SELF_IPI: a vector, nothing else. */
	GUEST_ASSERT_EQ(wrmsr_safe(X2(APIC_SELF_IPI), 0x141), GP_VECTOR);
	GUEST_ASSERT(!irr_has(x2rd, 0x41));
	x2apic_write_reg(APIC_SELF_IPI, 0x41);
	GUEST_ASSERT(irr_has(x2rd, 0x41));

	/* ICR is one 64-bit register with a 32-bit destination. */
	x2apic_write_reg(APIC_ICR, (0x12345678ull << 32) | APIC_INT_ASSERT |
			 APIC_DM_FIXED | 0x42);
	GUEST_ASSERT_EQ(x2apic_read_reg(APIC_ICR),
			(0x12345678ull << 32) | APIC_INT_ASSERT | 0x42);
	GUEST_ASSERT(!irr_has(x2rd, 0x42));
	/* To itself by its x2APIC ID. */
	x2apic_write_reg(APIC_ICR, (1ull << 32) | APIC_INT_ASSERT | 0x43);
	GUEST_ASSERT(irr_has(x2rd, 0x43));
	GUEST_SYNC(1);

	/* Mode transitions (SDM "x2APIC State Transitions"). */
	base = rdmsr(MSR_IA32_APICBASE);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_APICBASE, base & ~X2APIC_ENABLE),
			GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_APICBASE,
				   base & ~MSR_IA32_APICBASE_ENABLE), GP_VECTOR);
	base &= ~(X2APIC_ENABLE | MSR_IA32_APICBASE_ENABLE);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_APICBASE, base), 0);
	GUEST_ASSERT_EQ(rdmsr_safe(X2(APIC_ID), &v), GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_APICBASE, base | X2APIC_ENABLE |
				   MSR_IA32_APICBASE_ENABLE), GP_VECTOR);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_APICBASE,
				   base | MSR_IA32_APICBASE_ENABLE), 0);
	GUEST_ASSERT_EQ(wrmsr_safe(MSR_IA32_APICBASE, base | X2APIC_ENABLE |
				   MSR_IA32_APICBASE_ENABLE), 0);
	GUEST_ASSERT_EQ(x2rd(APIC_ID), 1);
	GUEST_DONE();
}

static u32 reg(struct kvm_lapic_state *s, unsigned int off)
{
	return *(u32 *)&s->regs[off];
}

static void set_reg(struct kvm_lapic_state *s, unsigned int off, u32 v)
{
	*(u32 *)&s->regs[off] = v;
}

static void test_xapic(void)
{
	struct kvm_lapic_state s;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vm = vm_create_with_one_vcpu(&vcpu, xapic_guest);
	vcpu_clear_cpuid_feature(vcpu, X86_FEATURE_X2APIC);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	virt_pg_map(vm, APIC_DEFAULT_GPA, APIC_DEFAULT_GPA);
	sync_global_to_guest(vm, nvmx);
	run_to(vcpu, 1);

	vcpu_ioctl(vcpu, KVM_GET_LAPIC, &s);
	ASSERT_EQ(reg(&s, APIC_LVR), 0x50014);
	ASSERT_EQ(reg(&s, APIC_TASKPRI), 0x50);
	ASSERT_EQ(reg(&s, APIC_PROCPRI), 0x50);
	ASSERT_EQ(reg(&s, APIC_SPIV), 0x1ff);
	ASSERT_EQ(reg(&s, APIC_LVTERR), 0x110ff);
	ASSERT_EQ(reg(&s, APIC_IRR + 0x20), 1u << 0);
	ASSERT_EQ(reg(&s, APIC_ISR + 0x20), 0);
	/* The version is not the image's to change. */
	set_reg(&s, APIC_LVR, 0x12345678);
	set_reg(&s, APIC_IRR + 0x30, 1u << 16);
	vcpu_ioctl(vcpu, KVM_SET_LAPIC, &s);
	vcpu_ioctl(vcpu, KVM_GET_LAPIC, &s);
	ASSERT_EQ(reg(&s, APIC_LVR), 0x50014);
	ASSERT_EQ(reg(&s, APIC_IRR + 0x30), 1u << 16);
	/* Negative: a bad address. */
	TEST_ASSERT(__vcpu_ioctl(vcpu, KVM_SET_LAPIC, (struct kvm_lapic_state *)8) == -1 &&
		    errno == EFAULT, "KVM_SET_LAPIC at 8: errno %d", errno);
	TEST_ASSERT(__vcpu_ioctl(vcpu, KVM_GET_LAPIC, (struct kvm_lapic_state *)8) == -1 &&
		    errno == EFAULT, "KVM_GET_LAPIC at 8: errno %d", errno);
	run_to(vcpu, RUN_TO_DONE);
	kvm_vm_free(vm);
}

static void test_x2apic(void)
{
	struct kvm_lapic_state s;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vm = vm_create(1);
	vcpu = vm_vcpu_add(vm, 1, x2apic_guest);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	run_to(vcpu, 1);
	vcpu_ioctl(vcpu, KVM_GET_LAPIC, &s);
	/* Without KVM_CAP_X2APIC_API the ID reads in xAPIC format. */
	ASSERT_EQ(reg(&s, APIC_ID), 1u << 24);
	ASSERT_EQ(reg(&s, APIC_LDR), 2);
	ASSERT_EQ(reg(&s, APIC_ICR2), 1);
	ASSERT_EQ(reg(&s, APIC_IRR + 0x20), (1u << 1) | (1u << 3));
	/* SET takes the ID (xAPIC format) and derives the LDR from it. */
	set_reg(&s, APIC_ID, 5u << 24);
	set_reg(&s, APIC_LDR, 0x12345678);
	vcpu_ioctl(vcpu, KVM_SET_LAPIC, &s);
	vcpu_ioctl(vcpu, KVM_GET_LAPIC, &s);
	ASSERT_EQ(reg(&s, APIC_ID), 5u << 24);
	ASSERT_EQ(reg(&s, APIC_LDR), 0x20);
	set_reg(&s, APIC_ID, 1u << 24);
	vcpu_ioctl(vcpu, KVM_SET_LAPIC, &s);
	vcpu_ioctl(vcpu, KVM_GET_LAPIC, &s);
	ASSERT_EQ(reg(&s, APIC_LDR), 2);
	run_to(vcpu, RUN_TO_DONE);
	kvm_vm_free(vm);
}

/* Negative: without an in-kernel irqchip there is no APIC state. */
static void test_no_irqchip(void)
{
	struct kvm_lapic_state s = {};
	struct kvm_vm *vm = vm_create_barebones();
	struct kvm_vcpu *vcpu = __vm_vcpu_add(vm, 0);

	TEST_ASSERT(__vcpu_ioctl(vcpu, KVM_GET_LAPIC, &s) == -1 &&
		    errno == EINVAL, "KVM_GET_LAPIC: errno %d", errno);
	TEST_ASSERT(__vcpu_ioctl(vcpu, KVM_SET_LAPIC, &s) == -1 &&
		    errno == EINVAL, "KVM_SET_LAPIC: errno %d", errno);
	kvm_vm_free(vm);
}

int main(void)
{
	nvmx = on_nvmx();
	test_xapic();
	test_x2apic();
	test_no_irqchip();
	ksft_print_msg("lapic_regs_test: passed on %s\n", nvmx ? "nvmx" : "kvm");
	return 0;
}
