/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for the protobuf JSON rule of pkg/sign (pbjson.c and its
 * readers in bundle.c, trustroot.c): an absent or null scalar is its zero
 * value, an absent message stays an error, and zero values fail the checks
 * they should (tree size 0, empty root hash, empty body). The bundles are
 * conformance vectors of testdata/sigstore with fields removed. Run from
 * the repository root (make unit does).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/sign/internal.h"

#define HAPPY_V02 "testdata/sigstore/conformance/bundle-verify/happy-path-v0.2/bundle.sigstore.json"
#define HAPPY_V03 "testdata/sigstore/conformance/bundle-verify/happy-path-v0.3/bundle.sigstore.json"

static json_t *load(const char *path)
{
	json_error_t jerr;
	json_t *j = json_load_file(path, 0, &jerr);

	if (!j)
		fail_msg("cannot read %s (run from the repository root): %s", path,
			 jerr.text);
	return j;
}

static json_t *entry(json_t *bundle)
{
	return json_array_get(json_object_get(json_object_get(bundle,
			      "verificationMaterial"), "tlogEntries"), 0);
}

static json_t *proof(json_t *bundle)
{
	return json_object_get(entry(bundle), "inclusionProof");
}

/* Parse bundle as a Sigstore bundle: 0, or -1 with err. */
static int parse(json_t *bundle, struct hwb_sign__bundle *b,
		 struct hwb_error *err)
{
	hwb_sign__bundle_init(b);
	hwb_error_clear(err);
	return hwb_sign__bundle_from_json(b, bundle, "b.json", err);
}

static void assert_refused(json_t *bundle, const char *code, const char *words)
{
	struct hwb_sign__bundle b;
	struct hwb_error err;

	assert_int_equal(parse(bundle, &b, &err), -1);
	assert_string_equal(err.code, code);
	if (!strstr(err.message, words))
		fail_msg("'%s' not in '%s'", words, err.message);
	assert_string_equal(err.file, "b.json");
	hwb_sign__bundle_release(&b);
}

static void test_scalar_readers(void **state)
{
	json_t *o = json_loads("{\"n\":null,\"i\":7,\"s\":\"12\",\"neg\":-1,\"big\":\"1234567890123456789\","
			       "\"str\":\"x\",\"b\":\"AAEC\",\"bad\":\"!!\",\"u\":4294967296,"
			       "\"obj\":{},\"arr\":[],\"f\":1.5}", 0, NULL);
	struct hwb_buf buf = HWB_BUF_INIT;
	int64_t i = 99;
	uint32_t u = 99;
	json_t *m = (json_t *)1;

	(void)state;
	assert_non_null(o);
	/* absent and null: the zero value */
	assert_int_equal(hwb_sign__pb_int64(o, "absent", &i), 0);
	assert_int_equal(i, 0);
	i = 99;
	assert_int_equal(hwb_sign__pb_int64(o, "n", &i), 0);
	assert_int_equal(i, 0);
	assert_int_equal(hwb_sign__pb_uint32(o, "absent", &u), 0);
	assert_int_equal(u, 0);
	assert_string_equal(hwb_sign__pb_string(o, "absent"), "");
	assert_string_equal(hwb_sign__pb_string(o, "n"), "");
	hwb_buf_puts(&buf, "old");
	assert_int_equal(hwb_sign__pb_bytes(o, "absent", &buf), 0);
	assert_int_equal(buf.len, 0);
	assert_int_equal(hwb_sign__pb_bytes(o, "n", &buf), 0);
	assert_int_equal(buf.len, 0);
	assert_int_equal(hwb_sign__pb_message(o, "absent", &m), 0);
	assert_null(m);
	assert_int_equal(hwb_sign__pb_message(o, "n", &m), 0);
	assert_null(m);
	/* a NULL object (an absent message): every field absent */
	assert_int_equal(hwb_sign__pb_int64(NULL, "i", &i), 0);
	assert_string_equal(hwb_sign__pb_string(NULL, "s"), "");
	/* present values */
	assert_int_equal(hwb_sign__pb_int64(o, "i", &i), 0);
	assert_int_equal(i, 7);
	assert_int_equal(hwb_sign__pb_int64(o, "s", &i), 0);
	assert_int_equal(i, 12);
	assert_int_equal(hwb_sign__pb_bytes(o, "b", &buf), 0);
	assert_int_equal(buf.len, 3);
	assert_int_equal(hwb_sign__pb_message(o, "obj", &m), 0);
	assert_non_null(m);
	assert_string_equal(hwb_sign__pb_string(o, "str"), "x");
	/* wrong types and forms */
	assert_int_equal(hwb_sign__pb_int64(o, "neg", &i), -1);
	assert_int_equal(hwb_sign__pb_int64(o, "big", &i), -1);
	assert_int_equal(hwb_sign__pb_int64(o, "str", &i), -1);
	assert_int_equal(hwb_sign__pb_int64(o, "f", &i), -1);
	assert_int_equal(hwb_sign__pb_int64(o, "obj", &i), -1);
	assert_int_equal(hwb_sign__pb_uint32(o, "u", &u), -1);
	assert_null(hwb_sign__pb_string(o, "i"));
	assert_int_equal(hwb_sign__pb_bytes(o, "bad", &buf), -1);
	assert_int_equal(hwb_sign__pb_bytes(o, "i", &buf), -1);
	assert_int_equal(hwb_sign__pb_message(o, "arr", &m), -1);
	assert_int_equal(hwb_sign__pb_message(o, "str", &m), -1);
	hwb_buf_release(&buf);
	json_decref(o);
}

