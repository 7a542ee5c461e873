/* SPDX-License-Identifier: Apache-2.0 */
/*
 * canonical.c: OLPC canonical JSON (http://wiki.laptop.org/go/Canonical_JSON),
 * the form TUF signs (specification, "Metaformat"). It is not RFC 8785
 * (pkg/core/json.h), and the differences change the signed bytes:
 * - strings are written as their raw UTF-8 bytes; only '"' and '\' are
 *   escaped (JCS escapes control characters as \n, \u001f, ...);
 * - members are sorted by the bytes of their names, i.e. by Unicode code
 *   point (JCS sorts by UTF-16 code units, which differs above U+FFFF);
 * - numbers are integers only, written in decimal; a float has no
 *   canonical form and is refused (JCS writes ECMAScript doubles).
 * python-tuf (securesystemslib's encode_canonical) and tuf-js
 * (@tufjs/canonical-json) read the OLPC rules the same way.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/tuf/internal.h"

static int put_string(struct hwb_buf *out, const char *s, size_t len)
{
	size_t i, start = 0;

	hwb_buf_putc(out, '"');
	for (i = 0; i < len; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		hwb_buf_put(out, s + start, i - start);
		hwb_buf_putc(out, '\\');
		start = i;
	}
	hwb_buf_put(out, s + start, len - start);
	return hwb_buf_putc(out, '"');
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int canon(struct hwb_buf *out, const json_t *v, int depth,
		 struct hwb_error *err);

static int canon_object(struct hwb_buf *out, const json_t *v, int depth,
			struct hwb_error *err)
{
	size_t n = json_object_size(v), i = 0;
	const char **names;
	const char *name;
	json_t *member;
	int rc = 0;

	if (!n)
		return hwb_buf_puts(out, "{}");
	if (!(names = calloc(n, sizeof(*names))))
		return hwb_error_oom(err);
	json_object_foreach((json_t *)v, name, member)
		names[i++] = name;
	/* jansson holds no NUL inside a name (parsed without
	 * JSON_ALLOW_NUL), so strcmp compares all of its UTF-8 bytes. */
	qsort(names, n, sizeof(*names), cmp_names);
	hwb_buf_putc(out, '{');
	for (i = 0; i < n && !rc; i++) {
		if (i)
			hwb_buf_putc(out, ',');
		put_string(out, names[i], strlen(names[i]));
		hwb_buf_putc(out, ':');
		rc = canon(out, json_object_get(v, names[i]), depth + 1, err);
	}
	free(names);
	return rc ? -1 : hwb_buf_putc(out, '}');
}

static int canon(struct hwb_buf *out, const json_t *v, int depth,
		 struct hwb_error *err)
{
	size_t i;

	if (depth > 512)
		return hwb_error_set(err, HWB_KIND_FAILED, "HWB-R002",
				     "JSON nested deeper than 512 levels has no "
				     "canonical form here");
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return canon_object(out, v, depth, err);
	case JSON_ARRAY:
		hwb_buf_putc(out, '[');
		for (i = 0; i < json_array_size(v); i++) {
			if (i)
				hwb_buf_putc(out, ',');
			if (canon(out, json_array_get(v, i), depth + 1, err))
				return -1;
		}
		return hwb_buf_putc(out, ']');
	case JSON_STRING:
		return put_string(out, json_string_value(v),
				  json_string_length(v));
	case JSON_INTEGER:
		return hwb_buf_printf(out, "%" PRId64,
				      (int64_t)json_integer_value(v));
	case JSON_REAL:
		return hwb_error_set(err, HWB_KIND_FAILED, "HWB-R002",
				     "a number with a fraction or exponent has no "
				     "OLPC canonical JSON form (integers only)");
	case JSON_TRUE:
		return hwb_buf_puts(out, "true");
	case JSON_FALSE:
		return hwb_buf_puts(out, "false");
	case JSON_NULL:
		return hwb_buf_puts(out, "null");
	}
	return hwb_error_set(err, HWB_KIND_FAILED, "HWB-R002",
			     "unknown JSON value");
}

int hwb_tuf__canonical_value(struct hwb_buf *out, const json_t *v,
			     struct hwb_error *err)
{
	size_t before = out->len;

	if (canon(out, v, 0, err) || hwb_buf_check(out, err)) {
		hwb_buf_truncate(out, before);
		return -1;
	}
	return 0;
}

int hwb_tuf_canonicalize(struct hwb_buf *out, const char *json, size_t len,
			 struct hwb_error *err)
{
	json_error_t jerr;
	json_t *v = json_loadb(json, len,
			       JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	int rc;

	if (!v) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-R002",
			      "not JSON with one value per name: %s", jerr.text);
		return hwb_error_at(err, "", (unsigned)jerr.line,
				    (unsigned)jerr.column);
	}
	rc = hwb_tuf__canonical_value(out, v, err);
	json_decref(v);
	return rc;
}
