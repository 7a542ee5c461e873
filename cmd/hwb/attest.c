/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attest.c: `hwb attest`: signed in-toto statements in DSSE envelopes.
 *   hwb attest FILE... --predicate-type URI --predicate JSON  one statement
 *       about the files (FILE.intoto.sigstore.json, or --bundle OUT)
 *   hwb attest --pypi DIST...   PEP 740 publish attestations, one per
 *       distribution (DIST.publish.attestation), logged in Rekor v1
 *   hwb attest --provenance NAME-VERSION.provenance.json   the SLSA
 *       provenance hwb build wrote (NAME-VERSION.provenance.sigstore.json)
 *   hwb attest --statement FILE --bundle OUT   a statement given whole
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
#include "pkg/core/hash.h"

#define PYPI_PUBLISH_V1 "https://docs.pypi.org/attestations/publish/v1"
#define MAX_STATEMENT ((size_t)16 << 20)

static struct cli_common common;
static struct cli_signing signing;
static struct {
	const char *predicate_type, *predicate, *bundle, *provenance, *statement;
	int pypi;
} o;

static const struct cli_opt attest_opts[] = {
	{ CLI_OPT_STRING, "predicate-type", 0, &o.predicate_type, "URI",
	  "the statement's predicate type (https://slsa.dev/provenance/v1)" },
	{ CLI_OPT_STRING, "predicate", 0, &o.predicate, "FILE",
	  "the predicate, a JSON file" },
	{ CLI_OPT_STRING, "bundle", 0, &o.bundle, "OUT",
	  "where the bundle goes (default FILE.intoto.sigstore.json)" },
	{ CLI_OPT_FLAG, "pypi", 0, &o.pypi, NULL,
	  "PEP 740 publish attestations: DIST.publish.attestation" },
	{ CLI_OPT_STRING, "provenance", 0, &o.provenance, "FILE",
	  "sign the SLSA provenance hwb build wrote" },
	{ CLI_OPT_STRING, "statement", 0, &o.statement, "FILE",
	  "sign this in-toto statement as it is (with --bundle)" },
	CLI_SIGNING_OPTS(&signing),
	CLI_COMMON_OPTS(&common),
	{ 0 },
};

static const struct cli_command attest_cmd = {
	"attest",
	"FILE... --predicate-type URI --predicate FILE [--bundle OUT]\n"
	"       hwb attest --pypi DIST...\n"
	"       hwb attest --provenance NAME-VERSION.provenance.json\n"
	"       hwb attest --statement FILE --bundle OUT",
	"Sign in-toto attestations (DSSE) with Sigstore, PEP 740 included.",
	attest_opts,
};

static int usage_error(const char *msg)
{
	struct hwb_error err = HWB_ERROR_INIT;

	hwb_error_set(&err, HWB_KIND_USAGE, "HWB-S031", "hwb attest: %s", msg);
	hwb_error_hint(&err, "see 'hwb help attest'");
	return cli_report(&common, &err);
}

static const char *check_combination(size_t nfiles)
{
	int modes = o.pypi + !!o.provenance + !!o.statement + !!o.predicate_type;

	if (modes != 1)
		return "choose one of --pypi, --provenance, --statement, --predicate-type";
	if (o.predicate_type && !o.predicate)
		return "--predicate-type needs --predicate FILE";
	if (o.predicate && !o.predicate_type)
		return "--predicate needs --predicate-type URI";
	if ((o.pypi || o.predicate_type) && !nfiles)
		return "give the file(s) to attest";
	if ((o.provenance || o.statement) && nfiles)
		return "--provenance and --statement take no other files";
	if (o.statement && !o.bundle)
		return "--statement needs --bundle OUT";
	if ((o.pypi || o.provenance) && o.bundle)
		return "--bundle goes with --statement or --predicate-type";
	if (o.predicate_type && nfiles > 1 && !o.bundle)
		return "one statement about several files needs --bundle OUT";
	if (o.pypi && signing.rekor_version == 2)
		return "PEP 740 attestations are logged in Rekor v1 (PyPI needs its integrated time)";
	return NULL;
}

/* Sign statement; write the bundle (or its PEP 740 form) to out. */
static int attest_one(struct hwb_signer *s, const struct hwb_config *cfg,
		      const char *file, const struct hwb_buf *statement,
		      const char *out, json_t *results, struct hwb_error *err)
{
	struct hwb_buf bundle = HWB_BUF_INIT, pep740 = HWB_BUF_INIT;
	const struct hwb_buf *data = &bundle;
	struct hwb_sign_result r;
	int rc = -1;

	if (hwb_sign_statement(s, statement, o.pypi, &bundle, &r, err))
		goto cleanup;
	if (o.pypi) {
		if (hwb_sign_pep740_from_bundle(&bundle, &pep740, err))
			goto cleanup;
		data = &pep740;
	}
	if (hwb_file_write_atomic(out, data->ptr, data->len, 0644, err))
		goto cleanup;
	cli_sign_audit(cfg, file, &r);
	if (results)
		json_array_append_new(results, json_pack("{s:s, s:s, s:s, s:I, s:s, s:s}",
			"file", file, "output", out, "sha256", r.sha256, "log_index",
			(json_int_t)r.log_index, "log_url", r.log_url, "entry_kind",
			r.entry_kind));
	else if (!common.quiet)
		printf("attested %s: %s (log index %lld, %s)\n", file, out,
		       (long long)r.log_index, r.entry_kind);
	rc = 0;
cleanup:
	hwb_buf_release(&bundle);
	hwb_buf_release(&pep740);
	return rc;
}

