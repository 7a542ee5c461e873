/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify.c: the verification algorithm of the Sigstore client
 * specification, in its order (protocols.md section E): establish trusted
 * times, chain, SCT, key usage and identity, inclusion proof and
 * checkpoint, SET, times inside the certificate, the signature, and the
 * log body against the bundle. Each refusal names its step by its code.
 */
#include <errno.h>
#include <openssl/x509v3.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"
#include "pkg/core/log.h"
#include "pkg/sign/internal.h"

/* Rekor and TSA clocks may run a little ahead of ours. */
#define CLOCK_SKEW 60
#define MAX_ARTIFACT_IN_MEMORY ((size_t)1 << 30)

struct state {
	X509 *leaf;           /* NULL for a managed key */
	X509 *issuer;
	EVP_PKEY *key;        /* borrowed: the leaf's or the policy's */
	struct hwb_buf signer; /* DER: certificate or SPKI, as logged */
	int64_t times[HWB_VERIFY_MAX_TIMES];
	const char *sources[HWB_VERIFY_MAX_TIMES];
	size_t ntimes;
};

static int add_time(struct state *s, int64_t t, const char *source)
{
	if (s->ntimes == HWB_VERIFY_MAX_TIMES)
		return 0; /* enough evidence: the rest would only repeat it */
	s->times[s->ntimes] = t;
	s->sources[s->ntimes++] = source;
	return 0;
}

static int material_fail(struct hwb_error *err, const char *code,
			 const char *what, const char *fix)
{
	hwb_error_set(err, HWB_KIND_FAILED, code, "%s", what);
	return hwb_error_hint(err, "%s", fix);
}

/* The signer: a certificate (checked later) or the policy's managed key. */
static int load_signer(const struct hwb_verifier *v,
		       const struct hwb_sign__bundle *b, struct state *s,
		       struct hwb_error *err)
{
	unsigned char *der = NULL;
	size_t i;
	int n;

	if (b->material == HWB_SIGN__MAT_KEY) {
		if (!v->key)
			return material_fail(err, "HWB-V026",
					     "the bundle was signed with a managed key, not a certificate",
					     "give the signer's public key with --key PEM");
		s->key = v->key;
		if ((n = i2d_PUBKEY(v->key, &der)) <= 0)
			return hwb_error_oom(err);
		hwb_buf_set(&s->signer, der, (size_t)n);
		OPENSSL_free(der);
		return hwb_buf_check(&s->signer, err);
	}
	if (v->key)
		return material_fail(err, "HWB-V026",
				     "the bundle was signed by a certificate, not by the given key",
				     "verify it with an identity policy instead of --key");
	if (!(s->leaf = hwb_sign__x509_from_der(&b->certs[0])))
		return material_fail(err, "HWB-V004",
				     "the bundle's signing certificate is not DER X.509",
				     "use the bundle written by the signer, unmodified");
	/* a chain must start with a leaf and must not bring its own root */
	for (i = 0; i < b->ncerts; i++) {
		X509 *c = i ? hwb_sign__x509_from_der(&b->certs[i]) : s->leaf;
		int root = c && hwb_sign__is_ca(c) &&
			   X509_check_issued(c, c) == X509_V_OK;

		if (i)
			X509_free(c);
		if (!c || root || (!i && hwb_sign__is_ca(c)))
			return material_fail(err, "HWB-V025",
					     "the bundle's certificate chain is malformed: it must start with the signing leaf and carry no root",
					     "trust comes from the trusted root, never from the bundle");
	}
	s->key = X509_get0_pubkey(s->leaf);
	return hwb_buf_set(&s->signer, b->certs[0].ptr, b->certs[0].len)
		       ? hwb_error_oom(err) : 0;
}

/* Step 0: RFC 3161 timestamps, then the log's time if it is promised. */
static int establish_times(const struct hwb_verifier *v,
			   const struct hwb_sign__bundle *b, struct state *s,
			   struct hwb_error *err)
{
	struct hwb_error why = HWB_ERROR_INIT;
	int64_t t;
	size_t i;

	/* A timestamp that does not count is skipped; another may. */
	for (i = 0; i < b->ntimestamps; i++)
		if (!hwb_sign__tsa_verify(&v->trust, &b->timestamps[i], &b->signature,
					  &t, &why))
			add_time(s, t, "rfc3161");
		else
			hwb_log_debug("timestamp %zu: %s", i, why.message);
	if (b->entry.set.len && b->entry.integrated_time)
		add_time(s, b->entry.integrated_time, "tlog");
	if (s->ntimes)
		return 0;
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V010",
		      "no trusted signing time: %zu RFC 3161 timestamp(s), none from a TSA of the trusted root over this signature, and no inclusion promise",
		      b->ntimestamps);
	return hwb_error_hint(err, "check --staging / --trusted-root match the instance that signed");
}

