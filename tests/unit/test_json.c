/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/core/json.c and json_number.c: the canonical-JSON
 * vectors of cyberphone/json-canonicalization, the number table of RFC 8785
 * Appendix B, doubles formatted by V8 (testdata/jcs/SOURCE.md says how they
 * were made), and the refusals with their codes. Run from the repository
 * root (make unit does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/json.h"

#define JCS_DIR "testdata/jcs/"

static void read_file(const char *path, struct hwb_buf *out)
{
	char chunk[4096];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	hwb_buf_clear(out);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		assert_int_equal(hwb_buf_put(out, chunk, n), 0);
	fclose(f);
}

static void assert_canonical(const char *in, size_t len, const char *want)
{
	struct hwb_buf out = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	if (hwb_json_canonicalize(&out, in, len, &err))
		fail_msg("%s: %s", err.code, err.message);
	assert_string_equal(out.ptr, want);
	assert_int_equal(out.len, strlen(want));
	hwb_buf_release(&out);
}

static void test_cyberphone_vectors(void **state)
{
	static const char *names[] = { "arrays", "french", "structures",
				       "unicode", "values", "weird" };
	struct hwb_buf in = HWB_BUF_INIT, want = HWB_BUF_INIT;
	char path[128];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), JCS_DIR "input/%s.json", names[i]);
		read_file(path, &in);
		snprintf(path, sizeof(path), JCS_DIR "output/%s.json", names[i]);
		read_file(path, &want);
		assert_canonical(in.ptr, in.len, want.ptr);
		/* Canonical output is a fixed point. */
		assert_canonical(want.ptr, want.len, want.ptr);
	}
	hwb_buf_release(&in);
	hwb_buf_release(&want);
}

/* Lines "<16 hex digits of the IEEE bits> <expected text>". */
static size_t check_number_file(const char *path)
{
	struct hwb_buf out = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char line[128], want[64];
	unsigned long long bits;
	size_t count = 0;
	double d;
	FILE *f = fopen(path, "r");

	if (!f)
		fail_msg("cannot open %s (run from the repository root)", path);
	while (fgets(line, sizeof(line), f)) {
		assert_int_equal(sscanf(line, "%16llx %63s", &bits, want), 2);
		memcpy(&d, &bits, sizeof(d));
		hwb_buf_clear(&out);
		assert_int_equal(hwb_json_format_number(&out, d, &err), 0);
		if (strcmp(out.ptr, want) != 0)
			fail_msg("%016llx: got %s, want %s", bits, out.ptr, want);
		count++;
	}
	fclose(f);
	hwb_buf_release(&out);
	return count;
}

static void test_numbers_rfc8785(void **state)
{
	(void)state;
	assert_int_equal(check_number_file(JCS_DIR "numbers-rfc8785.txt"), 24);
}

static void test_numbers_v8(void **state)
{
	(void)state;
	assert_true(check_number_file(JCS_DIR "numbers-v8.txt") > 5000);
}

/* Number text read as a double and written in ECMAScript form. */
static void test_numbers_in_text(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "[9007199254740993]", "[9007199254740992]" }, /* 2^53 + 1 */
		{ "[-0, -0.0, 0e10]", "[0,0,0]" },
		{ "[1e21, 1e20, 1e-6, 1e-7]",
		  "[1e+21,100000000000000000000,0.000001,1e-7]" },
		{ "[0.1e1, 10E-1, 123e-8, 1.5E+300]",
		  "[1,1,0.00000123,1.5e+300]" },
		{ "[295147905179352825856]", "[295147905179352830000]" },
		{ "[-1.0000000000000001e23]", "[-1.0000000000000001e+23]" },
		{ "[4.9e-324, 2.4e-324]", "[5e-324,0]" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_canonical(cases[i].in, strlen(cases[i].in), cases[i].want);
}

static void test_strings_and_order(void **state)
{
	/* Escapes: only the short forms and \u00xx for other controls. */
	static const char esc_in[] =
		"\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \\u007f\\/\\u2028\\ud83d\\ude02\"";
	static const char esc_want[] =
		"\"\\u0000\\u0001\\b\\t\\n\\u000b\\f\\r\\u001f \x7f/\xe2\x80\xa8\xf0\x9f\x98\x82\"";
	/*
	 * U+1F602 is D83D DE02 in UTF-16, so it sorts before U+E000 there,
	 * though after it by code point or UTF-8 bytes.
	 */
	static const char order_in[] =
		"{\"\\ue000\":1,\"\\ud83d\\ude02\":2,\"b\":3,\"a\":4,\"aa\":5,\"\":6}";
	static const char order_want[] =
		"{\"\":6,\"a\":4,\"aa\":5,\"b\":3,\"\xf0\x9f\x98\x82\":2,\"\xee\x80\x80\":1}";

	(void)state;
	assert_canonical(esc_in, sizeof(esc_in) - 1, esc_want);
	assert_canonical(order_in, sizeof(order_in) - 1, order_want);
	assert_canonical(" \"x\" ", 5, "\"x\"");
	assert_canonical("\ttrue\n", 6, "true");
	assert_canonical("[ null , false ]", 16, "[null,false]");
}

