/* SPDX-License-Identifier: Apache-2.0 */
/*
 * record.c: the wheel's RECORD: a strict CSV reader (Python's csv module,
 * excel dialect, without its leniency), the rules on each row, the link
 * between rows and archive members, and after the inflate pass the
 * comparison of every digest and size.
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/core/buf.h"
#include "pkg/core/encode.h"
#include "pkg/core/hash.h"
#include "pkg/wheel/internal.h"

#define ERR HWB_SEVERITY_ERROR

/* A CSV cursor over RECORD's bytes. */
struct csv {
	const char *p, *end;
	unsigned line;
};

/* One field into f; returns 1 at end of row, 0 at ',', -1 on bad CSV. */
static int csv_field(struct csv *c, struct hwb_buf *f)
{
	hwb_buf_clear(f);
	if (c->p < c->end && *c->p == '"') {
		for (c->p++;; c->p++) {
			if (c->p == c->end)
				return -1;
			if (*c->p == '"') {
				if (c->p + 1 < c->end && c->p[1] == '"') {
					hwb_buf_putc(f, '"');
					c->p++;
					continue;
				}
				c->p++;
				break;
			}
			if (*c->p == '\n')
				c->line++;
			hwb_buf_putc(f, *c->p);
		}
	} else {
		const char *start = c->p;

		while (c->p < c->end && *c->p != ',' && *c->p != '\n' &&
		       *c->p != '\r') {
			if (*c->p == '"')
				return -1;
			c->p++;
		}
		hwb_buf_put(f, start, (size_t)(c->p - start));
	}
	if (c->p == c->end)
		return 1;
	if (*c->p == ',') {
		c->p++;
		return 0;
	}
	if (*c->p == '\r' && c->p + 1 < c->end && c->p[1] == '\n')
		c->p++;
	if (*c->p != '\n')
		return -1;
	c->p++;
	c->line++;
	return 1;
}

static int bad_csv(struct hwb_check_report *r, const char *record,
		   unsigned line, const char *what)
{
	return hwb_wheel__add(r, "HWB-W032", ERR, record,
			      "line %u: %s; RECORD is CSV with three fields "
			      "per row (path,hash,size); rebuild the wheel",
			      line, what);
}

static int add_row(struct hwb_record *rec, size_t *cap, const char *path)
{
	struct hwb_record_row *row;
	char *copy = hwb_strdup(path);

	if (!copy)
		return -1;
	if (rec->count == *cap) {
		size_t n = *cap ? *cap * 2 : 256;
		void *p = realloc(rec->rows, n * sizeof(*rec->rows));

		if (!p) {
			free(copy);
			return -1;
		}
		rec->rows = p;
		*cap = n;
	}
	row = &rec->rows[rec->count++];
	memset(row, 0, sizeof(*row));
	row->path = copy;
	row->hash_alg = -1;
	row->size = -1;
	row->member = -1;
	return 0;
}

