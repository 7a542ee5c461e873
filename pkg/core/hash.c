/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hash.c: streaming digests behind one opaque type. SHA-2 goes through
 * OpenSSL's EVP interface; BLAKE2b-256 through libb2 (see hash.h for why).
 */
#include "pkg/core/encode.h"
#include "pkg/core/hash.h"

#include <blake2.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Large enough that a wheel of hundreds of MiB is a few thousand reads. */
#define HASH_FILE_CHUNK (256 * 1024)

struct hwb_hash {
	enum hwb_hash_alg alg;
	EVP_MD_CTX *evp;    /* SHA-2 only */
	EVP_MD *md;         /* SHA-2 only: fetched once, owned */
	blake2b_state b2;   /* BLAKE2b only */
	int finished;       /* final was called; update refused until reset */
};

static const struct {
	const char *name;
	size_t size;
} algs[] = {
	[HWB_HASH_SHA256] = { "sha256", 32 },
	[HWB_HASH_SHA384] = { "sha384", 48 },
	[HWB_HASH_SHA512] = { "sha512", 64 },
	[HWB_HASH_BLAKE2B_256] = { "blake2b_256", 32 },
};

static int alg_valid(enum hwb_hash_alg alg)
{
	return (unsigned)alg < sizeof(algs) / sizeof(algs[0]);
}

size_t hwb_hash_size(enum hwb_hash_alg alg)
{
	return alg_valid(alg) ? algs[alg].size : 0;
}

const char *hwb_hash_name(enum hwb_hash_alg alg)
{
	return alg_valid(alg) ? algs[alg].name : NULL;
}

int hwb_hash_from_name(const char *name, enum hwb_hash_alg *out)
{
	size_t i;

	for (i = 0; name && i < sizeof(algs) / sizeof(algs[0]); i++) {
		if (strcmp(name, algs[i].name) == 0) {
			*out = (enum hwb_hash_alg)i;
			return 0;
		}
	}
	return -1;
}

/* OpenSSL's name of a SHA-2 algorithm. */
static const char *evp_name(enum hwb_hash_alg alg)
{
	switch (alg) {
	case HWB_HASH_SHA256:
		return "SHA2-256";
	case HWB_HASH_SHA384:
		return "SHA2-384";
	case HWB_HASH_SHA512:
		return "SHA2-512";
	default:
		return NULL;
	}
}

/*
 * The digest is fetched from the provider once, in hwb_hash_new(): an
 * EVP_sha256() passed to every init costs OpenSSL 3 an implicit fetch, a
 * locked lookup that took 15 ms of a 20,000-member wheel check.
 */
int hwb_hash_reset(struct hwb_hash *h)
{
	h->finished = 0;
	if (h->alg == HWB_HASH_BLAKE2B_256)
		return blake2b_init(&h->b2, algs[h->alg].size) == 0 ? 0 : -1;
	return EVP_DigestInit_ex2(h->evp, h->md, NULL) == 1 ? 0 : -1;
}

int hwb_hash_new(struct hwb_hash **out, enum hwb_hash_alg alg,
		 struct hwb_error *err)
{
	struct hwb_hash *h = NULL;

	*out = NULL;
	if (!alg_valid(alg))
		HWB_BUG("unknown hash algorithm %d", (int)alg);
	h = calloc(1, sizeof(*h));
	if (!h)
		return hwb_error_oom(err);
	h->alg = alg;
	if (alg != HWB_HASH_BLAKE2B_256) {
		h->evp = EVP_MD_CTX_new();
		h->md = EVP_MD_fetch(NULL, evp_name(alg), NULL);
		if (!h->evp || !h->md) {
			int no_digest = h->evp != NULL;

			hwb_hash_free(h);
			if (!no_digest)
				return hwb_error_oom(err);
			return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-J010",
					     "the crypto library has no %s "
					     "digest", algs[alg].name);
		}
	}
	if (hwb_hash_reset(h)) {
		hwb_hash_free(h);
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-J010",
				     "the crypto library cannot start a %s digest",
				     algs[alg].name);
	}
	*out = h;
	return 0;
}

