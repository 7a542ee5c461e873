/* SPDX-License-Identifier: Apache-2.0 */
/* hook_runner.S: embeds pkg/build/hook_runner.py, NUL-terminated, as
 * hwb_build__hook_runner (declared in internal.h). */
	.section .rodata
	.global hwb_build__hook_runner
	.type hwb_build__hook_runner, @object
hwb_build__hook_runner:
	.incbin "pkg/build/hook_runner.py"
	.byte 0
	.size hwb_build__hook_runner, . - hwb_build__hook_runner
	.section .note.GNU-stack, "", @progbits
