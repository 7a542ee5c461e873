/* SPDX-License-Identifier: Apache-2.0 */
/*
 * resolve.c: picks the wheels for a build's requirements from a wheelhouse
 * directory (--find-links) and follows their Requires-Dist, hashing every
 * chosen file (sha256) for the environment key and the provenance.
 * Requirements are matched by normalised name (PEP 503); a requirement with
 * an environment marker is refused rather than guessed, and Requires-Dist
 * entries that only apply to an extra are skipped because builds never
 * install extras.
 */
#include <archive.h>
#include <archive_entry.h>
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/build/internal.h"
#include "pkg/core/encode.h"
#include "pkg/core/hash.h"

/* A wheelhouse or a METADATA file larger than this is not a real one. */
#define METADATA_MAX ((size_t)4 << 20)
#define MAX_RESOLVED 256

void hwb_build__wh_release(struct hwb_build__wh *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		free(r->items[i].name);
		free(r->items[i].version);
		free(r->items[i].path);
		free(r->items[i].filename);
	}
	free(r->items);
	memset(r, 0, sizeof(*r));
}

/* PEP 503 normalisation into out: lowercase, runs of -_. become '-'. */
static void normalise(const char *s, size_t n, char *out, size_t outsz)
{
	size_t i, o = 0;
	int dash = 0;

	for (i = 0; i < n && o + 1 < outsz; i++) {
		if (s[i] == '-' || s[i] == '_' || s[i] == '.') {
			dash = 1;
			continue;
		}
		if (dash && o)
			out[o++] = '-';
		dash = 0;
		if (o + 1 < outsz)
			out[o++] = (char)tolower((unsigned char)s[i]);
	}
	out[o] = '\0';
}

/* The name of a PEP 508 requirement, normalised; -1 when it has none. */
static int requirement_name(const char *req, char *out, size_t outsz)
{
	const char *p = req, *start;

	while (isspace((unsigned char)*p))
		p++;
	start = p;
	while (isalnum((unsigned char)*p) || *p == '-' || *p == '_' || *p == '.')
		p++;
	if (p == start)
		return -1;
	normalise(start, (size_t)(p - start), out, outsz);
	return 0;
}

/* "name-version-...-py3-none-any.whl": pure wheels for Python 3 only. */
static int pure_wheel(const char *file, char *name, size_t namesz,
		      char *version, size_t versz)
{
	char copy[512], *parts[6], *save = NULL, *p;
	size_t n = strlen(file), count = 0;

	if (n < 5 || n >= sizeof(copy) || strcmp(file + n - 4, ".whl"))
		return 0;
	memcpy(copy, file, n - 4);
	copy[n - 4] = '\0';
	for (p = strtok_r(copy, "-", &save); p && count < 6;
	     p = strtok_r(NULL, "-", &save))
		parts[count++] = p;
	if (count != 5 && count != 6)
		return 0;
	if (strcmp(parts[count - 1], "any") || strcmp(parts[count - 2], "none") ||
	    !strstr(parts[count - 3], "py3"))
		return 0;
	normalise(parts[0], strlen(parts[0]), name, namesz);
	snprintf(version, versz, "%s", parts[1]);
	return 1;
}

static int find_wheel(const char *dir, const char *want, const char *req,
		      struct hwb_build__wh_item *out, struct hwb_error *err)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char name[256], version[128], chosen[512] = "";
	int found = 0;

	if (!d)
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B041",
				       "cannot read the wheelhouse '%s'", dir),
		       hwb_error_hint(err, "pass an existing directory with "
				      "--find-links");
	while ((e = readdir(d)))
		if (pure_wheel(e->d_name, name, sizeof(name), version,
			       sizeof(version)) && !strcmp(name, want)) {
			found++;
			snprintf(chosen, sizeof(chosen), "%s", e->d_name);
			free(out->version);
			out->version = hwb_strdup(version);
		}
	closedir(d);
	if (found != 1)
		return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B042",
				     "build requirement '%s': %s pure Python 3 wheel "
				     "for '%s' in '%s'", req,
				     found ? "more than one" : "no", want, dir),
		       hwb_error_hint(err, found ? "keep one version of it in the "
				      "wheelhouse" : "add the wheel to the "
				      "wheelhouse (--find-links DIR)");
	out->name = hwb_strdup(want);
	out->filename = hwb_strdup(chosen);
	out->path = hwb_strdup_printf("%s/%s", dir, chosen);
	if (!out->name || !out->filename || !out->path || !out->version)
		return hwb_error_oom(err);
	return 0;
}

static int hash_wheel(struct hwb_build__wh_item *r, struct hwb_error *err)
{
	uint8_t digest[32];
	struct hwb_buf hex = HWB_BUF_INIT;

	if (hwb_hash_file(HWB_HASH_SHA256, r->path, digest, err))
		return -1;
	if (hwb_hex_encode(&hex, digest, sizeof(digest)))
		return hwb_error_oom(err);
	snprintf(r->sha256, sizeof(r->sha256), "%s", hex.ptr);
	hwb_buf_release(&hex);
	return 0;
}

/* The Requires-Dist lines of the wheel's METADATA, appended to deps as
 * NUL-separated strings. */
