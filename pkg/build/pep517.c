/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pep517.c: the build frontend's stages. A stage (sdist or wheel) gets the
 * environment for [build-system] requires, asks the backend's
 * get_requires_for_build_* hook for more, gets the environment for all of
 * them, then calls build_*; every hook is a fresh sandboxed process
 * (hook.c). By default the sdist is built first and the wheel from the
 * unpacked sdist, as pypa/build does. Outputs are handed back in the work
 * directory; build.c checks, normalises and moves them.
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/build/internal.h"
#include "pkg/core/log.h"

/* The config_settings object: "KEY=VALUE" pairs, a repeated key a list. */
int hwb_build__config_settings(const char *const *pairs, size_t count,
			       json_t **out, struct hwb_error *err)
{
	json_t *obj = json_object(), *prev, *list;
	size_t i;
	char *key;
	const char *eq;

	if (!obj)
		return hwb_error_oom(err);
	for (i = 0; i < count; i++) {
		eq = strchr(pairs[i], '=');
		if (!eq || eq == pairs[i]) {
			json_decref(obj);
			return hwb_error_set(err, HWB_KIND_USAGE, "HWB-B055",
					     "-C '%s' is not KEY=VALUE", pairs[i]),
			       hwb_error_hint(err, "write -C KEY=VALUE, e.g. -C "
					      "--build-option=--quiet");
		}
		key = strndup(pairs[i], (size_t)(eq - pairs[i]));
		if (!key)
			goto oom;
		prev = json_object_get(obj, key);
		if (!prev) {
			json_object_set_new(obj, key, json_string(eq + 1));
		} else if (json_is_array(prev)) {
			json_array_append_new(prev, json_string(eq + 1));
		} else {
			list = json_pack("[O, s]", prev, eq + 1);
			if (!list || json_object_set_new(obj, key, list)) {
				free(key);
				goto oom;
			}
		}
		free(key);
	}
	*out = obj;
	return 0;
oom:
	json_decref(obj);
	return hwb_error_oom(err);
}

/* Add reqs to all (for the provenance), skipping names already there. */
static int remember(struct hwb_build__wh *all,
		    const struct hwb_build__wh *reqs, struct hwb_error *err)
{
	size_t i, j;
	struct hwb_build__wh_item *items, *r;

	for (i = 0; i < reqs->count; i++) {
		for (j = 0; j < all->count; j++)
			if (!strcmp(all->items[j].sha256, reqs->items[i].sha256))
				break;
		if (j < all->count)
			continue;
		items = realloc(all->items, (all->count + 1) * sizeof(*items));
		if (!items)
			return hwb_error_oom(err);
		all->items = items;
		r = &items[all->count];
		memset(r, 0, sizeof(*r));
		r->name = hwb_strdup(reqs->items[i].name);
		r->version = hwb_strdup(reqs->items[i].version);
		r->path = hwb_strdup(reqs->items[i].path);
		r->filename = hwb_strdup(reqs->items[i].filename);
		memcpy(r->sha256, reqs->items[i].sha256, sizeof(r->sha256));
		all->count++;
		if (!r->name || !r->version || !r->path || !r->filename)
			return hwb_error_oom(err);
	}
	return 0;
}

/* Resolve requires (+ extra) and get their environment. */
static int environment(struct hwb_build__ctx *c, json_t *extra,
		       struct hwb_build__venv *env, struct hwb_error *err)
{
	struct hwb_build__wh reqs;
	const char **list = NULL;
	size_t n = 0, i, total = c->sys.require_count + json_array_size(extra);
	int ret = -1;

	memset(&reqs, 0, sizeof(reqs));
	list = calloc(total + 1, sizeof(*list));
	if (!list)
		return hwb_error_oom(err);
	for (i = 0; i < c->sys.require_count; i++)
		list[n++] = c->sys.requires[i];
	for (i = 0; i < json_array_size(extra); i++) {
		const char *s = json_string_value(json_array_get(extra, i));

		if (!s) {
			hwb_error_set(err, HWB_KIND_BUILD, "HWB-B056",
				      "get_requires_for_build_* returned something "
				      "that is not a list of strings");
			hwb_error_hint(err, "fix the backend's hook");
			goto cleanup;
		}
		list[n++] = s;
	}
	if (hwb_build__wheelhouse_resolve(list, n, c->find_links, &reqs, err) ||
	    remember(&c->reqs, &reqs, err) ||
	    hwb_build__venv_get(&c->py, &reqs, c->o->cache_dir, env, err))
		goto cleanup;
	hwb_log_verbose("build environment %s (%s, %zu requirements)", env->dir,
			env->reused ? "cached" : "new", reqs.count);
	if (!env->reused)
		c->all_reused = 0;
	ret = 0;
cleanup:
	hwb_build__wh_release(&reqs);
	free(list);
	return ret;
}

