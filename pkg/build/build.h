/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build.h: hwb build. A PEP 517/518/660 frontend whose backend hooks run in
 * pkg/sandbox (hwb build), and hwb lock, which pins the build requirements
 * by hash in a PEP 751 lock (pylock.build.toml; second part of this
 * header). pkg/reqs resolves and installs them for both.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/sandbox/sandbox.h"

struct hwb_http_options;

/*
 * The settings hwb lock and hwb build share, as the configuration gives
 * them with its trust rules applied (cmd/hwb fills them in one place).
 * Strings are borrowed.
 */
struct hwb_build_settings {
	const char *python;            /* build.python; NULL: python3 on PATH */
	const char *const *find_links; /* build.find-links: wheelhouses */
	size_t find_links_count;
	int find_links_on_project_word; /* they come from the project's own
					 * files: hwb build resolves them
					 * beneath the project (HWB-B015) */
	const char *index_url;         /* the index to ask, or NULL */
	int allow_url_requirements;    /* build.allow-url-requirements */
	enum hwb_isolation isolation;  /* build.isolation */
	const struct hwb_http_options *http; /* HTTP client settings; NULL:
					      * the defaults */
};

/*
 * What to build. Strings are borrowed. The settings come from the
 * configuration (pkg/core/config.h: project files may only tighten limits
 * and never set pass-env); the rest is the command's.
 */
struct hwb_build_options {
	const char *srcdir;        /* NULL: "." */
	struct hwb_build_settings settings;
	const char *outdir;        /* build.outdir; NULL: "dist" */
	int outdir_on_project_word; /* resolved beneath the project */
	struct hwb_sandbox_limits limits; /* build.timeout, build.limits.*;
					   * 0: the sandbox's default */
	const char *const *pass_env;      /* build.pass-env names */
	size_t pass_env_count;
	const char *const *allow_network; /* build.allow-network hosts */
	size_t allow_network_count;
	struct hwb_sandbox_container_request container; /* build.container.* */
	int require_lock;          /* build.require-lock */
	int strict;                /* build.strict */
	const char *const *acknowledged_keys; /* check.acknowledged-keys: the
					       * sha256 of test-fixture keys */
	size_t acknowledged_count;
	int wheel;                 /* --wheel */
	int sdist;                 /* --sdist; neither: sdist, then the wheel
				    * from the unpacked sdist */
	const char *const *config_settings; /* "KEY=VALUE"; a repeated key
					     * becomes a list (PEP 517) */
	size_t config_count;
	const char *cache_dir;     /* NULL: $XDG_CACHE_HOME/hwb or ~/.cache/hwb */
	int verify_reproducible;   /* build twice, compare digests */
	const char *const *argv;   /* the command line, for the provenance */
	size_t argc;
};

/* What was built. Release with hwb_build_result_release(). */
struct hwb_build_result {
	char *sdist;           /* owned path in outdir, or NULL */
	char *wheel;           /* owned path in outdir, or NULL */
	char *provenance;      /* owned path of the provenance statement */
	char sdist_sha256[65];
	char wheel_sha256[65];
	long long source_date_epoch;
	int env_reused;        /* every environment came from the cache */
};

#define HWB_BUILD_RESULT_INIT { NULL, NULL, NULL, "", "", 0, 0 }

void hwb_build_result_release(struct hwb_build_result *r);

/**
 * Build the project in o->srcdir with its PEP 517 backend, each hook in a
 * fresh sandboxed process, and move the outputs and a provenance statement
 * into o->outdir atomically. Returns 0, or -1 with err: HWB_KIND_CONFIG for
 * the project's or the machine's set-up, HWB_KIND_BUILD when the backend
 * failed, hit a limit or the timeout, or the two builds of
 * --verify-reproducible differ.
 */
int hwb_build_run(const struct hwb_build_options *o,
		  struct hwb_build_result *r, struct hwb_error *err);

/* What a killed build left behind (leftovers.c): a work directory
 * (TMPDIR/hwb-build-XXXXXX) or a temporary copy in an outdir. */
struct hwb_build_leftover {
	char *path;               /* owned */
	int work;                 /* 1: a work directory; 0: an outdir copy */
	unsigned long long bytes; /* disk space it holds */
};

/** The directory builds make their work directories in ($TMPDIR when it
 * is absolute, else /tmp). */
const char *hwb_build_tmpdir(void);

/**
 * The leftovers the next build would remove (owned by hwb's user, their
 * lock free: no live build's), in tmpdir and in outdir (may be NULL),
 * listed, not removed: *out (free with hwb_build_leftovers_free) and
 * *count. -1 only when out of memory.
 */
int hwb_build_leftovers(const char *tmpdir, const char *outdir,
			struct hwb_build_leftover **out, size_t *count,
			struct hwb_error *err);
void hwb_build_leftovers_free(struct hwb_build_leftover *l, size_t count);

/* ========================================================================
 * hwb lock: pin the build requirements (lock_create.c, lock_hooks.c). Here
 * and not in pkg/reqs, which resolves and installs them, because it also
 * asks the backend's get_requires_for_build_* hooks, in the sandbox.
 * ======================================================================== */

/* Options of hwb_lock_create(). Everything is borrowed. */
struct hwb_lock_options {
	const char *srcdir;            /* project directory; NULL: "." */
	struct hwb_build_settings settings; /* isolation: none runs the
					     * get_requires hooks unsandboxed,
					     * else in the sandbox */
	const char *ca_bundle;         /* PEM CA file for the index, or NULL */
	const char *const *pythons;    /* several interpreters, one lock for
					* all (environments + markers); when
					* set, settings.python is not used */
	size_t python_count;
	const char *output;            /* NULL: <srcdir>/pylock.build.toml */
	const char *cache_dir;         /* NULL: $XDG_CACHE_HOME/hwb */
	int static_only;               /* do not run get_requires_for_build_* */
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
 * the find-links directories and/or the index; then, unless static_only,
 * install them in the environment cache and run the backend's
 * get_requires_for_build_sdist and _wheel hooks in the build sandbox so
 * that the dynamic requirements are locked too; write the PEP 751 lock
 * atomically. Fills result on success. Errors are HWB-B1xx (and the hook
 * runner's HWB-B05x).
 */
int hwb_lock_create(const struct hwb_lock_options *opts,
		    struct hwb_lock_result *result, struct hwb_error *err);

void hwb_lock_result_release(struct hwb_lock_result *result);
