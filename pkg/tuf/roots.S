/* SPDX-License-Identifier: Apache-2.0 */
/*
 * roots.S: the root.json of Sigstore's production and staging TUF
 * repositories, embedded in the binary as trust anchors (roots/SOURCE.md).
 * embedded.c reads them through the start and end symbols.
 */
	.section .rodata
	.balign 16
	.globl hwb_tuf__root_production
hwb_tuf__root_production:
	.incbin "pkg/tuf/roots/production/root.json"
	.globl hwb_tuf__root_production_end
hwb_tuf__root_production_end:
	.byte 0

	.balign 16
	.globl hwb_tuf__root_staging
hwb_tuf__root_staging:
	.incbin "pkg/tuf/roots/staging/root.json"
	.globl hwb_tuf__root_staging_end
hwb_tuf__root_staging_end:
	.byte 0

	.section .note.GNU-stack,"",@progbits
