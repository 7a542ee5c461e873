/* SPDX-License-Identifier: Apache-2.0 */
/*
 * release.c: `hwb release [SRCDIR] [--from DIR]`: build, check, sign,
 * attest and publish in one command (pkg/release). This file reads the
 * options with the code of hwb build (the configuration), hwb sign (the
 * signer) and hwb publish (credentials, checks), then draws the progress
 * (release_view.c) and writes the audit records and the reports.
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
#include "cmd/hwb/publishing.h"
#include "cmd/hwb/release_view.h"
#include "cmd/hwb/signing.h"
#include "pkg/build/build.h"
#include "pkg/core/fileio.h"
#include "pkg/core/http.h"
#include "pkg/core/log.h"
#include "pkg/publish/publish.h"
#include "pkg/release/release.h"

static struct cli_common common;
static struct cli_signing signing;
static struct {
	const char *from, *outdir, *repository_url, *repository;
	int dry_run, sign, no_publish, password_stdin;
} o;

static const struct cli_opt release_opts[] = {
	{ CLI_OPT_STRING, "from", 0, &o.from, "DIR",
	  "release the distributions earlier build jobs put in DIR (no build)" },
	{ CLI_OPT_STRING, "outdir", 'o', &o.outdir, "DIR",
	  "where the distributions and release.json go (default: build.outdir, or --from DIR)" },
	{ CLI_OPT_STRING, "repository-url", 0, &o.repository_url, "URL",
	  "the index's upload URL (default https://upload.pypi.org/legacy/)" },
	{ CLI_OPT_STRING, "repository", 'r', &o.repository, "NAME",
	  "pypi, testpypi, or [publish.repositories.NAME] of your config" },
	{ CLI_OPT_FLAG, "dry-run", 'n', &o.dry_run, NULL,
	  "everything but signing and the upload" },
	{ CLI_OPT_FLAG, "sign", 0, &o.sign, NULL,
	  "with --dry-run: sign too (real transparency-log entries)" },
	{ CLI_OPT_FLAG, "no-publish", 0, &o.no_publish, NULL,
	  "everything but the upload" },
	{ CLI_OPT_FLAG, "password-stdin", 0, &o.password_stdin, NULL,
	  "read the API token from standard input (default HWB_PASSWORD)" },
	CLI_SIGNING_OPTS(&signing),
	CLI_COMMON_OPTS(&common),
	{ 0 },
};

static const struct cli_command release_cmd = {
	"release",
	"[SRCDIR | --from DIR] [--outdir DIR] [--repository-url URL | --repository NAME]\n"
	"       [--dry-run [--sign]] [--no-publish] [--trusted-root FILE] [--signing-config FILE]",
	"Build, check, sign, attest (PEP 740) and publish a release; run it again to finish\n"
	"a release that was interrupted. Build settings come from the configuration (hwb.toml,\n"
	"HWB_BUILD_*); upload credentials as for hwb publish.",
	release_opts,
};

static int usage(const char *msg)
{
	struct hwb_error err = HWB_ERROR_INIT;

	hwb_error_set(&err, HWB_KIND_USAGE, "HWB-L008", "hwb release: %s", msg);
	hwb_error_hint(&err, "see 'hwb help release'");
	return cli_report(&common, &err);
}

static const char *check_combination(size_t npos)
{
	if (npos > 1)
		return "give at most one source directory";
	if (npos && o.from)
		return "give a source directory or --from DIR, not both";
	if (o.sign && !o.dry_run)
		return "--sign goes with --dry-run (a release signs anyway)";
	if (o.password_stdin && signing.identity_token && !strcmp(signing.identity_token, "-"))
		return "--password-stdin and --identity-token - both read standard input";
	return NULL;
}

/* An absolute path: relative paths are relative to the current directory. */
static char *absolute(const char *path, struct hwb_error *err)
{
	char cwd[PATH_MAX];
	char *out;

	if (path[0] == '/')
		out = hwb_strdup(path);
	else if (!getcwd(cwd, sizeof(cwd)))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-L008",
				       "cannot tell the current directory for %s", path),
		       NULL;
	else
		out = hwb_strdup_printf("%s/%s", cwd, path);
	if (!out)
		hwb_error_oom(err);
	return out;
}

/* Where release.json goes: --outdir, else the build's outdir or --from. */
static char *release_outdir(const struct hwb_config *cfg, const char *srcdir,
			    char *outdir_abs, struct hwb_error *err)
{
	char real[PATH_MAX];
	const char *dir;

	if (outdir_abs)
		return hwb_strdup(outdir_abs);
	if (o.from)
		return absolute(o.from, err);
	dir = hwb_config_str(cfg, "build.outdir");
	if (!dir || !*dir)
		dir = "dist";
	if (dir[0] == '/')
		return hwb_strdup(dir);
	if (!realpath(srcdir, real))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-B061",
				       "cannot open the source directory '%s'", srcdir),
		       NULL;
	return hwb_strdup_printf("%s/%s", real, dir);
}

