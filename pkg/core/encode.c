/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encode.c: hex and base64 (RFC 4648 sections 4, 5 and 8). The decoders are
 * strict because their input is usually a digest or a signature taken from
 * an untrusted document: anything that is not the one canonical spelling of
 * some byte string is refused, so two spellings never compare unequal.
 */
#include "pkg/core/encode.h"
#include "pkg/core/internal.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static const char hex_digits[] = "0123456789abcdef";
static const char b64_std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

void hwb_hex_format(const void *data, size_t len, char *out)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex_digits[p[i] >> 4];
		out[2 * i + 1] = hex_digits[p[i] & 0x0f];
	}
	out[2 * len] = '\0';
}

int hwb_hex_encode(struct hwb_buf *out, const void *data, size_t len)
{
	size_t need;

	/* grow keeps room for the terminating NUL */
	if (hwb_size_mul(&need, len, 2) || hwb_buf_grow(out, need))
		return -1;
	hwb_hex_format(data, len, out->ptr + out->len);
	out->len += need;
	return 0;
}

int hwb_core__hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int hwb_hex_decode(struct hwb_buf *out, const char *hex, size_t len,
		   struct hwb_error *err)
{
	size_t i, start = out->len;
	int hi, lo;

	if (len % 2)
		return hwb_error_set(err, HWB_KIND_FAILED, "HWB-J001",
				     "hex string has an odd length (%zu)", len);
	if (hwb_buf_grow(out, len / 2))
		return hwb_error_oom(err);
	for (i = 0; i < len; i += 2) {
		hi = hwb_core__hex_value((unsigned char)hex[i]);
		lo = hwb_core__hex_value((unsigned char)hex[i + 1]);
		if (hi < 0 || lo < 0) {
			hwb_buf_truncate(out, start);
			return hwb_error_set(err, HWB_KIND_FAILED, "HWB-J001",
					     "hex string has a non-hex character "
					     "at offset %zu", i + (hi >= 0));
		}
		out->ptr[out->len++] = (char)(hi << 4 | lo);
	}
	out->ptr[out->len] = '\0';
	return 0;
}

int hwb_base64_encode(struct hwb_buf *out, const void *data, size_t len,
		      int flags)
{
	const char *abc = (flags & HWB_B64_URL) ? b64_url : b64_std;
	const uint8_t *p = data;
	size_t need, i, rest = len % 3;
	uint32_t v;
	char *dst;

	/* 4 characters per started group of 3 bytes. */
	if (hwb_size_add(&need, len / 3, rest ? 1 : 0) ||
	    hwb_size_mul(&need, need, 4) || hwb_buf_grow(out, need))
		return -1;
	dst = out->ptr + out->len;
	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
		*dst++ = abc[v >> 18];
		*dst++ = abc[(v >> 12) & 63];
		*dst++ = abc[(v >> 6) & 63];
		*dst++ = abc[v & 63];
	}
	if (rest) {
		v = (uint32_t)p[i] << 16;
		if (rest == 2)
			v |= (uint32_t)p[i + 1] << 8;
		*dst++ = abc[v >> 18];
		*dst++ = abc[(v >> 12) & 63];
		if (rest == 2)
			*dst++ = abc[(v >> 6) & 63];
		if (!(flags & HWB_B64_NOPAD)) {
			*dst++ = '=';
			if (rest == 1)
				*dst++ = '=';
		}
	}
	out->len = (size_t)(dst - out->ptr);
	out->ptr[out->len] = '\0';
	return 0;
}

/*
 * The value of each byte in the standard and the URL-safe alphabet, -1
 * outside it. A table, not a chain of tests: the character classes of
 * random base64 text (every RECORD digest) defeat branch prediction.
 * tests/unit/test_encode.c checks every entry against the alphabets.
 */
static const int8_t b64_std_values[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1, -1, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, -1,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static const int8_t b64_url_values[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, -1,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1,
	-1,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63,
	-1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

static int b64_value(char c, int url)
{
	return (url ? b64_url_values : b64_std_values)[(unsigned char)c];
}

static int b64_error(struct hwb_error *err, const char *what, size_t off)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-J002",
		      "base64 text %s at offset %zu", what, off);
	return hwb_error_hint(err, "give canonical RFC 4648 base64 in the "
			      "expected alphabet, without spaces or newlines");
}

