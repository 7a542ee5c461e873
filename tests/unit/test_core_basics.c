/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests for pkg/core error.c, buf.c and the redaction in log.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/core/log.h"

static void test_error_format(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	char line[1024];

	(void)state;
	assert_int_equal(hwb_error_set(&err, HWB_KIND_CONFIG, "HWB-T003",
				       "bad key %s", "a\033b"), -1);
	hwb_error_hint(&err, "quote the key");
	hwb_error_at(&err, "pyproject.toml", 3, 7);
	hwb_error_format(&err, line, sizeof(line));
	assert_string_equal(line, "pyproject.toml:3:7: HWB-T003: bad key a?b "
				  "(fix: quote the key)");
	assert_int_equal(err.kind, HWB_KIND_CONFIG);
	hwb_error_oom(&err);
	assert_string_equal(err.code, "HWB-C001");
}

static void test_buf_grow_and_detach(void **state)
{
	struct hwb_buf b = HWB_BUF_INIT;
	size_t len;
	char *s;
	int i;

	(void)state;
	assert_string_equal(b.ptr, "");
	for (i = 0; i < 1000; i++)
		assert_int_equal(hwb_buf_printf(&b, "%d,", i), 0);
	assert_int_equal(hwb_buf_put(&b, "\0x", 2), 0);
	assert_int_equal(b.ptr[b.len], '\0');
	assert_int_equal(b.ptr[b.len - 2], '\0');
	s = hwb_buf_detach(&b, &len);
	assert_non_null(s);
	assert_true(len > 3000);
	assert_ptr_equal(b.ptr, hwb_buf__empty);
	free(s);
	hwb_buf_release(&b);
	hwb_buf_release(&b); /* idempotent */
}

static void test_buf_oom_is_sticky(void **state)
{
	struct hwb_buf b = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	assert_int_equal(hwb_buf_grow(&b, SIZE_MAX - 1), -1);
	assert_int_equal(hwb_buf_puts(&b, "x"), -1);
	assert_int_equal(hwb_buf_check(&b, &err), -1);
	assert_string_equal(err.code, "HWB-C001");
	hwb_buf_release(&b);
}

static void test_size_overflow(void **state)
{
	size_t out;

	(void)state;
	assert_int_equal(hwb_size_add(&out, SIZE_MAX, 1), -1);
	assert_int_equal(hwb_size_mul(&out, SIZE_MAX / 2, 3), -1);
	assert_int_equal(hwb_size_mul(&out, 6, 7), 0);
	assert_int_equal(out, 42);
}

static char *redact(const char *s)
{
	struct hwb_buf b = HWB_BUF_INIT;

	assert_int_equal(hwb_redact(&b, s, strlen(s)), 0);
	return hwb_buf_detach(&b, NULL);
}

static void assert_redacts(const char *in, const char *want)
{
	char *got = redact(in);

	assert_string_equal(got, want);
	assert_int_equal(hwb_redact_contains_secret(in, strlen(in)),
			 strcmp(in, want) != 0);
	free(got);
}

static void test_redact_forms(void **state)
{
	(void)state;
	assert_redacts("token pypi-AgEIcHlwaS5vcmcCJGFiY2RlZg end",
		       "token [REDACTED] end");
	assert_redacts("ghp_0123456789abcdefghijABCDEFGHIJ0123 x",
		       "[REDACTED] x");
	assert_redacts("a gho_abcdefghij0123456789abcd", "a [REDACTED]");
	assert_redacts("ghs_abcdefghij0123456789abcd.", "[REDACTED].");
	assert_redacts("github_pat_11ABCDEFG0123456789_abcdefghijkl",
		       "[REDACTED]");
	assert_redacts("glpat-abcdefghij0123456789", "[REDACTED]");
	assert_redacts("key=AKIAIOSFODNN7EXAMPLE;", "key=[REDACTED];");
	assert_redacts("jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJyZXBvOm8vciJ9.c2ln",
		       "jwt [REDACTED]");
	assert_redacts("-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n"
		       "-----END EC PRIVATE KEY-----\nafter",
		       "[REDACTED]\nafter");
	assert_redacts("-----BEGIN PRIVATE KEY-----\nMIIEv", "[REDACTED]");
	/* Not secrets: a certificate, short prefixes, words that contain them. */
	assert_redacts("-----BEGIN CERTIFICATE-----",
		       "-----BEGIN CERTIFICATE-----");
	assert_redacts("pypi-short", "pypi-short");
	assert_redacts("mypypi-AgEIcHlwaS5vcmcCJGFiY2RlZg",
		       "mypypi-AgEIcHlwaS5vcmcCJGFiY2RlZg");
}

