/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wheel.h: checking wheels and sdists (hwb check), and the Python packaging
 * grammars other packages need (PEP 440 versions, PEP 508 requirements).
 * hwb build, sign and publish call hwb_check_file() before they use a file.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/error.h"

enum hwb_severity {
	HWB_SEVERITY_ERROR = 0,
	HWB_SEVERITY_WARNING = 1,
};

/* One problem found in a file. */
struct hwb_finding {
	char code[16];              /* stable, e.g. HWB-W012 */
	enum hwb_severity severity;
	char *member;               /* owned; archive member, or NULL */
	char *message;              /* owned; one line with the fix */
	int firm;                   /* --select/--ignore cannot hide it */
};

/* The findings for one file. Release with hwb_check_report_release(). */
struct hwb_check_report {
	char *file;                    /* owned; the path checked */
	struct hwb_finding *findings;  /* owned */
	size_t count;
	size_t cap;
	uint64_t members;              /* archive members seen */
	uint64_t bytes_checked;        /* uncompressed bytes hashed */
	void *lock;                    /* owned; guards additions from threads */
};

#define HWB_CHECK_REPORT_INIT { NULL, NULL, 0, 0, 0, 0, NULL }

/*
 * Default zip-bomb limits. Real wheels reach a few GiB (CUDA libraries);
 * the ratio limit is PyPI's (50x, over 64 MiB inflated).
 */
#define HWB_CHECK_DEFAULT_MAX_MEMBER_SIZE ((uint64_t)4 << 30)
#define HWB_CHECK_DEFAULT_MAX_TOTAL_SIZE ((uint64_t)16 << 30)
#define HWB_CHECK_DEFAULT_MAX_RATIO 50

/* Options; zero values mean the defaults above. */
struct hwb_check_options {
	int strict;                  /* warnings fail the file too */
	const char *const *select;   /* only these codes (NULL: all) */
	size_t select_count;
	const char *const *ignore;   /* silence these codes (never framing,
				      * path, RECORD or secret errors) */
	size_t ignore_count;
	uint64_t max_member_size;    /* uncompressed bytes per member */
	uint64_t max_total_size;     /* uncompressed bytes in all */
	uint64_t max_ratio;          /* compression ratio limit, applied to
				      * the whole archive (and to a member)
				      * once it is over 64 MiB inflated */
	int threads;                 /* 0: one per online core */
};

/**
 * Check a wheel (.whl) or sdist (.tar.gz) and fill report (initialised with
 * HWB_CHECK_REPORT_INIT). Returns 0 when the file was read, whatever was
 * found; -1 with err filled (HWB_KIND_CONFIG, or USAGE for an unsupported
 * file type) when it could not be read at all.
 */
int hwb_check_file(const char *path, const struct hwb_check_options *opts,
		   struct hwb_check_report *report, struct hwb_error *err);

/** 1 if report holds an error, or a warning when strict. */
int hwb_check_failed(const struct hwb_check_report *report, int strict);

/** Free everything report owns; leaves it as HWB_CHECK_REPORT_INIT. */
void hwb_check_report_release(struct hwb_check_report *report);
