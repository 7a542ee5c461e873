/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the offline parts of pkg/sign's signer: the ephemeral key
 * and its CSR, the proposed log entries, in-toto statements, the PEP 740
 * form of a DSSE bundle and cosign's signature/certificate pair. The
 * services themselves are exercised end to end (tests/e2e/test_sign.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/sign/internal.h"

static EVP_PKEY *key;

static int setup(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	return hwb_sign__key_new(&key, &err);
}

static int teardown(void **state)
{
	(void)state;
	EVP_PKEY_free(key);
	return 0;
}

static void test_key_is_p256_and_signs(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf sig = HWB_BUF_INIT;
	uint8_t digest[32];
	char group[32];
	size_t n;

	(void)state;
	assert_int_equal(EVP_PKEY_get_group_name(key, group, sizeof(group), &n), 1);
	assert_string_equal(group, "prime256v1");
	memset(digest, 7, sizeof(digest));
	assert_int_equal(hwb_sign__key_sign_digest(key, digest, &sig, &err), 0);
	assert_true(sig.len > 60 && sig.len <= 72); /* DER ECDSA P-256 */
	assert_int_equal(hwb_sign__verify_sig(key, (uint8_t *)sig.ptr, sig.len,
					      digest, 32, 1), 0);
	digest[0] ^= 1;
	assert_int_not_equal(hwb_sign__verify_sig(key, (uint8_t *)sig.ptr, sig.len,
						  digest, 32, 1), 0);
	hwb_buf_release(&sig);
}

static void test_csr_as_sigstore_python_sends_it(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf pem = HWB_BUF_INIT;
	STACK_OF(X509_EXTENSION) *exts;
	BASIC_CONSTRAINTS *bc;
	X509_REQ *req;
	BIO *bio;
	int crit = 0;

	(void)state;
	assert_int_equal(hwb_sign__csr_pem(key, &pem, &err), 0);
	assert_non_null(strstr(pem.ptr, "-----BEGIN CERTIFICATE REQUEST-----"));
	bio = BIO_new_mem_buf(pem.ptr, (int)pem.len);
	req = PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL);
	assert_non_null(req);
	assert_int_equal(X509_REQ_verify(req, key), 1); /* proof of possession */
	assert_int_equal(X509_NAME_entry_count(X509_REQ_get_subject_name(req)), 0);
	exts = X509_REQ_get_extensions(req);
	bc = X509V3_get_d2i(exts, NID_basic_constraints, &crit, NULL);
	assert_non_null(bc);
	assert_int_equal(crit, 1);
	assert_false(bc->ca);
	assert_int_equal(EVP_PKEY_eq(X509_REQ_get0_pubkey(req), key), 1);
	BASIC_CONSTRAINTS_free(bc);
	sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
	X509_REQ_free(req);
	BIO_free(bio);
	hwb_buf_release(&pem);
}

static void test_proposed_hashedrekord(void **state)
{
	struct hwb_buf out = HWB_BUF_INIT, sig = HWB_BUF_INIT, cert = HWB_BUF_INIT;
	uint8_t digest[32];
	json_t *doc;

	(void)state;
	memset(digest, 0xab, 32);
	hwb_buf_set(&sig, "\x30\x01\x02", 3);
	hwb_buf_set(&cert, "\x30\x82\x01", 3);
	assert_int_equal(hwb_sign__proposed_hashedrekord(&out, 1, digest, &sig, &cert), 0);
	doc = json_loadb(out.ptr, out.len, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(doc, "kind")), "hashedrekord");
	assert_string_equal(json_string_value(json_object_get(doc, "apiVersion")), "0.0.1");
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
		json_object_get(doc, "spec"), "data"), "hash"), "value")),
		"abababababababababababababababababababababababababababababababab");
	json_decref(doc);
	assert_int_equal(hwb_sign__proposed_hashedrekord(&out, 2, digest, &sig, &cert), 0);
	doc = json_loadb(out.ptr, out.len, 0, NULL);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(json_object_get(json_object_get(
		json_object_get(json_object_get(doc, "hashedRekordRequestV002"), "signature"),
		"verifier"), "x509Certificate"), "rawBytes")), "MIIB");
	json_decref(doc);
	hwb_buf_release(&out);
	hwb_buf_release(&sig);
	hwb_buf_release(&cert);
}

