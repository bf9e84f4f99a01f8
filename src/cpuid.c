// SPDX-License-Identifier: GPL-2.0
/*
 * The CPUID model: what nvmx reports as supported, checks on the tables
 * userspace sets, and CPUID emulation. Pure logic (see cpuid.h for why it
 * may include <linux/kvm.h>): no Linux calls, so selftests/unit builds this
 * file as it is.
 *
 * Rule: a host feature reaches the guest only if a row below lets it
 * through. Leaves without a row read as zero.
 */
#include "cpuid.h"

#define EAX NVMX_CPUID_EAX
#define EBX NVMX_CPUID_EBX
#define ECX NVMX_CPUID_ECX
#define EDX NVMX_CPUID_EDX

/* More subleaves than any CPU has for leaf 4; bounds a host that never ends. */
#define NVMX_CPUID_MAX_CACHE_SUBLEAVES	16

/* Leaf 0xb/0x1f ECX[15:8] level types. */
#define NVMX_TOPO_SMT			1U
#define NVMX_TOPO_CORE			2U

/* Leaf 4 EAX[4:0]: 0 means no more caches. */
#define NVMX_CACHE_TYPE_MASK		0x1fU
/* Leaf 4 EAX[31:14]: threads and cores sharing a cache, host topology. */
#define NVMX_CACHE_TOPOLOGY_MASK	0xffffc000U

/*
 * Bits taken from the host (keep) and bits always set (force), per
 * register, for one leaf and subleaf.
 */
struct nvmx_cpuid_row {
	u32 leaf;
	u32 subleaf;
	u32 keep[NVMX_CPUID_NR_REGS];
	u32 force[NVMX_CPUID_NR_REGS];
};

