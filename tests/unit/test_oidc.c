/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/core/oidc*.c: the token's structure and claims (each
 * issuer kind, every refusal, the audience list, the leeway's edges,
 * malformed and huge input), the file, stdin and environment sources, the
 * GitHub Actions explanations (missing permission, a fork's pull request),
 * and that no error ever carries the token or a part of it. Tokens are
 * built here with jansson and the project's base64url encoder; their
 * signatures are not checked by the code under test, so they are dummies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/core/encode.h"
#include "pkg/core/internal.h"
#include "pkg/core/log.h"
#include "pkg/core/oidc.h"
#include "tests/unit/rmtree.h"

/* A fixed clock: 2025-01-31T00:00:00Z. */
#define NOW ((int64_t)1738281600)
#define GH_ISS "https://token.actions.githubusercontent.com"
#define GH_JWR "octo/sample/.github/workflows/release.yml@refs/tags/v1.0.0"

static char scratch[64];

/* header.payload.signature from a JSON payload text. Caller frees. */
static char *make_jwt_text(const char *payload_json)
{
	static const char header[] = "{\"alg\":\"ES256\",\"typ\":\"JWT\"}";
	struct hwb_buf b = HWB_BUF_INIT;

	hwb_base64_encode(&b, header, strlen(header),
			  HWB_B64_URL | HWB_B64_NOPAD);
	hwb_buf_putc(&b, '.');
	hwb_base64_encode(&b, payload_json, strlen(payload_json),
			  HWB_B64_URL | HWB_B64_NOPAD);
	hwb_buf_puts(&b, ".c2lnbmF0dXJlLWJ5dGVz");
	assert_false(b.oom);
	return hwb_buf_detach(&b, NULL);
}

/* A token from a jansson payload (stolen reference). */
static char *make_jwt(json_t *payload)
{
	char *text = json_dumps(payload, JSON_COMPACT), *jwt;

	assert_non_null(text);
	jwt = make_jwt_text(text);
	free(text);
	json_decref(payload);
	return jwt;
}

static json_t *github_claims(void)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s,"
			 " s:s, s:s, s:s, s:s, s:s}",
			 "iss", GH_ISS, "aud", "sigstore",
			 "sub", "repo:octo/sample:ref:refs/tags/v1.0.0",
			 "iat", (json_int_t)NOW - 10, "nbf", (json_int_t)NOW - 10,
			 "exp", (json_int_t)NOW + 300,
			 "repository", "octo/sample", "repository_owner", "octo",
			 "repository_owner_id", "4242",
			 "workflow_ref", GH_JWR, "job_workflow_ref", GH_JWR,
			 "ref", "refs/tags/v1.0.0", "sha", "0123abcd",
			 "environment", "pypi", "event_name", "push");
}

static int parse(struct hwb_oidc_token *t, const char *jwt,
		 const char *aud, long leeway, struct hwb_error *err)
{
	hwb_error_clear(err);
	return hwb_core__oidc_parse_at(t, jwt, strlen(jwt), aud, leeway,
				       "TEST_ID_TOKEN", NOW, err);
}

/* The error names the origin and has a fix, and holds no part of jwt. */
static void assert_clean_error(const struct hwb_error *err, const char *jwt,
			       const char *code)
{
	char line[1024];
	const char *p = jwt, *dot;

	assert_string_equal(err->code, code);
	assert_int_equal(err->kind, HWB_KIND_CONFIG);
	assert_non_null(strstr(err->message, "TEST_ID_TOKEN: "));
	assert_true(err->hint[0] != '\0');
	hwb_error_format(err, line, sizeof(line));
	/* Each part of the token, and any 12-byte piece of it. */
	do {
		char piece[13];
		size_t n;

		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		for (size_t i = 0; n >= 12 && i + 12 <= n; i += 6) {
			memcpy(piece, p + i, 12);
			piece[12] = '\0';
			assert_null(strstr(line, piece));
		}
		p = dot ? dot + 1 : NULL;
	} while (p);
}

/* Parse a payload expecting refusal with code; the message must hold
 * needle (when given). */
static void expect_refusal(json_t *payload, const char *aud, long leeway,
			   const char *code, const char *needle)
{
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char *jwt = make_jwt(payload);

	assert_int_equal(parse(&t, jwt, aud, leeway, &err), -1);
	assert_null(t.jwt);
	assert_clean_error(&err, jwt, code);
	if (needle && !strstr(err.message, needle))
		fail_msg("'%s' not in '%s'", needle, err.message);
	free(jwt);
}

