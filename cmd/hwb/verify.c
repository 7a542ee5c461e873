/* SPDX-License-Identifier: Apache-2.0 */
/*
 * verify.c: `hwb verify FILE...` (Sigstore bundles, offline), the detached
 * `--signature/--certificate --online` form, and `hwb verify pypi DIST`
 * (PEP 740). It turns options into a policy, calls pkg/sign for each file
 * and reports; the verification itself lives in pkg/sign.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmd/hwb/cli.h"
#include "cmd/hwb/cmd.h"
#include "cmd/hwb/trust.h"
#include "pkg/core/audit.h"
#include "pkg/core/buf.h"
#include "pkg/core/config.h"
#include "pkg/core/encode.h"
#include "pkg/core/http.h"
#include "pkg/core/log.h"
#include "pkg/sign/sign.h"

static struct cli_common common;
static struct {
	const char *bundle, *identity, *identity_re, *issuer, *issuer_re;
	const char *repository, *workflow, *ref, *key, *trusted_root;
	const char *signature, *certificate, *rekor_url, *provenance;
	const char *google_email;
	int staging, offline, online, gitlab, update_trust;
} o;

static const struct cli_opt verify_opts[] = {
	{ CLI_OPT_STRING, "bundle", 0, &o.bundle, "FILE",
	  "the bundle (default FILE.sigstore.json, then FILE.sigstore)" },
	{ CLI_OPT_STRING, "cert-identity", 0, &o.identity, "ID",
	  "the signer's identity (certificate SAN), exactly" },
	{ CLI_OPT_STRING, "cert-identity-regexp", 0, &o.identity_re, "RE",
	  "the signer's identity, as a POSIX extended regex" },
	{ CLI_OPT_STRING, "cert-oidc-issuer", 0, &o.issuer, "URL",
	  "the OIDC issuer of the identity, exactly" },
	{ CLI_OPT_STRING, "cert-oidc-issuer-regexp", 0, &o.issuer_re, "RE",
	  "the OIDC issuer, as a regular expression" },
	{ CLI_OPT_STRING, "repository", 0, &o.repository, "OWNER/REPO",
	  "GitHub (or GitLab) repository that must have signed" },
	{ CLI_OPT_STRING, "workflow", 0, &o.workflow, "NAME",
	  "workflow file that must have signed (release.yml or its path)" },
	{ CLI_OPT_STRING, "ref", 0, &o.ref, "REF",
	  "git ref the workflow must have run on (refs/tags/v1.0)" },
	{ CLI_OPT_STRING, "key", 0, &o.key, "PEM",
	  "verify with this public key instead of an identity" },
	{ CLI_OPT_STRING, "trusted-root", 0, &o.trusted_root, "FILE",
	  "a Sigstore trusted_root.json instead of the embedded one" },
	{ CLI_OPT_FLAG, "staging", 0, &o.staging, NULL,
	  "trust the Sigstore staging instance" },
	{ CLI_OPT_FLAG, "offline", 0, &o.offline, NULL,
	  "never use the network (the default)" },
	{ CLI_OPT_FLAG, "update-trust", 0, &o.update_trust, NULL,
	  "refresh the trust root from Sigstore's TUF repository first" },
	{ CLI_OPT_FLAG, "online", 0, &o.online, NULL,
	  "allow the Rekor look-up for --signature/--certificate" },
	{ CLI_OPT_STRING, "signature", 0, &o.signature, "FILE",
	  "detached signature (base64), with --certificate and --online" },
	{ CLI_OPT_STRING, "certificate", 0, &o.certificate, "FILE",
	  "signing certificate (PEM) of a detached signature" },
	{ CLI_OPT_STRING, "rekor-url", 0, &o.rekor_url, "URL",
	  "Rekor to ask with --online (default: the trusted root's)" },
	{ CLI_OPT_STRING, "provenance", 0, &o.provenance, "FILE",
	  "pypi: a PyPI provenance document instead of DIST.publish.attestation" },
	{ CLI_OPT_FLAG, "gitlab", 0, &o.gitlab, NULL,
	  "pypi: the publisher is GitLab CI/CD" },
	{ CLI_OPT_STRING, "google-email", 0, &o.google_email, "ADDRESS",
	  "pypi: the publisher is this Google service account" },
	CLI_COMMON_OPTS(&common),
	{ 0 },
};

static const struct cli_command verify_cmd = {
	"verify",
	"FILE... [--bundle B] (--cert-identity ID | --repository O/R --workflow W | --key PEM) ...\n"
	"       hwb verify pypi DIST --repository O/R --workflow W [--provenance FILE]",
	"Verify Sigstore signatures offline, as the Sigstore client specification does.",
	verify_opts,
};

static int usage_error(const char *msg)
{
	struct hwb_error err = HWB_ERROR_INIT;

	hwb_error_set(&err, HWB_KIND_USAGE, "HWB-V007", "hwb verify: %s", msg);
	hwb_error_hint(&err, "see 'hwb help verify'");
	return cli_report(&common, &err);
}

/*
 * --workflow names the file; its path in the repository, as users copy it
 * (.github/workflows/release.yml, ./.github/...), means the same file.
 */
