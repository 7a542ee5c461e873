/* SPDX-License-Identifier: Apache-2.0 */
/*
 * distmeta.c: a distribution's own core metadata, the only source of the
 * upload's metadata fields (a file name says nothing about summary,
 * requirements or classifiers, and may lie about name and version). The
 * member is found where warehouse looks for it: NAME-VERSION.dist-info/
 * METADATA after the wheel file name's first two parts, NAME-VERSION/
 * PKG-INFO at the top of an sdist. A wheel is read through pkg/wheel's
 * reader, the zip parser hwb check uses; an sdist with libarchive.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/lazy.h"
#include "pkg/publish/internal.h"
#include "pkg/wheel/wheel.h"

/* Core metadata holds a long description at most; more is not metadata. */
#define METADATA_MAX ((size_t)8 << 20)

static int meta_error(struct hwb_error *err, const char *path,
		      const char *member, const char *why)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-P005",
		      "cannot read %s from %s: %s", member, path, why);
	hwb_error_hint(err, "rebuild the distribution (hwb build) and check "
		       "it with hwb check");
	return hwb_error_at(err, path, 0, 0);
}

/* "NAME-VERSION.dist-info/METADATA" or "NAME-VERSION/PKG-INFO". */
static char *member_name(const char *filename, int wheel)
{
	const char *dash;
	size_t n = strlen(filename);

	if (!wheel)
		return hwb_strdup_printf("%.*s/PKG-INFO", (int)(n - 7), filename);
	dash = strchr(filename, '-');
	if (!dash || !(dash = strchr(dash + 1, '-')))
		return NULL;
	return hwb_strdup_printf("%.*s.dist-info/METADATA",
				 (int)(dash - filename), filename);
}

static int read_member(struct archive *a, const char *path, const char *want,
		       struct hwb_buf *out, struct hwb_error *err)
{
	struct archive_entry *e;
	char chunk[16384];
	la_ssize_t n;
	int r;

	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		const char *name = archive_entry_pathname(e);

		if (!name || strcmp(name, want))
			continue;
		while ((n = archive_read_data(a, chunk, sizeof(chunk))) > 0) {
			if (out->len + (size_t)n > METADATA_MAX)
				return meta_error(err, path, want, "larger than 8 MiB");
			hwb_buf_put(out, chunk, (size_t)n);
		}
		if (n < 0)
			return meta_error(err, path, want, archive_error_string(a));
		return hwb_buf_check(out, err);
	}
	if (r != ARCHIVE_EOF)
		return meta_error(err, path, want, archive_error_string(a));
	return meta_error(err, path, want, "no such member");
}

/* The wheel's member want, through the check's zip parser. */
static int read_wheel_member(const char *path, const char *want,
			     struct hwb_buf *out, struct hwb_error *err)
{
	struct hwb_wheel_reader *rd;
	struct hwb_error why = HWB_ERROR_INIT;
	long i;
	int ret = -1;

	if (hwb_wheel_open(path, NULL, NULL, &rd, &why))
		goto bad;
	if ((i = hwb_wheel_find(rd, want)) < 0)
		meta_error(err, path, want, "no such member");
	else if (hwb_wheel_read_all(rd, (size_t)i, METADATA_MAX, out, &why))
		goto bad;
	else
		ret = 0;
	hwb_wheel_close(rd);
	return ret;
bad:
	hwb_wheel_close(rd);
	if (!strcmp(why.code, "HWB-C001"))
		return hwb_error_oom(err);
	{
		char reason[sizeof(why.message) + 20];

		snprintf(reason, sizeof(reason), "%s %s", why.code, why.message);
		return meta_error(err, path, want, reason);
	}
}

/* The sdist's member want, with libarchive. */
static int read_sdist_member(const char *path, const char *want,
			     struct hwb_buf *out, struct hwb_error *err)
{
	struct archive *a = NULL;
	int ret = -1;

	if (hwb_lazy_require(HWB_LAZY_ARCHIVE, err))
		return -1;
	if (!(a = archive_read_new()))
		return hwb_error_oom(err);
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
		meta_error(err, path, want, archive_error_string(a));
	else
		ret = read_member(a, path, want, out, err);
	archive_read_free(a);
	return ret;
}

int hwb_publish__read_metadata(const char *path, const char *filename,
			       struct hwb_metadata *md, struct hwb_error *err)
{
	int wheel = hwb_publish__kind(filename) == 1;
	char *want = member_name(filename, wheel);
	struct hwb_buf text = HWB_BUF_INIT;
	int ret = -1;

	if (!want) {
		meta_error(err, path, "METADATA", "the wheel file name has no "
			   "NAME-VERSION");
		goto cleanup;
	}
	if (wheel ? read_wheel_member(path, want, &text, err)
		  : read_sdist_member(path, want, &text, err))
		goto cleanup;
	if (hwb_metadata_parse(text.ptr, text.len, md, err)) {
		hwb_error_at(err, path, 0, 0);
		goto cleanup;
	}
	ret = 0;
cleanup:
	free(want);
	hwb_buf_release(&text);
	return ret;
}