/* Every scalar of the tlog entry and its proof may be absent: zero. */
static void test_entry_scalars_absent_are_zero(void **state)
{
	json_t *j = load(HAPPY_V02);
	struct hwb_sign__bundle b;
	struct hwb_error err;

	(void)state;
	json_object_del(entry(j), "logIndex");
	json_object_set_new(entry(j), "integratedTime", json_null());
	json_object_del(proof(j), "logIndex");
	json_object_del(proof(j), "treeSize");
	json_object_del(proof(j), "hashes");
	if (parse(j, &b, &err))
		fail_msg("%s: %s", err.code, err.message);
	assert_int_equal(b.entry.log_index, 0);
	assert_int_equal(b.entry.integrated_time, 0);
	assert_int_equal(b.entry.proof_index, 0);
	assert_int_equal(b.entry.tree_size, 0);
	assert_int_equal(b.entry.hashes.len, 0);
	assert_true(b.entry.has_proof);
	/* tree size 0 holds no index: the proof fails (HWB-V014) */
	assert_int_equal(hwb_sign__merkle_verify(&b.entry, &err), -1);
	assert_string_equal(err.code, "HWB-V014");
	hwb_sign__bundle_release(&b);
	json_decref(j);
}

/* Index 0 with the size and hashes that go with it is a valid proof. */
static void test_proof_at_index_zero(void **state)
{
	struct hwb_sign__entry e;
	struct hwb_error err = HWB_ERROR_INIT;
	json_t *j = json_loads("{\"logId\":{\"keyId\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"},"
			       "\"kindVersion\":{\"kind\":\"hashedrekord\",\"version\":\"0.0.1\"},"
			       "\"inclusionProof\":{\"treeSize\":\"1\",\"rootHash\":\"\","
			       "\"checkpoint\":{\"envelope\":\"x\"}},"
			       "\"canonicalizedBody\":\"e30=\"}", 0, NULL);
	uint8_t leaf[3] = { 0, '{', '}' };

	(void)state;
	memset(&e, 0, sizeof(e));
	/* a root hash of the wrong size (here empty: the zero value) */
	assert_int_equal(hwb_sign__entry_from_json(&e, j, "e.json", &err), -1);
	assert_string_equal(err.code, "HWB-V004");
	assert_non_null(strstr(err.message, "rootHash"));
	hwb_sign__entry_release(&e);
	/* the root of a one-leaf tree is its leaf hash: SHA-256(0x00 || body) */
	memset(&e, 0, sizeof(e));
	assert_int_equal(hwb_sign__sha256(leaf, sizeof(leaf), e.root_hash), 0);
	{
		struct hwb_buf b64 = HWB_BUF_INIT;

		assert_int_equal(hwb_base64_encode(&b64, e.root_hash, 32, HWB_B64_STD), 0);
		json_object_set_new(json_object_get(j, "inclusionProof"), "rootHash",
				    json_string(b64.ptr));
		hwb_buf_release(&b64);
	}
	if (hwb_sign__entry_from_json(&e, j, "e.json", &err))
		fail_msg("%s: %s", err.code, err.message);
	assert_int_equal(e.log_index, 0);
	assert_int_equal(e.proof_index, 0);
	assert_int_equal(e.tree_size, 1);
	if (hwb_sign__merkle_verify(&e, &err))
		fail_msg("%s: %s", err.code, err.message);
	hwb_sign__entry_release(&e);
	json_decref(j);
}

