/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip.c: hwb's own zip reader, from the raw bytes: the end records (EOCD,
 * ZIP64 locator and end record), the central directory, duplicate names and
 * the zip-bomb limits. Each entry's fields are checked in zip_entry.c,
 * local headers and the walk over the file in zip_local.c. Installers read
 * zips with different parsers, so every ambiguity another parser could
 * resolve differently is a finding (README.md, hwb check).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/buf.h"
#include "pkg/wheel/internal.h"

#include <unicase.h>
#include <uninorm.h>

#define EOCD_SIG 0x06054b50u
#define EOCD_LEN 22
#define EOCD64_SIG 0x06064b50u
#define EOCD64_LEN 56
#define LOC64_SIG 0x07064b50u
#define LOC64_LEN 20
#define CDH_SIG 0x02014b50u
#define CDH_LEN 46
#define MAX_COMMENT 65535

/* What the end records say, ZIP64 values resolved. */
struct end_info {
	uint64_t eocd_off;
	uint64_t records_start; /* EOCD64 when present, else EOCD */
	uint64_t entries;
	uint64_t cd_size;
	uint64_t cd_offset;
	int zip64;
};

static int read_error(struct hwb_error *err, const char *what)
{
	return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-W029",
			       "cannot read the %s", what);
}

/*
 * Find the EOCD: the last signature whose comment ends exactly at the end
 * of the file; failing that, the last one that fits (trailing data).
 */
static int find_eocd(struct hwb_zip *z, struct hwb_check_report *r,
		     uint64_t *eocd_off, struct hwb_error *err)
{
	size_t tail_len = z->file_size < EOCD_LEN + MAX_COMMENT ?
			  (size_t)z->file_size : EOCD_LEN + MAX_COMMENT;
	uint64_t tail_start = z->file_size - tail_len, best = UINT64_MAX;
	uint8_t *tail = NULL;
	size_t i, exact = 0;
	int rc = -1;

	*eocd_off = UINT64_MAX;
	if (z->file_size < EOCD_LEN) {
		hwb_wheel__add(r, "HWB-W001", HWB_SEVERITY_ERROR, NULL,
			       "the file is %llu bytes, too short to be a zip "
			       "archive; rebuild the wheel",
			       (unsigned long long)z->file_size);
		return 0;
	}
	if (!(tail = malloc(tail_len)))
		return hwb_error_oom(err);
	if (hwb_wheel__pread(z->fd, tail, tail_len, tail_start)) {
		read_error(err, "end of the file");
		goto cleanup;
	}
	/*
	 * Python's zipfile takes the last record that ends at the end of the
	 * file; a record whose comment holds another such record is a zip
	 * hidden in the comment: readers disagree on which archive they see.
	 */
	for (i = tail_len - EOCD_LEN + 1; i-- > 0;) {
		uint64_t end;

		if (hwb_le32(tail + i) != EOCD_SIG)
			continue;
		end = tail_start + i + EOCD_LEN + hwb_le16(tail + i + 20);
		if (end == z->file_size) {
			exact++;
			best = tail_start + i;
		} else if (end < z->file_size && !exact && best == UINT64_MAX) {
			best = tail_start + i;
		}
	}
	*eocd_off = best;
	rc = 0;
	if (exact > 1 &&
	    hwb_wheel__add(r, "HWB-W013", HWB_SEVERITY_ERROR, NULL,
			   "an end-of-central-directory record sits inside "
			   "the archive comment: a second zip that some "
			   "readers see instead; remove the comment"))
		rc = -1;
	if (!rc && best == UINT64_MAX)
		rc = hwb_wheel__add(r, "HWB-W001", HWB_SEVERITY_ERROR, NULL,
				    "no end-of-central-directory record: not a "
				    "zip archive, or truncated; rebuild or "
				    "download the wheel again");
cleanup:
	free(tail);
	return rc;
}

static int check_comment(struct hwb_check_report *r, const uint8_t *c,
			 size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (c[i] >= 0x01 && c[i] <= 0x08)
			return hwb_wheel__add(r, "HWB-W013", HWB_SEVERITY_ERROR,
					      NULL,
					      "the archive comment holds byte "
					      "0x%02x, a sign of zip records "
					      "hidden in the comment; remove "
					      "the comment", c[i]);
	return 0;
}

/* Check 8: the ZIP64 locator and end record, when present. */
static int read_zip64(struct hwb_zip *z, struct hwb_check_report *r,
		      struct end_info *end, const uint8_t *eocd, int *fatal,
		      struct hwb_error *err)
{
	uint8_t loc[LOC64_LEN], rec[EOCD64_LEN];
	uint64_t off;

