/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/reqs's resolver over a wheelhouse of small wheels
 * made by the test (only their METADATA matters): highest versions,
 * markers, extras, backtracking, conflicts, missing candidates, wheel tag
 * compatibility, and the "is it in the lock" check of hwb build.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/reqs/internal.h"

static char dir[64];
static char cache[96];

/* A fake CPython 3.11 on x86_64 Linux with glibc 2.36. */
static struct hwb_reqs_interp interp = {
	.path = "/usr/bin/python3", .version = "3.11.2 (test)",
	.cache_tag = "cpython-311", .platform = "linux-x86_64",
	.python_version = "3.11", .python_full_version = "3.11.2",
	.implementation_name = "cpython", .implementation_version = "3.11.2",
	.os_name = "posix", .platform_machine = "x86_64",
	.platform_release = "6.1.0", .platform_system = "Linux",
	.platform_version = "#1 SMP", .platform_python_implementation = "CPython",
	.sys_platform = "linux", .soabi = "cpython-311-x86_64-linux-gnu",
	.glibc_major = 2, .glibc_minor = 36,
};

/* Write <dir>/<name>-<version>-<tags>.whl with METADATA lines. */
static void make_wheel(const char *name, const char *version, const char *tags,
		       const char *const *requires, const char *requires_python)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	char path[256], member[256], meta[2048];
	size_t i, n;

	n = (size_t)snprintf(meta, sizeof(meta),
			     "Metadata-Version: 2.1\nName: %s\nVersion: %s\n",
			     name, version);
	if (requires_python)
		n += (size_t)snprintf(meta + n, sizeof(meta) - n,
				      "Requires-Python: %s\n", requires_python);
	for (i = 0; requires && requires[i]; i++)
		n += (size_t)snprintf(meta + n, sizeof(meta) - n,
				      "Requires-Dist: %s\n", requires[i]);
	snprintf(path, sizeof(path), "%s/%s-%s-%s.whl", dir, name, version, tags);
	snprintf(member, sizeof(member), "%s-%s.dist-info/METADATA", name, version);
	archive_write_set_format_zip(a);
	assert_int_equal(archive_write_open_filename(a, path), ARCHIVE_OK);
	archive_entry_set_pathname(e, member);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)n);
	archive_write_header(a, e);
	archive_write_data(a, meta, n);
	archive_entry_free(e);
	archive_write_close(a);
	archive_write_free(a);
}

