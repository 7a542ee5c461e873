/* SPDX-License-Identifier: Apache-2.0 */
/*
 * audit.h: hwb's append-only audit log. Each event is one JSON object on
 * one line: {"timestamp": RFC 3339 UTC with milliseconds, "event": name,
 * then the event's fields in the order given}, appended to
 * <dir>/audit-YYYY-MM-DD.jsonl (UTC date). Every record is written with a
 * single write() on an O_APPEND descriptor, so concurrent hwb processes
 * never interleave inside a line. Every string value and the event name
 * pass through hwb_redact() first, and keys are restricted to
 * [a-z0-9_.-]: the log never holds a secret. Fields are plain key/value pairs so no JSON library type crosses
 * this header. Errors are HWB-A0xx.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/error.h"

struct hwb_config;

/* Default location under $HOME when audit.dir is not set. */
#define HWB_AUDIT_DEFAULT_SUBDIR ".hwb/logs"
/* A string value longer than this is cut (and marked) before writing. */
#define HWB_AUDIT_MAX_VALUE 4096
/* A record longer than this is refused: a line must stay one write(). */
#define HWB_AUDIT_MAX_RECORD 65536

struct hwb_audit {
	int enabled; /* 0: hwb_audit_event() records nothing */
	char *dir;   /* owned; where the daily files go */
};

#define HWB_AUDIT_INIT { 0, NULL }

enum hwb_audit_type {
	HWB_AUDIT_STRING,
	HWB_AUDIT_INT,
	HWB_AUDIT_BOOL,
};

/* One field of an event; strings are borrowed for the duration of the call. */
struct hwb_audit_field {
	const char *key; /* [a-z0-9_.-]+, not "timestamp" or "event" */
	enum hwb_audit_type type;
	const char *s;   /* HWB_AUDIT_STRING; NULL is written as null */
	int64_t i;       /* HWB_AUDIT_INT */
	int b;           /* HWB_AUDIT_BOOL */
};

#define HWB_AUDIT_STR(k, v) { (k), HWB_AUDIT_STRING, (v), 0, 0 }
#define HWB_AUDIT_NUM(k, v) { (k), HWB_AUDIT_INT, NULL, (v), 0 }
#define HWB_AUDIT_FLAG(k, v) { (k), HWB_AUDIT_BOOL, NULL, 0, !!(v) }

/**
 * Set up a to write into dir (copied) when enabled. Release with
 * hwb_audit_release(). The directory is created (0700) on the first event.
 */
int hwb_audit_init(struct hwb_audit *a, const char *dir, int enabled,
		   struct hwb_error *err);

/**
 * Set up a from the configuration: audit.enabled, and audit.dir (which
 * HWB_AUDIT_DIR sets), defaulting to $HOME/.hwb/logs. HWB-A001 when no
 * directory can be determined while the log is enabled.
 */
int hwb_audit_from_config(struct hwb_audit *a, const struct hwb_config *cfg,
			  struct hwb_error *err);

/** Free what a owns; leaves it as HWB_AUDIT_INIT. Idempotent. */
void hwb_audit_release(struct hwb_audit *a);

/**
 * Append one event (e.g. "build.started") with n fields. Does nothing and
 * returns 0 when a is disabled. Returns -1 with err filled when the log
 * cannot be written. A malformed key or event name is a programming error
 * (HWB_BUG).
 */
int hwb_audit_event(const struct hwb_audit *a, const char *event,
		    const struct hwb_audit_field *fields, size_t n,
		    struct hwb_error *err);

/**
 * The file the event would go to right now (for messages and tests):
 * <dir>/audit-YYYY-MM-DD.jsonl. Returns a malloc'd string or NULL when out
 * of memory; the caller frees it.
 */
char *hwb_audit_path(const struct hwb_audit *a);
