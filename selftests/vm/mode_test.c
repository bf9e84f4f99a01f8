// SPDX-License-Identifier: GPL-2.0
/*
 * Guests beyond real mode, set up with raw ioctls: 32-bit protected mode
 * (flat segments, no paging), 32-bit PAE paging and 64-bit long mode, with
 * the GDT, IDT and page tables the host writes into guest memory
 * (guest32.S, guest64.S). Each IDT vector of 0-31 goes to a stub that
 * reports the vector on port 0xe0 and halts. What they check: MOV CR0/CR4
 * faults, CR4 bits against the guest's CPUID, CR0.CD/NW, the CR0 value at
 * RESET, the TLB flush of a CR4.PGE toggle, PAE PDPTE loading, XSETBV's
 * checks, and the SYSCALL MSRs being the guest's own. $NVMX_TEST_DEV picks
 * the device (default /dev/nvmx), so the same binary runs on kvm_intel.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "nvmx_test.h"

#define ENTRY(name) extern const unsigned char name[]
ENTRY(g32_start);
ENTRY(g32_wr_cr0);
ENTRY(g32_wr_cr4);
ENTRY(g32_cd_nw);
ENTRY(g32_xsetbv);
ENTRY(g32_store);
ENTRY(g32_cr3_store);
ENTRY(g32_pge);
ENTRY(g32_end);
ENTRY(g16_read_cr0);
ENTRY(g16_read_cr0_end);
ENTRY(g64_start);
ENTRY(g64_wr_cr0);
ENTRY(g64_wr_cr4);
ENTRY(g64_cd_nw);
ENTRY(g64_xsetbv);
ENTRY(g64_rdmsr);
ENTRY(g64_wrmsr);
ENTRY(g64_swapgs);
ENTRY(g64_syscall);
ENTRY(g64_syscall_ret);
ENTRY(g64_sys_handler);
ENTRY(g64_sys_handler_end);
ENTRY(g64_end);

/* Guest-physical layout; the page tables map 0-2 MiB one to one. */
#define MEM_SIZE	0x200000
#define GDT_GPA		0x1000
#define IDT_GPA		0x2000
#define STUB_GPA	0x3000		/* 16 bytes per vector */
#define PML4_GPA	0x4000
#define PDPT64_GPA	0x5000
#define PD_GPA		0x6000
#define PT_GPA		0x7000
#define PDPT_D_GPA	0x8000		/* PAE: VA 1 GiB -> PAGE_D */
#define PDPT_C_GPA	0x8020		/* PAE: VA 1 GiB -> PAGE_C */
#define PD_D_GPA	0x9000
#define PT_D_GPA	0xa000
#define PD_C_GPA	0xb000
#define PT_C_GPA	0xc000
#define STACK_TOP	0x10000
#define CODE32_GPA	0x10000
#define CODE64_GPA	0x18000
#define REAL_CODE_GPA	0x1000
#define PAGE_A		0x20000
#define PAGE_B		0x21000
#define PAGE_C		0x22000
#define PAGE_D		0x23000
#define GLOBAL_VA	0x30000		/* a global PTE, PAGE_A at first */
#define HIGH_VA		0x40000000	/* mapped by PDPTE 1 only */

#define SEL_CODE32	0x08
#define SEL_DATA	0x10
#define SEL_CODE64	0x18
#define SEL_DATA64	0x20		/* SYSCALL's SS: STAR's CS + 8 */

#define BIT_ULL(n)	(1ULL << (n))

#define PTE_P		0x1ULL
#define PTE_RW		0x2ULL
#define PTE_A		0x20ULL
#define PTE_D		0x40ULL
#define PTE_G		0x100ULL
#define PTE_LEAF	(PTE_P | PTE_RW | PTE_A | PTE_D)

#define CR0_PE		BIT_ULL(0)
#define CR0_ET		BIT_ULL(4)
#define CR0_NE		BIT_ULL(5)
#define CR0_NW		BIT_ULL(29)
#define CR0_CD		BIT_ULL(30)
#define CR0_PG		BIT_ULL(31)
#define CR4_PAE		BIT_ULL(5)
#define CR4_PGE		BIT_ULL(7)
#define CR4_OSFXSR	BIT_ULL(9)
#define CR4_LA57	BIT_ULL(12)
#define CR4_PCIDE	BIT_ULL(17)
#define CR4_OSXSAVE	BIT_ULL(18)
#define EFER_SCE	BIT_ULL(0)
#define EFER_LME	BIT_ULL(8)
#define EFER_LMA	BIT_ULL(10)
/* STAR[47:32]: SYSCALL's CS (and CS + 8 its SS). */
#define STAR_CS(sel)	((__u64)(sel) << 32)
#define RFLAGS_DF	0x400ULL

#define MSR_GS_BASE		0xc0000101
#define MSR_KERNEL_GS_BASE	0xc0000102
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084

#define PORT_VAL	0x10
#define PORT_VAL_HI	0x11
#define PORT_VECTOR	0xe0

#define GP_VECTOR	13
#define UD_VECTOR	6

enum mode { PROT32, PAE32, LONG64 };

struct vm {
	int dev, vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	unsigned char *mem;
	enum mode mode;
};

/* What one guest call reported: values on PORT_VAL, or an exception. */
struct result {
	int n;
	__u64 v[8];
	int vector;
};

struct gregs {
	__u64 rax, rbx, rcx, rdx, rsi;
};

struct cpuid {
	struct kvm_cpuid2 hdr;
	struct kvm_cpuid_entry2 e[256];
};

static __u64 at32(const unsigned char *p)
{
	return CODE32_GPA + (p - g32_start);
}

static __u64 at64(const unsigned char *p)
{
	return CODE64_GPA + (p - g64_start);
}

