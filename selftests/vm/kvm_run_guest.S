/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guests for kvm_run_test.c, loaded at guest-physical 0x1000: one access
 * that exits to userspace (port 0x10 IN, 0x11 OUT, MMIO at 0xc000, outside
 * the memory slot), then HLT. r_* run in real mode with CS = DS = 0, l_* in
 * 64-bit mode on an identity map.
 */
	.section .rodata

#define SNIPPET(name)	.globl name, name##_end; name:
#define END(name)	name##_end:

	.code16
SNIPPET(r_in8)
	in	$0x10, %al
	hlt
END(r_in8)

SNIPPET(r_in16)
	in	$0x10, %ax
	hlt
END(r_in16)

SNIPPET(r_in32)
	in	$0x10, %eax
	hlt
END(r_in32)

SNIPPET(r_out8)
	out	%al, $0x11
	hlt
END(r_out8)

SNIPPET(r_out16)
	out	%ax, $0x11
	hlt
END(r_out16)

SNIPPET(r_out32)
	out	%eax, $0x11
	hlt
END(r_out32)

SNIPPET(r_mmio_rd8)
	mov	0xc000, %al
	hlt
END(r_mmio_rd8)

SNIPPET(r_mmio_rd16)
	mov	0xc000, %ax
	hlt
END(r_mmio_rd16)

SNIPPET(r_mmio_rd32)
	mov	0xc000, %eax
	hlt
END(r_mmio_rd32)

SNIPPET(r_mmio_wr8)
	mov	%al, 0xc000
	hlt
END(r_mmio_wr8)

	.code64
SNIPPET(l_mmio_rd8)
	mov	0xc000, %al
	hlt
END(l_mmio_rd8)

SNIPPET(l_mmio_rd16)
	mov	0xc000, %ax
	hlt
END(l_mmio_rd16)

SNIPPET(l_mmio_rd32)
	mov	0xc000, %eax
	hlt
END(l_mmio_rd32)

SNIPPET(l_mmio_rd64)
	mov	0xc000, %rax
	hlt
END(l_mmio_rd64)

SNIPPET(l_mmio_wr64)
	mov	%rax, 0xc000
	hlt
END(l_mmio_wr64)

	.section .note.GNU-stack, "", @progbits
