/* SPDX-License-Identifier: Apache-2.0 */
/*
 * render.c: the report as text (one line per item: status, name, what was
 * found, and for a problem its code and remedy; then one verdict line) or
 * as the JSON document hwb.doctor/1 (docs/schemas.md). Every string
 * passes through hwb_redact(): paths and engine output may hold anything.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "pkg/core/log.h"
#include "pkg/doctor/internal.h"

static const char *status_name(enum hwb_doctor_status s)
{
	return s == HWB_DOCTOR_OK ? "ok" : s == HWB_DOCTOR_WARN ? "warn" : "fail";
}

/* s redacted, as a new string (NULL when out of memory). */
static char *clean(const char *s)
{
	struct hwb_buf b = HWB_BUF_INIT;

	if (hwb_redact(&b, s, strlen(s))) {
		hwb_buf_release(&b);
		return NULL;
	}
	return hwb_buf_detach(&b, NULL);
}

static int text_item(struct hwb_buf *out, const struct hwb_doctor_item *it)
{
	char *detail = clean(it->detail), *remedy = it->remedy ? clean(it->remedy)
							       : NULL;
	int rc = -1;

	if (!detail || (it->remedy && !remedy))
		goto cleanup;
	hwb_buf_printf(out, "%-4s  %-11s %s", status_name(it->status), it->name,
		       detail);
	if (it->code[0] || remedy)
		hwb_buf_printf(out, " (%s%s%s%s)", it->code,
			       it->code[0] && remedy ? "; " : "",
			       remedy ? "fix: " : "", remedy ? remedy : "");
	hwb_buf_putc(out, '\n');
	rc = out->oom ? -1 : 0;
cleanup:
	free(detail);
	free(remedy);
	return rc;
}

static int render_text(const struct hwb_doctor_report *r, struct hwb_buf *out)
{
	size_t i, fails = 0, warns = 0;

	for (i = 0; i < r->count; i++) {
		if (text_item(out, &r->items[i]))
			return -1;
		fails += r->items[i].status == HWB_DOCTOR_FAIL;
		warns += r->items[i].status == HWB_DOCTOR_WARN;
	}
	if (!fails)
		hwb_buf_printf(out, "hwb doctor: build, check and verify%s can run "
			       "here (%zu warning%s)\n",
			       r->release ? ", and release," : "", warns,
			       warns == 1 ? "" : "s");
	else
		hwb_buf_printf(out, "hwb doctor: %zu problem%s stop%s %s here; "
			       "fix the items marked fail\n", fails,
			       fails == 1 ? "" : "s", fails == 1 ? "s" : "",
			       r->release ? "a release" : "builds");
	return out->oom ? -1 : 0;
}

/* A redacted JSON string, or null for NULL. */
static json_t *str(const char *s)
{
	char *c;
	json_t *j;

	if (!s)
		return json_null();
	if (!(c = clean(s)))
		return NULL;
	j = json_string(c);
	free(c);
	return j;
}

static json_t *item_json(const struct hwb_doctor_item *it)
{
	return json_pack("{s:s, s:s, s:o, s:o, s:o}", "name", it->name, "status",
			 status_name(it->status), "detail", str(it->detail),
			 "remedy", str(it->remedy), "code",
			 it->code[0] ? json_string(it->code) : json_null());
}

static json_t *oidc_json(enum hwb_oidc_source s)
{
	return s == HWB_OIDC_NONE ? json_null()
				  : json_string(hwb_oidc_source_name(s));
}

static json_t *facts_json(const struct hwb_doctor_report *r)
{
	json_t *leftovers = json_array(), *doc;
	size_t i;

	for (i = 0; leftovers && i < r->leftover_count; i++)
		json_array_append_new(leftovers,
				      json_pack("{s:o, s:s, s:I}", "path",
						str(r->leftovers[i].path), "kind",
						r->leftovers[i].work
							? "work-directory"
							: "outdir-copy",
						"bytes",
						(json_int_t)r->leftovers[i].bytes));
	doc = json_pack("{s:{s:o, s:I, s:I, s:o}, s:{s:o, s:o}, s:o, s:{s:b, s:o},"
			" s:o}",
			"bound", "cgroup",
			r->cgroup ? json_integer(r->cgroup) : json_null(),
			"memory", (json_int_t)r->memory, "processes",
			(json_int_t)r->processes, "description", str(r->bound),
			"oidc", "sigstore", oidc_json(r->oidc_sigstore), "pypi",
			oidc_json(r->oidc_pypi), "api_token",
			r->token_variable ? json_string(r->token_variable)
					  : json_null(),
			"audit", "enabled", r->audit_enabled, "dir",
			str(r->audit_dir), "leftovers", leftovers);
	if (doc && r->trust.repository)
		json_object_set_new(
			doc, "trust",
			json_pack("{s:o, s:o, s:b, s:I, s:I}", "repository",
				  str(r->trust.repository), "source",
				  str(r->trust.source), "from_cache",
				  r->trust.from_cache, "taken",
				  (json_int_t)r->trust.taken,
				  "timestamp_expires",
				  (json_int_t)r->trust.timestamp_expires));
	return doc;
}

static int render_json(const struct hwb_doctor_report *r, struct hwb_buf *out)
{
	json_t *doc = facts_json(r), *items = json_array();
	char *text = NULL;
	size_t i;
	int rc = -1;

	if (!doc || !items)
		goto cleanup;
	for (i = 0; i < r->count; i++)
		if (json_array_append_new(items, item_json(&r->items[i])))
			goto cleanup;
	if (json_object_set_new(doc, "schema", json_string("hwb.doctor/1")) ||
	    json_object_set_new(doc, "ok", json_boolean(hwb_doctor_passed(r))) ||
	    json_object_set_new(doc, "release", json_boolean(r->release)) ||
	    json_object_set(doc, "items", items) ||
	    !(text = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS)))
		goto cleanup;
	rc = hwb_buf_puts(out, text) || hwb_buf_putc(out, '\n') ? -1 : 0;
cleanup:
	free(text);
	json_decref(items);
	json_decref(doc);
	return rc;
}

int hwb_doctor_render(const struct hwb_doctor_report *r, int json,
		      struct hwb_buf *out, struct hwb_error *err)
{
	if (json ? render_json(r, out) : render_text(r, out))
		return hwb_error_oom(err);
	return 0;
}
