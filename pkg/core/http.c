/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.c: the HTTP client (see http.h): one libcurl easy handle per client,
 * the retry loop with backoff, and the mapping of every failure to one
 * HWB-H error that names the service. Upload bodies live in http_upload.c.
 */
#include "pkg/core/http.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "pkg/core/config.h"
#include "pkg/core/internal.h"
#include "pkg/core/log.h"

/* Longest response header value kept; ours are a type, a number or a URL. */
#define HEADER_VALUE_MAX 4096
/* Upload files per request: a PyPI upload has one file part. */
#define FILES_MAX 8

struct hwb_http_client {
	CURL *curl;
	struct hwb_http_options opts;
	char *ca_bundle;
	uint64_t rng; /* xorshift state for jitter; not a secret */
};

/* One call of hwb_http_send(). */
struct send_ctx {
	struct hwb_http_client *client;
	const struct hwb_http_request *req;
	struct hwb_http_response *resp;
	struct hwb_buf prefix; /* "<service> (<url without query>)" */
	int https;
	int idempotent; /* may be sent again after it reached the server */
	int sent;       /* the last attempt sent request bytes */
	CURLcode rc;    /* the last attempt's result */
	size_t cap;
	int too_big;
	struct curl_slist *headers;
	struct hwb_core__http_file files[FILES_MAX];
	size_t file_count;
	curl_mime *mime;
	char errbuf[CURL_ERROR_SIZE];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

static void global_init(void)
{
	global_result = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static int check_options(const struct hwb_http_options *o,
			 struct hwb_error *err)
{
	const char *bad = NULL;

	if (o->connect_timeout_ms <= 0)
		bad = "connect timeout must be positive";
	else if (o->timeout_ms <= 0)
		bad = "timeout must be positive";
	else if (o->max_attempts < 1 ||
		 o->max_attempts > HWB_HTTP_MAX_ATTEMPTS_LIMIT)
		bad = "attempts must be between 1 and 10";
	else if (o->retry_base_ms < 0 || o->retry_max_ms < o->retry_base_ms)
		bad = "retry delays must satisfy 0 <= base <= max";
	else if (o->retry_after_max_ms < 0)
		bad = "the Retry-After cap must not be negative";
	if (!bad)
		return 0;
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-H001", "HTTP options: %s", bad);
	return hwb_error_hint(err, "fix the http settings");
}

/* The bundle is read here so that a typo fails once, before any request. */
static int check_ca_bundle(const char *path, struct hwb_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-H002",
			"HTTP: cannot read CA bundle %s", path);
	hwb_error_at(err, path, 0, 0);
	return hwb_error_hint(err, "give a readable PEM file of CA "
				   "certificates, or none for the system store");
}

static uint64_t seed_rng(void)
{
	uint64_t seed = 0;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return seed ? seed : 0x9e3779b97f4a7c15ULL;
}

static void *preload(void *unused)
{
	struct hwb_error ignored = HWB_ERROR_INIT;

	(void)unused;
	if (!hwb_lazy_require(HWB_LAZY_CURL, &ignored))
		pthread_once(&global_once, global_init);
	return NULL;
}

/* The preload thread, joined at exit: a process that exits early (a usage
 * error, a failed check) must not unload or tear down OpenSSL under a
 * thread still inside dlopen() or curl_global_init(). */
static pthread_t preload_thread;
static int preload_started;

static void preload_join(void)
{
	if (preload_started) {
		preload_started = 0;
		pthread_join(preload_thread, NULL);
	}
}

void hwb_http_preload(void)
{
	/* without a thread, the first client loads libcurl itself */
	if (preload_started || pthread_create(&preload_thread, NULL, preload, NULL))
		return;
	preload_started = 1;
	atexit(preload_join);
}

int hwb_http_client_new(struct hwb_http_client **out,
			const struct hwb_http_options *options,
			struct hwb_error *err)
{
	static const struct hwb_http_options defaults = HWB_HTTP_OPTIONS_INIT;
	struct hwb_http_client *c = NULL;

