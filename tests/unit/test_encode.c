/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/core/encode.c: the RFC 4648 section 10 vectors in every
 * alphabet and padding mode, and the strict decoder's refusals.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "pkg/core/encode.h"

/* RFC 4648 section 10: BASE64("") = "" ... BASE64("foobar") = "Zm9vYmFy". */
static const struct {
	const char *raw, *b64, *hex;
} rfc4648[] = {
	{ "", "", "" },
	{ "f", "Zg==", "66" },
	{ "fo", "Zm8=", "666f" },
	{ "foo", "Zm9v", "666f6f" },
	{ "foob", "Zm9vYg==", "666f6f62" },
	{ "fooba", "Zm9vYmE=", "666f6f6261" },
	{ "foobar", "Zm9vYmFy", "666f6f626172" },
};
#define N_RFC (sizeof(rfc4648) / sizeof(rfc4648[0]))

static void strip_pad(char *dst, const char *src)
{
	size_t n = strlen(src);

	while (n && src[n - 1] == '=')
		n--;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static void test_rfc4648_base64(void **state)
{
	struct hwb_buf b = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char nopad[16];
	size_t i;

	(void)state;
	for (i = 0; i < N_RFC; i++) {
		const char *raw = rfc4648[i].raw, *enc = rfc4648[i].b64;

		strip_pad(nopad, enc);
		hwb_buf_clear(&b);
		assert_int_equal(hwb_base64_encode(&b, raw, strlen(raw),
						   HWB_B64_STD), 0);
		assert_string_equal(b.ptr, enc);
		hwb_buf_clear(&b);
		assert_int_equal(hwb_base64_encode(&b, raw, strlen(raw),
						   HWB_B64_URL | HWB_B64_NOPAD), 0);
		assert_string_equal(b.ptr, nopad);

		hwb_buf_clear(&b);
		assert_int_equal(hwb_base64_decode(&b, enc, strlen(enc),
						   HWB_B64_STD, &err), 0);
		assert_int_equal(b.len, strlen(raw));
		assert_memory_equal(b.ptr, raw, b.len);
		hwb_buf_clear(&b);
		assert_int_equal(hwb_base64_decode(&b, nopad, strlen(nopad),
						   HWB_B64_URL | HWB_B64_NOPAD,
						   &err), 0);
		assert_string_equal(b.ptr, raw);
		/* Optional padding takes both spellings. */
		hwb_buf_clear(&b);
		assert_int_equal(hwb_base64_decode(&b, enc, strlen(enc),
						   HWB_B64_PAD_OPTIONAL, &err), 0);
		assert_string_equal(b.ptr, raw);
		hwb_buf_clear(&b);
		assert_int_equal(hwb_base64_decode(&b, nopad, strlen(nopad),
						   HWB_B64_PAD_OPTIONAL, &err), 0);
		assert_string_equal(b.ptr, raw);
	}
	hwb_buf_release(&b);
}

static void test_rfc4648_hex(void **state)
{
	struct hwb_buf b = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < N_RFC; i++) {
		hwb_buf_clear(&b);
		assert_int_equal(hwb_hex_encode(&b, rfc4648[i].raw,
						strlen(rfc4648[i].raw)), 0);
		assert_string_equal(b.ptr, rfc4648[i].hex);
		hwb_buf_clear(&b);
		assert_int_equal(hwb_hex_decode(&b, rfc4648[i].hex,
						strlen(rfc4648[i].hex), &err), 0);
		assert_string_equal(b.ptr, rfc4648[i].raw);
	}
	hwb_buf_clear(&b);
	assert_int_equal(hwb_hex_decode(&b, "00FFaB", 6, &err), 0);
	assert_int_equal(b.len, 3);
	assert_memory_equal(b.ptr, "\x00\xff\xab", 3);
	hwb_buf_release(&b);
}

/* Bytes 0xfb 0xff 0xbf use both alphabet-specific characters (62 and 63). */
static void test_url_alphabet(void **state)
{
	static const uint8_t raw[] = { 0xfb, 0xff, 0xbf, 0xfe };
	struct hwb_buf b = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(hwb_base64_encode(&b, raw, sizeof(raw), HWB_B64_STD), 0);
	assert_string_equal(b.ptr, "+/+//g==");
	hwb_buf_clear(&b);
	assert_int_equal(hwb_base64_encode(&b, raw, sizeof(raw), HWB_B64_URL), 0);
	assert_string_equal(b.ptr, "-_-__g==");
	hwb_buf_clear(&b);
	assert_int_equal(hwb_base64_decode(&b, "-_-__g", 6,
					   HWB_B64_URL | HWB_B64_NOPAD, &err), 0);
	assert_memory_equal(b.ptr, raw, sizeof(raw));
	/* Each alphabet refuses the other's characters. */
	hwb_buf_clear(&b);
	assert_int_equal(hwb_base64_decode(&b, "-_-__g==", 8, HWB_B64_STD,
					   &err), -1);
	assert_string_equal(err.code, "HWB-J002");
	assert_int_equal(b.len, 0);
	assert_int_equal(hwb_base64_decode(&b, "+/+//g==", 8, HWB_B64_URL,
					   &err), -1);
	assert_string_equal(err.code, "HWB-J002");
	hwb_buf_release(&b);
}

