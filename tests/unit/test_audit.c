/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for pkg/core/audit.c: record format, redaction, appending. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/unit/rmtree.h"
#include "pkg/core/audit.h"
#include "pkg/core/fileio.h"
#include "pkg/core/log.h"

#define PYPI_TOKEN "pypi-AgEIcHlwaS5vcmcCJGE0ZjBlNzQ3LWJmYzUtNDk1Ni1hYjQ4"

static char dir[64];
static char logdir[128];

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/hwb-audit-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	snprintf(logdir, sizeof(logdir), "%s/home/.hwb/logs", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	hwb_redact_reset();
	return rmtree(dir);
}

static void read_log(const struct hwb_audit *a, struct hwb_buf *out)
{
	struct hwb_error err = HWB_ERROR_INIT;
	char *path = hwb_audit_path(a);

	assert_non_null(path);
	assert_int_equal(hwb_file_read_all(path, 1 << 24, out, &err), 0);
	free(path);
}

static void test_record_format(void **state)
{
	struct hwb_audit a = HWB_AUDIT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf text = HWB_BUF_INIT;
	const struct hwb_audit_field fields[] = {
		HWB_AUDIT_STR("file", "dist/demo-1.0-py3-none-any.whl"),
		HWB_AUDIT_NUM("errors", 0),
		HWB_AUDIT_FLAG("strict", 1),
		HWB_AUDIT_STR("note", NULL),
	};
	const char *key, *ts;
	json_error_t jerr;
	json_t *rec, *v;
	struct stat st;
	char *path;
	size_t i = 0;
	static const char *const order[] = { "timestamp", "event", "file",
					     "errors", "strict", "note" };

	(void)state;
	assert_int_equal(hwb_audit_init(&a, logdir, 1, &err), 0);
	assert_int_equal(hwb_audit_event(&a, "wheel.checked", fields, 4, &err), 0);
	read_log(&a, &text);
	assert_int_equal(text.ptr[text.len - 1], '\n');
	assert_null(memchr(text.ptr, '\n', text.len - 1));
	rec = json_loads(text.ptr, JSON_PRESERVE_ORDER, &jerr);
	assert_non_null(rec);
	json_object_foreach(rec, key, v)
		assert_string_equal(key, order[i++]);
	assert_int_equal(i, 6);
	ts = json_string_value(json_object_get(rec, "timestamp"));
	/* 2025-01-02T03:04:05.678Z */
	assert_int_equal(strlen(ts), 24);
	assert_int_equal(ts[10], 'T');
	assert_int_equal(ts[19], '.');
	assert_int_equal(ts[23], 'Z');
	assert_string_equal(json_string_value(json_object_get(rec, "event")),
			    "wheel.checked");
	assert_int_equal(json_integer_value(json_object_get(rec, "errors")), 0);
	assert_true(json_is_true(json_object_get(rec, "strict")));
	assert_true(json_is_null(json_object_get(rec, "note")));
	/* The file name carries the UTC date of the record. */
	path = hwb_audit_path(&a);
	assert_non_null(strstr(path, "/audit-"));
	assert_memory_equal(strstr(path, "/audit-") + 7, ts, 10);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(stat(logdir, &st), 0);
	assert_int_equal(st.st_mode & 077, 0);
	free(path);
	json_decref(rec);
	hwb_buf_release(&text);
	hwb_audit_release(&a);
}

