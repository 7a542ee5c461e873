/* SPDX-License-Identifier: Apache-2.0 */
/*
 * json.c: RFC 8785 canonical JSON over jansson. Parsing is jansson's, with
 * the flags that give JCS's data model (every number a double, duplicate
 * names refused); the serialiser here sorts members by UTF-16 code units
 * and escapes strings as ECMAScript does. Numbers: json_number.c.
 */
#include "pkg/core/json.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Integers up to 2^53 are exact doubles and print as themselves. */
#define EXACT_INT_LIMIT 9007199254740992LL

struct member {
	const char *name;
	size_t name_len;
	const json_t *value;
};

static int write_value(struct hwb_buf *out, const json_t *v, int depth,
		       struct hwb_error *err);

/*
 * Length of the valid UTF-8 sequence at p (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) and its code point, or 0 if invalid.
 */
static size_t utf8_next(const uint8_t *p, size_t left, uint32_t *cp)
{
	size_t len, i;
	uint32_t c, min;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0) {
		len = 2, c = p[0] & 0x1f, min = 0x80;
	} else if ((p[0] & 0xf0) == 0xe0) {
		len = 3, c = p[0] & 0x0f, min = 0x800;
	} else if ((p[0] & 0xf8) == 0xf0) {
		len = 4, c = p[0] & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (left < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Reads a UTF-8 string as UTF-16 code units, for RFC 8785 section 3.2.3. */
struct u16_reader {
	const uint8_t *p;
	size_t left;
	uint32_t pending; /* low surrogate still to return, or 0 */
};

/* Next code unit, or -1 at the end. Invalid bytes count as one unit each. */
static long u16_next(struct u16_reader *r)
{
	uint32_t cp;
	size_t n;

	if (r->pending) {
		cp = r->pending;
		r->pending = 0;
		return cp;
	}
	if (!r->left)
		return -1;
	n = utf8_next(r->p, r->left, &cp);
	if (!n) {
		n = 1;
		cp = r->p[0];
	}
	r->p += n;
	r->left -= n;
	if (cp >= 0x10000) {
		cp -= 0x10000;
		r->pending = 0xdc00 | (cp & 0x3ff);
		return 0xd800 | (cp >> 10);
	}
	return cp;
}

static int member_cmp(const void *a, const void *b)
{
	const struct member *ma = a, *mb = b;
	struct u16_reader ra = { (const uint8_t *)ma->name, ma->name_len, 0 };
	struct u16_reader rb = { (const uint8_t *)mb->name, mb->name_len, 0 };
	long ua, ub;

	do {
		ua = u16_next(&ra);
		ub = u16_next(&rb);
	} while (ua == ub && ua >= 0);
	return ua < ub ? -1 : ua > ub;
}

static int write_string(struct hwb_buf *out, const char *s, size_t len,
			struct hwb_error *err)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t i = 0, n;
	uint32_t cp;

	hwb_buf_putc(out, '"');
	while (i < len) {
		if (p[i] >= 0x80) {
			n = utf8_next(p + i, len - i, &cp);
			if (!n)
				return hwb_error_set(err, HWB_KIND_FAILED,
						     "HWB-J023", "JSON string is not "
						     "valid UTF-8 (byte 0x%02x)",
						     p[i]);
			hwb_buf_put(out, p + i, n);
			i += n;
			continue;
		}
		switch (p[i]) {
		case '\b': hwb_buf_puts(out, "\\b"); break;
		case '\t': hwb_buf_puts(out, "\\t"); break;
		case '\n': hwb_buf_puts(out, "\\n"); break;
		case '\f': hwb_buf_puts(out, "\\f"); break;
		case '\r': hwb_buf_puts(out, "\\r"); break;
		case '"': hwb_buf_puts(out, "\\\""); break;
		case '\\': hwb_buf_puts(out, "\\\\"); break;
		default:
			if (p[i] < 0x20)
				hwb_buf_printf(out, "\\u%04x", p[i]);
			else
				hwb_buf_putc(out, (char)p[i]);
		}
		i++;
	}
	hwb_buf_putc(out, '"');
	return hwb_buf_check(out, err);
}

static int write_object(struct hwb_buf *out, const json_t *obj, int depth,
			struct hwb_error *err)
{
	struct member *members = NULL;
	size_t count = json_object_size(obj), i = 0;
	void *it;
	int ret = -1;

	if (count) {
		members = calloc(count, sizeof(*members));
		if (!members)
			return hwb_error_oom(err);
	}
	/* jansson's iterators take a non-const object but do not modify it. */
	for (it = json_object_iter((json_t *)obj); it && i < count;
	     it = json_object_iter_next((json_t *)obj, it), i++) {
		members[i].name = json_object_iter_key(it);
		members[i].name_len = json_object_iter_key_len(it);
		members[i].value = json_object_iter_value(it);
	}
	if (count)
		qsort(members, count, sizeof(*members), member_cmp);
	hwb_buf_putc(out, '{');
	for (i = 0; i < count; i++) {
		if (i)
			hwb_buf_putc(out, ',');
		if (write_string(out, members[i].name, members[i].name_len, err))
			goto cleanup;
		hwb_buf_putc(out, ':');
		if (write_value(out, members[i].value, depth + 1, err))
			goto cleanup;
	}
	hwb_buf_putc(out, '}');
	ret = hwb_buf_check(out, err);
cleanup:
	free(members);
	return ret;
}

static int write_array(struct hwb_buf *out, const json_t *arr, int depth,
		       struct hwb_error *err)
{
	size_t i, count = json_array_size(arr);

	hwb_buf_putc(out, '[');
	for (i = 0; i < count; i++) {
		if (i)
			hwb_buf_putc(out, ',');
		if (write_value(out, json_array_get(arr, i), depth + 1, err))
			return -1;
	}
	hwb_buf_putc(out, ']');
	return hwb_buf_check(out, err);
}

static int write_integer(struct hwb_buf *out, json_int_t i,
			 struct hwb_error *err)
{
	if (i >= -EXACT_INT_LIMIT && i <= EXACT_INT_LIMIT) {
		hwb_buf_printf(out, "%" JSON_INTEGER_FORMAT, i);
		return hwb_buf_check(out, err);
	}
	return hwb_json_format_number(out, (double)i, err);
}

static int write_value(struct hwb_buf *out, const json_t *v, int depth,
		       struct hwb_error *err)
{
	if (depth > HWB_JSON_MAX_DEPTH)
		return hwb_error_set(err, HWB_KIND_FAILED, "HWB-J024",
				     "JSON nests deeper than %d levels",
				     HWB_JSON_MAX_DEPTH);
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return write_object(out, v, depth, err);
	case JSON_ARRAY:
		return write_array(out, v, depth, err);
	case JSON_STRING:
		return write_string(out, json_string_value(v),
				    json_string_length(v), err);
	case JSON_INTEGER:
		return write_integer(out, json_integer_value(v), err);
	case JSON_REAL:
		return hwb_json_format_number(out, json_real_value(v), err);
	case JSON_TRUE:
		return hwb_buf_puts(out, "true") ? hwb_error_oom(err) : 0;
	case JSON_FALSE:
		return hwb_buf_puts(out, "false") ? hwb_error_oom(err) : 0;
	case JSON_NULL:
		return hwb_buf_puts(out, "null") ? hwb_error_oom(err) : 0;
	}
	HWB_BUG("unknown jansson type %d", (int)json_typeof(v));
}

