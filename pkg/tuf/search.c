/* SPDX-License-Identifier: Apache-2.0 */
/*
 * search.c: finding a target's metadata (specification 5.6.7): the
 * top-level targets role first; only when the target is not there, a
 * pre-order depth-first search of the delegations in their order, skipping
 * roles already visited, visiting at most HWB_TUF_MAX_DELEGATIONS roles,
 * stopping at the first role that lists the target and at a terminating
 * delegation. A delegated role is trusted for a path only when every role
 * on the chain to it covers the path, which the walk ensures by descending
 * only into delegations whose paths match.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/hash.h"
#include "pkg/tuf/internal.h"

/*
 * "paths": shell patterns where a wildcard does not match '/'
 * (specification, PATHPATTERN; fnmatch's FNM_PATHNAME);
 * "path_hash_prefixes": the SHA-256 hex of the path starts with one.
 * A role with neither covers nothing.
 */
int hwb_tuf__role_matches(const struct tuf_role *role, const char *path)
{
	char hex[HWB_HASH_MAX_HEX];
	size_t i;

	for (i = 0; i < role->path_count; i++)
		if (!fnmatch(role->paths[i], path, FNM_PATHNAME))
			return 1;
	if (!role->prefix_count ||
	    hwb_hash_buffer_hex(HWB_HASH_SHA256, path, strlen(path), hex, NULL))
		return 0;
	for (i = 0; i < role->prefix_count; i++)
		if (!strncmp(hex, role->prefixes[i], strlen(role->prefixes[i])))
			return 1;
	return 0;
}

static int listed(const struct tuf_meta *m, const char *path,
		  struct tuf_fileinfo *out)
{
	const json_t *t = json_object_get(m->targets, path);

	if (!t)
		return 0;
	out->name = path;
	out->version = 0;
	out->length = (int64_t)json_integer_value(json_object_get(t, "length"));
	out->hashes = json_object_get(t, "hashes");
	return 1;
}

struct walk {
	const char *path;
	const struct tuf_source *src;
	char *visited[HWB_TUF_MAX_DELEGATIONS]; /* owned copies */
	size_t nvisited;
	struct tuf_meta *owner;
	struct tuf_fileinfo *out;
};

/* 1 found (w->owner holds the role), 0 not found, 2 stop (terminating),
 * -1 error. */
static int walk_role(struct walk *w, const struct tuf_meta *m, int depth,
		     struct hwb_error *err)
{
	size_t i, j;
	int rc;

	for (i = 0; i < m->drole_count; i++) {
		const struct tuf_role *r = &m->droles[i];
		struct tuf_meta child;

		if (!hwb_tuf__role_matches(r, w->path))
			continue;
		for (j = 0; j < w->nvisited; j++)
			if (!strcmp(w->visited[j], r->name))
				break;
		if (j < w->nvisited)
			continue;
		if (w->nvisited == HWB_TUF_MAX_DELEGATIONS)
			return 2;
		if (!(w->visited[w->nvisited] = hwb_strdup(r->name)))
			return hwb_error_oom(err);
		w->nvisited++;
		memset(&child, 0, sizeof(child));
		if (w->src->get(w->src->ctx, m, r, &child, err))
			return -1;
		if (listed(&child, w->path, w->out)) {
			hwb_tuf__meta_move(w->owner, &child);
			/* name points into the owner's document now */
			w->out->name = w->path;
			listed(w->owner, w->path, w->out);
			return 1;
		}
		rc = depth < HWB_TUF_MAX_DELEGATIONS
			     ? walk_role(w, &child, depth + 1, err) : 0;
		hwb_tuf__meta_release(&child);
		if (rc)
			return rc;
		if (r->terminating)
			return 2;
	}
	return 0;
}

int hwb_tuf__find_target(const struct tuf_meta *top, const char *path,
			 const struct tuf_source *src, struct tuf_meta *owner,
			 struct tuf_fileinfo *out, struct hwb_error *err)
{
	struct walk w;
	int rc;

	if (listed(top, path, out))
		return 0;
	memset(&w, 0, sizeof(w));
	w.path = path;
	w.src = src;
	w.owner = owner;
	w.out = out;
	rc = walk_role(&w, top, 1, err);
	while (w.nvisited)
		free(w.visited[--w.nvisited]);
	if (rc == 1)
		return 0;
	if (rc == -1)
		return -1;
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-R010",
		      "TUF repository: no targets metadata lists %s "
		      "(specification 5.7.2)", path);
	return hwb_error_hint(err, "check that the repository URL is a Sigstore "
			      "TUF repository; %s is one of its usual targets",
			      path);
}
