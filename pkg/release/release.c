/* SPDX-License-Identifier: Apache-2.0 */
/*
 * release.c: one `hwb release` run. It decides which steps this run has
 * (a dry run signs nothing unless asked, --no-publish uploads nothing, PEP
 * 740 attestations only under trusted publishing), takes up a release.json
 * in progress of the same kind or says that a complete one leaves nothing
 * to do, then runs the steps in order, stopping at the first failure with
 * nothing uploaded after it, and records each step's outcome.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pkg/build/build.h"
#include "pkg/core/fileio.h"
#include "pkg/core/hash.h"
#include "pkg/core/log.h"
#include "pkg/core/oidc.h"
#include "pkg/release/internal.h"
#include "pkg/sign/sign.h"
#include "pkg/wheel/wheel.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void hwb_release__notify(struct hwb_release__run *run, enum hwb_release_event ev,
			 enum hwb_release_step step, const char *filename,
			 const char *detail)
{
	struct hwb_release_progress p = { 0 };

	if (!run->o->notify)
		return;
	p.event = ev;
	p.step = step;
	p.status = run->r->steps[step];
	p.filename = filename;
	p.detail = detail;
	p.err = run->failed.code[0] ? &run->failed : NULL;
	p.result = run->r;
	run->o->notify(run->o->notify_ctx, &p);
}

/* What the record is about: the source or --from directory, absolute,
 * so that a run from another directory finds the same release. */
static int source_of(struct hwb_release__run *run, struct hwb_error *err)
{
	const struct hwb_release_options *o = run->o;
	const char *dir = o->from ? o->from
			 : o->build && o->build->srcdir ? o->build->srcdir : ".";

	if (!(run->source = realpath(dir, NULL)))
		return hwb_error_errno(err, HWB_KIND_CONFIG, "HWB-L004",
				       "cannot open the directory %s", dir),
		       hwb_error_hint(err, o->from ? "give the directory the build jobs "
					  "wrote" : "give the project's directory");
	return 0;
}

int hwb_release__save(struct hwb_release__run *run, int complete,
		      struct hwb_error *err)
{
	return hwb_release__write(run->r->state_path, run->mode, run->o->repository_url,
				  run->source, run->r, complete, 1, &run->failed, err);
}

int hwb_release__note(struct hwb_release__run *run, struct hwb_error *err)
{
	return hwb_release__write(run->r->state_path, run->mode, run->o->repository_url,
				  run->source, run->r, 0, 0, &run->failed, err);
}

/* ---- the steps ---- */

static int step_build(struct hwb_release__run *run, struct hwb_error *err)
{
	struct hwb_build_result br = HWB_BUILD_RESULT_INIT;
	struct hwb_release_result *r = run->r;
	int rc = -1;

	if (hwb_build_run(run->o->build, &br, err))
		goto cleanup;
	if ((br.wheel && hwb_release__add_file(r, br.wheel, err)) ||
	    (br.sdist && hwb_release__add_file(r, br.sdist, err)))
		goto cleanup;
	hwb_release__sort(r);
	if (br.provenance) {
		r->provenance = br.provenance;
		br.provenance = NULL;
		if (!(r->provenance_sha256 = malloc(65)) ||
		    hwb_hash_file_hex(HWB_HASH_SHA256, r->provenance, r->provenance_sha256, err))
			goto cleanup;
	}
	rc = 0;
cleanup:
	hwb_build_result_release(&br);
	return rc;
}

static int step_collect(struct hwb_release__run *run, struct hwb_error *err)
{
	return hwb_release__collect(run->r, run->o->from, err) ||
	       hwb_release__find_provenance(run->r, run->o->from, err) ? -1 : 0;
}

static int check_one(const struct hwb_release_options *o, const struct hwb_release_file *f,
		     struct hwb_error *err)
{
	char first[HWB_CHECK_FIRST_MAX];

	if (hwb_check_file_logged(f->path, f->filename, o->check, first, err))
		return -1;
	if (!first[0])
		return 0;
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-L007",
		      "%s fails hwb check (%s): the release stops here, nothing was "
		      "signed or uploaded", f->filename, first);
	hwb_error_at(err, f->path, 0, 0);
	return hwb_error_hint(err, "fix the findings listed above, rebuild, and remove "
			      "release.json to start the release over");
}

