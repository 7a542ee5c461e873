/* SPDX-License-Identifier: Apache-2.0 */
/*
 * container_run.c: runs one build command in a container. The engine's
 * client is a host process (host.c) supervised like every run
 * (supervise.c: live log with redaction, log cap, timeout); what is
 * container-specific is here: a fresh
 * container name per run, killing the container itself at the timeout
 * (docker's container outlives its client), and reading the client's exit
 * status, which carries the engine's own failures (125-127) and a signal
 * that ended the container (128+n).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/sandbox/internal.h"
#include "pkg/core/log.h"

extern char **environ;

/* Seconds `<engine> kill` may take before it is killed in turn. */
#define KILL_TIMEOUT 20L

struct container_run {
	const struct hwb_sandbox_container *ct;
	const char *name;
	char *const *client_env;
};

/* Run `<engine> <verb> [flag] <name>` and wait: the watchdog's own, as it
 * runs after hwb is gone (no logging, no supervision). */
static void watchdog_verb(const struct container_run *run, const char *verb,
			  const char *flag)
{
	const char *argv[] = { run->ct->engine_path, verb, flag ? flag : run->name,
			       flag ? run->name : NULL, NULL };
	pid_t pid = fork();

	if (pid == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);

		if (null >= 0)
			dup2(null, 0), dup2(null, 1), dup2(null, 2);
		execve(argv[0], (char *const *)argv, run->client_env);
		_exit(127);
	}
	if (pid > 0)
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
}

/*
 * The container is the engine's and outlives hwb if hwb is SIGKILLed (the
 * client only gets SIGTERM, which a backend may ignore). A watchdog waits
 * on a pipe: a byte is the run's normal end; EOF is hwb gone, and then it
 * kills and removes the container. Ctrl-C and SIGTERM are not its to obey.
 */
static pid_t start_watchdog(const struct container_run *run, int *done_fd)
{
	int p[2];
	pid_t pid;
	ssize_t n;
	char c;

	*done_fd = -1;
	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		/* Its own session: a kill of hwb's process group spares it. */
		setsid();
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		close(p[1]);
		/* Keep nothing of hwb's open (the work directory's lock). */
		if (dup2(p[0], 3) == 3)
			syscall(SYS_close_range, 4U, ~0U, 0U);
		do
			n = read(3, &c, 1);
		while (n < 0 && errno == EINTR);
		if (n != 1) {
			watchdog_verb(run, "kill", NULL);
			watchdog_verb(run, "rm", "-f");
		}
		_exit(0);
	}
	close(p[0]);
	if (pid < 0) {
		close(p[1]);
		return -1;
	}
	*done_fd = p[1];
	return pid;
}

static void stop_watchdog(pid_t pid, int done_fd)
{
	if (pid <= 0)
		return;
	if (write(done_fd, "x", 1) != 1)
		kill(pid, SIGKILL);
	close(done_fd);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* "hwb-build-" and 16 random hex digits: unique per run, so a timeout
 * kills exactly this container. */
static int fresh_name(char *out, size_t outsz, struct hwb_error *err)
{
	unsigned char r[8];
	size_t i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B082",
				       "container: no random bytes for a "
				       "container name");
	snprintf(out, outsz, "hwb-build-");
	for (i = 0; i < sizeof(r); i++)
		snprintf(out + strlen(out), outsz - strlen(out), "%02x", r[i]);
	return 0;
}

int hwb_sandbox__engine_quiet(const char *const *argv, char **client_env,
			    long timeout, size_t log_max,
			    struct hwb_sandbox_result *r, struct hwb_error *err)
{
	struct hwb_sandbox__plan plan;

	memset(&plan, 0, sizeof(plan));
	hwb_buf_init(&plan.seccomp);
	plan.argv = argv;
	plan.envp = client_env;
	plan.cwd = (char *)"/";
	plan.limits.timeout_seconds = timeout;
	plan.limits.log_max = log_max;
	return hwb_sandbox__run_host(&plan, HWB_SANDBOX__ENGINE_CLIENT, 1, r, err);
}

/* `<engine> <verb> <name>`, quietly; its failure (the container already
 * gone) changes nothing. */
static void engine_verb(const struct container_run *run, const char *verb,
			const char *flag)
{
	struct hwb_sandbox_result r = HWB_SANDBOX_RESULT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	const char *argv[] = { run->ct->engine_path, verb, flag, run->name, NULL };

	if (!flag) {
		argv[2] = run->name;
		argv[3] = NULL;
	}
	if (hwb_sandbox__engine_quiet(argv, (char **)run->client_env,
				    KILL_TIMEOUT, 4096, &r, &err))
		hwb_log_debug("container: %s %s %s: %s",
			      hwb_sandbox__engine_name(run->ct->engine), verb,
			      run->name, err.message);
	hwb_sandbox_result_release(&r);
}

/*
 * Stopping a run (timeout, disk, a signal): the client dies at once, but
 * the container is the engine's: docker's outlives its client. kill
 * (SIGKILL to the whole container), then rm -f, because --rm removes it
 * only later and asynchronously: hwb returns with nothing left behind.
 */