static int setup(void **state)
{
	static const char *const a1[] = { "bee>=1", NULL };
	static const char *const a2[] = { "bee<1", NULL };
	static const char *const top[] = {
		"bee", "cee ; python_version < '3.0'",
		"dee ; sys_platform == 'linux'",
		"eff ; extra == 'x'", NULL,
	};
	static const char *const loop[] = { "loopb", NULL };
	static const char *const loopb[] = { "loopa", NULL };

	(void)state;
	strcpy(dir, "/tmp/hwb-resolve-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	make_wheel("bee", "1.0", "py3-none-any", NULL, NULL);
	make_wheel("bee", "2.0", "py3-none-any", NULL, NULL);
	make_wheel("bee", "3.0", "py3-none-any", NULL, ">=3.12");
	make_wheel("bee", "4.0b1", "py3-none-any", NULL, NULL);
	make_wheel("aye", "1.0", "py3-none-any", a1, NULL);
	make_wheel("aye", "2.0", "py3-none-any", a2, NULL);
	make_wheel("top", "1.0", "py3-none-any", top, NULL);
	make_wheel("cee", "1.0", "py3-none-any", NULL, NULL);
	make_wheel("dee", "1.0", "py3-none-any", NULL, NULL);
	make_wheel("eff", "1.0", "py3-none-any", NULL, NULL);
	make_wheel("old", "1.0", "cp27-cp27mu-manylinux1_x86_64", NULL, NULL);
	make_wheel("native", "1.0", "cp311-cp311-manylinux_2_17_x86_64", NULL, NULL);
	make_wheel("native", "2.0", "cp311-cp311-manylinux_2_99_x86_64", NULL, NULL);
	make_wheel("native", "3.0", "cp312-cp312-linux_x86_64", NULL, NULL);
	make_wheel("loopa", "1.0", "py3-none-any", loop, NULL);
	make_wheel("loopb", "1.0", "py3-none-any", loopb, NULL);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static int resolve(struct hwb_reqs_lock **out, const char *const *reqs,
		   size_t n, struct hwb_error *err)
{
	const char *links[] = { dir };
	struct hwb_reqs_source src = { 0 };

	src.find_links = links;
	src.find_links_count = 1;
	src.cache_dir = cache;
	*out = hwb_reqs_lock_new();
	assert_non_null(*out);
	return hwb_reqs_lock_resolve(*out, reqs, n, &src, &interp, err);
}

static const char *version_of(const struct hwb_reqs_lock *l, const char *name)
{
	const struct hwb_reqs_lock_pkg *p = hwb_reqs__lock_find(l, name);

	return p ? p->version : NULL;
}

static void test_highest_version(void **state)
{
	const char *reqs[] = { "bee" };
	struct hwb_reqs_lock *l;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	/* 3.0 needs Python 3.12, 4.0b1 is a pre-release. */
	assert_int_equal(resolve(&l, reqs, 1, &err), 0);
	assert_int_equal(l->pkg_count, 1);
	assert_string_equal(version_of(l, "bee"), "2.0");
	assert_int_equal(l->pkgs[0].wheel_count, 1);
	assert_int_equal(strlen(l->pkgs[0].wheels[0].sha256), 64);
	assert_non_null(l->pkgs[0].wheels[0].path);
	assert_string_equal(l->requires_python, ">=3.11");
	hwb_reqs_lock_free(l);
}

static void test_backtracking(void **state)
{
	/* aye 2.0 needs bee<1, which no wheel offers: aye 1.0 it is. */
	const char *reqs[] = { "aye", "bee" };
	struct hwb_reqs_lock *l;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(resolve(&l, reqs, 2, &err), 0);
	assert_string_equal(version_of(l, "aye"), "1.0");
	assert_string_equal(version_of(l, "bee"), "2.0");
	assert_string_equal(hwb_reqs__lock_find(l, "aye")->dependencies[0], "bee");
	hwb_reqs_lock_free(l);
}

static void test_markers_and_extras(void **state)
{
	const char *plain[] = { "top" };
	const char *extra[] = { "top[x]" };
	struct hwb_reqs_lock *l;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(resolve(&l, plain, 1, &err), 0);
	assert_null(version_of(l, "cee"));  /* python_version < '3.0' */
	assert_null(version_of(l, "eff"));  /* extra not asked for */
	assert_string_equal(version_of(l, "dee"), "1.0");
	assert_string_equal(hwb_reqs__lock_find(l, "dee")->marker,
			    "sys_platform == 'linux'");
	assert_null(hwb_reqs__lock_find(l, "bee")->marker);
	hwb_reqs_lock_free(l);

	assert_int_equal(resolve(&l, extra, 1, &err), 0);
	assert_string_equal(version_of(l, "eff"), "1.0");
	assert_null(hwb_reqs__lock_find(l, "eff")->marker);
	hwb_reqs_lock_free(l);
}

static void test_top_level_marker(void **state)
{
	const char *reqs[] = { "bee ; os_name == 'posix'", "cee ; os_name == 'nt'" };
	struct hwb_reqs_lock *l;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(resolve(&l, reqs, 2, &err), 0);
	assert_int_equal(l->pkg_count, 1);
	assert_string_equal(hwb_reqs__lock_find(l, "bee")->marker,
			    "os_name == 'posix'");
	hwb_reqs_lock_free(l);
}

static void test_conflict(void **state)
{
	const char *reqs[] = { "bee>=2", "bee<2" };
	struct hwb_reqs_lock *l;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(resolve(&l, reqs, 2, &err), -1);
	assert_string_equal(err.code, "HWB-B143");
	assert_non_null(strstr(err.message, "'bee>=2'"));
	assert_non_null(strstr(err.message, "'bee<2'"));
	hwb_reqs_lock_free(l);
}

static void test_no_candidate(void **state)
{
	const char *missing[] = { "zzz-missing" };
	const char *old[] = { "old" };
	const char *none[] = { "bee>5" };
	struct hwb_reqs_lock *l;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(resolve(&l, missing, 1, &err), -1);
	assert_string_equal(err.code, "HWB-B142");
	assert_non_null(strstr(err.message, "zzz-missing"));
	hwb_reqs_lock_free(l);
	/* Only a Python 2 wheel. */
	assert_int_equal(resolve(&l, old, 1, &err), -1);
	assert_string_equal(err.code, "HWB-B142");
	hwb_reqs_lock_free(l);
	assert_int_equal(resolve(&l, none, 1, &err), -1);
	assert_string_equal(err.code, "HWB-B142");
	assert_non_null(strstr(err.message, "bee>5"));
	hwb_reqs_lock_free(l);
}

static void test_platform_wheels(void **state)
{
	/* 2.0 needs glibc 2.99, 3.0 is for CPython 3.12. */
	const char *reqs[] = { "native" };
	struct hwb_reqs_lock *l;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(resolve(&l, reqs, 1, &err), 0);
	assert_string_equal(version_of(l, "native"), "1.0");
	hwb_reqs_lock_free(l);
}

static void test_cycle(void **state)
{
	const char *reqs[] = { "loopa" };
	struct hwb_reqs_lock *l;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(resolve(&l, reqs, 1, &err), 0);
	assert_int_equal(l->pkg_count, 2);
	hwb_reqs_lock_free(l);
}

static void test_bad_and_url_requirements(void **state)
{
	const char *bad[] = { "bee >>= 1" };
	const char *url[] = { "bee @ https://example.org/bee-1.0-py3-none-any.whl" };
	struct hwb_reqs_lock *l;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(resolve(&l, bad, 1, &err), -1);
	assert_string_equal(err.code, "HWB-B140");
	hwb_reqs_lock_free(l);
	assert_int_equal(resolve(&l, url, 1, &err), -1);
	assert_string_equal(err.code, "HWB-B141");
	assert_non_null(strstr(err.hint, "allow-url-requirements"));
	hwb_reqs_lock_free(l);
}

static void test_check_requirements(void **state)
{
	const char *reqs[] = { "aye", "dee ; sys_platform == 'linux'" };
	const char *ok[] = { "bee>=1", "aye", "cee ; os_name == 'nt'" };
	const char *newer[] = { "bee>=3" };
	const char *absent[] = { "eff" };
	struct hwb_reqs_lock *l;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(resolve(&l, reqs, 2, &err), 0);
	assert_int_equal(hwb_reqs_lock_check_requirements(l, ok, 3, &interp, &err), 0);
	assert_int_equal(hwb_reqs_lock_check_requirements(l, newer, 1, &interp, &err), -1);
	assert_string_equal(err.code, "HWB-B145");
	assert_non_null(strstr(err.message, "2.0"));
	assert_int_equal(hwb_reqs_lock_check_requirements(l, absent, 1, &interp, &err), -1);
	assert_string_equal(err.code, "HWB-B145");
	hwb_reqs_lock_free(l);
}

static void test_add_requirements(void **state)
{
	const char *reqs[] = { "aye" };
	const char *more[] = { "dee", "aye" };
	const char *links[] = { dir };
	struct hwb_reqs_source src = { 0 };
	struct hwb_reqs_lock *l;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	src.find_links = links;
	src.find_links_count = 1;
	src.cache_dir = cache;
	assert_int_equal(resolve(&l, reqs, 1, &err), 0);
	assert_int_equal(hwb_reqs_lock_add_requirements(l, more, 2, &src,
							  &interp, &err), 0);
	assert_int_equal(l->requirement_count, 2);
	assert_string_equal(version_of(l, "dee"), "1.0");
	assert_string_equal(version_of(l, "aye"), "1.0");
	hwb_reqs_lock_free(l);
}

/* One lock for CPython 3.11 and 3.12: environments and merged markers. */
static void test_merge_interpreters(void **state)
{
	const char *reqs[] = { "bee", "dee ; python_version >= '3.12'" };
	struct hwb_reqs_interp i312 = interp, i310 = interp;
	const struct hwb_reqs_interp *ins[2] = { &interp, &i312 };
	struct hwb_reqs_lock *locks[2] = { NULL, NULL }, *m = NULL;
	const struct hwb_reqs_lock_pkg *p;
	const char *ok[] = { "bee>=2" };
	const char *need_dee[] = { "dee ; python_version >= '3.12'" };
	const char *dee_always[] = { "dee" };
	struct hwb_error err = HWB_ERROR_INIT;
	const char *links[] = { dir };
	struct hwb_reqs_source src = { 0 };
	size_t i;

	(void)state;
	i312.python_version = "3.12";
	i312.python_full_version = "3.12.1";
	i312.cache_tag = "cpython-312";
	i310.python_version = "3.10";
	i310.python_full_version = "3.10.13";
	src.find_links = links;
	src.find_links_count = 1;
	src.cache_dir = cache;
	for (i = 0; i < 2; i++) {
		locks[i] = hwb_reqs_lock_new();
		assert_int_equal(hwb_reqs_lock_resolve(locks[i], reqs, 2, &src,
							 ins[i], &err), 0);
	}
	/* bee 3.0 needs Python 3.12: each interpreter gets its own. */
	assert_string_equal(version_of(locks[0], "bee"), "2.0");
	assert_string_equal(version_of(locks[1], "bee"), "3.0");
	assert_int_equal(hwb_reqs_lock_merge(locks, ins, 2, &m, &err), 0);
	assert_int_equal(m->environment_count, 2);
	assert_non_null(strstr(m->environments[1], "python_version == \"3.12\""));
	assert_string_equal(m->requires_python, ">=3.11");
	assert_int_equal(m->pkg_count, 3); /* bee 2.0, bee 3.0, dee 1.0 */
	for (i = 0; i < m->pkg_count; i++) {
		p = &m->pkgs[i];
		assert_non_null(p->marker);
		if (!strcmp(p->name, "dee"))
			assert_non_null(strstr(p->marker, "python_version >= '3.12'"));
	}
	/* Each interpreter finds its own set; another is refused. */
	assert_int_equal(hwb_reqs__lock_covers(m, &interp, &err), 0);
	assert_int_equal(hwb_reqs__lock_covers(m, &i312, &err), 0);
	assert_int_equal(hwb_reqs__lock_covers(m, &i310, &err), -1);
	assert_string_equal(err.code, "HWB-B165");
	assert_int_equal(hwb_reqs_lock_check_requirements(m, ok, 1, &interp, &err), 0);
	assert_int_equal(hwb_reqs_lock_check_requirements(m, need_dee, 1, &interp, &err), 0);
	assert_int_equal(hwb_reqs_lock_check_requirements(m, need_dee, 1, &i312, &err), 0);
	assert_int_equal(hwb_reqs_lock_check_requirements(m, dee_always, 1, &interp, &err), -1);
	assert_string_equal(err.code, "HWB-B145");
	assert_non_null(strstr(err.message, "only when"));
	/* A second merge of the same input gives the same bytes. */
	{
		struct hwb_reqs_lock *again = NULL;
		struct hwb_buf a = HWB_BUF_INIT, b = HWB_BUF_INIT;

		assert_int_equal(hwb_reqs_lock_merge(locks, ins, 2, &again, &err), 0);
		assert_int_equal(hwb_reqs_lock_render(m, &a, &err), 0);
		assert_int_equal(hwb_reqs_lock_render(again, &b, &err), 0);
		assert_string_equal(a.ptr, b.ptr);
		hwb_buf_release(&a);
		hwb_buf_release(&b);
		hwb_reqs_lock_free(again);
	}
	hwb_reqs_lock_free(locks[0]);
	hwb_reqs_lock_free(locks[1]);
	hwb_reqs_lock_free(m);
}

static void test_wheel_tags(void **state)
{
	(void)state;
	assert_true(hwb_reqs_wheel_compatible("py3-none-any", &interp));
	assert_true(hwb_reqs_wheel_compatible("py2.py3-none-any", &interp));
	assert_true(hwb_reqs_wheel_compatible("cp37-abi3-manylinux2014_x86_64", &interp));
	assert_true(hwb_reqs_wheel_compatible("cp311-cp311-linux_x86_64", &interp));
	assert_false(hwb_reqs_wheel_compatible("cp310-cp310-linux_x86_64", &interp));
	assert_false(hwb_reqs_wheel_compatible("py3-none-win_amd64", &interp));
	assert_false(hwb_reqs_wheel_compatible("cp311-cp311-manylinux_2_17_aarch64", &interp));
	assert_false(hwb_reqs_wheel_compatible("py2-none-any", &interp));
	assert_false(hwb_reqs_wheel_compatible("cp312-abi3-linux_x86_64", &interp));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_highest_version),
		cmocka_unit_test(test_backtracking),
		cmocka_unit_test(test_markers_and_extras),
		cmocka_unit_test(test_top_level_marker),
		cmocka_unit_test(test_conflict),
		cmocka_unit_test(test_no_candidate),
		cmocka_unit_test(test_platform_wheels),
		cmocka_unit_test(test_cycle),
		cmocka_unit_test(test_bad_and_url_requirements),
		cmocka_unit_test(test_check_requirements),
		cmocka_unit_test(test_add_requirements),
		cmocka_unit_test(test_merge_interpreters),
		cmocka_unit_test(test_wheel_tags),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
