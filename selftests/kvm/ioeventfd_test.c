// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_IOEVENTFD: guest port and MMIO writes that match a registration
 * signal its eventfd and do not exit; writes that do not match (other
 * width, other value, deassigned) and every read exit to userspace as
 * before; the guest goes on after the instruction either way. Then the
 * ioctl's input checks: bad flags, widths and ranges, a bad fd, collisions
 * (EEXIST) and deassigning what is not there (ENOENT).
 */
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "nvmx_kvm.h"
#include "processor.h"
#include "test_util.h"

/* Ports and an MMIO page that no device of kvm_intel's or nvmx's uses. */
#define PORT_ANY	0xe0	/* 1 byte, any value */
#define PORT_MATCH	0xe4	/* 4 bytes, PORT_MATCH_VAL only */
#define PORT_MATCH_VAL	0x12345678u
#define MMIO_GPA	0xc0000000ull
#define MMIO_W4		(MMIO_GPA + 0x0)	/* 4 bytes, any value */
#define MMIO_ANYLEN	(MMIO_GPA + 0x10)	/* any width (len 0) */
#define MMIO_Q_MATCH	(MMIO_GPA + 0x20)	/* 8 bytes, MMIO_Q_VAL only */
#define MMIO_Q_VAL	0x1122334455667788ull
#define MMIO_READ_VAL	0xabcd1234u

