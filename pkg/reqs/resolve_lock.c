/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resolve_lock.c: the resolver's candidates and pins (which wheel stands
 * for a version, reading its metadata), whether an edge's marker holds,
 * and turning a finished resolution into a lock: every wheel of each
 * chosen version with its sha256, the markers under which a package is
 * needed, and its dependencies.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/hash.h"
#include "pkg/core/log.h"

void hwb_reqs__rs_candidates_release(struct rs_candidates *c)
{
	free(c->items);
	memset(c, 0, sizeof(*c));
}

static int cmp_candidate(const void *a, const void *b)
{
	const struct rs_candidate *x = a, *y = b;

	return hwb_pep440_compare(&y->version, &x->version);
}

int hwb_reqs__rs_candidates(struct rs_state *st, const char *name,
			     struct rs_candidates *out, struct hwb_error *err)
{
	const struct hwb_reqs__project *p;
	struct hwb_pep440_version v;
	struct hwb_error ignored = HWB_ERROR_INIT;
	struct hwb_reqs__dist *d;
	size_t i, k;

	memset(out, 0, sizeof(*out));
	if (hwb_reqs__finder_project(&st->finder, name, &p, err))
		return -1;
	if (p->count && !(out->items = calloc(p->count, sizeof(*out->items))))
		return hwb_error_oom(err);
	for (i = 0; i < p->count; i++) {
		d = &p->dists[i];
		if (!hwb_reqs_wheel_compatible(d->tags, st->in))
			continue;
		if (hwb_pep440_parse(d->version, strlen(d->version), &v, &ignored))
			continue;
		/* The index's data-requires-python spares a download. */
		if (d->requires_python) {
			struct hwb_specifier_set set = HWB_SPECIFIER_SET_INIT;
			struct hwb_pep440_version pv;
			int ok = 1;

			if (!hwb_specifier_set_parse(d->requires_python,
						     strlen(d->requires_python),
						     &set, &ignored) &&
			    !hwb_pep440_parse(st->in->python_full_version,
					      strlen(st->in->python_full_version),
					      &pv, &ignored))
				ok = hwb_specifier_set_contains(&set, &pv, 1);
			hwb_specifier_set_release(&set);
			if (!ok)
				continue;
		}
		/* One wheel per version: the first compatible one by name,
		 * so that the choice does not depend on directory order. */
		for (k = 0; k < out->count; k++)
			if (!hwb_pep440_compare(&out->items[k].version, &v))
				break;
		if (k < out->count) {
			if (strcmp(d->filename, out->items[k].dist->filename) < 0)
				out->items[k].dist = d;
			continue;
		}
		out->items[out->count].version = v;
		out->items[out->count].dist = d;
		out->count++;
	}
	if (out->count > 1)
		qsort(out->items, out->count, sizeof(*out->items), cmp_candidate);
	return 0;
}

static int python_accepts(const struct hwb_reqs_interp *in, const char *rp)
{
	struct hwb_specifier_set set = HWB_SPECIFIER_SET_INIT;
	struct hwb_pep440_version v;
	struct hwb_error ignored = HWB_ERROR_INIT;
	int ok = 1;

	if (rp && !hwb_specifier_set_parse(rp, strlen(rp), &set, &ignored) &&
	    !hwb_pep440_parse(in->python_full_version,
			      strlen(in->python_full_version), &v, &ignored))
		ok = hwb_specifier_set_contains(&set, &v, 1);
	hwb_specifier_set_release(&set);
	return ok;
}