static void test_refusals(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *code;
	} bad[] = {
		{ "{\"a\":1,\"a\":2}", 13, "HWB-J021" },
		{ "[NaN]", 5, "HWB-J020" },
		{ "[Infinity]", 10, "HWB-J020" },
		{ "[-Infinity]", 11, "HWB-J020" },
		{ "[1e400]", 7, "HWB-J022" },
		{ "[-1e400]", 8, "HWB-J022" },
		{ "\"\\ud800\"", 8, "HWB-J023" },
		{ "\"\\udc00\"", 8, "HWB-J023" },
		{ "\"\\ud800\\u0041\"", 14, "HWB-J023" },
		{ "\"\xff\"", 3, "HWB-J023" },
		{ "\"\xc0\xaf\"", 4, "HWB-J023" },        /* overlong '/' */
		{ "\"\xed\xa0\x80\"", 5, "HWB-J023" },    /* encoded surrogate */
		{ "\"\xf4\x90\x80\x80\"", 6, "HWB-J023" }, /* above U+10FFFF */
		{ "{\"a\\u0000\":1}", 13, "HWB-J026" },
		{ "{\"a\":1} x", 9, "HWB-J020" },
		{ "", 0, "HWB-J020" },
		{ "[01]", 4, "HWB-J020" },
		{ "{'a':1}", 7, "HWB-J020" },
		{ "[1,]", 4, "HWB-J020" },
	};
	struct hwb_buf out = HWB_BUF_INIT;
	size_t i;

	(void)state;
	assert_int_equal(hwb_buf_puts(&out, "kept"), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hwb_error err = HWB_ERROR_INIT;

		if (hwb_json_canonicalize(&out, bad[i].in, bad[i].len, &err) == 0)
			fail_msg("case %zu accepted: %s", i, out.ptr);
		if (strcmp(err.code, bad[i].code) != 0)
			fail_msg("case %zu: %s (%s), want %s", i, err.code,
				 err.message, bad[i].code);
		assert_int_equal(err.kind, HWB_KIND_FAILED);
		assert_string_equal(out.ptr, "kept");
	}
	hwb_buf_release(&out);
}

static void test_error_position(void **state)
{
	struct hwb_buf out = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(hwb_json_canonicalize(&out, "{\n  \"a\": tru\n}", 14,
					       &err), -1);
	assert_string_equal(err.code, "HWB-J020");
	assert_int_equal(err.line, 2);
	assert_true(err.column > 0);
	hwb_buf_release(&out);
}

static void test_depth_limit(void **state)
{
	struct hwb_buf text = HWB_BUF_INIT, out = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	json_t *root = NULL, *inner;
	int i;

	(void)state;
	/* Parsed: jansson's own limit. */
	for (i = 0; i < HWB_JSON_MAX_DEPTH + 10; i++)
		hwb_buf_putc(&text, '[');
	for (i = 0; i < HWB_JSON_MAX_DEPTH + 10; i++)
		hwb_buf_putc(&text, ']');
	assert_int_equal(hwb_json_canonicalize(&out, text.ptr, text.len, &err),
			 -1);
	assert_string_equal(err.code, "HWB-J024");
	/* Built: ours. */
	root = json_array();
	for (inner = root, i = 0; i < HWB_JSON_MAX_DEPTH + 10; i++) {
		json_t *next = json_array();

		assert_int_equal(json_array_append_new(inner, next), 0);
		inner = next;
	}
	assert_int_equal(hwb_json_canonicalize_value(&out, root, &err), -1);
	assert_string_equal(err.code, "HWB-J024");
	assert_int_equal(out.len, 0);
	json_decref(root);
	hwb_buf_release(&text);
	hwb_buf_release(&out);
}

static void test_built_value(void **state)
{
	struct hwb_buf out = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	json_t *doc;

	(void)state;
	doc = json_pack("{s:I, s:I, s:f, s:s, s:[b,n], s:{}}",
			"big", (json_int_t)1 << 60, "small", (json_int_t)-42,
			"real", 0.5, "name", "hwb", "list", 1, "empty");
	assert_non_null(doc);
	assert_int_equal(hwb_json_canonicalize_value(&out, doc, &err), 0);
	assert_string_equal(out.ptr, "{\"big\":1152921504606847000,"
			    "\"empty\":{},\"list\":[true,null],\"name\":\"hwb\","
			    "\"real\":0.5,\"small\":-42}");
	json_decref(doc);

	/* json_stringn_nocheck skips UTF-8 validation; we do not. */
	hwb_buf_clear(&out);
	doc = json_pack("[o]", json_stringn_nocheck("\xed\xa0\x80", 3));
	assert_non_null(doc);
	assert_int_equal(hwb_json_canonicalize_value(&out, doc, &err), -1);
	assert_string_equal(err.code, "HWB-J023");
	assert_int_equal(out.len, 0);
	json_decref(doc);
	hwb_buf_release(&out);
}

static void test_format_number_refusals(void **state)
{
	struct hwb_buf out = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	double zero = 0.0;

	(void)state;
	assert_int_equal(hwb_json_format_number(&out, zero / zero, &err), -1);
	assert_string_equal(err.code, "HWB-J022");
	assert_int_equal(hwb_json_format_number(&out, 1.0 / zero, &err), -1);
	assert_int_equal(hwb_json_format_number(&out, -1.0 / zero, &err), -1);
	assert_int_equal(out.len, 0);
	hwb_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cyberphone_vectors),
		cmocka_unit_test(test_numbers_rfc8785),
		cmocka_unit_test(test_numbers_v8),
		cmocka_unit_test(test_numbers_in_text),
		cmocka_unit_test(test_strings_and_order),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_error_position),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_built_value),
		cmocka_unit_test(test_format_number_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