static inline void outb_(u16 port, u8 v)
{
	__asm__ __volatile__("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outw_(u16 port, u16 v)
{
	__asm__ __volatile__("outw %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl_(u16 port, u32 v)
{
	__asm__ __volatile__("outl %0, %1" : : "a"(v), "Nd"(port));
}

/*
 * MMIO through a register, in MOV forms every decoder has (a constant
 * address would let the compiler pick the moffs forms).
 */
static inline void mmio_store8(u64 gpa, u8 v)
{
	__asm__ __volatile__("movb %1, (%0)" : : "r"(gpa), "q"(v) : "memory");
}

static inline void mmio_store32(u64 gpa, u32 v)
{
	__asm__ __volatile__("movl %1, (%0)" : : "r"(gpa), "r"(v) : "memory");
}

static inline void mmio_store64(u64 gpa, u64 v)
{
	__asm__ __volatile__("movq %1, (%0)" : : "r"(gpa), "r"(v) : "memory");
}

static inline u32 mmio_load32(u64 gpa)
{
	u32 v;

	__asm__ __volatile__("movl (%1), %0" : "=r"(v) : "r"(gpa) : "memory");
	return v;
}

static void guest_code(void)
{
	u32 v;

	/* Stage 1: ports. Three signals, one match, two exits. */
	outb_(PORT_ANY, 0x11);
	outb_(PORT_ANY, 0x12);
	outb_(PORT_ANY, 0x13);
	outl_(PORT_MATCH, PORT_MATCH_VAL);
	outl_(PORT_MATCH, 1);			/* other value: exit */
	outw_(PORT_ANY, 0x2222);		/* other width: exit */
	GUEST_SYNC(1);

	/* Stage 2: MMIO, the same. */
	mmio_store32(MMIO_W4, 1);
	mmio_store32(MMIO_W4, 2);
	mmio_store8(MMIO_ANYLEN, 3);
	mmio_store32(MMIO_ANYLEN, 4);
	mmio_store64(MMIO_Q_MATCH, MMIO_Q_VAL);
	mmio_store64(MMIO_Q_MATCH, 0x99);	/* other value: exit */
	/* A read of a registered address still exits. */
	v = mmio_load32(MMIO_W4);
	GUEST_ASSERT_1(v == MMIO_READ_VAL, v);
	GUEST_SYNC(2);

	/* Stage 3: the host deassigned PORT_ANY: it exits again. */
	outb_(PORT_ANY, 0x33);
	GUEST_DONE();
}

static int efd_new(void)
{
	int fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);

	TEST_ASSERT(fd >= 0, "eventfd: %s", strerror(errno));
	return fd;
}

/* The eventfd's count since the last call (0 when never signalled). */
static u64 efd_take(int fd)
{
	u64 n = 0;

	if (read(fd, &n, sizeof(n)) != sizeof(n)) {
		TEST_ASSERT(errno == EAGAIN, "eventfd read: %s", strerror(errno));
		return 0;
	}
	return n;
}

static int ioeventfd(struct kvm_vm *vm, u64 addr, u32 len, int fd, u32 flags,
		     u64 datamatch)
{
	struct kvm_ioeventfd a = {
		.datamatch = datamatch, .addr = addr, .len = len, .fd = fd,
		.flags = flags,
	};

	return ioctl(vm->fd, KVM_IOEVENTFD, &a) ? errno : 0;
}

#define PIO		KVM_IOEVENTFD_FLAG_PIO
#define DATAMATCH	KVM_IOEVENTFD_FLAG_DATAMATCH
#define DEASSIGN	KVM_IOEVENTFD_FLAG_DEASSIGN

static void assign_ok(struct kvm_vm *vm, u64 addr, u32 len, int fd, u32 flags,
		      u64 datamatch)
{
	int r = ioeventfd(vm, addr, len, fd, flags, datamatch);

	TEST_ASSERT(!r, "KVM_IOEVENTFD addr 0x%lx len %u flags 0x%x: %s",
		    addr, len, flags, strerror(r));
}

/* One exit that is not a ucall, as the guest must cause it. */
static void expect_io_out(struct kvm_vcpu *vcpu, u16 port, u8 size, u32 val)
{
	struct kvm_run *run = vcpu->run;
	u32 got = 0;

	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_IO && run->io.port == port &&
		    run->io.direction == KVM_EXIT_IO_OUT && run->io.size == size &&
		    run->io.count == 1,
		    "exit %u (%s) port 0x%x dir %u size %u, want OUT 0x%x size %u",
		    run->exit_reason, exit_reason_str(run->exit_reason),
		    run->io.port, run->io.direction, run->io.size, port, size);
	memcpy(&got, (u8 *)run + run->io.data_offset, size);
	TEST_ASSERT(got == val, "OUT 0x%x data 0x%x, want 0x%x", port, got, val);
}

static void expect_mmio(struct kvm_vcpu *vcpu, u64 gpa, u32 len, bool write,
			u64 val)
{
	struct kvm_run *run = vcpu->run;
	u64 got = 0;

	vcpu_run(vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_MMIO &&
		    run->mmio.phys_addr == gpa && run->mmio.len == len &&
		    run->mmio.is_write == write,
		    "exit %u (%s) gpa 0x%llx len %u write %u, want 0x%lx %u %u",
		    run->exit_reason, exit_reason_str(run->exit_reason),
		    run->mmio.phys_addr, run->mmio.len, run->mmio.is_write,
		    gpa, len, write);
	if (write) {
		memcpy(&got, run->mmio.data, len);
		TEST_ASSERT(got == val, "MMIO write 0x%lx, want 0x%lx", got, val);
	} else {
		memcpy(run->mmio.data, &val, len);
	}
}

static void expect_count(int fd, const char *what, u64 want)
{
	u64 n = efd_take(fd);

	TEST_ASSERT(n == want, "%s: eventfd count %lu, want %lu", what, n, want);
}

static void test_signal(void)
{
	int e_any, e_match, e_w4, e_anylen, e_q;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	virt_map(vm, MMIO_GPA, MMIO_GPA, 1);
	e_any = efd_new();
	e_match = efd_new();
	e_w4 = efd_new();
	e_anylen = efd_new();
	e_q = efd_new();
	assign_ok(vm, PORT_ANY, 1, e_any, PIO, 0);
	assign_ok(vm, PORT_MATCH, 4, e_match, PIO | DATAMATCH, PORT_MATCH_VAL);
	assign_ok(vm, MMIO_W4, 4, e_w4, 0, 0);
	assign_ok(vm, MMIO_ANYLEN, 0, e_anylen, 0, 0);
	assign_ok(vm, MMIO_Q_MATCH, 8, e_q, DATAMATCH, MMIO_Q_VAL);

	expect_io_out(vcpu, PORT_MATCH, 4, 1);
	expect_io_out(vcpu, PORT_ANY, 2, 0x2222);
	run_to(vcpu, 1);
	expect_count(e_any, "port any value", 3);
	expect_count(e_match, "port datamatch", 1);

	expect_mmio(vcpu, MMIO_Q_MATCH, 8, true, 0x99);
	expect_mmio(vcpu, MMIO_W4, 4, false, MMIO_READ_VAL);
	run_to(vcpu, 2);
	expect_count(e_w4, "mmio 4 bytes", 2);
	expect_count(e_anylen, "mmio any width", 2);
	expect_count(e_q, "mmio 8 bytes datamatch", 1);

	TEST_ASSERT(!ioeventfd(vm, PORT_ANY, 1, e_any, PIO | DEASSIGN, 0),
		    "deassign port");
	expect_io_out(vcpu, PORT_ANY, 1, 0x33);
	run_to(vcpu, RUN_TO_DONE);
	expect_count(e_any, "deassigned port", 0);

	/* The VM goes with its registrations: its eventfds are released. */
	kvm_vm_free(vm);
	close(e_any);
	close(e_match);
	close(e_w4);
	close(e_anylen);
	close(e_q);
}

static void expect_err(struct kvm_vm *vm, u64 addr, u32 len, int fd, u32 flags,
		       u64 datamatch, int want, const char *what)
{
	int r = ioeventfd(vm, addr, len, fd, flags, datamatch);

	TEST_ASSERT(r == want, "%s: KVM_IOEVENTFD gave %d (%s), want %d (%s)",
		    what, r, strerror(r), want, strerror(want));
}

static void test_errors(void)
{
	struct kvm_vm *vm = vm_create_barebones();
	int e1 = efd_new(), e2 = efd_new();
	int notefd = open("/dev/null", O_RDONLY);

	TEST_ASSERT(notefd >= 0, "open /dev/null: %s", strerror(errno));
	expect_err(vm, PORT_ANY, 1, e1, 1u << 5, 0, EINVAL, "unknown flag");
	expect_err(vm, PORT_ANY, 3, e1, PIO, 0, EINVAL, "length 3");
	expect_err(vm, PORT_ANY, 16, e1, PIO, 0, EINVAL, "length 16");
	expect_err(vm, ~0ull - 1, 4, e1, 0, 0, EINVAL, "range wraps");
	expect_err(vm, MMIO_GPA, 0, e1, DATAMATCH, 0, EINVAL,
		   "any width with a value");
	expect_err(vm, PORT_ANY, 1, -1, PIO, 0, EBADF, "fd -1");
	expect_err(vm, PORT_ANY, 1, notefd, PIO, 0, EINVAL, "not an eventfd");
	expect_err(vm, PORT_ANY, 1, e1, PIO | DEASSIGN, 0, ENOENT,
		   "deassign before assign");

	/* Collisions: same bus and address, widths and values as KVM. */
	assign_ok(vm, PORT_ANY, 1, e1, PIO, 0);
	expect_err(vm, PORT_ANY, 1, e2, PIO, 0, EEXIST, "same port and width");
	expect_err(vm, PORT_ANY, 1, e2, PIO | DATAMATCH, 5, EEXIST,
		   "a value where any value is taken");
	expect_err(vm, PORT_ANY, 0, e2, PIO, 0, EEXIST, "any width over width 1");
	assign_ok(vm, PORT_ANY, 2, e2, PIO, 0);		/* another width */
	assign_ok(vm, PORT_ANY, 1, e2, 0, 0);		/* the MMIO bus */
	assign_ok(vm, PORT_MATCH, 4, e1, PIO | DATAMATCH, 1);
	assign_ok(vm, PORT_MATCH, 4, e2, PIO | DATAMATCH, 2);
	expect_err(vm, PORT_MATCH, 4, e2, PIO | DATAMATCH, 1, EEXIST,
		   "same value twice");
	expect_err(vm, PORT_MATCH, 4, e2, PIO, 0, EEXIST,
		   "any value where values are taken");

	/* Deassign needs the same fd, width and value. */
	expect_err(vm, PORT_ANY, 1, e2, PIO | DEASSIGN, 0, ENOENT, "other fd");
	expect_err(vm, PORT_ANY, 2, e1, PIO | DEASSIGN, 0, ENOENT, "other width");
	expect_err(vm, PORT_MATCH, 4, e1, PIO | DATAMATCH | DEASSIGN, 2, ENOENT,
		   "other value");
	expect_err(vm, PORT_MATCH, 4, e1, PIO | DEASSIGN, 0, ENOENT,
		   "without the value");
	expect_err(vm, PORT_ANY, 1, -1, PIO | DEASSIGN, 0, EBADF,
		   "deassign fd -1");
	expect_err(vm, PORT_ANY, 1, e1, PIO | DEASSIGN, 0, 0, "deassign");
	expect_err(vm, PORT_ANY, 1, e1, PIO | DEASSIGN, 0, ENOENT, "deassign twice");
	expect_err(vm, PORT_MATCH, 4, e1, PIO | DATAMATCH | DEASSIGN, 1, 0,
		   "deassign a value");
	/* Freed with e2's registrations still there. */
	kvm_vm_free(vm);
	close(e1);
	close(e2);
	close(notefd);
}

int main(void)
{
	setbuf(stdout, NULL);
	TEST_ASSERT(kvm_check_cap(KVM_CAP_IOEVENTFD) == 1, "KVM_CAP_IOEVENTFD");
	TEST_ASSERT(kvm_check_cap(KVM_CAP_IOEVENTFD_ANY_LENGTH) == 1,
		    "KVM_CAP_IOEVENTFD_ANY_LENGTH");
	ksft_print_header();
	ksft_set_plan(2);
	test_signal();
	ksft_test_result_pass("signal\n");
	test_errors();
	ksft_test_result_pass("errors\n");
	ksft_finished();
}
