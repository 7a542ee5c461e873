/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metadata.c: the email-header format of core metadata (METADATA,
 * PKG-INFO) and of a wheel's WHEEL file: "Name: value" lines, continuation
 * lines, a blank line and a body (the Description). What the fields must
 * hold is checked in metacheck.c.
 */
#include "pkg/wheel/internal.h"

#include <stdlib.h>
#include <string.h>

#define CODE_SYNTAX "HWB-W056"

/*
 * A METADATA file with more fields than this is not a real one (large
 * projects have a few hundred Classifier and Requires-Dist lines).
 */
#define METADATA_MAX_FIELDS 65536

int hwb_wheel__utf8_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s,
			    *end = (const unsigned char *)s + len;

	while (p < end) {
		unsigned c = *p, need, cp, min;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			need = 1, cp = c & 0x1f, min = 0x80;
		} else if (c >= 0xe0 && c <= 0xef) {
			need = 2, cp = c & 0x0f, min = 0x800;
		} else if (c >= 0xf0 && c <= 0xf4) {
			need = 3, cp = c & 0x07, min = 0x10000;
		} else {
			return 0;
		}
		if ((size_t)(end - p) <= need)
			return 0;
		for (unsigned i = 1; i <= need; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates and values past U+10FFFF. */
		if (cp < min || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
			return 0;
		p += need + 1;
	}
	return 1;
}

void hwb_metadata_release(struct hwb_metadata *md)
{
	size_t i;

	for (i = 0; i < md->count; i++) {
		free(md->fields[i].name);
		free(md->fields[i].value);
	}
	free(md->fields);
	free(md->body);
	memset(md, 0, sizeof(*md));
}

static int syntax(struct hwb_error *err, unsigned line, const char *why)
{
	hwb_error_set(err, HWB_KIND_FAILED, CODE_SYNTAX,
		      "line %u is not a metadata header: %s", line, why);
	hwb_error_hint(err, "write 'Name: value' lines, continuation lines "
			    "starting with a space, then a blank line before "
			    "the description");
	return hwb_error_at(err, "", line, 0);
}

static int add_field(struct hwb_metadata *md, const char *name, size_t nlen,
		     const char *value, size_t vlen, unsigned line)
{
	struct hwb_metadata_field *f;

	if (md->count == md->cap) {
		size_t cap = md->cap ? md->cap * 2 : 16;

		f = realloc(md->fields, cap * sizeof(*f));
		if (!f)
			return -1;
		md->fields = f;
		md->cap = cap;
	}
	f = &md->fields[md->count];
	f->name = strndup(name, nlen);
	f->value = strndup(value, vlen);
	f->line = line;
	if (!f->name || !f->value) {
		free(f->name);
		free(f->value);
		return -1;
	}
	md->count++;
	return 0;
}

/* Append a continuation line (without its leading blank) to the last
 * field, after a newline. */
static int continue_field(struct hwb_metadata *md, const char *text,
			  size_t len)
{
	struct hwb_metadata_field *f = &md->fields[md->count - 1];
	size_t old = strlen(f->value), total;
	char *v;

	if (hwb_size_add(&total, old, len) || hwb_size_add(&total, total, 2))
		return -1;
	if (!(v = realloc(f->value, total)))
		return -1;
	v[old] = '\n';
	memcpy(v + old + 1, text, len);
	v[old + 1 + len] = '\0';
	f->value = v;
	return 0;
}

/* Header names: printable ASCII except ':' and space (RFC 5322 ftext). */
static size_t header_name_len(const char *p, const char *eol)
{
	const char *q = p;

	while (q < eol && *q > ' ' && *q < 0x7f && *q != ':')
		q++;
	return q < eol && *q == ':' ? (size_t)(q - p) : 0;
}

static int parse_line(struct hwb_metadata *md, const char *p, const char *eol,
		      unsigned line, struct hwb_error *err)
{
	const char *v;
	size_t nlen;

	if (*p == ' ' || *p == '\t') {
		if (!md->count)
			return syntax(err, line, "a continuation line comes "
						 "first");
		while (p < eol && (*p == ' ' || *p == '\t'))
			p++;
		return continue_field(md, p, (size_t)(eol - p))
			       ? hwb_error_oom(err) : 0;
	}
	if (!(nlen = header_name_len(p, eol)))
		return syntax(err, line, "no 'Name:' at the start");
	if (md->count == METADATA_MAX_FIELDS)
		return syntax(err, line, "too many fields");
	v = p + nlen + 1;
	while (v < eol && (*v == ' ' || *v == '\t'))
		v++;
	/* Trailing blanks are not part of the value (email.parser). */
	while (eol > v && (eol[-1] == ' ' || eol[-1] == '\t'))
		eol--;
	return add_field(md, p, nlen, v, (size_t)(eol - v), line)
		       ? hwb_error_oom(err) : 0;
}

int hwb_metadata_parse(const char *text, size_t len, struct hwb_metadata *out,
		       struct hwb_error *err)
{
	struct hwb_metadata md = HWB_METADATA_INIT;
	const char *p = text, *end = text + len, *nl, *eol;
	unsigned line = 1;

	if (!hwb_wheel__utf8_valid(text, len))
		return hwb_error_set(err, HWB_KIND_FAILED, CODE_SYNTAX,
				     "the file is not UTF-8 text"),
		       hwb_error_hint(err, "write metadata as UTF-8 without "
					   "NUL bytes");
	for (; p < end; line++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		eol = nl ? nl : end;
		if (eol > p && eol[-1] == '\r')
			eol--;
		if (eol == p) {
			/* The blank line: the rest is the body. */
			p = nl ? nl + 1 : end;
			md.body = strndup(p, (size_t)(end - p));
			md.body_line = line + 1;
			if (!md.body)
				goto oom;
			break;
		}
		if (parse_line(&md, p, eol, line, err)) {
			hwb_metadata_release(&md);
			return -1;
		}
		p = nl ? nl + 1 : end;
	}
	*out = md;
	return 0;
oom:
	hwb_metadata_release(&md);
	return hwb_error_oom(err);
}

const char *hwb_metadata_get(const struct hwb_metadata *md, const char *name)
{
	size_t i;

	for (i = 0; i < md->count; i++)
		if (!strcasecmp(md->fields[i].name, name))
			return md->fields[i].value;
	return NULL;
}

size_t hwb_metadata_count(const struct hwb_metadata *md, const char *name)
{
	size_t i, n = 0;

	for (i = 0; i < md->count; i++)
		n += !strcasecmp(md->fields[i].name, name);
	return n;
}
