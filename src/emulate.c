// SPDX-License-Identifier: GPL-2.0
/*
 * Decoder for the MMIO moves (see emulate.h). Pure logic: no Linux calls,
 * so selftests/unit builds this file as it is.
 */
#include "emulate.h"

struct nvmx_decoder {
	const u8 *bytes;
	unsigned int avail;
	unsigned int pos;
};

/* The next byte, or why there is none: the 15-byte limit first. */
static int nvmx_next_byte(struct nvmx_decoder *d, u8 *byte)
{
	if (d->pos >= NVMX_INSN_MAX_LEN)
		return -E2BIG;
	if (d->pos >= d->avail)
		return -ENODATA;
	*byte = d->bytes[d->pos++];
	return 0;
}

/* Read n (1, 2, 4 or 8) little-endian bytes, for immediates and moffs. */
static int nvmx_next_le(struct nvmx_decoder *d, unsigned int n, u64 *val)
{
	unsigned int k;
	u8 byte;
	int ret;

	*val = 0;
	for (k = 0; k < n; k++) {
		ret = nvmx_next_byte(d, &byte);
		if (ret)
			return ret;
		*val |= (u64)byte << (8 * k);
	}
	return 0;
}

/* Skip n bytes (displacements, which the decoder does not need). */
static int nvmx_skip(struct nvmx_decoder *d, unsigned int n)
{
	u64 unused;

	return nvmx_next_le(d, n, &unused);
}

static u64 nvmx_size_mask(unsigned int size)
{
	return size >= 8 ? ~0ULL : BIT_ULL(8 * size) - 1;
}

static u64 nvmx_sign_extend(u64 val, unsigned int from)
{
	u64 sign = BIT_ULL(8 * from - 1);

	val &= nvmx_size_mask(from);
	return (val ^ sign) - sign;
}

/*
 * Skip the SIB byte and displacement that follow ModRM, checking that the
 * operand is in memory. 16-bit addressing has no SIB; mod=0 r/m=6 is a
 * bare disp16. In 32- and 64-bit addressing, r/m=4 brings a SIB, mod=0
 * r/m=5 is a bare disp32 (RIP-relative in 64-bit mode) and a SIB base of
 * 5 with mod=0 means no base and a disp32. These use the 3-bit fields:
 * REX.B and REX.X never change the length.
 */
static int nvmx_skip_modrm_memory(struct nvmx_decoder *d, u8 modrm,
				  unsigned int addr_size)
{
	unsigned int mod = modrm >> 6, rm = modrm & 7;
	u8 sib;
	int ret;

	if (mod == 3)
		return -EINVAL;
	if (addr_size == 2) {
		if (mod == 1)
			return nvmx_skip(d, 1);
		if (mod == 2 || rm == 6)
			return nvmx_skip(d, 2);
		return 0;
	}
	if (rm == 4) {
		ret = nvmx_next_byte(d, &sib);
		if (ret)
			return ret;
		if (mod == 0 && (sib & 7) == 5)
			return nvmx_skip(d, 4);
	} else if (mod == 0 && rm == 5) {
		return nvmx_skip(d, 4);
	}
	if (mod == 1)
		return nvmx_skip(d, 1);
	if (mod == 2)
		return nvmx_skip(d, 4);
	return 0;
}

#define NVMX_REX_W	0x08
#define NVMX_REX_R	0x04

static bool nvmx_is_prefix(u8 byte, enum nvmx_cpu_mode mode)
{
	switch (byte) {
	case 0x26: case 0x2e: case 0x36: case 0x3e: case 0x64: case 0x65:
	case 0x66: case 0x67: case 0xf0: case 0xf2: case 0xf3:
		return true;
	default:
		return mode == NVMX_MODE_LONG64 && (byte & 0xf0) == 0x40;
	}
}

int nvmx_decode_mmio(const u8 *bytes, unsigned int avail,
		     enum nvmx_cpu_mode mode, struct nvmx_mmio_insn *out)
{
	struct nvmx_decoder d = { .bytes = bytes, .avail = avail };
	bool opsize_prefix = false, addrsize_prefix = false, rex_seen = false;
	unsigned int op_size, addr_size;
	u8 byte, rex = 0, modrm;
	bool two_byte = false;
	u64 val;
	int ret;

	switch (mode) {
	case NVMX_MODE_REAL16:
	case NVMX_MODE_PROT16:
	case NVMX_MODE_PROT32:
	case NVMX_MODE_LONG64:
		break;
	default:
		return -EINVAL;
	}

	*out = (struct nvmx_mmio_insn){ .seg = NVMX_SEG_NONE };

	for (;;) {
		ret = nvmx_next_byte(&d, &byte);
		if (ret)
			return ret;
		if (!nvmx_is_prefix(byte, mode))
			break;
		/* A REX prefix counts only right before the opcode. */
		rex = 0;
		rex_seen = false;
		switch (byte) {
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
			/* ES, CS, SS, DS: bits 4:3 are the segment number. */
			out->seg = (byte >> 3) & 3;
			break;
		case 0x64:
		case 0x65:
			out->seg = NVMX_SEG_FS + (byte & 1);
			break;
		case 0x66:
			opsize_prefix = true;
			break;
		case 0x67:
			addrsize_prefix = true;
			break;
		case 0xf0:
		case 0xf2:
		case 0xf3:
			return -EOPNOTSUPP;
		default:
			rex = byte;
			rex_seen = true;
			break;
		}
	}

