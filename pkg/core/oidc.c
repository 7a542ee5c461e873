/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oidc.c: an identity token's structure and claims (see oidc.h). The token
 * is decoded, not verified: Fulcio and PyPI verify its signature. What is
 * checked here is what would make them refuse it (audience, validity
 * period, a missing identity claim), so the refusal comes early and says
 * why. No part of the token ever enters a message. The sources that find
 * a token are in oidc_ambient.c and oidc_oauth.c.
 */
#include "pkg/core/oidc.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/core/encode.h"
#include "pkg/core/internal.h"
#include "pkg/core/log.h"

#define GITHUB_ISSUER "https://token.actions.githubusercontent.com"
#define GITLAB_ISSUER "https://gitlab.com"

/*
 * Issuers whose tokens Fulcio binds to the e-mail claim (Fulcio's
 * config.go, as listed by sigstore-python's _KNOWN_OIDC_ISSUERS). Google
 * writes its issuer with and without the scheme.
 */
static const char *const email_issuers[] = {
	"https://accounts.google.com",
	"accounts.google.com",
	"https://oauth2.sigstore.dev/auth",
	"https://oauth2.sigstage.dev/auth",
};

/* Claims only a CI system's token carries: such a token names a workflow. */
static const char *const ci_claims[] = {
	"job_workflow_ref", "workflow_ref", "ci_config_ref_uri",
	"repository",       "project_path", "runner_environment",
};

void hwb_core__wipe_buf(struct hwb_buf *b)
{
	if (b->cap)
		explicit_bzero(b->ptr, b->cap);
	hwb_buf_release(b);
}

void hwb_oidc_token_release(struct hwb_oidc_token *t)
{
	static const struct hwb_oidc_token init = HWB_OIDC_TOKEN_INIT;

	if (t->jwt) {
		explicit_bzero(t->jwt, t->len);
		free(t->jwt);
	}
	*t = init;
}

const char *hwb_oidc_source_name(enum hwb_oidc_source source)
{
	switch (source) {
	case HWB_OIDC_FILE:
		return "--identity-token FILE";
	case HWB_OIDC_STDIN:
		return "standard input";
	case HWB_OIDC_ENV:
		return "environment variable";
	case HWB_OIDC_GITHUB:
		return "GitHub Actions";
	case HWB_OIDC_GOOGLE:
		return "Google Cloud metadata server";
	case HWB_OIDC_INTERACTIVE:
		return "browser sign-in";
	case HWB_OIDC_NONE:
		break;
	}
	return "none";
}

/* One line "<origin>: <what>" with a fix; kind CONFIG. Returns -1. */
static int refuse(struct hwb_error *err, const char *code, const char *origin,
		  const char *hint, const char *fmt, ...) HWB_PRINTF(5, 6);

static int refuse(struct hwb_error *err, const char *code, const char *origin,
		  const char *hint, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	hwb_error_set(err, HWB_KIND_CONFIG, code, "%s: %s", origin, what);
	return hwb_error_hint(err, "%s", hint);
}

/* ---- structure: three base64url parts ---- */

static int is_b64url(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_';
}

static int not_a_jwt(struct hwb_error *err, const char *origin,
		     const char *what)
{
	return refuse(err, "HWB-O002", origin,
		      "pass the identity token itself (header.payload."
		      "signature, as the issuer gave it), not an access "
		      "token or a file of other content",
		      "not a JWT: %s", what);
}

/* Find the two dots; refuse any byte outside base64url and '.'. */
static int split_parts(const char *jwt, size_t len, size_t dots[2],
		       const char *origin, struct hwb_error *err)
{
	char what[160];
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)jwt[i];

		if (c == '.') {
			if (n == 2)
				return not_a_jwt(err, origin, "it has more "
					"than three '.'-separated parts");
			dots[n++] = i;
		} else if (c == '=') {
			snprintf(what, sizeof(what), "part %zu ends in '=' "
				 "padding, which a JWS leaves out (RFC 7515 "
				 "section 2)", n + 1);
			return not_a_jwt(err, origin, what);
		} else if (!is_b64url(c)) {
			snprintf(what, sizeof(what), "byte %zu is outside the "
				 "base64url alphabet", i + 1);
			return not_a_jwt(err, origin, what);
		}
	}
	if (n != 2) {
		snprintf(what, sizeof(what), "it has %zu '.'-separated "
			 "part%s, a JWT has three", n + 1, n ? "s" : "");
		return not_a_jwt(err, origin, what);
	}
	if (dots[0] == 0 || dots[1] == dots[0] + 1 || dots[1] + 1 == len)
		return not_a_jwt(err, origin, "one of its three parts is "
						"empty");
	return 0;
}

