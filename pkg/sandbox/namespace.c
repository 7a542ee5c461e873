/* SPDX-License-Identifier: Apache-2.0 */
/*
 * namespace.c: a run in new user, mount, PID, network, IPC, UTS and cgroup
 * namespaces. The parent clones the child (child.c sets it up from the
 * plan), moves it into the run's cgroup, writes its uid/gid maps and lets
 * it go; the supervisor (supervise.c) does the rest, and a stop kills the
 * namespace's pid 1, with which the kernel kills the namespace.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"
#include "pkg/core/log.h"

#define SANDBOX_NAMESPACES                                                   \
	(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |          \
	 CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP)

static int write_proc(pid_t pid, const char *name, const char *text)
{
	char path[64];
	int fd, rc = 0;
	size_t len = strlen(text);

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, name);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, text, len) != (ssize_t)len)
		rc = -1;
	close(fd);
	return rc;
}

/*
 * Root maps 0 (the set-up) and 1000 (the build) to host ids of this build's
 * own (hwb_sandbox__root_id), never to host root;
 * anyone else maps 1000 to themselves and must deny setgroups first, or a
 * user could drop a group that a file's permissions deny (CVE-2014-8989).
 */
static int write_maps(pid_t pid, struct hwb_error *err)
{
	char uid_map[64], gid_map[64];
	const char *step = "uid_map";

	if (geteuid() == 0) {
		snprintf(uid_map, sizeof(uid_map), "0 %u 1\n%d %u 1\n",
			 hwb_sandbox__root_id(0), HWB_SANDBOX_UID,
			 hwb_sandbox__root_id(1));
		snprintf(gid_map, sizeof(gid_map), "0 %u 1\n%d %u 1\n",
			 hwb_sandbox__root_id(0), HWB_SANDBOX_GID,
			 hwb_sandbox__root_id(1));
	} else {
		snprintf(uid_map, sizeof(uid_map), "%d %d 1\n", HWB_SANDBOX_UID,
			 (int)geteuid());
		snprintf(gid_map, sizeof(gid_map), "%d %d 1\n", HWB_SANDBOX_GID,
			 (int)getegid());
		step = "setgroups";
		if (write_proc(pid, "setgroups", "deny"))
			goto fail;
	}
	step = "uid_map";
	if (write_proc(pid, "uid_map", uid_map))
		goto fail;
	step = "gid_map";
	if (write_proc(pid, "gid_map", gid_map))
		goto fail;
	return 0;
fail:
	return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B005",
			       "sandbox: setting up the %s of the user namespace failed",
			       step),
	       hwb_error_hint(err, "run 'hwb build' again to see the probe's "
			      "diagnosis; on Ubuntu 24.04 run 'sudo sysctl -w "
			      "kernel.apparmor_restrict_unprivileged_userns=0'");
}

/* Into the cgroup, the maps, then the go: -1 with err (pid killed). */
static int release_child(pid_t pid, struct hwb_sandbox__cgroup *cg,
			 const struct hwb_sandbox_limits *limits,
			 struct hwb_sandbox__fds *f, struct hwb_error *err)
{
	/* The whole build in one memory and pids group, before it runs
	 * anything; where none can be made, the rlimits and the sized tmpfs
	 * mounts hold (the build logged which at its start). */
	if (!hwb_sandbox__cgroup_make(cg, limits->memory, limits->processes) &&
	    hwb_sandbox__cgroup_attach(cg, pid)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B010",
				"sandbox: cannot move the build into its cgroup "
				"'%s'", cg->mem);
		goto fail;
	}
	if (write_maps(pid, err))
		goto fail;
	if (write(f->sync[1], "g", 1) != 1) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B010",
				"sandbox: cannot start the child");
		goto fail;
	}
	return 0;
fail:
	kill(pid, SIGKILL);
	return -1;
}

int hwb_sandbox__run_namespaced(const struct hwb_sandbox_spec *spec,
				struct hwb_sandbox_result *result,
				struct hwb_error *err)
{
	struct hwb_sandbox__plan plan;
	struct hwb_sandbox__fds f = HWB_SANDBOX__FDS_INIT;
	struct hwb_sandbox__supervisor s;
	struct hwb_sandbox__cgroup cg;
	pid_t pid = -1;
	int ret = -1;

	memset(&cg, 0, sizeof(cg));
	memset(&plan, 0, sizeof(plan));
	hwb_buf_init(&plan.seccomp);
	hwb_sandbox__supervisor_init(&s, result, &spec->limits, 0);
	if (hwb_sandbox__plan_make(spec, &plan, err) ||
	    hwb_sandbox__fds_open(&f, err))
		goto cleanup;
	plan.sync_fd = f.sync[0];
	plan.err_fd = f.err[1];
	plan.out_fd = f.out[1];
	plan.null_fd = f.null_fd;
	hwb_sandbox__supervisor_start(&s);
	/* A raw clone without a stack behaves like fork(): the child runs on a
	 * copy of this stack, as bwrap's raw_clone(). */
	pid = (pid_t)syscall(SYS_clone, SANDBOX_NAMESPACES | SIGCHLD, NULL, NULL,
			     NULL, NULL);
	if (pid == 0) {
		close(f.sync[1]);
		close(f.err[0]);
		close(f.out[0]);
		hwb_sandbox__sandbox_child(&plan);
	}
	if (pid < 0) {
		hwb_sandbox__probe_explain(errno, err);
		goto cleanup;
	}
	hwb_sandbox__close_fd(&f.sync[0]);
	hwb_sandbox__close_fd(&f.err[1]);
	hwb_sandbox__close_fd(&f.out[1]);
	hwb_sandbox__close_fd(&f.null_fd);
	if (release_child(pid, &cg, &spec->limits, &f, err))
		goto cleanup;
	s.cgroup = &cg;
	s.spec = spec;
	/* sync[1] stays open until the run ends: pid 1 checks, after its
	 * last credential change re-armed the parent-death signal, that hwb
	 * has not died in between (EOF on sync). */
	while (hwb_sandbox__supervise(&s, &f))
		kill(pid, SIGKILL); /* pid 1 dies, and the namespace with it */
	ret = hwb_sandbox__judge(&s, err);
cleanup:
	hwb_sandbox__fds_close(&f);
	if (pid > 0)
		hwb_sandbox__host_wait(pid);
	/* Anything left (pid 1 killed by the OOM killer, a daemon) dies. */
	if (cg.version)
		hwb_log_verbose("sandbox: peak memory %llu MiB of the %llu MiB "
				"budget (cgroup v%d)",
				hwb_sandbox__cgroup_peak(&cg) >> 20,
				spec->limits.memory >> 20, cg.version);
	hwb_sandbox__cgroup_destroy(&cg);
	hwb_sandbox__supervisor_release(&s);
	hwb_sandbox__plan_release(&plan);
	return ret;
}
