/* SPDX-License-Identifier: Apache-2.0 */
/*
 * build.c: `hwb build`, a sandboxed PEP 517 build (pkg/build). Flags become
 * configuration overrides so the trust rules of pkg/core/config apply to
 * them like to every other layer; the build itself is hwb_build_run's.
 */
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/hwb/building.h"
#include "cmd/hwb/cli.h"
#include "cmd/hwb/cmd.h"
#include "pkg/build/build.h"
#include "pkg/core/buf.h"
#include "pkg/core/config.h"
#include "pkg/core/http.h"

static struct cli_common common;
static char *outdir_abs;
static const char *outdir, *python, *isolation, *index_url, *image;
static int wheel, sdist, verify_reproducible, strict;
static long timeout = -1;
static struct cli_list settings, allow_network, find_links, pass_env;
static const struct cli_opt build_opts[] = {
	CLI_COMMON_OPTS(&common),
	{ CLI_OPT_STRING, "outdir", 'o', &outdir, "DIR",
	  "where the distributions go (default: SRCDIR/dist)" },
	{ CLI_OPT_FLAG, "wheel", 'w', &wheel, NULL, "build a wheel only" },
	{ CLI_OPT_FLAG, "sdist", 's', &sdist, NULL, "build an sdist only" },
	{ CLI_OPT_LIST, "config-setting", 'C', &settings, "KEY=VALUE",
	  "a PEP 517 config setting for the backend" },
	{ CLI_OPT_STRING, "python", 0, &python, "PATH",
	  "the interpreter for the build" },
	{ CLI_OPT_STRING, "isolation", 0, &isolation, "sandbox|container|none",
	  "how the backend is isolated (default: sandbox)" },
	{ CLI_OPT_STRING, "container-image", 0, &image, "IMAGE",
	  "a local image for --isolation container (default: podman runs "
	  "the host's /usr read-only)" },
	{ CLI_OPT_LIST, "allow-network", 0, &allow_network, "HOST",
	  "a host the build may reach" },
	{ CLI_OPT_INT, "timeout", 0, &timeout, "SECONDS",
	  "wall-clock limit of each backend hook" },
	{ CLI_OPT_LIST, "find-links", 0, &find_links, "DIR",
	  "a wheelhouse for the build requirements" },
	{ CLI_OPT_STRING, "index-url", 0, &index_url, "URL",
	  "a package index for the build requirements" },
	{ CLI_OPT_LIST, "pass-env", 0, &pass_env, "NAME",
	  "an environment variable passed into the build" },
	{ CLI_OPT_FLAG, "verify-reproducible", 0, &verify_reproducible, NULL,
	  "build twice and fail if the outputs differ" },
	{ CLI_OPT_FLAG, "strict", 0, &strict, NULL,
	  "source validation warnings fail the build" },
	{ 0 },
};
static const struct cli_command build_cmd = {
	"build", "[SRCDIR] [--wheel|--sdist] [--outdir DIR] [-C KEY=VALUE]...",
	"Build an sdist and a wheel with the project's PEP 517 backend in a "
	"sandbox, and write their provenance.",
	build_opts,
};

/*
 * A relative --outdir is relative to the current directory, as with
 * pypa/build and every other path flag (--find-links); the project's own
 * build.outdir stays relative to the project.
 */
static int absolute_outdir(struct hwb_error *err)
{
	char cwd[PATH_MAX];

	if (!outdir || outdir[0] == '/')
		return 0;
	if (!getcwd(cwd, sizeof(cwd)))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B061",
				       "cannot tell the current directory for "
				       "--outdir %s", outdir),
		       hwb_error_hint(err, "give --outdir as an absolute path");
	if (!(outdir_abs = hwb_strdup_printf("%s/%s", cwd, outdir)))
		return hwb_error_oom(err);
	outdir = outdir_abs;
	return 0;
}

/* Every flag that is a setting becomes an override with its flag name. */
static int overrides(struct cli_overrides *o, const char *timeout_text,
		     struct hwb_error *err)
{
	return (outdir &&
		cli_override(o, "build.outdir", outdir, "--outdir", err)) ||
	       (python &&
		cli_override(o, "build.python", python, "--python", err)) ||
	       (isolation && cli_override(o, "build.isolation", isolation,
					  "--isolation", err)) ||
	       (index_url && cli_override(o, "build.index-url", index_url,
					  "--index-url", err)) ||
	       (image && cli_override(o, "build.container.image", image,
				      "--container-image", err)) ||
	       (timeout >= 0 && cli_override(o, "build.timeout", timeout_text,
					     "--timeout", err)) ||
	       (strict &&
		cli_override(o, "build.strict", "true", "--strict", err)) ||
	       cli_override_list(o, "build.allow-network", &allow_network,
				 "--allow-network", err) ||
	       cli_override_list(o, "build.find-links", &find_links,
				 "--find-links", err) ||
	       cli_override_list(o, "build.pass-env", &pass_env, "--pass-env",
				 err) ? -1 : 0;
}

static void audit_started(const struct hwb_config *cfg, const char *srcdir)
{
	const struct hwb_audit_field f[] = {
		HWB_AUDIT_STR("source_dir", srcdir),
		HWB_AUDIT_STR("isolation", hwb_config_str(cfg, "build.isolation")),
	};

	cli_audit(cfg, "build.started", f, sizeof(f) / sizeof(*f));
}

