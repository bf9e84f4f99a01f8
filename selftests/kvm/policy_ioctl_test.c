// SPDX-License-Identifier: GPL-2.0
/*
 * NVMX_GET_POLICY / NVMX_SET_POLICY on a VM fd: a new VM has the default
 * table (Documentation/nested.md, "The policy table"), a valid table
 * round-trips, and every invalid one is refused with its errno and leaves
 * the VM's table as it was. On kvm_intel both are unknown VM ioctls.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <unistd.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"

#include "nvmx_kvm.h"

#define CR0_PE	BIT_ULL(0)
#define CR0_MP	BIT_ULL(1)
#define CR0_NE	BIT_ULL(5)
#define CR0_PG	BIT_ULL(31)
#define CR0_NW	BIT_ULL(29)
#define CR0_CD	BIT_ULL(30)
#define CR0_DEFINED	(0x3fULL | BIT_ULL(16) | BIT_ULL(18) | CR0_NW | CR0_CD | CR0_PG)
#define CR4_MCE		BIT_ULL(6)
#define CR4_PGE		BIT_ULL(7)
#define CR4_VMXE	BIT_ULL(13)
#define CR4_SMXE	BIT_ULL(14)
/* VME..OSXMMEXCPT, UMIP, LA57, VMXE, SMXE, FSGSBASE, PCIDE, OSXSAVE, SMEP..PKS */
#define CR4_DEFINED	(0x7fffULL | (0x7ULL << 16) | (0x1fULL << 20))

struct host {
	u64 fixed0[2], fixed1[2];
};

static struct host host_caps(void)
{
	struct nvmx_host_caps caps = { .size = sizeof(caps) };
	struct host h;
	int fd = open_kvm_dev_path_or_exit();

	TEST_ASSERT(!ioctl(fd, NVMX_GET_HOST_CAPS, &caps),
		    "NVMX_GET_HOST_CAPS: errno %d", errno);
	close(fd);
	h.fixed0[0] = caps.cr0_fixed0;
	h.fixed1[0] = caps.cr0_fixed1;
	h.fixed0[1] = caps.cr4_fixed0;
	h.fixed1[1] = caps.cr4_fixed1;
	return h;
}

/* Bits this host fixes; nvmx runs L1 with unrestricted guest (PE, PG free). */
static u64 fixed_bits(const struct host *h, int i)
{
	u64 def = i ? CR4_DEFINED : CR0_DEFINED;
	u64 f = (h->fixed0[i] | ~h->fixed1[i]) & def;

	return i ? f : f & ~(CR0_PE | CR0_PG);
}

static int get_policy(struct kvm_vm *vm, struct nvmx_policy *p)
{
	memset(p, 0, sizeof(*p));
	p->size = sizeof(*p);
	return ioctl(vm->fd, NVMX_GET_POLICY, p);
}

static int set_policy(struct kvm_vm *vm, void *p)
{
	return ioctl(vm->fd, NVMX_SET_POLICY, p);
}

static u64 bits_with(const u8 *rows, u8 pol)
{
	u64 b = 0;
	int i;

	for (i = 0; i < 32; i++)
		if (rows[i] == pol)
			b |= BIT_ULL(i);
	return b;
}

/* The default table, with this host's fixed bits shadowed. */
static bool check_default(const struct nvmx_policy *p, const struct host *h)
{
	u64 shadow0 = CR0_PE | CR0_NE | CR0_PG | CR0_NW | CR0_CD;
	u64 shadow4 = CR4_MCE | CR4_VMXE | CR4_SMXE;
	u64 extra4 = fixed_bits(h, 1) & ~shadow4;
	/* OSXSAVE: L0 must see it change (XCR0), unless the host fixes it. */
	u64 icpt4 = BIT_ULL(18) & ~extra4;
	bool ok = true;

#define WANT(cond) do {						\
		if (!(cond)) {						\
			ok = false;					\
			ksft_print_msg("default: %s is false\n", #cond); \
		}							\
	} while (0)
	WANT(p->size == NVMX_POLICY_SIZE_VER0);
	WANT(bits_with(p->cr0, NVMX_POLICY_SHADOWING) ==
	     (shadow0 | (fixed_bits(h, 0) & ~shadow0)));
	WANT(bits_with(p->cr0, NVMX_POLICY_THROUGH) ==
	     (CR0_DEFINED & ~shadow0 & ~fixed_bits(h, 0)));
	WANT(bits_with(p->cr0, NVMX_POLICY_NONE) == (~CR0_DEFINED & 0xffffffffULL));
	WANT(p->cr0_value == (CR0_PE | CR0_NE | CR0_PG));
	WANT(bits_with(p->cr4, NVMX_POLICY_SHADOWING) == (shadow4 | extra4));
	WANT(bits_with(p->cr4, NVMX_POLICY_INTERCEPT) == icpt4);
	WANT(bits_with(p->cr4, NVMX_POLICY_THROUGH) ==
	     (CR4_DEFINED & ~shadow4 & ~extra4 & ~icpt4));
	/* SMXE is the host's own: Linux sets it only under tboot. */
	WANT((p->cr4_value & ~CR4_SMXE) == (CR4_MCE | CR4_VMXE));
	WANT(!(p->cr4_value & CR4_SMXE) || (h->fixed1[1] & CR4_SMXE));
	WANT(p->cr2 == NVMX_POLICY_THROUGH);
	WANT(p->cr3 == NVMX_POLICY_THROUGH);
	WANT(p->tpr == NVMX_POLICY_SHADOWING && p->tpr_value == 0);
	WANT(p->vmcs_ptr == NVMX_POLICY_INTERCEPT);
	WANT(!p->flags);
#undef WANT
	return ok;
}