static const struct nvmx_cpuid_row nvmx_cpuid_rows[] = {
	{
		/*
		 * EBX: brand index and CLFLUSH size; the APIC ID and the
		 * logical processor count are the VMM's (one per package).
		 * Hidden: VMX, x2APIC (policy); SMX, EIST, TM2, SDBG, xTPR,
		 * PDCM, DTES64, DS-CPL, DCA, CNXT-ID (MSRs or hardware nvmx
		 * does not virtualize); MONITOR (MWAIT would idle the host
		 * CPU); TSC-deadline (not emulated); OSXSAVE (guest CR4's).
		 * XSAVE, AVX, FMA and F16C are conditional, below.
		 */
		.leaf = 0x1,
		.keep = {
			[EAX] = ~0U,
			[EBX] = 0xffffU,
			[ECX] = NVMX_CPUID_1_ECX_SSE3 | NVMX_CPUID_1_ECX_PCLMULQDQ |
				NVMX_CPUID_1_ECX_SSSE3 | NVMX_CPUID_1_ECX_CX16 |
				NVMX_CPUID_1_ECX_PCID | NVMX_CPUID_1_ECX_SSE4_1 |
				NVMX_CPUID_1_ECX_SSE4_2 | NVMX_CPUID_1_ECX_MOVBE |
				NVMX_CPUID_1_ECX_POPCNT | NVMX_CPUID_1_ECX_AES |
				NVMX_CPUID_1_ECX_RDRAND,
			/*
			 * MCE and MCA: the machine-check MSRs are emulated
			 * (mce.c). Hidden: PSN, DS, ACPI, TM, PBE, and HTT
			 * (one logical processor per package).
			 */
			[EDX] = NVMX_CPUID_1_EDX_FPU | NVMX_CPUID_1_EDX_VME |
				NVMX_CPUID_1_EDX_MCE | NVMX_CPUID_1_EDX_MCA |
				NVMX_CPUID_1_EDX_DE | NVMX_CPUID_1_EDX_PSE |
				NVMX_CPUID_1_EDX_TSC | NVMX_CPUID_1_EDX_MSR |
				NVMX_CPUID_1_EDX_PAE | NVMX_CPUID_1_EDX_CX8 |
				NVMX_CPUID_1_EDX_APIC | NVMX_CPUID_1_EDX_SEP |
				NVMX_CPUID_1_EDX_MTRR | NVMX_CPUID_1_EDX_PGE |
				NVMX_CPUID_1_EDX_CMOV | NVMX_CPUID_1_EDX_PAT |
				NVMX_CPUID_1_EDX_PSE36 | NVMX_CPUID_1_EDX_CLFSH |
				NVMX_CPUID_1_EDX_MMX | NVMX_CPUID_1_EDX_FXSR |
				NVMX_CPUID_1_EDX_SSE | NVMX_CPUID_1_EDX_SSE2 |
				NVMX_CPUID_1_EDX_SS,
		},
		/* The guest is told it runs under a hypervisor. */
		.force = { [ECX] = NVMX_CPUID_1_ECX_HYPERVISOR },
	},
	{
		/* The emulated APIC timer never stops: the guest has no C-states. */
		.leaf = 0x6,
		.keep = { [EAX] = NVMX_CPUID_6_EAX_ARAT },
	},
	{
		/*
		 * EAX (highest subleaf) is capped at 1 by the builder.
		 * Hidden: SGX, MPX, Intel PT, RDT (CPU resources nvmx does
		 * not partition); INVPCID (policy); PKU (PKRU is not
		 * switched); WAITPKG (would idle the host CPU); LA57 (the
		 * guest walker is 4-level); CET, key locker, ENQCMD, PKS,
		 * UINTR, AMX, arch LBRs, hybrid, PCONFIG; IA32_SPEC_CTRL,
		 * IA32_ARCH_CAPABILITIES and their kin (no MSR emulation
		 * yet). HLE and RTM pass: they run natively and the host's
		 * TSX setting already shows in its CPUID.
		 */
		.leaf = 0x7,
		.keep = {
			[EAX] = ~0U,
			[EBX] = NVMX_CPUID_7_EBX_FSGSBASE | NVMX_CPUID_7_EBX_TSC_ADJUST |
				NVMX_CPUID_7_EBX_BMI1 | NVMX_CPUID_7_EBX_HLE |
				NVMX_CPUID_7_EBX_FDP_EXCPTN | NVMX_CPUID_7_EBX_SMEP |
				NVMX_CPUID_7_EBX_BMI2 | NVMX_CPUID_7_EBX_ERMS |
				NVMX_CPUID_7_EBX_RTM | NVMX_CPUID_7_EBX_ZERO_FCS_FDS |
				NVMX_CPUID_7_EBX_RDSEED | NVMX_CPUID_7_EBX_ADX |
				NVMX_CPUID_7_EBX_SMAP | NVMX_CPUID_7_EBX_CLFLUSHOPT |
				NVMX_CPUID_7_EBX_CLWB | NVMX_CPUID_7_EBX_SHA,
			[ECX] = NVMX_CPUID_7_ECX_PREFETCHWT1 | NVMX_CPUID_7_ECX_UMIP |
				NVMX_CPUID_7_ECX_GFNI | NVMX_CPUID_7_ECX_CLDEMOTE |
				NVMX_CPUID_7_ECX_MOVDIRI | NVMX_CPUID_7_ECX_MOVDIR64B,
			[EDX] = NVMX_CPUID_7_EDX_FSRM | NVMX_CPUID_7_EDX_MD_CLEAR |
				NVMX_CPUID_7_EDX_SERIALIZE | NVMX_CPUID_7_EDX_TSXLDTRK,
		},
	},
	{
		/* Hidden: HRESET, LAM and the rest of the subleaf. */
		.leaf = 0x7, .subleaf = 1,
		.keep = {
			[EAX] = NVMX_CPUID_7_1_EAX_FZRM | NVMX_CPUID_7_1_EAX_FSRS |
				NVMX_CPUID_7_1_EAX_FSRC,
		},
	},
	{
		/*
		 * XSAVEOPT, XSAVEC and XGETBV1 are conditional, below.
		 * Hidden: XSAVES (supervisor states, IA32_XSS) and XFD.
		 */
		.leaf = 0xd, .subleaf = 1,
	},
	{
		/* Hidden: everything AMD-only; RDTSCP is conditional. */
		.leaf = 0x80000001,
		.keep = {
			[EAX] = ~0U,
			[ECX] = NVMX_CPUID_81_ECX_LAHF_LM | NVMX_CPUID_81_ECX_LZCNT |
				NVMX_CPUID_81_ECX_PREFETCHW,
			[EDX] = NVMX_CPUID_81_EDX_SYSCALL | NVMX_CPUID_81_EDX_NX |
				NVMX_CPUID_81_EDX_PDPE1GB | NVMX_CPUID_81_EDX_LM,
		},
	},
	{
		/* The guest's TSC is the host's, scaled and offset: invariant. */
		.leaf = 0x80000007,
		.keep = { [EDX] = NVMX_CPUID_87_EDX_INVARIANT_TSC },
	},
};

/* What a conditional bit waits for besides its XCR0 components. */
enum nvmx_cpuid_gate {
	NVMX_GATE_NONE,
	NVMX_GATE_VMX,
	NVMX_GATE_X2APIC,
	NVMX_GATE_RDTSCP,
	NVMX_GATE_INVPCID,
};

/* Bits that pass only with their policy flag and all of their XCR0 bits. */
struct nvmx_cpuid_cond {
	u32 leaf;
	u32 subleaf;
	enum nvmx_cpuid_reg reg;
	u32 bits;
	enum nvmx_cpuid_gate gate;
	u64 xcr0;
};

