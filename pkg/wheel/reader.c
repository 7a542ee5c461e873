/* SPDX-License-Identifier: Apache-2.0 */
/*
 * reader.c: hwb_wheel_open() and friends, the one way hwb reads a wheel's
 * members. The zip is read by the checker's own parser (zip*.c): the
 * central directory, every local header against it and the layout of the
 * whole file, so no member can be seen one way by the check and another
 * way by whoever unpacks it (prepended archives, local headers that name
 * other files, overlapping entries). A member is inflated from the data
 * offset the check validated, in bounded pieces, and its CRC-32, size and,
 * after a full check, sha256 are verified once it is read.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "pkg/core/hash.h"
#include "pkg/wheel/internal.h"

/* Compressed bytes per pread, and inflated bytes per call of the sink. */
#define READ_IN ((size_t)64 << 10)
#define READ_OUT ((size_t)256 << 10)

struct hwb_wheel_reader {
	int fd;
	char *path;
	struct hwb_zip z;
	int hashed;          /* members' sha256 are the check's: verify them */
	z_stream zs;
	int zs_ready;
	uint8_t *in, *out;   /* READ_IN and READ_OUT bytes */
	struct hwb_hash *sha256;
};

/* Framing findings: what the check's zip parser says about the structure
 * (W008, a data descriptor, is PyPI's policy, not a confusion). */
static int is_framing(const struct hwb_finding *f)
{
	int n;

	if (f->severity != HWB_SEVERITY_ERROR ||
	    strncmp(f->code, "HWB-W0", 6) || !strcmp(f->code, "HWB-W008"))
		return 0;
	n = atoi(f->code + 5);
	return n >= 1 && n <= 39;
}

/* The first framing error of r as err; 0 when there is none. */
static int refuse_unsound(const struct hwb_wheel_reader *rd,
			  const struct hwb_check_report *r,
			  struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		const struct hwb_finding *f = &r->findings[i];

		if (!is_framing(f))
			continue;
		hwb_error_set(err, HWB_KIND_FAILED, f->code, "%s%s%s%s",
			      f->member ? "member " : "",
			      f->member ? f->member : "",
			      f->member ? ": " : "", f->message);
		hwb_error_hint(err, "`hwb check %s` lists every problem; hwb "
			       "reads no member of a wheel whose zip "
			       "structure is unsound", rd->path);
		return hwb_error_at(err, rd->path, 0, 0);
	}
	if (rd->z.cd_ok)
		return 0;
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-W001",
		      "the wheel's central directory cannot be read");
	hwb_error_hint(err, "rebuild the wheel or download it again");
	return hwb_error_at(err, rd->path, 0, 0);
}

/* Structure only: end records, central directory, local headers, layout. */
static int read_structure(struct hwb_wheel_reader *rd, uint64_t size,
			  const struct hwb_check_options *opts,
			  struct hwb_check_report *r, struct hwb_error *err)
{
	size_t i;

	if (hwb_wheel__report_prepare(r, err) ||
	    hwb_zip__read(&rd->z, rd->fd, size, opts, r, err))
		return -1;
	for (i = 0; rd->z.cd_ok && i < rd->z.count; i++)
		if (hwb_zip__load_local(&rd->z, i, r, err))
			return -1;
	if (rd->z.cd_ok && hwb_zip__check_layout(&rd->z, r))
		return hwb_error_oom(err);
	return 0;
}

int hwb_wheel__open_fd(int fd, uint64_t size, const char *path,
		       const struct hwb_check_options *opts,
		       struct hwb_check_report *report,
		       struct hwb_wheel_reader **out, struct hwb_error *err)
{
	struct hwb_check_report scratch = HWB_CHECK_REPORT_INIT;
	struct hwb_wheel_reader *rd;
	struct hwb_check_options o;
	int rc = -1;