static void test_github_token(void **state)
{
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf red = HWB_BUF_INIT;
	char *jwt = make_jwt(github_claims());
	size_t before = hwb_redact_count();

	(void)state;
	assert_int_equal(parse(&t, jwt, "sigstore", -1, &err), 0);
	assert_string_equal(t.jwt, jwt);
	assert_int_equal(t.len, strlen(jwt));
	assert_string_equal(t.claims.iss, GH_ISS);
	assert_string_equal(t.claims.aud, "sigstore");
	assert_string_equal(t.claims.identity, "https://github.com/" GH_JWR);
	assert_string_equal(t.claims.repository, "octo/sample");
	assert_string_equal(t.claims.repository_owner, "octo");
	assert_string_equal(t.claims.repository_owner_id, "4242");
	assert_string_equal(t.claims.job_workflow_ref, GH_JWR);
	assert_string_equal(t.claims.ref, "refs/tags/v1.0.0");
	assert_string_equal(t.claims.sha, "0123abcd");
	assert_string_equal(t.claims.environment, "pypi");
	assert_string_equal(t.claims.event_name, "push");
	assert_int_equal(t.claims.exp, NOW + 300);
	assert_int_equal(t.claims.nbf, NOW - 10);
	assert_int_equal(t.claims.iat, NOW - 10);
	/* Registered for redaction: any later line is cleaned of it. */
	assert_int_equal(hwb_redact_count(), before + 1);
	hwb_redact(&red, jwt, strlen(jwt));
	assert_string_equal(red.ptr, "[REDACTED]");
	hwb_buf_release(&red);
	hwb_oidc_token_release(&t);
	assert_null(t.jwt);
	assert_int_equal(t.len, 0);
	assert_string_equal(t.claims.identity, "");
	hwb_oidc_token_release(&t); /* idempotent */
	free(jwt);
}

static void test_gitlab_token(void **state)
{
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char *jwt = make_jwt(json_pack(
		"{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
		"iss", "https://gitlab.com", "aud", "pypi",
		"sub", "project_path:grp/proj:ref_type:tag:ref:v1",
		"exp", (json_int_t)NOW + 60, "project_path", "grp/proj",
		"namespace_path", "grp", "namespace_id", "77",
		"ci_config_ref_uri", "gitlab.com/grp/proj//.gitlab-ci.yml@refs/tags/v1",
		"ref", "v1", "sha", "feed", "pipeline_source", "push"));

	(void)state;
	assert_int_equal(parse(&t, jwt, "pypi", 0, &err), 0);
	assert_string_equal(t.claims.identity,
			    "https://gitlab.com/grp/proj//.gitlab-ci.yml@refs/tags/v1");
	assert_string_equal(t.claims.repository, "grp/proj");
	assert_string_equal(t.claims.repository_owner, "grp");
	assert_string_equal(t.claims.repository_owner_id, "77");
	assert_string_equal(t.claims.job_workflow_ref,
			    "gitlab.com/grp/proj//.gitlab-ci.yml@refs/tags/v1");
	assert_string_equal(t.claims.event_name, "push");
	hwb_oidc_token_release(&t);
	free(jwt);
	/* gitlab.com without the claim that names the pipeline's config */
	expect_refusal(json_pack("{s:s, s:s, s:s, s:I}", "iss",
				 "https://gitlab.com", "aud", "pypi", "sub",
				 "x", "exp", (json_int_t)NOW + 60),
		       "pypi", 0, "HWB-O009", "ci_config_ref_uri");
}

/* E-mail issuers: Google (both spellings), Sigstore's, and an unknown
 * issuer whose token has an e-mail and no CI claims. */
static void test_email_tokens(void **state)
{
	static const char *const issuers[] = {
		"https://accounts.google.com", "accounts.google.com",
		"https://oauth2.sigstore.dev/auth", "http://127.0.0.1:9/oauth",
	};
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 4; i++) {
		char *jwt = make_jwt(json_pack(
			"{s:s, s:[s,s], s:s, s:s, s:b, s:I, s:s}", "iss",
			issuers[i], "aud", "other", "sigstore", "sub", "1234",
			"email", "dev@example.test", "email_verified", 1, "exp",
			(json_int_t)NOW + 60, "nonce", "n-123"));

		assert_int_equal(parse(&t, jwt, "sigstore", -1, &err), 0);
		assert_string_equal(t.claims.identity, "dev@example.test");
		assert_string_equal(t.claims.aud, "sigstore");
		assert_string_equal(t.claims.nonce, "n-123");
		assert_int_equal(t.claims.email_verified, 1);
		hwb_oidc_token_release(&t);
		free(jwt);
	}
	/* email_verified false: Fulcio would refuse the address */
	expect_refusal(json_pack("{s:s, s:s, s:s, s:s, s:b, s:I}", "iss",
				 "https://accounts.google.com", "aud",
				 "sigstore", "sub", "1", "email", "x@y.test",
				 "email_verified", 0, "exp", (json_int_t)NOW + 60),
		       "sigstore", 0, "HWB-O009", "not verified");
	/* Sigstore's issuer without an e-mail */
	expect_refusal(json_pack("{s:s, s:s, s:s, s:I}", "iss",
				 "https://oauth2.sigstore.dev/auth", "aud",
				 "sigstore", "sub", "1", "exp",
				 (json_int_t)NOW + 60),
		       "sigstore", 0, "HWB-O009", "no email claim");
}

