/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip_local.c: local headers against the central directory (checks 4-6:
 * the name confusion of CVE-2025-54368 lives here), and the walk over the
 * whole file in offset order (checks 1, 13): nothing before the first local
 * header, nothing between members, no overlapping data.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/wheel/internal.h"

#define LFH_SIG 0x04034b50u
#define LFH_LEN 30
#define DD_SIG 0x08074b50u
/* Flag bits that change how a reader decodes an entry. */
#define FLAGS_THAT_MATTER 0x2869u
#define FLAG_DESCRIPTOR 0x0008u

#define ERR HWB_SEVERITY_ERROR

/* Flag bit 3: the sizes follow the data; check them against the CD. */
static int check_descriptor(struct hwb_zip *z, size_t i,
			    struct hwb_check_report *r)
{
	struct hwb_wheel_member *m = &z->members[i];
	struct hwb_zip_entry *e = &z->entries[i];
	int wide = m->size >= 0xffffffffu || m->compressed_size >= 0xffffffffu;
	uint8_t dd[24];
	size_t len = wide ? 20 : 12, skip = 0;
	uint64_t csize, size;

	if (e->data_end > z->cd_offset || z->cd_offset - e->data_end < len ||
	    hwb_wheel__pread(z->fd, dd, len + 4 <= z->cd_offset - e->data_end ?
			     len + 4 : len, e->data_end))
		goto bad;
	if (hwb_le32(dd) == DD_SIG && len + 4 <= z->cd_offset - e->data_end)
		skip = 4;
	csize = wide ? hwb_le64(dd + skip + 4) : hwb_le32(dd + skip + 4);
	size = wide ? hwb_le64(dd + skip + 12) : hwb_le32(dd + skip + 8);
	if (hwb_le32(dd + skip) != m->crc32 || csize != m->compressed_size ||
	    size != m->size)
		goto bad;
	e->data_end += skip + len;
	return 0;
bad:
	return hwb_wheel__add(r, "HWB-W007", ERR, m->name,
			      "the data descriptor after the data does not "
			      "repeat the central directory's CRC-32 and "
			      "sizes; rebuild the wheel") ? -1 : 1;
}

/* Checks 4, 5: the local header says what the central record says. */
static int compare_headers(struct hwb_zip *z, size_t i,
			   struct hwb_check_report *r, const uint8_t *hdr,
			   const struct hwb_zip_fields *f)
{
	struct hwb_wheel_member *m = &z->members[i];
	struct hwb_zip_entry *e = &z->entries[i];
	uint16_t flags = hwb_le16(hdr + 6), method = hwb_le16(hdr + 8);
	const char *what = NULL;

	if ((flags ^ e->flags) & FLAGS_THAT_MATTER)
		what = "flags";
	else if (method != m->method)
		what = "compression method";
	else if (!(flags & FLAG_DESCRIPTOR) && hwb_le32(hdr + 14) != m->crc32)
		what = "CRC-32";
	else if (!(flags & FLAG_DESCRIPTOR) &&
		 (f->size != m->size || f->csize != m->compressed_size))
		what = "sizes";
	if (!what)
		return 0;
	return hwb_wheel__add(r, "HWB-W007", ERR, m->name,
			      "the local header and the central directory "
			      "disagree on the %s; readers that stream the "
			      "zip see other data; rebuild the wheel",
			      what) ? -1 : 1;
}

int hwb_zip__check_local(struct hwb_zip *z, size_t i,
			 struct hwb_check_report *r, const uint8_t *hdr,
			 size_t hdr_len)
{
	struct hwb_wheel_member *m = &z->members[i];
	struct hwb_zip_entry *e = &z->entries[i];
	struct hwb_zip_fields f = { 0 };
	size_t nlen, elen;
	int rc;

	e->local_state = -1;
	if (hdr_len < LFH_LEN || hwb_le32(hdr) != LFH_SIG)
		return hwb_wheel__add(r, "HWB-W006", ERR, m->name,
				      "no local header at offset %llu where "
				      "the central directory points; rebuild "
				      "the wheel",
				      (unsigned long long)e->local_offset);
	nlen = hwb_le16(hdr + 26);
	elen = hwb_le16(hdr + 28);
	if (hdr_len < LFH_LEN + nlen + elen)
		return hwb_wheel__add(r, "HWB-W006", ERR, m->name,
				      "the local header runs past the end of "
				      "the file; download or build it again");
	if (nlen != e->name_raw_len || memcmp(hdr + LFH_LEN, m->name, nlen))
		return hwb_wheel__add(r, "HWB-W006", ERR, m->name,
				      "the local header names '%.*s': readers "
				      "that stream the zip (CVE-2025-54368) "
				      "install another file; rebuild the wheel",
				      (int)(nlen > 200 ? 200 : nlen),
				      (const char *)hdr + LFH_LEN);
	/* Sizes the central record could not give: nothing to compare. */
	if (e->sizes_bad)
		return 0;
	f.size = hwb_le32(hdr + 22);
	f.csize = hwb_le32(hdr + 18);
	if (hwb_zip__check_extra(r, m->name, hdr + LFH_LEN + nlen, elen, 1,
				 hdr + LFH_LEN, nlen, &f))
		return -1;
	if (f.bad)
		return 0;
	if ((rc = compare_headers(z, i, r, hdr, &f)))
		return rc < 0 ? -1 : 0;
	e->data_offset = e->local_offset + LFH_LEN + nlen + elen;
	e->data_end = e->data_offset + m->compressed_size;
	if (e->data_end < e->data_offset || e->data_end > z->cd_offset)
		return hwb_wheel__add(r, "HWB-W017", ERR, m->name,
				      "the entry's data runs into the central "
				      "directory (or past the end of the file); "
				      "rebuild the wheel");
	if ((e->flags & FLAG_DESCRIPTOR) &&
	    (rc = check_descriptor(z, i, r)))
		return rc < 0 ? -1 : 0;
	e->local_state = 1;
	return 0;
}