	if (end->eocd_off < LOC64_LEN)
		return 0;
	if (hwb_wheel__pread(z->fd, loc, sizeof(loc),
			     end->eocd_off - LOC64_LEN))
		return read_error(err, "ZIP64 locator");
	if (hwb_le32(loc) != LOC64_SIG)
		return 0;
	end->zip64 = 1;
	*fatal = 1;
	off = hwb_le64(loc + 8);
	if (hwb_le32(loc + 4) != 0 || hwb_le32(loc + 16) != 1)
		return hwb_wheel__add(r, "HWB-W010", HWB_SEVERITY_ERROR, NULL,
				      "the ZIP64 locator describes a multi-disk "
				      "archive; rebuild the wheel as one file");
	if (off > end->eocd_off - LOC64_LEN ||
	    end->eocd_off - LOC64_LEN - off != EOCD64_LEN)
		return hwb_wheel__add(r, "HWB-W010", HWB_SEVERITY_ERROR, NULL,
				      "the ZIP64 locator points at offset "
				      "%llu, not at a 56-byte ZIP64 end record "
				      "right before it; rebuild the wheel",
				      (unsigned long long)off);
	if (hwb_wheel__pread(z->fd, rec, sizeof(rec), off))
		return read_error(err, "ZIP64 end record");
	if (hwb_le32(rec) != EOCD64_SIG || hwb_le64(rec + 4) != 44)
		return hwb_wheel__add(r, "HWB-W010", HWB_SEVERITY_ERROR, NULL,
				      "no valid ZIP64 end record (signature "
				      "and size 44) where the locator points; "
				      "rebuild the wheel");
	if (hwb_le32(rec + 16) || hwb_le32(rec + 20) ||
	    hwb_le64(rec + 24) != hwb_le64(rec + 32))
		return hwb_wheel__add(r, "HWB-W010", HWB_SEVERITY_ERROR, NULL,
				      "the ZIP64 end record describes a "
				      "multi-disk archive; rebuild the wheel "
				      "as one file");
	*fatal = 0;
	end->records_start = off;
	/* Legacy fields equal the ZIP64 values unless they are sentinels. */
	if ((hwb_le16(eocd + 10) != 0xffff &&
	     hwb_le16(eocd + 10) != hwb_le64(rec + 32)) ||
	    (hwb_le32(eocd + 12) != 0xffffffffu &&
	     hwb_le32(eocd + 12) != hwb_le64(rec + 40)) ||
	    (hwb_le32(eocd + 16) != 0xffffffffu &&
	     hwb_le32(eocd + 16) != hwb_le64(rec + 48)))
		hwb_wheel__add(r, "HWB-W010", HWB_SEVERITY_ERROR, NULL,
			       "the end record and the ZIP64 end record "
			       "disagree on the entry count, size or offset "
			       "of the central directory; rebuild the wheel");
	end->entries = hwb_le64(rec + 32);
	end->cd_size = hwb_le64(rec + 40);
	end->cd_offset = hwb_le64(rec + 48);
	return 0;
}

/* Checks 2, 7, 8, 11 on the end records; *ok says if the CD can be read. */
static int read_end(struct hwb_zip *z, struct hwb_check_report *r,
		    struct end_info *end, int *ok, struct hwb_error *err)
{
	uint8_t eocd[EOCD_LEN], comment[MAX_COMMENT];
	uint64_t after;
	size_t clen;
	int fatal = 0;

