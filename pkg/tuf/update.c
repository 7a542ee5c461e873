/* SPDX-License-Identifier: Apache-2.0 */
/*
 * update.c: the TUF client workflow (specification section 5), step by
 * step in the specification's order: fixed start time (5.1), trusted root
 * (5.2), root versions N+1... (5.3), timestamp (5.4), snapshot (5.5),
 * targets and delegations (5.6), target files (5.7).
 *
 * One departure, for the cache's sake: the specification persists each
 * file as soon as it is verified (5.3.8, 5.4.5, 5.5.7, 5.6.6); here the
 * verified files are staged in memory and written together at the end,
 * under the cache's write lock (cache.c). A refused update therefore
 * leaves the cache exactly as it was, and the offline reader (load.c), which checks
 * the cached files against each other, never meets a new timestamp with an
 * old snapshot. A later update simply fetches again what was not kept.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/core/encode.h"
#include "pkg/core/log.h"
#include "pkg/tuf/internal.h"

struct staged {
	char *name; /* path inside the cache */
	struct hwb_buf data;
};

struct updater {
	const struct hwb_tuf_repo *repo;
	const char *targets_url;
	struct hwb_buf targets_url_buf;
	int64_t now;
	struct hwb_http_client *http;
	struct tuf_meta start_root, root, timestamp, snapshot, targets;
	struct tuf_meta old_ts, old_snap; /* cached, for rollback checks */
	struct staged *staged;
	size_t nstaged;
};

/* ---- downloads ---- */

/* GET base/name, at most max bytes. *missing (when not NULL) is set for a
 * 404 or 403 answer instead of failing: the end of the root chain. */
static int fetch(struct updater *u, const char *base, const char *name,
		 size_t max, struct hwb_buf *out, int *missing,
		 struct hwb_error *err)
{
	struct hwb_http_request req = { 0 };
	struct hwb_http_response resp = HWB_HTTP_RESPONSE_INIT;
	struct hwb_buf url = HWB_BUF_INIT;
	int rc = -1;

	if (missing)
		*missing = 0;
	if (hwb_buf_printf(&url, "%s%s%s", base,
			   base[0] && base[strlen(base) - 1] == '/' ? "" : "/", name))
		return hwb_error_oom(err);
	req.method = HWB_HTTP_GET;
	req.url = url.ptr;
	req.service = "TUF repository";
	req.max_response = max;
	if (hwb_http_send(u->http, &req, &resp, err)) {
		if (!strcmp(err->code, "HWB-H006")) {
			hwb_error_set(err, HWB_KIND_FAILED, "HWB-R012",
				      "TUF repository (%s): %s is longer than the "
				      "%zu bytes allowed for it (endless data "
				      "attack); nothing was kept", url.ptr, name, max);
			hwb_error_hint(err, "the repository or a machine in between "
				       "sends too much; try again later or "
				       "another network");
		}
		goto done;
	}
	if (missing && (resp.status == 404 || resp.status == 403)) {
		*missing = 1;
		rc = 0;
	} else if (resp.status != 200) {
		hwb_http_status_error(&req, &resp, err);
	} else {
		rc = hwb_buf_set(out, resp.body.ptr, resp.body.len)
			     ? hwb_error_oom(err) : 0;
	}
done:
	hwb_http_response_release(&resp);
	hwb_buf_release(&url);
	return rc;
}

static int stage(struct updater *u, const char *name, const struct hwb_buf *data,
		 struct hwb_error *err)
{
	struct staged *s = realloc(u->staged, (u->nstaged + 1) * sizeof(*s));

	if (!s)
		return hwb_error_oom(err);
	u->staged = s;
	s = &u->staged[u->nstaged];
	hwb_buf_init(&s->data);
	if (!(s->name = hwb_strdup(name)) ||
	    hwb_buf_set(&s->data, data->ptr, data->len)) {
		free(s->name);
		hwb_buf_release(&s->data);
		return hwb_error_oom(err);
	}
	u->nstaged++;
	return 0;
}