	*out = NULL;
	if (!options)
		options = &defaults;
	if (check_options(options, err))
		return -1;
	if (options->ca_bundle && check_ca_bundle(options->ca_bundle, err))
		return -1;
	if (hwb_lazy_require(HWB_LAZY_CURL, err))
		return -1;
	if (pthread_once(&global_once, global_init) || global_result != CURLE_OK)
		return hwb_error_oom(err);
	if (!(c = calloc(1, sizeof(*c))))
		return hwb_error_oom(err);
	c->opts = *options;
	c->rng = seed_rng();
	if (options->ca_bundle && !(c->ca_bundle = hwb_strdup(options->ca_bundle)))
		goto oom;
	c->opts.ca_bundle = c->ca_bundle;
	if (!(c->curl = curl_easy_init()))
		goto oom;
	*out = c;
	return 0;
oom:
	hwb_http_client_free(c);
	return hwb_error_oom(err);
}

void hwb_http_client_free(struct hwb_http_client *client)
{
	if (!client)
		return;
	if (client->curl)
		curl_easy_cleanup(client->curl);
	free(client->ca_bundle);
	free(client);
}

void hwb_http_response_release(struct hwb_http_response *resp)
{
	hwb_buf_release(&resp->body);
	hwb_buf_release(&resp->content_type);
	hwb_buf_release(&resp->retry_after);
	hwb_buf_release(&resp->location);
	resp->status = 0;
	resp->attempts = 0;
}

/*
 * "<service> (scheme://host[:port]/path)": the query is left out because
 * signed URLs carry credentials there. Returns 0 if the URL parsed, -1 if
 * not (prefix then shows the service alone); *https tells the scheme.
 */
static int describe(struct hwb_buf *prefix, const char *service,
		    const char *url, int *https, int *has_userinfo)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	char *user = NULL;
	int ret = -1;

	hwb_buf_clear(prefix);
	if (u && url && curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
		curl_url_get(u, CURLUPART_PORT, &port, 0);
		*has_userinfo = curl_url_get(u, CURLUPART_USER, &user, 0) ==
				CURLUE_OK;
		*https = !strcasecmp(scheme, "https");
		hwb_buf_printf(prefix, "%s (%s://%s%s%s%s)", service, scheme,
			       host, port ? ":" : "", port ? port : "", path);
		ret = strcasecmp(scheme, "https") && strcasecmp(scheme, "http")
			      ? -1
			      : 0;
	} else {
		hwb_buf_printf(prefix, "%s (unparsable URL)", service);
	}
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(user);
	curl_url_cleanup(u);
	return ret;
}

static int is_secret_header(const char *name)
{
	return !strcasecmp(name, "Authorization") ||
	       !strcasecmp(name, "Proxy-Authorization") ||
	       !strcasecmp(name, "Cookie");
}

/*
 * Register secret header values for redaction, then build curl's header
 * list. "Expect:" stops curl from waiting for 100-continue before uploads,
 * which servers that never send it turn into a one-second stall.
 */
static int build_headers(struct send_ctx *s, struct hwb_error *err)
{
	const struct hwb_http_request *req = s->req;
	struct hwb_buf line = HWB_BUF_INIT;
	struct curl_slist *next;
	size_t i;
	int ret = -1;

	for (i = 0; i < req->header_count; i++) {
		const struct hwb_http_header *h = &req->headers[i];
		const char *cred;

		if (is_secret_header(h->name)) {
			cred = strchr(h->value, ' ');
			if (hwb_redact_register(h->value) ||
			    (cred && hwb_redact_register(cred + 1)))
				goto oom;
		}
		hwb_buf_clear(&line);
		/* "Name;" is curl's way to send a header with an empty value. */
		if (h->value[0])
			hwb_buf_printf(&line, "%s: %s", h->name, h->value);
		else
			hwb_buf_printf(&line, "%s;", h->name);
		if (line.oom || !(next = curl_slist_append(s->headers, line.ptr)))
			goto oom;
		s->headers = next;
	}
	if (!(next = curl_slist_append(s->headers, "Expect:")))
		goto oom;
	s->headers = next;
	ret = 0;
	goto cleanup;
oom:
	hwb_error_oom(err);
cleanup:
	/* The line may hold a token; wipe it before freeing. */
	if (line.cap)
		explicit_bzero(line.ptr, line.cap);
	hwb_buf_release(&line);
	return ret;
}