int hwb_hash_update(struct hwb_hash *h, const void *data, size_t len)
{
	if (h->finished)
		return -1;
	if (len == 0)
		return 0;
	if (h->alg == HWB_HASH_BLAKE2B_256)
		return blake2b_update(&h->b2, data, len) == 0 ? 0 : -1;
	return EVP_DigestUpdate(h->evp, data, len) == 1 ? 0 : -1;
}

int hwb_hash_final(struct hwb_hash *h, uint8_t *out)
{
	int ok;

	if (h->finished)
		return -1;
	h->finished = 1;
	if (h->alg == HWB_HASH_BLAKE2B_256)
		ok = blake2b_final(&h->b2, out, algs[h->alg].size) == 0;
	else
		ok = EVP_DigestFinal_ex(h->evp, out, NULL) == 1;
	return ok ? 0 : -1;
}

void hwb_hash_free(struct hwb_hash *h)
{
	if (!h)
		return;
	EVP_MD_CTX_free(h->evp);
	EVP_MD_free(h->md);
	/* A BLAKE2b state is a keyed-hash state in other uses; wipe it. */
	OPENSSL_cleanse(&h->b2, sizeof(h->b2));
	free(h);
}

static int crypto_failed(struct hwb_error *err, enum hwb_hash_alg alg)
{
	return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-J010",
			     "the crypto library failed computing a %s digest",
			     algs[alg].name);
}

int hwb_hash_buffer(enum hwb_hash_alg alg, const void *data, size_t len,
		    uint8_t *out, struct hwb_error *err)
{
	struct hwb_hash *h = NULL;
	int ret = -1;

	if (hwb_hash_new(&h, alg, err))
		return -1;
	if (hwb_hash_update(h, data, len) || hwb_hash_final(h, out)) {
		crypto_failed(err, alg);
		goto cleanup;
	}
	ret = 0;
cleanup:
	hwb_hash_free(h);
	return ret;
}

/* Open path for reading without following a final symlink; regular only. */
static int open_regular(const char *path, struct hwb_error *err)
{
	struct stat st;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-J011",
				"cannot open file to hash");
		hwb_error_hint(err, "check that the path exists, is readable "
			       "and is not a symbolic link");
		return hwb_error_at(err, path, 0, 0);
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-J011",
			      "only a regular file can be hashed");
		hwb_error_hint(err, "give the path of a regular file");
		return hwb_error_at(err, path, 0, 0);
	}
	return fd;
}

int hwb_hash_file(enum hwb_hash_alg alg, const char *path, uint8_t *out,
		  struct hwb_error *err)
{
	struct hwb_hash *h = NULL;
	uint8_t *chunk = NULL;
	ssize_t n;
	int fd = -1, ret = -1;

	fd = open_regular(path, err);
	if (fd < 0)
		goto cleanup;
	chunk = malloc(HASH_FILE_CHUNK);
	if (!chunk) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_hash_new(&h, alg, err))
		goto cleanup;
	for (;;) {
		n = read(fd, chunk, HASH_FILE_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-J011",
					"cannot read file to hash");
			hwb_error_at(err, path, 0, 0);
			goto cleanup;
		}
		if (n == 0)
			break;
		if (hwb_hash_update(h, chunk, (size_t)n)) {
			crypto_failed(err, alg);
			goto cleanup;
		}
	}
	if (hwb_hash_final(h, out)) {
		crypto_failed(err, alg);
		goto cleanup;
	}
	ret = 0;
cleanup:
	hwb_hash_free(h);
	free(chunk);
	if (fd >= 0)
		close(fd);
	return ret;
}

int hwb_hash_buffer_hex(enum hwb_hash_alg alg, const void *data, size_t len,
			char *out, struct hwb_error *err)
{
	uint8_t d[HWB_HASH_MAX_SIZE];

	if (hwb_hash_buffer(alg, data, len, d, err))
		return -1;
	hwb_hex_format(d, hwb_hash_size(alg), out);
	return 0;
}

int hwb_hash_file_hex(enum hwb_hash_alg alg, const char *path, char *out,
		      struct hwb_error *err)
{
	uint8_t d[HWB_HASH_MAX_SIZE];

	if (hwb_hash_file(alg, path, d, err))
		return -1;
	hwb_hex_format(d, hwb_hash_size(alg), out);
	return 0;
}
