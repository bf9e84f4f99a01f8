/* SPDX-License-Identifier: GPL-2.0 */
/*
 * VM entry and exit.
 *
 * nvmx_vmenter(regs, launched) loads the guest GPRs from struct
 * nvmx_guest_regs, enters the guest with VMLAUNCH or VMRESUME, and on VM
 * exit stores them back. It returns 0 after a VM exit, 1 when the entry
 * instruction failed (VMfail: the caller reads the error number) and 2
 * when a VMX instruction faulted (the CPU was not in VMX operation, e.g.
 * after an emergency VMXOFF from a crash path).
 * Interrupts must be off. HOST_RIP is nvmx_vmexit; HOST_RSP is written
 * here, with the regs pointer at the top of the stack for the exit path.
 */
#include <linux/linkage.h>
#include <asm/asm.h>
#include <asm/msr-index.h>
#include <asm/nospec-branch.h>
#include <asm/percpu.h>
#include <asm/segment.h>
#include <asm/unwind_hints.h>

/* VMCS encoding of HOST_RSP; vmcs01.c checks it against <asm/vmx.h>. */
#define NVMX_HOST_RSP_FIELD	0x6c14

/* Offsets in struct nvmx_guest_regs (x86 register numbers times 8). */
#define R_RAX	0
#define R_RCX	8
#define R_RDX	16
#define R_RBX	24
#define R_RBP	40
#define R_RSI	48
#define R_RDI	56
#define R_R8	64
#define R_R9	72
#define R_R10	80
#define R_R11	88
#define R_R12	96
#define R_R13	104
#define R_R14	112
#define R_R15	120
#define R_CR2	128

.section .noinstr.text, "ax"

SYM_FUNC_START(nvmx_vmenter)
	push	%rbp
	mov	%rsp, %rbp
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%rbx
	/* The exit path finds the regs pointer at the top of the stack. */
	push	%rdi
	/* launched, kept in flags across the loads below */
	push	%rsi

	mov	$NVMX_HOST_RSP_FIELD, %eax
	lea	8(%rsp), %rdx
1:	vmwrite	%rdx, %rax
	jbe	.Lfail_early
	_ASM_EXTABLE(1b, .Lfault_early)

	/* Guest CR2: moves to CR2 are slow, so only when it changed. */
	mov	R_CR2(%rdi), %rax
	mov	%cr2, %rdx
	cmp	%rax, %rdx
	je	1f
	mov	%rax, %cr2
1:
	pop	%rsi
	/* The stack as the VM exit will find it. */
	UNWIND_HINT_SAVE
	/* launched, in CF: the loads below keep it and VERW changes only ZF */
	bt	$0, %esi

	mov	R_RAX(%rdi), %rax
	mov	R_RCX(%rdi), %rcx
	mov	R_RDX(%rdi), %rdx
	mov	R_RBX(%rdi), %rbx
	mov	R_RBP(%rdi), %rbp
	mov	R_RSI(%rdi), %rsi
	mov	R_R8(%rdi), %r8
	mov	R_R9(%rdi), %r9
	mov	R_R10(%rdi), %r10
	mov	R_R11(%rdi), %r11
	mov	R_R12(%rdi), %r12
	mov	R_R13(%rdi), %r13
	mov	R_R14(%rdi), %r14
	mov	R_R15(%rdi), %r15
	/* RDI last: it held the pointer. MOV leaves the flags alone. */
	mov	R_RDI(%rdi), %rdi

	/*
	 * Guests must not sample host data from CPU buffers (MDS, TAA,
	 * RFDS): VERW after the last memory access, as the kernel does
	 * on its return to user mode. The feature bit is
	 * X86_FEATURE_CLEAR_CPU_BUF, as kvm_intel's entry uses on this
	 * kernel; X86_FEATURE_CLEAR_CPU_BUF_VM (VM_CLEAR_CPU_BUFFERS) is
	 * set only by the AMD TSA mitigation.
	 */
	CLEAR_CPU_BUFFERS

	jc	.Lresume
2:	vmlaunch
	jmp	.Lvmfail
.Lresume:
3:	vmresume
	jmp	.Lvmfail
	_ASM_EXTABLE(2b, .Lfault)
	_ASM_EXTABLE(3b, .Lfault)

	/*
	 * VM exit lands here with RSP = HOST_RSP, the regs pointer on top,
	 * and the guest's GPRs still live.
	 */
