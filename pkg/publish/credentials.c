/* SPDX-License-Identifier: Apache-2.0 */
/*
 * credentials.c: how an upload authenticates. A password or API token
 * comes from the caller (who read it from the environment or stdin);
 * otherwise trusted publishing, when asked for or (auto) when the CI
 * offers an OIDC token: the index's audience, an OIDC token for it from
 * pkg/core/oidc.h (the token sources hwb sign uses too), the exchange for
 * a short-lived upload token, and a new one when it is about to expire.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/core/log.h"
#include "pkg/core/oidc.h"
#include "pkg/publish/internal.h"

/* PyPI's upload tokens live 900 s; an index that does not say gets that. */
#define DEFAULT_LIFETIME_S 900

static int no_credentials(struct hwb_error *err)
{
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-P016",
		      "no credentials for the upload: HWB_PASSWORD (or "
		      "TWINE_PASSWORD) is not set and trusted publishing is "
		      "not available here");
	return hwb_error_hint(err, "in CI, give the job `permissions: id-token: "
			      "write` for trusted publishing; elsewhere set "
			      "HWB_PASSWORD to an API token, or pipe it in with "
			      "--password-stdin");
}

/* One exchange: a fresh OIDC token (the index refuses a reused one). */
static int mint(struct hwb_publish__session *s, struct hwb_publish_result *r,
		struct hwb_error *err)
{
	const struct hwb_publish_options *o = s->opts;
	struct hwb_oidc_options oo = { 0 };
	struct hwb_oidc_token tok = HWB_OIDC_TOKEN_INIT;
	struct hwb_publish__mint m = HWB_PUBLISH__MINT_INIT;
	int rc = -1;

	oo.audience = s->audience;
	oo.token_file = o->oidc_token_file;
	oo.gcp_metadata_url = o->gcp_metadata_url;
	oo.exp_leeway_s = -1;
	oo.http = o->http;
	if (hwb_oidc_token_get(&tok, &oo, err) ||
	    hwb_publish__mint_token(s->http, s->url, tok.jwt, &tok.claims, &m, err))
		goto cleanup;
	/* the minted token was registered (::add-mask:: in GitHub Actions)
	 * by hwb_publish__parse_mint before anything could print it */
	if (hwb_publish__session_login(s, "__token__", m.token, err))
		goto cleanup;
	s->expires = m.expires ? m.expires : (int64_t)time(NULL) + DEFAULT_LIFETIME_S;
	r->mints++;
	if (!r->publisher_identity) {
		r->publisher_identity = hwb_strdup(tok.claims.identity[0] ? tok.claims.identity
									 : tok.claims.sub);
		r->publisher_issuer = hwb_strdup(tok.claims.iss);
		if (!r->publisher_identity || !r->publisher_issuer) {
			hwb_error_oom(err);
			goto cleanup;
		}
	}
	rc = 0;
cleanup:
	hwb_publish__mint_release(&m);
	hwb_oidc_token_release(&tok);
	return rc;
}

static int trusted_login(struct hwb_publish__session *s,
			 struct hwb_publish_result *r, struct hwb_error *err)
{
	if (hwb_publish__audience(s->http, s->url, &s->audience, err))
		return -1;
	s->trusted = 1;
	r->auth = HWB_PUBLISH_AUTH_TRUSTED;
	return mint(s, r, err);
}

int hwb_publish__login(struct hwb_publish__session *s,
		       struct hwb_publish_result *r, int attesting,
		       struct hwb_error *err)
{
	const struct hwb_publish_options *o = s->opts;
	const char *user = o->username;
	struct hwb_oidc_options probe = { 0 };

	if (o->password && o->trusted == HWB_PUBLISH_TRUSTED_ALWAYS) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-P016",
			      "--trusted-publishing always, but a password is set "
			      "too");
		return hwb_error_hint(err, "unset HWB_PASSWORD/TWINE_PASSWORD, "
				      "or drop --trusted-publishing always");
	}
	probe.audience = "pypi";
	probe.token_file = o->oidc_token_file;
	probe.gcp_metadata_url = o->gcp_metadata_url;
	if (!o->password &&
	    (o->trusted == HWB_PUBLISH_TRUSTED_ALWAYS ||
	     (o->trusted == HWB_PUBLISH_TRUSTED_AUTO &&
	      (o->oidc_token_file || hwb_oidc_ambient_available("pypi", &probe)))))
		return trusted_login(s, r, err);
	if (!o->password)
		return no_credentials(err);
	if (attesting) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-P015",
			      "attestations are accepted only with trusted "
			      "publishing, and a password or API token is set; "
			      "nothing was uploaded");
		return hwb_error_hint(err, "publish from CI with trusted "
				      "publishing, or drop --attestations");
	}
	r->auth = !user || !strcmp(user, "__token__") ? HWB_PUBLISH_AUTH_API_TOKEN
						      : HWB_PUBLISH_AUTH_PASSWORD;
	return hwb_publish__session_login(s, user, o->password, err);
}

int hwb_publish__refresh(struct hwb_publish__session *s,
			 struct hwb_publish_result *r, struct hwb_error *err)
{
	if (!s->trusted ||
	    s->expires - (int64_t)time(NULL) >= HWB_PUBLISH_REMINT_MARGIN_S)
		return 0;
	hwb_log_verbose("the upload token expires in less than %d s: minting "
			"a new one with a fresh OIDC token",
			HWB_PUBLISH_REMINT_MARGIN_S);
	return mint(s, r, err);
}
