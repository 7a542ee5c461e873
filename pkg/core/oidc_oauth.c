/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oidc_oauth.c: the browser sign-in, source 5 of oidc.h: OpenID Connect
 * discovery, the OAuth 2.0 authorization code flow with PKCE S256 (RFC
 * 7636), state and nonce, the localhost redirect or the out-of-band code,
 * and the token exchange, as sigstore-python's oauth.py and oidc.py do it
 * against https://oauth2.sigstore.dev/auth (client "sigstore", empty
 * secret). The local server, the browser and the terminal are in
 * oidc_redirect.c.
 */
#include "pkg/core/oidc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "pkg/core/encode.h"
#include "pkg/core/hash.h"
#include "pkg/core/http.h"
#include "pkg/core/internal.h"
#include "pkg/core/log.h"

#define OOB_REDIRECT_URI "urn:ietf:wg:oauth:2.0:oob"
#define SERVICE "OAuth issuer"
/* A discovery document is a few KiB; a token answer holds three tokens. */
#define DISCOVERY_MAX ((size_t)1 << 20)
#define EXCHANGE_MAX (4 * HWB_OIDC_TOKEN_MAX)

struct flow {
	const struct hwb_oidc_options *opts;
	char issuer[512];         /* without a trailing '/' */
	char *authorize, *token;  /* the discovered endpoints, owned */
	char verifier[64];        /* PKCE: base64url of 32 random bytes */
	char challenge[64];       /* base64url(SHA-256(verifier)) */
	char state[32], nonce[32];
	char redirect_uri[64];
	char code[HWB_CORE__OIDC_CODE_MAX];
	long timeout_ms;
};

/* base64url without padding of n random bytes into out. */
static int random_b64url(char *out, size_t outsz, size_t n,
			 struct hwb_error *err)
{
	unsigned char raw[32];
	struct hwb_buf b = HWB_BUF_INIT;
	int ret = -1;

	if (n > sizeof(raw) || getrandom(raw, n, 0) != (ssize_t)n) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-O021",
				"browser sign-in: no random numbers");
		return hwb_error_hint(err, "check /dev/urandom");
	}
	if (!hwb_base64_encode(&b, raw, n, HWB_B64_URL | HWB_B64_NOPAD) &&
	    b.len < outsz) {
		memcpy(out, b.ptr, b.len + 1);
		ret = 0;
	} else {
		hwb_error_oom(err);
	}
	explicit_bzero(raw, sizeof(raw));
	hwb_core__wipe_buf(&b);
	return ret;
}

static int make_secrets(struct flow *f, struct hwb_error *err)
{
	uint8_t digest[32];
	struct hwb_buf b = HWB_BUF_INIT;

	if (random_b64url(f->verifier, sizeof(f->verifier), 32, err) ||
	    random_b64url(f->state, sizeof(f->state), 16, err) ||
	    random_b64url(f->nonce, sizeof(f->nonce), 16, err) ||
	    hwb_hash_buffer(HWB_HASH_SHA256, f->verifier, strlen(f->verifier),
			    digest, err))
		return -1;
	if (hwb_base64_encode(&b, digest, sizeof(digest),
			      HWB_B64_URL | HWB_B64_NOPAD) ||
	    b.len >= sizeof(f->challenge)) {
		hwb_buf_release(&b);
		return hwb_error_oom(err);
	}
	memcpy(f->challenge, b.ptr, b.len + 1);
	hwb_buf_release(&b);
	return 0;
}

/* An endpoint named by the discovery document; owned copy in *out. */
static int endpoint(const json_t *doc, const char *name, char **out,
		    struct hwb_error *err)
{
	const char *v = json_string_value(json_object_get(doc, name));

