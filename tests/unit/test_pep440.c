/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/wheel/pep440.c: the examples of PEP 440 (normalisation,
 * ordering, specifiers) and pypa/packaging's behaviour on the same inputs.
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

/* Input and normal form; NULL: not a version. */
static const struct {
	const char *in, *norm;
} versions[] = {
	{ "1.0", "1.0" },
	{ "v1.0", "1.0" },
	{ "V2.0", "2.0" },
	{ "1.0a", "1.0a0" },
	{ "1.0alpha1", "1.0a1" },
	{ "1.0-a1", "1.0a1" },
	{ "1.0_a1", "1.0a1" },
	{ "1.0.a1", "1.0a1" },
	{ "1.0beta2", "1.0b2" },
	{ "1.0c1", "1.0rc1" },
	{ "1.0pre1", "1.0rc1" },
	{ "1.0preview1", "1.0rc1" },
	{ "1.0RC1", "1.0rc1" },
	{ "1.0-r1", "1.0.post1" },
	{ "1.0rev2", "1.0.post2" },
	{ "1.0r", "1.0.post0" },
	{ "1.0-1", "1.0.post1" },
	{ "1.0.post", "1.0.post0" },
	{ "1.0.POST1", "1.0.post1" },
	{ "1.0-post-2", "1.0.post2" },
	{ "1.0.post-", "1.0.post0" },
	{ "1.0-dev1", "1.0.dev1" },
	{ "1.0dev", "1.0.dev0" },
	{ "1.0dev-3", "1.0.dev3" },
	{ "1.0-dev-", "1.0.dev0" },
	{ "1.0-r-", "1.0.post0" },
	{ "1!1.0", "1!1.0" },
	{ "0!1.0", "1.0" },
	{ "1.0+Ubuntu-1", "1.0+ubuntu.1" },
	{ "1.0+abc_01", "1.0+abc.1" },
	{ "1.0+00", "1.0+0" },
	{ "1.0+abc.007x", "1.0+abc.007x" },
	{ " 1.0 \n", "1.0" },
	{ "01.02", "1.2" },
	{ "1.0a.1", "1.0a1" },
	{ "1.0a.", "1.0a0" },
	{ "1.0a1-1", "1.0a1.post1" },
	{ "1.0a1.post2.dev3", "1.0a1.post2.dev3" },
	{ "2023.11.22", "2023.11.22" },
	{ "18446744073709551615", "18446744073709551615" },
	{ "", NULL },
	{ "abc", NULL },
	{ "v", NULL },
	{ "1.0+", NULL },
	{ "1.0-", NULL },
	{ "1..0", NULL },
	{ "1.0.", NULL },
	{ "1.0+a..b", NULL },
	{ "1.0+a-", NULL },
	{ "1.0+_a", NULL },
	{ "1.0 a1", NULL },
	{ "1.0a1a2", NULL },
	{ "1.0a1b1", NULL },
	{ "1.0.dev1.dev2", NULL },
	{ "1.0.post1.post2", NULL },
	{ "+1.0", NULL },
	{ "1.0+local+more", NULL },
	{ "french toast", NULL },
	{ "1!", NULL },
	{ "!1.0", NULL },
	{ "1.0.dev1+", NULL },
	{ "1.0-+local", NULL },
	{ "18446744073709551616", NULL },
};

static void test_parse_and_normalize(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(versions); i++) {
		struct hwb_pep440_version v;
		struct hwb_error err = HWB_ERROR_INIT;
		struct hwb_buf b = HWB_BUF_INIT;
		int r = hwb_pep440_parse(versions[i].in,
					 strlen(versions[i].in), &v, &err);

		if (!versions[i].norm) {
			if (r != -1)
				fail_msg("'%s' should be refused", versions[i].in);
			assert_string_equal(err.code, "HWB-W040");
			continue;
		}
		if (r != 0)
			fail_msg("'%s' refused: %s", versions[i].in, err.message);
		assert_int_equal(hwb_pep440_normalize(&v, &b), 0);
		if (strcmp(b.ptr, versions[i].norm))
			fail_msg("'%s' gave '%s', want '%s'", versions[i].in,
				 b.ptr, versions[i].norm);
		hwb_buf_release(&b);
	}
}

static struct hwb_pep440_version V(const char *s)
{
	struct hwb_pep440_version v;

	if (hwb_pep440_parse(s, strlen(s), &v, NULL))
		fail_msg("bad test version %s", s);
	return v;
}

