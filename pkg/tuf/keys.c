/* SPDX-License-Identifier: Apache-2.0 */
/*
 * keys.c: TUF public keys and the threshold rule. The key forms are those
 * Sigstore's repositories and the reference clients use (specification,
 * "Key objects"; tuf-js @tufjs/models utils/key.js reads the same forms):
 * - keytype "ecdsa" or "ecdsa-sha2-nistp256", scheme "ecdsa-sha2-nistp256":
 *   P-256, keyval.public a PEM SubjectPublicKeyInfo or the hex of the
 *   uncompressed point; signatures DER over SHA-256 of the canonical bytes;
 * - keytype and scheme "ed25519": keyval.public 64 hex digits (or PEM);
 *   signatures over the canonical bytes.
 * A key of another type is kept but can never contribute a signature.
 */
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/core/hash.h"
#include "pkg/tuf/internal.h"

void hwb_tuf__keyring_release(struct tuf_keyring *ring)
{
	size_t i;

	for (i = 0; i < ring->count; i++)
		EVP_PKEY_free(ring->keys[i].pkey);
	free(ring->keys);
	ring->keys = NULL;
	ring->count = 0;
}

/*
 * Keys are made without OpenSSL's PEM and SPKI decoders, which cost about
 * 0.7 ms a key in OpenSSL 3 (a provider decoder chain is built for each):
 * the PEM body is decoded here, and the SubjectPublicKeyInfo forms TUF
 * repositories use (P-256 named curve, Ed25519) have fixed DER prefixes in
 * front of the raw public key, which goes to EVP_PKEY_fromdata() or
 * EVP_PKEY_new_raw_public_key() (0.02 ms). Any other DER still goes to
 * d2i_PUBKEY(), so what is accepted does not change.
 */
static const unsigned char spki_p256[] = {
	0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
	0x42, 0x00,
};
static const unsigned char spki_p256_compressed[] = {
	0x30, 0x39, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02,
	0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03,
	0x22, 0x00,
};
static const unsigned char spki_ed25519[] = {
	0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
};

/* A P-256 key from its SEC1 point (uncompressed or compressed); OpenSSL
 * refuses a point that is not on the curve. */
static EVP_PKEY *ec_point_key(const unsigned char *pt, size_t len)
{
	OSSL_PARAM params[3];
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *k = NULL;

	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     (char *)"prime256v1", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY,
						      (void *)pt, len);
	params[2] = OSSL_PARAM_construct_end();
	if (!ctx || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &k, EVP_PKEY_PUBLIC_KEY, params) <= 0)
		k = NULL;
	EVP_PKEY_CTX_free(ctx);
	return k;
}

static int has_prefix(const struct hwb_buf *der, const unsigned char *prefix,
		      size_t n, size_t keylen)
{
	return der->len == n + keylen && !memcmp(der->ptr, prefix, n);
}

/* The DER of a "-----BEGIN PUBLIC KEY-----" PEM text; -1 when it is not
 * one. */
static int pem_der(const char *pem, struct hwb_buf *der)
{
	static const char begin[] = "-----BEGIN PUBLIC KEY-----";
	static const char end[] = "-----END PUBLIC KEY-----";
	struct hwb_buf b64 = HWB_BUF_INIT;
	const char *p, *stop;
	int rc;

	if (strncmp(pem, begin, sizeof(begin) - 1) ||
	    !(stop = strstr(pem, end)))
		return -1;
	for (p = pem + sizeof(begin) - 1; p < stop; p++)
		if (!strchr(" \t\r\n", *p))
			hwb_buf_putc(&b64, *p);
	rc = b64.oom || hwb_base64_decode(der, b64.ptr ? b64.ptr : "", b64.len,
					  HWB_B64_STD, NULL) ? -1 : 0;
	hwb_buf_release(&b64);
	return rc;
}

