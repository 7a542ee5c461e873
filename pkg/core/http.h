/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.h: the HTTP client every network caller uses (Fulcio, Rekor, TSA,
 * PyPI upload, OIDC token exchange, package index fetches). It wraps libcurl
 * and enforces hwb's rules in one place: TLS verification always on, bounded
 * timeouts, bounded retries with exponential backoff and full jitter, response
 * size caps, no redirects unless asked, and no secret in any log or error.
 * Callers decide what a status means; this file only moves bytes.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

/*
 * Defaults, used by HWB_HTTP_OPTIONS_INIT:
 * - connect timeout 10 s: a reachable service answers a TCP+TLS handshake in
 *   well under a second; 10 s tolerates a slow CI network.
 * - total timeout 120 s per attempt: Rekor v2 blocks until a checkpoint covers
 *   the entry (20 s or more), and uploads of large wheels take time.
 * - 4 attempts, backoff base 500 ms, one delay capped at 10 s: the worst case
 *   sleeps for 0.5 + 1 + 2 s, enough to ride out a load balancer restart.
 * - Retry-After honoured up to 60 s; a longer request is cut to 60 s.
 * - responses capped at 32 MiB unless the request says otherwise.
 */
#define HWB_HTTP_DEFAULT_CONNECT_TIMEOUT_MS 10000L
#define HWB_HTTP_DEFAULT_TIMEOUT_MS 120000L
#define HWB_HTTP_DEFAULT_MAX_ATTEMPTS 4u
#define HWB_HTTP_DEFAULT_RETRY_BASE_MS 500L
#define HWB_HTTP_DEFAULT_RETRY_MAX_MS 10000L
#define HWB_HTTP_DEFAULT_RETRY_AFTER_MAX_MS 60000L
#define HWB_HTTP_DEFAULT_MAX_RESPONSE ((size_t)32 << 20)
/* Upper bounds on options, so a typo in a config file cannot hang hwb. */
#define HWB_HTTP_MAX_ATTEMPTS_LIMIT 10u
#define HWB_HTTP_MAX_REDIRECTS_LIMIT 10u

/*
 * Client options. Start from HWB_HTTP_OPTIONS_INIT and change fields;
 * hwb_http_client_new() rejects out-of-range values (HWB-H001).
 */
struct hwb_http_options {
	long connect_timeout_ms; /* > 0 */
	long timeout_ms;         /* > 0: whole transfer, per attempt */
	unsigned max_attempts;   /* 1..HWB_HTTP_MAX_ATTEMPTS_LIMIT */
	long retry_base_ms;      /* >= 0: delay before the 2nd attempt, at most */
	long retry_max_ms;       /* >= retry_base_ms: cap on one delay */
	long retry_after_max_ms; /* >= 0: cap on a server's Retry-After */
	/*
	 * PEM file of CA certificates that REPLACES the system store (tests, a
	 * private index). NULL: the system store. Copied by client_new. There
	 * is no option to switch verification off.
	 */
	const char *ca_bundle;
};

#define HWB_HTTP_OPTIONS_INIT                                              \
	{ HWB_HTTP_DEFAULT_CONNECT_TIMEOUT_MS, HWB_HTTP_DEFAULT_TIMEOUT_MS, \
	  HWB_HTTP_DEFAULT_MAX_ATTEMPTS, HWB_HTTP_DEFAULT_RETRY_BASE_MS,   \
	  HWB_HTTP_DEFAULT_RETRY_MAX_MS,                                   \
	  HWB_HTTP_DEFAULT_RETRY_AFTER_MAX_MS, NULL }

enum hwb_http_method {
	HWB_HTTP_GET = 0,
	HWB_HTTP_POST,
};

/*
 * One request header. The values of Authorization, Proxy-Authorization and
 * Cookie are secrets: hwb_http_send() registers them (and the credential
 * after "Bearer "/"Basic ") with hwb_redact_register() before anything runs,
 * and no header value is ever logged.
 */
struct hwb_config;

/**
 * Fill o from the configuration: http.timeout, http.connect-timeout,
 * http.retries (attempts = retries + 1, at most
 * HWB_HTTP_MAX_ATTEMPTS_LIMIT) and http.ca-bundle (borrowed from cfg). The
 * other fields keep their HWB_HTTP_OPTIONS_INIT values.
 */
void hwb_http_options_from_config(struct hwb_http_options *o,
				  const struct hwb_config *cfg);

struct hwb_http_header {
	const char *name;
	const char *value;
};

/*
 * One multipart/form-data field (PyPI's legacy upload API). A text field has
 * value (value_len bytes; 0 with a non-NULL value means strlen). A file part
 * has file_path instead, opened O_NOFOLLOW and streamed, sent with filename
 * (default: the path's last component) and content_type (default
 * application/octet-stream). Repeat a name for list fields (classifiers).
 */
struct hwb_http_part {
	const char *name;
	const char *value;
	size_t value_len;
	const char *file_path;
	const char *filename;
	const char *content_type;
	/*
	 * A file part may be watched: tap sees every block as it is read for
	 * sending (digests computed while the body goes out, one read of the
	 * file), and (NULL, 0) whenever the body starts over (a retry).
	 */
	void (*tap)(void *ctx, const void *data, size_t len);
	void *tap_ctx;
	/*
	 * A text part whose value exists only once the parts before it were
	 * sent (the digest of a file part sent before it): instead of value,
	 * value_cb is called when the part's turn comes and returns exactly
	 * value_len bytes (NULL aborts the request).
	 */
	const char *(*value_cb)(void *ctx);
	void *value_ctx;
};

