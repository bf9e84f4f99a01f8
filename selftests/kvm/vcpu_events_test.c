// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_GET/SET_VCPU_EVENTS (api.rst): what a new vCPU reports, round trips
 * of each field, events set from userspace delivered to guest handlers (an
 * injected exception, a pending NMI, KVM_INTERRUPT's vector as
 * interrupt.injected), and the negatives: unknown flags, the payload and
 * triple-fault flags without their capabilities, exception vectors above
 * 31 or NMI's, a NULL pointer. Where nvmx refuses what it cannot do (SMM,
 * two events in flight, a soft interrupt without its length) and KVM
 * accepts, the check runs on nvmx only; so does an error code for a vector
 * that has none (KVM lets the VM entry fail). Same binary on both devices.
 */
#define _GNU_SOURCE	/* program_invocation_name */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

#define VEC	0x50

static u32 ud_count, nmi_count, irq_count, last_vector;

static void ud_handler(struct ex_regs *regs)
{
	WRITE_ONCE(ud_count, READ_ONCE(ud_count) + 1);
}

static void nmi_handler(struct ex_regs *regs)
{
	WRITE_ONCE(nmi_count, READ_ONCE(nmi_count) + 1);
}

static void irq_handler(struct ex_regs *regs)
{
	WRITE_ONCE(irq_count, READ_ONCE(irq_count) + 1);
	WRITE_ONCE(last_vector, regs->vector);
}

static void guest_code(void)
{
	GUEST_SYNC(1);
	/* An #UD injected by KVM_SET_VCPU_EVENTS. */
	GUEST_ASSERT_2(READ_ONCE(ud_count) == 1,
		       READ_ONCE(ud_count), 0);
	GUEST_SYNC(2);
	/* A pending NMI set by KVM_SET_VCPU_EVENTS. */
	GUEST_ASSERT_2(READ_ONCE(nmi_count) == 1,
		       READ_ONCE(nmi_count), 0);
	asm volatile("sti" : : : "memory");
	GUEST_SYNC(3);
	asm volatile("cli" : : : "memory");
	/* interrupt.injected without an in-kernel irqchip. */
	GUEST_ASSERT_2(READ_ONCE(irq_count) == 1 && READ_ONCE(last_vector) == VEC,
		       READ_ONCE(irq_count), READ_ONCE(last_vector));
	GUEST_DONE();
}

static int set_events(struct kvm_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	return ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, ev) ? errno : 0;
}

static void get_events(struct kvm_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	memset(ev, 0xa5, sizeof(*ev));
	TEST_ASSERT(!ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, ev),
		    "KVM_GET_VCPU_EVENTS: %s", strerror(errno));
}

static void expect_set(struct kvm_vcpu *vcpu, struct kvm_vcpu_events *ev,
		       int want, const char *what)
{
	int r = set_events(vcpu, ev);

	TEST_ASSERT(r == want, "%s: errno %d (%s), want %d", what, r,
		    strerror(r), want);
}

static const u32 base_flags = KVM_VCPUEVENT_VALID_NMI_PENDING |
			      KVM_VCPUEVENT_VALID_SHADOW |
			      KVM_VCPUEVENT_VALID_SMM;

static void test_fresh(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_events ev, zero;
	unsigned int i;

	get_events(vcpu, &ev);
	TEST_ASSERT(ev.flags == base_flags, "flags %#x, want %#x", ev.flags,
		    base_flags);
	memset(&zero, 0, sizeof(zero));
	zero.flags = base_flags;
	for (i = 0; i < sizeof(ev); i++)
		TEST_ASSERT(((u8 *)&ev)[i] == ((u8 *)&zero)[i],
			    "fresh vCPU: byte %u is %#x, want %#x", i,
			    ((u8 *)&ev)[i], ((u8 *)&zero)[i]);
}

