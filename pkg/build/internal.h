/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of pkg/build share: the PEP 517 frontend,
 * which installs the build requirements with pkg/reqs and runs the
 * backend's hooks in pkg/sandbox, for hwb build and hwb lock.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/build/build.h"
#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/core/http.h"
#include "pkg/reqs/reqs.h"
#include "pkg/sandbox/sandbox.h"

/* rel resolved beneath srcdir into *out (owned), or HWB-B015 when it
 * leads outside through a link (paths.c). */
int hwb_build__project_path(const char *srcdir, const char *rel,
			    const char *key, char **out, struct hwb_error *err);
/* s's find-links, when they came from the project's own files, resolved
 * beneath srcdir into *out (owned, s->find_links_count entries); *out stays
 * NULL when they are the user's own word (paths.c). hwb build and hwb lock
 * both take them this way. */
int hwb_build__project_find_links(const char *srcdir,
				  const struct hwb_build_settings *s,
				  char ***out, struct hwb_error *err);
/* Leftovers of killed builds (leftovers.c): the lock a build holds on its
 * work directory, and the sweeps that remove unlocked ones of ours. */
int hwb_build__work_lock(const char *work, int *fd, struct hwb_error *err);
void hwb_build__sweep_work(const char *tmpdir);
void hwb_build__sweep_outdir(const char *outdir);
/* A blocked SIGINT or SIGTERM is pending: consume it, fail (build.c). */
int hwb_build__check_interrupt(struct hwb_error *err);

/**
 * For hwb lock (lock_hooks.c, called by lock_create.c): run
 * get_requires_for_build_sdist and get_requires_for_build_wheel in the
 * build sandbox (or unsandboxed with --isolation none, warned about), with lock's packages installed from
 * the environment cache and a copy of o->srcdir, and add what they return
 * to lock (hwb_reqs_lock_add_requirements). HWB-B146: a hook returned
 * something other than a list of strings; the hooks' own errors are
 * hook.c's (HWB-B05x).
 */
int hwb_build__lock_dynamic(const struct hwb_lock_options *o,
			    struct hwb_reqs_lock *lock, const char *lock_dir,
			    const struct hwb_reqs_source *src,
			    const struct hwb_reqs_interp *in,
			    struct hwb_error *err);

/* ========================================================================
 * The PEP 517 frontend (pyproject.c, origin.c, tree.c, hook.c, pep517.c,
 * build.c, normalize.c, outputs.c, sbom.c, provenance.c, validate.c).
 * Codes HWB-B030..B099.
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
/*
 * Unpacking an sdist in hwb check's walk of it (tree.c): open fills v with
 * the unpacker of the new directory dir; hwb_check_sdist(..., v, ...)
 * then drives it; close releases it (the tree stays).
 */
struct hwb_sdist_visitor;
struct hwb_build__unpack {
	const char *dir; /* not owned */
	int root;        /* dir, open */
	int fd;          /* the file being written, or -1 */
};
int hwb_build__unpack_open(struct hwb_build__unpack *u, const char *dir,
			   struct hwb_sdist_visitor *v, struct hwb_error *err);
void hwb_build__unpack_close(struct hwb_build__unpack *u);

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
	struct hwb_reqs_interp py;   /* interp.c */
	char *py_prefix;               /* owned, the interpreter's prefix */
	struct hwb_build__origin source;
	struct hwb_build__wh reqs;   /* every wheel installed, for provenance */
	struct hwb_reqs_lock *lock;  /* owned: from the file or resolved */
	int locked;                    /* lock came from pylock.build.toml */
	struct hwb_reqs_source req_source; /* wheelhouse and index */
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

/*
 * Normalise an output in place and check it for local use (outputs.c); a
 * finding that blocks fails with HWB-B068. The sdist is checked in one walk
 * that also unpacks it into unpack_to (a new directory) unless that is
 * NULL: the wheel stage then builds from exactly what the check read.
 */
int hwb_build__finish_sdist(struct hwb_build__ctx *c, const char *dir,
			    const char *name, const char *unpack_to,
			    struct hwb_error *err);
int hwb_build__finish_wheel(struct hwb_build__ctx *c, const char *dir,
			    const char *name, struct hwb_error *err);

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
