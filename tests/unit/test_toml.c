/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the TOML parser (pkg/core/toml.c, toml_scalar.c): each
 * value type, the lookup helpers, and each error class with its position.
 * The broad conformance corpus runs through tests/e2e/test_toml_decoder.py.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/buf.h"
#include "pkg/core/toml.h"

static struct hwb_toml_value *parse_ok(const char *text)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_toml_value *doc = NULL;

	if (hwb_toml_parse(&doc, text, strlen(text), "t.toml", &err) != 0)
		fail_msg("parse failed: %s %s at %u:%u", err.code, err.message,
			 err.line, err.column);
	return doc;
}

/* Parse text (len bytes) expecting code at line:column. */
static void expect_error_n(const char *text, size_t len, const char *code,
			   unsigned line, unsigned column)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_toml_value *doc = (struct hwb_toml_value *)1;

	assert_int_equal(hwb_toml_parse(&doc, text, len, "t.toml", &err), -1);
	assert_null(doc);
	assert_string_equal(err.code, code);
	assert_int_equal(err.kind, HWB_KIND_CONFIG);
	assert_string_equal(err.file, "t.toml");
	assert_int_equal(err.line, line);
	assert_int_equal(err.column, column);
	assert_true(err.message[0] != '\0');
	assert_true(err.hint[0] != '\0');
}

static void expect_error(const char *text, const char *code, unsigned line,
			 unsigned column)
{
	expect_error_n(text, strlen(text), code, line, column);
}

static void test_strings(void **state)
{
	struct hwb_toml_value *doc;
	const struct hwb_toml_value *v;

	(void)state;
	doc = parse_ok("a = \"x\\t\\u00e9\\U0001F600\\\"\"\n"
		       "b = 'C:\\\\path'\n"
		       "c = \"\"\"\nline1\n  line2 \\\n   joined\"\"\"\n"
		       "d = '''\nraw \\n''''\n"
		       "e = \"nul\\u0000inside\"\n");
	v = hwb_toml_get(doc, "a");
	assert_int_equal(v->type, HWB_TOML_STRING);
	assert_string_equal(v->u.str.ptr, "x\t\xc3\xa9\xf0\x9f\x98\x80\"");
	assert_int_equal(v->line, 1);
	assert_int_equal(v->column, 5);
	assert_string_equal(hwb_toml_get(doc, "b")->u.str.ptr, "C:\\\\path");
	assert_string_equal(hwb_toml_get(doc, "c")->u.str.ptr,
			    "line1\n  line2 joined");
	assert_string_equal(hwb_toml_get(doc, "d")->u.str.ptr, "raw \\n'");
	v = hwb_toml_get(doc, "e");
	assert_int_equal(v->u.str.len, 10);
	assert_memory_equal(v->u.str.ptr, "nul\0inside", 11);
	hwb_toml_free(doc);
}

static void test_numbers_and_bools(void **state)
{
	struct hwb_toml_value *doc;

	(void)state;
	doc = parse_ok("i = -9_223_372_036_854_775_808\nh = 0xDEAD_beef\n"
		       "o = 0o755\nb = 0b1010\nf = 6.626e-34\ng = -inf\n"
		       "n = nan\nt = true\nz = false\nm = 9223372036854775807\n");
	assert_int_equal(hwb_toml_get(doc, "i")->u.integer, INT64_MIN);
	assert_int_equal(hwb_toml_get(doc, "m")->u.integer, INT64_MAX);
	assert_int_equal(hwb_toml_get(doc, "h")->u.integer, 0xDEADBEEF);
	assert_int_equal(hwb_toml_get(doc, "o")->u.integer, 0755);
	assert_int_equal(hwb_toml_get(doc, "b")->u.integer, 10);
	assert_int_equal(hwb_toml_get(doc, "f")->type, HWB_TOML_FLOAT);
	assert_true(hwb_toml_get(doc, "f")->u.flt == 6.626e-34);
	assert_true(isinf(hwb_toml_get(doc, "g")->u.flt) &&
		    hwb_toml_get(doc, "g")->u.flt < 0);
	assert_true(isnan(hwb_toml_get(doc, "n")->u.flt));
	assert_int_equal(hwb_toml_get(doc, "t")->type, HWB_TOML_BOOL);
	assert_int_equal(hwb_toml_get(doc, "t")->u.boolean, 1);
	assert_int_equal(hwb_toml_get(doc, "z")->u.boolean, 0);
	hwb_toml_free(doc);
}