SYM_INNER_LABEL(nvmx_vmexit, SYM_L_GLOBAL)
	UNWIND_HINT_RESTORE
	ENDBR
	push	%rax
	mov	8(%rsp), %rax
	pop	R_RAX(%rax)
	mov	%rcx, R_RCX(%rax)
	mov	%rdx, R_RDX(%rax)
	mov	%rbx, R_RBX(%rax)
	mov	%rbp, R_RBP(%rax)
	mov	%rsi, R_RSI(%rax)
	mov	%rdi, R_RDI(%rax)
	mov	%r8, R_R8(%rax)
	mov	%r9, R_R9(%rax)
	mov	%r10, R_R10(%rax)
	mov	%r11, R_R11(%rax)
	mov	%r12, R_R12(%rax)
	mov	%r13, R_R13(%rax)
	mov	%r14, R_R14(%rax)
	mov	%r15, R_R15(%rax)
	mov	%cr2, %rcx
	mov	%rcx, R_CR2(%rax)
	xor	%ebx, %ebx

.Lclear_regs:
	/*
	 * Leave no guest value in a register the host may use
	 * speculatively; RBX holds the return value.
	 */
	xor	%eax, %eax
	xor	%ecx, %ecx
	xor	%edx, %edx
	xor	%ebp, %ebp
	xor	%esi, %esi
	xor	%edi, %edi
	xor	%r8d, %r8d
	xor	%r9d, %r9d
	xor	%r10d, %r10d
	xor	%r11d, %r11d
	xor	%r12d, %r12d
	xor	%r13d, %r13d
	xor	%r14d, %r14d
	xor	%r15d, %r15d

	/*
	 * Before the first unbalanced RET: the guest must not steer host
	 * returns. Retpoline and IBRS hosts refill the whole RSB; eIBRS
	 * ones with PBRSB need one CALL retired (RSB_VMEXIT_LITE).
	 */
	FILL_RETURN_BUFFER %rax, RSB_CLEAR_LOOPS, X86_FEATURE_RSB_VMEXIT, \
			   X86_FEATURE_RSB_VMEXIT_LITE

	/*
	 * Legacy IBRS (X86_FEATURE_KERNEL_IBRS) protects the host only if
	 * IA32_SPEC_CTRL.IBRS is written after the less privileged guest
	 * ran. The guest cannot change the MSR (nvmx gives it no access),
	 * so the host's value is written back as it is.
	 */
	ALTERNATIVE "jmp .Lspec_ctrl_done", "", X86_FEATURE_KERNEL_IBRS
	mov	$MSR_IA32_SPEC_CTRL, %ecx
	mov	PER_CPU_VAR(x86_spec_ctrl_current), %eax
	mov	PER_CPU_VAR(x86_spec_ctrl_current + 4), %edx
	wrmsr
	/* No branch runs ahead of the write. */
	lfence
.Lspec_ctrl_done:

	/* Branch history the guest left must not steer host branches (BHI). */
	CLEAR_BRANCH_HISTORY_VMEXIT

	pop	%rdi
	mov	%rbx, %rax
	pop	%rbx
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
	pop	%rbp
	RET

.Lvmfail:
	/* VMfail: RSP is still ours, with the regs pointer on top. */
	mov	$1, %ebx
	jmp	.Lclear_regs

.Lfail_early:
	pop	%rsi
	mov	$1, %ebx
	jmp	.Lclear_regs

	/* A VMX instruction faulted: the same stacks as the two above. */
.Lfault:
	mov	$2, %ebx
	jmp	.Lclear_regs

.Lfault_early:
	pop	%rsi
	mov	$2, %ebx
	jmp	.Lclear_regs
SYM_FUNC_END(nvmx_vmenter)

/*
 * Runs the host's NMI handler for an NMI that caused a VM exit, on the
 * current stack: build the frame an interrupt would push (SS, RSP,
 * RFLAGS, CS) and call the entry, which returns with IRET.
 */
SYM_FUNC_START(nvmx_call_nmi_handler)
	push	%rbp
	mov	%rsp, %rbp
	and	$-16, %rsp
	push	$__KERNEL_DS
	push	%rbp
	pushf
	push	$__KERNEL_CS
	call	NVMX_NMI_ENTRY
	/* IRET restored RSP already; say so for objtool. */
	mov	%rbp, %rsp
	pop	%rbp
	RET
SYM_FUNC_END(nvmx_call_nmi_handler)
