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
 *      every byte outside [A-Z0-9_], and a leading digit, as '_', as
 *      di/id does: SIGSTORE_ID_TOKEN, PYPI_ID_TOKEN); this is also how
 *      GitLab CI hands tokens over;
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
	/* OpenID's nonce: the interactive flow checks it against its own */
	char nonce[128];
};

struct hwb_oidc_token {
	char *jwt;                   /* owned, NUL-terminated, wiped on release */
	size_t len;
	enum hwb_oidc_source source;
	struct hwb_oidc_claims claims;
};

/* Designated, so that -Wextra's missing-field-initializers stays quiet. */
#define HWB_OIDC_TOKEN_INIT { .jwt = NULL, .len = 0, .source = HWB_OIDC_NONE }

/*
 * Longest token accepted: GitHub's tokens are about 1.3 KB and Google's
 * about 1 KB; 64 KiB leaves room for any issuer's claims while keeping a
 * hostile file or endpoint from making hwb decode megabytes.
 */
#define HWB_OIDC_TOKEN_MAX ((size_t)64 << 10)
/* Clock skew tolerated on exp and nbf when the options say <0. */
#define HWB_OIDC_DEFAULT_LEEWAY_S 60L
/* How long the interactive flow waits for the browser or the typed code. */
#define HWB_OIDC_DEFAULT_OAUTH_TIMEOUT_S 120L
/* Sigstore's public OAuth issuer, used when oauth_issuer is NULL. */
#define HWB_OIDC_DEFAULT_OAUTH_ISSUER "https://oauth2.sigstore.dev/auth"


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
	/*
	 * Interactive: how long to wait for the browser's redirect or for the
	 * code typed on the terminal; <=0: HWB_OIDC_DEFAULT_OAUTH_TIMEOUT_S.
	 */
	long oauth_timeout_s;
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
 * Take a token given as text (trailing white space trimmed) into *out: a
 * copy is made and registered for redaction at once, and the caller wipes
 * its own text. Then decode its claims and check them: three base64url
 * parts without padding, a JSON object payload, aud containing audience
 * (NULL: not checked), exp in the future and nbf in the past within
 * leeway_s (<0: HWB_OIDC_DEFAULT_LEEWAY_S), an iss, and an identity claim.
 * Errors: HWB-O001..O009 (kind CONFIG), one line each, never quoting the
 * token. origin names the
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
 * The ambient CI source (2-4 above) hwb_oidc_token_get would use for
 * audience, found without fetching or reading a token (HWB_OIDC_ENV,
 * HWB_OIDC_GITHUB, HWB_OIDC_GOOGLE), or HWB_OIDC_NONE: what `hwb doctor`
 * reports. opts may be NULL (only gcp_metadata_url is read).
 */
enum hwb_oidc_source hwb_oidc_ambient_source(const char *audience,
					     const struct hwb_oidc_options *opts);

/**
 * 1 when an ambient CI source (2-4 above) exists for audience, without
 * fetching anything: what `hwb publish --trusted-publishing auto` asks.
 */
int hwb_oidc_ambient_available(const char *audience,
			       const struct hwb_oidc_options *opts);

/** "GitHub Actions", "SIGSTORE_ID_TOKEN", ... for messages. */
const char *hwb_oidc_source_name(enum hwb_oidc_source source);
