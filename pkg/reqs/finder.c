/* SPDX-License-Identifier: Apache-2.0 */
/*
 * finder.c: the wheels of a project from every configured source (the
 * find-links directories, then the index), asked once per project and
 * resolution. Scanning and page parsing are finder_links.c and
 * finder_index.c.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/http.h"

int hwb_reqs__finder_init(struct hwb_reqs__finder *f,
			   const struct hwb_reqs_source *src,
			   struct hwb_error *err)
{
	memset(f, 0, sizeof(*f));
	f->src = src;
	if (src->cache_dir)
		return (f->cache_dir = hwb_strdup(src->cache_dir)) ? 0
								 : hwb_error_oom(err);
	return hwb_reqs_cache_dir(&f->cache_dir, err);
}

void hwb_reqs__finder_release(struct hwb_reqs__finder *f)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		hwb_reqs__project_release(&f->projects[i]);
	free(f->projects);
	free(f->cache_dir);
	hwb_http_client_free(f->http);
	memset(f, 0, sizeof(*f));
}

int hwb_reqs__finder_project(struct hwb_reqs__finder *f, const char *name,
			      const struct hwb_reqs__project **out,
			      struct hwb_error *err)
{
	struct hwb_reqs__project *p, *grown;
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
	if (hwb_reqs__links_scan(f->src, name, p, err) ||
	    (f->src->index_url && hwb_reqs__index_scan(f, name, p, err))) {
		hwb_reqs__project_release(p);
		return -1;
	}
	f->count++;
	*out = p;
	return 0;
}
