/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oidc_redirect.c: the local side of the browser sign-in (oidc_oauth.c has
 * the protocol). A one-shot HTTP server on 127.0.0.1 takes the issuer's
 * redirect to http://localhost:PORT/auth/callback, as sigstore-python's
 * RedirectServer does; the browser is started with a minimal environment;
 * without a browser the code is read from the terminal. Every wait is
 * bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pkg/core/internal.h"

/* One request's head: the browser's GET with its headers. */
#define REQUEST_MAX 16384
/* A connection that sends nothing is dropped after this. */
#define REQUEST_WAIT_MS 5000
/* How often the wait looks at the opener while no connection comes. */
#define TICK_MS 200

/* Variables the browser needs to show a window; none holds a secret. */
static const char *const browser_env[] = {
	"PATH", "HOME", "USER", "LANG", "LC_ALL", "TMPDIR", "DISPLAY",
	"WAYLAND_DISPLAY", "XAUTHORITY", "XDG_RUNTIME_DIR",
	"DBUS_SESSION_BUS_ADDRESS", "BROWSER",
};
#define BROWSER_ENV_COUNT (sizeof(browser_env) / sizeof(browser_env[0]))

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int hwb_core__oidc_redirect_listen(struct hwb_core__oidc_redirect *r,
				   struct hwb_error *err)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	r->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (r->fd < 0 || bind(r->fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(r->fd, 8) ||
	    getsockname(r->fd, (struct sockaddr *)&sa, &len)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-O021",
				"browser sign-in: no local port for the "
				"redirect");
		hwb_core__oidc_redirect_close(r);
		return hwb_error_hint(err, "check the process's file "
				      "descriptor limit and that 127.0.0.1 "
				      "is up");
	}
	r->port = ntohs(sa.sin_port);
	return 0;
}

void hwb_core__oidc_redirect_close(struct hwb_core__oidc_redirect *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	/* Reap the opener if it is done; a running one is left alone. */
	if (r->browser > 0 && waitpid(r->browser, NULL, WNOHANG) == r->browser)
		r->browser = -1;
}

int hwb_core__oidc_browser_possible(void)
{
	const char *b = getenv("BROWSER"), *d = getenv("DISPLAY");
	const char *w = getenv("WAYLAND_DISPLAY");

	if (b && *b)
		return 1;
	if (!(d && *d) && !(w && *w))
		return 0;
	return access("/usr/bin/xdg-open", X_OK) == 0 ||
	       access("/usr/local/bin/xdg-open", X_OK) == 0;
}

int hwb_core__oidc_browser_open(struct hwb_core__oidc_redirect *r,
				const char *url)
{
	const char *cmd = getenv("BROWSER");
	char *envp[BROWSER_ENV_COUNT + 1], *argv[3];
	size_t i, n = 0;
	int devnull, ret = -1;
	pid_t pid;

	if (!cmd || !*cmd)
		cmd = "xdg-open";
	/* Built before fork: the child only calls async-signal-safe code. */
	for (i = 0; i < BROWSER_ENV_COUNT; i++) {
		const char *v = getenv(browser_env[i]);

		if (v && !(envp[n] = hwb_strdup_printf("%s=%s", browser_env[i],
						       v)))
			goto cleanup;
		n += v != NULL;
	}
	envp[n] = NULL;
	argv[0] = (char *)cmd;
	argv[1] = (char *)url;
	argv[2] = NULL;
	devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
	pid = fork();
	if (pid == 0) {
		/* stdout may carry hwb's own output: the opener gets none. */
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		signal(SIGPIPE, SIG_DFL);
		execvpe(cmd, argv, envp);
		_exit(127);
	}
	if (devnull >= 0)
		close(devnull);
	if (pid > 0) {
		r->browser = pid;
		ret = 0;
	}
cleanup:
	while (n)
		free(envp[--n]);
	return ret;
}

/* ---- the callback ---- */