	*ok = 0;
	memset(end, 0, sizeof(*end));
	if (find_eocd(z, r, &end->eocd_off, err))
		return -1;
	if (end->eocd_off == UINT64_MAX)
		return 0;
	if (hwb_wheel__pread(z->fd, eocd, EOCD_LEN, end->eocd_off))
		return read_error(err, "end record");
	clen = hwb_le16(eocd + 20);
	after = z->file_size - end->eocd_off - EOCD_LEN - clen;
	if (after)
		hwb_wheel__add(r, "HWB-W004", HWB_SEVERITY_ERROR, NULL,
			       "%llu bytes follow the end-of-central-directory "
			       "record; other tools may read them as another "
			       "archive; rebuild the wheel",
			       (unsigned long long)after);
	if (clen && hwb_wheel__pread(z->fd, comment, clen,
				     end->eocd_off + EOCD_LEN))
		return read_error(err, "archive comment");
	if (check_comment(r, comment, clen))
		return -1;
	end->records_start = end->eocd_off;
	end->entries = hwb_le16(eocd + 10);
	end->cd_size = hwb_le32(eocd + 12);
	end->cd_offset = hwb_le32(eocd + 16);
	if (read_zip64(z, r, end, eocd, &fatal, err))
		return -1;
	if (fatal)
		return 0;
	if (!end->zip64 && (end->entries == 0xffff ||
			    end->cd_size == 0xffffffffu ||
			    end->cd_offset == 0xffffffffu ||
			    hwb_le16(eocd + 4) == 0xffff))
		return hwb_wheel__add(r, "HWB-W010", HWB_SEVERITY_ERROR, NULL,
				      "the end record holds a ZIP64 sentinel "
				      "(0xFFFF...) but there is no ZIP64 end "
				      "record behind it; rebuild the wheel");
	if ((hwb_le16(eocd + 4) && hwb_le16(eocd + 4) != 0xffff) ||
	    (hwb_le16(eocd + 6) && hwb_le16(eocd + 6) != 0xffff) ||
	    hwb_le16(eocd + 8) != hwb_le16(eocd + 10))
		return hwb_wheel__add(r, "HWB-W009", HWB_SEVERITY_ERROR, NULL,
				      "the end record describes a multi-disk "
				      "archive; rebuild the wheel as one file");
	*ok = 1;
	return 0;
}

static int add_member(struct hwb_zip *z, size_t *cap)
{
	if (z->count == *cap) {
		size_t n = *cap ? *cap * 2 : 64;
		void *m = realloc(z->members, n * sizeof(*z->members));

		if (!m)
			return -1;
		z->members = m;
		if (!(m = realloc(z->entries, n * sizeof(*z->entries))))
			return -1;
		z->entries = m;
		*cap = n;
	}
	memset(&z->members[z->count], 0, sizeof(*z->members));
	memset(&z->entries[z->count], 0, sizeof(*z->entries));
	z->entries[z->count].record_row = -1;
	z->count++;
	return 0;
}

/* Check 7: parse end->entries records from [cd_offset, records_start). */
static int read_central(struct hwb_zip *z, struct hwb_check_report *r,
			const struct end_info *end, int *usable,
			struct hwb_error *err)
{
	uint64_t region = end->records_start - end->cd_offset;
	uint8_t *cd = NULL;
	size_t pos = 0, cap = 0;
	int rc = -1;

	if (!(cd = malloc(region ? (size_t)region : 1)))
		return hwb_error_oom(err);
	if (region && hwb_wheel__pread(z->fd, cd, (size_t)region,
				       end->cd_offset)) {
		read_error(err, "central directory");
		goto cleanup;
	}
	while (z->count < end->entries) {
		size_t len;

		if (region - pos < CDH_LEN || hwb_le32(cd + pos) != CDH_SIG)
			break;
		len = CDH_LEN + (size_t)hwb_le16(cd + pos + 28) +
		      hwb_le16(cd + pos + 30) + hwb_le16(cd + pos + 32);
		if (region - pos < len)
			break;
		if (add_member(z, &cap))
			goto oom;
		if (hwb_zip__check_central(r, &z->members[z->count - 1],
					   &z->entries[z->count - 1], cd + pos,
					   len))
			goto oom;
		pos += len;
	}
	if (z->count != end->entries)
		*usable = 0, hwb_wheel__add(r, "HWB-W009", HWB_SEVERITY_ERROR, NULL,
			       "the end record counts %llu entries but the "
			       "central directory holds %zu readable records; "
			       "rebuild the wheel",
			       (unsigned long long)end->entries, z->count);
	else if (pos != region)
		hwb_wheel__add(r, "HWB-W009", HWB_SEVERITY_ERROR, NULL,
			       "%llu bytes lie between the last central-"
			       "directory record and the end records (a record "
			       "the count leaves out?); rebuild the wheel",
			       (unsigned long long)(region - pos));
	if (pos != end->cd_size)
		hwb_wheel__add(r, "HWB-W009", HWB_SEVERITY_ERROR, NULL,
			       "the end record gives the central directory "
			       "%llu bytes but its records take %zu (readers "
			       "that trust the size, like Python's zipfile, "
			       "see other files); rebuild the wheel",
			       (unsigned long long)end->cd_size, pos);
	rc = 0;
	goto cleanup;
oom:
	hwb_error_oom(err);
cleanup:
	free(cd);
	return rc;
}