static int wheel_requires(const char *path, struct hwb_buf *deps,
			  struct hwb_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct hwb_buf meta = HWB_BUF_INIT;
	const char *name, *line, *end;
	char buf[8192];
	ssize_t n;
	int ret = -1;

	if (!a)
		return hwb_error_oom(err);
	archive_read_support_format_zip(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
		goto fail;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		name = archive_entry_pathname(e);
		end = name ? strchr(name, '/') : NULL;
		if (!end || strcmp(end, "/METADATA") || end - name < 11 ||
		    strncmp(end - 10, ".dist-info", 10))
			continue;
		while ((n = archive_read_data(a, buf, sizeof(buf))) > 0 &&
		       meta.len < METADATA_MAX)
			hwb_buf_put(&meta, buf, (size_t)n);
		break;
	}
	for (line = meta.ptr; line && *line; line = end ? end + 1 : NULL) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		if (*end == '\0')
			end = NULL;
		if (line[0] == '\n' || line[0] == '\r')
			break; /* the body starts */
		if (!strncmp(line, "Requires-Dist:", 14)) {
			size_t len = (end ? (size_t)(end - line) : strlen(line)) - 14;

			while (len && (line[14 + len - 1] == '\r'))
				len--;
			hwb_buf_put(deps, line + 14, len);
			hwb_buf_putc(deps, '\0');
		}
	}
	ret = hwb_buf_check(deps, err);
	goto cleanup;
fail:
	hwb_error_set(err, HWB_KIND_BUILD, "HWB-B043",
		      "cannot read the wheel '%s': %s", path,
		      archive_error_string(a) ? archive_error_string(a) : "");
	hwb_error_hint(err, "replace the file in the wheelhouse");
cleanup:
	hwb_buf_release(&meta);
	archive_read_free(a);
	return ret;
}

static int already(const struct hwb_build__wh *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (!strcmp(r->items[i].name, name))
			return 1;
	return 0;
}

static int add_one(const char *req, const char *find_links,
		   struct hwb_build__wh *r, struct hwb_buf *queue,
		   struct hwb_error *err)
{
	const char *marker = strchr(req, ';');
	struct hwb_build__wh_item item;
	struct hwb_build__wh_item *items;
	char name[256];

	memset(&item, 0, sizeof(item));
	if (marker && strstr(marker, "extra"))
		return 0; /* only for an extra: builds install none */
	if (marker)
		return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B044",
				     "build requirement '%s' has an environment "
				     "marker, which hwb does not evaluate yet", req),
		       hwb_error_hint(err, "drop the marker from [build-system] "
				      "requires, or use a wheelhouse without it");
	if (requirement_name(req, name, sizeof(name)))
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B045",
				     "build requirement '%s' has no project name",
				     req),
		       hwb_error_hint(err, "write requirements as in PEP 508");
	if (strpbrk(req, "@") && !strstr(req, "=="))
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B046",
				     "build requirement '%s' is a URL requirement",
				     req),
		       hwb_error_hint(err, "publish the wheel to your wheelhouse "
				      "and require it by name");
	if (already(r, name))
		return 0;
	if (r->count == MAX_RESOLVED)
		return hwb_error_set(err, HWB_KIND_BUILD, "HWB-B042",
				     "more than %d build requirements", MAX_RESOLVED);
	if (find_wheel(find_links, name, req, &item, err) ||
	    hash_wheel(&item, err) || wheel_requires(item.path, queue, err))
		goto fail;
	items = realloc(r->items, (r->count + 1) * sizeof(*items));
	if (!items) {
		hwb_error_oom(err);
		goto fail;
	}
	r->items = items;
	r->items[r->count++] = item;
	return 0;
fail:
	free(item.name);
	free(item.version);
	free(item.path);
	free(item.filename);
	return -1;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct hwb_build__wh_item *)a)->name,
		      ((const struct hwb_build__wh_item *)b)->name);
}

int hwb_build__wheelhouse_resolve(const char *const *requires, size_t count,
		       const char *find_links, struct hwb_build__wh *out,
		       struct hwb_error *err)
{
	struct hwb_buf queue = HWB_BUF_INIT;
	size_t i, pos = 0;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < count; i++) {
		hwb_buf_puts(&queue, requires[i]);
		hwb_buf_putc(&queue, '\0');
	}
	if (hwb_buf_check(&queue, err))
		goto cleanup;
	if (count && !find_links) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-B047",
			      "the build needs '%s' but no wheelhouse is "
			      "configured", requires[0]);
		hwb_error_hint(err, "pass --find-links DIR (Debian: "
			       "/usr/share/python-wheels)");
		goto cleanup;
	}
	/* Breadth-first over the queue, which grows with Requires-Dist. */
	while (pos < queue.len) {
		char *req = hwb_strdup(queue.ptr + pos);

		pos += strlen(queue.ptr + pos) + 1;
		if (!req || add_one(req, find_links, out, &queue, err)) {
			if (!req)
				hwb_error_oom(err);
			free(req);
			goto cleanup;
		}
		free(req);
	}
	if (out->count)
		qsort(out->items, out->count, sizeof(*out->items), by_name);
	ret = 0;
cleanup:
	if (ret)
		hwb_build__wh_release(out);
	hwb_buf_release(&queue);
	return ret;
}
