/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for pkg/core/fileio.c: atomic output, careful reads, mkdir -p. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/unit/rmtree.h"
#include "pkg/core/fileio.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hwb-fileio-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return rmtree(dir);
}

static char *in_dir(const char *name)
{
	static char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return path;
}

/* Number of entries in the test directory whose name starts with '.'. */
static int hidden_entries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] == '.' && strcmp(e->d_name, ".") &&
		    strcmp(e->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

static void read_back(const char *path, const char *expect)
{
	struct hwb_buf b = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	assert_int_equal(hwb_file_read_all(path, 1024, &b, &err), 0);
	assert_string_equal(b.ptr, expect);
	hwb_buf_release(&b);
}

static void test_write_atomic_creates_and_replaces(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	const char *path = in_dir("out.txt");
	struct stat st;

	(void)state;
	assert_int_equal(hwb_file_write_atomic(path, "first", 5, 0640, &err), 0);
	read_back(path, "first");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0640);
	assert_int_equal(hwb_file_write_atomic(path, "second", 6, 0600, &err), 0);
	read_back(path, "second");
	assert_int_equal(hidden_entries(), 0);
}

/* The cache variant: the same replacement without the fsyncs. */
static void test_replace_cached(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	const char *path = in_dir("cached.json");
	char inner[300];
	struct stat st;

	(void)state;
	assert_int_equal(hwb_file_replace_cached(path, "one", 3, 0600, &err), 0);
	read_back(path, "one");
	assert_int_equal(hwb_file_replace_cached(path, "two!", 4, 0600, &err), 0);
	read_back(path, "two!");
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(hidden_entries(), 0);
	/* a failed rename leaves neither a temporary file nor a change */
	assert_int_equal(mkdir(in_dir("dirtarget"), 0700), 0);
	snprintf(inner, sizeof(inner), "%s/keep", in_dir("dirtarget"));
	assert_int_equal(hwb_file_replace_cached(inner, "x", 1, 0600, &err), 0);
	assert_int_equal(hwb_file_replace_cached(in_dir("dirtarget"), "y", 1,
						 0600, &err), -1);
	assert_string_equal(err.code, "HWB-F003");
	assert_int_equal(hidden_entries(), 0);
	read_back(inner, "x");
}

static void test_rename_failure_leaves_no_temp(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	char inner[300];

	(void)state;
	/* A non-empty directory as the target: rename(2) must fail. */
	assert_int_equal(mkdir(in_dir("target"), 0700), 0);
	snprintf(inner, sizeof(inner), "%s/keep", in_dir("target"));
	assert_int_equal(hwb_file_write_atomic(inner, "x", 1, 0600, &err), 0);
	assert_int_equal(hwb_file_write_atomic(in_dir("target"), "data", 4,
					       0600, &err), -1);
	assert_string_equal(err.code, "HWB-F003");
	assert_int_equal(err.kind, HWB_KIND_CONFIG);
	assert_string_equal(err.file, in_dir("target"));
	assert_int_equal(hidden_entries(), 0);
}

static void test_missing_directory(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	char path[300];

	(void)state;
	snprintf(path, sizeof(path), "%s/no/such/file", dir);
	assert_int_equal(hwb_file_write_atomic(path, "x", 1, 0600, &err), -1);
	assert_string_equal(err.code, "HWB-F001");
	assert_int_equal(hwb_file_write_atomic(in_dir(""), "x", 1, 0600, &err),
			 -1);
	assert_string_equal(err.code, "HWB-F004");
}

static void test_abort_leaves_target_untouched(void **state)
{
	struct hwb_atomic_file f = HWB_ATOMIC_FILE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	const char *path = in_dir("kept.txt");

	(void)state;
	assert_int_equal(hwb_file_write_atomic(path, "old", 3, 0644, &err), 0);
	assert_int_equal(hwb_atomic_open(&f, path, 0644, &err), 0);
	assert_true(hwb_atomic_fd(&f) >= 0);
	assert_int_equal(hwb_atomic_write(&f, "partial", 7, &err), 0);
	/* unnamed while written where the file system has O_TMPFILE */
	assert_int_equal(hidden_entries(), f.unnamed ? 0 : 1);
	hwb_atomic_abort(&f);
	hwb_atomic_abort(&f); /* idempotent */
	assert_int_equal(hidden_entries(), 0);
	read_back(path, "old");
}

static void test_write_failure_leaves_no_temp(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct rlimit old, small;
	char data[4096];
	void (*prev)(int);
	int rc;

	(void)state;
	memset(data, 'a', sizeof(data));
	/* RLIMIT_FSIZE makes write(2) fail with EFBIG part way through. */
	prev = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = old;
	small.rlim_cur = 100;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	rc = hwb_file_write_atomic(in_dir("big"), data, sizeof(data), 0600, &err);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, prev);
	assert_int_equal(rc, -1);
	assert_string_equal(err.code, "HWB-F002");
	assert_non_null(strstr(err.message, strerror(EFBIG)));
	assert_int_equal(hidden_entries(), 0);
	assert_int_equal(access(in_dir("big"), F_OK), -1);
}

static void test_read_all_refusals(void **state)
{
	struct hwb_buf b = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char link[300], fifo[300];

	(void)state;
	assert_int_equal(hwb_file_write_atomic(in_dir("f"), "0123456789", 10,
					       0600, &err), 0);
	assert_int_equal(hwb_file_read_all(in_dir("f"), 10, &b, &err), 0);
	assert_int_equal(b.len, 10);
	assert_int_equal(hwb_file_read_all(in_dir("f"), 9, &b, &err), -1);
	assert_string_equal(err.code, "HWB-F008");
	assert_int_equal(b.len, 0);
	assert_string_equal(err.file, in_dir("f"));

	snprintf(link, sizeof(link), "%s", in_dir("link"));
	assert_int_equal(symlink(in_dir("f"), link), 0);
	assert_int_equal(hwb_file_read_all(link, 100, &b, &err), -1);
	assert_string_equal(err.code, "HWB-F006");

	assert_int_equal(hwb_file_read_all(dir, 100, &b, &err), -1);
	assert_string_equal(err.code, "HWB-F007");

	snprintf(fifo, sizeof(fifo), "%s", in_dir("fifo"));
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_int_equal(hwb_file_read_all(fifo, 100, &b, &err), -1);
	assert_string_equal(err.code, "HWB-F007");

	errno = 0;
	assert_int_equal(hwb_file_read_all(in_dir("absent"), 100, &b, &err), -1);
	assert_string_equal(err.code, "HWB-F005");
	assert_int_equal(errno, ENOENT);
	hwb_buf_release(&b);
}

static void test_mkdir_p(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	char path[300];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/a/b//c/", dir);
	assert_int_equal(hwb_mkdir_p(path, 0700, &err), 0);
	assert_int_equal(hwb_mkdir_p(path, 0700, &err), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 077, 0);
	assert_int_equal(hwb_file_write_atomic(in_dir("plain"), "", 0, 0600,
					       &err), 0);
	snprintf(path, sizeof(path), "%s/plain/sub", dir);
	assert_int_equal(hwb_mkdir_p(path, 0700, &err), -1);
	assert_string_equal(err.code, "HWB-F010");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_atomic_creates_and_replaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replace_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename_failure_leaves_no_temp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort_leaves_target_untouched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_leaves_no_temp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_all_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_p, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
