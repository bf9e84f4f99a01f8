/* SPDX-License-Identifier: GPL-2.0 */
/*
 * 32-bit protected-mode guest snippets for mode_test.c, copied as one
 * blob to a guest-physical address (the host computes each entry point
 * from its offset). They run with flat segments, with or without PAE
 * paging. Nothing here has an absolute address: the host passes every
 * operand in a register. Results go out on port 0x10 (one value each);
 * an exception is reported by the host's IDT stubs on port 0xe0.
 */
	.section .rodata
	.code32

#define ENTRY(name)	.globl name; name:
#define OUTV		outl %eax, $0x10

ENTRY(g32_start)

/* MOV CR0/CR4 from EAX, then what the guest reads back. */
ENTRY(g32_wr_cr0)
	mov	%eax, %cr0
	mov	%cr0, %eax
	OUTV
	hlt

ENTRY(g32_wr_cr4)
	mov	%eax, %cr4
	mov	%cr4, %eax
	OUTV
	hlt

/*
 * CD=1 NW=1 and what reads back; HLT so the host can look; then the
 * original CR0 again and what reads back.
 */
ENTRY(g32_cd_nw)
	mov	%cr0, %ebx
	mov	%ebx, %eax
	or	$0x60000000, %eax
	mov	%eax, %cr0
	mov	%cr0, %eax
	OUTV
	hlt
	mov	%ebx, %cr0
	mov	%cr0, %eax
	OUTV
	hlt

/* XSETBV of ECX, EDX:EAX; then XCR0 as XGETBV reads it. */
ENTRY(g32_xsetbv)
	xsetbv
	xor	%ecx, %ecx
	xgetbv
	OUTV
	hlt

/* Stores EAX at [ESI] and says so. */
ENTRY(g32_store)
	mov	%eax, (%esi)
	OUTV
	hlt

/* Loads CR3 from EBX, then stores EAX at [ESI]. */
ENTRY(g32_cr3_store)
	mov	%ebx, %cr3
	mov	%eax, (%esi)
	OUTV
	hlt

/*
 * PGE toggle: read [ESI]; write ECX to the PTE at [EBX] without INVLPG;
 * read [ESI] again (old or new page: either is architectural); HLT for
 * the host; then clear and set CR4.PGE and read [ESI] a last time, which
 * must come from the new page.
 */
ENTRY(g32_pge)
	mov	(%esi), %eax
	OUTV
	mov	%ecx, (%ebx)
	mov	(%esi), %eax
	OUTV
	hlt
	mov	%cr4, %edx
	xor	$0x80, %edx
	mov	%edx, %cr4
	xor	$0x80, %edx
	mov	%edx, %cr4
	mov	(%esi), %eax
	OUTV
	hlt

ENTRY(g32_end)

/* Real mode, at RESET: CR0 as the guest reads it. */
	.code16
ENTRY(g16_read_cr0)
	mov	%cr0, %eax
	outl	%eax, $0x10
	hlt
ENTRY(g16_read_cr0_end)

	.section .note.GNU-stack, "", @progbits
