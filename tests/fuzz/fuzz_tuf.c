/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for pkg/tuf's parsers of repository input: any bytes go
 * through the TUF metadata parser (every role, chosen by "_type", with the
 * public keys it lists: PEM, SPKI and hex forms) and the OLPC canonicaliser. Refused input must carry an error code; accepted
 * canonical output without control characters (which canonical JSON
 * writes raw, so the output is then not JSON) must be its own canonical
 * form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/tuf/tuf.h"

static int has_control(const struct hwb_buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		if ((unsigned char)b->ptr[i] < 0x20)
			return 1;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwb_buf once = HWB_BUF_INIT, twice = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	if (hwb_tuf_parse_check((const char *)data, size, &err) && !err.code[0])
		abort();
	hwb_error_clear(&err);
	if (hwb_tuf_canonicalize(&once, (const char *)data, size, &err) == 0) {
		if (!has_control(&once) &&
		    (hwb_tuf_canonicalize(&twice, once.ptr, once.len, &err) ||
		     twice.len != once.len || memcmp(twice.ptr, once.ptr, once.len)))
			abort();
	} else if (once.len != 0 || err.code[0] == '\0') {
		abort();
	}
	hwb_buf_release(&once);
	hwb_buf_release(&twice);
	return 0;
}