int hwb_zip__load_local(struct hwb_zip *z, size_t i,
			struct hwb_check_report *r, struct hwb_error *err)
{
	uint64_t off = z->entries[i].local_offset;
	uint8_t fixed[LFH_LEN] = { 0 }, *hdr = NULL;
	size_t len;
	int rc = -1;

	if (z->entries[i].local_state)
		return 0;
	if (off >= z->file_size || z->file_size - off < LFH_LEN)
		return hwb_zip__check_local(z, i, r, fixed, 0);
	if (hwb_wheel__pread(z->fd, fixed, LFH_LEN, off))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-W029",
				       "cannot read a local header");
	if (hwb_le32(fixed) != LFH_SIG)
		return hwb_zip__check_local(z, i, r, fixed, LFH_LEN);
	len = LFH_LEN + (size_t)hwb_le16(fixed + 26) + hwb_le16(fixed + 28);
	if (len > z->file_size - off)
		len = (size_t)(z->file_size - off);
	if (!(hdr = malloc(len)))
		return hwb_error_oom(err);
	if (hwb_wheel__pread(z->fd, hdr, len, off)) {
		hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-W029",
				"cannot read a local header");
		goto cleanup;
	}
	if (hwb_zip__check_local(z, i, r, hdr, len)) {
		hwb_error_oom(err);
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(hdr);
	return rc;
}

static int compare_offsets(const void *pa, const void *pb, void *arg)
{
	const struct hwb_zip_entry *e = arg;
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	if (e[a].local_offset != e[b].local_offset)
		return e[a].local_offset < e[b].local_offset ? -1 : 1;
	return (a > b) - (a < b);
}

/* Unaccounted bytes [from, to): prepended data, or something hidden. */
static int report_gap(struct hwb_zip *z, struct hwb_check_report *r,
		      uint64_t from, uint64_t to)
{
	uint8_t sig[4];
	int header = to - from >= 4 &&
		     !hwb_wheel__pread(z->fd, sig, 4, from) &&
		     hwb_le32(sig) == LFH_SIG;

	if (!from)
		return hwb_wheel__add(r, "HWB-W002", ERR, NULL,
				      "%llu bytes come before the first local "
				      "header (a stub or another archive "
				      "prepended); rebuild the wheel",
				      (unsigned long long)to);
	return hwb_wheel__add(r, "HWB-W003", ERR, NULL,
			      "%llu bytes at offset %llu belong to no member%s; "
			      "rebuild the wheel",
			      (unsigned long long)(to - from),
			      (unsigned long long)from,
			      header ? " (a local header the central directory "
				       "does not list)" : "");
}

int hwb_zip__check_layout(struct hwb_zip *z, struct hwb_check_report *r)
{
	size_t *order, n = 0, i, unusable = 0;
	uint64_t pos = 0;
	const char *prev = NULL;
	int rc = -1;

	if (!(order = malloc((z->count ? z->count : 1) * sizeof(*order))))
		return -1;
	for (i = 0; i < z->count; i++) {
		if (z->entries[i].local_state == 1)
			order[n++] = i;
		else
			unusable++;
	}
	qsort_r(order, n, sizeof(*order), compare_offsets, z->entries);
	for (i = 0; i < n; i++) {
		const struct hwb_zip_entry *e = &z->entries[order[i]];
		const char *name = z->members[order[i]].name;

		/* Gaps next to an unreadable entry are that entry's bytes. */
		if (e->local_offset > pos && !unusable &&
		    report_gap(z, r, pos, e->local_offset))
			goto cleanup;
		if (e->local_offset < pos &&
		    hwb_wheel__add(r, "HWB-W017", ERR, name,
				   "the entry starts inside the data of '%s': "
				   "overlapping entries (a zip bomb or hidden "
				   "data); rebuild the wheel", prev))
			goto cleanup;
		if (e->data_end > pos) {
			pos = e->data_end;
			prev = name;
		}
	}
	if (pos < z->cd_offset && !unusable &&
	    report_gap(z, r, pos, z->cd_offset))
		goto cleanup;
	rc = 0;
cleanup:
	free(order);
	return rc;
}
