/* SPDX-License-Identifier: Apache-2.0 */
/*
 * normalize.c: rewrites the wheel and the sdist a backend produced into the
 * normal form below, so that the same commit gives the same bytes whatever
 * the backend did: members sorted by name (.dist-info last in wheels,
 * RECORD last of all), times clamped to SOURCE_DATE_EPOCH, modes 644/755
 * from the executable bit only, owner 0 and no user names in tar, no extra
 * fields in zip, a gzip header without name or time. Member contents never
 * change.
 */
#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "pkg/build/internal.h"
#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"
#include "pkg/wheel/wheel.h"

#define MEMBER_MAX ((size_t)1 << 31)
#define ZIP_MAX_MEMBERS 65535

struct member {
	char *name;
	struct hwb_buf data;
	int exec;
	int type;          /* AE_IFREG, AE_IFDIR, AE_IFLNK */
	char *link;        /* symlink target (sdists) */
	long long mtime;
};

struct members {
	struct member *items;
	size_t count;
};

static void members_release(struct members *m)
{
	size_t i;

	for (i = 0; i < m->count; i++) {
		free(m->items[i].name);
		free(m->items[i].link);
		hwb_buf_release(&m->items[i].data);
	}
	free(m->items);
	memset(m, 0, sizeof(*m));
}

static struct member *add_member(struct members *m, const char *name);

/*
 * Read every file of a wheel into memory through pkg/wheel's reader: the
 * zip structure is validated as hwb check validates it, so the normal form
 * holds exactly the members the backend's zip holds for every reader, and
 * each member's CRC-32 and size are verified.
 */
static int read_wheel_members(const char *path, struct members *m,
			      struct hwb_error *err)
{
	struct hwb_wheel_reader *rd;
	struct hwb_wheel_item it;
	struct member *mem;
	size_t i, n;
	int ret = -1;

	if (hwb_wheel_open(path, NULL, NULL, &rd, err))
		goto bad;
	for (i = 0, n = hwb_wheel_count(rd); i < n; i++) {
		hwb_wheel_item(rd, i, &it);
		if (it.is_dir)
			continue;
		if (!(mem = add_member(m, it.name))) {
			hwb_error_oom(err);
			goto cleanup;
		}
		mem->exec = (it.mode & 0111) != 0;
		if (hwb_wheel_read_all(rd, i, MEMBER_MAX, &mem->data, err))
			goto bad;
	}
	ret = 0;
	goto cleanup;
bad:
	if (!strcmp(err->code, "HWB-C001"))
		goto cleanup;
	{
		char why[sizeof(err->message) + 16];

		snprintf(why, sizeof(why), "%s %s", err->code, err->message);
		hwb_error_set(err, HWB_KIND_BUILD, "HWB-B064",
			      "the backend's output '%s' cannot be read for "
			      "normalisation: %s", path, why);
		hwb_error_hint(err, "report it to the backend; 'hwb check' "
			       "shows details");
	}
cleanup:
	hwb_wheel_close(rd);
	return ret;
}

/* Read every member of a tar.gz (sdist) into memory. */
static int read_sdist_members(const char *path, struct members *m,
			      struct hwb_error *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct member *items, *it;
	char buf[65536];
	ssize_t n;
	int r, ret = -1;

	if (!a)
		return hwb_error_oom(err);
	archive_read_support_filter_gzip(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_filename(a, path, 65536) != ARCHIVE_OK)
		goto bad;
	while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		int type = (int)archive_entry_filetype(e);

		if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK)
			goto bad;
		items = realloc(m->items, (m->count + 1) * sizeof(*items));
		if (!items)
			goto oom;
		m->items = items;
		it = &items[m->count++];
		memset(it, 0, sizeof(*it));
		hwb_buf_init(&it->data);
		it->type = type;
		it->exec = (archive_entry_perm(e) & 0111) != 0;
		it->mtime = archive_entry_mtime(e);
		it->name = hwb_strdup(archive_entry_pathname(e));
		if (type == AE_IFLNK)
			it->link = hwb_strdup(archive_entry_symlink(e));
		if (!it->name || (type == AE_IFLNK && !it->link))
			goto oom;
		while ((n = archive_read_data(a, buf, sizeof(buf))) > 0) {
			if (it->data.len + (size_t)n > MEMBER_MAX)
				goto bad;
			hwb_buf_put(&it->data, buf, (size_t)n);
		}
		if (n < 0)
			goto bad;
		if (hwb_buf_check(&it->data, err))
			goto cleanup;
	}
	if (r != ARCHIVE_EOF)
		goto bad;
	ret = 0;
	goto cleanup;
