/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer target for the strict base64 and hex decoders. The first byte
 * picks the base64 flags; the rest is the text. Whatever a decoder accepts
 * must be the canonical spelling: encoding the bytes again gives the input
 * back (modulo padding when padding is optional, and hex case).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/encode.h"

static void check_base64(const char *text, size_t len, int flags)
{
	struct hwb_buf dec = HWB_BUF_INIT, enc = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	int enc_flags = flags & HWB_B64_URL;

	if (hwb_base64_decode(&dec, text, len, flags, &err) == 0) {
		/* Re-encode in the spelling the input used. */
		if ((flags & HWB_B64_PAD_OPTIONAL) ? len % 4 != 0
						    : (flags & HWB_B64_NOPAD) != 0)
			enc_flags |= HWB_B64_NOPAD;
		if (hwb_base64_encode(&enc, dec.ptr, dec.len, enc_flags) ||
		    enc.len != len || memcmp(enc.ptr, text, len) != 0)
			abort();
	} else if (err.code[0] == '\0') {
		abort();
	}
	hwb_buf_release(&dec);
	hwb_buf_release(&enc);
}

static void check_hex(const char *text, size_t len)
{
	struct hwb_buf dec = HWB_BUF_INIT, enc = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	if (hwb_hex_decode(&dec, text, len, &err) == 0) {
		if (hwb_hex_encode(&enc, dec.ptr, dec.len) || enc.len != len ||
		    strncasecmp(enc.ptr, text, len) != 0)
			abort();
	}
	hwb_buf_release(&dec);
	hwb_buf_release(&enc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text;
	int flags;

	if (size < 1)
		return 0;
	flags = data[0] & (HWB_B64_URL | HWB_B64_NOPAD | HWB_B64_PAD_OPTIONAL);
	text = (const char *)data + 1;
	check_base64(text, size - 1, flags);
	check_hex(text, size - 1);
	return 0;
}
