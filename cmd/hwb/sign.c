/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sign.c: `hwb sign FILE...`: keyless Sigstore signatures. One token, one
 * ephemeral key and one certificate serve every file of the call; each
 * file gets FILE.sigstore.json (bundle v0.3, sigstore-python's name), and
 * with --sig-cert cosign's FILE.sig and FILE.cert. Every file is written
 * atomically, after pkg/sign has verified the bundle.
 */
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/hwb/cli.h"
#include "cmd/hwb/cmd.h"
#include "cmd/hwb/signing.h"
#include "pkg/core/fileio.h"
#include "pkg/core/http.h"
#include "pkg/core/log.h"

static struct cli_common common;
static struct cli_signing signing;
static struct {
	const char *bundle, *output_dir;
	int sig_cert;
} o;

static const struct cli_opt sign_opts[] = {
	{ CLI_OPT_STRING, "bundle", 0, &o.bundle, "OUT",
	  "write the bundle here (one FILE only)" },
	{ CLI_OPT_STRING, "output-dir", 0, &o.output_dir, "DIR",
	  "write the outputs in DIR instead of beside each file" },
	{ CLI_OPT_FLAG, "sig-cert", 0, &o.sig_cert, NULL,
	  "also write FILE.sig and FILE.cert (cosign verify-blob; Rekor v1 only)" },
	CLI_SIGNING_OPTS(&signing),
	CLI_COMMON_OPTS(&common),
	{ 0 },
};

static const struct cli_command sign_cmd = {
	"sign",
	"FILE... [--bundle OUT] [--output-dir DIR] [--sig-cert] [--identity-token FILE|-]\n"
	"       [--staging | --trusted-root FILE --signing-config FILE] [--rekor-version 1|2]",
	"Sign files with Sigstore (keyless: an OIDC identity, Fulcio, Rekor).",
	sign_opts,
};

/*
 * Where FILE's output with this suffix goes: --output-dir, else pkg/sign's
 * rule (beside FILE; a distribution's in DIR-signatures/, made here).
 */
static char *output_path(const char *file, const char *suffix,
			 struct hwb_error *err)
{
	struct hwb_buf path = HWB_BUF_INIT;
	char *copy, *out = NULL;

	if (o.output_dir) {
		if ((copy = hwb_strdup(file)))
			out = hwb_strdup_printf("%s/%s%s", o.output_dir, basename(copy), suffix);
		free(copy);
	} else if (hwb_sign_is_distribution(file) &&
		   (hwb_sign_signature_dir(file, &path) || hwb_buf_check(&path, err) ||
		    hwb_mkdir_p(path.ptr, 0755, err))) {
		hwb_buf_release(&path);
		return NULL;
	} else if (!hwb_sign_output_path(file, suffix, &path) && !path.oom) {
		out = hwb_buf_detach(&path, NULL);
	}
	hwb_buf_release(&path);
	if (!out && !err->code[0])
		hwb_error_oom(err);
	return out;
}

static int write_out(const char *file, const char *suffix, const char *given,
		     const struct hwb_buf *data, char **written,
		     struct hwb_error *err)
{
	char *path = given ? hwb_strdup(given) : output_path(file, suffix, err);

	if (!path)
		return err->code[0] ? -1 : hwb_error_oom(err);
	if (hwb_file_write_atomic(path, data->ptr, data->len, 0644, err)) {
		free(path);
		return -1;
	}
	if (written)
		*written = path;
	else
		free(path);
	return 0;
}

static json_t *result_json(const char *file, const char *bundle,
			   const struct hwb_sign_result *r)
{
	return json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:I}", "file", file,
			 "bundle", bundle, "sha256", r->sha256, "log_index",
			 (json_int_t)r->log_index, "log_url", r->log_url,
			 "entry_kind", r->entry_kind, "timestamps",
			 (json_int_t)r->timestamps);
}

/* What every file's report needs. */
struct run {
	const struct hwb_config *cfg;
	const char *const *files;
	json_t *results;
	int status; /* the first failure's exit status */
};

static int write_outputs(const char *file, const struct hwb_buf *bundle,
			 char **bundle_path, struct hwb_error *err)
{
	struct hwb_buf sig = HWB_BUF_INIT, cert = HWB_BUF_INIT;
	int rc = (o.sig_cert && hwb_sign_bundle_sig_cert(bundle, &sig, &cert, err)) ||
		 write_out(file, ".sigstore.json", o.bundle, bundle, bundle_path, err) ||
		 (o.sig_cert && (write_out(file, ".sig", NULL, &sig, NULL, err) ||
				 write_out(file, ".cert", NULL, &cert, NULL, err)));

	hwb_buf_release(&sig);
	hwb_buf_release(&cert);
	return rc ? -1 : 0;
}

