/* SPDX-License-Identifier: Apache-2.0 */
/*
 * body.c: the last step of verification: the entry logged in Rekor must
 * describe this bundle: same signature, same signer (compared as DER, not
 * PEM text), same artifact digest or DSSE payload. Kinds: hashedrekord
 * 0.0.1 and 0.0.2, dsse 0.0.1, intoto 0.0.2.
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/sign/internal.h"

static int mismatch(struct hwb_error *err, const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V020",
		      "the transparency log entry does not match the bundle: %s", what);
	return hwb_error_hint(err, "the bundle mixes parts of different signatures");
}

static json_t *path(json_t *o, const char *const *keys)
{
	for (; *keys && o; keys++)
		o = json_object_get(o, *keys);
	return o;
}

#define PATH(o, ...) path((o), (const char *const[]){ __VA_ARGS__, NULL })

/* base64 string field equal to the bytes want? */
static int b64_equals(json_t *s, const void *want, size_t len)
{
	struct hwb_buf b = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	int eq;

	eq = json_is_string(s) &&
	     !hwb_base64_decode(&b, json_string_value(s), json_string_length(s),
				HWB_B64_STD, &ignored) &&
	     b.len == len && !memcmp(b.ptr, want, len);
	hwb_buf_release(&b);
	return eq;
}

static int hex_equals(json_t *s, const uint8_t *want, size_t len)
{
	struct hwb_buf h = HWB_BUF_INIT;
	int eq;

	eq = json_is_string(s) && !hwb_hex_encode(&h, want, len) &&
	     json_string_length(s) == h.len &&
	     !memcmp(json_string_value(s), h.ptr, h.len);
	hwb_buf_release(&h);
	return eq;
}

/* The PEM block in bio holds exactly der under label, with no headers. */
static int pem_same_bytes(BIO *bio, const char *label,
			  const struct hwb_buf *der)
{
	char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	long len = 0;
	int eq;

	eq = PEM_read_bio(bio, &name, &header, &data, &len) == 1 &&
	     !strcmp(name, label) && !header[0] && len >= 0 &&
	     (size_t)len == der->len && !memcmp(data, der->ptr, der->len);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	return eq;
}

/*
 * The PEM text (base64 in s) holds the certificate or key der. The usual
 * case, the very bytes of the bundle, is settled without decoding (a
 * decode costs more than the comparison it serves); anything else is
 * decoded and re-encoded, so another encoding of the same value matches.
 */
static int pem_b64_equals(json_t *s, const struct hwb_buf *der, int is_cert)
{
	struct hwb_buf pem = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	unsigned char *out = NULL;
	BIO *bio = NULL;
	X509 *x = NULL;
	EVP_PKEY *k = NULL;
	int n = 0, eq = 0;

	if (!json_is_string(s) ||
	    hwb_base64_decode(&pem, json_string_value(s), json_string_length(s),
			      HWB_B64_STD, &ignored) ||
	    !(bio = BIO_new_mem_buf(pem.ptr, (int)pem.len)))
		goto cleanup;
	if ((eq = pem_same_bytes(bio, is_cert ? PEM_STRING_X509 : PEM_STRING_PUBLIC,
				 der)))
		goto cleanup;
	ERR_clear_error();
	if (BIO_reset(bio) != 1)
		goto cleanup;
	if (is_cert && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)))
		n = i2d_X509(x, &out);
	else if (!is_cert && (k = PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL)))
		n = i2d_PUBKEY(k, &out);
	eq = n > 0 && (size_t)n == der->len && !memcmp(out, der->ptr, der->len);
cleanup:
	OPENSSL_free(out);
	X509_free(x);
	EVP_PKEY_free(k);
	BIO_free(bio);
	hwb_buf_release(&pem);
	return eq;
}

