/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resolve.c: choose one version of every build requirement and of their
 * dependencies. A plain backtracking search, enough for build requirements
 * (a handful of packages): requirements are taken in order; a new name is
 * pinned to its highest version that satisfies every requirement on it
 * seen so far, has a wheel for the interpreter and accepts its Python
 * version; a requirement that an earlier pin does not satisfy makes the
 * search go back and try the next lower version. Markers are evaluated for
 * the interpreter. resolve_lock.c turns the pins into a lock.
 */
#include <stdlib.h>
#include <string.h>

#include <stdio.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/log.h"

static void edge_release(struct rs_edge *e)
{
	hwb_pep508_free(e->req);
	free(e->text);
	free(e->name);
	free(e->marker);
	free(e->extra);
}

static void pin_release(struct rs_pin *p)
{
	hwb_reqs__wheel_meta_release(&p->meta);
	free(p->local);
}

void hwb_reqs__rs_release(struct rs_state *st)
{
	size_t i;

	for (i = 0; i < st->edge_count; i++)
		edge_release(&st->edges[i]);
	free(st->edges);
	for (i = 0; i < st->pin_count; i++)
		pin_release(&st->pins[i]);
	free(st->pins);
	hwb_reqs__finder_release(&st->finder);
}

/* The marker text of a requirement: what follows its ';'. */
static char *marker_text(const char *text, const struct hwb_requirement *req)
{
	const char *from = text, *semi;

	if (req->url && (from = strstr(text, req->url)))
		from += strlen(req->url);
	else
		from = text;
	semi = strchr(from, ';');
	if (!semi || !req->marker)
		return NULL;
	semi++;
	while (*semi == ' ' || *semi == '\t')
		semi++;
	return hwb_strdup(semi);
}

/* Append requirement text as an edge; parent -1 for a top-level one. */
static int add_edge(struct rs_state *st, const char *text, long parent,
		    const char *extra, const char *origin,
		    struct hwb_error *err)
{
	struct rs_edge *e;
	struct hwb_buf name = HWB_BUF_INIT;
	size_t cap;

	if (st->edge_count >= RS_MAX_EDGES) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-B143",
			      "the build requirements need more than %d "
			      "dependency edges to resolve", RS_MAX_EDGES);
		return hwb_error_hint(err, "pin the build requirements more "
					   "tightly");
	}
	if (st->edge_count == st->edge_cap) {
		cap = st->edge_cap ? st->edge_cap * 2 : 16;
		e = realloc(st->edges, cap * sizeof(*e));
		if (!e)
			return hwb_error_oom(err);
		st->edges = e;
		st->edge_cap = cap;
	}
	e = &st->edges[st->edge_count];
	memset(e, 0, sizeof(*e));
	e->parent = parent;
	e->origin = origin;
	if (hwb_pep508_parse(text, strlen(text), &e->req, err)) {
		char msg[sizeof(err->message)];

		snprintf(msg, sizeof(msg), "%s", err->message);
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B140",
			      "requirement '%s' from %s is not valid PEP 508: %s",
			      text, origin, msg);
		hwb_error_hint(err, "fix the requirement, e.g. \"setuptools>=61\"");
		return -1;
	}
	if (hwb_normalize_name(e->req->name, strlen(e->req->name), &name) ||
	    !(e->text = hwb_strdup(text)) ||
	    (extra && !(e->extra = hwb_strdup(extra)))) {
		hwb_buf_release(&name);
		edge_release(e);
		return hwb_error_oom(err);
	}
	e->name = hwb_buf_detach(&name, NULL);
	e->marker = marker_text(text, e->req);
	st->edge_count++;
	if (e->req->url && !st->src->allow_url_requirements) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B141",
			      "URL requirement '%s' from %s refused: a build "
			      "requirement must come from the configured index "
			      "or wheelhouse", text, origin);
		return hwb_error_hint(err, "name the project and a version "
					   "instead, or allow URL requirements "
					   "with build.allow-url-requirements = "
					   "true in your own configuration");
	}
	if (e->req->url) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B141",
			      "URL requirement '%s' from %s: hwb pins build "
			      "requirements by the index's or wheelhouse's hash "
			      "and cannot lock a direct URL", text, origin);
		return hwb_error_hint(err, "put the wheel in a --find-links "
					   "directory and require it by name");
	}
	return 0;
}

static struct rs_pin *find_pin(struct rs_state *st, const char *name)
{
	size_t i;

	for (i = 0; i < st->pin_count; i++)
		if (!strcmp(st->pins[i].dist_name, name))
			return &st->pins[i];
	return NULL;
}

/* Every applying edge on name up to (excluding) limit is satisfied by v. */
static int satisfies_all(struct rs_state *st, const char *name,
			 const struct hwb_pep440_version *v, size_t limit,
			 size_t *bad_edge)
{
	size_t i;
	struct hwb_error ignored = HWB_ERROR_INIT;

	for (i = 0; i < limit; i++) {
		const struct rs_edge *e = &st->edges[i];

		if (strcmp(e->name, name) || hwb_reqs__rs_edge_applies(st, e, &ignored) != 1)
			continue;
		if (!hwb_specifier_set_contains(&e->req->specifiers, v, 0)) {
			*bad_edge = i;
			return 0;
		}
	}
	return 1;
}

static const char *edge_origin(struct rs_state *st, const struct rs_edge *e,
			       char *buf, size_t bufsz)
{
	if (e->parent < 0)
		return e->origin;
	snprintf(buf, bufsz, "%s %s", st->pins[e->parent].dist_name,
		 st->pins[e->parent].version);
	return buf;
}