static void stop(pid_t pid, const struct container_run *run)
{
	kill(pid, SIGKILL);
	engine_verb(run, "kill", NULL);
	engine_verb(run, "rm", "-f");
}

void hwb_sandbox__engine_error_line(const struct hwb_buf *log, char *out,
				  size_t outsz)
{
	struct hwb_buf clean = HWB_BUF_INIT;
	const char *p = log->ptr, *end = log->ptr + log->len, *nl;

	out[0] = '\0';
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		/* podman: "Error: ...", docker: "docker: Error response ..." */
		if ((size_t)(nl - p) > 7 && (!strncmp(p, "Error: ", 7) ||
					     !strncmp(p, "docker: ", 8) ||
					     !strncmp(p, "Error response", 14))) {
			if (!hwb_redact(&clean, p, (size_t)(nl - p)))
				snprintf(out, outsz, "%s", clean.ptr);
			break;
		}
	}
	hwb_buf_release(&clean);
}

/*
 * The client's exit status: 125 (the engine failed), 126 and 127 (the
 * command could not be run) with the engine's "Error: ..." line are the
 * engine's; 128+n is the container ended by signal n (SIGKILL without a
 * timeout: the memory cgroup's OOM killer); anything else is the
 * command's own.
 */
static int container_status(int *ws, struct hwb_sandbox_result *r,
			    const struct container_run *run,
			    struct hwb_error *err)
{
	char line[512];
	int code;

	if (!WIFEXITED(*ws))
		return 0;
	code = WEXITSTATUS(*ws);
	if (code >= 125 && code <= 127) {
		hwb_sandbox__engine_error_line(&r->log, line, sizeof(line));
		if (!line[0])
			return 0;
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B082",
				     "container: %s could not run the build: %s",
				     hwb_sandbox__engine_name(run->ct->engine), line),
		       hwb_error_hint(err, "fix the engine (try '%s info'), or "
				      "use the default sandbox",
				      hwb_sandbox__engine_name(run->ct->engine));
	}
	if (code > 128 && code < 128 + 65) {
		*ws = code - 128; /* a wait status "killed by signal n" */
		if (code - 128 == SIGKILL)
			r->limit_hit = "memory";
	}
	return 0;
}

/* Start the client, supervise it (a stop kills the container), reap it
 * and read its status (unless probe). */
static int supervise_client(struct hwb_sandbox__plan *plan,
			    const struct container_run *run, int probe,
			    struct hwb_sandbox_result *result,
			    struct hwb_error *err)
{
	struct hwb_sandbox__fds f = HWB_SANDBOX__FDS_INIT;
	struct hwb_sandbox__supervisor s;
	pid_t pid;
	int ret = -1;

	hwb_sandbox__supervisor_init(&s, result, &plan->limits, probe);
	if (hwb_sandbox__fds_open(&f, err))
		goto cleanup;
	hwb_sandbox__supervisor_start(&s);
	if ((pid = hwb_sandbox__host_start(plan, &f, HWB_SANDBOX__ENGINE_CLIENT,
					   err)) < 0)
		goto cleanup;
	while (hwb_sandbox__supervise(&s, &f))
		stop(pid, run);
	s.have_exit = 1;
	s.exit_status = hwb_sandbox__host_wait(pid);
	if (!probe && !result->timed_out && !s.have_setup_error &&
	    container_status(&s.exit_status, result, run, err))
		goto cleanup;
	ret = hwb_sandbox__judge(&s, err);
cleanup:
	hwb_sandbox__fds_close(&f);
	hwb_sandbox__supervisor_release(&s);
	return ret;
}

int hwb_sandbox__run_container(const struct hwb_sandbox_spec *spec,
			       struct hwb_sandbox_result *result,
			       struct hwb_error *err)
{
	return hwb_sandbox__container_exec(spec, 0, result, err);
}

int hwb_sandbox__container_exec(const struct hwb_sandbox_spec *spec,
				int probe, struct hwb_sandbox_result *result,
				struct hwb_error *err)
{
	struct container_run run;
	struct hwb_sandbox__plan plan;
	char name[32], **argv = NULL;
	int ret = -1, done_fd = -1;
	pid_t watchdog = -1;

	memset(&plan, 0, sizeof(plan));
	hwb_buf_init(&plan.seccomp);
	if (!spec->container)
		HWB_BUG("container isolation without a container");
	if (fresh_name(name, sizeof(name), err) ||
	    hwb_sandbox__container_argv(spec->container, spec, name, &argv,
					err) ||
	    hwb_sandbox__container_client_env(environ, &plan.envp, err))
		goto cleanup;
	if (!(plan.cwd = hwb_strdup("/"))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	run.ct = spec->container;
	run.name = name;
	run.client_env = plan.envp;
	plan.argv = (const char *const *)argv;
	plan.limits = spec->limits;
	hwb_log_debug("container: %s run as %s", run.ct->engine_path, name);
	watchdog = start_watchdog(&run, &done_fd);
	ret = supervise_client(&plan, &run, probe, result, err);
	stop_watchdog(watchdog, done_fd);
cleanup:
	hwb_sandbox__env_free(argv);
	hwb_sandbox__plan_release(&plan);
	return ret;
}
