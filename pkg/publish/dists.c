/* SPDX-License-Identifier: Apache-2.0 */
/*
 * dists.c: the files of one `hwb publish` call. Arguments may be files or
 * directories; the result is ordered as twine orders an upload: wheels
 * first, the sdist last, so that an index never shows a release whose
 * only file is the sdist while its wheels are still on their way.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pkg/publish/internal.h"

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

int hwb_publish__kind(const char *filename)
{
	if (ends_with(filename, ".whl"))
		return 1;
	if (ends_with(filename, ".tar.gz"))
		return 0;
	return -1;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int hwb_publish__order(const char *a, const char *b)
{
	int ka = hwb_publish__kind(base_name(a)), kb = hwb_publish__kind(base_name(b));

	if (ka != kb)
		return kb - ka; /* wheels (1) before sdists (0) */
	return strcmp(base_name(a), base_name(b));
}

static int by_order(const void *a, const void *b)
{
	const struct hwb_publish_file *x = a, *y = b;

	return hwb_publish__order(x->path, y->path);
}

struct list {
	struct hwb_publish_file *files;
	size_t count, cap;
};

static int add(struct list *l, char *path, struct hwb_error *err)
{
	struct hwb_publish_file *grown;
	size_t i;

	for (i = 0; i < l->count; i++) {
		if (!strcmp(l->files[i].path, path)) {
			free(path);
			return 0;
		}
	}
	if (l->count == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		if (!(grown = realloc(l->files, l->cap * sizeof(*grown)))) {
			free(path);
			return hwb_error_oom(err);
		}
		l->files = grown;
	}
	memset(&l->files[l->count], 0, sizeof(l->files[0]));
	l->files[l->count].path = path;
	l->files[l->count].filename = base_name(path);
	l->count++;
	return 0;
}

static int add_dir(struct list *l, const char *dir, struct hwb_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = strlen(dir);
	char *path;
	int rc = 0;

	if (!d)
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-P003",
				       "cannot read directory %s", dir);
	while (!rc && (e = readdir(d))) {
		if (e->d_name[0] == '.' || hwb_publish__kind(e->d_name) < 0)
			continue;
		path = hwb_strdup_printf("%.*s/%s", (int)(n > 1 && dir[n - 1] == '/' ? n - 1 : n),
					 dir, e->d_name);
		rc = path ? add(l, path, err) : hwb_error_oom(err);
	}
	closedir(d);
	return rc;
}

static int add_arg(struct list *l, const char *arg, struct hwb_error *err)
{
	struct stat st;
	char *path;

	if (stat(arg, &st)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-P003",
				"distribution %s cannot be read", arg);
		hwb_error_at(err, arg, 0, 0);
		return hwb_error_hint(err, "give wheels (.whl), sdists (.tar.gz) "
				      "or directories holding them (dist/)");
	}
	if (S_ISDIR(st.st_mode))
		return add_dir(l, arg, err);
	if (!S_ISREG(st.st_mode) || hwb_publish__kind(base_name(arg)) < 0) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-P003",
			      "%s is neither a wheel (.whl) nor an sdist (.tar.gz)",
			      arg);
		hwb_error_at(err, arg, 0, 0);
		return hwb_error_hint(err, "give wheels, sdists or directories "
				      "holding them (dist/)");
	}
	if (!(path = hwb_strdup(arg)))
		return hwb_error_oom(err);
	return add(l, path, err);
}

int hwb_publish__collect(const char *const *args, size_t n,
			 struct hwb_publish_file **out, size_t *count,
			 struct hwb_error *err)
{
	struct list l = { NULL, 0, 0 };
	size_t i;

	*out = NULL;
	*count = 0;
	for (i = 0; i < n; i++) {
		if (add_arg(&l, args[i], err))
			goto fail;
	}
	if (!l.count) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-P004",
			      "no wheel or sdist to publish in %s%s", n ? args[0] : "",
			      n > 1 ? " and the other arguments" : "");
		hwb_error_hint(err, "build first (hwb build), then hwb publish dist/");
		goto fail;
	}
	qsort(l.files, l.count, sizeof(*l.files), by_order);
	*out = l.files;
	*count = l.count;
	return 0;
fail:
	for (i = 0; i < l.count; i++)
		free(l.files[i].path);
	free(l.files);
	return -1;
}
