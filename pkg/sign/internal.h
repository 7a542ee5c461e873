/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of pkg/sign share: the parsed bundle, the
 * trust root, and one function per verification step. Not a public header:
 * OpenSSL and jansson types are allowed here.
 */
#pragma once

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/sign/sign.h"

/* Limits on outside input, so that a hostile bundle cannot exhaust memory. */
#define HWB_SIGN__MAX_BUNDLE (16u << 20)   /* bundles are a few KiB */
#define HWB_SIGN__MAX_CERTS 16             /* chain length in a bundle */
#define HWB_SIGN__MAX_PROOF 64             /* proof hashes: 2^64 leaves */
#define HWB_SIGN__MAX_TIMESTAMPS 32        /* as sigstore-python allows */
#define HWB_SIGN__MAX_NOTE (64u << 10)     /* a checkpoint note */

/* A closed interval of seconds since the epoch; has_end 0 = open end. */
struct hwb_sign__range {
	int64_t start;
	int64_t end;
	int has_end;
};

enum hwb_sign__keytype {
	HWB_SIGN__KEY_EC,
	HWB_SIGN__KEY_ED25519,
	HWB_SIGN__KEY_RSA,
};

/*
 * A transparency log or CT log of the trust root. Its key is decoded when a
 * verification selects the log (hwb_sign__log_decode): decoding every key
 * of the root at each start cost more than the rest of a verification.
 */
struct hwb_sign__log {
	char *base_url;               /* owned */
	uint8_t log_id[32];
	struct hwb_buf der;           /* the key as the root gives it */
	int pkcs1;                    /* keyDetails PKCS1_RSA_*: bare RSAPublicKey */
	EVP_PKEY *key;                /* owned; NULL until decoded */
	enum hwb_sign__keytype keytype; /* set with key */
	struct hwb_sign__range valid;
};

/*
 * A Fulcio CA or a TSA: its chain, leaf-most first, root last, decoded
 * when a verification needs this authority (hwb_sign__authority_decode).
 */
struct hwb_sign__authority {
	char *uri;                    /* owned */
	struct hwb_buf ders[HWB_SIGN__MAX_CERTS]; /* the certificates as given */
	size_t nders;
	STACK_OF(X509) *chain;        /* owned; NULL until decoded */
	struct hwb_sign__range valid;
	/*
	 * The last result of a path validation through this authority, so
	 * that the bundles of one signer (one leaf, many files) or one
	 * timestamp checked twice cost one validation: a Fulcio CA keeps the
	 * leaf's digest, the issuer and the times every certificate of the
	 * path is valid (validation depends on time only through them); a
	 * TSA keeps the digest of the response and signature it verified.
	 */
	int memo_set;
	uint8_t memo_key[32];
	int64_t memo_from, memo_until;
	X509 *memo_issuer;            /* owned */
};

struct hwb_sign__trust {
	struct hwb_sign__log *tlogs;
	size_t ntlogs;
	struct hwb_sign__log *ctlogs;
	size_t nctlogs;
	struct hwb_sign__authority *cas;
	size_t ncas;
	struct hwb_sign__authority *tsas;
	size_t ntsas;
};

/* One transparency log entry as carried in a bundle. */
struct hwb_sign__entry {
	int64_t log_index;
	uint8_t log_id[32];
	char kind[32];
	char version[16];
	int64_t integrated_time;      /* 0 when absent */
	struct hwb_buf set;           /* signedEntryTimestamp, empty if none */
	int has_proof;
	int64_t proof_index;
	int64_t tree_size;
	uint8_t root_hash[32];
	struct hwb_buf hashes;        /* n * 32 bytes */
	struct hwb_buf checkpoint;    /* the signed note text */
	struct hwb_buf body;          /* canonicalizedBody, decoded */
};

enum hwb_sign__material {
	HWB_SIGN__MAT_CERT,   /* v0.3 certificate */
	HWB_SIGN__MAT_CHAIN,  /* v0.1/v0.2 x509CertificateChain */
	HWB_SIGN__MAT_KEY,    /* publicKey hint: a managed key */
};

