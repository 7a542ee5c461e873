/* SPDX-License-Identifier: Apache-2.0 */
/*
 * publish.c: `hwb publish DIST...`. It reads the options and credentials
 * (environment or stdin only), resolves the index URL, draws progress and
 * the summary, writes the audit records; pkg/publish does the work.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/hwb/cli.h"
#include "cmd/hwb/cmd.h"
#include "cmd/hwb/publishing.h"
#include "cmd/hwb/signing.h"
#include "pkg/core/http.h"
#include "pkg/core/log.h"
#include "pkg/publish/publish.h"
#include "pkg/sign/sign.h"
#include "pkg/wheel/wheel.h"

/* A token is a line; a longer one is not a token. */
#define PASSWORD_MAX 8192

static struct cli_common common;
static struct {
	const char *repository_url, *repository, *trusted, *identity_token;
	const char *trusted_root, *signing_config;
	int skip_existing, attestations, dry_run, no_check, password_stdin, staging;
} o;

static const struct cli_opt publish_opts[] = {
	{ CLI_OPT_STRING, "repository-url", 0, &o.repository_url, "URL",
	  "the index's upload URL (default https://upload.pypi.org/legacy/)" },
	{ CLI_OPT_STRING, "repository", 'r', &o.repository, "NAME",
	  "pypi, testpypi, or [publish.repositories.NAME] of your config" },
	{ CLI_OPT_STRING, "trusted-publishing", 0, &o.trusted, "auto|always|never",
	  "exchange the CI's OIDC token for an upload token (default auto)" },
	{ CLI_OPT_FLAG, "skip-existing", 0, &o.skip_existing, NULL,
	  "a file the index has already counts as done" },
	{ CLI_OPT_STRING, "identity-token", 0, &o.identity_token, "FILE|-",
	  "trusted publishing: the OIDC token from a file or stdin (default: the CI's)" },
	{ CLI_OPT_FLAG, "attestations", 0, &o.attestations, NULL,
	  "create and send PEP 740 attestations (DIST.publish.attestation)" },
	{ CLI_OPT_STRING, "trusted-root", 0, &o.trusted_root, "FILE",
	  "--attestations: a Sigstore trusted_root.json instead of the embedded one" },
	{ CLI_OPT_STRING, "signing-config", 0, &o.signing_config, "FILE",
	  "--attestations: a signing config v0.2 instead of the embedded one" },
	{ CLI_OPT_FLAG, "staging", 0, &o.staging, NULL,
	  "--attestations: sign with the Sigstore staging instance" },
	{ CLI_OPT_FLAG, "dry-run", 'n', &o.dry_run, NULL,
	  "check and prepare everything, upload nothing" },
	{ CLI_OPT_FLAG, "no-check", 0, &o.no_check, NULL,
	  "skip hwb check of the files (not recommended)" },
	{ CLI_OPT_FLAG, "password-stdin", 0, &o.password_stdin, NULL,
	  "read the password or API token from standard input" },
	CLI_COMMON_OPTS(&common),
	{ 0 },
};

static const struct cli_command publish_cmd = {
	"publish",
	"DIST... [--repository-url URL | --repository NAME] [--trusted-publishing auto|always|never]\n"
	"       [--identity-token FILE|-] [--skip-existing] [--attestations [--trusted-root FILE]\n"
	"       [--signing-config FILE] [--staging]] [--dry-run] [--no-check] [--password-stdin]",
	"Upload wheels and sdists to PyPI or another index. Credentials: trusted publishing in CI,\n"
	"else HWB_PASSWORD (or TWINE_PASSWORD) with HWB_USERNAME (default __token__), or --password-stdin.",
	publish_opts,
};

/* Progress: a bar redrawn in place on a terminal, a line per file elsewhere. */
struct view {
	int tty, quiet;
	int last_pct;
};

static void on_event(void *ctx, enum hwb_publish_event ev,
		     const struct hwb_publish_file *f, uint64_t sent, uint64_t total)
{
	struct view *v = ctx;
	int pct, i;

	if (v->quiet)
		return;
	if (ev == HWB_PUBLISH_EVENT_START) {
		v->last_pct = -1;
		if (!v->tty)
			hwb_log_info("uploading %s (%llu bytes)", f->filename,
				     (unsigned long long)f->size);
	} else if (ev == HWB_PUBLISH_EVENT_PROGRESS && v->tty && total) {
		pct = (int)(sent * 100 / total);
		if (pct == v->last_pct)
			return;
		v->last_pct = pct;
		fprintf(stderr, "\r%-40.40s [", f->filename);
		for (i = 0; i < 30; i++)
			fputc(i < pct * 30 / 100 ? '#' : '.', stderr);
		fprintf(stderr, "] %3d%%", pct);
		fflush(stderr);
	} else if (ev == HWB_PUBLISH_EVENT_DONE && v->tty && v->last_pct >= 0) {
		fputc('\n', stderr);
	}
}

