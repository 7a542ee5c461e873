/* SPDX-License-Identifier: Apache-2.0 */
/*
 * files.c: what hwb keeps on disk: its configuration files (valid or not),
 * the Sigstore trust in use and its age, the audit log's directory, and
 * what killed builds left behind (listed as the next build's sweep would
 * remove them; nothing is removed here).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "pkg/core/audit.h"
#include "pkg/core/config.h"
#include "pkg/doctor/internal.h"

/* Leftovers named in the line; the rest are counted (the JSON has all). */
#define LEFTOVERS_NAMED 4

int hwb_doctor__config(struct hwb_doctor_report *r,
		       const struct hwb_doctor_options *o)
{
	struct hwb_buf files = HWB_BUF_INIT;
	size_t i, n;
	int rc;

	if (o->config_error)
		return hwb_doctor__add_error(r, "config", HWB_DOCTOR_FAIL,
					     o->config_error);
	n = hwb_config_file_count(o->config);
	for (i = 0; i < n; i++) {
		const struct hwb_config_file *f = hwb_config_file_at(o->config, i);

		if (f->present && f->configures)
			hwb_buf_printf(&files, "%s%s", files.len ? ", " : "",
				       f->path);
	}
	if (files.oom)
		return -1;
	rc = hwb_doctor__add(r, "config", HWB_DOCTOR_OK, NULL, NULL, "valid: %s",
			     files.len ? files.ptr : "no configuration file sets "
						    "hwb (defaults)");
	hwb_buf_release(&files);
	return rc;
}

static void utc(int64_t t, char *out, size_t outsz)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(out, outsz, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(out, outsz, "?");
}

static int64_t days(int64_t from, int64_t to)
{
	return from && to > from ? (to - from) / 86400 : 0;
}

int hwb_doctor__trust(struct hwb_doctor_report *r,
		      const struct hwb_doctor_options *o)
{
	const struct hwb_doctor_trust *t = o->trust;
	char when[32] = "?", exp[32];
	const char *remedy = "hwb trust update";

	if (!t)
		return o->trust_error ? hwb_doctor__add_error(r, "trust",
							      HWB_DOCTOR_FAIL,
							      o->trust_error)
				      : 0;
	r->trust = *t;
	r->trust.repository = hwb_strdup(t->repository);
	r->trust.source = hwb_strdup(t->source);
	if (!r->trust.repository || !r->trust.source)
		return -1;
	if (t->taken)
		utc(t->taken, when, sizeof(when));
	if (t->from_cache && t->timestamp_expires <= r->now) {
		utc(t->timestamp_expires, exp, sizeof(exp));
		return hwb_doctor__add(r, "trust", HWB_DOCTOR_WARN, "HWB-D004",
				       remedy, "the cached trust root's TUF "
				       "timestamp (%s) expired at %s", t->source,
				       exp);
	}
	if (days(t->taken, r->now) > t->max_age_days)
		return hwb_doctor__add(r, "trust", HWB_DOCTOR_WARN, "HWB-D004",
				       remedy, "the trust root and signing "
				       "config in use (%s) are %lld days old "
				       "(taken %s)", t->source,
				       (long long)days(t->taken, r->now), when);
	return hwb_doctor__add(r, "trust", HWB_DOCTOR_OK, NULL, NULL,
			       "trust root and signing config from %s, of %s, "
			       "taken %s (%lld days ago)", t->source,
			       t->repository, when,
			       (long long)days(t->taken, r->now));
}

/* 1 when dir, or the nearest ancestor that exists, is writable by us. */
static int writable(const char *dir)
{
	char *p = hwb_strdup(dir), *slash;
	struct stat st;
	int ok = 0;

	while (p && p[0]) {
		if (!stat(p, &st)) {
			ok = S_ISDIR(st.st_mode) && !access(p, W_OK | X_OK);
			break;
		}
		if (errno != ENOENT || !(slash = strrchr(p, '/')))
			break;
		*slash = '\0';
		if (slash == p && access("/", W_OK | X_OK) == 0)
			ok = 1;
	}
	free(p);
	return ok;
}

