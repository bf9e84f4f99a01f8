// SPDX-License-Identifier: GPL-2.0
/*
 * The in-kernel local APIC (KVM_CREATE_IRQCHIP): xAPIC through MMIO at the
 * APIC base, x2APIC through MSRs 0x800-0x8ff, the timer on an hrtimer,
 * IPIs, INIT and SIPI, KVM_GET/SET_LAPIC.
 *
 * The register file is the virtual-APIC page (vcpu->apic_page), at the
 * xAPIC offsets: the TPR there is what the CPU's TPR shadow reads and
 * writes when the guest uses CR8, so PPR is computed whenever it is read.
 * Every APIC access exits (no APIC-register virtualization): the MSR
 * bitmap intercepts the whole x2APIC range. Locking: struct nvmx_lapic.
 *
 * Delivery (nvmx_lapic_deliver()) sets IRR bits (or queues an NMI, INIT
 * or SIPI) on the targets and kicks them (irq.h); injection asks
 * nvmx_lapic_pending_vector() and nvmx_lapic_accept() before each entry.
 * INIT and SIPI change the target's VMCS, so the target's own task acts
 * on them (nvmx_lapic_accept_events()).
 *
 * Timer: a 1 GHz APIC bus (NVMX_APIC_BUS_NS) as KVM's; the current count
 * is computed from the hrtimer's expiry. TSC-deadline converts the guest
 * TSC (tsc.c) to host time at the rate the guest's TSC runs.
 * A periodic timer's period is at least NVMX_APIC_MIN_PERIOD_NS, as KVM's
 * min_timer_period_us, so that a guest cannot flood the host with timer
 * interrupts.
 */
#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/highmem.h>
#include <linux/spinlock.h>
#include <asm/apicdef.h>
#include <asm/msr-index.h>
#include <asm/tsc.h>

#include "nvmx.h"
#include "vmx_ops.h"

#define NVMX_APIC_MIN_PERIOD_NS	(200 * NSEC_PER_USEC)

static u32 *nvmx_apic_regs(struct nvmx_vcpu *vcpu)
{
	return page_address(vcpu->apic_page);
}

static u32 nvmx_apic_rd(struct nvmx_vcpu *vcpu, unsigned int off)
{
	return READ_ONCE(nvmx_apic_regs(vcpu)[off >> 2]);
}

static void nvmx_apic_wr(struct nvmx_vcpu *vcpu, unsigned int off, u32 v)
{
	WRITE_ONCE(nvmx_apic_regs(vcpu)[off >> 2], v);
}

static bool nvmx_lapic_hw_enabled(struct nvmx_vcpu *vcpu)
{
	return READ_ONCE(vcpu->apic_base) & MSR_IA32_APICBASE_ENABLE;
}

static bool nvmx_lapic_sw_enabled(struct nvmx_vcpu *vcpu)
{
	return nvmx_apic_rd(vcpu, NVMX_APIC_SVR) & NVMX_APIC_SVR_ENABLED;
}

bool nvmx_lapic_x2apic_mode(struct nvmx_vcpu *vcpu)
{
	u64 b = READ_ONCE(vcpu->apic_base);

	return (b & (MSR_IA32_APICBASE_ENABLE | X2APIC_ENABLE)) ==
	       (MSR_IA32_APICBASE_ENABLE | X2APIC_ENABLE);
}

static bool nvmx_guest_cpuid_1_ecx(struct nvmx_vcpu *vcpu, u32 bit)
{
	const struct kvm_cpuid_entry2 *e;

	e = nvmx_cpuid_find(vcpu->cpuid, vcpu->cpuid_nent, 1, 0);
	return e && (e->ecx & bit);
}

static u32 nvmx_lvtt_mode(u32 lvtt)
{
	return (lvtt >> 17) & 3;
}

u8 nvmx_get_tpr(struct nvmx_vcpu *vcpu)
{
	return nvmx_apic_rd(vcpu, NVMX_APIC_TPR) & 0xff;
}

/* PPR from the TPR and ISR now; lapic->lock held. */
static u32 nvmx_lapic_update_ppr(struct nvmx_vcpu *vcpu)
{
	u32 ppr = nvmx_apic_ppr(nvmx_apic_rd(vcpu, NVMX_APIC_TPR),
				nvmx_apic_highest(nvmx_apic_regs(vcpu),
						  NVMX_APIC_ISR));

	nvmx_apic_wr(vcpu, NVMX_APIC_PPR, ppr);
	return ppr;
}

void nvmx_set_tpr(struct nvmx_vcpu *vcpu, u8 tpr)
{
	unsigned long flags;

	spin_lock_irqsave(&vcpu->lapic.lock, flags);
	nvmx_apic_wr(vcpu, NVMX_APIC_TPR, tpr);
	nvmx_lapic_update_ppr(vcpu);
	spin_unlock_irqrestore(&vcpu->lapic.lock, flags);
	/* A lower TPR may let a pending interrupt through. */
	nvmx_vcpu_make_request(vcpu, NVMX_REQ_EVENT);
}

/* An interrupt in @vcpu's IRR; lapic->lock held. */
static void nvmx_lapic_set_irr_locked(struct nvmx_vcpu *vcpu, u8 vec,
				      bool level)
{
	u32 *regs = nvmx_apic_regs(vcpu);

	nvmx_apic_set_vec(regs, NVMX_APIC_IRR, vec);
	/* The TMR follows the trigger mode of the interrupt accepted. */
	if (level)
		nvmx_apic_set_vec(regs, NVMX_APIC_TMR, vec);
	else
		nvmx_apic_clear_vec(regs, NVMX_APIC_TMR, vec);
}

/*
 * Latches an error for the next ESR write and signals it through the
 * error LVT if that is unmasked. Returns whether the vCPU needs a kick.
 */
static bool nvmx_lapic_error_locked(struct nvmx_vcpu *vcpu, u32 err)
{
	u32 lvterr = nvmx_apic_rd(vcpu, NVMX_APIC_LVTERR);

	vcpu->lapic.esr_pending |= err;
	if ((lvterr & NVMX_APIC_LVT_MASKED) || (lvterr & 0xff) < 16)
		return false;
	nvmx_lapic_set_irr_locked(vcpu, lvterr & 0xff, false);
	return true;
}