static int parse_trusted(enum hwb_publish_trusted *out, struct hwb_error *err)
{
	if (!o.trusted || !strcmp(o.trusted, "auto"))
		*out = HWB_PUBLISH_TRUSTED_AUTO;
	else if (!strcmp(o.trusted, "always"))
		*out = HWB_PUBLISH_TRUSTED_ALWAYS;
	else if (!strcmp(o.trusted, "never"))
		*out = HWB_PUBLISH_TRUSTED_NEVER;
	else
		return hwb_error_set(err, HWB_KIND_USAGE, "HWB-P020",
				     "--trusted-publishing takes auto, always or "
				     "never, not '%s'", o.trusted),
		       hwb_error_hint(err, "auto uses it when the CI offers an "
				      "OIDC token and no password is set");
	return 0;
}

static int read_credentials(char **password, const char **username,
			    struct hwb_error *err)
{
	return cli_publish_credentials(o.password_stdin, password, username, err);
}

/* HWB_* wins over TWINE_*, which release workflows already set. */
int cli_publish_credentials(int from_stdin, char **password, const char **username,
			    struct hwb_error *err)
{
	*username = getenv("HWB_USERNAME");
	if (!*username || !**username)
		*username = getenv("TWINE_USERNAME");
	if (*username && !**username)
		*username = NULL;
	if (from_stdin)
		return hwb_secret_from_fd(0, "the password or API token",
					  PASSWORD_MAX, password, err);
	if (hwb_secret_from_env("HWB_PASSWORD", password, err))
		return -1;
	if (!*password && hwb_secret_from_env("TWINE_PASSWORD", password, err))
		return -1;
	return 0;
}

void cli_check_options(const struct hwb_config *cfg, struct hwb_check_options *c)
{
	c->strict = hwb_config_bool(cfg, "check.strict");
	c->max_member_size = (uint64_t)hwb_config_int(cfg, "check.max-member-size");
	c->max_total_size = (uint64_t)hwb_config_int(cfg, "check.max-total-size");
	c->max_ratio = (uint64_t)hwb_config_int(cfg, "check.max-ratio");
	c->threads = (int)hwb_config_int(cfg, "check.threads");
}

static json_t *file_json(const struct hwb_publish_file *f)
{
	json_t *e = f->status == HWB_PUBLISH_FAILED
			    ? json_pack("{s:s, s:s, s:s}", "code", f->error.code,
					"message", f->error.message, "hint", f->error.hint)
			    : json_null();

	json_t *log_index = f->attestation_log_index >= 0
				    ? json_integer(f->attestation_log_index)
				    : json_null();

	return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:b, s:o, s:I, s:f, s:o}",
			 "file", f->filename, "path", f->path, "sha256", f->sha256,
			 "blake2_256", f->blake2_256, "size", (json_int_t)f->size,
			 "status", hwb_publish_status_name(f->status), "attested",
			 f->attested, "attestation_log_index", log_index, "attempts",
			 (json_int_t)f->attempts, "seconds", f->seconds, "error", e);
}

static void print_json(const struct hwb_publish_result *r, size_t counts[5])
{
	json_t *files = json_array(), *doc;
	size_t i;

	for (i = 0; files && i < r->count; i++)
		json_array_append_new(files, file_json(&r->files[i]));
	doc = json_pack("{s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:o, s:b, s:I, s:I, s:I, s:o}",
			"schema", "hwb.publish/1", "index", r->index_url,
			"project_url", r->project_url, "name", r->name, "version",
			r->version, "auth", hwb_publish_auth_name(r->auth), "publisher",
			r->publisher_identity
				? json_pack("{s:s, s:s?}", "identity", r->publisher_identity,
					    "issuer", r->publisher_issuer)
				: json_null(),
			"dry_run", o.dry_run, "uploaded",
			(json_int_t)counts[HWB_PUBLISH_UPLOADED], "skipped",
			(json_int_t)counts[HWB_PUBLISH_SKIPPED], "failed",
			(json_int_t)counts[HWB_PUBLISH_FAILED], "files",
			files ? files : json_array());
	if (doc) {
		json_dumpf(doc, stdout, JSON_INDENT(2));
		fputc('\n', stdout);
	}
	json_decref(doc);
}

static void print_text(const struct hwb_publish_result *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		const struct hwb_publish_file *f = &r->files[i];

		if (f->status == HWB_PUBLISH_PENDING)
			continue;
		printf("%-9s %s%s\n", hwb_publish_status_name(f->status), f->filename,
		       f->attested ? " (with attestation)" : "");
	}
	if (r->project_url && r->count)
		printf("%s %s at %s\n", r->name, r->version, r->project_url);
}

