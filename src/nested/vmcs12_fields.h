/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The vmcs12 field table: every VMCS field L1 can VMREAD or VMWRITE, one
 * row each; no include guard. The includer defines
 *
 *   NVMX_VMCS12_FIELD(name, encoding, width, offset, access, class, freq,
 *                     shadow)
 *
 *   name      the SDM field name in lower case (<asm/vmx.h>'s, lowered)
 *   encoding  the field's encoding (the full field; for a 64-bit field the
 *             "high" access is encoding | 1, which the code derives)
 *   width     W16, W32, W64 or WNAT (natural width: 64 bits here)
 *   offset    byte offset in struct nvmx_vmcs12, which is nvmx's own
 *             format (NVMX_VMCS12_REVISION); pinned by static asserts, so a
 *             row cannot move without the build saying so
 *   access    RW, or RO for the VM-exit information fields
 *   class     how the vmcs02 builder treats the field:
 *             COPY  guest state (and the entry event), copied into vmcs02
 *             HOST  L1's host state, loaded into L1 at a nested VM exit;
 *                   vmcs02's host state is L0's
 *             CTRL  a control merged with what L0 needs
 *             GPA   an L1 guest-physical address: checked, translated,
 *                   pinned while L2 runs
 *             CR    CR0/CR4 guest/host masks and read shadows, TPR threshold:
 *                   one builder function each
 *             EXIT  VM-exit information, written by L0 at a reflected exit
 *             SOFT  used by L0 in software (MSR areas, CR3 targets, link
 *                   pointer), never written to vmcs02 as it is
 *             L0    for a feature nvmx does not offer L1: kept, not used
 *   freq      for COPY rows: HOT is written to vmcs02 on every nested
 *             entry, RARE only when L1 changed it (VMWRITE, VMPTRLD) since
 *             the last entry. CTRL, CR and GPA rows are rebuilt at every
 *             entry whatever their freq says: their vmcs02 value also
 *             depends on L0's state and on L1 memory (the MSR bitmap).
 *   shadow    where the host has VMCS shadowing (nested/shadow.c), how L1
 *             reaches the field through the shadow VMCS while it has a
 *             current vmcs12:
 *             SH_RW  VMREAD and VMWRITE run without an exit: the fields L1
 *                    writes in a normal exit-handling path (guest RIP, RSP,
 *                    RFLAGS, CRs and interruptibility, the entry event, the
 *                    controls L1 edits, HOST_RSP/RIP that libkvm's
 *                    vmlaunch()/vmresume() write every time)
 *             SH_R   VMREAD runs without an exit, VMWRITE exits to nvmx's
 *                    emulation (so RO rows keep IA32_VMX_MISC bit 29 as L1
 *                    sees it, and the access-rights masking stays nvmx's)
 *             SH_NO  both exit: fields of features L1 is not offered, which
 *                    the host may not have either
 *             A field the host's VMCS lacks exits whatever its row says.
 *
 * Rows are ordered by width (8, 4, then 2 bytes) so that the layout has no
 * holes; the header (revision, abort indicator, launch state) takes the
 * first 16 bytes.
 */
NVMX_VMCS12_FIELD(io_bitmap_a, 0x2000, W64, 16, RW, GPA, RARE, SH_R)
NVMX_VMCS12_FIELD(io_bitmap_b, 0x2002, W64, 24, RW, GPA, RARE, SH_R)
NVMX_VMCS12_FIELD(msr_bitmap, 0x2004, W64, 32, RW, GPA, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_exit_msr_store_addr, 0x2006, W64, 40, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_exit_msr_load_addr, 0x2008, W64, 48, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_entry_msr_load_addr, 0x200a, W64, 56, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(pml_address, 0x200e, W64, 64, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(tsc_offset, 0x2010, W64, 72, RW, CTRL, HOT, SH_R)
NVMX_VMCS12_FIELD(virtual_apic_page_addr, 0x2012, W64, 80, RW, GPA, RARE, SH_R)
NVMX_VMCS12_FIELD(apic_access_addr, 0x2014, W64, 88, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(posted_intr_desc_addr, 0x2016, W64, 96, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(vm_function_control, 0x2018, W64, 104, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(ept_pointer, 0x201a, W64, 112, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(eoi_exit_bitmap0, 0x201c, W64, 120, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(eoi_exit_bitmap1, 0x201e, W64, 128, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(eoi_exit_bitmap2, 0x2020, W64, 136, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(eoi_exit_bitmap3, 0x2022, W64, 144, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(eptp_list_address, 0x2024, W64, 152, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(vmread_bitmap, 0x2026, W64, 160, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(vmwrite_bitmap, 0x2028, W64, 168, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(xss_exit_bitmap, 0x202c, W64, 176, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(encls_exiting_bitmap, 0x202e, W64, 184, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(tsc_multiplier, 0x2032, W64, 192, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(tertiary_vm_exec_control, 0x2034, W64, 200, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(pid_pointer_table, 0x2042, W64, 208, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(guest_physical_address, 0x2400, W64, 216, RO, EXIT, RARE, SH_R)
NVMX_VMCS12_FIELD(vmcs_link_pointer, 0x2800, W64, 224, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ia32_debugctl, 0x2802, W64, 232, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ia32_pat, 0x2804, W64, 240, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ia32_efer, 0x2806, W64, 248, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ia32_perf_global_ctrl, 0x2808, W64, 256, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(guest_pdptr0, 0x280a, W64, 264, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(guest_pdptr1, 0x280c, W64, 272, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(guest_pdptr2, 0x280e, W64, 280, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(guest_pdptr3, 0x2810, W64, 288, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(guest_bndcfgs, 0x2812, W64, 296, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(guest_ia32_rtit_ctl, 0x2814, W64, 304, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(host_ia32_pat, 0x2c00, W64, 312, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_ia32_efer, 0x2c02, W64, 320, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_ia32_perf_global_ctrl, 0x2c04, W64, 328, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(cr0_guest_host_mask, 0x6000, WNAT, 336, RW, CR, HOT, SH_RW)
NVMX_VMCS12_FIELD(cr4_guest_host_mask, 0x6002, WNAT, 344, RW, CR, HOT, SH_RW)
NVMX_VMCS12_FIELD(cr0_read_shadow, 0x6004, WNAT, 352, RW, CR, HOT, SH_RW)
NVMX_VMCS12_FIELD(cr4_read_shadow, 0x6006, WNAT, 360, RW, CR, HOT, SH_RW)
NVMX_VMCS12_FIELD(cr3_target_value0, 0x6008, WNAT, 368, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(cr3_target_value1, 0x600a, WNAT, 376, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(cr3_target_value2, 0x600c, WNAT, 384, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(cr3_target_value3, 0x600e, WNAT, 392, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(exit_qualification, 0x6400, WNAT, 400, RO, EXIT, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_linear_address, 0x640a, WNAT, 408, RO, EXIT, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_cr0, 0x6800, WNAT, 416, RW, CR, HOT, SH_RW)
NVMX_VMCS12_FIELD(guest_cr3, 0x6802, WNAT, 424, RW, COPY, HOT, SH_RW)
NVMX_VMCS12_FIELD(guest_cr4, 0x6804, WNAT, 432, RW, CR, HOT, SH_RW)
NVMX_VMCS12_FIELD(guest_es_base, 0x6806, WNAT, 440, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_cs_base, 0x6808, WNAT, 448, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ss_base, 0x680a, WNAT, 456, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ds_base, 0x680c, WNAT, 464, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_fs_base, 0x680e, WNAT, 472, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_gs_base, 0x6810, WNAT, 480, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ldtr_base, 0x6812, WNAT, 488, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_tr_base, 0x6814, WNAT, 496, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_gdtr_base, 0x6816, WNAT, 504, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_idtr_base, 0x6818, WNAT, 512, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_dr7, 0x681a, WNAT, 520, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_rsp, 0x681c, WNAT, 528, RW, COPY, HOT, SH_RW)
NVMX_VMCS12_FIELD(guest_rip, 0x681e, WNAT, 536, RW, COPY, HOT, SH_RW)
NVMX_VMCS12_FIELD(guest_rflags, 0x6820, WNAT, 544, RW, COPY, HOT, SH_RW)
NVMX_VMCS12_FIELD(guest_pending_dbg_exceptions, 0x6822, WNAT, 552, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_sysenter_esp, 0x6824, WNAT, 560, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_sysenter_eip, 0x6826, WNAT, 568, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(host_cr0, 0x6c00, WNAT, 576, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_cr3, 0x6c02, WNAT, 584, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_cr4, 0x6c04, WNAT, 592, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_fs_base, 0x6c06, WNAT, 600, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_gs_base, 0x6c08, WNAT, 608, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_tr_base, 0x6c0a, WNAT, 616, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_gdtr_base, 0x6c0c, WNAT, 624, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_idtr_base, 0x6c0e, WNAT, 632, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_ia32_sysenter_esp, 0x6c10, WNAT, 640, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_ia32_sysenter_eip, 0x6c12, WNAT, 648, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_rsp, 0x6c14, WNAT, 656, RW, HOST, RARE, SH_RW)
NVMX_VMCS12_FIELD(host_rip, 0x6c16, WNAT, 664, RW, HOST, RARE, SH_RW)
NVMX_VMCS12_FIELD(pin_based_vm_exec_control, 0x4000, W32, 672, RW, CTRL, RARE, SH_R)
NVMX_VMCS12_FIELD(cpu_based_vm_exec_control, 0x4002, W32, 676, RW, CTRL, HOT, SH_RW)
NVMX_VMCS12_FIELD(exception_bitmap, 0x4004, W32, 680, RW, CTRL, RARE, SH_RW)
NVMX_VMCS12_FIELD(page_fault_error_code_mask, 0x4006, W32, 684, RW, CTRL, RARE, SH_R)
NVMX_VMCS12_FIELD(page_fault_error_code_match, 0x4008, W32, 688, RW, CTRL, RARE, SH_R)
NVMX_VMCS12_FIELD(cr3_target_count, 0x400a, W32, 692, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_exit_controls, 0x400c, W32, 696, RW, CTRL, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_exit_msr_store_count, 0x400e, W32, 700, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_exit_msr_load_count, 0x4010, W32, 704, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_entry_controls, 0x4012, W32, 708, RW, CTRL, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_entry_msr_load_count, 0x4014, W32, 712, RW, SOFT, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_entry_intr_info_field, 0x4016, W32, 716, RW, COPY, HOT, SH_RW)
NVMX_VMCS12_FIELD(vm_entry_exception_error_code, 0x4018, W32, 720, RW, COPY, HOT, SH_RW)
NVMX_VMCS12_FIELD(vm_entry_instruction_len, 0x401a, W32, 724, RW, COPY, HOT, SH_RW)
NVMX_VMCS12_FIELD(tpr_threshold, 0x401c, W32, 728, RW, CR, HOT, SH_RW)
NVMX_VMCS12_FIELD(secondary_vm_exec_control, 0x401e, W32, 732, RW, CTRL, RARE, SH_RW)
NVMX_VMCS12_FIELD(ple_gap, 0x4020, W32, 736, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(ple_window, 0x4022, W32, 740, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(notify_window, 0x4024, W32, 744, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(vm_instruction_error, 0x4400, W32, 748, RO, EXIT, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_exit_reason, 0x4402, W32, 752, RO, EXIT, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_exit_intr_info, 0x4404, W32, 756, RO, EXIT, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_exit_intr_error_code, 0x4406, W32, 760, RO, EXIT, RARE, SH_R)
NVMX_VMCS12_FIELD(idt_vectoring_info_field, 0x4408, W32, 764, RO, EXIT, RARE, SH_R)
NVMX_VMCS12_FIELD(idt_vectoring_error_code, 0x440a, W32, 768, RO, EXIT, RARE, SH_R)
NVMX_VMCS12_FIELD(vm_exit_instruction_len, 0x440c, W32, 772, RO, EXIT, RARE, SH_R)
NVMX_VMCS12_FIELD(vmx_instruction_info, 0x440e, W32, 776, RO, EXIT, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_es_limit, 0x4800, W32, 780, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_cs_limit, 0x4802, W32, 784, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ss_limit, 0x4804, W32, 788, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ds_limit, 0x4806, W32, 792, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_fs_limit, 0x4808, W32, 796, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_gs_limit, 0x480a, W32, 800, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ldtr_limit, 0x480c, W32, 804, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_tr_limit, 0x480e, W32, 808, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_gdtr_limit, 0x4810, W32, 812, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_idtr_limit, 0x4812, W32, 816, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_es_ar_bytes, 0x4814, W32, 820, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_cs_ar_bytes, 0x4816, W32, 824, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ss_ar_bytes, 0x4818, W32, 828, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ds_ar_bytes, 0x481a, W32, 832, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_fs_ar_bytes, 0x481c, W32, 836, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_gs_ar_bytes, 0x481e, W32, 840, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ldtr_ar_bytes, 0x4820, W32, 844, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_tr_ar_bytes, 0x4822, W32, 848, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_interruptibility_info, 0x4824, W32, 852, RW, COPY, HOT, SH_RW)
NVMX_VMCS12_FIELD(guest_activity_state, 0x4826, W32, 856, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_sysenter_cs, 0x482a, W32, 860, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(vmx_preemption_timer_value, 0x482e, W32, 864, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(host_ia32_sysenter_cs, 0x4c00, W32, 868, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(virtual_processor_id, 0x0000, W16, 872, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(posted_intr_nv, 0x0002, W16, 874, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(last_pid_pointer_index, 0x0008, W16, 876, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(guest_es_selector, 0x0800, W16, 878, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_cs_selector, 0x0802, W16, 880, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ss_selector, 0x0804, W16, 882, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ds_selector, 0x0806, W16, 884, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_fs_selector, 0x0808, W16, 886, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_gs_selector, 0x080a, W16, 888, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_ldtr_selector, 0x080c, W16, 890, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_tr_selector, 0x080e, W16, 892, RW, COPY, RARE, SH_R)
NVMX_VMCS12_FIELD(guest_intr_status, 0x0810, W16, 894, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(guest_pml_index, 0x0812, W16, 896, RW, L0, RARE, SH_NO)
NVMX_VMCS12_FIELD(host_es_selector, 0x0c00, W16, 898, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_cs_selector, 0x0c02, W16, 900, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_ss_selector, 0x0c04, W16, 902, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_ds_selector, 0x0c06, W16, 904, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_fs_selector, 0x0c08, W16, 906, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_gs_selector, 0x0c0a, W16, 908, RW, HOST, RARE, SH_R)
NVMX_VMCS12_FIELD(host_tr_selector, 0x0c0c, W16, 910, RW, HOST, RARE, SH_R)
