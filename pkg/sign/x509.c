/* SPDX-License-Identifier: Apache-2.0 */
/*
 * x509.c: the certificate steps of verification: chain the signing
 * certificate to a Fulcio CA valid at a given time, key usage and EKU, and
 * reading the SAN and Fulcio's 1.3.6.1.4.1.57264.1.x extensions. Also the
 * small signature and digest helpers the other steps share.
 */
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "pkg/core/encode.h"
#include "pkg/sign/internal.h"

int hwb_sign__sha256(const void *data, size_t len, uint8_t out[32])
{
	unsigned int n = 32;

	return EVP_Digest(data, len, out, &n, EVP_sha256(), NULL) == 1 ? 0 : -1;
}

int hwb_sign__verify_sig(EVP_PKEY *key, const uint8_t *sig, size_t siglen,
			 const uint8_t *msg, size_t msglen, int prehashed)
{
	int ed = EVP_PKEY_get_base_id(key) == EVP_PKEY_ED25519;
	EVP_PKEY_CTX *pctx = NULL;
	EVP_MD_CTX *mctx = NULL;
	int ok = 0;

	if (prehashed) {
		/* Ed25519 signs the message itself, never a digest */
		if (ed || msglen != 32)
			return -1;
		ok = (pctx = EVP_PKEY_CTX_new(key, NULL)) &&
		     EVP_PKEY_verify_init(pctx) == 1 &&
		     EVP_PKEY_CTX_set_signature_md(pctx, EVP_sha256()) == 1 &&
		     EVP_PKEY_verify(pctx, sig, siglen, msg, msglen) == 1;
	} else {
		ok = (mctx = EVP_MD_CTX_new()) &&
		     EVP_DigestVerifyInit(mctx, NULL, ed ? NULL : EVP_sha256(),
					  NULL, key) == 1 &&
		     EVP_DigestVerify(mctx, sig, siglen, msg, msglen) == 1;
	}
	EVP_PKEY_CTX_free(pctx);
	EVP_MD_CTX_free(mctx);
	return ok ? 0 : -1;
}

X509 *hwb_sign__x509_from_der(const struct hwb_buf *der)
{
	const unsigned char *p = (const unsigned char *)der->ptr;
	X509 *x = d2i_X509(NULL, &p, (long)der->len);

	/* trailing bytes after the certificate are not a certificate */
	if (x && p != (const unsigned char *)der->ptr + der->len) {
		X509_free(x);
		return NULL;
	}
	return x;
}

int hwb_sign__is_ca(X509 *cert)
{
	return X509_check_ca(cert) != 0;
}

static int64_t asn1_time_to_epoch(const ASN1_TIME *t)
{
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	return (int64_t)timegm(&tm);
}

int hwb_sign__leaf_validity(X509 *leaf, int64_t *not_before,
			    int64_t *not_after)
{
	*not_before = asn1_time_to_epoch(X509_get0_notBefore(leaf));
	*not_after = asn1_time_to_epoch(X509_get0_notAfter(leaf));
	return *not_before < 0 || *not_after < 0 ? -1 : 0;
}

/* The times when every certificate of a validated path is valid. */
static void path_window(STACK_OF(X509) *chain, int64_t *from, int64_t *until)
{
	int64_t nb, na;
	int i;

	*from = INT64_MIN;
	*until = INT64_MAX;
	for (i = 0; i < sk_X509_num(chain); i++) {
		if (hwb_sign__leaf_validity(sk_X509_value(chain, i), &nb, &na)) {
			*until = INT64_MIN; /* unreadable: never reuse */
			return;
		}
		*from = nb > *from ? nb : *from;
		*until = na < *until ? na : *until;
	}
}

static int leaf_digest(X509 *leaf, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n = i2d_X509(leaf, &der), rc = -1;

	if (n > 0)
		rc = hwb_sign__sha256(der, (size_t)n, out);
	OPENSSL_free(der);
	return rc;
}

