/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of pkg/build share. The sandbox is split in a
 * parent side (sandbox_run.c: validate, clone, uid maps, supervise) and the
 * child's set-up (sandbox.c), which only reads a plan the parent computed.
 */
#pragma once

#include <stddef.h>
#include <sys/types.h>

#include "pkg/build/build.h"

/* The uid and gid the build sees for itself inside the sandbox. */
#define HWB_SANDBOX_UID 1000
#define HWB_SANDBOX_GID 1000
/* The host ids a sandbox started by root runs as (nobody/nogroup). */
#define HWB_SANDBOX_ROOT_OUTER_ID 65534
#define HWB_SANDBOX_HOME "/home/build"
#define HWB_SANDBOX_HOSTNAME "hwb-build"

enum hwb_build__mount_kind {
	HWB_MNT_BIND_RO,  /* read-only, nosuid, nodev bind of a dir or file */
	HWB_MNT_BIND_RW,  /* writable, nosuid, nodev bind */
	HWB_MNT_DEV,      /* bind of a host device node */
	HWB_MNT_SYMLINK,  /* a symlink: src is its target */
	HWB_MNT_TMPFS,    /* a fresh tmpfs owned by the sandbox user */
	HWB_MNT_FILE,     /* a read-only file whose content is src */
};

struct hwb_build__mount {
	enum hwb_build__mount_kind kind;
	char *src;  /* owned; under /oldroot for binds */
	char *dest; /* owned; under /newroot */
	int is_dir; /* binds: the source is a directory */
};

/* Everything the child needs, computed before clone(). */
struct hwb_build__plan {
	struct hwb_build__mount *mounts; /* owned, in order */
	size_t mount_count;
	char **envp;                     /* owned, NULL-ended */
	const char *const *argv;         /* borrowed */
	char *cwd;                       /* owned */
	struct hwb_sandbox_limits limits;
	int sync_fd;  /* read end: the parent has written the maps */
	int err_fd;   /* write end, O_CLOEXEC: error and exit records */
	int out_fd;   /* write end: the command's stdout and stderr */
	int null_fd;  /* /dev/null, the command's stdin */
	int keep_groups; /* setgroups was denied: keep the user's groups */
	struct hwb_buf seccomp; /* compiled filter (sandbox_seccomp.c) */
};

/* Records the child writes to err_fd. */
enum hwb_build__record_type {
	HWB_REC_SETUP_ERROR = 1, /* a set-up step failed */
	HWB_REC_EXEC = 2,        /* about to execve the command */
	HWB_REC_EXIT = 3,        /* the command ended; status is a wait status */
};

struct hwb_build__record {
	int type;
	int errnum;
	int status;
	char what[200]; /* the step that failed, with its path */
};

/* The child: sets the sandbox up from plan and runs the command. */
void hwb_build__sandbox_child(const struct hwb_build__plan *plan)
	__attribute__((noreturn));

/* --isolation none: the same descriptors, limits and environment, no
 * namespaces and no seccomp filter. */
void hwb_build__unsandboxed_child(const struct hwb_build__plan *plan)
	__attribute__((noreturn));

/* Compile the deny list into a BPF program (an array of struct
 * sock_filter in out), before clone(). */
int hwb_build__seccomp_compile(struct hwb_buf *out, struct hwb_error *err);
/* Load it: a single prctl, no allocation. -1 with errno. */
int hwb_build__seccomp_install(const struct hwb_buf *program);

/* Fill plan (zeroed by the caller) from spec; release it in any case. */
int hwb_build__plan_make(const struct hwb_sandbox_spec *spec,
			 struct hwb_build__plan *plan, struct hwb_error *err);
void hwb_build__plan_release(struct hwb_build__plan *plan);

/*
 * The scrubbed environment: PATH, HOME, TMPDIR, LANG=C.UTF-8,
 * PYTHONHASHSEED=0, SOURCE_DATE_EPOCH and spec->env, nothing inherited.
 * *out is a NULL-ended array; free each entry and the array.
 */
int hwb_build__env_make(const struct hwb_sandbox_spec *spec,
			const char *home, const char *tmpdir, char ***out,
			struct hwb_error *err);
void hwb_build__env_free(char **envp);

/* Check a spec before anything is created (sandbox_spec.c). */
int hwb_build__validate(const struct hwb_sandbox_spec *spec,
			struct hwb_error *err);

/* --isolation none (sandbox_run.c). */
int hwb_build__run_unsandboxed(const struct hwb_sandbox_spec *spec,
			       const struct hwb_sandbox_limits *limits,
			       struct hwb_sandbox_result *result,
			       struct hwb_error *err);

/* clone() failed with errnum: diagnose why and fill err (sandbox_probe.c). */
int hwb_build__probe_explain(int errnum, struct hwb_error *err);