/* Decode one part as a JSON object; the decoded bytes are wiped. */
static json_t *decode_part(const char *part, size_t len, const char *name,
			   const char *origin, struct hwb_error *err)
{
	struct hwb_buf raw = HWB_BUF_INIT;
	struct hwb_error derr = HWB_ERROR_INIT;
	char what[160];
	json_t *v = NULL;

	if (hwb_base64_decode(&raw, part, len, HWB_B64_URL | HWB_B64_NOPAD,
			      &derr)) {
		if (!strcmp(derr.code, "HWB-C001"))
			hwb_error_oom(err);
		else {
			snprintf(what, sizeof(what), "its %s is not "
				 "canonical base64url", name);
			not_a_jwt(err, origin, what);
		}
		goto cleanup;
	}
	v = json_loadb(raw.ptr, raw.len, JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(v)) {
		json_decref(v);
		v = NULL;
		refuse(err, "HWB-O003", origin,
		       "pass the identity token the issuer gave, unchanged",
		       "the token's %s is not a JSON object", name);
	}
cleanup:
	hwb_core__wipe_buf(&raw);
	return v;
}

/* ---- claims ---- */

static int bad_claim(struct hwb_error *err, const char *origin,
		     const char *name, const char *what)
{
	return refuse(err, "HWB-O004", origin,
		      "the issuer sent a malformed token; ask it for a new "
		      "one, or report the issuer's bug",
		      "claim %s %s", name, what);
}

/* A string claim into dst ("" when absent). Numbers are taken as their
 * decimal text only where num_ok (ids that some issuers send as numbers). */
static int claim_str(const json_t *payload, const char *name, char *dst,
		     size_t dstsz, int num_ok, const char *origin,
		     struct hwb_error *err)
{
	const json_t *v = json_object_get(payload, name);
	size_t n;