static int bad_request(struct send_ctx *s, const char *what,
		       struct hwb_error *err)
{
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-H001", "%s: %s", s->prefix.ptr,
		      what);
	return hwb_error_hint(err, "use an http:// or https:// URL without "
				   "credentials in it");
}

/* Check the request, register its secrets, open its files. */
static int prepare(struct send_ctx *s, struct hwb_error *err)
{
	const struct hwb_http_request *req = s->req;
	int userinfo = 0, sources;
	size_t i;

	if (!req->service || !req->url)
		HWB_BUG("HTTP request without service or URL");
	sources = (req->body != NULL || req->body_len) +
		  (req->body_file != NULL) + (req->part_count > 0);
	if (sources > 1 || (req->method == HWB_HTTP_GET && sources) ||
	    (req->body_len && !req->body))
		HWB_BUG("HTTP request with conflicting bodies: %s", req->service);
	if (describe(&s->prefix, req->service, req->url, &s->https,
		     &userinfo)) {
		if (s->prefix.oom)
			return hwb_error_oom(err);
		return bad_request(s, "not an http:// or https:// URL", err);
	}
	if (s->prefix.oom)
		return hwb_error_oom(err);
	if (userinfo)
		return bad_request(s, "the URL holds a user name or password",
				   err);
	s->cap = req->max_response ? req->max_response
				   : HWB_HTTP_DEFAULT_MAX_RESPONSE;
	if (req->max_redirects > HWB_HTTP_MAX_REDIRECTS_LIMIT)
		HWB_BUG("HTTP request allows %u redirects", req->max_redirects);
	if (build_headers(s, err))
		return -1;
	if (req->body_file && hwb_core__http_file_open(
				      &s->files[s->file_count++],
				      req->body_file, s->prefix.ptr, err))
		return -1;
	for (i = 0; i < req->part_count; i++) {
		if (!req->parts[i].file_path)
			continue;
		if (s->file_count == FILES_MAX)
			HWB_BUG("more than %d upload files", FILES_MAX);
		if (hwb_core__http_file_open(&s->files[s->file_count],
					     req->parts[i].file_path,
					     s->prefix.ptr, err))
			return -1;
		s->files[s->file_count].tap = req->parts[i].tap;
		s->files[s->file_count++].tap_ctx = req->parts[i].tap_ctx;
	}
	return 0;
}

/*
 * Make room for extra more bytes in a buffer that holds a secret: a new
 * allocation, the old one wiped and freed (realloc would leave a copy).
 */
static int grow_secret(struct hwb_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (hwb_size_add(&need, b->len, extra) || hwb_size_add(&need, need, 1))
		return -1;
	if (need <= b->cap)
		return 0;
	for (cap = b->cap ? b->cap : 4096; cap < need; cap *= 2)
		if (cap > SIZE_MAX / 2)
			return -1;
	if (!(p = malloc(cap)))
		return -1;
	memcpy(p, b->ptr, b->len + 1);
	if (b->cap) {
		explicit_bzero(b->ptr, b->cap);
		free(b->ptr);
	}
	b->ptr = p;
	b->cap = cap;
	return 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *arg)
{
	struct send_ctx *s = arg;
	size_t n = size * nmemb, total;

	if (hwb_size_add(&total, s->resp->body.len, n) || total > s->cap) {
		s->too_big = 1;
		return 0;
	}
	if (s->req->secret_response && grow_secret(&s->resp->body, n))
		return 0;
	if (hwb_buf_put(&s->resp->body, ptr, n))
		return 0;
	return n;
}

