/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: the Sigstore signing config reader (JSON, URLs, times,
 * selectors) and the selection over what it accepts, at a few instants and
 * every Rekor version.
 */
#include <stddef.h>
#include <stdint.h>

#include "pkg/sign/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t instants[] = { 0, 1650000000, 1760000000, INT32_MAX };
	struct hwb_sign__signing_config c;
	struct hwb_sign__selection sel;
	struct hwb_error err = HWB_ERROR_INIT;
	size_t i;
	unsigned v;

	if (hwb_sign__signing_config_parse(&c, (const char *)data, size, "fuzz",
					   &err))
		return 0;
	for (i = 0; i < sizeof(instants) / sizeof(*instants); i++)
		for (v = 0; v <= 3; v++)
			hwb_sign__signing_config_select(&c, instants[i], v, &sel, &err);
	hwb_sign__signing_config_release(&c);
	return 0;
}
