/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keypair.c: the ephemeral signing key of one `hwb sign` call. A P-256 key
 * lives only in memory: OpenSSL's secure heap (mlock'd, excluded from core
 * dumps, cleared on free) holds its private scalar where the system allows
 * a locked heap, the process is made non-dumpable while it exists, and
 * nothing ever serialises the private half. Also the PKCS#10 request that
 * proves to Fulcio that we hold it.
 */
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>
#include <sys/prctl.h>

#include "pkg/core/log.h"
#include "pkg/sign/internal.h"

/* Enough for a few P-256 scalars and their temporaries (OpenSSL's minimum
 * is a page); RLIMIT_MEMLOCK is 64 KiB on many systems. */
#define SECURE_HEAP_SIZE (32 * 1024)
#define SECURE_HEAP_MIN 32

static pthread_once_t secure_once = PTHREAD_ONCE_INIT;
static int secure_heap_ok;

static void secure_heap_init(void)
{
	/* 1: locked heap; 2: heap without mlock (limit too low); 0: none */
	secure_heap_ok = CRYPTO_secure_malloc_init(SECURE_HEAP_SIZE,
						   SECURE_HEAP_MIN) == 1;
	ERR_clear_error();
}

int hwb_sign__key_new(EVP_PKEY **out, struct hwb_error *err)
{
	EVP_PKEY_CTX *ctx;

	*out = NULL;
	pthread_once(&secure_once, secure_heap_init);
	if (!secure_heap_ok)
		hwb_log_debug("signing key: no locked memory here (RLIMIT_MEMLOCK); the key stays in ordinary memory and is wiped on free");
	/* a core dump or ptrace of this process would show the key */
	prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
	ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!ctx || EVP_PKEY_keygen_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_group_name(ctx, "P-256") != 1 ||
	    EVP_PKEY_generate(ctx, out) != 1) {
		EVP_PKEY_CTX_free(ctx);
		ERR_clear_error();
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-S020",
				     "cannot generate an ephemeral P-256 key with OpenSSL");
	}
	EVP_PKEY_CTX_free(ctx);
	return 0;
}

int hwb_sign__key_sign_digest(EVP_PKEY *key, const uint8_t digest[32],
			      struct hwb_buf *sig, struct hwb_error *err)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new(key, NULL);
	size_t len = 0;
	int rc = -1;

	hwb_buf_clear(sig);
	if (!ctx || EVP_PKEY_sign_init(ctx) != 1 ||
	    EVP_PKEY_CTX_set_signature_md(ctx, EVP_sha256()) != 1 ||
	    EVP_PKEY_sign(ctx, NULL, &len, digest, 32) != 1 ||
	    hwb_buf_grow(sig, len))
		goto fail;
	if (EVP_PKEY_sign(ctx, (unsigned char *)sig->ptr, &len, digest, 32) != 1)
		goto fail;
	sig->len = len;
	rc = 0;
	goto cleanup;
fail:
	ERR_clear_error();
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-S020",
		      "OpenSSL could not sign with the ephemeral key");
cleanup:
	EVP_PKEY_CTX_free(ctx);
	return rc;
}

/* The public half as DER SubjectPublicKeyInfo. */
int hwb_sign__key_spki(EVP_PKEY *key, struct hwb_buf *out)
{
	unsigned char *der = NULL;
	int n = i2d_PUBKEY(key, &der);
	int rc = n > 0 ? hwb_buf_set(out, der, (size_t)n) : -1;

	OPENSSL_free(der);
	return rc;
}

/*
 * A PKCS#10 request as sigstore-python sends it: empty subject, critical
 * BasicConstraints CA:FALSE, ECDSA with SHA-256; PEM in out.
 */
int hwb_sign__csr_pem(EVP_PKEY *key, struct hwb_buf *out, struct hwb_error *err)
{
	X509_REQ *req = X509_REQ_new();
	STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
	X509_EXTENSION *bc = NULL;
	BIO *bio = BIO_new(BIO_s_mem());
	char *pem;
	long n;
	int rc = -1;

	if (!req || !exts || !bio || X509_REQ_set_version(req, 0) != 1 ||
	    X509_REQ_set_pubkey(req, key) != 1 ||
	    !(bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
				       "critical,CA:FALSE")) ||
	    !sk_X509_EXTENSION_push(exts, bc))
		goto cleanup;
	bc = NULL; /* owned by exts */
	if (X509_REQ_add_extensions(req, exts) != 1 ||
	    X509_REQ_sign(req, key, EVP_sha256()) <= 0 ||
	    PEM_write_bio_X509_REQ(bio, req) != 1 ||
	    (n = BIO_get_mem_data(bio, &pem)) <= 0 ||
	    hwb_buf_set(out, pem, (size_t)n))
		goto cleanup;
	rc = 0;
cleanup:
	if (rc) {
		ERR_clear_error();
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-S020",
			      "OpenSSL could not build the certificate request");
	}
	X509_EXTENSION_free(bc);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	BIO_free(bio);
	X509_REQ_free(req);
	return rc;
}