	dst[0] = '\0';
	if (!v)
		return 0;
	if (num_ok && json_is_integer(v)) {
		snprintf(dst, dstsz, "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return 0;
	}
	if (!json_is_string(v))
		return bad_claim(err, origin, name, "is not a string");
	/* jansson refuses \u0000 unless asked, so n is also strlen. */
	n = json_string_length(v);
	if (n >= dstsz) {
		char what[64];

		snprintf(what, sizeof(what), "is longer than %zu bytes",
			 dstsz - 1);
		return bad_claim(err, origin, name, what);
	}
	memcpy(dst, json_string_value(v), n + 1);
	return 0;
}

/* A NumericDate claim (RFC 7519 section 2); *present tells absence. */
static int claim_time(const json_t *payload, const char *name, int64_t *dst,
		      int *present, const char *origin, struct hwb_error *err)
{
	const json_t *v = json_object_get(payload, name);
	double d;

	*dst = 0;
	*present = v != NULL;
	if (!v)
		return 0;
	if (json_is_integer(v)) {
		*dst = json_integer_value(v);
		return 0;
	}
	if (!json_is_real(v))
		return bad_claim(err, origin, name, "is not a number");
	d = json_real_value(v);
	/* Within +-2^62: the seconds of any real date, and no overflow. */
	if (!isfinite(d) || d > 4.6e18 || d < -4.6e18)
		return bad_claim(err, origin, name, "is out of range");
	*dst = (int64_t)floor(d);
	return 0;
}

/* email_verified: 1, 0, or -1 when absent (some issuers send "true"). */
static int claim_verified(const json_t *payload)
{
	const json_t *v = json_object_get(payload, "email_verified");
	const char *s;

	if (json_is_boolean(v))
		return json_is_true(v);
	s = json_string_value(v);
	if (s)
		return !strcmp(s, "true") ? 1 : !strcmp(s, "false") ? 0 : -1;
	return -1;
}

struct str_claim {
	const char *github, *gitlab; /* claim names in each CI's tokens */
	size_t off, size;
	int num_ok;
};

#define FIELD(f) offsetof(struct hwb_oidc_claims, f), \
		 sizeof(((struct hwb_oidc_claims *)0)->f)

/*
 * Where each field comes from. GitLab's names are from its ID token
 * reference (docs.gitlab.com ci/secrets/id_token_authentication); a
 * GitLab token is told apart by its ci_config_ref_uri claim.
 */
static const struct str_claim str_claims[] = {
	{ "iss", "iss", FIELD(iss), 0 },
	{ "sub", "sub", FIELD(sub), 0 },
	{ "email", "email", FIELD(email), 0 },
	{ "nonce", "nonce", FIELD(nonce), 0 },
	{ "repository", "project_path", FIELD(repository), 0 },
	{ "repository_owner", "namespace_path", FIELD(repository_owner), 0 },
	{ "repository_owner_id", "namespace_id", FIELD(repository_owner_id), 1 },
	{ "workflow_ref", "ci_config_ref_uri", FIELD(workflow_ref), 0 },
	{ "job_workflow_ref", "ci_config_ref_uri", FIELD(job_workflow_ref), 0 },
	{ "ref", "ref", FIELD(ref), 0 },
	{ "sha", "sha", FIELD(sha), 0 },
	{ "environment", "environment", FIELD(environment), 0 },
	{ "event_name", "pipeline_source", FIELD(event_name), 0 },
};

/* ---- audience ---- */

/* Up to ~200 bytes of the token's audiences, for the refusal. */
static void list_audiences(const json_t *aud, char *out, size_t outsz)
{
	size_t i, n = 0;
	const json_t *v;

	out[0] = '\0';
	if (json_is_string(aud)) {
		snprintf(out, outsz, "\"%.200s\"", json_string_value(aud));
		return;
	}
	json_array_foreach(aud, i, v) {
		int w = snprintf(out + n, outsz - n, "%s\"%.60s\"",
				 i ? ", " : "", json_string_value(v));

		if (w < 0 || (size_t)w >= outsz - n || n > 200)
			break;
		n += (size_t)w;
	}
}

static int check_audience(const json_t *payload, const char *audience,
			  struct hwb_oidc_claims *c, const char *origin,
			  struct hwb_error *err)
{
	const json_t *aud = json_object_get(payload, "aud"), *v;
	const char *match = NULL;
	char have[280];
	size_t i;

	if (aud && !json_is_string(aud) && !json_is_array(aud))
		return bad_claim(err, origin, "aud",
				 "is neither a string nor a list");
	json_array_foreach(aud, i, v)
		if (!json_is_string(v))
			return bad_claim(err, origin, "aud",
					 "lists something that is not a string");
	if (json_is_string(aud))
		match = json_string_value(aud);
	else if (json_array_size(aud))
		match = json_string_value(json_array_get(aud, 0));
	if (audience) {
		match = NULL;
		if (json_is_string(aud) &&
		    !strcmp(json_string_value(aud), audience))
			match = audience;
		json_array_foreach(aud, i, v)
			if (!strcmp(json_string_value(v), audience))
				match = audience;
	}
	if (!match && audience) {
		list_audiences(aud, have, sizeof(have));
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O006",
			      "%s: the token is for audience %s, not \"%s\"",
			      origin, have[0] ? have : "(none)", audience);
		return hwb_error_hint(err, "request the token for audience "
				      "\"%s\"", audience);
	}
	if (match && strlen(match) >= sizeof(c->aud))
		return bad_claim(err, origin, "aud", "is too long");
	snprintf(c->aud, sizeof(c->aud), "%s", match ? match : "");
	return 0;
}

/* ---- validity period ---- */

/* a - b, saturated: the claims may hold any 64-bit number. */
static int64_t span_s(int64_t a, int64_t b)
{
	int64_t d;

	if (__builtin_sub_overflow(a, b, &d))
		return a > b ? INT64_MAX : INT64_MIN;
	return d;
}

