/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.c: leveled logging and secret redaction (see log.h). The threshold,
 * the sink and the registered secrets are process-wide configuration, set by
 * cmd/hwb at start-up and when a token is read.
 */
#include "pkg/core/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
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

static int is_b64url(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_';
}

static int is_alnum_us(unsigned char c)
{
	return isalnum(c) || c == '_';
}

/* Length of a run of characters accepted by pred, starting at p. */
static size_t span(const char *p, const char *end, int (*pred)(unsigned char))
{
	const char *q = p;

	while (q < end && pred((unsigned char)*q))
		q++;
	return (size_t)(q - p);
}

static int has_prefix(const char *p, const char *end, const char *prefix)
{
	size_t n = strlen(prefix);

	return (size_t)(end - p) >= n && !memcmp(p, prefix, n);
}

/*
 * A token is only taken as one where it starts a word, so "mypypi-x" in a
 * path is not mistaken for a PyPI token.
 */
static int word_start(const char *text, const char *p)
{
	return p == text || !is_alnum_us((unsigned char)p[-1]);
}

static size_t match_prefixed(const char *p, const char *end,
			     const char *prefix, size_t min_body,
			     int (*pred)(unsigned char))
{
	size_t n = strlen(prefix), body;

	if (!has_prefix(p, end, prefix))
		return 0;
	body = span(p + n, end, pred);
	return body >= min_body ? n + body : 0;
}

/* A JWT: three base64url parts, the first two starting with "eyJ" ('{"'). */
static size_t match_jwt(const char *p, const char *end)
{
	const char *q = p;
	size_t n;
	int part;

	for (part = 0; part < 3; part++) {
		if (part < 2 && !has_prefix(q, end, "eyJ"))
			return 0;
		n = span(q, end, is_b64url);
		if (part < 2 && n < 10)
			return 0;
		q += n;
		if (part < 2) {
			if (q >= end || *q != '.')
				return 0;
			q++;
		}
	}
	return (size_t)(q - p);
}

/*
 * A PEM private key block, from "-----BEGIN ... PRIVATE KEY-----" to the
 * matching END line, or to the end of the text when it is cut off.
 */
static size_t match_pem_key(const char *p, const char *end)
{
	const char *eol, *stop;
	static const char end_marker[] = "-----END ";

	if (!has_prefix(p, end, "-----BEGIN "))
		return 0;
	eol = memchr(p, '\n', (size_t)(end - p));
	if (!eol)
		eol = end;
	if (!memmem(p, (size_t)(eol - p), "PRIVATE KEY-----", 16))
		return 0;
	stop = memmem(eol, (size_t)(end - eol), end_marker,
		      sizeof(end_marker) - 1);
	if (!stop)
		return (size_t)(end - p);
	eol = memmem(stop, (size_t)(end - stop), "KEY-----", 8);
	return eol ? (size_t)(eol + 8 - p) : (size_t)(end - p);
}

static size_t match_registered(const char *p, const char *end)
{
	size_t i, n, best = 0;

	for (i = 0; i < secret_count; i++) {
		n = strlen(secrets[i]);
		if (n > best && has_prefix(p, end, secrets[i]))
			best = n;
	}
	return best;
}

static int is_upper_digit(unsigned char c)
{
	return isupper(c) || isdigit(c);
}

static int is_b64_std(unsigned char c)
{
	return isalnum(c) || c == '/' || c == '+';
}

/*
 * An AWS secret access key assigned next to its name, as in credentials
 * files and code: "aws_secret_access_key = <40 base64 characters>". The
 * value alone is 40 random characters and cannot be told from other data.
 */
static size_t match_aws_secret(const char *p, const char *end)
{
	static const char name[] = "secret_access_key";
	const char *q = p + sizeof(name) - 1;
	int assigned = 0;
	size_t n;

	if ((size_t)(end - p) < sizeof(name) - 1 ||
	    strncasecmp(p, name, sizeof(name) - 1))
		return 0;
	for (; q < end && strchr(" \t\"':=", *q) && *q; q++)
		assigned |= *q == '=' || *q == ':';
	n = span(q, end, is_b64_std);
	return assigned && n == 40 ? (size_t)(q + n - p) : 0;
}

/* GitHub tokens: "gh" and p (personal), o (OAuth), s (server), u (user),
 * r (refresh), "_" and the token; or a fine-grained "github_pat_". */