/* Other issuers: sub, also when an e-mail comes with CI claims. */
static void test_sub_identity(void **state)
{
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char *jwt = make_jwt(json_pack(
		"{s:s, s:s, s:s, s:s, s:s, s:I}", "iss", "https://ci.example",
		"aud", "sigstore", "sub", "pipeline:42", "email", "bot@ci.test",
		"repository", "o/r", "exp", (json_int_t)NOW + 60));

	(void)state;
	assert_int_equal(parse(&t, jwt, "sigstore", -1, &err), 0);
	assert_string_equal(t.claims.identity, "pipeline:42");
	hwb_oidc_token_release(&t);
	free(jwt);
	expect_refusal(json_pack("{s:s, s:s, s:I}", "iss", "https://ci.example",
				 "aud", "sigstore", "exp", (json_int_t)NOW + 60),
		       "sigstore", 0, "HWB-O009", "no sub claim");
	/* GitHub's issuer without job_workflow_ref */
	expect_refusal(json_pack("{s:s, s:s, s:s, s:I}", "iss", GH_ISS, "aud",
				 "sigstore", "sub", "repo:o/r", "exp",
				 (json_int_t)NOW + 60),
		       "sigstore", 0, "HWB-O009", "job_workflow_ref");
}

static void test_audience(void **state)
{
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	json_t *p = github_claims();
	char *jwt;

	(void)state;
	json_object_set_new(p, "aud", json_pack("[s,s]", "a", "pypi"));
	jwt = make_jwt(p);
	assert_int_equal(parse(&t, jwt, "pypi", -1, &err), 0);
	assert_string_equal(t.claims.aud, "pypi");
	/* audience NULL: not checked, the first one recorded */
	assert_int_equal(parse(&t, jwt, NULL, -1, &err), 0);
	assert_string_equal(t.claims.aud, "a");
	hwb_oidc_token_release(&t);
	free(jwt);

	/* the wrong one: both the token's and the needed audience named */
	expect_refusal(github_claims(), "pypi", -1, "HWB-O006",
		       "for audience \"sigstore\", not \"pypi\"");
	p = github_claims();
	json_object_set_new(p, "aud", json_pack("[s,s]", "a", "b"));
	expect_refusal(p, "pypi", -1, "HWB-O006", "\"a\", \"b\"");
	p = github_claims();
	json_object_del(p, "aud");
	expect_refusal(p, "pypi", -1, "HWB-O006", "(none)");
	p = github_claims();
	json_object_set_new(p, "aud", json_integer(3));
	expect_refusal(p, "pypi", -1, "HWB-O004", "aud");
	p = github_claims();
	json_object_set_new(p, "aud", json_pack("[s,i]", "pypi", 3));
	expect_refusal(p, "pypi", -1, "HWB-O004", "aud");
}

static json_t *with_times(json_int_t exp, json_int_t nbf)
{
	json_t *p = github_claims();

	json_object_set_new(p, "exp", json_integer(exp));
	json_object_set_new(p, "nbf", json_integer(nbf));
	return p;
}

static void expect_ok(json_t *payload, long leeway)
{
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char *jwt = make_jwt(payload);

	if (parse(&t, jwt, "sigstore", leeway, &err))
		fail_msg("refused: %s", err.message);
	hwb_oidc_token_release(&t);
	free(jwt);
}

/* Valid while now < exp + leeway and nbf <= now + leeway. */
static void test_validity_edges(void **state)
{
	(void)state;
	expect_ok(with_times(NOW - 59, NOW - 100), 60);
	expect_refusal(with_times(NOW - 60, NOW - 100), "sigstore", 60,
		       "HWB-O007", "expired at 2025-01-30T23:59:00Z, 60 s ago");
	expect_ok(with_times(NOW + 1, NOW), 0);
	expect_refusal(with_times(NOW, NOW), "sigstore", 0, "HWB-O007",
		       "2025-01-31T00:00:00Z");
	/* a negative leeway means the default 60 s */
	expect_ok(with_times(NOW - 59, NOW), -1);
	expect_refusal(with_times(NOW - 61, NOW), "sigstore", -1, "HWB-O007",
		       "(60 s of clock skew allowed)");
	expect_ok(with_times(NOW + 600, NOW + 60), 60);
	expect_refusal(with_times(NOW + 600, NOW + 61), "sigstore", 60,
		       "HWB-O008", "not valid before 2025-01-31T00:01:01Z");
	/* exp far out of time_t's reach still compares and prints */
	expect_ok(with_times(INT64_MAX, 0), 60);
	expect_refusal(with_times(INT64_MIN, 0), "sigstore", 60, "HWB-O007",
		       "expired");
}

static void test_claim_types(void **state)
{
	json_t *p;

	(void)state;
	p = github_claims();
	json_object_del(p, "exp");
	expect_refusal(p, "sigstore", -1, "HWB-O007", "no exp");
	p = github_claims();
	json_object_set_new(p, "exp", json_string("soon"));
	expect_refusal(p, "sigstore", -1, "HWB-O004", "exp is not a number");
	p = github_claims();
	json_object_set_new(p, "exp", json_real(1e300));
	expect_refusal(p, "sigstore", -1, "HWB-O004", "exp is out of range");
	p = github_claims();
	json_object_set_new(p, "exp", json_real((double)NOW + 30.5));
	expect_ok(p, 0);
	p = github_claims();
	json_object_del(p, "iss");
	expect_refusal(p, "sigstore", -1, "HWB-O005", "no iss");
	p = github_claims();
	json_object_set_new(p, "sub", json_integer(5));
	expect_refusal(p, "sigstore", -1, "HWB-O004", "sub is not a string");
	p = github_claims();
	json_object_set_new(p, "repository_owner_id", json_integer(12345));
	expect_ok(p, 0);
	p = github_claims();
	{
		char long_sub[700];

		memset(long_sub, 's', sizeof(long_sub) - 1);
		long_sub[sizeof(long_sub) - 1] = '\0';
		json_object_set_new(p, "sub", json_string(long_sub));
	}
	expect_refusal(p, "sigstore", -1, "HWB-O004", "longer than 511 bytes");
}

