/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of pkg/sandbox share. A run is split in a
 * parent side (run.c dispatches; namespace.c clones and writes the uid
 * maps, host.c forks, container_run.c starts an engine's client;
 * supervise.c watches every kind alike) and the child's set-up (child.c),
 * which only reads a plan the parent computed (plan.c).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/sandbox/sandbox.h"

/* The uid and gid the build sees for itself inside the sandbox. */
#define HWB_SANDBOX_UID 1000
#define HWB_SANDBOX_GID 1000
/* The host ids a sandbox started by root runs as (nobody/nogroup); kept
 * for reference: builds now get ids of their own (below). */
#define HWB_SANDBOX_ROOT_OUTER_ID 65534
/*
 * When hwb runs as root, each build runs under host ids of its own, from
 * hwb's pid (unique among live processes): HWB_ROOT_ID_BASE + 2 * pid for
 * the namespace's root (the set-up) and + 1 for the build user. Concurrent
 * builds never share RLIMIT_NPROC with each other or with `nobody`, and the
 * namespace's root is never host root. pid_max is at most 2^22, so the
 * range ends below 2^31.
 */
#define HWB_ROOT_ID_BASE 2000000000U
unsigned hwb_sandbox__root_id(int build);
#define HWB_SANDBOX_HOME "/home/build"
/* Every tmpfs of a build is sized, and together they stay within
 * build.limits.memory (their pages are memory): /tmp a half, the home a
 * quarter, /dev/shm an eighth; the set-up root holds only stubs. */
#define HWB_TMPFS_TMP(memory) ((memory) / 2)
#define HWB_TMPFS_HOME(memory) ((memory) / 4)
#define HWB_TMPFS_SHM(memory) ((memory) / 8)
#define HWB_TMPFS_ROOT "size=1m,nr_inodes=4096,mode=0755"
#define HWB_SANDBOX_HOSTNAME "hwb-build"

enum hwb_sandbox__mount_kind {
	HWB_MNT_BIND_RO,  /* read-only, nosuid, nodev bind of a dir or file */
	HWB_MNT_BIND_RW,  /* writable, nosuid, nodev bind */
	HWB_MNT_DEV,      /* bind of a host device node */
	HWB_MNT_SYMLINK,  /* a symlink: src is its target */
	HWB_MNT_TMPFS,    /* a fresh tmpfs owned by the sandbox user */
	HWB_MNT_FILE,     /* a read-only file whose content is src */
	HWB_MNT_BIND_RO_NESTED, /* read-only, inside a writable bind (.git in
				 * the source copy): mounted after those */
};

struct hwb_sandbox__mount {
	enum hwb_sandbox__mount_kind kind;
	char *src;  /* owned; under /oldroot for binds */
	char *dest; /* owned; under /newroot */
	int is_dir; /* binds: the source is a directory */
	int fd;     /* binds when hwb is root: a detached copy of the host
		     * mount (open_tree), which the set-up user, not host root,
		     * could not reach by path; else -1 */
};

/* Everything the child needs, computed before clone(). */
struct hwb_sandbox__plan {
	struct hwb_sandbox__mount *mounts; /* owned, in order */
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
	int own_ids;     /* hwb is root: the maps give the namespace's root
			  * and build user host ids of their own, and the
			  * set-up first becomes that root (host root's ids
			  * are not mapped) */
	int proxy;       /* forward 127.0.0.1:3128 to HWB_SANDBOX_PROXY_INSIDE */
	struct hwb_buf seccomp; /* compiled filter (seccomp.c) */
};

/* The run's memory and pids control group (cgroup.c). */
struct hwb_sandbox__cgroup {
	int version;     /* 1 or 2; 0: none could be made (why says why) */
	char mem[2048];  /* the group's directory (v1: memory hierarchy) */
	char pids[2048]; /* v1: the pids hierarchy's; v2: unused */
	char why[160];
};

/* Make a child of hwb's own group bounded to memory bytes and processes;
 * -1 (not an error: cg->why) where this host does not allow it. */
int hwb_sandbox__cgroup_make(struct hwb_sandbox__cgroup *cg,
			   unsigned long long memory, long processes);
/* Move pid (before it runs anything of the build's) into the group. */
int hwb_sandbox__cgroup_attach(const struct hwb_sandbox__cgroup *cg, pid_t pid);
/* "memory" when the OOM killer acted in the group, "processes" when a
 * fork hit pids.max, else NULL. */
