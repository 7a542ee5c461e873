/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lock_create.c: hwb lock. Reads [build-system] requires from the
 * project's pyproject.toml, resolves them for the interpreter and writes
 * pylock.build.toml beside it, atomically and only when it changed.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/build/internal.h"
#include "pkg/core/fileio.h"
#include "pkg/core/log.h"
#include "pkg/core/toml.h"
#include "pkg/wheel/wheel.h"

/* PEP 518: no pyproject.toml or no [build-system]: setuptools' default. */
static const char *const default_requires[] = { "setuptools>=40.8.0" };

static void free_strv(char **v, size_t n)
{
	while (n--)
		free(v[n]);
	free(v);
}

static int read_requires(const char *srcdir, char ***out, size_t *count,
			 struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	struct hwb_toml_value *root = NULL;
	const struct hwb_toml_value *bs, *req = NULL;
	char *path = NULL, **list = NULL;
	const char *const *from = default_requires;
	size_t i, n = 1;
	int ret = -1;

	*out = NULL;
	*count = 0;
	if (!(path = hwb_strdup_printf("%s/pyproject.toml", srcdir)))
		return hwb_error_oom(err);
	if (hwb_file_read_all(path, HWB_FILE_CONFIG_MAX, &text, err)) {
		if (errno != ENOENT || strcmp(err->code, "HWB-F005"))
			goto cleanup;
		hwb_error_clear(err);
		if (hwb_build__require_project(srcdir, err))
			goto cleanup;
		goto copy;
	}
	if (hwb_toml_parse(&root, text.ptr, text.len, path, err))
		goto cleanup;
	if (!(bs = hwb_toml_get(root, "build-system")))
		goto copy;
	req = hwb_toml_get(bs, "requires");
	if (bs->type != HWB_TOML_TABLE || !req || req->type != HWB_TOML_ARRAY) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B114",
			      "[build-system] must have 'requires', an array "
			      "of PEP 508 strings (PEP 518)");
		hwb_error_hint(err, "add requires = [\"setuptools>=61\"] or the "
				    "requirements of your build backend");
		hwb_error_at(err, path, bs->line, bs->column);
		goto cleanup;
	}
	n = req->u.array.count;
	from = NULL;
	for (i = 0; i < n; i++) {
		if (req->u.array.items[i]->type != HWB_TOML_STRING) {
			hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B114",
				      "[build-system] requires must hold only "
				      "strings (PEP 518)");
			hwb_error_at(err, path, req->u.array.items[i]->line,
				     req->u.array.items[i]->column);
			goto cleanup;
		}
	}
copy:
	if (n && !(list = calloc(n, sizeof(char *)))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		list[i] = hwb_strdup(from ? from[i]
					  : req->u.array.items[i]->u.str.ptr);
		if (!list[i]) {
			free_strv(list, i);
			list = NULL;
			hwb_error_oom(err);
			goto cleanup;
		}
	}
	*out = list;
	*count = n;
	ret = 0;
cleanup:
	hwb_toml_free(root);
	hwb_buf_release(&text);
	free(path);
	return ret;
}

/* Wheels under the lock's own directory are recorded relative to it, so
 * that a vendored wheelhouse travels with the repository. */
static int relativize(struct hwb_reqs_lock *lock, const char *lock_dir,
		      struct hwb_error *err)
{
	char real[PATH_MAX], *rel;
	size_t i, k, n;

	if (!realpath(lock_dir, real))
		return 0;
	n = strlen(real);
	for (i = 0; i < lock->pkg_count; i++) {
		for (k = 0; k < lock->pkgs[i].wheel_count; k++) {
			struct hwb_reqs_lock_wheel *w = &lock->pkgs[i].wheels[k];

			if (!w->path)
				continue;
			if (strncmp(w->path, real, n) || w->path[n] != '/') {
				/* A wheelhouse outside the project: name, size
				 * and hash only (PEP 751), so that the lock
				 * works with the same wheels anywhere. */
				free(w->path);
				w->path = NULL;
				continue;
			}
			if (!(rel = hwb_strdup(w->path + n + 1)))
				return hwb_error_oom(err);
			free(w->path);
			w->path = rel;
		}
	}
	return 0;
}

