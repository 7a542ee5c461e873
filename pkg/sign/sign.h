/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sign.h: Sigstore signing and verification (hwb sign, hwb attest, hwb
 * verify). A verifier holds a trust root and an identity policy; it checks
 * bundles (v0.1-v0.3), detached signatures looked up in Rekor, and PEP 740
 * attestations, offline unless asked otherwise, in the order of the
 * Sigstore client specification. A signer holds one ephemeral key and its
 * Fulcio certificate; every bundle it returns has passed the verifier.
 * No OpenSSL or jansson type appears here.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

struct hwb_http_options;

/* Which identity rule a signature must satisfy. */
enum hwb_verify_policy_kind {
	HWB_POLICY_NONE = 0,   /* refused: never "verified" without a policy */
	HWB_POLICY_IDENTITY,   /* SAN and issuer, exact or regular expression */
	HWB_POLICY_GITHUB,     /* --repository/--workflow [--ref] */
	HWB_POLICY_GITLAB,     /* PEP 740 GitLab publisher */
	HWB_POLICY_GOOGLE,     /* PEP 740 Google publisher (service account) */
	HWB_POLICY_KEY,        /* a managed public key, no certificate */
};

/*
 * The policy; strings are borrowed from the caller for the verifier's life.
 * IDENTITY: one of identity / identity_regexp, one of issuer /
 * issuer_regexp (regular expressions are POSIX extended, matched anywhere
 * in the value, as cosign does). GITHUB and GITLAB: repository ("o/r" or
 * "group/project") and workflow (file name), ref optional. GOOGLE:
 * identity is the service account's e-mail. KEY: key_path, a PEM public key.
 */
struct hwb_verify_policy {
	enum hwb_verify_policy_kind kind;
	const char *identity;
	const char *identity_regexp;
	const char *issuer;
	const char *issuer_regexp;
	const char *repository;
	const char *workflow;
	const char *ref;
	const char *key_path;
	/*
	 * PEP 740 matching of the Build Config URI: exactly
	 * ".../{workflow}@{ref or digest}" instead of the prefix
	 * ".../{workflow}@" that the plain GitHub policy checks.
	 */
	int pep740;
};

/* Where trust comes from. */
struct hwb_verify_options {
	const char *trusted_root; /* a trusted_root.json, or NULL: embedded */
	/* Or its bytes, already verified by the caller (a TUF target from
	 * hwb's cache), named in messages by trusted_root_name; borrowed.
	 * Used when trusted_root is NULL. */
	const char *trusted_root_json;
	size_t trusted_root_len;
	const char *trusted_root_name;
	int staging;              /* embedded staging root instead of production */
	int online;               /* allow the Rekor look-up of detached signatures */
	const char *rekor_url;    /* Rekor base URL for --online; NULL: the trust
				   * root's currently valid Rekor v1 log */
	const struct hwb_http_options *http; /* Rekor client settings,
					      * borrowed; NULL: defaults */
	struct hwb_verify_policy policy;
};

/* What was verified, for the report. All strings NUL-terminated. */
#define HWB_VERIFY_MAX_TIMES 8
struct hwb_verify_result {
	char artifact_sha256[65]; /* lowercase hex */
	char identity[1024];      /* SAN, or "public key" */
	char issuer[512];         /* OIDC issuer extension, may be empty */
	char bundle_type[64];     /* "v0.3 messageSignature", ... */
	char entry_kind[48];      /* "hashedrekord 0.0.1", ... */
	int64_t log_index;        /* global log index */
	int64_t integrated_time;  /* 0 when the entry has none (Rekor v2) */
	size_t time_count;        /* verified times: TSA genTime then log time */
	int64_t times[HWB_VERIFY_MAX_TIMES];
	char time_sources[HWB_VERIFY_MAX_TIMES][16]; /* "rfc3161", "tlog" */
};

struct hwb_verifier; /* opaque */

/**
 * Create a verifier: load the trust root (the file, or the embedded
 * production/staging one) and check the policy is complete. A policy of
 * kind NONE is refused (HWB_KIND_USAGE). Free with hwb_verifier_free().
 */
int hwb_verifier_new(struct hwb_verifier **out,
		     const struct hwb_verify_options *opts,
		     struct hwb_error *err);
