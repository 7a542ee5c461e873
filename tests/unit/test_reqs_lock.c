/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/reqs's TOML writer and PEP 751 lock reader/writer:
 * what the writer emits must parse back with pkg/core/toml to the same
 * values, and a lock must survive a write/read round trip byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/toml.h"

static struct hwb_toml_value *parse(const struct hwb_buf *b)
{
	struct hwb_toml_value *root = NULL;
	struct hwb_error err = HWB_ERROR_INIT;

	if (hwb_toml_parse(&root, b->ptr, b->len, "t.toml", &err))
		fail_msg("emitted TOML does not parse: %s at %u:%u\n%s",
			 err.message, err.line, err.column, b->ptr);
	return root;
}

static void test_strings_round_trip(void **state)
{
	static const char *const values[] = {
		"", "plain", "quote \" and backslash \\", "tab\tnewline\ncr\r",
		"bell\a nul-free controls \x01\x1f del \x7f", "form\ffeed\bback",
		"unicode: \xc3\xa9\xe2\x82\xac\xf0\x9f\x90\x8d",
		"python_version >= '3.8' and sys_platform == \"linux\"",
	};
	struct hwb_buf b = HWB_BUF_INIT;
	struct hwb_toml_value *root;
	const struct hwb_toml_value *v;
	char key[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		assert_int_equal(hwb_reqs__toml_kv_str(&b, key, values[i]), 0);
	}
	/* Keys that cannot be bare are quoted. */
	hwb_reqs__toml_kv_str(&b, "a.b", "dotted");
	hwb_reqs__toml_kv_str(&b, "sp ace", "space");
	hwb_reqs__toml_kv_str(&b, "\xc3\xa9t\xc3\xa9", "utf8 key");
	hwb_reqs__toml_kv_int(&b, "n", -42);
	root = parse(&b);
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		snprintf(key, sizeof(key), "k%zu", i);
		v = hwb_toml_get(root, key);
		assert_non_null(v);
		assert_int_equal(v->type, HWB_TOML_STRING);
		assert_int_equal(v->u.str.len, strlen(values[i]));
		assert_memory_equal(v->u.str.ptr, values[i], v->u.str.len);
	}
	assert_string_equal(hwb_toml_get(root, "a.b")->u.str.ptr, "dotted");
	assert_null(hwb_toml_get_path(root, "a.b"));
	assert_string_equal(hwb_toml_get(root, "sp ace")->u.str.ptr, "space");
	assert_string_equal(hwb_toml_get(root, "\xc3\xa9t\xc3\xa9")->u.str.ptr,
			    "utf8 key");
	assert_int_equal(hwb_toml_get(root, "n")->u.integer, -42);
	hwb_toml_free(root);
	hwb_buf_release(&b);
}

static void test_string_array(void **state)
{
	static const char *const items[] = { "a\"b", "", "c\\d" };
	struct hwb_buf b = HWB_BUF_INIT;
	struct hwb_toml_value *root;
	const struct hwb_toml_value *v;
	size_t i;

	(void)state;
	hwb_reqs__toml_kv_strs(&b, "list", items, 3);
	hwb_reqs__toml_kv_strs(&b, "empty", NULL, 0);
	root = parse(&b);
	v = hwb_toml_get(root, "list");
	assert_int_equal(v->type, HWB_TOML_ARRAY);
	assert_int_equal(v->u.array.count, 3);
	for (i = 0; i < 3; i++)
		assert_string_equal(v->u.array.items[i]->u.str.ptr, items[i]);
	assert_int_equal(hwb_toml_get(root, "empty")->u.array.count, 0);
	hwb_toml_free(root);
	hwb_buf_release(&b);
}

static char *dup(const char *s)
{
	char *d = hwb_strdup(s);

	assert_non_null(d);
	return d;
}

