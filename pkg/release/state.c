/* SPDX-License-Identifier: Apache-2.0 */
/*
 * state.c: release.json (hwb.release/1, docs/schemas.md), the record of a
 * release and the state a killed run resumes from. It is rewritten whole
 * and atomically (temporary file, fsync, rename: pkg/core/fileio.h) after
 * every step and every file, so that it always holds one consistent
 * moment of the run. It holds paths, digests, log indexes and identities,
 * never a credential.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/core/buf.h"
#include "pkg/core/fileio.h"
#include "pkg/release/internal.h"

#define STATE_MAX ((size_t)16 << 20)

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *file_json(const struct hwb_release_file *f)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:o, s:o, s:o, s:o, s:o}",
			 "filename", f->filename, "path", f->path, "sha256", f->sha256,
			 "size", (json_int_t)f->size, "bundle", str_or_null(f->bundle),
			 "log_index", f->log_index >= 0 ? json_integer(f->log_index) : json_null(),
			 "attestation", str_or_null(f->attestation), "attestation_log_index",
			 f->attestation_log_index >= 0 ? json_integer(f->attestation_log_index)
						       : json_null(),
			 "upload", str_or_null(f->upload));
}

static json_t *steps_json(const struct hwb_release_result *r)
{
	json_t *steps = json_object();
	int i;

	for (i = 0; steps && i < HWB_RELEASE_STEPS; i++)
		json_object_set_new(steps, hwb_release_step_name((enum hwb_release_step)i),
				    json_pack("{s:s, s:f}", "status",
					      hwb_release_status_name(r->steps[i]),
					      "seconds", r->seconds[i]));
	return steps;
}

static json_t *document(const char *mode, const char *index, const char *source,
			const struct hwb_release_result *r, int complete,
			const struct hwb_error *failed)
{
	json_t *files = json_array(), *doc;
	size_t i;

	for (i = 0; files && i < r->count; i++)
		json_array_append_new(files, file_json(&r->files[i]));
	doc = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
		"schema", HWB_RELEASE__SCHEMA, "state", complete ? "complete" : "in-progress",
		"mode", mode, "source", source,
		"name", str_or_null(r->name), "version", str_or_null(r->version),
		"steps", steps_json(r),
		"signer", r->identity ? json_pack("{s:s, s:s?, s:s?}", "identity", r->identity,
						  "issuer", r->issuer, "log_url", r->log_url)
				      : json_null(),
		"provenance", r->provenance
			? json_pack("{s:s, s:s?, s:s?, s:o}", "path", r->provenance,
				    "sha256", r->provenance_sha256, "bundle", r->provenance_bundle,
				    "log_index", r->provenance_log_index >= 0
					? json_integer(r->provenance_log_index) : json_null())
			: json_null(),
		"index", json_pack("{s:s, s:s?, s:s?, s:b}", "upload_url", index,
				   "project_url", r->project_url, "auth", r->auth,
				   "trusted_publishing", r->trusted),
		"files", files ? files : json_array(),
		"error", failed && failed->code[0]
			? json_pack("{s:s, s:s, s:s}", "code", failed->code, "message",
				    failed->message, "hint", failed->hint)
			: json_null());
	return doc;
}

int hwb_release__write(const char *path, const char *mode, const char *index,
		       const char *source, const struct hwb_release_result *r,
		       int complete, int synced, const struct hwb_error *failed,
		       struct hwb_error *err)
{
	json_t *doc = document(mode, index, source, r, complete, failed);
	char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	char *line = text ? hwb_strdup_printf("%s\n", text) : NULL;
	int rc = -1;

	if (!line)
		hwb_error_oom(err);
	else
		rc = synced ? hwb_file_write_atomic(path, line, strlen(line), 0644, err)
			    : hwb_file_replace_cached(path, line, strlen(line), 0644, err);
	free(text);
	free(line);
	json_decref(doc);
	return rc;
}

/* ---- reading it back ---- */

static int bad_state(const char *path, const char *what, struct hwb_error *err)
{
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-L002",
		      "%s is not a release record (hwb.release/1): %s", path, what);
	hwb_error_at(err, path, 0, 0);
	return hwb_error_hint(err, "remove it to start the release over");
}

static char *dup_str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? hwb_strdup(s) : NULL;
}

static int64_t index_of(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : -1;
}

static int load_file(const char *path, json_t *f, struct hwb_release_file *out,
		     struct hwb_error *err)
{
	const char *sha = json_string_value(json_object_get(f, "sha256"));
	char *slash;

