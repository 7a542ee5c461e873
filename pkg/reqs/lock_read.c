/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lock_read.c: read pylock.build.toml (PEP 751) with pkg/core/toml into the
 * in-memory lock. The file comes from the project, so every field is
 * checked for its type; hwb keeps what installing wheels needs and refuses
 * what it cannot honour (sources other than wheels, wheels without sha256).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/fileio.h"
#include "pkg/core/toml.h"

/* A lock for build requirements is small; this is far above any real one. */
#define LOCK_FILE_MAX ((size_t)8 << 20)

static int bad(struct hwb_error *err, const char *file,
	       const struct hwb_toml_value *at, const char *what)
{
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B112",
		      "invalid lock file: %s", what);
	hwb_error_hint(err, "run `hwb lock` to write it again");
	return hwb_error_at(err, file, at ? at->line : 0, at ? at->column : 0);
}

/* Copy an optional string field into *out; -1 when present but no string. */
static int opt_str(const struct hwb_toml_value *table, const char *key,
		   char **out, const char *file, struct hwb_error *err)
{
	const struct hwb_toml_value *v = hwb_toml_get(table, key);
	char what[96];

	*out = NULL;
	if (!v)
		return 0;
	if (v->type != HWB_TOML_STRING || memchr(v->u.str.ptr, 0, v->u.str.len)) {
		snprintf(what, sizeof(what), "'%s' must be a string", key);
		return bad(err, file, v, what);
	}
	if (!(*out = hwb_strdup(v->u.str.ptr)))
		return hwb_error_oom(err);
	return 0;
}

static int str_array(const struct hwb_toml_value *table, const char *key,
		     char ***out, size_t *count, const char *file,
		     struct hwb_error *err)
{
	const struct hwb_toml_value *v = hwb_toml_get(table, key);
	size_t i;
	char what[96];

	*out = NULL;
	*count = 0;
	if (!v)
		return 0;
	snprintf(what, sizeof(what), "'%s' must be an array of strings", key);
	if (v->type != HWB_TOML_ARRAY)
		return bad(err, file, v, what);
	if (v->u.array.count &&
	    !(*out = calloc(v->u.array.count, sizeof(char *))))
		return hwb_error_oom(err);
	for (i = 0; i < v->u.array.count; i++) {
		const struct hwb_toml_value *s = v->u.array.items[i];

		if (s->type != HWB_TOML_STRING)
			return bad(err, file, s, what);
		if (!((*out)[i] = hwb_strdup(s->u.str.ptr)))
			return hwb_error_oom(err);
		(*count)++;
	}
	return 0;
}

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return s[64] == 0;
}

static int read_wheel(const struct hwb_toml_value *t,
		      struct hwb_reqs_lock_wheel *w, const char *pkg,
		      const char *file, struct hwb_error *err)
{
	const struct hwb_toml_value *v, *hashes, *sha;

	if (t->type != HWB_TOML_TABLE)
		return bad(err, file, t, "each packages.wheels entry must be a table");
	if (opt_str(t, "name", &w->name, file, err) ||
	    opt_str(t, "url", &w->url, file, err) ||
	    opt_str(t, "path", &w->path, file, err))
		return -1;
	if (!w->url && !w->path && !w->name)
		return bad(err, file, t, "a wheel needs 'name', 'url' or 'path'");
	if (!w->url && !w->path &&
	    (strchr(w->name, '/') || w->name[0] == '.'))
		return bad(err, file, t, "a wheel's 'name' must be a file name");
	if (!w->name) {
		/* PEP 751: the name may be left out and taken from the url or
		 * path's last component. */
		const char *src = w->path ? w->path : w->url;
		const char *slash = strrchr(src, '/');

		if (!(w->name = hwb_strdup(slash ? slash + 1 : src)))
			return hwb_error_oom(err);
	}
	if ((v = hwb_toml_get(t, "size"))) {
		if (v->type != HWB_TOML_INTEGER || v->u.integer < 0)
			return bad(err, file, v, "'size' must be a non-negative integer");
		w->size = (uint64_t)v->u.integer;
	}
	hashes = hwb_toml_get(t, "hashes");
	sha = hwb_toml_get(hashes, "sha256");
	if (!sha || sha->type != HWB_TOML_STRING || sha->u.str.len != 64 ||
	    !is_hex64(sha->u.str.ptr)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B111",
			      "wheel '%s' of '%s' has no sha256 hash of 64 "
			      "lowercase hex digits", w->name, pkg);
		hwb_error_hint(err, "hwb pins every build requirement by its "
				    "sha256; run `hwb lock` to record them");
		return hwb_error_at(err, file, t->line, t->column);
	}
	memcpy(w->sha256, sha->u.str.ptr, 65);
	return 0;
}

static int read_deps(const struct hwb_toml_value *t,
		     struct hwb_reqs_lock_pkg *p, const char *file,
		     struct hwb_error *err)
{
	const struct hwb_toml_value *deps = hwb_toml_get(t, "dependencies"), *n;
	size_t i;

