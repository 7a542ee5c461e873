/* SPDX-License-Identifier: Apache-2.0 */
/*
 * paths.c: where a signature of a file lives by default. Beside the file
 * (FILE.sigstore.json, sigstore-python's name), except for Python
 * distributions: theirs go to the sibling directory DIR-signatures/, so
 * that dist/ keeps only wheels and sdists and a plain `twine upload dist/...`
 * or gh-action-pypi-publish still works (both refuse any other file there
 * as "Unknown distribution format").
 */
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/sign/internal.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !strcmp(s + n - m, suffix);
}

int hwb_sign_is_distribution(const char *path)
{
	return ends_with(path, ".whl") || ends_with(path, ".tar.gz") ||
	       ends_with(path, ".zip");
}

int hwb_sign_signature_dir(const char *file, struct hwb_buf *out)
{
	char *copy = hwb_strdup(file), *dir, resolved[PATH_MAX];
	int rc = -1;

	hwb_buf_clear(out);
	if (!copy)
		return -1;
	dir = dirname(copy);
	/* "." and ".." have no name of their own to put the suffix on */
	if (!strcmp(dir, ".") || !strcmp(dir, "..") || ends_with(dir, "/.") ||
	    ends_with(dir, "/..")) {
		if (!realpath(dir, resolved))
			goto cleanup;
		dir = resolved;
	}
	while (strlen(dir) > 1 && ends_with(dir, "/"))
		dir[strlen(dir) - 1] = '\0';
	rc = hwb_buf_printf(out, "%s-signatures", strcmp(dir, "/") ? dir : "");
cleanup:
	free(copy);
	return rc;
}

int hwb_sign_output_path(const char *file, const char *suffix, struct hwb_buf *out)
{
	char *copy;
	int rc;

	if (!hwb_sign_is_distribution(file)) {
		hwb_buf_clear(out);
		return hwb_buf_printf(out, "%s%s", file, suffix);
	}
	if (hwb_sign_signature_dir(file, out) || !(copy = hwb_strdup(file)))
		return -1;
	rc = hwb_buf_printf(out, "/%s%s", basename(copy), suffix);
	free(copy);
	return rc;
}