/* A snippet that exists in both blobs, for the vCPU's mode. */
#define SNIP(v, name) ((v)->mode == LONG64 ? at64(g64_##name) : at32(g32_##name))

static bool is_nvmx(void)
{
	return !strcmp(test_dev(), NVMX_DEV);
}

static struct kvm_cpuid_entry2 *cpuid_find(struct cpuid *c, __u32 fn, __u32 idx)
{
	__u32 i;

	for (i = 0; i < c->hdr.nent; i++)
		if (c->e[i].function == fn && c->e[i].index == idx)
			return &c->e[i];
	return NULL;
}

static void supported_cpuid(struct __test_metadata *_metadata, struct cpuid *c)
{
	int dev = open(test_dev(), O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, dev) TH_LOG("%s: %s", test_dev(), strerror(errno));
	c->hdr.nent = 256;
	ASSERT_EQ(0, ioctl(dev, KVM_GET_SUPPORTED_CPUID, c));
	close(dev);
}

/* One page-table and descriptor-table setup serves every mode. */
static void write_tables(unsigned char *mem, enum mode mode)
{
	__u64 *pml4 = (void *)(mem + PML4_GPA), *pdpt64 = (void *)(mem + PDPT64_GPA);
	__u64 *pd = (void *)(mem + PD_GPA), *pt = (void *)(mem + PT_GPA);
	__u64 *pdpt_d = (void *)(mem + PDPT_D_GPA), *pdpt_c = (void *)(mem + PDPT_C_GPA);
	__u64 *gdt = (void *)(mem + GDT_GPA);
	unsigned int i;

	gdt[1] = 0x00cf9b000000ffffULL;		/* 32-bit code, flat */
	gdt[2] = 0x00cf93000000ffffULL;		/* data, flat */
	gdt[3] = 0x00af9b000000ffffULL;		/* 64-bit code */
	gdt[4] = 0x00cf93000000ffffULL;

	for (i = 0; i < 512; i++)
		pt[i] = (i << 12) | PTE_LEAF;
	pt[GLOBAL_VA >> 12] = PAGE_A | PTE_LEAF | PTE_G;
	pd[0] = PT_GPA | PTE_P | PTE_RW | PTE_A;
	pdpt64[0] = PD_GPA | PTE_P | PTE_RW | PTE_A;
	pml4[0] = PDPT64_GPA | PTE_P | PTE_RW | PTE_A;
	/* PAE PDPTEs have only P and the address (the rest is reserved). */
	pdpt_d[0] = PD_GPA | PTE_P;
	pdpt_d[1] = PD_D_GPA | PTE_P;
	pdpt_c[0] = PD_GPA | PTE_P;
	pdpt_c[1] = PD_C_GPA | PTE_P;
	*(__u64 *)(mem + PD_D_GPA) = PT_D_GPA | PTE_P | PTE_RW | PTE_A;
	*(__u64 *)(mem + PT_D_GPA) = PAGE_D | PTE_LEAF;
	*(__u64 *)(mem + PD_C_GPA) = PT_C_GPA | PTE_P | PTE_RW | PTE_A;
	*(__u64 *)(mem + PT_C_GPA) = PAGE_C | PTE_LEAF;

	/* Vector N: "mov $N, %al; out %al, $0xe0; hlt" behind an interrupt gate. */
	for (i = 0; i < 32; i++) {
		__u64 h = STUB_GPA + i * 16;
		unsigned char *s = mem + h;

		s[0] = 0xb0;
		s[1] = i;
		s[2] = 0xe6;
		s[3] = PORT_VECTOR;
		s[4] = 0xf4;
		if (mode == LONG64) {
			__u32 *g = (void *)(mem + IDT_GPA + i * 16);

			g[0] = (h & 0xffff) | (SEL_CODE64 << 16);
			g[1] = (h & 0xffff0000) | 0x8e00;
			g[2] = h >> 32;
			g[3] = 0;
		} else {
			__u32 *g = (void *)(mem + IDT_GPA + i * 8);

			g[0] = (h & 0xffff) | (SEL_CODE32 << 16);
			g[1] = (h & 0xffff0000) | 0x8e00;
		}
	}
	memcpy(mem + CODE32_GPA, g32_start, g32_end - g32_start);
	memcpy(mem + CODE64_GPA, g64_start, g64_end - g64_start);
	/* SYSCALL with LSTAR = 0 lands here. */
	memcpy(mem, g64_sys_handler, g64_sys_handler_end - g64_sys_handler);
}

/* A VM with memory and one vCPU whose CPUID is @c. */
static void vm_open(struct __test_metadata *_metadata, struct vm *v,
		    struct cpuid *c)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = MEM_SIZE,
	};

	v->vm = -1;
	v->vcpu = -1;
	v->dev = open(test_dev(), O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, v->dev) TH_LOG("%s: %s", test_dev(), strerror(errno));
	v->vm = ioctl(v->dev, KVM_CREATE_VM, 0);
	ASSERT_LE(0, v->vm);
	v->mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, v->mem);
	region.userspace_addr = (unsigned long)v->mem;
	ASSERT_EQ(0, ioctl(v->vm, KVM_SET_USER_MEMORY_REGION, &region));
	v->vcpu = ioctl(v->vm, KVM_CREATE_VCPU, 0);
	ASSERT_LE(0, v->vcpu);
	v->run_size = ioctl(v->dev, KVM_GET_VCPU_MMAP_SIZE, 0);
	v->run = mmap(NULL, v->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      v->vcpu, 0);
	ASSERT_NE(MAP_FAILED, v->run);
	ASSERT_EQ(0, ioctl(v->vcpu, KVM_SET_CPUID2, c));
}

