/* SPDX-License-Identifier: Apache-2.0 */
/*
 * toml-decoder: the toml-test decoder interface over hwb_toml_parse, so the
 * parser can be run against any TOML conformance suite. TOML on stdin; on
 * success the tagged JSON form on stdout and exit 0, on invalid input the
 * error on stderr and exit 1 (2 when stdin cannot be read or memory runs
 * out).
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/core/toml.h"

/* {"type": type, "value": text} */
static json_t *tagged(const char *type, const char *text)
{
	return json_pack("{s:s, s:s}", "type", type, "value", text);
}

/* The shortest %g form that reads back as the same double. */
static void format_float(double f, char *out, size_t outsz)
{
	int prec;

	if (isnan(f)) {
		snprintf(out, outsz, "nan");
		return;
	}
	if (isinf(f)) {
		snprintf(out, outsz, f < 0 ? "-inf" : "inf");
		return;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(out, outsz, "%.*g", prec, f);
		if (strtod(out, NULL) == f)
			return;
	}
}

/* RFC 3339 text of a date-time value of type t. */
static void format_datetime(enum hwb_toml_type t,
			    const struct hwb_toml_datetime *dt, char *out,
			    size_t outsz)
{
	size_t n = 0;

	if (t != HWB_TOML_TIME_LOCAL)
		n += (size_t)snprintf(out + n, outsz - n, "%04d-%02d-%02d",
				      dt->year, dt->month, dt->day);
	if (t == HWB_TOML_DATE_LOCAL)
		return;
	if (t != HWB_TOML_TIME_LOCAL)
		n += (size_t)snprintf(out + n, outsz - n, "T");
	n += (size_t)snprintf(out + n, outsz - n, "%02d:%02d:%02d", dt->hour,
			      dt->minute, dt->second);
	if (dt->fraction_digits > 0) {
		long frac = dt->nanosecond;
		int i;

		for (i = dt->fraction_digits; i < 9; i++)
			frac /= 10;
		n += (size_t)snprintf(out + n, outsz - n, ".%0*ld",
				      dt->fraction_digits, frac);
	}
	if (t != HWB_TOML_DATETIME)
		return;
	if (dt->offset_is_z) {
		snprintf(out + n, outsz - n, "Z");
	} else {
		int m = dt->offset_minutes < 0 ? -dt->offset_minutes
					       : dt->offset_minutes;

		snprintf(out + n, outsz - n, "%c%02d:%02d",
			 dt->offset_minutes < 0 ? '-' : '+', m / 60, m % 60);
	}
}

static json_t *to_json(const struct hwb_toml_value *v)
{
	char text[64];
	json_t *j = NULL;
	size_t i;

	switch (v->type) {
	case HWB_TOML_STRING:
		return json_pack("{s:s, s:s%}", "type", "string", "value",
				 v->u.str.ptr, v->u.str.len);
	case HWB_TOML_INTEGER:
		snprintf(text, sizeof(text), "%" PRId64, v->u.integer);
		return tagged("integer", text);
	case HWB_TOML_FLOAT:
		format_float(v->u.flt, text, sizeof(text));
		return tagged("float", text);
	case HWB_TOML_BOOL:
		return tagged("bool", v->u.boolean ? "true" : "false");
	case HWB_TOML_DATETIME:
	case HWB_TOML_DATETIME_LOCAL:
	case HWB_TOML_DATE_LOCAL:
	case HWB_TOML_TIME_LOCAL:
		format_datetime(v->type, &v->u.dt, text, sizeof(text));
		return tagged(hwb_toml_type_name(v->type), text);
	case HWB_TOML_ARRAY:
		j = json_array();
		for (i = 0; j && i < v->u.array.count; i++)
			if (json_array_append_new(j, to_json(v->u.array.items[i])) < 0)
				goto fail;
		return j;
	case HWB_TOML_TABLE:
		j = json_object();
		for (i = 0; j && i < v->u.table.count; i++) {
			const struct hwb_toml_kv *kv = &v->u.table.items[i];

			if (json_object_setn_new(j, kv->key, kv->keylen,
						 to_json(kv->value)) < 0)
				goto fail;
		}
		return j;
	}
fail:
	json_decref(j);
	return NULL;
}

int main(void)
{
	struct hwb_buf in = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_toml_value *doc = NULL;
	json_t *json = NULL;
	char line[1200];
	char chunk[65536];
	size_t n;
	int ret = 2;

	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		hwb_buf_put(&in, chunk, n);
	if (ferror(stdin) || in.oom) {
		fprintf(stderr, "toml-decoder: cannot read standard input\n");
		goto cleanup;
	}
	if (hwb_toml_parse(&doc, in.ptr, in.len, "<stdin>", &err) < 0) {
		hwb_error_format(&err, line, sizeof(line));
		fprintf(stderr, "%s\n", line);
		ret = strcmp(err.code, "HWB-C001") ? 1 : 2;
		goto cleanup;
	}
	json = to_json(doc);
	if (!json || json_dumpf(json, stdout, JSON_COMPACT) < 0 ||
	    fputc('\n', stdout) == EOF || fflush(stdout) == EOF) {
		fprintf(stderr, "toml-decoder: cannot write the JSON\n");
		goto cleanup;
	}
	ret = 0;
cleanup:
	json_decref(json);
	hwb_toml_free(doc);
	hwb_buf_release(&in);
	return ret;
}