static size_t match_github(const char *p, const char *end)
{
	if (end - p >= 4 && strchr("posur", p[2]) && p[2] && p[3] == '_')
		return match_prefixed(p + 4, end, "", 20, is_alnum_us)
			       ? 4 + span(p + 4, end, is_alnum_us) : 0;
	return match_prefixed(p, end, "github_pat_", 20, is_alnum_us);
}

/*
 * The credential forms hwb knows, in the order they are tried at a
 * position: one table for the redaction of output and for the scan of
 * wheels and sdists (pkg/wheel/secrets.c). A form is either a prefix and a
 * body of at least min_body characters accepted by body (exactly that many
 * when exact), or a match function (prefix then holds the first two bytes
 * of what it matches). For a fast scan, every form starts with prefix[0]
 * and prefix[1] (in any case when fold) and has the byte trigger at
 * trigger_off: hwb_secret_find() looks for such triples sixteen positions
 * at a time before it tries a form.
 */
static const struct secret_form {
	enum hwb_secret_kind kind;
	const char *prefix;
	size_t min_body;
	int exact;
	int (*body)(unsigned char);
	size_t (*match)(const char *p, const char *end);
	int word;        /* must start a word: "mypypi-x" is no token */
	int fold;        /* prefix[0] in any case */
	char trigger;
	size_t trigger_off;
} secret_forms[] = {
	{ HWB_SECRET_PRIVATE_KEY, "-----BEGIN ", 0, 0, NULL, match_pem_key, 0,
	  0, '-', 4 },
	{ HWB_SECRET_PYPI_TOKEN, "pypi-", 16, 0, is_b64url, NULL, 1, 0, '-',
	  4 },
	{ HWB_SECRET_GITHUB_TOKEN, "gh", 0, 0, NULL, match_github, 1, 0, '_',
	  3 },
	{ HWB_SECRET_GITHUB_TOKEN, "github_pat_", 0, 0, NULL, match_github, 1,
	  0, '_', 6 },
	{ HWB_SECRET_GITLAB_TOKEN, "glpat-", 20, 0, is_b64url, NULL, 1, 0, '-',
	  5 },
	{ HWB_SECRET_AWS_KEY_ID, "AKIA", 16, 1, is_upper_digit, NULL, 1, 0, 'A',
	  3 },
	{ HWB_SECRET_AWS_SECRET, "secret_access_key", 0, 0, NULL,
	  match_aws_secret, 0, 1, '_', 6 },
	{ HWB_SECRET_JWT, "eyJ", 0, 0, NULL, match_jwt, 1, 0, 'J', 2 },
};

/* The largest trigger_off above, for the bounds of the fast scan. */
#define SECRET_TRIGGER_MAX 6

#define SECRET_FORM_COUNT (sizeof(secret_forms) / sizeof(secret_forms[0]))

static size_t match_form(const struct secret_form *f, const char *p,
			 const char *end, int flags)
{
	size_t n, want;

	if (f->match)
		return f->match(p, end);
	n = match_prefixed(p, end, f->prefix, f->min_body, f->body);
	want = strlen(f->prefix) + f->min_body;
	if (!n || !f->exact || n == want)
		return n;
	/* In binary data the byte after a string constant is often a
	 * letter (marshal's 'N' for None); take the exact length there. */
	return (flags & HWB_SECRET_ANY_BYTE_BEFORE) ? want : 0;
}

size_t hwb_secret_match(const char *text, const char *p, const char *end,
			int flags, enum hwb_secret_kind *kind)
{
	int word = (flags & HWB_SECRET_ANY_BYTE_BEFORE) || word_start(text, p);
	size_t i, n;

	for (i = 0; i < SECRET_FORM_COUNT; i++) {
		if (secret_forms[i].word && !word)
			continue;
		if ((n = match_form(&secret_forms[i], p, end, flags))) {
			if (kind)
				*kind = secret_forms[i].kind;
			return n;
		}
	}
	return 0;
}

/* Whether a form may start at p: its first two bytes and its trigger. */
static int anchor_ok(const struct secret_form *f, const char *p,
		     const char *end)
{
	char fold = f->fold ? 0x20 : 0;

	return (size_t)(end - p) > f->trigger_off &&
	       (char)(p[0] | fold) == f->prefix[0] &&
	       (char)(p[1] | fold) == f->prefix[1] &&
	       p[f->trigger_off] == f->trigger;
}