static void test_round_trips(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_events ev;

	/* An exception with its error code. */
	memset(&ev, 0, sizeof(ev));
	ev.exception.injected = 1;
	ev.exception.nr = 13;
	ev.exception.has_error_code = 1;
	ev.exception.error_code = 0x18;
	expect_set(vcpu, &ev, 0, "#GP(0x18)");
	get_events(vcpu, &ev);
	TEST_ASSERT(ev.exception.injected && ev.exception.nr == 13 &&
		    ev.exception.has_error_code && ev.exception.error_code == 0x18 &&
		    !ev.exception.pending && !ev.nmi.injected && !ev.interrupt.injected,
		    "#GP(0x18) read back: inj %u nr %u has %u code %#x",
		    ev.exception.injected, ev.exception.nr,
		    ev.exception.has_error_code, ev.exception.error_code);

	/* NMI pending and masked, STI shadow. */
	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	ev.nmi.pending = 1;
	ev.nmi.masked = 1;
	ev.interrupt.shadow = KVM_X86_SHADOW_INT_STI;
	expect_set(vcpu, &ev, 0, "NMI pending, masked, STI shadow");
	get_events(vcpu, &ev);
	TEST_ASSERT(!ev.exception.injected && ev.nmi.pending && ev.nmi.masked &&
		    !ev.nmi.injected && ev.interrupt.shadow == KVM_X86_SHADOW_INT_STI,
		    "read back: exc %u nmi pending %u masked %u shadow %u",
		    ev.exception.injected, ev.nmi.pending, ev.nmi.masked,
		    ev.interrupt.shadow);

	/* Both shadows: MOV SS is kept. Without VALID_NMI_PENDING, kept. */
	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_SHADOW;
	ev.interrupt.shadow = KVM_X86_SHADOW_INT_STI | KVM_X86_SHADOW_INT_MOV_SS;
	expect_set(vcpu, &ev, 0, "both shadows");
	get_events(vcpu, &ev);
	TEST_ASSERT(ev.interrupt.shadow == KVM_X86_SHADOW_INT_MOV_SS &&
		    ev.nmi.pending && !ev.nmi.masked,
		    "both shadows read back: shadow %u nmi pending %u masked %u",
		    ev.interrupt.shadow, ev.nmi.pending, ev.nmi.masked);

	/* An NMI in flight; padding and the reserved bytes are ignored. */
	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	ev.nmi.injected = 1;
	ev.nmi.pad = 0xff;
	memset(ev.reserved, 0xff, sizeof(ev.reserved));
	expect_set(vcpu, &ev, 0, "NMI injected, padding set");
	get_events(vcpu, &ev);
	TEST_ASSERT(ev.nmi.injected && !ev.nmi.pending && !ev.nmi.pad &&
		    !ev.interrupt.shadow && !ev.reserved[0] && !ev.reserved[25],
		    "NMI injected read back: inj %u pending %u pad %u shadow %u",
		    ev.nmi.injected, ev.nmi.pending, ev.nmi.pad, ev.interrupt.shadow);

	/* Without an in-kernel irqchip: KVM_INTERRUPT's vector. */
	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	ev.interrupt.injected = 1;
	ev.interrupt.nr = VEC;
	expect_set(vcpu, &ev, 0, "interrupt injected");
	get_events(vcpu, &ev);
	TEST_ASSERT(ev.interrupt.injected && ev.interrupt.nr == VEC &&
		    !ev.interrupt.soft && !ev.nmi.injected && !ev.exception.injected,
		    "interrupt read back: inj %u nr %#x", ev.interrupt.injected,
		    ev.interrupt.nr);

	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING | KVM_VCPUEVENT_VALID_SHADOW;
	expect_set(vcpu, &ev, 0, "clear all");
	test_fresh(vcpu);
}

static void test_negatives(struct kvm_vcpu *vcpu)
{
	static const u32 bad_flags[] = {
		KVM_VCPUEVENT_VALID_PAYLOAD, KVM_VCPUEVENT_VALID_TRIPLE_FAULT,
		0x40, 0x80000000,
	};
	static const u8 bad_vectors[] = { 2, 32, 0x80, 255 };
	struct kvm_vcpu_events ev;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad_flags); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.flags = bad_flags[i];
		expect_set(vcpu, &ev, EINVAL, "bad flags");
	}
	for (i = 0; i < ARRAY_SIZE(bad_vectors); i++) {
		memset(&ev, 0, sizeof(ev));
		ev.exception.injected = 1;
		ev.exception.nr = bad_vectors[i];
		expect_set(vcpu, &ev, EINVAL, "bad exception vector");
	}
	TEST_ASSERT(ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, NULL) == -1 &&
		    errno == EFAULT, "SET NULL: errno %d", errno);
	TEST_ASSERT(ioctl(vcpu->fd, KVM_GET_VCPU_EVENTS, NULL) == -1 &&
		    errno == EFAULT, "GET NULL: errno %d", errno);
	/* A refused set changed nothing. */
	test_fresh(vcpu);

	if (!on_nvmx())
		return;
	/* nvmx has no SMM, one event slot, no soft-interrupt length. */
	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_SMM;
	ev.smi.smm = 1;
	expect_set(vcpu, &ev, EINVAL, "SMM");
	ev.smi.smm = 0;
	ev.smi.pending = 1;
	expect_set(vcpu, &ev, EINVAL, "SMI pending");
	ev.smi.pending = 0;
	ev.smi.latched_init = 1;
	expect_set(vcpu, &ev, EINVAL, "latched INIT");
	memset(&ev, 0, sizeof(ev));
	ev.exception.injected = 1;
	ev.exception.nr = 6;
	ev.nmi.injected = 1;
	expect_set(vcpu, &ev, EINVAL, "exception and NMI in flight");
	memset(&ev, 0, sizeof(ev));
	ev.exception.injected = 1;
	ev.exception.nr = 6;
	ev.exception.has_error_code = 1;
	expect_set(vcpu, &ev, EINVAL, "#UD with an error code");
	memset(&ev, 0, sizeof(ev));
	ev.interrupt.injected = 1;
	ev.interrupt.soft = 1;
	ev.interrupt.nr = 0x80;
	expect_set(vcpu, &ev, EINVAL, "soft interrupt");
	test_fresh(vcpu);
}

