/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sandbox-run: run one command in hwb's build sandbox, for the escape tests
 * (tests/e2e/test_sandbox.py) and the start-up benchmark. The command's
 * output goes to stderr through hwb's redacting log; the outcome is one
 * line on stdout: "exit=N signal=S timed_out=T limit=L start_ms=X".
 *
 *   sandbox-run [--probe] [--none] [--ro HOST:INSIDE] [--rw HOST:INSIDE]
 *               [--cwd DIR] [--path PATH] [--env NAME=VALUE]
 *               [--limit NAME=VALUE] [--prepare DIR] -- COMMAND [ARG]...
 *
 * Limits: cpu, as (MiB), nproc, fsize (MiB), nofile, timeout (s), log (bytes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/sandbox/sandbox.h"
#include "pkg/core/log.h"

#define MAX_ITEMS 32

static void sink(void *ctx, enum hwb_log_level level, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s%s\n", level == HWB_LOG_WARN ? "warning: " : "", line);
}

static int set_limit(struct hwb_sandbox_limits *l, const char *arg)
{
	const char *eq = strchr(arg, '=');
	unsigned long long v;

	if (!eq)
		return -1;
	v = strtoull(eq + 1, NULL, 10);
	if (!strncmp(arg, "cpu=", 4)) l->cpu_seconds = (long)v;
	else if (!strncmp(arg, "as=", 3)) l->address_space = v << 20;
	else if (!strncmp(arg, "nproc=", 6)) l->processes = (long)v;
	else if (!strncmp(arg, "fsize=", 6)) l->file_size = v << 20;
	else if (!strncmp(arg, "nofile=", 7)) l->open_files = (long)v;
	else if (!strncmp(arg, "timeout=", 8)) l->timeout_seconds = (long)v;
	else if (!strncmp(arg, "log=", 4)) l->log_max = (size_t)v;
	else return -1;
	return 0;
}

static int add_bind(struct hwb_sandbox_bind *b, size_t *n, char *arg, int rw)
{
	char *colon = strchr(arg, ':');

	if (!colon || *n == MAX_ITEMS)
		return -1;
	*colon = '\0';
	b[*n].host = arg;
	b[*n].inside = colon + 1;
	b[*n].writable = rw;
	(*n)++;
	return 0;
}

int main(int argc, char **argv)
{
	struct hwb_sandbox_bind binds[MAX_ITEMS];
	const char *env[MAX_ITEMS + 1] = { 0 };
	struct hwb_sandbox_spec spec;
	struct hwb_sandbox_result result = HWB_SANDBOX_RESULT_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	char line[1400];
	size_t nenv = 0;
	int i, rc;

	memset(&spec, 0, sizeof(spec));
	spec.source_date_epoch = 315532800;
	spec.limits.timeout_seconds = -1;
	spec.binds = binds;
	hwb_log_configure(HWB_LOG_INFO, sink, NULL);
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		int bad = 0;

		if (!strcmp(argv[i], "--probe")) {
			if (hwb_sandbox_probe(&err))
				goto fail;
			puts("probe=ok");
			return 0;
		} else if (!strcmp(argv[i], "--none"))
			spec.isolation = HWB_ISOLATION_NONE;
		else if (i + 1 >= argc)
			bad = 1;
		else if (!strcmp(argv[i], "--ro"))
			bad = add_bind(binds, &spec.bind_count, argv[++i], 0);
		else if (!strcmp(argv[i], "--rw"))
			bad = add_bind(binds, &spec.bind_count, argv[++i], 1);
		else if (!strcmp(argv[i], "--cwd"))
			spec.cwd = argv[++i];
		else if (!strcmp(argv[i], "--path"))
			spec.path = argv[++i];
		else if (!strcmp(argv[i], "--env") && nenv < MAX_ITEMS)
			env[nenv++] = argv[++i];
		else if (!strcmp(argv[i], "--limit"))
			bad = set_limit(&spec.limits, argv[++i]);
		else if (!strcmp(argv[i], "--prepare")) {
			if (hwb_sandbox_prepare_dir(argv[++i], &err))
				goto fail;
		} else
			bad = 1;
		if (bad) {
			fprintf(stderr, "sandbox-run: bad argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (i + 1 >= argc) {
		fprintf(stderr, "sandbox-run: no command after --\n");
		return 2;
	}
	spec.argv = (const char *const *)argv + i + 1;
	spec.env = env;
	hwb_sandbox_limits_default(&spec.limits);
	rc = hwb_sandbox_run(&spec, &result, &err);
	printf("exit=%d signal=%d timed_out=%d limit=%s start_ms=%.3f\n",
	       result.exit_status, result.term_signal, result.timed_out,
	       result.limit_hit ? result.limit_hit : "-", result.start_ms);
	hwb_sandbox_result_release(&result);
	if (!rc)
		return 0;
fail:
	hwb_error_format(&err, line, sizeof(line));
	fprintf(stderr, "sandbox-run: %s\n", line);
	return err.kind ? (int)err.kind : 1;
}