char *hwb_wheel__fold_name(const char *name)
{
	size_t n = strlen(name), len = 0, i;
	uint8_t *folded;
	char *out;

	for (i = 0; i < n && !((unsigned char)name[i] & 0x80); i++)
		;
	if (i == n || !(folded = u8_casefold((const uint8_t *)name, n, NULL,
					     UNINORM_NFD, NULL, &len))) {
		/* ASCII, or not UTF-8 (reported by the name checks) */
		if (!(out = hwb_strdup(name)))
			return NULL;
		for (i = 0; i < n; i++)
			if (out[i] >= 'A' && out[i] <= 'Z')
				out[i] |= 0x20;
		return out;
	}
	out = malloc(len + 1);
	if (out) {
		memcpy(out, folded, len);
		out[len] = '\0';
	}
	free(folded);
	return out;
}

int hwb_wheel__ascii_only(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s & 0x80)
			return 0;
	return 1;
}

/* More bytes of uninterpreted extra fields than an archive needs. */
static int check_extra_total(const struct hwb_zip *z,
			     struct hwb_check_report *r)
{
	size_t i, total = 0;

	for (i = 0; i < z->count; i++)
		total += z->entries[i].extra_other;
	if (total <= HWB_ZIP_EXTRA_TOTAL_MAX)
		return 0;
	return hwb_wheel__add(r, "HWB-W102", HWB_SEVERITY_ERROR, NULL,
			      "the central directory carries %zu bytes of "
			      "extra fields hwb does not interpret (over %zu): "
			      "data outside what RECORD covers; rebuild the "
			      "wheel with a standard tool", total,
			      HWB_ZIP_EXTRA_TOTAL_MAX);
}

/*
 * Check 3: no name twice (the index then chains equal names for RECORD);
 * names equal after Unicode normalisation and full case folding collide on
 * macOS, Windows and any normalisation-insensitive file system, where an
 * installer overwrites one member with the other.
 */
static int check_duplicates(struct hwb_zip *z, struct hwb_check_report *r,
			    struct hwb_error *err)
{
	struct hwb_wheel_index folded = { NULL, 0, 0, 0 };
	char **keys = calloc(z->count ? z->count : 1, sizeof(*keys));
	size_t i;
	long first;

	if (!keys || hwb_wheel__index_init(&z->by_name, z->count, 0) ||
	    hwb_wheel__index_init(&folded, z->count, 0))
		goto oom;
	for (i = 0; i < z->count; i++) {
		const char *name = z->members[i].name;

		z->entries[i].same_next = -1;
		if ((first = hwb_wheel__index_put(&z->by_name, name, i)) >= 0) {
			z->entries[i].same_next = z->entries[first].same_next;
			z->entries[first].same_next = (long)i;
			if (hwb_wheel__add(r, "HWB-W005", HWB_SEVERITY_ERROR,
					   name,
					   "the name appears twice in the "
					   "central directory; installers keep "
					   "either copy; rebuild the wheel"))
				goto oom;
			continue;
		}
		if (!(keys[i] = hwb_wheel__fold_name(name)))
			goto oom;
		first = hwb_wheel__index_put(&folded, keys[i], i);
		if (first >= 0 &&
		    hwb_wheel__add(r, "HWB-W014", HWB_SEVERITY_ERROR, name,
				   "%s '%s': one overwrites the other on macOS, "
				   "Windows and normalisation-insensitive file "
				   "systems; rename one",
				   hwb_wheel__ascii_only(name) &&
					   hwb_wheel__ascii_only(z->members[first].name)
					   ? "differs only in case from"
					   : "is the same name after Unicode "
					     "normalisation and case folding as",
				   z->members[first].name))
			goto oom;
	}
	hwb_wheel__index_release(&folded);
	for (i = 0; i < z->count; i++)
		free(keys[i]);
	free(keys);
	return check_extra_total(z, r) ? hwb_error_oom(err) : 0;
oom:
	hwb_wheel__index_release(&folded);
	for (i = 0; keys && i < z->count; i++)
		free(keys[i]);
	free(keys);
	return hwb_error_oom(err);
}

/* Check 14 on the declared sizes, before anything is inflated. */
static int check_bomb(struct hwb_zip *z, const struct hwb_check_options *o,
		      struct hwb_check_report *r)
{
	uint64_t total = 0, ctotal = 0;
	size_t i;

