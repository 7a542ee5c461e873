/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trust.S: the production and staging trusted_root.json and
 * signing_config.v0.2.json of the public Sigstore instances, embedded in the
 * binary (see trust/SOURCE.md). trustroot.c and signing_config.c read them
 * through the start and end symbols.
 */
	.section .rodata
	.balign 16
	.globl hwb_sign__root_production
hwb_sign__root_production:
	.incbin "pkg/sign/trust/production/trusted_root.json"
	.globl hwb_sign__root_production_end
hwb_sign__root_production_end:
	.byte 0

	.balign 16
	.globl hwb_sign__root_staging
hwb_sign__root_staging:
	.incbin "pkg/sign/trust/staging/trusted_root.json"
	.globl hwb_sign__root_staging_end
hwb_sign__root_staging_end:
	.byte 0

	.balign 16
	.globl hwb_sign__signing_config_production
hwb_sign__signing_config_production:
	.incbin "pkg/sign/trust/production/signing_config.v0.2.json"
	.globl hwb_sign__signing_config_production_end
hwb_sign__signing_config_production_end:
	.byte 0

	.balign 16
	.globl hwb_sign__signing_config_staging
hwb_sign__signing_config_staging:
	.incbin "pkg/sign/trust/staging/signing_config.v0.2.json"
	.globl hwb_sign__signing_config_staging_end
hwb_sign__signing_config_staging_end:
	.byte 0

	.section .note.GNU-stack,"",@progbits
