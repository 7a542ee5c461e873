/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hook.c: calls one PEP 517 hook in a fresh Python process inside the
 * sandbox, through hwb's embedded hook runner (hook_runner.py): the hook's
 * arguments go in <hook dir>/input.json, the result comes back in
 * output.json, as pyproject-hooks does. The runner's flags (no backend,
 * missing hook, UnsupportedOperation, exception) become errors here, except
 * the ones the caller handles as the PEP says.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/build/internal.h"
#include "pkg/core/log.h"
#include "pkg/core/fileio.h"
#include "pkg/core/log.h"

#define OUTPUT_MAX ((size_t)16 << 20)

static int write_input(const struct hwb_build__stage *st, json_t *kwargs,
		       const char *path, struct hwb_error *err)
{
	json_t *doc = json_object(), *bp = json_array();
	char *text = NULL, *entry;
	size_t i;
	int ret = -1;

	if (!doc || !bp)
		goto oom;
	for (i = 0; i < st->sys->path_count; i++) {
		entry = hwb_strdup_printf("%s/%s", st->src_in, st->sys->backend_path[i]);
		if (!entry || json_array_append_new(bp, json_string(entry))) {
			free(entry);
			goto oom;
		}
		free(entry);
	}
	/* No hwb process runs in a container to forward the proxy port. */
	if (st->spec.isolation == HWB_ISOLATION_CONTAINER &&
	    st->spec.proxy_socket &&
	    json_object_set_new(doc, "proxy_relay", json_string(HWB_SANDBOX_PROXY_INSIDE)))
		goto oom;
	if (json_object_set_new(doc, "backend", json_string(st->sys->backend)) ||
	    json_object_set(doc, "backend_path", bp) ||
	    json_object_set(doc, "kwargs", kwargs) ||
	    !(text = json_dumps(doc, JSON_COMPACT)))
		goto oom;
	ret = hwb_file_write_atomic(path, text, strlen(text), 0644, err);
	goto cleanup;
oom:
	hwb_error_oom(err);
cleanup:
	free(text);
	json_decref(bp);
	json_decref(doc);
	return ret;
}

static int read_output(const char *path, json_t **out, struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	json_error_t jerr;
	int ret = -1;

	if (hwb_file_read_all(path, OUTPUT_MAX, &text, err))
		goto cleanup;
	*out = json_loadb(text.ptr, text.len, 0, &jerr);
	if (!*out || !json_is_object(*out)) {
		json_decref(*out);
		*out = NULL;
		hwb_error_set(err, HWB_KIND_BUILD, "HWB-B054",
			      "the hook runner's result '%s' is not a JSON object",
			      path);
		goto cleanup;
	}
	ret = 0;
cleanup:
	hwb_buf_release(&text);
	return ret;
}

static int flag(json_t *o, const char *name)
{
	return json_is_true(json_object_get(o, name));
}

/* Lines of the backend's output shown when a hook fails under -q. */
#define TAIL_LINES 40

/*
 * A failed hook's error points at its output: under -q that output was not
 * shown, so its last lines are, as warnings (errors where -q hides those):
 * the traceback's end, with the exception, is there, and a flood's tail is
 * kept for this (pkg/sandbox/supervise.c).
 */
static void show_tail(const struct hwb_sandbox_result *run)
{
	const char *start = run->log.ptr, *p;
	enum hwb_log_level level = hwb_log_enabled(HWB_LOG_WARN) ? HWB_LOG_WARN
								  : HWB_LOG_ERROR;
	size_t lines = 0;

	if (!run->log.len || hwb_log_enabled(HWB_LOG_INFO))
		return;
	for (p = run->log.ptr + run->log.len - 1; p > run->log.ptr; p--)
		if (*p == '\n' && p[1] && ++lines > TAIL_LINES) {
			start = p + 1;
			break;
		}
	hwb_log(level, "the backend's last output lines:");
	hwb_log_text(level, start,
		     (size_t)(run->log.ptr + run->log.len - start));
}