static void test_datetimes(void **state)
{
	struct hwb_toml_value *doc;
	const struct hwb_toml_value *v;

	(void)state;
	doc = parse_ok("odt = 1979-05-27T00:32:00.999999-07:00\n"
		       "z = 2024-02-29 23:59:60z\nldt = 1979-05-27t07:32:00\n"
		       "ld = 1979-05-27\nlt = 07:32:00.5\n");
	v = hwb_toml_get(doc, "odt");
	assert_int_equal(v->type, HWB_TOML_DATETIME);
	assert_int_equal(v->u.dt.year, 1979);
	assert_int_equal(v->u.dt.month, 5);
	assert_int_equal(v->u.dt.day, 27);
	assert_int_equal(v->u.dt.minute, 32);
	assert_int_equal(v->u.dt.nanosecond, 999999000);
	assert_int_equal(v->u.dt.fraction_digits, 6);
	assert_int_equal(v->u.dt.offset_minutes, -420);
	assert_int_equal(v->u.dt.offset_is_z, 0);
	v = hwb_toml_get(doc, "z");
	assert_int_equal(v->type, HWB_TOML_DATETIME);
	assert_int_equal(v->u.dt.second, 60);
	assert_int_equal(v->u.dt.offset_is_z, 1);
	assert_int_equal(hwb_toml_get(doc, "ldt")->type, HWB_TOML_DATETIME_LOCAL);
	assert_int_equal(hwb_toml_get(doc, "ld")->type, HWB_TOML_DATE_LOCAL);
	v = hwb_toml_get(doc, "lt");
	assert_int_equal(v->type, HWB_TOML_TIME_LOCAL);
	assert_int_equal(v->u.dt.nanosecond, 500000000);
	assert_string_equal(hwb_toml_type_name(v->type), "time-local");
	hwb_toml_free(doc);
}

static void test_tables_and_arrays(void **state)
{
	struct hwb_toml_value *doc;
	const struct hwb_toml_value *v;

	(void)state;
	doc = parse_ok("top = 1\n[tool.hwb]\nx.y = [1, \"a\", [2], {k = 3},]\n"
		       "[tool.hwb.build]\ntimeout = 60\n"
		       "[[p]]\nn = 1\n[[p]]\nn = 2\n[p.sub]\nq = 'r'\n"
		       "[\"quoted.key\"]\n\"\" = 0\n");
	v = hwb_toml_get_path(doc, "tool.hwb.build.timeout");
	assert_non_null(v);
	assert_int_equal(v->u.integer, 60);
	assert_int_equal(v->line, 5);
	assert_int_equal(v->column, 11);
	v = hwb_toml_get_path(doc, "tool.hwb.x.y");
	assert_int_equal(v->type, HWB_TOML_ARRAY);
	assert_int_equal(v->u.array.count, 4);
	assert_int_equal(v->u.array.items[3]->type, HWB_TOML_TABLE);
	v = hwb_toml_get(doc, "p");
	assert_int_equal(v->type, HWB_TOML_ARRAY);
	assert_int_equal(v->u.array.count, 2);
	assert_int_equal(hwb_toml_get(v->u.array.items[1], "n")->u.integer, 2);
	assert_string_equal(hwb_toml_get_path(v->u.array.items[1], "sub.q")->u.str.ptr,
			    "r");
	assert_non_null(hwb_toml_get(hwb_toml_get(doc, "quoted.key"), ""));
	assert_null(hwb_toml_get_path(doc, "top.x"));
	assert_null(hwb_toml_get_path(doc, "missing.x"));
	assert_null(hwb_toml_get(hwb_toml_get(doc, "top"), "x"));
	/* Document order is kept. */
	assert_string_equal(doc->u.table.items[0].key, "top");
	assert_string_equal(doc->u.table.items[1].key, "tool");
	hwb_toml_free(doc);
	hwb_toml_free(NULL);
}

