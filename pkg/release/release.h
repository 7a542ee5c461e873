/* SPDX-License-Identifier: Apache-2.0 */
/*
 * release.h: `hwb release`, one release from source (or from what earlier
 * build jobs made) to the index: build in the sandbox, check, sign every
 * distribution, sign the SLSA provenance, make PEP 740 attestations, and
 * publish. It joins pkg/build, pkg/wheel, pkg/sign and pkg/publish through
 * their public headers. Every step's outcome goes into OUTDIR/release.json
 * (schema hwb.release/1, docs/schemas.md), rewritten atomically after each
 * step and each file, so that a run killed at any point and started again
 * finishes the release: what is recorded as done is not done twice, and a
 * file whose upload was cut off is sent again (the index takes an
 * identical re-upload as a success and keeps one copy). A run after a
 * complete release changes nothing. This package never prints: the caller
 * gets events and a result.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/error.h"

struct hwb_build_options;
struct hwb_check_options;
struct hwb_http_options;
struct hwb_signer;

enum hwb_release_step {
	HWB_RELEASE_BUILD = 0,
	HWB_RELEASE_CHECK,
	HWB_RELEASE_SIGN,       /* a Sigstore bundle per distribution */
	HWB_RELEASE_PROVENANCE, /* the SLSA provenance in a DSSE bundle */
	HWB_RELEASE_ATTEST,     /* PEP 740 publish attestations */
	HWB_RELEASE_PUBLISH,
	HWB_RELEASE_STEPS
};

enum hwb_release_status {
	HWB_RELEASE_PENDING = 0,
	HWB_RELEASE_DONE,
	HWB_RELEASE_SKIPPED, /* not part of this run (reason in the event) */
	HWB_RELEASE_FAILED,
};

/* One distribution of the release. Strings owned by the result. */
struct hwb_release_file {
	char *path;            /* the distribution */
	const char *filename;  /* points into path */
	char sha256[65];
	uint64_t size;
	char *bundle;          /* its Sigstore bundle, or NULL */
	int64_t log_index;     /* the bundle's log entry, or -1 */
	char *attestation;     /* DIST.publish.attestation, or NULL */
	int64_t attestation_log_index; /* or -1 */
	char *upload;          /* "uploaded", "dry-run", or NULL: not yet */
};

/* What the release did; release with hwb_release_result_release(). */
struct hwb_release_result {
	struct hwb_release_file *files; /* wheels first, the sdist last */
	size_t count;
	char *name, *version;           /* from the file names, then METADATA */
	char *provenance;               /* the statement, or NULL */
	char *provenance_sha256;
	char *provenance_bundle;        /* its bundle, or NULL */
	int64_t provenance_log_index;
	char *identity, *issuer;        /* the signer's certificate */
	char *log_url;                  /* the log of the bundles */
	char *index_url, *project_url;  /* the upload URL; where files show */
	char *auth;                     /* "trusted-publishing", "api-token", ... */
	int trusted;                    /* trusted publishing is used */
	enum hwb_release_status steps[HWB_RELEASE_STEPS];
	double seconds[HWB_RELEASE_STEPS];
	int resumed;                    /* a release.json in progress was taken up */
	int already_complete;           /* nothing to do: it was complete */
	char *state_path;               /* OUTDIR/release.json */
};

#define HWB_RELEASE_RESULT_INIT { 0 }

enum hwb_release_event {
	HWB_RELEASE_EVENT_STEP_START,  /* step; detail: what it does */
	HWB_RELEASE_EVENT_STEP_DONE,   /* step; status; detail: why skipped */
	HWB_RELEASE_EVENT_FILE_START,  /* step and file */
	HWB_RELEASE_EVENT_FILE_PROGRESS, /* publish: bytes sent of total */
	HWB_RELEASE_EVENT_FILE_DONE,   /* step and file; detail: the outcome */
};

/* One event; pointers valid during the call only. */
struct hwb_release_progress {
	enum hwb_release_event event;
	enum hwb_release_step step;
	enum hwb_release_status status; /* STEP_DONE */
	const char *filename;           /* FILE_* */
	const char *detail;             /* may be NULL */
	uint64_t sent, total;           /* FILE_PROGRESS */
	const struct hwb_error *err;    /* STEP_DONE with FAILED */
	const struct hwb_release_result *result; /* as far as it got */
};

typedef void (*hwb_release_notify)(void *ctx, const struct hwb_release_progress *p);

/*
 * Opens the signer when the first signature is due (the caller finds the
 * OIDC token and shows the identity); not called when nothing is left to
 * sign. The release frees it with hwb_signer_free().
 */
typedef int (*hwb_release_open_signer)(void *ctx, struct hwb_signer **out,
				       struct hwb_error *err);

struct hwb_release_options {
	const struct hwb_build_options *build; /* used without from */
	const char *from;          /* distributions built by earlier jobs */
	const char *outdir;        /* where release.json goes (required) */
	const char *repository_url; /* the upload URL, checked by the caller */
	int dry_run;               /* no signature (unless sign), no upload */
	int sign;                  /* with dry_run: sign anyway */
	int no_publish;            /* everything but the upload */
	/* Credentials for the upload, borrowed; password NULL: trusted
	 * publishing when the CI offers an OIDC token. */
	const char *username;
	const char *password;
	const char *gcp_metadata_url; /* tests: Google's metadata server */
	hwb_release_open_signer open_signer;
	void *signer_ctx;
	const struct hwb_http_options *http;   /* NULL: defaults */
	const struct hwb_check_options *check; /* NULL: defaults */
	hwb_release_notify notify;             /* may be NULL */
	void *notify_ctx;
};

/**
 * Run the release, or finish the one OUTDIR/release.json records as in
 * progress with the same options. Returns 0 when every step of this run is
 * done (result->already_complete when there was nothing to do), -1 with
 * err at the first failure: nothing is uploaded after a failed step, and
 * release.json keeps what was done and the error. Codes HWB-L0xx, and
 * those of the package a step ran.
 */
int hwb_release_run(const struct hwb_release_options *o,
		    struct hwb_release_result *result, struct hwb_error *err);

void hwb_release_result_release(struct hwb_release_result *r);

/** "build", "check", "sign", "provenance", "attest", "publish". */
const char *hwb_release_step_name(enum hwb_release_step s);
/** "pending", "done", "skipped", "failed". */
const char *hwb_release_status_name(enum hwb_release_status s);