/* ---- the common checks ---- */

static int expired(const struct tuf_meta *m, int64_t now, struct hwb_error *err)
{
	char when[32];

	if (m->expires > now)
		return 0;
	hwb_iso_time(m->expires, when, sizeof(when));
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-R005",
		      "TUF metadata %s (version %lld) expired at %s (freeze "
		      "attack, specification 5.3.10-5.6.5)", m->file,
		      (long long)m->version, when);
	return hwb_error_hint(err, "the repository serves stale metadata; if "
			      "your clock is right, try again later or report it "
			      "to the repository's maintainers");
}

static int version_is(const struct tuf_meta *m, int64_t want, const char *by,
		      struct hwb_error *err)
{
	if (m->version == want)
		return 0;
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-R008",
		      "TUF metadata %s is version %lld, %s lists version %lld "
		      "(mix-and-match, specification 5.5.4/5.6.4)", m->file,
		      (long long)m->version, by, (long long)want);
	return hwb_error_hint(err, "the repository is inconsistent or being "
			      "tampered with; try again later");
}

static int rollback(const char *file, const char *what, long long old,
		    long long new, struct hwb_error *err)
{
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-R006",
		      "TUF metadata %s: %s is version %lld, older than the "
		      "trusted version %lld (rollback attack)", file, what, new, old);
	return hwb_error_hint(err, "the repository serves older metadata than "
			      "this machine already trusts; try again later, or "
			      "check the network path to the repository");
}

/* ---- 5.3: the root ---- */

static int update_root(struct updater *u, struct hwb_error *err)
{
	struct hwb_buf body = HWB_BUF_INIT;
	struct tuf_meta next;
	char name[48], who[96];
	int i, missing, rc = -1;

	memset(&next, 0, sizeof(next));
	for (i = 0; i < HWB_TUF_MAX_ROOT_ROTATIONS; i++) {
		snprintf(name, sizeof(name), "%lld.root.json",
			 (long long)u->root.version + 1);
		if (fetch(u, u->repo->metadata_url, name, HWB_TUF_ROOT_MAX,
			  &body, &missing, err))
			goto done;
		if (missing)
			break;
		snprintf(who, sizeof(who), "trusted root.json version %lld",
			 (long long)u->root.version);
		if (hwb_tuf__meta_parse(&next, TUF_ROOT, name, body.ptr, body.len, err) ||
		    hwb_tuf__verify_role(&u->root.keys, &u->root.roles[TUF_ROLE_ROOT],
					 who, &next, err) ||
		    hwb_tuf__verify_role(&next.keys, &next.roles[TUF_ROLE_ROOT],
					 "itself", &next, err))
			goto done;
		if (next.version != u->root.version + 1) {
			hwb_error_set(err, HWB_KIND_FAILED, "HWB-R004",
				      "TUF metadata %s holds root version %lld, not "
				      "%lld (rollback attack, specification 5.3.5)",
				      name, (long long)next.version,
				      (long long)u->root.version + 1);
			hwb_error_hint(err, "the repository serves a root out of "
				       "sequence; report it to its maintainers");
			goto done;
		}
		hwb_log_verbose("TUF: trusted root version %lld", (long long)next.version);
		hwb_tuf__meta_move(&u->root, &next);
	}
	rc = expired(&u->root, u->now, err);
done:
	hwb_tuf__meta_release(&next);
	hwb_buf_release(&body);
	return rc;
}

static int same_role(const struct tuf_role *a, const struct tuf_role *b)
{
	size_t i, j;

	if (a->threshold != b->threshold || a->keyid_count != b->keyid_count)
		return 0;
	for (i = 0; i < a->keyid_count; i++) {
		for (j = 0; j < b->keyid_count; j++)
			if (!strcmp(a->keyids[i], b->keyids[j]))
				break;
		if (j == b->keyid_count)
			return 0;
	}
	return 1;
}