struct hwb_sign__bundle {
	int version;                  /* minor: 1, 2 or 3 */
	enum hwb_sign__material material;
	struct hwb_buf certs[HWB_SIGN__MAX_CERTS]; /* DER, leaf first */
	size_t ncerts;
	struct hwb_sign__entry entry; /* exactly one */
	struct hwb_buf timestamps[HWB_SIGN__MAX_TIMESTAMPS]; /* DER responses */
	size_t ntimestamps;
	int is_dsse;
	/* messageSignature */
	int has_digest;
	uint8_t digest[32];
	/* the signature: messageSignature.signature or the DSSE one */
	struct hwb_buf signature;
	/* dsseEnvelope */
	struct hwb_buf payload;
	struct hwb_buf payload_type;
};

/* The verifier behind the opaque public handle. */
struct hwb_verifier {
	struct hwb_sign__trust trust;
	struct hwb_verify_options opts;
	EVP_PKEY *key;                /* policy KEY: the managed key */
	void *identity_re;            /* regex_t *, compiled once */
	void *issuer_re;
};

/* The artifact: its digest and, when it is a file, its path. */
struct hwb_sign__artifact {
	uint8_t sha256[32];
	const char *path;             /* NULL for a digest-only artifact */
};

/* bundle.c */
void hwb_sign__bundle_init(struct hwb_sign__bundle *b);
void hwb_sign__bundle_release(struct hwb_sign__bundle *b);
/* Parse and apply the load-time checks; file names the input in errors. */
int hwb_sign__bundle_parse(struct hwb_sign__bundle *b, const char *text,
			   size_t len, const char *file, struct hwb_error *err);
int hwb_sign__bundle_from_json(struct hwb_sign__bundle *b, json_t *root,
			       const char *file, struct hwb_error *err);
/* A TransparencyLogEntry object (bundle or PEP 740 form) into e. */
int hwb_sign__entry_from_json(struct hwb_sign__entry *e, json_t *obj,
			      const char *file, struct hwb_error *err);
void hwb_sign__entry_release(struct hwb_sign__entry *e);
/*
 * Bundle-worded readers of protobuf-JSON fields (pbjson.c rules: absent or
 * null = "", empty, 0): -1 with HWB-V004 naming the field on a wrong type,
 * bad base64 or a negative integer.
 */
int hwb_sign__json_bytes(json_t *obj, const char *key, struct hwb_buf *out,
			 const char *file, struct hwb_error *err);
int hwb_sign__json_int64(json_t *obj, const char *key, int64_t *out,
			 const char *file, struct hwb_error *err);

/*
 * pbjson.c: the protobuf JSON mapping for every Sigstore document and
 * service answer hwb reads. A writer omits a scalar holding its zero value
 * (and may write null), so an absent or null scalar reads as "", empty or 0:
 * new readers get that rule by calling these. They fill no error: -1 says
 * the field has the wrong JSON type or form, and the caller words it with
 * its own code. obj may be NULL (an absent message): every field is absent.
 */
/* bytes: standard or URL base64, line breaks skipped; out emptied first.
 * -1 with out->oom set on allocation failure. */
int hwb_sign__pb_bytes(json_t *obj, const char *key, struct hwb_buf *out);
int hwb_sign__pb_base64(struct hwb_buf *out, const char *s, size_t len);
/* int64 and uint32: a JSON number or a decimal string; negatives refused. */
int hwb_sign__pb_int64(json_t *obj, const char *key, int64_t *out);
int hwb_sign__pb_uint32(json_t *obj, const char *key, uint32_t *out);
/* string: "" when absent or null, NULL when not a string. Borrowed. */
const char *hwb_sign__pb_string(json_t *obj, const char *key);
/* message: *out NULL when absent or null; -1 when not a JSON object. */
int hwb_sign__pb_message(json_t *obj, const char *key, json_t **out);
/*
 * A TimeRange message at key (validFor): its start is required, its end
 * optional (open end). -1 when the range or its start is missing, or a
 * time is not RFC 3339.
 */
