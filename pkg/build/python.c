/* SPDX-License-Identifier: Apache-2.0 */
/*
 * python.c: facts about the interpreter a build uses (its resolved path,
 * version and prefix), asked once from the interpreter itself on the host.
 * The prefix is bound read-only into the sandbox; the version names the
 * environment's site-packages and goes into the provenance.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "pkg/build/internal.h"

static const char probe_script[] =
	"import os, sys\n"
	"print(os.path.realpath(sys.executable))\n"
	"print('%d.%d.%d' % sys.version_info[:3])\n"
	"print(sys.base_prefix)\n";

void hwb_build__python_release(struct hwb_build__python *py)
{
	free(py->exe);
	free(py->version);
	free(py->prefix);
	memset(py, 0, sizeof(*py));
}

static int run_probe(const char *python, struct hwb_buf *out)
{
	int fds[2], status;
	char buf[1024];
	ssize_t n;
	pid_t pid;

	if (pipe2(fds, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid == 0) {
		char *const argv[] = { (char *)python, "-I", "-c",
				       (char *)probe_script, NULL };
		char *const envp[] = { "LANG=C.UTF-8", "PATH=/usr/bin:/bin", NULL };

		if (dup2(fds[1], 1) < 0)
			_exit(127);
		execve(python, argv, envp);
		_exit(127);
	}
	close(fds[1]);
	while (pid > 0 && (n = read(fds[0], buf, sizeof(buf))) > 0 &&
	       out->len < 65536)
		hwb_buf_put(out, buf, (size_t)n);
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int hwb_build__python_probe(const char *python, struct hwb_build__python *py,
			    struct hwb_error *err)
{
	struct hwb_buf out = HWB_BUF_INIT;
	char *lines[3] = { NULL, NULL, NULL }, *save = NULL, *p;
	int i, major = 0, minor = 0, ret = -1;

	memset(py, 0, sizeof(*py));
	if (!python || python[0] != '/' || run_probe(python, &out)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B040",
			      "cannot run the Python interpreter '%s'",
			      python ? python : "");
		hwb_error_hint(err, "give an absolute path with --python, e.g. "
			       "/usr/bin/python3");
		goto cleanup;
	}
	for (i = 0, p = strtok_r(out.ptr, "\n", &save); p && i < 3;
	     p = strtok_r(NULL, "\n", &save))
		lines[i++] = p;
	if (i < 3 || sscanf(lines[1], "%d.%d", &major, &minor) != 2 ||
	    major != 3 || minor < 8) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B040",
			      "'%s' is not a Python 3.8 or newer interpreter",
			      python);
		hwb_error_hint(err, "give another interpreter with --python");
		goto cleanup;
	}
	py->exe = hwb_strdup(lines[0]);
	py->version = hwb_strdup(lines[1]);
	py->prefix = hwb_strdup(lines[2]);
	snprintf(py->xy, sizeof(py->xy), "%d.%d", major, minor);
	if (!py->exe || !py->version || !py->prefix) {
		hwb_error_oom(err);
		goto cleanup;
	}
	ret = 0;
cleanup:
	if (ret)
		hwb_build__python_release(py);
	hwb_buf_release(&out);
	return ret;
}
