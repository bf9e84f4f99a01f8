// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: KVM_SET_USER_MEMORY_REGION slots and the EPT tables that
 * map them.
 *
 * The EPT starts empty. The first guest access to a page of a slot exits
 * (EPT violation); nvmx pins that user page and maps it, 4 KiB at a time,
 * write-back. A pinned page stays pinned until its slot is deleted or
 * moved, or the VM dies: then its EPT entries are cleared and every CPU
 * flushes the VM's EPT context before the page is unpinned, so the guest
 * can never reach a page the host may reuse.
 *
 * Slots are bounded as on KVM (NVMX_MEM_MAX_NR_PAGES) and by what the
 * 4-level EPT maps (48 bits of guest-physical address). A slot costs memory
 * for the pages the guest touched only (an xarray), never for its size, so
 * no user-chosen size reaches an allocation.
 *
 * Locking: vm->mmu_lock (mutex) covers the slot array, the EPT tables and
 * the pinned pages. Faults take it, so pinning may sleep. The EPT flush
 * takes the CPU hotplug lock inside it (nvmx_on_vmx_cpus()).
 */
#include <linux/highmem.h>
#include <linux/io.h>
#include <linux/kvm.h>
#include <linux/mm.h>
#include <linux/nospec.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>
#include <asm/vmx.h>

#include "nvmx.h"
#include "vmx_ops.h"

#define NVMX_EPT_R		BIT_ULL(0)
#define NVMX_EPT_W		BIT_ULL(1)
#define NVMX_EPT_X		BIT_ULL(2)
#define NVMX_EPT_RWX		(NVMX_EPT_R | NVMX_EPT_W | NVMX_EPT_X)
#define NVMX_EPT_MT_WB		(6ULL << 3)
#define NVMX_EPT_IPAT		BIT_ULL(6)
#define NVMX_EPT_ADDR_MASK	GENMASK_ULL(51, 12)
#define NVMX_EPT_LEVELS		4
/* What a 4-level EPT walk translates. */
#define NVMX_EPT_GPA_BITS	48

/* KVM's KVM_MEM_MAX_NR_PAGES (6.1), which <linux/kvm.h> does not export. */
#define NVMX_MEM_MAX_NR_PAGES	((1ULL << 31) - 1)

/* Slots end at or below this: host MAXPHYADDR, and what the EPT maps. */
static u64 nvmx_gpa_limit(void)
{
	return 1ULL << min_t(unsigned int, boot_cpu_data.x86_phys_bits,
			     NVMX_EPT_GPA_BITS);
}

static u64 *nvmx_ept_table_alloc(void)
{
	return (u64 *)get_zeroed_page(GFP_KERNEL_ACCOUNT);
}

int nvmx_mmu_init_vm(struct nvmx_vm *vm)
{
	vm->ept_root = nvmx_ept_table_alloc();
	if (!vm->ept_root)
		return -ENOMEM;
	/* Write-back paging structures, 4-level walk. */
	vm->eptp = __pa(vm->ept_root) | VMX_EPTP_MT_WB | VMX_EPTP_PWL_4;
	return 0;
}

/* Returns the level-1 entry for @gpa, building tables on the way if asked. */
static u64 *nvmx_ept_leaf(struct nvmx_vm *vm, u64 gpa, bool alloc)
{
	u64 *table = vm->ept_root;
	int level;

	for (level = NVMX_EPT_LEVELS; level > 1; level--) {
		unsigned int idx = (gpa >> (12 + 9 * (level - 1))) & 511;
		u64 *next;

		if (!(table[idx] & NVMX_EPT_RWX)) {
			if (!alloc)
				return NULL;
			next = nvmx_ept_table_alloc();
			if (!next)
				return NULL;
			table[idx] = __pa(next) | NVMX_EPT_RWX;
		}
		table = __va(table[idx] & NVMX_EPT_ADDR_MASK);
	}
	return &table[(gpa >> 12) & 511];
}

