/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Decoder for the x86 moves a guest uses on MMIO. An EPT violation gives
 * the guest-physical address but neither the instruction length nor its
 * operands, so nvmx decodes the instruction at RIP to build KVM_EXIT_MMIO
 * and to complete the access afterwards. Pure logic (see pure.h).
 *
 * Handled (memory operand only; the register-direct forms are no MMIO):
 *   88 /r, 89 /r          MOV r/m, reg          (store)
 *   8A /r, 8B /r          MOV reg, r/m          (load)
 *   C6 /0 ib, C7 /0 iz    MOV r/m, imm          (store of an immediate)
 *   A0, A1                MOV AL/rAX, moffs     (load)
 *   A2, A3                MOV moffs, AL/rAX     (store)
 *   0F B6 /r, 0F B7 /r    MOVZX reg, r/m8/16    (load, zero-extended)
 *   0F BE /r, 0F BF /r    MOVSX reg, r/m8/16    (load, sign-extended)
 *   63 /r                 MOVSXD reg, r/m32     (64-bit mode only)
 * with the prefixes 66, 67, 26, 2E, 36, 3E, 64, 65 and, in 64-bit mode,
 * REX (40-4F, honoured only right before the opcode, as the CPU does).
 * F0, F2 and F3 are refused: LOCK on a MOV is #UD and REP has no meaning
 * here.
 *
 * The decoder does not compute the effective address: the EPT violation
 * already gave it. Segment overrides are reported as encoded, though in
 * 64-bit mode only FS and GS have an effect.
 */
#ifndef NVMX_EMULATE_H
#define NVMX_EMULATE_H

#include "pure.h"

/* The architectural limit; a longer instruction raises #GP. */
#define NVMX_INSN_MAX_LEN	15

/*
 * The code the CPU runs, which sets the default operand and address
 * sizes: 16 bits in real mode, virtual-8086 mode and 16-bit protected or
 * compatibility-mode code segments (CS.D=0), 32 bits in 32-bit ones
 * (CS.D=1), and 64-bit mode (IA-32e with CS.L=1), where the default
 * operand size is 32 and the address size 64. REAL16 and PROT16 decode
 * alike. nvmx_cpu_mode() picks one from the guest state.
 */
enum nvmx_cpu_mode {
	NVMX_MODE_REAL16,
	NVMX_MODE_PROT16,
	NVMX_MODE_PROT32,
	NVMX_MODE_LONG64,
};

/* Segment override prefixes, as encoded (x86 segment register numbers). */
enum nvmx_seg {
	NVMX_SEG_ES,
	NVMX_SEG_CS,
	NVMX_SEG_SS,
	NVMX_SEG_DS,
	NVMX_SEG_FS,
	NVMX_SEG_GS,
	NVMX_SEG_NONE,
};

struct nvmx_mmio_insn {
	u8 len;		/* instruction length, to advance RIP by */
	u8 size;	/* bytes accessed in memory: 1, 2, 4 or 8 */
	u8 dst_size;	/* loads: bytes of the register written; stores: 0 */
	u8 reg;		/* GPR (0-15, x86 numbering) read or written */
	u8 addr_size;	/* address size in bytes: 2, 4 or 8 */
	u8 seg;		/* enum nvmx_seg: last override prefix, as encoded */
	bool is_write;	/* the memory is written (a store) */
	bool has_imm;	/* the store writes imm, not a register */
	bool high_byte;	/* AH, CH, DH or BH: bits 15:8 of GPR reg (0-3) */
	bool sign_extend; /* loads: sign-extend size to dst_size (else zero) */
	u64 imm;	/* has_imm: the value stored, size bytes, zero above */
};

/*
 * Decode the instruction in bytes[0..avail) for mode. avail may be more
 * than the instruction needs; at most NVMX_INSN_MAX_LEN bytes are looked
 * at. On success, fills *out and returns 0. Errors:
 *   -ENODATA     the instruction runs past avail (fetch more bytes)
 *   -E2BIG       it would be longer than NVMX_INSN_MAX_LEN (the CPU #GPs)
 *   -EOPNOTSUPP  an opcode or prefix not handled (see above)
 *   -EINVAL      a register-direct form (ModRM.mod=3): no memory access;
 *                or mode is not an enum nvmx_cpu_mode
 * Errors are reported in byte order: the first byte that fails decides.
 */
int nvmx_decode_mmio(const u8 *bytes, unsigned int avail,
		     enum nvmx_cpu_mode mode, struct nvmx_mmio_insn *out);

/*
 * The decode mode for guest state: pe = CR0.PE, vm86 = RFLAGS.VM,
 * lma = EFER.LMA, cs_l and cs_d the code segment's L and D bits.
 */
enum nvmx_cpu_mode nvmx_cpu_mode(bool pe, bool vm86, bool lma, bool cs_l,
				 bool cs_d);

/*
 * The value a store writes to memory (its low i->size bytes; zero above),
 * given reg_value, the full 64-bit value of GPR i->reg. For stores of an
 * immediate, reg_value is not used.
 */
u64 nvmx_mmio_store_value(const struct nvmx_mmio_insn *i, u64 reg_value);

/*
 * The new value of GPR i->reg after a load of data (its low i->size bytes
 * count) into a register whose value was old_reg, as the CPU merges it:
 * the data is zero- or sign-extended to i->dst_size bytes, then 1- and
 * 2-byte writes keep the other bits of the register (a high-byte one
 * writes bits 15:8), 4-byte writes zero bits 63:32 and 8-byte writes
 * replace it. For a store, returns old_reg.
 */
u64 nvmx_mmio_load_result(const struct nvmx_mmio_insn *i, u64 old_reg,
			  u64 data);

#endif /* NVMX_EMULATE_H */
