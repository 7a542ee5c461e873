/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.c: processes run on the host under the sandbox's supervision: the
 * command itself with --isolation none (the same scrubbed environment,
 * descriptors and rlimits, no namespaces and no seccomp filter), and a
 * container engine's client (container_run.c). The child leads its own
 * session, so stopping a run kills its whole process group.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"

pid_t hwb_sandbox__host_start(struct hwb_sandbox__plan *plan,
			      struct hwb_sandbox__fds *f,
			      enum hwb_sandbox__host_child kind,
			      struct hwb_error *err)
{
	pid_t pid;

	plan->err_fd = f->err[1];
	plan->out_fd = f->out[1];
	plan->null_fd = f->null_fd;
	pid = fork();
	if (pid == 0) {
		if (kind == HWB_SANDBOX__ENGINE_CLIENT)
			hwb_sandbox__engine_child(plan);
		hwb_sandbox__unsandboxed_child(plan);
	}
	if (pid < 0)
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B010",
				       "cannot start the build command");
	hwb_sandbox__close_fd(&f->err[1]);
	hwb_sandbox__close_fd(&f->out[1]);
	hwb_sandbox__close_fd(&f->null_fd);
	return pid;
}

int hwb_sandbox__host_wait(pid_t pid)
{
	int status = 0;

	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

int hwb_sandbox__run_host(struct hwb_sandbox__plan *plan,
			  enum hwb_sandbox__host_child kind, int quiet,
			  struct hwb_sandbox_result *result,
			  struct hwb_error *err)
{
	struct hwb_sandbox__fds f = HWB_SANDBOX__FDS_INIT;
	struct hwb_sandbox__supervisor s;
	pid_t pid;
	int ret = -1;

	hwb_sandbox__supervisor_init(&s, result, &plan->limits, quiet);
	if (hwb_sandbox__fds_open(&f, err))
		goto cleanup;
	hwb_sandbox__supervisor_start(&s);
	if ((pid = hwb_sandbox__host_start(plan, &f, kind, err)) < 0)
		goto cleanup;
	while (hwb_sandbox__supervise(&s, &f))
		kill(-pid, SIGKILL);
	s.have_exit = 1;
	s.exit_status = hwb_sandbox__host_wait(pid);
	ret = hwb_sandbox__judge(&s, err);
cleanup:
	hwb_sandbox__fds_close(&f);
	hwb_sandbox__supervisor_release(&s);
	return ret;
}

int hwb_sandbox__run_unsandboxed(const struct hwb_sandbox_spec *spec,
				 struct hwb_sandbox_result *result,
				 struct hwb_error *err)
{
	struct hwb_sandbox__plan plan;
	const char *home = getenv("HOME"), *tmp = getenv("TMPDIR");
	int ret = -1;

	memset(&plan, 0, sizeof(plan));
	hwb_buf_init(&plan.seccomp);
	plan.argv = spec->argv;
	plan.limits = spec->limits;
	if (hwb_sandbox__env_make(spec, home ? home : "/", tmp ? tmp : "/tmp",
				  &plan.envp, err))
		goto cleanup;
	if (!(plan.cwd = hwb_strdup(spec->cwd ? spec->cwd : "/"))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	ret = hwb_sandbox__run_host(&plan, HWB_SANDBOX__UNSANDBOXED, 0, result,
				    err);
cleanup:
	hwb_sandbox__plan_release(&plan);
	return ret;
}