int hwb_sign__pb_range(json_t *obj, const char *key,
		       struct hwb_sign__range *r);

/* trustroot.c */
int hwb_sign__trust_parse(struct hwb_sign__trust *t, const char *text,
			  size_t len, const char *file, struct hwb_error *err);
void hwb_sign__trust_release(struct hwb_sign__trust *t);
int hwb_sign__range_contains(const struct hwb_sign__range *r, int64_t t);
/* RFC 3339 to seconds since the epoch (fractions dropped). */
int hwb_sign__parse_rfc3339(const char *s, int64_t *out);
/*
 * The log of logs[0..n) with this ID in *out (NULL when none), its key
 * decoded. -1 with HWB-V006 when the key of that log does not decode.
 */
int hwb_sign__find_log(struct hwb_sign__log *logs, size_t n,
		       const uint8_t id[32], const struct hwb_sign__log **out,
		       struct hwb_error *err);
/* Decode l->key once (cached in l); -1 with HWB-V006 when it is not a key. */
int hwb_sign__log_decode(struct hwb_sign__log *l, struct hwb_error *err);
/* Decode a->chain once (cached in a); -1 with HWB-V006 when a certificate is bad. */
int hwb_sign__authority_decode(struct hwb_sign__authority *a,
			       struct hwb_error *err);

/*
 * signing_config.c: the Sigstore signing config (v0.2): which Fulcio, OIDC
 * provider, Rekor logs and TSAs a signer uses, per the client specification
 * (protobuf-specs sigstore_trustroot.proto, SigningConfig and Service) and
 * sigstore-python's SigningConfig.
 */
struct hwb_sign__service {
	char *url;                     /* owned, no trailing slash */
	unsigned major;                /* majorApiVersion */
	struct hwb_sign__range valid;  /* validFor */
	char *operator_name;           /* owned, may be "" */
};
enum hwb_sign__selector { HWB_SIGN__SEL_ALL, HWB_SIGN__SEL_ANY, HWB_SIGN__SEL_EXACT };
struct hwb_sign__signing_config {
	struct hwb_sign__service *ca, *oidc, *tlog, *tsa;
	size_t nca, noidc, ntlog, ntsa;
	enum hwb_sign__selector tlog_sel, tsa_sel;
	unsigned tlog_count, tsa_count;  /* EXACT's count */
};
#define HWB_SIGN__MAX_SELECTED 8
struct hwb_sign__selection {
	const struct hwb_sign__service *ca;    /* never NULL on success */
	const struct hwb_sign__service *oidc;  /* NULL when none is valid */
	const struct hwb_sign__service *tlogs[HWB_SIGN__MAX_SELECTED];
	size_t ntlogs;
	const struct hwb_sign__service *tsas[HWB_SIGN__MAX_SELECTED];
	size_t ntsas;
};
/*
 * Parse text[0..len) into c (overwritten; release it afterwards whatever the
 * result). file names the input in errors. Refused (kind CONFIG): not JSON
 * (HWB-S001), another mediaType (S002), a field of the wrong type or too
 * many services (S003), a validFor missing or not RFC 3339 (S004), a URL
 * not https (http only to loopback) (S005), a selector undefined or unknown
 * (S006), EXACT without a count (S007).
 */
int hwb_sign__signing_config_parse(struct hwb_sign__signing_config *c,
				   const char *text, size_t len,
				   const char *file, struct hwb_error *err);
/* Free what c owns and empty it; idempotent. */
void hwb_sign__signing_config_release(struct hwb_sign__signing_config *c);
/*
 * The services to sign with at now (seconds since the epoch): those valid
 * then (inclusive ends) with a supported major version (CA, OIDC, TSA 1;
 * Rekor 1 and 2), one per operator with its highest version (ties: newest
 * start, then first listed), operators in the order listed, cut by the
 * selector (ALL every one, ANY the first, EXACT the first count). The CA
 * and OIDC: the one with the highest version, newest start, first listed.
 * rekor_version 0: every supported major version (1 and 2), else only that
 * one. Pointers in out borrow from c. Refused, out emptied: no CA valid
 * (HWB-S008), no Rekor log valid (S009), fewer logs or TSAs than ANY or
 * EXACT needs (S010), more than HWB_SIGN__MAX_SELECTED (S012), all CONFIG;
 * rekor_version not 0, 1 or 2 (S011, USAGE).
 */
