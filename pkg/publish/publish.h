/* SPDX-License-Identifier: Apache-2.0 */
/*
 * publish.h: `hwb publish`: upload wheels and sdists to PyPI or any index
 * speaking PyPI's legacy upload API, with an API token or with trusted
 * publishing (the CI's OIDC token exchanged at the index for a short-lived
 * upload token), and PEP 740 attestations. Every metadata field comes from
 * the distribution's own METADATA or PKG-INFO, never from its file name.
 * This package never prints: the caller gets events and a result.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/error.h"
#include "pkg/core/hash.h"

struct hwb_config;
struct hwb_http_options;
struct hwb_check_options;
struct hwb_sign_options;

#define HWB_PUBLISH_PYPI_URL "https://upload.pypi.org/legacy/"
#define HWB_PUBLISH_TESTPYPI_URL "https://test.pypi.org/legacy/"
/* Mint again when less than this remains of the upload token's life. */
#define HWB_PUBLISH_REMINT_MARGIN_S 60

enum hwb_publish_trusted {
	HWB_PUBLISH_TRUSTED_AUTO = 0, /* when a CI token exists, no password */
	HWB_PUBLISH_TRUSTED_ALWAYS,
	HWB_PUBLISH_TRUSTED_NEVER,
};

enum hwb_publish_auth {
	HWB_PUBLISH_AUTH_NONE = 0,  /* --dry-run */
	HWB_PUBLISH_AUTH_PASSWORD,  /* a user name and password */
	HWB_PUBLISH_AUTH_API_TOKEN, /* __token__ and a pypi-... token */
	HWB_PUBLISH_AUTH_TRUSTED,   /* a minted token (trusted publishing) */
};

enum hwb_publish_status {
	HWB_PUBLISH_PENDING = 0,
	HWB_PUBLISH_UPLOADED, /* accepted (an identical re-upload included) */
	HWB_PUBLISH_SKIPPED,  /* --skip-existing: the index has it already */
	HWB_PUBLISH_FAILED,
	HWB_PUBLISH_DRY_RUN,  /* checked and prepared, not sent */
};

/* One distribution file and what became of it. */
struct hwb_publish_file {
	char *path;                /* owned; as given or found in a directory */
	const char *filename;      /* points into path */
	uint64_t size;
	char sha256[HWB_HASH_MAX_HEX];
	char blake2_256[HWB_HASH_MAX_HEX];
	int attested;              /* an attestation went with it */
	int64_t attestation_log_index; /* --attestations: its Rekor entry, or -1 */
	enum hwb_publish_status status;
	unsigned attempts;         /* HTTP attempts of the upload */
	double seconds;            /* digests and upload */
	struct hwb_error error;    /* HWB_PUBLISH_FAILED: why */
};

/* Everything one call did; release with hwb_publish_result_release(). */
struct hwb_publish_result {
	struct hwb_publish_file *files; /* owned, in upload order */
	size_t count;
	char *name;                /* owned; the project, as in METADATA */
	char *version;             /* owned */
	char *index_url;           /* owned; the upload URL */
	char *project_url;         /* owned; where the files can be seen */
	enum hwb_publish_auth auth;
	char *publisher_identity;  /* owned; trusted publishing: the OIDC
				    * token's identity (sub, workflow) */
	char *publisher_issuer;    /* owned; its issuer */
	unsigned mints;            /* upload tokens minted */
};

#define HWB_PUBLISH_RESULT_INIT { 0 }

/* What the caller is told while files go up (to draw progress). */
enum hwb_publish_event {
	HWB_PUBLISH_EVENT_START,    /* a file's upload begins */
	HWB_PUBLISH_EVENT_PROGRESS, /* bytes sent so far */
	HWB_PUBLISH_EVENT_DONE,     /* its status is final */
};

typedef void (*hwb_publish_notify)(void *ctx, enum hwb_publish_event ev,
				   const struct hwb_publish_file *file,
				   uint64_t sent, uint64_t total);

struct hwb_publish_options {
	const char *const *dists;  /* files and directories, as given */
	size_t dist_count;
	const char *repository_url; /* the upload URL (hwb_publish_url) */
	enum hwb_publish_trusted trusted;
	int skip_existing;
	/* Create DIST.publish.attestation (PEP 740, as hwb attest --pypi
	 * does) for every file before the upload and send it; refused
	 * (HWB-P015) unless trusted publishing is used. Without it, existing
	 * DIST.publish.attestation files go along under trusted publishing. */
	int attestations;
	int dry_run;
	int no_check;
	/* Credentials: borrowed, never copied into anything hwb writes.
	 * username NULL means __token__. */
	const char *username;
	const char *password;
	/* Trusted publishing: an OIDC token file ("-": stdin) instead of the
	 * ambient CI, and Google's metadata server for tests. */
	const char *oidc_token_file;
	const char *gcp_metadata_url;
	/* --attestations: the Sigstore trust and services (NULL: embedded);
	 * the signer's token (audience "sigstore") comes from the ambient CI
	 * too, never from oidc_token_file (that one is the index's). */
	const struct hwb_sign_options *sign;
	const struct hwb_http_options *http;    /* NULL: defaults */
	const struct hwb_check_options *check;  /* NULL: defaults */
	hwb_publish_notify notify;             /* may be NULL */
	void *notify_ctx;
};

/**
 * The upload URL: url when given (checked by the URL rule), else the
 * repository called name: "pypi", "testpypi", or a
 * [publish.repositories.NAME] table of the user's configuration (never
 * the project's: it could redirect an upload and its credentials). NULL
 * name and url: PyPI. *out is malloc'd. HWB-P001 unknown name, HWB-P002
 * an URL that is not https (plain http only to loopback addresses) or
 * that holds credentials.
 */
int hwb_publish_url(const struct hwb_config *cfg, const char *name,
		    const char *url, char **out, struct hwb_error *err);

/**
 * Publish. Returns 0 when every file was uploaded or skipped; -1 with err
 * when nothing could start (usage, check, credentials, trusted publishing)
 * or when any file failed (err: the first failure; result says which).
 * result is filled as far as the call got, whatever it returned.
 */
int hwb_publish(const struct hwb_publish_options *opts,
		struct hwb_publish_result *result, struct hwb_error *err);

void hwb_publish_result_release(struct hwb_publish_result *result);

/** "uploaded", "skipped", ... for reports. */
const char *hwb_publish_status_name(enum hwb_publish_status s);
/** "password", "api-token", "trusted-publishing", "none". */
const char *hwb_publish_auth_name(enum hwb_publish_auth a);