static void test_secrets_are_redacted(void **state)
{
	struct hwb_audit a = HWB_AUDIT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf text = HWB_BUF_INIT;
	const struct hwb_audit_field fields[] = {
		HWB_AUDIT_STR("repository", "https://upload.pypi.org/legacy/"),
		HWB_AUDIT_STR("token", PYPI_TOKEN),
		HWB_AUDIT_STR("command", "hwb publish --note my-registered-value\nx"),
	};

	(void)state;
	assert_int_equal(hwb_redact_register("my-registered-value"), 0);
	assert_int_equal(hwb_audit_init(&a, logdir, 1, &err), 0);
	assert_int_equal(hwb_audit_event(&a, "publish.completed", fields, 3,
					 &err), 0);
	read_log(&a, &text);
	assert_null(strstr(text.ptr, "pypi-Ag"));
	assert_null(strstr(text.ptr, "my-registered-value"));
	assert_non_null(strstr(text.ptr, "\"token\":\"[REDACTED]\""));
	assert_non_null(strstr(text.ptr, "--note [REDACTED]\\nx"));
	hwb_buf_release(&text);
	hwb_audit_release(&a);
}

static void test_disabled_writes_nothing(void **state)
{
	struct hwb_audit a = HWB_AUDIT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(hwb_audit_init(&a, logdir, 0, &err), 0);
	assert_int_equal(hwb_audit_event(&a, "build.started", NULL, 0, &err), 0);
	assert_int_equal(access(logdir, F_OK), -1);
	hwb_audit_release(&a);
	assert_int_equal(hwb_audit_init(&a, "", 1, &err), -1);
	assert_string_equal(err.code, "HWB-A001");
}

static void test_long_value_is_cut(void **state)
{
	struct hwb_audit a = HWB_AUDIT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf text = HWB_BUF_INIT;
	char *big = malloc(HWB_AUDIT_MAX_VALUE * 2);
	struct hwb_audit_field f = HWB_AUDIT_STR("log", NULL);
	json_t *rec;

	(void)state;
	assert_non_null(big);
	memset(big, 'x', HWB_AUDIT_MAX_VALUE * 2 - 1);
	big[HWB_AUDIT_MAX_VALUE * 2 - 1] = '\0';
	f.s = big;
	assert_int_equal(hwb_audit_init(&a, logdir, 1, &err), 0);
	assert_int_equal(hwb_audit_event(&a, "build.failed", &f, 1, &err), 0);
	read_log(&a, &text);
	rec = json_loads(text.ptr, 0, NULL);
	assert_non_null(rec);
	assert_int_equal(strlen(json_string_value(json_object_get(rec, "log"))),
			 HWB_AUDIT_MAX_VALUE + strlen("...[truncated]"));
	json_decref(rec);
	free(big);
	hwb_buf_release(&text);
	hwb_audit_release(&a);
}

/* Several processes appending at once: every line stays a whole record. */
static void test_concurrent_appends(void **state)
{
	struct hwb_audit a = HWB_AUDIT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf text = HWB_BUF_INIT;
	enum { PROCS = 4, EVENTS = 150 };
	char *line, *save = NULL, pad[2000];
	int p, i, status, lines = 0;
	pid_t pids[PROCS];

	(void)state;
	memset(pad, 'p', sizeof(pad) - 1);
	pad[sizeof(pad) - 1] = '\0';
	assert_int_equal(hwb_audit_init(&a, logdir, 1, &err), 0);
	for (p = 0; p < PROCS; p++) {
		pids[p] = fork();
		assert_true(pids[p] >= 0);
		if (pids[p] == 0) {
			struct hwb_audit_field f[] = {
				HWB_AUDIT_NUM("proc", p), HWB_AUDIT_STR("pad", pad)
			};

			for (i = 0; i < EVENTS; i++)
				if (hwb_audit_event(&a, "sign.completed", f, 2, &err))
					_exit(1);
			_exit(0);
		}
	}
	for (p = 0; p < PROCS; p++) {
		assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	read_log(&a, &text);
	for (line = strtok_r(text.ptr, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		json_t *rec = json_loads(line, 0, NULL);

		assert_non_null(rec);
		json_decref(rec);
		lines++;
	}
	assert_int_equal(lines, PROCS * EVENTS);
	hwb_buf_release(&text);
	hwb_audit_release(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_record_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secrets_are_redacted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_writes_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_value_is_cut, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_appends, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