oom:
	hwb_error_oom(err);
	goto cleanup;
bad:
	hwb_error_set(err, HWB_KIND_BUILD, "HWB-B064",
		      "the backend's output '%s' cannot be read for "
		      "normalisation: %s", path,
		      archive_error_string(a) ? archive_error_string(a)
					      : "unsupported member");
	hwb_error_hint(err, "report it to the backend; 'hwb check' shows details");
cleanup:
	archive_read_free(a);
	return ret;
}

/* Sort key: 0 plain member, 1 in .dist-info/, 2 the RECORD itself. */
static int rank(const char *name)
{
	const char *slash = strchr(name, '/');

	if (!slash || slash - name < 10 || strncmp(slash - 10, ".dist-info", 10))
		return 0;
	return strcmp(slash, "/RECORD") ? 1 : 2;
}

static int wheel_order(const void *a, const void *b)
{
	const struct member *x = a, *y = b;
	int rx = rank(x->name), ry = rank(y->name);

	return rx != ry ? rx - ry : strcmp(x->name, y->name);
}

static int name_order(const void *a, const void *b)
{
	return strcmp(((const struct member *)a)->name,
		      ((const struct member *)b)->name);
}

static void put16(struct hwb_buf *b, unsigned v)
{
	unsigned char c[2] = { (unsigned char)v, (unsigned char)(v >> 8) };

	hwb_buf_put(b, c, 2);
}

static void put32(struct hwb_buf *b, uint32_t v)
{
	unsigned char c[4] = { (unsigned char)v, (unsigned char)(v >> 8),
			       (unsigned char)(v >> 16), (unsigned char)(v >> 24) };

	hwb_buf_put(b, c, 4);
}

/*
 * Compress all of in into out at level 9: window_bits -15 gives raw deflate
 * (zip method 8), 15 + 16 a gzip stream whose header zlib writes with no
 * name and time 0 (gzip -n).
 */
static int deflate_whole(const struct hwb_buf *in, struct hwb_buf *out,
			 int window_bits)
{
	z_stream z;
	uLong bound;
	int rc;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, window_bits, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return -1;
	/* deflateBound counts the gzip wrapper; the margin is for safety. */
	bound = deflateBound(&z, (uLong)in->len) + 32;
	hwb_buf_clear(out);
	if (hwb_buf_grow(out, bound)) {
		deflateEnd(&z);
		return -1;
	}
	z.next_in = (Bytef *)in->ptr;
	z.avail_in = (uInt)in->len;
	z.next_out = (Bytef *)out->ptr;
	z.avail_out = (uInt)bound;
	rc = deflate(&z, Z_FINISH);
	out->len = z.total_out;
	deflateEnd(&z);
	return rc == Z_STREAM_END ? 0 : -1;
}

/* MS-DOS date and time of t in UTC, as wheel does with SOURCE_DATE_EPOCH. */
static void dos_time(long long t, unsigned *date, unsigned *tim)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	*date = (unsigned)(((tm.tm_year - 80) << 9) | ((tm.tm_mon + 1) << 5) |
			   tm.tm_mday);
	*tim = (unsigned)((tm.tm_hour << 11) | (tm.tm_min << 5) | (tm.tm_sec / 2));
}

static int write_zip(const struct members *m, long long epoch,
		     struct hwb_buf *zip, struct hwb_error *err)
{
	struct hwb_buf central = HWB_BUF_INIT, comp = HWB_BUF_INIT;
	unsigned date, tim;
	size_t i;
	int ret = -1;

