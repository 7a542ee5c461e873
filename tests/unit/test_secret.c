/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/core/secret.c: the fast search (vector and scalar)
 * must give exactly the answer of trying every form at every position,
 * for every form, at every offset around the 64-byte blocks and the end of
 * the text, in text and in random bytes, and with the binary-data flag.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/internal.h"
#include "pkg/core/log.h"

/* One credential of every form (made up, with random-looking bodies). */
static const char *const credentials[] = {
	"-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA "
	"PRIVATE KEY-----",
	"pypi-AgEIcHlwaS5vcmcCJGFiY2RlZjAxMjM0NTY3",
	"ghp_0123456789abcdefghijABCDEFGHIJ0123",
	"github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz",
	"glpat-a1B2c3D4e5F6g7H8i9J0kLmN",
	"AKIAQ3EGRUQ7ZK5J2W4N",
	"SECRET_ACCESS_KEY = wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKY",
	"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.c2lnbmF0dXJl",
};
#define N_CREDENTIALS (sizeof(credentials) / sizeof(credentials[0]))

/* The answer by definition: the first position with a match. */
static enum hwb_secret_kind find_reference(const char *text, size_t len,
					   size_t from, int flags,
					   size_t *start, size_t *n)
{
	enum hwb_secret_kind kind = HWB_SECRET_NONE;
	size_t i;

	for (i = from; i < len; i++)
		if ((*n = hwb_secret_match(text, text + i, text + len, flags,
					   &kind))) {
			*start = i;
			return kind;
		}
	return HWB_SECRET_NONE;
}

/*
 * Every match of the three searches, one after the other, agree. The text
 * is copied to a heap block of exactly len bytes, so AddressSanitizer
 * catches a search that reads past its end.
 */
static void assert_same_matches(const char *orig, size_t len, int flags)
{
	size_t from = 0, s1 = 0, s2 = 0, s3 = 0, n1 = 0, n2 = 0, n3 = 0;
	enum hwb_secret_kind k1, k2, k3;
	char *text = malloc(len ? len : 1);

	assert_non_null(text);
	memcpy(text, orig, len);
	do {
		k1 = find_reference(text, len, from, flags, &s1, &n1);
		k2 = hwb_secret_find(text, len, from, flags, &s2, &n2);
		k3 = hwb_core__secret_find_scalar(text, len, from, flags, &s3,
						  &n3);
		assert_int_equal(k2, k1);
		assert_int_equal(k3, k1);
		if (k1 == HWB_SECRET_NONE)
			break;
		assert_int_equal(s2, s1);
		assert_int_equal(s3, s1);
		assert_int_equal(n2, n1);
		assert_int_equal(n3, n1);
		from = s1 + 1;
	} while (from < len);
	free(text);
}

/* Text that is mostly Python, with near-misses of every lead. */
static void fill_text(char *buf, size_t len, unsigned seed)
{
	static const char *const words[] = {
		"def ", "secret", "github", "gh_", "ghq_", "pyp", "pypi ",
		"----", "eyJ", "AKI", "glp", "return ", "\n", "    ", "self.",
		"SeCr", "x = 1", "# ---- ", "ghpx", "github_pa",
	};
	size_t i = 0, w, n;

	srand(seed);
	while (i < len) {
		w = (size_t)rand() % (sizeof(words) / sizeof(words[0]));
		n = strlen(words[w]);
		if (n > len - i)
			n = len - i;
		memcpy(buf + i, words[w], n);
		i += n;
	}
}