static void keep_header(struct hwb_buf *dst, const char *v, size_t len)
{
	while (len && (v[len - 1] == '\r' || v[len - 1] == '\n' ||
		       v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	if (len <= HEADER_VALUE_MAX)
		hwb_buf_set(dst, v, len);
}

void hwb_core__http_header_line(struct hwb_http_response *resp,
				const char *line, size_t n)
{
	const char *colon = memchr(line, ':', n), *v;
	size_t name_len;

	/* A new status line (after 1xx or a redirect) starts a new response. */
	if (n >= 5 && !memcmp(line, "HTTP/", 5)) {
		hwb_buf_clear(&resp->content_type);
		hwb_buf_clear(&resp->retry_after);
		hwb_buf_clear(&resp->location);
		return;
	}
	if (!colon)
		return;
	name_len = (size_t)(colon - line);
	for (v = colon + 1; v < line + n && (*v == ' ' || *v == '\t'); v++)
		;
#define IS(h) (name_len == sizeof(h) - 1 && !strncasecmp(line, h, name_len))
	if (IS("Content-Type"))
		keep_header(&resp->content_type, v, (size_t)(line + n - v));
	else if (IS("Retry-After"))
		keep_header(&resp->retry_after, v, (size_t)(line + n - v));
	else if (IS("Location"))
		keep_header(&resp->location, v, (size_t)(line + n - v));
#undef IS
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	const struct hwb_http_request *req = arg;

	(void)dltotal;
	(void)dlnow;
	req->progress(req->progress_ctx, (uint64_t)ulnow, (uint64_t)ultotal);
	return 0;
}

static size_t on_header(char *ptr, size_t size, size_t nitems, void *arg)
{
	struct send_ctx *s = arg;

	hwb_core__http_header_line(s->resp, ptr, size * nitems);
	return size * nitems;
}

/* Set up the handle for one attempt; curl_easy_reset keeps connections. */
static int configure(struct send_ctx *s)
{
	const struct hwb_http_request *req = s->req;
	const struct hwb_http_options *o = &s->client->opts;
	CURL *c = s->client->curl;
	size_t i;
	int bad = 0;

#define SET(opt, val) (bad |= curl_easy_setopt(c, opt, val) != CURLE_OK)
	curl_easy_reset(c);
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	/* A redirect may never leave TLS once the request started on it. */
	SET(CURLOPT_REDIR_PROTOCOLS_STR, s->https ? "https" : "http,https");
	SET(CURLOPT_FOLLOWLOCATION, req->max_redirects ? 1L : 0L);
	SET(CURLOPT_MAXREDIRS, (long)req->max_redirects);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_USERAGENT, "hwb/" HWB_VERSION);
	SET(CURLOPT_CONNECTTIMEOUT_MS, o->connect_timeout_ms);
	SET(CURLOPT_TIMEOUT_MS, o->timeout_ms);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	if (o->ca_bundle) {
		SET(CURLOPT_CAINFO, o->ca_bundle);
		/* The bundle replaces the system store rather than adding to it. */
		SET(CURLOPT_CAPATH, NULL);
	}
	SET(CURLOPT_ACCEPT_ENCODING, "");
	SET(CURLOPT_ERRORBUFFER, s->errbuf);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_WRITEDATA, s);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_HEADERDATA, s);
	/* Lets curl refuse early when Content-Length already exceeds the cap. */
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)s->cap);
	SET(CURLOPT_HTTPHEADER, s->headers);
	if (req->progress) {
		SET(CURLOPT_NOPROGRESS, 0L);
		SET(CURLOPT_XFERINFOFUNCTION, on_progress);
		SET(CURLOPT_XFERINFODATA, req);
	}
	/*
	 * libcurl silently sends a request again when a reused connection turns
	 * out to be dead; a fresh connection keeps that from repeating a POST
	 * that must reach the server at most once.
	 */
	if (!s->idempotent)
		SET(CURLOPT_FRESH_CONNECT, 1L);
	for (i = 0; i < s->file_count; i++)
		bad |= hwb_core__http_file_rewind(&s->files[i]) != 0;
	/* a file body goes out in 512 KiB reads and sends, not 64 KiB ones */
	if (s->file_count)
		SET(CURLOPT_UPLOAD_BUFFERSIZE, 512L << 10);
	if (req->method == HWB_HTTP_GET) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (req->part_count) {
		/* libcurl does not rewind a finished mime: build one per attempt. */
		curl_mime_free(s->mime);
		s->mime = hwb_core__http_mime_build(c, req, s->files);
		bad |= !s->mime;
		SET(CURLOPT_MIMEPOST, s->mime);
	} else if (req->body_file) {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_READFUNCTION, hwb_core__http_file_read);
		SET(CURLOPT_READDATA, &s->files[0]);
		SET(CURLOPT_SEEKFUNCTION, hwb_core__http_file_seek);
		SET(CURLOPT_SEEKDATA, &s->files[0]);
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)s->files[0].size);
	} else {
		SET(CURLOPT_POST, 1L);
		SET(CURLOPT_POSTFIELDS, req->body ? req->body : "");
		SET(CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	}
#undef SET
	return bad ? -1 : 0;
}