static void vm_close(struct vm *v)
{
	if (v->run && v->run != MAP_FAILED)
		munmap(v->run, v->run_size);
	if (v->mem && v->mem != MAP_FAILED)
		munmap(v->mem, MEM_SIZE);
	/* Zeroed by the harness: 0 is no fd of ours. */
	if (v->vcpu > 0)
		close(v->vcpu);
	if (v->vm > 0)
		close(v->vm);
	if (v->dev > 0)
		close(v->dev);
}

static void flat(struct kvm_segment *s, __u16 sel, __u8 type, bool l)
{
	memset(s, 0, sizeof(*s));
	s->limit = 0xffffffff;
	s->selector = sel;
	s->type = type;
	s->present = 1;
	s->s = 1;
	s->db = !l;
	s->l = l;
	s->g = 1;
}

/* Puts the vCPU in @mode with CR3 = @cr3, straight from KVM_SET_SREGS. */
static void vm_enter(struct __test_metadata *_metadata, struct vm *v,
		     enum mode mode, __u64 cr3)
{
	struct kvm_sregs s;

	v->mode = mode;
	write_tables(v->mem, mode);
	ASSERT_EQ(0, ioctl(v->vcpu, KVM_GET_SREGS, &s));
	flat(&s.cs, mode == LONG64 ? SEL_CODE64 : SEL_CODE32, 0xb, mode == LONG64);
	flat(&s.ds, SEL_DATA, 3, false);
	s.es = s.ds;
	s.fs = s.ds;
	s.gs = s.ds;
	s.ss = s.ds;
	s.gdt.base = GDT_GPA;
	s.gdt.limit = 5 * 8 - 1;
	s.idt.base = IDT_GPA;
	s.idt.limit = 32 * (mode == LONG64 ? 16 : 8) - 1;
	s.cr0 = CR0_PE | CR0_ET | CR0_NE | (mode == PROT32 ? 0 : CR0_PG);
	s.cr4 = mode == PROT32 ? 0 : CR4_PAE;
	s.cr3 = cr3;
	s.efer = mode == LONG64 ? EFER_LME | EFER_LMA | EFER_SCE : 0;
	ASSERT_EQ(0, ioctl(v->vcpu, KVM_SET_SREGS, &s))
		TH_LOG("mode %d: %s", mode, strerror(errno));
}

static __u64 default_cr3(enum mode mode)
{
	return mode == LONG64 ? PML4_GPA : mode == PAE32 ? PDPT_D_GPA : 0;
}

/* Runs until HLT, collecting what the guest reports. */
static void run_to_hlt(struct __test_metadata *_metadata, struct vm *v,
		       struct result *r)
{
	unsigned int i;

