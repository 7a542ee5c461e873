/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bundle.c: the Sigstore bundle reader (v0.1, v0.2, v0.3 in both media-type
 * spellings) with the load-time checks of the client specification. It only
 * decodes and checks shape; verify.c decides whether anything is trusted.
 */
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/sign/internal.h"

static int bad(struct hwb_error *err, const char *file, const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V004",
		      "not a valid Sigstore bundle: %s", what);
	hwb_error_hint(err, "use the bundle written by the signer, unmodified");
	return hwb_error_at(err, file, 0, 0);
}

/* A bytes field: absent = empty (pbjson.c); a wrong type or bad base64 is refused. */
int hwb_sign__json_bytes(json_t *obj, const char *key, struct hwb_buf *out,
			 const char *file, struct hwb_error *err)
{
	char what[160];

	if (!hwb_sign__pb_bytes(obj, key, out))
		return 0;
	if (out->oom)
		return hwb_error_oom(err);
	snprintf(what, sizeof(what), "field \"%s\" is not base64", key);
	return bad(err, file, what);
}

/* An int64 field: absent = 0 (pbjson.c); negative or not a number is refused. */
int hwb_sign__json_int64(json_t *obj, const char *key, int64_t *out,
			 const char *file, struct hwb_error *err)
{
	char what[160];

	if (!hwb_sign__pb_int64(obj, key, out))
		return 0;
	snprintf(what, sizeof(what), "field \"%s\" is not a non-negative integer",
		 key);
	return bad(err, file, what);
}

static int json_fixed(json_t *obj, const char *key, uint8_t *out, size_t n,
		      const char *file, struct hwb_error *err)
{
	struct hwb_buf b = HWB_BUF_INIT;
	char what[160];
	int rc = -1;

	if (hwb_sign__json_bytes(obj, key, &b, file, err))
		goto cleanup;
	if (b.len != n) {
		snprintf(what, sizeof(what), "field \"%s\" must hold %zu bytes",
			 key, n);
		bad(err, file, what);
		goto cleanup;
	}
	memcpy(out, b.ptr, n);
	rc = 0;
cleanup:
	hwb_buf_release(&b);
	return rc;
}

/* A message field: *out NULL when absent; refused when not an object. */
static int message(json_t *obj, const char *key, json_t **out,
		   const char *file, struct hwb_error *err)
{
	char what[160];

	if (!hwb_sign__pb_message(obj, key, out))
		return 0;
	snprintf(what, sizeof(what), "field \"%s\" is not an object", key);
	return bad(err, file, what);
}

/* A string of kindVersion: absent reads as "", which no kind or version is. */
static int copy_string(json_t *obj, const char *key, char *out, size_t n)
{
	const char *v = hwb_sign__pb_string(obj, key);

	if (!v || !*v || strlen(v) >= n)
		return -1;
	memcpy(out, v, strlen(v) + 1);
	return 0;
}

static int parse_proof(struct hwb_sign__entry *e, json_t *p, const char *file,
		       struct hwb_error *err)
{
	struct hwb_buf h = HWB_BUF_INIT;
	json_t *hashes = json_object_get(p, "hashes"), *cp, *item;
	const char *note;
	size_t i;
	int rc = -1;

