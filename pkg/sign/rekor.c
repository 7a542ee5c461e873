/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rekor.c: writing a signature into a transparency log. Rekor v1 takes
 * hashedrekord 0.0.1 and dsse 0.0.1 entries and answers in its own API form,
 * which is turned into the bundle's TransparencyLogEntry (also what
 * `verify --online` reads back); Rekor v2 takes hashedrekord 0.0.2 only (a
 * DSSE envelope is logged as the digest of its PAE, protocols.md design
 * constraint 2) and answers with the bundle form itself.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/core/http.h"
#include "pkg/sign/internal.h"

#define MAX_REKOR_REPLY ((size_t)4 << 20)

/* hex text to base64 text, as the bundle form wants. */
static json_t *hex_to_b64(json_t *hex)
{
	struct hwb_buf raw = HWB_BUF_INIT, b64 = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	json_t *out = NULL;

	if (json_is_string(hex) &&
	    !hwb_hex_decode(&raw, json_string_value(hex), json_string_length(hex),
			    &ignored) &&
	    !hwb_base64_encode(&b64, raw.ptr, raw.len, HWB_B64_STD))
		out = json_stringn(b64.ptr, b64.len);
	hwb_buf_release(&raw);
	hwb_buf_release(&b64);
	return out;
}

/* A Rekor v1 API entry in the TransparencyLogEntry form of bundles. */
json_t *hwb_sign__rekor_v1_entry(json_t *api)
{
	json_t *ver = json_object_get(api, "verification");
	json_t *proof = json_object_get(ver, "inclusionProof");
	json_t *hashes = json_array(), *h, *body, *out;
	struct hwb_buf raw = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	const char *b = json_string_value(json_object_get(api, "body"));
	size_t i;

	json_array_foreach(json_object_get(proof, "hashes"), i, h)
		json_array_append_new(hashes, hex_to_b64(h));
	body = b && !hwb_base64_decode(&raw, b, strlen(b), HWB_B64_STD, &ignored)
		       ? json_loadb(raw.ptr, raw.len, 0, NULL) : NULL;
	hwb_buf_release(&raw);
	out = json_pack("{s:O?, s:{s:o?}, s:{s:O?, s:O?}, s:O?, s:{s:O?}, "
			"s:{s:O?, s:o?, s:O?, s:o, s:{s:O?}}, s:O?}",
			"logIndex", json_object_get(api, "logIndex"),
			"logId", "keyId", hex_to_b64(json_object_get(api, "logID")),
			"kindVersion", "kind", json_object_get(body, "kind"),
			"version", json_object_get(body, "apiVersion"),
			"integratedTime", json_object_get(api, "integratedTime"),
			"inclusionPromise", "signedEntryTimestamp",
			json_object_get(ver, "signedEntryTimestamp"),
			"inclusionProof", "logIndex", json_object_get(proof, "logIndex"),
			"rootHash", hex_to_b64(json_object_get(proof, "rootHash")),
			"treeSize", json_object_get(proof, "treeSize"), "hashes", hashes,
			"checkpoint", "envelope", json_object_get(proof, "checkpoint"),
			"canonicalizedBody", json_object_get(api, "body"));
	json_decref(body);
	return out;
}

static int rekor_fail(struct hwb_error *err, const char *url, const char *what)
{
	hwb_error_set(err, HWB_KIND_NETWORK, "HWB-S025", "Rekor (%s): %s", url, what);
	return hwb_error_hint(err, "check that the signing config's rekorTlogUrls name a Rekor of the given API version");
}

static int post_json(struct hwb_http_client *http, const char *url,
		     const struct hwb_buf *body, struct hwb_http_response *resp,
		     struct hwb_error *err)
{
	static const struct hwb_http_header headers[] = {
		{ "Content-Type", "application/json" },
		{ "Accept", "application/json" },
	};
	struct hwb_http_request req = { 0 };

	req.method = body ? HWB_HTTP_POST : HWB_HTTP_GET;
	req.url = url;
	req.service = "Rekor";
	req.headers = headers;
	req.header_count = 2;
	req.body = body ? body->ptr : NULL;
	req.body_len = body ? body->len : 0;
	req.max_response = MAX_REKOR_REPLY;
	/* a repeated entry answers 409 with its Location */
	req.idempotent = 1;
	if (hwb_http_send(http, &req, resp, err))
		return -1;
	if (resp->status == 200 || resp->status == 201 ||
	    (body && resp->status == 409 && resp->location.len))
		return 0;
	return hwb_http_status_error(&req, resp, err);
}

/* The one entry of a v1 answer {"<uuid>": {...}} in bundle form. */
static int v1_answer(const struct hwb_buf *reply, const char *url,
		     json_t **entry, struct hwb_error *err)
{
	json_t *doc = json_loadb(reply->ptr, reply->len, 0, NULL);
	const char *uuid;
	json_t *api, *one = NULL;

	if (!json_is_object(doc) || json_object_size(doc) != 1) {
		json_decref(doc);
		return rekor_fail(err, url, "the answer is not one log entry in Rekor v1's form");
	}
	json_object_foreach(doc, uuid, api)
		one = api;
	*entry = json_is_object(one) ? hwb_sign__rekor_v1_entry(one) : NULL;
	json_decref(doc);
	if (!*entry)
		return rekor_fail(err, url, "the log entry lacks its body, log ID or verification");
	return 0;
}

/* Rekor's Location may be a path: make it a URL on the same base. */
static int location_url(const char *base, const struct hwb_buf *loc,
			struct hwb_buf *out)
{
	const char *p;

