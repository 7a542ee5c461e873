/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/wheel/metadata.c (the email-header format of METADATA,
 * PKG-INFO and WHEEL) and pkg/wheel/tags.c (wheel filenames and compressed
 * tag sets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/wheel/internal.h"

static void test_fields_and_body(void **state)
{
	static const char text[] =
		"Metadata-Version: 2.1\r\n"
		"Name: sample\n"
		"Version: 1.0\n"
		"Requires-Dist: a>=1\n"
		"requires-dist: b ; extra == 'x'\n"
		"License: line one\n"
		"        line two\n"
		"\tline three\n"
		"Summary:   padded   \n"
		"Keywords:\n"
		"\n"
		"# Title\n\nBody text.\n";
	struct hwb_metadata md = HWB_METADATA_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(hwb_metadata_parse(text, sizeof(text) - 1, &md, &err),
			 0);
	assert_int_equal(md.count, 8);
	assert_string_equal(hwb_metadata_get(&md, "metadata-version"), "2.1");
	assert_string_equal(hwb_metadata_get(&md, "NAME"), "sample");
	assert_int_equal(hwb_metadata_count(&md, "Requires-Dist"), 2);
	assert_string_equal(md.fields[4].value, "b ; extra == 'x'");
	assert_int_equal(md.fields[4].line, 5);
	assert_string_equal(hwb_metadata_get(&md, "License"),
			    "line one\nline two\nline three");
	assert_string_equal(hwb_metadata_get(&md, "Summary"), "padded");
	assert_string_equal(hwb_metadata_get(&md, "Keywords"), "");
	assert_null(hwb_metadata_get(&md, "Description"));
	assert_string_equal(md.body, "# Title\n\nBody text.\n");
	assert_int_equal(md.body_line, 12);
	hwb_metadata_release(&md);
	hwb_metadata_release(&md); /* idempotent */
}

static void test_no_body_and_empty(void **state)
{
	struct hwb_metadata md = HWB_METADATA_INIT;
	static const char wheel[] = "Wheel-Version: 1.0\nTag: py3-none-any";

	(void)state;
	assert_int_equal(hwb_metadata_parse(wheel, sizeof(wheel) - 1, &md,
					    NULL), 0);
	assert_int_equal(md.count, 2);
	assert_null(md.body);
	assert_string_equal(md.fields[1].value, "py3-none-any");
	hwb_metadata_release(&md);
	assert_int_equal(hwb_metadata_parse("", 0, &md, NULL), 0);
	assert_int_equal(md.count, 0);
	hwb_metadata_release(&md);
}

static void test_syntax_errors(void **state)
{
	static const struct {
		const char *text;
		size_t len;
		unsigned line;
	} bad[] = {
		{ "Name: a\nno colon here\n", 21, 2 },
		{ " continued first\n", 17, 1 },
		{ "Name: a\n: empty name\n", 20, 2 },
		{ "Na me: a\n", 9, 1 },
		{ "Name: \xc3\x28\n", 10, 0 },         /* bad UTF-8 */
		{ "Name: a\0b\n", 10, 0 },             /* NUL */
		{ "Name: \xed\xa0\x80\n", 10, 0 },     /* surrogate */
		{ "Name: \xc0\xaf\n", 9, 0 },          /* overlong '/' */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct hwb_metadata md = HWB_METADATA_INIT;
		struct hwb_error err = HWB_ERROR_INIT;

		if (hwb_metadata_parse(bad[i].text, bad[i].len, &md, &err) != -1)
			fail_msg("case %zu should be refused", i);
		assert_string_equal(err.code, "HWB-W056");
		assert_int_equal(err.line, bad[i].line);
		assert_int_equal(md.count, 0);
	}
}

static void test_utf8(void **state)
{
	static const char good[] = "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\x8d";

	(void)state;
	assert_true(hwb_wheel__utf8_valid(good, sizeof(good) - 1));
	assert_false(hwb_wheel__utf8_valid("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	assert_false(hwb_wheel__utf8_valid("\xe2\x82", 2));         /* cut */
	assert_false(hwb_wheel__utf8_valid("\xff", 1));
}

static void test_filename_split(void **state)
{
	struct hwb_wheel_filename f = HWB_WHEEL_FILENAME_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	static const char *const bad[] = {
		"a-1.0-py3-none-any.zip", "a-1.0-none-any.whl",
		"a-b-1.0-1-py3-none-any.whl", ".whl", "whl", "",
	};
	size_t i;

	(void)state;
	assert_int_equal(hwb_wheel_filename_parse(
				 "Foo.Bar_baz-1.0-1build-cp311-cp311-"
				 "manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
				 &f, &err), 0);
	assert_string_equal(f.name, "Foo.Bar_baz");
	assert_string_equal(f.project, "foo-bar-baz");
	assert_string_equal(f.version, "1.0");
	assert_string_equal(f.build, "1build");
	assert_string_equal(f.python, "cp311");
	assert_string_equal(f.abi, "cp311");
	assert_string_equal(f.platform,
			    "manylinux_2_17_x86_64.manylinux2014_x86_64");
	assert_string_equal(f.tags, "cp311-cp311-manylinux_2_17_x86_64."
			    "manylinux2014_x86_64");
	hwb_wheel_filename_release(&f);
	assert_int_equal(hwb_wheel_filename_parse("a-1.0-py3-none-any.whl", &f,
						  &err), 0);
	assert_null(f.build);
	assert_string_equal(f.tags, "py3-none-any");
	hwb_wheel_filename_release(&f);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		hwb_error_clear(&err);
		assert_int_equal(hwb_wheel_filename_parse(bad[i], &f, &err), -1);
		assert_string_equal(err.code, "HWB-W044");
		assert_int_equal(err.kind, HWB_KIND_FAILED);
		assert_null(f.buf);
	}
}

static void test_tags_expand(void **state)
{
	struct hwb_wheel_filename f = HWB_WHEEL_FILENAME_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char **tags = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(hwb_wheel_filename_parse(
				 "x-1-py3.py2-none.abi3-any.linux.whl", &f, &err),
			 0);
	assert_int_equal(hwb_wheel__tags_expand(&f, &tags, &n), 0);
	assert_int_equal(n, 8);
	/* Sorted, so the comparison with WHEEL's Tag lines is a walk. */
	assert_string_equal(tags[0], "py2-abi3-any");
	assert_string_equal(tags[1], "py2-abi3-linux");
	assert_string_equal(tags[7], "py3-none-linux");
	hwb_wheel__tags_free(tags, n);
	hwb_wheel_filename_release(&f);
	/* Duplicates collapse. */
	assert_int_equal(hwb_wheel_filename_parse("x-1-py3.py3-none-any.whl", &f,
						  &err), 0);
	assert_int_equal(hwb_wheel__tags_expand(&f, &tags, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(tags[0], "py3-none-any");
	hwb_wheel__tags_free(tags, n);
	hwb_wheel_filename_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_and_body),
		cmocka_unit_test(test_no_body_and_empty),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_filename_split),
		cmocka_unit_test(test_tags_expand),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