	if (!v || !*v) {
		hwb_error_set(err, HWB_KIND_NETWORK, "HWB-O016",
			      SERVICE ": the discovery document has no %s",
			      name);
		return hwb_error_hint(err, "check the issuer URL: it must "
				      "name an OpenID Connect issuer");
	}
	if (hwb_core__oidc_check_url(v, SERVICE, err))
		return -1;
	if (!(*out = hwb_strdup(v)))
		return hwb_error_oom(err);
	return 0;
}

/* GET {issuer}/.well-known/openid-configuration (OpenID Discovery 4). */
static int discover(struct flow *f, struct hwb_error *err)
{
	struct hwb_buf url = HWB_BUF_INIT;
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_http_request req = { 0 };
	json_t *doc = NULL;
	int ret = -1;

	hwb_buf_printf(&url, "%s/.well-known/openid-configuration", f->issuer);
	if (hwb_buf_check(&url, err))
		goto cleanup;
	req.method = HWB_HTTP_GET;
	req.url = url.ptr;
	req.service = SERVICE;
	req.max_response = DISCOVERY_MAX;
	if (hwb_core__oidc_fetch(f->opts, &req, &resp, err))
		goto cleanup;
	doc = json_loadb(resp.body.ptr, resp.body.len, 0, NULL);
	if (!json_is_object(doc)) {
		hwb_error_set(err, HWB_KIND_NETWORK, "HWB-O016",
			      SERVICE " (%s): the discovery document is not "
			      "a JSON object", url.ptr);
		hwb_error_hint(err, "check the issuer URL: it must name an "
			       "OpenID Connect issuer");
		goto cleanup;
	}
	ret = endpoint(doc, "authorization_endpoint", &f->authorize, err) ||
	      endpoint(doc, "token_endpoint", &f->token, err) ? -1 : 0;
cleanup:
	json_decref(doc);
	hwb_http_response_release(&resp);
	hwb_buf_release(&url);
	return ret;
}

/* The authorization request (RFC 6749 4.1.1, RFC 7636 4.3). */
static char *auth_url(const struct flow *f)
{
	const char *client = f->opts->oauth_client_id ? f->opts->oauth_client_id
						      : "sigstore";
	struct hwb_buf u = HWB_BUF_INIT;

	hwb_buf_printf(&u, "%s%cresponse_type=code&client_id=", f->authorize,
		       strchr(f->authorize, '?') ? '&' : '?');
	hwb_core__oidc_pct(&u, client);
	hwb_buf_puts(&u, "&scope=openid%20email&redirect_uri=");
	hwb_core__oidc_pct(&u, f->redirect_uri);
	hwb_buf_printf(&u, "&code_challenge=%s&code_challenge_method=S256"
		       "&state=%s&nonce=%s", f->challenge, f->state, f->nonce);
	return hwb_buf_detach(&u, NULL);
}

/* Open the browser on the sign-in; 1 when none came up (go out of band). */
static int browser_flow(struct flow *f, struct hwb_error *err)
{
	struct hwb_core__oidc_redirect r = HWB_CORE__OIDC_REDIRECT_INIT;
	char *url = NULL;
	int ret;

	if (hwb_core__oidc_redirect_listen(&r, err))
		return -1;
	snprintf(f->redirect_uri, sizeof(f->redirect_uri),
		 "http://localhost:%d/auth/callback", r.port);
	if (!(url = auth_url(f))) {
		hwb_core__oidc_redirect_close(&r);
		return hwb_error_oom(err);
	}
	hwb_log_info("Opening the browser to sign in; if it does not come "
		     "up, open this URL: %s", url);
	if (hwb_core__oidc_browser_open(&r, url))
		ret = 1;
	else
		ret = hwb_core__oidc_redirect_wait(&r, f->state, f->timeout_ms,
						   f->code, err);
	hwb_core__oidc_redirect_close(&r);
	free(url);
	return ret;
}

