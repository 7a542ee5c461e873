/* SPDX-License-Identifier: Apache-2.0 */
/*
 * pbjson.c: the field readers of the protobuf JSON mapping, for every
 * Sigstore document hwb reads (bundle, trusted root, signing config, Fulcio
 * and Rekor answers). A writer omits a scalar field (string, bytes, integer,
 * enum) that holds its zero value, and may write null for any field, so an
 * absent or null scalar reads as "", empty, 0. Message fields have no zero
 * value: whether an absent one is an error is the caller's decision. The
 * readers only decode; the caller words the error for its document.
 */
#include <string.h>

#include "pkg/core/encode.h"
#include "pkg/sign/internal.h"

/* Longest decimal string read as an int64: 18 digits cannot overflow. */
#define MAX_INT64_DIGITS 18

static json_t *scalar(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	return json_is_null(v) ? NULL : v;
}

/*
 * protobuf JSON readers (Go's and Python's) skip line breaks inside base64
 * and take both alphabets; so do we, strictly otherwise.
 */
int hwb_sign__pb_base64(struct hwb_buf *out, const char *s, size_t len)
{
	struct hwb_buf flat = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	size_t i;
	int rc;

	hwb_buf_clear(out);
	if (memchr(s, '\n', len) || memchr(s, '\r', len)) {
		for (i = 0; i < len; i++)
			if (s[i] != '\n' && s[i] != '\r')
				hwb_buf_putc(&flat, s[i]);
		if (flat.oom)
			return -1;
		s = flat.ptr;
		len = flat.len;
	}
	rc = hwb_base64_decode(out, s, len, HWB_B64_STD, &ignored);
	if (rc && !out->oom) {
		hwb_buf_clear(out);
		rc = hwb_base64_decode(out, s, len,
				       HWB_B64_URL | HWB_B64_PAD_OPTIONAL, &ignored);
	}
	hwb_buf_release(&flat);
	return rc;
}

int hwb_sign__pb_bytes(json_t *obj, const char *key, struct hwb_buf *out)
{
	json_t *v = scalar(obj, key);

	hwb_buf_clear(out);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return -1;
	return hwb_sign__pb_base64(out, json_string_value(v),
				   json_string_length(v));
}

/* A non-negative integer given as a JSON number or a decimal string. */
static int pb_unsigned(json_t *obj, const char *key, uint64_t max,
		       uint64_t *out)
{
	json_t *v = scalar(obj, key);
	const char *s;
	size_t len;
	uint64_t n = 0;

	*out = 0;
	if (!v)
		return 0;
	if (json_is_integer(v)) {
		if (json_integer_value(v) < 0 ||
		    (uint64_t)json_integer_value(v) > max)
			return -1;
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	/* protobuf JSON writes 64-bit integers as decimal strings */
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	len = json_string_length(v);
	if (!len || len > MAX_INT64_DIGITS || strspn(s, "0123456789") != len)
		return -1;
	for (; *s; s++)
		n = n * 10 + (uint64_t)(*s - '0');
	if (n > max)
		return -1;
	*out = n;
	return 0;
}

int hwb_sign__pb_int64(json_t *obj, const char *key, int64_t *out)
{
	uint64_t n;
	int rc = pb_unsigned(obj, key, INT64_MAX, &n);

	*out = (int64_t)n;
	return rc;
}

int hwb_sign__pb_uint32(json_t *obj, const char *key, uint32_t *out)
{
	uint64_t n;
	int rc = pb_unsigned(obj, key, UINT32_MAX, &n);

	*out = (uint32_t)n;
	return rc;
}

const char *hwb_sign__pb_string(json_t *obj, const char *key)
{
	json_t *v = scalar(obj, key);

	if (!v)
		return "";
	return json_is_string(v) ? json_string_value(v) : NULL;
}

int hwb_sign__pb_message(json_t *obj, const char *key, json_t **out)
{
	json_t *v = json_object_get(obj, key);

	*out = json_is_object(v) ? v : NULL;
	return v && !json_is_null(v) && !*out ? -1 : 0;
}

/*
 * A google.protobuf.Timestamp: an RFC 3339 string. It is a message, so
 * absence is the caller's to judge: *present says whether it is there.
 */
static int pb_timestamp(json_t *obj, const char *key, int64_t *out,
			int *present)
{
	json_t *v = json_object_get(obj, key);

	*present = v && !json_is_null(v);
	if (!*present)
		return 0;
	return json_is_string(v) &&
			       !hwb_sign__parse_rfc3339(json_string_value(v), out)
		       ? 0 : -1;
}

int hwb_sign__pb_range(json_t *obj, const char *key,
		       struct hwb_sign__range *r)
{
	json_t *vf;
	int has_start;

	memset(r, 0, sizeof(*r));
	if (hwb_sign__pb_message(obj, key, &vf) || !vf ||
	    pb_timestamp(vf, "start", &r->start, &has_start) || !has_start)
		return -1;
	return pb_timestamp(vf, "end", &r->end, &r->has_end);
}
