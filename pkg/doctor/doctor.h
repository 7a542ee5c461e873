/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doctor.h: `hwb doctor`, whether this machine can run hwb. One report of
 * items (the configuration, the sandbox's namespaces, AppArmor's
 * user-namespace rule, seccomp, the memory and pids bound a build gets, the
 * container engine, OIDC sources, release credentials, the Sigstore trust
 * in use, the audit log, leftovers of killed builds), each ok, warn or fail
 * with what was found and, for a problem, its remedy. Nothing is changed
 * and nothing is fetched: no token is read (only whether a source exists),
 * no leftover removed, the probe's cgroup removed again. The report is
 * rendered as text (one line per item) or as JSON (hwb.doctor/1,
 * docs/schemas.md).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/build/build.h"
#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/core/oidc.h"
#include "pkg/sandbox/sandbox.h"

struct hwb_config;

enum hwb_doctor_status {
	HWB_DOCTOR_OK = 0,
	HWB_DOCTOR_WARN, /* works, with a caveat worth fixing */
	HWB_DOCTOR_FAIL, /* build, check or verify (with --release: release)
			  * cannot run here */
};

struct hwb_doctor_item {
	const char *name;    /* static: "config", "namespaces", ... */
	enum hwb_doctor_status status;
	char code[16];       /* the problem's stable code, or "" */
	char *detail;        /* owned: what was found */
	char *remedy;        /* owned; NULL when there is nothing to do */
};

/* The Sigstore trust in use, as the caller chose it (cmd/hwb/trust.h). */
struct hwb_doctor_trust {
	const char *repository; /* the TUF repository's URL */
	const char *source;     /* the cache directory, or "embedded" text */
	int from_cache;
	int64_t taken;          /* when that copy was fetched or taken; 0:
				 * unknown */
	int64_t timestamp_expires; /* the cached TUF timestamp's; 0: none */
	int max_age_days;       /* older than this: warn */
};

struct hwb_doctor_options {
	const struct hwb_config *config;      /* NULL: defaults (see below) */
	const struct hwb_error *config_error; /* why the configuration could
					       * not be loaded, or NULL */
	const char *project_dir;              /* NULL: "." */
	int release;         /* also require release credentials */
	const struct hwb_doctor_trust *trust; /* NULL: see trust_error */
	const struct hwb_error *trust_error;  /* why the trust in use could not
					       * be found, or NULL */
	int64_t now;         /* 0: time(NULL) */
};

/* Release with hwb_doctor_report_release(). */
struct hwb_doctor_report {
	struct hwb_doctor_item *items;
	size_t count, cap;
	int release;
	/* Facts behind the items, for the JSON document. */
	int cgroup;                   /* 1, 2, or 0: per-process limits only */
	unsigned long long memory;    /* build.limits.memory in force */
	long processes;               /* build.limits.processes in force */
	char bound[512];              /* the build log's line for it */
	enum hwb_oidc_source oidc_sigstore, oidc_pypi;
	const char *token_variable;   /* the variable holding an API token
				       * (its value is never read), or NULL */
	char *audit_dir;              /* owned */
	int audit_enabled;
	struct hwb_build_leftover *leftovers; /* owned */
	size_t leftover_count;
	struct hwb_doctor_trust trust; /* strings owned; repository NULL when
					* not reported */
	int64_t now;
};

#define HWB_DOCTOR_REPORT_INIT { .items = NULL }

/**
 * Examine this machine and fill r (released first). -1 with err only when
 * out of memory: every problem found is an item, not an error.
 */
int hwb_doctor_run(const struct hwb_doctor_options *o,
		   struct hwb_doctor_report *r, struct hwb_error *err);

/** 1 when no item failed: build, check and verify can run here (and, for
 * a --release report, release). */
int hwb_doctor_passed(const struct hwb_doctor_report *r);

/**
 * Render r into out: text, one line per item ("ok   NAME  DETAIL", a
 * problem's code and remedy after it), or the JSON document hwb.doctor/1.
 */
int hwb_doctor_render(const struct hwb_doctor_report *r, int json,
		      struct hwb_buf *out, struct hwb_error *err);

void hwb_doctor_report_release(struct hwb_doctor_report *r);
