/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reqs.h: build requirements. Pin them by hash in a PEP 751 lock
 * (pylock.build.toml), resolved from wheelhouses and a simple index for
 * one or several interpreters (asked once, interp.c), fetch the locked
 * wheels into a download cache checking every digest, and install them
 * without pip into a content-addressed environment cache, checked with
 * pkg/wheel's hwb check before anything is unpacked. Knows nothing of PEP
 * 517 hooks: pkg/build runs those (hwb build, hwb lock). Codes
 * HWB-B100..B199.
 *
 * How `hwb build` uses it (pkg/build/pep517.c):
 *   1. read [build-system] requires;
 *   2. with a lock (pylock.build.toml next to pyproject.toml):
 *        hwb_reqs_lock_read() -> lock;
 *      without one: hwb_reqs_lock_resolve() over the configured wheelhouse
 *      or index -> lock (in memory; its hashes go to the provenance);
 *   3. hwb_reqs_env_prepare() with that lock -> env: a venv of the
 *      interpreter (pyvenv.cfg, bin/python -> the interpreter,
 *      lib/pythonX.Y/site-packages) to mount read-only; run env.python
 *      (or the interpreter with PYTHONPATH=env.site_packages), put env.bin
 *      on PATH; env.pkgs (name, version, wheel, sha256) for the provenance.
 *      Mounted at another path (/env), bin/python still works when the
 *      interpreter is at the same path inside, and the launchers in bin
 *      find site-packages relative to themselves;
 *   4. after get_requires_for_build_* ran in the sandbox:
 *        with a lock: hwb_reqs_lock_check_requirements() refuses a dynamic
 *          requirement the lock does not satisfy;
 *        without: hwb_reqs_lock_add_requirements() resolves them into the
 *          lock, then hwb_reqs_env_prepare() again (a different key, so a
 *          different environment);
 *   5. hwb_reqs_env_release(), hwb_reqs_lock_free().
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

struct hwb_http_options;

/* Longest sha256 hex digest + NUL. */
#define HWB_REQS_SHA256_HEX 65

/* One locked wheel: [[packages.wheels]] of PEP 751. */
struct hwb_reqs_lock_wheel {
	char *name;   /* owned; the file name, e.g. wheel-0.38.4-py3-none-any.whl */
	char *url;    /* owned; NULL when path is set */
	char *path;   /* owned; absolute, or relative to the lock file's dir */
	uint64_t size; /* 0 when unknown */
	char sha256[HWB_REQS_SHA256_HEX]; /* lowercase hex */
};

/* One locked package: [[packages]]. */
struct hwb_reqs_lock_pkg {
	char *name;            /* owned; PEP 503 normalised */
	char *version;         /* owned; as the wheel's METADATA gives it */
	char *marker;          /* owned; NULL: always installed */
	char *requires_python; /* owned; NULL when the package has none */
	char *index;           /* owned; the index's project page, or NULL */
	char **dependencies;   /* owned; names of the packages it requires */
	size_t dependency_count;
	struct hwb_reqs_lock_wheel *wheels; /* owned; sorted by name */
	size_t wheel_count;
};

/* A lock: pylock.build.toml in memory. */
struct hwb_reqs_lock {
	char *requires_python; /* owned; NULL when unknown */
	char *created_by;      /* owned; "hwb" when written by hwb */
	char **environments;   /* owned; PEP 751 environment markers */
	size_t environment_count;
	char **requirements;   /* owned; the top-level requirements locked,
				* kept in [tool.hwb] so a refresh and the
				* "not in the lock" check know them */
	size_t requirement_count;
	struct hwb_reqs_lock_pkg *pkgs; /* owned; sorted by name */
	size_t pkg_count;
};

/** Allocate an empty lock. Returns NULL when out of memory. */
struct hwb_reqs_lock *hwb_reqs_lock_new(void);
/** Free a lock and everything it owns. NULL is allowed. */
void hwb_reqs_lock_free(struct hwb_reqs_lock *lock);
/**
 * Render lock as PEP 751 TOML into out (appended). Deterministic: the same
 * lock gives the same bytes. Returns 0, or -1 (out of memory).
 */
int hwb_reqs_lock_render(const struct hwb_reqs_lock *lock,
			   struct hwb_buf *out, struct hwb_error *err);

/** Read and parse the lock file at path. */
int hwb_reqs_lock_read(const char *path, struct hwb_reqs_lock **out,
			 struct hwb_error *err);

/* ------------------------------------------------------------------------
 * The interpreter (interp.c): what markers, wheel tags and the environment
 * key need, asked once from the interpreter itself.
 */
