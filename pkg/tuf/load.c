/* SPDX-License-Identifier: Apache-2.0 */
/*
 * load.c: reading the cache offline. The cached files were verified when
 * they were written, but the cache is only a directory: each read checks
 * them again as python-tuf does with its local metadata (the root signed
 * by itself, timestamp/snapshot/targets by the root's keys, snapshot and
 * targets against the versions and hashes that refer to them, the target
 * file against its length and hashes). Expiry is reported, not refused:
 * offline, stale trust is the caller's call (hwb verify warns).
 */
#include <string.h>

#include "pkg/tuf/internal.h"

struct chain {
	struct tuf_meta root, timestamp, snapshot, targets;
	int64_t updated;
	const char *dir;
};

int hwb_tuf__root_self_check(struct tuf_meta *root, struct hwb_error *err)
{
	return hwb_tuf__verify_role(&root->keys, &root->roles[TUF_ROLE_ROOT],
				    "itself", root, err);
}

static void chain_release(struct chain *c)
{
	hwb_tuf__meta_release(&c->root);
	hwb_tuf__meta_release(&c->timestamp);
	hwb_tuf__meta_release(&c->snapshot);
	hwb_tuf__meta_release(&c->targets);
}

static int corrupt(const char *dir, struct hwb_error *err)
{
	char msg[sizeof(err->message)];

	snprintf(msg, sizeof(msg), "%s", err->message);
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-R015",
		      "TUF cache %s does not verify: %s", dir, msg);
	return hwb_error_hint(err, "run 'hwb trust update' to refresh it (or "
			      "delete the directory)");
}

/* Read and parse one cached metadata file; 1 when it is missing. */
static int read_meta(struct chain *c, const char *name, enum tuf_type type,
		     size_t max, struct tuf_meta *m, int64_t *mtime,
		     struct hwb_error *err)
{
	struct hwb_buf text = HWB_BUF_INIT;
	char file[96];
	int rc;

	snprintf(file, sizeof(file), "cached %s", name);
	rc = hwb_tuf__cache_read(c->dir, name, max, &text, mtime, err);
	if (!rc)
		rc = hwb_tuf__meta_parse(m, type, file, text.ptr, text.len, err);
	hwb_buf_release(&text);
	return rc;
}

static int check_ref(const struct tuf_meta *referrer, const char *name,
		     const struct tuf_meta *m, struct hwb_error *err)
{
	const struct tuf_fileinfo *fi = hwb_tuf__meta_find(referrer, name);

	if (!fi || fi->version != m->version) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-R008",
			      "%s is not the version %s lists", m->file,
			      referrer->file);
		return -1;
	}
	return hwb_tuf__check_file(fi, m->file, m->raw.ptr, m->raw.len, 0,
				   "HWB-R007", err);
}

static int load_chain(const struct hwb_tuf_repo *repo, struct chain *c,
		      struct hwb_error *err)
{
	const struct tuf_role *roles;
	int rc;

	memset(c, 0, sizeof(*c));
	c->dir = repo->cache_dir;
	rc = read_meta(c, "root.json", TUF_ROOT, HWB_TUF_ROOT_MAX, &c->root, NULL, err);
	if (!rc)
		rc = read_meta(c, "timestamp.json", TUF_TIMESTAMP,
			       HWB_TUF_TIMESTAMP_MAX, &c->timestamp, &c->updated, err);
	if (!rc)
		rc = read_meta(c, "snapshot.json", TUF_SNAPSHOT,
			       HWB_TUF_SNAPSHOT_MAX, &c->snapshot, NULL, err);
	if (!rc)
		rc = read_meta(c, "targets.json", TUF_TARGETS, HWB_TUF_TARGETS_MAX,
			       &c->targets, NULL, err);
	if (rc == 1) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-R015",
			      "TUF cache %s holds no complete update", c->dir);
		return hwb_error_hint(err, "run 'hwb trust update'");
	}
	roles = c->root.roles;
	if (rc || hwb_tuf__root_self_check(&c->root, err) ||
	    hwb_tuf__verify_role(&c->root.keys, &roles[TUF_ROLE_TIMESTAMP], "root",
				 &c->timestamp, err) ||
	    check_ref(&c->timestamp, "snapshot.json", &c->snapshot, err) ||
	    hwb_tuf__verify_role(&c->root.keys, &roles[TUF_ROLE_SNAPSHOT], "root",
				 &c->snapshot, err) ||
	    check_ref(&c->snapshot, "targets.json", &c->targets, err) ||
	    hwb_tuf__verify_role(&c->root.keys, &roles[TUF_ROLE_TARGETS], "root",
				 &c->targets, err))
		return corrupt(c->dir, err);
	return 0;
}