static void nvmx_ept_free_table(u64 *table, int level)
{
	unsigned int i;

	if (level > 1) {
		for (i = 0; i < 512; i++)
			if (table[i] & NVMX_EPT_RWX)
				nvmx_ept_free_table(__va(table[i] &
							 NVMX_EPT_ADDR_MASK),
						    level - 1);
	}
	free_page((unsigned long)table);
}

static void nvmx_flush_ept_ipi(void *arg)
{
	nvmx_invept_single(*(u64 *)arg);
}

/*
 * Every CPU in VMX operation forgets this VM's EPT translations (the others
 * hold none: see nvmx_on_vmx_cpus()). The IPI also makes any of its vCPUs
 * that is in the guest exit first, and it returns only when all are done.
 */
static void nvmx_flush_ept(struct nvmx_vm *vm)
{
	nvmx_on_vmx_cpus(nvmx_flush_ept_ipi, &vm->eptp);
	vm->stat.remote_tlb_flush++;
}

/*
 * Unmaps and unpins what a slot has mapped; flushes only if it mapped
 * anything. vm->mmu_lock held.
 */
static void nvmx_slot_zap(struct nvmx_vm *vm, struct nvmx_memslot *slot)
{
	struct page *page;
	unsigned long i;

	if (xa_empty(&slot->pages))
		return;
	xa_for_each(&slot->pages, i, page) {
		u64 *pte = nvmx_ept_leaf(vm, (slot->base_gfn + i) << PAGE_SHIFT,
					 false);

		if (pte)
			*pte = 0;
		cond_resched();
	}
	/* No CPU may reach a page through the EPT once it is unpinned. */
	nvmx_flush_ept(vm);
	xa_for_each(&slot->pages, i, page) {
		unpin_user_page(page);
		cond_resched();
	}
	xa_destroy(&slot->pages);
}

static void nvmx_slot_free(struct nvmx_memslot *slot)
{
	xa_destroy(&slot->pages);
	kfree(slot);
}

void nvmx_mmu_destroy_vm(struct nvmx_vm *vm)
{
	unsigned int i;

	for (i = 0; i < NVMX_MAX_MEMSLOTS; i++) {
		if (!vm->slots[i])
			continue;
		nvmx_slot_zap(vm, vm->slots[i]);
		nvmx_slot_free(vm->slots[i]);
		vm->slots[i] = NULL;
	}
	if (vm->ept_root) {
		/* A later VM may get the same root: drop its translations. */
		nvmx_flush_ept(vm);
		nvmx_ept_free_table(vm->ept_root, NVMX_EPT_LEVELS);
		vm->ept_root = NULL;
	}
}

struct nvmx_memslot *nvmx_gpa_to_slot(struct nvmx_vm *vm, u64 gpa)
{
	u64 gfn = gpa >> PAGE_SHIFT;
	unsigned int i;

	for (i = 0; i < NVMX_MAX_MEMSLOTS; i++) {
		struct nvmx_memslot *s = vm->slots[i];

		if (s && gfn >= s->base_gfn && gfn - s->base_gfn < s->npages)
			return s;
	}
	return NULL;
}

static bool nvmx_slots_overlap(struct nvmx_vm *vm, u16 id, u64 gfn,
			       u64 npages)
{
	unsigned int i;

	for (i = 0; i < NVMX_MAX_MEMSLOTS; i++) {
		struct nvmx_memslot *s = vm->slots[i];

		if (!s || i == id)
			continue;
		if (gfn < s->base_gfn + s->npages && s->base_gfn < gfn + npages)
			return true;
	}
	return false;
}

static int nvmx_check_region(const struct kvm_userspace_memory_region *mem)
{
	if (mem->flags & ~KVM_MEM_READONLY)
		return -EINVAL;
	/* Slots of other address spaces (SMM) do not exist here. */
	if ((mem->slot >> 16) || (mem->slot & 0xffff) >= NVMX_MAX_MEMSLOTS)
		return -EINVAL;
	if (!PAGE_ALIGNED(mem->memory_size) ||
	    !PAGE_ALIGNED(mem->guest_phys_addr) ||
	    !PAGE_ALIGNED(mem->userspace_addr))
		return -EINVAL;
	if (mem->guest_phys_addr + mem->memory_size < mem->guest_phys_addr ||
	    mem->guest_phys_addr + mem->memory_size > nvmx_gpa_limit())
		return -EINVAL;
	if (mem->memory_size >> PAGE_SHIFT > NVMX_MEM_MAX_NR_PAGES)
		return -EINVAL;
	if (mem->memory_size &&
	    !access_ok((void __user *)(unsigned long)mem->userspace_addr,
		       mem->memory_size))
		return -EINVAL;
	return 0;
}