/*
 * libcurl, and OpenSSL's configuration with it, is set up first on this
 * thread: set up later (after the build and the checks used libcrypto),
 * OpenSSL leaves the per-thread state of the signing threads behind. No
 * background loader either: a run with nothing to do exits at once.
 */
static void http_setup(void)
{
	struct hwb_http_client *c = NULL;
	struct hwb_error ignored = HWB_ERROR_INIT;

	if (!hwb_http_client_new(&c, NULL, &ignored))
		hwb_http_client_free(c);
}

static int open_signer(void *ctx, struct hwb_signer **out, struct hwb_error *err)
{
	const struct hwb_config *cfg = ctx;

	return cli_signer_open(&common, &signing, cfg, out, err);
}

static void print_json_record(const char *path)
{
	struct hwb_buf text = HWB_BUF_INIT;
	struct hwb_error err = HWB_ERROR_INIT;

	if (!hwb_file_read_all(path, (size_t)16 << 20, &text, &err) && text.len)
		printf("%.*s\n", (int)text.len, text.ptr);
	hwb_buf_release(&text);
}

/* Everything the run needs besides the options: owned, freed at the end. */
struct setup {
	struct hwb_config *cfg;
	char *outdir_flag, *outdir, *from, *url, *password;
	struct hwb_http_options http;
	struct hwb_check_options check;
	struct hwb_build_options build;
};

static int prepare(struct setup *s, const char *srcdir, int argc, char **argv,
		   struct hwb_release_options *ro, struct hwb_error *err)
{
	int needs_password = !o.dry_run && !o.no_publish;

	if (o.from ? cli_load_config(&common, ".", NULL, 0, &s->cfg, err) ||
			     !(s->from = absolute(o.from, err)) ||
			     (o.outdir && !(s->outdir_flag = absolute(o.outdir, err)))
		   : cli_build_config(&common, srcdir, o.outdir, &s->cfg, &s->outdir_flag, err))
		return -1;
	if (!(s->outdir = release_outdir(s->cfg, srcdir, s->outdir_flag, err)) ||
	    hwb_publish_url(s->cfg, o.repository, o.repository_url, &s->url, err) ||
	    (needs_password &&
	     cli_publish_credentials(o.password_stdin, &s->password, &ro->username, err)))
		return -1;
	hwb_http_options_from_config(&s->http, s->cfg);
	cli_check_options(s->cfg, &s->check);
	cmd_build_options(s->cfg, &s->http, &s->build);
	s->build.srcdir = srcdir;
	s->build.argv = (const char *const *)argv;
	s->build.argc = (size_t)argc;
	ro->build = o.from ? NULL : &s->build;
	ro->from = s->from;
	ro->outdir = s->outdir;
	ro->repository_url = s->url;
	ro->dry_run = o.dry_run;
	ro->sign = o.sign;
	ro->no_publish = o.no_publish;
	ro->password = s->password;
	ro->gcp_metadata_url = getenv("HWB_GCP_METADATA_URL");
	ro->open_signer = open_signer;
	ro->signer_ctx = s->cfg;
	ro->http = &s->http;
	ro->check = &s->check;
	return 0;
}

static void setup_release(struct setup *s)
{
	hwb_secret_free(s->password);
	free(s->outdir_flag);
	free(s->outdir);
	free(s->from);
	free(s->url);
	hwb_config_free(s->cfg);
}

int cmd_release(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct cli_list pos = { 0 };
	struct setup s;
	struct hwb_release_options ro;
	struct hwb_release_result r = HWB_RELEASE_RESULT_INIT;
	struct release_view view;
	const char *bad;
	int rc = 0;

	memset(&s, 0, sizeof(s));
	memset(&ro, 0, sizeof(ro));
	http_setup();
	if (cli_parse(&release_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (common.help) {
		cli_print_help(&release_cmd);
		goto cleanup;
	}
	if ((bad = check_combination(pos.count))) {
		rc = usage(bad);
		goto cleanup;
	}
	if (prepare(&s, pos.count ? pos.items[0] : ".", argc, argv, &ro, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	release_view_init(&view, s.cfg, common.quiet || cli_json(&common));
	ro.notify = release_view_event;
	ro.notify_ctx = &view;
	rc = hwb_release_run(&ro, &r, &err);
	cli_progress_end();
	release_view_finish(&view, &r, rc ? &err : NULL);
	if (rc) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (cli_json(&common))
		print_json_record(r.state_path);
	else if (!common.quiet)
		release_view_print(&view, &r);
cleanup:
	hwb_release_result_release(&r);
	cli_signing_release(&signing);
	setup_release(&s);
	cli_list_release(&pos);
	return rc;
}