static int check_times(const json_t *payload, struct hwb_oidc_claims *c,
		       long leeway, int64_t now, const char *origin,
		       struct hwb_error *err)
{
	int has_exp, has_nbf, has_iat;
	char when[48];

	if (claim_time(payload, "exp", &c->exp, &has_exp, origin, err) ||
	    claim_time(payload, "nbf", &c->nbf, &has_nbf, origin, err) ||
	    claim_time(payload, "iat", &c->iat, &has_iat, origin, err))
		return -1;
	if (!has_exp)
		return refuse(err, "HWB-O007", origin,
			      "the issuer must set an expiry (OpenID Connect "
			      "Core 2); use a token from a conforming issuer",
			      "the token has no exp (expiry) claim");
	/* Valid while now < exp + leeway, written so nothing overflows. */
	if (now - leeway >= c->exp) {
		hwb_iso_time(c->exp, when, sizeof(when));
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O007",
			      "%s: the token expired at %s, %" PRId64 " s ago "
			      "(%ld s of clock skew allowed)", origin, when,
			      span_s(now, c->exp), leeway);
		return hwb_error_hint(err, "get a fresh token (they live "
				      "minutes) and use it at once; check "
				      "the system clock");
	}
	if (has_nbf && c->nbf > now + leeway) {
		hwb_iso_time(c->nbf, when, sizeof(when));
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O008",
			      "%s: the token is not valid before %s, %" PRId64
			      " s from now (%ld s of clock skew allowed)",
			      origin, when, span_s(c->nbf, now), leeway);
		return hwb_error_hint(err, "check the system clock (NTP); "
				      "this machine seems to run behind the "
				      "issuer's");
	}
	return 0;
}

/* ---- identity ---- */

static int is_email_issuer(const char *iss)
{
	size_t i;

	for (i = 0; i < sizeof(email_issuers) / sizeof(email_issuers[0]); i++)
		if (!strcmp(iss, email_issuers[i]))
			return 1;
	return 0;
}

static int has_ci_claims(const json_t *payload)
{
	size_t i;

	for (i = 0; i < sizeof(ci_claims) / sizeof(ci_claims[0]); i++)
		if (json_object_get(payload, ci_claims[i]))
			return 1;
	return 0;
}

static int missing_identity(struct hwb_error *err, const char *origin,
			    const char *iss, const char *claim)
{
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O009",
		      "%s: the token from %.200s has no %s claim, which names "
		      "the identity a certificate would carry", origin, iss,
		      claim);
	return hwb_error_hint(err, "use a token from the CI system's or "
			      "the issuer's standard flow, which sets %s",
			      claim);
}

/*
 * The identity Fulcio will put in the certificate: its SAN rules per
 * issuer kind (protocols.md section A; sigstore-python's IdentityToken).
 */
static int pick_identity(const json_t *payload, struct hwb_oidc_claims *c,
			 int gitlab, const char *origin, struct hwb_error *err)
{
	const char *ccr = json_string_value(
		json_object_get(payload, "ci_config_ref_uri"));
	int n, verified;

	if (!strcmp(c->iss, GITHUB_ISSUER)) {
		if (!c->job_workflow_ref[0])
			return missing_identity(err, origin, c->iss,
						"job_workflow_ref");
		n = snprintf(c->identity, sizeof(c->identity),
			     "https://github.com/%s", c->job_workflow_ref);
	} else if (gitlab || !strcmp(c->iss, GITLAB_ISSUER)) {
		if (!ccr || !ccr[0])
			return missing_identity(err, origin, c->iss,
						"ci_config_ref_uri");
		n = snprintf(c->identity, sizeof(c->identity), "https://%s",
			     ccr);
	} else if (is_email_issuer(c->iss) ||
		   (c->email[0] && !has_ci_claims(payload))) {
		if (!c->email[0])
			return missing_identity(err, origin, c->iss, "email");
		verified = claim_verified(payload);
		if (verified == 0)
			return refuse(err, "HWB-O009", origin,
				      "verify the address with the identity "
				      "provider, then sign in again",
				      "the token's e-mail address %.200s is "
				      "not verified (email_verified is false)",
				      c->email);
		c->email_verified = verified == 1;
		n = snprintf(c->identity, sizeof(c->identity), "%s", c->email);
	} else {
		if (!c->sub[0])
			return missing_identity(err, origin, c->iss, "sub");
		n = snprintf(c->identity, sizeof(c->identity), "%s", c->sub);
	}
	if (n < 0 || (size_t)n >= sizeof(c->identity))
		return bad_claim(err, origin, "naming the identity",
				 "is too long");
	return 0;
}