const char *hwb_sandbox__cgroup_limit_hit(const struct hwb_sandbox__cgroup *cg);
/* The most memory the group held (0 when unknown). */
unsigned long long hwb_sandbox__cgroup_peak(const struct hwb_sandbox__cgroup *cg);
/* Kill what is left in the group and remove it. */
void hwb_sandbox__cgroup_destroy(struct hwb_sandbox__cgroup *cg);

/* Records the child writes to err_fd. */
enum hwb_sandbox__record_type {
	HWB_REC_SETUP_ERROR = 1, /* a set-up step failed */
	HWB_REC_EXEC = 2,        /* about to execve the command */
	HWB_REC_EXIT = 3,        /* the command ended; status is a wait status */
};

struct hwb_sandbox__record {
	int type;
	int errnum;
	int status;
	char what[200]; /* the step that failed, with its path */
};

/* The child: sets the sandbox up from plan and runs the command. */
void hwb_sandbox__sandbox_child(const struct hwb_sandbox__plan *plan)
	__attribute__((noreturn));

/* --isolation none: the same descriptors, limits and environment, no
 * namespaces and no seccomp filter. */
void hwb_sandbox__unsandboxed_child(const struct hwb_sandbox__plan *plan)
	__attribute__((noreturn));

/* Compile the deny list into a BPF program (an array of struct
 * sock_filter in out), before clone(). */
int hwb_sandbox__seccomp_compile(struct hwb_buf *out, struct hwb_error *err);
/* The same deny list as an OCI seccomp profile (JSON) for container
 * engines' --security-opt seccomp=FILE. */
int hwb_sandbox__seccomp_profile(struct hwb_buf *out, struct hwb_error *err);
/* Load it: a single prctl, no allocation. -1 with errno. */
int hwb_sandbox__seccomp_install(const struct hwb_buf *program);

/* Fill plan (zeroed by the caller) from spec; release it in any case. */
int hwb_sandbox__plan_make(const struct hwb_sandbox_spec *spec,
			 struct hwb_sandbox__plan *plan, struct hwb_error *err);
void hwb_sandbox__plan_release(struct hwb_sandbox__plan *plan);

/*
 * The scrubbed environment: PATH, HOME, TMPDIR, LANG=C.UTF-8,
 * PYTHONHASHSEED=0, SOURCE_DATE_EPOCH and spec->env, nothing inherited.
 * *out is a NULL-ended array; free each entry and the array.
 */
int hwb_sandbox__env_make(const struct hwb_sandbox_spec *spec,
			const char *home, const char *tmpdir, char ***out,
			struct hwb_error *err);
void hwb_sandbox__env_free(char **envp);

/* Check a spec before anything is created (spec.c). */
int hwb_sandbox__validate(const struct hwb_sandbox_spec *spec,
			struct hwb_error *err);

/* ------------------------------------------------------------------------
 * The one supervisor (supervise.c). Each kind of run starts its child with
 * the descriptors below, calls hwb_sandbox__supervise until it returns 0,
 * stopping the run itself whenever it returns 1, then reaps the child and
 * judges the end with hwb_sandbox__judge.
 */

/* The run's pipes; -1 when closed. The child's ends are above 2. */
struct hwb_sandbox__fds {
	int sync[2];  /* namespaces: the parent has written the maps */
	int err[2];   /* the child's records */
	int out[2];   /* the command's stdout and stderr */
	int null_fd;  /* /dev/null, the command's stdin */
	int sig_fd;   /* signalfd for the SIGINT/SIGTERM the caller blocked */
};

#define HWB_SANDBOX__FDS_INIT { { -1, -1 }, { -1, -1 }, { -1, -1 }, -1, -1 }

int hwb_sandbox__fds_open(struct hwb_sandbox__fds *f, struct hwb_error *err);
void hwb_sandbox__fds_close(struct hwb_sandbox__fds *f);
void hwb_sandbox__close_fd(int *fd);
double hwb_sandbox__now_ms(void);