/* The cached timestamp and snapshot, kept only for the rollback checks,
 * and only when they verify with the final root's keys and those keys did
 * not change (5.3.11: after a rotation they are discarded). */
static void load_old(struct updater *u)
{
	const char *dir = u->repo->cache_dir;
	struct hwb_error ignored = HWB_ERROR_INIT;
	struct hwb_buf text = HWB_BUF_INIT;
	int rotated = !same_role(&u->start_root.roles[TUF_ROLE_TIMESTAMP],
				 &u->root.roles[TUF_ROLE_TIMESTAMP]) ||
		      !same_role(&u->start_root.roles[TUF_ROLE_SNAPSHOT],
				 &u->root.roles[TUF_ROLE_SNAPSHOT]);

	if (rotated) {
		hwb_log_verbose("TUF: timestamp or snapshot keys rotated: the "
				"cached timestamp and snapshot are discarded");
		return;
	}
	if (hwb_tuf__cache_read(dir, "timestamp.json", HWB_TUF_TIMESTAMP_MAX,
				&text, NULL, &ignored) ||
	    hwb_tuf__meta_parse(&u->old_ts, TUF_TIMESTAMP, "cached timestamp.json",
				text.ptr, text.len, &ignored) ||
	    hwb_tuf__verify_role(&u->root.keys, &u->root.roles[TUF_ROLE_TIMESTAMP],
				 "root", &u->old_ts, &ignored)) {
		hwb_tuf__meta_release(&u->old_ts);
		goto done;
	}
	if (hwb_tuf__cache_read(dir, "snapshot.json", HWB_TUF_SNAPSHOT_MAX,
				&text, NULL, &ignored) ||
	    hwb_tuf__meta_parse(&u->old_snap, TUF_SNAPSHOT, "cached snapshot.json",
				text.ptr, text.len, &ignored) ||
	    hwb_tuf__verify_role(&u->root.keys, &u->root.roles[TUF_ROLE_SNAPSHOT],
				 "root", &u->old_snap, &ignored))
		hwb_tuf__meta_release(&u->old_snap);
done:
	hwb_buf_release(&text);
}

/* ---- 5.4: timestamp ---- */

static int update_timestamp(struct updater *u, struct hwb_error *err)
{
	struct hwb_buf body = HWB_BUF_INIT;
	struct tuf_meta ts;
	const struct tuf_fileinfo *nsnap, *osnap;
	int rc = -1;

	memset(&ts, 0, sizeof(ts));
	if (fetch(u, u->repo->metadata_url, "timestamp.json",
		  HWB_TUF_TIMESTAMP_MAX, &body, NULL, err) ||
	    hwb_tuf__meta_parse(&ts, TUF_TIMESTAMP, "timestamp.json", body.ptr,
				body.len, err) ||
	    hwb_tuf__verify_role(&u->root.keys, &u->root.roles[TUF_ROLE_TIMESTAMP],
				 "root", &ts, err))
		goto done;
	if (u->old_ts.version) {
		if (ts.version < u->old_ts.version) {
			rollback(ts.file, "it", u->old_ts.version, ts.version, err);
			goto done;
		}
		nsnap = hwb_tuf__meta_find(&ts, "snapshot.json");
		osnap = hwb_tuf__meta_find(&u->old_ts, "snapshot.json");
		if (nsnap->version < osnap->version) {
			rollback(ts.file, "the snapshot it lists", osnap->version,
				 nsnap->version, err);
			goto done;
		}
		/* 5.4.3.1: the same version changes nothing; keep ours */
		if (ts.version == u->old_ts.version)
			hwb_tuf__meta_move(&ts, &u->old_ts);
	}
	if (expired(&ts, u->now, err))
		goto done;
	hwb_tuf__meta_move(&u->timestamp, &ts);
	rc = 0;
done:
	hwb_tuf__meta_release(&ts);
	hwb_buf_release(&body);
	return rc;
}

/* ---- 5.5: snapshot ---- */

