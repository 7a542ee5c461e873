/* SPDX-License-Identifier: Apache-2.0 */
/*
 * zip_entry.c: the checks on one central-directory record: its name (UTF-8,
 * control characters, path safety), extra fields and ZIP64 values, comment,
 * method and flags, and the file type in its external attributes
 * (README.md, hwb check). The extra-field parser also serves the local
 * headers (zip_local.c).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pkg/wheel/internal.h"

#define ZIP64_EXTRA 0x0001
#define UNICODE_PATH_EXTRA 0x7075
#define SENTINEL32 0xffffffffu
#define SENTINEL16 0xffffu

#define FLAG_ENCRYPTED 0x0001u
#define FLAG_DESCRIPTOR 0x0008u
#define FLAG_PATCHED 0x0020u
#define FLAG_STRONG 0x0040u
#define FLAG_UTF8 0x0800u
#define FLAG_CD_MASKED 0x2000u

#define ERR HWB_SEVERITY_ERROR

/* Read the ZIP64 values that stand behind sentinel header fields. */
static int zip64_values(struct hwb_check_report *r, const char *member,
			const uint8_t *d, size_t len, int local,
			struct hwb_zip_fields *f)
{
	size_t need = 0, pos = 0;

	if (local) {
		/* APPNOTE 4.5.3: a local ZIP64 field holds both sizes. */
		if (f->size != SENTINEL32 && f->csize != SENTINEL32)
			return 0;
		if (len < 16)
			goto short_field;
		f->size = hwb_le64(d);
		f->csize = hwb_le64(d + 8);
		return 0;
	}
	need = (f->size == SENTINEL32) * 8 + (f->csize == SENTINEL32) * 8 +
	       (f->offset == SENTINEL32) * 8 + (f->disk == SENTINEL16) * 4;
	if (len < need)
		goto short_field;
	if (len > need)
		return f->bad = 1, hwb_wheel__add(r, "HWB-W010", ERR, member,
				      "the ZIP64 extra field holds %zu bytes, "
				      "but only %zu stand behind 0xFFFF... "
				      "header fields; readers disagree on its "
				      "values; rebuild the wheel", len, need);
	if (f->size == SENTINEL32)
		f->size = hwb_le64(d + pos), pos += 8;
	if (f->csize == SENTINEL32)
		f->csize = hwb_le64(d + pos), pos += 8;
	if (f->offset == SENTINEL32)
		f->offset = hwb_le64(d + pos), pos += 8;
	if (f->disk == SENTINEL16)
		f->disk = hwb_le32(d + pos);
	return 0;
short_field:
	f->bad = 1;
	return hwb_wheel__add(r, "HWB-W010", ERR, member,
			      "a 0xFFFF... header field has no 64-bit value "
			      "in the ZIP64 extra field; rebuild the wheel");
}

/* The Unicode Path field must name what the header names (check 9). */
static int unicode_path(struct hwb_check_report *r, const char *member,
			const uint8_t *d, size_t len, const uint8_t *name,
			size_t nlen)
{
	if (len >= 5 && d[0] == 1 && len - 5 == nlen &&
	    !memcmp(d + 5, name, nlen))
		return 0;
	return hwb_wheel__add(r, "HWB-W011", ERR, member,
			      "a Unicode Path extra field (0x7075) gives "
			      "another name than the header; some tools "
			      "extract under that name; remove the field");
}

int hwb_zip__check_extra(struct hwb_check_report *r, const char *member,
			 const uint8_t *extra, size_t len, int local,
			 const uint8_t *name, size_t nlen,
			 struct hwb_zip_fields *f)
{
	size_t pos = 0;
	int zip64 = 0, upath = 0, rc = 0;