	memset(r, 0, sizeof(*r));
	r->vector = -1;
	for (i = 0; i < 64; i++) {
		struct kvm_run *run = v->run;
		__u64 val = 0;

		ASSERT_EQ(0, ioctl(v->vcpu, KVM_RUN, 0)) TH_LOG("%s", strerror(errno));
		if (run->exit_reason == KVM_EXIT_HLT)
			return;
		ASSERT_EQ(KVM_EXIT_IO, run->exit_reason)
			TH_LOG("exit reason %u (fail_entry 0x%llx)", run->exit_reason,
			       (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		ASSERT_EQ(KVM_EXIT_IO_OUT, run->io.direction);
		ASSERT_GE(8, run->io.size);
		memcpy(&val, (unsigned char *)run + run->io.data_offset, run->io.size);
		if (run->io.port == PORT_VAL) {
			ASSERT_GT(8, r->n);
			r->v[r->n++] = val;
		} else if (run->io.port == PORT_VAL_HI) {
			ASSERT_LT(0, r->n);
			r->v[r->n - 1] |= val << 32;
		} else {
			ASSERT_EQ(PORT_VECTOR, run->io.port);
			r->vector = val;
		}
	}
	ASSERT_TRUE(false) TH_LOG("no HLT after 64 exits");
}

/* Runs the snippet at @rip with @g in the GPRs. */
static void call(struct __test_metadata *_metadata, struct vm *v, __u64 rip,
		 struct gregs g, struct result *r)
{
	struct kvm_regs regs;

	memset(&regs, 0, sizeof(regs));
	regs.rip = rip;
	regs.rsp = STACK_TOP;
	regs.rflags = 2;
	regs.rax = g.rax;
	regs.rbx = g.rbx;
	regs.rcx = g.rcx;
	regs.rdx = g.rdx;
	regs.rsi = g.rsi;
	ASSERT_EQ(0, ioctl(v->vcpu, KVM_SET_REGS, &regs));
	run_to_hlt(_metadata, v, r);
}

static struct kvm_sregs sregs_of(struct __test_metadata *_metadata, struct vm *v)
{
	struct kvm_sregs s;

	memset(&s, 0, sizeof(s));
	EXPECT_EQ(0, ioctl(v->vcpu, KVM_GET_SREGS, &s));
	return s;
}

/*
 * MOV CR@cr, @val: the guest must take @vector and keep the old value,
 * or (@vector -1) take none and read back @readback, as must
 * KVM_GET_SREGS.
 */
static void mov_cr(struct __test_metadata *_metadata, struct vm *v, int cr,
		   __u64 val, int vector, __u64 readback)
{
	__u64 before = cr ? sregs_of(_metadata, v).cr4 : sregs_of(_metadata, v).cr0;
	struct kvm_sregs after;
	struct result r;

	call(_metadata, v, cr ? SNIP(v, wr_cr4) : SNIP(v, wr_cr0),
	     (struct gregs){ .rax = val }, &r);
	after = sregs_of(_metadata, v);
	EXPECT_EQ(vector, r.vector) TH_LOG("mode %d: MOV CR%d, 0x%llx", v->mode,
					   cr, (unsigned long long)val);
	if (vector >= 0) {
		EXPECT_EQ(before, cr ? after.cr4 : after.cr0)
			TH_LOG("mode %d: CR%d changed by a faulting MOV of 0x%llx",
			       v->mode, cr, (unsigned long long)val);
		return;
	}
	ASSERT_EQ(1, r.n);
	EXPECT_EQ(readback, r.v[0]) TH_LOG("mode %d: MOV CR%d, 0x%llx read back",
					   v->mode, cr, (unsigned long long)val);
	EXPECT_EQ(readback, cr ? after.cr4 : after.cr0)
		TH_LOG("mode %d: KVM_GET_SREGS after MOV CR%d, 0x%llx", v->mode,
		       cr, (unsigned long long)val);
}

FIXTURE(mode) {
	struct vm v;
	struct cpuid c;
};

FIXTURE_VARIANT(mode) {
	enum mode mode;
};

FIXTURE_VARIANT_ADD(mode, prot32) { .mode = PROT32 };
FIXTURE_VARIANT_ADD(mode, pae32) { .mode = PAE32 };
FIXTURE_VARIANT_ADD(mode, long64) { .mode = LONG64 };

FIXTURE_SETUP(mode)
{
	supported_cpuid(_metadata, &self->c);
	vm_open(_metadata, &self->v, &self->c);
	vm_enter(_metadata, &self->v, variant->mode, default_cr3(variant->mode));
}

FIXTURE_TEARDOWN(mode)
{
	vm_close(&self->v);
}

TEST_F(mode, cr0_bad_values_gp)
{
	__u64 cr0 = sregs_of(_metadata, &self->v).cr0;

	mov_cr(_metadata, &self->v, 0, cr0 | CR0_NW, GP_VECTOR, 0);
	mov_cr(_metadata, &self->v, 0, (cr0 | CR0_PG) & ~CR0_PE, GP_VECTOR, 0);
	if (variant->mode == LONG64) {
		mov_cr(_metadata, &self->v, 0, cr0 | 1ULL << 32, GP_VECTOR, 0);
		mov_cr(_metadata, &self->v, 0, cr0 | 1ULL << 63, GP_VECTOR, 0);
		/* Paging off in 64-bit code. */
		mov_cr(_metadata, &self->v, 0, cr0 & ~CR0_PG, GP_VECTOR, 0);
	}
	/* The same MOV with a good value does not fault. */
	mov_cr(_metadata, &self->v, 0, cr0 | CR0_CD, -1, cr0 | CR0_CD);
	mov_cr(_metadata, &self->v, 0, cr0, -1, cr0);
}

/* CR0[31:0]'s reserved bits do not fault; KVM drops them. */
TEST_F(mode, cr0_reserved_low_bits_are_dropped)
{
	__u64 cr0 = sregs_of(_metadata, &self->v).cr0;

	mov_cr(_metadata, &self->v, 0, cr0 | 1 << 6 | 1 << 17 | 1 << 28, -1, cr0);
}

TEST_F(mode, cr4_reserved_bits_gp)
{
	__u64 cr4 = sregs_of(_metadata, &self->v).cr4;

	mov_cr(_metadata, &self->v, 4, cr4 | 1 << 15, GP_VECTOR, 0);
	mov_cr(_metadata, &self->v, 4, cr4 | 1ULL << 31, GP_VECTOR, 0);
	if (variant->mode == LONG64) {
		mov_cr(_metadata, &self->v, 4, cr4 | 1ULL << 32, GP_VECTOR, 0);
		mov_cr(_metadata, &self->v, 4, cr4 | 1ULL << 63, GP_VECTOR, 0);
		mov_cr(_metadata, &self->v, 4, cr4 & ~CR4_PAE, GP_VECTOR, 0);
		mov_cr(_metadata, &self->v, 4, cr4 ^ CR4_LA57, GP_VECTOR, 0);
	}
	mov_cr(_metadata, &self->v, 4, cr4 | CR4_PGE, -1, cr4 | CR4_PGE);
	mov_cr(_metadata, &self->v, 4, cr4, -1, cr4);
}

/*
 * CR4.PCIDE, with PCID in CPUID: #GP outside long mode, and in long mode
 * while CR3[11:0] is not 0.
 */
TEST_F(mode, pcide_needs_long_mode_and_pcid_0)
{
	struct kvm_cpuid_entry2 *e1 = cpuid_find(&self->c, 1, 0);
	struct kvm_sregs s = sregs_of(_metadata, &self->v);

	ASSERT_NE(NULL, e1);
	if (!(e1->ecx & 1U << 17))
		SKIP(return, "no PCID in the supported CPUID");
	if (variant->mode != LONG64) {
		mov_cr(_metadata, &self->v, 4, s.cr4 | CR4_PCIDE, GP_VECTOR, 0);
		return;
	}
	s.cr3 |= 1;
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_SET_SREGS, &s));
	mov_cr(_metadata, &self->v, 4, s.cr4 | CR4_PCIDE, GP_VECTOR, 0);
	s.cr3 &= ~0xfffULL;
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_SET_SREGS, &s));
	mov_cr(_metadata, &self->v, 4, s.cr4 | CR4_PCIDE, -1, s.cr4 | CR4_PCIDE);
	mov_cr(_metadata, &self->v, 4, s.cr4, -1, s.cr4);
}

/* CR4 bits that need a CPUID feature, as KVM checks them. */
static const struct {
	const char *name;
	__u64 cr4;
	__u32 fn, reg, bit;	/* reg: 1 EBX, 2 ECX */
	bool long_only;
} cr4_features[] = {
	{ "OSXSAVE",	1ULL << 18, 1, 2, 26, false },
	{ "PCIDE",	1ULL << 17, 1, 2, 17, true },
	{ "FSGSBASE",	1ULL << 16, 7, 1, 0, false },
	{ "SMEP",	1ULL << 20, 7, 1, 7, false },
	{ "SMAP",	1ULL << 21, 7, 1, 20, false },
	{ "UMIP",	1ULL << 11, 7, 2, 2, false },
	{ "PKE",	1ULL << 22, 7, 2, 3, false },
};