static int hashedrekord_001(json_t *spec, const struct hwb_sign__bundle *b,
			    const struct hwb_sign__artifact *a,
			    const struct hwb_buf *signer, int is_cert,
			    struct hwb_error *err)
{
	json_t *alg = PATH(spec, "data", "hash", "algorithm");

	if (b->is_dsse)
		return mismatch(err, "a hashedrekord 0.0.1 entry for a DSSE envelope");
	if (!json_is_string(alg) || strcmp(json_string_value(alg), "sha256") ||
	    !hex_equals(PATH(spec, "data", "hash", "value"), a->sha256, 32))
		return mismatch(err, "the logged artifact digest differs");
	if (!b64_equals(PATH(spec, "signature", "content"), b->signature.ptr,
			b->signature.len))
		return mismatch(err, "the logged signature differs");
	if (!pem_b64_equals(PATH(spec, "signature", "publicKey", "content"),
			    signer, is_cert))
		return mismatch(err, "the logged certificate or key differs");
	return 0;
}

static int hashedrekord_002(json_t *spec, const struct hwb_sign__bundle *b,
			    const struct hwb_sign__artifact *a,
			    const struct hwb_buf *signer, int is_cert,
			    struct hwb_error *err)
{
	json_t *v = PATH(spec, "hashedRekordV002"), *alg, *raw;
	struct hwb_buf pae = HWB_BUF_INIT;
	uint8_t digest[32];

	alg = PATH(v, "data", "algorithm");
	if (!json_is_string(alg) || strcmp(json_string_value(alg), "SHA2_256"))
		return mismatch(err, "the logged digest is not SHA2_256");
	memcpy(digest, a->sha256, 32);
	/* Rekor v2 logs a DSSE envelope as the digest of its PAE */
	if (b->is_dsse) {
		if (hwb_sign__pae(&pae, &b->payload_type, &b->payload))
			return hwb_error_oom(err);
		hwb_sign__sha256(pae.ptr, pae.len, digest);
		hwb_buf_release(&pae);
	}
	if (!b64_equals(PATH(v, "data", "digest"), digest, 32))
		return mismatch(err, b->is_dsse ? "the logged digest is not the envelope's"
						: "the logged artifact digest differs");
	if (!b64_equals(PATH(v, "signature", "content"), b->signature.ptr,
			b->signature.len))
		return mismatch(err, "the logged signature differs");
	raw = is_cert ? PATH(v, "signature", "verifier", "x509Certificate", "rawBytes")
		      : PATH(v, "signature", "verifier", "publicKey", "rawBytes");
	if (!b64_equals(raw, signer->ptr, signer->len))
		return mismatch(err, "the logged certificate or key differs");
	return 0;
}

static int payload_hash_ok(json_t *ph, const struct hwb_sign__bundle *b)
{
	json_t *alg = json_object_get(ph, "algorithm");
	uint8_t h[32];

	hwb_sign__sha256(b->payload.ptr, b->payload.len, h);
	return json_is_string(alg) && !strcmp(json_string_value(alg), "sha256") &&
	       hex_equals(json_object_get(ph, "value"), h, 32);
}

static int dsse_001(json_t *spec, const struct hwb_sign__bundle *b,
		    const struct hwb_buf *signer, int is_cert,
		    struct hwb_error *err)
{
	json_t *sigs = json_object_get(spec, "signatures");

	if (!b->is_dsse)
		return mismatch(err, "a dsse entry for a message signature");
	if (!payload_hash_ok(json_object_get(spec, "payloadHash"), b))
		return mismatch(err, "the logged payload hash differs");
	if (!json_is_array(sigs) || json_array_size(sigs) != 1)
		return mismatch(err, "the logged envelope has not exactly one signature");
	if (!b64_equals(PATH(json_array_get(sigs, 0), "signature"),
			b->signature.ptr, b->signature.len))
		return mismatch(err, "the logged signature differs");
	if (!pem_b64_equals(PATH(json_array_get(sigs, 0), "verifier"), signer,
			    is_cert))
		return mismatch(err, "the logged certificate or key differs");
	return 0;
}

