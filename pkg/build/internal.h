/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of pkg/build share: the build requirements
 * (locks, resolution, fetching, the environment cache) and the PEP 517
 * frontend that runs its hooks in pkg/sandbox.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/build/build.h"
#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/core/http.h"
#include "pkg/sandbox/sandbox.h"


/* rel resolved beneath srcdir into *out (owned), or HWB-B015 when it
 * leads outside through a link (paths.c). */
int hwb_build__project_path(const char *srcdir, const char *rel,
			    const char *key, char **out, struct hwb_error *err);
/* Leftovers of killed builds (leftovers.c): the lock a build holds on its
 * work directory, and the sweeps that remove unlocked ones of ours. */
int hwb_build__work_lock(const char *work, int *fd, struct hwb_error *err);
void hwb_build__sweep_work(const char *tmpdir);
void hwb_build__sweep_outdir(const char *outdir);
/* A blocked SIGINT or SIGTERM is pending: consume it, fail (build.c). */
int hwb_build__check_interrupt(struct hwb_error *err);

/* ========================================================================
 * Build requirements: lock files, resolution, fetching and the environment
 * cache (lock*.c, toml_emit.c, interp.c, finder*.c, resolve.c,
 * fetch.c, install.c, envcache.c). Codes HWB-B100..B199.
 *
 * How `hwb build` uses this section (the build helper's code):
 *   1. read [build-system] requires (pep517*.c);
 *   2. with a lock (pylock.build.toml next to pyproject.toml):
 *        hwb_build__lock_read() -> lock;
 *      without one: hwb_build__lock_resolve() over the configured wheelhouse
 *      or index -> lock (in memory; its hashes go to the provenance);
 *   3. hwb_build__env_prepare() with that lock -> env: a venv of the
 *      interpreter (pyvenv.cfg, bin/python -> the interpreter,
 *      lib/pythonX.Y/site-packages) to mount read-only; run env.python
 *      (or the interpreter with PYTHONPATH=env.site_packages), put env.bin
 *      on PATH; env.pkgs (name, version, wheel, sha256) for the provenance.
 *      Mounted at another path (/env), bin/python still works when the
 *      interpreter is at the same path inside, and the launchers in bin
 *      find site-packages relative to themselves;
 *   4. after get_requires_for_build_* ran in the sandbox:
 *        with a lock: hwb_build__lock_check_requirements() refuses a dynamic
 *          requirement the lock does not satisfy;
 *        without: hwb_build__lock_add_requirements() resolves them into the
 *          lock, then hwb_build__env_prepare() again (a different key, so a
 *          different environment);
 *   5. hwb_build__env_release(), hwb_build__lock_free().
 * ======================================================================== */

/* Longest sha256 hex digest + NUL. */
#define HWB_BUILD_SHA256_HEX 65

/* One locked wheel: [[packages.wheels]] of PEP 751. */
struct hwb_build__lock_wheel {
	char *name;   /* owned; the file name, e.g. wheel-0.38.4-py3-none-any.whl */
	char *url;    /* owned; NULL when path is set */
	char *path;   /* owned; absolute, or relative to the lock file's dir */
	uint64_t size; /* 0 when unknown */
	char sha256[HWB_BUILD_SHA256_HEX]; /* lowercase hex */
};

/* One locked package: [[packages]]. */
struct hwb_build__lock_pkg {
	char *name;            /* owned; PEP 503 normalised */
	char *version;         /* owned; as the wheel's METADATA gives it */
	char *marker;          /* owned; NULL: always installed */
	char *requires_python; /* owned; NULL when the package has none */
	char *index;           /* owned; the index's project page, or NULL */
	char **dependencies;   /* owned; names of the packages it requires */
	size_t dependency_count;
	struct hwb_build__lock_wheel *wheels; /* owned; sorted by name */
	size_t wheel_count;
};

/* A lock: pylock.build.toml in memory. */
struct hwb_build__lock {
	char *requires_python; /* owned; NULL when unknown */
	char *created_by;      /* owned; "hwb" when written by hwb */
	char **environments;   /* owned; PEP 751 environment markers */
	size_t environment_count;
	char **requirements;   /* owned; the top-level requirements locked,
				* kept in [tool.hwb] so a refresh and the
				* "not in the lock" check know them */
	size_t requirement_count;
	struct hwb_build__lock_pkg *pkgs; /* owned; sorted by name */
	size_t pkg_count;
};