int hwb_sign__signing_config_select(const struct hwb_sign__signing_config *c,
				    int64_t now, unsigned rekor_version,
				    struct hwb_sign__selection *out,
				    struct hwb_error *err);
/* The embedded production or staging signing config (v0.2). */
const char *hwb_sign__embedded_signing_config(int staging, size_t *len);

/* crypto helpers (x509.c) */
int hwb_sign__sha256(const void *data, size_t len, uint8_t out[32]);
/* Verify sig over msg with key; prehashed: msg is a SHA-256 digest. */
int hwb_sign__verify_sig(EVP_PKEY *key, const uint8_t *sig, size_t siglen,
			 const uint8_t *msg, size_t msglen, int prehashed);
X509 *hwb_sign__x509_from_der(const struct hwb_buf *der);

/* x509.c: steps 1 and 3 of the algorithm. */
int hwb_sign__chain_verify(const struct hwb_sign__trust *t, X509 *leaf,
			   int64_t when, X509 **issuer_out,
			   struct hwb_error *err);
int hwb_sign__leaf_usage(X509 *leaf, struct hwb_error *err);
/* Fulcio extension 1.3.6.1.4.1.57264.1.n as text; "" when absent. */
int hwb_sign__fulcio_ext(X509 *leaf, int n, struct hwb_buf *out);
/* The OIDC issuer: extension .1.8, else the deprecated .1.1; "" when neither. */
int hwb_sign__leaf_issuer(X509 *leaf, struct hwb_buf *out);
/* The SAN (e-mail, URI or OtherName .1.7); "" when absent. */
int hwb_sign__leaf_san(X509 *leaf, struct hwb_buf *out);
int hwb_sign__leaf_validity(X509 *leaf, int64_t *not_before,
			    int64_t *not_after);
int hwb_sign__is_ca(X509 *cert);

/* sct.c: step 2. */
/* Parse a TLS SignedCertificateTimestampList; calls back per SCT. */
struct hwb_sign__sct {
	uint8_t version;
	uint8_t log_id[32];
	uint64_t timestamp_ms;
	const uint8_t *ext;
	size_t ext_len;
	uint8_t hash_alg;
	uint8_t sig_alg;
	const uint8_t *sig;
	size_t sig_len;
};
int hwb_sign__sct_list_parse(const uint8_t *p, size_t len,
			     struct hwb_sign__sct *out, size_t max,
			     size_t *count);
int hwb_sign__sct_verify(const struct hwb_sign__trust *t, X509 *leaf,
			 X509 *issuer, struct hwb_error *err);

/* tlog.c: steps 4-6 and 8 for the log entry. */
int hwb_sign__merkle_verify(const struct hwb_sign__entry *e,
			    struct hwb_error *err);
struct hwb_sign__note {
	char origin[256];
	uint64_t size;
	uint8_t root[32];
	size_t body_len;              /* signed bytes: note text up to the blank line */
};
int hwb_sign__note_parse(const char *text, size_t len,
			 struct hwb_sign__note *out);
int hwb_sign__checkpoint_verify(const struct hwb_sign__log *log,
				const struct hwb_sign__entry *e,
				struct hwb_error *err);
int hwb_sign__set_verify(const struct hwb_sign__log *log,
			 const struct hwb_sign__entry *e,
			 struct hwb_error *err);
/* Compare the log body with the bundle; key_der is the signer's SPKI or
 * certificate DER as the body should carry it. */
int hwb_sign__body_verify(const struct hwb_sign__bundle *b,
			  const struct hwb_sign__artifact *a,
			  const struct hwb_buf *signer_der, int signer_is_cert,
			  struct hwb_error *err);

/* tsa.c: step 0. One RFC 3161 response over signature: 0 with its
 * genTime when a TSA of t valid then signed it, else -1 with err
 * (HWB-V010, why it does not count). */