static void nvmx_lapic_error(struct nvmx_vcpu *vcpu, u32 err)
{
	unsigned long flags;
	bool kick;

	spin_lock_irqsave(&vcpu->lapic.lock, flags);
	kick = nvmx_lapic_error_locked(vcpu, err);
	spin_unlock_irqrestore(&vcpu->lapic.lock, flags);
	if (kick)
		nvmx_vcpu_kick(vcpu);
}

/*
 * The IOAPIC's EOI broadcast for a level-triggered vector (irqchip.c).
 * With a split irqchip, as KVM's: whatever the TMR says, an EOI of a
 * vector that a level-triggered MSI route of userspace's IOAPIC pins sends
 * to this APIC exits to userspace (KVM_EXIT_IOAPIC_EOI, run.c).
 */
void nvmx_lapic_eoi_hook(struct nvmx_vcpu *vcpu, int vector, bool level)
{
	if (nvmx_irqchip_split(vcpu->vm)) {
		if (nvmx_irq_split_eoi_routed(vcpu, vector)) {
			vcpu->eoi_exit = true;
			vcpu->eoi_exit_vector = vector;
		}
		return;
	}
	if (level)
		nvmx_ioapic_eoi_broadcast(vcpu->vm, vector);
}

static void nvmx_lapic_eoi(struct nvmx_vcpu *vcpu)
{
	u32 *regs = nvmx_apic_regs(vcpu);
	unsigned long flags;
	bool level = false;
	int vec;

	spin_lock_irqsave(&vcpu->lapic.lock, flags);
	vec = nvmx_apic_highest(regs, NVMX_APIC_ISR);
	if (vec >= 0) {
		nvmx_apic_clear_vec(regs, NVMX_APIC_ISR, vec);
		level = nvmx_apic_test_vec(regs, NVMX_APIC_TMR, vec);
	}
	nvmx_lapic_update_ppr(vcpu);
	spin_unlock_irqrestore(&vcpu->lapic.lock, flags);
	if (vec >= 0)
		nvmx_lapic_eoi_hook(vcpu, vec, level);
	nvmx_vcpu_make_request(vcpu, NVMX_REQ_EVENT);
}

int nvmx_lapic_pending_vector(struct nvmx_vcpu *vcpu)
{
	unsigned long flags;
	int vec;
	u32 ppr;

	if (!vcpu->vm->irqchip || !nvmx_lapic_hw_enabled(vcpu))
		return -1;
	spin_lock_irqsave(&vcpu->lapic.lock, flags);
	vec = nvmx_apic_highest(nvmx_apic_regs(vcpu), NVMX_APIC_IRR);
	ppr = nvmx_lapic_update_ppr(vcpu);
	spin_unlock_irqrestore(&vcpu->lapic.lock, flags);
	return nvmx_apic_beats_ppr(vec, ppr) ? vec : -1;
}

void nvmx_lapic_accept(struct nvmx_vcpu *vcpu, int vector)
{
	u32 *regs = nvmx_apic_regs(vcpu);
	unsigned long flags;

	if (WARN_ON_ONCE(vector < 0 || vector > 255))
		return;
	spin_lock_irqsave(&vcpu->lapic.lock, flags);
	nvmx_apic_clear_vec(regs, NVMX_APIC_IRR, vector);
	nvmx_apic_set_vec(regs, NVMX_APIC_ISR, vector);
	nvmx_lapic_update_ppr(vcpu);
	spin_unlock_irqrestore(&vcpu->lapic.lock, flags);
}

/*
 * With the TPR shadow, MOV CR8 exits only when VTPR[7:4] drops below
 * TPR_THRESHOLD[3:0]: set it to the class of the highest pending vector
 * when the TPR is what holds that vector back, else 0. VM entry requires
 * the threshold not above VTPR[7:4], which this keeps. L1 only: vmcs02's
 * threshold is the nested code's.
 */
void nvmx_lapic_update_tpr_threshold(struct nvmx_vcpu *vcpu)
{
	u32 tpr_class = (nvmx_get_tpr(vcpu) >> 4) & 0xf;
	int vec;
	u8 want = 0;

	if (!vcpu->vm->irqchip || vcpu->nested.guest_mode ||
	    !nvmx_lapic_hw_enabled(vcpu))
		return;
	vec = nvmx_apic_highest(nvmx_apic_regs(vcpu), NVMX_APIC_IRR);
	if (vec >= 16 && ((u32)vec >> 4) <= tpr_class)
		want = (u32)vec >> 4;
	if (want == vcpu->lapic.tpr_threshold)
		return;
	nvmx_vmwrite(TPR_THRESHOLD, want);
	vcpu->lapic.tpr_threshold = want;
}

/*
 * Whether this APIC passes the PIC's INTR to the CPU, as KVM decides it: a
 * hardware-disabled APIC does (the CPU's INTR pin is the PIC's), an enabled
 * one when LINT0 is unmasked in ExtINT mode. For the irqchip's PIC.
 */
bool nvmx_lapic_accepts_extint(struct nvmx_vcpu *vcpu)
{
	u32 lvt0 = nvmx_apic_rd(vcpu, NVMX_APIC_LVT0);

	if (!nvmx_lapic_hw_enabled(vcpu))
		return true;
	return !(lvt0 & NVMX_APIC_LVT_MASKED) &&
	       ((lvt0 >> 8) & 7) == NVMX_APIC_DM_EXTINT;
}

/* INIT is held while the vCPU is in VMX operation, as on hardware. */
static bool nvmx_lapic_init_blocked(struct nvmx_vcpu *vcpu)
{
	return vcpu->nested.vmxon;
}

/*
 * The vCPU's own task, in KVM_RUN's wait: as KVM's, a halted vCPU wakes
 * for an interrupt only if it could take it now (nvmx_irq_wakes_halt():
 * RFLAGS.IF, or an exit to L1 from L2), for INIT, and (with NMIs, which
 * run.c checks) nothing else; one waiting for SIPI wakes for SIPI or INIT.
 */
