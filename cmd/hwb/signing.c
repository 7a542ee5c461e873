/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signing.c: opening a signer for `hwb sign` and `hwb attest`: the token
 * from pkg/core/oidc (a file, stdin, the CI, or a browser on a laptop),
 * the identity shown before anything is signed, then pkg/sign.
 */
#include "cmd/hwb/signing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/log.h"
#include "pkg/core/oidc.h"

/* A browser flow only where a person may be at the keyboard. */
static int interactive_allowed(void)
{
	const char *ci = getenv("CI");

	return !(ci && *ci && strcmp(ci, "false") && strcmp(ci, "0")) &&
	       !getenv("GITHUB_ACTIONS") && !getenv("GITLAB_CI");
}

static void sign_options(const struct cli_signing *so, struct hwb_sign_options *o)
{
	memset(o, 0, sizeof(*o));
	o->trusted_root = so->trusted_root;
	o->staging = so->staging;
	o->signing_config = so->signing_config;
	o->rekor_version = (unsigned)so->rekor_version;
	o->http = &so->http;
}

static int check_flags(const struct cli_signing *so, struct hwb_error *err)
{
	const char *bad = NULL;

	/* --trusted-root and --signing-config win over --staging's embedded
	 * pair, as the conformance protocol passes them */
	if (so->rekor_version && so->rekor_version != 1 && so->rekor_version != 2)
		bad = "--rekor-version takes 1 or 2";
	if (!bad)
		return 0;
	hwb_error_set(err, HWB_KIND_USAGE, "HWB-S031", "%s", bad);
	return hwb_error_hint(err, "see 'hwb help sign'");
}

static int get_token(const struct cli_signing *so, const struct hwb_sign_options *o,
		     struct hwb_oidc_token *token, struct hwb_error *err)
{
	struct hwb_oidc_options oo;
	struct hwb_buf issuer = HWB_BUF_INIT;
	int rc;

	memset(&oo, 0, sizeof(oo));
	oo.audience = "sigstore";
	oo.token_file = so->identity_token;
	oo.allow_interactive = interactive_allowed();
	oo.exp_leeway_s = -1;
	oo.http = &so->http;
	oo.gcp_metadata_url = getenv("HWB_GCP_METADATA_URL");
	if (oo.allow_interactive && !so->identity_token &&
	    hwb_sign_oauth_issuer(o, &issuer, err))
		return -1;
	oo.oauth_issuer = issuer.len ? issuer.ptr : NULL;
	rc = hwb_oidc_token_get(token, &oo, err);
	hwb_buf_release(&issuer);
	return rc;
}

/*
 * Without --trusted-root or --signing-config, the trust comes from the TUF
 * cache or the embedded copies; signing is online anyway, so an expired
 * cached timestamp (or no cache) is refreshed first, unless --offline. An
 * unreachable repository is a warning: the cache or the embedded copy is
 * used instead.
 */
int cli_signing_trust(const struct cli_common *c, struct cli_signing *so,
		      const struct hwb_config *cfg, struct hwb_sign_options *o,
		      struct hwb_error *err)
{
	struct hwb_error uerr = HWB_ERROR_INIT;
	struct cli_trust *t = &so->trust;

	if (so->trusted_root || so->signing_config)
		return 0;
	so->trust_open = 1;
	if (cli_trust_open(t, cfg, so->staging, NULL, NULL, err))
		return -1;
	cli_trust_resolve(t, 0);
	if (!so->offline && cli_trust_stale(t)) {
		if (cli_trust_update(t, NULL, NULL, &uerr))
			hwb_log_warn("%s: %s; signing with the %s trust root", uerr.code,
				     uerr.message, t->from_cache ? "cached" : "embedded");
		else if (!c->quiet)
			hwb_log_info("refreshed the Sigstore trust root from %s",
				     t->url.ptr);
		cli_trust_resolve(t, 0);
	}
	if (!t->from_cache)
		return 0;
	o->trusted_root_json = t->trusted_root.ptr;
	o->trusted_root_len = t->trusted_root.len;
	o->signing_config_json = t->signing_config.ptr;
	o->signing_config_len = t->signing_config.len;
	o->trust_name = t->cache_dir.ptr;
	return 0;
}

void cli_signing_release(struct cli_signing *so)
{
	if (so->trust_open)
		cli_trust_release(&so->trust);
	so->trust_open = 0;
}

int cli_signer_open(const struct cli_common *c, struct cli_signing *so,
		    const struct hwb_config *cfg, struct hwb_signer **out,
		    struct hwb_error *err)
{
	struct hwb_oidc_token token = HWB_OIDC_TOKEN_INIT;
	struct hwb_sign_options o;
	int rc = -1;

	*out = NULL;
	hwb_http_options_from_config(&so->http, cfg);
	sign_options(so, &o);
	if (check_flags(so, err) || cli_signing_trust(c, so, cfg, &o, err) ||
	    get_token(so, &o, &token, err))
		goto cleanup;
	if (!c->quiet)
		hwb_log_info("signing as %s (issuer %s), token from %s",
			     token.claims.identity, token.claims.iss,
			     token.source == HWB_OIDC_ENV ? "SIGSTORE_ID_TOKEN"
							  : hwb_oidc_source_name(token.source));
	rc = hwb_signer_new(out, &o, &token, err);
cleanup:
	hwb_oidc_token_release(&token);
	return rc;
}

void cli_sign_audit(const struct hwb_config *cfg, const char *file,
		    const struct hwb_sign_result *r)
{
	const struct hwb_audit_field f[] = {
		HWB_AUDIT_STR("file", file),
		HWB_AUDIT_STR("sha256", r->sha256),
		HWB_AUDIT_STR("identity", r->identity),
		HWB_AUDIT_STR("issuer", r->issuer),
		HWB_AUDIT_NUM("log_index", r->log_index),
		HWB_AUDIT_STR("log_url", r->log_url),
	};

	cli_audit(cfg, "sign.completed", f, sizeof(f) / sizeof(*f));
}
