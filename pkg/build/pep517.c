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

void hwb_build__wh_release(struct hwb_build__wh *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		free(r->items[i].name);
		free(r->items[i].version);
		free(r->items[i].path);
		free(r->items[i].filename);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

/* Add the environment's packages to all (for the provenance and the
 * SBOM), skipping wheels already there. */
static int remember(struct hwb_build__wh *all, const struct hwb_reqs_env *env,
		    struct hwb_error *err)
{
	struct hwb_build__wh_item *items, *r;
	size_t i, j;

	for (i = 0; i < env->pkg_count; i++) {
		for (j = 0; j < all->count; j++)
			if (!strcmp(all->items[j].sha256, env->pkgs[i].sha256))
				break;
		if (j < all->count)
			continue;
		items = realloc(all->items, (all->count + 1) * sizeof(*items));
		if (!items)
			return hwb_error_oom(err);
		all->items = items;
		r = &items[all->count++];
		memset(r, 0, sizeof(*r));
		r->name = hwb_strdup(env->pkgs[i].name);
		r->version = hwb_strdup(env->pkgs[i].version);
		r->filename = hwb_strdup(env->pkgs[i].wheel);
		memcpy(r->sha256, env->pkgs[i].sha256, sizeof(r->sha256));
		if (!r->name || !r->version || !r->filename)
			return hwb_error_oom(err);
	}
	return 0;
}

/*
 * The lock for this build: pylock.build.toml next to pyproject.toml, or,
 * without one (refused with build.require-lock), one resolved in memory
 * from the configured wheelhouse or index (its hashes reach the
 * provenance).
 */
static int first_lock(struct hwb_build__ctx *c, const char *const *reqs,
		      size_t n, struct hwb_error *err)
{
	char *path = hwb_strdup_printf("%s/pylock.build.toml", c->srcdir);
	int ret = -1;

	if (!path)
		return hwb_error_oom(err);
	if (!access(path, F_OK)) {
		c->locked = 1;
		if (!hwb_reqs_lock_read(path, &c->lock, err) &&
		    !hwb_reqs_lock_check_requirements(c->lock, reqs, n, &c->py,
							err))
			ret = 0;
		goto cleanup;
	}
	if (c->o->require_lock) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B075",
			      "%s has no pylock.build.toml and build.require-lock "
			      "is set", c->srcdir);
		hwb_error_hint(err, "run 'hwb lock --find-links DIR' in the project "
			       "and commit pylock.build.toml");
		goto cleanup;
	}
	if (!(c->lock = hwb_reqs_lock_new())) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (n && !c->req_source.find_links_count && !c->req_source.index_url) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B047",
			      "the build needs '%s' but no wheelhouse or index is "
			      "configured", reqs[0]);
		hwb_error_hint(err, "pass --find-links DIR (Debian: "
			       "/usr/share/python-wheels) or --index-url URL");
		goto cleanup;
	}
	if (n)
		hwb_log_info("no pylock.build.toml: build requirements resolved from "
			     "the configured wheelhouse/index (hashes in the "
			     "provenance); pin them with 'hwb lock'");
	ret = hwb_reqs_lock_resolve(c->lock, reqs, n, &c->req_source, &c->py, err);
cleanup:
	free(path);
	return ret;
}

/* The environment for [build-system] requires, plus extra (from
 * get_requires_for_build_*): checked against the lock file, or added to
 * the lock resolved in memory. */
static int environment(struct hwb_build__ctx *c, json_t *extra,
		       struct hwb_reqs_env *env, struct hwb_error *err)
{
	struct hwb_reqs_env_request req;
	const char **list = NULL;
	size_t n = 0, i;
	int ret = -1;

	list = calloc(json_array_size(extra) + 1, sizeof(*list));
	if (!list)
		return hwb_error_oom(err);
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
	if (!c->lock) {
		if (first_lock(c, (const char *const *)c->sys.requires,
			       c->sys.require_count, err))
			goto cleanup;
	}
	if (n && (c->locked ? hwb_reqs_lock_check_requirements(c->lock, list, n,
								 &c->py, err)
			    : hwb_reqs_lock_add_requirements(c->lock, list, n,
							       &c->req_source,
							       &c->py, err)))
		goto cleanup;
	memset(&req, 0, sizeof(req));
	req.lock = c->lock;
	req.lock_dir = c->srcdir;
	req.interp = &c->py;
	req.source = &c->req_source;
	req.cache_dir = c->o->cache_dir;
	if (hwb_reqs_env_prepare(&req, env, err) || remember(&c->reqs, env, err))
		goto cleanup;
	if (!env->reused)
		c->all_reused = 0;
	ret = 0;
cleanup:
	free(list);
	return ret;
}

