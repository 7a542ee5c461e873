/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the canonical-JSON input path: any bytes go through
 * hwb_json_canonicalize. Accepted input must give output that is its own
 * canonical form (canonicalising twice changes nothing); refused input
 * must leave the output buffer untouched and carry an error code.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwb_buf once = HWB_BUF_INIT, twice = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	if (hwb_json_canonicalize(&once, (const char *)data, size, &err) == 0) {
		if (hwb_json_canonicalize(&twice, once.ptr, once.len, &err) ||
		    twice.len != once.len ||
		    memcmp(twice.ptr, once.ptr, once.len) != 0)
			abort();
	} else if (once.len != 0 || err.code[0] == '\0') {
		abort();
	}
	hwb_buf_release(&once);
	hwb_buf_release(&twice);
	return 0;
}