/* [build-system] of a project (pyproject.c). */
struct hwb_build__system {
	char **requires;      /* owned PEP 508 strings */
	size_t require_count;
	char *backend;        /* owned "module:object" */
	char **backend_path;  /* owned, relative entries */
	size_t path_count;
	int legacy;           /* the setuptools __legacy__ default applied */
	struct hwb_sandbox_limits limits; /* [tool.hwb.build.limits]; 0 unset */
};

struct hwb_toml_value;

int hwb_build__read_system(const char *srcdir, struct hwb_build__system *s,
			   struct hwb_error *err);
void hwb_build__system_release(struct hwb_build__system *s);
int hwb_build__read_limits(const struct hwb_toml_value *doc,
			   struct hwb_sandbox_limits *l, const char *file,
			   struct hwb_error *err);
/* Every backend-path entry, resolved, inside srcdir (resolved). */
int hwb_build__check_backend_path(const char *srcdir,
				  const struct hwb_build__system *s,
				  struct hwb_error *err);

/* The source tree's origin and time (source.c). */
struct hwb_build__source {
	long long epoch;        /* SOURCE_DATE_EPOCH used, >= 1980-01-01 */
	const char *epoch_from; /* "git", "mtime" or "environment" */
	int from_git;
	char commit[41];        /* HEAD's id, "" outside git */
	long long commit_time;
	char *ref;              /* owned, "refs/heads/main" or NULL */
	char *remote;           /* owned, origin's URL or NULL */
	int dirty;              /* tracked files differ from HEAD */
};

int hwb_build__source_read(const char *srcdir, long long newest_mtime,
			   struct hwb_build__source *s, struct hwb_error *err);
void hwb_build__source_release(struct hwb_build__source *s);

/* Trees (tree.c). */
int hwb_build__copy_tree(const char *src, const char *dst, long long *newest,
			 struct hwb_error *err);
void hwb_build__remove_tree(const char *path);
int hwb_build__unpack_sdist(const char *sdist, const char *dir,
			    struct hwb_error *err);

/* The embedded hook runner script (hook_runner.S), NUL-terminated. */
extern const char hwb_build__hook_runner[];

/* The interpreter (python.c). */
struct hwb_build__python {
	char *exe;     /* owned, resolved host path */
	char *version; /* owned, "3.11.2" */
	char *prefix;  /* owned, sys.base_prefix */
	char xy[16];   /* "3.11" */
};

int hwb_build__python_probe(const char *python, struct hwb_build__python *py,
			    struct hwb_error *err);
void hwb_build__python_release(struct hwb_build__python *py);

/* Resolved build requirements (resolve.c), sorted by name. */
struct hwb_build__req {
	char *name;      /* owned, normalised */
	char *version;   /* owned */
	char *path;      /* owned, the wheel on the host */
	char *filename;  /* owned */
	char sha256[65];
};

struct hwb_build__reqs {
	struct hwb_build__req *items; /* owned */
	size_t count;
};

int hwb_build__resolve(const char *const *requires, size_t count,
		       const char *find_links, struct hwb_build__reqs *out,
		       struct hwb_error *err);
void hwb_build__reqs_release(struct hwb_build__reqs *r);

/* A content-addressed environment (env.c). */
struct hwb_build__env {
	char *dir;    /* owned, <cache>/envs/<key> */
	char key[65];
	int reused;   /* found in the cache and verified */
};

int hwb_build__env_get(const struct hwb_build__python *py,
		       const struct hwb_build__reqs *reqs, const char *cache,
		       struct hwb_build__env *env, struct hwb_error *err);
void hwb_build__env_release(struct hwb_build__env *e);

/*
 * One stage's view for hooks (hook.c): the sandbox spec shared by its
 * hooks (argv and cwd are set per hook) and the paths as the backend sees
 * them: /src, /out, /hook, /env in the sandbox, host paths with
 * --isolation none.
 */
struct hwb_build__stage {
	const struct hwb_build__system *sys;
	struct hwb_sandbox_spec spec;
	struct hwb_sandbox_bind binds[6];
	const char *src_in, *out_in, *hook_in, *env_in;
	const char *hook_host;
	char path[4200];  /* PATH: the environment's bin first */
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
	struct hwb_build__python py;
	struct hwb_build__source source;
	struct hwb_build__reqs reqs;   /* every wheel installed, for provenance */
	struct hwb_sandbox_spec spec;  /* limits, environment, isolation, epoch */
	char **pass_env;               /* owned "NAME=VALUE", NULL-ended */
	json_t *config;                /* config_settings */
	char *work;                    /* owned temporary work directory */
	char *hook_dir;                /* owned, <work>/hook */
	int all_reused;
	long long started, finished;   /* UTC seconds */
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
			       struct hwb_error *err);
int hwb_build__normalize_sdist(const char *path, long long epoch,
			       struct hwb_error *err);
