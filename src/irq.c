// SPDX-License-Identifier: GPL-2.0
/*
 * Kicking a vCPU and its requests (irq.h).
 *
 * Ordering: the vCPU's task sets vcpu->mode to NVMX_IN_GUEST with
 * interrupts off and then reads vcpu->requests (a full barrier between);
 * a kicker sets its request and then reads vcpu->mode (a full barrier
 * between). So either the vCPU sees the request before entering, or the
 * kicker sees it in guest mode and sends the IPI, which the CPU holds
 * until the entry and which then causes an external-interrupt exit.
 */
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/smp.h>

#include "nvmx.h"

void nvmx_vcpu_make_request(struct nvmx_vcpu *vcpu, unsigned int req)
{
	set_bit(req, &vcpu->requests);
}

bool nvmx_vcpu_test_clear_request(struct nvmx_vcpu *vcpu, unsigned int req)
{
	return test_and_clear_bit(req, &vcpu->requests);
}

bool nvmx_vcpu_has_requests(struct nvmx_vcpu *vcpu)
{
	return READ_ONCE(vcpu->requests);
}

/* Makes @vcpu look at its requests soon; any context but NMI. */
void nvmx_vcpu_kick(struct nvmx_vcpu *vcpu)
{
	int cpu, me;

	nvmx_vcpu_make_request(vcpu, NVMX_REQ_EVENT);
	smp_mb__after_atomic();
	if (rcuwait_wake_up(&vcpu->wait))
		return;
	me = get_cpu();
	cpu = READ_ONCE(vcpu->cpu);
	if (READ_ONCE(vcpu->mode) == NVMX_IN_GUEST && cpu != me &&
	    cpu >= 0 && cpu_online(cpu))
		smp_send_reschedule(cpu);
	put_cpu();
}

void nvmx_vcpu_queue_nmi(struct nvmx_vcpu *vcpu)
{
	WRITE_ONCE(vcpu->nmi_pending, true);
	nvmx_vcpu_kick(vcpu);
}