bool nvmx_lapic_has_wake_event(struct nvmx_vcpu *vcpu)
{
	unsigned long ev = READ_ONCE(vcpu->lapic.events);

	if ((ev & BIT(NVMX_LAPIC_EV_INIT)) && !nvmx_lapic_init_blocked(vcpu))
		return true;
	switch (vcpu->mp_state) {
	case KVM_MP_STATE_INIT_RECEIVED:
		return ev & BIT(NVMX_LAPIC_EV_SIPI);
	case KVM_MP_STATE_HALTED:
		return (nvmx_lapic_pending_vector(vcpu) >= 0 ||
			(nvmx_lapic_accepts_extint(vcpu) &&
			 nvmx_pic_pending_vector(vcpu) >= 0)) &&
		       nvmx_irq_wakes_halt(vcpu);
	default:
		return false;
	}
}

/*
 * One message at one target. Returns whether it was taken. As KVM's, a
 * disabled APIC takes nothing and a software-disabled one no fixed or
 * lowest-priority interrupt.
 */
static bool nvmx_lapic_accept_irq(struct nvmx_vcpu *t,
				  const struct nvmx_apic_irq *irq)
{
	unsigned long flags;

	switch (irq->delivery_mode) {
	case NVMX_APIC_DM_FIXED:
	case NVMX_APIC_DM_LOWEST:
		if (!nvmx_lapic_sw_enabled(t))
			return false;
		/* A level-triggered de-assert has nothing to deliver. */
		if (irq->trig_level && !irq->level)
			return false;
		if (irq->vector < 16) {
			nvmx_lapic_error(t, NVMX_APIC_ESR_RECV_ILLEGAL);
			return false;
		}
		spin_lock_irqsave(&t->lapic.lock, flags);
		nvmx_lapic_set_irr_locked(t, irq->vector, irq->trig_level);
		spin_unlock_irqrestore(&t->lapic.lock, flags);
		nvmx_vcpu_kick(t);
		return true;
	case NVMX_APIC_DM_NMI:
		nvmx_vcpu_queue_nmi(t);
		return true;
	case NVMX_APIC_DM_INIT:
		if (irq->trig_level && !irq->level)
			return false;
		set_bit(NVMX_LAPIC_EV_INIT, &t->lapic.events);
		nvmx_vcpu_kick(t);
		return true;
	case NVMX_APIC_DM_SIPI:
		WRITE_ONCE(t->lapic.sipi_vector, irq->vector);
		/* The vector before the bit: accept_events reads them so. */
		smp_mb__before_atomic();
		set_bit(NVMX_LAPIC_EV_SIPI, &t->lapic.events);
		nvmx_vcpu_kick(t);
		return true;
	case NVMX_APIC_DM_EXTINT:
		/* The PIC's output is the irqchip's to give: look at it. */
		nvmx_vcpu_kick(t);
		return true;
	default:
		/* SMI (no SMM in nvmx) and the reserved modes. */
		return false;
	}
}

static struct nvmx_apic_target nvmx_lapic_target(struct nvmx_vcpu *t)
{
	bool x2 = nvmx_lapic_x2apic_mode(t);

	return (struct nvmx_apic_target) {
		.x2apic = x2,
		.id = x2 ? nvmx_apic_rd(t, NVMX_APIC_ID) :
			   nvmx_apic_rd(t, NVMX_APIC_ID) >> 24,
		.ldr = nvmx_apic_rd(t, NVMX_APIC_LDR),
		.dfr = nvmx_apic_rd(t, NVMX_APIC_DFR),
	};
}

static bool nvmx_lapic_is_target(struct nvmx_vcpu *t, struct nvmx_vcpu *src,
				 const struct nvmx_apic_irq *irq)
{
	struct nvmx_apic_target tg;

	switch (irq->shorthand) {
	case NVMX_APIC_SH_SELF:
		return t == src;
	case NVMX_APIC_SH_ALL:
		return true;
	case NVMX_APIC_SH_ALL_BUT_SELF:
		return t != src;
	default:
		tg = nvmx_lapic_target(t);
		return nvmx_apic_match_dest(&tg, irq);
	}
}

/* Whether @t is a destination of @irq (no shorthand): for route scans. */
bool nvmx_lapic_is_dest(struct nvmx_vcpu *t, const struct nvmx_apic_irq *irq)
{
	struct nvmx_apic_target tg;

	if (!nvmx_lapic_hw_enabled(t))
		return false;
	tg = nvmx_lapic_target(t);
	return nvmx_apic_match_dest(&tg, irq);
}

/* A target's processor priority now, for lowest-priority arbitration. */
static u32 nvmx_lapic_arb_ppr(struct nvmx_vcpu *t)
{
	return nvmx_apic_ppr(nvmx_apic_rd(t, NVMX_APIC_TPR),
			     nvmx_apic_highest(nvmx_apic_regs(t),
					       NVMX_APIC_ISR));
}

/*
 * Lowest priority goes to the matching APIC with the lowest PPR (class
 * and subclass); among equals, the lowest vCPU id. nvmx ignores focus
 * processors (SVR bit 9), as the SDM allows. Self shorthand with lowest
 * priority, which the SDM leaves undefined, is fixed to self.
 */
int nvmx_lapic_deliver(struct nvmx_vm *vm, struct nvmx_vcpu *src,
		       const struct nvmx_apic_irq *irq)
{
	bool lowest = irq->delivery_mode == NVMX_APIC_DM_LOWEST &&
		      irq->shorthand != NVMX_APIC_SH_SELF;
	struct nvmx_vcpu *best = NULL;
	u32 best_ppr = 0, ppr;
	int i, n = 0;

	if (!vm->irqchip)
		return 0;
	for (i = 0; i < NVMX_MAX_VCPUS; i++) {
		/* Pairs with the release in vcpu.c's creation. */
		struct nvmx_vcpu *t = smp_load_acquire(&vm->vcpus[i]);

		if (!t || !nvmx_lapic_hw_enabled(t) ||
		    !nvmx_lapic_is_target(t, src, irq))
			continue;
		if (!lowest) {
			n += nvmx_lapic_accept_irq(t, irq);
			continue;
		}
		if (!nvmx_lapic_sw_enabled(t))
			continue;
		ppr = nvmx_lapic_arb_ppr(t);
		if (!best || ppr < best_ppr) {
			best = t;
			best_ppr = ppr;
		}
	}
	if (best)
		n += nvmx_lapic_accept_irq(best, irq);
	return n;
}