static void respond(int fd, int status, const char *title, const char *text)
{
	char page[1024], head[256];
	int plen, hlen;

	plen = snprintf(page, sizeof(page),
			"<!doctype html><html><head><title>hwb: %s</title>"
			"</head><body><h1>%s</h1><p>%s</p></body></html>\n",
			title, title, text);
	hlen = snprintf(head, sizeof(head),
			"HTTP/1.1 %d %s\r\nContent-Type: text/html; "
			"charset=utf-8\r\nContent-Length: %d\r\n"
			"Cache-Control: no-store\r\nConnection: close\r\n\r\n",
			status, status == 200 ? "OK" : status == 404
					? "Not Found" : "Bad Request", plen);
	if (send(fd, head, (size_t)hlen, MSG_NOSIGNAL) == hlen)
		(void)send(fd, page, (size_t)plen, MSG_NOSIGNAL);
}

/* Read the request head, waiting at most REQUEST_WAIT_MS. */
static int read_head(int fd, char *buf, size_t bufsz)
{
	long deadline = now_ms() + REQUEST_WAIT_MS, left;
	struct pollfd p = { fd, POLLIN, 0 };
	size_t len = 0;
	ssize_t n;

	while (len < bufsz - 1 && (left = deadline - now_ms()) > 0) {
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(fd, buf + len, bufsz - 1 - len, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n") || strstr(buf, "\n\n"))
			return 0;
	}
	return -1;
}

static int hex_digit(char c)
{
	return hwb_core__hex_value((unsigned char)c);
}

/*
 * The value of name in a query (up to its end), percent-decoded into
 * out[outsz]; 0 when found, -1 when absent, too long or badly encoded.
 */
static int query_value(const char *query, const char *name, char *out,
		       size_t outsz)
{
	size_t nlen = strlen(name), o = 0;
	const char *p = query, *v;

	while (p && *p) {
		if (!strncmp(p, name, nlen) && p[nlen] == '=') {
			for (v = p + nlen + 1; *v && *v != '&' && *v != ' ';
			     v++) {
				char c = *v;

				if (c == '%') {
					int hi = hex_digit(v[1]), lo;

					lo = hi < 0 ? -1 : hex_digit(v[2]);
					if (lo < 0)
						return -1;
					c = (char)(hi << 4 | lo);
					v += 2;
				} else if (c == '+') {
					c = ' ';
				}
				if (o + 1 >= outsz || c == '\0')
					return -1;
				out[o++] = c;
			}
			out[o] = '\0';
			return 0;
		}
		p = strchr(p, '&');
		p = p ? p + 1 : NULL;
	}
	return -1;
}

enum callback { CB_OTHER, CB_CODE, CB_FAILED };

/* One connection: the callback (code or error), or anything else (404). */
static enum callback serve_one(int fd, const char *state, char *code,
			       struct hwb_error *err)
{
	char req[REQUEST_MAX], got[256], error[128], desc[200];
	const char *path, *query;

	if (read_head(fd, req, sizeof(req)) || strncmp(req, "GET ", 4))
		return CB_OTHER;
	path = req + 4;
	if (strncmp(path, "/auth/callback", 14) ||
	    (path[14] != '?' && path[14] != ' ')) {
		respond(fd, 404, "Not found", "This is hwb's sign-in "
			"redirect; nothing else is served here.");
		return CB_OTHER;
	}
	query = path[14] == '?' ? path + 15 : "";
	if (query_value(query, "state", got, sizeof(got)) ||
	    strcmp(got, state)) {
		respond(fd, 400, "Sign-in refused", "The redirect does not "
			"belong to this sign-in. Start again from hwb.");
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O017",
			      "browser sign-in: the redirect's state is not "
			      "the one hwb sent (a stale or forged redirect)");
		hwb_error_hint(err, "close old sign-in tabs and run hwb again");
		return CB_FAILED;
	}
	if (!query_value(query, "error", error, sizeof(error))) {
		if (query_value(query, "error_description", desc, sizeof(desc)))
			desc[0] = '\0';
		respond(fd, 200, "Sign-in failed", "The identity provider "
			"refused the sign-in; hwb says why.");
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O017",
			      "browser sign-in: the issuer answered %s%s%s",
			      error, desc[0] ? ": " : "", desc);
		hwb_error_hint(err, "sign in again and grant access to the "
			       "e-mail address");
		return CB_FAILED;
	}
	if (query_value(query, "code", code, HWB_CORE__OIDC_CODE_MAX) ||
	    !code[0]) {
		respond(fd, 400, "Sign-in refused", "The redirect carries no "
			"code.");
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O017",
			      "browser sign-in: the redirect carries no code");
		hwb_error_hint(err, "sign in again from the URL hwb prints");
		return CB_FAILED;
	}
	hwb_redact_register(code);
	respond(fd, 200, "Signed in", "hwb has the sign-in; you may close "
		"this page.");
	return CB_CODE;
}

