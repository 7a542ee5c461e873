/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tsa_client.c: an RFC 3161 timestamp over a signature. hwb sends the DER
 * TimeStampReq (`application/timestamp-query`, what RFC 3161 and
 * sigstore-python send; Sigstore's TSA also takes sigstore-js's JSON form):
 * SHA-256 imprint of the signature bytes, a random 64-bit nonce, and the
 * TSA's certificate asked for. The answer must be granted, carry our nonce
 * and verify against a TSA of the trusted root, as `hwb verify` will check.
 */
#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/ts.h>
#include <string.h>

#include "pkg/core/http.h"
#include "pkg/sign/internal.h"

#define MAX_TSA_REPLY ((size_t)256 << 10)

static int tsa_fail(struct hwb_error *err, enum hwb_error_kind kind,
		    const char *url, const char *what)
{
	hwb_error_set(err, kind, "HWB-S026", "TSA (%s): %s", url, what);
	return hwb_error_hint(err, "check that the signing config's tsaUrls and the trusted root's timestampAuthorities describe the same TSA");
}

/* DER TimeStampReq for sha256(sig) with nonce. */
static int build_request(const struct hwb_buf *sig, ASN1_INTEGER **nonce_out,
			 struct hwb_buf *der)
{
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *imprint = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_INTEGER *nonce = NULL;
	BIGNUM *bn = BN_new();
	unsigned char *p = NULL;
	uint8_t digest[32];
	int n, rc = -1;

	if (!req || !imprint || !alg || !bn ||
	    hwb_sign__sha256(sig->ptr, sig->len, digest) ||
	    X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) != 1 ||
	    TS_MSG_IMPRINT_set_algo(imprint, alg) != 1 ||
	    TS_MSG_IMPRINT_set_msg(imprint, digest, 32) != 1 ||
	    TS_REQ_set_version(req, 1) != 1 ||
	    TS_REQ_set_msg_imprint(req, imprint) != 1 ||
	    BN_rand(bn, 64, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
	    !(nonce = BN_to_ASN1_INTEGER(bn, NULL)) ||
	    TS_REQ_set_nonce(req, nonce) != 1 ||
	    TS_REQ_set_cert_req(req, 1) != 1 ||
	    (n = i2d_TS_REQ(req, &p)) <= 0 || hwb_buf_set(der, p, (size_t)n))
		goto cleanup;
	*nonce_out = nonce;
	nonce = NULL;
	rc = 0;
cleanup:
	ERR_clear_error();
	OPENSSL_free(p);
	ASN1_INTEGER_free(nonce);
	BN_free(bn);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(imprint);
	TS_REQ_free(req);
	return rc;
}

/* Granted, with our nonce. */
static int check_reply(const struct hwb_buf *reply, const ASN1_INTEGER *nonce,
		       const char *url, struct hwb_error *err)
{
	const unsigned char *p = (const unsigned char *)reply->ptr;
	TS_RESP *resp = d2i_TS_RESP(NULL, &p, (long)reply->len);
	TS_TST_INFO *info = resp ? TS_RESP_get_tst_info(resp) : NULL;
	long status = resp ? ASN1_INTEGER_get(TS_STATUS_INFO_get0_status(
				     TS_RESP_get_status_info(resp))) : -1;
	const ASN1_INTEGER *got = info ? TS_TST_INFO_get_nonce(info) : NULL;
	int rc = -1;

	if (!resp || p != (const unsigned char *)reply->ptr + reply->len)
		tsa_fail(err, HWB_KIND_NETWORK, url, "the answer is not a DER TimeStampResp");
	else if (status != 0 && status != 1)
		tsa_fail(err, HWB_KIND_NETWORK, url, "the timestamp was not granted");
	else if (!info || !got || ASN1_INTEGER_cmp(got, nonce))
		tsa_fail(err, HWB_KIND_FAILED, url, "the timestamp does not carry the nonce hwb sent");
	else
		rc = 0;
	ERR_clear_error();
	TS_RESP_free(resp);
	return rc;
}

int hwb_sign__tsa_timestamp(struct hwb_http_client *http, const char *url,
			    const struct hwb_sign__trust *trust,
			    pthread_mutex_t *trust_lock, const struct hwb_buf *sig,
			    struct hwb_buf *out, struct hwb_error *err)
{
	static const struct hwb_http_header headers[] = {
		{ "Content-Type", "application/timestamp-query" },
		{ "Accept", "application/timestamp-reply" },
	};
	struct hwb_http_request req = { 0 };
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_buf der = HWB_BUF_INIT;
	ASN1_INTEGER *nonce = NULL;
	int64_t when;
	int rc = -1, bad;

	if (build_request(sig, &nonce, &der)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-S020",
			      "OpenSSL could not build the timestamp request");
		goto cleanup;
	}
	req.method = HWB_HTTP_POST;
	req.url = url;
	req.service = "TSA";
	req.headers = headers;
	req.header_count = 2;
	req.body = der.ptr;
	req.body_len = der.len;
	req.max_response = MAX_TSA_REPLY;
	req.idempotent = 1; /* a second timestamp is only another one */
	if (hwb_http_send(http, &req, &resp, err))
		goto cleanup;
	if (resp.status != 200 && resp.status != 201) {
		hwb_http_status_error(&req, &resp, err);
		goto cleanup;
	}
	if (check_reply(&resp.body, nonce, url, err))
		goto cleanup;
	pthread_mutex_lock(trust_lock);
	bad = hwb_sign__tsa_verify(trust, &resp.body, sig, &when, err);
	pthread_mutex_unlock(trust_lock);
	if (bad) {
		/* a signer's TSA answered: the signer's code, not V010 */
		tsa_fail(err, HWB_KIND_FAILED, url,
			 "the timestamp does not verify against a TSA of the trusted root");
		goto cleanup;
	}
	rc = hwb_buf_set(out, resp.body.ptr, resp.body.len) ? hwb_error_oom(err) : 0;
cleanup:
	ASN1_INTEGER_free(nonce);
	hwb_buf_release(&der);
	hwb_http_response_release(&resp);
	return rc;
}