/* A lock with two packages given in reverse order, one with a marker. */
static struct hwb_reqs_lock *sample_lock(void)
{
	struct hwb_reqs_lock *l = hwb_reqs_lock_new();
	struct hwb_reqs_lock_pkg *p;

	assert_non_null(l);
	l->requires_python = dup(">=3.11");
	l->requirement_count = 2;
	l->requirements = calloc(2, sizeof(char *));
	l->requirements[0] = dup("setuptools>=40.8");
	l->requirements[1] = dup("wheel ; python_version >= \"3\"");
	l->pkg_count = 2;
	l->pkgs = calloc(2, sizeof(*l->pkgs));
	p = &l->pkgs[0];
	p->name = dup("wheel");
	p->version = dup("0.38.4");
	p->marker = dup("python_version >= \"3\"");
	p->wheel_count = 1;
	p->wheels = calloc(1, sizeof(*p->wheels));
	p->wheels[0].name = dup("wheel-0.38.4-py3-none-any.whl");
	p->wheels[0].path = dup("/usr/share/python-wheels/wheel-0.38.4-py3-none-any.whl");
	p->wheels[0].size = 64000;
	memset(p->wheels[0].sha256, 'a', 64);
	p = &l->pkgs[1];
	p->name = dup("setuptools");
	p->version = dup("66.1.1");
	p->requires_python = dup(">=3.7");
	p->index = dup("http://127.0.0.1:8080/simple/setuptools/");
	p->dependency_count = 1;
	p->dependencies = calloc(1, sizeof(char *));
	p->dependencies[0] = dup("wheel");
	p->wheel_count = 2;
	p->wheels = calloc(2, sizeof(*p->wheels));
	p->wheels[0].name = dup("setuptools-66.1.1-py3-none-any.whl");
	p->wheels[0].url = dup("http://127.0.0.1:8080/files/setuptools-66.1.1-py3-none-any.whl");
	memset(p->wheels[0].sha256, '0', 64);
	p->wheels[1].name = dup("setuptools-66.1.1-cp311-cp311-linux_x86_64.whl");
	p->wheels[1].url = dup("http://127.0.0.1:8080/files/x.whl");
	memset(p->wheels[1].sha256, 'f', 64);
	hwb_reqs__lock_sort(l);
	return l;
}

static void test_lock_round_trip(void **state)
{
	struct hwb_reqs_lock *l = sample_lock(), *back = NULL;
	struct hwb_buf a = HWB_BUF_INIT, b = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	const struct hwb_reqs_lock_pkg *p;

	(void)state;
	assert_string_equal(l->pkgs[0].name, "setuptools");
	assert_int_equal(hwb_reqs_lock_render(l, &a, &err), 0);
	assert_int_equal(hwb_reqs__lock_parse(a.ptr, a.len, "pylock.build.toml",
					       &back, &err), 0);
	assert_int_equal(back->pkg_count, 2);
	p = hwb_reqs__lock_find(back, "wheel");
	assert_non_null(p);
	assert_string_equal(p->marker, "python_version >= \"3\"");
	assert_int_equal(p->wheels[0].size, 64000);
	assert_null(p->wheels[0].url);
	p = hwb_reqs__lock_find(back, "setuptools");
	assert_string_equal(p->requires_python, ">=3.7");
	assert_int_equal(p->wheel_count, 2);
	/* Wheels come back sorted by name. */
	assert_string_equal(p->wheels[0].name,
			    "setuptools-66.1.1-cp311-cp311-linux_x86_64.whl");
	assert_string_equal(p->dependencies[0], "wheel");
	assert_int_equal(back->requirement_count, 2);
	assert_string_equal(back->requirements[1], "wheel ; python_version >= \"3\"");
	assert_string_equal(back->created_by, "hwb");
	assert_int_equal(hwb_reqs_lock_render(back, &b, &err), 0);
	assert_string_equal(a.ptr, b.ptr);
	hwb_reqs_lock_free(l);
	hwb_reqs_lock_free(back);
	hwb_buf_release(&a);
	hwb_buf_release(&b);
}