static int fill_result(const struct hwb_reqs_lock *lock,
		       const struct hwb_reqs_interp *in, const char *path,
		       struct hwb_lock_result *res, struct hwb_error *err)
{
	struct hwb_wheel_filename wn;
	struct hwb_error ignored = HWB_ERROR_INIT;
	size_t i, k;

	if (!(res->path = hwb_strdup(path)) ||
	    (lock->pkg_count &&
	     !(res->entries = calloc(lock->pkg_count, sizeof(*res->entries)))))
		return hwb_error_oom(err);
	for (i = 0; i < lock->pkg_count; i++) {
		const struct hwb_reqs_lock_pkg *p = &lock->pkgs[i];
		struct hwb_lock_entry *e = &res->entries[res->count++];

		if (!(e->name = hwb_strdup(p->name)) ||
		    !(e->version = hwb_strdup(p->version)) ||
		    (p->marker && !(e->marker = hwb_strdup(p->marker))))
			return hwb_error_oom(err);
		for (k = 0; k < p->wheel_count; k++) {
			if (hwb_wheel_filename_parse(p->wheels[k].name, &wn,
						       &ignored))
				continue;
			if (hwb_reqs_wheel_compatible(wn.tags, in)) {
				memcpy(e->sha256, p->wheels[k].sha256, 65);
				hwb_wheel_filename_release(&wn);
				break;
			}
			hwb_wheel_filename_release(&wn);
		}
	}
	return 0;
}

void hwb_lock_result_release(struct hwb_lock_result *res)
{
	size_t i;

	for (i = 0; i < res->count; i++) {
		free(res->entries[i].name);
		free(res->entries[i].version);
		free(res->entries[i].marker);
	}
	free(res->entries);
	free(res->path);
	memset(res, 0, sizeof(*res));
}

/* Resolve (and run the get_requires hooks) for one interpreter. */
static int lock_for(const struct hwb_lock_options *opts, char **reqs,
		    size_t nreq, const struct hwb_reqs_source *src,
		    const struct hwb_reqs_interp *in, const char *lock_dir,
		    struct hwb_reqs_lock **out, struct hwb_error *err)
{
	struct hwb_reqs_lock *lock = hwb_reqs_lock_new();

	*out = NULL;
	if (!lock)
		return hwb_error_oom(err);
	if (hwb_reqs_lock_resolve(lock, (const char *const *)reqs, nreq, src,
				    in, err) ||
	    (!opts->static_only &&
	     hwb_build__lock_dynamic(opts, lock, lock_dir, src, in, err))) {
		hwb_reqs_lock_free(lock);
		return -1;
	}
	*out = lock;
	return 0;
}

/* The interpreters: opts->pythons, or opts->settings.python alone. */
static int probe_all(const struct hwb_lock_options *opts, const char *cache,
		     struct hwb_reqs_interp **out, size_t *n,
		     struct hwb_error *err)
{
	size_t i, count = opts->python_count ? opts->python_count : 1;

	*n = 0;
	if (!(*out = calloc(count, sizeof(**out))))
		return hwb_error_oom(err);
	for (i = 0; i < count; i++) {
		const char *python = opts->python_count ? opts->pythons[i]
							: opts->settings.python;

		if (hwb_reqs_interp_probe(python, cache, &(*out)[i], err))
			return -1;
		(*n)++;
	}
	return 0;
}

