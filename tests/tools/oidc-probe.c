/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oidc-probe: runs hwb_oidc_token_get() as hwb sign and hwb publish will,
 * for the e2e tests (tests/e2e/test_oidc.py). Prints one JSON object on
 * stdout: the source, the checked claims and the token's SHA-256, never
 * the token. Log lines (the sign-in URL) go to stderr; an error goes to
 * stderr as hwb prints it, and the exit status is its kind.
 *
 * oidc-probe [--audience AUD] [--identity-token FILE|-] [--interactive]
 *            [--oauth-issuer URL] [--gcp-metadata-url URL] [--leeway S]
 *            [--timeout S] [--verbose]
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/error.h"
#include "pkg/core/hash.h"
#include "pkg/core/http.h"
#include "pkg/core/log.h"
#include "pkg/core/oidc.h"

static void sink(void *ctx, enum hwb_log_level level, const char *line)
{
	(void)ctx;
	if (level == HWB_LOG_MASK || level >= HWB_LOG_GROUP_BEGIN)
		return;
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
}

static json_t *claims_json(const struct hwb_oidc_claims *c)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:b, s:I, s:I, s:I, s:s, s:s,"
			 " s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "iss", c->iss, "sub", c->sub, "aud", c->aud,
			 "email", c->email, "email_verified", c->email_verified,
			 "exp", (json_int_t)c->exp, "iat", (json_int_t)c->iat,
			 "nbf", (json_int_t)c->nbf, "identity", c->identity,
			 "repository", c->repository,
			 "repository_owner", c->repository_owner,
			 "repository_owner_id", c->repository_owner_id,
			 "workflow_ref", c->workflow_ref,
			 "job_workflow_ref", c->job_workflow_ref, "ref", c->ref,
			 "sha", c->sha, "environment", c->environment,
			 "event_name", c->event_name, "nonce", c->nonce);
}

static const char *arg(int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		fprintf(stderr, "oidc-probe: %s needs a value\n", argv[*i]);
		exit(2);
	}
	return argv[++*i];
}

int main(int argc, char **argv)
{
	struct hwb_oidc_options o = { 0 };
	struct hwb_http_options http = HWB_HTTP_OPTIONS_INIT;
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	enum hwb_log_level level = HWB_LOG_INFO;
	char hex[HWB_HASH_MAX_HEX], line[1024];
	json_t *out;
	int i, rc;

	o.audience = "sigstore";
	o.exp_leeway_s = -1;
	/* Short retry delays: the tests' services are local. */
	http.retry_base_ms = 50;
	http.retry_max_ms = 200;
	o.http = &http;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--audience"))
			o.audience = arg(argc, argv, &i);
		else if (!strcmp(argv[i], "--identity-token"))
			o.token_file = arg(argc, argv, &i);
		else if (!strcmp(argv[i], "--interactive"))
			o.allow_interactive = 1;
		else if (!strcmp(argv[i], "--oauth-issuer"))
			o.oauth_issuer = arg(argc, argv, &i);
		else if (!strcmp(argv[i], "--gcp-metadata-url"))
			o.gcp_metadata_url = arg(argc, argv, &i);
		else if (!strcmp(argv[i], "--leeway"))
			o.exp_leeway_s = atol(arg(argc, argv, &i));
		else if (!strcmp(argv[i], "--timeout"))
			o.oauth_timeout_s = atol(arg(argc, argv, &i));
		else if (!strcmp(argv[i], "--verbose"))
			level = HWB_LOG_DEBUG;
		else {
			fprintf(stderr, "oidc-probe: unknown argument %s\n",
				argv[i]);
			return 2;
		}
	}
	hwb_log_configure(level, sink, NULL);
	if (hwb_oidc_token_get(&t, &o, &err) ||
	    hwb_hash_buffer_hex(HWB_HASH_SHA256, t.jwt, t.len, hex, &err)) {
		hwb_error_format(&err, line, sizeof(line));
		fprintf(stderr, "error: %s\n", line);
		hwb_oidc_token_release(&t);
		hwb_redact_reset();
		return err.kind ? (int)err.kind : 1;
	}
	out = json_pack("{s:s, s:o, s:s, s:b}", "source",
			hwb_oidc_source_name(t.source), "claims",
			claims_json(&t.claims), "sha256", hex,
			"redacted", hwb_redact_count() > 0);
	hwb_oidc_token_release(&t);
	rc = out && json_dumpf(out, stdout, JSON_COMPACT) == 0 ? 0 : 1;
	printf("\n");
	json_decref(out);
	hwb_redact_reset();
	return rc;
}