	hwb_buf_clear(out);
	if (loc->ptr[0] != '/')
		return hwb_buf_set(out, loc->ptr, loc->len);
	p = strstr(base, "://");
	p = p ? strchr(p + 3, '/') : NULL;
	hwb_buf_put(out, base, p ? (size_t)(p - base) : strlen(base));
	return hwb_buf_put(out, loc->ptr, loc->len);
}

int hwb_sign__rekor_v1_log(struct hwb_http_client *http, const char *base,
			   const struct hwb_buf *proposed, json_t **entry,
			   struct hwb_error *err)
{
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_buf url = HWB_BUF_INIT, again = HWB_BUF_INIT;
	int rc = -1;

	*entry = NULL;
	hwb_buf_printf(&url, "%s/api/v1/log/entries", base);
	if (hwb_buf_check(&url, err) || post_json(http, url.ptr, proposed, &resp, err))
		goto cleanup;
	/* an earlier attempt got in: read the entry where Rekor says it is */
	if (resp.status == 409) {
		if (location_url(base, &resp.location, &again) ||
		    hwb_buf_check(&again, err) ||
		    post_json(http, again.ptr, NULL, &resp, err))
			goto cleanup;
	}
	rc = v1_answer(&resp.body, url.ptr, entry, err);
cleanup:
	hwb_buf_release(&url);
	hwb_buf_release(&again);
	hwb_http_response_release(&resp);
	return rc;
}

int hwb_sign__rekor_v2_log(struct hwb_http_client *http, const char *base,
			   const struct hwb_buf *proposed, json_t **entry,
			   struct hwb_error *err)
{
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_buf url = HWB_BUF_INIT;
	int rc = -1;

	*entry = NULL;
	hwb_buf_printf(&url, "%s/api/v2/log/entries", base);
	if (hwb_buf_check(&url, err) || post_json(http, url.ptr, proposed, &resp, err))
		goto cleanup;
	*entry = json_loadb(resp.body.ptr, resp.body.len, 0, NULL);
	if (!json_is_object(*entry) || resp.status == 409) {
		json_decref(*entry);
		*entry = NULL;
		rekor_fail(err, url.ptr, "the answer is not a TransparencyLogEntry");
		goto cleanup;
	}
	rc = 0;
cleanup:
	hwb_buf_release(&url);
	hwb_http_response_release(&resp);
	return rc;
}

/* base64 of the PEM of a DER certificate, as Rekor v1 wants keys. */
static int cert_pem_b64(struct hwb_buf *out, const struct hwb_buf *der)
{
	struct hwb_buf pem = HWB_BUF_INIT;
	size_t i;
	int rc;

	hwb_buf_puts(&pem, "-----BEGIN CERTIFICATE-----\n");
	for (i = 0; i < der->len; i += 48) {
		hwb_base64_encode(&pem, der->ptr + i, der->len - i < 48 ? der->len - i : 48,
				  HWB_B64_STD);
		hwb_buf_putc(&pem, '\n');
	}
	hwb_buf_puts(&pem, "-----END CERTIFICATE-----\n");
	rc = pem.oom ? -1 : hwb_base64_encode(out, pem.ptr, pem.len, HWB_B64_STD);
	hwb_buf_release(&pem);
	return rc;
}

int hwb_sign__proposed_hashedrekord(struct hwb_buf *out, unsigned version,
				    const uint8_t digest[32],
				    const struct hwb_buf *sig,
				    const struct hwb_buf *cert_der)
{
	hwb_buf_clear(out);
	if (version == 2) {
		hwb_buf_puts(out, "{\"hashedRekordRequestV002\":{\"digest\":\"");
		hwb_base64_encode(out, digest, 32, HWB_B64_STD);
		hwb_buf_puts(out, "\",\"signature\":{\"content\":\"");
		hwb_base64_encode(out, sig->ptr, sig->len, HWB_B64_STD);
		hwb_buf_puts(out, "\",\"verifier\":{\"x509Certificate\":{\"rawBytes\":\"");
		hwb_base64_encode(out, cert_der->ptr, cert_der->len, HWB_B64_STD);
		hwb_buf_puts(out, "\"},\"keyDetails\":\"PKIX_ECDSA_P256_SHA_256\"}}}}");
		return out->oom ? -1 : 0;
	}
	hwb_buf_puts(out, "{\"kind\":\"hashedrekord\",\"apiVersion\":\"0.0.1\",\"spec\":{"
			  "\"signature\":{\"content\":\"");
	hwb_base64_encode(out, sig->ptr, sig->len, HWB_B64_STD);
	hwb_buf_puts(out, "\",\"publicKey\":{\"content\":\"");
	cert_pem_b64(out, cert_der);
	hwb_buf_puts(out, "\"}},\"data\":{\"hash\":{\"algorithm\":\"sha256\",\"value\":\"");
	hwb_hex_encode(out, digest, 32);
	hwb_buf_puts(out, "\"}}}}");
	return out->oom ? -1 : 0;
}

int hwb_sign__proposed_dsse(struct hwb_buf *out, const char *envelope_json,
			    const struct hwb_buf *cert_der)
{
	struct hwb_buf pem = HWB_BUF_INIT;
	json_t *doc;
	char *text;
	int rc = -1;

	if (cert_pem_b64(&pem, cert_der))
		goto cleanup;
	doc = json_pack("{s:s, s:s, s:{s:{s:s, s:[s#]}}}", "kind", "dsse",
			"apiVersion", "0.0.1", "spec", "proposedContent",
			"envelope", envelope_json, "verifiers", pem.ptr, pem.len);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (text)
		rc = hwb_buf_set(out, text, strlen(text));
	free(text);
cleanup:
	hwb_buf_release(&pem);
	return rc;
}
