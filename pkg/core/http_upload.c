/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_upload.c: request bodies streamed from disk and multipart/form-data
 * bodies for the HTTP client (http.c). Files are opened here, not by
 * libcurl, so that O_NOFOLLOW and the regular-file check apply.
 */
#include "pkg/core/internal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int hwb_core__http_file_open(struct hwb_core__http_file *f, const char *path,
			     const char *prefix, struct hwb_error *err)
{
	struct stat st;

	f->path = path;
	f->read_errno = 0;
	f->tap = NULL;
	f->tap_ctx = NULL;
	f->fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (f->fd < 0 || fstat(f->fd, &st) < 0) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-H008",
				"%s: cannot read upload file %s", prefix, path);
		hwb_core__http_file_close(f);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-H008",
			      "%s: upload file %s is not a regular file",
			      prefix, path);
		hwb_core__http_file_close(f);
		goto fail;
	}
	f->size = st.st_size;
	return 0;
fail:
	hwb_error_at(err, path, 0, 0);
	return hwb_error_hint(err, "give the path of a regular, readable "
				   "file (symbolic links are refused)");
}

int hwb_core__http_file_rewind(struct hwb_core__http_file *f)
{
	f->read_errno = 0;
	if (f->tap)
		f->tap(f->tap_ctx, NULL, 0);
	return lseek(f->fd, 0, SEEK_SET) == 0 ? 0 : -1;
}

void hwb_core__http_file_close(struct hwb_core__http_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}

size_t hwb_core__http_file_read(char *ptr, size_t size, size_t nitems,
				void *arg)
{
	struct hwb_core__http_file *f = arg;
	ssize_t n;

	do
		n = read(f->fd, ptr, size * nitems);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		f->read_errno = errno;
		return CURL_READFUNC_ABORT;
	}
	if (n > 0 && f->tap)
		f->tap(f->tap_ctx, ptr, (size_t)n);
	return (size_t)n;
}

int hwb_core__http_file_seek(void *arg, curl_off_t offset, int origin)
{
	struct hwb_core__http_file *f = arg;

	/* a watcher can start over, not jump: only a rewind to the start */
	if (f->tap && (offset != 0 || origin != SEEK_SET))
		return CURL_SEEKFUNC_CANTSEEK;
	if (lseek(f->fd, (off_t)offset, origin) < 0)
		return CURL_SEEKFUNC_FAIL;
	if (f->tap)
		f->tap(f->tap_ctx, NULL, 0);
	return CURL_SEEKFUNC_OK;
}

/* A text part whose value is asked for when libcurl reaches it. */
struct deferred {
	const struct hwb_http_part *part;
	const char *value; /* NULL until the part's turn */
	size_t off;
};

static size_t deferred_read(char *ptr, size_t size, size_t nitems, void *arg)
{
	struct deferred *d = arg;
	size_t n = size * nitems, left;

	if (!d->value && !(d->value = d->part->value_cb(d->part->value_ctx)))
		return CURL_READFUNC_ABORT;
	left = d->part->value_len - d->off;
	n = n < left ? n : left;
	memcpy(ptr, d->value + d->off, n);
	d->off += n;
	return n;
}

static int deferred_seek(void *arg, curl_off_t offset, int origin)
{
	struct deferred *d = arg;

	if (offset != 0 || origin != SEEK_SET)
		return CURL_SEEKFUNC_CANTSEEK;
	d->value = NULL;
	d->off = 0;
	return CURL_SEEKFUNC_OK;
}

static int add_deferred(curl_mimepart *part, const struct hwb_http_part *p)
{
	struct deferred *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	d->part = p;
	if (curl_mime_data_cb(part, (curl_off_t)p->value_len, deferred_read,
			      deferred_seek, free, d) != CURLE_OK) {
		free(d);
		return -1;
	}
	return 0;
}

static const char *last_component(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

static int add_part(curl_mime *mime, const struct hwb_http_part *p,
		    struct hwb_core__http_file *file)
{
	curl_mimepart *part = curl_mime_addpart(mime);

	if (!part || curl_mime_name(part, p->name) != CURLE_OK)
		return -1;
	if (!file && p->value_cb)
		return add_deferred(part, p);
	if (!file) {
		size_t len = p->value_len ? p->value_len : strlen(p->value);

		return curl_mime_data(part, p->value, len) == CURLE_OK ? 0 : -1;
	}
	/* No free callback: the files belong to the caller of mime_build. */
	if (curl_mime_data_cb(part, (curl_off_t)file->size,
			      hwb_core__http_file_read,
			      hwb_core__http_file_seek, NULL, file) != CURLE_OK ||
	    curl_mime_filename(part, p->filename ? p->filename
					     : last_component(p->file_path)) !=
		    CURLE_OK ||
	    curl_mime_type(part, p->content_type ? p->content_type
						 : "application/octet-stream") !=
		    CURLE_OK)
		return -1;
	return 0;
}

curl_mime *hwb_core__http_mime_build(CURL *curl,
				     const struct hwb_http_request *req,
				     struct hwb_core__http_file *files)
{
	curl_mime *mime = curl_mime_init(curl);
	size_t i, nfile = 0;

	if (!mime)
		return NULL;
	for (i = 0; i < req->part_count; i++) {
		const struct hwb_http_part *p = &req->parts[i];

		if (add_part(mime, p, p->file_path ? &files[nfile++] : NULL)) {
			curl_mime_free(mime);
			return NULL;
		}
	}
	return mime;
}
