/* SPDX-License-Identifier: Apache-2.0 */
/*
 * online.c: the cosign verify-blob style form: a detached signature and
 * certificate whose log entry is looked up in Rekor v1 by the artifact's
 * SHA-256 (/api/v1/index/retrieve, then /api/v1/log/entries/UUID), turned
 * into a bundle entry and verified exactly as a bundle. Only with --online.
 */
#include <openssl/pem.h>
#include <string.h>
#include <time.h>

#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/http.h"
#include "pkg/sign/internal.h"

#define MAX_SMALL_FILE ((size_t)1 << 20)
#define MAX_UUIDS 16

static int detached_fail(struct hwb_error *err, const char *file,
			 const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V027", "%s", what);
	hwb_error_hint(err, "give the base64 signature and PEM certificate the signer wrote");
	return hwb_error_at(err, file, 0, 0);
}

/* The signature file: base64 text (cosign writes it so). */
static int read_signature(const char *path, struct hwb_buf *out,
			  struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	int rc = -1;

	if (hwb_file_read_all(path, MAX_SMALL_FILE, &text, err))
		goto cleanup;
	while (text.len && strchr(" \t\r\n", text.ptr[text.len - 1]))
		text.len--;
	if (hwb_base64_decode(out, text.ptr, text.len, HWB_B64_STD, &ignored) ||
	    !out->len) {
		detached_fail(err, path, "the signature file is not base64");
		goto cleanup;
	}
	rc = 0;
cleanup:
	hwb_buf_release(&text);
	return rc;
}

/* The certificate file: PEM, or base64 of PEM; out receives DER. */
static int read_certificate(const char *path, struct hwb_buf *out,
			    struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT, pem = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	unsigned char *der = NULL;
	BIO *bio = NULL;
	X509 *x = NULL;
	int n, rc = -1;

	if (hwb_file_read_all(path, MAX_SMALL_FILE, &text, err))
		goto cleanup;
	if (!memmem(text.ptr, text.len, "-----BEGIN", 10)) {
		while (text.len && strchr(" \t\r\n", text.ptr[text.len - 1]))
			text.len--;
		hwb_base64_decode(&pem, text.ptr, text.len, HWB_B64_STD, &ignored);
	} else {
		hwb_buf_set(&pem, text.ptr, text.len);
	}
	if (!(bio = BIO_new_mem_buf(pem.ptr, (int)pem.len)) ||
	    !(x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) ||
	    (n = i2d_X509(x, &der)) <= 0) {
		detached_fail(err, path, "the certificate file is not a PEM certificate");
		goto cleanup;
	}
	rc = hwb_buf_set(out, der, (size_t)n) ? hwb_error_oom(err) : 0;
cleanup:
	OPENSSL_free(der);
	X509_free(x);
	BIO_free(bio);
	hwb_buf_release(&pem);
	hwb_buf_release(&text);
	return rc;
}

/* The Rekor v1 log of the trust root that is valid now. */
static const char *rekor_url(const struct hwb_verifier *v)
{
	int64_t now = (int64_t)time(NULL);
	size_t i;

	if (v->opts.rekor_url)
		return v->opts.rekor_url;
	/* a key that does not decode is no log to ask */
	for (i = 0; i < v->trust.ntlogs; i++)
		if (hwb_sign__range_contains(&v->trust.tlogs[i].valid, now) &&
		    !hwb_sign__log_decode(&v->trust.tlogs[i], NULL) &&
		    v->trust.tlogs[i].keytype == HWB_SIGN__KEY_EC)
			return v->trust.tlogs[i].base_url;
	return NULL;
}

static int rekor_call(struct hwb_http_client *http, const char *url,
		      const char *body, json_t **out, struct hwb_error *err)
{
	static const struct hwb_http_header headers[] = {
		{ "Content-Type", "application/json" },
		{ "Accept", "application/json" },
	};
	struct hwb_http_request req = { 0 };
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	int rc = -1;

	req.method = body ? HWB_HTTP_POST : HWB_HTTP_GET;
	req.url = url;
	req.service = "Rekor";
	req.headers = headers;
	req.header_count = 2;
	req.body = body;
	req.body_len = body ? strlen(body) : 0;
	req.idempotent = 1;
	if (hwb_http_send(http, &req, &resp, err))
		goto cleanup;
	if (resp.status != 200) {
		hwb_http_status_error(&req, &resp, err);
		goto cleanup;
	}
	if (!(*out = json_loadb(resp.body.ptr, resp.body.len, 0, NULL))) {
		hwb_error_set(err, HWB_KIND_NETWORK, "HWB-V029",
			      "Rekor (%s): the answer is not JSON", url);
		hwb_error_hint(err, "check --rekor-url names a Rekor v1 instance");
		goto cleanup;
	}
	rc = 0;
cleanup:
	hwb_http_response_release(&resp);
	return rc;
}