	switch (mode) {
	case NVMX_MODE_LONG64:
		op_size = rex & NVMX_REX_W ? 8 : opsize_prefix ? 2 : 4;
		addr_size = addrsize_prefix ? 4 : 8;
		break;
	case NVMX_MODE_PROT32:
		op_size = opsize_prefix ? 2 : 4;
		addr_size = addrsize_prefix ? 2 : 4;
		break;
	default:
		op_size = opsize_prefix ? 4 : 2;
		addr_size = addrsize_prefix ? 4 : 2;
		break;
	}
	out->addr_size = addr_size;

	if (byte == 0x0f) {
		two_byte = true;
		ret = nvmx_next_byte(&d, &byte);
		if (ret)
			return ret;
	}

	if (!two_byte && byte >= 0xa0 && byte <= 0xa3) {
		/* moffs: the operand is always AL or rAX, REX.B or not. */
		out->size = byte & 1 ? op_size : 1;
		out->is_write = byte & 2;
		ret = nvmx_skip(&d, addr_size);
		if (ret)
			return ret;
		goto done;
	}

	if (two_byte) {
		switch (byte) {
		case 0xb6: case 0xb7: case 0xbe: case 0xbf:
			out->size = byte & 1 ? 2 : 1;
			out->sign_extend = byte & 8;
			break;
		default:
			return -EOPNOTSUPP;
		}
	} else {
		switch (byte) {
		case 0x88: case 0x8a: case 0xc6:
			out->size = 1;
			break;
		case 0x89: case 0x8b: case 0xc7:
			out->size = op_size;
			break;
		case 0x63:
			/* ARPL outside 64-bit mode. */
			if (mode != NVMX_MODE_LONG64)
				return -EOPNOTSUPP;
			/* Without REX.W, a plain move of the operand size. */
			out->size = op_size == 8 ? 4 : op_size;
			out->sign_extend = op_size == 8;
			break;
		default:
			return -EOPNOTSUPP;
		}
		out->is_write = byte == 0x88 || byte == 0x89 ||
				byte == 0xc6 || byte == 0xc7;
		out->has_imm = byte == 0xc6 || byte == 0xc7;
	}

	ret = nvmx_next_byte(&d, &modrm);
	if (ret)
		return ret;
	/* C6 and C7 with reg != 0 are other instructions (XABORT, XBEGIN). */
	if (out->has_imm && ((modrm >> 3) & 7))
		return -EOPNOTSUPP;
	ret = nvmx_skip_modrm_memory(&d, modrm, addr_size);
	if (ret)
		return ret;

	if (out->has_imm) {
		ret = nvmx_next_le(&d, out->size == 8 ? 4 : out->size, &val);
		if (ret)
			return ret;
		/* imm32 is sign-extended for a 64-bit store. */
		out->imm = out->size == 8 ? nvmx_sign_extend(val, 4) : val;
	} else {
		out->reg = ((modrm >> 3) & 7) | (rex & NVMX_REX_R ? 8 : 0);
		/* Without REX, 8-bit registers 4-7 are AH, CH, DH, BH. */
		if (out->size == 1 && !two_byte && !rex_seen && out->reg >= 4) {
			out->high_byte = true;
			out->reg -= 4;
		}
	}
	if (two_byte || byte == 0x63)
		out->dst_size = op_size;

done:
	if (!out->is_write && !out->dst_size)
		out->dst_size = out->size;
	out->len = d.pos;
	return 0;
}

enum nvmx_cpu_mode nvmx_cpu_mode(bool pe, bool vm86, bool lma, bool cs_l,
				 bool cs_d)
{
	if (!pe)
		return NVMX_MODE_REAL16;
	if (vm86 && !lma)
		return NVMX_MODE_REAL16;
	if (lma && cs_l)
		return NVMX_MODE_LONG64;
	return cs_d ? NVMX_MODE_PROT32 : NVMX_MODE_PROT16;
}

u64 nvmx_mmio_store_value(const struct nvmx_mmio_insn *i, u64 reg_value)
{
	if (i->has_imm)
		return i->imm & nvmx_size_mask(i->size);
	if (i->high_byte)
		return (reg_value >> 8) & 0xff;
	return reg_value & nvmx_size_mask(i->size);
}

u64 nvmx_mmio_load_result(const struct nvmx_mmio_insn *i, u64 old_reg,
			  u64 data)
{
	u64 val;

	if (i->is_write)
		return old_reg;
	if (i->sign_extend)
		val = nvmx_sign_extend(data, i->size);
	else
		val = data & nvmx_size_mask(i->size);
	val &= nvmx_size_mask(i->dst_size);

	switch (i->dst_size) {
	case 1:
		if (i->high_byte)
			return (old_reg & ~0xff00ULL) | (val << 8);
		return (old_reg & ~0xffULL) | val;
	case 2:
		return (old_reg & ~0xffffULL) | val;
	default:
		/* 4-byte writes zero-extend; 8-byte ones replace. */
		return val;
	}
}