int hwb_json_canonicalize_value(struct hwb_buf *out, const void *json_value,
				struct hwb_error *err)
{
	size_t start = out->len;

	if (!json_value)
		HWB_BUG("canonicalising a NULL JSON value");
	if (write_value(out, json_value, 0, err)) {
		if (!out->oom)
			hwb_buf_truncate(out, start);
		return -1;
	}
	return 0;
}

/* The code for a jansson parse error: which rule the text broke. */
static const char *parse_error_code(const json_error_t *jerr)
{
	switch (json_error_code(jerr)) {
	case json_error_out_of_memory:
		return "HWB-C001";
	case json_error_invalid_utf8:
		return "HWB-J023";
	case json_error_duplicate_key:
		return "HWB-J021";
	case json_error_numeric_overflow:
		return "HWB-J022";
	case json_error_null_byte_in_key:
		return "HWB-J026";
	case json_error_stack_overflow:
		return "HWB-J024";
	default:
		/* jansson reports a lone \uD800 as a syntax error. */
		return strstr(jerr->text, "Unicode") ? "HWB-J023" : "HWB-J020";
	}
}

int hwb_json_canonicalize(struct hwb_buf *out, const char *json_text,
			  size_t len, struct hwb_error *err)
{
	/*
	 * JSON_DECODE_INT_AS_REAL: JCS numbers are doubles, and jansson then
	 * reads integers with strtod (correctly rounded) instead of refusing
	 * those beyond long long. JSON_ALLOW_NUL: "\u0000" is a valid string.
	 */
	const size_t flags = JSON_DECODE_ANY | JSON_REJECT_DUPLICATES |
			     JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL;
	json_error_t jerr;
	json_t *root = NULL;
	const char *code;
	int ret;

	root = json_loadb(json_text, len, flags, &jerr);
	if (!root) {
		code = parse_error_code(&jerr);
		if (strcmp(code, "HWB-C001") == 0)
			return hwb_error_oom(err);
		hwb_error_set(err, HWB_KIND_FAILED, code,
			      "JSON text is not valid for canonical JSON: %s",
			      jerr.text);
		hwb_error_hint(err, "give I-JSON (RFC 7493): UTF-8, unique "
			       "member names, numbers within double range");
		return hwb_error_at(err, "", (unsigned)(jerr.line > 0 ? jerr.line : 0),
				    (unsigned)(jerr.column > 0 ? jerr.column : 0));
	}
	ret = hwb_json_canonicalize_value(out, root, err);
	json_decref(root);
	return ret;
}