static __u32 *cpuid_reg(struct kvm_cpuid_entry2 *e, __u32 reg)
{
	return reg == 1 ? &e->ebx : &e->ecx;
}

/*
 * Each bit with the supported CPUID works; with the feature cleared from
 * the guest's CPUID it is #GP; a bit the host lacks is #GP even when the
 * guest's CPUID claims it.
 */
TEST_F(mode, cr4_bits_follow_guest_cpuid)
{
	__u64 cr4 = sregs_of(_metadata, &self->v).cr4;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cr4_features); i++) {
		struct kvm_cpuid_entry2 *e;
		struct cpuid *c;
		struct vm v2;
		bool has;

		if (cr4_features[i].long_only && variant->mode != LONG64)
			continue;
		e = cpuid_find(&self->c, cr4_features[i].fn, 0);
		ASSERT_NE(NULL, e);
		has = *cpuid_reg(e, cr4_features[i].reg) & 1U << cr4_features[i].bit;
		fprintf(stderr, "# %s: host %s it\n", cr4_features[i].name,
			has ? "has" : "lacks");
		if (has) {
			mov_cr(_metadata, &self->v, 4, cr4 | cr4_features[i].cr4, -1,
			       cr4 | cr4_features[i].cr4);
			mov_cr(_metadata, &self->v, 4, cr4, -1, cr4);
		}

		/* A vCPU's CPUID cannot change once it ran: a new VM. */
		c = malloc(sizeof(*c));
		ASSERT_NE(NULL, c);
		memcpy(c, &self->c, sizeof(*c));
		e = cpuid_find(c, cr4_features[i].fn, 0);
		*cpuid_reg(e, cr4_features[i].reg) ^= 1U << cr4_features[i].bit;
		memset(&v2, 0, sizeof(v2));
		vm_open(_metadata, &v2, c);
		vm_enter(_metadata, &v2, variant->mode, default_cr3(variant->mode));
		mov_cr(_metadata, &v2, 4, cr4 | cr4_features[i].cr4, GP_VECTOR, 0);
		vm_close(&v2);
		free(c);
	}
}

/* CD=1 NW=1 is legal; the guest and KVM_GET_SREGS see what it wrote. */
TEST_F(mode, cd_nw_read_back)
{
	__u64 cr0 = sregs_of(_metadata, &self->v).cr0;
	struct result r;

	ASSERT_EQ(0, cr0 & (CR0_CD | CR0_NW));
	call(_metadata, &self->v, SNIP(&self->v, cd_nw), (struct gregs){}, &r);
	EXPECT_EQ(-1, r.vector);
	ASSERT_EQ(1, r.n);
	EXPECT_EQ(cr0 | CR0_CD | CR0_NW, r.v[0]);
	EXPECT_EQ(cr0 | CR0_CD | CR0_NW, sregs_of(_metadata, &self->v).cr0);
	run_to_hlt(_metadata, &self->v, &r);
	EXPECT_EQ(-1, r.vector);
	ASSERT_EQ(1, r.n);
	EXPECT_EQ(cr0, r.v[0]);
	EXPECT_EQ(cr0, sregs_of(_metadata, &self->v).cr0);
}

static void xsetbv(struct __test_metadata *_metadata, struct vm *v, __u32 index,
		   __u64 val, int vector)
{
	struct result r;

	call(_metadata, v, SNIP(v, xsetbv), (struct gregs){
		.rcx = index, .rax = (__u32)val, .rdx = val >> 32 }, &r);
	EXPECT_EQ(vector, r.vector) TH_LOG("mode %d: XSETBV %u, 0x%llx", v->mode,
					   index, (unsigned long long)val);
	if (vector < 0 && r.n == 1)
		EXPECT_EQ(val, (__u32)r.v[0]) TH_LOG("XGETBV after 0x%llx",
						     (unsigned long long)val);
}

TEST_F(mode, xsetbv_checks)
{
	struct kvm_cpuid_entry2 *e1 = cpuid_find(&self->c, 1, 0);
	struct kvm_cpuid_entry2 *ed = cpuid_find(&self->c, 0xd, 0);
	struct kvm_sregs s;
	__u64 xcr0;

	ASSERT_NE(NULL, e1);
	if (!(e1->ecx & 1U << 26) || !ed)
		SKIP(return, "no XSAVE in the supported CPUID");
	xcr0 = ed->eax | (__u64)ed->edx << 32;
	ASSERT_EQ(3, xcr0 & 3);

	s = sregs_of(_metadata, &self->v);
	s.cr4 |= CR4_OSXSAVE | CR4_OSFXSR;
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_SET_SREGS, &s));
	xsetbv(_metadata, &self->v, 1, 1, GP_VECTOR);
	xsetbv(_metadata, &self->v, 0, 0, GP_VECTOR);
	xsetbv(_metadata, &self->v, 0, 2, GP_VECTOR);
	if (xcr0 & 4)
		xsetbv(_metadata, &self->v, 0, 1 | 4, GP_VECTOR);
	/* PT (8) is a supervisor state, never an XCR0 bit; 63 is reserved. */
	xsetbv(_metadata, &self->v, 0, 3 | 1 << 8, GP_VECTOR);
	xsetbv(_metadata, &self->v, 0, 3 | 1ULL << 63, GP_VECTOR);
	if (!(xcr0 & 1 << 9))
		xsetbv(_metadata, &self->v, 0, 3 | 1 << 9, GP_VECTOR);
	xsetbv(_metadata, &self->v, 0, 3, -1);
	xsetbv(_metadata, &self->v, 0, xcr0 & 7, -1);
	xsetbv(_metadata, &self->v, 0, 1, -1);

	s = sregs_of(_metadata, &self->v);
	s.cr4 &= ~CR4_OSXSAVE;
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_SET_SREGS, &s));
	xsetbv(_metadata, &self->v, 0, 3, UD_VECTOR);
}

