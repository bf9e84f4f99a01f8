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


	.section .note.GNU-stack, "", @progbits