/* A key of OpenSSL type want from PEM text. */
static EVP_PKEY *pem_key(const char *pem, int want)
{
	struct hwb_buf der = HWB_BUF_INIT;
	const unsigned char *p;
	EVP_PKEY *k = NULL;

	if (pem_der(pem, &der))
		goto done;
	p = (const unsigned char *)der.ptr;
	if (want == EVP_PKEY_EC && has_prefix(&der, spki_p256,
					      sizeof(spki_p256), 65))
		k = ec_point_key(p + sizeof(spki_p256), 65);
	else if (want == EVP_PKEY_EC &&
		 has_prefix(&der, spki_p256_compressed,
			    sizeof(spki_p256_compressed), 33))
		k = ec_point_key(p + sizeof(spki_p256_compressed), 33);
	else if (want == EVP_PKEY_ED25519 &&
		 has_prefix(&der, spki_ed25519, sizeof(spki_ed25519), 32))
		k = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL,
						p + sizeof(spki_ed25519), 32);
	else
		k = d2i_PUBKEY(NULL, &p, (long)der.len);
	if (k && EVP_PKEY_get_base_id(k) != want) {
		EVP_PKEY_free(k);
		k = NULL;
	}
done:
	hwb_buf_release(&der);
	return k;
}

/* A P-256 key from the hex of its uncompressed point. */
static EVP_PKEY *ec_hex_key(const char *hex)
{
	struct hwb_buf pt = HWB_BUF_INIT;
	EVP_PKEY *k = NULL;

	if (!hwb_hex_decode(&pt, hex, strlen(hex), NULL) && pt.len == 65 &&
	    pt.ptr[0] == 4)
		k = ec_point_key((const unsigned char *)pt.ptr, pt.len);
	hwb_buf_release(&pt);
	return k;
}

static int is_p256(EVP_PKEY *k)
{
	char group[32];

	return EVP_PKEY_get_utf8_string_param(k, OSSL_PKEY_PARAM_GROUP_NAME,
					      group, sizeof(group), NULL) &&
	       (!strcmp(group, "prime256v1") || !strcmp(group, "P-256"));
}

/* Make the OpenSSL key of k, or mark it unusable. */
static void load_key(struct tuf_key *k)
{
	const char *type = json_string_value(json_object_get(k->obj, "keytype"));
	const char *scheme = json_string_value(json_object_get(k->obj, "scheme"));
	const char *pub = json_string_value(
		json_object_get(json_object_get(k->obj, "keyval"), "public"));
	struct hwb_buf raw = HWB_BUF_INIT;
	EVP_PKEY *key = NULL;

	if (!type || !scheme || !pub)
		goto done;
	if ((!strcmp(type, "ecdsa") || !strcmp(type, "ecdsa-sha2-nistp256")) &&
	    !strcmp(scheme, "ecdsa-sha2-nistp256")) {
		key = strncmp(pub, "-----BEGIN", 10) ? ec_hex_key(pub)
						     : pem_key(pub, EVP_PKEY_EC);
		if (key && !is_p256(key)) {
			EVP_PKEY_free(key);
			key = NULL;
		}
	} else if (!strcmp(type, "ed25519") && !strcmp(scheme, "ed25519")) {
		if (!strncmp(pub, "-----BEGIN", 10))
			key = pem_key(pub, EVP_PKEY_ED25519);
		else if (!hwb_hex_decode(&raw, pub, strlen(pub), NULL) &&
			 raw.len == 32)
			key = EVP_PKEY_new_raw_public_key(
				EVP_PKEY_ED25519, NULL,
				(const unsigned char *)raw.ptr, raw.len);
	}
done:
	hwb_buf_release(&raw);
	k->pkey = key;
	k->unusable = key == NULL;
}

void hwb_tuf__keyring_load(struct tuf_keyring *ring)
{
	size_t i;

	for (i = 0; i < ring->count; i++)
		if (!ring->keys[i].pkey && !ring->keys[i].unusable)
			load_key(&ring->keys[i]);
}

static int sig_valid(struct tuf_key *k, const char *sighex,
		     const struct hwb_buf *msg)
{
	struct hwb_buf sig = HWB_BUF_INIT;
	EVP_MD_CTX *ctx;
	int ok = 0, ed;

	if (!k->pkey && !k->unusable)
		load_key(k);
	if (k->unusable || !*sighex)
		return 0;
	ed = EVP_PKEY_get_base_id(k->pkey) == EVP_PKEY_ED25519;
	if (hwb_hex_decode(&sig, sighex, strlen(sighex), NULL) || !sig.len)
		goto done;
	if ((ctx = EVP_MD_CTX_new()) &&
	    EVP_DigestVerifyInit(ctx, NULL, ed ? NULL : EVP_sha256(), NULL,
				 k->pkey) == 1 &&
	    EVP_DigestVerify(ctx, (const unsigned char *)sig.ptr, sig.len,
			     (const unsigned char *)msg->ptr, msg->len) == 1)
		ok = 1;
	EVP_MD_CTX_free(ctx);
done:
	hwb_buf_release(&sig);
	return ok;
}