static int snapshot_rollback(const struct updater *u, const struct tuf_meta *s,
			     struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < u->old_snap.meta_count; i++) {
		const struct tuf_fileinfo *o = &u->old_snap.meta[i];
		const struct tuf_fileinfo *n = hwb_tuf__meta_find(s, o->name);

		if (!n) {
			hwb_error_set(err, HWB_KIND_FAILED, "HWB-R009",
				      "TUF metadata %s no longer lists %s, which the "
				      "trusted snapshot lists (rollback attack, "
				      "specification 5.5.5)", s->file, o->name);
			return hwb_error_hint(err, "the repository removed targets "
					      "metadata; report it to its maintainers");
		}
		if (n->version < o->version) {
			rollback(s->file, o->name, o->version, n->version, err);
			hwb_error_set(err, HWB_KIND_FAILED, "HWB-R009", "%s",
				      err->message);
			return -1;
		}
	}
	return 0;
}

/* The file for referenced metadata: N.NAME with consistent snapshots. */
static void meta_name(const struct updater *u, const struct tuf_fileinfo *fi,
		      char *out, size_t n)
{
	if (u->root.consistent_snapshot)
		snprintf(out, n, "%lld.%s", (long long)fi->version, fi->name);
	else
		snprintf(out, n, "%s", fi->name);
}

/*
 * Fetch metadata that fi describes (snapshot.json from the timestamp,
 * targets.json from the snapshot, a delegated role): hashes and length
 * first (they come from verified metadata), then the signatures of role,
 * then the version (5.5.1-5.5.4, 5.6.1-5.6.4).
 */
static int fetch_meta(struct updater *u, const struct tuf_fileinfo *fi,
		      enum tuf_type type, size_t max, const char *by,
		      const struct tuf_keyring *ring, const struct tuf_role *role,
		      const char *signer, struct tuf_meta *out,
		      struct hwb_error *err)
{
	struct hwb_buf body = HWB_BUF_INIT;
	char name[256], what[300];
	int rc = -1;

	meta_name(u, fi, name, sizeof(name));
	snprintf(what, sizeof(what), "TUF metadata %s", name);
	if (fi->length >= 0 && (uint64_t)fi->length < max)
		max = (size_t)fi->length;
	if (fetch(u, u->repo->metadata_url, name, max, &body, NULL, err)) {
		/* longer than its referrer lists: the wrong file, not an
		 * endless one (ECDSA signatures vary in length, so another
		 * version of the file may be a few bytes longer or shorter) */
		if (fi->length >= 0 && max == (size_t)fi->length &&
		    !strcmp(err->code, "HWB-R012")) {
			hwb_error_set(err, HWB_KIND_FAILED, "HWB-R007",
				      "%s is longer than the %lld bytes %s lists "
				      "(mix-and-match or tampering)", what,
				      (long long)fi->length, by);
			hwb_error_hint(err, "the repository is inconsistent or "
				       "being tampered with; try again later");
		}
	} else if (!hwb_tuf__check_file(fi, what, body.ptr, body.len, 0,
					"HWB-R007", err) &&
	    !hwb_tuf__meta_parse(out, type, name, body.ptr, body.len, err) &&
	    !hwb_tuf__verify_role(ring, role, signer, out, err) &&
	    !version_is(out, fi->version, by, err))
		rc = expired(out, u->now, err);
	hwb_buf_release(&body);
	return rc;
}

static int update_snapshot(struct updater *u, struct hwb_error *err)
{
	const struct tuf_fileinfo *fi = hwb_tuf__meta_find(&u->timestamp,
							   "snapshot.json");
	struct tuf_meta s;
	int rc;

	memset(&s, 0, sizeof(s));
	rc = fetch_meta(u, fi, TUF_SNAPSHOT, HWB_TUF_SNAPSHOT_MAX, "timestamp.json",
			&u->root.keys, &u->root.roles[TUF_ROLE_SNAPSHOT], "root",
			&s, err);
	if (!rc && !(rc = snapshot_rollback(u, &s, err)))
		hwb_tuf__meta_move(&u->snapshot, &s);
	hwb_tuf__meta_release(&s);
	return rc;
}