static void test_error_classes(void **state)
{
	(void)state;
	expect_error_n("a = 1\nb = \"\xff\"\n", 12, "HWB-T001", 2, 6);
	expect_error("a = 1\nb = = 2\n", "HWB-T002", 2, 5);
	expect_error("a = 1\n[t]\nx = 1\n x = 2\n", "HWB-T003", 4, 2);
	expect_error("a = \"\\q\"\n", "HWB-T004", 1, 6);
	expect_error("a = \"\\uD800\"\n", "HWB-T004", 1, 6);
	expect_error("a = 0123\n", "HWB-T005", 1, 5);
	expect_error("a = 9223372036854775808\n", "HWB-T005", 1, 5);
	expect_error("a = 2023-02-29\n", "HWB-T006", 1, 5);
	expect_error("a = 07:32:61\n", "HWB-T006", 1, 5);
	expect_error("[a]\n[b]\n[a]\n", "HWB-T007", 3, 2);
	expect_error("[fruit]\napple.color = 1\n[fruit.apple]\n", "HWB-T007", 3, 8);
	expect_error("a = {x = 1}\n[a]\n", "HWB-T008", 2, 2);
	expect_error("a = []\n[[a]]\n", "HWB-T008", 2, 3);
	expect_error("a = \"open\n", "HWB-T009", 1, 5);
	expect_error("a = [1,\n2,\n", "HWB-T009", 1, 5);
	expect_error("a = 1\nb = \"x\x01\"\n", "HWB-T011", 2, 7);
	expect_error("a = 1\r\nb = 2\r", "HWB-T011", 2, 6);
}

static void test_columns_count_characters(void **state)
{
	(void)state;
	/* "é" is two bytes but one column. */
	expect_error("\"é\" = 1 x\n", "HWB-T002", 1, 9);
	expect_error("a = \"日本\" b\n", "HWB-T002", 1, 10);
}

static void test_nesting_limit(void **state)
{
	char text[1024];
	size_t i, n = 0;

	(void)state;
	n += (size_t)snprintf(text, sizeof(text), "a = ");
	for (i = 0; i < 200; i++)
		text[n++] = '[';
	for (i = 0; i < 200; i++)
		text[n++] = ']';
	text[n] = '\0';
	/* The k-th '[' is at depth k: the 129th is the first too deep. */
	expect_error(text, "HWB-T010", 1, 4 + 129);
	/* 128 levels are fine. */
	n = (size_t)snprintf(text, sizeof(text), "a = ");
	for (i = 0; i < 128; i++)
		text[n++] = '[';
	for (i = 0; i < 128; i++)
		text[n++] = ']';
	text[n] = '\0';
	hwb_toml_free(parse_ok(text));
}

/* Tables past the index threshold still find every key and duplicate. */
static void test_large_table(void **state)
{
	struct hwb_buf text = HWB_BUF_INIT;
	struct hwb_toml_value *doc;
	char key[32];
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		hwb_buf_printf(&text, "k%d = %d\n", i, i);
	doc = parse_ok(text.ptr);
	for (i = 0; i < 1000; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(hwb_toml_get(doc, key)->u.integer, i);
	}
	assert_int_equal(doc->u.table.count, 1000);
	hwb_toml_free(doc);
	hwb_buf_printf(&text, "k500 = 1\n");
	expect_error(text.ptr, "HWB-T003", 1001, 1);
	hwb_buf_release(&text);
}

static void test_error_without_err(void **state)
{
	struct hwb_toml_value *doc = NULL;

	(void)state;
	assert_int_equal(hwb_toml_parse(&doc, "a = ", 4, NULL, NULL), -1);
	assert_null(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_numbers_and_bools),
		cmocka_unit_test(test_datetimes),
		cmocka_unit_test(test_tables_and_arrays),
		cmocka_unit_test(test_error_classes),
		cmocka_unit_test(test_columns_count_characters),
		cmocka_unit_test(test_nesting_limit),
		cmocka_unit_test(test_large_table),
		cmocka_unit_test(test_error_without_err),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
