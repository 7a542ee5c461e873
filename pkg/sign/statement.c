/* SPDX-License-Identifier: Apache-2.0 */
/*
 * statement.c: what is made from and around signatures: in-toto v1
 * statements about files, the PEP 740 attestation object of a DSSE bundle
 * (pypi-attestations' `from_bundle`: certificate, the log entry, the
 * statement and its signature), and cosign's detached signature and
 * certificate pair of a message-signature bundle.
 */
#include <openssl/pem.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/sign/internal.h"

static int bundle_fail(struct hwb_error *err, const char *what)
{
	hwb_error_set(err, HWB_KIND_USAGE, "HWB-S029", "%s", what);
	return hwb_error_hint(err, "give a bundle that hwb sign or hwb attest wrote");
}

static int dump_to(json_t *doc, struct hwb_buf *out, size_t flags,
		   struct hwb_error *err)
{
	char *text = doc ? json_dumps(doc, flags) : NULL;
	int rc = text ? hwb_buf_set(out, text, strlen(text)) : -1;

	free(text);
	json_decref(doc);
	return rc ? hwb_error_oom(err) : 0;
}

int hwb_sign_statement_build(struct hwb_buf *out,
			     const struct hwb_sign_subject *subjects, size_t n,
			     const char *predicate_type, const char *predicate,
			     struct hwb_error *err)
{
	json_t *subj = json_array(), *doc = NULL, *pred = NULL;
	size_t i;

	if (!n || !predicate_type || !*predicate_type) {
		json_decref(subj);
		return bundle_fail(err, "a statement needs subjects and a predicate type");
	}
	if (predicate && !(pred = json_loads(predicate, JSON_REJECT_DUPLICATES, NULL))) {
		json_decref(subj);
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-S030",
			      "the predicate is not JSON");
		return hwb_error_hint(err, "give --predicate a file holding one JSON value");
	}
	for (i = 0; subj && i < n; i++)
		json_array_append_new(subj, json_pack("{s:s, s:{s:s}}", "name",
						      subjects[i].name, "digest", "sha256",
						      subjects[i].sha256_hex));
	doc = json_pack("{s:s, s:o, s:s}", "_type", "https://in-toto.io/Statement/v1",
			"subject", subj, "predicateType", predicate_type);
	if (doc && pred)
		json_object_set_new(doc, "predicate", pred);
	else
		json_decref(pred);
	return dump_to(doc, out, JSON_COMPACT, err);
}

int hwb_sign_pep740_from_bundle(const struct hwb_buf *bundle, struct hwb_buf *out,
				struct hwb_error *err)
{
	json_t *b = json_loadb(bundle->ptr, bundle->len, 0, NULL);
	json_t *vm = json_object_get(b, "verificationMaterial");
	json_t *env = json_object_get(b, "dsseEnvelope");
	json_t *cert = json_object_get(json_object_get(vm, "certificate"), "rawBytes");
	json_t *entry = json_array_get(json_object_get(vm, "tlogEntries"), 0);
	json_t *sigs = json_object_get(env, "signatures");
	json_t *payload = json_object_get(env, "payload"), *doc;

	if (!json_is_string(cert) || !json_is_object(entry) || !json_is_string(payload) ||
	    json_array_size(sigs) != 1 ||
	    !json_is_string(json_object_get(json_array_get(sigs, 0), "sig"))) {
		json_decref(b);
		return bundle_fail(err, "a PEP 740 attestation is made from a DSSE bundle v0.3 with one signature and one log entry");
	}
	doc = json_pack("{s:i, s:{s:O, s:[O]}, s:{s:O, s:O}}", "version", 1,
			"verification_material", "certificate", cert,
			"transparency_entries", entry, "envelope", "statement", payload,
			"signature", json_object_get(json_array_get(sigs, 0), "sig"));
	json_decref(b);
	return dump_to(doc, out, JSON_COMPACT, err);
}

int hwb_sign_pep740(struct hwb_signer *s, const char *filename, const char *sha256_hex,
		    struct hwb_buf *out, struct hwb_sign_result *res, struct hwb_error *err)
{
	struct hwb_sign_subject subj = { filename, sha256_hex };
	struct hwb_buf st = HWB_BUF_INIT, bundle = HWB_BUF_INIT;
	int rc = hwb_sign_statement_build(&st, &subj, 1,
					  "https://docs.pypi.org/attestations/publish/v1",
					  NULL, err) ||
		 hwb_sign_statement(s, &st, 1, &bundle, res, err) ||
		 hwb_sign_pep740_from_bundle(&bundle, out, err);

	hwb_buf_release(&st);
	hwb_buf_release(&bundle);
	return rc ? -1 : 0;
}

int hwb_sign_bundle_sig_cert(const struct hwb_buf *bundle, struct hwb_buf *sig_b64,
			     struct hwb_buf *cert_pem, struct hwb_error *err)
{
	json_t *b = json_loadb(bundle->ptr, bundle->len, 0, NULL);
	json_t *sig = json_object_get(json_object_get(b, "messageSignature"), "signature");
	json_t *raw = json_object_get(json_object_get(json_object_get(b,
		"verificationMaterial"), "certificate"), "rawBytes");
	struct hwb_buf der = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	X509 *x = NULL;
	BIO *bio = NULL;
	char *pem;
	long n;
	int rc = -1;

	if (!json_is_string(sig) || !json_is_string(raw) ||
	    hwb_base64_decode(&der, json_string_value(raw), json_string_length(raw),
			      HWB_B64_STD, &ignored) ||
	    !(x = hwb_sign__x509_from_der(&der))) {
		bundle_fail(err, "the bundle has no message signature with a certificate");
		goto cleanup;
	}
	if (!(bio = BIO_new(BIO_s_mem())) || PEM_write_bio_X509(bio, x) != 1 ||
	    (n = BIO_get_mem_data(bio, &pem)) <= 0 ||
	    hwb_buf_set(cert_pem, pem, (size_t)n) ||
	    hwb_buf_set(sig_b64, json_string_value(sig), json_string_length(sig)) ||
	    hwb_buf_putc(sig_b64, '\n')) {
		hwb_error_oom(err);
		goto cleanup;
	}
	rc = 0;
cleanup:
	BIO_free(bio);
	X509_free(x);
	hwb_buf_release(&der);
	json_decref(b);
	return rc;
}
