/* SPDX-License-Identifier: Apache-2.0 */
/*
 * paths.c: the paths a build takes on the project's word (build.outdir, its
 * default "dist", build.find-links from pyproject.toml or hwb.toml: the
 * options say which) are resolved beneath the project, links included
 * (pkg/core/beneath.h); one that leaves it is refused with HWB-B015. The
 * user's own word (flags, the environment, the user's configuration) may
 * name any path.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/build/internal.h"
#include "pkg/core/beneath.h"

int hwb_build__project_path(const char *srcdir, const char *rel,
			    const char *key, char **out, struct hwb_error *err)
{
	char *where = NULL;

	*out = NULL;
	if (!hwb_resolve_beneath(srcdir, rel, out))
		return 0;
	if (errno == ENOMEM)
		return hwb_error_oom(err);
	if (errno != EXDEV)
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B015",
				       "cannot resolve '%s' (%s) in the project "
				       "'%s'", rel, key, srcdir),
		       hwb_error_hint(err, "check that the project directory is "
				      "readable");
	where = *out;
	*out = NULL;
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B015",
		      "'%s' (%s, on the project's word) leads outside the project "
		      "through a symbolic link, to '%s'", rel, key,
		      where ? where : "?");
	free(where);
	return hwb_error_hint(err, "replace the link with a directory inside "
			      "the project, or name the directory yourself with "
			      "the command-line flag or your own configuration");
}

int hwb_build__project_find_links(const char *srcdir,
				  const struct hwb_build_settings *s,
				  char ***out, struct hwb_error *err)
{
	size_t i, n = s->find_links_count;
	char **links;

	*out = NULL;
	if (!n || !s->find_links_on_project_word)
		return 0;
	if (!(links = calloc(n, sizeof(*links))))
		return hwb_error_oom(err);
	for (i = 0; i < n; i++)
		if (hwb_build__project_path(srcdir, s->find_links[i],
					    "build.find-links", &links[i], err)) {
			while (i--)
				free(links[i]);
			free(links);
			return -1;
		}
	*out = links;
	return 0;
}