void hwb_verifier_free(struct hwb_verifier *v);

/**
 * Verify one artifact against its bundle. artifact is a path, or
 * "sha256:<64 hex>" when no such path exists (digest only). bundle may be
 * NULL: then "ARTIFACT.sigstore.json", then "ARTIFACT.sigstore". Returns 0
 * and fills res when verified; -1 with err (HWB_KIND_FAILED naming the step
 * that failed, HWB_KIND_CONFIG for an unreadable file).
 */
int hwb_verify_bundle(struct hwb_verifier *v, const char *artifact,
		      const char *bundle, struct hwb_verify_result *res,
		      struct hwb_error *err);

/**
 * Verify a detached signature (base64 DER) and certificate (PEM, or base64
 * of PEM) by looking the entry up in Rekor by the artifact's SHA-256, then
 * verifying it as a bundle. Needs opts->online (else HWB_KIND_USAGE).
 */
int hwb_verify_detached(struct hwb_verifier *v, const char *artifact,
			const char *signature_path, const char *cert_path,
			struct hwb_verify_result *res, struct hwb_error *err);

/**
 * Verify a PEP 740 attestation for the distribution file dist: the file
 * DIST.publish.attestation, or provenance (a PyPI Integrity API document)
 * when not NULL. The policy must be GITHUB, GITLAB or GOOGLE.
 */
int hwb_verify_pypi(struct hwb_verifier *v, const char *dist,
		    const char *provenance, struct hwb_verify_result *res,
		    struct hwb_error *err);

/*
 * Where hwb sign writes FILE's outputs by default: FILE + suffix beside it,
 * but for a wheel or sdist DIR/NAME: DIR-signatures/NAME + suffix, so that
 * DIR keeps only distributions (twine and gh-action-pypi-publish refuse
 * anything else). hwb verify looks there too. -1 when out of memory.
 */
int hwb_sign_is_distribution(const char *path);
int hwb_sign_signature_dir(const char *file, struct hwb_buf *out);
int hwb_sign_output_path(const char *file, const char *suffix, struct hwb_buf *out);

/* The embedded trusted_root.json (production or staging), for tests. */
const char *hwb_verify_embedded_root(int staging, size_t *len);

/* ---- Signing ---- */

struct hwb_oidc_token;

/* Where the signer's trust and services come from. */
struct hwb_sign_options {
	const char *trusted_root;   /* a trusted_root.json, or NULL: embedded */
	int staging;                /* the embedded staging root and config */
	const char *signing_config; /* a signing config v0.2, or NULL: embedded */
	/* Bytes instead of the files, as in struct hwb_verify_options; used
	 * when the path is NULL. */
	const char *trusted_root_json;
	size_t trusted_root_len;
	const char *signing_config_json;
	size_t signing_config_len;
	const char *trust_name; /* where the bytes came from, for messages */
	unsigned rekor_version;     /* 0: the signing config's choice; 1 or 2 */
	const struct hwb_http_options *http; /* borrowed; NULL: defaults */
};

/* What one signature produced, for the report and the audit log. */
struct hwb_sign_result {
	char sha256[65];          /* the signed file's (attest: first subject's) */
	char identity[1024];      /* the certificate's SAN */
	char issuer[512];         /* its OIDC issuer */
	int64_t log_index;
	char log_url[512];        /* the transparency log's base URL */
	char entry_kind[48];      /* "hashedrekord 0.0.2", "dsse 0.0.1", ... */
	size_t timestamps;        /* RFC 3161 timestamps in the bundle */
};

struct hwb_signer; /* opaque */

/**
 * Make a signer: load the trust root and the signing config, choose the
 * services valid now, generate an ephemeral P-256 key (never written
 * anywhere, in locked memory where the system allows) and get its Fulcio
 * certificate for token, checked at once against the trust root (chain,
 * SCT, key usage) and against the token's identity. The token is used
 * only here. Free with hwb_signer_free(), which wipes the key.
 */
int hwb_signer_new(struct hwb_signer **out, const struct hwb_sign_options *opts,
		   const struct hwb_oidc_token *token, struct hwb_error *err);