/* The out-of-band flow: the issuer shows the code, the user types it. */
static int oob_flow(struct flow *f, int tty, struct hwb_error *err)
{
	char *url;
	int ret;

	snprintf(f->redirect_uri, sizeof(f->redirect_uri), "%s",
		 OOB_REDIRECT_URI);
	if (!(url = auth_url(f)))
		return hwb_error_oom(err);
	hwb_log_info("Open this URL in a browser and sign in: %s", url);
	hwb_log_info("Then type the code the page shows here, and Enter "
		     "(waiting %ld s):", f->timeout_ms / 1000);
	ret = hwb_core__oidc_tty_code(tty, f->timeout_ms, f->code, err);
	free(url);
	return ret;
}

static int exchange_refused(const struct hwb_http_response *resp,
			    struct hwb_error *err)
{
	json_t *doc = json_loadb(resp->body.ptr, resp->body.len, 0, NULL);
	const char *e = json_string_value(json_object_get(doc, "error"));
	const char *d = json_string_value(
		json_object_get(doc, "error_description"));

	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O018",
		      SERVICE ": the token endpoint refused the code: HTTP "
		      "%ld%s%.100s%s%.200s", resp->status, e ? ": " : "",
		      e ? e : "", d ? ": " : "", d ? d : "");
	json_decref(doc);
	return hwb_error_hint(err, "sign in again; a code is good once and "
			      "for minutes");
}

/* POST the code with the PKCE verifier; the id_token text into *id. */
static int exchange(struct flow *f, struct hwb_http_response *resp,
		    struct hwb_error *err)
{
	const char *client = f->opts->oauth_client_id ? f->opts->oauth_client_id
						      : "sigstore";
	struct hwb_buf body = HWB_BUF_INIT, cred = HWB_BUF_INIT;
	struct hwb_buf basic = HWB_BUF_INIT;
	struct hwb_http_header headers[2];
	struct hwb_http_request req = { 0 };
	struct hwb_http_client *client_h = NULL;
	int ret = -1;

	hwb_buf_puts(&body, "grant_type=authorization_code&code=");
	hwb_core__oidc_pct(&body, f->code);
	hwb_buf_puts(&body, "&redirect_uri=");
	hwb_core__oidc_pct(&body, f->redirect_uri);
	hwb_buf_printf(&body, "&code_verifier=%s", f->verifier);
	/* HTTP Basic "client:" with the empty secret (RFC 6749 2.3.1). */
	hwb_core__oidc_pct(&cred, client);
	hwb_buf_putc(&cred, ':');
	hwb_buf_puts(&basic, "Basic ");
	hwb_base64_encode(&basic, cred.ptr, cred.len, HWB_B64_STD);
	if (hwb_buf_check(&body, err) || hwb_buf_check(&basic, err))
		goto cleanup;
	headers[0].name = "Authorization";
	headers[0].value = basic.ptr;
	headers[1].name = "Content-Type";
	headers[1].value = "application/x-www-form-urlencoded";
	req.method = HWB_HTTP_POST;
	req.url = f->token;
	req.service = SERVICE;
	req.headers = headers;
	req.header_count = 2;
	req.body = body.ptr;
	req.body_len = body.len;
	req.max_response = EXCHANGE_MAX;
	req.secret_response = 1;
	/* Not idempotent: a code is redeemed once (http.h, "Retrying"). */
	req.idempotent = 0;
	if (hwb_http_client_new(&client_h, f->opts->http, err) ||
	    hwb_http_send(client_h, &req, resp, err))
		goto cleanup;
	ret = resp->status == 200 ? 0 : exchange_refused(resp, err);
cleanup:
	hwb_http_client_free(client_h);
	hwb_core__wipe_buf(&body);
	hwb_buf_release(&cred);
	hwb_buf_release(&basic);
	return ret;
}

static int same_issuer(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	while (na && a[na - 1] == '/')
		na--;
	while (nb && b[nb - 1] == '/')
		nb--;
	return na == nb && !memcmp(a, b, na);
}