/* An IPI from @vcpu's ICR (@high is ICR2, or x2APIC ICR's bits 63:32). */
static void nvmx_lapic_send_ipi(struct nvmx_vcpu *vcpu, u32 low, u32 high)
{
	bool x2 = nvmx_lapic_x2apic_mode(vcpu);
	struct nvmx_apic_irq irq = {
		.dest = x2 ? high : high >> 24,
		.dest_logical = low & APIC_DEST_LOGICAL,
		.x2apic_dest = x2,
		.shorthand = (low >> 18) & 3,
		.delivery_mode = (low >> 8) & 7,
		.vector = low & 0xff,
		.level = low & APIC_INT_ASSERT,
		.trig_level = low & APIC_INT_LEVELTRIG,
	};

	if ((irq.delivery_mode == NVMX_APIC_DM_FIXED ||
	     irq.delivery_mode == NVMX_APIC_DM_LOWEST) && irq.vector < 16) {
		nvmx_lapic_error(vcpu, NVMX_APIC_ESR_SEND_ILLEGAL);
		return;
	}
	nvmx_lapic_deliver(vcpu->vm, vcpu, &irq);
}

/* Timer */

static enum hrtimer_restart nvmx_lapic_timer_fn(struct hrtimer *h)
{
	struct nvmx_lapic *lapic = container_of(h, struct nvmx_lapic, timer);
	struct nvmx_vcpu *vcpu = container_of(lapic, struct nvmx_vcpu, lapic);
	enum hrtimer_restart ret = HRTIMER_NORESTART;
	unsigned long flags;
	bool kick = false;
	u32 lvtt;

	spin_lock_irqsave(&lapic->lock, flags);
	lvtt = nvmx_apic_rd(vcpu, NVMX_APIC_LVTT);
	if (!(lvtt & NVMX_APIC_LVT_MASKED) && (lvtt & 0xff) >= 16) {
		nvmx_lapic_set_irr_locked(vcpu, lvtt & 0xff, false);
		lapic->timer_fired++;
		kick = true;
	}
	if (nvmx_lvtt_mode(lvtt) == NVMX_APIC_TIMER_PERIODIC &&
	    lapic->period_ns) {
		/* Periods missed while the host was late coalesce into one. */
		hrtimer_forward_now(h, ns_to_ktime(lapic->period_ns));
		ret = HRTIMER_RESTART;
	} else {
		lapic->counting = false;
		lapic->tsc_deadline = 0;
	}
	spin_unlock_irqrestore(&lapic->lock, flags);
	if (kick)
		nvmx_vcpu_kick(vcpu);
	return ret;
}

/* Stops the timer; never with lapic->lock held (the callback takes it). */
static void nvmx_lapic_timer_stop(struct nvmx_vcpu *vcpu)
{
	hrtimer_cancel(&vcpu->lapic.timer);
	vcpu->lapic.counting = false;
}

/* Starts the timer with @first_ns to the first expiry. Timer stopped. */
static void nvmx_lapic_timer_arm(struct nvmx_vcpu *vcpu, u64 first_ns)
{
	vcpu->lapic.counting = true;
	hrtimer_start(&vcpu->lapic.timer, ktime_add_ns(ktime_get(), first_ns),
		      HRTIMER_MODE_ABS_HARD);
}

/* (Re)starts the timer from TMICT or the TSC deadline. Timer stopped. */
static void nvmx_lapic_timer_start(struct nvmx_vcpu *vcpu)
{
	u32 lvtt = nvmx_apic_rd(vcpu, NVMX_APIC_LVTT);
	u32 icr = nvmx_apic_rd(vcpu, NVMX_APIC_TMICT), div;
	u64 ns, now;

	if (nvmx_lvtt_mode(lvtt) == NVMX_APIC_TIMER_TSCDEADLINE) {
		vcpu->lapic.period_ns = 0;
		if (!vcpu->lapic.tsc_deadline || !vcpu->tsc_hw_khz)
			return;
		now = nvmx_guest_tsc(vcpu);
		ns = vcpu->lapic.tsc_deadline > now ?
		     mul_u64_u32_div(vcpu->lapic.tsc_deadline - now,
				     NSEC_PER_MSEC, vcpu->tsc_hw_khz) : 0;
		nvmx_lapic_timer_arm(vcpu, ns);
		return;
	}
	if (!icr)
		return;
	div = nvmx_apic_divisor(nvmx_apic_rd(vcpu, NVMX_APIC_TDCR));
	ns = nvmx_apic_count_ns(icr, div);
	if (nvmx_lvtt_mode(lvtt) == NVMX_APIC_TIMER_PERIODIC)
		ns = max_t(u64, ns, NVMX_APIC_MIN_PERIOD_NS);
	vcpu->lapic.period_ns = ns;
	nvmx_lapic_timer_arm(vcpu, ns);
}

static u32 nvmx_lapic_ccr(struct nvmx_vcpu *vcpu)
{
	u32 lvtt = nvmx_apic_rd(vcpu, NVMX_APIC_LVTT);
	s64 left;

	if (!READ_ONCE(vcpu->lapic.counting) ||
	    nvmx_lvtt_mode(lvtt) == NVMX_APIC_TIMER_TSCDEADLINE)
		return 0;
	left = ktime_to_ns(ktime_sub(hrtimer_get_expires(&vcpu->lapic.timer),
				     ktime_get()));
	return nvmx_apic_ccr(left > 0 ? left : 0,
			     nvmx_apic_divisor(nvmx_apic_rd(vcpu,
							    NVMX_APIC_TDCR)),
			     nvmx_apic_rd(vcpu, NVMX_APIC_TMICT));
}

/* The guest's TSC rate changed: an armed deadline is due at another time. */
void nvmx_lapic_tsc_rate_changed(struct nvmx_vcpu *vcpu)
{
	if (!vcpu->vm->irqchip ||
	    nvmx_lvtt_mode(nvmx_apic_rd(vcpu, NVMX_APIC_LVTT)) !=
	    NVMX_APIC_TIMER_TSCDEADLINE || !vcpu->lapic.tsc_deadline)
		return;
	nvmx_lapic_timer_stop(vcpu);
	nvmx_lapic_timer_start(vcpu);
}