	/* absent index or size = 0: index 0 is real, size 0 fails the proof */
	if (hwb_sign__json_int64(p, "logIndex", &e->proof_index, file, err) ||
	    hwb_sign__json_int64(p, "treeSize", &e->tree_size, file, err) ||
	    json_fixed(p, "rootHash", e->root_hash, 32, file, err) ||
	    message(p, "checkpoint", &cp, file, err))
		goto cleanup;
	if (hashes && !json_is_null(hashes) && !json_is_array(hashes)) {
		bad(err, file, "inclusionProof.hashes is not a list");
		goto cleanup;
	}
	if (json_array_size(hashes) > HWB_SIGN__MAX_PROOF) {
		bad(err, file, "inclusionProof.hashes is too long");
		goto cleanup;
	}
	json_array_foreach(hashes, i, item) {
		if (!json_is_string(item) ||
		    hwb_sign__pb_base64(&h, json_string_value(item),
					json_string_length(item)) || h.len != 32) {
			bad(err, file, "an inclusion proof hash is not 32 bytes of base64");
			goto cleanup;
		}
		hwb_buf_put(&e->hashes, h.ptr, 32);
	}
	/* no checkpoint, or an empty one, leaves e->checkpoint empty */
	if (!(note = hwb_sign__pb_string(cp, "envelope"))) {
		bad(err, file, "the checkpoint envelope is not a string");
		goto cleanup;
	}
	hwb_buf_puts(&e->checkpoint, note);
	if (hwb_buf_check(&e->hashes, err) || hwb_buf_check(&e->checkpoint, err))
		goto cleanup;
	e->has_proof = 1;
	rc = 0;
cleanup:
	hwb_buf_release(&h);
	return rc;
}

/*
 * Scalars absent from the entry read as their zero value: logIndex 0 is a
 * real index; integratedTime 0 gives no log time (verify.c); empty bytes
 * fail their size checks. Absent messages (logId, kindVersion) are refused.
 */
int hwb_sign__entry_from_json(struct hwb_sign__entry *e, json_t *obj,
			      const char *file, struct hwb_error *err)
{
	json_t *kv, *promise, *proof, *log_id;

	if (!json_is_object(obj))
		return bad(err, file, "a tlog entry is not an object");
	if (message(obj, "logId", &log_id, file, err) ||
	    message(obj, "kindVersion", &kv, file, err) ||
	    message(obj, "inclusionPromise", &promise, file, err) ||
	    message(obj, "inclusionProof", &proof, file, err))
		return -1;
	if (!log_id)
		return bad(err, file, "the tlog entry has no logId");
	if (hwb_sign__json_int64(obj, "logIndex", &e->log_index, file, err) ||
	    json_fixed(log_id, "keyId", e->log_id, 32, file, err) ||
	    hwb_sign__json_int64(obj, "integratedTime", &e->integrated_time,
				 file, err))
		return -1;
	if (copy_string(kv, "kind", e->kind, sizeof(e->kind)) ||
	    copy_string(kv, "version", e->version, sizeof(e->version)))
		return bad(err, file, "the tlog entry has no kindVersion");
	if (promise && hwb_sign__json_bytes(promise, "signedEntryTimestamp",
					    &e->set, file, err))
		return -1;
	if (proof && parse_proof(e, proof, file, err))
		return -1;
	if (hwb_sign__json_bytes(obj, "canonicalizedBody", &e->body, file, err))
		return -1;
	/* a log never holds an empty entry */
	return e->body.len ? 0 : bad(err, file, "the tlog entry has no canonicalizedBody");
}

void hwb_sign__entry_release(struct hwb_sign__entry *e)
{
	hwb_buf_release(&e->set);
	hwb_buf_release(&e->hashes);
	hwb_buf_release(&e->checkpoint);
	hwb_buf_release(&e->body);
}

void hwb_sign__bundle_init(struct hwb_sign__bundle *b)
{
	size_t i;

	memset(b, 0, sizeof(*b));
	for (i = 0; i < HWB_SIGN__MAX_CERTS; i++)
		hwb_buf_init(&b->certs[i]);
	for (i = 0; i < HWB_SIGN__MAX_TIMESTAMPS; i++)
		hwb_buf_init(&b->timestamps[i]);
	hwb_buf_init(&b->entry.set);
	hwb_buf_init(&b->entry.hashes);
	hwb_buf_init(&b->entry.checkpoint);
	hwb_buf_init(&b->entry.body);
	hwb_buf_init(&b->signature);
	hwb_buf_init(&b->payload);
	hwb_buf_init(&b->payload_type);
}