/* The id_token out of the answer, checked, and bound to this sign-in. */
static int take_id_token(struct flow *f, struct hwb_oidc_token *out,
			 const struct hwb_http_response *resp,
			 struct hwb_error *err)
{
	json_t *doc = json_loadb(resp->body.ptr, resp->body.len, 0, NULL);
	json_t *v = json_object_get(doc, "id_token");
	int ret = -1;

	if (!json_is_string(v)) {
		hwb_error_set(err, HWB_KIND_NETWORK, "HWB-O018",
			      SERVICE ": the token endpoint's answer has no "
			      "id_token");
		hwb_error_hint(err, "check that the issuer is an OpenID "
			       "Connect provider (scope openid)");
		goto cleanup;
	}
	if (hwb_oidc_token_parse(out, json_string_value(v),
				 json_string_length(v), f->opts->audience,
				 f->opts->exp_leeway_s, SERVICE "'s id_token",
				 err))
		goto cleanup;
	if (strcmp(out->claims.nonce, f->nonce) ||
	    !same_issuer(out->claims.iss, f->issuer)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O018",
			      SERVICE ": the id_token's %s is not this "
			      "sign-in's (%s)",
			      strcmp(out->claims.nonce, f->nonce) ? "nonce"
								  : "issuer",
			      f->issuer);
		hwb_error_hint(err, "sign in again; if it repeats, the "
			       "issuer URL is wrong");
		goto cleanup;
	}
	out->source = HWB_OIDC_INTERACTIVE;
	ret = 0;
cleanup:
	if (json_is_string(v))
		explicit_bzero((char *)json_string_value(v),
			       json_string_length(v));
	json_decref(doc);
	return ret;
}

static int run(struct flow *f, struct hwb_oidc_token *out, int *tty,
	       struct hwb_error *err)
{
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	int browse = hwb_core__oidc_browser_possible(), r;

	/* Without a browser the terminal is needed: fail before the network. */
	if (!browse && hwb_core__oidc_tty_open(tty, err))
		return -1;
	if (make_secrets(f, err) || discover(f, err))
		return -1;
	r = browse ? browser_flow(f, err) : 1;
	if (r == 1) {
		if (browse)
			hwb_log_warn("The browser could not be opened; "
				     "signing in out of band");
		if ((*tty < 0 && hwb_core__oidc_tty_open(tty, err)) ||
		    (r = oob_flow(f, *tty, err)))
			return -1;
	}
	if (r)
		return -1;
	r = exchange(f, &resp, err) || take_id_token(f, out, &resp, err);
	hwb_core__wipe_buf(&resp.body);
	hwb_http_response_release(&resp);
	return r ? -1 : 0;
}

int hwb_core__oidc_interactive(struct hwb_oidc_token *out,
			       const struct hwb_oidc_options *opts,
			       struct hwb_error *err)
{
	const char *issuer = opts->oauth_issuer ? opts->oauth_issuer
						: HWB_OIDC_DEFAULT_OAUTH_ISSUER;
	struct flow *f = calloc(1, sizeof(*f));
	size_t n = strlen(issuer);
	int tty = -1, ret = -1;

	if (!f)
		return hwb_error_oom(err);
	while (n && issuer[n - 1] == '/')
		n--;
	if (n >= sizeof(f->issuer))
		n = sizeof(f->issuer) - 1;
	memcpy(f->issuer, issuer, n);
	f->opts = opts;
	/* At most an hour: a wait that long is a mistake, not a sign-in. */
	f->timeout_ms = (opts->oauth_timeout_s > 0
				 ? (opts->oauth_timeout_s < 3600
					    ? opts->oauth_timeout_s : 3600)
				 : HWB_OIDC_DEFAULT_OAUTH_TIMEOUT_S) * 1000L;
	if (!hwb_core__oidc_check_url(f->issuer, SERVICE, err))
		ret = run(f, out, &tty, err);
	if (tty >= 0)
		close(tty);
	free(f->authorize);
	free(f->token);
	explicit_bzero(f, sizeof(*f));
	free(f);
	return ret;
}