/* The stage's sandbox view: /src (copy), /out, /hook, /env. */
static void stage_view(struct hwb_build__ctx *c, struct hwb_build__stage *st,
		       const char *src, const char *out, const char *env_dir)
{
	int none = c->isolation == HWB_ISOLATION_NONE;
	size_t n = 0;

	memset(st, 0, sizeof(*st));
	st->sys = &c->sys;
	st->spec = c->spec;
	st->hook_host = c->hook_dir;
	st->src_in = none ? src : "/src";
	st->out_in = none ? out : "/out";
	st->hook_in = none ? c->hook_dir : "/hook";
	st->env_in = none ? env_dir : "/env";
	st->binds[n++] = (struct hwb_sandbox_bind){ env_dir, "/env", 0 };
	if (strcmp(c->py_prefix, "/usr") && strncmp(c->py_prefix, "/usr/", 5))
		st->binds[n++] = (struct hwb_sandbox_bind){ c->py_prefix,
							    c->py_prefix, 0 };
	st->binds[n++] = (struct hwb_sandbox_bind){ src, "/src", 1 };
	st->binds[n++] = (struct hwb_sandbox_bind){ out, "/out", 1 };
	st->binds[n++] = (struct hwb_sandbox_bind){ c->hook_dir, "/hook", 1 };
	st->spec.binds = st->binds;
	st->spec.bind_count = n;
	snprintf(st->path, sizeof(st->path), "%s/bin:/usr/bin:/bin", st->env_in);
	st->spec.path = st->path;
}

/* A hook's return value must be a plain file name the backend wrote. */
static int check_basename(const char *hook, json_t *res, const char *out,
			  const char *suffix, char **name, struct hwb_error *err)
{
	const char *s = json_string_value(json_object_get(res, "return_val"));
	struct stat st;
	char *path;
	int ok;

	if (!s || !*s || strchr(s, '/') || !strcmp(s, ".") || !strcmp(s, "..") ||
	    strlen(s) <= strlen(suffix) ||
	    strcmp(s + strlen(s) - strlen(suffix), suffix))
		return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B057",
				     "%s returned '%s', not the name of a %s file",
				     hook, s ? s : "(not a string)", suffix),
		       hwb_error_hint(err, "the backend must return the basename "
				      "of the file it wrote");
	path = hwb_strdup_printf("%s/%s", out, s);
	if (!path)
		return hwb_error_oom(err);
	ok = !lstat(path, &st) && S_ISREG(st.st_mode);
	free(path);
	if (!ok)
		return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B057",
				     "%s returned '%s' but wrote no such file",
				     hook, s),
		       hwb_error_hint(err, "report it to the backend");
	if (!(*name = hwb_strdup(s)))
		return hwb_error_oom(err);
	return 0;
}

int hwb_build__stage_run(struct hwb_build__ctx *c, int wheel, const char *src,
			 const char *out, char **name, int *unsupported,
			 struct hwb_error *err)
{
	const char *kind = wheel ? "wheel" : "sdist";
	struct hwb_build__venv env0, env1;
	struct hwb_build__stage st;
	json_t *kw = NULL, *res = NULL, *extra = NULL;
	char hook[64];
	int ret = -1;

	memset(&env0, 0, sizeof(env0));
	memset(&env1, 0, sizeof(env1));
	*name = NULL;
	*unsupported = 0;
	if (environment(c, NULL, &env0, err))
		goto cleanup;
	stage_view(c, &st, src, out, env0.dir);
	snprintf(hook, sizeof(hook), "get_requires_for_build_%s", kind);
	kw = json_pack("{s:O}", "config_settings", c->config);
	if (!kw || hwb_build__hook(&st, hook, kw, &res, err))
		goto oom_or_fail;
	extra = json_incref(json_object_get(res, "return_val"));
	if (!json_is_array(extra)) {
		hwb_error_set(err, HWB_KIND_BUILD, "HWB-B056",
			      "%s returned something that is not a list", hook);
		hwb_error_hint(err, "fix the backend's hook");
		goto cleanup;
	}
	if (json_array_size(extra)) {
		if (environment(c, extra, &env1, err))
			goto cleanup;
		stage_view(c, &st, src, out, env1.dir);
	}
	json_decref(kw);
	json_decref(res);
	res = NULL;
	snprintf(hook, sizeof(hook), "build_%s", kind);
	kw = wheel ? json_pack("{s:s, s:O, s:n}", "wheel_directory", st.out_in,
			       "config_settings", c->config, "metadata_directory")
		   : json_pack("{s:s, s:O}", "sdist_directory", st.out_in,
			       "config_settings", c->config);
	if (!kw || hwb_build__hook(&st, hook, kw, &res, err))
		goto oom_or_fail;
	if (json_is_true(json_object_get(res, "unsupported"))) {
		*unsupported = 1;
		ret = 0;
		goto cleanup;
	}
	if (json_is_true(json_object_get(res, "hook_missing"))) {
		hwb_error_set(err, HWB_KIND_BUILD, "HWB-B052",
			      "the backend '%s' has no %s hook, which PEP 517 "
			      "makes mandatory", c->sys.backend, hook);
		hwb_error_hint(err, "use a PEP 517 backend");
		goto cleanup;
	}
	ret = check_basename(hook, res, out, wheel ? ".whl" : ".tar.gz", name,
			     err);
	goto cleanup;
oom_or_fail:
	if (!err || !err->code[0])
		hwb_error_oom(err);
cleanup:
	json_decref(extra);
	json_decref(kw);
	json_decref(res);
	hwb_build__venv_release(&env0);
	hwb_build__venv_release(&env1);
	return ret;
}