static int step_check(struct hwb_release__run *run, struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < run->r->count; i++) {
		if (check_one(run->o, &run->r->files[i], err))
			return -1;
		hwb_release__notify(run, HWB_RELEASE_EVENT_FILE_DONE, HWB_RELEASE_CHECK,
				    run->r->files[i].filename, "passed");
	}
	return 0;
}

static int run_step(struct hwb_release__run *run, enum hwb_release_step s,
		    struct hwb_error *err)
{
	switch (s) {
	case HWB_RELEASE_BUILD:
		return run->o->from ? step_collect(run, err) : step_build(run, err);
	case HWB_RELEASE_CHECK:
		return step_check(run, err);
	case HWB_RELEASE_SIGN:
		return hwb_release__sign(run, err);
	case HWB_RELEASE_PROVENANCE:
		return hwb_release__sign_provenance(run, err);
	case HWB_RELEASE_ATTEST:
		return hwb_release__attest(run, err);
	case HWB_RELEASE_PUBLISH:
		return hwb_release__publish(run, err);
	case HWB_RELEASE_STEPS:
		break;
	}
	return 0;
}

/* ---- the plan ---- */

static int trusted_available(const struct hwb_release_options *o)
{
	struct hwb_oidc_options probe = { 0 };

	probe.audience = "pypi";
	probe.gcp_metadata_url = o->gcp_metadata_url;
	return !o->password && hwb_oidc_ambient_available("pypi", &probe);
}

static int plan(struct hwb_release__run *run, struct hwb_error *err)
{
	const struct hwb_release_options *o = run->o;
	int signing = !o->dry_run || o->sign;
	int s;

	run->mode = o->dry_run ? (o->sign ? "dry-run+sign" : "dry-run")
		    : o->no_publish ? "no-publish" : "publish";
	run->r->trusted = trusted_available(o);
	for (s = 0; s < HWB_RELEASE_STEPS; s++)
		run->active[s] = 1;
	if (!signing) {
		run->active[HWB_RELEASE_SIGN] = run->active[HWB_RELEASE_PROVENANCE] = 0;
		run->active[HWB_RELEASE_ATTEST] = 0;
		run->why_not[HWB_RELEASE_SIGN] = run->why_not[HWB_RELEASE_PROVENANCE] =
			run->why_not[HWB_RELEASE_ATTEST] = "--dry-run signs nothing without --sign";
	} else if (!run->r->trusted) {
		run->active[HWB_RELEASE_ATTEST] = 0;
		run->why_not[HWB_RELEASE_ATTEST] =
			"no trusted publishing here (no CI OIDC token, or a password is set): "
			"PyPI accepts PEP 740 attestations only from trusted publishers";
	}
	if (o->no_publish) {
		run->active[HWB_RELEASE_PUBLISH] = 0;
		run->why_not[HWB_RELEASE_PUBLISH] = "--no-publish";
	}
	if (run->active[HWB_RELEASE_PUBLISH] && !o->dry_run && !o->password &&
	    !run->r->trusted) {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-L003",
			      "no credentials for the upload: HWB_PASSWORD (or "
			      "TWINE_PASSWORD) is not set and trusted publishing is "
			      "not available here; nothing was built, signed or uploaded");
		return hwb_error_hint(err, "in CI, give the job `permissions: id-token: "
				      "write`; on a laptop set HWB_PASSWORD to an API "
				      "token; or add --no-publish or --dry-run");
	}
	return 0;
}

/* A record of the same kind of run: taken up, or nothing left to do. */
static int resume(struct hwb_release__run *run, int *complete, struct hwb_error *err)
{
	struct hwb_release_result *r = run->r;
	int found, trusted = r->trusted, s;

	if (hwb_release__load(r->state_path, run->mode, run->o->repository_url,
			      run->source, r, &found, complete, err))
		return -1;
	r->trusted = trusted;
	if (!found)
		return 0;
	r->resumed = !*complete;
	r->already_complete = *complete;
	if (r->steps[HWB_RELEASE_BUILD] == HWB_RELEASE_DONE &&
	    hwb_release__check_unchanged(r, err))
		return -1;
	for (s = 0; s < HWB_RELEASE_STEPS; s++)
		if (r->steps[s] == HWB_RELEASE_FAILED)
			r->steps[s] = HWB_RELEASE_PENDING;
	return 0;
}

