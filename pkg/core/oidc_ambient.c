/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oidc_ambient.c: where a token comes from (see oidc.h): the caller's file
 * or stdin, <AUDIENCE>_ID_TOKEN, GitHub Actions' token endpoint, Google
 * Cloud's metadata server, then the browser sign-in (oidc_oauth.c). The
 * detection follows di/id's ambient.py, the library sigstore-python and
 * pypa/gh-action-pypi-publish use; the GitHub explanations follow
 * gh-action-pypi-publish's oidc-exchange.py and sigstore-python's
 * IdentityError.diagnostics.
 */
#include "pkg/core/oidc.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/http.h"
#include "pkg/core/internal.h"
#include "pkg/core/log.h"

/*
 * di/id and google-auth read the DMI product name; a Google Cloud VM says
 * "Google" or "Google Compute Engine". Nothing is sent over the network to
 * find out, so a laptop never probes for a metadata server.
 */
#define GCP_PRODUCT_NAME_FILE "/sys/class/dmi/id/product_name"
#define GCP_METADATA_URL "http://metadata.google.internal"
#define GCP_IDENTITY_PATH \
	"/computeMetadata/v1/instance/service-accounts/default/identity"
/* GitHub's event payloads run to tens of KiB; a few MiB is plenty. */
#define GITHUB_EVENT_MAX ((size_t)8 << 20)
/* {"count": N, "value": JWT}: the token and a little JSON around it. */
#define TOKEN_RESPONSE_MAX (HWB_OIDC_TOKEN_MAX + 4096)

/* ---- helpers shared with oidc_oauth.c ---- */

int hwb_core__oidc_pct(struct hwb_buf *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		    c == '_' || c == '~') {
			hwb_buf_putc(out, (char)c);
		} else {
			hwb_buf_putc(out, '%');
			hwb_buf_putc(out, hex[c >> 4]);
			hwb_buf_putc(out, hex[c & 15]);
		}
	}
	return out->oom ? -1 : 0;
}

/* 1 when url's host is 127.0.0.0/8, [::1] or localhost. */
static int is_loopback_http(const char *url)
{
	const char *host = url + 7, *end;
	size_t n;

	if (strncmp(url, "http://", 7))
		return 0;
	n = strcspn(host, "/?#");
	if (memchr(host, '@', n))
		return 0;
	if (!strncmp(host, "[::1]", 5))
		return n == 5 || host[5] == ':';
	end = memchr(host, ':', n);
	if (end)
		n = (size_t)(end - host);
	if (n == 9 && !strncmp(host, "localhost", 9))
		return 1;
	return n >= 9 && !strncmp(host, "127.", 4) &&
	       strspn(host, "0123456789.") == n;
}

int hwb_core__oidc_check_url(const char *url, const char *service,
			     struct hwb_error *err)
{
	size_t shown = strcspn(url, "?#");

	if (!strncmp(url, "https://", 8) || is_loopback_http(url))
		return 0;
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O015",
		      "%s (%.*s): not an https:// URL; a token travels only "
		      "over TLS, or to this machine's loopback address",
		      service, (int)(shown > 200 ? 200 : shown), url);
	return hwb_error_hint(err, "use the service's https:// URL");
}

int hwb_core__oidc_fetch(const struct hwb_oidc_options *opts,
			 const struct hwb_http_request *req,
			 struct hwb_http_response *resp, struct hwb_error *err)
{
	struct hwb_http_client *client = NULL;
	int ret = -1;

	if (hwb_http_client_new(&client, opts->http, err) ||
	    hwb_http_send(client, req, resp, err))
		goto cleanup;
	if (resp->status != 200) {
		hwb_http_status_error(req, resp, err);
		goto cleanup;
	}
	ret = 0;
cleanup:
	hwb_http_client_free(client);
	return ret;
}

/* ---- 1. --identity-token FILE or - ---- */

