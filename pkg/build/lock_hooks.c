/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lock_hooks.c: the dynamic build requirements for hwb lock. PEP 517 lets
 * a backend ask for more than [build-system] requires through
 * get_requires_for_build_sdist/_wheel (setuptools asks for "wheel"); hwb
 * lock runs both hooks in the build sandbox, with the statically locked
 * requirements installed (the environment cache) and a copy of the
 * source, and locks what they return too. The hooks run exactly as hwb
 * build runs them (hook.c); only the stage is set up here.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pkg/build/internal.h"
#include "pkg/core/log.h"

/* The interpreter's prefix (<prefix>/bin/pythonX.Y), or NULL. */
static char *prefix_of(const char *python)
{
	char *p = hwb_strdup(python), *slash;

	if (!p)
		return NULL;
	if ((slash = strrchr(p, '/')))
		*slash = 0;
	if ((slash = strrchr(p, '/')) && slash != p)
		*slash = 0;
	return p;
}

struct work {
	char *dir, *src, *hook;
};

static void work_release(struct work *w)
{
	if (w->dir)
		hwb_build__remove_tree(w->dir);
	free(w->dir);
	free(w->src);
	free(w->hook);
}

static int work_make(struct work *w, const char *srcdir, struct hwb_error *err)
{
	const char *tmp = getenv("TMPDIR");
	long long newest = 0;

	w->dir = hwb_strdup_printf("%s/hwb-lock-XXXXXX",
				   tmp && tmp[0] == '/' ? tmp : "/tmp");
	if (!w->dir)
		return hwb_error_oom(err);
	if (!mkdtemp(w->dir)) {
		free(w->dir);
		w->dir = NULL;
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B163",
				       "cannot create a work directory");
	}
	if (!(w->src = hwb_strdup_printf("%s/src", w->dir)) ||
	    !(w->hook = hwb_strdup_printf("%s/hook", w->dir)))
		return hwb_error_oom(err);
	if (chmod(w->dir, 0755) || mkdir(w->hook, 0755))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B163",
				       "cannot prepare the work directory %s",
				       w->dir);
	return hwb_build__copy_tree(srcdir, w->src, &newest, err) ||
	       hwb_sandbox_prepare_dir(w->src, err) ||
	       hwb_sandbox_prepare_dir(w->hook, err);
}

/* Append the strings of list to *out (a growing NULL-free array). */
static int collect(json_t *list, const char *hook, char ***out, size_t *n,
		   struct hwb_error *err)
{
	json_t *item;
	char **grown;
	size_t i;

	if (!json_is_array(list))
		return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B146",
				     "the backend's %s hook returned something "
				     "that is not a list of strings", hook),
		       hwb_error_hint(err, "fix the backend's hook");
	json_array_foreach(list, i, item) {
		if (!json_is_string(item))
			return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B146",
					     "the backend's %s hook returned a "
					     "list with a non-string", hook),
			       hwb_error_hint(err, "fix the backend's hook");
		if (!(grown = realloc(*out, (*n + 1) * sizeof(char *))))
			return hwb_error_oom(err);
		*out = grown;
		if (!(grown[*n] = hwb_strdup(json_string_value(item))))
			return hwb_error_oom(err);
		(*n)++;
	}
	return 0;
}

