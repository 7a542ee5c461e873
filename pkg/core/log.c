/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c: leveled logging and secret redaction (see log.h; the credential
 * forms redaction replaces are in secret.c). The threshold,
 * the sink and the registered secrets are process-wide configuration, set by
 * cmd/hwb at start-up and when a token is read.
 */
#include "pkg/core/log.h"
#include "pkg/core/internal.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define REDACTED "[REDACTED]"
/* Short registered values would redact ordinary words; tokens are longer. */
#define SECRET_MIN_LEN 6
#define SECRET_MAX_COUNT 64

static enum hwb_log_level log_threshold = HWB_LOG_INFO;
static hwb_log_sink log_sink;
static void *log_ctx;
static char *secrets[SECRET_MAX_COUNT];
static size_t secret_count;

void hwb_log_configure(enum hwb_log_level threshold, hwb_log_sink sink,
		       void *ctx)
{
	log_threshold = threshold;
	log_sink = sink;
	log_ctx = ctx;
}

int hwb_log_enabled(enum hwb_log_level level)
{
	return log_sink && level <= log_threshold;
}

int hwb_redact_register(const char *secret)
{
	size_t i;

	if (!secret || strlen(secret) < SECRET_MIN_LEN)
		return 0;
	for (i = 0; i < secret_count; i++)
		if (!strcmp(secrets[i], secret))
			return 0;
	if (secret_count == SECRET_MAX_COUNT)
		return -1;
	if (!(secrets[secret_count] = strdup(secret)))
		return -1;
	secret_count++;
	if (log_sink)
		log_sink(log_ctx, HWB_LOG_MASK, secret);
	return 0;
}

int hwb_secret_from_env(const char *name, char **out, struct hwb_error *err)
{
	const char *v = getenv(name);

	*out = NULL;
	if (!v || !*v)
		return 0;
	if (!(*out = strdup(v)) || hwb_redact_register(v)) {
		hwb_secret_free(*out);
		*out = NULL;
		return hwb_error_oom(err);
	}
	return 0;
}

int hwb_secret_from_fd(int fd, const char *what, size_t max_len, char **out,
		       struct hwb_error *err)
{
	char *buf = calloc(1, max_len + 1);
	size_t len = 0;
	ssize_t n;

	*out = NULL;
	if (!buf)
		return hwb_error_oom(err);
	while (len < max_len) {
		n = read(fd, buf + len, max_len - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			hwb_secret_free(buf);
			return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-C002",
					       "cannot read %s from standard input",
					       what);
		}
		if (n == 0 || memchr(buf + len, '\n', (size_t)n)) {
			len += (size_t)n;
			break;
		}
		len += (size_t)n;
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0]) {
		hwb_secret_free(buf);
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-C002",
				     "no %s on standard input", what),
		       hwb_error_hint(err, "pipe the %s into hwb", what);
	}
	if (hwb_redact_register(buf)) {
		hwb_secret_free(buf);
		return hwb_error_oom(err);
	}
	*out = buf;
	return 0;
}

void hwb_secret_free(char *secret)
{
	if (!secret)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}

static double monotonic_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hwb_log_progress(const char *fmt, ...)
{
	static double start;
	struct hwb_buf text = HWB_BUF_INIT, clean = HWB_BUF_INIT;
	double now = monotonic_seconds();
	va_list ap;

	if (!hwb_log_enabled(HWB_LOG_INFO))
		return;
	if (!start)
		start = now;
	hwb_buf_printf(&text, "[%5.1fs] ", now - start);
	va_start(ap, fmt);
	hwb_buf_vprintf(&text, fmt, ap);
	va_end(ap);
	if (!text.oom && !hwb_redact(&clean, text.ptr, text.len))
		log_sink(log_ctx, HWB_LOG_PROGRESS, clean.ptr);
	hwb_buf_release(&text);
	hwb_buf_release(&clean);
}

void hwb_log_group_begin(const char *title)
{
	struct hwb_buf clean = HWB_BUF_INIT;

	if (!hwb_log_enabled(HWB_LOG_INFO))
		return;
	if (!hwb_redact(&clean, title, strlen(title)))
		log_sink(log_ctx, HWB_LOG_GROUP_BEGIN, clean.ptr);
	hwb_buf_release(&clean);
}

