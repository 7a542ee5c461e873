/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fulcio.c: the signing certificate. One POST to Fulcio v2 (the CSR form,
 * the token as a bearer credential), then what sigstore-python checks at
 * once: an embedded SCT, a chain of at least two, and here also the
 * whole verifier's steps 1-3 against our trust root (chain, SCT, usage),
 * the certificate's key being ours, and its identity being the token's.
 * Nothing is signed with a certificate that `hwb verify` would refuse.
 */
#include <openssl/err.h>
#include <openssl/pem.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "pkg/core/encode.h"
#include "pkg/core/http.h"
#include "pkg/core/oidc.h"
#include "pkg/sign/internal.h"

#define MAX_FULCIO_REPLY ((size_t)1 << 20)

static int fulcio_fail(struct hwb_error *err, enum hwb_error_kind kind,
		       const char *code, const char *url, const char *what,
		       const char *fix)
{
	hwb_error_set(err, kind, code, "Fulcio (%s): %s", url, what);
	return hwb_error_hint(err, "%s", fix);
}

/* The request body: {"certificateSigningRequest": base64(PEM CSR)}. */
static int request_body(EVP_PKEY *key, struct hwb_buf *body,
			struct hwb_error *err)
{
	struct hwb_buf pem = HWB_BUF_INIT;
	int rc = -1;

	if (hwb_sign__csr_pem(key, &pem, err))
		goto cleanup;
	hwb_buf_puts(body, "{\"certificateSigningRequest\":\"");
	hwb_base64_encode(body, pem.ptr, pem.len, HWB_B64_STD);
	hwb_buf_puts(body, "\"}");
	rc = hwb_buf_check(body, err);
cleanup:
	hwb_buf_release(&pem);
	return rc;
}

/* The PEM certificates of the answer, as DER into ders[0..*n). */
static int parse_chain(const struct hwb_buf *reply, const char *url,
		       struct hwb_buf *ders, size_t max, size_t *n,
		       struct hwb_error *err)
{
	json_t *doc = json_loadb(reply->ptr, reply->len, 0, NULL), *c;
	json_t *certs = json_object_get(json_object_get(json_object_get(doc,
		"signedCertificateEmbeddedSct"), "chain"), "certificates");
	size_t i;
	int rc = -1;

	*n = 0;
	if (!json_is_object(doc)) {
		fulcio_fail(err, HWB_KIND_NETWORK, "HWB-S021", url,
			    "the answer is not a JSON object",
			    "check that the signing config's caUrls name a Fulcio v2 service");
		goto cleanup;
	}
	if (json_object_get(doc, "signedCertificateDetachedSct")) {
		fulcio_fail(err, HWB_KIND_NETWORK, "HWB-S022", url,
			    "the certificate came with a detached SCT; hwb accepts only an embedded SCT, as sigstore-python does",
			    "use a Fulcio instance that embeds SCTs (every public one does)");
		goto cleanup;
	}
	if (!json_is_array(certs) || json_array_size(certs) < 2 ||
	    json_array_size(certs) > max) {
		fulcio_fail(err, HWB_KIND_NETWORK, "HWB-S022", url,
			    "the answer has no signedCertificateEmbeddedSct.chain of 2 or more certificates",
			    "check that the signing config's caUrls name a Fulcio v2 service");
		goto cleanup;
	}
	json_array_foreach(certs, i, c) {
		const char *pem = json_string_value(c);
		BIO *bio = pem ? BIO_new_mem_buf(pem, (int)json_string_length(c)) : NULL;
		X509 *x = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
		unsigned char *der = NULL;
		int len = x ? i2d_X509(x, &der) : -1;

		if (len > 0)
			hwb_buf_set(&ders[i], der, (size_t)len);
		OPENSSL_free(der);
		X509_free(x);
		BIO_free(bio);
		ERR_clear_error();
		if (len <= 0) {
			fulcio_fail(err, HWB_KIND_NETWORK, "HWB-S022", url,
				    "a certificate of the chain is not PEM X.509",
				    "check that the signing config's caUrls name a Fulcio v2 service");
			goto cleanup;
		}
		if (hwb_buf_check(&ders[i], err))
			goto cleanup;
		(*n)++;
	}
	rc = 0;
cleanup:
	json_decref(doc);
	return rc;
}

/* The certificate must certify our key and the token's identity. */
static int check_binding(X509 *leaf, EVP_PKEY *key,
			 const struct hwb_oidc_token *token,
			 const char *federating_issuer, const char *url,
			 struct hwb_error *err)
{
	struct hwb_buf san = HWB_BUF_INIT, iss = HWB_BUF_INIT;
	int rc = -1;

