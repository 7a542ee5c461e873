/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lock_merge.c: one lock for several interpreters (hwb lock --python A
 * --python B). Each interpreter is resolved on its own; the locks are then
 * merged as PEP 751 allows: `environments` lists a marker per interpreter
 * (implementation, Python X.Y, platform and machine), and a package that
 * is not needed identically everywhere gets a marker naming the
 * environments that need it. An installer evaluates the markers and finds
 * exactly the set resolved for its interpreter.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/reqs/internal.h"

char *hwb_reqs_interp_env_marker(const struct hwb_reqs_interp *in)
{
	return hwb_strdup_printf("implementation_name == \"%s\" and "
				 "python_version == \"%s\" and sys_platform == "
				 "\"%s\" and platform_machine == \"%s\"",
				 in->implementation_name, in->python_version,
				 in->sys_platform, in->platform_machine);
}

static int same(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static int add_str(char ***v, size_t *n, const char *s)
{
	char **grown;
	size_t i;

	for (i = 0; i < *n; i++)
		if (!strcmp((*v)[i], s))
			return 0;
	if (!(grown = realloc(*v, (*n + 1) * sizeof(char *))))
		return -1;
	*v = grown;
	if (!(grown[*n] = hwb_strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

static int add_wheel(struct hwb_reqs_lock_pkg *p,
		     const struct hwb_reqs_lock_wheel *w)
{
	struct hwb_reqs_lock_wheel *grown, *n;
	size_t i;

	for (i = 0; i < p->wheel_count; i++)
		if (!strcmp(p->wheels[i].name, w->name))
			return 0;
	if (!(grown = realloc(p->wheels, (p->wheel_count + 1) * sizeof(*grown))))
		return -1;
	p->wheels = grown;
	n = &grown[p->wheel_count];
	memset(n, 0, sizeof(*n));
	n->size = w->size;
	memcpy(n->sha256, w->sha256, sizeof(n->sha256));
	if (!(n->name = hwb_strdup(w->name)) ||
	    (w->url && !(n->url = hwb_strdup(w->url))) ||
	    (w->path && !(n->path = hwb_strdup(w->path)))) {
		free(n->name);
		free(n->url);
		free(n->path);
		return -1;
	}
	p->wheel_count++;
	return 0;
}

/* The packages of every lock, keyed by name and version, with markers. */
static int merge_pkg(struct hwb_reqs_lock *out,
		     struct hwb_reqs_lock *const *locks, size_t n,
		     char *const *envs, const struct hwb_reqs_lock_pkg *first)
{
	struct hwb_reqs_lock_pkg *p, *grown;
	struct hwb_buf marker = HWB_BUF_INIT;
	const struct hwb_reqs_lock_pkg *q;
	size_t i, k, present = 0, terms = 0;
	int uniform = 1;

	for (i = 0; i < out->pkg_count; i++)
		if (!strcmp(out->pkgs[i].name, first->name) &&
		    !strcmp(out->pkgs[i].version, first->version))
			return 0; /* merged already */
	if (!(grown = realloc(out->pkgs, (out->pkg_count + 1) * sizeof(*grown))))
		return -1;
	out->pkgs = grown;
	p = &grown[out->pkg_count++];
	memset(p, 0, sizeof(*p));
	if (!(p->name = hwb_strdup(first->name)) ||
	    !(p->version = hwb_strdup(first->version)) ||
	    (first->requires_python &&
	     !(p->requires_python = hwb_strdup(first->requires_python))) ||
	    (first->index && !(p->index = hwb_strdup(first->index))))
		return -1;
	for (i = 0; i < n; i++) {
		for (k = 0; k < locks[i]->pkg_count; k++) {
			q = &locks[i]->pkgs[k];
			if (!strcmp(q->name, first->name) &&
			    !strcmp(q->version, first->version))
				break;
		}
		if (k == locks[i]->pkg_count) {
			uniform = 0;
			continue;
		}
		present++;
		if (!same(q->marker, first->marker))
			uniform = 0;
		for (k = 0; k < q->wheel_count; k++)
			if (add_wheel(p, &q->wheels[k]))
				return -1;
		for (k = 0; k < q->dependency_count; k++)
			if (add_str(&p->dependencies, &p->dependency_count,
				    q->dependencies[k]))
				return -1;
		if (q->marker)
			hwb_buf_printf(&marker, "%s(%s and (%s))", terms ? " or " : "",
				       envs[i], q->marker);
		else
			hwb_buf_printf(&marker, "%s(%s)", terms ? " or " : "", envs[i]);
		terms++;
	}
	if (uniform && present == n) {
		hwb_buf_release(&marker);
		return first->marker && !(p->marker = hwb_strdup(first->marker)) ? -1 : 0;
	}
	if (marker.oom) {
		hwb_buf_release(&marker);
		return -1;
	}
	p->marker = hwb_buf_detach(&marker, NULL);
	return 0;
}

int hwb_reqs_lock_merge(struct hwb_reqs_lock *const *locks,
			  const struct hwb_reqs_interp *const *interps,
			  size_t n, struct hwb_reqs_lock **out,
			  struct hwb_error *err)
{
	struct hwb_reqs_lock *m = hwb_reqs_lock_new();
	char **envs = calloc(n ? n : 1, sizeof(char *));
	size_t i, k, lowest = 0;
	int ret = -1;

	*out = NULL;
	if (!m || !envs)
		goto oom;
	for (i = 0; i < n; i++) {
		if (!(envs[i] = hwb_reqs_interp_env_marker(interps[i])) ||
		    add_str(&m->environments, &m->environment_count, envs[i]))
			goto oom;
		for (k = 0; k < locks[i]->requirement_count; k++)
			if (add_str(&m->requirements, &m->requirement_count,
				    locks[i]->requirements[k]))
				goto oom;
		/* The floor is the oldest interpreter's X.Y. */
		if (strverscmp(interps[i]->python_version,
			       interps[lowest]->python_version) < 0)
			lowest = i;
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < locks[i]->pkg_count; k++)
			if (merge_pkg(m, locks, n, envs, &locks[i]->pkgs[k]))
				goto oom;
	if (!(m->requires_python = hwb_strdup_printf(">=%s",
						     interps[lowest]->python_version)))
		goto oom;
	hwb_reqs__lock_sort(m);
	*out = m;
	m = NULL;
	ret = 0;
	goto cleanup;
oom:
	hwb_error_oom(err);
cleanup:
	for (i = 0; envs && i < n; i++)
		free(envs[i]);
	free(envs);
	hwb_reqs_lock_free(m);
	return ret;
}

int hwb_reqs__lock_covers(const struct hwb_reqs_lock *lock,
			   const struct hwb_reqs_interp *in,
			   struct hwb_error *err)
{
	struct hwb_marker_env env;
	size_t i;
	int r;

	if (!lock->environment_count)
		return 0;
	hwb_reqs__interp_marker_env(in, &env);
	for (i = 0; i < lock->environment_count; i++) {
		if ((r = hwb_reqs__marker_holds(lock->environments[i], &env,
						 err)) < 0)
			return -1;
		if (r)
			return 0;
	}
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-B165",
		      "the lock covers other interpreters (its environments "
		      "do not match %s %s on %s %s)", in->implementation_name,
		      in->python_version, in->sys_platform, in->platform_machine);
	return hwb_error_hint(err, "lock for this interpreter too: `hwb lock "
			      "--python A --python %s`", in->path);
}