int hwb_reqs__rs_pin(struct rs_state *st, const char *name,
		      const struct rs_candidate *c, struct hwb_error *err)
{
	struct rs_pin *p;
	size_t cap;

	if (st->pin_count == st->pin_cap) {
		cap = st->pin_cap ? st->pin_cap * 2 : 8;
		p = realloc(st->pins, cap * sizeof(*p));
		if (!p)
			return hwb_error_oom(err);
		st->pins = p;
		st->pin_cap = cap;
	}
	p = &st->pins[st->pin_count];
	memset(p, 0, sizeof(*p));
	snprintf(p->dist_name, sizeof(p->dist_name), "%s", name);
	p->parsed = c->version;
	p->dist = c->dist;
	if (hwb_reqs__dist_materialize(&st->finder, c->dist, &p->local, err) ||
	    hwb_reqs__wheel_meta_read(p->local, &p->meta, err)) {
		free(p->local);
		hwb_reqs__wheel_meta_release(&p->meta);
		return -1;
	}
	snprintf(p->version, sizeof(p->version), "%s", p->meta.version);
	p->usable = python_accepts(st->in, p->meta.requires_python);
	st->pin_count++;
	hwb_log_verbose("resolve: %s %s (%s)", name, p->version,
			c->dist->filename);
	return 0;
}

/* ------------------------------------------------------------------------
 * From pins to a lock.
 */

/* "(a) and (b)", or a copy of whichever is set; NULL means "always". */
static char *and_markers(const char *a, const char *b)
{
	if (!a && !b)
		return NULL;
	if (!a)
		return hwb_strdup(b);
	if (!b)
		return hwb_strdup(a);
	return hwb_strdup_printf("(%s) and (%s)", a, b);
}

/*
 * The marker under which pin i is needed: the "or" of, for each edge that
 * reached it, the requiring package's marker "and" the edge's own. An edge
 * that came with an extra keeps only its parent's marker: the extra was
 * asked for, and "extra == ..." means nothing in a lock. Parents are pinned
 * before their dependencies, so their markers are known (a cycle's back
 * edge counts as "always").
 */
static int pin_marker(struct rs_state *st, size_t i, char **markers,
		      char **out, struct hwb_error *err)
{
	struct hwb_buf all = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	const struct rs_edge *e;
	char *term;
	size_t k, terms = 0;

	*out = NULL;
	for (k = 0; k < st->edge_count; k++) {
		e = &st->edges[k];
		if (strcmp(e->name, st->pins[i].dist_name) ||
		    hwb_reqs__rs_edge_applies(st, e, &ignored) != 1)
			continue;
		term = and_markers(e->parent >= 0 && (size_t)e->parent < i
					   ? markers[e->parent] : NULL,
				   e->extra ? NULL : e->marker);
		if (!term) { /* needed unconditionally */
			hwb_buf_release(&all);
			return 0;
		}
		hwb_buf_printf(&all, terms ? " or (%s)" : "(%s)", term);
		free(term);
		terms++;
	}
	if (hwb_buf_check(&all, err))
		return -1;
	if (terms == 1) { /* drop the parentheses of a single term */
		memmove(all.ptr, all.ptr + 1, all.len - 2);
		all.ptr[all.len - 2] = 0;
		all.len -= 2;
	}
	*out = terms ? hwb_buf_detach(&all, NULL) : NULL;
	hwb_buf_release(&all);
	return 0;
}

static int add_wheels(struct rs_state *st, const struct rs_pin *pin,
		      struct hwb_reqs_lock_pkg *lp, struct hwb_error *err)
{
	const struct hwb_reqs__project *proj;
	struct hwb_reqs__dist *d;
	struct hwb_pep440_version v;
	struct hwb_error ignored = HWB_ERROR_INIT;
	struct hwb_reqs_lock_wheel *w;
	size_t i;