/*
 * Count the '=' at the end and check the padding rule of flags. On success
 * *data_len is the number of alphabet characters.
 */
static int b64_check_padding(const char *in, size_t len, int flags,
			     size_t *data_len, struct hwb_error *err)
{
	size_t pad = 0;

	while (pad < len && pad < 2 && in[len - 1 - pad] == '=')
		pad++;
	if (pad && (flags & HWB_B64_NOPAD) && !(flags & HWB_B64_PAD_OPTIONAL))
		return b64_error(err, "has '=' padding, which is not allowed",
				 len - pad);
	if (pad && len % 4)
		return b64_error(err, "has padding but a length that is not a "
				 "multiple of 4", len);
	if (!pad && len % 4 && !(flags & (HWB_B64_NOPAD | HWB_B64_PAD_OPTIONAL)))
		return b64_error(err, "is missing its '=' padding", len);
	*data_len = len - pad;
	if (*data_len % 4 == 1)
		return b64_error(err, "has a length that no byte string encodes to",
				 len);
	if (pad && *data_len % 4 != 4 - pad)
		return b64_error(err, "has too much padding", *data_len);
	return 0;
}

/* The error for the first character of in[0..n) outside the alphabet. */
static int b64_bad_char(const char *in, size_t n, size_t base, int url,
			struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < n && b64_value(in[i], url) >= 0; i++)
		;
	return b64_error(err, in[i] == '=' ? "has '=' before its end" :
			 "has a character outside the alphabet", base + i);
}

/* A failed decode leaves out as it was: bytes were written past its
 * length, over its terminating NUL. */
static int b64_undo(struct hwb_buf *out, int rc)
{
	out->ptr[out->len] = '\0';
	return rc;
}

int hwb_base64_decode(struct hwb_buf *out, const char *in, size_t len,
		      int flags, struct hwb_error *err)
{
	int url = flags & HWB_B64_URL;
	size_t data_len = 0, i, tail;
	uint32_t x = 0;
	uint8_t *o;
	int v[4];

	if (b64_check_padding(in, len, flags, &data_len, err))
		return -1;
	if (hwb_buf_grow(out, data_len / 4 * 3 + 2))
		return hwb_error_oom(err);
	/* Four characters make three bytes; a local cursor keeps the loop
	 * free of reloads through out. */
	o = (uint8_t *)out->ptr + out->len;
	for (i = 0; i + 4 <= data_len; i += 4) {
		v[0] = b64_value(in[i], url);
		v[1] = b64_value(in[i + 1], url);
		v[2] = b64_value(in[i + 2], url);
		v[3] = b64_value(in[i + 3], url);
		if ((v[0] | v[1] | v[2] | v[3]) < 0)
			return b64_undo(out, b64_bad_char(in + i, 4, i, url,
							  err));
		x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6 | (uint32_t)v[3];
		*o++ = (uint8_t)(x >> 16);
		*o++ = (uint8_t)(x >> 8);
		*o++ = (uint8_t)x;
	}
	tail = data_len - i; /* 0, 2 or 3 (padding checked 1 away) */
	if (tail) {
		v[0] = b64_value(in[i], url);
		v[1] = b64_value(in[i + 1], url);
		v[2] = tail == 3 ? b64_value(in[i + 2], url) : 0;
		if ((v[0] | v[1] | v[2]) < 0)
			return b64_undo(out, b64_bad_char(in + i, tail, i, url,
							  err));
		x = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
		    (uint32_t)v[2] << 6;
		/* Leftover bits must be zero, else two texts decode to one
		 * value. */
		if (x & (tail == 2 ? 0xffffu : 0xffu))
			return b64_undo(out, b64_error(err, "has non-zero bits "
						       "after its last byte",
						       data_len - 1));
		*o++ = (uint8_t)(x >> 16);
		if (tail == 3)
			*o++ = (uint8_t)(x >> 8);
	}
	out->len = (size_t)(o - (uint8_t *)out->ptr);
	out->ptr[out->len] = '\0';
	return 0;
}

void hwb_iso_time(int64_t t, char *out, size_t outsz)
{
	struct tm tm;
	time_t tt = (time_t)t;

	if ((int64_t)tt != t || !gmtime_r(&tt, &tm) ||
	    !strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, outsz, "%" PRId64 " (Unix time)", t);
}