/* KVM_SET_USER_MEMORY_REGION, with KVM's rules for create, move, delete. */
int nvmx_set_memory_region(struct nvmx_vm *vm,
			   const struct kvm_userspace_memory_region *mem)
{
	u64 npages = mem->memory_size >> PAGE_SHIFT;
	u64 gfn = mem->guest_phys_addr >> PAGE_SHIFT;
	struct nvmx_memslot *old, *slot;
	u16 id;
	int r;

	r = nvmx_check_region(mem);
	if (r)
		return r;
	id = array_index_nospec(mem->slot & 0xffff, NVMX_MAX_MEMSLOTS);

	mutex_lock(&vm->mmu_lock);
	old = vm->slots[id];
	if (!npages) {
		/* As KVM: deleting a slot that does not exist is EINVAL. */
		r = -EINVAL;
		if (old) {
			vm->slots[id] = NULL;
			nvmx_slot_zap(vm, old);
			nvmx_slot_free(old);
			r = 0;
		}
		goto out_unlock;
	}
	if (old) {
		/* An existing slot may move or change flags, nothing else. */
		r = -EINVAL;
		if (old->npages != npages ||
		    old->userspace_addr != mem->userspace_addr ||
		    ((old->flags ^ mem->flags) & KVM_MEM_READONLY))
			goto out_unlock;
	}
	r = -EEXIST;
	if (nvmx_slots_overlap(vm, id, gfn, npages))
		goto out_unlock;

	r = -ENOMEM;
	slot = kzalloc(sizeof(*slot), GFP_KERNEL_ACCOUNT);
	if (!slot)
		goto out_unlock;
	xa_init(&slot->pages);
	slot->base_gfn = gfn;
	slot->npages = npages;
	slot->userspace_addr = mem->userspace_addr;
	slot->flags = mem->flags;
	slot->id = id;
	if (old) {
		nvmx_slot_zap(vm, old);
		nvmx_slot_free(old);
	}
	vm->slots[id] = slot;
	r = 0;
out_unlock:
	mutex_unlock(&vm->mmu_lock);
	return r;
}

/*
 * Maps the page of a slot that holds @gpa. Returns 0 when mapped, -ENOENT
 * when no slot holds it (MMIO), -EPERM for a write to a read-only slot
 * (MMIO too, as KVM treats it), -EFAULT when the user page is gone.
 */
int nvmx_mmu_map_gpa(struct nvmx_vm *vm, u64 gpa, bool write)
{
	struct nvmx_memslot *slot;
	unsigned int gup = FOLL_LONGTERM;
	struct page *page;
	u64 idx, *pte, prot;
	unsigned long hva;
	int r;

	mutex_lock(&vm->mmu_lock);
	r = -ENOENT;
	slot = nvmx_gpa_to_slot(vm, gpa);
	if (!slot)
		goto out_unlock;
	r = -EPERM;
	if (write && (slot->flags & KVM_MEM_READONLY))
		goto out_unlock;
	idx = (gpa >> PAGE_SHIFT) - slot->base_gfn;
	prot = NVMX_EPT_R | NVMX_EPT_X;
	if (!(slot->flags & KVM_MEM_READONLY)) {
		gup |= FOLL_WRITE;
		prot |= NVMX_EPT_W;
	}
	page = xa_load(&slot->pages, idx);
	if (!page) {
		hva = slot->userspace_addr + (idx << PAGE_SHIFT);
		r = -EFAULT;
		if (pin_user_pages_fast(hva, 1, gup, &page) != 1)
			goto out_unlock;
		r = xa_err(xa_store(&slot->pages, idx, page,
				    GFP_KERNEL_ACCOUNT));
		if (r) {
			unpin_user_page(page);
			goto out_unlock;
		}
	}
	r = -ENOMEM;
	pte = nvmx_ept_leaf(vm, gpa, true);
	if (!pte)
		goto out_unlock;
	*pte = page_to_phys(page) | prot | NVMX_EPT_MT_WB | NVMX_EPT_IPAT;
	r = 0;
out_unlock:
	mutex_unlock(&vm->mmu_lock);
	return r;
}