void hwb_sign__bundle_release(struct hwb_sign__bundle *b)
{
	size_t i;

	for (i = 0; i < HWB_SIGN__MAX_CERTS; i++)
		hwb_buf_release(&b->certs[i]);
	for (i = 0; i < HWB_SIGN__MAX_TIMESTAMPS; i++)
		hwb_buf_release(&b->timestamps[i]);
	hwb_sign__entry_release(&b->entry);
	hwb_buf_release(&b->signature);
	hwb_buf_release(&b->payload);
	hwb_buf_release(&b->payload_type);
}

static int media_version(const char *mt)
{
	static const struct {
		const char *name;
		int version;
	} known[] = {
		{ "application/vnd.dev.sigstore.bundle+json;version=0.1", 1 },
		{ "application/vnd.dev.sigstore.bundle+json;version=0.2", 2 },
		{ "application/vnd.dev.sigstore.bundle+json;version=0.3", 3 },
		{ "application/vnd.dev.sigstore.bundle.v0.3+json", 3 },
	};
	size_t i;

	for (i = 0; mt && i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(mt, known[i].name))
			return known[i].version;
	return 0;
}

static int parse_material(struct hwb_sign__bundle *b, json_t *vm,
			  const char *file, struct hwb_error *err)
{
	json_t *chain = json_object_get(vm, "x509CertificateChain");
	json_t *cert = json_object_get(vm, "certificate"), *certs, *item;
	size_t i;

	if (json_is_object(cert)) {
		b->material = HWB_SIGN__MAT_CERT;
		b->ncerts = 1;
		return hwb_sign__json_bytes(cert, "rawBytes", &b->certs[0], file, err);
	}
	if (json_is_object(chain)) {
		/* v0.3 bundles carry only the leaf, in "certificate" */
		if (b->version >= 3)
			return bad(err, file, "a v0.3 bundle needs \"certificate\", not a chain");
		b->material = HWB_SIGN__MAT_CHAIN;
		certs = json_object_get(chain, "certificates");
		if (!json_is_array(certs) || !json_array_size(certs))
			return bad(err, file, "the certificate chain is empty");
		if (json_array_size(certs) > HWB_SIGN__MAX_CERTS)
			return bad(err, file, "the certificate chain is too long");
		json_array_foreach(certs, i, item) {
			if (hwb_sign__json_bytes(item, "rawBytes", &b->certs[i], file,
						 err))
				return -1;
			b->ncerts++;
		}
		return 0;
	}
	if (json_is_object(json_object_get(vm, "publicKey"))) {
		b->material = HWB_SIGN__MAT_KEY;
		return 0;
	}
	return bad(err, file, "no certificate, chain or public key");
}

static int parse_timestamps(struct hwb_sign__bundle *b, json_t *vm,
			    const char *file, struct hwb_error *err)
{
	json_t *tsd = json_object_get(vm, "timestampVerificationData");
	json_t *list = json_object_get(tsd, "rfc3161Timestamps"), *item;
	size_t i;

	if (!list)
		return 0;
	if (!json_is_array(list))
		return bad(err, file, "rfc3161Timestamps is not a list");
	if (json_array_size(list) > HWB_SIGN__MAX_TIMESTAMPS)
		return bad(err, file, "too many RFC 3161 timestamps");
	json_array_foreach(list, i, item) {
		if (hwb_sign__json_bytes(item, "signedTimestamp", &b->timestamps[i],
					 file, err))
			return -1;
		b->ntimestamps++;
	}
	return 0;
}