#define NVMX_XCR0_BASE	(NVMX_XFEATURE_X87 | NVMX_XFEATURE_SSE)
#define NVMX_XCR0_AVX	(NVMX_XCR0_BASE | NVMX_XFEATURE_YMM)
#define NVMX_XCR0_AVX512 (NVMX_XCR0_AVX | NVMX_XFEATURE_AVX512)

static const struct nvmx_cpuid_cond nvmx_cpuid_conds[] = {
	{ 0x1, 0, ECX, NVMX_CPUID_1_ECX_VMX, NVMX_GATE_VMX, 0 },
	{ 0x1, 0, ECX, NVMX_CPUID_1_ECX_X2APIC, NVMX_GATE_X2APIC, 0 },
	{ 0x80000001, 0, EDX, NVMX_CPUID_81_EDX_RDTSCP, NVMX_GATE_RDTSCP, 0 },
	{ 0x7, 0, ECX, NVMX_CPUID_7_ECX_RDPID, NVMX_GATE_RDTSCP, 0 },
	{ 0x7, 0, EBX, NVMX_CPUID_7_EBX_INVPCID, NVMX_GATE_INVPCID, 0 },

	{ 0x1, 0, ECX, NVMX_CPUID_1_ECX_XSAVE, NVMX_GATE_NONE, NVMX_XCR0_BASE },
	{ 0xd, 1, EAX, NVMX_CPUID_D_1_EAX_XSAVEOPT | NVMX_CPUID_D_1_EAX_XSAVEC |
	  NVMX_CPUID_D_1_EAX_XGETBV1, NVMX_GATE_NONE, NVMX_XCR0_BASE },

	{ 0x1, 0, ECX, NVMX_CPUID_1_ECX_AVX | NVMX_CPUID_1_ECX_FMA |
	  NVMX_CPUID_1_ECX_F16C, NVMX_GATE_NONE, NVMX_XCR0_AVX },
	{ 0x7, 0, EBX, NVMX_CPUID_7_EBX_AVX2, NVMX_GATE_NONE, NVMX_XCR0_AVX },
	{ 0x7, 0, ECX, NVMX_CPUID_7_ECX_VAES | NVMX_CPUID_7_ECX_VPCLMULQDQ,
	  NVMX_GATE_NONE, NVMX_XCR0_AVX },
	{ 0x7, 1, EAX, NVMX_CPUID_7_1_EAX_AVX_VNNI, NVMX_GATE_NONE, NVMX_XCR0_AVX },

	{ 0x7, 0, EBX, NVMX_CPUID_7_EBX_AVX512F | NVMX_CPUID_7_EBX_AVX512DQ |
	  NVMX_CPUID_7_EBX_AVX512IFMA | NVMX_CPUID_7_EBX_AVX512PF |
	  NVMX_CPUID_7_EBX_AVX512ER | NVMX_CPUID_7_EBX_AVX512CD |
	  NVMX_CPUID_7_EBX_AVX512BW | NVMX_CPUID_7_EBX_AVX512VL,
	  NVMX_GATE_NONE, NVMX_XCR0_AVX512 },
	{ 0x7, 0, ECX, NVMX_CPUID_7_ECX_AVX512VBMI | NVMX_CPUID_7_ECX_AVX512VBMI2 |
	  NVMX_CPUID_7_ECX_AVX512VNNI | NVMX_CPUID_7_ECX_AVX512BITALG |
	  NVMX_CPUID_7_ECX_AVX512VPOPCNT, NVMX_GATE_NONE, NVMX_XCR0_AVX512 },
	{ 0x7, 0, EDX, NVMX_CPUID_7_EDX_AVX512_4VNNIW | NVMX_CPUID_7_EDX_AVX512_4FMAPS |
	  NVMX_CPUID_7_EDX_AVX512_VP2INT | NVMX_CPUID_7_EDX_AVX512_FP16,
	  NVMX_GATE_NONE, NVMX_XCR0_AVX512 },
	{ 0x7, 1, EAX, NVMX_CPUID_7_1_EAX_AVX512_BF16, NVMX_GATE_NONE,
	  NVMX_XCR0_AVX512 },
};

/* Leaves whose output depends on ECX, per the SDM's CPUID description. */
static bool nvmx_cpuid_indexed(u32 leaf)
{
	switch (leaf) {
	case 0x4: case 0x7: case 0xb: case 0xd: case 0xf: case 0x10:
	case 0x12: case 0x14: case 0x17: case 0x18: case 0x1b: case 0x1d:
	case 0x1e: case 0x1f:
		return true;
	default:
		return false;
	}
}

