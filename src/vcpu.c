// SPDX-License-Identifier: GPL-2.0
/*
 * vCPUs: creation and freeing, the vCPU fd, its mmap and its ioctls
 * (KVM_RUN itself is run.c's).
 *
 * A vCPU lives as long as its VM, as on KVM: its fd holds a VM reference
 * and the VM frees its vCPUs when it goes. Where its VMCSs are loaded is
 * placement.c's business.
 */
#include <linux/anon_inodes.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/rcuwait.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "vmx_ops.h"

/* The vCPU state that CPUID results depend on (cpuid.h). */
struct nvmx_cpuid_state nvmx_vcpu_cpuid_state(struct nvmx_vcpu *vcpu)
{
	return (struct nvmx_cpuid_state) {
		.cr4 = nvmx_read_cr4(vcpu), .xcr0 = vcpu->xcr0,
		.apic_enabled = vcpu->apic_base & MSR_IA32_APICBASE_ENABLE,
	};
}

static long nvmx_vcpu_msrs(struct nvmx_vcpu *vcpu,
			   struct kvm_msrs __user *user, bool set)
{
	struct kvm_msr_entry __user *uentries = user->entries;
	struct kvm_msr_entry e;
	struct kvm_msrs hdr;
	u32 i;
	int r;

	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	/* KVM's limit on one call. */
	if (hdr.nmsrs >= NVMX_MAX_IO_MSRS)
		return -E2BIG;
	/* Returns how many were done; stops at the first that fails. */
	for (i = 0; i < hdr.nmsrs; i++) {
		if (copy_from_user(&e, &uentries[i], sizeof(e)))
			return -EFAULT;
		if (set) {
			r = nvmx_set_msr(vcpu, e.index, e.data, true);
		} else {
			r = nvmx_get_msr(vcpu, e.index, &e.data, true);
			if (!r && copy_to_user(&uentries[i].data, &e.data,
					       sizeof(e.data)))
				return -EFAULT;
		}
		if (r)
			break;
	}
	return i;
}

/*
 * Whether @e is the vCPU's table as KVM_GET_CPUID2 gives it now, with the
 * bits that follow guest state (OSXSAVE, APIC...): KVM keeps those in its
 * table, so that is what it compares a table set after KVM_RUN with.
 * The VMCS is loaded (CR4).
 */
static bool nvmx_vcpu_cpuid_same(struct nvmx_vcpu *vcpu,
				 const struct kvm_cpuid_entry2 *e, u32 nent)
{
	struct nvmx_cpuid_state st = nvmx_vcpu_cpuid_state(vcpu);
	struct kvm_cpuid_entry2 cur;
	u32 i, r[4];

	if (nent != vcpu->cpuid_nent)
		return false;
	for (i = 0; i < nent; i++) {
		cur = vcpu->cpuid[i];
		nvmx_cpuid_lookup(vcpu->cpuid, vcpu->cpuid_nent, cur.function,
				  cur.index, &st, r);
		cur.eax = r[0];
		cur.ebx = r[1];
		cur.ecx = r[2];
		cur.edx = r[3];
		if (!nvmx_cpuid_equal(&e[i], 1, &cur, 1))
			return false;
	}
	return true;
}

static long nvmx_vcpu_set_cpuid2(struct nvmx_vcpu *vcpu,
				 struct kvm_cpuid2 __user *user)
{
	struct kvm_cpuid_entry2 *e;
	struct kvm_cpuid2 hdr;
	int r;

	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	if (hdr.nent > NVMX_MAX_CPUID_ENTRIES)
		return -E2BIG;
	e = vmemdup_user(user->entries, array_size(hdr.nent, sizeof(*e)));
	if (IS_ERR(e))
		return PTR_ERR(e);
	/* As KVM: once the vCPU has run, only the same table is accepted. */
	if (vcpu->has_run) {
		nvmx_vcpu_load(vcpu);
		r = nvmx_vcpu_cpuid_same(vcpu, e, hdr.nent) ? 0 : -EINVAL;
		nvmx_vcpu_put(vcpu);
		kvfree(e);
		return r;
	}
	r = nvmx_cpuid_check(e, hdr.nent);
	if (r) {
		kvfree(e);
		return r;
	}
	kvfree(vcpu->cpuid);
	vcpu->cpuid = e;
	vcpu->cpuid_nent = hdr.nent;
	nvmx_nested_after_set_cpuid(vcpu);
	/* The CR4 mask follows CPUID: re-applied before the next entry. */
	vcpu->policy_gen = 0;
	return 0;
}