/** Allocate an empty lock. Returns NULL when out of memory. */
struct hwb_build__lock *hwb_build__lock_new(void);
/** Free a lock and everything it owns. NULL is allowed. */
void hwb_build__lock_free(struct hwb_build__lock *lock);
/** Sort packages by name and each package's wheels by name (output order). */
void hwb_build__lock_sort(struct hwb_build__lock *lock);
/** The package named name (normalised), or NULL. */
struct hwb_build__lock_pkg *
hwb_build__lock_find(const struct hwb_build__lock *lock, const char *name);

/**
 * Render lock as PEP 751 TOML into out (appended). Deterministic: the same
 * lock gives the same bytes. Returns 0, or -1 (out of memory).
 */
int hwb_build__lock_render(const struct hwb_build__lock *lock,
			   struct hwb_buf *out, struct hwb_error *err);

/** Render and write atomically to path (mode 0644). */
int hwb_build__lock_write(const char *path, const struct hwb_build__lock *lock,
			  struct hwb_error *err);

/**
 * Parse a PEP 751 document. Only what hwb needs is kept; packages with an
 * sdist, VCS, directory or archive source and no wheel are refused
 * (HWB-B110: hwb installs build requirements from wheels only), every wheel
 * needs a sha256 (HWB-B111). filename is used in errors. *out is freed with
 * hwb_build__lock_free().
 */
int hwb_build__lock_parse(const char *text, size_t len, const char *filename,
			  struct hwb_build__lock **out, struct hwb_error *err);

/** Read and parse the lock file at path. */
int hwb_build__lock_read(const char *path, struct hwb_build__lock **out,
			 struct hwb_error *err);

/* ------------------------------------------------------------------------
 * A small TOML writer (toml_emit.c). Strings are basic strings with the
 * escapes TOML 1.0 requires; keys are bare when they can be.
 */

/** Append s (len bytes, UTF-8) as a TOML basic string, quotes included. */
int hwb_build__toml_string(struct hwb_buf *out, const char *s, size_t len);
/** Append a key: bare if it is [A-Za-z0-9_-]+, else a quoted key. */
int hwb_build__toml_key(struct hwb_buf *out, const char *key);
/** Append `key = "value"\n`. */
int hwb_build__toml_kv_str(struct hwb_buf *out, const char *key,
			   const char *value);
/** Append `key = 123\n`. */
int hwb_build__toml_kv_int(struct hwb_buf *out, const char *key, int64_t v);
/** Append `key = ["a", "b"]\n` (an empty array when count is 0). */
int hwb_build__toml_kv_strs(struct hwb_buf *out, const char *key,
			    const char *const *items, size_t count);

/* ------------------------------------------------------------------------
 * The interpreter (interp.c): what markers, wheel tags and the environment
 * key need, asked once from the interpreter itself.
 */