static int try_authority(struct hwb_sign__authority *ca, X509 *leaf,
			 int64_t when, X509 **issuer_out, int *verr)
{
	X509_STORE *store = NULL;
	X509_STORE_CTX *ctx = NULL;
	STACK_OF(X509) *chain;
	uint8_t key[32];
	int i, ok = 0, keyed = !leaf_digest(leaf, key);

	if (keyed && ca->memo_set && !memcmp(key, ca->memo_key, 32) &&
	    when >= ca->memo_from && when <= ca->memo_until) {
		X509_up_ref(ca->memo_issuer);
		*issuer_out = ca->memo_issuer;
		return 1;
	}
	if (!(store = X509_STORE_new()) || !(ctx = X509_STORE_CTX_new()))
		goto cleanup;
	for (i = 0; i < sk_X509_num(ca->chain); i++)
		if (X509_STORE_add_cert(store, sk_X509_value(ca->chain, i)) != 1)
			goto cleanup;
	/* a full path to the self-signed root, as sigstore-python demands */
	X509_STORE_set_flags(store, X509_V_FLAG_X509_STRICT);
	if (X509_STORE_CTX_init(ctx, store, leaf, NULL) != 1)
		goto cleanup;
	X509_STORE_CTX_set_time(ctx, 0, (time_t)when);
	if (X509_verify_cert(ctx) != 1) {
		*verr = X509_STORE_CTX_get_error(ctx);
		if (X509_STORE_CTX_get_error_depth(ctx) == 0 &&
		    (*verr == X509_V_ERR_CERT_HAS_EXPIRED ||
		     *verr == X509_V_ERR_CERT_NOT_YET_VALID))
			*verr = -*verr; /* the leaf's own validity: step 6 */
		goto cleanup;
	}
	chain = X509_STORE_CTX_get0_chain(ctx);
	if (sk_X509_num(chain) < 2)
		goto cleanup;
	*issuer_out = sk_X509_value(chain, 1);
	X509_up_ref(*issuer_out);
	if (keyed) {
		X509_free(ca->memo_issuer);
		X509_up_ref(*issuer_out);
		ca->memo_issuer = *issuer_out;
		memcpy(ca->memo_key, key, 32);
		path_window(chain, &ca->memo_from, &ca->memo_until);
		ca->memo_set = 1;
	}
	ok = 1;
cleanup:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(store);
	return ok;
}

int hwb_sign__chain_verify(const struct hwb_sign__trust *t, X509 *leaf,
			   int64_t when, X509 **issuer_out,
			   struct hwb_error *err)
{
	int verr = 0, any = 0;
	char at[HWB_ISO_TIME_MAX];
	size_t i;

	*issuer_out = NULL;
	for (i = 0; i < t->ncas; i++) {
		if (!hwb_sign__range_contains(&t->cas[i].valid, when))
			continue;
		any = 1;
		if (hwb_sign__authority_decode(&t->cas[i], err))
			return -1;
		if (try_authority(&t->cas[i], leaf, when, issuer_out, &verr))
			return 0;
	}
	hwb_iso_time(when, at, sizeof(at));
	if (verr < 0) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-V017",
			      "the signing time %s is outside the certificate's validity (%s)",
			      at, X509_verify_cert_error_string(-verr));
		return hwb_error_hint(err, "the signature was not made while the certificate was valid");
	}
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V011",
		      "the signing certificate does not chain to a Fulcio CA of the trusted root valid at %s: %s",
		      at,
		      any ? X509_verify_cert_error_string(verr) : "no CA valid then");
	return hwb_error_hint(err, "check --staging / --trusted-root match the instance that signed");
}