static long nvmx_vcpu_get_cpuid2(struct nvmx_vcpu *vcpu,
				 struct kvm_cpuid2 __user *user)
{
	struct nvmx_cpuid_state st = nvmx_vcpu_cpuid_state(vcpu);
	struct kvm_cpuid_entry2 e;
	struct kvm_cpuid2 hdr;
	u32 i, r[4];

	if (copy_from_user(&hdr, user, sizeof(hdr)))
		return -EFAULT;
	/* As KVM: too small a buffer is E2BIG and nent is left alone. */
	if (hdr.nent < vcpu->cpuid_nent)
		return -E2BIG;
	hdr.nent = vcpu->cpuid_nent;
	if (copy_to_user(user, &hdr, sizeof(hdr)))
		return -EFAULT;
	/* As KVM: the entries as the guest reads them now (OSXSAVE, APIC...). */
	for (i = 0; i < hdr.nent; i++) {
		e = vcpu->cpuid[i];
		nvmx_cpuid_lookup(vcpu->cpuid, vcpu->cpuid_nent, e.function,
				  e.index, &st, r);
		e.eax = r[0];
		e.ebx = r[1];
		e.ecx = r[2];
		e.edx = r[3];
		if (copy_to_user(&user->entries[i], &e, sizeof(e)))
			return -EFAULT;
	}
	return 0;
}

/*
 * As KVM's: without the in-kernel APIC only RUNNABLE; with it also
 * UNINITIALIZED, HALTED, INIT_RECEIVED and SIPI_RECEIVED (which is
 * INIT_RECEIVED with a SIPI pending), the last two not while INIT is
 * blocked (VMX operation). GET acts on a pending INIT or SIPI first.
 */
static long nvmx_vcpu_mp_state(struct nvmx_vcpu *vcpu,
			       struct kvm_mp_state __user *user, bool set)
{
	struct kvm_mp_state mp;

	if (!set) {
		if (vcpu->vm->irqchip) {
			nvmx_vcpu_load(vcpu);
			nvmx_lapic_accept_events(vcpu);
			nvmx_vcpu_put(vcpu);
		}
		mp.mp_state = vcpu->mp_state;
		return copy_to_user(user, &mp, sizeof(mp)) ? -EFAULT : 0;
	}
	if (copy_from_user(&mp, user, sizeof(mp)))
		return -EFAULT;
	switch (mp.mp_state) {
	case KVM_MP_STATE_RUNNABLE:
		break;
	case KVM_MP_STATE_INIT_RECEIVED:
	case KVM_MP_STATE_SIPI_RECEIVED:
		if (vcpu->nested.vmxon)
			return -EINVAL;
		fallthrough;
	case KVM_MP_STATE_UNINITIALIZED:
	case KVM_MP_STATE_HALTED:
		if (!vcpu->vm->irqchip)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}
	if (mp.mp_state == KVM_MP_STATE_SIPI_RECEIVED) {
		vcpu->mp_state = KVM_MP_STATE_INIT_RECEIVED;
		set_bit(NVMX_LAPIC_EV_SIPI, &vcpu->lapic.events);
	} else {
		vcpu->mp_state = mp.mp_state;
	}
	nvmx_vcpu_make_request(vcpu, NVMX_REQ_EVENT);
	return 0;
}

/* KVM_GET_LAPIC and KVM_SET_LAPIC: EINVAL without the in-kernel APIC. */
static long nvmx_vcpu_lapic(struct nvmx_vcpu *vcpu,
			    struct kvm_lapic_state __user *user, bool set)
{
	struct kvm_lapic_state *s;
	long r;

	if (!vcpu->vm->irqchip)
		return -EINVAL;
	if (set) {
		s = memdup_user(user, sizeof(*s));
		if (IS_ERR(s))
			return PTR_ERR(s);
		r = nvmx_lapic_set_state(vcpu, s);
		kfree(s);
		return r;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return -ENOMEM;
	r = nvmx_lapic_get_state(vcpu, s);
	if (!r && copy_to_user(user, s, sizeof(*s)))
		r = -EFAULT;
	kfree(s);
	return r;
}

/*
 * KVM_SET_VAPIC_ADDR: QEMU sets 0 (no vAPIC page) at every APIC reset and
 * aborts if that fails. A page would need the TPR, highest ISR and IRR
 * copied into guest memory around each entry for QEMU's kvmvapic TPR
 * patching, which nvmx does not do (no TPR access reports either), so
 * any other address is EINVAL.
 */
static long nvmx_vcpu_set_vapic_addr(struct nvmx_vcpu *vcpu,
				     struct kvm_vapic_addr __user *user)
{
	struct kvm_vapic_addr va;