/* A token text refused before its claims are looked at. */
static void expect_text_refusal(const char *jwt, size_t len,
				const char *code, const char *needle)
{
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char line[1024];

	assert_int_equal(hwb_core__oidc_parse_at(&t, jwt, len, "sigstore", 60,
						 "TEST_ID_TOKEN", NOW, &err),
			 -1);
	assert_null(t.jwt);
	assert_string_equal(err.code, code);
	assert_non_null(strstr(err.message, "TEST_ID_TOKEN: "));
	if (needle && !strstr(err.message, needle))
		fail_msg("'%s' not in '%s'", needle, err.message);
	hwb_error_format(&err, line, sizeof(line));
	if (len >= 12) {
		char piece[13];

		memcpy(piece, jwt, 12);
		piece[12] = '\0';
		assert_null(strstr(line, piece));
	}
}

static void test_malformed(void **state)
{
	char *good = make_jwt(github_claims()), *bad, *big;
	const char *p1;
	size_t n;

	(void)state;
	expect_text_refusal("", 0, "HWB-O001", "empty");
	expect_text_refusal(" \n\t\r\n", 5, "HWB-O001", "empty");
	expect_text_refusal("abc.def", 7, "HWB-O002", "2 '.'-separated parts");
	expect_text_refusal("abcdefgh", 8, "HWB-O002", "1 '.'-separated part,");
	expect_text_refusal("a.b.c.d", 7, "HWB-O002", "more than three");
	expect_text_refusal("..", 2, "HWB-O002", "empty");
	expect_text_refusal("abc..def", 8, "HWB-O002", "empty");
	expect_text_refusal("Zm9v.YmFy.", 10, "HWB-O002", "empty");
	expect_text_refusal("Zm9v.YmFy.c2ln\0x", 16, "HWB-O002", "byte 15");
	expect_text_refusal("Zm9v YmFy.c2ln.c2ln", 19, "HWB-O002", "byte 5");
	/* "Zg==" is base64 padding; a JWS has none */
	expect_text_refusal("Zg==.e30.c2ln", 13, "HWB-O002", "part 1 ends in '='");
	/* non-zero trailing bits: "Zh" is not the canonical "Zg" */
	expect_text_refusal("Zh.e30.c2ln", 11, "HWB-O002", "header is not canonical");
	/* a length no base64 text has */
	expect_text_refusal("e30.Z.c2ln", 10, "HWB-O002", "payload");
	/* "e30" is {}; "W10" is [] and "MQ" is 1: not objects */
	expect_text_refusal("W10.e30.c2ln", 12, "HWB-O003", "header");
	expect_text_refusal("e30.W10.c2ln", 12, "HWB-O003", "payload");
	expect_text_refusal("e30.MQ.c2ln", 11, "HWB-O003", "payload");
	/* "bm90IGpzb24" is "not json" */
	expect_text_refusal("e30.bm90IGpzb24.c2ln", 20, "HWB-O003", "payload");
	/* a duplicate member is not taken in either reading */
	bad = make_jwt_text("{\"iss\":\"a\",\"iss\":\"b\"}");
	expect_text_refusal(bad, strlen(bad), "HWB-O003", "payload");
	free(bad);
	/* deep nesting stops at jansson's depth limit, under the size cap */
	big = malloc(40001);
	memset(big, '[', 20000);
	memset(big + 20000, ']', 20000);
	big[40000] = '\0';
	bad = make_jwt_text(big);
	assert_true(strlen(bad) < HWB_OIDC_TOKEN_MAX);
	expect_text_refusal(bad, strlen(bad), "HWB-O003", "payload");
	free(bad);
	free(big);
	/* one byte over the cap: refused before any decoding */
	n = HWB_OIDC_TOKEN_MAX + 1;
	big = malloc(n + 1);
	memset(big, 'A', n);
	big[n] = '\0';
	expect_text_refusal(big, n, "HWB-O001", "65537 bytes");
	free(big);
	/* the good token with its payload swapped for [] */
	p1 = strchr(good, '.');
	bad = hwb_strdup_printf("%.*s.W10%s", (int)(p1 - good), good,
				strchr(p1 + 1, '.'));
	expect_text_refusal(bad, strlen(bad), "HWB-O003", "payload");
	free(bad);
	free(good);
}

/* Trailing white space (a file's newline) is not part of the token. */
static void test_trailing_space(void **state)
{
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char *jwt = make_jwt(github_claims()), *text;

	(void)state;
	text = hwb_strdup_printf("%s \r\n\n", jwt);
	assert_int_equal(hwb_core__oidc_parse_at(&t, text, strlen(text),
						 "sigstore", 60, "F", NOW,
						 &err), 0);
	assert_string_equal(t.jwt, jwt);
	assert_int_equal(t.len, strlen(jwt));
	hwb_oidc_token_release(&t);
	free(text);
	free(jwt);
}

