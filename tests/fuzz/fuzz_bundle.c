/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target: the Sigstore bundle reader (JSON, base64, load-time checks). */
#include <stddef.h>
#include <stdint.h>

#include "pkg/sign/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwb_sign__bundle b;
	struct hwb_error err = HWB_ERROR_INIT;

	hwb_sign__bundle_init(&b);
	hwb_sign__bundle_parse(&b, (const char *)data, size, "fuzz", &err);
	hwb_sign__bundle_release(&b);
	return 0;
}