static int read_token_file(const char *path, struct hwb_buf *out,
			   struct hwb_error *err)
{
	struct stat st;
	ssize_t n;
	int fd;

	/* Symbolic links are followed: Kubernetes mounts tokens as links. */
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-O010",
				"--identity-token %s: cannot read the file",
				path);
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > HWB_OIDC_TOKEN_MAX) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O010",
			      "--identity-token %s: %s", path,
			      S_ISREG(st.st_mode) ? "larger than a token can be"
						  : "not a regular file");
		goto fail;
	}
	/* One allocation of the final size: no realloc leaves a copy. */
	if (hwb_buf_grow(out, (size_t)st.st_size + 1)) {
		close(fd);
		return hwb_error_oom(err);
	}
	while (out->len < (size_t)st.st_size + 1) {
		n = read(fd, out->ptr + out->len, (size_t)st.st_size + 1 - out->len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-O010",
					"--identity-token %s: reading failed",
					path);
			goto fail;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	out->ptr[out->len] = '\0';
	close(fd);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	return hwb_error_hint(err, "give the path of a file that holds the "
			      "token, or - and the token on standard input");
}

static int from_caller(struct hwb_oidc_token *out,
		       const struct hwb_oidc_options *opts,
		       struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	char *secret = NULL, origin[300];
	int ret;

	if (!strcmp(opts->token_file, "-")) {
		if (hwb_secret_from_fd(0, "identity token", HWB_OIDC_TOKEN_MAX,
				       &secret, err))
			return -1;
		ret = hwb_oidc_token_parse(out, secret, strlen(secret),
					   opts->audience, opts->exp_leeway_s,
					   "--identity-token - (standard input)",
					   err);
		hwb_secret_free(secret);
		out->source = HWB_OIDC_STDIN;
		return ret;
	}
	if (read_token_file(opts->token_file, &text, err)) {
		hwb_core__wipe_buf(&text);
		return -1;
	}
	snprintf(origin, sizeof(origin), "--identity-token %.250s",
		 opts->token_file);
	ret = hwb_oidc_token_parse(out, text.ptr, text.len, opts->audience,
				   opts->exp_leeway_s, origin, err);
	hwb_core__wipe_buf(&text);
	out->source = HWB_OIDC_FILE;
	return ret;
}

/* ---- 2. <AUDIENCE>_ID_TOKEN ---- */

