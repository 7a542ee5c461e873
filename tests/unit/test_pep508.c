/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/wheel/pep508.c: the examples of PEP 508 (the
 * dependency specifiers specification), pypa/packaging's results on the
 * same and on invalid inputs, marker evaluation, PEP 503 names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/wheel/wheel.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Requirement, name, extras joined by ',', clause count, URL, has marker. */
static const struct {
	const char *in, *name, *extras;
	size_t specs;
	const char *url;
	int marker;
} good[] = {
	{ "A", "A", "", 0, NULL, 0 },
	{ "A.B-C_D", "A.B-C_D", "", 0, NULL, 0 },
	{ "aa", "aa", "", 0, NULL, 0 },
	{ "name<=1", "name", "", 1, NULL, 0 },
	{ "name>=3", "name", "", 1, NULL, 0 },
	{ "name>=3,", "name", "", 1, NULL, 0 },
	{ "name>=1,<2,", "name", "", 2, NULL, 0 },
	{ "name@http://foo.com", "name", "", 0, "http://foo.com", 0 },
	{ "name [fred,bar] @ http://foo.com ; python_version=='2.7'", "name",
	  "fred,bar", 0, "http://foo.com", 1 },
	{ "name[quux, strange];python_version<'2.7' and "
	  "platform_version=='2'", "name", "quux,strange", 0, NULL, 1 },
	{ "name; os_name=='a' or os_name=='b'", "name", "", 0, NULL, 1 },
	{ "name; os_name=='a' and os_name=='b' or os_name=='c'", "name", "", 0,
	  NULL, 1 },
	{ "name; os_name=='a' and (os_name=='b' or os_name=='c')", "name", "",
	  0, NULL, 1 },
	{ "name (>=1.0, <2)", "name", "", 2, NULL, 0 },
	{ "name ()", "name", "", 0, NULL, 0 },
	{ "name[]", "name", "", 0, NULL, 0 },
	{ " name", "name", "", 0, NULL, 0 },
	{ "name @ http://x;python_version<'3'", "name", "", 0,
	  "http://x;python_version<'3'", 0 },
	{ "name @ http://x ;os_name=='a'", "name", "", 0, "http://x", 1 },
	{ "name >= 1.0 ; extra == 'Test_X'", "name", "", 1, NULL, 1 },
	{ "name===foo", "name", "", 1, NULL, 0 },
	{ "name; python_version in '3.8 3.9'", "name", "", 0, NULL, 1 },
	{ "name; os_name not in 'abc'", "name", "", 0, NULL, 1 },
	{ "name; os.name=='posix'", "name", "", 0, NULL, 1 },
	{ "name (==1.0.*)", "name", "", 1, NULL, 0 },
	{ "name; 'a' in extras", "name", "", 0, NULL, 1 },
	{ "name >=1.0; python_version >= \"3\" and platform_machine != "
	  "'x86_64'", "name", "", 1, NULL, 1 },
	{ "pip @ file:///localbuilds/pip-1.3.1.zip", "pip", "", 0,
	  "file:///localbuilds/pip-1.3.1.zip", 0 },
	{ "requests [security,tests] >= 2.8.1, == 2.8.* ; "
	  "python_version < \"2.7\"", "requests", "security,tests", 2, NULL,
	  1 },
	{ "foo ; ((os_name=='a'))", "foo", "", 0, NULL, 1 },
};

static void join_extras(const struct hwb_requirement *r, char *out, size_t n)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < r->extra_count; i++) {
		if (i)
			strncat(out, ",", n - strlen(out) - 1);
		strncat(out, r->extras[i], n - strlen(out) - 1);
	}
}

static void test_valid_requirements(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(good); i++) {
		struct hwb_requirement *r = NULL;
		struct hwb_error err = HWB_ERROR_INIT;
		char extras[128];

		if (hwb_pep508_parse(good[i].in, strlen(good[i].in), &r, &err))
			fail_msg("'%s' refused: %s", good[i].in, err.message);
		assert_string_equal(r->name, good[i].name);
		join_extras(r, extras, sizeof(extras));
		assert_string_equal(extras, good[i].extras);
		if (r->specifiers.count != good[i].specs)
			fail_msg("'%s': %zu clauses", good[i].in,
				 r->specifiers.count);
		if (good[i].url)
			assert_string_equal(r->url, good[i].url);
		else
			assert_null(r->url);
		assert_int_equal(r->marker != NULL, good[i].marker);
		hwb_pep508_free(r);
	}
}