/* raw: a buffer the caller reuses for every row (decoding allocates). */
static int check_hash(struct hwb_record_row *row, const char *hash,
		      struct hwb_buf *raw, struct hwb_check_report *r,
		      const char *record, unsigned line)
{
	static const struct { const char *name; enum hwb_hash_alg alg; }
	algs[] = { { "sha256", HWB_HASH_SHA256 }, { "sha384", HWB_HASH_SHA384 },
		   { "sha512", HWB_HASH_SHA512 } };
	struct hwb_error ignored = HWB_ERROR_INIT;
	const char *eq = strchr(hash, '='), *digest;
	size_t i, dlen, want;
	int hex;

	if (!eq)
		return hwb_wheel__add(r, "HWB-W037", ERR, row->path,
				      "%s line %u: the hash '%s' is not "
				      "ALGORITHM=DIGEST; write sha256=<urlsafe "
				      "base64 without padding>", record, line,
				      hash);
	for (i = 0; i < sizeof(algs) / sizeof(algs[0]); i++)
		if (strlen(algs[i].name) == (size_t)(eq - hash) &&
		    !strncmp(hash, algs[i].name, (size_t)(eq - hash)))
			break;
	if (i == sizeof(algs) / sizeof(algs[0]))
		return hwb_wheel__add(r, "HWB-W037", ERR, row->path,
				      "%s line %u: hash algorithm '%.*s' is "
				      "%s; use sha256 (or sha384, sha512)",
				      record, line, (int)(eq - hash), hash,
				      (!strncmp(hash, "md5=", 4) ||
				       !strncmp(hash, "sha1=", 5)) ?
				      "banned by the wheel specification" :
				      "not one hwb verifies");
	digest = eq + 1;
	dlen = strlen(digest);
	want = hwb_hash_size(algs[i].alg);
	hwb_buf_clear(raw);
	if (hwb_base64_decode(raw, digest, dlen, HWB_B64_URL | HWB_B64_NOPAD,
			      &ignored) || raw->len != want) {
		hex = strspn(digest, "0123456789abcdefABCDEF") == dlen;
		return hwb_wheel__add(r, "HWB-W037", ERR, row->path,
				    "%s line %u: the digest is %s; write the "
				    "%zu-byte digest as URL-safe base64 without "
				    "'=' padding", record, line,
				    hex && dlen == 2 * want ? "hexadecimal" :
				    strchr(digest, '=') ? "padded with '='" :
				    "not URL-safe base64 of the right length",
				    want);
	}
	row->hash_alg = (int)algs[i].alg;
	memcpy(row->digest, raw->ptr, want);
	row->digest_len = want;
	return 0;
}

/* A size field: base-10 digits that fit 63 bits. */
static int parse_size(const char *s, int64_t *out)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (uint64_t)INT64_MAX / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > (uint64_t)INT64_MAX)
			return -1;
	}
	*out = (int64_t)v;
	return 0;
}

static int is_signature(const char *path, const char *dist_info)
{
	size_t n = strlen(dist_info);

	return !strncmp(path, dist_info, n) && path[n] == '/' &&
	       (!strcmp(path + n + 1, "RECORD.jws") ||
		!strcmp(path + n + 1, "RECORD.p7s"));
}

/* Checks 18-20 on one row's own fields. */
static int check_row(struct hwb_record_row *row, const char *hash,
		     const char *size, struct hwb_buf *raw, const char *record,
		     const char *dist_info, unsigned line,
		     struct hwb_check_report *r)
{
	enum hwb_path_problem pp;

	pp = hwb_wheel__path_problem(row->path, strlen(row->path), 0);
	if (pp)
		return hwb_wheel__add(r, "HWB-W036", ERR, row->path,
				      "%s line %u: the path %s; an uninstaller "
				      "trusting RECORD deletes outside the "
				      "package (GHSA-pjjw-68hj-v9mw); list "
				      "members by their archive names", record,
				      line, hwb_wheel__path_problem_text(pp));
	if (!strcmp(row->path, record))
		return (*hash || *size) ?
		       hwb_wheel__add(r, "HWB-W038", ERR, row->path,
				      "RECORD's own row must leave hash and "
				      "size empty ('%s,,'); it cannot hash "
				      "itself", record) : 0;
	if (is_signature(row->path, dist_info))
		return hwb_wheel__add(r, "HWB-W038", ERR, row->path,
				      "%s line %u: signature files are not "
				      "listed in RECORD; remove the row",
				      record, line);
	if (!*hash)
		return hwb_wheel__add(r, "HWB-W037", ERR, row->path,
				      "%s line %u: the row has no hash; every "
				      "file but RECORD needs sha256=...",
				      record, line);
	if (check_hash(row, hash, raw, r, record, line))
		return -1;
	if (parse_size(size, &row->size))
		return hwb_wheel__add(r, "HWB-W037", ERR, row->path,
				      "%s line %u: the size '%s' is not a "
				      "base-10 byte count; write the file's "
				      "size", record, line, size);
	return 0;
}