static void test_lock_empty(void **state)
{
	struct hwb_reqs_lock *l = hwb_reqs_lock_new(), *back = NULL;
	struct hwb_buf a = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(hwb_reqs_lock_render(l, &a, &err), 0);
	assert_non_null(strstr(a.ptr, "packages = []"));
	assert_int_equal(hwb_reqs__lock_parse(a.ptr, a.len, "x", &back, &err), 0);
	assert_int_equal(back->pkg_count, 0);
	hwb_reqs_lock_free(l);
	hwb_reqs_lock_free(back);
	hwb_buf_release(&a);
}

static void expect_error(const char *text, const char *code)
{
	struct hwb_reqs_lock *l = NULL;
	struct hwb_error err = HWB_ERROR_INIT;

	assert_int_equal(hwb_reqs__lock_parse(text, strlen(text), "pylock.build.toml",
					       &l, &err), -1);
	assert_null(l);
	assert_string_equal(err.code, code);
	assert_string_equal(err.file, "pylock.build.toml");
}

static void test_lock_errors(void **state)
{
	(void)state;
	expect_error("lock-version = \"2.0\"\npackages = []\n", "HWB-B113");
	expect_error("packages = []\n", "HWB-B112");
	expect_error("lock-version = \"1.0\"\n", "HWB-B112");
	/* An sdist-only package. */
	expect_error("lock-version = \"1.0\"\n[[packages]]\nname = \"x\"\n"
		     "version = \"1\"\nsdist = {url = \"http://h/x-1.tar.gz\", "
		     "hashes = {sha256 = \"00\"}}\n", "HWB-B110");
	/* A wheel without sha256, or with a malformed one. */
	expect_error("lock-version = \"1.0\"\n[[packages]]\nname = \"x\"\n"
		     "version = \"1\"\n[[packages.wheels]]\nurl = \"http://h/x-1-py3-none-any.whl\"\n"
		     "hashes = {md5 = \"00\"}\n", "HWB-B111");
	expect_error("lock-version = \"1.0\"\n[[packages]]\nname = \"x\"\n"
		     "version = \"1\"\n[[packages.wheels]]\nurl = \"http://h/x-1-py3-none-any.whl\"\n"
		     "hashes = {sha256 = \"ABCDEF\"}\n", "HWB-B111");
	expect_error("lock-version = \"1.0\"\n[[packages]]\nname = 3\n", "HWB-B112");
	/* Not TOML at all: the parser's own code. */
	{
		struct hwb_reqs_lock *l = NULL;
		struct hwb_error err = HWB_ERROR_INIT;

		assert_int_equal(hwb_reqs__lock_parse("x = ", 4, "f", &l, &err), -1);
		assert_memory_equal(err.code, "HWB-T", 5);
	}
}

/* A wheel's name may be left out: it is the url's last component. */
static void test_lock_name_from_url(void **state)
{
	static const char text[] =
		"lock-version = \"1.0\"\ncreated-by = \"other-tool\"\n"
		"[[packages]]\nname = \"x\"\nversion = \"1\"\n"
		"[[packages.wheels]]\nurl = \"http://h/f/x-1-py3-none-any.whl\"\n"
		"hashes = {sha256 = \"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}\n";
	struct hwb_reqs_lock *l = NULL;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(hwb_reqs__lock_parse(text, strlen(text), "f", &l, &err), 0);
	assert_string_equal(l->pkgs[0].wheels[0].name, "x-1-py3-none-any.whl");
	assert_string_equal(l->created_by, "other-tool");
	hwb_reqs_lock_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings_round_trip),
		cmocka_unit_test(test_string_array),
		cmocka_unit_test(test_lock_round_trip),
		cmocka_unit_test(test_lock_empty),
		cmocka_unit_test(test_lock_errors),
		cmocka_unit_test(test_lock_name_from_url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