/* At RESET, before any KVM_SET_SREGS, CR0 is 0x60000010 for both sides. */
TEST(reset_cr0)
{
	struct kvm_sregs s;
	struct result r;
	struct cpuid c;
	struct kvm_regs regs;
	struct vm v;

	memset(&v, 0, sizeof(v));
	supported_cpuid(_metadata, &c);
	vm_open(_metadata, &v, &c);
	ASSERT_EQ(0, ioctl(v.vcpu, KVM_GET_SREGS, &s));
	EXPECT_EQ(0x60000010, s.cr0);
	/* Real mode at 0:REAL_CODE_GPA; CR0 untouched. */
	memcpy(v.mem + REAL_CODE_GPA, g16_read_cr0, g16_read_cr0_end - g16_read_cr0);
	s.cs.base = 0;
	s.cs.selector = 0;
	ASSERT_EQ(0, ioctl(v.vcpu, KVM_SET_SREGS, &s));
	memset(&regs, 0, sizeof(regs));
	regs.rip = REAL_CODE_GPA;
	regs.rflags = 2;
	ASSERT_EQ(0, ioctl(v.vcpu, KVM_SET_REGS, &regs));
	run_to_hlt(_metadata, &v, &r);
	EXPECT_EQ(-1, r.vector);
	ASSERT_EQ(1, r.n);
	EXPECT_EQ(0x60000010, r.v[0]);
	vm_close(&v);
}

/* Element 0 of the stat @name from a binary stats fd; -1 if none. */
static long long stat_get(int fd, const char *name)
{
	struct kvm_stats_header h;
	char buf[sizeof(struct kvm_stats_desc) + 256];
	struct kvm_stats_desc *d = (void *)buf;
	size_t dsz;
	__u32 i;
	__u64 val;

	if (pread(fd, &h, sizeof(h), 0) != sizeof(h) || h.name_size > 256)
		return -1;
	dsz = sizeof(*d) + h.name_size;
	for (i = 0; i < h.num_desc; i++) {
		if (pread(fd, d, dsz, h.desc_offset + i * dsz) != (ssize_t)dsz)
			return -1;
		if (strcmp(d->name, name))
			continue;
		if (pread(fd, &val, 8, h.data_offset + d->offset) != 8)
			return -1;
		return val;
	}
	return -1;
}

FIXTURE(pae) {
	struct vm v;
	struct cpuid c;
};

FIXTURE_SETUP(pae)
{
	supported_cpuid(_metadata, &self->c);
	vm_open(_metadata, &self->v, &self->c);
	vm_enter(_metadata, &self->v, PAE32, PDPT_D_GPA);
}

FIXTURE_TEARDOWN(pae)
{
	vm_close(&self->v);
}

/*
 * A global PTE rewritten without INVLPG: toggling CR4.PGE must flush it.
 * kvm_intel, and nvmx under its default policy table, let the guest own
 * CR4.PGE (no exit, the CPU flushes). On nvmx the VM's table here makes
 * PGE INTERCEPT: nvmx emulates the MOVs and must flush the VPID itself,
 * which the vCPU stat tlb_flush counts, so the stat is checked on nvmx.
 */
TEST_F(pae, pge_toggle_flushes_global_page)
{
	struct kvm_sregs s = sregs_of(_metadata, &self->v);
	struct nvmx_policy p = { .size = sizeof(p) };
	long long before, after;
	struct result r;
	int stats;

	if (is_nvmx()) {
		ASSERT_EQ(0, ioctl(self->v.vm, NVMX_GET_POLICY, &p));
		ASSERT_EQ(NVMX_POLICY_THROUGH, p.cr4[7]);
		p.cr4[7] = NVMX_POLICY_INTERCEPT;
		ASSERT_EQ(0, ioctl(self->v.vm, NVMX_SET_POLICY, &p));
	}

	*(__u32 *)(self->v.mem + PAGE_A) = 0xaaaaaaaa;
	*(__u32 *)(self->v.mem + PAGE_B) = 0xbbbbbbbb;
	s.cr4 |= CR4_PGE;
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_SET_SREGS, &s));
	stats = ioctl(self->v.vcpu, KVM_GET_STATS_FD, 0);
	ASSERT_LE(0, stats);

	call(_metadata, &self->v, at32(g32_pge), (struct gregs){
		.rsi = GLOBAL_VA, .rbx = PT_GPA + (GLOBAL_VA >> 12) * 8,
		.rcx = PAGE_B | PTE_LEAF | PTE_G }, &r);
	EXPECT_EQ(-1, r.vector);
	ASSERT_EQ(2, r.n);
	EXPECT_EQ(0xaaaaaaaa, r.v[0]);
	/* r.v[1] may be either page: the TLB may keep the old translation. */
	before = stat_get(stats, "tlb_flush");

	run_to_hlt(_metadata, &self->v, &r);
	EXPECT_EQ(-1, r.vector);
	ASSERT_EQ(1, r.n);
	EXPECT_EQ(0xbbbbbbbb, r.v[0]);
	after = stat_get(stats, "tlb_flush");
	fprintf(stderr, "# tlb_flush %lld -> %lld\n", before, after);
	if (is_nvmx()) {
		ASSERT_LE(0, before) TH_LOG("no vCPU stat tlb_flush");
		EXPECT_LT(before, after);
	}
	close(stats);
}

