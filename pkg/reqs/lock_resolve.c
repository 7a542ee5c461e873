/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lock_resolve.c: the resolver's entry points for hwb lock and hwb build:
 * resolve requirements into a lock, add dynamic requirements to one, and
 * check that a lock covers what a backend asks for.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/reqs/internal.h"

static char *describe_sources(const struct hwb_reqs_source *src)
{
	struct hwb_buf b = HWB_BUF_INIT;
	size_t i;

	for (i = 0; i < src->find_links_count; i++)
		hwb_buf_printf(&b, "%s%s", i ? ", " : "find-links ",
			       src->find_links[i]);
	if (src->index_url)
		hwb_buf_printf(&b, "%sindex %s", b.len ? " and " : "",
			       src->index_url);
	if (!b.len)
		hwb_buf_puts(&b, "no source (give --find-links or --index-url)");
	if (b.oom) {
		hwb_buf_release(&b);
		return NULL;
	}
	return hwb_buf_detach(&b, NULL);
}

static int set_requirements(struct hwb_reqs_lock *lock,
			    const char *const *reqs, size_t count,
			    struct hwb_error *err)
{
	char **copy = count ? calloc(count, sizeof(char *)) : NULL;
	size_t i;

	if (count && !copy)
		return hwb_error_oom(err);
	for (i = 0; i < count; i++) {
		if (!(copy[i] = hwb_strdup(reqs[i]))) {
			while (i--)
				free(copy[i]);
			free(copy);
			return hwb_error_oom(err);
		}
	}
	for (i = 0; i < lock->requirement_count; i++)
		free(lock->requirements[i]);
	free(lock->requirements);
	lock->requirements = copy;
	lock->requirement_count = count;
	return 0;
}

int hwb_reqs_lock_resolve(struct hwb_reqs_lock *lock,
			    const char *const *requirements, size_t count,
			    const struct hwb_reqs_source *src,
			    const struct hwb_reqs_interp *in,
			    struct hwb_error *err)
{
	struct rs_state st;
	char *where = NULL;
	int ret = -1;

	memset(&st, 0, sizeof(st));
	st.src = src;
	st.in = in;
	if (!(where = describe_sources(src))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	st.where = where;
	if (hwb_reqs__finder_init(&st.finder, src, err) ||
	    hwb_reqs__rs_run(&st, requirements, count, "pyproject.toml", err) ||
	    hwb_reqs__rs_to_lock(&st, lock, err) ||
	    set_requirements(lock, requirements, count, err))
		goto cleanup;
	if (!lock->requires_python &&
	    !(lock->requires_python = hwb_strdup_printf(">=%s",
							in->python_version))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	ret = 0;
cleanup:
	hwb_reqs__rs_release(&st);
	free(where);
	return ret;
}

int hwb_reqs_lock_add_requirements(struct hwb_reqs_lock *lock,
				     const char *const *requirements,
				     size_t count,
				     const struct hwb_reqs_source *src,
				     const struct hwb_reqs_interp *in,
				     struct hwb_error *err)
{
	const char **all = NULL;
	size_t i, n = 0, total;
	int ret;

	if (hwb_size_add(&total, lock->requirement_count, count) ||
	    !(all = calloc(total ? total : 1, sizeof(char *))))
		return hwb_error_oom(err);
	for (i = 0; i < lock->requirement_count; i++)
		all[n++] = lock->requirements[i];
	for (i = 0; i < count; i++) {
		size_t k;

		for (k = 0; k < n && strcmp(all[k], requirements[i]); k++)
			;
		if (k == n)
			all[n++] = requirements[i];
	}
	/* Resolve everything again: deterministic, so earlier pins stay
	 * unless the new requirements force a change. all borrows strings
	 * that set_requirements replaces only after resolving. */
	ret = hwb_reqs_lock_resolve(lock, all, n, src, in, err);
	free(all);
	return ret;
}

static int not_covered(struct hwb_error *err, const char *req, const char *why)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-B145",
		      "build requirement '%s' is not satisfied by "
		      "pylock.build.toml: %s", req, why);
	return hwb_error_hint(err, "run `hwb lock` to lock the build "
				   "requirements again, and review the change");
}

/*
 * The locked package called name whose marker holds for env (*out, NULL
 * when none does); *named is the first package of that name at all. A lock
 * for several interpreters may hold one name at several versions, each
 * under its own marker.
 */
static int applicable(const struct hwb_reqs_lock *lock, const char *name,
		      const struct hwb_marker_env *env,
		      const struct hwb_reqs_lock_pkg **out,
		      const struct hwb_reqs_lock_pkg **named,
		      struct hwb_error *err)
{
	size_t i;
	int r;

	*out = *named = NULL;
	for (i = 0; i < lock->pkg_count; i++) {
		const struct hwb_reqs_lock_pkg *p = &lock->pkgs[i];

		if (strcmp(p->name, name))
			continue;
		if (!*named)
			*named = p;
		if ((r = hwb_reqs__marker_holds(p->marker, env, err)) < 0)
			return -1;
		if (r) {
			*out = p;
			return 0;
		}
	}
	return 0;
}

int hwb_reqs_lock_check_requirements(const struct hwb_reqs_lock *lock,
				       const char *const *requirements,
				       size_t count,
				       const struct hwb_reqs_interp *in,
				       struct hwb_error *err)
{
	struct hwb_requirement *req = NULL;
	struct hwb_marker_env env;
	struct hwb_buf name = HWB_BUF_INIT;
	struct hwb_pep440_version v;
	const struct hwb_reqs_lock_pkg *p, *named;
	char why[256];
	size_t i;
	int ret = -1, r = 1;

	hwb_reqs__interp_marker_env(in, &env);
	for (i = 0; i < count; i++) {
		hwb_pep508_free(req);
		req = NULL;
		if (hwb_pep508_parse(requirements[i], strlen(requirements[i]),
				     &req, err))
			goto cleanup;
		if (req->marker &&
		    (r = hwb_marker_evaluate(req->marker, &env, err)) <= 0) {
			if (r < 0)
				goto cleanup;
			continue;
		}
		hwb_buf_clear(&name);
		if (hwb_normalize_name(req->name, strlen(req->name), &name)) {
			hwb_error_oom(err);
			goto cleanup;
		}
		if (req->url) {
			not_covered(err, requirements[i],
				    "a URL requirement is never locked");
			goto cleanup;
		}
		if ((r = applicable(lock, name.ptr, &env, &p, &named, err)) < 0)
			goto cleanup;
		if (!named) {
			not_covered(err, requirements[i], "the lock has no such package");
			goto cleanup;
		}
		if (!p) {
			snprintf(why, sizeof(why), "the lock installs it only when "
				 "%.200s", named->marker);
			not_covered(err, requirements[i], why);
			goto cleanup;
		}
		if (hwb_pep440_parse(p->version, strlen(p->version), &v, err))
			goto cleanup;
		if (!hwb_specifier_set_contains(&req->specifiers, &v, 1)) {
			snprintf(why, sizeof(why), "the lock has version %s",
				 p->version);
			not_covered(err, requirements[i], why);
			goto cleanup;
		}
	}
	ret = 0;
cleanup:
	hwb_pep508_free(req);
	hwb_buf_release(&name);
	return ret;
}
