/* SPDX-License-Identifier: MIT */
/*
 * Linker script of the CP firmware, run through the C preprocessor
 * with `-imacros npu_hw.h` (firmware.mk), so the memory map comes from
 * the hardware contract and nowhere else.  firmware.mk strips the C
 * integer suffixes (0x10000u) that ld does not parse.
 *
 * .text/.rodata run from IMEM; .data runs in DMEM and is loaded into
 * IMEM right after .rodata (crt0 copies it); .bss and the stack are in
 * DMEM, the stack growing down from its top.
 */
OUTPUT_ARCH(riscv)
ENTRY(_start)

MEMORY
{
	IMEM (rx) : ORIGIN = NPU_CP_IMEM_BASE, LENGTH = NPU_CP_IMEM_SIZE
	DMEM (rw) : ORIGIN = NPU_CP_DMEM_BASE, LENGTH = NPU_CP_DMEM_SIZE
}

/* Room the stack needs below DMEM's top, beyond .data and .bss. */
FW_STACK_MIN = 4096;

SECTIONS
{
	.text : {
		KEEP(*(.text.start))
		*(.text .text.*)
	} > IMEM

	.rodata : ALIGN(4) {
		*(.rodata .rodata.* .srodata .srodata.*)
		. = ALIGN(4);	/* .data's load address follows */
	} > IMEM

	.data : ALIGN(4) {
		_data_start = .;
		*(.data .data.* .sdata .sdata.*)
		. = ALIGN(4);
		_data_end = .;
	} > DMEM AT > IMEM
	_data_load = LOADADDR(.data);

	.bss (NOLOAD) : ALIGN(4) {
		_bss_start = .;
		*(.sbss .sbss.* .bss .bss.* COMMON)
		. = ALIGN(4);
		_bss_end = .;
	} > DMEM

	_stack_top = ORIGIN(DMEM) + LENGTH(DMEM);
	ASSERT(_stack_top - _bss_end >= FW_STACK_MIN, "DMEM: no room left for the stack")

	/DISCARD/ : {
		*(.comment .note .note.* .eh_frame .eh_frame_hdr)
	}
}