void hwb_core__oidc_env_name(const char *audience, char *out, size_t outsz)
{
	size_t i, n = strlen(audience);

	if (outsz < sizeof("_ID_TOKEN") + 1)
		HWB_BUG("no room for an environment variable name");
	if (n > outsz - sizeof("_ID_TOKEN"))
		n = outsz - sizeof("_ID_TOKEN");
	for (i = 0; i < n; i++) {
		char c = audience[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		/* di/id: outside [A-Z0-9_], or a leading digit, becomes '_' */
		if (!((c >= 'A' && c <= 'Z') || c == '_' ||
		      (c >= '0' && c <= '9' && i > 0)))
			c = '_';
		out[i] = c;
	}
	memcpy(out + n, "_ID_TOKEN", sizeof("_ID_TOKEN"));
}

/* 1: no such variable; 0: token taken; -1: error. */
static int from_env(struct hwb_oidc_token *out,
		    const struct hwb_oidc_options *opts, struct hwb_error *err)
{
	char name[128], *secret = NULL;
	int ret;

	hwb_core__oidc_env_name(opts->audience, name, sizeof(name));
	if (hwb_secret_from_env(name, &secret, err))
		return -1;
	if (!secret)
		return 1;
	ret = hwb_oidc_token_parse(out, secret, strlen(secret), opts->audience,
				   opts->exp_leeway_s, name, err);
	hwb_secret_free(secret);
	out->source = HWB_OIDC_ENV;
	return ret;
}

/* ---- 3. GitHub Actions ---- */

static int env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

/*
 * The pull request's head repository when this run is for a pull request
 * from a fork: pull_request.head.repo says fork, or is not this one. Only
 * the pull_request event: pull_request_target runs in the base
 * repository's context and gets a token when the job asks for one, so
 * there a missing token is a missing permission.
 */
static int fork_of_pull_request(char *head, size_t headsz)
{
	const char *event = getenv("GITHUB_EVENT_NAME");
	const char *path = getenv("GITHUB_EVENT_PATH");
	const char *self = getenv("GITHUB_REPOSITORY"), *name;
	struct hwb_buf text = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	json_t *doc = NULL, *repo;
	int fork = 0;

	head[0] = '\0';
	if (!event || strcmp(event, "pull_request") || !path || !*path)
		return 0;
	if (hwb_file_read_all(path, GITHUB_EVENT_MAX, &text, &ignored))
		goto cleanup;
	doc = json_loadb(text.ptr, text.len, 0, NULL);
	repo = json_object_get(json_object_get(json_object_get(doc,
				"pull_request"), "head"), "repo");
	name = json_string_value(json_object_get(repo, "full_name"));
	fork = json_is_true(json_object_get(repo, "fork")) ||
	       (name && self && *self && strcmp(name, self));
	snprintf(head, headsz, "%s", name ? name : "a fork");
cleanup:
	json_decref(doc);
	hwb_buf_release(&text);
	return fork;
}

/* GitHub Actions without the two variables: say why and what fixes it. */
static int explain_github(struct hwb_error *err)
{
	const char *self = getenv("GITHUB_REPOSITORY");
	char head[200];

	if (fork_of_pull_request(head, sizeof(head))) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O013",
			      "GitHub Actions: no OIDC token in this %s run "
			      "for a pull request from %s: GitHub gives runs "
			      "for pull requests from forks no id-token, "
			      "whatever the workflow's permissions say",
			      getenv("GITHUB_EVENT_NAME"), head);
		return hwb_error_hint(err, "sign and publish from a workflow "
				      "that runs on push or release in %s "
				      "itself", self && *self ? self
							     : "the repository");
	}
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O012",
		      "GitHub Actions: %s is unset, so this job may not "
		      "request an OIDC token",
		      env_set("ACTIONS_ID_TOKEN_REQUEST_URL")
			      ? "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
		      : env_set("ACTIONS_ID_TOKEN_REQUEST_TOKEN")
			      ? "ACTIONS_ID_TOKEN_REQUEST_URL"
			      : "ACTIONS_ID_TOKEN_REQUEST_URL (and _TOKEN)");
	return hwb_error_hint(err, "add `permissions: id-token: write` to "
			      "the job in the workflow file (GitHub docs: "
			      "\"Adding permissions settings\" for OpenID "
			      "Connect)");
}

/* Take the token out of a JSON answer's string member, wiping jansson's
 * copy of it. */
static int token_from_json(struct hwb_oidc_token *out,
			   const struct hwb_http_response *resp,
			   const char *member, const struct hwb_oidc_options *opts,
			   const char *service, const char *origin,
			   struct hwb_error *err)
{
	json_t *doc = json_loadb(resp->body.ptr, resp->body.len, 0, NULL);
	json_t *v = json_object_get(doc, member);
	int ret;

	if (!json_is_string(v)) {
		json_decref(doc);
		hwb_error_set(err, HWB_KIND_NETWORK, "HWB-O014",
			      "%s: the answer is not a JSON object with a "
			      "\"%s\" string", service, member);
		return hwb_error_hint(err, "the service is failing; try again "
				      "later, or check its URL");
	}
	ret = hwb_oidc_token_parse(out, json_string_value(v),
				   json_string_length(v), opts->audience,
				   opts->exp_leeway_s, origin, err);
	explicit_bzero((char *)json_string_value(v), json_string_length(v));
	json_decref(doc);
	return ret;
}