struct hwb_reqs_interp {
	char *path;            /* owned; absolute, symbolic links resolved */
	char *version;         /* owned; sys.version */
	char *cache_tag;       /* owned; sys.implementation.cache_tag */
	char *platform;        /* owned; sysconfig.get_platform() */
	char *python_version;  /* owned; "3.11" */
	char *python_full_version;
	char *implementation_name;
	char *implementation_version;
	char *os_name;
	char *platform_machine;
	char *platform_release;
	char *platform_system;
	char *platform_version;
	char *platform_python_implementation;
	char *sys_platform;
	char *soabi;           /* owned; sysconfig SOABI, may be "" */
	int glibc_major, glibc_minor; /* 0 when not glibc */
};

#define HWB_REQS_INTERP_INIT { 0 }

/**
 * Run python (a path or a name looked up on PATH; NULL: "python3") once to
 * fill out. Results are cached in <cache>/interp/<hash of path, inode,
 * size, mtime>.json, so a warm call runs no process. Errors: HWB-B120
 * (not found or not runnable), HWB-B121 (unexpected output), HWB-B122 (a
 * wrapper script such as a pyenv shim that does not name the interpreter it
 * runs; one that does is replaced by that interpreter).
 */
int hwb_reqs_interp_probe(const char *python, const char *cache_dir,
			    struct hwb_reqs_interp *out, struct hwb_error *err);
void hwb_reqs_interp_release(struct hwb_reqs_interp *in);


/* ------------------------------------------------------------------------
 * Wheel tags (interp.c); filenames are split by pkg/wheel's
 * hwb_wheel_filename_parse().
 */

/**
 * 1 if a wheel with these tags installs on in: python tag py3/pyXY/cpXY
 * (XY up to the interpreter's), abi none/abi3/the interpreter's, platform
 * any, linux_<arch> or manylinux with a glibc no newer than in's.
 */
int hwb_reqs_wheel_compatible(const char *tags,
				const struct hwb_reqs_interp *in);

/* ------------------------------------------------------------------------
 * The cache directory (fetch.c): $XDG_CACHE_HOME/hwb or ~/.cache/hwb.
 */
/** Malloc'd path of the cache directory (created), or -1 with err. */
int hwb_reqs_cache_dir(char **out, struct hwb_error *err);

/* ------------------------------------------------------------------------
 * Where build requirements come from (finder*.c) and resolution
 * (resolve.c).
 */
struct hwb_reqs_source {
	const char *const *find_links; /* wheelhouse directories */
	size_t find_links_count;
	const char *index_url;         /* PEP 503/691 simple index, or NULL */
	const char *ca_bundle;         /* PEM file for the index, or NULL */
	const struct hwb_http_options *http; /* client settings; NULL:
					      * the defaults */
	int allow_url_requirements;    /* build.allow-url-requirements */
	const char *cache_dir;         /* NULL: hwb_reqs_cache_dir() */
};

/**
 * Resolve requirements (PEP 508 strings) for the interpreter in, adding
 * every package to lock (which may already hold packages: they are kept
 * when they satisfy the requirements, for hwb_reqs_lock_add_requirements).
 * Markers are evaluated for in; a package reached only through requirements
 * with markers records them (joined with "or"). The highest version that
 * satisfies every requirement is chosen, backtracking on conflicts.
 * Errors: HWB-B140 (a requirement does not parse), HWB-B141 (URL
 * requirement refused), HWB-B142 (no candidate), HWB-B143 (conflict: names
 * both requirements), HWB-B144 (a wheel's metadata unreadable), and those of
 * the finders.
 */
int hwb_reqs_lock_resolve(struct hwb_reqs_lock *lock,
			    const char *const *requirements, size_t count,
			    const struct hwb_reqs_source *src,
			    const struct hwb_reqs_interp *in,
			    struct hwb_error *err);

/**
 * For pkg/build: add dynamic requirements (get_requires_for_build_*)
 * to a lock being built without a lock file. The requirements are recorded
 * and resolved together with those already in lock. Same errors.
 */
int hwb_reqs_lock_add_requirements(struct hwb_reqs_lock *lock,
				     const char *const *requirements,
				     size_t count,
				     const struct hwb_reqs_source *src,
				     const struct hwb_reqs_interp *in,
				     struct hwb_error *err);

/* ------------------------------------------------------------------------
 * One lock for several interpreters (lock_merge.c).
 */
/** The PEP 751 environment marker of in (malloc'd; NULL: out of memory). */
char *hwb_reqs_interp_env_marker(const struct hwb_reqs_interp *in);
/**
 * Merge locks[i], each resolved for interps[i], into *out: environments
 * lists each interpreter's marker; a package needed the same way by every
 * interpreter keeps its marker, any other gets "(env) [and (marker)]"
 * terms joined with "or"; wheels, dependencies and requirements are
 * united; requires-python is the oldest interpreter's floor.
 */