/* Invalid, with the code of the part that is wrong. */
static const struct {
	const char *in, *code;
} bad[] = {
	{ "name>=1.0,,<2", "HWB-W042" },
	{ "name[", "HWB-W042" },
	{ "name[bar baz]", "HWB-W042" },
	{ "name[a,]", "HWB-W042" },
	{ "name @ notaurl", "HWB-W042" },
	{ "name @ http://x; os_name=='a'", "HWB-W042" },
	{ "name;", "HWB-W043" },
	{ "name; foo == 'bar'", "HWB-W043" },
	{ "name==1.0 extra", "HWB-W041" },
	{ "-name", "HWB-W042" },
	{ "name-", "HWB-W042" },
	{ "name (>=1.0", "HWB-W042" },
	{ "name;python_version<'3' and", "HWB-W043" },
	{ "name; os_name=='a' and", "HWB-W043" },
	{ "name; (os_name=='a'", "HWB-W043" },
	{ "name; os_name notin 'a'", "HWB-W043" },
	{ "name; os_name == 'a", "HWB-W043" },
	{ "name; os_name == 'a' os_name == 'b'", "HWB-W043" },
	{ "name >= 1.0.*", "HWB-W041" },
	{ "name ~= 1", "HWB-W041" },
	{ "", "HWB-W042" },
	{ "name\nother", "HWB-W042" },
	{ "name; ((((((((((((((((((((((((((((((((((os_name=='a'"
	  "))))))))))))))))))))))))))))))))))", "HWB-W043" },
};

static void test_invalid_requirements(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(bad); i++) {
		struct hwb_requirement *r = NULL;
		struct hwb_error err = HWB_ERROR_INIT;

		if (hwb_pep508_parse(bad[i].in, strlen(bad[i].in), &r, &err) !=
		    -1)
			fail_msg("'%s' should be refused", bad[i].in);
		assert_null(r);
		if (strcmp(err.code, bad[i].code))
			fail_msg("'%s': %s, want %s (%s)", bad[i].in, err.code,
				 bad[i].code, err.message);
	}
}

static const char *const extras_set[] = { "CUDA_12", "docs" };
static const char *const groups_set[] = { "dev" };

static const struct hwb_marker_env env = {
	.implementation_name = "cpython",
	.implementation_version = "3.11.4",
	.os_name = "posix",
	.platform_machine = "x86_64",
	.platform_release = "5.10.0-28-amd64",
	.platform_system = "Linux",
	.platform_version = "#1 SMP Debian 5.10.209-2 (2024-01-31)",
	.python_full_version = "3.11.4",
	.platform_python_implementation = "CPython",
	.python_version = "3.11",
	.sys_platform = "linux",
	.extra = "Test_Extra",
	.extras = extras_set,
	.extras_count = 2,
	.dependency_groups = groups_set,
	.dependency_groups_count = 1,
};