int hwb_sign__leaf_usage(X509 *leaf, struct hwb_error *err)
{
	uint32_t ku = X509_get_key_usage(leaf);
	uint32_t xku = X509_get_extended_key_usage(leaf);

	if (hwb_sign__is_ca(leaf))
		return hwb_error_set(err, HWB_KIND_FAILED, "HWB-V013",
				     "the signing certificate is a CA certificate, not a leaf");
	if (ku == UINT32_MAX || !(ku & KU_DIGITAL_SIGNATURE))
		return hwb_error_set(err, HWB_KIND_FAILED, "HWB-V013",
				     "the signing certificate's key usage lacks digitalSignature");
	if (xku == UINT32_MAX || !(xku & XKU_CODE_SIGN))
		return hwb_error_set(err, HWB_KIND_FAILED, "HWB-V013",
				     "the signing certificate's extended key usage lacks codeSigning");
	return 0;
}

int hwb_sign__fulcio_ext(X509 *leaf, int n, struct hwb_buf *out)
{
	char oid[48];
	ASN1_OBJECT *obj = NULL;
	ASN1_OCTET_STRING *data;
	ASN1_UTF8STRING *s = NULL;
	const unsigned char *p;
	int idx, rc = 0;

	hwb_buf_clear(out);
	snprintf(oid, sizeof(oid), "1.3.6.1.4.1.57264.1.%d", n);
	if (!(obj = OBJ_txt2obj(oid, 1)))
		return -1;
	idx = X509_get_ext_by_OBJ(leaf, obj, -1);
	if (idx < 0)
		goto cleanup;
	data = X509_EXTENSION_get_data(X509_get_ext(leaf, idx));
	p = ASN1_STRING_get0_data(data);
	if (n <= 6) {
		/* the deprecated extensions hold the raw string */
		rc = hwb_buf_put(out, p, (size_t)ASN1_STRING_length(data));
		goto cleanup;
	}
	if (!(s = d2i_ASN1_UTF8STRING(NULL, &p, ASN1_STRING_length(data)))) {
		rc = -1;
		goto cleanup;
	}
	rc = hwb_buf_put(out, ASN1_STRING_get0_data(s),
			 (size_t)ASN1_STRING_length(s));
cleanup:
	ASN1_UTF8STRING_free(s);
	ASN1_OBJECT_free(obj);
	return rc;
}

static int othername_value(GENERAL_NAME *gn, struct hwb_buf *out)
{
	ASN1_OBJECT *want = OBJ_txt2obj("1.3.6.1.4.1.57264.1.7", 1);
	OTHERNAME *on = gn->d.otherName;
	int rc = -1;

	if (want && !OBJ_cmp(on->type_id, want) &&
	    on->value->type == V_ASN1_UTF8STRING)
		rc = hwb_buf_put(out, ASN1_STRING_get0_data(on->value->value.utf8string),
				 (size_t)ASN1_STRING_length(on->value->value.utf8string));
	ASN1_OBJECT_free(want);
	return rc;
}

int hwb_sign__leaf_issuer(X509 *leaf, struct hwb_buf *out)
{
	if (hwb_sign__fulcio_ext(leaf, 8, out))
		return -1;
	return out->len ? 0 : hwb_sign__fulcio_ext(leaf, 1, out);
}

int hwb_sign__leaf_san(X509 *leaf, struct hwb_buf *out)
{
	GENERAL_NAMES *names = X509_get_ext_d2i(leaf, NID_subject_alt_name,
						NULL, NULL);
	GENERAL_NAME *gn;
	int i, rc = -1;

	hwb_buf_clear(out);
	for (i = 0; i < sk_GENERAL_NAME_num(names) && rc; i++) {
		gn = sk_GENERAL_NAME_value(names, i);
		if (gn->type == GEN_EMAIL || gn->type == GEN_URI)
			rc = hwb_buf_put(out, ASN1_STRING_get0_data(gn->d.ia5),
					 (size_t)ASN1_STRING_length(gn->d.ia5));
		else if (gn->type == GEN_OTHERNAME)
			rc = othername_value(gn, out);
	}
	GENERAL_NAMES_free(names);
	return rc;
}