	*out = NULL;
	hwb_wheel__resolve_options(&o, opts);
	if (!(rd = calloc(1, sizeof(*rd)))) {
		close(fd);
		return hwb_error_oom(err);
	}
	rd->fd = fd;
	rd->z = (struct hwb_zip)HWB_ZIP_INIT;
	if (!(rd->path = hwb_strdup(path))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (report) {
		if (!(report->file = hwb_strdup(path)) ||
		    hwb_wheel__report_prepare(report, err)) {
			hwb_error_oom(err);
			goto cleanup;
		}
		if (hwb_wheel__check_open(&rd->z, fd, size, path, &o, report,
					  err) ||
		    refuse_unsound(rd, report, err))
			goto cleanup;
		rd->hashed = 1;
	} else if (read_structure(rd, size, &o, &scratch, err) ||
		   refuse_unsound(rd, &scratch, err)) {
		goto cleanup;
	}
	if (hwb_hash_new(&rd->sha256, HWB_HASH_SHA256, err))
		goto cleanup;
	*out = rd;
	rd = NULL;
	rc = 0;
cleanup:
	hwb_check_report_release(&scratch);
	hwb_wheel_close(rd);
	return rc;
}

int hwb_wheel_open(const char *path, const struct hwb_check_options *opts,
		   struct hwb_check_report *report,
		   struct hwb_wheel_reader **out, struct hwb_error *err)
{
	uint64_t size;
	int fd;

	*out = NULL;
	if (hwb_wheel__open_file(path, &fd, &size, err))
		return -1;
	return hwb_wheel__open_fd(fd, size, path, opts, report, out, err);
}

void hwb_wheel_close(struct hwb_wheel_reader *rd)
{
	if (!rd)
		return;
	hwb_zip__release(&rd->z);
	if (rd->fd >= 0)
		close(rd->fd);
	if (rd->zs_ready)
		inflateEnd(&rd->zs);
	hwb_hash_free(rd->sha256);
	free(rd->in);
	free(rd->out);
	free(rd->path);
	free(rd);
}

size_t hwb_wheel_count(const struct hwb_wheel_reader *rd)
{
	return rd->z.count;
}

void hwb_wheel_item(const struct hwb_wheel_reader *rd, size_t i,
		    struct hwb_wheel_item *out)
{
	const struct hwb_wheel_member *m = &rd->z.members[i];

	out->name = m->name;
	out->size = m->size;
	out->mode = (m->made_by >> 8) == 3 ? m->external_attr >> 16 : 0;
	out->is_dir = m->is_dir;
}

long hwb_wheel_find(const struct hwb_wheel_reader *rd, const char *name)
{
	return hwb_wheel__index_get(&rd->z.by_name, name);
}

static int bad_member(const struct hwb_wheel_reader *rd, size_t i,
		      const char *code, const char *what,
		      struct hwb_error *err)
{
	hwb_error_set(err, HWB_KIND_FAILED, code, "member %s: %s",
		      rd->z.members[i].name, what);
	hwb_error_hint(err, "rebuild the wheel or download it again; "
		       "`hwb check` shows details");
	return hwb_error_at(err, rd->path, 0, 0);
}

static int read_error(const struct hwb_wheel_reader *rd,
		      struct hwb_error *err)
{
	return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-W029",
			       "cannot read wheel %s", rd->path);
}

/* Stored data: straight from the file, READ_OUT bytes at a time. */
static int copy_stored(struct hwb_wheel_reader *rd, size_t i,
		       hwb_wheel_sink sink, void *ctx, uLong *crc,
		       uint64_t *produced, struct hwb_error *err)
{
	const struct hwb_wheel_member *m = &rd->z.members[i];
	uint64_t off = rd->z.entries[i].data_offset, left = m->size;
	size_t n;

	if (m->compressed_size != m->size)
		return bad_member(rd, i, "HWB-W027", "a stored entry whose "
				  "sizes differ", err);
	while (left) {
		n = left < READ_OUT ? (size_t)left : READ_OUT;
		if (hwb_wheel__pread(rd->fd, rd->out, n, off))
			return read_error(rd, err);
		*crc = crc32(*crc, rd->out, (uInt)n);
		if (hwb_hash_update(rd->sha256, rd->out, n) ||
		    sink(ctx, rd->out, n, err))
			return -1;
		*produced += n;
		off += n;
		left -= n;
	}
	return 0;
}

/* Deflated data: inflated in bounded pieces; nothing may follow the
 * stream inside the entry, and it may not inflate past its size. */
