/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build.h: hwb build and hwb lock. Build requirements are pinned by hash in
 * a PEP 751 lock (pylock.build.toml) and installed without pip into a
 * content-addressed environment cache. Printing is left to the caller.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

/* ========================================================================
 * hwb lock: pin the build requirements (lock*.c, resolve.c, finder*.c)
 * ======================================================================== */

/* Options of hwb_lock_create(). Everything is borrowed. */
struct hwb_lock_options {
	const char *srcdir;            /* project directory; NULL: "." */
	const char *const *find_links; /* wheelhouse directories */
	size_t find_links_count;
	const char *index_url;         /* simple index (PEP 691/503) or NULL */
	const char *ca_bundle;         /* PEM CA file for the index, or NULL */
	const char *python;            /* interpreter; NULL: python3 on PATH */
	const char *output;            /* NULL: <srcdir>/pylock.build.toml */
	int allow_url_requirements;    /* build.allow-url-requirements */
	const char *cache_dir;         /* NULL: $XDG_CACHE_HOME/hwb */
};

/* One locked package, for the caller's report. */
struct hwb_lock_entry {
	char *name;    /* owned */
	char *version; /* owned */
	char *marker;  /* owned; NULL when always installed */
	char sha256[65]; /* the wheel for the locking interpreter */
};

/* What hwb_lock_create() did. Release with hwb_lock_result_release(). */
struct hwb_lock_result {
	char *path;                     /* owned; the lock file written */
	struct hwb_lock_entry *entries; /* owned; sorted by name */
	size_t count;
	int changed;                    /* 1 if the file's bytes changed */
};

#define HWB_LOCK_RESULT_INIT { NULL, NULL, 0, 0 }

/**
 * Create or refresh the lock of the project in opts->srcdir: read
 * [build-system] requires from pyproject.toml (the PEP 518 default when
 * absent), resolve them and their dependencies for the interpreter from
 * the find-links directories and/or the index, and write the PEP 751 lock
 * atomically. Fills result on success. Errors are HWB-B1xx.
 */
int hwb_lock_create(const struct hwb_lock_options *opts,
		    struct hwb_lock_result *result, struct hwb_error *err);

void hwb_lock_result_release(struct hwb_lock_result *result);
