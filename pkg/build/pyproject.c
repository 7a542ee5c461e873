/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pyproject.c: the [build-system] table (PEP 517, PEP 518) with the
 * specification's defaults and errors, and the backend-path rule: every
 * entry, with symlinks resolved, stays inside the source tree (pypa/build
 * only normalises the path, so a symlink escapes).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/build/internal.h"
#include "pkg/core/fileio.h"
#include "pkg/core/toml.h"

void hwb_build__system_release(struct hwb_build__system *s)
{
	size_t i;

	for (i = 0; i < s->require_count; i++)
		free(s->requires[i]);
	free(s->requires);
	for (i = 0; i < s->path_count; i++)
		free(s->backend_path[i]);
	free(s->backend_path);
	free(s->backend);
	memset(s, 0, sizeof(*s));
}

static int push_str(char ***list, size_t *count, const char *s)
{
	char **l = realloc(*list, (*count + 1) * sizeof(*l));

	if (!l)
		return -1;
	*list = l;
	if (!(l[*count] = hwb_strdup(s)))
		return -1;
	(*count)++;
	return 0;
}

static int bad(struct hwb_error *err, const char *file,
	       const struct hwb_toml_value *v, const char *code,
	       const char *what, const char *hint)
{
	hwb_error_set(err, HWB_KIND_CONFIG, code, "%s", what);
	hwb_error_hint(err, "%s", hint);
	return hwb_error_at(err, file, v ? v->line : 0, v ? v->column : 0);
}

/* A list of strings, into *list. */
static int string_list(const struct hwb_toml_value *v, char ***list,
		       size_t *count, const char *file, const char *key,
		       struct hwb_error *err)
{
	size_t i;
	char what[128];

	snprintf(what, sizeof(what), "[build-system] %s must be a list of "
		 "strings", key);
	if (v->type != HWB_TOML_ARRAY)
		return bad(err, file, v, "HWB-B031", what,
			   "write it as [\"...\", ...]");
	for (i = 0; i < v->u.array.count; i++) {
		const struct hwb_toml_value *item = v->u.array.items[i];

		if (item->type != HWB_TOML_STRING ||
		    strlen(item->u.str.ptr) != item->u.str.len)
			return bad(err, file, item, "HWB-B031", what,
				   "every entry is a quoted string");
		if (push_str(list, count, item->u.str.ptr))
			return hwb_error_oom(err);
	}
	return 0;
}

/* The defaults of PEP 517 for a project without [build-system]. */
static int legacy_defaults(struct hwb_build__system *s, struct hwb_error *err)
{
	s->legacy = 1;
	if (push_str(&s->requires, &s->require_count, "setuptools>=40.8.0") ||
	    !(s->backend = hwb_strdup("setuptools.build_meta:__legacy__")))
		return hwb_error_oom(err);
	return 0;
}

static int read_table(const struct hwb_toml_value *bs,
		      struct hwb_build__system *s, const char *file,
		      struct hwb_error *err)
{
	const struct hwb_toml_value *req = hwb_toml_get(bs, "requires"),
				    *be = hwb_toml_get(bs, "build-backend"),
				    *bp = hwb_toml_get(bs, "backend-path");

	if (bs->type != HWB_TOML_TABLE)
		return bad(err, file, bs, "HWB-B030", "build-system must be a table",
			   "write [build-system] with requires = [...]");
	/* PEP 518: a table without requires is an error, not a default. */
	if (!req)
		return bad(err, file, bs, "HWB-B030",
			   "[build-system] has no 'requires' key (PEP 518)",
			   "add requires = [\"setuptools>=61\"] or your backend's "
			   "requirements");
	if (string_list(req, &s->requires, &s->require_count, file, "requires",
			err))
		return -1;
	if (!be) {
		/* PEP 517: requires without a backend means the legacy one. */
		s->legacy = 1;
		if (!(s->backend = hwb_strdup("setuptools.build_meta:__legacy__")))
			return hwb_error_oom(err);
	} else if (be->type != HWB_TOML_STRING || !be->u.str.len ||
		   strlen(be->u.str.ptr) != be->u.str.len) {
		return bad(err, file, be, "HWB-B032",
			   "[build-system] build-backend must be a non-empty string",
			   "name the backend object, e.g. \"flit_core.buildapi\"");
	} else if (!(s->backend = hwb_strdup(be->u.str.ptr))) {
		return hwb_error_oom(err);
	}
	if (bp && string_list(bp, &s->backend_path, &s->path_count, file,
			      "backend-path", err))
		return -1;
	return 0;
}