/* ---- 5.6: targets ---- */

static int update_targets(struct updater *u, struct hwb_error *err)
{
	const struct tuf_fileinfo *fi = hwb_tuf__meta_find(&u->snapshot,
							   "targets.json");
	struct tuf_meta t;
	int rc;

	if (!fi) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-R009",
			      "TUF metadata snapshot.json does not list targets.json");
		return hwb_error_hint(err, "report it to the repository's maintainers");
	}
	memset(&t, 0, sizeof(t));
	rc = fetch_meta(u, fi, TUF_TARGETS, HWB_TUF_TARGETS_MAX, "snapshot.json",
			&u->root.keys, &u->root.roles[TUF_ROLE_TARGETS], "root",
			&t, err);
	if (!rc)
		hwb_tuf__meta_move(&u->targets, &t);
	hwb_tuf__meta_release(&t);
	return rc;
}

/* A delegated role from the network, for the search (5.6.7). */
static int get_delegated(void *ctx, const struct tuf_meta *delegator,
			 const struct tuf_role *role, struct tuf_meta *m,
			 struct hwb_error *err)
{
	struct updater *u = ctx;
	struct hwb_buf name = HWB_BUF_INIT, file = HWB_BUF_INIT;
	const struct tuf_fileinfo *fi;
	int rc = -1;

	if (hwb_buf_printf(&name, "%s.json", role->name))
		return hwb_error_oom(err);
	if (!(fi = hwb_tuf__meta_find(&u->snapshot, name.ptr))) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-R010",
			      "TUF metadata snapshot.json does not list the "
			      "delegated role %s", name.ptr);
		hwb_error_hint(err, "report it to the repository's maintainers");
	} else if (!fetch_meta(u, fi, TUF_TARGETS, HWB_TUF_TARGETS_MAX,
			       "snapshot.json", &delegator->dkeys, role,
			       delegator->file, m, err) &&
		   !hwb_tuf__cache_name(&file, "delegated", name.ptr)) {
		rc = stage(u, file.ptr, &m->raw, err);
	}
	hwb_buf_release(&name);
	hwb_buf_release(&file);
	return rc;
}

/* ---- 5.7: target files ---- */

static int fetch_target(struct updater *u, const char *path,
			struct hwb_error *err)
{
	struct tuf_source src = { get_delegated, u };
	struct hwb_buf body = HWB_BUF_INIT, name = HWB_BUF_INIT;
	struct hwb_error ignored = HWB_ERROR_INIT;
	struct tuf_meta owner;
	struct tuf_fileinfo fi;
	const char *hash;
	char what[300];
	int rc = -1;

