/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trustroot.c: reads a trusted_root.json (the Fulcio CAs, Rekor logs, CT
 * logs and TSAs with their validity windows, inclusive at both ends) and
 * gives access to the production and staging roots embedded by trust.S.
 */
#include <openssl/x509.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/sign/internal.h"

extern const char hwb_sign__root_production[];
extern const char hwb_sign__root_production_end[];
extern const char hwb_sign__root_staging[];
extern const char hwb_sign__root_staging_end[];

/* A trust root with more entries than this is not one we were meant to read. */
#define MAX_AUTHORITIES 64

const char *hwb_verify_embedded_root(int staging, size_t *len)
{
	if (staging) {
		*len = (size_t)(hwb_sign__root_staging_end - hwb_sign__root_staging);
		return hwb_sign__root_staging;
	}
	*len = (size_t)(hwb_sign__root_production_end - hwb_sign__root_production);
	return hwb_sign__root_production;
}

static int digits(const char *s, int n, int *out)
{
	int i, v = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int hwb_sign__parse_rfc3339(const char *s, int64_t *out)
{
	struct tm tm;
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	const char *p;

	memset(&tm, 0, sizeof(tm));
	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' ||
	    digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) ||
	    s[16] != ':' || digits(s + 17, 2, &sec))
		return -1;
	p = s + 19;
	if (*p == '.') /* fractions of a second are dropped */
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? 1 : -1;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om))
			return -1;
		p += 6;
	} else {
		return -1;
	}
	if (*p || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    sec > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	*out = (int64_t)timegm(&tm) + sign * (oh * 3600 + om * 60);
	return 0;
}

int hwb_sign__range_contains(const struct hwb_sign__range *r, int64_t t)
{
	return t >= r->start && (!r->has_end || t <= r->end);
}

static int bad_root(struct hwb_error *err, const char *file, const char *what)
{
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-V006",
		      "not a usable trusted root: %s", what);
	hwb_error_hint(err, "give a trusted_root.json from a Sigstore TUF repository");
	return hwb_error_at(err, file, 0, 0);
}

static int parse_range(json_t *obj, struct hwb_sign__range *r,
		       const char *file, struct hwb_error *err)
{
	if (hwb_sign__pb_range(obj, "validFor", r))
		return bad_root(err, file, "a validFor is missing, or its start or end is not RFC 3339");
	return 0;
}

/*
 * Absent scalars read as their zero value (pbjson.c): no baseUrl is "", no
 * keyDetails is unspecified, no rawBytes an empty key that fails to decode
 * when the log is used, no keyId a log ID of the wrong size. The messages
 * publicKey and logId must be there.
 */
static int parse_log(struct hwb_sign__log *l, json_t *obj, const char *file,
		     struct hwb_error *err)
{
	json_t *pk = NULL, *log_id = NULL;
	struct hwb_buf id = HWB_BUF_INIT;
	const char *url = hwb_sign__pb_string(obj, "baseUrl");
	const char *details;
	int rc = -1;

	hwb_buf_init(&l->der);
	if (hwb_sign__pb_message(obj, "publicKey", &pk) || !pk ||
	    hwb_sign__pb_message(obj, "logId", &log_id) || !log_id) {
		bad_root(err, file, "a log has no publicKey or logId object");
		goto cleanup;
	}
	details = hwb_sign__pb_string(pk, "keyDetails");
	if (!url || !details ||
	    hwb_sign__json_bytes(pk, "rawBytes", &l->der, file, err) ||
	    hwb_sign__json_bytes(log_id, "keyId", &id, file, err)) {
		bad_root(err, file, "a log's baseUrl, keyDetails, rawBytes or keyId is malformed");
		goto cleanup;
	}
	if (id.len != 32 || parse_range(pk, &l->valid, file, err)) {
		if (id.len != 32)
			bad_root(err, file, "a log ID is not 32 bytes");
		goto cleanup;
	}
	memcpy(l->log_id, id.ptr, 32);
	/* PKCS1_RSA_* keys are a bare RSAPublicKey, not an SPKI */
	l->pkcs1 = details && !strncmp(details, "PKCS1_RSA", 9);
	if (!(l->base_url = hwb_strdup(url))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	rc = 0;
cleanup:
	hwb_buf_release(&id);
	return rc;
}

int hwb_sign__log_decode(struct hwb_sign__log *l, struct hwb_error *err)
{
	const unsigned char *p = (const unsigned char *)l->der.ptr;

	if (l->key)
		return 0;
	/* d2i_PUBKEY: one provider decoder for the SPKI, as OSSL_DECODER would do */
	l->key = d2i_PUBKEY(NULL, &p, (long)l->der.len);
	if (!l->key && l->pkcs1) {
		p = (const unsigned char *)l->der.ptr;
		l->key = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)l->der.len);
	}
	if (!l->key)
		return bad_root(err, "", "a log key is not a DER public key");
	switch (EVP_PKEY_get_base_id(l->key)) {
	case EVP_PKEY_EC: l->keytype = HWB_SIGN__KEY_EC; return 0;
	case EVP_PKEY_ED25519: l->keytype = HWB_SIGN__KEY_ED25519; return 0;
	case EVP_PKEY_RSA: l->keytype = HWB_SIGN__KEY_RSA; return 0;
	}
	EVP_PKEY_free(l->key);
	l->key = NULL;
	return bad_root(err, "", "a log key is of an unsupported type");
}

