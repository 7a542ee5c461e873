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