static struct tuf_key *find_key(const struct tuf_keyring *ring,
				const char *keyid)
{
	size_t i;

	for (i = 0; i < ring->count; i++)
		if (!strcmp(ring->keys[i].keyid, keyid))
			return &ring->keys[i];
	return NULL;
}

static int role_has(const struct tuf_role *role, const char *keyid)
{
	size_t i;

	for (i = 0; i < role->keyid_count; i++)
		if (!strcmp(role->keyids[i], keyid))
			return 1;
	return 0;
}

/*
 * Step 5.3.4 (and 5.4.2, 5.5.3, 5.6.3): count the role's keys with a
 * valid signature; a keyid counts once however often it is listed in
 * "signatures" (each counted keyid is remembered and skipped after).
 */
int hwb_tuf__verify_role(const struct tuf_keyring *ring,
			 const struct tuf_role *role, const char *signer,
			 const struct tuf_meta *m, struct hwb_error *err)
{
	size_t i, j, n = json_array_size(m->signatures), valid = 0;
	const char **counted = n ? calloc(n, sizeof(*counted)) : NULL;

	if (n && !counted)
		return hwb_error_oom(err);
	for (i = 0; i < n && (int64_t)valid < role->threshold; i++) {
		const json_t *s = json_array_get(m->signatures, i);
		const char *keyid = json_string_value(json_object_get(s, "keyid"));
		struct tuf_key *k;

		for (j = 0; j < valid; j++)
			if (!strcmp(counted[j], keyid))
				break;
		if (j < valid || !role_has(role, keyid) ||
		    !(k = find_key(ring, keyid)))
			continue;
		if (sig_valid(k, json_string_value(json_object_get(s, "sig")),
			      &m->signed_canon))
			counted[valid++] = keyid;
	}
	free(counted);
	if ((int64_t)valid >= role->threshold)
		return 0;
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-R003",
		      "TUF metadata %s: %zu valid signature(s) from distinct keys "
		      "of the %s role of %s, %lld required (arbitrary software "
		      "attack, specification 5.3.4)",
		      m->file, valid, role->name, signer,
		      (long long)role->threshold);
	return hwb_error_hint(err, "the file was not signed by the keys the "
			      "trusted metadata names: do not use this "
			      "repository until its maintainers re-sign it");
}

/* Compare every known digest in hashes; count the ones compared. */
static int hashes_match(const json_t *hashes, const void *data, size_t len,
			int *known)
{
	static const struct { const char *name; enum hwb_hash_alg alg; } algs[] = {
		{ "sha256", HWB_HASH_SHA256 }, { "sha512", HWB_HASH_SHA512 },
	};
	char hex[HWB_HASH_MAX_HEX];
	size_t i;

	*known = 0;
	for (i = 0; i < sizeof(algs) / sizeof(*algs); i++) {
		const char *want = json_string_value(json_object_get(hashes, algs[i].name));

		if (!want)
			continue;
		if (hwb_hash_buffer_hex(algs[i].alg, data, len, hex, NULL) ||
		    strcmp(hex, want))
			return 0;
		(*known)++;
	}
	return 1;
}

int hwb_tuf__check_file(const struct tuf_fileinfo *fi, const char *what,
			const void *data, size_t len, int need_hash,
			const char *code, struct hwb_error *err)
{
	int known = 0;

	if (fi->length >= 0 && (uint64_t)fi->length != (uint64_t)len) {
		hwb_error_set(err, HWB_KIND_FAILED, code,
			      "%s is %zu bytes, its metadata says %lld "
			      "(mix-and-match or tampering)", what, len,
			      (long long)fi->length);
	} else if (fi->hashes && !hashes_match(fi->hashes, data, len, &known)) {
		hwb_error_set(err, HWB_KIND_FAILED, code,
			      "%s does not have the hash its metadata lists "
			      "(mix-and-match or tampering)", what);
	} else if (need_hash && !known) {
		hwb_error_set(err, HWB_KIND_FAILED, code,
			      "%s: its metadata lists no sha256 or sha512 hash "
			      "to check it with", what);
	} else {
		return 0;
	}
	return hwb_error_hint(err, "the repository is inconsistent or being "
			      "tampered with; try again later, and report it "
			      "if it persists");
}