u64 nvmx_lapic_get_tsc_deadline(struct nvmx_vcpu *vcpu)
{
	/* As KVM's: 0 unless the in-kernel timer is in TSC-deadline mode. */
	if (!vcpu->vm->irqchip ||
	    nvmx_lvtt_mode(nvmx_apic_rd(vcpu, NVMX_APIC_LVTT)) !=
	    NVMX_APIC_TIMER_TSCDEADLINE)
		return 0;
	return READ_ONCE(vcpu->lapic.tsc_deadline);
}

/* IA32_TSC_DEADLINE: ignored outside TSC-deadline mode, as on KVM. */
void nvmx_lapic_set_tsc_deadline(struct nvmx_vcpu *vcpu, u64 data)
{
	if (!vcpu->vm->irqchip ||
	    nvmx_lvtt_mode(nvmx_apic_rd(vcpu, NVMX_APIC_LVTT)) !=
	    NVMX_APIC_TIMER_TSCDEADLINE)
		return;
	nvmx_lapic_timer_stop(vcpu);
	vcpu->lapic.tsc_deadline = data;
	nvmx_lapic_timer_start(vcpu);
}

/* A write to LVT timer; a change into or out of TSC-deadline disarms. */
static void nvmx_lapic_write_lvtt(struct nvmx_vcpu *vcpu, u32 val)
{
	u32 new = nvmx_lvtt_mode(val);
	bool tscd = new == NVMX_APIC_TIMER_TSCDEADLINE;
	bool was_tscd = nvmx_lvtt_mode(nvmx_apic_rd(vcpu, NVMX_APIC_LVTT)) ==
			NVMX_APIC_TIMER_TSCDEADLINE;

	if (was_tscd != tscd) {
		nvmx_lapic_timer_stop(vcpu);
		nvmx_apic_wr(vcpu, NVMX_APIC_TMICT, 0);
		vcpu->lapic.tsc_deadline = 0;
	}
	nvmx_apic_wr(vcpu, NVMX_APIC_LVTT, val);
	/* One-shot to periodic and back: the count goes on in the new mode. */
	if (new == NVMX_APIC_TIMER_PERIODIC && vcpu->lapic.counting)
		vcpu->lapic.period_ns = max_t(u64, vcpu->lapic.period_ns,
					      NVMX_APIC_MIN_PERIOD_NS);
}

/* A new divisor: the count so far keeps its value, counted at the new rate. */
static void nvmx_lapic_write_tdcr(struct nvmx_vcpu *vcpu, u32 val)
{
	u32 icr = nvmx_apic_rd(vcpu, NVMX_APIC_TMICT);
	bool periodic = nvmx_lvtt_mode(nvmx_apic_rd(vcpu, NVMX_APIC_LVTT)) ==
			NVMX_APIC_TIMER_PERIODIC;
	bool was = vcpu->lapic.counting;
	u32 ccr = nvmx_lapic_ccr(vcpu), div;

	nvmx_lapic_timer_stop(vcpu);
	nvmx_apic_wr(vcpu, NVMX_APIC_TDCR, val & 0xb);
	if (!was)
		return;
	div = nvmx_apic_divisor(val);
	vcpu->lapic.period_ns = nvmx_apic_count_ns(icr, div);
	if (periodic)
		vcpu->lapic.period_ns = max_t(u64, vcpu->lapic.period_ns,
					      NVMX_APIC_MIN_PERIOD_NS);
	nvmx_lapic_timer_arm(vcpu, nvmx_apic_count_ns(ccr, div));
}

/* Registers */

static void nvmx_lapic_mask_lvts(struct nvmx_vcpu *vcpu)
{
	unsigned int off;

	for (off = NVMX_APIC_LVTT; off <= NVMX_APIC_LVTERR; off += 0x10)
		nvmx_apic_wr(vcpu, off, nvmx_apic_rd(vcpu, off) |
			     NVMX_APIC_LVT_MASKED);
}

/* A register read at @off (16-byte aligned), xAPIC or x2APIC. */
static u32 nvmx_lapic_reg_read(struct nvmx_vcpu *vcpu, unsigned int off)
{
	unsigned long flags;
	u32 v;

	switch (off) {
	case NVMX_APIC_PPR:
		spin_lock_irqsave(&vcpu->lapic.lock, flags);
		v = nvmx_lapic_update_ppr(vcpu);
		spin_unlock_irqrestore(&vcpu->lapic.lock, flags);
		return v;
	case NVMX_APIC_TMCCT:
		return nvmx_lapic_ccr(vcpu);
	case NVMX_APIC_ICR:
		/* Delivery is done by the time the write returns. */
		return nvmx_apic_rd(vcpu, off) & ~NVMX_APIC_ICR_BUSY;
	default:
		return nvmx_apic_rd(vcpu, off);
	}
}

/* Whether @off is a register the xAPIC reads (others read 0). */
static bool nvmx_xapic_readable(unsigned int off)
{
	switch (off) {
	case NVMX_APIC_ID:
	case NVMX_APIC_LVR:
	case NVMX_APIC_TPR:
	case NVMX_APIC_APR:
	case NVMX_APIC_PPR:
	case NVMX_APIC_LDR:
	case NVMX_APIC_DFR:
	case NVMX_APIC_SVR:
	case NVMX_APIC_ISR ... NVMX_APIC_IRR + 0x70:
	case NVMX_APIC_ESR:
	case NVMX_APIC_ICR:
	case NVMX_APIC_ICR2:
	case NVMX_APIC_LVTT ... NVMX_APIC_TMCCT:
	case NVMX_APIC_TDCR:
		return true;
	default:
		return false;
	}
}

/*
 * A register write at @off, xAPIC or x2APIC (the x2APIC-only checks are
 * the caller's). Returns -EINVAL for a register that cannot be written
 * in this mode: #GP for x2APIC, ignored for MMIO.
 */