struct nvmx_cpuid_build {
	struct kvm_cpuid_entry2 *out;
	u32 max;
	u32 count;
	nvmx_host_cpuid_t host_cpuid;
	void *ctx;
	const struct nvmx_cpuid_policy *pol;
	u32 max_basic;
	/* The XCR0 bits the guest gets: policy, host and nvmx agree. */
	u64 xcr0;
};

static void nvmx_host(struct nvmx_cpuid_build *b, u32 leaf, u32 subleaf,
		      u32 r[NVMX_CPUID_NR_REGS])
{
	r[EAX] = 0;
	r[EBX] = 0;
	r[ECX] = 0;
	r[EDX] = 0;
	b->host_cpuid(b->ctx, leaf, subleaf, r);
}

/* Counts every entry, writes only those that fit. */
static void nvmx_cpuid_put(struct nvmx_cpuid_build *b, u32 leaf, u32 subleaf,
			   const u32 r[NVMX_CPUID_NR_REGS])
{
	struct kvm_cpuid_entry2 *e;

	if (b->count++ >= b->max)
		return;
	e = &b->out[b->count - 1];
	*e = (struct kvm_cpuid_entry2){
		.function = leaf,
		.index = subleaf,
		.eax = r[EAX],
		.ebx = r[EBX],
		.ecx = r[ECX],
		.edx = r[EDX],
	};
	if (nvmx_cpuid_indexed(leaf))
		e->flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
}

static bool nvmx_gate_open(const struct nvmx_cpuid_policy *pol,
			   enum nvmx_cpuid_gate gate)
{
	switch (gate) {
	case NVMX_GATE_NONE:
		return true;
	case NVMX_GATE_VMX:
		return pol->expose_vmx;
	case NVMX_GATE_X2APIC:
		return pol->expose_x2apic;
	case NVMX_GATE_RDTSCP:
		return pol->rdtscp;
	case NVMX_GATE_INVPCID:
		return pol->invpcid;
	}
	return false;
}

/* Applies the rows and conditional bits for @leaf/@subleaf to host values. */
static void nvmx_cpuid_filter(const struct nvmx_cpuid_build *b, u32 leaf,
			      u32 subleaf, u32 r[NVMX_CPUID_NR_REGS])
{
	u32 keep[NVMX_CPUID_NR_REGS] = { 0 };
	u32 force[NVMX_CPUID_NR_REGS] = { 0 };
	size_t i;
	int reg;

	for (i = 0; i < ARRAY_SIZE(nvmx_cpuid_rows); i++) {
		const struct nvmx_cpuid_row *row = &nvmx_cpuid_rows[i];

		if (row->leaf != leaf || row->subleaf != subleaf)
			continue;
		for (reg = 0; reg < NVMX_CPUID_NR_REGS; reg++) {
			keep[reg] = row->keep[reg];
			force[reg] = row->force[reg];
		}
	}
	for (i = 0; i < ARRAY_SIZE(nvmx_cpuid_conds); i++) {
		const struct nvmx_cpuid_cond *c = &nvmx_cpuid_conds[i];

		if (c->leaf != leaf || c->subleaf != subleaf)
			continue;
		if (nvmx_gate_open(b->pol, c->gate) &&
		    (b->xcr0 & c->xcr0) == c->xcr0)
			keep[c->reg] |= c->bits;
	}
	for (reg = 0; reg < NVMX_CPUID_NR_REGS; reg++)
		r[reg] = (r[reg] & keep[reg]) | force[reg];
}

/* A valid XCR0: x87 and SSE always, AVX under AVX-512, AVX-512 whole. */
static u64 nvmx_xcr0_valid(u64 xcr0)
{
	if ((xcr0 & NVMX_XCR0_BASE) != NVMX_XCR0_BASE)
		return 0;
	if (!(xcr0 & NVMX_XFEATURE_YMM) ||
	    (xcr0 & NVMX_XFEATURE_AVX512) != NVMX_XFEATURE_AVX512)
		xcr0 &= ~NVMX_XFEATURE_AVX512;
	return xcr0;
}

bool nvmx_xcr0_settable(u64 xcr0, u64 allowed)
{
	const u64 bnd = NVMX_XFEATURE_BNDREGS | NVMX_XFEATURE_BNDCSR;
	const u64 tile = NVMX_XFEATURE_XTILE_CFG | NVMX_XFEATURE_XTILE_DATA;

	if (xcr0 & ~allowed)
		return false;
	/* x87 state can never be disabled; AVX state lives on top of SSE. */
	if (!(xcr0 & NVMX_XFEATURE_X87))
		return false;
	if ((xcr0 & NVMX_XFEATURE_YMM) && !(xcr0 & NVMX_XFEATURE_SSE))
		return false;
	/* MPX's two components go together. */
	if ((xcr0 & bnd) && (xcr0 & bnd) != bnd)
		return false;
	/* AVX-512's three components go together, and need AVX. */
	if ((xcr0 & NVMX_XFEATURE_AVX512) &&
	    ((xcr0 & NVMX_XFEATURE_AVX512) != NVMX_XFEATURE_AVX512 ||
	     !(xcr0 & NVMX_XFEATURE_YMM)))
		return false;
	/* AMX tile configuration and data go together. */
	if ((xcr0 & tile) && (xcr0 & tile) != tile)
		return false;
	return true;
}