static const char *workflow_name(const char *w)
{
	static const char dir[] = ".github/workflows/";

	if (!w)
		return NULL;
	if (!strncmp(w, "./", 2))
		w += 2;
	if (!strncmp(w, dir, sizeof(dir) - 1))
		w += sizeof(dir) - 1;
	return w;
}

/* Options to a policy; a conflicting combination is a usage error. */
static const char *make_policy(struct hwb_verify_policy *p, int pypi)
{
	int identity = o.identity || o.identity_re || o.issuer || o.issuer_re;
	int publisher = o.repository || o.workflow;

	memset(p, 0, sizeof(*p));
	if (identity + publisher + !!o.key + !!o.google_email > 1)
		return "give one policy: an identity, a repository/workflow, a Google e-mail or a key";
	p->identity = o.identity;
	p->identity_regexp = o.identity_re;
	p->issuer = o.issuer;
	p->issuer_regexp = o.issuer_re;
	p->repository = o.repository;
	p->workflow = workflow_name(o.workflow);
	p->ref = o.ref;
	p->key_path = o.key;
	p->pep740 = pypi;
	if (o.key)
		p->kind = HWB_POLICY_KEY;
	else if (o.google_email) {
		p->kind = HWB_POLICY_GOOGLE;
		p->identity = o.google_email;
	} else if (publisher)
		p->kind = o.gitlab ? HWB_POLICY_GITLAB : HWB_POLICY_GITHUB;
	else if (identity)
		p->kind = HWB_POLICY_IDENTITY;
	if (o.gitlab && p->kind != HWB_POLICY_GITLAB)
		return "--gitlab needs --repository and --workflow";
	if (o.ref && p->kind != HWB_POLICY_GITHUB && p->kind != HWB_POLICY_GITLAB)
		return "--ref needs --repository and --workflow";
	if (pypi && p->kind == HWB_POLICY_KEY)
		return "PEP 740 attestations are signed by identities, not keys";
	return NULL;
}

static json_t *result_json(const char *file, const struct hwb_verify_result *r)
{
	json_t *times = json_array(), *doc;
	char when[32];
	size_t i;

	for (i = 0; times && i < r->time_count; i++) {
		hwb_iso_time(r->times[i], when, sizeof(when));
		json_array_append_new(times, json_pack("{s:s, s:s}", "source",
						       r->time_sources[i], "time", when));
	}
	doc = json_pack("{s:s, s:b, s:s, s:s, s:s, s:s, s:s, s:I, s:o}", "file",
			file, "verified", 1, "sha256", r->artifact_sha256,
			"identity", r->identity, "issuer", r->issuer, "bundle",
			r->bundle_type, "entry_kind", r->entry_kind, "log_index",
			(json_int_t)r->log_index, "times", times ? times : json_null());
	if (doc && r->integrated_time)
		json_object_set_new(doc, "integrated_time",
				    json_integer((json_int_t)r->integrated_time));
	return doc;
}

static json_t *error_json(const char *file, const struct hwb_error *err)
{
	return json_pack("{s:s, s:b, s:{s:s, s:s, s:s}}", "file", file,
			 "verified", 0, "error", "code", err->code, "message",
			 err->message, "hint", err->hint);
}