	if (!vcpu->vm->irqchip)
		return -EINVAL;
	if (copy_from_user(&va, user, sizeof(va)))
		return -EFAULT;
	return va.vapic_addr ? -EINVAL : 0;
}

/* KVM_GET_FPU and KVM_SET_FPU: the legacy FXSAVE part of the guest FPU. */
static long nvmx_vcpu_fpu(struct nvmx_vcpu *vcpu, struct kvm_fpu __user *user,
			  bool set)
{
	struct fxregs_state *fx = &vcpu->guest_fpu.fpstate->regs.fxsave;
	struct kvm_fpu *f;
	long r = 0;

	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	if (set) {
		if (copy_from_user(f, user, sizeof(*f))) {
			r = -EFAULT;
			goto out_free;
		}
		/* Reserved MXCSR bits would make the FPU restore fault. */
		if (f->mxcsr & ~mxcsr_feature_mask) {
			r = -EINVAL;
			goto out_free;
		}
		memcpy(fx->st_space, f->fpr, sizeof(f->fpr));
		fx->cwd = f->fcw;
		fx->swd = f->fsw;
		fx->twd = f->ftwx;
		fx->fop = f->last_opcode;
		fx->rip = f->last_ip;
		fx->rdp = f->last_dp;
		memcpy(fx->xmm_space, f->xmm, sizeof(f->xmm));
		fx->mxcsr = f->mxcsr;
		/* XRSTOR would take x87 and SSE from their init state. */
		if (boot_cpu_has(X86_FEATURE_XSAVE))
			vcpu->guest_fpu.fpstate->regs.xsave.header.xfeatures |=
				XFEATURE_MASK_FPSSE;
	} else {
		memcpy(f->fpr, fx->st_space, sizeof(f->fpr));
		f->fcw = fx->cwd;
		f->fsw = fx->swd;
		f->ftwx = fx->twd;
		f->last_opcode = fx->fop;
		f->last_ip = fx->rip;
		f->last_dp = fx->rdp;
		memcpy(f->xmm, fx->xmm_space, sizeof(f->xmm));
		f->mxcsr = fx->mxcsr;
		if (copy_to_user(user, f, sizeof(*f)))
			r = -EFAULT;
	}
out_free:
	kfree(f);
	return r;
}

static long nvmx_vcpu_stats_fd(struct nvmx_vcpu *vcpu)
{
	char id[NVMX_STATS_NAME_SIZE];

	snprintf(id, sizeof(id), "kvm-%d/vcpu-%u", task_pid_nr(current),
		 vcpu->id);
	nvmx_vm_get(vcpu->vm);
	return nvmx_stats_fd_create(&nvmx_vcpu_stats_schema, id,
				    (const u64 *)&vcpu->stat,
				    nvmx_vm_put_owner, vcpu->vm);
}

static_assert(sizeof(struct nvmx_exit_counts) == NVMX_EXIT_COUNTS_SIZE_VER0);

/* Zeroes what NVMX_GET_EXIT_COUNTS reads; a stats fd reads 0 or the old u64. */
static void nvmx_vcpu_reset_exit_counts(struct nvmx_vcpu *vcpu)
{
	u32 level, i;
	u64 *h;

	for (level = 0; level < NVMX_NR_LEVELS; level++) {
		h = nvmx_stats_exit_hist(&vcpu->stat, level, false);
		for (i = 0; i < NVMX_EXIT_REASONS; i++)
			WRITE_ONCE(h[i], 0);
		h = nvmx_stats_exit_hist(&vcpu->stat, level, true);
		for (i = 0; i < NVMX_CR_ACCESS_SLOTS; i++)
			WRITE_ONCE(h[i], 0);
	}
}

/*
 * NVMX_GET_EXIT_COUNTS: the exit histograms of the stats fd, then zeroed
 * if asked (and only once they reached userspace). Under vcpu->mutex, so
 * no exit is counted between the copy and the reset.
 */
static long nvmx_vcpu_get_exit_counts(struct nvmx_vcpu *vcpu,
				      void __user *argp)
{
	struct nvmx_exit_counts *c;
	int usize;
	long r;

	/* 3.4 KiB: too big for the stack. */
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	usize = nvmx_copy_struct_in(c, sizeof(*c), NVMX_EXIT_COUNTS_SIZE_VER0,
				    argp);
	r = usize;
	if (usize < 0)
		goto out_free;
	r = -EINVAL;
	if ((c->flags & ~NVMX_EXIT_COUNTS_RESET) || c->__reserved)
		goto out_free;
	nvmx_stats_get_exit_counts(&vcpu->stat, c);
	r = nvmx_copy_struct_out(argp, c, &c->size, sizeof(*c), usize);
	if (!r && (c->flags & NVMX_EXIT_COUNTS_RESET))
		nvmx_vcpu_reset_exit_counts(vcpu);
out_free:
	kfree(c);
	return r;
}

/* nvmx's own vCPU ioctls, by command number, as dev.c takes its own. */
static long nvmx_vcpu_own_ioctl(struct nvmx_vcpu *vcpu, unsigned int ioctl,
				void __user *argp)
{
	if (_IOC_TYPE(ioctl) == NVMX_TYPE &&
	    _IOC_DIR(ioctl) == (_IOC_READ | _IOC_WRITE) &&
	    _IOC_NR(ioctl) == NVMX_CMD_GET_EXIT_COUNTS)
		return nvmx_vcpu_get_exit_counts(vcpu, argp);
	/* KVM's answer for a vCPU ioctl it does not know. */
	return -EINVAL;
}

/* KVM_GET_VCPU_EVENTS and KVM_SET_VCPU_EVENTS (events.c). */
static long nvmx_vcpu_events(struct nvmx_vcpu *vcpu, void __user *argp,
			     bool set)
{
	struct kvm_vcpu_events ev;
	long r = 0;

	if (set && copy_from_user(&ev, argp, sizeof(ev)))
		return -EFAULT;
	nvmx_vcpu_load(vcpu);
	if (set)
		r = nvmx_vcpu_set_events(vcpu, &ev);
	else
		nvmx_vcpu_get_events(vcpu, &ev);
	nvmx_vcpu_put(vcpu);
	if (!set && copy_to_user(argp, &ev, sizeof(ev)))
		r = -EFAULT;
	return r;
}

/* The register ioctls: copy in, apply with the VMCS loaded, copy out. */
static long nvmx_vcpu_regs_ioctl(struct nvmx_vcpu *vcpu, unsigned int ioctl,
				 void __user *argp)
{
	union {
		struct kvm_regs regs;
		struct kvm_sregs sregs;
	} *u;
	size_t size = (ioctl == KVM_GET_REGS || ioctl == KVM_SET_REGS) ?
		      sizeof(u->regs) : sizeof(u->sregs);
	bool set = ioctl == KVM_SET_REGS || ioctl == KVM_SET_SREGS;
	long r;

	u = kzalloc(sizeof(*u), GFP_KERNEL);
	if (!u)
		return -ENOMEM;
	r = -EFAULT;
	if (set && copy_from_user(u, argp, size))
		goto out_free;
	nvmx_vcpu_load(vcpu);
	if (ioctl == KVM_GET_REGS)
		r = nvmx_get_regs(vcpu, &u->regs);
	else if (ioctl == KVM_SET_REGS)
		r = nvmx_set_regs(vcpu, &u->regs);
	else if (ioctl == KVM_GET_SREGS)
		r = nvmx_get_sregs(vcpu, &u->sregs);
	else
		r = nvmx_set_sregs(vcpu, &u->sregs);
	nvmx_vcpu_put(vcpu);
	if (!r && !set && copy_to_user(argp, u, size))
		r = -EFAULT;
out_free:
	kfree(u);
	return r;
}

static long nvmx_vcpu_ioctl(struct file *filp, unsigned int ioctl,
			    unsigned long arg)
{
	struct nvmx_vcpu *vcpu = filp->private_data;
	void __user *argp = (void __user *)arg;
	long r;

	if (vcpu->vm->mm != current->mm)
		return -EIO;
	if (mutex_lock_killable(&vcpu->mutex))
		return -EINTR;

	switch (ioctl) {
	case KVM_RUN:
		r = -EINVAL;
		if (!arg)
			r = nvmx_vcpu_run(vcpu);
		break;
	case KVM_GET_REGS:
	case KVM_SET_REGS:
	case KVM_GET_SREGS:
	case KVM_SET_SREGS:
		r = nvmx_vcpu_regs_ioctl(vcpu, ioctl, argp);
		break;
	case KVM_GET_MSRS:
	case KVM_SET_MSRS:
		nvmx_vcpu_load(vcpu);
		r = nvmx_vcpu_msrs(vcpu, argp, ioctl == KVM_SET_MSRS);
		nvmx_vcpu_put(vcpu);
		break;
	case KVM_SET_CPUID2:
		r = nvmx_vcpu_set_cpuid2(vcpu, argp);
		break;
	case KVM_GET_CPUID2:
		/* OSXSAVE in leaf 1 is CR4's: the VMCS holds it. */
		nvmx_vcpu_load(vcpu);
		r = nvmx_vcpu_get_cpuid2(vcpu, argp);
		nvmx_vcpu_put(vcpu);
		break;
	case KVM_GET_MP_STATE:
	case KVM_SET_MP_STATE:
		r = nvmx_vcpu_mp_state(vcpu, argp, ioctl == KVM_SET_MP_STATE);
		break;
	case KVM_GET_LAPIC:
	case KVM_SET_LAPIC:
		r = nvmx_vcpu_lapic(vcpu, argp, ioctl == KVM_SET_LAPIC);
		break;
	case KVM_SET_VAPIC_ADDR:
		r = nvmx_vcpu_set_vapic_addr(vcpu, argp);
		break;
	case KVM_GET_FPU:
	case KVM_SET_FPU:
		r = nvmx_vcpu_fpu(vcpu, argp, ioctl == KVM_SET_FPU);
		break;
	case KVM_GET_STATS_FD:
		r = nvmx_vcpu_stats_fd(vcpu);
		break;
	case KVM_INTERRUPT:
		r = nvmx_vcpu_interrupt(vcpu, argp);
		break;
	case KVM_GET_VCPU_EVENTS:
	case KVM_SET_VCPU_EVENTS:
		r = nvmx_vcpu_events(vcpu, argp, ioctl == KVM_SET_VCPU_EVENTS);
		break;
	case KVM_NMI:
		nvmx_vcpu_queue_nmi(vcpu);
		r = 0;
		break;
	case KVM_GET_TSC_KHZ:
		r = nvmx_vcpu_get_tsc_khz(vcpu);
		break;
	case KVM_SET_TSC_KHZ:
		r = nvmx_vcpu_set_tsc_khz(vcpu, arg);
		break;
	case KVM_X86_SETUP_MCE:
		r = nvmx_vcpu_setup_mce(vcpu, argp);
		break;
	case KVM_X86_SET_MCE:
		r = nvmx_vcpu_set_mce(vcpu, argp);
		break;
	default:
		r = nvmx_vcpu_state_ioctl(vcpu, ioctl, argp);
		if (r == -ENOIOCTLCMD)
			r = nvmx_vcpu_own_ioctl(vcpu, ioctl, argp);
		break;
	}
	mutex_unlock(&vcpu->mutex);
	return r;
}

static vm_fault_t nvmx_vcpu_fault(struct vm_fault *vmf)
{
	struct nvmx_vcpu *vcpu = vmf->vma->vm_file->private_data;
	struct page *page;

	if (vmf->pgoff == 0)
		page = vcpu->run_page;
	else if (vmf->pgoff == NVMX_PIO_PAGE_OFFSET)
		page = vcpu->pio_page;
	else
		return VM_FAULT_SIGBUS;
	get_page(page);
	vmf->page = page;
	return 0;
}

static const struct vm_operations_struct nvmx_vcpu_vm_ops = {
	.fault = nvmx_vcpu_fault,
};

static int nvmx_vcpu_mmap(struct file *file, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff + vma_pages(vma) > NVMX_VCPU_MMAP_PAGES)
		return -EINVAL;
	vma->vm_ops = &nvmx_vcpu_vm_ops;
	return 0;
}