	for (i = 0; i < z->count; i++) {
		const struct hwb_wheel_member *m = &z->members[i];

		if (z->entries[i].sizes_bad)
			continue;
		total = total + m->size < total ? UINT64_MAX : total + m->size;
		ctotal += m->compressed_size;
		if (m->size > o->max_member_size) {
			z->entries[i].fields_ok = 0;
			if (hwb_wheel__add(r, "HWB-W018", HWB_SEVERITY_ERROR,
					   m->name,
					   "declares %llu bytes inflated, over "
					   "the limit of %llu per member; raise "
					   "the limit if this file is real",
					   (unsigned long long)m->size,
					   (unsigned long long)o->max_member_size))
				return -1;
		} else if (m->size > HWB_ZIP_RATIO_FLOOR &&
			   m->size / o->max_ratio > m->compressed_size) {
			z->entries[i].fields_ok = 0;
			if (hwb_wheel__add(r, "HWB-W020", HWB_SEVERITY_ERROR,
					   m->name,
					   "inflates %llu bytes to %llu, over "
					   "the %llux ratio limit: a zip bomb",
					   (unsigned long long)m->compressed_size,
					   (unsigned long long)m->size,
					   (unsigned long long)o->max_ratio))
				return -1;
		}
	}
	z->total_size = total;
	if (total > o->max_total_size) {
		z->too_big = 1;
		return hwb_wheel__add(r, "HWB-W019", HWB_SEVERITY_ERROR, NULL,
				      "the members declare %llu bytes in all, "
				      "over the limit of %llu; nothing was "
				      "inflated",
				      (unsigned long long)total,
				      (unsigned long long)o->max_total_size);
	}
	if (total > HWB_ZIP_RATIO_FLOOR && total / o->max_ratio > ctotal) {
		z->too_big = 1;
		return hwb_wheel__add(r, "HWB-W020", HWB_SEVERITY_ERROR, NULL,
				      "%llu compressed bytes inflate to %llu, "
				      "over the %llux ratio limit: a zip bomb; "
				      "nothing was inflated",
				      (unsigned long long)ctotal,
				      (unsigned long long)total,
				      (unsigned long long)o->max_ratio);
	}
	return 0;
}

static int read_zip(struct hwb_zip *z, const struct hwb_check_options *opts,
		    struct hwb_check_report *r, struct hwb_error *err)
{
	struct end_info end;
	int ok, usable = 1;

	if (read_end(z, r, &end, &ok, err))
		return -1;
	if (!ok)
		return 0;
	if (end.cd_offset > end.records_start) {
		return hwb_wheel__add(r, "HWB-W009", HWB_SEVERITY_ERROR, NULL,
				      "the end record puts the central "
				      "directory at offset %llu, past the end "
				      "records at %llu (data prepended without "
				      "fixing offsets?); rebuild the wheel",
				      (unsigned long long)end.cd_offset,
				      (unsigned long long)end.records_start);
	}
	if (end.entries > HWB_ZIP_MAX_MEMBERS)
		return hwb_wheel__add(r, "HWB-W009", HWB_SEVERITY_ERROR, NULL,
				      "the end record counts %llu entries, over "
				      "hwb's limit of %d",
				      (unsigned long long)end.entries,
				      HWB_ZIP_MAX_MEMBERS);
	if (end.records_start - end.cd_offset > HWB_ZIP_MAX_CD_SIZE)
		return hwb_wheel__add(r, "HWB-W009", HWB_SEVERITY_ERROR, NULL,
				      "the central directory spans %llu bytes, "
				      "over hwb's limit of %llu",
				      (unsigned long long)(end.records_start -
							   end.cd_offset),
				      (unsigned long long)HWB_ZIP_MAX_CD_SIZE);
	z->cd_offset = end.cd_offset;
	z->records_start = end.records_start;
	if (read_central(z, r, &end, &usable, err) ||
	    check_duplicates(z, r, err) || check_bomb(z, opts, r))
		return -1;
	z->cd_ok = usable;
	return 0;
}

int hwb_zip__read(struct hwb_zip *z, int fd, uint64_t file_size,
		  const struct hwb_check_options *opts,
		  struct hwb_check_report *r, struct hwb_error *err)
{
	z->fd = fd;
	z->file_size = file_size;
	if (!read_zip(z, opts, r, err))
		return 0;
	/* A failed hwb_wheel__add() leaves err empty: it ran out of memory. */
	if (err->kind == HWB_KIND_NONE)
		hwb_error_oom(err);
	return -1;
}

void hwb_zip__release(struct hwb_zip *z)
{
	size_t i;

	for (i = 0; i < z->count; i++) {
		free((char *)z->members[i].name);
		free(z->entries[i].alt_digest);
	}
	free(z->members);
	free(z->entries);
	hwb_wheel__index_release(&z->by_name);
	z->members = NULL;
	z->entries = NULL;
	z->count = 0;
	z->cd_ok = 0;
}
