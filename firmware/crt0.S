/* SPDX-License-Identifier: MIT */
/*
 * crt0: the first instructions at IMEM 0 (section .text.start, placed
 * first by link.ld.S).  Set up the stack at the top of DMEM, copy .data
 * from its load address in IMEM, zero .bss, call main.  The symbols
 * come from the linker script; every boundary is 4-aligned.
 */
	.section .text.start, "ax"
	.globl	_start
	.type	_start, @function
_start:
	la	sp, _stack_top

	la	a0, _data_start
	la	a1, _data_end
	la	a2, _data_load
1:	bgeu	a0, a1, 2f
	lw	t0, 0(a2)
	sw	t0, 0(a0)
	addi	a0, a0, 4
	addi	a2, a2, 4
	j	1b

2:	la	a0, _bss_start
	la	a1, _bss_end
3:	bgeu	a0, a1, 4f
	sw	zero, 0(a0)
	addi	a0, a0, 4
	j	3b

4:	call	main
	/* main never returns; if it does, sleep for good. */
5:	wfi
	j	5b
	.size	_start, . - _start
