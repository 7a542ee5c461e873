/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: pkg/tuf's parsed metadata and the steps the client workflow
 * (update.c) and the offline load (load.c) share. Not for other packages.
 */
#pragma once

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/tuf/tuf.h"

enum tuf_type { TUF_ROOT, TUF_TIMESTAMP, TUF_SNAPSHOT, TUF_TARGETS };

/* Role indexes in root metadata's "roles", in this order. */
enum { TUF_ROLE_ROOT, TUF_ROLE_TIMESTAMP, TUF_ROLE_SNAPSHOT, TUF_ROLE_TARGETS,
       TUF_ROLE_COUNT };

/* A public key from a "keys" object; the OpenSSL key is made on first use. */
struct tuf_key {
	const char *keyid;   /* borrowed from the document */
	const json_t *obj;   /* the key object, borrowed */
	void *pkey;          /* EVP_PKEY, owned; NULL until loaded */
	int unusable;        /* unsupported type or bad key: never counts */
};

struct tuf_keyring {
	struct tuf_key *keys;
	size_t count;
};

/* A role's keys and threshold; for a delegation also its paths. */
struct tuf_role {
	const char *name;
	const char **keyids; /* borrowed strings, owned array */
	size_t keyid_count;
	int64_t threshold;
	const char **paths;  /* "paths" patterns; owned array */
	size_t path_count;
	const char **prefixes; /* "path_hash_prefixes"; owned array */
	size_t prefix_count;
	int has_paths, has_prefixes, terminating;
};

/* A METAFILES or TARGETS entry: version (metadata) or length and hashes. */
struct tuf_fileinfo {
	const char *name;
	int64_t version;     /* 0 for target files */
	int64_t length;      /* -1 when not given */
	const json_t *hashes; /* borrowed; NULL when not given */
};

/* One parsed metadata file. */
struct tuf_meta {
	enum tuf_type type;
	char file[160];       /* name for messages ("timestamp.json") */
	json_t *doc;          /* owned */
	struct hwb_buf raw;   /* the bytes as read */
	struct hwb_buf signed_canon; /* canonical form of "signed" */
	int64_t version, expires;
	const json_t *signatures;
	/* root */
	int consistent_snapshot;
	struct tuf_keyring keys;
	struct tuf_role roles[TUF_ROLE_COUNT];
	/* timestamp, snapshot */
	struct tuf_fileinfo *meta;
	size_t meta_count;
	/* targets */
	const json_t *targets;
	struct tuf_keyring dkeys;
	struct tuf_role *droles;
	size_t drole_count;
};

/* canonical.c */
int hwb_tuf__canonical_value(struct hwb_buf *out, const json_t *v,
			     struct hwb_error *err);

/* metadata.c: parse raw bytes (copied) as metadata of type. Returns 0 or
 * -1 with HWB-R001/R002 naming file. m is released first on failure. */
int hwb_tuf__meta_parse(struct tuf_meta *m, enum tuf_type type,
			const char *file, const char *raw, size_t len,
			struct hwb_error *err);
void hwb_tuf__meta_release(struct tuf_meta *m);
/* Move src into dst (dst released first); src becomes empty. */
void hwb_tuf__meta_move(struct tuf_meta *dst, struct tuf_meta *src);
const struct tuf_fileinfo *hwb_tuf__meta_find(const struct tuf_meta *m,
					      const char *name);
int hwb_tuf__parse_time(const char *s, int64_t *out);

/* keys.c: does a threshold of role's keys (from ring) sign m? Each keyid
 * counts once, however often it appears in "signatures". HWB-R003 naming
 * m->file and who should have signed. */
int hwb_tuf__verify_role(const struct tuf_keyring *ring,
			 const struct tuf_role *role, const char *signer,
			 const struct tuf_meta *m, struct hwb_error *err);
void hwb_tuf__keyring_release(struct tuf_keyring *ring);
/* Make every key's OpenSSL key now (keys are otherwise made on first use,
 * only those a threshold needs): for the fuzz target. */
void hwb_tuf__keyring_load(struct tuf_keyring *ring);

/* hashes: data against a fileinfo's length and hashes (HWB-R007 for
 * metadata, HWB-R011 for targets). At least one known hash must match
 * when need_hash. */
int hwb_tuf__check_file(const struct tuf_fileinfo *fi, const char *what,
			const void *data, size_t len, int need_hash,
			const char *code, struct hwb_error *err);

/* Does the delegated role cover target path? (paths or hash prefixes) */
int hwb_tuf__role_matches(const struct tuf_role *role, const char *path);

/* Target search (search.c): the top-level targets first, then a pre-order
 * depth-first walk of the delegations, each delegated role got through
 * get (from the network or the cache) and verified. */
struct tuf_source {
	/* Fill m with the verified delegated role name, or -1 with err. */
	int (*get)(void *ctx, const struct tuf_meta *delegator,
		   const struct tuf_role *role, struct tuf_meta *m,
		   struct hwb_error *err);
	void *ctx;
};
int hwb_tuf__find_target(const struct tuf_meta *top, const char *path,
			 const struct tuf_source *src, struct tuf_meta *owner,
			 struct tuf_fileinfo *out, struct hwb_error *err);

/* cache.c: an exclusive lock (an update) creates the directory and its
 * lock file; a shared one (a reader) returns 1 when there is none. */
int hwb_tuf__lock(const char *dir, int exclusive, int *fd_out,
		  struct hwb_error *err);
void hwb_tuf__unlock(int fd);
/* Read DIR/name (at most max bytes); 1 when missing, 0 read, -1 error. */
int hwb_tuf__cache_read(const char *dir, const char *name, size_t max,
			struct hwb_buf *out, int64_t *mtime,
			struct hwb_error *err);
int hwb_tuf__cache_write(const char *dir, const char *name, const void *data,
			 size_t len, struct hwb_error *err);
void hwb_tuf__cache_remove(const char *dir, const char *name);
/* A target's or delegated role's file name inside the cache: the name with
 * '/' and '%' percent-encoded, under "targets/" or "delegated/". */
int hwb_tuf__cache_name(struct hwb_buf *out, const char *sub,
			const char *name);

/* load.c: the cache's state with the lock already held. */
int hwb_tuf__state_nolock(const struct hwb_tuf_repo *repo,
			  struct hwb_tuf_state *st, struct hwb_error *err);