/* PEP 440's summary of the ordering, ascending, extended with locals. */
static const char *const ordered[] = {
	"1.0.dev456",  "1.0a1",      "1.0a2.dev456", "1.0a12.dev456",
	"1.0a12",      "1.0b1.dev456", "1.0b2",      "1.0b2.post345.dev456",
	"1.0b2.post345", "1.0rc1.dev456", "1.0rc1",  "1.0",
	"1.0+abc",     "1.0+abc.5",  "1.0+abc.7",    "1.0+5",
	"1.0.post456.dev34", "1.0.post456", "1.0.15", "1.1.dev1",
	"2.0",         "1!0.1",
};

static void test_ordering(void **state)
{
	size_t i, j;

	(void)state;
	for (i = 0; i < COUNT(ordered); i++) {
		for (j = 0; j < COUNT(ordered); j++) {
			struct hwb_pep440_version a = V(ordered[i]),
						  b = V(ordered[j]);
			int c = hwb_pep440_compare(&a, &b);
			int want = (i > j) - (i < j);

			if ((c > 0) - (c < 0) != want)
				fail_msg("%s vs %s: %d", ordered[i], ordered[j],
					 c);
		}
	}
}

static void test_equal_spellings(void **state)
{
	static const char *const pairs[][2] = {
		{ "1.0", "1.0.0" },     { "1.0", "1.0.0.0.0" },
		{ "1.0c1", "1.0rc1" },  { "1.0+A.1", "1.0+a-01" },
		{ "0!1.0", "1.0" },     { "1.0-1", "1.0.post1" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(pairs); i++) {
		struct hwb_pep440_version a = V(pairs[i][0]), b = V(pairs[i][1]);

		assert_int_equal(hwb_pep440_compare(&a, &b), 0);
	}
	{
		struct hwb_pep440_version a = V("1.0a1"), b = V("1.0.dev1");

		assert_true(hwb_pep440_is_prerelease(&a));
		assert_true(hwb_pep440_is_prerelease(&b));
		a = V("1.0.post1");
		assert_false(hwb_pep440_is_prerelease(&a));
	}
}

/* Specifier, version, expected (pre-releases allowed), from PEP 440 and
 * packaging's results on the same inputs. */
static const struct {
	const char *spec, *version;
	int want;
} contains[] = {
	{ "~=2.2", "2.2", 1 },          { "~=2.2", "2.3", 1 },
	{ "~=2.2", "2.9", 1 },          { "~=2.2", "3.0", 0 },
	{ "~=2.2", "2.1", 0 },          { "~=2.2", "2.2.post1", 1 },
	{ "~=1.4.5", "1.4.5", 1 },      { "~=1.4.5", "1.4.9", 1 },
	{ "~=1.4.5", "1.5.0", 0 },      { "~=1.4.5", "1.4", 0 },
	{ "~=2.2.post3", "2.2.post3", 1 }, { "~=2.2.post3", "2.3", 1 },
	{ "~=2.2.post3", "3.0", 0 },    { "~=2.2.post3", "2.2", 0 },
	{ "~=1.4.5a4", "1.4.5a4", 1 },  { "~=1.4.5a4", "1.4.5", 1 },
	{ "~=1.4.5a4", "1.5", 0 },      { "~=2.2.0", "2.2.1", 1 },
	{ "~=2.2.0", "2.3", 0 },        { "~=1!1.0", "1!1.5", 1 },
	{ "~=1!1.0", "1.5", 0 },        { "~=1!1.0", "1!2.0", 0 },
	{ "==1.1.post1", "1.1", 0 },    { "==1.1.post1", "1.1.post1", 1 },
	{ "==1.1.*", "1.1.post1", 1 },  { "==1.1.*", "1.1", 1 },
	{ "==1.1.*", "1.2", 0 },        { "==1.1.*", "1.1.0.0.1", 1 },
	{ "==1.1.*", "1.10", 0 },       { "==1.1.*", "1.1a1", 1 },
	{ "==1.1", "1.1.0", 1 },        { "==1.1", "1.1+local", 1 },
	{ "==1.1", "1.1.post1", 0 },    { "==1.1+local", "1.1", 0 },
	{ "==1.1+local", "1.1+LOCAL", 1 }, { "==1.1+local", "1.1+local.1", 0 },
	{ "!=1.1.*", "1.1.5", 0 },      { "!=1.1.*", "1.2", 1 },
	{ "!=1.1", "1.1.0", 0 },        { "!=1.1", "1.1.1", 1 },
	{ ">1.7", "1.7.1", 1 },         { ">1.7", "1.7.post2", 0 },
	{ ">1.7", "1.7.0+local", 0 },   { ">1.7", "1.8", 1 },
	{ ">1.7.post2", "1.7.1", 1 },   { ">1.7.post2", "1.7.post3", 1 },
	{ ">1.7.post2", "1.7.post2", 0 }, { "<1.7", "1.7.0rc1", 0 },
	{ "<1.7", "1.6.9", 1 },         { "<1.7", "1.7", 0 },
	{ "<1.7rc2", "1.7rc1", 1 },     { "<=2.0", "2.0+local", 1 },
	{ "<=2.0", "2.0.post1", 0 },    { ">=2.0", "2.0+local", 1 },
	{ ">=2.0", "1.9", 0 },          { "===1.0", "1.0", 1 },
	{ "===1.0", "1.0.0", 0 },       { "==0.*", "0.1", 1 },
	{ "==0.*", "1.0", 0 },          { "==2!1.*", "2!1.5", 1 },
	{ "==2!1.*", "1.5", 0 },        { "==1.0.0.*", "1.0", 1 },
	{ ">=1.0,<2.0,!=1.5", "1.5", 0 }, { ">=1.0,<2.0,!=1.5", "1.4", 1 },
	{ ">=1.0,<2.0,!=1.5", "2.0", 0 }, { ">=1.0,<2.0,!=1.5", "0.9", 0 },
	{ "", "1.0", 1 },               { " >= 1.0 ,, < 2 ", "1.5", 1 },
};

static void test_specifier_contains(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(contains); i++) {
		struct hwb_specifier_set set = HWB_SPECIFIER_SET_INIT;
		struct hwb_error err = HWB_ERROR_INIT;
		struct hwb_pep440_version v = V(contains[i].version);

		if (hwb_specifier_set_parse(contains[i].spec,
					    strlen(contains[i].spec), &set,
					    &err))
			fail_msg("'%s': %s", contains[i].spec, err.message);
		if (hwb_specifier_set_contains(&set, &v, 1) != contains[i].want)
			fail_msg("'%s' contains '%s' should be %d",
				 contains[i].spec, contains[i].version,
				 contains[i].want);
		hwb_specifier_set_release(&set);
	}
}