static int parse_rows(struct hwb_record *rec, const char *text, size_t len,
		      const char *record, const char *dist_info,
		      struct hwb_check_report *r)
{
	struct csv c = { text, text + len, 1 };
	/* The three fields, a fourth for extra ones, the decoded digest. */
	struct hwb_buf f[5] = { HWB_BUF_INIT, HWB_BUF_INIT, HWB_BUF_INIT,
				HWB_BUF_INIT, HWB_BUF_INIT };
	size_t cap = 0, n, k;
	unsigned line;
	int end, rc = -1;

	while (c.p < c.end) {
		if (*c.p == '\n' || (*c.p == '\r' && c.p + 1 < c.end &&
				     c.p[1] == '\n')) {
			c.p += *c.p == '\r' ? 2 : 1;
			c.line++;
			continue;
		}
		line = c.line;
		for (n = 0, end = 0; !end; n++)
			if ((end = csv_field(&c, &f[n < 3 ? n : 3])) < 0) {
				rc = bad_csv(r, record, line, "a quote or line "
					     "ending breaks the CSV");
				goto unusable;
			}
		if (n != 3) {
			rc = bad_csv(r, record, line, n < 3 ? "too few fields" :
				     "too many fields");
			goto unusable;
		}
		for (k = 0; k < 3; k++)
			if (f[k].oom)
				goto cleanup;
		if (add_row(rec, &cap, f[0].ptr) ||
		    check_row(&rec->rows[rec->count - 1], f[1].ptr, f[2].ptr,
			      &f[4], record, dist_info, line, r))
			goto cleanup;
	}
	rec->usable = 1;
	rc = 0;
	goto cleanup;
unusable:
	rc = rc ? -1 : 0;
cleanup:
	for (k = 0; k < 5; k++)
		hwb_buf_release(&f[k]);
	return rc;
}

/* Check 18: rows and members, both ways; no row twice. */
static int link_rows(struct hwb_record *rec, struct hwb_zip *z,
		     const char *dist_info, struct hwb_check_report *r)
{
	struct hwb_wheel_index rows = { NULL, 0, 0, 0 };
	size_t i;
	long m;
	int rc = -1;

	if (hwb_wheel__index_init(&rows, rec->count, 0))
		return -1;
	for (i = 0; i < rec->count; i++) {
		struct hwb_record_row *row = &rec->rows[i];

		if (hwb_wheel__index_put(&rows, row->path, i) >= 0) {
			if (hwb_wheel__add(r, "HWB-W035", ERR, row->path,
					   "RECORD lists the path twice; keep "
					   "one row"))
				goto cleanup;
			continue;
		}
		if (hwb_wheel__path_problem(row->path, strlen(row->path), 0))
			continue;
		if ((m = hwb_wheel__index_get(&z->by_name, row->path)) < 0) {
			if (!is_signature(row->path, dist_info) &&
			    hwb_wheel__add(r, "HWB-W034", ERR, row->path,
					   "RECORD lists a file the archive "
					   "does not hold; rebuild the wheel"))
				goto cleanup;
			continue;
		}
		/* Every member of that name (W005 when several) is checked. */
		row->member = (int)m;
		for (; m >= 0; m = z->entries[m].same_next)
			z->entries[m].record_row = (int)i;
	}
	for (i = 0; i < z->count; i++) {
		const struct hwb_wheel_member *mb = &z->members[i];

		/* An unsafe or unreadable name was reported by its rule. */
		if (z->entries[i].record_row >= 0 || mb->is_dir ||
		    !mb->path_ok || (int)i == rec->self_member ||
		    is_signature(mb->name, dist_info))
			continue;
		if (hwb_wheel__add(r, "HWB-W033", ERR, mb->name,
				   "the file is not listed in RECORD: "
				   "installers that trust RECORD miss it; "
				   "rebuild the wheel"))
			goto cleanup;
	}
	rc = 0;
cleanup:
	hwb_wheel__index_release(&rows);
	return rc;
}

