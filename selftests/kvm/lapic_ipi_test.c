// SPDX-License-Identifier: GPL-2.0
/*
 * IPIs between two vCPUs (threads) through the in-kernel x2APICs:
 *  - ping-pong: vCPU 0 sends fixed IPIs to APIC ID 1, whose handler
 *    answers each; exactly ROUNDS each way, vCPU 1 halted in between
 *    (HLT sleeps in the kernel until the IPI wakes it);
 *  - all-but-self shorthand, a logical (cluster) destination and an NMI
 *    to vCPU 1: each exactly once;
 *  - INIT and SIPI: vCPU 0 brings up a third vCPU left UNINITIALIZED
 *    (its first KVM_RUN waits for INIT and returns EAGAIN, as KVM's),
 *    which starts in real mode at SIPI vector << 8 : 0;
 *  - negative: a fixed IPI to an APIC ID no vCPU has arrives nowhere,
 *    KVM_SET_MP_STATE of INIT_RECEIVED without an irqchip is EINVAL.
 * Needs a 2-CPU host only for speed. The same binary runs on kvm_intel
 * and on nvmx.
 */
#define _GNU_SOURCE	/* program_invocation_name */
#include <pthread.h>
#include <stdint.h>

#include "apic.h"
#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

#define PING		0x60
#define PONG		0x61
#define BCAST		0x62
#define ROUNDS		100
#define SIPI_VEC	0x10	/* the AP starts at 0x10000 */
#define AP_PORT		0x99

/* Shared by both vCPUs and their handlers: READ_ONCE/WRITE_ONCE. */
static u32 pings, pongs, bcasts, nmis, ready, done;

static void ping_handler(struct ex_regs *regs)
{
	WRITE_ONCE(pings, pings + 1);
	x2apic_write_reg(APIC_EOI, 0);
	/* Answer to APIC ID 0. */
	x2apic_write_reg(APIC_ICR, APIC_INT_ASSERT | APIC_DM_FIXED | PONG);
}

static void pong_handler(struct ex_regs *regs)
{
	WRITE_ONCE(pongs, pongs + 1);
	x2apic_write_reg(APIC_EOI, 0);
}

static void bcast_handler(struct ex_regs *regs)
{
	WRITE_ONCE(bcasts, bcasts + 1);
	x2apic_write_reg(APIC_EOI, 0);
}

static void nmi_handler(struct ex_regs *regs)
{
	WRITE_ONCE(nmis, nmis + 1);
}

static void wait_until(u32 *p, u32 v)
{
	u64 t0 = rdtsc();

	while (READ_ONCE(*p) < v)
		GUEST_ASSERT(rdtsc() - t0 < (1ull << 40));
}

static void send(u32 dest, u32 icr)
{
	x2apic_write_reg(APIC_ICR, ((u64)dest << 32) | APIC_INT_ASSERT | icr);
}

static void bsp_code(void)
{
	u32 i;

	x2apic_enable();
	asm volatile("sti");
	wait_until(&ready, 1);
	for (i = 0; i < ROUNDS; i++) {
		send(1, APIC_DM_FIXED | PING);
		wait_until(&pongs, i + 1);
	}
	/* Nobody has APIC ID 5. */
	send(5, APIC_DM_FIXED | PING);
	send(0, APIC_DEST_ALLBUT | APIC_DM_FIXED | BCAST);
	wait_until(&bcasts, 1);
	/* x2APIC logical: cluster 0, bit 1 is APIC ID 1. */
	send(0x2, APIC_DEST_LOGICAL | APIC_DM_FIXED | BCAST);
	wait_until(&bcasts, 2);
	send(1, APIC_DM_NMI);
	wait_until(&nmis, 1);
	GUEST_ASSERT_EQ(READ_ONCE(pings), ROUNDS);
	GUEST_ASSERT_EQ(READ_ONCE(pongs), ROUNDS);
	WRITE_ONCE(done, 1);
	send(1, APIC_DM_FIXED | BCAST);
	GUEST_SYNC(1);

	/* INIT (assert, then de-assert as Linux sends it) and SIPI to ID 2. */
	send(2, APIC_DM_INIT | APIC_INT_LEVELTRIG);
	x2apic_write_reg(APIC_ICR, (2ull << 32) | APIC_DM_INIT |
			 APIC_INT_LEVELTRIG);
	send(2, APIC_DM_STARTUP | SIPI_VEC);
	GUEST_DONE();
}

static void ap_code(void)
{
	x2apic_enable();
	WRITE_ONCE(ready, 1);
	while (!READ_ONCE(done))
		asm volatile("sti; hlt; cli");
	asm volatile("sti");
	wait_until(&bcasts, 3);
	GUEST_DONE();
}