/* The public entry uses the real clock. */
static void test_parse_real_clock(void **state)
{
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	json_t *p = github_claims();
	char *jwt;

	(void)state;
	json_object_set_new(p, "exp", json_integer((json_int_t)time(NULL) + 100));
	json_object_set_new(p, "nbf", json_integer((json_int_t)time(NULL) - 100));
	jwt = make_jwt(p);
	assert_int_equal(hwb_oidc_token_parse(&t, jwt, strlen(jwt), "sigstore",
					      0, "X", &err), 0);
	hwb_oidc_token_release(&t);
	/* and the fixed clock's token is long expired for it */
	free(jwt);
	jwt = make_jwt(github_claims());
	assert_int_equal(hwb_oidc_token_parse(&t, jwt, strlen(jwt), "sigstore",
					      0, "X", &err), -1);
	assert_string_equal(err.code, "HWB-O007");
	free(jwt);
}


/* ---- sources ---- */

static const char *const ci_vars[] = {
	"SIGSTORE_ID_TOKEN", "PYPI_ID_TOKEN", "GITHUB_ACTIONS",
	"ACTIONS_ID_TOKEN_REQUEST_URL", "ACTIONS_ID_TOKEN_REQUEST_TOKEN",
	"GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_REPOSITORY",
	"BROWSER", "DISPLAY", "WAYLAND_DISPLAY",
};

static int clean_env(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ci_vars) / sizeof(ci_vars[0]); i++)
		unsetenv(ci_vars[i]);
	return 0;
}

/* A token valid now (the sources use the real clock). */
static char *fresh_jwt(const char *aud)
{
	json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:b, s:I}", "iss",
			      "https://oauth2.sigstore.dev/auth", "aud", aud,
			      "sub", "u1", "email", "dev@example.test",
			      "email_verified", 1, "exp",
			      (json_int_t)time(NULL) + 300);

	return make_jwt(p);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_env_name(void **state)
{
	char name[64];

	(void)state;
	hwb_core__oidc_env_name("sigstore", name, sizeof(name));
	assert_string_equal(name, "SIGSTORE_ID_TOKEN");
	hwb_core__oidc_env_name("pypi", name, sizeof(name));
	assert_string_equal(name, "PYPI_ID_TOKEN");
	/* di/id's examples: every other byte and a leading digit become _ */
	hwb_core__oidc_env_name("http://test.audience", name, sizeof(name));
	assert_string_equal(name, "HTTP___TEST_AUDIENCE_ID_TOKEN");
	hwb_core__oidc_env_name("9lives-x", name, sizeof(name));
	assert_string_equal(name, "_LIVES_X_ID_TOKEN");
	/* cut to fit, still ending in _ID_TOKEN */
	hwb_core__oidc_env_name("abcdefghijklmnopqrstuvwxyz", name, 16);
	assert_string_equal(name, "ABCDEF_ID_TOKEN");
}

static void test_env_source(void **state)
{
	struct hwb_oidc_options o = { 0 };
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char *jwt = fresh_jwt("pypi"), line[1024];

	(void)state;
	o.audience = "pypi";
	o.exp_leeway_s = -1;
	assert_int_equal(hwb_oidc_ambient_available("pypi", &o), 0);
	assert_int_equal(hwb_oidc_ambient_source("pypi", &o), HWB_OIDC_NONE);
	setenv("PYPI_ID_TOKEN", jwt, 1);
	assert_int_equal(hwb_oidc_ambient_available("pypi", &o), 1);
	/* the variable wins over GitHub's endpoint, as in the token search */
	setenv("ACTIONS_ID_TOKEN_REQUEST_URL", "http://127.0.0.1:9/token", 1);
	setenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "request-secret", 1);
	assert_int_equal(hwb_oidc_ambient_source("pypi", &o), HWB_OIDC_ENV);
	assert_int_equal(hwb_oidc_ambient_source("sigstore", &o), HWB_OIDC_GITHUB);
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_URL");
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");
	assert_int_equal(hwb_oidc_ambient_source("sigstore", &o), HWB_OIDC_NONE);
	o.gcp_metadata_url = "http://127.0.0.1:9";
	assert_int_equal(hwb_oidc_ambient_source("sigstore", &o), HWB_OIDC_GOOGLE);
	o.gcp_metadata_url = NULL;
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), 0);
	assert_int_equal(t.source, HWB_OIDC_ENV);
	assert_string_equal(t.jwt, jwt);
	assert_string_equal(t.claims.identity, "dev@example.test");
	hwb_oidc_token_release(&t);
	/* the same variable with a token for another audience */
	o.audience = "pypi";
	free(jwt);
	jwt = fresh_jwt("sigstore");
	setenv("PYPI_ID_TOKEN", jwt, 1);
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_null(t.jwt);
	assert_string_equal(err.code, "HWB-O006");
	assert_non_null(strstr(err.message, "PYPI_ID_TOKEN: "));
	hwb_error_format(&err, line, sizeof(line));
	assert_null(strstr(line, jwt));
	assert_null(strstr(line, strchr(jwt, '.') + 1));
	unsetenv("PYPI_ID_TOKEN");
	free(jwt);
}

