/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Helpers for our nested-VMX libkvm programs (vmx_*_test.c), which run the
 * same binary on kvm_intel and on nvmx.
 *
 * libkvm's vmlaunch()/vmresume() do not give L2 its registers back: after
 * an exit that L1 handles, L2 resumes with whatever L1 had in its GPRs. L2
 * code therefore causes exits only through asm that saves RBP itself and
 * declares every other GPR clobbered, so the compiler keeps L2's state in
 * memory (RSP comes back from the VMCS).
 */
#ifndef NVMX_VMX_NESTED_H
#define NVMX_VMX_NESTED_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "kvm_util.h"
#include "processor.h"
#include "vmx.h"

#include "nvmx_kvm.h"

/* Every GPR but RAX, RCX, RDX and RSP; RBP is pushed and popped in the asm. */
#define L2_CLOBBERS "rbx", "rsi", "rdi", "r8", "r9", "r10", "r11", "r12", \
	"r13", "r14", "r15", "memory", "cc"

/* L2 runs INSN with RAX, RCX and RDX loaded; they come back as garbage. */
#define l2_insn(insn, a, c, d)						\
do {									\
	u64 __a = (a), __c = (c), __d = (d);				\
	asm volatile("push %%rbp\n\t" insn "\n\tpop %%rbp"		\
		     : "+a"(__a), "+c"(__c), "+d"(__d) : : L2_CLOBBERS); \
} while (0)

/* VMCALL from L2 with every register treated as lost. */
#define l2_vmcall() l2_insn("vmcall", 0, 0, 0)

/*
 * The nested module parameter of the device under test: 'Y', 'N', or 0 when
 * the module has none (nvmx before its nested support).
 */
static inline char nested_param(void)
{
	const char *path = on_nvmx() ? "/sys/module/nvmx/parameters/nested" :
		"/sys/module/kvm_intel/parameters/nested";
	FILE *f = fopen(path, "r");
	int c = 0;

	if (f) {
		c = fgetc(f);
		fclose(f);
	}
	return c == EOF ? 0 : c;
}

/*
 * Skips only when the device's nested parameter is off; otherwise (on, or
 * no parameter at all) the device must offer VMX to the guest, and a device
 * that does not fails here rather than skipping.
 */
static inline void require_nested_vmx(void)
{
	char p = nested_param();

	__TEST_REQUIRE(p != 'N' && p != '0', "nested VMX is turned off");
	TEST_ASSERT(kvm_cpu_has(X86_FEATURE_VMX),
		    "%s (nested parameter %s): KVM_GET_SUPPORTED_CPUID lacks VMX",
		    on_nvmx() ? "nvmx" : "kvm_intel",
		    p == 'Y' || p == '1' ? "on" : "absent");
}

/* A control value from its capability MSR: default-1 bits set, allowed-1 kept. */
static inline u32 vmx_ctl(u32 cap_msr, u32 want)
{
	u64 cap = rdmsr(cap_msr);

	return (want | (u32)cap) & (u32)(cap >> 32);
}

/* Whether every bit of @bits may be 1 in the control @cap_msr describes. */
static inline bool vmx_ctl_allows(u32 cap_msr, u32 bits)
{
	return ((rdmsr(cap_msr) >> 32) & bits) == bits;
}

/* The primary processor-based controls with @set added and @clear removed. */
static inline bool vmx_proc_update(u32 set, u32 clear)
{
	u32 v = vmreadz(CPU_BASED_VM_EXEC_CONTROL);

	if (!vmx_ctl_allows(MSR_IA32_VMX_TRUE_PROCBASED_CTLS, set))
		return false;
	if ((u32)rdmsr(MSR_IA32_VMX_TRUE_PROCBASED_CTLS) & clear)
		return false;
	return !vmwrite(CPU_BASED_VM_EXEC_CONTROL, (v | set) & ~clear);
}

