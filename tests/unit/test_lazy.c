/* SPDX-License-Identifier: Apache-2.0 */
/*
 * test_lazy.c: the sonames the lazy loader tries (pkg/core/lazy*.c) cover
 * Debian 12, Ubuntu 22.04 and Ubuntu 24.04 (from the distributions' package
 * file lists: libgit2.so.1.5 in libgit2-1.5, libgit2.so.1.1 in libgit2-1.1,
 * libgit2.so.1.7 in libgit2-1.7; libcurl.so.4 in libcurl4 and Ubuntu
 * 24.04's libcurl4t64; libarchive.so.13 in libarchive13 and
 * libarchive13t64), and each library loads here under one of them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <git2/version.h>

#include "pkg/core/lazy.h"

/* The candidate of lib for distro, or NULL. */
static const struct hwb_lazy_candidate *for_distro(enum hwb_lazy_lib lib,
						   const char *distro)
{
	const struct hwb_lazy_candidate *c = hwb_lazy_candidates(lib);

	for (; c->soname; c++)
		if (!strcmp(c->distro, distro))
			return c;
	return NULL;
}

static void expect(enum hwb_lazy_lib lib, const char *distro,
		   const char *soname, const char *package)
{
	const struct hwb_lazy_candidate *c = for_distro(lib, distro);

	assert_non_null(c);
	assert_string_equal(c->soname, soname);
	assert_string_equal(c->package, package);
}

static void test_every_distribution_is_listed(void **state)
{
	(void)state;
	expect(HWB_LAZY_GIT2, "Debian 12", "libgit2.so.1.5", "libgit2-1.5");
	expect(HWB_LAZY_GIT2, "Ubuntu 22.04", "libgit2.so.1.1", "libgit2-1.1");
	expect(HWB_LAZY_GIT2, "Ubuntu 24.04", "libgit2.so.1.7", "libgit2-1.7");
	expect(HWB_LAZY_CURL, "Debian 12", "libcurl.so.4", "libcurl4");
	expect(HWB_LAZY_CURL, "Ubuntu 22.04", "libcurl.so.4", "libcurl4");
	expect(HWB_LAZY_CURL, "Ubuntu 24.04", "libcurl.so.4", "libcurl4t64");
	expect(HWB_LAZY_ARCHIVE, "Debian 12", "libarchive.so.13", "libarchive13");
	expect(HWB_LAZY_ARCHIVE, "Ubuntu 22.04", "libarchive.so.13",
	       "libarchive13");
	expect(HWB_LAZY_ARCHIVE, "Ubuntu 24.04", "libarchive.so.13",
	       "libarchive13t64");
}

static void test_git2_tries_its_headers_version_first(void **state)
{
	const struct hwb_lazy_candidate *c = hwb_lazy_candidates(HWB_LAZY_GIT2);
	char want[32];

	(void)state;
	snprintf(want, sizeof(want), "libgit2.so.%d.%d", LIBGIT2_VER_MAJOR,
		 LIBGIT2_VER_MINOR);
	assert_string_equal(c[0].soname, want);
	/* the headers' soname is the one the distribution's -dev ships */
	assert_string_equal(c[0].soname, "libgit2.so." LIBGIT2_SOVERSION);
}

static void test_each_loads_here(void **state)
{
	static const enum hwb_lazy_lib libs[] = { HWB_LAZY_CURL, HWB_LAZY_GIT2,
						  HWB_LAZY_ARCHIVE };
	struct hwb_error err = HWB_ERROR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(libs) / sizeof(*libs); i++) {
		const struct hwb_lazy_candidate *c = hwb_lazy_candidates(libs[i]);
		const char *loaded;
		int listed = 0;

		assert_null(hwb_lazy_soname(libs[i]));
		assert_int_equal(hwb_lazy_require(libs[i], &err), 0);
		loaded = hwb_lazy_soname(libs[i]);
		assert_non_null(loaded);
		for (; c->soname; c++)
			listed |= !strcmp(c->soname, loaded);
		assert_true(listed);
	}
	assert_string_equal(hwb_lazy_soname(HWB_LAZY_GIT2),
			    hwb_lazy_candidates(HWB_LAZY_GIT2)[0].soname);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_distribution_is_listed),
		cmocka_unit_test(test_git2_tries_its_headers_version_first),
		cmocka_unit_test(test_each_loads_here),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