/* Steps 1-3: chain at every time, SCT, usage, identity. */
static int check_certificate(struct hwb_verifier *v, struct state *s,
			     struct hwb_verify_result *res,
			     struct hwb_error *err)
{
	X509 *issuer;
	size_t i;

	for (i = 0; i < s->ntimes; i++) {
		if (hwb_sign__chain_verify(&v->trust, s->leaf, s->times[i], &issuer,
					   err))
			return -1;
		if (s->issuer)
			X509_free(issuer);
		else
			s->issuer = issuer;
	}
	if (hwb_sign__sct_verify(&v->trust, s->leaf, s->issuer, err) ||
	    hwb_sign__leaf_usage(s->leaf, err))
		return -1;
	return hwb_sign__policy_check(v, s->leaf, res, err);
}

/* Steps 4-5: the entry is in a log we trust, at a time its key was good. */
static int check_log(const struct hwb_verifier *v,
		     const struct hwb_sign__bundle *b, const struct state *s,
		     struct hwb_error *err)
{
	const struct hwb_sign__entry *e = &b->entry;
	const struct hwb_sign__log *log;
	size_t i;

	if (hwb_sign__find_log(v->trust.tlogs, v->trust.ntlogs, e->log_id, &log,
			       err))
		return -1;
	if (!log)
		return material_fail(err, "HWB-V024",
				     "the entry comes from a transparency log that is not in the trusted root",
				     "check --staging / --trusted-root match the instance that signed");
	for (i = 0; i < s->ntimes; i++)
		if (!hwb_sign__range_contains(&log->valid, s->times[i]))
			return material_fail(err, "HWB-V024",
					     "the entry's time is outside its transparency log key's validity",
					     "the log key was not trusted when this entry was made");
	if (e->has_proof && hwb_sign__merkle_verify(e, err))
		return -1;
	if (e->checkpoint.len && hwb_sign__checkpoint_verify(log, e, err))
		return -1;
	return e->set.len ? hwb_sign__set_verify(log, e, err) : 0;
}

/* Step 6: every time inside the certificate's validity, none in the future. */
static int check_times(const struct state *s, const struct hwb_sign__bundle *b,
		       struct hwb_error *err)
{
	int64_t nb = 0, na = 0, now = (int64_t)time(NULL);
	size_t i;

	if (b->entry.integrated_time > now + CLOCK_SKEW)
		return material_fail(err, "HWB-V017",
				     "the log's integrated time is in the future",
				     "check the system clock; else the entry is forged");
	if (!s->leaf)
		return 0;
	if (hwb_sign__leaf_validity(s->leaf, &nb, &na))
		return material_fail(err, "HWB-V004",
				     "the signing certificate's validity is unreadable",
				     "use the bundle written by the signer, unmodified");
	for (i = 0; i < s->ntimes; i++)
		if (s->times[i] < nb || s->times[i] > na) {
			char at[HWB_ISO_TIME_MAX], from[HWB_ISO_TIME_MAX],
			     to[HWB_ISO_TIME_MAX];

			hwb_iso_time(s->times[i], at, sizeof(at));
			hwb_iso_time(nb, from, sizeof(from));
			hwb_iso_time(na, to, sizeof(to));
			hwb_error_set(err, HWB_KIND_FAILED, "HWB-V017",
				      "the %s time %s is outside the certificate's validity %s..%s",
				      s->sources[i], at, from, to);
			return hwb_error_hint(err, "the signature was not made while the certificate was valid");
		}
	return 0;
}

static int sig_fail(struct hwb_error *err, const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V018", "the signature %s", what);
	return hwb_error_hint(err, "the file or the bundle was changed after signing");
}

static int digest_fail(struct hwb_error *err)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-V019",
		      "the artifact's SHA-256 is not the digest the bundle signs");
	return hwb_error_hint(err, "verify the file the bundle was made for");
}