int hwb_build__parse_system(const char *text, size_t len, const char *file,
			    struct hwb_build__system *s, struct hwb_error *err)
{
	struct hwb_toml_value *doc = NULL;
	const struct hwb_toml_value *bs;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (hwb_toml_parse(&doc, text, len, file, err))
		return -1;
	bs = hwb_toml_get(doc, "build-system");
	ret = bs ? read_table(bs, s, file, err) : legacy_defaults(s, err);
	if (ret)
		hwb_build__system_release(s);
	hwb_toml_free(doc);
	return ret;
}

int hwb_build__require_project(const char *srcdir, struct hwb_error *err)
{
	char *setup = hwb_strdup_printf("%s/setup.py", srcdir);
	int found;

	if (!setup)
		return hwb_error_oom(err);
	found = access(setup, F_OK) == 0;
	free(setup);
	if (found)
		return 0;
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B039",
		      "'%s' does not appear to be a Python project: it has "
		      "neither pyproject.toml nor setup.py", srcdir);
	return hwb_error_hint(err, "give the project's directory (the one "
			      "with pyproject.toml)");
}

int hwb_build__read_system(const char *srcdir, struct hwb_build__system *s,
			   struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT, path = HWB_BUF_INIT;
	int ret = -1;

	memset(s, 0, sizeof(*s));
	if (hwb_buf_printf(&path, "%s/pyproject.toml", srcdir)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_file_read_all(path.ptr, HWB_FILE_CONFIG_MAX, &text, err)) {
		if (errno != ENOENT)
			goto cleanup;
		hwb_error_clear(err);
		ret = hwb_build__require_project(srcdir, err) ||
		      legacy_defaults(s, err) ? -1 : 0;
		goto cleanup;
	}
	ret = hwb_build__parse_system(text.ptr, text.len, path.ptr, s, err);
cleanup:
	if (ret)
		hwb_build__system_release(s);
	hwb_buf_release(&text);
	hwb_buf_release(&path);
	return ret;
}

/* 1 when path is root itself or inside it (both resolved). */
static int inside(const char *path, const char *root)
{
	size_t n = strlen(root);

	return !strncmp(path, root, n) && (path[n] == '\0' || path[n] == '/');
}

int hwb_build__check_backend_path(const char *srcdir,
				  const struct hwb_build__system *s,
				  struct hwb_error *err)
{
	char root[PATH_MAX], real[PATH_MAX];
	struct hwb_buf p = HWB_BUF_INIT;
	size_t i;
	int ret = 0;

	if (!realpath(srcdir, root))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B033",
				       "cannot resolve the source directory '%s'",
				       srcdir);
	for (i = 0; i < s->path_count && !ret; i++) {
		const char *entry = s->backend_path[i];

		if (entry[0] == '/') {
			ret = hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B033",
					    "backend-path entry '%s' is absolute; "
					    "PEP 517 requires paths relative to the "
					    "project", entry);
			hwb_error_hint(err, "write it relative to pyproject.toml");
			break;
		}
		hwb_buf_clear(&p);
		if (hwb_buf_printf(&p, "%s/%s", root, entry)) {
			ret = hwb_error_oom(err);
			break;
		}
		if (!realpath(p.ptr, real)) {
			ret = hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B033",
					      "backend-path entry '%s' cannot be "
					      "resolved", entry);
			hwb_error_hint(err, "create the directory or fix the entry");
		} else if (!inside(real, root)) {
			ret = hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B034",
					    "backend-path entry '%s' resolves to '%s', "
					    "outside the source tree (PEP 517; symlinks "
					    "followed)", entry, real);
			hwb_error_hint(err, "keep the in-tree backend inside the "
				       "project; replace the symlink by the files");
		}
	}
	hwb_buf_release(&p);
	return ret;
}

