/* SPDX-License-Identifier: Apache-2.0 */
/*
 * signing.c: the release's signatures, each written atomically and
 * recorded in release.json as soon as it exists, so that a resumed run
 * signs only what is left: a Sigstore bundle per distribution (where hwb
 * sign puts it: DIR-signatures/NAME.sigstore.json), the SLSA provenance
 * statement in a DSSE bundle (NAME-VERSION.provenance.sigstore.json, as
 * hwb attest --provenance names it), and the PEP 740 publish attestations
 * (DIST.publish.attestation, which pkg/publish sends along under trusted
 * publishing). One signer, opened by the caller when the first signature
 * is due, serves them all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pkg/core/buf.h"
#include "pkg/core/fileio.h"
#include "pkg/core/log.h"
#include "pkg/release/internal.h"
#include "pkg/sign/sign.h"

#define MAX_STATEMENT ((size_t)16 << 20)

static int open_signer(struct hwb_release__run *run, struct hwb_error *err)
{
	struct hwb_release_result *r = run->r;

	if (run->signer)
		return 0;
	if (!run->o->open_signer) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-L001", "no way to open a signer");
		return hwb_error_hint(err, "this is a bug in the caller of hwb_release_run");
	}
	if (run->o->open_signer(run->o->signer_ctx, &run->signer, err))
		return -1;
	free(r->identity);
	free(r->issuer);
	r->identity = hwb_strdup(hwb_signer_identity(run->signer));
	r->issuer = hwb_strdup(hwb_signer_issuer(run->signer));
	return r->identity && r->issuer ? 0 : hwb_error_oom(err);
}

/* A recorded output still on disk: done by an earlier run. */
static int have(const char *path)
{
	return path && !access(path, R_OK);
}

static int set_str(char **slot, const char *value, struct hwb_error *err)
{
	free(*slot);
	*slot = hwb_strdup(value);
	return *slot ? 0 : hwb_error_oom(err);
}

/* ---- bundles of the distributions ---- */

struct sign_job {
	struct hwb_release__run *run;
	size_t *index;         /* job i is file index[i] */
	struct hwb_error first; /* the first failure */
};

static int write_bundle(struct hwb_release_file *f, const struct hwb_buf *bundle,
			struct hwb_error *err)
{
	struct hwb_buf dir = HWB_BUF_INIT, path = HWB_BUF_INIT;
	int rc = hwb_sign_signature_dir(f->path, &dir) || dir.oom ||
			 hwb_sign_output_path(f->path, ".sigstore.json", &path) || path.oom
		 ? hwb_error_oom(err)
		 : hwb_mkdir_p(dir.ptr, 0755, err) ||
			   hwb_file_write_atomic(path.ptr, bundle->ptr, bundle->len, 0644, err) ||
			   set_str(&f->bundle, path.ptr, err);

	hwb_buf_release(&dir);
	hwb_buf_release(&path);
	return rc ? -1 : 0;
}

static void signed_one(void *ctx, size_t i, const struct hwb_buf *bundle,
		       const struct hwb_sign_result *res, const struct hwb_error *failed)
{
	struct sign_job *job = ctx;
	struct hwb_release__run *run = job->run;
	struct hwb_release_file *f = &run->r->files[job->index[i]];
	struct hwb_error err = HWB_ERROR_INIT;
	char detail[96];

	if (failed)
		err = *failed;
	else if (!write_bundle(f, bundle, &err)) {
		f->log_index = res->log_index;
		if (!run->r->log_url)
			run->r->log_url = hwb_strdup(res->log_url);
		if (!hwb_release__note(run, &err)) {
			snprintf(detail, sizeof(detail), "log index %lld", (long long)res->log_index);
			hwb_release__notify(run, HWB_RELEASE_EVENT_FILE_DONE, HWB_RELEASE_SIGN,
					    f->filename, detail);
			return;
		}
	}
	hwb_log_error("%s: %s: %s", f->filename, err.code, err.message);
	if (!job->first.code[0])
		job->first = err;
}