int hwb_doctor__audit(struct hwb_doctor_report *r,
		      const struct hwb_doctor_options *o)
{
	struct hwb_audit a = HWB_AUDIT_INIT;
	struct hwb_error e = HWB_ERROR_INIT;
	int rc;

	if (hwb_audit_from_config(&a, o->config, &e))
		return hwb_doctor__add_error(r, "audit", HWB_DOCTOR_WARN, &e);
	r->audit_enabled = a.enabled;
	if (!a.enabled) {
		rc = hwb_doctor__add(r, "audit", HWB_DOCTOR_OK, NULL, NULL,
				     "disabled (audit.enabled = false, %s): no "
				     "audit records are written",
				     hwb_config_origin(o->config, "audit.enabled"));
	} else if (!(r->audit_dir = hwb_strdup(a.dir))) {
		rc = -1;
	} else if (!writable(a.dir)) {
		rc = hwb_doctor__add(r, "audit", HWB_DOCTOR_WARN, "HWB-D005",
				     "set audit.dir in your config.toml (or "
				     "HWB_AUDIT_DIR) to a directory you can write",
				     "the audit log's directory %s cannot be "
				     "written: commands go on without their "
				     "records", a.dir);
	} else {
		rc = hwb_doctor__add(r, "audit", HWB_DOCTOR_OK, NULL, NULL,
				     "records go to %s/audit-YYYY-MM-DD.jsonl",
				     a.dir);
	}
	hwb_audit_release(&a);
	return rc;
}

/* The outdir builds of this project write to (build.outdir). */
static char *outdir_of(const struct hwb_doctor_options *o)
{
	const char *dir = hwb_config_str(o->config, "build.outdir");
	const char *project = o->project_dir ? o->project_dir : ".";

	if (!dir || !*dir)
		return NULL;
	return dir[0] == '/' ? hwb_strdup(dir)
			     : hwb_strdup_printf("%s/%s", project, dir);
}

static int leftover_item(struct hwb_doctor_report *r, const char *tmp,
			 const char *outdir)
{
	struct hwb_buf named = HWB_BUF_INIT;
	unsigned long long total = 0;
	char size[32];
	size_t i;
	int rc;

	for (i = 0; i < r->leftover_count; i++) {
		const struct hwb_build_leftover *l = &r->leftovers[i];

		total += l->bytes;
		if (i >= LEFTOVERS_NAMED)
			continue;
		hwb_doctor__size(l->bytes, size, sizeof(size));
		hwb_buf_printf(&named, "%s%s (%s)", i ? ", " : "", l->path, size);
	}
	if (r->leftover_count > LEFTOVERS_NAMED)
		hwb_buf_printf(&named, " and %zu more",
			       r->leftover_count - LEFTOVERS_NAMED);
	if (named.oom)
		return -1;
	hwb_doctor__size(total, size, sizeof(size));
	rc = hwb_doctor__add(r, "leftovers", HWB_DOCTOR_WARN, "HWB-D006",
			     "the next hwb build removes them; or remove them "
			     "now (rm -rf PATH): no running build holds them",
			     "%zu left by killed builds in %s%s%s, %s: %s",
			     r->leftover_count, tmp, outdir ? " and " : "",
			     outdir ? outdir : "", size, named.ptr);
	hwb_buf_release(&named);
	return rc;
}

int hwb_doctor__leftovers(struct hwb_doctor_report *r,
			  const struct hwb_doctor_options *o)
{
	struct hwb_error e = HWB_ERROR_INIT;
	const char *tmp = hwb_build_tmpdir();
	char *outdir = outdir_of(o);
	int rc;

	if (hwb_build_leftovers(tmp, outdir, &r->leftovers, &r->leftover_count,
				&e)) {
		free(outdir);
		return -1;
	}
	if (r->leftover_count)
		rc = leftover_item(r, tmp, outdir);
	else
		rc = hwb_doctor__add(r, "leftovers", HWB_DOCTOR_OK, NULL, NULL,
				     "no leftovers of killed builds in %s%s%s",
				     tmp, outdir ? " or " : "",
				     outdir ? outdir : "");
	free(outdir);
	return rc;
}