static void audit_completed(const struct hwb_config *cfg, const char *srcdir,
			    const struct hwb_build_result *r)
{
	const struct hwb_audit_field f[] = {
		HWB_AUDIT_STR("source_dir", srcdir),
		HWB_AUDIT_STR("sdist", r->sdist),
		HWB_AUDIT_STR("sdist_sha256", r->sdist ? r->sdist_sha256 : NULL),
		HWB_AUDIT_STR("wheel", r->wheel),
		HWB_AUDIT_STR("wheel_sha256", r->wheel ? r->wheel_sha256 : NULL),
		HWB_AUDIT_STR("provenance", r->provenance),
	};

	cli_audit(cfg, "build.completed", f, sizeof(f) / sizeof(*f));
}

static void audit_failed(const struct hwb_config *cfg, const char *srcdir,
			 const struct hwb_error *err)
{
	const struct hwb_audit_field f[] = {
		HWB_AUDIT_STR("source_dir", srcdir),
		HWB_AUDIT_STR("code", err->code),
	};

	cli_audit(cfg, "build.failed", f, sizeof(f) / sizeof(*f));
}

static void report(const struct hwb_build_result *r)
{
	json_t *doc;

	if (cli_json(&common)) {
		doc = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:I, s:b}",
				"schema", "hwb.build/1", "sdist", r->sdist,
				"sdist_sha256", r->sdist ? r->sdist_sha256 : NULL,
				"wheel", r->wheel,
				"wheel_sha256", r->wheel ? r->wheel_sha256 : NULL,
				"provenance", r->provenance, "source_date_epoch",
				(json_int_t)r->source_date_epoch,
				"environment_cached", r->env_reused);
		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
		json_decref(doc);
		return;
	}
	if (r->sdist)
		printf("built %s (sha256 %s)\n", r->sdist, r->sdist_sha256);
	if (r->wheel)
		printf("built %s (sha256 %s)\n", r->wheel, r->wheel_sha256);
	printf("provenance %s\n", r->provenance);
}

int cmd_build(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct cli_list pos = { 0 };
	struct cli_overrides ov = { 0 };
	struct hwb_config *cfg = NULL;
	struct hwb_build_options opts = { 0 };
	struct hwb_http_options http;
	struct hwb_build_result result = HWB_BUILD_RESULT_INIT;
	char timeout_text[32];
	int rc = 0;

	if (cli_parse(&build_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err))
		goto fail;
	if (common.help) {
		cli_print_help(&build_cmd);
		goto cleanup;
	}
	if (pos.count > 1) {
		hwb_error_set(&err, HWB_KIND_USAGE, "HWB-U005",
			      "hwb build takes at most one source directory");
		goto fail;
	}
	snprintf(timeout_text, sizeof(timeout_text), "%ld", timeout);
	if (absolute_outdir(&err) || overrides(&ov, timeout_text, &err))
		goto fail;
	opts.srcdir = pos.count ? pos.items[0] : ".";
	if (cli_load_config(&common, opts.srcdir, ov.items, ov.count, &cfg,
			    &err))
		goto fail;
	audit_started(cfg, opts.srcdir);
	cmd_build_options(cfg, &http, &opts);
	opts.wheel = wheel;
	opts.sdist = sdist;
	opts.config_settings = settings.items;
	opts.config_count = settings.count;
	opts.verify_reproducible = verify_reproducible;
	opts.argv = (const char *const *)argv;
	opts.argc = (size_t)argc;
	if (hwb_build_run(&opts, &result, &err)) {
		audit_failed(cfg, opts.srcdir, &err);
		goto fail;
	}
	audit_completed(cfg, opts.srcdir, &result);
	cli_progress_end();
	report(&result);
	goto cleanup;
fail:
	cli_progress_end();
	rc = cli_report(&common, &err);
cleanup:
	hwb_build_result_release(&result);
	hwb_config_free(cfg);
	cli_overrides_release(&ov);
	cli_list_release(&pos);
	cli_list_release(&settings);
	cli_list_release(&allow_network);
	cli_list_release(&find_links);
	cli_list_release(&pass_env);
	free(outdir_abs);
	outdir_abs = NULL;
	return rc;
}

/*
 * hwb release builds as hwb build does: the same configuration with
 * --outdir as an override (absolute, relative to the current directory),
 * the other build flags at their defaults.
 */
int cli_build_config(const struct cli_common *c, const char *srcdir,
		     const char *outdir_flag, struct hwb_config **cfg,
		     char **outdir_flag_abs, struct hwb_error *err)
{
	struct cli_overrides ov = { 0 };
	int rc;

	outdir = outdir_flag;
	rc = absolute_outdir(err) || overrides(&ov, "-1", err) ||
	     cli_load_config(c, srcdir, ov.items, ov.count, cfg, err) ? -1 : 0;
	cli_overrides_release(&ov);
	*outdir_flag_abs = outdir_abs ? outdir_abs : outdir ? hwb_strdup(outdir) : NULL;
	outdir_abs = NULL;
	outdir = NULL;
	return rc;
}