/*
 * A request. Nothing is copied beyond the call; all pointers are borrowed.
 * At most one body source: body/body_len, body_file (a regular file streamed
 * from disk, opened O_NOFOLLOW), or parts. GET takes none.
 *
 * Retrying. A GET is always retried on 5xx, 429, connection errors and
 * timeouts. A POST is retried the same way only when idempotent is set: the
 * caller asserts that repeating it is harmless. That holds for Fulcio (a
 * second certificate is just another certificate), Rekor (a duplicate entry
 * answers 409 with its Location), a TSA, and PyPI uploads (an identical
 * re-upload answers 200, a different file 400 "File already exists"). It
 * does NOT hold for the OIDC token exchange (PyPI refuses a reused token),
 * so such a POST is retried only when the request provably never left this
 * machine: name resolution or connection failed, or the connection timed out
 * before a byte of the request was sent, or the server answered 429 (which
 * says it rejected the request without acting on it).
 */
struct hwb_http_request {
	enum hwb_http_method method;
	const char *url;     /* http:// or https://; no user:password@ */
	const char *service; /* "Rekor", "PyPI upload": named in every error */
	const struct hwb_http_header *headers;
	size_t header_count;
	const void *body;
	size_t body_len;
	const char *body_file;
	const struct hwb_http_part *parts;
	size_t part_count;
	size_t max_response;    /* body cap in bytes; 0: the default */
	unsigned max_redirects; /* 0: a 3xx is an error (HWB-H007) */
	int idempotent;         /* see "Retrying" above */
	/*
	 * The response body is a credential (an OIDC token, a minted API
	 * token): it grows by copying and wiping the old copy instead of by
	 * realloc, so that freed memory holds no piece of it. The caller
	 * wipes the body itself before releasing the response.
	 */
	int secret_response;
	/*
	 * Called while the body goes out (an upload's progress bar), with the
	 * bytes sent so far and the total; starts again at 0 on a retry. NULL:
	 * none. It must not call back into the client.
	 */
	void (*progress)(void *ctx, uint64_t sent, uint64_t total);
	void *progress_ctx;
};

/*
 * A response, owned by the caller: start from HWB_HTTP_RESPONSE_INIT and
 * call hwb_http_response_release() afterwards, whatever send returned.
 * Header fields hold the last response's value, or are empty.
 */
struct hwb_http_response {
	long status;                /* 0 when no response arrived */
	struct hwb_buf body;        /* at most the request's max_response */
	struct hwb_buf content_type;
	struct hwb_buf retry_after;
	struct hwb_buf location;
	unsigned attempts;          /* how many times the request was sent */
};

#define HWB_HTTP_RESPONSE_INIT \
	{ 0, HWB_BUF_INIT, HWB_BUF_INIT, HWB_BUF_INIT, HWB_BUF_INIT, 0 }

struct hwb_http_client;

/**
 * Create a client: one libcurl handle whose connections, TLS sessions and DNS
 * cache are reused by every request. A client is not thread-safe; use one per
 * thread. libcurl's global state is set up once per process (pthread_once).
 *
 * @param out      receives the client; free it with hwb_http_client_free()
 * @param options  NULL for the defaults
 * @return 0, or -1 with err: HWB-H001 (option out of range), HWB-H002
 *         (ca_bundle unreadable), HWB-C001 (out of memory or libcurl init)
 */
int hwb_http_client_new(struct hwb_http_client **out,
			const struct hwb_http_options *options,
			struct hwb_error *err);

/**
 * Start loading libcurl (about 45 shared objects to map and relocate) on a
 * background thread, for a command that will certainly use the network, so
 * that the loading overlaps its other start-up work. The first
 * hwb_http_client_new() waits for it (pthread_once); errors surface there.
 * The thread is joined at exit, so an early exit never races it.
 */
void hwb_http_preload(void);

/** Free a client and close its connections. NULL is ignored. */
void hwb_http_client_free(struct hwb_http_client *client);

/**
 * Send a request, retrying as described at struct hwb_http_request, and
 * store the final response in resp (released first). Any HTTP status that is
 * not retried, or still arrives after the last retry, is returned as 0
 * except those listed below: judging 4xx is the caller's business
 * (hwb_http_status_error() words it).
 *
 * @return 0 with resp->status set, or -1 with err (kind NETWORK unless said):
 *   HWB-H001 (CONFIG) bad URL or request, HWB-H003 5xx/429 on every attempt
 *   (resp holds the last answer), HWB-H004 connection failure or timeout on
 *   every attempt, HWB-H005 TLS verification failed, HWB-H006 response
 *   larger than the cap, HWB-H007 redirect refused (not asked for, too many,
 *   or https to http), HWB-H008 (CONFIG) upload file unreadable, HWB-C001.
 *   Every message starts "<service> (<url>): ", the URL without its query.
 */
int hwb_http_send(struct hwb_http_client *client,
		  const struct hwb_http_request *req,
		  struct hwb_http_response *resp, struct hwb_error *err);

/**
 * Word an unexpected status as HWB-H009 (kind NETWORK): "<service> (<url>):
 * HTTP 400: <first line of the body, redacted, control characters as ?>".
 * Returns -1.
 */
int hwb_http_status_error(const struct hwb_http_request *req,
			  const struct hwb_http_response *resp,
			  struct hwb_error *err);

/** Free the response's buffers and reset it to HWB_HTTP_RESPONSE_INIT. */
void hwb_http_response_release(struct hwb_http_response *resp);