struct hwb_sandbox__supervisor {
	struct hwb_sandbox_result *result;
	struct hwb_sandbox_limits limits;
	size_t log_max;
	double t0, deadline;          /* the run's start; 0: no timeout */
	struct hwb_buf line;          /* partial line awaiting its newline */
	struct hwb_sandbox__record setup_error;
	int have_setup_error;
	int have_exit;
	int exit_status;              /* wait status, from the reaper or
				       * waitpid() */
	int quiet;                    /* keep the output, do not log it */
	struct hwb_buf tail;          /* the last bytes, once the head is
				       * full (the error is there) */
	unsigned long long dropped;   /* bytes between head and tail */
	const struct hwb_sandbox__cgroup *cgroup; /* or NULL */
	const struct hwb_sandbox_spec *spec; /* or NULL; its writable binds
					      * are counted against
					      * limits.disk */
	double next_disk_check;
	int disk_hit;
};

/* The clock starts now; quiet: keep the output without logging it. */
void hwb_sandbox__supervisor_init(struct hwb_sandbox__supervisor *s,
				  struct hwb_sandbox_result *result,
				  const struct hwb_sandbox_limits *limits,
				  int quiet);
/* Restart the clock (the timeout and start_ms count from here). */
void hwb_sandbox__supervisor_start(struct hwb_sandbox__supervisor *s);
void hwb_sandbox__supervisor_release(struct hwb_sandbox__supervisor *s);
/* Stream the output and take the records until both pipes close (0), or
 * return 1 at once when the run must be stopped now (timeout, disk limit,
 * SIGINT or SIGTERM): the caller stops it and calls again. */
int hwb_sandbox__supervise(struct hwb_sandbox__supervisor *s,
			   struct hwb_sandbox__fds *f);
/* The end of the run as the result, or -1 with the error naming the
 * limit, the timeout, the signal or the set-up step. */
int hwb_sandbox__judge(struct hwb_sandbox__supervisor *s,
		       struct hwb_error *err);

/* ------------------------------------------------------------------------
 * The three kinds of run, dispatched by hwb_sandbox_run (run.c) on a
 * validated spec with its limits set.
 */
/* New namespaces, the plan, the uid maps and the cgroup (namespace.c). */
int hwb_sandbox__run_namespaced(const struct hwb_sandbox_spec *spec,
				struct hwb_sandbox_result *result,
				struct hwb_error *err);
/* --isolation none: the same descriptors, limits and environment on the
 * host (host.c). */
int hwb_sandbox__run_unsandboxed(const struct hwb_sandbox_spec *spec,
				 struct hwb_sandbox_result *result,
				 struct hwb_error *err);
/* --isolation container (container_run.c). */
int hwb_sandbox__run_container(const struct hwb_sandbox_spec *spec,
			       struct hwb_sandbox_result *result,
			       struct hwb_error *err);

/* What a host process runs after fork() (child.c). */
enum hwb_sandbox__host_child {
	HWB_SANDBOX__UNSANDBOXED,   /* the command, no namespaces */
	HWB_SANDBOX__ENGINE_CLIENT, /* a container engine's client */
};

/* Fork a host process (host.c): plan's argv, envp, cwd and limits filled
 * by the caller, its descriptors from f. It leads its own session, so a
 * stop kills its process group. The pid, or -1 with err. */
pid_t hwb_sandbox__host_start(struct hwb_sandbox__plan *plan,
			      struct hwb_sandbox__fds *f,
			      enum hwb_sandbox__host_child kind,
			      struct hwb_error *err);
/* waitpid() through EINTR: the wait status. */
int hwb_sandbox__host_wait(pid_t pid);
/* Start, supervise (a stop kills the process group), reap and judge one
 * host process; quiet as hwb_sandbox__supervisor_init. */
int hwb_sandbox__run_host(struct hwb_sandbox__plan *plan,
			  enum hwb_sandbox__host_child kind, int quiet,
			  struct hwb_sandbox_result *result,
			  struct hwb_error *err);

/* The container engine's client: plan's descriptors, environment and
 * argv; no namespaces or rlimits of ours; SIGTERM when hwb dies, which the
 * client forwards to the container (child.c). */
void hwb_sandbox__engine_child(const struct hwb_sandbox__plan *plan)
	__attribute__((noreturn));

/* What a build sees of the host besides its own binds (plan.c),
 * NULL-ended, and the stub files of its /etc. */