	if (hwb_reqs__finder_project(&st->finder, pin->dist_name, &proj, err))
		return -1;
	if (!(lp->wheels = calloc(proj->count, sizeof(*lp->wheels))))
		return hwb_error_oom(err);
	for (i = 0; i < proj->count; i++) {
		d = &proj->dists[i];
		if (hwb_pep440_parse(d->version, strlen(d->version), &v, &ignored) ||
		    hwb_pep440_compare(&v, &pin->parsed))
			continue;
		/* Other platforms' wheels of this version are recorded too
		 * (one lock, several platforms) when their hash is known
		 * without a download: local files, index hashes. */
		if (d->path && !d->sha256[0] &&
		    hwb_hash_file_hex(HWB_HASH_SHA256, d->path, d->sha256, err))
			return -1;
		if (!d->sha256[0])
			continue;
		w = &lp->wheels[lp->wheel_count++];
		w->size = d->size;
		memcpy(w->sha256, d->sha256, sizeof(w->sha256));
		if (!(w->name = hwb_strdup(d->filename)) ||
		    (d->url && !(w->url = hwb_strdup(d->url))) ||
		    (d->path && !(w->path = hwb_strdup(d->path))))
			return hwb_error_oom(err);
		if (d->index_page && !lp->index &&
		    !(lp->index = hwb_strdup(d->index_page)))
			return hwb_error_oom(err);
	}
	return 0;
}

static int add_dependencies(struct rs_state *st, size_t i,
			    struct hwb_reqs_lock_pkg *lp,
			    struct hwb_error *err)
{
	struct hwb_error ignored = HWB_ERROR_INIT;
	const struct rs_edge *e;
	size_t k, j;

	for (k = 0; k < st->edge_count; k++) {
		e = &st->edges[k];
		if (e->parent != (long)i ||
		    hwb_reqs__rs_edge_applies(st, e, &ignored) != 1)
			continue;
		for (j = 0; j < lp->dependency_count; j++)
			if (!strcmp(lp->dependencies[j], e->name))
				break;
		if (j < lp->dependency_count)
			continue;
		char **n = realloc(lp->dependencies,
				   (lp->dependency_count + 1) * sizeof(char *));
		if (!n)
			return hwb_error_oom(err);
		lp->dependencies = n;
		if (!(n[lp->dependency_count] = hwb_strdup(e->name)))
			return hwb_error_oom(err);
		lp->dependency_count++;
	}
	return 0;
}

int hwb_reqs__rs_to_lock(struct rs_state *st, struct hwb_reqs_lock *lock,
			  struct hwb_error *err)
{
	struct hwb_reqs_lock_pkg *pkgs = NULL, *lp;
	char **markers = NULL;
	size_t i, n = st->pin_count;
	int ret = -1;

	if (n && (!(pkgs = calloc(n, sizeof(*pkgs))) ||
		  !(markers = calloc(n, sizeof(char *))))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		lp = &pkgs[i];
		if (pin_marker(st, i, markers, &markers[i], err))
			goto cleanup;
		if (!(lp->name = hwb_strdup(st->pins[i].dist_name)) ||
		    !(lp->version = hwb_strdup(st->pins[i].version)) ||
		    (markers[i] && !(lp->marker = hwb_strdup(markers[i]))) ||
		    (st->pins[i].meta.requires_python &&
		     !(lp->requires_python =
			       hwb_strdup(st->pins[i].meta.requires_python)))) {
			hwb_error_oom(err);
			goto cleanup;
		}
		if (add_wheels(st, &st->pins[i], lp, err) ||
		    add_dependencies(st, i, lp, err))
			goto cleanup;
	}
	for (i = 0; i < lock->pkg_count; i++)
		hwb_reqs__lock_pkg_release(&lock->pkgs[i]);
	free(lock->pkgs);
	lock->pkgs = pkgs;
	lock->pkg_count = n;
	pkgs = NULL;
	hwb_reqs__lock_sort(lock);
	ret = 0;
cleanup:
	for (i = 0; pkgs && i < n; i++)
		hwb_reqs__lock_pkg_release(&pkgs[i]);
	free(pkgs);
	for (i = 0; markers && i < n; i++)
		free(markers[i]);
	free(markers);
	return ret;
}

/* Does edge e apply in this environment (its marker holds)? */
int hwb_reqs__rs_edge_applies(struct rs_state *st, const struct rs_edge *e,
			struct hwb_error *err)
{
	struct hwb_marker_env env;

	if (!e->req->marker)
		return 1;
	hwb_reqs__interp_marker_env(st->in, &env);
	env.extra = e->extra;
	return hwb_marker_evaluate(e->req->marker, &env, err);
}