/* Copy the claims out of the payload and check them all. */
static int check_claims(const json_t *payload, struct hwb_oidc_claims *c,
			const char *audience, long leeway, int64_t now,
			const char *origin, struct hwb_error *err)
{
	int gitlab = json_object_get(payload, "ci_config_ref_uri") != NULL;
	size_t i;

	for (i = 0; i < sizeof(str_claims) / sizeof(str_claims[0]); i++) {
		const struct str_claim *s = &str_claims[i];

		if (claim_str(payload, gitlab ? s->gitlab : s->github,
			      (char *)c + s->off, s->size, s->num_ok, origin,
			      err))
			return -1;
	}
	if (!c->iss[0])
		return refuse(err, "HWB-O005", origin,
			      "use a token from an OpenID Connect issuer, "
			      "which always names itself in iss",
			      "the token has no iss (issuer) claim");
	if (check_audience(payload, audience, c, origin, err) ||
	    check_times(payload, c, leeway, now, origin, err))
		return -1;
	return pick_identity(payload, c, gitlab, origin, err);
}

static int decode_and_check(struct hwb_oidc_token *t, const char *audience,
			    long leeway, int64_t now, const char *origin,
			    struct hwb_error *err)
{
	json_t *header = NULL, *payload = NULL;
	size_t dots[2];
	int ret = -1;

	if (split_parts(t->jwt, t->len, dots, origin, err))
		return -1;
	if (!(header = decode_part(t->jwt, dots[0], "header", origin, err)) ||
	    !(payload = decode_part(t->jwt + dots[0] + 1, dots[1] - dots[0] - 1,
				    "payload", origin, err)))
		goto cleanup;
	ret = check_claims(payload, &t->claims, audience, leeway, now, origin,
			   err);
cleanup:
	json_decref(header);
	json_decref(payload);
	return ret;
}

int hwb_core__oidc_parse_at(struct hwb_oidc_token *out, const char *text,
			    size_t len, const char *audience, long leeway_s,
			    const char *origin, int64_t now,
			    struct hwb_error *err)
{
	hwb_oidc_token_release(out);
	if (leeway_s < 0)
		leeway_s = HWB_OIDC_DEFAULT_LEEWAY_S;
	/* A day of skew is already absurd; the cap keeps the sums in range. */
	if (leeway_s > 86400)
		leeway_s = 86400;
	while (len && isspace((unsigned char)text[len - 1]))
		len--;
	if (!len)
		return refuse(err, "HWB-O001", origin,
			      "give the whole token the issuer produced",
			      "the token is empty");
	if (len > HWB_OIDC_TOKEN_MAX) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O001",
			      "%s: the token is %zu bytes, more than the %zu a "
			      "token may have", origin, len,
			      HWB_OIDC_TOKEN_MAX);
		return hwb_error_hint(err, "pass the identity token alone, "
				      "not a file that holds other data");
	}
	if (!(out->jwt = malloc(len + 1)))
		return hwb_error_oom(err);
	memcpy(out->jwt, text, len);
	out->jwt[len] = '\0';
	out->len = len;
	/* Before anything can fail: a message built later cannot leak it. */
	if (hwb_redact_register(out->jwt)) {
		hwb_oidc_token_release(out);
		return hwb_error_oom(err);
	}
	if (decode_and_check(out, audience, leeway_s, now, origin, err)) {
		hwb_oidc_token_release(out);
		return -1;
	}
	return 0;
}

int hwb_oidc_token_parse(struct hwb_oidc_token *out, const char *text,
			 size_t len, const char *audience, long leeway_s,
			 const char *origin, struct hwb_error *err)
{
	return hwb_core__oidc_parse_at(out, text, len, audience, leeway_s,
				       origin, (int64_t)time(NULL), err);
}