static u64 nvmx_align64(u64 v)
{
	return (v + 63) & ~63ULL;
}

/* Leaf 4: the host's caches, as if no other thread or core shared them. */
static void nvmx_cpuid_caches(struct nvmx_cpuid_build *b)
{
	u32 r[NVMX_CPUID_NR_REGS];
	u32 i;

	for (i = 0; i < NVMX_CPUID_MAX_CACHE_SUBLEAVES; i++) {
		nvmx_host(b, 0x4, i, r);
		r[EAX] &= ~NVMX_CACHE_TOPOLOGY_MASK;
		/* The subleaf of type 0 ends the list; it is reported too. */
		nvmx_cpuid_put(b, 0x4, i, r);
		if (!(r[EAX] & NVMX_CACHE_TYPE_MASK))
			break;
	}
}

/* Leaf 7: subleaves 0 and 1; later ones hold nothing nvmx exposes. */
static void nvmx_cpuid_leaf7(struct nvmx_cpuid_build *b)
{
	u32 r[NVMX_CPUID_NR_REGS];
	u32 subleaves;

	nvmx_host(b, 0x7, 0, r);
	subleaves = r[EAX] ? 1 : 0;
	nvmx_cpuid_filter(b, 0x7, 0, r);
	r[EAX] = subleaves;
	nvmx_cpuid_put(b, 0x7, 0, r);
	if (!subleaves)
		return;
	nvmx_host(b, 0x7, 1, r);
	nvmx_cpuid_filter(b, 0x7, 1, r);
	nvmx_cpuid_put(b, 0x7, 1, r);
}

/*
 * Leaves 0xb and 0x1f: each vCPU is a package of one core of one thread,
 * matching leaf 1 (no HTT) and leaf 4. The x2APIC ID in EDX is 0; a VMM
 * with several vCPUs sets it per vCPU, as on KVM. Subleaf 2 and up are
 * absent, which reads as an invalid level (see nvmx_cpuid_lookup()).
 */
static void nvmx_cpuid_topology(struct nvmx_cpuid_build *b, u32 leaf)
{
	u32 smt[NVMX_CPUID_NR_REGS] = {
		[EBX] = 1, [ECX] = NVMX_TOPO_SMT << 8,
	};
	u32 core[NVMX_CPUID_NR_REGS] = {
		[EBX] = 1, [ECX] = (NVMX_TOPO_CORE << 8) | 1,
	};

	nvmx_cpuid_put(b, leaf, 0, smt);
	nvmx_cpuid_put(b, leaf, 1, core);
}

/*
 * Leaf 0xd: subleaf 0 lists b->xcr0 with the XSAVE area size all of it
 * needs, subleaf 1 the XSAVE instructions, then one subleaf per component
 * above SSE. Without XCR0 bits, only a zero subleaf 0.
 */
static void nvmx_cpuid_xsave(struct nvmx_cpuid_build *b)
{
	u64 std_size = NVMX_XSAVE_LEGACY_SIZE, cmp_size = NVMX_XSAVE_LEGACY_SIZE;
	u32 r[NVMX_CPUID_NR_REGS] = { 0 };
	u32 i;

	if (!b->xcr0) {
		nvmx_cpuid_put(b, 0xd, 0, r);
		return;
	}
	for (i = 2; i < 64; i++) {
		if (!(b->xcr0 & BIT_ULL(i)))
			continue;
		nvmx_host(b, 0xd, i, r);
		if ((u64)r[EBX] + r[EAX] > std_size)
			std_size = (u64)r[EBX] + r[EAX];
		if (r[ECX] & 2)
			cmp_size = nvmx_align64(cmp_size);
		cmp_size += r[EAX];
	}

	nvmx_host(b, 0xd, 0, r);
	r[EAX] = (u32)b->xcr0;
	r[EDX] = (u32)(b->xcr0 >> 32);
	r[EBX] = (u32)std_size;
	r[ECX] = (u32)std_size;
	nvmx_cpuid_put(b, 0xd, 0, r);

	nvmx_host(b, 0xd, 1, r);
	nvmx_cpuid_filter(b, 0xd, 1, r);
	/* EBX: the compacted size, which only XSAVEC (or XSAVES) uses. */
	r[EBX] = (r[EAX] & NVMX_CPUID_D_1_EAX_XSAVEC) ? (u32)cmp_size : 0;
	nvmx_cpuid_put(b, 0xd, 1, r);

	for (i = 2; i < 64; i++) {
		if (!(b->xcr0 & BIT_ULL(i)))
			continue;
		nvmx_host(b, 0xd, i, r);
		/* ECX: only "64-byte aligned"; user state, no XFD. */
		r[ECX] &= 2;
		r[EDX] = 0;
		nvmx_cpuid_put(b, 0xd, i, r);
	}
}