static int nvmx_lapic_reg_write(struct nvmx_vcpu *vcpu, unsigned int off,
				u32 val)
{
	bool x2 = nvmx_lapic_x2apic_mode(vcpu);
	bool tscd = nvmx_guest_cpuid_1_ecx(vcpu, NVMX_CPUID_1_ECX_TSC_DEADLINE);
	unsigned long flags;

	switch (off) {
	case NVMX_APIC_ID:
		if (x2)
			return -EINVAL;
		nvmx_apic_wr(vcpu, off, val & 0xff000000);
		return 0;
	case NVMX_APIC_TPR:
		nvmx_set_tpr(vcpu, val & 0xff);
		return 0;
	case NVMX_APIC_EOI:
		nvmx_lapic_eoi(vcpu);
		return 0;
	case NVMX_APIC_LDR:
		if (x2)
			return -EINVAL;
		nvmx_apic_wr(vcpu, off, val & 0xff000000);
		return 0;
	case NVMX_APIC_DFR:
		if (x2)
			return -EINVAL;
		nvmx_apic_wr(vcpu, off, val | 0x0fffffff);
		return 0;
	case NVMX_APIC_SVR:
		nvmx_apic_wr(vcpu, off, val & 0x3ff);
		if (!(val & NVMX_APIC_SVR_ENABLED))
			nvmx_lapic_mask_lvts(vcpu);
		nvmx_vcpu_make_request(vcpu, NVMX_REQ_EVENT);
		return 0;
	case NVMX_APIC_ESR:
		/* A write latches the errors seen since the last one. */
		spin_lock_irqsave(&vcpu->lapic.lock, flags);
		nvmx_apic_wr(vcpu, off, vcpu->lapic.esr_pending);
		vcpu->lapic.esr_pending = 0;
		spin_unlock_irqrestore(&vcpu->lapic.lock, flags);
		return 0;
	case NVMX_APIC_ICR:
		val &= ~NVMX_APIC_ICR_BUSY;
		nvmx_apic_wr(vcpu, off, val);
		nvmx_lapic_send_ipi(vcpu, val,
				    nvmx_apic_rd(vcpu, NVMX_APIC_ICR2));
		return 0;
	case NVMX_APIC_ICR2:
		if (x2)
			return -EINVAL;
		nvmx_apic_wr(vcpu, off, val & 0xff000000);
		return 0;
	case NVMX_APIC_LVTT ... NVMX_APIC_LVTERR:
		/* A software-disabled APIC keeps every LVT masked. */
		if (!nvmx_lapic_sw_enabled(vcpu))
			val |= NVMX_APIC_LVT_MASKED;
		val &= nvmx_apic_lvt_mask(off, tscd);
		if (off == NVMX_APIC_LVTT)
			nvmx_lapic_write_lvtt(vcpu, val);
		else
			nvmx_apic_wr(vcpu, off, val);
		return 0;
	case NVMX_APIC_TMICT:
		if (nvmx_lvtt_mode(nvmx_apic_rd(vcpu, NVMX_APIC_LVTT)) ==
		    NVMX_APIC_TIMER_TSCDEADLINE)
			return 0;
		nvmx_lapic_timer_stop(vcpu);
		nvmx_apic_wr(vcpu, off, val);
		nvmx_lapic_timer_start(vcpu);
		return 0;
	case NVMX_APIC_TDCR:
		nvmx_lapic_write_tdcr(vcpu, val);
		return 0;
	default:
		/* Read-only or reserved. */
		return -EINVAL;
	}
}

/* The register file at RESET (@init false) or INIT. */
static void nvmx_lapic_reset_regs(struct nvmx_vcpu *vcpu, bool init)
{
	u32 id = init ? nvmx_apic_rd(vcpu, NVMX_APIC_ID) : vcpu->id << 24;
	u32 *regs = nvmx_apic_regs(vcpu);
	unsigned long flags;
	bool x2 = nvmx_lapic_x2apic_mode(vcpu);
	unsigned int i;

	nvmx_lapic_timer_stop(vcpu);
	spin_lock_irqsave(&vcpu->lapic.lock, flags);
	/*
	 * Not the ID, nor an x2APIC's LDR, which senders match without the
	 * lock: a message racing INIT, as the SIPI Linux sends right after
	 * it, must find what INIT keeps, not a cleared page's 0.
	 */
	for (i = 0; i < PAGE_SIZE / 4; i++)
		if (i != NVMX_APIC_ID >> 2 && (!x2 || i != NVMX_APIC_LDR >> 2))
			WRITE_ONCE(regs[i], 0);
	/* INIT keeps the APIC ID (x2APIC: the whole register) and LDR. */
	nvmx_apic_wr(vcpu, NVMX_APIC_ID, id);
	if (x2)
		nvmx_apic_wr(vcpu, NVMX_APIC_LDR, nvmx_x2apic_ldr(id));
	nvmx_apic_wr(vcpu, NVMX_APIC_LVR, NVMX_APIC_VERSION);
	nvmx_apic_wr(vcpu, NVMX_APIC_DFR, 0xffffffff);
	nvmx_apic_wr(vcpu, NVMX_APIC_SVR, 0xff);
	nvmx_lapic_mask_lvts(vcpu);
	vcpu->lapic.tsc_deadline = 0;
	vcpu->lapic.period_ns = 0;
	vcpu->lapic.esr_pending = 0;
	spin_unlock_irqrestore(&vcpu->lapic.lock, flags);
}

void nvmx_lapic_init(struct nvmx_vcpu *vcpu)
{
	spin_lock_init(&vcpu->lapic.lock);
	hrtimer_init(&vcpu->lapic.timer, CLOCK_MONOTONIC,
		     HRTIMER_MODE_ABS_HARD);
	vcpu->lapic.timer.function = nvmx_lapic_timer_fn;
}

/* Before the vCPU is freed: no timer callback may run after this. */
void nvmx_lapic_free(struct nvmx_vcpu *vcpu)
{
	hrtimer_cancel(&vcpu->lapic.timer);
}

void nvmx_lapic_reset(struct nvmx_vcpu *vcpu)
{
	nvmx_lapic_reset_regs(vcpu, false);
}

enum nvmx_apic_mode {
	NVMX_APIC_MODE_DISABLED,
	NVMX_APIC_MODE_INVALID,
	NVMX_APIC_MODE_XAPIC,
	NVMX_APIC_MODE_X2APIC,
};

static enum nvmx_apic_mode nvmx_apic_base_mode(u64 base)
{
	return ((base & MSR_IA32_APICBASE_ENABLE) ? 2 : 0) |
	       ((base & X2APIC_ENABLE) ? 1 : 0);
}

