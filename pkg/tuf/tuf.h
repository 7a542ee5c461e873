/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tuf.h: a TUF 1.0 client (The Update Framework specification, section 5
 * "Detailed client workflow"): it brings a repository's target files (for
 * hwb: Sigstore's trusted_root.json and signing config) into a local cache,
 * starting from a trusted root.json, and reads them back from the cache
 * offline, checking that the cache is intact.
 *
 * Errors are HWB-R0xx (docs/errors.md): every refusal names the metadata
 * file, the rule of the specification it breaks and the fix. Depends on
 * pkg/core only.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "pkg/core/buf.h"
#include "pkg/core/error.h"
#include "pkg/core/http.h"

/*
 * Bounds the specification leaves to clients, with python-tuf's defaults
 * (tuf/ngclient/config.py UpdaterConfig; tuf-js src/utils/config.ts has the
 * same numbers): the most bytes read for each metadata file whose length is
 * not known in advance, the most root versions one update walks through,
 * and the most delegated roles one target search visits.
 */
#define HWB_TUF_ROOT_MAX ((size_t)512000)
#define HWB_TUF_TIMESTAMP_MAX ((size_t)16384)
#define HWB_TUF_SNAPSHOT_MAX ((size_t)2000000)
#define HWB_TUF_TARGETS_MAX ((size_t)5000000)
#define HWB_TUF_MAX_ROOT_ROTATIONS 32
#define HWB_TUF_MAX_DELEGATIONS 32
/* A target file is read up to its length in the targets metadata, and
 * never more than this (trust roots are kilobytes). */
#define HWB_TUF_TARGET_MAX ((size_t)32 << 20)
/* Whole-transfer time limit of one download: a slow or endless answer is
 * cut off (python-tuf's RequestsFetcher uses a 30 s socket timeout). */
#define HWB_TUF_DOWNLOAD_TIMEOUT_MS 30000L

/* One repository and its cache. All pointers are borrowed. */
struct hwb_tuf_repo {
	const char *metadata_url; /* base URL of N.root.json, timestamp.json... */
	const char *targets_url;  /* NULL: metadata_url + "/targets" */
	const char *cache_dir;    /* created when missing (mode 0700) */
	/* The trust anchor: a root.json used when the cache holds none or an
	 * older version. */
	const char *anchor;
	size_t anchor_len;
	const char *anchor_name;  /* "embedded production root.json", a path */
	const struct hwb_http_options *http; /* NULL: defaults */
	int64_t now;              /* the fixed update start time; 0: now */
};

/* A role's version and expiry (Unix seconds); 0 when absent. */
struct hwb_tuf_role_state {
	int64_t version;
	int64_t expires;
};

struct hwb_tuf_state {
	struct hwb_tuf_role_state root, timestamp, snapshot, targets;
	int64_t updated; /* the cache's last successful update; 0: never */
};

/**
 * Run the client workflow against the repository: update the root version
 * by version, then timestamp, snapshot, targets (following delegations only
 * for a target not listed at the top level), and download each of the
 * ntargets wanted target files (names without '/'), checked by length and
 * hashes. Everything is verified in memory first; only a complete,
 * verified update is written to the cache (each file atomically, under an
 * exclusive lock on CACHE/.lock; CACHE/.update keeps other updates out
 * meanwhile), so after any refusal the cache is as it was. before/after (may be NULL) receive the cache's state before and
 * after.
 */
int hwb_tuf_update(const struct hwb_tuf_repo *repo,
		   const char *const *targets, size_t ntargets,
		   struct hwb_tuf_state *before, struct hwb_tuf_state *after,
		   struct hwb_error *err);

/**
 * Read ntargets target files from the cache, offline, into out[0..ntargets)
 * (replacing their contents). The checks are those of an intact cache, not
 * the TUF checks again (load.c says why): the metadata files parse, the
 * snapshot and targets metadata are the versions and hashes their referrer
 * lists, and each target file has its listed length and hashes. st (may be
 * NULL) receives the versions and expiry dates, which are not refused.
 * Nothing is created: no cache (no directory or lock file, or no complete
 * update) is HWB-R015 with kind CONFIG; a cache that fails the checks is
 * HWB-R015 (FAILED) naming the file. ntargets 0 reads the state alone.
 */
int hwb_tuf_load(const struct hwb_tuf_repo *repo, const char *const *targets,
		 size_t ntargets, struct hwb_buf *out, struct hwb_tuf_state *st,
		 struct hwb_error *err);

/**
 * The cache directory of the repository at url: $XDG_CACHE_HOME/hwb/tuf/HOST
 * (HOST with its port as HOST_PORT), else $HOME/.cache/hwb/tuf/HOST.
 * HWB-R014 (CONFIG) when the URL has no host or neither variable is set.
 */
int hwb_tuf_cache_dir(const char *url, struct hwb_buf *out,
		      struct hwb_error *err);

/* The embedded root.json of Sigstore's production or staging TUF
 * repository (roots/SOURCE.md) and its URL. */
const char *hwb_tuf_embedded_root(int staging, size_t *len);
const char *hwb_tuf_sigstore_url(int staging);

/** The version of a root.json's signed part, without verifying it; 0 when
 * the text is not root metadata. */
int64_t hwb_tuf_root_version(const char *json, size_t len);

/**
 * Append the OLPC canonical JSON form of json[0..len) (the form TUF signs:
 * members sorted by the bytes of their UTF-8 names, no whitespace, strings
 * as their raw UTF-8 with only '"' and '\' escaped, integers only). A
 * float, a duplicate member name or text that is not JSON is HWB-R002.
 */
int hwb_tuf_canonicalize(struct hwb_buf *out, const char *json, size_t len,
			 struct hwb_error *err);

/** Parse one TUF metadata document of any role and make its public keys
 * (fuzzing, tests): 0 when it is well formed, else -1 with
 * HWB-R001/HWB-R002. Nothing is verified; a bad key is only unusable. */
int hwb_tuf_parse_check(const char *json, size_t len, struct hwb_error *err);