/* Copies guest-physical memory from slots (not MMIO); 0 or -EFAULT. */
int nvmx_read_guest(struct nvmx_vm *vm, u64 gpa, void *buf, unsigned int len)
{
	while (len) {
		unsigned int n = min_t(unsigned int, len,
				       PAGE_SIZE - offset_in_page(gpa));
		struct nvmx_memslot *slot;
		unsigned long hva;

		mutex_lock(&vm->mmu_lock);
		slot = nvmx_gpa_to_slot(vm, gpa);
		hva = slot ? slot->userspace_addr +
			     (((gpa >> PAGE_SHIFT) - slot->base_gfn) << PAGE_SHIFT) +
			     offset_in_page(gpa) : 0;
		mutex_unlock(&vm->mmu_lock);
		if (!slot || copy_from_user(buf, (void __user *)hva, n))
			return -EFAULT;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * Copies into guest-physical memory in slots; 0, or -EFAULT when a page is
 * in no slot, in a read-only slot, or not writable by the VMM.
 */
int nvmx_write_guest(struct nvmx_vm *vm, u64 gpa, const void *buf,
		     unsigned int len)
{
	while (len) {
		unsigned int n = min_t(unsigned int, len,
				       PAGE_SIZE - offset_in_page(gpa));
		struct nvmx_memslot *slot;
		unsigned long hva = 0;

		mutex_lock(&vm->mmu_lock);
		slot = nvmx_gpa_to_slot(vm, gpa);
		if (slot && !(slot->flags & KVM_MEM_READONLY))
			hva = slot->userspace_addr +
			      (((gpa >> PAGE_SHIFT) - slot->base_gfn) << PAGE_SHIFT) +
			      offset_in_page(gpa);
		mutex_unlock(&vm->mmu_lock);
		if (!hva || copy_to_user((void __user *)hva, buf, n))
			return -EFAULT;
		gpa += n;
		buf += n;
		len -= n;
	}
	return 0;
}

/*
 * The page that backs @gpa, with a reference the caller drops with
 * put_page(): for a VMCS field that points the CPU at guest memory while
 * L2 runs. NULL when no writable slot holds it.
 */
struct page *nvmx_gpa_get_page(struct nvmx_vm *vm, u64 gpa)
{
	struct nvmx_memslot *slot;
	struct page *page = NULL;

	if (nvmx_mmu_map_gpa(vm, gpa, true))
		return NULL;
	mutex_lock(&vm->mmu_lock);
	slot = nvmx_gpa_to_slot(vm, gpa);
	if (slot)
		page = xa_load(&slot->pages, (gpa >> PAGE_SHIFT) - slot->base_gfn);
	if (page)
		get_page(page);
	mutex_unlock(&vm->mmu_lock);
	return page;
}

/* PAE paging: the CPU takes the four PDPTEs from the VMCS at VM entry. */
void nvmx_load_pdptrs(struct nvmx_vcpu *vcpu, unsigned long cr3)
{
	u64 pdpte[4] = { 0 };
	unsigned int i;

	/* An unreadable table gives not-present entries: the guest faults. */
	if (nvmx_read_guest(vcpu->vm, cr3 & ~0x1fUL, pdpte, sizeof(pdpte)))
		memset(pdpte, 0, sizeof(pdpte));
	for (i = 0; i < 4; i++)
		nvmx_vmwrite(GUEST_PDPTR0 + i * 2, pdpte[i]);
}