/* The statement about files[0..n): their base names and digests. */
static int statement_about(const char *const *files, size_t n, const char *type,
			   const char *predicate, struct hwb_buf *out,
			   struct hwb_error *err)
{
	struct hwb_sign_subject *subj = calloc(n, sizeof(*subj));
	char (*hex)[HWB_HASH_MAX_HEX] = calloc(n, sizeof(*hex));
	char **copies = calloc(n, sizeof(*copies));
	size_t i;
	int rc = -1;

	if (!subj || !hex || !copies) {
		hwb_error_oom(err);
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		if (!(copies[i] = hwb_strdup(files[i]))) {
			hwb_error_oom(err);
			goto cleanup;
		}
		if (hwb_hash_file_hex(HWB_HASH_SHA256, files[i], hex[i], err))
			goto cleanup;
		subj[i].name = basename(copies[i]);
		subj[i].sha256_hex = hex[i];
	}
	rc = hwb_sign_statement_build(out, subj, n, type, predicate, err);
cleanup:
	for (i = 0; copies && i < n; i++)
		free(copies[i]);
	free(copies);
	free(hex);
	free(subj);
	return rc;
}

static int run_pypi(struct hwb_signer *s, const struct hwb_config *cfg,
		    const struct cli_list *files, json_t *results, int *failed)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_buf st = HWB_BUF_INIT;
	char *out;
	size_t i;
	int rc = 0;

	for (i = 0; i < files->count; i++) {
		hwb_buf_clear(&st);
		out = hwb_strdup_printf("%s.publish.attestation", files->items[i]);
		if (!out || statement_about(&files->items[i], 1, PYPI_PUBLISH_V1, NULL,
					    &st, &err) ||
		    attest_one(s, cfg, files->items[i], &st, out, results, &err)) {
			if (!out)
				hwb_error_oom(&err);
			rc = rc ? rc : (err.kind ? (int)err.kind : HWB_KIND_FAILED);
			cli_report(results ? NULL : &common, &err);
			hwb_error_clear(&err);
			(*failed)++;
		}
		free(out);
	}
	hwb_buf_release(&st);
	return rc;
}

/* --provenance, --statement or --predicate-type: one statement. */
static int run_single(struct hwb_signer *s, const struct hwb_config *cfg,
		      const struct cli_list *files, json_t *results,
		      struct hwb_error *err)
{
	struct hwb_buf st = HWB_BUF_INIT, pred = HWB_BUF_INIT;
	const char *given = o.provenance ? o.provenance : o.statement;
	char *out = NULL;
	size_t len;
	int rc = -1;

	if (given) {
		if (hwb_file_read_all(given, MAX_STATEMENT, &st, err))
			goto cleanup;
		len = strlen(given);
		out = o.bundle ? hwb_strdup(o.bundle)
		      : len > 5 && !strcmp(given + len - 5, ".json")
		      ? hwb_strdup_printf("%.*s.sigstore.json", (int)(len - 5), given)
		      : hwb_strdup_printf("%s.sigstore.json", given);
	} else {
		if (hwb_file_read_all(o.predicate, MAX_STATEMENT, &pred, err) ||
		    hwb_buf_putc(&pred, '\0') ||
		    statement_about(files->items, files->count, o.predicate_type,
				    pred.ptr, &st, err))
			goto cleanup;
		out = o.bundle ? hwb_strdup(o.bundle)
			       : hwb_strdup_printf("%s.intoto.sigstore.json", files->items[0]);
	}
	if (!out) {
		hwb_error_oom(err);
		goto cleanup;
	}
	rc = attest_one(s, cfg, given ? given : files->items[0], &st, out, results, err);
cleanup:
	free(out);
	hwb_buf_release(&st);
	hwb_buf_release(&pred);
	return rc;
}

int cmd_attest(int argc, char **argv)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct cli_list pos = { 0 };
	struct hwb_config *cfg = NULL;
	struct hwb_signer *s = NULL;
	json_t *results = NULL, *doc;
	const char *bad;
	int rc = 0, failed = 0;

	hwb_http_preload(); /* signing always talks to Fulcio */
	if (cli_parse(&attest_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (common.help) {
		cli_print_help(&attest_cmd);
		goto cleanup;
	}
	if ((bad = check_combination(pos.count))) {
		rc = usage_error(bad);
		goto cleanup;
	}
	if (o.pypi)
		signing.rekor_version = 1;
	if (cli_load_config(&common, ".", NULL, 0, &cfg, &err) ||
	    cli_signer_open(&common, &signing, cfg, &s, &err) ||
	    (cli_json(&common) && !(results = json_array()) && hwb_error_oom(&err))) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (o.pypi) {
		rc = run_pypi(s, cfg, &pos, results, &failed);
	} else if (run_single(s, cfg, &pos, results, &err)) {
		failed = 1;
		rc = cli_report(results ? NULL : &common, &err);
	}
	if (results) {
		doc = json_pack("{s:s, s:s, s:s, s:I, s:O}", "schema", "hwb.attest/1",
				"identity", hwb_signer_identity(s), "issuer",
				hwb_signer_issuer(s), "failed", (json_int_t)failed,
				"results", results);
		if (doc)
			json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(doc);
	}
cleanup:
	json_decref(results);
	hwb_signer_free(s);
	cli_signing_release(&signing);
	hwb_config_free(cfg);
	cli_list_release(&pos);
	return rc;
}
