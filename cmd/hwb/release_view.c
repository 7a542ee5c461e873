/* SPDX-License-Identifier: Apache-2.0 */
/*
 * release_view.c: hwb release's progress, reports, job summary and audit
 * records (release_view.h). The verify commands it prints are the ones a
 * downloader runs: the identity comes from the signer's certificate, so a
 * GitHub Actions identity becomes --repository/--workflow, anything else
 * --cert-identity/--cert-oidc-issuer.
 */
#include "cmd/hwb/release_view.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/hwb/cli.h"
#include "pkg/core/buf.h"
#include "pkg/core/log.h"

#define GITHUB_ISSUER "https://token.actions.githubusercontent.com"

void release_view_init(struct release_view *v, const struct hwb_config *cfg, int quiet)
{
	memset(v, 0, sizeof(*v));
	v->cfg = cfg;
	v->quiet = quiet;
	v->github = cli_github();
	v->tty = isatty(2) && !v->github && !getenv("CI");
	v->last_pct = -1;
}

static void audit_step(const struct release_view *v, const struct hwb_release_progress *p)
{
	const struct hwb_release_result *r = p->result;
	const struct hwb_audit_field f[] = {
		HWB_AUDIT_STR("step", hwb_release_step_name(p->step)),
		HWB_AUDIT_STR("status", hwb_release_status_name(p->status)),
		HWB_AUDIT_STR("name", r->name),
		HWB_AUDIT_STR("version", r->version),
		HWB_AUDIT_NUM("files", (int64_t)r->count),
		HWB_AUDIT_STR("identity", r->identity),
		HWB_AUDIT_STR("detail", p->detail),
		HWB_AUDIT_STR("code", p->err ? p->err->code : NULL),
	};

	cli_audit(v->cfg, "release.step", f, sizeof(f) / sizeof(*f));
}

static void step_done(struct release_view *v, const struct hwb_release_progress *p)
{
	const char *name = hwb_release_step_name(p->step);

	audit_step(v, p);
	if (v->quiet)
		return;
	if (p->status == HWB_RELEASE_SKIPPED) {
		hwb_log_info("%s: skipped (%s)", name, p->detail ? p->detail : "not in this run");
		return;
	}
	hwb_log_progress("%s: %s (%.1f s)", name, hwb_release_status_name(p->status),
			 p->result->seconds[p->step]);
	cli_progress_end();
	if (v->in_group)
		hwb_log_group_end();
	v->in_group = 0;
}

void release_view_event(void *ctx, const struct hwb_release_progress *p)
{
	struct release_view *v = ctx;
	const char *name = hwb_release_step_name(p->step);
	int pct;

	if (p->event == HWB_RELEASE_EVENT_STEP_DONE) {
		step_done(v, p);
		return;
	}
	if (v->quiet)
		return;
	switch (p->event) {
	case HWB_RELEASE_EVENT_STEP_START:
		if (v->github) {
			hwb_log_group_begin(name);
			v->in_group = 1;
		}
		hwb_log_progress("%s ...", name);
		break;
	case HWB_RELEASE_EVENT_FILE_START:
		v->last_pct = -1;
		hwb_log_progress("%s %s ...", name, p->filename);
		break;
	case HWB_RELEASE_EVENT_FILE_PROGRESS:
		pct = p->total ? (int)(p->sent * 100 / p->total) : 0;
		if (!v->tty || pct == v->last_pct)
			break;
		v->last_pct = pct;
		hwb_log_progress("%s %s %3d%%", name, p->filename, pct);
		break;
	case HWB_RELEASE_EVENT_FILE_DONE:
		hwb_log_progress("%s %s: %s", name, p->filename, p->detail ? p->detail : "done");
		cli_progress_end();
		break;
	case HWB_RELEASE_EVENT_STEP_DONE:
		break;
	}
}

/* ---- the downloader's commands ---- */

/* "https://github.com/O/R/.github/workflows/W@REF" -> "O/R" and "W". */
static int github_identity(const struct hwb_release_result *r, char *repo, size_t rn,
			   char *wf, size_t wn)
{
	static const char prefix[] = "https://github.com/";
	const char *id = r->identity, *mid, *at;

	if (!id || !r->issuer || strcmp(r->issuer, GITHUB_ISSUER) ||
	    strncmp(id, prefix, sizeof(prefix) - 1))
		return 0;
	id += sizeof(prefix) - 1;
	if (!(mid = strstr(id, "/.github/workflows/")) || !(at = strchr(mid, '@')))
		return 0;
	snprintf(repo, rn, "%.*s", (int)(mid - id), id);
	mid += strlen("/.github/workflows/");
	snprintf(wf, wn, "%.*s", (int)(at - mid), mid);
	return 1;
}