int hwb_lock_create(const struct hwb_lock_options *opts,
		    struct hwb_lock_result *result, struct hwb_error *err)
{
	struct hwb_reqs_interp *in = NULL;
	const struct hwb_reqs_interp **inp = NULL;
	struct hwb_reqs_source src;
	struct hwb_reqs_lock *lock = NULL, **locks = NULL;
	struct hwb_buf text = HWB_BUF_INIT, old = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	const char *srcdir = opts->srcdir ? opts->srcdir : ".";
	char **reqs = NULL, *cache = NULL, *out_path = NULL, *lock_dir = NULL;
	char **links = NULL; /* find-links resolved beneath srcdir, or NULL */
	char *slash;
	size_t nreq = 0, nin = 0, i;
	int ret = -1;

	memset(result, 0, sizeof(*result));
	memset(&src, 0, sizeof(src));
	out_path = opts->output ? hwb_strdup(opts->output)
				: hwb_strdup_printf("%s/pylock.build.toml", srcdir);
	if (!out_path || !(lock_dir = hwb_strdup(out_path))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	slash = strrchr(lock_dir, '/');
	if (slash)
		*slash = 0;
	else
		strcpy(lock_dir, ".");
	if (opts->cache_dir ? !(cache = hwb_strdup(opts->cache_dir))
			    : hwb_reqs_cache_dir(&cache, err) != 0) {
		if (!err->code[0])
			hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_build__project_find_links(srcdir, &opts->settings, &links, err))
		goto cleanup;
	src.find_links = links ? (const char *const *)links
			       : opts->settings.find_links;
	src.find_links_count = opts->settings.find_links_count;
	src.index_url = opts->settings.index_url;
	src.ca_bundle = opts->ca_bundle;
	src.http = opts->settings.http;
	src.allow_url_requirements = opts->settings.allow_url_requirements;
	src.cache_dir = cache;
	if (read_requires(srcdir, &reqs, &nreq, err) ||
	    probe_all(opts, cache, &in, &nin, err))
		goto cleanup;
	if (!(locks = calloc(nin, sizeof(*locks))) ||
	    !(inp = calloc(nin, sizeof(*inp)))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	for (i = 0; i < nin; i++) {
		inp[i] = &in[i];
		if (lock_for(opts, reqs, nreq, &src, &in[i], lock_dir, &locks[i], err))
			goto cleanup;
	}
	if (nin == 1) {
		lock = locks[0];
		locks[0] = NULL;
		/* One interpreter is an environment too: a build with another
		 * one is refused (HWB-B165), never silently installed. */
		if (!(lock->environments = calloc(1, sizeof(char *))) ||
		    !(lock->environments[0] = hwb_reqs_interp_env_marker(&in[0]))) {
			hwb_error_oom(err);
			goto cleanup;
		}
		lock->environment_count = 1;
	} else if (hwb_reqs_lock_merge(locks, inp, nin, &lock, err)) {
		goto cleanup;
	}
	if (relativize(lock, lock_dir, err) ||
	    hwb_reqs_lock_render(lock, &text, err))
		goto cleanup;
	hwb_file_read_all(out_path, (size_t)64 << 20, &old, &ignored);
	result->changed = old.len != text.len || memcmp(old.ptr, text.ptr, text.len);
	if (result->changed &&
	    hwb_file_write_atomic(out_path, text.ptr, text.len, 0644, err))
		goto cleanup;
	if (fill_result(lock, &in[0], out_path, result, err))
		goto cleanup;
	ret = 0;
cleanup:
	if (ret)
		hwb_lock_result_release(result);
	hwb_reqs_lock_free(lock);
	for (i = 0; locks && i < nin; i++)
		hwb_reqs_lock_free(locks[i]);
	free(locks);
	free(inp);
	for (i = 0; in && i < nin; i++)
		hwb_reqs_interp_release(&in[i]);
	free(in);
	free_strv(reqs, nreq);
	free_strv(links, links ? opts->settings.find_links_count : 0);
	hwb_buf_release(&text);
	hwb_buf_release(&old);
	free(cache);
	free(out_path);
	free(lock_dir);
	return ret;
}
