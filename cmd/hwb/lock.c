/* SPDX-License-Identifier: Apache-2.0 */
/*
 * lock.c: `hwb lock`, pin a project's build requirements by hash in
 * pylock.build.toml (PEP 751). Flags override the configuration
 * (build.find-links, build.index-url, build.python; build.isolation for
 * the get_requires hooks); the work is pkg/build's hwb_lock_create().
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/hwb/cli.h"
#include "cmd/hwb/cmd.h"
#include "pkg/build/build.h"
#include "pkg/core/config.h"
#include "pkg/core/http.h"

static struct cli_common common;
static struct cli_list find_links, pythons;
static const char *index_url, *output;
static int static_only;
static const struct cli_opt lock_opts[] = {
	CLI_COMMON_OPTS(&common),
	{ CLI_OPT_LIST, "find-links", 'f', &find_links, "DIR",
	  "a directory of wheels to resolve from" },
	{ CLI_OPT_STRING, "index-url", 'i', &index_url, "URL",
	  "a PEP 691/503 simple index (used without --find-links, or when "
	  "given or configured)" },
	{ CLI_OPT_LIST, "python", 0, &pythons, "PATH",
	  "an interpreter the lock is for (default: python3 on PATH); "
	  "repeat it for one lock that covers several" },
	{ CLI_OPT_STRING, "output", 'o', &output, "FILE",
	  "where to write the lock (default: SRCDIR/pylock.build.toml)" },
	{ CLI_OPT_FLAG, "static", 0, &static_only, NULL,
	  "lock [build-system] requires only; do not run the backend's "
	  "get_requires_for_build_* hooks in the sandbox" },
	{ 0 },
};
static const struct cli_command lock_cmd = {
	"lock", "[SRCDIR] [--find-links DIR]... [--index-url URL] "
		"[--python PATH]... [--output FILE] [--static]",
	"Resolve the build requirements of the project in SRCDIR and pin them "
	"by hash in pylock.build.toml.",
	lock_opts,
};

static void print_result(const struct hwb_lock_result *r)
{
	json_t *doc, *pkgs, *p;
	size_t i;

	if (cli_json(&common)) {
		pkgs = json_array();
		for (i = 0; i < r->count; i++) {
			p = json_pack("{s:s, s:s, s:s}", "name", r->entries[i].name,
				      "version", r->entries[i].version, "sha256",
				      r->entries[i].sha256);
			if (p && r->entries[i].marker)
				json_object_set_new(p, "marker",
						    json_string(r->entries[i].marker));
			json_array_append_new(pkgs, p);
		}
		doc = json_pack("{s:s, s:s, s:b, s:o}", "schema", "hwb.lock/1",
				"path", r->path, "changed", r->changed,
				"packages", pkgs);
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_ENSURE_ASCII);
		fputc('\n', stdout);
		json_decref(doc);
		return;
	}
	if (common.quiet)
		return;
	printf("%s %s (%zu package%s)\n", r->changed ? "wrote" : "unchanged",
	       r->path, r->count, r->count == 1 ? "" : "s");
	for (i = 0; i < r->count; i++)
		printf("  %s==%s%s%s  sha256:%s\n", r->entries[i].name,
		       r->entries[i].version, r->entries[i].marker ? " ; " : "",
		       r->entries[i].marker ? r->entries[i].marker : "",
		       r->entries[i].sha256[0] ? r->entries[i].sha256
					       : "(no wheel for this interpreter)");
}

static int run(const struct hwb_config *cfg, const char *srcdir,
	       struct hwb_lock_result *res, struct hwb_error *err)
{
	struct hwb_http_options http;
	struct hwb_lock_options o = { 0 };

	o.srcdir = srcdir;
	o.output = output;
	cmd_build_settings(cfg, find_links.items, find_links.count, &http,
			   &o.settings);
	if (index_url)
		o.settings.index_url = index_url;
	o.pythons = pythons.items;
	o.python_count = pythons.count;
	o.static_only = static_only;
	return hwb_lock_create(&o, res, err);
}

static void audit(const struct hwb_config *cfg, const char *srcdir,
		  const struct hwb_lock_result *r)
{
	const struct hwb_audit_field f[] = {
		HWB_AUDIT_STR("source_dir", srcdir),
		HWB_AUDIT_STR("path", r->path),
		HWB_AUDIT_FLAG("changed", r->changed),
		HWB_AUDIT_NUM("packages", (int64_t)r->count),
	};

	cli_audit(cfg, "lock.written", f, sizeof(f) / sizeof(*f));
}

int cmd_lock(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_lock_result res = HWB_LOCK_RESULT_INIT;
	struct cli_list pos = { 0 };
	struct hwb_config *cfg = NULL;
	const char *srcdir;
	int rc = 0;

	if (cli_parse(&lock_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err))
		goto fail;
	if (common.help) {
		cli_print_help(&lock_cmd);
		goto cleanup;
	}
	if (pos.count > 1) {
		hwb_error_set(&err, HWB_KIND_USAGE, "HWB-U005",
			      "hwb lock takes at most one SRCDIR");
		goto fail;
	}
	srcdir = pos.count ? pos.items[0] : ".";
	if (cli_load_config(&common, srcdir, NULL, 0, &cfg, &err) ||
	    run(cfg, srcdir, &res, &err))
		goto fail;
	audit(cfg, srcdir, &res);
	print_result(&res);
	goto cleanup;
fail:
	rc = cli_report(&common, &err);
cleanup:
	hwb_lock_result_release(&res);
	hwb_config_free(cfg);
	cli_list_release(&pos);
	cli_list_release(&find_links);
	cli_list_release(&pythons);
	return rc;
}
