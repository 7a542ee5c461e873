/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of pkg/reqs share: the lock's writer and
 * parser, the finders, fetching, the environment cache's manifest and
 * installer, and the resolver's state.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/core/http.h"
#include "pkg/reqs/reqs.h"

/** Sort packages by name and each package's wheels by name (output order). */
void hwb_reqs__lock_sort(struct hwb_reqs_lock *lock);
/** The package named name (normalised), or NULL. */
struct hwb_reqs_lock_pkg *
hwb_reqs__lock_find(const struct hwb_reqs_lock *lock, const char *name);

/** Render and write atomically to path (mode 0644). */
int hwb_reqs__lock_write(const char *path, const struct hwb_reqs_lock *lock,
			  struct hwb_error *err);

/**
 * Parse a PEP 751 document. Only what hwb needs is kept; packages with an
 * sdist, VCS, directory or archive source and no wheel are refused
 * (HWB-B110: hwb installs build requirements from wheels only), every wheel
 * needs a sha256 (HWB-B111). filename is used in errors. *out is freed with
 * hwb_reqs_lock_free().
 */
int hwb_reqs__lock_parse(const char *text, size_t len, const char *filename,
			  struct hwb_reqs_lock **out, struct hwb_error *err);

/* ------------------------------------------------------------------------
 * A small TOML writer (toml_emit.c). Strings are basic strings with the
 * escapes TOML 1.0 requires; keys are bare when they can be.
 */

/** Append s (len bytes, UTF-8) as a TOML basic string, quotes included. */
int hwb_reqs__toml_string(struct hwb_buf *out, const char *s, size_t len);
/** Append a key: bare if it is [A-Za-z0-9_-]+, else a quoted key. */
int hwb_reqs__toml_key(struct hwb_buf *out, const char *key);
/** Append `key = "value"\n`. */
int hwb_reqs__toml_kv_str(struct hwb_buf *out, const char *key,
			   const char *value);
/** Append `key = 123\n`. */
int hwb_reqs__toml_kv_int(struct hwb_buf *out, const char *key, int64_t v);
/** Append `key = ["a", "b"]\n` (an empty array when count is 0). */
int hwb_reqs__toml_kv_strs(struct hwb_buf *out, const char *key,
			    const char *const *items, size_t count);

/**
 * 0 when lock has no environments or one of them holds for in; else
 * HWB-B165 telling to lock for this interpreter too.
 */