struct hwb_build__interp {
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

#define HWB_BUILD_INTERP_INIT { 0 }

/**
 * Run python (a path or a name looked up on PATH; NULL: "python3") once to
 * fill out. Results are cached in <cache>/interp/<hash of path, inode,
 * size, mtime>.json, so a warm call runs no process. Errors: HWB-B120
 * (not found or not runnable), HWB-B121 (unexpected output), HWB-B122 (a
 * wrapper script such as a pyenv shim that does not name the interpreter it
 * runs; one that does is replaced by that interpreter).
 */
int hwb_build__interp_probe(const char *python, const char *cache_dir,
			    struct hwb_build__interp *out, struct hwb_error *err);
void hwb_build__interp_release(struct hwb_build__interp *in);


/* ------------------------------------------------------------------------
 * Wheel tags (interp.c); filenames are split by pkg/wheel's
 * hwb_wheel_filename_parse().
 */

/**
 * 1 if a wheel with these tags installs on in: python tag py3/pyXY/cpXY
 * (XY up to the interpreter's), abi none/abi3/the interpreter's, platform
 * any, linux_<arch> or manylinux with a glibc no newer than in's.
 */
int hwb_build__wheel_compatible(const char *tags,
				const struct hwb_build__interp *in);

/* ------------------------------------------------------------------------
 * The cache directory (fetch.c): $XDG_CACHE_HOME/hwb or ~/.cache/hwb.
 */
/** Malloc'd path of the cache directory (created), or -1 with err. */
int hwb_build__cache_dir(char **out, struct hwb_error *err);

/* ------------------------------------------------------------------------
 * Where build requirements come from (finder*.c) and resolution
 * (resolve.c).
 */
struct hwb_build__source {
	const char *const *find_links; /* wheelhouse directories */
	size_t find_links_count;
	const char *index_url;         /* PEP 503/691 simple index, or NULL */
	const char *ca_bundle;         /* PEM file for the index, or NULL */
	const struct hwb_http_options *http; /* client settings; NULL:
					      * the defaults */
	int allow_url_requirements;    /* build.allow-url-requirements */
	const char *cache_dir;         /* NULL: hwb_build__cache_dir() */
};

/**
 * Resolve requirements (PEP 508 strings) for the interpreter in, adding
 * every package to lock (which may already hold packages: they are kept
 * when they satisfy the requirements, for hwb_build__lock_add_requirements).
 * Markers are evaluated for in; a package reached only through requirements
 * with markers records them (joined with "or"). The highest version that
 * satisfies every requirement is chosen, backtracking on conflicts.
 * Errors: HWB-B140 (a requirement does not parse), HWB-B141 (URL
 * requirement refused), HWB-B142 (no candidate), HWB-B143 (conflict: names
 * both requirements), HWB-B144 (a wheel's metadata unreadable), and those of
 * the finders.
 */
int hwb_build__lock_resolve(struct hwb_build__lock *lock,
			    const char *const *requirements, size_t count,
			    const struct hwb_build__source *src,
			    const struct hwb_build__interp *in,
			    struct hwb_error *err);

/**
 * For the build helper: add dynamic requirements (get_requires_for_build_*)
 * to a lock being built without a lock file. The requirements are recorded
 * and resolved together with those already in lock. Same errors.
 */
int hwb_build__lock_add_requirements(struct hwb_build__lock *lock,
				     const char *const *requirements,
				     size_t count,
				     const struct hwb_build__source *src,
				     const struct hwb_build__interp *in,
				     struct hwb_error *err);

/**
 * For hwb lock (lock_hooks.c): run get_requires_for_build_sdist and
 * get_requires_for_build_wheel in the build sandbox (or unsandboxed with
 * o->isolation_none, warned about), with lock's packages installed from
 * the environment cache and a copy of o->srcdir, and add what they return
 * to lock (hwb_build__lock_add_requirements). HWB-B146: a hook returned
 * something other than a list of strings; the hooks' own errors are
 * hook.c's (HWB-B05x).
 */
int hwb_build__lock_dynamic(const struct hwb_lock_options *o,
			    struct hwb_build__lock *lock, const char *lock_dir,
			    const struct hwb_build__source *src,
			    const struct hwb_build__interp *in,
			    struct hwb_error *err);

/* ------------------------------------------------------------------------
 * One lock for several interpreters (lock_merge.c).
 */
/** The PEP 751 environment marker of in (malloc'd; NULL: out of memory). */
char *hwb_build__interp_env_marker(const struct hwb_build__interp *in);
/**
 * Merge locks[i], each resolved for interps[i], into *out: environments
 * lists each interpreter's marker; a package needed the same way by every
 * interpreter keeps its marker, any other gets "(env) [and (marker)]"
 * terms joined with "or"; wheels, dependencies and requirements are
 * united; requires-python is the oldest interpreter's floor.
 */
int hwb_build__lock_merge(struct hwb_build__lock *const *locks,
			  const struct hwb_build__interp *const *interps,
			  size_t n, struct hwb_build__lock **out,
			  struct hwb_error *err);
/**
 * 0 when lock has no environments or one of them holds for in; else
 * HWB-B165 telling to lock for this interpreter too.
 */
int hwb_build__lock_covers(const struct hwb_build__lock *lock,
			   const struct hwb_build__interp *in,
			   struct hwb_error *err);

/**
 * For `hwb build` with a lock: 0 if every requirement whose marker holds
 * for in is satisfied by a locked package (name, version within the
 * specifiers, marker true), else -1 with HWB-B145 naming the requirement
 * and telling to run `hwb lock`.
 */
int hwb_build__lock_check_requirements(const struct hwb_build__lock *lock,
				       const char *const *requirements,
				       size_t count,
				       const struct hwb_build__interp *in,
				       struct hwb_error *err);

/* ------------------------------------------------------------------------
 * Fetching locked wheels into the download cache (fetch.c).
 */
/**
 * Make the wheel w available as <cache>/wheels/<sha256>/<w->name> (the name
 * kept for hwb check, which compares it with the metadata) and return that
 * path (malloc'd) in *out. A cached file is re-hashed before use. A wheel
 * with a path is copied only from one of src->find_links (after resolving
 * symbolic links; a relative path is taken relative to lock_dir); a wheel
 * with a url is downloaded only from src->index_url's host. The digest is
 * compared before the file enters the cache: a mismatch is HWB-B150 naming
 * the package, the expected and the actual hash. HWB-B151: source not
 * allowed; HWB-B152: source unreadable or download failed.
 */
int hwb_build__fetch(const struct hwb_build__lock_pkg *pkg,
		     const struct hwb_build__lock_wheel *w,
		     const char *lock_dir, const struct hwb_build__source *src,
		     const char *cache_dir, char **out, struct hwb_error *err);

/* ------------------------------------------------------------------------
 * The environment cache (envcache.c, install.c).
 */

/* What hwb_build__env_prepare() needs. Everything is borrowed. */
struct hwb_build__env_request {
	const struct hwb_build__lock *lock; /* from a file or resolved */
	const char *lock_dir;   /* the lock file's directory (relative wheel
				 * paths); NULL: the current directory */
	const struct hwb_build__interp *interp; /* hwb_build__interp_probe() */
	const struct hwb_build__source *source; /* where wheels may come from */
	const char *cache_dir;  /* NULL: hwb_build__cache_dir() */
	int check_threads;      /* 0: one per online core, at most 8 */
};

/* One package installed in an environment, for the provenance. */
struct hwb_build__env_pkg {
	char *name;    /* owned */
	char *version; /* owned */
	char *wheel;   /* owned; the wheel's file name */
	char sha256[HWB_BUILD_SHA256_HEX];
};

/* A ready environment. Release with hwb_build__env_release(). */
struct hwb_build__env {
	char *key;           /* owned; 64 hex digits */
	char *root;          /* owned; <cache>/envs/<key>: a venv for the
			      * interpreter (pyvenv.cfg, bin/python) */
	char *site_packages; /* owned; <root>/lib/pythonX.Y/site-packages */
	char *bin;           /* owned; <root>/bin: PATH (console scripts) */
	char *python;        /* owned; <root>/bin/python, a symbolic link to
			      * the interpreter: run it (even with -I) and
			      * the environment's packages are importable */
	struct hwb_build__env_pkg *pkgs; /* owned; sorted by name */
	size_t pkg_count;
	int reused;          /* 1: an existing environment passed its check */
	int rebuilt;         /* 1: an existing one failed its check and was
			      * replaced (a warning was logged) */
	size_t files_checked; /* files hashed by the check (0 when built) */
};

#define HWB_BUILD_ENV_INIT { NULL, NULL, NULL, NULL, NULL, NULL, 0, 0, 0, 0 }

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
 * used. A build fetches each wheel (hwb_build__fetch), runs hwb_check_file
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
 * HWB-B164 (bytecode compilation failed), and those of hwb_build__fetch.
 */
int hwb_build__env_prepare(const struct hwb_build__env_request *req,
			   struct hwb_build__env *out, struct hwb_error *err);

/** Free what env owns; leaves it as HWB_BUILD_ENV_INIT. */
void hwb_build__env_release(struct hwb_build__env *env);

/* The manifest inside an environment directory. */
#define HWB_BUILD_ENV_MANIFEST "hwb-env.json"

struct hwb_build__manifest_file {
	char *path;     /* owned; relative to the environment's root */
	char *link;     /* owned; a symbolic link's target (bin/python),
			 * NULL for a regular file */
	uint64_t size;
	int exec;       /* owner-executable */
	char sha256[HWB_BUILD_SHA256_HEX];   /* as hashed now */
	char expected[HWB_BUILD_SHA256_HEX]; /* as recorded (verify) */
};

/* Every regular file of an environment, sorted by path (env_verify.c). */
struct hwb_build__manifest {
	struct hwb_build__manifest_file *files; /* owned */
	size_t count, cap;
};

/**
 * List and hash (threads workers; 0: one per core) every file under root
 * except the manifest itself; symbolic links are recorded with their
 * target. A special file is HWB-B162.
 */
int hwb_build__manifest_build(const char *root, int threads,
			      struct hwb_build__manifest *out,
			      struct hwb_error *err);
void hwb_build__manifest_release(struct hwb_build__manifest *m);

/**
 * Check the environment at root against its manifest with threads workers.
 * 0: intact; 1: differs (why is set in *reason, malloc'd); -1: error.
 */
int hwb_build__env_verify(const char *root, int threads, char **reason,
			  size_t *files_checked, struct hwb_error *err);

/** "lib/pythonX.Y/site-packages", the venv layout (malloc'd; NULL: OOM;
 * interp.c). */
char *hwb_build__env_site_dir(const struct hwb_build__interp *in);

struct hwb_wheel_reader;

/**
 * Unpack the wheel read by rd (opened with the full hwb check, so what is
 * installed is what the check approved; wheel_path names it in errors)
 * into the environment being built at
 * env_root (install.c): purelib/platlib and the root-is-purelib tree to
 * lib/pythonX.Y/site-packages, .data/scripts to bin (a "#!python" first line becomes the
 * interpreter), .data/data to the root, .data/headers to include/<name>,
 * then console_scripts and gui_scripts launchers in bin. Member paths are
 * checked again (no absolute path, "..", symbolic link, duplicate or
 * unknown .data scheme: HWB-B162). Files are created with O_EXCL and mode
 * 644, or 755 for executable members.
 */
int hwb_build__install_wheel(struct hwb_wheel_reader *rd,
			     const char *wheel_path, const char *env_root,
			     const struct hwb_build__interp *interp,
			     struct hwb_error *err);

/**
 * Run argv (argv[0] an absolute path) with a fixed environment (PATH, LANG,
 * PYTHONHASHSEED), stdin from /dev/null, stdout captured into out (may be
 * NULL; at most 1 MiB kept), stderr inherited. *status is the wait status.
 * -1 with HWB-B120 when it cannot be started.
 */
int hwb_build__run(const char *const *argv, struct hwb_buf *out, int *status,
		   struct hwb_error *err);

/* ------------------------------------------------------------------------
 * Finding wheels (finder.c, finder_links.c, finder_index.c).
 */

/* One wheel file a source offers. */
struct hwb_build__dist {
	char *filename;        /* owned */
	char *version;         /* owned; from the file name */
	char *tags;            /* owned; "py3-none-any" */
	char *url;             /* owned; index files, else NULL */
	char *path;            /* owned; find-links files (absolute), else NULL */
	char *index_page;      /* owned; the project page it was listed on */
	char *requires_python; /* owned; from the index, or NULL */
	char sha256[HWB_BUILD_SHA256_HEX]; /* "" until known */
	uint64_t size;         /* 0 when unknown */
};

/* Every wheel of one project, from every source. */
struct hwb_build__project {
	char *name;                    /* owned; normalised */
	struct hwb_build__dist *dists; /* owned */
	size_t count, cap;
};

struct hwb_http_client;

/* The sources, with per-project answers cached for one resolution. */
struct hwb_build__finder {
	const struct hwb_build__source *src; /* borrowed */
	char *cache_dir;                     /* owned */
	struct hwb_http_client *http;        /* owned; made on first use */
	struct hwb_build__project *projects; /* owned */
	size_t count, cap;
};

/** Set up a finder over src; release with hwb_build__finder_release(). */
int hwb_build__finder_init(struct hwb_build__finder *f,
			   const struct hwb_build__source *src,
			   struct hwb_error *err);
void hwb_build__finder_release(struct hwb_build__finder *f);

/**
 * Every wheel of project name (normalised) in the find-links directories
 * and on the index. An unknown project gives count 0, not an error.
 * *out stays owned by f.
 */
int hwb_build__finder_project(struct hwb_build__finder *f, const char *name,
			      const struct hwb_build__project **out,
			      struct hwb_error *err);

/** Append a dist to p (fields copied; project.c). */
int hwb_build__project_add(struct hwb_build__project *p,
			   const struct hwb_build__dist *d,
			   struct hwb_error *err);
/** Free what p owns. */
void hwb_build__project_release(struct hwb_build__project *p);

/** Wheels of name from the find-links directories (finder_links.c). */
int hwb_build__links_scan(const struct hwb_build__source *src,
			  const char *name, struct hwb_build__project *p,
			  struct hwb_error *err);

/**
 * Wheels of name from the index (finder_index.c): GET <index>/<name>/ with
 * PEP 691 JSON preferred, PEP 503 HTML accepted; yanked files are left
 * out. 404 gives none. HWB-B131: the page cannot be parsed; HTTP errors as
 * pkg/core/http gives them.
 */
int hwb_build__index_scan(struct hwb_build__finder *f, const char *name,
			  struct hwb_build__project *p, struct hwb_error *err);

/** Parse a project page (exposed for tests and fuzzing). */
int hwb_build__index_parse(const char *body, size_t len, int json,
			   const char *page_url, struct hwb_build__project *p,
			   struct hwb_error *err);

/** Resolve a link ref found on the page at base into an absolute URL. */
char *hwb_build__url_join(const char *base, const char *ref);

/**
 * Make sure d->sha256 is known: hash a local file, or download a remote one
 * into the cache, checking the index's hash (fetch.c). *local_out (may be
 * NULL) receives a malloc'd path of a local copy.
 */
int hwb_build__dist_materialize(struct hwb_build__finder *f,
				struct hwb_build__dist *d, char **local_out,
				struct hwb_error *err);

/* ------------------------------------------------------------------------
 * A wheel's core metadata (wheel_meta.c).
 */
struct hwb_build__wheel_meta {
	char *name;            /* owned; Name, as written */
	char *version;         /* owned; Version */
	char *requires_python; /* owned; NULL when absent */
	char **requires;       /* owned; Requires-Dist values */
	size_t require_count;
};

/**
 * Read <name>-<version>.dist-info/METADATA from the wheel at path (a zip
 * read with libarchive; the member is capped at 4 MiB). HWB-B144 when the
 * wheel or its METADATA cannot be read.
 */
int hwb_build__wheel_meta_read(const char *path,
			       struct hwb_build__wheel_meta *out,
			       struct hwb_error *err);
void hwb_build__wheel_meta_release(struct hwb_build__wheel_meta *m);


/* ------------------------------------------------------------------------
 * The resolver's state (resolve.c, resolve_lock.c).
 */
#include "pkg/wheel/wheel.h"

/* Build requirements are a handful of packages; a search that needs more
 * edges than this is runaway input. */
#define RS_MAX_EDGES 20000

struct rs_edge {                /* one requirement on one project */
	struct hwb_requirement *req; /* owned */
	char *text;                  /* owned; as written */
	char *name;                  /* owned; normalised */
	char *marker;                /* owned; marker text or NULL */
	char *extra;                 /* owned; the parent's extra it came
				      * with, or NULL */
	long parent;                 /* pin index, -1 for top level */
	const char *origin;          /* borrowed; "pyproject.toml" or the
				      * requiring project's name */
};

struct rs_pin {                 /* one chosen version */
	char dist_name[128];         /* normalised project name */
	char version[64];            /* as the METADATA gives it */
	struct hwb_pep440_version parsed;
	struct hwb_build__dist *dist; /* borrowed from the finder */
	struct hwb_build__wheel_meta meta; /* owned */
	char *local;                 /* owned; the wheel on disk */
	int usable;                  /* Requires-Python accepts the interp */
};

struct rs_candidate {
	struct hwb_pep440_version version;
	struct hwb_build__dist *dist; /* borrowed; a compatible wheel */
};

struct rs_candidates {
	struct rs_candidate *items; /* owned; highest version first */
	size_t count;
};

struct rs_state {
	const struct hwb_build__source *src;  /* borrowed */
	const struct hwb_build__interp *in;   /* borrowed */
	struct hwb_build__finder finder;      /* owned */
	const char *where;                    /* sources, for messages */
	struct rs_edge *edges;                /* owned */
	size_t edge_count, edge_cap;
	struct rs_pin *pins;                  /* owned; in pin order */
	size_t pin_count, pin_cap;
	struct hwb_error conflict;            /* the first dead end seen */
};

/** Marker environment of in (strings borrowed; extra NULL; interp.c). */
void hwb_build__interp_marker_env(const struct hwb_build__interp *in,
				  struct hwb_marker_env *env);
/** 1 if the PEP 508 marker text (NULL: none) holds in env, 0 if not, -1
 * with err when it does not parse. */
int hwb_build__marker_holds(const char *marker,
			    const struct hwb_marker_env *env,
			    struct hwb_error *err);
/** Add top-level requirements and search; -1 with err when impossible. */
int hwb_build__rs_run(struct rs_state *st, const char *const *reqs,
		      size_t count, const char *origin, struct hwb_error *err);
void hwb_build__rs_release(struct rs_state *st);
/** The versions of name with a compatible wheel, highest first. */
int hwb_build__rs_candidates(struct rs_state *st, const char *name,
			     struct rs_candidates *out, struct hwb_error *err);
void hwb_build__rs_candidates_release(struct rs_candidates *c);
/** Append a pin for c (reads its metadata); -1 on error. */
int hwb_build__rs_pin(struct rs_state *st, const char *name,
		      const struct rs_candidate *c, struct hwb_error *err);
/** 1 if edge e's marker holds for the interpreter (with its extra). */
int hwb_build__rs_edge_applies(struct rs_state *st, const struct rs_edge *e,
			       struct hwb_error *err);
/** Replace lock's packages with the pins (after hwb_build__rs_run). */
int hwb_build__rs_to_lock(struct rs_state *st, struct hwb_build__lock *lock,
			  struct hwb_error *err);
/** Free what a lock package owns (lock.c). */
void hwb_build__lock_pkg_release(struct hwb_build__lock_pkg *p);
/* ========================================================================
 * The PEP 517 frontend (pyproject.c, origin.c, tree.c, wheelhouse.c,
 * venv.c, hook.c, pep517.c, build.c, normalize.c, outputs.c,
 * provenance.c). Codes HWB-B030..B099.
 * ======================================================================== */

/* 0 when srcdir has setup.py; else HWB-B039 (call when there is no
 * pyproject.toml): a directory that is not a project is refused. */
int hwb_build__require_project(const char *srcdir, struct hwb_error *err);

/* [build-system] of a project (pyproject.c). */
struct hwb_build__system {
	char **requires;      /* owned PEP 508 strings */
	size_t require_count;
	char *backend;        /* owned "module:object" */
	char **backend_path;  /* owned, relative entries */
	size_t path_count;
	int legacy;           /* the setuptools __legacy__ default applied */
};

struct hwb_toml_value;

int hwb_build__read_system(const char *srcdir, struct hwb_build__system *s,
			   struct hwb_error *err);
/* The same from pyproject.toml's text (file names it in errors). */
int hwb_build__parse_system(const char *text, size_t len, const char *file,
			    struct hwb_build__system *s, struct hwb_error *err);
void hwb_build__system_release(struct hwb_build__system *s);
/* Every backend-path entry, resolved, inside srcdir (resolved). */
int hwb_build__check_backend_path(const char *srcdir,
				  const struct hwb_build__system *s,
				  struct hwb_error *err);

/* The source tree's origin and time (source.c). */
struct hwb_build__origin {
	long long epoch;        /* SOURCE_DATE_EPOCH used, >= 1980-01-01 */
	const char *epoch_from; /* "git", "mtime" or "environment" */
	int from_git;
	char commit[41];        /* HEAD's id, "" outside git */
	long long commit_time;
	char *ref;              /* owned, "refs/heads/main" or NULL */
	char *remote;           /* owned, origin's URL or NULL */
	int dirty;              /* tracked files differ from HEAD */
};

int hwb_build__origin_read(const char *srcdir, long long newest_mtime,
			   struct hwb_build__origin *s, struct hwb_error *err);
void hwb_build__origin_release(struct hwb_build__origin *s);

/* Trees (tree.c). */
int hwb_build__copy_tree(const char *src, const char *dst, long long *newest,
			 struct hwb_error *err);
void hwb_build__remove_tree(const char *path);
int hwb_build__unpack_sdist(const char *sdist, const char *dir,
			    struct hwb_error *err);

/* The embedded hook runner script (hook_runner.S), NUL-terminated. */
extern const char hwb_build__hook_runner[];


/* Resolved build requirements (resolve.c), sorted by name. */
struct hwb_build__wh_item {
	char *name;      /* owned, normalised */
	char *version;   /* owned */
	char *path;      /* owned, the wheel on the host */
	char *filename;  /* owned */
	char sha256[65];
};

struct hwb_build__wh {
	struct hwb_build__wh_item *items; /* owned */
	size_t count;
};

void hwb_build__wh_release(struct hwb_build__wh *r);

/*
 * One stage's view for hooks (hook.c): the sandbox spec shared by its
 * hooks (argv and cwd are set per hook) and the paths as the backend sees
 * them: /src, /out, /hook, /env in the sandbox, host paths with
 * --isolation none.
 */
struct hwb_build__stage {
	const struct hwb_build__system *sys;
	struct hwb_sandbox_spec spec;
	struct hwb_sandbox_bind binds[7];
	const char *src_in, *out_in, *hook_in, *env_in;
	const char *hook_host;
	char path[4200];  /* PATH: the environment's bin first */
	char pythonpath[4200];
	const char *env_list[66]; /* PYTHONPATH and pass-env, NULL-ended */
};

typedef struct json_t json_t;

/* Run hook with kwargs (a JSON object). *result (caller decrefs) holds
 * "return_val" or the "unsupported"/"hook_missing" flag. */
int hwb_build__hook(const struct hwb_build__stage *st, const char *hook,
		    json_t *kwargs, json_t **result, struct hwb_error *err);

/* One hwb_build_run (build.c), shared by its stages (pep517.c). */
struct hwb_build__ctx {
	const struct hwb_build_options *o;
	char *srcdir;                  /* owned, resolved */
	char *outdir;                  /* owned */
	struct hwb_build__system sys;
	struct hwb_build__interp py;   /* interp.c */
	char *py_prefix;               /* owned, the interpreter's prefix */
	struct hwb_build__origin source;
	struct hwb_build__wh reqs;   /* every wheel installed, for provenance */
	struct hwb_build__lock *lock;  /* owned: from the file or resolved */
	int locked;                    /* lock came from pylock.build.toml */
	struct hwb_build__source req_source; /* wheelhouse and index */
	const char *const *allow;      /* build.allow-network, from config */
	size_t allow_count;
	char *proxy_path;              /* owned, <work>/proxy.sock */
	char *src_copy;                /* owned, <work>/src */
	char *git_dir;                 /* owned, <srcdir>/.git when a dir */
	pid_t proxy_pid;               /* the proxy process, or 0 */
	struct hwb_sandbox_spec spec;  /* limits, environment, isolation, epoch */
	char **pass_env;               /* owned "NAME=VALUE", NULL-ended */
	json_t *config;                /* config_settings */
	char *work;                    /* owned temporary work directory */
	char *hook_dir;                /* owned, <work>/hook */
	int all_reused;
	long long started, finished;   /* UTC seconds */
	enum hwb_isolation isolation;  /* from build.isolation */
	struct hwb_sandbox_container *container; /* owned; --isolation container */
	const char *python;            /* borrowed from config, or default */
	char memory_bound[400];        /* the bound in force (provenance) */
	int work_lock;                 /* flock()ed <work>/.lock, or -1 */
	char **find_links;             /* owned: the project's, resolved */
	size_t find_links_count;
};

int hwb_build__config_settings(const char *const *pairs, size_t count,
			       json_t **out, struct hwb_error *err);
/* Run one stage; *name (owned) is the file in out. *unsupported: the
 * backend raised UnsupportedOperation (build_sdist). */
int hwb_build__stage_run(struct hwb_build__ctx *c, int wheel, const char *src,
			 const char *out, char **name, int *unsupported,
			 struct hwb_error *err);
/* Write <outdir>/<name>-<version>.provenance.json (provenance.c). */
int hwb_build__provenance(const struct hwb_build__ctx *c,
			  struct hwb_build_result *r, const char *name,
			  const char *version, struct hwb_error *err);

/* Normalise the outputs in place and check them (outputs.c). */
int hwb_build__finish_outputs(struct hwb_build__ctx *c, const char *sdist_dir,
			      const char *sdist, const char *wheel_dir,
			      const char *wheel, struct hwb_error *err);

/* Rewrite in place into the normal form (normalize.c). */
int hwb_build__normalize_wheel(const char *path, long long epoch,
			       const struct hwb_build__ctx *c, /* NULL: no SBOM */
			       struct hwb_error *err);

/* One wheel member for the SBOM. */
struct hwb_build__sbom_file {
	const char *name; /* borrowed */
	char sha256[65];
};

/* The CycloneDX 1.6 document for the wheel name/version (sbom.c). */
int hwb_build__sbom(const struct hwb_build__ctx *c, const char *name,
		    const char *version, const struct hwb_build__sbom_file *f,
		    size_t count, struct hwb_buf *out, struct hwb_error *err);
int hwb_build__normalize_sdist(const char *path, long long epoch,
			       struct hwb_error *err);

/* Source validation (validate.c): warnings, or -1 with the first finding
 * (HWB_KIND_FAILED) when strict. A private key whose sha256 is one of the
 * ack_count acknowledged keys is a test fixture. */
int hwb_build__validate_source(const char *const *ack, size_t ack_count,
			       const char *srcdir,
			       const struct hwb_build__system *sys, int strict,
			       struct hwb_error *err);