static int parse_authority(struct hwb_sign__authority *a, json_t *obj,
			   const char *file, struct hwb_error *err)
{
	json_t *certs = json_object_get(json_object_get(obj, "certChain"),
					"certificates"), *item;
	const char *uri = hwb_sign__pb_string(obj, "uri");
	size_t i;

	if (!json_is_array(certs) || !json_array_size(certs) ||
	    json_array_size(certs) > HWB_SIGN__MAX_CERTS)
		return bad_root(err, file, "an authority has no certificate chain");
	if (!uri)
		return bad_root(err, file, "an authority's uri is not a string");
	if (!(a->uri = hwb_strdup(uri)))
		return hwb_error_oom(err);
	json_array_foreach(certs, i, item) {
		hwb_buf_init(&a->ders[i]);
		a->nders++;
		if (hwb_sign__json_bytes(item, "rawBytes", &a->ders[i], file, err))
			return -1;
	}
	return parse_range(obj, &a->valid, file, err);
}

int hwb_sign__authority_decode(struct hwb_sign__authority *a,
			       struct hwb_error *err)
{
	X509 *x = NULL;
	size_t i;

	if (a->chain)
		return 0;
	if (!(a->chain = sk_X509_new_null()))
		return hwb_error_oom(err);
	for (i = 0; i < a->nders; i++) {
		if (!(x = hwb_sign__x509_from_der(&a->ders[i])))
			goto bad;
		if (!sk_X509_push(a->chain, x)) {
			X509_free(x);
			sk_X509_pop_free(a->chain, X509_free);
			a->chain = NULL;
			return hwb_error_oom(err);
		}
	}
	return 0;
bad:
	sk_X509_pop_free(a->chain, X509_free);
	a->chain = NULL;
	return bad_root(err, "", "an authority certificate is not DER X.509");
}

/* Allocate *out for the array at key and parse each element with fn. */
static int parse_list(json_t *root, const char *key, void **out, size_t *n,
		      size_t elem, const char *file, struct hwb_error *err,
		      int (*fn)(void *, json_t *, const char *, struct hwb_error *))
{
	json_t *list = json_object_get(root, key), *item;
	size_t i;

	*n = 0;
	if (!list)
		return 0;
	if (!json_is_array(list) || json_array_size(list) > MAX_AUTHORITIES)
		return bad_root(err, file, "a list of authorities is malformed");
	if (!json_array_size(list))
		return 0;
	if (!(*out = calloc(json_array_size(list), elem)))
		return hwb_error_oom(err);
	json_array_foreach(list, i, item) {
		(*n)++;
		if (fn((char *)*out + i * elem, item, file, err))
			return -1;
	}
	return 0;
}

static int log_cb(void *l, json_t *o, const char *f, struct hwb_error *e)
{
	return parse_log(l, o, f, e);
}

static int auth_cb(void *a, json_t *o, const char *f, struct hwb_error *e)
{
	return parse_authority(a, o, f, e);
}

int hwb_sign__trust_parse(struct hwb_sign__trust *t, const char *text,
			  size_t len, const char *file, struct hwb_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, 0, &jerr);
	const char *mt = json_string_value(json_object_get(root, "mediaType"));
	int rc = -1;

	memset(t, 0, sizeof(*t));
	if (!root) {
		bad_root(err, file, jerr.text);
		return hwb_error_at(err, file, (unsigned)jerr.line,
				    (unsigned)jerr.column);
	}
	if (!mt || strncmp(mt, "application/vnd.dev.sigstore.trustedroot", 40)) {
		bad_root(err, file, "the mediaType is not a Sigstore trusted root");
		goto cleanup;
	}
	if (parse_list(root, "tlogs", (void **)&t->tlogs, &t->ntlogs,
		       sizeof(*t->tlogs), file, err, log_cb) ||
	    parse_list(root, "ctlogs", (void **)&t->ctlogs, &t->nctlogs,
		       sizeof(*t->ctlogs), file, err, log_cb) ||
	    parse_list(root, "certificateAuthorities", (void **)&t->cas, &t->ncas,
		       sizeof(*t->cas), file, err, auth_cb) ||
	    parse_list(root, "timestampAuthorities", (void **)&t->tsas, &t->ntsas,
		       sizeof(*t->tsas), file, err, auth_cb))
		goto cleanup;
	rc = 0;
cleanup:
	json_decref(root);
	return rc;
}

static void release_logs(struct hwb_sign__log *l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		EVP_PKEY_free(l[i].key);
		hwb_buf_release(&l[i].der);
		free(l[i].base_url);
	}
	free(l);
}

static void release_authorities(struct hwb_sign__authority *a, size_t n)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		sk_X509_pop_free(a[i].chain, X509_free);
		for (j = 0; j < a[i].nders; j++)
			hwb_buf_release(&a[i].ders[j]);
		free(a[i].uri);
	}
	free(a);
}

void hwb_sign__trust_release(struct hwb_sign__trust *t)
{
	release_logs(t->tlogs, t->ntlogs);
	release_logs(t->ctlogs, t->nctlogs);
	release_authorities(t->cas, t->ncas);
	release_authorities(t->tsas, t->ntsas);
	memset(t, 0, sizeof(*t));
}

int hwb_sign__find_log(struct hwb_sign__log *logs, size_t n,
		       const uint8_t id[32], const struct hwb_sign__log **out,
		       struct hwb_error *err)
{
	size_t i;

	*out = NULL;
	for (i = 0; i < n; i++)
		if (!memcmp(logs[i].log_id, id, 32)) {
			if (hwb_sign__log_decode(&logs[i], err))
				return -1;
			*out = &logs[i];
			return 0;
		}
	return 0;
}