/* The simple index that goes with an upload URL. */
static void simple_url(const char *upload, struct hwb_buf *out)
{
	const char *legacy = upload ? strstr(upload, "/legacy/") : NULL;

	if (upload && !strcmp(upload, "https://upload.pypi.org/legacy/"))
		hwb_buf_puts(out, "https://pypi.org/simple/");
	else if (legacy)
		hwb_buf_printf(out, "%.*s/simple/", (int)(legacy - upload), upload);
	else
		hwb_buf_puts(out, upload ? upload : "");
}

static void policy_flags(const struct hwb_release_result *r, struct hwb_buf *out)
{
	char repo[256], wf[256];

	if (github_identity(r, repo, sizeof(repo), wf, sizeof(wf)))
		hwb_buf_printf(out, "--repository %s --workflow %s", repo, wf);
	else
		hwb_buf_printf(out, "--cert-identity '%s' --cert-oidc-issuer '%s'",
			       r->identity ? r->identity : "", r->issuer ? r->issuer : "");
}

/* Where the index serves PEP 740 provenance (PyPI's Integrity API). */
static void integrity_base(const char *simple, struct hwb_buf *out)
{
	const char *tail = simple ? strstr(simple, "/simple/") : NULL;

	if (tail)
		hwb_buf_printf(out, "%.*s/integrity/", (int)(tail - simple), simple);
}

/* The lines a downloader pastes, one per command, into out. */
static void verify_commands(const struct hwb_release_result *r, struct hwb_buf *out)
{
	struct hwb_buf simple = HWB_BUF_INIT, policy = HWB_BUF_INIT, integrity = HWB_BUF_INIT;
	char repo[256], wf[256];
	size_t i;

	simple_url(r->index_url, &simple);
	integrity_base(simple.ptr, &integrity);
	policy_flags(r, &policy);
	hwb_buf_printf(out, "pip download --no-deps --index-url %s -d . '%s==%s'\n",
		       simple.ptr ? simple.ptr : "", r->name ? r->name : "",
		       r->version ? r->version : "");
	for (i = 0; i < r->count; i++) {
		const struct hwb_release_file *f = &r->files[i];

		if (f->bundle)
			hwb_buf_printf(out, "hwb verify %s --bundle %s.sigstore.json %s\n",
				       f->filename, f->filename, policy.ptr ? policy.ptr : "");
		if (!f->attestation || !integrity.ptr ||
		    !github_identity(r, repo, sizeof(repo), wf, sizeof(wf)))
			continue;
		hwb_buf_printf(out, "curl -fsSo %s.provenance.json %s%s/%s/%s/provenance\n",
			       f->filename, integrity.ptr, r->name ? r->name : "",
			       r->version ? r->version : "", f->filename);
		hwb_buf_printf(out, "hwb verify pypi %s --provenance %s.provenance.json "
			       "--repository %s --workflow %s\n", f->filename, f->filename, repo, wf);
	}
	hwb_buf_release(&simple);
	hwb_buf_release(&policy);
	hwb_buf_release(&integrity);
}

/* ---- the job summary ---- */

static const char *or_dash(const char *s)
{
	return s && *s ? s : "-";
}

static void summary_table(FILE *f, const struct hwb_release_result *r)
{
	size_t i;

	fprintf(f, "| File | SHA-256 | Bundle log index | PEP 740 log index (Rekor v1) | Upload |\n"
		   "|---|---|---|---|---|\n");
	for (i = 0; i < r->count; i++) {
		const struct hwb_release_file *x = &r->files[i];

		fprintf(f, "| `%s` | `%s` | ", x->filename, x->sha256);
		if (x->log_index >= 0)
			fprintf(f, "%lld", (long long)x->log_index);
		else
			fputs("-", f);
		fputs(" | ", f);
		if (x->attestation_log_index >= 0)
			fprintf(f, "%lld", (long long)x->attestation_log_index);
		else
			fputs("-", f);
		fprintf(f, " | %s |\n", or_dash(x->upload));
	}
	if (r->provenance_bundle)
		fprintf(f, "\nSLSA provenance `%s` signed: `%s` (log index %lld).\n",
			r->provenance, r->provenance_bundle, (long long)r->provenance_log_index);
}

