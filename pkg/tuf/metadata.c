/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metadata.c: reads TUF metadata files (specification, "Document formats"):
 * the signed envelope, then the fields of root, timestamp, snapshot and
 * targets that the client workflow uses, with the types the specification
 * gives them. Unknown fields are kept (they are part of the signed bytes)
 * and otherwise ignored. Nothing is verified here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/tuf/internal.h"

static const char *const type_names[] = { "root", "timestamp", "snapshot",
					   "targets" };
static const char *const role_names[] = { "root", "timestamp", "snapshot",
					  "targets" };

static int bad(struct hwb_error *err, const char *file, const char *what)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-R001",
		      "TUF metadata %s: %s", file, what);
	return hwb_error_hint(err, "the repository serves malformed "
			      "metadata; check the repository URL, or report it "
			      "to the repository's maintainers");
}

int hwb_tuf__parse_time(const char *s, int64_t *out)
{
	struct tm tm;
	const char *end;

	/* The specification's form: "YYYY-MM-DDTHH:MM:SSZ" (python-tuf's
	 * Signed.from_dict accepts only this form too). */
	if (strlen(s) != 20)
		return -1;
	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	*out = (int64_t)timegm(&tm);
	return 0;
}

/* A positive integer member (version, threshold). */
static int get_positive(const json_t *obj, const char *name, int64_t *out)
{
	const json_t *v = json_object_get(obj, name);

	if (!json_is_integer(v) || json_integer_value(v) < 1)
		return -1;
	*out = (int64_t)json_integer_value(v);
	return 0;
}

/* An array of strings, unique (python-tuf's Role refuses duplicate
 * keyids, which would otherwise let one key count twice). */
static int string_list(const json_t *arr, const char ***out, size_t *count,
		       int unique)
{
	size_t i, j, n;

	*out = NULL;
	*count = 0;
	if (!json_is_array(arr))
		return -1;
	n = json_array_size(arr);
	if (n && !(*out = calloc(n, sizeof(**out))))
		return -2;
	for (i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));

		if (!s)
			return -1;
		for (j = 0; unique && j < i; j++)
			if (!strcmp((*out)[j], s))
				return -1;
		(*out)[i] = s;
	}
	*count = n;
	return 0;
}

static void role_release(struct tuf_role *r)
{
	free(r->keyids);
	free(r->paths);
	free(r->prefixes);
	memset(r, 0, sizeof(*r));
}

static int parse_role(struct tuf_role *r, const json_t *obj, const char *file,
		      const char *what, struct hwb_error *err)
{
	int rc;

	if (!json_is_object(obj))
		return bad(err, file, what);
	rc = string_list(json_object_get(obj, "keyids"), &r->keyids,
			 &r->keyid_count, 1);
	if (rc == -2)
		return hwb_error_oom(err);
	if (rc || get_positive(obj, "threshold", &r->threshold))
		return bad(err, file, what);
	return 0;
}

static int parse_keys(struct tuf_keyring *ring, const json_t *keys,
		      const char *file, struct hwb_error *err)
{
	const char *keyid;
	json_t *key;
	size_t i = 0;

	if (!json_is_object(keys))
		return bad(err, file, "\"keys\" is not an object");
	if (json_object_size(keys) &&
	    !(ring->keys = calloc(json_object_size(keys), sizeof(*ring->keys))))
		return hwb_error_oom(err);
	json_object_foreach((json_t *)keys, keyid, key) {
		if (!json_is_object(key) ||
		    !json_is_string(json_object_get(key, "keytype")) ||
		    !json_is_string(json_object_get(key, "scheme")) ||
		    !json_is_object(json_object_get(key, "keyval")))
			return bad(err, file, "a key lacks keytype, scheme or keyval");
		ring->keys[i].keyid = keyid;
		ring->keys[i].obj = key;
		ring->count = ++i;
	}
	return 0;
}

