/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trust.h: where hwb's Sigstore trust comes from, shared by `hwb trust`,
 * `hwb verify` and `hwb sign`/`attest`: the TUF repository (Sigstore's
 * production or staging one, or trust.tuf-url / --tuf-url), its cache, and
 * the choice between the cached trusted_root.json and signing config
 * (pkg/tuf) and the copies embedded in hwb (pkg/sign). pkg/sign never sees
 * pkg/tuf: it gets the verified bytes through its options.
 */
#pragma once

#include "pkg/core/buf.h"
#include "pkg/core/config.h"
#include "pkg/core/error.h"
#include "pkg/core/http.h"
#include "pkg/tuf/tuf.h"

/* The TUF targets hwb uses. */
#define CLI_TRUST_ROOT_TARGET "trusted_root.json"
#define CLI_TRUST_CONFIG_TARGET "signing_config.v0.2.json"

/* The cache is "old" after this many days without an update. */
#define CLI_TRUST_MAX_AGE_DAYS 30

/*
 * The day the embedded trusted_root.json and signing configs
 * (pkg/sign/trust/) were taken from Sigstore's TUF repositories, from which
 * the embedded copy's age counts, and the SHA-256 of each file as taken.
 * tests/unit/test_trust_embedded.c fails when an embedded file is not the
 * one hashed here or lists a validity start after this date: replacing the
 * files means updating both, so the age cannot drift from the data.
 */
#define CLI_TRUST_EMBEDDED_DATE "2026-11-22T00:00:00Z"
#define CLI_TRUST_EMBEDDED_ROOT_SHA256 \
	"6494e21ea73fa7ee769f85f57d5a3e6a08725eae1e38c755fc3517c9e6bc0b66"
#define CLI_TRUST_EMBEDDED_CONFIG_SHA256 \
	"9711a6d5375706957a4859af31c5866a4474f81f0544f9f4b76c9c4f4c8a539c"
#define CLI_TRUST_EMBEDDED_STAGING_ROOT_SHA256 \
	"81f5af777952d2c3955062ad56924c05ca916b5d49f3a0bce945faa475a8b1cc"
#define CLI_TRUST_EMBEDDED_STAGING_CONFIG_SHA256 \
	"14452cddce0d882c7ee7124653ba03a6684afaca12be9e9561ee198cf46734ad"

struct cli_trust {
	int staging;
	struct hwb_buf url;       /* the repository */
	struct hwb_buf cache_dir;
	struct hwb_buf anchor;    /* root.json bytes the update starts from */
	struct hwb_buf anchor_name;
	int custom;               /* not one of Sigstore's repositories */
	struct hwb_http_options http;
	struct hwb_tuf_repo repo;
	/* After cli_trust_resolve(): the cached, verified targets, or empty
	 * when the embedded copies are in use. */
	struct hwb_buf trusted_root, signing_config;
	struct hwb_tuf_state state;
	int from_cache;
};

/**
 * Choose the repository: --tuf-url (with --tuf-root, the first time),
 * else trust.tuf-url, else Sigstore's (staging with staging). Fills t;
 * release with cli_trust_release(). HWB-R014 for a bad combination.
 */
int cli_trust_open(struct cli_trust *t, const struct hwb_config *cfg,
		   int staging, const char *tuf_url, const char *tuf_root,
		   struct hwb_error *err);
void cli_trust_release(struct cli_trust *t);

/** Run the TUF update for hwb's two targets. */
int cli_trust_update(struct cli_trust *t, struct hwb_tuf_state *before,
		     struct hwb_tuf_state *after, struct hwb_error *err);

/**
 * Use the freshest trust: the cache when it verifies and its root is not
 * older than the embedded anchor, else the embedded copies. Never fails:
 * a cache that does not verify is reported as a warning. With warn,
 * a copy older than CLI_TRUST_MAX_AGE_DAYS or an expired cached timestamp
 * is warned about, naming `hwb trust update`.
 */
void cli_trust_resolve(struct cli_trust *t, int warn);

/** When the copy in use was fetched (the cache's last update) or taken
 * (CLI_TRUST_EMBEDDED_DATE), in Unix seconds; 0 when unknown. */
int64_t cli_trust_taken(const struct cli_trust *t);

/** The cached timestamp is missing or has expired: time to update. */
int cli_trust_stale(const struct cli_trust *t);