	if (EVP_PKEY_eq(X509_get0_pubkey(leaf), key) != 1) {
		fulcio_fail(err, HWB_KIND_FAILED, "HWB-S023", url,
			    "the certificate is for another public key than the one hwb sent",
			    "this Fulcio cannot be trusted; check the signing config");
		goto cleanup;
	}
	if (hwb_sign__leaf_san(leaf, &san) || hwb_sign__leaf_issuer(leaf, &iss)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (token->claims.identity[0] && strcmp(san.ptr ? san.ptr : "",
						token->claims.identity)) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-S024",
			      "Fulcio (%s): the certificate names \"%s\", but the token's identity is \"%s\"",
			      url, san.ptr ? san.ptr : "", token->claims.identity);
		hwb_error_hint(err, "this Fulcio cannot be trusted; check the signing config");
		goto cleanup;
	}
	/* a federating issuer (Sigstore's own OAuth) names the upstream one */
	if (strcmp(iss.ptr ? iss.ptr : "", token->claims.iss) &&
	    !(federating_issuer && !strcmp(token->claims.iss, federating_issuer))) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-S024",
			      "Fulcio (%s): the certificate's OIDC issuer is \"%s\", but the token's is \"%s\"",
			      url, iss.ptr ? iss.ptr : "", token->claims.iss);
		hwb_error_hint(err, "this Fulcio cannot be trusted; check the signing config");
		goto cleanup;
	}
	rc = 0;
cleanup:
	hwb_buf_release(&san);
	hwb_buf_release(&iss);
	return rc;
}

/* Steps 1-3 of verification on the new certificate, at issuance. */
static int check_certificate(const struct hwb_sign__trust *trust, X509 *leaf,
			     const char *url, struct hwb_error *err)
{
	X509 *issuer = NULL;
	char why[sizeof(err->message) + sizeof(err->code) + 4];
	int64_t nb, na;
	int rc;

	if (hwb_sign__leaf_validity(leaf, &nb, &na))
		return fulcio_fail(err, HWB_KIND_FAILED, "HWB-S023", url,
				   "the certificate has no readable validity",
				   "check the signing config's caUrls");
	/* the chain as of its own start: our clock may trail Fulcio's */
	rc = hwb_sign__chain_verify(trust, leaf, nb, &issuer, err) ||
	     hwb_sign__sct_verify(trust, leaf, issuer, err) ||
	     hwb_sign__leaf_usage(leaf, err);
	X509_free(issuer);
	if (!rc)
		return 0;
	snprintf(why, sizeof(why), "%s: %s", err->code, err->message);
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-S023",
		      "Fulcio (%s): the new certificate fails verification against the trusted root (%s)",
		      url, why);
	return hwb_error_hint(err, "the trusted root and signing config must describe the same instance (--trusted-root with --signing-config, or --staging)");
}

int hwb_sign__fulcio_certify(struct hwb_http_client *http, const char *base,
			     const struct hwb_oidc_token *token, EVP_PKEY *key,
			     const struct hwb_sign__trust *trust,
			     const char *federating_issuer, struct hwb_buf *leaf_der,
			     struct hwb_error *err)
{
	struct hwb_http_header headers[3] = {
		{ "Content-Type", "application/json" },
		{ "Accept", "application/json" },
		{ "Authorization", NULL },
	};
	struct hwb_http_request req = { 0 };
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_buf body = HWB_BUF_INIT, url = HWB_BUF_INIT, auth = HWB_BUF_INIT;
	struct hwb_buf ders[HWB_SIGN__MAX_CERTS];
	size_t i, n = 0;
	X509 *leaf = NULL;
	int rc = -1;

	for (i = 0; i < HWB_SIGN__MAX_CERTS; i++)
		hwb_buf_init(&ders[i]);
	hwb_buf_printf(&url, "%s/api/v2/signingCert", base);
	hwb_buf_printf(&auth, "Bearer %s", token->jwt);
	if (hwb_buf_check(&url, err) || hwb_buf_check(&auth, err) ||
	    request_body(key, &body, err))
		goto cleanup;
	headers[2].value = auth.ptr;
	req.method = HWB_HTTP_POST;
	req.url = url.ptr;
	req.service = "Fulcio";
	req.headers = headers;
	req.header_count = 3;
	req.body = body.ptr;
	req.body_len = body.len;
	req.max_response = MAX_FULCIO_REPLY;
	req.idempotent = 1; /* a second certificate is only another one */
	if (hwb_http_send(http, &req, &resp, err))
		goto cleanup;
	if (resp.status != 200 && resp.status != 201) {
		hwb_http_status_error(&req, &resp, err);
		if (resp.status == 401 || resp.status == 403)
			hwb_error_hint(err, "Fulcio refused the identity token: check that it is fresh and for audience \"sigstore\", from an issuer this instance trusts");
		goto cleanup;
	}
	if (parse_chain(&resp.body, url.ptr, ders, HWB_SIGN__MAX_CERTS, &n, err))
		goto cleanup;
	if (!(leaf = hwb_sign__x509_from_der(&ders[0]))) {
		fulcio_fail(err, HWB_KIND_NETWORK, "HWB-S022", url.ptr,
			    "the leaf certificate does not decode",
			    "check that the signing config's caUrls name a Fulcio v2 service");
		goto cleanup;
	}
	if (check_binding(leaf, key, token, federating_issuer, url.ptr, err) ||
	    check_certificate(trust, leaf, url.ptr, err))
		goto cleanup;
	rc = hwb_buf_set(leaf_der, ders[0].ptr, ders[0].len) ? hwb_error_oom(err) : 0;
cleanup:
	X509_free(leaf);
	for (i = 0; i < HWB_SIGN__MAX_CERTS; i++)
		hwb_buf_release(&ders[i]);
	/* the header held the token */
	OPENSSL_cleanse(auth.ptr, auth.len);
	hwb_buf_release(&auth);
	hwb_buf_release(&body);
	hwb_buf_release(&url);
	hwb_http_response_release(&resp);
	return rc;
}