static bool same(const struct nvmx_policy *a, const struct nvmx_policy *b)
{
	return !memcmp(a, b, sizeof(*a));
}

/* A refused SET: its errno, and the VM's table unchanged. */
static void refused(struct kvm_vm *vm, const struct nvmx_policy *good,
		    void *bad, int want, const char *name)
{
	struct nvmx_policy now;
	int r = set_policy(vm, bad), err = errno;

	TEST_ASSERT(!get_policy(vm, &now), "GET after %s: errno %d", name, errno);
	ksft_test_result(r == -1 && err == want && same(&now, good),
			 "refuses_%s (r %d errno %d, want %d; table %s)\n", name,
			 r, r ? err : 0, want, same(&now, good) ? "kept" : "CHANGED");
}

/*
 * /sys/kernel/debug/nvmx/vm<N>/policy of the newest VM (the largest N):
 * whether it has a line starting with @row followed by @policy.
 */
static int debugfs_has_row(const char *row, const char *policy)
{
	char path[128], line[256], want_row[64], want_pol[32];
	struct dirent *d;
	int best = -1, n, found = 0;
	DIR *dir;
	FILE *f;

	dir = opendir("/sys/kernel/debug/nvmx");
	if (!dir && !mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL))
		dir = opendir("/sys/kernel/debug/nvmx");
	if (!dir)
		return -1;
	while ((d = readdir(dir)))
		if (sscanf(d->d_name, "vm%d", &n) == 1 && n > best)
			best = n;
	closedir(dir);
	if (best < 0)
		return 0;
	snprintf(path, sizeof(path), "/sys/kernel/debug/nvmx/vm%d/policy", best);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%63s %31s", want_row, want_pol) == 2 &&
		    !strcmp(want_row, row) && !strcmp(want_pol, policy))
			found = 1;
	fclose(f);
	return found;
}

/* ---- the table's effect on a running vCPU (L1) ---- */

#define N_TOGGLES	16

enum { ST_MP = 1, ST_CD, ST_CR3, ST_CR8, ST_CR4 };

static void wr_cr0(u64 v)
{
	asm volatile("mov %0, %%cr0" : : "r"(v) : "memory");
}

static void guest_code(void)
{
	u64 cr0 = get_cr0(), cr4 = get_cr4(), v, cr3;
	int i;

	for (;;) {
		for (i = 0; i < N_TOGGLES; i++) {
			wr_cr0(cr0 ^ CR0_MP);
			wr_cr0(cr0);
		}
		GUEST_SYNC(ST_MP);
		wr_cr0(cr0 | CR0_CD);
		v = get_cr0();
		wr_cr0(cr0);
		GUEST_SYNC_ARGS(ST_CD, v, get_cr0(), 0, 0);
		cr3 = get_cr3();
		asm volatile("mov %0, %%cr3" : : "r"(cr3) : "memory");
		GUEST_SYNC_ARGS(ST_CR3, cr3, get_cr3(), 0, 0);
		asm volatile("mov %0, %%cr8" : : "r"(5ULL) : "memory");
		asm volatile("mov %%cr8, %0" : "=r"(v));
		asm volatile("mov %0, %%cr8" : : "r"(0ULL) : "memory");
		GUEST_SYNC_ARGS(ST_CR8, v, 0, 0, 0);
		for (i = 0; i < N_TOGGLES; i++) {
			set_cr4(cr4 ^ X86_CR4_TSD);
			set_cr4(cr4);
		}
		GUEST_SYNC_ARGS(ST_CR4, get_cr4(), 0, 0, 0);
	}
}

