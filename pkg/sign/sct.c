/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sct.c: the embedded Signed Certificate Timestamp of a Fulcio certificate
 * (RFC 6962 section 3.2): parses the TLS-encoded SCT list and checks each
 * SCT against the CT log keys of the trust root over the precertificate
 * entry rebuilt from the certificate.
 */
#include <openssl/asn1.h>
#include <openssl/objects.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/sign/internal.h"

#define MAX_SCTS 16
#define SCT_LIST_OID "1.3.6.1.4.1.11129.2.4.2"

static int get16(const uint8_t **p, const uint8_t *end, size_t *out)
{
	if (end - *p < 2)
		return -1;
	*out = ((size_t)(*p)[0] << 8) | (*p)[1];
	*p += 2;
	return 0;
}

static int parse_one(const uint8_t *p, size_t len, struct hwb_sign__sct *s)
{
	const uint8_t *end = p + len;
	size_t n;
	int i;

	if (len < 1 + 32 + 8)
		return -1;
	s->version = *p++;
	if (s->version != 0) /* v1 is the only SCT version */
		return -1;
	memcpy(s->log_id, p, 32);
	p += 32;
	s->timestamp_ms = 0;
	for (i = 0; i < 8; i++)
		s->timestamp_ms = (s->timestamp_ms << 8) | *p++;
	if (get16(&p, end, &n) || (size_t)(end - p) < n)
		return -1;
	s->ext = p;
	s->ext_len = n;
	p += n;
	if (end - p < 2)
		return -1;
	s->hash_alg = *p++;
	s->sig_alg = *p++;
	if (get16(&p, end, &n) || (size_t)(end - p) != n || !n)
		return -1;
	s->sig = p;
	s->sig_len = n;
	return 0;
}

int hwb_sign__sct_list_parse(const uint8_t *p, size_t len,
			     struct hwb_sign__sct *out, size_t max,
			     size_t *count)
{
	const uint8_t *end = p + len;
	size_t total, n;

	*count = 0;
	if (get16(&p, end, &total) || total != (size_t)(end - p) || !total)
		return -1;
	while (p < end) {
		if (get16(&p, end, &n) || (size_t)(end - p) < n || !n ||
		    *count == max || parse_one(p, n, &out[*count]))
			return -1;
		(*count)++;
		p += n;
	}
	return 0;
}

/*
 * The TBS of the certificate without its SCT list: the precertificate.
 * The extension is taken out of leaf for the encoding and put back at the
 * same place: X509_dup(leaf) would decode the public key again, which costs
 * more than the SCT check itself. leaf's own TBS encodes as before after.
 */
static int precert_tbs(X509 *leaf, int idx, struct hwb_buf *out)
{
	X509_EXTENSION *ext = X509_delete_ext(leaf, idx);
	unsigned char *der = NULL;
	int n, rc = -1;

	if (!ext)
		return -1;
	n = i2d_re_X509_tbs(leaf, &der);
	if (!X509_add_ext(leaf, ext, idx))
		goto cleanup;
	if (n > 0)
		rc = hwb_buf_set(out, der, (size_t)n);
cleanup:
	X509_EXTENSION_free(ext);
	OPENSSL_free(der);
	return rc;
}

static int signed_data(struct hwb_buf *out, const struct hwb_sign__sct *s,
		       const uint8_t issuer_hash[32], const struct hwb_buf *tbs)
{
	uint8_t head[12];
	int i;

	head[0] = 0; /* version v1 */
	head[1] = 0; /* signature_type certificate_timestamp */
	for (i = 0; i < 8; i++)
		head[2 + i] = (uint8_t)(s->timestamp_ms >> (56 - 8 * i));
	head[10] = 0; /* entry_type precert_entry = 1 */
	head[11] = 1;
	hwb_buf_put(out, head, sizeof(head));
	hwb_buf_put(out, issuer_hash, 32);
	hwb_buf_putc(out, (char)(tbs->len >> 16));
	hwb_buf_putc(out, (char)(tbs->len >> 8));
	hwb_buf_putc(out, (char)tbs->len);
	hwb_buf_put(out, tbs->ptr, tbs->len);
	hwb_buf_putc(out, (char)(s->ext_len >> 8));
	hwb_buf_putc(out, (char)s->ext_len);
	return hwb_buf_put(out, s->ext, s->ext_len);
}