static int run_hooks(const struct hwb_lock_options *o,
		     const struct hwb_build__system *sys,
		     const struct hwb_reqs_env *env,
		     const struct hwb_reqs_interp *in, const struct work *w,
		     char ***reqs, size_t *n, struct hwb_error *err)
{
	static const char *const hooks[] = { "get_requires_for_build_sdist",
					     "get_requires_for_build_wheel" };
	struct hwb_build__stage st;
	json_t *kw = NULL, *res = NULL;
	char *prefix = prefix_of(in->path);
	size_t i, b = 0;
	int none = o->settings.isolation == HWB_ISOLATION_NONE, ret = -1;

	if (!prefix)
		return hwb_error_oom(err);
	memset(&st, 0, sizeof(st));
	st.sys = sys;
	st.spec.source_date_epoch = -1;
	st.spec.isolation = none ? HWB_ISOLATION_NONE : HWB_ISOLATION_SANDBOX;
	hwb_sandbox_limits_default(&st.spec.limits);
	st.hook_host = w->hook;
	st.src_in = none ? w->src : "/src";
	st.hook_in = none ? w->hook : "/hook";
	st.out_in = st.hook_in;
	st.env_in = none ? env->root : "/env";
	st.binds[b++] = (struct hwb_sandbox_bind){ env->root, "/env", 0 };
	if (strcmp(prefix, "/usr") && strncmp(prefix, "/usr/", 5))
		st.binds[b++] = (struct hwb_sandbox_bind){ prefix, prefix, 0 };
	st.binds[b++] = (struct hwb_sandbox_bind){ w->src, "/src", 1 };
	st.binds[b++] = (struct hwb_sandbox_bind){ w->hook, "/hook", 1 };
	st.spec.binds = st.binds;
	st.spec.bind_count = b;
	snprintf(st.path, sizeof(st.path), "%s/bin:/usr/bin:/bin", st.env_in);
	st.spec.path = st.path;
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		json_decref(kw);
		json_decref(res);
		res = NULL;
		if (!(kw = json_pack("{s:{}}", "config_settings"))) {
			hwb_error_oom(err);
			goto cleanup;
		}
		if (hwb_build__hook(&st, hooks[i], kw, &res, err))
			goto cleanup;
		/* PEP 517: a missing get_requires hook means "nothing more". */
		if (json_is_true(json_object_get(res, "hook_missing")))
			continue;
		if (collect(json_object_get(res, "return_val"), hooks[i], reqs, n,
			    err))
			goto cleanup;
	}
	ret = 0;
cleanup:
	json_decref(kw);
	json_decref(res);
	free(prefix);
	return ret;
}

int hwb_build__lock_dynamic(const struct hwb_lock_options *o,
			    struct hwb_reqs_lock *lock, const char *lock_dir,
			    const struct hwb_reqs_source *src,
			    const struct hwb_reqs_interp *in,
			    struct hwb_error *err)
{
	struct hwb_build__system sys;
	struct hwb_reqs_env env = HWB_REQS_ENV_INIT;
	struct hwb_reqs_env_request req = { 0 };
	struct work w = { 0 };
	char **reqs = NULL;
	size_t n = 0, i;
	int ret = -1;

	memset(&sys, 0, sizeof(sys));
	if (hwb_build__read_system(o->srcdir ? o->srcdir : ".", &sys, err) ||
	    hwb_build__check_backend_path(o->srcdir ? o->srcdir : ".", &sys, err))
		goto cleanup;
	if (o->settings.isolation == HWB_ISOLATION_NONE)
		hwb_log_warn("--isolation none: the backend's get_requires hooks "
			     "run unsandboxed");
	else if (hwb_sandbox_probe(err))
		goto cleanup;
	req.lock = lock;
	req.lock_dir = lock_dir;
	req.interp = in;
	req.source = src;
	req.cache_dir = src->cache_dir;
	if (hwb_reqs_env_prepare(&req, &env, err) ||
	    work_make(&w, o->srcdir ? o->srcdir : ".", err) ||
	    run_hooks(o, &sys, &env, in, &w, &reqs, &n, err))
		goto cleanup;
	for (i = 0; i < n; i++)
		hwb_log_verbose("dynamic build requirement: %s", reqs[i]);
	ret = n ? hwb_reqs_lock_add_requirements(lock, (const char *const *)reqs,
						   n, src, in, err)
		: 0;
cleanup:
	for (i = 0; i < n; i++)
		free(reqs[i]);
	free(reqs);
	work_release(&w);
	hwb_reqs_env_release(&env);
	hwb_build__system_release(&sys);
	return ret;
}