/* nvmx_l1_exits[28]: L1's CR-access exits. */
static u64 cr_exits(struct kvm_vcpu *vcpu)
{
	u64 val;

	return vcpu_stat_get(vcpu, "nvmx_l1_exits", 28, &val) ? val : ~0ULL;
}

/* Every defined CR0/CR4 row INTERCEPT, CR3 and TPR too. */
static struct nvmx_policy all_intercept(const struct nvmx_policy *def)
{
	struct nvmx_policy p = *def;
	int i;

	for (i = 0; i < 32; i++) {
		if (p.cr0[i])
			p.cr0[i] = NVMX_POLICY_INTERCEPT;
		if (p.cr4[i])
			p.cr4[i] = NVMX_POLICY_INTERCEPT;
	}
	p.cr3 = NVMX_POLICY_INTERCEPT;
	p.tpr = NVMX_POLICY_INTERCEPT;
	return p;
}

/*
 * One pass of the guest's stages: the CR-access exits each costs under
 * the table, and what the guest read back.
 */
static void effect_pass(struct kvm_vcpu *vcpu, bool intercept)
{
	const char *t = intercept ? "intercept" : "default";
	u64 a, b, want;
	struct ucall uc;

	a = cr_exits(vcpu);
	run_to(vcpu, ST_MP);
	b = cr_exits(vcpu);
	want = intercept ? 2 * N_TOGGLES : 0;
	ksft_test_result(b - a == want, "%s_cr0_mp_toggles_exit_%lu (got %lu)\n",
			 t, want, b - a);
	uc = run_to(vcpu, ST_CD);
	a = cr_exits(vcpu);
	ksft_test_result(a - b == 2 && (uc.args[2] & CR0_CD) && !(uc.args[3] & CR0_CD),
			 "%s_cr0_cd_set_clear_exit_2_and_read_back (got %lu, read 0x%lx)\n",
			 t, a - b, uc.args[2]);
	uc = run_to(vcpu, ST_CR3);
	b = cr_exits(vcpu);
	/* MOV from, MOV to, and the MOV from of the sync's argument. */
	want = intercept ? 3 : 0;
	ksft_test_result(b - a == want && uc.args[2] == uc.args[3] && uc.args[2],
			 "%s_cr3_read_write_read_exit_%lu (got %lu, cr3 0x%lx)\n",
			 t, want, b - a, uc.args[2]);
	uc = run_to(vcpu, ST_CR8);
	a = cr_exits(vcpu);
	want = intercept ? 3 : 0;
	ksft_test_result(a - b == want && uc.args[2] == 5,
			 "%s_cr8_exit_%lu (got %lu, read %lu)\n", t, want, a - b, uc.args[2]);
	run_to(vcpu, ST_CR4);
	b = cr_exits(vcpu);
	want = intercept ? 2 * N_TOGGLES : 0;
	ksft_test_result(b - a == want, "%s_cr4_tsd_toggles_exit_%lu (got %lu)\n",
			 t, want, b - a);
}

/* nvmx:nvmx_policy and nvmx:nvmx_cr on or off; false without tracefs. */
static bool trace_events(const char *on)
{
	return !write_file(TRACING "/events/nvmx/nvmx_policy/enable", on) &&
	       !write_file(TRACING "/events/nvmx/nvmx_cr/enable", on);
}