/*
 * The stage's sandbox view: /src (the copy), /out, /hook, and the
 * requirements environment at /env: a venv of the interpreter without its
 * system site-packages (so nothing the host installed is importable), its
 * site-packages also on PYTHONPATH and its bin on PATH.
 */
static void stage_view(struct hwb_build__ctx *c, struct hwb_build__stage *st,
		       const char *src, const char *out,
		       const struct hwb_reqs_env *env)
{
	const char *env_dir = env->root;
	const char *site = env->site_packages + strlen(env->root);
	int none = c->isolation == HWB_ISOLATION_NONE;
	struct hwb_sandbox_container_info ct = { 0 };
	int image;
	size_t n = 0, e = 0, i;

	if (c->isolation == HWB_ISOLATION_CONTAINER)
		hwb_sandbox_container_info(c->container, &ct);
	image = ct.image != NULL;
	memset(st, 0, sizeof(*st));
	st->sys = &c->sys;
	st->spec = c->spec;
	st->hook_host = c->hook_dir;
	st->src_in = none ? src : "/src";
	st->out_in = none ? out : "/out";
	st->hook_in = none ? c->hook_dir : "/hook";
	st->env_in = none ? env_dir : "/env";
	snprintf(st->pythonpath, sizeof(st->pythonpath), "PYTHONPATH=%s%s",
		 st->env_in, site);
	st->env_list[e++] = st->pythonpath;
	if (c->spec.proxy_socket) {
		static const char *const proxy_env[] = {
			"HTTPS_PROXY=" HWB_SANDBOX_PROXY_URL,
			"HTTP_PROXY=" HWB_SANDBOX_PROXY_URL,
			"https_proxy=" HWB_SANDBOX_PROXY_URL,
			"http_proxy=" HWB_SANDBOX_PROXY_URL,
		};

		for (i = 0; i < sizeof(proxy_env) / sizeof(proxy_env[0]); i++)
			st->env_list[e++] = proxy_env[i];
	}
	for (i = 0; c->pass_env && c->pass_env[i] &&
		    e + 1 < sizeof(st->env_list) / sizeof(st->env_list[0]); i++)
		st->env_list[e++] = c->pass_env[i];
	st->env_list[e] = NULL;
	st->spec.env = st->env_list;
	st->binds[n++] = (struct hwb_sandbox_bind){ env_dir, "/env", 0 };
	/* A container image brings its own interpreter (container.c): the
	 * host's prefix would cover the image's /usr/local. */
	if (!image && strcmp(c->py_prefix, "/usr") &&
	    strncmp(c->py_prefix, "/usr/", 5))
		st->binds[n++] = (struct hwb_sandbox_bind){ c->py_prefix,
							    c->py_prefix, 0 };
	st->binds[n++] = (struct hwb_sandbox_bind){ src, "/src", 1 };
	/* The copy has no .git; version plugins (setuptools-scm) read the
	 * origin's, read-only. Only for the tree, not an unpacked sdist. */
	if (c->git_dir && !strcmp(src, c->src_copy) && !none)
		st->binds[n++] = (struct hwb_sandbox_bind){ c->git_dir, "/src/.git", 0 };
	st->binds[n++] = (struct hwb_sandbox_bind){ out, "/out", 1 };
	st->binds[n++] = (struct hwb_sandbox_bind){ c->hook_dir, "/hook", 1 };
	st->spec.binds = st->binds;
	st->spec.bind_count = n;
	if (image)
		snprintf(st->path, sizeof(st->path), HWB_SANDBOX_IMAGE_PATH);
	else
		snprintf(st->path, sizeof(st->path), "%s/bin:/usr/bin:/bin",
			 st->env_in);
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
	struct hwb_reqs_env env0 = HWB_REQS_ENV_INIT, env1 = HWB_REQS_ENV_INIT;
	struct hwb_build__stage st;
	json_t *kw = NULL, *res = NULL, *extra = NULL;
	char hook[64];
	int ret = -1;

	*name = NULL;
	*unsupported = 0;
	hwb_log_progress("preparing the environment for the %s", kind);
	if (environment(c, NULL, &env0, err))
		goto cleanup;
	stage_view(c, &st, src, out, &env0);
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
		stage_view(c, &st, src, out, &env1);
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
	hwb_reqs_env_release(&env0);
	hwb_reqs_env_release(&env1);
	return ret;
}