/*
 * IA32_APIC_BASE; -EINVAL is #GP for a guest write, failure for the host.
 * x2APIC (EXTD) needs the in-kernel APIC and x2APIC in the guest's CPUID.
 * The guest may not go from x2APIC to xAPIC or from disabled to x2APIC
 * directly (SDM "x2APIC State Transitions"); the host may, to restore.
 */
int nvmx_set_apic_base(struct nvmx_vcpu *vcpu, u64 data, bool host)
{
	bool x2ok = vcpu->vm->irqchip &&
		    nvmx_guest_cpuid_1_ecx(vcpu, NVMX_CPUID_1_ECX_X2APIC);
	u64 reserved = ~((1ULL << boot_cpu_data.x86_phys_bits) - 1) |
		       0x2ff | (x2ok ? 0 : X2APIC_ENABLE);
	enum nvmx_apic_mode old = nvmx_apic_base_mode(vcpu->apic_base);
	enum nvmx_apic_mode new = nvmx_apic_base_mode(data);

	if (data & reserved)
		return -EINVAL;
	/* The guest cannot make itself the boot processor. */
	if (!host && ((data ^ vcpu->apic_base) & MSR_IA32_APICBASE_BSP))
		return -EINVAL;
	if (new == NVMX_APIC_MODE_INVALID)
		return -EINVAL;
	if (!host && ((old == NVMX_APIC_MODE_X2APIC &&
		       new == NVMX_APIC_MODE_XAPIC) ||
		      (old == NVMX_APIC_MODE_DISABLED &&
		       new == NVMX_APIC_MODE_X2APIC)))
		return -EINVAL;
	WRITE_ONCE(vcpu->apic_base, data);
	if (old == new || !vcpu->vm->irqchip)
		return 0;
	/* The ID and LDR change format with the mode. */
	if (new == NVMX_APIC_MODE_X2APIC) {
		nvmx_apic_wr(vcpu, NVMX_APIC_ID, vcpu->id);
		nvmx_apic_wr(vcpu, NVMX_APIC_LDR, nvmx_x2apic_ldr(vcpu->id));
	} else if (old == NVMX_APIC_MODE_X2APIC) {
		nvmx_apic_wr(vcpu, NVMX_APIC_ID, vcpu->id << 24);
		nvmx_apic_wr(vcpu, NVMX_APIC_LDR, 0);
	}
	nvmx_vcpu_make_request(vcpu, NVMX_REQ_EVENT);
	return 0;
}

bool nvmx_lapic_mmio_range(struct nvmx_vcpu *vcpu, u64 gpa)
{
	u64 base = vcpu->apic_base & MSR_IA32_APICBASE_BASE;

	return vcpu->vm->irqchip &&
	       (vcpu->apic_base & MSR_IA32_APICBASE_ENABLE) &&
	       gpa >= base && gpa < base + PAGE_SIZE;
}

/*
 * An xAPIC register access of @len bytes at @offset. As KVM's: reads of
 * 1, 2 or 4 bytes within a register, of reserved registers 0; writes of
 * anything but an aligned dword, and to read-only or reserved registers,
 * are dropped. In x2APIC mode the MMIO page reads all ones.
 */
void nvmx_lapic_mmio(struct nvmx_vcpu *vcpu, unsigned int offset,
		     bool is_write, unsigned int len, u64 *data)
{
	unsigned int align, reg;
	u32 v;

	offset &= PAGE_SIZE - 1;
	align = offset & 0xf;
	reg = offset & ~0xfu;
	if (nvmx_lapic_x2apic_mode(vcpu)) {
		if (!is_write)
			*data = len >= 8 ? ~0ULL : BIT_ULL(len * 8) - 1;
		return;
	}
	if (is_write) {
		if (len == 4 && !align)
			nvmx_lapic_reg_write(vcpu, reg, (u32)*data);
		return;
	}
	*data = 0;
	if (align + len > 4 || !nvmx_xapic_readable(reg))
		return;
	v = nvmx_lapic_reg_read(vcpu, reg) >> (align * 8);
	*data = len == 4 ? v : v & (BIT(len * 8) - 1);
}

/*
 * RDMSR/WRMSR of 0x800-0x8ff: x2APIC mode only, reserved registers and
 * the wrong direction #GP (-EINVAL). ICR is one 64-bit register (its high
 * half is kept where ICR2 is); bits 63:32 of any other must be 0; as
 * KVM's, ESR takes only 0 and SELF_IPI only a vector.
 */
int nvmx_lapic_x2apic_msr(struct nvmx_vcpu *vcpu, u32 msr, u64 *data,
			  bool write)
{
	int off;
	u32 lo;

	if (!vcpu->vm->irqchip || !nvmx_lapic_x2apic_mode(vcpu))
		return -EINVAL;
	off = nvmx_x2apic_reg(msr, write);
	if (off < 0)
		return -EINVAL;
	if (!write) {
		*data = nvmx_lapic_reg_read(vcpu, off);
		if (off == NVMX_APIC_ICR)
			*data |= (u64)nvmx_apic_rd(vcpu, NVMX_APIC_ICR2) << 32;
		return 0;
	}
	if (off == NVMX_APIC_ICR) {
		lo = (u32)*data & ~NVMX_APIC_ICR_BUSY;
		nvmx_apic_wr(vcpu, NVMX_APIC_ICR2, *data >> 32);
		nvmx_apic_wr(vcpu, NVMX_APIC_ICR, lo);
		nvmx_lapic_send_ipi(vcpu, lo, *data >> 32);
		return 0;
	}
	if (*data >> 32)
		return -EINVAL;
	if (off == NVMX_APIC_ESR && *data)
		return -EINVAL;
	if (off == NVMX_APIC_SELF_IPI) {
		if (*data & ~0xffULL)
			return -EINVAL;
		nvmx_lapic_send_ipi(vcpu, APIC_DEST_SELF | (u32)*data, 0);
		return 0;
	}
	return nvmx_lapic_reg_write(vcpu, off, *data);
}

/*
 * INIT and SIPI the vCPU has received, acted on by its own task with the
 * vCPU loaded: INIT resets it to its INIT state (a BSP runs on from the
 * reset vector, an AP waits for SIPI); SIPI starts an AP waiting for it
 * at vector << 8 : 0, and is dropped otherwise.
 */
