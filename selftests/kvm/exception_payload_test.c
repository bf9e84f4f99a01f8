// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_CAP_EXCEPTION_PAYLOAD (api.rst): a pending #PF or #DB set with
 * KVM_SET_VCPU_EVENTS carries what its delivery writes (CR2, DR6's new
 * bits), and that is written only when it is delivered. For L2, an
 * exception L1 intercepts is a VM exit whose qualification is the payload,
 * with CR2 left alone (SDM "Information for VM Exits Due to Vectored
 * Events"). The stages, each set from userspace at a GUEST_SYNC:
 * 1. L1: pending #PF: L1's handler sees CR2 = the payload, and the error
 *    code; before that, a KVM_RUN with immediate_exit leaves it pending,
 *    and KVM_GET_VCPU_EVENTS gives it back as set.
 * 2. L1: pending #DB: L1's handler sees B0 and BS in DR6.
 * 3. L2, L1 intercepts #PF: exit reason 0 with the #PF, its error code,
 *    the payload as qualification, and L1's CR2 unchanged.
 * 4. L2, L1 intercepts #DB: exit reason 0, the DR6 bits as qualification.
 * 5. L2, #PF not intercepted: L2's handler sees CR2 = the payload.
 * And the capability's flag: refused while it is off, reported while on.
 * Same binary on both devices.
 */
#define _GNU_SOURCE	/* program_invocation_name */
#include <errno.h>
#include <string.h>

#include "kselftest.h"

#include "nvmx_kvm.h"
#include "vmx_nested.h"

#define R_EXC		0
#define R_VMCALL	18
#define STACK_WORDS	512
#define PF_BIT		BIT(14)
#define DB_BIT		BIT(1)

#define PF1_ADDR	0xdead1000ul
#define PF1_ERR		0x2
#define PF3_ADDR	0xbeef3000ul
#define PF3_ERR		0x4
#define PF5_ADDR	0xcafe5000ul
#define PF5_ERR		0x6
#define L1_CR2		0x1111000ul
/* DR6 bits a #DB adds: B0 and BS; B1 and BS. */
#define DB2_BITS	0x4001ul
#define DB4_BITS	0x4002ul

static unsigned long l2_stack[STACK_WORDS];

/* 6.1's processor.h has no CR2 accessors. */
static inline u64 read_cr2(void)
{
	u64 v;

	asm volatile("mov %%cr2, %0" : "=r"(v));
	return v;
}

static inline void write_cr2(u64 v)
{
	asm volatile("mov %0, %%cr2" : : "r"(v));
}

static u64 pf_count, pf_cr2, pf_err, db_count, db_dr6;

static void pf_handler(struct ex_regs *regs)
{
	WRITE_ONCE(pf_cr2, read_cr2());
	WRITE_ONCE(pf_err, regs->error_code);
	WRITE_ONCE(pf_count, READ_ONCE(pf_count) + 1);
}

static void db_handler(struct ex_regs *regs)
{
	u64 dr6;

	asm volatile("mov %%dr6, %0" : "=r"(dr6));
	WRITE_ONCE(db_dr6, dr6);
	WRITE_ONCE(db_count, READ_ONCE(db_count) + 1);
}

static void l2_pf_intercepted(void)
{
	GUEST_SYNC(3);
	asm volatile("ud2");
}

static void l2_db_intercepted(void)
{
	GUEST_SYNC(4);
	asm volatile("ud2");
}

static void l2_pf_delivered(void)
{
	GUEST_SYNC(5);
	vmcall();
}

static void expect_exc_exit(u32 vector, bool has_error, u32 error, u64 qual)
{
	u32 info = INTR_VALID | INTR_TYPE_HW_EXC | vector |
		   (has_error ? INTR_HAS_ERROR : 0);

	GUEST_ASSERT_2(vmreadz(VM_EXIT_REASON) == R_EXC,
		       vmreadz(VM_EXIT_REASON), R_EXC);
	GUEST_ASSERT_2(vmreadz(VM_EXIT_INTR_INFO) == info,
		       vmreadz(VM_EXIT_INTR_INFO), info);
	if (has_error)
		GUEST_ASSERT_2(vmreadz(VM_EXIT_INTR_ERROR_CODE) == error,
			       vmreadz(VM_EXIT_INTR_ERROR_CODE), error);
	GUEST_ASSERT_2(vmreadz(EXIT_QUALIFICATION) == qual,
		       vmreadz(EXIT_QUALIFICATION), qual);
}

static void l1_code(struct vmx_pages *vmx)
{
	GUEST_SYNC(1);
	GUEST_ASSERT_1(READ_ONCE(pf_count) == 1, READ_ONCE(pf_count));
	GUEST_ASSERT_2(READ_ONCE(pf_cr2) == PF1_ADDR, READ_ONCE(pf_cr2),
		       PF1_ADDR);
	GUEST_ASSERT_2(READ_ONCE(pf_err) == PF1_ERR, READ_ONCE(pf_err),
		       PF1_ERR);

	GUEST_SYNC(2);
	GUEST_ASSERT_1(READ_ONCE(db_count) == 1, READ_ONCE(db_count));
	GUEST_ASSERT_2((READ_ONCE(db_dr6) & 0x600f) == DB2_BITS,
		       READ_ONCE(db_dr6), DB2_BITS);

	GUEST_ASSERT(prepare_for_vmx_operation(vmx));
	GUEST_ASSERT(load_vmcs(vmx));
	prepare_vmcs(vmx, l2_pf_intercepted, &l2_stack[STACK_WORDS - 1]);
	vmwrite(EXCEPTION_BITMAP, PF_BIT | DB_BIT);
	/* prepare_vmcs() makes #PF never match; every #PF is L1's now. */
	vmwrite(PAGE_FAULT_ERROR_CODE_MATCH, 0);
	write_cr2(L1_CR2);
	GUEST_ASSERT(!vmlaunch());
	expect_exc_exit(PF_VECTOR, true, PF3_ERR, PF3_ADDR);
	GUEST_ASSERT_2(read_cr2() == L1_CR2, read_cr2(), L1_CR2);

	vmwrite(GUEST_RIP, (u64)l2_db_intercepted);
	GUEST_ASSERT(!vmresume());
	expect_exc_exit(DB_VECTOR, false, 0, DB4_BITS);

	vmwrite(EXCEPTION_BITMAP, 0);
	vmwrite(GUEST_RIP, (u64)l2_pf_delivered);
	GUEST_ASSERT(!vmresume());
	GUEST_ASSERT_2(vmreadz(VM_EXIT_REASON) == R_VMCALL,
		       vmreadz(VM_EXIT_REASON), R_VMCALL);
	GUEST_ASSERT_1(READ_ONCE(pf_count) == 2, READ_ONCE(pf_count));
	GUEST_ASSERT_2(READ_ONCE(pf_cr2) == PF5_ADDR, READ_ONCE(pf_cr2),
		       PF5_ADDR);
	GUEST_ASSERT_2(READ_ONCE(pf_err) == PF5_ERR, READ_ONCE(pf_err),
		       PF5_ERR);
	GUEST_DONE();
}

static int set_events(struct kvm_vcpu *vcpu, struct kvm_vcpu_events *ev)
{
	return ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, ev) ? errno : 0;
}

