/* SPDX-License-Identifier: Apache-2.0 */
/*
 * env-prepare: build or reuse the cached build environment of a lock, the
 * way hwb build does before it starts the sandbox, for the environment
 * cache tests (tests/e2e/test_lock.py) and the benchmark. Warnings go to
 * stderr; the outcome is one JSON object on stdout.
 *
 *   env-prepare LOCKFILE [--python PATH] [--find-links DIR]...
 *               [--index-url URL] [--threads N]
 *
 * Exit status: 0 ready, 1 failed (the error on stderr).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/log.h"

#define MAX_LINKS 16

static void sink(void *ctx, enum hwb_log_level level, const char *line)
{
	(void)ctx;
	if (level <= HWB_LOG_DEBUG)
		fprintf(stderr, "%s%s\n", level == HWB_LOG_WARN ? "warning: " : "",
			line);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	const char *links[MAX_LINKS], *lock_path = NULL, *python = NULL;
	struct hwb_reqs_source src = { 0 };
	struct hwb_reqs_env_request req = { 0 };
	struct hwb_reqs_interp in = HWB_REQS_INTERP_INIT;
	struct hwb_reqs_env env = HWB_REQS_ENV_INIT;
	struct hwb_reqs_lock *lock = NULL;
	struct hwb_error err = HWB_ERROR_INIT;
	char *lock_dir = NULL, *cache = NULL, *slash, line[1024];
	double t0 = now_ms(), t_probe = 0;
	json_t *doc, *pkgs;
	size_t i;
	int a, rc = 1;

	hwb_log_configure(HWB_LOG_WARN, sink, NULL);
	src.find_links = links;
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--python") && a + 1 < argc)
			python = argv[++a];
		else if (!strcmp(argv[a], "--find-links") && a + 1 < argc &&
			 src.find_links_count < MAX_LINKS)
			links[src.find_links_count++] = argv[++a];
		else if (!strcmp(argv[a], "--index-url") && a + 1 < argc)
			src.index_url = argv[++a];
		else if (!strcmp(argv[a], "--threads") && a + 1 < argc)
			req.check_threads = atoi(argv[++a]);
		else if (!lock_path && argv[a][0] != '-')
			lock_path = argv[a];
		else {
			fprintf(stderr, "usage: env-prepare LOCKFILE [--python PATH] "
					"[--find-links DIR]... [--index-url URL]\n");
			return 2;
		}
	}
	if (!lock_path)
		return 2;
	lock_dir = strdup(lock_path);
	slash = lock_dir ? strrchr(lock_dir, '/') : NULL;
	if (slash)
		*slash = 0;
	if (hwb_reqs_lock_read(lock_path, &lock, &err) ||
	    hwb_reqs_cache_dir(&cache, &err) ||
	    hwb_reqs_interp_probe(python, cache, &in, &err))
		goto cleanup;
	t_probe = now_ms();
	req.lock = lock;
	req.lock_dir = slash ? lock_dir : ".";
	req.interp = &in;
	req.source = &src;
	if (hwb_reqs_env_prepare(&req, &env, &err))
		goto cleanup;
	pkgs = json_array();
	for (i = 0; i < env.pkg_count; i++)
		json_array_append_new(pkgs, json_pack("{s:s, s:s, s:s, s:s}",
			"name", env.pkgs[i].name, "version", env.pkgs[i].version,
			"wheel", env.pkgs[i].wheel, "sha256", env.pkgs[i].sha256));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:I, s:f, s:f, s:o}",
			"key", env.key, "root", env.root, "site_packages",
			env.site_packages, "bin", env.bin, "python", env.python,
			"reused", env.reused,
			"rebuilt", env.rebuilt, "files_checked",
			(json_int_t)env.files_checked, "ms", now_ms() - t0, "prepare_ms", now_ms() - t_probe,
			"packages", pkgs);
	json_dumpf(doc, stdout, JSON_COMPACT);
	fputc('\n', stdout);
	json_decref(doc);
	rc = 0;
cleanup:
	if (rc) {
		hwb_error_format(&err, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
	}
	hwb_reqs_env_release(&env);
	hwb_reqs_interp_release(&in);
	hwb_reqs_lock_free(lock);
	free(lock_dir);
	free(cache);
	return rc;
}
