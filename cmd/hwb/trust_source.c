/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trust_source.c: choosing the TUF repository and between its cache and
 * the embedded trust (trust.h).
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/hwb/trust.h"
#include "pkg/core/encode.h"
#include "pkg/core/fileio.h"
#include "pkg/core/log.h"

static int loopback(const char *url)
{
	return !strncmp(url, "http://127.0.0.1:", 17) ||
	       !strncmp(url, "http://127.0.0.1/", 17) ||
	       !strncmp(url, "http://localhost:", 17) ||
	       !strncmp(url, "http://[::1]:", 13);
}

static int bad_combination(struct hwb_error *err, const char *what,
			   const char *fix)
{
	hwb_error_set(err, HWB_KIND_USAGE, "HWB-R014", "%s", what);
	return hwb_error_hint(err, "%s", fix);
}

/* The anchor of a custom repository: --tuf-root, else its cached root. */
static int custom_anchor(struct cli_trust *t, const char *tuf_root,
			 struct hwb_error *err)
{
	if (tuf_root) {
		if (hwb_file_read_all(tuf_root, HWB_TUF_ROOT_MAX, &t->anchor, err))
			return -1;
		return hwb_buf_puts(&t->anchor_name, tuf_root) ? hwb_error_oom(err) : 0;
	}
	hwb_buf_printf(&t->anchor_name, "%s/root.json", t->cache_dir.ptr);
	if (hwb_file_read_all(t->anchor_name.ptr, HWB_TUF_ROOT_MAX, &t->anchor,
			      err) == 0)
		return 0;
	hwb_buf_clear(&t->anchor);
	hwb_error_clear(err);
	return 0; /* an update will say that it needs --tuf-root */
}

int cli_trust_open(struct cli_trust *t, const struct hwb_config *cfg,
		   int staging, const char *tuf_url, const char *tuf_root,
		   struct hwb_error *err)
{
	const char *url = tuf_url ? tuf_url : hwb_config_str(cfg, "trust.tuf-url");
	const char *anchor;
	size_t len;

	memset(t, 0, sizeof(*t));
	hwb_buf_init(&t->url);
	hwb_buf_init(&t->cache_dir);
	hwb_buf_init(&t->anchor);
	hwb_buf_init(&t->anchor_name);
	hwb_buf_init(&t->trusted_root);
	hwb_buf_init(&t->signing_config);
	t->staging = staging;
	hwb_http_options_from_config(&t->http, cfg);
	if (tuf_root && !tuf_url)
		return bad_combination(err, "--tuf-root needs --tuf-url",
				       "give the repository with --tuf-url URL");
	if (url && staging)
		return bad_combination(err, "--staging and a TUF repository URL "
				       "(--tuf-url or trust.tuf-url) exclude each other",
				       "drop one of them");
	if (url && strncmp(url, "https://", 8) && !loopback(url))
		return bad_combination(err, "the TUF repository URL must be https:// "
				       "(plain http only to 127.0.0.1)",
				       "use the repository's https:// URL");
	t->custom = url != NULL;
	if (hwb_buf_puts(&t->url, url ? url : hwb_tuf_sigstore_url(staging)))
		return hwb_error_oom(err);
	while (t->url.len > 8 && t->url.ptr[t->url.len - 1] == '/')
		hwb_buf_truncate(&t->url, t->url.len - 1);
	if (hwb_tuf_cache_dir(t->url.ptr, &t->cache_dir, err))
		return -1;
	if (t->custom) {
		if (custom_anchor(t, tuf_root, err))
			return -1;
	} else {
		anchor = hwb_tuf_embedded_root(staging, &len);
		hwb_buf_set(&t->anchor, anchor, len);
		hwb_buf_printf(&t->anchor_name, "embedded %s TUF root.json",
			       staging ? "staging" : "production");
	}
	t->repo.metadata_url = t->url.ptr;
	t->repo.cache_dir = t->cache_dir.ptr;
	t->repo.anchor = t->anchor.ptr;
	t->repo.anchor_len = t->anchor.len;
	t->repo.anchor_name = t->anchor_name.ptr;
	t->repo.http = &t->http;
	return hwb_buf_check(&t->anchor_name, err) || hwb_buf_check(&t->anchor, err);
}

