/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sign.h: Sigstore verification (hwb verify). A verifier holds a trust root
 * and an identity policy; it checks bundles (v0.1-v0.3), detached
 * signatures looked up in Rekor, and PEP 740 attestations, offline unless
 * asked otherwise, in the order of the Sigstore client specification.
 * No OpenSSL or jansson type appears here.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

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

/* The embedded trusted_root.json (production or staging), for tests. */
const char *hwb_verify_embedded_root(int staging, size_t *len);