void hwb_signer_free(struct hwb_signer *s);
/* The certificate's identity and issuer; the chosen Fulcio URL. */
const char *hwb_signer_identity(const struct hwb_signer *s);
const char *hwb_signer_issuer(const struct hwb_signer *s);
const char *hwb_signer_fulcio_url(const struct hwb_signer *s);
/* The major API version of the log signatures go to (1 or 2). */
unsigned hwb_signer_rekor_version(const struct hwb_signer *s);

/**
 * The OAuth issuer of the signing config that opts names (oidcUrls valid
 * now), for the interactive token flow; "" when it names none.
 */
int hwb_sign_oauth_issuer(const struct hwb_sign_options *opts,
			  struct hwb_buf *out, struct hwb_error *err);

/**
 * Sign the file at path (a message signature): digest, signature, RFC 3161
 * timestamps from the chosen TSAs, one transparency log entry, then the
 * bundle v0.3 JSON in *bundle, verified with hwb's verifier against the
 * same trust root and identity before it is returned.
 */
int hwb_sign_file(struct hwb_signer *s, const char *path, struct hwb_buf *bundle,
		  struct hwb_sign_result *res, struct hwb_error *err);

/*
 * Called once per file, in the order of paths, from one thread at a time:
 * on success with the bundle and result (err NULL), on failure with err
 * (bundle and res NULL). The bundle is released after the call returns.
 */
typedef void (*hwb_sign_done_fn)(void *ctx, size_t index,
				 const struct hwb_buf *bundle,
				 const struct hwb_sign_result *res,
				 const struct hwb_error *err);

/**
 * Sign paths[0..n) as hwb_sign_file does, several at once (the waits on
 * the TSA and the log overlap; the checks run one at a time), reporting
 * each to done in order. Returns 0 when every file was signed, else -1
 * with err: HWB-S032 counting the failures (each reported to done), or an
 * error that stopped the run before any file.
 */
int hwb_sign_files(struct hwb_signer *s, const char *const *paths, size_t n,
		   hwb_sign_done_fn done, void *ctx, struct hwb_error *err);

/**
 * Sign an in-toto v1 statement (JSON text) in a DSSE envelope; the bundle is
 * verified against the statement's first subject. pep740: log in Rekor v1
 * without timestamps, as PEP 740 attestations must be (protocols.md design
 * constraint 1), whatever the signing config prefers.
 */
int hwb_sign_statement(struct hwb_signer *s, const struct hwb_buf *statement,
		       int pep740, struct hwb_buf *bundle,
		       struct hwb_sign_result *res, struct hwb_error *err);

/* One subject of a statement: a name and its SHA-256 in lowercase hex. */
struct hwb_sign_subject {
	const char *name;
	const char *sha256_hex;
};

/**
 * An in-toto Statement v1 about subjects[0..n) with predicate_type and
 * predicate (JSON text; NULL: no predicate, as PEP 740's publish/v1).
 */
int hwb_sign_statement_build(struct hwb_buf *out,
			     const struct hwb_sign_subject *subjects, size_t n,
			     const char *predicate_type, const char *predicate,
			     struct hwb_error *err);

/** A PEP 740 attestation object from a DSSE bundle made by hwb_sign_statement. */
int hwb_sign_pep740_from_bundle(const struct hwb_buf *bundle,
				struct hwb_buf *out, struct hwb_error *err);

/**
 * A PEP 740 publish attestation for the distribution filename with this
 * SHA-256 (lowercase hex): the in-toto statement (predicate type
 * https://docs.pypi.org/attestations/publish/v1, no predicate) signed as
 * hwb_sign_statement(pep740) does, in PEP 740's attestation form (*out).
 */
int hwb_sign_pep740(struct hwb_signer *s, const char *filename, const char *sha256_hex,
		    struct hwb_buf *out, struct hwb_sign_result *res, struct hwb_error *err);

/**
 * The cosign pair of a message-signature bundle: the signature in base64
 * (FILE.sig) and the certificate in PEM (FILE.cert).
 */
int hwb_sign_bundle_sig_cert(const struct hwb_buf *bundle, struct hwb_buf *sig_b64,
			     struct hwb_buf *cert_pem, struct hwb_error *err);