/* What one attempt ended with, in the terms the retry policy needs. */
enum outcome {
	OUT_DONE,       /* a response to hand to the caller */
	OUT_RETRY_HTTP, /* 5xx or 429 */
	OUT_RETRY_NET,  /* connection failure or timeout */
	OUT_FAILED,     /* err is filled; never retried */
};

static int is_network_failure(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

static const char *curl_reason(struct send_ctx *s, CURLcode rc)
{
	return s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc);
}

static enum outcome failed_transfer(struct send_ctx *s, struct hwb_error *err)
{
	const char *p = s->prefix.ptr;
	CURLcode rc = s->rc;
	size_t i;

	for (i = 0; i < s->file_count; i++) {
		if (!s->files[i].read_errno)
			continue;
		errno = s->files[i].read_errno;
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-H008",
				"%s: reading upload file %s failed", p,
				s->files[i].path);
		return OUT_FAILED;
	}
	if (s->too_big || rc == CURLE_FILESIZE_EXCEEDED) {
		hwb_error_set(err, HWB_KIND_NETWORK, "HWB-H006",
			      "%s: response larger than the cap of %zu bytes",
			      p, s->cap);
		hwb_error_hint(err, "the service sent more than expected; "
				    "check the URL");
	} else if (rc == CURLE_WRITE_ERROR || rc == CURLE_OUT_OF_MEMORY) {
		hwb_error_oom(err);
	} else if (rc == CURLE_TOO_MANY_REDIRECTS ||
		   rc == CURLE_UNSUPPORTED_PROTOCOL) {
		/* The URL's own scheme was checked; only a redirect gets here. */
		hwb_error_set(err, HWB_KIND_NETWORK, "HWB-H007",
			      "%s: redirect refused: %s", p, curl_reason(s, rc));
		hwb_error_hint(err, "at most %u redirects, never from https to "
				    "http; use the final URL",
			       s->req->max_redirects);
	} else if (rc == CURLE_PEER_FAILED_VERIFICATION ||
		   rc == CURLE_SSL_CACERT_BADFILE) {
		hwb_error_set(err, HWB_KIND_NETWORK, "HWB-H005",
			      "%s: TLS certificate verification failed: %s", p,
			      curl_reason(s, rc));
		hwb_error_hint(err, "check the system clock and the CA "
				    "certificates (package ca-certificates)");
	} else if (is_network_failure(rc)) {
		return OUT_RETRY_NET;
	} else {
		hwb_error_set(err, HWB_KIND_NETWORK, "HWB-H004", "%s: %s", p,
			      curl_reason(s, rc));
		hwb_error_hint(err, "check the URL and the network");
	}
	return OUT_FAILED;
}

static enum outcome run_attempt(struct send_ctx *s, struct hwb_error *err)
{
	struct hwb_http_response *r = s->resp;
	curl_off_t micros = 0;
	long sent = 0;