static void test_file_source(void **state)
{
	struct hwb_oidc_options o = { 0 };
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char path[128], link[128], *jwt = fresh_jwt("sigstore"), *text;

	(void)state;
	snprintf(path, sizeof(path), "%s/token", scratch);
	snprintf(link, sizeof(link), "%s/token-link", scratch);
	text = hwb_strdup_printf("%s\n", jwt);
	write_file(path, text);
	o.audience = "sigstore";
	o.token_file = path;
	o.exp_leeway_s = -1;
	/* the file wins over the environment */
	setenv("SIGSTORE_ID_TOKEN", "not-even-a-jwt", 1);
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), 0);
	assert_int_equal(t.source, HWB_OIDC_FILE);
	assert_string_equal(t.jwt, jwt);
	/* a symbolic link is followed (Kubernetes mounts tokens so) */
	assert_int_equal(symlink(path, link), 0);
	o.token_file = link;
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), 0);
	hwb_oidc_token_release(&t);
	/* missing, a directory, an empty file, too large */
	snprintf(link, sizeof(link), "%s/missing", scratch);
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O010");
	assert_non_null(strstr(err.message, "--identity-token "));
	o.token_file = scratch;
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O010");
	assert_non_null(strstr(err.message, "not a regular file"));
	write_file(path, "\n");
	o.token_file = path;
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O001");
	{
		char *big = calloc(1, HWB_OIDC_TOKEN_MAX + 2);

		memset(big, 'a', HWB_OIDC_TOKEN_MAX + 1);
		write_file(path, big);
		free(big);
	}
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O010");
	assert_non_null(strstr(err.message, "larger"));
	/* a file holding something else: refused without quoting it */
	write_file(path, "ghp_abcdefghijklmnopqrstuvwxyz0123456789\n");
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O002");
	assert_null(strstr(err.message, "ghp_"));
	unsetenv("SIGSTORE_ID_TOKEN");
	free(text);
	free(jwt);
}

static void test_stdin_source(void **state)
{
	struct hwb_oidc_options o = { 0 };
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char *jwt = fresh_jwt("sigstore");
	int fds[2], saved = dup(0);

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], jwt, strlen(jwt)), (ssize_t)strlen(jwt));
	assert_int_equal(write(fds[1], "\n", 1), 1);
	close(fds[1]);
	dup2(fds[0], 0);
	close(fds[0]);
	o.audience = "sigstore";
	o.token_file = "-";
	o.exp_leeway_s = -1;
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), 0);
	assert_int_equal(t.source, HWB_OIDC_STDIN);
	assert_string_equal(t.jwt, jwt);
	hwb_oidc_token_release(&t);
	/* stdin at its end: nothing to read */
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-C002");
	dup2(saved, 0);
	close(saved);
	free(jwt);
}

static void test_github_permission(void **state)
{
	struct hwb_oidc_options o = { 0 };
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	o.audience = "sigstore";
	o.allow_interactive = 1; /* never reached inside GitHub Actions */
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_EVENT_NAME", "push", 1);
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O012");
	assert_int_equal(err.kind, HWB_KIND_CONFIG);
	assert_non_null(strstr(err.hint, "permissions: id-token: write"));
	/* only one of the two set: the other is named */
	setenv("ACTIONS_ID_TOKEN_REQUEST_URL", "https://example.test/t?x=1", 1);
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O012");
	assert_non_null(strstr(err.message, "ACTIONS_ID_TOKEN_REQUEST_TOKEN is"));
	assert_int_equal(hwb_oidc_ambient_available("sigstore", &o), 0);
	unsetenv("ACTIONS_ID_TOKEN_REQUEST_URL");
	/* outside GitHub Actions nothing is said about it */
	unsetenv("GITHUB_ACTIONS");
	o.allow_interactive = 0;
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O011");
	assert_non_null(strstr(err.message, "SIGSTORE_ID_TOKEN is unset"));
	assert_non_null(strstr(err.hint, "id_tokens: SIGSTORE_ID_TOKEN"));
}