	while (pos < len && !rc) {
		uint16_t id, sz;

		if (len - pos < 4 ||
		    (sz = hwb_le16(extra + pos + 2)) > len - pos - 4) {
			f->bad = 1;
			return hwb_wheel__add(r, "HWB-W011", ERR, member,
					      "the %s extra field is not a valid "
					      "list of (type, length) records; "
					      "rebuild the wheel",
					      local ? "local" : "central");
		}
		id = hwb_le16(extra + pos);
		if ((id == ZIP64_EXTRA && zip64++) ||
		    (id == UNICODE_PATH_EXTRA && upath++)) {
			f->bad = 1;
			return hwb_wheel__add(r, "HWB-W011", ERR, member,
					      "the extra field 0x%04x appears "
					      "twice; readers disagree on which "
					      "counts; rebuild the wheel", id);
		}
		if (id == ZIP64_EXTRA)
			rc = zip64_values(r, member, extra + pos + 4, sz, local,
					  f);
		else if (id == UNICODE_PATH_EXTRA)
			rc = unicode_path(r, member, extra + pos + 4, sz, name,
					  nlen);
		else
			f->other += 4 + (size_t)sz;
		pos += 4 + (size_t)sz;
	}
	if (rc)
		return rc;
	/* 64 KiB of bytes no check and no RECORD digest covers. */
	if (f->other > HWB_ZIP_EXTRA_WARN &&
	    hwb_wheel__add(r, "HWB-W102", f->other > HWB_ZIP_EXTRA_MAX
			   ? ERR : HWB_SEVERITY_WARNING, member,
			   "the %s header carries %zu bytes of extra fields "
			   "hwb does not interpret (over %d is a warning, over "
			   "%d an error): data outside what RECORD covers; "
			   "rebuild the wheel with a standard tool",
			   local ? "local" : "central", f->other,
			   HWB_ZIP_EXTRA_WARN, HWB_ZIP_EXTRA_MAX))
		return -1;
	if (!zip64 && (f->size == SENTINEL32 || f->csize == SENTINEL32 ||
		       (!local && (f->offset == SENTINEL32 ||
				   f->disk == SENTINEL16)))) {
		f->bad = 1;
		return hwb_wheel__add(r, "HWB-W010", ERR, member,
				      "a 0xFFFF... header field has no ZIP64 "
				      "extra field behind it; rebuild the "
				      "wheel");
	}
	return 0;
}

/* Check 10; returns 1 when the name is usable as a path. */
static int check_name(struct hwb_check_report *r, const struct hwb_wheel_member *m,
		      const uint8_t *name, size_t nlen, uint16_t flags,
		      int *rc)
{
	size_t i;

	if (!nlen)
		return (*rc = hwb_wheel__add(r, "HWB-W012", ERR, NULL,
					     "an entry has an empty name; "
					     "rebuild the wheel")), 0;
	for (i = 0; i < nlen; i++)
		if (name[i] < 0x20 || name[i] == 0x7f)
			return (*rc = hwb_wheel__add(
					r, "HWB-W012", ERR, m->name,
					"the name holds control character "
					"0x%02x; rename the file", name[i])), 0;
	if (!hwb_wheel__utf8_valid((const char *)name, nlen))
		return (*rc = hwb_wheel__add(r, "HWB-W012", ERR, m->name,
					     "the name is not valid UTF-8; "
					     "rename the file")), 0;
	for (i = 0; i < nlen; i++)
		if (name[i] >= 0x80 && !(flags & FLAG_UTF8))
			return (*rc = hwb_wheel__add(
					r, "HWB-W012", ERR, m->name,
					"the name is not ASCII and lacks the "
					"UTF-8 flag (bit 11): tools that "
					"follow the spec read it as CP437, "
					"another name; rebuild the wheel")), 0;
	return 1;
}

static const char *path_code(enum hwb_path_problem p)
{
	return p == HWB_PATH_ABSOLUTE ? "HWB-W021" :
	       p == HWB_PATH_DOTDOT ? "HWB-W022" : "HWB-W023";
}

/* Check 16: what the Unix mode in the external attributes says. */
static int check_mode(struct hwb_check_report *r, const struct hwb_wheel_member *m)
{
	unsigned type = (m->external_attr >> 16) & S_IFMT,
		 mode = m->external_attr >> 16;

	/* Only a Unix "made by" gives the high half a meaning. */
	if ((m->made_by >> 8) == 3 && (mode & 07000) &&
	    hwb_wheel__add(r, "HWB-W100", ERR, m->name,
			   "the mode %06o has the setuid, setgid or sticky bit; "
			   "an installer that keeps modes makes a setuid "
			   "program; store it 0644 or 0755", mode))
		return -1;
	if ((m->made_by >> 8) == 3 && (mode & 0002) && type != S_IFLNK &&
	    hwb_wheel__add(r, "HWB-W101", HWB_SEVERITY_WARNING, m->name,
			   "the mode %06o is world-writable: anyone on the "
			   "machine may change the installed file; store it "
			   "0644 or 0755", mode))
		return -1;

	if (type == S_IFLNK)
		return hwb_wheel__add(r, "HWB-W024", ERR, m->name,
				      "the entry is a symbolic link (mode "
				      "%06o); installers that honour it write "
				      "outside the package; store the file "
				      "itself", m->external_attr >> 16);
	if (type == S_IFCHR || type == S_IFBLK || type == S_IFIFO ||
	    type == S_IFSOCK || (type == S_IFDIR && !m->is_dir))
		return hwb_wheel__add(r, "HWB-W025", ERR, m->name,
				      "the entry's mode %06o is not a regular "
				      "file (device, FIFO, socket, or a "
				      "directory without a trailing '/'); "
				      "store regular files only",
				      m->external_attr >> 16);
	return 0;
}