static void store_via_high_va(struct __test_metadata *_metadata, struct vm *v,
			      __u32 magic, __u64 want_page)
{
	__u64 other = want_page == PAGE_C ? PAGE_D : PAGE_C;
	struct result r;

	call(_metadata, v, at32(g32_store),
	     (struct gregs){ .rax = magic, .rsi = HIGH_VA }, &r);
	EXPECT_EQ(-1, r.vector);
	EXPECT_EQ(magic, *(__u32 *)(v->mem + want_page));
	EXPECT_NE(magic, *(__u32 *)(v->mem + other));
}

/* KVM_SET_SREGS changing CR3 within PAE paging loads the new PDPTEs. */
TEST_F(pae, pdptes_after_set_sregs)
{
	struct kvm_sregs s;

	store_via_high_va(_metadata, &self->v, 0x11111111, PAGE_D);
	s = sregs_of(_metadata, &self->v);
	s.cr3 = PDPT_C_GPA;
	ASSERT_EQ(0, ioctl(self->v.vcpu, KVM_SET_SREGS, &s));
	store_via_high_va(_metadata, &self->v, 0x22222222, PAGE_C);
}

/* From RESET straight into PAE paging: the first entry has the PDPTEs. */
TEST(pdptes_at_first_set_sregs)
{
	struct cpuid c;
	struct vm v;

	memset(&v, 0, sizeof(v));
	supported_cpuid(_metadata, &c);
	vm_open(_metadata, &v, &c);
	vm_enter(_metadata, &v, PAE32, PDPT_C_GPA);
	store_via_high_va(_metadata, &v, 0x33333333, PAGE_C);
	vm_close(&v);
}

/* The guest's MOV CR3 in PAE paging: its next access uses the new PDPT. */
TEST_F(pae, pdptes_after_guest_mov_cr3)
{
	struct result r;

	call(_metadata, &self->v, at32(g32_cr3_store), (struct gregs){
		.rax = 0x44444444, .rbx = PDPT_C_GPA, .rsi = HIGH_VA }, &r);
	EXPECT_EQ(-1, r.vector);
	EXPECT_EQ(0x44444444, *(__u32 *)(self->v.mem + PAGE_C));
	EXPECT_NE(0x44444444, *(__u32 *)(self->v.mem + PAGE_D));
	EXPECT_EQ(PDPT_C_GPA, sregs_of(_metadata, &self->v).cr3);
	call(_metadata, &self->v, at32(g32_cr3_store), (struct gregs){
		.rax = 0x55555555, .rbx = PDPT_D_GPA, .rsi = HIGH_VA }, &r);
	EXPECT_EQ(-1, r.vector);
	EXPECT_EQ(0x55555555, *(__u32 *)(self->v.mem + PAGE_D));
	EXPECT_EQ(0x44444444, *(__u32 *)(self->v.mem + PAGE_C));
}

FIXTURE(lm) {
	struct vm v;
	struct cpuid c;
};

FIXTURE_SETUP(lm)
{
	supported_cpuid(_metadata, &self->c);
	vm_open(_metadata, &self->v, &self->c);
	vm_enter(_metadata, &self->v, LONG64, PML4_GPA);
}

FIXTURE_TEARDOWN(lm)
{
	vm_close(&self->v);
}

static __u64 guest_rdmsr(struct __test_metadata *_metadata, struct vm *v,
			 __u32 index)
{
	struct result r;

	call(_metadata, v, at64(g64_rdmsr), (struct gregs){ .rcx = index }, &r);
	EXPECT_EQ(-1, r.vector) TH_LOG("RDMSR 0x%x", index);
	EXPECT_EQ(1, r.n);
	return r.v[0];
}

static void guest_wrmsr(struct __test_metadata *_metadata, struct vm *v,
			__u32 index, __u64 val, int vector)
{
	struct result r;

	call(_metadata, v, at64(g64_wrmsr), (struct gregs){
		.rcx = index, .rax = (__u32)val, .rdx = val >> 32 }, &r);
	EXPECT_EQ(vector, r.vector) TH_LOG("WRMSR 0x%x, 0x%llx", index,
					   (unsigned long long)val);
}

static __u64 host_msr(struct __test_metadata *_metadata, struct vm *v,
		      __u32 index)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[1];
	} m = { .hdr.nmsrs = 1, .e[0].index = index };

	EXPECT_EQ(1, ioctl(v->vcpu, KVM_GET_MSRS, &m)) TH_LOG("MSR 0x%x", index);
	return m.e[0].data;
}

struct msr_val {
	__u32 index;
	__u64 val;
};

static const __u32 syscall_msrs[] = {
	MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK, MSR_KERNEL_GS_BASE,
};

TEST_F(lm, syscall_msrs_start_at_zero)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(syscall_msrs); i++) {
		EXPECT_EQ(0, host_msr(_metadata, &self->v, syscall_msrs[i]))
			TH_LOG("MSR 0x%x", syscall_msrs[i]);
		EXPECT_EQ(0, guest_rdmsr(_metadata, &self->v, syscall_msrs[i]))
			TH_LOG("MSR 0x%x", syscall_msrs[i]);
	}
}

/*
 * Before the guest writes any SYSCALL MSR, SYSCALL uses its zeros: RIP 0
 * (where the host put a copy of the handler), CS 0, SS 8, no RFLAGS
 * masked. Running with the host's MSRs would jump into the host kernel's
 * address, which the guest does not map (#PF).
 */