static int inflate_member(struct hwb_wheel_reader *rd, size_t i,
			  hwb_wheel_sink sink, void *ctx, uLong *crc,
			  uint64_t *produced, struct hwb_error *err)
{
	const struct hwb_wheel_member *m = &rd->z.members[i];
	uint64_t off = rd->z.entries[i].data_offset;
	uint64_t left = m->compressed_size;
	size_t n;
	int ret = Z_OK;

	if (!rd->zs_ready) {
		if (inflateInit2(&rd->zs, -15) != Z_OK)
			return hwb_error_oom(err);
		rd->zs_ready = 1;
	} else if (inflateReset(&rd->zs) != Z_OK) {
		return hwb_error_oom(err);
	}
	rd->zs.avail_in = 0;
	while (ret != Z_STREAM_END) {
		if (!rd->zs.avail_in && left) {
			n = left < READ_IN ? (size_t)left : READ_IN;
			if (hwb_wheel__pread(rd->fd, rd->in, n, off))
				return read_error(rd, err);
			rd->zs.next_in = rd->in;
			rd->zs.avail_in = (uInt)n;
			off += n;
			left -= n;
		}
		rd->zs.next_out = rd->out;
		rd->zs.avail_out = (uInt)READ_OUT;
		ret = inflate(&rd->zs, Z_NO_FLUSH);
		n = READ_OUT - rd->zs.avail_out;
		if (ret != Z_OK && ret != Z_STREAM_END &&
		    !(ret == Z_BUF_ERROR && (rd->zs.avail_in || left)))
			return bad_member(rd, i, "HWB-W028", "the compressed "
					  "data is damaged or truncated", err);
		if (n > m->size - *produced)
			return bad_member(rd, i, "HWB-W027", "inflates to more "
					  "than its headers declare", err);
		*crc = crc32(*crc, rd->out, (uInt)n);
		if (n && (hwb_hash_update(rd->sha256, rd->out, n) ||
			  sink(ctx, rd->out, n, err)))
			return -1;
		*produced += n;
	}
	if (rd->zs.avail_in || left)
		return bad_member(rd, i, "HWB-W028", "the compressed data goes "
				  "on after the end of its deflate stream", err);
	return 0;
}

int hwb_wheel_read(struct hwb_wheel_reader *rd, size_t i, hwb_wheel_sink sink,
		   void *ctx, struct hwb_error *err)
{
	const struct hwb_wheel_member *m = &rd->z.members[i];
	const struct hwb_zip_entry *e = &rd->z.entries[i];
	uLong crc = crc32(0, NULL, 0);
	uint64_t produced = 0;
	uint8_t digest[32];
	int rc;

	if (m->is_dir)
		return 0;
	/* An open reader's entries are sound; a member the check could not
	 * inflate (data_ok 0) was not approved. */
	if (e->local_state != 1 || !e->fields_ok || rd->z.too_big ||
	    (rd->hashed && (!m->data_ok || !m->sha256_valid)))
		return bad_member(rd, i, "HWB-W028", "hwb check could not "
				  "read this member", err);
	if ((!rd->in && !(rd->in = malloc(READ_IN))) ||
	    (!rd->out && !(rd->out = malloc(READ_OUT))))
		return hwb_error_oom(err);
	if (hwb_hash_reset(rd->sha256))
		return hwb_error_oom(err);
	rc = m->method == 0 ? copy_stored(rd, i, sink, ctx, &crc, &produced, err)
			    : inflate_member(rd, i, sink, ctx, &crc, &produced,
					     err);
	if (rc)
		return -1;
	if (produced != m->size)
		return bad_member(rd, i, "HWB-W027", "inflates to fewer bytes "
				  "than its headers declare", err);
	if ((uint32_t)crc != m->crc32)
		return bad_member(rd, i, "HWB-W026", "the data does not match "
				  "its CRC-32", err);
	if (hwb_hash_final(rd->sha256, digest))
		return hwb_error_oom(err);
	if (rd->hashed && memcmp(digest, m->sha256, sizeof(digest)))
		return bad_member(rd, i, "HWB-W110", "the bytes differ from "
				  "those hwb check hashed: the file changed "
				  "while hwb used it", err);
	return 0;
}

static int to_buf(void *ctx, const uint8_t *data, size_t len,
		  struct hwb_error *err)
{
	return hwb_buf_put(ctx, data, len) ? hwb_error_oom(err) : 0;
}

int hwb_wheel_read_all(struct hwb_wheel_reader *rd, size_t i, size_t limit,
		       struct hwb_buf *out, struct hwb_error *err)
{
	char what[96];

	if (rd->z.members[i].size > limit) {
		snprintf(what, sizeof(what), "larger than the %zu bytes hwb "
			 "reads whole", limit);
		return bad_member(rd, i, "HWB-W018", what, err);
	}
	if (hwb_buf_grow(out, (size_t)rd->z.members[i].size))
		return hwb_error_oom(err);
	return hwb_wheel_read(rd, i, to_buf, out, err);
}