	memset(&owner, 0, sizeof(owner));
	snprintf(what, sizeof(what), "TUF target %s", path);
	if (hwb_tuf__find_target(&u->targets, path, &src, &owner, &fi, err) ||
	    hwb_tuf__cache_name(&name, "targets", path))
		goto done;
	if ((uint64_t)fi.length > HWB_TUF_TARGET_MAX) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-R012",
			      "%s is listed as %lld bytes, more than hwb reads "
			      "(%zu)", what, (long long)fi.length, HWB_TUF_TARGET_MAX);
		hwb_error_hint(err, "this is not a Sigstore trust file; check the "
			       "repository URL");
		goto done;
	}
	/* the cached copy, when it is still the one listed, spares a download */
	if (!hwb_tuf__cache_read(u->repo->cache_dir, name.ptr, (size_t)fi.length,
				 &body, NULL, &ignored) &&
	    !hwb_tuf__check_file(&fi, what, body.ptr, body.len, 1, "HWB-R011",
				 &ignored)) {
		rc = stage(u, name.ptr, &body, err);
		goto done;
	}
	hash = json_string_value(json_object_get(fi.hashes, "sha256"));
	if (!hash)
		hash = json_string_value(json_object_get(fi.hashes, "sha512"));
	hwb_buf_clear(&body);
	if (u->root.consistent_snapshot && hash) {
		/* HASH.NAME, in the path's directory */
		const char *slash = strrchr(path, '/');
		struct hwb_buf url_name = HWB_BUF_INIT;
		size_t dir = slash ? (size_t)(slash - path) + 1 : 0;

		if (hwb_buf_put(&url_name, path, dir) ||
		    hwb_buf_printf(&url_name, "%s.%s", hash, path + dir)) {
			hwb_buf_release(&url_name);
			hwb_error_oom(err);
			goto done;
		}
		rc = fetch(u, u->targets_url, url_name.ptr, (size_t)fi.length,
			   &body, NULL, err);
		hwb_buf_release(&url_name);
	} else {
		rc = fetch(u, u->targets_url, path, (size_t)fi.length, &body,
			   NULL, err);
	}
	if (rc && !strcmp(err->code, "HWB-R012")) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-R011",
			      "%s is longer than the %lld bytes its metadata "
			      "lists (specification 5.7.3); nothing was kept",
			      what, (long long)fi.length);
		hwb_error_hint(err, "the repository is inconsistent or being "
			       "tampered with; try again later");
	}
	if (!rc)
		rc = hwb_tuf__check_file(&fi, what, body.ptr, body.len, 1,
					 "HWB-R011", err) ||
		     stage(u, name.ptr, &body, err);
done:
	hwb_tuf__meta_release(&owner);
	hwb_buf_release(&body);
	hwb_buf_release(&name);
	return rc ? -1 : 0;
}

/* ---- start and end ---- */

static int root_self_check(struct tuf_meta *root, struct hwb_error *err)
{
	return hwb_tuf__verify_role(&root->keys, &root->roles[TUF_ROLE_ROOT],
				    "itself", root, err);
}

/* The trusted root: the cached one when it verifies and is not older than
 * the anchor, else the anchor (5.2). */
static int load_trusted_root(struct updater *u, struct hwb_tuf_state *before,
			     struct hwb_error *err)
{
	struct hwb_error cerr = HWB_ERROR_INIT;
	struct hwb_buf text = HWB_BUF_INIT;
	struct tuf_meta cached;
	int rc;

	memset(&cached, 0, sizeof(cached));
	if (hwb_tuf__meta_parse(&u->root, TUF_ROOT, u->repo->anchor_name,
				u->repo->anchor, u->repo->anchor_len, err) ||
	    root_self_check(&u->root, err))
		return -1;
	rc = hwb_tuf__cache_read(u->repo->cache_dir, "root.json",
				 HWB_TUF_ROOT_MAX, &text, NULL, &cerr);
	if (!rc && !hwb_tuf__meta_parse(&cached, TUF_ROOT, "cached root.json",
					text.ptr, text.len, &cerr) &&
	    !root_self_check(&cached, &cerr)) {
		if (cached.version >= u->root.version)
			hwb_tuf__meta_move(&u->root, &cached);
	} else if (rc != 1) {
		hwb_log_warn("%s: %s; starting again from %s", cerr.code,
			     cerr.message, u->repo->anchor_name);
	}
	hwb_tuf__meta_release(&cached);
	hwb_buf_release(&text);
	if (before) {
		struct hwb_error ignored = HWB_ERROR_INIT;

		memset(before, 0, sizeof(*before));
		hwb_tuf__state_nolock(u->repo, before, &ignored);
		if (!before->root.version) {
			before->root.version = u->root.version;
			before->root.expires = u->root.expires;
		}
	}
	/* start_root: the root whose timestamp/snapshot keys 5.3.11 compares */
	return hwb_tuf__meta_parse(&u->start_root, TUF_ROOT, u->root.file,
				   u->root.raw.ptr, u->root.raw.len, err);
}