/* Step 7: the signature over the artifact (digest) or the DSSE PAE. */
static int check_signature(const struct hwb_sign__bundle *b,
			   const struct hwb_sign__artifact *a,
			   const struct state *s, struct hwb_error *err)
{
	struct hwb_buf msg = HWB_BUF_INIT;
	const uint8_t *sig = (const uint8_t *)b->signature.ptr;
	int rc = -1;

	if (b->is_dsse) {
		if (hwb_sign__pae(&msg, &b->payload_type, &b->payload)) {
			hwb_error_oom(err);
			goto cleanup;
		}
		if (hwb_sign__verify_sig(s->key, sig, b->signature.len,
					 (const uint8_t *)msg.ptr, msg.len, 0)) {
			sig_fail(err, "over the DSSE envelope does not verify");
			goto cleanup;
		}
		rc = hwb_sign__statement_check(&b->payload_type, &b->payload, a, err);
		goto cleanup;
	}
	if (b->has_digest && memcmp(b->digest, a->sha256, 32)) {
		digest_fail(err);
		goto cleanup;
	}
	if (EVP_PKEY_get_base_id(s->key) == EVP_PKEY_ED25519) {
		/* Ed25519 signs the whole message: read it */
		if (!a->path) {
			sig_fail(err, "is Ed25519, which a digest alone cannot verify");
			goto cleanup;
		}
		if (hwb_file_read_all(a->path, MAX_ARTIFACT_IN_MEMORY, &msg, err))
			goto cleanup;
		if (hwb_sign__verify_sig(s->key, sig, b->signature.len,
					 (const uint8_t *)msg.ptr, msg.len, 0)) {
			sig_fail(err, "over the artifact does not verify");
			goto cleanup;
		}
	} else if (hwb_sign__verify_sig(s->key, sig, b->signature.len, a->sha256,
					32, 1)) {
		sig_fail(err, "over the artifact does not verify");
		goto cleanup;
	}
	rc = 0;
cleanup:
	hwb_buf_release(&msg);
	return rc;
}

static void fill_result(const struct hwb_sign__bundle *b,
			const struct hwb_sign__artifact *a,
			const struct state *s, struct hwb_verify_result *res)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < 32; i++) {
		res->artifact_sha256[2 * i] = hexd[a->sha256[i] >> 4];
		res->artifact_sha256[2 * i + 1] = hexd[a->sha256[i] & 15];
	}
	res->artifact_sha256[64] = 0;
	if (!s->leaf) {
		snprintf(res->identity, sizeof(res->identity), "public key");
		res->issuer[0] = 0;
	}
	snprintf(res->bundle_type, sizeof(res->bundle_type), "v0.%d %s",
		 b->version, b->is_dsse ? "dsseEnvelope" : "messageSignature");
	snprintf(res->entry_kind, sizeof(res->entry_kind), "%s %s", b->entry.kind,
		 b->entry.version);
	res->log_index = b->entry.log_index;
	res->integrated_time = b->entry.integrated_time;
	res->time_count = s->ntimes;
	for (i = 0; i < s->ntimes; i++) {
		res->times[i] = s->times[i];
		snprintf(res->time_sources[i], sizeof(res->time_sources[i]), "%s",
			 s->sources[i]);
	}
}

int hwb_sign__verify_parsed(struct hwb_verifier *v,
			    const struct hwb_sign__bundle *b,
			    const struct hwb_sign__artifact *a,
			    const char *file, struct hwb_verify_result *res,
			    struct hwb_error *err)
{
	struct state s;
	int rc = -1;

	memset(&s, 0, sizeof(s));
	hwb_buf_init(&s.signer);
	memset(res, 0, sizeof(*res));
	if (load_signer(v, b, &s, err) || establish_times(v, b, &s, err) ||
	    (s.leaf && check_certificate(v, &s, res, err)) ||
	    check_log(v, b, &s, err) || check_times(&s, b, err) ||
	    check_signature(b, a, &s, err) ||
	    hwb_sign__body_verify(b, a, &s.signer, s.leaf != NULL, err))
		goto cleanup;
	fill_result(b, a, &s, res);
	rc = 0;
cleanup:
	if (rc && file && !err->file[0])
		hwb_error_at(err, file, 0, 0);
	X509_free(s.leaf);
	X509_free(s.issuer);
	hwb_buf_release(&s.signer);
	return rc;
}

int hwb_sign__artifact_load(struct hwb_sign__artifact *a, const char *arg,
			    struct hwb_error *err)
{
	struct hwb_buf raw = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	int rc = -1;

	memset(a, 0, sizeof(*a));
	/* "sha256:<hex>" is a digest only when no such file exists */
	if (!strncmp(arg, "sha256:", 7) && strlen(arg) == 71 &&
	    access(arg, F_OK) && errno == ENOENT) {
		if (hwb_hex_decode(&raw, arg + 7, 64, &ignored) || raw.len != 32) {
			hwb_error_set(err, HWB_KIND_USAGE, "HWB-V009",
				      "'%s' is not sha256: followed by 64 hex digits", arg);
			hwb_error_hint(err, "give a file, or its digest as sha256:<hex>");
			goto cleanup;
		}
		memcpy(a->sha256, raw.ptr, 32);
		rc = 0;
		goto cleanup;
	}
	a->path = arg;
	rc = hwb_hash_file(HWB_HASH_SHA256, arg, a->sha256, err);
cleanup:
	hwb_buf_release(&raw);
	return rc;
}