static void test_base64_strict(void **state)
{
	static const struct {
		const char *in;
		int flags;
	} bad[] = {
		{ "Zg", HWB_B64_STD },          /* padding required */
		{ "Zg=", HWB_B64_STD },         /* short padding */
		{ "Zg==", HWB_B64_NOPAD },      /* padding refused */
		{ "Zh==", HWB_B64_STD },        /* non-zero trailing bits */
		{ "Zm9=", HWB_B64_STD },        /* non-zero trailing bits */
		{ "Zm9vY", HWB_B64_NOPAD },     /* length 4n+1 */
		{ "Z===", HWB_B64_STD },        /* too much padding */
		{ "====", HWB_B64_STD },
		{ "Zg==Zg==", HWB_B64_STD },    /* '=' in the middle */
		{ "Zm9v\nYmFy", HWB_B64_STD },  /* whitespace */
		{ "Zm9v YmFy", HWB_B64_PAD_OPTIONAL },
		{ "Zm9v*mFy", HWB_B64_STD },
		{ "Zm8==", HWB_B64_PAD_OPTIONAL },
	};
	struct hwb_buf b = HWB_BUF_INIT;
	size_t i;

	(void)state;
	assert_int_equal(hwb_buf_puts(&b, "kept"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hwb_error err = HWB_ERROR_INIT;

		assert_int_equal(hwb_base64_decode(&b, bad[i].in,
						   strlen(bad[i].in),
						   bad[i].flags, &err), -1);
		assert_string_equal(err.code, "HWB-J002");
		assert_int_equal(err.kind, HWB_KIND_FAILED);
		/* A failed decode leaves what was in the buffer. */
		assert_string_equal(b.ptr, "kept");
	}
	hwb_buf_release(&b);
}

static void test_hex_strict(void **state)
{
	static const char *bad[] = { "abc", "zz", "0g", " 00", "0x00" };
	struct hwb_buf b = HWB_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hwb_error err = HWB_ERROR_INIT;

		assert_int_equal(hwb_hex_decode(&b, bad[i], strlen(bad[i]),
						&err), -1);
		assert_string_equal(err.code, "HWB-J001");
		assert_int_equal(b.len, 0);
	}
	hwb_buf_release(&b);
}

/* Every byte value and every length modulo 3 survives a round trip. */
/* Every byte value, in both alphabets: accepted exactly when it is in the
 * alphabet, and decoded to its index there. */
static void test_every_byte_value(void **state)
{
	static const char std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "abcdefghijklmnopqrstuvwxyz0123456789-_";
	struct hwb_buf b = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	const char *alphabet;
	char in[4] = { 0, 'A', 'A', 'A' };
	const char *at;
	int c, u;

	(void)state;
	for (u = 0; u < 2; u++) {
		alphabet = u ? url : std;
		for (c = 1; c < 256; c++) {
			in[0] = (char)c;
			at = strchr(alphabet, c);
			hwb_buf_clear(&b);
			hwb_error_clear(&err);
			if (!at) {
				assert_int_equal(hwb_base64_decode(&b, in, 4,
					u ? HWB_B64_URL : HWB_B64_STD, &err),
					-1);
				continue;
			}
			assert_int_equal(hwb_base64_decode(&b, in, 4,
				u ? HWB_B64_URL : HWB_B64_STD, &err), 0);
			assert_int_equal(b.len, 3);
			assert_int_equal((unsigned char)b.ptr[0],
					 (unsigned)((at - alphabet) << 2) & 0xff);
		}
	}
	hwb_buf_release(&b);
}

static void test_round_trip_all_bytes(void **state)
{
	static const int modes[] = { HWB_B64_STD, HWB_B64_URL,
				     HWB_B64_STD | HWB_B64_NOPAD,
				     HWB_B64_URL | HWB_B64_NOPAD };
	uint8_t raw[256];
	struct hwb_buf enc = HWB_BUF_INIT, dec = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	size_t len, m, i;

	(void)state;
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)i;
	for (m = 0; m < 4; m++) {
		for (len = 250; len <= 256; len++) {
			hwb_buf_clear(&enc);
			hwb_buf_clear(&dec);
			assert_int_equal(hwb_base64_encode(&enc, raw, len,
							   modes[m]), 0);
			assert_int_equal(hwb_base64_decode(&dec, enc.ptr, enc.len,
							   modes[m], &err), 0);
			assert_int_equal(dec.len, len);
			assert_memory_equal(dec.ptr, raw, len);
		}
	}
	hwb_buf_clear(&enc);
	hwb_buf_clear(&dec);
	assert_int_equal(hwb_hex_encode(&enc, raw, sizeof(raw)), 0);
	assert_int_equal(hwb_hex_decode(&dec, enc.ptr, enc.len, &err), 0);
	assert_memory_equal(dec.ptr, raw, sizeof(raw));
	hwb_buf_release(&enc);
	hwb_buf_release(&dec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_base64),
		cmocka_unit_test(test_rfc4648_hex),
		cmocka_unit_test(test_url_alphabet),
		cmocka_unit_test(test_base64_strict),
		cmocka_unit_test(test_hex_strict),
		cmocka_unit_test(test_every_byte_value),
		cmocka_unit_test(test_round_trip_all_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