static void test_statement_build(void **state)
{
	const struct hwb_sign_subject subj[] = {
		{ "a-1.0-py3-none-any.whl", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" },
		{ "a-1.0.tar.gz", "ff112233445566778899aabbccddeeff00112233445566778899aabbccddeeff" },
	};
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf out = HWB_BUF_INIT;
	json_t *doc;

	(void)state;
	assert_int_equal(hwb_sign_statement_build(&out, subj, 2, "https://x.test/p", "{\"k\":[1]}",
						  &err), 0);
	doc = json_loadb(out.ptr, out.len, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(doc, "_type")),
			    "https://in-toto.io/Statement/v1");
	assert_int_equal(json_array_size(json_object_get(doc, "subject")), 2);
	assert_int_equal(json_integer_value(json_array_get(json_object_get(json_object_get(doc,
		"predicate"), "k"), 0)), 1);
	json_decref(doc);
	/* no predicate: PEP 740's publish/v1 has none */
	assert_int_equal(hwb_sign_statement_build(&out, subj, 1, "https://x.test/p", NULL, &err), 0);
	doc = json_loadb(out.ptr, out.len, 0, NULL);
	assert_null(json_object_get(doc, "predicate"));
	json_decref(doc);
	assert_int_equal(hwb_sign_statement_build(&out, subj, 1, "t", "{not json", &err), -1);
	assert_string_equal(err.code, "HWB-S030");
	assert_int_equal(hwb_sign_statement_build(&out, subj, 0, "t", NULL, &err), -1);
	hwb_buf_release(&out);
}

/* A self-signed certificate for key, as a bundle would carry it. */
static void make_cert(struct hwb_buf *der)
{
	X509 *x = X509_new();
	unsigned char *p = NULL;
	int n;

	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), 0);
	X509_gmtime_adj(X509_getm_notAfter(x), 600);
	X509_set_pubkey(x, key);
	X509_sign(x, key, EVP_sha256());
	n = i2d_X509(x, &p);
	hwb_buf_set(der, p, (size_t)n);
	OPENSSL_free(p);
	X509_free(x);
}

static void test_pep740_and_sig_cert(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf der = HWB_BUF_INIT, b64 = HWB_BUF_INIT, bundle = HWB_BUF_INIT;
	struct hwb_buf out = HWB_BUF_INIT, sig = HWB_BUF_INIT, pem = HWB_BUF_INIT;
	json_t *doc;

	(void)state;
	make_cert(&der);
	hwb_base64_encode(&b64, der.ptr, der.len, HWB_B64_STD);
	hwb_buf_printf(&bundle, "{\"mediaType\":\"application/vnd.dev.sigstore.bundle.v0.3+json\","
		       "\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"%s\"},"
		       "\"tlogEntries\":[{\"logIndex\":\"7\"}]},"
		       "\"dsseEnvelope\":{\"payload\":\"e30=\",\"payloadType\":\"application/vnd.in-toto+json\","
		       "\"signatures\":[{\"sig\":\"c2ln\"}]}}", b64.ptr);
	assert_int_equal(hwb_sign_pep740_from_bundle(&bundle, &out, &err), 0);
	doc = json_loadb(out.ptr, out.len, 0, NULL);
	assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "envelope"),
							      "signature")), "c2ln");
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc,
		"verification_material"), "certificate")), b64.ptr);
	json_decref(doc);
	/* a DSSE bundle has no message signature: no cosign pair */
	assert_int_equal(hwb_sign_bundle_sig_cert(&bundle, &sig, &pem, &err), -1);
	assert_string_equal(err.code, "HWB-S029");
	hwb_buf_clear(&bundle);
	hwb_buf_printf(&bundle, "{\"verificationMaterial\":{\"certificate\":{\"rawBytes\":\"%s\"}},"
		       "\"messageSignature\":{\"signature\":\"c2ln\"}}", b64.ptr);
	assert_int_equal(hwb_sign_bundle_sig_cert(&bundle, &sig, &pem, &err), 0);
	assert_memory_equal(sig.ptr, "c2ln\n", 5);
	assert_non_null(strstr(pem.ptr, "-----BEGIN CERTIFICATE-----"));
	/* message-signature bundles make no PEP 740 attestation */
	assert_int_equal(hwb_sign_pep740_from_bundle(&bundle, &out, &err), -1);
	hwb_buf_release(&der);
	hwb_buf_release(&b64);
	hwb_buf_release(&bundle);
	hwb_buf_release(&out);
	hwb_buf_release(&sig);
	hwb_buf_release(&pem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_key_is_p256_and_signs),
		cmocka_unit_test(test_csr_as_sigstore_python_sends_it),
		cmocka_unit_test(test_proposed_hashedrekord),
		cmocka_unit_test(test_statement_build),
		cmocka_unit_test(test_pep740_and_sig_cert),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