static void print_text(const char *file, const struct hwb_verify_result *r)
{
	struct hwb_buf line = HWB_BUF_INIT, safe = HWB_BUF_INIT;
	char when[32];

	hwb_iso_time(r->time_count ? r->times[0] : 0, when, sizeof(when));
	hwb_buf_printf(&line, "verified %s: signed by %s", file, r->identity);
	if (r->issuer[0])
		hwb_buf_printf(&line, " (issuer %s)", r->issuer);
	hwb_buf_printf(&line, ", log index %lld, signed at %s",
		       (long long)r->log_index, when);
	/* identities come from certificates: no control characters out */
	if (!hwb_redact(&safe, line.ptr, line.len) && !common.quiet)
		printf("%s\n", safe.ptr);
	hwb_buf_release(&line);
	hwb_buf_release(&safe);
}

static void audit(const struct hwb_config *cfg, const char *file,
		  const struct hwb_verify_result *r, const struct hwb_error *err)
{
	const struct hwb_audit_field f[] = {
		HWB_AUDIT_STR("file", file),
		HWB_AUDIT_FLAG("verified", r != NULL),
		HWB_AUDIT_STR("sha256", r ? r->artifact_sha256 : NULL),
		HWB_AUDIT_STR("identity", r ? r->identity : NULL),
		HWB_AUDIT_STR("issuer", r && r->issuer[0] ? r->issuer : NULL),
		HWB_AUDIT_STR("code", r ? NULL : err->code),
	};

	cli_audit(cfg, "verify.completed", f, sizeof(f) / sizeof(*f));
}

/* Run one verification; record it for the JSON document or print it. */
static int run_one(const struct hwb_config *cfg, struct hwb_verifier *v,
		   const char *file, int pypi, json_t *results,
		   enum hwb_error_kind *worst)
{
	struct hwb_error err = HWB_ERROR_INIT;
	struct hwb_verify_result res;
	int rc;

	if (pypi)
		rc = hwb_verify_pypi(v, file, o.provenance, &res, &err);
	else if (o.signature)
		rc = hwb_verify_detached(v, file, o.signature, o.certificate, &res, &err);
	else
		rc = hwb_verify_bundle(v, file, o.bundle, &res, &err);
	audit(cfg, file, rc ? NULL : &res, &err);
	if (rc) {
		cli_report(NULL, &err);
		if (results)
			json_array_append_new(results, error_json(file, &err));
		if (*worst == HWB_KIND_NONE)
			*worst = err.kind ? err.kind : HWB_KIND_FAILED;
		return -1;
	}
	if (results)
		json_array_append_new(results, result_json(file, &res));
	else
		print_text(file, &res);
	return 0;
}

static const char *check_combination(size_t nfiles, int pypi)
{
	if (!nfiles)
		return pypi ? "give the distribution file to verify" : "give the file(s) to verify";
	if (o.online && o.offline)
		return "--online and --offline exclude each other";
	if ((o.signature || o.certificate) && !(o.signature && o.certificate))
		return "--signature and --certificate go together";
	if ((o.signature || o.certificate) && o.bundle)
		return "give either --bundle or --signature/--certificate";
	if ((o.signature || o.bundle) && nfiles > 1)
		return "--bundle and --signature name one file's signature: verify one file";
	if ((o.provenance || o.gitlab || o.google_email) && !pypi)
		return "--provenance, --gitlab and --google-email belong to 'hwb verify pypi'";
	if (o.staging && o.trusted_root)
		return "give either --staging or --trusted-root";
	if (o.update_trust && (o.offline || o.trusted_root))
		return "--update-trust excludes --offline and --trusted-root";
	return NULL;
}

/*
 * The trust settings: verify.trusted-root (one file: the verifier trusts
 * one root) or verify.staging, never both. A flag for one of them wins over
 * the configured other.
 */
static int trust_from_config(const struct hwb_config *cfg,
			     struct hwb_verify_options *opts,
			     struct hwb_error *err)
{
	const char *const *roots = NULL;
	size_t n = hwb_config_list(cfg, "verify.trusted-root", &roots);

