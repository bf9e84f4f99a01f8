// SPDX-License-Identifier: GPL-2.0
/*
 * KVM_SET_GSI_ROUTING: KVM's validation rules, each with the errno KVM
 * gives, and a new table's effect on KVM_IRQ_LINE_STATUS and the PIC's
 * IRR (through KVM_GET_IRQCHIP). Lines go to masked or PIC-only inputs
 * and the guest never runs, so nothing depends on delivery to a local
 * APIC; an MSI route is checked only where it sends nothing (lowered).
 */
#include "nvmx_kvm.h"
#include "processor.h"
#include "test_util.h"

#define MAX_ROUTES	4096

static struct kvm_irq_routing *table(unsigned int nr)
{
	struct kvm_irq_routing *rt;

	rt = calloc(1, sizeof(*rt) + nr * sizeof(rt->entries[0]));
	TEST_ASSERT(rt, "calloc");
	rt->nr = nr;
	return rt;
}

static struct kvm_irq_routing_entry chip_entry(u32 gsi, u32 chip, u32 pin)
{
	return (struct kvm_irq_routing_entry){
		.gsi = gsi, .type = KVM_IRQ_ROUTING_IRQCHIP,
		.u.irqchip = { .irqchip = chip, .pin = pin },
	};
}

static struct kvm_irq_routing_entry msi_entry(u32 gsi, u32 data)
{
	return (struct kvm_irq_routing_entry){
		.gsi = gsi, .type = KVM_IRQ_ROUTING_MSI,
		.u.msi = { .address_lo = 0xfee00000, .data = data },
	};
}

static int set_routing(struct kvm_vm *vm, struct kvm_irq_routing *rt)
{
	return ioctl(vm->fd, KVM_SET_GSI_ROUTING, rt) ? errno : 0;
}

/* A two-entry table @a, @b (or one if @b has type 0xffffffff) must get @err. */
static void expect_pair(struct kvm_vm *vm, struct kvm_irq_routing_entry a,
			struct kvm_irq_routing_entry b, int err, const char *what)
{
	struct kvm_irq_routing *rt = table(b.type == 0xffffffff ? 1 : 2);
	int r;

	rt->entries[0] = a;
	if (rt->nr == 2)
		rt->entries[1] = b;
	r = set_routing(vm, rt);
	TEST_ASSERT(r == err, "%s: errno %d (%s), want %d", what, r, strerror(r), err);
	free(rt);
}

static const struct kvm_irq_routing_entry none = { .type = 0xffffffff };

static void validation(struct kvm_vm *vm)
{
	struct kvm_irq_routing_entry e;
	struct kvm_irq_routing *rt;

	expect_pair(vm, chip_entry(0, KVM_IRQCHIP_IOAPIC, 0), none, 0, "one IOAPIC pin");
	expect_pair(vm, chip_entry(4095, KVM_IRQCHIP_PIC_SLAVE, 7), none, 0, "last GSI");
	expect_pair(vm, chip_entry(4096, KVM_IRQCHIP_IOAPIC, 0), none, EINVAL, "GSI 4096");
	expect_pair(vm, chip_entry(1, KVM_IRQCHIP_IOAPIC, 24), none, EINVAL, "IOAPIC pin 24");
	expect_pair(vm, chip_entry(1, KVM_IRQCHIP_IOAPIC, 23), none, 0, "IOAPIC pin 23");
	expect_pair(vm, chip_entry(1, KVM_IRQCHIP_PIC_MASTER, 8), none, EINVAL, "PIC pin 8");
	expect_pair(vm, chip_entry(1, KVM_IRQCHIP_PIC_SLAVE, 8), none, EINVAL, "slave pin 8");
	expect_pair(vm, chip_entry(1, 3, 0), none, EINVAL, "irqchip 3");
	e = chip_entry(1, KVM_IRQCHIP_IOAPIC, 1);
	e.flags = 1;
	expect_pair(vm, e, none, EINVAL, "irqchip entry flags");
	e = msi_entry(1, 0x30);
	e.flags = KVM_MSI_VALID_DEVID;
	expect_pair(vm, e, none, 0, "MSI with the device-ID flag");
	e.flags = 2;
	expect_pair(vm, e, none, EINVAL, "MSI flags 2");
	e = chip_entry(1, KVM_IRQCHIP_IOAPIC, 1);
	e.type = 99;
	expect_pair(vm, e, none, EINVAL, "type 99");
	e.type = KVM_IRQ_ROUTING_S390_ADAPTER;
	expect_pair(vm, e, none, EINVAL, "s390 adapter type");

	/* Duplicates: one entry per irqchip per GSI, MSIs alone. */
	expect_pair(vm, chip_entry(5, KVM_IRQCHIP_IOAPIC, 5),
		    chip_entry(5, KVM_IRQCHIP_IOAPIC, 6), EINVAL, "IOAPIC twice");
	expect_pair(vm, chip_entry(5, KVM_IRQCHIP_PIC_MASTER, 5),
		    chip_entry(5, KVM_IRQCHIP_PIC_MASTER, 6), EINVAL, "PIC twice");
	expect_pair(vm, chip_entry(5, KVM_IRQCHIP_PIC_MASTER, 5),
		    chip_entry(5, KVM_IRQCHIP_IOAPIC, 5), 0, "PIC and IOAPIC");
	expect_pair(vm, chip_entry(5, KVM_IRQCHIP_PIC_MASTER, 5),
		    chip_entry(5, KVM_IRQCHIP_PIC_SLAVE, 5), 0, "both PICs");
	expect_pair(vm, msi_entry(5, 0x30), chip_entry(5, KVM_IRQCHIP_IOAPIC, 5),
		    EINVAL, "MSI then IOAPIC");
	expect_pair(vm, chip_entry(5, KVM_IRQCHIP_IOAPIC, 5), msi_entry(5, 0x30),
		    EINVAL, "IOAPIC then MSI");
	expect_pair(vm, msi_entry(5, 0x30), msi_entry(5, 0x31), EINVAL, "MSI twice");
	expect_pair(vm, msi_entry(5, 0x30), msi_entry(6, 0x31), 0, "two MSI GSIs");

	/* The header. */
	rt = table(0);
	TEST_ASSERT(!set_routing(vm, rt), "empty table");
	rt->flags = 1;
	TEST_ASSERT(set_routing(vm, rt) == EINVAL, "header flags");
	rt->flags = 0;
	rt->nr = MAX_ROUTES + 1;
	TEST_ASSERT(set_routing(vm, rt) == EINVAL, "nr 4097");
	free(rt);
	/* The most entries KVM takes. */
	rt = table(MAX_ROUTES);
	for (e.gsi = 0; e.gsi < MAX_ROUTES; e.gsi++)
		rt->entries[e.gsi] = msi_entry(e.gsi, 0x30);
	TEST_ASSERT(!set_routing(vm, rt), "4096 MSI routes");
	free(rt);
	TEST_ASSERT(ioctl(vm->fd, KVM_SET_GSI_ROUTING, (void *)8) && errno == EFAULT,
		    "header fault: %s", strerror(errno));
	/* Entries past the end of mapped memory. */
	rt = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(rt != MAP_FAILED, "mmap");
	munmap((char *)rt + 4096, 4096);
	rt->nr = 200;
	TEST_ASSERT(set_routing(vm, rt) == EFAULT, "entries fault");
	munmap(rt, 4096);
}