/* PEP 440: pre-releases are excluded unless a clause names one. */
static void test_prerelease_default(void **state)
{
	static const struct {
		const char *spec, *version;
		int by_default;
	} cases[] = {
		{ ">=1.0", "2.0a1", 0 },       { ">=1.0a1", "2.0a1", 1 },
		{ "", "1.0a1", 0 },            { "<2.0", "1.0.dev1", 0 },
		{ "==1.0a1", "1.0a1", 1 },     { ">=1.0,<3.0a1", "2.0b1", 0 },
		{ "===1.0a1", "1.0a1", 1 },    { "<1.7rc2", "1.7rc1", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(cases); i++) {
		struct hwb_specifier_set set = HWB_SPECIFIER_SET_INIT;
		struct hwb_pep440_version v = V(cases[i].version);

		assert_int_equal(hwb_specifier_set_parse(cases[i].spec,
							 strlen(cases[i].spec),
							 &set, NULL), 0);
		if (hwb_specifier_set_contains(&set, &v, 0) !=
		    cases[i].by_default)
			fail_msg("'%s' / '%s'", cases[i].spec, cases[i].version);
		assert_int_equal(hwb_specifier_set_contains(&set, &v, 1), 1);
		hwb_specifier_set_release(&set);
	}
}

static void test_specifier_syntax(void **state)
{
	static const char *const bad[] = {
		"~=1",     "~=1.0+local", ">=1.0.*", "==1.0a1.*", "1.0",
		"=1.0",    ">= ",         "<=1.0+l", "==1.*.0",   "=== foo bar",
		"==1.0.*+x", "<1.0.post1.*", ">=1.0;", "==",
	};
	static const struct {
		const char *text;
		size_t count;
	} good[] = {
		{ "===", 1 },       { ",,>=1", 1 },   { "~= 1.0", 1 },
		{ ">=1.0 ,  <2", 2 }, { "!=1.0+abc", 1 }, { ">v1.0", 1 },
		{ "", 0 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < COUNT(bad); i++) {
		struct hwb_specifier_set set = HWB_SPECIFIER_SET_INIT;
		struct hwb_error err = HWB_ERROR_INIT;

		if (hwb_specifier_set_parse(bad[i], strlen(bad[i]), &set, &err) !=
		    -1)
			fail_msg("'%s' should be refused", bad[i]);
		assert_string_equal(err.code, "HWB-W041");
		assert_null(set.items);
	}
	for (i = 0; i < COUNT(good); i++) {
		struct hwb_specifier_set set = HWB_SPECIFIER_SET_INIT;

		assert_int_equal(hwb_specifier_set_parse(good[i].text,
							 strlen(good[i].text),
							 &set, NULL), 0);
		assert_int_equal(set.count, good[i].count);
		hwb_specifier_set_release(&set);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_normalize),
		cmocka_unit_test(test_ordering),
		cmocka_unit_test(test_equal_spellings),
		cmocka_unit_test(test_specifier_contains),
		cmocka_unit_test(test_prerelease_default),
		cmocka_unit_test(test_specifier_syntax),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