/* The credential starting at p, if any. */
static enum hwb_secret_kind try_at(const char *text, const char *p,
				   const char *end, int flags,
				   size_t *match_len)
{
	size_t f, n;

	for (f = 0; f < SECRET_FORM_COUNT; f++) {
		const struct secret_form *sf = &secret_forms[f];

		if (!anchor_ok(sf, p, end))
			continue;
		if (sf->word && !(flags & HWB_SECRET_ANY_BYTE_BEFORE) &&
		    !word_start(text, p))
			continue;
		if ((n = match_form(sf, p, end, flags))) {
			*match_len = n;
			return sf->kind;
		}
	}
	return HWB_SECRET_NONE;
}

typedef uint8_t secret_v16 __attribute__((vector_size(16)));

/*
 * 1 if one of the 16 positions from p may start a form (p + 16 +
 * SECRET_TRIGGER_MAX bytes must be readable). Pairs of bytes at a fixed
 * distance are rare in text and in random data alike, so nearly every
 * block is passed over with a few vector operations.
 */
static int block_may_hold(const char *p)
{
	secret_v16 at[SECRET_TRIGGER_MAX + 1], hit = { 0 }, b0, b1, trig;
	uint64_t half[2];
	size_t k, f;

	for (k = 0; k <= SECRET_TRIGGER_MAX; k++)
		memcpy(&at[k], p + k, 16);
	/* Unrolled, the table's bytes become constants of the loop. */
#pragma GCC unroll 16
	for (f = 0; f < SECRET_FORM_COUNT; f++) {
		const struct secret_form *sf = &secret_forms[f];
		uint8_t fold = sf->fold ? 0x20 : 0;

		b0 = (at[0] | fold) - (uint8_t)sf->prefix[0];
		b1 = (at[1] | fold) - (uint8_t)sf->prefix[1];
		trig = at[sf->trigger_off] - (uint8_t)sf->trigger;
		hit |= (secret_v16)(b0 == 0) & (secret_v16)(b1 == 0) &
		       (secret_v16)(trig == 0);
	}
	memcpy(half, &hit, 16);
	return (half[0] | half[1]) != 0;
}

enum hwb_secret_kind hwb_secret_find(const char *text, size_t len,
				     size_t from, int flags, size_t *start,
				     size_t *match_len)
{
	const char *end = text + len;
	enum hwb_secret_kind kind;
	size_t i = from, b, stop;

	for (; len >= 16 + SECRET_TRIGGER_MAX &&
	       i <= len - 16 - SECRET_TRIGGER_MAX; i += 16) {
		if (!block_may_hold(text + i))
			continue;
		for (b = i; b < i + 16; b++) {
			if ((kind = try_at(text, text + b, end, flags,
					   match_len))) {
				*start = b;
				return kind;
			}
		}
	}
	for (stop = len; i < stop; i++) {
		if ((kind = try_at(text, text + i, end, flags, match_len))) {
			*start = i;
			return kind;
		}
	}
	return HWB_SECRET_NONE;
}

const char *hwb_secret_kind_name(enum hwb_secret_kind kind)
{
	switch (kind) {
	case HWB_SECRET_PRIVATE_KEY: return "a private key (PEM block)";
	case HWB_SECRET_PYPI_TOKEN: return "a PyPI API token";
	case HWB_SECRET_GITHUB_TOKEN: return "a GitHub token";
	case HWB_SECRET_GITLAB_TOKEN: return "a GitLab personal access token";
	case HWB_SECRET_AWS_KEY_ID: return "an AWS access key id";
	case HWB_SECRET_AWS_SECRET: return "an AWS secret access key";
	case HWB_SECRET_JWT: return "a JSON Web Token";
	case HWB_SECRET_NONE: break;
	}
	return "no secret";
}

/* Length of the secret starting at p, or 0. */
static size_t match_secret(const char *text, const char *p, const char *end)
{
	size_t n;

	if ((n = match_registered(p, end)))
		return n;
	return hwb_secret_match(text, p, end, 0, NULL);
}

int hwb_redact(struct hwb_buf *out, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	size_t n;

	while (p < end) {
		n = match_secret(text, p, end);
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
	const char *p;

	for (p = text; p < text + len; p++)
		if (match_secret(text, p, text + len))
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