/* The object of a bundle a change applies to. */
enum where { ROOT, VM, ENTRY, PROOF, MSGSIG, DIGEST };

static json_t *object_at(json_t *bundle, enum where w)
{
	json_t *ms = json_object_get(bundle, "messageSignature");

	switch (w) {
	case ROOT: return bundle;
	case VM: return json_object_get(bundle, "verificationMaterial");
	case ENTRY: return entry(bundle);
	case PROOF: return proof(bundle);
	case MSGSIG: return ms;
	case DIGEST: return json_object_get(ms, "messageDigest");
	}
	return NULL;
}

/* Absent messages and empty bytes stay refused, each by its rule. */
static void test_absent_messages_refused(void **state)
{
	static const struct {
		enum where where;
		const char *key;
		const char *value; /* JSON; NULL: the field is removed */
		const char *code;
		const char *words;
	} cases[] = {
		{ PROOF, "checkpoint", NULL, "HWB-V004", "inclusion proof with a checkpoint" },
		{ PROOF, "checkpoint", "{}", "HWB-V004", "inclusion proof with a checkpoint" },
		{ PROOF, "checkpoint", "\"note\"", "HWB-V004", "\"checkpoint\" is not an object" },
		{ ENTRY, "inclusionProof", NULL, "HWB-V004", "inclusion proof with a checkpoint" },
		{ PROOF, "rootHash", NULL, "HWB-V004", "\"rootHash\" must hold 32 bytes" },
		{ ENTRY, "logId", NULL, "HWB-V004", "no logId" },
		{ ENTRY, "logId", "{}", "HWB-V004", "\"keyId\" must hold 32 bytes" },
		{ ENTRY, "kindVersion", NULL, "HWB-V004", "kindVersion" },
		{ ENTRY, "canonicalizedBody", NULL, "HWB-V004", "canonicalizedBody" },
		{ VM, "x509CertificateChain", NULL, "HWB-V004", "no certificate, chain or public key" },
		{ DIGEST, "algorithm", NULL, "HWB-V004", "SHA2_256" },
		/* v0.2: a promise whose SET is the zero value, and no timestamp */
		{ ENTRY, "inclusionPromise", "{}", "HWB-V004", "neither an inclusion promise nor a timestamp" },
		{ ROOT, "mediaType", NULL, "HWB-V003", "(none)" },
	};
	size_t i;
	json_t *j, *o;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		j = load(HAPPY_V02);
		o = object_at(j, cases[i].where);
		if (cases[i].value)
			json_object_set_new(o, cases[i].key,
					    json_loads(cases[i].value, JSON_DECODE_ANY, NULL));
		else
			assert_int_equal(json_object_del(o, cases[i].key), 0);
		assert_refused(j, cases[i].code, cases[i].words);
		json_decref(j);
	}
}