void nvmx_lapic_accept_events(struct nvmx_vcpu *vcpu)
{
	bool bsp = vcpu->apic_base & MSR_IA32_APICBASE_BSP;
	u8 vec;

	if (!vcpu->vm->irqchip || !READ_ONCE(vcpu->lapic.events))
		return;
	if (nvmx_lapic_init_blocked(vcpu)) {
		/* INIT stays pending; SIPI has no one waiting for it. */
		clear_bit(NVMX_LAPIC_EV_SIPI, &vcpu->lapic.events);
		return;
	}
	if (test_and_clear_bit(NVMX_LAPIC_EV_INIT, &vcpu->lapic.events)) {
		nvmx_vmcs01_init_event(vcpu);
		nvmx_lapic_reset_regs(vcpu, true);
		vcpu->mp_state = bsp ? KVM_MP_STATE_RUNNABLE :
				 KVM_MP_STATE_INIT_RECEIVED;
	}
	if (test_and_clear_bit(NVMX_LAPIC_EV_SIPI, &vcpu->lapic.events)) {
		/* Pairs with the barrier before the bit was set. */
		smp_mb__after_atomic();
		vec = READ_ONCE(vcpu->lapic.sipi_vector);
		if (vcpu->mp_state == KVM_MP_STATE_INIT_RECEIVED) {
			nvmx_vmcs01_sipi(vcpu, vec);
			vcpu->mp_state = KVM_MP_STATE_RUNNABLE;
		}
	}
}

/*
 * KVM_GET_LAPIC: the first KiB of the register page, with PPR and the
 * current count as the guest would read them; in x2APIC mode the ID is
 * in xAPIC format (ID << 24), as KVM's without KVM_CAP_X2APIC_API.
 */
int nvmx_lapic_get_state(struct nvmx_vcpu *vcpu, struct kvm_lapic_state *s)
{
	unsigned long flags;
	u32 *r = (u32 *)s->regs;

	spin_lock_irqsave(&vcpu->lapic.lock, flags);
	nvmx_lapic_update_ppr(vcpu);
	memcpy(s->regs, nvmx_apic_regs(vcpu), sizeof(s->regs));
	spin_unlock_irqrestore(&vcpu->lapic.lock, flags);
	r[NVMX_APIC_TMCCT >> 2] = nvmx_lapic_ccr(vcpu);
	r[NVMX_APIC_ICR >> 2] &= ~NVMX_APIC_ICR_BUSY;
	if (nvmx_lapic_x2apic_mode(vcpu))
		r[NVMX_APIC_ID >> 2] <<= 24;
	return 0;
}

/*
 * KVM_SET_LAPIC: each register as a write of it would leave it (masks,
 * read-only fields), IRR, ISR, TMR and ESR as given, PPR recomputed, the
 * timer restarted from its initial count. In x2APIC mode the image's ID
 * is in xAPIC format, as GET gives it, and the LDR follows from it.
 */
int nvmx_lapic_set_state(struct nvmx_vcpu *vcpu,
			 const struct kvm_lapic_state *s)
{
	bool tscd = nvmx_guest_cpuid_1_ecx(vcpu, NVMX_CPUID_1_ECX_TSC_DEADLINE);
	bool x2 = nvmx_lapic_x2apic_mode(vcpu);
	const u32 *in = (const u32 *)s->regs;
	u32 *r = nvmx_apic_regs(vcpu);
	unsigned long flags;
	unsigned int off;
	u32 v;

	nvmx_lapic_timer_stop(vcpu);
	spin_lock_irqsave(&vcpu->lapic.lock, flags);
	memset(r, 0, PAGE_SIZE);
	r[NVMX_APIC_ID >> 2] = x2 ? in[NVMX_APIC_ID >> 2] >> 24 :
				    in[NVMX_APIC_ID >> 2] & 0xff000000;
	r[NVMX_APIC_LVR >> 2] = NVMX_APIC_VERSION;
	r[NVMX_APIC_TPR >> 2] = in[NVMX_APIC_TPR >> 2] & 0xff;
	r[NVMX_APIC_APR >> 2] = in[NVMX_APIC_APR >> 2] & 0xff;
	r[NVMX_APIC_LDR >> 2] = x2 ? nvmx_x2apic_ldr(r[NVMX_APIC_ID >> 2]) :
			       in[NVMX_APIC_LDR >> 2] & 0xff000000;
	r[NVMX_APIC_DFR >> 2] = in[NVMX_APIC_DFR >> 2] | 0x0fffffff;
	r[NVMX_APIC_SVR >> 2] = in[NVMX_APIC_SVR >> 2] & 0x3ff;
	for (off = NVMX_APIC_ISR; off <= NVMX_APIC_IRR + 0x70; off += 0x10)
		r[off >> 2] = in[off >> 2];
	r[NVMX_APIC_ESR >> 2] = in[NVMX_APIC_ESR >> 2];
	r[NVMX_APIC_ICR >> 2] = in[NVMX_APIC_ICR >> 2] & ~NVMX_APIC_ICR_BUSY;
	r[NVMX_APIC_ICR2 >> 2] = x2 ? in[NVMX_APIC_ICR2 >> 2] :
				in[NVMX_APIC_ICR2 >> 2] & 0xff000000;
	for (off = NVMX_APIC_LVTT; off <= NVMX_APIC_LVTERR; off += 0x10) {
		v = in[off >> 2];
		if (!(r[NVMX_APIC_SVR >> 2] & NVMX_APIC_SVR_ENABLED))
			v |= NVMX_APIC_LVT_MASKED;
		r[off >> 2] = v & nvmx_apic_lvt_mask(off, tscd);
	}
	r[NVMX_APIC_TMICT >> 2] = in[NVMX_APIC_TMICT >> 2];
	r[NVMX_APIC_TDCR >> 2] = in[NVMX_APIC_TDCR >> 2] & 0xb;
	nvmx_lapic_update_ppr(vcpu);
	spin_unlock_irqrestore(&vcpu->lapic.lock, flags);
	nvmx_lapic_timer_start(vcpu);
	nvmx_vcpu_make_request(vcpu, NVMX_REQ_EVENT);
	return 0;
}