extern const char *const hwb_sandbox__system_dirs[];
extern const char *const hwb_sandbox__system_files[];
extern const char *const hwb_sandbox__root_links[];
extern const char hwb_sandbox__passwd_stub[];
extern const char hwb_sandbox__group_stub[];
extern const char hwb_sandbox__hosts_stub[];

/* ------------------------------------------------------------------------
 * --isolation container (container.c, container_run.c, container_probe.c):
 * the same spec run by podman or docker. Codes HWB-B060, HWB-B080..B085.
 */
enum hwb_sandbox__engine {
	HWB_ENGINE_PODMAN = 0,
	HWB_ENGINE_DOCKER,
};

/* The engine and what it runs. Release with hwb_sandbox__container_release. */
struct hwb_sandbox_container {
	enum hwb_sandbox__engine engine;
	char *engine_path;   /* owned; absolute path of the client */
	char *version;       /* owned; the engine's version, NULL before the
			      * probe */
	const char *runtime; /* borrowed (config); OCI runtime, NULL: the
			      * engine's default */
	const char *image;   /* borrowed (config); NULL: rootfs below */
	char *image_id;      /* owned; the local image's id ("sha256:...") */
	const char *python;  /* borrowed (config); the image's interpreter,
			      * which replaces the spec's argv[0] */
	char *rootfs;        /* owned; without an image: a root directory of
			      * mount points, symlinks and the sandbox's stub
			      * /etc files, the host's /usr bound read-only
			      * into it (podman --rootfs) */
	char *seccomp;       /* owned; the sandbox's deny list as an OCI
			      * profile file, which replaces the engine's
			      * default (that one allows ptrace: a backend
			      * could stop the container's init) */
	unsigned uid, gid;   /* --user: never 0 */
	int keep_id;         /* rootless podman: --userns keep-id, so the
			      * user's files stay the user's */
};


/* "podman" or "docker". */
const char *hwb_sandbox__engine_name(enum hwb_sandbox__engine e);
/* Free what ct owns (idempotent). */
void hwb_sandbox__container_release(struct hwb_sandbox_container *ct);

/**
 * The engine's argv for spec (validated by the caller): `<engine> run
 * --rm --name <name>`, the isolation flags, the limits of spec (defaults
 * applied), the scrubbed environment as --env NAME=VALUE pairs only, the
 * binds as -v host:inside:ro|rw, --workdir, then the image and its python,
 * or --rootfs and spec->argv[0], then the rest of spec->argv. *out is
 * NULL-ended; free it with hwb_sandbox__env_free(). HWB-B085: a path the -v
 * syntax cannot carry.
 */
int hwb_sandbox__container_argv(const struct hwb_sandbox_container *ct,
			      const struct hwb_sandbox_spec *spec,
			      const char *name, char ***out,
			      struct hwb_error *err);

/**
 * The client's environment: the entries of environ_in the engine needs
 * (PATH, HOME, XDG_RUNTIME_DIR, DOCKER_HOST, CONTAINERS_CONF, ...) and
 * nothing else. Free with hwb_sandbox__env_free().
 */
int hwb_sandbox__container_client_env(char *const *environ_in, char ***out,
				    struct hwb_error *err);


/* The engine's client runs spec (container_run.c): probe: the output is
 * kept, not logged, and the client's exit status is left as it is (no
 * engine-error or signal reading). */
int hwb_sandbox__container_exec(const struct hwb_sandbox_spec *spec,
				int probe, struct hwb_sandbox_result *result,
				struct hwb_error *err);

/*
 * Run the engine's client (argv, with client_env) on the host, quietly:
 * its output kept in r->log up to log_max bytes, killed after timeout
 * seconds (container_run.c). The return of hwb_sandbox__run_host().
 */
int hwb_sandbox__engine_quiet(const char *const *argv, char **client_env,
			    long timeout, size_t log_max,
			    struct hwb_sandbox_result *r, struct hwb_error *err);

/* The engine's first error line in log (redacted, control characters as
 * '?'), into out; "" when there is none. */
void hwb_sandbox__engine_error_line(const struct hwb_buf *log, char *out,
				  size_t outsz);

/* clone() failed with errnum: diagnose why and fill err (probe.c). */
int hwb_sandbox__probe_explain(int errnum, struct hwb_error *err);

/* Copy bytes both ways between two connected sockets until one closes
 * (proxy.c; pid 1's port forward in child.c). */
void hwb_sandbox__relay(int a, int b);
