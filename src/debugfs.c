// SPDX-License-Identifier: GPL-2.0
/*
 * /sys/kernel/debug/nvmx: one directory per VM, vm<N>, with "policy" (the
 * VM's policy table, row by row, and the masks derived from it). debugfs
 * may be absent or fail: nothing here stops nvmx or a VM from working.
 */
#include <linux/atomic.h>
#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include "nvmx.h"

static struct dentry *nvmx_debugfs_root;
static atomic_t nvmx_debugfs_next_id = ATOMIC_INIT(0);

static void nvmx_debugfs_rows(struct seq_file *m, const u8 *rows, u64 values,
			      unsigned int base)
{
	unsigned int i;

	for (i = 0; i < 32; i++) {
		if (rows[i] == NVMX_POLICY_NONE)
			continue;
		seq_printf(m, "%-16s %-10s", nvmx_policy_row_name(base + i),
			   nvmx_policy_name(rows[i]));
		if (rows[i] == NVMX_POLICY_SHADOWING ||
		    rows[i] == NVMX_POLICY_INTERCEPT)
			seq_printf(m, " %u", (unsigned int)((values >> i) & 1));
		seq_putc(m, '\n');
	}
}

static int nvmx_debugfs_policy_show(struct seq_file *m, void *unused)
{
	struct nvmx_vm *vm = m->private;
	struct nvmx_policy_masks k;
	struct nvmx_policy p;
	u64 gen;

	mutex_lock(&vm->lock);
	p = vm->policy;
	k = vm->masks;
	gen = vm->policy_gen;
	mutex_unlock(&vm->lock);

	seq_printf(m, "# row policy value (generation %llu)\n", gen);
	nvmx_debugfs_rows(m, p.cr0, p.cr0_value, NVMX_POLICY_ROW_CR0(0));
	seq_printf(m, "%-16s %s\n", "CR2", nvmx_policy_name(p.cr2));
	seq_printf(m, "%-16s %s\n", "CR3", nvmx_policy_name(p.cr3));
	nvmx_debugfs_rows(m, p.cr4, p.cr4_value, NVMX_POLICY_ROW_CR4(0));
	seq_printf(m, "%-16s %-10s %u\n", "TPR", nvmx_policy_name(p.tpr),
		   p.tpr_value);
	seq_printf(m, "%-16s %s\n", "VMCS_PTR", nvmx_policy_name(p.vmcs_ptr));
	seq_puts(m, "# derived: mask (M0), forced, value (H)\n");
	seq_printf(m, "cr0 0x%016llx 0x%016llx 0x%016llx\n", k.cr0.mask,
		   k.cr0.forced, k.cr0.value);
	seq_printf(m, "cr4 0x%016llx 0x%016llx 0x%016llx\n", k.cr4.mask,
		   k.cr4.forced, k.cr4.value);
	seq_printf(m, "cr3_intercept %d\ntpr_intercept %d\n", k.cr3_intercept,
		   k.tpr_intercept);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(nvmx_debugfs_policy);

void nvmx_debugfs_init(void)
{
	nvmx_debugfs_root = debugfs_create_dir("nvmx", NULL);
}

void nvmx_debugfs_exit(void)
{
	debugfs_remove_recursive(nvmx_debugfs_root);
	nvmx_debugfs_root = NULL;
}

/*
 * The VM's directory lives as long as the VM (removed when it is freed),
 * so the file's private pointer is always a live VM.
 */
void nvmx_debugfs_vm_create(struct nvmx_vm *vm)
{
	char name[16];

	if (IS_ERR_OR_NULL(nvmx_debugfs_root))
		return;
	vm->debugfs_id = atomic_inc_return(&nvmx_debugfs_next_id);
	snprintf(name, sizeof(name), "vm%u", vm->debugfs_id);
	vm->debugfs = debugfs_create_dir(name, nvmx_debugfs_root);
	debugfs_create_file("policy", 0444, vm->debugfs, vm,
			    &nvmx_debugfs_policy_fops);
}

void nvmx_debugfs_vm_destroy(struct nvmx_vm *vm)
{
	debugfs_remove_recursive(vm->debugfs);
	vm->debugfs = NULL;
}