int hwb_record__load(struct hwb_record *rec, struct hwb_zip *z,
		     const char *dist_info, struct hwb_check_report *r,
		     struct hwb_error *err)
{
	char *record = NULL;
	uint8_t *text = NULL;
	size_t len = 0, i;
	int rc = -1, got;

	if (!dist_info)
		return hwb_wheel__add(r, "HWB-W031", ERR, NULL,
				      "no .dist-info directory, so no RECORD; "
				      "build the wheel with a PEP 517 backend") ?
		       hwb_error_oom(err) : 0;
	if (!(record = hwb_strdup_printf("%s/RECORD", dist_info)))
		return hwb_error_oom(err);
	for (i = 0; i < z->count; i++)
		if (!strcmp(z->members[i].name, record))
			break;
	if (i == z->count) {
		rc = hwb_wheel__add(r, "HWB-W031", ERR, NULL,
				    "%s is missing: nothing records the files "
				    "and their hashes; rebuild the wheel",
				    record) ? hwb_error_oom(err) : 0;
		goto cleanup;
	}
	rec->self_member = (int)i;
	if (z->members[i].size > HWB_WHEEL_WHOLE_CAP) {
		rc = bad_csv(r, record, 0, "RECORD is larger than 64 MiB") ?
		     hwb_error_oom(err) : 0;
		goto cleanup;
	}
	if ((got = hwb_zip__read_whole(z, i, HWB_WHEEL_WHOLE_CAP, &text, &len,
				       r, err)) || !text) {
		rc = got;
		goto cleanup;
	}
	if (!hwb_wheel__utf8_valid((const char *)text, len) ||
	    (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))) {
		rc = bad_csv(r, record, 0, "not UTF-8 without a byte-order "
			     "mark") ? hwb_error_oom(err) : 0;
		goto cleanup;
	}
	if (parse_rows(rec, (const char *)text, len, record, dist_info, r) ||
	    (rec->usable && link_rows(rec, z, dist_info, r))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(record);
	free(text);
	return rc;
}

int hwb_record__verify(const struct hwb_record *rec, const struct hwb_zip *z,
		       struct hwb_check_report *r)
{
	size_t i;

	if (!rec->usable)
		return 0;
	for (i = 0; i < z->count; i++) {
		const struct hwb_wheel_member *m = &z->members[i];
		const struct hwb_zip_entry *e = &z->entries[i];
		const struct hwb_record_row *row;
		const uint8_t *got;

		if (e->record_row < 0 || !m->data_ok)
			continue;
		row = &rec->rows[e->record_row];
		if (row->hash_alg < 0)
			continue;
		got = row->hash_alg == HWB_HASH_SHA256 ? m->sha256 :
		      e->alt_digest;
		if (got && memcmp(got, row->digest, row->digest_len) &&
		    hwb_wheel__add(r, "HWB-W039", ERR, m->name,
				   "the file's %s differs from RECORD's: it "
				   "was changed after RECORD was written; "
				   "rebuild the wheel",
				   hwb_hash_name((enum hwb_hash_alg)row->hash_alg)))
			return -1;
		if (row->size >= 0 && (uint64_t)row->size != m->size &&
		    hwb_wheel__add(r, "HWB-W039", ERR, m->name,
				   "the file has %llu bytes, RECORD says %lld; "
				   "rebuild the wheel",
				   (unsigned long long)m->size,
				   (long long)row->size))
			return -1;
	}
	return 0;
}

void hwb_record__release(struct hwb_record *rec)
{
	size_t i;

	for (i = 0; i < rec->count; i++)
		free(rec->rows[i].path);
	free(rec->rows);
	rec->rows = NULL;
	rec->count = 0;
	rec->usable = 0;
	rec->self_member = -1;
}