int hwb_reqs_lock_merge(struct hwb_reqs_lock *const *locks,
			  const struct hwb_reqs_interp *const *interps,
			  size_t n, struct hwb_reqs_lock **out,
			  struct hwb_error *err);
/**
 * For `hwb build` with a lock: 0 if every requirement whose marker holds
 * for in is satisfied by a locked package (name, version within the
 * specifiers, marker true), else -1 with HWB-B145 naming the requirement
 * and telling to run `hwb lock`.
 */
int hwb_reqs_lock_check_requirements(const struct hwb_reqs_lock *lock,
				       const char *const *requirements,
				       size_t count,
				       const struct hwb_reqs_interp *in,
				       struct hwb_error *err);

/* ------------------------------------------------------------------------
 * The environment cache (envcache.c, install.c).
 */

/* What hwb_reqs_env_prepare() needs. Everything is borrowed. */
struct hwb_reqs_env_request {
	const struct hwb_reqs_lock *lock; /* from a file or resolved */
	const char *lock_dir;   /* the lock file's directory (relative wheel
				 * paths); NULL: the current directory */
	const struct hwb_reqs_interp *interp; /* hwb_reqs_interp_probe() */
	const struct hwb_reqs_source *source; /* where wheels may come from */
	const char *cache_dir;  /* NULL: hwb_reqs_cache_dir() */
	int check_threads;      /* 0: one per online core, at most 8 */
};

/* One package installed in an environment, for the provenance. */
struct hwb_reqs_env_pkg {
	char *name;    /* owned */
	char *version; /* owned */
	char *wheel;   /* owned; the wheel's file name */
	char sha256[HWB_REQS_SHA256_HEX];
};

/* A ready environment. Release with hwb_reqs_env_release(). */
struct hwb_reqs_env {
	char *key;           /* owned; 64 hex digits */
	char *root;          /* owned; <cache>/envs/<key>: a venv for the
			      * interpreter (pyvenv.cfg, bin/python) */
	char *site_packages; /* owned; <root>/lib/pythonX.Y/site-packages */
	char *bin;           /* owned; <root>/bin: PATH (console scripts) */
	char *python;        /* owned; <root>/bin/python, a symbolic link to
			      * the interpreter: run it (even with -I) and
			      * the environment's packages are importable */
	struct hwb_reqs_env_pkg *pkgs; /* owned; sorted by name */
	size_t pkg_count;
	int reused;          /* 1: an existing environment passed its check */
	int rebuilt;         /* 1: an existing one failed its check and was
			      * replaced (a warning was logged) */
	size_t files_checked; /* files hashed by the check (0 when built) */
};

#define HWB_REQS_ENV_INIT { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0 }

/**
 * Give the content-addressed environment for req->lock and req->interp,
 * building it when missing. Steps: the packages whose markers hold for the
 * interpreter are selected, and for each one wheel compatible with it; the
 * key is sha256 over the sorted wheel hashes and the interpreter (realpath,
 * sys.version, cache tag, platform); <cache>/envs/<key>.lock is flock'ed
 * (concurrent builds wait, then reuse); an existing <key> directory is
 * checked against its manifest hwb-env.json (every file's size, mode and
 * sha256, hashed by worker threads, and no file added or missing) and used
 * when it passes; one that fails is logged as a warning and rebuilt, never
 * used. A build fetches each wheel (hwb_reqs__fetch), runs hwb_check_file
 * on it, unpacks it into a temporary directory beside the final one
 * (purelib/platlib to lib/pythonX.Y/site-packages, .data/scripts to bin with "#!python"
 * rewritten, .data/data to the root, .data/headers to include/<name>),
 * writes console_scripts launchers to bin, compiles the modules to .pyc
 * (unchecked-hash, so a read-only environment imports fast), records the
 * manifest, makes the tree read-only and renames it into place.
 *
 * The environment is meant to be bind-mounted read-only at the same path
 * (launchers find site-packages relative to themselves, so another path
 * works too). out is filled only on success.
 *
 * Errors: HWB-B160 (no compatible wheel for a locked package), HWB-B161
 * (a wheel fails hwb check), HWB-B162 (a wheel member cannot be
 * installed: bad path, symbolic link, duplicate), HWB-B163 (cache I/O),
 * HWB-B164 (bytecode compilation failed), and those of hwb_reqs__fetch.
 */
int hwb_reqs_env_prepare(const struct hwb_reqs_env_request *req,
			   struct hwb_reqs_env *out, struct hwb_error *err);

/** Free what env owns; leaves it as HWB_REQS_ENV_INIT. */
void hwb_reqs_env_release(struct hwb_reqs_env *env);