/* A pending exception with a payload, the rest of the state as it is. */
static void set_pending(struct kvm_vcpu *vcpu, u8 vector, bool has_error,
			u32 error, u64 payload)
{
	struct kvm_vcpu_events ev;
	int r;

	vcpu_events_get(vcpu, &ev);
	TEST_ASSERT(ev.flags & KVM_VCPUEVENT_VALID_PAYLOAD,
		    "cap on: GET flags %#x lack VALID_PAYLOAD", ev.flags);
	TEST_ASSERT(!ev.exception.pending && !ev.exception.injected,
		    "an exception is in flight already: %u", ev.exception.nr);
	ev.flags = KVM_VCPUEVENT_VALID_PAYLOAD;
	ev.exception.pending = 1;
	ev.exception.nr = vector;
	ev.exception.has_error_code = has_error;
	ev.exception.error_code = error;
	ev.exception_has_payload = 1;
	ev.exception_payload = payload;
	r = set_events(vcpu, &ev);
	TEST_ASSERT(!r, "SET pending vector %u: %s", vector, strerror(r));
}

static void expect_pending(struct kvm_vcpu *vcpu, u8 vector, u32 error,
			   u64 payload)
{
	struct kvm_vcpu_events ev;

	vcpu_events_get(vcpu, &ev);
	TEST_ASSERT(ev.exception.pending && !ev.exception.injected &&
		    ev.exception.nr == vector && ev.exception.has_error_code &&
		    ev.exception.error_code == error &&
		    ev.exception_has_payload &&
		    ev.exception_payload == payload,
		    "GET: pending %u injected %u nr %u error %#x payload %u %#llx",
		    ev.exception.pending, ev.exception.injected,
		    ev.exception.nr, ev.exception.error_code,
		    ev.exception_has_payload,
		    (unsigned long long)ev.exception_payload);
}

