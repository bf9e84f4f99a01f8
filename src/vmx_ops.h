/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Wrappers for the VMX instructions. Each reports VMfail and faults to its
 * caller instead of trusting the CPU state it finds: every instruction has
 * an exception table entry, so a #UD (VMX off, e.g. after the reboot
 * notifier) or #GP is never an oops.
 */
#ifndef NVMX_VMX_OPS_H
#define NVMX_VMX_OPS_H

#include <linux/errno.h>
#include <linux/types.h>
#include <asm/asm.h>

#define NVMX_INV_SINGLE_CONTEXT 1UL
#define NVMX_INV_ALL_CONTEXT 2UL

/* Out of line: a failed VMX instruction is nvmx's own bug, or a reboot. */
void nvmx_vmx_insn_failed(const char *insn, unsigned long field);

static inline int nvmx_vmxon(u64 pa)
{
	asm goto("1: vmxon %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : [pa] "m"(pa) : "cc", "memory" : fail, fault);
	return 0;
fail:
	return -EIO;
fault:
	return -EFAULT;
}

static inline int nvmx_vmxoff(void)
{
	asm goto("1: vmxoff\n\t"
		 _ASM_EXTABLE(1b, %l[fault])
		 : : : "cc", "memory" : fault);
	return 0;
fault:
	return -EFAULT;
}

/*
 * VMREAD and VMWRITE that may fail: for probing which fields a VMCS has
 * (nested/shadow_vmcs.c), and under nvmx_vmread()/nvmx_vmwrite(). 0, or
 * -EIO on VMfail or a fault.
 */
static __always_inline int nvmx_vmread_safe(unsigned long field, u64 *value)
{
	u64 v;

	asm_goto_output("1: vmread %[field], %[value]\n\t"
			"jbe %l[fail]\n\t"
			_ASM_EXTABLE(1b, %l[fail])
			: [value] "=r"(v) : [field] "r"(field) : "cc" : fail);
	*value = v;
	return 0;
fail:
	return -EIO;
}

static __always_inline int nvmx_vmwrite_safe(unsigned long field, u64 value)
{
	asm goto("1: vmwrite %[value], %[field]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [field] "r"(field), [value] "rm"(value) : "cc" : fail);
	return 0;
fail:
	return -EIO;
}

/* A failure here is nvmx's own bug: reported, and the read gives 0. */
static __always_inline u64 nvmx_vmread(unsigned long field)
{
	u64 value;

	if (unlikely(nvmx_vmread_safe(field, &value))) {
		nvmx_vmx_insn_failed("vmread", field);
		return 0;
	}
	return value;
}

static __always_inline void nvmx_vmwrite(unsigned long field, u64 value)
{
	if (unlikely(nvmx_vmwrite_safe(field, value)))
		nvmx_vmx_insn_failed("vmwrite", field);
}

static inline void nvmx_vmcs_set_bits(unsigned long field, u64 bits)
{
	nvmx_vmwrite(field, nvmx_vmread(field) | bits);
}

static inline void nvmx_vmcs_clear_bits(unsigned long field, u64 bits)
{
	nvmx_vmwrite(field, nvmx_vmread(field) & ~bits);
}

static inline int nvmx_vmclear(u64 pa)
{
	asm goto("1: vmclear %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m"(pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

static inline int nvmx_vmptrld(u64 pa)
{
	asm goto("1: vmptrld %[pa]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [pa] "m"(pa) : "cc", "memory" : fail);
	return 0;
fail:
	return -EIO;
}

/* INVEPT of @type (single or all context); VMfail and faults are reported. */
static inline void nvmx_invept(unsigned long type, u64 eptp)
{
	struct {
		u64 eptp;
		u64 reserved;
	} desc = { eptp, 0 };

	asm goto("1: invept %[desc], %[type]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [desc] "m"(desc), [type] "r"(type) : "cc", "memory" : fail);
	return;
fail:
	nvmx_vmx_insn_failed("invept", type);
}

/* INVVPID of @type (single or all context); VMfail and faults are reported. */
static inline void nvmx_invvpid(unsigned long type, u16 vpid)
{
	struct {
		u64 vpid;
		u64 gva;
	} desc = { vpid, 0 };

	asm goto("1: invvpid %[desc], %[type]\n\t"
		 "jbe %l[fail]\n\t"
		 _ASM_EXTABLE(1b, %l[fail])
		 : : [desc] "m"(desc), [type] "r"(type) : "cc", "memory" : fail);
	return;
fail:
	nvmx_vmx_insn_failed("invvpid", type);
}

static inline void nvmx_invept_single(u64 eptp)
{
	nvmx_invept(NVMX_INV_SINGLE_CONTEXT, eptp);
}

static inline void nvmx_invvpid_single(u16 vpid)
{
	nvmx_invvpid(NVMX_INV_SINGLE_CONTEXT, vpid);
}

/*
 * Drops every EPT- and VPID-tagged translation: a previous owner of VMX on
 * this CPU (or nvmx itself before a VMXOFF) may have left some that would
 * alias nvmx's EPTPs and VPIDs. nvmx_caps_missing() guarantees both
 * all-context types exist.
 */
static inline void nvmx_flush_all_contexts(void)
{
	nvmx_invept(NVMX_INV_ALL_CONTEXT, 0);
	nvmx_invvpid(NVMX_INV_ALL_CONTEXT, 0);
}

#endif /* NVMX_VMX_OPS_H */