void cli_trust_release(struct cli_trust *t)
{
	hwb_buf_release(&t->url);
	hwb_buf_release(&t->cache_dir);
	hwb_buf_release(&t->anchor);
	hwb_buf_release(&t->anchor_name);
	hwb_buf_release(&t->trusted_root);
	hwb_buf_release(&t->signing_config);
}

int cli_trust_update(struct cli_trust *t, struct hwb_tuf_state *before,
		     struct hwb_tuf_state *after, struct hwb_error *err)
{
	static const char *const targets[] = { CLI_TRUST_ROOT_TARGET,
					       CLI_TRUST_CONFIG_TARGET };

	if (!t->anchor.len) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-R014",
			      "no trusted root.json for the TUF repository %s",
			      t->url.ptr);
		return hwb_error_hint(err, "give its root.json the first time: "
				      "hwb trust update --tuf-url URL --tuf-root FILE");
	}
	return hwb_tuf_update(&t->repo, targets, 2, before, after, err);
}

static int64_t days_since(int64_t then, int64_t now)
{
	return then && now > then ? (now - then) / 86400 : 0;
}

int64_t cli_trust_taken(const struct cli_trust *t)
{
	struct tm tm;

	if (t->from_cache)
		return t->state.updated;
	memset(&tm, 0, sizeof(tm));
	if (!strptime(CLI_TRUST_EMBEDDED_DATE, "%Y-%m-%dT%H:%M:%SZ", &tm))
		return 0;
	return (int64_t)timegm(&tm);
}

static void warn_age(const struct cli_trust *t, int64_t now)
{
	int64_t when = cli_trust_taken(t);
	char exp[32];

	if (!t->from_cache) {
		if (days_since(when, now) > CLI_TRUST_MAX_AGE_DAYS)
			hwb_log_warn("the Sigstore trust root in use is the copy "
				     "built into hwb, taken %lld days ago; run "
				     "'hwb trust update' to fetch the current one",
				     (long long)days_since(when, now));
		return;
	}
	if (t->state.timestamp.expires <= now) {
		hwb_iso_time(t->state.timestamp.expires, exp, sizeof(exp));
		hwb_log_warn("the cached Sigstore trust root's TUF timestamp expired "
			     "at %s; run 'hwb trust update'", exp);
	} else if (days_since(t->state.updated, now) > CLI_TRUST_MAX_AGE_DAYS) {
		hwb_log_warn("the cached Sigstore trust root was last updated %lld "
			     "days ago; run 'hwb trust update'",
			     (long long)days_since(t->state.updated, now));
	}
}

void cli_trust_resolve(struct cli_trust *t, int warn)
{
	static const char *const targets[] = { CLI_TRUST_ROOT_TARGET,
					       CLI_TRUST_CONFIG_TARGET };
	struct hwb_buf got[2] = { HWB_BUF_INIT, HWB_BUF_INIT };
	struct hwb_error err = HWB_ERROR_INIT;
	int64_t now = (int64_t)time(NULL);
	int64_t anchor_version = t->custom ? 0
				 : hwb_tuf_root_version(t->anchor.ptr, t->anchor.len);

	t->from_cache = 0;
	hwb_buf_clear(&t->trusted_root);
	hwb_buf_clear(&t->signing_config);
	if (hwb_tuf_load(&t->repo, targets, 2, got, &t->state, &err)) {
		/* no cache is normal; a broken one is worth a word */
		if (strcmp(err.code, "HWB-R015") || err.kind != HWB_KIND_CONFIG)
			hwb_log_warn("%s: %s; using the trust root built into hwb",
				     err.code, err.message);
	} else if (t->state.root.version >= anchor_version) {
		hwb_buf_release(&t->trusted_root);
		hwb_buf_release(&t->signing_config);
		t->trusted_root = got[0];
		t->signing_config = got[1];
		hwb_buf_init(&got[0]);
		hwb_buf_init(&got[1]);
		t->from_cache = 1;
	}
	hwb_buf_release(&got[0]);
	hwb_buf_release(&got[1]);
	if (warn)
		warn_age(t, now);
}

int cli_trust_stale(const struct cli_trust *t)
{
	return !t->from_cache || t->state.timestamp.expires <= (int64_t)time(NULL);
}