static int github_fetch(struct hwb_oidc_token *out,
			const struct hwb_oidc_options *opts,
			const char *url, const char *bearer,
			struct hwb_error *err)
{
	static const char service[] = "GitHub Actions OIDC";
	struct hwb_buf full = HWB_BUF_INIT, auth = HWB_BUF_INIT;
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_http_header header;
	struct hwb_http_request req = { 0 };
	int ret = -1;

	if (hwb_core__oidc_check_url(url, service, err))
		return -1;
	/* The URL carries a query already (api-version=...): append. */
	hwb_buf_printf(&full, "%s%caudience=", url, strchr(url, '?') ? '&' : '?');
	hwb_core__oidc_pct(&full, opts->audience);
	hwb_buf_printf(&auth, "bearer %s", bearer);
	if (hwb_buf_check(&full, err) || hwb_buf_check(&auth, err))
		goto cleanup;
	header.name = "Authorization";
	header.value = auth.ptr;
	req.method = HWB_HTTP_GET;
	req.url = full.ptr;
	req.service = service;
	req.headers = &header;
	req.header_count = 1;
	req.max_response = TOKEN_RESPONSE_MAX;
	req.secret_response = 1;
	if (hwb_core__oidc_fetch(opts, &req, &resp, err)) {
		if (resp.status == 401 || resp.status == 403)
			hwb_error_hint(err, "the job's request token was "
				       "refused: run hwb in the job's own "
				       "steps, with `id-token: write`");
		goto cleanup;
	}
	ret = token_from_json(out, &resp, "value", opts, service,
			      "GitHub Actions OIDC token", err);
	out->source = HWB_OIDC_GITHUB;
cleanup:
	hwb_core__wipe_buf(&resp.body);
	hwb_http_response_release(&resp);
	hwb_core__wipe_buf(&auth);
	hwb_buf_release(&full);
	return ret;
}

static int from_github(struct hwb_oidc_token *out,
		       const struct hwb_oidc_options *opts,
		       struct hwb_error *err)
{
	const char *url = getenv("ACTIONS_ID_TOKEN_REQUEST_URL");
	const char *bearer = getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN");

	if (url && *url && bearer && *bearer)
		return github_fetch(out, opts, url, bearer, err);
	if (!getenv("GITHUB_ACTIONS") || strcmp(getenv("GITHUB_ACTIONS"), "true"))
		return 1;
	return explain_github(err);
}

/* ---- 4. Google Cloud ---- */

static int on_google_cloud(void)
{
	char name[64] = "";
	ssize_t n = -1;
	int fd = open(GCP_PRODUCT_NAME_FILE, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		n = read(fd, name, sizeof(name) - 1);
		close(fd);
	}
	return n >= 6 && !strncmp(name, "Google", 6);
}

/* The metadata server to ask, or NULL when there is none to ask. */
static const char *google_base(const struct hwb_oidc_options *opts)
{
	if (opts->gcp_metadata_url)
		return opts->gcp_metadata_url;
	return on_google_cloud() ? GCP_METADATA_URL : NULL;
}

static int from_google(struct hwb_oidc_token *out,
		       const struct hwb_oidc_options *opts,
		       struct hwb_error *err)
{
	static const char service[] = "Google metadata server";
	static const struct hwb_http_header header = { "Metadata-Flavor",
						       "Google" };
	const char *base = google_base(opts);
	struct hwb_buf url = HWB_BUF_INIT;
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_http_request req = { 0 };
	int ret = -1;
	size_t n;