/* Frees a vCPU; at VM destruction, or when its creation fails. */
void nvmx_vcpu_free(struct nvmx_vcpu *vcpu)
{
	nvmx_lapic_free(vcpu);
	nvmx_nested_vcpu_free(vcpu);
	nvmx_loaded_vmcs_free(&vcpu->vmcs01);
	nvmx_vpid_free(vcpu->vpid);
	fpu_free_guest_fpstate(&vcpu->guest_fpu);
	kvfree(vcpu->cpuid);
	if (vcpu->apic_page)
		__free_page(vcpu->apic_page);
	if (vcpu->msr_bitmap)
		__free_page(vcpu->msr_bitmap);
	if (vcpu->pio_page)
		__free_page(vcpu->pio_page);
	if (vcpu->run_page)
		__free_page(vcpu->run_page);
	kfree(vcpu);
}

/* As on KVM, a vCPU lives as long as its VM, not its fd. */
static int nvmx_vcpu_release(struct inode *inode, struct file *filp)
{
	struct nvmx_vcpu *vcpu = filp->private_data;

	nvmx_vm_put(vcpu->vm);
	return 0;
}

static const struct file_operations nvmx_vcpu_fops = {
	.owner = THIS_MODULE,
	.release = nvmx_vcpu_release,
	.unlocked_ioctl = nvmx_vcpu_ioctl,
	.compat_ioctl = compat_ptr_ioctl,
	.mmap = nvmx_vcpu_mmap,
	.llseek = noop_llseek,
};