static void summary_text(FILE *f, const struct hwb_release_result *r,
			 const struct hwb_error *err)
{
	struct hwb_buf cmds = HWB_BUF_INIT;

	fprintf(f, "## hwb release: %s %s\n\n", or_dash(r->name), or_dash(r->version));
	if (err)
		fprintf(f, "**Failed** (%s): %s\n\nNothing was uploaded after the failed "
			   "step; run the job again to finish the release.\n\n",
			err->code, err->message);
	else if (r->already_complete)
		fprintf(f, "Already complete: nothing was done again.\n\n");
	fprintf(f, "Index: %s", or_dash(r->index_url));
	if (r->project_url)
		fprintf(f, " ([project page](%s))", r->project_url);
	fprintf(f, ", authentication: %s.\n\n", or_dash(r->auth));
	if (r->identity)
		fprintf(f, "Signed by `%s` (issuer `%s`), transparency log %s.\n\n",
			r->identity, or_dash(r->issuer), or_dash(r->log_url));
	summary_table(f, r);
	if (!err && r->identity) {
		verify_commands(r, &cmds);
		fprintf(f, "\n### Verify what you download\n\n```sh\n%s```\n",
			cmds.ptr ? cmds.ptr : "");
	}
	hwb_buf_release(&cmds);
}

/* The summary is public: it goes through the redaction like every log line. */
static void write_summary(const struct hwb_release_result *r, const struct hwb_error *err)
{
	const char *path = getenv("GITHUB_STEP_SUMMARY");
	struct hwb_buf clean = HWB_BUF_INIT;
	char *text = NULL;
	size_t len = 0;
	FILE *mem, *f;

	if (!path || !*path || !(mem = open_memstream(&text, &len)))
		return;
	summary_text(mem, r, err);
	if (!fclose(mem) && !hwb_redact(&clean, text, len) && clean.ptr &&
	    (f = fopen(path, "a"))) {
		fwrite(clean.ptr, 1, clean.len, f);
		fclose(f);
	}
	free(text);
	hwb_buf_release(&clean);
}

void release_view_finish(struct release_view *v, const struct hwb_release_result *r,
			 const struct hwb_error *err)
{
	const struct hwb_audit_field f[] = {
		HWB_AUDIT_STR("name", r->name),
		HWB_AUDIT_STR("version", r->version),
		HWB_AUDIT_STR("index", r->index_url),
		HWB_AUDIT_STR("identity", r->identity),
		HWB_AUDIT_STR("issuer", r->issuer),
		HWB_AUDIT_NUM("files", (int64_t)r->count),
		HWB_AUDIT_FLAG("already_complete", r->already_complete),
		HWB_AUDIT_STR("record", r->state_path),
		HWB_AUDIT_STR("code", err ? err->code : NULL),
	};

	if (v->in_group)
		hwb_log_group_end();
	v->in_group = 0;
	cli_audit(v->cfg, err ? "release.failed" : "release.completed", f,
		  sizeof(f) / sizeof(*f));
	if (v->github)
		write_summary(r, err);
}

void release_view_print(const struct release_view *v, const struct hwb_release_result *r)
{
	struct hwb_buf cmds = HWB_BUF_INIT;
	size_t i, uploaded = 0;

	(void)v;
	for (i = 0; i < r->count; i++)
		uploaded += r->files[i].upload && !strcmp(r->files[i].upload, "uploaded");
	if (r->already_complete)
		printf("%s %s: already released (%s records a complete release); "
		       "nothing to do (for a new version, remove that file or give "
		       "another --outdir)\n", or_dash(r->name), or_dash(r->version),
		       r->state_path);
	else if (!r->files || r->steps[HWB_RELEASE_PUBLISH] != HWB_RELEASE_DONE || !uploaded)
		printf("%s %s: %zu file(s) checked%s, nothing uploaded (%s)\n", or_dash(r->name),
		       or_dash(r->version), r->count, r->identity ? " and signed" : "",
		       r->steps[HWB_RELEASE_PUBLISH] == HWB_RELEASE_SKIPPED ? "--no-publish"
									 : "dry run");
	else
		printf("%s %s: %zu file(s) released%s\n", or_dash(r->name), or_dash(r->version),
		       uploaded, r->resumed ? " (resumed)" : "");
	for (i = 0; i < r->count; i++)
		printf("  %s  sha256 %s  %s\n", r->files[i].filename, r->files[i].sha256,
		       or_dash(r->files[i].upload));
	if (r->project_url && uploaded)
		printf("published at %s\n", r->project_url);
	printf("record: %s\n", r->state_path);
	if (!r->identity)
		return;
	printf("signed by %s (issuer %s)\n", r->identity, or_dash(r->issuer));
	verify_commands(r, &cmds);
	printf("to verify a download:\n%s", cmds.ptr ? cmds.ptr : "");
	hwb_buf_release(&cmds);
}
