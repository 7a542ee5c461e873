/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fetch.c: the download cache of wheels, <cache>/wheels/<sha256>/<name>. A file
 * enters the cache only after its digest matched the one expected (from
 * the lock or the index), and a cached file is hashed again before every
 * use. Wheels come only from the configured sources: a --find-links
 * directory or the index's host. Runs outside the sandbox, before a build.
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pkg/reqs/internal.h"
#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"
#include "pkg/core/http.h"
#include "pkg/core/log.h"

/* Build requirements are small; cmake and ninja wheels are the largest
 * common ones at tens of MiB. Downloads are held in memory. */
#define WHEEL_DOWNLOAD_MAX ((size_t)512 << 20)

int hwb_reqs_cache_dir(char **out, struct hwb_error *err)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");

	*out = NULL;
	if (xdg && xdg[0] == '/')
		*out = hwb_strdup_printf("%s/hwb", xdg);
	else if (home && home[0] == '/')
		*out = hwb_strdup_printf("%s/.cache/hwb", home);
	else {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B153",
			      "no cache directory: neither XDG_CACHE_HOME nor "
			      "HOME is an absolute path");
		return hwb_error_hint(err, "set HOME or XDG_CACHE_HOME");
	}
	if (!*out)
		return hwb_error_oom(err);
	if (hwb_mkdir_p(*out, 0755, err)) {
		free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

static int mismatch(struct hwb_error *err, const char *pkg, const char *file,
		    const char *expected, const char *actual)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-B150",
		      "hash mismatch for %s (%s): expected sha256 %s, got %s",
		      pkg, file, expected, actual);
	return hwb_error_hint(err, "the file changed since it was locked or "
				   "listed: find out why before running "
				   "`hwb lock` again");
}

/*
 * <cache>/wheels/<sha256>/<file name> when present and intact: 1, else 0.
 * The wheel keeps its name inside the digest's directory because hwb check
 * compares the name with the wheel's metadata.
 */
static int cached(const char *cache_dir, const char *sha256, const char *name,
		  char **path, struct hwb_error *err)
{
	struct hwb_error ignored = HWB_ERROR_INIT;
	char actual[65];

	*path = hwb_strdup_printf("%s/wheels/%s/%s", cache_dir, sha256, name);
	if (!*path)
		return hwb_error_oom(err);
	if (access(*path, F_OK))
		return 0;
	if (!hwb_hash_file_hex(HWB_HASH_SHA256, *path, actual, &ignored) &&
	    !strcmp(actual, sha256))
		return 1;
	hwb_log_warn("cached wheel %s does not match its digest; fetching it "
		     "again", *path);
	unlink(*path);
	return 0;
}

/* Check data against expected (when given) and store it in the cache. */
static int store(const char *cache_dir, const char *pkg, const char *file,
		 const char *name, const char *expected,
		 const struct hwb_buf *data, char **out, char sha_out[65],
		 struct hwb_error *err)
{
	char actual[65], *dir = NULL;
	int ret = -1;

	*out = NULL;
	if (hwb_hash_buffer_hex(HWB_HASH_SHA256, data->ptr, data->len, actual, err))
		return -1;
	if (expected && expected[0] && strcmp(expected, actual))
		return mismatch(err, pkg, file, expected, actual);
	if (strchr(name, '/') || name[0] == '.') {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-B130",
			      "'%s' is not a wheel file name", name);
		return -1;
	}
	if (!(dir = hwb_strdup_printf("%s/wheels/%s", cache_dir, actual)) ||
	    !(*out = hwb_strdup_printf("%s/%s", dir, name))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_mkdir_p(dir, 0755, err) ||
	    hwb_file_write_atomic(*out, data->ptr, data->len, 0444, err))
		goto cleanup;
	if (sha_out)
		memcpy(sha_out, actual, 65);
	ret = 0;
cleanup:
	if (ret) {
		free(*out);
		*out = NULL;
	}
	free(dir);
	return ret;
}