/* Pending, then a KVM_RUN that returns at once: still pending. */
static void check_stays_pending(struct kvm_vcpu *vcpu, u8 vector, u32 error,
				u64 payload)
{
	expect_pending(vcpu, vector, error, payload);
	/* __vcpu_run(): _vcpu_run() would retry EINTR forever. */
	vcpu_run_complete_io(vcpu);
	expect_pending(vcpu, vector, error, payload);
}

static void test_flag(struct kvm_vm *vm, struct kvm_vcpu *vcpu)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_EXCEPTION_PAYLOAD, .flags = 1, .args = { 1 },
	};
	struct kvm_vcpu_events ev;

	TEST_ASSERT(ioctl(vm->fd, KVM_ENABLE_CAP, &cap) == -1 && errno == EINVAL,
		    "ENABLE_CAP with flags 1: errno %d", errno);
	vcpu_events_get(vcpu, &ev);
	TEST_ASSERT(!(ev.flags & KVM_VCPUEVENT_VALID_PAYLOAD),
		    "cap off: GET flags %#x", ev.flags);
	memset(&ev, 0, sizeof(ev));
	ev.flags = KVM_VCPUEVENT_VALID_PAYLOAD;
	TEST_ASSERT(set_events(vcpu, &ev) == EINVAL,
		    "cap off: VALID_PAYLOAD accepted");
	vm_enable_cap(vm, KVM_CAP_EXCEPTION_PAYLOAD, 1);
	ev.exception.pending = 1;
	ev.exception.nr = 32;
	TEST_ASSERT(set_events(vcpu, &ev) == EINVAL,
		    "pending vector 32 accepted");
	ev.exception.nr = 6;
	ev.exception.has_error_code = 1;
	if (on_nvmx())
		TEST_ASSERT(set_events(vcpu, &ev) == EINVAL,
			    "pending #UD with an error code accepted");
	/* Nothing was set: no exception in flight. */
	vcpu_events_get(vcpu, &ev);
	TEST_ASSERT(!ev.exception.pending && !ev.exception.injected,
		    "a refused SET left exception %u", ev.exception.nr);
}

int main(void)
{
	vm_vaddr_t vmx_gva;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	require_nested_vmx();
	TEST_REQUIRE(kvm_has_cap(KVM_CAP_EXCEPTION_PAYLOAD));
	vm = vm_create_with_one_vcpu(&vcpu, l1_code);
	vm_init_descriptor_tables(vm);
	vcpu_init_descriptor_tables(vcpu);
	vm_install_exception_handler(vm, PF_VECTOR, pf_handler);
	vm_install_exception_handler(vm, DB_VECTOR, db_handler);
	vcpu_alloc_vmx(vm, &vmx_gva);
	vcpu_args_set(vcpu, 1, vmx_gva);
	test_flag(vm, vcpu);

	run_to(vcpu, 1);
	set_pending(vcpu, PF_VECTOR, true, PF1_ERR, PF1_ADDR);
	check_stays_pending(vcpu, PF_VECTOR, PF1_ERR, PF1_ADDR);
	run_to(vcpu, 2);
	pr_info("stage 1 (L1 #PF): ok\n");
	set_pending(vcpu, DB_VECTOR, false, 0, DB2_BITS);
	run_to(vcpu, 3);
	pr_info("stage 2 (L1 #DB): ok\n");
	set_pending(vcpu, PF_VECTOR, true, PF3_ERR, PF3_ADDR);
	check_stays_pending(vcpu, PF_VECTOR, PF3_ERR, PF3_ADDR);
	run_to(vcpu, 4);
	pr_info("stage 3 (L2 #PF, intercepted): ok\n");
	set_pending(vcpu, DB_VECTOR, false, 0, DB4_BITS);
	run_to(vcpu, 5);
	pr_info("stage 4 (L2 #DB, intercepted): ok\n");
	set_pending(vcpu, PF_VECTOR, true, PF5_ERR, PF5_ADDR);
	run_to(vcpu, RUN_TO_DONE);
	pr_info("stage 5 (L2 #PF, delivered): ok\n");
	kvm_vm_free(vm);
	pr_info("exception_payload_test: ok\n");
	return 0;
}
