/* SPDX-License-Identifier: Apache-2.0 */
/*
 * load.c: reading the cache offline (hwb verify, sign, trust show).
 *
 * What is checked on each read, and why not the signatures again. The TUF
 * checks (signatures and thresholds along the root chain from the anchor,
 * versions, rollback, expiry, hashes) are made when an update fetches the
 * files, and only a complete update that passed all of them is written to
 * the cache, under its exclusive lock. The cache keeps the latest root
 * only, so a reader cannot walk the chain back to the embedded anchor:
 * checking the signatures again proves only that the files agree with the
 * cached root, which anyone able to write the cache can replace with a
 * root signed by keys of their own. Such a writer runs as the user (or was
 * handed the cache through XDG_CACHE_HOME), and could as well change the
 * user's configuration (trust.tuf-url), the hwb binary or its arguments; a
 * MAC would need a key stored beside the cache. So a read spends no
 * signature verification; it checks that the cache is the whole, intact
 * output of one update: every metadata file parses, the snapshot and
 * targets metadata (and a delegated role) are the versions with the
 * lengths and hashes their referrer lists, and each target file has the
 * length and hashes its targets metadata lists. That finds what really
 * happens to a cache: a file a crash left empty or old (files are renamed
 * into place without fsync, see cache.c), a hand edit, a disk error.
 * Expiry is reported in the state, not refused: offline, stale trust is
 * the caller's call (hwb verify warns).
 */
#include <string.h>

#include "pkg/tuf/internal.h"

struct chain {
	struct tuf_meta root, timestamp, snapshot, targets;
	int64_t updated;
	const char *dir;
};

static void chain_release(struct chain *c)
{
	hwb_tuf__meta_release(&c->root);
	hwb_tuf__meta_release(&c->timestamp);
	hwb_tuf__meta_release(&c->snapshot);
	hwb_tuf__meta_release(&c->targets);
}

static int no_cache(const char *dir, struct hwb_error *err)
{
	hwb_error_set(err, HWB_KIND_CONFIG, "HWB-R015",
		      "TUF cache %s holds no complete update", dir);
	return hwb_error_hint(err, "run 'hwb trust update'");
}

static int corrupt(const char *dir, struct hwb_error *err)
{
	char msg[sizeof(err->message)];

	snprintf(msg, sizeof(msg), "%s", err->message);
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-R015",
		      "TUF cache %s is damaged or incomplete: %s", dir, msg);
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
	if (rc == 1)
		return no_cache(c->dir, err);
	if (rc || check_ref(&c->timestamp, "snapshot.json", &c->snapshot, err) ||
	    check_ref(&c->snapshot, "targets.json", &c->targets, err))
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

/* A delegated role from the cache: the version and hashes the cached
 * snapshot lists. */
static int get_cached(void *ctx, const struct tuf_meta *delegator,
		      const struct tuf_role *role, struct tuf_meta *m,
		      struct hwb_error *err)
{
	struct chain *c = ctx;
	struct hwb_buf name = HWB_BUF_INIT, file = HWB_BUF_INIT;
	int rc = -1;

	(void)delegator; /* its signatures were checked by the update */
	if (hwb_buf_printf(&name, "%s.json", role->name) ||
	    hwb_tuf__cache_name(&file, "delegated", name.ptr)) {
		hwb_error_oom(err);
	} else if (!(rc = read_meta(c, file.ptr, TUF_TARGETS,
				    HWB_TUF_TARGETS_MAX, m, NULL, err))) {
		rc = check_ref(&c->snapshot, name.ptr, m, err);
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

/* Read one target into out, checked against the metadata listing it. */
static int load_target(struct chain *c, const char *target,
		       struct hwb_buf *out, struct hwb_error *err)
{
	struct tuf_source src = { get_cached, c };
	struct hwb_buf name = HWB_BUF_INIT;
	struct tuf_meta owner;
	struct tuf_fileinfo fi;
	int rc = -1;

	memset(&owner, 0, sizeof(owner));
	if (hwb_tuf__find_target(&c->targets, target, &src, &owner, &fi, err) ||
	    hwb_tuf__cache_name(&name, "targets", target))
		goto done;
	rc = hwb_tuf__cache_read(c->dir, name.ptr, HWB_TUF_TARGET_MAX, out,
				 NULL, err);
	if (rc == 1)
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-R015",
			      "target %s is not cached", target);
	if (!rc)
		rc = hwb_tuf__check_file(&fi, name.ptr, out->ptr, out->len, 1,
					 "HWB-R011", err);
done:
	hwb_tuf__meta_release(&owner);
	hwb_buf_release(&name);
	return rc ? -1 : 0;
}

int hwb_tuf_load(const struct hwb_tuf_repo *repo, const char *const *targets,
		 size_t ntargets, struct hwb_buf *out, struct hwb_tuf_state *st,
		 struct hwb_error *err)
{
	struct chain c;
	size_t i;
	int lock, rc;

	if (st)
		memset(st, 0, sizeof(*st));
	rc = hwb_tuf__lock(repo->cache_dir, 0, &lock, err);
	if (rc)
		return rc == 1 ? no_cache(repo->cache_dir, err) : -1;
	rc = load_chain(repo, &c, err);
	for (i = 0; !rc && i < ntargets; i++)
		if (load_target(&c, targets[i], &out[i], err))
			rc = corrupt(c.dir, err);
	if (!rc && st)
		fill_state(&c, st);
	chain_release(&c);
	hwb_tuf__unlock(lock);
	return rc;
}