static void *run_ap(void *arg)
{
	struct kvm_vcpu *vcpu = arg;

	run_to(vcpu, RUN_TO_DONE);
	return NULL;
}

static void *run_sipi_ap(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	struct kvm_sregs sregs;
	struct kvm_regs regs;

	int r;

	/*
	 * As on KVM, KVM_RUN of a vCPU never started blocks until an event
	 * (INIT here) and then returns EAGAIN; run again, it waits for SIPI.
	 */
	r = __vcpu_run(vcpu);
	TEST_ASSERT(r == -1 && errno == EAGAIN, "first KVM_RUN: %d errno %d",
		    r, errno);
	vcpu_run(vcpu);
	TEST_ASSERT(vcpu->run->exit_reason == KVM_EXIT_IO &&
		    vcpu->run->io.port == AP_PORT,
		    "AP exit %u port %#x", vcpu->run->exit_reason,
		    vcpu->run->io.port);
	vcpu_sregs_get(vcpu, &sregs);
	vcpu_regs_get(vcpu, &regs);
	ASSERT_EQ(sregs.cs.selector, SIPI_VEC << 8);
	ASSERT_EQ(sregs.cs.base, SIPI_VEC << 12);
	/*
	 * "mov $0x42, %al; out %al, $0x99" ran (the only code at 0x10000).
	 * RIP is not compared: kvm_intel steps past an OUT before its exit,
	 * nvmx at the next KVM_RUN.
	 */
	ASSERT_EQ(regs.rax & 0xff, 0x42);
	return NULL;
}

static u32 guest_u32(struct kvm_vm *vm, u32 *p)
{
	return *(u32 *)addr_gva2hva(vm, (vm_vaddr_t)p);
}

static void test_no_irqchip_mp_state(void)
{
	struct kvm_vm *vm = vm_create_barebones();
	struct kvm_vcpu *vcpu = __vm_vcpu_add(vm, 0);
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_INIT_RECEIVED };

	TEST_ASSERT(__vcpu_ioctl(vcpu, KVM_SET_MP_STATE, &mp) == -1 &&
		    errno == EINVAL, "INIT_RECEIVED without irqchip: %d", errno);
	mp.mp_state = KVM_MP_STATE_RUNNABLE;
	vcpu_ioctl(vcpu, KVM_SET_MP_STATE, &mp);
	kvm_vm_free(vm);
}

int main(void)
{
	static const u8 tramp[] = { 0xb0, 0x42, 0xe6, AP_PORT, 0xf4, 0xeb, 0xfd };
	struct kvm_mp_state mp = { .mp_state = KVM_MP_STATE_UNINITIALIZED };
	struct kvm_vcpu *vcpu[3];
	pthread_t ap, sipi_ap;
	struct kvm_vm *vm;

	test_no_irqchip_mp_state();

	vm = vm_create_with_vcpus(2, bsp_code, vcpu);
	vcpu[2] = __vm_vcpu_add(vm, 2);
	vcpu_ioctl(vcpu[2], KVM_SET_MP_STATE, &mp);
	vcpu_ioctl(vcpu[2], KVM_GET_MP_STATE, &mp);
	ASSERT_EQ(mp.mp_state, KVM_MP_STATE_UNINITIALIZED);
	memcpy(addr_gpa2hva(vm, SIPI_VEC << 12), tramp, sizeof(tramp));
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu[0]);
	vcpu_init_descriptor_tables(vcpu[1]);
	vm_install_exception_handler(vm, PING, ping_handler);
	vm_install_exception_handler(vm, PONG, pong_handler);
	vm_install_exception_handler(vm, BCAST, bcast_handler);
	vm_install_exception_handler(vm, 2, nmi_handler);
	{
		struct kvm_regs r;

		vcpu_regs_get(vcpu[1], &r);
		r.rip = (u64)ap_code;
		vcpu_regs_set(vcpu[1], &r);
	}
	pthread_create(&ap, NULL, run_ap, vcpu[1]);
	pthread_create(&sipi_ap, NULL, run_sipi_ap, vcpu[2]);
	run_to(vcpu[0], 1);
	pthread_join(ap, NULL);
	ASSERT_EQ(guest_u32(vm, &pings), ROUNDS);
	ASSERT_EQ(guest_u32(vm, &bcasts), 3);
	ASSERT_EQ(guest_u32(vm, &nmis), 1);
	run_to(vcpu[0], RUN_TO_DONE);
	pthread_join(sipi_ap, NULL);
	kvm_vm_free(vm);
	ksft_print_msg("lapic_ipi_test: passed on %s\n",
		       on_nvmx() ? "nvmx" : "kvm");
	return 0;
}