	hwb_buf_clear(&r->body);
	hwb_buf_clear(&r->content_type);
	hwb_buf_clear(&r->retry_after);
	hwb_buf_clear(&r->location);
	r->status = 0;
	s->too_big = 0;
	s->errbuf[0] = '\0';
	if (configure(s)) {
		hwb_error_oom(err);
		return OUT_FAILED;
	}
	r->attempts++;
	s->rc = curl_easy_perform(s->client->curl);
	curl_easy_getinfo(s->client->curl, CURLINFO_RESPONSE_CODE, &r->status);
	curl_easy_getinfo(s->client->curl, CURLINFO_TOTAL_TIME_T, &micros);
	curl_easy_getinfo(s->client->curl, CURLINFO_REQUEST_SIZE, &sent);
	s->sent = sent > 0;
	hwb_log_debug("HTTP %s %s: status %ld in %.3f s, attempt %u of %u%s%s",
		      s->req->method == HWB_HTTP_GET ? "GET" : "POST",
		      s->prefix.ptr, r->status, (double)micros / 1e6,
		      r->attempts, s->client->opts.max_attempts,
		      s->rc != CURLE_OK ? ": " : "",
		      s->rc != CURLE_OK ? curl_easy_strerror(s->rc) : "");
	if (s->rc != CURLE_OK)
		return failed_transfer(s, err);
	if (r->body.oom || r->content_type.oom || r->retry_after.oom ||
	    r->location.oom) {
		hwb_error_oom(err);
		return OUT_FAILED;
	}
	if (r->status == 429 || (r->status >= 500 && r->status <= 599))
		return OUT_RETRY_HTTP;
	return OUT_DONE;
}

/* Retry-After as delta seconds or an HTTP date; -1 when unusable. */
long hwb_core__http_retry_after_ms(const char *value, time_t now)
{
	char *end;
	unsigned long secs;
	time_t when;

	if (value[0] >= '0' && value[0] <= '9') {
		errno = 0;
		secs = strtoul(value, &end, 10);
		if (*end || errno || secs > 86400)
			return errno || *end ? -1 : 86400000L;
		return (long)secs * 1000;
	}
	when = curl_getdate(value, NULL);
	if (when == -1)
		return -1;
	return when <= now ? 0 : (when - now > 86400 ? 86400000L
						       : (long)(when - now) * 1000);
}

/*
 * Exponential backoff with full jitter: a uniform delay in
 * [0, min(max, base * 2^(attempt-1))], so that many clients that failed
 * together do not come back together. A server's Retry-After wins, capped.
 */