static int parse_content(struct hwb_sign__bundle *b, json_t *root,
			 const char *file, struct hwb_error *err)
{
	json_t *ms = json_object_get(root, "messageSignature");
	json_t *env = json_object_get(root, "dsseEnvelope"), *sigs, *md;
	const char *pt;

	if (json_is_object(ms)) {
		if (message(ms, "messageDigest", &md, file, err))
			return -1;
		if (md) {
			/* absent = HASH_ALGORITHM_UNSPECIFIED, refused like others */
			const char *alg = hwb_sign__pb_string(md, "algorithm");

			if (!alg || strcmp(alg, "SHA2_256"))
				return bad(err, file, "messageDigest is not SHA2_256");
			if (json_fixed(md, "digest", b->digest, 32, file, err))
				return -1;
			b->has_digest = 1;
		}
		return hwb_sign__json_bytes(ms, "signature", &b->signature, file, err);
	}
	if (!json_is_object(env))
		return bad(err, file, "no messageSignature or dsseEnvelope");
	b->is_dsse = 1;
	sigs = json_object_get(env, "signatures");
	if (!json_is_array(sigs) || json_array_size(sigs) != 1)
		return bad(err, file, "a DSSE envelope must carry exactly one signature");
	/* absent = "": dsse.c then refuses it as not in-toto */
	if (!(pt = hwb_sign__pb_string(env, "payloadType")))
		return bad(err, file, "the DSSE payloadType is not a string");
	if (hwb_buf_puts(&b->payload_type, pt))
		return hwb_error_oom(err);
	if (hwb_sign__json_bytes(env, "payload", &b->payload, file, err))
		return -1;
	return hwb_sign__json_bytes(json_array_get(sigs, 0), "sig", &b->signature,
				    file, err);
}

int hwb_sign__bundle_from_json(struct hwb_sign__bundle *b, json_t *root,
			       const char *file, struct hwb_error *err)
{
	const char *mt = json_string_value(json_object_get(root, "mediaType"));
	json_t *vm = json_object_get(root, "verificationMaterial");
	json_t *entries = json_object_get(vm, "tlogEntries");

	if (!json_is_object(root))
		return bad(err, file, "the document is not a JSON object");
	if (!(b->version = media_version(mt))) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-V003",
			      "unknown bundle media type '%.100s'",
			      mt ? mt : "(none)");
		hwb_error_hint(err, "hwb reads Sigstore bundles v0.1 to v0.3");
		return hwb_error_at(err, file, 0, 0);
	}
	if (!json_is_object(vm))
		return bad(err, file, "no verificationMaterial");
	if (parse_material(b, vm, file, err) || parse_timestamps(b, vm, file, err))
		return -1;
	if (!json_is_array(entries) || json_array_size(entries) != 1) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-V005",
			      "the bundle must carry exactly one transparency log entry, it has %zu",
			      json_array_size(entries));
		hwb_error_hint(err, "re-sign so that the signature is logged in Rekor");
		return hwb_error_at(err, file, 0, 0);
	}
	if (hwb_sign__entry_from_json(&b->entry, json_array_get(entries, 0), file,
				      err))
		return -1;
	/*
	 * v0.1 predates checkpoints: its trusted time is the promise, and a
	 * proof, when there, may come without a checkpoint. Later versions
	 * need the proof with its checkpoint.
	 */
	if (b->version == 1 && !b->entry.set.len)
		return bad(err, file, "a v0.1 bundle needs an inclusion promise");
	if (b->version >= 2 && (!b->entry.has_proof || !b->entry.checkpoint.len))
		return bad(err, file, "the entry needs an inclusion proof with a checkpoint");
	if (!b->entry.set.len && !b->ntimestamps)
		return bad(err, file, "neither an inclusion promise nor a timestamp");
	return parse_content(b, root, file, err);
}

int hwb_sign__bundle_parse(struct hwb_sign__bundle *b, const char *text,
			   size_t len, const char *file, struct hwb_error *err)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-V002",
			      "the bundle is not valid JSON: %s", jerr.text);
		hwb_error_hint(err, "the bundle is damaged or truncated; download it again");
		return hwb_error_at(err, file, (unsigned)jerr.line,
				    (unsigned)jerr.column);
	}
	rc = hwb_sign__bundle_from_json(b, root, file, err);
	json_decref(root);
	return rc;
}