void hwb_log_group_end(void)
{
	if (hwb_log_enabled(HWB_LOG_INFO))
		log_sink(log_ctx, HWB_LOG_GROUP_END, "");
}

void hwb_redact_reset(void)
{
	while (secret_count) {
		char *s = secrets[--secret_count];

		explicit_bzero(s, strlen(s));
		free(s);
		secrets[secret_count] = NULL;
	}
}

size_t hwb_redact_count(void)
{
	return secret_count;
}

const char *hwb_redact_get(size_t i)
{
	return i < secret_count ? secrets[i] : NULL;
}

static size_t match_registered(const char *p, const char *end)
{
	size_t i, n, best = 0;

	for (i = 0; i < secret_count; i++) {
		n = strlen(secrets[i]);
		if (n > best && (size_t)(end - p) >= n &&
		    !memcmp(p, secrets[i], n))
			best = n;
	}
	return best;
}

/* Length of the secret starting at p, or 0. */
static size_t match_secret(struct hwb_core__secret_memo *m, const char *text,
			   const char *p, const char *end)
{
	size_t n;

	if ((n = match_registered(p, end)))
		return n;
	return hwb_core__secret_match_memo(m, text, p, end, 0, NULL);
}

int hwb_redact(struct hwb_buf *out, const char *text, size_t len)
{
	struct hwb_core__secret_memo m = HWB_CORE_SECRET_MEMO_INIT;
	const char *p = text, *end = text + len;
	size_t n;

	while (p < end) {
		n = match_secret(&m, text, p, end);
		if (n) {
			hwb_buf_puts(out, REDACTED);
			p += n;
			continue;
		}
		if (((unsigned char)*p < 0x20 && *p != '\t' && *p != '\n') ||
		    *p == 0x7f)
			hwb_buf_putc(out, '?');
		else
			hwb_buf_putc(out, *p);
		p++;
	}
	return out->oom ? -1 : 0;
}

int hwb_redact_contains_secret(const char *text, size_t len)
{
	struct hwb_core__secret_memo m = HWB_CORE_SECRET_MEMO_INIT;
	const char *p;

	for (p = text; p < text + len; p++)
		if (match_secret(&m, text, p, text + len))
			return 1;
	return 0;
}

static void emit_line(enum hwb_log_level level, const char *line, size_t len)
{
	struct hwb_buf clean = HWB_BUF_INIT;

	/* Redaction failing for lack of memory drops the line, never leaks. */
	if (!hwb_redact(&clean, line, len))
		log_sink(log_ctx, level, clean.ptr);
	hwb_buf_release(&clean);
}

void hwb_log_text(enum hwb_log_level level, const char *text, size_t len)
{
	struct hwb_buf clean = HWB_BUF_INIT;
	const char *p, *end, *nl;

	if (!hwb_log_enabled(level))
		return;
	/* Redact the whole text first: a PEM block spans lines. */
	if (hwb_redact(&clean, text, len))
		goto cleanup;
	for (p = clean.ptr, end = clean.ptr + clean.len; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		/* Cut the line in place; redacted text is ours to modify. */
		*(char *)nl = '\0';
		log_sink(log_ctx, level, p);
	}
cleanup:
	hwb_buf_release(&clean);
}

void hwb_vlog(enum hwb_log_level level, const char *fmt, va_list ap)
{
	struct hwb_buf raw = HWB_BUF_INIT;

	if (!hwb_log_enabled(level))
		return;
	if (!hwb_buf_vprintf(&raw, fmt, ap)) {
		/* A one-line message: newlines inside it become spaces. */
		for (size_t i = 0; i < raw.len; i++)
			if (raw.ptr[i] == '\n' || raw.ptr[i] == '\r')
				raw.ptr[i] = ' ';
		emit_line(level, raw.ptr, raw.len);
	}
	hwb_buf_release(&raw);
}

void hwb_log(enum hwb_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hwb_vlog(level, fmt, ap);
	va_end(ap);
}