static void test_github_fork(void **state)
{
	struct hwb_oidc_options o = { 0 };
	struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char path[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/event.json", scratch);
	o.audience = "sigstore";
	setenv("GITHUB_ACTIONS", "true", 1);
	setenv("GITHUB_REPOSITORY", "octo/sample", 1);
	setenv("GITHUB_EVENT_NAME", "pull_request", 1);
	setenv("GITHUB_EVENT_PATH", path, 1);
	/* the event says fork */
	write_file(path, "{\"pull_request\": {\"head\": {\"repo\": "
			 "{\"full_name\": \"mallory/sample\", \"fork\": true}}}}");
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O013");
	assert_non_null(strstr(err.message, "pull request from mallory/sample"));
	assert_non_null(strstr(err.hint, "push or release in octo/sample"));
	/* another repository as head, fork flag absent */
	write_file(path, "{\"pull_request\": {\"head\": {\"repo\": "
			 "{\"full_name\": \"eve/sample\"}}}}");
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O013");
	assert_non_null(strstr(err.message, "pull_request run"));
	/* pull_request_target runs as the base repository: GitHub gives it a
	 * token when the job asks, so a missing one is a missing permission */
	setenv("GITHUB_EVENT_NAME", "pull_request_target", 1);
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O012");
	/* a pull request from a branch of the repository itself */
	setenv("GITHUB_EVENT_NAME", "pull_request", 1);
	write_file(path, "{\"pull_request\": {\"head\": {\"repo\": "
			 "{\"full_name\": \"octo/sample\", \"fork\": false}}}}");
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O012");
	/* an unreadable or broken event file: the permission explanation */
	write_file(path, "{not json");
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O012");
	unlink(path);
	assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
	assert_string_equal(err.code, "HWB-O012");
}

static void test_check_url(void **state)
{
	static const char *const ok[] = {
		"https://oauth2.sigstore.dev/auth", "http://127.0.0.1:8080/x",
		"http://127.1.2.3/", "http://localhost:9/cb", "http://[::1]:80/",
		"http://localhost", "http://127.0.0.1?x=1",
	};
	static const char *const bad[] = {
		"http://example.com/", "http://127.0.0.1.evil.test/",
		"http://127.0.0.1@evil.test/", "http://localhost.evil.test/",
		"ftp://127.0.0.1/", "http://[::1]evil/", "file:///etc/passwd",
		"http://metadata.google.internal/",
	};
	struct hwb_error err = HWB_ERROR_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		if (hwb_core__oidc_check_url(ok[i], "S", &err))
			fail_msg("refused %s", ok[i]);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!hwb_core__oidc_check_url(bad[i], "S", &err))
			fail_msg("accepted %s", bad[i]);
		assert_string_equal(err.code, "HWB-O015");
	}
	/* a metadata URL given by the caller is held to the same rule */
	{
		struct hwb_oidc_options o = { 0 };
		struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;

		o.audience = "sigstore";
		o.gcp_metadata_url = "http://169.254.169.254";
		assert_int_equal(hwb_oidc_ambient_available("sigstore", &o), 1);
		assert_int_equal(hwb_oidc_token_get(&t, &o, &err), -1);
		assert_string_equal(err.code, "HWB-O015");
		assert_non_null(strstr(err.message, "Google metadata server"));
	}
}

static void test_pct(void **state)
{
	struct hwb_buf b = HWB_BUF_INIT;

	(void)state;
	assert_int_equal(hwb_core__oidc_pct(&b, "a b&c=d/é~-._"), 0);
	assert_string_equal(b.ptr, "a%20b%26c%3Dd%2F%C3%A9~-._");
	hwb_buf_release(&b);
}

/* ---- the browser sign-in's local side ---- */

/* In a child: send one raw request to 127.0.0.1:port, read the answer. */
static pid_t client(int port, const char *request)
{
	pid_t pid = fork();

	if (pid == 0) {
		struct sockaddr_in sa = { 0 };
		char buf[4096];
		int fd = socket(AF_INET, SOCK_STREAM, 0);

		sa.sin_family = AF_INET;
		sa.sin_port = htons((uint16_t)port);
		sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)))
			_exit(1);
		if (write(fd, request, strlen(request)) < 0)
			_exit(1);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		_exit(0);
	}
	return pid;
}

static int wait_with(const char *request, const char *state, char *code,
		     struct hwb_error *err)
{
	struct hwb_core__oidc_redirect r = HWB_CORE__OIDC_REDIRECT_INIT;
	pid_t pid;
	int ret;

	assert_int_equal(hwb_core__oidc_redirect_listen(&r, err), 0);
	assert_true(r.port > 0);
	pid = client(r.port, request);
	ret = hwb_core__oidc_redirect_wait(&r, state, 3000, code, err);
	hwb_core__oidc_redirect_close(&r);
	waitpid(pid, NULL, 0);
	return ret;
}