/* Empty bytes (absent rawBytes, signature) parse and fail later checks. */
static void test_absent_bytes_are_empty(void **state)
{
	json_t *j = load(HAPPY_V03);
	struct hwb_sign__bundle b;
	struct hwb_error err;

	(void)state;
	json_object_del(json_object_get(json_object_get(j, "verificationMaterial"),
					"certificate"), "rawBytes");
	json_object_del(json_object_get(j, "messageSignature"), "signature");
	if (parse(j, &b, &err))
		fail_msg("%s: %s", err.code, err.message);
	assert_int_equal(b.material, HWB_SIGN__MAT_CERT);
	assert_int_equal(b.ncerts, 1);
	assert_int_equal(b.certs[0].len, 0);
	assert_int_equal(b.signature.len, 0);
	assert_null(hwb_sign__x509_from_der(&b.certs[0]));
	hwb_sign__bundle_release(&b);
	json_decref(j);
}

static void trust_refused(const char *text, const char *words)
{
	struct hwb_sign__trust t;
	struct hwb_error err = HWB_ERROR_INIT;

	assert_int_equal(hwb_sign__trust_parse(&t, text, strlen(text), "root.json", &err), -1);
	assert_string_equal(err.code, "HWB-V006");
	if (!strstr(err.message, words))
		fail_msg("'%s' not in '%s'", words, err.message);
	hwb_sign__trust_release(&t);
}

#define ROOT_MT "\"mediaType\":\"application/vnd.dev.sigstore.trustedroot+json;version=0.1\""
#define KEY_ID "{\"keyId\":\"wNI9atQGlz+VWfO6LRygH4QUfY/8W4RFwiT5i5WRgB0=\"}"
#define VALID "\"validFor\":{\"start\":\"2021-01-12T11:53:27Z\"}"

static void test_trust_root(void **state)
{
	static const char ok[] = "{" ROOT_MT ",\"tlogs\":[{\"publicKey\":{" VALID "},\"logId\":" KEY_ID "}]}";
	struct hwb_sign__trust t;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	/* no baseUrl, keyDetails, rawBytes: "", unspecified, an empty key */
	if (hwb_sign__trust_parse(&t, ok, strlen(ok), "root.json", &err))
		fail_msg("%s: %s", err.code, err.message);
	assert_int_equal(t.ntlogs, 1);
	assert_string_equal(t.tlogs[0].base_url, "");
	assert_int_equal(t.tlogs[0].der.len, 0);
	assert_int_equal(t.tlogs[0].pkcs1, 0);
	/* the empty key is refused when the log is used */
	assert_int_equal(hwb_sign__log_decode(&t.tlogs[0], &err), -1);
	assert_string_equal(err.code, "HWB-V006");
	hwb_sign__trust_release(&t);

	trust_refused("{" ROOT_MT ",\"tlogs\":[{\"publicKey\":{" VALID "}}]}", "logId");
	trust_refused("{" ROOT_MT ",\"tlogs\":[{\"logId\":" KEY_ID "}]}", "publicKey");
	trust_refused("{" ROOT_MT ",\"tlogs\":[{\"publicKey\":{},\"logId\":" KEY_ID "}]}", "validFor");
	trust_refused("{" ROOT_MT ",\"tlogs\":[{\"publicKey\":{\"validFor\":{}},\"logId\":" KEY_ID "}]}",
		      "validFor");
	/* an end that is not a time is no open end */
	trust_refused("{" ROOT_MT ",\"tlogs\":[{\"publicKey\":{\"validFor\":{\"start\":\"2021-01-12T11:53:27Z\","
		      "\"end\":5}},\"logId\":" KEY_ID "}]}", "validFor");
	trust_refused("{" ROOT_MT ",\"tlogs\":[{\"publicKey\":{" VALID "},\"logId\":{}}]}", "32 bytes");
	trust_refused("{" ROOT_MT ",\"certificateAuthorities\":[{" VALID "}]}", "certificate chain");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalar_readers),
		cmocka_unit_test(test_entry_scalars_absent_are_zero),
		cmocka_unit_test(test_proof_at_index_zero),
		cmocka_unit_test(test_absent_messages_refused),
		cmocka_unit_test(test_absent_bytes_are_empty),
		cmocka_unit_test(test_trust_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
