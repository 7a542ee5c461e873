/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hash.h: streaming message digests. SHA-2 comes from OpenSSL's EVP API;
 * BLAKE2b-256 (PyPI's blake2_256_digest) comes from libb2, because Debian's
 * OpenSSL 3.0 only offers BLAKE2b-512 and a truncated BLAKE2b-512 is a
 * different digest. No OpenSSL or libb2 type appears here.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

enum hwb_hash_alg {
	HWB_HASH_SHA256,
	HWB_HASH_SHA384,
	HWB_HASH_SHA512,
	HWB_HASH_BLAKE2B_256,
};

#define HWB_HASH_MAX_SIZE 64

struct hwb_hash; /* opaque */

/** Digest length in bytes of alg. */
size_t hwb_hash_size(enum hwb_hash_alg alg);
/** Name as used in RECORD and PEP 691 ("sha256", "blake2b_256", ...). */
const char *hwb_hash_name(enum hwb_hash_alg alg);
/** Look up by that name; -1 when unknown. */
int hwb_hash_from_name(const char *name, enum hwb_hash_alg *out);

/** Start a digest. Free with hwb_hash_free. */
int hwb_hash_new(struct hwb_hash **out, enum hwb_hash_alg alg,
		 struct hwb_error *err);
int hwb_hash_update(struct hwb_hash *h, const void *data, size_t len);
/** Write hwb_hash_size() bytes to out; the context can be reset and reused. */
int hwb_hash_final(struct hwb_hash *h, uint8_t *out);
/** Start again with the same algorithm. */
int hwb_hash_reset(struct hwb_hash *h);
void hwb_hash_free(struct hwb_hash *h);

/** One-shot digest of a buffer. out must hold hwb_hash_size(alg) bytes. */
int hwb_hash_buffer(enum hwb_hash_alg alg, const void *data, size_t len,
		    uint8_t *out, struct hwb_error *err);
/** Digest of a regular file, read in chunks; O_NOFOLLOW. */
int hwb_hash_file(enum hwb_hash_alg alg, const char *path, uint8_t *out,
		  struct hwb_error *err);

/* Longest lowercase hex digest with its NUL. */
#define HWB_HASH_MAX_HEX (2 * HWB_HASH_MAX_SIZE + 1)

/**
 * The same digests as lowercase hex, NUL-terminated, in out, which holds
 * at least 2 * hwb_hash_size(alg) + 1 bytes (HWB_HASH_MAX_HEX always does).
 */
int hwb_hash_buffer_hex(enum hwb_hash_alg alg, const void *data, size_t len,
			char *out, struct hwb_error *err);
int hwb_hash_file_hex(enum hwb_hash_alg alg, const char *path, char *out,
		      struct hwb_error *err);