/* Verify with one Rekor entry; the bundle is v0.2-like: proof required. */
static int try_entry(struct hwb_verifier *v, json_t *api,
		     const struct hwb_buf *cert, const struct hwb_buf *sig,
		     const struct hwb_sign__artifact *a, const char *url,
		     struct hwb_verify_result *res, struct hwb_error *err)
{
	struct hwb_sign__bundle b;
	json_t *entry = hwb_sign__rekor_v1_entry(api);
	int rc = -1;

	hwb_sign__bundle_init(&b);
	b.version = 2;
	b.material = HWB_SIGN__MAT_CERT;
	b.ncerts = 1;
	if (hwb_buf_set(&b.certs[0], cert->ptr, cert->len) ||
	    hwb_buf_set(&b.signature, sig->ptr, sig->len)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (!entry || hwb_sign__entry_from_json(&b.entry, entry, url, err))
		goto cleanup;
	if (!b.entry.has_proof || !b.entry.checkpoint.len || !b.entry.set.len) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-V028",
			      "Rekor's entry has no inclusion proof, checkpoint or SET");
		hwb_error_hint(err, "ask a Rekor v1 instance that returns them");
		goto cleanup;
	}
	rc = hwb_sign__verify_parsed(v, &b, a, url, res, err);
cleanup:
	json_decref(entry);
	hwb_sign__bundle_release(&b);
	return rc;
}

static int lookup_and_verify(struct hwb_verifier *v, const char *base,
			     const struct hwb_sign__artifact *a,
			     const struct hwb_buf *cert, const struct hwb_buf *sig,
			     struct hwb_verify_result *res, struct hwb_error *err)
{
	struct hwb_http_options hopts = HWB_HTTP_OPTIONS_INIT;
	struct hwb_http_client *http = NULL;
	struct hwb_buf url = HWB_BUF_INIT, body = HWB_BUF_INIT;
	json_t *uuids = NULL, *entries = NULL, *u, *api;
	const char *key;
	size_t i;
	int rc = -1, tried = 0;

	if (v->opts.http)
		hopts = *v->opts.http;
	hwb_buf_puts(&body, "{\"hash\":\"sha256:");
	hwb_hex_encode(&body, a->sha256, 32);
	hwb_buf_puts(&body, "\"}");
	hwb_buf_printf(&url, "%s/api/v1/index/retrieve", base);
	if (hwb_buf_check(&body, err) || hwb_buf_check(&url, err) ||
	    hwb_http_client_new(&http, &hopts, err) ||
	    rekor_call(http, url.ptr, body.ptr, &uuids, err))
		goto cleanup;
	json_array_foreach(uuids, i, u) {
		if (!json_is_string(u) || i == MAX_UUIDS)
			break;
		hwb_buf_clear(&url);
		hwb_buf_printf(&url, "%s/api/v1/log/entries/%s", base, json_string_value(u));
		json_decref(entries);
		entries = NULL;
		if (hwb_buf_check(&url, err) || rekor_call(http, url.ptr, NULL, &entries, err))
			goto cleanup;
		json_object_foreach(entries, key, api) {
			/* another signature of the same file fails; try the next */
			tried++;
			if (!try_entry(v, api, cert, sig, a, base, res, err)) {
				rc = 0;
				goto cleanup;
			}
		}
	}
	if (!tried) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-V028",
			      "Rekor (%s) has no entry for this file's SHA-256", base);
		hwb_error_hint(err, "the signature was never logged, or was logged in another instance (--staging)");
	}
cleanup:
	json_decref(uuids);
	json_decref(entries);
	hwb_http_client_free(http);
	hwb_buf_release(&url);
	hwb_buf_release(&body);
	return rc;
}

int hwb_verify_detached(struct hwb_verifier *v, const char *artifact,
			const char *signature_path, const char *cert_path,
			struct hwb_verify_result *res, struct hwb_error *err)
{
	struct hwb_sign__artifact a;
	struct hwb_buf sig = HWB_BUF_INIT, cert = HWB_BUF_INIT;
	const char *base;
	int rc = -1;

	if (!v->opts.online) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-V030",
			      "a detached signature carries no log entry: verifying it needs a Rekor look-up");
		hwb_error_hint(err, "add --online, or verify a Sigstore bundle offline");
		goto cleanup;
	}
	if (!(base = rekor_url(v))) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-V030",
			      "the trusted root names no Rekor v1 log valid now");
		hwb_error_hint(err, "give --rekor-url URL");
		goto cleanup;
	}
	if (hwb_sign__artifact_load(&a, artifact, err) ||
	    read_signature(signature_path, &sig, err) ||
	    read_certificate(cert_path, &cert, err))
		goto cleanup;
	rc = lookup_and_verify(v, base, &a, &cert, &sig, res, err);
cleanup:
	hwb_buf_release(&sig);
	hwb_buf_release(&cert);
	return rc;
}
