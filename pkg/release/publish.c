/* SPDX-License-Identifier: Apache-2.0 */
/*
 * publish.c: the release's upload step, through pkg/publish. Only the
 * files release.json does not record as uploaded are handed over; each
 * file's outcome is recorded the moment pkg/publish reports it. A file
 * whose upload a kill cut off is sent again: the index answers an
 * identical re-upload with success and keeps one copy (PyPI's rule, which
 * pkg/publish counts as uploaded), so the release ends with every file
 * once. Under trusted publishing pkg/publish sends DIST.publish.attestation
 * along (the attest step made them).
 */
#include <stdlib.h>
#include <string.h>

#include "pkg/core/log.h"
#include "pkg/publish/publish.h"
#include "pkg/release/internal.h"

struct upload {
	struct hwb_release__run *run;
	struct hwb_error save_err;
};

static struct hwb_release_file *find(struct hwb_release_result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->count; i++)
		if (!strcmp(r->files[i].filename, name))
			return &r->files[i];
	return NULL;
}

static void on_event(void *ctx, enum hwb_publish_event ev,
		     const struct hwb_publish_file *pf, uint64_t sent, uint64_t total)
{
	struct upload *u = ctx;
	struct hwb_release__run *run = u->run;
	struct hwb_release_file *f = find(run->r, pf->filename);
	struct hwb_release_progress p = { 0 };
	const char *status = hwb_publish_status_name(pf->status);

	if (!f)
		return;
	if (ev == HWB_PUBLISH_EVENT_PROGRESS) {
		p.event = HWB_RELEASE_EVENT_FILE_PROGRESS;
		p.step = HWB_RELEASE_PUBLISH;
		p.filename = f->filename;
		p.sent = sent;
		p.total = total;
		p.result = run->r;
		if (run->o->notify)
			run->o->notify(run->o->notify_ctx, &p);
		return;
	}
	if (ev == HWB_PUBLISH_EVENT_START) {
		hwb_release__notify(run, HWB_RELEASE_EVENT_FILE_START, HWB_RELEASE_PUBLISH,
				    f->filename, NULL);
		return;
	}
	if (pf->status == HWB_PUBLISH_UPLOADED || pf->status == HWB_PUBLISH_SKIPPED ||
	    pf->status == HWB_PUBLISH_DRY_RUN) {
		free(f->upload);
		f->upload = hwb_strdup(status);
		if (!f->upload || hwb_release__note(run, &u->save_err))
			hwb_log_error("%s: cannot record the upload in release.json", f->filename);
	}
	hwb_release__notify(run, HWB_RELEASE_EVENT_FILE_DONE, HWB_RELEASE_PUBLISH,
			    f->filename, pf->status == HWB_PUBLISH_FAILED ? pf->error.message
								      : status);
}

static int take_result(struct hwb_release_result *r, struct hwb_publish_result *pr,
		       struct hwb_error *err)
{
	char **slots[] = { &r->name, &r->version, &r->index_url, &r->project_url };
	char *values[] = { pr->name, pr->version, pr->index_url, pr->project_url };
	size_t i;

	for (i = 0; i < sizeof(values) / sizeof(*values); i++) {
		if (!values[i])
			continue;
		free(*slots[i]);
		*slots[i] = values[i];
	}
	pr->name = pr->version = pr->index_url = pr->project_url = NULL;
	free(r->auth);
	r->auth = hwb_strdup(hwb_publish_auth_name(pr->auth));
	return r->auth ? 0 : hwb_error_oom(err);
}

int hwb_release__publish(struct hwb_release__run *run, struct hwb_error *err)
{
	const struct hwb_release_options *o = run->o;
	struct hwb_release_result *r = run->r;
	struct hwb_publish_options po;
	struct hwb_publish_result pr = HWB_PUBLISH_RESULT_INIT;
	struct upload u = { run, HWB_ERROR_INIT };
	const char **dists = calloc(r->count ? r->count : 1, sizeof(*dists));
	size_t i, n = 0;
	int rc = -1;

	if (!dists)
		return hwb_error_oom(err);
	for (i = 0; i < r->count; i++)
		if (!r->files[i].upload || o->dry_run)
			dists[n++] = r->files[i].path;
	if (!n) {
		free(dists);
		return 0;
	}
	memset(&po, 0, sizeof(po));
	po.dists = dists;
	po.dist_count = n;
	po.repository_url = o->repository_url;
	po.trusted = o->password ? HWB_PUBLISH_TRUSTED_NEVER : HWB_PUBLISH_TRUSTED_AUTO;
	po.dry_run = o->dry_run;
	po.username = o->username;
	po.password = o->password;
	po.gcp_metadata_url = o->gcp_metadata_url;
	po.http = o->http;
	po.check = o->check;
	po.notify = on_event;
	po.notify_ctx = &u;
	rc = hwb_publish(&po, &pr, err);
	if (take_result(r, &pr, rc ? &u.save_err : err) && !rc)
		rc = -1;
	if (!rc && u.save_err.code[0]) {
		*err = u.save_err;
		rc = -1;
	}
	hwb_publish_result_release(&pr);
	free(dists);
	return rc;
}
