/* SPDX-License-Identifier: Apache-2.0 */
/*
 * publish.c: one `hwb publish` call: find and order the files, read their
 * own metadata, check them (hwb check) and make sure they are one release,
 * authenticate, then upload each file and record what became of it.
 * Nothing is uploaded unless every file passed the checks first.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "pkg/core/fileio.h"
#include "pkg/core/log.h"
#include "pkg/publish/internal.h"

/* An attestation is a certificate, a log entry and a signature: small. */
#define ATTESTATION_MAX ((size_t)1 << 20)

struct call {
	const struct hwb_publish_options *opts;
	struct hwb_publish_result *r;
	struct hwb_metadata *md;   /* per file */
	char **attestations;       /* per file: "[{...}]" or NULL */
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int check_file(const struct hwb_publish_options *o,
		      const struct hwb_publish_file *f, struct hwb_error *err)
{
	char first[HWB_CHECK_FIRST_MAX];

	if (hwb_check_file_logged(f->path, f->filename, o->check, first, err))
		return -1;
	if (!first[0])
		return 0;
	hwb_error_set(err, HWB_KIND_FAILED, "HWB-P017",
		      "%s fails hwb check (%s); nothing was uploaded", f->filename, first);
	hwb_error_at(err, f->path, 0, 0);
	return hwb_error_hint(err, "fix the findings listed above and rebuild");
}

/* Every file must be the same release: the name and version of the first. */
static int same_release(struct call *c, size_t i, struct hwb_error *err)
{
	const char *name = hwb_metadata_get(&c->md[i], "Name");
	const char *version = hwb_metadata_get(&c->md[i], "Version");
	struct hwb_buf a = HWB_BUF_INIT, b = HWB_BUF_INIT;
	int same;

	if (!name || !version) {
		hwb_error_set(err, HWB_KIND_FAILED, "HWB-P005",
			      "%s: its core metadata has no Name or Version",
			      c->r->files[i].filename);
		return hwb_error_hint(err, "rebuild the distribution");
	}
	if (!c->r->name) {
		c->r->name = hwb_strdup(name);
		c->r->version = hwb_strdup(version);
		return c->r->name && c->r->version ? 0 : hwb_error_oom(err);
	}
	hwb_normalize_name(name, strlen(name), &a);
	hwb_normalize_name(c->r->name, strlen(c->r->name), &b);
	same = !a.oom && !b.oom && a.ptr && b.ptr && !strcmp(a.ptr, b.ptr) &&
	       !strcmp(version, c->r->version);
	hwb_buf_release(&a);
	hwb_buf_release(&b);
	if (same)
		return 0;
	hwb_error_set(err, HWB_KIND_USAGE, "HWB-P019",
		      "%s is %s %s, but %s is %s %s: one call publishes one release",
		      c->r->files[i].filename, name, version, c->r->files[0].filename,
		      c->r->name, c->r->version);
	return hwb_error_hint(err, "publish each release with its own hwb publish");
}

/* DIST.publish.attestation (hwb attest --pypi, pypi-attestations). */
static int load_attestation(struct call *c, size_t i, struct hwb_error *err)
{
	const struct hwb_publish_file *f = &c->r->files[i];
	char *path = hwb_strdup_printf("%s.publish.attestation", f->path);
	struct hwb_buf text = HWB_BUF_INIT;
	struct stat st;
	int rc = -1;

	if (!path)
		return hwb_error_oom(err);
	if (lstat(path, &st) && errno == ENOENT) {
		rc = 0;
		if (c->opts->attestations) {
			rc = hwb_error_set(err, HWB_KIND_CONFIG, "HWB-P018",
					   "--attestations: %s has no attestation "
					   "(%s)", f->filename, path);
			hwb_error_hint(err, "create it with hwb attest --pypi %s", f->path);
		}
		goto cleanup;
	}
	if (hwb_file_read_all(path, ATTESTATION_MAX, &text, err))
		goto cleanup;
	if (!text.len || text.ptr[strspn(text.ptr, " \t\r\n")] != '{') {
		hwb_error_set(err, HWB_KIND_CONFIG, "HWB-P018",
			      "%s is not a PEP 740 attestation (a JSON object)", path);
		hwb_error_at(err, path, 0, 0);
		hwb_error_hint(err, "recreate it with hwb attest --pypi %s", f->path);
		goto cleanup;
	}
	/* the form field is a JSON array of attestations */
	if (!(c->attestations[i] = hwb_strdup_printf("[%s]", text.ptr))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	rc = 0;
cleanup:
	free(path);
	hwb_buf_release(&text);
	return rc;
}

static int prepare(struct call *c, struct hwb_error *err)
{
	struct hwb_publish_result *r = c->r;
	size_t i;

	if (hwb_publish__collect(c->opts->dists, c->opts->dist_count, &r->files,
				 &r->count, err))
		return -1;
	c->md = calloc(r->count, sizeof(*c->md));
	c->attestations = calloc(r->count, sizeof(*c->attestations));
	if (!c->md || !c->attestations)
		return hwb_error_oom(err);
	if (c->opts->no_check)
		hwb_log_warn("--no-check: the files are uploaded without hwb check; "
			     "the index may refuse them, or worse, accept them");
	for (i = 0; i < r->count; i++)
		r->files[i].attestation_log_index = -1;
	for (i = 0; i < r->count; i++) {
		if (hwb_publish__read_metadata(r->files[i].path, r->files[i].filename,
					       &c->md[i], err) ||
		    same_release(c, i, err) ||
		    (!c->opts->no_check && check_file(c->opts, &r->files[i], err)) ||
		    /* --attestations makes them once the upload may start */
		    (!c->opts->attestations && load_attestation(c, i, err)))
			return -1;
	}
	return 0;
}

/* --attestations: make every file's attestation, then read them back. */
static int attest_all(struct call *c, struct hwb_error *err)
{
	size_t i;

	if (hwb_publish__attest(c->opts, c->r->files, c->r->count, err))
		return -1;
	for (i = 0; i < c->r->count; i++)
		if (load_attestation(c, i, err))
			return -1;
	return 0;
}

static void notify(const struct hwb_publish_options *o, enum hwb_publish_event ev,
		   const struct hwb_publish_file *f)
{
	if (o->notify)
		o->notify(o->notify_ctx, ev, f, 0, f->size);
}

/* The size announced for the body; the digests come while it streams. */
static int file_size(struct hwb_publish_file *f)
{
	struct stat st;

	if (!stat(f->path, &st) && S_ISREG(st.st_mode)) {
		f->size = (uint64_t)st.st_size;
		return 0;
	}
	hwb_error_errno(&f->error, HWB_KIND_CONFIG, "HWB-P003", "cannot read %s",
			f->path);
	return hwb_error_at(&f->error, f->path, 0, 0);
}

static int upload_all(struct call *c, struct hwb_publish__session *s,
		      struct hwb_error *err)
{
	struct hwb_publish_result *r = c->r;
	size_t i;

	for (i = 0; i < r->count; i++) {
		struct hwb_publish_file *f = &r->files[i];
		struct hwb_publish__form form = HWB_PUBLISH__FORM_INIT;
		double t0 = now_s();
		const char *att = s->trusted ? c->attestations[i] : NULL;
		int rc;

		if (c->attestations[i] && !s->trusted)
			hwb_log_warn("%s: its attestation stays behind: indexes "
				     "accept attestations only under trusted "
				     "publishing", f->filename);
		if (file_size(f) ||
		    hwb_publish__form_build(&form, &c->md[i], f->filename, &f->error) ||
		    hwb_publish__refresh(s, r, &f->error)) {
			f->status = HWB_PUBLISH_FAILED;
			hwb_publish__form_release(&form);
			notify(c->opts, HWB_PUBLISH_EVENT_DONE, f);
			continue;
		}
		notify(c->opts, HWB_PUBLISH_EVENT_START, f);
		rc = hwb_publish__upload(s, &form, f, att, err);
		f->attested = att && f->status == HWB_PUBLISH_UPLOADED;
		f->seconds = now_s() - t0;
		hwb_publish__form_release(&form);
		notify(c->opts, HWB_PUBLISH_EVENT_DONE, f);
		if (rc)
			return -1;
	}
	return 0;
}

static int dry_run(struct call *c, struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < c->r->count; i++) {
		struct hwb_publish_file *f = &c->r->files[i];
		struct hwb_publish__form form = HWB_PUBLISH__FORM_INIT;
		int rc = hwb_publish__digests(f, err) ||
			 hwb_publish__form_build(&form, &c->md[i], f->filename, err);

		hwb_publish__form_release(&form);
		if (rc)
			return -1;
		f->status = HWB_PUBLISH_DRY_RUN;
		notify(c->opts, HWB_PUBLISH_EVENT_DONE, f);
	}
	return 0;
}

/* The first failure becomes the call's error. */
static int outcome(const struct hwb_publish_result *r, struct hwb_error *err)
{
	size_t i;

	for (i = 0; i < r->count; i++) {
		if (r->files[i].status != HWB_PUBLISH_FAILED)
			continue;
		*err = r->files[i].error;
		return -1;
	}
	return 0;
}

int hwb_publish(const struct hwb_publish_options *o,
		struct hwb_publish_result *r, struct hwb_error *err)
{
	struct call c = { o, r, NULL, NULL };
	struct hwb_publish__session s;
	size_t i;
	int rc = -1;

