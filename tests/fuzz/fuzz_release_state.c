/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target: release.json as hwb release reads it back to resume
 * (pkg/release/state.c): any bytes give a record or one error, never a
 * crash or a leak.
 */
#include <stddef.h>
#include <stdint.h>

#include "pkg/release/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwb_release_result r = HWB_RELEASE_RESULT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	int found, complete;

	hwb_release__parse((const char *)data, size, "release.json", "publish",
			   "https://upload.pypi.org/legacy/", "/src", &r, &found, &complete,
			   &err);
	hwb_release_result_release(&r);
	return 0;
}