static void nvmx_cpuid_basic(struct nvmx_cpuid_build *b, u32 leaf)
{
	u32 r[NVMX_CPUID_NR_REGS] = { 0 };

	switch (leaf) {
	case 0x0:
		/* The vendor string passes; the leaf count is capped. */
		nvmx_host(b, 0x0, 0, r);
		r[EAX] = b->max_basic;
		break;
	case 0x1:
	case 0x6:
		nvmx_host(b, leaf, 0, r);
		nvmx_cpuid_filter(b, leaf, 0, r);
		break;
	case 0x2:	/* cache and TLB descriptors */
	case 0x15:	/* TSC/crystal ratio: the host's (a VMM that scales sets its own) */
	case 0x16:	/* nominal frequencies */
		nvmx_host(b, leaf, 0, r);
		break;
	case 0x4:
		nvmx_cpuid_caches(b);
		return;
	case 0x7:
		nvmx_cpuid_leaf7(b);
		return;
	case 0xb:
	case 0x1f:
		nvmx_cpuid_topology(b, leaf);
		return;
	case 0xd:
		nvmx_cpuid_xsave(b);
		return;
	default:
		/*
		 * Zero: serial number (3), MONITOR (5), DCA (9), the PMU
		 * (0xa), RDT (0xf, 0x10), SGX (0x12), PT (0x14), and every
		 * later leaf nvmx has not reviewed.
		 */
		break;
	}
	nvmx_cpuid_put(b, leaf, 0, r);
}

static void nvmx_cpuid_ext(struct nvmx_cpuid_build *b, u32 leaf, u32 max_ext)
{
	u32 r[NVMX_CPUID_NR_REGS] = { 0 };
	u32 phys;

	switch (leaf) {
	case 0x80000000:
		nvmx_host(b, leaf, 0, r);
		r[EAX] = max_ext;
		break;
	case 0x80000001:
	case 0x80000007:
		nvmx_host(b, leaf, 0, r);
		nvmx_cpuid_filter(b, leaf, 0, r);
		break;
	case 0x80000002:	/* brand string */
	case 0x80000003:
	case 0x80000004:
	case 0x80000005:	/* reserved on Intel */
	case 0x80000006:	/* L2 cache */
		nvmx_host(b, leaf, 0, r);
		break;
	case 0x80000008:
		/*
		 * Physical address width: the host's, at most the 48 bits
		 * 4-level EPT maps. Linear: 48, as LA57 is hidden.
		 * WBNOINVD and the rest are hidden.
		 */
		nvmx_host(b, leaf, 0, r);
		phys = r[EAX] & 0xff;
		if (phys > 48)
			phys = 48;
		r[EAX] = phys | (48 << 8);
		r[EBX] = 0;
		r[ECX] = 0;
		r[EDX] = 0;
		break;
	}
	nvmx_cpuid_put(b, leaf, 0, r);
}

