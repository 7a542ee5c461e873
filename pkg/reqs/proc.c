/* SPDX-License-Identifier: Apache-2.0 */
/*
 * proc.c: run the build interpreter outside the sandbox for the two short
 * jobs hwb trusts it with (reporting its own facts, compiling the modules
 * of an environment being built), with a fixed environment: no variable of
 * the user's (PYTHONPATH, tokens) reaches it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/reqs/internal.h"

/* What the interpreter may print back: its facts fit in a few KiB. */
#define CAPTURE_MAX ((size_t)1 << 20)

static char *const child_env[] = {
	"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8",
	"PYTHONHASHSEED=0", NULL,
};

int hwb_reqs__run(const char *const *argv, struct hwb_buf *out, int *status,
		   struct hwb_error *err)
{
	posix_spawn_file_actions_t fa;
	int pipefd[2] = { -1, -1 }, fa_ok = 0, ret = -1, st = 0;
	pid_t pid = -1;
	char chunk[4096];
	ssize_t n;

	if (pipe2(pipefd, O_CLOEXEC)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B120",
				"cannot run '%s'", argv[0]);
		goto cleanup;
	}
	if (posix_spawn_file_actions_init(&fa))
		goto oom;
	fa_ok = 1;
	if (posix_spawn_file_actions_adddup2(&fa, pipefd[1], 1) ||
	    posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0))
		goto oom;
	errno = posix_spawn(&pid, argv[0], &fa, NULL, (char *const *)argv,
			    child_env);
	if (errno) {
		pid = -1;
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B120",
				"cannot run the interpreter '%s'", argv[0]);
		hwb_error_hint(err, "give an installed Python with --python PATH");
		goto cleanup;
	}
	close(pipefd[1]);
	pipefd[1] = -1;
	for (;;) {
		n = read(pipefd[0], chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (out && out->len + (size_t)n <= CAPTURE_MAX)
			hwb_buf_put(out, chunk, (size_t)n);
	}
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	pid = -1;
	*status = st;
	ret = out ? hwb_buf_check(out, err) : 0;
	goto cleanup;
oom:
	hwb_error_oom(err);
cleanup:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	if (fa_ok)
		posix_spawn_file_actions_destroy(&fa);
	if (pipefd[0] >= 0)
		close(pipefd[0]);
	if (pipefd[1] >= 0)
		close(pipefd[1]);
	return ret;
}
