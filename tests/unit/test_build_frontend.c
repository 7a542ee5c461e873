/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/build's pure parts: pass-env names, limit tightening,
 * [build-system] defaults and errors, PEP 517 config settings, and the
 * normal form of a wheel (members sorted, RECORD last, no extra fields,
 * SOURCE_DATE_EPOCH times, member bytes unchanged).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pkg/build/internal.h"
#include "pkg/core/fileio.h"

static void test_pass_env_names(void **state)
{
	static const char *const secret[] = { "PYPI_TOKEN", "GITHUB_TOKEN",
					      "db_password", "AWS_SECRET_ACCESS_KEY",
					      "SIGNING_KEY", "MY_API_KEY",
					      "GOOGLE_CREDENTIALS", "PRIVATE_THING" };
	struct hwb_error err = HWB_ERROR_INIT;
	size_t i;

	(void)state;
	assert_int_equal(hwb_sandbox_check_pass_env("CFLAGS", &err), 0);
	assert_int_equal(hwb_sandbox_check_pass_env("MAKEFLAGS", &err), 0);
	assert_int_equal(hwb_sandbox_check_pass_env("KEYBOARD", &err), 0);
	for (i = 0; i < sizeof(secret) / sizeof(secret[0]); i++) {
		assert_int_equal(hwb_sandbox_check_pass_env(secret[i], &err), -1);
		assert_string_equal(err.code, "HWB-B021");
	}
	assert_int_equal(hwb_sandbox_check_pass_env("PATH", &err), -1);
	assert_string_equal(err.code, "HWB-B022");
	assert_int_equal(hwb_sandbox_check_pass_env("LD_PRELOAD", &err), -1);
	assert_int_equal(hwb_sandbox_check_pass_env("1X", &err), -1);
	assert_string_equal(err.code, "HWB-B023");
	assert_int_equal(hwb_sandbox_check_pass_env("A=B", &err), -1);
}

static void test_build_system_defaults_and_errors(void **state)
{
	struct hwb_build__system s;
	struct hwb_error err = HWB_ERROR_INIT;
	const char *doc;

	(void)state;
	doc = "[project]\nname = 'x'\n";
	assert_int_equal(hwb_build__parse_system(doc, strlen(doc), "p", &s, &err), 0);
	assert_string_equal(s.backend, "setuptools.build_meta:__legacy__");
	assert_int_equal(s.require_count, 1);
	assert_string_equal(s.requires[0], "setuptools>=40.8.0");
	hwb_build__system_release(&s);

	doc = "[build-system]\nrequires = ['flit_core']\n";
	assert_int_equal(hwb_build__parse_system(doc, strlen(doc), "p", &s, &err), 0);
	assert_string_equal(s.backend, "setuptools.build_meta:__legacy__");
	hwb_build__system_release(&s);

	doc = "[build-system]\nrequires = []\nbuild-backend = 'b'\n"
	      "backend-path = ['.', 'x']\n";
	assert_int_equal(hwb_build__parse_system(doc, strlen(doc), "p", &s, &err), 0);
	assert_int_equal(s.require_count, 0);
	assert_int_equal(s.path_count, 2);
	hwb_build__system_release(&s);

	doc = "[build-system]\nbuild-backend = 'b'\n";
	assert_int_equal(hwb_build__parse_system(doc, strlen(doc), "p", &s, &err), -1);
	assert_string_equal(err.code, "HWB-B030");
	doc = "[build-system]\nrequires = ['a', 1]\n";
	assert_int_equal(hwb_build__parse_system(doc, strlen(doc), "p", &s, &err), -1);
	assert_string_equal(err.code, "HWB-B031");
	assert_int_equal(err.line, 2);
	doc = "[build-system]\nrequires = []\nbuild-backend = ''\n";
	assert_int_equal(hwb_build__parse_system(doc, strlen(doc), "p", &s, &err), -1);
	assert_string_equal(err.code, "HWB-B032");
}

