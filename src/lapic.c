// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC (KVM_CREATE_IRQCHIP), as far as nvmx has one.
 *
 * Its register file is the virtual-APIC page: the TPR there is what the
 * CPU's TPR shadow reads and writes when the guest uses CR8, so MOV CR8
 * never exits. xAPIC MMIO at the APIC base reaches these registers
 * through MMIO emulation. Emulated: ID, version, TPR, EOI (no interrupt
 * is ever in service), LDR, DFR, SVR, ESR, ICR (stored, not delivered:
 * no IPIs yet), the six LVT entries and the timer's initial count and
 * divide configuration (stored; the timer does not count: the current
 * count reads 0). Not emulated yet: interrupt delivery of any kind,
 * x2APIC (hidden from CPUID), the IRR, ISR and TMR (read 0).
 */
#include <linux/highmem.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>

#include "nvmx.h"

#define NVMX_APIC_VERSION	0x50014	/* integrated APIC, 6 LVT entries */

static u32 *nvmx_apic_reg(struct nvmx_vcpu *vcpu, unsigned int off)
{
	return page_address(vcpu->apic_page) + off;
}

u8 nvmx_get_tpr(struct nvmx_vcpu *vcpu)
{
	return *nvmx_apic_reg(vcpu, APIC_TASKPRI) & 0xff;
}

void nvmx_set_tpr(struct nvmx_vcpu *vcpu, u8 tpr)
{
	*nvmx_apic_reg(vcpu, APIC_TASKPRI) = tpr;
}

void nvmx_lapic_reset(struct nvmx_vcpu *vcpu)
{
	unsigned int lvt;

	memset(page_address(vcpu->apic_page), 0, PAGE_SIZE);
	*nvmx_apic_reg(vcpu, APIC_ID) = vcpu->id << 24;
	*nvmx_apic_reg(vcpu, APIC_LVR) = NVMX_APIC_VERSION;
	*nvmx_apic_reg(vcpu, APIC_DFR) = 0xffffffff;
	*nvmx_apic_reg(vcpu, APIC_SPIV) = 0xff;
	for (lvt = APIC_LVTT; lvt <= APIC_LVTERR; lvt += 0x10)
		*nvmx_apic_reg(vcpu, lvt) = APIC_LVT_MASKED;
}

/* IA32_APIC_BASE; -EINVAL is #GP for a guest write, failure for the host. */
int nvmx_set_apic_base(struct nvmx_vcpu *vcpu, u64 data, bool host)
{
	u64 reserved = ~((1ULL << boot_cpu_data.x86_phys_bits) - 1) |
		       0x2ff | X2APIC_ENABLE;

	if (data & reserved)
		return -EINVAL;
	/* The guest cannot make itself the boot processor. */
	if (!host && ((data ^ vcpu->apic_base) & MSR_IA32_APICBASE_BSP))
		return -EINVAL;
	vcpu->apic_base = data;
	return 0;
}

/*
 * The APIC as an interrupt source (irq.h). It delivers nothing yet: no
 * interrupt is ever requested, so there is none to give the CPU or to
 * wake a halted vCPU for.
 */
int nvmx_lapic_pending_vector(struct nvmx_vcpu *vcpu)
{
	return -1;
}

void nvmx_lapic_accept(struct nvmx_vcpu *vcpu, int vector)
{
}

bool nvmx_lapic_has_wake_event(struct nvmx_vcpu *vcpu)
{
	return false;
}

bool nvmx_lapic_mmio_range(struct nvmx_vcpu *vcpu, u64 gpa)
{
	u64 base = vcpu->apic_base & MSR_IA32_APICBASE_BASE;

	return vcpu->vm->irqchip &&
	       (vcpu->apic_base & MSR_IA32_APICBASE_ENABLE) &&
	       gpa >= base && gpa < base + PAGE_SIZE;
}

/*
 * An xAPIC register access of @len bytes at @offset. Registers are 32-bit
 * at 16-byte strides; other accesses read 0 and write nothing, as the
 * SDM leaves them undefined.
 */
void nvmx_lapic_mmio(struct nvmx_vcpu *vcpu, unsigned int offset,
		     bool is_write, unsigned int len, u64 *data)
{
	u32 *reg;

	offset &= PAGE_SIZE - 1;
	if ((offset & 0xf) || len != 4) {
		if (!is_write)
			*data = 0;
		return;
	}
	reg = nvmx_apic_reg(vcpu, offset);
	if (!is_write) {
		switch (offset) {
		case APIC_TMCCT:
		case APIC_ISR ... APIC_ISR + 0x70:
		case APIC_TMR ... APIC_TMR + 0x70:
		case APIC_IRR ... APIC_IRR + 0x70:
			*data = 0;
			break;
		default:
			*data = *reg;
			break;
		}
		return;
	}
	switch (offset) {
	case APIC_ID:
		*reg = *data & 0xff000000;
		break;
	case APIC_TASKPRI:
		*reg = *data & 0xff;
		break;
	case APIC_EOI:
		break;
	case APIC_LDR:
		*reg = *data & 0xff000000;
		break;
	case APIC_DFR:
		*reg = *data | 0x0fffffff;
		break;
	case APIC_SPIV:
		*reg = *data & 0x13ff;
		break;
	case APIC_ESR:
		*reg = 0;
		break;
	case APIC_ICR:
	case APIC_ICR2:
	case APIC_TMICT:
	case APIC_TDCR:
		*reg = *data;
		break;
	case APIC_LVTT ... APIC_LVTERR:
		/* Software-disabled APIC keeps every LVT masked. */
		*reg = *data | (*nvmx_apic_reg(vcpu, APIC_SPIV) &
				APIC_SPIV_APIC_ENABLED ? 0 : APIC_LVT_MASKED);
		break;
	default:
		/* Read-only or reserved. */
		break;
	}
}