static int parse_root(struct tuf_meta *m, const json_t *s, struct hwb_error *err)
{
	const json_t *roles = json_object_get(s, "roles");
	const json_t *cs = json_object_get(s, "consistent_snapshot");
	int i;

	if (cs && !json_is_boolean(cs))
		return bad(err, m->file, "\"consistent_snapshot\" is not a boolean");
	m->consistent_snapshot = json_is_true(cs);
	if (parse_keys(&m->keys, json_object_get(s, "keys"), m->file, err))
		return -1;
	if (!json_is_object(roles))
		return bad(err, m->file, "\"roles\" is not an object");
	for (i = 0; i < TUF_ROLE_COUNT; i++) {
		m->roles[i].name = role_names[i];
		if (parse_role(&m->roles[i], json_object_get(roles, role_names[i]),
			       m->file, "a top-level role (root, timestamp, snapshot, "
			       "targets) is missing or lacks keyids/threshold", err))
			return -1;
	}
	return 0;
}

/* METAFILES: {"NAME": {"version": N, "length"?: L, "hashes"?: {...}}}. */
static int parse_metafiles(struct tuf_meta *m, const json_t *meta,
			   struct hwb_error *err)
{
	const char *name;
	json_t *fi;
	size_t i = 0;

	if (!json_is_object(meta))
		return bad(err, m->file, "\"meta\" is not an object");
	if (json_object_size(meta) &&
	    !(m->meta = calloc(json_object_size(meta), sizeof(*m->meta))))
		return hwb_error_oom(err);
	json_object_foreach((json_t *)meta, name, fi) {
		const json_t *len = json_object_get(fi, "length");
		const json_t *hashes = json_object_get(fi, "hashes");
		struct tuf_fileinfo *f = &m->meta[i];

		f->name = name;
		f->length = -1;
		if (!json_is_object(fi) || get_positive(fi, "version", &f->version))
			return bad(err, m->file, "a \"meta\" entry lacks a positive version");
		if (len && (!json_is_integer(len) || json_integer_value(len) < 0))
			return bad(err, m->file, "a \"meta\" length is not a non-negative integer");
		if (len)
			f->length = (int64_t)json_integer_value(len);
		if (hashes && (!json_is_object(hashes) || !json_object_size(hashes)))
			return bad(err, m->file, "a \"meta\" hashes member is not a non-empty object");
		f->hashes = hashes;
		m->meta_count = ++i;
	}
	if (m->type == TUF_TIMESTAMP && !hwb_tuf__meta_find(m, "snapshot.json"))
		return bad(err, m->file, "\"meta\" does not list snapshot.json");
	return 0;
}

static int parse_delegation(struct tuf_role *r, const json_t *obj,
			    const char *file, struct hwb_error *err)
{
	const json_t *paths = json_object_get(obj, "paths");
	const json_t *prefixes = json_object_get(obj, "path_hash_prefixes");
	const json_t *term = json_object_get(obj, "terminating");
	int rc = 0;

	if (parse_role(r, obj, file, "a delegated role lacks keyids/threshold", err))
		return -1;
	if (!(r->name = json_string_value(json_object_get(obj, "name"))) ||
	    !json_is_boolean(term))
		return bad(err, file, "a delegated role lacks a name or terminating");
	r->terminating = json_is_true(term);
	if (paths && prefixes)
		return bad(err, file, "a delegated role has both paths and "
			   "path_hash_prefixes");
	if (paths)
		rc = string_list(paths, &r->paths, &r->path_count, 0);
	else if (prefixes)
		rc = string_list(prefixes, &r->prefixes, &r->prefix_count, 0);
	if (rc == -2)
		return hwb_error_oom(err);
	if (rc)
		return bad(err, file, "a delegated role's paths are not strings");
	r->has_paths = paths != NULL;
	r->has_prefixes = prefixes != NULL;
	return 0;
}

