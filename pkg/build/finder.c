/* SPDX-License-Identifier: Apache-2.0 */
/*
 * finder.c: the wheels of a project from every configured source (the
 * find-links directories, then the index), asked once per project and
 * resolution. Scanning and page parsing are finder_links.c and
 * finder_index.c.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/build/internal.h"
#include "pkg/core/http.h"

int hwb_build__finder_init(struct hwb_build__finder *f,
			   const struct hwb_build__source *src,
			   struct hwb_error *err)
{
	memset(f, 0, sizeof(*f));
	f->src = src;
	if (src->cache_dir)
		return (f->cache_dir = hwb_strdup(src->cache_dir)) ? 0
								 : hwb_error_oom(err);
	return hwb_build__cache_dir(&f->cache_dir, err);
}

static void dist_release(struct hwb_build__dist *d)
{
	free(d->filename);
	free(d->version);
	free(d->tags);
	free(d->url);
	free(d->path);
	free(d->index_page);
	free(d->requires_python);
}

static void project_release(struct hwb_build__project *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		dist_release(&p->dists[i]);
	free(p->dists);
	free(p->name);
}

void hwb_build__finder_release(struct hwb_build__finder *f)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		project_release(&f->projects[i]);
	free(f->projects);
	free(f->cache_dir);
	hwb_http_client_free(f->http);
	memset(f, 0, sizeof(*f));
}

static int dup_opt(char **dst, const char *s)
{
	*dst = NULL;
	return s && !(*dst = hwb_strdup(s)) ? -1 : 0;
}

int hwb_build__project_add(struct hwb_build__project *p,
			   const struct hwb_build__dist *d,
			   struct hwb_error *err)
{
	struct hwb_build__dist *n;
	size_t cap;

	if (p->count == p->cap) {
		cap = p->cap ? p->cap * 2 : 8;
		n = realloc(p->dists, cap * sizeof(*n));
		if (!n)
			return hwb_error_oom(err);
		p->dists = n;
		p->cap = cap;
	}
	n = &p->dists[p->count];
	memset(n, 0, sizeof(*n));
	if (dup_opt(&n->filename, d->filename) ||
	    dup_opt(&n->version, d->version) || dup_opt(&n->tags, d->tags) ||
	    dup_opt(&n->url, d->url) || dup_opt(&n->path, d->path) ||
	    dup_opt(&n->index_page, d->index_page) ||
	    dup_opt(&n->requires_python, d->requires_python)) {
		dist_release(n);
		return hwb_error_oom(err);
	}
	memcpy(n->sha256, d->sha256, sizeof(n->sha256));
	n->size = d->size;
	p->count++;
	return 0;
}

int hwb_build__finder_project(struct hwb_build__finder *f, const char *name,
			      const struct hwb_build__project **out,
			      struct hwb_error *err)
{
	struct hwb_build__project *p, *grown;
	size_t i, cap;

	for (i = 0; i < f->count; i++) {
		if (!strcmp(f->projects[i].name, name)) {
			*out = &f->projects[i];
			return 0;
		}
	}
	if (f->count == f->cap) {
		cap = f->cap ? f->cap * 2 : 8;
		grown = realloc(f->projects, cap * sizeof(*grown));
		if (!grown)
			return hwb_error_oom(err);
		f->projects = grown;
		f->cap = cap;
	}
	p = &f->projects[f->count];
	memset(p, 0, sizeof(*p));
	if (!(p->name = hwb_strdup(name)))
		return hwb_error_oom(err);
	if (hwb_build__links_scan(f->src, name, p, err) ||
	    (f->src->index_url && hwb_build__index_scan(f, name, p, err))) {
		project_release(p);
		return -1;
	}
	f->count++;
	*out = p;
	return 0;
}