/* Checks 11, 12 on flags, method and comment. */
static int check_flags(struct hwb_check_report *r, struct hwb_wheel_member *m,
		       struct hwb_zip_entry *e, size_t clen)
{
	if (clen && hwb_wheel__add(r, "HWB-W013", ERR, m->name,
				   "the entry has a comment (%zu bytes), a "
				   "place to hide data; remove it", clen))
		return -1;
	if (m->method != 0 && m->method != 8) {
		e->fields_ok = 0;
		if (hwb_wheel__add(r, "HWB-W015", ERR, m->name,
				   "compression method %u; wheels use stored "
				   "(0) or deflate (8) only", m->method))
			return -1;
	}
	if (e->flags & (FLAG_ENCRYPTED | FLAG_STRONG | FLAG_CD_MASKED |
			FLAG_PATCHED)) {
		e->fields_ok = 0;
		if (hwb_wheel__add(r, "HWB-W016", ERR, m->name,
				   "the entry is flagged %s (flags 0x%04x); "
				   "wheels hold plain data; rebuild the wheel",
				   (e->flags & FLAG_PATCHED) &&
				   !(e->flags & (FLAG_ENCRYPTED | FLAG_STRONG |
						 FLAG_CD_MASKED)) ?
				   "as patched data" : "encrypted", e->flags))
			return -1;
	}
	if ((e->flags & FLAG_DESCRIPTOR) &&
	    hwb_wheel__add(r, "HWB-W008", ERR, m->name,
			   "the entry uses a data descriptor (flag bit 3): "
			   "its local header has no sizes, which PyPI "
			   "rejects; rebuild with a tool that seeks"))
		return -1;
	return 0;
}

static int check_sizes(struct hwb_check_report *r, struct hwb_wheel_member *m,
		       struct hwb_zip_entry *e)
{
	if (m->method == 0 && m->size != m->compressed_size) {
		e->fields_ok = 0;
		return hwb_wheel__add(r, "HWB-W027", ERR, m->name,
				      "a stored entry with %llu bytes "
				      "compressed but %llu inflated; rebuild "
				      "the wheel",
				      (unsigned long long)m->compressed_size,
				      (unsigned long long)m->size);
	}
	if (m->is_dir && m->size) {
		e->fields_ok = 0;
		return hwb_wheel__add(r, "HWB-W027", ERR, m->name,
				      "a directory entry declares %llu bytes "
				      "of data; directories hold none",
				      (unsigned long long)m->size);
	}
	return 0;
}

int hwb_zip__check_central(struct hwb_check_report *r,
			   struct hwb_wheel_member *m, struct hwb_zip_entry *e,
			   const uint8_t *raw, size_t raw_len)
{
	size_t nlen = hwb_le16(raw + 28), elen = hwb_le16(raw + 30),
	       clen = hwb_le16(raw + 32);
	const uint8_t *name = raw + 46, *extra = name + nlen;
	struct hwb_zip_fields f = { hwb_le32(raw + 24), hwb_le32(raw + 20),
				    hwb_le32(raw + 42), hwb_le16(raw + 34), 0, 0 };
	enum hwb_path_problem pp;
	char *copy;
	int rc = 0;

	(void)raw_len;
	if (!(copy = malloc(nlen + 1)))
		return -1;
	memcpy(copy, name, nlen);
	copy[nlen] = '\0';
	m->name = copy;
	m->name_len = strlen(copy);
	m->made_by = hwb_le16(raw + 4);
	m->method = hwb_le16(raw + 10);
	m->crc32 = hwb_le32(raw + 16);
	m->external_attr = hwb_le32(raw + 38);
	m->is_dir = nlen && name[nlen - 1] == '/';
	e->flags = hwb_le16(raw + 8);
	e->name_raw_len = (uint16_t)nlen;
	e->fields_ok = 1;
	if (hwb_zip__check_extra(r, m->name, extra, elen, 0, name, nlen, &f))
		return -1;
	if (f.bad)
		e->fields_ok = 0, e->sizes_bad = 1;
	e->extra_other = f.other;
	m->size = f.size;
	m->compressed_size = f.csize;
	e->local_offset = f.offset;
	if (f.disk && !f.bad &&
	    hwb_wheel__add(r, "HWB-W009", ERR, m->name,
			   "the entry starts on disk %u of a multi-disk "
			   "archive; rebuild the wheel as one file", f.disk))
		return -1;
	if (check_name(r, m, name, nlen, e->flags, &rc)) {
		pp = hwb_wheel__path_problem(m->name, m->name_len, m->is_dir);
		m->path_ok = pp == HWB_PATH_OK;
		if (pp && hwb_wheel__add(r, path_code(pp), ERR, m->name,
					 "the path %s; store it under a "
					 "relative path inside the package",
					 hwb_wheel__path_problem_text(pp)))
			return -1;
	}
	if (rc || check_mode(r, m) || check_flags(r, m, e, clen) ||
	    check_sizes(r, m, e))
		return -1;
	return 0;
}