static long next_delay(struct send_ctx *s, enum outcome out)
{
	const struct hwb_http_options *o = &s->client->opts;
	long ceiling = o->retry_base_ms, asked;
	unsigned i;
	uint64_t x;

	if (out == OUT_RETRY_HTTP && s->resp->retry_after.len &&
	    (asked = hwb_core__http_retry_after_ms(s->resp->retry_after.ptr,
						    time(NULL))) >= 0)
		return asked < o->retry_after_max_ms ? asked
						     : o->retry_after_max_ms;
	for (i = 1; i < s->resp->attempts && ceiling < o->retry_max_ms; i++)
		ceiling *= 2;
	if (ceiling > o->retry_max_ms)
		ceiling = o->retry_max_ms;
	x = s->client->rng;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	s->client->rng = x;
	return (long)(x % ((uint64_t)ceiling + 1));
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int may_retry(const struct send_ctx *s, enum outcome out)
{
	if (s->resp->attempts >= s->client->opts.max_attempts)
		return 0;
	if (s->idempotent)
		return 1;
	/* 429 says the request was refused unread; otherwise only if unsent. */
	if (out == OUT_RETRY_HTTP)
		return s->resp->status == 429;
	return !s->sent;
}

static int give_up(struct send_ctx *s, enum outcome out, struct hwb_error *err)
{
	unsigned n = s->resp->attempts;

	if (out == OUT_RETRY_HTTP) {
		hwb_error_set(err, HWB_KIND_NETWORK, "HWB-H003",
			      "%s: HTTP %ld after %u attempt%s", s->prefix.ptr,
			      s->resp->status, n, n == 1 ? "" : "s");
		return hwb_error_hint(err, "the service is failing or limiting "
					   "requests; try again later");
	}
	hwb_error_set(err, HWB_KIND_NETWORK, "HWB-H004", "%s: %s after %u "
		      "attempt%s", s->prefix.ptr, curl_reason(s, s->rc), n,
		      n == 1 ? "" : "s");
	return hwb_error_hint(err, "check the network and the service's status "
				   "page; raise the HTTP timeouts on slow links");
}

/* A 3xx that curl did not follow: following was not asked for. */
static int refuse_redirect(struct send_ctx *s, struct hwb_error *err)
{
	const struct hwb_buf *loc = &s->resp->location;
	size_t shown = strcspn(loc->ptr, "?");

	hwb_error_set(err, HWB_KIND_NETWORK, "HWB-H007",
		      "%s: HTTP %ld redirect to %.*s refused", s->prefix.ptr,
		      s->resp->status, (int)(shown > 200 ? 200 : shown),
		      loc->ptr);
	return hwb_error_hint(err, "redirects are not followed for this "
				   "service; use the final URL");
}

int hwb_http_send(struct hwb_http_client *client,
		  const struct hwb_http_request *req,
		  struct hwb_http_response *resp, struct hwb_error *err)
{
	struct send_ctx s;
	enum outcome out;
	long delay;
	size_t i;
	int ret = -1;

	memset(&s, 0, sizeof(s));
	hwb_buf_init(&s.prefix);
	for (i = 0; i < FILES_MAX; i++)
		s.files[i].fd = -1;
	s.client = client;
	s.req = req;
	s.resp = resp;
	s.idempotent = req->method == HWB_HTTP_GET || req->idempotent;
	hwb_http_response_release(resp);
	if (prepare(&s, err))
		goto cleanup;
	for (;;) {
		out = run_attempt(&s, err);
		if (out == OUT_FAILED)
			goto cleanup;
		if (out == OUT_DONE)
			break;
		if (!may_retry(&s, out)) {
			give_up(&s, out, err);
			goto cleanup;
		}
		delay = next_delay(&s, out);
		hwb_log_debug("%s: retrying in %ld ms", s.prefix.ptr, delay);
		sleep_ms(delay);
	}
	if (resp->status >= 300 && resp->status <= 399 && resp->status != 304 &&
	    resp->location.len) {
		refuse_redirect(&s, err);
		goto cleanup;
	}
	ret = 0;
cleanup:
	/* Detach the caller's mime and headers before they are freed. */
	curl_easy_reset(client->curl);
	curl_mime_free(s.mime);
	curl_slist_free_all(s.headers);
	for (i = 0; i < s.file_count; i++)
		hwb_core__http_file_close(&s.files[i]);
	hwb_buf_release(&s.prefix);
	return ret;
}

int hwb_http_status_error(const struct hwb_http_request *req,
			  const struct hwb_http_response *resp,
			  struct hwb_error *err)
{
	struct hwb_buf prefix = HWB_BUF_INIT, snippet = HWB_BUF_INIT;
	size_t line = strcspn(resp->body.ptr, "\r\n");
	int https = 0, userinfo = 0;

	if (line > 200)
		line = 200;
	describe(&prefix, req->service, req->url, &https, &userinfo);
	hwb_redact(&snippet, resp->body.ptr, line);
	hwb_error_set(err, HWB_KIND_NETWORK, "HWB-H009", "%s: HTTP %ld%s%s",
		      prefix.oom ? req->service : prefix.ptr, resp->status,
		      snippet.len ? ": " : "", snippet.oom ? "" : snippet.ptr);
	hwb_buf_release(&prefix);
	hwb_buf_release(&snippet);
	return hwb_error_hint(err, "the service refused the request; its "
				   "answer says why");
}

void hwb_http_options_from_config(struct hwb_http_options *o,
				  const struct hwb_config *cfg)
{
	struct hwb_http_options init = HWB_HTTP_OPTIONS_INIT;
	int64_t retries = hwb_config_int(cfg, "http.retries");

	*o = init;
	o->timeout_ms = (long)hwb_config_int(cfg, "http.timeout") * 1000L;
	o->connect_timeout_ms =
		(long)hwb_config_int(cfg, "http.connect-timeout") * 1000L;
	o->max_attempts = retries + 1 > HWB_HTTP_MAX_ATTEMPTS_LIMIT
				  ? HWB_HTTP_MAX_ATTEMPTS_LIMIT
				  : (unsigned)retries + 1;
	o->ca_bundle = hwb_config_str(cfg, "http.ca-bundle");
}