static int issuer_key_hash(X509 *issuer, uint8_t out[32])
{
	unsigned char *der = NULL;
	int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(issuer), &der), rc = -1;

	if (n > 0)
		rc = hwb_sign__sha256(der, (size_t)n, out);
	OPENSSL_free(der);
	return rc;
}

static int sct_fail(struct hwb_error *err, const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V012",
		      "the certificate's embedded SCT %s", what);
	return hwb_error_hint(err, "the certificate was not logged by a CT log of the trusted root");
}

/* Verify every SCT in the list; at least one must come from a known log. */
static int check_scts(const struct hwb_sign__trust *t,
		      const struct hwb_sign__sct *scts, size_t n,
		      const uint8_t issuer_hash[32], const struct hwb_buf *tbs,
		      struct hwb_error *err)
{
	struct hwb_buf data = HWB_BUF_INIT;
	const struct hwb_sign__log *log;
	size_t i, verified = 0;
	int rc = -1;

	for (i = 0; i < n; i++) {
		if (hwb_sign__find_log(t->ctlogs, t->nctlogs, scts[i].log_id,
				       &log, err))
			goto cleanup;
		if (!log)
			continue;
		if (!hwb_sign__range_contains(&log->valid,
					      (int64_t)(scts[i].timestamp_ms / 1000))) {
			sct_fail(err, "is dated outside its CT log's validity");
			goto cleanup;
		}
		hwb_buf_clear(&data);
		if (signed_data(&data, &scts[i], issuer_hash, tbs)) {
			hwb_error_oom(err);
			goto cleanup;
		}
		if (hwb_sign__verify_sig(log->key, scts[i].sig, scts[i].sig_len,
					 (const uint8_t *)data.ptr, data.len, 0)) {
			sct_fail(err, "signature does not verify with its CT log's key");
			goto cleanup;
		}
		verified++;
	}
	if (!verified) {
		sct_fail(err, "comes from no CT log of the trusted root");
		goto cleanup;
	}
	rc = 0;
cleanup:
	hwb_buf_release(&data);
	return rc;
}

int hwb_sign__sct_verify(const struct hwb_sign__trust *t, X509 *leaf,
			 X509 *issuer, struct hwb_error *err)
{
	struct hwb_sign__sct scts[MAX_SCTS];
	struct hwb_buf tbs = HWB_BUF_INIT;
	ASN1_OBJECT *obj = OBJ_txt2obj(SCT_LIST_OID, 1);
	ASN1_OCTET_STRING *inner = NULL, *data;
	const unsigned char *p;
	uint8_t ihash[32];
	size_t n = 0;
	int idx, rc = -1;

	if (!obj) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if ((idx = X509_get_ext_by_OBJ(leaf, obj, -1)) < 0) {
		sct_fail(err, "is missing");
		goto cleanup;
	}
	data = X509_EXTENSION_get_data(X509_get_ext(leaf, idx));
	p = ASN1_STRING_get0_data(data);
	if (!(inner = d2i_ASN1_OCTET_STRING(NULL, &p, ASN1_STRING_length(data))) ||
	    hwb_sign__sct_list_parse(ASN1_STRING_get0_data(inner),
				     (size_t)ASN1_STRING_length(inner), scts,
				     MAX_SCTS, &n)) {
		sct_fail(err, "list is malformed");
		goto cleanup;
	}
	if (precert_tbs(leaf, idx, &tbs) || issuer_key_hash(issuer, ihash)) {
		sct_fail(err, "could not be rebuilt from the certificate");
		goto cleanup;
	}
	rc = check_scts(t, scts, n, ihash, &tbs, err);
cleanup:
	hwb_buf_release(&tbs);
	ASN1_OCTET_STRING_free(inner);
	ASN1_OBJECT_free(obj);
	return rc;
}