static int commit(struct updater *u, struct hwb_error *err)
{
	const char *dir = u->repo->cache_dir;
	const struct tuf_meta *m[] = { &u->targets, &u->snapshot, &u->timestamp,
				       &u->root };
	static const char *const names[] = { "targets.json", "snapshot.json",
					     "timestamp.json", "root.json" };
	size_t i;
	int lock, rc = 0;

	if (hwb_tuf__lock(dir, ".lock", 1, &lock, err))
		return -1;
	for (i = 0; !rc && i < u->nstaged; i++)
		rc = hwb_tuf__cache_write(dir, u->staged[i].name,
					  u->staged[i].data.ptr,
					  u->staged[i].data.len, err);
	for (i = 0; !rc && i < 4; i++)
		rc = hwb_tuf__cache_write(dir, names[i], m[i]->raw.ptr,
					  m[i]->raw.len, err);
	hwb_tuf__unlock(lock);
	return rc;
}

static void updater_release(struct updater *u)
{
	size_t i;

	for (i = 0; i < u->nstaged; i++) {
		free(u->staged[i].name);
		hwb_buf_release(&u->staged[i].data);
	}
	free(u->staged);
	hwb_tuf__meta_release(&u->start_root);
	hwb_tuf__meta_release(&u->root);
	hwb_tuf__meta_release(&u->timestamp);
	hwb_tuf__meta_release(&u->snapshot);
	hwb_tuf__meta_release(&u->targets);
	hwb_tuf__meta_release(&u->old_ts);
	hwb_tuf__meta_release(&u->old_snap);
	hwb_buf_release(&u->targets_url_buf);
	hwb_http_client_free(u->http);
}

static int open_client(struct updater *u, struct hwb_error *err)
{
	struct hwb_http_options o = HWB_HTTP_OPTIONS_INIT;

	if (u->repo->http)
		o = *u->repo->http;
	if (o.timeout_ms > HWB_TUF_DOWNLOAD_TIMEOUT_MS)
		o.timeout_ms = HWB_TUF_DOWNLOAD_TIMEOUT_MS;
	u->targets_url = u->repo->targets_url;
	if (!u->targets_url) {
		if (hwb_buf_printf(&u->targets_url_buf, "%s%stargets",
				   u->repo->metadata_url,
				   u->repo->metadata_url[strlen(u->repo->metadata_url) - 1] == '/'
					   ? "" : "/"))
			return hwb_error_oom(err);
		u->targets_url = u->targets_url_buf.ptr;
	}
	return hwb_http_client_new(&u->http, &o, err);
}

int hwb_tuf_update(const struct hwb_tuf_repo *repo,
		   const char *const *targets, size_t ntargets,
		   struct hwb_tuf_state *before, struct hwb_tuf_state *after,
		   struct hwb_error *err)
{
	struct updater u;
	size_t i;
	int lock = -1, rc = -1;

	memset(&u, 0, sizeof(u));
	hwb_buf_init(&u.targets_url_buf);
	u.repo = repo;
	/* 5.1: one fixed start time for every expiry check */
	u.now = repo->now ? repo->now : (int64_t)time(NULL);
	if (!repo->metadata_url || !*repo->metadata_url)
		HWB_BUG("TUF update without a repository URL");
	/* the trusted root first: its checks overlap the loading of libcurl
	 * that hwb_http_preload() may have started */
	if (hwb_tuf__lock(repo->cache_dir, ".update", 1, &lock, err) ||
	    load_trusted_root(&u, before, err) || open_client(&u, err) ||
	    update_root(&u, err))
		goto done;
	load_old(&u);
	if (update_timestamp(&u, err) || update_snapshot(&u, err) ||
	    update_targets(&u, err))
		goto done;
	for (i = 0; i < ntargets; i++)
		if (fetch_target(&u, targets[i], err))
			goto done;
	if (commit(&u, err))
		goto done;
	if (after) {
		struct hwb_error ignored = HWB_ERROR_INIT;

		memset(after, 0, sizeof(*after));
		hwb_tuf__state_nolock(repo, after, &ignored);
	}
	rc = 0;
done:
	hwb_tuf__unlock(lock);
	updater_release(&u);
	return rc;
}
