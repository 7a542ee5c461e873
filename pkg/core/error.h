/* SPDX-License-Identifier: Apache-2.0 */
/*
 * error.h: the one error convention of hwb. A function that can fail returns
 * 0 or -1 and fills a caller-owned struct hwb_error; cmd/hwb turns the error
 * into a line on the terminal and an exit status. Codes are stable strings
 * listed in docs/errors.md.
 */
#pragma once

#include <stdarg.h>
#include <stddef.h>

/*
 * What kind of failure an error is. The value is the process exit status
 * documented in the README, so the mapping lives in one place.
 */
enum hwb_error_kind {
	HWB_KIND_NONE = 0,
	HWB_KIND_FAILED = 1,  /* a check, verification or policy failed */
	HWB_KIND_USAGE = 2,   /* bad command line */
	HWB_KIND_CONFIG = 3,  /* configuration, environment, unreadable file */
	HWB_KIND_NETWORK = 4, /* network or remote service */
	HWB_KIND_BUILD = 5,   /* backend error, timeout, limit, mismatch */
	HWB_KIND_INTERRUPTED = 130, /* SIGINT (Ctrl-C) ended the command */
	HWB_KIND_TERMINATED = 143,  /* SIGTERM ended the command */
};

/*
 * Fixed-size fields so that recording an error, even out of memory, never
 * allocates. Strings are always NUL-terminated and truncated when too long.
 */
struct hwb_error {
	enum hwb_error_kind kind;
	char code[16];     /* stable id such as HWB-T003 */
	char message[512]; /* one line: what failed and the rule */
	char hint[256];    /* how to fix it; may be empty */
	char file[256];    /* the input it concerns; may be empty */
	unsigned line;     /* 1-based position in file, 0 when unknown */
	unsigned column;
};

#define HWB_ERROR_INIT { HWB_KIND_NONE, "", "", "", "", 0, 0 }

#if defined(__GNUC__)
#define HWB_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define HWB_PRINTF(a, b)
#endif

/** Reset err to HWB_ERROR_INIT. */
void hwb_error_clear(struct hwb_error *err);

/**
 * Record an error and return -1, so callers can `return hwb_error_set(...)`.
 * err may be NULL (the error is then dropped). Clears hint, file and position.
 */
int hwb_error_set(struct hwb_error *err, enum hwb_error_kind kind,
		  const char *code, const char *fmt, ...) HWB_PRINTF(4, 5);
int hwb_error_vset(struct hwb_error *err, enum hwb_error_kind kind,
		   const char *code, const char *fmt, va_list ap);

/** Like hwb_error_set, appending ": strerror(errno)" for the current errno. */
int hwb_error_errno(struct hwb_error *err, enum hwb_error_kind kind,
		    const char *code, const char *fmt, ...) HWB_PRINTF(4, 5);

/** Set the fix shown after the message. Returns -1. */
int hwb_error_hint(struct hwb_error *err, const char *fmt, ...)
	HWB_PRINTF(2, 3);

/** Attach the input file and a 1-based position (0 for unknown). Returns -1. */
int hwb_error_at(struct hwb_error *err, const char *file, unsigned line,
		 unsigned column);

/** Record an allocation failure without allocating. Returns -1. */
int hwb_error_oom(struct hwb_error *err);

/**
 * Format err as one line: "FILE:LINE:COL: CODE: message (fix: hint)".
 * Control characters are replaced by '?'. Always NUL-terminates out.
 */
void hwb_error_format(const struct hwb_error *err, char *out, size_t outsz);

/** A programming error: print file:line and abort. Never for bad input. */
#define HWB_BUG(...) hwb__bug(__FILE__, __LINE__, __VA_ARGS__)
void hwb__bug(const char *file, int line, const char *fmt, ...)
	HWB_PRINTF(3, 4) __attribute__((noreturn));