/* 1 when the opener has exited unsuccessfully (no browser came up). */
static int opener_failed(struct hwb_core__oidc_redirect *r)
{
	int status;

	if (r->browser <= 0 || waitpid(r->browser, &status, WNOHANG) != r->browser)
		return 0;
	r->browser = -1;
	return !(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

int hwb_core__oidc_redirect_wait(struct hwb_core__oidc_redirect *r,
				 const char *state, long timeout_ms,
				 char *code, struct hwb_error *err)
{
	long deadline = now_ms() + timeout_ms, left;
	struct pollfd p = { r->fd, POLLIN, 0 };
	enum callback cb;
	int cfd;

	while ((left = deadline - now_ms()) > 0) {
		if (poll(&p, 1, (int)(left < TICK_MS ? left : TICK_MS)) > 0 &&
		    (cfd = accept4(r->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
			cb = serve_one(cfd, state, code, err);
			close(cfd);
			if (cb != CB_OTHER)
				return cb == CB_CODE ? 0 : -1;
		}
		if (opener_failed(r))
			return 1;
	}
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O019",
		      "browser sign-in: no redirect reached hwb within %ld s",
		      timeout_ms / 1000);
	return hwb_error_hint(err, "finish the sign-in in the browser in "
			      "time, or pass a token with --identity-token");
}

/* ---- out of band: the terminal ---- */

int hwb_core__oidc_tty_open(int *fd, struct hwb_error *err)
{
	*fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*fd >= 0)
		return 0;
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O020",
		      "browser sign-in: no browser can be opened (no BROWSER, "
		      "no display) and there is no terminal to type the code "
		      "into");
	return hwb_error_hint(err, "set BROWSER, run in a terminal, or pass "
			      "a token with --identity-token FILE or "
			      "SIGSTORE_ID_TOKEN");
}

int hwb_core__oidc_tty_code(int fd, long timeout_ms, char *code,
			    struct hwb_error *err)
{
	long deadline = now_ms() + timeout_ms, left;
	struct pollfd p = { fd, POLLIN, 0 };
	size_t len = 0, start = 0;
	ssize_t n;

	while ((left = deadline - now_ms()) > 0) {
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = read(fd, code + len, HWB_CORE__OIDC_CODE_MAX - 1 - len);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
		code[len] = '\0';
		if (memchr(code, '\n', len) || len == HWB_CORE__OIDC_CODE_MAX - 1)
			break;
	}
	code[len] = '\0';
	code[strcspn(code, "\r\n")] = '\0';
	while (code[start] == ' ' || code[start] == '\t')
		start++;
	memmove(code, code + start, strlen(code + start) + 1);
	if (code[0]) {
		hwb_redact_register(code);
		return 0;
	}
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-O019",
		      "browser sign-in: no code was typed within %ld s",
		      timeout_ms / 1000);
	return hwb_error_hint(err, "open the URL hwb printed, sign in, and "
			      "type the code it shows, in time");
}
