/* SPDX-License-Identifier: Apache-2.0 */
/*
 * encode.c: hex and base64 (RFC 4648 sections 4, 5 and 8). The decoders are
 * strict because their input is usually a digest or a signature taken from
 * an untrusted document: anything that is not the one canonical spelling of
 * some byte string is refused, so two spellings never compare unequal.
 */
#include "pkg/core/encode.h"
#include "pkg/core/internal.h"

#include <string.h>

static const char hex_digits[] = "0123456789abcdef";
static const char b64_std[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

int hwb_hex_encode(struct hwb_buf *out, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t need, i;
	char *dst;

	if (hwb_size_mul(&need, len, 2) || hwb_buf_grow(out, need))
		return -1;
	dst = out->ptr + out->len;
	for (i = 0; i < len; i++) {
		dst[2 * i] = hex_digits[p[i] >> 4];
		dst[2 * i + 1] = hex_digits[p[i] & 0x0f];
	}
	out->len += need;
	out->ptr[out->len] = '\0';
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
 * The value of c in the alphabet, or -1. Without branches: the character
 * classes of random base64 text (every RECORD digest) defeat branch
 * prediction, which made a chain of ifs cost 20 ns a character.
 */
static int b64_value(char ch, int url)
{
	unsigned c = (unsigned char)ch;
	int upper = c - 'A' < 26, lower = c - 'a' < 26, digit = c - '0' < 10;
	int c62 = c == (url ? '-' : '+'), c63 = c == (url ? '_' : '/');
	int any = upper | lower | digit | c62 | c63;

	return ((int)(c - 'A') & -upper) | ((int)(c - 'a' + 26) & -lower) |
	       ((int)(c - '0' + 52) & -digit) | (62 & -c62) | (63 & -c63) |
	       -!any;
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

int hwb_base64_decode(struct hwb_buf *out, const char *in, size_t len,
		      int flags, struct hwb_error *err)
{
	int url = flags & HWB_B64_URL;
	size_t data_len = 0, i, start = out->len;
	uint32_t acc = 0;
	unsigned bits = 0;
	int v;

	if (b64_check_padding(in, len, flags, &data_len, err))
		return -1;
	if (hwb_buf_grow(out, data_len / 4 * 3 + 2))
		return hwb_error_oom(err);
	for (i = 0; i < data_len; i++) {
		v = b64_value(in[i], url);
		if (v < 0) {
			hwb_buf_truncate(out, start);
			return b64_error(err, in[i] == '=' ?
					 "has '=' before its end" :
					 "has a character outside the alphabet", i);
		}
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out->ptr[out->len++] = (char)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Leftover bits must be zero, else two texts decode to one value. */
	if (acc) {
		hwb_buf_truncate(out, start);
		return b64_error(err, "has non-zero bits after its last byte",
				 data_len - 1);
	}
	out->ptr[out->len] = '\0';
	return 0;
}
