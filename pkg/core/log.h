/* SPDX-License-Identifier: Apache-2.0 */
/*
 * log.h: leveled logging with secret redaction. Packages log through these
 * functions; they never write to the terminal themselves. cmd/hwb installs
 * the sink that does (stderr, GitHub Actions annotations). Every line passes
 * through hwb_redact() before it reaches any sink.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

enum hwb_log_level {
	HWB_LOG_ERROR = 0,
	HWB_LOG_WARN,
	HWB_LOG_INFO,
	HWB_LOG_VERBOSE,
	HWB_LOG_DEBUG,
	/*
	 * Not thresholds: events for sinks that group output (GitHub Actions
	 * ::group::) or hide secrets (::add-mask::). HWB_LOG_MASK is the one
	 * event whose line is the raw secret; a sink must never show it.
	 */
	HWB_LOG_GROUP_BEGIN = 100,
	HWB_LOG_GROUP_END,
	HWB_LOG_MASK,
	HWB_LOG_PROGRESS, /* "[  1.2s] stage": a terminal may overwrite it */
};

/* Receives one redacted line without its newline. */
typedef void (*hwb_log_sink)(void *ctx, enum hwb_log_level level,
			     const char *line);

/** Set the threshold and the sink (NULL: discard). Process-wide setting. */
void hwb_log_configure(enum hwb_log_level threshold, hwb_log_sink sink,
		       void *ctx);
/** 1 if a message at level would be emitted. */
int hwb_log_enabled(enum hwb_log_level level);

void hwb_log(enum hwb_log_level level, const char *fmt, ...) HWB_PRINTF(2, 3);
void hwb_vlog(enum hwb_log_level level, const char *fmt, va_list ap);
/** Log text that may span lines (a build log): one sink call per line. */
void hwb_log_text(enum hwb_log_level level, const char *text, size_t len);

#define hwb_log_error(...) hwb_log(HWB_LOG_ERROR, __VA_ARGS__)
#define hwb_log_warn(...) hwb_log(HWB_LOG_WARN, __VA_ARGS__)
#define hwb_log_info(...) hwb_log(HWB_LOG_INFO, __VA_ARGS__)
#define hwb_log_verbose(...) hwb_log(HWB_LOG_VERBOSE, __VA_ARGS__)
#define hwb_log_debug(...) hwb_log(HWB_LOG_DEBUG, __VA_ARGS__)

/**
 * A long command's stage as it starts ("building the wheel"), sent as
 * HWB_LOG_PROGRESS with the seconds since the first stage in front; shown
 * at HWB_LOG_INFO. A sink on a terminal may update it in place.
 */
void hwb_log_progress(const char *fmt, ...) HWB_PRINTF(1, 2);

/** Open a named group of output (a build log); close with _end. */
void hwb_log_group_begin(const char *title);
void hwb_log_group_end(void);

/**
 * Remember a secret found at run time (a token read from the environment)
 * so that every later line that contains it is redacted. Values shorter
 * than 6 bytes are ignored: redacting them would mangle ordinary text.
 * The sink is sent HWB_LOG_MASK with the value so that CI systems can mask
 * it in their own logs. Returns -1 when out of memory.
 */
int hwb_redact_register(const char *secret);
/** Forget every registered secret (wiping them). For tests and exit. */
void hwb_redact_reset(void);
/** Number of registered secrets, and the i-th one (for ::add-mask::). */
size_t hwb_redact_count(void);
const char *hwb_redact_get(size_t i);

/**
 * Append text to out with every known secret form replaced by
 * "[REDACTED]" and control characters other than tab turned into '?'.
 * Forms: PyPI tokens (pypi-...), GitHub tokens (ghp_, gho_, ghs_, ghu_,
 * ghr_, github_pat_), GitLab (glpat-), AWS access key ids (AKIA...), JWTs,
 * PEM private key blocks, and registered values.
 */
int hwb_redact(struct hwb_buf *out, const char *text, size_t len);

/** 1 if text holds something hwb_redact() would replace. */
int hwb_redact_contains_secret(const char *text, size_t len);

/*
 * The credential forms behind hwb_redact(), for callers that look for
 * leaked secrets in files (hwb check). One table in secret.c holds them.
 */
enum hwb_secret_kind {
	HWB_SECRET_NONE = 0,
	HWB_SECRET_PRIVATE_KEY,  /* -----BEGIN ... PRIVATE KEY----- */
	HWB_SECRET_PYPI_TOKEN,   /* pypi-... */
	HWB_SECRET_GITHUB_TOKEN, /* ghp_ gho_ ghs_ ghu_ ghr_ github_pat_ */
	HWB_SECRET_GITLAB_TOKEN, /* glpat- */
	HWB_SECRET_AWS_KEY_ID,   /* AKIA + 16 */
	HWB_SECRET_AWS_SECRET,   /* secret_access_key = <40 characters> */
	HWB_SECRET_JWT,          /* eyJ...eyJ...sig */
};

/* Binary data (.pyc): a token may follow any byte, not only a non-word
 * character, since a length byte can look like a letter; and a fixed-length
 * token (AKIA...) may be followed by a letter. */
#define HWB_SECRET_ANY_BYTE_BEFORE 1

/**
 * Length of the credential that starts at p (text..end is the whole
 * buffer, for the word-start rule), or 0; *kind (may be NULL) gets its
 * kind. Registered values are not matched here.
 */
size_t hwb_secret_match(const char *text, const char *p, const char *end,
			int flags, enum hwb_secret_kind *kind);

/**
 * Find the first credential in len bytes of text (binary-safe) that starts
 * at or after from. Returns its kind with *start and *match_len set, or
 * HWB_SECRET_NONE.
 */
enum hwb_secret_kind hwb_secret_find(const char *text, size_t len,
				     size_t from, int flags, size_t *start,
				     size_t *match_len);

/** What kind is, for messages: "a PyPI API token". */
const char *hwb_secret_kind_name(enum hwb_secret_kind kind);

/**
 * Read a secret from the environment variable name, register it for
 * redaction, and return a malloc'd copy in *out (NULL when unset or empty;
 * the caller wipes and frees it with hwb_secret_free). Returns -1 only when
 * out of memory.
 */
int hwb_secret_from_env(const char *name, char **out, struct hwb_error *err);

/**
 * Read a secret from fd (standard input) up to the first newline or EOF,
 * at most max_len bytes, and register it. An empty read is an error
 * (HWB-C002) naming what was expected.
 */
int hwb_secret_from_fd(int fd, const char *what, size_t max_len, char **out,
		       struct hwb_error *err);

/** Wipe and free a secret from the functions above. NULL is allowed. */
void hwb_secret_free(char *secret);
