// SPDX-License-Identifier: GPL-2.0
/*
 * Unit tests of src/emulate.c, the MMIO instruction decoder, built for
 * userspace with ASan and UBSan. The encodings were assembled with GNU as
 * and their lengths checked with objdump.
 */
#include <string.h>

#include "kselftest_harness.h"
#include "emulate.h"

#define R16	NVMX_MODE_REAL16
#define P16	NVMX_MODE_PROT16
#define P32	NVMX_MODE_PROT32
#define L64	NVMX_MODE_LONG64

#define BYTES(...) .bytes = { __VA_ARGS__ }, .nbytes = sizeof((u8[]){ __VA_ARGS__ })

/* Expected fields; seg is the override's letter, 0 for none. */
struct decode_case {
	const char *name;
	enum nvmx_cpu_mode mode;
	u8 bytes[NVMX_INSN_MAX_LEN];
	u8 nbytes;
	u8 size;
	u8 dst_size;
	u8 reg;
	u8 addr_size;
	char seg;
	bool is_write;
	bool has_imm;
	bool high_byte;
	bool sign_extend;
	u64 imm;
};

/* The length of every case is its byte count. */
static const struct decode_case decode_cases[] = {
	/* 64-bit mode, 88/89: stores of registers. */
	{ "mov %al,(%rax)", L64, BYTES(0x88, 0x00),
	  .size = 1, .reg = 0, .addr_size = 8, .is_write = true },
	{ "mov %ah,(%rbx)", L64, BYTES(0x88, 0x23),
	  .size = 1, .reg = 0, .high_byte = true, .addr_size = 8, .is_write = true },
	{ "mov %sil,(%rdi)", L64, BYTES(0x40, 0x88, 0x37),
	  .size = 1, .reg = 6, .addr_size = 8, .is_write = true },
	{ "mov %r8b,(%rax)", L64, BYTES(0x44, 0x88, 0x00),
	  .size = 1, .reg = 8, .addr_size = 8, .is_write = true },
	{ "mov %dil,(%rdx) with REX.W: still 8-bit", L64, BYTES(0x48, 0x88, 0x3a),
	  .size = 1, .reg = 7, .addr_size = 8, .is_write = true },
	{ "mov %eax,0x10(%rdx)", L64, BYTES(0x89, 0x42, 0x10),
	  .size = 4, .reg = 0, .addr_size = 8, .is_write = true },
	{ "mov %rax,0x12345678(%rbx)", L64,
	  BYTES(0x48, 0x89, 0x83, 0x78, 0x56, 0x34, 0x12),
	  .size = 8, .reg = 0, .addr_size = 8, .is_write = true },
	{ "mov %r15d,0x0(%r13)", L64, BYTES(0x45, 0x89, 0x7d, 0x00),
	  .size = 4, .reg = 15, .addr_size = 8, .is_write = true },
	{ "mov %ecx,(%rsp)", L64, BYTES(0x89, 0x0c, 0x24),
	  .size = 4, .reg = 1, .addr_size = 8, .is_write = true },
	{ "mov %ecx,0x8(%rsp,%rsi,4)", L64, BYTES(0x89, 0x4c, 0xb4, 0x08),
	  .size = 4, .reg = 1, .addr_size = 8, .is_write = true },
	{ "mov %ecx,0x0(,%rsi,4)", L64, BYTES(0x89, 0x0c, 0xb5, 0, 0, 0, 0),
	  .size = 4, .reg = 1, .addr_size = 8, .is_write = true },
	{ "mov %ecx,0x0(,%r13,4)", L64, BYTES(0x42, 0x89, 0x0c, 0xad, 0, 0, 0, 0),
	  .size = 4, .reg = 1, .addr_size = 8, .is_write = true },
	{ "SIB base 5 with REX.B, mod 0: no base, disp32", L64,
	  BYTES(0x41, 0x89, 0x0c, 0x25, 0x78, 0x56, 0x34, 0x12),
	  .size = 4, .reg = 1, .addr_size = 8, .is_write = true },
	{ "mov %ecx,0x0(%rbp)", L64, BYTES(0x89, 0x4d, 0x00),
	  .size = 4, .reg = 1, .addr_size = 8, .is_write = true },
	{ "mov %ecx,0x0(%r13)", L64, BYTES(0x41, 0x89, 0x4d, 0x00),
	  .size = 4, .reg = 1, .addr_size = 8, .is_write = true },
	{ "mov %ecx,0x12(%r12,%r13,8)", L64, BYTES(0x43, 0x89, 0x4c, 0xec, 0x12),
	  .size = 4, .reg = 1, .addr_size = 8, .is_write = true },
	{ "mov %ecx,0x12(%rbp,%r12,8)", L64, BYTES(0x42, 0x89, 0x4c, 0xe5, 0x12),
	  .size = 4, .reg = 1, .addr_size = 8, .is_write = true },
	{ "mov %ecx,0x1234(%rax,%rbx) disp32 SIB", L64,
	  BYTES(0x89, 0x8c, 0x18, 0x34, 0x12, 0, 0),
	  .size = 4, .reg = 1, .addr_size = 8, .is_write = true },
	/* 66 and REX.W: REX.W wins; REX before 66 is not REX. */
	{ "66 REX mov %ax,(%rax)", L64, BYTES(0x66, 0x40, 0x89, 0x00),
	  .size = 2, .reg = 0, .addr_size = 8, .is_write = true },
	{ "66 REX.W mov %rax,(%rax)", L64, BYTES(0x66, 0x48, 0x89, 0x00),
	  .size = 8, .reg = 0, .addr_size = 8, .is_write = true },
	{ "REX.W 66: REX ignored, mov %ax,(%rax)", L64, BYTES(0x48, 0x66, 0x89, 0x00),
	  .size = 2, .reg = 0, .addr_size = 8, .is_write = true },
	{ "REX.R 2E: REX ignored", L64, BYTES(0x44, 0x2e, 0x89, 0x00),
	  .size = 4, .reg = 0, .addr_size = 8, .seg = 'c', .is_write = true },
	{ "REX 3E then mov %ah: high byte again", L64, BYTES(0x40, 0x3e, 0x88, 0x20),
	  .size = 1, .reg = 0, .high_byte = true, .addr_size = 8, .seg = 'd',
	  .is_write = true },
	{ "two REX: the last counts", L64, BYTES(0x4c, 0x40, 0x89, 0x00),
	  .size = 4, .reg = 0, .addr_size = 8, .is_write = true },
	/* 64-bit mode, 8A/8B: loads. */
	{ "mov 0x100(%rip),%edx", L64, BYTES(0x8b, 0x15, 0x00, 0x01, 0x00, 0x00),
	  .size = 4, .dst_size = 4, .reg = 2, .addr_size = 8 },
	{ "mov 0x100(%eip),%edx", L64, BYTES(0x67, 0x8b, 0x15, 0x00, 0x01, 0x00, 0x00),
	  .size = 4, .dst_size = 4, .reg = 2, .addr_size = 4 },
	{ "mov 0x100(%rip),%eax with REX.B", L64,
	  BYTES(0x41, 0x8b, 0x05, 0x00, 0x01, 0x00, 0x00),
	  .size = 4, .dst_size = 4, .reg = 0, .addr_size = 8 },
	{ "mov (%rdx),%bh", L64, BYTES(0x8a, 0x3a),
	  .size = 1, .dst_size = 1, .reg = 3, .high_byte = true, .addr_size = 8 },
	{ "mov (%rdx),%dil", L64, BYTES(0x40, 0x8a, 0x3a),
	  .size = 1, .dst_size = 1, .reg = 7, .addr_size = 8 },
	{ "mov (%rax),%r12b", L64, BYTES(0x44, 0x8a, 0x20),
	  .size = 1, .dst_size = 1, .reg = 12, .addr_size = 8 },
	{ "mov (%rax),%ax", L64, BYTES(0x66, 0x8b, 0x00),
	  .size = 2, .dst_size = 2, .reg = 0, .addr_size = 8 },
	{ "mov (%rax),%r9w", L64, BYTES(0x66, 0x44, 0x8b, 0x08),
	  .size = 2, .dst_size = 2, .reg = 9, .addr_size = 8 },
	{ "mov (%rax),%rax", L64, BYTES(0x48, 0x8b, 0x00),
	  .size = 8, .dst_size = 8, .reg = 0, .addr_size = 8 },
	{ "mov (%ecx),%eax", L64, BYTES(0x67, 0x8b, 0x01),
	  .size = 4, .dst_size = 4, .reg = 0, .addr_size = 4 },
	{ "mov %fs:(%rax),%eax", L64, BYTES(0x64, 0x8b, 0x00),
	  .size = 4, .dst_size = 4, .reg = 0, .addr_size = 8, .seg = 'f' },
	/* 64-bit mode, C6/C7: stores of immediates. */
	{ "movb $0x80,(%rax)", L64, BYTES(0xc6, 0x00, 0x80),
	  .size = 1, .addr_size = 8, .is_write = true, .has_imm = true, .imm = 0x80 },
	{ "movw $0x8001,0x10(%rax)", L64, BYTES(0x66, 0xc7, 0x40, 0x10, 0x01, 0x80),
	  .size = 2, .addr_size = 8, .is_write = true, .has_imm = true, .imm = 0x8001 },
	{ "movl $0xdeadbeef,(%rax)", L64, BYTES(0xc7, 0x00, 0xef, 0xbe, 0xad, 0xde),
	  .size = 4, .addr_size = 8, .is_write = true, .has_imm = true,
	  .imm = 0xdeadbeef },
	{ "movq $-2,(%rax)", L64, BYTES(0x48, 0xc7, 0x00, 0xfe, 0xff, 0xff, 0xff),
	  .size = 8, .addr_size = 8, .is_write = true, .has_imm = true,
	  .imm = 0xfffffffffffffffeULL },
	{ "movq $0x7fffffff,0x12345678(%rip)", L64,
	  BYTES(0x48, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12, 0xff, 0xff, 0xff, 0x7f),
	  .size = 8, .addr_size = 8, .is_write = true, .has_imm = true,
	  .imm = 0x7fffffff },
	{ "66 REX.W movq $0x4030201,(%rax)", L64,
	  BYTES(0x66, 0x48, 0xc7, 0x00, 0x01, 0x02, 0x03, 0x04),
	  .size = 8, .addr_size = 8, .is_write = true, .has_imm = true,
	  .imm = 0x04030201 },
	{ "movl $1,%gs:(%rax)", L64, BYTES(0x65, 0xc7, 0x00, 0x01, 0x00, 0x00, 0x00),
	  .size = 4, .addr_size = 8, .seg = 'g', .is_write = true, .has_imm = true,
	  .imm = 1 },
	{ "longest: 4 prefixes, REX.W C7 disp32 imm32", L64,
	  BYTES(0x26, 0x2e, 0x36, 0x3e, 0x48, 0xc7, 0x80, 0x01, 0x02, 0x03, 0x04,
		0x00, 0x00, 0x00, 0x80),
	  .size = 8, .addr_size = 8, .seg = 'd', .is_write = true, .has_imm = true,
	  .imm = 0xffffffff80000000ULL },
	/* 64-bit mode, A0-A3: 8-byte offsets, 4 with 67. */
	{ "movabs 0x1122334455667788,%al", L64,
	  BYTES(0xa0, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  .size = 1, .dst_size = 1, .reg = 0, .addr_size = 8 },
	{ "movabs 0x1122334455667788,%eax", L64,
	  BYTES(0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  .size = 4, .dst_size = 4, .reg = 0, .addr_size = 8 },
	{ "movabs 0x1122334455667788,%rax", L64,
	  BYTES(0x48, 0xa1, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  .size = 8, .dst_size = 8, .reg = 0, .addr_size = 8 },
	{ "movabs %ax,0x1122334455667788", L64,
	  BYTES(0x66, 0xa3, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  .size = 2, .reg = 0, .addr_size = 8, .is_write = true },
	{ "movabs %al,0x... with REX.B: still AL", L64,
	  BYTES(0x41, 0xa2, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11),
	  .size = 1, .reg = 0, .addr_size = 8, .is_write = true },
	{ "addr32 mov 0x11223344,%eax", L64, BYTES(0x67, 0xa1, 0x44, 0x33, 0x22, 0x11),
	  .size = 4, .dst_size = 4, .reg = 0, .addr_size = 4 },
	/* 64-bit mode, MOVZX, MOVSX, MOVSXD. */
	{ "movzbl (%rax),%ecx", L64, BYTES(0x0f, 0xb6, 0x08),
	  .size = 1, .dst_size = 4, .reg = 1, .addr_size = 8 },
	{ "movzbw (%rax),%cx", L64, BYTES(0x66, 0x0f, 0xb6, 0x08),
	  .size = 1, .dst_size = 2, .reg = 1, .addr_size = 8 },
	{ "movzbq (%rax),%r10", L64, BYTES(0x4c, 0x0f, 0xb6, 0x10),
	  .size = 1, .dst_size = 8, .reg = 10, .addr_size = 8 },
	{ "movzbl (%rax),%esi: no high byte for movzx", L64, BYTES(0x0f, 0xb6, 0x30),
	  .size = 1, .dst_size = 4, .reg = 6, .addr_size = 8 },
	{ "movzwl (%rax),%edx", L64, BYTES(0x0f, 0xb7, 0x10),
	  .size = 2, .dst_size = 4, .reg = 2, .addr_size = 8 },
	{ "movzwq (%rax),%rdx", L64, BYTES(0x48, 0x0f, 0xb7, 0x10),
	  .size = 2, .dst_size = 8, .reg = 2, .addr_size = 8 },
	{ "movsbl (%rax),%ecx", L64, BYTES(0x0f, 0xbe, 0x08),
	  .size = 1, .dst_size = 4, .reg = 1, .addr_size = 8, .sign_extend = true },
	{ "movsbq (%rax),%rcx", L64, BYTES(0x48, 0x0f, 0xbe, 0x08),
	  .size = 1, .dst_size = 8, .reg = 1, .addr_size = 8, .sign_extend = true },
	{ "movswl (%rax),%ecx", L64, BYTES(0x0f, 0xbf, 0x08),
	  .size = 2, .dst_size = 4, .reg = 1, .addr_size = 8, .sign_extend = true },
	{ "movswq (%rax),%rcx", L64, BYTES(0x48, 0x0f, 0xbf, 0x08),
	  .size = 2, .dst_size = 8, .reg = 1, .addr_size = 8, .sign_extend = true },
	{ "movslq (%rax),%rcx", L64, BYTES(0x48, 0x63, 0x08),
	  .size = 4, .dst_size = 8, .reg = 1, .addr_size = 8, .sign_extend = true },
	{ "movslq 0x10(%rax),%r11", L64, BYTES(0x4c, 0x63, 0x58, 0x10),
	  .size = 4, .dst_size = 8, .reg = 11, .addr_size = 8, .sign_extend = true },
	{ "movsxd without REX.W: a 32-bit move", L64, BYTES(0x63, 0x08),
	  .size = 4, .dst_size = 4, .reg = 1, .addr_size = 8 },
	{ "66 movsxd: a 16-bit move", L64, BYTES(0x66, 0x63, 0x08),
	  .size = 2, .dst_size = 2, .reg = 1, .addr_size = 8 },

	/* 32-bit code. */
	{ "mov %al,(%eax)", P32, BYTES(0x88, 0x00),
	  .size = 1, .reg = 0, .addr_size = 4, .is_write = true },
	{ "mov %dh,0x10(%ebx)", P32, BYTES(0x88, 0x73, 0x10),
	  .size = 1, .reg = 2, .high_byte = true, .addr_size = 4, .is_write = true },
	{ "mov %ecx,(%esp)", P32, BYTES(0x89, 0x0c, 0x24),
	  .size = 4, .reg = 1, .addr_size = 4, .is_write = true },
	{ "mov %ecx,0x0(,%esi,4)", P32, BYTES(0x89, 0x0c, 0xb5, 0, 0, 0, 0),
	  .size = 4, .reg = 1, .addr_size = 4, .is_write = true },
	{ "mov %ecx,0x12345678", P32, BYTES(0x89, 0x0d, 0x78, 0x56, 0x34, 0x12),
	  .size = 4, .reg = 1, .addr_size = 4, .is_write = true },
	{ "mov %ecx,0x0(%ebp)", P32, BYTES(0x89, 0x4d, 0x00),
	  .size = 4, .reg = 1, .addr_size = 4, .is_write = true },
	{ "mov 0x12(%ebp,%esi,8),%ax", P32, BYTES(0x66, 0x8b, 0x44, 0xf5, 0x12),
	  .size = 2, .dst_size = 2, .reg = 0, .addr_size = 4 },
	{ "movl $0x12345678,0x11223344", P32,
	  BYTES(0xc7, 0x05, 0x44, 0x33, 0x22, 0x11, 0x78, 0x56, 0x34, 0x12),
	  .size = 4, .addr_size = 4, .is_write = true, .has_imm = true,
	  .imm = 0x12345678 },
	{ "movw $0x1234,(%eax)", P32, BYTES(0x66, 0xc7, 0x00, 0x34, 0x12),
	  .size = 2, .addr_size = 4, .is_write = true, .has_imm = true, .imm = 0x1234 },
	{ "mov 0x11223344,%eax", P32, BYTES(0xa1, 0x44, 0x33, 0x22, 0x11),
	  .size = 4, .dst_size = 4, .reg = 0, .addr_size = 4 },
	{ "mov 0x11223344,%al", P32, BYTES(0xa0, 0x44, 0x33, 0x22, 0x11),
	  .size = 1, .dst_size = 1, .reg = 0, .addr_size = 4 },
	{ "mov %ax,0x11223344", P32, BYTES(0x66, 0xa3, 0x44, 0x33, 0x22, 0x11),
	  .size = 2, .reg = 0, .addr_size = 4, .is_write = true },
	{ "addr16 mov 0x1122,%eax", P32, BYTES(0x67, 0xa1, 0x22, 0x11),
	  .size = 4, .dst_size = 4, .reg = 0, .addr_size = 2 },
	{ "addr16 mov (%bx,%si),%ecx", P32, BYTES(0x67, 0x8b, 0x08),
	  .size = 4, .dst_size = 4, .reg = 1, .addr_size = 2 },
	{ "addr16 mov 0x1234,%ecx", P32, BYTES(0x67, 0x8b, 0x0e, 0x34, 0x12),
	  .size = 4, .dst_size = 4, .reg = 1, .addr_size = 2 },
	{ "addr16 mov 0x12(%bp),%ecx", P32, BYTES(0x67, 0x8b, 0x4e, 0x12),
	  .size = 4, .dst_size = 4, .reg = 1, .addr_size = 2 },
	{ "addr16 mov 0x1234(%bp,%di),%ecx", P32, BYTES(0x67, 0x8b, 0x8b, 0x34, 0x12),
	  .size = 4, .dst_size = 4, .reg = 1, .addr_size = 2 },
	{ "movzbl (%eax),%ecx", P32, BYTES(0x0f, 0xb6, 0x08),
	  .size = 1, .dst_size = 4, .reg = 1, .addr_size = 4 },
	{ "movswl (%eax),%ecx", P32, BYTES(0x0f, 0xbf, 0x08),
	  .size = 2, .dst_size = 4, .reg = 1, .addr_size = 4, .sign_extend = true },
	{ "mov %es:(%eax),%ecx", P32, BYTES(0x26, 0x8b, 0x08),
	  .size = 4, .dst_size = 4, .reg = 1, .addr_size = 4, .seg = 'e' },

	/* 16-bit code: real mode and 16-bit protected mode alike. */
	{ "mov %al,(%bx)", R16, BYTES(0x88, 0x07),
	  .size = 1, .reg = 0, .addr_size = 2, .is_write = true },
	{ "mov %ax,(%bx,%si)", R16, BYTES(0x89, 0x00),
	  .size = 2, .reg = 0, .addr_size = 2, .is_write = true },
	{ "mov %eax,(%bx)", R16, BYTES(0x66, 0x89, 0x07),
	  .size = 4, .reg = 0, .addr_size = 2, .is_write = true },
	{ "mov 0x1234,%cx", R16, BYTES(0x8b, 0x0e, 0x34, 0x12),
	  .size = 2, .dst_size = 2, .reg = 1, .addr_size = 2 },
	{ "mov 0x12(%bp),%cx", P16, BYTES(0x8b, 0x4e, 0x12),
	  .size = 2, .dst_size = 2, .reg = 1, .addr_size = 2 },
	{ "mov 0x1234(%bp,%di),%cx", R16, BYTES(0x8b, 0x8b, 0x34, 0x12),
	  .size = 2, .dst_size = 2, .reg = 1, .addr_size = 2 },
	{ "mov %ch,0x1234", R16, BYTES(0x88, 0x2e, 0x34, 0x12),
	  .size = 1, .reg = 1, .high_byte = true, .addr_size = 2, .is_write = true },
	{ "movw $0x1234,(%di)", R16, BYTES(0xc7, 0x05, 0x34, 0x12),
	  .size = 2, .addr_size = 2, .is_write = true, .has_imm = true, .imm = 0x1234 },
	{ "movl $0x12345678,(%di)", P16, BYTES(0x66, 0xc7, 0x05, 0x78, 0x56, 0x34, 0x12),
	  .size = 4, .addr_size = 2, .is_write = true, .has_imm = true,
	  .imm = 0x12345678 },
	{ "movb $0x12,0x10(%bx)", R16, BYTES(0xc6, 0x47, 0x10, 0x12),
	  .size = 1, .addr_size = 2, .is_write = true, .has_imm = true, .imm = 0x12 },
	{ "mov 0x1234,%ax", R16, BYTES(0xa1, 0x34, 0x12),
	  .size = 2, .dst_size = 2, .reg = 0, .addr_size = 2 },
	{ "mov 0x1234,%eax", R16, BYTES(0x66, 0xa1, 0x34, 0x12),
	  .size = 4, .dst_size = 4, .reg = 0, .addr_size = 2 },
	{ "addr32 mov 0x11223344,%ax", R16, BYTES(0x67, 0xa1, 0x44, 0x33, 0x22, 0x11),
	  .size = 2, .dst_size = 2, .reg = 0, .addr_size = 4 },
	{ "mov (%eax),%cx", R16, BYTES(0x67, 0x8b, 0x08),
	  .size = 2, .dst_size = 2, .reg = 1, .addr_size = 4 },
	{ "mov (%esp),%cx", R16, BYTES(0x67, 0x8b, 0x0c, 0x24),
	  .size = 2, .dst_size = 2, .reg = 1, .addr_size = 4 },
	{ "movzbw (%si),%ax", R16, BYTES(0x0f, 0xb6, 0x04),
	  .size = 1, .dst_size = 2, .reg = 0, .addr_size = 2 },
	{ "movzbl (%si),%eax", R16, BYTES(0x66, 0x0f, 0xb6, 0x04),
	  .size = 1, .dst_size = 4, .reg = 0, .addr_size = 2 },
	{ "movsbw (%si),%ax", P16, BYTES(0x0f, 0xbe, 0x04),
	  .size = 1, .dst_size = 2, .reg = 0, .addr_size = 2, .sign_extend = true },
	{ "mov %ss:(%bx),%ax", R16, BYTES(0x36, 0x8b, 0x07),
	  .size = 2, .dst_size = 2, .reg = 0, .addr_size = 2, .seg = 's' },
};

static u8 seg_letter(u8 seg)
{
	static const char letters[] = "ecsdfg";

	return seg < NVMX_SEG_NONE ? letters[seg] : 0;
}

TEST(decode_known_encodings)
{
	u8 buf[NVMX_INSN_MAX_LEN + 8];
	struct nvmx_mmio_insn insn;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(decode_cases); i++) {
		const struct decode_case *c = &decode_cases[i];

		/* Trailing bytes must not change the result. */
		memset(buf, 0x90, sizeof(buf));
		memcpy(buf, c->bytes, c->nbytes);
		ASSERT_EQ(0, nvmx_decode_mmio(buf, sizeof(buf), c->mode, &insn))
			TH_LOG("%s", c->name);
		EXPECT_EQ(c->nbytes, insn.len) TH_LOG("%s", c->name);
		EXPECT_EQ(c->size, insn.size) TH_LOG("%s", c->name);
		EXPECT_EQ(c->is_write ? 0 : c->dst_size, insn.dst_size)
			TH_LOG("%s", c->name);
		EXPECT_EQ(c->has_imm ? 0 : c->reg, insn.reg) TH_LOG("%s", c->name);
		EXPECT_EQ(c->addr_size, insn.addr_size) TH_LOG("%s", c->name);
		EXPECT_EQ(c->seg, seg_letter(insn.seg)) TH_LOG("%s", c->name);
		EXPECT_EQ(c->is_write, insn.is_write) TH_LOG("%s", c->name);
		EXPECT_EQ(c->has_imm, insn.has_imm) TH_LOG("%s", c->name);
		EXPECT_EQ(c->high_byte, insn.high_byte) TH_LOG("%s", c->name);
		EXPECT_EQ(c->sign_extend, insn.sign_extend) TH_LOG("%s", c->name);
		EXPECT_EQ(c->imm, insn.imm) TH_LOG("%s", c->name);

		/* Exactly the instruction's bytes are enough. */
		EXPECT_EQ(0, nvmx_decode_mmio(c->bytes, c->nbytes, c->mode, &insn))
			TH_LOG("%s", c->name);
		EXPECT_EQ(c->nbytes, insn.len) TH_LOG("%s", c->name);
	}
}

TEST(decode_truncated_is_enodata)
{
	struct nvmx_mmio_insn insn;
	unsigned int avail;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(decode_cases); i++) {
		const struct decode_case *c = &decode_cases[i];

		/* Every proper prefix of an instruction is too short. */
		for (avail = 0; avail < c->nbytes; avail++)
			EXPECT_EQ(-ENODATA, nvmx_decode_mmio(c->bytes, avail, c->mode, &insn))
				TH_LOG("%s, %u bytes", c->name, avail);
	}
}

/* The longest table case with one more prefix: 16 bytes. */
static const u8 sixteen[] = {
	0x64, 0x26, 0x2e, 0x36, 0x3e, 0x48, 0xc7, 0x80, 0x01, 0x02,
	0x03, 0x04, 0x00, 0x00, 0x00, 0x80,
};

TEST(decode_len_limit)
{
	u8 buf[32];
	struct nvmx_mmio_insn insn;

	/* 13 prefixes, 89 00: 15 bytes, the most there may be. */
	memset(buf, 0x66, sizeof(buf));
	buf[13] = 0x89;
	buf[14] = 0x00;
	ASSERT_EQ(0, nvmx_decode_mmio(buf, sizeof(buf), NVMX_MODE_LONG64, &insn));
	EXPECT_EQ(15, insn.len);
	EXPECT_EQ(2, insn.size);

	/* 14 prefixes: the ModRM byte would be the 16th. */
	memset(buf, 0x66, sizeof(buf));
	buf[14] = 0x89;
	buf[15] = 0x00;
	EXPECT_EQ(-E2BIG, nvmx_decode_mmio(buf, sizeof(buf), NVMX_MODE_LONG64, &insn));
	/* Only 15 prefixes: too long, however many bytes there are. */
	memset(buf, 0x66, sizeof(buf));
	EXPECT_EQ(-E2BIG, nvmx_decode_mmio(buf, 15, NVMX_MODE_LONG64, &insn));
	EXPECT_EQ(-E2BIG, nvmx_decode_mmio(buf, sizeof(buf), NVMX_MODE_PROT32, &insn));
	/* Fewer bytes than 15 and no end: truncated, not too long. */
	EXPECT_EQ(-ENODATA, nvmx_decode_mmio(buf, 14, NVMX_MODE_LONG64, &insn));

	/* The imm32's last byte is the 16th: 15 bytes are not enough. */
	EXPECT_EQ(-E2BIG, nvmx_decode_mmio(sixteen, sizeof(sixteen), NVMX_MODE_LONG64, &insn));
	EXPECT_EQ(-E2BIG, nvmx_decode_mmio(sixteen, 15, NVMX_MODE_LONG64, &insn));
	EXPECT_EQ(-ENODATA, nvmx_decode_mmio(sixteen, 14, NVMX_MODE_LONG64, &insn));
}

static const struct {
	const char *name;
	enum nvmx_cpu_mode mode;
	u8 bytes[8];
	u8 nbytes;
	int err;
} error_cases[] = {
	/* Register-direct forms: no memory access. */
	{ "mov %al,%al", L64, BYTES(0x88, 0xc0), -EINVAL },
	{ "mov %ecx,%eax", L64, BYTES(0x8b, 0xc1), -EINVAL },
	{ "mov %r9,%rax", L64, BYTES(0x4c, 0x89, 0xc8), -EINVAL },
	{ "mov %cl,%al", P32, BYTES(0x8a, 0xc1), -EINVAL },
	{ "mov $1,%eax (C7 /0)", L64, BYTES(0xc7, 0xc0, 0x01, 0, 0, 0), -EINVAL },
	{ "movb $1,%al (C6 /0)", R16, BYTES(0xc6, 0xc0, 0x01), -EINVAL },
	{ "movzbl %cl,%eax", L64, BYTES(0x0f, 0xb6, 0xc1), -EINVAL },
	{ "movsbw %cl,%ax", R16, BYTES(0x0f, 0xbe, 0xc1), -EINVAL },
	{ "movslq %ecx,%rax", L64, BYTES(0x48, 0x63, 0xc1), -EINVAL },
	/* C6 and C7 with reg != 0, memory or not. */
	{ "C6 /1", L64, BYTES(0xc6, 0x08, 0x01), -EOPNOTSUPP },
	{ "C7 /7 memory", P32, BYTES(0xc7, 0x38, 0, 0, 0, 0), -EOPNOTSUPP },
	{ "xabort $1", L64, BYTES(0xc6, 0xf8, 0x01), -EOPNOTSUPP },
	{ "xbegin", L64, BYTES(0xc7, 0xf8, 0, 0, 0, 0), -EOPNOTSUPP },
	/* LOCK and REP, wherever they are. */
	{ "lock mov", L64, BYTES(0xf0, 0x89, 0x00), -EOPNOTSUPP },
	{ "repne mov", L64, BYTES(0xf2, 0x89, 0x00), -EOPNOTSUPP },
	{ "rep mov", P32, BYTES(0xf3, 0x8b, 0x00), -EOPNOTSUPP },
	{ "66 rep movb", R16, BYTES(0x66, 0xf3, 0xc6, 0x00, 0x01), -EOPNOTSUPP },
	{ "rep alone", L64, BYTES(0xf3), -EOPNOTSUPP },
	/* Other opcodes. */
	{ "add %eax,(%rax)", L64, BYTES(0x01, 0x00), -EOPNOTSUPP },
	{ "mov %es,(%rax)", L64, BYTES(0x8c, 0x00), -EOPNOTSUPP },
	{ "mov (%rax),%es", L64, BYTES(0x8e, 0x00), -EOPNOTSUPP },
	{ "movsb", L64, BYTES(0xa4), -EOPNOTSUPP },
	{ "stos", P32, BYTES(0xab), -EOPNOTSUPP },
	{ "movups", L64, BYTES(0x0f, 0x10, 0x00), -EOPNOTSUPP },
	{ "0F 63 (packssdw)", L64, BYTES(0x0f, 0x63, 0x00), -EOPNOTSUPP },
	{ "movnti", L64, BYTES(0x0f, 0xc3, 0x00), -EOPNOTSUPP },
	{ "arpl outside 64-bit mode", P32, BYTES(0x63, 0x08), -EOPNOTSUPP },
	{ "arpl in real mode", R16, BYTES(0x63, 0x08), -EOPNOTSUPP },
	{ "inc %eax, not REX, in 32-bit code", P32, BYTES(0x40, 0x89, 0x00), -EOPNOTSUPP },
	{ "dec %eax, not REX.W, in 16-bit code", P16, BYTES(0x48, 0x89, 0x00), -EOPNOTSUPP },
	{ "VEX", L64, BYTES(0xc5, 0xf9, 0x6f, 0x00), -EOPNOTSUPP },
	{ "unknown two-byte opcode", P32, BYTES(0x0f, 0xff, 0x00), -EOPNOTSUPP },
	/* Truncation before the opcode decides. */
	{ "only prefixes", L64, BYTES(0x66, 0x48), -ENODATA },
	{ "0F alone", P32, BYTES(0x0f), -ENODATA },
};

TEST(decode_errors)
{
	struct nvmx_mmio_insn insn;
	u8 buf[NVMX_INSN_MAX_LEN];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(error_cases); i++) {
		EXPECT_EQ(error_cases[i].err,
			  nvmx_decode_mmio(error_cases[i].bytes, error_cases[i].nbytes,
					   error_cases[i].mode, &insn))
			TH_LOG("%s", error_cases[i].name);
	}

	memset(buf, 0, sizeof(buf));
	buf[0] = 0x89;
	EXPECT_EQ(-ENODATA, nvmx_decode_mmio(buf, 0, NVMX_MODE_LONG64, &insn));
	EXPECT_EQ(-EINVAL, nvmx_decode_mmio(buf, sizeof(buf), NVMX_MODE_LONG64 + 1, &insn));
	EXPECT_EQ(-EINVAL, nvmx_decode_mmio(buf, sizeof(buf), (enum nvmx_cpu_mode)-1, &insn));
	EXPECT_EQ(0, nvmx_decode_mmio(buf, sizeof(buf), NVMX_MODE_LONG64, &insn));
}

static struct nvmx_mmio_insn decode(enum nvmx_cpu_mode mode, const u8 *bytes,
				    unsigned int n)
{
	struct nvmx_mmio_insn insn;

	memset(&insn, 0xa5, sizeof(insn));
	if (nvmx_decode_mmio(bytes, n, mode, &insn))
		insn.len = 0;
	return insn;
}

#define DECODE(mode, ...) \
	decode(mode, (const u8[]){ __VA_ARGS__ }, sizeof((u8[]){ __VA_ARGS__ }))

#define OLD	0x1122334455667788ULL

TEST(load_merges_as_the_cpu)
{
	struct nvmx_mmio_insn i;

	/* 8-bit: the other 56 bits stay; junk above size in data is dropped. */
	i = DECODE(L64, 0x8a, 0x00);		/* mov (%rax),%al */
	ASSERT_EQ(2, i.len);
	EXPECT_EQ(0x11223344556677abULL, nvmx_mmio_load_result(&i, OLD, 0xdeadbeefcafe12abULL));
	/* High byte: bits 15:8 of the register. */
	i = DECODE(L64, 0x8a, 0x3a);		/* mov (%rdx),%bh */
	ASSERT_EQ(2, i.len);
	ASSERT_EQ(3, i.reg);
	EXPECT_EQ(0x112233445566ab88ULL, nvmx_mmio_load_result(&i, OLD, 0xffab));
	i = DECODE(P32, 0x8a, 0x20);		/* mov (%eax),%ah */
	ASSERT_EQ(0, i.reg);
	EXPECT_EQ(0x1122334455660088ULL, nvmx_mmio_load_result(&i, OLD, 0));
	/* With REX, register 4 is SPL, not AH. */
	i = DECODE(L64, 0x40, 0x8a, 0x20);	/* mov (%rax),%spl */
	ASSERT_EQ(4, i.reg);
	EXPECT_EQ(0x11223344556677abULL, nvmx_mmio_load_result(&i, OLD, 0xab));
	/* 16-bit: the other 48 bits stay. */
	i = DECODE(L64, 0x66, 0x8b, 0x00);
	EXPECT_EQ(0x112233445566beefULL, nvmx_mmio_load_result(&i, OLD, 0xdeadbeef));
	/* 32-bit: zero-extended to 64. */
	i = DECODE(L64, 0x8b, 0x00);
	EXPECT_EQ(0xdeadbeefULL, nvmx_mmio_load_result(&i, OLD, 0xffffffffdeadbeefULL));
	i = DECODE(P32, 0x8b, 0x00);
	EXPECT_EQ(0x80000000ULL, nvmx_mmio_load_result(&i, OLD, 0x80000000));
	/* 64-bit: replaced. */
	i = DECODE(L64, 0x48, 0x8b, 0x00);
	EXPECT_EQ(0x8000000000000001ULL, nvmx_mmio_load_result(&i, OLD, 0x8000000000000001ULL));
	/* moffs loads. */
	i = DECODE(L64, 0xa0, 1, 2, 3, 4, 5, 6, 7, 8);
	ASSERT_EQ(9, i.len);
	EXPECT_EQ(0x1122334455667712ULL, nvmx_mmio_load_result(&i, OLD, 0x3412));
	i = DECODE(R16, 0xa1, 0x34, 0x12);
	EXPECT_EQ(0x112233445566ffffULL, nvmx_mmio_load_result(&i, OLD, 0x1ffff));
	/* A store leaves the register alone. */
	i = DECODE(L64, 0x89, 0x00);
	EXPECT_EQ(OLD, nvmx_mmio_load_result(&i, OLD, 0));
	i = DECODE(L64, 0xc6, 0x00, 0x01);
	EXPECT_EQ(OLD, nvmx_mmio_load_result(&i, OLD, 0));
}

TEST(load_extends_as_the_cpu)
{
	struct nvmx_mmio_insn i;

	/* MOVZX to 32 bits zeroes 63:8; to 16 bits keeps 63:16. */
	i = DECODE(L64, 0x0f, 0xb6, 0x08);
	EXPECT_EQ(0x80ULL, nvmx_mmio_load_result(&i, OLD, 0xff80));
	i = DECODE(L64, 0x66, 0x0f, 0xb6, 0x08);
	EXPECT_EQ(0x1122334455660080ULL, nvmx_mmio_load_result(&i, OLD, 0xff80));
	i = DECODE(L64, 0x48, 0x0f, 0xb7, 0x08);
	EXPECT_EQ(0x8001ULL, nvmx_mmio_load_result(&i, OLD, 0xffff8001));
	/* MOVSX to 16, 32 and 64 bits. */
	i = DECODE(L64, 0x66, 0x0f, 0xbe, 0x08);
	EXPECT_EQ(0x112233445566ff80ULL, nvmx_mmio_load_result(&i, OLD, 0x80));
	i = DECODE(L64, 0x0f, 0xbe, 0x08);
	EXPECT_EQ(0xffffff80ULL, nvmx_mmio_load_result(&i, OLD, 0x80));
	i = DECODE(L64, 0x0f, 0xbe, 0x08);
	EXPECT_EQ(0x7fULL, nvmx_mmio_load_result(&i, OLD, 0xff7f));
	i = DECODE(L64, 0x48, 0x0f, 0xbe, 0x08);
	EXPECT_EQ(0xffffffffffffff80ULL, nvmx_mmio_load_result(&i, OLD, 0x80));
	i = DECODE(L64, 0x0f, 0xbf, 0x08);
	EXPECT_EQ(0xffff8000ULL, nvmx_mmio_load_result(&i, OLD, 0x8000));
	i = DECODE(L64, 0x48, 0x0f, 0xbf, 0x08);
	EXPECT_EQ(0xffffffffffff8000ULL, nvmx_mmio_load_result(&i, OLD, 0x8000));
	i = DECODE(R16, 0x0f, 0xbf, 0x08);	/* 16 to 16: a plain move */
	EXPECT_EQ(0x1122334455668000ULL, nvmx_mmio_load_result(&i, OLD, 0x8000));
	/* MOVSXD. */
	i = DECODE(L64, 0x48, 0x63, 0x08);
	EXPECT_EQ(0xffffffff80000000ULL, nvmx_mmio_load_result(&i, OLD, 0x80000000));
	EXPECT_EQ(0x7fffffffULL, nvmx_mmio_load_result(&i, OLD, 0xff7fffffffULL));
	i = DECODE(L64, 0x63, 0x08);
	EXPECT_EQ(0x80000000ULL, nvmx_mmio_load_result(&i, OLD, 0x80000000));
	i = DECODE(L64, 0x66, 0x63, 0x08);
	EXPECT_EQ(0x1122334455668000ULL, nvmx_mmio_load_result(&i, OLD, 0x8000));
}

TEST(store_values)
{
	struct nvmx_mmio_insn i;

	i = DECODE(L64, 0x88, 0x00);		/* %al */
	EXPECT_EQ(0x88ULL, nvmx_mmio_store_value(&i, OLD));
	i = DECODE(L64, 0x88, 0x23);		/* %ah */
	ASSERT_EQ(0, i.reg);
	EXPECT_EQ(0x77ULL, nvmx_mmio_store_value(&i, OLD));
	i = DECODE(R16, 0x88, 0x3f);		/* mov %bh,(%bx) */
	ASSERT_EQ(3, i.reg);
	EXPECT_EQ(0x12ULL, nvmx_mmio_store_value(&i, 0x1234));
	i = DECODE(L64, 0x40, 0x88, 0x37);	/* %sil */
	ASSERT_EQ(6, i.reg);
	EXPECT_EQ(0x88ULL, nvmx_mmio_store_value(&i, OLD));
	i = DECODE(L64, 0x66, 0x89, 0x00);
	EXPECT_EQ(0x7788ULL, nvmx_mmio_store_value(&i, OLD));
	i = DECODE(L64, 0x89, 0x00);
	EXPECT_EQ(0x55667788ULL, nvmx_mmio_store_value(&i, OLD));
	i = DECODE(L64, 0x48, 0x89, 0x00);
	EXPECT_EQ(OLD, nvmx_mmio_store_value(&i, OLD));
	i = DECODE(L64, 0x66, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8);
	EXPECT_EQ(0x7788ULL, nvmx_mmio_store_value(&i, OLD));

	/* Immediates, whatever the register holds. */
	i = DECODE(L64, 0xc6, 0x00, 0x80);
	EXPECT_EQ(0x80ULL, nvmx_mmio_store_value(&i, OLD));
	i = DECODE(P32, 0x66, 0xc7, 0x00, 0x01, 0x80);
	EXPECT_EQ(0x8001ULL, nvmx_mmio_store_value(&i, OLD));
	i = DECODE(P32, 0xc7, 0x00, 0xef, 0xbe, 0xad, 0xde);
	EXPECT_EQ(0xdeadbeefULL, nvmx_mmio_store_value(&i, OLD));
	/* A 64-bit store sign-extends its imm32. */
	i = DECODE(L64, 0x48, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80);
	EXPECT_EQ(0xffffffff80000000ULL, nvmx_mmio_store_value(&i, OLD));
	i = DECODE(L64, 0x48, 0xc7, 0x00, 0xff, 0xff, 0xff, 0x7f);
	EXPECT_EQ(0x7fffffffULL, nvmx_mmio_store_value(&i, OLD));
	/* ...but a 32-bit one in 64-bit mode does not. */
	i = DECODE(L64, 0xc7, 0x00, 0x00, 0x00, 0x00, 0x80);
	EXPECT_EQ(0x80000000ULL, nvmx_mmio_store_value(&i, OLD));
}

TEST(cpu_mode_from_guest_state)
{
	/* pe, vm86, lma, cs_l, cs_d */
	EXPECT_EQ(NVMX_MODE_REAL16, nvmx_cpu_mode(false, false, false, false, false));
	/* Real mode is 16-bit whatever CS.D says. */
	EXPECT_EQ(NVMX_MODE_REAL16, nvmx_cpu_mode(false, false, false, false, true));
	EXPECT_EQ(NVMX_MODE_REAL16, nvmx_cpu_mode(true, true, false, false, true));
	EXPECT_EQ(NVMX_MODE_PROT16, nvmx_cpu_mode(true, false, false, false, false));
	EXPECT_EQ(NVMX_MODE_PROT32, nvmx_cpu_mode(true, false, false, false, true));
	/* CS.L counts only in IA-32e mode. */
	EXPECT_EQ(NVMX_MODE_PROT32, nvmx_cpu_mode(true, false, false, true, true));
	EXPECT_EQ(NVMX_MODE_LONG64, nvmx_cpu_mode(true, false, true, true, false));
	/* Compatibility mode. */
	EXPECT_EQ(NVMX_MODE_PROT32, nvmx_cpu_mode(true, false, true, false, true));
	EXPECT_EQ(NVMX_MODE_PROT16, nvmx_cpu_mode(true, false, true, false, false));
}

TEST_HARNESS_MAIN
