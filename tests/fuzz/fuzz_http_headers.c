/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_http_headers: a server's response header block, line by line, through
 * what the HTTP client keeps of it (Content-Type, Retry-After, Location) and
 * the Retry-After parser that sets the next retry's delay.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/http.h"
#include "pkg/core/internal.h"

#define DAY_MS 86400000L

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int loaded = -1;
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	const char *p = (const char *)data, *end = p + size, *nl;
	long ms;

	if (loaded < 0)
		loaded = hwb_lazy_require(HWB_LAZY_CURL, NULL) == 0;
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		hwb_core__http_header_line(&resp, p, (size_t)(nl - p) +
						  (nl < end));
	}
	if (loaded && resp.retry_after.len) {
		ms = hwb_core__http_retry_after_ms(resp.retry_after.ptr,
						   1700000000);
		/* The delay is bounded whatever the server says. */
		if (ms < -1 || ms > DAY_MS)
			abort();
	}
	/* Kept values never carry the line ending. */
	if (resp.location.len && (resp.location.ptr[resp.location.len - 1] == '\n' ||
				  resp.location.ptr[resp.location.len - 1] == '\r'))
		abort();
	hwb_http_response_release(&resp);
	return 0;
}