/* "scheme://host[:port]" of url, or NULL. */
static char *origin_of(const char *url)
{
	const char *s = strstr(url, "://"), *e;

	if (!s)
		return NULL;
	e = s + 3 + strcspn(s + 3, "/?#");
	return strndup(url, (size_t)(e - url));
}

static int url_allowed(const char *url, const char *index_url)
{
	char *a = origin_of(url), *b = index_url ? origin_of(index_url) : NULL;
	int ok = 0;

	if (a && b)
		ok = !strcasecmp(a, b) ||
		     /* PyPI serves its files from its own file host. */
		     (!strcasecmp(b, "https://pypi.org") &&
		      !strcasecmp(a, "https://files.pythonhosted.org"));
	free(a);
	free(b);
	return ok;
}

static int download(struct hwb_http_client **http,
		    const struct hwb_reqs_source *src, const char *url,
		    struct hwb_buf *out, struct hwb_error *err)
{
	struct hwb_http_options opts = HWB_HTTP_OPTIONS_INIT;
	struct hwb_http_request req = { 0 };
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	int ret = -1;

	if (src->http)
		opts = *src->http;
	if (src->ca_bundle)
		opts.ca_bundle = src->ca_bundle;
	if (!*http && hwb_http_client_new(http, &opts, err))
		return -1;
	req.method = HWB_HTTP_GET;
	req.url = url;
	req.service = "package index";
	req.max_response = WHEEL_DOWNLOAD_MAX;
	req.max_redirects = 3;
	if (hwb_http_send(*http, &req, &resp, err))
		goto cleanup;
	if (resp.status != 200) {
		hwb_http_status_error(&req, &resp, err);
		goto cleanup;
	}
	hwb_buf_release(out);
	*out = resp.body;
	hwb_buf_init(&resp.body);
	ret = 0;
cleanup:
	hwb_http_response_release(&resp);
	return ret;
}

int hwb_reqs__dist_materialize(struct hwb_reqs__finder *f,
				struct hwb_reqs__dist *d, char **local_out,
				struct hwb_error *err)
{
	struct hwb_buf data = HWB_BUF_INIT;
	char *path = NULL;
	int ret = -1, hit;

	if (local_out)
		*local_out = NULL;
	if (d->path) {
		if (!d->sha256[0] &&
		    hwb_hash_file_hex(HWB_HASH_SHA256, d->path, d->sha256, err))
			return -1;
		if (local_out && !(*local_out = hwb_strdup(d->path)))
			return hwb_error_oom(err);
		return 0;
	}
	if (d->sha256[0]) {
		if ((hit = cached(f->cache_dir, d->sha256, d->filename, &path,
				  err)) < 0)
			goto cleanup;
		if (hit)
			goto done;
		free(path);
		path = NULL;
	}
	hwb_log_info("downloading %s", d->url);
	if (download(&f->http, f->src, d->url, &data, err) ||
	    store(f->cache_dir, d->filename, d->url, d->filename, d->sha256,
		  &data, &path, d->sha256, err))
		goto cleanup;
	if (!d->size)
		d->size = data.len;
done:
	if (local_out) {
		*local_out = path;
		path = NULL;
	}
	ret = 0;
cleanup:
	free(path);
	hwb_buf_release(&data);
	return ret;
}

/* 1 if the real path of file lies directly in one of the find-links dirs. */
static int in_find_links(const char *real, const struct hwb_reqs_source *src)
{
	char dir[PATH_MAX];
	size_t i, n;

	for (i = 0; i < src->find_links_count; i++) {
		if (!realpath(src->find_links[i], dir))
			continue;
		n = strlen(dir);
		if (!strncmp(real, dir, n) && real[n] == '/' &&
		    !strchr(real + n + 1, '/'))
			return 1;
	}
	return 0;
}

