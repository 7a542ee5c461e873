/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proxy.c: --allow-network. hwb runs an HTTP CONNECT proxy outside the
 * sandbox, on a Unix socket that is bound into the sandbox; inside, pid 1
 * forwards 127.0.0.1:3128 to it (child.c), and the build gets
 * HTTPS_PROXY/HTTP_PROXY pointing there. The proxy opens a tunnel only to
 * an allowed host (exact name, port 443 or 80 unless the entry names its
 * port) and answers everything else, plain HTTP included, with 403.
 * Nothing else leaves the sandbox: it has no other route out.
 */
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"
#include "pkg/core/log.h"

/* A CONNECT request line and headers fit in this; longer ones are refused. */
#define REQUEST_MAX 8192
#define RELAY_BUF 65536

/* "host" allows ports 443 and 80; "host:port" allows that port only. */
static int allowed(const char *const *allow, size_t n, const char *host,
		   const char *port)
{
	size_t i, hl = strlen(host);

	for (i = 0; i < n; i++) {
		const char *colon = strrchr(allow[i], ':');

		if (colon && !strchr(colon, ']')) {
			if ((size_t)(colon - allow[i]) == hl &&
			    !strncasecmp(allow[i], host, hl) && !strcmp(colon + 1, port))
				return 1;
		} else if (!strcasecmp(allow[i], host) &&
			   (!strcmp(port, "443") || !strcmp(port, "80"))) {
			return 1;
		}
	}
	return 0;
}

static void reply(int fd, const char *status)
{
	char buf[128];
	int n = snprintf(buf, sizeof(buf), "HTTP/1.1 %s\r\nContent-Length: 0\r\n"
			 "Connection: close\r\n\r\n", status);

	if (write(fd, buf, (size_t)n) < 0)
		return;
}

/* Read up to the blank line that ends the request head. */
static int read_head(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size) {
		n = read(fd, buf + len, size - 1 - len);
		if (n <= 0)
			return -1;
		len += (size_t)n;
		buf[len] = '\0';
		if (strstr(buf, "\r\n\r\n"))
			return 0;
	}
	return -1;
}

static int dial(const char *host, const char *port)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &res))
		return -1;
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
			    ai->ai_protocol);
		if (fd >= 0 && !connect(fd, ai->ai_addr, ai->ai_addrlen))
			break;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

void hwb_sandbox__relay(int a, int b)
{
	struct pollfd p[2];
	char *buf = malloc(RELAY_BUF);
	ssize_t n;
	int open_a = 1, open_b = 1;

	if (!buf)
		return;
	while (open_a && open_b) {
		p[0].fd = a;
		p[1].fd = b;
		p[0].events = p[1].events = POLLIN;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents) {
			n = read(a, buf, RELAY_BUF);
			if (n <= 0 || write(b, buf, (size_t)n) != n)
				open_a = 0;
		}
		if (p[1].revents) {
			n = read(b, buf, RELAY_BUF);
			if (n <= 0 || write(a, buf, (size_t)n) != n)
				open_b = 0;
		}
	}
	free(buf);
}

/* One client: a CONNECT to an allowed host is tunnelled, the rest 403. */
static void serve(int fd, const char *const *allow, size_t n)
{
	char head[REQUEST_MAX], host[256], port[16];
	int out;

	if (read_head(fd, head, sizeof(head)) ||
	    sscanf(head, "CONNECT %255[^: \r\n]:%15[0-9] HTTP/1.", host, port) != 2) {
		hwb_log_warn("allow-network: refused a request that is not CONNECT "
			     "host:port");
		reply(fd, "403 Forbidden");
		return;
	}
	if (!allowed(allow, n, host, port)) {
		hwb_log_warn("allow-network: blocked a connection to %s:%s (not "
			     "allowed)", host, port);
		reply(fd, "403 Forbidden");
		return;
	}
	if ((out = dial(host, port)) < 0) {
		reply(fd, "502 Bad Gateway");
		return;
	}
	hwb_log_verbose("allow-network: tunnel to %s:%s", host, port);
	if (write(fd, "HTTP/1.1 200 Connection established\r\n\r\n", 39) == 39)
		hwb_sandbox__relay(fd, out);
	close(out);
}

static __attribute__((noreturn)) void proxy_loop(int lfd,
						 const char *const *allow,
						 size_t n)
{
	int fd;
	pid_t pid;

	signal(SIGCHLD, SIG_IGN); /* handlers are reaped by the kernel */
	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			_exit(1);
		}
		pid = fork();
		if (pid == 0) {
			close(lfd);
			serve(fd, allow, n);
			_exit(0);
		}
		close(fd);
	}
}

int hwb_sandbox_proxy_start(const char *path, const char *const *allow,
			   size_t n, pid_t *out, struct hwb_error *err)
{
	struct sockaddr_un sa;
	int fd;
	pid_t pid;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa.sun_path))
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B076",
				     "the proxy socket path '%s' is too long", path),
		       hwb_error_hint(err, "set TMPDIR to a shorter directory");
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) ||
	    listen(fd, 64) || chmod(path, 0666)) {
		if (fd >= 0)
			close(fd);
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B076",
				       "cannot start the allow-network proxy on '%s'",
				       path),
		       hwb_error_hint(err, "check TMPDIR");
	}
	pid = fork();
	if (pid == 0) {
		/* Ends with hwb, whatever way hwb ends. */
		prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
		proxy_loop(fd, allow, n);
	}
	close(fd);
	if (pid < 0)
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B076",
				       "cannot start the allow-network proxy");
	*out = pid;
	return 0;
}

void hwb_sandbox_proxy_stop(pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}