/* Remember the first conflict seen: it names both requirements. */
static void note_conflict(struct rs_state *st, size_t a, size_t b,
			  const char *name)
{
	char oa[200], ob[200];

	if (st->conflict.code[0])
		return;
	hwb_error_set(&st->conflict, HWB_KIND_FAILED, "HWB-B143",
		      "conflicting requirements on %s: '%s' (from %s) and "
		      "'%s' (from %s) have no version in common among the "
		      "wheels found", name, st->edges[a].text,
		      edge_origin(st, &st->edges[a], oa, sizeof(oa)),
		      st->edges[b].text,
		      edge_origin(st, &st->edges[b], ob, sizeof(ob)));
	hwb_error_hint(&st->conflict, "relax one of them, or make a wheel "
				      "that satisfies both available");
}

static int solve(struct rs_state *st, size_t qi, struct hwb_error *err);

/* Push the dependencies of pin idx that apply, for extra (NULL: base). */
static int push_deps(struct rs_state *st, size_t idx, const char *extra,
		     struct hwb_error *err)
{
	struct rs_pin *p = &st->pins[idx];
	size_t i;

	for (i = 0; i < p->meta.require_count; i++)
		if (add_edge(st, p->meta.requires[i], (long)idx, extra,
			     p->dist_name, err))
			return -1;
	return 0;
}

/* Try each candidate version of edge qi's project, highest first. */
static int pin_and_solve(struct rs_state *st, size_t qi,
			 struct hwb_error *err)
{
	struct rs_candidates c = { 0 };
	struct rs_pin *p;
	size_t i, k, edges_before, bad = 0;
	int rc = 1, any_version = 0;

	/* st->edges moves when edges are added: e is taken again after. */
	struct rs_edge *e = &st->edges[qi];

	if (hwb_reqs__rs_candidates(st, e->name, &c, err))
		return -1;
	for (i = 0; i < c.count; i++) {
		any_version = 1;
		if (!satisfies_all(st, e->name, &c.items[i].version, qi + 1, &bad)) {
			if (bad != qi)
				note_conflict(st, bad, qi, e->name);
			continue;
		}
		edges_before = st->edge_count;
		if (hwb_reqs__rs_pin(st, e->name, &c.items[i], err) < 0) {
			rc = -1;
			break;
		}
		p = &st->pins[st->pin_count - 1];
		if (!p->usable) { /* Requires-Python excludes it */
			st->pin_count--;
			pin_release(p);
			continue;
		}
		if (push_deps(st, st->pin_count - 1, NULL, err)) {
			rc = -1;
			break;
		}
		for (k = 0; k < st->edges[qi].req->extra_count; k++)
			if (push_deps(st, st->pin_count - 1,
				      st->edges[qi].req->extras[k], err)) {
				rc = -1;
				break;
			}
		if (rc < 0)
			break;
		rc = solve(st, qi + 1, err);
		e = &st->edges[qi];
		if (rc <= 0)
			break;
		/* Undo: drop the edges this pin added, then the pin. */
		while (st->edge_count > edges_before)
			edge_release(&st->edges[--st->edge_count]);
		e = &st->edges[qi];
		st->pin_count--;
		pin_release(&st->pins[st->pin_count]);
		rc = 1;
	}
	if (rc == 1 && !st->conflict.code[0]) {
		if (!any_version) {
			hwb_error_set(&st->conflict, HWB_KIND_FAILED, "HWB-B142",
				      "no wheel of '%s' (required as '%s') for "
				      "this interpreter (%s, %s) in %s",
				      e->name, e->text, st->in->cache_tag,
				      st->in->platform, st->where);
			hwb_error_hint(&st->conflict, "add a wheel of it to a "
				       "--find-links directory or the index");
		} else {
			hwb_error_set(&st->conflict, HWB_KIND_FAILED, "HWB-B142",
				      "no version of '%s' satisfies '%s' (from %s) "
				      "with a wheel for this interpreter and its "
				      "Python version", e->name, e->text,
				      e->parent < 0 ? e->origin
						    : st->pins[e->parent].dist_name);
			hwb_error_hint(&st->conflict, "relax the requirement or "
				       "make a matching wheel available");
		}
	}
	hwb_reqs__rs_candidates_release(&c);
	return rc;
}

/* 0: every edge from qi on is satisfied; 1: not possible; -1: error. */
static int solve(struct rs_state *st, size_t qi, struct hwb_error *err)
{
	struct rs_edge *e;
	struct rs_pin *p;
	size_t k, j;
	int applies;

	for (; qi < st->edge_count; qi++) {
		e = &st->edges[qi];
		if ((applies = hwb_reqs__rs_edge_applies(st, e, err)) < 0)
			return -1;
		if (!applies)
			continue;
		if (!(p = find_pin(st, e->name)))
			return pin_and_solve(st, qi, err);
		if (!hwb_specifier_set_contains(&e->req->specifiers, &p->parsed, 0)) {
			/* Name the edge that made the pin. */
			for (j = 0; j < qi; j++)
				if (!strcmp(st->edges[j].name, e->name) &&
				    hwb_reqs__rs_edge_applies(st, &st->edges[j], err) == 1)
					break;
			note_conflict(st, j < qi ? j : qi, qi, e->name);
			return 1;
		}
		for (k = 0; k < st->edges[qi].req->extra_count; k++)
			if (push_deps(st, (size_t)(p - st->pins),
				      st->edges[qi].req->extras[k], err))
				return -1;
	}
	return 0;
}

int hwb_reqs__rs_run(struct rs_state *st, const char *const *reqs,
		      size_t count, const char *origin, struct hwb_error *err)
{
	size_t i;
	int rc;

	for (i = 0; i < count; i++)
		if (add_edge(st, reqs[i], -1, NULL, origin, err))
			return -1;
	rc = solve(st, 0, err);
	if (rc > 0) {
		*err = st->conflict;
		return -1;
	}
	return rc;
}