static int fetch_local(const char *pkg, const struct hwb_reqs_lock_wheel *w,
		       const char *lock_dir, const struct hwb_reqs_source *src,
		       struct hwb_buf *data, struct hwb_error *err)
{
	char real[PATH_MAX], *abs = NULL;
	int ret = -1;

	abs = w->path[0] == '/' ? hwb_strdup(w->path)
				: hwb_strdup_printf("%s/%s", lock_dir ? lock_dir : ".",
						    w->path);
	if (!abs)
		return hwb_error_oom(err);
	if (!realpath(abs, real)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B152",
				"cannot read the locked wheel %s of %s", abs, pkg);
		hwb_error_hint(err, "give the wheelhouse it was locked from "
				    "with --find-links, or run `hwb lock` again");
		goto cleanup;
	}
	if (!in_find_links(real, src)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B151",
			      "the locked wheel %s of %s is not in a configured "
			      "--find-links directory", real, pkg);
		hwb_error_hint(err, "pass its directory with --find-links (or "
				    "build.find-links); hwb reads wheels only from "
				    "configured sources");
		goto cleanup;
	}
	ret = hwb_file_read_all(real, WHEEL_DOWNLOAD_MAX, data, err);
cleanup:
	free(abs);
	return ret;
}

/* A wheel locked by name, size and hash only: the first find-links
 * directory that holds a file of that name (the hash is checked after). */
static int fetch_by_name(const char *pkg, const struct hwb_reqs_lock_wheel *w,
			 const struct hwb_reqs_source *src,
			 struct hwb_buf *data, struct hwb_error *err)
{
	char *cand;
	size_t i;
	int ret;

	for (i = 0; i < src->find_links_count; i++) {
		if (!(cand = hwb_strdup_printf("%s/%s", src->find_links[i], w->name)))
			return hwb_error_oom(err);
		if (access(cand, R_OK)) {
			free(cand);
			continue;
		}
		ret = hwb_file_read_all(cand, WHEEL_DOWNLOAD_MAX, data, err);
		free(cand);
		return ret;
	}
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B152",
		      "the locked wheel %s of %s is in none of the %zu "
		      "configured --find-links directories", w->name, pkg,
		      src->find_links_count);
	return hwb_error_hint(err, "give a wheelhouse that holds it with "
			      "--find-links (or build.find-links), or run "
			      "`hwb lock` again");
}

int hwb_reqs__fetch(const struct hwb_reqs_lock_pkg *pkg,
		     const struct hwb_reqs_lock_wheel *w,
		     const char *lock_dir, const struct hwb_reqs_source *src,
		     const char *cache_dir, char **out, struct hwb_error *err)
{
	struct hwb_http_client *http = NULL;
	struct hwb_buf data = HWB_BUF_INIT;
	char *path = NULL;
	int ret = -1, hit;

	*out = NULL;
	if ((hit = cached(cache_dir, w->sha256, w->name, &path, err)) < 0)
		goto cleanup;
	if (hit) {
		*out = path;
		return 0;
	}
	free(path);
	path = NULL;
	if (w->path) {
		if (fetch_local(pkg->name, w, lock_dir, src, &data, err))
			goto cleanup;
	} else if (!w->url) {
		if (fetch_by_name(pkg->name, w, src, &data, err))
			goto cleanup;
	} else if (!url_allowed(w->url, src->index_url)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B151",
			      "the locked wheel of %s at %s is not on the "
			      "configured index %s", pkg->name, w->url,
			      src->index_url ? src->index_url : "(none)");
		hwb_error_hint(err, "give the index it was locked from with "
				    "--index-url, or run `hwb lock` again");
		goto cleanup;
	} else {
		hwb_log_info("downloading %s", w->url);
		if (download(&http, src, w->url, &data, err))
			goto cleanup;
	}
	if (store(cache_dir, pkg->name, w->name, w->name, w->sha256, &data,
		  out, NULL, err))
		goto cleanup;
	ret = 0;
cleanup:
	hwb_http_client_free(http);
	hwb_buf_release(&data);
	free(path);
	return ret;
}