int nvmx_cpuid_supported(struct kvm_cpuid_entry2 *out, u32 max, u32 *nent,
			 nvmx_host_cpuid_t host_cpuid, void *ctx,
			 const struct nvmx_cpuid_policy *pol)
{
	struct nvmx_cpuid_build b = {
		.out = out, .max = max, .host_cpuid = host_cpuid, .ctx = ctx,
		.pol = pol,
	};
	u32 r[NVMX_CPUID_NR_REGS];
	u32 leaf, max_ext;

	nvmx_host(&b, 0x0, 0, r);
	b.max_basic = r[EAX] < NVMX_CPUID_MAX_BASIC ? r[EAX] : NVMX_CPUID_MAX_BASIC;

	/* XCR0 first: leaf 1 and 7 bits depend on it. */
	if (b.max_basic >= 0xd) {
		nvmx_host(&b, 0x1, 0, r);
		if (r[ECX] & NVMX_CPUID_1_ECX_XSAVE) {
			nvmx_host(&b, 0xd, 0, r);
			b.xcr0 = ((u64)r[EDX] << 32 | r[EAX]) &
				 pol->xcr0_supported & NVMX_CPUID_XCR0_KNOWN;
			b.xcr0 = nvmx_xcr0_valid(b.xcr0);
		}
	}

	for (leaf = 0; leaf <= b.max_basic; leaf++)
		nvmx_cpuid_basic(&b, leaf);

	/* A host without extended leaves answers with a basic leaf: skip. */
	nvmx_host(&b, 0x80000000, 0, r);
	if ((r[EAX] & 0xffff0000U) == 0x80000000U) {
		max_ext = r[EAX] < NVMX_CPUID_MAX_EXT ? r[EAX] : NVMX_CPUID_MAX_EXT;
		for (leaf = 0x80000000; leaf <= max_ext; leaf++)
			nvmx_cpuid_ext(&b, leaf, max_ext);
	}

	/*
	 * KVM's hypervisor leaves, with the paravirtual features nvmx
	 * implements: guests and VMMs find kvmclock where KVM has it.
	 */
	r[EAX] = NVMX_CPUID_KVM_FEATURES_LEAF;
	r[EBX] = NVMX_CPUID_KVM_SIG_EBX;
	r[ECX] = NVMX_CPUID_KVM_SIG_ECX;
	r[EDX] = NVMX_CPUID_KVM_SIG_EDX;
	nvmx_cpuid_put(&b, NVMX_CPUID_SIGNATURE_LEAF, 0, r);
	r[EAX] = NVMX_KVM_FEATURES;
	r[EBX] = 0;
	r[ECX] = 0;
	r[EDX] = 0;
	nvmx_cpuid_put(&b, NVMX_CPUID_KVM_FEATURES_LEAF, 0, r);

	*nent = b.count;
	return b.count > max ? -E2BIG : 0;
}

/* The first entry for @leaf whatever its index, as KVM's own lookups. */
static const struct kvm_cpuid_entry2 *
nvmx_cpuid_first(const struct kvm_cpuid_entry2 *e, u32 nent, u32 leaf)
{
	u32 i;

	for (i = 0; i < nent; i++)
		if (e[i].function == leaf)
			return &e[i];
	return NULL;
}

int nvmx_cpuid_check(const struct kvm_cpuid_entry2 *e, u32 nent)
{
	const struct kvm_cpuid_entry2 *ent;
	u32 vbits;

	if (nent > NVMX_CPUID_MAX_ENTRIES)
		return -E2BIG;
	/* Canonical-address checks know 48- and 57-bit linear addresses. */
	ent = nvmx_cpuid_first(e, nent, 0x80000008);
	if (ent) {
		vbits = (ent->eax >> 8) & 0xff;
		if (vbits != 0 && vbits != 48 && vbits != 57)
			return -EINVAL;
	}
	return 0;
}

bool nvmx_cpuid_equal(const struct kvm_cpuid_entry2 *a, u32 na,
		      const struct kvm_cpuid_entry2 *b, u32 nb)
{
	u32 i;

	if (na != nb)
		return false;
	for (i = 0; i < na; i++) {
		if (a[i].function != b[i].function || a[i].index != b[i].index ||
		    a[i].flags != b[i].flags || a[i].eax != b[i].eax ||
		    a[i].ebx != b[i].ebx || a[i].ecx != b[i].ecx ||
		    a[i].edx != b[i].edx)
			return false;
	}
	return true;
}