int hwb_release_run(const struct hwb_release_options *o,
		    struct hwb_release_result *r, struct hwb_error *err)
{
	struct hwb_release__run run;
	int complete = 0, s, rc = -1;
	double t0;

	memset(r, 0, sizeof(*r));
	memset(&run, 0, sizeof(run));
	r->provenance_log_index = -1;
	run.o = o;
	run.r = r;
	if (!o->outdir || !o->repository_url || (!o->from && !o->build)) {
		hwb_error_set(err, HWB_KIND_USAGE, "HWB-L001",
			      "a release needs an output directory, an index and a "
			      "source or --from directory");
		return hwb_error_hint(err, "this is a bug in the caller");
	}
	if (!(r->state_path = hwb_strdup_printf("%s/%s", o->outdir, HWB_RELEASE__STATE)) ||
	    !(r->index_url = hwb_strdup(o->repository_url)))
		return hwb_error_oom(err);
	if (plan(&run, err) || source_of(&run, err) || hwb_mkdir_p(o->outdir, 0755, err) ||
	    resume(&run, &complete, err))
		goto cleanup;
	if (complete) {
		rc = 0;
		goto cleanup;
	}
	if (r->resumed)
		hwb_log_info("resuming the release recorded in %s", r->state_path);
	for (s = 0; s < HWB_RELEASE_STEPS; s++) {
		if (r->steps[s] == HWB_RELEASE_DONE)
			continue;
		if (!run.active[s] || (s == HWB_RELEASE_PROVENANCE && !r->provenance)) {
			r->steps[s] = HWB_RELEASE_SKIPPED;
			hwb_release__notify(&run, HWB_RELEASE_EVENT_STEP_DONE, (enum hwb_release_step)s,
					    NULL, run.active[s] ? "no provenance statement "
						  "(hwb build writes one)" : run.why_not[s]);
			continue;
		}
		hwb_release__notify(&run, HWB_RELEASE_EVENT_STEP_START, (enum hwb_release_step)s,
				    NULL, NULL);
		t0 = now_s();
		if (run_step(&run, (enum hwb_release_step)s, err)) {
			r->steps[s] = HWB_RELEASE_FAILED;
			r->seconds[s] += now_s() - t0;
			run.failed = *err;
			hwb_release__notify(&run, HWB_RELEASE_EVENT_STEP_DONE,
					    (enum hwb_release_step)s, NULL, NULL);
			if (r->count || s > HWB_RELEASE_BUILD)
				hwb_release__save(&run, 0, &(struct hwb_error)HWB_ERROR_INIT);
			goto cleanup;
		}
		r->steps[s] = HWB_RELEASE_DONE;
		r->seconds[s] += now_s() - t0;
		if (s == HWB_RELEASE_BUILD && hwb_release__name_version(r, err))
			goto cleanup;
		if (hwb_release__save(&run, 0, err))
			goto cleanup;
		hwb_release__notify(&run, HWB_RELEASE_EVENT_STEP_DONE, (enum hwb_release_step)s,
				    NULL, NULL);
	}
	rc = hwb_release__save(&run, 1, err);
cleanup:
	hwb_signer_free(run.signer);
	free(run.source);
	return rc;
}

void hwb_release_result_release(struct hwb_release_result *r)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		free(r->files[i].path);
		free(r->files[i].bundle);
		free(r->files[i].attestation);
		free(r->files[i].upload);
	}
	free(r->files);
	free(r->name);
	free(r->version);
	free(r->provenance);
	free(r->provenance_sha256);
	free(r->provenance_bundle);
	free(r->identity);
	free(r->issuer);
	free(r->log_url);
	free(r->index_url);
	free(r->project_url);
	free(r->auth);
	free(r->state_path);
	memset(r, 0, sizeof(*r));
}

const char *hwb_release_step_name(enum hwb_release_step s)
{
	static const char *const names[] = { "build", "check", "sign", "provenance",
					     "attest", "publish" };

	return (unsigned)s < HWB_RELEASE_STEPS ? names[s] : "unknown";
}

const char *hwb_release_status_name(enum hwb_release_status s)
{
	static const char *const names[] = { "pending", "done", "skipped", "failed" };

	return (unsigned)s <= HWB_RELEASE_FAILED ? names[s] : "unknown";
}
