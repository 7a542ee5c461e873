/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trusted.c: the trusted-publishing exchange at the index (warehouse
 * oidc/views.py): GET /_/oidc/audience, then POST /_/oidc/mint-token with
 * the CI's OIDC token for a short-lived upload token. Every refusal is
 * explained with what the index said AND the token's claims, since the
 * fix is nearly always to make the publisher registered at the index
 * match those claims.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/core/log.h"
#include "pkg/core/oidc.h"
#include "pkg/publish/internal.h"

int hwb_publish__audience(struct hwb_http_client *http, const char *upload_url,
			  char **out, struct hwb_error *err)
{
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_http_request req = { 0 };
	char *url = hwb_publish__url_at(upload_url, "/_/oidc/audience");
	int rc = -1;

	*out = NULL;
	if (!url)
		return hwb_error_oom(err);
	req.method = HWB_HTTP_GET;
	req.url = url;
	req.service = "index (trusted publishing audience)";
	req.max_response = 65536;
	if (hwb_http_send(http, &req, &resp, err))
		goto cleanup;
	if (resp.status == 404) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-P012",
			      "the index at %s does not support trusted publishing "
			      "(GET %s answered 404)", upload_url, url);
		hwb_error_hint(err, "use an API token in HWB_PASSWORD, or "
			       "--trusted-publishing never");
	} else if (resp.status == 403) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-P013",
			      "the index at %s has trusted publishing switched off "
			      "(GET %s answered 403)", upload_url, url);
		hwb_error_hint(err, "retry later (PyPI switches it off during "
			       "incidents), or use an API token in HWB_PASSWORD");
	} else if (resp.status != 200) {
		hwb_http_status_error(&req, &resp, err);
	} else {
		rc = hwb_publish__parse_audience(resp.body.ptr, resp.body.len, out, err);
	}
cleanup:
	hwb_http_response_release(&resp);
	free(url);
	return rc;
}

void hwb_publish__describe_claims(const struct hwb_oidc_claims *c,
				  struct hwb_buf *out)
{
	const struct {
		const char *name, *value;
	} shown[] = {
		{ "iss", c->iss },
		{ "sub", c->sub },
		{ "repository", c->repository },
		{ "repository_owner", c->repository_owner },
		{ "repository_owner_id", c->repository_owner_id },
		{ "workflow_ref", c->workflow_ref },
		{ "job_workflow_ref", c->job_workflow_ref },
		{ "ref", c->ref },
		{ "environment", c->environment },
		{ "event_name", c->event_name },
	};
	struct hwb_buf raw = HWB_BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(shown) / sizeof(shown[0]); i++) {
		if (!shown[i].value[0] && strcmp(shown[i].name, "environment"))
			continue;
		hwb_buf_printf(&raw, "%s%s=%s", raw.len ? ", " : "", shown[i].name,
			       shown[i].value[0] ? shown[i].value : "(none)");
	}
	hwb_redact(out, raw.ptr ? raw.ptr : "", raw.len);
	hwb_buf_release(&raw);
}

/*
 * What the index said, with the token's claims beside it: the claims go to
 * a log line of their own (an error message holds 512 bytes, and GitHub's
 * claims alone take more), the error names the codes and their meaning.
 */
static int explain(const struct hwb_publish__mint *m,
		   const struct hwb_oidc_claims *claims, long status,
		   struct hwb_error *err)
{
	struct hwb_buf who = HWB_BUF_INIT;

	hwb_publish__describe_claims(claims, &who);
	hwb_log_error("trusted publishing: the OIDC token's claims, to compare with "
		      "the publisher registered at the index: %s",
		      who.ptr ? who.ptr : "(none)");
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-P014",
		      "the index refused the OIDC token (HTTP %ld): %s (%s); the "
		      "token's claims are listed above (repository=%s, "
		      "environment=%s)", status, m->errors.ptr ? m->errors.ptr : "",
		      hwb_publish__mint_code_help(m->first_code), claims->repository,
		      claims->environment[0] ? claims->environment : "(none)");
	if (!strcmp(m->first_code, "invalid-reuse-token"))
		hwb_error_hint(err, "request a fresh OIDC token for every exchange");
	else
		hwb_error_hint(err, "register a trusted publisher on the project "
			       "that matches these claims (owner/repository, "
			       "workflow file, environment), or fix the workflow");
	hwb_buf_release(&who);
	return -1;
}

int hwb_publish__mint_token(struct hwb_http_client *http,
			    const char *upload_url, const char *jwt,
			    const struct hwb_oidc_claims *claims,
			    struct hwb_publish__mint *out,
			    struct hwb_error *err)
{
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_http_request req = { 0 };
	struct hwb_http_header type = { "Content-Type", "application/json" };
	char *url = hwb_publish__url_at(upload_url, "/_/oidc/mint-token");
	char *body = hwb_strdup_printf("{\"token\":\"%s\"}", jwt);
	int rc = -1;

	if (!url || !body) {
		hwb_error_oom(err);
		goto cleanup;
	}
	req.method = HWB_HTTP_POST;
	req.url = url;
	req.service = "index (trusted publishing mint-token)";
	req.headers = &type;
	req.header_count = 1;
	req.body = body;
	req.body_len = strlen(body);
	req.max_response = 65536;
	req.idempotent = 0; /* the index refuses a reused OIDC token */
	req.secret_response = 1; /* the body is the minted upload token */
	if (hwb_http_send(http, &req, &resp, err))
		goto cleanup;
	if (resp.status != 200 && resp.status != 422 && resp.status != 400 &&
	    resp.status != 403) {
		hwb_http_status_error(&req, &resp, err);
		goto cleanup;
	}
	if (hwb_publish__parse_mint(resp.status, resp.body.ptr, resp.body.len, out, err))
		goto cleanup;
	rc = out->token ? 0 : explain(out, claims, resp.status, err);
cleanup:
	if (body) {
		explicit_bzero(body, strlen(body));
		free(body);
	}
	free(url);
	if (resp.body.cap)
		explicit_bzero(resp.body.ptr, resp.body.cap);
	hwb_http_response_release(&resp);
	return rc;
}