int hwb_release__sign(struct hwb_release__run *run, struct hwb_error *err)
{
	struct hwb_release_result *r = run->r;
	struct sign_job job = { run, NULL, HWB_ERROR_INIT };
	const char **paths = calloc(r->count ? r->count : 1, sizeof(*paths));
	size_t i, n = 0;
	int rc = -1;

	job.index = calloc(r->count ? r->count : 1, sizeof(*job.index));
	if (!paths || !job.index) {
		hwb_error_oom(err);
		goto cleanup;
	}
	for (i = 0; i < r->count; i++) {
		if (have(r->files[i].bundle))
			continue;
		job.index[n] = i;
		paths[n++] = r->files[i].path;
	}
	if (n && (open_signer(run, err) ||
		  hwb_sign_files(run->signer, paths, n, signed_one, &job, err))) {
		if (job.first.code[0])
			*err = job.first;
		goto cleanup;
	}
	rc = job.first.code[0] ? (*err = job.first, -1) : 0;
cleanup:
	free(paths);
	free(job.index);
	return rc;
}

/* ---- the provenance ---- */

/* X.provenance.json -> X.provenance.sigstore.json */
static char *provenance_bundle_path(const char *statement)
{
	size_t len = strlen(statement);

	return len > 5 && !strcmp(statement + len - 5, ".json")
		       ? hwb_strdup_printf("%.*s.sigstore.json", (int)(len - 5), statement)
		       : hwb_strdup_printf("%s.sigstore.json", statement);
}

int hwb_release__sign_provenance(struct hwb_release__run *run, struct hwb_error *err)
{
	struct hwb_release_result *r = run->r;
	struct hwb_buf st = HWB_BUF_INIT, bundle = HWB_BUF_INIT;
	struct hwb_sign_result res;
	char *out = NULL, detail[96];
	int rc = -1;

	if (have(r->provenance_bundle))
		return 0;
	if (!(out = provenance_bundle_path(r->provenance))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (hwb_file_read_all(r->provenance, MAX_STATEMENT, &st, err) ||
	    open_signer(run, err) ||
	    hwb_sign_statement(run->signer, &st, 0, &bundle, &res, err) ||
	    hwb_file_write_atomic(out, bundle.ptr, bundle.len, 0644, err) ||
	    set_str(&r->provenance_bundle, out, err))
		goto cleanup;
	r->provenance_log_index = res.log_index;
	if (hwb_release__note(run, err))
		goto cleanup;
	snprintf(detail, sizeof(detail), "log index %lld", (long long)res.log_index);
	hwb_release__notify(run, HWB_RELEASE_EVENT_FILE_DONE, HWB_RELEASE_PROVENANCE,
			    strrchr(out, '/') ? strrchr(out, '/') + 1 : out, detail);
	rc = 0;
cleanup:
	free(out);
	hwb_buf_release(&st);
	hwb_buf_release(&bundle);
	return rc;
}

/* ---- PEP 740 attestations ---- */

static int attest_one(struct hwb_release__run *run, struct hwb_release_file *f,
		      struct hwb_error *err)
{
	struct hwb_buf pep740 = HWB_BUF_INIT;
	struct hwb_sign_result res;
	char *out = hwb_strdup_printf("%s.publish.attestation", f->path), detail[96];
	int rc = -1;

	if (!out)
		return hwb_error_oom(err);
	/* pep740: Rekor v1 with its integrated time, as PyPI requires */
	if (hwb_sign_pep740(run->signer, f->filename, f->sha256, &pep740, &res, err) ||
	    hwb_file_write_atomic(out, pep740.ptr, pep740.len, 0644, err) ||
	    set_str(&f->attestation, out, err))
		goto cleanup;
	f->attestation_log_index = res.log_index;
	if (hwb_release__note(run, err))
		goto cleanup;
	snprintf(detail, sizeof(detail), "log index %lld", (long long)res.log_index);
	hwb_release__notify(run, HWB_RELEASE_EVENT_FILE_DONE, HWB_RELEASE_ATTEST,
			    f->filename, detail);
	rc = 0;
cleanup:
	free(out);
	hwb_buf_release(&pep740);
	return rc;
}

int hwb_release__attest(struct hwb_release__run *run, struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < run->r->count; i++) {
		struct hwb_release_file *f = &run->r->files[i];

		if (have(f->attestation))
			continue;
		hwb_release__notify(run, HWB_RELEASE_EVENT_FILE_START, HWB_RELEASE_ATTEST,
				    f->filename, NULL);
		if (open_signer(run, err) || attest_one(run, f, err))
			return -1;
	}
	return 0;
}