	if (!base)
		return 1;
	/* The real server speaks plain HTTP on a link-local address only. */
	if (opts->gcp_metadata_url && hwb_core__oidc_check_url(base, service, err))
		return -1;
	n = strlen(base);
	while (n && base[n - 1] == '/')
		n--;
	hwb_buf_printf(&url, "%.*s" GCP_IDENTITY_PATH "?audience=", (int)n,
		       base);
	hwb_core__oidc_pct(&url, opts->audience);
	hwb_buf_puts(&url, "&format=full");
	if (hwb_buf_check(&url, err))
		goto cleanup;
	req.method = HWB_HTTP_GET;
	req.url = url.ptr;
	req.service = service;
	req.headers = &header;
	req.header_count = 1;
	req.max_response = TOKEN_RESPONSE_MAX;
	req.secret_response = 1;
	if (hwb_core__oidc_fetch(opts, &req, &resp, err))
		goto cleanup;
	ret = hwb_oidc_token_parse(out, resp.body.ptr, resp.body.len,
				   opts->audience, opts->exp_leeway_s,
				   "Google metadata server token", err);
	out->source = HWB_OIDC_GOOGLE;
cleanup:
	hwb_core__wipe_buf(&resp.body);
	hwb_http_response_release(&resp);
	hwb_buf_release(&url);
	return ret;
}

/* ---- the order ---- */

static int no_source(const struct hwb_oidc_options *opts,
		     struct hwb_error *err)
{
	char name[128];

	hwb_core__oidc_env_name(opts->audience, name, sizeof(name));
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O011",
		      "no OIDC token for audience \"%s\": no --identity-token, "
		      "%s is unset, this is not a GitHub Actions job with "
		      "id-token permission, not Google Cloud%s",
		      opts->audience, name,
		      opts->allow_interactive ? "" : ", and the browser "
						      "sign-in is not allowed "
						      "here");
	return hwb_error_hint(err, "GitHub Actions: add `permissions: "
			      "id-token: write`; GitLab CI: add `id_tokens: "
			      "%s: aud: %s`; elsewhere: --identity-token FILE",
			      name, opts->audience);
}

static void log_found(const struct hwb_oidc_token *t)
{
	char until[48];

	hwb_iso_time(t->claims.exp, until, sizeof(until));
	hwb_log_verbose("OIDC token from %s: identity %s, issuer %s, valid "
			"until %s", hwb_oidc_source_name(t->source),
			t->claims.identity, t->claims.iss, until);
}

int hwb_oidc_token_get(struct hwb_oidc_token *out,
		       const struct hwb_oidc_options *opts,
		       struct hwb_error *err)
{
	int r;

	hwb_oidc_token_release(out);
	if (!opts || !opts->audience || !opts->audience[0])
		HWB_BUG("hwb_oidc_token_get without an audience");
	if (opts->token_file)
		r = from_caller(out, opts, err);
	else if ((r = from_env(out, opts, err)) == 1 &&
		 (r = from_github(out, opts, err)) == 1 &&
		 (r = from_google(out, opts, err)) == 1)
		r = opts->allow_interactive
			    ? hwb_core__oidc_interactive(out, opts, err)
			    : no_source(opts, err);
	if (r) {
		hwb_oidc_token_release(out);
		return -1;
	}
	log_found(out);
	return 0;
}

enum hwb_oidc_source hwb_oidc_ambient_source(const char *audience,
					     const struct hwb_oidc_options *opts)
{
	char name[128];

	if (!audience || !audience[0])
		return HWB_OIDC_NONE;
	hwb_core__oidc_env_name(audience, name, sizeof(name));
	if (env_set(name))
		return HWB_OIDC_ENV;
	if (env_set("ACTIONS_ID_TOKEN_REQUEST_URL") &&
	    env_set("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))
		return HWB_OIDC_GITHUB;
	if ((opts && opts->gcp_metadata_url) || on_google_cloud())
		return HWB_OIDC_GOOGLE;
	return HWB_OIDC_NONE;
}

int hwb_oidc_ambient_available(const char *audience,
			       const struct hwb_oidc_options *opts)
{
	return hwb_oidc_ambient_source(audience, opts) != HWB_OIDC_NONE;
}