static void test_config_settings_repeat_into_lists(void **state)
{
	static const char *const pairs[] = { "a=1", "b=x=y", "a=2", "a=3", "c=" };
	struct hwb_error err = HWB_ERROR_INIT;
	json_t *obj = NULL;
	char *text;

	(void)state;
	assert_int_equal(hwb_build__config_settings(pairs, 5, &obj, &err), 0);
	text = json_dumps(obj, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(text, "{\"a\":[\"1\",\"2\",\"3\"],\"b\":\"x=y\",\"c\":\"\"}");
	free(text);
	json_decref(obj);
	{
		static const char *const bad[] = { "=v" };

		assert_int_equal(hwb_build__config_settings(bad, 1, &obj, &err), -1);
		assert_string_equal(err.code, "HWB-B055");
	}
}

/* A stored zip member as an untidy backend writes it. */
static void put_member(FILE *f, const char *name, const char *data, long *offs,
		       int idx, unsigned char *central, size_t *clen)
{
	uint32_t crc = (uint32_t)crc32(0, (const Bytef *)data, (uInt)strlen(data));
	unsigned char h[30] = { 0x50, 0x4b, 3, 4, 20, 0 };
	size_t n = strlen(name), d = strlen(data);
	unsigned char *c = central + *clen;

	offs[idx] = ftell(f);
	memcpy(h + 14, &crc, 4);
	memcpy(h + 18, &d, 4);
	memcpy(h + 22, &d, 4);
	h[26] = (unsigned char)n;
	h[28] = 4; /* a 4-byte extra field, which normalisation drops */
	fwrite(h, 1, 30, f);
	fwrite(name, 1, n, f);
	fwrite("\xfe\xca\0\0", 1, 4, f);
	fwrite(data, 1, d, f);
	memset(c, 0, 46);
	c[0] = 0x50; c[1] = 0x4b; c[2] = 1; c[3] = 2; c[4] = 20; c[6] = 20;
	memcpy(c + 16, &crc, 4);
	memcpy(c + 20, &d, 4);
	memcpy(c + 24, &d, 4);
	c[28] = (unsigned char)n;
	memcpy(c + 42, &offs[idx], 4);
	memcpy(c + 46, name, n);
	*clen += 46 + n;
}

static void test_wheel_normal_form(void **state)
{
	static const char *const names[] = { "x-1.dist-info/RECORD", "z.py",
					     "x-1.dist-info/METADATA", "a.py" };
	static const char *const data[] = { "a.py,,\n", "z = 1\n", "Name: x\n",
					    "a = 1\n" };
	char path[] = "/tmp/hwb-unit-XXXXXX";
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf out = HWB_BUF_INIT;
	unsigned char central[1024], eocd[22] = { 0x50, 0x4b, 5, 6 };
	size_t clen = 0, pos, i;
	long offs[4], cd;
	uint16_t count = 4;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "wb");

	(void)state;
	for (i = 0; i < 4; i++)
		put_member(f, names[i], data[i], offs, (int)i, central, &clen);
	cd = ftell(f);
	fwrite(central, 1, clen, f);
	memcpy(eocd + 8, &count, 2);
	memcpy(eocd + 10, &count, 2);
	memcpy(eocd + 12, &clen, 4);
	memcpy(eocd + 16, &cd, 4);
	fwrite(eocd, 1, 22, f);
	fclose(f);
	assert_int_equal(hwb_build__normalize_wheel(path, 1704164645, NULL, &err), 0);
	assert_int_equal(hwb_file_read_all(path, 1 << 20, &out, &err), 0);
	unlink(path);
	/* Members in order a.py, z.py, METADATA, RECORD, each with no extra
	 * field and its bytes unchanged (stored or deflated). */
	pos = 0;
	for (i = 0; i < 4; i++) {
		static const char *const want[] = { "a.py", "z.py",
						    "x-1.dist-info/METADATA",
						    "x-1.dist-info/RECORD" };
		const unsigned char *h = (const unsigned char *)out.ptr + pos;
		uint16_t n = (uint16_t)(h[26] | h[27] << 8), extra = (uint16_t)(h[28] | h[29] << 8);
		uint32_t csize = (uint32_t)(h[18] | h[19] << 8 | h[20] << 16 | (uint32_t)h[21] << 24);

		assert_memory_equal(h, "PK\3\4", 4);
		assert_int_equal(n, strlen(want[i]));
		assert_memory_equal(h + 30, want[i], n);
		assert_int_equal(extra, 0);
		/* 2024-01-02 03:04:04 UTC in MS-DOS form */
		assert_int_equal(h[10] | h[11] << 8, (3 << 11) | (4 << 5) | 2);
		assert_int_equal(h[12] | h[13] << 8, (44 << 9) | (1 << 5) | 2);
		pos += 30 + n + csize;
	}
	hwb_buf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pass_env_names),
		cmocka_unit_test(test_build_system_defaults_and_errors),
		cmocka_unit_test(test_config_settings_repeat_into_lists),
		cmocka_unit_test(test_wheel_normal_form),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
