/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Real-mode guest snippets for run_test.c, loaded at guest-physical 0x1000
 * with CS = DS = 0. Each ends in HLT (or loops); ports tell the host what
 * happened.
 */
	.section .rodata
	.code16

#define SNIPPET(name)	.globl name, name##_end; name:
#define END(name)	name##_end:

SNIPPET(g_out_hlt)
	mov	$0x42, %al
	out	%al, $0x80
	hlt
END(g_out_hlt)

SNIPPET(g_in_out)
	in	$0x10, %al
	out	%al, $0x11
	hlt
END(g_in_out)

/*
 * String I/O, 16-bit address size: REP INSB of CX = 2 (ECX bits 31:16 are
 * not the count and stay), then REP OUTSB of what came in.
 */
SNIPPET(g_strio16)
	cld
	mov	$0x3000, %di
	mov	$0x50002, %ecx
	mov	$0x511, %dx
	rep insb
	mov	$0x3000, %si
	mov	$2, %cx
	rep outsb
	hlt
END(g_strio16)

/* 0x8000 is outside the 16 KiB slot: MMIO. */
SNIPPET(g_mmio)
	mov	$0x77, %al
	mov	%al, 0x8000
	mov	0x8004, %al
	out	%al, $0x12
	mov	$0x1234, %ax
	mov	%ax, 0x8010
	movl	0x8020, %ebx
	mov	%ebx, %eax
	outl	%eax, $0x12
	hlt
END(g_mmio)

SNIPPET(g_int3)
	int3
END(g_int3)

/* An unknown MSR: #GP, whose real-mode vector points at gp_handler. */
SNIPPET(g_rdmsr)
	mov	$0x1234, %ecx
	rdmsr
	hlt
END(g_rdmsr)

SNIPPET(g_gp_handler)
	mov	$0x0d, %al
	out	%al, $0x13
	hlt
END(g_gp_handler)

SNIPPET(g_loop)
1:	jmp	1b
END(g_loop)

SNIPPET(g_loop_sti)
	sti
1:	jmp	1b
END(g_loop_sti)

SNIPPET(g_cpuid)
	xor	%eax, %eax
	cpuid
	mov	%ebx, %eax
	outl	%eax, $0x14
	hlt
END(g_cpuid)


/*
 * FPU across preemption: XMM3 holds EBX while the guest spins for ECX
 * loops (long enough to be preempted), then goes out on port 0x16.
 * Needs CR4.OSFXSR and CR0.EM clear.
 */
SNIPPET(g_fpu_keep)
	movd	%ebx, %xmm3
1:	dec	%ecx
	jnz	1b
	movd	%xmm3, %eax
	outl	%eax, $0x16
	hlt
END(g_fpu_keep)

/*
 * Concurrency: ECX exits to userspace (OUT 0x17) with a running count in
 * EAX, and the final count stored at 0x3000.
 */
SNIPPET(g_count_out)
	xor	%eax, %eax
1:	inc	%eax
	outl	%eax, $0x17
	dec	%ecx
	jnz	1b
	mov	%eax, 0x3000
	hlt
END(g_count_out)

/*
 * Benchmarks for exit_bench.c: N (in ECX at entry, kept in EBP) exits of
 * one kind between two RDTSCs; the TSC delta goes out on ports 0x40 (low)
 * and 0x41 (high). CPUID and RDMSR clobber EAX-EDX, so the start TSC and
 * the count live in ESI, EDI and EBP.
 */
#define BENCH_START		\
	mov	%ecx, %ebp;	\
	rdtsc;			\
	mov	%eax, %esi;	\
	mov	%edx, %edi

#define BENCH_END		\
	rdtsc;			\
	sub	%esi, %eax;	\
	sbb	%edi, %edx;	\
	outl	%eax, $0x40;	\
	mov	%edx, %eax;	\
	outl	%eax, $0x41;	\
	hlt

SNIPPET(g_bench_cpuid)
	BENCH_START
1:	xor	%eax, %eax
	xor	%ecx, %ecx
	cpuid
	dec	%ebp
	jnz	1b
	BENCH_END
END(g_bench_cpuid)

SNIPPET(g_bench_rdmsr)
	BENCH_START
1:	mov	$0x1b, %ecx		/* IA32_APIC_BASE: handled in the kernel */
	rdmsr
	dec	%ebp
	jnz	1b
	BENCH_END
END(g_bench_rdmsr)

SNIPPET(g_bench_pio)
	BENCH_START
1:	out	%al, $0x30		/* to userspace and back */
	dec	%ebp
	jnz	1b
	BENCH_END
END(g_bench_pio)

/* No exit in the loop: what the loop itself costs. */
SNIPPET(g_bench_none)
	BENCH_START
1:	nop
	dec	%ebp
	jnz	1b
	BENCH_END
END(g_bench_none)

	.section .note.GNU-stack, "", @progbits
