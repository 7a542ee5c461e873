/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tsa.c: RFC 3161 timestamps (step 0 of verification). A timestamp counts
 * when a TSA of the trust root signed it, its imprint is the digest of the
 * bundle's signature bytes, and its genTime lies in the TSA's validity
 * window; the TSA chain is validated at genTime, not now, because TSA
 * certificates expire while their timestamps stay good.
 */
#include <openssl/err.h>
#include <openssl/ts.h>
#include <string.h>
#include <time.h>

#include "pkg/sign/internal.h"

static int gen_time(TS_RESP *resp, int64_t *out)
{
	TS_TST_INFO *info = TS_RESP_get_tst_info(resp);
	const ASN1_GENERALIZEDTIME *t = info ? TS_TST_INFO_get_time(info) : NULL;
	struct tm tm;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* Verify resp with one TSA; 1 when it holds. */
static int try_tsa(const struct hwb_sign__authority *tsa, TS_RESP *resp,
		   const struct hwb_buf *signature, int64_t when)
{
	TS_VERIFY_CTX *ctx = TS_VERIFY_CTX_new();
	X509_STORE *store = X509_STORE_new();
	STACK_OF(X509) *certs = sk_X509_new_null();
	BIO *data = BIO_new_mem_buf(signature->ptr, (int)signature->len);
	int i, n = sk_X509_num(tsa->chain), ok = 0;

	if (!ctx || !store || !certs || !data)
		goto cleanup;
	/* the signer may be left out of the token: offer the TSA's leaf */
	if (!sk_X509_push(certs, sk_X509_value(tsa->chain, 0)))
		goto cleanup;
	X509_up_ref(sk_X509_value(tsa->chain, 0));
	for (i = n > 1 ? 1 : 0; i < n; i++)
		if (X509_STORE_add_cert(store, sk_X509_value(tsa->chain, i)) != 1)
			goto cleanup;
	X509_VERIFY_PARAM_set_time(X509_STORE_get0_param(store), (time_t)when);
	TS_VERIFY_CTX_set_flags(ctx, TS_VFY_VERSION | TS_VFY_SIGNATURE |
				     TS_VFY_DATA);
	/* OpenSSL 3.0's setters take ownership */
	TS_VERIFY_CTX_set_store(ctx, store);
	store = NULL;
	TS_VERIFY_CTX_set_certs(ctx, certs);
	certs = NULL;
	TS_VERIFY_CTX_set_data(ctx, data);
	data = NULL;
	ok = TS_RESP_verify_response(ctx, resp) == 1;
cleanup:
	ERR_clear_error();
	BIO_free(data);
	sk_X509_pop_free(certs, X509_free);
	X509_STORE_free(store);
	TS_VERIFY_CTX_free(ctx);
	return ok;
}

/* What a TSA verified: the response and the signature it stamps. */
static int memo_key(const struct hwb_buf *response, const struct hwb_buf *signature,
		    uint8_t out[32])
{
	uint8_t both[64];

	return hwb_sign__sha256(response->ptr, response->len, both) ||
	       hwb_sign__sha256(signature->ptr, signature->len, both + 32) ||
	       hwb_sign__sha256(both, sizeof(both), out);
}

/* A response verified before (by its digest): its genTime, or -1. */
static int64_t remembered(const struct hwb_sign__trust *t, const uint8_t key[32])
{
	size_t i;

	for (i = 0; i < t->ntsas; i++)
		if (t->tsas[i].memo_set && !memcmp(t->tsas[i].memo_key, key, 32))
			return t->tsas[i].memo_from;
	return -1;
}

/* Why a timestamp does not count, for the caller's HWB-V010. */
static int not_counted(struct hwb_error *err, const char *why)
{
	return hwb_error_set(err, HWB_KIND_FAILED, "HWB-V010",
			     "an RFC 3161 timestamp does not count: %s", why);
}

int hwb_sign__tsa_verify(const struct hwb_sign__trust *t,
			 const struct hwb_buf *response,
			 const struct hwb_buf *signature, int64_t *gen_time_out,
			 struct hwb_error *err)
{
	const unsigned char *p = (const unsigned char *)response->ptr;
	TS_RESP *resp = NULL;
	uint8_t key[32];
	int64_t when;
	size_t i;
	int ok = 0;

	if (memo_key(response, signature, key))
		return hwb_error_oom(err);
	if ((when = remembered(t, key)) >= 0) {
		*gen_time_out = when;
		return 0;
	}
	resp = d2i_TS_RESP(NULL, &p, (long)response->len);
	if (!resp || p != (const unsigned char *)response->ptr + response->len ||
	    gen_time(resp, &when)) {
		not_counted(err, "it is not a DER TimeStampResp with a genTime");
		goto cleanup;
	}
	/* a TSA whose certificates do not decode verifies nothing */
	for (i = 0; i < t->ntsas && !ok; i++) {
		struct hwb_sign__authority *tsa = &t->tsas[i];

		if (hwb_sign__range_contains(&tsa->valid, when) &&
		    !hwb_sign__authority_decode(tsa, NULL) &&
		    try_tsa(tsa, resp, signature, when)) {
			memcpy(tsa->memo_key, key, 32);
			tsa->memo_from = when;
			tsa->memo_set = ok = 1;
		}
	}
	if (ok)
		*gen_time_out = when;
	else
		not_counted(err, "no TSA of the trusted root valid at its "
			    "genTime signed it over this signature");
cleanup:
	TS_RESP_free(resp);
	return ok ? 0 : -1;
}