	if (!deps)
		return 0;
	if (deps->type != HWB_TOML_ARRAY)
		return bad(err, file, deps, "'dependencies' must be an array of tables");
	if (deps->u.array.count &&
	    !(p->dependencies = calloc(deps->u.array.count, sizeof(char *))))
		return hwb_error_oom(err);
	for (i = 0; i < deps->u.array.count; i++) {
		n = hwb_toml_get(deps->u.array.items[i], "name");
		if (!n || n->type != HWB_TOML_STRING)
			return bad(err, file, deps->u.array.items[i],
				   "each dependency needs a 'name' string");
		if (!(p->dependencies[i] = hwb_strdup(n->u.str.ptr)))
			return hwb_error_oom(err);
		p->dependency_count++;
	}
	return 0;
}

static int read_pkg(const struct hwb_toml_value *t,
		    struct hwb_reqs_lock_pkg *p, const char *file,
		    struct hwb_error *err)
{
	const struct hwb_toml_value *wheels;
	size_t i;

	if (t->type != HWB_TOML_TABLE)
		return bad(err, file, t, "each [[packages]] entry must be a table");
	if (opt_str(t, "name", &p->name, file, err) ||
	    opt_str(t, "version", &p->version, file, err) ||
	    opt_str(t, "marker", &p->marker, file, err) ||
	    opt_str(t, "requires-python", &p->requires_python, file, err) ||
	    opt_str(t, "index", &p->index, file, err) ||
	    read_deps(t, p, file, err))
		return -1;
	if (!p->name || !p->version)
		return bad(err, file, t, "a package needs 'name' and 'version' "
					 "(hwb locks exact versions)");
	wheels = hwb_toml_get(t, "wheels");
	if (!wheels || wheels->type != HWB_TOML_ARRAY || !wheels->u.array.count) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B110",
			      "package '%s' has no wheels; hwb installs build "
			      "requirements from wheels only (no sdist, VCS, "
			      "directory or archive sources)", p->name);
		hwb_error_hint(err, "make a wheel of it available in a "
				    "--find-links directory or the index and run "
				    "`hwb lock` again");
		return hwb_error_at(err, file, t->line, t->column);
	}
	if (!(p->wheels = calloc(wheels->u.array.count, sizeof(*p->wheels))))
		return hwb_error_oom(err);
	for (i = 0; i < wheels->u.array.count; i++) {
		p->wheel_count++;
		if (read_wheel(wheels->u.array.items[i], &p->wheels[i], p->name,
			       file, err))
			return -1;
	}
	return 0;
}

static int read_root(const struct hwb_toml_value *root,
		     struct hwb_reqs_lock *lock, const char *file,
		     struct hwb_error *err)
{
	const struct hwb_toml_value *v, *pkgs, *tool;
	size_t i;

	v = hwb_toml_get(root, "lock-version");
	if (!v || v->type != HWB_TOML_STRING)
		return bad(err, file, v, "'lock-version' is missing");
	/* PEP 751: refuse a major version we do not know, accept newer
	 * minors. */
	if (strncmp(v->u.str.ptr, "1.", 2)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B113",
			      "lock-version '%s' is not supported (hwb reads 1.x)",
			      v->u.str.ptr);
		hwb_error_hint(err, "write the lock again with `hwb lock`");
		return hwb_error_at(err, file, v->line, v->column);
	}
	if (opt_str(root, "requires-python", &lock->requires_python, file, err) ||
	    opt_str(root, "created-by", &lock->created_by, file, err) ||
	    str_array(root, "environments", &lock->environments,
		      &lock->environment_count, file, err))
		return -1;
	tool = hwb_toml_get_path(root, "tool.hwb");
	if (tool && str_array(tool, "requirements", &lock->requirements,
			      &lock->requirement_count, file, err))
		return -1;
	pkgs = hwb_toml_get(root, "packages");
	if (!pkgs || pkgs->type != HWB_TOML_ARRAY)
		return bad(err, file, pkgs, "'packages' must be an array of tables");
	if (pkgs->u.array.count &&
	    !(lock->pkgs = calloc(pkgs->u.array.count, sizeof(*lock->pkgs))))
		return hwb_error_oom(err);
	for (i = 0; i < pkgs->u.array.count; i++) {
		lock->pkg_count++;
		if (read_pkg(pkgs->u.array.items[i], &lock->pkgs[i], file, err))
			return -1;
	}
	hwb_reqs__lock_sort(lock);
	return 0;
}

int hwb_reqs__lock_parse(const char *text, size_t len, const char *filename,
			  struct hwb_reqs_lock **out, struct hwb_error *err)
{
	struct hwb_toml_value *root = NULL;
	struct hwb_reqs_lock *lock = NULL;
	int ret = -1;

	*out = NULL;
	if (hwb_toml_parse(&root, text, len, filename, err))
		goto cleanup;
	if (!(lock = hwb_reqs_lock_new())) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (read_root(root, lock, filename, err))
		goto cleanup;
	*out = lock;
	lock = NULL;
	ret = 0;
cleanup:
	hwb_reqs_lock_free(lock);
	hwb_toml_free(root);
	return ret;
}

int hwb_reqs_lock_read(const char *path, struct hwb_reqs_lock **out,
			 struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	int ret;

	*out = NULL;
	ret = hwb_file_read_all(path, LOCK_FILE_MAX, &text, err);
	if (!ret)
		ret = hwb_reqs__lock_parse(text.ptr, text.len, path, out, err);
	hwb_buf_release(&text);
	return ret;
}
