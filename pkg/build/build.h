/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build.h: hwb build. A PEP 517/518/660 frontend whose backend hooks run in a
 * Linux sandbox made of namespaces, rlimits and a seccomp filter (no setuid
 * helper, no bwrap). The sandbox is usable on its own (tests, hwb lock).
 * Checking the outputs (pkg/wheel) and printing are left to the caller.
 * Build requirements are pinned by hash in a PEP 751 lock
 * (pylock.build.toml, hwb lock) and installed without pip into a
 * content-addressed environment cache (second part of this header).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

struct hwb_http_options;
struct hwb_config;
struct hwb_build__container;

/*
 * Resource limits of one sandboxed command. Defaults fit compilers: nsjail's
 * (1 MiB files, 32 descriptors) break real builds. 0 means "no limit" only
 * for timeout_seconds; every other field 0 takes the default.
 */
struct hwb_sandbox_limits {
	long cpu_seconds;        /* RLIMIT_CPU per process */
	unsigned long long address_space; /* RLIMIT_AS bytes per process */
	unsigned long long memory; /* bytes for the whole build: its cgroup,
				    * and the sum of its tmpfs sizes */
	long processes;          /* RLIMIT_NPROC inside the sandbox */
	unsigned long long file_size; /* RLIMIT_FSIZE bytes */
	unsigned long long disk; /* bytes in the writable binds (source copy,
				  * outputs), counted as the build runs */
	long open_files;         /* RLIMIT_NOFILE */
	long timeout_seconds;    /* wall clock for the whole sandbox */
	size_t log_max;          /* bytes of output kept in the result */
};

#define HWB_SANDBOX_CPU_SECONDS 1800L
#define HWB_SANDBOX_ADDRESS_SPACE (8ULL << 30)
#define HWB_SANDBOX_MEMORY (8ULL << 30)
#define HWB_SANDBOX_PROCESSES 1024L
#define HWB_SANDBOX_FILE_SIZE (4ULL << 30)
#define HWB_SANDBOX_DISK (16ULL << 30)
#define HWB_SANDBOX_OPEN_FILES 4096L
#define HWB_SANDBOX_TIMEOUT 1800L
#define HWB_SANDBOX_LOG_MAX ((size_t)16 << 20)

/** Fill every zero field of l with its default. */
void hwb_sandbox_limits_default(struct hwb_sandbox_limits *l);

/*
 * Tighten l with the stricter of each pair (the project's own files may only
 * tighten what the user configured). 0 in tighter means "not set".
 */
void hwb_sandbox_limits_tighten(struct hwb_sandbox_limits *l,
				const struct hwb_sandbox_limits *tighter);

/* A host path made visible inside the sandbox. */
struct hwb_sandbox_bind {
	const char *host;   /* absolute host path, must exist */
	const char *inside; /* absolute path inside the sandbox */
	int writable;       /* 0: read-only, nosuid, nodev */
};

enum hwb_isolation {
	HWB_ISOLATION_SANDBOX = 0,
	HWB_ISOLATION_NONE,
	HWB_ISOLATION_CONTAINER,
};

/*
 * What to run. Strings are borrowed for the duration of hwb_sandbox_run.
 * Writable binds must be directories that the caller created for this run
 * (a copy of the source, an output directory): hwb_sandbox_run hands them to
 * the sandbox user (see hwb_sandbox_prepare_dir).
 */
struct hwb_sandbox_spec {
	const char *const *argv;  /* argv[0]: absolute path inside the sandbox */
	const char *cwd;          /* inside the sandbox */
	const struct hwb_sandbox_bind *binds;
	size_t bind_count;
	const char *path;         /* PATH inside; NULL: /usr/bin:/bin */
	const char *const *env;   /* extra NAME=VALUE, checked with
				   * hwb_sandbox_check_pass_env; NULL-ended */
	long long source_date_epoch; /* < 0: not set */
	struct hwb_sandbox_limits limits;
	enum hwb_isolation isolation;
	const char *proxy_socket; /* host path of the allow-network proxy's
				   * Unix socket, or NULL: inside, pid 1
				   * forwards 127.0.0.1:3128 to it */
	const struct hwb_build__container *container; /* CONTAINER: the engine
						       * (pkg/build's own,
						       * opaque), borrowed */
};

/* Where the allow-network proxy appears inside the sandbox. */
#define HWB_SANDBOX_PROXY_PORT 3128
#define HWB_SANDBOX_PROXY_URL "http://127.0.0.1:3128"

/* How a run ended. Release with hwb_sandbox_result_release(). */
struct hwb_sandbox_result {
	int exit_status;        /* the command's status, or -1 */
	int term_signal;        /* signal that ended it, or 0 */
	int timed_out;          /* the wall-clock limit killed the namespace */
	const char *limit_hit;  /* static text naming the limit, or NULL */
	int log_truncated;      /* output beyond limits.log_max was dropped */
	struct hwb_buf log;     /* captured stdout+stderr (unredacted) */
	double start_ms;        /* clone to execve of the command */
	int interrupted;        /* SIGINT or SIGTERM ended the run, or 0 */
};

#define HWB_SANDBOX_RESULT_INIT { -1, 0, 0, NULL, 0, HWB_BUF_INIT, 0, 0 }

void hwb_sandbox_result_release(struct hwb_sandbox_result *r);

/**
 * Check that this machine lets hwb create the sandbox's namespaces (user,
 * mount, PID, network with lo up). On refusal, err (HWB_KIND_CONFIG) names
 * the cause that was detected (Ubuntu's AppArmor rule, a container's seccomp
 * profile, user.max_user_namespaces=0) and the exact remedy.
 */
int hwb_sandbox_probe(struct hwb_error *err);