static void test_each_form_at_each_offset(void **state)
{
	char buf[300];
	size_t c, off, len, n;

	(void)state;
	for (c = 0; c < N_CREDENTIALS; c++) {
		n = strlen(credentials[c]);
		for (off = 0; off + n <= sizeof(buf); off++) {
			fill_text(buf, sizeof(buf), (unsigned)(c * 1000 + off));
			/* A separator, so the word-start rule holds. */
			if (off)
				buf[off - 1] = ' ';
			memcpy(buf + off, credentials[c], n);
			/* Cut the text right after the credential too, so
			 * the tail of the search is crossed at every offset. */
			for (len = off + n; len <= off + n + 70 &&
					    len <= sizeof(buf); len += 23) {
				assert_same_matches(buf, len, 0);
				assert_same_matches(buf, len,
						    HWB_SECRET_ANY_BYTE_BEFORE);
			}
		}
	}
}

static void test_found_where_planted(void **state)
{
	char buf[256];
	size_t c, start = 0, n = 0;

	(void)state;
	for (c = 0; c < N_CREDENTIALS; c++) {
		memset(buf, '.', sizeof(buf));
		memcpy(buf + 100, credentials[c], strlen(credentials[c]));
		assert_int_not_equal(hwb_secret_find(buf, sizeof(buf), 0, 0,
						     &start, &n),
				     HWB_SECRET_NONE);
		assert_int_equal(start, 100);
		assert_int_equal(n, strlen(credentials[c]));
		/* Past it, nothing more. */
		assert_int_equal(hwb_secret_find(buf, sizeof(buf), 101, 0,
						 &start, &n),
				 HWB_SECRET_NONE);
	}
}

static void test_random_bytes(void **state)
{
	static char buf[1 << 16];
	size_t i, c;

	(void)state;
	srand(7);
	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(rand() & 0xff);
	/* Credentials inside binary data, after any byte (.pyc constants). */
	for (c = 0; c < N_CREDENTIALS; c++)
		memcpy(buf + 997 * (c + 1) + c, credentials[c],
		       strlen(credentials[c]));
	assert_same_matches(buf, sizeof(buf), 0);
	assert_same_matches(buf, sizeof(buf), HWB_SECRET_ANY_BYTE_BEFORE);
}

/* Long runs of a form's start: what made the search quadratic before it
 * remembered the runs it had measured. */
static void test_repeated_starts(void **state)
{
	static const char *const units[] = {
		"pypi-", "eyJ-", "eyJ", "ghp_", "AKIA", "glpat-", "github_pat_",
		"-----BEGIN ", "-----BEGIN RSA PRIVATE KEY-----\n",
		"secret_access_key=", "eyJabcdefghijk.",
	};
	char buf[3000];
	size_t u, n, len;

	(void)state;
	for (u = 0; u < sizeof(units) / sizeof(units[0]); u++) {
		n = strlen(units[u]);
		for (len = 0; len + n <= sizeof(buf); len += n)
			memcpy(buf + len, units[u], n);
		assert_same_matches(buf, len, 0);
		assert_same_matches(buf, len, HWB_SECRET_ANY_BYTE_BEFORE);
	}
}

static void test_look_alikes(void **state)
{
	/* "xhp_" is no GitHub token, nor "mypypi-..." a PyPI token. */
	static const char *const misses[] = {
		"xhp_0123456789abcdefghijABCDEFGHIJ0123",
		"mypypi-AgEIcHlwaS5vcmcCJGFiY2RlZjAxMjM0NTY3",
		"-----BEGIN PUBLIC KEY-----",
		"secret_access_key",
	};
	size_t i, start, n;

	(void)state;
	for (i = 0; i < sizeof(misses) / sizeof(misses[0]); i++) {
		assert_int_equal(hwb_secret_find(misses[i], strlen(misses[i]),
						 0, 0, &start, &n),
				 HWB_SECRET_NONE);
		assert_int_equal(hwb_secret_match(misses[i], misses[i],
						  misses[i] + strlen(misses[i]),
						  0, NULL),
				 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_each_form_at_each_offset),
		cmocka_unit_test(test_found_where_planted),
		cmocka_unit_test(test_random_bytes),
		cmocka_unit_test(test_repeated_starts),
		cmocka_unit_test(test_look_alikes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