TEST_F(lm, syscall_before_msrs_written)
{
	struct kvm_sregs s;
	struct result r;

	call(_metadata, &self->v, at64(g64_syscall), (struct gregs){}, &r);
	ASSERT_EQ(-1, r.vector) TH_LOG("SYSCALL with LSTAR 0 took vector %d",
				       r.vector);
	ASSERT_EQ(3, r.n);
	EXPECT_EQ(RFLAGS_DF, r.v[0] & RFLAGS_DF);
	EXPECT_EQ(at64(g64_syscall_ret), r.v[1]);
	EXPECT_EQ(RFLAGS_DF, r.v[2] & RFLAGS_DF);
	s = sregs_of(_metadata, &self->v);
	EXPECT_EQ(0, s.cs.selector);
	EXPECT_EQ(8, s.ss.selector);
}

/* SWAPGS before any KERNEL_GS_BASE write swaps with the guest's zero. */
TEST_F(lm, swapgs_before_msrs_written)
{
	struct result r;

	guest_wrmsr(_metadata, &self->v, MSR_GS_BASE, 0x1234000, -1);
	call(_metadata, &self->v, at64(g64_swapgs), (struct gregs){}, &r);
	EXPECT_EQ(-1, r.vector);
	EXPECT_EQ(0, guest_rdmsr(_metadata, &self->v, MSR_GS_BASE));
	EXPECT_EQ(0x1234000, guest_rdmsr(_metadata, &self->v, MSR_KERNEL_GS_BASE));
	EXPECT_EQ(0x1234000, host_msr(_metadata, &self->v, MSR_KERNEL_GS_BASE));
	EXPECT_EQ(0, sregs_of(_metadata, &self->v).gs.base);
}

TEST_F(lm, syscall_and_swapgs_use_guest_msrs)
{
	__u64 handler = at64(g64_sys_handler);
	const struct msr_val w[] = {
		{ MSR_STAR, STAR_CS(SEL_CODE64) },
		{ MSR_LSTAR, handler },
		{ MSR_CSTAR, 0xffffffff80001000ULL },
		{ MSR_SFMASK, RFLAGS_DF },
		{ MSR_KERNEL_GS_BASE, 0x5678000 },
		{ MSR_GS_BASE, 0x9abc000 },
	};
	struct kvm_sregs s;
	struct result r;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(w); i++)
		guest_wrmsr(_metadata, &self->v, w[i].index, w[i].val, -1);
	for (i = 0; i < ARRAY_SIZE(w); i++) {
		EXPECT_EQ(w[i].val, guest_rdmsr(_metadata, &self->v, w[i].index))
			TH_LOG("MSR 0x%x", w[i].index);
		EXPECT_EQ(w[i].val, host_msr(_metadata, &self->v, w[i].index))
			TH_LOG("MSR 0x%x", w[i].index);
	}

	call(_metadata, &self->v, at64(g64_syscall), (struct gregs){}, &r);
	ASSERT_EQ(-1, r.vector);
	ASSERT_EQ(3, r.n);
	EXPECT_EQ(0, r.v[0] & RFLAGS_DF) TH_LOG("SFMASK did not clear DF");
	EXPECT_EQ(at64(g64_syscall_ret), r.v[1]);
	EXPECT_EQ(RFLAGS_DF, r.v[2] & RFLAGS_DF);
	s = sregs_of(_metadata, &self->v);
	EXPECT_EQ(SEL_CODE64, s.cs.selector);
	EXPECT_EQ(SEL_DATA64, s.ss.selector);

	call(_metadata, &self->v, at64(g64_swapgs), (struct gregs){}, &r);
	EXPECT_EQ(-1, r.vector);
	EXPECT_EQ(0x5678000, guest_rdmsr(_metadata, &self->v, MSR_GS_BASE));
	EXPECT_EQ(0x9abc000, guest_rdmsr(_metadata, &self->v, MSR_KERNEL_GS_BASE));
	EXPECT_EQ(0x9abc000, host_msr(_metadata, &self->v, MSR_KERNEL_GS_BASE));
	EXPECT_EQ(0x5678000, sregs_of(_metadata, &self->v).gs.base);
}

/*
 * Non-canonical addresses in LSTAR, CSTAR and KERNEL_GS_BASE: #GP for the
 * guest, KVM_SET_MSRS stops at that entry, and the value stays. (SFMASK
 * bits 63:32 are not here: kvm_intel leaves that check to WRMSR on the
 * host CPU, and Bochs' CPU takes the value.)
 */
TEST_F(lm, syscall_msr_bad_values_gp)
{
	static const struct msr_val bad[] = {
		{ MSR_LSTAR, 0x0000800000000000ULL },
		{ MSR_CSTAR, 0xfff0000000000000ULL },
		{ MSR_KERNEL_GS_BASE, 0x0000800000001000ULL },
	};
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[2];
	} m;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		guest_wrmsr(_metadata, &self->v, bad[i].index, 0x1000, -1);
		guest_wrmsr(_metadata, &self->v, bad[i].index, bad[i].val, GP_VECTOR);
		EXPECT_EQ(0x1000, guest_rdmsr(_metadata, &self->v, bad[i].index))
			TH_LOG("MSR 0x%x", bad[i].index);

		memset(&m, 0, sizeof(m));
		m.hdr.nmsrs = 2;
		m.e[0].index = bad[i].index;
		m.e[0].data = 0x2000;
		m.e[1].index = bad[i].index;
		m.e[1].data = bad[i].val;
		EXPECT_EQ(1, ioctl(self->v.vcpu, KVM_SET_MSRS, &m))
			TH_LOG("KVM_SET_MSRS 0x%x = 0x%llx", bad[i].index,
			       (unsigned long long)bad[i].val);
		EXPECT_EQ(0x2000, host_msr(_metadata, &self->v, bad[i].index))
			TH_LOG("MSR 0x%x", bad[i].index);
	}
}

TEST_HARNESS_MAIN
