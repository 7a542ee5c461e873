/* SPDX-License-Identifier: Apache-2.0 */
/*
 * trust.c: `hwb trust update` (refresh the TUF cache of Sigstore's trust
 * root and signing config, and say what changed) and `hwb trust show`
 * (which trust root and signing config hwb uses, where from, versions and
 * expiry). The TUF client is pkg/tuf's; the choice of repository and copy
 * is trust_source.c's.
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd/hwb/cli.h"
#include "cmd/hwb/cmd.h"
#include "cmd/hwb/trust.h"
#include "pkg/core/config.h"
#include "pkg/core/encode.h"
#include "pkg/core/http.h"
#include "pkg/core/log.h"

static struct cli_common common;
static struct {
	const char *tuf_url, *tuf_root;
	int staging;
} o;

static const struct cli_opt trust_opts[] = {
	{ CLI_OPT_FLAG, "staging", 0, &o.staging, NULL,
	  "Sigstore's staging TUF repository" },
	{ CLI_OPT_STRING, "tuf-url", 0, &o.tuf_url, "URL",
	  "another TUF repository (default: trust.tuf-url, else Sigstore's)" },
	{ CLI_OPT_STRING, "tuf-root", 0, &o.tuf_root, "FILE",
	  "that repository's trusted root.json, needed the first time" },
	CLI_COMMON_OPTS(&common),
	{ 0 },
};

static const struct cli_command trust_cmd = {
	"trust", "update|show [--staging | --tuf-url URL [--tuf-root FILE]]",
	"Refresh or show the Sigstore trust root and signing config, fetched "
	"with TUF from Sigstore's repository.",
	trust_opts,
};

static void when(int64_t t, char *out, size_t n)
{
	if (t)
		hwb_iso_time(t, out, n);
	else
		snprintf(out, n, "-");
}

static json_t *role_json(const struct hwb_tuf_role_state *r)
{
	char exp[32];

	when(r->expires, exp, sizeof(exp));
	return json_pack("{s:I, s:s}", "version", (json_int_t)r->version,
			 "expires", exp);
}

static json_t *state_json(const struct hwb_tuf_state *s)
{
	char upd[32];

	when(s->updated, upd, sizeof(upd));
	return json_pack("{s:o, s:o, s:o, s:o, s:s}", "root", role_json(&s->root),
			 "timestamp", role_json(&s->timestamp), "snapshot",
			 role_json(&s->snapshot), "targets", role_json(&s->targets),
			 "updated", upd);
}

static void print_change(const char *what, const struct hwb_tuf_role_state *b,
			 const struct hwb_tuf_role_state *a)
{
	char exp[32];

	when(a->expires, exp, sizeof(exp));
	if (b->version && b->version != a->version)
		printf("  %-9s version %lld -> %lld, expires %s\n", what,
		       (long long)b->version, (long long)a->version, exp);
	else if (!b->version)
		printf("  %-9s version %lld (new), expires %s\n", what,
		       (long long)a->version, exp);
	else
		printf("  %-9s version %lld (unchanged), expires %s\n", what,
		       (long long)a->version, exp);
}

static int do_update(struct cli_trust *t, struct hwb_error *err)
{
	struct hwb_tuf_state before, after;
	json_t *doc;

	if (cli_trust_update(t, &before, &after, err))
		return -1;
	if (cli_json(&common)) {
		doc = json_pack("{s:s, s:s, s:s, s:o, s:o}", "schema",
				"hwb.trust-update/1", "repository", t->url.ptr,
				"cache", t->cache_dir.ptr, "before",
				state_json(&before), "after", state_json(&after));
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(doc);
	} else if (!common.quiet) {
		printf("updated %s from %s\n", t->cache_dir.ptr, t->url.ptr);
		print_change("root", &before.root, &after.root);
		print_change("timestamp", &before.timestamp, &after.timestamp);
		print_change("snapshot", &before.snapshot, &after.snapshot);
		print_change("targets", &before.targets, &after.targets);
	}
	return 0;
}

static int do_show(struct cli_trust *t)
{
	const char *from = t->from_cache ? t->cache_dir.ptr
			   : t->staging ? "embedded in hwb (staging)"
					: "embedded in hwb (production)";
	char upd[32], exp[32];
	json_t *doc;

	when(t->state.updated, upd, sizeof(upd));
	when(t->state.timestamp.expires, exp, sizeof(exp));
	if (cli_json(&common)) {
		doc = json_pack("{s:s, s:s, s:s, s:b, s:s}", "schema",
				"hwb.trust-show/1", "repository", t->url.ptr,
				"source", from, "from_cache", t->from_cache,
				"embedded_date", CLI_TRUST_EMBEDDED_DATE);
		if (doc && t->from_cache)
			json_object_set_new(doc, "tuf", state_json(&t->state));
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(doc);
		return 0;
	}
	printf("repository:     %s\n", t->url.ptr);
	printf("trusted root:   %s %s\n", CLI_TRUST_ROOT_TARGET, from);
	printf("signing config: %s %s\n", CLI_TRUST_CONFIG_TARGET, from);
	if (!t->from_cache) {
		printf("embedded copy taken: %s (no verified cache at %s)\n",
		       CLI_TRUST_EMBEDDED_DATE, t->cache_dir.ptr);
		return 0;
	}
	printf("last updated:   %s\n", upd);
	print_change("root", &t->state.root, &t->state.root);
	print_change("timestamp", &t->state.timestamp, &t->state.timestamp);
	print_change("snapshot", &t->state.snapshot, &t->state.snapshot);
	print_change("targets", &t->state.targets, &t->state.targets);
	return 0;
}

int cmd_trust(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct cli_list pos = { 0 };
	struct hwb_config *cfg = NULL;
	struct cli_trust t;
	int rc = 0, opened = 0;

	if (cli_parse(&trust_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (common.help) {
		cli_print_help(&trust_cmd);
		goto cleanup;
	}
	if (pos.count != 1 || (strcmp(pos.items[0], "update") &&
			       strcmp(pos.items[0], "show"))) {
		hwb_error_set(&err, HWB_KIND_USAGE, "HWB-U005",
			      "hwb trust: give one action, update or show");
		hwb_error_hint(&err, "see 'hwb help trust'");
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (!strcmp(pos.items[0], "update"))
		hwb_http_preload(); /* an update always talks to the repository */
	if (cli_load_config(&common, ".", NULL, 0, &cfg, &err) ||
	    (opened = 1, cli_trust_open(&t, cfg, o.staging, o.tuf_url,
					 o.tuf_root, &err))) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (!strcmp(pos.items[0], "update")) {
		if (do_update(&t, &err))
			rc = cli_report(&common, &err);
	} else {
		cli_trust_resolve(&t, 1);
		rc = do_show(&t);
	}
cleanup:
	if (opened)
		cli_trust_release(&t);
	hwb_config_free(cfg);
	cli_list_release(&pos);
	return rc;
}