/* Marker, expected value in env above; -1: undefined (HWB-W043). */
static const struct {
	const char *marker;
	int want;
} evals[] = {
	{ "python_version >= '3.8'", 1 },
	{ "python_version > '3.9'", 1 },      /* as versions, not strings */
	{ "python_version < '3.10'", 0 },
	{ "python_version == '3.11.*'", 1 },
	{ "python_version ~= '3.10'", 1 },
	{ "'3.12' > python_version", 1 },      /* variable on the right */
	{ "python_full_version == '3.11.4'", 1 },
	{ "python_full_version < '3.11.4rc1'", 0 },
	{ "implementation_version >= '3'", 1 },
	{ "os_name == 'posix'", 1 },
	{ "os_name != 'nt'", 1 },
	{ "sys_platform != 'win32'", 1 },
	{ "'lin' in sys_platform", 1 },
	{ "'win' not in sys_platform", 1 },
	{ "platform_machine in 'x86_64 aarch64'", 1 },
	{ "extra == 'test-extra'", 1 },        /* PEP 685 normalisation */
	{ "extra == 'Test.Extra'", 1 },
	{ "extra == 'other'", 0 },
	{ "platform_release >= '5.0'", 0 },    /* not a version: no match */
	{ "platform_release == '5.10.0-28-amd64'", 1 },
	{ "os_name < 'z'", 0 },                /* strings: never ordered */
	{ "os_name <= 'posix'", 1 },
	{ "os_name >= 'posix'", 1 },
	{ "os_name ~= '1.0'", -1 },
	{ "os_name === 'posix'", -1 },
	{ "'a' == 'a'", -1 },
	{ "'cuda-12' in extras", 1 },
	{ "'tests' in extras", 0 },
	{ "'dev' in dependency_groups", 1 },
	{ "'dev' not in dependency_groups", 0 },
	{ "extras == 'docs'", -1 },
	{ "implementation_name == 'cpython' and (python_version < '3' or "
	  "os_name == 'posix')", 1 },
	{ "os_name == 'nt' or python_version >= '3' and "
	  "platform_system == 'Linux'", 1 },
	{ "(os_name == 'nt' or python_version >= '3') and "
	  "platform_system == 'Darwin'", 0 },
	{ "os_name == 'nt' and os_name ~= '1'", 0 }, /* short-circuit */
	{ "platform_python_implementation == 'CPython'", 1 },
	{ "python_implementation == 'CPython'", 1 },
	{ "platform.machine == 'x86_64'", 1 },
	{ "platform_version in '#1 SMP Debian 5.10.209-2 (2024-01-31)'", 1 },
};

static void test_marker_evaluation(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(evals); i++) {
		struct hwb_marker *m = NULL;
		struct hwb_error err = HWB_ERROR_INIT;
		int r;

		if (hwb_marker_parse(evals[i].marker, strlen(evals[i].marker),
				     &m, &err))
			fail_msg("'%s': %s", evals[i].marker, err.message);
		r = hwb_marker_evaluate(m, &env, &err);
		if (r != evals[i].want)
			fail_msg("'%s' gave %d, want %d", evals[i].marker, r,
				 evals[i].want);
		if (r < 0)
			assert_string_equal(err.code, "HWB-W043");
		hwb_marker_free(m);
	}
}

static void test_empty_environment(void **state)
{
	struct hwb_marker_env none = { 0 };
	struct hwb_marker *m = NULL;

	(void)state;
	/* Unset values are "", a metadata context with no extra. */
	assert_int_equal(hwb_marker_parse("extra == ''", 11, &m, NULL), 0);
	assert_int_equal(hwb_marker_evaluate(m, &none, NULL), 1);
	hwb_marker_free(m);
	assert_int_equal(hwb_marker_parse("'x' in extras", 13, &m, NULL), 0);
	assert_int_equal(hwb_marker_evaluate(m, &none, NULL), 0);
	hwb_marker_free(m);
}

static void test_names(void **state)
{
	static const struct {
		const char *in, *norm;
		int valid;
	} names[] = {
		{ "Django", "django", 1 },
		{ "friendly-bard", "friendly-bard", 1 },
		{ "Friendly-Bard", "friendly-bard", 1 },
		{ "FRIENDLY-BARD", "friendly-bard", 1 },
		{ "friendly.bard", "friendly-bard", 1 },
		{ "friendly_bard", "friendly-bard", 1 },
		{ "friendly--bard", "friendly-bard", 1 },
		{ "FrIeNdLy-._.-bArD", "friendly-bard", 1 },
		{ "a", "a", 1 },
		{ "_bad", "-bad", 0 },
		{ "bad.", "bad-", 0 },
		{ "sp ace", "sp ace", 0 },
		{ "", "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(names); i++) {
		struct hwb_buf b = HWB_BUF_INIT;
		size_t len = strlen(names[i].in);

		assert_int_equal(hwb_normalize_name(names[i].in, len, &b), 0);
		assert_string_equal(b.ptr, names[i].norm);
		assert_int_equal(hwb_name_is_valid(names[i].in, len),
				 names[i].valid);
		hwb_buf_release(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_requirements),
		cmocka_unit_test(test_invalid_requirements),
		cmocka_unit_test(test_marker_evaluation),
		cmocka_unit_test(test_empty_environment),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