int hwb_sign__tsa_verify(const struct hwb_sign__trust *t,
			 const struct hwb_buf *response,
			 const struct hwb_buf *signature, int64_t *gen_time,
			 struct hwb_error *err);

/* dsse.c */
int hwb_sign__pae(struct hwb_buf *out, const struct hwb_buf *type,
		  const struct hwb_buf *payload);
/* An in-toto statement (payloadType application/vnd.in-toto+json) with a
 * subject whose sha256 is the artifact's. */
int hwb_sign__statement_check(const struct hwb_buf *payload_type,
			      const struct hwb_buf *payload,
			      const struct hwb_sign__artifact *a,
			      struct hwb_error *err);

/* policy.c: identity rules on the leaf. */
int hwb_sign__policy_prepare(struct hwb_verifier *v, struct hwb_error *err);
void hwb_sign__policy_release(struct hwb_verifier *v);
int hwb_sign__policy_check(const struct hwb_verifier *v, X509 *leaf,
			   struct hwb_verify_result *res, struct hwb_error *err);

/* verify.c: the whole algorithm on a parsed bundle. */
int hwb_sign__verify_parsed(struct hwb_verifier *v,
			    const struct hwb_sign__bundle *b,
			    const struct hwb_sign__artifact *a,
			    const char *file, struct hwb_verify_result *res,
			    struct hwb_error *err);
int hwb_sign__artifact_load(struct hwb_sign__artifact *a, const char *arg,
			    struct hwb_error *err);

/* keypair.c: the ephemeral key and its certificate request */
int hwb_sign__key_new(EVP_PKEY **out, struct hwb_error *err);
/* ECDSA over a SHA-256 digest, DER signature into sig. */
int hwb_sign__key_sign_digest(EVP_PKEY *key, const uint8_t digest[32],
			      struct hwb_buf *sig, struct hwb_error *err);
int hwb_sign__key_spki(EVP_PKEY *key, struct hwb_buf *out);
int hwb_sign__csr_pem(EVP_PKEY *key, struct hwb_buf *out, struct hwb_error *err);

/* fulcio.c: a certificate for key, checked against trust and the token.
 * federating_issuer: the instance's own OAuth issuer, whose certificates
 * name the upstream issuer (may be NULL). */
struct hwb_http_client;
struct hwb_oidc_token;
int hwb_sign__fulcio_certify(struct hwb_http_client *http, const char *base,
			     const struct hwb_oidc_token *token, EVP_PKEY *key,
			     const struct hwb_sign__trust *trust,
			     const char *federating_issuer, struct hwb_buf *leaf_der,
			     struct hwb_error *err);

/* rekor.c: writing entries; *entry in the bundle's TransparencyLogEntry form */
json_t *hwb_sign__rekor_v1_entry(json_t *api);
int hwb_sign__rekor_v1_log(struct hwb_http_client *http, const char *base,
			   const struct hwb_buf *proposed, json_t **entry,
			   struct hwb_error *err);
int hwb_sign__rekor_v2_log(struct hwb_http_client *http, const char *base,
			   const struct hwb_buf *proposed, json_t **entry,
			   struct hwb_error *err);
/* The proposed entry: v1 hashedrekord 0.0.1, or v2 hashedRekordRequestV002. */
int hwb_sign__proposed_hashedrekord(struct hwb_buf *out, unsigned version,
				    const uint8_t digest[32],
				    const struct hwb_buf *sig,
				    const struct hwb_buf *cert_der);
int hwb_sign__proposed_dsse(struct hwb_buf *out, const char *envelope_json,
			    const struct hwb_buf *cert_der);

/* tsa_client.c: a verified RFC 3161 response (DER) over sig; the check
 * against trust runs under trust_lock (the trust root's memos). */
int hwb_sign__tsa_timestamp(struct hwb_http_client *http, const char *url,
			    const struct hwb_sign__trust *trust,
			    pthread_mutex_t *trust_lock, const struct hwb_buf *sig,
			    struct hwb_buf *out, struct hwb_error *err);