const struct kvm_cpuid_entry2 *nvmx_cpuid_find(const struct kvm_cpuid_entry2 *e,
					       u32 nent, u32 leaf, u32 subleaf)
{
	u32 i;

	for (i = 0; i < nent; i++) {
		if (e[i].function != leaf)
			continue;
		if (!(e[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ||
		    e[i].index == subleaf)
			return &e[i];
	}
	return NULL;
}

/* AMD and Hygon answer zero for leaves out of range; vendor from leaf 0. */
static bool nvmx_cpuid_vendor_amd(const struct kvm_cpuid_entry2 *l0)
{
	return (l0->ebx == 0x68747541 && l0->edx == 0x69746e65 &&
		l0->ecx == 0x444d4163) ||	/* AuthenticAMD */
	       (l0->ebx == 0x6f677948 && l0->edx == 0x6e65476e &&
		l0->ecx == 0x656e6975);		/* HygonGenuine */
}

/*
 * Whether @leaf lies outside the ranges the table declares. Ranges: basic
 * (leaf 0 gives the maximum), extended (0x80000000), Centaur (0xc0000000
 * and up) and hypervisor leaves, where each block of 0x100 leaves is its
 * own range (VMMs stack several interfaces, e.g. Hyper-V's then KVM's).
 * A range whose first leaf is missing is out of range as a whole.
 */
static bool nvmx_cpuid_out_of_range(const struct kvm_cpuid_entry2 *e,
				    u32 nent, u32 leaf)
{
	const struct kvm_cpuid_entry2 *base;
	u32 first;

	if (leaf >= 0x40000000 && leaf <= 0x4fffffff)
		first = leaf & 0xffffff00;
	else if (leaf >= 0xc0000000)
		first = 0xc0000000;
	else
		first = leaf & 0x80000000;
	base = nvmx_cpuid_first(e, nent, first);
	return !base || leaf > base->eax;
}

/* The standard (@compacted false) or compacted size of XSAVE for @mask. */
static u32 nvmx_cpuid_xsave_size(const struct kvm_cpuid_entry2 *e, u32 nent,
				 u64 mask, bool compacted)
{
	const struct kvm_cpuid_entry2 *c;
	u64 size = NVMX_XSAVE_LEGACY_SIZE;
	u32 i;

	for (i = 2; i < 64; i++) {
		if (!(mask & BIT_ULL(i)))
			continue;
		c = nvmx_cpuid_find(e, nent, 0xd, i);
		if (!c || !c->eax)
			continue;
		if (!compacted) {
			if ((u64)c->ebx + c->eax > size)
				size = (u64)c->ebx + c->eax;
			continue;
		}
		if (c->ecx & 2)
			size = nvmx_align64(size);
		size += c->eax;
	}
	return (u32)size;
}

/* Bits that follow guest state, for the entry (@leaf, @subleaf) returned. */
static void nvmx_cpuid_dynamic(const struct kvm_cpuid_entry2 *e, u32 nent,
			       u32 leaf, u32 subleaf,
			       const struct nvmx_cpuid_state *st,
			       u32 r[NVMX_CPUID_NR_REGS])
{
	if (leaf == 0x1) {
		r[ECX] &= ~NVMX_CPUID_1_ECX_OSXSAVE;
		if (st->cr4 & NVMX_CPUID_CR4_OSXSAVE)
			r[ECX] |= NVMX_CPUID_1_ECX_OSXSAVE;
		if (!st->apic_enabled)
			r[EDX] &= ~NVMX_CPUID_1_EDX_APIC;
	} else if (leaf == 0x7 && subleaf == 0) {
		r[ECX] &= ~NVMX_CPUID_7_ECX_OSPKE;
		if ((st->cr4 & NVMX_CPUID_CR4_PKE) && (r[ECX] & NVMX_CPUID_7_ECX_PKU))
			r[ECX] |= NVMX_CPUID_7_ECX_OSPKE;
	} else if (leaf == 0xd && subleaf == 0) {
		r[EBX] = nvmx_cpuid_xsave_size(e, nent, st->xcr0, false);
	} else if (leaf == 0xd && subleaf == 1 &&
		   (r[EAX] & (NVMX_CPUID_D_1_EAX_XSAVEC | NVMX_CPUID_D_1_EAX_XSAVES))) {
		r[EBX] = nvmx_cpuid_xsave_size(e, nent, st->xcr0 | st->xss, true);
	}
}

void nvmx_cpuid_lookup(const struct kvm_cpuid_entry2 *e, u32 nent,
		       u32 leaf, u32 subleaf, const struct nvmx_cpuid_state *st,
		       u32 regs[NVMX_CPUID_NR_REGS])
{
	const struct kvm_cpuid_entry2 *ent, *basic;

	ent = nvmx_cpuid_find(e, nent, leaf, subleaf);
	if (!ent) {
		basic = nvmx_cpuid_first(e, nent, 0x0);
		if (basic && !nvmx_cpuid_vendor_amd(basic) &&
		    nvmx_cpuid_out_of_range(e, nent, leaf)) {
			/* The highest basic leaf, still with the caller's ECX. */
			leaf = basic->eax;
			ent = nvmx_cpuid_find(e, nent, leaf, subleaf);
		}
	}

	if (!ent) {
		regs[EAX] = 0;
		regs[EBX] = 0;
		regs[ECX] = 0;
		regs[EDX] = 0;
		/*
		 * Topology leaves answer every subleaf: past the last level,
		 * an invalid level that still echoes ECX[7:0] and gives the
		 * x2APIC ID. Subleaf 1 exists whenever the leaf is in use.
		 */
		if (leaf == 0xb || leaf == 0x1f) {
			ent = nvmx_cpuid_find(e, nent, leaf, 1);
			if (ent) {
				regs[ECX] = subleaf & 0xff;
				regs[EDX] = ent->edx;
			}
		}
		return;
	}

	regs[EAX] = ent->eax;
	regs[EBX] = ent->ebx;
	regs[ECX] = ent->ecx;
	regs[EDX] = ent->edx;
	/* An entry for any subleaf stands for its leaf's subleaf 0. */
	if (st)
		nvmx_cpuid_dynamic(e, nent, leaf,
				   (ent->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX) ?
				   ent->index : 0, st, regs);
}