static int intoto_002(json_t *spec, const struct hwb_sign__bundle *b,
		      const struct hwb_buf *signer, int is_cert,
		      struct hwb_error *err)
{
	json_t *env = PATH(spec, "content", "envelope"), *sigs, *pt;
	struct hwb_buf inner = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	json_t *sig;
	int ok;

	if (!b->is_dsse)
		return mismatch(err, "an intoto entry for a message signature");
	if (!payload_hash_ok(PATH(spec, "content", "payloadHash"), b))
		return mismatch(err, "the logged payload hash differs");
	pt = json_object_get(env, "payloadType");
	if (!json_is_string(pt) || json_string_length(pt) != b->payload_type.len ||
	    memcmp(json_string_value(pt), b->payload_type.ptr, b->payload_type.len))
		return mismatch(err, "the logged payload type differs");
	sigs = json_object_get(env, "signatures");
	if (!json_is_array(sigs) || json_array_size(sigs) != 1)
		return mismatch(err, "the logged envelope has not exactly one signature");
	/* intoto 0.0.2 stores the signature base64-encoded twice */
	sig = json_object_get(json_array_get(sigs, 0), "sig");
	ok = json_is_string(sig) &&
	     !hwb_base64_decode(&inner, json_string_value(sig),
				json_string_length(sig), HWB_B64_STD, &ignored) &&
	     (sig = json_stringn(inner.ptr, inner.len)) != NULL;
	if (ok) {
		ok = b64_equals(sig, b->signature.ptr, b->signature.len);
		json_decref(sig);
	}
	hwb_buf_release(&inner);
	if (!ok)
		return mismatch(err, "the logged signature differs");
	if (!pem_b64_equals(json_object_get(json_array_get(sigs, 0), "publicKey"),
			    signer, is_cert))
		return mismatch(err, "the logged certificate or key differs");
	return 0;
}

int hwb_sign__body_verify(const struct hwb_sign__bundle *b,
			  const struct hwb_sign__artifact *a,
			  const struct hwb_buf *signer_der, int signer_is_cert,
			  struct hwb_error *err)
{
	const struct hwb_sign__entry *e = &b->entry;
	json_t *body = json_loadb(e->body.ptr, e->body.len, 0, NULL), *spec;
	const char *kind = json_string_value(json_object_get(body, "kind"));
	const char *ver = json_string_value(json_object_get(body, "apiVersion"));
	int rc;

	spec = json_object_get(body, "spec");
	if (!kind || !ver || !json_is_object(spec)) {
		rc = mismatch(err, "the logged body is not a Rekor entry");
	} else if (strcmp(kind, e->kind) || strcmp(ver, e->version)) {
		rc = mismatch(err, "the logged kind differs from kindVersion");
	} else if (!strcmp(kind, "hashedrekord") && !strcmp(ver, "0.0.1")) {
		rc = hashedrekord_001(spec, b, a, signer_der, signer_is_cert, err);
	} else if (!strcmp(kind, "hashedrekord") && !strcmp(ver, "0.0.2")) {
		rc = hashedrekord_002(spec, b, a, signer_der, signer_is_cert, err);
	} else if (!strcmp(kind, "dsse") && !strcmp(ver, "0.0.1")) {
		rc = dsse_001(spec, b, signer_der, signer_is_cert, err);
	} else if (!strcmp(kind, "intoto") && !strcmp(ver, "0.0.2")) {
		rc = intoto_002(spec, b, signer_der, signer_is_cert, err);
	} else {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-V020",
			      "unsupported transparency log entry kind %.31s %.15s",
			      kind, ver);
		rc = hwb_error_hint(err, "hwb checks hashedrekord 0.0.1/0.0.2, dsse 0.0.1 and intoto 0.0.2 entries");
	}
	json_decref(body);
	return rc;
}