static void test_redirect_server(void **state)
{
	struct hwb_core__oidc_redirect r = HWB_CORE__OIDC_REDIRECT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char code[HWB_CORE__OIDC_CODE_MAX];
	pid_t pid;
	int status;

	(void)state;
	assert_int_equal(wait_with("GET /auth/callback?code=c%2Fode-1234567&"
				   "state=S1 HTTP/1.1\r\nHost: x\r\n\r\n",
				   "S1", code, &err), 0);
	assert_string_equal(code, "c/ode-1234567");
	assert_int_equal(wait_with("GET /auth/callback?code=abc&state=forged "
				   "HTTP/1.1\r\n\r\n", "S1", code, &err), -1);
	assert_string_equal(err.code, "HWB-O017");
	assert_non_null(strstr(err.message, "state"));
	assert_int_equal(wait_with("GET /auth/callback?state=S1&error="
				   "access_denied&error_description=user+said+no"
				   " HTTP/1.1\r\n\r\n", "S1", code, &err), -1);
	assert_string_equal(err.code, "HWB-O017");
	assert_non_null(strstr(err.message, "access_denied: user said no"));
	assert_int_equal(wait_with("GET /auth/callback?state=S1 HTTP/1.1\r\n\r\n",
				   "S1", code, &err), -1);
	assert_non_null(strstr(err.message, "no code"));
	/* other paths are answered 404 and the wait goes on, to its end */
	assert_int_equal(hwb_core__oidc_redirect_listen(&r, &err), 0);
	pid = client(r.port, "GET /favicon.ico HTTP/1.1\r\n\r\n");
	assert_int_equal(hwb_core__oidc_redirect_wait(&r, "S1", 400, code, &err),
			 -1);
	assert_string_equal(err.code, "HWB-O019");
	hwb_core__oidc_redirect_close(&r);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	/* the client got its 404 answer and ended */
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* An opener that fails hands over to the out-of-band flow. */
static void test_browser_fails(void **state)
{
	struct hwb_core__oidc_redirect r = HWB_CORE__OIDC_REDIRECT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char code[HWB_CORE__OIDC_CODE_MAX];

	(void)state;
	setenv("BROWSER", "/bin/false", 1);
	assert_int_equal(hwb_core__oidc_browser_possible(), 1);
	assert_int_equal(hwb_core__oidc_redirect_listen(&r, &err), 0);
	assert_int_equal(hwb_core__oidc_browser_open(&r, "http://x/"), 0);
	assert_int_equal(hwb_core__oidc_redirect_wait(&r, "S", 5000, code, &err),
			 1);
	hwb_core__oidc_redirect_close(&r);
	setenv("BROWSER", "/nonexistent/browser", 1);
	assert_int_equal(hwb_core__oidc_redirect_listen(&r, &err), 0);
	assert_int_equal(hwb_core__oidc_browser_open(&r, "http://x/"), 0);
	assert_int_equal(hwb_core__oidc_redirect_wait(&r, "S", 5000, code, &err),
			 1);
	hwb_core__oidc_redirect_close(&r);
	unsetenv("BROWSER");
	assert_int_equal(hwb_core__oidc_browser_possible(), 0);
}

static void test_tty_code(void **state)
{
	struct hwb_error err = HWB_ERROR_INIT;
	char code[HWB_CORE__OIDC_CODE_MAX];
	int fds[2];

	(void)state;
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(write(fds[1], "  code-4567890\r\n", 16), 16);
	assert_int_equal(hwb_core__oidc_tty_code(fds[0], 1000, code, &err), 0);
	assert_string_equal(code, "code-4567890");
	/* nothing typed in time */
	assert_int_equal(hwb_core__oidc_tty_code(fds[0], 300, code, &err), -1);
	assert_string_equal(err.code, "HWB-O019");
	close(fds[1]);
	close(fds[0]);
}

/* Interactive without a browser or a terminal fails before the network. */
static void test_interactive_no_terminal(void **state)
{
	pid_t pid;
	int status;

	(void)state;
	pid = fork();
	if (pid == 0) {
		struct hwb_oidc_options o = { 0 };
		struct hwb_oidc_token t = HWB_OIDC_TOKEN_INIT;
		struct hwb_error err = HWB_ERROR_INIT;

		setsid(); /* no controlling terminal: /dev/tty cannot open */
		o.audience = "sigstore";
		o.allow_interactive = 1;
		o.oauth_issuer = "https://issuer.invalid";
		_exit(hwb_oidc_token_get(&t, &o, &err) == -1 &&
		      !strcmp(err.code, "HWB-O020") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_source_names(void **state)
{
	(void)state;
	assert_string_equal(hwb_oidc_source_name(HWB_OIDC_GITHUB),
			    "GitHub Actions");
	assert_string_equal(hwb_oidc_source_name(HWB_OIDC_INTERACTIVE),
			    "browser sign-in");
	assert_string_equal(hwb_oidc_source_name(HWB_OIDC_NONE), "none");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_github_token),
		cmocka_unit_test(test_gitlab_token),
		cmocka_unit_test(test_email_tokens),
		cmocka_unit_test(test_sub_identity),
		cmocka_unit_test(test_audience),
		cmocka_unit_test(test_validity_edges),
		cmocka_unit_test(test_claim_types),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_trailing_space),
		cmocka_unit_test(test_parse_real_clock),
		cmocka_unit_test(test_source_names),
		cmocka_unit_test_setup(test_env_name, clean_env),
		cmocka_unit_test_setup(test_env_source, clean_env),
		cmocka_unit_test_setup(test_file_source, clean_env),
		cmocka_unit_test_setup(test_stdin_source, clean_env),
		cmocka_unit_test_setup(test_github_permission, clean_env),
		cmocka_unit_test_setup(test_github_fork, clean_env),
		cmocka_unit_test_setup(test_check_url, clean_env),
		cmocka_unit_test(test_pct),
		cmocka_unit_test_setup(test_redirect_server, clean_env),
		cmocka_unit_test_setup(test_browser_fails, clean_env),
		cmocka_unit_test(test_tty_code),
		cmocka_unit_test_setup(test_interactive_no_terminal, clean_env),
	};
	int ret;

	strcpy(scratch, "/tmp/hwb-oidc-XXXXXX");
	if (!mkdtemp(scratch))
		return 1;
	ret = cmocka_run_group_tests(tests, NULL, NULL);
	rmtree(scratch);
	return ret;
}