static int line(struct kvm_vm *vm, u32 gsi, u32 level)
{
	struct kvm_irq_level ev = { .irq = gsi, .level = level };

	vm_ioctl(vm, KVM_IRQ_LINE_STATUS, &ev);
	return ev.status;
}

static u8 master_irr(struct kvm_vm *vm)
{
	struct kvm_irqchip c = { .chip_id = KVM_IRQCHIP_PIC_MASTER };

	vm_ioctl(vm, KVM_GET_IRQCHIP, &c);
	return c.chip.pic.irr;
}

static void clear_master_irr(struct kvm_vm *vm)
{
	struct kvm_irqchip c = { .chip_id = KVM_IRQCHIP_PIC_MASTER };

	vm_ioctl(vm, KVM_GET_IRQCHIP, &c);
	c.chip.pic.irr = 0;
	vm_ioctl(vm, KVM_SET_IRQCHIP, &c);
}

static void effect(struct kvm_vm *vm)
{
	struct kvm_irq_routing *rt = table(3);
	int s;

	/* The default table: GSI 5 is PIC IRQ5 (open at creation) and IOAPIC 5. */
	s = line(vm, 5, 1);
	TEST_ASSERT(s == 1, "default GSI 5: %d", s);
	line(vm, 5, 0);
	TEST_ASSERT(master_irr(vm) == 0x20, "master irr %#x", master_irr(vm));
	clear_master_irr(vm);

	/* GSI 40 to PIC IRQ6, GSI 41 to IOAPIC pin 7 (masked), GSI 42 an MSI. */
	rt->entries[0] = chip_entry(40, KVM_IRQCHIP_PIC_MASTER, 6);
	rt->entries[1] = chip_entry(41, KVM_IRQCHIP_IOAPIC, 7);
	rt->entries[2] = msi_entry(42, 0x30);
	TEST_ASSERT(!set_routing(vm, rt), "set table");
	TEST_ASSERT(line(vm, 5, 1) == -1, "GSI 5 has no route now");
	line(vm, 5, 0);
	TEST_ASSERT(master_irr(vm) == 0, "GSI 5 still reached the PIC");
	TEST_ASSERT(line(vm, 40, 1) == 1, "GSI 40");
	line(vm, 40, 0);
	TEST_ASSERT(master_irr(vm) == 0x40, "GSI 40: master irr %#x", master_irr(vm));
	TEST_ASSERT(line(vm, 41, 1) == -1, "GSI 41 (masked pin)");
	TEST_ASSERT(line(vm, 41, 0) == 1, "GSI 41 lowered");
	/* An MSI is an edge: lowering it sends nothing. */
	TEST_ASSERT(line(vm, 42, 0) == -1, "GSI 42 lowered");
	TEST_ASSERT(line(vm, 43, 1) == -1, "GSI 43 has no route");

	/* An empty table: nothing is routed. */
	rt->nr = 0;
	TEST_ASSERT(!set_routing(vm, rt), "empty table");
	TEST_ASSERT(line(vm, 40, 1) == -1, "GSI 40 after the empty table");
	free(rt);
}

int main(void)
{
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;

	vm = vm_create_with_one_vcpu(&vcpu, NULL);
	validation(vm);
	/* Failed tables leave the previous one: reinstall a known one. */
	kvm_vm_free(vm);
	vm = vm_create_with_one_vcpu(&vcpu, NULL);
	effect(vm);
	kvm_vm_free(vm);
	printf("gsi_routing_test: ok\n");
	return 0;
}