/* The runner's flags, as errors; "unsupported" and "hook_missing" are
 * left to the caller (PEP 517 gives them meaning). */
static int check_flags(const struct hwb_build__stage *st, const char *hook,
		       json_t *res, const struct hwb_sandbox_result *run,
		       struct hwb_error *err)
{
	const char *limit;

	if (flag(res, "no_backend") || flag(res, "hook_error"))
		show_tail(run);
	if (flag(res, "no_backend"))
		return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B050",
				     "the build backend '%s' cannot be imported "
				     "(traceback above)", st->sys->backend),
		       hwb_error_hint(err, "add the package that provides it to "
				      "[build-system] requires, or fix backend-path");
	if (flag(res, "backend_invalid"))
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B051",
				     "the backend '%s' was not loaded from "
				     "backend-path, as PEP 517 requires",
				     st->sys->backend),
		       hwb_error_hint(err, "rename the in-tree backend module so "
				      "that it does not clash with an installed one");
	/* The runner caught MemoryError or BlockingIOError: name the limit. */
	if (flag(res, "hook_error") && (limit = hwb_sandbox_limit_from_log(&run->log)))
		return hwb_sandbox_limit_error(&st->spec.limits, limit, err);
	if (flag(res, "hook_error"))
		return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B053",
				     "the backend's %s hook failed (traceback "
				     "above)", hook),
		       hwb_error_hint(err, "fix the error the backend reported; "
				      "build with --verbose for its whole output");
	return 0;
}

int hwb_build__hook(const struct hwb_build__stage *st, const char *hook,
		    json_t *kwargs, json_t **result, struct hwb_error *err)
{
	struct hwb_sandbox_result run = HWB_SANDBOX_RESULT_INIT;
	struct hwb_sandbox_spec spec = st->spec;
	char *in = hwb_strdup_printf("%s/input.json", st->hook_host),
	     *out = hwb_strdup_printf("%s/output.json", st->hook_host),
	     *python = hwb_strdup_printf("%s/bin/python", st->env_in);
	/* -s: no user site-packages; not -I, which would drop PYTHONPATH (the
	 * requirements environment) for the backend's own subprocesses too. */
	const char *argv[] = { python, "-s", "-c", hwb_build__hook_runner, hook,
			       st->hook_in, NULL };
	int ret = -1;

	*result = NULL;
	if (!in || !out || !python) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (unlink(out) && errno != ENOENT) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B054",
				"cannot clear '%s'", out);
		goto cleanup;
	}
	if (write_input(st, kwargs, in, err))
		goto cleanup;
	hwb_log_progress("running the backend's %s hook", hook);
	spec.argv = argv;
	spec.cwd = st->src_in;
	if (hwb_sandbox_run(&spec, &run, err))
		goto cleanup;
	if (access(out, F_OK)) {
		const char *limit = run.exit_status ? hwb_sandbox_limit_from_log(&run.log)
						    : NULL;

		if (limit) {
			hwb_sandbox_limit_error(&st->spec.limits, limit, err);
			goto cleanup;
		}
		show_tail(&run);
		hwb_error_set(err, HWB_KIND_BUILD, "HWB-B054",
			      "the %s hook ended (exit status %d, signal %d) "
			      "without a result", hook, run.exit_status,
			      run.term_signal);
		hwb_error_hint(err, "the backend exited the process itself; see "
			       "its output above");
		goto cleanup;
	}
	if (read_output(out, result, err)) {
		const char *limit = hwb_sandbox_limit_from_log(&run.log);

		if (limit)
			hwb_sandbox_limit_error(&st->spec.limits, limit, err);
		goto cleanup;
	}
	if (check_flags(st, hook, *result, &run, err))
		goto cleanup;
	ret = 0;
cleanup:
	if (ret) {
		json_decref(*result);
		*result = NULL;
	}
	hwb_sandbox_result_release(&run);
	free(in);
	free(out);
	free(python);
	return ret;
}