	memset(r, 0, sizeof(*r));
	memset(&s, 0, sizeof(s));
	s.opts = o;
	s.url = o->repository_url;
	s.skip_existing = o->skip_existing;
	if (hwb_publish__check_url(o->repository_url, err) ||
	    !(r->index_url = hwb_strdup(o->repository_url)))
		return err->code[0] ? -1 : hwb_error_oom(err);
	/*
	 * Authenticate first: under trusted publishing in GitHub Actions the
	 * minted token's ::add-mask:: then precedes every other line (the
	 * checks' findings included), and a refusal (no credentials, a
	 * publisher that does not match, attestations with a password) comes
	 * before minutes of checking. Nothing is uploaded before the checks.
	 */
	if (!o->dry_run &&
	    (hwb_http_client_new(&s.http, o->http, err) ||
	     hwb_publish__login(&s, r, o->attestations, err)))
		goto cleanup;
	if (prepare(&c, err))
		goto cleanup;
	if (!(r->project_url = hwb_publish__project_url(o->repository_url, r->name,
							r->version))) {
		hwb_error_oom(err);
		goto cleanup;
	}
	if (o->dry_run) {
		rc = dry_run(&c, err);
		goto cleanup;
	}
	if ((o->attestations && attest_all(&c, err)) || upload_all(&c, &s, err))
		goto cleanup;
	rc = outcome(r, err);
cleanup:
	hwb_publish__session_logout(&s);
	free(s.audience);
	hwb_http_client_free(s.http);
	for (i = 0; c.md && i < r->count; i++)
		hwb_metadata_release(&c.md[i]);
	for (i = 0; c.attestations && i < r->count; i++)
		free(c.attestations[i]);
	free(c.md);
	free(c.attestations);
	return rc;
}

void hwb_publish_result_release(struct hwb_publish_result *r)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		free(r->files[i].path);
	free(r->files);
	free(r->name);
	free(r->version);
	free(r->index_url);
	free(r->project_url);
	free(r->publisher_identity);
	free(r->publisher_issuer);
	memset(r, 0, sizeof(*r));
}

const char *hwb_publish_status_name(enum hwb_publish_status s)
{
	switch (s) {
	case HWB_PUBLISH_PENDING: return "pending";
	case HWB_PUBLISH_UPLOADED: return "uploaded";
	case HWB_PUBLISH_SKIPPED: return "skipped";
	case HWB_PUBLISH_FAILED: return "failed";
	case HWB_PUBLISH_DRY_RUN: return "dry-run";
	}
	return "unknown";
}

const char *hwb_publish_auth_name(enum hwb_publish_auth a)
{
	switch (a) {
	case HWB_PUBLISH_AUTH_NONE: return "none";
	case HWB_PUBLISH_AUTH_PASSWORD: return "password";
	case HWB_PUBLISH_AUTH_API_TOKEN: return "api-token";
	case HWB_PUBLISH_AUTH_TRUSTED: return "trusted-publishing";
	}
	return "unknown";
}
