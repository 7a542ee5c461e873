/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wheel_meta.c: a wheel's dependencies for the resolver: the METADATA
 * member of its .dist-info directory, read with libarchive and parsed with
 * pkg/wheel's core metadata parser. Only that one member is inflated.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pkg/build/internal.h"
#include "pkg/wheel/wheel.h"

/* Real METADATA files are a few KiB to a few hundred (long descriptions). */
#define METADATA_MAX ((size_t)4 << 20)

void hwb_build__wheel_meta_release(struct hwb_build__wheel_meta *m)
{
	size_t i;

	free(m->name);
	free(m->version);
	free(m->requires_python);
	for (i = 0; i < m->require_count; i++)
		free(m->requires[i]);
	free(m->requires);
	memset(m, 0, sizeof(*m));
}

static int meta_error(struct hwb_error *err, const char *path, const char *why)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-B144",
		      "cannot read the metadata of wheel %s: %s", path, why);
	hwb_error_hint(err, "check the wheel with `hwb check`; remove a broken "
			    "file from the wheelhouse or index");
	return hwb_error_at(err, path, 0, 0);
}

/* The top-level "*.dist-info/METADATA" member, read whole into out. */
static int read_member(const char *path, struct hwb_buf *out,
		       struct hwb_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	const char *name, *slash;
	char chunk[16384];
	la_ssize_t n;
	int r, found = 0, ret = -1;

	if (!a)
		return hwb_error_oom(err);
	archive_read_support_format_zip_seekable(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK) {
		meta_error(err, path, archive_error_string(a));
		goto cleanup;
	}
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		name = archive_entry_pathname(e);
		slash = name ? strchr(name, '/') : NULL;
		if (!slash || slash - name < 11 ||
		    strncmp(slash - 10, ".dist-info", 10) ||
		    strcmp(slash, "/METADATA"))
			continue;
		found = 1;
		while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
			if (out->len + (size_t)n > METADATA_MAX) {
				meta_error(err, path, "METADATA is larger than 4 MiB");
				goto cleanup;
			}
			hwb_buf_put(out, chunk, (size_t)n);
		}
		if (n < 0) {
			meta_error(err, path, archive_error_string(a));
			goto cleanup;
		}
		break;
	}
	if (r == ARCHIVE_FATAL || r == ARCHIVE_WARN) {
		meta_error(err, path, archive_error_string(a));
		goto cleanup;
	}
	if (!found) {
		meta_error(err, path, "no .dist-info/METADATA member");
		goto cleanup;
	}
	ret = hwb_buf_check(out, err);
cleanup:
	archive_read_free(a);
	return ret;
}

int hwb_build__wheel_meta_read(const char *path,
			       struct hwb_build__wheel_meta *out,
			       struct hwb_error *err)
{
	struct hwb_metadata md = HWB_METADATA_INIT;
	struct hwb_buf text = HWB_BUF_INIT;
	const char *name, *version, *rp;
	size_t i, n;
	int ret = -1;

	memset(out, 0, sizeof(*out));
	if (read_member(path, &text, err))
		goto cleanup;
	if (hwb_metadata_parse(text.ptr, text.len, &md, err)) {
		hwb_error_at(err, path, 0, 0);
		goto cleanup;
	}
	name = hwb_metadata_get(&md, "Name");
	version = hwb_metadata_get(&md, "Version");
	rp = hwb_metadata_get(&md, "Requires-Python");
	if (!name || !version) {
		meta_error(err, path, "METADATA has no Name or Version");
		goto cleanup;
	}
	n = hwb_metadata_count(&md, "Requires-Dist");
	if (!(out->name = hwb_strdup(name)) ||
	    !(out->version = hwb_strdup(version)) ||
	    (rp && !(out->requires_python = hwb_strdup(rp))) ||
	    (n && !(out->requires = calloc(n, sizeof(char *))))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	for (i = 0; i < md.count; i++) {
		if (strcasecmp(md.fields[i].name, "Requires-Dist"))
			continue;
		if (!(out->requires[out->require_count] =
			      hwb_strdup(md.fields[i].value))) {
			hwb_error_oom(err);
			goto cleanup;
		}
		out->require_count++;
	}
	ret = 0;
cleanup:
	if (ret)
		hwb_build__wheel_meta_release(out);
	hwb_metadata_release(&md);
	hwb_buf_release(&text);
	return ret;
}
