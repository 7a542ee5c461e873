/* SPDX-License-Identifier: Apache-2.0 */
/*
 * project.c: the wheels one project offers, as the finders (finder.c,
 * finder_links.c, finder_index.c) collect them.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/reqs/internal.h"

static void dist_release(struct hwb_reqs__dist *d)
{
	free(d->filename);
	free(d->version);
	free(d->tags);
	free(d->url);
	free(d->path);
	free(d->index_page);
	free(d->requires_python);
}

void hwb_reqs__project_release(struct hwb_reqs__project *p)
{
	size_t i;

	for (i = 0; i < p->count; i++)
		dist_release(&p->dists[i]);
	free(p->dists);
	free(p->name);
}

static int dup_opt(char **dst, const char *s)
{
	*dst = NULL;
	return s && !(*dst = hwb_strdup(s)) ? -1 : 0;
}

int hwb_reqs__project_add(struct hwb_reqs__project *p,
			   const struct hwb_reqs__dist *d,
			   struct hwb_error *err)
{
	struct hwb_reqs__dist *n;
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
