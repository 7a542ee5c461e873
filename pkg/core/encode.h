/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encode.h: hex and base64 (RFC 4648 standard and URL-safe alphabets, with
 * or without padding). Decoders are strict: a character outside the chosen
 * alphabet, a bad length or non-zero trailing bits is an error.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

enum hwb_b64_flags {
	HWB_B64_STD = 0,       /* '+' '/' */
	HWB_B64_URL = 1,       /* '-' '_' */
	HWB_B64_NOPAD = 2,     /* encode: no '='; decode: '=' refused */
	HWB_B64_PAD_OPTIONAL = 4, /* decode: accept with or without '=' */
};

/** Write lowercase hex of data to out, which holds 2 * len + 1 bytes. */
void hwb_hex_format(const void *data, size_t len, char *out);
/** Append lowercase hex of data to out. */
int hwb_hex_encode(struct hwb_buf *out, const void *data, size_t len);
/** Decode hex (either case) and append to out. */
int hwb_hex_decode(struct hwb_buf *out, const char *hex, size_t len,
		   struct hwb_error *err);
int hwb_base64_encode(struct hwb_buf *out, const void *data, size_t len,
		      int flags);
int hwb_base64_decode(struct hwb_buf *out, const char *in, size_t len,
		      int flags, struct hwb_error *err);

/*
 * A Unix time as an RFC 3339 date in UTC ("2024-01-02T03:04:05Z"), the way
 * messages show times; "N (Unix time)" when it cannot be one. out holds at
 * least HWB_ISO_TIME_MAX bytes.
 */
#define HWB_ISO_TIME_MAX 48
void hwb_iso_time(int64_t t, char *out, size_t outsz);
