/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox.h: run one command isolated from the host: Linux namespaces,
 * rlimits, a memory and pids cgroup and a seccomp filter (no setuid helper,
 * no bwrap), or the same spec run by podman or docker, or (--isolation
 * none) on the host under the same supervision. Depends on pkg/core only;
 * pkg/build runs the PEP 517 hooks in it.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"

struct hwb_sandbox_container;

/*
 * Resource limits of one sandboxed command. Defaults fit compilers: nsjail's
 * (1 MiB files, 32 descriptors) break real builds. Whoever builds a spec
 * fills its limits once (hwb_sandbox_limits_default() for what is not
 * configured); hwb_sandbox_run() refuses a spec with a limit left 0, except
 * timeout_seconds, where 0 means "no limit".
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

/** Fill every zero field of l with its default (timeout_seconds: only a
 * negative one). */
void hwb_sandbox_limits_default(struct hwb_sandbox_limits *l);

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
	const struct hwb_sandbox_container *container; /* CONTAINER: the
							* engine, borrowed */
};

/* Where the allow-network proxy appears inside the sandbox: the port pid 1
 * forwards, and the socket it forwards to (a container has no hwb process
 * to forward: the hook runner relays from the socket itself). */
#define HWB_SANDBOX_PROXY_PORT 3128
#define HWB_SANDBOX_PROXY_URL "http://127.0.0.1:3128"
#define HWB_SANDBOX_PROXY_INSIDE "/run/hwb-proxy.sock"

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
 * by limits.memory and limits.processes (cgroup.c). One dispatch (run.c):
 * the namespaces (namespace.c), the host (host.c) or a container engine
 * (container_run.c), all supervised alike (supervise.c).
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

/* The limit a failed run's output shows it hit ("address-space",
 * "processes", ...), or NULL; and the error naming it (HWB-B013). */
const char *hwb_sandbox_limit_from_log(const struct hwb_buf *log);
int hwb_sandbox_limit_error(const struct hwb_sandbox_limits *l,
			    const char *limit, struct hwb_error *err);

/* SIGINT or SIGTERM (sig) ended the run: HWB-B014, kind 130 or 143. */
int hwb_sandbox_interrupted_error(int sig, struct hwb_error *err);

/**
 * One line saying which memory bound a run with this isolation and these
 * limits gets (the cgroup this host allows, or what holds instead), for
 * the log and the provenance.
 */
void hwb_sandbox_memory_bound(enum hwb_isolation isolation,
			      const struct hwb_sandbox_limits *l, char *out,
			      size_t outsz);

/* ------------------------------------------------------------------------
 * --isolation container (container*.c): the engine, chosen and probed once
 * per build, then named by each spec. Codes HWB-B060, HWB-B080..B085.
 */

/* What hwb_sandbox_container_pick() needs. Strings are borrowed for the
 * container's life. */
struct hwb_sandbox_container_request {
	const char *engine;  /* build.container.engine: auto|podman|docker */
	const char *image;   /* build.container.image, or NULL */
	const char *python;  /* build.container.python */
	const char *runtime; /* build.container.runtime, or NULL */
	const char *search_path; /* PATH to find the engine in; NULL: hwb's */
};

/**
 * Choose the engine (auto: podman on PATH, else docker) without running
 * anything; *out is freed with hwb_sandbox_container_free(). HWB-B080: not
 * on PATH; HWB-B081: docker without an image. Never another isolation
 * instead.
 */
int hwb_sandbox_container_pick(const struct hwb_sandbox_container_request *req,
			       struct hwb_sandbox_container **out,
			       struct hwb_error *err);

/**
 * Make ct ready to run builds: without an image, the root directory under
 * work; run `<engine> info` (version), inspect the image (id; HWB-B084 when
 * it is not present: hwb never pulls), and run the interpreter once in a
 * container made like the build's (HWB-B083: the image's Python is not
 * python_version, "X.Y"). HWB-B060 when the engine cannot run containers,
 * quoting its first error line with the remedy. python: the host
 * interpreter's path; prefix: its prefix, bound when it is not under /usr
 * (no image).
 */
int hwb_sandbox_container_probe(struct hwb_sandbox_container *ct,
				const char *work, const char *python,
				const char *python_version, const char *prefix,
				struct hwb_error *err);

/* What a container build records in its provenance; strings borrowed
 * from ct (NULL when unknown or not set). */
struct hwb_sandbox_container_info {
	const char *engine;   /* "podman" or "docker" */
	const char *version;  /* the engine's, after the probe */
	const char *runtime;
	const char *image;    /* NULL: the host's /usr, read-only */
	const char *image_id;
	const char *python;   /* the image's interpreter */
};

void hwb_sandbox_container_info(const struct hwb_sandbox_container *ct,
				struct hwb_sandbox_container_info *out);

/* PATH in an image: the environment's bin links to the host's interpreter,
 * which an image does not have, and images keep Python in /usr/local/bin. */
#define HWB_SANDBOX_IMAGE_PATH "/usr/local/bin:/usr/bin:/bin"

void hwb_sandbox_container_free(struct hwb_sandbox_container *ct);

/* ------------------------------------------------------------------------
 * The allow-network proxy (proxy.c): a process listening on the Unix
 * socket path, tunnelling CONNECTs to the allowed hosts only; bound into
 * each sandbox as spec.proxy_socket.
 */
int hwb_sandbox_proxy_start(const char *path, const char *const *allow,
			    size_t n, pid_t *out, struct hwb_error *err);
void hwb_sandbox_proxy_stop(pid_t pid);

/* ------------------------------------------------------------------------
 * What `hwb doctor` reports of this machine (no build runs).
 */

/* The kernel settings the sandbox depends on (probe.c). */
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
 * The container engine req names, found on PATH: *engine gets its path
 * (owned). With ask, `<engine> info` also runs (seconds) and *version gets
 * its version (owned), else NULL. -1 with the error a build with
 * --isolation container would give (HWB-B080, B081, B060).
 */
int hwb_sandbox_container_check(const struct hwb_sandbox_container_request *req,
				int ask, char **engine, char **version,
				struct hwb_error *err);
