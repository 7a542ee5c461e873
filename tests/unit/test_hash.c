/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/core/hash.c. SHA-2 vectors are the FIPS 180-2 examples
 * ("abc", the empty string, one million 'a'); BLAKE2b-256 expectations were
 * computed with CPython's hashlib.blake2b(digest_size=32), and libb2 itself
 * is checked against the RFC 7693 Appendix A BLAKE2b-512 "abc" vector.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <blake2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/core/encode.h"
#include "pkg/core/hash.h"

#define MILLION 1000000

struct vector {
	enum hwb_hash_alg alg;
	int input; /* 0: "", 1: "abc", 2: one million 'a' */
	const char *hex;
};

static const struct vector vectors[] = {
	{ HWB_HASH_SHA256, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
	{ HWB_HASH_SHA256, 1, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
	{ HWB_HASH_SHA256, 2, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0" },
	{ HWB_HASH_SHA384, 0, "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76f65fbd51ad2f14898b95b" },
	{ HWB_HASH_SHA384, 1, "cb00753f45a35e8bb5a03d699ac65007272c32ab0eded1631a8b605a43ff5bed8086072ba1e7cc2358baeca134c825a7" },
	{ HWB_HASH_SHA384, 2, "9d0e1809716474cb086e834e310a4a1ced149e9c00f248527972cec5704c2a5b07b8b3dc38ecc4ebae97ddd87f3d8985" },
	{ HWB_HASH_SHA512, 0, "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e" },
	{ HWB_HASH_SHA512, 1, "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f" },
	{ HWB_HASH_SHA512, 2, "e718483d0ce769644e2e42c7bc15b4638e1f98b13b2044285632a803afa973ebde0ff244877ea60a4cb0432ce577c31beb009c5c2c49aa2e4eadb217ad8cc09b" },
	{ HWB_HASH_BLAKE2B_256, 0, "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8" },
	{ HWB_HASH_BLAKE2B_256, 1, "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319" },
	{ HWB_HASH_BLAKE2B_256, 2, "0741850f36cba4259628355d1073e24ddb9ca0e1bfac36fd39ae5dc2101e23a4" },
};
#define N_VECTORS (sizeof(vectors) / sizeof(vectors[0]))

static char million_a[MILLION];

static void input_of(int which, const char **data, size_t *len)
{
	*data = which == 2 ? million_a : which == 1 ? "abc" : "";
	*len = which == 2 ? MILLION : strlen(*data);
}

static void assert_digest(const uint8_t *digest, enum hwb_hash_alg alg,
			  const char *hex)
{
	struct hwb_buf b = HWB_BUF_INIT;

	assert_int_equal(hwb_hex_encode(&b, digest, hwb_hash_size(alg)), 0);
	assert_string_equal(b.ptr, hex);
	hwb_buf_release(&b);
}

static void test_one_shot_vectors(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	uint8_t digest[HWB_HASH_MAX_SIZE];
	const char *data;
	size_t i, len;

	(void)state;
	for (i = 0; i < N_VECTORS; i++) {
		input_of(vectors[i].input, &data, &len);
		assert_int_equal(hwb_hash_buffer(vectors[i].alg, data, len,
						 digest, &err), 0);
		assert_digest(digest, vectors[i].alg, vectors[i].hex);
	}
}

/* Odd chunk sizes cross every block boundary (64 and 128 bytes). */
static void test_streaming_odd_chunks(void **state)
{
	static const size_t chunks[] = { 1, 3, 63, 65, 127, 129, 1000, 65537 };
	struct hwb_error err = HWB_ERROR_INIT;
	uint8_t digest[HWB_HASH_MAX_SIZE];
	struct hwb_hash *h = NULL;
	size_t i, c, off, n;

	(void)state;
	for (i = 0; i < N_VECTORS; i++) {
		if (vectors[i].input != 2)
			continue;
		assert_int_equal(hwb_hash_new(&h, vectors[i].alg, &err), 0);
		for (c = 0; c < sizeof(chunks) / sizeof(chunks[0]); c++) {
			for (off = 0; off < MILLION; off += n) {
				n = MILLION - off < chunks[c] ? MILLION - off
							       : chunks[c];
				assert_int_equal(hwb_hash_update(h, million_a + off,
								 n), 0);
			}
			assert_int_equal(hwb_hash_final(h, digest), 0);
			assert_digest(digest, vectors[i].alg, vectors[i].hex);
			/* Finished until reset. */
			assert_int_equal(hwb_hash_update(h, "x", 1), -1);
			assert_int_equal(hwb_hash_final(h, digest), -1);
			assert_int_equal(hwb_hash_reset(h), 0);
		}
		hwb_hash_free(h);
		h = NULL;
	}
	hwb_hash_free(NULL);
}

/* libb2 is BLAKE2b: the RFC 7693 Appendix A vector for BLAKE2b-512("abc"). */
static void test_libb2_rfc7693(void **state)
{
	uint8_t digest[64];
	struct hwb_buf b = HWB_BUF_INIT;

	(void)state;
	assert_int_equal(blake2b(digest, "abc", NULL, 64, 3, 0), 0);
	assert_int_equal(hwb_hex_encode(&b, digest, 64), 0);
	assert_string_equal(b.ptr,
		"ba80a53f981c4d0d6a2797b69f12f6e94c212f14685ac4b74b12bb6fdbffa2d1"
		"7d87c5392aab792dc252d5de4533cc9518d38aa8dbf1925ab92386edd4009923");
	hwb_buf_release(&b);
}

static void test_names(void **state)
{
	static const char *names[] = { "sha256", "sha384", "sha512",
				       "blake2b_256" };
	static const size_t sizes[] = { 32, 48, 64, 32 };
	enum hwb_hash_alg alg;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		assert_int_equal(hwb_hash_from_name(names[i], &alg), 0);
		assert_int_equal(alg, (enum hwb_hash_alg)i);
		assert_string_equal(hwb_hash_name(alg), names[i]);
		assert_int_equal(hwb_hash_size(alg), sizes[i]);
	}
	assert_int_equal(hwb_hash_from_name("md5", &alg), -1);
	assert_int_equal(hwb_hash_from_name("SHA256", &alg), -1);
	assert_int_equal(hwb_hash_from_name("blake2b", &alg), -1);
	assert_int_equal(hwb_hash_from_name(NULL, &alg), -1);
}

static void test_hash_file(void **state)
{
	char dir[] = "/tmp/hwb-test-hash-XXXXXX", path[64], link[64];
	struct hwb_error err = HWB_ERROR_INIT;
	uint8_t digest[HWB_HASH_MAX_SIZE];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/a", dir);
	snprintf(link, sizeof(link), "%s/link", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	/* Larger than one 256 KiB read, not a multiple of it. */
	assert_int_equal(fwrite(million_a, 1, MILLION, f), MILLION);
	assert_int_equal(fclose(f), 0);

	assert_int_equal(hwb_hash_file(HWB_HASH_SHA256, path, digest, &err), 0);
	assert_digest(digest, HWB_HASH_SHA256, vectors[2].hex);
	assert_int_equal(hwb_hash_file(HWB_HASH_BLAKE2B_256, path, digest,
				       &err), 0);
	assert_digest(digest, HWB_HASH_BLAKE2B_256, vectors[11].hex);
	{
		char hex[HWB_HASH_MAX_HEX];

		assert_int_equal(hwb_hash_file_hex(HWB_HASH_SHA256, path, hex,
						   &err), 0);
		assert_string_equal(hex, vectors[2].hex);
		assert_int_equal(hwb_hash_buffer_hex(HWB_HASH_SHA256, million_a,
						     MILLION, hex, &err), 0);
		assert_string_equal(hex, vectors[2].hex);
	}

	/* A symbolic link is refused, not followed. */
	assert_int_equal(symlink(path, link), 0);
	assert_int_equal(hwb_hash_file(HWB_HASH_SHA256, link, digest, &err), -1);
	assert_string_equal(err.code, "HWB-J011");
	assert_string_equal(err.file, link);
	/* So are a directory and a missing file. */
	assert_int_equal(hwb_hash_file(HWB_HASH_SHA256, dir, digest, &err), -1);
	assert_string_equal(err.code, "HWB-J011");
	assert_int_equal(err.kind, HWB_KIND_CONFIG);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(hwb_hash_file(HWB_HASH_SHA256, path, digest, &err), -1);
	assert_string_equal(err.code, "HWB-J011");
	assert_int_equal(unlink(link), 0);
	assert_int_equal(rmdir(dir), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_shot_vectors),
		cmocka_unit_test(test_streaming_odd_chunks),
		cmocka_unit_test(test_libb2_rfc7693),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_hash_file),
	};

	memset(million_a, 'a', sizeof(million_a));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