	if (!json_is_object(f) || !(out->path = dup_str(f, "path")) || !sha ||
	    strlen(sha) != 64)
		return bad_state(path, "a file without path or sha256", err);
	slash = strrchr(out->path, '/');
	out->filename = slash ? slash + 1 : out->path;
	memcpy(out->sha256, sha, 65);
	out->size = (uint64_t)json_integer_value(json_object_get(f, "size"));
	out->bundle = dup_str(f, "bundle");
	out->log_index = index_of(f, "log_index");
	out->attestation = dup_str(f, "attestation");
	out->attestation_log_index = index_of(f, "attestation_log_index");
	out->upload = dup_str(f, "upload");
	return 0;
}

static int load_steps(const char *path, json_t *steps, struct hwb_release_result *r,
		      struct hwb_error *err)
{
	int i, s;

	for (i = 0; i < HWB_RELEASE_STEPS; i++) {
		json_t *st = json_object_get(steps, hwb_release_step_name((enum hwb_release_step)i));
		const char *name = json_string_value(json_object_get(st, "status"));

		for (s = 0; name && s <= HWB_RELEASE_FAILED; s++)
			if (!strcmp(name, hwb_release_status_name((enum hwb_release_status)s)))
				break;
		if (!name || s > HWB_RELEASE_FAILED)
			return bad_state(path, "a step without a known status", err);
		r->steps[i] = (enum hwb_release_status)s;
		r->seconds[i] = json_number_value(json_object_get(st, "seconds"));
	}
	return 0;
}

static int load_doc(const char *path, json_t *doc, struct hwb_release_result *r,
		    struct hwb_error *err)
{
	json_t *files = json_object_get(doc, "files"), *signer = json_object_get(doc, "signer");
	json_t *prov = json_object_get(doc, "provenance"), *index = json_object_get(doc, "index");
	size_t i;

	if (!json_is_array(files))
		return bad_state(path, "no files list", err);
	if (load_steps(path, json_object_get(doc, "steps"), r, err))
		return -1;
	if (json_array_size(files) &&
	    !(r->files = calloc(json_array_size(files), sizeof(*r->files))))
		return hwb_error_oom(err);
	for (i = 0; i < json_array_size(files); i++) {
		r->count++; /* counted first: a file read half is freed too */
		if (load_file(path, json_array_get(files, i), &r->files[i], err))
			return -1;
	}
	r->name = dup_str(doc, "name");
	r->version = dup_str(doc, "version");
	r->identity = dup_str(signer, "identity");
	r->issuer = dup_str(signer, "issuer");
	r->log_url = dup_str(signer, "log_url");
	r->provenance = dup_str(prov, "path");
	r->provenance_sha256 = dup_str(prov, "sha256");
	r->provenance_bundle = dup_str(prov, "bundle");
	r->provenance_log_index = index_of(prov, "log_index");
	r->project_url = dup_str(index, "project_url");
	r->auth = dup_str(index, "auth");
	r->trusted = json_is_true(json_object_get(index, "trusted_publishing"));
	return 0;
}

static int same(json_t *doc, const char *key, const char *want)
{
	const char *have = json_string_value(json_object_get(doc, key));

	return have && want && !strcmp(have, want);
}

int hwb_release__parse(const char *text, size_t len, const char *path,
		       const char *mode, const char *index, const char *source,
		       struct hwb_release_result *r, int *found, int *complete,
		       struct hwb_error *err)
{
	json_error_t jerr;
	json_t *doc;
	int rc = -1;

	*found = *complete = 0;
	if (!(doc = json_loadb(text ? text : "", len, 0, &jerr)) || !json_is_object(doc) ||
	    !same(doc, "schema", HWB_RELEASE__SCHEMA)) {
		bad_state(path, doc ? "another schema" : jerr.text, err);
		goto cleanup;
	}
	rc = 0;
	if (!same(doc, "mode", mode) || !same(doc, "source", source) ||
	    !same(json_object_get(doc, "index"), "upload_url", index))
		goto cleanup; /* another run's record: replaced */
	if ((rc = load_doc(path, doc, r, err)))
		goto cleanup;
	*found = 1;
	*complete = same(doc, "state", "complete");
cleanup:
	json_decref(doc);
	return rc;
}

int hwb_release__load(const char *path, const char *mode, const char *index,
		      const char *source, struct hwb_release_result *r,
		      int *found, int *complete, struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	int rc;

	*found = *complete = 0;
	if (access(path, F_OK) && errno == ENOENT)
		return 0; /* none yet */
	rc = hwb_file_read_all(path, STATE_MAX, &text, err) ||
	     hwb_release__parse(text.ptr, text.len, path, mode, index, source, r, found,
				complete, err) ? -1 : 0;
	hwb_buf_release(&text);
	return rc;
}
