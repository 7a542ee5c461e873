/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests for pkg/core/http.c against tests/tools/httpd.py, an HTTPS
 * server on 127.0.0.1 with a throwaway CA made by the openssl CLI. Delays are
 * small so the whole file runs in a few seconds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/unit/rmtree.h"
#include "pkg/core/http.h"
#include "pkg/core/log.h"

static struct {
	char dir[64];
	char ca[128];
	pid_t pid;
	int port;
} srv = { "", "", -1, 0 };

static struct hwb_buf logged = HWB_BUF_INIT;
static int masks_seen; /* HWB_LOG_MASK events: secrets handed to CI masking */

/* Like a terminal sink: shows lines, never the raw value of a mask event. */
static void capture_sink(void *ctx, enum hwb_log_level level, const char *line)
{
	(void)ctx;
	if (level == HWB_LOG_MASK) {
		masks_seen++;
		return;
	}
	hwb_buf_puts(&logged, line);
	hwb_buf_putc(&logged, '\n');
}

static int start_server(void **state)
{
	int fds[2];
	FILE *out;

	(void)state;
	strcpy(srv.dir, "/tmp/hwb-http-XXXXXX");
	if (!mkdtemp(srv.dir) || pipe(fds))
		return -1;
	snprintf(srv.ca, sizeof(srv.ca), "%s/ca.pem", srv.dir);
	srv.pid = fork();
	if (srv.pid == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execl("/usr/bin/python3", "python3", "tests/tools/httpd.py",
		      srv.dir, (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	out = fdopen(fds[0], "r");
	if (srv.pid < 0 || !out || fscanf(out, "%d", &srv.port) != 1) {
		fprintf(stderr, "test_http: tests/tools/httpd.py did not start "
				"(run from the repository root)\n");
		return -1;
	}
	fclose(out);
	return 0;
}

static int stop_server(void **state)
{
	(void)state;
	if (srv.pid > 0) {
		kill(srv.pid, SIGTERM);
		waitpid(srv.pid, NULL, 0);
	}
	if (srv.dir[0])
		rmtree(srv.dir);
	hwb_buf_release(&logged);
	hwb_log_configure(HWB_LOG_INFO, NULL, NULL);
	return 0;
}

static const char *url(const char *path)
{
	static char buf[4][256];
	static int next;
	char *b = buf[next++ % 4];

	snprintf(b, sizeof(buf[0]), "https://127.0.0.1:%d%s", srv.port, path);
	return b;
}

static struct hwb_http_options test_options(void)
{
	struct hwb_http_options o = HWB_HTTP_OPTIONS_INIT;

	o.connect_timeout_ms = 2000;
	o.timeout_ms = 3000;
	o.retry_base_ms = 20;
	o.retry_max_ms = 200;
	o.retry_after_max_ms = 5000;
	o.ca_bundle = srv.ca;
	return o;
}

static struct hwb_http_client *new_client(const struct hwb_http_options *o)
{
	struct hwb_http_client *c = NULL;
	struct hwb_error err = HWB_ERROR_INIT;

	assert_int_equal(hwb_http_client_new(&c, o, &err), 0);
	return c;
}

static struct hwb_http_request get(const char *path)
{
	struct hwb_http_request r = { 0 };

	r.method = HWB_HTTP_GET;
	r.url = url(path);
	r.service = "Rekor";
	return r;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* How many requests the server saw under id. */
static long server_count(struct hwb_http_client *c, const char *id)
{
	char path[64];
	struct hwb_http_request r;
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	long n;

	snprintf(path, sizeof(path), "/count?id=%s", id);
	r = get(path);
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	n = strtol(resp.body.ptr, NULL, 10);
	hwb_http_response_release(&resp);
	return n;
}

static json_t *body_json(const struct hwb_http_response *resp)
{
	json_t *doc = json_loadb(resp->body.ptr, resp->body.len, 0, NULL);

	assert_non_null(doc);
	return doc;
}

static const char *header_of(json_t *doc, const char *name)
{
	return json_string_value(json_object_get(json_object_get(doc, "headers"),
						 name));
}

static void test_get_sends_user_agent_and_headers(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_header h[] = { { "Accept", "application/json" } };
	struct hwb_http_request r = get("/echo");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	json_t *doc;

	(void)state;
	r.headers = h;
	r.header_count = 1;
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 1);
	assert_string_equal(resp.content_type.ptr, "application/json");
	doc = body_json(&resp);
	assert_string_equal(json_string_value(json_object_get(doc, "method")),
			    "GET");
	assert_string_equal(header_of(doc, "user-agent"), "hwb/" HWB_VERSION);
	assert_string_equal(header_of(doc, "accept"), "application/json");
	assert_null(header_of(doc, "expect"));
	json_decref(doc);
	/* The same client again: the handle is reused. */
	r = get("/ok");
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	assert_string_equal(resp.body.ptr, "ok");
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_post_body(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_header h[] = { { "Content-Type", "application/json" } };
	struct hwb_http_request r = get("/echo");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	json_t *doc;

	(void)state;
	r.method = HWB_HTTP_POST;
	r.body = "{\"token\":\"abc\"}";
	r.body_len = 15;
	r.headers = h;
	r.header_count = 1;
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	doc = body_json(&resp);
	assert_string_equal(json_string_value(json_object_get(doc, "method")),
			    "POST");
	assert_string_equal(json_string_value(json_object_get(doc, "body")),
			    "{\"token\":\"abc\"}");
	assert_string_equal(header_of(doc, "content-type"), "application/json");
	json_decref(doc);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

/*
 * Check every "retrying in N ms" line against full jitter's bound for its
 * retry (min(max, base * 2^k)); return the sum of the delays and count them.
 */
static long logged_delays(long base, long max, int *count)
{
	const char *p = logged.ptr;
	long sum = 0, delay, ceiling;
	int k = 0;

	while ((p = strstr(p, "retrying in "))) {
		delay = strtol(p + 12, NULL, 10);
		ceiling = base << k;
		if (ceiling > max)
			ceiling = max;
		assert_in_range(delay, 0, ceiling);
		sum += delay;
		k++;
		p += 12;
	}
	*count = k;
	return sum;
}

static void start_capture(void)
{
	hwb_buf_clear(&logged);
	hwb_log_configure(HWB_LOG_DEBUG, capture_sink, NULL);
}

static void test_retry_503_then_200(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_request r = get("/status/503-then-200?id=r1&n=2");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	int retries;

	(void)state;
	start_capture();
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 3);
	logged_delays(20, 200, &retries);
	assert_int_equal(retries, 2);
	assert_int_equal(server_count(c, "r1"), 3);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_retry_exhausted_backoff_bounded(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c;
	struct hwb_http_request r = get("/status/503?id=r2");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char want[160];
	long t0, elapsed, slept;
	int retries;

	(void)state;
	o.max_attempts = 6;
	o.retry_base_ms = 40;
	o.retry_max_ms = 100; /* bounds: 40, 80, 100, 100, 100 */
	c = new_client(&o);
	start_capture();
	t0 = now_ms();
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	elapsed = now_ms() - t0;
	slept = logged_delays(40, 100, &retries);
	assert_int_equal(retries, 5);
	assert_in_range(elapsed, slept, slept + 2000);
	assert_string_equal(err.code, "HWB-H003");
	assert_int_equal(err.kind, HWB_KIND_NETWORK);
	snprintf(want, sizeof(want),
		 "Rekor (https://127.0.0.1:%d/status/503): HTTP 503 after 6 "
		 "attempts", srv.port);
	assert_string_equal(err.message, want);
	assert_int_equal(resp.status, 503); /* the last answer is kept */
	assert_string_equal(resp.body.ptr, "answer 503\nsecond line");
	assert_int_equal(server_count(c, "r2"), 6);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_post_not_idempotent_not_retried(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_request r = get("/status/503?id=r3");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	r.method = HWB_HTTP_POST;
	r.service = "PyPI token exchange";
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H003");
	assert_non_null(strstr(err.message, "after 1 attempt"));
	assert_int_equal(server_count(c, "r3"), 1);
	/* A POST to a dropped connection: the request was sent, so no retry. */
	r.url = url("/drop?id=r9");
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H004");
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(server_count(c, "r9"), 1);
	/* 429 says the request was refused unread: retried even so. */
	r.url = url("/status/429?id=r6&after=0");
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 2);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_get_drop_retried(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_request r = get("/drop?id=r8");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	r.service = "package index";
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H004");
	assert_int_equal(err.kind, HWB_KIND_NETWORK);
	assert_non_null(strstr(err.message, "package index (https://127.0.0.1"));
	assert_non_null(strstr(err.message, "after 4 attempts"));
	assert_int_equal(server_count(c, "r8"), 4);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

/* A port that was free a moment ago: connecting to it is refused. */
static int closed_port(void)
{
	struct sockaddr_in a = { 0 };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void test_unsent_post_retried(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_request r = get("/");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char u[64];

	(void)state;
	snprintf(u, sizeof(u), "https://127.0.0.1:%d/mint-token", closed_port());
	r.url = u;
	r.method = HWB_HTTP_POST;
	r.service = "PyPI token exchange";
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H004");
	assert_int_equal(resp.attempts, 4);
	assert_int_equal(resp.status, 0);
	assert_non_null(strstr(err.message, "PyPI token exchange (https://"));
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_retry_after_honoured_and_capped(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c;
	struct hwb_http_request r = get("/status/429?id=r5&after=1");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	long t0, elapsed;

	(void)state;
	o.retry_base_ms = 0; /* any wait comes from Retry-After */
	o.retry_max_ms = 0;
	o.retry_after_max_ms = 5000;
	c = new_client(&o);
	t0 = now_ms();
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	elapsed = now_ms() - t0;
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 2);
	assert_in_range(elapsed, 1000, 2500);
	hwb_http_client_free(c);
	/* Retry-After: 30 against a cap of 300 ms. */
	o.retry_after_max_ms = 300;
	c = new_client(&o);
	r = get("/status/429?id=r7&after=30");
	t0 = now_ms();
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	elapsed = now_ms() - t0;
	assert_int_equal(resp.attempts, 2);
	assert_in_range(elapsed, 300, 1500);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_timeout(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c;
	struct hwb_http_request r = get("/slow?ms=2000&id=t1");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	long t0, elapsed;

	(void)state;
	o.timeout_ms = 300;
	o.max_attempts = 2;
	c = new_client(&o);
	t0 = now_ms();
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	elapsed = now_ms() - t0;
	assert_string_equal(err.code, "HWB-H004");
	assert_non_null(strstr(err.message, "timed out"));
	assert_non_null(strstr(err.message, "after 2 attempts"));
	assert_in_range(elapsed, 600, 1900);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_size_cap(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_request r = get("/big?n=100000&id=b1");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	r.max_response = 1000;
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H006");
	assert_non_null(strstr(err.message, "cap of 1000 bytes"));
	assert_int_equal(server_count(c, "b1"), 1); /* never retried */
	/* Without Content-Length the write callback stops the transfer. */
	r.url = url("/big?n=100000&chunked=1");
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H006");
	assert_true(resp.body.len <= 1000);
	r.url = url("/big?n=1000&chunked=1");
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	assert_int_equal(resp.body.len, 1000);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_redirects(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_request r = get("/redirect?to=/ok%3Fsig%3Dx");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char to_http[128];

	(void)state;
	r.service = "PyPI upload";
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H007");
	assert_non_null(strstr(err.message, "HTTP 302 redirect to /ok refused"));
	assert_null(strstr(err.message, "sig"));
	assert_string_equal(resp.location.ptr, "/ok?sig=x");
	r.max_redirects = 2;
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body.ptr, "ok");
	r.url = url("/redirect-loop");
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H007");
	/* https to http is refused whatever the count. */
	snprintf(to_http, sizeof(to_http),
		 "/redirect?to=http://127.0.0.1:%d/ok", srv.port);
	r.url = url(to_http);
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H007");
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_tls_needs_the_ca(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c;
	struct hwb_http_request r = get("/ok");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char u[64];

	(void)state;
	o.ca_bundle = NULL; /* the system store does not know the test CA */
	c = new_client(&o);
	r.service = "Fulcio";
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H005");
	assert_int_equal(err.kind, HWB_KIND_NETWORK);
	assert_non_null(strstr(err.message, "Fulcio (https://127.0.0.1"));
	assert_int_equal(resp.attempts, 1);
	hwb_http_client_free(c);
	/* With the CA, a name the certificate does not carry still fails. */
	o.ca_bundle = srv.ca;
	c = new_client(&o);
	snprintf(u, sizeof(u), "https://localhost:%d/ok", srv.port);
	r.url = u;
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H005");
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_bad_options(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = (struct hwb_http_client *)&o;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	o.ca_bundle = "/nonexistent/ca.pem";
	assert_int_equal(hwb_http_client_new(&c, &o, &err), -1);
	assert_null(c);
	assert_string_equal(err.code, "HWB-H002");
	assert_int_equal(err.kind, HWB_KIND_CONFIG);
	assert_string_equal(err.file, "/nonexistent/ca.pem");
	o = test_options();
	o.max_attempts = 0;
	assert_int_equal(hwb_http_client_new(&c, &o, &err), -1);
	assert_string_equal(err.code, "HWB-H001");
	o = test_options();
	o.timeout_ms = 0;
	assert_int_equal(hwb_http_client_new(&c, &o, &err), -1);
	assert_string_equal(err.code, "HWB-H001");
	o = test_options();
	o.retry_max_ms = 1; /* below the base */
	assert_int_equal(hwb_http_client_new(&c, &o, &err), -1);
	assert_string_equal(err.code, "HWB-H001");
	assert_int_equal(hwb_http_client_new(&c, NULL, &err), 0);
	hwb_http_client_free(c);
	hwb_http_client_free(NULL);
}

static void test_bad_urls(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_request r = get("/ok");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	(void)state;
	r.url = "ftp://127.0.0.1/x";
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H001");
	assert_int_equal(err.kind, HWB_KIND_CONFIG);
	r.url = "not a url";
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H001");
	r.url = "https://user:hunter2secret@127.0.0.1/x";
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H001");
	assert_null(strstr(err.message, "hunter2"));
	assert_int_equal(resp.attempts, 0);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_authorization_never_logged(void **state)
{
	static const char token[] = "hwbtesttoken0123456789abcdef";
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_header h[] = {
		{ "Authorization", "Bearer hwbtesttoken0123456789abcdef" },
	};
	struct hwb_http_request r = get("/echo");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf red = HWB_BUF_INIT;
	json_t *doc;

	(void)state;
	hwb_redact_reset();
	r.headers = h;
	r.header_count = 1;
	start_capture();
	masks_seen = 0;
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	/* The full value and the credential after "Bearer " were registered. */
	assert_int_equal(masks_seen, 2);
	doc = body_json(&resp);
	assert_string_equal(header_of(doc, "authorization"), h[0].value);
	json_decref(doc);
	/* A failing request carrying the token: nothing of it in the error. */
	r.url = url("/status/503?id=a1");
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_null(strstr(err.message, token));
	hwb_log_configure(HWB_LOG_INFO, NULL, NULL);
	/* Logged: method, URL, status; never the value, not even redacted. */
	assert_non_null(strstr(logged.ptr, "HTTP GET Rekor (https://127.0.0.1"));
	assert_non_null(strstr(logged.ptr, "status 200 in "));
	assert_null(strstr(logged.ptr, token));
	assert_null(strstr(logged.ptr, "[REDACTED]"));
	assert_null(strstr(logged.ptr, "Bearer"));
	/* Registered, so any later line that holds it is redacted. */
	assert_int_equal(hwb_redact(&red, token, sizeof(token) - 1), 0);
	assert_string_equal(red.ptr, "[REDACTED]");
	hwb_buf_release(&red);
	hwb_redact_reset();
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static char *write_temp(const char *name, const char *content)
{
	char *path = NULL;
	FILE *f;

	assert_true(asprintf(&path, "%s/%s", srv.dir, name) > 0);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
	return path;
}

static void test_body_file_rewound_on_retry(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_request r = get("/status/503-then-200?id=f1&n=1");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char *path = write_temp("body.bin", "timestamp request bytes");
	char *link = NULL;
	json_t *doc;

	(void)state;
	r.method = HWB_HTTP_POST;
	r.idempotent = 1;
	r.service = "TSA";
	r.body_file = path;
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	assert_int_equal(resp.attempts, 2);
	doc = body_json(&resp);
	assert_string_equal(json_string_value(json_object_get(doc, "body")),
			    "timestamp request bytes");
	json_decref(doc);
	/* A symbolic link is refused: untrusted paths are opened O_NOFOLLOW. */
	assert_true(asprintf(&link, "%s/link.bin", srv.dir) > 0);
	assert_int_equal(symlink(path, link), 0);
	r.body_file = link;
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H008");
	assert_int_equal(err.kind, HWB_KIND_CONFIG);
	assert_int_equal(resp.attempts, 0);
	free(link);
	free(path);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static json_t *form_part(json_t *doc, size_t i, const char *field)
{
	return json_object_get(json_array_get(json_object_get(doc, "form"), i),
			       field);
}

/* A watcher of the file part, and a part whose value it decides. */
struct tapped {
	size_t bytes;
	unsigned resets;
	char value[11];
};

static void count_tap(void *ctx, const void *data, size_t len)
{
	struct tapped *t = ctx;

	if (!data) {
		t->bytes = 0;
		t->resets++;
		return;
	}
	t->bytes += len;
}

static const char *count_value(void *ctx)
{
	struct tapped *t = ctx;

	snprintf(t->value, sizeof(t->value), "%010zu", t->bytes);
	return t->value;
}

static void test_multipart_upload(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_request r = get("/status/503-then-200?id=m1&n=1");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char *path = write_temp("demo.whl", "PK\003\004wheel bytes");
	struct tapped seen = { 0, 0, "" };
	struct hwb_http_part parts[] = {
		{ .name = ":action", .value = "file_upload" },
		{ .name = "classifiers", .value = "A :: B" },
		{ .name = "classifiers", .value = "C :: D" },
		{ .name = "content", .file_path = path,
		  .filename = "demo-1.0-py3-none-any.whl",
		  .tap = count_tap, .tap_ctx = &seen },
		/* asked for after the file went out: what the tap saw */
		{ .name = "size", .value_len = 10, .value_cb = count_value,
		  .value_ctx = &seen },
	};
	json_t *doc;

	(void)state;
	r.method = HWB_HTTP_POST;
	r.idempotent = 1; /* PyPI answers a repeat with 200 or 400 */
	r.service = "PyPI upload";
	r.parts = parts;
	r.part_count = 5;
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	assert_int_equal(resp.attempts, 2);
	/* the retry started the tap over: the second body counted alone */
	assert_true(seen.resets >= 1);
	doc = body_json(&resp);
	assert_int_equal(json_array_size(json_object_get(doc, "form")), 5);
	assert_string_equal(json_string_value(form_part(doc, 4, "value")),
			    "0000000015");
	assert_string_equal(json_string_value(form_part(doc, 0, "name")),
			    ":action");
	assert_string_equal(json_string_value(form_part(doc, 0, "value")),
			    "file_upload");
	assert_string_equal(json_string_value(form_part(doc, 2, "value")),
			    "C :: D");
	assert_string_equal(json_string_value(form_part(doc, 3, "filename")),
			    "demo-1.0-py3-none-any.whl");
	assert_string_equal(json_string_value(form_part(doc, 3, "content_type")),
			    "application/octet-stream");
	assert_string_equal(json_string_value(form_part(doc, 3, "value")),
			    "PK\003\004wheel bytes");
	json_decref(doc);
	free(path);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

static void test_status_error(void **state)
{
	struct hwb_http_options o = test_options();
	struct hwb_http_client *c = new_client(&o);
	struct hwb_http_request r = get("/status/400?id=s1");
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char want[160];

	(void)state;
	r.service = "PyPI upload";
	assert_int_equal(hwb_http_send(c, &r, &resp, &err), 0);
	assert_int_equal(resp.status, 400); /* 4xx is the caller's to judge */
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(hwb_http_status_error(&r, &resp, &err), -1);
	assert_string_equal(err.code, "HWB-H009");
	snprintf(want, sizeof(want),
		 "PyPI upload (https://127.0.0.1:%d/status/400): HTTP 400: "
		 "answer 400", srv.port);
	assert_string_equal(err.message, want);
	hwb_http_response_release(&resp);
	hwb_http_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_get_sends_user_agent_and_headers),
		cmocka_unit_test(test_post_body),
		cmocka_unit_test(test_retry_503_then_200),
		cmocka_unit_test(test_retry_exhausted_backoff_bounded),
		cmocka_unit_test(test_post_not_idempotent_not_retried),
		cmocka_unit_test(test_get_drop_retried),
		cmocka_unit_test(test_unsent_post_retried),
		cmocka_unit_test(test_retry_after_honoured_and_capped),
		cmocka_unit_test(test_timeout),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_redirects),
		cmocka_unit_test(test_tls_needs_the_ca),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_bad_urls),
		cmocka_unit_test(test_authorization_never_logged),
		cmocka_unit_test(test_body_file_rewound_on_retry),
		cmocka_unit_test(test_multipart_upload),
		cmocka_unit_test(test_status_error),
	};

	return cmocka_run_group_tests(tests, start_server, stop_server);
}
