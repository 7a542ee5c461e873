/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oidc.h: OpenID Connect identity tokens, for Sigstore signing (audience
 * "sigstore") and PyPI trusted publishing (the index's audience). One piece
 * of code finds a token wherever the user's environment offers one, checks
 * its claims before it is sent anywhere, and keeps it out of every log.
 *
 * Sources, in this order (the first that applies wins):
 *   1. a file named by the caller (--identity-token FILE), or "-": stdin;
 *   2. the environment variable <AUDIENCE>_ID_TOKEN (audience uppercased,
 *      every byte outside [A-Z0-9_] as '_': SIGSTORE_ID_TOKEN,
 *      PYPI_ID_TOKEN); this is also how GitLab CI hands tokens over;
 *   3. GitHub Actions: ACTIONS_ID_TOKEN_REQUEST_URL and
 *      ACTIONS_ID_TOKEN_REQUEST_TOKEN (GET URL&audience=AUD);
 *   4. Google Cloud's metadata server, only when this machine is on Google
 *      Cloud (never probed elsewhere);
 *   5. the interactive OAuth 2.0 flow with PKCE and a localhost redirect,
 *      only when the caller allows it (a maintainer's laptop).
 *
 * A token is a secret: it is registered with hwb_redact_register() as soon
 * as it is read, never written to a file, an error or an audit record, and
 * wiped when released. Claims are copied out of it for messages.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/error.h"

struct hwb_http_options;

enum hwb_oidc_source {
	HWB_OIDC_NONE = 0,
	HWB_OIDC_FILE,        /* --identity-token FILE */
	HWB_OIDC_STDIN,       /* --identity-token - */
	HWB_OIDC_ENV,         /* <AUDIENCE>_ID_TOKEN (GitLab CI and others) */
	HWB_OIDC_GITHUB,      /* GitHub Actions' token endpoint */
	HWB_OIDC_GOOGLE,      /* Google Cloud metadata server */
	HWB_OIDC_INTERACTIVE, /* browser, OAuth 2.0 authorization code + PKCE */
};

/* The claims hwb reads; every string NUL-terminated, "" when absent. */
struct hwb_oidc_claims {
	char iss[512];
	char sub[512];
	char aud[256];        /* the matching audience (aud may be a list) */
	char email[320];
	int email_verified;
	int64_t exp, iat, nbf; /* 0 when absent */
	/*
	 * The identity a Fulcio certificate will name: the e-mail for e-mail
	 * issuers, https://github.com/<job_workflow_ref> for GitHub Actions,
	 * the CI config URI for GitLab, else sub.
	 */
	char identity[1024];
	/* CI claims, for policies and trusted-publishing explanations */
	char repository[256];        /* GitHub repository, GitLab project_path */
	char repository_owner[256];  /* GitHub repository_owner, GitLab namespace_path */
	char repository_owner_id[64];
	char workflow_ref[512];
	char job_workflow_ref[512];  /* GitLab: ci_config_ref_uri */
	char ref[256];
	char sha[64];
	char environment[256];
	char event_name[64];
};

struct hwb_oidc_token {
	char *jwt;                   /* owned, NUL-terminated, wiped on release */
	size_t len;
	enum hwb_oidc_source source;
	struct hwb_oidc_claims claims;
};

#define HWB_OIDC_TOKEN_INIT { .jwt = NULL, .len = 0, .source = HWB_OIDC_NONE }

struct hwb_oidc_options {
	const char *audience;    /* required: "sigstore", "pypi", ... */
	const char *token_file;  /* a path, "-" for stdin, or NULL: ambient */
	int allow_interactive;   /* source 5 may run when nothing else did */
	const char *oauth_issuer;    /* interactive: issuer base URL, e.g.
				      * https://oauth2.sigstore.dev/auth */
	const char *oauth_client_id; /* NULL: "sigstore" */
	/*
	 * Google Cloud's metadata server base URL. NULL: the real one, used
	 * only when this machine is on Google Cloud; set (tests): always
	 * tried, at this address.
	 */
	const char *gcp_metadata_url;
	long exp_leeway_s;       /* tolerated clock skew on exp/nbf; <0: 60 s */
	const struct hwb_http_options *http; /* borrowed; NULL: defaults */
};

/**
 * Find a token for opts->audience from the sources above, check its claims
 * (hwb_oidc_token_check) and register it for redaction. Errors (codes
 * HWB-O...): no source at all (CONFIG, naming what was looked for: the
 * GitHub `permissions: id-token: write` remedy, a pull request from a fork
 * getting none), an unreadable file (CONFIG), a source that failed (NETWORK,
 * naming it), a token whose claims do not fit (CONFIG). *out is released
 * first; release it with hwb_oidc_token_release() whatever this returned.
 */
int hwb_oidc_token_get(struct hwb_oidc_token *out,
		       const struct hwb_oidc_options *opts,
		       struct hwb_error *err);

/**
 * Take ownership of a token given as text (trailing white space trimmed),
 * decode its claims and check them: three base64url parts, a JSON payload,
 * aud containing audience (NULL: not checked), exp in the future and nbf in
 * the past within leeway_s, an iss, and an identity claim. origin names the
 * token's source in errors ("--identity-token FILE", "SIGSTORE_ID_TOKEN").
 * The signature is not verified here: the service that receives the token
 * does that; this check only stops a token that cannot work from leaving.
 */
int hwb_oidc_token_parse(struct hwb_oidc_token *out, const char *text,
			 size_t len, const char *audience, long leeway_s,
			 const char *origin, struct hwb_error *err);

/** Wipe and free the token; the struct is reset to HWB_OIDC_TOKEN_INIT. */
void hwb_oidc_token_release(struct hwb_oidc_token *t);

/**
 * 1 when an ambient CI source (2-4 above) exists for audience, without
 * fetching anything: what `hwb publish --trusted-publishing auto` and
 * `hwb doctor` ask.
 */
int hwb_oidc_ambient_available(const char *audience,
			       const struct hwb_oidc_options *opts);

/** "GitHub Actions", "SIGSTORE_ID_TOKEN", ... for messages. */
const char *hwb_oidc_source_name(enum hwb_oidc_source source);
