/* SPDX-License-Identifier: Apache-2.0 */
/*
 * config.c: `hwb config show` (the effective configuration and where each
 * value comes from) and `hwb config check` (validate every config file).
 * The work is pkg/core/config.h's; this file parses and reports.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/hwb/cli.h"
#include "cmd/hwb/cmd.h"
#include "pkg/core/buf.h"
#include "pkg/core/config.h"

static struct cli_common common;
static const char *project;
static struct cli_list sets;
static const struct cli_opt config_opts[] = {
	CLI_COMMON_OPTS(&common),
	{ CLI_OPT_STRING, "project", 0, &project, "DIR",
	  "the project directory (default: the current directory)" },
	{ CLI_OPT_LIST, "set", 0, &sets, "KEY=VALUE",
	  "a setting with a command-line flag's precedence" },
	{ 0 },
};
static const struct cli_command config_cmd = {
	"config", "show|check [--project DIR] [--set KEY=VALUE]... [--format text|json]",
	"Show the effective configuration with the source of each value, or "
	"check every configuration file.",
	config_opts,
};

/* Turn each --set KEY=VALUE into an override (pointing into argv). */
static int parse_sets(struct hwb_config_override **out, struct hwb_error *err)
{
	struct hwb_config_override *o;
	char *eq;
	size_t i;

	*out = NULL;
	if (!sets.count)
		return 0;
	if (!(o = calloc(sets.count, sizeof(*o))))
		return hwb_error_oom(err);
	for (i = 0; i < sets.count; i++) {
		eq = strchr(sets.items[i], '=');
		if (!eq || eq == sets.items[i]) {
			free(o);
			hwb_error_set(err, HWB_KIND_USAGE, "HWB-U002",
				      "hwb config: --set takes KEY=VALUE, not '%s'",
				      sets.items[i]);
			return hwb_error_hint(err, "for example --set build.timeout=600");
		}
		/* argv is writable: split in place. */
		*eq = '\0';
		o[i].key = sets.items[i];
		o[i].value = eq + 1;
		o[i].origin = "--set";
	}
	*out = o;
	return 0;
}

static int run(const char *verb, struct hwb_buf *out, struct hwb_error *err)
{
	struct hwb_config_options opts = { 0 };
	struct hwb_config_override *overrides = NULL;
	int rc;

	if (parse_sets(&overrides, err))
		return -1;
	opts.project_dir = project ? project : ".";
	opts.overrides = overrides;
	opts.override_count = sets.count;
	if (!strcmp(verb, "show"))
		rc = hwb_config_show(&opts, cli_json(&common), out, err);
	else
		rc = hwb_config_check(&opts, cli_json(&common), out, err);
	free(overrides);
	return rc;
}

int cmd_config(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf out = HWB_BUF_INIT;
	struct cli_list pos = { 0 };
	int rc = 0;

	if (cli_parse(&config_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err))
		goto fail;
	if (common.help) {
		cli_print_help(&config_cmd);
		goto cleanup;
	}
	if (pos.count != 1 ||
	    (strcmp(pos.items[0], "show") && strcmp(pos.items[0], "check"))) {
		hwb_error_set(&err, HWB_KIND_USAGE, "HWB-U005",
			      "hwb config takes one of 'show' or 'check'");
		hwb_error_hint(&err, "run 'hwb config show' or 'hwb config check'");
		goto fail;
	}
	if (run(pos.items[0], &out, &err))
		goto fail;
	fwrite(out.ptr, 1, out.len, stdout);
	goto cleanup;
fail:
	rc = cli_report(&common, &err);
cleanup:
	hwb_buf_release(&out);
	cli_list_release(&pos);
	cli_list_release(&sets);
	return rc;
}