/**
 * Run spec->argv in a fresh sandbox and wait for it. The output is streamed
 * live through hwb_log_text (redacted) at HWB_LOG_INFO and kept in
 * result->log up to limits.log_max. Returns 0 when the command ran (whatever
 * its exit status; see result), -1 with err when the sandbox could not be set
 * up (HWB_KIND_CONFIG) or the run hit the timeout or a limit
 * (HWB_KIND_BUILD, result filled too). When the calling thread blocks
 * SIGINT or SIGTERM, their arrival kills the whole sandbox and the run
 * fails with HWB_KIND_INTERRUPTED or HWB_KIND_TERMINATED (HWB-B014).
 * The sandbox also dies with hwb (a parent-death signal on its pid 1),
 * and, where hwb can make one, runs in a memory and pids cgroup bounded
 * by limits.memory and limits.processes (cgroup.c).
 */
int hwb_sandbox_run(const struct hwb_sandbox_spec *spec,
		    struct hwb_sandbox_result *result, struct hwb_error *err);

/**
 * Give a directory tree the caller made for a run (source copy, output dir)
 * to the host user the sandbox runs as. A no-op unless hwb runs as root, in
 * which case the build runs as a host uid of its own (2000000000 + 2 * pid
 * + 1), so that RLIMIT_NPROC holds (the kernel never applies it to uid 0)
 * and counts this build alone; the namespace's root is 2000000000 + 2 * pid.
 */
int hwb_sandbox_prepare_dir(const char *path, struct hwb_error *err);

/**
 * Check one pass-env name from the user's configuration, environment or
 * flags: a valid variable name that does not look like a secret (*TOKEN*,
 * *PASSWORD*, *SECRET*, *_KEY, ...) and is not one the sandbox sets itself.
 */
int hwb_sandbox_check_pass_env(const char *name, struct hwb_error *err);

/* ---- What `hwb doctor` reports of this machine (no build runs) ---- */

/* The kernel settings the sandbox depends on (sandbox_probe.c). */
struct hwb_sandbox_host {
	long max_user_namespaces; /* user.max_user_namespaces; -1: absent */
	long userns_clone;        /* kernel.unprivileged_userns_clone (Debian's
				   * knob); -1: absent */
	long apparmor_restrict;   /* kernel.apparmor_restrict_unprivileged_userns
				   * (Ubuntu 23.10+); -1: absent */
	int under_seccomp;        /* hwb itself runs under a seccomp filter
				   * (a container's profile) */
};

void hwb_sandbox_host_facts(struct hwb_sandbox_host *h);

/**
 * Load the build's seccomp filter in a throw-away child process, as every
 * sandboxed hook does: 0 when the kernel takes it, else -1 with err
 * (HWB-B026, kind CONFIG) saying why.
 */
int hwb_sandbox_seccomp_check(struct hwb_error *err);

/**
 * The bound a build here would get for limits l (defaults applied): the
 * run's memory and pids cgroup is made as a build makes it, described into
 * out (what the build's log and provenance say), and removed. Returns the
 * cgroup version (1 or 2), or 0 when only the per-process limits and the
 * sized tmpfs mounts hold (out says why).
 */
int hwb_sandbox_bound(const struct hwb_sandbox_limits *l, char *out,
		      size_t outsz);

/**
 * The container engine build.container.* names (config may be NULL: auto),
 * found on PATH: *engine gets its path (owned). With ask, `<engine> info`
 * also runs (seconds) and *version gets its version (owned), else NULL.
 * -1 with the error a build with --isolation container would give
 * (HWB-B080, B081, B060).
 */
int hwb_sandbox_container_check(const struct hwb_config *config, int ask,
				char **engine, char **version,
				struct hwb_error *err);

struct hwb_config;

/*
 * What to build. Strings are borrowed. Settings with a trust rule (limits,
 * isolation, pass-env, wheelhouse, interpreter, outdir) come from config
 * (pkg/core/config.h: project files may only tighten limits and never set
 * pass-env); the rest is the command's.
 */
struct hwb_build_options {
	const char *srcdir;        /* NULL: "." */
	const struct hwb_config *config; /* NULL: every default */
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

/**
 * The index hwb lock and hwb build use, one rule for both: build.index-url
 * when it is configured, or when no wheelhouse is given (then its default,
 * PyPI); NULL with a wheelhouse and the default, so that --find-links
 * alone works offline, or when it is set empty.
 */
const char *hwb_build_index_url(const struct hwb_config *cfg,
				size_t find_links_count);

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
 * hwb lock: pin the build requirements (lock*.c, resolve.c, finder*.c)
 * ======================================================================== */

/* Options of hwb_lock_create(). Everything is borrowed. */
struct hwb_lock_options {
	const char *srcdir;            /* project directory; NULL: "." */
	const char *const *find_links; /* wheelhouse directories */
	size_t find_links_count;
	int find_links_beneath;        /* they came from the project's own
					* files: resolved beneath srcdir, and
					* refused (HWB-B015) when a link leads
					* out of the project */
	const char *index_url;         /* simple index (PEP 691/503) or NULL */
	const char *ca_bundle;         /* PEM CA file for the index, or NULL */
	const struct hwb_http_options *http; /* HTTP client settings; NULL:
					      * the defaults */
	const char *python;            /* interpreter; NULL: python3 on PATH */
	const char *const *pythons;    /* several interpreters, one lock for
					* all (environments + markers); when
					* set, python is not used */
	size_t python_count;
	const char *output;            /* NULL: <srcdir>/pylock.build.toml */
	int allow_url_requirements;    /* build.allow-url-requirements */
	const char *cache_dir;         /* NULL: $XDG_CACHE_HOME/hwb */
	int static_only;               /* do not run get_requires_for_build_* */
	int isolation_none;            /* run those hooks unsandboxed */
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