	if (o.staging || o.trusted_root) {
		opts->staging = o.staging;
		opts->trusted_root = o.trusted_root;
		return 0;
	}
	if (n > 1)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-V033",
				     "verify.trusted-root (%s) names %zu files; "
				     "hwb verify trusts one root",
				     hwb_config_origin(cfg, "verify.trusted-root"), n),
		       hwb_error_hint(err, "keep one trusted_root.json in "
				      "verify.trusted-root, or pass --trusted-root");
	opts->trusted_root = n ? roots[0] : NULL;
	opts->staging = hwb_config_bool(cfg, "verify.staging");
	if (opts->trusted_root && opts->staging)
		return hwb_error_set(err, HWB_KIND_CONFIG, "HWB-V033",
				     "verify.trusted-root (%s) and verify.staging "
				     "(%s) exclude each other",
				     hwb_config_origin(cfg, "verify.trusted-root"),
				     hwb_config_origin(cfg, "verify.staging")),
		       hwb_error_hint(err, "set only one of them");
	return 0;
}

/*
 * Without a trusted_root.json given, the freshest of the TUF cache and the
 * embedded copy (offline, with a warning when it is old), or a fresh one
 * with --update-trust.
 */
static int tuf_trust(const struct hwb_config *cfg, struct cli_trust *t,
		     struct hwb_verify_options *opts, struct hwb_error *err)
{
	if (opts->trusted_root)
		return 0;
	if (cli_trust_open(t, cfg, opts->staging, NULL, NULL, err) ||
	    (o.update_trust && cli_trust_update(t, NULL, NULL, err)))
		return -1;
	cli_trust_resolve(t, !common.quiet);
	if (t->from_cache) {
		opts->trusted_root_json = t->trusted_root.ptr;
		opts->trusted_root_len = t->trusted_root.len;
		opts->trusted_root_name = t->cache_dir.ptr;
	}
	return 0;
}

int cmd_verify(int argc, char **argv)
{
	struct cli_trust trust = { 0 };
	struct hwb_error err = HWB_ERROR_INIT;
	struct cli_list pos = { 0 };
	struct hwb_verify_options opts;
	struct hwb_verifier *v = NULL;
	struct hwb_config *cfg = NULL;
	struct hwb_config_override ov[2];
	struct hwb_http_options http;
	size_t nov = 0;
	enum hwb_error_kind worst = HWB_KIND_NONE;
	json_t *results = NULL, *doc;
	const char *bad, **files;
	size_t i, nfiles, ok = 0;
	int pypi, rc = 0;

	if (cli_parse(&verify_cmd, argc, argv, &pos, &err) ||
	    cli_apply_common(&common, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (common.help) {
		cli_print_help(&verify_cmd);
		goto cleanup;
	}
	pypi = pos.count && !strcmp(pos.items[0], "pypi");
	files = pos.items + pypi;
	nfiles = pos.count - (size_t)pypi;
	memset(&opts, 0, sizeof(opts));
	if ((bad = check_combination(nfiles, pypi)) ||
	    (bad = make_policy(&opts.policy, pypi))) {
		rc = usage_error(bad);
		goto cleanup;
	}
	/* the flags win over verify.trusted-root and verify.staging */
	if (o.trusted_root)
		ov[nov++] = (struct hwb_config_override){
			"verify.trusted-root", o.trusted_root, "--trusted-root" };
	if (o.staging)
		ov[nov++] = (struct hwb_config_override){ "verify.staging",
							  "true", "--staging" };
	if (cli_load_config(&common, ".", ov, nov, &cfg, &err) ||
	    trust_from_config(cfg, &opts, &err) ||
	    tuf_trust(cfg, &trust, &opts, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	opts.online = o.online;
	hwb_http_options_from_config(&http, cfg);
	opts.http = &http;
	opts.rekor_url = o.rekor_url;
	if (hwb_verifier_new(&v, &opts, &err)) {
		rc = cli_report(&common, &err);
		goto cleanup;
	}
	if (cli_json(&common) && !(results = json_array())) {
		rc = cli_report(&common, (hwb_error_oom(&err), &err));
		goto cleanup;
	}
	for (i = 0; i < nfiles; i++)
		ok += !run_one(cfg, v, files[i], pypi, results, &worst);
	if (results) {
		doc = json_pack("{s:s, s:I, s:I, s:O}", "schema", "hwb.verify/1",
				"verified", (json_int_t)ok, "failed",
				(json_int_t)(nfiles - ok), "results", results);
		if (doc)
			json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS);
		fputc('\n', stdout);
		json_decref(doc);
	}
	rc = (int)worst;
cleanup:
	json_decref(results);
	hwb_verifier_free(v);
	cli_trust_release(&trust);
	hwb_config_free(cfg);
	cli_list_release(&pos);
	return rc;
}