/* One file signed (or not), in argument order: write, audit, report. */
static void file_done(void *ctx, size_t i, const struct hwb_buf *bundle,
		      const struct hwb_sign_result *r, const struct hwb_error *failed)
{
	struct run *run = ctx;
	struct hwb_error err = HWB_ERROR_INIT;
	const char *file = run->files[i];
	char *bundle_path = NULL;

	if (failed)
		err = *failed;
	if (!failed && !write_outputs(file, bundle, &bundle_path, &err)) {
		cli_sign_audit(run->cfg, file, r);
		if (run->results)
			json_array_append_new(run->results, result_json(file, bundle_path, r));
		else if (!common.quiet)
			printf("signed %s: %s (log index %lld, %s)\n", file, bundle_path,
			       (long long)r->log_index, r->entry_kind);
		free(bundle_path);
		return;
	}
	if (!run->status)
		run->status = err.kind ? (int)err.kind : HWB_KIND_FAILED;
	cli_report(run->results ? NULL : &common, &err);
}

static const char *check_combination(size_t nfiles)
{
	if (!nfiles)
		return "give the file(s) to sign";
	if (o.bundle && nfiles > 1)
		return "--bundle names one file's bundle: sign one file, or use --output-dir";
	if (o.bundle && o.output_dir)
		return "give either --bundle or --output-dir";
	if (o.sig_cert && signing.rekor_version == 2)
		return "--sig-cert: a signature and certificate logged in Rekor v2 can only be checked through the bundle; use --rekor-version 1";
	return NULL;
}

static int usage_error(const char *msg)
{
	struct hwb_error err = HWB_ERROR_INIT;

	hwb_error_set(&err, HWB_KIND_USAGE, "HWB-S031", "hwb sign: %s", msg);
	hwb_error_hint(&err, "see 'hwb help sign'");
	return cli_report(&common, &err);
}

static void print_json(json_t *results, const struct hwb_signer *s, size_t ok,
		       size_t failed)
{
	json_t *doc = json_pack("{s:s, s:s, s:s, s:I, s:I, s:O}", "schema", "hwb.sign/1",
				"identity", s ? hwb_signer_identity(s) : "", "issuer",
				s ? hwb_signer_issuer(s) : "", "signed", (json_int_t)ok,
				"failed", (json_int_t)failed, "results", results);

	if (doc)
		json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
	fputc('\n', stdout);
	json_decref(doc);
}

int cmd_sign(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct cli_list pos = { 0 };
	struct hwb_config *cfg = NULL;
	struct hwb_signer *s = NULL;
	struct run run = { 0 };
	json_t *results = NULL;
	const char *bad;
	int rc = 0;

	hwb_http_preload(); /* signing always talks to Fulcio */
	if (cli_parse(&sign_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (common.help) {
		cli_print_help(&sign_cmd);
		goto cleanup;
	}
	if ((bad = check_combination(pos.count))) {
		rc = usage_error(bad);
		goto cleanup;
	}
	if (cli_load_config(&common, ".", NULL, 0, &cfg, &err) ||
	    (o.output_dir && hwb_mkdir_p(o.output_dir, 0755, &err)) ||
	    cli_signer_open(&common, &signing, cfg, &s, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (o.sig_cert && hwb_signer_rekor_version(s) == 2) {
		rc = usage_error("--sig-cert: the signing config logs in Rekor v2, whose entries can only be checked through the bundle; add --rekor-version 1");
		goto cleanup;
	}
	if (cli_json(&common) && !(results = json_array())) {
		rc = cli_report(&common, (hwb_error_oom(&err), &err));
		goto cleanup;
	}
	run.cfg = cfg;
	run.files = pos.items;
	run.results = results;
	if (hwb_sign_files(s, pos.items, pos.count, file_done, &run, &err) &&
	    strcmp(err.code, "HWB-S032") && !run.status) {
		/* stopped before any file: nothing was reported yet */
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	rc = run.status;
	if (results)
		print_json(results, s, json_array_size(results),
			   pos.count - json_array_size(results));
cleanup:
	json_decref(results);
	hwb_signer_free(s);
	cli_signing_release(&signing);
	hwb_config_free(cfg);
	cli_list_release(&pos);
	return rc;
}