static struct page *nvmx_alloc_zeroed_page(void)
{
	return alloc_page(GFP_KERNEL_ACCOUNT | __GFP_ZERO);
}

/* KVM_CREATE_VCPU: returns the vCPU fd. vm->lock is held. */
static int __nvmx_vcpu_create(struct nvmx_vm *vm, u32 id)
{
	struct nvmx_vcpu *vcpu;
	char name[24];
	int r;

	vcpu = kzalloc(sizeof(*vcpu), GFP_KERNEL_ACCOUNT);
	if (!vcpu)
		return -ENOMEM;
	vcpu->vm = vm;
	vcpu->id = id;
	mutex_init(&vcpu->mutex);
	rcuwait_init(&vcpu->wait);
	nvmx_lapic_init(vcpu);
	nvmx_placement_init_vcpu(vcpu);

	r = -ENOMEM;
	vcpu->run_page = nvmx_alloc_zeroed_page();
	vcpu->pio_page = nvmx_alloc_zeroed_page();
	vcpu->msr_bitmap = nvmx_alloc_zeroed_page();
	vcpu->apic_page = nvmx_alloc_zeroed_page();
	if (!vcpu->run_page || !vcpu->pio_page || !vcpu->msr_bitmap ||
	    !vcpu->apic_page || nvmx_loaded_vmcs_alloc(&vcpu->vmcs01))
		goto err_free;
	if (!fpu_alloc_guest_fpstate(&vcpu->guest_fpu))
		goto err_free;
	vcpu->vpid = nvmx_vpid_alloc();
	if (!vcpu->vpid)
		goto err_free;
	vcpu->run = page_address(vcpu->run_page);
	nvmx_msr_bitmap_init(page_address(vcpu->msr_bitmap));
	/* A filter set before this vCPU applies to it too. */
	nvmx_vcpu_make_request(vcpu, NVMX_REQ_MSR_FILTER);
	nvmx_lapic_reset(vcpu);
	nvmx_policy_vcpu_init(vcpu);

	nvmx_vcpu_load(vcpu);
	r = nvmx_vmcs01_setup(vcpu);
	nvmx_vcpu_put(vcpu);
	if (r)
		goto err_free;
	/* As KVM: with an in-kernel APIC, an AP waits for INIT and SIPI. */
	if (vm->irqchip && id != vm->bsp_vcpu_id)
		vcpu->mp_state = KVM_MP_STATE_UNINITIALIZED;
	r = nvmx_nested_vcpu_init(vcpu);
	if (r)
		goto err_free;

	snprintf(name, sizeof(name), "nvmx-vcpu:%u", id);
	nvmx_vm_get(vm);
	r = anon_inode_getfd(name, &nvmx_vcpu_fops, vcpu, O_RDWR | O_CLOEXEC);
	if (r < 0) {
		/* The caller's VM fd keeps the VM alive. */
		nvmx_vm_put(vm);
		goto err_free;
	}
	/* Delivery (lapic.c) reads vcpus[] without vm->lock. */
	smp_store_release(&vm->vcpus[id], vcpu);
	vm->nr_vcpus++;
	vm->stat.nvmx_vcpus++;
	return r;

err_free:
	nvmx_vcpu_free(vcpu);
	return r;
}

int nvmx_vcpu_create(struct nvmx_vm *vm, unsigned long id)
{
	int r;

	if (id >= NVMX_MAX_VCPUS)
		return -EINVAL;
	mutex_lock(&vm->lock);
	/* As KVM, the first creation fixes the bound if no one set it. */
	if (!vm->max_vcpu_ids)
		vm->max_vcpu_ids = NVMX_MAX_VCPUS;
	if (id >= vm->max_vcpu_ids)
		r = -EINVAL;
	else if (vm->vcpus[id])
		r = -EEXIST;
	else
		r = __nvmx_vcpu_create(vm, id);
	mutex_unlock(&vm->lock);
	return r;
}
