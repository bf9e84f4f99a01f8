/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 64-bit (long mode) guest snippets for mode_test.c, copied as one blob
 * to a guest-physical address; as in guest32.S, operands come in
 * registers. A 64-bit result goes out as two 32-bit OUTs: the low half on
 * port 0x10, the high half on port 0x11.
 */
	.section .rodata
	.code64

#define ENTRY(name)	.globl name; name:
#define OUT64			\
	outl	%eax, $0x10;	\
	shr	$32, %rax;	\
	outl	%eax, $0x11

ENTRY(g64_start)

ENTRY(g64_wr_cr0)
	mov	%rax, %cr0
	mov	%cr0, %rax
	OUT64
	hlt

ENTRY(g64_wr_cr4)
	mov	%rax, %cr4
	mov	%cr4, %rax
	OUT64
	hlt

ENTRY(g64_cd_nw)
	mov	%cr0, %rbx
	mov	%rbx, %rax
	or	$0x60000000, %rax
	mov	%rax, %cr0
	mov	%cr0, %rax
	OUT64
	hlt
	mov	%rbx, %cr0
	mov	%cr0, %rax
	OUT64
	hlt

ENTRY(g64_xsetbv)
	xsetbv
	xor	%ecx, %ecx
	xgetbv
	OUT64
	hlt

/* RDMSR ECX: the value as EDX:EAX. */
ENTRY(g64_rdmsr)
	rdmsr
	shl	$32, %rdx
	mov	%eax, %eax
	or	%rdx, %rax
	OUT64
	hlt

/* WRMSR ECX from EDX:EAX; ECX out as the sign it was taken. */
ENTRY(g64_wrmsr)
	wrmsr
	mov	%ecx, %eax
	outl	%eax, $0x10
	hlt

ENTRY(g64_swapgs)
	swapgs
	hlt

/*
 * SYSCALL with DF set (SFMASK may clear it). RCX must come back as the
 * address of g64_syscall_ret.
 */
ENTRY(g64_syscall)
	std
	syscall
ENTRY(g64_syscall_ret)
	hlt

/*
 * Where SYSCALL lands (LSTAR; the host copies it to 0 as well): RFLAGS,
 * RCX and R11 out, in that order.
 */
ENTRY(g64_sys_handler)
	pushfq
	pop	%rax
	cld
	OUT64
	mov	%rcx, %rax
	OUT64
	mov	%r11, %rax
	OUT64
	hlt
ENTRY(g64_sys_handler_end)

ENTRY(g64_end)

	.section .note.GNU-stack, "", @progbits
