/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signing.h: what `hwb sign` and `hwb attest` share: the trust and token
 * flags, and opening a signer (an OIDC token found, its identity printed,
 * a Fulcio certificate obtained) from them and the configuration.
 */
#pragma once

#include "cmd/hwb/cli.h"
#include "cmd/hwb/trust.h"
#include "pkg/core/http.h"
#include "pkg/sign/sign.h"

struct cli_signing {
	const char *identity_token; /* a file, or "-": stdin */
	const char *trusted_root;
	const char *signing_config;
	int staging;
	long rekor_version;
	int offline;                /* never refresh the TUF cache */
	struct hwb_http_options http;
	struct cli_trust trust;     /* the TUF cache's copies, when used */
	int trust_open;
};

#define CLI_SIGNING_OPTS(s)                                                    \
	{ CLI_OPT_STRING, "identity-token", 0, &(s)->identity_token, "FILE|-",  \
	  "OIDC token from a file or stdin (default: the CI's, or a browser)" }, \
	{ CLI_OPT_STRING, "trusted-root", 0, &(s)->trusted_root, "FILE",       \
	  "a trusted_root.json instead of the embedded one" },                  \
	{ CLI_OPT_STRING, "signing-config", 0, &(s)->signing_config, "FILE",   \
	  "a signing config v0.2 instead of the embedded one" },                \
	{ CLI_OPT_FLAG, "staging", 0, &(s)->staging, NULL,                     \
	  "use the Sigstore staging instance" },                                \
	{ CLI_OPT_INT, "rekor-version", 0, &(s)->rekor_version, "1|2",          \
	  "the Rekor API version to log in (default: the signing config's)" },  \
	{ CLI_OPT_FLAG, "offline", 0, &(s)->offline, NULL,                     \
	  "never refresh the trust root from Sigstore's TUF repository" }

/**
 * Check the flags, find a token (audience "sigstore"), print the identity
 * that the certificate will name, and make the signer. Returns 0, or -1
 * with err.
 */
int cli_signer_open(const struct cli_common *c, struct cli_signing *so,
		    const struct hwb_config *cfg, struct hwb_signer **out,
		    struct hwb_error *err);

/**
 * Fill o's trust as hwb sign takes it: so's --trusted-root/--signing-config,
 * else the TUF cache (refreshed when stale, unless so->offline), else the
 * embedded one. For a command that makes its own signer (hwb publish
 * --attestations). Release so with cli_signing_release().
 */
int cli_signing_trust(const struct cli_common *c, struct cli_signing *so,
		      const struct hwb_config *cfg, struct hwb_sign_options *o,
		      struct hwb_error *err);

/** Release what cli_signer_open() kept (the trust copies). */
void cli_signing_release(struct cli_signing *so);

/** The sign.completed audit record of one signature (never the token). */
void cli_sign_audit(const struct hwb_config *cfg, const char *file,
		    const struct hwb_sign_result *r);