static int parse_targets(struct tuf_meta *m, const json_t *s,
			 struct hwb_error *err)
{
	const json_t *dl = json_object_get(s, "delegations"), *roles;
	const char *name;
	json_t *t;
	size_t i, j;

	m->targets = json_object_get(s, "targets");
	if (!json_is_object(m->targets))
		return bad(err, m->file, "\"targets\" is not an object");
	json_object_foreach((json_t *)m->targets, name, t) {
		const json_t *len = json_object_get(t, "length");
		const json_t *hashes = json_object_get(t, "hashes");

		if (!json_is_integer(len) || json_integer_value(len) < 0 ||
		    !json_is_object(hashes) || !json_object_size(hashes))
			return bad(err, m->file, "a target lacks a length or hashes");
	}
	if (!dl)
		return 0;
	roles = json_object_get(dl, "roles");
	if (!json_is_object(dl) || !json_is_array(roles))
		return bad(err, m->file, "\"delegations\" lacks keys or roles "
			   "(succinct_roles is not supported)");
	if (parse_keys(&m->dkeys, json_object_get(dl, "keys"), m->file, err))
		return -1;
	if (json_array_size(roles) &&
	    !(m->droles = calloc(json_array_size(roles), sizeof(*m->droles))))
		return hwb_error_oom(err);
	for (i = 0; i < json_array_size(roles); i++) {
		m->drole_count = i + 1;
		if (parse_delegation(&m->droles[i], json_array_get(roles, i),
				     m->file, err))
			return -1;
		for (j = 0; j < i; j++)
			if (!strcmp(m->droles[j].name, m->droles[i].name))
				return bad(err, m->file, "two delegated roles have one name");
	}
	return 0;
}

static int parse_common(struct tuf_meta *m, const json_t *s,
			struct hwb_error *err)
{
	const char *type = json_string_value(json_object_get(s, "_type"));
	const char *spec = json_string_value(json_object_get(s, "spec_version"));
	const char *expires = json_string_value(json_object_get(s, "expires"));
	char msg[128];

	if (!type || strcmp(type, type_names[m->type])) {
		snprintf(msg, sizeof(msg), "\"_type\" is not \"%s\"",
			 type_names[m->type]);
		return bad(err, m->file, msg);
	}
	/* Major version 1: python-tuf's Signed refuses other majors too. */
	if (!spec || strncmp(spec, "1.", 2))
		return bad(err, m->file, "\"spec_version\" is not 1.x");
	if (get_positive(s, "version", &m->version))
		return bad(err, m->file, "\"version\" is not a positive integer");
	if (!expires || hwb_tuf__parse_time(expires, &m->expires))
		return bad(err, m->file, "\"expires\" is not YYYY-MM-DDTHH:MM:SSZ");
	return 0;
}

static int parse_signatures(struct tuf_meta *m, struct hwb_error *err)
{
	size_t i;

	if (!json_is_array(m->signatures))
		return bad(err, m->file, "\"signatures\" is not an array");
	for (i = 0; i < json_array_size(m->signatures); i++) {
		const json_t *sig = json_array_get(m->signatures, i);

		if (!json_is_string(json_object_get(sig, "keyid")) ||
		    !json_is_string(json_object_get(sig, "sig")))
			return bad(err, m->file, "a signature lacks keyid or sig");
	}
	return 0;
}

static int parse_body(struct tuf_meta *m, struct hwb_error *err)
{
	const json_t *s = json_object_get(m->doc, "signed");

	m->signatures = json_object_get(m->doc, "signatures");
	if (!json_is_object(s))
		return bad(err, m->file, "no \"signed\" object");
	if (parse_signatures(m, err) || parse_common(m, s, err))
		return -1;
	if (hwb_tuf__canonical_value(&m->signed_canon, s, err))
		return hwb_error_at(err, m->file, 0, 0);
	switch (m->type) {
	case TUF_ROOT:
		return parse_root(m, s, err);
	case TUF_TIMESTAMP:
	case TUF_SNAPSHOT:
		return parse_metafiles(m, json_object_get(s, "meta"), err);
	case TUF_TARGETS:
		return parse_targets(m, s, err);
	}
	return 0;
}