/* Interruption-information fields (VM entry, VM exit, IDT vectoring). */
#define INTR_VALID		BIT(31)
#define INTR_HAS_ERROR		BIT(11)
#define INTR_TYPE_SHIFT		8
#define INTR_TYPE_EXT		(0u << INTR_TYPE_SHIFT)
#define INTR_TYPE_NMI		(2u << INTR_TYPE_SHIFT)
#define INTR_TYPE_HW_EXC	(3u << INTR_TYPE_SHIFT)
#define INTR_TYPE_SOFT_INT	(4u << INTR_TYPE_SHIFT)
#define INTR_TYPE_SOFT_EXC	(6u << INTR_TYPE_SHIFT)

/* VMX-instruction outcomes, as vmx_result() encodes them. */
#define VMX_SUCCEED		0
#define VMX_FAIL_INVALID	0x100
#define VMX_FAIL_VALID(err)	(0x200 | (err))
#define VMX_FAULT(vector)	(0x400 | (vector))

#define X86_EFLAGS_CF_BIT	0x1
#define X86_EFLAGS_ZF_BIT	0x40

/* The outcome of a VMX instruction from RFLAGS after it (no fault). */
static inline int vmx_result(u64 rflags)
{
	if (rflags & X86_EFLAGS_CF_BIT)
		return VMX_FAIL_INVALID;
	if (rflags & X86_EFLAGS_ZF_BIT)
		return VMX_FAIL_VALID(vmreadz(VM_INSTRUCTION_ERROR) & 0xff);
	return VMX_SUCCEED;
}

/*
 * kselftest results that keep the first failure, which results_done()
 * turns into a libkvm assertion failure: init's failure_text then names
 * that result rather than some output line that says "error".
 */
static unsigned int nr_failed;
static char first_failed[256];

static inline __printf(2, 3) void result(bool ok, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	msg[strcspn(msg, "\n")] = 0;
	ksft_test_result(ok, "%s\n", msg);
	if (!ok && !nr_failed++)
		snprintf(first_failed, sizeof(first_failed), "%s", msg);
}

static inline void results_done(void)
{
	TEST_ASSERT(!nr_failed, "%u failed, the first: %s", nr_failed, first_failed);
	ksft_finished();
}

/*
 * The vCPU's binary stats a nested test reads, found by name: desc[i] is
 * the descriptor of names[i], or NULL when the device has no such stat
 * (kvm_intel lacks nvmx's own). A stat may have at most max_size u64s.
 */
struct nested_stats {
	int fd;
	struct kvm_stats_header header;
	struct kvm_stats_desc **desc;
	unsigned int n;
	unsigned int max_size;
};

static inline void nested_stats_open(struct nested_stats *st,
				     struct kvm_vcpu *vcpu,
				     const char *const *names, unsigned int n,
				     unsigned int max_size,
				     struct kvm_stats_desc **desc)
{
	struct kvm_stats_desc *all, *d;
	unsigned int i, s;

	st->fd = vcpu_get_stats_fd(vcpu);
	st->desc = desc;
	st->n = n;
	st->max_size = max_size;
	read_stats_header(st->fd, &st->header);
	all = read_stats_descriptors(st->fd, &st->header);
	for (s = 0; s < n; s++)
		desc[s] = NULL;
	for (i = 0; i < st->header.num_desc; i++) {
		d = get_stats_descriptor(all, i, &st->header);
		for (s = 0; s < n; s++) {
			if (strcmp(d->name, names[s]))
				continue;
			TEST_ASSERT(d->size >= 1 && d->size <= max_size,
				    "stat %s has %u elements", d->name, d->size);
			desc[s] = d;
		}
	}
}

/* Every stat found, into v[s * max_size ...]; absent ones read as 0. */
static inline void nested_stats_read(struct nested_stats *st, u64 *v)
{
	unsigned int s;

	memset(v, 0, sizeof(*v) * st->n * st->max_size);
	for (s = 0; s < st->n; s++)
		if (st->desc[s])
			read_stat_data(st->fd, &st->header, st->desc[s],
				       v + s * st->max_size, st->max_size);
}

#endif /* NVMX_VMX_NESTED_H */