int hwb_reqs__lock_covers(const struct hwb_reqs_lock *lock,
			   const struct hwb_reqs_interp *in,
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
int hwb_reqs__fetch(const struct hwb_reqs_lock_pkg *pkg,
		     const struct hwb_reqs_lock_wheel *w,
		     const char *lock_dir, const struct hwb_reqs_source *src,
		     const char *cache_dir, char **out, struct hwb_error *err);

/* The manifest inside an environment directory. */
#define HWB_REQS_ENV_MANIFEST "hwb-env.json"

struct hwb_reqs__manifest_file {
	char *path;     /* owned; relative to the environment's root */
	char *link;     /* owned; a symbolic link's target (bin/python),
			 * NULL for a regular file */
	uint64_t size;
	int exec;       /* owner-executable */
	char sha256[HWB_REQS_SHA256_HEX];   /* as hashed now */
	char expected[HWB_REQS_SHA256_HEX]; /* as recorded (verify) */
};

/* Every regular file of an environment, sorted by path (env_verify.c). */
struct hwb_reqs__manifest {
	struct hwb_reqs__manifest_file *files; /* owned */
	size_t count, cap;
};

/**
 * List and hash (threads workers; 0: one per core) every file under root
 * except the manifest itself; symbolic links are recorded with their
 * target. A special file is HWB-B162.
 */
int hwb_reqs__manifest_build(const char *root, int threads,
			      struct hwb_reqs__manifest *out,
			      struct hwb_error *err);
void hwb_reqs__manifest_release(struct hwb_reqs__manifest *m);

/**
 * Check the environment at root against its manifest with threads workers.
 * 0: intact; 1: differs (why is set in *reason, malloc'd); -1: error.
 */
int hwb_reqs__env_verify(const char *root, int threads, char **reason,
			  size_t *files_checked, struct hwb_error *err);

/** "lib/pythonX.Y/site-packages", the venv layout (malloc'd; NULL: OOM;
 * interp.c). */
char *hwb_reqs__env_site_dir(const struct hwb_reqs_interp *in);

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
int hwb_reqs__install_wheel(struct hwb_wheel_reader *rd,
			     const char *wheel_path, const char *env_root,
			     const struct hwb_reqs_interp *interp,
			     struct hwb_error *err);

/**
 * Run argv (argv[0] an absolute path) with a fixed environment (PATH, LANG,
 * PYTHONHASHSEED), stdin from /dev/null, stdout captured into out (may be
 * NULL; at most 1 MiB kept), stderr inherited. *status is the wait status.
 * -1 with HWB-B120 when it cannot be started.
 */
int hwb_reqs__run(const char *const *argv, struct hwb_buf *out, int *status,
		   struct hwb_error *err);

/* ------------------------------------------------------------------------
 * Finding wheels (finder.c, finder_links.c, finder_index.c).
 */

/* One wheel file a source offers. */
struct hwb_reqs__dist {
	char *filename;        /* owned */
	char *version;         /* owned; from the file name */
	char *tags;            /* owned; "py3-none-any" */
	char *url;             /* owned; index files, else NULL */
	char *path;            /* owned; find-links files (absolute), else NULL */
	char *index_page;      /* owned; the project page it was listed on */
	char *requires_python; /* owned; from the index, or NULL */
	char sha256[HWB_REQS_SHA256_HEX]; /* "" until known */
	uint64_t size;         /* 0 when unknown */
};

/* Every wheel of one project, from every source. */
struct hwb_reqs__project {
	char *name;                    /* owned; normalised */
	struct hwb_reqs__dist *dists; /* owned */
	size_t count, cap;
};

struct hwb_http_client;

/* The sources, with per-project answers cached for one resolution. */
struct hwb_reqs__finder {
	const struct hwb_reqs_source *src; /* borrowed */
	char *cache_dir;                     /* owned */
	struct hwb_http_client *http;        /* owned; made on first use */
	struct hwb_reqs__project *projects; /* owned */
	size_t count, cap;
};

/** Set up a finder over src; release with hwb_reqs__finder_release(). */
int hwb_reqs__finder_init(struct hwb_reqs__finder *f,
			   const struct hwb_reqs_source *src,
			   struct hwb_error *err);
void hwb_reqs__finder_release(struct hwb_reqs__finder *f);

/**
 * Every wheel of project name (normalised) in the find-links directories
 * and on the index. An unknown project gives count 0, not an error.
 * *out stays owned by f.
 */
int hwb_reqs__finder_project(struct hwb_reqs__finder *f, const char *name,
			      const struct hwb_reqs__project **out,
			      struct hwb_error *err);

/** Append a dist to p (fields copied; project.c). */
int hwb_reqs__project_add(struct hwb_reqs__project *p,
			   const struct hwb_reqs__dist *d,
			   struct hwb_error *err);
/** Free what p owns. */
void hwb_reqs__project_release(struct hwb_reqs__project *p);

/** Wheels of name from the find-links directories (finder_links.c). */
int hwb_reqs__links_scan(const struct hwb_reqs_source *src,
			  const char *name, struct hwb_reqs__project *p,
			  struct hwb_error *err);

/**
 * Wheels of name from the index (finder_index.c): GET <index>/<name>/ with
 * PEP 691 JSON preferred, PEP 503 HTML accepted; yanked files are left
 * out. 404 gives none. HWB-B131: the page cannot be parsed; HTTP errors as
 * pkg/core/http gives them.
 */
int hwb_reqs__index_scan(struct hwb_reqs__finder *f, const char *name,
			  struct hwb_reqs__project *p, struct hwb_error *err);

/** Parse a project page (exposed for tests and fuzzing). */
int hwb_reqs__index_parse(const char *body, size_t len, int json,
			   const char *page_url, struct hwb_reqs__project *p,
			   struct hwb_error *err);

/** Resolve a link ref found on the page at base into an absolute URL. */
char *hwb_reqs__url_join(const char *base, const char *ref);

/**
 * Make sure d->sha256 is known: hash a local file, or download a remote one
 * into the cache, checking the index's hash (fetch.c). *local_out (may be
 * NULL) receives a malloc'd path of a local copy.
 */
int hwb_reqs__dist_materialize(struct hwb_reqs__finder *f,
				struct hwb_reqs__dist *d, char **local_out,
				struct hwb_error *err);

/* ------------------------------------------------------------------------
 * A wheel's core metadata (wheel_meta.c).
 */
struct hwb_reqs__wheel_meta {
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
int hwb_reqs__wheel_meta_read(const char *path,
			       struct hwb_reqs__wheel_meta *out,
			       struct hwb_error *err);
void hwb_reqs__wheel_meta_release(struct hwb_reqs__wheel_meta *m);


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
	struct hwb_reqs__dist *dist; /* borrowed from the finder */
	struct hwb_reqs__wheel_meta meta; /* owned */
	char *local;                 /* owned; the wheel on disk */
	int usable;                  /* Requires-Python accepts the interp */
};

struct rs_candidate {
	struct hwb_pep440_version version;
	struct hwb_reqs__dist *dist; /* borrowed; a compatible wheel */
};

struct rs_candidates {
	struct rs_candidate *items; /* owned; highest version first */
	size_t count;
};

struct rs_state {
	const struct hwb_reqs_source *src;  /* borrowed */
	const struct hwb_reqs_interp *in;   /* borrowed */
	struct hwb_reqs__finder finder;      /* owned */
	const char *where;                    /* sources, for messages */
	struct rs_edge *edges;                /* owned */
	size_t edge_count, edge_cap;
	struct rs_pin *pins;                  /* owned; in pin order */
	size_t pin_count, pin_cap;
	struct hwb_error conflict;            /* the first dead end seen */
};

/** Marker environment of in (strings borrowed; extra NULL; interp.c). */
void hwb_reqs__interp_marker_env(const struct hwb_reqs_interp *in,
				  struct hwb_marker_env *env);
/** 1 if the PEP 508 marker text (NULL: none) holds in env, 0 if not, -1
 * with err when it does not parse. */
int hwb_reqs__marker_holds(const char *marker,
			    const struct hwb_marker_env *env,
			    struct hwb_error *err);
/** Add top-level requirements and search; -1 with err when impossible. */
int hwb_reqs__rs_run(struct rs_state *st, const char *const *reqs,
		      size_t count, const char *origin, struct hwb_error *err);
void hwb_reqs__rs_release(struct rs_state *st);
/** The versions of name with a compatible wheel, highest first. */
int hwb_reqs__rs_candidates(struct rs_state *st, const char *name,
			     struct rs_candidates *out, struct hwb_error *err);
void hwb_reqs__rs_candidates_release(struct rs_candidates *c);
/** Append a pin for c (reads its metadata); -1 on error. */
int hwb_reqs__rs_pin(struct rs_state *st, const char *name,
		      const struct rs_candidate *c, struct hwb_error *err);
/** 1 if edge e's marker holds for the interpreter (with its extra). */
int hwb_reqs__rs_edge_applies(struct rs_state *st, const struct rs_edge *e,
			       struct hwb_error *err);
/** Replace lock's packages with the pins (after hwb_reqs__rs_run). */
int hwb_reqs__rs_to_lock(struct rs_state *st, struct hwb_reqs_lock *lock,
			  struct hwb_error *err);
/** Free what a lock package owns (lock.c). */
void hwb_reqs__lock_pkg_release(struct hwb_reqs_lock_pkg *p);