int hwb_tuf__meta_parse(struct tuf_meta *m, enum tuf_type type,
			const char *file, const char *raw, size_t len,
			struct hwb_error *err)
{
	json_error_t jerr;
	char msg[256];

	memset(m, 0, sizeof(*m));
	hwb_buf_init(&m->raw);
	hwb_buf_init(&m->signed_canon);
	m->type = type;
	snprintf(m->file, sizeof(m->file), "%s", file);
	if (hwb_buf_set(&m->raw, raw, len))
		return hwb_error_oom(err);
	/* Duplicate names would let two readers see two documents. */
	m->doc = json_loadb(raw, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!m->doc) {
		snprintf(msg, sizeof(msg), "not JSON (line %d: %s)", jerr.line,
			 jerr.text);
		bad(err, file, msg);
	} else if (!parse_body(m, err)) {
		return 0;
	}
	hwb_tuf__meta_release(m);
	return -1;
}

void hwb_tuf__meta_release(struct tuf_meta *m)
{
	size_t i;

	for (i = 0; i < TUF_ROLE_COUNT; i++)
		role_release(&m->roles[i]);
	for (i = 0; i < m->drole_count; i++)
		role_release(&m->droles[i]);
	free(m->droles);
	free(m->meta);
	hwb_tuf__keyring_release(&m->keys);
	hwb_tuf__keyring_release(&m->dkeys);
	hwb_buf_release(&m->raw);
	hwb_buf_release(&m->signed_canon);
	json_decref(m->doc);
	memset(m, 0, sizeof(*m));
	hwb_buf_init(&m->raw);
	hwb_buf_init(&m->signed_canon);
}

void hwb_tuf__meta_move(struct tuf_meta *dst, struct tuf_meta *src)
{
	hwb_tuf__meta_release(dst);
	*dst = *src;
	memset(src, 0, sizeof(*src));
	hwb_buf_init(&src->raw);
	hwb_buf_init(&src->signed_canon);
}

const struct tuf_fileinfo *hwb_tuf__meta_find(const struct tuf_meta *m,
					      const char *name)
{
	size_t i;

	for (i = 0; i < m->meta_count; i++)
		if (!strcmp(m->meta[i].name, name))
			return &m->meta[i];
	return NULL;
}

int64_t hwb_tuf_root_version(const char *json, size_t len)
{
	json_t *doc = json_loadb(json, len, 0, NULL);
	const json_t *s = json_object_get(doc, "signed");
	int64_t v = 0;

	const char *type = json_string_value(json_object_get(s, "_type"));

	if (json_is_integer(json_object_get(s, "version")) && type &&
	    !strcmp(type, "root"))
		v = (int64_t)json_integer_value(json_object_get(s, "version"));
	json_decref(doc);
	return v;
}

int hwb_tuf_parse_check(const char *json, size_t len, struct hwb_error *err)
{
	json_t *doc = json_loadb(json, len, 0, NULL);
	const char *type = json_string_value(
		json_object_get(json_object_get(doc, "signed"), "_type"));
	struct tuf_meta m;
	int t;

	for (t = TUF_ROOT; t <= TUF_TARGETS; t++)
		if (type && !strcmp(type, type_names[t]))
			break;
	json_decref(doc);
	if (t > TUF_TARGETS)
		t = TUF_ROOT;
	if (hwb_tuf__meta_parse(&m, (enum tuf_type)t, "(input)", json, len, err))
		return -1;
	hwb_tuf__keyring_load(&m.keys);
	hwb_tuf__keyring_load(&m.dkeys);
	hwb_tuf__meta_release(&m);
	return 0;
}