static void fill_state(const struct chain *c, struct hwb_tuf_state *st)
{
	st->root.version = c->root.version;
	st->root.expires = c->root.expires;
	st->timestamp.version = c->timestamp.version;
	st->timestamp.expires = c->timestamp.expires;
	st->snapshot.version = c->snapshot.version;
	st->snapshot.expires = c->snapshot.expires;
	st->targets.version = c->targets.version;
	st->targets.expires = c->targets.expires;
	st->updated = c->updated;
}

/* A delegated role from the cache, verified like a downloaded one. */
static int get_cached(void *ctx, const struct tuf_meta *delegator,
		      const struct tuf_role *role, struct tuf_meta *m,
		      struct hwb_error *err)
{
	struct chain *c = ctx;
	struct hwb_buf name = HWB_BUF_INIT, file = HWB_BUF_INIT;
	int rc = -1;

	if (hwb_buf_printf(&name, "%s.json", role->name) ||
	    hwb_tuf__cache_name(&file, "delegated", name.ptr)) {
		hwb_error_oom(err);
	} else if (!(rc = read_meta(c, file.ptr, TUF_TARGETS,
				    HWB_TUF_TARGETS_MAX, m, NULL, err))) {
		rc = hwb_tuf__verify_role(&delegator->dkeys, role,
					  delegator->file, m, err) ||
		     check_ref(&c->snapshot, name.ptr, m, err);
	} else if (rc == 1) {
		rc = hwb_error_set(err, HWB_KIND_FAILED, "HWB-R015",
				   "the delegated role %s is not cached", name.ptr);
	}
	hwb_buf_release(&name);
	hwb_buf_release(&file);
	return rc ? -1 : 0;
}

int hwb_tuf__state_nolock(const struct hwb_tuf_repo *repo,
			  struct hwb_tuf_state *st, struct hwb_error *err)
{
	struct chain c;
	int rc = load_chain(repo, &c, err);

	if (!rc)
		fill_state(&c, st);
	chain_release(&c);
	return rc;
}

int hwb_tuf_load_state(const struct hwb_tuf_repo *repo,
		       struct hwb_tuf_state *st, struct hwb_error *err)
{
	int lock, rc;

	memset(st, 0, sizeof(*st));
	if (hwb_tuf__lock(repo->cache_dir, 0, &lock, err))
		return -1;
	rc = hwb_tuf__state_nolock(repo, st, err);
	hwb_tuf__unlock(lock);
	return rc;
}

int hwb_tuf_load(const struct hwb_tuf_repo *repo, const char *target,
		 struct hwb_buf *out, struct hwb_tuf_state *st,
		 struct hwb_error *err)
{
	struct hwb_buf name = HWB_BUF_INIT, text = HWB_BUF_INIT;
	struct tuf_meta owner;
	struct tuf_fileinfo fi;
	struct chain c;
	struct tuf_source src;
	int lock, rc = -1;

	memset(&owner, 0, sizeof(owner));
	if (st)
		memset(st, 0, sizeof(*st));
	if (hwb_tuf__lock(repo->cache_dir, 0, &lock, err))
		return -1;
	if (load_chain(repo, &c, err))
		goto done;
	src.get = get_cached;
	src.ctx = &c;
	if (hwb_tuf__find_target(&c.targets, target, &src, &owner, &fi, err) ||
	    hwb_tuf__cache_name(&name, "targets", target)) {
		corrupt(c.dir, err);
		goto done;
	}
	rc = hwb_tuf__cache_read(c.dir, name.ptr, HWB_TUF_TARGET_MAX, &text,
				 NULL, err);
	if (rc == 1)
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-R015",
			      "target %s is not cached", target);
	if (rc || hwb_tuf__check_file(&fi, name.ptr, text.ptr, text.len, 1,
				      "HWB-R011", err)) {
		rc = corrupt(c.dir, err);
		goto done;
	}
	if (hwb_buf_set(out, text.ptr, text.len)) {
		rc = hwb_error_oom(err);
		goto done;
	}
	if (st)
		fill_state(&c, st);
	rc = 0;
done:
	hwb_tuf__meta_release(&owner);
	chain_release(&c);
	hwb_tuf__unlock(lock);
	hwb_buf_release(&name);
	hwb_buf_release(&text);
	return rc;
}
