/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_publish_answer: what an index answers hwb publish: an upload error
 * page (its message and the "already exists" rule), the trusted-publishing
 * audience document and the mint-token answer (200 and 422 forms).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/log.h"
#include "pkg/publish/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hwb_publish__mint m = HWB_PUBLISH__MINT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf text = HWB_BUF_INIT;
	const char *body = (const char *)data;
	char *aud = NULL;

	hwb_publish__error_text(body, size, &text);
	if (text.ptr) {
		if (text.len > 300 || strlen(text.ptr) != text.len)
			abort();
		(void)hwb_publish__already_exists(400, text.ptr);
	}
	if (!hwb_publish__parse_audience(body, size, &aud, &err) && (!aud || !aud[0]))
		abort();
	free(aud);
	if (!hwb_publish__parse_mint(200, body, size, &m, &err) && !m.token)
		abort();
	if (!hwb_publish__parse_mint(422, body, size, &m, &err) && !m.first_code[0])
		abort();
	hwb_publish__mint_release(&m);
	hwb_buf_release(&text);
	hwb_redact_reset();
	return 0;
}