static void audit(const struct hwb_config *cfg, const struct hwb_publish_result *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		const struct hwb_publish_file *f = &r->files[i];
		const struct hwb_audit_field fields[] = {
			HWB_AUDIT_STR("index", r->index_url),
			HWB_AUDIT_STR("file", f->filename),
			HWB_AUDIT_STR("sha256", f->sha256[0] ? f->sha256 : NULL),
			HWB_AUDIT_STR("status", hwb_publish_status_name(f->status)),
			HWB_AUDIT_STR("auth", hwb_publish_auth_name(r->auth)),
			HWB_AUDIT_STR("publisher", r->publisher_identity),
			HWB_AUDIT_STR("issuer", r->publisher_issuer),
			HWB_AUDIT_FLAG("attested", f->attested),
			HWB_AUDIT_NUM("attestation_log_index", f->attestation_log_index),
			HWB_AUDIT_STR("code", f->status == HWB_PUBLISH_FAILED
						      ? f->error.code : NULL),
		};

		if (f->status != HWB_PUBLISH_PENDING && f->status != HWB_PUBLISH_DRY_RUN)
			cli_audit(cfg, "publish.completed", fields,
				  sizeof(fields) / sizeof(fields[0]));
	}
}

static int finish(const struct hwb_config *cfg, const struct hwb_publish_result *r,
		  int rc, const struct hwb_error *err)
{
	size_t counts[5] = { 0 }, i;

	for (i = 0; i < r->count; i++)
		counts[r->files[i].status]++;
	audit(cfg, r);
	for (i = 0; i < r->count; i++)
		if (r->files[i].status == HWB_PUBLISH_FAILED)
			cli_report(NULL, &r->files[i].error);
	if (cli_json(&common))
		print_json(r, counts);
	else if (!common.quiet)
		print_text(r);
	if (counts[HWB_PUBLISH_FAILED])
		return HWB_KIND_FAILED;
	if (rc) /* nothing was uploaded: the reason's own exit status */
		return cli_report(NULL, err);
	return 0;
}

int cmd_publish(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct cli_list pos = { 0 };
	struct hwb_config *cfg = NULL;
	struct hwb_publish_options po;
	struct hwb_publish_result r = HWB_PUBLISH_RESULT_INIT;
	struct hwb_http_options http;
	struct hwb_check_options check = { 0 };
	struct hwb_sign_options sign;
	struct cli_signing trust = { 0 };
	struct view view = { 0, 0, -1 };
	char *password = NULL, *url = NULL;
	int rc = 0;

	memset(&po, 0, sizeof(po));
	memset(&sign, 0, sizeof(sign));
	if (cli_parse(&publish_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err) || parse_trusted(&po.trusted, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (common.help) {
		cli_print_help(&publish_cmd);
		goto cleanup;
	}
	if (o.password_stdin && o.identity_token && !strcmp(o.identity_token, "-")) {
		hwb_error_set(&err, HWB_KIND_USAGE, "HWB-P021",
			      "--password-stdin and --identity-token - both read "
			      "standard input");
		hwb_error_hint(&err, "trusted publishing needs no password: drop "
			       "--password-stdin, or give the token as a file");
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (!pos.count) {
		hwb_error_set(&err, HWB_KIND_USAGE, "HWB-P004",
			      "hwb publish needs the files to publish");
		hwb_error_hint(&err, "hwb publish dist/");
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (cli_load_config(&common, ".", NULL, 0, &cfg, &err) ||
	    hwb_publish_url(cfg, o.repository, o.repository_url, &url, &err) ||
	    (!o.dry_run && read_credentials(&password, &po.username, &err))) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	hwb_http_options_from_config(&http, cfg);
	cli_check_options(cfg, &check);
	view.tty = isatty(2) && !cli_json(&common);
	view.quiet = common.quiet;
	po.dists = (const char *const *)pos.items;
	po.dist_count = pos.count;
	po.repository_url = url;
	po.skip_existing = o.skip_existing;
	po.attestations = o.attestations;
	po.dry_run = o.dry_run;
	po.no_check = o.no_check;
	po.password = password;
	po.oidc_token_file = o.identity_token;
	po.gcp_metadata_url = getenv("HWB_GCP_METADATA_URL");
	sign.trusted_root = o.trusted_root;
	sign.signing_config = o.signing_config;
	sign.staging = o.staging;
	sign.rekor_version = 1;
	sign.http = &http;
	/* the trust hwb sign would use: a refreshed TUF cache included */
	trust.trusted_root = o.trusted_root;
	trust.signing_config = o.signing_config;
	trust.staging = o.staging;
	if (o.attestations && !o.dry_run &&
	    cli_signing_trust(&common, &trust, cfg, &sign, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	po.sign = &sign;
	po.http = &http;
	po.check = &check;
	po.notify = on_event;
	po.notify_ctx = &view;
	rc = hwb_publish(&po, &r, &err);
	rc = finish(cfg, &r, rc, &err);
cleanup:
	cli_signing_release(&trust);
	hwb_publish_result_release(&r);
	hwb_secret_free(password);
	free(url);
	hwb_config_free(cfg);
	cli_list_release(&pos);
	return rc;
}