/* The trace, from the heap: the ELF's own data is copied into the guest. */
static char *read_trace(void)
{
	const size_t size = 1 << 20;
	char *buf = malloc(size);
	size_t n = 0;
	ssize_t r;
	int fd = open(TRACING "/trace", O_RDONLY);

	if (fd < 0 || !buf) {
		free(buf);
		return NULL;
	}
	while (n < size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
		n += r;
	close(fd);
	buf[n] = 0;
	return buf;
}

/*
 * The default, then everything INTERCEPT (traced: the table set, the vCPU
 * taking it, its CR exits), then the default, on one vCPU.
 */
static void test_effect(const struct nvmx_policy *def)
{
	struct nvmx_policy all = all_intercept(def);
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	bool traced;
	char *t;

	vm = vm_create_with_one_vcpu(&vcpu, guest_code);
	effect_pass(vcpu, false);
	traced = !write_file(TRACING "/trace", "") && trace_events("1");
	TEST_ASSERT(!set_policy(vm, &all), "SET all-intercept: errno %d", errno);
	effect_pass(vcpu, true);
	if (traced) {
		trace_events("0");
		t = read_trace();
		ksft_test_result(t && strstr(t, "nvmx_policy: vcpu -1 gen 2 ") &&
				 strstr(t, "nvmx_policy: vcpu 0 gen 2 ") &&
				 strstr(t, "nvmx_cr: vcpu 0 L1 cr8 mov-to 0x5 absorbed") &&
				 strstr(t, "nvmx_cr: vcpu 0 L1 cr3 mov-from ") &&
				 strstr(t, "nvmx_cr: vcpu 0 L1 cr0 mov-to "),
				 "policy_and_cr_exits_traced\n");
		free(t);
	} else {
		ksft_test_result_skip("policy_and_cr_exits_traced: no tracefs\n");
	}
	TEST_ASSERT(!set_policy(vm, (void *)def), "SET default: errno %d", errno);
	effect_pass(vcpu, false);
	kvm_vm_free(vm);
}

static void test_on_kvm(void)
{
	struct kvm_vm *vm = vm_create_barebones();
	struct nvmx_policy p = { .size = sizeof(p) };
	int r, err;

	ksft_set_plan(2);
	r = ioctl(vm->fd, NVMX_GET_POLICY, &p);
	err = errno;
	ksft_test_result(r == -1 && err == ENOTTY,
			 "kvm_get_policy_unknown (r %d errno %d)\n", r, err);
	r = ioctl(vm->fd, NVMX_SET_POLICY, &p);
	err = errno;
	ksft_test_result(r == -1 && err == ENOTTY,
			 "kvm_set_policy_unknown (r %d errno %d)\n", r, err);
	kvm_vm_free(vm);
}

int main(void)
{
	struct nvmx_policy def, good, p, now;
	struct host h;
	struct kvm_vm *vm;
	u8 *big;
	int i;

	setbuf(stdout, NULL);
	ksft_print_header();
	if (!on_nvmx()) {
		test_on_kvm();
		ksft_finished();
	}
	ksft_set_plan(30 + 16);
	h = host_caps();
	vm = vm_create_barebones();

	TEST_ASSERT(!get_policy(vm, &def), "GET: errno %d", errno);
	ksft_test_result(check_default(&def, &h), "get_returns_the_default\n");

	/* A GET with flags, or too small, is refused too. */
	p = def;
	p.flags = 1;
	ksft_test_result(ioctl(vm->fd, NVMX_GET_POLICY, &p) == -1 && errno == EINVAL,
			 "get_refuses_flags\n");

	/* Round trip: PGE, CR3 and TPR INTERCEPT; PE and PG THROUGH. */
	good = def;
	good.cr4[7] = NVMX_POLICY_INTERCEPT;
	good.cr4_value |= CR4_PGE;
	good.cr3 = NVMX_POLICY_INTERCEPT;
	good.tpr = NVMX_POLICY_INTERCEPT;
	if (!(fixed_bits(&h, 0) & CR0_MP)) {
		good.cr0[1] = NVMX_POLICY_SHADOWING;
		good.cr0_value |= CR0_MP;
	}
	good.cr0[0] = NVMX_POLICY_THROUGH;
	good.cr0[31] = NVMX_POLICY_THROUGH;
	good.cr0_value &= ~(CR0_PE | CR0_PG);
	TEST_ASSERT(!set_policy(vm, &good), "SET: errno %d", errno);
	TEST_ASSERT(!get_policy(vm, &now), "GET: errno %d", errno);
	ksft_test_result(same(&now, &good), "set_get_round_trip\n");
	i = debugfs_has_row("CR4.PGE", "intercept");
	if (i < 0)
		ksft_test_result_skip("debugfs_shows_the_table: no debugfs\n");
	else
		ksft_test_result(i == 1 && debugfs_has_row("CR0.PE", "through") == 1 &&
				 debugfs_has_row("CR0.NE", "shadowing") == 1,
				 "debugfs_shows_the_table\n");

	/* A larger struct with a zero tail is accepted. */
	big = calloc(1, 4096);
	memcpy(big, &def, sizeof(def));
	((struct nvmx_policy *)big)->size = 4096;
	ksft_test_result(!set_policy(vm, big) && !get_policy(vm, &now) &&
			 same(&now, &def), "set_accepts_zero_tail\n");
	TEST_ASSERT(!set_policy(vm, &good), "SET: errno %d", errno);

	p = good;
	p.size = NVMX_POLICY_SIZE_VER0 - 1;
	refused(vm, &good, &p, EINVAL, "size_below_ver0");
	p.size = 0;
	refused(vm, &good, &p, EINVAL, "size_zero");
	memcpy(big, &good, sizeof(good));
	((struct nvmx_policy *)big)->size = 4097;
	refused(vm, &good, big, E2BIG, "size_over_4096");
	((struct nvmx_policy *)big)->size = 4096;
	big[4095] = 1;
	refused(vm, &good, big, E2BIG, "nonzero_tail");
	big[4095] = 0;
	big[sizeof(good)] = 0x80;
	((struct nvmx_policy *)big)->size = sizeof(good) + 8;
	refused(vm, &good, big, E2BIG, "nonzero_tail_byte_after_struct");
	free(big);

	p = good; p.flags = 1;
	refused(vm, &good, &p, EINVAL, "flags");
	p = good; p.__reserved[1] = 1;
	refused(vm, &good, &p, EINVAL, "reserved");
	p = good; p.cr0[3] = 4;
	refused(vm, &good, &p, EINVAL, "policy_out_of_range");
	p = good; p.cr4[3] = 0xff;
	refused(vm, &good, &p, EINVAL, "cr4_policy_out_of_range");
	p = good; p.cr0[16] = NVMX_POLICY_NONE;
	refused(vm, &good, &p, EINVAL, "none_on_defined_bit");
	p = good; p.cr0[7] = NVMX_POLICY_THROUGH;
	refused(vm, &good, &p, EINVAL, "through_on_undefined_cr0_bit");
	p = good; p.cr4[15] = NVMX_POLICY_SHADOWING;
	refused(vm, &good, &p, EINVAL, "shadowing_on_undefined_cr4_bit");
	p = good; p.cr0[5] = NVMX_POLICY_THROUGH; p.cr0_value &= ~CR0_NE;
	refused(vm, &good, &p, EINVAL, "through_on_cr0_ne");
	p = good; p.cr4[13] = NVMX_POLICY_THROUGH; p.cr4_value &= ~CR4_VMXE;
	refused(vm, &good, &p, EINVAL, "through_on_cr4_vmxe");
	p = good; p.cr0_value &= ~CR0_NE;
	refused(vm, &good, &p, EINVAL, "wrong_value_on_fixed_cr0_ne");
	p = good; p.cr4_value &= ~CR4_VMXE;
	refused(vm, &good, &p, EINVAL, "wrong_value_on_fixed_cr4_vmxe");
	p = good; p.cr0_value |= BIT_ULL(2);	/* EM is THROUGH */
	refused(vm, &good, &p, EINVAL, "value_on_through_row");
	p = good; p.tpr = NVMX_POLICY_THROUGH;
	refused(vm, &good, &p, EINVAL, "tpr_through");
	p = good; p.tpr_value = 1;
	refused(vm, &good, &p, EINVAL, "tpr_value_nonzero");
	p = good; p.vmcs_ptr = NVMX_POLICY_SHADOWING;
	refused(vm, &good, &p, EINVAL, "vmcs_ptr_not_intercept");
	p = good; p.cr2 = NVMX_POLICY_INTERCEPT;
	refused(vm, &good, &p, EINVAL, "cr2_not_through");
	p = good; p.cr4[18] = NVMX_POLICY_THROUGH; p.cr4_value &= ~BIT_ULL(18);
	refused(vm, &good, &p, EINVAL, "through_on_cr4_osxsave");
	p = good; p.cr4[22] = NVMX_POLICY_SHADOWING; p.cr4_value |= BIT_ULL(22);
	refused(vm, &good, &p, EINVAL, "cr4_pke_forced_to_1");
	/* A bit this host fixes to 0 (a CR4 feature it lacks), if any. */
	for (i = 0; i < 32; i++)
		if ((fixed_bits(&h, 1) & ~h.fixed0[1]) & BIT_ULL(i))
			break;
	if (i < 32) {
		p = good; p.cr4[i] = NVMX_POLICY_THROUGH; p.cr4_value &= ~BIT_ULL(i);
		refused(vm, &good, &p, EINVAL, "through_on_fixed_0_cr4_bit");
	} else {
		ksft_test_result_skip("refuses_through_on_fixed_0_cr4_bit: none here\n");
	}

	/* A new VM starts from the default again. */
	kvm_vm_free(vm);
	vm = vm_create_barebones();
	TEST_ASSERT(!get_policy(vm, &now), "GET: errno %d", errno);
	ksft_test_result(same(&now, &def), "new_vm_has_the_default\n");
	kvm_vm_free(vm);

	test_effect(&def);
	ksft_finished();
}