	dos_time(epoch, &date, &tim);
	if (m->count > ZIP_MAX_MEMBERS)
		goto too_big;
	for (i = 0; i < m->count; i++) {
		const struct member *it = &m->items[i];
		uint32_t crc = (uint32_t)crc32(0, (const Bytef *)it->data.ptr,
					       (uInt)it->data.len);
		size_t offset = zip->len, namelen = strlen(it->name);
		int stored = it->data.len == 0;
		uint32_t mode = (it->exec ? 0100755u : 0100644u) << 16;

		if (!stored && deflate_whole(&it->data, &comp, -15))
			goto oom;
		if (offset > UINT32_MAX || it->data.len > UINT32_MAX)
			goto too_big;
		/* Local header: no extra field, so no timestamps or uids. */
		put32(zip, 0x04034b50); put16(zip, 20); put16(zip, 0x0800);
		put16(zip, stored ? 0 : 8); put16(zip, tim); put16(zip, date);
		put32(zip, crc); put32(zip, (uint32_t)(stored ? 0 : comp.len));
		put32(zip, (uint32_t)it->data.len); put16(zip, (unsigned)namelen);
		put16(zip, 0);
		hwb_buf_put(zip, it->name, namelen);
		if (!stored)
			hwb_buf_put(zip, comp.ptr, comp.len);
		put32(&central, 0x02014b50); put16(&central, (3 << 8) | 20);
		put16(&central, 20); put16(&central, 0x0800);
		put16(&central, stored ? 0 : 8); put16(&central, tim);
		put16(&central, date); put32(&central, crc);
		put32(&central, (uint32_t)(stored ? 0 : comp.len));
		put32(&central, (uint32_t)it->data.len);
		put16(&central, (unsigned)namelen); put16(&central, 0);
		put16(&central, 0); put16(&central, 0); put16(&central, 0);
		put32(&central, mode); put32(&central, (uint32_t)offset);
		hwb_buf_put(&central, it->name, namelen);
	}
	if (zip->len > UINT32_MAX)
		goto too_big;
	{
		size_t cd_offset = zip->len;

		hwb_buf_put(zip, central.ptr, central.len);
		put32(zip, 0x06054b50); put16(zip, 0); put16(zip, 0);
		put16(zip, (unsigned)m->count); put16(zip, (unsigned)m->count);
		put32(zip, (uint32_t)central.len); put32(zip, (uint32_t)cd_offset);
		put16(zip, 0);
	}
	if (hwb_buf_check(zip, err) || hwb_buf_check(&central, err))
		goto cleanup;
	ret = 0;
	goto cleanup;
too_big:
	hwb_error_set(err, HWB_KIND_BUILD, "HWB-B065",
		      "the wheel needs ZIP64 (over 65535 members or 4 GiB), which "
		      "hwb's normaliser does not write");
	hwb_error_hint(err, "split the distribution");
	goto cleanup;
oom:
	hwb_error_oom(err);
cleanup:
	hwb_buf_release(&central);
	hwb_buf_release(&comp);
	return ret;
}

static struct member *add_member(struct members *m, const char *name)
{
	struct member *items = realloc(m->items, (m->count + 1) * sizeof(*items)),
		      *it;

	if (!items)
		return NULL;
	m->items = items;
	it = &items[m->count];
	memset(it, 0, sizeof(*it));
	hwb_buf_init(&it->data);
	it->type = AE_IFREG;
	if (!(it->name = hwb_strdup(name)))
		return NULL;
	m->count++;
	return it;
}

/*
 * Add <dist-info>/sboms/hwb-build.cdx.json (PEP 770) and its RECORD line.
 * RECORD is the only member whose bytes change.
 */
static int add_sbom(const struct hwb_build__ctx *c, struct members *m,
		    struct hwb_error *err)
{
	struct hwb_build__sbom_file *files = NULL;
	struct member *record = NULL, *sbom;
	struct hwb_buf doc = HWB_BUF_INIT, b64 = HWB_BUF_INIT;
	char dist[512], *dash, name[512], version[512];
	uint8_t d[32];
	size_t i, n = 0;
	int ret = -1;

	for (i = 0; i < m->count; i++)
		if (rank(m->items[i].name) == 2)
			record = &m->items[i];
	if (!record)
		return 0; /* hwb check reports the missing RECORD */
	snprintf(dist, sizeof(dist), "%.*s", (int)(strchr(record->name, '/') - record->name),
		 record->name);
	/* name-version.dist-info */
	snprintf(name, sizeof(name), "%s", dist);
	dash = strchr(name, '-');
	snprintf(version, sizeof(version), "%s", dash ? dash + 1 : "");
	if (dash)
		*dash = '\0';
	if ((dash = strstr(version, ".dist-info")))
		*dash = '\0';
	if (!(files = calloc(m->count + 1, sizeof(*files))))
		goto oom;
	for (i = 0; i < m->count; i++) {
		if (&m->items[i] == record)
			continue;
		files[n].name = m->items[i].name;
		if (hwb_hash_buffer_hex(HWB_HASH_SHA256, m->items[i].data.ptr,
					m->items[i].data.len, files[n].sha256,
					err))
			goto cleanup;
		n++;
	}
	if (hwb_build__sbom(c, name, version, files, n, &doc, err))
		goto cleanup;
	{
		char *member = hwb_strdup_printf("%s/sboms/hwb-build.cdx.json", dist);

		sbom = member ? add_member(m, member) : NULL;
		free(member);
	}
	if (!sbom)
		goto oom;
	/* add_member may move the array: find RECORD again. */
	for (i = 0; i < m->count; i++)
		if (rank(m->items[i].name) == 2)
			record = &m->items[i];
	if (hwb_buf_put(&sbom->data, doc.ptr, doc.len) ||
	    hwb_hash_buffer(HWB_HASH_SHA256, doc.ptr, doc.len, d, err) ||
	    hwb_base64_encode(&b64, d, sizeof(d), HWB_B64_URL | HWB_B64_NOPAD))
		goto oom;
	if (record->data.len && record->data.ptr[record->data.len - 1] != '\n')
		hwb_buf_putc(&record->data, '\n');
	hwb_buf_printf(&record->data, "%s,sha256=%s,%zu\n", sbom->name, b64.ptr,
		       doc.len);
	ret = hwb_buf_check(&record->data, err);
	goto cleanup;
oom:
	if (!err || !err->code[0])
		hwb_error_oom(err);
cleanup:
	free(files);
	hwb_buf_release(&doc);
	hwb_buf_release(&b64);
	return ret;
}