static void test_redact_scrubs_controls(void **state)
{
	char *got = redact("bell\007\ttab\033[2J");

	(void)state;
	assert_string_equal(got, "bell?\ttab?[2J");
	free(got);
}

static void test_redact_registered(void **state)
{
	char *got;

	(void)state;
	assert_int_equal(hwb_redact_register("s3cr3t-value"), 0);
	assert_int_equal(hwb_redact_register("abc"), 0); /* too short */
	assert_int_equal(hwb_redact_count(), 1);
	got = redact("x=s3cr3t-value;abc");
	assert_string_equal(got, "x=[REDACTED];abc");
	free(got);
	hwb_redact_reset();
	assert_int_equal(hwb_redact_count(), 0);
}

static char captured[4096];

static void capture_sink(void *ctx, enum hwb_log_level level, const char *line)
{
	(void)ctx;
	(void)level;
	strncat(captured, line, sizeof(captured) - strlen(captured) - 2);
	strcat(captured, "|");
}

static void test_log_redacts_and_filters(void **state)
{
	const char text[] = "one\n-----BEGIN RSA PRIVATE KEY-----\nAAAA\n"
			    "-----END RSA PRIVATE KEY-----\ntwo";

	(void)state;
	captured[0] = '\0';
	hwb_log_configure(HWB_LOG_INFO, capture_sink, NULL);
	hwb_log_debug("hidden");
	hwb_log_info("token %s\nnext", "pypi-AgEIcHlwaS5vcmcCJGFiY2RlZg");
	hwb_log_text(HWB_LOG_INFO, text, sizeof(text) - 1);
	assert_string_equal(captured,
			    "token [REDACTED] next|one|[REDACTED]|two|");
	hwb_log_configure(HWB_LOG_INFO, NULL, NULL);
}

static void test_secret_from_fd(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	char *secret = NULL;
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "tok-123456789\nrest", 18), 18);
	close(fds[1]);
	assert_int_equal(hwb_secret_from_fd(fds[0], "API token", 4096, &secret,
					    &err), 0);
	close(fds[0]);
	assert_string_equal(secret, "tok-123456789");
	assert_int_equal(hwb_redact_count(), 1);
	hwb_secret_free(secret);

	assert_int_equal(pipe(fds), 0);
	close(fds[1]);
	assert_int_equal(hwb_secret_from_fd(fds[0], "API token", 4096, &secret,
					    &err), -1);
	close(fds[0]);
	assert_string_equal(err.code, "HWB-C002");
	assert_null(secret);
	hwb_redact_reset();
}

static void test_secret_from_env_masks(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	char *secret = NULL;

	(void)state;
	captured[0] = '\0';
	hwb_log_configure(HWB_LOG_INFO, capture_sink, NULL);
	setenv("HWB_TEST_TOKEN", "value-from-env", 1);
	assert_int_equal(hwb_secret_from_env("HWB_TEST_TOKEN", &secret, &err), 0);
	assert_string_equal(secret, "value-from-env");
	/* The sink is told, so CI can mask it; the log line is redacted. */
	hwb_log_info("got %s", secret);
	assert_string_equal(captured, "value-from-env|got [REDACTED]|");
	hwb_secret_free(secret);
	unsetenv("HWB_TEST_TOKEN");
	assert_int_equal(hwb_secret_from_env("HWB_TEST_TOKEN", &secret, &err), 0);
	assert_null(secret);
	hwb_redact_reset();
	hwb_log_configure(HWB_LOG_INFO, NULL, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error_format),
		cmocka_unit_test(test_buf_grow_and_detach),
		cmocka_unit_test(test_buf_oom_is_sticky),
		cmocka_unit_test(test_size_overflow),
		cmocka_unit_test(test_redact_forms),
		cmocka_unit_test(test_redact_scrubs_controls),
		cmocka_unit_test(test_redact_registered),
		cmocka_unit_test(test_log_redacts_and_filters),
		cmocka_unit_test(test_secret_from_fd),
		cmocka_unit_test(test_secret_from_env_masks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