/* KVM_CAP_X86_TRIPLE_FAULT_EVENT: the flag, then a pending triple fault. */
static void test_triple_fault(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_X86_TRIPLE_FAULT_EVENT, .flags = 1, .args = { 1 },
	};
	struct kvm_vcpu_events ev;

	TEST_ASSERT(ioctl(vm->fd, KVM_ENABLE_CAP, &cap) == -1 && errno == EINVAL,
		    "ENABLE_CAP with flags 1: errno %d", errno);
	vm_enable_cap(vm, KVM_CAP_X86_TRIPLE_FAULT_EVENT, 1);
	get_events(vcpu, &ev);
	TEST_ASSERT(ev.flags == (base_flags | KVM_VCPUEVENT_VALID_TRIPLE_FAULT) &&
		    !ev.triple_fault.pending, "enabled: flags %#x pending %u",
		    ev.flags, ev.triple_fault.pending);
	ev.triple_fault.pending = 1;
	expect_set(vcpu, &ev, 0, "triple fault pending");
	get_events(vcpu, &ev);
	TEST_ASSERT(ev.triple_fault.pending, "triple fault not pending");
	/* A pending triple fault is a shutdown at the next KVM_RUN. */
	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_SHUTDOWN,
		    "triple fault: exit %u, want SHUTDOWN", vcpu->run->exit_reason);
	get_events(vcpu, &ev);
	TEST_ASSERT(!ev.triple_fault.pending, "triple fault still pending");
	/* Turned off again: the flag is refused. */
	vm_enable_cap(vm, KVM_CAP_X86_TRIPLE_FAULT_EVENT, 0);
	ev.flags = KVM_VCPUEVENT_VALID_TRIPLE_FAULT;
	expect_set(vcpu, &ev, EINVAL, "triple-fault flag, cap off");
}

/* Events set from userspace reach the guest's handlers. */
static void test_delivery(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu_events ev;

	run_to(vcpu, 1);
	memset(&ev, 0, sizeof(ev));
	ev.exception.injected = 1;
	ev.exception.nr = 6;
	expect_set(vcpu, &ev, 0, "#UD");
	run_to(vcpu, 2);
	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_NMI_PENDING;
	ev.nmi.pending = 1;
	expect_set(vcpu, &ev, 0, "NMI pending");
	run_to(vcpu, 3);
	TEST_ASSERT(vcpu->run->ready_for_interrupt_injection,
		    "stage 3: not ready for an interrupt");
	memset(&ev, 0, sizeof(ev));
	ev.interrupt.injected = 1;
	ev.interrupt.nr = VEC;
	expect_set(vcpu, &ev, 0, "interrupt");
	run_to(vcpu, RUN_TO_DONE);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	TEST_REQUIRE(kvm_has_cap(KVM_CAP_VCPU_EVENTS));

	/* As __vm_create(), without KVM_CREATE_IRQCHIP. */
	vm = ____vm_create(VM_MODE_DEFAULT, 2048);
	kvm_vm_elf_load(vm, program_invocation_name);
	vcpu = vm_vcpu_add(vm, 0, guest_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_exception_handler(vm, 6, ud_handler);
	vm_install_exception_handler(vm, 2, nmi_handler);
	vm_install_exception_handler(vm, VEC, irq_handler);

	test_fresh(vcpu);
	test_round_trips(vcpu);
	test_negatives(vcpu);
	test_delivery(vcpu);
	kvm_vm_free(vm);

	/* With the in-kernel irqchip the same fresh state. */
	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	test_fresh(vcpu);
	if (kvm_has_cap(KVM_CAP_X86_TRIPLE_FAULT_EVENT))
		test_triple_fault(vm, vcpu);
	kvm_vm_free(vm);
	pr_info("vcpu_events_test: ok\n");
	return 0;
}