int hwb_build__normalize_wheel(const char *path, long long epoch,
			       const struct hwb_build__ctx *c,
			       struct hwb_error *err)
{
	struct members m = { NULL, 0 };
	struct hwb_buf zip = HWB_BUF_INIT;
	int ret = -1;

	if (read_wheel_members(path, &m, err))
		goto cleanup;
	if (c && add_sbom(c, &m, err))
		goto cleanup;
	qsort(m.items, m.count, sizeof(*m.items), wheel_order);
	if (write_zip(&m, epoch, &zip, err) ||
	    hwb_file_write_atomic(path, zip.ptr, zip.len, 0644, err))
		goto cleanup;
	ret = 0;
cleanup:
	members_release(&m);
	hwb_buf_release(&zip);
	return ret;
}

static la_ssize_t to_buf(struct archive *a, void *ctx, const void *data,
			 size_t len)
{
	(void)a;
	return hwb_buf_put(ctx, data, len) ? -1 : (la_ssize_t)len;
}

static int write_tar(const struct members *m, long long epoch,
		     struct hwb_buf *tar, struct hwb_error *err)
{
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t i;
	int ret = -1;

	if (!a || !e)
		goto oom;
	if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open2(a, tar, NULL, to_buf, NULL, NULL) != ARCHIVE_OK)
		goto bad;
	for (i = 0; i < m->count; i++) {
		const struct member *it = &m->items[i];

		archive_entry_clear(e);
		archive_entry_set_pathname(e, it->name);
		archive_entry_set_filetype(e, (unsigned)it->type);
		archive_entry_set_perm(e, it->type == AE_IFDIR || it->exec ? 0755 : 0644);
		archive_entry_set_uid(e, 0);
		archive_entry_set_gid(e, 0);
		archive_entry_set_mtime(e, it->mtime > epoch ? epoch : it->mtime, 0);
		if (it->type == AE_IFLNK)
			archive_entry_set_symlink(e, it->link);
		archive_entry_set_size(e, it->type == AE_IFREG ? (la_int64_t)it->data.len : 0);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (it->type == AE_IFREG && it->data.len &&
		     archive_write_data(a, it->data.ptr, it->data.len) !=
			     (la_ssize_t)it->data.len))
			goto bad;
	}
	if (archive_write_close(a) != ARCHIVE_OK)
		goto bad;
	ret = hwb_buf_check(tar, err);
	goto cleanup;
oom:
	hwb_error_oom(err);
	goto cleanup;
bad:
	hwb_error_set(err, HWB_KIND_BUILD, "HWB-B064",
		      "cannot write the normalised sdist: %s",
		      archive_error_string(a) ? archive_error_string(a) : "");
cleanup:
	if (e)
		archive_entry_free(e);
	if (a)
		archive_write_free(a);
	return ret;
}

int hwb_build__normalize_sdist(const char *path, long long epoch,
			       struct hwb_error *err)
{
	struct members m = { NULL, 0 };
	struct hwb_buf tar = HWB_BUF_INIT, gz = HWB_BUF_INIT;
	int ret = -1;

	if (read_sdist_members(path, &m, err))
		goto cleanup;
	qsort(m.items, m.count, sizeof(*m.items), name_order);
	if (write_tar(&m, epoch, &tar, err))
		goto cleanup;
	if (deflate_whole(&tar, &gz, 15 + 16)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_file_write_atomic(path, gz.ptr, gz.len, 0644, err))
		goto cleanup;
	ret = 0;
cleanup:
	members_release(&m);
	hwb_buf_release(&tar);
	hwb_buf_release(&gz);
	return ret;
}
